/* fuzz_graphfile.c: libFuzzer target for the plain graph format reader.
 * Every input must give a graph that verifies, or a one-line error that
 * names the file; never a crash, a leak or undefined behaviour. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graphfile.h"
#include "mem.h"
#include "sched.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	Err e;
	Graph *g = gf_parse((const char *)data, size, "fuzz", &e);
	if (!g) {
		if (strncmp(e.msg, "fuzz", 4) != 0 || strchr(e.msg, '\n'))
			abort();
		return 0;
	}
	if (ir_verify(g, &e))
		abort();
	/* What was read schedules and evaluates. */
	int *order = malloc(g->nops * sizeof *order);
	sched_dfs(g, order);
	if (mem_check_order(g, order, g->nops, &e) || mem_peak(g, order, NULL) < 0)
		abort();
	free(order);
	ir_free(g);
	return 0;
}
