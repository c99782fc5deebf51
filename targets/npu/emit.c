/* emit.c: the NPU command stream for a scheduled, planned graph.
 *
 * DRAM image: the constants (weights int8, biases int32), then the
 * per-channel tables of the ops requantized per channel (Op.qmuls: one
 * 12-byte {bias, qmul, qshift} entry per output channel, docs/isa.md;
 * a conv's or fc's holds its bias, a requant's bias words are 0), then the
 * graph inputs (their values: ref_input's), then a home for every tensor
 * the off-chip plan ever puts in DRAM (spilled, streamed, graph outputs);
 * each 16-byte aligned, in that order, by index.
 *
 * Per op, in schedule order, following the off-chip plan's segments (a
 * tensor's stretches in SRAM, each at its own offset): ALLOC and LOAD the
 * segments of its operands that start here with a reload, ALLOC its
 * output's (LOAD it, for a graph input), the instruction(s) doing its work
 * on Refs to wherever each operand is at this step (SRAM, or streamed from
 * DRAM), STORE its output to DRAM if the plan ever needs it there, then
 * FREE the segments that end here.  DMA runs alongside compute: a SYNC goes
 * in only before an instruction that touches SRAM a transfer still in
 * flight may be moving.
 *
 *   conv, fc     CONV (an fc is a 1x1 CONV over C*H*W input channels);
 *                per channel: PERCH, aux its table instead of the bias
 *   pconv        CONV with OUT32, the first from the bias, the rest PSUM
 *   requant      REQUANT (per channel: PERCH, its table, out_c channels)
 *   maxpool, avgpool  POOL;   gavgpool  GAVG
 *   add, wsum    EW with coefficients 1, or the weights
 *   concat       one COPY per input, at its channel offset
 *   relu         RELU
 *
 * A tensor the plan keeps in part (its head in SRAM, its tail in DRAM at
 * the same offset of its DRAM home) is one operand in two parts: CONV takes
 * it so (SPLIT for its input, OSPLIT for its output); the others are cut
 * into one instruction per run of channels (POOL, GAVG) or elements (EW,
 * RELU, REQUANT, each COPY of a concat) whose operands are each in one
 * place.
 */
#include "emit.h"

#include <stdlib.h>
#include <string.h>

#include "isa.h"
#include "ref.h"

enum { NALIGN = 16, NDMA = 64 };

typedef struct Range {
	int64_t lo, hi; /* SRAM bytes [lo, hi) */
} Range;

typedef struct Emitter {
	const Graph *g;
	const OffchipPlan *plan;
	NpuProgram *p;
	int op;           /* op being emitted, for the listing */
	int step;         /* its step: which segment holds a tensor */
	Range dma[NDMA];  /* SRAM ranges of transfers since the last SYNC */
	int ndma;
	Err *e;
} Emitter;

static void put(Emitter *m, const NpuInsn *i)
{
	NpuProgram *p = m->p;
	size_t n = npu_insn_words(i);
	if (p->nwords + n > p->capwords) {
		p->capwords = (p->capwords + n) * 2;
		p->words = xrealloc(p->words, p->capwords * sizeof *p->words);
	}
	if (p->ninsn == p->capinsn) {
		p->capinsn = p->capinsn ? 2 * p->capinsn : 256;
		p->insn_op = xrealloc(p->insn_op, p->capinsn * sizeof *p->insn_op);
		p->insn_word = xrealloc(p->insn_word, p->capinsn * sizeof *p->insn_word);
	}
	p->insn_op[p->ninsn] = m->op;
	p->insn_word[p->ninsn++] = p->nwords;
	p->nwords += npu_encode(i, p->words + p->nwords);
}

/* The segment holding t in SRAM at this step, or NULL: t is in DRAM. */
static const OffchipSeg *seg_of(const Emitter *m, int t)
{
	int k = offchip_seg_at(m->plan, t, m->step);
	return k < 0 ? NULL : &m->plan->seg[k];
}

/* Bytes of t in SRAM at this step: its head (all of it unless the plan
 * keeps it in part), or 0 when it is in DRAM. */
static int64_t head_of(const Emitter *m, int t)
{
	return seg_of(m, t) ? m->plan->head[t] : 0;
}

/* Byte `at` of t, wherever it is at this step: the head in SRAM, the rest
 * at the same offset in its DRAM home. */
static uint32_t ref_at(const Emitter *m, int t, int64_t at)
{
	const OffchipSeg *s = seg_of(m, t);
	if (s && at < m->plan->head[t])
		return (uint32_t)(s->offset + at);
	return NPU_DRAM_BIT | (uint32_t)(m->p->tensor_dram[t] + at);
}

static uint32_t ref_of(const Emitter *m, int t)
{
	return ref_at(m, t, 0);
}

static uint32_t const_ref(const Emitter *m, int c)
{
	return NPU_DRAM_BIT | (uint32_t)m->p->const_dram[c];
}

static void sync(Emitter *m)
{
	NpuInsn i = {.op = NPU_SYNC};
	put(m, &i);
	m->ndma = 0;
}

/* A SYNC first if SRAM [lo, hi) may still be moving. */
static void touch(Emitter *m, int64_t lo, int64_t hi)
{
	for (int k = 0; k < m->ndma; k++)
		if (lo < m->dma[k].hi && m->dma[k].lo < hi) {
			sync(m);
			return;
		}
}

static void touch_tensor(Emitter *m, int t)
{
	const OffchipSeg *s = seg_of(m, t);
	if (s)
		touch(m, s->offset, s->offset + m->plan->head[t]);
}

static void dma(Emitter *m, uint8_t op, uint32_t src, uint32_t dst, int64_t sram, int64_t bytes)
{
	touch(m, sram, sram + bytes);
	if (m->ndma == NDMA)
		sync(m);
	NpuInsn i = {.op = op, .src = src, .dst = dst, .bytes = (uint32_t)bytes};
	put(m, &i);
	m->dma[m->ndma++] = (Range){sram, sram + bytes};
}

static void buffer(Emitter *m, uint8_t op, const OffchipSeg *s)
{
	int64_t bytes = m->plan->head[s->tensor];
	if (op == NPU_FREE)
		touch(m, s->offset, s->offset + bytes); /* a STORE may still be reading it */
	NpuInsn i = {.op = op, .dst = (uint32_t)s->offset, .bytes = (uint32_t)bytes};
	put(m, &i);
}

/* ALLOC t's segment if it starts at this step, and LOAD it if the plan says. */
static void bring_in(Emitter *m, int t)
{
	const OffchipSeg *s = seg_of(m, t);
	if (!s || s->first != m->step)
		return;
	buffer(m, NPU_ALLOC, s);
	if (s->load)
		dma(m, NPU_LOAD, NPU_DRAM_BIT | (uint32_t)m->p->tensor_dram[t], (uint32_t)s->offset,
		    s->offset, m->plan->head[t]);
}

/* FREE t's segment if it ends at this step. */
static void release(Emitter *m, int t)
{
	const OffchipSeg *s = seg_of(m, t);
	if (s && s->last == m->step)
		buffer(m, NPU_FREE, s);
}

static void window(NpuInsn *i, const Window *w)
{
	i->kh = (uint8_t)w->kh;
	i->kw = (uint8_t)w->kw;
	i->sh = (uint8_t)w->sh;
	i->sw = (uint8_t)w->sw;
	i->dh = (uint8_t)w->dh;
	i->dw = (uint8_t)w->dw;
	i->pt = (int8_t)w->pt;
	i->pl = (int8_t)w->pl;
	i->pb = (int8_t)w->pb;
	i->pr = (int8_t)w->pr;
	i->groups = (uint16_t)w->groups;
}

static void dims(NpuInsn *i, Shape x, Shape y)
{
	i->in_c = (uint16_t)x.c;
	i->in_h = (uint16_t)x.h;
	i->in_w = (uint16_t)x.w;
	i->out_c = (uint16_t)y.c;
	i->out_h = (uint16_t)y.h;
	i->out_w = (uint16_t)y.w;
}

/* Per-channel requantization: the parameters come from op o's table. */
static void perch(Emitter *m, int o, NpuInsn *i)
{
	i->flags |= NPU_F_PERCH;
	i->aux = NPU_DRAM_BIT | (uint32_t)m->p->table_dram[o];
	i->qmul = 0;
	i->qshift = 0;
}

/* ---- operands in two parts (partial residency) ---- */

enum { NCUT = NPU_MAX_EW_INPUTS + 2 };

/* Where an instruction over n units is cut so that every operand of each
 * piece is in one place. */
typedef struct Cuts {
	int64_t at[NCUT + 1];
	int n;
} Cuts;

/* A cut where t's head ends, for a range of n units of `unit` bytes
 * starting at byte `base` of t. */
static void cut_head(const Emitter *m, Cuts *c, int t, int64_t base, int64_t unit, int64_t n)
{
	int64_t h = head_of(m, t) - base;
	if (h > 0 && h < n * unit)
		c->at[c->n++] = h / unit;
}

/* The cuts sorted, without repeats, n last: the ends of the pieces. */
static int cuts_end(Cuts *c, int64_t n)
{
	for (int i = 1; i < c->n; i++)
		for (int j = i; j > 0 && c->at[j - 1] > c->at[j]; j--) {
			int64_t x = c->at[j];
			c->at[j] = c->at[j - 1];
			c->at[j - 1] = x;
		}
	int k = 0;
	for (int i = 0; i < c->n; i++)
		if (!k || c->at[k - 1] != c->at[i])
			c->at[k++] = c->at[i];
	c->at[k++] = n;
	return c->n = k;
}

/* t as a CONV operand (planes of `plane` bytes): *ref at its first byte
 * and, when the plan keeps it in two parts, true with *ref2 at the rest
 * and *at the plane that starts there (SPLIT, OSPLIT). */
static bool two_parts(const Emitter *m, int t, int64_t plane, uint32_t *ref, uint32_t *ref2,
		      uint16_t *at)
{
	int64_t h = head_of(m, t);
	*ref = ref_of(m, t);
	if (h <= 0 || h >= m->g->tensors[t].bytes)
		return false;
	*ref2 = ref_at(m, t, h);
	*at = (uint16_t)(h / plane);
	return true;
}

/* POOL or GAVG: one instruction per run of channels whose input and
 * output are each in one place. */
static void per_channels(Emitter *m, NpuInsn i, int x, int y)
{
	Shape xs = m->g->tensors[x].shape, ys = m->g->tensors[y].shape;
	int64_t xp = (int64_t)xs.h * xs.w, yp = i.op == NPU_GAVG ? 1 : (int64_t)ys.h * ys.w;
	Cuts c = {{0}, 0};
	cut_head(m, &c, x, 0, xp, xs.c);
	cut_head(m, &c, y, 0, yp, xs.c);
	for (int k = 0, n = cuts_end(&c, xs.c); k < n; k++) {
		int64_t lo = k ? c.at[k - 1] : 0;
		i.src = ref_at(m, x, lo * xp);
		i.dst = ref_at(m, y, lo * yp);
		i.in_c = (uint16_t)(c.at[k] - lo);
		i.out_c = i.op == NPU_GAVG ? 0 : i.in_c;
		put(m, &i);
	}
}

/* EW, RELU, REQUANT: one instruction per run of elements whose operands
 * are each in one place (REQUANT's input is int32: 4 bytes an element). */
static void per_elements(Emitter *m, NpuInsn i, const Op *op)
{
	const Graph *g = m->g;
	int y = op->out[0];
	int64_t n = ir_shape_elems(g->tensors[y].shape);
	int64_t xunit = i.op == NPU_REQUANT ? 4 : 1;
	int64_t plane = (int64_t)g->tensors[y].shape.h * g->tensors[y].shape.w;
	Cuts c = {{0}, 0};
	for (int k = 0; k < op->nin; k++)
		cut_head(m, &c, op->in[k], 0, xunit, n);
	cut_head(m, &c, y, 0, 1, n);
	for (int k = 0, np = cuts_end(&c, n); k < np; k++) {
		int64_t lo = k ? c.at[k - 1] : 0;
		i.bytes = (uint32_t)(c.at[k] - lo);
		i.dst = ref_at(m, y, lo);
		if (i.op == NPU_EW)
			for (int j = 0; j < op->nin; j++)
				i.in[j] = ref_at(m, op->in[j], lo);
		else
			i.src = ref_at(m, op->in[0], lo * xunit);
		if (i.flags & NPU_F_PERCH) { /* REQUANT: its channels' entries */
			i.aux = NPU_DRAM_BIT | (uint32_t)(m->p->table_dram[m->op] +
							  NPU_PERCH_ENTRY * (lo / plane));
			i.out_c = (uint16_t)(i.bytes / plane);
		}
		put(m, &i);
	}
}

/* A concat: one COPY per input, per run in one place on both sides. */
static void concat(Emitter *m, const Op *op)
{
	int y = op->out[0];
	int64_t off = 0;
	for (int k = 0; k < op->nin; k++) {
		int x = op->in[k];
		int64_t n = m->g->tensors[x].bytes;
		Cuts c = {{0}, 0};
		cut_head(m, &c, x, 0, 1, n);
		cut_head(m, &c, y, off, 1, n);
		for (int j = 0, np = cuts_end(&c, n); j < np; j++) {
			int64_t lo = j ? c.at[j - 1] : 0;
			NpuInsn i = {.op = NPU_COPY, .src = ref_at(m, x, lo), .dst = ref_at(m, y, off + lo),
				     .bytes = (uint32_t)(c.at[j] - lo)};
			put(m, &i);
		}
		off += n;
	}
}

static int emit_op(Emitter *m, int o)
{
	const Graph *g = m->g;
	const Op *op = &g->ops[o];
	int y = op->out[0];
	const Tensor *yt = &g->tensors[y];
	Shape ys = yt->shape, xs = op->nin ? g->tensors[op->in[0]].shape : ys;
	NpuInsn i = {0};
	i.qmul = op->qmul;
	i.qshift = (int8_t)op->qshift;
	i.flags = op->relu ? NPU_F_RELU : 0;
	for (int k = 0; k < op->nin; k++)
		touch_tensor(m, op->in[k]);
	touch_tensor(m, y);
	switch (op->kind) {
	case OP_INPUT:
		return 0; /* in DRAM already; bring_in LOADs it if the plan says */
	case OP_CONV:
	case OP_PCONV:
	case OP_FC:
		i.op = NPU_CONV;
		i.weight = const_ref(m, op->weight);
		if (op->kind == OP_FC) {
			xs = (Shape){1, (int)(ir_shape_elems(xs)), 1, 1};
			Window w = ir_window(1, 1, 1, 1);
			window(&i, &w);
		} else {
			window(&i, &op->win);
		}
		dims(&i, xs, ys);
		if (op->kind == OP_PCONV) {
			i.flags = NPU_F_OUT32;
			i.qmul = 0;
			i.qshift = 0;
			if (op->nin == 2) {
				i.flags |= NPU_F_PSUM;
				i.aux = ref_of(m, op->in[1]);
			}
		}
		if (!(i.flags & NPU_F_PSUM))
			i.aux = const_ref(m, op->bias);
		if (op->qmuls)
			perch(m, o, &i);
		if (two_parts(m, op->in[0], (int64_t)xs.h * xs.w, &i.src, &i.src2, &i.split))
			i.flags |= NPU_F_SPLIT;
		if (two_parts(m, y, (int64_t)ys.h * ys.w * (i.flags & NPU_F_OUT32 ? 4 : 1), &i.dst,
			      &i.dst2, &i.osplit))
			i.flags |= NPU_F_OSPLIT;
		put(m, &i);
		return 0;
	case OP_REQUANT:
		i.op = NPU_REQUANT;
		if (op->qmuls)
			perch(m, o, &i);
		per_elements(m, i, op);
		return 0;
	case OP_MAXPOOL:
	case OP_AVGPOOL:
		i.op = NPU_POOL;
		i.qmul = 0;
		i.flags = op->kind == OP_AVGPOOL ? NPU_F_AVG : 0;
		window(&i, &op->win);
		i.groups = 0;
		dims(&i, xs, ys);
		per_channels(m, i, op->in[0], y);
		return 0;
	case OP_GAVGPOOL:
		i.op = NPU_GAVG;
		i.qmul = 0;
		i.flags = 0;
		dims(&i, xs, ys);
		i.out_c = i.out_h = i.out_w = 0;
		per_channels(m, i, op->in[0], y);
		return 0;
	case OP_ADD:
	case OP_WSUM:
		if (op->nin > NPU_MAX_EW_INPUTS)
			return err_set(m->e, "node %s: %d inputs, the NPU adds at most %d", op->name,
				       op->nin, NPU_MAX_EW_INPUTS);
		i.op = NPU_EW;
		i.nin = (uint8_t)op->nin;
		for (int k = 0; k < op->nin; k++)
			i.coef[k] = op->kind == OP_WSUM ? ((const int8_t *)g->consts[op->weight].data)[k]
							 : 1;
		per_elements(m, i, op);
		return 0;
	case OP_CONCAT:
		concat(m, op);
		return 0;
	case OP_RELU:
		i.op = NPU_RELU;
		i.qmul = 0;
		i.flags = 0;
		per_elements(m, i, op);
		return 0;
	default:
		return err_set(m->e, "node %s: %s ops cannot run on the NPU", op->name,
			       ir_kind_name(op->kind));
	}
}

static bool has_table(const Op *op)
{
	return op->qmuls && (op->kind == OP_CONV || op->kind == OP_FC || op->kind == OP_REQUANT);
}

/* Requantization parameters the encoding holds: qshift a signed byte;
 * per-channel parameters only on ops that take them. */
static int check_qparams(const Graph *g, int o, Err *e)
{
	const Op *op = &g->ops[o];
	if (op->qmuls && !has_table(op))
		return err_set(e, "node %s: per-channel requantization on a %s op (the NPU takes it "
				  "on conv, fc and requant)",
			       op->name, ir_kind_name(op->kind));
	int n = op->qmuls ? g->tensors[op->out[0]].shape.c : 1;
	for (int c = 0; c < n; c++) {
		int sh = op->qmuls ? op->qshifts[c] : op->qshift;
		if (sh < -128 || sh > 127)
			return err_set(e, "node %s: qshift %d (channel %d) past a signed byte",
				       op->name, sh, c);
	}
	return 0;
}

/* Refuses what the NPU cannot hold before emitting anything. */
static int check(const Graph *g, Err *e)
{
	for (int o = 0; o < g->nops; o++) {
		const Op *op = &g->ops[o];
		const Tensor *y = &g->tensors[op->out[0]];
		if (op->kind == OP_OPAQUE)
			return err_set(e, "node %s: only its size is known; the NPU cannot run it",
				       op->name);
		if (op->nout != 1 || y->shape.n != 1)
			return err_set(e, "node %s: the NPU runs batch 1, one output per op", op->name);
		if (y->shape.c > 65535 || y->shape.h > 65535 || y->shape.w > 65535)
			return err_set(e, "node %s: dimensions past 65535", op->name);
		if (op->kind == OP_PCONV && y->bytes != ir_shape_elems(y->shape) * 4)
			return err_set(e, "node %s: partial sums must be held at 32 bits on the NPU",
				       op->name);
		if ((op->weight >= 0 && !g->consts[op->weight].data) ||
		    (op->bias >= 0 && !g->consts[op->bias].data))
			return err_set(e, "node %s: weights not quantized", op->name);
		if ((op->kind == OP_CONV || op->kind == OP_PCONV) &&
		    (op->win.kh > 255 || op->win.kw > 255 || op->win.sh > 255 || op->win.sw > 255 ||
		     op->win.dh > 255 || op->win.dw > 255 || op->win.pt < -128 || op->win.pt > 127 ||
		     op->win.pl < -128 || op->win.pl > 127 || op->win.pb < -128 ||
		     op->win.pb > 127 || op->win.pr < -128 || op->win.pr > 127))
			return err_set(e, "node %s: window does not fit the encoding", op->name);
		if (op->kind == OP_FC && ir_shape_elems(g->tensors[op->in[0]].shape) > 65535)
			return err_set(e, "node %s: more than 65535 inputs", op->name);
		if (check_qparams(g, o, e))
			return -1;
	}
	return 0;
}

static int64_t up(int64_t x)
{
	return (x + NALIGN - 1) / NALIGN * NALIGN;
}

static int64_t table_bytes(const Graph *g, int o)
{
	return (int64_t)NPU_PERCH_ENTRY * g->tensors[g->ops[o].out[0]].shape.c;
}

static void put32(uint8_t *p, int32_t v)
{
	uint32_t u = (uint32_t)v;
	for (int k = 0; k < 4; k++)
		p[k] = (uint8_t)(u >> 8 * k);
}

/* Op o's table: {bias (0 for a requant), qmul, qshift} per output channel. */
static void fill_table(const Graph *g, int o, uint8_t *d)
{
	const Op *op = &g->ops[o];
	const int32_t *bias = op->bias >= 0 ? g->consts[op->bias].data : NULL;
	int n = g->tensors[op->out[0]].shape.c;
	for (int c = 0; c < n; c++, d += NPU_PERCH_ENTRY) {
		put32(d, bias ? bias[c] : 0);
		put32(d + 4, op->qmuls[c]);
		put32(d + 8, op->qshifts[c]);
	}
}

/* Addresses in the DRAM image, and the image with constants and inputs. */
static int layout(const Graph *g, const OffchipPlan *plan, NpuProgram *p, Err *e)
{
	int64_t at = 0;
	p->const_dram = xcalloc(g->nconsts, sizeof *p->const_dram);
	p->tensor_dram = xcalloc(g->ntensors, sizeof *p->tensor_dram);
	p->ntensors = g->ntensors;
	p->nconsts = g->nconsts;
	for (int c = 0; c < g->nconsts; c++) {
		p->const_dram[c] = at;
		at = up(at + g->consts[c].bytes);
	}
	p->table_dram = xcalloc(g->nops, sizeof *p->table_dram);
	p->nops = g->nops;
	for (int o = 0; o < g->nops; o++) {
		p->table_dram[o] = -1;
		if (has_table(&g->ops[o])) {
			p->table_dram[o] = at;
			at = up(at + table_bytes(g, o));
		}
	}
	for (int t = 0; t < g->ntensors; t++) {
		const Tensor *tt = &g->tensors[t];
		bool input = g->ops[tt->producer].kind == OP_INPUT;
		p->tensor_dram[t] = -1;
		if (input || plan->in_dram[t] || tt->output) {
			p->tensor_dram[t] = at;
			at = up(at + tt->bytes);
		}
	}
	if (at >= (int64_t)NPU_DRAM_BIT)
		return err_set(e, "graph %s: DRAM image of %lld bytes past 2 GiB", g->name,
			       (long long)at);
	p->dram_bytes = (size_t)(at ? at : NALIGN);
	p->dram = xcalloc(p->dram_bytes, 1);
	for (int c = 0; c < g->nconsts; c++)
		memcpy(p->dram + p->const_dram[c], g->consts[c].data, g->consts[c].bytes);
	for (int o = 0; o < g->nops; o++)
		if (p->table_dram[o] >= 0)
			fill_table(g, o, p->dram + p->table_dram[o]);
	for (int o = 0; o < g->nops; o++)
		if (g->ops[o].kind == OP_INPUT) {
			int t = g->ops[o].out[0];
			ref_input(&g->tensors[t], (int8_t *)(p->dram + p->tensor_dram[t]));
		}
	return 0;
}

/* Does input i of op repeat an earlier one? */
static bool dup_input(const Op *op, int i)
{
	for (int j = 0; j < i; j++)
		if (op->in[j] == op->in[i])
			return true;
	return false;
}

int npu_emit(const Graph *g, const int *order, const OffchipPlan *plan, NpuProgram *p, Err *e)
{
	memset(p, 0, sizeof *p);
	Emitter m = {g, plan, p, -1, 0, {{0, 0}}, 0, e};
	if (check(g, e) || layout(g, plan, p, e))
		goto fail;
	for (int k = 0; k < g->nops; k++) {
		int o = order[k];
		const Op *op = &g->ops[o];
		int y = op->out[0];
		m.op = o;
		m.step = k;
		for (int i = 0; i < op->nin; i++)
			if (!dup_input(op, i))
				bring_in(&m, op->in[i]);
		bring_in(&m, y);
		if (emit_op(&m, o))
			goto fail;
		const OffchipSeg *s = seg_of(&m, y);
		if (s && plan->store[y])
			dma(&m, NPU_STORE, (uint32_t)s->offset, NPU_DRAM_BIT | (uint32_t)p->tensor_dram[y],
			    s->offset, plan->head[y]);
		for (int i = 0; i < op->nin; i++)
			if (!dup_input(op, i))
				release(&m, op->in[i]);
		release(&m, y);
	}
	m.op = -1;
	if (m.ndma)
		sync(&m);
	NpuInsn end = {.op = NPU_END};
	put(&m, &end);
	return 0;
fail:
	npu_program_free(p);
	return -1;
}

void npu_program_free(NpuProgram *p)
{
	free(p->words);
	free(p->insn_op);
	free(p->insn_word);
	free(p->dram);
	free(p->tensor_dram);
	free(p->const_dram);
	free(p->table_dram);
	memset(p, 0, sizeof *p);
}

void npu_listing(const NpuProgram *p, const Graph *g, FILE *f)
{
	fprintf(f, "# %s: %zu instructions, %zu bytes of stream, %zu bytes of DRAM image\n",
		g->name, p->ninsn, p->nwords * 4, p->dram_bytes);
	int last = -2;
	for (size_t k = 0; k < p->ninsn; k++) {
		if (p->insn_op[k] != last) {
			last = p->insn_op[k];
			if (last >= 0)
				fprintf(f, "# %s (%s)\n", g->ops[last].name,
					ir_kind_name(g->ops[last].kind));
			else
				fprintf(f, "# end\n");
		}
		NpuInsn i;
		Err e;
		size_t at = p->insn_word[k];
		fprintf(f, "%6zu  ", k);
		if (npu_decode(p->words + at, p->nwords - at, k, &i, &e))
			npu_disasm(&i, f);
		else
			fprintf(f, "?? %s\n", e.msg);
	}
}

void npu_memmap(const NpuProgram *p, const Graph *g, const OffchipPlan *plan, FILE *f)
{
	fprintf(f, "# %s: SRAM arena %lld of %lld bytes, DRAM image %zu bytes\n", g->name,
		(long long)plan->arena, (long long)plan->sram_bytes, p->dram_bytes);
	fprintf(f, "# kind name space address bytes [(dram home)] [head bytes in SRAM] "
		   "[segments]\n");
	for (int c = 0; c < g->nconsts; c++)
		fprintf(f, "const %s dram 0x%llx %lld\n", g->consts[c].name,
			(unsigned long long)p->const_dram[c], (long long)g->consts[c].bytes);
	for (int o = 0; o < p->nops; o++)
		if (p->table_dram[o] >= 0)
			fprintf(f, "table %s dram 0x%llx %lld\n", g->ops[o].name,
				(unsigned long long)p->table_dram[o], (long long)table_bytes(g, o));
	for (int t = 0; t < g->ntensors; t++) {
		const Tensor *tt = &g->tensors[t];
		if (plan->in_sram[t])
			fprintf(f, "tensor %s sram 0x%llx %lld", tt->name,
				(unsigned long long)plan->offset[t], (long long)tt->bytes);
		else
			fprintf(f, "tensor %s dram 0x%llx %lld", tt->name,
				(unsigned long long)p->tensor_dram[t], (long long)tt->bytes);
		if (plan->in_sram[t] && p->tensor_dram[t] >= 0)
			fprintf(f, " (dram 0x%llx)", (unsigned long long)p->tensor_dram[t]);
		if (plan->in_sram[t] && plan->head[t] < tt->bytes) /* partial residency */
			fprintf(f, " head %lld", (long long)plan->head[t]);
		/* split live ranges: every SRAM stretch, by step */
		int n = plan->seg_begin[t + 1] - plan->seg_begin[t];
		for (int k = plan->seg_begin[t]; n > 1 && k < plan->seg_begin[t + 1]; k++)
			fprintf(f, " %s@%d..%d:0x%llx", plan->seg[k].load ? "load" : "made",
				plan->seg[k].first, plan->seg[k].last,
				(unsigned long long)plan->seg[k].offset);
		fputc('\n', f);
	}
}
