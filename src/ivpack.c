/* ivpack.c: weighted interval packing as a min-cost flow.
 *
 * The constraint matrix (steps x intervals, a one where an interval covers
 * a step) has consecutive ones in every column, so the linear program has
 * an integral optimum and is a flow problem: nodes 0..steps, a chain edge
 * s -> s+1 of capacity cap and cost 0 per step, and an edge first ->
 * last+1 of capacity iv.cap and cost -gain per interval.  cap units flow
 * from node 0 to node steps; across the cut before step s+1 the chain edge
 * and the interval edges covering s carry exactly cap units, so the amounts
 * on the interval edges are a packing, and a minimum-cost flow is a best
 * one.
 *
 * Successive shortest paths: every edge goes forward, so the first
 * potentials are distances in the DAG; then Dijkstra on reduced costs
 * (non-negative with the potentials), pushing the bottleneck of the
 * cheapest path each time, until the cheapest path gains nothing (the rest
 * of the flow takes the chain) or all cap units flow.  Each path costs a
 * Dijkstra, O((steps + n) log), and there can be as many paths as
 * intervals: superlinear, so ivpack_until stops at a deadline.
 */
#include "ivpack.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"

typedef struct Edge {
	int to, next;  /* next edge out of the same node */
	int64_t cap;   /* residual */
	int64_t cost;
} Edge;

typedef struct Net {
	Edge *e;
	int ne, *head, nodes;
} Net;

static void add(Net *g, int u, int v, int64_t cap, int64_t cost)
{
	g->e[g->ne] = (Edge){v, g->head[u], cap, cost};
	g->head[u] = g->ne++;
	g->e[g->ne] = (Edge){u, g->head[v], 0, -cost};
	g->head[v] = g->ne++;
}

/* A binary heap of (distance, node). */
typedef struct Heap {
	int64_t *d;
	int *v, n;
} Heap;

static void heap_push(Heap *h, int64_t d, int v)
{
	int i = h->n++;
	while (i > 0 && h->d[(i - 1) / 2] > d) {
		h->d[i] = h->d[(i - 1) / 2];
		h->v[i] = h->v[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h->d[i] = d;
	h->v[i] = v;
}

static int heap_pop(Heap *h, int64_t *d)
{
	int top = h->v[0];
	*d = h->d[0];
	int64_t ld = h->d[--h->n];
	int lv = h->v[h->n], i = 0;
	for (;;) {
		int c = 2 * i + 1;
		if (c >= h->n)
			break;
		if (c + 1 < h->n && h->d[c + 1] < h->d[c])
			c++;
		if (h->d[c] >= ld)
			break;
		h->d[i] = h->d[c];
		h->v[i] = h->v[c];
		i = c;
	}
	h->d[i] = ld;
	h->v[i] = lv;
	return top;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int64_t ivpack(const Interval *iv, int n, int steps, int64_t cap, int64_t *x)
{
	return ivpack_until(iv, n, steps, cap, 0, x);
}

int64_t ivpack_until(const Interval *iv, int n, int steps, int64_t cap, double deadline,
		     int64_t *x)
{
	memset(x, 0, (size_t)n * sizeof *x);
	if (steps <= 0 || cap <= 0 || n <= 0)
		return 0;
	Net g = {xcalloc(2 * ((size_t)steps + (size_t)n), sizeof *g.e), 0,
		 xcalloc((size_t)steps + 1, sizeof *g.head), steps + 1};
	for (int s = 0; s <= steps; s++)
		g.head[s] = -1;
	for (int s = 0; s < steps; s++)
		add(&g, s, s + 1, cap, 0);
	int *edge_of = xcalloc((size_t)n, sizeof *edge_of);
	for (int i = 0; i < n; i++) {
		edge_of[i] = -1;
		if (iv[i].cap > 0 && iv[i].gain > 0) {
			edge_of[i] = g.ne;
			add(&g, iv[i].first, iv[i].last + 1, iv[i].cap, -iv[i].gain);
		}
	}
	const int64_t inf = INT64_MAX / 4;
	int64_t *pot = xcalloc((size_t)g.nodes, sizeof *pot);
	int64_t *dist = xcalloc((size_t)g.nodes, sizeof *dist);
	int *via = xcalloc((size_t)g.nodes, sizeof *via);
	Heap h = {xcalloc((size_t)g.ne + 1, sizeof *h.d), xcalloc((size_t)g.ne + 1, sizeof *h.v), 0};
	for (int s = 1; s < g.nodes; s++) /* DAG distances: nodes in order, edges forward */
		pot[s] = inf;
	for (int u = 0; u < g.nodes; u++)
		for (int k = g.head[u]; k >= 0 && pot[u] < inf; k = g.e[k].next)
			if (g.e[k].cap > 0 && pot[u] + g.e[k].cost < pot[g.e[k].to])
				pot[g.e[k].to] = pot[u] + g.e[k].cost;
	int64_t flow = 0, gain = 0;
	while (flow < cap) {
		if (deadline > 0 && now_s() > deadline) {
			gain = -1; /* out of time: no packing */
			break;
		}
		for (int s = 0; s < g.nodes; s++)
			dist[s] = inf;
		dist[0] = 0;
		h.n = 0;
		heap_push(&h, 0, 0);
		while (h.n) {
			int64_t d;
			int u = heap_pop(&h, &d);
			if (d > dist[u])
				continue;
			for (int k = g.head[u]; k >= 0; k = g.e[k].next) {
				const Edge *ed = &g.e[k];
				int64_t nd = d + ed->cost + pot[u] - pot[ed->to];
				if (ed->cap > 0 && nd < dist[ed->to]) {
					dist[ed->to] = nd;
					via[ed->to] = k;
					heap_push(&h, nd, ed->to);
				}
			}
		}
		if (dist[steps] >= inf)
			break;
		for (int s = 0; s < g.nodes; s++)
			if (dist[s] < inf)
				pot[s] += dist[s];
		int64_t unit = pot[steps] - pot[0]; /* cost of the path per unit */
		if (unit >= 0)
			break; /* the rest goes along the chain */
		int64_t push = cap - flow;
		for (int v = steps; v != 0; v = g.e[via[v] ^ 1].to)
			push = g.e[via[v]].cap < push ? g.e[via[v]].cap : push;
		for (int v = steps; v != 0; v = g.e[via[v] ^ 1].to) {
			g.e[via[v]].cap -= push;
			g.e[via[v] ^ 1].cap += push;
		}
		flow += push;
		gain -= unit * push;
	}
	for (int i = 0; i < n && gain >= 0; i++)
		if (edge_of[i] >= 0)
			x[i] = g.e[edge_of[i] ^ 1].cap; /* the reverse edge holds the flow */
	free(h.d);
	free(h.v);
	free(via);
	free(dist);
	free(pot);
	free(edge_of);
	free(g.head);
	free(g.e);
	return gain;
}
