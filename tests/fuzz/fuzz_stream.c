/* fuzz_stream.c: libFuzzer target for the command stream: decode, list and
 * run a stream on a small machine (2 KiB SRAM, 4 KiB DRAM).  Refusing is
 * fine; a crash, a leak, undefined behaviour, a message on more than one
 * line or without its instruction, or counters that contradict each other
 * are not.
 *
 * The first byte picks how the rest is read: as raw words, or (so that
 * mutations reach past the decoder into fsim's rules) as a program of
 * mostly well-formed instructions with small shapes and addresses, one
 * instruction per few bytes, encoded by npu_encode. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsim.h"
#include "isa.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

enum {
	NDRAM = 4096,
	MAXWORDS = 128 * NPU_INSN_WORDS,
	MAXWORK = 1 << 22, /* MACs and element visits per input, to keep it fast */
};

static const CostModel model = {
	.sram_bytes = 2048,
	.dma_read_bpc = 4,
	.dma_write_bpc = 2,
	.dram_latency = 7,
	.mac_rows = 4,
	.mac_cols = 8,
	.vector_width = 8,
};

typedef struct Rd {
	const unsigned char *p;
	size_t n;
} Rd;

static unsigned byte(Rd *r)
{
	if (!r->n)
		return 0;
	r->n--;
	return *r->p++;
}

/* A Ref: space from the top bit, addresses in 32-byte steps over 4 KiB (so
 * some fall past the 2 KiB SRAM). */
static uint32_t ref(Rd *r)
{
	unsigned b = byte(r);
	return (b & 0x80 ? NPU_DRAM_BIT : 0) | (b & 0x7f) * 32u;
}

static uint32_t sram(Rd *r)
{
	return ref(r) & ~NPU_DRAM_BIT;
}

static uint32_t dram(Rd *r)
{
	return ref(r) | NPU_DRAM_BIT;
}

static int64_t extent(int n, int k, int s, int d, int p0, int p1)
{
	int64_t span = (int64_t)d * (k - 1) + 1, in = (int64_t)n + p0 + p1;
	return in < span ? 1 : (in - span) / s + 1; /* 1: refused, as it should be */
}

static void window(Rd *r, NpuInsn *i, bool conv)
{
	unsigned a = byte(r), b = byte(r), c = byte(r);
	i->in_c = (uint16_t)(1 + (a & 7));
	i->in_h = (uint16_t)(1 + (a >> 3 & 7));
	i->in_w = (uint16_t)(1 + (b & 7));
	i->kh = (uint8_t)(1 + (b >> 3 & 3));
	i->kw = (uint8_t)(1 + (b >> 5 & 3));
	i->sh = (uint8_t)(1 + (c & 1));
	i->sw = (uint8_t)(1 + (c >> 1 & 1));
	i->dh = (uint8_t)(1 + (c >> 2 & 1));
	i->dw = (uint8_t)(1 + (c >> 3 & 1));
	unsigned p = byte(r);
	i->pt = (int8_t)((p & 3) - 1);
	i->pl = (int8_t)((p >> 2 & 3) - 1);
	i->pb = (int8_t)((p >> 4 & 3) - 1);
	i->pr = (int8_t)((p >> 6 & 3) - 1);
	i->out_h = (uint16_t)extent(i->in_h, i->kh, i->sh, i->dh, i->pt, i->pb);
	i->out_w = (uint16_t)extent(i->in_w, i->kw, i->sw, i->dw, i->pl, i->pr);
	unsigned g = byte(r);
	i->groups = conv ? (g & 1 ? i->in_c : 1) : (uint16_t)(g & 1);
	i->out_c = conv ? (uint16_t)(i->groups * (1 + (g >> 1 & 3))) : i->in_c;
}

/* One instruction from a few bytes. */
static NpuInsn make(Rd *r)
{
	static const uint8_t ops[] = {NPU_END,  NPU_LOAD, NPU_STORE, NPU_SYNC,    NPU_ALLOC,
				      NPU_FREE, NPU_CONV, NPU_POOL,  NPU_GAVG,    NPU_EW,
				      NPU_REQUANT, NPU_COPY, NPU_RELU, NPU_ALLOC, NPU_SYNC,
				      NPU_LOAD};
	NpuInsn i;
	memset(&i, 0, sizeof i);
	unsigned h = byte(r);
	i.op = ops[h % sizeof ops];
	bool rare = (h >> 4) == 0xf; /* now and then, any flags */
	unsigned f = byte(r);
	switch (i.op) {
	case NPU_LOAD:
		i.src = dram(r), i.dst = sram(r), i.bytes = 1 + byte(r) * 4;
		break;
	case NPU_STORE:
		i.src = sram(r), i.dst = dram(r), i.bytes = 1 + byte(r) * 4;
		break;
	case NPU_ALLOC:
	case NPU_FREE:
		i.dst = sram(r), i.bytes = 1 + byte(r) * 8;
		break;
	case NPU_CONV:
		i.src = ref(r), i.dst = ref(r), i.weight = dram(r);
		i.flags = (uint8_t)(f & (NPU_F_RELU | NPU_F_OUT32 | NPU_F_PSUM));
		if ((i.flags & NPU_F_OUT32) && !rare)
			i.flags &= (uint8_t)~NPU_F_RELU;
		i.aux = i.flags & NPU_F_PSUM ? ref(r) : dram(r);
		window(r, &i, true);
		if (!(i.flags & NPU_F_OUT32)) {
			i.qmul = (int32_t)(0x40000000u + byte(r) * 0x3f0000u);
			i.qshift = (int8_t)((int)byte(r) % 20 - 4);
		}
		break;
	case NPU_POOL:
		i.src = ref(r), i.dst = ref(r), i.flags = (uint8_t)(f & NPU_F_AVG);
		window(r, &i, false);
		break;
	case NPU_GAVG:
		i.src = ref(r), i.dst = ref(r);
		window(r, &i, false);
		i.out_c = i.out_h = i.out_w = 0;
		i.kh = i.kw = i.sh = i.sw = i.dh = i.dw = 0;
		i.pt = i.pl = i.pb = i.pr = 0;
		i.groups = 0;
		break;
	case NPU_EW: {
		i.dst = ref(r), i.bytes = 1 + byte(r), i.flags = (uint8_t)(f & NPU_F_RELU);
		i.nin = (uint8_t)(1 + byte(r) % NPU_MAX_EW_INPUTS);
		for (int k = 0; k < i.nin; k++) {
			i.in[k] = ref(r);
			i.coef[k] = (int32_t)(int8_t)byte(r);
		}
		i.qmul = 0x40000000, i.qshift = (int8_t)(byte(r) % 8);
		break;
	}
	case NPU_REQUANT:
		i.src = ref(r), i.dst = ref(r), i.bytes = 1 + byte(r);
		i.flags = (uint8_t)(f & NPU_F_RELU), i.qmul = 0x50000000, i.qshift = 9;
		break;
	case NPU_COPY:
	case NPU_RELU:
		i.src = ref(r), i.dst = ref(r), i.bytes = 1 + byte(r) * 2;
		break;
	default:
		break;
	}
	if (rare)
		i.flags = (uint8_t)f;
	return i;
}

/* An upper bound on the arithmetic fsim would do, from a pre-decode. */
static int64_t work(const uint32_t *w, size_t n)
{
	int64_t sum = 0;
	size_t pos = 0, index = 0;
	NpuInsn i;
	while (pos < n) {
		size_t used = npu_decode(w + pos, n - pos, index++, &i, NULL);
		if (!used)
			break;
		int64_t out = (int64_t)i.out_c * i.out_h * i.out_w;
		int64_t in = (int64_t)i.in_c * i.in_h * i.in_w;
		if (i.op == NPU_CONV)
			sum += out * (i.in_c / i.groups) * i.kh * i.kw;
		else if (i.op == NPU_POOL)
			sum += out * i.kh * i.kw;
		else if (i.op == NPU_GAVG)
			sum += in;
		else
			sum += (int64_t)i.bytes * (i.nin ? i.nin : 1);
		pos += used;
	}
	return sum;
}

static bool one_line_about_an_instruction(const char *msg)
{
	return !strncmp(msg, "instruction ", 12) && !strchr(msg, '\n');
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static uint32_t words[MAXWORDS];
	static uint8_t image[NDRAM];
	static FILE *sink;
	if (!sink)
		sink = fopen("/dev/null", "w");
	if (size < 1)
		return 0;
	Rd r = {data + 1, size - 1};
	size_t n = 0;
	if (data[0] & 1) {
		n = (size - 1) / 4;
		if (n > MAXWORDS)
			n = MAXWORDS;
		for (size_t k = 0; k < n; k++)
			words[k] = (uint32_t)data[1 + 4 * k] | (uint32_t)data[2 + 4 * k] << 8 |
				   (uint32_t)data[3 + 4 * k] << 16 | (uint32_t)data[4 + 4 * k] << 24;
	} else {
		while (r.n && n + 5 * NPU_INSN_WORDS <= MAXWORDS) {
			NpuInsn i = make(&r);
			n += npu_encode(&i, words + n);
		}
		if (data[0] & 2) /* usually end it properly */
			n += npu_encode(&(NpuInsn){.op = NPU_END}, words + n);
	}
	if (work(words, n) > MAXWORK)
		return 0;

	/* Decoding: what decodes re-encodes to the same words, and lists. */
	Err e;
	size_t pos = 0, index = 0;
	while (pos < n) {
		NpuInsn i;
		uint32_t again[5 * NPU_INSN_WORDS];
		size_t used = npu_decode(words + pos, n - pos, index, &i, &e);
		if (!used) {
			if (!one_line_about_an_instruction(e.msg))
				abort();
			break;
		}
		if (used > n - pos || npu_encode(&i, again) != used ||
		    memcmp(again, words + pos, used * sizeof *again))
			abort();
		if (sink)
			npu_disasm(&i, sink);
		pos += used;
		index++;
	}

	for (size_t k = 0; k < NDRAM; k++)
		image[k] = (uint8_t)(k * 37 + (k >> 7));
	FsimStats st;
	if (fsim_run(&model, words, n, image, NDRAM, &st, &e)) {
		if (!one_line_about_an_instruction(e.msg))
			abort();
	}
	if (st.sram_in_use < 0 || st.sram_in_use > st.sram_peak || st.sram_peak > model.sram_bytes ||
	    st.cycles < st.compute_busy || st.cycles < st.dma_busy || st.insns < 0)
		abort();
	return 0;
}
