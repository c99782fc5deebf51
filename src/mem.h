/* mem.h: the paper's memory model (DESIGN.md section 3).
 *
 * Running op v takes (all live tensors) + (outputs of v); v's inputs are
 * live by definition.  After v, every tensor whose consumers have all run
 * is freed, except graph outputs; a tensor nobody reads that is not a graph
 * output is freed right after it is made.  Peak is the largest step.
 *
 * Joins are in place (spatial partitioning, tile.c): each band of a join
 * is made in its rows of the join's output, so the join makes nothing new
 * and its bands' bytes are freed with the join's output, not when the
 * join has read them.
 *
 * A graph input left in DRAM (Tensor.in_dram: only row slices of it are
 * read, each a load of the rows it needs) takes no SRAM: its slices do.
 */
#ifndef SERENITY_MEM_H
#define SERENITY_MEM_H

#include "ir.h"

/* Bytes tensor t takes while it is live: 0 for a graph input in DRAM. */
int64_t mem_held_bytes(const Graph *g, int t);
/* Bytes making tensor t adds: 0 for a join's output (its bands hold them). */
int64_t mem_made_bytes(const Graph *g, int t);
/* Bytes freed when tensor t dies: 0 for a band of a join (the join's output
 * frees them). */
int64_t mem_freed_bytes(const Graph *g, int t);

/* 0 when order[0..n) runs every op of g once, after its inputs' producers. */
int mem_check_order(const Graph *g, const int *order, int n, Err *e);

/* Peak bytes of a valid order.  When step is not NULL, step[i] receives the
 * bytes in use while order[i] runs (the curve people plot). */
int64_t mem_peak(const Graph *g, const int *order, int64_t *step);

/* Max over ops of (distinct inputs + outputs): no order can do better. */
int64_t mem_lower_bound(const Graph *g);

/* Bytes of all graph outputs: all are live once the last one is made, so
 * no order peaks lower either. */
int64_t mem_output_bytes(const Graph *g);

/* Bytes of the distinct inputs plus outputs of op o. */
int64_t mem_op_footprint(const Graph *g, int o);

#endif
