/* fsim.h: the NPU's functional model.
 *
 * Runs a command stream (docs/isa.md) instruction by instruction on a
 * scratchpad of m->sram_bytes, a weight buffer of m->wbuf_bytes and a DRAM
 * image, computing with the reference interpreter's own arithmetic
 * (bit-identical to src/ref.c), enforcing every rule a stream must follow,
 * counting what the RTL counts (hw/README.md, "Counters") by its own
 * arithmetic, and timing it with the cost model (cost.h).
 */
#ifndef SERENITY_FSIM_H
#define SERENITY_FSIM_H

#include <stddef.h>
#include <stdint.h>

#include "cost.h"
#include "err.h"

enum { NPU_NCLASS = 4 }; /* port classes: NpuClass, then fetch */
#define NPU_CLS_FETCH 3

typedef struct FsimStats {
	int64_t insns;            /* instructions run (a CONV with its VIEW, an EW with its OPERANDS: one) */
	int64_t cycles;           /* when the last engine finished (estimated: the cost model) */
	int64_t compute_busy;     /* cycles an engine held an instruction */
	int64_t mac_busy;         /* cycles the MAC array accumulated a reduction step */
	int64_t dma_busy;         /* cycles a transfer was in flight */
	int64_t stall_bank;       /* engine cycles lost to DMA accesses of the scratchpad */
	int64_t port_rd[NPU_NCLASS]; /* bytes across the read data channel, by class (act,
	                              * spill, weight, fetch): beats x width */
	int64_t port_wr[2];       /* bytes across the write data channel (act, spill) */
	int64_t dma_rd;           /* bytes LOADs wrote on chip (SRAM and WBUF) */
	int64_t dma_wr;           /* bytes STOREs read from SRAM */
	int64_t sram_rd, sram_wr; /* scratchpad bytes read and written (engines and DMA) */
	int64_t sram_in_use;      /* sum of live ALLOC'd buffers */
	int64_t sram_peak;        /* and its maximum: the allocation view */
	int64_t sram_hwm;         /* one past the highest SRAM byte written */
	/* the instruction just run, as the RTL's timeline has it: a compute
	 * instruction from its issue to its engine's end (so far: later
	 * transfers' bank accesses may lengthen it), a transfer from its first
	 * request to its last beat or response, the others their issue */
	int64_t last_start, last_end;
} FsimStats;

int64_t fsim_port_read(const FsimStats *s);  /* all classes */
int64_t fsim_port_write(const FsimStats *s);

/* Runs words[0..nwords) (up to and including its END, which must be the
 * last instruction) on a zeroed scratchpad and weight buffer and on
 * dram[0..dram_bytes), the DRAM image, into which outputs are written.
 * Returns 0, or -1 with e set to "instruction K (name): why", K counting
 * decoded instructions from 0; st (may be NULL) then holds the counters up
 * to the refused instruction.
 *
 * Timing, the cost model's (cost.h), in the RTL's terms (hw/README.md): the
 * sequencer takes each instruction once its slots have been fetched (the
 * fetch unit reads NPU_IQ slots ahead through the DMA port) and issues in
 * order.  LOAD and STORE queue on the DMA: a transfer's bursts go out one
 * request a cycle after the previous transfer's, at most NPU_NOUT in
 * flight; read data returns dram_latency cycles after its request, one beat
 * a cycle, after the data of earlier reads; write data leaves one beat a
 * cycle, its response dram_latency cycles after its last beat.  A transfer
 * whose on-chip range overlaps the running compute instruction waits for
 * it.  SYNC waits for every transfer, END for everything.  A compute
 * instruction waits for the engine, then holds it for cost_engine cycles
 * plus one for each scratchpad access the DMA makes while it runs (DMA
 * accesses win the banks). */
int fsim_run(const CostModel *m, const uint32_t *words, size_t nwords, uint8_t *dram,
	     size_t dram_bytes, FsimStats *st, Err *e);

/* fsim_run, calling hook(ctx, K, sram) after instruction K has run (the
 * scratchpad as it then is; DRAM is the caller's array): a debugger's and
 * the tests' view of every step. */
typedef void FsimHook(void *ctx, size_t index, const uint8_t *sram);
int fsim_run_hooked(const CostModel *m, const uint32_t *words, size_t nwords, uint8_t *dram,
		    size_t dram_bytes, FsimStats *st, FsimHook *hook, void *ctx, Err *e);

#endif
