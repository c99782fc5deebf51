/* test_isa.c: the command stream's encoding (docs/isa.md): every opcode
 * and flag round trips through npu_encode and npu_decode, the words land
 * where the document puts them, every refusal of the decoder (each message
 * of isa.c) is met by breaking one word of a valid instruction, the helpers
 * give hand-computed values, and listing lines read as documented. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isa.h"
#include "rng.h"

#define S(a) NPU_REF(NPU_SRAM, a)
#define W(a) NPU_REF(NPU_WBUF, a)
#define D(a) NPU_REF(NPU_DRAM, a)
#define BAD3(a) NPU_REF(3, a) /* space 3: refused everywhere */

enum { NW = 8 * NPU_INSN_WORDS };

static NpuInsn zero(void)
{
	NpuInsn i;
	memset(&i, 0, sizeof i); /* padding too, so whole structs compare */
	return i;
}

/* One listing line of i, without its newline (checked to be the only one). */
static void listing(const NpuInsn *i, char *line, size_t n)
{
	memset(line, 0, n);
	FILE *f = fmemopen(line, n, "w");
	assert_non_null(f);
	npu_disasm(i, f);
	fclose(f);
	char *nl = strchr(line, '\n');
	assert_non_null(nl);
	assert_int_equal(nl[1], '\0');
	*nl = 0;
}

/* The instruction decoded from its own encoding equals it, takes the words
 * npu_insn_words says, and lists as one line starting with its name. */
static void round_trip(const NpuInsn *i, size_t words)
{
	uint32_t w[NW];
	memset(w, 0xa5, sizeof w);
	assert_int_equal(npu_insn_words(i), words);
	assert_int_equal(npu_encode(i, w), words);
	NpuInsn d;
	Err e = {{0}};
	size_t used = npu_decode(w, words, 3, &d, &e);
	if (!used)
		fail_msg("%s: %s", npu_opname(i->op), e.msg);
	assert_int_equal(used, words);
	assert_memory_equal(&d, i, sizeof d);
	/* the instruction is all the decoder reads: trailing words change nothing */
	uint32_t more[NW + NPU_INSN_WORDS];
	memcpy(more, w, words * sizeof *w);
	memset(more + words, 0xff, NPU_INSN_WORDS * sizeof *more);
	assert_int_equal(npu_decode(more, words + NPU_INSN_WORDS, 3, &d, &e), words);
	assert_memory_equal(&d, i, sizeof d);
	char line[1024];
	listing(&d, line, sizeof line);
	assert_int_equal(strncmp(line, npu_opname(i->op), strlen(npu_opname(i->op))), 0);
}

/* ---- instructions, valid as made ---- */

static NpuInsn mk_end(void)
{
	NpuInsn i = zero();
	i.op = NPU_END;
	return i;
}

static NpuInsn mk_sync(void)
{
	NpuInsn i = zero();
	i.op = NPU_SYNC;
	return i;
}

static NpuInsn mk_load(void)
{
	NpuInsn i = zero();
	i.op = NPU_LOAD, i.src = D(0x100), i.dst = S(0x40), i.bytes = 64, i.rows = 1;
	i.cls = NPU_CLS_ACT;
	return i;
}

/* Three rows of 48 bytes, 100 apart in DRAM, into WBUF rows 64 apart. */
static NpuInsn mk_load2d(void)
{
	NpuInsn i = mk_load();
	i.src = D(0x1000), i.dst = W(0x80), i.bytes = 48, i.rows = 3, i.sstride = 100;
	i.dstride = 64, i.cls = NPU_CLS_WEIGHT;
	return i;
}

static NpuInsn mk_store(void)
{
	NpuInsn i = zero();
	i.op = NPU_STORE, i.src = S(0x40), i.dst = D(0x100), i.bytes = 64, i.rows = 1;
	i.cls = NPU_CLS_SPILL;
	return i;
}

static NpuInsn mk_alloc(void)
{
	NpuInsn i = zero();
	i.op = NPU_ALLOC, i.dst = S(0x40), i.bytes = 64;
	return i;
}

static NpuInsn mk_free(void)
{
	NpuInsn i = mk_alloc();
	i.op = NPU_FREE;
	return i;
}

static NpuInsn mk_copy(void)
{
	NpuInsn i = zero();
	i.op = NPU_COPY, i.src = S(0x10), i.dst = S(0x200), i.bytes = 64;
	return i;
}

static NpuInsn mk_relu(void)
{
	NpuInsn i = zero();
	i.op = NPU_RELU, i.src = S(0x10), i.dst = S(0x10), i.bytes = 77;
	return i;
}

/* 16x32x32 -> 32x16x16, 3x3 stride 2 padding 1, ReLU: dense views, the
 * whole output as its band, 16-wide weight blocks at W:0. */
static NpuInsn mk_conv(void)
{
	NpuInsn i = zero();
	i.op = NPU_CONV;
	i.flags = NPU_F_RELU;
	i.src = i.x.base = S(0x1200);
	i.x.cs = 32 * 32;
	i.dst = i.y.base = S(0x40);
	i.y.cs = 16 * 16;
	i.weight = W(0);
	i.cw = 16;
	i.in_c = 16, i.in_h = 32, i.in_w = 32;
	i.out_c = 32, i.out_h = 16, i.out_w = 16;
	i.kh = i.kw = 3, i.sh = i.sw = 2, i.dh = i.dw = 1;
	i.pt = i.pl = i.pb = i.pr = 1;
	i.groups = 1;
	i.oy0 = 0, i.oy1 = 16;
	return i;
}

/* Partial sums: int32 out, started from a psum view. */
static NpuInsn mk_conv_psum(void)
{
	NpuInsn i = mk_conv();
	i.flags = NPU_F_OUT32 | NPU_F_PSUM;
	i.psum = i.ps.base = S(0x3000);
	i.ps.cs = 16 * 16 * 4;
	i.y.cs = 16 * 16 * 4;
	return i;
}

static NpuInsn mk_conv_split(void)
{
	NpuInsn i = mk_conv();
	i.flags |= NPU_F_SPLIT;
	i.x2.base = S(0x5000), i.x2.cs = 1100, i.split = 5;
	return i;
}

static NpuInsn mk_conv_osplit(void)
{
	NpuInsn i = mk_conv();
	i.flags |= NPU_F_OSPLIT;
	i.y2.base = S(0x6000), i.y2.cs = 300, i.osplit = 9;
	return i;
}

/* Output rows 4..8 only: input rows 7..15 (4*2 - 1 to 7*2 - 1 + 2), held
 * by views that start there; every part, every view. */
static NpuInsn mk_conv_band(void)
{
	NpuInsn i = mk_conv();
	i.flags = NPU_F_SPLIT | NPU_F_OSPLIT | NPU_F_PSUM;
	i.oy0 = 4, i.oy1 = 8;
	i.x.row0 = 7, i.x.cs = 9 * 32 + 5;
	i.x2.base = S(0x5000), i.x2.cs = 9 * 32, i.x2.row0 = 6, i.split = 3;
	i.y.row0 = 4, i.y.cs = 4 * 16;
	i.y2.base = S(0x6000), i.y2.cs = 4 * 16 + 1, i.y2.row0 = 1, i.osplit = 31;
	i.psum = i.ps.base = S(0x7000), i.ps.cs = 4 * 4 * 16, i.ps.row0 = 4;
	return i;
}

static NpuInsn mk_pool(void)
{
	NpuInsn i = mk_conv();
	i.op = NPU_POOL, i.flags = NPU_F_AVG, i.weight = 0, i.cw = 0, i.groups = 0;
	i.out_c = 16;
	return i;
}

/* Output rows 2..5: input rows 3..10, views starting at them. */
static NpuInsn mk_pool_band(void)
{
	NpuInsn i = mk_pool();
	i.flags = 0;
	i.oy0 = 2, i.oy1 = 5;
	i.x.row0 = 3, i.x.cs = 8 * 32 + 7;
	i.y.row0 = 2, i.y.cs = 3 * 16;
	return i;
}

static NpuInsn mk_gavg(void)
{
	NpuInsn i = zero();
	i.op = NPU_GAVG, i.src = S(0x10), i.dst = S(0x30), i.in_c = 4, i.in_h = 7, i.in_w = 9;
	return i;
}

static NpuInsn mk_requant(void)
{
	NpuInsn i = zero();
	i.op = NPU_REQUANT, i.flags = NPU_F_RELU, i.src = S(0), i.dst = S(0x400), i.bytes = 256;
	i.qmul = 1 << 30, i.qshift = 5;
	return i;
}

static NpuInsn mk_requant_perch(void)
{
	NpuInsn i = mk_requant();
	i.flags = NPU_F_PERCH, i.qmul = 0, i.qshift = 0, i.aux = W(0x100), i.out_c = 16;
	return i;
}

static NpuInsn ew(int n)
{
	NpuInsn i = zero();
	i.op = NPU_EW;
	i.flags = NPU_F_RELU;
	i.dst = S(0x700);
	i.bytes = 96;
	i.qmul = 1 << 30;
	i.qshift = -1;
	i.nin = (uint8_t)n;
	for (int k = 0; k < n; k++) {
		i.in[k] = S(0x100 * k + k);
		i.coef[k] = k % 2 ? -k - 1 : (k == 4 ? INT32_MIN : k + 1);
	}
	return i;
}

static NpuInsn mk_ew2(void)
{
	return ew(2);
}

static NpuInsn mk_ew5(void)
{
	return ew(5);
}

static NpuInsn mk_ew12(void)
{
	return ew(12);
}

static NpuInsn mk_ew13(void)
{
	return ew(13);
}

/* ---- round trips ---- */

static void test_round_trip_transfers(void **state)
{
	(void)state;
	NpuInsn i = mk_end();
	round_trip(&i, 16);
	i = mk_sync();
	round_trip(&i, 16);
	i = mk_alloc();
	round_trip(&i, 16);
	i = mk_free();
	round_trip(&i, 16);
	i.dst = S(0x3fffffff), i.bytes = 0xffffffffu;
	round_trip(&i, 16);

	/* every class each direction takes, one row and 2-D, every destination space */
	for (int cls = NPU_CLS_ACT; cls <= NPU_CLS_WEIGHT; cls++) {
		i = mk_load();
		i.cls = (uint8_t)cls;
		round_trip(&i, 16);
		i = mk_load2d();
		i.cls = (uint8_t)cls;
		round_trip(&i, 16);
		i.dst = S(0x77); /* SRAM: no row alignment */
		round_trip(&i, 16);
		if (cls == NPU_CLS_WEIGHT)
			continue;
		i = mk_store();
		i.cls = (uint8_t)cls;
		round_trip(&i, 16);
		i.rows = 4, i.sstride = 16, i.dstride = 256, i.bytes = 16;
		round_trip(&i, 16);
	}
	/* the extremes: 2^30 - 1 bytes, 65535 rows, rows exactly abutting, a
	 * source stride of 0 (one row read again and again) */
	i = mk_load();
	i.src = D(0x3fffffff), i.bytes = NPU_ADDR_MASK;
	round_trip(&i, 16);
	i = mk_load2d();
	i.rows = NPU_MAX_ROWS, i.dstride = i.bytes, i.sstride = 0;
	round_trip(&i, 16);

	i = mk_copy();
	round_trip(&i, 16);
	i.bytes = 0xffffffffu;
	round_trip(&i, 16);
	i = mk_relu();
	round_trip(&i, 16);
}

static void test_round_trip_conv(void **state)
{
	(void)state;
	NpuInsn i = mk_conv();
	round_trip(&i, 32);
	/* negative padding (crop), dilation, groups, asymmetric stride */
	i.flags = 0;
	i.in_c = 8, i.out_c = 4, i.groups = 4, i.cw = 1;
	i.kh = 3, i.kw = 1, i.sh = 1, i.sw = 3, i.dh = 2, i.dw = 1;
	i.pt = -1, i.pl = 2, i.pb = 0, i.pr = -2;
	i.out_h = (32 - 1 + 0 - 5) / 1 + 1, i.out_w = (32 + 2 - 2 - 1) / 3 + 1;
	i.oy1 = i.out_h;
	round_trip(&i, 32);
	i = mk_conv();
	i.flags = NPU_F_OUT32;
	round_trip(&i, 32);
	i = mk_conv_psum();
	round_trip(&i, 32);
	i.flags = NPU_F_PSUM | NPU_F_RELU; /* requantized from partial sums */
	round_trip(&i, 32);
	i = mk_conv_split();
	round_trip(&i, 32);
	i.split = 15;
	round_trip(&i, 32);
	i = mk_conv_osplit();
	round_trip(&i, 32);
	i.osplit = 1;
	round_trip(&i, 32);
	i = mk_conv_band();
	round_trip(&i, 32);
	i.flags |= NPU_F_OUT32;
	round_trip(&i, 32);
	/* a view may start before the first row the band reads, not after */
	i.x.row0 = 0, i.x2.row0 = 7, i.y.row0 = 4, i.y2.row0 = 4, i.ps.row0 = 0;
	round_trip(&i, 32);
	/* a band that reads only padding (1x1 window, 3 rows of padding above
	 * 2 input rows: output rows 0..3 read none): any src row0 */
	i = mk_conv();
	i.kh = i.kw = 1, i.sh = i.sw = 1, i.pt = 3, i.pl = i.pb = i.pr = 0;
	i.in_h = 2, i.out_h = 5, i.out_w = 32, i.oy0 = 0, i.oy1 = 3, i.x.row0 = 9;
	round_trip(&i, 32);
	/* a fully connected layer: a 1x1 convolution over C*H*W channels */
	i = zero();
	i.op = NPU_CONV, i.src = i.x.base = S(0), i.dst = i.y.base = S(0x100);
	i.weight = W(0x40), i.cw = 8, i.x.cs = 1, i.y.cs = 1;
	i.in_c = 4608, i.in_h = i.in_w = 1, i.out_c = 1000, i.out_h = i.out_w = 1;
	i.kh = i.kw = i.sh = i.sw = i.dh = i.dw = 1, i.groups = 1, i.oy1 = 1;
	round_trip(&i, 32);
	/* the largest fields */
	i = mk_conv();
	i.x.cs = 0xffffffffu, i.y.cs = 0xfffffff0u, i.weight = W(0x3fffffff), i.cw = 0xffff;
	round_trip(&i, 32);
}

static void test_round_trip_vector(void **state)
{
	(void)state;
	NpuInsn i = mk_pool();
	round_trip(&i, 16);
	i.flags = 0;
	round_trip(&i, 16);
	i = mk_pool_band();
	round_trip(&i, 16);
	i.flags = NPU_F_AVG, i.pt = -1, i.pb = 3, i.dh = 2, i.out_h = (32 - 1 + 3 - 5) / 2 + 1;
	i.oy0 = 1, i.oy1 = 2, i.x.row0 = 0, i.y.row0 = 1; /* reads rows 3, 5, 7 */
	round_trip(&i, 16);

	i = mk_gavg();
	round_trip(&i, 16);
	i.in_c = i.in_h = i.in_w = 0xffff;
	round_trip(&i, 16);

	i = mk_requant();
	round_trip(&i, 16);
	i.flags = 0, i.qmul = INT32_MAX, i.qshift = -128;
	round_trip(&i, 16);
	i.qmul = -5, i.qshift = 127;
	round_trip(&i, 16);
	i = mk_requant_perch();
	round_trip(&i, 16);
	i.flags |= NPU_F_RELU, i.aux = W(0x3ffffff8), i.out_c = 256;
	round_trip(&i, 16);
	i.out_c = 0xffff, i.bytes = 0xffff * 3;
	round_trip(&i, 16);

	/* EW: up to five inputs in the first slot, seven in each continuation */
	static const int nins[] = {1, 2, 5, 6, 12, 13, 19, 20, 26, 27, 32};
	static const size_t words[] = {16, 16, 16, 32, 32, 48, 48, 64, 64, 80, 80};
	for (size_t k = 0; k < sizeof nins / sizeof nins[0]; k++) {
		i = ew(nins[k]);
		round_trip(&i, words[k]);
		i.flags = 0;
		round_trip(&i, words[k]);
	}
}

/* The words of each instruction where docs/isa.md puts them. */
static void test_layout(void **state)
{
	(void)state;
	uint32_t w[NW];
	NpuInsn i = mk_load2d();
	assert_int_equal(npu_encode(&i, w), 16);
	static const uint32_t load[] = {NPU_LOAD | NPU_CLS_WEIGHT << 8,
					0x80001000u, /* D:0x1000: space 2 in bits 30-31 */
					0x40000080u, /* W:0x80 */
					48, 3, 100, 64};
	assert_memory_equal(w, load, sizeof load);
	for (int k = 7; k < 16; k++)
		assert_int_equal(w[k], 0);
	i = mk_store();
	npu_encode(&i, w);
	assert_int_equal(w[0], NPU_STORE | NPU_CLS_SPILL << 8);
	assert_int_equal(w[4], 1);
	assert_int_equal(w[5], 0); /* one row: no strides */
	assert_int_equal(w[6], 0);

	i = mk_conv_band();
	i.flags |= NPU_F_OUT32;
	i.pt = -2, i.pl = 1, i.pb = 3, i.pr = -4; /* (not a valid window: layout only) */
	i.dh = 5, i.dw = 6, i.groups = 0x1234;
	assert_int_equal(npu_encode(&i, w), 32);
	static const uint32_t conv[] = {
		NPU_CONV | (NPU_F_OUT32 | NPU_F_PSUM | NPU_F_SPLIT | NPU_F_OSPLIT) << 8,
		0x1200, 0x40, 0x40000000u, 0x7000,
		16 | 32u << 16,          /* in_c, in_h */
		32 | 32u << 16,          /* in_w, out_c */
		16 | 16u << 16,          /* out_h, out_w */
		0x02020303u,             /* kh, kw, sh, sw */
		5 | 6u << 8 | 0x1234u << 16, /* dh, dw, groups */
		0xfc0301feu,             /* pt -2, pl 1, pb 3, pr -4: signed bytes */
		4 | 8u << 16,            /* the band */
		16,                      /* cw */
		0x5000,                  /* src2 */
		3 | 31u << 16,           /* split, osplit */
		0x6000,                  /* dst2 */
		NPU_VIEW,
		9 * 32 + 5,              /* src cstride */
		7 | 6u << 16,            /* src row0, src2 row0 */
		9 * 32,                  /* src2 cstride */
		4 * 16,                  /* dst cstride */
		4 | 1u << 16,            /* dst row0, dst2 row0 */
		4 * 16 + 1,              /* dst2 cstride */
		4 * 4 * 16,              /* psum cstride */
		4,                       /* psum row0 */
		0, 0, 0, 0, 0, 0, 0,
	};
	assert_memory_equal(w, conv, sizeof conv);

	i = mk_pool_band();
	npu_encode(&i, w);
	static const uint32_t pool[] = {NPU_POOL, 0x1200, 0x40, 8 * 32 + 7, 3 * 16,
					16 | 32u << 16, 32 | 16u << 16, 16 | 16u << 16,
					0x02020303u, 1 | 1u << 8, 0x01010101u, 2 | 5u << 16,
					3 | 2u << 16, 0, 0, 0};
	assert_memory_equal(w, pool, sizeof pool);

	i = mk_gavg();
	npu_encode(&i, w);
	static const uint32_t gavg[] = {NPU_GAVG, 0x10, 0x30, 0, 0, 4 | 7u << 16, 9, 0};
	assert_memory_equal(w, gavg, sizeof gavg);

	i = mk_requant();
	i.qshift = -3;
	npu_encode(&i, w);
	static const uint32_t rq[] = {NPU_REQUANT | NPU_F_RELU << 8, 0, 0x400, 256, 1u << 30,
				      0xfd, 0, 0};
	assert_memory_equal(w, rq, sizeof rq);
	i = mk_requant_perch();
	npu_encode(&i, w);
	static const uint32_t rqp[] = {NPU_REQUANT | NPU_F_PERCH << 8, 0, 0x400, 256, 0, 0,
				       0x40000100u, 16, 0};
	assert_memory_equal(w, rqp, sizeof rqp);

	i = mk_alloc();
	npu_encode(&i, w);
	assert_int_equal(w[0], NPU_ALLOC);
	assert_int_equal(w[1], 0x40);
	assert_int_equal(w[2], 64);
	i = mk_copy();
	npu_encode(&i, w);
	static const uint32_t copy[] = {NPU_COPY, 0x10, 0x200, 64, 0};
	assert_memory_equal(w, copy, sizeof copy);
}

static void test_ew_continuation_layout(void **state)
{
	(void)state;
	uint32_t w[NW];
	NpuInsn i = ew(32);
	assert_int_equal(npu_encode(&i, w), 80);
	assert_int_equal(w[0], NPU_EW | NPU_F_RELU << 8 | 32u << 16);
	assert_int_equal(w[1], i.dst);
	assert_int_equal(w[2], 96);
	assert_int_equal(w[3], 1u << 30);
	assert_int_equal(w[4], 0xff); /* qshift -1, a signed byte */
	assert_int_equal(w[5], i.in[0]);
	assert_int_equal(w[14], (uint32_t)INT32_MIN); /* coef[4] */
	assert_int_equal(w[15], 0);
	for (int c = 1; c <= 4; c++) {
		uint32_t *o = w + 16 * c;
		uint32_t m = c < 4 ? 7 : 6; /* 5 + 7 + 7 + 7 + 6 = 32 */
		assert_int_equal(o[0], NPU_OPERANDS | m << 16);
		for (uint32_t j = 0; j < m; j++) {
			assert_int_equal(o[1 + 2 * j], i.in[5 + 7 * (c - 1) + j]);
			assert_int_equal(o[2 + 2 * j], (uint32_t)i.coef[5 + 7 * (c - 1) + j]);
		}
		for (uint32_t k = 1 + 2 * m; k < 16; k++)
			assert_int_equal(o[k], 0);
	}
	i = ew(6);
	assert_int_equal(npu_encode(&i, w), 32);
	assert_int_equal(w[16], NPU_OPERANDS | 1u << 16);
	assert_int_equal(w[17], i.in[5]);
	assert_int_equal(w[18], (uint32_t)i.coef[5]);
	for (int k = 19; k < 32; k++)
		assert_int_equal(w[k], 0);
}

/* ---- helpers, by hand ---- */

static void test_helpers(void **state)
{
	(void)state;
	NpuInsn i = mk_conv(); /* 3x3, stride 2, padding 1, in_h 32 */
	int lo, hi;
	i.oy0 = 4, i.oy1 = 8; /* rows 4*2-1 = 7 .. 7*2-1+2 = 15 */
	npu_band_rows(&i, &lo, &hi);
	assert_int_equal(lo, 7);
	assert_int_equal(hi, 16);
	i.oy0 = 0, i.oy1 = 1; /* row -1 is padding: 0 .. 1 */
	npu_band_rows(&i, &lo, &hi);
	assert_int_equal(lo, 0);
	assert_int_equal(hi, 2);
	i.oy0 = 15, i.oy1 = 16; /* rows 29 .. 31 (32 is padding) */
	npu_band_rows(&i, &lo, &hi);
	assert_int_equal(lo, 29);
	assert_int_equal(hi, 32);
	i.dh = 3, i.oy0 = 2, i.oy1 = 3; /* rows 3, 6, 9 */
	npu_band_rows(&i, &lo, &hi);
	assert_int_equal(lo, 3);
	assert_int_equal(hi, 10);
	/* only padding: 1x1, three rows of it above two input rows */
	i = mk_conv();
	i.kh = i.kw = 1, i.sh = i.sw = 1, i.pt = 3, i.in_h = 2, i.oy0 = 0, i.oy1 = 3;
	npu_band_rows(&i, &lo, &hi);
	assert_int_equal(lo, 0);
	assert_int_equal(hi, 0);
	i.oy1 = 4; /* output row 3 reads input row 0 */
	npu_band_rows(&i, &lo, &hi);
	assert_int_equal(lo, 0);
	assert_int_equal(hi, 1);

	/* lanes: min(lanes, (window - 1)/sw + 1) */
	assert_int_equal(npu_lanes(4, 8, 1), 4);
	assert_int_equal(npu_lanes(16, 17, 2), 9);
	assert_int_equal(npu_lanes(16, 33, 2), 16);
	assert_int_equal(npu_lanes(16, 9, 3), 3);
	assert_int_equal(npu_lanes(8, 5, 0), 5); /* stride 0 counts as 1 */

	assert_int_equal(npu_tiles(10, 4), 3);
	assert_int_equal(npu_tiles(8, 4), 2);
	assert_int_equal(npu_tiles(1, 16), 1);

	/* (9 + red) * cw per tile, tiles per group, groups */
	assert_int_equal(npu_weight_bytes(16, 32, 1, 3, 3, 16), 2 * (9 + 144) * 16);
	assert_int_equal(npu_weight_bytes(8, 6, 2, 1, 1, 2), 2 * 2 * (9 + 4) * 2);
	assert_int_equal(npu_weight_bytes(8, 8, 8, 3, 3, 1), 8 * 1 * (9 + 9) * 1);
	assert_int_equal(npu_weight_bytes(4608, 1000, 1, 1, 1, 16), 63 * (9 + 4608) * 16);

	/* the smallest divisor of cols at least min(cog, cols) */
	assert_int_equal(npu_block_width(3, 16), 4);
	assert_int_equal(npu_block_width(5, 16), 8);
	assert_int_equal(npu_block_width(16, 16), 16);
	assert_int_equal(npu_block_width(100, 16), 16);
	assert_int_equal(npu_block_width(1, 16), 1);
	assert_int_equal(npu_block_width(3, 12), 3);
	assert_int_equal(npu_block_width(5, 12), 6);
	assert_int_equal(npu_block_width(7, 12), 12);
	assert_int_equal(npu_block_width(4, 7), 7);

	assert_string_equal(npu_class_name(NPU_CLS_ACT), "act");
	assert_string_equal(npu_class_name(NPU_CLS_SPILL), "spill");
	assert_string_equal(npu_class_name(NPU_CLS_WEIGHT), "weight");
	assert_string_equal(npu_class_name(3), "?");
	static const struct {
		int op;
		const char *name;
	} names[] = {
		{NPU_END, "end"},       {NPU_LOAD, "load"},     {NPU_STORE, "store"},
		{NPU_SYNC, "sync"},     {NPU_ALLOC, "alloc"},   {NPU_FREE, "free"},
		{NPU_CONV, "conv"},     {NPU_POOL, "pool"},     {NPU_GAVG, "gavg"},
		{NPU_EW, "ew"},         {NPU_REQUANT, "requant"}, {NPU_COPY, "copy"},
		{NPU_RELU, "relu"},     {NPU_VIEW, "view"},     {NPU_OPERANDS, "operands"},
		{0, "?"},               {0x42, "?"},
	};
	for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
		assert_string_equal(npu_opname(names[k].op), names[k].name);
}

/* ---- listing ---- */

static void test_disasm(void **state)
{
	(void)state;
	static const struct {
		NpuInsn (*make)(void);
		const char *line;
	} cases[] = {
		{mk_end, "end  "},
		{mk_sync, "sync "},
		{mk_load, "load  src=D:0x100 dst=S:0x40 bytes=64 act"},
		{mk_load2d, "load  src=D:0x1000 dst=W:0x80 bytes=48 rows=3 stride=100,64 weight"},
		{mk_store, "store src=S:0x40 dst=D:0x100 bytes=64 spill"},
		{mk_alloc, "alloc addr=S:0x40 bytes=64"},
		{mk_free, "free  addr=S:0x40 bytes=64"},
		{mk_copy, "copy  src=S:0x10 dst=S:0x200 bytes=64"},
		{mk_relu, "relu  src=S:0x10 dst=S:0x10 elems=77"},
		{mk_conv, "conv  src=S:0x1200/1024 dst=S:0x40/256 w=W:0x0 cw=16 in=16x32x32 "
			  "out=32x16x16 k=3x3 s=2x2 d=1x1 p=1,1,1,1 g=1 relu"},
		{mk_conv_psum, "conv  src=S:0x1200/1024 dst=S:0x40/1024 psum=S:0x3000/1024 w=W:0x0 "
			       "cw=16 in=16x32x32 out=32x16x16 k=3x3 s=2x2 d=1x1 p=1,1,1,1 g=1 "
			       "out32 psum"},
		{mk_conv_band, "conv  src=S:0x1200/293@7 src2=S:0x5000/288@6 split=3 dst=S:0x40/64@4 "
			       "dst2=S:0x6000/65@1 osplit=31 psum=S:0x7000/256@4 w=W:0x0 cw=16 "
			       "in=16x32x32 out=32x16x16 k=3x3 s=2x2 d=1x1 p=1,1,1,1 rows=4..8 g=1 "
			       "psum"},
		{mk_pool, "pool  src=S:0x1200/1024 dst=S:0x40/256 in=16x32x32 out=16x16x16 k=3x3 "
			  "s=2x2 d=1x1 p=1,1,1,1 avg"},
		{mk_pool_band, "pool  src=S:0x1200/263@3 dst=S:0x40/48@2 in=16x32x32 out=16x16x16 "
			       "k=3x3 s=2x2 d=1x1 p=1,1,1,1 rows=2..5 max"},
		{mk_gavg, "gavg  src=S:0x10 dst=S:0x30 in=4x7x9 out=4x1x1"},
		{mk_requant, "requant src=S:0x0 dst=S:0x400 elems=256 q=1073741824>>5 relu"},
		{mk_requant_perch, "requant src=S:0x0 dst=S:0x400 elems=256 table=W:0x100 chans=16 "
				   "perch"},
		{mk_ew2, "ew    dst=S:0x700 elems=96 q=1073741824>>-1 n=2 in=S:0x0*1,S:0x101*-2 relu"},
	};
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		NpuInsn i = cases[k].make();
		char line[1024];
		listing(&i, line, sizeof line);
		if (strcmp(line, cases[k].line))
			fail_msg("case %zu:\ngot  '%s'\nwant '%s'", k, line, cases[k].line);
	}
}

/* ---- refusals ---- */

typedef struct Bad {
	const char *what;
	NpuInsn (*make)(void);
	int word;       /* the word broken (counting through continuations) */
	uint32_t value; /* what it becomes */
	size_t nwords;  /* words given to the decoder; 0: the whole instruction */
	const char *msg;
} Bad;

static const Bad bads[] = {
	/* w0: opcode, flags, count, and instructions out of place */
	{"opcode 0", mk_end, 0, 0x00, 0, "instruction 41: unknown opcode 0x00"},
	{"opcode 7", mk_end, 0, 0x07, 0, "instruction 41: unknown opcode 0x07"},
	{"opcode 0x17", mk_end, 0, 0x17, 0, "instruction 41: unknown opcode 0x17"},
	{"opcode 0x1d", mk_end, 0, 0x1d, 0, "instruction 41: unknown opcode 0x1d"},
	{"opcode 0xff", mk_end, 0, 0xff, 0, "instruction 41: unknown opcode 0xff"},
	{"operands alone", mk_end, 0, NPU_OPERANDS | 1u << 16, 0,
	 "instruction 41: operands without an ew before it"},
	{"view alone", mk_end, 0, NPU_VIEW, 0, "instruction 41: view without a conv before it"},
	{"w0 top byte", mk_sync, 0, NPU_SYNC | 1u << 24, 0,
	 "instruction 41 (sync): non-zero reserved bits in w0 (0x01000004)"},
	{"count on load", mk_load, 0, NPU_LOAD | 2u << 16, 0,
	 "instruction 41 (load): non-zero count field 2"},
	{"count on conv", mk_conv, 0, NPU_CONV | NPU_F_RELU << 8 | 1u << 16, 0,
	 "instruction 41 (conv): non-zero count field 1"},
	{"flag on end", mk_end, 0, NPU_END | NPU_F_RELU << 8, 0,
	 "instruction 41 (end): flag RELU (0x1) not taken by end"},
	{"flag on sync", mk_sync, 0, NPU_SYNC | NPU_F_PERCH << 8, 0,
	 "instruction 41 (sync): flag PERCH (0x10) not taken by sync"},
	{"flag on load", mk_load, 0, NPU_LOAD | NPU_F_PSUM << 8, 0,
	 "instruction 41 (load): flag PSUM (0x4) not taken by load"},
	{"flag 0x80", mk_copy, 0, NPU_COPY | 0x80u << 8, 0,
	 "instruction 41 (copy): flag unknown (0x80) not taken by copy"},
	{"relu flag on relu", mk_relu, 0, NPU_RELU | NPU_F_RELU << 8, 0,
	 "instruction 41 (relu): flag RELU (0x1) not taken by relu"},
	{"flag on alloc", mk_alloc, 0, NPU_ALLOC | NPU_F_OUT32 << 8, 0,
	 "instruction 41 (alloc): flag OUT32 (0x2) not taken by alloc"},
	{"two flags on conv", mk_conv, 0, NPU_CONV | (NPU_F_AVG | NPU_F_PERCH) << 8, 0,
	 "instruction 41 (conv): flag AVG (0x18) not taken by conv"},
	{"relu on pool", mk_pool, 0, NPU_POOL | (NPU_F_AVG | NPU_F_RELU) << 8, 0,
	 "instruction 41 (pool): flag RELU (0x1) not taken by pool"},
	{"split on pool", mk_pool, 0, NPU_POOL | NPU_F_SPLIT << 8, 0,
	 "instruction 41 (pool): flag SPLIT (0x20) not taken by pool"},
	{"osplit on gavg", mk_gavg, 0, NPU_GAVG | NPU_F_OSPLIT << 8, 0,
	 "instruction 41 (gavg): flag OSPLIT (0x40) not taken by gavg"},
	{"out32 on ew", mk_ew2, 0, NPU_EW | NPU_F_OUT32 << 8 | 2u << 16, 0,
	 "instruction 41 (ew): flag OUT32 (0x2) not taken by ew"},
	{"perch on ew", mk_ew2, 0, NPU_EW | NPU_F_PERCH << 8 | 2u << 16, 0,
	 "instruction 41 (ew): flag PERCH (0x10) not taken by ew"},
	{"psum on requant", mk_requant, 0, NPU_REQUANT | NPU_F_PSUM << 8, 0,
	 "instruction 41 (requant): flag PSUM (0x4) not taken by requant"},
	{"perch on conv", mk_conv, 0, NPU_CONV | NPU_F_PERCH << 8, 0,
	 "instruction 41 (conv): flag PERCH (0x10) not taken by conv"},

	/* reserved words of the first slot */
	{"sync w1", mk_sync, 1, 1, 0, "instruction 41 (sync): non-zero reserved word w1 (0x00000001)"},
	{"end w15", mk_end, 15, 1, 0, "instruction 41 (end): non-zero reserved word w15 (0x00000001)"},
	{"load w7", mk_load, 7, 9, 0, "instruction 41 (load): non-zero reserved word w7 (0x00000009)"},
	{"store w15", mk_store, 15, 1, 0,
	 "instruction 41 (store): non-zero reserved word w15 (0x00000001)"},
	{"alloc w3", mk_alloc, 3, 1, 0, "instruction 41 (alloc): non-zero reserved word w3 (0x00000001)"},
	{"free w3", mk_free, 3, 1, 0, "instruction 41 (free): non-zero reserved word w3 (0x00000001)"},
	{"copy w4", mk_copy, 4, 1, 0, "instruction 41 (copy): non-zero reserved word w4 (0x00000001)"},
	{"relu w4", mk_relu, 4, 1, 0, "instruction 41 (relu): non-zero reserved word w4 (0x00000001)"},
	{"pool w13", mk_pool, 13, 1, 0, "instruction 41 (pool): non-zero reserved word w13 (0x00000001)"},
	{"gavg w3", mk_gavg, 3, 0x40000000u, 0,
	 "instruction 41 (gavg): non-zero reserved word w3 (0x40000000)"},
	{"gavg w7", mk_gavg, 7, 1, 0, "instruction 41 (gavg): non-zero reserved word w7 (0x00000001)"},
	{"requant w8", mk_requant, 8, 1, 0,
	 "instruction 41 (requant): non-zero reserved word w8 (0x00000001)"},
	{"ew w15", mk_ew5, 15, 1, 0, "instruction 41 (ew): non-zero reserved word w15 (0x00000001)"},

	/* COPY, RELU, ALLOC, FREE */
	{"copy zero", mk_copy, 3, 0, 0, "instruction 41 (copy): zero bytes"},
	{"relu zero", mk_relu, 3, 0, 0, "instruction 41 (relu): zero elements"},
	{"copy from dram", mk_copy, 1, D(0x10), 0,
	 "instruction 41 (copy): source must be an SRAM Ref (is D:0x10)"},
	{"copy from space 3", mk_copy, 1, BAD3(0x10), 0,
	 "instruction 41 (copy): source must be an SRAM Ref (is ?:0x10)"},
	{"relu to wbuf", mk_relu, 2, W(0x10), 0,
	 "instruction 41 (relu): destination must be an SRAM Ref (is W:0x10)"},
	{"alloc zero", mk_alloc, 2, 0, 0, "instruction 41 (alloc): zero bytes"},
	{"free zero", mk_free, 2, 0, 0, "instruction 41 (free): zero bytes"},
	{"alloc dram", mk_alloc, 1, D(0x40), 0,
	 "instruction 41 (alloc): buffer must be an SRAM Ref (is D:0x40)"},
	{"free wbuf", mk_free, 1, W(0x40), 0,
	 "instruction 41 (free): buffer must be an SRAM Ref (is W:0x40)"},

	/* LOAD, STORE */
	{"load class 3", mk_load, 0, NPU_LOAD | 3u << 8, 0,
	 "instruction 41 (load): class 3 (load takes 0 act, 1 spill, 2 weight)"},
	{"store class weight", mk_store, 0, NPU_STORE | NPU_CLS_WEIGHT << 8, 0,
	 "instruction 41 (store): class 2 (store takes 0 act, 1 spill)"},
	{"load zero bytes", mk_load, 3, 0, 0, "instruction 41 (load): 0 bytes a row (1 to 2^30 - 1)"},
	{"store 2^30 bytes", mk_store, 3, 1u << 30, 0,
	 "instruction 41 (store): 1073741824 bytes a row (1 to 2^30 - 1)"},
	{"load w4 high", mk_load, 4, 1 | 1u << 16, 0,
	 "instruction 41 (load): non-zero reserved bits in w4 (0x00010001)"},
	{"load zero rows", mk_load, 4, 0, 0, "instruction 41 (load): zero rows"},
	{"store zero rows", mk_store, 4, 0, 0, "instruction 41 (store): zero rows"},
	{"one row, src stride", mk_load, 5, 64, 0,
	 "instruction 41 (load): non-zero reserved word w5 (0x00000040) with one row"},
	{"one row, dst stride", mk_store, 6, 64, 0,
	 "instruction 41 (store): non-zero reserved word w6 (0x00000040) with one row"},
	{"rows overlap", mk_load2d, 6, 47, 0,
	 "instruction 41 (load): destination rows overlap (stride 47, 48 bytes a row)"},
	{"rows overlap, zero stride", mk_load2d, 6, 0, 0,
	 "instruction 41 (load): destination rows overlap (stride 0, 48 bytes a row)"},
	{"load from sram", mk_load, 1, S(0x100), 0,
	 "instruction 41 (load): source must be a DRAM Ref (is S:0x100)"},
	{"load from wbuf", mk_load2d, 1, W(0x100), 0,
	 "instruction 41 (load): source must be a DRAM Ref (is W:0x100)"},
	{"load to dram", mk_load, 2, D(0x40), 0,
	 "instruction 41 (load): destination must be an SRAM or WBUF Ref (is D:0x40)"},
	{"load to space 3", mk_load, 2, BAD3(0x40), 0,
	 "instruction 41 (load): destination must be an SRAM or WBUF Ref (is ?:0x40)"},
	{"store from dram", mk_store, 1, D(0x40), 0,
	 "instruction 41 (store): source must be an SRAM Ref (is D:0x40)"},
	{"store from wbuf", mk_store, 1, W(0x40), 0,
	 "instruction 41 (store): source must be an SRAM Ref (is W:0x40)"},
	{"store to sram", mk_store, 2, S(0x100), 0,
	 "instruction 41 (store): destination must be a DRAM Ref (is S:0x100)"},
	{"store to wbuf", mk_store, 2, W(0x100), 0,
	 "instruction 41 (store): destination must be a DRAM Ref (is W:0x100)"},

	/* GAVG */
	{"gavg w6 high", mk_gavg, 6, 9 | 1u << 16, 0,
	 "instruction 41 (gavg): non-zero reserved bits in w6 (0x00010009)"},
	{"gavg in_c zero", mk_gavg, 5, 7u << 16, 0,
	 "instruction 41 (gavg): zero input dimension 0x7x9"},
	{"gavg in_h zero", mk_gavg, 5, 4, 0, "instruction 41 (gavg): zero input dimension 4x0x9"},
	{"gavg in_w zero", mk_gavg, 6, 0, 0, "instruction 41 (gavg): zero input dimension 4x7x0"},
	{"gavg from wbuf", mk_gavg, 1, W(0x10), 0,
	 "instruction 41 (gavg): source must be an SRAM Ref (is W:0x10)"},
	{"gavg to dram", mk_gavg, 2, D(0x30), 0,
	 "instruction 41 (gavg): destination must be an SRAM Ref (is D:0x30)"},

	/* REQUANT */
	{"requant w5 high", mk_requant, 5, 0x105, 0,
	 "instruction 41 (requant): non-zero reserved bits in w5 (0x00000105)"},
	{"requant zero", mk_requant, 3, 0, 0, "instruction 41 (requant): zero elements"},
	{"requant from dram", mk_requant, 1, D(0), 0,
	 "instruction 41 (requant): source must be an SRAM Ref (is D:0x0)"},
	{"requant to wbuf", mk_requant, 2, W(0x400), 0,
	 "instruction 41 (requant): destination must be an SRAM Ref (is W:0x400)"},
	{"requant w6 without perch", mk_requant, 6, 1, 0,
	 "instruction 41 (requant): non-zero reserved word w6 (0x00000001)"},
	{"requant w7 without perch", mk_requant, 7, 16, 0,
	 "instruction 41 (requant): non-zero reserved word w7 (0x00000010)"},
	{"perch qmul", mk_requant_perch, 4, 1, 0,
	 "instruction 41 (requant): non-zero qmul/qshift (w4, w5) with PERCH"},
	{"perch qshift", mk_requant_perch, 5, 3, 0,
	 "instruction 41 (requant): non-zero qmul/qshift (w4, w5) with PERCH"},
	{"perch table in sram", mk_requant_perch, 6, S(0x100), 0,
	 "instruction 41 (requant): table must be a WBUF Ref (is S:0x100)"},
	{"perch table in dram", mk_requant_perch, 6, D(0x100), 0,
	 "instruction 41 (requant): table must be a WBUF Ref (is D:0x100)"},
	{"perch table unaligned", mk_requant_perch, 6, W(0x104), 0,
	 "instruction 41 (requant): table at 0x104, not a multiple of 8"},
	{"perch w7 high", mk_requant_perch, 7, 16 | 1u << 16, 0,
	 "instruction 41 (requant): non-zero reserved bits in w7 (0x00010010)"},
	{"perch 0 channels", mk_requant_perch, 7, 0, 0,
	 "instruction 41 (requant): 0 channels do not divide 256 elements"},
	{"perch 3 channels", mk_requant_perch, 7, 3, 0,
	 "instruction 41 (requant): 3 channels do not divide 256 elements"},

	/* EW and its continuations */
	{"ew 0 inputs", mk_ew2, 0, NPU_EW, 0, "instruction 41 (ew): 0 inputs (1 to 32)"},
	{"ew 33 inputs", mk_ew2, 0, NPU_EW | 33u << 16, 0, "instruction 41 (ew): 33 inputs (1 to 32)"},
	{"ew zero", mk_ew2, 2, 0, 0, "instruction 41 (ew): zero elements"},
	{"ew w4 high", mk_ew2, 4, 0xffffffffu, 0,
	 "instruction 41 (ew): non-zero reserved bits in w4 (0xffffffff)"},
	{"ew unused pair", mk_ew2, 9, S(0x40), 0,
	 "instruction 41 (ew): non-zero reserved word w9 (0x00000040) after 2 inputs"},
	{"ew unused coef", mk_ew2, 10, 1, 0,
	 "instruction 41 (ew): non-zero reserved word w10 (0x00000001) after 2 inputs"},
	{"ew claims 6", mk_ew5, 0, NPU_EW | NPU_F_RELU << 8 | 6u << 16, 0,
	 "instruction 41 (ew): 6 inputs need 1 operands continuations; the stream ends first"},
	{"ew 13 cut", mk_ew13, 0, NPU_EW | NPU_F_RELU << 8 | 13u << 16, 32,
	 "instruction 41 (ew): 13 inputs need 2 operands continuations; the stream ends first"},
	{"continuation op", mk_ew12, 16, NPU_SYNC | 7u << 16, 0,
	 "instruction 41 (ew): continuation 1 is sync (0x04), not operands"},
	{"continuation view", mk_ew13, 32, NPU_VIEW, 0,
	 "instruction 41 (ew): continuation 2 is view (0x1e), not operands"},
	{"continuation flags", mk_ew12, 16, NPU_OPERANDS | 7u << 16 | 1u << 8, 0,
	 "instruction 41 (ew): continuation 1: flags 0x1 (operands takes none)"},
	{"continuation w0", mk_ew12, 16, NPU_OPERANDS | 7u << 16 | 1u << 24, 0,
	 "instruction 41 (ew): continuation 1: non-zero reserved bits in w0 (0x0107001f)"},
	{"continuation count", mk_ew12, 16, NPU_OPERANDS | 6u << 16, 0,
	 "instruction 41 (ew): continuation 1 holds 6 pairs, expected 7"},
	{"continuation count 2", mk_ew13, 32, NPU_OPERANDS | 7u << 16, 0,
	 "instruction 41 (ew): continuation 2 holds 7 pairs, expected 1"},
	{"continuation w15", mk_ew12, 31, 1, 0,
	 "instruction 41 (ew): continuation 1: non-zero reserved word w15 (0x00000001)"},
	{"continuation unused pair", mk_ew13, 35, 1, 0,
	 "instruction 41 (ew): continuation 2: non-zero reserved word w3 (0x00000001)"},
	{"ew dst in dram", mk_ew2, 1, D(0x700), 0,
	 "instruction 41 (ew): dst must be an SRAM Ref (is D:0x700)"},
	{"ew in0 in wbuf", mk_ew2, 5, W(0), 0,
	 "instruction 41 (ew): in0 must be an SRAM Ref (is W:0x0)"},
	{"ew in5 in dram", mk_ew12, 17, D(0x10), 0,
	 "instruction 41 (ew): in5 must be an SRAM Ref (is D:0x10)"},
	{"ew in12 in space 3", mk_ew13, 33, BAD3(0x20), 0,
	 "instruction 41 (ew): in12 must be an SRAM Ref (is ?:0x20)"},

	/* windows (CONV and POOL alike) */
	{"in_c zero", mk_conv, 5, 32u << 16, 0, "instruction 41 (conv): zero input dimension 0x32x32"},
	{"in_h zero", mk_conv, 5, 16, 0, "instruction 41 (conv): zero input dimension 16x0x32"},
	{"in_w zero", mk_conv, 6, 32u << 16, 0, "instruction 41 (conv): zero input dimension 16x32x0"},
	{"out_c zero", mk_conv, 6, 32, 0, "instruction 41 (conv): zero output dimension 0x16x16"},
	{"out_h zero", mk_conv, 7, 16u << 16, 0, "instruction 41 (conv): zero output dimension 32x0x16"},
	{"out_w zero", mk_pool, 7, 16, 0, "instruction 41 (pool): zero output dimension 16x16x0"},
	{"kh zero", mk_conv, 8, 0x02020300u, 0, "instruction 41 (conv): zero kernel 0x3"},
	{"kw zero", mk_pool, 8, 0x02020003u, 0, "instruction 41 (pool): zero kernel 3x0"},
	{"sw zero", mk_conv, 8, 0x00020303u, 0, "instruction 41 (conv): zero stride 2x0"},
	{"dh zero", mk_conv, 9, 0x00010100u, 0, "instruction 41 (conv): zero dilation 0x1"},
	{"dw zero", mk_pool, 9, 0x00000001u, 0, "instruction 41 (pool): zero dilation 1x0"},
	{"window too big", mk_conv, 8, 0x02022323u, 0,
	 "instruction 41 (conv): window 35x35 (dilation 1x1, padding 1,1,1,1) does not fit the "
	 "input 32x32"},
	{"crop too much", mk_conv, 10, 0x80808080u, 0,
	 "instruction 41 (conv): window 3x3 (dilation 1x1, padding -128,-128,-128,-128) does not "
	 "fit the input 32x32"},
	{"dilated too far", mk_pool, 9, 0x0101 | 0x10u, 0,
	 "instruction 41 (pool): window 3x3 (dilation 17x1, padding 1,1,1,1) does not fit the "
	 "input 32x32"},
	{"output shape", mk_conv, 7, 16 | 15u << 16, 0,
	 "instruction 41 (conv): output 16x15, the window gives 16x16"},
	{"output shape pool", mk_pool, 7, 17 | 16u << 16, 0,
	 "instruction 41 (pool): output 17x16, the window gives 16x16"},
	{"empty band", mk_conv, 11, 16 | 16u << 16, 0,
	 "instruction 41 (conv): band of rows 16..16 outside the output's 16 rows"},
	{"band past out_h", mk_conv, 11, 17u << 16, 0,
	 "instruction 41 (conv): band of rows 0..17 outside the output's 16 rows"},
	{"band reversed", mk_pool, 11, 5 | 3u << 16, 0,
	 "instruction 41 (pool): band of rows 5..3 outside the output's 16 rows"},

	/* CONV, first slot */
	{"groups zero", mk_conv, 9, 0x00000101u, 0, "instruction 41 (conv): zero groups"},
	{"groups 3", mk_conv, 9, 0x00030101u, 0,
	 "instruction 41 (conv): groups 3 do not divide in_c 16 and out_c 32"},
	{"groups 32", mk_conv, 9, 0x00200101u, 0,
	 "instruction 41 (conv): groups 32 do not divide in_c 16 and out_c 32"},
	{"conv src in dram", mk_conv, 1, D(0x1200), 0,
	 "instruction 41 (conv): src must be an SRAM Ref (is D:0x1200)"},
	{"conv dst in wbuf", mk_conv, 2, W(0x40), 0,
	 "instruction 41 (conv): dst must be an SRAM Ref (is W:0x40)"},
	{"weights in sram", mk_conv, 3, S(0), 0,
	 "instruction 41 (conv): weights must be a WBUF Ref (is S:0x0)"},
	{"weights in dram", mk_conv, 3, D(0x80), 0,
	 "instruction 41 (conv): weights must be a WBUF Ref (is D:0x80)"},
	{"psum in wbuf", mk_conv_psum, 4, W(0x3000), 0,
	 "instruction 41 (conv): psum must be an SRAM Ref (is W:0x3000)"},
	{"w4 without psum", mk_conv, 4, S(0x3000), 0,
	 "instruction 41 (conv): non-zero reserved word w4 (0x00003000) without PSUM"},
	{"relu with out32", mk_conv_psum, 0, NPU_CONV | (NPU_F_OUT32 | NPU_F_PSUM | NPU_F_RELU) << 8,
	 0, "instruction 41 (conv): flag RELU with OUT32 (int32 outputs are not clamped)"},
	{"w12 high", mk_conv, 12, 16 | 1u << 16, 0,
	 "instruction 41 (conv): non-zero reserved bits in w12 (0x00010010)"},
	{"cw zero", mk_conv, 12, 0, 0, "instruction 41 (conv): zero block width cw"},
	{"split 0", mk_conv_split, 14, 0, 0,
	 "instruction 41 (conv): split at input channel 0 of 16 (SPLIT takes 1 to in_c - 1)"},
	{"split in_c", mk_conv_split, 14, 16, 0,
	 "instruction 41 (conv): split at input channel 16 of 16 (SPLIT takes 1 to in_c - 1)"},
	{"src2 in dram", mk_conv_split, 13, D(0x5000), 0,
	 "instruction 41 (conv): src2 must be an SRAM Ref (is D:0x5000)"},
	{"src2 without split", mk_conv, 13, S(0x40), 0,
	 "instruction 41 (conv): non-zero reserved word w13 (0x00000040) without SPLIT"},
	{"split without flag", mk_conv, 14, 3, 0,
	 "instruction 41 (conv): non-zero reserved word w14 (0x00000003) without SPLIT"},
	{"osplit 0", mk_conv_osplit, 14, 0, 0,
	 "instruction 41 (conv): split at output channel 0 of 32 (OSPLIT takes 1 to out_c - 1)"},
	{"osplit out_c", mk_conv_osplit, 14, 32u << 16, 0,
	 "instruction 41 (conv): split at output channel 32 of 32 (OSPLIT takes 1 to out_c - 1)"},
	{"dst2 in wbuf", mk_conv_osplit, 15, W(0x6000), 0,
	 "instruction 41 (conv): dst2 must be an SRAM Ref (is W:0x6000)"},
	{"osplit without flag", mk_conv_split, 14, 5 | 1u << 16, 0,
	 "instruction 41 (conv): non-zero reserved word w14 (0x00010005) without OSPLIT"},
	{"dst2 without flag", mk_conv_split, 15, S(0x40), 0,
	 "instruction 41 (conv): non-zero reserved word w15 (0x00000040) without OSPLIT"},

	/* CONV, its VIEW */
	{"no view", mk_conv, 0, NPU_CONV | NPU_F_RELU << 8, 16,
	 "instruction 41 (conv): needs its view; the stream ends first"},
	{"sync for view", mk_conv, 16, NPU_SYNC, 0,
	 "instruction 41 (conv): the slot after it is sync (0x04), not its view"},
	{"zero for view", mk_conv, 16, 0, 0,
	 "instruction 41 (conv): the slot after it is ? (0x00), not its view"},
	{"view flags", mk_conv, 16, NPU_VIEW | 1u << 8, 0,
	 "instruction 41 (conv): view: non-zero flags or count in w0 (0x0000011e)"},
	{"view count", mk_conv, 16, NPU_VIEW | 1u << 16, 0,
	 "instruction 41 (conv): view: non-zero flags or count in w0 (0x0001001e)"},
	{"view w9", mk_conv, 25, 1, 0, "instruction 41 (conv): view: non-zero reserved word w9 (0x00000001)"},
	{"view w15", mk_conv, 31, 0x80000000u, 0,
	 "instruction 41 (conv): view: non-zero reserved word w15 (0x80000000)"},
	{"src2 row0 without split", mk_conv, 18, 5u << 16, 0,
	 "instruction 41 (conv): view: src2 row0 without SPLIT (w2 = 0x00050000)"},
	{"src2 cstride without split", mk_conv, 19, 100, 0,
	 "instruction 41 (conv): view: src2 cstride without SPLIT (w3 = 0x00000064)"},
	{"dst2 row0 without osplit", mk_conv_split, 21, 3u << 16, 0,
	 "instruction 41 (conv): view: dst2 row0 without OSPLIT (w5 = 0x00030000)"},
	{"dst2 cstride without osplit", mk_conv, 22, 256, 0,
	 "instruction 41 (conv): view: dst2 cstride without OSPLIT (w6 = 0x00000100)"},
	{"psum cstride without psum", mk_conv_osplit, 23, 1024, 0,
	 "instruction 41 (conv): view: psum cstride without PSUM (w7 = 0x00000400)"},
	{"psum row0 without psum", mk_conv, 24, 1, 0,
	 "instruction 41 (conv): view: psum row0 without PSUM (w8 = 0x00000001)"},
	{"view w8 high", mk_conv_psum, 24, 1u << 16, 0,
	 "instruction 41 (conv): view: non-zero reserved bits in w8 (0x00010000)"},
	{"src row0 past the band", mk_conv_band, 18, 8 | 6u << 16, 0,
	 "instruction 41 (conv): src view starts at row 8, the band reads row 7"},
	{"src2 row0 past the band", mk_conv_band, 18, 7 | 8u << 16, 0,
	 "instruction 41 (conv): src2 view starts at row 8, the band reads row 7"},
	{"dst row0 past the band", mk_conv_band, 21, 5 | 1u << 16, 0,
	 "instruction 41 (conv): dst view starts at row 5, the band reads row 4"},
	{"dst2 row0 past the band", mk_conv_band, 21, 4 | 5u << 16, 0,
	 "instruction 41 (conv): dst2 view starts at row 5, the band reads row 4"},
	{"psum row0 past the band", mk_conv_band, 24, 5, 0,
	 "instruction 41 (conv): psum view starts at row 5, the band reads row 4"},
	{"whole output, dst row0 1", mk_conv, 21, 1, 0,
	 "instruction 41 (conv): dst view starts at row 1, the band reads row 0"},

	/* POOL */
	{"pool groups", mk_pool, 9, 0x00020101u, 0,
	 "instruction 41 (pool): non-zero reserved bits in w9 (0x00020101)"},
	{"pool out_c", mk_pool, 6, 32 | 17u << 16, 0, "instruction 41 (pool): out_c 17 differs from in_c 16"},
	{"pool src in dram", mk_pool, 1, D(0x1200), 0,
	 "instruction 41 (pool): src must be an SRAM Ref (is D:0x1200)"},
	{"pool dst in wbuf", mk_pool, 2, W(0x40), 0,
	 "instruction 41 (pool): dst must be an SRAM Ref (is W:0x40)"},
	{"pool src row0 past the band", mk_pool_band, 12, 4 | 2u << 16, 0,
	 "instruction 41 (pool): src view starts at row 4, the band reads row 3"},
	{"pool dst row0 past the band", mk_pool_band, 12, 3 | 3u << 16, 0,
	 "instruction 41 (pool): dst view starts at row 3, the band reads row 2"},
};

static void test_decode_refusals(void **state)
{
	(void)state;
	for (size_t b = 0; b < sizeof bads / sizeof bads[0]; b++) {
		uint32_t w[NW];
		NpuInsn i = bads[b].make();
		size_t n = npu_encode(&i, w);
		NpuInsn d;
		Err e = {{0}};
		if (npu_decode(w, n, 0, &d, &e) != n) /* valid as made */
			fail_msg("%s: the base does not decode: %s", bads[b].what, e.msg);
		assert_true(bads[b].word < (int)n);
		w[bads[b].word] = bads[b].value;
		size_t given = bads[b].nwords ? bads[b].nwords : n;
		memset(&e, 0, sizeof e);
		size_t used = npu_decode(w, given, 41, &d, &e);
		if (used || strcmp(e.msg, bads[b].msg))
			fail_msg("%s: decoded %zu words\ngot  '%s'\nwant '%s'", bads[b].what, used,
				 e.msg, bads[b].msg);
	}
}

/* A stream decodes instruction after instruction: a VIEW or an OPERANDS is
 * only ever part of the instruction before it. */
static void test_decode_in_a_stream(void **state)
{
	(void)state;
	uint32_t w[NW];
	NpuInsn i = mk_conv(), d;
	Err e;
	npu_encode(&i, w);
	assert_int_equal(npu_decode(w, 15, 9, &d, &e), 0);
	assert_string_equal(e.msg, "instruction 9: truncated: 15 words left, an instruction has 16");
	assert_int_equal(npu_decode(w, 0, 9, &d, &e), 0);
	assert_string_equal(e.msg, "instruction 9: truncated: 0 words left, an instruction has 16");
	/* an EW of 5 followed by a stray OPERANDS: the EW decodes, then the
	 * OPERANDS is refused as the next instruction */
	i = ew(5);
	npu_encode(&i, w);
	i = ew(6);
	npu_encode(&i, w + 16);
	memmove(w + 16, w + 32, 16 * sizeof *w);
	assert_int_equal(npu_decode(w, 32, 0, &d, &e), 16);
	assert_int_equal(npu_decode(w + 16, 16, 1, &d, &e), 0);
	assert_string_equal(e.msg, "instruction 1: operands without an ew before it");
	/* a VIEW after a LOAD, the same */
	i = mk_load();
	npu_encode(&i, w);
	i = mk_conv();
	npu_encode(&i, w + 16);
	memmove(w + 16, w + 32, 16 * sizeof *w);
	assert_int_equal(npu_decode(w, 32, 4, &d, &e), 16);
	assert_int_equal(npu_decode(w + 16, 16, 5, &d, &e), 0);
	assert_string_equal(e.msg, "instruction 5: view without a conv before it");
	/* a CONV, an EW of 13 and an END back to back: 2 + 3 + 1 slots, three
	 * instructions */
	size_t n = 0;
	i = mk_conv();
	n += npu_encode(&i, w + n);
	i = ew(13);
	n += npu_encode(&i, w + n);
	i = mk_end();
	n += npu_encode(&i, w + n);
	assert_int_equal(n, 6 * 16);
	size_t at = 0;
	static const int ops[] = {NPU_CONV, NPU_EW, NPU_END};
	static const size_t sizes[] = {32, 48, 16};
	for (int k = 0; k < 3; k++) {
		size_t used = npu_decode(w + at, n - at, (size_t)k, &d, &e);
		assert_int_equal(used, sizes[k]);
		assert_int_equal(d.op, ops[k]);
		at += used;
	}
	assert_int_equal(at, n);
}

/* Garbage: refused or decoded, never more words than given, and what
 * decodes is the one encoding (each instruction has exactly one). */
static void test_decode_garbage(void **state)
{
	(void)state;
	uint32_t w[NW];
	NpuInsn d;
	Err e;
	uint64_t s = 7;
	int decoded[0x20] = {0};
	for (int t = 0; t < 60000; t++) {
		int base = t % 6;
		/* from a valid instruction with a few words changed, or from scratch */
		NpuInsn i = base == 0   ? mk_conv_band()
			    : base == 1 ? mk_pool_band()
			    : base == 2 ? ew(1 + (int)rng_below(&s, 32))
			    : base == 3 ? mk_load2d()
			    : base == 4 ? mk_requant_perch()
					: mk_gavg();
		memset(w, 0, sizeof w);
		size_t n = npu_encode(&i, w);
		if (t % 5 == 0) {
			for (int k = 0; k < NW; k++)
				w[k] = rng_below(&s, 2) ? (uint32_t)rng_next(&s) : 0;
			w[0] = (w[0] & 0xff00ff00u) | (uint32_t)rng_below(&s, 0x20) |
			       (uint32_t)rng_below(&s, 40) << 16;
			n = 1 + rng_below(&s, NW);
		} else {
			int edits = 1 + (int)rng_below(&s, 2);
			for (int k = 0; k < edits; k++) {
				int at = (int)rng_below(&s, n);
				uint32_t bit = 1u << rng_below(&s, 32);
				w[at] ^= rng_below(&s, 3) ? bit : (uint32_t)rng_next(&s);
			}
		}
		size_t used = npu_decode(w, n, 0, &d, &e);
		assert_true(used <= n);
		if (used) {
			uint32_t again[NW];
			assert_int_equal(npu_insn_words(&d), used);
			assert_int_equal(npu_encode(&d, again), used);
			assert_memory_equal(again, w, used * sizeof *w);
			decoded[d.op]++;
		} else {
			assert_true(strncmp(e.msg, "instruction 0", 13) == 0);
			assert_null(strchr(e.msg, '\n'));
		}
	}
	/* the changed instructions of each kind did sometimes decode */
	static const int kinds[] = {NPU_CONV, NPU_POOL, NPU_EW, NPU_LOAD, NPU_REQUANT, NPU_GAVG};
	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
		assert_true(decoded[kinds[k]] > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_transfers),
		cmocka_unit_test(test_round_trip_conv),
		cmocka_unit_test(test_round_trip_vector),
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_ew_continuation_layout),
		cmocka_unit_test(test_helpers),
		cmocka_unit_test(test_disasm),
		cmocka_unit_test(test_decode_refusals),
		cmocka_unit_test(test_decode_in_a_stream),
		cmocka_unit_test(test_decode_garbage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
