/* pipeline.c: the compiler driver.  Each stage is a call; what it needs is
 * recomputed explicitly; the IR verifier runs between the graph stages. */
#include "pipeline.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calib.h"
#include "cleanup.h"
#include "mem.h"
#include "output.h"
#include "model.h"
#include "ptq.h"
#include "quant.h"
#include "ref.h"
#include "ref_float.h"
#include "sched_refine.h"

/* Removes the run files of a temporary RTL directory, then it. */
static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

CostModel pipeline_cost_model(const Config *c)
{
	return (CostModel){.sram_bytes = c->sram_bytes,
			   .banks = c->sram_banks,
			   .bank_bytes = c->sram_bank_bytes,
			   .window = cfg_window(c),
			   .wbuf_bytes = c->wbuf_bytes,
			   .rd_bpc = c->dma_read_bpc,
			   .wr_bpc = c->dma_write_bpc,
			   .dram_latency = c->dram_latency,
			   .mac_rows = c->mac_rows,
			   .mac_cols = c->mac_cols,
			   .vector_width = c->vector_width,
			   .max_burst = NPU_MAXB,
			   .outstanding = NPU_NOUT,
			   .fetch_slots = NPU_IQ};
}

int pipeline_plan(const Graph *g, const Config *c, const int *order, double deadline,
		  OffchipPlan *p, int64_t *stage, Err *e)
{
	*stage = 0;
	if (offchip_plan_until(g, order, c->sram_bytes, c->sram_align, deadline, p, e))
		return -1;
	if (!npu_needs_staging(g, order, p))
		return 0;
	/* some operand is in DRAM at its step: plan below a staging area */
	CostModel m = pipeline_cost_model(c);
	int64_t st = npu_stage_bytes(g, &m, c->sram_align, e);
	offchip_free(p);
	if (st <= 0 || offchip_plan_until(g, order, c->sram_bytes - (st & ~(int64_t)1), c->sram_align,
					  deadline, p, e))
		return -1;
	*stage = st;
	return 0;
}

int64_t *pipeline_objective(const Config *c, const Graph *g, DpOpts *dp)
{
	if (dp->objective == DP_PEAK)
		return NULL;
	CostModel m = pipeline_cost_model(c);
	int64_t *opc = malloc((g->nops ? g->nops : 1) * sizeof *opc);
	if (!opc)
		abort();
	for (int o = 0; o < g->nops; o++)
		opc[o] = cost_op_cycles(&m, g, o);
	dp->sram_bytes = c->sram_bytes;
	dp->dma_bpc = c->dma_read_bpc < c->dma_write_bpc ? c->dma_read_bpc : c->dma_write_bpc;
	dp->op_cycles = opc;
	return opc;
}

int64_t pipeline_traffic(const Graph *g, const Config *c, const int *order, Err *e)
{
	OffchipPlan p;
	int64_t stage;
	if (pipeline_plan(g, c, order, 0, &p, &stage, e))
		return -1;
	int64_t t = offchip_read_bytes(&p) + offchip_write_bytes(&p);
	offchip_free(&p);
	return t;
}

enum { REFINE_ROUNDS = 8, REFINE_EVALS = 1500 };
#define REFINE_SECONDS 0.5 /* a round at most */

int pipeline_pick_traffic(const Graph *g, const Config *c, const DpOpts *dp, Schedule *s,
			  Err *e)
{
	int n = g->nops, compared = 1;
	int *cand = xmalloc((size_t)n * sizeof *cand);
	int64_t best = pipeline_traffic(g, c, s->order, e);
	for (int k = 0; best >= 0 && k < 4; k++) {
		DpStats st;
		DpOpts peak = *dp;
		peak.objective = DP_PEAK;
		peak.op_cycles = NULL;
		if (k == 0 && sched_dp(g, &peak, cand, &st, e))
			break;
		if (k == 1)
			sched_file(g, cand);
		if (k == 2)
			sched_bfs(g, cand);
		if (k == 3)
			sched_dfs(g, cand);
		int64_t t = pipeline_traffic(g, c, cand, e);
		compared++;
		if (t >= 0 && t < best) {
			best = t;
			memcpy(s->order, cand, (size_t)n * sizeof *cand);
			s->optimal = false; /* not the proxy's optimum any more */
		}
	}
	/* the best of them, refined for the planner's packing by local search:
	 * the estimate it follows leaves out rounding and placement, so the
	 * plan itself decides, after every round */
	memcpy(cand, s->order, (size_t)n * sizeof *cand);
	for (int k = 0; best >= 0 && k < REFINE_ROUNDS; k++) {
		if (dp->deadline > 0 && sched_clock() > dp->deadline)
			break; /* out of time: the best so far */
		sched_refine_traffic(g, cand, c->sram_bytes, REFINE_EVALS, REFINE_SECONDS,
				     (uint64_t)k + 1);
		int64_t t = pipeline_traffic(g, c, cand, e);
		compared++;
		if (t >= 0 && t < best) {
			best = t;
			memcpy(s->order, cand, (size_t)n * sizeof *cand);
			s->optimal = false;
		}
	}
	free(cand);
	if (best < 0)
		return -1;
	s->peak = mem_peak(g, s->order, NULL);
	return compared;
}

/* Graph outputs of the original, by name, against the DRAM the program
 * left them in. */
static void check(PipeResult *r, const RefValues *given, const uint8_t *dram, Err *e)
{
	RefValues own = {0};
	const RefValues *ref = given;
	r->bit_exact = false;
	r->outputs_compared = 0;
	r->first_diff = NULL;
	if (!ref) {
		if (ref_run(r->original, &own, e))
			return;
		ref = &own;
	}
	bool same = true;
	for (int t = 0; t < r->original->ntensors; t++) {
		const Tensor *tt = &r->original->tensors[t];
		if (!tt->output)
			continue;
		int u = ir_find(r->graph, tt->name);
		bool eq = u >= 0 && r->prog.tensor_dram[u] >= 0 &&
			  memcmp(dram + r->prog.tensor_dram[u], ref->val[t], tt->bytes) == 0;
		if (!eq && !r->first_diff)
			r->first_diff = tt->name;
		same &= eq;
		r->outputs_compared++;
	}
	r->bit_exact = same && r->outputs_compared > 0;
	ref_free(&own);
}

int pipeline_quantize(Graph **g, Graph **float_graph, uint64_t seed, bool perchannel,
		      const char *calib, PtqProgress *progress, double *sqnr_db, Err *e)
{
	if (ir_materialize(*g, e)) /* weights of one value, kept as that until now */
		return -1;
	if (!reff_has_float(*g)) {
		if (calib) /* nothing to calibrate against */
			return err_set(e, "%s: --calib needs a float model (ONNX)", calib);
		return perchannel ? quant_model_perchannel(*g, seed, e) : quant_model(*g, seed, e);
	}
	Calib c = {0};
	if (calib && calib_read(calib, *g, &c, e))
		return -1;
	PtqOpts po = {c.nsamples, (const float *const *const *)c.x, progress};
	Graph *q = ptq_quantize(*g, &po, e);
	/* on the same samples as calibration, while they are at hand; not when
	 * some op kept no int8 form (a Clip that did not fuse): the caller's
	 * pipeline_npu_check names those, in its form */
	Err unrun;
	if (q && sqnr_db && !pipeline_npu_check(q, "", true, &unrun) &&
	    ptq_sqnr(*g, q, &po, sqnr_db, e)) {
		ir_free(q);
		q = NULL;
	}
	calib_free(&c);
	if (!q)
		return -1;
	if (float_graph)
		*float_graph = *g;
	else
		ir_free(*g);
	*g = q;
	return 0;
}

/* The kinds after OP_ACT come from ONNX models only; an ONNX op outside the
 * IR is opaque (plain graph files, all opaque, are refused later by the
 * reference interpreter, node by node). */
static bool npu_runs(const Op *op, bool quantized)
{
	/* before quantization, Clip(0, hi) may yet fuse into its producer */
	if (!quantized && op->kind == OP_ACT && op->act == ACT_CLIP)
		return true;
	return op->kind < OP_ACT && !(op->kind == OP_OPAQUE && op->otype);
}

/* The op's type as the model names it: ONNX's op_type, else the IR kind. */
static const char *op_type(const Op *op)
{
	return op->otype ? op->otype : ir_kind_name(op->kind);
}

/* Appends the formatted piece to msg (n bytes used of size) when it fits
 * whole, with `spare` bytes left over; false, msg unchanged, when not: a
 * node name is shown whole or not at all, so it can be searched for. */
static bool SY_PRINTF(5, 6) append(char *msg, size_t size, size_t *n, size_t spare,
				   const char *fmt, ...)
{
	char piece[NERRMSG];
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(piece, sizeof piece, fmt, ap);
	va_end(ap);
	if (k < 0 || (size_t)k >= sizeof piece || *n + (size_t)k + spare >= size)
		return false;
	memcpy(msg + *n, piece, (size_t)k + 1);
	*n += (size_t)k;
	return true;
}

int pipeline_npu_check(const Graph *g, const char *model, bool quantized, Err *e)
{
	enum { NAMES = 3, SPARE = 8 }; /* node names shown per op type; room for " ..." */
	char msg[NERRMSG] = "";
	size_t n = 0;
	bool any = false, fits = append(msg, sizeof msg, &n, SPARE, "%s: the NPU cannot run:", model);
	/* one group per op type, in order of first appearance: its count, then
	 * the first few nodes */
	for (int o = 0; o < g->nops; o++) {
		const Op *op = &g->ops[o];
		bool first = !npu_runs(op, quantized);
		for (int p = 0; p < o && first; p++)
			first = npu_runs(&g->ops[p], quantized) ||
				strcmp(op_type(&g->ops[p]), op_type(op)) != 0;
		if (!first)
			continue;
		int k = 0;
		for (int q = o; q < g->nops; q++)
			k += !npu_runs(&g->ops[q], quantized) &&
			     strcmp(op_type(&g->ops[q]), op_type(op)) == 0;
		fits = fits && append(msg, sizeof msg, &n, SPARE, "%s %s (", any ? "," : "", op_type(op));
		if (k > 1)
			fits = fits && append(msg, sizeof msg, &n, SPARE, "%d: ", k);
		any = true;
		int shown = 0;
		for (int q = o; q < g->nops && shown < NAMES && fits; q++)
			if (!npu_runs(&g->ops[q], quantized) &&
			    strcmp(op_type(&g->ops[q]), op_type(op)) == 0)
				fits = append(msg, sizeof msg, &n, SPARE, "%s%s", shown++ ? ", " : "",
					      g->ops[q].name);
		fits = fits && append(msg, sizeof msg, &n, SPARE, "%s)", k > NAMES ? ", ..." : "");
	}
	if (!fits) /* what did not fit whole is left out */
		append(msg, sizeof msg, &n, 0, "%s", " ...");
	return any ? err_set(e, "%s", msg) : 0;
}

/* Op by op, fsim's results against the reference (PipeOpts.check_ops):
 * after an op's last instruction, its output as the plan places it (head
 * in SRAM, the rest in its DRAM home) must be the reference's. */
typedef struct OpCheck {
	const PipeResult *r;
	const RefValues *ref;
	const uint8_t *dram;
	int *step;          /* per op: its step */
	const char *first;  /* the first op whose output differed */
} OpCheck;

static void check_op(void *ctx, size_t k, const uint8_t *sram)
{
	OpCheck *c = ctx;
	const PipeResult *r = c->r;
	const NpuProgram *p = &r->prog;
	int o = p->insn_op[k];
	if (c->first || o < 0 || (k + 1 < p->ninsn && p->insn_op[k + 1] == o))
		return;
	int y = r->graph->ops[o].out[0], u = ir_find(r->original, r->graph->tensors[y].name);
	if (u < 0 || r->graph->tensors[y].dtype != DT_I8)
		return;
	int seg = offchip_seg_at(&r->plan, y, c->step[o]);
	int64_t n = r->graph->tensors[y].bytes, head = seg >= 0 ? r->plan.head[y] : 0;
	const uint8_t *want = c->ref->val[u];
	if ((head && memcmp(sram + r->plan.seg[seg].offset, want, (size_t)head)) ||
	    (head < n && memcmp(c->dram + p->tensor_dram[y] + head, want + head, (size_t)(n - head))))
		c->first = r->graph->ops[o].name;
}

int pipeline_run(const PipeOpts *o, PipeResult *r, Err *e)
{
	memset(r, 0, sizeof *r);
	uint8_t *dram = NULL;
	Graph *g = (Graph *)o->preloaded;
	if (!g) {
		g = model_load_opts(o->model, o->onnx, e);           /* import */
		r->original = g;
		r->owns_original = true;
		if (!g || pipeline_npu_check(g, o->model, false, e) || /* NPU ops only */
		    pipeline_quantize(&r->original, &r->float_graph, o->seed, /* quantize */
				      o->perchannel, o->calib, o->calib_progress,
				      o->simulate ? &r->sqnr_db : NULL, e))
			goto fail;
		g = r->original;
		r->has_sqnr = r->float_graph && o->simulate;
	}
	r->original = g;
	if (pipeline_npu_check(g, o->model, true, e))                /* and after it */
		goto fail;
	DpOpts dp = o->dp;
	dp.deadline = sched_dp_deadline(o->deadline, g->nops);
	r->graph = o->rewrite ? rw_apply(g, &dp, &r->rw, e) : g;     /* rewrite */
	if (!r->graph || ir_verify(r->graph, e))
		goto fail;
	int64_t *opc = pipeline_objective(&o->cfg, r->graph, &dp);
	int src = sched_run(r->graph, o->sched, &dp, r->graph->arena, &r->sched, e); /* schedule */
	free(opc);
	if (src || (o->sched == SCHED_DP && dp.objective != DP_PEAK &&
		    pipeline_pick_traffic(r->graph, &o->cfg, &dp, &r->sched, e) < 0))
		goto fail;
	CostModel m = pipeline_cost_model(&o->cfg);
	if (pipeline_plan(r->graph, &o->cfg, r->sched.order, o->deadline, &r->plan, &r->stage,
			  e)) /* plan */
		goto fail;
	if (npu_emit(r->graph, r->sched.order, &r->plan, &m, r->stage, &r->prog, e)) { /* emit */
		char msg[NERRMSG];
		snprintf(msg, sizeof msg, "%s", e->msg); /* "node X: why", of this model */
		err_set(e, "%s: %s", o->model, msg);
		goto fail;
	}
	if (!o->simulate)
		return 0;
	dram = malloc(r->prog.dram_bytes);                           /* simulate */
	if (!dram)
		abort();
	memcpy(dram, r->prog.dram, r->prog.dram_bytes);
	double t0 = now_s();
	OpCheck oc = {r, o->reference, dram, NULL, NULL};
	RefValues own = {0};
	if (o->check_ops) {
		if (!oc.ref && ref_run(r->original, &own, e))
			goto fail;
		oc.ref = oc.ref ? oc.ref : &own;
		oc.step = xmalloc((size_t)r->graph->nops * sizeof *oc.step);
		for (int k = 0; k < r->graph->nops; k++)
			oc.step[r->sched.order[k]] = k;
	}
	int frc = fsim_run_hooked(&m, r->prog.words, r->prog.nwords, dram, r->prog.dram_bytes,
				  &r->sim, o->check_ops ? check_op : NULL, &oc, e);
	free(oc.step);
	ref_free(&own);
	if (oc.first)
		fprintf(stderr, "serenity: fsim: op %s is the first whose output differs from the "
				"reference\n",
			oc.first);
	if (frc)
		goto fail;
	r->sim_seconds = now_s() - t0;
	if (o->rtl) {                                                /* simulate the RTL */
		char tmp[4096];
		const char *work = o->work;
		int slot = -1; /* removed on a signal too */
		if (!work && (slot = cleanup_tempdir("serenity-rtl-", rtl_work_files, tmp,
						     sizeof tmp, e)) < 0)
			goto fail;
		int rrc = rtl_run(&o->cfg, &r->prog, work ? work : tmp, o->trace, dram, &r->rtl, e);
		cleanup_remove(slot);
		if (rrc)
			goto fail;
	}
	check(r, o->reference, dram, e);                             /* check */
	free(dram);
	return 0;
fail:
	free(dram);
	pipeline_free(r);
	return -1;
}

void pipeline_free(PipeResult *r)
{
	offchip_free(&r->plan);
	npu_program_free(&r->prog);
	rtl_stats_free(&r->rtl);
	if (r->graph != r->original)
		ir_free(r->graph);
	if (r->owns_original)
		ir_free(r->original);
	ir_free(r->float_graph);
	memset(r, 0, sizeof *r);
}

static int write_words(FILE *f, const void *arg)
{
	const NpuProgram *p = arg;
	for (size_t i = 0; i < p->nwords; i++) {
		uint32_t w = p->words[i];
		unsigned char b[4] = {w & 0xff, (w >> 8) & 0xff, (w >> 16) & 0xff, w >> 24};
		fwrite(b, 1, 4, f);
	}
	return ferror(f) ? -1 : 0;
}

static int write_dram(FILE *f, const void *arg)
{
	const NpuProgram *p = arg;
	fwrite(p->dram, 1, p->dram_bytes, f);
	return ferror(f) ? -1 : 0;
}

typedef struct Both {
	const PipeResult *r;
} Both;

static int write_listing(FILE *f, const void *arg)
{
	const PipeResult *r = ((const Both *)arg)->r;
	npu_listing(&r->prog, r->graph, f);
	return ferror(f) ? -1 : 0;
}

static int write_memmap(FILE *f, const void *arg)
{
	const PipeResult *r = ((const Both *)arg)->r;
	npu_memmap(&r->prog, r->graph, &r->plan, f);
	return ferror(f) ? -1 : 0;
}

const char *const pipeline_files[] = {"stream.bin", "dram.bin", "stream.lst", "memmap.txt",
				     NULL};

int pipeline_check_dir(const char *dir, const char *const *inputs, Err *e)
{
	return out_check_dir(dir, pipeline_files, inputs, e);
}

int pipeline_write(const PipeResult *r, const char *dir, Err *e)
{
	Both b = {r};
	const OutWriter w[] = {write_words, write_dram, write_listing, write_memmap};
	const void *const args[] = {&r->prog, &r->prog, &b, &b};
	return out_write_dir(dir, pipeline_files, w, args, e);
}
