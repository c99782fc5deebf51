/* cost.h: the cost model of the NPU (hw/README.md): how long each
 * instruction holds its engine, and how a transfer's bursts use the DRAM
 * port.  The functional model (fsim) runs it instruction by instruction to
 * estimate a stream's cycles; the scheduler's cycles objective prices ops
 * with it; the RTL is measured against it (bench: within 5%).
 *
 * Engine formulas follow hw/npu_conv.sv and hw/npu_vec.sv, whose headers
 * derive them from their pipelines; the DMA's follow hw/npu_dma.sv and the
 * DRAM the harness models (rtl_sim/sim_main.cpp).
 */
#ifndef SERENITY_COST_H
#define SERENITY_COST_H

#include <stdbool.h>
#include <stdint.h>

#include "ir.h"
#include "isa.h"

typedef struct CostModel {
	int64_t sram_bytes;
	int banks, bank_bytes; /* scratchpad banks */
	int window;            /* (banks - 1) * bank_bytes + 1: bytes one access reaches */
	int64_t wbuf_bytes;    /* weight buffer, rows of mac_cols bytes */
	int rd_bpc, wr_bpc;    /* DRAM port data widths, bytes (powers of two) */
	int dram_latency;      /* cycles from a request to its first beat */
	int mac_rows, mac_cols;
	int vector_width;      /* lanes */
	int max_burst;         /* beats a burst (hardware limit) */
	int outstanding;       /* bursts in flight (hardware limit) */
	int fetch_slots;       /* instruction slots the fetch unit reads ahead */
} CostModel;

/* Hardware constants of hw/ (npu_top's parameters; hw/README.md). */
enum { NPU_MAXB = 16, NPU_NOUT = 16, NPU_IQ = 16 };

/* Beats of BPC bytes that carry the n bytes at DRAM address a (aligned beats). */
int64_t cost_beats(int64_t a, int64_t n, int bpc);

/* Cycles an engine holds instruction i (hw/npu_conv.sv, hw/npu_vec.sv),
 * when the DMA never takes a bank it wants; *mac receives the cycles the MAC
 * array accumulates (CONV), *rd and *wr the scratchpad bytes the engine
 * reads and writes (may be NULL). */
int64_t cost_engine(const CostModel *m, const NpuInsn *i, int64_t *mac, int64_t *rd, int64_t *wr);

/* Cycles the sequencer takes over instruction i once its slot has arrived
 * (hw/npu_seq.sv, hw/npu_check.sv): the slot into the instruction register
 * (64 / rd_bpc rows, a CONV's VIEW too), then the checker's steps: the
 * encoding rules (a CONV's and a POOL's shape rules take the shared
 * divider, 32 steps a division), each operand's hull, bounds, live-buffer
 * coverage and races with pending transfers.  Measured on the RTL per
 * opcode (docs/results.md): the steps depend a little on the operands
 * (a hull over several buffers walks each), which this does not follow. */
int64_t cost_issue(const CostModel *m, const NpuInsn *i);

/* Cycles of a transfer of `bytes` on its own, latency included (the
 * planner's and the scheduler's price of DRAM bytes). */
int64_t cost_transfer(const CostModel *m, int64_t bytes, bool write);

/* Compute cycles of op o of g on the NPU, its operands in SRAM, one
 * instruction (what the cycles objective charges it). */
int64_t cost_op_cycles(const CostModel *m, const Graph *g, int o);

#endif
