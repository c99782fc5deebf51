/* offchip.h: what lives in SRAM and what in DRAM, for one order. */
#ifndef SERENITY_OFFCHIP_H
#define SERENITY_OFFCHIP_H

#include "ir.h"
#include "plan.h"

typedef struct OffchipPlan {
	bool *in_sram;          /* per tensor: homed in SRAM (else DRAM) */
	int64_t *offset;        /* per tensor: SRAM offset, or -1 */
	int64_t arena;          /* SRAM bytes used by the placement */
	int64_t sram_bytes;     /* capacity planned for */
	int evicted;            /* tensors moved to DRAM */
	/* DRAM traffic, bytes */
	int64_t weight_read;    /* weights and biases (or per-channel tables), once per op */
	int64_t act_read;       /* activations read from DRAM */
	int64_t act_write;      /* activations written to DRAM */
	int64_t compulsory;     /* weights + graph inputs + graph outputs, once */
} OffchipPlan;

/* Plans g under order[] for an SRAM of sram_bytes (offsets aligned to
 * align): every tensor in SRAM if the placement fits, else tensors evicted
 * to DRAM, cheapest traffic per byte of relief first, until it does. */
int offchip_plan(const Graph *g, const int *order, int64_t sram_bytes, int64_t align,
		 OffchipPlan *p, Err *e);
void offchip_free(OffchipPlan *p);

int64_t offchip_read_bytes(const OffchipPlan *p);  /* weights + activations */
int64_t offchip_write_bytes(const OffchipPlan *p);

#endif
