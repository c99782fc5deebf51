/* test_fsim.c: the functional model.  Hand-built streams compute what the
 * reference interpreter computes for the same tiny graphs, bit for bit; the
 * counters and cycles are the cost model's; every illegal stream is refused
 * with the instruction that breaks the rules. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsim.h"
#include "isa.h"
#include "ref.h"
#include "rng.h"

#define S(a) ((uint32_t)(a))
#define D(a) (NPU_DRAM_BIT | (uint32_t)(a))

static const CostModel model = {
	.sram_bytes = 4096,
	.dma_read_bpc = 8,
	.dma_write_bpc = 8,
	.dram_latency = 10,
	.mac_rows = 4,
	.mac_cols = 4,
	.vector_width = 8,
};

enum { NSTREAM = 4096, NDRAM = 1 << 16 };

typedef struct Prog {
	uint32_t w[NSTREAM];
	size_t n;       /* words */
	int ninsn;
	uint8_t dram[NDRAM];
	size_t top;     /* DRAM bytes placed */
} Prog;

static Prog *prog_new(void)
{
	Prog *p = calloc(1, sizeof *p);
	assert_non_null(p);
	return p;
}

static NpuInsn insn(int op, uint32_t src, uint32_t dst, uint32_t bytes)
{
	NpuInsn i;
	memset(&i, 0, sizeof i);
	i.op = (uint8_t)op;
	i.src = src;
	i.dst = dst;
	i.bytes = bytes;
	return i;
}

static int emit(Prog *p, NpuInsn i)
{
	assert_true(p->n + npu_insn_words(&i) <= NSTREAM);
	p->n += npu_encode(&i, p->w + p->n);
	return p->ninsn++;
}

static void alloc(Prog *p, uint32_t a, uint32_t n)
{
	emit(p, insn(NPU_ALLOC, 0, a, n));
}

static void sfree(Prog *p, uint32_t a, uint32_t n)
{
	emit(p, insn(NPU_FREE, 0, a, n));
}

static void load(Prog *p, uint32_t from, uint32_t to, uint32_t n)
{
	emit(p, insn(NPU_LOAD, from, to, n));
}

static void store(Prog *p, uint32_t from, uint32_t to, uint32_t n)
{
	emit(p, insn(NPU_STORE, from, to, n));
}

static void sync_(Prog *p)
{
	emit(p, insn(NPU_SYNC, 0, 0, 0));
}

static void end(Prog *p)
{
	emit(p, insn(NPU_END, 0, 0, 0));
}

/* Places bytes in the DRAM image (data NULL: reserves them, filled with a
 * pattern so that an output never written shows). */
static uint32_t place(Prog *p, const void *data, size_t bytes)
{
	size_t a = (p->top + 15) & ~(size_t)15;
	assert_true(a + bytes <= NDRAM);
	if (data)
		memcpy(p->dram + a, data, bytes);
	else
		memset(p->dram + a, 0x5a, bytes);
	p->top = a + bytes;
	return D(a);
}

static uint32_t place_input(Prog *p, const Graph *g, int t)
{
	int8_t buf[4096];
	assert_true(g->tensors[t].bytes <= (int64_t)sizeof buf);
	ref_input(&g->tensors[t], buf);
	return place(p, buf, (size_t)g->tensors[t].bytes);
}

static uint32_t place_const(Prog *p, const Graph *g, int c)
{
	return place(p, g->consts[c].data, (size_t)g->consts[c].bytes);
}

static const uint8_t *dram_at(const Prog *p, uint32_t ref)
{
	return p->dram + (ref & ~NPU_DRAM_BIT);
}

/* Seeded weights in [-15, 15], biases in [-1000, 1000], then calibrated
 * requantization, as a deployed graph has. */
static void prepare(Graph *g, RefValues *v)
{
	uint64_t s = 1;
	Err e;
	assert_true(ir_ok(g));
	ir_link(g);
	for (int c = 0; c < g->nconsts; c++) {
		Const *k = &g->consts[c];
		k->data = arena_alloc(g->arena, (size_t)k->bytes);
		for (int64_t j = 0; j < k->count; j++)
			if (k->dtype == DT_I8)
				((int8_t *)k->data)[j] = (int8_t)((int)rng_below(&s, 31) - 15);
			else
				((int32_t *)k->data)[j] = (int32_t)rng_below(&s, 2001) - 1000;
	}
	if (ref_calibrate(g, &e) || ref_run(g, v, &e))
		fail_msg("%s", e.msg);
}

static void expect(const Prog *p, uint32_t ref, const Graph *g, const RefValues *v, int t)
{
	size_t n = (size_t)g->tensors[t].bytes;
	const uint8_t *want = v->val[t];
	assert_memory_equal(dram_at(p, ref), want, n);
	/* and the case means something: not one value throughout */
	size_t k = 1;
	while (k < n && want[k] == want[0])
		k++;
	assert_true(n < 8 || k < n);
}

static void set_window(NpuInsn *i, Shape xs, Shape ys, Window k)
{
	i->in_c = (uint16_t)xs.c, i->in_h = (uint16_t)xs.h, i->in_w = (uint16_t)xs.w;
	i->out_c = (uint16_t)ys.c, i->out_h = (uint16_t)ys.h, i->out_w = (uint16_t)ys.w;
	i->kh = (uint8_t)k.kh, i->kw = (uint8_t)k.kw, i->sh = (uint8_t)k.sh, i->sw = (uint8_t)k.sw;
	i->dh = (uint8_t)k.dh, i->dw = (uint8_t)k.dw;
	i->pt = (int8_t)k.pt, i->pl = (int8_t)k.pl, i->pb = (int8_t)k.pb, i->pr = (int8_t)k.pr;
	i->groups = (uint16_t)k.groups;
}

/* The CONV computing tensor t (a conv or pconv) of g. */
static NpuInsn conv_of(const Graph *g, int t, uint32_t src, uint32_t dst, uint32_t w,
		       uint32_t aux, int flags)
{
	const Op *op = &g->ops[g->tensors[t].producer];
	NpuInsn i = insn(NPU_CONV, src, dst, 0);
	i.flags = (uint8_t)(flags | (op->relu ? NPU_F_RELU : 0));
	i.weight = w;
	i.aux = aux;
	set_window(&i, g->tensors[op->in[0]].shape, g->tensors[t].shape, op->win);
	if (!(flags & NPU_F_OUT32)) {
		i.qmul = op->qmul;
		i.qshift = (int8_t)op->qshift;
	}
	return i;
}

static NpuInsn pool_of(const Graph *g, int t, uint32_t src, uint32_t dst)
{
	const Op *op = &g->ops[g->tensors[t].producer];
	NpuInsn i = insn(NPU_POOL, src, dst, 0);
	i.flags = op->kind == OP_AVGPOOL ? NPU_F_AVG : 0;
	set_window(&i, g->tensors[op->in[0]].shape, g->tensors[t].shape, op->win);
	return i;
}

static FsimStats run_ok(Prog *p, const CostModel *m)
{
	FsimStats st;
	Err e;
	if (fsim_run(m, p->w, p->n, p->dram, NDRAM, &st, &e))
		fail_msg("%s", e.msg);
	assert_true(st.cycles >= st.compute_busy && st.cycles >= st.dma_busy);
	assert_int_equal(st.insns, p->ninsn);
	return st;
}

/* ---- bit-exact against the reference ---- */

/* op o's per-channel table {bias, qmul, qshift} in the DRAM image. */
static uint32_t place_table(Prog *p, const Graph *g, int o)
{
	const Op *op = &g->ops[o];
	int n = g->tensors[op->out[0]].shape.c;
	int32_t t[3 * 64];
	assert_true(n <= 64 && op->qmuls);
	for (int c = 0; c < n; c++) {
		t[3 * c] = op->bias >= 0 ? ((const int32_t *)g->consts[op->bias].data)[c] : 0;
		t[3 * c + 1] = op->qmuls[c];
		t[3 * c + 2] = op->qshifts[c];
	}
	return place(p, t, (size_t)n * NPU_PERCH_ENTRY);
}

/* x (4x7x7) -> conv c (8, 3x3, stride 2, groups 2, ReLU) -> conv c2 (4, 1x1). */
static Graph *two_convs(RefValues *v)
{
	Graph *g = ir_new("two_convs");
	int x = ir_input(g, "x", (Shape){1, 4, 7, 7}, DT_I8);
	int c = ir_conv(g, "c", x, 8, ir_window(3, 2, 1, 2));
	g->ops[1].relu = true;
	ir_conv(g, "c2", c, 4, ir_window(1, 1, 1, 1));
	prepare(g, v);
	return g;
}

typedef struct TwoConvs {
	uint32_t x, w1, b1, w2, b2, outc, out;
} TwoConvs;

static TwoConvs place_two_convs(Prog *p, const Graph *g)
{
	TwoConvs r;
	r.x = place_input(p, g, 0);
	r.w1 = place_const(p, g, g->ops[1].weight);
	r.b1 = place_const(p, g, g->ops[1].bias);
	r.w2 = place_const(p, g, g->ops[2].weight);
	r.b2 = place_const(p, g, g->ops[2].bias);
	r.outc = place(p, NULL, 128);
	r.out = place(p, NULL, 64);
	return r;
}

/* Everything through SRAM: LOAD, ALLOC, CONV, STORE. */
static Prog *two_convs_in_sram(const Graph *g, TwoConvs *rp)
{
	Prog *p = prog_new();
	TwoConvs r = place_two_convs(p, g);
	*rp = r;
	alloc(p, S(0), 196);
	load(p, r.x, S(0), 196);
	alloc(p, S(256), 128);
	sync_(p);
	emit(p, conv_of(g, 1, S(0), S(256), r.w1, r.b1, 0));
	store(p, S(256), r.outc, 128);
	sfree(p, S(0), 196);
	alloc(p, S(512), 64);
	sync_(p);
	emit(p, conv_of(g, 2, S(256), S(512), r.w2, r.b2, 0));
	store(p, S(512), r.out, 64);
	sync_(p);
	sfree(p, S(256), 128);
	sfree(p, S(512), 64);
	end(p);
	return p;
}

static void test_conv_in_sram(void **state)
{
	(void)state;
	RefValues v;
	Graph *g = two_convs(&v);
	TwoConvs r;
	Prog *p = two_convs_in_sram(g, &r);
	FsimStats st = run_ok(p, &model);
	expect(p, r.outc, g, &v, 1);
	expect(p, r.out, g, &v, 2);
	/* weights 8*2*9 + 4*8, biases 4*(8+4); the input loaded once */
	assert_int_equal(st.dram_weight_read, 144 + 32 + 32 + 16);
	assert_int_equal(st.dram_act_read, 196);
	assert_int_equal(st.dram_write, 128 + 64);
	assert_int_equal(st.sram_peak, 196 + 128);
	assert_int_equal(st.sram_in_use, 0);
	assert_int_equal(st.insns, 15);
	ir_free(g);
	ref_free(&v);
	free(p);
}

/* The first conv streams its input from DRAM and writes its output there;
 * the second reads that output straight from DRAM. */
static void test_conv_streams_dram(void **state)
{
	(void)state;
	RefValues v;
	Graph *g = two_convs(&v);
	Prog *p = prog_new();
	TwoConvs r = place_two_convs(p, g);
	emit(p, conv_of(g, 1, r.x, r.outc, r.w1, r.b1, 0));
	alloc(p, S(0), 64);
	emit(p, conv_of(g, 2, r.outc, S(0), r.w2, r.b2, 0));
	store(p, S(0), r.out, 64);
	sync_(p);
	end(p);
	FsimStats st = run_ok(p, &model);
	expect(p, r.outc, g, &v, 1);
	expect(p, r.out, g, &v, 2);
	assert_int_equal(st.dram_weight_read, 144 + 32 + 32 + 16);
	assert_int_equal(st.dram_act_read, 196 + 128);
	assert_int_equal(st.dram_write, 128 + 64);
	assert_int_equal(st.sram_peak, 64);
	/* conv c: 2 groups * ceil(4/4) * ceil(2*9/4) * 4*4 = 160 MAC cycles
	 * against (196+144+32)/8 + 128/8 = 63 streaming: 160 + 10 latency.
	 * conv c2: 1 * ceil(8/4) * 16 = 32 against (128+32+16)/8 = 22: 42.
	 * The STORE waits for the DMA engine: 212 + 10 + 64/8 = 230. */
	assert_int_equal(st.cycles, 230);
	assert_int_equal(st.compute_busy, 170 + 42);
	assert_int_equal(st.dma_busy, 170 + 42 + 18);
	ir_free(g);
	ref_free(&v);
	free(p);
}

/* conv c's output held in two parts, its first 3 channels in SRAM and the
 * other 5 in DRAM: c writes them with OSPLIT (the split inside its first
 * group of 4), and c2 reads both with SPLIT, streaming the DRAM part. */
static void test_conv_split_input(void **state)
{
	(void)state;
	RefValues v;
	Graph *g = two_convs(&v);
	Prog *p = prog_new();
	TwoConvs r = place_two_convs(p, g);
	enum { PLANE = 16, HEAD = 3 };
	alloc(p, S(0), 196);
	load(p, r.x, S(0), 196);
	alloc(p, S(256), HEAD * PLANE);
	sync_(p);
	NpuInsn a = conv_of(g, 1, S(0), S(256), r.w1, r.b1, 0);
	a.flags |= NPU_F_OSPLIT, a.dst2 = r.outc + HEAD * PLANE, a.osplit = HEAD;
	emit(p, a);
	sfree(p, S(0), 196);
	alloc(p, S(512), 64);
	NpuInsn d = conv_of(g, 2, S(256), S(512), r.w2, r.b2, 0);
	d.flags |= NPU_F_SPLIT, d.src2 = r.outc + HEAD * PLANE, d.split = HEAD;
	emit(p, d);
	store(p, S(512), r.out, 64);
	sync_(p);
	sfree(p, S(256), HEAD * PLANE);
	sfree(p, S(512), 64);
	end(p);
	FsimStats st = run_ok(p, &model);
	expect(p, r.out, g, &v, 2);
	/* c writes 5 channels of 16 to DRAM; c2 streams them once */
	assert_int_equal(st.dram_weight_read, 144 + 32 + 32 + 16);
	assert_int_equal(st.dram_act_read, 196 + 5 * PLANE);
	assert_int_equal(st.dram_write, 5 * PLANE + 64);
	assert_int_equal(st.sram_peak, 196 + HEAD * PLANE);
	ir_free(g);
	ref_free(&v);
	free(p);
}

/* a (2 ch) and b (3 ch) through a partial-conv chain: OUT32, then PSUM,
 * then REQUANT; and the last two fused into one requantizing PSUM conv. */
static void test_partial_conv_chain(void **state)
{
	(void)state;
	RefValues v;
	Graph *g = ir_new("pconv");
	int a = ir_input(g, "a", (Shape){1, 2, 5, 5}, DT_I8);
	int b = ir_input(g, "b", (Shape){1, 3, 5, 5}, DT_I8);
	int p1 = ir_pconv(g, "p1", a, -1, 4, ir_window(3, 1, 1, 1));
	int p2 = ir_pconv(g, "p2", b, p1, 4, ir_window(3, 1, 1, 1));
	int r = ir_requant(g, "r", p2);
	g->ops[4].relu = true;
	prepare(g, &v);
	const Op *rq = &g->ops[4];

	Prog *p = prog_new();
	uint32_t A = place_input(p, g, a), B = place_input(p, g, b);
	uint32_t W1 = place_const(p, g, g->ops[2].weight), B1 = place_const(p, g, g->ops[2].bias);
	uint32_t W2 = place_const(p, g, g->ops[3].weight);
	uint32_t PS2 = place(p, NULL, 400), R = place(p, NULL, 100), R2 = place(p, NULL, 100);
	alloc(p, S(0), 50);
	alloc(p, S(64), 75);
	load(p, A, S(0), 50);
	load(p, B, S(64), 75);
	alloc(p, S(256), 400);
	alloc(p, S(768), 400);
	sync_(p);
	emit(p, conv_of(g, p1, S(0), S(256), W1, B1, NPU_F_OUT32));
	emit(p, conv_of(g, p2, S(64), S(768), W2, S(256), NPU_F_OUT32 | NPU_F_PSUM));
	alloc(p, S(1280), 100);
	NpuInsn q = insn(NPU_REQUANT, S(768), S(1280), 100);
	q.flags = NPU_F_RELU, q.qmul = rq->qmul, q.qshift = (int8_t)rq->qshift;
	emit(p, q);
	alloc(p, S(1408), 100);
	NpuInsn f = conv_of(g, p2, S(64), S(1408), W2, S(256), NPU_F_PSUM | NPU_F_RELU);
	f.qmul = rq->qmul, f.qshift = (int8_t)rq->qshift;
	emit(p, f);
	store(p, S(768), PS2, 400);
	store(p, S(1280), R, 100);
	store(p, S(1408), R2, 100);
	sync_(p);
	end(p);
	FsimStats st = run_ok(p, &model);
	expect(p, PS2, g, &v, p2);
	expect(p, R, g, &v, r);
	expect(p, R2, g, &v, r);
	/* partial sums read from SRAM are not weights */
	assert_int_equal(st.dram_weight_read, 72 + 16 + 2 * 108);
	assert_int_equal(st.dram_act_read, 125);
	ir_free(g);
	ref_free(&v);
	free(p);
}

/* A weighted sum of 6 inputs (3 in SRAM, 3 streamed from DRAM: one OPERANDS
 * continuation), and an add reading one DRAM input twice. */
/* Per-channel requantization (PERCH): a grouped conv and an fc calibrated
 * per output channel, a partial-sum chain whose requant has its own
 * per-channel parameters; every operand streamed from DRAM. */
static void test_per_channel(void **state)
{
	(void)state;
	RefValues v;
	Err e;
	Graph *g = ir_new("perch");
	int x = ir_input(g, "x", (Shape){1, 4, 7, 7}, DT_I8);
	int c = ir_conv(g, "c", x, 8, ir_window(3, 2, 1, 2));
	g->ops[1].relu = true;
	int f = ir_fc(g, "f", c, 10);
	int a = ir_input(g, "a", (Shape){1, 2, 5, 5}, DT_I8);
	int b = ir_input(g, "b", (Shape){1, 3, 5, 5}, DT_I8);
	int p1 = ir_pconv(g, "p1", a, -1, 4, ir_window(3, 1, 1, 1));
	int p2 = ir_pconv(g, "p2", b, p1, 4, ir_window(3, 1, 1, 1));
	int r = ir_requant(g, "r", p2);
	prepare(g, &v);
	ref_free(&v);
	/* recalibrated per channel; the requant's channels get shifts around
	 * its own scale, as a rewritten per-channel conv would give it */
	for (int o = 0; o < g->nops; o++)
		g->ops[o].qmul = 0;
	if (ref_calibrate_perchannel(g, &e))
		fail_msg("%s", e.msg);
	Op *rq = &g->ops[7];
	assert_non_null(g->ops[1].qmuls);
	assert_non_null(g->ops[2].qmuls);
	assert_null(rq->qmuls);
	rq->qmuls = arena_newvec(g->arena, int32_t, 4);
	rq->qshifts = arena_newvec(g->arena, int, 4);
	for (int k = 0; k < 4; k++)
		rq->qmuls[k] = rq->qmul - k * 12345, rq->qshifts[k] = rq->qshift + k % 3 - 1;
	rq->qmul = 0;
	if (ref_run(g, &v, &e))
		fail_msg("%s", e.msg);

	Prog *p = prog_new();
	uint32_t X = place_input(p, g, x), A = place_input(p, g, a), B = place_input(p, g, b);
	uint32_t W = place_const(p, g, g->ops[1].weight), T = place_table(p, g, 1);
	uint32_t WF = place_const(p, g, g->ops[2].weight), TF = place_table(p, g, 2);
	uint32_t W1 = place_const(p, g, g->ops[5].weight), B1 = place_const(p, g, g->ops[5].bias);
	uint32_t W2 = place_const(p, g, g->ops[6].weight), TR = place_table(p, g, 7);
	uint32_t C = place(p, NULL, 128), F = place(p, NULL, 10);
	uint32_t P1 = place(p, NULL, 400), P2 = place(p, NULL, 400), R = place(p, NULL, 100);
	NpuInsn k = conv_of(g, c, X, C, W, T, NPU_F_PERCH);
	k.qmul = 0, k.qshift = 0;
	emit(p, k);
	k = insn(NPU_CONV, C, F, 0);
	k.flags = NPU_F_PERCH, k.weight = WF, k.aux = TF, k.groups = 1;
	set_window(&k, (Shape){1, 128, 1, 1}, (Shape){1, 10, 1, 1}, ir_window(1, 1, 1, 1));
	emit(p, k);
	emit(p, conv_of(g, p1, A, P1, W1, B1, NPU_F_OUT32));
	emit(p, conv_of(g, p2, B, P2, W2, P1, NPU_F_OUT32 | NPU_F_PSUM));
	k = insn(NPU_REQUANT, P2, R, 100);
	k.flags = NPU_F_PERCH, k.aux = TR, k.out_c = 4;
	emit(p, k);
	end(p);
	FsimStats st = run_ok(p, &model);
	expect(p, C, g, &v, c);
	expect(p, F, g, &v, f);
	expect(p, R, g, &v, r);
	/* the tables are weight traffic: 12 bytes a channel, the conv's bias in them */
	assert_int_equal(st.dram_weight_read, 144 + 96 + 1280 + 120 + 72 + 16 + 108 + 48);
	/* a table past the image is refused, named */
	p->w[NPU_INSN_WORDS + 4] = D(NDRAM - 64);
	if (!fsim_run(&model, p->w, p->n, p->dram, NDRAM, &st, &e))
		fail_msg("a table past the image ran");
	assert_non_null(strstr(e.msg, "instruction 1 (conv)"));
	assert_non_null(strstr(e.msg, "(table)"));
	ir_free(g);
	ref_free(&v);
	free(p);
}

static void test_ew_six_inputs(void **state)
{
	(void)state;
	RefValues v;
	Graph *g = ir_new("ew");
	int xs[6];
	for (int k = 0; k < 6; k++) {
		char name[8];
		snprintf(name, sizeof name, "x%d", k);
		xs[k] = ir_input(g, name, (Shape){1, 3, 4, 4}, DT_I8);
	}
	int ws = ir_wsum(g, "ws", xs, 6);
	g->ops[6].relu = true;
	int ad[3] = {xs[0], xs[1], xs[1]};
	int sum = ir_add(g, "sum", ad, 3);
	prepare(g, &v);

	Prog *p = prog_new();
	uint32_t X[6];
	for (int k = 0; k < 6; k++)
		X[k] = place_input(p, g, xs[k]);
	uint32_t OW = place(p, NULL, 48), OS = place(p, NULL, 48);
	alloc(p, S(0), 144);
	for (int k = 0; k < 3; k++)
		load(p, X[k], S(48 * k), 48);
	alloc(p, S(256), 48);
	alloc(p, S(320), 48);
	sync_(p);
	NpuInsn e = insn(NPU_EW, 0, S(256), 48);
	e.flags = NPU_F_RELU, e.qmul = g->ops[6].qmul, e.qshift = (int8_t)g->ops[6].qshift;
	e.nin = 6;
	for (int k = 0; k < 6; k++) {
		e.in[k] = k < 3 ? S(48 * k) : X[k];
		e.coef[k] = ((const int8_t *)g->consts[g->ops[6].weight].data)[k];
	}
	assert_int_equal(npu_insn_words(&e), 32);
	emit(p, e);
	e = insn(NPU_EW, 0, S(320), 48);
	e.qmul = g->ops[7].qmul, e.qshift = (int8_t)g->ops[7].qshift;
	e.nin = 3;
	e.in[0] = X[0], e.in[1] = e.in[2] = X[1];
	e.coef[0] = e.coef[1] = e.coef[2] = 1;
	emit(p, e);
	store(p, S(256), OW, 48);
	store(p, S(320), OS, 48);
	sync_(p);
	end(p);
	FsimStats st = run_ok(p, &model);
	expect(p, OW, g, &v, ws);
	expect(p, OS, g, &v, sum);
	/* loads 3*48, the wsum's DRAM inputs 3*48, the add's 2*48 (x1 once) */
	assert_int_equal(st.dram_act_read, 144 + 144 + 96);
	assert_int_equal(st.dram_weight_read, 0);
	assert_int_equal(st.dram_write, 96);
	ir_free(g);
	ref_free(&v);
	free(p);
}

/* Max and average pooling (padding, a cropping window, dilation), global
 * average, ReLU (also in place), concat by COPY. */
static void test_pool_gavg_relu_copy(void **state)
{
	(void)state;
	RefValues v;
	Graph *g = ir_new("pool");
	int x = ir_input(g, "x", (Shape){1, 3, 7, 7}, DT_I8);
	int mp = ir_pool(g, "mp", OP_MAXPOOL, x, ir_window(3, 2, 1, 1));
	int ap = ir_pool(g, "ap", OP_AVGPOOL, x, ir_window(3, 1, 1, 1));
	int ap2 = ir_pool(g, "ap2", OP_AVGPOOL, x, (Window){3, 2, 2, 1, 1, 2, -1, 0, 1, 1, 1});
	int mp2 = ir_pool(g, "mp2", OP_MAXPOOL, x, (Window){2, 3, 1, 2, 2, 1, 0, -1, 1, 2, 1});
	int gp = ir_gavgpool(g, "gp", x);
	int rl = ir_relu(g, "rl", x);
	int ci[2] = {x, rl};
	int cat = ir_concat(g, "cat", ci, 2);
	prepare(g, &v);

	Prog *p = prog_new();
	uint32_t X = place_input(p, g, x);
	int outs[] = {mp, ap, ap2, mp2, gp};
	uint32_t O[5], OC = place(p, NULL, 294), OR = place(p, NULL, 147);
	for (int k = 0; k < 5; k++)
		O[k] = place(p, NULL, (size_t)g->tensors[outs[k]].bytes);
	alloc(p, S(0), 147);
	load(p, X, S(0), 147);
	sync_(p);
	for (int k = 0; k < 5; k++) {
		uint32_t at = S(256 * (k + 1));
		alloc(p, at, (uint32_t)g->tensors[outs[k]].bytes);
		if (outs[k] == gp) {
			NpuInsn i = insn(NPU_GAVG, S(0), at, 0);
			i.in_c = 3, i.in_h = 7, i.in_w = 7;
			emit(p, i);
		} else {
			emit(p, pool_of(g, outs[k], S(0), at));
		}
		store(p, at, O[k], (uint32_t)g->tensors[outs[k]].bytes);
	}
	/* the concat's halves written in place: a COPY and the RELU itself */
	alloc(p, S(2048), 294);
	emit(p, insn(NPU_COPY, S(0), S(2048), 147));
	emit(p, insn(NPU_RELU, S(0), S(2048 + 147), 147));
	sync_(p);
	store(p, S(2048), OC, 294);
	sync_(p);
	emit(p, insn(NPU_RELU, S(0), S(0), 147)); /* in place */
	store(p, S(0), OR, 147);
	sync_(p);
	end(p);
	FsimStats st = run_ok(p, &model);
	for (int k = 0; k < 5; k++)
		expect(p, O[k], g, &v, outs[k]);
	expect(p, OC, g, &v, cat);
	expect(p, OR, g, &v, rl);
	assert_int_equal(st.sram_peak, 147 + 48 + 147 + 54 + 54 + 3 + 294);
	ir_free(g);
	ref_free(&v);
	free(p);
}

/* A fully connected layer is a 1x1 CONV over C*H*W channels. */
static void test_fc_as_conv(void **state)
{
	(void)state;
	RefValues v;
	Graph *g = ir_new("fc");
	int x = ir_input(g, "x", (Shape){1, 2, 3, 3}, DT_I8);
	int f = ir_fc(g, "f", x, 5);
	prepare(g, &v);
	Prog *p = prog_new();
	uint32_t X = place_input(p, g, x), W = place_const(p, g, g->ops[1].weight);
	uint32_t B = place_const(p, g, g->ops[1].bias), O = place(p, NULL, 5);
	NpuInsn i = insn(NPU_CONV, X, O, 0);
	i.weight = W, i.aux = B;
	set_window(&i, (Shape){1, 18, 1, 1}, (Shape){1, 5, 1, 1}, ir_window(1, 1, 1, 1));
	i.qmul = g->ops[1].qmul, i.qshift = (int8_t)g->ops[1].qshift;
	emit(p, i);
	end(p);
	run_ok(p, &model);
	expect(p, O, g, &v, f);
	ir_free(g);
	ref_free(&v);
	free(p);
}

/* ---- timing ---- */

static void test_cycles_by_hand(void **state)
{
	(void)state;
	Prog *p = prog_new();
	alloc(p, S(0), 100);
	alloc(p, S(128), 100);
	alloc(p, S(256), 800);
	load(p, D(0), S(0), 100);     /* 0..23: 10 + 100/8 */
	sync_(p);                     /* issue at 23 */
	load(p, D(128), S(256), 800); /* 23..133 */
	emit(p, insn(NPU_RELU, S(0), S(128), 100)); /* 23..36, beside the load */
	sync_(p);
	end(p);
	FsimStats st = run_ok(p, &model);
	assert_int_equal(st.cycles, 133);
	assert_int_equal(st.compute_busy, 13);
	assert_int_equal(st.dma_busy, 133);
	free(p);

	/* a compute streaming DRAM waits for the DMA engine */
	p = prog_new();
	alloc(p, S(128), 100);
	alloc(p, S(256), 800);
	load(p, D(128), S(256), 800);                /* 0..110 */
	emit(p, insn(NPU_RELU, D(0), S(128), 100));  /* 110..133: max(13, 13) + 10 */
	emit(p, insn(NPU_RELU, S(128), S(128), 100)); /* 133..146 */
	sync_(p);
	end(p);
	st = run_ok(p, &model);
	assert_int_equal(st.cycles, 146);
	assert_int_equal(st.compute_busy, 23 + 13);
	assert_int_equal(st.dma_busy, 110 + 23);
	assert_int_equal(st.dram_act_read, 900);
	free(p);

	/* compute is synchronous: a STORE issued after it starts when it is done */
	p = prog_new();
	alloc(p, S(0), 100);
	alloc(p, S(128), 100);
	load(p, D(0), S(0), 100);                     /* 0..23 */
	sync_(p);
	emit(p, insn(NPU_RELU, S(0), S(128), 100));   /* 23..36 */
	store(p, S(128), D(200), 100);                /* 36..59 */
	sync_(p);
	end(p);
	st = run_ok(p, &model);
	assert_int_equal(st.cycles, 59);
	assert_int_equal(st.compute_busy, 13);
	assert_int_equal(st.dma_busy, 46);
	free(p);
}

static void test_cycles_monotone(void **state)
{
	(void)state;
	RefValues v;
	Graph *g = two_convs(&v);
	TwoConvs r;
	Prog *p = two_convs_in_sram(g, &r);
	CostModel m = model;
	int64_t last = INT64_MAX;
	for (int bpc = 1; bpc <= 128; bpc = bpc * 3 / 2 + 1) {
		m.dma_read_bpc = m.dma_write_bpc = bpc;
		FsimStats st = run_ok(p, &m);
		assert_true(st.cycles <= last);
		last = st.cycles;
	}
	m = model;
	last = 0;
	for (int lat = 0; lat <= 200; lat += 25) {
		m.dram_latency = lat;
		FsimStats st = run_ok(p, &m);
		assert_true(st.cycles >= last);
		last = st.cycles;
	}
	m = model;
	last = INT64_MAX;
	for (int mac = 1; mac <= 64; mac *= 2) {
		m.mac_rows = m.mac_cols = mac;
		FsimStats st = run_ok(p, &m);
		assert_true(st.cycles <= last);
		last = st.cycles;
	}
	ir_free(g);
	ref_free(&v);
	free(p);
}

/* ---- refusals ---- */

/* p must be refused with a message starting with `head` and holding
 * `detail`. */
static void refused(Prog *p, size_t dram_bytes, const char *head, const char *detail)
{
	FsimStats st;
	Err e = {{0}};
	int rc = fsim_run(&model, p->w, p->n, p->dram, dram_bytes, &st, &e);
	if (rc != -1 || strncmp(e.msg, head, strlen(head)) || !strstr(e.msg, detail))
		fail_msg("rc %d, message '%s', wanted '%s' ... '%s'", rc, e.msg, head, detail);
	assert_null(strchr(e.msg, '\n'));
	free(p);
}

static void test_refuse_out_of_bounds(void **state)
{
	(void)state;
	Prog *p = prog_new();
	alloc(p, S(4000), 200);
	end(p);
	refused(p, NDRAM, "instruction 0 (alloc): ", "0xfa0..0x1067 past the end of SRAM");

	p = prog_new();
	alloc(p, S(0), 100);
	load(p, D(0), S(4090), 100);
	refused(p, NDRAM, "instruction 1 (load): ", "writes SRAM 0xffa..0x105d past its end");

	p = prog_new();
	alloc(p, S(0), 100);
	load(p, D(1000), S(0), 100);
	refused(p, 1024, "instruction 1 (load): ", "reads DRAM 0x3e8..0x44b past the image");

	p = prog_new();
	alloc(p, S(0), 100);
	load(p, D(0), S(0), 100);
	sync_(p);
	store(p, S(0), D(1000), 100);
	refused(p, 1024, "instruction 3 (store): ", "writes DRAM 0x3e8..0x44b");

	p = prog_new();
	alloc(p, S(0), 100);
	load(p, D(0), S(0), 100);
	sync_(p);
	emit(p, insn(NPU_RELU, S(0), D(0x7fffff00), 100));
	refused(p, NDRAM, "instruction 3 (relu): ", "writes DRAM 0x7fffff00..0x7fffff63 past the image");

	/* weights past the image */
	p = prog_new();
	alloc(p, S(0), 16);
	load(p, D(0), S(0), 16);
	alloc(p, S(16), 16);
	sync_(p);
	NpuInsn c = insn(NPU_CONV, S(0), S(16), 0);
	c.weight = D(1020), c.aux = D(0), c.qmul = 1 << 30;
	set_window(&c, (Shape){1, 16, 1, 1}, (Shape){1, 16, 1, 1}, ir_window(1, 1, 1, 1));
	emit(p, c);
	refused(p, 1024, "instruction 4 (conv): ", "reads DRAM 0x3fc..0x4fb past the image "
						   "(0x400 bytes) (weights)");
}

static void test_refuse_unwritten_and_freed(void **state)
{
	(void)state;
	Prog *p = prog_new();
	alloc(p, S(0), 100);
	alloc(p, S(128), 100);
	emit(p, insn(NPU_RELU, S(0), S(128), 100));
	end(p);
	refused(p, NDRAM, "instruction 2 (relu): ", "reads SRAM 0x0..0x63 never written (src)");

	p = prog_new();
	alloc(p, S(0), 100);
	load(p, D(0), S(0), 50);
	sync_(p);
	alloc(p, S(128), 100);
	emit(p, insn(NPU_RELU, S(0), S(128), 100));
	end(p);
	refused(p, NDRAM, "instruction 4 (relu): ", "reads SRAM 0x0..0x63: 0x32..0x63 never written");

	/* a new buffer over old bytes starts unwritten */
	p = prog_new();
	alloc(p, S(0), 100);
	load(p, D(0), S(0), 100);
	sync_(p);
	sfree(p, S(0), 100);
	alloc(p, S(0), 100);
	store(p, S(0), D(0), 100);
	refused(p, NDRAM, "instruction 5 (store): ", "reads SRAM 0x0..0x63 never written");

	p = prog_new();
	alloc(p, S(0), 100);
	load(p, D(0), S(0), 100);
	sync_(p);
	sfree(p, S(0), 100);
	alloc(p, S(128), 100);
	emit(p, insn(NPU_RELU, S(0), S(128), 100));
	end(p);
	refused(p, NDRAM, "instruction 5 (relu): ", "reads SRAM 0x0..0x63 outside any live buffer");

	p = prog_new();
	alloc(p, S(0), 100);
	load(p, D(0), S(0), 100);
	sync_(p);
	emit(p, insn(NPU_COPY, S(0), S(50), 100)); /* half outside */
	end(p);
	refused(p, NDRAM, "instruction 3 (copy): ", "writes SRAM 0x32..0x95 outside any live buffer "
						   "(at 0x64) (dst)");

	/* adjacent buffers do cover an access across both */
	p = prog_new();
	alloc(p, S(0), 50);
	alloc(p, S(50), 50);
	load(p, D(0), S(0), 100);
	sync_(p);
	end(p);
	run_ok(p, &model);
	free(p);
}

static void test_refuse_missing_sync(void **state)
{
	(void)state;
	Prog *p = prog_new();
	alloc(p, S(0), 100);
	alloc(p, S(128), 100);
	load(p, D(0), S(0), 100);
	emit(p, insn(NPU_RELU, S(0), S(128), 100));
	sync_(p);
	end(p);
	refused(p, NDRAM, "instruction 3 (relu): ",
		"reads SRAM 0x0..0x63 (src) that the load of instruction 2 may still be moving "
		"(no sync)");

	/* overwriting what a STORE still reads */
	p = prog_new();
	alloc(p, S(0), 100);
	alloc(p, S(128), 100);
	load(p, D(0), S(0), 100);
	load(p, D(0), S(128), 100);
	sync_(p);
	store(p, S(0), D(200), 100);
	emit(p, insn(NPU_RELU, S(128), S(0), 100));
	refused(p, NDRAM, "instruction 6 (relu): ", "the store of instruction 5");

	/* a STORE of what a LOAD is still bringing in */
	p = prog_new();
	alloc(p, S(0), 100);
	load(p, D(0), S(0), 100);
	store(p, S(50), D(200), 10);
	refused(p, NDRAM, "instruction 2 (store): ", "the load of instruction 1");

	/* freeing a buffer a transfer may still be moving */
	p = prog_new();
	alloc(p, S(0), 100);
	load(p, D(0), S(0), 100);
	sfree(p, S(0), 100);
	refused(p, NDRAM, "instruction 2 (free): ", "the load of instruction 1 may still be moving");

	/* two STOREs of the same bytes only read them: fine */
	p = prog_new();
	alloc(p, S(0), 100);
	load(p, D(0), S(0), 100);
	sync_(p);
	store(p, S(0), D(200), 100);
	store(p, S(0), D(300), 100);
	sync_(p);
	end(p);
	run_ok(p, &model);
	assert_memory_equal(p->dram + 200, p->dram, 100);
	assert_memory_equal(p->dram + 300, p->dram, 100);
	free(p);

	p = prog_new();
	alloc(p, S(0), 100);
	load(p, D(0), S(0), 100);
	end(p);
	refused(p, NDRAM, "instruction 2 (end): ", "end with 1 DMA transfer outstanding (the first "
						  "from instruction 1; no sync)");

	p = prog_new();
	alloc(p, S(0), 100);
	load(p, D(0), S(0), 100);
	sync_(p);
	store(p, S(0), D(200), 100);
	store(p, S(0), D(300), 100);
	end(p);
	refused(p, NDRAM, "instruction 5 (end): ", "2 DMA transfers outstanding");
}

static void test_refuse_alloc_free(void **state)
{
	(void)state;
	Prog *p = prog_new();
	alloc(p, S(0), 100);
	alloc(p, S(50), 100);
	refused(p, NDRAM, "instruction 1 (alloc): ",
		"buffer 0x32..0x95 overlaps the live buffer 0x0..0x63");

	p = prog_new();
	alloc(p, S(200), 100);
	alloc(p, S(300), 10);
	alloc(p, S(100), 101);
	refused(p, NDRAM, "instruction 2 (alloc): ", "overlaps the live buffer 0xc8..0x12b");

	p = prog_new();
	alloc(p, S(0), 100);
	sfree(p, S(0), 50);
	refused(p, NDRAM, "instruction 1 (free): ",
		"frees 0x0..0x31, but the buffer there is 0x0..0x63");

	p = prog_new();
	alloc(p, S(0), 100);
	sfree(p, S(10), 90);
	refused(p, NDRAM, "instruction 1 (free): ", "frees 0xa..0x63, which is not an allocated");

	p = prog_new();
	alloc(p, S(0), 100);
	sfree(p, S(0), 100);
	sfree(p, S(0), 100);
	refused(p, NDRAM, "instruction 2 (free): ", "not an allocated buffer");

	/* in use and peak follow ALLOC and FREE; freed space is reusable */
	p = prog_new();
	alloc(p, S(0), 100);
	alloc(p, S(100), 300);
	sfree(p, S(0), 100);
	alloc(p, S(0), 50);
	alloc(p, S(50), 50);
	end(p);
	FsimStats st = run_ok(p, &model);
	assert_int_equal(st.sram_peak, 400);
	assert_int_equal(st.sram_in_use, 400);
	free(p);
}

static void test_refuse_bad_streams(void **state)
{
	(void)state;
	Prog *p = prog_new();
	alloc(p, S(0), 100);
	sync_(p);
	p->w[p->n] = 0x42;
	p->n += NPU_INSN_WORDS;
	end(p);
	refused(p, NDRAM, "instruction 2: ", "unknown opcode 0x42");

	/* a decoding error names its instruction, counted as decoded: the EW
	 * with its continuation is one */
	p = prog_new();
	alloc(p, S(0), 64);
	NpuInsn e = insn(NPU_EW, 0, S(0), 8);
	e.nin = 6;
	for (int k = 0; k < 6; k++)
		e.in[k] = D(0), e.coef[k] = 1;
	emit(p, e);
	emit(p, insn(NPU_LOAD, S(0), S(8), 8));
	end(p);
	refused(p, NDRAM, "instruction 2 (load): ", "source must be a DRAM Ref");

	p = prog_new();
	alloc(p, S(0), 100);
	refused(p, NDRAM, "instruction 1: ", "the stream ends without end");

	p = prog_new();
	end(p);
	sync_(p);
	refused(p, NDRAM, "instruction 0 (end): ", "16 words after it");

	p = prog_new();
	end(p);
	p->n -= 3;
	refused(p, NDRAM, "instruction 0: ", "truncated");

	p = prog_new();
	end(p);
	FsimStats st;
	Err err;
	CostModel m = model;
	m.sram_bytes = 0;
	assert_int_equal(fsim_run(&m, p->w, p->n, p->dram, NDRAM, &st, &err), -1);
	assert_non_null(strstr(err.msg, "fsim: SRAM of 0 bytes"));
	m = model;
	m.dma_read_bpc = 0;
	assert_int_equal(fsim_run(&m, p->w, p->n, p->dram, NDRAM, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "fsim: bad cost model"));
	assert_int_equal(fsim_run(&model, p->w, p->n, p->dram, NDRAM, NULL, &err), 0);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conv_in_sram),
		cmocka_unit_test(test_conv_streams_dram),
		cmocka_unit_test(test_conv_split_input),
		cmocka_unit_test(test_partial_conv_chain),
		cmocka_unit_test(test_per_channel),
		cmocka_unit_test(test_ew_six_inputs),
		cmocka_unit_test(test_pool_gavg_relu_copy),
		cmocka_unit_test(test_fc_as_conv),
		cmocka_unit_test(test_cycles_by_hand),
		cmocka_unit_test(test_cycles_monotone),
		cmocka_unit_test(test_refuse_out_of_bounds),
		cmocka_unit_test(test_refuse_unwritten_and_freed),
		cmocka_unit_test(test_refuse_missing_sync),
		cmocka_unit_test(test_refuse_alloc_free),
		cmocka_unit_test(test_refuse_bad_streams),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
