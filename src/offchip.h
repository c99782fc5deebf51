/* offchip.h: what lives in SRAM and what in DRAM, and when, for one order. */
#ifndef SERENITY_OFFCHIP_H
#define SERENITY_OFFCHIP_H

#include "ir.h"
#include "plan.h"

/* One stretch of a tensor's life in SRAM, at one offset.  Its events:
 * ALLOC before step first, then LOAD from DRAM when load (else the
 * producer, at step first, writes it), FREE after step last.  Between
 * two segments of a tensor it lives only in DRAM. */
typedef struct OffchipSeg {
	int tensor;
	int first, last;        /* steps it is in SRAM, inclusive */
	int64_t offset;         /* SRAM offset */
	bool load;              /* LOADed before step first (else produced there) */
} OffchipSeg;

typedef enum OffchipMethod {
	OFFCHIP_WHOLE, /* a tensor lives in SRAM for its whole life or never */
	OFFCHIP_SPLIT, /* live-range splitting: spill around the busy steps, reload */
	OFFCHIP_PART,  /* partial residency: a tensor's first channels in SRAM, the rest in DRAM */
	OFFCHIP_SWEEP, /* whole lives evicted by one sweep, O(n log n): the fallback */
} OffchipMethod;

/* Above this many tensors only the sweep runs: the other methods are
 * superlinear (offchip.c). */
#define OFFCHIP_EXACT_MAX 3000

typedef struct OffchipPlan {
	bool *in_sram;          /* per tensor: in SRAM at some step (has a segment) */
	int64_t *offset;        /* per tensor: SRAM offset of its first segment, or -1 */
	OffchipSeg *seg;        /* segments, by tensor, then by step */
	int nseg;
	int *seg_begin;         /* per tensor t: its segments are seg[seg_begin[t] .. seg_begin[t+1]) */
	bool *in_dram;          /* per tensor: has a DRAM copy (input, output, spilled, streamed) */
	bool *store;            /* per tensor: its head STOREd to DRAM right after its producer */
	int64_t *head;          /* per tensor: bytes its segments hold, its first channels (all
	                         * its bytes but under partial residency); the rest, its tail,
	                         * is in DRAM from its producer on, at the same offset in its
	                         * DRAM home (which holds all of it when it is not in SRAM) */
	int64_t arena;          /* SRAM bytes used by the placement */
	int64_t sram_bytes;     /* capacity planned for */
	int evicted;            /* tensors that go to DRAM beyond the compulsory */
	int reloads;            /* segments LOADed back (graph inputs' first load apart) */
	int streamed;           /* reads of a tensor straight from DRAM */
	int partial;            /* tensors held in part (head in SRAM, tail in DRAM) */
	OffchipMethod method;   /* which planner won */
	bool fallback;          /* methods stopped short (too many tensors, or out of time): the
	                         * best of those that finished and of the sweep */
	int64_t work;           /* sweep: uses, heap and tree nodes visited (complexity tests) */
	/* DRAM traffic, bytes */
	int64_t weight_read;    /* weights and biases (or per-channel tables), once per op */
	int64_t act_read;       /* activations read from DRAM */
	int64_t act_write;      /* activations written to DRAM */
	int64_t compulsory;     /* weights + graph inputs + graph outputs, once */
	int64_t floor;          /* no order, no plan moves fewer bytes (offchip_floor) */
} OffchipPlan;

/* Plans g under order[] for an SRAM of sram_bytes (offsets aligned to
 * align) with every method and keeps the one that moves the fewest bytes;
 * above OFFCHIP_EXACT_MAX tensors, with the sweep alone. */
int offchip_plan(const Graph *g, const int *order, int64_t sram_bytes, int64_t align,
		 OffchipPlan *p, Err *e);
/* The same, the methods stopping at deadline (CLOCK_MONOTONIC seconds, 0:
 * none, sched_clock()): then the plan is the best of those that finished
 * and of the sweep, p->fallback set. */
int offchip_plan_until(const Graph *g, const int *order, int64_t sram_bytes, int64_t align,
		       double deadline, OffchipPlan *p, Err *e);
/* The same with one method, whatever the size. */
int offchip_plan_with(const Graph *g, const int *order, int64_t sram_bytes, int64_t align,
		      OffchipMethod m, OffchipPlan *p, Err *e);
void offchip_free(OffchipPlan *p);
const char *offchip_method_name(OffchipMethod m); /* "whole", "split", "part", "sweep" */

int64_t offchip_read_bytes(const OffchipPlan *p);  /* weights + activations */
int64_t offchip_write_bytes(const OffchipPlan *p);
/* Activation traffic beyond the compulsory: spills, reloads, streaming. */
int64_t offchip_spill_bytes(const OffchipPlan *p);
/* A floor under the DRAM bytes (read and written, weights too) that any
 * order and any plan of g moves on an SRAM of sram_bytes: the weights,
 * and the larger of the graph's inputs and outputs once and the sum over
 * ops of what of their operands does not fit the SRAM while they run. */
int64_t offchip_floor(const Graph *g, int64_t sram_bytes);
/* The DRAM bytes (weights included) partial residency's packing promises
 * for order[]: its optimum before planes are rounded and buffers placed.
 * An estimate of what offchip_plan moves, fast enough to search orders
 * with. */
int64_t offchip_estimate(const Graph *g, const int *order, int64_t sram_bytes);
/* 0 when the segments lie within the SRAM and no two in SRAM at the same
 * step share a byte (plan_check), O(n log n). */
int offchip_check(const OffchipPlan *p, Err *e);
/* The segment of t that holds it in SRAM at step, or -1 (then it is in DRAM). */
int offchip_seg_at(const OffchipPlan *p, int t, int step);

#endif
