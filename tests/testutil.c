#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "graphfile.h"
#include "rng.h"

Graph *tu_random_dag(uint64_t seed, int n, bool unconsumed)
{
	static const int64_t sizes[] = {1, 2, 3, 4, 5, 8, 8, 16, 100};
	uint64_t s = seed;
	Graph *g = ir_new("random");
	int ins[8];
	for (int i = 0; i < n; i++) {
		int nin = 0;
		if (i > 0 && rng_below(&s, 5) != 0) {
			int want = 1 + (int)rng_below(&s, 3);
			for (int k = 0; k < want; k++) {
				int lo = i > 6 ? i - 6 : 0;
				int p = rng_below(&s, 4) ? lo + (int)rng_below(&s, i - lo)
							 : (int)rng_below(&s, i);
				ins[nin++] = p;
			}
		}
		char name[32];
		snprintf(name, sizeof name, "n%d", i);
		ir_opaque(g, name, sizes[rng_below(&s, sizeof sizes / sizeof sizes[0])], ins, nin);
	}
	ir_link(g);
	for (int t = 0; t < g->ntensors; t++)
		if (g->tensors[t].ncons == 0 && !(unconsumed && rng_below(&s, 2)))
			g->tensors[t].output = true;
	return g;
}

Graph *tu_parse(const char *text, bool via_file, Err *e)
{
	if (!via_file)
		return gf_parse(text, strlen(text), "<mem>", e);
	char path[] = "/tmp/serenity-test-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	FILE *f = fdopen(fd, "wb");
	fwrite(text, 1, strlen(text), f);
	fclose(f);
	Graph *g = gf_read(path, e);
	/* Messages name the file: make them comparable with the memory case. */
	if (!g) {
		char *p = strstr(e->msg, path);
		if (p) {
			char rest[NERRMSG];
			snprintf(rest, sizeof rest, "%s", p + strlen(path));
			memcpy(e->msg, "<mem>", 5);
			snprintf(e->msg + 5, sizeof e->msg - 5, "%.*s", (int)(sizeof e->msg - 6), rest);
		}
	}
	unlink(path);
	return g;
}

Graph *tu_graph(const char *text)
{
	Err e;
	Graph *g = tu_parse(text, false, &e);
	if (!g)
		fail_msg("%s", e.msg);
	return g;
}

void tu_random_order(const Graph *g, uint64_t seed, int *order)
{
	int n = g->nops;
	int *deg = calloc(n, sizeof *deg);
	int *ready = malloc(n * sizeof *ready);
	int nready = 0;
	for (int o = 0; o < n; o++)
		for (int i = 0; i < g->ops[o].nin; i++) {
			bool dup = false;
			for (int j = 0; j < i; j++)
				dup |= g->ops[o].in[j] == g->ops[o].in[i];
			deg[o] += !dup;
		}
	for (int o = 0; o < n; o++)
		if (!deg[o])
			ready[nready++] = o;
	uint64_t s = seed;
	for (int k = 0; k < n; k++) {
		int pick = (int)rng_below(&s, nready);
		int o = ready[pick];
		ready[pick] = ready[--nready];
		order[k] = o;
		const Tensor *t = &g->tensors[g->ops[o].out[0]];
		for (int i = 0; i < t->ncons; i++)
			if (--deg[t->cons[i]] == 0)
				ready[nready++] = t->cons[i];
	}
	free(deg);
	free(ready);
}

bool tu_is_topological(const Graph *g, const int *order, int n)
{
	if (n != g->nops)
		return false;
	int *pos = malloc(n * sizeof *pos);
	for (int i = 0; i < n; i++)
		pos[i] = -1;
	bool ok = true;
	for (int i = 0; i < n && ok; i++) {
		if (order[i] < 0 || order[i] >= n || pos[order[i]] >= 0)
			ok = false;
		else
			pos[order[i]] = i;
	}
	for (int o = 0; o < n && ok; o++)
		for (int i = 0; i < g->ops[o].nin; i++)
			if (pos[g->tensors[g->ops[o].in[i]].producer] >= pos[o])
				ok = false;
	free(pos);
	return ok;
}
