/* pipeline.h: MODEL to command stream to simulated result, one stage after
 * another in one driver function (pipeline.c). */
#ifndef SERENITY_PIPELINE_H
#define SERENITY_PIPELINE_H

#include "config.h"
#include "emit.h"
#include "fsim.h"
#include "offchip.h"
#include "onnx_import.h"
#include "ptq.h"
#include "ref.h"
#include "rewrite.h"
#include "rtlsim.h"
#include "sched.h"
#include "sched_dp.h"

typedef struct PipeOpts {
	const char *model;
	const OnnxOpts *onnx; /* the importer's options, or NULL */
	Config cfg;
	SchedKind sched;
	bool rewrite;
	DpOpts dp;
	double deadline;    /* sched_clock() seconds, 0: none: the run ends by it (the
	                     * search gets what the later stages do not need) */
	bool simulate;      /* run fsim and check against the reference */
	bool rtl;           /* also run the RTL, and check its result instead */
	const char *work;   /* rtl: where its files go (NULL: a temporary directory) */
	const char *trace;  /* rtl: FST waveform file, or NULL */
	uint64_t seed;      /* weights */
	bool perchannel;    /* calibrate conv and fc per output channel */
	bool check_ops;     /* fsim: compare every op's output with the reference, report
	                     * the first that differs on stderr (debugging) */
	const char *calib;  /* float models: calibration inputs (calib.h), or NULL */
	PtqProgress *calib_progress; /* float models: calibration progress, or NULL */
	/* For sweeps: a graph already imported and quantized, and its
	 * reference values, used instead of importing again (not owned). */
	const Graph *preloaded;
	const RefValues *reference;
} PipeOpts;

typedef struct PipeResult {
	Graph *original;    /* as imported and quantized: the reference runs this
	                     * (opts.preloaded when given: then not owned) */
	bool owns_original;
	Graph *graph;       /* what was compiled (rewritten or not) */
	Schedule sched;
	RwStats rw;
	OffchipPlan plan;
	int64_t stage;      /* SRAM bytes of the staging area the plan left at the top */
	NpuProgram prog;
	FsimStats sim;
	double sim_seconds;
	RtlStats rtl;       /* when opts.rtl */
	bool bit_exact;
	int outputs_compared;
	const char *first_diff; /* output that differed, or NULL */
	Graph *float_graph; /* a float model as imported (owned), before ptq.c
	                     * made original of it; NULL for int8 models */
	bool has_sqnr;      /* float model, simulated: sqnr_db is set */
	double sqnr_db;     /* int8 reference against float (ptq_sqnr, in
	                     * the quantize stage, on its samples) */
} PipeResult;

/* import -> quantize (ptq.c for float models) -> rewrite -> schedule -> plan -> emit [-> simulate
 * -> check]; on failure e says where and *r holds nothing to free. */
int pipeline_run(const PipeOpts *o, PipeResult *r, Err *e);
/* Refuses a graph with ops the NPU cannot run (those only ONNX models make)
 * in one message: "MODEL: the NPU cannot run: Sigmoid (n1, n2), Mul (n3)".
 * Before quantization (quantized false) Clips pass: quantization may fuse
 * Clip(0, hi) into the op before it; so it runs before and after. */
int pipeline_npu_check(const Graph *g, const char *model, bool quantized, Err *e);
void pipeline_free(PipeResult *r);

/* The quantize stage: post-training quantization (ptq.c) of a float model,
 * on the inputs in directory calib (calib.h) or deterministic ones when it
 * is NULL, *g becoming the int8 graph and the float one kept in
 * *float_graph (or freed when float_graph is NULL); progress, if not NULL,
 * is told of each calibration sample; with sqnr_db, also
 * ptq_sqnr on the same calib inputs (held-out ones without).  quant_model
 * (per channel with perchannel) for other models, sqnr_db untouched.  On
 * failure *g is as it was. */
int pipeline_quantize(Graph **g, Graph **float_graph, uint64_t seed, bool perchannel,
		      const char *calib, PtqProgress *progress, double *sqnr_db, Err *e);

/* The files compile writes into its directory (NULL-terminated). */
extern const char *const pipeline_files[];
/* Writes stream.bin, dram.bin, stream.lst and memmap.txt as dir, the set
 * whole or not at all: dir is replaced as a whole (out_write_dir), so it
 * may hold only these files; pipeline_check_dir tells beforehand. */
int pipeline_check_dir(const char *dir, const char *const *inputs, Err *e);
int pipeline_write(const PipeResult *r, const char *dir, Err *e);

/* The cost model of a config. */
CostModel pipeline_cost_model(const Config *c);
/* The off-chip plan of order[] on c: with the whole SRAM when no operand
 * of any op is then in DRAM; else below a staging area (npu_stage_bytes,
 * *stage) that the emitter stages DRAM operands through.  Its methods stop
 * at deadline (sched_clock() seconds, 0: none; offchip_plan_until). */
int pipeline_plan(const Graph *g, const Config *c, const int *order, double deadline,
		  OffchipPlan *p, int64_t *stage, Err *e);

/* DRAM bytes (read and written) the off-chip plan of order[] moves on c,
 * or -1 with e set. */
int64_t pipeline_traffic(const Graph *g, const Config *c, const int *order, Err *e);
/* For the traffic and cycles objectives: among the dp order in s, the
 * peak-optimal order and the baselines, keeps in s the one the off-chip
 * planner moves the fewest DRAM bytes for (the dp objective is a proxy of
 * that planner).  Returns how many orders it compared. */
int pipeline_pick_traffic(const Graph *g, const Config *c, const DpOpts *dp, Schedule *s,
			  Err *e);

/* Fills what dp->objective needs from the config and g (SRAM size, DMA
 * bandwidth, each op's compute cycles); returns the per-op array the
 * caller frees after scheduling (NULL for the peak objective). */
int64_t *pipeline_objective(const Config *c, const Graph *g, DpOpts *dp);

#endif
