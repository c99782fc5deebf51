/* graphfile.c: reader and writer of the plain graph format.
 *
 * The reader is strict: every byte is checked (no NUL, no control
 * characters, valid UTF-8), every size parsed without overflow, and every
 * mistake reported as "FILE:LINE: what".  A first pass records where each
 * name is defined, so a reference to a later line can be told apart from an
 * undefined name (the only way a cycle can be written in this format).
 */
#include "graphfile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "output.h"

enum { NMAXFILE = 1 << 30 };

/* gf_slurp, and for text a NUL byte refused as soon as it is read:
 * /dev/zero fails in its first block, not after max bytes. */
static char *slurp(const char *path, size_t max, bool text, size_t *len, Err *e)
{
	char *buf = NULL;
	FILE *f = fopen(path, "rb");
	struct stat st;
	if (!f) {
		err_set(e, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		err_set(e, "%s: is a directory", path);
		goto out;
	}
	size_t cap = 1 << 16, n = 0;
	buf = malloc(cap);
	if (!buf)
		abort();
	for (;;) {
		if (n + 1 >= cap) {
			if (cap > max) {
				err_set(e, "%s: larger than %zu bytes", path, max);
				free(buf);
				buf = NULL;
				goto out;
			}
			cap *= 2;
			buf = realloc(buf, cap);
			if (!buf)
				abort();
		}
		size_t r = fread(buf + n, 1, cap - 1 - n, f);
		const char *nul = text ? memchr(buf + n, 0, r) : NULL;
		n += r;
		if (nul) {
			int line = 1;
			for (const char *p = buf; p < nul; p++)
				line += *p == '\n';
			err_set(e, "%s:%d: binary data (NUL byte)", path, line);
			free(buf);
			buf = NULL;
			goto out;
		}
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		err_set(e, "%s: read error", path);
		free(buf);
		buf = NULL;
		goto out;
	}
	buf[n] = 0;
	*len = n;
out:
	fclose(f);
	return buf;
}

char *gf_slurp(const char *path, size_t max, size_t *len, Err *e)
{
	return slurp(path, max, false, len, e);
}

typedef struct Line {
	int no;
	char **tok;
	int ntok;
} Line;

typedef struct Parser {
	const char *fname;
	Err *e;
	Line *lines;
	int nlines;
} Parser;

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Splits text into lines of tokens, in place; comments dropped. */
static int split(Parser *p, char *text, size_t len)
{
	int cap = 0;
	int no = 0;
	char *s = text, *end = text + len;
	while (s < end) {
		no++;
		char *eol = memchr(s, '\n', end - s);
		if (!eol)
			eol = end;
		for (char *q = s; q < eol;) {
			unsigned char c = (unsigned char)*q;
			if (c == 0)
				return err_set(p->e, "%s:%d: binary data (NUL byte)", p->fname, no);
			if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f)
				return err_set(p->e, "%s:%d: control character 0x%02x", p->fname, no, c);
			size_t k = err_utf8_len((const unsigned char *)q, eol - q);
			if (!k)
				return err_set(p->e, "%s:%d: invalid UTF-8", p->fname, no);
			q += k;
		}
		*eol = 0;
		char *hash = strchr(s, '#');
		if (hash)
			*hash = 0;
		Line ln = {no, NULL, 0};
		int tcap = 0;
		for (char *q = s;;) {
			while (*q && is_space(*q))
				q++;
			if (!*q)
				break;
			char *t = q;
			while (*q && !is_space(*q))
				q++;
			if (*q)
				*q++ = 0;
			if (ln.ntok == tcap) {
				tcap = tcap ? tcap * 2 : 8;
				ln.tok = realloc(ln.tok, tcap * sizeof *ln.tok);
				if (!ln.tok)
					abort();
			}
			ln.tok[ln.ntok++] = t;
		}
		if (ln.ntok) {
			if (p->nlines == cap) {
				cap = cap ? cap * 2 : 256;
				p->lines = realloc(p->lines, cap * sizeof *p->lines);
				if (!p->lines)
					abort();
			}
			p->lines[p->nlines++] = ln;
		}
		s = eol + 1;
	}
	return 0;
}

static int parse_bytes(const Parser *p, const Line *ln, const char *s, int64_t *out)
{
	if (*s == '-')
		return err_set(p->e, "%s:%d: negative size %.40s", p->fname, ln->no, s);
	int64_t v = 0;
	if (!*s)
		return err_set(p->e, "%s:%d: missing size", p->fname, ln->no);
	for (const char *q = s; *q; q++) {
		if (*q < '0' || *q > '9')
			return err_set(p->e, "%s:%d: size '%.40s' is not a number of bytes", p->fname,
				       ln->no, s);
		if (!mul_ok_i64(v, 10, &v) || !add_ok_i64(v, *q - '0', &v) || v > NBYTES_MAX)
			return err_set(p->e, "%s:%d: size %.40s too large (at most %lld bytes)",
				       p->fname, ln->no, s, (long long)NBYTES_MAX);
	}
	*out = v;
	return 0;
}

/* First definition line of every name, for messages about later lines. */
typedef struct Def {
	const char *name;
	int line;
} Def;

static int def_cmp(const void *a, const void *b)
{
	int c = strcmp(((const Def *)a)->name, ((const Def *)b)->name);
	return c ? c : ((const Def *)a)->line - ((const Def *)b)->line;
}

static int later_line(const Def *defs, int n, const char *name)
{
	Def key = {name, 0};
	int lo = 0, hi = n;
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (def_cmp(&defs[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && strcmp(defs[lo].name, name) == 0 ? defs[lo].line : 0;
}

Graph *gf_parse(const char *text, size_t len, const char *fname, Err *e)
{
	Parser p = {fname, e, NULL, 0};
	Graph *g = NULL;
	Def *defs = NULL;
	int *ins = NULL, *read_by = NULL;
	bool *joined = NULL; /* by tensor: an input of a join */
	char *buf = malloc(len + 1);
	if (!buf)
		abort();
	memcpy(buf, text, len);
	buf[len] = 0;
	if (split(&p, buf, len))
		goto fail;
	if (p.nlines == 0) {
		err_set(e, "%s: no nodes (expected lines 'node NAME BYTES [INPUT ...]')", fname);
		goto fail;
	}
	if (p.nlines > NOPS_MAX) {
		err_set(e, "%s:%d: more than %d nodes", fname, p.lines[NOPS_MAX].no, NOPS_MAX);
		goto fail;
	}
	defs = malloc(p.nlines * sizeof *defs);
	if (!defs)
		abort();
	for (int i = 0; i < p.nlines; i++)
		defs[i] = (Def){p.lines[i].ntok > 1 ? p.lines[i].tok[1] : "", p.lines[i].no};
	qsort(defs, p.nlines, sizeof *defs, def_cmp);
	/* read_by[t]: the last line listing tensor t, to find an input listed
	 * twice on one line in linear time */
	read_by = malloc(p.nlines * sizeof *read_by);
	if (!read_by)
		abort();
	for (int i = 0; i < p.nlines; i++)
		read_by[i] = -1;
	joined = calloc(p.nlines, sizeof *joined);
	if (!joined)
		abort();

	const char *base = strrchr(fname, '/');
	g = ir_new(base ? base + 1 : fname);
	int *lineof = arena_newvec(g->arena, int, p.nlines); /* by op index */
	for (int i = 0; i < p.nlines; i++) {
		Line *ln = &p.lines[i];
		bool join = strcmp(ln->tok[0], "join") == 0, dram = strcmp(ln->tok[0], "dram") == 0;
		if (strcmp(ln->tok[0], "node") != 0 && !join && !dram) {
			err_set(e, "%s:%d: expected 'node NAME BYTES [INPUT ...]', 'join NAME BYTES "
				"INPUT ...' or 'dram NAME BYTES', got '%.40s'", fname, ln->no, ln->tok[0]);
			goto fail;
		}
		if (dram && ln->ntok != 3) {
			err_set(e, "%s:%d: expected 'dram NAME BYTES' (a graph input: no inputs)", fname,
				ln->no);
			goto fail;
		}
		if (join && ln->ntok < 4) {
			err_set(e, "%s:%d: expected 'join NAME BYTES INPUT ...'", fname, ln->no);
			goto fail;
		}
		if (ln->ntok < 3) {
			err_set(e, "%s:%d: expected 'node NAME BYTES [INPUT ...]'", fname, ln->no);
			goto fail;
		}
		const char *name = ln->tok[1];
		if (strlen(name) >= NNAME) {
			err_set(e, "%s:%d: name longer than %d bytes", fname, ln->no, NNAME - 1);
			goto fail;
		}
		int prev = ir_find(g, name);
		if (prev >= 0) {
			err_set(e, "%s:%d: duplicate node '%s' (first defined at line %d)", fname, ln->no,
				name, lineof[g->tensors[prev].producer]);
			goto fail;
		}
		int64_t bytes = 0;
		if (parse_bytes(&p, ln, ln->tok[2], &bytes))
			goto fail;
		int nin = ln->ntok - 3;
		free(ins);
		ins = malloc((nin ? nin : 1) * sizeof *ins);
		if (!ins)
			abort();
		for (int k = 0; k < nin; k++) {
			const char *in = ln->tok[3 + k];
			ins[k] = ir_find(g, in);
			/* a join's inputs are in place in it: nothing else may read them */
			if (ins[k] >= 0 && (joined[ins[k]] || (join && read_by[ins[k]] >= 0))) {
				err_set(e, "%s:%d: %s '%s': input '%s' is a join's and another node's",
					fname, ln->no, join ? "join" : "node", name, in);
				goto fail;
			}
			if (ins[k] >= 0 && read_by[ins[k]] == i) {
				err_set(e, "%s:%d: node '%s': input '%s' listed twice", fname, ln->no,
					name, in);
				goto fail;
			}
			if (ins[k] >= 0) {
				read_by[ins[k]] = i;
				continue;
			}
			if (strcmp(in, name) == 0)
				err_set(e, "%s:%d: node '%s' reads itself (a cycle)", fname, ln->no, name);
			else if (later_line(defs, p.nlines, in))
				err_set(e,
					"%s:%d: input '%s' is defined later, at line %d (a cycle, or "
					"out of order: inputs must name earlier lines)",
					fname, ln->no, in, later_line(defs, p.nlines, in));
			else
				err_set(e, "%s:%d: undefined input '%s'", fname, ln->no, in);
			goto fail;
		}
		if (join) { /* bands joined in place: their bytes and nothing more */
			int64_t sum = 0;
			for (int k = 0; k < nin; k++)
				sum += g->tensors[ins[k]].bytes;
			if (sum != bytes) {
				err_set(e, "%s:%d: join '%s': %lld bytes, its inputs %lld", fname, ln->no,
					name, (long long)bytes, (long long)sum);
				goto fail;
			}
		}
		for (int k = 0; join && k < nin; k++)
			joined[ins[k]] = true;
		if ((join ? ir_join(g, name, ins, nin) : ir_opaque(g, name, bytes, ins, nin)) < 0) {
			err_set(e, "%s:%d: %s", fname, ln->no, g->err.msg);
			goto fail;
		}
		lineof[g->nops - 1] = ln->no;
		g->tensors[g->ntensors - 1].in_dram = dram;
	}
	ir_mark_unconsumed_outputs(g);
	ir_link(g);
	if (ir_verify(g, e))
		goto fail;
	goto out;
fail:
	ir_free(g);
	g = NULL;
out:
	for (int i = 0; i < p.nlines; i++)
		free(p.lines[i].tok);
	free(p.lines);
	free(defs);
	free(ins);
	free(read_by);
	free(joined);
	free(buf);
	return g;
}

Graph *gf_read(const char *path, Err *e)
{
	size_t len;
	char *text = slurp(path, NMAXFILE, true, &len, e);
	if (!text)
		return NULL;
	Graph *g = gf_parse(text, len, path, e);
	free(text);
	return g;
}

int gf_write(const Graph *g, FILE *f)
{
	bool joins = false, drams = false;
	for (int o = 0; o < g->nops; o++) {
		joins |= g->ops[o].kind == OP_JOIN;
		drams |= g->tensors[g->ops[o].out[0]].in_dram;
	}
	fprintf(f, "# serenity plain graph: %s, %d nodes\n# node NAME BYTES [INPUT ...]\n%s%s",
		g->name, g->nops, joins ? "# join NAME BYTES INPUT ...  (its inputs joined in place)\n" : "",
		drams ? "# dram NAME BYTES  (a graph input left in DRAM, read by row slices)\n" : "");
	for (int o = 0; o < g->nops; o++) {
		const Op *op = &g->ops[o];
		fprintf(f, "%s %s %lld",
			op->kind == OP_JOIN ? "join" : g->tensors[op->out[0]].in_dram ? "dram" : "node",
			op->name, (long long)g->tensors[op->out[0]].bytes);
		/* once each: the format lists what an op reads (Add(x, x) reads x) */
		for (int i = 0; i < op->nin; i++)
			if (!ir_repeat(op, i))
				fprintf(f, " %s", g->tensors[op->in[i]].name);
		fputc('\n', f);
	}
	return ferror(f) ? -1 : 0;
}

static int write_graph(FILE *f, const void *g)
{
	return gf_write(g, f);
}

int gf_save(const Graph *g, const char *path, Err *e)
{
	return out_write(path, write_graph, g, e);
}
