/* fuzz_onnx.c: libFuzzer target for the ONNX reader (onnx_import.c,
 * onnx_lower.c).  Every input must give a graph that verifies, schedules and
 * exports, or a one-line error that names the file; never a crash, a leak
 * or undefined behaviour.  Seeds: the zoo exported to ONNX (tests/fuzz.sh). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "onnx_import.h"
#include "sched.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	Err e;
	Graph *g = onnx_import_mem("fuzz", data, size, NULL, &e);
	if (!g) {
		if (strncmp(e.msg, "fuzz", 4) != 0 || strchr(e.msg, '\n'))
			abort();
		return 0;
	}
	if (ir_verify(g, &e))
		abort();
	int *order = malloc(g->nops * sizeof *order);
	sched_dfs(g, order);
	if (mem_check_order(g, order, g->nops, &e) || mem_peak(g, order, NULL) < 0)
		abort();
	free(order);
	ir_free(g);
	return 0;
}
