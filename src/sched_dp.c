/* sched_dp.c: the memory-optimal schedule, by dynamic programming over
 * partial schedules (the Serenity paper, MLSys 2020), made exact and fast.
 *
 * States.  A state is the set S of ops already run: a downset of the DAG,
 * kept as a bitset and interned in a hash table.  Its live bytes follow
 * from the set: every tensor made in S (or coming from before the piece)
 * that is pinned (a graph output, or read after the piece) or still has a
 * reader outside S.  Running a ready op v from S costs
 *     step(S, v) = live(S) + out(v)
 * and the DP value of a state is the least peak of any path reaching it:
 *     g(S + v) = min over (S, v) of max(g(S), step(S, v)).
 * The order is rebuilt from back-pointers (parent state, op).
 *
 * Evaluation order.  The recurrence is a bottleneck shortest path, so it is
 * evaluated label-setting, like Dijkstra: states leave a heap in order of
 * g, and the first time the full set leaves it its g is the optimum.  Ties
 * go to the deepest state, so on a plateau of equal g the search dives to
 * the end instead of widening.  Only states with g below the optimum (and
 * the dive) are ever expanded; the paper's level-by-level DP expands every
 * state under its budget.
 *
 * Floor.  No order can peak below the lower bound L (largest footprint of
 * one op), nor, after divide and conquer, below the peak already proven for
 * another piece.  Values are compared as max(g, floor): below the floor all
 * states are equally good, and the search dives.
 *
 * Forced moves.  If a ready op v frees at least what it makes (out(v) <=
 * freed(S, v)) and step(S, v) <= max(g(S), floor), then some optimal
 * completion of S starts with v: moving v to the front of any completion
 * raises no later step (it adds out(v) and removes at least as much) and
 * its own step stays under the peak that completion has anyway.  Such a v
 * is the only transition taken from S.  This collapses chains (depthwise ->
 * pointwise, a branch's tail) without losing optimality.
 *
 * Adaptive soft budgeting.  States whose g exceeds a budget tau are pruned
 * (never stored).  tau starts just under the best heuristic order's peak
 * (file, bfs, dfs, greedy).  A run that finds the end is optimal.  A run
 * that exhausts its states proves the optimum above tau: tau is raised,
 * halfway to the best known order (whose peak is then proven optimal when
 * tau reaches it).  A run that hits the state cap lowers tau halfway to the
 * proven lower bound, so that fewer states survive, as in the paper.
 *
 * Divide and conquer.  An op that is an ancestor or a descendant of every
 * other op (a waist of an hourglass-shaped network) sits at the same step of
 * every order: the ops before it and after it never interleave.  The graph
 * is cut at every such op and each piece is scheduled alone, tensors that
 * cross a piece being pinned (read later) or live from the start (made
 * earlier).  The pieces' optimal orders, joined, are an optimal order of
 * the graph: the peak is the largest piece peak.
 *
 * Limits.  A cap on stored states (memory) and a deadline: a piece that runs
 * out keeps its best heuristic order, the result is marked not optimal, and
 * the proven lower bound (the smallest g still open, and every piece's
 * bound) is reported beside it.
 */
#include "sched_dp.h"

#include <assert.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mem.h"

enum {
	NBEAM = 128,      /* beam width of the upper-bound search */
	NDIVE = 1 << 18, /* expansions of the depth-first dives, per piece */
	NPIECE_MIN = 32,  /* pieces smaller than this are merged with the next */
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int64_t max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

static uint64_t hash_bits(const uint64_t *b, int W)
{
	uint64_t h = 0x9e3779b97f4a7c15ull;
	for (int i = 0; i < W; i++) {
		h ^= b[i] + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
		h *= 0xff51afd7ed558ccdull;
	}
	return h ^ (h >> 29);
}

/* ---- pieces ---- */

/* A piece: ops first..last of the definition order, with the tensors it
 * touches renumbered locally.  Everything is in CSR arrays. */
typedef struct Piece {
	int m;          /* ops */
	int first;      /* global index of local op 0 */
	int nt;         /* tensors touched */
	int64_t *tb;    /* tensor bytes */
	int64_t *tfree; /* bytes freed when it dies, */
	int64_t *tmade; /* and added when it is made (mem.h: joins) */
	int *tprod;     /* local producer, -1 when made before the piece */
	int *tncons;    /* readers inside the piece */
	bool *tpin;     /* never freed inside the piece */
	int *tc_off, *tc; /* readers inside the piece */
	int *in_off, *in; /* distinct input tensors of each op */
	int *out_off, *out;
	int *pred_off, *pred; /* distinct local predecessors */
	int *succ_off, *succ; /* distinct local successors */
	int64_t *outb;  /* bytes of each op's outputs */
	int64_t base;   /* bytes live throughout: made before, read after */
	int64_t live0;  /* live bytes before the piece's first op */
} Piece;

static void piece_free(Piece *p)
{
	free(p->tb);
	free(p->tfree);
	free(p->tmade);
	free(p->tprod);
	free(p->tncons);
	free(p->tpin);
	free(p->tc_off);
	free(p->tc);
	free(p->in_off);
	free(p->in);
	free(p->out_off);
	free(p->out);
	free(p->pred_off);
	free(p->pred);
	free(p->succ_off);
	free(p->succ);
	free(p->outb);
}

/* Whether ops [a0, a0 + n) and [b0, b0 + n) are mirror images in the
 * memory model: op by op the same kind and bytes, inputs made at the same
 * place in their own run or the very same tensor, readers likewise. */
static bool mirrored(const Graph *g, int a0, int b0, int n)
{
	for (int k = 0; k < n; k++) {
		const Op *x = &g->ops[a0 + k], *y = &g->ops[b0 + k];
		if (x->kind != y->kind || x->nin != y->nin || x->nout != 1 || y->nout != 1)
			return false;
		for (int j = 0; j < x->nin; j++) {
			int tx = x->in[j], ty = y->in[j];
			int px = g->tensors[tx].producer, py = g->tensors[ty].producer;
			if (px >= a0 && px < a0 + n ? py != px - a0 + b0 : ty != tx)
				return false;
		}
		const Tensor *tx = &g->tensors[x->out[0]], *ty = &g->tensors[y->out[0]];
		if (tx->bytes != ty->bytes || tx->output || ty->output || tx->in_dram != ty->in_dram ||
		    tx->ncons != ty->ncons)
			return false;
		for (int j = 0; j < tx->ncons; j++) {
			int cx = tx->cons[j], cy = ty->cons[j];
			if (cx >= a0 && cx < a0 + n ? cy != cx - a0 + b0 : cy != cx)
				return false;
		}
	}
	return true;
}

/* Interchangeable bands (tile.c).  Bands b and b + 1 of a region whose ops
 * are mirror images (one run of ops each) can trade places in any order
 * without changing a step, so some optimal order runs their first ops in
 * band order: that edge only breaks the symmetry (n interchangeable bands
 * otherwise make the search visit every subset of finished bands).
 * extra[v] receives the local op that must run before local op v, or -1. */
static void band_edges(const Graph *g, int first, int last, int *extra)
{
	for (int v = 0; v <= last - first; v++)
		extra[v] = -1;
	int a0 = -1, an = 0;  /* the last run of one band: start, length */
	for (int o = first; o <= last;) {
		const Op *op = &g->ops[o];
		int e = o + 1;
		while (e <= last && g->ops[e].region == op->region && g->ops[e].band == op->band)
			e++;
		if (op->band > 0 && a0 >= 0 && g->ops[a0].region == op->region &&
		    g->ops[a0].band + 1 == op->band && an == e - o && mirrored(g, a0, o, an))
			extra[o - first] = a0 - first;
		a0 = op->band > 0 ? o : -1;
		an = e - o;
		o = e;
	}
}

/* Builds the piece of ops [first, last]; the ops before first have run. */
static void piece_build(const Graph *g, int first, int last, Piece *p)
{
	memset(p, 0, sizeof *p);
	p->first = first;
	p->m = last - first + 1;
	int *loc = xmalloc(g->ntensors * sizeof *loc);
	for (int t = 0; t < g->ntensors; t++)
		loc[t] = -1;
	/* Tensors touched: inputs and outputs of the piece's ops. */
	int nt = 0;
	for (int o = first; o <= last; o++) {
		const Op *op = &g->ops[o];
		for (int i = 0; i < op->nin; i++)
			if (loc[op->in[i]] < 0)
				loc[op->in[i]] = nt++;
		for (int i = 0; i < op->nout; i++)
			if (loc[op->out[i]] < 0)
				loc[op->out[i]] = nt++;
	}
	p->nt = nt;
	p->tb = xmalloc(nt * sizeof *p->tb);
	p->tfree = xmalloc(nt * sizeof *p->tfree);
	p->tmade = xmalloc(nt * sizeof *p->tmade);
	p->tprod = xmalloc(nt * sizeof *p->tprod);
	p->tncons = xcalloc(nt, sizeof *p->tncons);
	p->tpin = xcalloc(nt, sizeof *p->tpin);
	p->tc_off = xcalloc(nt + 1, sizeof *p->tc_off);
	for (int t = 0; t < g->ntensors; t++) {
		const Tensor *tt = &g->tensors[t];
		int l = loc[t];
		bool after = false; /* read after the piece */
		for (int i = 0; i < tt->ncons; i++)
			after |= tt->cons[i] > last;
		if (l < 0) {
			/* Made before, read after, untouched: a constant load. */
			if (tt->producer < first && (after || tt->output) &&
			    (tt->ncons > 0 || tt->output))
				p->base += mem_held_bytes(g, t);
			continue;
		}
		p->tb[l] = mem_held_bytes(g, t);
		p->tfree[l] = mem_freed_bytes(g, t);
		p->tmade[l] = mem_made_bytes(g, t);
		p->tprod[l] = tt->producer >= first ? tt->producer - first : -1;
		p->tpin[l] = after || tt->output;
		for (int i = 0; i < tt->ncons; i++)
			if (tt->cons[i] >= first && tt->cons[i] <= last)
				p->tncons[l]++;
	}
	for (int t = 0; t < nt; t++)
		p->tc_off[t + 1] = p->tc_off[t] + p->tncons[t];
	p->tc = xmalloc(p->tc_off[nt] * sizeof *p->tc);
	int *fill = xcalloc(nt, sizeof *fill);
	for (int t = 0; t < g->ntensors; t++) {
		if (loc[t] < 0)
			continue;
		const Tensor *tt = &g->tensors[t];
		for (int i = 0; i < tt->ncons; i++)
			if (tt->cons[i] >= first && tt->cons[i] <= last)
				p->tc[p->tc_off[loc[t]] + fill[loc[t]]++] = tt->cons[i] - first;
	}
	free(fill);

	int m = p->m;
	p->in_off = xcalloc(m + 1, sizeof *p->in_off);
	p->out_off = xcalloc(m + 1, sizeof *p->out_off);
	p->pred_off = xcalloc(m + 1, sizeof *p->pred_off);
	int cap_in = 0, cap_out = 0;
	for (int o = first; o <= last; o++) {
		cap_in += g->ops[o].nin;
		cap_out += g->ops[o].nout;
	}
	p->in = xmalloc(cap_in * sizeof *p->in);
	p->pred = xmalloc((cap_in + m) * sizeof *p->pred);
	int *extra = xmalloc(m * sizeof *extra);
	band_edges(g, first, last, extra);
	p->out = xmalloc(cap_out * sizeof *p->out);
	p->outb = xcalloc(m, sizeof *p->outb);
	int ni = 0, no = 0, np = 0;
	int *pred_of = xmalloc(m * sizeof *pred_of); /* the last op listing each as a pred */
	for (int u = 0; u < m; u++)
		pred_of[u] = -1;
	for (int v = 0; v < m; v++) {
		const Op *op = &g->ops[first + v];
		for (int i = 0; i < op->nin; i++) {
			if (ir_repeat(op, i))
				continue;
			int t = loc[op->in[i]];
			p->in[ni++] = t;
			int u = p->tprod[t];
			if (u >= 0 && pred_of[u] != v) {
				pred_of[u] = v;
				p->pred[np++] = u;
			}
		}
		if (extra[v] >= 0 && pred_of[extra[v]] != v) {
			pred_of[extra[v]] = v;
			p->pred[np++] = extra[v];
		}
		for (int i = 0; i < op->nout; i++) {
			p->out[no++] = loc[op->out[i]];
			p->outb[v] += mem_made_bytes(g, op->out[i]);
		}
		p->in_off[v + 1] = ni;
		p->out_off[v + 1] = no;
		p->pred_off[v + 1] = np;
	}
	free(pred_of);
	free(extra);
	p->succ_off = xcalloc(m + 1, sizeof *p->succ_off);
	p->succ = xmalloc((np ? np : 1) * sizeof *p->succ);
	for (int j = 0; j < np; j++)
		p->succ_off[p->pred[j] + 1]++;
	for (int v = 0; v < m; v++)
		p->succ_off[v + 1] += p->succ_off[v];
	int *sfill = xcalloc(m, sizeof *sfill);
	for (int v = 0; v < m; v++)
		for (int j = p->pred_off[v]; j < p->pred_off[v + 1]; j++) {
			int u = p->pred[j];
			p->succ[p->succ_off[u] + sfill[u]++] = v;
		}
	free(sfill);
	/* Live before the first op: the constant load, plus tensors made
	 * earlier that the piece reads. */
	p->live0 = p->base;
	for (int t = 0; t < nt; t++)
		if (p->tprod[t] < 0)
			p->live0 += p->tb[t];
	free(loc);
}

/* Live-byte change of running v when done[] marks the ops run so far;
 * *freed receives what v frees. */
static int64_t piece_delta(const Piece *p, const unsigned char *done, int v, int64_t *freed)
{
	int64_t f = 0, add = 0;
	for (int j = p->in_off[v]; j < p->in_off[v + 1]; j++) {
		int t = p->in[j];
		if (p->tpin[t])
			continue;
		bool last = true;
		for (int k = p->tc_off[t]; k < p->tc_off[t + 1] && last; k++)
			last = p->tc[k] == v || done[p->tc[k]];
		if (last)
			f += p->tfree[t];
	}
	for (int j = p->out_off[v]; j < p->out_off[v + 1]; j++) {
		int t = p->out[j];
		if (p->tpin[t] || p->tncons[t] > 0)
			add += p->tmade[t];
	}
	*freed = f;
	return add - f;
}

/* ---- objectives ----
 *
 * peak:    g(S + v) = max(g(S), step), compared as max(g, floor).
 * traffic: g(S + v) = g(S) + max(0, step - cap): the bytes that cannot be in
 *          SRAM while v runs, a proxy for what must go to DRAM and back.
 * cycles:  g(S + v) = g(S) + max(cycles(v), 2 (step - cap)+ / bandwidth):
 *          v's compute time, or the time to spill and reload the overflow
 *          if that is longer.
 * For the sums, a step with no overflow costs what it costs anywhere, so a
 * forced move needs only delta <= 0 and step <= cap.
 */
typedef struct Obj {
	DpObjective kind;
	int64_t floor;      /* peak: everything below is equally good */
	int64_t cap;        /* traffic, cycles: SRAM bytes */
	const int64_t *opc; /* cycles: compute cycles of each local op */
	int bw;             /* cycles: DMA bytes per cycle */
} Obj;

static int64_t obj_next(const Obj *o, int64_t g, int64_t step, int v)
{
	if (o->kind == DP_PEAK)
		return max64(g, step);
	int64_t over = step > o->cap ? step - o->cap : 0;
	if (o->kind == DP_TRAFFIC)
		return g + over;
	int64_t dma = (2 * over + o->bw - 1) / o->bw;
	return g + max64(o->opc ? o->opc[v] : 0, dma);
}

static int64_t obj_key(const Obj *o, int64_t g)
{
	return o->kind == DP_PEAK ? max64(g, o->floor) : g;
}

/* Whether a ready op that frees what it makes may be taken alone. */
static bool obj_forced(const Obj *o, int64_t g, int64_t step)
{
	return o->kind == DP_PEAK ? step <= max64(g, o->floor) : step <= o->cap;
}

/* Whether order[] respects the piece's edges (a heuristic order may break
 * a band edge; the search's orders never do). */
static bool piece_order_ok(const Piece *p, const int *order)
{
	unsigned char *done = xcalloc(p->m, 1);
	bool ok = true;
	for (int i = 0; i < p->m && ok; i++) {
		int v = order[i];
		for (int j = p->pred_off[v]; j < p->pred_off[v + 1]; j++)
			ok &= done[p->pred[j]];
		done[v] = 1;
	}
	free(done);
	return ok;
}

/* The objective's value of a local order of the piece (as a key). */
static int64_t piece_value(const Piece *p, const int *order, const Obj *o)
{
	unsigned char *done = xcalloc(p->m, 1);
	int64_t live = p->live0, g = 0;
	for (int i = 0; i < p->m; i++) {
		int v = order[i];
		int64_t freed;
		g = obj_next(o, g, live + p->outb[v], v);
		live += piece_delta(p, done, v, &freed);
		done[v] = 1;
	}
	free(done);
	return obj_key(o, g);
}

/* Greedy: always the ready op with the smallest step, then the smallest
 * live-byte change; a cheap upper bound beside the baselines. */
static bool piece_greedy(const Piece *p, int *order, double deadline)
{
	bool ok = true;
	int m = p->m;
	unsigned char *done = xcalloc(m, 1);
	int *npred = xmalloc(m * sizeof *npred);
	for (int v = 0; v < m; v++)
		npred[v] = p->pred_off[v + 1] - p->pred_off[v];
	int64_t live = p->live0;
	for (int i = 0; i < m && ok; i++) {
		if (deadline > 0 && (i & 63) == 63 && now_s() > deadline) {
			ok = false;
			break;
		}
		int best = -1;
		int64_t bstep = 0, bdelta = 0;
		for (int v = 0; v < m; v++) {
			if (done[v] || npred[v])
				continue;
			int64_t freed, d = piece_delta(p, done, v, &freed);
			int64_t step = live + p->outb[v];
			if (best < 0 || step < bstep || (step == bstep && d < bdelta)) {
				best = v;
				bstep = step;
				bdelta = d;
			}
		}
		int64_t freed;
		live += piece_delta(p, done, best, &freed);
		done[best] = 1;
		order[i] = best;
		for (int v = 0; v < m; v++)
			if (!done[v])
				for (int j = p->pred_off[v]; j < p->pred_off[v + 1]; j++)
					npred[v] -= p->pred[j] == best;
	}
	free(done);
	free(npred);
	return ok;
}

/* Beam search: the DP's transitions, keeping at each depth only the `width`
 * states of least (g, live).  Not exact, but close on graphs too wide for
 * the exact search, and cheap: the upper bound that tau starts from. */
typedef struct Beam {
	uint64_t *bits;
	int64_t *g, *live;
	int *parent, *op;
	int n;
} Beam;

typedef struct BeamKey {
	int64_t g, live;
	int k;
} BeamKey;

static int beam_cmp(const void *a, const void *b)
{
	const BeamKey *x = a, *y = b;
	if (x->g != y->g)
		return x->g < y->g ? -1 : 1;
	if (x->live != y->live)
		return x->live < y->live ? -1 : 1;
	return x->k - y->k;
}

static bool piece_beam(const Piece *p, int width, const Obj *o, int *order, double deadline)
{
	bool done_ok = true;
	int m = p->m, W = (m + 63) / 64;
	size_t cap = (size_t)width * 8;
	/* all levels are kept for the back-pointers: m * width states */
	int *lvl_parent = xmalloc((size_t)m * width * sizeof *lvl_parent);
	int *lvl_op = xmalloc((size_t)m * width * sizeof *lvl_op);
	Beam cur = {xcalloc(width * (size_t)W, 8), xcalloc(width, 8), xcalloc(width, 8), NULL, NULL, 1};
	Beam nxt = {xmalloc(cap * W * 8), xmalloc(cap * 8), xmalloc(cap * 8), xmalloc(cap * sizeof(int)),
		    xmalloc(cap * sizeof(int)), 0};
	BeamKey *idx = xmalloc(cap * sizeof *idx);
	uint32_t *slot = xmalloc(2 * cap * sizeof *slot);
	unsigned char *done = xmalloc(m);
	cur.live[0] = p->live0;
	for (int d = 0; d < m; d++) {
		if (deadline > 0 && now_s() > deadline) {
			done_ok = false;
			break;
		}
		nxt.n = 0;
		memset(slot, 0, 2 * cap * sizeof *slot);
		for (int si = 0; si < cur.n; si++) {
			const uint64_t *b = &cur.bits[(size_t)si * W];
			for (int v = 0; v < m; v++)
				done[v] = (b[v >> 6] >> (v & 63)) & 1;
			int forced = -1;
			for (int v = 0; v < m && forced < 0; v++) {
				if (done[v])
					continue;
				bool ok = true;
				for (int j = p->pred_off[v]; j < p->pred_off[v + 1] && ok; j++)
					ok = done[p->pred[j]];
				int64_t freed;
				if (ok && piece_delta(p, done, v, &freed) <= 0 &&
				    obj_forced(o, cur.g[si], cur.live[si] + p->outb[v]))
					forced = v;
			}
			for (int v = 0; v < m; v++) {
				if (done[v] || (forced >= 0 && v != forced))
					continue;
				bool ok = true;
				for (int j = p->pred_off[v]; j < p->pred_off[v + 1] && ok; j++)
					ok = done[p->pred[j]];
				if (!ok)
					continue;
				int64_t freed, dl = piece_delta(p, done, v, &freed);
				int64_t ng = obj_next(o, cur.g[si], cur.live[si] + p->outb[v], v);
				uint64_t *nb = &nxt.bits[(size_t)nxt.n * W];
				memcpy(nb, b, W * 8);
				nb[v >> 6] |= 1ull << (v & 63);
				size_t h = hash_bits(nb, W) & (2 * cap - 1);
				int found = -1;
				while (slot[h]) {
					int k = (int)slot[h] - 1;
					if (!memcmp(&nxt.bits[(size_t)k * W], nb, W * 8)) {
						found = k;
						break;
					}
					h = (h + 1) & (2 * cap - 1);
				}
				int k = found;
				if (k < 0) {
					if ((size_t)nxt.n + 1 >= cap)
						continue; /* level full: enough candidates */
					k = nxt.n++;
					slot[h] = (uint32_t)k + 1;
					nxt.g[k] = INT64_MAX;
				}
				if (ng < nxt.g[k]) {
					nxt.g[k] = ng;
					nxt.live[k] = cur.live[si] + dl;
					nxt.parent[k] = si;
					nxt.op[k] = v;
				}
			}
		}
		/* keep the best `width` */
		for (int k = 0; k < nxt.n; k++)
			idx[k] = (BeamKey){obj_key(o, nxt.g[k]), nxt.live[k], k};
		qsort(idx, nxt.n, sizeof *idx, beam_cmp);
		int keep = nxt.n < width ? nxt.n : width;
		for (int i = 0; i < keep; i++) {
			int k = idx[i].k;
			memcpy(&cur.bits[(size_t)i * W], &nxt.bits[(size_t)k * W], W * 8);
			cur.g[i] = nxt.g[k];
			cur.live[i] = nxt.live[k];
			lvl_parent[(size_t)d * width + i] = nxt.parent[k];
			lvl_op[(size_t)d * width + i] = nxt.op[k];
		}
		cur.n = keep;
	}
	/* the best full state is cur[0]; walk the back-pointers */
	for (int d = m - 1, i = 0; done_ok && d >= 0; d--) {
		order[d] = lvl_op[(size_t)d * width + i];
		i = lvl_parent[(size_t)d * width + i];
	}
	free(lvl_parent);
	free(lvl_op);
	free(cur.bits);
	free(cur.g);
	free(cur.live);
	free(nxt.bits);
	free(nxt.g);
	free(nxt.live);
	free(nxt.parent);
	free(nxt.op);
	free(idx);
	free(slot);
	free(done);
	return done_ok;
}

/* ---- the search ---- */

typedef struct HeapItem {
	int64_t key; /* max(g, floor) */
	int depth;
	uint32_t id;
} HeapItem;

typedef struct Search {
	const Piece *p;
	int W;            /* bitset words per state */
	Obj obj;          /* the objective, its floor for peak */
	int64_t tau;
	size_t cap;       /* most states */
	double deadline;  /* 0: none */
	/* states */
	uint64_t *bits;
	int64_t *g, *live;
	uint32_t *parent;
	int *op, *depth;
	unsigned char *closed;
	size_t n, alloc;
	/* hash table of state ids + 1 */
	uint32_t *slot;
	size_t nslot;
	HeapItem *heap;
	size_t nheap, aheap;
	int64_t expanded;
	int64_t open_min;  /* at a stop: smallest key still open */
	const DpOpts *opts;
	DpStats *stats;
	int piece, npieces;
	double t0, last_report;
} Search;

enum { FOUND, EXHAUSTED, CAPPED, TIMEDOUT };


static void heap_push(Search *s, HeapItem it)
{
	if (s->nheap == s->aheap) {
		s->aheap = s->aheap ? 2 * s->aheap : 1024;
		s->heap = xrealloc(s->heap, s->aheap * sizeof *s->heap);
	}
	size_t i = s->nheap++;
	while (i) {
		size_t up = (i - 1) / 2;
		HeapItem *u = &s->heap[up];
		if (u->key < it.key || (u->key == it.key && u->depth >= it.depth))
			break;
		s->heap[i] = *u;
		i = up;
	}
	s->heap[i] = it;
}

static HeapItem heap_pop(Search *s)
{
	HeapItem top = s->heap[0], it = s->heap[--s->nheap];
	size_t i = 0, n = s->nheap;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && (s->heap[c + 1].key < s->heap[c].key ||
				  (s->heap[c + 1].key == s->heap[c].key &&
				   s->heap[c + 1].depth > s->heap[c].depth)))
			c++;
		if (it.key < s->heap[c].key || (it.key == s->heap[c].key && it.depth >= s->heap[c].depth))
			break;
		s->heap[i] = s->heap[c];
		i = c;
	}
	if (n)
		s->heap[i] = it;
	return top;
}

static void table_grow(Search *s)
{
	size_t nslot = s->nslot ? 2 * s->nslot : 1 << 12;
	uint32_t *slot = xcalloc(nslot, sizeof *slot);
	for (size_t i = 0; i < s->nslot; i++) {
		uint32_t id = s->slot[i];
		if (!id)
			continue;
		size_t h = hash_bits(&s->bits[(size_t)(id - 1) * s->W], s->W) & (nslot - 1);
		while (slot[h])
			h = (h + 1) & (nslot - 1);
		slot[h] = id;
	}
	free(s->slot);
	s->slot = slot;
	s->nslot = nslot;
}

/* Finds state b; when absent and insert is set, adds it.  Returns its id,
 * or -1 when absent (not inserted). */
static int64_t table_find(Search *s, const uint64_t *b, bool insert)
{
	if ((s->n + 1) * 2 > s->nslot)
		table_grow(s);
	size_t h = hash_bits(b, s->W) & (s->nslot - 1);
	while (s->slot[h]) {
		uint32_t id = s->slot[h] - 1;
		if (memcmp(&s->bits[(size_t)id * s->W], b, s->W * sizeof *b) == 0)
			return id;
		h = (h + 1) & (s->nslot - 1);
	}
	if (!insert)
		return -1;
	if (s->n == s->alloc) {
		s->alloc = s->alloc ? 2 * s->alloc : 1024;
		s->bits = xrealloc(s->bits, s->alloc * s->W * sizeof *s->bits);
		s->g = xrealloc(s->g, s->alloc * sizeof *s->g);
		s->live = xrealloc(s->live, s->alloc * sizeof *s->live);
		s->parent = xrealloc(s->parent, s->alloc * sizeof *s->parent);
		s->op = xrealloc(s->op, s->alloc * sizeof *s->op);
		s->depth = xrealloc(s->depth, s->alloc * sizeof *s->depth);
		s->closed = xrealloc(s->closed, s->alloc);
	}
	size_t id = s->n++;
	memcpy(&s->bits[id * s->W], b, s->W * sizeof *b);
	s->closed[id] = 0;
	s->slot[h] = (uint32_t)id + 1;
	return (int64_t)id;
}

static void search_reset(Search *s)
{
	s->n = 0;
	s->nheap = 0;
	if (s->slot)
		memset(s->slot, 0, s->nslot * sizeof *s->slot);
	s->expanded = 0;
}

static void search_free(Search *s)
{
	free(s->bits);
	free(s->g);
	free(s->live);
	free(s->parent);
	free(s->op);
	free(s->depth);
	free(s->closed);
	free(s->slot);
	free(s->heap);
}

static size_t state_bytes(int W)
{
	/* bits, g, live, parent, op, depth, closed, two hash slots, ~3 heap items */
	return W * 8 + 8 + 8 + 4 + 4 + 4 + 1 + 8 + 3 * sizeof(HeapItem);
}

static void report(Search *s, bool force)
{
	if (!s->opts || !s->opts->progress)
		return;
	double t = now_s();
	if (!force && t - s->last_report < 0.2)
		return;
	s->last_report = t;
	DpProgress pr = {s->piece, s->npieces, s->p->m, s->tau, s->obj.floor,
			 s->stats->states + (int64_t)s->n, t - s->t0};
	s->opts->progress(s->opts->ctx, &pr);
}

/* One best-first run under budget s->tau; on FOUND, order[] gets the piece's
 * order and *peak its max(g, floor). */
static int search_run(Search *s, int *order, int64_t *peak)
{
	const Piece *p = s->p;
	int m = p->m, W = s->W;
	uint64_t *cur = xcalloc(W, sizeof *cur);
	uint64_t *nb = xcalloc(W, sizeof *nb);
	unsigned char *done = xcalloc(m, 1);
	int *ready = xmalloc(m * sizeof *ready);
	int rc = EXHAUSTED;
	search_reset(s);

	int64_t id0 = table_find(s, cur, true);
	s->g[id0] = 0;
	s->live[id0] = p->live0;
	s->parent[id0] = UINT32_MAX;
	s->op[id0] = -1;
	s->depth[id0] = 0;
	heap_push(s, (HeapItem){obj_key(&s->obj, 0), 0, (uint32_t)id0});

	while (s->nheap) {
		HeapItem it = heap_pop(s);
		uint32_t id = it.id;
		if (s->closed[id] || obj_key(&s->obj, s->g[id]) != it.key)
			continue; /* stale entry */
		s->closed[id] = 1;
		if (s->depth[id] == m) {
			*peak = it.key;
			for (uint32_t k = id; s->parent[k] != UINT32_MAX; k = s->parent[k])
				order[s->depth[k] - 1] = s->op[k];
			rc = FOUND;
			break;
		}
		if ((++s->expanded & 255) == 0) {
			report(s, false);
			if (s->deadline > 0 && now_s() > s->deadline) {
				s->open_min = it.key;
				rc = TIMEDOUT;
				break;
			}
		}
		if (s->n >= s->cap) {
			s->open_min = it.key;
			rc = CAPPED;
			break;
		}
		memcpy(cur, &s->bits[(size_t)id * W], W * sizeof *cur);
		for (int v = 0; v < m; v++)
			done[v] = (cur[v >> 6] >> (v & 63)) & 1;
		int nready = 0;
		for (int v = 0; v < m; v++) {
			if (done[v])
				continue;
			bool ok = true;
			for (int j = p->pred_off[v]; j < p->pred_off[v + 1] && ok; j++)
				ok = done[p->pred[j]];
			if (ok)
				ready[nready++] = v;
		}
		int64_t g = s->g[id], live = s->live[id];
		/* A forced move, if any, is the only transition. */
		int forced = -1;
		for (int k = 0; k < nready && forced < 0; k++) {
			int64_t freed, d = piece_delta(p, done, ready[k], &freed);
			if (d <= 0 && obj_forced(&s->obj, g, live + p->outb[ready[k]]))
				forced = ready[k];
		}
		for (int k = 0; k < nready; k++) {
			int v = ready[k];
			if (forced >= 0 && v != forced)
				continue;
			int64_t freed, d = piece_delta(p, done, v, &freed);
			int64_t ng = obj_next(&s->obj, g, live + p->outb[v], v);
			if (ng > s->tau)
				continue;
			memcpy(nb, cur, W * sizeof *nb);
			nb[v >> 6] |= 1ull << (v & 63);
			int64_t cid = table_find(s, nb, false);
			if (cid >= 0 && (s->closed[cid] || s->g[cid] <= ng))
				continue;
			if (cid < 0) {
				cid = table_find(s, nb, true);
				s->live[cid] = live + d;
				s->depth[cid] = s->depth[id] + 1;
			}
			s->g[cid] = ng;
			s->parent[cid] = id;
			s->op[cid] = v;
			heap_push(s, (HeapItem){obj_key(&s->obj, ng), s->depth[cid], (uint32_t)cid});
		}
	}
	s->stats->states += (int64_t)s->n;
	s->stats->expanded += s->expanded;
	size_t bytes = s->n * state_bytes(W) + s->nslot * sizeof *s->slot;
	if (bytes > s->stats->peak_state_bytes)
		s->stats->peak_state_bytes = bytes;
	free(cur);
	free(nb);
	free(done);
	free(ready);
	return rc;
}

/* Depth-first dive for an order of the piece with peak <= tau: children in
 * order of the live bytes they leave, dead states memoized in the search's
 * table (a state with no completion under tau has none under a lower budget
 * either, so the table survives a descending tau).  Whether a completion
 * under tau exists does not depend on the path to the state, so the forced
 * move needs only step <= tau here.  Gives up after `limit` expansions;
 * returns true with order[] on success, false with *limit > 0 when no
 * order under tau exists. */
typedef struct Frame {
	int64_t live, g;
	int kids, nkids; /* children in the pool */
	int next;
	int op;          /* op that led here */
} Frame;

typedef struct Kid {
	int64_t key;
	int64_t step;
	int v;
} Kid;

static int kid_cmp(const void *a, const void *b)
{
	const Kid *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	if (x->step != y->step)
		return x->step < y->step ? -1 : 1;
	return x->v - y->v;
}

static bool piece_dive(Search *s, const Piece *p, int64_t tau, int64_t *limit, int *order)
{
	int m = p->m, W = s->W;
	Frame *st = xmalloc((m + 1) * sizeof *st);
	uint64_t *bits = xcalloc((size_t)(m + 1) * W, sizeof *bits);
	unsigned char *done = xcalloc(m, 1);
	int *npred = xmalloc(m * sizeof *npred);
	Kid *pool = NULL;
	size_t npool = 0, apool = 0;
	bool found = false;
	for (int v = 0; v < m; v++)
		npred[v] = p->pred_off[v + 1] - p->pred_off[v];
	int sp = 0;
	st[0] = (Frame){p->live0, 0, 0, -1, 0, -1};
	while (sp >= 0) {
		Frame *f = &st[sp];
		uint64_t *b = &bits[(size_t)sp * W];
		if (f->nkids < 0) { /* first visit */
			f->kids = (int)npool;
			if (sp == m) {
				for (int i = 1; i <= m; i++)
					order[i - 1] = st[i].op;
				found = true;
				break;
			}
			if (table_find(s, b, false) >= 0 || *limit <= 0) {
				f->nkids = 0; /* dead, or out of budget: back up */
				f->next = 0;
				goto backtrack;
			}
			if ((--*limit & 255) == 0 && s->deadline > 0 && now_s() > s->deadline)
				*limit = 0;
			f->nkids = 0;
			for (int v = 0; v < m; v++) {
				if (done[v] || npred[v])
					continue;
				int64_t freed, d = piece_delta(p, done, v, &freed);
				int64_t step = f->live + p->outb[v];
				if (step > tau)
					continue;
				if (d <= 0) { /* forced: the only child */
					npool = f->kids;
					f->nkids = 0;
				}
				if (npool == apool) {
					apool = apool ? 2 * apool : 1024;
					pool = xrealloc(pool, apool * sizeof *pool);
				}
				pool[npool++] = (Kid){f->live + d, step, v};
				f->nkids++;
				if (d <= 0)
					break;
			}
			if (f->nkids > 1)
				qsort(pool + f->kids, f->nkids, sizeof *pool, kid_cmp);
			f->next = 0;
		}
	backtrack:
		if (f->next < f->nkids) {
			Kid k = pool[f->kids + f->next++];
			Frame *c = &st[sp + 1];
			*c = (Frame){k.key, max64(f->g, k.step), 0, -1, 0, k.v};
			uint64_t *cb = &bits[(size_t)(sp + 1) * W];
			memcpy(cb, b, W * sizeof *cb);
			cb[k.v >> 6] |= 1ull << (k.v & 63);
			done[k.v] = 1;
			for (int j = p->succ_off[k.v]; j < p->succ_off[k.v + 1]; j++)
				npred[p->succ[j]]--;
			sp++;
			continue;
		}
		/* all children failed: dead under tau (unless the budget ran out) */
		if (*limit > 0 && s->n < s->cap)
			table_find(s, b, true);
		npool = f->kids;
		if (f->op >= 0) {
			done[f->op] = 0;
			for (int j = p->succ_off[f->op]; j < p->succ_off[f->op + 1]; j++)
				npred[p->succ[j]]++;
		}
		sp--;
	}
	free(st);
	free(bits);
	free(done);
	free(npred);
	free(pool);
	return found;
}

/* Schedules one piece: best order into order[] (local), returns its peak
 * (at least floor); *optimal and *proven tell what is proven. */
static int64_t solve_piece(Search *s, const Piece *p, const int *const *heur, int nheur,
			   int *order, bool *optimal, int64_t *proven)
{
	int m = p->m;
	int *tmp = xmalloc(m * sizeof *tmp);
	/* Upper bound: the best heuristic order, restricted to the piece. */
	int64_t best = INT64_MAX;
	for (int h = 0; h < nheur; h++) {
		if (!piece_order_ok(p, heur[h]))
			continue; /* an upper bound all the same, but the search's must be one */
		int64_t pk = piece_value(p, heur[h], &s->obj);
		if (pk < best) {
			best = pk;
			memcpy(order, heur[h], m * sizeof *order);
		}
	}
	/* proven: optimum >= lo.  Every op's step is at least its footprint
	 * with what must be live around it, whatever the order. */
	int64_t lo = 0;
	for (int v = 0; v < m; v++) {
		int64_t fp = p->base + p->outb[v];
		for (int j = p->in_off[v]; j < p->in_off[v + 1]; j++)
			fp += p->tb[p->in[j]];
		lo = obj_next(&s->obj, lo, fp, v);
	}
	lo = obj_key(&s->obj, lo);
	s->p = p;
	s->W = (m + 63) / 64;
	/* Dive for better orders first: each success lowers the budget (the
	 * dive decides "a peak under tau?", so for the peak only). */
	int64_t limit = s->obj.kind == DP_PEAK ? NDIVE : 0;
	search_reset(s);
	while (lo < best && limit > 0) {
		if (!piece_dive(s, p, best - 1, &limit, tmp)) {
			if (limit > 0)
				lo = best; /* exhaustive: nothing under best */
			break;
		}
		best = piece_value(p, tmp, &s->obj);
		assert(piece_order_ok(p, tmp));
		memcpy(order, tmp, m * sizeof *order);
	}
	s->stats->states += (int64_t)s->n;
	size_t dive_bytes = s->n * state_bytes(s->W) + s->nslot * sizeof *s->slot;
	if (dive_bytes > s->stats->peak_state_bytes)
		s->stats->peak_state_bytes = dive_bytes;
	int64_t tau = best - 1;
	while (lo < best) {
		s->tau = tau;
		s->stats->budget_steps++;
		int64_t pk = 0;
		int rc = search_run(s, tmp, &pk);
		if (rc == FOUND) {
			/* Best-first: nothing under tau does better. */
			best = pk;
			lo = pk;
			memcpy(order, tmp, m * sizeof *order);
			break;
		}
		if (rc == EXHAUSTED) {
			lo = tau + 1;          /* nothing fits under tau */
			tau = lo + (best - lo) / 2;
			if (tau >= best)
				break;         /* best is optimal */
			continue;
		}
		/* Out of states or time: what is open bounds the optimum. */
		lo = max64(lo, s->open_min);
		if (rc == TIMEDOUT) {
			s->stats->timed_out = true;
			break;
		}
		if (tau <= lo) {
			break;
		}
		tau = lo + (tau - lo) / 2; /* too many states: lower the budget */
	}
	*optimal = lo >= best;
	*proven = lo;
	free(tmp);
	return best;
}

/* ---- divide and conquer ---- */

/* Ancestor bitsets of every op (n rows of W words), or NULL for graphs
 * over NCUTS_MAXOPS ops.  Definition order is topological, so one pass. */
static uint64_t *ancestors(const Graph *g, int *Wout)
{
	int n = g->nops, W = (n + 63) / 64;
	*Wout = W;
	if (n > NCUTS_MAXOPS)
		return NULL;
	uint64_t *anc = xcalloc((size_t)n * W, sizeof *anc);
	for (int v = 0; v < n; v++) {
		uint64_t *a = &anc[(size_t)v * W];
		for (int i = 0; i < g->ops[v].nin; i++) {
			int u = g->tensors[g->ops[v].in[i]].producer;
			const uint64_t *b = &anc[(size_t)u * W];
			for (int w = 0; w < W; w++)
				a[w] |= b[w];
			a[u >> 6] |= 1ull << (u & 63);
		}
	}
	return anc;
}

static bool is_anc(const uint64_t *anc, int W, int u, int v) /* u before v in every order */
{
	return (anc[(size_t)v * W + (u >> 6)] >> (u & 63)) & 1;
}

int sched_cuts(const Graph *g, int *cuts)
{
	int n = g->nops, ncuts = 0, W;
	uint64_t *anc = ancestors(g, &W);
	if (!anc)
		return 0;
	for (int v = 0; v < n; v++) {
		const uint64_t *a = &anc[(size_t)v * W];
		int na = 0;
		for (int w = 0; w < W; w++)
			na += __builtin_popcountll(a[w]);
		if (na != v)
			continue; /* something before v is not its ancestor */
		int nd = 0;
		for (int x = v + 1; x < n; x++)
			nd += is_anc(anc, W, v, x);
		if (nd == n - 1 - v)
			cuts[ncuts++] = v;
	}
	free(anc);
	return ncuts;
}

/* A lower bound on every order's peak, stronger than the largest op
 * footprint: while v runs, every tensor made by an ancestor of v and read
 * by a descendant of v (or a graph output) is live in every order. */
static int64_t forced_bound(const Graph *g, double deadline)
{
	int n = g->nops, W;
	int64_t best = max64(mem_lower_bound(g), mem_output_bytes(g));
	uint64_t *anc = ancestors(g, &W);
	if (!anc)
		return best;
	for (int v = 0; v < n; v++) {
		if (deadline > 0 && (v & 15) == 15 && now_s() > deadline)
			break; /* the max so far is a bound all the same */
		int64_t m = mem_op_footprint(g, v);
		for (int t = 0; t < g->ntensors; t++) {
			const Tensor *tt = &g->tensors[t];
			if (!is_anc(anc, W, tt->producer, v))
				continue;
			bool in = false;
			for (int i = 0; i < g->ops[v].nin && !in; i++)
				in = g->ops[v].in[i] == t;
			if (in)
				continue; /* counted in the footprint */
			bool live = tt->output;
			for (int i = 0; i < tt->ncons && !live; i++)
				live = is_anc(anc, W, v, tt->cons[i]);
			if (live)
				m += mem_held_bytes(g, t);
		}
		best = max64(best, m);
	}
	free(anc);
	return best;
}

double sched_clock(void)
{
	return now_s();
}

double sched_dp_deadline(double deadline, int nops)
{
	if (deadline <= 0)
		return 0;
	double left = deadline - now_s(), reserve = nops * DP_RESERVE_US * 1e-6;
	if (reserve > left / 2)
		reserve = left / 2;
	return deadline - (reserve > 0 ? reserve : 0);
}

int64_t sched_forced_bound(const Graph *g)
{
	return forced_bound(g, 0);
}

int sched_dp(const Graph *g, const DpOpts *opts, int *order, DpStats *st, Err *e)
{
	static const DpOpts defaults = {0};
	if (!opts)
		opts = &defaults;
	memset(st, 0, sizeof *st);
	int n = g->nops;
	if (n < 1)
		return err_set(e, "graph %s: no ops", g->name);
	double t0 = now_s();

	/* Heuristic orders of the whole graph; restricted to any piece, each
	 * is an order of that piece. */
	int *heur[3];
	for (int h = 0; h < 3; h++)
		heur[h] = xmalloc(n * sizeof *heur[h]);
	sched_file(g, heur[0]);
	sched_bfs(g, heur[1]);
	sched_dfs(g, heur[2]);

	int *cuts = xmalloc(n * sizeof *cuts);
	int ncuts = opts->no_split ? 0 : sched_cuts(g, cuts);
	/* Pieces end at cuts and at the last op.  Neighbouring pieces may be
	 * scheduled as one, so tiny ones are merged: a chain of thousands of
	 * ops is a few searches, not thousands. */
	int *ends = xmalloc((ncuts + 1) * sizeof *ends);
	int npieces = 0, start = 0;
	for (int i = 0; i < ncuts; i++)
		if (cuts[i] < n - 1 && cuts[i] - start + 1 >= NPIECE_MIN) {
			ends[npieces++] = cuts[i];
			start = cuts[i] + 1;
		}
	ends[npieces++] = n - 1;
	st->pieces = npieces;

	Search s = {0};
	s.opts = opts;
	s.stats = st;
	s.npieces = npieces;
	s.t0 = t0;
	s.deadline = opts->time_limit_s > 0 ? t0 + opts->time_limit_s : 0;
	if (opts->deadline > 0 && (s.deadline == 0 || opts->deadline < s.deadline))
		s.deadline = opts->deadline > t0 ? opts->deadline : t0; /* 0 would be none */
	s.obj.kind = opts->objective;
	s.obj.cap = opts->sram_bytes;
	s.obj.bw = opts->dma_bpc > 0 ? opts->dma_bpc : 1;
	s.obj.floor = opts->objective == DP_PEAK ? forced_bound(g, s.deadline) : 0;
	size_t budget = opts->max_state_bytes ? opts->max_state_bytes : DP_DEFAULT_STATE_BYTES;
	int64_t proven = s.obj.floor;
	bool optimal = true;
	int64_t value = 0; /* the objective over all pieces */

	int first = 0;
	int *local[6];
	for (int pi = 0; pi < npieces; pi++) {
		int last = ends[pi];
		Piece p;
		piece_build(g, first, last, &p);
		int m = p.m;
		/* Each heuristic restricted to the piece: its ops, in that order. */
		int nheur = 0;
		for (int h = 0; h < 3; h++) {
			local[nheur] = xmalloc(m * sizeof *local[nheur]);
			int k = 0;
			for (int i = 0; i < n; i++)
				if (heur[h][i] >= first && heur[h][i] <= last)
					local[nheur][k++] = heur[h][i] - first;
			nheur++;
		}
		s.obj.opc = opts->op_cycles ? opts->op_cycles + first : NULL;
		/* Greedy and beam when there is time for them. */
		local[nheur] = xmalloc(m * sizeof *local[nheur]);
		if (piece_greedy(&p, local[nheur], s.deadline))
			nheur++;
		else
			free(local[nheur]);
		local[nheur] = xmalloc(m * sizeof *local[nheur]);
		if (piece_beam(&p, NBEAM, &s.obj, local[nheur], s.deadline))
			nheur++;
		else
			free(local[nheur]);

		s.piece = pi;
		s.cap = budget / state_bytes((m + 63) / 64);
		if (s.cap < 1024)
			s.cap = 1024;
		bool popt = true;
		int64_t pproven = s.obj.floor, pk;
		if (s.deadline > 0 && now_s() > s.deadline) {
			/* Out of time: keep the best heuristic order. */
			pk = INT64_MAX;
			for (int h = 0; h < nheur; h++) {
				int64_t q = piece_value(&p, local[h], &s.obj);
				if (q < pk) {
					pk = q;
					memcpy(order + first, local[h], m * sizeof *order);
				}
			}
			popt = s.obj.kind == DP_PEAK && pk <= s.obj.floor;
			st->timed_out = true;
		} else {
			pk = solve_piece(&s, &p, (const int *const *)local, nheur, order + first,
					 &popt, &pproven);
		}
		for (int i = 0; i < m; i++)
			order[first + i] += first;
		optimal &= popt;
		proven = s.obj.kind == DP_PEAK ? max64(proven, pproven) : proven + pproven;
		/* Later pieces need not go below what this one proved. */
		if (popt && s.obj.kind == DP_PEAK)
			s.obj.floor = max64(s.obj.floor, pk);
		value = s.obj.kind == DP_PEAK ? max64(value, pk) : value + pk;
		for (int h = 0; h < nheur; h++)
			free(local[h]);
		piece_free(&p);
		first = last + 1;
	}
	report(&s, true);
	search_free(&s);
	st->proven_lower_bound = proven;
	st->optimal = optimal;
	st->objective_value = value;
	st->seconds = now_s() - t0;
	for (int h = 0; h < 3; h++)
		free(heur[h]);
	free(cuts);
	free(ends);
	if (mem_check_order(g, order, n, e))
		return -1;
	if (opts->objective != DP_PEAK) {
		assert(value >= proven);
		st->optimal = st->optimal || value <= proven;
		return 0;
	}
	int64_t peak = mem_peak(g, order, NULL);
	/* A bound above an order's peak would be a broken proof. */
	assert(peak >= st->proven_lower_bound);
	st->optimal = st->optimal || peak <= st->proven_lower_bound;
	if (st->optimal)
		st->proven_lower_bound = peak;
	st->objective_value = peak;
	return 0;
}
