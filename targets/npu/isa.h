/* isa.h: the NPU's command stream (docs/isa.md is the reference).
 *
 * Every instruction is one or more 64-byte slots of sixteen little-endian
 * 32-bit words.  Word 0 holds the opcode (bits 0-7), flags (bits 8-15) and
 * an operand count (bits 16-23).  Memory operands are Refs: bits 30-31 the
 * space (SRAM, WBUF or DRAM), bits 0-29 the byte address in it.  A CONV
 * takes two slots (its VIEW), an EW one per seven inputs past five.
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
	NPU_PARAM_ROWS = 9,     /* parameter rows of a CONV weight block: bias, qmul, qshift */
	NPU_TABLE_ENTRY = 8,    /* bytes of a REQUANT PERCH table entry: qmul, qshift, 0, 0, 0 */
	NPU_MAX_ROWS = 65535,   /* rows of one LOAD or STORE */
};

/* Refs: space in bits 30-31, address in bits 0-29. */
enum { NPU_SRAM = 0, NPU_WBUF = 1, NPU_DRAM = 2 };
#define NPU_SPACE_SHIFT 30
#define NPU_ADDR_MASK 0x3fffffffu
#define NPU_REF(space, addr) ((uint32_t)(space) << NPU_SPACE_SHIFT | ((uint32_t)(addr)&NPU_ADDR_MASK))
#define NPU_SPACE(ref) ((int)((uint32_t)(ref) >> NPU_SPACE_SHIFT))
#define NPU_ADDR(ref) ((uint32_t)(ref)&NPU_ADDR_MASK)

typedef enum NpuOpcode {
	NPU_END = 0x01,     /* stop */
	NPU_LOAD = 0x02,    /* DMA DRAM -> SRAM or WBUF, rows */
	NPU_STORE = 0x03,   /* DMA SRAM -> DRAM, rows */
	NPU_SYNC = 0x04,    /* wait until every transfer issued has finished */
	NPU_ALLOC = 0x05,   /* an SRAM buffer becomes live: addr, bytes */
	NPU_FREE = 0x06,    /* an SRAM buffer dies: addr, bytes */
	NPU_CONV = 0x10,    /* convolution, fully connected (as 1x1), partial conv */
	NPU_POOL = 0x11,    /* max or average pooling, window as conv */
	NPU_GAVG = 0x12,    /* global average pooling */
	NPU_EW = 0x13,      /* sum of coef_i * in_i, requantized (add, wsum) */
	NPU_REQUANT = 0x14, /* int32 partial sums to int8 */
	NPU_COPY = 0x15,    /* bytes from one SRAM range to another (concat) */
	NPU_RELU = 0x16,    /* max(x, 0) on int8 */
	NPU_VIEW = 0x1e,    /* second slot of a CONV: its views */
	NPU_OPERANDS = 0x1f /* continuation: more (ref, coef) pairs of an EW */
} NpuOpcode;

enum {
	NPU_F_RELU = 1 << 0,  /* clamp the int8 result at 0 */
	NPU_F_OUT32 = 1 << 1, /* CONV: write int32 partial sums, no requantization */
	NPU_F_PSUM = 1 << 2,  /* CONV: start from the int32 partial sums at psum, not the bias */
	NPU_F_AVG = 1 << 3,   /* POOL: average (else max) */
	NPU_F_PERCH = 1 << 4, /* REQUANT: per channel qmul, qshift from a WBUF table */
	NPU_F_SPLIT = 1 << 5, /* CONV: input channels from split on are in the src2 view */
	NPU_F_OSPLIT = 1 << 6, /* CONV: output channels from osplit on go to the dst2 view */
};

/* LOAD and STORE: the class of the DRAM bytes, in the flags (bits 0-1). */
typedef enum NpuClass { NPU_CLS_ACT = 0, NPU_CLS_SPILL = 1, NPU_CLS_WEIGHT = 2 } NpuClass;

/* A view of a tensor: element (c, y, x) at base + c*cs + (y - row0)*width + x
 * (times 4 for int32 elements). */
typedef struct NpuView {
	uint32_t base;   /* Ref */
	uint32_t cs;     /* bytes between channels */
	uint16_t row0;   /* the row at base */
} NpuView;

/* One decoded instruction.  Fields not used by an opcode are zero.
 * ALLOC and FREE keep their buffer in dst; LOAD and STORE their class in
 * cls; GAVG only its input shape (the output is in_c x 1 x 1); a REQUANT
 * with PERCH its table in aux and its channel count in out_c. */
typedef struct NpuInsn {
	uint8_t op, flags;
	uint8_t cls;            /* LOAD, STORE: NpuClass */
	uint32_t src, dst;      /* Refs (CONV, POOL: the views' bases) */
	uint32_t bytes;         /* LOAD/STORE (a row)/COPY/ALLOC/FREE; elements of EW/REQUANT/RELU */
	uint16_t rows;          /* LOAD, STORE */
	uint32_t sstride, dstride; /* LOAD, STORE: bytes between rows, source and destination */
	uint32_t weight;        /* CONV: WBUF Ref of its first weight block */
	uint32_t psum;          /* CONV with PSUM: SRAM Ref of the partial sums' view */
	uint32_t aux;           /* REQUANT with PERCH: WBUF Ref of its table */
	NpuView x, x2, y, y2, ps; /* CONV: src, src2 (SPLIT), dst, dst2 (OSPLIT), psum views;
	                           * POOL: x, y (their bases also in src, dst) */
	uint16_t split, osplit; /* CONV: first channel of the second part (0: one part) */
	uint16_t oy0, oy1;      /* CONV, POOL: output rows [oy0, oy1) computed */
	uint16_t cw;            /* CONV: weight block width */
	uint16_t in_c, in_h, in_w, out_c, out_h, out_w;
	uint8_t kh, kw, sh, sw, dh, dw;
	int8_t pt, pl, pb, pr;
	uint16_t groups;
	int32_t qmul;
	int8_t qshift;
	uint8_t nin;            /* EW inputs */
	uint32_t in[NPU_MAX_EW_INPUTS]; /* EW input Refs */
	int32_t coef[NPU_MAX_EW_INPUTS];
} NpuInsn;

/* Encodes one instruction (with its VIEW or OPERANDS continuations).
 * Writes npu_insn_words(i) words to out. */
size_t npu_encode(const NpuInsn *i, uint32_t *out);
size_t npu_insn_words(const NpuInsn *i);
/* Decodes the instruction at words[0..n) (with its continuations); returns
 * words consumed, or 0 with e set ("instruction K (name): why", K = index).
 * Checks everything the words alone say (docs/isa.md, "Encoding" and the
 * shape rules); each instruction has exactly one accepted encoding, the one
 * npu_encode writes.  Streams number instructions as decoded: a CONV and
 * its VIEW, an EW and its OPERANDS are one instruction, as they are one
 * line of listing. */
size_t npu_decode(const uint32_t *words, size_t n, size_t index, NpuInsn *i, Err *e);
/* One line of listing, e.g. "conv  src=S:0x1200 dst=S:0x40 w=W:0x0 ...". */
void npu_disasm(const NpuInsn *i, FILE *f);
const char *npu_opname(int op);
const char *npu_class_name(int cls); /* "act", "spill", "weight" */

/* The input rows a CONV or POOL band may read, which its views must hold:
 * [oy0*sh - pt, (oy1 - 1)*sh - pt + (kh - 1)*dh + 1) clamped to [0, in_h)
 * (*lo = *hi = 0 when that is empty). */
void npu_band_rows(const NpuInsn *i, int *lo, int *hi);
/* Lanes a CONV or POOL step covers: min(lanes, (window - 1)/sw + 1). */
int npu_lanes(int lanes, int window, int sw);
/* CONV: the width of output-channel tile t of a group of cog channels cut
 * in cw-wide tiles, and the tiles. */
int npu_tiles(int cog, int cw);
/* CONV: bytes of its weight blocks, (9 + red) * cw per tile. */
int64_t npu_weight_bytes(int in_c, int out_c, int groups, int kh, int kw, int cw);
/* CONV: the block width for out_c/groups output channels a group on an
 * array of cols columns: the smallest divisor of cols that is at least
 * min(cog, cols). */
int npu_block_width(int cog, int cols);

#endif
