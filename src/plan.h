/* plan.h: SRAM placement of buffers with known lifetimes, shaped like
 * TensorFlow Lite Micro's memory planner: add buffers, place them, read
 * offsets and the arena size; an overlap checker and a printable plan. */
#ifndef SERENITY_PLAN_H
#define SERENITY_PLAN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"
#include "ir.h"

typedef struct PlanBuf {
	int64_t size;   /* bytes */
	int first;      /* first step it is live */
	int last;       /* last step it is live (inclusive) */
	int64_t offset; /* set by plan_place; -1 before */
	int tensor;     /* graph tensor, or -1 */
} PlanBuf;

typedef enum PlanStrategy {
	PLAN_GREEDY_SIZE, /* TFLite Micro's GreedyMemoryPlanner: largest first, first fit */
	PLAN_BEST,        /* the best of several orders and fits (plan.c) */
	NPLAN
} PlanStrategy;

typedef struct Plan {
	PlanBuf *buf;
	int n, cap;
	int64_t align;  /* offsets and sizes rounded up to this (power of two) */
	int64_t arena;  /* bytes spanned by the placed buffers */
	int steps;      /* steps covered: max last + 1 */
	double deadline; /* CLOCK_MONOTONIC seconds, 0: none; past it no further
	                  * order is tried (plan.c) */
	bool fallback;  /* the strategy's orders stopped short (work budget or
	                 * deadline): the offsets are the earliest-first sweep's */
	int64_t work;   /* buffers and tree nodes the last placement visited
	                 * (for the complexity tests) */
} Plan;

void plan_init(Plan *p, int64_t align);
void plan_free(Plan *p);
int plan_add(Plan *p, int64_t size, int first, int last, int tensor);
void plan_place(Plan *p, PlanStrategy s);
/* For callers that place again and again until it fits: PLAN_BEST, but
 * past 600 buffers it stops as soon as the arena is at most limit and
 * skips the random orders. */
void plan_place_within(Plan *p, int64_t limit);
/* Earliest first, first fit, by the sweep (O(n log n)); a buffer that
 * would reach past limit is left out: offset -1. */
void plan_place_capped(Plan *p, int64_t limit);
/* 0 when no two buffers live at the same step share a byte. */
int plan_check(const Plan *p, Err *e);
/* Largest sum of (aligned) sizes live at one step: no placement beats it. */
int64_t plan_live_peak(const Plan *p);
void plan_print(const Plan *p, const Graph *g, FILE *f);

/* One buffer per tensor of g, with its lifetime under order[] (the paper
 * memory model's: from its producer's step to its last reader's; graph
 * outputs to the end).  Zero-byte tensors get no buffer. */
void plan_from_schedule(Plan *p, const Graph *g, const int *order);

const char *plan_strategy_name(PlanStrategy s);

#endif
