/* isa.c: encoding, decoding and listing of the NPU's command stream.
 *
 * The decoder is the gatekeeper of every stream the functional model (and
 * through it the RTL's tests) accepts, so it checks everything that can be
 * checked from the words alone, without the machine's state: opcodes,
 * reserved words and bit fields, the flags each opcode takes, the spaces
 * of Refs (only LOAD reads DRAM and writes the WBUF, only STORE writes
 * DRAM, CONV weights and REQUANT tables are WBUF Refs, every other operand
 * an SRAM Ref), transfer shapes, EW operand counts and their OPERANDS
 * continuations, a CONV's VIEW, and shapes (non-zero dimensions, windows
 * that fit, groups that divide the channels, the output shape the window
 * gives, the band inside the output, views that hold the rows the band
 * reads).  What needs the machine (bounds, block widths against the array,
 * live buffers, written bytes, DMA hazards) is fsim's.
 *
 * Each instruction has exactly one encoding: unused words and fields are
 * zero, qshift is a signed byte in bits 0-7 of its word, a LOAD or STORE of
 * one row has zero strides, and an EW's continuations hold seven pairs
 * each but the last.
 */
#include "isa.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

enum {
	EW_FIRST_PAIRS = 5, /* (Ref, coef) pairs in w5..w14 of an EW */
	OPS_PAIRS = 7,      /* pairs in w1..w14 of an OPERANDS */
	VIEW_WORDS = 9,     /* w0..w8 of a VIEW may be non-zero */
};

const char *npu_opname(int op)
{
	switch (op) {
	case NPU_END: return "end";
	case NPU_LOAD: return "load";
	case NPU_STORE: return "store";
	case NPU_SYNC: return "sync";
	case NPU_ALLOC: return "alloc";
	case NPU_FREE: return "free";
	case NPU_CONV: return "conv";
	case NPU_POOL: return "pool";
	case NPU_GAVG: return "gavg";
	case NPU_EW: return "ew";
	case NPU_REQUANT: return "requant";
	case NPU_COPY: return "copy";
	case NPU_RELU: return "relu";
	case NPU_VIEW: return "view";
	case NPU_OPERANDS: return "operands";
	default: return "?";
	}
}

const char *npu_class_name(int cls)
{
	switch (cls) {
	case NPU_CLS_ACT: return "act";
	case NPU_CLS_SPILL: return "spill";
	case NPU_CLS_WEIGHT: return "weight";
	default: return "?";
	}
}

int npu_lanes(int lanes, int window, int sw)
{
	int l = (window - 1) / (sw ? sw : 1) + 1;
	return l < lanes ? l : lanes;
}

int npu_tiles(int cog, int cw)
{
	return (cog + cw - 1) / cw;
}

int npu_block_width(int cog, int cols)
{
	int want = cog < cols ? cog : cols;
	for (int d = want; d < cols; d++)
		if (cols % d == 0)
			return d;
	return cols;
}

int64_t npu_weight_bytes(int in_c, int out_c, int groups, int kh, int kw, int cw)
{
	int64_t red = (int64_t)in_c / groups * kh * kw;
	return (int64_t)groups * npu_tiles(out_c / groups, cw) * (NPU_PARAM_ROWS + red) * cw;
}

void npu_band_rows(const NpuInsn *i, int *lo, int *hi)
{
	int64_t a = (int64_t)i->oy0 * i->sh - i->pt;
	int64_t b = (int64_t)(i->oy1 - 1) * i->sh - i->pt + (int64_t)(i->kh - 1) * i->dh + 1;
	if (a < 0)
		a = 0;
	if (b > i->in_h)
		b = i->in_h;
	if (b <= a)
		a = b = 0;
	*lo = (int)a;
	*hi = (int)b;
}

static int ew_inputs(const NpuInsn *i)
{
	return i->nin > NPU_MAX_EW_INPUTS ? NPU_MAX_EW_INPUTS : i->nin;
}

static int ew_continuations(int nin)
{
	return nin > EW_FIRST_PAIRS ? (nin - EW_FIRST_PAIRS + OPS_PAIRS - 1) / OPS_PAIRS : 0;
}

size_t npu_insn_words(const NpuInsn *i)
{
	int k = i->op == NPU_EW ? ew_continuations(ew_inputs(i)) : i->op == NPU_CONV ? 1 : 0;
	return (size_t)(1 + k) * NPU_INSN_WORDS;
}

static uint32_t pack16(unsigned lo, unsigned hi)
{
	return (uint32_t)(lo & 0xffff) | (uint32_t)(hi & 0xffff) << 16;
}

static uint32_t pack8(unsigned a, unsigned b, unsigned c, unsigned d)
{
	return (uint32_t)(a & 0xff) | (uint32_t)(b & 0xff) << 8 | (uint32_t)(c & 0xff) << 16 |
	       (uint32_t)(d & 0xff) << 24;
}

static void encode_window(const NpuInsn *i, uint32_t *w)
{
	w[1] = i->src;
	w[2] = i->dst;
	w[5] = pack16(i->in_c, i->in_h);
	w[6] = pack16(i->in_w, i->out_c);
	w[7] = pack16(i->out_h, i->out_w);
	w[8] = pack8(i->kh, i->kw, i->sh, i->sw);
	w[9] = (uint32_t)i->dh | (uint32_t)i->dw << 8 | (uint32_t)i->groups << 16;
	w[10] = pack8((uint8_t)i->pt, (uint8_t)i->pl, (uint8_t)i->pb, (uint8_t)i->pr);
	w[11] = pack16(i->oy0, i->oy1);
}

size_t npu_encode(const NpuInsn *i, uint32_t *out)
{
	size_t nw = npu_insn_words(i);
	memset(out, 0, nw * sizeof *out);
	uint32_t *w = out;
	unsigned count = i->op == NPU_EW ? i->nin : 0;
	unsigned flags = i->op == NPU_LOAD || i->op == NPU_STORE ? i->cls : i->flags;
	w[0] = (uint32_t)i->op | (uint32_t)(flags & 0xff) << 8 | (uint32_t)(count & 0xff) << 16;
	switch (i->op) {
	case NPU_LOAD:
	case NPU_STORE:
		w[1] = i->src;
		w[2] = i->dst;
		w[3] = i->bytes;
		w[4] = i->rows;
		if (i->rows > 1) {
			w[5] = i->sstride;
			w[6] = i->dstride;
		}
		break;
	case NPU_COPY:
	case NPU_RELU:
		w[1] = i->src;
		w[2] = i->dst;
		w[3] = i->bytes;
		break;
	case NPU_ALLOC:
	case NPU_FREE:
		w[1] = i->dst;
		w[2] = i->bytes;
		break;
	case NPU_CONV:
		encode_window(i, w);
		w[1] = i->x.base;
		w[2] = i->y.base;
		w[3] = i->weight;
		if (i->flags & NPU_F_PSUM)
			w[4] = i->psum;
		w[12] = i->cw;
		if (i->flags & NPU_F_SPLIT) {
			w[13] = i->x2.base;
			w[14] = i->split;
		}
		if (i->flags & NPU_F_OSPLIT) {
			w[14] |= (uint32_t)i->osplit << 16;
			w[15] = i->y2.base;
		}
		w += NPU_INSN_WORDS;
		w[0] = NPU_VIEW;
		w[1] = i->x.cs;
		w[2] = pack16(i->x.row0, i->flags & NPU_F_SPLIT ? i->x2.row0 : 0);
		w[4] = i->y.cs;
		w[5] = pack16(i->y.row0, i->flags & NPU_F_OSPLIT ? i->y2.row0 : 0);
		if (i->flags & NPU_F_SPLIT)
			w[3] = i->x2.cs;
		if (i->flags & NPU_F_OSPLIT)
			w[6] = i->y2.cs;
		if (i->flags & NPU_F_PSUM) {
			w[7] = i->ps.cs;
			w[8] = i->ps.row0;
		}
		break;
	case NPU_POOL:
		encode_window(i, w);
		w[1] = i->x.base;
		w[2] = i->y.base;
		w[3] = i->x.cs;
		w[4] = i->y.cs;
		w[9] = (uint32_t)i->dh | (uint32_t)i->dw << 8;
		w[12] = pack16(i->x.row0, i->y.row0);
		break;
	case NPU_GAVG:
		w[1] = i->src;
		w[2] = i->dst;
		w[5] = pack16(i->in_c, i->in_h);
		w[6] = i->in_w;
		break;
	case NPU_REQUANT:
		w[1] = i->src;
		w[2] = i->dst;
		w[3] = i->bytes;
		if (i->flags & NPU_F_PERCH) {
			w[6] = i->aux;
			w[7] = i->out_c;
		} else {
			w[4] = (uint32_t)i->qmul;
			w[5] = (uint8_t)i->qshift;
		}
		break;
	case NPU_EW: {
		int n = ew_inputs(i);
		w[1] = i->dst;
		w[2] = i->bytes;
		w[3] = (uint32_t)i->qmul;
		w[4] = (uint8_t)i->qshift;
		int k = 0;
		for (; k < n && k < EW_FIRST_PAIRS; k++) {
			w[5 + 2 * k] = i->in[k];
			w[6 + 2 * k] = (uint32_t)i->coef[k];
		}
		while (k < n) {
			w += NPU_INSN_WORDS;
			int m = n - k < OPS_PAIRS ? n - k : OPS_PAIRS;
			w[0] = NPU_OPERANDS | (uint32_t)m << 16;
			for (int j = 0; j < m; j++, k++) {
				w[1 + 2 * j] = i->in[k];
				w[2 + 2 * j] = (uint32_t)i->coef[k];
			}
		}
		break;
	}
	default: /* END, SYNC, and whatever the caller asked for: just w0 */
		break;
	}
	return nw;
}

/* ---- decoding ---- */

typedef struct Dec {
	size_t index;
	const char *name;
	Err *e;
} Dec;

static int bad(Dec *d, const char *fmt, ...) SY_PRINTF(2, 3);
static int bad(Dec *d, const char *fmt, ...)
{
	char msg[NERRMSG];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (d->name)
		return err_set(d->e, "instruction %zu (%s): %s", d->index, d->name, msg);
	return err_set(d->e, "instruction %zu: %s", d->index, msg);
}

/* Words of each opcode's first slot that may be non-zero (bit k: word k);
 * everything else is reserved. */
static uint32_t used_words(int op)
{
	switch (op) {
	case NPU_END:
	case NPU_SYNC: return 1u << 0;
	case NPU_LOAD:
	case NPU_STORE: return 0x7fu;
	case NPU_COPY:
	case NPU_RELU: return 0xfu;
	case NPU_ALLOC:
	case NPU_FREE: return 0x7u;
	case NPU_CONV: return 0xffffu;
	case NPU_POOL: return 0x1fffu;
	case NPU_GAVG: return 0x67u;
	case NPU_REQUANT: return 0xffu;
	case NPU_EW: return 0x7fffu;
	default: return 0;
	}
}

static unsigned allowed_flags(int op)
{
	switch (op) {
	case NPU_LOAD:
	case NPU_STORE: return 3; /* the class */
	case NPU_CONV: return NPU_F_RELU | NPU_F_OUT32 | NPU_F_PSUM | NPU_F_SPLIT | NPU_F_OSPLIT;
	case NPU_POOL: return NPU_F_AVG;
	case NPU_EW: return NPU_F_RELU;
	case NPU_REQUANT: return NPU_F_RELU | NPU_F_PERCH;
	default: return 0;
	}
}

static const char *flag_name(unsigned f)
{
	switch (f) {
	case NPU_F_RELU: return "RELU";
	case NPU_F_OUT32: return "OUT32";
	case NPU_F_PSUM: return "PSUM";
	case NPU_F_AVG: return "AVG";
	case NPU_F_PERCH: return "PERCH";
	case NPU_F_SPLIT: return "SPLIT";
	case NPU_F_OSPLIT: return "OSPLIT";
	default: return "unknown";
	}
}

static int check_words(Dec *d, const uint32_t *w, uint32_t used)
{
	for (int k = 1; k < NPU_INSN_WORDS; k++)
		if (!(used >> k & 1) && w[k])
			return bad(d, "non-zero reserved word w%d (0x%08x)", k, w[k]);
	return 0;
}

static char space_letter(uint32_t ref)
{
	return "SWD?"[NPU_SPACE(ref)];
}

/* ref must be in one of the spaces of mask (bit k: space k). */
static int check_space(Dec *d, uint32_t ref, unsigned mask, const char *what)
{
	if (mask >> NPU_SPACE(ref) & 1)
		return 0;
	const char *want = mask == 1u << NPU_SRAM   ? "an SRAM"
			   : mask == 1u << NPU_WBUF ? "a WBUF"
			   : mask == 1u << NPU_DRAM ? "a DRAM"
						    : "an SRAM or WBUF";
	return bad(d, "%s must be %s Ref (is %c:0x%x)", what, want, space_letter(ref), NPU_ADDR(ref));
}

static int sram(Dec *d, uint32_t ref, const char *what)
{
	return check_space(d, ref, 1u << NPU_SRAM, what);
}

/* Output extent of a window over n, as ir.c computes it; < 1 when the
 * window does not fit. */
static int64_t window_out(int64_t n, int k, int s, int dil, int p0, int p1)
{
	int64_t span = (int64_t)dil * (k - 1) + 1;
	int64_t in = n + p0 + p1;
	if (in < span)
		return 0;
	return (in - span) / s + 1;
}

static void decode_window(NpuInsn *i, const uint32_t *w)
{
	i->src = w[1];
	i->dst = w[2];
	i->in_c = w[5] & 0xffff;
	i->in_h = w[5] >> 16;
	i->in_w = w[6] & 0xffff;
	i->out_c = w[6] >> 16;
	i->out_h = w[7] & 0xffff;
	i->out_w = w[7] >> 16;
	i->kh = w[8] & 0xff;
	i->kw = w[8] >> 8 & 0xff;
	i->sh = w[8] >> 16 & 0xff;
	i->sw = w[8] >> 24;
	i->dh = w[9] & 0xff;
	i->dw = w[9] >> 8 & 0xff;
	i->groups = w[9] >> 16;
	i->pt = (int8_t)(w[10] & 0xff);
	i->pl = (int8_t)(w[10] >> 8 & 0xff);
	i->pb = (int8_t)(w[10] >> 16 & 0xff);
	i->pr = (int8_t)(w[10] >> 24);
	i->oy0 = w[11] & 0xffff;
	i->oy1 = w[11] >> 16;
}

static int check_window(Dec *d, const NpuInsn *i)
{
	if (!i->in_c || !i->in_h || !i->in_w)
		return bad(d, "zero input dimension %ux%ux%u", i->in_c, i->in_h, i->in_w);
	if (!i->out_c || !i->out_h || !i->out_w)
		return bad(d, "zero output dimension %ux%ux%u", i->out_c, i->out_h, i->out_w);
	if (!i->kh || !i->kw)
		return bad(d, "zero kernel %ux%u", i->kh, i->kw);
	if (!i->sh || !i->sw)
		return bad(d, "zero stride %ux%u", i->sh, i->sw);
	if (!i->dh || !i->dw)
		return bad(d, "zero dilation %ux%u", i->dh, i->dw);
	int64_t oh = window_out(i->in_h, i->kh, i->sh, i->dh, i->pt, i->pb);
	int64_t ow = window_out(i->in_w, i->kw, i->sw, i->dw, i->pl, i->pr);
	if (oh < 1 || ow < 1)
		return bad(d, "window %ux%u (dilation %ux%u, padding %d,%d,%d,%d) does not fit "
			      "the input %ux%u",
			   i->kh, i->kw, i->dh, i->dw, i->pt, i->pl, i->pb, i->pr, i->in_h, i->in_w);
	if (oh != i->out_h || ow != i->out_w)
		return bad(d, "output %ux%u, the window gives %lldx%lld", i->out_h, i->out_w,
			   (long long)oh, (long long)ow);
	if (i->oy0 >= i->oy1 || i->oy1 > i->out_h)
		return bad(d, "band of rows %u..%u outside the output's %u rows", i->oy0, i->oy1,
			   i->out_h);
	return 0;
}

/* A view must start at or before the first row the band reads of it. */
static int check_rows(Dec *d, const char *what, unsigned row0, int first)
{
	if ((int)row0 > first)
		return bad(d, "%s view starts at row %u, the band reads row %d", what, row0, first);
	return 0;
}

static int decode_view(Dec *d, const uint32_t *w, NpuInsn *i)
{
	bool split = i->flags & NPU_F_SPLIT, osplit = i->flags & NPU_F_OSPLIT;
	bool psum = i->flags & NPU_F_PSUM;
	if ((w[0] & 0xff) != NPU_VIEW)
		return bad(d, "the slot after it is %s (0x%02x), not its view", npu_opname(w[0] & 0xff),
			   w[0] & 0xff);
	if (w[0] >> 8)
		return bad(d, "view: non-zero flags or count in w0 (0x%08x)", w[0]);
	for (int k = VIEW_WORDS; k < NPU_INSN_WORDS; k++)
		if (w[k])
			return bad(d, "view: non-zero reserved word w%d (0x%08x)", k, w[k]);
	static const struct {
		int word;
		bool high;
		const char *what;
	} unused[] = {
		{2, true, "src2 row0 without SPLIT"}, {3, false, "src2 cstride without SPLIT"},
		{5, true, "dst2 row0 without OSPLIT"}, {6, false, "dst2 cstride without OSPLIT"},
		{7, false, "psum cstride without PSUM"}, {8, false, "psum row0 without PSUM"},
	};
	for (size_t k = 0; k < sizeof unused / sizeof unused[0]; k++) {
		int word = unused[k].word;
		bool on = word <= 3 ? split : word <= 6 ? osplit : psum;
		uint32_t v = unused[k].high ? w[word] >> 16 : w[word];
		if (!on && v)
			return bad(d, "view: %s (w%d = 0x%08x)", unused[k].what, word, w[word]);
	}
	if (w[8] >> 16)
		return bad(d, "view: non-zero reserved bits in w8 (0x%08x)", w[8]);
	i->x.cs = w[1];
	i->x.row0 = w[2] & 0xffff;
	i->x2.row0 = w[2] >> 16;
	i->x2.cs = w[3];
	i->y.cs = w[4];
	i->y.row0 = w[5] & 0xffff;
	i->y2.row0 = w[5] >> 16;
	i->y2.cs = w[6];
	i->ps.cs = w[7];
	i->ps.row0 = w[8] & 0xffff;
	int lo, hi;
	npu_band_rows(i, &lo, &hi);
	if (hi > lo) {
		if (check_rows(d, "src", i->x.row0, lo))
			return -1;
		if (split && check_rows(d, "src2", i->x2.row0, lo))
			return -1;
	}
	if (check_rows(d, "dst", i->y.row0, i->oy0) ||
	    (osplit && check_rows(d, "dst2", i->y2.row0, i->oy0)) ||
	    (psum && check_rows(d, "psum", i->ps.row0, i->oy0)))
		return -1;
	return 0;
}

static int decode_conv(Dec *d, const uint32_t *words, size_t n, NpuInsn *i, size_t *used)
{
	const uint32_t *w = words;
	decode_window(i, w);
	i->x.base = w[1];
	i->y.base = w[2];
	i->weight = w[3];
	i->psum = i->ps.base = w[4];
	if (check_window(d, i))
		return -1;
	if (!i->groups)
		return bad(d, "zero groups");
	if (i->in_c % i->groups || i->out_c % i->groups)
		return bad(d, "groups %u do not divide in_c %u and out_c %u", i->groups, i->in_c,
			   i->out_c);
	if (sram(d, i->x.base, "src") || sram(d, i->y.base, "dst") ||
	    check_space(d, i->weight, 1u << NPU_WBUF, "weights"))
		return -1;
	if (i->flags & NPU_F_PSUM) {
		if (sram(d, i->psum, "psum"))
			return -1;
	} else if (w[4]) {
		return bad(d, "non-zero reserved word w4 (0x%08x) without PSUM", w[4]);
	}
	if ((i->flags & NPU_F_OUT32) && (i->flags & NPU_F_RELU))
		return bad(d, "flag RELU with OUT32 (int32 outputs are not clamped)");
	if (w[12] >> 16)
		return bad(d, "non-zero reserved bits in w12 (0x%08x)", w[12]);
	i->cw = w[12] & 0xffff;
	if (!i->cw)
		return bad(d, "zero block width cw");
	if (i->flags & NPU_F_SPLIT) {
		i->x2.base = w[13];
		i->split = w[14] & 0xffff;
		if (!i->split || i->split >= i->in_c)
			return bad(d, "split at input channel %u of %u (SPLIT takes 1 to in_c - 1)",
				   i->split, i->in_c);
		if (sram(d, i->x2.base, "src2"))
			return -1;
	} else if (w[13] || (w[14] & 0xffff)) {
		return bad(d, "non-zero reserved word w%d (0x%08x) without SPLIT", w[13] ? 13 : 14,
			   w[13] ? w[13] : w[14]);
	}
	if (i->flags & NPU_F_OSPLIT) {
		i->y2.base = w[15];
		i->osplit = w[14] >> 16;
		if (!i->osplit || i->osplit >= i->out_c)
			return bad(d, "split at output channel %u of %u (OSPLIT takes 1 to out_c - 1)",
				   i->osplit, i->out_c);
		if (sram(d, i->y2.base, "dst2"))
			return -1;
	} else if (w[15] || w[14] >> 16) {
		return bad(d, "non-zero reserved word w%d (0x%08x) without OSPLIT", w[15] ? 15 : 14,
			   w[15] ? w[15] : w[14]);
	}
	if (n < 2 * NPU_INSN_WORDS)
		return bad(d, "needs its view; the stream ends first");
	*used = 2 * NPU_INSN_WORDS;
	return decode_view(d, w + NPU_INSN_WORDS, i);
}

static int decode_pool(Dec *d, const uint32_t *w, NpuInsn *i)
{
	decode_window(i, w);
	i->x.base = w[1];
	i->y.base = w[2];
	i->x.cs = w[3];
	i->y.cs = w[4];
	i->x.row0 = w[12] & 0xffff;
	i->y.row0 = w[12] >> 16;
	if (i->groups)
		return bad(d, "non-zero reserved bits in w9 (0x%08x)", w[9]);
	if (check_window(d, i))
		return -1;
	if (i->out_c != i->in_c)
		return bad(d, "out_c %u differs from in_c %u", i->out_c, i->in_c);
	if (sram(d, i->src, "src") || sram(d, i->dst, "dst"))
		return -1;
	int lo, hi;
	npu_band_rows(i, &lo, &hi);
	if (hi > lo && check_rows(d, "src", i->x.row0, lo))
		return -1;
	return check_rows(d, "dst", i->y.row0, i->oy0);
}

static void decode_pairs(const uint32_t *w, int n, NpuInsn *i)
{
	for (int k = 0; k < n; k++) {
		i->in[i->nin] = w[2 * k];
		i->coef[i->nin] = (int32_t)w[2 * k + 1];
		i->nin++;
	}
}

/* REQUANT's w6 (table) and w7 (channels): zero without PERCH; with it,
 * zero qmul and qshift, a WBUF table at a multiple of 8 and channels that
 * divide the elements. */
static int decode_requant_perch(Dec *d, const uint32_t *w, NpuInsn *i)
{
	if (!(i->flags & NPU_F_PERCH)) {
		for (int k = 6; k <= 7; k++)
			if (w[k])
				return bad(d, "non-zero reserved word w%d (0x%08x)", k, w[k]);
		return 0;
	}
	if (w[4] || w[5])
		return bad(d, "non-zero qmul/qshift (w4, w5) with PERCH");
	i->aux = w[6];
	if (check_space(d, i->aux, 1u << NPU_WBUF, "table"))
		return -1;
	if (NPU_ADDR(i->aux) % NPU_TABLE_ENTRY)
		return bad(d, "table at 0x%x, not a multiple of %d", NPU_ADDR(i->aux), NPU_TABLE_ENTRY);
	if (w[7] >> 16)
		return bad(d, "non-zero reserved bits in w7 (0x%08x)", w[7]);
	i->out_c = (uint16_t)w[7];
	if (!i->out_c || i->bytes % i->out_c)
		return bad(d, "%u channels do not divide %u elements", i->out_c, i->bytes);
	return 0;
}

/* An EW and its OPERANDS continuations; *used gets the words they take. */
static int decode_ew(Dec *d, const uint32_t *words, size_t n, NpuInsn *i, size_t *used)
{
	const uint32_t *w = words;
	int nin = w[0] >> 16 & 0xff;
	if (nin < 1 || nin > NPU_MAX_EW_INPUTS)
		return bad(d, "%d inputs (1 to %d)", nin, NPU_MAX_EW_INPUTS);
	i->dst = w[1];
	i->bytes = w[2];
	i->qmul = (int32_t)w[3];
	i->qshift = (int8_t)(w[4] & 0xff);
	if (!i->bytes)
		return bad(d, "zero elements");
	if (w[4] >> 8)
		return bad(d, "non-zero reserved bits in w4 (0x%08x)", w[4]);
	int first = nin < EW_FIRST_PAIRS ? nin : EW_FIRST_PAIRS;
	for (int k = 5 + 2 * first; k < NPU_INSN_WORDS; k++)
		if (w[k])
			return bad(d, "non-zero reserved word w%d (0x%08x) after %d inputs", k, w[k],
				   first);
	decode_pairs(w + 5, first, i);
	int conts = ew_continuations(nin);
	size_t need = (size_t)(1 + conts) * NPU_INSN_WORDS;
	if (n < need)
		return bad(d, "%d inputs need %d operands continuations; the stream ends first", nin,
			   conts);
	for (int c = 1; c <= conts; c++) {
		w += NPU_INSN_WORDS;
		int op = w[0] & 0xff, m = w[0] >> 16 & 0xff;
		int want = nin - i->nin < OPS_PAIRS ? nin - i->nin : OPS_PAIRS;
		if (op != NPU_OPERANDS)
			return bad(d, "continuation %d is %s (0x%02x), not operands", c, npu_opname(op),
				   op);
		if (w[0] >> 8 & 0xff)
			return bad(d, "continuation %d: flags 0x%x (operands takes none)", c,
				   w[0] >> 8 & 0xff);
		if (w[0] >> 24)
			return bad(d, "continuation %d: non-zero reserved bits in w0 (0x%08x)", c, w[0]);
		if (m != want)
			return bad(d, "continuation %d holds %d pairs, expected %d", c, m, want);
		for (int k = 1 + 2 * m; k < NPU_INSN_WORDS; k++)
			if (w[k])
				return bad(d, "continuation %d: non-zero reserved word w%d (0x%08x)", c, k,
					   w[k]);
		decode_pairs(w + 1, m, i);
	}
	if (sram(d, i->dst, "dst"))
		return -1;
	for (int k = 0; k < i->nin; k++) {
		char what[16];
		snprintf(what, sizeof what, "in%d", k);
		if (sram(d, i->in[k], what))
			return -1;
	}
	*used = need;
	return 0;
}

static int decode_transfer(Dec *d, const uint32_t *w, NpuInsn *i)
{
	bool load = i->op == NPU_LOAD;
	i->cls = i->flags & 3;
	i->flags = 0;
	i->src = w[1];
	i->dst = w[2];
	i->bytes = w[3];
	i->rows = w[4] & 0xffff;
	if (i->cls > NPU_CLS_WEIGHT || (!load && i->cls == NPU_CLS_WEIGHT))
		return bad(d, "class %u (%s takes 0 act, 1 spill%s)", i->cls, d->name,
			   load ? ", 2 weight" : "");
	if (!i->bytes || i->bytes > NPU_ADDR_MASK)
		return bad(d, "%u bytes a row (1 to 2^30 - 1)", i->bytes);
	if (w[4] >> 16)
		return bad(d, "non-zero reserved bits in w4 (0x%08x)", w[4]);
	if (!i->rows)
		return bad(d, "zero rows");
	if (i->rows == 1 && (w[5] || w[6]))
		return bad(d, "non-zero reserved word w%d (0x%08x) with one row", w[5] ? 5 : 6,
			   w[5] ? w[5] : w[6]);
	i->sstride = w[5];
	i->dstride = w[6];
	if (i->rows > 1 && i->dstride < i->bytes)
		return bad(d, "destination rows overlap (stride %u, %u bytes a row)", i->dstride,
			   i->bytes);
	if (load)
		return check_space(d, i->src, 1u << NPU_DRAM, "source") ||
		       check_space(d, i->dst, 1u << NPU_SRAM | 1u << NPU_WBUF, "destination");
	return sram(d, i->src, "source") || check_space(d, i->dst, 1u << NPU_DRAM, "destination");
}

/* Checks and decodes one instruction; *used gets the words it takes. */
static int decode(Dec *d, const uint32_t *w, size_t n, NpuInsn *i, size_t *used)
{
	if (n < NPU_INSN_WORDS)
		return bad(d, "truncated: %zu words left, an instruction has %d", n,
			   NPU_INSN_WORDS);
	int op = w[0] & 0xff;
	unsigned flags = w[0] >> 8 & 0xff, count = w[0] >> 16 & 0xff;
	i->op = (uint8_t)op;
	i->flags = (uint8_t)flags;
	if (op == NPU_OPERANDS)
		return bad(d, "operands without an ew before it");
	if (op == NPU_VIEW)
		return bad(d, "view without a conv before it");
	if (!used_words(op))
		return bad(d, "unknown opcode 0x%02x", op);
	d->name = npu_opname(op);
	if (w[0] >> 24)
		return bad(d, "non-zero reserved bits in w0 (0x%08x)", w[0]);
	unsigned extra = flags & ~allowed_flags(op);
	if (extra)
		return bad(d, "flag %s (0x%x) not taken by %s", flag_name(extra & -extra), extra,
			   d->name);
	if (count && op != NPU_EW)
		return bad(d, "non-zero count field %u", count);
	if (check_words(d, w, used_words(op)))
		return -1;
	*used = NPU_INSN_WORDS;
	switch (op) {
	case NPU_LOAD:
	case NPU_STORE:
		return decode_transfer(d, w, i);
	case NPU_COPY:
	case NPU_RELU:
		i->src = w[1];
		i->dst = w[2];
		i->bytes = w[3];
		if (!i->bytes)
			return bad(d, op == NPU_RELU ? "zero elements" : "zero bytes");
		return sram(d, i->src, "source") || sram(d, i->dst, "destination");
	case NPU_ALLOC:
	case NPU_FREE:
		i->dst = w[1];
		i->bytes = w[2];
		if (!i->bytes)
			return bad(d, "zero bytes");
		return sram(d, i->dst, "buffer");
	case NPU_CONV:
		return decode_conv(d, w, n, i, used);
	case NPU_POOL:
		return decode_pool(d, w, i);
	case NPU_GAVG:
		i->src = w[1];
		i->dst = w[2];
		i->in_c = w[5] & 0xffff;
		i->in_h = w[5] >> 16;
		i->in_w = w[6] & 0xffff;
		if (w[6] >> 16)
			return bad(d, "non-zero reserved bits in w6 (0x%08x)", w[6]);
		if (!i->in_c || !i->in_h || !i->in_w)
			return bad(d, "zero input dimension %ux%ux%u", i->in_c, i->in_h, i->in_w);
		return sram(d, i->src, "source") || sram(d, i->dst, "destination");
	case NPU_REQUANT:
		i->src = w[1];
		i->dst = w[2];
		i->bytes = w[3];
		i->qmul = (int32_t)w[4];
		i->qshift = (int8_t)(w[5] & 0xff);
		if (w[5] >> 8)
			return bad(d, "non-zero reserved bits in w5 (0x%08x)", w[5]);
		if (!i->bytes)
			return bad(d, "zero elements");
		if (sram(d, i->src, "source") || sram(d, i->dst, "destination"))
			return -1;
		return decode_requant_perch(d, w, i);
	case NPU_EW:
		return decode_ew(d, w, n, i, used);
	default: /* END, SYNC */
		return 0;
	}
}

size_t npu_decode(const uint32_t *words, size_t n, size_t index, NpuInsn *i, Err *e)
{
	Dec d = {index, NULL, e};
	size_t used = 0;
	memset(i, 0, sizeof *i);
	if (decode(&d, words, n, i, &used))
		return 0;
	return used;
}

/* ---- listing ---- */

static void put_ref(FILE *f, const char *name, uint32_t r)
{
	fprintf(f, " %s=%c:0x%x", name, space_letter(r), NPU_ADDR(r));
}

static void put_view(FILE *f, const char *name, const NpuView *v)
{
	put_ref(f, name, v->base);
	fprintf(f, "/%u", v->cs);
	if (v->row0)
		fprintf(f, "@%u", v->row0);
}

static void put_q(FILE *f, const NpuInsn *i)
{
	fprintf(f, " q=%ld>>%d", (long)i->qmul, i->qshift);
}

static void put_window(FILE *f, const NpuInsn *i)
{
	fprintf(f, " in=%ux%ux%u out=%ux%ux%u k=%ux%u s=%ux%u d=%ux%u p=%d,%d,%d,%d", i->in_c,
		i->in_h, i->in_w, i->out_c, i->out_h, i->out_w, i->kh, i->kw, i->sh, i->sw, i->dh,
		i->dw, i->pt, i->pl, i->pb, i->pr);
	if (i->oy0 || i->oy1 != i->out_h)
		fprintf(f, " rows=%u..%u", i->oy0, i->oy1);
}

void npu_disasm(const NpuInsn *i, FILE *f)
{
	fprintf(f, "%-5s", npu_opname(i->op));
	switch (i->op) {
	case NPU_LOAD:
	case NPU_STORE:
		put_ref(f, "src", i->src);
		put_ref(f, "dst", i->dst);
		fprintf(f, " bytes=%u", i->bytes);
		if (i->rows > 1)
			fprintf(f, " rows=%u stride=%u,%u", i->rows, i->sstride, i->dstride);
		fprintf(f, " %s", npu_class_name(i->cls));
		break;
	case NPU_COPY:
		put_ref(f, "src", i->src);
		put_ref(f, "dst", i->dst);
		fprintf(f, " bytes=%u", i->bytes);
		break;
	case NPU_RELU:
		put_ref(f, "src", i->src);
		put_ref(f, "dst", i->dst);
		fprintf(f, " elems=%u", i->bytes);
		break;
	case NPU_ALLOC:
	case NPU_FREE:
		put_ref(f, "addr", i->dst);
		fprintf(f, " bytes=%u", i->bytes);
		break;
	case NPU_CONV:
		put_view(f, "src", &i->x);
		if (i->flags & NPU_F_SPLIT) {
			put_view(f, "src2", &i->x2);
			fprintf(f, " split=%u", i->split);
		}
		put_view(f, "dst", &i->y);
		if (i->flags & NPU_F_OSPLIT) {
			put_view(f, "dst2", &i->y2);
			fprintf(f, " osplit=%u", i->osplit);
		}
		if (i->flags & NPU_F_PSUM)
			put_view(f, "psum", &i->ps);
		put_ref(f, "w", i->weight);
		fprintf(f, " cw=%u", i->cw);
		put_window(f, i);
		fprintf(f, " g=%u", i->groups);
		break;
	case NPU_POOL:
		put_view(f, "src", &i->x);
		put_view(f, "dst", &i->y);
		put_window(f, i);
		fprintf(f, " %s", i->flags & NPU_F_AVG ? "avg" : "max");
		break;
	case NPU_GAVG:
		put_ref(f, "src", i->src);
		put_ref(f, "dst", i->dst);
		fprintf(f, " in=%ux%ux%u out=%ux1x1", i->in_c, i->in_h, i->in_w, i->in_c);
		break;
	case NPU_REQUANT:
		put_ref(f, "src", i->src);
		put_ref(f, "dst", i->dst);
		fprintf(f, " elems=%u", i->bytes);
		if (i->flags & NPU_F_PERCH) {
			put_ref(f, "table", i->aux);
			fprintf(f, " chans=%u", i->out_c);
		} else {
			put_q(f, i);
		}
		break;
	case NPU_EW:
		put_ref(f, "dst", i->dst);
		fprintf(f, " elems=%u", i->bytes);
		put_q(f, i);
		fprintf(f, " n=%u in=", i->nin);
		for (int k = 0; k < ew_inputs(i); k++)
			fprintf(f, "%s%c:0x%x*%ld", k ? "," : "", space_letter(i->in[k]),
				NPU_ADDR(i->in[k]), (long)i->coef[k]);
		break;
	default:
		break;
	}
	if (i->op == NPU_CONV) {
		if (i->flags & NPU_F_OUT32)
			fputs(" out32", f);
		if (i->flags & NPU_F_PSUM)
			fputs(" psum", f);
	}
	if ((i->op == NPU_CONV || i->op == NPU_EW || i->op == NPU_REQUANT) &&
	    (i->flags & NPU_F_RELU))
		fputs(" relu", f);
	if (i->flags & NPU_F_PERCH)
		fputs(" perch", f);
	fputc('\n', f);
}
