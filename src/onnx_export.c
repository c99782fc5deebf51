/* onnx_export.c: the IR graph as an ONNX model (opset 13; 14 with HardSwish).
 *
 * Each op becomes the node(s) the importer (onnx_import.c) turns back into
 * the same op, so a model round-trips with the same ops and peak:
 *   conv            Conv (+ Relu when op->relu; the conv's output is then
 *                   NAME.pre and the Relu's is NAME)
 *   pooling         MaxPool, AveragePool, GlobalAveragePool
 *   add, wsum       Sum; a weighted sum scales each input by a Mul with a
 *                   scalar first (the importer folds those back into it)
 *   fc              Flatten + Gemm (transB=1)
 *   the ONNX-only kinds: Clip/LeakyRelu/Sigmoid/HardSigmoid/HardSwish, Mul,
 *                   Slice, Pad, Transpose, Reshape, and a channel shuffle as
 *                   Reshape/Transpose/Reshape
 *   opaque          a node of op_type Opaque in domain ai.serenity whose
 *                   output's value_info says its bytes (1-D, int8), so
 *                   `schedule` still works
 * Rewritten graphs (partial convolutions) are refused.  Weights are float
 * initializers: the float weights of an imported model when present, else
 * the int8 values / 127 of a quantized one, else a seeded pseudo-random
 * pattern.  Every value gets a value_info with its shape.  The file is
 * written whole or not at all (out_write).
 */
#include "onnx_export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx.pb-c.h"
#include "output.h"
#include "rng.h"

typedef struct Ex {
	Arena *a;
	const Graph *g;
	Onnx__GraphProto *gp;
	size_t capnode, capinit, capvi;
	Err *e;
} Ex;

static char *fmt(Ex *x, const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 1;
	char *s = arena_alloc(x->a, n);
	snprintf(s, n, "%s%s", a, b);
	return s;
}

static Onnx__NodeProto *node(Ex *x, const char *type, const char *name, const char *out)
{
	Onnx__NodeProto *n = arena_new1(x->a, Onnx__NodeProto);
	onnx__node_proto__init(n);
	n->op_type = (char *)type;
	n->name = (char *)name;
	n->n_output = 1;
	n->output = arena_newvec(x->a, char *, 1);
	n->output[0] = (char *)out;
	n->input = arena_newvec(x->a, char *, 8);
	if (x->gp->n_node == x->capnode) {
		size_t cap = x->capnode ? 2 * x->capnode : 64;
		x->gp->node = arena_grow(x->a, x->gp->node, sizeof *x->gp->node, x->capnode, cap);
		x->capnode = cap;
	}
	x->gp->node[x->gp->n_node++] = n;
	return n;
}

/* Inputs: a node gets at most 8 this way; Sum and Concat set theirs whole. */
static void in(Onnx__NodeProto *n, const char *name)
{
	n->input[n->n_input++] = (char *)name;
}

static Onnx__AttributeProto *attr(Ex *x, Onnx__NodeProto *n, const char *name,
				  Onnx__AttributeProto__AttributeType t)
{
	Onnx__AttributeProto *a = arena_new1(x->a, Onnx__AttributeProto);
	onnx__attribute_proto__init(a);
	a->name = (char *)name;
	a->has_type = true;
	a->type = t;
	n->attribute = arena_grow(x->a, n->attribute, sizeof *n->attribute, n->n_attribute,
				  n->n_attribute + 1);
	n->attribute[n->n_attribute++] = a;
	return a;
}

static void attr_i(Ex *x, Onnx__NodeProto *n, const char *name, int64_t v)
{
	Onnx__AttributeProto *a = attr(x, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT);
	a->has_i = true;
	a->i = v;
}

static void attr_f(Ex *x, Onnx__NodeProto *n, const char *name, float v)
{
	Onnx__AttributeProto *a = attr(x, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT);
	a->has_f = true;
	a->f = v;
}

static void attr_ints(Ex *x, Onnx__NodeProto *n, const char *name, const int64_t *v, int k)
{
	Onnx__AttributeProto *a = attr(x, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS);
	a->n_ints = k;
	a->ints = arena_newvec(x->a, int64_t, k);
	memcpy(a->ints, v, k * sizeof *v);
}

static Onnx__TensorProto *init(Ex *x, const char *name, const int64_t *dims, int rank)
{
	Onnx__TensorProto *t = arena_new1(x->a, Onnx__TensorProto);
	onnx__tensor_proto__init(t);
	t->name = (char *)name;
	t->n_dims = rank;
	t->dims = arena_newvec(x->a, int64_t, rank ? rank : 1);
	if (rank)
		memcpy(t->dims, dims, rank * sizeof *dims);
	if (x->gp->n_initializer == x->capinit) {
		size_t cap = x->capinit ? 2 * x->capinit : 64;
		x->gp->initializer = arena_grow(x->a, x->gp->initializer,
						sizeof *x->gp->initializer, x->capinit, cap);
		x->capinit = cap;
	}
	x->gp->initializer[x->gp->n_initializer++] = t;
	return t;
}

/* Float values as little-endian raw_data. */
static void init_f(Ex *x, const char *name, const int64_t *dims, int rank, const float *v)
{
	Onnx__TensorProto *t = init(x, name, dims, rank);
	int64_t n = 1;
	for (int k = 0; k < rank; k++)
		n *= dims[k];
	t->has_data_type = true;
	t->data_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
	t->has_raw_data = true;
	t->raw_data.len = n * 4;
	t->raw_data.data = arena_alloc(x->a, n * 4 + 1);
	for (int64_t i = 0; i < n; i++) {
		uint32_t u;
		memcpy(&u, &v[i], 4);
		for (int b = 0; b < 4; b++)
			t->raw_data.data[4 * i + b] = (uint8_t)(u >> (8 * b));
	}
}

/* Integer values in the typed field int64_data. */
static void init_i(Ex *x, const char *name, const int64_t *v, int n)
{
	int64_t d = n;
	Onnx__TensorProto *t = init(x, name, &d, 1);
	t->has_data_type = true;
	t->data_type = ONNX__TENSOR_PROTO__DATA_TYPE__INT64;
	t->n_int64_data = n;
	t->int64_data = arena_newvec(x->a, int64_t, n);
	memcpy(t->int64_data, v, n * sizeof *v);
}

static Onnx__ValueInfoProto *vinfo(Ex *x, const char *name, const int64_t *dims, int rank,
				   int elem)
{
	Onnx__ValueInfoProto *vi = arena_new1(x->a, Onnx__ValueInfoProto);
	onnx__value_info_proto__init(vi);
	vi->name = (char *)name;
	vi->type = arena_new1(x->a, Onnx__TypeProto);
	onnx__type_proto__init(vi->type);
	vi->type->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
	Onnx__TypeProto__Tensor *tt = arena_new1(x->a, Onnx__TypeProto__Tensor);
	onnx__type_proto__tensor__init(tt);
	tt->has_elem_type = true;
	tt->elem_type = elem;
	tt->shape = arena_new1(x->a, Onnx__TensorShapeProto);
	onnx__tensor_shape_proto__init(tt->shape);
	tt->shape->n_dim = rank;
	tt->shape->dim = arena_newvec(x->a, Onnx__TensorShapeProto__Dimension *, rank);
	for (int k = 0; k < rank; k++) {
		Onnx__TensorShapeProto__Dimension *d =
			arena_new1(x->a, Onnx__TensorShapeProto__Dimension);
		onnx__tensor_shape_proto__dimension__init(d);
		d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
		d->dim_value = dims[k];
		tt->shape->dim[k] = d;
	}
	vi->type->tensor_type = tt;
	return vi;
}

static void add_vi(Ex *x, Onnx__ValueInfoProto *vi)
{
	if (x->gp->n_value_info == x->capvi) {
		size_t cap = x->capvi ? 2 * x->capvi : 64;
		x->gp->value_info = arena_grow(x->a, x->gp->value_info, sizeof *x->gp->value_info,
					       x->capvi, cap);
		x->capvi = cap;
	}
	x->gp->value_info[x->gp->n_value_info++] = vi;
}

/* The dims of tensor t as ONNX sees them: fc outputs are 2-D. */
static int tdims(const Graph *g, int t, int64_t *d)
{
	const Tensor *tt = &g->tensors[t];
	if (g->ops[tt->producer].kind == OP_OPAQUE) {
		d[0] = tt->bytes;
		return 1;
	}
	Shape s = tt->shape;
	d[0] = s.n;
	d[1] = s.c;
	d[2] = s.h;
	d[3] = s.w;
	return g->ops[tt->producer].kind == OP_FC ? 2 : 4;
}

static void shape_vi(Ex *x, int t, const char *name, bool list)
{
	int64_t d[4];
	int r = tdims(x->g, t, d);
	bool opq = x->g->ops[x->g->tensors[t].producer].kind == OP_OPAQUE;
	Onnx__ValueInfoProto *vi = vinfo(x, name, d, r,
					 opq ? ONNX__TENSOR_PROTO__DATA_TYPE__INT8
					     : ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT);
	if (list)
		add_vi(x, vi);
}

/* A constant's values as floats (see the header comment). */
static float *values(Ex *x, int k, int64_t count)
{
	const Const *c = &x->g->consts[k];
	float *v = arena_newvec(x->a, float, count ? count : 1);
	uint64_t seed = 0x5e7e2177ull;
	for (const char *p = c->name; *p; p++)
		seed = seed * 131 + (unsigned char)*p;
	for (int64_t i = 0; i < count; i++) {
		if (c->fdata && i < c->count)
			v[i] = c->fdata[i];
		else if (c->lazy && i < c->count)
			v[i] = c->fill;
		else if (c->data && i < c->count && c->dtype == DT_I8)
			v[i] = ((const int8_t *)c->data)[i] / 127.0f;
		else if (c->data && i < c->count && c->dtype == DT_I32)
			v[i] = ((const int32_t *)c->data)[i] / (127.0f * 127.0f);
		else
			v[i] = (float)(rng_unit(&seed) - 0.5);
	}
	return v;
}

static const char *tname(Ex *x, int t)
{
	return x->g->tensors[t].name;
}

/* The node that makes op o's value, and the value name it should write:
 * op->relu adds a Relu after it. */
static Onnx__NodeProto *op_node(Ex *x, const Op *op, const char *type)
{
	if (!op->relu)
		return node(x, type, op->name, op->name);
	const char *pre = fmt(x, op->name, ".pre");
	Onnx__NodeProto *n = node(x, type, op->name, pre);
	Onnx__NodeProto *r = node(x, "Relu", fmt(x, op->name, ".relu"), op->name);
	in(r, pre);
	int64_t d[4];
	int rank = tdims(x->g, op->out[0], d);
	add_vi(x, vinfo(x, pre, d, rank, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT));
	return n;
}

static void ints_in(Ex *x, Onnx__NodeProto *n, const char *suffix, const int64_t *v, int k);

static void window_attrs(Ex *x, Onnx__NodeProto *n, Window w, bool dil)
{
	int64_t k[2] = {w.kh, w.kw}, s[2] = {w.sh, w.sw}, d[2] = {w.dh, w.dw};
	int64_t p[4] = {w.pt, w.pl, w.pb, w.pr};
	attr_ints(x, n, "kernel_shape", k, 2);
	attr_ints(x, n, "strides", s, 2);
	attr_ints(x, n, "pads", p, 4);
	if (dil)
		attr_ints(x, n, "dilations", d, 2);
}

static int ex_conv(Ex *x, const Op *op)
{
	Window w = op->win;
	const Graph *g = x->g;
	Shape xs = g->tensors[op->in[0]].shape, ys = g->tensors[op->out[0]].shape;
	int64_t wd[4] = {ys.c, xs.c / w.groups, w.kh, w.kw}, n = wd[0] * wd[1] * wd[2] * wd[3];
	const char *src = tname(x, op->in[0]);
	if (w.pt < 0 || w.pl < 0 || w.pb < 0 || w.pr < 0) {
		/* negative padding crops: a Slice of the plane first */
		int64_t st[2] = {w.pt < 0 ? -w.pt : 0, w.pl < 0 ? -w.pl : 0};
		int64_t en[2] = {xs.h - (w.pb < 0 ? -w.pb : 0), xs.w - (w.pr < 0 ? -w.pr : 0)};
		int64_t ax[2] = {2, 3}, cd[4] = {xs.n, xs.c, en[0] - st[0], en[1] - st[1]};
		const char *cn = fmt(x, op->name, ".crop");
		Onnx__NodeProto *sl = node(x, "Slice", cn, cn);
		in(sl, src);
		ints_in(x, sl, ".starts", st, 2);
		ints_in(x, sl, ".ends", en, 2);
		ints_in(x, sl, ".axes", ax, 2);
		add_vi(x, vinfo(x, cn, cd, 4, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT));
		src = cn;
		w.pt = w.pt < 0 ? 0 : w.pt;
		w.pl = w.pl < 0 ? 0 : w.pl;
		w.pb = w.pb < 0 ? 0 : w.pb;
		w.pr = w.pr < 0 ? 0 : w.pr;
	}
	Onnx__NodeProto *nd = op_node(x, op, "Conv");
	in(nd, src);
	const char *wn = fmt(x, op->name, ".w"), *bn = fmt(x, op->name, ".b");
	in(nd, wn);
	init_f(x, wn, wd, 4, values(x, op->weight, n));
	if (op->bias >= 0) {
		in(nd, bn);
		init_f(x, bn, wd, 1, values(x, op->bias, ys.c));
	}
	window_attrs(x, nd, w, true);
	attr_i(x, nd, "group", w.groups);
	return 0;
}

static int ex_pool(Ex *x, const Op *op)
{
	bool avg = op->kind == OP_AVGPOOL;
	Window w = op->win;
	if (w.pt < 0 || w.pl < 0 || w.pb < 0 || w.pr < 0 || (avg && (w.dh != 1 || w.dw != 1)))
		return err_set(x->e, "node %s: this pooling window has no ONNX form", op->name);
	Onnx__NodeProto *n = node(x, avg ? "AveragePool" : "MaxPool", op->name, op->name);
	in(n, tname(x, op->in[0]));
	window_attrs(x, n, w, !avg);
	return 0;
}

static int ex_sum(Ex *x, const Op *op)
{
	Onnx__NodeProto *n = op_node(x, op, "Sum");
	n->input = arena_newvec(x->a, char *, op->nin);
	float *k = op->kind == OP_WSUM ? values(x, op->weight, op->nin) : NULL;
	for (int i = 0; i < op->nin; i++) {
		const char *src = tname(x, op->in[i]);
		if (k) {
			char suffix[32];
			snprintf(suffix, sizeof suffix, ".s%d", i);
			const char *mn = fmt(x, op->name, suffix), *kn = fmt(x, mn, ".k");
			/* before the Sum in the file: node() appended it last */
			Onnx__NodeProto *m = node(x, "Mul", mn, mn);
			in(m, src);
			in(m, kn);
			init_f(x, kn, NULL, 0, &k[i]);
			shape_vi(x, op->in[i], mn, true);
			src = mn;
		}
		n->input[n->n_input++] = (char *)src;
	}
	return 0;
}

static int ex_fc(Ex *x, const Op *op)
{
	const Graph *g = x->g;
	Shape xs = g->tensors[op->in[0]].shape;
	int64_t nin = ir_shape_elems(xs) / xs.n, nout = g->tensors[op->out[0]].shape.c;
	const char *fl = fmt(x, op->name, ".flat");
	Onnx__NodeProto *f = node(x, "Flatten", fl, fl);
	in(f, tname(x, op->in[0]));
	int64_t fd[2] = {xs.n, nin}, wd[2] = {nout, nin};
	add_vi(x, vinfo(x, fl, fd, 2, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT));
	Onnx__NodeProto *n = op_node(x, op, "Gemm");
	const char *wn = fmt(x, op->name, ".w"), *bn = fmt(x, op->name, ".b");
	in(n, fl);
	in(n, wn);
	in(n, bn);
	init_f(x, wn, wd, 2, values(x, op->weight, nout * nin));
	init_f(x, bn, &nout, 1, values(x, op->bias, nout));
	attr_i(x, n, "transB", 1);
	return 0;
}

static void ex_act(Ex *x, const Op *op)
{
	static const char *type[NACTKIND] = {"Clip", "LeakyRelu", "Sigmoid", "HardSigmoid",
					     "HardSwish"};
	Onnx__NodeProto *n = node(x, type[op->act], op->name, op->name);
	in(n, tname(x, op->in[0]));
	if (op->act == ACT_CLIP) {
		const char *lo = fmt(x, op->name, ".min"), *hi = fmt(x, op->name, ".max");
		in(n, lo);
		in(n, hi);
		init_f(x, lo, NULL, 0, &op->alpha);
		init_f(x, hi, NULL, 0, &op->beta);
	} else if (op->act == ACT_LEAKY) {
		attr_f(x, n, "alpha", op->alpha);
	} else if (op->act == ACT_HSIGMOID) {
		attr_f(x, n, "alpha", op->alpha);
		attr_f(x, n, "beta", op->beta);
	}
}

static void ints_in(Ex *x, Onnx__NodeProto *n, const char *suffix, const int64_t *v, int k)
{
	const char *nm = fmt(x, n->name, suffix);
	in(n, nm);
	init_i(x, nm, v, k);
}

static void ex_shuffle(Ex *x, const Op *op)
{
	Shape s = x->g->tensors[op->in[0]].shape;
	int64_t gr = op->win.groups, d5[5] = {s.n, gr, s.c / gr, s.h, s.w};
	int64_t t5[5] = {s.n, s.c / gr, gr, s.h, s.w}, d4[4] = {s.n, s.c, s.h, s.w};
	int64_t perm[5] = {0, 2, 1, 3, 4};
	const char *a = fmt(x, op->name, ".split"), *b = fmt(x, op->name, ".swap");
	Onnx__NodeProto *r1 = node(x, "Reshape", a, a);
	in(r1, tname(x, op->in[0]));
	ints_in(x, r1, ".shape", d5, 5);
	add_vi(x, vinfo(x, a, d5, 5, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT));
	Onnx__NodeProto *t = node(x, "Transpose", op->name, b);
	in(t, a);
	attr_ints(x, t, "perm", perm, 5);
	add_vi(x, vinfo(x, b, t5, 5, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT));
	Onnx__NodeProto *r2 = node(x, "Reshape", fmt(x, op->name, ".join"), op->name);
	in(r2, b);
	ints_in(x, r2, ".shape", d4, 4);
}

static int ex_op(Ex *x, const Op *op)
{
	Onnx__NodeProto *n;
	switch (op->kind) {
	case OP_INPUT:
		return 0;
	case OP_CONV:
		return ex_conv(x, op);
	case OP_MAXPOOL:
	case OP_AVGPOOL:
		return ex_pool(x, op);
	case OP_GAVGPOOL:
		n = node(x, "GlobalAveragePool", op->name, op->name);
		in(n, tname(x, op->in[0]));
		return 0;
	case OP_ADD:
	case OP_WSUM:
		return ex_sum(x, op);
	case OP_CONCAT:
		n = node(x, "Concat", op->name, op->name);
		n->input = arena_newvec(x->a, char *, op->nin);
		for (int i = 0; i < op->nin; i++)
			in(n, tname(x, op->in[i]));
		attr_i(x, n, "axis", 1);
		return 0;
	case OP_RELU:
		n = node(x, "Relu", op->name, op->name);
		in(n, tname(x, op->in[0]));
		return 0;
	case OP_FC:
		return ex_fc(x, op);
	case OP_OPAQUE:
		n = node(x, "Opaque", op->name, op->name);
		n->domain = "ai.serenity";
		n->input = arena_newvec(x->a, char *, op->nin ? op->nin : 1);
		for (int i = 0; i < op->nin; i++)
			in(n, tname(x, op->in[i]));
		return 0;
	case OP_ACT:
		ex_act(x, op);
		return 0;
	case OP_MUL:
		n = node(x, "Mul", op->name, op->name);
		in(n, tname(x, op->in[0]));
		in(n, tname(x, op->in[1]));
		return 0;
	case OP_SLICE: {
		n = node(x, "Slice", op->name, op->name);
		in(n, tname(x, op->in[0]));
		int64_t s = op->start, e = op->end, a = op->axis, st = op->step;
		ints_in(x, n, ".starts", &s, 1);
		ints_in(x, n, ".ends", &e, 1);
		ints_in(x, n, ".axes", &a, 1);
		ints_in(x, n, ".steps", &st, 1);
		return 0;
	}
	case OP_PAD: {
		n = node(x, "Pad", op->name, op->name);
		in(n, tname(x, op->in[0]));
		int64_t p[8] = {0, 0, op->win.pt, op->win.pl, 0, 0, op->win.pb, op->win.pr};
		ints_in(x, n, ".pads", p, 8);
		return 0;
	}
	case OP_SHUFFLE:
		ex_shuffle(x, op);
		return 0;
	case OP_TRANSPOSE: {
		n = node(x, "Transpose", op->name, op->name);
		in(n, tname(x, op->in[0]));
		int64_t p[4] = {op->perm[0], op->perm[1], op->perm[2], op->perm[3]};
		attr_ints(x, n, "perm", p, 4);
		return 0;
	}
	case OP_RESHAPE: {
		n = node(x, "Reshape", op->name, op->name);
		in(n, tname(x, op->in[0]));
		int64_t d[4] = {op->shape.n, op->shape.c, op->shape.h, op->shape.w};
		ints_in(x, n, ".shape", d, 4);
		return 0;
	}
	default:
		return err_set(x->e, "node %s: %s ops have no ONNX form (export the graph before "
				     "rewriting)",
			       op->name, ir_kind_name(op->kind));
	}
}

static int write_buf(FILE *f, const void *arg)
{
	const ProtobufCBinaryData *b = arg;
	return fwrite(b->data, 1, b->len, f) == b->len ? 0 : -1;
}

static int build(Ex *x, Onnx__ModelProto *m)
{
	const Graph *g = x->g;
	onnx__model_proto__init(m);
	m->has_ir_version = true;
	m->ir_version = 7;
	m->producer_name = "serenity";
	m->graph = x->gp;
	onnx__graph_proto__init(x->gp);
	x->gp->name = (char *)g->name;
	bool hswish = false, opaque = false;
	for (int o = 0; o < g->nops; o++) {
		hswish |= g->ops[o].kind == OP_ACT && g->ops[o].act == ACT_HSWISH;
		opaque |= g->ops[o].kind == OP_OPAQUE;
	}
	Onnx__OperatorSetIdProto *os = arena_newvec(x->a, Onnx__OperatorSetIdProto, 2);
	m->opset_import = arena_newvec(x->a, Onnx__OperatorSetIdProto *, 2);
	for (int k = 0; k < 2; k++) {
		onnx__operator_set_id_proto__init(&os[k]);
		os[k].has_version = true;
		m->opset_import[k] = &os[k];
	}
	os[0].domain = "";
	os[0].version = hswish ? 14 : 13; /* HardSwish came with opset 14 */
	os[1].domain = "ai.serenity";     /* Opaque: sizes only */
	os[1].version = 1;
	m->n_opset_import = opaque ? 2 : 1;
	int nin = 0, nout = 0;
	for (int t = 0; t < g->ntensors; t++) {
		nin += g->ops[g->tensors[t].producer].kind == OP_INPUT;
		nout += g->tensors[t].output;
	}
	x->gp->input = arena_newvec(x->a, Onnx__ValueInfoProto *, nin ? nin : 1);
	x->gp->output = arena_newvec(x->a, Onnx__ValueInfoProto *, nout ? nout : 1);
	for (int o = 0; o < g->nops; o++) {
		const Op *op = &g->ops[o];
		if (ex_op(x, op))
			return -1;
		int t = op->out[0];
		int64_t d[4];
		int r = tdims(g, t, d);
		int elem = op->kind == OP_OPAQUE ? ONNX__TENSOR_PROTO__DATA_TYPE__INT8
						 : ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
		Onnx__ValueInfoProto *vi = vinfo(x, op->name, d, r, elem);
		if (op->kind == OP_INPUT)
			x->gp->input[x->gp->n_input++] = vi;
		else if (!g->tensors[t].output)
			add_vi(x, vi);
		if (g->tensors[t].output)
			x->gp->output[x->gp->n_output++] = vi;
	}
	return 0;
}

int onnx_export(const Graph *g, const char *path, Err *e)
{
	Ex x = {.a = arena_new(), .g = g, .e = e};
	x.gp = arena_new1(x.a, Onnx__GraphProto);
	Onnx__ModelProto m;
	int rc = -1;
	if (build(&x, &m) == 0) {
		ProtobufCBinaryData b;
		b.len = onnx__model_proto__get_packed_size(&m);
		b.data = xmalloc(b.len ? b.len : 1);
		onnx__model_proto__pack(&m, b.data);
		rc = out_write(path, write_buf, &b, e);
		free(b.data);
	}
	arena_free(x.a);
	return rc;
}
