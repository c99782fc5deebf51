/* fuzz_stream.c: libFuzzer target for the command stream: decode, list and
 * run a stream on a small machine (2 KiB SRAM, 1 KiB weight buffer, 4 KiB
 * DRAM).  Refusing is
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
	.banks = 8,
	.bank_bytes = 1,
	.window = 8,
	.wbuf_bytes = 1024,
	.rd_bpc = 4,
	.wr_bpc = 4,
	.dram_latency = 7,
	.mac_rows = 4,
	.mac_cols = 8,
	.vector_width = 8,
	.max_burst = NPU_MAXB,
	.outstanding = NPU_NOUT,
	.fetch_slots = NPU_IQ,
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

/* A Ref in space, its address in 32-byte steps: in the SRAM's 2 KiB or the
 * weight buffer's 1 KiB three times in four, else past them; now and then
 * a Ref of another space. */
static uint32_t in_space(Rd *r, int space)
{
	unsigned b = byte(r);
	if ((b & 0x7f) == 0x7f) /* rarely: any space */
		space = (int)(b >> 5 & 3);
	unsigned steps = space == NPU_WBUF ? 32 : 64;
	unsigned a = (b & 0x3f) % steps * 32u + ((b & 0xc0) == 0xc0 ? steps * 32u : 0);
	return NPU_REF(space, a);
}

static uint32_t sram(Rd *r)
{
	return in_space(r, NPU_SRAM);
}

static int64_t extent(int n, int k, int s, int d, int p0, int p1)
{
	int64_t span = (int64_t)d * (k - 1) + 1, in = (int64_t)n + p0 + p1;
	return in < span ? 1 : (in - span) / s + 1; /* 1: refused, as it should be */
}

/* The window and shapes of a CONV or POOL, a band of its output rows, and
 * views of its input and output starting at the band's rows, their
 * channels dense or a few bytes further apart. */
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
	i->pt = (int8_t)((p + 1 & 3) - 1); /* 0, 1, 2 and now and then -1 */
	i->pl = (int8_t)(((p + 4) >> 2 & 3) - 1);
	i->pb = (int8_t)(((p + 16) >> 4 & 3) - 1);
	i->pr = (int8_t)(((p + 64) >> 6 & 3) - 1);
	i->out_h = (uint16_t)extent(i->in_h, i->kh, i->sh, i->dh, i->pt, i->pb);
	i->out_w = (uint16_t)extent(i->in_w, i->kw, i->sw, i->dw, i->pl, i->pr);
	unsigned g = byte(r);
	if (conv) {
		i->groups = g & 1 ? i->in_c : 1;
		i->out_c = (uint16_t)(i->groups * (1 + (g >> 1 & 3)));
		i->cw = (uint16_t)(1 << (g >> 3 & 3));
	} else {
		i->out_c = i->in_c;
	}
	unsigned band = byte(r);
	i->oy0 = (uint16_t)(band & 7) % i->out_h;
	i->oy1 = (uint16_t)(i->oy0 + 1 + (band >> 3 & 7) % (i->out_h - i->oy0));
	int lo, hi;
	npu_band_rows(i, &lo, &hi);
	unsigned gap = byte(r);
	i->x.row0 = (uint16_t)lo;
	i->x.cs = (uint32_t)((hi - lo) * i->in_w) + (gap & 3) * 4;
	i->y.row0 = i->oy0;
	i->y.cs = (uint32_t)((i->oy1 - i->oy0) * i->out_w) * (i->flags & NPU_F_OUT32 ? 4 : 1) +
		  (gap >> 2 & 3) * 4;
	i->x.base = i->src = sram(r);
	i->y.base = i->dst = sram(r);
}

/* A LOAD or STORE: rows of a few bytes, strided. */
static void transfer(Rd *r, NpuInsn *i, uint32_t from, uint32_t to, unsigned f)
{
	i->cls = (uint8_t)(f % 3);
	i->src = from, i->dst = to;
	i->bytes = 1 + byte(r) * 2;
	unsigned rows = byte(r);
	i->rows = (uint16_t)(rows & 0x80 ? 1 + (rows & 7) : 1);
	if (i->rows > 1) {
		i->sstride = i->bytes + (byte(r) & 3) * 8;
		i->dstride = i->bytes + (byte(r) & 3) * 8;
	}
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
	case NPU_LOAD: /* weights into the weight buffer, the rest into SRAM */
		transfer(r, &i, in_space(r, NPU_DRAM), in_space(r, f % 3 == NPU_CLS_WEIGHT ? NPU_WBUF : NPU_SRAM), f);
		break;
	case NPU_STORE:
		transfer(r, &i, sram(r), in_space(r, NPU_DRAM), f);
		if (i.cls == NPU_CLS_WEIGHT)
			i.cls = NPU_CLS_SPILL;
		break;
	case NPU_ALLOC:
	case NPU_FREE:
		i.dst = sram(r), i.bytes = 1 + byte(r) * 8;
		break;
	case NPU_CONV:
		i.flags = (uint8_t)(f & (NPU_F_RELU | NPU_F_OUT32 | NPU_F_PSUM | NPU_F_SPLIT | NPU_F_OSPLIT));
		if ((i.flags & NPU_F_OUT32) && !rare)
			i.flags &= (uint8_t)~NPU_F_RELU;
		window(r, &i, true);
		i.weight = in_space(r, NPU_WBUF);
		if (i.flags & NPU_F_PSUM) {
			i.ps = i.y;
			i.ps.base = i.psum = sram(r);
			i.ps.cs = (uint32_t)((i.oy1 - i.oy0) * i.out_w) * 4;
		}
		if (i.flags & NPU_F_SPLIT) {
			i.split = (uint16_t)(i.in_c > 1 ? 1 + byte(r) % (i.in_c - 1) : 1);
			i.x2 = i.x;
			i.x2.base = sram(r);
		}
		if (i.flags & NPU_F_OSPLIT) {
			i.osplit = (uint16_t)(i.out_c > 1 ? 1 + byte(r) % (i.out_c - 1) : 1);
			i.y2 = i.y;
			i.y2.base = sram(r);
		}
		break;
	case NPU_POOL:
		i.flags = (uint8_t)(f & NPU_F_AVG);
		window(r, &i, false);
		break;
	case NPU_GAVG:
		i.src = sram(r), i.dst = sram(r);
		i.in_c = (uint16_t)(1 + (f & 7)), i.in_h = (uint16_t)(1 + (f >> 3 & 7));
		i.in_w = (uint16_t)(1 + (byte(r) & 7));
		break;
	case NPU_EW: {
		i.dst = sram(r), i.bytes = 1 + byte(r), i.flags = (uint8_t)(f & NPU_F_RELU);
		i.nin = (uint8_t)(1 + byte(r) % NPU_MAX_EW_INPUTS);
		for (int k = 0; k < i.nin; k++) {
			i.in[k] = sram(r);
			i.coef[k] = (int32_t)(int8_t)byte(r);
		}
		i.qmul = 0x40000000, i.qshift = (int8_t)(byte(r) % 8);
		break;
	}
	case NPU_REQUANT:
		i.src = sram(r), i.dst = sram(r), i.bytes = 1 + byte(r);
		i.flags = (uint8_t)(f & (NPU_F_RELU | NPU_F_PERCH));
		if (i.flags & NPU_F_PERCH) {
			i.aux = in_space(r, NPU_WBUF);
			i.out_c = (uint16_t)(1 + byte(r) % i.bytes);
		} else {
			i.qmul = 0x50000000, i.qshift = 9;
		}
		break;
	case NPU_COPY:
	case NPU_RELU:
		i.src = sram(r), i.dst = sram(r), i.bytes = 1 + byte(r) * 2;
		break;
	default:
		break;
	}
	if (rare && i.op != NPU_LOAD && i.op != NPU_STORE)
		i.flags = (uint8_t)f;
	return i;
}

/* What a CONV needs to run, so that mutations reach the arithmetic: its
 * input views (and partial sums) allocated and loaded from DRAM, its weight
 * blocks loaded into the weight buffer, a SYNC, its output views allocated.
 * Returns the words written (at most ten slots). */
static size_t prelude(const NpuInsn *c, uint32_t *w)
{
	int lo, hi, rows = c->oy1 - c->oy0;
	npu_band_rows(c, &lo, &hi);
	int64_t e = c->flags & NPU_F_OUT32 ? 4 : 1;
	int split = c->flags & NPU_F_SPLIT ? c->split : c->in_c;
	int osplit = c->flags & NPU_F_OSPLIT ? c->osplit : c->out_c;
	struct {
		const NpuView *v;
		int nch;
		int64_t row;
		bool load;
	} parts[] = {
		{&c->x, split, (int64_t)(hi - lo) * c->in_w, true},
		{&c->x2, c->in_c - split, (int64_t)(hi - lo) * c->in_w, true},
		{&c->ps, c->flags & NPU_F_PSUM ? c->out_c : 0, (int64_t)rows * c->out_w * 4, true},
		{&c->y, osplit, (int64_t)rows * c->out_w * e, false},
		{&c->y2, c->out_c - osplit, (int64_t)rows * c->out_w * e, false},
	};
	size_t n = 0;
	for (size_t k = 0; k < sizeof parts / sizeof parts[0]; k++) {
		if (parts[k].nch <= 0 || parts[k].row <= 0)
			continue;
		uint32_t a = NPU_ADDR(parts[k].v->base);
		int64_t bytes = (int64_t)(parts[k].nch - 1) * parts[k].v->cs + parts[k].row;
		n += npu_encode(&(NpuInsn){.op = NPU_ALLOC, .dst = NPU_REF(NPU_SRAM, a),
					   .bytes = (uint32_t)bytes},
				w + n);
		if (parts[k].load)
			n += npu_encode(&(NpuInsn){.op = NPU_LOAD, .cls = NPU_CLS_ACT,
						   .src = NPU_REF(NPU_DRAM, 0),
						   .dst = NPU_REF(NPU_SRAM, a), .bytes = (uint32_t)bytes,
						   .rows = 1},
					w + n);
		if (k == 2) { /* the inputs are there: the weights, then wait */
			int64_t wb = npu_weight_bytes(c->in_c, c->out_c, c->groups ? c->groups : 1,
						      c->kh, c->kw, c->cw);
			n += npu_encode(&(NpuInsn){.op = NPU_LOAD, .cls = NPU_CLS_WEIGHT,
						   .src = NPU_REF(NPU_DRAM, 0), .dst = c->weight,
						   .bytes = (uint32_t)wb, .rows = 1},
					w + n);
			n += npu_encode(&(NpuInsn){.op = NPU_SYNC}, w + n);
		}
	}
	return n;
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
			sum += out * (i.in_c / (i.groups ? i.groups : 1)) * i.kh * i.kw;
		else if (i.op == NPU_POOL)
			sum += out * i.kh * i.kw;
		else if (i.op == NPU_GAVG)
			sum += in;
		else
			sum += (int64_t)i.bytes * (i.nin ? i.nin : 1) * (i.rows ? i.rows : 1);
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
		/* room for the largest step (a CONV and its prelude: 12 slots) and END */
		while (r.n && n + 13 * NPU_INSN_WORDS <= MAXWORDS) {
			bool prepare = r.p[0] & 0x10 && (r.p[0] >> 5) == 0;
			NpuInsn i = make(&r);
			if (prepare && i.op == NPU_CONV)
				n += prelude(&i, words + n);
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
	bool ran = fsim_run(&model, words, n, image, NDRAM, &st, &e) == 0;
	if (!ran && !one_line_about_an_instruction(e.msg))
		abort();
	if (st.sram_in_use < 0 || st.sram_in_use > st.sram_peak || st.sram_peak > model.sram_bytes ||
	    st.sram_hwm > model.sram_bytes || st.insns < 0)
		abort();
	/* the times hold once the run has ended (a refusal leaves transfers in
	 * flight, not yet added to cycles) */
	if (ran && (st.cycles < st.compute_busy || st.cycles < st.dma_busy ||
		    st.mac_busy > st.compute_busy))
		abort();
	return 0;
}
