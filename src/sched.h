/* sched.h: operator schedulers.  Each fills order[0..nops) with op indices
 * in execution order.  The baselines (sched_base.c) are the orders the
 * paper compares against; sched_dp.c finds the memory-optimal one. */
#ifndef SERENITY_SCHED_H
#define SERENITY_SCHED_H

#include "ir.h"

typedef enum SchedKind {
	SCHED_FILE, /* definition order: what TensorFlow Lite runs */
	SCHED_BFS,  /* Kahn's algorithm with a FIFO queue */
	SCHED_DFS,  /* depth-first: reverse post-order */
	SCHED_DP,   /* memory-optimal: sched_dp.c */
	NSCHED
} SchedKind;

typedef struct Schedule {
	int *order;          /* nops op indices, owned by the caller's arena */
	int n;
	int64_t peak;        /* under the paper memory model */
	int64_t lower_bound; /* proven: no order can peak lower */
	bool optimal;        /* peak proven minimal */
	double ms;           /* wall time of the scheduler */
	int64_t proven_lower_bound; /* dp: the bound its search proved */
	int64_t states;      /* dp: states stored */
	size_t state_bytes;  /* dp: largest state table */
	int pieces;          /* dp: pieces after divide and conquer */
	bool timed_out;
} Schedule;

typedef struct DpOpts DpOpts;

int sched_parse(const char *name, SchedKind *k);
const char *sched_name(SchedKind k);

void sched_file(const Graph *g, int *order);
void sched_bfs(const Graph *g, int *order);
void sched_dfs(const Graph *g, int *order);

/* Runs scheduler k on g (linked) into s, order allocated in arena a;
 * dp takes its options from dp (NULL: defaults). */
int sched_run(const Graph *g, SchedKind k, const DpOpts *dp, Arena *a, Schedule *s, Err *e);

/* Successors of every op in CSR form (off[nops+1], succ[off[nops]]), each
 * once, in definition order; malloc'd, for the caller to free. */
void sched_succs(const Graph *g, int **off, int **succ);

#endif
