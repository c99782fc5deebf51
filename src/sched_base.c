/* sched_base.c: the baseline orders the paper compares against.
 *
 * file: definition order, the order TensorFlow Lite runs (its converter
 *       writes operators in the order the model code called them).
 * bfs:  Kahn's algorithm with a FIFO queue, sources in definition order:
 *       runs the graph level by level, keeping many branches alive.
 * dfs:  reverse post-order of a depth-first walk that visits successors in
 *       definition order: finishes one branch before starting the next.
 */
#include "sched.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mem.h"
#include "sched_dp.h"

static const char *names[NSCHED] = {[SCHED_FILE] = "file", [SCHED_BFS] = "bfs",
				    [SCHED_DFS] = "dfs", [SCHED_DP] = "dp"};

int sched_parse(const char *name, SchedKind *k)
{
	for (int i = 0; i < NSCHED; i++)
		if (strcmp(name, names[i]) == 0) {
			*k = (SchedKind)i;
			return 0;
		}
	return -1;
}

const char *sched_name(SchedKind k)
{
	return (unsigned)k < NSCHED ? names[k] : "?";
}

void sched_succs(const Graph *g, int **off_out, int **succ_out)
{
	int n = g->nops;
	int *off = xmalloc((n + 1) * sizeof *off);
	int *last = xmalloc(n * sizeof *last); /* last producer that listed op c */
	for (int o = 0; o < n; o++)
		last[o] = -1;
	off[0] = 0;
	for (int o = 0; o < n; o++) {
		int cnt = 0;
		for (int k = 0; k < g->ops[o].nout; k++) {
			const Tensor *t = &g->tensors[g->ops[o].out[k]];
			for (int i = 0; i < t->ncons; i++)
				if (last[t->cons[i]] != o) {
					last[t->cons[i]] = o;
					cnt++;
				}
		}
		off[o + 1] = off[o] + cnt;
	}
	int *succ = xmalloc(off[n] * sizeof *succ);
	for (int o = 0; o < n; o++)
		last[o] = -1;
	for (int o = 0; o < n; o++) {
		int w = off[o];
		for (int k = 0; k < g->ops[o].nout; k++) {
			const Tensor *t = &g->tensors[g->ops[o].out[k]];
			for (int i = 0; i < t->ncons; i++)
				if (last[t->cons[i]] != o) {
					last[t->cons[i]] = o;
					succ[w++] = t->cons[i];
				}
		}
		/* Several outputs may interleave consumers: keep definition order. */
		for (int i = off[o] + 1; i < w; i++)
			for (int j = i; j > off[o] && succ[j - 1] > succ[j]; j--) {
				int tmp = succ[j];
				succ[j] = succ[j - 1];
				succ[j - 1] = tmp;
			}
	}
	free(last);
	*off_out = off;
	*succ_out = succ;
}

/* Number of distinct producer ops feeding each op. */
static int *indegrees(const Graph *g, const int *off, const int *succ)
{
	int *deg = calloc(g->nops ? g->nops : 1, sizeof *deg);
	if (!deg)
		abort();
	for (int i = 0; i < off[g->nops]; i++)
		deg[succ[i]]++;
	return deg;
}

void sched_file(const Graph *g, int *order)
{
	for (int o = 0; o < g->nops; o++)
		order[o] = o;
}

void sched_bfs(const Graph *g, int *order)
{
	int *off, *succ;
	sched_succs(g, &off, &succ);
	int *deg = indegrees(g, off, succ);
	int head = 0, tail = 0;
	for (int o = 0; o < g->nops; o++)
		if (deg[o] == 0)
			order[tail++] = o;
	while (head < tail) {
		int o = order[head++];
		for (int i = off[o]; i < off[o + 1]; i++)
			if (--deg[succ[i]] == 0)
				order[tail++] = succ[i];
	}
	free(deg);
	free(off);
	free(succ);
}

void sched_dfs(const Graph *g, int *order)
{
	int n = g->nops;
	int *off, *succ;
	sched_succs(g, &off, &succ);
	char *seen = calloc(n ? n : 1, 1);
	int *stack = xmalloc(n * sizeof *stack); /* op being walked */
	int *next = xmalloc(n * sizeof *next);   /* its next successor, counting down */
	if (!seen)
		abort();
	/* Post-order fills order from the back, so order is the reverse
	 * post-order.  The walk starts at the sources; successors and sources
	 * are walked last-first so that the first branch in definition order
	 * ends up first. */
	int w = n;
	for (int r = n - 1; r >= 0; r--) {
		if (seen[r] || g->ops[r].nin)
			continue;
		int sp = 0;
		seen[r] = 1;
		stack[sp] = r;
		next[sp++] = off[r + 1];
		while (sp) {
			int o = stack[sp - 1];
			if (next[sp - 1] > off[o]) {
				int s = succ[--next[sp - 1]];
				if (!seen[s]) {
					seen[s] = 1;
					stack[sp] = s;
					next[sp++] = off[s + 1];
				}
			} else {
				order[--w] = o;
				sp--;
			}
		}
	}
	free(seen);
	free(stack);
	free(next);
	free(off);
	free(succ);
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int sched_run(const Graph *g, SchedKind k, const DpOpts *dp, Arena *a, Schedule *s, Err *e)
{
	DpStats st;
	memset(s, 0, sizeof *s);
	s->n = g->nops;
	s->order = arena_newvec(a, int, g->nops);
	double t0 = now_ms();
	switch (k) {
	case SCHED_FILE:
		sched_file(g, s->order);
		break;
	case SCHED_BFS:
		sched_bfs(g, s->order);
		break;
	case SCHED_DFS:
		sched_dfs(g, s->order);
		break;
	case SCHED_DP:
		if (sched_dp(g, dp, s->order, &st, e))
			return -1;
		break;
	default:
		return err_set(e, "unknown scheduler %d", (int)k);
	}
	s->ms = now_ms() - t0;
	if (mem_check_order(g, s->order, s->n, e))
		return -1;
	s->peak = mem_peak(g, s->order, NULL);
	s->lower_bound = mem_lower_bound(g);
	s->optimal = s->peak == s->lower_bound;
	s->proven_lower_bound = s->lower_bound;
	if (k == SCHED_DP) {
		s->optimal = st.optimal;
		s->proven_lower_bound = st.proven_lower_bound;
		s->states = st.states;
		s->state_bytes = st.peak_state_bytes;
		s->pieces = st.pieces;
		s->timed_out = st.timed_out;
	}
	return 0;
}
