/* fsim.h: the NPU's functional model.
 *
 * Runs a command stream (docs/isa.md) instruction by instruction on an
 * SRAM of m->sram_bytes and a DRAM image, computing with the reference
 * interpreter's own arithmetic (bit-identical to src/ref.c), enforcing every
 * rule a stream must follow, and timing it with the cost model (cost.h).
 */
#ifndef SERENITY_FSIM_H
#define SERENITY_FSIM_H

#include <stddef.h>
#include <stdint.h>

#include "cost.h"
#include "err.h"

typedef struct FsimStats {
	int64_t insns;            /* instructions run (an EW with its OPERANDS is one) */
	int64_t cycles;           /* when the last engine finished */
	int64_t compute_busy;     /* cycles the compute side was occupied */
	int64_t dma_busy;         /* cycles the DMA engine was occupied (transfers, streaming) */
	int64_t dram_weight_read; /* CONV weight (w3) and bias (w4 without PSUM) bytes,
	                           * and PERCH tables (CONV, REQUANT) */
	int64_t dram_act_read;    /* every other DRAM byte read: LOAD sources, DRAM operands */
	int64_t dram_write;       /* STORE destinations, DRAM outputs of compute */
	int64_t sram_in_use;      /* sum of live ALLOC'd buffers */
	int64_t sram_peak;        /* and its maximum */
} FsimStats;

/* Runs words[0..nwords) (up to and including its END, which must be the
 * last instruction) on a zeroed SRAM of m->sram_bytes and on dram[0..
 * dram_bytes), the DRAM image, into which outputs are written.  Returns 0,
 * or -1 with e set to "instruction K (name): why", K counting decoded
 * instructions from 0; st (may be NULL) then holds the counters up to the
 * refused instruction.
 *
 * Timing: one DMA engine and one compute side (MAC array or vector unit),
 * each a timeline.  The sequencer issues in order: a LOAD or STORE queues
 * on the DMA engine (start = max(issue, DMA free), cost_transfer cycles)
 * and does not stall issue; SYNC stalls issue until the DMA engine is free;
 * a compute instruction starts when issue and, if it streams DRAM operands,
 * the DMA engine are free, takes max(compute, streaming) cycles, plus
 * dram_latency when it streams (the DMA engine is occupied for as long),
 * and stalls issue until it is done.  So transfers overlap the compute
 * issued after them (prefetch: LOAD next, CONV this, SYNC), and a STORE
 * issued after a compute starts once the compute is done.  Compute cycles
 * are cost_conv for CONV, cost_vector for the rest (EW: elements x inputs;
 * POOL, GAVG: input elements; REQUANT, COPY, RELU: elements).  A DRAM
 * operand is streamed, and counted, once per instruction however often
 * the instruction names it. */
int fsim_run(const CostModel *m, const uint32_t *words, size_t nwords, uint8_t *dram,
	     size_t dram_bytes, FsimStats *st, Err *e);

#endif
