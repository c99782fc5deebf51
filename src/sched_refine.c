/* sched_refine.c: an order improved for DRAM traffic by local search.
 *
 * dp's traffic objective is a proxy (the bytes over the SRAM, step by
 * step); the off-chip planner's partial residency packs the tensors'
 * bytes exactly.  Starting from a given order, one op at a time moves to
 * another place between its last producer and its first consumer, and
 * the move stays when offchip_estimate (the packing's optimum for the
 * order) does not get worse: a random walk over orders of equal estimate,
 * downhill whenever it can.  The generator is seeded, so the same inputs
 * give the same order (unless the time runs out first); the search stops
 * after `evals` estimates or `seconds` of wall time.
 */
#include "sched_refine.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "offchip.h"

static uint64_t next(uint64_t *r)
{
	*r ^= *r << 13;
	*r ^= *r >> 7;
	*r ^= *r << 17;
	return *r;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Moves the op at position i to position j, shifting those between. */
static void move(int *order, int *pos, int i, int j)
{
	int v = order[i];
	if (i < j)
		memmove(order + i, order + i + 1, (size_t)(j - i) * sizeof *order);
	else
		memmove(order + j + 1, order + j, (size_t)(i - j) * sizeof *order);
	order[j] = v;
	for (int k = i < j ? i : j; k <= (i < j ? j : i); k++)
		pos[order[k]] = k;
}

/* The places op v may go: after its producers, before its consumers. */
static void window(const Graph *g, const int *pos, int v, int *lo, int *hi)
{
	const Op *op = &g->ops[v];
	*lo = 0;
	*hi = g->nops - 1;
	for (int k = 0; k < op->nin; k++) {
		int p = pos[g->tensors[op->in[k]].producer];
		*lo = p + 1 > *lo ? p + 1 : *lo;
	}
	for (int k = 0; k < op->nout; k++) {
		const Tensor *t = &g->tensors[op->out[k]];
		for (int j = 0; j < t->ncons; j++) {
			int p = pos[t->cons[j]];
			*hi = p - 1 < *hi ? p - 1 : *hi;
		}
	}
}

int64_t sched_refine_traffic(const Graph *g, int *order, int64_t sram_bytes, int evals,
			     double seconds, uint64_t seed)
{
	int n = g->nops;
	int64_t best = offchip_estimate(g, order, sram_bytes);
	if (n < 3)
		return best;
	int *pos = xcalloc((size_t)n, sizeof *pos);
	for (int i = 0; i < n; i++)
		pos[order[i]] = i;
	uint64_t r = seed * 0x9e3779b97f4a7c15u + 1; /* never 0 */
	double stop = now() + seconds;
	for (int k = 0; k < evals && now() < stop; k++) {
		int i = (int)(next(&r) % (uint64_t)n), lo, hi;
		window(g, pos, order[i], &lo, &hi);
		if (hi <= lo)
			continue;
		int j = lo + (int)(next(&r) % (uint64_t)(hi - lo + 1));
		if (j == i)
			continue;
		move(order, pos, i, j);
		int64_t t = offchip_estimate(g, order, sram_bytes);
		if (t <= best)
			best = t;
		else
			move(order, pos, j, i);
	}
	free(pos);
	return best;
}
