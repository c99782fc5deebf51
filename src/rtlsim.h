/* rtlsim.h: running a command stream on the NPU's RTL (hw/, rtl_sim/):
 * builds, or reuses, the Verilator simulator for a config and runs it. */
#ifndef SERENITY_RTLSIM_H
#define SERENITY_RTLSIM_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "emit.h"

typedef struct RtlStats {
	/* the NPU's own counters (hw/README.md, "Counters") */
	int64_t cycles, mac_busy, compute_busy, dma_busy;
	int64_t stall_fetch, stall_dma, stall_engine, stall_bank;
	int64_t port_rd[NPU_NCLASS]; /* act, spill, weight, fetch: bytes across the port */
	int64_t port_wr[2];          /* act, spill */
	int64_t dma_rd, dma_wr, sram_rd, sram_wr, sram_peak, sram_hwm, insns;
	/* the harness's monitor on the DRAM port: beats x width, sorted by the
	 * DRAM region each beat's address is in (memmap.txt) */
	int64_t obs_rd[NPU_NCLASS], obs_wr[2];
	double seconds;       /* wall time of the simulation */
	char timeline[4096];  /* where the per-instruction CSV was left */
	/* per instruction (p->ninsn of them): the cycles it started and ended
	 * (a transfer: its first request to its last beat or response), from
	 * the timeline; -1 when it has none.  Freed by rtl_stats_free. */
	int64_t *insn_start, *insn_end;
} RtlStats;

void rtl_stats_free(RtlStats *st);

/* The files a run leaves in its work directory (NULL-terminated). */
extern const char *const rtl_work_files[];

/* Runs p on the RTL for config c; dram receives the final DRAM image
 * (p->dram_bytes bytes).  work is a directory for the run's files
 * (stream, image, counters, timeline); trace, if not NULL, asks for an FST
 * waveform there.  Progress goes to stderr when it is a terminal. */
int rtl_run(const Config *c, const NpuProgram *p, const char *work, const char *trace,
	    uint8_t *dram, RtlStats *st, Err *e);

#endif
