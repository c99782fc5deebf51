/* emit.c: the NPU command stream for a scheduled, planned graph.
 *
 * DRAM image, each part 16-byte aligned, in this order: the weight blocks
 * of every convolution (docs/isa.md: per cw-wide tile of output channels
 * its 9 parameter rows, bias, qmul and qshift, then its weight rows) and
 * the tables of per-channel REQUANTs (8-byte qmul, qshift entries); the
 * graph inputs (their values: ref_input's) and outputs; then a home for
 * every other tensor the off-chip plan ever puts in DRAM.  So a DRAM
 * byte's class (weight, act, spill: the counters sort port bytes by it) is
 * the region it lies in, and LOAD and STORE carry it.
 *
 * Per op, in schedule order, following the off-chip plan's segments (a
 * tensor's stretches in SRAM, each at its own offset): ALLOC and LOAD the
 * segments of its operands that start here with a reload, ALLOC its
 * output's (LOAD it, for a graph input), the op's work, STORE its output to
 * DRAM if the plan ever needs it there, then FREE the segments that end
 * here.  A SYNC goes in only where an access would race a transfer still
 * in flight (docs/isa.md's rules: touch()).
 *
 *   conv, fc     CONV, per chunk of its weight blocks the WBUF holds (an fc
 *                is a 1x1 CONV over C*H*W channels of one pixel; a 1x1
 *                stride-1 unpadded conv runs over its rows flattened into
 *                one, so that every lane has a pixel)
 *   pconv        CONV with OUT32, the first from the bias, the rest PSUM
 *   requant      REQUANT (per channel: PERCH, its table in the WBUF)
 *   maxpool, avgpool  POOL;   gavgpool  GAVG
 *   add, wsum    EW with coefficients 1, or the weights
 *   concat       per input, COPY within SRAM, or a LOAD or STORE straight
 *                between its place in DRAM and the output's in SRAM
 *   relu         RELU
 *
 * Weights.  The WBUF is two halves when the largest block fits in one: a
 * convolution's blocks go in chunks that fit a half, the next chunk (the
 * next convolution's first, past the last) LOADed into the other half as
 * soon as the engine runs the current one, so weights stream under
 * compute; each weight byte crosses the DRAM port once per layer.
 *
 * Staging.  A tensor the plan keeps in DRAM at a step (all of it, or the
 * tail of one kept in part: its channels past the head) is moved through
 * the staging area at the top of the SRAM (the planner planned below it):
 * two slots, each an input area (LOADed operands) from its bottom and an
 * output area (results to STORE) at its top, so that a piece's inputs never
 * land on the results two pieces before it still STOREs.  The op is cut into pieces that fit a slot: element
 * ranges (EW, RELU, REQUANT, COPY), channels and row bands (POOL, GAVG),
 * weight-block ranges and bands of output rows with their input rows
 * (CONV: the band's rows of the tail channels, a view whose row0 is the
 * band's first input row; the head channels stay where they are, a view of
 * the resident buffer: SPLIT and OSPLIT).  Pieces alternate slots and are
 * software-pipelined: piece k's inputs are waited for (SYNC), piece k+1's
 * LOADed and piece k-1's results STOREd, then piece k runs, so transfers
 * overlap compute.
 */
#include "emit.h"

#include <stdlib.h>
#include <string.h>

#include "isa.h"
#include "ref.h"

enum {
	NALIGN = 16,  /* DRAM image and staging buffers */
	NDMA = 64,    /* transfers between SYNCs the hardware tracks (NPEND) */
	NMOVE = 40,   /* LOADs or STOREs a piece makes at most */
	MINEW = 64,   /* elements the smallest elementwise piece moves */
};

typedef struct Pend {
	int space;
	int64_t lo, hi; /* on-chip range */
	bool to_chip;   /* LOAD: writes it */
} Pend;

typedef struct Piece {
	NpuInsn move[2][NMOVE]; /* its LOADs, its STOREs */
	int nmove[2];
	NpuInsn insn;            /* its compute instruction (op 0: none) */
} Piece;

typedef struct Emitter {
	const Graph *g;
	const OffchipPlan *plan;
	const CostModel *m;
	NpuProgram *p;
	int op;           /* op being emitted, for the listing */
	int step;         /* its step: which segment holds a tensor */
	Pend dma[NDMA];   /* on-chip ranges of transfers since the last SYNC */
	int ndma;
	int64_t pieces;   /* pieces staged so far: the slot of the next */
	int64_t slot;     /* bytes a staging slot */
	int slots;        /* staging slots: 2, or 1 when the SRAM is too small for two */
	int64_t whalf;    /* bytes a WBUF half; 0: one chunk at a time in the whole WBUF */
	int cur_half;     /* the half the running chunk is in (-1: none) */
	int pf_half;      /* the half the chunk LOADed ahead is in (-1: none) */
	int pf_op;        /* the chunk LOADed ahead: its op (-1: none), its first block, */
	int pf_b0, pf_b1; /* one past its last */
	int want_op, want_b0; /* the chunk to LOAD ahead once the engine has this one */
	const int *order; /* the schedule, and the step of the op being emitted */
	int k;
	Err *e;
} Emitter;

static int64_t up(int64_t x)
{
	return (x + NALIGN - 1) / NALIGN * NALIGN;
}

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

/* ---- where a tensor is ---- */

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

static int64_t sram_of(const Emitter *m, int t)
{
	const OffchipSeg *s = seg_of(m, t);
	return s ? s->offset : -1;
}

static int64_t home(const Emitter *m, int t)
{
	return m->p->tensor_dram[t];
}

static bool is_act(const Graph *g, int t)
{
	return g->tensors[t].output || g->ops[g->tensors[t].producer].kind == OP_INPUT;
}

static int cls_of(const Emitter *m, int t)
{
	return is_act(m->g, t) ? NPU_CLS_ACT : NPU_CLS_SPILL;
}

static uint32_t sram_ref(int64_t a)
{
	return NPU_REF(NPU_SRAM, a);
}

/* ---- transfers and hazards ---- */

static void sync(Emitter *m)
{
	NpuInsn i = {.op = NPU_SYNC};
	put(m, &i);
	m->ndma = 0;
}

/* A SYNC first if accessing [lo, hi) of space races a transfer in flight:
 * a write races every transfer, a read only LOADs. */
static void touch(Emitter *m, int space, int64_t lo, int64_t hi, bool write)
{
	for (int k = 0; k < m->ndma; k++)
		if (m->dma[k].space == space && lo < m->dma[k].hi && m->dma[k].lo < hi &&
		    (write || m->dma[k].to_chip)) {
			sync(m);
			return;
		}
}

/* A LOAD or STORE, counted in the plan: rows of n bytes. */
static void dma(Emitter *m, const NpuInsn *i)
{
	const CostModel *cm = m->m;
	bool load = i->op == NPU_LOAD;
	uint32_t chip = load ? i->dst : i->src, dram = load ? i->src : i->dst;
	uint32_t cstride = load ? i->dstride : i->sstride, dstride = load ? i->sstride : i->dstride;
	int64_t lo = NPU_ADDR(chip), hi = lo + (int64_t)(i->rows - 1) * cstride + i->bytes;
	touch(m, NPU_SPACE(chip), lo, hi, load);
	if (m->ndma == NDMA)
		sync(m);
	put(m, i);
	m->dma[m->ndma++] = (Pend){NPU_SPACE(chip), lo, hi, load};
	int bpc = load ? cm->rd_bpc : cm->wr_bpc;
	int64_t beats = 0;
	for (int r = 0; r < i->rows; r++)
		beats += cost_beats(NPU_ADDR(dram) + (int64_t)r * dstride, i->bytes, bpc);
	int64_t moved = (int64_t)i->rows * i->bytes;
	if (load) {
		m->p->plan_port_rd[i->cls] += beats * bpc;
		m->p->plan_rd += moved;
	} else {
		m->p->plan_port_wr[i->cls] += beats * bpc;
		m->p->plan_wr += moved;
	}
}

static NpuInsn transfer(uint8_t op, int cls, uint32_t src, uint32_t dst, int64_t bytes, int rows,
			int64_t sstride, int64_t dstride)
{
	NpuInsn i = {.op = op, .cls = (uint8_t)cls, .src = src, .dst = dst, .bytes = (uint32_t)bytes,
		     .rows = (uint16_t)rows};
	if (rows > 1) {
		i.sstride = (uint32_t)sstride;
		i.dstride = (uint32_t)dstride;
	}
	return i;
}

static void buffer(Emitter *m, uint8_t op, int64_t addr, int64_t bytes)
{
	if (op == NPU_FREE)
		touch(m, NPU_SRAM, addr, addr + bytes, true); /* a transfer may still be moving it */
	NpuInsn i = {.op = op, .dst = sram_ref(addr), .bytes = (uint32_t)bytes};
	put(m, &i);
}

/* ALLOC t's segment if it starts at this step, and LOAD it if the plan says. */
static void bring_in(Emitter *m, int t)
{
	const OffchipSeg *s = seg_of(m, t);
	if (!s || s->first != m->step)
		return;
	buffer(m, NPU_ALLOC, s->offset, m->plan->head[t]);
	if (s->load) {
		NpuInsn i = transfer(NPU_LOAD, cls_of(m, t), NPU_REF(NPU_DRAM, home(m, t)),
				     sram_ref(s->offset), m->plan->head[t], 1, 0, 0);
		dma(m, &i);
	}
}

/* FREE t's segment if it ends at this step. */
static void release(Emitter *m, int t)
{
	const OffchipSeg *s = seg_of(m, t);
	if (s && s->last == m->step)
		buffer(m, NPU_FREE, s->offset, m->plan->head[t]);
}

/* ---- the operands of a compute instruction, for touch() ---- */

typedef struct Span {
	int space;
	int64_t lo, hi;
	bool write;
} Span;

static int view_span(const NpuView *v, int nch, int r0, int r1, int64_t rb, bool write, Span *s)
{
	if (nch <= 0 || r1 <= r0)
		return 0;
	s->space = NPU_SRAM;
	s->lo = NPU_ADDR(v->base) + (int64_t)(r0 - v->row0) * rb;
	s->hi = NPU_ADDR(v->base) + (int64_t)(nch - 1) * v->cs + (int64_t)(r1 - v->row0) * rb;
	s->write = write;
	return 1;
}

static int dense_span(uint32_t ref, int64_t n, bool write, Span *s)
{
	*s = (Span){NPU_SPACE(ref), NPU_ADDR(ref), NPU_ADDR(ref) + n, write};
	return 1;
}

/* The hulls instruction i touches (as fsim checks them). */
static int spans(const NpuInsn *i, Span *s)
{
	int n = 0, lo, hi;
	switch (i->op) {
	case NPU_CONV: {
		int split = i->flags & NPU_F_SPLIT ? i->split : i->in_c;
		int osplit = i->flags & NPU_F_OSPLIT ? i->osplit : i->out_c;
		int64_t e = i->flags & NPU_F_OUT32 ? 4 : 1;
		npu_band_rows(i, &lo, &hi);
		n += view_span(&i->x, split, lo, hi, i->in_w, false, &s[n]);
		if (i->flags & NPU_F_SPLIT)
			n += view_span(&i->x2, i->in_c - split, lo, hi, i->in_w, false, &s[n]);
		n += dense_span(i->weight,
				npu_weight_bytes(i->in_c, i->out_c, i->groups, i->kh, i->kw, i->cw), false,
				&s[n]);
		if (i->flags & NPU_F_PSUM)
			n += view_span(&i->ps, i->out_c, i->oy0, i->oy1, 4 * (int64_t)i->out_w, false,
				       &s[n]);
		n += view_span(&i->y, osplit, i->oy0, i->oy1, e * i->out_w, true, &s[n]);
		if (i->flags & NPU_F_OSPLIT)
			n += view_span(&i->y2, i->out_c - osplit, i->oy0, i->oy1, e * i->out_w, true,
				       &s[n]);
		return n;
	}
	case NPU_POOL:
		npu_band_rows(i, &lo, &hi);
		n += view_span(&i->x, i->in_c, lo, hi, i->in_w, false, &s[n]);
		n += view_span(&i->y, i->in_c, i->oy0, i->oy1, i->out_w, true, &s[n]);
		return n;
	case NPU_GAVG:
		n += dense_span(i->src, (int64_t)i->in_c * i->in_h * i->in_w, false, &s[n]);
		return n + dense_span(i->dst, i->in_c, true, &s[n]);
	case NPU_EW:
		for (int k = 0; k < i->nin; k++)
			n += dense_span(i->in[k], i->bytes, false, &s[n]);
		return n + dense_span(i->dst, i->bytes, true, &s[n]);
	case NPU_REQUANT:
		n += dense_span(i->src, 4 * (int64_t)i->bytes, false, &s[n]);
		if (i->flags & NPU_F_PERCH)
			n += dense_span(i->aux, NPU_TABLE_ENTRY * (int64_t)i->out_c, false, &s[n]);
		return n + dense_span(i->dst, i->bytes, true, &s[n]);
	default: /* COPY, RELU */
		n += dense_span(i->src, i->bytes, false, &s[n]);
		return n + dense_span(i->dst, i->bytes, true, &s[n]);
	}
}

static void touch_insn(Emitter *m, const NpuInsn *i)
{
	Span s[NPU_MAX_EW_INPUTS + 2];
	int n = spans(i, s);
	for (int k = 0; k < n; k++)
		touch(m, s[k].space, s[k].lo, s[k].hi, s[k].write);
}

static void prefetch(Emitter *m);

static void compute(Emitter *m, const NpuInsn *i)
{
	touch_insn(m, i);
	put(m, i);
	prefetch(m);
}

/* ---- staged pieces ---- */

/* The staging slot of piece k: its input area starts here, its output area
 * ends m->slot bytes later. */
static int64_t slot_base(const Emitter *m, int64_t k)
{
	return m->p->stage_lo + (k % m->slots) * m->slot;
}

static void add_move(Piece *pc, int dir, const NpuInsn *i)
{
	if (pc->nmove[dir] < NMOVE)
		pc->move[dir][pc->nmove[dir]++] = *i;
}

/* Do a's LOADs write SRAM that b's STOREs read? */
static bool lands_on(const Piece *a, const Piece *b)
{
	for (int i = 0; i < a->nmove[0]; i++) {
		const NpuInsn *l = &a->move[0][i];
		int64_t lo = NPU_ADDR(l->dst), hi = lo + (int64_t)(l->rows - 1) * l->dstride + l->bytes;
		for (int j = 0; j < b->nmove[1]; j++) {
			const NpuInsn *s = &b->move[1][j];
			int64_t slo = NPU_ADDR(s->src);
			int64_t shi = slo + (int64_t)(s->rows - 1) * s->sstride + s->bytes;
			if (NPU_SPACE(l->dst) == NPU_SRAM && lo < shi && slo < hi)
				return true;
		}
	}
	return false;
}

/* Emits pieces pc[0..n) software-pipelined (see the header): piece k's
 * operands waited for, piece k+1's LOADs, piece k-1's STOREs, piece k.
 * Pieces without a compute instruction (a DRAM-to-DRAM copy: their STOREs
 * read what their LOADs wrote) and one-slot staging go one after another. */
static void run_pieces(Emitter *m, Piece *pc, int n)
{
	bool pipe = m->slots > 1 && pc[0].insn.op;
	for (int k = 0; pipe && k < pc[0].nmove[0]; k++)
		dma(m, &pc[0].move[0][k]);
	for (int p = 0; p < n; p++) {
		if (!pipe)
			for (int k = 0; k < pc[p].nmove[0]; k++)
				dma(m, &pc[p].move[0][k]);
		if (pc[p].insn.op)
			touch_insn(m, &pc[p].insn);
		/* piece p+1's LOADs before piece p-1's STOREs, unless they would
		 * land on what those STOREs still read (pieces of other shapes) */
		bool early = p + 1 < n && p > 0 && lands_on(&pc[p + 1], &pc[p - 1]);
		for (int k = 0; early && k < pc[p - 1].nmove[1]; k++)
			dma(m, &pc[p - 1].move[1][k]);
		if (pipe && p + 1 < n)
			for (int k = 0; k < pc[p + 1].nmove[0]; k++)
				dma(m, &pc[p + 1].move[0][k]);
		if (pipe && p > 0 && !early)
			for (int k = 0; k < pc[p - 1].nmove[1]; k++)
				dma(m, &pc[p - 1].move[1][k]);
		if (pc[p].insn.op) {
			put(m, &pc[p].insn);
			prefetch(m); /* the engine has its chunk: the next one may come */
		}
		if (!pipe)
			for (int k = 0; k < pc[p].nmove[1]; k++)
				dma(m, &pc[p].move[1][k]);
	}
	for (int k = 0; pipe && k < pc[n - 1].nmove[1]; k++)
		dma(m, &pc[n - 1].move[1][k]);
	m->pieces += n;
}

/* A growing list of pieces. */
typedef struct Pieces {
	Piece *v;
	int n, cap;
} Pieces;

static Piece *new_piece(Pieces *ps)
{
	if (ps->n == ps->cap) {
		ps->cap = ps->cap ? 2 * ps->cap : 8;
		ps->v = xrealloc(ps->v, (size_t)ps->cap * sizeof *ps->v);
	}
	Piece *p = &ps->v[ps->n++];
	memset(p, 0, sizeof *p);
	return p;
}

static void flush(Emitter *m, Pieces *ps)
{
	if (ps->n)
		run_pieces(m, ps->v, ps->n);
	ps->n = 0;
}

/* ---- elementwise ops: EW, RELU, REQUANT ---- */

enum { NCUT = NPU_MAX_EW_INPUTS + 2 };

/* Where an instruction over n units is cut so that every operand of each
 * run is in one place. */
typedef struct Cuts {
	int64_t at[NCUT + 1];
	int n;
} Cuts;

/* A cut where t's head ends, for n units of `unit` bytes starting at byte
 * `base` of t. */
static void cut_head(const Emitter *m, Cuts *c, int t, int64_t base, int64_t unit, int64_t n)
{
	int64_t h = head_of(m, t) - base;
	if (h > 0 && h < n * unit)
		c->at[c->n++] = h / unit;
}

/* The cuts sorted, without repeats, n last: the ends of the runs. */
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

/* Is byte `at` of t in SRAM at this step? */
static bool in_sram(const Emitter *m, int t, int64_t at)
{
	return at < head_of(m, t);
}

/* Byte `at` of t in SRAM (only when in_sram). */
static uint32_t sram_at(const Emitter *m, int t, int64_t at)
{
	return sram_ref(sram_of(m, t) + at);
}

/* A REQUANT with PERCH over elements [a, b) or a first part of them: whole
 * planes with their table entries or, from inside a plane or when not one
 * whole plane fits, the part of that one plane with its channel's qmul and
 * qshift (no table).  Sets x's parameters; returns the run's end. */
static int64_t perch_run(const Op *op, NpuInsn *x, uint32_t table, int64_t plane, int64_t a,
			 int64_t b)
{
	int64_t c = a / plane, whole = (b - a) / plane;
	if (a % plane == 0 && whole > 0) {
		x->aux = (uint32_t)(table + NPU_TABLE_ENTRY * c);
		x->out_c = (uint16_t)whole;
		return a + whole * plane;
	}
	x->flags &= (uint16_t)~NPU_F_PERCH;
	x->aux = 0;
	x->out_c = 0;
	x->qmul = op->qmuls[c];
	x->qshift = (int8_t)op->qshifts[c];
	return (c + 1) * plane < b ? (c + 1) * plane : b;
}

/* EW, RELU, REQUANT over elements [lo, hi) of op's tensors, when some are in
 * DRAM: pieces of n elements, each DRAM input LOADed into the slot's input
 * area, the output made in place (SRAM) or in the output area and STOREd. */
static void per_elements_staged(Emitter *m, NpuInsn i, const Op *op, int64_t lo, int64_t hi,
				Pieces *ps)
{
	int y = op->out[0];
	int64_t xunit = i.op == NPU_REQUANT ? 4 : 1;
	int nin = i.op == NPU_EW ? op->nin : 1;
	int64_t per_in = 0, per_out = in_sram(m, y, lo) ? 0 : 1;
	int t_of[NPU_MAX_EW_INPUTS];
	for (int k = 0; k < nin; k++) {
		t_of[k] = op->in[k];
		bool dup = false;
		for (int j = 0; j < k; j++)
			dup |= op->in[j] == op->in[k];
		if (!dup && !in_sram(m, op->in[k], lo * xunit))
			per_in += xunit;
	}
	int64_t plane = (int64_t)m->g->tensors[y].shape.h * m->g->tensors[y].shape.w;
	int64_t n = (m->slot - 2 * NALIGN) / (per_in + per_out);
	for (int64_t a = lo, b; a < hi; a = b) {
		b = a + n < hi ? a + n : hi;
		NpuInsn x = i;
		if (i.flags & NPU_F_PERCH)
			b = perch_run(op, &x, i.aux, plane, a, b);
		Piece *pc = new_piece(ps);
		int64_t base = slot_base(m, m->pieces + ps->n - 1), at = 0;
		x.bytes = (uint32_t)(b - a);
		for (int k = 0; k < nin; k++) {
			int t = t_of[k];
			uint32_t ref;
			if (in_sram(m, t, a * xunit)) {
				ref = sram_at(m, t, a * xunit);
			} else {
				int j = 0;
				while (op->in[j] != t)
					j++;
				if (j < k) { /* a repeated input: staged once */
					ref = i.op == NPU_EW ? x.in[j] : x.src;
				} else {
					ref = sram_ref(base + at);
					NpuInsn l = transfer(NPU_LOAD, cls_of(m, t),
							     NPU_REF(NPU_DRAM, home(m, t) + a * xunit), ref,
							     (b - a) * xunit, 1, 0, 0);
					add_move(pc, 0, &l);
					at += (b - a) * xunit;
				}
			}
			if (i.op == NPU_EW)
				x.in[k] = ref;
			else
				x.src = ref;
		}
		if (per_out) { /* the output area: the slot's top (run_pieces) */
			x.dst = sram_ref(base + m->slot - up(b - a));
			NpuInsn s = transfer(NPU_STORE, cls_of(m, y), x.dst,
					     NPU_REF(NPU_DRAM, home(m, y) + a), b - a, 1, 0, 0);
			add_move(pc, 1, &s);
		} else {
			x.dst = sram_at(m, y, a);
		}
		pc->insn = x;
	}
}

/* EW, RELU, REQUANT: runs of elements whose operands are each in one place;
 * all in SRAM: one instruction, else staged pieces. */
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
	Pieces ps = {0};
	for (int k = 0, np = cuts_end(&c, n); k < np; k++) {
		int64_t lo = k ? c.at[k - 1] : 0, hi = c.at[k];
		bool all = in_sram(m, y, lo);
		for (int j = 0; j < op->nin; j++)
			all &= in_sram(m, op->in[j], lo * xunit);
		if (!all) {
			per_elements_staged(m, i, op, lo, hi, &ps);
			continue;
		}
		flush(m, &ps);
		for (int64_t a = lo, b; a < hi; a = b) { /* PERCH: runs of perch_run */
			NpuInsn x = i;
			b = i.flags & NPU_F_PERCH ? perch_run(op, &x, i.aux, plane, a, hi) : hi;
			x.bytes = (uint32_t)(b - a);
			x.dst = sram_at(m, y, a);
			if (i.op == NPU_EW)
				for (int j = 0; j < op->nin; j++)
					x.in[j] = sram_at(m, op->in[j], a);
			else
				x.src = sram_at(m, op->in[0], a * xunit);
			compute(m, &x);
		}
	}
	flush(m, &ps);
	free(ps.v);
}

/* ---- concat ---- */

static void concat(Emitter *m, const Op *op)
{
	int y = op->out[0];
	int64_t off = 0;
	Pieces ps = {0};
	for (int k = 0; k < op->nin; k++) {
		int x = op->in[k];
		int64_t n = m->g->tensors[x].bytes;
		Cuts c = {{0}, 0};
		cut_head(m, &c, x, 0, 1, n);
		cut_head(m, &c, y, off, 1, n);
		for (int j = 0, np = cuts_end(&c, n); j < np; j++) {
			int64_t lo = j ? c.at[j - 1] : 0, hi = c.at[j];
			bool xs = in_sram(m, x, lo), ys = in_sram(m, y, off + lo);
			uint32_t xd = NPU_REF(NPU_DRAM, home(m, x) + lo);
			uint32_t yd = NPU_REF(NPU_DRAM, home(m, y) + off + lo);
			if (xs && ys) {
				NpuInsn i = {.op = NPU_COPY, .src = sram_at(m, x, lo),
					     .dst = sram_at(m, y, off + lo), .bytes = (uint32_t)(hi - lo)};
				compute(m, &i);
			} else if (ys) { /* straight from DRAM into place */
				NpuInsn i = transfer(NPU_LOAD, cls_of(m, x), xd, sram_at(m, y, off + lo),
						     hi - lo, 1, 0, 0);
				dma(m, &i);
			} else if (xs) { /* straight from SRAM to its place in DRAM */
				NpuInsn i = transfer(NPU_STORE, cls_of(m, y), sram_at(m, x, lo), yd,
						     hi - lo, 1, 0, 0);
				dma(m, &i);
			} else { /* DRAM to DRAM, through staging */
				for (int64_t a = lo; a < hi; a += m->slot) {
					int64_t b = a + m->slot < hi ? a + m->slot : hi;
					Piece *pc = new_piece(&ps);
					uint32_t st = sram_ref(slot_base(m, m->pieces + ps.n - 1));
					NpuInsn l = transfer(NPU_LOAD, cls_of(m, x),
							     NPU_REF(NPU_DRAM, home(m, x) + a), st, b - a, 1,
							     0, 0);
					NpuInsn s = transfer(NPU_STORE, cls_of(m, y), st,
							     NPU_REF(NPU_DRAM, home(m, y) + off + a), b - a,
							     1, 0, 0);
					add_move(pc, 0, &l);
					add_move(pc, 1, &s);
				}
				flush(m, &ps);
			}
		}
		off += n;
	}
	free(ps.v);
}

/* ---- windowed ops: POOL, GAVG, CONV ---- */

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

/* Bytes of the rows a band of b output rows reads, at most. */
static int64_t band_rows_max(const NpuInsn *i, int b)
{
	int64_t r = (int64_t)(b - 1) * i->sh + (int64_t)(i->kh - 1) * i->dh + 1;
	return r < i->in_h ? r : i->in_h;
}

/* POOL or GAVG over channels [c0, c1) and (POOL) output rows [oy0, oy1),
 * staging what is in DRAM; x, y the tensors, i the whole op's instruction. */
static void pool_piece(Emitter *m, Pieces *ps, NpuInsn i, int x, int y, int c0, int c1, int oy0,
		       int oy1)
{
	int64_t xp = (int64_t)i.in_h * i.in_w, yp = i.op == NPU_GAVG ? 1 : (int64_t)i.out_h * i.out_w;
	bool xs = in_sram(m, x, c0 * xp), ys = in_sram(m, y, c0 * yp); /* a run: all or none */
	int nc = c1 - c0, lo = 0, hi = i.in_h;
	i.in_c = (uint16_t)nc;
	if (i.op == NPU_POOL) {
		i.out_c = (uint16_t)nc;
		i.oy0 = (uint16_t)oy0;
		i.oy1 = (uint16_t)oy1;
		npu_band_rows(&i, &lo, &hi);
	}
	Piece *pc = xs && ys ? NULL : new_piece(ps);
	int64_t base = pc ? slot_base(m, m->pieces + ps->n - 1) : 0;
	if (xs) {
		i.x = (NpuView){sram_at(m, x, c0 * xp), (uint32_t)xp, 0};
	} else {
		int64_t rb = (int64_t)(hi - lo) * i.in_w;
		i.x = (NpuView){sram_ref(base), (uint32_t)rb, (uint16_t)lo};
		if (hi > lo) {
			NpuInsn l = transfer(NPU_LOAD, cls_of(m, x),
					     NPU_REF(NPU_DRAM, home(m, x) + c0 * xp + (int64_t)lo * i.in_w),
					     i.x.base, rb, nc, xp, rb);
			add_move(pc, 0, &l);
		}
	}
	int rows = oy1 - oy0;
	if (ys) {
		i.y = (NpuView){sram_at(m, y, c0 * yp), (uint32_t)yp, 0};
	} else {
		int64_t rb = i.op == NPU_GAVG ? 1 : (int64_t)rows * i.out_w;
		i.y = (NpuView){sram_ref(base + m->slot - up(rb * nc)), (uint32_t)rb, (uint16_t)oy0};
		int64_t ya = home(m, y) + c0 * yp + (i.op == NPU_GAVG ? 0 : (int64_t)oy0 * i.out_w);
		NpuInsn s = transfer(NPU_STORE, cls_of(m, y), i.y.base, NPU_REF(NPU_DRAM, ya), rb, nc,
				     rb, yp);
		if (i.op == NPU_GAVG) /* one byte a channel: one row */
			s = transfer(NPU_STORE, cls_of(m, y), i.y.base, NPU_REF(NPU_DRAM, ya), nc, 1, 0, 0);
		add_move(pc, 1, &s);
	}
	if (i.op == NPU_GAVG) {
		i.src = i.x.base;
		i.dst = i.y.base;
		memset(&i.x, 0, sizeof i.x);
		memset(&i.y, 0, sizeof i.y);
	} else {
		i.src = i.x.base;
		i.dst = i.y.base;
	}
	if (pc) {
		pc->insn = i;
	} else {
		compute(m, &i);
	}
}

/* POOL, GAVG: runs of channels whose input and output are each in one
 * place; runs in DRAM in pieces of channels (and, for POOL, of rows when
 * one channel's planes do not fit a slot). */
static int per_channels(Emitter *m, NpuInsn i, const Op *op)
{
	int x = op->in[0], y = op->out[0];
	int64_t xp = (int64_t)i.in_h * i.in_w, yp = i.op == NPU_GAVG ? 1 : (int64_t)i.out_h * i.out_w;
	Cuts c = {{0}, 0};
	cut_head(m, &c, x, 0, xp, i.in_c);
	cut_head(m, &c, y, 0, yp, i.in_c);
	Pieces ps = {0};
	for (int k = 0, n = cuts_end(&c, i.in_c); k < n; k++) {
		int c0 = k ? (int)c.at[k - 1] : 0, c1 = (int)c.at[k];
		bool xs = in_sram(m, x, c0 * xp), ys = in_sram(m, y, c0 * yp);
		int oh = i.op == NPU_GAVG ? 1 : i.out_h;
		if (xs && ys) {
			flush(m, &ps);
			pool_piece(m, &ps, i, x, y, c0, c1, 0, oh);
			continue;
		}
		/* channels a piece: whole planes if one fits; else one, in bands */
		int64_t per = (xs ? 0 : up(xp)) + (ys ? 0 : up(yp));
		int nc = (int)(m->slot / per), band = oh;
		if (nc < 1) {
			if (i.op == NPU_GAVG) {
				free(ps.v);
				return err_set(m->e, "node %s: a channel's %lld bytes do not fit the "
						     "staging slot (%lld bytes)",
					       op->name, (long long)xp, (long long)m->slot);
			}
			nc = 1;
			while (band > 1 && (xs ? 0 : up(band_rows_max(&i, band) * i.in_w)) +
						   (ys ? 0 : up((int64_t)band * i.out_w)) >
					       m->slot)
				band--;
			if ((xs ? 0 : up(band_rows_max(&i, 1) * i.in_w)) + (ys ? 0 : up(i.out_w)) >
			    m->slot) {
				free(ps.v);
				return err_set(m->e, "node %s: one output row's window does not fit "
						     "the staging slot (%lld bytes)",
					       op->name, (long long)m->slot);
			}
		}
		for (int a = c0; a < c1; a += nc)
			for (int r = 0; r < oh; r += band)
				pool_piece(m, &ps, i, x, y, a, a + nc < c1 ? a + nc : c1, r,
					   r + band < oh ? r + band : oh);
	}
	flush(m, &ps);
	free(ps.v);
	return 0;
}

/* A convolution, its weights in blocks (docs/isa.md): G groups of cog
 * output channels, each cut into T tiles of cw. */
typedef struct Conv {
	const Op *op;
	NpuInsn i;       /* the whole op: shapes, window, flags */
	int x, y, ps;    /* tensors (ps: -1 without PSUM) */
	int64_t xplane;  /* bytes of an input channel in x (an fc: 1) */
	int64_t yplane;  /* bytes of an output channel (x4 for int32) */
	int e;           /* bytes an output element */
	int G, cig, cog, cw, T;
	int64_t red, blk; /* reduction terms; bytes a block */
	bool flat;       /* 1x1, stride 1, no padding: rows run as one */
} Conv;

/* Blocks [b0, b1) (b = g*T + t) as one CONV: its channels and groups. A
 * valid range is whole groups, or tiles of one group. */
static void blocks(const Conv *cv, int b0, int b1, int *ic0, int *ic1, int *oc0, int *oc1,
		   int *groups)
{
	if (b0 % cv->T == 0 && b1 % cv->T == 0) {
		*ic0 = b0 / cv->T * cv->cig;
		*ic1 = b1 / cv->T * cv->cig;
		*oc0 = b0 / cv->T * cv->cog;
		*oc1 = b1 / cv->T * cv->cog;
		*groups = (b1 - b0) / cv->T;
		return;
	}
	int g = b0 / cv->T, t0 = b0 % cv->T, t1 = t0 + (b1 - b0);
	*ic0 = g * cv->cig;
	*ic1 = (g + 1) * cv->cig;
	*oc0 = g * cv->cog + t0 * cv->cw;
	*oc1 = g * cv->cog + (t1 * cv->cw < cv->cog ? t1 * cv->cw : cv->cog);
	*groups = 1;
}

/* The end of the longest valid block range from b0 within [b0, lim) whose
 * bytes fit cap (at least b0 + 1 if one block does). */
static int fit_blocks(const Conv *cv, int b0, int lim, int64_t cap)
{
	int64_t n = cap / cv->blk;
	if (n < 1)
		return b0;
	if (b0 % cv->T == 0 && n >= cv->T) { /* whole groups */
		int b1 = b0 + (int)(n / cv->T) * cv->T;
		return b1 < lim ? b1 : lim;
	}
	int gend = (b0 / cv->T + 1) * cv->T; /* tiles of one group */
	int b1 = b0 + (int)(n < gend - b0 ? n : gend - b0);
	return b1 < lim ? b1 : lim;
}

/* Bytes of staging a piece of blocks [b0, b1) and b output rows needs:
 * *in (input rows of its DRAM channels, partial sums) and *out. */
static void conv_need(const Emitter *m, const Conv *cv, int b0, int b1, int b, int64_t *in,
		      int64_t *out)
{
	int ic0, ic1, oc0, oc1, gr;
	blocks(cv, b0, b1, &ic0, &ic1, &oc0, &oc1, &gr);
	int64_t hx = head_of(m, cv->x) / cv->xplane, hy = head_of(m, cv->y) / cv->yplane;
	int64_t xd = ic1 - (hx > ic0 ? (hx < ic1 ? hx : ic1) : ic0);
	int64_t yd = oc1 - (hy > oc0 ? (hy < oc1 ? hy : oc1) : oc0);
	int64_t rows_in = cv->flat ? 1 : band_rows_max(&cv->i, b);
	int64_t inw = cv->flat ? (int64_t)b * cv->i.in_w : cv->i.in_w;
	int64_t pix = (int64_t)b * cv->i.out_w; /* output pixels of the band, a channel */
	*in = xd ? up(xd * rows_in * inw) : 0;
	if (cv->ps >= 0 && head_of(m, cv->ps) == 0)
		*in += up((int64_t)(oc1 - oc0) * pix * 4);
	*out = yd ? up(yd * pix * cv->e) : 0;
}

/* One CONV piece: blocks [b0, b1) (their weights at WBUF address w), output
 * rows [oy0, oy1); staged operands through piece slot of ps. */
static void conv_piece(Emitter *m, Pieces *ps, const Conv *cv, int b0, int b1, int64_t w, int oy0,
		       int oy1, bool staged)
{
	int ic0, ic1, oc0, oc1, gr;
	blocks(cv, b0, b1, &ic0, &ic1, &oc0, &oc1, &gr);
	NpuInsn i = cv->i;
	int64_t hx = head_of(m, cv->x) / cv->xplane, hy = head_of(m, cv->y) / cv->yplane;
	int xs_end = (int)(hx < ic0 ? ic0 : hx < ic1 ? hx : ic1); /* SRAM part: [ic0, xs_end) */
	int ys_end = (int)(hy < oc0 ? oc0 : hy < oc1 ? hy : oc1);
	int rows = oy1 - oy0, lo, hi;
	i.in_c = (uint16_t)(ic1 - ic0);
	i.out_c = (uint16_t)(oc1 - oc0);
	i.groups = (uint16_t)gr;
	i.weight = NPU_REF(NPU_WBUF, w);
	int64_t W = cv->i.in_w, OW = cv->i.out_w;
	int64_t xrow0 = 0, yrow0 = 0; /* flattened: the band's first byte in a plane */
	if (cv->flat) {
		xrow0 = (int64_t)oy0 * W;
		yrow0 = (int64_t)oy0 * OW * cv->e;
		i.in_h = i.out_h = 1;
		i.in_w = i.out_w = (uint16_t)(rows * W);
		i.oy0 = 0;
		i.oy1 = 1;
		lo = 0;
		hi = 1;
	} else {
		i.oy0 = (uint16_t)oy0;
		i.oy1 = (uint16_t)oy1;
		npu_band_rows(&i, &lo, &hi);
	}
	Piece *pc = staged ? new_piece(ps) : NULL;
	int64_t base = pc ? slot_base(m, m->pieces + ps->n - 1) : 0, at = 0;
	/* input: the SRAM part where it is, the DRAM part's band rows staged */
	NpuView sv = {0}, dv = {0};
	bool has_s = xs_end > ic0, has_d = xs_end < ic1;
	if (has_s)
		sv = (NpuView){sram_at(m, cv->x, ic0 * cv->xplane + xrow0), (uint32_t)cv->xplane, 0};
	if (has_d) {
		int64_t rb = (int64_t)(hi - lo) * i.in_w;
		dv = (NpuView){sram_ref(base), (uint32_t)rb, (uint16_t)lo};
		if (hi > lo) {
			int64_t src = home(m, cv->x) + xs_end * cv->xplane + xrow0 + (int64_t)lo * i.in_w;
			NpuInsn l = transfer(NPU_LOAD, cls_of(m, cv->x), NPU_REF(NPU_DRAM, src), dv.base,
					     rb, ic1 - xs_end, cv->xplane, rb);
			add_move(pc, 0, &l);
		}
		at = up(rb * (ic1 - xs_end));
	}
	if (has_s && has_d) {
		i.flags |= NPU_F_SPLIT;
		i.x = sv;
		i.x2 = dv;
		i.split = (uint16_t)(xs_end - ic0);
	} else {
		i.x = has_s ? sv : dv;
	}
	/* partial sums: where they are, or staged whole */
	if (cv->ps >= 0) {
		int64_t pplane = (int64_t)cv->i.out_h * OW * 4, prow0 = (int64_t)oy0 * OW * 4;
		if (head_of(m, cv->ps) > 0) {
			i.ps = (NpuView){sram_at(m, cv->ps, oc0 * pplane + (cv->flat ? prow0 : 0)),
					 (uint32_t)pplane, 0};
		} else {
			int64_t rb = (int64_t)rows * OW * 4;
			i.ps = (NpuView){sram_ref(base + at), (uint32_t)rb, (uint16_t)(cv->flat ? 0 : oy0)};
			NpuInsn l = transfer(NPU_LOAD, cls_of(m, cv->ps),
					     NPU_REF(NPU_DRAM, home(m, cv->ps) + oc0 * pplane + prow0),
					     i.ps.base, rb, oc1 - oc0, pplane, rb);
			add_move(pc, 0, &l);
			at += up(rb * (oc1 - oc0));
		}
		i.psum = i.ps.base;
	}
	/* output: the SRAM part in place, the DRAM part made in staging and STOREd */
	has_s = ys_end > oc0;
	has_d = ys_end < oc1;
	if (has_s)
		sv = (NpuView){sram_at(m, cv->y, oc0 * cv->yplane + yrow0), (uint32_t)cv->yplane, 0};
	if (has_d) {
		int64_t rb = (int64_t)rows * OW * cv->e;
		dv = (NpuView){sram_ref(base + m->slot - up(rb * (oc1 - ys_end))), (uint32_t)rb,
			       (uint16_t)(cv->flat ? 0 : oy0)};
		int64_t dst = home(m, cv->y) + ys_end * cv->yplane + (int64_t)oy0 * OW * cv->e;
		NpuInsn s = transfer(NPU_STORE, cls_of(m, cv->y), dv.base, NPU_REF(NPU_DRAM, dst), rb,
				     oc1 - ys_end, rb, cv->yplane);
		add_move(pc, 1, &s);
	}
	if (has_s && has_d) {
		i.flags |= NPU_F_OSPLIT;
		i.y = sv;
		i.y2 = dv;
		i.osplit = (uint16_t)(ys_end - oc0);
	} else {
		i.y = has_s ? sv : dv;
	}
	i.src = i.x.base;
	i.dst = i.y.base;
	if (pc)
		pc->insn = i;
	else
		compute(m, &i);
}

/* LOADs blocks [b0, b1) of op o's weights into the WBUF at w. */
static void load_weights(Emitter *m, const Conv *cv, int o, int b0, int b1, int64_t w)
{
	int64_t bytes = (int64_t)(b1 - b0) * cv->blk;
	NpuInsn l = transfer(NPU_LOAD, NPU_CLS_WEIGHT,
			     NPU_REF(NPU_DRAM, m->p->op_weights[o] + (int64_t)b0 * cv->blk),
			     NPU_REF(NPU_WBUF, w), bytes, 1, 0, 0);
	dma(m, &l);
}

/* A WBUF half for a new chunk: neither the one LOADed ahead nor the running
 * one (which the engine may still read), or the whole WBUF. */
static int64_t alloc_half(Emitter *m, int *h)
{
	if (!m->whalf) {
		*h = -1;
		return 0;
	}
	*h = m->pf_half >= 0 ? !m->pf_half : m->cur_half >= 0 ? !m->cur_half : 0;
	return *h * m->whalf;
}

static int64_t chunk_cap(const Emitter *m)
{
	return m->whalf ? m->whalf : m->m->wbuf_bytes;
}

static int conv_setup(const Emitter *m, int o, Conv *cv);

/* LOADs ahead the chunk m->want_op names, into the other half, once the
 * engine has the running one (the first CONV of its chunk is issued). */
static void prefetch(Emitter *m)
{
	int o = m->want_op;
	Conv cv;
	m->want_op = -1;
	if (o < 0 || !m->whalf || conv_setup(m, o, &cv))
		return;
	int b1 = fit_blocks(&cv, m->want_b0, cv.G * cv.T, chunk_cap(m));
	if (b1 <= m->want_b0)
		return;
	m->pf_op = o;
	m->pf_b0 = m->want_b0;
	m->pf_b1 = b1;
	int64_t w = alloc_half(m, &m->pf_half);
	load_weights(m, &cv, o, m->pf_b0, b1, w);
}

/* The next convolution of the schedule after step k (-1: none). */
static int next_conv(const Emitter *m, int k)
{
	for (int j = k + 1; j < m->g->nops; j++)
		if (m->p->op_weights[m->order[j]] >= 0 && m->p->op_cw[m->order[j]])
			return m->order[j];
	return -1;
}

static int conv_setup(const Emitter *m, int o, Conv *cv)
{
	const Graph *g = m->g;
	const Op *op = &g->ops[o];
	if (op->kind != OP_CONV && op->kind != OP_PCONV && op->kind != OP_FC)
		return -1;
	memset(cv, 0, sizeof *cv);
	cv->op = op;
	cv->x = op->in[0];
	cv->y = op->out[0];
	cv->ps = op->kind == OP_PCONV && op->nin == 2 ? op->in[1] : -1;
	Shape xs = g->tensors[cv->x].shape, ys = g->tensors[cv->y].shape;
	NpuInsn *i = &cv->i;
	i->op = NPU_CONV;
	i->flags = op->relu ? NPU_F_RELU : 0;
	if (op->kind == OP_PCONV)
		i->flags = NPU_F_OUT32 | (cv->ps >= 0 ? NPU_F_PSUM : 0);
	cv->e = op->kind == OP_PCONV ? 4 : 1;
	if (op->kind == OP_FC) {
		Window w = ir_window(1, 1, 1, 1);
		window(i, &w);
		xs = (Shape){1, (int)ir_shape_elems(xs), 1, 1};
		cv->xplane = 1;
	} else {
		window(i, &op->win);
		cv->xplane = (int64_t)xs.h * xs.w;
	}
	i->in_c = (uint16_t)xs.c;
	i->in_h = (uint16_t)xs.h;
	i->in_w = (uint16_t)xs.w;
	i->out_c = (uint16_t)ys.c;
	i->out_h = (uint16_t)ys.h;
	i->out_w = (uint16_t)ys.w;
	i->oy1 = i->out_h;
	cv->yplane = (int64_t)ys.h * ys.w * cv->e;
	cv->G = i->groups;
	cv->cig = xs.c / cv->G;
	cv->cog = ys.c / cv->G;
	cv->cw = m->p->op_cw[o];
	cv->T = npu_tiles(cv->cog, cv->cw);
	i->cw = (uint16_t)cv->cw;
	cv->red = (int64_t)cv->cig * i->kh * i->kw;
	cv->blk = (NPU_PARAM_ROWS + cv->red) * cv->cw;
	cv->flat = op->kind != OP_FC && i->kh == 1 && i->kw == 1 && i->sh == 1 && i->sw == 1 &&
		   !i->pt && !i->pl && !i->pb && !i->pr && i->in_h == i->out_h && i->in_w == i->out_w;
	return 0;
}

/* A convolution: per chunk of its blocks the WBUF takes (prefetched, the
 * next one LOADed while this one runs), pieces of blocks and output rows,
 * staged where operands are in DRAM. */
static int emit_conv(Emitter *m, int o, int k)
{
	Conv cv;
	conv_setup(m, o, &cv);
	const Op *op = cv.op;
	int nb = cv.G * cv.T, oh = cv.i.out_h;
	int64_t cap = chunk_cap(m);
	if (cv.blk > cap)
		return err_set(m->e, "node %s: a weight block of %lld bytes does not fit the weight "
				     "buffer (%lld bytes)",
			       op->name, (long long)cv.blk, (long long)m->m->wbuf_bytes);
	int64_t hx = head_of(m, cv.x), hy = head_of(m, cv.y);
	bool staged = hx < m->g->tensors[cv.x].bytes || hy < m->g->tensors[cv.y].bytes ||
		      (cv.ps >= 0 && head_of(m, cv.ps) == 0);
	/* rows a piece: all (flattened 1x1s: as many as the encoding holds) */
	int maxrows = cv.flat ? (int)(65535 / cv.i.in_w) : oh;
	if (maxrows > oh)
		maxrows = oh;
	Pieces ps = {0};
	for (int b0 = 0, b1; b0 < nb; b0 = b1) {
		int64_t w;
		if (m->pf_op == o && m->pf_b0 == b0) { /* LOADed ahead */
			b1 = m->pf_b1;
			w = m->pf_half * m->whalf;
			m->cur_half = m->pf_half;
		} else {
			b1 = fit_blocks(&cv, b0, nb, cap);
			w = alloc_half(m, &m->cur_half);
			load_weights(m, &cv, o, b0, b1, w);
		}
		m->pf_op = -1;
		m->pf_half = -1;
		/* once the engine has this chunk, the next comes (this op's, or the
		 * next convolution's first) */
		m->want_op = b1 < nb ? o : next_conv(m, k);
		m->want_b0 = b1 < nb ? b1 : 0;
		for (int c0 = b0, c1; c0 < b1; c0 = c1) {
			/* blocks and rows a piece: as many as a staging slot holds */
			int band = maxrows;
			c1 = b1;
			if (staged) {
				int64_t in, out;
				for (;;) {
					conv_need(m, &cv, c0, c1, 1, &in, &out);
					if (in + out <= m->slot || c1 == c0 + 1)
						break;
					c1 = c0 + (c1 - c0) / 2;
					if (c0 % cv.T == 0 && c1 % cv.T && c1 / cv.T != c0 / cv.T)
						c1 = c1 / cv.T * cv.T; /* keep ranges valid */
					if (c1 <= c0)
						c1 = c0 + 1;
				}
				if (in + out > m->slot)
					return err_set(m->e, "node %s: one output row of one weight tile "
							     "needs %lld bytes of staging, the slot has %lld",
						       op->name, (long long)(in + out), (long long)m->slot);
				while (band > 1) {
					conv_need(m, &cv, c0, c1, band, &in, &out);
					if (in + out <= m->slot)
						break;
					band--;
				}
			}
			for (int r = 0; r < oh; r += band)
				conv_piece(m, &ps, &cv, c0, c1, w + (int64_t)(c0 - b0) * cv.blk, r,
					   r + band < oh ? r + band : oh, staged);
		}
		flush(m, &ps);
	}
	m->cur_half = -1;
	free(ps.v);
	return 0;
}

/* A REQUANT's per-channel table into the WBUF (the whole of it, before it). */
static int load_table(Emitter *m, int o, int64_t *w)
{
	int64_t bytes = NPU_TABLE_ENTRY * (int64_t)m->g->tensors[m->g->ops[o].out[0]].shape.c;
	if (bytes > m->m->wbuf_bytes)
		return err_set(m->e, "node %s: its %lld-byte table does not fit the weight buffer",
			       m->g->ops[o].name, (long long)bytes);
	int h;
	*w = bytes <= chunk_cap(m) ? alloc_half(m, &h) : 0;
	NpuInsn l = transfer(NPU_LOAD, NPU_CLS_WEIGHT, NPU_REF(NPU_DRAM, m->p->op_weights[o]),
			     NPU_REF(NPU_WBUF, *w), bytes, 1, 0, 0);
	dma(m, &l);
	return 0;
}

static int emit_op(Emitter *m, int o, int k)
{
	const Graph *g = m->g;
	const Op *op = &g->ops[o];
	int y = op->out[0];
	Shape ys = g->tensors[y].shape, xs = op->nin ? g->tensors[op->in[0]].shape : ys;
	NpuInsn i = {0};
	i.qmul = op->qmul;
	i.qshift = (int8_t)op->qshift;
	i.flags = op->relu ? NPU_F_RELU : 0;
	switch (op->kind) {
	case OP_INPUT:
		return 0; /* in DRAM already; bring_in LOADs it if the plan says */
	case OP_CONV:
	case OP_PCONV:
	case OP_FC:
		return emit_conv(m, o, k);
	case OP_REQUANT: {
		i.op = NPU_REQUANT;
		if (op->qmuls) {
			int64_t w = 0;
			if (load_table(m, o, &w))
				return -1;
			i.flags |= NPU_F_PERCH;
			i.aux = NPU_REF(NPU_WBUF, w);
			i.qmul = 0;
			i.qshift = 0;
		}
		per_elements(m, i, op);
		return 0;
	}
	case OP_MAXPOOL:
	case OP_AVGPOOL:
		i.op = NPU_POOL;
		i.qmul = 0;
		i.qshift = 0;
		i.flags = op->kind == OP_AVGPOOL ? NPU_F_AVG : 0;
		window(&i, &op->win);
		i.groups = 0;
		i.in_c = (uint16_t)xs.c;
		i.in_h = (uint16_t)xs.h;
		i.in_w = (uint16_t)xs.w;
		i.out_c = (uint16_t)ys.c;
		i.out_h = (uint16_t)ys.h;
		i.out_w = (uint16_t)ys.w;
		return per_channels(m, i, op);
	case OP_GAVGPOOL:
		i.op = NPU_GAVG;
		i.qmul = 0;
		i.qshift = 0;
		i.flags = 0;
		i.in_c = (uint16_t)xs.c;
		i.in_h = (uint16_t)xs.h;
		i.in_w = (uint16_t)xs.w;
		return per_channels(m, i, op);
	case OP_ADD:
	case OP_WSUM:
		if (op->nin > NPU_MAX_EW_INPUTS)
			return err_set(m->e, "node %s: %d inputs, the NPU adds at most %d", op->name,
				       op->nin, NPU_MAX_EW_INPUTS);
		i.op = NPU_EW;
		i.nin = (uint8_t)op->nin;
		for (int j = 0; j < op->nin; j++)
			i.coef[j] = op->kind == OP_WSUM ? ((const int8_t *)g->consts[op->weight].data)[j]
							 : 1;
		per_elements(m, i, op);
		return 0;
	case OP_CONCAT:
		concat(m, op);
		return 0;
	case OP_RELU:
		i.op = NPU_RELU;
		i.qmul = 0;
		i.qshift = 0;
		i.flags = 0;
		per_elements(m, i, op);
		return 0;
	default:
		return err_set(m->e, "node %s: %s ops cannot run on the NPU", op->name,
			       ir_kind_name(op->kind));
	}
}

/* ---- checks and the DRAM image ---- */

static bool has_table(const Op *op)
{
	return op->qmuls && op->kind == OP_REQUANT;
}

static bool is_conv(const Op *op)
{
	return op->kind == OP_CONV || op->kind == OP_PCONV || op->kind == OP_FC;
}

/* Requantization parameters the encoding holds: qshift a signed byte;
 * per-channel parameters only on ops that take them. */
static int check_qparams(const Graph *g, int o, Err *e)
{
	const Op *op = &g->ops[o];
	if (op->qmuls && !has_table(op) && !is_conv(op))
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

static void put32(uint8_t *p, int32_t v)
{
	uint32_t u = (uint32_t)v;
	for (int k = 0; k < 4; k++)
		p[k] = (uint8_t)(u >> 8 * k);
}

/* Op o's weight blocks (docs/isa.md) into d. */
static void fill_blocks(const Graph *g, int o, int cw, uint8_t *d)
{
	const Op *op = &g->ops[o];
	Shape xs = g->tensors[op->in[0]].shape, ys = g->tensors[op->out[0]].shape;
	int G = op->kind == OP_FC ? 1 : op->win.groups;
	int64_t cin = op->kind == OP_FC ? ir_shape_elems(xs) : xs.c;
	int cig = (int)(cin / G), cog = ys.c / G, T = npu_tiles(cog, cw);
	int64_t taps = op->kind == OP_FC ? 1 : (int64_t)op->win.kh * op->win.kw;
	int64_t red = cig * taps;
	const int8_t *w = g->consts[op->weight].data;
	const int32_t *bias = op->bias >= 0 ? g->consts[op->bias].data : NULL;
	for (int gi = 0; gi < G; gi++)
		for (int t = 0; t < T; t++, d += (NPU_PARAM_ROWS + red) * cw)
			for (int k = 0; k < cw && t * cw + k < cog; k++) {
				int oc = gi * cog + t * cw + k;
				uint8_t b[12];
				put32(b, bias ? bias[oc] : 0);
				put32(b + 4, op->qmuls ? op->qmuls[oc] : op->qmul);
				b[8] = (uint8_t)(op->qmuls ? op->qshifts[oc] : op->qshift);
				for (int j = 0; j < NPU_PARAM_ROWS; j++)
					d[j * cw + k] = b[j];
				for (int64_t r = 0; r < red; r++)
					d[(NPU_PARAM_ROWS + r) * cw + k] = (uint8_t)w[oc * red + r];
			}
}

static int64_t conv_blob_bytes(const Graph *g, int o, int cw)
{
	const Op *op = &g->ops[o];
	Shape xs = g->tensors[op->in[0]].shape, ys = g->tensors[op->out[0]].shape;
	if (op->kind == OP_FC)
		return npu_weight_bytes((int)ir_shape_elems(xs), ys.c, 1, 1, 1, cw);
	return npu_weight_bytes(xs.c, ys.c, op->win.groups, op->win.kh, op->win.kw, cw);
}

/* Addresses in the DRAM image, and the image with weights and inputs. */
static int layout(const Graph *g, const OffchipPlan *plan, const CostModel *cm, NpuProgram *p,
		  Err *e)
{
	int64_t at = 0, beat = cm->rd_bpc, align = beat > NALIGN ? beat : NALIGN;
	p->op_weights = xcalloc(g->nops, sizeof *p->op_weights);
	p->op_cw = xcalloc(g->nops, sizeof *p->op_cw);
	p->nops = g->nops;
	for (int o = 0; o < g->nops; o++) {
		const Op *op = &g->ops[o];
		p->op_weights[o] = -1;
		if (is_conv(op)) {
			int G = op->kind == OP_FC ? 1 : op->win.groups;
			p->op_cw[o] = npu_block_width(g->tensors[op->out[0]].shape.c / G, cm->mac_cols);
		}
		int64_t blob = is_conv(op)       ? conv_blob_bytes(g, o, p->op_cw[o])
			       : has_table(op) ? NPU_TABLE_ENTRY * (int64_t)g->tensors[op->out[0]].shape.c
					       : 0;
		if (blob) { /* each blob from a beat boundary: one pass reads its beats */
			at = (at + align - 1) / align * align;
			p->op_weights[o] = at;
			at += blob;
			p->weight_bytes += (blob + beat - 1) / beat * beat;
		}
	}
	at = up(at);
	p->weight_end = at;
	p->tensor_dram = xcalloc(g->ntensors, sizeof *p->tensor_dram);
	p->ntensors = g->ntensors;
	for (int pass = 0; pass < 2; pass++) { /* graph inputs and outputs, then spills */
		for (int t = 0; t < g->ntensors; t++) {
			const Tensor *tt = &g->tensors[t];
			bool input = g->ops[tt->producer].kind == OP_INPUT;
			if (pass == 0)
				p->tensor_dram[t] = -1;
			if ((input || tt->output) != (pass == 0))
				continue;
			if (input || plan->in_dram[t] || tt->output) {
				p->tensor_dram[t] = at;
				at = up(at + tt->bytes);
			}
		}
		if (pass == 0)
			p->act_end = at;
	}
	if (at >= (int64_t)1 << 30)
		return err_set(e, "graph %s: DRAM image of %lld bytes past 1 GiB", g->name,
			       (long long)at);
	p->dram_bytes = (size_t)(at ? at : NALIGN);
	p->dram = xcalloc(p->dram_bytes, 1);
	for (int o = 0; o < g->nops; o++) {
		const Op *op = &g->ops[o];
		if (is_conv(op)) {
			fill_blocks(g, o, p->op_cw[o], p->dram + p->op_weights[o]);
		} else if (has_table(op)) {
			uint8_t *d = p->dram + p->op_weights[o];
			for (int c = 0; c < g->tensors[op->out[0]].shape.c; c++, d += NPU_TABLE_ENTRY) {
				put32(d, op->qmuls[c]);
				d[4] = (uint8_t)op->qshifts[c];
			}
		}
	}
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

bool npu_needs_staging(const Graph *g, const int *order, const OffchipPlan *plan)
{
	for (int k = 0; k < g->nops; k++) {
		const Op *op = &g->ops[order[k]];
		if (op->kind == OP_INPUT)
			continue;
		for (int i = -1; i < op->nin; i++) {
			int t = i < 0 ? op->out[0] : op->in[i];
			if (offchip_seg_at(plan, t, k) < 0 || plan->head[t] < g->tensors[t].bytes)
				return true;
		}
	}
	return false;
}

/* Staging bytes the smallest piece of op o needs, every operand in DRAM. */
static int64_t min_piece(const Graph *g, int o, const CostModel *cm)
{
	const Op *op = &g->ops[o];
	Shape ys = g->tensors[op->out[0]].shape, xs = op->nin ? g->tensors[op->in[0]].shape : ys;
	switch (op->kind) {
	case OP_CONV:
	case OP_PCONV: {
		int G = op->win.groups, cog = ys.c / G;
		int cw = npu_block_width(cog, cm->mac_cols);
		int64_t rows = (int64_t)(op->win.kh - 1) * op->win.dh + 1, e = op->kind == OP_PCONV ? 4 : 1;
		if (rows > xs.h)
			rows = xs.h;
		int64_t cin = G > 1 ? xs.c / G : xs.c, cout = cw < cog ? cw : cog;
		return up(cin * rows * xs.w) + up(cout * ys.w * e) * (op->nin == 2 ? 2 : 1);
	}
	case OP_FC:
		return up(ir_shape_elems(xs)) + up(ys.c);
	case OP_MAXPOOL:
	case OP_AVGPOOL: {
		int64_t rows = (int64_t)(op->win.kh - 1) * op->win.dh + 1;
		return up((rows < xs.h ? rows : xs.h) * xs.w) + up(ys.w);
	}
	case OP_GAVGPOOL:
		return up((int64_t)xs.h * xs.w) + NALIGN;
	case OP_INPUT:
		return 0;
	default:
		return (op->nin + 1) * up(MINEW * (op->kind == OP_REQUANT ? 4 : 1));
	}
}

int64_t npu_stage_bytes(const Graph *g, const CostModel *m, int64_t align, Err *e)
{
	int64_t need = 0;
	int worst = -1;
	for (int o = 0; o < g->nops; o++) {
		int64_t n = min_piece(g, o, m);
		if (n > need)
			need = n, worst = o;
	}
	int64_t a = align > NALIGN ? align : NALIGN;
	int64_t slot = (need + a - 1) / a * a;
	int64_t sixteenth = m->sram_bytes / 16 / a * a;
	if (sixteenth > slot)
		slot = sixteenth;
	int64_t room = m->sram_bytes / 4 * 3; /* a quarter left for the plan, at least */
	if (2 * slot <= room)
		return 2 * slot;
	if (slot <= room) /* one slot: pieces wait for each other's transfers */
		return slot | 1;
	return err_set(e, "node %s: its smallest piece needs %lld bytes of staging, more than "
			  "three quarters of the SRAM (%lld bytes)",
		       worst >= 0 ? g->ops[worst].name : "?", (long long)need,
		       (long long)m->sram_bytes);
}

int npu_emit(const Graph *g, const int *order, const OffchipPlan *plan, const CostModel *cm,
	     int64_t stage_bytes, NpuProgram *p, Err *e)
{
	memset(p, 0, sizeof *p);
	Emitter m = {0};
	m.g = g;
	m.plan = plan;
	m.m = cm;
	m.p = p;
	m.op = -1;
	m.pf_op = m.want_op = -1;
	m.pf_half = m.cur_half = -1;
	m.order = order;
	m.e = e;
	if (check(g, e) || layout(g, plan, cm, p, e))
		goto fail;
	/* an odd stage_bytes: one slot (npu_stage_bytes) */
	m.slots = stage_bytes & 1 ? 1 : 2;
	stage_bytes &= ~(int64_t)1;
	p->stage_bytes = stage_bytes;
	p->stage_lo = cm->sram_bytes - stage_bytes;
	m.slot = stage_bytes / m.slots / NALIGN * NALIGN;
	/* two WBUF halves when every weight block fits one */
	int64_t biggest = 0;
	for (int o = 0; o < g->nops; o++) {
		Conv cv;
		if (!conv_setup(&m, o, &cv) && cv.blk > biggest)
			biggest = cv.blk;
	}
	int64_t half = cm->wbuf_bytes / 2 / cm->mac_cols * cm->mac_cols;
	m.whalf = biggest <= half ? half : 0;
	if (stage_bytes)
		buffer(&m, NPU_ALLOC, p->stage_lo, stage_bytes);
	for (int k = 0; k < g->nops; k++) {
		int o = order[k];
		const Op *op = &g->ops[o];
		int y = op->out[0];
		m.op = o;
		m.step = m.k = k;
		for (int i = 0; i < op->nin; i++)
			if (!dup_input(op, i))
				bring_in(&m, op->in[i]);
		bring_in(&m, y);
		if (emit_op(&m, o, k))
			goto fail;
		const OffchipSeg *s = seg_of(&m, y);
		if (s && plan->store[y]) {
			NpuInsn i = transfer(NPU_STORE, cls_of(&m, y), sram_ref(s->offset),
					     NPU_REF(NPU_DRAM, home(&m, y)), plan->head[y], 1, 0, 0);
			dma(&m, &i);
		}
		for (int i = 0; i < op->nin; i++)
			if (!dup_input(op, i))
				release(&m, op->in[i]);
		release(&m, y);
	}
	m.op = -1;
	if (stage_bytes)
		buffer(&m, NPU_FREE, p->stage_lo, stage_bytes);
	if (m.ndma)
		sync(&m);
	NpuInsn end = {.op = NPU_END};
	put(&m, &end);
	p->plan_port_rd[NPU_CLS_FETCH] = (int64_t)p->nwords * 4;
	p->weight_refetch = p->plan_port_rd[NPU_CLS_WEIGHT] - p->weight_bytes;
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
	free(p->op_weights);
	free(p->op_cw);
	memset(p, 0, sizeof *p);
}

int64_t npu_stream_base(const NpuProgram *p)
{
	return ((int64_t)p->dram_bytes + NPU_INSN_BYTES - 1) / NPU_INSN_BYTES * NPU_INSN_BYTES;
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
				fprintf(f, "# %s\n", k ? "end" : "start");
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
	fprintf(f, "# %s: SRAM arena %lld of %lld bytes, staging %lld bytes at 0x%llx, DRAM image "
		   "%zu bytes\n",
		g->name, (long long)plan->arena, (long long)plan->sram_bytes,
		(long long)p->stage_bytes, (long long)p->stage_lo, p->dram_bytes);
	fprintf(f, "region weight dram 0x0 %lld\nregion act dram 0x%llx %lld\n"
		   "region spill dram 0x%llx %lld\nregion stream dram 0x%llx %zu\n",
		(long long)p->weight_end, (long long)p->weight_end,
		(long long)(p->act_end - p->weight_end), (long long)p->act_end,
		(long long)((int64_t)p->dram_bytes - p->act_end), (long long)npu_stream_base(p),
		p->nwords * 4);
	fprintf(f, "# kind name space address bytes [(dram home)] [head bytes in SRAM] "
		   "[segments]\n");
	for (int o = 0; o < p->nops; o++)
		if (p->op_weights[o] >= 0)
			fprintf(f, "%s %s dram 0x%llx %lld%s\n", p->op_cw[o] ? "weights" : "table",
				g->ops[o].name, (unsigned long long)p->op_weights[o],
				(long long)(p->op_cw[o] ? conv_blob_bytes(g, o, p->op_cw[o])
						       : NPU_TABLE_ENTRY *
								 (int64_t)g->tensors[g->ops[o].out[0]].shape.c),
				"");
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
