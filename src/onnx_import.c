/* onnx_import.c: reads an ONNX model, sorts its nodes, folds constants.
 *
 * The file is decoded with protobuf-c from the project's subset of ONNX's
 * messages (src/onnx/onnx.proto).  Then:
 *  1. values: initializers become constants (float, float16, bfloat16 and
 *     double as float; integers of 8 to 64 bits as int64; raw_data and the
 *     typed fields both), graph inputs that are no
 *     initializer become OP_INPUT activations, with static dims required;
 *  2. the nodes are sorted topologically (ONNX asks for it, but any order is
 *     accepted): an iterative depth-first search in file order, so a sorted
 *     file keeps its order, and a node met again while still open is on a
 *     cycle;
 *  3. each node, in that order, is either folded (all its inputs constant,
 *     or Shape of anything: Constant, ConstantOfShape, Shape, Gather,
 *     Concat, Unsqueeze, Squeeze, Cast, Slice, Reshape, Flatten, Identity,
 *     and Add/Sub/Mul/Div: enough for PyTorch's x.view(x.size(0), -1); and
 *     DequantizeLinear, for QDQ models' int8 weights), or
 *     lowered to the IR (onnx_lower.c);
 *  4. the graph outputs are marked, and the graph linked and verified.
 * Nodes folded away are listed in Graph.merged for `schedule --json`.
 */
#include "onnx_import.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graphfile.h"
#include "onnx_impl.h"

/* ---- helpers shared with onnx_lower.c ---- */

int ox_fail(Ctx *c, const char *fmt, ...)
{
	char msg[NERRMSG];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (c->node)
		err_set(c->e, "%s: node %s (%s): %s", c->file, c->nname,
			c->node->op_type ? c->node->op_type : "?", msg);
	else
		err_set(c->e, "%s: %s", c->file, msg);
	return -1;
}

Value *ox_find(Ctx *c, const char *name)
{
	int v = strmap_get(&c->byname, name);
	return v < 0 ? NULL : &c->vals[v];
}

Value *ox_in(Ctx *c, int k)
{
	if (k >= (int)c->node->n_input || !c->node->input[k][0])
		return NULL;
	return ox_find(c, c->node->input[k]);
}

const Onnx__AttributeProto *ox_attr(const Onnx__NodeProto *n, const char *name)
{
	for (size_t i = 0; i < n->n_attribute; i++)
		if (n->attribute[i]->name && strcmp(n->attribute[i]->name, name) == 0)
			return n->attribute[i];
	return NULL;
}

int64_t ox_attr_i(const Onnx__NodeProto *n, const char *name, int64_t def)
{
	const Onnx__AttributeProto *a = ox_attr(n, name);
	return a && a->has_i ? a->i : def;
}

float ox_attr_f(const Onnx__NodeProto *n, const char *name, float def)
{
	const Onnx__AttributeProto *a = ox_attr(n, name);
	return a && a->has_f ? a->f : def;
}

int ox_attr_ints(const Onnx__NodeProto *n, const char *name, int64_t *out, int max)
{
	const Onnx__AttributeProto *a = ox_attr(n, name);
	if (!a)
		return -1;
	for (size_t i = 0; i < a->n_ints && (int)i < max; i++)
		out[i] = a->ints[i];
	return a->n_ints > (size_t)max ? max + 1 : (int)a->n_ints;
}

bool ox_attr_is(const Onnx__NodeProto *n, const char *name, const char *s, bool def)
{
	const Onnx__AttributeProto *a = ox_attr(n, name);
	if (!a || !a->has_s)
		return def;
	return a->s.len == strlen(s) && memcmp(a->s.data, s, a->s.len) == 0;
}

void ox_merge(Ctx *c, const char *node, const char *op)
{
	Graph *g = c->g;
	if (2 * g->nmerged + 2 > c->capmerged) {
		int cap = c->capmerged ? 2 * c->capmerged : 32;
		g->merged = arena_grow(g->arena, g->merged, sizeof *g->merged, 2 * g->nmerged, cap);
		c->capmerged = cap;
	}
	g->merged[2 * g->nmerged] = arena_strdup(g->arena, node);
	g->merged[2 * g->nmerged + 1] = op ? arena_strdup(g->arena, op) : NULL;
	g->nmerged++;
}

/* The static dims of vi, or -1 with why saying what is missing or wrong
 * (a symbolic dim, an unset one, a size out of range, no shape at all). */
static int info_dims(const Onnx__ValueInfoProto *vi, int64_t *dims, char *why, size_t n)
{
	snprintf(why, n, "no static shape");
	if (!vi->type || vi->type->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE ||
	    !vi->type->tensor_type || !vi->type->tensor_type->shape)
		return -1;
	const Onnx__TensorShapeProto *s = vi->type->tensor_type->shape;
	if (s->n_dim > NRANK) {
		snprintf(why, n, "rank %zu above %d", s->n_dim, NRANK);
		return -1;
	}
	for (size_t i = 0; i < s->n_dim; i++) {
		const Onnx__TensorShapeProto__Dimension *d = s->dim[i];
		if (d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM) {
			snprintf(why, n, "dynamic shape (dim %zu is '%s')", i, d->dim_param);
			return -1;
		}
		if (d->value_case != ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE) {
			snprintf(why, n, "dynamic shape (dim %zu unknown)", i);
			return -1;
		}
		if (d->dim_value < 1 || d->dim_value > NDIM_MAX) {
			snprintf(why, n, "dim %zu is %lld (1 to %d)", i, (long long)d->dim_value,
				 NDIM_MAX);
			return -1;
		}
		dims[i] = d->dim_value;
	}
	return (int)s->n_dim;
}

int ox_file_dims(Ctx *c, const char *name, int64_t *dims)
{
	int i = strmap_get(&c->vinfo, name);
	char why[NERRMSG / 2];
	return i < 0 ? -1 : info_dims(c->infos[i], dims, why, sizeof why);
}

/* ---- constants ---- */

int64_t ox_f2i(float f)
{
	/* NaN and values out of range would be undefined behaviour to convert */
	return f >= -9.2e18f && f <= 9.2e18f ? (int64_t)f : 0;
}

static int64_t dims_count_max(const int64_t *dims, int rank, int64_t max)
{
	int64_t n = 1;
	for (int i = 0; i < rank; i++)
		if (dims[i] < 0 || !mul_ok_i64(n, dims[i], &n) || n > max)
			return -1;
	return n;
}

static int64_t dims_count(const int64_t *dims, int rank)
{
	return dims_count_max(dims, rank, NCONST_MAX);
}

static void const_alloc(Ctx *c, Value *v, bool isfloat, int64_t count)
{
	v->kind = V_CONST;
	v->isfloat = isfloat;
	v->count = count;
	v->f = NULL;
	v->i = NULL;
	v->lazy = false;
	if (isfloat)
		v->f = arena_newvec(c->g->arena, float, count ? count : 1);
	else
		v->i = arena_newvec(c->g->arena, int64_t, count ? count : 1);
}

static uint64_t le_bytes(const uint8_t *p, int n)
{
	uint64_t x = 0;
	for (int k = n - 1; k >= 0; k--)
		x = x << 8 | p[k];
	return x;
}

/* The data types read, their bytes per element in raw_data, and whether
 * they are floats (read as float: float16 and bfloat16 exactly, double
 * rounded) or integers (read as int64). */
static const struct {
	int dt, size;
	bool isfloat;
} data_types[] = {
	{ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 4, true},
	{ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16, 2, true},
	{ONNX__TENSOR_PROTO__DATA_TYPE__BFLOAT16, 2, true},
	{ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE, 8, true},
	{ONNX__TENSOR_PROTO__DATA_TYPE__INT64, 8, false},
	{ONNX__TENSOR_PROTO__DATA_TYPE__INT32, 4, false},
	{ONNX__TENSOR_PROTO__DATA_TYPE__INT16, 2, false},
	{ONNX__TENSOR_PROTO__DATA_TYPE__UINT16, 2, false},
	{ONNX__TENSOR_PROTO__DATA_TYPE__INT8, 1, false},
	{ONNX__TENSOR_PROTO__DATA_TYPE__UINT8, 1, false},
	{ONNX__TENSOR_PROTO__DATA_TYPE__BOOL, 1, false},
};

/* IEEE half precision to float: every half is a float, exactly. */
static float half_float(uint16_t h)
{
	int e = h >> 10 & 0x1f, m = h & 0x3ff;
	float v = e == 0    ? ldexpf((float)m, -24) /* subnormal */
		  : e == 31 ? (m ? NAN : INFINITY)
			    : ldexpf((float)(m | 0x400), e - 25);
	return h >> 15 ? -v : v;
}

/* Element k of t as its bits (raw_data, int32_data) or value (the others). */
static uint64_t elem_bits(const Onnx__TensorProto *t, int size, int64_t k)
{
	if (t->has_raw_data)
		return le_bytes(t->raw_data.data + size * k, size);
	switch (t->data_type) {
	case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT: {
		uint32_t u;
		memcpy(&u, &t->float_data[k], 4);
		return u;
	}
	case ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE: {
		uint64_t u;
		memcpy(&u, &t->double_data[k], 8);
		return u;
	}
	case ONNX__TENSOR_PROTO__DATA_TYPE__INT64:
		return (uint64_t)t->int64_data[k];
	default: /* the narrower types, in int32_data */
		return (uint32_t)t->int32_data[k];
	}
}

static float float_of(int dt, uint64_t bits)
{
	uint32_t u = (uint32_t)bits;
	float f;
	double d;
	switch (dt) {
	case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16:
		return half_float((uint16_t)bits);
	case ONNX__TENSOR_PROTO__DATA_TYPE__BFLOAT16:
		u = (uint32_t)(uint16_t)bits << 16;
		break;
	case ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE:
		memcpy(&d, &bits, 8);
		return (float)d;
	}
	memcpy(&f, &u, 4);
	return f;
}

static int64_t int_of(int dt, uint64_t bits)
{
	switch (dt) {
	case ONNX__TENSOR_PROTO__DATA_TYPE__INT32:
		return (int32_t)(uint32_t)bits;
	case ONNX__TENSOR_PROTO__DATA_TYPE__INT16:
		return (int16_t)(uint16_t)bits;
	case ONNX__TENSOR_PROTO__DATA_TYPE__UINT16:
		return (uint16_t)bits;
	case ONNX__TENSOR_PROTO__DATA_TYPE__INT8:
		return (int8_t)(uint8_t)bits;
	case ONNX__TENSOR_PROTO__DATA_TYPE__UINT8:
	case ONNX__TENSOR_PROTO__DATA_TYPE__BOOL:
		return (uint8_t)bits;
	}
	return (int64_t)bits;
}

/* How many values t's typed field holds for its data type. */
static size_t typed_count(const Onnx__TensorProto *t)
{
	switch (t->data_type) {
	case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT:
		return t->n_float_data;
	case ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE:
		return t->n_double_data;
	case ONNX__TENSOR_PROTO__DATA_TYPE__INT64:
		return t->n_int64_data;
	}
	return t->n_int32_data;
}

/* A TensorProto's values into v (what names it in messages). */
static int tensor_value(Ctx *c, const Onnx__TensorProto *t, Value *v, const char *what)
{
	if (t->has_data_location && t->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL)
		return ox_fail(c, "%s: external data is not supported", what);
	if (t->n_dims > NRANK)
		return ox_fail(c, "%s: rank %zu above %d", what, t->n_dims, NRANK);
	v->rank = (int)t->n_dims;
	for (int i = 0; i < v->rank; i++)
		v->dims[i] = t->dims[i];
	int64_t n = dims_count(v->dims, v->rank);
	if (n < 0)
		return ox_fail(c, "%s: bad or too large dims", what);
	int dt = t->data_type, ty = -1;
	for (int k = 0; k < (int)(sizeof data_types / sizeof *data_types); k++)
		if (data_types[k].dt == dt)
			ty = k;
	if (ty < 0)
		return ox_fail(c, "%s: data type %d is not supported (floats, and integers of 8 to "
				  "64 bits)",
			       what, dt);
	int size = data_types[ty].size;
	bool isfloat = data_types[ty].isfloat, raw = t->has_raw_data;
	size_t have = raw ? t->raw_data.len / size : typed_count(t);
	if ((raw && t->raw_data.len % size) || have != (size_t)n)
		return ox_fail(c, "%s: %zu %s values for %lld elements", what, have,
			       isfloat ? "float" : "integer", (long long)n);
	const_alloc(c, v, isfloat, n);
	for (int64_t k = 0; k < n; k++) {
		uint64_t bits = elem_bits(t, size, k);
		if (isfloat)
			v->f[k] = float_of(dt, bits);
		else
			v->i[k] = int_of(dt, bits);
	}
	return 0;
}

/* ---- constant folding ---- */

static bool all_const(Ctx *c)
{
	for (int k = 0; k < (int)c->node->n_input; k++) {
		Value *v = ox_in(c, k);
		if (c->node->input[k][0] && (!v || v->kind != V_CONST))
			return false;
	}
	return true;
}

static bool is_op(const Onnx__NodeProto *n, const char *t)
{
	return n->op_type && strcmp(n->op_type, t) == 0;
}

static double cval(const Value *v, int64_t k)
{
	if (v->lazy)
		return v->isfloat ? v->ffill : (double)v->ifill;
	return v->isfloat ? v->f[k] : (double)v->i[k];
}

static int64_t ival(const Value *v, int64_t k)
{
	if (v->lazy)
		return v->isfloat ? ox_f2i(v->ffill) : v->ifill;
	return v->isfloat ? ox_f2i(v->f[k]) : v->i[k];
}

float ox_fval(const Value *v, int64_t k)
{
	return (float)cval(v, k);
}

int64_t ox_ival(const Value *v, int64_t k)
{
	return ival(v, k);
}

/* Element k of x into element j of y, of the same type. */
static void cset(Value *y, int64_t j, const Value *x, int64_t k)
{
	if (y->isfloat)
		y->f[j] = (float)cval(x, k);
	else
		y->i[j] = ival(x, k);
}

/* The output value of the folded node, with dims and room for its values
 * (at most max). */
static Value *fold_out_max(Ctx *c, bool isfloat, const int64_t *dims, int rank, int64_t max)
{
	Value *y = ox_find(c, c->node->output[0]);
	int64_t n = dims_count(dims, rank);
	if (n < 0 || n > max) {
		ox_fail(c, "folded constant too large");
		return NULL;
	}
	const_alloc(c, y, isfloat, n);
	y->rank = rank;
	memcpy(y->dims, dims, rank * sizeof *dims);
	return y;
}

static Value *fold_out(Ctx *c, bool isfloat, const int64_t *dims, int rank)
{
	return fold_out_max(c, isfloat, dims, rank, NFOLD_MAX);
}

/* The output of the folded node: dims, every element the fill value, no
 * elements made (of any size up to NLAZY_CONST_MAX). */
static int fold_lazy(Ctx *c, bool isfloat, const int64_t *dims, int rank, float ffill,
		     int64_t ifill)
{
	Value *y = ox_find(c, c->node->output[0]);
	int64_t n = dims_count_max(dims, rank, NLAZY_CONST_MAX);
	if (n < 0)
		return ox_fail(c, "bad dims, or a constant of more than %lld elements",
			       (long long)NLAZY_CONST_MAX);
	y->kind = V_CONST;
	y->isfloat = isfloat;
	y->count = n;
	y->f = NULL;
	y->i = NULL;
	y->lazy = true;
	y->ffill = isfloat ? ffill : 0;
	y->ifill = isfloat ? 0 : ifill;
	y->rank = rank;
	memcpy(y->dims, dims, rank * sizeof *dims);
	return 0;
}

static int fold_copy(Ctx *c, const Value *x, const int64_t *dims, int rank)
{
	Value xx = *x; /* fold_out may be x itself only when a node reads its own output */
	int64_t n = dims_count_max(dims, rank, NLAZY_CONST_MAX);
	if (n != xx.count)
		return ox_fail(c, "%lld elements cannot take dims of %lld", (long long)xx.count,
			       (long long)n);
	if (xx.lazy)
		return fold_lazy(c, xx.isfloat, dims, rank, xx.ffill, xx.ifill);
	Value *y = fold_out(c, x->isfloat, dims, rank);
	if (!y)
		return -1;
	for (int64_t k = 0; k < y->count; k++)
		cset(y, k, &xx, k);
	return 0;
}

static int fold_constant(Ctx *c)
{
	const Onnx__NodeProto *n = c->node;
	const Onnx__AttributeProto *a;
	Value *y = ox_find(c, n->output[0]);
	if ((a = ox_attr(n, "value")) && a->t)
		return tensor_value(c, a->t, y, "value");
	int64_t one = 1;
	if ((a = ox_attr(n, "value_float")) || (a = ox_attr(n, "value_int"))) {
		bool f = strcmp(a->name, "value_float") == 0;
		if (!(y = fold_out(c, f, &one, 0)))
			return -1;
		if (f)
			y->f[0] = a->f;
		else
			y->i[0] = a->i;
		return 0;
	}
	if ((a = ox_attr(n, "value_floats")) || (a = ox_attr(n, "value_ints"))) {
		bool f = strcmp(a->name, "value_floats") == 0;
		int64_t d = f ? (int64_t)a->n_floats : (int64_t)a->n_ints;
		if (!(y = fold_out(c, f, &d, 1)))
			return -1;
		for (int64_t k = 0; k < d; k++)
			if (f)
				y->f[k] = a->floats[k];
			else
				y->i[k] = a->ints[k];
		return 0;
	}
	return ox_fail(c, "no supported value attribute");
}

static int fold_constant_of_shape(Ctx *c)
{
	Value *s = ox_in(c, 0), fill = {0};
	const Onnx__AttributeProto *a = ox_attr(c->node, "value");
	if (a && a->t) {
		if (tensor_value(c, a->t, &fill, "value"))
			return -1;
		if (fill.count != 1)
			return ox_fail(c, "value must have one element");
	}
	if (!s || s->rank != 1 || s->count > NRANK)
		return ox_fail(c, "shape must be a 1-D constant of at most %d elements", NRANK);
	int64_t dims[NRANK];
	for (int k = 0; k < s->count; k++)
		dims[k] = ival(s, k);
	bool have = a && a->t, isfloat = !have || fill.isfloat;
	/* kept as dims and a value: fc weights of VGG's size schedule without
	 * their 400 MB (ir_materialize makes them for a run) */
	return fold_lazy(c, isfloat, dims, (int)s->count, have && isfloat ? fill.f[0] : 0,
			 have && !isfloat ? fill.i[0] : 0);
}

static int fold_shape(Ctx *c)
{
	Value *x = ox_in(c, 0);
	if (!x || x->kind == V_NONE)
		return ox_fail(c, "no input, or one the importer does not make");
	int64_t r = x->rank, start = ox_attr_i(c->node, "start", 0), end = ox_attr_i(c->node, "end", r);
	start = start < 0 ? start + r : start;
	end = end < 0 ? end + r : end;
	start = start < 0 ? 0 : start > r ? r : start;
	end = end < start ? start : end > r ? r : end;
	int64_t d = end - start;
	Value *y = fold_out(c, false, &d, 1);
	if (!y)
		return -1;
	for (int64_t k = 0; k < d; k++)
		y->i[k] = x->dims[start + k];
	return 0;
}

static int fold_gather(Ctx *c)
{
	Value *x = ox_in(c, 0), *ix = ox_in(c, 1);
	if (!x || !ix || x->rank != 1 || ix->rank > 1 || ox_attr_i(c->node, "axis", 0) != 0)
		return ox_fail(c, "only gathers from 1-D constants are folded");
	Value xx = *x, ii = *ix;
	Value *y = fold_out(c, xx.isfloat, ii.dims, ii.rank);
	if (!y)
		return -1;
	for (int64_t k = 0; k < y->count; k++) {
		int64_t j = ival(&ii, k);
		j = j < 0 ? j + xx.count : j;
		if (j < 0 || j >= xx.count)
			return ox_fail(c, "index %lld out of range", (long long)ival(&ii, k));
		cset(y, k, &xx, j);
	}
	return 0;
}

static int fold_concat(Ctx *c)
{
	int64_t total = 0;
	bool isfloat = false;
	for (int k = 0; k < (int)c->node->n_input; k++) {
		Value *x = ox_in(c, k);
		if (!x || x->rank > 1)
			return ox_fail(c, "only 1-D constants are concatenated");
		total += x->count;
		isfloat |= x->isfloat;
	}
	Value *y = fold_out(c, isfloat, &total, 1);
	if (!y)
		return -1;
	int64_t at = 0;
	for (int k = 0; k < (int)c->node->n_input; k++) {
		Value *x = ox_in(c, k);
		for (int64_t j = 0; j < x->count; j++, at++)
			cset(y, at, x, j);
	}
	return 0;
}

/* Axes of Squeeze/Unsqueeze: attribute before opset 13, input after. */
static int axes_of(Ctx *c, int64_t *axes, int *naxes)
{
	Value *a = ox_in(c, 1);
	if (a) {
		if (a->kind != V_CONST || a->count > NRANK)
			return ox_fail(c, "axes must be a constant of at most %d values", NRANK);
		for (int k = 0; k < a->count; k++)
			axes[k] = ival(a, k);
		*naxes = (int)a->count;
		return 0;
	}
	*naxes = ox_attr_ints(c->node, "axes", axes, NRANK);
	if (*naxes > NRANK)
		return ox_fail(c, "too many axes");
	return 0;
}

/* The dims after Squeeze (unsq false) or Unsqueeze of x's dims. */
int ox_squeeze_dims(Ctx *c, const Value *x, bool unsq, int64_t *dims, int *rank)
{
	int64_t axes[NRANK + 1] = {0};
	int na;
	if (axes_of(c, axes, &na))
		return -1;
	bool mark[2 * NRANK] = {0};
	int r = unsq ? x->rank + (na < 0 ? 0 : na) : x->rank;
	if (r > NRANK)
		return ox_fail(c, "rank above %d", NRANK);
	for (int k = 0; k < na; k++) {
		int64_t ax = axes[k] < 0 ? axes[k] + r : axes[k];
		if (ax < 0 || ax >= r || mark[ax])
			return ox_fail(c, "bad axis %lld", (long long)axes[k]);
		mark[ax] = true;
	}
	int out = 0, j = 0;
	for (int k = 0; k < r; k++) {
		if (unsq) {
			dims[out++] = mark[k] ? 1 : x->dims[j++];
		} else if (na < 0 ? x->dims[k] != 1 : !mark[k]) {
			dims[out++] = x->dims[k];
		} else if (x->dims[k] != 1) {
			return ox_fail(c, "axis %d has %lld elements, not 1", k, (long long)x->dims[k]);
		}
	}
	*rank = out;
	return 0;
}

static int fold_squeeze(Ctx *c, bool unsq)
{
	int64_t dims[NRANK];
	int rank;
	Value *x = ox_in(c, 0);
	if (!x || ox_squeeze_dims(c, x, unsq, dims, &rank))
		return -1;
	return fold_copy(c, x, dims, rank);
}

static int fold_cast(Ctx *c)
{
	Value *x = ox_in(c, 0);
	int64_t to = ox_attr_i(c->node, "to", 0);
	bool f = to == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
	if (!f && to != ONNX__TENSOR_PROTO__DATA_TYPE__INT64 && to != ONNX__TENSOR_PROTO__DATA_TYPE__INT32)
		return ox_fail(c, "casts to type %lld are not folded", (long long)to);
	Value xx = *x;
	if (xx.lazy)
		return fold_lazy(c, f, xx.dims, xx.rank, (float)cval(&xx, 0), ival(&xx, 0));
	Value *y = fold_out(c, f, xx.dims, xx.rank);
	if (!y)
		return -1;
	for (int64_t k = 0; k < y->count; k++)
		cset(y, k, &xx, k);
	return 0;
}

/* Clamps an ONNX slice bound to [0, d] (negative counts from the end). */
int64_t ox_clamp_index(int64_t i, int64_t d)
{
	if (i < 0)
		i += d;
	return i < 0 ? 0 : i > d ? d : i;
}

static int fold_slice(Ctx *c)
{
	Value *x = ox_in(c, 0);
	int64_t s, e, step = 1;
	if (c->opset < 10) {
		int64_t v[2];
		if (ox_attr_ints(c->node, "starts", v, 1) != 1 || (s = v[0], 0) ||
		    ox_attr_ints(c->node, "ends", v + 1, 1) != 1)
			return ox_fail(c, "only one-axis slices of 1-D constants are folded");
		e = v[1];
	} else {
		Value *vs = ox_in(c, 1), *ve = ox_in(c, 2), *vst = ox_in(c, 4);
		if (!vs || !ve || vs->count != 1 || ve->count != 1 || (vst && vst->count != 1))
			return ox_fail(c, "only one-axis slices of 1-D constants are folded");
		s = ival(vs, 0);
		e = ival(ve, 0);
		step = vst ? ival(vst, 0) : 1;
	}
	if (x->rank != 1 || step < 1)
		return ox_fail(c, "only forward slices of 1-D constants are folded");
	s = ox_clamp_index(s, x->count);
	e = ox_clamp_index(e, x->count);
	if (step > x->count) /* the same elements, without overflow below */
		step = x->count > 0 ? x->count : 1;
	int64_t d = e > s ? (e - s + step - 1) / step : 0;
	Value xx = *x;
	Value *y = fold_out(c, xx.isfloat, &d, 1);
	if (!y)
		return -1;
	for (int64_t k = 0; k < d; k++)
		cset(y, k, &xx, s + k * step);
	return 0;
}

/* DequantizeLinear of a quantized initializer (QDQ models' weights):
 * y = (x - zero_point) scale, per tensor or per slice along axis. */
static int fold_dequantize(Ctx *c)
{
	Value *x = ox_in(c, 0), *sc = ox_in(c, 1), *zp = ox_in(c, 2);
	if (!x || !sc || x->isfloat || !sc->isfloat || (zp && zp->isfloat))
		return ox_fail(c, "x and zero_point must be integers, scale float");
	int64_t axis = ox_attr_i(c->node, "axis", 1);
	axis = axis < 0 ? axis + x->rank : axis;
	bool per_axis = sc->count != 1;
	if (per_axis && (axis < 0 || axis >= x->rank || sc->rank != 1 || sc->count != x->dims[axis]))
		return ox_fail(c, "scale has %lld values, not one per slice along axis %lld",
			       (long long)sc->count, (long long)axis);
	if (zp && zp->count != sc->count)
		return ox_fail(c, "zero_point and scale differ in size");
	int64_t inner = 1;
	for (int k = (int)axis + 1; per_axis && k < x->rank; k++)
		inner *= x->dims[k];
	Value xx = *x, ss = *sc, zz = zp ? *zp : (Value){0};
	Value *y = fold_out_max(c, true, xx.dims, xx.rank, NCONST_MAX);
	if (!y)
		return -1;
	for (int64_t k = 0; k < y->count; k++) {
		int64_t j = per_axis ? k / inner % ss.count : 0;
		y->f[k] = (float)(((double)ival(&xx, k) - (zp ? (double)ival(&zz, j) : 0)) *
				  cval(&ss, j));
	}
	return 0;
}

static int fold_arith(Ctx *c, char op)
{
	Value *a = ox_in(c, 0), *b = ox_in(c, 1);
	if (!a || !b)
		return ox_fail(c, "two inputs needed");
	Value aa = *a, bb = *b;
	const Value *big = aa.count >= bb.count ? &aa : &bb, *small = big == &aa ? &bb : &aa;
	/* same dims, or a single element of no higher rank: what broadcasting
	 * gives is then big's dims */
	if (small->count == 1 ? small->rank > big->rank
			      : small->rank != big->rank ||
				memcmp(small->dims, big->dims, big->rank * sizeof *big->dims))
		return ox_fail(c, "only same-shape or single-element constants are folded");
	bool f = aa.isfloat || bb.isfloat;
	/* a value of one element by one of one value: one value, not made */
	bool lazy = big->lazy && (small->lazy || small->count == 1);
	Value *y = lazy ? NULL : fold_out(c, f, big->dims, big->rank);
	if (!lazy && !y)
		return -1;
	for (int64_t k = 0; k < (lazy ? 1 : y->count); k++) {
		int64_t ia = aa.count == 1 ? 0 : k, ib = bb.count == 1 ? 0 : k;
		double fr = 0;
		int64_t r = 0;
		if (f) {
			double x = cval(&aa, ia), z = cval(&bb, ib);
			fr = op == '+' ? x + z : op == '-' ? x - z : op == '*' ? x * z : x / z;
		} else {
			int64_t x = ival(&aa, ia), z = ival(&bb, ib);
			bool ok = op == '+'   ? add_ok_i64(x, z, &r)
				  : op == '-' ? !__builtin_sub_overflow(x, z, &r)
				  : op == '*' ? mul_ok_i64(x, z, &r)
					      : (z != 0 && !(x == INT64_MIN && z == -1) && (r = x / z, 1));
			if (!ok)
				return ox_fail(c, "integer overflow or division by zero");
		}
		if (lazy)
			return fold_lazy(c, f, big->dims, big->rank, (float)fr, r);
		if (f)
			y->f[k] = (float)fr;
		else
			y->i[k] = r;
	}
	return 0;
}

/* Reshape's target dims (0 copies, -1 infers) for a value of the given
 * dims; shared with onnx_lower.c. */
int ox_reshape_dims(Ctx *c, const Value *x, const Value *shape, int64_t *dims, int *rank)
{
	if (!shape || shape->kind != V_CONST || shape->rank != 1 || shape->count > NRANK)
		return ox_fail(c, "the shape must be a 1-D constant of at most %d elements", NRANK);
	int64_t have = 1, known = 1;
	for (int k = 0; k < x->rank; k++)
		have *= x->dims[k];
	int infer = -1;
	for (int k = 0; k < shape->count; k++) {
		int64_t d = ival(shape, k);
		if (d == 0 && k < x->rank)
			d = x->dims[k];
		if (d == -1 && infer < 0) {
			infer = k;
			dims[k] = 1;
			continue;
		}
		if (d < 1 || d > NDIM_MAX || !mul_ok_i64(known, d, &known))
			return ox_fail(c, "bad target dim %lld", (long long)ival(shape, k));
		dims[k] = d;
	}
	if (infer >= 0) {
		if (have % known)
			return ox_fail(c, "%lld elements do not reshape to the target", (long long)have);
		dims[infer] = have / known;
		known = have;
	}
	if (known != have)
		return ox_fail(c, "%lld elements cannot become %lld", (long long)have, (long long)known);
	*rank = (int)shape->count;
	return 0;
}

/* Flatten's dims: (product before axis, product from axis). */
int ox_flatten_dims(Ctx *c, const Value *x, int64_t *dims)
{
	int64_t axis = ox_attr_i(c->node, "axis", 1);
	if (axis < 0)
		axis += x->rank;
	if (axis < 0 || axis > x->rank)
		return ox_fail(c, "bad axis");
	dims[0] = dims[1] = 1;
	for (int k = 0; k < x->rank; k++)
		dims[k >= axis] *= x->dims[k];
	return 0;
}

/* 1 when folded, 0 when the node is not for folding, -1 on error. */
static int fold(Ctx *c)
{
	const Onnx__NodeProto *n = c->node;
	if (n->n_output < 1 || !n->output[0][0])
		return 0;
	if (n->n_output > 1 && !is_op(n, "Dropout"))
		return 0;
	if (is_op(n, "Constant"))
		return fold_constant(c) ? -1 : 1;
	if (is_op(n, "Shape"))
		return fold_shape(c) ? -1 : 1;
	if (n->n_input < 1 || !all_const(c))
		return 0;
	int64_t dims[NRANK];
	int rank, r;
	Value *x = ox_in(c, 0);
	if (!x)
		return 0;
	if (is_op(n, "ConstantOfShape"))
		r = fold_constant_of_shape(c);
	else if (is_op(n, "Gather"))
		r = fold_gather(c);
	else if (is_op(n, "Concat"))
		r = fold_concat(c);
	else if (is_op(n, "Unsqueeze") || is_op(n, "Squeeze"))
		r = fold_squeeze(c, is_op(n, "Unsqueeze"));
	else if (is_op(n, "Cast"))
		r = fold_cast(c);
	else if (is_op(n, "DequantizeLinear"))
		r = fold_dequantize(c);
	else if (is_op(n, "Slice"))
		r = fold_slice(c);
	else if (is_op(n, "Add") || is_op(n, "Sub") || is_op(n, "Mul") || is_op(n, "Div"))
		r = fold_arith(c, n->op_type[0] == 'A' ? '+' : n->op_type[0] == 'S' ? '-'
							 : n->op_type[0] == 'M' ? '*' : '/');
	else if (is_op(n, "Reshape"))
		r = ox_reshape_dims(c, x, ox_in(c, 1), dims, &rank) || fold_copy(c, x, dims, rank);
	else if (is_op(n, "Flatten"))
		r = ox_flatten_dims(c, x, dims) || fold_copy(c, x, dims, 2);
	else if (is_op(n, "Identity") || is_op(n, "Dropout"))
		r = fold_copy(c, x, x->dims, x->rank);
	else
		return 0;
	return r ? -1 : 1;
}

/* ---- reading ---- */

static Value *new_value(Ctx *c, const char *name, int producer)
{
	if (c->nvals == c->capvals)
		abort(); /* sized before: every name is counted */
	if (!strmap_put(&c->byname, name, c->nvals))
		return NULL;
	Value *v = &c->vals[c->nvals++];
	memset(v, 0, sizeof *v);
	v->name = name;
	v->producer = producer;
	v->t = v->t4 = -1;
	return v;
}

static int check_opset(Ctx *c, const Onnx__ModelProto *m)
{
	c->opset = -1;
	for (size_t i = 0; i < m->n_opset_import; i++) {
		const Onnx__OperatorSetIdProto *o = m->opset_import[i];
		if (!o->domain || !o->domain[0] || strcmp(o->domain, "ai.onnx") == 0)
			c->opset = (int)(o->version < 0 || o->version > 1000 ? -1 : o->version);
	}
	if (c->opset < 7 || c->opset > 18)
		return ox_fail(c, "opset %d of the default domain is not supported (7 to 18)",
			       c->opset);
	return 0;
}

/* Inputs are fed as float (calibration) and int8 (the NPU): strings,
 * booleans and complex numbers are not. */
static bool numeric(const Onnx__ValueInfoProto *vi)
{
	int t = vi->type->tensor_type->elem_type;
	return t != ONNX__TENSOR_PROTO__DATA_TYPE__STRING && t != ONNX__TENSOR_PROTO__DATA_TYPE__BOOL &&
	       t != ONNX__TENSOR_PROTO__DATA_TYPE__COMPLEX64 &&
	       t != ONNX__TENSOR_PROTO__DATA_TYPE__COMPLEX128;
}

/* --input-shape's dims for input vi, checked against the file's: the
 * rank it states, if any, and every static dim.  Its rank, or -1. */
static int given_dims(Ctx *c, const Onnx__ValueInfoProto *vi, int k, int64_t *dims)
{
	const OnnxOpts *o = c->opts;
	memcpy(dims, o->shape[k].dims, sizeof o->shape[k].dims);
	const Onnx__TensorShapeProto *s = vi->type && vi->type->tensor_type ?
						  vi->type->tensor_type->shape : NULL;
	if (s && s->n_dim != (size_t)o->shape[k].rank)
		return ox_fail(c, "input %s: --input-shape gives %d dims, the file %zu", vi->name,
			       o->shape[k].rank, s->n_dim);
	for (size_t i = 0; s && i < s->n_dim; i++)
		if (s->dim[i]->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE &&
		    s->dim[i]->dim_value != dims[i])
			return ox_fail(c, "input %s: --input-shape gives dim %zu as %lld, the file "
					  "as %lld",
				       vi->name, i, (long long)dims[i], (long long)s->dim[i]->dim_value);
	return o->shape[k].rank;
}

/* Index of the --input-shape option naming `name`, or -1. */
static int given_shape(const Ctx *c, const char *name)
{
	for (int k = 0; c->opts && k < c->opts->nshapes; k++)
		if (strcmp(c->opts->shape[k].name, name) == 0)
			return k;
	return -1;
}

static int read_inputs(Ctx *c)
{
	Onnx__GraphProto *gp = c->gp;
	for (size_t i = 0; i < gp->n_initializer; i++) {
		const Onnx__TensorProto *t = gp->initializer[i];
		char what[NERRMSG / 2];
		snprintf(what, sizeof what, "initializer %s", t->name ? t->name : "");
		if (!t->name || !t->name[0])
			return ox_fail(c, "initializer %zu has no name", i);
		Value *v = new_value(c, t->name, -1);
		if (!v)
			return ox_fail(c, "%s: defined twice", what);
		if (tensor_value(c, t, v, what))
			return -1;
	}
	for (int k = 0; c->opts && k < c->opts->nshapes; k++) {
		const char *nm = c->opts->shape[k].name;
		bool input = false;
		for (size_t i = 0; i < gp->n_input; i++)
			input |= gp->input[i]->name && strcmp(gp->input[i]->name, nm) == 0;
		if (!input || ox_find(c, nm))
			return ox_fail(c, "--input-shape %s: the graph has no input '%s'%s", nm, nm,
				       input ? " (it is an initializer: a constant)" : "");
	}
	for (size_t i = 0; i < gp->n_input; i++) {
		const Onnx__ValueInfoProto *vi = gp->input[i];
		if (!vi->name || !vi->name[0])
			return ox_fail(c, "graph input %zu has no name", i);
		if (ox_find(c, vi->name))
			continue; /* an initializer: a constant, not an activation */
		char why[NERRMSG / 2];
		Value *v = new_value(c, vi->name, -1);
		if (!v)
			return ox_fail(c, "input %s: defined twice", vi->name);
		int k = given_shape(c, vi->name);
		if (k >= 0 && (v->rank = given_dims(c, vi, k, v->dims)) < 0)
			return -1;
		if (k < 0 && (v->rank = info_dims(vi, v->dims, why, sizeof why)) < 0)
			return ox_fail(c, "input %s: %s: give its dims with --input-shape %s=DIMS "
					  "(1x3x224x224)",
				       vi->name, why, vi->name);
		if (vi->type && vi->type->tensor_type && !numeric(vi))
			return ox_fail(c, "input %s: element type %d is not a number type",
				       vi->name, vi->type->tensor_type->elem_type);
		v->kind = V_ACT;
	}
	return 0;
}

/* The node's name, or its first output's when unnamed ("" when none). */
static const char *node_name(const Onnx__NodeProto *n)
{
	if (n->name && n->name[0])
		return n->name;
	for (size_t k = 0; k < n->n_output; k++)
		if (n->output[k][0])
			return n->output[k];
	return "";
}

static int define_outputs(Ctx *c)
{
	for (size_t i = 0; i < c->gp->n_node; i++) {
		const Onnx__NodeProto *n = c->gp->node[i];
		c->node = n;
		c->nname = node_name(n);
		if (!n->op_type || !n->op_type[0])
			return ox_fail(c, "no op type");
		if (!n->n_output || !n->output[0][0])
			return ox_fail(c, "no output");
		if (n->n_input > NODE_INPUTS_MAX)
			return ox_fail(c, "%zu inputs (at most %d)", n->n_input, NODE_INPUTS_MAX);
		for (size_t k = 0; k < n->n_output; k++)
			if (n->output[k][0] && !new_value(c, n->output[k], (int)i))
				return ox_fail(c, "output '%s' is defined twice", n->output[k]);
	}
	for (size_t i = 0; i < c->gp->n_node; i++) {
		const Onnx__NodeProto *n = c->gp->node[i];
		c->node = n;
		c->nname = node_name(n);
		for (size_t k = 0; k < n->n_input; k++) {
			if (!n->input[k][0])
				continue;
			Value *v = ox_find(c, n->input[k]);
			if (!v)
				return ox_fail(c, "input '%s' is not defined", n->input[k]);
			bool again = false;
			for (size_t j = 0; j < k; j++)
				again |= strcmp(n->input[j], n->input[k]) == 0;
			v->readers += !again;
			v->reader = (int)i;
		}
	}
	c->node = NULL;
	return 0;
}

/* Topological order of the nodes into order[]; file order where allowed. */
static int sort_nodes(Ctx *c, int *order)
{
	int nn = (int)c->gp->n_node, no = 0, sp = 0;
	char *state = xcalloc(nn ? nn : 1, 1); /* 0 new, 1 open, 2 done */
	int *stack = xmalloc((nn ? nn : 1) * sizeof *stack);
	size_t *next = xcalloc(nn ? nn : 1, sizeof *next); /* next input to look at */
	int rc = 0;
	for (int r = 0; r < nn && !rc; r++) {
		if (state[r])
			continue;
		stack[sp++] = r;
		state[r] = 1;
		while (sp && !rc) {
			int u = stack[sp - 1];
			const Onnx__NodeProto *n = c->gp->node[u];
			if (next[u] == n->n_input) {
				state[u] = 2;
				order[no++] = u;
				sp--;
				continue;
			}
			const char *in = n->input[next[u]++];
			Value *v = in[0] ? ox_find(c, in) : NULL;
			if (!v || v->producer < 0 || state[v->producer] == 2)
				continue;
			if (state[v->producer] == 1) {
				c->node = n;
				c->nname = node_name(n);
				rc = ox_fail(c, "is on a cycle (through input '%s')", in);
				break;
			}
			state[v->producer] = 1;
			stack[sp++] = v->producer;
		}
	}
	free(state);
	free(stack);
	free(next);
	c->node = NULL;
	return rc;
}

static void index_infos(Ctx *c)
{
	Onnx__GraphProto *gp = c->gp;
	size_t n = gp->n_value_info + gp->n_output;
	c->infos = xmalloc((n ? n : 1) * sizeof *c->infos);
	for (size_t i = 0; i < n; i++) {
		c->infos[i] = i < gp->n_value_info ? gp->value_info[i] : gp->output[i - gp->n_value_info];
		if (c->infos[i]->name)
			strmap_put(&c->vinfo, c->infos[i]->name, (int)i);
	}
}

void ox_safe_name(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			*s = '_';
}

static const char *ir_safe(Ctx *c, const char *s)
{
	char *r = arena_strdup(c->g->arena, s);
	ox_safe_name(r);
	return r;
}

static int make_inputs(Ctx *c)
{
	for (int i = 0; i < c->nvals; i++) {
		Value *v = &c->vals[i];
		if (v->kind != V_ACT)
			continue;
		Shape s = {1, 1, 1, 1};
		int *d[4] = {&s.n, &s.c, &s.h, &s.w};
		if (v->rank < 1 || v->rank > 4)
			return ox_fail(c, "input %s: rank %d (1 to 4 supported)", v->name, v->rank);
		for (int k = 0; k < v->rank; k++)
			*d[k] = (int)v->dims[k];
		v->t = ir_input(c->g, ir_safe(c, v->name), s, DT_I8);
		if (v->t < 0)
			return ox_fail(c, "input %s: %s", v->name, c->g->err.msg);
	}
	return 0;
}

static int lower_all(Ctx *c, const int *order)
{
	StrMap nodes = {0};
	int rc = 0;
	for (size_t i = 0; i < c->gp->n_node && !rc; i++) {
		const Onnx__NodeProto *n = c->gp->node[order[i]];
		c->node = n;
		c->nname = ir_safe(c, node_name(n));
		if (!strmap_put(&nodes, c->nname, 0)) {
			rc = ox_fail(c, "duplicate node name");
			break;
		}
		/* a custom op: opaque, its output dims stated by the file */
		c->custom = n->domain && n->domain[0] && strcmp(n->domain, "ai.onnx") != 0;
		int f = c->custom ? 0 : fold(c);
		if (f > 0)
			ox_merge(c, c->nname, NULL);
		rc = f < 0 ? -1 : f > 0 ? 0 : ox_lower(c);
		c->custom = false;
	}
	strmap_free(&nodes);
	c->node = NULL;
	return rc;
}

static int mark_outputs(Ctx *c)
{
	/* nothing would be computed for anyone, nor compared after a run */
	if (c->gp->n_output == 0)
		return ox_fail(c, "the graph has no outputs");
	for (size_t i = 0; i < c->gp->n_output; i++) {
		const char *nm = c->gp->output[i]->name;
		Value *v = nm ? ox_find(c, nm) : NULL;
		if (!v)
			return ox_fail(c, "graph output '%s' is not defined", nm ? nm : "");
		if (v->kind != V_ACT)
			return ox_fail(c, "graph output '%s' is a constant", nm);
		ir_mark_output(c->g, v->t);
	}
	return 0;
}

static void count_graph_outputs(Ctx *c)
{
	for (size_t i = 0; i < c->gp->n_output; i++) {
		Value *v = c->gp->output[i]->name ? ox_find(c, c->gp->output[i]->name) : NULL;
		if (v && !v->graph_out) {
			v->graph_out = true;
			v->readers++;
		}
	}
}

int onnx_input_shape(OnnxOpts *o, const char *arg, Err *e)
{
	const char *eq = strrchr(arg, '='), *p = eq ? eq + 1 : NULL;
	if (!eq || eq == arg)
		return err_set(e, "--input-shape '%s': expected NAME=DIMS (x=1x3x224x224)", arg);
	if (o->nshapes == NINPUT_SHAPES)
		return err_set(e, "--input-shape '%s': more than %d inputs", arg, NINPUT_SHAPES);
	int k = o->nshapes, r = 0;
	for (;;) {
		char *end;
		errno = 0;
		long long d = *p >= '0' && *p <= '9' ? strtoll(p, &end, 10) : (end = (char *)p, -1);
		if (end == p || errno || d < 1 || d > NDIM_MAX || r == NRANK)
			return err_set(e, "--input-shape '%s': dims are 1 to %d, at most %d of them, "
					  "joined by 'x' (1x3x224x224)",
				       arg, NDIM_MAX, NRANK);
		o->shape[k].dims[r++] = d;
		if (!*end)
			break;
		if (*end != 'x')
			return err_set(e, "--input-shape '%s': expected NAME=DIMS (x=1x3x224x224)", arg);
		p = end + 1;
	}
	size_t len = (size_t)(eq - arg);
	if (len >= sizeof o->shape[k].name)
		return err_set(e, "--input-shape '%s': name longer than %zu bytes", arg,
			       sizeof o->shape[k].name - 1);
	memcpy(o->shape[k].name, arg, len);
	o->shape[k].name[len] = 0;
	for (int i = 0; i < k; i++)
		if (strcmp(o->shape[i].name, o->shape[k].name) == 0)
			return err_set(e, "--input-shape '%s': input given twice", arg);
	o->shape[k].rank = r;
	o->nshapes++;
	return 0;
}

static Graph *import_model(const char *file, Onnx__ModelProto *m, const OnnxOpts *o, Err *e)
{
	const char *base = strrchr(file, '/');
	Ctx c = {.file = file, .opts = o, .e = e};
	c.g = ir_new(base ? base + 1 : file);
	int *order = NULL;
	if (check_opset(&c, m))
		goto fail;
	if (!m->graph) {
		ox_fail(&c, "no graph");
		goto fail;
	}
	c.gp = m->graph;
	size_t nv = c.gp->n_initializer + c.gp->n_input;
	for (size_t i = 0; i < c.gp->n_node; i++)
		nv += c.gp->node[i]->n_output;
	if (nv > NOPS_MAX) {
		ox_fail(&c, "too many values");
		goto fail;
	}
	c.capvals = (int)nv;
	c.vals = arena_newvec(c.g->arena, Value, nv ? nv : 1);
	index_infos(&c);
	order = xmalloc((c.gp->n_node ? c.gp->n_node : 1) * sizeof *order);
	if (read_inputs(&c) || define_outputs(&c) || sort_nodes(&c, order))
		goto fail;
	count_graph_outputs(&c);
	if (make_inputs(&c) || lower_all(&c, order) || mark_outputs(&c))
		goto fail;
	if (!ir_ok(c.g)) {
		ox_fail(&c, "%s", c.g->err.msg);
		goto fail;
	}
	ir_link(c.g);
	Err ve;
	if (ir_verify(c.g, &ve)) {
		ox_fail(&c, "%s", ve.msg);
		goto fail;
	}
	free(order);
	free(c.infos);
	strmap_free(&c.byname);
	strmap_free(&c.vinfo);
	return c.g;
fail:
	free(order);
	free(c.infos);
	strmap_free(&c.byname);
	strmap_free(&c.vinfo);
	ir_free(c.g);
	return NULL;
}

Graph *onnx_import_mem(const char *file, const uint8_t *buf, size_t len, const OnnxOpts *o,
		       Err *e)
{
	if (len == 0) {
		err_set(e, "%s: not an ONNX model (empty file)", file);
		return NULL;
	}
	Onnx__ModelProto *m = onnx__model_proto__unpack(NULL, len, buf);
	if (!m) {
		err_set(e, "%s: not an ONNX model (undecodable or truncated protobuf)", file);
		return NULL;
	}
	Graph *g = NULL;
	if (!m->graph && !m->n_opset_import)
		err_set(e, "%s: not an ONNX model (no graph, no opset)", file);
	else
		g = import_model(file, m, o, e);
	onnx__model_proto__free_unpacked(m, NULL);
	return g;
}

Graph *onnx_import(const char *path, const OnnxOpts *o, Err *e)
{
	size_t len;
	char *buf = gf_slurp(path, (size_t)1 << 31, &len, e); /* protobuf's limit: 2 GiB */
	if (!buf)
		return NULL;
	Graph *g = onnx_import_mem(path, (const uint8_t *)buf, len, o, e);
	free(buf);
	return g;
}
