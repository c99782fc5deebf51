/* streamgen.c: command streams for the RTL's tests (tests/rtl.sh), for the
 * NPU of docs/isa.md: engines on SRAM and WBUF only, LOAD and STORE the
 * only way to DRAM.
 *
 *   streamgen good SEED DIR CONFIG.xml   a random valid stream
 *   streamgen case K DIR CONFIG.xml      a valid stream written by hand (K 0..NCASES-1)
 *   streamgen bad KIND DIR CONFIG.xml    a small stream breaking one rule (KIND 0..NBAD-1)
 *   streamgen ncases, streamgen nbad      print NCASES, NBAD
 *   streamgen config CONFIG.xml           prints rtl_sim/build.sh's nine parameters (SRAM
 *                                         bytes, banks, bank bytes, WBUF bytes, read and
 *                                         write bytes a cycle, MAC rows and columns, vector
 *                                         lanes), then the DRAM latency and the name of
 *                                         the simulator's cache directory (src/rtlsim.c's)
 *
 * The config (configs/NAME.xml, read with cfg_read; pipeline_cost_model) gives
 * the SRAM and WBUF sizes and the MAC array's columns C, which the weight
 * blocks, WBUF loads and block widths depend on.  Each stream goes into DIR:
 *   stream.bin  the stream (little-endian words)
 *   dram.bin    the DRAM image, three regions as `serenity compile` lays
 *               them out (targets/npu/emit.c): weights and tables from 0,
 *               then graph inputs and outputs (class act), then spills
 *               (class spill), each 64-byte aligned; every LOAD and STORE
 *               carries the class of the region its DRAM bytes are in, so
 *               npu_sim's port monitor (sorting beats by region) must count
 *               what the NPU's class counters count
 *   stream.lst  its listing (npu_disasm)
 *   params      shell assignments for the run: stream_base (the stream
 *               placed after the image, 64-byte aligned), weight_end,
 *               act_end (npu_sim's +stream_base= +weight_end= +act_end=),
 *               and expect: "ok" (good streams and cases), "stop" (fsim refuses it and
 *               npu_sim must stop with exit status 1 and fsim's message),
 *               "fsim" (fsim refuses it but the RTL does not check that
 *               rule, hw/README.md "Checks": reading bytes never written;
 *               npu_sim runs it to END), "limit" (a hardware limit fsim does
 *               not have: npu_sim stops, fsim runs it)
 *
 * Good streams cover what the compiler does not emit: every opcode and flag
 * (CONV with OUT32, PSUM, groups, depthwise, dilation, negative and large
 * padding, bands oy0..oy1 with views whose row0 lies below the band's first
 * row and whose channel stride leaves gaps (or, for inputs, overlaps), SPLIT
 * and OSPLIT, block widths cw below and above a group's channels, fully
 * connected layers over hundreds of channels, int32 sums in place over
 * their partial sums; POOL max and average with wide windows, windows all
 * padding, bands, bands reading no input row (their views anywhere); GAVG;
 * EW with 1 to 32 inputs (OPERANDS continuations), repeated inputs; REQUANT
 * with extreme shifts and PERCH tables in the WBUF; int32 operands at
 * unaligned addresses; outputs over their own inputs as far as docs/isa.md
 * allows: EW, REQUANT and GAVG in place (from an input's first byte, no
 * other input starting before it and overlapping it) or starting before an
 * input they overlap, COPY and RELU overlapping either way), 2-D LOADs and
 * STOREs with gaps, zero and overlapping source strides, of every class,
 * WBUF loads of weight blocks (whole rows, 2-D, interleaved), outputs
 * chained into later instructions through SRAM and through DRAM (a LOAD of
 * what a STORE still in flight writes, a STORE over what a LOAD still in
 * flight reads), transfers left running across compute instructions (the
 * stream syncs only where a rule requires it), SRAM and WBUF reused right
 * after the instruction that read them, bursts of transfers past the DMA
 * queue's depth.  The generator tracks live buffers and outstanding
 * transfers as fsim does and inserts a SYNC exactly where the next
 * instruction would race a transfer.
 *
 * Cases: good streams written by hand at the rules' edges, each small: a
 * STORE over DRAM bytes an earlier un-synced LOAD still reads (1-D, 2-D
 * rows and gaps, whole); POOL and CONV bands reading no input row, their
 * src views past the band's row, outside every buffer, past the end of
 * SRAM, under the output; EW in place with another input inside the first,
 * EW, REQUANT (PERCH) and GAVG starting before their inputs; COPY and RELU
 * overlapping either way; int32 sums in place over their partial sums (two
 * tiles, bands); and two outputs over partial sums that the rule lets
 * through (int8 from the sums' first byte, int32 starting before them:
 * cases 7 and 8).
 *
 * Bad streams: one per distinct refusal of targets/npu/isa.c and fsim.c
 * (encoding, spaces, shapes, views, bounds, live buffers, written bytes,
 * DMA hazards, WBUF rows, block widths, outputs over the instruction's own
 * inputs: kinds 150-161), plus the RTL's two table limits.
 *
 * fsim (tests/fsim_image) is the judge.  Links libserenity_core (CMake
 * target streamgen, tests/CMakeLists.txt).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "cost.h"
#include "err.h"
#include "isa.h"
#include "pipeline.h"

#define S(a) NPU_REF(NPU_SRAM, (a))
#define W(a) NPU_REF(NPU_WBUF, (a))
#define D(a) NPU_REF(NPU_DRAM, (a))

enum {
	MAXLIVE = 56, /* live buffers a good stream keeps (the RTL's table: 64) */
	MAXPEND = 56, /* transfers between SYNCs (the RTL's table: 64) */
	NRECENT = 24, /* DRAM spans remembered for reuse */
	NAVAIL = 64,
	HW_NBUF = 64, /* hw/README.md's NBUF and NPEND */
	HW_NPEND = 64,
};

enum { ACT = NPU_CLS_ACT, SPILL = NPU_CLS_SPILL, WGT = NPU_CLS_WEIGHT };

static CostModel M;
static int C; /* MAC columns: WBUF row bytes */

/* ---- randomness ---- */

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
	if (hi <= lo)
		return lo;
	return lo + (int)(next() % (uint64_t)(hi - lo + 1));
}

static bool chance(int pct)
{
	return rnd(1, 100) <= pct;
}

static int imin(int a, int b)
{
	return a < b ? a : b;
}

static int64_t up(int64_t x, int64_t a)
{
	return (x + a - 1) / a * a;
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

static void *xrealloc_(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die("out of memory");
	return p;
}

/* ---- DRAM: three regions, laid out at the end ---- */

typedef struct Region {
	uint8_t *b;
	int64_t n, cap;
} Region;

static Region reg[3];  /* by class: act, spill, weight */
static int64_t base[3]; /* their DRAM addresses, once laid out */
static int fill_small; /* the next fresh span holds small int32s, not random bytes */

static uint8_t *reg_at(int cls, int64_t off)
{
	return reg[cls].b + off;
}

/* n fresh bytes of region cls (random, or small int32s), at a random
 * alignment; returns their offset in the region. */
static int64_t dram_take(int cls, int64_t n)
{
	Region *r = &reg[cls];
	int64_t at = r->n + (chance(50) ? 0 : rnd(1, 7));
	if (chance(10))
		at = up(at, 64);
	if (at + n > r->cap) {
		r->cap = 2 * (at + n) + 4096;
		r->b = xrealloc_(r->b, (size_t)r->cap);
	}
	for (int64_t k = r->n; k < at + n; k++)
		r->b[k] = (uint8_t)next();
	if (fill_small)
		for (int64_t k = 0; k + 4 <= n; k += 4) {
			int32_t v = rnd(-1000, 1000);
			memcpy(r->b + at + k, &v, 4);
		}
	fill_small = 0;
	r->n = at + n;
	return at;
}

/* Spans LOADs read and STOREs wrote, for later transfers to reuse: a LOAD
 * of what a STORE wrote, a STORE over what a LOAD read or a STORE wrote. */
typedef struct Span {
	int cls;
	int64_t off, n;
} Span;

static Span recent[NRECENT];
static int nrecent;

static void remember(int cls, int64_t off, int64_t n)
{
	recent[nrecent++ % NRECENT] = (Span){cls, off, n};
}

/* A DRAM span of n bytes in region cls for a transfer: now and then one
 * an earlier transfer used. */
static int64_t dram_span(int cls, int64_t n, int reuse_pct)
{
	if (chance(reuse_pct)) {
		int cand[NRECENT], nc = 0;
		for (int k = 0; k < imin(nrecent, NRECENT); k++)
			if (recent[k].cls == cls && recent[k].n >= n)
				cand[nc++] = k;
		if (nc) {
			const Span *s = &recent[cand[rnd(0, nc - 1)]];
			fill_small = 0;
			return s->off + rnd(0, (int)(s->n - n));
		}
	}
	int64_t off = dram_take(cls, n);
	remember(cls, off, n);
	return off;
}

/* ---- the stream ---- */

static NpuInsn *insns;
static int8_t *rel; /* region the DRAM Ref of a LOAD or STORE is an offset into, or -1 */
static int ninsns, capinsns;
static bool autosync; /* good streams: SYNC where the next instruction would race */

typedef struct Poke {
	int insn, word;
	uint32_t val;
	bool orr;
} Poke;

static Poke pokes[8];
static int npokes;

/* ---- what fsim tracks: live buffers, outstanding transfers ---- */

typedef struct Range {
	int space;
	int64_t lo, hi;
	bool write;
} Range;

typedef struct Pend {
	int space;
	int64_t lo, hi;
	bool load;
} Pend;

static Pend pend[HW_NPEND + 8];
static int npend;

typedef struct Buf {
	int64_t a, n;
	int ttl;   /* jobs it may outlive its last user */
	int owner; /* the last job that uses it */
	int born;  /* the job that allocated it */
} Buf;

static Buf bufs[HW_NBUF + 8];
static int nbufs;

static NpuInsn blank(int op)
{
	NpuInsn i;
	memset(&i, 0, sizeof i);
	i.op = (uint8_t)op;
	return i;
}

static bool vhull(const NpuView *v, int nch, int r0, int r1, int64_t rb, int64_t *lo, int64_t *hi)
{
	if (nch <= 0 || r1 <= r0)
		return false;
	*lo = NPU_ADDR(v->base) + (int64_t)(r0 - v->row0) * rb;
	*hi = NPU_ADDR(v->base) + (int64_t)(nch - 1) * v->cs + (int64_t)(r1 - v->row0) * rb;
	return true;
}

static void put(Range *r, int *n, int space, int64_t lo, int64_t hi, bool write)
{
	r[(*n)++] = (Range){space, lo, hi, write};
}

/* The on-chip hulls instruction i touches (fsim.c's operands()). */
static int ranges(const NpuInsn *i, Range *r)
{
	int n = 0, lo, hi;
	int64_t a, b;
	switch (i->op) {
	case NPU_LOAD:
		a = NPU_ADDR(i->dst);
		put(r, &n, NPU_SPACE(i->dst), a, a + (int64_t)(i->rows - 1) * i->dstride + i->bytes, true);
		break;
	case NPU_STORE:
		a = NPU_ADDR(i->src);
		put(r, &n, NPU_SRAM, a, a + (int64_t)(i->rows - 1) * i->sstride + i->bytes, false);
		break;
	case NPU_FREE:
		put(r, &n, NPU_SRAM, NPU_ADDR(i->dst), NPU_ADDR(i->dst) + i->bytes, true);
		break;
	case NPU_CONV: {
		int split = i->flags & NPU_F_SPLIT ? i->split : i->in_c;
		int osplit = i->flags & NPU_F_OSPLIT ? i->osplit : i->out_c;
		int64_t e = i->flags & NPU_F_OUT32 ? 4 : 1;
		npu_band_rows(i, &lo, &hi);
		if (vhull(&i->x, split, lo, hi, i->in_w, &a, &b))
			put(r, &n, NPU_SRAM, a, b, false);
		if ((i->flags & NPU_F_SPLIT) && vhull(&i->x2, i->in_c - split, lo, hi, i->in_w, &a, &b))
			put(r, &n, NPU_SRAM, a, b, false);
		a = NPU_ADDR(i->weight);
		put(r, &n, NPU_WBUF, a,
		    a + npu_weight_bytes(i->in_c, i->out_c, i->groups, i->kh, i->kw, i->cw), false);
		if ((i->flags & NPU_F_PSUM) &&
		    vhull(&i->ps, i->out_c, i->oy0, i->oy1, 4 * (int64_t)i->out_w, &a, &b))
			put(r, &n, NPU_SRAM, a, b, false);
		if (vhull(&i->y, osplit, i->oy0, i->oy1, e * i->out_w, &a, &b))
			put(r, &n, NPU_SRAM, a, b, true);
		if ((i->flags & NPU_F_OSPLIT) &&
		    vhull(&i->y2, i->out_c - osplit, i->oy0, i->oy1, e * i->out_w, &a, &b))
			put(r, &n, NPU_SRAM, a, b, true);
		break;
	}
	case NPU_POOL:
		npu_band_rows(i, &lo, &hi);
		if (vhull(&i->x, i->in_c, lo, hi, i->in_w, &a, &b))
			put(r, &n, NPU_SRAM, a, b, false);
		if (vhull(&i->y, i->in_c, i->oy0, i->oy1, i->out_w, &a, &b))
			put(r, &n, NPU_SRAM, a, b, true);
		break;
	case NPU_GAVG:
		a = NPU_ADDR(i->src);
		put(r, &n, NPU_SRAM, a, a + (int64_t)i->in_c * i->in_h * i->in_w, false);
		a = NPU_ADDR(i->dst);
		put(r, &n, NPU_SRAM, a, a + i->in_c, true);
		break;
	case NPU_EW:
		for (int k = 0; k < i->nin; k++) {
			a = NPU_ADDR(i->in[k]);
			put(r, &n, NPU_SRAM, a, a + i->bytes, false);
		}
		a = NPU_ADDR(i->dst);
		put(r, &n, NPU_SRAM, a, a + i->bytes, true);
		break;
	case NPU_REQUANT:
		a = NPU_ADDR(i->src);
		put(r, &n, NPU_SRAM, a, a + 4 * (int64_t)i->bytes, false);
		if (i->flags & NPU_F_PERCH) {
			a = NPU_ADDR(i->aux);
			put(r, &n, NPU_WBUF, a, a + NPU_TABLE_ENTRY * (int64_t)i->out_c, false);
		}
		a = NPU_ADDR(i->dst);
		put(r, &n, NPU_SRAM, a, a + i->bytes, true);
		break;
	case NPU_COPY:
	case NPU_RELU:
		a = NPU_ADDR(i->src);
		put(r, &n, NPU_SRAM, a, a + i->bytes, false);
		a = NPU_ADDR(i->dst);
		put(r, &n, NPU_SRAM, a, a + i->bytes, true);
		break;
	default:
		break;
	}
	return n;
}

static bool races(const Range *r)
{
	for (int k = 0; k < npend; k++) {
		const Pend *p = &pend[k];
		if (p->space == r->space && p->lo < r->hi && r->lo < p->hi && (r->write || p->load))
			return true;
	}
	return false;
}

static void append(NpuInsn i, int region)
{
	if (ninsns == capinsns) {
		capinsns = capinsns ? 2 * capinsns : 1024;
		insns = xrealloc_(insns, (size_t)capinsns * sizeof *insns);
		rel = xrealloc_(rel, (size_t)capinsns);
	}
	insns[ninsns] = i;
	rel[ninsns] = (int8_t)region;
	ninsns++;
}

static void track(const NpuInsn *i)
{
	Range r[NPU_MAX_EW_INPUTS + 4];
	switch (i->op) {
	case NPU_SYNC:
		npend = 0;
		break;
	case NPU_LOAD:
	case NPU_STORE:
		ranges(i, r);
		pend[npend++] = (Pend){r[0].space, r[0].lo, r[0].hi, i->op == NPU_LOAD};
		break;
	default:
		break;
	}
}

/* Appends i; in a good stream, after a SYNC when i would race an
 * outstanding transfer or the transfers would fill the RTL's table. */
static void emit(NpuInsn i, int region)
{
	if (autosync) {
		Range r[NPU_MAX_EW_INPUTS + 4];
		int n = ranges(&i, r);
		bool need = (i.op == NPU_LOAD || i.op == NPU_STORE) && npend >= MAXPEND;
		need |= i.op == NPU_END && npend;
		for (int k = 0; k < n && !need; k++)
			need = races(&r[k]);
		if (need) {
			append(blank(NPU_SYNC), -1);
			npend = 0;
		}
	}
	append(i, region);
	track(&i);
}

static void sync_(void)
{
	emit(blank(NPU_SYNC), -1);
}

/* LOAD of rows x bytes from DRAM offset off of region cls to on-chip ref dst. */
static void load(int cls, int64_t off, uint32_t dst, int64_t bytes, int rows, int64_t sstride,
		 int64_t dstride)
{
	NpuInsn i = blank(NPU_LOAD);
	i.cls = (uint8_t)cls;
	i.src = D(off);
	i.dst = dst;
	i.bytes = (uint32_t)bytes;
	i.rows = (uint16_t)rows;
	if (rows > 1) {
		i.sstride = (uint32_t)sstride;
		i.dstride = (uint32_t)dstride;
	}
	emit(i, cls <= WGT ? cls : SPILL);
}

static void store(int cls, uint32_t src, int64_t off, int64_t bytes, int rows, int64_t sstride,
		  int64_t dstride)
{
	NpuInsn i = blank(NPU_STORE);
	i.cls = (uint8_t)cls;
	i.src = src;
	i.dst = D(off);
	i.bytes = (uint32_t)bytes;
	i.rows = (uint16_t)rows;
	if (rows > 1) {
		i.sstride = (uint32_t)sstride;
		i.dstride = (uint32_t)dstride;
	}
	emit(i, cls <= WGT ? cls : SPILL);
}

static void alloc_(int64_t a, int64_t n)
{
	NpuInsn i = blank(NPU_ALLOC);
	i.dst = S(a);
	i.bytes = (uint32_t)n;
	emit(i, -1);
}

static void free_(int64_t a, int64_t n)
{
	NpuInsn i = blank(NPU_FREE);
	i.dst = S(a);
	i.bytes = (uint32_t)n;
	emit(i, -1);
}

/* ---- good streams: buffers, chaining, jobs ---- */

typedef struct Avail { /* written SRAM bytes a later instruction may read */
	int64_t a, n;
	int buf;
} Avail;

static Avail avail[NAVAIL];
static int navail;
static int active_lo; /* the oldest job not yet drained: its buffers and later ones stay */
static int64_t budget; /* SRAM bytes one instruction's fresh buffers may take */

static int buf_of(int64_t a)
{
	for (int k = 0; k < nbufs; k++)
		if (bufs[k].a <= a && a < bufs[k].a + bufs[k].n)
			return k;
	return -1;
}

static void add_avail(int64_t a, int64_t n)
{
	int b = buf_of(a);
	if (b < 0 || n <= 0)
		return;
	if (navail == NAVAIL) {
		memmove(avail, avail + 1, (NAVAIL - 1) * sizeof *avail);
		navail--;
	}
	avail[navail++] = (Avail){a, n, b};
}

static void free_buf(int k)
{
	free_(bufs[k].a, bufs[k].n);
	int keep = 0;
	for (int j = 0; j < navail; j++)
		if (avail[j].buf != k)
			avail[keep++] = avail[j];
	navail = keep;
	for (int j = 0; j < navail; j++)
		if (avail[j].buf > k)
			avail[j].buf--;
	memmove(bufs + k, bufs + k + 1, (size_t)(nbufs - k - 1) * sizeof *bufs);
	nbufs--;
}

/* Frees the buffer no job still needs that is the first to go (expired
 * first); false when there is none. */
static bool free_one(void)
{
	int best = -1;
	for (int k = 0; k < nbufs; k++)
		if (bufs[k].owner < active_lo && (best < 0 || bufs[k].ttl < bufs[best].ttl))
			best = k;
	if (best < 0)
		return false;
	free_buf(best);
	return true;
}

static int cmp_buf(const void *x, const void *y)
{
	const Buf *a = x, *b = y;
	return a->a < b->a ? -1 : a->a > b->a;
}

/* A fresh SRAM buffer of n bytes for job id (ALLOC): the lowest gap, or a
 * random place in a random gap; frees buffers no job needs when it must.
 * Returns its index, or -1. */
static int salloc(int64_t n, int id)
{
	for (;;) {
		if (nbufs < MAXLIVE) {
			Buf s[HW_NBUF + 8];
			memcpy(s, bufs, (size_t)nbufs * sizeof *s);
			qsort(s, (size_t)nbufs, sizeof *s, cmp_buf);
			int64_t glo[HW_NBUF + 9], ghi[HW_NBUF + 9];
			int ng = 0;
			int64_t at = 0;
			for (int k = 0; k <= nbufs; k++) {
				int64_t end = k < nbufs ? s[k].a : M.sram_bytes;
				if (end - at >= n) {
					glo[ng] = at;
					ghi[ng++] = end;
				}
				if (k < nbufs)
					at = s[k].a + s[k].n;
			}
			if (ng) {
				int64_t a;
				if (chance(50)) {
					a = glo[0];
				} else {
					int g = rnd(0, ng - 1);
					int64_t room = ghi[g] - glo[g] - n;
					a = glo[g] + (room > 0 ? (int64_t)(next() % (uint64_t)(room + 1)) : 0);
				}
				alloc_(a, n);
				bufs[nbufs++] = (Buf){a, n, rnd(0, 3), id, id};
				return nbufs - 1;
			}
		}
		if (!free_one())
			return -1;
	}
}

/* A class for activation bytes a LOAD reads. */
static int in_class(void)
{
	int r = rnd(1, 100);
	return r <= 45 ? ACT : r <= 92 ? SPILL : WGT;
}

/* LOADs of nch rows of chb bytes, stride cs, to SRAM a. */
static void load_rows(int64_t a, int nch, int64_t chb, int64_t cs)
{
	int64_t hull = (int64_t)(nch - 1) * cs + chb;
	int m = rnd(0, 9);
	if (nch > 1 && cs < chb)
		m = 9; /* rows that overlap: the whole hull */
	if (nch > 24 && m >= 5 && m <= 6)
		m = 0;
	if (m <= 4) { /* one 2-D LOAD */
		int cls = in_class();
		int64_t ss = 0;
		if (nch > 1) {
			int k = rnd(0, 9);
			ss = k <= 4 ? chb : k <= 6 ? chb + rnd(1, 9) : k == 7 ? 0 : rnd(0, (int)chb);
		}
		int64_t off = dram_span(cls, (int64_t)(nch - 1) * ss + chb, 25);
		load(cls, off, S(a), chb, nch, ss, cs);
	} else if (m <= 6) { /* a LOAD a channel */
		for (int c = 0; c < nch; c++) {
			int cls = in_class();
			load(cls, dram_span(cls, chb, 25), S(a + c * cs), chb, 1, 0, 0);
		}
	} else { /* the hull, gaps and all: in one LOAD, in rows of k bytes, or in two */
		int cls = in_class();
		int how = rnd(0, 2);
		if (how == 0 || hull < 4) {
			load(cls, dram_span(cls, hull, 25), S(a), hull, 1, 0, 0);
		} else if (how == 1) {
			int64_t k = rnd(1, (int)(hull / 2));
			int64_t rows = hull / k, rest = hull - rows * k;
			if (rows > 65535)
				rows = 65535, rest = hull - rows * k;
			int64_t ss = chance(70) ? k : k + rnd(1, 5);
			load(cls, dram_span(cls, (rows - 1) * ss + k, 25), S(a), k, (int)rows, ss, k);
			if (rest)
				load(cls, dram_span(cls, rest, 25), S(a + rows * k), rest, 1, 0, 0);
		} else {
			int64_t h = rnd(1, (int)hull - 1);
			load(cls, dram_span(cls, h, 25), S(a), h, 1, 0, 0);
			cls = in_class();
			load(cls, dram_span(cls, hull - h, 25), S(a + h), hull - h, 1, 0, 0);
		}
	}
}

/* An input operand of job id: nch rows of chb bytes at stride cs, written.
 * Returns the SRAM address of its first byte: in the written output of an
 * earlier instruction (chained) with chance chain_pct, else in a fresh
 * buffer the stream LOADs (align: its alignment then, 1 or 4). -1 when
 * SRAM is full. */
static int64_t place_in(int id, int nch, int64_t chb, int64_t cs, int chain_pct, int align)
{
	int64_t hull = (int64_t)(nch - 1) * cs + chb;
	if (chance(chain_pct)) {
		int cand[NAVAIL], nc = 0;
		for (int k = 0; k < navail; k++)
			if (avail[k].n >= hull)
				cand[nc++] = k;
		if (nc) {
			const Avail *v = &avail[cand[rnd(0, nc - 1)]];
			bufs[v->buf].owner = id;
			return v->a + (int64_t)(next() % (uint64_t)(v->n - hull + 1));
		}
	}
	int64_t pre = chance(50) ? 0 : rnd(1, 8), post = chance(50) ? 0 : rnd(1, 8);
	int k = salloc(pre + hull + post + 3, id);
	if (k < 0)
		return -1;
	int64_t a = bufs[k].a + pre;
	if (align > 1 && chance(60))
		a = up(a, align);
	load_rows(a, nch, chb, cs);
	return a;
}

/* An output operand: a fresh buffer holding hull bytes; returns its first byte's address. */
static int64_t place_out(int id, int64_t hull, int align)
{
	int64_t pre = chance(50) ? 0 : rnd(1, 8), post = chance(50) ? 0 : rnd(1, 8);
	int k = salloc(pre + hull + post + 3, id);
	if (k < 0)
		return -1;
	int64_t a = bufs[k].a + pre;
	if (align > 1 && chance(60))
		a = up(a, align);
	return a;
}

/* docs/isa.md: an EW's, a REQUANT's or a GAVG's output (or a CONV's over
 * its partial sums) may not start inside an input past the input's first
 * byte.  True when d starts inside [lo, hi) past lo. */
static bool ahead(int64_t d, int64_t lo, int64_t hi)
{
	return lo < d && d < hi;
}

/* An output of n bytes that starts 1 to n-1 bytes before the input at a
 * (writes behind the reads: allowed), inside a's buffer; -1 when there is
 * no room before a. */
static int64_t behind(int64_t a, int64_t n)
{
	int b = buf_of(a);
	if (b < 0 || n < 2)
		return -1;
	int64_t lo = a - n + 1 > bufs[b].a ? a - n + 1 : bufs[b].a;
	return lo < a ? lo + (int64_t)(next() % (uint64_t)(a - lo)) : -1;
}

/* WBUF: weights and tables, placed round the buffer like a ring. */
static int64_t wtop, wlast = -1;

/* Puts n bytes (blob) in the WBUF at a multiple of align: LOADs from the
 * weight region in whole rows; returns the WBUF address, or -1. */
static int64_t wbuf_put(const uint8_t *blob, int64_t n, int align)
{
	int64_t start = up(wtop, align);
	if (chance(20))
		start = up(start + rnd(0, 3 * C), align);
	if (wlast >= 0 && chance(15))
		start = up(wlast, align); /* over the weights the last instruction read */
	if (start + n + C > M.wbuf_bytes)
		start = up(rnd(0, 2) * C, align);
	if (start + n + C > M.wbuf_bytes)
		return -1;
	int64_t r0 = start / C * C, pre = start - r0, total = pre + n;
	uint8_t *data = xrealloc_(NULL, (size_t)total);
	for (int64_t k = 0; k < pre; k++)
		data[k] = (uint8_t)next();
	memcpy(data + pre, blob, (size_t)n);
	int how = rnd(0, 9);
	int64_t R = (int64_t)C * rnd(1, 4);
	if (total / R < 2)
		how = 0;
	if (how <= 3) { /* one LOAD */
		int64_t off = dram_take(WGT, total);
		memcpy(reg_at(WGT, off), data, (size_t)total);
		load(WGT, off, W(r0), total, 1, 0, 0);
	} else if (how <= 7) { /* rows of R bytes, R a multiple of C, from rows in DRAM with gaps */
		int64_t rows = total / R, rest = total - rows * R;
		int64_t ss = chance(50) ? R : R + rnd(1, 11);
		int64_t off = dram_take(WGT, (rows - 1) * ss + R);
		for (int64_t r = 0; r < rows; r++)
			memcpy(reg_at(WGT, off + r * ss), data + r * R, (size_t)R);
		load(WGT, off, W(r0), R, (int)rows, ss, R);
		if (rest) {
			int64_t o2 = dram_take(WGT, rest);
			memcpy(reg_at(WGT, o2), data + rows * R, (size_t)rest);
			load(WGT, o2, W(r0 + rows * R), rest, 1, 0, 0);
		}
	} else { /* even rows, then odd rows: two 2-D LOADs whose rows interleave */
		int64_t rows = total / R, rest = total - rows * R;
		for (int par = 0; par < 2; par++) {
			int64_t nr = (rows - par + 1) / 2;
			if (nr <= 0)
				continue;
			int64_t off = dram_take(WGT, nr * R);
			for (int64_t r = 0; r < nr; r++)
				memcpy(reg_at(WGT, off + r * R), data + (2 * r + par) * R, (size_t)R);
			load(WGT, off, W(r0 + par * R), R, (int)nr, R, 2 * R);
		}
		if (rest) {
			int64_t o2 = dram_take(WGT, rest);
			memcpy(reg_at(WGT, o2), data + rows * R, (size_t)rest);
			load(WGT, o2, W(r0 + rows * R), rest, 1, 0, 0);
		}
	}
	free(data);
	wtop = start + n;
	wlast = start;
	return start;
}

/* What a job leaves to STORE: nch rows of chb bytes at stride cs. */
typedef struct Part {
	int64_t a;
	int nch;
	int64_t chb, cs;
} Part;

typedef struct Job {
	NpuInsn i;
	Part out[3];
	int nout;
	int id;
	bool ok;
} Job;

static void add_out(Job *j, int64_t a, int nch, int64_t chb, int64_t cs)
{
	j->out[j->nout++] = (Part){a, nch, chb, cs};
}

static int out_class(void)
{
	return chance(50) ? ACT : SPILL;
}

/* STOREs of a part to DRAM: one 2-D STORE, a STORE a channel, or for a
 * dense part one STORE, rows of k bytes, or two pieces. */
static void drain_part(const Part *p)
{
	bool dense = p->nch == 1 || p->cs == p->chb;
	int64_t total = dense ? (int64_t)p->nch * p->chb : 0;
	int m = rnd(0, 9);
	if (!dense && m >= 6)
		m = p->nch <= 24 ? 5 : 0;
	if (dense && m >= 6) {
		int cls = out_class();
		if (m <= 7 || total < 2) {
			store(cls, S(p->a), dram_span(cls, total, 30), total, 1, 0, 0);
		} else if (m == 8) {
			int64_t k = rnd(1, (int)(total / 2));
			while (total % k)
				k--;
			int64_t rows = total / k;
			if (rows > 65535) {
				k = total;
				rows = 1;
			}
			int64_t ds = rows > 1 && chance(50) ? k + rnd(1, 7) : k;
			store(cls, S(p->a), dram_span(cls, (rows - 1) * ds + k, 30), k, (int)rows, k, ds);
		} else {
			int64_t h = rnd(1, (int)total - 1);
			store(cls, S(p->a), dram_span(cls, h, 30), h, 1, 0, 0);
			cls = out_class();
			store(cls, S(p->a + h), dram_span(cls, total - h, 30), total - h, 1, 0, 0);
		}
	} else if (m == 5 && p->nch > 1) {
		for (int c = 0; c < p->nch; c++) {
			int cls = out_class();
			store(cls, S(p->a + c * p->cs), dram_span(cls, p->chb, 30), p->chb, 1, 0, 0);
		}
	} else {
		int cls = out_class();
		int64_t ds = p->nch > 1 && chance(50) ? p->chb + rnd(1, 9) : p->chb;
		int64_t off = dram_span(cls, (int64_t)(p->nch - 1) * ds + p->chb, 30);
		store(cls, S(p->a), off, p->chb, p->nch, p->cs, ds);
	}
}

/* ---- parameters and windows ---- */

static void qparams(int32_t *qmul, int8_t *qshift)
{
	switch (rnd(0, 7)) {
	case 0: /* anything */
		*qmul = (int32_t)(uint32_t)next();
		*qshift = (int8_t)rnd(-128, 127);
		break;
	case 1: /* left shifts that saturate */
		*qmul = rnd(1 << 30, INT32_MAX);
		*qshift = (int8_t)rnd(-40, -1);
		break;
	case 2: /* INT32_MIN x INT32_MIN, and shifts past 31 */
		*qmul = chance(50) ? INT32_MIN : rnd(1, 1 << 20);
		*qshift = (int8_t)(chance(50) ? rnd(-2, 3) : rnd(31, 127));
		break;
	default: /* what calibration gives */
		*qmul = rnd(1 << 30, INT32_MAX);
		*qshift = (int8_t)rnd(0, 14);
		break;
	}
}

static int32_t bias_value(void)
{
	switch (rnd(0, 7)) {
	case 0: return (int32_t)(uint32_t)next();
	case 1: return chance(50) ? INT32_MAX - rnd(0, 100) : INT32_MIN + rnd(0, 100);
	default: return rnd(-5000, 5000);
	}
}

static void st32(uint8_t *p, int32_t v)
{
	uint32_t u = (uint32_t)v;
	for (int k = 0; k < 4; k++)
		p[k] = (uint8_t)(u >> (8 * k));
}

/* A window over the input that fits, at most kmax taps a side, output at most omax a side. */
static bool window(NpuInsn *i, int kmax, int omax)
{
	for (int tries = 0; tries < 200; tries++) {
		i->kh = (uint8_t)rnd(1, kmax);
		i->kw = (uint8_t)rnd(1, kmax);
		i->sh = (uint8_t)(chance(60) ? 1 : rnd(2, 4));
		i->sw = (uint8_t)(chance(60) ? 1 : rnd(2, 4));
		i->dh = (uint8_t)(chance(75) ? 1 : rnd(2, 3));
		i->dw = (uint8_t)(chance(75) ? 1 : rnd(2, 3));
		int8_t *p[4] = {&i->pt, &i->pl, &i->pb, &i->pr};
		for (int k = 0; k < 4; k++) {
			int r = rnd(1, 100);
			*p[k] = (int8_t)(r <= 70 ? rnd(0, 2) : r <= 85 ? rnd(-2, -1) : rnd(3, 9));
		}
		int spanh = i->dh * (i->kh - 1) + 1, spanw = i->dw * (i->kw - 1) + 1;
		int ih = i->in_h + i->pt + i->pb, iw = i->in_w + i->pl + i->pr;
		if (ih < spanh || iw < spanw)
			continue;
		int oh = (ih - spanh) / i->sh + 1, ow = (iw - spanw) / i->sw + 1;
		if (oh > omax || ow > omax)
			continue;
		i->out_h = (uint16_t)oh;
		i->out_w = (uint16_t)ow;
		return true;
	}
	return false;
}

static void band(NpuInsn *i)
{
	i->oy0 = (uint16_t)(chance(50) ? 0 : rnd(0, i->out_h - 1));
	i->oy1 = (uint16_t)(chance(50) ? i->out_h : rnd(i->oy0 + 1, i->out_h));
}

/* An input view over channels of rows [lo, hi) of w bytes: cstride with or
 * without gaps (or overlapping), row0 at or below lo. */
static void in_view_shape(int nch, int lo, int hi, int w, int64_t *chb, int64_t *cs, int *row0)
{
	*chb = (int64_t)(hi - lo) * w;
	int r = rnd(1, 100), gap = imin(13, (int)(budget / 8 / nch));
	*cs = r <= 60 || gap < 1 ? *chb : r <= 88 ? *chb + rnd(1, gap) : rnd(0, (int)*chb);
	if (nch == 1 && chance(30))
		*cs = rnd(0, 5000); /* unused with one channel */
	*row0 = chance(65) ? lo : lo - rnd(0, imin(lo, 3));
}

/* Places an input view (nch channels, band rows [lo, hi) of w bytes a row):
 * fills v. False when SRAM is full. */
/* A view whose band (from row first, rows of rb bytes) starts at SRAM h,
 * its channels cs apart: its first row row0 (<= first), or first where a
 * view from row0 would begin before SRAM 0. */
static void view_at(NpuView *v, int64_t h, int row0, int first, int64_t rb, int64_t cs)
{
	if (h - (int64_t)(first - row0) * rb < 0)
		row0 = first;
	v->base = S(h - (int64_t)(first - row0) * rb);
	v->cs = (uint32_t)cs;
	v->row0 = (uint16_t)row0;
}

static bool place_view_in(int id, NpuView *v, int nch, int lo, int hi, int w, int align)
{
	if (hi <= lo) { /* the band reads none of it: the view is never looked at */
		v->base = S(rnd(0, (int)M.sram_bytes - 1));
		v->cs = (uint32_t)rnd(0, 100);
		v->row0 = (uint16_t)rnd(0, 3);
		return true;
	}
	int64_t chb, cs;
	int row0;
	in_view_shape(nch, lo, hi, w, &chb, &cs, &row0);
	int64_t h = place_in(id, nch, chb, cs, 35, align);
	if (h < 0)
		return false;
	view_at(v, h, row0, lo, w, cs);
	return true;
}

/* An output view over nch channels of band rows [oy0, oy1) of rb bytes a row. */
static bool place_view_out(Job *j, NpuView *v, int nch, int oy0, int oy1, int64_t rb, int align)
{
	int64_t chb = (int64_t)(oy1 - oy0) * rb;
	int gap = imin(9, (int)(budget / 8 / nch));
	int64_t cs = chance(65) || gap < 1 ? chb : chb + rnd(1, gap);
	if (nch == 1 && chance(30))
		cs = rnd(0, 3000);
	int row0 = chance(65) ? oy0 : oy0 - rnd(0, imin(oy0, 3));
	int64_t hull = (int64_t)(nch - 1) * cs + chb;
	int64_t h = place_out(j->id, hull, align);
	if (h < 0)
		return false;
	view_at(v, h, row0, oy0, rb, cs);
	add_out(j, h, nch, chb, cs);
	return true;
}

/* ---- the instructions ---- */

static int divisors(int n, int *d)
{
	int k = 0;
	for (int x = 1; x <= n; x++)
		if (n % x == 0)
			d[k++] = x;
	return k;
}

static bool prep_conv(Job *j)
{
	NpuInsn i = blank(NPU_CONV);
	int G, cig, cog;
	bool fc = chance(15);
	if (fc) {
		G = 1;
		cig = chance(30) ? rnd(100, 700) : rnd(2, 64);
		cog = rnd(1, 2 * C + 2);
		i.in_h = i.in_w = i.out_h = i.out_w = 1;
		i.kh = i.kw = i.sh = i.sw = i.dh = i.dw = 1;
	} else {
		int k = rnd(0, 9);
		if (k <= 1) { /* depthwise, multiplier 1 or 2 */
			G = rnd(1, 12);
			cig = 1;
			cog = rnd(1, 2);
		} else if (k == 2) {
			G = rnd(2, 4);
			cig = rnd(1, 4);
			cog = rnd(1, 5);
		} else {
			G = 1;
			cig = rnd(1, 12);
			cog = rnd(1, 2 * C + 3);
		}
		i.in_h = (uint16_t)rnd(1, 12);
		i.in_w = (uint16_t)rnd(1, 12);
		if (!window(&i, 5, 12))
			return false;
	}
	i.groups = (uint16_t)G;
	i.in_c = (uint16_t)(G * cig);
	i.out_c = (uint16_t)(G * cog);
	int d[64], nd = divisors(C, d);
	i.cw = (uint16_t)(chance(50) ? npu_block_width(cog, C) : d[rnd(0, nd - 1)]);
	int64_t wb = npu_weight_bytes(i.in_c, i.out_c, G, i.kh, i.kw, i.cw);
	if (wb > M.wbuf_bytes / 2)
		return false;
	switch (rnd(0, 5)) {
	case 0: i.flags = NPU_F_OUT32; break;
	case 1: i.flags = NPU_F_PSUM | (chance(50) ? NPU_F_OUT32 : 0); break;
	case 2: i.flags = NPU_F_RELU; break;
	default: i.flags = 0; break;
	}
	if ((i.flags & NPU_F_PSUM) && !(i.flags & NPU_F_OUT32) && chance(50))
		i.flags |= NPU_F_RELU;
	if (i.in_c > 1 && chance(35)) {
		i.flags |= NPU_F_SPLIT;
		int r = rnd(0, 3);
		i.split = (uint16_t)(r == 0 ? 1 : r == 1 ? i.in_c - 1 : rnd(1, i.in_c - 1));
	}
	if (i.out_c > 1 && chance(35)) {
		i.flags |= NPU_F_OSPLIT;
		int r = rnd(0, 3);
		i.osplit = (uint16_t)(r == 0 ? 1 : r == 1 ? i.out_c - 1 : rnd(1, i.out_c - 1));
	}
	band(&i);
	int lo, hi;
	npu_band_rows(&i, &lo, &hi);
	int64_t e = i.flags & NPU_F_OUT32 ? 4 : 1, rows = i.oy1 - i.oy0;
	int64_t need = (int64_t)i.in_c * (hi - lo) * i.in_w + (int64_t)i.out_c * rows * e * i.out_w +
		       (i.flags & NPU_F_PSUM ? (int64_t)i.out_c * rows * 4 * i.out_w : 0);
	need += need / 2 + 3 * budget / 8 + 64; /* gaps and slack */
	if (need > budget)
		return false;

	/* the weight blocks */
	int tiles = npu_tiles(cog, i.cw);
	int64_t red = (int64_t)cig * i.kh * i.kw;
	uint8_t *blob = xrealloc_(NULL, (size_t)wb);
	bool junk = chance(20); /* the bytes past a tile: 0, or junk nothing reads */
	for (int g = 0; g < G; g++)
		for (int t = 0; t < tiles; t++) {
			uint8_t *blk = blob + (int64_t)(g * tiles + t) * (NPU_PARAM_ROWS + red) * i.cw;
			for (int k = 0; k < i.cw; k++) {
				bool in = t * i.cw + k < cog;
				uint8_t b[9];
				int32_t qm;
				int8_t qs;
				qparams(&qm, &qs);
				st32(b, bias_value());
				st32(b + 4, qm);
				b[8] = (uint8_t)qs;
				for (int r = 0; r < NPU_PARAM_ROWS; r++)
					blk[r * i.cw + k] = in || junk ? b[r] : 0;
				for (int64_t r = 0; r < red; r++)
					blk[(NPU_PARAM_ROWS + r) * i.cw + k] =
						in || junk ? (uint8_t)next() : 0;
			}
		}
	int64_t wa = wbuf_put(blob, wb, i.cw);
	free(blob);
	if (wa < 0)
		return false;
	i.weight = W(wa);

	int split = i.flags & NPU_F_SPLIT ? i.split : i.in_c;
	int osplit = i.flags & NPU_F_OSPLIT ? i.osplit : i.out_c;
	if (!place_view_in(j->id, &i.x, split, lo, hi, i.in_w, 1))
		return false;
	if (i.flags & NPU_F_SPLIT) {
		if (chance(15) && hi > lo && 2 * split >= i.in_c) { /* in the first part's bytes */
			i.x2 = i.x;
			if (chance(50))
				i.x2.base = S(NPU_ADDR(i.x.base) +
					      (uint32_t)rnd(0, 2 * split - i.in_c) * i.x.cs);
		} else if (!place_view_in(j->id, &i.x2, i.in_c - split, lo, hi, i.in_w, 1)) {
			return false;
		}
	}
	int64_t ps_h = -1, ps_chb = 0, ps_cs = 0;
	if (i.flags & NPU_F_PSUM) {
		int64_t rb = 4 * (int64_t)i.out_w, chb = rows * rb;
		int gap = imin(9, (int)(budget / 8 / i.out_c));
		int64_t cs = chance(60) || gap < 1 ? chb : chb + rnd(1, gap);
		int row0 = chance(65) ? i.oy0 : i.oy0 - rnd(0, imin(i.oy0, 3));
		fill_small = chance(50);
		int64_t h = place_in(j->id, i.out_c, chb, cs, 30, 4);
		fill_small = 0;
		if (h < 0)
			return false;
		int64_t b = h - (int64_t)(i.oy0 - row0) * rb;
		if (b < 0)
			b = h, row0 = i.oy0;
		i.psum = i.ps.base = S(b);
		i.ps.cs = (uint32_t)cs;
		i.ps.row0 = (uint16_t)row0;
		ps_h = h, ps_chb = chb, ps_cs = cs;
	}
	bool inplace = ps_h >= 0 && e == 4 && chance(30);
	if (inplace) { /* int32 sums in place (the output's view is psum's), unless over the input */
		int64_t ylo = ps_h, yhi = ps_h + (int64_t)(osplit - 1) * ps_cs + ps_chb, a, b;
		if (vhull(&i.x, split, lo, hi, i.in_w, &a, &b) && a < yhi && ylo < b)
			inplace = false;
		if ((i.flags & NPU_F_SPLIT) && vhull(&i.x2, i.in_c - split, lo, hi, i.in_w, &a, &b) &&
		    a < yhi && ylo < b)
			inplace = false;
	}
	if (inplace) {
		i.y = i.ps;
		add_out(j, ps_h, osplit, ps_chb, ps_cs);
	} else if (!place_view_out(j, &i.y, osplit, i.oy0, i.oy1, e * i.out_w, (int)e)) {
		return false;
	}
	if ((i.flags & NPU_F_OSPLIT) &&
	    !place_view_out(j, &i.y2, i.out_c - osplit, i.oy0, i.oy1, e * i.out_w, (int)e))
		return false;
	i.src = i.x.base;
	i.dst = i.y.base;
	j->i = i;
	return true;
}

static bool prep_pool(Job *j)
{
	NpuInsn i = blank(NPU_POOL);
	i.in_c = i.out_c = (uint16_t)rnd(1, 12);
	i.in_h = (uint16_t)rnd(1, 14);
	i.in_w = (uint16_t)rnd(1, 14);
	if (!window(&i, chance(70) ? 3 : 8, 14))
		return false;
	i.flags = chance(50) ? NPU_F_AVG : 0;
	band(&i);
	int lo, hi;
	npu_band_rows(&i, &lo, &hi);
	int64_t need = (int64_t)i.in_c * ((hi - lo) * i.in_w + (i.oy1 - i.oy0) * i.out_w);
	need += need / 2 + budget / 4 + 64;
	if (need > budget)
		return false;
	if (!place_view_in(j->id, &i.x, i.in_c, lo, hi, i.in_w, 1) ||
	    !place_view_out(j, &i.y, i.in_c, i.oy0, i.oy1, i.out_w, 1))
		return false;
	i.src = i.x.base;
	i.dst = i.y.base;
	j->i = i;
	return true;
}

static bool prep_gavg(Job *j)
{
	NpuInsn i = blank(NPU_GAVG);
	i.in_c = (uint16_t)rnd(1, 20);
	i.in_h = (uint16_t)rnd(1, chance(20) ? 24 : 9);
	i.in_w = (uint16_t)rnd(1, chance(20) ? 24 : 9);
	int64_t n = (int64_t)i.in_c * i.in_h * i.in_w;
	if (n + i.in_c > budget)
		return false;
	int64_t s = place_in(j->id, 1, n, n, 40, 1);
	if (s < 0)
		return false;
	/* in place (over channel 0), or starting before the input (writing
	 * behind its reads), or apart */
	int r = rnd(1, 100);
	int64_t d = r <= 8 ? s : r <= 14 ? behind(s, i.in_c) : -1;
	if (d < 0)
		d = place_out(j->id, i.in_c, 1);
	if (d < 0)
		return false;
	i.src = S(s);
	i.dst = S(d);
	add_out(j, d, 1, i.in_c, i.in_c);
	j->i = i;
	return true;
}

static bool prep_ew(Job *j)
{
	NpuInsn i = blank(NPU_EW);
	int r = rnd(1, 100);
	i.nin = (uint8_t)(r <= 40 ? rnd(1, 5) : r <= 70 ? rnd(6, 12) : r <= 90 ? rnd(13, 31) : 32);
	int64_t n = rnd(1, 300);
	if (n * (i.nin + 1) > budget)
		n = budget / (i.nin + 1);
	if (n < 1)
		return false;
	i.bytes = (uint32_t)n;
	for (int k = 0; k < i.nin; k++) {
		if (k && chance(20)) {
			i.in[k] = i.in[rnd(0, k - 1)];
		} else {
			int64_t a = place_in(j->id, 1, n, n, 50, 1);
			if (a < 0)
				return false;
			i.in[k] = S(a);
		}
		i.coef[k] = chance(75) ? rnd(-3, 3) : chance(50) ? (int32_t)(uint32_t)next() : rnd(-300, 300);
	}
	qparams(&i.qmul, &i.qshift);
	i.flags = chance(50) ? NPU_F_RELU : 0;
	/* in place over an input (one no other input starts before and
	 * overlaps: the one lowest in SRAM will do), or starting before an
	 * input it overlaps (writing behind the reads), or apart */
	r = rnd(1, 100);
	int64_t d = -1;
	if (r <= 20) {
		int64_t cand[NPU_MAX_EW_INPUTS];
		int nc = 0;
		for (int k = 0; k < i.nin; k++) {
			int64_t a = NPU_ADDR(i.in[k]);
			if (r > 12)
				a = behind(a, n);
			bool ok = a >= 0;
			for (int m = 0; m < i.nin && ok; m++)
				ok = !ahead(a, NPU_ADDR(i.in[m]), NPU_ADDR(i.in[m]) + n);
			if (ok)
				cand[nc++] = a;
		}
		if (nc)
			d = cand[rnd(0, nc - 1)];
	}
	if (d < 0)
		d = place_out(j->id, n, 1);
	if (d < 0)
		return false;
	i.dst = S(d);
	add_out(j, d, 1, n, n);
	j->i = i;
	return true;
}

static bool prep_requant(Job *j)
{
	NpuInsn i = blank(NPU_REQUANT);
	bool perch = chance(50);
	int ch = perch ? rnd(1, 12) : 0;
	int64_t n = perch ? (int64_t)ch * rnd(1, 25) : rnd(1, 200);
	if (5 * n > budget)
		return false;
	i.bytes = (uint32_t)n;
	i.flags = chance(50) ? NPU_F_RELU : 0;
	if (perch) {
		uint8_t *t = xrealloc_(NULL, (size_t)ch * NPU_TABLE_ENTRY);
		bool junk = chance(15);
		for (int c = 0; c < ch; c++) {
			int32_t qm;
			int8_t qs;
			qparams(&qm, &qs);
			uint8_t *e = t + c * NPU_TABLE_ENTRY;
			st32(e, qm);
			e[4] = (uint8_t)qs;
			for (int k = 5; k < NPU_TABLE_ENTRY; k++)
				e[k] = junk ? (uint8_t)next() : 0;
		}
		int64_t wa = wbuf_put(t, (int64_t)ch * NPU_TABLE_ENTRY, NPU_TABLE_ENTRY);
		free(t);
		if (wa < 0)
			return false;
		i.flags |= NPU_F_PERCH;
		i.aux = W(wa);
		i.out_c = (uint16_t)ch;
	} else {
		qparams(&i.qmul, &i.qshift);
	}
	fill_small = chance(40);
	int64_t s = place_in(j->id, 1, 4 * n, 4 * n, 40, 4);
	fill_small = 0;
	if (s < 0)
		return false;
	/* in place, or starting before the int32s (writing behind the reads), or apart */
	int r = rnd(1, 100);
	int64_t d = r <= 10 ? s : r <= 16 ? behind(s, n) : -1;
	if (d < 0)
		d = place_out(j->id, n, 1);
	if (d < 0)
		return false;
	i.src = S(s);
	i.dst = S(d);
	add_out(j, d, 1, n, n);
	j->i = i;
	return true;
}

static bool prep_copy_relu(Job *j, int op)
{
	NpuInsn i = blank(op);
	int64_t n = rnd(1, 400);
	if (3 * n + 64 > budget)
		n = (budget - 64) / 3;
	if (n < 1)
		return false;
	i.bytes = (uint32_t)n;
	if (chance(op == NPU_COPY ? 30 : 15)) { /* in one range: overlapping either way */
		int64_t span = n + rnd(1, (int)n + 32);
		int64_t a = place_in(j->id, 1, span, span, 40, 1);
		if (a < 0)
			return false;
		i.src = S(a + rnd(0, (int)(span - n)));
		i.dst = S(a + rnd(0, (int)(span - n)));
		add_out(j, a, 1, span, span);
		j->i = i;
		return true;
	}
	int64_t s = place_in(j->id, 1, n, n, 55, 1);
	if (s < 0)
		return false;
	int64_t d = op == NPU_RELU && chance(50) ? s : place_out(j->id, n, 1);
	if (d < 0)
		return false;
	i.src = S(s);
	i.dst = S(d);
	add_out(j, d, 1, n, n);
	j->i = i;
	return true;
}

enum { K_CONV, K_POOL, K_GAVG, K_EW, K_REQUANT, K_COPY, K_RELU, NKINDS };

static void prep(Job *j, int id, int kind)
{
	memset(j, 0, sizeof *j);
	j->id = id;
	for (int tries = 0; tries < 40 && !j->ok; tries++) {
		int k = kind >= 0 && tries < 20 ? kind : -1;
		if (k < 0) {
			int r = rnd(0, 99);
			k = r < 34 ? K_CONV : r < 46 ? K_POOL : r < 52 ? K_GAVG : r < 70 ? K_EW
			    : r < 82 ? K_REQUANT : r < 91 ? K_COPY : K_RELU;
		}
		j->nout = 0;
		for (int b = 0; b < nbufs; b++) /* what a failed try allocated may go */
			if (bufs[b].born == id)
				bufs[b].owner = bufs[b].ttl = -1;
		switch (k) {
		case K_CONV: j->ok = prep_conv(j); break;
		case K_POOL: j->ok = prep_pool(j); break;
		case K_GAVG: j->ok = prep_gavg(j); break;
		case K_EW: j->ok = prep_ew(j); break;
		case K_REQUANT: j->ok = prep_requant(j); break;
		case K_COPY: j->ok = prep_copy_relu(j, NPU_COPY); break;
		default: j->ok = prep_copy_relu(j, NPU_RELU); break;
		}
	}
}

/* The compute instruction of a job; its dense outputs become available to later jobs. */
static void run_job(const Job *j)
{
	if (!j->ok)
		return;
	emit(j->i, -1);
	for (int k = 0; k < j->nout; k++) {
		const Part *p = &j->out[k];
		if (p->nch == 1 || p->cs == p->chb)
			add_avail(p->a, (int64_t)p->nch * p->chb);
		else
			for (int c = 0; c < p->nch && c < 8; c++)
				add_avail(p->a + c * p->cs, p->chb);
	}
}

/* Right after its compute instruction: now and then a RELU in place over
 * its first output (two computes back to back), and the FREE of its input
 * buffers while the engine may still read them (the next LOADs may land
 * there: the DMA must wait for the engine). */
static void after_job(const Job *j)
{
	if (!j->ok)
		return;
	const Part *p = &j->out[0];
	if (chance(10) && (p->nch == 1 || p->cs == p->chb)) {
		NpuInsn r = blank(NPU_RELU);
		r.src = r.dst = S(p->a);
		r.bytes = (uint32_t)(p->nch * p->chb);
		emit(r, -1);
	}
	if (!chance(30))
		return;
	for (int k = nbufs - 1; k >= 0; k--) {
		bool out = false;
		for (int o = 0; o < j->nout; o++)
			out |= j->out[o].a >= bufs[k].a && j->out[o].a < bufs[k].a + bufs[k].n;
		if (bufs[k].born == j->id && bufs[k].owner == j->id && !out)
			free_buf(k);
	}
}

static void drain(const Job *j)
{
	if (!j->ok)
		return;
	for (int k = 0; k < j->nout; k++)
		drain_part(&j->out[k]);
}

/* Between instructions: a SYNC, a STORE of written bytes in an odd shape
 * (rows read again: source stride 0 or short), WBUF traffic, a burst of
 * small transfers past the DMA queue's depth. */
static void extras(int id)
{
	if (chance(8))
		sync_();
	if (chance(8) && navail) {
		const Avail *v = &avail[rnd(0, navail - 1)];
		int64_t b = rnd(1, (int)imin((int)v->n, 40));
		int rows = rnd(2, 6);
		int64_t ss = chance(50) ? 0 : rnd(1, (int)b);
		if ((rows - 1) * ss + b > v->n)
			ss = 0;
		int cls = out_class();
		int64_t ds = b + (chance(50) ? 0 : rnd(1, 5));
		store(cls, S(v->a), dram_span(cls, (rows - 1) * ds + b, 20), b, rows, ss, ds);
	}
	if (chance(5)) {
		int64_t n = rnd(1, 3 * C + 5);
		uint8_t junk[128];
		for (int k = 0; k < (int)n; k++)
			junk[k] = (uint8_t)next();
		wbuf_put(junk, n, 1);
	}
	if (chance(6)) {
		int cnt = rnd(17, 30);
		int k = salloc(4 * cnt + 8, id);
		if (k >= 0) {
			for (int t = 0; t < cnt; t++) {
				int cls = in_class();
				int nb = rnd(1, 4);
				load(cls, dram_span(cls, nb, 10), S(bufs[k].a + 4 * t), nb, 1, 0, 0);
			}
			bufs[k].ttl = 0;
		}
	}
}

static void expire(void)
{
	for (int k = 0; k < nbufs; k++)
		if (bufs[k].owner < active_lo)
			bufs[k].ttl--;
	for (int k = nbufs - 1; k >= 0; k--)
		if (bufs[k].owner < active_lo && bufs[k].ttl < 0 && chance(80))
			free_buf(k);
}

static void good(uint64_t seed)
{
	rng ^= seed * 0x9e3779b97f4a7c15ull;
	for (int k = 0; k < 20; k++)
		next();
	autosync = true;
	budget = M.sram_bytes * 2 / 5;
	if (budget > 12288)
		budget = 12288;
	int nops = rnd(10, 16), id = 0;
	Job cur, nxt;
	active_lo = 0;
	prep(&cur, id++, (int)(seed % NKINDS));
	for (int k = 0; k < nops; k++) {
		run_job(&cur);
		after_job(&cur);
		extras(id);
		if (k + 1 < nops && chance(50)) { /* the next job's LOADs before this one's STOREs */
			prep(&nxt, id++, -1);
			drain(&cur);
		} else {
			drain(&cur);
			if (k + 1 < nops)
				prep(&nxt, id++, -1);
		}
		active_lo = cur.id + 1;
		expire();
		cur = nxt;
	}
	active_lo = id;
	if (chance(50))
		while (nbufs && free_one())
			;
	sync_();
	emit(blank(NPU_END), -1);
}

/* ---- bad streams ---- */

static void poke(int insn, int word, uint32_t val, bool orr)
{
	pokes[npokes++] = (Poke){insn, word, val, orr};
}

static int last(void)
{
	return ninsns - 1;
}

static void E(NpuInsn i)
{
	emit(i, -1);
}

/* The common start: a live 512-byte buffer at S:0 whose first 256 bytes
 * are loaded, 256 bytes loaded at W:0, synced. */
static void prelude(void)
{
	alloc_(0, 512);
	load(ACT, 0, S(0), 256, 1, 0, 0);
	load(WGT, 0, W(0), 256, 1, 0, 0);
	sync_();
}

/* A valid 1x1 CONV: 2 channels of 2x2 at S:0 to 2 channels at S:0x100, weights at W:0. */
static NpuInsn conv_t(void)
{
	NpuInsn i = blank(NPU_CONV);
	i.src = i.x.base = S(0);
	i.dst = i.y.base = S(0x100);
	i.weight = W(0);
	i.in_c = i.out_c = 2;
	i.in_h = i.in_w = i.out_h = i.out_w = 2;
	i.kh = i.kw = i.sh = i.sw = i.dh = i.dw = 1;
	i.groups = 1;
	i.x.cs = i.y.cs = 4;
	i.oy1 = 2;
	i.cw = (uint16_t)C;
	return i;
}

/* A valid 2x2/2 max POOL: 2 channels of 4x4 at S:0 to 2x2 at S:0x100. */
static NpuInsn pool_t(void)
{
	NpuInsn i = blank(NPU_POOL);
	i.src = i.x.base = S(0);
	i.dst = i.y.base = S(0x100);
	i.in_c = i.out_c = 2;
	i.in_h = i.in_w = 4;
	i.out_h = i.out_w = 2;
	i.kh = i.kw = i.sh = i.sw = 2;
	i.dh = i.dw = 1;
	i.x.cs = 16;
	i.y.cs = 4;
	i.oy1 = 2;
	return i;
}

/* A valid EW of n inputs of 16 elements from S:16k to S:0x100. */
static NpuInsn ew_t(int n)
{
	NpuInsn i = blank(NPU_EW);
	i.dst = S(0x100);
	i.bytes = 16;
	i.nin = (uint8_t)n;
	i.qmul = 1 << 30;
	for (int k = 0; k < n; k++) {
		i.in[k] = S(16 * (k % 16));
		i.coef[k] = 1;
	}
	return i;
}

/* A valid REQUANT of 16 int32s at S:0 to S:0x100 (PERCH: 2 channels, table at W:0). */
static NpuInsn requant_t(bool perch)
{
	NpuInsn i = blank(NPU_REQUANT);
	i.src = S(0);
	i.dst = S(0x100);
	i.bytes = 16;
	if (perch) {
		i.flags = NPU_F_PERCH;
		i.aux = W(0);
		i.out_c = 2;
	} else {
		i.qmul = 1 << 30;
		i.qshift = 3;
	}
	return i;
}

static NpuInsn gavg_t(void)
{
	NpuInsn i = blank(NPU_GAVG);
	i.src = S(0);
	i.dst = S(0x100);
	i.in_c = 2;
	i.in_h = i.in_w = 4;
	return i;
}

static NpuInsn two(int op, uint32_t src, uint32_t dst, uint32_t bytes)
{
	NpuInsn i = blank(op);
	i.src = src;
	i.dst = dst;
	i.bytes = bytes;
	return i;
}

/* What npu_sim must do with the stream (params' expect). */
static const char *expect = "stop";

enum { NBAD = 162 };

static void bad(int kind)
{
	NpuInsn i;
	bool end = true; /* SYNC and END after it */
	autosync = false;
	for (int c = 0; c < 3; c++)
		dram_take(c, 512);
	reg[ACT].n = reg[SPILL].n = reg[WGT].n = 512;
	prelude();
	switch (kind) {
	/* -- encoding -- */
	case 0: E(blank(0x33)); break;                                     /* unknown opcode */
	case 1: i = blank(NPU_OPERANDS); E(i); break;                      /* OPERANDS, no EW */
	case 2: E(blank(NPU_VIEW)); break;                                 /* VIEW, no CONV */
	case 3: E(blank(NPU_SYNC)); poke(last(), 0, 1u << 24, true); break; /* w0 bits 24-31 */
	case 4: i = two(NPU_COPY, S(0), S(0x100), 4); i.flags = NPU_F_AVG; E(i); break;
	case 5: E(blank(NPU_SYNC)); poke(last(), 0, 3u << 16, true); break; /* count field */
	case 6: E(blank(NPU_SYNC)); poke(last(), 7, 5, false); break;       /* reserved word */
	case 7: load(3, 0, S(0x100), 4, 1, 0, 0); break;                     /* LOAD class 3 */
	case 8: store(WGT, S(0), 0, 4, 1, 0, 0); break;                      /* STORE of class weight */
	case 9: load(ACT, 0, S(0x100), 0, 1, 0, 0); break;                   /* zero bytes */
	case 10: load(ACT, 0, S(0x100), 1u << 30, 1, 0, 0); break;           /* 2^30 bytes */
	case 11: load(ACT, 0, S(0x100), 4, 1, 0, 0); poke(last(), 4, 1u << 16, true); break;
	case 12: load(ACT, 0, S(0x100), 4, 0, 0, 0); break;                  /* zero rows */
	case 13: load(ACT, 0, S(0x100), 4, 1, 0, 0); poke(last(), 5, 8, false); break;
	case 14: load(ACT, 0, S(0x100), 8, 2, 8, 7); break;                  /* rows overlap */
	case 15: store(SPILL, S(0), 0, 8, 3, 8, 4); break;
	case 16: i = two(NPU_LOAD, S(0), S(0x100), 4); i.rows = 1; E(i); break; /* LOAD from SRAM */
	case 17: load(ACT, 0, D(0), 4, 1, 0, 0); break;                      /* LOAD to DRAM */
	case 18: i = two(NPU_STORE, W(0), D(0), 4); i.rows = 1; E(i); break;
	case 19: i = two(NPU_STORE, S(0), S(0x100), 4); i.rows = 1; E(i); break;
	case 20: E(two(NPU_COPY, D(0), S(0x100), 4)); break;
	case 21: E(two(NPU_RELU, S(0), W(0), 4)); break;
	case 22: i = blank(NPU_ALLOC); i.dst = W(0); i.bytes = 8; E(i); break;
	case 23: E(two(NPU_COPY, S(0), S(0x100), 0)); break;
	case 24: E(two(NPU_RELU, S(0), S(0x100), 0)); break;
	case 25: i = blank(NPU_ALLOC); i.dst = S(0x400); E(i); break;
	/* -- CONV -- */
	case 26: i = conv_t(); i.in_h = 0; E(i); break;
	case 27: i = conv_t(); i.out_w = 0; E(i); break;
	case 28: i = conv_t(); i.kw = 0; E(i); break;
	case 29: i = conv_t(); i.sh = 0; E(i); break;
	case 30: i = conv_t(); i.dw = 0; E(i); break;
	case 31: i = conv_t(); i.kh = i.kw = 3; i.pt = -1; E(i); break;      /* does not fit */
	case 32: i = conv_t(); i.out_w = 3; E(i); break;                     /* other output */
	case 33: i = conv_t(); i.oy0 = i.oy1 = 1; E(i); break;               /* empty band */
	case 34: i = conv_t(); i.oy1 = 3; E(i); break;                       /* band past out_h */
	case 35: i = conv_t(); i.groups = 0; E(i); break;
	case 36: i = conv_t(); i.out_c = 3; i.groups = 2; E(i); break;
	case 37: i = conv_t(); i.src = i.x.base = W(0); E(i); break;
	case 38: i = conv_t(); i.dst = i.y.base = D(0); E(i); break;
	case 39: i = conv_t(); i.weight = S(0); E(i); break;
	case 40: i = conv_t(); i.flags = NPU_F_PSUM; i.psum = i.ps.base = W(0); i.ps.cs = 16; E(i); break;
	case 41: i = conv_t(); E(i); poke(last(), 4, S(0x40), false); break; /* w4 without PSUM */
	case 42: i = conv_t(); i.flags = NPU_F_RELU | NPU_F_OUT32; E(i); break;
	case 43: i = conv_t(); E(i); poke(last(), 12, 1u << 16, true); break;
	case 44: i = conv_t(); i.cw = 0; E(i); break;
	case 45: i = conv_t(); i.flags = NPU_F_SPLIT; i.x2.base = S(4); E(i); break; /* split 0 */
	case 46: i = conv_t(); i.flags = NPU_F_SPLIT; i.split = 2; i.x2.base = S(4); E(i); break;
	case 47: i = conv_t(); i.flags = NPU_F_SPLIT; i.split = 1; i.x2.base = W(4); E(i); break;
	case 48: i = conv_t(); E(i); poke(last(), 13, S(4), false); break;   /* w13 without SPLIT */
	case 49: i = conv_t(); i.flags = NPU_F_OSPLIT; i.osplit = 2; i.y2.base = S(0x104); E(i); break;
	case 50: i = conv_t(); i.flags = NPU_F_OSPLIT; i.osplit = 1; i.y2.base = D(4); E(i); break;
	case 51: i = conv_t(); E(i); poke(last(), 15, S(0x104), false); break;
	case 52: i = conv_t(); E(i); poke(last(), 14, 1u << 16, true); break;
	case 53: i = conv_t(); E(i); poke(last(), -16, 0, false); end = false; break; /* no VIEW: cut */
	case 54: i = conv_t(); E(i); poke(last(), 16, NPU_SYNC, false); break; /* a SYNC for its VIEW */
	case 55: i = conv_t(); E(i); poke(last(), 16, 1u << 8, true); break;
	case 56: i = conv_t(); E(i); poke(last(), 16 + 9, 7, false); break;
	case 57: i = conv_t(); E(i); poke(last(), 16 + 2, 1u << 16, true); break;
	case 58: i = conv_t(); E(i); poke(last(), 16 + 3, 8, false); break;
	case 59: i = conv_t(); E(i); poke(last(), 16 + 5, 1u << 16, true); break;
	case 60: i = conv_t(); E(i); poke(last(), 16 + 6, 8, false); break;
	case 61: i = conv_t(); E(i); poke(last(), 16 + 7, 8, false); break;
	case 62: i = conv_t(); E(i); poke(last(), 16 + 8, 1, false); break;
	case 63: /* w8's high half, with PSUM */
		i = conv_t();
		i.flags = NPU_F_PSUM;
		i.psum = i.ps.base = S(0x40);
		i.ps.cs = 16;
		E(i);
		poke(last(), 16 + 8, 1u << 16, true);
		break;
	case 64: i = conv_t(); i.x.row0 = 1; E(i); break;                     /* src row0 past */
	case 65: i = conv_t(); i.flags = NPU_F_SPLIT; i.split = 1; i.x2.base = S(4); i.x2.row0 = 2; E(i); break;
	case 66: i = conv_t(); i.oy0 = 1; i.y.row0 = 2; E(i); break;
	case 67: i = conv_t(); i.flags = NPU_F_OSPLIT; i.osplit = 1; i.y2.base = S(0x104); i.y2.row0 = 1; E(i); break;
	case 68: i = conv_t(); i.flags = NPU_F_PSUM; i.psum = i.ps.base = S(0x40); i.ps.cs = 16; i.ps.row0 = 1; E(i); break;
	/* -- POOL, GAVG, REQUANT, EW -- */
	case 69: i = pool_t(); E(i); poke(last(), 9, 1u << 16, true); break; /* groups */
	case 70: i = pool_t(); i.out_c = 3; E(i); break;
	case 71: i = pool_t(); i.x.row0 = 1; E(i); break;
	case 72: i = pool_t(); i.oy0 = 1; i.y.row0 = 2; E(i); break;
	case 73: i = pool_t(); i.flags = NPU_F_SPLIT; E(i); break;
	case 74: i = gavg_t(); E(i); poke(last(), 6, 1u << 16, true); break;
	case 75: i = gavg_t(); i.in_c = 0; E(i); break;
	case 76: i = gavg_t(); i.dst = W(0); E(i); break;
	case 77: i = requant_t(false); E(i); poke(last(), 5, 1u << 8, true); break;
	case 78: i = requant_t(false); i.bytes = 0; E(i); break;
	case 79: i = requant_t(false); E(i); poke(last(), 6, W(0), false); break; /* w6 without PERCH */
	case 80: i = requant_t(true); E(i); poke(last(), 4, 5, false); break;
	case 81: i = requant_t(true); i.aux = S(0); E(i); break;
	case 82: i = requant_t(true); i.aux = W(4); E(i); break;
	case 83: i = requant_t(true); E(i); poke(last(), 7, 1u << 16, true); break;
	case 84: i = requant_t(true); i.out_c = 3; E(i); break;
	case 85: i = requant_t(true); i.out_c = 0; E(i); break;
	case 86: i = ew_t(1); E(i); poke(last(), 0, NPU_EW, false); break; /* 0 inputs */
	case 87: i = ew_t(1); E(i); poke(last(), 0, NPU_EW | 33u << 16, false); break;
	case 88: i = ew_t(2); i.bytes = 0; E(i); break;
	case 89: i = ew_t(2); E(i); poke(last(), 4, 1u << 8, true); break;
	case 90: i = ew_t(2); E(i); poke(last(), 9, 5, false); break;       /* after 2 inputs */
	case 91: i = ew_t(9); E(i); poke(last(), -16, 0, false); end = false; break; /* cut */
	case 92: i = ew_t(9); E(i); poke(last(), 16, NPU_SYNC, false); break;
	case 93: i = ew_t(9); E(i); poke(last(), 16, 1u << 8, true); break;
	case 94: i = ew_t(9); E(i); poke(last(), 16, 1u << 24, true); break;
	case 95: i = ew_t(9); E(i); poke(last(), 16, NPU_OPERANDS | 3u << 16, false); break;
	case 96: i = ew_t(9); E(i); poke(last(), 16 + 12, 1, false); break;
	case 97: i = ew_t(9); i.in[6] = D(0); E(i); break;                   /* in6 in DRAM */
	case 98: i = ew_t(2); i.dst = D(0); E(i); break;
	case 99: end = false; break;                                         /* no END */
	case 100: E(blank(NPU_END)); break;                                  /* words after END */
	/* -- the machine: bounds, live buffers -- */
	case 101: E(two(NPU_RELU, S(0x1f0), S(0x100), 32)); break;          /* read past the buffer */
	case 102: E(two(NPU_COPY, S(0), S(0x300), 16)); break;              /* write outside */
	case 103: /* a read across the gap between two live buffers */
		alloc_(0x220, 64);
		load(ACT, 0, S(0x220), 64, 1, 0, 0);
		sync_();
		E(two(NPU_COPY, S(0x1f0), S(0x100), 0x40));
		break;
	case 104: E(two(NPU_RELU, S(M.sram_bytes - 4), S(0x100), 8)); break;
	case 105: i = conv_t(); i.weight = W(M.wbuf_bytes - 2 * C); E(i); break;
	case 106: load(SPILL, 500, S(0x100), 16, 1, 0, 0); break;          /* DRAM past the image */
	case 107: store(SPILL, S(0), 510, 8, 1, 0, 0); break;
	case 108: load(SPILL, 0, S(0x100), 8, 3, 300, 8); break;           /* its last row past */
	case 109: load(WGT, 0, W(M.wbuf_bytes - C), 2 * C, 1, 0, 0); break; /* WBUF past its end */
	case 110: alloc_(M.sram_bytes - 8, 16); break;
	case 111: alloc_(0x1fc, 8); break;
	case 112: free_(0x200, 16); break;
	case 113: free_(0, 256); break;
	case 114: load(ACT, 0, S(0x100), 16, 1, 0, 0); end = false; E(blank(NPU_END)); break;
	/* -- DMA hazards -- */
	case 115: load(ACT, 0, S(0x100), 16, 1, 0, 0); E(two(NPU_RELU, S(0x108), S(0x180), 4)); break;
	case 116: store(ACT, S(0x10), 0, 16, 1, 0, 0); E(two(NPU_RELU, S(0), S(0x18), 4)); break;
	case 117: load(WGT, 0, W(0), 16, 1, 0, 0); E(conv_t()); break;
	case 118: load(ACT, 0, S(0x100), 16, 1, 0, 0); load(SPILL, 0, S(0x10c), 16, 1, 0, 0); break;
	case 119: store(SPILL, S(0x20), 0, 16, 1, 0, 0); load(ACT, 0, S(0x28), 4, 1, 0, 0); break;
	case 120: load(ACT, 0, S(0x100), 16, 1, 0, 0); store(SPILL, S(0x104), 0, 4, 1, 0, 0); break;
	case 121: load(WGT, 0, W(0x40), 2 * C, 1, 0, 0); load(WGT, 64, W(0x40 + C), 2, 1, 0, 0); break;
	case 122: store(ACT, S(0x10), 0, 16, 1, 0, 0); free_(0, 512); break;
	case 123: alloc_(0x200, 32); load(ACT, 0, S(0x200), 32, 1, 0, 0); free_(0x200, 32); break;
	case 124: load(WGT, 0, W(C > 1 ? 1 : 0), 8, 1, 0, 0); break;      /* WBUF: not a row */
	case 125: load(WGT, 0, W(0), C, 2, C, C + 1); break;                /* WBUF: stride */
	case 126: i = conv_t(); i.cw = (uint16_t)(C + 1); E(i); break;     /* cw does not divide C */
	case 127: i = conv_t(); i.cw = (uint16_t)(C > 1 ? C / 2 : 1); i.weight = W(C > 1 ? 1 : 0); E(i); break;
	/* -- bytes never written: fsim refuses, the RTL does not check -- */
	case 128: expect = "fsim"; E(two(NPU_RELU, S(0xf8), S(0x180), 16)); break;
	case 129: expect = "fsim"; i = conv_t(); i.weight = W(0x100); E(i); break;
	case 130: expect = "fsim"; store(ACT, S(0xf0), 0, 32, 1, 0, 0); break;
	case 131: /* channel 1 never written (the output past the input's hull) */
		expect = "fsim";
		i = conv_t();
		i.x.cs = 0x180;
		i.dst = i.y.base = S(0x190);
		E(i);
		break;
	case 132: expect = "fsim"; free_(0, 512); alloc_(0, 512); E(two(NPU_COPY, S(0), S(0x100), 4)); break;
	case 133: expect = "fsim"; i = requant_t(true); i.aux = W(0x200); E(i); break;
	/* -- more operands outside live buffers, past ends, racing -- */
	case 134: store(ACT, S(0x1f8), 0, 16, 1, 0, 0); break;
	case 135: i = conv_t(); i.flags = NPU_F_OSPLIT; i.osplit = 1; i.y2.base = S(0x3f0); E(i); break;
	case 136: i = conv_t(); i.flags = NPU_F_SPLIT; i.split = 1; i.x2.base = S(M.sram_bytes - 2); E(i); break;
	case 137: /* POOL writes what a STORE reads */
		store(SPILL, S(0x84), 0, 8, 1, 0, 0);
		i = pool_t();
		i.dst = i.y.base = S(0x80);
		E(i);
		break;
	case 138: load(ACT, 0, S(0x10), 8, 1, 0, 0); E(gavg_t()); break;
	case 139: load(WGT, 0, W(0), 8, 1, 0, 0); E(requant_t(true)); break;
	case 140: i = ew_t(12); i.in[9] = S(0x3f0); E(i); break;
	case 141: load(ACT, 0, S(0x100), 8, 1, 0, 0); i = ew_t(12); i.in[10] = S(0x104); E(i); break;
	case 142: i = conv_t(); i.flags = NPU_F_PSUM; i.psum = i.ps.base = S(0x1f0); i.ps.cs = 16; E(i); break;
	case 143: store(ACT, S(0), 0, 8, 1, 0, 0); i = conv_t(); i.dst = i.y.base = S(0); E(i); break;
	case 144: load(ACT, 0, S(0x1c0), 4, 1, 0, 0); i = conv_t(); i.flags = NPU_F_SPLIT; i.split = 1; i.x2.base = S(0x1c0); E(i); break;
	case 145: /* a PERCH table past the end of the WBUF */
		load(WGT, 0, W(M.wbuf_bytes - C), C, 1, 0, 0);
		sync_();
		i = requant_t(true);
		i.aux = W(M.wbuf_bytes - 8);
		E(i);
		break;
	case 146: load(ACT, 0, S(0x100), 4, 1, 0, 0); free_(0, 512); break;
	/* -- the RTL's tables: fsim has no limit -- */
	case 147: /* one live buffer more than the table holds */
		expect = "limit";
		for (int k = 0; k < HW_NBUF; k++)
			alloc_(0x200 + 4 * k, 4);
		break;
	case 148: /* one transfer more than the table holds without a SYNC */
		expect = "limit";
		for (int k = 0; k <= HW_NPEND; k++)
			load(ACT, k, S(0x100 + k), 1, 1, 0, 0);
		break;
	case 149: /* EW with an input past the end of SRAM, in a continuation */
		i = ew_t(7);
		i.in[5] = S(M.sram_bytes - 8);
		E(i);
		break;
	/* -- an output over the instruction's own inputs -- */
	case 150: i = ew_t(2); i.dst = S(0x14); E(i); break;               /* 4 bytes into in1 */
	case 151: i = ew_t(12); i.dst = S(0x9f); E(i); break;              /* in9's last byte: a continuation */
	case 152: i = requant_t(false); i.dst = S(0x20); E(i); break;      /* into its int32s */
	case 153: i = requant_t(true); i.dst = S(0x1); E(i); break;
	case 154: i = gavg_t(); i.dst = S(0x1f); E(i); break;
	case 155: i = conv_t(); i.dst = i.y.base = S(0); E(i); break;       /* CONV in place */
	case 156: i = conv_t(); i.src = i.x.base = S(4); i.dst = i.y.base = S(0); E(i); break; /* over, from before */
	case 157: /* dst2 over src2, dst2 over src; both dst over src2 and dst2 over src */
	case 158:
	case 161:
		i = conv_t();
		i.flags = NPU_F_SPLIT | NPU_F_OSPLIT;
		i.split = i.osplit = 1;
		i.x2 = (NpuView){S(0x40), 4, 0};
		i.y2 = (NpuView){S(kind == 157 ? 0x42 : 0x2), 4, 0};
		if (kind == 161)
			i.dst = i.y.base = S(0x42);
		E(i);
		break;
	case 159: i = pool_t(); i.dst = i.y.base = S(0x1c); E(i); break;
	case 160: /* int32 sums 4 bytes ahead of the partial sums they start from */
		i = conv_t();
		i.flags = NPU_F_PSUM | NPU_F_OUT32;
		i.psum = i.ps.base = S(0x40);
		i.ps.cs = i.y.cs = 16;
		i.dst = i.y.base = S(0x44);
		E(i);
		break;
	}
	if (end) {
		if (kind != 114 && kind != 100 && strcmp(expect, "limit") != 0)
			sync_();
		if (kind == 148)
			sync_();
		E(blank(NPU_END));
	}
	if (kind == 100)
		E(blank(NPU_SYNC));
}

/* ---- good cases: fixed streams of what the rules allow at their edges ---- */

/* Cases 7 and 8 (a CONV writing over its partial sums through another view)
 * were good streams until the rule admitted only the sums' very view: fsim
 * and the RTL refuse them now, so they are not run as good cases. */
enum { NCASES = 7 };

/* A CONV with a k x k window (padding p) over in_c channels of in_h x in_w
 * to out_c, weights at W:0 in blocks of C; the views dense, to be placed. */
static NpuInsn conv_k(int in_c, int in_h, int in_w, int out_c, int k, int p)
{
	NpuInsn i = blank(NPU_CONV);
	i.in_c = (uint16_t)in_c, i.in_h = (uint16_t)in_h, i.in_w = (uint16_t)in_w;
	i.out_c = (uint16_t)out_c;
	i.kh = i.kw = (uint8_t)k;
	i.sh = i.sw = i.dh = i.dw = 1;
	i.pt = i.pl = i.pb = i.pr = (int8_t)p;
	i.out_h = (uint16_t)(in_h + 2 * p - k + 1), i.out_w = (uint16_t)(in_w + 2 * p - k + 1);
	i.oy1 = i.out_h;
	i.groups = 1;
	i.cw = (uint16_t)C;
	i.weight = W(0);
	return i;
}

static void view(NpuView *v, int64_t at, int64_t cs, int row0)
{
	v->base = S(at);
	v->cs = (uint32_t)cs;
	v->row0 = (uint16_t)row0;
}

/* The parameter rows of the weight block at WBUF (and weight region) offset
 * at, blocks of cw: biases of a few hundred, qmul 2^30, qshift 2 (outputs
 * that do not saturate, from sums of a few hundred). */
static void sane_params(int64_t at, int cw)
{
	for (int k = 0; k < cw; k++) {
		uint8_t b[9];
		st32(b, rnd(-300, 300));
		st32(b + 4, 1 << 30);
		b[8] = 2;
		for (int r = 0; r < NPU_PARAM_ROWS; r++)
			*reg_at(WGT, at + (int64_t)r * cw + k) = b[r];
	}
}

/* n small int32s (-1000..1000) at offset at of region cls. */
static void small_i32(int cls, int64_t at, int64_t n)
{
	for (int64_t k = 0; k < n; k++)
		st32(reg_at(cls, at + 4 * k), rnd(-1000, 1000));
}

/* Good streams written by hand (expect ok): each must run on npu_sim to
 * fsim's DRAM image and counters.  The DRAM regions hold 16 KiB of random
 * bytes each; SRAM 0..A-1 is one live buffer (A: 8 KiB, or 16 KiB when
 * SRAM is larger), all but its last KiB loaded; the WBUF's first 2 KiB
 * holds random weights. */
static void good_case(int k)
{
	NpuInsn i;
	autosync = false;
	for (int c = 0; c < 3; c++)
		dram_take(c, 16384);
	reg[ACT].n = reg[SPILL].n = reg[WGT].n = 16384;
	int64_t A = M.sram_bytes > 16384 ? 16384 : 8192;
	alloc_(0, A);
	load(SPILL, 0, S(0), A - 1024, 1, 0, 0);
	load(WGT, 0, W(0), 2048, 1, 0, 0);
	sync_();
	int R = M.mac_rows;
	switch (k) {
	case 0: /* a STORE over DRAM bytes a LOAD before it still reads (no SYNC between) */
		load(ACT, 0x400, S(0x200), 256, 1, 0, 0);
		store(ACT, S(0), 0x4ba, 16, 1, 0, 0);
		sync_();
		load(ACT, 0x100, S(0x400), 40, 8, 64, 40); /* 2-D: rows 64 apart */
		store(ACT, S(0x10), 0x100 + 7 * 64 + 20, 16, 1, 0, 0); /* over its last row */
		store(ACT, S(0x20), 0x100 + 28, 24, 4, 24, 64); /* over its rows' tails and gaps */
		load(SPILL, 0x800, S(0x600), 512, 1, 0, 0);
		store(SPILL, S(0x30), 0x800, 512, 1, 0, 0); /* the same bytes, whole */
		sync_();
		store(ACT, S(0x200), 0x800, 256, 1, 0, 0);
		store(ACT, S(0x400), 0xa00, 320, 1, 0, 0);
		store(SPILL, S(0x600), 0xc00, 512, 1, 0, 0);
		break;
	case 1: /* POOL bands reading no input row (all padding): the src view is
		 * never looked at, so its row0, its place and its bounds do not matter */
		for (int v = 0; v < 3; v++) {
			i = blank(NPU_POOL);
			i.in_c = i.out_c = 2, i.in_h = 2, i.in_w = 4, i.out_h = 5, i.out_w = 4;
			i.kh = 2, i.kw = i.sh = i.sw = i.dh = i.dw = 1;
			i.pt = 3, i.pb = 1; /* rows 0..1 read padding only */
			i.oy0 = 0, i.oy1 = 2;
			i.flags = v == 1 ? NPU_F_AVG : 0;
			int64_t src = v == 0 ? 0x100 : v == 1 ? 0x1000 + (int64_t)C : M.sram_bytes - 4;
			view(&i.x, src, 8, v == 0 ? 1 : 0); /* row0 past the band's, outside any buffer, past SRAM */
			view(&i.y, 0xc00 + 16 * v, 8, 0);
			i.src = i.x.base, i.dst = i.y.base;
			E(i);
		}
		sync_();
		store(ACT, S(0xc00), 0, 48, 1, 0, 0);
		break;
	case 2: /* CONV bands reading no input row: src and src2 views anywhere,
		 * the output over them (no input: nothing to overwrite) */
		i = conv_k(3, 2, 4, 3, 1, 0);
		i.kh = 2, i.pt = 3, i.pb = 1, i.out_h = 5;
		i.oy0 = 0, i.oy1 = 2;
		i.flags = NPU_F_SPLIT | NPU_F_OSPLIT | NPU_F_RELU, i.split = 1, i.osplit = 2;
		view(&i.x, 0xc00, 8, 3);
		view(&i.x2, M.sram_bytes - 2, 8, 2);
		view(&i.y, 0xc00, 8, 0);
		view(&i.y2, 0xc10, 8, 0);
		i.src = i.x.base, i.dst = i.y.base;
		i.cw = (uint16_t)(C > 1 ? C / 2 : 1);
		E(i);
		i.flags = NPU_F_OUT32 | NPU_F_PSUM; /* with partial sums */
		i.oy0 = 1, i.oy1 = 2;
		view(&i.ps, 0x100, 64, 1);
		i.psum = i.ps.base;
		view(&i.y, 0xd00, 16, 1);
		view(&i.y2, 0xd20, 16, 1);
		E(i);
		sync_();
		store(ACT, S(0xc00), 0, 24, 1, 0, 0);
		store(SPILL, S(0xd00), 0x100, 48, 1, 0, 0);
		break;
	case 3: /* EW in place over in0 with in1 inside in0; EW starting before its inputs */
		i = blank(NPU_EW);
		i.nin = 3, i.bytes = 200, i.qmul = 1 << 30, i.qshift = 2;
		i.in[0] = S(0x100), i.in[1] = S(0x140), i.in[2] = S(0x800);
		i.coef[0] = 3, i.coef[1] = -2, i.coef[2] = 1;
		i.dst = S(0x100);
		E(i);
		i.nin = 10, i.flags = NPU_F_RELU; /* 9 bytes before in0, in1 .. in9 after it */
		for (int n = 0; n < 10; n++)
			i.in[n] = S(0x400 + 24 * n), i.coef[n] = n - 4;
		i.dst = S(0x400 - 9);
		E(i);
		sync_();
		store(ACT, S(0x100), 0, 200, 1, 0, 0);
		store(ACT, S(0x400 - 9), 0x200, 200, 1, 0, 0);
		break;
	case 4: /* REQUANT and GAVG in place and starting before their input */
		i = blank(NPU_REQUANT);
		i.bytes = 100, i.qmul = 1 << 30, i.qshift = 20;
		i.src = i.dst = S(0x100);
		E(i);
		i.src = S(0x300), i.dst = S(0x300 - 99); /* 99 bytes before: all but one behind */
		i.flags = NPU_F_PERCH, i.aux = W(0x100), i.out_c = 4;
		E(i);
		i = blank(NPU_GAVG);
		i.in_c = 24, i.in_h = 3, i.in_w = 5;
		i.src = i.dst = S(0x600);
		E(i);
		i.src = S(0x800), i.dst = S(0x800 - 23);
		E(i);
		sync_();
		store(ACT, S(0x100), 0, 100, 1, 0, 0);
		store(ACT, S(0x300 - 99), 0x100, 100, 1, 0, 0);
		store(ACT, S(0x600), 0x200, 24, 1, 0, 0);
		store(ACT, S(0x800 - 23), 0x240, 24, 1, 0, 0);
		break;
	case 5: /* COPY and RELU overlapping either way, by less and more than a window */
		E(two(NPU_COPY, S(0x100), S(0x103), 300));
		E(two(NPU_COPY, S(0x343), S(0x300), 300));
		E(two(NPU_RELU, S(0x600), S(0x640), 300));
		E(two(NPU_RELU, S(0x901), S(0x900), 300));
		sync_();
		store(ACT, S(0x100), 0, 0xb00, 1, 0, 0);
		break;
	case 6: { /* int32 partial sums in place (the output's view is psum's):
		   * two tiles, several pixel tiles a row, in two bands */
		int w = 2 * R + 1;
		i = conv_k(3, 3, w, C + 2, 3, 1);
		view(&i.x, 0x40, 3 * w, 0);
		int64_t cs = 4 * 3 * (int64_t)w + 4;
		i.flags = NPU_F_OUT32 | NPU_F_PSUM;
		view(&i.ps, 0x400, cs, 0);
		i.psum = i.ps.base;
		i.y = i.ps;
		i.src = i.x.base, i.dst = i.y.base;
		i.oy0 = 0, i.oy1 = 1;
		E(i);
		i.oy0 = 1, i.oy1 = 3;
		E(i);
		sync_();
		store(SPILL, S(0x400), 0, (uint32_t)((C + 1) * cs + 12 * w), 1, 0, 0);
		break;
	}
	case 7: /* int8 outputs from the first byte of their partial sums: channel
		 * 1's first pixels land on channel 0's sums two pixel tiles on */
		i = conv_k(1, 1, 8 * R, 2, 1, 0);
		view(&i.x, 0x40, 8 * R, 0);
		i.flags = NPU_F_PSUM;
		sane_params(0, C); /* and the sums loaded from spill 0x200 small */
		small_i32(SPILL, 0x200, 16 * R);
		view(&i.ps, 0x200, 32 * R, 0);
		i.psum = i.ps.base;
		view(&i.y, 0x200, 8 * R, 0);
		i.src = i.x.base, i.dst = i.y.base;
		E(i);
		sync_();
		store(ACT, S(0x200), 0, 16 * R, 1, 0, 0);
		break;
	default: /* 8: int32 outputs starting 8R bytes before their partial sums (same
		  * strides): channel 1's first pixels land on channel 0's last sums */
		i = conv_k(1, 1, 8 * R, 2, 1, 0);
		view(&i.x, 0x40, 8 * R, 0);
		i.flags = NPU_F_PSUM | NPU_F_OUT32;
		view(&i.ps, 0x400, 32 * R, 0);
		i.psum = i.ps.base;
		view(&i.y, 0x400 - 8 * R, 32 * R, 0);
		i.src = i.x.base, i.dst = i.y.base;
		E(i);
		sync_();
		store(SPILL, S(0x400 - 8 * R), 0, 64 * R, 1, 0, 0);
		break;
	}
	sync_();
	free_(0, A);
	E(blank(NPU_END));
}

/* ---- output ---- */

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
	/* lay the regions out: weights, act, spill, each 64-byte aligned */
	int64_t at = 0;
	int order[3] = {WGT, ACT, SPILL};
	for (int k = 0; k < 3; k++) {
		Region *r = &reg[order[k]];
		base[order[k]] = at;
		int64_t n = up(r->n, 64);
		if (n > r->cap) {
			r->b = xrealloc_(r->b, (size_t)n);
			r->cap = n;
		}
		for (int64_t j = r->n; j < n; j++)
			r->b[j] = (uint8_t)next();
		r->n = n;
		at += n;
	}
	int64_t dbytes = at ? at : 64;
	uint8_t *img = xrealloc_(NULL, (size_t)dbytes);
	memset(img, 0, (size_t)dbytes);
	for (int k = 0; k < 3; k++)
		if (reg[k].n)
			memcpy(img + base[k], reg[k].b, (size_t)reg[k].n);
	write_file(dir, "dram.bin", img, (size_t)dbytes);
	free(img);

	size_t nw = 0, cap = 0;
	uint32_t *w = NULL;
	size_t *at_insn = xrealloc_(NULL, (size_t)(ninsns + 1) * sizeof *at_insn);
	for (int k = 0; k < ninsns; k++) {
		NpuInsn i = insns[k];
		if (rel[k] >= 0) {
			uint32_t *ref = i.op == NPU_LOAD ? &i.src : &i.dst;
			*ref = D(NPU_ADDR(*ref) + (uint32_t)base[(int)rel[k]]);
		}
		size_t n = npu_insn_words(&i);
		if (nw + n > cap) {
			cap = 2 * (nw + n) + 1024;
			w = xrealloc_(w, cap * sizeof *w);
		}
		at_insn[k] = nw;
		nw += npu_encode(&i, w + nw);
	}
	for (int k = 0; k < npokes; k++) {
		const Poke *p = &pokes[k];
		if (p->word < 0) { /* cut the stream: drop the instruction's last slot on */
			nw = at_insn[p->insn] + (size_t)(-p->word);
			continue;
		}
		uint32_t *x = &w[at_insn[p->insn] + (size_t)p->word];
		*x = p->orr ? *x | p->val : p->val;
	}
	uint8_t *b = xrealloc_(NULL, 4 * nw);
	for (size_t k = 0; k < nw; k++)
		for (int j = 0; j < 4; j++)
			b[4 * k + (size_t)j] = (uint8_t)(w[k] >> (8 * j));
	write_file(dir, "stream.bin", b, 4 * nw);
	free(b);

	char path[4096];
	snprintf(path, sizeof path, "%s/stream.lst", dir);
	FILE *f = fopen(path, "w");
	if (!f)
		die("cannot write %s", path);
	for (size_t pos = 0, k = 0; pos < nw; k++) {
		NpuInsn i;
		Err e;
		size_t used = npu_decode(w + pos, nw - pos, k, &i, &e);
		fprintf(f, "%6zu  ", k);
		if (!used) {
			fprintf(f, "?? %s\n", e.msg);
			break;
		}
		npu_disasm(&i, f);
		pos += used;
	}
	fclose(f);

	snprintf(path, sizeof path, "%s/params", dir);
	f = fopen(path, "w");
	if (!f)
		die("cannot write %s", path);
	fprintf(f, "stream_base=%lld\nweight_end=%lld\nact_end=%lld\nexpect=%s\n",
		(long long)up(dbytes, NPU_INSN_BYTES), (long long)base[ACT], (long long)base[SPILL],
		expect);
	fclose(f);
	free(w);
	free(at_insn);
}

static void read_config(const char *path, Config *c)
{
	Err e;
	memset(&e, 0, sizeof e);
	if (cfg_read(path, c, &e))
		die("%s", e.msg);
	M = pipeline_cost_model(c);
	C = M.mac_cols;
}

int main(int argc, char **argv)
{
	Config cfg;
	if (argc == 2 && strcmp(argv[1], "nbad") == 0) {
		printf("%d\n", NBAD);
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "ncases") == 0) {
		printf("%d\n", NCASES);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "config") == 0) {
		read_config(argv[2], &cfg);
		printf("%lld %d %d %lld %d %d %d %d %d %d rtl-s%lld-b%dx%d-w%lld-p%d.%d-m%dx%d-v%d\n",
		       (long long)cfg.sram_bytes, cfg.sram_banks, cfg.sram_bank_bytes,
		       (long long)cfg.wbuf_bytes, cfg.dma_read_bpc, cfg.dma_write_bpc, cfg.mac_rows,
		       cfg.mac_cols, cfg.vector_width, cfg.dram_latency, (long long)cfg.sram_bytes,
		       cfg.sram_banks, cfg.sram_bank_bytes, (long long)cfg.wbuf_bytes,
		       cfg.dma_read_bpc, cfg.dma_write_bpc, cfg.mac_rows, cfg.mac_cols,
		       cfg.vector_width);
		return 0;
	}
	if (argc != 5)
		die("usage: streamgen good SEED DIR CONFIG.xml | case K DIR CONFIG.xml | bad KIND DIR "
		    "CONFIG.xml | ncases | nbad | config CONFIG.xml");
	read_config(argv[4], &cfg);
	if (strcmp(argv[1], "good") == 0) {
		expect = "ok";
		good(strtoull(argv[2], NULL, 10));
	} else if (strcmp(argv[1], "case") == 0) {
		expect = "ok";
		int k = atoi(argv[2]);
		if (k < 0 || k >= NCASES)
			die("case K: 0 to %d", NCASES - 1);
		good_case(k);
	} else if (strcmp(argv[1], "bad") == 0) {
		int k = atoi(argv[2]);
		if (k < 0 || k >= NBAD)
			die("bad KIND: 0 to %d", NBAD - 1);
		bad(k);
	} else {
		die("unknown mode %s", argv[1]);
	}
	write_out(argv[3]);
	return 0;
}
