/* test_onnx.c: the ONNX importer and exporter.  Models are built in memory
 * with protobuf-c's structs (a little builder below), packed, and imported
 * from the bytes: shape rules per op, BN folding arithmetic, views, the
 * channel shuffle, opset variants, and every bad-input path. */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "graphfile.h"
#include "mem.h"
#include "onnx.pb-c.h"
#include "onnx_export.h"
#include "onnx_import.h"
#include "pipeline.h"
#include "sched.h"
#include "zoo.h"

/* ---- a model builder ---- */

typedef struct M {
	Arena *a;
	Onnx__ModelProto m;
	Onnx__GraphProto g;
	Onnx__OperatorSetIdProto os;
	Onnx__OperatorSetIdProto *osp;
} M;

static M *m_new(int opset)
{
	Arena *a = arena_new();
	M *m = arena_new1(a, M);
	m->a = a;
	onnx__model_proto__init(&m->m);
	onnx__graph_proto__init(&m->g);
	onnx__operator_set_id_proto__init(&m->os);
	m->os.domain = "";
	m->os.has_version = true;
	m->os.version = opset;
	m->osp = &m->os;
	m->m.n_opset_import = 1;
	m->m.opset_import = &m->osp;
	m->m.graph = &m->g;
	m->m.has_ir_version = true;
	m->m.ir_version = 8;
	return m;
}

static void m_free(M *m)
{
	arena_free(m->a);
}

/* Appends p to the array *arr of *n pointers. */
static void push(M *m, void *arr, size_t *n, void *p)
{
	void ***v = arr;
	*v = arena_grow(m->a, *v, sizeof(void *), *n, *n + 1);
	(*v)[(*n)++] = p;
}

/* Space-separated names; "-" is an absent (empty) optional one. */
static char **names(M *m, const char *list, size_t *n)
{
	char *s = arena_strdup(m->a, list), **v = arena_newvec(m->a, char *, 16), *save;
	*n = 0;
	for (char *t = strtok_r(s, " ", &save); t; t = strtok_r(NULL, " ", &save))
		v[(*n)++] = strcmp(t, "-") == 0 ? "" : t;
	return v;
}

static Onnx__NodeProto *m_node(M *m, const char *type, const char *name, const char *ins,
			       const char *outs)
{
	Onnx__NodeProto *n = arena_new1(m->a, Onnx__NodeProto);
	onnx__node_proto__init(n);
	n->op_type = arena_strdup(m->a, type);
	n->name = name ? arena_strdup(m->a, name) : NULL;
	n->input = names(m, ins, &n->n_input);
	n->output = names(m, outs, &n->n_output);
	push(m, &m->g.node, &m->g.n_node, n);
	return n;
}

static Onnx__AttributeProto *m_attr(M *m, Onnx__NodeProto *n, const char *name)
{
	Onnx__AttributeProto *a = arena_new1(m->a, Onnx__AttributeProto);
	onnx__attribute_proto__init(a);
	a->name = arena_strdup(m->a, name);
	push(m, &n->attribute, &n->n_attribute, a);
	return a;
}

static void m_ai(M *m, Onnx__NodeProto *n, const char *name, int64_t v)
{
	Onnx__AttributeProto *a = m_attr(m, n, name);
	a->has_i = true;
	a->i = v;
}

static void m_af(M *m, Onnx__NodeProto *n, const char *name, float v)
{
	Onnx__AttributeProto *a = m_attr(m, n, name);
	a->has_f = true;
	a->f = v;
}

static void m_as(M *m, Onnx__NodeProto *n, const char *name, const char *v)
{
	Onnx__AttributeProto *a = m_attr(m, n, name);
	a->has_s = true;
	a->s.data = (uint8_t *)arena_strdup(m->a, v);
	a->s.len = strlen(v);
}

static void m_ais(M *m, Onnx__NodeProto *n, const char *name, int k, const int64_t *v)
{
	Onnx__AttributeProto *a = m_attr(m, n, name);
	a->n_ints = k;
	a->ints = arena_newvec(m->a, int64_t, k);
	memcpy(a->ints, v, k * sizeof *v);
}

static Onnx__ValueInfoProto *m_vi(M *m, const char *name, int rank, const int64_t *dims,
				  const char *param)
{
	Onnx__ValueInfoProto *vi = arena_new1(m->a, Onnx__ValueInfoProto);
	onnx__value_info_proto__init(vi);
	vi->name = arena_strdup(m->a, name);
	if (rank < 0)
		return vi;
	vi->type = arena_new1(m->a, Onnx__TypeProto);
	onnx__type_proto__init(vi->type);
	vi->type->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
	vi->type->tensor_type = arena_new1(m->a, Onnx__TypeProto__Tensor);
	onnx__type_proto__tensor__init(vi->type->tensor_type);
	Onnx__TensorShapeProto *s = arena_new1(m->a, Onnx__TensorShapeProto);
	onnx__tensor_shape_proto__init(s);
	vi->type->tensor_type->shape = s;
	for (int k = 0; k < rank; k++) {
		Onnx__TensorShapeProto__Dimension *d =
			arena_new1(m->a, Onnx__TensorShapeProto__Dimension);
		onnx__tensor_shape_proto__dimension__init(d);
		if (param && k == 0) {
			d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
			d->dim_param = arena_strdup(m->a, param);
		} else {
			d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
			d->dim_value = dims[k];
		}
		push(m, &s->dim, &s->n_dim, d);
	}
	return vi;
}

static void m_input(M *m, const char *name, int rank, const int64_t *dims)
{
	push(m, &m->g.input, &m->g.n_input, m_vi(m, name, rank, dims, NULL));
}

static void m_output(M *m, const char *name)
{
	push(m, &m->g.output, &m->g.n_output, m_vi(m, name, -1, NULL, NULL));
}

static void m_value_info(M *m, const char *name, int rank, const int64_t *dims)
{
	push(m, &m->g.value_info, &m->g.n_value_info, m_vi(m, name, rank, dims, NULL));
}

/* A float initializer: the values given, or 0.5, 1, 1.5, ... when NULL;
 * raw_data when raw, else float_data. */
static void m_initf(M *m, const char *name, int rank, const int64_t *dims, const float *v,
		    bool raw)
{
	Onnx__TensorProto *t = arena_new1(m->a, Onnx__TensorProto);
	onnx__tensor_proto__init(t);
	t->name = arena_strdup(m->a, name);
	t->has_data_type = true;
	t->data_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
	int64_t n = 1;
	for (int k = 0; k < rank; k++)
		n *= dims[k];
	t->n_dims = rank;
	t->dims = arena_newvec(m->a, int64_t, rank ? rank : 1);
	if (rank) /* dims may be NULL for a scalar */
		memcpy(t->dims, dims, rank * sizeof *dims);
	float *f = arena_newvec(m->a, float, n ? n : 1);
	for (int64_t i = 0; i < n; i++)
		f[i] = v ? v[i] : 0.5f * (float)(i + 1);
	if (raw) {
		t->has_raw_data = true;
		t->raw_data.data = (uint8_t *)f; /* the tests run little-endian */
		t->raw_data.len = n * 4;
	} else {
		t->n_float_data = n;
		t->float_data = f;
	}
	push(m, &m->g.initializer, &m->g.n_initializer, t);
}

static void m_initi(M *m, const char *name, int n, const int64_t *v)
{
	Onnx__TensorProto *t = arena_new1(m->a, Onnx__TensorProto);
	onnx__tensor_proto__init(t);
	t->name = arena_strdup(m->a, name);
	t->has_data_type = true;
	t->data_type = ONNX__TENSOR_PROTO__DATA_TYPE__INT64;
	t->n_dims = 1;
	t->dims = arena_newvec(m->a, int64_t, 1);
	t->dims[0] = n;
	t->n_int64_data = n;
	t->int64_data = arena_newvec(m->a, int64_t, n ? n : 1);
	memcpy(t->int64_data, v, n * sizeof *v);
	push(m, &m->g.initializer, &m->g.n_initializer, t);
}

/* An initializer of data type dt: n elements of `size` bytes in raw_data
 * (little-endian), or, when typed, in int32_data (the narrow types). */
static Onnx__TensorProto *m_init_typed(M *m, const char *name, int dt, int rank,
				       const int64_t *dims, const void *raw, int size,
				       const int32_t *typed)
{
	Onnx__TensorProto *t = arena_new1(m->a, Onnx__TensorProto);
	onnx__tensor_proto__init(t);
	t->name = arena_strdup(m->a, name);
	t->has_data_type = true;
	t->data_type = dt;
	int64_t n = 1;
	for (int k = 0; k < rank; k++)
		n *= dims[k];
	t->n_dims = rank;
	t->dims = arena_newvec(m->a, int64_t, rank ? rank : 1);
	if (rank) /* dims may be NULL for a scalar */
		memcpy(t->dims, dims, rank * sizeof *dims);
	if (typed) {
		t->n_int32_data = n;
		t->int32_data = arena_newvec(m->a, int32_t, n ? n : 1);
		memcpy(t->int32_data, typed, n * sizeof *typed);
	} else {
		t->has_raw_data = true;
		t->raw_data.len = n * size;
		t->raw_data.data = arena_alloc(m->a, n * size + 1);
		memcpy(t->raw_data.data, raw, n * size);
	}
	push(m, &m->g.initializer, &m->g.n_initializer, t);
	return t;
}

static uint8_t *m_pack(M *m, size_t *len)
{
	*len = onnx__model_proto__get_packed_size(&m->m);
	uint8_t *b = xmalloc(*len + 1);
	onnx__model_proto__pack(&m->m, b);
	return b;
}

static Graph *m_import(M *m, Err *e)
{
	size_t len;
	uint8_t *b = m_pack(m, &len);
	Graph *g = onnx_import_mem("t.onnx", b, len, NULL, e);
	free(b);
	return g;
}

/* Imports m with options o; NULL with e set on failure; frees m. */
static Graph *m_import_opts(M *m, const OnnxOpts *o, Err *e)
{
	size_t len;
	uint8_t *b = m_pack(m, &len);
	Graph *g = onnx_import_mem("t.onnx", b, len, o, e);
	free(b);
	m_free(m);
	return g;
}

/* Imports m, which must succeed; frees m. */
static Graph *ok(M *m)
{
	Err e;
	Graph *g = m_import(m, &e);
	if (!g)
		fail_msg("import failed: %s", e.msg);
	m_free(m);
	return g;
}

/* Imports m, which must fail with a message holding want; frees m. */
static void bad(M *m, const char *want)
{
	Err e;
	Graph *g = m_import(m, &e);
	m_free(m);
	if (g) {
		ir_free(g);
		fail_msg("import succeeded, wanted: %s", want);
	}
	if (!strstr(e.msg, want))
		fail_msg("message '%s' lacks '%s'", e.msg, want);
}

static const Op *op_of(const Graph *g, const char *name)
{
	int t = ir_find(g, name);
	assert_true(t >= 0);
	return &g->ops[g->tensors[t].producer];
}

static Shape shape_of(const Graph *g, const char *name)
{
	int t = ir_find(g, name);
	assert_true(t >= 0);
	return g->tensors[t].shape;
}

static void assert_shape(Shape s, int n, int c, int h, int w)
{
	assert_int_equal(s.n, n);
	assert_int_equal(s.c, c);
	assert_int_equal(s.h, h);
	assert_int_equal(s.w, w);
}

static const char *merged_to(const Graph *g, const char *node)
{
	for (int i = 0; i < g->nmerged; i++)
		if (strcmp(g->merged[2 * i], node) == 0)
			return g->merged[2 * i + 1] ? g->merged[2 * i + 1] : "(null)";
	return NULL;
}

static const int64_t X4[4] = {1, 4, 8, 8};

/* ---- shapes ---- */

static void conv_case(const char *autopad, const int64_t *pads, const int64_t *strides,
		      const int64_t *dil, int group, int k, Shape want)
{
	M *m = m_new(13);
	m_input(m, "x", 4, X4);
	int64_t wd[4] = {8, 4 / group, k, k};
	m_initf(m, "w", 4, wd, NULL, true);
	Onnx__NodeProto *n = m_node(m, "Conv", "conv", "x w", "y");
	if (autopad)
		m_as(m, n, "auto_pad", autopad);
	if (pads)
		m_ais(m, n, "pads", 4, pads);
	if (strides)
		m_ais(m, n, "strides", 2, strides);
	if (dil)
		m_ais(m, n, "dilations", 2, dil);
	m_ai(m, n, "group", group);
	m_output(m, "y");
	Graph *g = ok(m);
	Shape s = shape_of(g, "conv");
	assert_shape(s, want.n, want.c, want.h, want.w);
	assert_int_equal(op_of(g, "conv")->win.groups, group);
	assert_non_null(g->consts[op_of(g, "conv")->weight].fdata);
	ir_free(g);
}

static void test_conv_shapes(void **state)
{
	(void)state;
	int64_t p1[4] = {1, 1, 1, 1}, pa[4] = {0, 1, 2, 0}, s2[2] = {2, 2}, d2[2] = {2, 2};
	conv_case(NULL, NULL, NULL, NULL, 1, 3, (Shape){1, 8, 6, 6});
	conv_case(NULL, p1, NULL, NULL, 1, 3, (Shape){1, 8, 8, 8});
	conv_case(NULL, pa, NULL, NULL, 1, 3, (Shape){1, 8, 8, 7});      /* asymmetric */
	conv_case(NULL, p1, s2, NULL, 2, 3, (Shape){1, 8, 4, 4});        /* groups */
	conv_case(NULL, NULL, NULL, d2, 4, 3, (Shape){1, 8, 4, 4});      /* dilated */
	conv_case("SAME_UPPER", NULL, s2, NULL, 1, 3, (Shape){1, 8, 4, 4});
	conv_case("SAME_LOWER", NULL, NULL, NULL, 1, 2, (Shape){1, 8, 8, 8});
	conv_case("VALID", p1, NULL, NULL, 1, 3, (Shape){1, 8, 6, 6});
}

static void test_pool_shapes(void **state)
{
	(void)state;
	int64_t k3[2] = {3, 3}, s2[2] = {2, 2}, p1[4] = {1, 1, 1, 1}, x[4] = {1, 2, 7, 7};
	M *m = m_new(13);
	m_input(m, "x", 4, x);
	Onnx__NodeProto *n = m_node(m, "MaxPool", "mp", "x", "a");
	m_ais(m, n, "kernel_shape", 2, k3);
	m_ais(m, n, "strides", 2, s2);
	n = m_node(m, "MaxPool", "mpc", "x", "b"); /* ceil: 3, not 2 */
	m_ais(m, n, "kernel_shape", 2, s2);
	m_ais(m, n, "strides", 2, s2);
	m_ai(m, n, "ceil_mode", 1);
	n = m_node(m, "AveragePool", "ap", "x", "c");
	m_ais(m, n, "kernel_shape", 2, k3);
	m_ais(m, n, "pads", 4, p1);
	m_node(m, "GlobalAveragePool", "gap", "x", "d");
	m_node(m, "GlobalMaxPool", "gmp", "x", "e");
	for (const char *o = "abcde"; *o; o++) {
		char s[2] = {*o, 0};
		m_output(m, s);
	}
	Graph *g = ok(m);
	assert_shape(shape_of(g, "mp"), 1, 2, 3, 3);
	assert_shape(shape_of(g, "mpc"), 1, 2, 4, 4);
	assert_shape(shape_of(g, "ap"), 1, 2, 7, 7);
	assert_int_equal(op_of(g, "ap")->kind, OP_AVGPOOL);
	assert_shape(shape_of(g, "gap"), 1, 2, 1, 1);
	assert_shape(shape_of(g, "gmp"), 1, 2, 1, 1);
	ir_free(g);

	m = m_new(13);
	m_input(m, "x", 4, x);
	n = m_node(m, "AveragePool", "ap", "x", "c");
	m_ais(m, n, "kernel_shape", 2, k3);
	m_ais(m, n, "pads", 4, p1);
	m_ai(m, n, "count_include_pad", 1);
	m_output(m, "c");
	g = ok(m); /* padding counted: a depthwise convolution by 1/9 */
	const Op *ap = op_of(g, "ap");
	assert_int_equal(ap->kind, OP_CONV);
	assert_int_equal(ap->win.groups, 2);
	assert_int_equal(ap->win.pt + ap->win.pb, 2);
	assert_true(g->consts[ap->weight].fdata[17] == 1.0f / 9);
	assert_shape(shape_of(g, "ap"), 1, 2, 7, 7);
	ir_free(g);

	m = m_new(13); /* with ceil_mode's partial windows: the padding made explicit */
	int64_t x8[4] = {1, 2, 8, 8};
	m_input(m, "x", 4, x8);
	n = m_node(m, "AveragePool", "ap", "x", "c");
	m_ais(m, n, "kernel_shape", 2, k3);
	m_ais(m, n, "strides", 2, s2);
	m_ais(m, n, "pads", 4, p1);
	m_ai(m, n, "count_include_pad", 1);
	m_ai(m, n, "ceil_mode", 1);
	m_output(m, "c");
	g = ok(m);
	assert_int_equal(op_of(g, "ap.pad")->kind, OP_PAD);
	assert_shape(shape_of(g, "ap.pad"), 1, 2, 10, 10);
	assert_int_equal(op_of(g, "ap")->kind, OP_AVGPOOL);
	assert_int_equal(op_of(g, "ap")->win.pt, 0);
	assert_int_equal(op_of(g, "ap")->win.pb, 1);
	assert_shape(shape_of(g, "ap"), 1, 2, 5, 5);
	ir_free(g);
}

/* ---- folding BN, fusing ReLU ---- */

static void test_bn_folded_into_conv(void **state)
{
	(void)state;
	int64_t x[4] = {1, 1, 2, 2}, wd[4] = {2, 1, 1, 1}, c2 = 2;
	float w[2] = {1, 2}, b[2] = {0.5f, -1}, gam[2] = {2, 3}, bet[2] = {1, 0}, mean[2] = {0.5f, 1},
	      var[2] = {4, 9};
	M *m = m_new(13);
	m_input(m, "x", 4, x);
	m_initf(m, "w", 4, wd, w, false);
	m_initf(m, "b", 1, &c2, b, true);
	m_initf(m, "g", 1, &c2, gam, false);
	m_initf(m, "be", 1, &c2, bet, false);
	m_initf(m, "m", 1, &c2, mean, false);
	m_initf(m, "v", 1, &c2, var, false);
	m_node(m, "Conv", "conv", "x w b", "c");
	Onnx__NodeProto *n = m_node(m, "BatchNormalization", "bn", "c g be m v", "bn_out");
	m_af(m, n, "epsilon", 0);
	m_node(m, "Relu", NULL, "bn_out", "y"); /* unnamed: named after its output */
	m_output(m, "y");
	Graph *g = ok(m);
	assert_int_equal(g->nops, 2);
	const Op *c = op_of(g, "conv");
	assert_true(c->relu);
	const float *wf = g->consts[c->weight].fdata, *bf = g->consts[c->bias].fdata;
	for (int k = 0; k < 2; k++) {
		float s = gam[k] / sqrtf(var[k]);
		assert_float_equal(wf[k], w[k] * s, 1e-6);
		assert_float_equal(bf[k], b[k] * s + bet[k] - mean[k] * s, 1e-6);
	}
	assert_string_equal(merged_to(g, "bn"), "conv");
	assert_string_equal(merged_to(g, "y"), "conv");
	assert_true(g->tensors[ir_find(g, "conv")].output);
	ir_free(g);
}

/* BN after a concat (DenseNet): a depthwise 1x1 conv of scale and shift;
 * its ReLU stays unfused when its input has another reader. */
static void test_bn_elsewhere_depthwise(void **state)
{
	(void)state;
	int64_t x[4] = {1, 2, 4, 4}, c4 = 4;
	float v[4] = {1, 4, 1, 4};
	M *m = m_new(13);
	m_input(m, "x", 4, x);
	m_initf(m, "g", 1, &c4, NULL, false);
	m_initf(m, "be", 1, &c4, NULL, false);
	m_initf(m, "m", 1, &c4, NULL, false);
	m_initf(m, "v", 1, &c4, v, false);
	m_node(m, "Concat", "cat", "x x", "c");
	m_node(m, "BatchNormalization", "bn", "c g be m v", "b");
	m_node(m, "Relu", "relu", "c", "r");
	m_node(m, "Add", "add", "b r", "y");
	m_output(m, "y");
	Graph *g = ok(m);
	const Op *bn = op_of(g, "bn");
	assert_int_equal(bn->kind, OP_CONV);
	assert_int_equal(bn->win.groups, 4);
	float s1 = 1.0f / sqrtf(4 + 1e-5f);
	assert_float_equal(g->consts[bn->weight].fdata[1], 1.0f * s1, 1e-5);
	assert_float_equal(g->consts[bn->bias].fdata[1], 1.0f - 1.0f * s1, 1e-5);
	assert_int_equal(op_of(g, "relu")->kind, OP_RELU);
	assert_int_equal(op_of(g, "add")->kind, OP_ADD);
	ir_free(g);
}

/* ---- views and constant folding ---- */

static void test_views_and_shape_folding(void **state)
{
	(void)state;
	int64_t x[4] = {2, 3, 4, 4}, wd[2] = {5, 48}, zero = 0, m1 = -1, ax0 = 0;
	M *m = m_new(13);
	m_input(m, "x", 4, x);
	m_initf(m, "w", 2, wd, NULL, true);
	m_initi(m, "zero", 1, &zero);
	m_initi(m, "m1", 1, &m1);
	m_initi(m, "ax0", 1, &ax0);
	m_node(m, "Identity", "id", "x", "x1");
	m_node(m, "Shape", "shape", "x1", "s");
	m_node(m, "Gather", "gather", "s zero", "n");
	m_node(m, "Concat", "cat", "n m1", "ns");
	Onnx__NodeProto *nd = m_node(m, "Reshape", "view", "x1 ns", "f");
	(void)nd;
	Onnx__NodeProto *gm = m_node(m, "Gemm", "fc", "f w", "y");
	m_ai(m, gm, "transB", 1);
	m_output(m, "y");
	Graph *g = ok(m);
	assert_int_equal(g->nops, 2); /* x, fc */
	assert_int_equal(op_of(g, "fc")->kind, OP_FC);
	assert_shape(shape_of(g, "fc"), 2, 5, 1, 1);
	assert_string_equal(merged_to(g, "view"), "x");
	assert_string_equal(merged_to(g, "id"), "x");
	assert_string_equal(merged_to(g, "gather"), "(null)");
	ir_free(g);
	(void)ax0;
}

/* Shape arithmetic as exporters write it, folded away to a view. */
static void test_constant_folding(void **state)
{
	(void)state;
	int64_t x[4] = {2, 3, 4, 4}, wd[2] = {5, 48};
	M *m = m_new(13);
	m_input(m, "x", 4, x);
	m_initf(m, "w", 2, wd, NULL, false);
	/* an int32 initializer in raw_data: 1 */
	Onnx__TensorProto *t = arena_new1(m->a, Onnx__TensorProto);
	onnx__tensor_proto__init(t);
	t->name = "one32";
	t->has_data_type = true;
	t->data_type = ONNX__TENSOR_PROTO__DATA_TYPE__INT32;
	static uint8_t raw1[4] = {1, 0, 0, 0};
	t->has_raw_data = true;
	t->raw_data.data = raw1;
	t->raw_data.len = 4;
	push(m, &m->g.initializer, &m->g.n_initializer, t);
	m_initi(m, "s0", 1, (int64_t[]){0});
	m_initi(m, "e1", 1, (int64_t[]){1});
	m_node(m, "Shape", "shape", "x", "s");
	m_node(m, "Slice", "first", "s s0 e1", "n");           /* [2] */
	Onnx__NodeProto *n = m_node(m, "Cast", "tofloat", "n", "nf");
	m_ai(m, n, "to", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT);
	n = m_node(m, "Cast", "toint", "nf", "ni");
	m_ai(m, n, "to", ONNX__TENSOR_PROTO__DATA_TYPE__INT64);
	m_node(m, "Mul", "times1", "ni one32", "n1");
	m_node(m, "Div", "div1", "n1 one32", "n2");
	n = m_node(m, "Constant", "c1", "", "one");
	Onnx__AttributeProto *a = m_attr(m, n, "value_ints");
	a->n_ints = 1;
	a->ints = arena_newvec(m->a, int64_t, 1);
	a->ints[0] = 1;
	n = m_node(m, "ConstantOfShape", "minus1", "one", "m1");
	Onnx__TensorProto *v = arena_new1(m->a, Onnx__TensorProto);
	onnx__tensor_proto__init(v);
	v->has_data_type = true;
	v->data_type = ONNX__TENSOR_PROTO__DATA_TYPE__INT64;
	v->n_dims = 1;
	v->dims = arena_newvec(m->a, int64_t, 1);
	v->dims[0] = 1;
	v->n_int64_data = 1;
	v->int64_data = arena_newvec(m->a, int64_t, 1);
	v->int64_data[0] = -1;
	m_attr(m, n, "value")->t = v;
	m_node(m, "Concat", "shape2", "n2 m1", "ns");
	m_node(m, "Reshape", "view", "x ns", "f");
	n = m_node(m, "Gemm", "fc", "f w", "y");
	m_ai(m, n, "transB", 1);
	m_output(m, "y");
	Graph *g = ok(m);
	assert_int_equal(g->nops, 2);
	assert_shape(shape_of(g, "fc"), 2, 5, 1, 1);
	const char *folded[] = {"shape", "first", "tofloat", "toint", "times1", "div1", "c1",
				"minus1", "shape2"};
	for (size_t i = 0; i < sizeof folded / sizeof *folded; i++)
		assert_string_equal(merged_to(g, folded[i]), "(null)");
	assert_string_equal(merged_to(g, "view"), "x");
	ir_free(g);

	/* a shape that is no constant cannot feed Reshape */
	m = m_new(13);
	m_input(m, "x", 4, x);
	m_input(m, "s", 1, (int64_t[]){2});
	m_node(m, "Reshape", "view", "x s", "y");
	m_output(m, "y");
	bad(m, "node view (Reshape): the shape must be a 1-D constant");
}

/* Weights as exporters also write them: float16 and bfloat16 (read as
 * float, exactly), and QDQ models' int8 and uint8 weights behind a
 * DequantizeLinear (folded to float weights). */
static void test_typed_initializers(void **state)
{
	(void)state;
	/* half: 1, -2, 0.5, 65504 (largest), 2^-24 (smallest subnormal), -0 */
	static const uint16_t half[6] = {0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001, 0x8000};
	static const float want_half[6] = {1, -2, 0.5f, 65504, 5.9604645e-8f, -0.0f};
	static const uint16_t bf16[6] = {0x3f80, 0xc040, 0x3e80, 0x4120, 0x0000, 0xbf00};
	static const float want_bf16[6] = {1, -3, 0.25f, 10, 0, -0.5f};
	int64_t wd[4] = {6, 1, 1, 1}, x[4] = {1, 1, 2, 2};
	for (int typed = 0; typed < 2; typed++) {
		M *m = m_new(13);
		m_input(m, "x", 4, x);
		int32_t ih[6], ib[6];
		for (int k = 0; k < 6; k++)
			ih[k] = half[k], ib[k] = bf16[k];
		m_init_typed(m, "wh", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16, 4, wd, half, 2,
			     typed ? ih : NULL);
		m_init_typed(m, "wb", ONNX__TENSOR_PROTO__DATA_TYPE__BFLOAT16, 4, wd, bf16, 2,
			     typed ? ib : NULL);
		m_node(m, "Conv", "ch", "x wh", "yh");
		m_node(m, "Conv", "cb", "x wb", "yb");
		m_output(m, "yh");
		m_output(m, "yb");
		Graph *g = ok(m);
		const float *fh = g->consts[op_of(g, "ch")->weight].fdata;
		const float *fb = g->consts[op_of(g, "cb")->weight].fdata;
		for (int k = 0; k < 6; k++) {
			assert_memory_equal(&fh[k], &want_half[k], sizeof(float));
			assert_memory_equal(&fb[k], &want_bf16[k], sizeof(float));
		}
		ir_free(g);
	}

	/* int8 per output channel (axis 0), with zero points; uint8 per tensor */
	static const int8_t q8[6] = {-128, 127, 0, 1, -1, 5};
	static const uint8_t u8[6] = {0, 255, 128, 129, 127, 10};
	int64_t two[1] = {2}, ws[4] = {2, 3, 1, 1}, x3[4] = {1, 3, 2, 2};
	M *m = m_new(13);
	m_input(m, "x", 4, x3);
	m_init_typed(m, "wq", ONNX__TENSOR_PROTO__DATA_TYPE__INT8, 4, ws, q8, 1, NULL);
	m_initf(m, "ws", 1, two, (float[]){0.5f, 0.25f}, false);
	m_init_typed(m, "wz", ONNX__TENSOR_PROTO__DATA_TYPE__INT8, 1, two, (int8_t[]){0, 1}, 1,
		     NULL);
	m_init_typed(m, "uq", ONNX__TENSOR_PROTO__DATA_TYPE__UINT8, 4, ws, NULL, 1,
		     (int32_t[]){u8[0], u8[1], u8[2], u8[3], u8[4], u8[5]});
	m_initf(m, "us", 0, NULL, (float[]){0.125f}, false);
	m_init_typed(m, "uz", ONNX__TENSOR_PROTO__DATA_TYPE__UINT8, 0, NULL, (uint8_t[]){128}, 1,
		     NULL);
	Onnx__NodeProto *n = m_node(m, "DequantizeLinear", "dq_w", "wq ws wz", "w");
	m_ai(m, n, "axis", 0);
	m_node(m, "DequantizeLinear", "dq_u", "uq us uz", "u");
	m_node(m, "Conv", "cq", "x w", "yq");
	m_node(m, "Conv", "cu", "x u", "yu");
	m_output(m, "yq");
	m_output(m, "yu");
	Graph *g = ok(m);
	const float *fq = g->consts[op_of(g, "cq")->weight].fdata;
	const float *fu = g->consts[op_of(g, "cu")->weight].fdata;
	static const float want_q[6] = {-64, 63.5f, 0, 0, -0.5f, 1};
	static const float want_u[6] = {-16, 15.875f, 0, 0.125f, -0.125f, -14.75f};
	for (int k = 0; k < 6; k++) {
		assert_float_equal(fq[k], want_q[k], 0);
		assert_float_equal(fu[k], want_u[k], 0);
	}
	assert_string_equal(merged_to(g, "dq_w"), "(null)");
	ir_free(g);

	/* a scale per channel of the wrong count, a float "quantized" input */
	m = m_new(13);
	m_input(m, "x", 4, x3);
	m_init_typed(m, "wq", ONNX__TENSOR_PROTO__DATA_TYPE__INT8, 4, ws, q8, 1, NULL);
	m_initf(m, "ws", 1, (int64_t[]){3}, NULL, false);
	n = m_node(m, "DequantizeLinear", "dq_w", "wq ws", "w");
	m_ai(m, n, "axis", 0);
	m_node(m, "Conv", "cq", "x w", "yq");
	m_output(m, "yq");
	bad(m, "node dq_w (DequantizeLinear): scale has 3 values, not one per slice along axis 0");
	m = m_new(13);
	m_input(m, "x", 4, x3);
	m_initf(m, "wq", 4, ws, NULL, false);
	m_initf(m, "ws", 0, NULL, NULL, false);
	m_node(m, "DequantizeLinear", "dq_w", "wq ws", "w");
	m_node(m, "Conv", "cq", "x w", "yq");
	m_output(m, "yq");
	bad(m, "node dq_w (DequantizeLinear): x and zero_point must be integers, scale float");
	/* strings are no numbers */
	m = m_new(13);
	m_input(m, "x", 4, x3);
	m_init_typed(m, "s", ONNX__TENSOR_PROTO__DATA_TYPE__STRING, 1, two, "ab", 1, NULL);
	m_node(m, "Conv", "c", "x s", "y");
	m_output(m, "y");
	bad(m, "initializer s: data type 8 is not supported");
}

/* ConstantOfShape's output node `name`, of dims d and float value v. */
static void m_const_of_shape(M *m, const char *name, const char *out, int rank,
			     const int64_t *d, float v)
{
	char sh[64];
	snprintf(sh, sizeof sh, "%s_shape", name);
	m_initi(m, sh, rank, d);
	char ins[80];
	snprintf(ins, sizeof ins, "%s", sh);
	Onnx__NodeProto *n = m_node(m, "ConstantOfShape", name, ins, out);
	Onnx__TensorProto *t = arena_new1(m->a, Onnx__TensorProto);
	onnx__tensor_proto__init(t);
	t->has_data_type = true;
	t->data_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
	t->n_dims = 1;
	t->dims = arena_newvec(m->a, int64_t, 1);
	t->dims[0] = 1;
	t->n_float_data = 1;
	t->float_data = arena_newvec(m->a, float, 1);
	t->float_data[0] = v;
	m_attr(m, n, "value")->t = t;
}

/* Weights from ConstantOfShape (ONNX's VGG-19, AlexNet, ZFNet) are kept as
 * dims and one value: scheduling needs no values; ir_materialize makes
 * them for a run, within NLAZY_MAX in all. */
static void test_lazy_weights(void **state)
{
	(void)state;
	M *m = m_new(13);
	m_input(m, "x", 4, (int64_t[]){1, 512, 7, 7});
	m_node(m, "Flatten", "flat", "x", "f");
	m_const_of_shape(m, "fc6_w_0", "w6", 2, (int64_t[]){4096, 25088}, 0.01f);
	Onnx__NodeProto *n = m_node(m, "Gemm", "fc6", "f w6", "y6");
	m_ai(m, n, "transB", 1);
	m_af(m, n, "alpha", 2);
	m_node(m, "Relu", "relu6", "y6", "r6");
	/* folded on the way, one value still: Mul by a scalar, Reshape */
	m_const_of_shape(m, "fc7_w_0", "w7a", 1, (int64_t[]){4096 * 4096}, 0.5f);
	m_initf(m, "half", 0, NULL, (float[]){0.5f}, false);
	m_node(m, "Mul", "scale7", "w7a half", "w7b");
	m_initi(m, "s7", 2, (int64_t[]){4096, 4096});
	m_node(m, "Reshape", "shape7", "w7b s7", "w7");
	m_node(m, "MatMul", "fc7", "r6 w7", "y");
	m_output(m, "y");
	Graph *g = ok(m);
	const Const *w6 = &g->consts[op_of(g, "fc6")->weight];
	const Const *w7 = &g->consts[op_of(g, "fc7")->weight];
	assert_int_equal(w6->count, (int64_t)4096 * 25088);
	assert_true(w6->lazy && !w6->fdata);
	assert_float_equal(w6->fill, 0.02f, 0);
	assert_true(w7->lazy && !w7->fdata);
	assert_float_equal(w7->fill, 0.25f, 0);
	assert_int_equal(ir_macs(g), (int64_t)4096 * 25088 + 4096 * 4096);
	/* scheduling needs none of them */
	Schedule sc;
	Err e;
	assert_int_equal(sched_run(g, SCHED_FILE, NULL, g->arena, &sc, &e), 0);
	assert_int_equal(sc.peak, 512 * 49 + 4096); /* x and fc6 */
	ir_free(g);

	/* a run makes them */
	m = m_new(13);
	m_input(m, "x", 2, (int64_t[]){1, 8});
	m_const_of_shape(m, "fc_w", "w", 2, (int64_t[]){4, 8}, 0.25f);
	n = m_node(m, "Gemm", "fc", "x w", "y");
	m_ai(m, n, "transB", 1);
	m_af(m, n, "alpha", 2);
	m_output(m, "y");
	g = ok(m);
	const Const *w = &g->consts[op_of(g, "fc")->weight];
	assert_true(w->lazy && !w->fdata);
	assert_int_equal(ir_materialize(g, &e), 0);
	assert_false(w->lazy);
	for (int i = 0; i < 32; i++)
		assert_float_equal(w->fdata[i], 0.5f, 0);
	ir_free(g);

	/* more than NLAZY_MAX in all: refused, in one line, before any is made */
	m = m_new(13);
	m_input(m, "x", 2, (int64_t[]){1, 16384});
	m_const_of_shape(m, "big1", "w1", 2, (int64_t[]){16384, 8200}, 1);
	m_const_of_shape(m, "big2", "w2", 2, (int64_t[]){8200, 16384}, 1);
	m_node(m, "MatMul", "fc1", "x w1", "y1");
	m_node(m, "MatMul", "fc2", "y1 w2", "y");
	m_output(m, "y");
	g = ok(m);
	assert_int_equal(ir_materialize(g, &e), -1);
	assert_string_equal(e.msg, "t.onnx: constant fc2.w: 134348800 elements of one value, too "
				   "many to make for a run (at most 268435456 in all)");
	assert_true(g->consts[op_of(g, "fc1")->weight].lazy);
	ir_free(g);

	/* conv weights of one value, BN folded in: per channel, so made */
	m = m_new(13);
	m_input(m, "x", 4, X4);
	m_const_of_shape(m, "cw", "w", 4, (int64_t[]){2, 4, 1, 1}, 1);
	m_node(m, "Conv", "conv", "x w", "c");
	m_initf(m, "g", 1, (int64_t[]){2}, (float[]){2, 3}, false);
	m_initf(m, "b", 1, (int64_t[]){2}, (float[]){0, 0}, false);
	m_initf(m, "mu", 1, (int64_t[]){2}, (float[]){0, 0}, false);
	m_initf(m, "var", 1, (int64_t[]){2}, (float[]){1, 1}, false);
	n = m_node(m, "BatchNormalization", "bn", "c g b mu var", "y");
	m_af(m, n, "epsilon", 0);
	m_output(m, "y");
	g = ok(m);
	const Const *cw = &g->consts[op_of(g, "conv")->weight];
	assert_false(cw->lazy);
	assert_float_equal(cw->fdata[0], 2, 0);
	assert_float_equal(cw->fdata[7], 3, 0);
	ir_free(g);
}

/* A view that changes the plane feeds a conv: an OP_RESHAPE copy. */
static void test_reshape_copy(void **state)
{
	(void)state;
	int64_t x[4] = {1, 4, 4, 4}, to[4] = {1, 16, 2, 2}, wd[4] = {2, 16, 1, 1};
	M *m = m_new(13);
	m_input(m, "x", 4, x);
	m_initi(m, "to", 4, to);
	m_initf(m, "w", 4, wd, NULL, false);
	m_node(m, "Reshape", "r", "x to", "xr");
	m_node(m, "Conv", "conv", "xr w", "y");
	m_output(m, "y");
	Graph *g = ok(m);
	const Op *c = op_of(g, "conv");
	const Op *r = &g->ops[g->tensors[c->in[0]].producer];
	assert_int_equal(r->kind, OP_RESHAPE);
	assert_shape(r->shape, 1, 16, 2, 2);
	assert_shape(shape_of(g, "conv"), 1, 2, 2, 2);
	ir_free(g);
}

/* A zero Pad of the plane that only a Conv, or an AveragePool padding
 * nothing itself, reads: the reader pads, the Pad is merged into it; a
 * MaxPool reader keeps the Pad (its padding would not be zeros). */
static void test_pad_folded_into_reader(void **state)
{
	(void)state;
	int64_t x[4] = {1, 2, 5, 5}, wd[4] = {3, 2, 3, 3}, k3[2] = {3, 3};
	int64_t pads[8] = {0, 0, 1, 2, 0, 0, 0, 1};
	M *m = m_new(13);
	m_input(m, "x", 4, x);
	m_initi(m, "pads", 8, pads);
	m_initf(m, "w", 4, wd, NULL, false);
	m_node(m, "Pad", "pc", "x pads", "xp");
	m_node(m, "Conv", "conv", "xp w", "y");
	m_node(m, "Pad", "pa", "x pads", "xq");
	Onnx__NodeProto *n = m_node(m, "AveragePool", "avg", "xq", "z");
	m_ais(m, n, "kernel_shape", 2, k3);
	m_node(m, "Pad", "pm", "x pads", "xr");
	n = m_node(m, "MaxPool", "max", "xr", "u");
	m_ais(m, n, "kernel_shape", 2, k3);
	m_output(m, "y");
	m_output(m, "z");
	m_output(m, "u");
	Graph *g = ok(m);
	const Op *c = op_of(g, "conv"), *a = op_of(g, "avg");
	assert_int_equal(c->win.pt, 1);
	assert_int_equal(c->win.pl, 2);
	assert_int_equal(c->win.pb, 0);
	assert_int_equal(c->win.pr, 1);
	assert_shape(shape_of(g, "conv"), 1, 3, 4, 6);
	assert_string_equal(merged_to(g, "pc"), "conv");
	assert_int_equal(a->kind, OP_CONV); /* the zeros counted: depthwise by 1/9 */
	assert_int_equal(a->win.groups, 2);
	assert_int_equal(a->win.pl, 2);
	assert_shape(shape_of(g, "avg"), 1, 2, 4, 6);
	assert_string_equal(merged_to(g, "pa"), "avg");
	assert_int_equal(op_of(g, "pm")->kind, OP_PAD);
	assert_int_equal(op_of(g, "max")->win.pt, 0);
	ir_free(g);
}

/* A Slice of the plane that only a Conv reads: the conv crops it by
 * negative padding, except on a side where it pads itself (its zeros would
 * stand where the cropped rows were): there the Slice stays. */
static void test_crop_folded_into_conv(void **state)
{
	(void)state;
	int64_t x[4] = {1, 2, 6, 6}, wd[4] = {3, 2, 3, 3}, st[1] = {1}, en[1] = {6}, ax[1] = {2};
	int64_t p1[4] = {1, 1, 1, 1}, p0[4] = {0, 1, 1, 1};
	for (int padded = 0; padded < 2; padded++) {
		M *m = m_new(13);
		m_input(m, "x", 4, x);
		m_initi(m, "st", 1, st);
		m_initi(m, "en", 1, en);
		m_initi(m, "ax", 1, ax);
		m_initf(m, "w", 4, wd, NULL, false);
		m_node(m, "Slice", "crop", "x st en ax", "xc"); /* rows 1..5 */
		Onnx__NodeProto *n = m_node(m, "Conv", "conv", "xc w", "y");
		m_ais(m, n, "pads", 4, padded ? p1 : p0);
		m_output(m, "y");
		Graph *g = ok(m);
		const Op *c = op_of(g, "conv");
		assert_shape(shape_of(g, "conv"), 1, 3, padded ? 5 : 4, 6);
		if (padded) {
			assert_int_equal(op_of(g, "crop")->kind, OP_SLICE);
			assert_int_equal(c->win.pt, 1);
		} else {
			assert_string_equal(merged_to(g, "crop"), "conv");
			assert_int_equal(c->win.pt, -1);
		}
		ir_free(g);
	}
}

static void test_channel_shuffle(void **state)
{
	(void)state;
	int64_t x[4] = {1, 12, 2, 2}, s5[5] = {1, 3, 4, 2, 2}, s4[4] = {1, 12, 2, 2};
	int64_t perm[5] = {0, 2, 1, 3, 4};
	M *m = m_new(13);
	m_input(m, "x", 4, x);
	m_initi(m, "s5", 5, s5);
	m_initi(m, "s4", 4, s4);
	m_node(m, "Reshape", "r1", "x s5", "a");
	Onnx__NodeProto *t = m_node(m, "Transpose", "shuffle", "a", "b");
	m_ais(m, t, "perm", 5, perm);
	m_node(m, "Reshape", "r2", "b s4", "y");
	m_output(m, "y");
	Graph *g = ok(m);
	assert_int_equal(g->nops, 2);
	const Op *s = op_of(g, "shuffle");
	assert_int_equal(s->kind, OP_SHUFFLE);
	assert_int_equal(s->win.groups, 3);
	assert_string_equal(merged_to(g, "r2"), "shuffle");
	assert_true(g->tensors[ir_find(g, "shuffle")].output);
	ir_free(g);
}

static void test_elementwise_ops(void **state)
{
	(void)state;
	int64_t x[4] = {1, 4, 4, 4}, pc[3] = {4, 1, 1}, wd[4] = {4, 4, 1, 1};
	int64_t perm[4] = {0, 2, 3, 1};
	float k[4] = {1, 2, 3, 4};
	M *m = m_new(14);
	m_input(m, "x", 4, x);
	m_initf(m, "k", 3, pc, k, false);
	m_initf(m, "w", 4, wd, NULL, false);
	m_node(m, "Mul", "scale", "x k", "a");           /* per channel: depthwise */
	m_node(m, "GlobalAveragePool", "gap", "a", "s");
	m_node(m, "Conv", "fc1", "s w", "s1");
	m_node(m, "Sigmoid", "sig", "s1", "s2");
	m_node(m, "Mul", "excite", "a s2", "e");           /* squeeze-excite */
	m_node(m, "HardSwish", "hs", "e", "h");
	Onnx__NodeProto *n = m_node(m, "LeakyRelu", "lr", "h", "l");
	m_af(m, n, "alpha", 0.25f);
	m_node(m, "HardSigmoid", "hsg", "l", "hg");
	n = m_node(m, "Transpose", "tr", "hg", "y");
	m_ais(m, n, "perm", 4, perm);
	m_output(m, "y");
	Graph *g = ok(m);
	const Op *sc = op_of(g, "scale");
	assert_int_equal(sc->kind, OP_CONV);
	assert_int_equal(sc->win.groups, 4);
	assert_float_equal(g->consts[sc->weight].fdata[2], 3, 0);
	assert_int_equal(op_of(g, "excite")->kind, OP_MUL);
	assert_int_equal(op_of(g, "sig")->act, ACT_SIGMOID);
	assert_int_equal(op_of(g, "hs")->act, ACT_HSWISH);
	assert_int_equal(op_of(g, "lr")->act, ACT_LEAKY);
	assert_float_equal(op_of(g, "lr")->alpha, 0.25, 0);
	assert_float_equal(op_of(g, "hsg")->alpha, 0.2, 1e-6);
	assert_float_equal(op_of(g, "hsg")->beta, 0.5, 1e-6);
	assert_int_equal(op_of(g, "tr")->kind, OP_TRANSPOSE);
	assert_shape(shape_of(g, "tr"), 1, 4, 4, 4);
	assert_string_equal(op_of(g, "excite")->otype, "Mul");
	ir_free(g);
}

/* A node may read one tensor twice (Add(x, x), Mul(x, x), Concat(x, y,
 * x)): the IR keeps both inputs, reads, counts and frees the tensor once,
 * and the plain graph format lists it once (where a repeat is refused). */
static void test_repeated_inputs(void **state)
{
	(void)state;
	int64_t wd[4] = {2, 4, 1, 1};
	M *m = m_new(13);
	m_input(m, "x", 4, X4);
	m_initf(m, "w", 4, wd, NULL, false);
	m_node(m, "Conv", "conv", "x w", "c");
	m_node(m, "Add", "add", "c c", "a");
	m_node(m, "Mul", "mul", "a a", "p");
	m_node(m, "Concat", "cat", "a c a p", "y");
	m_output(m, "y");
	Graph *g = ok(m);
	const Op *add = op_of(g, "add"), *cat = op_of(g, "cat");
	assert_int_equal(add->kind, OP_ADD);
	assert_int_equal(add->nin, 2);
	assert_int_equal(add->in[0], add->in[1]);
	assert_true(!ir_repeat(add, 0) && ir_repeat(add, 1));
	assert_int_equal(cat->nin, 4);
	assert_true(ir_repeat(cat, 2) && !ir_repeat(cat, 3));
	assert_shape(shape_of(g, "cat"), 1, 8, 8, 8); /* 4 x 2 channels */
	const Tensor *a = &g->tensors[ir_find(g, "add")];
	assert_int_equal(a->ncons, 2); /* mul and cat, once each */
	/* the footprint of cat: a, c and p once each, and its output */
	int64_t fp = mem_op_footprint(g, a->cons[1]);
	assert_int_equal(fp, 3 * 128 + 4 * 128);
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_int_equal(gf_write(g, f), 0);
	fclose(f);
	assert_non_null(strstr(text, "node add 128 conv\n"));
	assert_non_null(strstr(text, "node mul 128 add\n"));
	Err e;
	Graph *back = gf_parse(text, len, "back.graph", &e);
	if (!back)
		fail_msg("%s", e.msg);
	assert_int_equal(mem_lower_bound(back), mem_lower_bound(g));
	ir_free(back);
	free(text);
	ir_free(g);
}

/* ---- opset variants ---- */

static Graph *variants(int opset)
{
	int64_t x[4] = {1, 8, 6, 6}, pads[8] = {0, 0, 1, 2, 0, 0, 3, 4}, sp[2] = {2, 6};
	int64_t st = 1, en = -1, ax = 2, axes[2] = {2, 3};
	float lo = 0, hi = 6;
	int64_t one = 1;
	M *m = m_new(opset);
	m_input(m, "x", 4, x);
	Onnx__NodeProto *n;
	if (opset < 11) {
		n = m_node(m, "Clip", "clip", "x", "c");
		m_af(m, n, "min", lo);
		m_af(m, n, "max", hi);
		n = m_node(m, "Pad", "pad", "c", "p");
		m_ais(m, n, "pads", 8, pads);
	} else {
		m_initf(m, "lo", 0, &one, &lo, false);
		m_initf(m, "hi", 0, &one, &hi, true);
		m_initi(m, "pads", 8, pads);
		m_node(m, "Clip", "clip", "x lo hi", "c");
		m_node(m, "Pad", "pad", "c pads", "p");
	}
	if (opset < 13) {
		n = m_node(m, "Split", "split", "p", "s0 s1");
		m_ai(m, n, "axis", 1);
		m_ais(m, n, "split", 2, sp);
	} else {
		m_initi(m, "sp", 2, sp);
		n = m_node(m, "Split", "split", "p sp", "s0 s1");
		m_ai(m, n, "axis", 1);
	}
	if (opset < 10) {
		n = m_node(m, "Slice", "slice", "s1", "sl");
		m_ais(m, n, "starts", 1, &st);
		m_ais(m, n, "ends", 1, &en);
		m_ais(m, n, "axes", 1, &ax);
	} else {
		m_initi(m, "st", 1, &st);
		m_initi(m, "en", 1, &en);
		m_initi(m, "ax", 1, &ax);
		m_node(m, "Slice", "slice", "s1 st en ax", "sl");
	}
	if (opset < 18) {
		n = m_node(m, "ReduceMean", "rm", "sl", "y");
		m_ais(m, n, "axes", 2, axes);
	} else {
		m_initi(m, "axes", 2, axes);
		n = m_node(m, "ReduceMean", "rm", "sl axes", "y");
	}
	m_ai(m, n, "keepdims", 0);
	m_output(m, "y");
	m_output(m, "s0");
	return ok(m);
}

static void test_opset_variants(void **state)
{
	(void)state;
	int opsets[] = {9, 10, 11, 13, 18};
	for (size_t i = 0; i < sizeof opsets / sizeof opsets[0]; i++) {
		Graph *g = variants(opsets[i]);
		const Op *c = op_of(g, "clip");
		assert_int_equal(c->act, ACT_CLIP);
		assert_float_equal(c->alpha, 0, 0);
		assert_float_equal(c->beta, 6, 0);
		const Op *p = op_of(g, "pad");
		assert_int_equal(p->win.pt, 1);
		assert_int_equal(p->win.pl, 2);
		assert_int_equal(p->win.pb, 3);
		assert_int_equal(p->win.pr, 4);
		assert_shape(shape_of(g, "pad"), 1, 8, 10, 12);
		assert_shape(shape_of(g, "split"), 1, 2, 10, 12);
		assert_shape(shape_of(g, "s1"), 1, 6, 10, 12);
		const Op *s = op_of(g, "slice");
		assert_int_equal(s->kind, OP_SLICE);
		assert_int_equal(s->axis, 2);
		assert_int_equal(s->start, 1);
		assert_int_equal(s->end, 9);
		assert_shape(shape_of(g, "slice"), 1, 6, 8, 12);
		assert_int_equal(op_of(g, "rm")->kind, OP_GAVGPOOL);
		ir_free(g);
	}
}

static void test_gemm_layout(void **state)
{
	(void)state;
	int64_t x[2] = {1, 2}, bd[2] = {2, 3}, three = 3;
	float b[6] = {1, 2, 3, 4, 5, 6}, c[3] = {1, 1, 1};
	M *m = m_new(13);
	m_input(m, "x", 2, x);
	m_initf(m, "b", 2, bd, b, false);
	m_initf(m, "c", 1, &three, c, false);
	Onnx__NodeProto *n = m_node(m, "Gemm", "fc", "x b c", "y");
	m_af(m, n, "alpha", 2);
	m_af(m, n, "beta", 0.5f);
	m_node(m, "MatMul", "mm", "x b", "z");
	m_output(m, "y");
	m_output(m, "z");
	Graph *g = ok(m);
	/* weights [nout][nin]: w[o][i] = alpha b[i][o] */
	const Op *f = op_of(g, "fc");
	assert_float_equal(g->consts[f->weight].fdata[0 * 2 + 1], 2 * 4, 0);
	assert_float_equal(g->consts[f->weight].fdata[2 * 2 + 0], 2 * 3, 0);
	assert_float_equal(g->consts[f->bias].fdata[1], 0.5, 0);
	const Op *mm = op_of(g, "mm");
	assert_float_equal(g->consts[mm->weight].fdata[1 * 2 + 1], 5, 0);
	assert_shape(shape_of(g, "mm"), 1, 3, 1, 1);
	ir_free(g);
}

static void test_more_ops(void **state)
{
	(void)state;
	int64_t x[4] = {1, 4, 6, 6}, ax[1] = {0};
	M *m = m_new(11);
	m_input(m, "x", 4, x);
	m_input(m, "z", 4, x);
	Onnx__NodeProto *n = m_node(m, "Concat", "cat_h", "x z", "a"); /* not channels */
	m_ai(m, n, "axis", 2);
	m_node(m, "Sum", "sum", "x z x", "b");
	n = m_node(m, "Unsqueeze", "unsq", "b", "c");
	m_ais(m, n, "axes", 1, ax);
	n = m_node(m, "Squeeze", "sq", "c", "d");
	m_ais(m, n, "axes", 1, ax);
	n = m_node(m, "Clip", "clip", "d - -", "e"); /* no bounds */
	m_node(m, "Dropout", "drop", "e", "f");
	m_output(m, "a");
	m_output(m, "f");
	Graph *g = ok(m);
	const Op *cat = op_of(g, "cat_h");
	assert_int_equal(cat->kind, OP_OPAQUE);
	assert_int_equal(g->tensors[cat->out[0]].bytes, 4 * 12 * 6);
	assert_int_equal(op_of(g, "sum")->nin, 3);
	assert_string_equal(merged_to(g, "unsq"), "sum");
	assert_string_equal(merged_to(g, "drop"), "clip");
	assert_true(op_of(g, "clip")->beta > 1e30f);
	assert_true(g->tensors[ir_find(g, "clip")].output);
	/* the NPU refuses the ONNX-only ops, in one message */
	Err e;
	assert_int_equal(pipeline_npu_check(g, "m.onnx", true, &e), -1);
	assert_string_equal(e.msg, "m.onnx: the NPU cannot run: Concat (cat_h), Clip (clip)");
	/* before quantization, Clips may yet be fused */
	assert_int_equal(pipeline_npu_check(g, "m.onnx", false, &e), -1);
	assert_string_equal(e.msg, "m.onnx: the NPU cannot run: Concat (cat_h)");
	ir_free(g);

	m = m_new(13);
	m_input(m, "x", 2, (int64_t[]){3, 2});
	m_initf(m, "b", 2, (int64_t[]){3, 2}, NULL, false);
	n = m_node(m, "Gemm", "fc", "x b", "y");
	m_ai(m, n, "transA", 1);
	m_output(m, "y");
	g = ok(m); /* what the IR cannot express: opaque, its dims inferred */
	assert_int_equal(op_of(g, "fc")->kind, OP_OPAQUE);
	assert_int_equal(g->tensors[ir_find(g, "fc")].bytes, 2 * 2);
	ir_free(g);

	m = m_new(13);
	m_input(m, "x", 4, x);
	m_input(m, "z", 4, (int64_t[]){1, 1, 6, 6});
	m_node(m, "Add", "add", "x z", "y");
	m_output(m, "y");
	g = ok(m);
	assert_int_equal(op_of(g, "add")->kind, OP_OPAQUE);
	assert_shape(shape_of(g, "add"), 1, 4, 6, 6);
	ir_free(g);

	m = m_new(13);
	m_input(m, "x", 4, x);
	m_initi(m, "pads", 8, (int64_t[]){0, 1, 0, 0, 0, 0, 0, 0});
	m_node(m, "Pad", "pad", "x pads", "y");
	m_output(m, "y");
	g = ok(m);
	assert_int_equal(op_of(g, "pad")->kind, OP_OPAQUE);
	assert_shape(shape_of(g, "pad"), 1, 5, 6, 6);
	ir_free(g);

	m = m_new(13);
	m_input(m, "x", 4, x);
	m_initi(m, "s", 1, (int64_t[]){5});
	m_initi(m, "e", 1, (int64_t[]){1});
	m_initi(m, "a", 1, (int64_t[]){2});
	m_initi(m, "st", 1, (int64_t[]){-1});
	m_node(m, "Slice", "slice", "x s e a st", "y");
	m_output(m, "y");
	g = ok(m);
	assert_int_equal(op_of(g, "slice")->kind, OP_OPAQUE);
	assert_shape(shape_of(g, "slice"), 1, 4, 4, 6);
	ir_free(g);

	/* two axes: two slices, the last named after the node */
	m = m_new(13);
	m_input(m, "x", 4, x);
	m_initi(m, "s", 2, (int64_t[]){1, 0});
	m_initi(m, "e", 2, (int64_t[]){3, 5});
	m_initi(m, "a", 2, (int64_t[]){1, 3});
	m_initi(m, "st", 2, (int64_t[]){1, 2});
	m_node(m, "Slice", "slice", "x s e a st", "y");
	m_output(m, "y");
	g = ok(m);
	assert_int_equal(g->nops, 3);
	assert_shape(shape_of(g, "slice.1"), 1, 2, 6, 6);
	assert_shape(shape_of(g, "slice"), 1, 2, 6, 3);
	assert_int_equal(op_of(g, "slice")->step, 2);
	ir_free(g);
}

/* Refusals name nodes whole, however long (PyTorch's names run to 60
 * characters and more); what does not fit whole is left out. */
static void test_names_whole(void **state)
{
	(void)state;
	char names[6][200];
	M *m = m_new(13);
	m_input(m, "x", 2, (int64_t[]){1, 4});
	const char *prev = "x";
	for (int k = 0; k < 6; k++) {
		snprintf(names[k], sizeof names[k], "/features/features.%d/block/block.2/%0150d/Softmax",
			 k, 0);
		char out[8];
		snprintf(out, sizeof out, "s%d", k);
		m_node(m, k < 3 ? "Softmax" : k < 5 ? "LogSoftmax" : "Hardmax", names[k], prev, out);
		m_value_info(m, out, 2, (int64_t[]){1, 4});
		prev = m->g.node[k]->output[0];
	}
	m_output(m, prev);
	Graph *g = ok(m);
	Err e;
	assert_int_equal(pipeline_npu_check(g, "m.onnx", true, &e), -1);
	for (int k = 0; k < 4; k++)
		if (!strstr(e.msg, names[k]))
			fail_msg("'%s' lacks '%s'", e.msg, names[k]);
	/* the sixth does not fit: left out whole, and said so */
	assert_null(strstr(e.msg, "features.5"));
	assert_non_null(strstr(e.msg, " ..."));
	ir_free(g);

	/* the importer's own refusals too */
	char node[300], in[300], want[700];
	snprintf(node, sizeof node, "/layer4/%0240d/Conv", 1);
	snprintf(in, sizeof in, "/layer3/%0240d/Relu_output_0", 2);
	m = m_new(13);
	m_input(m, "x", 4, X4);
	m_node(m, "Relu", node, in, "y");
	m_output(m, "y");
	snprintf(want, sizeof want, "t.onnx: node %s (Relu): input '%s' is not defined", node, in);
	bad(m, want);
}

/* ---- bad input ---- */

static M *one_conv(int opset)
{
	M *m = m_new(opset);
	int64_t wd[4] = {2, 4, 1, 1};
	m_input(m, "x", 4, X4);
	m_initf(m, "w", 4, wd, NULL, false);
	m_node(m, "Conv", "conv", "x w", "y");
	m_output(m, "y");
	return m;
}

static void test_bad_files(void **state)
{
	(void)state;
	Err e;
	uint8_t junk[] = "this is not a protobuf at all\xff\xff\xff";
	assert_null(onnx_import_mem("t.onnx", junk, sizeof junk, NULL, &e));
	assert_non_null(strstr(e.msg, "t.onnx: not an ONNX model"));
	assert_null(onnx_import_mem("t.onnx", junk, 0, NULL, &e));
	assert_non_null(strstr(e.msg, "empty"));
	/* every truncation of a good model: an error or a model, never a crash */
	M *m = one_conv(13);
	size_t len;
	uint8_t *b = m_pack(m, &len);
	m_free(m);
	for (size_t n = 0; n < len; n++) {
		Graph *g = onnx_import_mem("t.onnx", b, n, NULL, &e);
		ir_free(g);
	}
	assert_null(onnx_import_mem("t.onnx", b, len - 3, NULL, &e));
	free(b);
	assert_null(onnx_import("/nonexistent/x.onnx", NULL, &e));
}

/* --input-shape: dims for inputs the file leaves symbolic or unset; the
 * file's static dims must agree. */
static void test_input_shape(void **state)
{
	(void)state;
	OnnxOpts o = {0};
	Err e;
	assert_int_equal(onnx_input_shape(&o, "x=2x4x8x8", &e), 0);
	assert_int_equal(o.nshapes, 1);
	assert_string_equal(o.shape[0].name, "x");
	assert_int_equal(o.shape[0].rank, 4);
	assert_int_equal(o.shape[0].dims[0], 2);
	assert_int_equal(onnx_input_shape(&o, "a=b=1", &e), 0); /* the last '=' separates */
	assert_string_equal(o.shape[1].name, "a=b");
	const char *bad_args[] = {"x", "=1x2", "y=", "y=1x", "y=0", "y=1xx2", "y=-1", "y=1x2a",
				  "y=1x1x1x1x1x1x1x1x1", "y=16777217", "x=1"};
	const char *why[] = {"expected NAME=DIMS", "expected NAME=DIMS", "dims are 1 to",
			     "dims are 1 to", "dims are 1 to", "dims are 1 to", "dims are 1 to",
			     "expected NAME=DIMS", "at most 8", "dims are 1 to", "given twice"};
	for (size_t k = 0; k < sizeof bad_args / sizeof *bad_args; k++) {
		assert_int_equal(onnx_input_shape(&o, bad_args[k], &e), -1);
		if (!strstr(e.msg, why[k]) || !strstr(e.msg, bad_args[k]))
			fail_msg("%s: %s", bad_args[k], e.msg);
	}
	assert_int_equal(o.nshapes, 2);

	/* a symbolic batch dim, given */
	OnnxOpts x = {0};
	assert_int_equal(onnx_input_shape(&x, "x=2x4x8x8", &e), 0);
	M *m = one_conv(13);
	m->g.input[0] = m_vi(m, "x", 4, X4, "N");
	Graph *g = m_import_opts(m, &x, &e);
	if (!g)
		fail_msg("%s", e.msg);
	assert_shape(shape_of(g, "conv"), 2, 2, 8, 8);
	ir_free(g);
	/* no shape at all in the file */
	m = one_conv(13);
	m->g.input[0] = m_vi(m, "x", -1, NULL, NULL);
	g = m_import_opts(m, &x, &e);
	assert_non_null(g);
	assert_shape(shape_of(g, "x"), 2, 4, 8, 8);
	ir_free(g);
	/* what contradicts the file's static dims or rank; a name that is no input */
	OnnxOpts y = {0}, z = {0}, w = {0}, v = {0};
	assert_int_equal(onnx_input_shape(&y, "x=2x5x8x8", &e), 0);
	m = one_conv(13);
	m->g.input[0] = m_vi(m, "x", 4, X4, "N");
	assert_null(m_import_opts(m, &y, &e));
	assert_string_equal(e.msg, "t.onnx: input x: --input-shape gives dim 1 as 5, the file as 4");
	assert_int_equal(onnx_input_shape(&z, "x=4x8x8", &e), 0);
	m = one_conv(13);
	m->g.input[0] = m_vi(m, "x", 4, X4, "N");
	assert_null(m_import_opts(m, &z, &e));
	assert_string_equal(e.msg, "t.onnx: input x: --input-shape gives 3 dims, the file 4");
	assert_int_equal(onnx_input_shape(&w, "input.1=1x4x8x8", &e), 0);
	assert_null(m_import_opts(one_conv(13), &w, &e));
	assert_string_equal(e.msg, "t.onnx: --input-shape input.1: the graph has no input 'input.1'");
	assert_int_equal(onnx_input_shape(&v, "w=2x4x1x1", &e), 0);
	m = one_conv(13);
	m_input(m, "w", 4, (int64_t[]){2, 4, 1, 1});
	assert_null(m_import_opts(m, &v, &e));
	assert_string_equal(e.msg, "t.onnx: --input-shape w: the graph has no input 'w' (it is an "
				   "initializer: a constant)");
}

static void test_bad_graphs(void **state)
{
	(void)state;
	M *m = one_conv(13);
	m->g.input[0] = m_vi(m, "x", 4, X4, "N");
	bad(m, "t.onnx: input x: dynamic shape (dim 0 is 'N'): give its dims with --input-shape "
	       "x=DIMS");

	m = one_conv(13);
	m->g.input[0] = m_vi(m, "x", -1, NULL, NULL);
	bad(m, "t.onnx: input x: no static shape");

	/* static dims out of range are not called dynamic */
	const int64_t wrong[3] = {0, -3, (int64_t)1 << 31};
	const char *said[3] = {"input x: dim 2 is 0 (1 to 16777216)", "input x: dim 2 is -3 (",
			       "input x: dim 2 is 2147483648 ("};
	for (int k = 0; k < 3; k++) {
		m = one_conv(13);
		m->g.input[0] = m_vi(m, "x", 4, (int64_t[]){1, 4, wrong[k], 8}, NULL);
		bad(m, said[k]);
	}
	m = one_conv(13);
	m->g.input[0] = m_vi(m, "x", 4, X4, NULL);
	m->g.input[0]->type->tensor_type->shape->dim[3]->value_case =
		ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE__NOT_SET;
	bad(m, "input x: dynamic shape (dim 3 unknown)");

	m = one_conv(13);
	m->g.input[0]->type->tensor_type->has_elem_type = true;
	m->g.input[0]->type->tensor_type->elem_type = ONNX__TENSOR_PROTO__DATA_TYPE__STRING;
	bad(m, "t.onnx: input x: element type 8 is not a number type");

	m = one_conv(13);
	m->g.n_output = 0;
	bad(m, "t.onnx: the graph has no outputs");

	/* a corrupted name: escaped in the message, not echoed as raw bytes */
	m = one_conv(13);
	m_node(m, "Foo", "s\xff\xfem\x1b", "y", "z");
	bad(m, "t.onnx: node s\\xff\\xfem_ (Foo): the shape of output 'z' is not known here");
	m = one_conv(13);
	m_node(m, "Relu", "r", "y\xc3", "z");
	bad(m, "node r (Relu): input 'y\\xc3' is not defined");

	m = one_conv(13);
	m->g.n_initializer = 0;
	bad(m, "node conv (Conv): input 'w' is not defined");

	m = one_conv(13);
	m->g.n_initializer = 0;
	int64_t wd[4] = {2, 4, 1, 1};
	m_input(m, "w", 4, wd); /* weights as an input, not an initializer */
	bad(m, "node conv (Conv): weights 'w' must be an initializer");

	m = one_conv(6);
	bad(m, "opset 6");
	m = one_conv(19);
	bad(m, "opset 19");

	m = one_conv(13);
	m_node(m, "Relu", "a", "c", "b");
	m_node(m, "Relu", "cyc", "b", "c");
	bad(m, "is on a cycle");

	m = one_conv(13);
	m_node(m, "Relu", "conv", "y", "z"); /* a second node named conv */
	bad(m, "conv (Relu): duplicate node name");

	m = one_conv(13);
	m_node(m, "Relu", "r", "y", "y");
	bad(m, "output 'y' is defined twice");

	m = one_conv(13);
	Onnx__NodeProto *n = m_node(m, "Foo", "foo", "y", "z");
	n->domain = "com.example";
	bad(m, "t.onnx: node foo (Foo): the shape of output 'z' is not known here (a custom op), "
	       "and the file does not state it");

	m = one_conv(13);
	n = m_node(m, "Relu", "noout", "y", "z");
	n->n_output = 0; /* named, but making nothing */
	bad(m, "node noout (Relu): no output");

	m = one_conv(13);
	for (int k = 0; k < 4; k++)
		m_initf(m, (const char *[]){"s", "b", "mu", "var"}[k], 1, (int64_t[]){2}, NULL, false);
	n = m_node(m, "BatchNormalization", "bn", "y s b mu var", "z");
	m_ai(m, n, "training_mode", 1);
	bad(m, "node bn (BatchNormalization): training_mode=1");

	m = one_conv(13);
	m_node(m, "MyOp", "mine", "y", "z");
	bad(m, "t.onnx: node mine (MyOp): the shape of output 'z' is not known here (an op shape "
	       "inference does not know), and the file does not state it");
	m = one_conv(13);
	m_node(m, "NonZero", "nz", "y", "z");
	bad(m, "node nz (NonZero): the shape of output 'z' is not known here");

	m = one_conv(13);
	m->g.initializer[0]->n_float_data--; /* one value short */
	bad(m, "initializer w: 7 float values for 8 elements");

	m = one_conv(13);
	m->g.initializer[0]->has_data_location = true;
	m->g.initializer[0]->data_location = ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL;
	bad(m, "external data");

	m = one_conv(13);
	m->g.n_initializer = 0;
	m_initf(m, "w", 4, (int64_t[]){2, 3, 1, 1}, NULL, false);
	bad(m, "node conv (Conv): weights 2x3 with 1 groups do not fit 4 input channels");

	/* NaN and Inf weights, as float_data and as raw_data */
	m = one_conv(13);
	m->g.initializer[0]->float_data[3] = NAN;
	bad(m, "t.onnx: node conv (Conv): weights 'w': element 3 is NaN (weights must be finite)");
	m = one_conv(13);
	m->g.n_initializer = 0;
	m_initf(m, "w", 4, (int64_t[]){2, 4, 1, 1}, (const float[]){1, 2, 3, 4, 5, 6, 7, -INFINITY},
		true);
	bad(m, "node conv (Conv): weights 'w': element 7 is Inf");
	m = m_new(13);
	m_input(m, "x", 4, X4);
	m_initf(m, "w", 4, (int64_t[]){2, 4, 1, 1}, NULL, false);
	m_initf(m, "b", 1, (int64_t[]){2}, (const float[]){0, INFINITY}, false);
	m_node(m, "Conv", "conv", "x w b", "y");
	m_output(m, "y");
	bad(m, "node conv (Conv): bias 'b': element 1 is Inf");

	m = one_conv(13);
	m_output(m, "nothere");
	bad(m, "graph output 'nothere' is not defined");

	m = one_conv(13);
	m_value_info(m, "y", 4, (int64_t[]){1, 2, 9, 9});
	bad(m, "node conv (Conv): output 'y' is 1x2x8x8 here but 1x2x9x9 in the file");
}

/* An op outside the list is opaque when the file states its shape. */
static void test_opaque_with_value_info(void **state)
{
	(void)state;
	M *m = one_conv(13);
	m_node(m, "Softmax", "sm", "y", "z");
	int64_t d[4] = {1, 2, 8, 8};
	m_value_info(m, "z", 4, d);
	Onnx__NodeProto *n = m_node(m, "Concat", "cat", "z y", "u"); /* read by its dims */
	m_ai(m, n, "axis", 1);
	m_node(m, "GlobalAveragePool", "gap", "u", "v");
	m_output(m, "v");
	Graph *g = ok(m);
	const Op *o = op_of(g, "sm");
	assert_int_equal(o->kind, OP_OPAQUE);
	assert_int_equal(g->tensors[o->out[0]].bytes, 128);
	assert_string_equal(o->otype, "Softmax");
	assert_shape(shape_of(g, "cat"), 1, 4, 8, 8);
	assert_shape(shape_of(g, "gap"), 1, 4, 1, 1);
	ir_free(g);
}

static int64_t bytes_of(const Graph *g, const char *name)
{
	int t = ir_find(g, name);
	if (t < 0)
		fail_msg("no tensor %s", name);
	return g->tensors[t].bytes;
}

/* Exporters rarely write value_info: the ops the IR has no kind for get
 * their dims by ONNX's shape rules.  A custom op still needs them stated;
 * a stated shape that contradicts the inferred one names the node. */
static void test_shape_inference(void **state)
{
	(void)state;
	M *m = m_new(13);
	m_input(m, "x", 4, X4);
	Onnx__NodeProto *n = m_node(m, "LRN", "lrn", "x", "l");
	m_ai(m, n, "size", 3);
	m_node(m, "Softmax", "sm", "l", "s");
	m_node(m, "Tanh", "tanh", "s", "t");
	m_initi(m, "ax1", 1, (int64_t[]){1});
	n = m_node(m, "ReduceSum", "rsum", "t ax1", "rs");
	m_ai(m, n, "keepdims", 0);
	n = m_node(m, "ArgMax", "amax", "t", "am");
	m_ai(m, n, "axis", 3);
	m_initi(m, "k3", 1, (int64_t[]){3});
	m_node(m, "TopK", "topk", "t k3", "tv ti");
	m_node(m, "MatMul", "bmm", "t t", "mm");
	m_initf(m, "sc", 1, (int64_t[]){4}, (float[]){1, 1, 2, 2}, false);
	m_node(m, "Resize", "resize", "x - sc", "rz");
	m_initi(m, "eshape", 4, (int64_t[]){2, 1, 8, 8});
	m_node(m, "Expand", "expand", "rs eshape", "ex");
	m_initi(m, "reps", 4, (int64_t[]){1, 2, 1, 1});
	m_node(m, "Tile", "tile", "x reps", "ti2");
	m_initi(m, "idx", 2, (int64_t[]){0, 2});
	n = m_node(m, "Gather", "gather", "x idx", "ga");
	m_ai(m, n, "axis", 1);
	n = m_node(m, "DepthToSpace", "d2s", "x", "ds");
	m_ai(m, n, "blocksize", 2);
	m_initf(m, "wt", 4, (int64_t[]){4, 2, 3, 3}, NULL, false);
	n = m_node(m, "ConvTranspose", "ct", "x wt", "ctr");
	m_ais(m, n, "strides", 2, (int64_t[]){2, 2});
	m_ais(m, n, "pads", 4, (int64_t[]){1, 1, 1, 1});
	m_ais(m, n, "output_padding", 2, (int64_t[]){1, 1});
	m_initi(m, "pads", 8, (int64_t[]){0, 0, 1, 1, 0, 0, 1, 1});
	n = m_node(m, "Pad", "reflect", "x pads", "pr");
	m_as(m, n, "mode", "reflect");
	m_node(m, "Greater", "gt", "x l", "cond");
	m_node(m, "Where", "where", "cond x s", "wh");
	n = m_node(m, "Custom", "cu", "x", "cuo");
	n->domain = "com.example";
	m_value_info(m, "cuo", 2, (int64_t[]){1, 7});
	const char *outs[] = {"am", "tv", "ti", "mm", "rz", "ex", "ti2", "ga", "ds", "ctr", "pr",
			      "wh", "cuo"};
	for (size_t k = 0; k < sizeof outs / sizeof *outs; k++)
		m_output(m, outs[k]);
	assert_int_equal(m->g.n_value_info, 1); /* the custom op's only */
	Graph *g = ok(m);
	static const struct {
		const char *op;
		int64_t bytes;
	} want[] = {
		{"lrn", 256},   {"sm", 256},     {"tanh", 256},   {"rsum", 64},     {"amax", 32},
		{"topk", 96},   {"topk.ti", 96}, {"bmm", 256},    {"resize", 1024}, {"expand", 128},
		{"tile", 512},  {"gather", 128}, {"d2s", 256},    {"ct", 512},      {"reflect", 400},
		{"gt", 256},    {"where", 256},  {"cu", 7},
	};
	for (size_t k = 0; k < sizeof want / sizeof *want; k++) {
		if (bytes_of(g, want[k].op) != want[k].bytes)
			fail_msg("%s: %lld bytes, want %lld", want[k].op,
				 (long long)bytes_of(g, want[k].op), (long long)want[k].bytes);
		assert_int_equal(op_of(g, want[k].op)->kind, OP_OPAQUE);
	}
	assert_shape(shape_of(g, "ct"), 1, 2, 16, 16);
	assert_shape(shape_of(g, "resize"), 1, 4, 16, 16);
	ir_free(g);

	/* stated, and contradicting */
	m = m_new(13);
	m_input(m, "x", 4, X4);
	m_node(m, "LRN", "lrn", "x", "l");
	m_value_info(m, "l", 4, (int64_t[]){1, 4, 8, 9});
	m_output(m, "l");
	bad(m, "t.onnx: node lrn (LRN): output 'l' is 1x4x8x8 here but 1x4x8x9 in the file");
	/* what does not broadcast */
	m = m_new(13);
	m_input(m, "x", 4, X4);
	m_input(m, "z", 2, (int64_t[]){3, 8});
	m_node(m, "Pow", "pow", "x z", "y");
	m_output(m, "y");
	bad(m, "node pow (Pow): input 'z' does not broadcast: dim 2 is 3, not 8 or 1");
	/* a shape that is no constant: the file must say */
	m = m_new(13);
	m_input(m, "x", 4, X4);
	m_input(m, "r", 1, (int64_t[]){4});
	m_node(m, "Tile", "tile", "x r", "y");
	m_output(m, "y");
	bad(m, "node tile (Tile): the shape of output 'y' is not known here (its repeats, input 1, "
	       "is no constant), and the file does not state it");
	/* dims out of range from a file's numbers: one line, no overflow */
	m = m_new(13);
	m_input(m, "x", 4, X4);
	m_initi(m, "sh", 4, (int64_t[]){-5, 1, 8, 8});
	m_node(m, "Expand", "ex", "x sh", "y");
	m_output(m, "y");
	bad(m, "node ex (Expand): output 'y': dim 0 would be -5 (0 to 16777216)");
	m = m_new(13);
	m_input(m, "x", 4, X4);
	m_initf(m, "sc", 1, (int64_t[]){4}, (float[]){1, 1, 1e30f, 1}, false);
	m_node(m, "Resize", "rz", "x - sc", "y");
	m_output(m, "y");
	bad(m, "node rz (Resize): output dim 2 would be 8e+30");
	m = m_new(13);
	m_input(m, "x", 4, X4);
	m_initi(m, "pads", 8, (int64_t[]){0, 0, INT64_MAX, 0, 0, 0, INT64_MAX, 0});
	n = m_node(m, "Pad", "pad", "x pads", "y");
	m_as(m, n, "mode", "edge");
	m_output(m, "y");
	bad(m, "node pad (Pad): pads out of range");
	m = m_new(13);
	m_input(m, "x", 4, X4);
	m_initf(m, "w", 4, (int64_t[]){4, 2, 3, 3}, NULL, false);
	n = m_node(m, "ConvTranspose", "ct", "x w", "y");
	m_ais(m, n, "strides", 2, (int64_t[]){INT64_MAX, 1});
	m_output(m, "y");
	bad(m, "node ct (ConvTranspose): kernel, strides, dilations or pads out of range");
}

/* Nodes out of order are sorted; a sorted file keeps its order. */
static void test_any_order(void **state)
{
	(void)state;
	int64_t wd[4] = {2, 4, 1, 1};
	M *m = m_new(13);
	m_input(m, "x", 4, X4);
	m_initf(m, "w", 4, wd, NULL, false);
	m_node(m, "Add", "add", "r1 r2", "y");
	m_node(m, "Relu", "r2", "c", "r2");
	m_node(m, "MaxPool", "r1", "c", "r1");
	m->g.node[2]->n_attribute = 0;
	m_ais(m, m->g.node[2], "kernel_shape", 2, (int64_t[]){1, 1});
	m_node(m, "Conv", "c", "x w", "c");
	m_output(m, "y");
	Graph *g = ok(m);
	assert_int_equal(g->nops, 5);
	assert_string_equal(g->ops[1].name, "c");
	assert_string_equal(g->ops[4].name, "add");
	ir_free(g);
}

/* ---- export ---- */

static void test_zoo_round_trip(void **state)
{
	(void)state;
	char path[] = "/tmp/serenity-test-onnx-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	const char *nets[] = {"swiftnet-hpd", "darts-imagenet"};
	for (int i = 0; i < 2; i++) {
		Err e;
		Graph *z = zoo_build(nets[i], &e);
		assert_non_null(z);
		assert_int_equal(onnx_export(z, path, &e), 0);
		Graph *g = onnx_import(path, NULL, &e);
		if (!g)
			fail_msg("%s", e.msg);
		assert_int_equal(g->nops, z->nops);
		for (int o = 0; o < z->nops; o++) {
			int t = ir_find(g, z->ops[o].name);
			assert_true(t >= 0);
			const Op *p = &g->ops[g->tensors[t].producer];
			assert_int_equal(p->kind, z->ops[o].kind);
			assert_int_equal(p->relu, z->ops[o].relu);
			assert_int_equal(g->tensors[t].bytes, z->tensors[z->ops[o].out[0]].bytes);
			assert_int_equal(g->tensors[t].output, z->tensors[z->ops[o].out[0]].output);
			assert_int_equal(p->macs, z->ops[o].macs);
		}
		/* and again: the float weights survive export and import */
		assert_int_equal(onnx_export(g, path, &e), 0);
		Graph *h = onnx_import(path, NULL, &e);
		assert_non_null(h);
		for (int c = 0; c < g->nconsts; c++) {
			assert_non_null(g->consts[c].fdata);
			assert_memory_equal(g->consts[c].fdata, h->consts[c].fdata,
					    g->consts[c].count * sizeof(float));
		}
		ir_free(h);
		ir_free(g);
		ir_free(z);
	}
	remove(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conv_shapes),
		cmocka_unit_test(test_pool_shapes),
		cmocka_unit_test(test_bn_folded_into_conv),
		cmocka_unit_test(test_bn_elsewhere_depthwise),
		cmocka_unit_test(test_views_and_shape_folding),
		cmocka_unit_test(test_constant_folding),
		cmocka_unit_test(test_typed_initializers),
		cmocka_unit_test(test_lazy_weights),
		cmocka_unit_test(test_reshape_copy),
		cmocka_unit_test(test_pad_folded_into_reader),
		cmocka_unit_test(test_crop_folded_into_conv),
		cmocka_unit_test(test_channel_shuffle),
		cmocka_unit_test(test_elementwise_ops),
		cmocka_unit_test(test_repeated_inputs),
		cmocka_unit_test(test_opset_variants),
		cmocka_unit_test(test_gemm_layout),
		cmocka_unit_test(test_more_ops),
		cmocka_unit_test(test_names_whole),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_input_shape),
		cmocka_unit_test(test_bad_graphs),
		cmocka_unit_test(test_opaque_with_value_info),
		cmocka_unit_test(test_shape_inference),
		cmocka_unit_test(test_any_order),
		cmocka_unit_test(test_zoo_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
