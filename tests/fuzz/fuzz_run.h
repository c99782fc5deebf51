/* fuzz_run.h: what the `run` fuzzers share (fuzz_run_onnx.c,
 * fuzz_run_config.c): the run path after import, as pipeline_run takes
 * it, bounded so one input stays fast. */
#ifndef SERENITY_FUZZ_RUN_H
#define SERENITY_FUZZ_RUN_H

#include <stdlib.h>
#include <string.h>

#include "pipeline.h"

/* Work per input: small graphs, few MACs, a short DP, no RTL. */
enum { FUZZ_MAX_OPS = 64, FUZZ_MAX_MACS = 2000000, FUZZ_MAX_BYTES = 1 << 20 };

/* A one-line message, as the CLI prints it. */
static inline void fuzz_check_msg(const Err *e)
{
	if (!e->msg[0] || strchr(e->msg, '\n'))
		abort();
}

static inline bool fuzz_small(const Graph *g)
{
	int64_t bytes = 0;
	for (int t = 0; t < g->ntensors; t++)
		bytes += g->tensors[t].bytes;
	return g->nops <= FUZZ_MAX_OPS && ir_macs(g) <= FUZZ_MAX_MACS && bytes <= FUZZ_MAX_BYTES;
}

/* Schedules, plans, emits and runs q (quantized, owned by the caller) on
 * fsim: an error is one line; a result must be bit-exact with the int8
 * reference. */
static inline void fuzz_run(const Graph *q, const Config *cfg, bool rewrite)
{
	PipeOpts po;
	memset(&po, 0, sizeof po);
	po.model = "fuzz";
	po.cfg = *cfg;
	po.sched = SCHED_DP;
	po.rewrite = rewrite;
	po.dp.time_limit_s = 0.2;
	po.seed = 1;
	po.simulate = true;
	po.preloaded = q;
	PipeResult r;
	Err e;
	if (pipeline_run(&po, &r, &e)) {
		fuzz_check_msg(&e);
		return;
	}
	if (!r.bit_exact)
		abort();
	pipeline_free(&r);
}

#endif
