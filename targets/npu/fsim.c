/* fsim.c: the NPU's functional model (see fsim.h).
 *
 * State: the scratchpad and the weight buffer with a per-byte "written"
 * map each (the scratchpad's since its buffer was allocated), the live
 * buffers (sorted by address, never overlapping), and the on-chip ranges of
 * the LOADs and STOREs issued since the last SYNC.  Every instruction
 * first lists its operands as ranges (space, hull, read or write, role),
 * checks each one: inside its space; for SRAM, covered by live buffers; not
 * racing an outstanding transfer; then checks that what it reads was
 * written (exactly the bytes it reads: a view's rows of each channel); only
 * then computes.  A compute instruction reads all its inputs before it
 * writes its outputs (through temporaries), so in-place RELU or COPY is
 * well defined.
 *
 * Data moves at issue: a LOAD's bytes are on chip the moment it is run.
 * That is sound because the hazard rules make the moment unobservable: no
 * compute may read what an outstanding LOAD writes or write what an
 * outstanding transfer moves, and no transfer may write what another moves
 * or read what an outstanding LOAD writes, without a SYNC; DRAM sees
 * transfers in stream order (the DMA issues them in order and the DRAM
 * orders a read after the writes before it).
 *
 * Arithmetic is src/ref.c's: ref_conv_acc and ref_pool on the band (its
 * input rows gathered through the views, a sub-window whose top padding
 * makes its first row the band's), ref_requant and ref_clamp8, with int32
 * accumulators wrapping like the hardware's.  A CONV's weights, biases and
 * requantization parameters come from its weight blocks in the WBUF.
 *
 * Timing is the cost model's, cost.h; see fsim.h for the machine it plays.
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

#define SPACE_MAX ((int64_t)1 << 30) /* what a Ref can address */

enum {
	CHUNK_WRITE = 2,  /* a LOAD's last beat to its last on-chip write */
};

typedef struct Buf {
	int64_t addr, bytes;
} Buf;

typedef struct Xfer {
	int space;       /* NPU_SRAM or NPU_WBUF */
	int64_t lo, hi;  /* on-chip range [lo, hi) (hull of its rows) */
	bool to_chip;    /* LOAD (writes on chip) or STORE (reads SRAM) */
	size_t index;    /* instruction that issued it */
} Xfer;

/* n scratchpad accesses of a transfer, spread over cycles [a, b] */
typedef struct Steal {
	int64_t n, a, b;
} Steal;

typedef struct Operand {
	int space;
	int64_t lo, hi;  /* hull */
	bool write;
	char role[12];
} Operand;

enum { NOPS = NPU_MAX_EW_INPUTS + 2 };

typedef struct Sim {
	const CostModel *m;
	uint8_t *mem[2], *written[2]; /* SRAM, WBUF */
	int64_t size[2];
	uint8_t *dram;
	int64_t dram_bytes;
	Buf *live;
	int nlive, caplive;
	Xfer *pend;
	int npend, cappend;
	FsimStats *st;
	size_t index;     /* of the running instruction */
	const char *name;
	Err *e;
	/* timing */
	int64_t t_issue;            /* when the sequencer can take the next instruction */
	int64_t t_eng, eng_start;   /* the engine: free at, running since */
	int64_t eng_base, eng_stall; /* its end without bank stalls, and the stalls charged */
	Steal *steals;              /* transfers' scratchpad accesses still to come */
	int nsteals, capsteals;
	int64_t eng_lo[2], eng_hi[2]; /* the running compute's footprint, per space */
	int64_t t_req;              /* the request channel's next free cycle */
	int64_t t_rd, t_wd;         /* the read and write data channels' next free cycles */
	int64_t t_wdone;            /* every write burst's data in, so far */
	int64_t *rd_ring, *wr_ring; /* completion of the last NPU_NOUT read / write bursts */
	int64_t nrd, nwr;
	int64_t last_req;           /* the last request of the previous transfer */
	int64_t t_dma_done;         /* every transfer issued so far complete */
	int64_t dma_busy_to;        /* the DMA's busy time is counted up to here */
	int64_t *xstart;            /* start of each transfer, a ring of NPU_QDEPTH */
	int64_t nx;
	int64_t *slot_ready;        /* per stream slot: its bytes are in the fetch buffer */
	int64_t nslots, fetched;    /* slots, slots requested */
} Sim;

enum { NPU_QDEPTH = 16 };

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

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
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

static const char *space_name(int space)
{
	return space == NPU_SRAM ? "SRAM" : space == NPU_WBUF ? "WBUF" : "DRAM";
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

/* The outstanding transfer an access of [lo, hi) in space races, if any:
 * a write races every transfer, a read only LOADs (which write). */
static const Xfer *racing(const Sim *s, int space, int64_t lo, int64_t hi, bool write)
{
	for (int k = 0; k < s->npend; k++) {
		const Xfer *x = &s->pend[k];
		if (x->space == space && x->lo < hi && lo < x->hi && (write || x->to_chip))
			return x;
	}
	return NULL;
}

/* Checks one operand's hull: inside its space, covered by live buffers
 * (SRAM), racing no outstanding transfer (on chip). */
static int check(Sim *s, const Operand *o)
{
	const char *verb = o->write ? "writes" : "reads";
	int64_t lo = o->lo, hi = o->hi;
	if (o->space == NPU_DRAM) {
		if (hi > s->dram_bytes)
			return fail(s, "%s DRAM 0x%llx..0x%llx past the image (0x%llx bytes) (%s)", verb,
				    (long long)lo, (long long)hi - 1, (long long)s->dram_bytes, o->role);
		return 0;
	}
	if (hi > s->size[o->space])
		return fail(s, "%s %s 0x%llx..0x%llx past its end (0x%llx bytes) (%s)", verb,
			    space_name(o->space), (long long)lo, (long long)hi - 1,
			    (long long)s->size[o->space], o->role);
	if (o->space == NPU_SRAM) {
		int64_t u = uncovered(s, lo, hi);
		if (u < hi)
			return fail(s, "%s SRAM 0x%llx..0x%llx outside any live buffer (at 0x%llx) (%s)",
				    verb, (long long)lo, (long long)hi - 1, (long long)u, o->role);
	}
	const Xfer *x = racing(s, o->space, lo, hi, o->write);
	if (x)
		return fail(s, "%s %s 0x%llx..0x%llx (%s) that the %s of instruction %zu may still "
			       "be moving (no sync)",
			    verb, space_name(o->space), (long long)lo, (long long)hi - 1, o->role,
			    x->to_chip ? "load" : "store", x->index);
	return 0;
}

/* Bytes [lo, hi) of an on-chip space must have been written. */
static int check_written(Sim *s, int space, int64_t lo, int64_t hi, const char *role)
{
	if (space == NPU_DRAM || hi <= lo)
		return 0;
	const uint8_t *w = s->written[space];
	const uint8_t *p = memchr(w + lo, 0, (size_t)(hi - lo));
	if (!p)
		return 0;
	int64_t a = p - w, b = a;
	while (b < hi && !w[b])
		b++;
	if (a == lo && b == hi)
		return fail(s, "reads %s 0x%llx..0x%llx never written (%s)", space_name(space),
			    (long long)lo, (long long)hi - 1, role);
	return fail(s, "reads %s 0x%llx..0x%llx: 0x%llx..0x%llx never written (%s)",
		    space_name(space), (long long)lo, (long long)hi - 1, (long long)a,
		    (long long)b - 1, role);
}

static void mark(Sim *s, int space, int64_t lo, int64_t n)
{
	if (space == NPU_DRAM)
		return;
	memset(s->written[space] + lo, 1, (size_t)n);
	if (space == NPU_SRAM)
		s->st->sram_hwm = max64(s->st->sram_hwm, lo + n);
}

static uint8_t *at(Sim *s, uint32_t ref)
{
	int space = NPU_SPACE(ref);
	return (space == NPU_DRAM ? s->dram : s->mem[space]) + NPU_ADDR(ref);
}

static int alloc_buf(Sim *s, const NpuInsn *i)
{
	int64_t lo = NPU_ADDR(i->dst), hi = lo + i->bytes;
	if (hi > s->size[NPU_SRAM])
		return fail(s, "buffer 0x%llx..0x%llx past the end of SRAM (0x%llx bytes)",
			    (long long)lo, (long long)hi - 1, (long long)s->size[NPU_SRAM]);
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
	memset(s->written[NPU_SRAM] + lo, 0, (size_t)i->bytes);
	s->st->sram_in_use += i->bytes;
	s->st->sram_peak = max64(s->st->sram_peak, s->st->sram_in_use);
	return 0;
}

static int free_buf(Sim *s, const NpuInsn *i)
{
	int64_t lo = NPU_ADDR(i->dst), hi = lo + i->bytes;
	int k = live_le(s, lo);
	if (k < 0 || s->live[k].addr != lo)
		return fail(s, "frees 0x%llx..0x%llx, which is not an allocated buffer", (long long)lo,
			    (long long)hi - 1);
	if (s->live[k].bytes != i->bytes)
		return fail(s, "frees 0x%llx..0x%llx, but the buffer there is 0x%llx..0x%llx",
			    (long long)lo, (long long)hi - 1, (long long)lo,
			    (long long)(lo + s->live[k].bytes - 1));
	const Xfer *x = racing(s, NPU_SRAM, lo, hi, true);
	if (x)
		return fail(s, "frees SRAM 0x%llx..0x%llx that the %s of instruction %zu may still be "
			       "moving (no sync)",
			    (long long)lo, (long long)hi - 1, x->to_chip ? "load" : "store", x->index);
	memmove(&s->live[k], &s->live[k + 1], (size_t)(s->nlive - k - 1) * sizeof *s->live);
	s->nlive--;
	s->st->sram_in_use -= i->bytes;
	return 0;
}

/* ---- timing: the DMA port (fsim.h) ---- */

/* A read burst of beats requested no earlier than t: returns the cycle of
 * its last beat; *req its request cycle. */
static int64_t read_burst(Sim *s, int64_t t, int64_t beats, int64_t *req)
{
	int64_t r = max64(t, s->t_req);
	if (s->nrd >= NPU_NOUT)
		r = max64(r, s->rd_ring[s->nrd % NPU_NOUT] + 1);
	s->t_req = r + 1;
	int64_t first = max64(max64(r + s->m->dram_latency, s->t_rd), s->t_wdone);
	s->t_rd = first + beats;
	s->rd_ring[s->nrd++ % NPU_NOUT] = first + beats - 1;
	*req = r;
	return first + beats - 1;
}

/* A write burst whose data can leave from cycle t: returns the cycle its
 * response arrives; *req its request cycle, *last its last beat's. */
static int64_t write_burst(Sim *s, int64_t t, int64_t beats, int64_t *req, int64_t *last)
{
	int64_t r = max64(t, s->t_req);
	if (s->nwr >= NPU_NOUT)
		r = max64(r, s->wr_ring[s->nwr % NPU_NOUT] + 1);
	s->t_req = r + 1;
	int64_t first = max64(r + 1, s->t_wd);
	s->t_wd = first + beats;
	*last = first + beats - 1;
	s->t_wdone = max64(s->t_wdone, *last + 1);
	int64_t resp = *last + s->m->dram_latency + 1;
	s->wr_ring[s->nwr++ % NPU_NOUT] = resp;
	*req = r;
	return resp;
}

/* Requests the fetch of every slot below limit not yet requested, from
 * cycle t on (a slot frees when the instruction NPU_IQ slots before it
 * issues). */
static void fetch_upto(Sim *s, int64_t limit, int64_t t)
{
	int bpc = s->m->rd_bpc;
	int64_t beats = NPU_INSN_BYTES / bpc, req;
	for (; s->fetched < limit && s->fetched < s->nslots; s->fetched++) {
		int64_t end = 0;
		for (int64_t b = 0; b < beats; b += NPU_MAXB)
			end = read_burst(s, t, min64(NPU_MAXB, beats - b), &req);
		s->slot_ready[s->fetched] = end + 1;
	}
}

/* Adds the DMA's busy time of [a, b) (intervals come in order). */
static void dma_busy(Sim *s, int64_t a, int64_t b)
{
	a = max64(a, s->dma_busy_to);
	if (b > a) {
		s->st->dma_busy += b - a;
		s->dma_busy_to = b;
	}
}

/* The running compute instruction loses a cycle for each scratchpad access
 * a transfer makes while it runs (port B wins the banks), whichever was
 * issued first: each transfer's n accesses spread evenly over the cycles
 * [a, b] its data cross the port.  The stalls lengthen the instruction,
 * which then overlaps more accesses: a fixed point, reached in a few
 * rounds (an access stalls at most one cycle). */
static void restall(Sim *s)
{
	if (s->eng_base <= s->eng_start)
		return;
	int64_t stall = s->eng_stall;
	for (int round = 0; round < 64; round++) {
		int64_t end = s->eng_base + stall, k = 0;
		for (int j = 0; j < s->nsteals; j++) {
			const Steal *w = &s->steals[j];
			int64_t lo = max64(w->a, s->eng_start), hi = min64(w->b + 1, end);
			if (hi > lo)
				k += w->n * (hi - lo) / (w->b + 1 - w->a);
		}
		if (k <= stall)
			break;
		stall = k;
	}
	s->st->stall_bank += stall - s->eng_stall;
	s->st->compute_busy += stall - s->eng_stall;
	s->eng_stall = stall;
	s->t_eng = s->eng_base + stall;
}

/* A transfer's n scratchpad accesses over [a, b]. */
static void steal(Sim *s, int64_t n, int64_t a, int64_t b)
{
	if (n <= 0)
		return;
	int keep = 0; /* drop the windows no instruction from now on can meet */
	for (int j = 0; j < s->nsteals; j++)
		if (s->steals[j].b >= s->eng_start)
			s->steals[keep++] = s->steals[j];
	s->nsteals = keep;
	if (s->nsteals == s->capsteals)
		s->steals = xgrow(s->steals, &s->capsteals, sizeof *s->steals);
	s->steals[s->nsteals++] = (Steal){n, a, b};
	restall(s);
}

/* ---- LOAD and STORE ---- */

static int64_t row_hull(const NpuInsn *i, uint32_t ref, uint32_t stride)
{
	return NPU_ADDR(ref) + (int64_t)(i->rows - 1) * stride + i->bytes;
}

static int transfer(Sim *s, const NpuInsn *i)
{
	bool load = i->op == NPU_LOAD;
	const CostModel *m = s->m;
	Operand src = {NPU_SPACE(i->src), NPU_ADDR(i->src), row_hull(i, i->src, i->sstride), false,
		       "src"};
	Operand dst = {NPU_SPACE(i->dst), NPU_ADDR(i->dst), row_hull(i, i->dst, i->dstride), true,
		       "dst"};
	if (load && dst.space == NPU_WBUF && (dst.lo % m->mac_cols || i->dstride % m->mac_cols))
		return fail(s, "a weight-buffer load must be in whole rows: destination 0x%llx and "
			       "stride %u multiples of %d",
			    (long long)dst.lo, i->dstride, m->mac_cols);
	if (check(s, &src) || check(s, &dst))
		return -1;
	for (int r = 0; !load && r < i->rows; r++) {
		int64_t a = NPU_ADDR(i->src) + (int64_t)r * i->sstride;
		if (check_written(s, NPU_SRAM, a, a + i->bytes, "src"))
			return -1;
	}
	/* move it, count it */
	int bpc = load ? m->rd_bpc : m->wr_bpc;
	int64_t beats = 0, sram_acc = 0;
	for (int r = 0; r < i->rows; r++) {
		uint8_t *from = at(s, i->src) + (int64_t)r * i->sstride;
		uint8_t *to = at(s, i->dst) + (int64_t)r * i->dstride;
		memmove(to, from, i->bytes);
		int64_t daddr = (load ? NPU_ADDR(i->src) + (int64_t)r * i->sstride
				      : NPU_ADDR(i->dst) + (int64_t)r * i->dstride);
		beats += cost_beats(daddr, i->bytes, bpc);
		mark(s, dst.space, NPU_ADDR(i->dst) + (int64_t)r * i->dstride, i->bytes);
		sram_acc += (i->bytes + m->window - 1) / m->window;
	}
	int64_t moved = (int64_t)i->rows * i->bytes;
	if (load) {
		s->st->port_rd[i->cls] += beats * bpc;
		s->st->dma_rd += moved;
		if (dst.space == NPU_SRAM)
			s->st->sram_wr += moved;
		else
			sram_acc = 0;
	} else {
		s->st->port_wr[i->cls] += beats * bpc;
		s->st->dma_wr += moved;
		s->st->sram_rd += moved;
	}
	if (s->npend == s->cappend)
		s->pend = xgrow(s->pend, &s->cappend, sizeof *s->pend);
	const Operand *chip = load ? &dst : &src;
	s->pend[s->npend++] = (Xfer){chip->space, chip->lo, chip->hi, load, s->index};

	/* time it: in order after the previous transfer's requests, held while
	 * the running compute touches its range, the queue NPU_QDEPTH deep */
	if (s->nx >= NPU_QDEPTH) /* the queue is full: issue waits for the oldest to start */
		s->t_issue = max64(s->t_issue, s->xstart[s->nx % NPU_QDEPTH]);
	int64_t t = max64(s->t_issue + 1, s->last_req + 1);
	if (s->t_eng > t && chip->lo < s->eng_hi[chip->space] && s->eng_lo[chip->space] < chip->hi)
		t = s->t_eng;
	int64_t first = -1, done = t, req = t, data0 = -1, data1 = t;
	for (int r = 0; r < i->rows; r++) {
		int64_t daddr = (load ? NPU_ADDR(i->src) + (int64_t)r * i->sstride
				      : NPU_ADDR(i->dst) + (int64_t)r * i->dstride);
		int64_t nb = cost_beats(daddr, i->bytes, bpc);
		for (int64_t b = 0; b < nb; b += NPU_MAXB) {
			int64_t k = min64(NPU_MAXB, nb - b), last;
			if (load) {
				last = read_burst(s, t, k, &req);
				done = max64(done, last + CHUNK_WRITE);
			} else {
				done = max64(done, write_burst(s, t, k, &req, &last));
			}
			if (first < 0)
				first = req;
			if (data0 < 0)
				data0 = last - k + 1;
			data1 = last;
		}
	}
	s->xstart[s->nx++ % NPU_QDEPTH] = first;
	s->st->last_start = first;
	s->st->last_end = done;
	s->last_req = req;
	s->t_dma_done = max64(s->t_dma_done, done);
	dma_busy(s, first, done);
	steal(s, sram_acc, data0, data1);
	return 0;
}

/* ---- compute ---- */

static void opnd(Operand *o, int space, int64_t lo, int64_t hi, bool write, const char *role)
{
	o->space = space;
	o->lo = lo;
	o->hi = hi;
	o->write = write;
	snprintf(o->role, sizeof o->role, "%s", role);
}

/* The hull of channels [0, nch) of view v over rows [r0, r1) of rb bytes. */
static bool view_hull(const NpuView *v, int nch, int r0, int r1, int64_t rb, int64_t *lo,
		      int64_t *hi)
{
	if (nch <= 0 || r1 <= r0)
		return false;
	*lo = NPU_ADDR(v->base) + (int64_t)(r0 - v->row0) * rb;
	*hi = NPU_ADDR(v->base) + (int64_t)(nch - 1) * v->cs + (int64_t)(r1 - v->row0) * rb;
	return true;
}

/* Every channel's rows [r0, r1) of view v (nch channels, rows of rb bytes)
 * must have been written. */
static int view_written(Sim *s, const NpuView *v, int nch, int r0, int r1, int64_t rb,
			const char *role)
{
	for (int c = 0; c < nch && r1 > r0; c++) {
		int64_t lo = NPU_ADDR(v->base) + (int64_t)c * v->cs + (int64_t)(r0 - v->row0) * rb;
		if (check_written(s, NPU_SRAM, lo, lo + (int64_t)(r1 - r0) * rb, role))
			return -1;
	}
	return 0;
}

/* The operands of compute instruction i, reads first, the outputs last. */
static int operands(const CostModel *m, const NpuInsn *i, Operand *o)
{
	int n = 0, lo, hi;
	int64_t a = 0, b = 0;
	switch (i->op) {
	case NPU_CONV: {
		int split = i->flags & NPU_F_SPLIT ? i->split : i->in_c;
		int osplit = i->flags & NPU_F_OSPLIT ? i->osplit : i->out_c;
		int64_t e = i->flags & NPU_F_OUT32 ? 4 : 1;
		npu_band_rows(i, &lo, &hi);
		if (view_hull(&i->x, split, lo, hi, i->in_w, &a, &b))
			opnd(&o[n++], NPU_SRAM, a, b, false, "src");
		if ((i->flags & NPU_F_SPLIT) && view_hull(&i->x2, i->in_c - split, lo, hi, i->in_w, &a, &b))
			opnd(&o[n++], NPU_SRAM, a, b, false, "src2");
		a = NPU_ADDR(i->weight);
		opnd(&o[n++], NPU_WBUF, a,
		     a + npu_weight_bytes(i->in_c, i->out_c, i->groups, i->kh, i->kw, i->cw), false,
		     "weights");
		if ((i->flags & NPU_F_PSUM) &&
		    view_hull(&i->ps, i->out_c, i->oy0, i->oy1, 4 * (int64_t)i->out_w, &a, &b))
			opnd(&o[n++], NPU_SRAM, a, b, false, "psum");
		if (view_hull(&i->y, osplit, i->oy0, i->oy1, e * i->out_w, &a, &b))
			opnd(&o[n++], NPU_SRAM, a, b, true, "dst");
		if ((i->flags & NPU_F_OSPLIT) &&
		    view_hull(&i->y2, i->out_c - osplit, i->oy0, i->oy1, e * i->out_w, &a, &b))
			opnd(&o[n++], NPU_SRAM, a, b, true, "dst2");
		(void)m;
		break;
	}
	case NPU_POOL:
		npu_band_rows(i, &lo, &hi);
		if (view_hull(&i->x, i->in_c, lo, hi, i->in_w, &a, &b))
			opnd(&o[n++], NPU_SRAM, a, b, false, "src");
		view_hull(&i->y, i->in_c, i->oy0, i->oy1, i->out_w, &a, &b);
		opnd(&o[n++], NPU_SRAM, a, b, true, "dst");
		break;
	case NPU_GAVG:
		a = NPU_ADDR(i->src);
		opnd(&o[n++], NPU_SRAM, a, a + (int64_t)i->in_c * i->in_h * i->in_w, false, "src");
		a = NPU_ADDR(i->dst);
		opnd(&o[n++], NPU_SRAM, a, a + i->in_c, true, "dst");
		break;
	case NPU_EW:
		for (int k = 0; k < i->nin; k++) {
			char role[12];
			snprintf(role, sizeof role, "in%d", k);
			a = NPU_ADDR(i->in[k]);
			opnd(&o[n++], NPU_SRAM, a, a + i->bytes, false, role);
		}
		a = NPU_ADDR(i->dst);
		opnd(&o[n++], NPU_SRAM, a, a + i->bytes, true, "dst");
		break;
	case NPU_REQUANT:
		a = NPU_ADDR(i->src);
		opnd(&o[n++], NPU_SRAM, a, a + 4 * (int64_t)i->bytes, false, "src");
		if (i->flags & NPU_F_PERCH) {
			a = NPU_ADDR(i->aux);
			opnd(&o[n++], NPU_WBUF, a, a + NPU_TABLE_ENTRY * (int64_t)i->out_c, false,
			     "table");
		}
		a = NPU_ADDR(i->dst);
		opnd(&o[n++], NPU_SRAM, a, a + i->bytes, true, "dst");
		break;
	default: /* COPY, RELU */
		a = NPU_ADDR(i->src);
		opnd(&o[n++], NPU_SRAM, a, a + i->bytes, false, "src");
		a = NPU_ADDR(i->dst);
		opnd(&o[n++], NPU_SRAM, a, a + i->bytes, true, "dst");
		break;
	}
	return n;
}

/* What a compute instruction reads must have been written: exactly the
 * bytes it reads. */
static int reads_written(Sim *s, const NpuInsn *i, const Operand *o, int n)
{
	int lo, hi;
	switch (i->op) {
	case NPU_CONV: {
		int split = i->flags & NPU_F_SPLIT ? i->split : i->in_c;
		npu_band_rows(i, &lo, &hi);
		if (view_written(s, &i->x, split, lo, hi, i->in_w, "src") ||
		    ((i->flags & NPU_F_SPLIT) &&
		     view_written(s, &i->x2, i->in_c - split, lo, hi, i->in_w, "src2")))
			return -1;
		if ((i->flags & NPU_F_PSUM) &&
		    view_written(s, &i->ps, i->out_c, i->oy0, i->oy1, 4 * (int64_t)i->out_w, "psum"))
			return -1;
		break;
	}
	case NPU_POOL:
		npu_band_rows(i, &lo, &hi);
		return view_written(s, &i->x, i->in_c, lo, hi, i->in_w, "src");
	default:
		break;
	}
	for (int k = 0; k < n; k++)
		if (!o[k].write && (i->op != NPU_CONV || o[k].space == NPU_WBUF) &&
		    check_written(s, o[k].space, o[k].lo, o[k].hi, o[k].role))
			return -1;
	return 0;
}

static Window window(const NpuInsn *i)
{
	return (Window){i->kh, i->kw, i->sh, i->sw, i->dh, i->dw,
			i->pt, i->pl, i->pb, i->pr, i->groups ? i->groups : 1};
}

/* Channel c's row r of view v (rows of rb bytes). */
static uint8_t *view_row(Sim *s, const NpuView *v, int c, int r, int64_t rb)
{
	return s->mem[NPU_SRAM] + NPU_ADDR(v->base) + (int64_t)c * v->cs + (int64_t)(r - v->row0) * rb;
}

/* The band's input rows [lo, hi) of every channel, dense (one zero row
 * when the band reads none). */
static int8_t *gather_input(Sim *s, const NpuInsn *i, int lo, int hi, int *nrows)
{
	int n = hi > lo ? hi - lo : 1;
	int split = i->flags & NPU_F_SPLIT ? i->split : i->in_c;
	int8_t *x = xcalloc((size_t)i->in_c * n * i->in_w, 1);
	for (int c = 0; c < i->in_c && hi > lo; c++)
		for (int r = lo; r < hi; r++) {
			const uint8_t *p = c < split ? view_row(s, &i->x, c, r, i->in_w)
						     : view_row(s, &i->x2, c - split, r, i->in_w);
			memcpy(x + ((int64_t)c * n + r - lo) * i->in_w, p, i->in_w);
		}
	*nrows = n;
	return x;
}

/* The sub-window of a band whose input starts at row lo. */
static Window band_window(const NpuInsn *i, int lo)
{
	Window k = window(i);
	k.pt = i->pt - i->oy0 * i->sh + lo;
	return k;
}

/* Output channel c's row of the band (rows of rb bytes), wherever its view puts it. */
static uint8_t *out_row(Sim *s, const NpuInsn *i, int c, int oy, int64_t rb)
{
	int osplit = i->flags & NPU_F_OSPLIT ? i->osplit : i->out_c;
	return c < osplit ? view_row(s, &i->y, c, oy, rb) : view_row(s, &i->y2, c - osplit, oy, rb);
}

static void conv(Sim *s, const NpuInsn *i)
{
	int lo, hi, nrows, G = i->groups, cig = i->in_c / G, cog = i->out_c / G;
	int rows = i->oy1 - i->oy0, tiles = npu_tiles(cog, i->cw);
	int64_t red = (int64_t)cig * i->kh * i->kw, plane = (int64_t)rows * i->out_w;
	npu_band_rows(i, &lo, &hi);
	int8_t *x = gather_input(s, i, lo, hi, &nrows);
	int8_t *w = xmalloc((size_t)(i->out_c * red > 0 ? i->out_c * red : 1));
	int32_t *bias = xcalloc(i->out_c, sizeof *bias), *qmul = xcalloc(i->out_c, sizeof *qmul);
	int8_t *qshift = xcalloc(i->out_c, 1);
	const uint8_t *blk = at(s, i->weight);
	for (int g = 0; g < G; g++)
		for (int t = 0; t < tiles; t++, blk += (NPU_PARAM_ROWS + red) * i->cw)
			for (int k = 0; k < i->cw && t * i->cw + k < cog; k++) {
				int oc = g * cog + t * i->cw + k;
				uint8_t b[9];
				for (int j = 0; j < NPU_PARAM_ROWS; j++)
					b[j] = blk[j * i->cw + k];
				bias[oc] = ld32(b);
				qmul[oc] = ld32(b + 4);
				qshift[oc] = (int8_t)b[8];
				for (int64_t r = 0; r < red; r++)
					w[oc * red + r] = (int8_t)blk[(NPU_PARAM_ROWS + r) * i->cw + k];
			}
	int32_t *acc = xmalloc((size_t)(i->out_c * plane) * sizeof *acc);
	for (int c = 0; c < i->out_c; c++)
		for (int oy = 0; oy < rows; oy++)
			for (int ox = 0; ox < i->out_w; ox++)
				acc[(c * rows + oy) * (int64_t)i->out_w + ox] =
					i->flags & NPU_F_PSUM
						? ld32(view_row(s, &i->ps, c, i->oy0 + oy, 4 * (int64_t)i->out_w) +
						       4 * ox)
						: bias[c];
	Shape xs = {1, i->in_c, nrows, i->in_w}, ys = {1, i->out_c, rows, i->out_w};
	ref_conv_acc(band_window(i, lo), xs, x, ys, w, acc);
	int64_t e = i->flags & NPU_F_OUT32 ? 4 : 1;
	for (int c = 0; c < i->out_c; c++)
		for (int oy = 0; oy < rows; oy++) {
			uint8_t *p = out_row(s, i, c, i->oy0 + oy, e * i->out_w);
			const int32_t *a = acc + (c * rows + oy) * (int64_t)i->out_w;
			for (int ox = 0; ox < i->out_w; ox++)
				if (e == 4)
					st32(p + 4 * ox, a[ox]);
				else
					p[ox] = (uint8_t)ref_clamp8(ref_requant(a[ox], qmul[c], qshift[c]),
								    i->flags & NPU_F_RELU);
			mark(s, NPU_SRAM, p - s->mem[NPU_SRAM], e * i->out_w);
		}
	free(x);
	free(w);
	free(bias);
	free(qmul);
	free(qshift);
	free(acc);
}

static void pool(Sim *s, const NpuInsn *i)
{
	int lo, hi, nrows, rows = i->oy1 - i->oy0;
	npu_band_rows(i, &lo, &hi);
	int8_t *x = gather_input(s, i, lo, hi, &nrows);
	int8_t *y = xmalloc((size_t)i->in_c * rows * i->out_w);
	Shape xs = {1, i->in_c, nrows, i->in_w}, ys = {1, i->in_c, rows, i->out_w};
	ref_pool(band_window(i, lo), i->flags & NPU_F_AVG, xs, x, ys, y);
	for (int c = 0; c < i->in_c; c++)
		for (int oy = 0; oy < rows; oy++) {
			uint8_t *p = view_row(s, &i->y, c, i->oy0 + oy, i->out_w);
			memcpy(p, y + ((int64_t)c * rows + oy) * i->out_w, i->out_w);
			mark(s, NPU_SRAM, p - s->mem[NPU_SRAM], i->out_w);
		}
	free(x);
	free(y);
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
	uint32_t *acc = xcalloc((size_t)n, sizeof *acc); /* wraps like int32 hardware */
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

static void requant(Sim *s, const NpuInsn *i, uint8_t *out)
{
	const uint8_t *x = at(s, i->src);
	bool perch = i->flags & NPU_F_PERCH, relu = i->flags & NPU_F_RELU;
	int64_t plane = perch ? i->bytes / i->out_c : i->bytes;
	for (int64_t k = 0; k < i->bytes; k++) {
		int32_t q = i->qmul;
		int sh = i->qshift;
		if (perch) {
			const uint8_t *e = at(s, i->aux) + NPU_TABLE_ENTRY * (k / plane);
			q = ld32(e);
			sh = (int8_t)e[4];
		}
		out[k] = (uint8_t)ref_clamp8(ref_requant(ld32(x + 4 * k), q, sh), relu);
	}
}

/* Dense instructions: one output range, computed into out first. */
static void dense(Sim *s, const NpuInsn *i)
{
	int64_t n = i->op == NPU_GAVG ? i->in_c : i->bytes;
	uint8_t *out = xmalloc((size_t)n);
	switch (i->op) {
	case NPU_GAVG:
		gavg(s, i, out);
		break;
	case NPU_EW:
		ew(s, i, out);
		break;
	case NPU_REQUANT:
		requant(s, i, out);
		break;
	case NPU_COPY:
		memcpy(out, at(s, i->src), (size_t)n);
		break;
	default: { /* RELU */
		const int8_t *x = (const int8_t *)at(s, i->src);
		for (int64_t k = 0; k < n; k++)
			out[k] = (uint8_t)(x[k] < 0 ? 0 : x[k]);
		break;
	}
	}
	memcpy(at(s, i->dst), out, (size_t)n);
	mark(s, NPU_SRAM, NPU_ADDR(i->dst), n);
	free(out);
}

/* Rules only the machine can check: a weight block's width against the
 * array's columns. */
static int check_conv(Sim *s, const NpuInsn *i)
{
	if (s->m->mac_cols % i->cw)
		return fail(s, "block width cw %u does not divide the array's %d columns", i->cw,
			    s->m->mac_cols);
	if (NPU_ADDR(i->weight) % i->cw)
		return fail(s, "weights at W:0x%x, not a multiple of cw %u", NPU_ADDR(i->weight), i->cw);
	return 0;
}

/* An output over the engine's own inputs: the engines write while they
 * still read, so a CONV's or a POOL's outputs may not overlap its inputs
 * (a CONV's int32 dst may be its partial sums' very view: each pixel tile
 * reads its sums before it writes them), and an EW's, a REQUANT's or a
 * GAVG's output may not start inside an input past that input's start (it
 * would overwrite bytes not yet read; in place, from the same first byte,
 * is fine).  COPY and RELU may overlap either way.  Inputs are taken in
 * order, each against the outputs in order, as the RTL's checker does. */
static int check_overlap(Sim *s, const NpuInsn *i, const Operand *o, int n)
{
	if (i->op == NPU_COPY || i->op == NPU_RELU)
		return 0;
	bool window = i->op == NPU_CONV || i->op == NPU_POOL;
	bool same_view = i->op == NPU_CONV && (i->flags & NPU_F_OUT32) && i->y.base == i->ps.base &&
			 i->y.cs == i->ps.cs && i->y.row0 == i->ps.row0;
	for (int r = 0; r < n; r++) {
		const Operand *x = &o[r];
		if (x->write || x->space != NPU_SRAM || x->hi <= x->lo)
			continue;
		bool psum = strcmp(x->role, "psum") == 0;
		for (int w = 0; w < n; w++) {
			if (!o[w].write || o[w].space != NPU_SRAM || o[w].hi <= o[w].lo)
				continue;
			if (psum && same_view && strcmp(o[w].role, "dst") == 0)
				continue; /* the sums' own view, tile by tile */
			bool hit = window ? x->lo < o[w].hi && o[w].lo < x->hi
					  : x->lo < o[w].lo && o[w].lo < x->hi;
			if (hit)
				return fail(s, "writes SRAM 0x%llx..0x%llx (%s) %s its reads of 0x%llx..0x%llx "
					       "(%s)",
					    (long long)o[w].lo, (long long)o[w].hi - 1, o[w].role,
					    window ? "over" : "ahead of", (long long)x->lo,
					    (long long)x->hi - 1, x->role);
		}
	}
	return 0;
}

static int compute(Sim *s, const NpuInsn *i)
{
	Operand o[NOPS];
	if (i->op == NPU_CONV && check_conv(s, i))
		return -1;
	int n = operands(s->m, i, o);
	for (int k = 0; k < n; k++)
		if (check(s, &o[k]))
			return -1;
	if (check_overlap(s, i, o, n) || reads_written(s, i, o, n))
		return -1;
	if (i->op == NPU_CONV)
		conv(s, i);
	else if (i->op == NPU_POOL)
		pool(s, i);
	else
		dense(s, i);

	int64_t mac = 0, rd = 0, wr = 0;
	int64_t t = cost_engine(s->m, i, &mac, &rd, &wr);
	s->st->mac_busy += mac;
	s->st->sram_rd += rd;
	s->st->sram_wr += wr;
	int64_t start = max64(s->t_issue, s->t_eng);
	s->eng_start = start;
	s->eng_base = start + t;
	s->eng_stall = 0;
	s->t_eng = start + t;
	s->st->compute_busy += t;
	restall(s);
	for (int sp = 0; sp < 2; sp++) {
		s->eng_lo[sp] = INT64_MAX;
		s->eng_hi[sp] = 0;
	}
	for (int k = 0; k < n; k++) {
		s->eng_lo[o[k].space] = min64(s->eng_lo[o[k].space], o[k].lo);
		s->eng_hi[o[k].space] = max64(s->eng_hi[o[k].space], o[k].hi);
	}
	s->t_issue = start + 1; /* issue goes on while the engine runs */
	s->st->last_start = start;
	s->st->last_end = s->t_eng;
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
		s->t_issue = max64(s->t_issue, s->t_dma_done);
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
	if (m->sram_bytes < 1 || m->sram_bytes > SPACE_MAX || m->wbuf_bytes < 1 ||
	    m->wbuf_bytes > SPACE_MAX)
		return err_set(e, "fsim: SRAM of %lld bytes, WBUF of %lld (1 to 2^30)",
			       (long long)m->sram_bytes, (long long)m->wbuf_bytes);
	if (m->rd_bpc < 1 || m->wr_bpc < 1 || m->rd_bpc > NPU_INSN_BYTES || m->dram_latency < 0 ||
	    m->mac_rows < 1 || m->mac_cols < 1 || m->vector_width < 1 || m->window < 2)
		return err_set(e, "fsim: bad cost model (port widths 1..64, MAC array, vector width "
				  "and window positive, latency not negative)");
	return 0;
}

int64_t fsim_port_read(const FsimStats *st)
{
	int64_t n = 0;
	for (int k = 0; k < NPU_NCLASS; k++)
		n += st->port_rd[k];
	return n;
}

int64_t fsim_port_write(const FsimStats *st)
{
	return st->port_wr[0] + st->port_wr[1];
}

int fsim_run(const CostModel *m, const uint32_t *words, size_t nwords, uint8_t *dram,
	     size_t dram_bytes, FsimStats *st, Err *e)
{
	return fsim_run_hooked(m, words, nwords, dram, dram_bytes, st, NULL, NULL, e);
}

int fsim_run_hooked(const CostModel *m, const uint32_t *words, size_t nwords, uint8_t *dram,
		    size_t dram_bytes, FsimStats *st, FsimHook *hook, void *ctx, Err *e)
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
	s.size[NPU_SRAM] = m->sram_bytes;
	s.size[NPU_WBUF] = m->wbuf_bytes;
	for (int sp = 0; sp < 2; sp++) {
		s.mem[sp] = xcalloc((size_t)s.size[sp], 1);
		s.written[sp] = xcalloc((size_t)s.size[sp], 1);
	}
	s.dram = dram;
	s.dram_bytes = dram_bytes > (size_t)SPACE_MAX ? SPACE_MAX : (int64_t)dram_bytes;
	s.st = st;
	s.e = e;
	s.rd_ring = xcalloc(NPU_NOUT, sizeof *s.rd_ring);
	s.wr_ring = xcalloc(NPU_NOUT, sizeof *s.wr_ring);
	s.xstart = xcalloc(NPU_QDEPTH, sizeof *s.xstart);
	s.nslots = (int64_t)(nwords / NPU_INSN_WORDS);
	s.slot_ready = xcalloc((size_t)(s.nslots ? s.nslots : 1), sizeof *s.slot_ready);
	s.last_req = -1;
	fetch_upto(&s, NPU_IQ, 0);
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
		int64_t slot = (int64_t)(pos + used) / NPU_INSN_WORDS; /* one past its last slot */
		s.t_issue = max64(s.t_issue, s.slot_ready[slot - 1]) + cost_issue(m, &i);
		st->last_start = st->last_end = s.t_issue;
		if (step(&s, &i))
			goto out;
		if (i.op == NPU_SYNC)
			st->last_end = s.t_issue;
		fetch_upto(&s, slot + NPU_IQ, s.t_issue);
		if (hook)
			hook(ctx, s.index, s.mem[NPU_SRAM]);
		st->insns++;
		pos += used;
		if (i.op == NPU_END)
			break;
		s.index++;
	}
	st->cycles = max64(max64(s.t_issue, s.t_eng), s.t_dma_done);
	st->port_rd[NPU_CLS_FETCH] = (int64_t)nwords * 4;
	if (pos != nwords) {
		err_set(e, "instruction %zu (end): %zu words after it", s.index, nwords - pos);
		goto out;
	}
	rc = 0;
out:
	for (int sp = 0; sp < 2; sp++) {
		free(s.mem[sp]);
		free(s.written[sp]);
	}
	free(s.live);
	free(s.pend);
	free(s.rd_ring);
	free(s.wr_ring);
	free(s.xstart);
	free(s.steals);
	free(s.slot_ready);
	return rc;
}
