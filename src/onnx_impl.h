/* onnx_impl.h: what the ONNX importer's stages share (onnx_import.c reads,
 * sorts and folds constants; onnx_lower.c lowers nodes to the IR).  Not a
 * public header: the interface is onnx_import.h.
 *
 * Every ONNX value (initializer, graph input, node output) is a Value: a
 * constant (float or int64 elements, kept in full) or an activation (an IR
 * tensor).  An activation keeps its ONNX dims apart from the IR tensor's
 * 4-D shape, so Flatten, Reshape, Squeeze and the like are views: they give
 * the same IR tensor new dims.  An op that needs the 4-D reading of the dims
 * (a Conv after a Reshape that changed the plane) gets an OP_RESHAPE copy.
 */
#ifndef SERENITY_ONNX_IMPL_H
#define SERENITY_ONNX_IMPL_H

#include "ir.h"
#include "onnx_import.h"
#include "strmap.h"
#include "onnx.pb-c.h"

enum {
	NRANK = 8,               /* highest rank of a value */
	NCONST_MAX = 1 << 28,    /* most elements of one constant */
	NFOLD_MAX = 1 << 24,     /* most elements a folded constant may make */
	NODE_INPUTS_MAX = 1024,  /* most inputs of one node */
};
#define NLAZY_CONST_MAX ((int64_t)1 << 36) /* most elements of a constant of one value */

typedef enum VKind { V_NONE, V_ACT, V_CONST } VKind;

typedef struct Value {
	const char *name;
	VKind kind;
	int rank;
	int64_t dims[NRANK];
	int producer;   /* node index or -1 (initializer, graph input) */
	int readers;    /* nodes that read it, each once; +1 for a graph output */
	bool graph_out;
	/* V_ACT */
	int t;          /* IR tensor */
	int t4;         /* its copy under the dims' 4-D reading, or -1 */
	bool direct;    /* t's producer made it for this value (not a view) */
	int reader;     /* the last node that reads it */
	bool scaled;    /* t times `scale`, a Mul by a scalar that only a Sum
	                 * reads: the Sum becomes a weighted sum (OP_WSUM) */
	float scale;
	const char *scaled_by; /* that Mul's name */
	bool cropped;   /* t cropped by crop[] (top, left, bottom, right), a
	                 * Slice of the plane that only a Conv reads: the conv
	                 * takes it as negative padding; or, negative, a zero
	                 * Pad of the plane that only a Conv or an unpadded
	                 * AveragePool reads: the reader pads */
	int crop[4];
	const char *cropped_by; /* that Slice's or Pad's name */
	/* V_CONST */
	bool isfloat;   /* f holds the elements, else i */
	int64_t count;
	float *f;
	int64_t *i;
	bool lazy;      /* every element is ffill (or ifill), f and i NULL: a
	                 * ConstantOfShape of any size, kept unmaterialized
	                 * (weights whose values only `run` needs) */
	float ffill;
	int64_t ifill;
} Value;

typedef struct Ctx {
	const char *file;
	Graph *g;
	Onnx__GraphProto *gp;
	int opset;          /* of the default domain */
	Value *vals;
	int nvals, capvals;
	StrMap byname;      /* value name -> index */
	const Onnx__NodeProto *node; /* being lowered, for messages */
	const char *nname;  /* its name (first output's when unnamed), IR-safe */
	StrMap vinfo;       /* value name -> index of its ValueInfoProto in infos */
	Onnx__ValueInfoProto **infos;
	int capmerged;
	const OnnxOpts *opts; /* or NULL */
	bool custom;        /* the node is of another domain than ONNX's own */
	Err *e;
} Ctx;

/* "FILE: node NAME (OpType): message"; returns -1. */
int ox_fail(Ctx *c, const char *fmt, ...) SY_PRINTF(2, 3);
Value *ox_find(Ctx *c, const char *name);  /* NULL when undefined */
/* Input k of the current node: NULL when absent (optional, empty name). */
Value *ox_in(Ctx *c, int k);

const Onnx__AttributeProto *ox_attr(const Onnx__NodeProto *n, const char *name);
int64_t ox_attr_i(const Onnx__NodeProto *n, const char *name, int64_t def);
float ox_attr_f(const Onnx__NodeProto *n, const char *name, float def);
/* Copies up to max ints; returns how many the attribute has, -1 if absent. */
/* IR names may not hold whitespace or control characters: each becomes '_'. */
void ox_safe_name(char *s);
int ox_attr_ints(const Onnx__NodeProto *n, const char *name, int64_t *out, int max);
/* The string attribute, compared: true when it equals s (def when absent). */
bool ox_attr_is(const Onnx__NodeProto *n, const char *name, const char *s, bool def);

/* Records that node `node` was folded into IR op `op` (NULL: a constant). */
void ox_merge(Ctx *c, const char *node, const char *op);
/* The static dims the file states for a value (value_info or graph output):
 * rank, or -1 when it states none. */
int ox_file_dims(Ctx *c, const char *name, int64_t *dims);

/* A float constant as an integer (0 for NaN and out of range). */
int64_t ox_f2i(float f);
/* Element k of constant v, as a float or as an integer (lazy or not). */
float ox_fval(const Value *v, int64_t k);
int64_t ox_ival(const Value *v, int64_t k);

/* Shared shape rules (onnx_import.c). */
int ox_squeeze_dims(Ctx *c, const Value *x, bool unsq, int64_t *dims, int *rank);
int64_t ox_clamp_index(int64_t i, int64_t d);
int ox_reshape_dims(Ctx *c, const Value *x, const Value *shape, int64_t *dims, int *rank);
int ox_flatten_dims(Ctx *c, const Value *x, int64_t *dims);

/* onnx_lower.c: lowers the current node (c->node) to IR ops. */
int ox_lower(Ctx *c);
/* onnx_infer.c: the current node's output dims by ONNX's shape rules into
 * dims[k], rank[k] (k < its outputs, at most 16): 1 when inferred; 0 when
 * not known here (an op outside the rules, or dims that depend on a value
 * that is no constant), why saying which; -1 on an error (e set). */
int ox_infer(Ctx *c, int64_t (*dims)[NRANK], int *rank, char *why, size_t nwhy);

#endif
