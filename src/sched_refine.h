/* sched_refine.h: an order improved for DRAM traffic by local search. */
#ifndef SERENITY_SCHED_REFINE_H
#define SERENITY_SCHED_REFINE_H

#include <stdint.h>

#include "ir.h"

/* Improves order[] (a valid order of g, kept valid) for the DRAM traffic
 * offchip_estimate gives on an SRAM of sram_bytes, by moving one op at a
 * time, drawn from seed; at most `evals` estimates and `seconds` of wall
 * time.  Returns the
 * estimate of the order left in order[], never above the given one's. */
int64_t sched_refine_traffic(const Graph *g, int *order, int64_t sram_bytes, int evals,
			     double seconds, uint64_t seed);

#endif
