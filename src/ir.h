/* ir.h: the graph IR.
 *
 * A Graph holds ops in definition order (always a topological order: an op
 * may only read tensors made by earlier ops), the activation tensors they
 * make, and, apart from them, the constants (weights and biases) that the
 * memory model never counts.  Every tensor has exactly one producing op;
 * graph inputs are made by OP_INPUT ops.  One arena owns all of it.
 *
 * The builder functions return the index of the tensor they make, or -1.
 * Errors are sticky: once a call fails, g->err holds the first message and
 * later calls that take a -1 input return -1 too, so a builder can make a
 * whole network and check once, at the end, with ir_ok().
 */
#ifndef SERENITY_IR_H
#define SERENITY_IR_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"
#include "strmap.h"

enum {
	NNAME = 256,           /* longest op or tensor name */
	NDIM_MAX = 1 << 24,    /* largest single dimension */
	NOPS_MAX = 1 << 22,    /* most ops in one graph */
	NLAZY_MAX = 1 << 28,   /* most float elements ir_materialize makes */
};
#define NBYTES_MAX ((int64_t)1 << 40) /* largest single tensor: 1 TiB */

typedef enum DType {
	DT_I8,  /* deployed activations and weights */
	DT_I32, /* biases, partial sums */
	DT_F32,
	NDTYPE
} DType;

typedef enum OpKind {
	OP_INPUT,   /* graph input */
	OP_CONV,    /* 2-D convolution; groups == channels is depthwise */
	OP_MAXPOOL,
	OP_AVGPOOL,
	OP_GAVGPOOL, /* global average pooling to 1x1 */
	OP_ADD,      /* elementwise sum of its inputs */
	OP_WSUM,     /* weighted sum of its inputs, one weight per input */
	OP_CONCAT,   /* along channels */
	OP_RELU,
	OP_FC,       /* fully connected over the flattened input */
	OP_OPAQUE,   /* from the plain graph format: only the bytes are known */
	OP_PCONV,    /* partial convolution: int32 partial sums over some input
	              * channels, added to its second input if any (rewrite) */
	OP_REQUANT,  /* int32 partial sums to int8 (rewrite) */
	/* From ONNX models.  The NPU runs none of these: schedule takes them,
	 * compile and run refuse them. */
	OP_ACT,      /* elementwise activation Op.act (alpha, beta its parameters) */
	OP_MUL,      /* elementwise product of two inputs; the second may be
	              * n x c x 1 x 1, broadcast over the plane (squeeze-excite) */
	OP_SLICE,    /* elements start, start+step, ... < end along axis (Split, Slice) */
	OP_PAD,      /* zeros around the plane: win.pt, pl, pb, pr (Pad) */
	OP_SHUFFLE,  /* channel shuffle in win.groups groups: output channel
	              * j*groups+i is input channel i*(c/groups)+j */
	OP_TRANSPOSE,/* the four axes permuted: output axis k is input axis perm[k] */
	OP_RESHAPE,  /* the same elements, in order, under another shape (a copy) */
	/* From spatial partitioning (tile.c); the NPU runs neither yet. */
	OP_JOIN,     /* its inputs' rows, one after the other: the bands of a
	              * partitioned chain joined along H into the whole tensor */
	NOPKIND
} OpKind;

typedef enum ActKind {
	ACT_CLIP,     /* min(max(x, alpha), beta) */
	ACT_LEAKY,    /* x < 0 ? alpha * x : x */
	ACT_SIGMOID,  /* 1 / (1 + exp(-x)) */
	ACT_HSIGMOID, /* max(0, min(1, alpha * x + beta)) */
	ACT_HSWISH,   /* x * max(0, min(1, x / 6 + 1/2)) */
	NACTKIND
} ActKind;

typedef struct Shape {
	int n, c, h, w;
} Shape;

typedef struct Window {
	int kh, kw;     /* kernel */
	int sh, sw;     /* stride */
	int dh, dw;     /* dilation */
	int pt, pl, pb, pr; /* padding; negative crops */
	int groups;     /* convolution only */
} Window;

typedef struct Tensor {
	const char *name;
	Shape shape;   /* all zero for OP_OPAQUE tensors */
	DType dtype;
	int64_t bytes;
	int producer;  /* op index */
	int *cons;     /* consuming ops, each once, in definition order */
	int ncons;
	bool output;   /* graph output: never freed */
	bool in_dram;  /* a graph input left in DRAM, its readers (row slices,
	                * tile.c) loading the rows they read: no SRAM bytes */
	float scale;   /* real value of one int8 step; 0 until quantized from
	                * float (activations are symmetric: zero point 0) */
} Tensor;

typedef struct Const {
	const char *name;
	int64_t count; /* elements */
	DType dtype;
	int64_t bytes;
	void *data;    /* int8_t or int32_t values; NULL until quantized */
	float *fdata;  /* float values of an imported model; NULL otherwise */
	bool lazy;     /* float values all `fill`, not yet in fdata (an ONNX
	                * ConstantOfShape: scheduling needs no values) */
	float fill;
} Const;

typedef struct Op {
	const char *name;
	OpKind kind;
	int *in;       /* tensor indices; may repeat (add x x) */
	int nin;
	bool *rep;     /* rep[i]: in[i] repeats an earlier input; NULL when none (ir_link) */
	int *out;      /* tensor indices */
	int nout;
	Window win;    /* conv and pooling */
	int weight;    /* const index or -1 */
	int bias;      /* const index or -1 */
	int64_t macs;
	bool relu;     /* output goes through a fused ReLU (TFLite's fused activation) */
	int32_t qmul;  /* requantization: Q31 multiplier, 0 until calibrated */
	int qshift;    /* and right shift (quant.c) */
	int32_t *qmuls;/* per output channel requantization, overriding qmul */
	int *qshifts;  /* and qshift; NULL when per tensor */
	ActKind act;   /* OP_ACT */
	float alpha, beta;
	int axis, start, end, step; /* OP_SLICE: axis 0..3 is n, c, h, w */
	int perm[4];   /* OP_TRANSPOSE */
	Shape shape;   /* OP_RESHAPE: the output shape */
	const char *otype; /* ONNX op_type of an imported op; NULL otherwise */
	int region, band; /* spatial partitioning (tile.c): the op computes band
	                   * `band` (1..) of region `region` (1..); 0, 0 otherwise */
} Op;


typedef struct Graph {
	Arena *arena;
	const char *name;
	Op *ops;
	int nops, capops;
	Tensor *tensors;
	int ntensors, captensors;
	Const *consts;
	int nconsts, capconsts;
	StrMap *names;  /* tensor name -> index */
	int acc_bits;   /* width partial sums are held at (8..32; 32 default) */
	bool linked;    /* consumer lists are current */
	/* ONNX nodes folded away on import (BN into a conv, views, ...): pairs
	 * of node name and the op name that now computes its output (NULL for
	 * a constant-folded node).  NULL, 0 for other models. */
	const char **merged;
	int nmerged;
	bool failed;
	Err err;
} Graph;

Graph *ir_new(const char *name);
void ir_free(Graph *g);
bool ir_ok(const Graph *g);

/* Builders.  Names must be unique, non-empty, at most NNAME-1 bytes, without
 * whitespace.  Each op makes one tensor of the same name. */
int ir_input(Graph *g, const char *name, Shape s, DType dt);
int ir_conv(Graph *g, const char *name, int x, int cout, Window w);
int ir_pool(Graph *g, const char *name, OpKind kind, int x, Window w);
int ir_gavgpool(Graph *g, const char *name, int x);
int ir_add(Graph *g, const char *name, const int *xs, int n);
int ir_wsum(Graph *g, const char *name, const int *xs, int n);
int ir_concat(Graph *g, const char *name, const int *xs, int n);
int ir_relu(Graph *g, const char *name, int x);
int ir_fc(Graph *g, const char *name, int x, int nout);
int ir_opaque(Graph *g, const char *name, int64_t bytes, const int *xs, int n);
/* Partial convolution of x into int32 partial sums: a new weight constant of
 * cout x cin(x)/groups x kh x kw; psum (-1 for none) is the partial sum it
 * adds to, and the first of a chain (psum -1) gets the bias constant.
 * Requantize turns the last partial sum into int8 (qmul, qshift, relu). */
int ir_pconv(Graph *g, const char *name, int x, int psum, int cout, Window w);
int ir_requant(Graph *g, const char *name, int psum);
/* The ONNX-only ops above; shapes follow from the attributes. */
int ir_act(Graph *g, const char *name, int x, ActKind act, float alpha, float beta);
int ir_mul(Graph *g, const char *name, int x, int y);
int ir_slice(Graph *g, const char *name, int x, int axis, int start, int end, int step);
int ir_pad(Graph *g, const char *name, int x, int pt, int pl, int pb, int pr);
int ir_shuffle(Graph *g, const char *name, int x, int groups);
int ir_transpose(Graph *g, const char *name, int x, const int perm[4]);
int ir_reshape(Graph *g, const char *name, int x, Shape s);
/* Rows of xs[0..n) one after the other (equal n, c and w); of tensors
 * known by their bytes only (OP_OPAQUE's), their bytes. */
int ir_join(Graph *g, const char *name, const int *xs, int n);
/* Makes op o (a convolution or weighted sum just built) use the constants
 * weight and bias of an earlier op computing the same function instead of
 * its own, which were the last made and are dropped: the band ops of one
 * partitioned convolution share its weights. */
void ir_share_consts(Graph *g, int o, int weight, int bias);

/* A k x k window with stride s, dilation d and "same" padding d*(k-1)/2. */
Window ir_window(int k, int s, int d, int groups);

/* Appends a copy of op o of src (attributes, constants, shape) reading
 * dst's tensors ins[0..nin); returns the tensor it makes. */
int ir_copy_op(Graph *dst, const Graph *src, int o, const int *ins);
/* Gives op d (of dst) the requantization of op s: qmul, qshift and, when s
 * has them, its per-channel parameters of channels [c0, c0+n) (copied into
 * dst's arena). */
void ir_copy_qparams(Graph *dst, Op *d, const Op *s, int c0, int n);
/* Gives dst's constant dk the values of src's sk (same count and type). */
void ir_fill_const(Graph *dst, int dk, const Graph *src, int sk);

void ir_mark_output(Graph *g, int t);
/* Marks every tensor nobody reads as a graph output. */
void ir_mark_unconsumed_outputs(Graph *g);

/* Recomputes the consumer lists and Op.rep; run after building, before
 * analyses. */
void ir_link(Graph *g);
/* Whether input i of op repeats an earlier one (an op reads a tensor
 * once, however often it lists it): O(1), on a linked graph. */
static inline bool ir_repeat(const Op *op, int i)
{
	return op->rep && op->rep[i];
}
/* Checks the invariants above: definition order is topological, names
 * unique, shapes consistent with attributes, sizes without overflow. */
int ir_verify(const Graph *g, Err *e);

int ir_find(const Graph *g, const char *name); /* tensor index or -1 */
int64_t ir_macs(const Graph *g);
int64_t ir_params(const Graph *g);       /* weight and bias elements */
int64_t ir_const_bytes(const Graph *g);  /* deployed bytes of all constants */
/* Gives every lazy constant its fdata, all its `fill`: what runs the graph
 * needs the values.  -1 with e set ("GRAPH: constant NAME: ...") when they
 * would make more than NLAZY_MAX elements in all. */
int ir_materialize(Graph *g, Err *e);
int ir_dtype_size(DType dt);
const char *ir_kind_name(OpKind k);
int64_t ir_shape_elems(Shape s);         /* -1 on overflow */

#endif
