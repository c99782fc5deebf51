/* rtlsim.h: running a command stream on the NPU's RTL (hw/, rtl_sim/):
 * builds, or reuses, the Verilator simulator for a config and runs it. */
#ifndef SERENITY_RTLSIM_H
#define SERENITY_RTLSIM_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "emit.h"

typedef struct RtlStats {
	int64_t cycles, compute_busy, dma_busy, stall_cycles;
	int64_t dram_weight_read, dram_act_read, dram_write;
	int64_t sram_peak, instructions;
	double seconds;       /* wall time of the simulation */
	char timeline[4096];  /* where the per-instruction CSV was left */
} RtlStats;

/* Runs p on the RTL for config c; dram receives the final DRAM image
 * (p->dram_bytes bytes).  work is a directory for the run's files
 * (stream, image, counters, timeline); trace, if not NULL, asks for an FST
 * waveform there.  Progress goes to stderr when it is a terminal. */
int rtl_run(const Config *c, const NpuProgram *p, const char *work, const char *trace,
	    uint8_t *dram, RtlStats *st, Err *e);

#endif
