/* cost.c: the cost model (see cost.h). */
#include <stdbool.h>

#include "cost.h"

static int64_t ceil_div(int64_t a, int64_t b)
{
	return b > 0 ? (a + b - 1) / b : a;
}

int64_t cost_transfer(const CostModel *m, int64_t bytes, bool write)
{
	if (bytes <= 0)
		return 0;
	return m->dram_latency + ceil_div(bytes, write ? m->dma_write_bpc : m->dma_read_bpc);
}

int64_t cost_conv(const CostModel *m, int cin, int cout, int groups, int kh, int kw, int out_h,
		  int out_w)
{
	int64_t cig = cin / groups, cog = cout / groups;
	return (int64_t)groups * ceil_div(cog, m->mac_cols) * ceil_div(cig * kh * kw, m->mac_rows) *
	       out_h * out_w;
}

int64_t cost_vector(const CostModel *m, int64_t elements, int passes)
{
	return ceil_div(elements * passes, m->vector_width);
}

int64_t cost_op_cycles(const CostModel *m, const Graph *g, int o)
{
	const Op *op = &g->ops[o];
	const Tensor *y = &g->tensors[op->out[0]];
	const Tensor *x = op->nin ? &g->tensors[op->in[0]] : y;
	int64_t ny = ir_shape_elems(y->shape), nx = ir_shape_elems(x->shape);
	switch (op->kind) {
	case OP_CONV:
	case OP_PCONV:
		return cost_conv(m, x->shape.c, y->shape.c, op->win.groups, op->win.kh, op->win.kw,
				 y->shape.h, y->shape.w);
	case OP_FC:
		return cost_conv(m, (int)nx, y->shape.c, 1, 1, 1, 1, 1);
	case OP_ADD:
	case OP_WSUM:
		return cost_vector(m, ny, op->nin);
	case OP_MAXPOOL:
	case OP_AVGPOOL:
	case OP_GAVGPOOL:
		return cost_vector(m, nx, 1);
	case OP_INPUT:
	case OP_OPAQUE:
		return 0;
	default:
		return cost_vector(m, ny, 1);
	}
}
