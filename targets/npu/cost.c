/* cost.c: the cost model (see cost.h).
 *
 * Engines: the cycle formulas of hw/npu_conv.sv's and hw/npu_vec.sv's
 * headers, which tb_conv and tb_vec check cycle for cycle.  The
 * convolution engine (outer product, output-stationary) walks, per output
 * channel tile (cw columns) of each group, its band's output rows in pixel
 * tiles of L = min(rows, (window - 1)/sw + 1) lanes; a pixel tile takes
 * red = cig*kh*kw reduction steps (one window read and one WBUF row a
 * cycle), its partial sums' reads first with PSUM, and the tile's first
 * also its 9 parameter rows; its drain's writes overlap the next pixel
 * tile's steps.  The vector unit takes one scratchpad access a cycle.
 * The sequencer's issue: cost_issue.
 */
#include "cost.h"

static int64_t ceil_div(int64_t a, int64_t b)
{
	return b > 0 ? (a + b - 1) / b : a;
}

static int64_t max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* Engine constants: the cycle formulas in hw/npu_conv.sv's and
 * hw/npu_vec.sv's headers (which their testbenches check exactly). */
enum {
	CONV_SETUP = 8,  /* i_start to the first item: products, loop set-up, R filled */
	CONV_LAT8 = 5,   /* a pixel tile's last step to its first write, int8 */
	CONV_LAT32 = 3,  /* the same, OUT32 */
	VEC_DIV = 9,     /* an average's division: 8 quotient bits, and the rounding */
};

int64_t cost_beats(int64_t a, int64_t n, int bpc)
{
	if (n <= 0)
		return 0;
	return (a + n - 1) / bpc - a / bpc + 1;
}

int64_t cost_issue(const CostModel *m, const NpuInsn *i)
{
	int64_t rows = NPU_INSN_BYTES / m->rd_bpc, c = rows + 12;
	switch (i->op) {
	case NPU_CONV:
		return c + rows + 253;
	case NPU_POOL:
		return c + 117;
	case NPU_GAVG:
		return c + 158;
	case NPU_EW:
		return c + 33 + 12 * (i->nin > 2 ? i->nin - 2 : 0);
	case NPU_REQUANT:
		return c + 22 + (i->flags & NPU_F_PERCH ? 33 : 0);
	case NPU_COPY:
	case NPU_RELU:
		return c + 22;
	case NPU_LOAD:
		return c + 16;
	case NPU_STORE:
		return c + 19;
	case NPU_ALLOC:
		return c + 5;
	case NPU_FREE:
		return c + 6;
	case NPU_SYNC:
		return c + 1;
	default: /* END */
		return c;
	}
}

int64_t cost_transfer(const CostModel *m, int64_t bytes, bool write)
{
	if (bytes <= 0)
		return 0;
	return m->dram_latency + ceil_div(bytes, write ? m->wr_bpc : m->rd_bpc);
}

/* Lanes of a tile whose input column ix = (ox0 + p)*sw - pl + kx*dw is
 * inside [0, in_w): the span from the first such lane's byte to the last's. */
static int64_t span(const NpuInsn *i, int ox0, int nl, int kx)
{
	int64_t first = -1, last = -1;
	for (int p = 0; p < nl; p++) {
		int64_t ix = (int64_t)(ox0 + p) * i->sw - i->pl + (int64_t)kx * i->dw;
		if (ix < 0 || ix >= i->in_w)
			continue;
		if (first < 0)
			first = ix;
		last = ix;
	}
	return first < 0 ? 0 : last - first + 1;
}

/* Rows ky of the window of output row oy inside the input. */
static int valid_ky(const NpuInsn *i, int oy)
{
	int n = 0;
	for (int ky = 0; ky < i->kh; ky++) {
		int64_t iy = (int64_t)oy * i->sh - i->pt + (int64_t)ky * i->dh;
		n += iy >= 0 && iy < i->in_h;
	}
	return n;
}

static int64_t conv_cycles(const CostModel *m, const NpuInsn *i, int64_t *mac, int64_t *rd,
			   int64_t *wr)
{
	int cig = i->in_c / i->groups, cog = i->out_c / i->groups;
	int64_t red = (int64_t)cig * i->kh * i->kw;
	int lanes = npu_lanes(m->mac_rows, m->window, i->sw);
	int grp = m->window / 4 > 0 ? m->window / 4 : 1; /* int32 lanes an access */
	bool out32 = i->flags & NPU_F_OUT32, psum = i->flags & NPU_F_PSUM;
	int64_t lat = out32 ? CONV_LAT32 : CONV_LAT8;
	int64_t cycles = CONV_SETUP + lat, steps = 0, rbytes = 0, wbytes = 0;
	int tiles = npu_tiles(cog, i->cw);
	for (int t = 0; t < tiles; t++) {
		int ncols = cog - t * i->cw < i->cw ? cog - t * i->cw : i->cw;
		int64_t c = 0;
		for (int ox0 = 0; ox0 < i->out_w; ox0 += lanes) {
			int nl = i->out_w - ox0 < lanes ? i->out_w - ox0 : lanes;
			int64_t per32 = ceil_div(nl, grp); /* int32 accesses a channel */
			int64_t ps = psum ? ncols * per32 : 0;
			int64_t w = out32 ? ncols * per32 : ncols;
			c += (max64(red + ps, lat) + w) * (i->oy1 - i->oy0);
			if (ox0 == 0) /* the tile's first pixel tile reads its parameter rows too */
				c += max64(NPU_PARAM_ROWS + red + ps, lat) - max64(red + ps, lat);
			if (rd) {
				int64_t sp = 0;
				for (int kx = 0; kx < i->kw; kx++)
					sp += span(i, ox0, nl, kx);
				for (int oy = i->oy0; oy < i->oy1; oy++)
					rbytes += (int64_t)cig * valid_ky(i, oy) * sp * i->groups;
				rbytes += (psum ? 4LL * nl * ncols : 0) * (i->oy1 - i->oy0) * i->groups;
				wbytes += (int64_t)nl * ncols * (out32 ? 4 : 1) * (i->oy1 - i->oy0) * i->groups;
			}
		}
		cycles += c * i->groups;
	}
	int64_t xt = ceil_div(i->out_w, lanes);
	steps = (int64_t)i->groups * tiles * (i->oy1 - i->oy0) * xt * red;
	if (mac)
		*mac = steps;
	if (rd)
		*rd = rbytes;
	if (wr)
		*wr = wbytes;
	return cycles;
}

static int64_t pool_cycles(const CostModel *m, const NpuInsn *i, int64_t *rd, int64_t *wr)
{
	int lanes = npu_lanes(m->vector_width, m->window, i->sw);
	bool avg = i->flags & NPU_F_AVG;
	int64_t c = 0, rbytes = 0, rows = i->oy1 - i->oy0;
	for (int ox0 = 0; ox0 < i->out_w; ox0 += lanes) {
		int nl = i->out_w - ox0 < lanes ? i->out_w - ox0 : lanes;
		c += max64((int64_t)i->kh * i->kw, avg ? VEC_DIV : 1) + 1;
		if (rd) {
			int64_t sp = 0;
			for (int kx = 0; kx < i->kw; kx++)
				sp += span(i, ox0, nl, kx);
			for (int oy = i->oy0; oy < i->oy1; oy++)
				rbytes += valid_ky(i, oy) * sp;
		}
	}
	if (rd)
		*rd = rbytes * i->in_c;
	if (wr)
		*wr = rows * i->out_w * i->in_c;
	return 8 + c * rows * i->in_c + (avg ? VEC_DIV : 1) + 1;
}

int64_t cost_engine(const CostModel *m, const NpuInsn *i, int64_t *mac, int64_t *rd, int64_t *wr)
{
	int64_t n = i->bytes, vw = m->vector_width, dummy;
	if (mac)
		*mac = 0;
	if (!rd)
		rd = &dummy;
	if (!wr)
		wr = &dummy;
	switch (i->op) {
	case NPU_CONV:
		return conv_cycles(m, i, mac, rd, wr);
	case NPU_POOL:
		return pool_cycles(m, i, rd, wr);
	case NPU_GAVG: {
		int64_t plane = (int64_t)i->in_h * i->in_w;
		*rd = plane * i->in_c;
		*wr = i->in_c;
		return 13 + i->in_c * (max64(ceil_div(plane, vw), VEC_DIV) + 1);
	}
	case NPU_EW:
		*rd = n * i->nin;
		*wr = n;
		return ceil_div(n, vw) * (max64(i->nin, 2) + 1) + 6;
	case NPU_REQUANT: { /* units of VW elements, each its int32s in reads of bpa bytes */
		int64_t bpa = m->window < 4 ? m->window : 4 * min64(vw, m->window / 4);
		bool perch = i->flags & NPU_F_PERCH;
		int64_t planes = perch ? i->out_c : 1, plane = n / planes, c = perch ? 37 : 5;
		for (int64_t p = 0; p < planes; p++)
			for (int64_t at = 0; at < plane; at += vw) {
				int64_t nl = plane - at < vw ? plane - at : vw;
				int64_t u = max64(ceil_div(4 * nl, bpa), 2);
				if (perch && at == 0) { /* the plane's table entry: NR weight-buffer rows */
					int64_t e = NPU_ADDR(i->aux) + 8 * p;
					u = max64(u, (e % m->mac_cols + 4) / m->mac_cols + 2);
				}
				c += u + 1;
			}
		*rd = 4 * n;
		*wr = n;
		return c;
	}
	case NPU_COPY:
		*rd = *wr = n;
		return 2 * ceil_div(n, m->window) + 3;
	case NPU_RELU:
		*rd = *wr = n;
		return 2 * ceil_div(n, vw) + 3;
	default:
		return 0;
	}
}

static void window_of(NpuInsn *i, const Window *w)
{
	i->kh = (uint8_t)w->kh;
	i->kw = (uint8_t)w->kw;
	i->sh = (uint8_t)w->sh;
	i->sw = (uint8_t)w->sw;
	i->dh = (uint8_t)w->dh;
	i->dw = (uint8_t)w->dw;
	i->pt = (int8_t)w->pt;
	i->pl = (int8_t)w->pl;
	i->pb = (int8_t)w->pb;
	i->pr = (int8_t)w->pr;
	i->groups = (uint16_t)w->groups;
}

int64_t cost_op_cycles(const CostModel *m, const Graph *g, int o)
{
	const Op *op = &g->ops[o];
	const Tensor *y = &g->tensors[op->out[0]];
	const Tensor *x = op->nin ? &g->tensors[op->in[0]] : y;
	int64_t ny = ir_shape_elems(y->shape), nx = ir_shape_elems(x->shape);
	NpuInsn i = {0};
	i.in_c = (uint16_t)x->shape.c;
	i.in_h = (uint16_t)x->shape.h;
	i.in_w = (uint16_t)x->shape.w;
	i.out_c = (uint16_t)y->shape.c;
	i.out_h = (uint16_t)y->shape.h;
	i.out_w = (uint16_t)y->shape.w;
	switch (op->kind) {
	case OP_CONV:
	case OP_PCONV:
	case OP_FC:
		i.op = NPU_CONV;
		if (op->kind == OP_FC) {
			Window w = ir_window(1, 1, 1, 1);
			window_of(&i, &w);
			i.in_c = (uint16_t)(nx > 65535 ? 65535 : nx);
			i.in_h = i.in_w = i.out_h = i.out_w = 1;
		} else {
			window_of(&i, &op->win);
		}
		if (i.kh == 1 && i.kw == 1 && i.sh == 1 && i.sw == 1 && !i.pt && !i.pl && !i.pb &&
		    !i.pr && (int64_t)i.in_h * i.in_w <= 65535) { /* as the emitter flattens it */
			i.in_w = i.out_w = (uint16_t)(i.in_h * i.in_w);
			i.in_h = i.out_h = 1;
		}
		if (op->kind == OP_PCONV)
			i.flags = NPU_F_OUT32 | (op->nin == 2 ? NPU_F_PSUM : 0);
		i.cw = (uint16_t)npu_block_width(i.out_c / (i.groups ? i.groups : 1), m->mac_cols);
		i.oy1 = i.out_h;
		return cost_engine(m, &i, NULL, NULL, NULL);
	case OP_MAXPOOL:
	case OP_AVGPOOL:
		i.op = NPU_POOL;
		window_of(&i, &op->win);
		i.flags = op->kind == OP_AVGPOOL ? NPU_F_AVG : 0;
		i.oy1 = i.out_h;
		return cost_engine(m, &i, NULL, NULL, NULL);
	case OP_GAVGPOOL:
		i.op = NPU_GAVG;
		return cost_engine(m, &i, NULL, NULL, NULL);
	case OP_ADD:
	case OP_WSUM:
		i.op = NPU_EW;
		i.nin = (uint8_t)(op->nin > NPU_MAX_EW_INPUTS ? NPU_MAX_EW_INPUTS : op->nin);
		i.bytes = (uint32_t)ny;
		return cost_engine(m, &i, NULL, NULL, NULL);
	case OP_REQUANT:
		i.op = NPU_REQUANT;
		i.bytes = (uint32_t)ny;
		return cost_engine(m, &i, NULL, NULL, NULL);
	case OP_CONCAT:
		i.op = NPU_COPY;
		i.bytes = (uint32_t)y->bytes;
		return cost_engine(m, &i, NULL, NULL, NULL);
	case OP_INPUT:
	case OP_OPAQUE:
		return 0;
	default:
		i.op = NPU_RELU;
		i.bytes = (uint32_t)ny;
		return cost_engine(m, &i, NULL, NULL, NULL);
	}
}
