/* fsim.c: the NPU's functional model (see fsim.h).
 *
 * State: the SRAM bytes, a per-byte "written since allocated" map, the live
 * buffers (sorted by address, never overlapping), and the SRAM ranges of
 * the LOADs and STOREs issued since the last SYNC.  Every instruction first
 * lists its operands (Ref, bytes, read or write, weight or activation),
 * checks each one: inside its space; for SRAM, covered by live buffers, not
 * moved by an outstanding transfer and, when read, written since its
 * buffer was allocated; only then computes.  A compute instruction reads
 * all its inputs before it writes its output (through a temporary), so an
 * in-place RELU or COPY is well defined.
 *
 * Data moves at issue: a LOAD's bytes are in SRAM the moment it is run.
 * That is sound because the hazard rules make the moment unobservable.
 * Compute instructions are synchronous (issue resumes when they finish),
 * LOAD and STORE asynchronous, so the only overlaps in time are of a
 * transfer with instructions issued after it: no compute may touch the
 * SRAM of an outstanding transfer (nor a FREE, nor a transfer that would
 * conflict with it), and the DMA engine is in order (a compute streaming
 * DRAM waits for it), so DRAM sees transfers and streamed operands in
 * stream order.
 *
 * Arithmetic is src/ref.c's: ref_conv_acc, ref_pool, ref_requant and
 * ref_clamp8, with int32 accumulators wrapping like the hardware's.  With
 * PERCH, CONV and REQUANT take each output channel's parameters (and CONV
 * its bias) from the DRAM table at aux; the table is a weight operand, read
 * (and counted) once per instruction.
 */
#include "fsim.h"

#include "arena.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isa.h"
#include "ref.h"

#define SRAM_MAX ((int64_t)1 << 31) /* what a Ref can address */

typedef struct Buf {
	int64_t addr, bytes;
} Buf;

typedef struct Xfer {
	int64_t lo, hi;   /* SRAM range [lo, hi) */
	bool to_sram;     /* LOAD (writes SRAM) or STORE (reads it) */
	size_t index;     /* instruction that issued it */
} Xfer;

typedef enum Role { R_SRC, R_DST, R_WEIGHT, R_BIAS, R_PSUM, R_IN, R_TABLE, R_SRC2, R_DST2 } Role;

typedef struct Operand {
	uint32_t ref;
	int64_t bytes;
	bool write;
	Role role;
	int k;            /* EW input index */
} Operand;

typedef struct Sim {
	const CostModel *m;
	uint8_t *sram, *written;
	int64_t sram_bytes;
	uint8_t *dram;
	int64_t dram_bytes;
	Buf *live;
	int nlive, caplive;
	Xfer *pend;
	int npend, cappend;
	int64_t t_issue, t_comp, t_dma; /* issue time; when compute, DMA are free */
	FsimStats *st;
	size_t index;     /* of the running instruction */
	const char *name;
	Err *e;
} Sim;

static void *xgrow(void *p, int *cap, size_t elem)
{
	*cap = *cap ? 2 * *cap : 16;
	return xrealloc(p, (size_t)*cap * elem);
}

static int fail(Sim *s, const char *fmt, ...) SY_PRINTF(2, 3);

static int fail(Sim *s, const char *fmt, ...)
{
	char msg[NERRMSG];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return err_set(s->e, "instruction %zu (%s): %s", s->index, s->name, msg);
}

static int64_t max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

static int32_t ld32(const uint8_t *p)
{
	return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
			 (uint32_t)p[3] << 24);
}

static void st32(uint8_t *p, int32_t v)
{
	uint32_t u = (uint32_t)v;
	p[0] = (uint8_t)u;
	p[1] = (uint8_t)(u >> 8);
	p[2] = (uint8_t)(u >> 16);
	p[3] = (uint8_t)(u >> 24);
}

static bool is_dram(uint32_t ref)
{
	return ref & NPU_DRAM_BIT;
}

static int64_t addr_of(uint32_t ref)
{
	return ref & ~NPU_DRAM_BIT;
}

static uint8_t *at(Sim *s, uint32_t ref)
{
	return (is_dram(ref) ? s->dram : s->sram) + addr_of(ref);
}

static const char *role_name(const Operand *o, char *buf, size_t n)
{
	static const char *names[] = {"src", "dst",   "weights", "bias", "psum",
				      "in",  "table", "src2",    "dst2"};
	if (o->role == R_IN)
		snprintf(buf, n, "in%d", o->k);
	else
		snprintf(buf, n, "%s", names[o->role]);
	return buf;
}

/* ---- live buffers ---- */

/* Index of the last live buffer starting at or before a, or -1. */
static int live_le(const Sim *s, int64_t a)
{
	int lo = 0, hi = s->nlive; /* first with addr > a */
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (s->live[mid].addr <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo - 1;
}

/* First byte of [lo, hi) no live buffer covers, or hi. */
static int64_t uncovered(const Sim *s, int64_t lo, int64_t hi)
{
	int k = live_le(s, lo);
	int64_t p = lo;
	while (p < hi) {
		if (k < 0 || k >= s->nlive || s->live[k].addr > p ||
		    s->live[k].addr + s->live[k].bytes <= p)
			return p;
		p = s->live[k].addr + s->live[k].bytes;
		k++;
	}
	return hi;
}

/* The outstanding transfer [lo, hi) conflicts with, if any; a STORE's read
 * (store_read) conflicts only with LOADs, everything else with both. */
static const Xfer *pending_overlap(const Sim *s, int64_t lo, int64_t hi, bool store_read)
{
	for (int k = 0; k < s->npend; k++) {
		const Xfer *x = &s->pend[k];
		if (x->lo < hi && lo < x->hi && (!store_read || x->to_sram))
			return x;
	}
	return NULL;
}

/* Checks one operand; dma: the access is a LOAD's or STORE's own (two
 * transfers that only read the same SRAM do not conflict). */
static int check(Sim *s, const Operand *o, bool dma)
{
	char rn[16];
	const char *verb = o->write ? "writes" : "reads";
	int64_t lo = addr_of(o->ref), hi = lo + o->bytes;
	role_name(o, rn, sizeof rn);
	if (is_dram(o->ref)) {
		if (hi > s->dram_bytes)
			return fail(s, "%s DRAM 0x%llx..0x%llx past the image (0x%llx bytes) (%s)", verb,
				    (long long)lo, (long long)hi - 1, (long long)s->dram_bytes, rn);
		return 0;
	}
	if (hi > s->sram_bytes)
		return fail(s, "%s SRAM 0x%llx..0x%llx past its end (0x%llx bytes) (%s)", verb,
			    (long long)lo, (long long)hi - 1, (long long)s->sram_bytes, rn);
	int64_t u = uncovered(s, lo, hi);
	if (u < hi)
		return fail(s, "%s SRAM 0x%llx..0x%llx outside any live buffer (at 0x%llx) (%s)", verb,
			    (long long)lo, (long long)hi - 1, (long long)u, rn);
	const Xfer *x = pending_overlap(s, lo, hi, dma && !o->write);
	if (x)
		return fail(s, "%s SRAM 0x%llx..0x%llx (%s) that the %s of instruction %zu may still "
			       "be moving (no sync)",
			    verb, (long long)lo, (long long)hi - 1, rn, x->to_sram ? "load" : "store",
			    x->index);
	if (!o->write) {
		const uint8_t *p = memchr(s->written + lo, 0, (size_t)(hi - lo));
		if (p) {
			int64_t a = p - s->written, b = a;
			while (b < hi && !s->written[b])
				b++;
			if (a == lo && b == hi)
				return fail(s, "reads SRAM 0x%llx..0x%llx never written (%s)",
					    (long long)lo, (long long)hi - 1, rn);
			return fail(s, "reads SRAM 0x%llx..0x%llx: 0x%llx..0x%llx never written (%s)",
				    (long long)lo, (long long)hi - 1, (long long)a, (long long)b - 1,
				    rn);
		}
	}
	return 0;
}

static void put(Sim *s, uint32_t ref, const void *data, int64_t bytes)
{
	memcpy(at(s, ref), data, (size_t)bytes);
	if (!is_dram(ref))
		memset(s->written + addr_of(ref), 1, (size_t)bytes);
}

static int alloc_buf(Sim *s, const NpuInsn *i)
{
	int64_t lo = addr_of(i->dst), hi = lo + i->bytes;
	if (hi > s->sram_bytes)
		return fail(s, "buffer 0x%llx..0x%llx past the end of SRAM (0x%llx bytes)",
			    (long long)lo, (long long)hi - 1, (long long)s->sram_bytes);
	int k = live_le(s, hi - 1); /* the only candidate for an overlap... */
	if (k >= 0 && s->live[k].addr + s->live[k].bytes > lo)
		return fail(s, "buffer 0x%llx..0x%llx overlaps the live buffer 0x%llx..0x%llx",
			    (long long)lo, (long long)hi - 1, (long long)s->live[k].addr,
			    (long long)(s->live[k].addr + s->live[k].bytes - 1));
	if (s->nlive == s->caplive)
		s->live = xgrow(s->live, &s->caplive, sizeof *s->live);
	k++; /* ...and the insertion point after it */
	memmove(&s->live[k + 1], &s->live[k], (size_t)(s->nlive - k) * sizeof *s->live);
	s->live[k] = (Buf){lo, i->bytes};
	s->nlive++;
	memset(s->written + lo, 0, (size_t)i->bytes);
	s->st->sram_in_use += i->bytes;
	s->st->sram_peak = max64(s->st->sram_peak, s->st->sram_in_use);
	return 0;
}

static int free_buf(Sim *s, const NpuInsn *i)
{
	int64_t lo = addr_of(i->dst), hi = lo + i->bytes;
	int k = live_le(s, lo);
	if (k < 0 || s->live[k].addr != lo)
		return fail(s, "frees 0x%llx..0x%llx, which is not an allocated buffer", (long long)lo,
			    (long long)hi - 1);
	if (s->live[k].bytes != i->bytes)
		return fail(s, "frees 0x%llx..0x%llx, but the buffer there is 0x%llx..0x%llx",
			    (long long)lo, (long long)hi - 1, (long long)lo,
			    (long long)(lo + s->live[k].bytes - 1));
	const Xfer *x = pending_overlap(s, lo, hi, false);
	if (x)
		return fail(s, "frees SRAM 0x%llx..0x%llx that the %s of instruction %zu may still be "
			       "moving (no sync)",
			    (long long)lo, (long long)hi - 1, x->to_sram ? "load" : "store", x->index);
	memmove(&s->live[k], &s->live[k + 1], (size_t)(s->nlive - k - 1) * sizeof *s->live);
	s->nlive--;
	s->st->sram_in_use -= i->bytes;
	return 0;
}

/* ---- DMA ---- */

static int transfer(Sim *s, const NpuInsn *i)
{
	bool load = i->op == NPU_LOAD;
	Operand src = {i->src, i->bytes, false, R_SRC, 0};
	Operand dst = {i->dst, i->bytes, true, R_DST, 0};
	if (check(s, &src, true) || check(s, &dst, true))
		return -1;
	memmove(at(s, i->dst), at(s, i->src), i->bytes);
	if (load)
		memset(s->written + addr_of(i->dst), 1, i->bytes);
	if (s->npend == s->cappend)
		s->pend = xgrow(s->pend, &s->cappend, sizeof *s->pend);
	int64_t lo = addr_of(load ? i->dst : i->src);
	s->pend[s->npend++] = (Xfer){lo, lo + i->bytes, load, s->index};
	int64_t start = max64(s->t_issue, s->t_dma);
	int64_t t = cost_transfer(s->m, i->bytes, !load);
	s->t_dma = start + t;
	s->st->dma_busy += t;
	if (load)
		s->st->dram_act_read += i->bytes;
	else
		s->st->dram_write += i->bytes;
	return 0;
}

/* ---- compute ---- */

static int64_t in_elems(const NpuInsn *i)
{
	return (int64_t)i->in_c * i->in_h * i->in_w;
}

static int64_t out_elems(const NpuInsn *i)
{
	return (int64_t)i->out_c * i->out_h * i->out_w;
}

/* A CONV with SPLIT: the input elements at src, channels [0, split). */
static int64_t split_elems(const NpuInsn *i)
{
	return (int64_t)i->split * i->in_h * i->in_w;
}

/* The operands of compute instruction i, reads first, the output (in one
 * or two parts) last. */
static int operands(const NpuInsn *i, Operand *o)
{
	int n = 0;
	switch (i->op) {
	case NPU_CONV: {
		int64_t w = (int64_t)i->out_c * (i->in_c / i->groups) * i->kh * i->kw;
		if (i->flags & NPU_F_SPLIT) {
			int64_t head = split_elems(i);
			o[n++] = (Operand){i->src, head, false, R_SRC, 0};
			o[n++] = (Operand){i->src2, in_elems(i) - head, false, R_SRC2, 0};
		} else {
			o[n++] = (Operand){i->src, in_elems(i), false, R_SRC, 0};
		}
		o[n++] = (Operand){i->weight, w, false, R_WEIGHT, 0};
		if (i->flags & NPU_F_PSUM)
			o[n++] = (Operand){i->aux, 4 * out_elems(i), false, R_PSUM, 0};
		else if (i->flags & NPU_F_PERCH)
			o[n++] = (Operand){i->aux, NPU_PERCH_ENTRY * (int64_t)i->out_c, false, R_TABLE, 0};
		else
			o[n++] = (Operand){i->aux, 4 * (int64_t)i->out_c, false, R_BIAS, 0};
		int64_t ny = out_elems(i) * (i->flags & NPU_F_OUT32 ? 4 : 1);
		if (i->flags & NPU_F_OSPLIT) {
			int64_t head = ny / i->out_c * i->osplit;
			o[n++] = (Operand){i->dst, head, true, R_DST, 0};
			o[n++] = (Operand){i->dst2, ny - head, true, R_DST2, 0};
		} else {
			o[n++] = (Operand){i->dst, ny, true, R_DST, 0};
		}
		break;
	}
	case NPU_POOL:
		o[n++] = (Operand){i->src, in_elems(i), false, R_SRC, 0};
		o[n++] = (Operand){i->dst, out_elems(i), true, R_DST, 0};
		break;
	case NPU_GAVG:
		o[n++] = (Operand){i->src, in_elems(i), false, R_SRC, 0};
		o[n++] = (Operand){i->dst, i->in_c, true, R_DST, 0};
		break;
	case NPU_EW:
		for (int k = 0; k < i->nin; k++)
			o[n++] = (Operand){i->in[k], i->bytes, false, R_IN, k};
		o[n++] = (Operand){i->dst, i->bytes, true, R_DST, 0};
		break;
	case NPU_REQUANT:
		o[n++] = (Operand){i->src, 4 * (int64_t)i->bytes, false, R_SRC, 0};
		if (i->flags & NPU_F_PERCH)
			o[n++] = (Operand){i->aux, NPU_PERCH_ENTRY * (int64_t)i->out_c, false, R_TABLE, 0};
		o[n++] = (Operand){i->dst, i->bytes, true, R_DST, 0};
		break;
	default: /* COPY, RELU */
		o[n++] = (Operand){i->src, i->bytes, false, R_SRC, 0};
		o[n++] = (Operand){i->dst, i->bytes, true, R_DST, 0};
		break;
	}
	return n;
}

static Window window(const NpuInsn *i)
{
	return (Window){i->kh, i->kw, i->sh, i->sw, i->dh, i->dw,
			i->pt, i->pl, i->pb, i->pr, i->groups ? i->groups : 1};
}

/* Requantization of element k of channel c: the instruction's, or with
 * PERCH entry c of the table at aux. */
static int8_t requant(Sim *s, const NpuInsn *i, int32_t acc, int64_t c)
{
	bool relu = i->flags & NPU_F_RELU;
	if (!(i->flags & NPU_F_PERCH))
		return ref_clamp8(ref_requant(acc, i->qmul, i->qshift), relu);
	const uint8_t *e = at(s, i->aux) + NPU_PERCH_ENTRY * c;
	return ref_clamp8(ref_requant(acc, ld32(e + 4), (int8_t)e[8]), relu);
}

static void conv(Sim *s, const NpuInsn *i, uint8_t *out)
{
	int64_t ny = out_elems(i), plane = (int64_t)i->out_h * i->out_w;
	int32_t *acc = xmalloc((size_t)ny * sizeof *acc);
	const uint8_t *aux = at(s, i->aux);
	int64_t stride = i->flags & NPU_F_PERCH ? NPU_PERCH_ENTRY : 4; /* bias words */
	for (int64_t k = 0; k < ny; k++)
		acc[k] = ld32(aux + (i->flags & NPU_F_PSUM ? 4 * k : stride * (k / plane)));
	Shape xs = {1, i->in_c, i->in_h, i->in_w}, ys = {1, i->out_c, i->out_h, i->out_w};
	const uint8_t *x = at(s, i->src);
	uint8_t *joined = NULL; /* SPLIT: the two parts of the input, end to end */
	if (i->flags & NPU_F_SPLIT) {
		int64_t head = split_elems(i), nx = in_elems(i);
		joined = xmalloc((size_t)nx);
		memcpy(joined, x, (size_t)head);
		memcpy(joined + head, at(s, i->src2), (size_t)(nx - head));
		x = joined;
	}
	ref_conv_acc(window(i), xs, (const int8_t *)x, ys, (const int8_t *)at(s, i->weight), acc);
	free(joined);
	for (int64_t k = 0; k < ny; k++)
		if (i->flags & NPU_F_OUT32)
			st32(out + 4 * k, acc[k]);
		else
			out[k] = (uint8_t)requant(s, i, acc[k], k / plane);
	free(acc);
}

static void gavg(Sim *s, const NpuInsn *i, uint8_t *out)
{
	const int8_t *x = (const int8_t *)at(s, i->src);
	int64_t hw = (int64_t)i->in_h * i->in_w;
	for (int64_t c = 0; c < i->in_c; c++) {
		int64_t sum = 0;
		for (int64_t j = 0; j < hw; j++)
			sum += x[c * hw + j];
		out[c] = (uint8_t)(int8_t)(sum >= 0 ? (sum + hw / 2) / hw : -((-sum + hw / 2) / hw));
	}
}

static void ew(Sim *s, const NpuInsn *i, uint8_t *out)
{
	int64_t n = i->bytes;
	uint32_t *acc = calloc((size_t)n, sizeof *acc); /* wraps like int32 hardware */
	if (!acc)
		abort();
	for (int k = 0; k < i->nin; k++) {
		const int8_t *x = (const int8_t *)at(s, i->in[k]);
		uint32_t c = (uint32_t)i->coef[k];
		for (int64_t j = 0; j < n; j++)
			acc[j] += c * (uint32_t)(int32_t)x[j];
	}
	bool relu = i->flags & NPU_F_RELU;
	for (int64_t j = 0; j < n; j++)
		out[j] = (uint8_t)ref_clamp8(ref_requant((int32_t)acc[j], i->qmul, i->qshift), relu);
	free(acc);
}

static void execute(Sim *s, const NpuInsn *i, uint8_t *out)
{
	switch (i->op) {
	case NPU_CONV:
		conv(s, i, out);
		break;
	case NPU_POOL: {
		Shape xs = {1, i->in_c, i->in_h, i->in_w}, ys = {1, i->out_c, i->out_h, i->out_w};
		ref_pool(window(i), i->flags & NPU_F_AVG, xs, (const int8_t *)at(s, i->src), ys,
			 (int8_t *)out);
		break;
	}
	case NPU_GAVG:
		gavg(s, i, out);
		break;
	case NPU_EW:
		ew(s, i, out);
		break;
	case NPU_REQUANT: {
		const uint8_t *x = at(s, i->src);
		int64_t plane = i->flags & NPU_F_PERCH ? i->bytes / i->out_c : i->bytes;
		for (int64_t k = 0; k < i->bytes; k++)
			out[k] = (uint8_t)requant(s, i, ld32(x + 4 * k), k / plane);
		break;
	}
	case NPU_COPY:
		memcpy(out, at(s, i->src), i->bytes);
		break;
	case NPU_RELU: {
		const int8_t *x = (const int8_t *)at(s, i->src);
		for (int64_t k = 0; k < i->bytes; k++)
			out[k] = (uint8_t)(x[k] < 0 ? 0 : x[k]);
		break;
	}
	}
}

static int64_t compute_cycles(const CostModel *m, const NpuInsn *i)
{
	switch (i->op) {
	case NPU_CONV:
		return cost_conv(m, i->in_c, i->out_c, i->groups, i->kh, i->kw, i->out_h, i->out_w);
	case NPU_POOL:
	case NPU_GAVG:
		return cost_vector(m, in_elems(i), 1);
	case NPU_EW:
		return cost_vector(m, i->bytes, i->nin);
	default: /* REQUANT, COPY, RELU */
		return cost_vector(m, i->bytes, 1);
	}
}

/* Cycles to stream `bytes` once the transfer is under way. */
static int64_t stream_cycles(const CostModel *m, int64_t bytes, bool write)
{
	return bytes ? cost_transfer(m, bytes, write) - m->dram_latency : 0;
}

static int compute(Sim *s, const NpuInsn *i)
{
	Operand o[NPU_MAX_EW_INPUTS + 1];
	int n = operands(i, o);
	for (int k = 0; k < n; k++)
		if (check(s, &o[k], false))
			return -1;
	int64_t ny = 0;
	for (int k = 0; k < n; k++)
		ny += o[k].write ? o[k].bytes : 0;
	uint8_t *out = xmalloc((size_t)ny);
	execute(s, i, out);
	for (int k = 0, at = 0; k < n; k++)
		if (o[k].write) {
			put(s, o[k].ref, out + at, o[k].bytes);
			at += o[k].bytes;
		}
	free(out);

	int64_t rd = 0, wr = 0;
	for (int k = 0; k < n; k++) {
		if (!is_dram(o[k].ref))
			continue;
		if (o[k].write) {
			wr += o[k].bytes;
			s->st->dram_write += o[k].bytes;
			continue;
		}
		bool seen = false; /* streamed once per instruction */
		for (int j = 0; j < k; j++)
			seen |= !o[j].write && o[j].ref == o[k].ref && o[j].bytes == o[k].bytes;
		if (seen)
			continue;
		rd += o[k].bytes;
		if (o[k].role == R_WEIGHT || o[k].role == R_BIAS || o[k].role == R_TABLE)
			s->st->dram_weight_read += o[k].bytes;
		else
			s->st->dram_act_read += o[k].bytes;
	}
	bool streams = rd || wr;
	int64_t start = max64(s->t_issue, s->t_comp);
	if (streams)
		start = max64(start, s->t_dma);
	int64_t t = compute_cycles(s->m, i);
	if (streams)
		t = max64(t, stream_cycles(s->m, rd, false) + stream_cycles(s->m, wr, true)) +
		    s->m->dram_latency;
	s->t_comp = start + t;
	s->t_issue = s->t_comp; /* compute is synchronous: issue resumes when it is done */
	s->st->compute_busy += t;
	if (streams) {
		s->t_dma = start + t;
		s->st->dma_busy += t;
	}
	return 0;
}

/* ---- the loop ---- */

static int step(Sim *s, const NpuInsn *i)
{
	switch (i->op) {
	case NPU_LOAD:
	case NPU_STORE:
		return transfer(s, i);
	case NPU_SYNC:
		s->t_issue = max64(s->t_issue, s->t_dma);
		s->npend = 0;
		return 0;
	case NPU_ALLOC:
		return alloc_buf(s, i);
	case NPU_FREE:
		return free_buf(s, i);
	case NPU_END:
		if (s->npend)
			return fail(s, "end with %d DMA transfer%s outstanding (the first from "
				       "instruction %zu; no sync)",
				    s->npend, s->npend > 1 ? "s" : "", s->pend[0].index);
		return 0;
	default:
		return compute(s, i);
	}
}

static int check_model(const CostModel *m, Err *e)
{
	if (m->sram_bytes < 1 || m->sram_bytes > SRAM_MAX)
		return err_set(e, "fsim: SRAM of %lld bytes (1 to 2^31)", (long long)m->sram_bytes);
	if (m->dma_read_bpc < 1 || m->dma_write_bpc < 1 || m->dram_latency < 0 ||
	    m->mac_rows < 1 || m->mac_cols < 1 || m->vector_width < 1)
		return err_set(e, "fsim: bad cost model (bandwidths, MAC array and vector width "
				  "must be positive, latency not negative)");
	return 0;
}

int fsim_run(const CostModel *m, const uint32_t *words, size_t nwords, uint8_t *dram,
	     size_t dram_bytes, FsimStats *st, Err *e)
{
	FsimStats local;
	Sim s = {0};
	int rc = -1;
	if (!st)
		st = &local;
	memset(st, 0, sizeof *st);
	if (check_model(m, e))
		return -1;
	s.m = m;
	s.sram_bytes = m->sram_bytes;
	s.sram = calloc((size_t)s.sram_bytes, 1);
	s.written = calloc((size_t)s.sram_bytes, 1);
	if (!s.sram || !s.written)
		abort();
	s.dram = dram;
	s.dram_bytes = dram_bytes > (size_t)SRAM_MAX ? SRAM_MAX : (int64_t)dram_bytes;
	s.st = st;
	s.e = e;
	size_t pos = 0;
	for (;;) {
		NpuInsn i;
		s.name = "?";
		if (pos == nwords) {
			err_set(e, "instruction %zu: the stream ends without end", s.index);
			goto out;
		}
		size_t used = npu_decode(words + pos, nwords - pos, s.index, &i, e);
		if (!used)
			goto out;
		s.name = npu_opname(i.op);
		if (step(&s, &i))
			goto out;
		st->insns++;
		st->cycles = max64(st->cycles, max64(s.t_comp, s.t_dma));
		pos += used;
		if (i.op == NPU_END)
			break;
		s.index++;
	}
	st->cycles = max64(st->cycles, s.t_issue);
	if (pos != nwords) {
		err_set(e, "instruction %zu (end): %zu words after it", s.index, nwords - pos);
		goto out;
	}
	rc = 0;
out:
	free(s.sram);
	free(s.written);
	free(s.live);
	free(s.pend);
	return rc;
}
