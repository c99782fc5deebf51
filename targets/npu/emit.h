/* emit.h: lowering a scheduled, planned graph to the NPU's command stream. */
#ifndef SERENITY_EMIT_H
#define SERENITY_EMIT_H

#include <stddef.h>
#include <stdint.h>

#include "ir.h"
#include "offchip.h"

typedef struct NpuProgram {
	uint32_t *words;      /* the stream */
	size_t nwords, capwords;
	int *insn_op;         /* per instruction: the graph op it belongs to, or -1 */
	size_t *insn_word;    /* per instruction: its first word */
	size_t ninsn, capinsn;
	uint8_t *dram;        /* the DRAM image: constants, inputs, room for the rest */
	size_t dram_bytes;
	int64_t *tensor_dram; /* per tensor: DRAM address, or -1 when it never goes there */
	int64_t *const_dram;  /* per constant: DRAM address */
	int64_t *table_dram;  /* per op: DRAM address of its per-channel table, or -1 */
	int ntensors, nconsts, nops;
} NpuProgram;

/* Emits g (quantized; partial sums at 32 bits) run in order[], with the
 * tensors homed as plan says.  Refuses, naming the node, ops the NPU
 * cannot run. */
int npu_emit(const Graph *g, const int *order, const OffchipPlan *plan, NpuProgram *p, Err *e);
void npu_program_free(NpuProgram *p);

/* The listing: every instruction disassembled, grouped under its op. */
void npu_listing(const NpuProgram *p, const Graph *g, FILE *f);
/* The memory map: every constant, per-channel table and tensor, where it
 * lives. */
void npu_memmap(const NpuProgram *p, const Graph *g, const OffchipPlan *plan, FILE *f);

#endif
