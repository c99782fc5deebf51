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
 * seeded random orders (sizes jittered by up to 50%) with both fits.
 * Placement is quadratic in the buffers, so past a few thousand only the
 * first two orders run.
 */
#include "plan.h"

#include "rng.h"

#include <stdlib.h>
#include <string.h>

enum {
	NPLAN_FEW = 2000, /* above this many buffers, try fewer orders */
	NPLAN_TRIES = 64, /* seeded random orders after the fixed ones */
	NPLAN_QUICK = 600, /* plan_place_within: above this many, no random orders */
};

static int64_t up(int64_t x, int64_t a)
{
	return (x + a - 1) / a * a;
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

static bool live_together(const PlanBuf *a, const PlanBuf *b)
{
	return a->first <= b->last && b->first <= a->last;
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

static int off_cmp(const void *a, const void *b)
{
	const PlanBuf *x = *(const PlanBuf *const *)a, *y = *(const PlanBuf *const *)b;
	return (x->offset > y->offset) - (x->offset < y->offset);
}

/* Places buffers in order[]; returns the arena. */
static int64_t place(Plan *p, const int *order, bool best_fit)
{
	const PlanBuf **conf = malloc((size_t)(p->n > 0 ? p->n : 1) * sizeof *conf);
	if (!conf)
		abort();
	for (int i = 0; i < p->n; i++)
		p->buf[i].offset = -1;
	int64_t arena = 0;
	for (int k = 0; k < p->n; k++) {
		PlanBuf *b = &p->buf[order[k]];
		int64_t size = up(b->size, p->align);
		int nc = 0;
		for (int j = 0; j < p->n; j++)
			if (p->buf[j].offset >= 0 && live_together(b, &p->buf[j]))
				conf[nc++] = &p->buf[j];
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
	}
	free(conf);
	return arena;
}

static void order_by(const Plan *p, int how, const int64_t *breadth, int *order)
{
	Key *k = malloc((size_t)(p->n > 0 ? p->n : 1) * sizeof *k);
	if (!k)
		abort();
	for (int i = 0; i < p->n; i++) {
		const PlanBuf *b = &p->buf[i];
		int64_t len = b->last - b->first + 1, br = 0;
		if (how == 1)
			for (int s = b->first; s <= b->last; s++)
				br = breadth[s] > br ? breadth[s] : br;
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

static void place_best(Plan *p, int64_t limit, bool random);

void plan_place(Plan *p, PlanStrategy s)
{
	if (s == PLAN_BEST) {
		place_best(p, 0, true);
		return;
	}
	int *order = malloc((p->n ? p->n : 1) * sizeof *order);
	int64_t *breadth = calloc(p->steps + 1, sizeof *breadth);
	if (!order || !breadth)
		abort();
	for (int i = 0; i < p->n; i++)
		for (int t = p->buf[i].first; t <= p->buf[i].last; t++)
			breadth[t] += up(p->buf[i].size, p->align);
	order_by(p, 0, breadth, order);
	p->arena = place(p, order, false);
	free(order);
	free(breadth);
}

void plan_place_within(Plan *p, int64_t limit)
{
	if (p->n <= NPLAN_QUICK)
		place_best(p, 0, true);
	else
		place_best(p, limit, false);
}

/* PLAN_BEST, stopping once the arena is down to the live peak or to limit;
 * the random orders only when random is set. */
static void place_best(Plan *p, int64_t limit, bool random)
{
	int *order = malloc((p->n ? p->n : 1) * sizeof *order);
	int64_t *offs = malloc((p->n ? p->n : 1) * sizeof *offs);
	int64_t *breadth = calloc(p->steps + 1, sizeof *breadth);
	if (!order || !offs || !breadth)
		abort();
	for (int i = 0; i < p->n; i++)
		for (int t = p->buf[i].first; t <= p->buf[i].last; t++)
			breadth[t] += up(p->buf[i].size, p->align);
	int64_t peak = plan_live_peak(p), best = INT64_MAX;
	if (limit > peak)
		peak = limit; /* good enough: stop there */
	/* Placement is quadratic: on big graphs, only the two usual orders. */
	int hows = p->n > NPLAN_FEW ? 2 : 5;
	for (int how = 0; how < hows && best > peak; how++)
		for (int fit = 0; fit < 2 && best > peak; fit++) {
			order_by(p, how, breadth, order);
			int64_t a = place(p, order, fit);
			if (a < best) {
				best = a;
				for (int i = 0; i < p->n; i++)
					offs[i] = p->buf[i].offset;
			}
		}
	/* Still above the peak on a small problem: seeded random orders,
	 * larger buffers still tending to go first. */
	uint64_t seed = 0x5eed;
	for (int t = 0; random && p->n <= NPLAN_FEW && t < NPLAN_TRIES && best > peak; t++) {
		Key *k = malloc(p->n * sizeof *k);
		if (!k)
			abort();
		for (int i = 0; i < p->n; i++) {
			double jitter = 0.5 + rng_unit(&seed);
			k[i] = (Key){(int64_t)(p->buf[i].size * jitter), (int64_t)rng_below(&seed, 1000), i};
		}
		qsort(k, p->n, sizeof *k, key_cmp);
		for (int i = 0; i < p->n; i++)
			order[i] = k[i].i;
		free(k);
		int64_t a = place(p, order, t & 1);
		if (a < best) {
			best = a;
			for (int i = 0; i < p->n; i++)
				offs[i] = p->buf[i].offset;
		}
	}
	for (int i = 0; i < p->n; i++)
		p->buf[i].offset = offs[i];
	p->arena = p->n ? best : 0;
	free(order);
	free(offs);
	free(breadth);
}

int plan_check(const Plan *p, Err *e)
{
	for (int i = 0; i < p->n; i++) {
		const PlanBuf *a = &p->buf[i];
		if (a->offset < 0 || a->offset % p->align || a->offset + a->size > p->arena)
			return err_set(e, "buffer %d: offset %lld outside the arena of %lld", i,
				       (long long)a->offset, (long long)p->arena);
		for (int j = i + 1; j < p->n; j++) {
			const PlanBuf *b = &p->buf[j];
			if (live_together(a, b) && a->offset < b->offset + b->size &&
			    b->offset < a->offset + a->size)
				return err_set(e, "buffers %d and %d overlap at steps %d..%d", i, j,
					       a->first > b->first ? a->first : b->first,
					       a->last < b->last ? a->last : b->last);
		}
	}
	return 0;
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
