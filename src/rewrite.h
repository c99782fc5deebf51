/* rewrite.h: identity graph rewrites (the Serenity paper, section 3.3).
 *
 * Each rewrite returns a new graph computing the same bits; rw_apply keeps
 * a rewrite only where it lowers the dp-scheduled peak. */
#ifndef SERENITY_REWRITE_H
#define SERENITY_REWRITE_H

#include "ir.h"
#include "sched_dp.h"

typedef enum RwKind {
	RW_CHANNEL, /* concat -> conv: partial convolutions per concat input */
	RW_KERNEL,  /* concat -> depthwise conv: depthwise per input, then concat */
	NRW
} RwKind;

typedef struct RwStats {
	int applied[NRW];
	int tried;
	int64_t peak_before, peak_after; /* dp peaks */
} RwStats;

const char *rw_name(RwKind k);

/* Whether rewrite k applies to the concat op c of g (linked): every reader
 * of the concat is a convolution of the right kind, directly or through a
 * ReLU whose readers all are; the concat is no graph output. */
bool rw_applies(const Graph *g, RwKind k, int c);

/* The rewritten graph (linked, verified, weights sliced when g has them). */
Graph *rw_channel(const Graph *g, int c, Err *e);
Graph *rw_kernel(const Graph *g, int c, Err *e);

/* For the rewrite files: rebuilds g without the concat c.  Each ReLU that
 * reads the concat becomes one ReLU per concat input, and each convolution
 * reading the concat (or such a ReLU) is replaced by what emit() makes from
 * the parts (the concat inputs, or their ReLUs) and their channel offsets;
 * emit returns the tensor that stands for the convolution's output. */
typedef int (*RwEmit)(Graph *f, const Graph *g, int conv, const int *parts, const int *c0,
		      int nparts);
Graph *rw_rebuild(const Graph *g, int c, RwEmit emit, Err *e);

/* Applies, concat by concat, every rewrite that lowers the dp-scheduled
 * peak, until none does.  Returns the final graph (a copy of g if none
 * helped). */
Graph *rw_apply(const Graph *g, const DpOpts *dp, RwStats *st, Err *e);

/* Applies every rewrite that matches, whatever it does to the peak (for
 * checking that all of them keep the bits). */
Graph *rw_apply_all(const Graph *g, RwStats *st, Err *e);

#endif
