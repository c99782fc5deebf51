/* offchip.c: the off-chip plan.
 *
 * Memory model of the NPU: compute reads its operands from SRAM or, streamed
 * by the DMA, straight from DRAM, and writes its result to either; weights
 * always stream from DRAM; the DMA moves tensors between the two (LOAD,
 * STORE).  Graph inputs start in DRAM and graph outputs end there: those,
 * with the weights, are the compulsory traffic.
 *
 * A tensor's uses are its producer's step and its readers' steps.  The plan
 * says, per use, whether the tensor is in SRAM there ("covered"); a run of
 * covered uses is a segment, one SRAM buffer from its first use to its
 * last.  A segment holds the tensor's head: all of it, or under partial
 * residency its first channels, the rest (the tail) living in DRAM from
 * the producer on.  A head produced into SRAM that DRAM must ever hold (a
 * graph output, a reader that streams it, a segment that reloads it) is
 * STOREd once, right after it is made; a segment that does not start at
 * the producer is LOADed before its first reader; a reader outside every
 * segment streams the tensor from DRAM.  Traffic per tensor follows: head
 * bytes once for the store (or the producer writing DRAM), per reload and
 * per streaming read; tail bytes once written and once per read.
 *
 * Three planners, the best kept (partial residency is described at
 * plan_part, below):
 * - whole (OFFCHIP_WHOLE): a tensor is covered at all its uses or none.
 *   While the best placement (plan.c) spans more than the SRAM, take the
 *   over-full steps (live bytes past the SRAM, else the steps of buffers
 *   placed past its end) and evict the tensor with the least added traffic
 *   per byte-step of relief.
 * - split (OFFCHIP_SPLIT), live-range splitting, Belady-like: tensors
 *   larger than the SRAM are never covered.  Then, at the first step whose
 *   live bytes exceed the SRAM, every segment live there is a candidate
 *   cut: if the step is one of its uses, that use leaves SRAM (the reader
 *   streams, or the producer writes DRAM), else the segment is split at
 *   the step (spilled after the use before it, reloaded for the use after
 *   it).  A cut relieves, at each step it frees, the lesser of the buffer
 *   and the excess there; it costs the traffic it adds (nothing for a
 *   single-reader reload turned into streaming; a store and a load for a
 *   first spill).  The cut with the most relief per byte of traffic is
 *   made, which for equal sizes is Belady's "the next use furthest away".
 *   When the live bytes fit, the placement is tried and, while it does not
 *   fit (fragmentation), the same cut is made at the first step of a
 *   buffer placed past the end, the excess being how far past.  Every cut
 *   removes SRAM steps, so both loops end.  A segment left holding only
 *   the producer is dropped when DRAM gets the tensor anyway.  Splitting
 *   runs in four variants (cut at the first or at the busiest over-full
 *   step; relief as the excess met, or as Belady's bytes x steps freed)
 *   and keeps the best.
 * - part (OFFCHIP_PART): partial residency, packed exactly (ivpack.c).
 * All then refill: two consecutive uses of a tensor not in one segment
 * are joined (with the segments they are in) when that moves fewer bytes
 * and the joined buffer fits the placement with everything else where it
 * is.  Early cuts can turn out needless once later ones are made, and
 * whole-life evictions leave room around the busy steps: refill takes
 * both back.  The best of the three plans is kept, so splitting and
 * partial residency never cost more than whole-life eviction.  Last, a
 * segment LOADed for a single reader becomes streaming: the same bytes,
 * without the transfer and the SYNC in the reader's way.
 *
 * Cost.  Each eviction or cut of whole and split looks at every tensor and
 * places the buffers again, refill tries every gap against every buffer,
 * and the packing is a min-cost flow with a Dijkstra per augmenting path:
 * all superlinear (random:4000 at 64 KiB: about 9 s; 8000: minutes).  So
 * they run up to OFFCHIP_EXACT_MAX tensors and stop at a deadline
 * (offchip_plan_until), and a fourth planner stands in:
 * - sweep (OFFCHIP_SWEEP), O(n log n): tensors that fit the SRAM are
 *   covered whole; one pass over the steps keeps the live ones in a heap
 *   by relief per byte of traffic (bytes x life over the traffic their
 *   eviction adds) and, while the live bytes exceed the SRAM, evicts the
 *   top one whole; then the earliest-first first-fit sweep of plan.c
 *   places them, evicting those that would reach past the end.  Beyond
 *   OFFCHIP_EXACT_MAX tensors it is the plan; when the deadline cuts the
 *   others short, the best of it and of those that finished.
 */
#include "offchip.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ivpack.h"

enum { NREFILL = 8 }; /* refill passes at most */

typedef struct Ctx {
	const Graph *g;
	int steps;
	int64_t sram, align;
	int *beg;      /* per tensor: its uses are [beg[t], beg[t+1]) */
	int *ustep;    /* per use: its step; the producer first, readers ascending */
	int *mult;     /* per use: streaming reads (a concat copying t twice: 2) */
	bool *cov;     /* per use: t in SRAM there (the producer: writes it there) */
	bool *brk;     /* per use: a segment starts here after a spill */
	int64_t *head; /* per tensor: bytes its segments hold (its first channels); the
	                * rest, its tail, lives in DRAM (partial residency) */
	int64_t *size; /* per tensor: head rounded up to align */
	int how;       /* split variant: OFF_BUSIEST, OFF_LENGTH bits */
	double deadline; /* CLOCK_MONOTONIC seconds, 0: none */
	bool late;     /* the deadline passed: the method stopped short */
	int64_t work;  /* sweep: uses, heap and tree nodes visited */
} Ctx;

enum {
	OFF_BUSIEST = 1, /* cut at the busiest over-full step, not the first */
	OFF_LENGTH = 2,  /* relief: bytes x steps freed (Belady), not the excess met */
	NVARIANT = 4,
};

/* A candidate cut of the segment of t around a step. */
typedef struct Cut {
	int t, use;    /* the use uncovered, or the use the new segment starts at */
	bool uncover;
	int lo, hi;    /* steps it frees, inclusive */
} Cut;

void offchip_free(OffchipPlan *p)
{
	free(p->in_sram);
	free(p->offset);
	free(p->seg);
	free(p->seg_begin);
	free(p->in_dram);
	free(p->store);
	free(p->head);
	memset(p, 0, sizeof *p);
}

const char *offchip_method_name(OffchipMethod m)
{
	return m == OFFCHIP_SPLIT   ? "split"
	       : m == OFFCHIP_PART  ? "part"
	       : m == OFFCHIP_SWEEP ? "sweep"
				    : "whole";
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Past the deadline (and it stays so). */
static bool late(Ctx *c)
{
	if (!c->late && c->deadline > 0 && now_s() > c->deadline)
		c->late = true;
	return c->late;
}

int64_t offchip_read_bytes(const OffchipPlan *p)
{
	return p->weight_read + p->act_read;
}

int64_t offchip_write_bytes(const OffchipPlan *p)
{
	return p->act_write;
}

int64_t offchip_spill_bytes(const OffchipPlan *p)
{
	return p->weight_read + p->act_read + p->act_write - p->compulsory;
}

int offchip_seg_at(const OffchipPlan *p, int t, int step)
{
	for (int k = p->seg_begin[t]; k < p->seg_begin[t + 1]; k++)
		if (p->seg[k].first <= step && step <= p->seg[k].last)
			return k;
	return -1;
}

int offchip_check(const OffchipPlan *p, Err *e)
{
	Plan pl;
	plan_init(&pl, 1);
	for (int k = 0; k < p->nseg; k++) {
		const OffchipSeg *s = &p->seg[k];
		int i = plan_add(&pl, p->head[s->tensor], s->first, s->last, s->tensor);
		pl.buf[i].offset = s->offset;
	}
	pl.arena = p->sram_bytes;
	int rc = plan_check(&pl, e);
	plan_free(&pl);
	return rc;
}

static bool is_input(const Graph *g, int t)
{
	return g->ops[g->tensors[t].producer].kind == OP_INPUT;
}

static void set_head(Ctx *c, int t, int64_t head)
{
	c->head[t] = head;
	c->size[t] = (head + c->align - 1) / c->align * c->align;
}

static void ctx_init(Ctx *c, const Graph *g, const int *order, int64_t sram, int64_t align)
{
	int nuse = g->ntensors;
	for (int t = 0; t < g->ntensors; t++)
		nuse += g->tensors[t].ncons;
	memset(c, 0, sizeof *c);
	c->g = g;
	c->steps = g->nops;
	c->sram = sram;
	c->align = align > 0 ? align : 1;
	c->beg = xcalloc(g->ntensors + 1, sizeof *c->beg);
	c->ustep = xcalloc(nuse + 1, sizeof *c->ustep);
	c->mult = xcalloc(nuse + 1, sizeof *c->mult);
	c->cov = xcalloc(nuse + 1, sizeof *c->cov);
	c->brk = xcalloc(nuse + 1, sizeof *c->brk);
	c->head = xcalloc(g->ntensors + 1, sizeof *c->head);
	c->size = xcalloc(g->ntensors + 1, sizeof *c->size);
	/* each tensor's uses: its producer, then its readers as the order
	 * reaches them (so by step), a reader reading it twice once */
	int *fill = xcalloc(g->ntensors + 1, sizeof *fill);
	for (int t = 0, u = 0; t < g->ntensors; t++) {
		c->beg[t] = u;
		fill[t] = u + 1;
		set_head(c, t, g->tensors[t].bytes);
		u += 1 + g->tensors[t].ncons;
	}
	c->beg[g->ntensors] = nuse;
	for (int i = 0; i < g->nops; i++) {
		const Op *op = &g->ops[order[i]];
		for (int k = 0; k < op->nout; k++) {
			c->ustep[c->beg[op->out[k]]] = i;
			c->mult[c->beg[op->out[k]]] = 1;
		}
		for (int k = 0; k < op->nin; k++) {
			int t = op->in[k], u = fill[t] - 1;
			if (u > c->beg[t] && c->ustep[u] == i) { /* read again */
				c->mult[u] += op->kind == OP_CONCAT;
				continue;
			}
			c->ustep[++u] = i;
			c->mult[u] = 1;
			fill[t] = u + 1;
		}
	}
	free(fill);
}

static void ctx_free(Ctx *c)
{
	free(c->beg);
	free(c->ustep);
	free(c->mult);
	free(c->cov);
	free(c->brk);
	free(c->head);
	free(c->size);
}

/* Covers every use of t, or none. */
static void cover_all(Ctx *c, int t, bool on)
{
	for (int u = c->beg[t]; u < c->beg[t + 1]; u++) {
		c->cov[u] = on && c->head[t] > 0;
		c->brk[u] = false;
	}
}

/* Does use u start a segment? */
static bool starts(const Ctx *c, int t, int u)
{
	return c->cov[u] && (u == c->beg[t] || !c->cov[u - 1] || c->brk[u]);
}

/* The last use of t's segment that starts at use u. */
static int seg_last(const Ctx *c, int t, int u)
{
	int end = c->beg[t + 1];
	while (u + 1 < end && c->cov[u + 1] && !c->brk[u + 1])
		u++;
	return u;
}

/* t's DRAM traffic under the coverage; returns whether DRAM holds its
 * head (its tail is always there). */
static bool traffic(const Ctx *c, int t, int64_t *rd, int64_t *wr)
{
	const Tensor *tt = &c->g->tensors[t];
	int b = c->beg[t];
	bool input = is_input(c->g, t);
	int64_t head = c->head[t], tail = tt->bytes - head;
	bool dram = input || tt->output || !c->cov[b];
	*rd = *wr = 0;
	for (int u = b + 1; u < c->beg[t + 1]; u++) {
		*rd += tail * c->mult[u]; /* the tail streams at every read */
		if (!c->cov[u]) {
			dram = true;
			*rd += head * c->mult[u]; /* streamed */
		} else if (starts(c, t, u)) {
			dram = true;
			*rd += head; /* reloaded */
		}
	}
	if (input && c->cov[b])
		*rd += head; /* loaded */
	if (!input) /* stored, or written there by its producer */
		*wr += (dram ? head : 0) + tail;
	return dram;
}

static int64_t cost_of(const Ctx *c, int t)
{
	int64_t rd, wr;
	traffic(c, t, &rd, &wr);
	return rd + wr;
}

/* The segment of t live at step s: its first and last use, or false. */
static bool seg_around(const Ctx *c, int t, int s, int *i, int *j)
{
	int end = c->beg[t + 1];
	for (int u = c->beg[t]; u < end; u++) {
		if (!starts(c, t, u))
			continue;
		int v = seg_last(c, t, u);
		if (c->ustep[u] <= s && s <= c->ustep[v]) {
			*i = u;
			*j = v;
			return true;
		}
		u = v;
	}
	return false;
}

/* A segment of just the producer is no use when DRAM gets the tensor
 * anyway (a graph input: its load is wasted; else the producer may as
 * well write DRAM): drop it. */
static void tidy(Ctx *c, int t)
{
	int b = c->beg[t], e = c->beg[t + 1];
	if (!c->cov[b] || (b + 1 < e && c->cov[b + 1] && !c->brk[b + 1]))
		return;
	/* readers, all outside the segment, stream or reload it */
	if (is_input(c->g, t) || c->g->tensors[t].output || b + 1 < e)
		c->cov[b] = false;
}

static void cut_apply(Ctx *c, const Cut *k)
{
	if (k->uncover)
		c->cov[k->use] = false;
	else
		c->brk[k->use] = true;
	tidy(c, k->t);
}

/* Saves (undo false) or restores t's flags in save[]. */
static void flags(Ctx *c, int t, bool *save, bool undo)
{
	int b = c->beg[t], n = c->beg[t + 1] - b;
	for (int u = 0; u < n; u++) {
		if (undo) {
			c->cov[b + u] = save[2 * u];
			c->brk[b + u] = save[2 * u + 1];
		} else {
			save[2 * u] = c->cov[b + u];
			save[2 * u + 1] = c->brk[b + u];
		}
	}
}

/* The cut of segment [i, j] of t that frees step s. */
static Cut cut_at(const Ctx *c, int t, int i, int j, int s)
{
	Cut k = {t, -1, false, 0, 0};
	for (int u = i; u <= j; u++)
		if (c->ustep[u] == s) {
			k.use = u;
			k.uncover = true;
			k.lo = u > i ? c->ustep[u - 1] + 1 : c->ustep[i];
			k.hi = u < j ? c->ustep[u + 1] - 1 : c->ustep[j];
			return k;
		}
	for (int u = i; u < j; u++)
		if (c->ustep[u] < s && s < c->ustep[u + 1]) {
			k.use = u + 1;
			k.lo = c->ustep[u] + 1;
			k.hi = c->ustep[u + 1] - 1;
			break;
		}
	return k;
}

/* Makes the best cut at step s given the excess bytes ex[] per step;
 * -1 when nothing is in SRAM there. */
static int cut_best(Ctx *c, int s, const int64_t *ex)
{
	Cut best = {-1, -1, false, 0, 0};
	double best_score = -1;
	bool *save = xcalloc(2 * (size_t)(c->beg[c->g->ntensors] + 1), sizeof *save);
	for (int t = 0; t < c->g->ntensors; t++) {
		int i, j;
		if (!seg_around(c, t, s, &i, &j))
			continue;
		Cut k = cut_at(c, t, i, j, s);
		if (k.use < 0)
			continue;
		int64_t before = cost_of(c, t);
		flags(c, t, save, false);
		cut_apply(c, &k);
		int64_t added = cost_of(c, t) - before;
		flags(c, t, save, true);
		double relief = 0;
		for (int r = k.lo; r <= k.hi; r++)
			relief += c->how & OFF_LENGTH ? (double)c->size[t]
				  : ex[r] <= 0		? 0
				  : ex[r] < c->size[t]	? ex[r]
							: c->size[t];
		double score = relief / (double)(added > 0 ? added + 1 : 1);
		if (score > best_score) {
			best_score = score;
			best = k;
		}
	}
	free(save);
	if (best.t < 0)
		return -1;
	cut_apply(c, &best);
	return 0;
}

/* The segments of the coverage, as buffers of pl (buf[i] is segment i). */
static void segments(const Ctx *c, Plan *pl)
{
	for (int t = 0; t < c->g->ntensors; t++) {
		int end = c->beg[t + 1];
		for (int u = c->beg[t]; u < end; u++) {
			if (!starts(c, t, u))
				continue;
			int v = seg_last(c, t, u);
			plan_add(pl, c->head[t], c->ustep[u], c->ustep[v], t);
			u = v;
		}
	}
}

/* Live bytes past the SRAM per step, from the segments. */
static void excess_live(const Ctx *c, const Plan *pl, int64_t *ex)
{
	memset(ex, 0, (c->steps + 1) * sizeof *ex);
	for (int i = 0; i < pl->n; i++) {
		int64_t sz = c->size[pl->buf[i].tensor];
		ex[pl->buf[i].first] += sz;
		ex[pl->buf[i].last + 1] -= sz;
	}
	int64_t cur = 0;
	for (int s = 0; s <= c->steps; s++) {
		cur += ex[s];
		ex[s] = cur - c->sram;
	}
}

/* How far buffers placed past the end of the SRAM stick out, per step. */
static void excess_placed(const Ctx *c, const Plan *pl, int64_t *ex)
{
	memset(ex, 0, (c->steps + 1) * sizeof *ex);
	for (int i = 0; i < pl->n; i++) {
		const PlanBuf *b = &pl->buf[i];
		int64_t out = b->offset + c->size[b->tensor] - c->sram;
		for (int s = b->first; out > 0 && s <= b->last; s++)
			ex[s] = ex[s] > out ? ex[s] : out;
	}
}

/* The step to cut at: the first over-full one, or the busiest. */
static int first_over(const Ctx *c, const int64_t *ex)
{
	int at = -1;
	for (int s = 0; s < c->steps; s++)
		if (ex[s] > 0) {
			if (!(c->how & OFF_BUSIEST))
				return s;
			if (at < 0 || ex[s] > ex[at])
				at = s;
		}
	return at;
}

/* Placement of the coverage: 1 if it fits (pl placed), 0 if not. */
static int place(const Ctx *c, Plan *pl)
{
	plan_init(pl, c->align);
	pl->deadline = c->deadline; /* past it, the fast placement */
	segments(c, pl);
	plan_place_within(pl, c->sram);
	return pl->arena <= c->sram;
}

static int off_cmp(const void *a, const void *b)
{
	const PlanBuf *x = *(const PlanBuf *const *)a, *y = *(const PlanBuf *const *)b;
	return (x->offset > y->offset) - (x->offset < y->offset);
}

/* The lowest offset where t can live over steps [f, l] beside pl's
 * buffers of other tensors (t's own there are being merged), or -1. */
static int64_t gap_for(const Ctx *c, const Plan *pl, int t, int f, int l, const PlanBuf **conf)
{
	int nc = 0;
	for (int i = 0; i < pl->n; i++) {
		const PlanBuf *b = &pl->buf[i];
		if (b->tensor != t && b->first <= l && f <= b->last)
			conf[nc++] = b;
	}
	qsort(conf, nc, sizeof *conf, off_cmp);
	int64_t at = 0;
	for (int i = 0; i < nc; i++) {
		if (conf[i]->offset - at >= c->size[t])
			return at;
		int64_t end = conf[i]->offset + c->size[conf[i]->tensor];
		at = end > at ? end : at;
	}
	return at + c->size[t] <= c->sram ? at : -1;
}

/* pl re-made from the coverage, every buffer at its old offset but the
 * merged one of t over [f, l], at off. */
static void replace(const Ctx *c, Plan *pl, int t, int f, int l, int64_t off)
{
	Plan np;
	plan_init(&np, c->align);
	segments(c, &np);
	/* both plans come from segments(): by tensor, then first step, so one
	 * merge finds every old buffer */
	for (int i = 0, j = 0; i < np.n; i++) {
		PlanBuf *b = &np.buf[i];
		if (b->tensor == t && b->first == f && b->last == l)
			b->offset = off;
		while (j < pl->n && (pl->buf[j].tensor < b->tensor ||
				     (pl->buf[j].tensor == b->tensor && pl->buf[j].first < b->first)))
			j++;
		if (b->offset < 0 && j < pl->n && pl->buf[j].tensor == b->tensor &&
		    pl->buf[j].first == b->first && pl->buf[j].last == b->last)
			b->offset = pl->buf[j].offset;
		if (b->offset + c->size[b->tensor] > np.arena)
			np.arena = b->offset + c->size[b->tensor];
	}
	plan_free(pl);
	*pl = np;
}

/* A segment LOADed for one reader moves the bytes streaming would, and
 * costs a transfer and a SYNC before the reader: stream instead. */
static void unload(Ctx *c, Plan *pl)
{
	bool any = false;
	for (int t = 0; t < c->g->ntensors; t++)
		for (int u = c->beg[t] + 1; u < c->beg[t + 1]; u++) {
			bool alone = u + 1 == c->beg[t + 1] || !c->cov[u + 1] || c->brk[u + 1];
			if (starts(c, t, u) && alone && c->mult[u] == 1) {
				c->cov[u] = false;
				any = true;
			}
		}
	if (any)
		replace(c, pl, -1, -1, -1, -1);
}

/* Refill: a fitting plan, improved.  For every two consecutive uses of a
 * tensor not in one segment, join them (and the segments they are in)
 * into one if that moves fewer bytes and the joined buffer fits, at fixed
 * offsets of everything else, into the placement.  Cuts made early can
 * turn out needless once later ones are made; whole-life evictions leave
 * room around the busy steps: this takes both back. */
static void refill(Ctx *c, Plan *pl)
{
	int nuse = c->beg[c->g->ntensors];
	bool *save = xcalloc(2 * (size_t)(nuse + 1), sizeof *save);
	const PlanBuf **conf = xcalloc((size_t)pl->n + (size_t)nuse + 1, sizeof *conf);
	for (int pass = 0, changed = 1; changed && pass < NREFILL; pass++) {
		changed = 0;
		for (int t = 0; t < c->g->ntensors && !late(c); t++) { /* late: the plan stands */
			if (c->g->tensors[t].bytes == 0 || c->size[t] > c->sram)
				continue;
			for (int u = c->beg[t]; u + 1 < c->beg[t + 1]; u++) {
				if (c->cov[u] && c->cov[u + 1] && !c->brk[u + 1])
					continue;
				int64_t before = cost_of(c, t);
				flags(c, t, save, false);
				c->cov[u] = c->cov[u + 1] = true;
				c->brk[u + 1] = false;
				int i, j;
				int64_t off = -1;
				if (cost_of(c, t) < before && seg_around(c, t, c->ustep[u], &i, &j))
					off = gap_for(c, pl, t, c->ustep[i], c->ustep[j], conf);
				if (off < 0) {
					flags(c, t, save, true);
					continue;
				}
				replace(c, pl, t, c->ustep[i], c->ustep[j], off);
				changed = 1;
			}
		}
	}
	free(conf);
	free(save);
	unload(c, pl);
}

/* Cuts (cut_best) until the placement fits, then refills. */
static int fit(Ctx *c, Plan *pl, int64_t *ex)
{
	while (!place(c, pl)) { /* fragmentation */
		excess_placed(c, pl, ex);
		plan_free(pl);
		if (late(c))
			return -1;
		int s = first_over(c, ex);
		if (s < 0 || cut_best(c, s, ex))
			return -1;
	}
	refill(c, pl);
	return 0;
}

static int plan_split(Ctx *c, Plan *pl, int64_t *ex)
{
	for (int t = 0; t < c->g->ntensors; t++)
		cover_all(c, t, c->size[t] <= c->sram);
	for (;;) { /* live bytes */
		if (late(c))
			return -1;
		Plan segs;
		plan_init(&segs, c->align);
		segments(c, &segs);
		excess_live(c, &segs, ex);
		plan_free(&segs);
		int s = first_over(c, ex);
		if (s < 0)
			break;
		if (cut_best(c, s, ex))
			return -1;
	}
	return fit(c, pl, ex);
}

/* Partial residency: ivpack picks how many bytes of each tensor to keep
 * in SRAM over its whole life, the traffic each byte saves as its gain
 * (a write and its reads; a graph input's reads but one, for its load; a
 * graph output's reads), within the room the SRAM has at each step.  A
 * tensor kept in part keeps its first channels (whole planes of int8;
 * others are kept whole or not at all); the rest stays in DRAM, written
 * once and streamed at every read.  The live bytes then fit, but the
 * placement may not (fragmentation): buffers placed past the end of the
 * SRAM are trimmed to it, keeping every offset.  Packing again with less
 * room at the steps where buffers stuck out usually leaves less to trim;
 * NPACK rounds, the plan moving the fewest bytes kept.  The room is a
 * blocker interval per step taking the SRAM's bytes it lacks, its gain
 * per byte above all the tensors' together, so no packing outweighs it. */
enum { NPACK = 6 };

static int64_t part_head(const Graph *g, int t, int64_t x)
{
	const Tensor *tt = &g->tensors[t];
	if (x >= tt->bytes)
		return tt->bytes;
	if (tt->dtype != DT_I8 || tt->shape.c < 2 || tt->bytes % tt->shape.c)
		return 0;
	int64_t plane = tt->bytes / tt->shape.c;
	return x / plane * plane;
}

/* Heads from the packing x[], placed, and trimmed to the SRAM; ex[]: how
 * far buffers stuck out past it per step before the trimming. */
static void part_place(Ctx *c, Plan *pl, const int64_t *x, int64_t *ex)
{
	const Graph *g = c->g;
	for (int t = 0; t < g->ntensors; t++) {
		int64_t head = part_head(g, t, x[t]);
		set_head(c, t, head ? head : g->tensors[t].bytes);
		cover_all(c, t, head > 0);
	}
	memset(ex, 0, (c->steps + 1) * sizeof *ex);
	if (place(c, pl))
		return;
	excess_placed(c, pl, ex);
	for (int i = 0; i < pl->n; i++) {
		const PlanBuf *b = &pl->buf[i];
		int t = b->tensor;
		if (b->offset + c->size[t] <= c->sram)
			continue;
		int64_t head = part_head(g, t, b->offset < c->sram ? c->sram - b->offset : 0);
		if (head == g->tensors[t].bytes) /* trimmed by the alignment alone */
			head = part_head(g, t, head - 1);
		set_head(c, t, head ? head : g->tensors[t].bytes);
		cover_all(c, t, head > 0);
	}
	replace(c, pl, -1, -1, -1, -1); /* the others where they were */
}

static int64_t moved_all(const Ctx *c)
{
	int64_t sum = 0;
	for (int t = 0; t < c->g->ntensors; t++)
		sum += cost_of(c, t);
	return sum;
}

static int64_t weight_bytes(const Graph *g);

/* Per tensor: its life, its bytes, and the traffic a byte of it kept in
 * SRAM saves.  Returns what moving every tensor through DRAM would cost. */
static int64_t part_intervals(const Ctx *c, Interval *iv)
{
	const Graph *g = c->g;
	int64_t all = 0;
	for (int t = 0; t < g->ntensors; t++) {
		const Tensor *tt = &g->tensors[t];
		int b = c->beg[t], e = c->beg[t + 1];
		int64_t reads = 0;
		for (int u = b + 1; u < e; u++)
			reads += c->mult[u];
		bool input = is_input(g, t);
		int64_t gain = input ? reads - 1 : tt->output ? reads : reads + 1;
		iv[t] = (Interval){c->ustep[b], c->ustep[e - 1], tt->bytes, gain};
		all += tt->bytes * (reads + !input);
	}
	return all;
}

int64_t offchip_estimate(const Graph *g, const int *order, int64_t sram_bytes)
{
	Ctx c;
	ctx_init(&c, g, order, sram_bytes, 1);
	Interval *iv = xcalloc((size_t)g->ntensors + 1, sizeof *iv);
	int64_t *x = xcalloc((size_t)g->ntensors + 1, sizeof *x);
	int64_t all = part_intervals(&c, iv);
	int64_t kept = ivpack(iv, g->ntensors, c.steps, sram_bytes, x);
	free(x);
	free(iv);
	ctx_free(&c);
	return weight_bytes(g) + all - kept;
}

static int plan_part(Ctx *c, Plan *pl, int64_t *ex)
{
	const Graph *g = c->g;
	int nt = g->ntensors, n = nt + c->steps;
	Interval *iv = xcalloc((size_t)n + 1, sizeof *iv);
	int64_t *x = xcalloc((size_t)n + 1, sizeof *x), *best = xcalloc((size_t)n + 1, sizeof *x);
	part_intervals(c, iv);
	int64_t blocker = 1;
	for (int t = 0; t < nt; t++)
		blocker += iv[t].gain;
	for (int s = 0; s < c->steps; s++)
		iv[nt + s] = (Interval){s, s, 0, blocker}; /* no room taken yet */
	int64_t best_moved = -1;
	for (int k = 0; k < NPACK; k++) {
		if (ivpack_until(iv, n, c->steps, c->sram, c->deadline, x) < 0) {
			c->late = true;
			break;
		}
		part_place(c, pl, x, ex);
		int64_t m = moved_all(c);
		plan_free(pl);
		if (best_moved < 0 || m < best_moved) {
			best_moved = m;
			memcpy(best, x, (size_t)nt * sizeof *x);
		}
		bool over = false;
		for (int s = 0; s < c->steps; s++) {
			over |= ex[s] > 0;
			iv[nt + s].cap += ex[s];
			if (iv[nt + s].cap > c->sram)
				iv[nt + s].cap = c->sram;
		}
		if (!over)
			break;
	}
	if (best_moved >= 0)
		part_place(c, pl, best, ex);
	free(best);
	free(x);
	free(iv);
	if (best_moved < 0)
		return -1; /* out of time before any packing */
	if (pl->arena > c->sram) { /* not for want of trimming; cut as plan_split does */
		plan_free(pl);
		return fit(c, pl, ex);
	}
	refill(c, pl);
	return 0;
}

/* The tensor to evict whole: the least added traffic per byte-step of
 * relief at the over-full steps (ex > 0) of the buffers of b; -1 if none. */
static int whole_victim(Ctx *c, const Plan *b, const int64_t *ex)
{
	int victim = -1;
	double best = 0;
	for (int i = 0; i < b->n; i++) {
		const PlanBuf *x = &b->buf[i];
		int64_t span = 0;
		for (int s = x->first; s <= x->last; s++)
			span += ex[s] > 0;
		if (!span)
			continue;
		int t = x->tensor;
		int64_t before = cost_of(c, t);
		cover_all(c, t, false);
		double cost = (double)(cost_of(c, t) - before);
		cover_all(c, t, true);
		double score = (double)x->size * span / (cost > 1 ? cost : 1);
		if (victim < 0 || score > best) {
			best = score;
			victim = t;
		}
	}
	return victim;
}

/* While the live bytes exceed the SRAM no placement fits, so those
 * evictions need no placement; then place and evict until it fits. */
static int plan_whole(Ctx *c, Plan *pl, int64_t *ex)
{
	for (int t = 0; t < c->g->ntensors; t++)
		cover_all(c, t, true);
	for (;;) {
		if (late(c))
			return -1;
		Plan segs;
		plan_init(&segs, c->align);
		segments(c, &segs);
		excess_live(c, &segs, ex);
		int victim = -1;
		if (first_over(c, ex) >= 0) {
			victim = whole_victim(c, &segs, ex);
		} else if (place(c, pl)) {
			plan_free(&segs);
			break;
		} else {
			excess_placed(c, pl, ex);
			victim = whole_victim(c, pl, ex);
			plan_free(pl);
		}
		plan_free(&segs);
		if (victim < 0)
			return -1;
		cover_all(c, victim, false);
	}
	refill(c, pl);
	return 0;
}

/* The sweep's heap of live tensors, the best victim on top: the most
 * relief per byte of traffic, ties to the lower tensor. */
typedef struct Victim {
	double score;
	int t;
} Victim;

static bool above(const Victim *a, const Victim *b)
{
	return a->score > b->score || (a->score == b->score && a->t < b->t);
}

static void victim_push(Victim *h, int *n, Victim v, int64_t *work)
{
	int i = (*n)++;
	for (; i > 0 && above(&v, &h[(i - 1) / 2]); i = (i - 1) / 2, ++*work)
		h[i] = h[(i - 1) / 2];
	h[i] = v;
}

static Victim victim_pop(Victim *h, int *n, int64_t *work)
{
	Victim top = h[0], last = h[--*n];
	int i = 0;
	for (int k; (k = 2 * i + 1) < *n; i = k, ++*work) {
		if (k + 1 < *n && above(&h[k + 1], &h[k]))
			k++;
		if (!above(&h[k], &last))
			break;
		h[i] = h[k];
	}
	h[i] = last;
	return top;
}

/* Covers t whole if it fits the SRAM; its eviction's relief per byte of
 * traffic added (bytes x life over that traffic). */
static double sweep_cover(Ctx *c, int t)
{
	int b = c->beg[t], e = c->beg[t + 1];
	cover_all(c, t, false);
	int64_t none = cost_of(c, t);
	cover_all(c, t, c->size[t] <= c->sram);
	tidy(c, t);
	c->work += 3 * (int64_t)(e - b);
	int64_t added = none - cost_of(c, t);
	return (double)c->size[t] * (c->ustep[e - 1] - c->ustep[b] + 1) /
	       (double)(added > 0 ? added + 1 : 1);
}

/* Whole lives, evicted at the first step where the live bytes exceed the
 * SRAM, the top of the heap first; then placed earliest first, the ones
 * that would reach past the SRAM evicted too. */
static int plan_sweep(Ctx *c, Plan *pl)
{
	int nt = c->g->ntensors, steps = c->steps, nh = 0;
	int *cnt = xcalloc((size_t)steps + 2, sizeof *cnt), *byfirst = xcalloc((size_t)nt + 1, sizeof *byfirst);
	double *score = xcalloc((size_t)nt + 1, sizeof *score);
	int64_t *leave = xcalloc((size_t)steps + 2, sizeof *leave), live = 0;
	Victim *heap = xcalloc((size_t)nt + 1, sizeof *heap);
	for (int t = 0; t < nt; t++) {
		score[t] = sweep_cover(c, t);
		cnt[c->ustep[c->beg[t]] + 1]++;
	}
	for (int s = 0; s <= steps; s++) /* tensors by first step: a counting sort */
		cnt[s + 1] += cnt[s];
	for (int t = 0; t < nt; t++)
		byfirst[cnt[c->ustep[c->beg[t]]]++] = t;
	for (int s = 0, k = 0; s < steps; s++, c->work++) {
		live -= leave[s];
		for (; k < nt && c->ustep[c->beg[byfirst[k]]] == s; k++) {
			int t = byfirst[k];
			if (!c->cov[c->beg[t]])
				continue;
			live += c->size[t];
			leave[c->ustep[c->beg[t + 1] - 1] + 1] += c->size[t];
			victim_push(heap, &nh, (Victim){score[t], t}, &c->work);
		}
		while (live > c->sram && nh > 0) {
			int t = victim_pop(heap, &nh, &c->work).t, last = c->ustep[c->beg[t + 1] - 1];
			if (last < s)
				continue; /* over already */
			cover_all(c, t, false);
			live -= c->size[t];
			leave[last + 1] -= c->size[t];
		}
	}
	plan_init(pl, c->align);
	segments(c, pl);
	plan_place_capped(pl, c->sram);
	c->work += pl->work;
	int kept = 0;
	for (int i = 0; i < pl->n; i++) {
		if (pl->buf[i].offset < 0)
			cover_all(c, pl->buf[i].tensor, false); /* no room left at its offset */
		else
			pl->buf[kept++] = pl->buf[i];
	}
	pl->n = kept;
	free(heap);
	free(leave);
	free(score);
	free(byfirst);
	free(cnt);
	return 0;
}

/* Weights, biases and per-channel tables, read once per op. */
static int64_t weight_bytes(const Graph *g)
{
	int64_t sum = 0;
	for (int o = 0; o < g->nops; o++) {
		const Op *op = &g->ops[o];
		/* weighted-sum weights travel in the instruction, not from DRAM */
		if (op->kind == OP_WSUM)
			continue;
		if (op->weight >= 0)
			sum += g->consts[op->weight].bytes;
		if (op->qmuls) /* per-channel table: {bias, qmul, qshift} per channel, docs/isa.md */
			sum += 12 * (int64_t)g->tensors[op->out[0]].shape.c;
		else if (op->bias >= 0)
			sum += g->consts[op->bias].bytes;
	}
	return sum;
}

/* While an op runs, the SRAM holds at most sram_bytes of its operands
 * (its inputs, each once, and its output); the rest it streams from or
 * to DRAM.  That excess, summed over the ops, does not depend on the
 * order, nor on the plan, and neither do the weights (streamed by every
 * op) nor the graph's inputs and outputs (read and written once): a floor
 * under the traffic of every order and every plan of g. */
int64_t offchip_floor(const Graph *g, int64_t sram_bytes)
{
	int64_t io = 0, ops = 0;
	for (int t = 0; t < g->ntensors; t++)
		if (g->tensors[t].output || is_input(g, t))
			io += g->tensors[t].bytes;
	for (int o = 0; o < g->nops; o++) {
		const Op *op = &g->ops[o];
		if (op->kind == OP_INPUT)
			continue;
		int64_t need = -sram_bytes;
		for (int k = 0; k < op->nout; k++)
			need += g->tensors[op->out[k]].bytes;
		for (int k = 0; k < op->nin; k++)
			need += ir_repeat(op, k) ? 0 : g->tensors[op->in[k]].bytes;
		ops += need > 0 ? need : 0;
	}
	return weight_bytes(g) + (io > ops ? io : ops);
}

/* Fills p from the coverage and its placement. */
static void finish(const Ctx *c, const Plan *pl, OffchipPlan *p)
{
	const Graph *g = c->g;
	int nt = g->ntensors;
	p->in_sram = xcalloc(nt + 1, sizeof *p->in_sram);
	p->offset = xcalloc(nt + 1, sizeof *p->offset);
	p->in_dram = xcalloc(nt + 1, sizeof *p->in_dram);
	p->store = xcalloc(nt + 1, sizeof *p->store);
	p->seg_begin = xcalloc(nt + 1, sizeof *p->seg_begin);
	p->head = xcalloc(nt + 1, sizeof *p->head);
	p->seg = xcalloc(pl->n + 1, sizeof *p->seg);
	p->nseg = pl->n;
	p->arena = pl->arena;
	for (int t = 0; t < nt; t++)
		p->offset[t] = -1;
	for (int i = 0, t = 0; i <= pl->n; i++) { /* buffers come by tensor, then step */
		int bt = i < pl->n ? pl->buf[i].tensor : nt;
		while (t < bt)
			p->seg_begin[++t] = i;
		if (i == pl->n)
			break;
		const PlanBuf *b = &pl->buf[i];
		bool load = b->first != c->ustep[c->beg[bt]] || is_input(g, bt);
		p->seg[i] = (OffchipSeg){bt, b->first, b->last, b->offset, load};
		if (!p->in_sram[bt])
			p->offset[bt] = b->offset;
		p->in_sram[bt] = true;
		p->reloads += load && !(is_input(g, bt) && b->first == c->ustep[c->beg[bt]]);
	}
	p->weight_read = weight_bytes(g);
	p->compulsory = p->weight_read;
	p->floor = offchip_floor(g, c->sram);
	for (int t = 0; t < nt; t++) {
		const Tensor *tt = &g->tensors[t];
		bool input = is_input(g, t);
		int64_t rd, wr, need = (input ? tt->bytes : 0) + (tt->output ? tt->bytes : 0);
		bool head_dram = traffic(c, t, &rd, &wr);
		p->head[t] = c->head[t];
		p->in_dram[t] = head_dram || c->head[t] < tt->bytes;
		p->store[t] = head_dram && !input && c->cov[c->beg[t]];
		p->partial += p->in_sram[t] && c->head[t] < tt->bytes;
		p->act_read += rd;
		p->act_write += wr;
		p->compulsory += need;
		p->evicted += rd + wr > need;
		for (int u = c->beg[t] + 1; u < c->beg[t + 1]; u++)
			p->streamed += !c->cov[u];
	}
}

/* One method (split: one variant); 1 when the deadline stopped it short
 * of a plan. */
static int plan_one(const Graph *g, const int *order, int64_t sram_bytes, int64_t align,
		    OffchipMethod m, int how, double deadline, OffchipPlan *p, Err *e)
{
	memset(p, 0, sizeof *p);
	p->sram_bytes = sram_bytes;
	p->method = m;
	Ctx c;
	ctx_init(&c, g, order, sram_bytes, align);
	c.how = how;
	c.deadline = deadline;
	int64_t *ex = xcalloc(g->nops + 2, sizeof *ex);
	Plan pl = {0};
	int rc = m == OFFCHIP_SPLIT   ? plan_split(&c, &pl, ex)
		 : m == OFFCHIP_PART  ? plan_part(&c, &pl, ex)
		 : m == OFFCHIP_SWEEP ? plan_sweep(&c, &pl)
				      : plan_whole(&c, &pl, ex);
	if (rc && c.late) {
		rc = 1; /* out of time, no plan */
	} else if (rc) {
		err_set(e, "graph %s: no placement fits %lld bytes of SRAM", g->name,
			(long long)sram_bytes);
	} else {
		finish(&c, &pl, p);
		p->fallback = c.late; /* a plan, but not all the method would do */
		p->work = c.work;
	}
	plan_free(&pl);
	free(ex);
	ctx_free(&c);
	return rc;
}

static int64_t moved(const OffchipPlan *p)
{
	return p->act_read + p->act_write;
}

/* Keeps the one of p and q that moves fewer bytes, in p (p first on a tie). */
static void keep_better(OffchipPlan *p, OffchipPlan *q)
{
	if (moved(q) < moved(p)) {
		offchip_free(p);
		*p = *q;
	} else {
		offchip_free(q);
	}
}

/* Splitting: the best of its variants.  1: out of time before any plan. */
static int plan_with(const Graph *g, const int *order, int64_t sram_bytes, int64_t align,
		     OffchipMethod m, double deadline, OffchipPlan *p, Err *e)
{
	int rc = plan_one(g, order, sram_bytes, align, m, 0, deadline, p, e);
	if (rc)
		return rc;
	for (int how = 1; m == OFFCHIP_SPLIT && how < NVARIANT && !p->fallback; how++) {
		OffchipPlan q;
		rc = plan_one(g, order, sram_bytes, align, m, how, deadline, &q, e);
		p->fallback |= rc > 0 || (rc == 0 && q.fallback);
		if (rc == 0)
			keep_better(p, &q);
	}
	return 0;
}

int offchip_plan_with(const Graph *g, const int *order, int64_t sram_bytes, int64_t align,
		      OffchipMethod m, OffchipPlan *p, Err *e)
{
	return plan_with(g, order, sram_bytes, align, m, 0, p, e);
}

int offchip_plan(const Graph *g, const int *order, int64_t sram_bytes, int64_t align,
		 OffchipPlan *p, Err *e)
{
	return offchip_plan_until(g, order, sram_bytes, align, 0, p, e);
}

int offchip_plan_until(const Graph *g, const int *order, int64_t sram_bytes, int64_t align,
		       double deadline, OffchipPlan *p, Err *e)
{
	if (g->ntensors > OFFCHIP_EXACT_MAX) {
		plan_one(g, order, sram_bytes, align, OFFCHIP_SWEEP, 0, 0, p, e);
		p->fallback = true;
		return 0;
	}
	int rc = plan_with(g, order, sram_bytes, align, OFFCHIP_WHOLE, deadline, p, e);
	if (rc < 0)
		return -1;
	bool have = rc == 0, cut = rc > 0 || p->fallback;
	for (OffchipMethod m = OFFCHIP_SPLIT; !cut && m <= OFFCHIP_PART; m++) {
		if (p->act_read + p->act_write + p->weight_read == p->compulsory)
			return 0; /* nothing to win */
		OffchipPlan q;
		rc = plan_with(g, order, sram_bytes, align, m, deadline, &q, e);
		if (rc < 0)
			continue; /* the plan so far stands */
		cut = rc > 0 || q.fallback;
		if (rc == 0)
			keep_better(p, &q);
	}
	if (cut) { /* the sweep too, and the best */
		OffchipPlan q;
		plan_one(g, order, sram_bytes, align, OFFCHIP_SWEEP, 0, 0, &q, e);
		if (have)
			keep_better(p, &q);
		else
			*p = q;
		p->fallback = true;
	}
	return 0;
}
