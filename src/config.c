/* config.c: reader, checker and writer of accelerator configs.
 *
 * A file passes three gates; the first error anywhere is the one reported,
 * as "FILE:LINE: what":
 *  1. bytes: an empty file, a NUL byte (binary data; in UTF-16, told by
 *     its byte order mark or "<?", NUL bytes are characters) or more than
 *     NMAXCFG bytes is refused before libxml2 sees it;
 *  2. libxml2 parses (XML_PARSE_NONET, no XML_PARSE_NOENT, no DTD loading,
 *     and a DOCTYPE stops the parser, so no entity is ever expanded or
 *     fetched) and validates the tree against the built-in XSD.  Its errors
 *     go to a structured handler that keeps the first and prints nothing.
 *     That first error is reworded from the field table when we can say it
 *     better: unknown, misplaced, duplicate and missing elements, the root,
 *     the name, and bad values, which get the very message gate 3 would
 *     give them;
 *  3. the field table: every value parsed (units, overflow) and checked
 *     against its range, then the checks between fields.
 *
 * The field table below is the one list of what a config holds: reader,
 * checks, writer and messages all walk it.  The XSD states the same ranges
 * for editors and xmllint; the tests pin the two together at every bound.
 */
#include "config.h"

#include <libxml/globals.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "graphfile.h"
#include "json.h"

enum { NMAXCFG = 1 << 20, NSHOW = 40 };

#define KIB ((int64_t)1 << 10)
#define MIB ((int64_t)1 << 20)
#define GIB ((int64_t)1 << 30)

#if LIBXML_VERSION >= 21200
typedef const xmlError *XmlErr;
#else
typedef xmlErrorPtr XmlErr;
#endif

typedef enum Kind {
	KBYTES, /* int64_t; digits with an optional unit B, KiB, MiB, GiB */
	KINT,   /* int; plain digits */
} Kind;

typedef struct Field {
	const char *group; /* element under the root holding it; NULL: the root */
	const char *elem;
	Kind kind;
	size_t off; /* of the value in Config */
	int64_t min, max;
	const char *unit; /* after the range in messages */
	bool pow2;
	bool optional; /* may be left out: cfg_defaults fills it in */
} Field;

/* Fields of one group are contiguous: the writer and child_name rely on it. */
static const Field fields[] = {
	{"sram", "size", KBYTES, offsetof(Config, sram_bytes), KIB, GIB, "", false, false},
	{"sram", "alignment", KINT, offsetof(Config, sram_align), 1, 4096, " bytes", true, false},
	{"sram", "banks", KINT, offsetof(Config, sram_banks), 2, 1024, "", true, true},
	{"sram", "bank-bytes", KINT, offsetof(Config, sram_bank_bytes), 1, 64, " bytes", true, true},
	{"dma", "read-bytes-per-cycle", KINT, offsetof(Config, dma_read_bpc), 1, 1024,
	 " bytes per cycle", true, false},
	{"dma", "write-bytes-per-cycle", KINT, offsetof(Config, dma_write_bpc), 1, 1024,
	 " bytes per cycle", true, false},
	{"dma", "latency-cycles", KINT, offsetof(Config, dram_latency), 0, 100000, " cycles", false, false},
	{"compute", "mac-rows", KINT, offsetof(Config, mac_rows), 1, 256, "", false, false},
	{"compute", "mac-cols", KINT, offsetof(Config, mac_cols), 1, 256, "", false, false},
	{"compute", "vector-width", KINT, offsetof(Config, vector_width), 1, 256, " int8 lanes", false, false},
	{"compute", "accumulator-bits", KINT, offsetof(Config, acc_bits), 16, 32, " bits", false, false},
	{"weight-buffer", "size", KBYTES, offsetof(Config, wbuf_bytes), 256, GIB, "", false, true},
	{NULL, "clock-mhz", KINT, offsetof(Config, clock_mhz), 1, 10000, " MHz", false, false},
};
enum { NFIELDS = sizeof fields / sizeof fields[0] };

static const char ROOT[] = "accelerator";

/* ---- values ---- */

static int64_t get(const Config *c, const Field *f)
{
	const char *p = (const char *)c + f->off;
	if (f->kind == KBYTES) {
		int64_t v;
		memcpy(&v, p, sizeof v);
		return v;
	}
	int v;
	memcpy(&v, p, sizeof v);
	return v;
}

/* v is in the field's range, so it fits an int. */
static void put(Config *c, const Field *f, int64_t v)
{
	char *p = (char *)c + f->off;
	if (f->kind == KBYTES) {
		memcpy(p, &v, sizeof v);
	} else {
		int i = (int)v;
		memcpy(p, &i, sizeof i);
	}
}

static void fmt_bytes(int64_t v, char *buf, size_t n)
{
	static const struct {
		int64_t mult;
		const char *name;
	} units[] = {{GIB, "GiB"}, {MIB, "MiB"}, {KIB, "KiB"}};
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		if (v > 0 && v % units[i].mult == 0) {
			snprintf(buf, n, "%lld %s", (long long)(v / units[i].mult), units[i].name);
			return;
		}
	snprintf(buf, n, "%lld", (long long)v);
}

static void fmt_value(const Field *f, int64_t v, char *buf, size_t n)
{
	if (f->kind == KBYTES)
		fmt_bytes(v, buf, n);
	else
		snprintf(buf, n, "%lld", (long long)v);
}

static void field_path(const Field *f, char *buf, size_t n)
{
	if (f->group)
		snprintf(buf, n, "%s/%s", f->group, f->elem);
	else
		snprintf(buf, n, "%s", f->elem);
}

/* "1 KiB..1 GiB", "1..4096 bytes, a power of two". */
static void field_range(const Field *f, char *buf, size_t n)
{
	char lo[32], hi[32];
	fmt_value(f, f->min, lo, sizeof lo);
	fmt_value(f, f->max, hi, sizeof hi);
	snprintf(buf, n, "%s..%s%s%s", lo, hi, f->unit, f->pow2 ? ", a power of two" : "");
}

/* Range checks of v, shown as `shown` in the message written to why, which
 * names the field, or label when it is not NULL. */
static int check_value(const Field *f, const char *label, int64_t v, const char *shown, char *why,
		       size_t n)
{
	char path[96], range[96];
	if (label)
		snprintf(path, sizeof path, "%s", label);
	else
		field_path(f, path, sizeof path);
	field_range(f, range, sizeof range);
	if (v < f->min || v > f->max) {
		snprintf(why, n, "%s %s is out of range (expected %s)", path, shown, range);
		return -1;
	}
	if (f->pow2 && (v & (v - 1))) {
		snprintf(why, n, "%s %s is not a power of two (expected %s)", path, shown, range);
		return -1;
	}
	return 0;
}

static bool xml_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool same_word(const char *s, size_t n, const char *w)
{
	return strlen(w) == n && memcmp(s, w, n) == 0;
}

static bool same_word_nocase(const char *s, size_t n, const char *w)
{
	if (strlen(w) != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char a = s[i], b = w[i];
		if (a >= 'A' && a <= 'Z')
			a = (char)(a - 'A' + 'a');
		if (a != b)
			return false;
	}
	return true;
}

/* Multiplier of the unit u[0..n), 0 when it is not one of ours. */
static int64_t unit_mult(const char *u, size_t n)
{
	if (same_word(u, n, "B"))
		return 1;
	if (same_word(u, n, "KiB"))
		return KIB;
	if (same_word(u, n, "MiB"))
		return MIB;
	if (same_word(u, n, "GiB"))
		return GIB;
	return 0;
}

static bool unit_ambiguous(const char *u, size_t n)
{
	static const char *const amb[] = {"k", "kb", "m", "mb", "g", "gb"};
	for (size_t i = 0; i < sizeof amb / sizeof amb[0]; i++)
		if (same_word_nocase(u, n, amb[i]))
			return true;
	return false;
}

/* Parses the text of an element of field f and checks its range; on error
 * writes to why a message naming the field (or label, when not NULL: the
 * command-line option the value came from) and the text as written. */
static int parse_value(const Field *f, const char *label, const char *text, int64_t *out,
		       char *why, size_t n)
{
	char path[96], range[96], shown[NSHOW + 8];
	if (label)
		snprintf(path, sizeof path, "%s", label);
	else
		field_path(f, path, sizeof path);
	field_range(f, range, sizeof range);
	const char *s = text, *end = text + strlen(text);
	while (s < end && xml_space(*s))
		s++;
	while (end > s && xml_space(end[-1]))
		end--;
	int len = (int)(end - s);
	snprintf(shown, sizeof shown, "'%.*s%s'", len > NSHOW ? NSHOW : len, s,
		 len > NSHOW ? "..." : "");
	if (s == end) {
		snprintf(why, n, "%s is empty (expected %s)", path, range);
		return -1;
	}
	if (*s == '-' && end - s > 1 && is_digit(s[1])) {
		snprintf(why, n, "%s %s is negative (expected %s)", path, shown, range);
		return -1;
	}
	int64_t v = 0;
	bool over = false;
	const char *q = s;
	for (; q < end && is_digit(*q); q++)
		if (!over && (!mul_ok_i64(v, 10, &v) || !add_ok_i64(v, *q - '0', &v)))
			over = true;
	if (q == s) {
		snprintf(why, n, "%s %s is not a number (expected %s)", path, shown, range);
		return -1;
	}
	const char *u = q;
	while (u < end && xml_space(*u))
		u++;
	if (u < end && f->kind == KINT) {
		if (is_alpha(*u))
			snprintf(why, n, "%s %s takes no unit (expected a plain number, %s)", path,
				 shown, range);
		else
			snprintf(why, n, "%s %s is not a whole number (expected %s)", path, shown,
				 range);
		return -1;
	}
	if (u < end) {
		size_t un = (size_t)(end - u);
		int64_t mult = unit_mult(u, un);
		int ul = un > NSHOW ? NSHOW : (int)un;
		if (!is_alpha(*u)) {
			snprintf(why, n, "%s %s is not a whole number of bytes (expected %s)", path,
				 shown, range);
			return -1;
		}
		if (unit_ambiguous(u, un)) {
			snprintf(why, n,
				 "%s %s: unit %.*s is ambiguous (write KiB, MiB or GiB for powers of "
				 "1024, or plain bytes)",
				 path, shown, ul, u);
			return -1;
		}
		if (!mult) {
			snprintf(why, n, "%s %s: unknown unit '%.*s' (expected B, KiB, MiB or GiB)",
				 path, shown, ul, u);
			return -1;
		}
		if (!over && !mul_ok_i64(v, mult, &v))
			over = true;
	}
	if (over) {
		snprintf(why, n, "%s %s overflows 64 bits (expected %s)", path, shown, range);
		return -1;
	}
	if (check_value(f, label, v, shown, why, n))
		return -1;
	*out = v;
	return 0;
}

static int check_name(const char *s, size_t len, char *why, size_t n)
{
	if (len == 0) {
		snprintf(why, n, "accelerator name is empty (expected 1 to %d letters, digits, "
				 "'.', '_' or '-')", NCFGNAME - 1);
		return -1;
	}
	if (len >= NCFGNAME) {
		snprintf(why, n, "accelerator name is longer than %d characters", NCFGNAME - 1);
		return -1;
	}
	for (size_t i = 0; i < len; i++)
		if (!is_alpha(s[i]) && !is_digit(s[i]) && !(s[i] && strchr("._-", s[i]))) {
			snprintf(why, n,
				 "accelerator name '%.*s' may hold only letters, digits, '.', '_' "
				 "and '-'",
				 (int)len, s);
			return -1;
		}
	return 0;
}

/* Checks between fields, once each is in range. */
static int check_cross(const Config *c, char *why, size_t n)
{
	char b[32];
	fmt_bytes(c->sram_bytes, b, sizeof b);
	if (c->sram_bytes % c->sram_align) {
		snprintf(why, n, "sram/size %s is not a multiple of sram/alignment %d", b,
			 c->sram_align);
		return -1;
	}
	if (c->dma_read_bpc < 4 || c->dma_read_bpc > 64) {
		snprintf(why, n,
			 "dma/read-bytes-per-cycle %d: the NPU fetches its 64-byte instructions in bursts "
			 "of at most 16 beats, so its read port is 4 to 64 bytes wide",
			 c->dma_read_bpc);
		return -1;
	}
	int64_t row = (int64_t)c->sram_banks * c->sram_bank_bytes;
	if (c->sram_bytes % row) {
		snprintf(why, n,
			 "sram/size %s is not a multiple of sram/banks %d x sram/bank-bytes %d (every "
			 "bank holds the same number of words)",
			 b, c->sram_banks, c->sram_bank_bytes);
		return -1;
	}
	int need = c->mac_rows;
	const char *who = "compute/mac-rows";
	if (c->vector_width > need)
		need = c->vector_width, who = "compute/vector-width";
	if (c->dma_read_bpc > need)
		need = c->dma_read_bpc, who = "dma/read-bytes-per-cycle";
	if (c->dma_write_bpc > need)
		need = c->dma_write_bpc, who = "dma/write-bytes-per-cycle";
	if (cfg_window(c) < need) {
		snprintf(why, n,
			 "sram/banks %d x sram/bank-bytes %d reach %d contiguous bytes in one access, "
			 "fewer than %s %d",
			 c->sram_banks, c->sram_bank_bytes, cfg_window(c), who, need);
		return -1;
	}
	if (c->wbuf_bytes % c->mac_cols) {
		fmt_bytes(c->wbuf_bytes, b, sizeof b);
		snprintf(why, n,
			 "weight-buffer/size %s is not a multiple of compute/mac-cols %d (its rows are "
			 "mac-cols bytes)",
			 b, c->mac_cols);
		return -1;
	}
	return 0;
}

int cfg_window(const Config *c)
{
	return (c->sram_banks - 1) * c->sram_bank_bytes + 1;
}

static int pow2_at_least(int64_t v)
{
	int p = 1;
	while (p < v)
		p *= 2;
	return p;
}

void cfg_defaults(Config *c)
{
	if (!c->sram_bank_bytes)
		c->sram_bank_bytes = 1;
	if (!c->sram_banks) {
		/* windows of twice the lanes: a stride-2 convolution or pooling
		 * still fills every lane */
		int need = 2 * (c->mac_rows > c->vector_width ? c->mac_rows : c->vector_width);
		if (c->dma_read_bpc > need)
			need = c->dma_read_bpc;
		if (c->dma_write_bpc > need)
			need = c->dma_write_bpc;
		int banks = pow2_at_least((need - 2) / c->sram_bank_bytes + 2);
		c->sram_banks = banks < 2 ? 2 : banks;
	}
	if (!c->wbuf_bytes)
		c->wbuf_bytes = 32 * KIB;
}

int cfg_check(const Config *c, Err *e)
{
	char why[NERRMSG], shown[32];
	if (check_name(c->name, strnlen(c->name, NCFGNAME), why, sizeof why))
		return err_set(e, "%s", why);
	for (int i = 0; i < NFIELDS; i++) {
		int64_t v = get(c, &fields[i]);
		fmt_value(&fields[i], v, shown, sizeof shown);
		if (check_value(&fields[i], NULL, v, shown, why, sizeof why))
			return err_set(e, "%s", why);
	}
	if (check_cross(c, why, sizeof why))
		return err_set(e, "%s", why);
	return 0;
}

static const Field *field_at(const char *path)
{
	char p[96];
	for (int i = 0; i < NFIELDS; i++) {
		field_path(&fields[i], p, sizeof p);
		if (!strcmp(p, path))
			return &fields[i];
	}
	return NULL;
}

int cfg_parse_value(const char *path, const char *label, const char *text, int64_t *out, Err *e)
{
	const Field *f = field_at(path);
	char why[NERRMSG];
	if (!f)
		return err_set(e, "%s: no such config element", path);
	if (parse_value(f, label, text, out, why, sizeof why))
		return err_set(e, "%s", why);
	return 0;
}

int cfg_json(FILE *f, const Config *c)
{
	fputs("{\"name\":", f);
	json_str(f, c->name);
	char p[96];
	for (int i = 0; i < NFIELDS; i++) {
		field_path(&fields[i], p, sizeof p);
		fprintf(f, ",\"%s\":%lld", p, (long long)get(c, &fields[i]));
	}
	fputs("}", f);
	return ferror(f) ? -1 : 0;
}

bool cfg_equal(const Config *a, const Config *b)
{
	if (strncmp(a->name, b->name, NCFGNAME) != 0)
		return false;
	for (int i = 0; i < NFIELDS; i++)
		if (get(a, &fields[i]) != get(b, &fields[i]))
			return false;
	return true;
}

/* ---- the tree ---- */

static bool is_root(const xmlNode *x)
{
	return x->parent && x->parent->type == XML_DOCUMENT_NODE;
}

static bool is_elem(const xmlNode *x, const char *name)
{
	return x && x->type == XML_ELEMENT_NODE && !x->ns &&
	       strcmp((const char *)x->name, name) == 0;
}

static const xmlNode *child(const xmlNode *p, const char *name)
{
	for (const xmlNode *x = p->children; x; x = x->next)
		if (is_elem(x, name))
			return x;
	return NULL;
}

static bool is_group(const char *name)
{
	for (int i = 0; i < NFIELDS; i++)
		if (fields[i].group && strcmp(fields[i].group, name) == 0)
			return true;
	return false;
}

/* The i-th element allowed in the element called parent (ROOT or a group),
 * NULL past the last. */
static const char *child_name(const char *parent, int i)
{
	int k = 0;
	for (int f = 0; f < NFIELDS; f++) {
		const char *g = fields[f].group, *name;
		if (strcmp(parent, ROOT) == 0) {
			if (g && f > 0 && fields[f - 1].group && strcmp(fields[f - 1].group, g) == 0)
				continue;
			name = g ? g : fields[f].elem;
		} else if (g && strcmp(g, parent) == 0) {
			name = fields[f].elem;
		} else {
			continue;
		}
		if (k++ == i)
			return name;
	}
	return NULL;
}

/* Is child c of parent (ROOT or a group) optional: a group of optional
 * fields, or an optional field of a group that has required ones?  (A group
 * of optional fields, like <weight-buffer>, is left out whole; once
 * present, its fields are required.) */
static bool optional_name(const char *parent, const char *c)
{
	bool root = strcmp(parent, ROOT) == 0;
	if (!root && optional_name(ROOT, parent))
		return false;
	for (int i = 0; i < NFIELDS; i++) {
		const Field *f = &fields[i];
		if (root ? (f->group ? strcmp(f->group, c) == 0 : strcmp(f->elem, c) == 0)
			 : f->group && strcmp(f->group, parent) == 0 && strcmp(f->elem, c) == 0) {
			if (!f->optional)
				return false;
		}
	}
	return true;
}

static bool known_name(const char *name)
{
	if (strcmp(name, ROOT) == 0 || is_group(name))
		return true;
	for (int i = 0; i < NFIELDS; i++)
		if (strcmp(fields[i].elem, name) == 0)
			return true;
	return false;
}

/* ROOT or the group x stands for; NULL for a leaf or a stranger. */
static const char *container(const xmlNode *x)
{
	if (x->type != XML_ELEMENT_NODE || x->ns)
		return NULL;
	if (is_root(x))
		return strcmp((const char *)x->name, ROOT) == 0 ? ROOT : NULL;
	if (x->parent && container(x->parent) == ROOT && is_group((const char *)x->name))
		return (const char *)x->name;
	return NULL;
}

static bool allowed_in(const char *parent, const xmlNode *x)
{
	if (x->ns)
		return false;
	for (int i = 0; child_name(parent, i); i++)
		if (strcmp(child_name(parent, i), (const char *)x->name) == 0)
			return true;
	return false;
}

/* The field x holds, NULL when x is not a leaf in its place. */
static const Field *field_of(const xmlNode *x)
{
	if (x->type != XML_ELEMENT_NODE || x->ns || !x->parent)
		return NULL;
	const char *p = container(x->parent);
	if (!p)
		return NULL;
	for (int i = 0; i < NFIELDS; i++) {
		const Field *f = &fields[i];
		bool here = p == ROOT ? !f->group : f->group && strcmp(f->group, p) == 0;
		if (here && strcmp(f->elem, (const char *)x->name) == 0)
			return f;
	}
	return NULL;
}

/* "<name>" or "<prefix:name>". */
static void show_elem(const xmlNode *x, char *buf, size_t n)
{
	if (x->ns && x->ns->prefix)
		snprintf(buf, n, "<%.40s:%.40s>", (const char *)x->ns->prefix, (const char *)x->name);
	else
		snprintf(buf, n, "<%.60s>", (const char *)x->name);
}

/* "<a>, <b>, <c>" allowed in parent, or those of them missing from x. */
static void list_children(const char *parent, const xmlNode *x, char *buf, size_t n)
{
	size_t k = 0;
	buf[0] = 0;
	for (int i = 0; child_name(parent, i) && k < n; i++) {
		const char *c = child_name(parent, i);
		if (x && (child(x, c) || optional_name(parent, c)))
			continue;
		int w = snprintf(buf + k, n - k, "%s<%s>", k ? ", " : "", c);
		if (w < 0)
			break;
		k += (size_t)w;
	}
}

static bool has_element_children(const xmlNode *x)
{
	for (const xmlNode *c = x->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			return true;
	return false;
}

/* Rewords libxml2's schema error about element x; 0 when it did, with
 * *line set to the line the message is about. */
static int explain_elem(int code, const xmlNode *x, char *why, size_t n, long *line)
{
	char me[128], list[256];
	show_elem(x, me, sizeof me);
	*line = xmlGetLineNo(x);
	if (is_root(x)) {
		if (x->ns && strcmp((const char *)x->name, ROOT) == 0) {
			snprintf(why, n, "root element <%s> is in namespace '%.80s' (expected none)",
				 ROOT, x->ns->href ? (const char *)x->ns->href : "");
			return 0;
		}
		if (x->ns || strcmp((const char *)x->name, ROOT) != 0) {
			snprintf(why, n, "root element is %s (expected <%s>)", me, ROOT);
			return 0;
		}
	}
	if (is_root(x) && code != XML_SCHEMAV_ELEMENT_CONTENT) {
		/* libxml2 names the element for errors in its attributes. */
		xmlChar *name = xmlGetNoNsProp(x, (const xmlChar *)"name");
		int bad = name && check_name((const char *)name, strlen((const char *)name), why,
					     n) != 0;
		xmlFree(name);
		return bad ? 0 : -1;
	}
	if (code == XML_SCHEMAV_ELEMENT_CONTENT) {
		const char *p = is_root(x) ? NULL : container(x->parent);
		if (p && !allowed_in(p, x)) {
			list_children(p, NULL, list, sizeof list);
			if (!x->ns && known_name((const char *)x->name))
				snprintf(why, n, "%s does not belong in <%s> (expected %s)", me, p, list);
			else
				snprintf(why, n, "unknown element %s in <%s> (expected %s)", me, p, list);
			return 0;
		}
		for (const xmlNode *y = x->prev; p && y; y = y->prev)
			if (is_elem(y, (const char *)x->name)) {
				snprintf(why, n, "duplicate %s in <%s> (first at line %ld)", me, p,
					 xmlGetLineNo(y));
				return 0;
			}
		const char *c = container(x);
		if (c) {
			list_children(c, x, list, sizeof list);
			if (list[0]) {
				snprintf(why, n, "missing %s in <%s>", list, c);
				return 0;
			}
		}
		return -1;
	}
	const Field *f = field_of(x);
	if (f && !has_element_children(x)) {
		xmlChar *s = xmlNodeGetContent(x);
		int64_t v;
		int bad = parse_value(f, NULL, s ? (const char *)s : "", &v, why, n);
		xmlFree(s);
		return bad ? 0 : -1;
	}
	return -1;
}

/* ---- libxml2 ---- */

typedef struct Capture {
	bool have; /* an error was kept: the first one */
	bool mine; /* msg is ours, not libxml2's */
	int domain, code, line;
	const void *node; /* for schema validity errors */
	char msg[NERRMSG];
} Capture;

static void keep_first(void *ctx, XmlErr err)
{
	Capture *cap = ctx;
	if (cap->have || !err || err->level < XML_ERR_ERROR)
		return;
	cap->have = true;
	cap->domain = err->domain;
	cap->code = err->code;
	cap->line = err->line;
	cap->node = err->domain == XML_FROM_SCHEMASV ? err->node : NULL;
	const char *m = err->message ? err->message : "error";
	int k = (int)strcspn(m, "\n");
	/* "Excessive depth in document: 256 use XML_PARSE_HUGE option": an
	 * option of the parser's API, nothing a user can set */
	const char *huge = strstr(m, "XML_PARSE_HUGE");
	bool limit = huge && huge - m < k;
	if (limit) {
		k = (int)(huge - m);
		if (k >= 4 && strncmp(m + k - 4, "use ", 4) == 0)
			k -= 4;
	}
	while (k > 0 && (xml_space(m[k - 1]) || m[k - 1] == ','))
		k--;
	snprintf(cap->msg, sizeof cap->msg, "%.*s%s", k, m,
		 limit ? " (beyond the XML parser's limits; a config needs far less)" : "");
}

static void ignore_generic(void *ctx, const char *fmt, ...)
{
	(void)ctx;
	(void)fmt;
}

/* SAX internalSubset: a DOCTYPE is where entities, internal or external,
 * would come from; configs have none, so the parser stops right there. */
static void refuse_doctype(void *ctx, const xmlChar *name, const xmlChar *ext, const xmlChar *sys)
{
	xmlParserCtxtPtr ctxt = ctx;
	Capture *cap = ctxt->_private;
	(void)name;
	(void)ext;
	(void)sys;
	if (!cap->have) {
		cap->have = true;
		cap->mine = true;
		cap->line = ctxt->input ? ctxt->input->line : 1;
		snprintf(cap->msg, sizeof cap->msg,
			 "DOCTYPE not allowed (a config has no DTD and no entities)");
	}
	xmlStopParser(ctxt);
}

/* The first error kept, as "FILE:LINE: what". */
static void explain(const Capture *cap, const char *fname, Err *e)
{
	char why[NERRMSG];
	long line = cap->line > 0 ? cap->line : 1;
	if (!cap->have) {
		err_set(e, "%s:1: not a well-formed XML document", fname);
		return;
	}
	if (cap->mine) {
		err_set(e, "%s:%ld: %s", fname, line, cap->msg);
		return;
	}
	if (cap->domain != XML_FROM_SCHEMASV) {
		err_set(e, "%s:%ld: malformed XML: %s", fname, line, cap->msg);
		return;
	}
	const xmlNode *x = cap->node;
	if (x && x->type == XML_ELEMENT_NODE) {
		long l;
		if (explain_elem(cap->code, x, why, sizeof why, &l) == 0) {
			err_set(e, "%s:%ld: %s", fname, l > 0 ? l : 1, why);
			return;
		}
		line = xmlGetLineNo(x) > 0 ? xmlGetLineNo(x) : line;
	}
	err_set(e, "%s:%ld: %s", fname, line, cap->msg);
}

static xmlSchemaPtr load_schema(const char *fname, Err *e)
{
	Capture cap = {0};
	xmlSchemaParserCtxtPtr p = xmlSchemaNewMemParserCtxt(cfg_xsd, (int)cfg_xsd_len);
	if (!p)
		abort();
	xmlSchemaSetParserStructuredErrors(p, keep_first, &cap);
	xmlSchemaPtr s = xmlSchemaParse(p);
	xmlSchemaFreeParserCtxt(p);
	if (!s)
		err_set(e, "%s:1: the built-in schema does not load: %s", fname,
			cap.have ? cap.msg : "no reason given");
	return s;
}

/* UTF-16, told by a byte order mark or by "<?" in UTF-16 (XML 1.0,
 * appendix F): libxml2 decodes it; elsewhere a NUL byte is binary data. */
static bool utf16(const char *text, size_t len)
{
	const unsigned char *u = (const unsigned char *)text;
	return len >= 4 && ((u[0] == 0xff && u[1] == 0xfe) || (u[0] == 0xfe && u[1] == 0xff) ||
			    memcmp(text, "<\0?\0", 4) == 0 || memcmp(text, "\0<\0?", 4) == 0);
}

/* Gate 1: what libxml2 should not see. */
static int screen(const char *text, size_t len, const char *fname, Err *e)
{
	if (len > NMAXCFG)
		return err_set(e, "%s: larger than %d bytes", fname, NMAXCFG);
	bool blank = true, wide = utf16(text, len);
	int line = 1;
	for (size_t i = 0; i < len; i++) {
		if (text[i] == 0 && !wide)
			return err_set(e, "%s:%d: binary data (a NUL byte; configs are UTF-8 text)", fname, line);
		line += text[i] == '\n';
		blank &= xml_space(text[i]);
	}
	if (blank)
		return err_set(e, "%s:1: empty file (expected an <%s> XML document)", fname, ROOT);
	return 0;
}

/* Gate 3, on a tree the schema accepted. */
static int read_fields(const xmlDoc *doc, const char *fname, Config *t, Err *e)
{
	char why[NERRMSG];
	const xmlNode *root = xmlDocGetRootElement(doc);
	int rc = -1;
	xmlChar *name = xmlGetNoNsProp(root, (const xmlChar *)"name");
	size_t nlen = name ? strlen((const char *)name) : 0;
	if (check_name(name ? (const char *)name : "", nlen, why, sizeof why)) {
		err_set(e, "%s:%ld: %s", fname, xmlGetLineNo(root), why);
		goto out;
	}
	memcpy(t->name, name, nlen + 1);
	const xmlNode *size = NULL;
	for (int i = 0; i < NFIELDS; i++) {
		const Field *f = &fields[i];
		const xmlNode *p = f->group ? child(root, f->group) : root;
		const xmlNode *x = p ? child(p, f->elem) : NULL;
		if (!x && f->optional)
			continue; /* cfg_defaults, below */
		if (!x) {
			/* The schema requires every field: only a table out of step with it. */
			field_path(f, why, sizeof why);
			err_set(e, "%s:%ld: missing <%s> (internal: the schema let it pass)", fname,
				xmlGetLineNo(p ? p : root), why);
			goto out;
		}
		xmlChar *s = xmlNodeGetContent(x);
		int64_t v = 0;
		int bad = parse_value(f, NULL, s ? (const char *)s : "", &v, why, sizeof why);
		xmlFree(s);
		if (bad) {
			err_set(e, "%s:%ld: %s", fname, xmlGetLineNo(x), why);
			goto out;
		}
		put(t, f, v);
		if (f->off == offsetof(Config, sram_bytes))
			size = x;
	}
	cfg_defaults(t);
	if (check_cross(t, why, sizeof why)) {
		err_set(e, "%s:%ld: %s", fname, size ? xmlGetLineNo(size) : xmlGetLineNo(root), why);
		goto out;
	}
	rc = 0;
out:
	xmlFree(name);
	return rc;
}

int cfg_parse(const char *text, size_t len, const char *fname, Config *c, Err *e)
{
	if (!fname)
		fname = "<config>";
	if (screen(text, len, fname, e))
		return -1;
	int rc = -1;
	Capture cap = {0};
	xmlDocPtr doc = NULL;
	xmlSchemaPtr schema = NULL;
	xmlSchemaValidCtxtPtr vctxt = NULL;
	Config t;
	memset(&t, 0, sizeof t);

	/* libxml2 reports through thread-local handlers: ours for this call. */
	xmlInitParser();
	xmlStructuredErrorFunc old_s = xmlStructuredError;
	void *old_sctx = xmlStructuredErrorContext;
	xmlGenericErrorFunc old_g = xmlGenericError;
	void *old_gctx = xmlGenericErrorContext;
	xmlSetStructuredErrorFunc(&cap, keep_first);
	xmlSetGenericErrorFunc(NULL, ignore_generic);

	xmlParserCtxtPtr ctxt = xmlCreateMemoryParserCtxt(text, (int)len);
	if (!ctxt)
		abort();
	xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_BIG_LINES | XML_PARSE_NOWARNING);
	ctxt->_private = &cap;
	ctxt->sax->internalSubset = refuse_doctype;
	xmlParseDocument(ctxt);
	doc = ctxt->myDoc;
	ctxt->myDoc = NULL;
	if (cap.have || !ctxt->wellFormed || !doc) {
		explain(&cap, fname, e);
		goto out;
	}
	schema = load_schema(fname, e);
	if (!schema)
		goto out;
	vctxt = xmlSchemaNewValidCtxt(schema);
	if (!vctxt)
		abort();
	xmlSchemaSetValidStructuredErrors(vctxt, keep_first, &cap);
	if (xmlSchemaValidateDoc(vctxt, doc) != 0 || cap.have) {
		explain(&cap, fname, e);
		goto out;
	}
	if (read_fields(doc, fname, &t, e))
		goto out;
	*c = t;
	rc = 0;
out:
	xmlSchemaFreeValidCtxt(vctxt);
	xmlSchemaFree(schema);
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
	xmlSetStructuredErrorFunc(old_sctx, old_s);
	xmlSetGenericErrorFunc(old_gctx, old_g);
	return rc;
}

int cfg_read(const char *path, Config *c, Err *e)
{
	size_t len;
	char *text = gf_slurp(path, NMAXCFG, &len, e);
	if (!text)
		return -1;
	int rc = cfg_parse(text, len, path, c, e);
	free(text);
	return rc;
}

/* ---- writer ---- */

static void put_escaped(FILE *f, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		switch (s[i]) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			fputc(s[i], f);
		}
}

int cfg_write(FILE *f, const Config *c)
{
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<accelerator name=\"", f);
	put_escaped(f, c->name, strnlen(c->name, NCFGNAME));
	fputs("\">\n", f);
	const char *open = NULL;
	for (int i = 0; i < NFIELDS; i++) {
		const Field *fd = &fields[i];
		if (open && (!fd->group || strcmp(open, fd->group) != 0)) {
			fprintf(f, "\t</%s>\n", open);
			open = NULL;
		}
		if (fd->group && !open) {
			fprintf(f, "\t<%s>\n", fd->group);
			open = fd->group;
		}
		char v[32];
		fmt_value(fd, get(c, fd), v, sizeof v);
		fprintf(f, "%s<%s>%s</%s>\n", open ? "\t\t" : "\t", fd->elem, v, fd->elem);
	}
	if (open)
		fprintf(f, "\t</%s>\n", open);
	fputs("</accelerator>\n", f);
	return ferror(f) ? -1 : 0;
}
