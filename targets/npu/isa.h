/* isa.h: the NPU's command stream (docs/isa.md is the reference).
 *
 * Every instruction is 64 bytes: sixteen little-endian 32-bit words.  Word
 * 0 holds the opcode (bits 0-7), flags (bits 8-15) and an operand count
 * (bits 16-23).  Tensor operands are Refs: bit 31 selects the space (0
 * SRAM, 1 DRAM), bits 0-30 the byte address in it.
 */
#ifndef SERENITY_ISA_H
#define SERENITY_ISA_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"

enum {
	NPU_INSN_BYTES = 64,
	NPU_INSN_WORDS = 16,
	NPU_MAX_EW_INPUTS = 32, /* inputs of one elementwise instruction */
};

#define NPU_DRAM_BIT 0x80000000u

typedef enum NpuOpcode {
	NPU_END = 0x01,     /* stop */
	NPU_LOAD = 0x02,    /* DMA DRAM -> SRAM: src, dst, bytes */
	NPU_STORE = 0x03,   /* DMA SRAM -> DRAM: src, dst, bytes */
	NPU_SYNC = 0x04,    /* wait until every DMA transfer issued has finished */
	NPU_ALLOC = 0x05,   /* an SRAM buffer becomes live: addr, bytes */
	NPU_FREE = 0x06,    /* an SRAM buffer dies: addr, bytes */
	NPU_CONV = 0x10,    /* convolution, fully connected (as 1x1), partial conv */
	NPU_POOL = 0x11,    /* max or average pooling, window as conv */
	NPU_GAVG = 0x12,    /* global average pooling */
	NPU_EW = 0x13,      /* sum of coef_i * in_i, requantized (add, wsum) */
	NPU_REQUANT = 0x14, /* int32 partial sums to int8 */
	NPU_COPY = 0x15,    /* bytes from one Ref to another (concat) */
	NPU_RELU = 0x16,    /* max(x, 0) on int8 */
	NPU_OPERANDS = 0x1f /* continuation: more (ref, coef) pairs of an EW */
} NpuOpcode;

enum {
	NPU_F_RELU = 1 << 0,  /* clamp the int8 result at 0 */
	NPU_F_OUT32 = 1 << 1, /* CONV: write int32 partial sums, no requantization */
	NPU_F_PSUM = 1 << 2,  /* CONV: start from the int32 partial sums at aux, not the bias */
	NPU_F_AVG = 1 << 3,   /* POOL: average (else max) */
	NPU_F_PERCH = 1 << 4, /* CONV, REQUANT: per output channel {bias, qmul, qshift}
	                       * from the table at aux (docs/isa.md) */
	NPU_F_SPLIT = 1 << 5, /* CONV: input channels from split on are at src2 (a tensor
	                       * held partly in SRAM, partly in DRAM) */
	NPU_F_OSPLIT = 1 << 6, /* CONV: output channels from osplit on go to dst2 */
};

enum { NPU_PERCH_ENTRY = 12 }; /* bytes of a table entry: int32 bias, qmul, qshift */

/* One decoded instruction.  Fields not used by an opcode are zero.
 * ALLOC and FREE keep their buffer's address in dst; GAVG only its input
 * shape (the output is in_c x 1 x 1); POOL has groups 0 or 1; a CONV with
 * OUT32 has qmul = qshift = 0, and so has one with PERCH; a REQUANT with
 * PERCH has its table in aux and its channel count in out_c. */
typedef struct NpuInsn {
	uint8_t op, flags;
	uint32_t src, dst;     /* Refs: input and output (LOAD/STORE/COPY: from, to) */
	uint32_t weight, aux;  /* DRAM Refs: weights; bias (or partial sums with F_PSUM,
	                        * or the per-channel table with F_PERCH) */
	uint32_t src2;         /* CONV with F_SPLIT: input channels split.. (any space) */
	uint16_t split;        /* CONV with F_SPLIT: the first input channel at src2 */
	uint32_t dst2;         /* CONV with F_OSPLIT: output channels osplit.. (any space) */
	uint16_t osplit;       /* CONV with F_OSPLIT: the first output channel at dst2 */
	uint32_t bytes;        /* LOAD/STORE/COPY/ALLOC/FREE; elements for EW/REQUANT/RELU */
	uint16_t in_c, in_h, in_w, out_c, out_h, out_w;
	uint8_t kh, kw, sh, sw, dh, dw;
	int8_t pt, pl, pb, pr;
	uint16_t groups;
	int32_t qmul;
	int8_t qshift;
	uint8_t nin;           /* EW inputs */
	uint32_t in[NPU_MAX_EW_INPUTS]; /* EW input Refs */
	int32_t coef[NPU_MAX_EW_INPUTS];
} NpuInsn;

/* Encodes one instruction; an EW with more inputs than fit in one takes
 * OPERANDS continuations.  Writes npu_insn_words(i) words to out. */
size_t npu_encode(const NpuInsn *i, uint32_t *out);
size_t npu_insn_words(const NpuInsn *i);
/* Decodes the instruction at words[0..n) (with its continuations); returns
 * words consumed, or 0 with e set ("instruction K (name): why", K = index).
 * Checks everything the words alone say (docs/isa.md, "Encoding" and the
 * shape rules); each instruction has exactly one accepted encoding, the one
 * npu_encode writes: qshift is a signed byte in bits 0-7 of its word, the
 * rest of that word zero, and an EW's continuations hold 7 pairs but the
 * last.  Streams number instructions as decoded: an EW and its OPERANDS are
 * one instruction, as they are one line of listing. */
size_t npu_decode(const uint32_t *words, size_t n, size_t index, NpuInsn *i, Err *e);
/* One line of listing, e.g. "conv  src=S:0x1200 dst=D:0x40 w=D:0x0 ...". */
void npu_disasm(const NpuInsn *i, FILE *f);
const char *npu_opname(int op);

#endif
