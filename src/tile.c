/* tile.c: spatial partitioning of a region into bands of rows.
 *
 * The peak of most real networks is one operator's working set near the
 * stem (input plus output of one wide convolution), which no order and no
 * channel rewrite goes under.  Running a chain of layers band by band does
 * (fused-layer execution; MCUNetV2's patch-based inference): only a band
 * of each intermediate tensor is alive at a time.
 *
 * Regions.  A region is the ops (a, b] of the definition order: it reads
 * tensors made by a and before (its inputs, held whole) and tensors made
 * inside, and nothing outside reads what it makes but b's tensor Y.  Its
 * ops must be convolutions (any kernel, stride, dilation, groups),
 * poolings, sums, activations, products (Swish; squeeze-excite's, its
 * per-channel factor made outside the region) or concats: ops whose
 * output rows each depend on a window of input rows.  Candidates start where at most
 * WIDTH_MAX tensors cross: the graph's waists, and the boundaries of
 * DARTS and NASNet cells, which read the two cells before them.
 *
 * Bands.  Y's H rows are cut into n bands of H/n rows (the first ones one
 * row more when n does not divide H).  Walking the region backwards, each
 * tensor gets, per band, the rows its readers need of it: a convolution's
 * output rows [a, b) need input rows [a*sh - pt, (b-1)*sh - pt + span)
 * clipped to the tensor, an elementwise op the same rows of every input;
 * a tensor read twice holds the union.  Each band is then the region's
 * ops again, each computing just its rows from just the rows it holds of
 * its inputs: the halo rows that neighbouring bands both need are
 * computed by both (recomputation: the extra MACs are reported).  A band
 * op is the original op with the window shifted: top padding
 *     pt' = pt - a*sh + c      (c: the first row its input holds)
 * negative where it crops rows the band does not use, and the bottom
 * padding that gives exactly b - a rows; rows past the tensor's edges stay
 * padding, so the bits are those of the whole op.  An elementwise op whose
 * input holds more rows than it needs reads them through a slice of rows.
 * Band ops share their op's weights and requantization.  The region's
 * first ops read its inputs whole, but a graph input only the region
 * reads: it stays in DRAM, each band loading the rows it reads (a slice);
 * a join makes Y of Y's bands, in place in the memory model (mem.h).
 *
 * Choosing.  tile_apply finds the op where the dp order's peak falls,
 * tries every region around it (at most REGION_MAX ops) at 2, 3, 4, 6, 8,
 * ... bands, and keeps the one that lowers the peak most within the MAC
 * budget (or, at the same peak, reaches it at fewer steps: several places
 * may share one peak), then again where the peak now falls.  Candidates
 * are compared by the dp order with the region run band after band, a
 * bound on what the dp finds for them, in time linear in the graph (on
 * the graph without its weights' values); the chosen regions are then cut
 * in the graph itself.  The dp orders the band ops as any others: band
 * after band emerges because it keeps the fewest rows alive, not because
 * anything forces it.
 */
#include "tile.h"

#include <assert.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "rewrite.h"

enum {
	REGION_MAX = 64, /* ops in a candidate region, at most */
	WIDTH_MAX = 2,   /* tensors crossing a region's start, at most */
};

typedef struct Rows {
	int lo, hi; /* [lo, hi); empty when lo >= hi */
} Rows;

static bool band_kind(OpKind k)
{
	return k == OP_CONV || k == OP_MAXPOOL || k == OP_AVGPOOL || k == OP_ADD || k == OP_WSUM ||
	       k == OP_RELU || k == OP_CONCAT || k == OP_ACT || k == OP_MUL;
}

/* Input k of op is a product's per-channel factor (n x c x 1 x 1, from
 * outside the region: squeeze-excite), read whole by every band. */
static bool broadcast(const Graph *g, const Op *op, int k)
{
	return op->kind == OP_MUL && k == 1 && g->tensors[op->in[1]].shape.h == 1 &&
	       g->tensors[op->out[0]].shape.h > 1;
}

static bool windowed(OpKind k)
{
	return k == OP_CONV || k == OP_MAXPOOL || k == OP_AVGPOOL;
}

bool tile_applies(const Graph *g, int a, int b)
{
	if (a < 0 || b <= a || b >= g->nops)
		return false;
	const Tensor *y = &g->tensors[g->ops[b].out[0]];
	if (y->shape.h < 2)
		return false;
	for (int v = a + 1; v <= b; v++) {
		const Op *op = &g->ops[v];
		if (!band_kind(op->kind) || op->nout != 1 || op->nin < 1)
			return false;
		const Tensor *t = &g->tensors[op->out[0]];
		if (t->dtype != DT_I8)
			return false;
		if (broadcast(g, op, 1) && g->tensors[op->in[1]].producer > a)
			return false; /* the factor of a whole tensor: not a band's */
		if (v == b)
			continue;
		if (t->output)
			return false;
		for (int i = 0; i < t->ncons; i++)
			if (t->cons[i] > b)
				return false; /* read outside the region */
	}
	return true;
}

/* The rows of input k that output rows r of op need, within the input. */
static Rows need(const Graph *g, const Op *op, int k, Rows r)
{
	int h = g->tensors[op->in[k]].shape.h;
	Rows n = r;
	if (windowed(op->kind)) {
		const Window *w = &op->win;
		n.lo = r.lo * w->sh - w->pt;
		n.hi = (r.hi - 1) * w->sh - w->pt + w->dh * (w->kh - 1) + 1;
	}
	n.lo = n.lo < 0 ? 0 : n.lo;
	n.hi = n.hi > h ? h : n.hi;
	if (n.lo >= n.hi) { /* the window reads only padding: keep one row */
		n.lo = n.lo >= h ? h - 1 : n.lo;
		n.hi = n.lo + 1;
	}
	return n;
}

/* The rows each tensor of the region holds in each band: rows[(v - a) * n
 * + i] for the tensor of op v (the region's inputs, made by a and before,
 * are held whole). */
static Rows *band_rows(const Graph *g, int a, int b, int n)
{
	int m = b - a + 1;
	Rows *rows = xmalloc((size_t)m * n * sizeof *rows);
	for (int j = 0; j < m * n; j++)
		rows[j] = (Rows){INT_MAX, INT_MIN};
	int h = g->tensors[g->ops[b].out[0]].shape.h;
	for (int i = 0; i < n; i++) /* the first h % n bands one row more */
		rows[(b - a) * n + i] = (Rows){i * (h / n) + (i < h % n ? i : h % n),
					       (i + 1) * (h / n) + (i + 1 < h % n ? i + 1 : h % n)};
	for (int v = b; v > a; v--) {
		const Op *op = &g->ops[v];
		for (int k = 0; k < op->nin; k++) {
			int p = g->tensors[op->in[k]].producer;
			if (p <= a || broadcast(g, op, k))
				continue; /* read whole */
			for (int i = 0; i < n; i++) {
				Rows r = need(g, op, k, rows[(v - a) * n + i]);
				Rows *u = &rows[(p - a) * n + i];
				u->lo = r.lo < u->lo ? r.lo : u->lo;
				u->hi = r.hi > u->hi ? r.hi : u->hi;
			}
		}
	}
	return rows;
}

typedef struct Build {
	Graph *f;
	const Graph *g;
	int a, n;
	const Rows *rows;
	int *band;  /* band tensors: band[(v - a) * n + i], f's index */
	int *first; /* f's first op of band i of v (its slices, then it): first[(v - a) * n + i] */
	int *wconst; /* per region op: f's weight and bias constants of its first band */
	const int *map; /* g's tensors made before the region -> f's */
	int region;     /* Op.region of the band ops */
} Build;

/* The tensor of f holding input k of op v in band i, and its first row. */
static int held(const Build *B, int v, int k, int i, int *row0)
{
	int t = B->g->ops[v].in[k], p = B->g->tensors[t].producer;
	if (p <= B->a) {
		*row0 = 0;
		return B->map[t];
	}
	*row0 = B->rows[(p - B->a) * B->n + i].lo;
	return B->band[(p - B->a) * B->n + i];
}

static int held_rows(const Build *B, int t)
{
	return B->f->tensors[t].shape.h;
}

/* Band i of op v: its rows of v's output. */
static int band_op(Build *B, int v, int i, Err *e)
{
	const Graph *g = B->g;
	Graph *f = B->f;
	const Op *op = &g->ops[v];
	Rows r = B->rows[(v - B->a) * B->n + i];
	B->first[(v - B->a) * B->n + i] = f->nops;
	char name[NNAME];
	if (snprintf(name, sizeof name, "%s/band%dof%d", op->name, i + 1, B->n) >= (int)sizeof name)
		return err_set(e, "node %s: name too long for its bands", op->name);
	int t;
	if (windowed(op->kind)) {
		int row0, x = held(B, v, 0, i, &row0);
		if (B->f->tensors[x].in_dram) { /* the rows the band reads, loaded */
			Rows in = need(g, op, 0, r);
			char sn[NNAME];
			if (snprintf(sn, sizeof sn, "%s/in0", name) >= (int)sizeof sn)
				return err_set(e, "node %s: name too long for its bands", op->name);
			x = ir_slice(f, sn, x, 2, in.lo, in.hi, 1);
			if (x < 0)
				return err_set(e, "%s", f->err.msg);
			row0 = in.lo;
		}
		Window w = op->win;
		int span = w.dh * (w.kh - 1) + 1;
		w.pt = op->win.pt - r.lo * w.sh + row0;
		w.pb = (r.hi - r.lo - 1) * w.sh + span - held_rows(B, x) - w.pt;
		if (w.pt <= -1024 || w.pt > 1024 || w.pb <= -1024 || w.pb > 1024)
			return err_set(e, "node %s: a band's window is more than 1024 rows from its "
				       "input's", op->name);
		t = op->kind == OP_CONV ? ir_conv(f, name, x, g->tensors[op->out[0]].shape.c, w)
					: ir_pool(f, name, op->kind, x, w);
	} else {
		int *ins = xmalloc(op->nin * sizeof *ins);
		for (int k = 0; k < op->nin; k++) {
			int row0;
			ins[k] = held(B, v, k, i, &row0);
			if (broadcast(g, op, k) ||
			    (row0 == r.lo && held_rows(B, ins[k]) == r.hi - r.lo &&
			     !f->tensors[ins[k]].in_dram))
				continue; /* a factor, whole; or its rows exactly, in SRAM */
			char sn[NNAME];
			if (snprintf(sn, sizeof sn, "%s/in%d", name, k) >= (int)sizeof sn) {
				free(ins);
				return err_set(e, "node %s: name too long for its bands", op->name);
			}
			ins[k] = ir_slice(f, sn, ins[k], 2, r.lo - row0, r.hi - row0, 1);
		}
		switch (op->kind) {
		case OP_ADD: t = ir_add(f, name, ins, op->nin); break;
		case OP_WSUM: t = ir_wsum(f, name, ins, op->nin); break;
		case OP_RELU: t = ir_relu(f, name, ins[0]); break;
		case OP_ACT: t = ir_act(f, name, ins[0], op->act, op->alpha, op->beta); break;
		case OP_MUL: t = ir_mul(f, name, ins[0], ins[1]); break;
		default: t = ir_concat(f, name, ins, op->nin); break;
		}
		free(ins);
	}
	if (t < 0)
		return err_set(e, "%s", f->err.msg);
	Op *d = &f->ops[f->nops - 1];
	int *wc = &B->wconst[2 * (v - B->a)];
	if (d->weight >= 0 || d->bias >= 0) {
		if (i == 0) { /* the first band owns the constants, the others share them */
			wc[0] = d->weight;
			wc[1] = d->bias;
			if (d->weight >= 0)
				ir_fill_const(f, d->weight, g, op->weight);
			if (d->bias >= 0)
				ir_fill_const(f, d->bias, g, op->bias);
		} else {
			ir_share_consts(f, f->nops - 1, wc[0], wc[1]);
		}
	}
	d->relu = op->relu;
	ir_copy_qparams(f, d, op, 0, g->tensors[op->out[0]].shape.c);
	for (int o = B->first[(v - B->a) * B->n + i]; o < f->nops; o++) { /* it and its slices */
		f->ops[o].region = B->region;
		f->ops[o].band = i + 1;
	}
	f->tensors[t].scale = g->tensors[op->out[0]].scale;
	B->band[(v - B->a) * B->n + i] = t;
	return 0;
}

/* f's order from g's: the region's ops replaced by its bands, one after
 * the other, each band's ops in the order g's had them, where the region's
 * last op was. */
static int *band_order(const Build *B, int b, int join, const int *order)
{
	const Graph *g = B->g;
	int a = B->a, n = B->n, k = 0, m = 0;
	int *fo = xmalloc(B->f->nops * sizeof *fo), *region = xmalloc((b - a) * sizeof *region);
	for (int s = 0; s < g->nops; s++)
		if (order[s] > a && order[s] <= b)
			region[m++] = order[s];
	for (int s = 0; s < g->nops; s++) {
		int u = order[s];
		if (u <= a || u > b) {
			fo[k++] = u <= a ? u : u + join - b;
			continue;
		}
		if (u != region[m - 1])
			continue; /* the bands go where the region's last op was: by then
				   * every op the region reads has run */
		for (int i = 0; i < n; i++)
			for (int j = 0; j < m; j++) {
				int v = region[j], last = B->f->tensors[B->band[(v - a) * n + i]].producer;
				for (int o = B->first[(v - a) * n + i]; o <= last; o++)
					fo[k++] = o;
			}
		fo[k++] = join;
	}
	free(region);
	return fo;
}

/* Whether op o is a graph input that only ops (a, b] read: its bands then
 * load the rows they read, and it stays in DRAM (mem.h). */
static bool dram_input(const Graph *g, int o, int a, int b)
{
	const Op *op = &g->ops[o];
	const Tensor *t = &g->tensors[op->out[0]];
	if (op->kind != OP_INPUT || t->output || t->ncons == 0)
		return false;
	for (int i = 0; i < t->ncons; i++)
		if (t->cons[i] <= a || t->cons[i] > b)
			return false;
	return true;
}

/* tile_region, and with order (g's) also the order band_order makes. */
static Graph *partition(const Graph *g, int a, int b, int nbands, const int *order, int **forder,
			Err *e)
{
	if (!tile_applies(g, a, b)) {
		err_set(e, "ops %s to %s: not a region that can run in bands", g->ops[a].name,
			g->ops[b].name);
		return NULL;
	}
	int h = g->tensors[g->ops[b].out[0]].shape.h;
	if (nbands < 2 || nbands > h) {
		err_set(e, "node %s: %d bands of %d rows", g->ops[b].name, nbands, h);
		return NULL;
	}
	Graph *f = ir_new(g->name);
	f->acc_bits = g->acc_bits;
	int m = b - a + 1, n = nbands, join = -1;
	int *map = xmalloc((g->ntensors ? g->ntensors : 1) * sizeof *map);
	int region = 0;
	for (int o = 0; o < g->nops; o++)
		region = g->ops[o].region > region ? g->ops[o].region : region;
	Build B = {f, g, a, n, band_rows(g, a, b, n), xmalloc((size_t)m * n * sizeof(int)),
		   xmalloc((size_t)m * n * sizeof(int)), xmalloc(2 * (size_t)m * sizeof(int)), map,
		   region + 1};
	int nmax = 1;
	for (int o = 0; o < g->nops; o++)
		nmax = g->ops[o].nin > nmax ? g->ops[o].nin : nmax;
	int *ins = xmalloc(nmax * sizeof *ins);
	int rc = 0;
	for (int o = 0; o < g->nops && !rc && ir_ok(f); o++) {
		const Op *op = &g->ops[o];
		if (o > a && o <= b) {
			if (o < b)
				continue;
			/* the region, band by band, then the join standing for b */
			for (int i = 0; i < n && !rc; i++)
				for (int v = a + 1; v <= b && !rc; v++)
					rc = band_op(&B, v, i, e);
			if (rc)
				break;
			int y = ir_join(f, op->name, &B.band[(b - a) * n], n);
			if (y < 0)
				break;
			join = f->nops - 1;
			f->tensors[y].output = g->tensors[op->out[0]].output;
			f->tensors[y].scale = g->tensors[op->out[0]].scale;
			map[op->out[0]] = y;
			continue;
		}
		for (int i = 0; i < op->nin; i++)
			ins[i] = map[op->in[i]];
		map[op->out[0]] = ir_copy_op(f, g, o, ins);
		if (map[op->out[0]] >= 0 && dram_input(g, o, a, b))
			f->tensors[map[op->out[0]]].in_dram = true;
	}
	if (!rc && ir_ok(f))
		ir_link(f);
	if (rc || ir_verify(f, e)) {
		ir_free(f);
		f = NULL;
	} else if (order) {
		*forder = band_order(&B, b, join, order);
	}
	free(map);
	free(ins);
	free((void *)B.rows);
	free(B.band);
	free(B.first);
	free(B.wconst);
	return f;
}

Graph *tile_region(const Graph *g, int a, int b, int nbands, Err *e)
{
	return partition(g, a, b, nbands, NULL, NULL, e);
}

/* An order's peak, how many steps reach it, and the first op that does:
 * a candidate that leaves the peak where it was but removes one of the
 * places it is reached at is progress (the next candidate may remove the
 * others). */
typedef struct Score {
	int64_t peak;
	int npeak;
	int at;
} Score;

static Score order_score(const Graph *g, const int *order)
{
	int64_t *step = xmalloc(g->nops * sizeof *step);
	Score sc = {mem_peak(g, order, step), 0, -1};
	for (int i = 0; i < g->nops; i++)
		if (step[i] == sc.peak && sc.npeak++ == 0)
			sc.at = order[i];
	free(step);
	return sc;
}

static bool better(Score x, Score y)
{
	return x.peak < y.peak || (x.peak == y.peak && x.npeak < y.npeak);
}

/* The dp's order of g (peak objective), or NULL with e set. */
static int *dp_order(const Graph *g, const DpOpts *dp, Err *e)
{
	int *order = xmalloc(g->nops * sizeof *order);
	DpOpts peak = dp ? *dp : (DpOpts){0};
	peak.objective = DP_PEAK;
	peak.op_cycles = NULL;
	DpStats st;
	if (sched_dp(g, &peak, order, &st, e) == 0)
		return order;
	free(order);
	return NULL;
}

static const int band_counts[] = {2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64};

typedef struct Pick {
	int a, b, n; /* ops (a, b] in n bands */
} Pick;

/* Where a region around op at may start: the boundaries a < at (after op
 * a) within REGION_MAX ops that at most WIDTH_MAX tensors cross (made by a
 * or before, read after a): the graph's waists, and the places between
 * cells that read the two cells before them (DARTS, NASNet).  Into
 * out[], nearest first; returns how many. */
static int boundaries(const Graph *g, int at, int *out)
{
	int *width = xcalloc(g->nops + 1, sizeof *width), n = 0;
	for (int t = 0; t < g->ntensors; t++) { /* +1 over [producer, last reader) */
		const Tensor *tt = &g->tensors[t];
		int last = tt->output ? g->nops : tt->producer;
		for (int i = 0; i < tt->ncons; i++)
			last = tt->cons[i] > last ? tt->cons[i] : last;
		width[tt->producer]++;
		width[last]--;
	}
	for (int p = 1; p < g->nops; p++)
		width[p] += width[p - 1];
	for (int a = at - 1; a >= 0 && at - a <= REGION_MAX; a--)
		if (width[a] <= WIDTH_MAX)
			out[n++] = a;
	free(width);
	return n;
}

/* One step of tile_apply: the region around op cur.at and its bands
 * that improve the score of cur's order most, in *pick with its order and
 * score; false when none does within the MAC budget. */
static bool best_region(const Graph *cur, const int *order, Score score, int64_t budget,
			const TileOpts *o, TileStats *st, Graph **pick, int **pick_order,
			Score *pick_score, Pick *where)
{
	int at = score.at, *cuts = xmalloc(cur->nops * sizeof *cuts);
	int ncuts = boundaries(cur, at, cuts);
	int64_t pick_macs = 0;
	*pick = NULL;
	*pick_order = NULL;
	*pick_score = score;
	for (int i = 0; i < ncuts; i++) {
		int a = cuts[i];
		for (int b = at; b < cur->nops && b - a <= REGION_MAX; b++) {
			if (!tile_applies(cur, a, b))
				continue;
			int h = cur->tensors[cur->ops[b].out[0]].shape.h;
			for (size_t k = 0; k < sizeof band_counts / sizeof *band_counts; k++) {
				int n = band_counts[k], *co;
				if (n > h || n > o->max_bands)
					break;
				Err e;
				Graph *c = partition(cur, a, b, n, order, &co, &e);
				if (!c)
					continue; /* this window cannot be expressed */
				int64_t macs = ir_macs(c);
				if (macs > budget) {
					ir_free(c);
					free(co);
					break; /* more bands, more halo */
				}
				st->tried++;
				Score sc = order_score(c, co);
				assert(mem_check_order(c, co, c->nops, &e) == 0);
				if (better(sc, *pick_score) ||
				    (*pick && !better(*pick_score, sc) && macs < pick_macs)) {
					ir_free(*pick);
					free(*pick_order);
					*pick = c;
					*pick_order = co;
					*pick_score = sc;
					*where = (Pick){a, b, n};
					pick_macs = macs;
				} else {
					ir_free(c);
					free(co);
				}
			}
		}
	}
	free(cuts);
	return *pick != NULL;
}

/* g without its constants' values: candidates are built by the hundred,
 * and only their shapes count. */
static Graph *skeleton(const Graph *g, Err *e)
{
	Graph *k = rw_rebuild(g, -1, NULL, e);
	for (int c = 0; k && c < k->nconsts; c++) {
		k->consts[c].data = NULL;
		k->consts[c].fdata = NULL;
	}
	return k;
}

Graph *tile_apply(const Graph *g, const DpOpts *dp, const TileOpts *o, TileStats *st, Err *e)
{
	memset(st, 0, sizeof *st);
	Graph *cur = skeleton(g, e);
	int *order = cur ? dp_order(cur, dp, e) : NULL;
	if (!order) {
		ir_free(cur);
		return NULL;
	}
	Score score = order_score(cur, order);

	st->peak_before = st->peak_after = score.peak;
	st->macs_before = ir_macs(cur);
	int64_t budget = st->macs_before + (int64_t)((double)st->macs_before * o->max_overhead);
	/* Candidates are compared by the peak of the current order with the
	 * region in bands, band after band: a bound on what the dp finds for
	 * them, in time linear in the graph instead of a search each.  Picks
	 * after the last that lowered the peak itself are dropped. */
	Graph *pick;
	int *pick_order, npicks = 0;
	Pick where, *picks = NULL;
	while (best_region(cur, order, score, budget, o, st, &pick, &pick_order, &score, &where)) {
		picks = xrealloc(picks, (npicks + 1) * sizeof *picks);
		picks[npicks++] = where;
		if (score.peak < st->peak_after) {
			st->peak_after = score.peak;
			st->regions = npicks;
		}
		ir_free(cur);
		free(order);
		cur = pick;
		order = pick_order;
	}
	free(order);
	ir_free(cur);
	for (int i = 0; i < st->regions; i++)
		st->bands += picks[i].n;
	/* the same partitions of g itself, with its values */
	cur = rw_rebuild(g, -1, NULL, e);
	for (int i = 0; cur && i < st->regions; i++) {
		Graph *next = partition(cur, picks[i].a, picks[i].b, picks[i].n, NULL, NULL, e);
		ir_free(cur);
		cur = next;
	}
	free(picks);
	if (cur)
		st->macs_after = ir_macs(cur);
	return cur;
}
