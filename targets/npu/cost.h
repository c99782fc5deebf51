/* cost.h: the one cost model: bytes to DMA cycles, MACs and vector
 * elements to compute cycles.  The functional model (fsim) runs it
 * instruction by instruction; the RTL is measured against it. */
#ifndef SERENITY_COST_H
#define SERENITY_COST_H

#include <stdbool.h>
#include <stdint.h>

#include "ir.h"

typedef struct CostModel {
	int64_t sram_bytes;
	int dma_read_bpc;   /* DRAM -> chip, bytes per cycle */
	int dma_write_bpc;  /* chip -> DRAM, bytes per cycle */
	int dram_latency;   /* cycles before a transfer's first byte */
	int mac_rows, mac_cols;
	int vector_width;   /* int8 lanes */
} CostModel;

/* Cycles of one DMA transfer (or one streamed operand: weights, biases and
 * per-channel PERCH tables are streamed weight bytes, 12 per channel). */
int64_t cost_transfer(const CostModel *m, int64_t bytes, bool write);

/* Cycles of a convolution on the MAC array, weight-stationary: each group's
 * output channels across the columns, its input channels times kernel
 * taps across the rows, one output pixel per cycle per tile:
 *     groups * ceil(cout_g / cols) * ceil(cin_g * kh * kw / rows) * out_h * out_w */
int64_t cost_conv(const CostModel *m, int cin, int cout, int groups, int kh, int kw, int out_h,
		  int out_w);

/* Cycles of a vector-unit op touching `elements` elements `passes` times. */
int64_t cost_vector(const CostModel *m, int64_t elements, int passes);

/* Compute cycles of op o of g on the NPU (what fsim charges it, operands
 * in SRAM). */
int64_t cost_op_cycles(const CostModel *m, const Graph *g, int o);

#endif
