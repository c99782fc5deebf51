/* test_isa.c: the command stream's encoding: every opcode round trips,
 * every encoding rule of docs/isa.md is refused when broken. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isa.h"

#define S(a) ((uint32_t)(a))
#define D(a) (NPU_DRAM_BIT | (uint32_t)(a))

enum { NW = 8 * NPU_INSN_WORDS };

/* The instruction decoded from its own encoding equals it, and takes the
 * words npu_insn_words says. */
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
	/* a listing line, one line */
	char line[1024];
	FILE *f = fmemopen(line, sizeof line, "w");
	npu_disasm(&d, f);
	fclose(f);
	char *nl = strchr(line, '\n');
	assert_non_null(nl);
	assert_int_equal(nl[1], '\0');
	assert_int_equal(strncmp(line, npu_opname(i->op), strlen(npu_opname(i->op))), 0);
}

static NpuInsn zero(void)
{
	NpuInsn i;
	memset(&i, 0, sizeof i); /* padding too, so whole structs compare */
	return i;
}

static NpuInsn conv3x3(void)
{
	NpuInsn i = zero();
	i.op = NPU_CONV;
	i.flags = NPU_F_RELU;
	i.src = S(0x1200);
	i.dst = D(0x40);
	i.weight = D(0);
	i.aux = D(0x900);
	i.in_c = 16, i.in_h = 32, i.in_w = 32;
	i.out_c = 32, i.out_h = 16, i.out_w = 16;
	i.kh = i.kw = 3, i.sh = i.sw = 2, i.dh = i.dw = 1;
	i.pt = i.pl = i.pb = i.pr = 1;
	i.groups = 1;
	i.qmul = 1518500250;
	i.qshift = 7;
	return i;
}

static NpuInsn mk_conv_split(void)
{
	NpuInsn i = conv3x3();
	i.flags |= NPU_F_SPLIT, i.src2 = D(0x7000), i.split = 5;
	return i;
}

static NpuInsn mk_conv_osplit(void)
{
	NpuInsn i = conv3x3();
	i.flags |= NPU_F_OSPLIT, i.dst2 = S(0x6000), i.osplit = 9;
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
		i.in[k] = k % 3 ? S(0x100 * k) : D(0x80 * k + 4);
		i.coef[k] = k % 2 ? -k - 1 : (k == 4 ? INT32_MIN : k + 1);
	}
	return i;
}

static void test_round_trip_every_opcode(void **state)
{
	(void)state;
	NpuInsn i = zero();
	i.op = NPU_END;
	round_trip(&i, 16);
	i.op = NPU_SYNC;
	round_trip(&i, 16);

	i = zero();
	i.op = NPU_LOAD, i.src = D(0x7fffffff), i.dst = S(0x10), i.bytes = 4096;
	round_trip(&i, 16);
	i.op = NPU_STORE, i.src = S(0x10), i.dst = D(0x20), i.bytes = 1;
	round_trip(&i, 16);
	i.op = NPU_COPY, i.src = D(0x10), i.dst = S(0x20), i.bytes = 0xffffffffu;
	round_trip(&i, 16);
	i.op = NPU_RELU, i.src = S(0x10), i.dst = S(0x10), i.bytes = 77;
	round_trip(&i, 16);

	i = zero();
	i.op = NPU_ALLOC, i.dst = S(0x400), i.bytes = 300;
	round_trip(&i, 16);
	i.op = NPU_FREE;
	round_trip(&i, 16);

	i = conv3x3();
	round_trip(&i, 16);
	/* negative padding (crop), dilation, groups, negative qshift */
	i.flags = 0;
	i.in_c = 8, i.out_c = 4, i.groups = 4;
	i.kh = 3, i.kw = 1, i.sh = 1, i.sw = 3, i.dh = 2, i.dw = 1;
	i.pt = -1, i.pl = 2, i.pb = 0, i.pr = -2;
	i.out_h = (32 - 1 + 0 - 5) / 1 + 1, i.out_w = (32 + 2 - 2 - 1) / 3 + 1;
	i.qmul = -5, i.qshift = -31;
	round_trip(&i, 16);
	i.flags = NPU_F_OUT32, i.qmul = 0, i.qshift = 0;
	round_trip(&i, 16);
	i.flags = NPU_F_OUT32 | NPU_F_PSUM, i.aux = S(0x2000);
	round_trip(&i, 16);
	i.flags = NPU_F_PSUM | NPU_F_RELU, i.qmul = 1 << 30, i.qshift = 3;
	round_trip(&i, 16);
	/* a fully connected layer is a 1x1 convolution over C*H*W channels */
	i = zero();
	i.op = NPU_CONV, i.src = S(0), i.dst = S(0x100), i.weight = D(0), i.aux = D(0x5000);
	i.in_c = 18, i.in_h = i.in_w = 1, i.out_c = 1000, i.out_h = i.out_w = 1;
	i.kh = i.kw = i.sh = i.sw = i.dh = i.dw = 1, i.groups = 1, i.qmul = 1 << 30;
	round_trip(&i, 16);

	i = conv3x3();
	i.op = NPU_POOL, i.flags = NPU_F_AVG, i.weight = i.aux = 0, i.qmul = 0, i.qshift = 0;
	i.out_c = 16;
	round_trip(&i, 16);
	i.flags = 0, i.groups = 0;
	round_trip(&i, 16);

	i = zero();
	i.op = NPU_GAVG, i.src = S(0x10), i.dst = D(0x30), i.in_c = 1024, i.in_h = 7, i.in_w = 9;
	round_trip(&i, 16);

	i = zero();
	i.op = NPU_REQUANT, i.flags = NPU_F_RELU, i.src = S(0), i.dst = S(0x400), i.bytes = 256;
	i.qmul = 2147483647, i.qshift = -128;
	round_trip(&i, 16);
	i.flags = 0, i.qshift = 127;
	round_trip(&i, 16);
	/* per-channel: the table in aux, the channels in out_c */
	i.flags = NPU_F_PERCH | NPU_F_RELU, i.qmul = 0, i.qshift = 0;
	i.aux = D(0x1230), i.out_c = 64;
	round_trip(&i, 16);
	i = conv3x3();
	i.flags = NPU_F_PERCH, i.qmul = 0, i.qshift = 0;
	round_trip(&i, 16);
	/* an input in two parts: channels 0-4 in SRAM, 5-15 in DRAM, and the reverse */
	i = conv3x3();
	i.flags |= NPU_F_SPLIT, i.src2 = D(0x7000), i.split = 5;
	round_trip(&i, 16);
	i.src = D(0x10), i.src2 = S(0x4000), i.split = 15;
	round_trip(&i, 16);
	/* and the output in two parts too, int32 partial sums as well */
	i.flags |= NPU_F_OSPLIT, i.dst2 = D(0x9000), i.osplit = 31;
	round_trip(&i, 16);
	i.flags = NPU_F_OSPLIT | NPU_F_OUT32, i.qmul = 0, i.qshift = 0, i.osplit = 1;
	i.src2 = 0, i.split = 0;
	round_trip(&i, 16);

	static const int nins[] = {1, 2, 5, 6, 12, 13, 19, 20, 32};
	static const size_t words[] = {16, 16, 16, 32, 32, 48, 48, 64, 80};
	for (size_t k = 0; k < sizeof nins / sizeof nins[0]; k++) {
		i = ew(nins[k]);
		round_trip(&i, words[k]);
	}
}

static void test_ew_continuation_layout(void **state)
{
	(void)state;
	uint32_t w[NW];
	NpuInsn i = ew(32);
	assert_int_equal(npu_encode(&i, w), 80);
	assert_int_equal(w[0], NPU_EW | NPU_F_RELU << 8 | 32u << 16);
	assert_int_equal(w[5], i.in[0]);
	assert_int_equal(w[14], (uint32_t)i.coef[4]);
	assert_int_equal(w[15], 0);
	for (int c = 1; c <= 4; c++) {
		uint32_t *o = w + 16 * c;
		uint32_t m = c < 4 ? 7 : 6;
		assert_int_equal(o[0], NPU_OPERANDS | m << 16);
		assert_int_equal(o[1], i.in[5 + 7 * (c - 1)]);
		assert_int_equal(o[2], (uint32_t)i.coef[5 + 7 * (c - 1)]);
	}
	assert_int_equal(w[16 * 4 + 13], 0); /* the last holds 6 pairs: w13, w14 free */
	i = ew(6);
	npu_encode(&i, w);
	assert_int_equal(w[16], NPU_OPERANDS | 1u << 16);
	assert_int_equal(w[17], i.in[5]);
	for (int k = 19; k < 32; k++)
		assert_int_equal(w[k], 0);
}

static void test_disasm(void **state)
{
	(void)state;
	char buf[4096];
	FILE *f = fmemopen(buf, sizeof buf, "w");
	NpuInsn i = conv3x3();
	npu_disasm(&i, f);
	i = zero();
	i.op = NPU_LOAD, i.src = D(0x100), i.dst = S(0x40), i.bytes = 64;
	npu_disasm(&i, f);
	i = ew(2);
	npu_disasm(&i, f);
	i = conv3x3();
	i.op = NPU_POOL, i.flags = NPU_F_AVG, i.weight = i.aux = 0, i.qmul = 0, i.qshift = 0;
	i.out_c = 16;
	npu_disasm(&i, f);
	fclose(f);
	assert_string_equal(buf,
			    "conv  src=S:0x1200 dst=D:0x40 w=D:0x0 bias=D:0x900 in=16x32x32 "
			    "out=32x16x16 k=3x3 s=2x2 d=1x1 p=1,1,1,1 g=1 q=1518500250>>7 relu\n"
			    "load  src=D:0x100 dst=S:0x40 bytes=64\n"
			    "ew    dst=S:0x700 elems=96 q=1073741824>>-1 n=2 in=D:0x4*1,S:0x100*-2 "
			    "relu\n"
			    "pool  src=S:0x1200 dst=D:0x40 in=16x32x32 out=16x16x16 k=3x3 s=2x2 d=1x1 "
			    "p=1,1,1,1 avg\n");
	assert_string_equal(npu_opname(NPU_OPERANDS), "operands");
	assert_string_equal(npu_opname(0x42), "?");
}

/* ---- refusals ---- */

typedef struct Bad {
	const char *what;
	NpuInsn (*make)(void);
	int word;       /* -1: none */
	uint32_t value; /* what that word becomes */
	const char *msg;
} Bad;

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
	i.op = NPU_LOAD, i.src = D(0x100), i.dst = S(0x40), i.bytes = 64;
	return i;
}

static NpuInsn mk_store(void)
{
	NpuInsn i = zero();
	i.op = NPU_STORE, i.src = S(0x40), i.dst = D(0x100), i.bytes = 64;
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
	NpuInsn i = mk_load();
	i.op = NPU_COPY;
	return i;
}

static NpuInsn mk_relu(void)
{
	NpuInsn i = mk_load();
	i.op = NPU_RELU;
	return i;
}

static NpuInsn mk_out32(void)
{
	NpuInsn i = conv3x3();
	i.flags = NPU_F_OUT32, i.qmul = 0, i.qshift = 0;
	return i;
}

static NpuInsn mk_psum(void)
{
	NpuInsn i = conv3x3();
	i.flags = NPU_F_PSUM;
	return i;
}

static NpuInsn mk_pool(void)
{
	NpuInsn i = conv3x3();
	i.op = NPU_POOL, i.flags = NPU_F_AVG, i.weight = i.aux = 0, i.qmul = 0, i.qshift = 0;
	i.out_c = 16;
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
	i.op = NPU_REQUANT, i.src = S(0), i.dst = S(0x400), i.bytes = 256, i.qmul = 1 << 30;
	return i;
}

static NpuInsn mk_conv_perch(void)
{
	NpuInsn i = conv3x3();
	i.flags = NPU_F_PERCH | NPU_F_RELU, i.qmul = 0, i.qshift = 0;
	return i;
}

static NpuInsn mk_requant_perch(void)
{
	NpuInsn i = mk_requant();
	i.flags = NPU_F_PERCH, i.qmul = 0, i.aux = D(0x800), i.out_c = 16;
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

static const Bad bads[] = {
	{"opcode 0", mk_end, 0, 0x00, "unknown opcode 0x00"},
	{"opcode 7", mk_end, 0, 0x07, "unknown opcode 0x07"},
	{"opcode 0x17", mk_end, 0, 0x17, "unknown opcode 0x17"},
	{"opcode 0xff", mk_end, 0, 0xff, "unknown opcode 0xff"},
	{"operands alone", mk_end, 0, NPU_OPERANDS | 1u << 16, "operands without an ew"},
	{"w0 top byte", mk_sync, 0, NPU_SYNC | 1u << 24, "reserved bits in w0"},
	{"count on load", mk_load, 0, NPU_LOAD | 2u << 16, "count field"},
	{"flag on end", mk_end, 0, NPU_END | NPU_F_RELU << 8, "flag RELU"},
	{"flag on load", mk_load, 0, NPU_LOAD | NPU_F_AVG << 8, "flag AVG"},
	{"flag 0x10", mk_copy, 0, NPU_COPY | 0x10u << 8, "(0x10) not taken"},
	{"relu flag on relu", mk_relu, 0, NPU_RELU | NPU_F_RELU << 8, "flag RELU"},
	{"avg on conv", conv3x3, 0, NPU_CONV | NPU_F_AVG << 8, "flag AVG"},
	{"relu on pool", mk_pool, 0, NPU_POOL | NPU_F_RELU << 8, "flag RELU"},
	{"out32 on ew", mk_ew2, 0, NPU_EW | NPU_F_OUT32 << 8 | 2u << 16, "flag OUT32"},
	{"psum on requant", mk_requant, 0, NPU_REQUANT | NPU_F_PSUM << 8, "flag PSUM"},
	{"relu with out32", mk_out32, 0, NPU_CONV | (NPU_F_OUT32 | NPU_F_RELU) << 8, "RELU with OUT32"},
	{"sync w1", mk_sync, 1, 1, "reserved word w1"},
	{"end w15", mk_end, 15, 1, "reserved word w15"},
	{"load w4", mk_load, 4, 1, "reserved word w4"},
	{"alloc w3", mk_alloc, 3, 1, "reserved word w3"},
	{"conv w13", conv3x3, 13, 1, "reserved word w13"},
	{"pool weights", mk_pool, 3, D(0), "reserved word w3"},
	{"pool bias", mk_pool, 4, D(0), "reserved word w4"},
	{"pool qmul", mk_pool, 11, 1, "reserved word w11"},
	{"pool qshift", mk_pool, 12, 1, "reserved word w12"},
	{"gavg w7", mk_gavg, 7, 1, "reserved word w7"},
	{"gavg w3", mk_gavg, 3, D(0), "reserved word w3"},
	{"requant w6", mk_requant, 6, 1, "reserved word w6"},
	{"ew w15", mk_ew5, 15, 1, "reserved word w15"},
	{"ew unused pair", mk_ew2, 9, S(0x40), "reserved word w9"},
	{"conv w12 high", conv3x3, 12, 0xffffff07u, "reserved bits in w12"},
	{"out32 qmul", mk_out32, 11, 1, "qmul/qshift"},
	{"out32 qshift", mk_out32, 12, 1, "qmul/qshift"},
	{"gavg w6 high", mk_gavg, 6, 9 | 1u << 16, "reserved bits in w6"},
	{"ew w4 high", mk_ew2, 4, 0xffffffffu, "reserved bits in w4"},
	{"requant w5 high", mk_requant, 5, 0x100, "reserved bits in w5"},
	{"load zero", mk_load, 3, 0, "zero bytes"},
	{"copy zero", mk_copy, 3, 0, "zero bytes"},
	{"relu zero", mk_relu, 3, 0, "zero elements"},
	{"alloc zero", mk_alloc, 2, 0, "zero bytes"},
	{"free zero", mk_free, 2, 0, "zero bytes"},
	{"ew zero", mk_ew2, 2, 0, "zero elements"},
	{"requant zero", mk_requant, 3, 0, "zero elements"},
	{"load from sram", mk_load, 1, S(0x100), "source must be a DRAM Ref"},
	{"load to dram", mk_load, 2, D(0x40), "destination must be an SRAM Ref"},
	{"store from dram", mk_store, 1, D(0x40), "source must be an SRAM Ref"},
	{"store to sram", mk_store, 2, S(0x100), "destination must be a DRAM Ref"},
	{"alloc dram", mk_alloc, 1, D(0x40), "buffer must be an SRAM Ref"},
	{"free dram", mk_free, 1, D(0x40), "buffer must be an SRAM Ref"},
	{"weights in sram", conv3x3, 3, S(0), "weights must be a DRAM Ref"},
	{"bias in sram", conv3x3, 4, S(0x900), "bias must be a DRAM Ref"},
	{"psum weights in sram", mk_psum, 3, S(0), "weights must be a DRAM Ref"},
	{"psum shape", mk_psum, 7, 16 | 8u << 16, "output 16x8, the window gives 16x16"},
	{"in_c zero", conv3x3, 5, 32u << 16, "zero input dimension"},
	{"in_h zero", conv3x3, 5, 16, "zero input dimension"},
	{"in_w zero", conv3x3, 6, 32u << 16, "zero input dimension"},
	{"out_c zero", conv3x3, 6, 32, "zero output dimension"},
	{"out_h zero", conv3x3, 7, 16u << 16, "zero output dimension"},
	{"out_w zero", mk_pool, 7, 16, "zero output dimension"},
	{"kh zero", conv3x3, 8, 0x02020300u, "zero kernel"},
	{"sw zero", conv3x3, 8, 0x00020303u, "zero stride"},
	{"dh zero", conv3x3, 9, 0x00010100u, "zero dilation"},
	{"dw zero", mk_pool, 9, 0x00010001u, "zero dilation"},
	{"groups zero", conv3x3, 9, 0x00000101u, "zero groups"},
	{"groups 3", conv3x3, 9, 0x00030101u, "groups 3 do not divide"},
	{"groups 32", conv3x3, 9, 0x00200101u, "groups 32 do not divide"},
	{"pool groups 2", mk_pool, 9, 0x00020101u, "groups 2"},
	{"pool out_c", mk_pool, 6, 32 | 17u << 16, "out_c 17 differs from in_c 16"},
	{"window too big", conv3x3, 8, 0x02022323u, "does not fit"},
	{"crop too much", conv3x3, 10, 0x80808080u, "does not fit"},
	{"output shape", conv3x3, 7, 16 | 15u << 16, "output 16x15, the window gives 16x16"},
	{"output shape pool", mk_pool, 7, 17 | 16u << 16, "the window gives 16x16"},
	{"gavg zero", mk_gavg, 5, 4, "zero input dimension"},
	{"ew 0 inputs", mk_ew2, 0, NPU_EW, "0 inputs (1 to 32)"},
	{"ew 33 inputs", mk_ew2, 0, NPU_EW | 33u << 16, "33 inputs (1 to 32)"},
	{"ew 6 claims", mk_ew5, 0, NPU_EW | 6u << 16, "continuations; the stream ends first"},
	{"continuation op", mk_ew12, 16, NPU_SYNC | 7u << 16, "continuation 1 is sync"},
	{"continuation count", mk_ew12, 16, NPU_OPERANDS | 6u << 16, "holds 6 pairs, expected 7"},
	{"continuation count 2", mk_ew13, 32, NPU_OPERANDS | 7u << 16, "continuation 2 holds 7 pairs, expected 1"},
	{"continuation flags", mk_ew12, 16, NPU_OPERANDS | 7u << 16 | 1u << 8, "operands takes none"},
	{"continuation w0", mk_ew12, 16, NPU_OPERANDS | 7u << 16 | 1u << 24, "reserved bits in w0"},
	{"continuation w15", mk_ew12, 31, 1, "continuation 1: non-zero reserved word w15"},
	{"continuation unused pair", mk_ew13, 35, 1, "continuation 2: non-zero reserved word w3"},
	{"perch on ew", mk_ew2, 0, NPU_EW | NPU_F_PERCH << 8 | 2u << 16, "flag PERCH"},
	{"perch on pool", mk_pool, 0, NPU_POOL | (NPU_F_AVG | NPU_F_PERCH) << 8, "flag PERCH"},
	{"perch with out32", mk_out32, 0, NPU_CONV | (NPU_F_OUT32 | NPU_F_PERCH) << 8, "PERCH with OUT32"},
	{"perch with psum", mk_psum, 0, NPU_CONV | (NPU_F_PSUM | NPU_F_PERCH) << 8, "PERCH with PSUM"},
	{"perch conv qmul", mk_conv_perch, 11, 1, "qmul/qshift (w11, w12) with PERCH"},
	{"perch conv qshift", mk_conv_perch, 12, 3, "qmul/qshift (w11, w12) with PERCH"},
	{"perch conv table in sram", mk_conv_perch, 4, S(0x900), "table must be a DRAM Ref"},
	{"perch requant qmul", mk_requant_perch, 4, 1, "qmul/qshift (w4, w5) with PERCH"},
	{"perch requant qshift", mk_requant_perch, 5, 1, "qmul/qshift (w4, w5) with PERCH"},
	{"perch requant table in sram", mk_requant_perch, 6, S(0x800), "table must be a DRAM Ref"},
	{"perch requant 0 channels", mk_requant_perch, 7, 0, "0 channels do not divide 256"},
	{"perch requant 3 channels", mk_requant_perch, 7, 3, "3 channels do not divide 256"},
	{"perch requant w7 high", mk_requant_perch, 7, 16 | 1u << 16, "reserved bits in w7"},
	{"requant w7", mk_requant, 7, 16, "reserved word w7"},
	{"src2 without split", conv3x3, 13, S(0x40), "w13 (0x00000040) without SPLIT"},
	{"split without flag", conv3x3, 14, 3, "w14 (0x00000003) without SPLIT"},
	{"split on pool", mk_pool, 0, NPU_POOL | (NPU_F_AVG | NPU_F_SPLIT) << 8, "flag SPLIT"},
	{"split 0", mk_conv_split, 14, 0, "split at input channel 0 of 16"},
	{"split in_c", mk_conv_split, 14, 16, "split at input channel 16 of 16"},
	{"osplit without flag", mk_conv_split, 14, 3 | 1u << 16, "w14 (0x00010003) without OSPLIT"},
	{"dst2 without flag", mk_conv_split, 15, D(0x40), "w15 (0x80000040) without OSPLIT"},
	{"osplit 0", mk_conv_osplit, 14, 0, "split at output channel 0 of 32"},
	{"osplit out_c", mk_conv_osplit, 14, 32u << 16, "split at output channel 32 of 32"},
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
		assert_int_equal(npu_decode(w, n, 0, &d, &e), n); /* valid as made */
		w[bads[b].word] = bads[b].value;
		size_t used = npu_decode(w, n, 41, &d, &e);
		if (used || !strstr(e.msg, bads[b].msg) || strncmp(e.msg, "instruction 41", 14))
			fail_msg("%s: decoded %zu words, message '%s', wanted '%s'", bads[b].what, used,
				 e.msg, bads[b].msg);
	}
}

static void test_decode_truncated_and_named(void **state)
{
	(void)state;
	uint32_t w[NW];
	NpuInsn i = conv3x3(), d;
	Err e;
	npu_encode(&i, w);
	assert_int_equal(npu_decode(w, 15, 9, &d, &e), 0);
	assert_string_equal(e.msg, "instruction 9: truncated: 15 words left, an instruction has 16");
	assert_int_equal(npu_decode(w, 0, 9, &d, &e), 0);
	/* the message names the opcode once it is known */
	w[9] = 0x00030101u;
	assert_int_equal(npu_decode(w, 16, 17, &d, &e), 0);
	assert_string_equal(e.msg, "instruction 17 (conv): groups 3 do not divide in_c 16 and "
				   "out_c 32");
	/* an EW of 12 inputs cut after its first word */
	i = ew(12);
	npu_encode(&i, w);
	assert_int_equal(npu_decode(w, 16, 2, &d, &e), 0);
	assert_non_null(strstr(e.msg, "instruction 2 (ew): 12 inputs need 1 operands"));
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
	/* every byte of garbage: refused or decoded, never more words than given */
	uint64_t s = 7;
	for (int t = 0; t < 20000; t++) {
		for (int k = 0; k < NW; k++) {
			s = s * 6364136223846793005ull + 1442695040888963407ull;
			w[k] = s >> 63 ? (uint32_t)(s >> 20) : 0; /* sparse, so some decode */
		}
		w[0] = (w[0] & 0xff00ffffu) | (uint32_t)(t % 40) << 16;
		w[0] = (w[0] & ~0xffu) | (uint32_t)(t % 0x20);
		size_t n = (size_t)(t % NW) + 1;
		size_t used = npu_decode(w, n, 0, &d, &e);
		assert_true(used <= n);
		if (used) {
			uint32_t again[NW];
			assert_int_equal(npu_encode(&d, again), used);
			assert_memory_equal(again, w, used * sizeof *w);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_every_opcode),
		cmocka_unit_test(test_ew_continuation_layout),
		cmocka_unit_test(test_disasm),
		cmocka_unit_test(test_decode_refusals),
		cmocka_unit_test(test_decode_truncated_and_named),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
