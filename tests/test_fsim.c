/* test_fsim.c: the functional model (docs/isa.md, hw/README.md).
 * Hand-written streams (weight blocks written here in the documented
 * format) compute what src/ref.c's functions compute on the whole tensors,
 * or hand-computed values, bit for bit: views with gaps between channels,
 * bands with views that start at their first row, inputs and outputs in
 * two parts, partial sums, per-channel tables, 2-D transfers.  Every rule
 * of the machine is met by a stream that breaks it (and the stream that
 * does not is accepted); the counters are checked against hand counts; the
 * cycles move the way the hardware's must. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsim.h"
#include "isa.h"
#include "ref.h"
#include "rng.h"

#define S(a) NPU_REF(NPU_SRAM, a)
#define W(a) NPU_REF(NPU_WBUF, a)
#define D(a) NPU_REF(NPU_DRAM, a)

/* 4 KiB of SRAM in 8 one-byte banks (windows of 8 bytes), a 1 KiB weight
 * buffer of 4-byte rows, a 4x4 MAC array, 4 vector lanes, a DRAM port of
 * 8 bytes a cycle in and 4 out. */
static const CostModel model = {
	.sram_bytes = 4096,
	.banks = 8,
	.bank_bytes = 1,
	.window = 8,
	.wbuf_bytes = 1024,
	.rd_bpc = 8,
	.wr_bpc = 4,
	.dram_latency = 10,
	.mac_rows = 4,
	.mac_cols = 4,
	.vector_width = 4,
	.max_burst = NPU_MAXB,
	.outstanding = NPU_NOUT,
	.fetch_slots = NPU_IQ,
};

enum { NSTREAM = 16384, NDRAM = 1 << 16 };

typedef struct Prog {
	uint32_t w[NSTREAM];
	size_t n;   /* words */
	int ninsn;
	uint8_t dram[NDRAM];
	size_t top; /* DRAM bytes placed */
} Prog;

static Prog *prog_new(void)
{
	Prog *p = calloc(1, sizeof *p);
	assert_non_null(p);
	return p;
}

static NpuInsn insn(int op)
{
	NpuInsn i;
	memset(&i, 0, sizeof i);
	i.op = (uint8_t)op;
	return i;
}

static int emit(Prog *p, NpuInsn i)
{
	assert_true(p->n + npu_insn_words(&i) <= NSTREAM);
	p->n += npu_encode(&i, p->w + p->n);
	return p->ninsn++;
}

static void xfer(Prog *p, int op, int cls, uint32_t src, uint32_t dst, uint32_t bytes, int rows,
		 uint32_t ss, uint32_t ds)
{
	NpuInsn i = insn(op);
	i.cls = (uint8_t)cls;
	i.src = src;
	i.dst = dst;
	i.bytes = bytes;
	i.rows = (uint16_t)rows;
	if (rows > 1)
		i.sstride = ss, i.dstride = ds;
	emit(p, i);
}

static void load(Prog *p, int cls, uint32_t src, uint32_t dst, uint32_t bytes)
{
	xfer(p, NPU_LOAD, cls, src, dst, bytes, 1, 0, 0);
}

static void store(Prog *p, int cls, uint32_t src, uint32_t dst, uint32_t bytes)
{
	xfer(p, NPU_STORE, cls, src, dst, bytes, 1, 0, 0);
}

static void alloc(Prog *p, uint32_t a, uint32_t n)
{
	NpuInsn i = insn(NPU_ALLOC);
	i.dst = S(a), i.bytes = n;
	emit(p, i);
}

static void sfree(Prog *p, uint32_t a, uint32_t n)
{
	NpuInsn i = insn(NPU_FREE);
	i.dst = S(a), i.bytes = n;
	emit(p, i);
}

static void sync_(Prog *p)
{
	emit(p, insn(NPU_SYNC));
}

static void end(Prog *p)
{
	emit(p, insn(NPU_END));
}

/* COPY or RELU from SRAM address a to b. */
static void unary(Prog *p, int op, uint32_t a, uint32_t b, uint32_t n)
{
	NpuInsn i = insn(op);
	i.src = S(a), i.dst = S(b), i.bytes = n;
	emit(p, i);
}

/* Places bytes in the DRAM image at a 16-byte boundary (data NULL:
 * reserves them, filled with a pattern so that bytes never written show);
 * returns the address. */
static uint32_t place(Prog *p, const void *data, size_t bytes)
{
	size_t a = (p->top + 15) & ~(size_t)15;
	assert_true(a + bytes <= NDRAM);
	if (data)
		memcpy(p->dram + a, data, bytes);
	else
		memset(p->dram + a, 0x5a, bytes);
	p->top = a + bytes;
	return (uint32_t)a;
}

static FsimStats run_with(Prog *p, const CostModel *m)
{
	FsimStats st;
	Err e;
	if (fsim_run(m, p->w, p->n, p->dram, NDRAM, &st, &e))
		fail_msg("%s", e.msg);
	assert_int_equal(st.insns, p->ninsn);
	assert_true(st.cycles >= st.compute_busy && st.cycles >= st.dma_busy);
	assert_int_equal(st.port_rd[NPU_CLS_FETCH], (int64_t)p->n * 4);
	assert_int_equal(st.sram_in_use, 0); /* every test frees what it allocates */
	assert_true(st.sram_peak <= m->sram_bytes && st.sram_hwm <= m->sram_bytes);
	return st;
}

static FsimStats run_ok(Prog *p)
{
	return run_with(p, &model);
}

/* p must be refused with exactly `want` ("instruction K (name): ..."); the
 * counters then count the K instructions before it. */
static void refused_on(Prog *p, size_t dram_bytes, const char *want)
{
	FsimStats st;
	Err e = {{0}};
	int rc = fsim_run(&model, p->w, p->n, p->dram, dram_bytes, &st, &e);
	if (rc != -1 || strcmp(e.msg, want))
		fail_msg("rc %d\ngot  '%s'\nwant '%s'", rc, e.msg, want);
	unsigned k;
	assert_int_equal(sscanf(want, "instruction %u", &k), 1);
	assert_int_equal(st.insns, k + (strstr(want, "words after it") != NULL)); /* END ran */
	free(p);
}

static void refused(Prog *p, const char *want)
{
	refused_on(p, NDRAM, want);
}

/* ---- convolutions against ref_conv_acc ---- */

typedef struct Conv {
	Shape xs, ys;
	Window k;
	bool relu;
	int8_t *x;       /* the input, dense */
	int8_t *w;       /* [out_c][in_c/groups][kh][kw] */
	int32_t *bias, *qmul;
	int8_t *qshift;
	int32_t *acc;    /* the reference: bias + the window sums */
	int8_t *y;       /* and requantized with each channel's qmul, qshift */
	bool owns;       /* x, bias, qmul, qshift are its own (not a part's) */
} Conv;

static int extent(int n, int k, int s, int d, int p0, int p1)
{
	return (n + p0 + p1 - d * (k - 1) - 1) / s + 1;
}

static int64_t plane(Shape s)
{
	return (int64_t)s.h * s.w;
}

static int64_t red_of(const Conv *c)
{
	return (int64_t)c->xs.c / c->k.groups * c->k.kh * c->k.kw;
}

/* The reference values of c from its x, w and parameters. */
static void conv_ref(Conv *c)
{
	int64_t ny = c->ys.c * plane(c->ys);
	free(c->acc);
	free(c->y);
	c->acc = malloc((size_t)ny * sizeof *c->acc);
	c->y = malloc((size_t)ny);
	for (int64_t j = 0; j < ny; j++)
		c->acc[j] = c->bias[j / plane(c->ys)];
	ref_conv_acc(c->k, c->xs, c->x, c->ys, c->w, c->acc);
	for (int64_t j = 0; j < ny; j++) {
		int oc = (int)(j / plane(c->ys));
		c->y[j] = ref_clamp8(ref_requant(c->acc[j], c->qmul[oc], c->qshift[oc]), c->relu);
	}
}

/* Random input, weights in [-15, 15], biases in [-2000, 2000], per-channel
 * scales of 2^-6 to 2^-8 or so: outputs spread over the int8 range. */
static void conv_init(Conv *c, uint64_t seed, Shape xs, int out_c, Window k, bool relu)
{
	memset(c, 0, sizeof *c);
	c->xs = xs, c->k = k, c->relu = relu, c->owns = true;
	c->ys = (Shape){1, out_c, extent(xs.h, k.kh, k.sh, k.dh, k.pt, k.pb),
			extent(xs.w, k.kw, k.sw, k.dw, k.pl, k.pr)};
	int64_t nx = xs.c * plane(xs), nw = out_c * red_of(c);
	c->x = malloc((size_t)nx);
	c->w = malloc((size_t)nw);
	c->bias = malloc((size_t)out_c * sizeof *c->bias);
	c->qmul = malloc((size_t)out_c * sizeof *c->qmul);
	c->qshift = malloc((size_t)out_c);
	uint64_t s = seed;
	for (int64_t j = 0; j < nx; j++)
		c->x[j] = (int8_t)((int)rng_below(&s, 256) - 128);
	for (int64_t j = 0; j < nw; j++)
		c->w[j] = (int8_t)((int)rng_below(&s, 31) - 15);
	for (int oc = 0; oc < out_c; oc++) {
		c->bias[oc] = (int32_t)rng_below(&s, 4001) - 2000;
		c->qmul[oc] = (int32_t)((1u << 30) + (uint32_t)rng_below(&s, 1u << 30));
		c->qshift[oc] = (int8_t)(5 + rng_below(&s, 3));
	}
	conv_ref(c);
}

/* The convolution of input channels [ic0, ic0 + nic) of c alone (groups 1):
 * the same output, bias and parameters, its share of the weights. */
static void conv_part(const Conv *c, int ic0, int nic, Conv *part)
{
	assert_int_equal(c->k.groups, 1);
	memset(part, 0, sizeof *part);
	part->xs = c->xs, part->ys = c->ys, part->k = c->k, part->relu = c->relu;
	part->xs.c = nic;
	part->x = c->x + ic0 * plane(c->xs);
	part->bias = c->bias, part->qmul = c->qmul, part->qshift = c->qshift;
	int64_t taps = (int64_t)c->k.kh * c->k.kw;
	part->w = malloc((size_t)(c->ys.c * nic * taps));
	for (int oc = 0; oc < c->ys.c; oc++)
		memcpy(part->w + oc * nic * taps, c->w + (oc * c->xs.c + ic0) * taps,
		       (size_t)(nic * taps));
	conv_ref(part);
}

static void conv_free(Conv *c)
{
	if (c->owns) {
		free(c->x);
		free(c->bias);
		free(c->qmul);
		free(c->qshift);
	}
	free(c->w);
	free(c->acc);
	free(c->y);
}

/* The outputs mean something: many values, not all clamped. */
static void spread(const int8_t *y, int64_t n)
{
	bool seen[256] = {false};
	int distinct = 0, clamped = 0;
	for (int64_t j = 0; j < n; j++) {
		distinct += !seen[(uint8_t)y[j]];
		seen[(uint8_t)y[j]] = true;
		clamped += y[j] == 127 || y[j] == -128;
	}
	assert_true(distinct >= (n < 80 ? n / 4 : 20));
	assert_true(clamped * 4 < n);
}

static void put32(uint8_t *p, int32_t v)
{
	for (int b = 0; b < 4; b++)
		p[b] = (uint8_t)((uint32_t)v >> 8 * b);
}

static int32_t get32(const uint8_t *p)
{
	return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
			 (uint32_t)p[3] << 24);
}

static int64_t block_bytes(const Conv *c, int cw)
{
	int cog = c->ys.c / c->k.groups, tiles = (cog + cw - 1) / cw;
	return (int64_t)c->k.groups * tiles * (NPU_PARAM_ROWS + red_of(c)) * cw;
}

/* c's weight blocks as docs/isa.md lays them out: per group, per tile of
 * cw output channels, rows 0-3 the bias bytes, 4-7 the qmul bytes, 8 the
 * qshift, 9 + r the weights of reduction term r = (ic*kh + ky)*kw + kx;
 * byte k of a row is the tile's channel k (0 past the last channel). */
static size_t conv_blocks(const Conv *c, int cw, uint8_t *out)
{
	int G = c->k.groups, cog = c->ys.c / G, tiles = (cog + cw - 1) / cw;
	int64_t red = red_of(c), rows = NPU_PARAM_ROWS + red;
	size_t n = 0;
	for (int g = 0; g < G; g++)
		for (int t = 0; t < tiles; t++, n += (size_t)(rows * cw)) {
			uint8_t *b = out + n;
			memset(b, 0, (size_t)(rows * cw));
			for (int k = 0; k < cw && t * cw + k < cog; k++) {
				int oc = g * cog + t * cw + k;
				uint8_t v[8];
				put32(v, c->bias[oc]);
				put32(v + 4, c->qmul[oc]);
				for (int j = 0; j < 8; j++)
					b[j * cw + k] = v[j];
				b[8 * cw + k] = (uint8_t)c->qshift[oc];
				for (int64_t r = 0; r < red; r++)
					b[(9 + r) * cw + k] = (uint8_t)c->w[oc * red + r];
			}
		}
	assert_int_equal(n, block_bytes(c, cw));
	return n;
}

/* Places c's blocks in DRAM; returns their address. */
static uint32_t place_blocks(Prog *p, const Conv *c, int cw)
{
	uint8_t *b = malloc((size_t)block_bytes(c, cw));
	size_t n = conv_blocks(c, cw, b);
	uint32_t a = place(p, b, n);
	free(b);
	return a;
}

static void set_window(NpuInsn *i, Shape xs, Shape ys, Window k)
{
	i->in_c = (uint16_t)xs.c, i->in_h = (uint16_t)xs.h, i->in_w = (uint16_t)xs.w;
	i->out_c = (uint16_t)ys.c, i->out_h = (uint16_t)ys.h, i->out_w = (uint16_t)ys.w;
	i->kh = (uint8_t)k.kh, i->kw = (uint8_t)k.kw, i->sh = (uint8_t)k.sh, i->sw = (uint8_t)k.sw;
	i->dh = (uint8_t)k.dh, i->dw = (uint8_t)k.dw;
	i->pt = (int8_t)k.pt, i->pl = (int8_t)k.pl, i->pb = (int8_t)k.pb, i->pr = (int8_t)k.pr;
	i->oy0 = 0, i->oy1 = (uint16_t)ys.h;
}

/* The CONV of c: its whole output, dense views at SRAM x and y, weights at
 * WBUF w in blocks of cw. */
static NpuInsn conv_insn(const Conv *c, uint32_t x, uint32_t y, uint32_t w, int cw)
{
	NpuInsn i = insn(NPU_CONV);
	set_window(&i, c->xs, c->ys, c->k);
	i.groups = (uint16_t)c->k.groups;
	i.flags = c->relu ? NPU_F_RELU : 0;
	i.src = i.x.base = S(x);
	i.x.cs = (uint32_t)plane(c->xs);
	i.dst = i.y.base = S(y);
	i.y.cs = (uint32_t)plane(c->ys);
	i.weight = W(w);
	i.cw = (uint16_t)cw;
	return i;
}

/* Input rows [*lo, *hi) the band [oy0, oy1) of a window reads: the hand
 * formula of docs/isa.md, clamped to the input. */
static void band_rows(Shape xs, Window k, int oy0, int oy1, int *lo, int *hi)
{
	int a = oy0 * k.sh - k.pt, b = (oy1 - 1) * k.sh - k.pt + (k.kh - 1) * k.dh + 1;
	*lo = a < 0 ? 0 : a;
	*hi = b > xs.h ? xs.h : b;
}

/* ref_pool on the whole tensor x. */
static void pool_ref(const int8_t *x, Shape xs, Window k, bool avg, Shape *ys, int8_t *y)
{
	*ys = (Shape){1, xs.c, extent(xs.h, k.kh, k.sh, k.dh, k.pt, k.pb),
		      extent(xs.w, k.kw, k.sw, k.dw, k.pl, k.pr)};
	ref_pool(k, avg, xs, x, *ys, y);
}

/* Runs instruction i (a CONV or POOL with its window and shapes set, any
 * weights already in the WBUF) band by band over [cuts[b], cuts[b+1]):
 * each band's input rows of every channel LOADed (one 2-D transfer) from
 * the dense input at DRAM x into a view that starts at the band's first
 * input row, its channels `gap` bytes further apart than their rows; its
 * output rows into a view that starts at the band's first row, then
 * STOREd (2-D) into the dense output at DRAM y. */
static void banded(Prog *p, NpuInsn i, uint32_t x, uint32_t y, const int *cuts, int nbands,
		   int gap)
{
	Shape xs = {1, i.in_c, i.in_h, i.in_w};
	Window k = {i.kh, i.kw, i.sh, i.sw, i.dh, i.dw, i.pt, i.pl, i.pb, i.pr, 1};
	for (int b = 0; b < nbands; b++) {
		int oy0 = cuts[b], oy1 = cuts[b + 1], lo, hi;
		band_rows(xs, k, oy0, oy1, &lo, &hi);
		uint32_t rin = (uint32_t)((hi - lo) * i.in_w), rout = (uint32_t)((oy1 - oy0) * i.out_w);
		uint32_t ics = rin + (uint32_t)gap, ocs = rout + (uint32_t)gap;
		uint32_t in = b % 2 ? 2048 : 0, out = in + 1024;
		uint32_t nin = (i.in_c - 1) * ics + rin, nout = (i.out_c - 1) * ocs + rout;
		assert_true(nin <= 1024 && nout <= 1024);
		alloc(p, in, nin);
		alloc(p, out, nout);
		xfer(p, NPU_LOAD, NPU_CLS_ACT, D(x + (uint32_t)lo * i.in_w), S(in), rin, i.in_c,
		     (uint32_t)(i.in_h * i.in_w), ics);
		sync_(p);
		i.src = i.x.base = S(in), i.x.cs = ics, i.x.row0 = (uint16_t)lo;
		i.dst = i.y.base = S(out), i.y.cs = ocs, i.y.row0 = (uint16_t)oy0;
		i.oy0 = (uint16_t)oy0, i.oy1 = (uint16_t)oy1;
		emit(p, i);
		xfer(p, NPU_STORE, NPU_CLS_ACT, S(out), D(y + (uint32_t)oy0 * i.out_w), rout, i.out_c,
		     ocs, (uint32_t)(i.out_h * i.out_w));
		sync_(p);
		sfree(p, in, nin);
		sfree(p, out, nout);
	}
}

/* 3x7x7 -> 6x7x7, 3x3, padding 1, ReLU, blocks of 4 (two tiles, the
 * second of two channels): everything through SRAM, each counter by hand. */
static void test_conv_dense(void **state)
{
	(void)state;
	Conv c;
	conv_init(&c, 1, (Shape){1, 3, 7, 7}, 6, ir_window(3, 1, 1, 1), true);
	spread(c.y, 6 * 49);
	Prog *p = prog_new();
	uint32_t x = place(p, c.x, 147), wb = place_blocks(p, &c, 4), y = place(p, NULL, 294);
	alloc(p, 0, 147);
	load(p, NPU_CLS_ACT, D(x), S(0), 147);
	load(p, NPU_CLS_WEIGHT, D(wb), W(0), 288);
	alloc(p, 200, 294);
	sync_(p);
	emit(p, conv_insn(&c, 0, 200, 0, 4));
	store(p, NPU_CLS_ACT, S(200), D(y), 294);
	sync_(p);
	sfree(p, 0, 147);
	sfree(p, 200, 294);
	end(p);
	FsimStats st = run_ok(p);
	assert_memory_equal(p->dram + y, c.y, 294);
	assert_int_equal(st.insns, 11); /* the CONV and its VIEW are one */
	/* aligned transfers: whole beats, 147 -> 19 beats of 8, 288 -> 36,
	 * 294 -> 74 beats of 4 */
	assert_int_equal(st.port_rd[NPU_CLS_ACT], 152);
	assert_int_equal(st.port_rd[NPU_CLS_WEIGHT], 288);
	assert_int_equal(st.port_rd[NPU_CLS_SPILL], 0);
	assert_int_equal(st.port_wr[NPU_CLS_ACT], 296);
	assert_int_equal(st.port_wr[NPU_CLS_SPILL], 0);
	assert_int_equal(st.dma_rd, 147 + 288);
	assert_int_equal(st.dma_wr, 294);
	/* the banks wrote the input (DMA) and the output (engine) once */
	assert_int_equal(st.sram_wr, 147 + 294);
	assert_int_equal(st.sram_peak, 147 + 294);
	assert_int_equal(st.sram_hwm, 200 + 294);
	/* each of 2 tiles, 7 rows, 2 pixel groups of 4 (the array's rows; 4
	 * fit an 8-byte window at stride 1) takes 27 reduction steps */
	assert_int_equal(st.mac_busy, 2 * 7 * 2 * 27);
	assert_int_equal(fsim_port_read(&st), 152 + 288 + (int64_t)p->n * 4);
	assert_int_equal(fsim_port_write(&st), 296);
	conv_free(&c);
	free(p);
}

/* Groups, strides, dilations, asymmetric and negative padding, depthwise;
 * every block width the 4-column array takes. */
static void test_conv_windows(void **state)
{
	(void)state;
	static const struct {
		Shape xs;
		int out_c;
		Window k;
		bool relu;
	} cases[] = {
		/* groups 2 (3 channels a group), 3x2 window, strides 2x1,
		 * dilations 2x3, padding top 2, left 1, bottom 1, right -1 */
		{{1, 4, 9, 8}, 6, {3, 2, 2, 1, 2, 3, 2, 1, 1, -1, 2}, false},
		/* depthwise 3x3, stride 2, padding 1 */
		{{1, 4, 8, 7}, 4, {3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 4}, true},
		/* a crop: 1x1 with negative padding */
		{{1, 5, 6, 6}, 3, {1, 1, 1, 1, 1, 1, -1, -2, -1, 0, 1}, false},
		/* 5x5, dilation 2, stride 3, groups 1 */
		{{1, 2, 11, 10}, 5, {5, 5, 3, 3, 2, 2, 2, 2, 2, 2, 1}, true},
	};
	static const int cws[] = {1, 2, 4};
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
		for (size_t j = 0; j < sizeof cws / sizeof cws[0]; j++) {
			Conv c;
			conv_init(&c, 10 + k, cases[k].xs, cases[k].out_c, cases[k].k, cases[k].relu);
			int64_t nx = c.xs.c * plane(c.xs), ny = c.ys.c * plane(c.ys);
			int64_t nb = block_bytes(&c, cws[j]);
			spread(c.y, ny);
			Prog *p = prog_new();
			uint32_t x = place(p, c.x, (size_t)nx), wb = place_blocks(p, &c, cws[j]);
			uint32_t y = place(p, NULL, (size_t)ny);
			alloc(p, 0, (uint32_t)nx);
			alloc(p, 1024, (uint32_t)ny);
			load(p, NPU_CLS_ACT, D(x), S(0), (uint32_t)nx);
			load(p, NPU_CLS_WEIGHT, D(wb), W(8), (uint32_t)nb);
			sync_(p);
			emit(p, conv_insn(&c, 0, 1024, 8, cws[j]));
			store(p, NPU_CLS_ACT, S(1024), D(y), (uint32_t)ny);
			sync_(p);
			sfree(p, 0, (uint32_t)nx);
			sfree(p, 1024, (uint32_t)ny);
			end(p);
			run_ok(p);
			if (memcmp(p->dram + y, c.y, (size_t)ny))
				fail_msg("case %zu, cw %d: differs from the reference", k, cws[j]);
			conv_free(&c);
			free(p);
		}
}

/* 4x9x6 -> 5x9x6, 3x3 padding 1, ReLU, blocks of 2 (the last tile one
 * channel), in three bands of three rows: each band's input rows (4, 5
 * and 4 of them) LOADed into a view with row0 > 0 and channels 3 bytes
 * apart past their rows, its output into a view with row0 > 0, STOREd
 * with 2-D transfers. */
static void test_conv_bands(void **state)
{
	(void)state;
	Conv c;
	conv_init(&c, 2, (Shape){1, 4, 9, 6}, 5, ir_window(3, 1, 1, 1), true);
	spread(c.y, 5 * 54);
	for (int gap = 0; gap <= 3; gap += 3) {
		Prog *p = prog_new();
		uint32_t x = place(p, c.x, 216), wb = place_blocks(p, &c, 2), y = place(p, NULL, 270);
		load(p, NPU_CLS_WEIGHT, D(wb), W(8), 3 * 45 * 2);
		static const int cuts[] = {0, 3, 6, 9};
		banded(p, conv_insn(&c, 0, 0, 8, 2), x, y, cuts, 3, gap);
		end(p);
		FsimStats st = run_ok(p);
		assert_memory_equal(p->dram + y, c.y, 270);
		/* rows 0-3, 2-6, 5-8 of each channel read: 13 rows of 6 bytes */
		assert_int_equal(st.dma_rd, 4 * 13 * 6 + 3 * 45 * 2);
		assert_int_equal(st.dma_wr, 270);
		free(p);
	}
	conv_free(&c);
}

/* An input in two parts and an output in two parts (SPLIT at input channel
 * 2, inside group 0 of 2; OSPLIT at output channel 4), first whole, then
 * in two bands whose second parts hold only the band's rows (row0 > 0),
 * as partial residency keeps a tensor's tail in a staging buffer. */
static void test_conv_split(void **state)
{
	(void)state;
	Conv c;
	Window k = ir_window(3, 2, 1, 2); /* 3x3, stride 2, padding 1, groups 2 */
	conv_init(&c, 3, (Shape){1, 6, 5, 5}, 6, k, false);
	spread(c.y, 54);
	int cw = 4;                         /* 3 channels a group: one tile, a zero column */
	for (int banded_run = 0; banded_run < 2; banded_run++) {
		Prog *p = prog_new();
		uint32_t x = place(p, c.x, 150), wb = place_blocks(p, &c, cw), y = place(p, NULL, 54);
		int64_t nb = block_bytes(&c, cw);
		enum { A = 0, B = 512, C = 1024, Dd = 1536 };
		alloc(p, A, 50);                  /* channels 0-1, dense */
		load(p, NPU_CLS_ACT, D(x), S(A), 50);
		alloc(p, C, 36);                  /* output channels 0-3, dense */
		load(p, NPU_CLS_WEIGHT, D(wb), W(0), (uint32_t)nb);
		static const int whole[] = {0, 3}, two[] = {0, 1, 3};
		const int *cuts = banded_run ? two : whole;
		int nbands = banded_run ? 2 : 1;
		for (int b = 0; b < nbands; b++) {
			int oy0 = cuts[b], oy1 = cuts[b + 1], lo, hi;
			band_rows(c.xs, k, oy0, oy1, &lo, &hi);
			uint32_t rin = (uint32_t)(hi - lo) * 5, rout = (uint32_t)(oy1 - oy0) * 3;
			uint32_t ics = rin + 2, ocs = rout + 1;
			uint32_t nin = 3 * ics + rin, nout = ocs + rout;
			alloc(p, B, nin);         /* channels 2-5: the band's rows */
			alloc(p, Dd, nout);       /* output channels 4-5: the band's rows */
			xfer(p, NPU_LOAD, NPU_CLS_SPILL, D(x + 50 + (uint32_t)lo * 5), S(B), rin, 4, 25,
			     ics);
			sync_(p);
			NpuInsn i = conv_insn(&c, A, C, 0, cw);
			i.flags |= NPU_F_SPLIT | NPU_F_OSPLIT;
			i.split = 2, i.osplit = 4;
			i.x2 = (NpuView){S(B), ics, (uint16_t)lo};
			i.y2 = (NpuView){S(Dd), ocs, (uint16_t)oy0};
			i.oy0 = (uint16_t)oy0, i.oy1 = (uint16_t)oy1;
			emit(p, i);
			xfer(p, NPU_STORE, NPU_CLS_SPILL, S(Dd), D(y + 36 + (uint32_t)oy0 * 3), rout, 2,
			     ocs, 9);
			sync_(p);
			sfree(p, B, nin);
			sfree(p, Dd, nout);
		}
		store(p, NPU_CLS_ACT, S(C), D(y), 36);
		sync_(p);
		sfree(p, A, 50);
		sfree(p, C, 36);
		end(p);
		FsimStats st = run_ok(p);
		assert_memory_equal(p->dram + y, c.y, 54);
		/* the second band's input rows 1-4 overlap the first's 0-1 */
		assert_int_equal(st.dma_rd, 50 + nb + 4 * 5 * (banded_run ? 2 + 4 : 5));
		/* output channels 4-5 at y + 36 and y + 45, beats of 4: whole, rows
		 * 36..44 and 45..53, 3 beats each; in bands, rows 36..38, 45..47 (a
		 * beat each), then 39..44 (3) and 48..53 (2); channels 0-3, 9 beats */
		assert_int_equal(st.port_wr[NPU_CLS_SPILL], banded_run ? 4 * (1 + 1 + 3 + 2) : 4 * 6);
		assert_int_equal(st.port_wr[NPU_CLS_ACT], 36);
		free(p);
	}
	conv_free(&c);
}

/* A convolution over 4 input channels as two over 2: OUT32 from the bias,
 * then PSUM; the int32 partial sums are ref_conv_acc's; finished by the
 * second part without OUT32 (its blocks' qmul and qshift), by a band of it
 * whose partial sums view starts at the band, and by a REQUANT with a
 * per-channel table in the WBUF. */
static void test_partial_sums(void **state)
{
	(void)state;
	Conv c, a, b;
	conv_init(&c, 4, (Shape){1, 4, 5, 5}, 3, ir_window(3, 1, 1, 1), false);
	conv_part(&c, 0, 2, &a);
	conv_part(&c, 2, 2, &b);
	spread(c.y, 75);
	Prog *p = prog_new();
	uint32_t x = place(p, c.x, 100), wa = place_blocks(p, &a, 4), wbb = place_blocks(p, &b, 4);
	uint8_t table[3 * NPU_TABLE_ENTRY] = {0};
	for (int oc = 0; oc < 3; oc++) {
		put32(table + 8 * oc, c.qmul[oc]);
		table[8 * oc + 4] = (uint8_t)c.qshift[oc];
	}
	uint32_t tb = place(p, table, sizeof table);
	uint32_t ya = place(p, NULL, 300), yb = place(p, NULL, 300), y8 = place(p, NULL, 75);
	uint32_t yband = place(p, NULL, 30), yrq = place(p, NULL, 75);
	uint32_t ysplit = place(p, NULL, 300), yin = place(p, NULL, 300);
	enum { X = 0, P = 512, P2 = 1024, Y = 1536, YB = 1792, YR = 2048, P3 = 2560, PX = 3072 };
	alloc(p, X, 100);
	load(p, NPU_CLS_ACT, D(x), S(X), 100);
	load(p, NPU_CLS_WEIGHT, D(wa), W(0), 108);
	load(p, NPU_CLS_WEIGHT, D(wbb), W(108), 108);
	load(p, NPU_CLS_WEIGHT, D(tb), W(512), sizeof table);
	alloc(p, P, 300);
	alloc(p, P2, 300);
	alloc(p, Y, 75);
	alloc(p, YB, 30);
	alloc(p, YR, 75);
	alloc(p, P3, 200);
	alloc(p, PX, 100);
	sync_(p);
	NpuInsn i = conv_insn(&a, X, P, 0, 4); /* channels 0-1 */
	i.flags = NPU_F_OUT32;
	i.y.cs = 100;
	emit(p, i);
	i = conv_insn(&b, X + 50, P2, 108, 4); /* channels 2-3, from P */
	i.flags = NPU_F_OUT32 | NPU_F_PSUM;
	i.y.cs = 100;
	i.psum = i.ps.base = S(P), i.ps.cs = 100;
	emit(p, i);
	i.flags = NPU_F_PSUM; /* the same, requantized */
	i.dst = i.y.base = S(Y), i.y.cs = 25;
	emit(p, i);
	/* rows 2-3 only: the partial sums' view starts at row 2 of channel 0 */
	i.oy0 = 2, i.oy1 = 4;
	i.psum = i.ps.base = S(P + 2 * 5 * 4), i.ps.row0 = 2;
	i.dst = i.y.base = S(YB), i.y.cs = 10, i.y.row0 = 2;
	emit(p, i);
	NpuInsn r = insn(NPU_REQUANT);
	r.flags = NPU_F_PERCH;
	r.src = S(P2), r.dst = S(YR), r.bytes = 75, r.aux = W(512), r.out_c = 3;
	emit(p, r);
	/* int32 outputs in two parts: channels 0-1 and channel 2 */
	i = conv_insn(&a, X, P3, 0, 4);
	i.flags = NPU_F_OUT32 | NPU_F_OSPLIT;
	i.y.cs = 100, i.osplit = 2, i.y2 = (NpuView){S(PX), 100, 0};
	emit(p, i);
	store(p, NPU_CLS_SPILL, S(P3), D(ysplit), 200);
	store(p, NPU_CLS_SPILL, S(PX), D(ysplit + 200), 100);
	store(p, NPU_CLS_SPILL, S(P), D(ya), 300);
	store(p, NPU_CLS_SPILL, S(P2), D(yb), 300);
	store(p, NPU_CLS_ACT, S(Y), D(y8), 75);
	store(p, NPU_CLS_ACT, S(YB), D(yband), 30);
	store(p, NPU_CLS_ACT, S(YR), D(yrq), 75);
	sync_(p);
	/* in place: the second part's sums added onto the first's */
	i = conv_insn(&b, X + 50, P, 108, 4);
	i.flags = NPU_F_OUT32 | NPU_F_PSUM;
	i.y.cs = 100;
	i.psum = i.ps.base = S(P), i.ps.cs = 100;
	emit(p, i);
	store(p, NPU_CLS_SPILL, S(P), D(yin), 300);
	sync_(p);
	sfree(p, P3, 200);
	sfree(p, PX, 100);
	sfree(p, X, 100);
	sfree(p, P, 300);
	sfree(p, P2, 300);
	sfree(p, Y, 75);
	sfree(p, YB, 30);
	sfree(p, YR, 75);
	end(p);
	run_ok(p);
	for (int j = 0; j < 75; j++) {
		assert_int_equal(get32(p->dram + ya + 4 * j), a.acc[j]);
		assert_int_equal(get32(p->dram + yb + 4 * j), c.acc[j]);
		assert_int_equal(get32(p->dram + ysplit + 4 * j), a.acc[j]);
		assert_int_equal(get32(p->dram + yin + 4 * j), c.acc[j]);
	}
	assert_memory_equal(p->dram + y8, c.y, 75);
	assert_memory_equal(p->dram + yrq, c.y, 75);
	for (int oc = 0; oc < 3; oc++)
		assert_memory_equal(p->dram + yband + 10 * oc, c.y + 25 * oc + 10, 10);
	conv_free(&a);
	conv_free(&b);
	conv_free(&c);
	free(p);
}

/* Bands that read no input row (all padding): their views need hold
 * nothing, so their bases may be anywhere; a CONV gives its requantized
 * biases, a POOL what ref_pool gives windows of padding alone. */
static void test_band_of_padding(void **state)
{
	(void)state;
	Conv c; /* 1x1 over 2x3x4 with 2 rows of padding above and below: 7x4 out */
	conv_init(&c, 6, (Shape){1, 2, 3, 4}, 3, (Window){1, 1, 1, 1, 1, 1, 2, 0, 2, 0, 1}, false);
	Shape ys;
	int8_t want[2 * 7 * 4];
	Window pk = {2, 1, 1, 1, 1, 1, 2, 0, 2, 0, 1}; /* 2x1: 6 rows out, 0 and 5 padding only */
	pool_ref(c.x, c.xs, pk, false, &ys, want);
	assert_int_equal(ys.h, 6);
	Prog *p = prog_new();
	uint32_t wb = place_blocks(p, &c, 4), y = place(p, NULL, 3 * 7 * 4 + 2 * 6 * 4);
	alloc(p, 0, 64);
	load(p, NPU_CLS_WEIGHT, D(wb), W(0), (uint32_t)block_bytes(&c, 4));
	sync_(p);
	for (int b = 0; b < 2; b++) { /* output rows 0-1, then 5-6 */
		NpuInsn i = conv_insn(&c, 3000, 0, 0, 4); /* the input: nowhere */
		i.x.row0 = 9;
		i.oy0 = (uint16_t)(5 * b), i.oy1 = (uint16_t)(5 * b + 2);
		i.y.cs = 8, i.y.row0 = i.oy0;
		emit(p, i);
		xfer(p, NPU_STORE, NPU_CLS_ACT, S(0), D(y + 5 * b * 4), 8, 3, 8, 28);
		sync_(p);
	}
	NpuInsn i = insn(NPU_POOL);
	set_window(&i, c.xs, ys, pk);
	i.src = i.x.base = S(3000), i.x.row0 = 9;
	for (int b = 0; b < 2; b++) { /* rows 0 and 5 */
		i.oy0 = (uint16_t)(5 * b), i.oy1 = (uint16_t)(5 * b + 1);
		i.dst = i.y.base = S(32), i.y.cs = 4, i.y.row0 = i.oy0;
		emit(p, i);
		xfer(p, NPU_STORE, NPU_CLS_ACT, S(32), D(y + 84 + 5 * b * 4), 4, 2, 4, 24);
		sync_(p);
	}
	sfree(p, 0, 64);
	end(p);
	run_ok(p);
	for (int oc = 0; oc < 3; oc++)
		for (int oy = 0; oy < 7; oy++)
			if (oy < 2 || oy >= 5)
				assert_memory_equal(p->dram + y + (oc * 7 + oy) * 4, c.y + (oc * 7 + oy) * 4,
						    4);
	for (int ch = 0; ch < 2; ch++)
		for (int oy = 0; oy < 6; oy += 5)
			assert_memory_equal(p->dram + y + 84 + (ch * 6 + oy) * 4, want + (ch * 6 + oy) * 4,
					    4);
	/* by hand: a window of padding alone has no maximum: -128 */
	assert_int_equal(want[0], -128);
	conv_free(&c);
	free(p);
}

/* A fully connected layer: a 1x1 CONV over the 40 channels of a 10x2x2
 * tensor seen as 40x1x1; checked against a plain dot product. */
static void test_fc_as_conv(void **state)
{
	(void)state;
	Conv c;
	conv_init(&c, 5, (Shape){1, 40, 1, 1}, 7, ir_window(1, 1, 1, 1), false);
	for (int oc = 0; oc < 7; oc++) {
		int32_t acc = c.bias[oc];
		for (int k = 0; k < 40; k++)
			acc += c.x[k] * c.w[oc * 40 + k];
		assert_int_equal(acc, c.acc[oc]);
	}
	Prog *p = prog_new();
	uint32_t x = place(p, c.x, 40), wb = place_blocks(p, &c, 4), y = place(p, NULL, 7);
	alloc(p, 0, 40);
	alloc(p, 64, 7);
	load(p, NPU_CLS_ACT, D(x), S(0), 40);
	load(p, NPU_CLS_WEIGHT, D(wb), W(0), 2 * 49 * 4);
	sync_(p);
	emit(p, conv_insn(&c, 0, 64, 0, 4));
	store(p, NPU_CLS_ACT, S(64), D(y), 7);
	sync_(p);
	sfree(p, 0, 40);
	sfree(p, 64, 7);
	end(p);
	FsimStats st = run_ok(p);
	assert_memory_equal(p->dram + y, c.y, 7);
	/* 2 tiles, one row of one pixel, 40 reduction steps each */
	assert_int_equal(st.mac_busy, 2 * 40);
	conv_free(&c);
	free(p);
}

/* ---- the vector unit ---- */

/* Max and average pooling against ref_pool on the whole tensor: padding,
 * strides, dilation, a crop; whole or in bands whose views start at their
 * rows, channels apart by more than their rows. */
static void test_pool(void **state)
{
	(void)state;
	Shape xs = {1, 3, 7, 8};
	int8_t x[168];
	uint64_t s = 9;
	for (int j = 0; j < 168; j++)
		x[j] = (int8_t)((int)rng_below(&s, 256) - 128);
	static const struct {
		Window k;
		bool avg;
		int cuts[4], nbands, gap;
	} cases[] = {
		{{3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1}, false, {0, 4}, 1, 0},
		{{3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1}, true, {0, 1, 3, 4}, 3, 5},
		/* 3x2, strides 1x2, dilation 2x1, padding 0, 1, 1, 0: 4x4 out;
		 * bands reading rows 0-6 and 3-6, or 0-4 and 1-6 */
		{{3, 2, 1, 2, 2, 1, 0, 1, 1, 0, 1}, true, {0, 3, 4}, 2, 2},
		{{3, 2, 1, 2, 2, 1, 0, 1, 1, 0, 1}, false, {0, 1, 4}, 2, 0},
		/* a crop: 1x1 with negative padding */
		{{1, 1, 1, 1, 1, 1, -1, -2, -1, -2, 1}, false, {0, 5}, 1, 1},
		/* 2x2 stride 2, the last row and column partly padding */
		{{2, 2, 2, 2, 1, 1, 0, 0, 1, 0, 1}, true, {0, 2, 4}, 2, 0},
	};
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		Shape ys;
		int8_t want[512];
		pool_ref(x, xs, cases[k].k, cases[k].avg, &ys, want);
		int64_t ny = ys.c * plane(ys);
		assert_int_equal(cases[k].cuts[cases[k].nbands], ys.h);
		Prog *p = prog_new();
		uint32_t xa = place(p, x, 168), y = place(p, NULL, (size_t)ny);
		NpuInsn i = insn(NPU_POOL);
		set_window(&i, xs, ys, cases[k].k);
		i.flags = cases[k].avg ? NPU_F_AVG : 0;
		banded(p, i, xa, y, cases[k].cuts, cases[k].nbands, cases[k].gap);
		end(p);
		FsimStats st = run_ok(p);
		if (memcmp(p->dram + y, want, (size_t)ny))
			fail_msg("case %zu differs from ref_pool", k);
		assert_int_equal(st.mac_busy, 0);
		free(p);
	}
}

/* The mean of each channel, rounded half away from zero, by hand. */
static void test_gavg(void **state)
{
	(void)state;
	static const int8_t x[] = {
		1,   2,   3,   -1,  /* 5/4 = 1.25 -> 1 */
		-1,  -2,  -3,  0,   /* -6/4 = -1.5 -> -2 */
		127, 127, 127, 126, /* 507/4 = 126.75 -> 127 */
		2,   2,   1,   1,   /* 6/4 = 1.5 -> 2 */
		-128, -128, -128, -127, /* -511/4 = -127.75 -> -128 */
	};
	static const int8_t want[] = {1, -2, 127, 2, -128};
	Prog *p = prog_new();
	uint32_t xa = place(p, x, sizeof x), y = place(p, NULL, 5);
	alloc(p, 0, 20);
	alloc(p, 32, 5);
	load(p, NPU_CLS_ACT, D(xa), S(0), 20);
	sync_(p);
	NpuInsn i = insn(NPU_GAVG);
	i.src = S(0), i.dst = S(32), i.in_c = 5, i.in_h = 2, i.in_w = 2;
	emit(p, i);
	store(p, NPU_CLS_ACT, S(32), D(y), 5);
	sync_(p);
	sfree(p, 0, 20);
	sfree(p, 32, 5);
	end(p);
	FsimStats st = run_ok(p);
	assert_memory_equal(p->dram + y, want, 5);
	/* the banks: the LOAD's 20, GAVG's 5 written; GAVG's 20, the STORE's 5 read */
	assert_int_equal(st.sram_wr, 25);
	assert_int_equal(st.sram_rd, 25);
	free(p);
}

/* Weighted sums of 7 inputs (an EW and one OPERANDS), of 2 with ReLU in
 * place, of 1: sum coef_i * in_i requantized, computed here element by
 * element with ref_requant and ref_clamp8. */
static void test_ew(void **state)
{
	(void)state;
	enum { N = 40 };
	int8_t x[7][N];
	uint64_t s = 11;
	for (int k = 0; k < 7; k++)
		for (int j = 0; j < N; j++)
			x[k][j] = (int8_t)((int)rng_below(&s, 256) - 128);
	static const int32_t coef[7] = {1, -2, 3, 10, -7, 5, 20};
	Prog *p = prog_new();
	uint32_t xa = place(p, x, sizeof x), y = place(p, NULL, 3 * N);
	alloc(p, 0, 7 * N);
	alloc(p, 512, N);
	load(p, NPU_CLS_ACT, D(xa), S(0), 7 * N);
	sync_(p);
	NpuInsn i = insn(NPU_EW);
	i.dst = S(512), i.bytes = N, i.qmul = 1518500250, i.qshift = 7, i.nin = 7;
	for (int k = 0; k < 7; k++)
		i.in[k] = S(k * N), i.coef[k] = coef[k];
	emit(p, i);
	store(p, NPU_CLS_ACT, S(512), D(y), N);
	i.flags = NPU_F_RELU, i.nin = 2, i.qmul = 1 << 30, i.qshift = 0;
	i.dst = S(N); /* in place: over its second input */
	sync_(p);
	emit(p, i);
	store(p, NPU_CLS_ACT, S(N), D(y + N), N);
	i.flags = 0, i.nin = 1, i.coef[0] = -3, i.qmul = 1 << 30, i.qshift = -1;
	i.dst = S(512);
	sync_(p);
	emit(p, i);
	store(p, NPU_CLS_ACT, S(512), D(y + 2 * N), N);
	sync_(p);
	sfree(p, 0, 7 * N);
	sfree(p, 512, N);
	end(p);
	FsimStats st = run_ok(p);
	assert_int_equal(st.insns, 16); /* an EW and its OPERANDS are one */
	int8_t want[3][N];
	for (int j = 0; j < N; j++) {
		int32_t acc = 0;
		for (int k = 0; k < 7; k++)
			acc += coef[k] * x[k][j];
		want[0][j] = ref_clamp8(ref_requant(acc, 1518500250, 7), false);
		want[1][j] = ref_clamp8(ref_requant(x[0][j] - 2 * x[1][j], 1 << 30, 0), true);
		want[2][j] = ref_clamp8(ref_requant(-3 * x[0][j], 1 << 30, -1), false);
	}
	spread(want[0], N);
	assert_memory_equal(p->dram + y, want, sizeof want);
	/* the banks: LOAD 280; EWs 7*40 + 2*40 + 40 read, 3*40 written; STOREs 120 */
	assert_int_equal(st.sram_wr, 280 + 120);
	assert_int_equal(st.sram_rd, 280 + 80 + 40 + 120);
	free(p);
}

/* int32 to int8: one scale, a negative shift that saturates, per-channel
 * scales from a table in the WBUF; element by element with ref_requant. */
static void test_requant(void **state)
{
	(void)state;
	enum { N = 24 };
	int32_t acc[N] = {INT32_MAX, INT32_MIN, 0, -1, 1, 1000, -1000, 123456};
	uint64_t s = 12;
	for (int j = 8; j < N; j++)
		acc[j] = (int32_t)rng_below(&s, 200001) - 100000;
	uint8_t bytes[4 * N];
	for (int j = 0; j < N; j++)
		put32(bytes + 4 * j, acc[j]);
	/* 4 channels of 6 elements; the table's unused bytes stay 0 */
	static const int32_t qm[4] = {1 << 30, 1518500250, INT32_MAX, 1 << 29};
	static const int8_t qs[4] = {8, 10, -2, 0};
	uint8_t table[4 * NPU_TABLE_ENTRY] = {0};
	for (int c = 0; c < 4; c++) {
		put32(table + 8 * c, qm[c]);
		table[8 * c + 4] = (uint8_t)qs[c];
	}
	Prog *p = prog_new();
	uint32_t xa = place(p, bytes, sizeof bytes), ta = place(p, table, sizeof table);
	uint32_t y = place(p, NULL, 3 * N);
	alloc(p, 0, 4 * N);
	alloc(p, 256, N);
	load(p, NPU_CLS_SPILL, D(xa), S(0), 4 * N);
	load(p, NPU_CLS_WEIGHT, D(ta), W(64), sizeof table);
	sync_(p);
	NpuInsn i = insn(NPU_REQUANT);
	i.src = S(0), i.dst = S(256), i.bytes = N, i.qmul = 1518500250, i.qshift = 9;
	emit(p, i);
	store(p, NPU_CLS_ACT, S(256), D(y), N);
	sync_(p);
	i.flags = NPU_F_RELU, i.qmul = 1 << 30, i.qshift = -3;
	emit(p, i);
	store(p, NPU_CLS_ACT, S(256), D(y + N), N);
	sync_(p);
	i.flags = NPU_F_PERCH, i.qmul = 0, i.qshift = 0, i.aux = W(64), i.out_c = 4;
	emit(p, i);
	store(p, NPU_CLS_ACT, S(256), D(y + 2 * N), N);
	sync_(p);
	sfree(p, 0, 4 * N);
	sfree(p, 256, N);
	end(p);
	FsimStats st = run_ok(p);
	int8_t want[3][N];
	for (int j = 0; j < N; j++) {
		want[0][j] = ref_clamp8(ref_requant(acc[j], 1518500250, 9), false);
		want[1][j] = ref_clamp8(ref_requant(acc[j], 1 << 30, -3), true);
		want[2][j] = ref_clamp8(ref_requant(acc[j], qm[j / 6], qs[j / 6]), false);
	}
	/* by hand: INT32_MAX at 0.71 x 2^-9 is about 2965820: 127; shifted
	 * left 3 it saturates first, then halves: 127; INT32_MIN with ReLU: 0 */
	assert_int_equal(want[0][0], 127);
	assert_int_equal(want[1][0], 127);
	assert_int_equal(want[1][1], 0); /* INT32_MIN, ReLU */
	assert_memory_equal(p->dram + y, want, sizeof want);
	/* each REQUANT reads 4 bytes an element and writes one */
	assert_int_equal(st.sram_rd, 3 * (4 * N) + 3 * N);
	assert_int_equal(st.sram_wr, 4 * N + 3 * N);
	free(p);
}

/* RELU (also in place) and COPY (also onto an overlapping range: it reads
 * before it writes), by hand; the scratchpad seen through the hook. */
typedef struct Snap {
	int calls;
	size_t last;
	uint8_t sram[64];
	size_t at;     /* snapshot after this instruction */
	bool ordered;  /* the hook saw 0, 1, 2, ... */
} Snap;

static void snap(void *ctx, size_t index, const uint8_t *sram)
{
	Snap *s = ctx;
	s->ordered &= index == (size_t)s->calls;
	s->calls++;
	s->last = index;
	if (index == s->at)
		memcpy(s->sram, sram, sizeof s->sram);
}

static void test_relu_copy(void **state)
{
	(void)state;
	static const int8_t x[10] = {-128, -1, 0, 1, 127, -5, 5, -64, 64, 3};
	Prog *p = prog_new();
	uint32_t xa = place(p, x, 10);
	alloc(p, 0, 64);
	load(p, NPU_CLS_ACT, D(xa), S(0), 10);
	sync_(p);
	unary(p, NPU_COPY, 0, 20, 10);   /* 20..29 = x */
	unary(p, NPU_RELU, 0, 40, 10);   /* 40..49 = relu(x) */
	unary(p, NPU_COPY, 20, 24, 10);  /* 24..33 = x: overlapping */
	unary(p, NPU_RELU, 40, 40, 5);   /* in place */
	unary(p, NPU_RELU, 20, 20, 4);   /* in place: 20..23 = relu(x[0..3]) */
	sfree(p, 0, 64);
	end(p);
	Snap sn = {0, 0, {0}, 8, true};
	FsimStats st;
	Err e;
	if (fsim_run_hooked(&model, p->w, p->n, p->dram, NDRAM, &st, snap, &sn, &e))
		fail_msg("%s", e.msg);
	assert_int_equal(sn.calls, 10);
	assert_int_equal(sn.last, 9);
	assert_true(sn.ordered);
	static const int8_t relu[10] = {0, 0, 0, 1, 127, 0, 5, 0, 64, 3};
	assert_memory_equal(sn.sram, x, 10);
	assert_memory_equal(sn.sram + 20, relu, 4);
	assert_memory_equal(sn.sram + 24, x, 10);
	assert_memory_equal(sn.sram + 40, relu, 10);
	/* 28 bytes the engines wrote, and the load's 10 */
	assert_int_equal(st.sram_wr, 10 + 10 + 10 + 10 + 5 + 4);
	assert_int_equal(st.sram_hwm, 50);
	free(p);
}

/* ---- transfers ---- */

/* 2-D LOADs and STOREs: rows of a matrix gathered with strides, scattered
 * back with others, a row read again and again (source stride 0). */
static void test_transfers_2d(void **state)
{
	(void)state;
	Prog *p = prog_new();
	uint8_t m[6][10];
	for (int r = 0; r < 6; r++)
		for (int c = 0; c < 10; c++)
			m[r][c] = (uint8_t)(16 * r + c);
	uint32_t a = place(p, m, sizeof m), out = place(p, NULL, 64), rep = place(p, NULL, 32);
	alloc(p, 0, 64);
	/* rows 1, 3, 5, columns 2-5, into SRAM rows 5 apart */
	xfer(p, NPU_LOAD, NPU_CLS_ACT, D(a + 12), S(0), 4, 3, 20, 5);
	/* row 0, columns 0-2, three times */
	xfer(p, NPU_LOAD, NPU_CLS_ACT, D(a), S(32), 3, 3, 0, 3);
	sync_(p);
	/* back out, rows 7 apart */
	xfer(p, NPU_STORE, NPU_CLS_SPILL, S(0), D(out), 4, 3, 5, 7);
	store(p, NPU_CLS_SPILL, S(32), D(rep), 9);
	sync_(p);
	sfree(p, 0, 64);
	end(p);
	FsimStats st = run_ok(p);
	for (int r = 0; r < 3; r++) {
		assert_memory_equal(p->dram + out + 7 * r, &m[1 + 2 * r][2], 4);
		if (r < 2) /* the gaps between rows untouched */
			for (int k = 4; k < 7; k++)
				assert_int_equal(p->dram[out + 7 * r + k], 0x5a);
	}
	for (int r = 0; r < 3; r++)
		assert_memory_equal(p->dram + rep + 3 * r, m[0], 3);
	assert_int_equal(st.dma_rd, 12 + 9);
	assert_int_equal(st.dma_wr, 12 + 9);
	free(p);
}

/* DRAM sees transfers in stream order: a LOAD of what a STORE before it
 * wrote gets the new bytes, with or without a SYNC between them. */
static void test_dram_order(void **state)
{
	(void)state;
	for (int with_sync = 0; with_sync < 2; with_sync++) {
		Prog *p = prog_new();
		static const uint8_t v[8] = {1, 2, 3, 4, 5, 6, 7, 8};
		uint32_t a = place(p, v, 8), b = place(p, NULL, 8);
		alloc(p, 0, 16);
		load(p, NPU_CLS_ACT, D(a), S(0), 8);
		sync_(p);
		store(p, NPU_CLS_SPILL, S(0), D(b), 8);
		if (with_sync)
			sync_(p);
		load(p, NPU_CLS_SPILL, D(b), S(8), 8);
		sync_(p);
		store(p, NPU_CLS_ACT, S(8), D(a), 8);
		load(p, NPU_CLS_ACT, D(b + 4), S(0), 4); /* beside the STORE's bytes: fine */
		sync_(p);
		sfree(p, 0, 16);
		end(p);
		Snap sn = {0, 0, {0}, (size_t)p->ninsn - 3, true};
		Err e;
		if (fsim_run_hooked(&model, p->w, p->n, p->dram, NDRAM, NULL, snap, &sn, &e))
			fail_msg("%s", e.msg);
		assert_memory_equal(sn.sram + 8, v, 8);
		assert_memory_equal(sn.sram, v + 4, 4);
		assert_memory_equal(p->dram + a, v, 8);
		free(p);
	}
}

/* ---- counters ---- */

/* Bytes across the port are whole beats: a row of n bytes at DRAM address
 * s takes floor((s + n - 1)/BPC) - floor(s/BPC) + 1 beats, counted by class. */
static void test_port_counters(void **state)
{
	(void)state;
	Prog *p = prog_new();
	place(p, NULL, 4096);
	alloc(p, 0, 512);
	load(p, NPU_CLS_ACT, D(3), S(0), 10);       /* bytes 3..12: beats 0, 1 -> 16 */
	load(p, NPU_CLS_SPILL, D(21), S(16), 3);    /* 21..23: beat 2 -> 8 */
	load(p, NPU_CLS_WEIGHT, D(71), W(4), 9);    /* 71..79: beats 8, 9 -> 16 */
	/* rows 100..103, 110..113, 120..123: beats 12; 13, 14; 15 -> 32 */
	xfer(p, NPU_LOAD, NPU_CLS_ACT, D(100), S(32), 4, 3, 10, 4);
	load(p, NPU_CLS_SPILL, D(4), S(64), 200);   /* 4..203: beats 0..25 -> 208 */
	load(p, NPU_CLS_WEIGHT, D(512), W(64), 64); /* aligned: 8 beats -> 64 */
	sync_(p);
	store(p, NPU_CLS_ACT, S(0), D(1001), 6);    /* 1001..1006: beats 250, 251 of 4 -> 8 */
	store(p, NPU_CLS_SPILL, S(16), D(2002), 2); /* 2002..2003: beat 500 -> 4 */
	/* rows 3001..3004, 3009..3012: beats 750, 751; 752, 753 -> 16 */
	xfer(p, NPU_STORE, NPU_CLS_SPILL, S(32), D(3001), 4, 2, 4, 8);
	sync_(p);
	sfree(p, 0, 512);
	end(p);
	FsimStats st = run_ok(p);
	assert_int_equal(st.port_rd[NPU_CLS_ACT], 16 + 32);
	assert_int_equal(st.port_rd[NPU_CLS_SPILL], 8 + 208);
	assert_int_equal(st.port_rd[NPU_CLS_WEIGHT], 16 + 64);
	assert_int_equal(st.port_rd[NPU_CLS_FETCH], 14 * 64); /* 14 slots of 64 bytes */
	assert_int_equal(st.port_wr[NPU_CLS_ACT], 8);
	assert_int_equal(st.port_wr[NPU_CLS_SPILL], 4 + 16);
	assert_int_equal(st.dma_rd, 10 + 3 + 9 + 12 + 200 + 64);
	assert_int_equal(st.dma_wr, 6 + 2 + 8);
	assert_int_equal(st.sram_wr, 10 + 3 + 12 + 200); /* the WBUF's are not the banks' */
	assert_int_equal(st.sram_rd, 6 + 2 + 8);
	assert_int_equal(st.mac_busy, 0);
	free(p);

	/* the fetch counts every slot of the stream: a CONV takes two, an EW
	 * of 6 inputs two */
	p = prog_new();
	alloc(p, 0, 64);
	load(p, NPU_CLS_ACT, D(0), S(0), 64);
	sync_(p);
	NpuInsn i = insn(NPU_EW);
	i.dst = S(0), i.bytes = 8, i.qmul = 1 << 30, i.nin = 6;
	for (int k = 0; k < 6; k++)
		i.in[k] = S(8 * k), i.coef[k] = 1;
	emit(p, i);
	sfree(p, 0, 64);
	end(p);
	st = run_ok(p);
	assert_int_equal(st.insns, 6);
	assert_int_equal(st.port_rd[NPU_CLS_FETCH], 7 * 64);
	free(p);
}

/* SRAM in use and its peak follow ALLOC and FREE; the high-water mark is
 * one past the highest byte written, whatever is allocated. */
static void test_sram_counters(void **state)
{
	(void)state;
	Prog *p = prog_new();
	alloc(p, 1000, 200);
	alloc(p, 3000, 1000);      /* allocated, never written */
	load(p, NPU_CLS_ACT, D(0), S(1000), 50);
	sync_(p);
	sfree(p, 3000, 1000);
	alloc(p, 0, 100);
	alloc(p, 100, 300);
	unary(p, NPU_RELU, 1000, 1100, 50);
	sfree(p, 0, 100);
	alloc(p, 0, 50);
	alloc(p, 50, 50);
	sfree(p, 0, 50);
	sfree(p, 50, 50);
	sfree(p, 100, 300);
	sfree(p, 1000, 200);
	end(p);
	FsimStats st = run_ok(p);
	assert_int_equal(st.sram_peak, 1200);       /* 200 + 1000 */
	assert_int_equal(st.sram_hwm, 1150);        /* the RELU's last byte, 1149 */
	free(p);
}

/* ---- timing ---- */

/* A stream with transfers both ways and compute, timed at several
 * latencies and port widths. */
static Prog *timed_stream(void)
{
	Prog *p = prog_new();
	place(p, NULL, 4096);
	alloc(p, 0, 2048);
	load(p, NPU_CLS_ACT, D(0), S(0), 1024);
	sync_(p);
	unary(p, NPU_RELU, 0, 1024, 1024);
	store(p, NPU_CLS_SPILL, S(1024), D(2048), 1024);
	load(p, NPU_CLS_ACT, D(1024), S(0), 512);
	sync_(p);
	unary(p, NPU_COPY, 0, 512, 512);
	store(p, NPU_CLS_ACT, S(512), D(3072), 512);
	sync_(p);
	sfree(p, 0, 2048);
	end(p);
	return p;
}

static void test_cycles_grow(void **state)
{
	(void)state;
	Prog *p = timed_stream();
	CostModel m = model;
	int64_t last = 0;
	for (int lat = 0; lat <= 400; lat += 50) {
		m.dram_latency = lat;
		FsimStats st = run_with(p, &m);
		assert_true(st.cycles > last); /* a transfer waits for its first beat */
		last = st.cycles;
	}
	m = model;
	last = INT64_MAX;
	for (int bpc = 1; bpc <= 64; bpc *= 2) {
		m.rd_bpc = m.wr_bpc = bpc;
		FsimStats st = run_with(p, &m);
		assert_true(st.cycles < last);
		last = st.cycles;
	}
	free(p);

	/* more bytes, never fewer cycles (a short transfer hides behind the
	 * sequencer's decoding of the SYNC after it), more over the range;
	 * never fewer than the latency plus a beat a cycle */
	last = 0;
	int64_t first = 0;
	for (uint32_t n = 8; n <= 4096; n *= 4) {
		p = prog_new();
		place(p, NULL, 4096);
		alloc(p, 0, n);
		load(p, NPU_CLS_ACT, D(0), S(0), n);
		sync_(p);
		sfree(p, 0, n);
		end(p);
		FsimStats st = run_ok(p);
		assert_true(st.cycles >= last);
		assert_true(st.cycles >= model.dram_latency + n / 8);
		assert_true(st.dma_busy >= n / 8);
		last = st.cycles;
		first = first ? first : st.cycles;
		free(p);
	}
	if (last <= first + 2048 / 8 - 64) /* the last, 2 KiB, takes its 256 beats */
		fail_msg("8 bytes: %lld cycles, 2 KiB: %lld", (long long)first, (long long)last);

	/* more transfers than the DMA queue holds (16): issue waits for the
	 * oldest to start; all 40 cross the port */
	p = prog_new();
	place(p, NULL, 4096);
	alloc(p, 0, 40 * 64);
	for (uint32_t k = 0; k < 40; k++)
		load(p, NPU_CLS_ACT, D(64 * k), S(64 * k), 64);
	sync_(p);
	sfree(p, 0, 40 * 64);
	end(p);
	FsimStats st = run_ok(p);
	assert_int_equal(st.port_rd[NPU_CLS_ACT], 40 * 64);
	assert_true(st.cycles >= model.dram_latency + 40 * 64 / 8);
	free(p);
}

/* The DMA runs beside the engines: a LOAD issued before a RELU that does
 * not touch its bytes overlaps it; with a SYNC between them it cannot.
 * how: 0 overlapped, 1 serialized, 2 the RELU alone, 3 the LOAD alone,
 * 4 neither (the common prefix: the RELU's input LOADed). */
static int64_t load_relu(const CostModel *m, int how, bool wbuf)
{
	Prog *p = prog_new();
	place(p, NULL, 2048);
	alloc(p, 0, 4096);
	load(p, NPU_CLS_ACT, D(0), S(0), 1024);
	sync_(p);
	if (how == 0 || how == 1 || how == 3) {
		if (wbuf)
			load(p, NPU_CLS_WEIGHT, D(0), W(0), 1024);
		else
			load(p, NPU_CLS_ACT, D(0), S(2048), 2048);
	}
	if (how == 1)
		sync_(p);
	if (how <= 2)
		unary(p, NPU_RELU, 0, 1024, 1024);
	sync_(p);
	sfree(p, 0, 4096);
	end(p);
	FsimStats st = run_with(p, m);
	free(p);
	return st.cycles;
}

static void test_cycles_overlap(void **state)
{
	(void)state;
	/* into the SRAM with windows of 32 bytes (a quarter of the beats'
	 * bank accesses), or into the WBUF */
	CostModel wide = model;
	wide.banks = 32, wide.window = 31 + 1;
	for (int wbuf = 0; wbuf < 2; wbuf++) {
		const CostModel *m = wbuf ? &model : &wide;
		int64_t both = load_relu(m, 0, wbuf), serial = load_relu(m, 1, wbuf);
		int64_t relu = load_relu(m, 2, wbuf) - load_relu(m, 4, wbuf);
		int64_t ld = load_relu(m, 3, wbuf) - load_relu(m, 4, wbuf);
		assert_true(relu > 0 && ld > 0);
		assert_true(both < serial);
		/* it saves at least half of the shorter part */
		if (serial - both < (relu < ld ? relu : ld) / 2)
			fail_msg("%s: overlapped %lld, serialized %lld, RELU %lld, LOAD %lld",
				 wbuf ? "wbuf" : "sram", (long long)both, (long long)serial,
				 (long long)relu, (long long)ld);
	}
}

/* A RELU with a LOAD of 512 bytes (64 beats, landing within the RELU's
 * 518 cycles) beside it, issued before or after it, into the SRAM or the
 * WBUF; its bank stalls. */
static int64_t relu_stalls(bool load_first, bool wbuf)
{
	Prog *p = prog_new();
	place(p, NULL, 2048);
	alloc(p, 0, 4096);
	load(p, NPU_CLS_ACT, D(0), S(0), 1024);
	sync_(p);
	if (!load_first)
		unary(p, NPU_RELU, 0, 1024, 1024);
	load(p, NPU_CLS_ACT, D(0), wbuf ? W(0) : S(2048), 512);
	if (load_first)
		unary(p, NPU_RELU, 0, 1024, 1024);
	sync_(p);
	sfree(p, 0, 4096);
	end(p);
	FsimStats st = run_ok(p);
	free(p);
	return st.stall_bank;
}

/* A DMA access of the banks wins (hw/README.md): a RELU running while a
 * LOAD writes SRAM stalls; while a LOAD writes the WBUF (its own memory)
 * it does not. */
static void test_bank_stalls(void **state)
{
	(void)state;
	assert_true(relu_stalls(false, false) > 0);
	assert_int_equal(relu_stalls(false, true), 0);
	assert_int_equal(relu_stalls(true, true), 0);
}

/* Port B wins the banks whenever its data land (hw/README.md), whichever
 * instruction was issued first: a LOAD issued just before a RELU, its beats
 * landing in the SRAM while the RELU runs, stalls the RELU too.  That is the
 * emitter's software pipeline (the next piece's LOADs, then this piece's
 * compute). */
static void test_bank_stalls_load_issued_first(void **state)
{
	(void)state;
	int64_t after = relu_stalls(false, false), before = relu_stalls(true, false);
	if (before <= 0)
		fail_msg("a LOAD issued before the RELU stalls it %lld cycles (issued after it: %lld)",
			 (long long)before, (long long)after);
}

/* ---- refusals ---- */

static void test_refuse_bounds(void **state)
{
	(void)state;
	Prog *p = prog_new();
	alloc(p, 4000, 200);
	end(p);
	refused(p, "instruction 0 (alloc): buffer 0xfa0..0x1067 past the end of SRAM (0x1000 bytes)");

	p = prog_new();
	alloc(p, 0, 100);
	load(p, NPU_CLS_ACT, D(0), S(4090), 100);
	refused(p, "instruction 1 (load): writes SRAM 0xffa..0x105d past its end (0x1000 bytes) "
		   "(dst)");

	/* 2-D: the last row's end counts */
	p = prog_new();
	alloc(p, 0, 4096);
	xfer(p, NPU_LOAD, NPU_CLS_ACT, D(0), S(4000), 16, 3, 16, 48);
	refused(p, "instruction 1 (load): writes SRAM 0xfa0..0x100f past its end (0x1000 bytes) "
		   "(dst)");

	p = prog_new();
	load(p, NPU_CLS_WEIGHT, D(0), W(1008), 32);
	refused(p, "instruction 0 (load): writes WBUF 0x3f0..0x40f past its end (0x400 bytes) (dst)");

	p = prog_new();
	alloc(p, 0, 100);
	load(p, NPU_CLS_ACT, D(1000), S(0), 100);
	refused_on(p, 1024, "instruction 1 (load): reads DRAM 0x3e8..0x44b past the image (0x400 "
			    "bytes) (src)");

	p = prog_new();
	alloc(p, 0, 100);
	xfer(p, NPU_LOAD, NPU_CLS_ACT, D(0), S(0), 10, 10, 114, 10);
	refused_on(p, 1024, "instruction 1 (load): reads DRAM 0x0..0x40b past the image (0x400 "
			    "bytes) (src)");

	p = prog_new();
	alloc(p, 0, 100);
	load(p, NPU_CLS_ACT, D(0), S(0), 100);
	sync_(p);
	store(p, NPU_CLS_SPILL, S(0), D(1000), 100);
	refused_on(p, 1024, "instruction 3 (store): writes DRAM 0x3e8..0x44b past the image (0x400 "
			    "bytes) (dst)");

	/* weights past the WBUF: 3x3 over 16 channels, 4 out, blocks of 4: 153*4 bytes */
	p = prog_new();
	alloc(p, 0, 16);
	alloc(p, 16, 4);
	load(p, NPU_CLS_ACT, D(0), S(0), 16);
	sync_(p);
	NpuInsn c = insn(NPU_CONV);
	set_window(&c, (Shape){1, 16, 1, 1}, (Shape){1, 4, 1, 1}, ir_window(3, 1, 1, 1));
	c.groups = 1, c.cw = 4, c.weight = W(512);
	c.src = c.x.base = S(0), c.x.cs = 1, c.dst = c.y.base = S(16), c.y.cs = 1;
	emit(p, c);
	refused(p, "instruction 4 (conv): reads WBUF 0x200..0x463 past its end (0x400 bytes) "
		   "(weights)");

	/* an output view past the SRAM: channel 3 at 4000 + 3*100 */
	p = prog_new();
	alloc(p, 0, 4096);
	load(p, NPU_CLS_ACT, D(0), S(0), 16);
	load(p, NPU_CLS_WEIGHT, D(0), W(0), 4 * 25);
	sync_(p);
	c = insn(NPU_CONV);
	set_window(&c, (Shape){1, 16, 1, 1}, (Shape){1, 4, 1, 1}, ir_window(1, 1, 1, 1));
	c.groups = 1, c.cw = 4, c.weight = W(0);
	c.src = c.x.base = S(0), c.x.cs = 1, c.dst = c.y.base = S(4000), c.y.cs = 100;
	emit(p, c);
	refused(p, "instruction 4 (conv): writes SRAM 0xfa0..0x10cc past its end (0x1000 bytes) "
		   "(dst)");

	/* a REQUANT table past the WBUF */
	p = prog_new();
	alloc(p, 0, 64);
	load(p, NPU_CLS_ACT, D(0), S(0), 64);
	sync_(p);
	NpuInsn r = insn(NPU_REQUANT);
	r.flags = NPU_F_PERCH, r.src = S(0), r.dst = S(0), r.bytes = 16, r.aux = W(1000);
	r.out_c = 4;
	emit(p, r);
	refused(p, "instruction 3 (requant): reads WBUF 0x3e8..0x407 past its end (0x400 bytes) "
		   "(table)");
}

static void test_refuse_live_buffers(void **state)
{
	(void)state;
	Prog *p = prog_new();
	load(p, NPU_CLS_ACT, D(0), S(0), 100);
	refused(p, "instruction 0 (load): writes SRAM 0x0..0x63 outside any live buffer (at 0x0) "
		   "(dst)");

	p = prog_new();
	alloc(p, 0, 100);
	load(p, NPU_CLS_ACT, D(0), S(0), 100);
	sync_(p);
	unary(p, NPU_COPY, 0, 50, 100); /* half outside */
	refused(p, "instruction 3 (copy): writes SRAM 0x32..0x95 outside any live buffer (at "
		   "0x64) (dst)");

	p = prog_new();
	alloc(p, 0, 100);
	load(p, NPU_CLS_ACT, D(0), S(0), 100);
	sync_(p);
	sfree(p, 0, 100);
	alloc(p, 128, 100);
	unary(p, NPU_RELU, 0, 128, 100);
	refused(p, "instruction 5 (relu): reads SRAM 0x0..0x63 outside any live buffer (at 0x0) "
		   "(src)");

	p = prog_new();
	alloc(p, 0, 50);
	alloc(p, 60, 50);
	store(p, NPU_CLS_ACT, S(0), D(0), 100);
	refused(p, "instruction 2 (store): reads SRAM 0x0..0x63 outside any live buffer (at 0x32) "
		   "(src)");

	/* a view's hull must be live: two channels 100 apart, the gap freed
	 * (hw/README.md: operand ranges are checked as hulls) */
	p = prog_new();
	alloc(p, 0, 10);
	alloc(p, 10, 90);
	alloc(p, 100, 10);
	alloc(p, 200, 10);
	load(p, NPU_CLS_ACT, D(0), S(0), 10);
	load(p, NPU_CLS_ACT, D(0), S(100), 10);
	sync_(p);
	sfree(p, 10, 90);
	NpuInsn i = insn(NPU_POOL);
	set_window(&i, (Shape){1, 2, 1, 10}, (Shape){1, 2, 1, 10}, ir_window(1, 1, 1, 1));
	i.src = i.x.base = S(0), i.x.cs = 100, i.dst = i.y.base = S(200), i.y.cs = 5;
	i.out_w = 5, i.sw = 2, i.kw = 2; /* 1x2 windows, stride 2: 2 x 5 bytes out */
	emit(p, i);
	refused(p, "instruction 8 (pool): reads SRAM 0x0..0x6d outside any live buffer (at 0xa) "
		   "(src)");

	/* adjacent buffers do cover an access across both */
	p = prog_new();
	alloc(p, 0, 50);
	alloc(p, 50, 50);
	load(p, NPU_CLS_ACT, D(0), S(0), 100);
	sync_(p);
	sfree(p, 0, 50);
	sfree(p, 50, 50);
	end(p);
	run_ok(p);
	free(p);
}

static void test_refuse_never_written(void **state)
{
	(void)state;
	Prog *p = prog_new();
	alloc(p, 0, 100);
	alloc(p, 128, 100);
	unary(p, NPU_RELU, 0, 128, 100);
	refused(p, "instruction 2 (relu): reads SRAM 0x0..0x63 never written (src)");

	p = prog_new();
	alloc(p, 0, 100);
	load(p, NPU_CLS_ACT, D(0), S(0), 50);
	sync_(p);
	alloc(p, 128, 100);
	unary(p, NPU_RELU, 0, 128, 100);
	refused(p, "instruction 4 (relu): reads SRAM 0x0..0x63: 0x32..0x63 never written (src)");

	/* a new buffer over old bytes starts unwritten */
	p = prog_new();
	alloc(p, 0, 100);
	load(p, NPU_CLS_ACT, D(0), S(0), 100);
	sync_(p);
	sfree(p, 0, 100);
	alloc(p, 0, 100);
	store(p, NPU_CLS_ACT, S(0), D(0), 100);
	refused(p, "instruction 5 (store): reads SRAM 0x0..0x63 never written (src)");

	/* one row of a 2-D STORE never written */
	p = prog_new();
	alloc(p, 0, 100);
	load(p, NPU_CLS_ACT, D(0), S(0), 10);
	load(p, NPU_CLS_ACT, D(0), S(40), 10);
	sync_(p);
	xfer(p, NPU_STORE, NPU_CLS_ACT, S(0), D(0), 10, 3, 20, 10);
	refused(p, "instruction 4 (store): reads SRAM 0x14..0x1d never written (src)");

	/* EW: its third input */
	p = prog_new();
	alloc(p, 0, 64);
	load(p, NPU_CLS_ACT, D(0), S(0), 16);
	load(p, NPU_CLS_ACT, D(0), S(16), 16);
	load(p, NPU_CLS_ACT, D(0), S(32), 8);
	sync_(p);
	NpuInsn i = insn(NPU_EW);
	i.dst = S(48), i.bytes = 16, i.qmul = 1 << 30, i.nin = 3;
	for (int k = 0; k < 3; k++)
		i.in[k] = S(16 * k), i.coef[k] = 1;
	emit(p, i);
	refused(p, "instruction 5 (ew): reads SRAM 0x20..0x2f: 0x28..0x2f never written (in2)");

	/* CONV weights never loaded into the WBUF; then half loaded */
	for (int half = 0; half < 2; half++) {
		p = prog_new();
		alloc(p, 0, 32);
		load(p, NPU_CLS_ACT, D(0), S(0), 16);
		if (half)
			load(p, NPU_CLS_WEIGHT, D(0), W(0), 48);
		sync_(p);
		NpuInsn c = insn(NPU_CONV);
		set_window(&c, (Shape){1, 16, 1, 1}, (Shape){1, 4, 1, 1}, ir_window(1, 1, 1, 1));
		c.groups = 1, c.cw = 4, c.weight = W(0);
		c.src = c.x.base = S(0), c.x.cs = 1, c.dst = c.y.base = S(16), c.y.cs = 1;
		emit(p, c);
		refused(p, half ? "instruction 4 (conv): reads WBUF 0x0..0x63: 0x30..0x63 never written "
				  "(weights)"
				: "instruction 3 (conv): reads WBUF 0x0..0x63 never written (weights)");
	}

	/* CONV views, channel by channel: the first channel of src, of src2
	 * (SPLIT at 8), of the partial sums never written */
	static const char *const views[] = {
		"instruction 4 (conv): reads SRAM 0x8..0x8 never written (src)",
		"instruction 4 (conv): reads SRAM 0x20..0x20 never written (src2)",
		"instruction 4 (conv): reads SRAM 0x40..0x43 never written (psum)",
	};
	for (int v = 0; v < 3; v++) {
		p = prog_new();
		alloc(p, 0, 128);
		load(p, NPU_CLS_ACT, D(0), S(0), v ? 16 : 8);
		load(p, NPU_CLS_WEIGHT, D(0), W(0), 100);
		sync_(p);
		NpuInsn c = insn(NPU_CONV);
		set_window(&c, (Shape){1, 16, 1, 1}, (Shape){1, 4, 1, 1}, ir_window(1, 1, 1, 1));
		c.groups = 1, c.cw = 4, c.weight = W(0);
		c.src = c.x.base = S(0), c.x.cs = 1, c.dst = c.y.base = S(16), c.y.cs = 1;
		if (v == 1)
			c.flags = NPU_F_SPLIT, c.split = 8, c.x2 = (NpuView){S(32), 1, 0};
		if (v == 2)
			c.flags = NPU_F_PSUM, c.psum = c.ps.base = S(64), c.ps.cs = 4;
		emit(p, c);
		refused(p, views[v]);
	}

	/* a REQUANT table never loaded */
	p = prog_new();
	alloc(p, 0, 64);
	load(p, NPU_CLS_ACT, D(0), S(0), 64);
	sync_(p);
	NpuInsn r = insn(NPU_REQUANT);
	r.flags = NPU_F_PERCH, r.src = S(0), r.dst = S(0), r.bytes = 16, r.aux = W(16);
	r.out_c = 2;
	emit(p, r);
	refused(p, "instruction 3 (requant): reads WBUF 0x10..0x1f never written (table)");

	/* a view: only its rows count, not the gaps between channels; a row
	 * of channel 1 missing is refused, naming that channel's range */
	for (int miss = 0; miss < 2; miss++) {
		p = prog_new();
		alloc(p, 0, 64);
		alloc(p, 64, 16);
		if (miss) { /* channel 0's 3 rows of 4 bytes, 2 of channel 1's */
			load(p, NPU_CLS_ACT, D(0), S(0), 12);
			load(p, NPU_CLS_ACT, D(0), S(30), 8);
		} else { /* 3 rows of both, 30 bytes apart: bytes 12..29 never written */
			xfer(p, NPU_LOAD, NPU_CLS_ACT, D(0), S(0), 12, 2, 100, 30);
		}
		sync_(p);
		NpuInsn pl = insn(NPU_POOL);
		set_window(&pl, (Shape){1, 2, 3, 4}, (Shape){1, 2, 2, 4}, ir_window(1, 1, 1, 1));
		pl.kh = 2; /* 2x1 windows: rows 0-2 read */
		pl.src = pl.x.base = S(0), pl.x.cs = 30, pl.dst = pl.y.base = S(64), pl.y.cs = 8;
		emit(p, pl);
		if (miss) {
			refused(p, "instruction 5 (pool): reads SRAM 0x1e..0x29: 0x26..0x29 never written "
				   "(src)");
			continue;
		}
		sfree(p, 0, 64);
		sfree(p, 64, 16);
		end(p);
		run_ok(p);
		free(p);
	}
}

static void test_refuse_races(void **state)
{
	(void)state;
	/* compute reading what a LOAD may still be writing; and with the SYNC */
	for (int with_sync = 0; with_sync < 2; with_sync++) {
		Prog *p = prog_new();
		alloc(p, 0, 100);
		alloc(p, 128, 100);
		load(p, NPU_CLS_ACT, D(0), S(0), 100);
		if (with_sync)
			sync_(p);
		unary(p, NPU_RELU, 0, 128, 100);
		sync_(p);
		sfree(p, 0, 100);
		sfree(p, 128, 100);
		end(p);
		if (with_sync) {
			run_ok(p);
			free(p);
		} else {
			refused(p, "instruction 3 (relu): reads SRAM 0x0..0x63 (src) that the load of "
				   "instruction 2 may still be moving (no sync)");
		}
	}

	/* compute writing what a STORE may still be reading */
	Prog *p = prog_new();
	alloc(p, 0, 100);
	alloc(p, 128, 100);
	load(p, NPU_CLS_ACT, D(0), S(0), 100);
	load(p, NPU_CLS_ACT, D(0), S(128), 100);
	sync_(p);
	store(p, NPU_CLS_ACT, S(0), D(200), 100);
	unary(p, NPU_RELU, 128, 50, 10);
	refused(p, "instruction 6 (relu): writes SRAM 0x32..0x3b (dst) that the store of "
		   "instruction 5 may still be moving (no sync)");

	/* compute writing what a LOAD may still be writing */
	p = prog_new();
	alloc(p, 0, 200);
	load(p, NPU_CLS_ACT, D(0), S(0), 100);
	sync_(p);
	load(p, NPU_CLS_ACT, D(0), S(100), 100);
	unary(p, NPU_COPY, 0, 150, 10);
	refused(p, "instruction 4 (copy): writes SRAM 0x96..0x9f (dst) that the load of "
		   "instruction 3 may still be moving (no sync)");

	/* compute reading what a STORE reads: both only read, fine */
	p = prog_new();
	alloc(p, 0, 200);
	load(p, NPU_CLS_ACT, D(0), S(0), 100);
	sync_(p);
	store(p, NPU_CLS_ACT, S(0), D(300), 100);
	unary(p, NPU_RELU, 0, 100, 100);
	store(p, NPU_CLS_ACT, S(0), D(400), 100);
	sync_(p);
	sfree(p, 0, 200);
	end(p);
	run_ok(p);
	free(p);

	/* a CONV reading weights a LOAD may still be writing into the WBUF */
	p = prog_new();
	alloc(p, 0, 32);
	load(p, NPU_CLS_ACT, D(0), S(0), 16);
	load(p, NPU_CLS_WEIGHT, D(0), W(0), 100);
	sync_(p);
	load(p, NPU_CLS_WEIGHT, D(0), W(96), 64); /* the next chunk, overlapping by 4 bytes */
	NpuInsn c = insn(NPU_CONV);
	set_window(&c, (Shape){1, 16, 1, 1}, (Shape){1, 4, 1, 1}, ir_window(1, 1, 1, 1));
	c.groups = 1, c.cw = 4, c.weight = W(0);
	c.src = c.x.base = S(0), c.x.cs = 1, c.dst = c.y.base = S(16), c.y.cs = 1;
	emit(p, c);
	refused(p, "instruction 5 (conv): reads WBUF 0x0..0x63 (weights) that the load of "
		   "instruction 4 may still be moving (no sync)");
	/* the same chunk loaded beside it (no overlap) runs */
	p = prog_new();
	alloc(p, 0, 32);
	load(p, NPU_CLS_ACT, D(0), S(0), 16);
	load(p, NPU_CLS_WEIGHT, D(0), W(0), 100);
	sync_(p);
	load(p, NPU_CLS_WEIGHT, D(0), W(100), 64);
	emit(p, c);
	sync_(p);
	sfree(p, 0, 32);
	end(p);
	run_ok(p);
	free(p);

	/* a REQUANT reading a table a LOAD may still be writing */
	p = prog_new();
	alloc(p, 0, 64);
	load(p, NPU_CLS_ACT, D(0), S(0), 64);
	sync_(p);
	load(p, NPU_CLS_WEIGHT, D(0), W(16), 16);
	NpuInsn r = insn(NPU_REQUANT);
	r.flags = NPU_F_PERCH, r.src = S(0), r.dst = S(0), r.bytes = 16, r.aux = W(16);
	r.out_c = 2;
	emit(p, r);
	refused(p, "instruction 4 (requant): reads WBUF 0x10..0x1f (table) that the load of "
		   "instruction 3 may still be moving (no sync)");

	/* a LOAD writing what an earlier LOAD may still be writing */
	p = prog_new();
	alloc(p, 0, 200);
	load(p, NPU_CLS_ACT, D(0), S(0), 100);
	load(p, NPU_CLS_ACT, D(0), S(99), 100);
	refused(p, "instruction 2 (load): writes SRAM 0x63..0xc6 (dst) that the load of "
		   "instruction 1 may still be moving (no sync)");

	/* a LOAD over what a STORE may still be reading */
	p = prog_new();
	alloc(p, 0, 200);
	load(p, NPU_CLS_ACT, D(0), S(0), 100);
	sync_(p);
	store(p, NPU_CLS_SPILL, S(0), D(500), 100);
	xfer(p, NPU_LOAD, NPU_CLS_ACT, D(0), S(90), 4, 2, 4, 50);
	refused(p, "instruction 4 (load): writes SRAM 0x5a..0x8f (dst) that the store of "
		   "instruction 3 may still be moving (no sync)");

	/* a WBUF LOAD over a WBUF LOAD */
	p = prog_new();
	load(p, NPU_CLS_WEIGHT, D(0), W(0), 64);
	load(p, NPU_CLS_WEIGHT, D(0), W(60), 8);
	refused(p, "instruction 1 (load): writes WBUF 0x3c..0x43 (dst) that the load of "
		   "instruction 0 may still be moving (no sync)");

	/* a STORE of what a LOAD may still be bringing in; its SYNC */
	for (int with_sync = 0; with_sync < 2; with_sync++) {
		p = prog_new();
		alloc(p, 0, 100);
		load(p, NPU_CLS_ACT, D(0), S(0), 100);
		if (with_sync)
			sync_(p);
		store(p, NPU_CLS_ACT, S(50), D(200), 10);
		sync_(p);
		sfree(p, 0, 100);
		end(p);
		if (with_sync) {
			run_ok(p);
			free(p);
		} else {
			refused(p, "instruction 2 (store): reads SRAM 0x32..0x3b (src) that the load of "
				   "instruction 1 may still be moving (no sync)");
		}
	}

	/* two STOREs of the same bytes only read them: fine */
	p = prog_new();
	alloc(p, 0, 100);
	load(p, NPU_CLS_ACT, D(0), S(0), 100);
	sync_(p);
	store(p, NPU_CLS_ACT, S(0), D(200), 100);
	store(p, NPU_CLS_ACT, S(0), D(300), 100);
	sync_(p);
	sfree(p, 0, 100);
	end(p);
	run_ok(p);
	assert_memory_equal(p->dram + 200, p->dram, 100);
	assert_memory_equal(p->dram + 300, p->dram, 100);
	free(p);

	/* freeing a buffer a transfer may still be moving */
	p = prog_new();
	alloc(p, 0, 100);
	load(p, NPU_CLS_ACT, D(0), S(0), 100);
	sfree(p, 0, 100);
	refused(p, "instruction 2 (free): frees SRAM 0x0..0x63 that the load of instruction 1 may "
		   "still be moving (no sync)");
	p = prog_new();
	alloc(p, 0, 100);
	load(p, NPU_CLS_ACT, D(0), S(0), 100);
	sync_(p);
	store(p, NPU_CLS_ACT, S(10), D(0), 10);
	sfree(p, 0, 100);
	refused(p, "instruction 4 (free): frees SRAM 0x0..0x63 that the store of instruction 3 may "
		   "still be moving (no sync)");

	/* a 2-D transfer races through its hull: a LOAD into the gap between
	 * the rows of a STORE that is still reading (hw/README.md) */
	p = prog_new();
	alloc(p, 0, 100);
	load(p, NPU_CLS_ACT, D(0), S(0), 100);
	sync_(p);
	xfer(p, NPU_STORE, NPU_CLS_ACT, S(0), D(0), 10, 2, 50, 10);
	load(p, NPU_CLS_ACT, D(0), S(20), 10);
	refused(p, "instruction 4 (load): writes SRAM 0x14..0x1d (dst) that the store of "
		   "instruction 3 may still be moving (no sync)");

	/* END with transfers outstanding */
	p = prog_new();
	alloc(p, 0, 100);
	load(p, NPU_CLS_ACT, D(0), S(0), 100);
	end(p);
	refused(p, "instruction 2 (end): end with 1 DMA transfer outstanding (the first from "
		   "instruction 1; no sync)");
	p = prog_new();
	alloc(p, 0, 100);
	load(p, NPU_CLS_ACT, D(0), S(0), 100);
	sync_(p);
	store(p, NPU_CLS_ACT, S(0), D(200), 100);
	store(p, NPU_CLS_ACT, S(0), D(300), 100);
	end(p);
	refused(p, "instruction 5 (end): end with 2 DMA transfers outstanding (the first from "
		   "instruction 3; no sync)");
}

static void test_refuse_weights(void **state)
{
	(void)state;
	/* block widths: a divisor of the array's 4 columns */
	static const struct {
		int cw;
		uint32_t at;
		const char *want;
	} cases[] = {
		{3, 0, "instruction 4 (conv): block width cw 3 does not divide the array's 4 columns"},
		{8, 0, "instruction 4 (conv): block width cw 8 does not divide the array's 4 columns"},
		{4, 2, "instruction 4 (conv): weights at W:0x2, not a multiple of cw 4"},
		{2, 5, "instruction 4 (conv): weights at W:0x5, not a multiple of cw 2"},
		{2, 10, NULL}, /* a multiple of cw need not be one of the row */
		{1, 3, NULL},
	};
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		Prog *p = prog_new();
		alloc(p, 0, 32);
		load(p, NPU_CLS_ACT, D(0), S(0), 16);
		load(p, NPU_CLS_WEIGHT, D(0), W(0), 1024);
		NpuInsn c = insn(NPU_CONV);
		set_window(&c, (Shape){1, 16, 1, 1}, (Shape){1, 4, 1, 1}, ir_window(1, 1, 1, 1));
		c.groups = 1, c.cw = (uint16_t)cases[k].cw, c.weight = W(cases[k].at);
		c.src = c.x.base = S(0), c.x.cs = 1, c.dst = c.y.base = S(16), c.y.cs = 1;
		sync_(p);
		emit(p, c);
		if (cases[k].want) {
			refused(p, cases[k].want);
			continue;
		}
		sfree(p, 0, 32);
		end(p);
		run_ok(p);
		free(p);
	}

	/* WBUF loads in whole rows of 4 bytes */
	Prog *p = prog_new();
	load(p, NPU_CLS_WEIGHT, D(0), W(2), 8);
	refused(p, "instruction 0 (load): a weight-buffer load must be in whole rows: destination "
		   "0x2 and stride 0 multiples of 4");
	p = prog_new();
	xfer(p, NPU_LOAD, NPU_CLS_WEIGHT, D(0), W(8), 6, 3, 6, 6);
	refused(p, "instruction 0 (load): a weight-buffer load must be in whole rows: destination "
		   "0x8 and stride 6 multiples of 4");
	/* rows of any length, their starts on rows: fine */
	p = prog_new();
	xfer(p, NPU_LOAD, NPU_CLS_WEIGHT, D(0), W(8), 6, 3, 6, 8);
	load(p, NPU_CLS_WEIGHT, D(0), W(100), 3);
	sync_(p);
	end(p);
	FsimStats st = run_ok(p);
	assert_int_equal(st.sram_wr, 0);
	assert_int_equal(st.dma_rd, 21);
	free(p);
}

/* ---- an output over the instruction's own inputs (docs/isa.md) ---- */

/* The common start of the overlap streams: SRAM 0..1023 live and written
 * (a pattern from DRAM 0), WBUF 0..255 written, synced: the instruction
 * after it is instruction 4. */
static Prog *overlap_prog(void)
{
	Prog *p = prog_new();
	uint64_t s = 21;
	for (int j = 0; j < 1024; j++)
		p->dram[j] = (uint8_t)rng_below(&s, 256);
	p->top = 1024;
	alloc(p, 0, 1024);
	load(p, NPU_CLS_ACT, D(0), S(0), 1024);
	load(p, NPU_CLS_WEIGHT, D(0), W(0), 256);
	sync_(p);
	return p;
}

/* A 1x1 CONV of 2 channels of 2x2 at SRAM x (channels 4 bytes apart) to 2
 * channels at y, weights at W:0 in blocks of 4. */
static NpuInsn conv_2x2(uint32_t x, uint32_t y)
{
	NpuInsn i = insn(NPU_CONV);
	set_window(&i, (Shape){1, 2, 2, 2}, (Shape){1, 2, 2, 2}, ir_window(1, 1, 1, 1));
	i.groups = 1, i.cw = 4, i.weight = W(0);
	i.src = i.x.base = S(x), i.x.cs = 4;
	i.dst = i.y.base = S(y), i.y.cs = 4;
	return i;
}

/* A CONV's or a POOL's output may not overlap its inputs at all (not even
 * in place); an EW's, a REQUANT's or a GAVG's, or a CONV's over its
 * partial sums, may not start inside an input past its first byte. */
static void test_refuse_overlap(void **state)
{
	(void)state;
	/* CONV: in place over its input, and its output just before it */
	Prog *p = overlap_prog();
	emit(p, conv_2x2(0, 0));
	refused(p, "instruction 4 (conv): writes SRAM 0x0..0x7 (dst) over its reads of 0x0..0x7 "
		   "(src)");
	p = overlap_prog();
	emit(p, conv_2x2(0x104, 0x100));
	refused(p, "instruction 4 (conv): writes SRAM 0x100..0x107 (dst) over its reads of "
		   "0x104..0x10b (src)");

	/* the second output over the second input, and over the first */
	for (int k = 0; k < 2; k++) {
		p = overlap_prog();
		NpuInsn i = conv_2x2(0, 0x100);
		i.flags = NPU_F_SPLIT | NPU_F_OSPLIT, i.split = 1, i.osplit = 1;
		i.x2 = (NpuView){S(0x40), 4, 0};
		i.y2 = (NpuView){S(k ? 0x2 : 0x42), 4, 0};
		emit(p, i);
		refused(p, k ? "instruction 4 (conv): writes SRAM 0x2..0x5 (dst2) over its reads of "
			       "0x0..0x3 (src)"
			     : "instruction 4 (conv): writes SRAM 0x42..0x45 (dst2) over its reads of "
			       "0x40..0x43 (src2)");
	}

	/* the int32 output 4 bytes into its partial sums (0x100..0x11f): only
	 * the sums' very view may be written over them */
	p = overlap_prog();
	NpuInsn i = conv_2x2(0, 0x104);
	i.flags = NPU_F_OUT32 | NPU_F_PSUM, i.y.cs = 16;
	i.psum = i.ps.base = S(0x100), i.ps.cs = 16;
	emit(p, i);
	refused(p, "instruction 4 (conv): writes SRAM 0x104..0x123 (dst) over its reads of "
		   "0x100..0x11f (psum)");

	/* POOL: 2 channels of 4x4 (0x0..0x1f), the output over their last 4 bytes */
	p = overlap_prog();
	i = insn(NPU_POOL);
	set_window(&i, (Shape){1, 2, 4, 4}, (Shape){1, 2, 2, 2}, ir_window(2, 2, 1, 1));
	i.src = i.x.base = S(0), i.x.cs = 16;
	i.dst = i.y.base = S(0x1c), i.y.cs = 4;
	emit(p, i);
	refused(p, "instruction 4 (pool): writes SRAM 0x1c..0x23 (dst) over its reads of "
		   "0x0..0x1f (src)");

	/* EW: 9 inputs (the last in an OPERANDS), the output 8 bytes into in8 */
	p = overlap_prog();
	i = insn(NPU_EW);
	i.nin = 9, i.bytes = 32, i.qmul = 1 << 30, i.dst = S(0x208);
	for (int k = 0; k < 9; k++)
		i.in[k] = S(0x40 * (uint32_t)k), i.coef[k] = 1;
	emit(p, i);
	refused(p, "instruction 4 (ew): writes SRAM 0x208..0x227 (dst) ahead of its reads of "
		   "0x200..0x21f (in8)");

	/* REQUANT: 16 int32s (0x0..0x3f), the output from their last byte */
	p = overlap_prog();
	i = insn(NPU_REQUANT);
	i.src = S(0), i.dst = S(0x3f), i.bytes = 16, i.qmul = 1 << 30;
	emit(p, i);
	refused(p, "instruction 4 (requant): writes SRAM 0x3f..0x4e (dst) ahead of its reads of "
		   "0x0..0x3f (src)");

	/* GAVG: 4 channels of 2x2, the means one byte in */
	p = overlap_prog();
	i = insn(NPU_GAVG);
	i.src = S(0), i.dst = S(1), i.in_c = 4, i.in_h = 2, i.in_w = 2;
	emit(p, i);
	refused(p, "instruction 4 (gavg): writes SRAM 0x1..0x4 (dst) ahead of its reads of "
		   "0x0..0xf (src)");
}

static int8_t gavg_of(const int8_t *x, int n) /* the mean, rounded half away from zero */
{
	int s = 0;
	for (int j = 0; j < n; j++)
		s += x[j];
	return (int8_t)(s >= 0 ? (2 * s + n) / (2 * n) : -((-2 * s + n) / (2 * n)));
}

/* What the overlap rule allows, computed from the inputs as they were
 * before the instruction: outputs in place (from an input's first byte),
 * outputs starting before an input they overlap, COPY and RELU overlapping
 * either way, a CONV's output right after its input or over the view of
 * an input its band does not read. */
static void test_overlap_allowed(void **state)
{
	(void)state;
	Prog *p = overlap_prog();
	int8_t x[1024];
	memcpy(x, p->dram, sizeof x);
	uint32_t y = place(p, NULL, 7 * 64);
	/* EW over in0 (0x0..0x1f), in1 at 0x10 inside it */
	NpuInsn i = insn(NPU_EW);
	i.nin = 2, i.bytes = 32, i.qmul = 1 << 30, i.qshift = 1, i.dst = S(0);
	i.in[0] = S(0), i.coef[0] = 3, i.in[1] = S(0x10), i.coef[1] = -2;
	emit(p, i);
	store(p, NPU_CLS_ACT, S(0), D(y), 32);
	/* EW 8 bytes before its only input */
	i.nin = 1, i.in[0] = S(0x108), i.coef[0] = -1, i.qshift = 0, i.dst = S(0x100);
	sync_(p);
	emit(p, i);
	store(p, NPU_CLS_ACT, S(0x100), D(y + 64), 32);
	/* REQUANT in place, and 5 bytes before its int32s */
	i = insn(NPU_REQUANT);
	i.src = i.dst = S(0x200), i.bytes = 16, i.qmul = 1 << 30, i.qshift = 20;
	sync_(p);
	emit(p, i);
	store(p, NPU_CLS_ACT, S(0x200), D(y + 128), 16);
	i.src = S(0x245), i.dst = S(0x240);
	sync_(p);
	emit(p, i);
	store(p, NPU_CLS_ACT, S(0x240), D(y + 192), 16);
	/* GAVG in place, and 3 bytes before */
	i = insn(NPU_GAVG);
	i.src = i.dst = S(0x300), i.in_c = 4, i.in_h = 2, i.in_w = 2;
	sync_(p);
	emit(p, i);
	i.src = S(0x343), i.dst = S(0x340);
	emit(p, i);
	/* RELU 3 bytes ahead, COPY 5 bytes behind */
	unary(p, NPU_RELU, 0x380, 0x383, 16);
	unary(p, NPU_COPY, 0x3c5, 0x3c0, 16);
	/* a CONV's output right after its input's last byte (0x280..0x287) */
	emit(p, conv_2x2(0x280, 0x288));
	/* a band of padding reads no input: its output may lie over the src view */
	i = conv_2x2(0x2c0, 0x2c0);
	i.pt = 2, i.out_h = 4, i.oy1 = 2;
	emit(p, i);
	sync_(p);
	store(p, NPU_CLS_ACT, S(0x300), D(y + 256), 4);
	store(p, NPU_CLS_ACT, S(0x340), D(y + 260), 4);
	store(p, NPU_CLS_ACT, S(0x383), D(y + 320), 16);
	store(p, NPU_CLS_ACT, S(0x3c0), D(y + 336), 16);
	sync_(p);
	sfree(p, 0, 1024);
	end(p);
	run_ok(p);
	for (int j = 0; j < 32; j++) {
		assert_int_equal((int8_t)p->dram[y + j],
				 ref_clamp8(ref_requant(3 * x[j] - 2 * x[16 + j], 1 << 30, 1), false));
		assert_int_equal((int8_t)p->dram[y + 64 + j],
				 ref_clamp8(ref_requant(-x[0x108 + j], 1 << 30, 0), false));
	}
	for (int j = 0; j < 16; j++) {
		int32_t a = get32((const uint8_t *)x + 0x200 + 4 * j);
		int32_t b = get32((const uint8_t *)x + 0x245 + 4 * j);
		assert_int_equal((int8_t)p->dram[y + 128 + j],
				 ref_clamp8(ref_requant(a, 1 << 30, 20), false));
		assert_int_equal((int8_t)p->dram[y + 192 + j],
				 ref_clamp8(ref_requant(b, 1 << 30, 20), false));
		assert_int_equal((int8_t)p->dram[y + 320 + j], x[0x380 + j] > 0 ? x[0x380 + j] : 0);
		assert_int_equal((int8_t)p->dram[y + 336 + j], x[0x3c5 + j]);
	}
	for (int c = 0; c < 4; c++) {
		assert_int_equal((int8_t)p->dram[y + 256 + c], gavg_of(x + 0x300 + 4 * c, 4));
		assert_int_equal((int8_t)p->dram[y + 260 + c], gavg_of(x + 0x343 + 4 * c, 4));
	}
	free(p);
}

static void test_refuse_alloc_free(void **state)
{
	(void)state;
	Prog *p = prog_new();
	alloc(p, 0, 100);
	alloc(p, 50, 100);
	refused(p, "instruction 1 (alloc): buffer 0x32..0x95 overlaps the live buffer 0x0..0x63");

	p = prog_new();
	alloc(p, 200, 100);
	alloc(p, 300, 10);
	alloc(p, 100, 101);
	refused(p, "instruction 2 (alloc): buffer 0x64..0xc8 overlaps the live buffer 0xc8..0x12b");

	p = prog_new();
	alloc(p, 0, 1000);
	alloc(p, 100, 10); /* inside it */
	refused(p, "instruction 1 (alloc): buffer 0x64..0x6d overlaps the live buffer 0x0..0x3e7");

	p = prog_new();
	alloc(p, 0, 100);
	sfree(p, 0, 50);
	refused(p, "instruction 1 (free): frees 0x0..0x31, but the buffer there is 0x0..0x63");

	p = prog_new();
	alloc(p, 0, 100);
	sfree(p, 10, 90);
	refused(p, "instruction 1 (free): frees 0xa..0x63, which is not an allocated buffer");

	p = prog_new();
	alloc(p, 0, 100);
	sfree(p, 0, 100);
	sfree(p, 0, 100);
	refused(p, "instruction 2 (free): frees 0x0..0x63, which is not an allocated buffer");
}

static void test_refuse_bad_streams(void **state)
{
	(void)state;
	Prog *p = prog_new();
	alloc(p, 0, 100);
	sync_(p);
	p->w[p->n] = 0x42;
	p->n += NPU_INSN_WORDS;
	end(p);
	refused(p, "instruction 2: unknown opcode 0x42");

	/* a decoding error names its instruction, counted as decoded: the EW
	 * with its continuation and the CONV with its VIEW are one each */
	p = prog_new();
	alloc(p, 0, 64);
	load(p, NPU_CLS_ACT, D(0), S(0), 64);
	load(p, NPU_CLS_WEIGHT, D(0), W(0), 100);
	sync_(p);
	NpuInsn e = insn(NPU_EW);
	e.dst = S(0), e.bytes = 8, e.nin = 6;
	for (int k = 0; k < 6; k++)
		e.in[k] = S(8 * k), e.coef[k] = 1;
	emit(p, e);
	NpuInsn c = insn(NPU_CONV);
	set_window(&c, (Shape){1, 16, 1, 1}, (Shape){1, 4, 1, 1}, ir_window(1, 1, 1, 1));
	c.groups = 1, c.cw = 4, c.weight = W(0);
	c.src = c.x.base = S(0), c.x.cs = 1, c.dst = c.y.base = S(16), c.y.cs = 1;
	emit(p, c);
	NpuInsn l = insn(NPU_LOAD);
	l.src = S(0), l.dst = S(8), l.bytes = 8, l.rows = 1;
	emit(p, l);
	end(p);
	refused(p, "instruction 6 (load): source must be a DRAM Ref (is S:0x0)");

	p = prog_new();
	alloc(p, 0, 100);
	refused(p, "instruction 1: the stream ends without end");

	p = prog_new();
	end(p);
	sync_(p);
	refused(p, "instruction 0 (end): 16 words after it");

	p = prog_new();
	end(p);
	p->n -= 3;
	refused(p, "instruction 0: truncated: 13 words left, an instruction has 16");

	/* the machine itself */
	p = prog_new();
	end(p);
	FsimStats st;
	Err err;
	static const struct {
		const char *what;
		const char *want;
	} models[] = {
		{"sram 0", "fsim: SRAM of 0 bytes, WBUF of 1024 (1 to 2^30)"},
		{"wbuf 0", "fsim: SRAM of 4096 bytes, WBUF of 0 (1 to 2^30)"},
		{"sram 2^30 + 1", "fsim: SRAM of 1073741825 bytes, WBUF of 1024 (1 to 2^30)"},
		{"rd_bpc 0", NULL},
		{"wr_bpc 0", NULL},
		{"rd_bpc 128", NULL},
		{"latency -1", NULL},
		{"mac_rows 0", NULL},
		{"mac_cols 0", NULL},
		{"vector_width 0", NULL},
		{"window 1", NULL},
	};
	for (size_t k = 0; k < sizeof models / sizeof models[0]; k++) {
		CostModel m = model;
		switch (k) {
		case 0: m.sram_bytes = 0; break;
		case 1: m.wbuf_bytes = 0; break;
		case 2: m.sram_bytes = (1 << 30) + 1; break;
		case 3: m.rd_bpc = 0; break;
		case 4: m.wr_bpc = 0; break;
		case 5: m.rd_bpc = 128; break;
		case 6: m.dram_latency = -1; break;
		case 7: m.mac_rows = 0; break;
		case 8: m.mac_cols = 0; break;
		case 9: m.vector_width = 0; break;
		default: m.window = 1; break;
		}
		assert_int_equal(fsim_run(&m, p->w, p->n, p->dram, NDRAM, &st, &err), -1);
		const char *want = models[k].want ? models[k].want
						  : "fsim: bad cost model (port widths 1..64, MAC array, "
						    "vector width and window positive, latency not negative)";
		if (strcmp(err.msg, want))
			fail_msg("%s: '%s'", models[k].what, err.msg);
	}
	assert_int_equal(fsim_run(&model, p->w, p->n, p->dram, NDRAM, NULL, &err), 0);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conv_dense),
		cmocka_unit_test(test_conv_windows),
		cmocka_unit_test(test_conv_bands),
		cmocka_unit_test(test_conv_split),
		cmocka_unit_test(test_partial_sums),
		cmocka_unit_test(test_band_of_padding),
		cmocka_unit_test(test_fc_as_conv),
		cmocka_unit_test(test_pool),
		cmocka_unit_test(test_gavg),
		cmocka_unit_test(test_ew),
		cmocka_unit_test(test_requant),
		cmocka_unit_test(test_relu_copy),
		cmocka_unit_test(test_transfers_2d),
		cmocka_unit_test(test_dram_order),
		cmocka_unit_test(test_port_counters),
		cmocka_unit_test(test_sram_counters),
		cmocka_unit_test(test_cycles_grow),
		cmocka_unit_test(test_cycles_overlap),
		cmocka_unit_test(test_bank_stalls),
		cmocka_unit_test(test_bank_stalls_load_issued_first),
		cmocka_unit_test(test_refuse_bounds),
		cmocka_unit_test(test_refuse_live_buffers),
		cmocka_unit_test(test_refuse_never_written),
		cmocka_unit_test(test_refuse_races),
		cmocka_unit_test(test_refuse_weights),
		cmocka_unit_test(test_refuse_overlap),
		cmocka_unit_test(test_overlap_allowed),
		cmocka_unit_test(test_refuse_alloc_free),
		cmocka_unit_test(test_refuse_bad_streams),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
