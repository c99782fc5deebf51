/* emit.h: lowering a scheduled, planned graph to the NPU's command stream. */
#ifndef SERENITY_EMIT_H
#define SERENITY_EMIT_H

#include <stddef.h>
#include <stdint.h>

#include "cost.h"
#include "fsim.h"
#include "ir.h"
#include "offchip.h"

typedef struct NpuProgram {
	uint32_t *words;      /* the stream */
	size_t nwords, capwords;
	int *insn_op;         /* per instruction: the graph op it belongs to, or -1 */
	size_t *insn_word;    /* per instruction: its first word */
	size_t ninsn, capinsn;
	uint8_t *dram;        /* the DRAM image: weights, inputs, room for the rest */
	size_t dram_bytes;
	int64_t weight_bytes; /* the model's weights and parameters as the hardware stores
	                       * them (weight blocks, tables), each blob in whole beats of
	                       * the read port: what one pass over them moves */
	int64_t weight_end;   /* the image: [0, weight_end) weights (blobs at multiples of
	                       * the beat), [weight_end, act_end) graph inputs and outputs,
	                       * [act_end, dram_bytes) spills */
	int64_t act_end;
	int64_t *tensor_dram; /* per tensor: DRAM address, or -1 when it never goes there */
	int64_t *op_weights;  /* per op: DRAM address of its weight blocks (CONV) or table
	                       * (REQUANT with PERCH), or -1 */
	int *op_cw;           /* per op: its weight blocks' width (CONV), or 0 */
	int ntensors, nops;
	int64_t stage_lo, stage_bytes; /* the SRAM staging area (0 bytes: none) */
	/* What the stream moves across the DRAM port, by the compiler's count
	 * (beats x width of every LOAD and STORE it emitted; the stream itself
	 * for fetch): the plan the port counters must equal. */
	int64_t plan_port_rd[NPU_NCLASS]; /* act, spill, weight, fetch */
	int64_t plan_port_wr[2];          /* act, spill */
	int64_t plan_rd, plan_wr;         /* bytes LOADs and STOREs move */
	int64_t weight_refetch;           /* plan_port_rd[weight] - weight_bytes: bytes of
	                                   * weights read more than once (layers cut in
	                                   * chunks for the weight buffer) */
} NpuProgram;

/* Emits g (quantized; partial sums at 32 bits) run in order[], with the
 * tensors homed as plan says (which planned for the SRAM below a staging
 * area of stage_bytes at its top, npu_stage_bytes), for the machine m.  Refuses, naming the
 * node, ops the NPU cannot run. */
int npu_emit(const Graph *g, const int *order, const OffchipPlan *plan, const CostModel *m,
	     int64_t stage_bytes, NpuProgram *p, Err *e);
void npu_program_free(NpuProgram *p);

/* The staging area the emitter needs to run g on m when some operand may be
 * in DRAM: two slots, each holding the smallest piece of the op that needs
 * the most (every operand of it in DRAM), and at least a sixteenth of the
 * SRAM, within three quarters of the SRAM; else one such slot, the bytes
 * then odd (one more: npu_emit takes it so); -1 with e set when even one
 * does not fit. */
int64_t npu_stage_bytes(const Graph *g, const CostModel *m, int64_t align, Err *e);
/* Does the plan put some operand of some op in DRAM at that op's step (so
 * the emitter must stage it)? */
bool npu_needs_staging(const Graph *g, const int *order, const OffchipPlan *plan);

/* The listing: every instruction disassembled, grouped under its op. */
void npu_listing(const NpuProgram *p, const Graph *g, FILE *f);
/* The memory map: the regions, every op's weights and tables, every tensor,
 * where it lives. */
void npu_memmap(const NpuProgram *p, const Graph *g, const OffchipPlan *plan, FILE *f);
/* Where the stream goes in DRAM: after the image, on a 64-byte boundary. */
int64_t npu_stream_base(const NpuProgram *p);

#endif
