/* plan.c: SRAM offsets for buffers with lifetimes (interval colouring with
 * sizes, a dynamic storage allocation problem: NP-hard, so heuristics).
 *
 * Placement takes buffers one at a time in some order and puts each at an
 * offset where it overlaps, in space, no already placed buffer that is live
 * at the same time: first fit (the lowest such offset, TensorFlow Lite
 * Micro's choice) or best fit (the smallest gap that holds it, else the
 * top).  TFLite Micro orders buffers by size, largest first.  PLAN_BEST
 * tries that and four other orders (by the live bytes of the busiest step
 * in the buffer's lifetime, Pisarchyk and Lee's greedy by breadth; longest
 * lifetime first; largest size x lifetime first; earliest first) with both
 * fits, and keeps the smallest arena, stopping early when one reaches the
 * live-bytes peak, which no placement can beat.  If none does, it tries
 * seeded random orders (sizes jittered by up to 50%) with both fits.  Past
 * NPLAN_FEW buffers only the first two orders run.  A buffer of no bytes
 * takes no room: offset 0, in nobody's way.
 *
 * Cost.  A buffer's conflicts (the placed buffers live at some step of its
 * life) come from a segment tree over the steps (Lives) in O(log steps +
 * k), k the buffers whose lives meet its own, and are sorted by offset: on
 * chains and other graphs of bounded width, O(n log n) in all.  Where
 * thousands of buffers live at once, k grows with n and an order could
 * cost O(n^2): past NPLAN_FEW buffers each order gets a budget of visits,
 * O(n log n), and stops at Plan.deadline; when every order stops short,
 * the earliest-first order is placed by a sweep instead.  Taking buffers by
 * first step, a buffer's conflicts are exactly the blocks still live, so a
 * free list does: the live blocks in two treaps, by offset and by the hole
 * before each, make first fit and best fit O(log n) a buffer, with the
 * offsets the plain loop would give for that order.  plan_check sweeps the
 * steps the same way: a block being added can only overlap its neighbours
 * by offset among the live ones, so it compares with those two.
 */
#include "plan.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "rng.h"
#include "treap.h"

enum {
	NPLAN_FEW = 2000, /* above this many buffers, try fewer orders, on a budget */
	NPLAN_TRIES = 64, /* seeded random orders after the fixed ones */
	NPLAN_QUICK = 600, /* plan_place_within: above this many, no random orders */
	NPLAN_WORK = 16,  /* an order's budget: visits per buffer and level of log2 n */
	NPLAN_WORK_MIN = 1 << 24, /* and at least this many */
};

static int64_t up(int64_t x, int64_t a)
{
	return (x + a - 1) / a * a;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static bool past_deadline(const Plan *p)
{
	return p->deadline > 0 && now_s() > p->deadline;
}

void plan_init(Plan *p, int64_t align)
{
	memset(p, 0, sizeof *p);
	p->align = align > 0 ? align : 1;
}

void plan_free(Plan *p)
{
	free(p->buf);
	memset(p, 0, sizeof *p);
}

int plan_add(Plan *p, int64_t size, int first, int last, int tensor)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 64;
		p->buf = realloc(p->buf, p->cap * sizeof *p->buf);
		if (!p->buf)
			abort();
	}
	p->buf[p->n] = (PlanBuf){size, first, last, -1, tensor};
	if (last + 1 > p->steps)
		p->steps = last + 1;
	return p->n++;
}

const char *plan_strategy_name(PlanStrategy s)
{
	return s == PLAN_GREEDY_SIZE ? "greedy-by-size" : s == PLAN_BEST ? "best" : "?";
}

int64_t plan_live_peak(const Plan *p)
{
	int64_t *d = calloc(p->steps + 1, sizeof *d), peak = 0, cur = 0;
	if (!d)
		abort();
	for (int i = 0; i < p->n; i++) {
		d[p->buf[i].first] += up(p->buf[i].size, p->align);
		d[p->buf[i].last + 1] -= up(p->buf[i].size, p->align);
	}
	for (int s = 0; s < p->steps; s++) {
		cur += d[s];
		peak = cur > peak ? cur : peak;
	}
	free(d);
	return peak;
}

/* Buffer indices sorted by first step (by_last: by last step), ties in
 * index order: a counting sort. */
static int *by_step(const Plan *p, bool by_last)
{
	int *cnt = xcalloc((size_t)p->steps + 1, sizeof *cnt);
	int *out = xmalloc((size_t)(p->n > 0 ? p->n : 1) * sizeof *out);
	for (int i = 0; i < p->n; i++)
		cnt[(by_last ? p->buf[i].last : p->buf[i].first) + 1]++;
	for (int s = 0; s < p->steps; s++)
		cnt[s + 1] += cnt[s];
	for (int i = 0; i < p->n; i++)
		out[cnt[by_last ? p->buf[i].last : p->buf[i].first]++] = i;
	free(cnt);
	return out;
}

static int log2_up(int64_t n)
{
	int k = 0;
	while (((int64_t)1 << k) < n)
		k++;
	return k;
}

/* ---- who is live when ---- */

/* The buffers by first step, and a segment tree over the steps whose
 * nodes list the buffers that cover their whole range (each buffer in at
 * most 2 log2(steps) nodes): the buffers whose lives meet [f, l] are those
 * starting in it and those covering a node on the path to leaf f. */
typedef struct Lives {
	int leaves;    /* a power of two >= steps */
	int *node_beg; /* node k's buffers: node_buf[node_beg[k] .. node_beg[k + 1]) */
	int *node_buf;
	int *step_beg; /* buffers starting at step s: byfirst[step_beg[s] .. step_beg[s + 1]) */
	int *byfirst;
} Lives;

/* The nodes whose ranges make up [first, last]; returns how many. */
static int cover(const Lives *lv, int first, int last, int *node)
{
	int k = 0;
	for (int lo = first + lv->leaves, hi = last + lv->leaves + 1; lo < hi; lo >>= 1, hi >>= 1) {
		if (lo & 1)
			node[k++] = lo++;
		if (hi & 1)
			node[k++] = --hi;
	}
	return k;
}

static void lives_build(const Plan *p, Lives *lv)
{
	int steps = p->steps > 0 ? p->steps : 1, node[64];
	lv->leaves = 1 << log2_up(steps);
	lv->node_beg = xcalloc(2 * (size_t)lv->leaves + 1, sizeof *lv->node_beg);
	for (int i = 0; i < p->n; i++)
		for (int k = cover(lv, p->buf[i].first, p->buf[i].last, node); k-- > 0;)
			lv->node_beg[node[k] + 1]++;
	for (int k = 0; k < 2 * lv->leaves; k++)
		lv->node_beg[k + 1] += lv->node_beg[k];
	int *at = xmalloc(2 * (size_t)lv->leaves * sizeof *at);
	memcpy(at, lv->node_beg, 2 * (size_t)lv->leaves * sizeof *at);
	lv->node_buf = xmalloc(((size_t)lv->node_beg[2 * lv->leaves] + 1) * sizeof *lv->node_buf);
	for (int i = 0; i < p->n; i++)
		for (int k = cover(lv, p->buf[i].first, p->buf[i].last, node); k-- > 0;)
			lv->node_buf[at[node[k]]++] = i;
	free(at);
	lv->byfirst = by_step(p, false);
	lv->step_beg = xcalloc((size_t)steps + 1, sizeof *lv->step_beg);
	for (int i = 0; i < p->n; i++)
		lv->step_beg[p->buf[i].first + 1]++;
	for (int s = 0; s < steps; s++)
		lv->step_beg[s + 1] += lv->step_beg[s];
}

static void lives_free(Lives *lv)
{
	free(lv->node_beg);
	free(lv->node_buf);
	free(lv->step_beg);
	free(lv->byfirst);
}

/* The placed buffers of some bytes whose lives meet [f, l], into conf;
 * the buffers looked at are added to *work. */
static int conflicts(const Plan *p, const Lives *lv, int f, int l, const PlanBuf **conf,
		     int64_t *work)
{
	int nc = 0;
	for (int k = lv->step_beg[f]; k < lv->step_beg[l + 1]; k++) {
		const PlanBuf *c = &p->buf[lv->byfirst[k]];
		if (c->offset >= 0 && c->size > 0)
			conf[nc++] = c;
	}
	*work += lv->step_beg[l + 1] - lv->step_beg[f] + 1;
	for (int node = f + lv->leaves; node >= 1; node >>= 1) {
		for (int k = lv->node_beg[node]; k < lv->node_beg[node + 1]; k++) {
			const PlanBuf *c = &p->buf[lv->node_buf[k]];
			if (c->first < f && c->offset >= 0 && c->size > 0)
				conf[nc++] = c; /* the ones starting at f came above */
		}
		*work += lv->node_beg[node + 1] - lv->node_beg[node] + 1;
	}
	return nc;
}

/* What conflicts() visits over all buffers: the same in every order, so
 * known before placing. */
static int64_t visits(const Plan *p, const Lives *lv)
{
	int64_t *path = xcalloc(2 * (size_t)lv->leaves, sizeof *path), v = 0;
	for (int k = 1; k < 2 * lv->leaves; k++)
		path[k] = (k > 1 ? path[k / 2] : 0) + lv->node_beg[k + 1] - lv->node_beg[k] + 1;
	for (int i = 0; i < p->n; i++) {
		const PlanBuf *b = &p->buf[i];
		v += lv->step_beg[b->last + 1] - lv->step_beg[b->first] + 1 +
		     path[b->first + lv->leaves];
	}
	free(path);
	return v;
}

/* ---- placement ---- */

typedef struct Key {
	int64_t k1, k2;
	int i;
} Key;

static int key_cmp(const void *a, const void *b)
{
	const Key *x = a, *y = b;
	if (x->k1 != y->k1)
		return x->k1 > y->k1 ? -1 : 1; /* descending */
	if (x->k2 != y->k2)
		return x->k2 > y->k2 ? -1 : 1;
	return x->i - y->i;
}

/* By offset, ties in index order (as a stable sort of the buffers would
 * leave them). */
static int off_cmp(const void *a, const void *b)
{
	const PlanBuf *x = *(const PlanBuf *const *)a, *y = *(const PlanBuf *const *)b;
	if (x->offset != y->offset)
		return (x->offset > y->offset) - (x->offset < y->offset);
	return (x > y) - (x < y);
}

/* Places buffers in order[]; returns the arena, or -1 when it ran past
 * the deadline. */
static int64_t place(Plan *p, const Lives *lv, const int *order, bool best_fit)
{
	const PlanBuf **conf = xmalloc((size_t)(p->n > 0 ? p->n : 1) * sizeof *conf);
	for (int i = 0; i < p->n; i++)
		p->buf[i].offset = -1;
	int64_t arena = 0, work = 0;
	for (int k = 0; k < p->n && arena >= 0; k++) {
		PlanBuf *b = &p->buf[order[k]];
		int64_t size = up(b->size, p->align);
		if (size == 0) {
			b->offset = 0;
			continue;
		}
		int nc = conflicts(p, lv, b->first, b->last, conf, &work);
		qsort(conf, nc, sizeof *conf, off_cmp);
		int64_t at = 0, best = -1, best_gap = INT64_MAX;
		for (int j = 0; j < nc; j++) {
			int64_t gap = conf[j]->offset - at;
			if (gap >= size) {
				if (!best_fit) {
					best = at;
					break;
				}
				if (gap < best_gap) {
					best_gap = gap;
					best = at;
				}
			}
			int64_t end = up(conf[j]->offset + conf[j]->size, p->align);
			at = end > at ? end : at;
		}
		b->offset = best >= 0 ? best : at;
		if (b->offset + size > arena)
			arena = b->offset + size;
		if ((k & 1023) == 1023 && past_deadline(p))
			arena = -1;
	}
	p->work += work;
	free(conf);
	return arena;
}

/* The sweep: the live blocks of some bytes by offset, each valued by the
 * hole below it (down to the block before, or to 0), and for best fit by
 * that hole. */
typedef struct Sweep {
	const Plan *p;
	int64_t *hole;
	bool best_fit;
	Treap off, gap;
} Sweep;

static int64_t block_end(const Plan *p, int x)
{
	return x < 0 ? 0 : up(p->buf[x].offset + p->buf[x].size, p->align);
}

/* Block x, placed, enters. */
static void sweep_enter(Sweep *sw, int x)
{
	int64_t o = sw->p->buf[x].offset;
	sw->hole[x] = o - block_end(sw->p, treap_prev(&sw->off, o, 0, x));
	treap_insert(&sw->off, x, o, 0, sw->hole[x]);
	if (sw->best_fit)
		treap_insert(&sw->gap, x, sw->hole[x], o, sw->hole[x]);
}

static void sweep_leave(Sweep *sw, int x)
{
	treap_erase(&sw->off, x);
	if (sw->best_fit)
		treap_erase(&sw->gap, x);
}

/* The block above x (a member or not) has a new hole below it. */
static void sweep_rehole(Sweep *sw, int x)
{
	int s = treap_next(&sw->off, sw->p->buf[x].offset, 0, x);
	if (s < 0)
		return;
	int64_t o = sw->p->buf[s].offset;
	int64_t h = o - block_end(sw->p, treap_prev(&sw->off, o, 0, s));
	if (h == sw->hole[s])
		return;
	treap_set(&sw->off, s, h);
	if (sw->best_fit) {
		treap_erase(&sw->gap, s);
		treap_insert(&sw->gap, s, h, o, h);
	}
	sw->hole[s] = h;
}

/* Places buffers in order[], which must be by first step: the blocks live
 * at a buffer's first step are its conflicts.  A buffer that would reach
 * past limit (0: none) is left out, offset -1.  Returns the arena. */
static int64_t place_sweep(Plan *p, const int *order, bool best_fit, int64_t limit)
{
	int n = p->n;
	int64_t work = 0, arena = 0;
	Sweep sw = {p, xmalloc((size_t)(n > 0 ? n : 1) * sizeof *sw.hole), best_fit, {0}, {0}};
	treap_init(&sw.off, n);
	treap_init(&sw.gap, best_fit ? n : 0);
	sw.off.work = sw.gap.work = &work;
	int *bylast = by_step(p, true);
	for (int i = 0; i < n; i++)
		p->buf[i].offset = -1;
	for (int k = 0, j = 0; k < n; k++) {
		PlanBuf *b = &p->buf[order[k]];
		/* ended before b starts: placed already, as order is by first step */
		for (; j < n && p->buf[bylast[j]].last < b->first; j++)
			if (p->buf[bylast[j]].size > 0 && p->buf[bylast[j]].offset >= 0) {
				sweep_leave(&sw, bylast[j]);
				sweep_rehole(&sw, bylast[j]);
			}
		int64_t size = up(b->size, p->align);
		if (size == 0) {
			b->offset = 0;
			continue;
		}
		int y = treap_first_reaching(best_fit ? &sw.gap : &sw.off, size);
		b->offset = y >= 0 ? p->buf[y].offset - sw.hole[y] : block_end(p, treap_last(&sw.off));
		if (limit > 0 && b->offset + size > limit) {
			b->offset = -1;
			continue;
		}
		sweep_enter(&sw, order[k]);
		sweep_rehole(&sw, order[k]);
		if (b->offset + size > arena)
			arena = b->offset + size;
	}
	p->work += work + n;
	free(bylast);
	free(sw.hole);
	treap_free(&sw.off);
	treap_free(&sw.gap);
	return arena;
}

/* breadth: a max segment tree over the live bytes per step (leaves from
 * lv->leaves); NULL when the order does not need it. */
static void order_by(const Plan *p, int how, const Lives *lv, const int64_t *breadth, int *order)
{
	Key *k = xmalloc((size_t)(p->n > 0 ? p->n : 1) * sizeof *k);
	for (int i = 0; i < p->n; i++) {
		const PlanBuf *b = &p->buf[i];
		int64_t len = b->last - b->first + 1, br = 0;
		if (how == 1)
			for (int lo = b->first + lv->leaves, hi = b->last + lv->leaves + 1; lo < hi;
			     lo >>= 1, hi >>= 1) {
				if (lo & 1)
					br = breadth[lo] > br ? breadth[lo] : br, lo++;
				if (hi & 1)
					--hi, br = breadth[hi] > br ? breadth[hi] : br;
			}
		switch (how) {
		case 0: k[i] = (Key){b->size, len, i}; break;            /* TFLite Micro */
		case 1: k[i] = (Key){br, b->size, i}; break;             /* greedy by breadth */
		case 2: k[i] = (Key){len, b->size, i}; break;
		case 3: k[i] = (Key){b->size * len, b->size, i}; break;
		default: k[i] = (Key){-b->first, b->size, i}; break;
		}
	}
	qsort(k, p->n, sizeof *k, key_cmp);
	for (int i = 0; i < p->n; i++)
		order[i] = k[i].i;
	free(k);
}

enum { HOW_EARLIEST = 4 };

/* The live bytes per step, as a max segment tree over lv's leaves. */
static int64_t *breadth_tree(const Plan *p, const Lives *lv)
{
	int64_t *t = xcalloc(2 * (size_t)lv->leaves + 1, sizeof *t), cur = 0;
	for (int i = 0; i < p->n; i++) {
		t[lv->leaves + p->buf[i].first] += up(p->buf[i].size, p->align);
		t[lv->leaves + p->buf[i].last + 1] -= up(p->buf[i].size, p->align);
	}
	for (int s = 0; s < lv->leaves; s++) {
		cur += t[lv->leaves + s];
		t[lv->leaves + s] = cur;
	}
	t[2 * lv->leaves] = 0;
	for (int k = lv->leaves - 1; k >= 1; k--)
		t[k] = t[2 * k] > t[2 * k + 1] ? t[2 * k] : t[2 * k + 1];
	return t;
}

/* Whether the orders' plain loop is within budget: always on small
 * problems (their results, whatever they cost), within O(n log n) visits
 * (or a few million, a fraction of a second) on big ones. */
static bool affordable(const Plan *p, const Lives *lv)
{
	int64_t budget = (int64_t)NPLAN_WORK * p->n * (log2_up(p->n) + 1);
	return p->n <= NPLAN_FEW || visits(p, lv) <= (budget > NPLAN_WORK_MIN ? budget : NPLAN_WORK_MIN);
}

/* Earliest first by the sweep, the fits as asked (both: the better);
 * marks the plan as fallen back. */
static void place_fallback(Plan *p, int *order, bool both)
{
	order_by(p, HOW_EARLIEST, NULL, NULL, order);
	int64_t a = place_sweep(p, order, false, 0);
	if (both && a > plan_live_peak(p)) {
		int64_t *offs = xmalloc((size_t)p->n * sizeof *offs);
		for (int i = 0; i < p->n; i++)
			offs[i] = p->buf[i].offset;
		int64_t c = place_sweep(p, order, true, 0);
		if (c >= a)
			for (int i = 0; i < p->n; i++)
				p->buf[i].offset = offs[i];
		a = c < a ? c : a;
		free(offs);
	}
	p->arena = p->n ? a : 0;
	p->fallback = true;
}

static void place_best(Plan *p, int64_t limit, bool random);

void plan_place_capped(Plan *p, int64_t limit)
{
	p->work = 0;
	p->fallback = true;
	int *order = xmalloc((size_t)(p->n ? p->n : 1) * sizeof *order);
	order_by(p, HOW_EARLIEST, NULL, NULL, order);
	p->arena = p->n ? place_sweep(p, order, false, limit) : 0;
	free(order);
}

void plan_place(Plan *p, PlanStrategy s)
{
	p->work = 0;
	p->fallback = false;
	if (s == PLAN_BEST) {
		place_best(p, 0, true);
		return;
	}
	int *order = xmalloc((size_t)(p->n ? p->n : 1) * sizeof *order);
	Lives lv;
	lives_build(p, &lv);
	order_by(p, 0, &lv, NULL, order);
	p->arena = affordable(p, &lv) ? place(p, &lv, order, false) : -1;
	if (p->arena < 0)
		place_fallback(p, order, false);
	lives_free(&lv);
	free(order);
}

void plan_place_within(Plan *p, int64_t limit)
{
	p->work = 0;
	p->fallback = false;
	if (p->n <= NPLAN_QUICK)
		place_best(p, 0, true);
	else
		place_best(p, limit, false);
}

/* PLAN_BEST, stopping once the arena is down to the live peak or to limit;
 * the random orders only when random is set. */
static void place_best(Plan *p, int64_t limit, bool random)
{
	int *order = xmalloc((size_t)(p->n ? p->n : 1) * sizeof *order);
	int64_t *offs = xmalloc((size_t)(p->n ? p->n : 1) * sizeof *offs);
	Lives lv;
	lives_build(p, &lv);
	int64_t *breadth = breadth_tree(p, &lv);
	int64_t peak = plan_live_peak(p), best = INT64_MAX;
	if (limit > peak)
		peak = limit; /* good enough: stop there */
	/* Big problems: the two usual orders, when affordable. */
	int hows = !affordable(p, &lv) ? 0 : p->n > NPLAN_FEW ? 2 : 5;
	for (int how = 0; how < hows && best > peak; how++) {
		if (best < INT64_MAX && past_deadline(p))
			break;
		order_by(p, how, &lv, breadth, order);
		for (int fit = 0; fit < 2 && best > peak; fit++) {
			int64_t a = place(p, &lv, order, fit);
			if (a < 0)
				break; /* out of time */
			if (a < best) {
				best = a;
				for (int i = 0; i < p->n; i++)
					offs[i] = p->buf[i].offset;
			}
		}
	}
	/* Still above the peak on a small problem: seeded random orders,
	 * larger buffers still tending to go first. */
	uint64_t seed = 0x5eed;
	for (int t = 0; random && p->n <= NPLAN_FEW && t < NPLAN_TRIES && best > peak; t++) {
		if (past_deadline(p))
			break;
		Key *k = xmalloc((size_t)p->n * sizeof *k);
		for (int i = 0; i < p->n; i++) {
			double jitter = 0.5 + rng_unit(&seed);
			k[i] = (Key){(int64_t)(p->buf[i].size * jitter), (int64_t)rng_below(&seed, 1000), i};
		}
		qsort(k, p->n, sizeof *k, key_cmp);
		for (int i = 0; i < p->n; i++)
			order[i] = k[i].i;
		free(k);
		int64_t a = place(p, &lv, order, t & 1);
		if (a >= 0 && a < best) {
			best = a;
			for (int i = 0; i < p->n; i++)
				offs[i] = p->buf[i].offset;
		}
	}
	if (best == INT64_MAX && p->n) {
		place_fallback(p, order, true); /* every order stopped short */
	} else {
		for (int i = 0; i < p->n; i++)
			p->buf[i].offset = offs[i];
		p->arena = p->n ? best : 0;
	}
	lives_free(&lv);
	free(order);
	free(offs);
	free(breadth);
}

/* ---- checking ---- */

static bool share_bytes(const PlanBuf *a, const PlanBuf *b)
{
	return a->offset < b->offset + b->size && b->offset < a->offset + a->size;
}

int plan_check(const Plan *p, Err *e)
{
	for (int i = 0; i < p->n; i++) {
		const PlanBuf *a = &p->buf[i];
		if (a->offset < 0 || a->offset % p->align || a->offset + a->size > p->arena)
			return err_set(e, "buffer %d: offset %lld outside the arena of %lld", i,
				       (long long)a->offset, (long long)p->arena);
	}
	int *byfirst = by_step(p, false), *bylast = by_step(p, true), rc = 0;
	/* the live blocks by offset, then size (so end), then index: among
	 * blocks that pairwise share no byte, one that shares a byte with a
	 * newcomer is next to it in that order */
	Treap live;
	treap_init(&live, p->n);
	for (int k = 0, j = 0; k < p->n && !rc; k++) {
		int i = byfirst[k];
		const PlanBuf *a = &p->buf[i];
		for (; j < p->n && p->buf[bylast[j]].last < a->first; j++)
			treap_erase(&live, bylast[j]);
		int q = treap_prev(&live, a->offset, a->size, i);
		int s = treap_next(&live, a->offset, a->size, i);
		int o = q >= 0 && share_bytes(a, &p->buf[q]) ? q
			: s >= 0 && share_bytes(a, &p->buf[s]) ? s
							       : -1;
		if (o >= 0) {
			const PlanBuf *b = &p->buf[o];
			rc = err_set(e, "buffers %d and %d overlap at steps %d..%d", o < i ? o : i,
				     o < i ? i : o, a->first > b->first ? a->first : b->first,
				     a->last < b->last ? a->last : b->last);
		}
		treap_insert(&live, i, a->offset, a->size, 0);
	}
	treap_free(&live);
	free(byfirst);
	free(bylast);
	return rc;
}

void plan_from_schedule(Plan *p, const Graph *g, const int *order)
{
	int *step = malloc((g->nops ? g->nops : 1) * sizeof *step);
	if (!step)
		abort();
	for (int i = 0; i < g->nops; i++)
		step[order[i]] = i;
	for (int t = 0; t < g->ntensors; t++) {
		const Tensor *tt = &g->tensors[t];
		if (tt->bytes == 0)
			continue;
		int first = step[tt->producer], last = first;
		for (int i = 0; i < tt->ncons; i++)
			last = step[tt->cons[i]] > last ? step[tt->cons[i]] : last;
		if (tt->output)
			last = g->nops - 1;
		plan_add(p, tt->bytes, first, last, t);
	}
	free(step);
}

void plan_print(const Plan *p, const Graph *g, FILE *f)
{
	fprintf(f, "# arena %lld bytes, live peak %lld, %d buffers, alignment %lld\n",
		(long long)p->arena, (long long)plan_live_peak(p), p->n, (long long)p->align);
	fprintf(f, "# offset size first last tensor\n");
	for (int i = 0; i < p->n; i++) {
		const PlanBuf *b = &p->buf[i];
		fprintf(f, "%lld %lld %d %d %s\n", (long long)b->offset, (long long)b->size, b->first,
			b->last, g && b->tensor >= 0 ? g->tensors[b->tensor].name : "-");
	}
}
