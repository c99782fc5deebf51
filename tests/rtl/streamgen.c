/* streamgen.c: random command streams for the RTL's tests, covering what
 * the compiler does not emit: every opcode and flag (CONV with OUT32, PSUM,
 * groups, dilation, negative padding; POOL max and average with windows
 * wider than the vector unit's 3x3 block; GAVG; EW with up to 32 inputs and
 * their OPERANDS continuations; REQUANT with extreme shifts; CONV and
 * REQUANT with per-channel tables (PERCH, qshift words with junk in the
 * bits the NPU does not read); CONV with its input in two parts (SPLIT:
 * each part in SRAM or DRAM, split points at the ends and between, fully
 * connected layers over many channels, the same bytes as both parts) and
 * its output in two parts (OSPLIT, likewise); COPY between spaces and
 * overlapping ones; in-place RELU), operands in SRAM and in DRAM, LOADs
 * and STOREs left running across compute instructions.
 *
 *   streamgen good SEED DIR SRAM_BYTES   a valid stream: DIR/stream.bin, dram.bin, stream.lst
 *   streamgen bad KIND DIR SRAM_BYTES    a small stream breaking one rule (KIND 0..NBAD-1)
 *   streamgen nbad                        prints NBAD
 *
 * fsim (tests/rtl/fsim_image) is the judge: a good stream must run on it,
 * a bad one must be refused by it, and the RTL must agree.  Links
 * build/libserenity_core.a for the encoder.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isa.h"

#define S(a) ((uint32_t)(a))
#define D(a) (NPU_DRAM_BIT | (uint32_t)(a))

enum { MAXW = 1 << 20, MAXD = 1 << 22 };

static uint32_t words[MAXW];
static size_t nwords;
static NpuInsn insns[1 << 16];
static int ninsns;
static uint8_t dram[MAXD];
static size_t dtop;
static int64_t sram_bytes;
static int64_t stop;          /* SRAM bump allocator */
static uint64_t rng = 88172645463325252ull;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int rnd(int lo, int hi) /* [lo, hi] */
{
	return lo + (int)(next() % (uint64_t)(hi - lo + 1));
}

static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("streamgen: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

static NpuInsn blank(int op)
{
	NpuInsn i;
	memset(&i, 0, sizeof i);
	i.op = (uint8_t)op;
	return i;
}

static void emit(NpuInsn i)
{
	if (nwords + npu_insn_words(&i) > MAXW)
		die("stream too long");
	insns[ninsns++] = i;
	nwords += npu_encode(&i, words + nwords);
}

/* DRAM: bytes [at, at+n) of random data, 4-aligned */
static uint32_t dram_rand(size_t n)
{
	size_t at = (dtop + 3) & ~(size_t)3;
	if (at + n > MAXD)
		die("DRAM image too big");
	for (size_t k = 0; k < n; k++)
		dram[at + k] = (uint8_t)next();
	dtop = at + n;
	return (uint32_t)at;
}

static uint32_t dram_zero(size_t n)
{
	size_t at = (dtop + 3) & ~(size_t)3;
	if (at + n > MAXD)
		die("DRAM image too big");
	memset(dram + at, 0, n);
	dtop = at + n;
	return (uint32_t)at;
}

/* int32 words, each in [-lim, lim] */
static uint32_t dram_words(size_t n, int lim)
{
	uint32_t at = dram_zero(4 * n);
	for (size_t k = 0; k < n; k++) {
		int32_t v = rnd(-lim, lim);
		memcpy(dram + at + 4 * k, &v, 4);
	}
	return at;
}

static int fits(int64_t n)
{
	return ((stop + 3) & ~3) + n <= sram_bytes;
}

static uint32_t salloc(int64_t n)
{
	int64_t at = (stop + 3) & ~3;
	if (at + n > sram_bytes)
		die("SRAM exhausted");
	NpuInsn i = blank(NPU_ALLOC);
	i.dst = S(at);
	i.bytes = (uint32_t)n;
	emit(i);
	stop = at + n;
	return (uint32_t)at;
}

static void sfree(uint32_t at, uint32_t n)
{
	NpuInsn i = blank(NPU_FREE);
	i.dst = S(at);
	i.bytes = n;
	emit(i);
}

static void xfer(int op, uint32_t src, uint32_t dst, uint32_t n)
{
	NpuInsn i = blank(op);
	i.src = src;
	i.dst = dst;
	i.bytes = n;
	emit(i);
}

static void sync_(void)
{
	emit(blank(NPU_SYNC));
}

/* Buffers to free at the end of one instruction's block. */
static uint32_t live_at[64], live_n[64];
static int nlive;

/* An input operand of n bytes of random data: in DRAM, or LOADed into a
 * fresh SRAM buffer (then SYNC). */
static uint32_t input(int64_t n, int sram_pct)
{
	uint32_t d = dram_rand((size_t)n);
	if (rnd(1, 100) > sram_pct || !fits(n))
		return D(d);
	uint32_t s = salloc(n);
	live_at[nlive] = s;
	live_n[nlive++] = (uint32_t)n;
	xfer(NPU_LOAD, D(d), S(s), (uint32_t)n);
	sync_();
	return S(s);
}

/* An output operand of n bytes: in DRAM, or in SRAM and then STOREd (a
 * CONV with OSPLIT has two). */
static uint32_t out_dram[2], out_sram[2], out_n[2];
static int nout, nout_sram;
static uint32_t output(int64_t n, int sram_pct)
{
	int k = nout++;
	out_n[k] = (uint32_t)n;
	out_dram[k] = dram_zero((size_t)n);
	if (rnd(1, 100) > sram_pct || !fits(n)) {
		out_sram[k] = UINT32_MAX;
		return D(out_dram[k]);
	}
	out_sram[k] = salloc(n);
	live_at[nlive] = out_sram[k];
	live_n[nlive++] = (uint32_t)n;
	nout_sram++;
	return S(out_sram[k]);
}

/* After the compute instruction: STORE the SRAM outputs, maybe SYNC later. */
static void finish(void)
{
	if (nout_sram) {
		for (int k = 0; k < nout; k++)
			if (out_sram[k] != UINT32_MAX)
				xfer(NPU_STORE, S(out_sram[k]), D(out_dram[k]), out_n[k]);
		/* sometimes leave the stores running over an unrelated computation */
		if (rnd(0, 2) == 0) {
			uint32_t a = dram_rand(64), b = dram_zero(64);
			NpuInsn r = blank(NPU_RELU);
			r.src = D(a);
			r.dst = D(b);
			r.bytes = (uint32_t)rnd(1, 64);
			emit(r);
		}
		sync_();
	}
	for (int k = nlive - 1; k >= 0; k--)
		sfree(live_at[k], live_n[k]);
	nlive = 0;
	nout = nout_sram = 0;
	stop = 0;
}

static void requant_params(NpuInsn *i)
{
	switch (rnd(0, 5)) {
	case 0: /* anything */
		i->qmul = (int32_t)(uint32_t)next();
		i->qshift = (int8_t)rnd(-128, 127);
		break;
	case 1: /* left shifts that saturate */
		i->qmul = rnd(1 << 30, INT32_MAX);
		i->qshift = (int8_t)rnd(-40, -1);
		break;
	case 2: /* INT32_MIN x INT32_MIN */
		i->qmul = INT32_MIN;
		i->qshift = (int8_t)rnd(-2, 3);
		break;
	default: /* what calibration gives */
		i->qmul = rnd(1 << 30, INT32_MAX);
		i->qshift = (int8_t)rnd(0, 14);
		break;
	}
}

/* A PERCH table of n {bias, qmul, qshift} entries, each channel's pair as
 * requant_params draws it; now and then junk in qshift's unread bits. */
static uint32_t perch_table(int n)
{
	uint32_t at = dram_zero((size_t)n * NPU_PERCH_ENTRY);
	for (int c = 0; c < n; c++) {
		NpuInsn q = blank(NPU_REQUANT);
		requant_params(&q);
		int32_t e[3] = {rnd(-5000, 5000), q.qmul, q.qshift};
		if (rnd(0, 7) == 0)
			e[2] = (int32_t)(((uint32_t)next() & 0xffffff00u) | (uint8_t)q.qshift);
		memcpy(dram + at + (size_t)c * NPU_PERCH_ENTRY, e, sizeof e);
	}
	return at;
}

/* A window (kernel, stride, dilation, padding) over h x w that fits. */
static void window(NpuInsn *i, int kmax)
{
	for (;;) {
		i->kh = (uint8_t)rnd(1, kmax);
		i->kw = (uint8_t)rnd(1, kmax);
		i->sh = (uint8_t)rnd(1, 3);
		i->sw = (uint8_t)rnd(1, 3);
		i->dh = (uint8_t)(rnd(0, 3) ? 1 : 2);
		i->dw = (uint8_t)(rnd(0, 3) ? 1 : 2);
		i->pt = (int8_t)rnd(-1, 2);
		i->pl = (int8_t)rnd(-1, 2);
		i->pb = (int8_t)rnd(-1, 2);
		i->pr = (int8_t)rnd(-1, 2);
		int sh = i->dh * (i->kh - 1) + 1, sw = i->dw * (i->kw - 1) + 1;
		int ih = i->in_h + i->pt + i->pb, iw = i->in_w + i->pl + i->pr;
		if (ih < sh || iw < sw)
			continue;
		i->out_h = (uint16_t)((ih - sh) / i->sh + 1);
		i->out_w = (uint16_t)((iw - sw) / i->sw + 1);
		return;
	}
}

static void gen_conv(int pct)
{
	NpuInsn i = blank(NPU_CONV);
	int g = rnd(0, 2) == 0 ? rnd(2, 4) : 1;
	i.groups = (uint16_t)g;
	i.in_c = (uint16_t)(g * rnd(1, g > 1 ? 4 : 24));
	i.out_c = (uint16_t)(g * rnd(1, g > 1 ? 5 : 24));
	i.in_h = (uint16_t)rnd(1, 10);
	i.in_w = (uint16_t)rnd(1, 10);
	window(&i, 4);
	if (rnd(0, 5) == 0) { /* fully connected: 1x1 over C*H*W channels */
		i.in_c = (uint16_t)(rnd(0, 3) ? i.in_c * i.in_h * i.in_w : rnd(300, 3000));
		i.in_h = i.in_w = 1;
		i.groups = 1;
		i.kh = i.kw = i.sh = i.sw = i.dh = i.dw = 1;
		i.pt = i.pl = i.pb = i.pr = 0;
		i.out_h = i.out_w = 1;
	}
	int64_t nx = (int64_t)i.in_c * i.in_h * i.in_w, ny = (int64_t)i.out_c * i.out_h * i.out_w;
	int64_t nw = (int64_t)i.out_c * (i.in_c / i.groups) * i.kh * i.kw;
	switch (rnd(0, 3)) {
	case 0: i.flags = NPU_F_OUT32; break;
	case 1: i.flags = NPU_F_PSUM | (rnd(0, 1) ? NPU_F_OUT32 : 0); break;
	case 2: i.flags = NPU_F_RELU; break;
	default: i.flags = 0; break;
	}
	if ((i.flags & NPU_F_PSUM) && !(i.flags & NPU_F_OUT32) && rnd(0, 1))
		i.flags |= NPU_F_RELU;
	if (i.in_c > 1 && rnd(0, 1) == 0) { /* the input in two parts, each anywhere */
		int64_t head;
		i.flags |= NPU_F_SPLIT;
		switch (rnd(0, 3)) {
		case 0: i.split = 1; break;
		case 1: i.split = (uint16_t)(i.in_c - 1); break;
		default: i.split = (uint16_t)rnd(1, i.in_c - 1); break;
		}
		if (i.in_c % 2 == 0 && rnd(0, 5) == 0)
			i.split = i.in_c / 2;
		head = (int64_t)i.split * i.in_h * i.in_w;
		i.src = input(head, pct);
		/* the same bytes as both parts: one operand, streamed and counted once */
		if (2 * head == nx && rnd(0, 2) == 0)
			i.src2 = i.src;
		else
			i.src2 = input(nx - head, pct);
	} else {
		i.src = input(nx, pct);
	}
	i.weight = D(dram_rand((size_t)nw));
	if (i.flags & NPU_F_PSUM) {
		uint32_t p = dram_words((size_t)ny, rnd(0, 1) ? 1000 : INT32_MAX);
		i.aux = D(p);
		if (rnd(1, 100) <= pct && fits(4 * ny)) {
			uint32_t s = salloc(4 * ny);
			live_at[nlive] = s;
			live_n[nlive++] = (uint32_t)(4 * ny);
			xfer(NPU_LOAD, D(p), S(s), (uint32_t)(4 * ny));
			sync_();
			i.aux = S(s);
		}
	} else {
		i.aux = D(dram_words(i.out_c, rnd(0, 1) ? 5000 : INT32_MAX));
	}
	if (!(i.flags & NPU_F_OUT32))
		requant_params(&i);
	if (!(i.flags & (NPU_F_OUT32 | NPU_F_PSUM)) && rnd(0, 1)) {
		i.flags |= NPU_F_PERCH;
		i.aux = D(perch_table(i.out_c));
		i.qmul = 0, i.qshift = 0;
	}
	int64_t ybytes = ny * (i.flags & NPU_F_OUT32 ? 4 : 1);
	if (i.out_c > 1 && rnd(0, 1) == 0) { /* the output in two parts, each anywhere */
		int64_t head;
		i.flags |= NPU_F_OSPLIT;
		switch (rnd(0, 3)) {
		case 0: i.osplit = 1; break;
		case 1: i.osplit = (uint16_t)(i.out_c - 1); break;
		default: i.osplit = (uint16_t)rnd(1, i.out_c - 1); break;
		}
		head = ybytes / i.out_c * i.osplit;
		i.dst = output(head, pct);
		i.dst2 = output(ybytes - head, pct);
	} else {
		i.dst = output(ybytes, pct);
	}
	emit(i);
	finish();
}

static void gen_pool(int pct)
{
	NpuInsn i = blank(NPU_POOL);
	i.in_c = (uint16_t)rnd(1, 12);
	i.out_c = i.in_c;
	i.in_h = (uint16_t)rnd(1, 12);
	i.in_w = (uint16_t)rnd(1, 12);
	i.groups = (uint16_t)rnd(0, 1);
	window(&i, rnd(0, 3) ? 3 : 7);
	i.flags = rnd(0, 1) ? NPU_F_AVG : 0;
	i.src = input((int64_t)i.in_c * i.in_h * i.in_w, pct);
	i.dst = output((int64_t)i.out_c * i.out_h * i.out_w, pct);
	emit(i);
	finish();
}

static void gen_gavg(int pct)
{
	NpuInsn i = blank(NPU_GAVG);
	i.in_c = (uint16_t)rnd(1, 20);
	i.in_h = (uint16_t)rnd(1, 9);
	i.in_w = (uint16_t)rnd(1, 9);
	i.src = input((int64_t)i.in_c * i.in_h * i.in_w, pct);
	i.dst = output(i.in_c, pct);
	emit(i);
	finish();
}

static void gen_ew(int pct)
{
	NpuInsn i = blank(NPU_EW);
	i.nin = (uint8_t)(rnd(0, 2) ? rnd(1, 6) : rnd(7, 32));
	i.bytes = (uint32_t)rnd(1, 300);
	for (int k = 0; k < i.nin; k++) {
		/* the same input twice is streamed and counted once */
		if (k && rnd(0, 4) == 0) {
			i.in[k] = i.in[rnd(0, k - 1)];
		} else {
			i.in[k] = input(i.bytes, pct / 2);
		}
		i.coef[k] = rnd(0, 3) ? rnd(-3, 3) : (int32_t)(uint32_t)next();
	}
	requant_params(&i);
	i.flags = rnd(0, 1) ? NPU_F_RELU : 0;
	i.dst = output(i.bytes, pct);
	emit(i);
	finish();
}

static void gen_requant(int pct)
{
	NpuInsn i = blank(NPU_REQUANT);
	bool perch = rnd(0, 1);
	i.out_c = perch ? (uint16_t)rnd(1, 12) : 0;
	i.bytes = perch ? (uint32_t)(i.out_c * rnd(1, 25)) : (uint32_t)rnd(1, 200);
	i.src = input(4 * (int64_t)i.bytes, pct);
	requant_params(&i);
	i.flags = rnd(0, 1) ? NPU_F_RELU : 0;
	if (perch) {
		i.flags |= NPU_F_PERCH;
		i.aux = D(perch_table(i.out_c));
		i.qmul = 0, i.qshift = 0;
	}
	i.dst = output(i.bytes, pct);
	emit(i);
	finish();
}

static void gen_copy_relu(int pct, int op)
{
	NpuInsn i = blank(op);
	i.bytes = (uint32_t)rnd(1, 400);
	if (rnd(0, 3) == 0 && fits(2 * (int64_t)i.bytes + 64)) {
		/* in one SRAM buffer: in place, or overlapping either way */
		int64_t span = 2 * (int64_t)i.bytes + 64;
		uint32_t d = dram_rand((size_t)span), s = salloc(span);
		live_at[nlive] = s;
		live_n[nlive++] = (uint32_t)span;
		xfer(NPU_LOAD, D(d), S(s), (uint32_t)span);
		sync_();
		int a = rnd(0, (int)(span - i.bytes)), b = op == NPU_RELU ? a : rnd(0, (int)(span - i.bytes));
		i.src = S(s + (uint32_t)a);
		i.dst = S(s + (uint32_t)b);
		emit(i);
		out_dram[0] = dram_zero((size_t)span);
		out_sram[0] = s;
		out_n[0] = (uint32_t)span;
		nout = nout_sram = 1;
		finish();
		return;
	}
	i.src = input(i.bytes, pct);
	i.dst = output(i.bytes, pct);
	emit(i);
	finish();
}

static void write_file(const char *dir, const char *name, const void *p, size_t n)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n || fclose(f))
		die("cannot write %s", path);
}

static void write_out(const char *dir)
{
	uint8_t *b = malloc(4 * nwords + 1);
	for (size_t k = 0; k < nwords; k++)
		for (int j = 0; j < 4; j++)
			b[4 * k + (size_t)j] = (uint8_t)(words[k] >> (8 * j));
	write_file(dir, "stream.bin", b, 4 * nwords);
	free(b);
	write_file(dir, "dram.bin", dram, dtop ? dtop : 1);
	char path[4096];
	snprintf(path, sizeof path, "%s/stream.lst", dir);
	FILE *f = fopen(path, "w");
	if (!f)
		die("cannot write %s", path);
	for (int k = 0; k < ninsns; k++) {
		fprintf(f, "%6d  ", k);
		npu_disasm(&insns[k], f);
	}
	fclose(f);
}

static void good(uint64_t seed, int n)
{
	rng ^= seed * 0x9e3779b97f4a7c15ull;
	for (int k = 0; k < 20; k++)
		next();
	int pct = rnd(0, 100);
	for (int k = 0; k < n; k++) {
		switch (rnd(0, 9)) {
		case 0:
		case 1:
		case 2: gen_conv(pct); break;
		case 3: gen_pool(pct); break;
		case 4: gen_gavg(pct); break;
		case 5:
		case 6: gen_ew(pct); break;
		case 7: gen_requant(pct); break;
		case 8: gen_copy_relu(pct, NPU_COPY); break;
		default: gen_copy_relu(pct, NPU_RELU); break;
		}
	}
	emit(blank(NPU_END));
}

/* Streams that break one rule each; fsim must refuse them with the same
 * message as the RTL. */
enum { NBAD = 48 };

/* A 1x1 CONV from in_c to out_c channels of 2x2 (4 bytes a channel), the
 * weights and bias from DRAM d. */
static NpuInsn conv1x1(int in_c, int out_c, uint32_t src, uint32_t dst, uint32_t d)
{
	NpuInsn i = blank(NPU_CONV);
	i.src = src;
	i.dst = dst;
	i.weight = D(d);
	i.aux = D(d);
	i.in_c = (uint16_t)in_c;
	i.out_c = (uint16_t)out_c;
	i.in_h = i.in_w = i.out_h = i.out_w = 2;
	i.kh = i.kw = i.sh = i.sw = i.dh = i.dw = 1;
	i.groups = 1;
	return i;
}

/* Its input of 2 channels in two parts, split at channel 1: src's part,
 * then src2's; one output channel to DRAM o. */
static NpuInsn split_conv(uint32_t src, uint32_t src2, uint32_t d, uint32_t o)
{
	NpuInsn i = conv1x1(2, 1, src, D(o), d);
	i.flags = NPU_F_SPLIT;
	i.src2 = src2;
	i.split = 1;
	return i;
}

/* Its output of 2 channels in two parts, split at channel 1: dst's part,
 * then dst2's; one input channel from DRAM d. */
static NpuInsn osplit_conv(uint32_t dst, uint32_t dst2, uint32_t d)
{
	NpuInsn i = conv1x1(1, 2, D(d), dst, d);
	i.flags = NPU_F_OSPLIT;
	i.dst2 = dst2;
	i.osplit = 1;
	return i;
}

/* A 1x1 max POOL over 2 channels of 2x2 with flags it does not take. */
static NpuInsn pool_flagged(uint32_t d, uint32_t o, uint8_t flags)
{
	NpuInsn i = blank(NPU_POOL);
	i.src = D(d);
	i.dst = D(o);
	i.in_c = i.out_c = 2;
	i.in_h = i.in_w = i.out_h = i.out_w = 2;
	i.kh = i.kw = i.sh = i.sw = i.dh = i.dw = 1;
	i.flags = flags;
	return i;
}

static void bad(int kind)
{
	uint32_t d = dram_rand(256), o = dram_zero(256);
	NpuInsn i;
	switch (kind) {
	case 0: /* an SRAM read outside any live buffer */
		salloc(64);
		i = blank(NPU_RELU);
		i.src = S(32);
		i.dst = D(o);
		i.bytes = 64;
		emit(i);
		break;
	case 1: /* an SRAM write across the end of a live buffer */
		salloc(64);
		i = blank(NPU_COPY);
		i.src = D(d);
		i.dst = S(0);
		i.bytes = 65;
		emit(i);
		break;
	case 2: /* ALLOC overlapping a live buffer */
		salloc(64);
		i = blank(NPU_ALLOC);
		i.dst = S(60);
		i.bytes = 8;
		emit(i);
		break;
	case 3: /* FREE of a buffer of another size */
		salloc(64);
		sfree(0, 32);
		break;
	case 4: /* FREE of nothing */
		sfree(16, 32);
		break;
	case 5: /* END with a LOAD outstanding */
		salloc(64);
		xfer(NPU_LOAD, D(d), S(0), 64);
		break;
	case 6: /* ALLOC past the end of SRAM */
		i = blank(NPU_ALLOC);
		i.dst = S(sram_bytes - 8);
		i.bytes = 16;
		emit(i);
		break;
	case 7: /* DRAM past the image */
		i = blank(NPU_COPY);
		i.src = D(d);
		i.dst = D(o + 200);
		i.bytes = 100;
		emit(i);
		break;
	case 8: /* SRAM past its end */
		i = blank(NPU_RELU);
		i.src = S(sram_bytes - 4);
		i.dst = D(o);
		i.bytes = 8;
		emit(i);
		break;
	case 9: /* unknown opcode */
		i = blank(0x33);
		emit(i);
		break;
	case 10: /* a reserved word */
		i = blank(NPU_SYNC);
		emit(i);
		words[nwords - 16 + 7] = 5;
		break;
	case 11: /* a flag the opcode does not take */
		i = blank(NPU_COPY);
		i.src = D(d);
		i.dst = D(o);
		i.bytes = 4;
		i.flags = NPU_F_AVG;
		emit(i);
		break;
	case 12: /* a window that gives another output */
		i = blank(NPU_POOL);
		i.src = D(d);
		i.dst = D(o);
		i.in_c = i.out_c = 2;
		i.in_h = i.in_w = 8;
		i.kh = i.kw = i.sh = i.sw = i.dh = i.dw = 2;
		i.out_h = 4;
		i.out_w = 5;
		emit(i);
		break;
	case 13: /* groups that do not divide */
		i = blank(NPU_CONV);
		i.src = D(d);
		i.dst = D(o);
		i.weight = D(d);
		i.aux = D(d);
		i.in_c = 3;
		i.out_c = 4;
		i.in_h = i.in_w = i.out_h = i.out_w = 2;
		i.kh = i.kw = i.sh = i.sw = i.dh = i.dw = 1;
		i.groups = 2;
		emit(i);
		break;
	case 14: /* weights in SRAM */
		i = blank(NPU_CONV);
		i.src = D(d);
		i.dst = D(o);
		i.weight = S(0);
		i.aux = D(d);
		i.in_c = i.out_c = 1;
		i.in_h = i.in_w = i.out_h = i.out_w = 2;
		i.kh = i.kw = i.sh = i.sw = i.dh = i.dw = 1;
		i.groups = 1;
		emit(i);
		break;
	case 15: /* EW continuation with the wrong count */
		i = blank(NPU_EW);
		i.dst = D(o);
		i.bytes = 8;
		i.nin = 9;
		for (int k = 0; k < 9; k++) {
			i.in[k] = D(d);
			i.coef[k] = 1;
		}
		emit(i);
		words[nwords - 16] = NPU_OPERANDS | 3u << 16;
		break;
	case 16: /* stream without END */
		sync_();
		return;
	case 17: /* words after END */
		emit(blank(NPU_END));
		sync_();
		return;
	case 18: /* OPERANDS with no EW */
		i = blank(NPU_OPERANDS);
		emit(i);
		break;
	case 19: /* zero bytes */
		i = blank(NPU_LOAD);
		i.src = D(d);
		i.dst = S(0);
		emit(i);
		break;
	case 20: /* a LOAD whose source is SRAM */
		i = blank(NPU_LOAD);
		i.src = S(0);
		i.dst = S(0);
		i.bytes = 4;
		emit(i);
		break;
	case 21: /* an SRAM read across a gap between two live buffers */
		salloc(32);
		i = blank(NPU_ALLOC);
		i.dst = S(64);
		i.bytes = 32;
		emit(i);
		xfer(NPU_LOAD, D(d), S(0), 32);
		xfer(NPU_LOAD, D(d), S(64), 32);
		sync_();
		i = blank(NPU_COPY);
		i.src = S(0);
		i.dst = D(o);
		i.bytes = 96;
		emit(i);
		break;
	case 22: /* RELU with OUT32 */
		i = blank(NPU_CONV);
		i.src = D(d);
		i.dst = D(o);
		i.weight = D(d);
		i.aux = D(d);
		i.in_c = i.out_c = 1;
		i.in_h = i.in_w = i.out_h = i.out_w = 2;
		i.kh = i.kw = i.sh = i.sw = i.dh = i.dw = 1;
		i.groups = 1;
		i.flags = NPU_F_OUT32 | NPU_F_RELU;
		emit(i);
		break;
	case 24: /* a compute reading SRAM a LOAD may still be writing */
		salloc(64);
		xfer(NPU_LOAD, D(d), S(0), 64);
		i = blank(NPU_RELU);
		i.src = S(8);
		i.dst = D(o);
		i.bytes = 8;
		emit(i);
		break;
	case 25: /* FREE of a buffer a STORE may still be reading */
		salloc(64);
		xfer(NPU_LOAD, D(d), S(0), 64);
		sync_();
		xfer(NPU_STORE, S(0), D(o), 64);
		sfree(0, 64);
		break;
	case 26: /* a STORE reading SRAM a LOAD may still be writing */
		salloc(64);
		xfer(NPU_LOAD, D(d), S(0), 64);
		xfer(NPU_STORE, S(16), D(o), 16);
		break;
	case 27: /* two STOREs of the same bytes may run together; a LOAD over them may not */
		salloc(64);
		xfer(NPU_LOAD, D(d), S(0), 64);
		sync_();
		xfer(NPU_STORE, S(0), D(o), 32);
		xfer(NPU_STORE, S(0), D(o + 64), 32);
		xfer(NPU_LOAD, D(d), S(30), 4);
		break;
	case 28: /* PERCH with PSUM */
	case 30: /* a PERCH table past the image */
		i = blank(NPU_CONV);
		i.src = D(d);
		i.dst = D(o);
		i.weight = D(d);
		i.aux = kind == 30 ? D(o + 250) : D(d);
		i.in_c = i.out_c = 1;
		i.in_h = i.in_w = i.out_h = i.out_w = 2;
		i.kh = i.kw = i.sh = i.sw = i.dh = i.dw = 1;
		i.groups = 1;
		i.flags = NPU_F_PERCH | (kind == 28 ? NPU_F_PSUM : 0);
		emit(i);
		break;
	case 29: /* PERCH channels that do not divide the elements */
	case 31: /* PERCH with a qmul in the instruction */
		i = blank(NPU_REQUANT);
		i.src = D(d);
		i.dst = D(o);
		i.bytes = 10;
		i.flags = NPU_F_PERCH;
		i.aux = D(d);
		i.out_c = kind == 29 ? 3 : 5;
		i.qmul = kind == 31 ? 5 : 0;
		emit(i);
		break;
	case 32: /* a SPLIT part in SRAM that was freed */
		salloc(64);
		xfer(NPU_LOAD, D(d), S(0), 64);
		i = blank(NPU_ALLOC);
		i.dst = S(64);
		i.bytes = 64;
		emit(i);
		xfer(NPU_LOAD, D(d), S(64), 64);
		sync_();
		sfree(64, 64);
		emit(split_conv(S(0), S(64), d, o));
		break;
	case 33: /* split at in_c */
	case 38: /* SPLIT, and OSPLIT's half of w14 without OSPLIT */
		i = split_conv(D(d), D(d + 4), d, o);
		emit(i);
		if (kind == 33)
			words[nwords - 16 + 14] = 2;
		else
			words[nwords - 16 + 14] |= 1u << 16;
		break;
	case 34: /* w13 (src2) without SPLIT */
		i = split_conv(D(d), D(d + 4), d, o);
		i.flags = 0;
		emit(i);
		words[nwords - 16 + 13] = D(d + 4);
		break;
	case 35: /* SPLIT on a POOL */
		emit(pool_flagged(d, o, NPU_F_SPLIT));
		break;
	case 36: /* a SPLIT part in DRAM past the image */
		emit(split_conv(D(d), D(o + 254), d, o));
		break;
	case 37: /* a SPLIT part in SRAM a LOAD may still be writing */
		salloc(64);
		xfer(NPU_LOAD, D(d), S(0), 64);
		emit(split_conv(D(d), S(8), d, o));
		break;
	case 39: /* a SPLIT part past the end of SRAM */
		emit(split_conv(D(d), S(sram_bytes - 2), d, o));
		break;
	case 40: /* a LOAD into DRAM */
		xfer(NPU_LOAD, D(d), D(o), 4);
		break;
	case 41: /* an ALLOC of DRAM */
		i = blank(NPU_ALLOC);
		i.dst = D(0);
		i.bytes = 8;
		emit(i);
		break;
	case 42: /* an OSPLIT part in SRAM outside any live buffer */
		salloc(64);
		emit(osplit_conv(S(0), S(64), d));
		break;
	case 43: /* an OSPLIT part in DRAM past the image */
		emit(osplit_conv(D(o), D(o + 254), d));
		break;
	case 44: /* an OSPLIT part in SRAM a STORE may still be reading */
		salloc(64);
		xfer(NPU_LOAD, D(d), S(0), 64);
		sync_();
		xfer(NPU_STORE, S(32), D(o), 16);
		emit(osplit_conv(D(o + 64), S(40), d));
		break;
	case 45: /* osplit at out_c */
		emit(osplit_conv(D(o), D(o + 4), d));
		words[nwords - 16 + 14] = 2u << 16;
		break;
	case 46: /* w15 (dst2) without OSPLIT */
		i = osplit_conv(D(o), D(o + 4), d);
		i.flags = 0;
		emit(i);
		words[nwords - 16 + 15] = D(o + 4);
		break;
	case 47: /* OSPLIT on a POOL */
		emit(pool_flagged(d, o, NPU_F_OSPLIT));
		break;
	default: /* EW with 0 inputs */
		i = blank(NPU_EW);
		i.dst = D(o);
		i.bytes = 8;
		emit(i);
		words[nwords - 16] &= ~0xff0000u;
		break;
	}
	if (kind != 5)
		sync_();
	emit(blank(NPU_END));
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "nbad") == 0) {
		printf("%d\n", NBAD);
		return 0;
	}
	if (argc != 5)
		die("usage: streamgen good SEED DIR SRAM_BYTES | bad KIND DIR SRAM_BYTES | nbad");
	sram_bytes = atoll(argv[4]);
	dtop = 16; /* DRAM 0 unused */
	if (strcmp(argv[1], "good") == 0)
		good(strtoull(argv[2], NULL, 10), 12);
	else if (strcmp(argv[1], "bad") == 0)
		bad(atoi(argv[2]));
	else
		die("unknown mode %s", argv[1]);
	write_out(argv[3]);
	return 0;
}
