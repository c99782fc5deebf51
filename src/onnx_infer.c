/* onnx_infer.c: ONNX shape inference for the nodes the IR has no kind for.
 *
 * Exporters rarely write value_info, so the importer cannot wait for the
 * file to say what an op it keeps opaque (OP_OPAQUE: known to the
 * scheduler by its bytes only) makes.  ox_infer computes the output dims of
 * the current node by ONNX's rules, from its inputs' dims and its
 * attributes and constant inputs:
 *  - elementwise unary ops, activations, normalizations, Softmax, LRN,
 *    Cast, Q/DQ: the input's dims;
 *  - elementwise ops of several inputs (Add ... Where): numpy broadcasting;
 *  - reductions (axes, keepdims, noop_with_empty_axes), ArgMax, ArgMin,
 *    TopK (k constant);
 *  - MatMul (numpy's matmul rule), Gemm (transA, transB), Conv and
 *    ConvTranspose, pooling of any rank;
 *  - Expand, Tile, Gather, GatherElements, Resize, Upsample, Pad, Slice,
 *    DepthToSpace, SpaceToDepth, Concat, Transpose, Flatten, with their
 *    shape, repeats, indices, scales, sizes, pads, starts ... constant.
 * It says 0 (not known) for an op outside these rules and for one whose
 * output dims depend on data: a shape computed from an activation, NonZero,
 * Compress; the file must state those.  A stated dim that contradicts an
 * inferred one is an error naming the node (set_out, onnx_lower.c).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "onnx_impl.h"

enum { NPARAM_MAX = 1 << 20 }; /* largest kernel, stride, pad, block, group read */

static bool is(Ctx *c, const char *t)
{
	return strcmp(c->node->op_type, t) == 0;
}

static bool one_of(Ctx *c, const char *const *list)
{
	for (; *list; list++)
		if (is(c, *list))
			return true;
	return false;
}

/* Ops whose output 0 has the dims of input 0. */
static const char *const same_dims[] = {
	"Abs", "Acos", "Acosh", "Asin", "Asinh", "Atan", "Atanh", "BatchNormalization",
	"Bernoulli", "BitwiseNot", "Cast", "CastLike", "Ceil", "Celu", "Clip", "Cos", "Cosh",
	"CumSum", "DequantizeLinear", "Dropout", "DynamicQuantizeLinear", "Elu", "Erf", "Exp", "EyeLike",
	"Floor", "Gelu", "GroupNormalization", "HardSigmoid", "HardSwish", "Hardmax", "Identity",
	"InstanceNormalization", "IsInf", "IsNaN", "LRN", "LayerNormalization", "LeakyRelu", "Log",
	"LogSoftmax", "LpNormalization", "MeanVarianceNormalization", "Mish", "Neg", "Not",
	"QuantizeLinear", "Reciprocal", "Relu", "ReverseSequence", "Round", "Selu", "Shrink",
	"Sigmoid", "Sign", "Sin", "Sinh", "Softmax", "Softplus", "Softsign", "Sqrt", "Tan", "Tanh",
	"ThresholdedRelu", "Trilu", NULL,
};

/* Ops whose output is all their inputs broadcast together. */
static const char *const broadcasting[] = {
	"Add", "And", "BitShift", "BitwiseAnd", "BitwiseOr", "BitwiseXor", "Div", "Equal", "Greater",
	"GreaterOrEqual", "Less", "LessOrEqual", "Max", "Mean", "Min", "Mod", "Mul", "Or", "PRelu",
	"Pow", "Sub", "Sum", "Where", "Xor", NULL,
};

static const char *const reductions[] = {
	"ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp", "ReduceMax", "ReduceMean",
	"ReduceMin", "ReduceProd", "ReduceSum", "ReduceSumSquare", NULL,
};

typedef struct Out {
	int64_t (*dims)[NRANK];
	int *rank;
	char *why;   /* what is not known, when 0 is returned */
	size_t nwhy;
} Out;

/* Input k with dims (an activation, or a constant): NULL when absent. */
static const Value *in_dims(Ctx *c, int k)
{
	const Value *v = ox_in(c, k);
	return v && v->kind != V_NONE ? v : NULL;
}

/* 0, saying why the dims are not known here. */
static int SY_PRINTF(2, 3) unknown(Out *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(o->why, o->nwhy, fmt, ap);
	va_end(ap);
	return 0;
}

/* Input k as a constant of at most max integers into v; its count, or -1
 * when absent, -2 when it is no constant (its values not known here). */
static int const_ints(Ctx *c, int k, int64_t *v, int max)
{
	const Value *s = ox_in(c, k);
	if (!s)
		return -1;
	if (s->kind != V_CONST || s->count > max)
		return -2;
	for (int i = 0; i < s->count; i++)
		v[i] = ox_ival(s, i);
	return (int)s->count;
}

static void set1(Out *o, const int64_t *d, int r)
{
	memcpy(o->dims[0], d, r * sizeof *d);
	o->rank[0] = r;
}

static int axis_of(Ctx *c, int64_t a, int rank, int64_t *ax)
{
	*ax = a < 0 ? a + rank : a;
	if (*ax < 0 || *ax >= rank)
		return ox_fail(c, "axis %lld out of range for rank %d", (long long)a, rank);
	return 0;
}

static int infer_broadcast(Ctx *c, Out *o)
{
	int64_t d[NRANK];
	int r = 0;
	for (int k = 0; k < (int)c->node->n_input; k++) {
		const Value *v = in_dims(c, k);
		if (!v)
			continue;
		int nr = v->rank > r ? v->rank : r;
		int64_t e[NRANK];
		for (int i = 0; i < nr; i++) {
			int64_t a = i - (nr - r) >= 0 ? d[i - (nr - r)] : 1;
			int64_t b = i - (nr - v->rank) >= 0 ? v->dims[i - (nr - v->rank)] : 1;
			if (a != b && a != 1 && b != 1)
				return ox_fail(c, "input '%s' does not broadcast: dim %d is %lld, not "
						  "%lld or 1",
					       v->name, i, (long long)b, (long long)a);
			e[i] = a == 1 ? b : a;
		}
		memcpy(d, e, sizeof e);
		r = nr;
	}
	set1(o, d, r);
	return 1;
}

static int infer_reduce(Ctx *c, Out *o, const Value *x)
{
	int64_t axes[NRANK];
	/* axes an input: ReduceSum from opset 13, the others from 18 */
	bool input = c->opset >= (is(c, "ReduceSum") ? 13 : 18);
	int na = input ? const_ints(c, 1, axes, NRANK) : ox_attr_ints(c->node, "axes", axes, NRANK);
	if (na == -2)
		return unknown(o, "its axes, input '%s', are no constant", c->node->input[1]);
	if (na > NRANK)
		return ox_fail(c, "too many axes");
	bool keep = ox_attr_i(c->node, "keepdims", 1) != 0, mark[NRANK] = {0};
	if (na <= 0 && ox_attr_i(c->node, "noop_with_empty_axes", 0)) {
		set1(o, x->dims, x->rank);
		return 1;
	}
	for (int k = 0; k < (na <= 0 ? x->rank : na); k++) {
		int64_t a = k;
		if (na > 0 && axis_of(c, axes[k], x->rank, &a))
			return -1;
		mark[a] = true;
	}
	int64_t d[NRANK];
	int r = 0;
	for (int k = 0; k < x->rank; k++)
		if (!mark[k] || keep)
			d[r++] = mark[k] ? 1 : x->dims[k];
	set1(o, d, r);
	return 1;
}

/* ArgMax, ArgMin; TopK's two outputs (k from input 1). */
static int infer_along_axis(Ctx *c, Out *o, const Value *x)
{
	bool topk = is(c, "TopK");
	int64_t ax, kk[1];
	if (axis_of(c, ox_attr_i(c->node, "axis", topk ? -1 : 0), x->rank, &ax))
		return -1;
	int64_t d[NRANK];
	int r = 0;
	for (int k = 0; k < x->rank; k++) {
		if (k != ax)
			d[r++] = x->dims[k];
		else if (topk || ox_attr_i(c->node, "keepdims", 1))
			d[r++] = 1;
	}
	if (topk) {
		int n = c->opset >= 10 ? const_ints(c, 1, kk, 1) : 1;
		if (c->opset < 10)
			kk[0] = ox_attr_i(c->node, "k", 1);
		if (n == -2)
			return unknown(o, "its k, input '%s', is no constant", c->node->input[1]);
		if (n != 1 || kk[0] < 0 || kk[0] > x->dims[ax])
			return ox_fail(c, "k must be one value of 0 to %lld", (long long)x->dims[ax]);
		d[ax] = kk[0];
		set1(o, d, r);
		memcpy(o->dims[1], d, sizeof d);
		o->rank[1] = r;
		return 1;
	}
	set1(o, d, r);
	return 1;
}

static int infer_matmul(Ctx *c, Out *o, const Value *a, const Value *b)
{
	if (!b || a->rank < 1 || b->rank < 1)
		return ox_fail(c, "two inputs of rank 1 or more needed");
	int64_t ad[NRANK + 1], bd[NRANK + 1];
	int ar = a->rank, br = b->rank;
	memcpy(ad, a->dims, sizeof a->dims);
	memcpy(bd, b->dims, sizeof b->dims);
	if (ar == 1) { /* a row: [1, k], the 1 dropped after */
		ad[1] = ad[0], ad[0] = 1, ar = 2;
	}
	if (br == 1) { /* a column: [k, 1] */
		bd[1] = 1, br = 2;
	}
	if (ad[ar - 1] != bd[br - 2])
		return ox_fail(c, "inner dims %lld and %lld differ", (long long)ad[ar - 1],
			       (long long)bd[br - 2]);
	int r = ar > br ? ar : br;
	int64_t d[NRANK + 1];
	for (int i = 0; i < r - 2; i++) { /* the batch dims broadcast */
		int ia = i - (r - ar), ib = i - (r - br);
		int64_t x = ia >= 0 ? ad[ia] : 1, y = ib >= 0 ? bd[ib] : 1;
		if (x != y && x != 1 && y != 1)
			return ox_fail(c, "batch dims %lld and %lld do not broadcast", (long long)x,
				       (long long)y);
		d[i] = x == 1 ? y : x;
	}
	int n = r - 2;
	if (a->rank > 1)
		d[n++] = ad[ar - 2];
	if (b->rank > 1)
		d[n++] = bd[br - 1];
	if (n > NRANK)
		return ox_fail(c, "rank above %d", NRANK);
	set1(o, d, n);
	return 1;
}

static int infer_gemm(Ctx *c, Out *o, const Value *a, const Value *b)
{
	if (!b || a->rank != 2 || b->rank != 2)
		return ox_fail(c, "A and B must be 2-D");
	bool ta = ox_attr_i(c->node, "transA", 0), tb = ox_attr_i(c->node, "transB", 0);
	int64_t ka = a->dims[!ta], kb = b->dims[tb];
	if (ka != kb)
		return ox_fail(c, "A has %lld columns, B %lld rows", (long long)ka, (long long)kb);
	int64_t d[2] = {a->dims[ta], b->dims[!tb]};
	set1(o, d, 2);
	return 1;
}

/* Conv, ConvTranspose and pooling over the spatial axes 2.. of x. */
static int infer_window(Ctx *c, Out *o, const Value *x)
{
	const Onnx__NodeProto *n = c->node;
	int sp = x->rank - 2;
	bool conv = is(c, "Conv"), tr = is(c, "ConvTranspose");
	const Value *w = conv || tr ? in_dims(c, 1) : NULL;
	if (sp < 1 || ((conv || tr) && (!w || w->rank != x->rank)))
		return ox_fail(c, "input and weights of rank 3 or more needed");
	int64_t k[NRANK], s[NRANK], dl[NRANK], p[2 * NRANK] = {0}, op[NRANK] = {0}, os[NRANK];
	for (int a = 0; a < sp; a++)
		k[a] = w ? w->dims[a + 2] : 0, s[a] = 1, dl[a] = 1;
	int nk = ox_attr_ints(n, "kernel_shape", k, NRANK);
	if (!w && nk != sp)
		return ox_fail(c, "kernel_shape must have %d values", sp);
	int ns = ox_attr_ints(n, "strides", s, NRANK), nd = ox_attr_ints(n, "dilations", dl, NRANK);
	int np = ox_attr_ints(n, "pads", p, 2 * NRANK);
	int no = ox_attr_ints(n, "output_padding", op, NRANK);
	int nos = ox_attr_ints(n, "output_shape", os, NRANK);
	if ((nk >= 0 && nk != sp) || (ns >= 0 && ns != sp) || (nd >= 0 && nd != sp) ||
	    (np >= 0 && np != 2 * sp) || (no >= 0 && no != sp) || (nos >= 0 && nos != sp))
		return ox_fail(c, "kernel_shape, strides, dilations or pads not for %d axes", sp);
	bool same = ox_attr_is(n, "auto_pad", "SAME_UPPER", false) ||
		    ox_attr_is(n, "auto_pad", "SAME_LOWER", false);
	bool valid = ox_attr_is(n, "auto_pad", "VALID", false);
	bool ceil_mode = ox_attr_i(n, "ceil_mode", 0) != 0;
	int64_t d[NRANK], group = ox_attr_i(n, "group", 1);
	if (group < 1 || group > NPARAM_MAX)
		return ox_fail(c, "group %lld out of range", (long long)group);
	d[0] = x->dims[0];
	d[1] = conv ? w->dims[0] : tr ? w->dims[1] * group : x->dims[1];
	for (int a = 0; a < sp; a++) {
		if (k[a] < 1 || s[a] < 1 || dl[a] < 1 || p[a] < 0 || p[a + sp] < 0 ||
		    k[a] > NPARAM_MAX || s[a] > NPARAM_MAX || dl[a] > NPARAM_MAX ||
		    p[a] > NPARAM_MAX || p[a + sp] > NPARAM_MAX || op[a] < 0 || op[a] > NPARAM_MAX)
			return ox_fail(c, "kernel, strides, dilations or pads out of range");
		int64_t in = x->dims[a + 2], span = dl[a] * (k[a] - 1) + 1, out;
		if (tr) {
			out = nos >= 0 ? os[a]
			      : same ? in * s[a]
				     : s[a] * (in - 1) + op[a] + span - (valid ? 0 : p[a] + p[a + sp]);
		} else if (same) {
			out = (in + s[a] - 1) / s[a];
		} else {
			int64_t room = in + (valid ? 0 : p[a] + p[a + sp]) - span;
			if (room < 0)
				return ox_fail(c, "the window does not fit the input");
			out = (ceil_mode ? (room + s[a] - 1) / s[a] : room / s[a]) + 1;
			if (ceil_mode && (out - 1) * s[a] >= in + p[a])
				out--; /* the last window must start inside */
		}
		if (out < 1 || out > NDIM_MAX)
			return ox_fail(c, "output dim %d would be %lld", a + 2, (long long)out);
		d[a + 2] = out;
	}
	set1(o, d, x->rank);
	return 1;
}

static int infer_expand_tile(Ctx *c, Out *o, const Value *x)
{
	int64_t v[NRANK], d[NRANK];
	int n = const_ints(c, 1, v, NRANK);
	if (n == -2 || n == -1)
		return unknown(o, "its %s, input 1, is no constant", is(c, "Tile") ? "repeats" : "shape");
	if (is(c, "Tile")) {
		if (n != x->rank)
			return ox_fail(c, "%d repeats for rank %d", n, x->rank);
		for (int k = 0; k < n; k++) {
			if (v[k] < 0 || !mul_ok_i64(x->dims[k], v[k], &d[k]))
				return ox_fail(c, "bad repeats");
		}
		set1(o, d, n);
		return 1;
	}
	int r = n > x->rank ? n : x->rank;
	for (int i = 0; i < r; i++) {
		int ix = i - (r - x->rank), iv = i - (r - n);
		int64_t a = ix >= 0 ? x->dims[ix] : 1, b = iv >= 0 ? v[iv] : 1;
		if (a != b && a != 1 && b != 1)
			return ox_fail(c, "dims %lld and %lld do not broadcast", (long long)a,
				       (long long)b);
		d[i] = a == 1 ? b : a;
	}
	set1(o, d, r);
	return 1;
}

static int infer_gather(Ctx *c, Out *o, const Value *x)
{
	const Value *ix = in_dims(c, 1);
	if (!ix)
		return ox_fail(c, "no indices");
	int64_t ax;
	if (axis_of(c, ox_attr_i(c->node, "axis", 0), x->rank, &ax))
		return -1;
	if (is(c, "GatherElements")) {
		set1(o, ix->dims, ix->rank);
		return 1;
	}
	int64_t d[NRANK];
	int r = 0;
	if (x->rank - 1 + ix->rank > NRANK)
		return ox_fail(c, "rank above %d", NRANK);
	for (int k = 0; k < ax; k++)
		d[r++] = x->dims[k];
	for (int k = 0; k < ix->rank; k++)
		d[r++] = ix->dims[k];
	for (int k = (int)ax + 1; k < x->rank; k++)
		d[r++] = x->dims[k];
	set1(o, d, r);
	return 1;
}

/* Resize (opset 10: scales input 1; 11 on: roi 1, scales 2, sizes 3) and
 * Upsample (scales attribute before opset 9, input 1 after). */
static int infer_resize(Ctx *c, Out *o, const Value *x)
{
	const Value *sc = NULL, *sz = NULL;
	float fa[NRANK];
	int nf = -1;
	if (is(c, "Upsample") && c->opset < 9) {
		const Onnx__AttributeProto *a = ox_attr(c->node, "scales");
		nf = a ? (int)a->n_floats : -1;
		for (int k = 0; k < nf && k < NRANK; k++)
			fa[k] = a->floats[k];
	} else if (is(c, "Upsample") || c->opset < 11) {
		sc = ox_in(c, 1);
	} else {
		sc = ox_in(c, 2);
		sz = ox_in(c, 3);
	}
	if (sc && sc->count == 0)
		sc = NULL; /* Resize's empty scales: sizes say */
	const Value *by = sz ? sz : sc;
	if (by && by->kind != V_CONST)
		return unknown(o, "its scales or sizes, input '%s', are no constant", by->name);
	int64_t axes[NRANK];
	int na = ox_attr_ints(c->node, "axes", axes, NRANK);
	int n = by ? (int)by->count : nf;
	if (n < 0 || n != (na >= 0 ? na : x->rank) || n > NRANK)
		return ox_fail(c, "scales or sizes must have one value per axis");
	int64_t d[NRANK];
	memcpy(d, x->dims, sizeof d);
	for (int k = 0; k < n; k++) {
		int64_t a = k;
		if (na >= 0 && axis_of(c, axes[k], x->rank, &a))
			return -1;
		double f = by ? ox_fval(by, k) : fa[k];
		double out = sz ? (double)ox_ival(sz, k) : (double)x->dims[a] * f;
		if (!(out >= 1 && out <= NDIM_MAX))
			return ox_fail(c, "output dim %lld would be %g", (long long)a, out);
		d[a] = (int64_t)out; /* floor: ONNX's rule */
	}
	set1(o, d, x->rank);
	return 1;
}

static int infer_depth_space(Ctx *c, Out *o, const Value *x)
{
	int64_t b = ox_attr_i(c->node, "blocksize", 0), d[4];
	if (x->rank != 4 || b < 1 || b > 1024)
		return ox_fail(c, "a 4-D input and a blocksize of 1 or more needed");
	bool to_space = is(c, "DepthToSpace");
	if (to_space ? x->dims[1] % (b * b) : x->dims[2] % b || x->dims[3] % b)
		return ox_fail(c, "dims do not divide by the blocksize %lld", (long long)b);
	d[0] = x->dims[0];
	d[1] = to_space ? x->dims[1] / (b * b) : x->dims[1] * b * b;
	d[2] = to_space ? x->dims[2] * b : x->dims[2] / b;
	d[3] = to_space ? x->dims[3] * b : x->dims[3] / b;
	set1(o, d, 4);
	return 1;
}

/* Pad, any mode and value, pads of either sign. */
static int infer_pad(Ctx *c, Out *o, const Value *x)
{
	int64_t raw[2 * NRANK], axes[NRANK], d[NRANK];
	int np, na = -1, r = x->rank;
	if (c->opset < 11) {
		np = ox_attr_ints(c->node, "pads", raw, 2 * NRANK);
	} else {
		np = const_ints(c, 1, raw, 2 * NRANK);
		na = const_ints(c, 3, axes, NRANK);
		if (np == -2 || na == -2)
			return unknown(o, "its pads or axes, input '%s', are no constant",
				       c->node->input[np == -2 ? 1 : 3]);
	}
	if (na < 0)
		for (na = 0; na < r; na++)
			axes[na] = na;
	if (np != 2 * na)
		return ox_fail(c, "pads must have two values per axis");
	memcpy(d, x->dims, sizeof d);
	for (int k = 0; k < na; k++) {
		int64_t a;
		if (axis_of(c, axes[k], r, &a))
			return -1;
		if (raw[k] < -NDIM_MAX || raw[k] > NDIM_MAX || raw[k + na] < -NDIM_MAX ||
		    raw[k + na] > NDIM_MAX)
			return ox_fail(c, "pads out of range");
		d[a] += raw[k] + raw[k + na];
		if (d[a] < 0 || d[a] > NDIM_MAX)
			return ox_fail(c, "padded dim %lld would be %lld", (long long)a, (long long)d[a]);
	}
	set1(o, d, r);
	return 1;
}

/* Slice, steps of either sign (ONNX's clamping rules). */
static int infer_slice(Ctx *c, Out *o, const Value *x)
{
	int64_t st[NRANK], en[NRANK], ax[NRANK], sp[NRANK], d[NRANK];
	int ns, ne, na, nsp = -1;
	if (c->opset < 10) {
		ns = ox_attr_ints(c->node, "starts", st, NRANK);
		ne = ox_attr_ints(c->node, "ends", en, NRANK);
		na = ox_attr_ints(c->node, "axes", ax, NRANK);
	} else {
		ns = const_ints(c, 1, st, NRANK);
		ne = const_ints(c, 2, en, NRANK);
		na = const_ints(c, 3, ax, NRANK);
		nsp = const_ints(c, 4, sp, NRANK);
		if (ns == -2 || ne == -2 || na == -2 || nsp == -2)
			return unknown(o, "%s", "its starts, ends, axes or steps are no constant");
	}
	if (ns < 0 || ns != ne || ns > NRANK || (na >= 0 && na != ns) || (nsp >= 0 && nsp != ns))
		return ox_fail(c, "starts, ends, axes and steps do not match");
	memcpy(d, x->dims, sizeof d);
	for (int k = 0; k < ns; k++) {
		int64_t a, step = nsp >= 0 ? sp[k] : 1;
		if (axis_of(c, na >= 0 ? ax[k] : k, x->rank, &a))
			return -1;
		if (step == 0)
			return ox_fail(c, "step 0");
		int64_t n = x->dims[a], s = st[k], e = en[k];
		s = s < 0 ? (s < -n ? 0 : s + n) : s; /* INT64 bounds: no overflow */
		e = e < 0 ? (e < -n ? -1 : e + n) : e;
		if (step > 0) {
			s = s > n ? n : s;
			e = e < 0 ? 0 : e > n ? n : e;
			d[a] = e > s ? (e - s - 1) / step + 1 : 0;
		} else {
			s = s > n - 1 ? n - 1 : s;
			e = e > n - 1 ? n - 1 : e;
			d[a] = s > e ? (s - e - 1) / (step == INT64_MIN ? INT64_MAX : -step) + 1 : 0;
		}
	}
	set1(o, d, x->rank);
	return 1;
}

static int infer_concat(Ctx *c, Out *o, const Value *x)
{
	int64_t ax, d[NRANK];
	if (axis_of(c, ox_attr_i(c->node, "axis", 1), x->rank, &ax))
		return -1;
	memcpy(d, x->dims, sizeof d);
	d[ax] = 0;
	for (int k = 0; k < (int)c->node->n_input; k++) {
		const Value *v = in_dims(c, k);
		if (!v)
			continue;
		for (int i = 0; i < x->rank; i++)
			if (v->rank != x->rank || (i != ax && v->dims[i] != x->dims[i]))
				return ox_fail(c, "input '%s' does not match outside axis %lld", v->name,
					       (long long)ax);
		d[ax] += v->dims[ax];
	}
	set1(o, d, x->rank);
	return 1;
}

static int infer_transpose(Ctx *c, Out *o, const Value *x)
{
	int64_t p[NRANK], d[NRANK];
	int np = ox_attr_ints(c->node, "perm", p, NRANK), r = x->rank;
	bool seen[NRANK] = {0};
	if (np < 0)
		for (np = 0; np < r; np++)
			p[np] = r - 1 - np;
	if (np != r)
		return ox_fail(c, "perm has %d axes for rank %d", np, r);
	for (int k = 0; k < r; k++) {
		if (p[k] < 0 || p[k] >= r || seen[p[k]])
			return ox_fail(c, "perm is not a permutation");
		seen[p[k]] = true;
		d[k] = x->dims[p[k]];
	}
	set1(o, d, r);
	return 1;
}

/* The outputs after the first of the ops of same_dims that have more
 * (those of others, rank -1, are not known here):
 * Dropout's mask (x's dims), LayerNormalization's mean and inverse
 * standard deviation (x's dims, 1 from axis on), DynamicQuantizeLinear's
 * scale and zero point (scalars). */
static int infer_more(Ctx *c, Out *o, const Value *x)
{
	int64_t ax = 0;
	if (is(c, "LayerNormalization") && axis_of(c, ox_attr_i(c->node, "axis", -1), x->rank, &ax))
		return -1;
	bool known = is(c, "Dropout") || is(c, "LayerNormalization") ||
		     is(c, "DynamicQuantizeLinear");
	for (int k = 1; k < (int)c->node->n_output; k++) {
		memcpy(o->dims[k], x->dims, sizeof x->dims);
		o->rank[k] = !known ? -1 : is(c, "DynamicQuantizeLinear") ? 0 : x->rank;
		for (int i = (int)ax; is(c, "LayerNormalization") && i < x->rank; i++)
			o->dims[k][i] = 1;
	}
	if (!known) /* BatchNormalization's training outputs: the file must say */
		unknown(o, "%s", "an output after the first");
	return 1;
}

int ox_infer(Ctx *c, int64_t (*dims)[NRANK], int *rank, char *why, size_t nwhy)
{
	Out o = {dims, rank, why, nwhy};
	const Value *x = in_dims(c, 0);
	if (!x)
		return unknown(&o, "%s", "its first input is absent or not made here");
	if (one_of(c, same_dims)) {
		set1(&o, x->dims, x->rank);
		return infer_more(c, &o, x);
	}
	if (one_of(c, broadcasting))
		return infer_broadcast(c, &o);
	if (one_of(c, reductions))
		return infer_reduce(c, &o, x);
	if (is(c, "ArgMax") || is(c, "ArgMin") || is(c, "TopK"))
		return infer_along_axis(c, &o, x);
	if (is(c, "MatMul") || is(c, "MatMulInteger"))
		return infer_matmul(c, &o, x, in_dims(c, 1));
	if (is(c, "QLinearMatMul")) /* a, its scale and zero point, b, ... */
		return infer_matmul(c, &o, x, in_dims(c, 3));
	if (is(c, "Size")) { /* a scalar */
		o.rank[0] = 0;
		return 1;
	}
	if (is(c, "Gemm"))
		return infer_gemm(c, &o, x, in_dims(c, 1));
	if (is(c, "Conv") || is(c, "ConvTranspose") || is(c, "MaxPool") || is(c, "AveragePool") ||
	    is(c, "LpPool"))
		return infer_window(c, &o, x);
	if (is(c, "GlobalAveragePool") || is(c, "GlobalMaxPool") || is(c, "GlobalLpPool")) {
		int64_t d[NRANK];
		memcpy(d, x->dims, sizeof d);
		for (int k = 2; k < x->rank; k++)
			d[k] = 1;
		set1(&o, d, x->rank);
		return 1;
	}
	if (is(c, "Expand") || is(c, "Tile"))
		return infer_expand_tile(c, &o, x);
	if (is(c, "Gather") || is(c, "GatherElements"))
		return infer_gather(c, &o, x);
	if (is(c, "ScatterElements") || is(c, "ScatterND") || is(c, "Scatter")) {
		set1(&o, x->dims, x->rank);
		return 1;
	}
	if (is(c, "Resize") || is(c, "Upsample"))
		return infer_resize(c, &o, x);
	if (is(c, "DepthToSpace") || is(c, "SpaceToDepth"))
		return infer_depth_space(c, &o, x);
	if (is(c, "Pad"))
		return infer_pad(c, &o, x);
	if (is(c, "Slice"))
		return infer_slice(c, &o, x);
	if (is(c, "Concat"))
		return infer_concat(c, &o, x);
	if (is(c, "Transpose"))
		return infer_transpose(c, &o, x);
	if (is(c, "Flatten")) {
		int64_t d[2];
		if (ox_flatten_dims(c, x, d))
			return -1;
		set1(&o, d, 2);
		return 1;
	}
	return unknown(&o, "%s", "an op shape inference does not know");
}
