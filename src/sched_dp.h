/* sched_dp.h: the memory-optimal scheduler (design in sched_dp.c). */
#ifndef SERENITY_SCHED_DP_H
#define SERENITY_SCHED_DP_H

#include <stddef.h>

#include "sched.h"

enum { NCUTS_MAXOPS = 1 << 14 }; /* divide and conquer up to this many ops */
#define DP_DEFAULT_STATE_BYTES ((size_t)1 << 30)

typedef struct DpProgress {
	int piece, npieces; /* piece being searched */
	int piece_ops;
	int64_t budget;     /* tau */
	int64_t floor;
	int64_t states;     /* stored so far, all pieces */
	double seconds;
} DpProgress;

typedef enum DpObjective {
	DP_PEAK,    /* peak bytes in use (the paper's) */
	DP_TRAFFIC, /* sum over steps of the bytes that do not fit sram_bytes */
	DP_CYCLES,  /* sum over steps of max(compute cycles, spill-and-reload cycles) */
	NDPOBJ
} DpObjective;

typedef struct DpOpts {
	DpObjective objective;
	int64_t sram_bytes;     /* traffic, cycles: the SRAM the overflow is measured against */
	int dma_bpc;            /* cycles: DMA bytes per cycle */
	const int64_t *op_cycles; /* cycles: compute cycles of every op */
	double time_limit_s;    /* 0: none */
	double deadline;        /* sched_clock() seconds, 0: none: the search also stops
	                         * here (a command's deadline less its later stages') */
	size_t max_state_bytes; /* state table cap per search; 0: default 1 GiB */
	bool no_split;          /* plain DP, no divide and conquer (tests) */
	void (*progress)(void *ctx, const DpProgress *p); /* called ~5 times a second */
	void *ctx;
} DpOpts;

typedef struct DpStats {
	int pieces;
	int budget_steps;       /* search runs, over all pieces */
	int64_t states;         /* states stored, over all runs */
	int64_t expanded;
	size_t peak_state_bytes;
	bool timed_out;
	bool optimal;           /* proven minimal in the objective */
	int64_t proven_lower_bound; /* in the objective's unit: peak bytes, bytes, cycles */
	int64_t objective_value;
	double seconds;
} DpStats;

/* CLOCK_MONOTONIC seconds: what deadlines are measured in. */
double sched_clock(void);

/* The search's deadline in a command that must end by deadline (0: none,
 * and 0 is returned): the stages after the search (placement, emission,
 * simulation, output) are set aside DP_RESERVE_US per op, at most half of
 * the time left. */
double sched_dp_deadline(double deadline, int nops);
#define DP_RESERVE_US 20.0

/* Fills order[0..nops) with a schedule of minimal peak (st->optimal), or,
 * out of time or memory, the best found with st->proven_lower_bound. */
int sched_dp(const Graph *g, const DpOpts *opts, int *order, DpStats *st, Err *e);

/* Ops (in definition order) that are an ancestor or a descendant of every
 * other op; cuts[] needs nops entries.  0 for graphs over NCUTS_MAXOPS. */
int sched_cuts(const Graph *g, int *cuts);

/* Largest over ops v of v's footprint plus the tensors live during v in
 * every order (made by an ancestor of v, read by a descendant or a graph
 * output); at least mem_lower_bound() and the graph outputs' bytes. */
int64_t sched_forced_bound(const Graph *g);

#endif
