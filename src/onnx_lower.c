/* onnx_lower.c: ONNX nodes to IR ops, with ONNX's shape rules.
 *
 * Each node becomes at most a few IR ops named after it; what disappears is
 * recorded (ox_merge) so `schedule --json` can say where it went:
 *  - BatchNormalization right after a Conv that nobody else reads is folded
 *    into the conv's float weights and bias (w' = w s, b' = b s + t with
 *    s = gamma / sqrt(var + eps), t = beta - mean s); elsewhere it is a
 *    depthwise 1x1 conv of weights s and bias t.  Mul/Add/Sub/Div by a
 *    per-channel constant are such depthwise convs too;
 *  - Relu is fused into the conv, fc or add that makes its input when it is
 *    that op's only reader (as fuse.c does for the zoo), else OP_RELU;
 *  - Flatten, Reshape, Squeeze, Unsqueeze, Identity, Dropout are views: the
 *    output is the input's IR tensor under new ONNX dims;
 *  - Reshape(n,g,c/g,h,w) -> Transpose(0,2,1,3,4) -> Reshape(n,c,h,w) is a
 *    channel shuffle: the transpose, met on a 5-D view of a 4-D tensor,
 *    becomes OP_SHUFFLE and both reshapes views.
 * An op outside the list (or a supported op with attributes the IR cannot
 * express) whose output dims are known, from the rules here or from the
 * file's value_info, becomes OP_OPAQUE of that many bytes; otherwise it is
 * an error naming the node.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx_impl.h"

enum { NATTR_MAX = 1 << 20 }; /* largest kernel, stride, pad read from a file */

static bool is(Ctx *c, const char *t)
{
	return strcmp(c->node->op_type, t) == 0;
}

/* The IR builder's error, under the node's name (without the builder's own
 * "node NAME: ", which names the same op). */
static int ir_fail(Ctx *c)
{
	const char *m = c->g->err.msg, *colon = strstr(m, ": ");
	if (strncmp(m, "node ", 5) == 0 && colon)
		m = colon + 2;
	return ox_fail(c, "%s", m);
}

static const char *in_name(Ctx *c, int k)
{
	return k < (int)c->node->n_input ? c->node->input[k] : "";
}

static Value *act_in(Ctx *c, int k)
{
	Value *v = ox_in(c, k);
	if (!v) {
		ox_fail(c, "input %d is missing", k);
		return NULL;
	}
	if (v->kind != V_ACT || v->t < 0) {
		ox_fail(c, "input '%s' must be an activation, not %s", v->name,
			v->kind == V_CONST ? "a constant" : "an output the importer does not make");
		return NULL;
	}
	return v;
}

static Value *const_in(Ctx *c, int k, const char *what, bool isfloat)
{
	Value *v = ox_in(c, k);
	if (!v) {
		ox_fail(c, "%s (input %d) is missing", what, k);
		return NULL;
	}
	if (v->kind != V_CONST) {
		ox_fail(c, "%s '%s' must be an initializer or a constant", what, v->name);
		return NULL;
	}
	if (v->isfloat != isfloat) {
		ox_fail(c, "%s '%s' must be %s", what, v->name, isfloat ? "float" : "integer");
		return NULL;
	}
	/* NaN or Inf weights would reach quantization's float -> int8 */
	for (int64_t i = 0; isfloat && i < (v->lazy ? 1 : v->count); i++)
		if (!isfinite(ox_fval(v, i))) {
			ox_fail(c, "%s '%s': element %lld is %s (weights must be finite)", what,
				v->name, (long long)i, isnan(ox_fval(v, i)) ? "NaN" : "Inf");
			return NULL;
		}
	return v;
}

static int64_t cint(const Value *v, int64_t k)
{
	return ox_ival(v, k);
}

/* The IR constant k takes the values of v: a copy, or v's one value for
 * every element when v is lazy (weights made only for a run). */
static void set_weights(Ctx *c, int k, const Value *v)
{
	Const *w = &c->g->consts[k];
	if (v->lazy) {
		w->lazy = true;
		w->fill = v->ffill;
		return;
	}
	w->fdata = arena_newvec(c->g->arena, float, v->count ? v->count : 1);
	memcpy(w->fdata, v->f, v->count * sizeof *w->fdata);
}

/* n values of constant v (one, repeated, when it has one) as floats. */
static float *fvals(Ctx *c, const Value *v, int64_t n)
{
	float *f = arena_newvec(c->g->arena, float, n ? n : 1);
	for (int64_t i = 0; i < n; i++)
		f[i] = v ? ox_fval(v, v->count == 1 ? 0 : i) : 0;
	return f;
}

/* The 4-D reading of ONNX dims: trailing axes of 1 added, axes past the
 * fourth folded into it. */
static bool to4(const int64_t *dims, int rank, Shape *s)
{
	int64_t d[4] = {1, 1, 1, 1};
	if (rank < 1)
		return false;
	for (int k = 0; k < rank; k++)
		if (!mul_ok_i64(d[k < 4 ? k : 3], dims[k], &d[k < 4 ? k : 3]))
			return false;
	for (int k = 0; k < 4; k++)
		if (d[k] < 1 || d[k] > NDIM_MAX)
			return false;
	*s = (Shape){(int)d[0], (int)d[1], (int)d[2], (int)d[3]};
	return true;
}

static bool shape_is(Shape a, Shape b)
{
	return a.n == b.n && a.c == b.c && a.h == b.h && a.w == b.w;
}

static Shape tshape(Ctx *c, int t)
{
	return c->g->tensors[t].shape;
}

static const char *maker(Ctx *c, int t)
{
	return c->g->ops[c->g->tensors[t].producer].name;
}

static void tag(Ctx *c, int t)
{
	Op *op = &c->g->ops[c->g->tensors[t].producer];
	op->otype = arena_strdup(c->g->arena, c->node->op_type);
}

/* x's IR tensor under the 4-D reading of x's dims: a reshape copy when the
 * view changed it. */
static int t4(Ctx *c, Value *x)
{
	Shape s;
	if (!to4(x->dims, x->rank, &s))
		return ox_fail(c, "input '%s' has no 4-D reading", x->name);
	if (shape_is(s, tshape(c, x->t)))
		return x->t;
	if (x->t4 >= 0)
		return x->t4;
	if (c->g->ops[c->g->tensors[x->t].producer].kind == OP_OPAQUE)
		return ox_fail(c, "input '%s' comes from an op whose layout is unknown", x->name);
	char name[NNAME];
	snprintf(name, sizeof name, "%.240s.reshape", x->name);
	ox_safe_name(name);
	x->t4 = ir_reshape(c->g, name, x->t, s);
	if (x->t4 < 0)
		return ir_fail(c);
	tag(c, x->t4);
	return x->t4;
}

/* Output k of the node is IR tensor t under dims; the file's dims, where it
 * states them, must agree. */
static int set_out(Ctx *c, int k, int t, const int64_t *dims, int rank, bool direct)
{
	if (k >= (int)c->node->n_output || !c->node->output[k][0])
		return 0;
	Value *y = ox_find(c, c->node->output[k]);
	int64_t fd[NRANK];
	int fr = ox_file_dims(c, y->name, fd);
	if (fr >= 0 && (fr != rank || memcmp(fd, dims, rank * sizeof *dims) != 0)) {
		char a[128] = "", b[128] = "";
		for (int i = 0; i < rank; i++)
			snprintf(a + strlen(a), sizeof a - strlen(a), "%s%lld", i ? "x" : "",
				 (long long)dims[i]);
		for (int i = 0; i < fr; i++)
			snprintf(b + strlen(b), sizeof b - strlen(b), "%s%lld", i ? "x" : "",
				 (long long)fd[i]);
		return ox_fail(c, "output '%s' is %s here but %s in the file", y->name,
			       rank ? a : "scalar", fr ? b : "scalar");
	}
	y->kind = V_ACT;
	y->t = t;
	y->t4 = -1;
	y->direct = direct;
	y->rank = rank;
	memcpy(y->dims, dims, rank * sizeof *dims);
	return 0;
}

static int set_out4(Ctx *c, int t)
{
	if (t < 0)
		return ir_fail(c);
	tag(c, t);
	Shape s = tshape(c, t);
	int64_t d[4] = {s.n, s.c, s.h, s.w};
	return set_out(c, 0, t, d, 4, true);
}

/* Output 0 is a view of x under dims. */
static int view(Ctx *c, Value *x, const int64_t *dims, int rank)
{
	int64_t n = 1;
	for (int k = 0; k < rank; k++)
		n *= dims[k];
	if (n != ir_shape_elems(tshape(c, x->t)) && tshape(c, x->t).n)
		return ox_fail(c, "view changes the element count");
	ox_merge(c, c->nname, maker(c, x->t));
	return set_out(c, 0, x->t, dims, rank, false);
}

/* An op the IR has no kind for: OP_OPAQUE of its output bytes, one per
 * output, reading every activation input. */
static int opaque(Ctx *c, const int64_t (*dims)[NRANK], const int *rank)
{
	int *ins = arena_newvec(c->g->arena, int, c->node->n_input + 1), n = 0;
	for (int k = 0; k < (int)c->node->n_input; k++) {
		Value *v = ox_in(c, k);
		if (v && v->kind == V_ACT)
			ins[n++] = v->t;
	}
	for (int k = 0; k < (int)c->node->n_output; k++) {
		if (!c->node->output[k][0])
			continue;
		int64_t bytes = 1;
		for (int i = 0; i < rank[k]; i++)
			if (!mul_ok_i64(bytes, dims[k][i], &bytes) || bytes > NBYTES_MAX)
				return ox_fail(c, "output too large");
		char name[NNAME];
		snprintf(name, sizeof name, "%.200s%s%.40s", c->nname, k ? "." : "",
			 k ? c->node->output[k] : "");
		int t = ir_opaque(c->g, name, bytes, ins, n);
		if (t < 0)
			return ir_fail(c);
		tag(c, t);
		Shape s; /* known dims: later ops may read the tensor as NCHW */
		if (to4(dims[k], rank[k], &s) && ir_shape_elems(s) == bytes)
			c->g->tensors[t].shape = s;
		if (set_out(c, k, t, dims[k], rank[k], true))
			return -1;
	}
	return 0;
}

/* OP_OPAQUE for a node of one output whose dims the rules here computed. */
static int opaque1(Ctx *c, const int64_t *dims, int rank)
{
	int64_t d[1][NRANK];
	memcpy(d[0], dims, rank * sizeof *dims);
	if (c->node->n_output != 1)
		return ox_fail(c, "several outputs");
	return opaque(c, (const int64_t(*)[NRANK])d, &rank);
}

static int lower_other(Ctx *c);

/* ---- convolution and pooling windows ---- */

static bool attr_range(const int64_t *v, int n, int64_t lo)
{
	for (int k = 0; k < n; k++)
		if (v[k] < lo || v[k] > NATTR_MAX)
			return false;
	return true;
}

/* Reads kernel_shape (when k is NULL), strides, dilations, pads, auto_pad
 * and, for pooling, ceil_mode into w, for a plane of h x w. */
static int window(Ctx *c, Shape x, const int64_t *kk, bool pool, Window *w)
{
	const Onnx__NodeProto *n = c->node;
	int64_t k[2], s[2] = {1, 1}, d[2] = {1, 1}, p[4] = {0, 0, 0, 0};
	int nk = ox_attr_ints(n, "kernel_shape", k, 2);
	if (kk && nk >= 0 && (nk != 2 || k[0] != kk[0] || k[1] != kk[1]))
		return ox_fail(c, "kernel_shape does not match the weights");
	if (kk)
		memcpy(k, kk, sizeof k);
	else if (nk != 2)
		return ox_fail(c, "kernel_shape must have two values (2-D pooling only)");
	int ns = ox_attr_ints(n, "strides", s, 2), nd = ox_attr_ints(n, "dilations", d, 2);
	int np = ox_attr_ints(n, "pads", p, 4);
	if ((ns >= 0 && ns != 2) || (nd >= 0 && nd != 2) || (np >= 0 && np != 4))
		return ox_fail(c, "strides, dilations and pads must be for two axes");
	if (!attr_range(k, 2, 1) || !attr_range(s, 2, 1) || !attr_range(d, 2, 1) ||
	    !attr_range(p, 4, 0))
		return ox_fail(c, "kernel, strides, dilations or pads out of range");
	int64_t in[2] = {x.h, x.w}, out[2];
	bool upper = ox_attr_is(n, "auto_pad", "SAME_UPPER", false);
	bool lower = ox_attr_is(n, "auto_pad", "SAME_LOWER", false);
	bool valid = ox_attr_is(n, "auto_pad", "VALID", false);
	if (!upper && !lower && !valid && !ox_attr_is(n, "auto_pad", "NOTSET", true))
		return ox_fail(c, "unknown auto_pad");
	bool ceil_mode = pool && ox_attr_i(n, "ceil_mode", 0);
	for (int a = 0; a < 2; a++) {
		int64_t span = d[a] * (k[a] - 1) + 1;
		if (upper || lower) {
			out[a] = (in[a] + s[a] - 1) / s[a];
			int64_t total = (out[a] - 1) * s[a] + span - in[a];
			total = total < 0 ? 0 : total;
			p[a] = upper ? total / 2 : total - total / 2;
			p[a + 2] = total - p[a];
		} else if (valid) {
			p[a] = p[a + 2] = 0;
		}
		int64_t room = in[a] + p[a] + p[a + 2] - span;
		if (room < 0)
			return ox_fail(c, "the window does not fit the input");
		if (ceil_mode && room % s[a]) {
			int64_t o = room / s[a] + 2;
			if ((o - 1) * s[a] >= in[a] + p[a])
				o--; /* the last window must start inside */
			p[a + 2] += (o - 1) * s[a] + span - (in[a] + p[a] + p[a + 2]);
		}
	}
	*w = (Window){(int)k[0], (int)k[1], (int)s[0], (int)s[1], (int)d[0], (int)d[1],
		      (int)p[0], (int)p[1], (int)p[2], (int)p[3], 1};
	return 0;
}

static float *fvec(Ctx *c, int64_t n)
{
	return arena_newvec(c->g->arena, float, n ? n : 1);
}

/* A depthwise 1x1 conv: y[c] = x[c] w[c] + b[c], the values given. */
static int depthwise(Ctx *c, Value *x, const float *w, const float *b)
{
	int xt = t4(c, x);
	if (xt < 0)
		return -1;
	int ch = tshape(c, xt).c;
	int t = ir_conv(c->g, c->nname, xt, ch, ir_window(1, 1, 1, ch));
	if (t < 0)
		return ir_fail(c);
	Op *op = &c->g->ops[c->g->tensors[t].producer];
	float *wf = fvec(c, ch), *bf = fvec(c, ch);
	memcpy(wf, w, ch * sizeof *wf);
	memcpy(bf, b, ch * sizeof *bf);
	c->g->consts[op->weight].fdata = wf;
	c->g->consts[op->bias].fdata = bf;
	tag(c, t);
	return set_out(c, 0, t, x->dims, x->rank, true);
}

static int lower_conv(Ctx *c)
{
	Value *x = act_in(c, 0), *w = NULL, *b = NULL;
	if (!x)
		return -1;
	if (x->rank != 4 || (ox_in(c, 1) && ox_in(c, 1)->rank != 4))
		return lower_other(c); /* 1-D, 3-D: opaque */
	if (!(w = const_in(c, 1, "weights", true)))
		return -1;
	if (ox_in(c, 2) && !(b = const_in(c, 2, "bias", true)))
		return -1;
	int xt = x->cropped ? x->t : t4(c, x);
	if (xt < 0)
		return -1;
	Shape xs = tshape(c, xt);
	if (x->cropped) /* the window is over the cropped plane */
		xs = (Shape){xs.n, xs.c, (int)x->dims[2], (int)x->dims[3]};
	int64_t group = ox_attr_i(c->node, "group", 1), cout = w->dims[0];
	if (group < 1 || group > xs.c || xs.c % group || w->dims[1] * group != xs.c ||
	    cout > NDIM_MAX)
		return ox_fail(c, "weights %lldx%lld with %lld groups do not fit %d input channels",
			       (long long)w->dims[0], (long long)w->dims[1], (long long)group, xs.c);
	if (b && b->count != cout)
		return ox_fail(c, "bias has %lld values for %lld channels", (long long)b->count,
			       (long long)cout);
	Window win;
	if (window(c, xs, w->dims + 2, false, &win))
		return -1;
	win.groups = (int)group;
	if (x->cropped) {
		win.pt -= x->crop[0];
		win.pl -= x->crop[1];
		win.pb -= x->crop[2];
		win.pr -= x->crop[3];
		ox_merge(c, x->cropped_by, c->nname);
	}
	int t = ir_conv(c->g, c->nname, xt, (int)cout, win);
	if (t < 0)
		return ir_fail(c);
	Op *op = &c->g->ops[c->g->tensors[t].producer];
	set_weights(c, op->weight, w);
	c->g->consts[op->bias].fdata = fvals(c, b, cout);
	return set_out4(c, t);
}

static int lower_bn(Ctx *c)
{
	Value *x = act_in(c, 0), *v[4];
	static const char *what[4] = {"scale", "bias", "mean", "var"};
	if (!x)
		return -1;
	if (ox_attr_i(c->node, "training_mode", 0))
		return ox_fail(c, "training_mode=1 (batch statistics) is not supported");
	if (x->rank < 2)
		return ox_fail(c, "input of rank %d", x->rank);
	int64_t ch = x->dims[1];
	for (int k = 0; k < 4; k++) {
		if (!(v[k] = const_in(c, k + 1, what[k], true)))
			return -1;
		if (v[k]->count != ch)
			return ox_fail(c, "%s has %lld values for %lld channels", what[k],
				       (long long)v[k]->count, (long long)ch);
	}
	float eps = ox_attr_f(c->node, "epsilon", 1e-5f);
	float *s = fvec(c, ch), *t = fvec(c, ch);
	for (int64_t k = 0; k < ch; k++) {
		double var = (double)ox_fval(v[3], k) + eps;
		if (!(var > 0))
			return ox_fail(c, "variance + epsilon is not positive");
		s[k] = (float)(ox_fval(v[0], k) / sqrt(var));
		t[k] = (float)(ox_fval(v[1], k) - (double)ox_fval(v[2], k) * s[k]);
	}
	Op *p = &c->g->ops[c->g->tensors[x->t].producer];
	if (p->kind == OP_CONV && !p->relu && x->direct && x->readers == 1 && !x->graph_out &&
	    (c->g->consts[p->weight].fdata ||
	     (c->g->consts[p->weight].lazy && c->g->consts[p->weight].count <= NFOLD_MAX))) {
		Const *w = &c->g->consts[p->weight], *b = &c->g->consts[p->bias];
		if (w->lazy) { /* scaled per channel: one value no more */
			w->fdata = fvec(c, w->count);
			for (int64_t i = 0; i < w->count; i++)
				w->fdata[i] = w->fill;
			w->lazy = false;
		}
		int64_t per = w->count / ch;
		for (int64_t o = 0; o < ch; o++) {
			for (int64_t i = 0; i < per; i++)
				w->fdata[o * per + i] *= s[o];
			b->fdata[o] = b->fdata[o] * s[o] + t[o];
		}
		ox_merge(c, c->nname, p->name);
		return set_out(c, 0, x->t, x->dims, x->rank, true);
	}
	return depthwise(c, x, s, t);
}

static bool relu_fusable(OpKind k)
{
	return k == OP_CONV || k == OP_FC || k == OP_ADD || k == OP_WSUM;
}

static int lower_relu(Ctx *c)
{
	Value *x = act_in(c, 0);
	if (!x)
		return -1;
	Op *p = &c->g->ops[c->g->tensors[x->t].producer];
	if (relu_fusable(p->kind) && !p->relu && x->direct && x->readers == 1 && !x->graph_out) {
		p->relu = true;
		ox_merge(c, c->nname, p->name);
		return set_out(c, 0, x->t, x->dims, x->rank, true);
	}
	int xt = t4(c, x);
	int t = xt < 0 ? -1 : ir_relu(c->g, c->nname, xt);
	if (t < 0)
		return xt < 0 ? -1 : ir_fail(c);
	tag(c, t);
	return set_out(c, 0, t, x->dims, x->rank, true);
}

static int scalar_in(Ctx *c, int k, float *v)
{
	Value *s = ox_in(c, k);
	if (!s)
		return 0;
	if (s->kind != V_CONST || s->count != 1)
		return ox_fail(c, "input %d must be a constant scalar", k);
	*v = ox_fval(s, 0);
	return 0;
}

static int lower_act(Ctx *c)
{
	Value *x = act_in(c, 0);
	if (!x)
		return -1;
	ActKind k;
	float a = 0, b = 0;
	if (is(c, "Clip")) {
		k = ACT_CLIP;
		a = ox_attr_f(c->node, "min", -FLT_MAX);
		b = ox_attr_f(c->node, "max", FLT_MAX);
		if (c->opset >= 11 && (scalar_in(c, 1, &a) || scalar_in(c, 2, &b)))
			return -1;
	} else if (is(c, "LeakyRelu")) {
		k = ACT_LEAKY;
		a = ox_attr_f(c->node, "alpha", 0.01f);
	} else if (is(c, "Sigmoid")) {
		k = ACT_SIGMOID;
	} else if (is(c, "HardSigmoid")) {
		k = ACT_HSIGMOID;
		a = ox_attr_f(c->node, "alpha", 0.2f);
		b = ox_attr_f(c->node, "beta", 0.5f);
	} else {
		k = ACT_HSWISH;
	}
	int xt = t4(c, x);
	int t = xt < 0 ? -1 : ir_act(c->g, c->nname, xt, k, a, b);
	if (t < 0)
		return xt < 0 ? -1 : ir_fail(c);
	tag(c, t);
	return set_out(c, 0, t, x->dims, x->rank, true);
}

static bool dims_eq(const Value *a, const Value *b)
{
	return a->rank == b->rank && memcmp(a->dims, b->dims, a->rank * sizeof *a->dims) == 0;
}

/* Per-channel constant k for activation x: its value for channel i, or
 * false when k is not one value, or one per channel of x laid out so. */
static bool per_channel(const Value *x, const Value *k)
{
	if (k->count == 1)
		return true;
	if (x->rank < 2 || k->count != x->dims[1])
		return false;
	/* k's dims, aligned to x's from the right, must be 1 but on axis 1 */
	for (int i = 0; i < k->rank; i++) {
		int ax = x->rank - k->rank + i;
		if (k->dims[i] != 1 && ax != 1)
			return false;
	}
	return true;
}

static int lower_binary(Ctx *c, char op)
{
	Value *a = ox_in(c, 0), *b = ox_in(c, 1);
	if (!a || !b)
		return ox_fail(c, "two inputs needed");
	if (a->kind == V_ACT && b->kind == V_ACT) {
		if (op == '*' && !dims_eq(a, b) && a->rank == 4 &&
		    b->rank == 4 && a->dims[2] == 1 && a->dims[3] == 1) {
			Value *s = a;
			a = b;
			b = s; /* the n x c x 1 x 1 factor second */
		}
		int at = t4(c, a), bt = at < 0 ? -1 : t4(c, b), t;
		if (bt < 0)
			return -1;
		if (op == '+' && dims_eq(a, b)) {
			int xs[2] = {at, bt};
			t = ir_add(c->g, c->nname, xs, 2);
		} else if (op == '*' && (dims_eq(a, b) || (a->rank == 4 && b->rank == 4 &&
							   b->dims[2] == 1 && b->dims[3] == 1))) {
			t = ir_mul(c->g, c->nname, at, bt);
		} else {
			return lower_other(c); /* another broadcast: opaque */
		}
		if (t < 0)
			return ir_fail(c);
		tag(c, t);
		return set_out(c, 0, t, a->dims, a->rank, true);
	}
	bool swap = a->kind != V_ACT;
	Value *x = swap ? b : a, *k = swap ? a : b;
	if (x->kind != V_ACT)
		return ox_fail(c, "no activation input");
	if (!k->isfloat || !per_channel(x, k) || (swap && op == '/'))
		return lower_other(c); /* not a depthwise conv: opaque */
	Value *y = ox_find(c, c->node->output[0]);
	if (op == '*' && k->count == 1 && !x->scaled && y->readers == 1 && !y->graph_out &&
	    strcmp(c->gp->node[y->reader]->op_type, "Sum") == 0) {
		if (set_out(c, 0, x->t, x->dims, x->rank, false))
			return -1;
		y->scaled = true;
		y->scale = ox_fval(k, 0);
		y->scaled_by = arena_strdup(c->g->arena, c->nname);
		return 0;
	}
	int64_t ch = x->dims[1 < x->rank ? 1 : 0];
	float *w = fvec(c, ch), *bb = fvec(c, ch);
	for (int64_t i = 0; i < ch; i++) {
		float v = ox_fval(k, k->count == 1 ? 0 : i);
		w[i] = op == '*' ? v : op == '/' ? 1 / v : op == '-' && swap ? -1 : 1;
		bb[i] = op == '+' ? v : op == '-' ? (swap ? v : -v) : 0;
	}
	return depthwise(c, x, w, bb);
}

static int lower_sum(Ctx *c)
{
	int n = (int)c->node->n_input, *xs = xmalloc((n ? n : 1) * sizeof *xs), rc = 0;
	Value *x0 = NULL;
	for (int k = 0; k < n && !rc; k++) {
		Value *x = act_in(c, k);
		if (!x || (x0 && !dims_eq(x, x0)))
			rc = x ? ox_fail(c, "inputs of different shapes") : -1;
		else if ((xs[k] = t4(c, x)) < 0)
			rc = -1;
		x0 = x0 ? x0 : x;
	}
	bool weighted = false;
	for (int k = 0; k < n && !rc; k++)
		weighted |= ox_in(c, k)->scaled;
	if (!rc && n == 1 && !weighted) {
		rc = view(c, x0, x0->dims, x0->rank);
	} else if (!rc) {
		int t = (weighted ? ir_wsum : ir_add)(c->g, c->nname, xs, n);
		if (t >= 0 && weighted) {
			Op *op = &c->g->ops[c->g->tensors[t].producer];
			float *w = fvec(c, n);
			for (int k = 0; k < n; k++) {
				Value *v = ox_in(c, k);
				w[k] = v->scaled ? v->scale : 1;
				if (v->scaled)
					ox_merge(c, v->scaled_by, c->nname);
			}
			c->g->consts[op->weight].fdata = w;
		}
		rc = t < 0 ? ir_fail(c) : (tag(c, t), set_out(c, 0, t, x0->dims, x0->rank, true));
	}
	free(xs);
	return rc;
}

static int lower_concat(Ctx *c)
{
	int n = (int)c->node->n_input, *xs = xmalloc((n ? n : 1) * sizeof *xs), rc = 0;
	int64_t dims[NRANK];
	int rank = 0;
	int64_t axis = ox_attr_i(c->node, "axis", 1);
	if (n < 1)
		rc = ox_fail(c, "no inputs");
	for (int k = 0; k < n && !rc; k++) {
		Value *x = act_in(c, k);
		if (!x) {
			rc = -1;
			break;
		}
		if (k == 0) {
			rank = x->rank;
			memcpy(dims, x->dims, sizeof dims);
			axis = axis < 0 ? axis + rank : axis;
			if (axis < 0 || axis >= rank) {
				rc = ox_fail(c, "bad axis");
				break;
			}
			dims[axis] = 0;
		}
		for (int i = 0; i < rank && !rc; i++)
			if (x->rank != rank || (i != axis && x->dims[i] != dims[i]))
				rc = ox_fail(c, "input '%s' does not match outside axis %lld",
					     x->name, (long long)axis);
		dims[axis] += rc ? 0 : x->dims[axis];
		if (!rc && axis == 1 && rank <= 4 && (xs[k] = t4(c, x)) < 0)
			rc = -1;
	}
	if (!rc && (axis != 1 || rank > 4)) {
		rc = opaque1(c, dims, rank); /* not along channels */
	} else if (!rc) {
		int t = ir_concat(c->g, c->nname, xs, n);
		rc = t < 0 ? ir_fail(c) : (tag(c, t), set_out(c, 0, t, dims, rank, true));
	}
	free(xs);
	return rc;
}

/* An average over whole kh x kw windows, padding counted, is a depthwise
 * convolution with weights 1 / (kh kw): one the NPU runs. */
static int avgpool_as_conv(Ctx *c, int xt, Shape xs, Window w)
{
	w.groups = xs.c;
	int t = ir_conv(c->g, c->nname, xt, xs.c, w);
	if (t < 0)
		return ir_fail(c);
	tag(c, t);
	Op *op = &c->g->ops[c->g->tensors[t].producer];
	int64_t n = (int64_t)xs.c * w.kh * w.kw;
	float *wf = fvec(c, n), *bf = fvec(c, xs.c);
	for (int64_t i = 0; i < n; i++)
		wf[i] = 1.0f / (float)(w.kh * w.kw);
	memset(bf, 0, xs.c * sizeof *bf);
	c->g->consts[op->weight].fdata = wf;
	c->g->consts[op->bias].fdata = bf;
	return set_out4(c, t);
}

/* AveragePool with count_include_pad=1: the IR's average counts only the
 * valid elements, so the padding becomes zeros of their own, an OP_PAD named
 * NODE.pad, and the pool pads no more (but for ceil_mode's extra rows and
 * columns past the padded input, which ONNX does not count either). */
static int lower_avgpool_include_pad(Ctx *c, int xt, Shape xs, Window w)
{
	Window p;
	if (window(c, xs, NULL, false, &p)) /* the pads alone, without ceil_mode's */
		return -1;
	if (p.pt < 0 || p.pl < 0 || p.pb < 0 || p.pr < 0)
		return ox_fail(c, "negative pads");
	if (p.pb == w.pb && p.pr == w.pr) /* every window counts kh x kw elements */
		return avgpool_as_conv(c, xt, xs, w);
	char name[NNAME];
	snprintf(name, sizeof name, "%.240s.pad", c->nname);
	int t = ir_pad(c->g, name, xt, p.pt, p.pl, p.pb, p.pr);
	if (t < 0)
		return ir_fail(c);
	c->g->ops[c->g->tensors[t].producer].otype = "Pad";
	w.pb -= p.pb;
	w.pr -= p.pr;
	w.pt = w.pl = 0;
	return set_out4(c, ir_pool(c->g, c->nname, OP_AVGPOOL, t, w));
}

static int lower_pool(Ctx *c)
{
	Value *x = act_in(c, 0);
	if (!x)
		return -1;
	if (x->rank != 4)
		return lower_other(c); /* 1-D, 3-D: opaque */
	if (c->node->n_output > 1 && c->node->output[1][0])
		return ox_fail(c, "the Indices output is not supported");
	int xt = x->cropped ? x->t : t4(c, x);
	if (xt < 0)
		return -1;
	Shape xs = tshape(c, xt);
	Window w;
	bool avg = is(c, "AveragePool");
	if (x->cropped) { /* zeros of a Pad (pad_folds): an average that counts them */
		xs = (Shape){xs.n, xs.c, (int)x->dims[2], (int)x->dims[3]};
		if (window(c, xs, NULL, true, &w))
			return -1;
		w.pt -= x->crop[0];
		w.pl -= x->crop[1];
		w.pb -= x->crop[2];
		w.pr -= x->crop[3];
		ox_merge(c, x->cropped_by, c->nname);
		return avgpool_as_conv(c, xt, xs, w);
	}
	if (is(c, "GlobalMaxPool")) {
		w = (Window){xs.h, xs.w, 1, 1, 1, 1, 0, 0, 0, 0, 1};
		if (xs.h > 1024 || xs.w > 1024)
			return ox_fail(c, "plane too large for a pooling window");
	} else if (window(c, xs, NULL, true, &w)) {
		return -1;
	}
	if (avg && (w.dh != 1 || w.dw != 1))
		return ox_fail(c, "dilated average pooling is not supported");
	if (avg && ox_attr_i(c->node, "count_include_pad", 0) && (w.pt || w.pl || w.pb || w.pr))
		return lower_avgpool_include_pad(c, xt, xs, w);
	return set_out4(c, ir_pool(c->g, c->nname, avg ? OP_AVGPOOL : OP_MAXPOOL, xt, w));
}

static int lower_gap(Ctx *c, bool keep)
{
	Value *x = act_in(c, 0);
	if (x && x->rank != 4)
		return lower_other(c); /* 1-D, 3-D: opaque */
	int xt = x ? t4(c, x) : -1;
	if (xt < 0)
		return -1;
	int t = ir_gavgpool(c->g, c->nname, xt);
	if (t < 0)
		return ir_fail(c);
	tag(c, t);
	int64_t d[4] = {x->dims[0], x->dims[1], 1, 1};
	return set_out(c, 0, t, d, keep ? 4 : 2, true);
}

static int lower_reducemean(Ctx *c)
{
	Value *x = act_in(c, 0);
	if (!x)
		return -1;
	int64_t axes[NRANK];
	int na = -1;
	Value *av = ox_in(c, 1);
	if (c->opset >= 18 && av) {
		if (av->kind != V_CONST || av->count > NRANK)
			return ox_fail(c, "axes must be a constant");
		na = (int)av->count;
		for (int k = 0; k < na; k++)
			axes[k] = cint(av, k);
	} else if (c->opset < 18) {
		na = ox_attr_ints(c->node, "axes", axes, NRANK);
	}
	bool keep = ox_attr_i(c->node, "keepdims", 1) != 0, mark[NRANK] = {0};
	if (na < 0 || na > NRANK) {
		na = x->rank; /* all axes */
		for (int k = 0; k < na; k++)
			axes[k] = k;
	}
	for (int k = 0; k < na; k++) {
		int64_t ax = axes[k] < 0 ? axes[k] + x->rank : axes[k];
		if (ax < 0 || ax >= x->rank)
			return ox_fail(c, "bad axis %lld", (long long)axes[k]);
		mark[ax] = true;
	}
	if (x->rank == 4 && mark[2] && mark[3] && !mark[0] && !mark[1])
		return lower_gap(c, keep);
	int64_t d[NRANK];
	int r = 0;
	for (int k = 0; k < x->rank; k++)
		if (!mark[k] || keep)
			d[r++] = mark[k] ? 1 : x->dims[k];
	return opaque1(c, d, r);
}

/* An fc of weights w (nout x kin; NULL: all wfill, kept lazy) and bias b. */
static int lower_fc(Ctx *c, Value *x, int64_t m, int64_t kin, int64_t nout, float *w, float wfill,
		    float *b)
{
	int xt = x->t;
	Shape s = tshape(c, xt);
	if (s.n != m || ir_shape_elems(s) != m * kin)
		xt = t4(c, x);
	if (xt < 0)
		return -1;
	if (nout > NDIM_MAX)
		return ox_fail(c, "too many outputs");
	int t = ir_fc(c->g, c->nname, xt, (int)nout);
	if (t < 0)
		return ir_fail(c);
	Op *op = &c->g->ops[c->g->tensors[t].producer];
	c->g->consts[op->weight].fdata = w;
	c->g->consts[op->weight].lazy = !w;
	c->g->consts[op->weight].fill = wfill;
	c->g->consts[op->bias].fdata = b;
	tag(c, t);
	int64_t d[2] = {m, nout};
	return set_out(c, 0, t, d, 2, true);
}

/* Whether input k is an activation: then an op of two activations (a
 * Gemm, MatMul of attention), which the IR keeps opaque. */
static bool act_at(Ctx *c, int k)
{
	Value *v = ox_in(c, k);
	return v && v->kind == V_ACT;
}

static int lower_gemm(Ctx *c)
{
	if (!act_in(c, 0))
		return -1;
	if (act_at(c, 1) || act_at(c, 2) || ox_attr_i(c->node, "transA", 0))
		return lower_other(c);
	Value *x = act_in(c, 0), *bm = const_in(c, 1, "B", true), *cv = NULL;
	if (!bm)
		return -1;
	if (ox_in(c, 2) && !(cv = const_in(c, 2, "C", true)))
		return -1;
	if (x->rank != 2 || bm->rank != 2)
		return ox_fail(c, "A and B must be 2-D");
	bool tb = ox_attr_i(c->node, "transB", 0) != 0;
	float alpha = ox_attr_f(c->node, "alpha", 1), beta = ox_attr_f(c->node, "beta", 1);
	int64_t m = x->dims[0], kin = x->dims[1];
	int64_t kb = tb ? bm->dims[1] : bm->dims[0], nout = tb ? bm->dims[0] : bm->dims[1];
	if (kb != kin)
		return ox_fail(c, "A has %lld columns, B %lld rows", (long long)kin, (long long)kb);
	if (cv && cv->count != 1 && (cv->count != nout || (cv->rank == 2 && cv->dims[0] != 1)))
		return ox_fail(c, "C must have one value or one per output (%lld)", (long long)nout);
	float *w = bm->lazy ? NULL : fvec(c, nout * kin), *b = fvec(c, nout);
	for (int64_t o = 0; o < nout; o++) {
		for (int64_t i = 0; w && i < kin; i++)
			w[o * kin + i] = alpha * bm->f[tb ? o * kin + i : i * nout + o];
		b[o] = cv ? beta * ox_fval(cv, cv->count == 1 ? 0 : o) : 0;
	}
	return lower_fc(c, x, m, kin, nout, w, alpha * bm->ffill, b);
}

static int lower_matmul(Ctx *c)
{
	Value *x = act_in(c, 0), *bm = NULL;
	if (!x)
		return -1;
	if (act_at(c, 1) || x->rank != 2 || (ox_in(c, 1) && ox_in(c, 1)->rank != 2))
		return lower_other(c); /* batched, or of two activations: opaque */
	if (!(bm = const_in(c, 1, "B", true)))
		return -1;
	if (bm->dims[0] != x->dims[1])
		return ox_fail(c, "A has %lld columns, B %lld rows", (long long)x->dims[1],
			       (long long)bm->dims[0]);
	int64_t kin = bm->dims[0], nout = bm->dims[1];
	float *w = bm->lazy ? NULL : fvec(c, nout * kin), *b = fvec(c, nout);
	for (int64_t o = 0; w && o < nout; o++)
		for (int64_t i = 0; i < kin; i++)
			w[o * kin + i] = bm->f[i * nout + o];
	return lower_fc(c, x, x->dims[0], kin, nout, w, bm->ffill, b);
}

static int lower_view(Ctx *c)
{
	Value *x = act_in(c, 0);
	if (!x)
		return -1;
	int64_t d[NRANK];
	int r = 2;
	if (is(c, "Flatten")) {
		if (ox_flatten_dims(c, x, d))
			return -1;
	} else if (is(c, "Reshape")) {
		if (ox_reshape_dims(c, x, ox_in(c, 1), d, &r))
			return -1;
	} else if (is(c, "Squeeze") || is(c, "Unsqueeze")) {
		if (ox_squeeze_dims(c, x, is(c, "Unsqueeze"), d, &r))
			return -1;
	} else {
		/* Identity, Dropout: the mask output, if read, is not supported */
		if (c->node->n_output > 1 && c->node->output[1][0] &&
		    ox_find(c, c->node->output[1])->readers)
			return ox_fail(c, "the mask output is not supported");
		r = x->rank;
		memcpy(d, x->dims, sizeof d);
	}
	return view(c, x, d, r);
}

static int lower_transpose(Ctx *c)
{
	Value *x = act_in(c, 0);
	if (!x)
		return -1;
	int64_t p[NRANK], d[NRANK];
	int np = ox_attr_ints(c->node, "perm", p, NRANK), r = x->rank;
	if (np < 0)
		for (np = 0; np < r; np++)
			p[np] = r - 1 - np;
	bool seen[NRANK] = {0};
	if (np != r)
		return ox_fail(c, "perm has %d axes for rank %d", np, r);
	for (int k = 0; k < r; k++) {
		if (p[k] < 0 || p[k] >= r || seen[p[k]])
			return ox_fail(c, "perm is not a permutation");
		seen[p[k]] = true;
		d[k] = x->dims[p[k]];
	}
	Shape s = tshape(c, x->t);
	if (r == 5 && p[0] == 0 && p[1] == 2 && p[2] == 1 && p[3] == 3 && p[4] == 4 &&
	    s.n == x->dims[0] && s.c == x->dims[1] * x->dims[2] && s.h == x->dims[3] &&
	    s.w == x->dims[4]) {
		int t = ir_shuffle(c->g, c->nname, x->t, (int)x->dims[1]);
		if (t < 0)
			return ir_fail(c);
		tag(c, t);
		return set_out(c, 0, t, d, r, true);
	}
	if (r > 4)
		return opaque1(c, d, r);
	int perm[4] = {0, 1, 2, 3}, xt = t4(c, x);
	for (int k = 0; k < r; k++)
		perm[k] = (int)p[k];
	int t = xt < 0 ? -1 : ir_transpose(c->g, c->nname, xt, perm);
	if (t < 0)
		return xt < 0 ? -1 : ir_fail(c);
	tag(c, t);
	return set_out(c, 0, t, d, r, true);
}

/* One OP_SLICE of x along axis; output k of the node. */
static int slice_out(Ctx *c, Value *x, int k, int axis, int64_t start, int64_t end, int64_t step)
{
	int64_t d[NRANK];
	memcpy(d, x->dims, sizeof d);
	d[axis] = (end - start + step - 1) / step;
	int xt = t4(c, x);
	if (xt < 0)
		return -1;
	char name[NNAME];
	snprintf(name, sizeof name, "%.240s", k ? c->node->output[k] : c->nname);
	ox_safe_name(name);
	int t = ir_slice(c->g, name, xt, axis, (int)start, (int)end, (int)step);
	if (t < 0)
		return ir_fail(c);
	tag(c, t);
	return set_out(c, k, t, d, x->rank, true);
}

static int lower_split(Ctx *c)
{
	Value *x = act_in(c, 0);
	if (!x)
		return -1;
	int64_t axis = ox_attr_i(c->node, "axis", 0), sz[64];
	axis = axis < 0 ? axis + x->rank : axis;
	int n = (int)c->node->n_output, ns;
	if (axis < 0 || axis >= x->rank || x->rank > 4 || n > 64)
		return ox_fail(c, "bad axis, rank above 4 or too many outputs");
	Value *sv = ox_in(c, 1);
	if (c->opset >= 13 && sv) {
		if (sv->kind != V_CONST || sv->isfloat || sv->count > 64)
			return ox_fail(c, "split must be an integer constant");
		ns = (int)sv->count;
		for (int k = 0; k < ns; k++)
			sz[k] = ox_ival(sv, k);
	} else {
		ns = c->opset < 13 ? ox_attr_ints(c->node, "split", sz, 64) : -1;
	}
	int64_t dim = x->dims[axis], start = 0;
	if (ns < 0) {
		if (dim % n)
			return ox_fail(c, "%lld does not split in %d equal parts", (long long)dim, n);
		for (ns = 0; ns < n; ns++)
			sz[ns] = dim / n;
	}
	if (ns != n)
		return ox_fail(c, "%d sizes for %d outputs", ns, n);
	for (int k = 0; k < n; k++) {
		if (sz[k] < 1 || sz[k] > dim - start)
			return ox_fail(c, "split sizes do not add up to %lld", (long long)dim);
		start += sz[k];
	}
	if (start != dim)
		return ox_fail(c, "split sizes do not add up to %lld", (long long)dim);
	start = 0;
	for (int k = 0; k < n; k++) {
		if (slice_out(c, x, k, (int)axis, start, start + sz[k], 1))
			return -1;
		start += sz[k];
	}
	return 0;
}

static int ints_in(Ctx *c, int k, int64_t *v, int max)
{
	Value *s = ox_in(c, k);
	if (!s)
		return -1;
	if (s->kind != V_CONST || s->isfloat || s->count > max)
		return ox_fail(c, "input %d must be an integer constant", k), -2;
	for (int i = 0; i < s->count; i++)
		v[i] = ox_ival(s, i);
	return (int)s->count;
}

/* Whether conv node r can take a crop (top, left, bottom, right) of its
 * input as negative padding: only where it pads nothing itself, or its
 * zeros would stand where the cropped rows were. */
static bool crop_folds(const Onnx__NodeProto *r, const int crop[4])
{
	if (strcmp(r->op_type, "Conv") != 0 || !(ox_attr_is(r, "auto_pad", "NOTSET", true) ||
						 ox_attr_is(r, "auto_pad", "VALID", false)))
		return false;
	int64_t pads[4] = {0, 0, 0, 0};
	int np = ox_attr_ints(r, "pads", pads, 4);
	for (int k = 0; k < 4; k++)
		if (crop[k] && np == 4 && pads[k])
			return false;
	return np == 4 || np <= 0;
}

static int lower_slice(Ctx *c)
{
	Value *x = act_in(c, 0);
	if (!x)
		return -1;
	int64_t st[NRANK], en[NRANK], ax[NRANK], sp[NRANK];
	int ns, ne, na, nsp = -1;
	if (c->opset < 10) {
		ns = ox_attr_ints(c->node, "starts", st, NRANK);
		ne = ox_attr_ints(c->node, "ends", en, NRANK);
		na = ox_attr_ints(c->node, "axes", ax, NRANK);
	} else {
		ns = ints_in(c, 1, st, NRANK);
		ne = ints_in(c, 2, en, NRANK);
		na = ints_in(c, 3, ax, NRANK);
		nsp = ints_in(c, 4, sp, NRANK);
		if (ns == -2 || ne == -2 || na == -2 || nsp == -2)
			return -1;
	}
	if (ns < 0 || ns != ne || ns > NRANK || (na >= 0 && na != ns) || (nsp >= 0 && nsp != ns))
		return ox_fail(c, "starts, ends, axes and steps do not match");
	int naxes = 0, crop[4] = {0, 0, 0, 0}, axs[NRANK];
	int64_t ss[NRANK], es[NRANK], ps[NRANK];
	bool plane = x->rank == 4 && shape_is(tshape(c, x->t), (Shape){(int)x->dims[0],
			(int)x->dims[1], (int)x->dims[2], (int)x->dims[3]});
	int64_t d0[NRANK];
	memcpy(d0, x->dims, sizeof d0);
	for (int k = 0; k < ns; k++) {
		int64_t a = na >= 0 ? ax[k] : k, step = nsp >= 0 ? sp[k] : 1;
		a = a < 0 ? a + x->rank : a;
		if (a < 0 || a >= x->rank)
			return ox_fail(c, "bad axis %lld", (long long)(na >= 0 ? ax[k] : k));
		if (step < 1)
			return lower_other(c); /* backwards: opaque */
		int64_t d = x->dims[a], s = ox_clamp_index(st[k], d), e = ox_clamp_index(en[k], d);
		if (step > d) /* the same elements, without overflow in the lengths */
			step = d > 0 ? d : 1;
		int64_t *dd = d0;
		if (s == 0 && e == d && step == 1)
			continue; /* the whole axis */
		if (e <= s)
			return ox_fail(c, "empty slice");
		plane &= (a == 2 || a == 3) && step == 1;
		if (plane) {
			crop[a - 2] = (int)s;
			crop[a] = (int)(d - e);
			dd[a] = e - s;
		}
		axs[naxes] = (int)a;
		ss[naxes] = s;
		es[naxes] = e;
		ps[naxes++] = step;
	}
	if (!naxes)
		return view(c, x, x->dims, x->rank);
	Value *y = ox_find(c, c->node->output[0]);
	if (plane && y->readers == 1 && !y->graph_out && crop_folds(c->gp->node[y->reader], crop)) {
		/* a crop the conv reading it takes as negative padding */
		if (set_out(c, 0, x->t, d0, 4, false))
			return -1;
		y->cropped = true;
		memcpy(y->crop, crop, sizeof crop);
		y->cropped_by = arena_strdup(c->g->arena, c->nname);
		return 0;
	}
	if (x->rank > 4)
		return lower_other(c);
	if (naxes == 1)
		return slice_out(c, x, 0, axs[0], ss[0], es[0], ps[0]);
	/* one OP_SLICE per axis, the last named after the node */
	int t = t4(c, x);
	memcpy(d0, x->dims, sizeof d0);
	for (int k = 0; k < naxes && t >= 0; k++) {
		char name[NNAME];
		snprintf(name, sizeof name, "%.240s.%d", c->nname, axs[k]);
		d0[axs[k]] = (es[k] - ss[k] + ps[k] - 1) / ps[k];
		t = ir_slice(c->g, k == naxes - 1 ? c->nname : name, t, axs[k], (int)ss[k],
			     (int)es[k], (int)ps[k]);
		if (t < 0)
			return ir_fail(c);
		tag(c, t);
	}
	return t < 0 ? -1 : set_out(c, 0, t, d0, x->rank, true);
}

/* Whether Pad's output y (of x, 4-D) is read by one Conv, or by one
 * AveragePool that pads nothing itself (its average then counts the zeros:
 * a depthwise convolution), which can take the padding as its own. */
static bool pad_folds(Ctx *c, const Value *x, const Value *y)
{
	if (!y || y->readers != 1 || y->graph_out || x->cropped ||
	    !shape_is(tshape(c, x->t), (Shape){(int)x->dims[0], (int)x->dims[1],
					       (int)x->dims[2], (int)x->dims[3]}))
		return false;
	const Onnx__NodeProto *r = c->gp->node[y->reader];
	if (strcmp(r->op_type, "Conv") == 0)
		return true;
	int64_t pads[4];
	int np = ox_attr_ints(r, "pads", pads, 4);
	for (int k = 0; k < np; k++)
		if (pads[k])
			return false;
	return strcmp(r->op_type, "AveragePool") == 0 && !ox_attr_i(r, "ceil_mode", 0) &&
	       (ox_attr_is(r, "auto_pad", "NOTSET", true) || ox_attr_is(r, "auto_pad", "VALID", false));
}

static int lower_pad(Ctx *c)
{
	Value *x = act_in(c, 0);
	if (!x)
		return -1;
	int64_t p[2 * NRANK] = {0}, raw[2 * NRANK], axes[NRANK];
	float value = 0;
	int np, na = -1, r = x->rank;
	if (c->opset < 11) {
		np = ox_attr_ints(c->node, "pads", raw, 2 * NRANK);
		value = ox_attr_f(c->node, "value", 0);
	} else {
		np = ints_in(c, 1, raw, 2 * NRANK);
		if (np == -2 || scalar_in(c, 2, &value) || (na = ints_in(c, 3, axes, NRANK)) == -2)
			return -1;
	}
	if (!ox_attr_is(c->node, "mode", "constant", true) || value != 0 || r != 4)
		return lower_other(c); /* reflect, edge, a value, not 4-D: opaque */
	if (na < 0) {
		na = r;
		for (int k = 0; k < r; k++)
			axes[k] = k;
	}
	if (np != 2 * na)
		return ox_fail(c, "pads must have two values per axis");
	for (int k = 0; k < na; k++) {
		int64_t a = axes[k] < 0 ? axes[k] + r : axes[k];
		if (a < 0 || a >= r)
			return ox_fail(c, "bad axis");
		p[a] = raw[k];
		p[a + r] = raw[k + na];
	}
	if (p[0] || p[1] || p[4] || p[5] || !attr_range(p, 8, 0))
		return lower_other(c); /* of N or C, or negative: opaque */
	Value *y = ox_find(c, c->node->output[0]);
	if (pad_folds(c, x, y)) {
		/* the reader pads: a crop by minus the pads (lower_conv, lower_pool) */
		int64_t d[4] = {x->dims[0], x->dims[1], x->dims[2] + p[2] + p[6],
				x->dims[3] + p[3] + p[7]};
		if (set_out(c, 0, x->t, d, 4, false))
			return -1;
		y->cropped = true;
		int crop[4] = {-(int)p[2], -(int)p[3], -(int)p[6], -(int)p[7]};
		memcpy(y->crop, crop, sizeof crop);
		y->cropped_by = arena_strdup(c->g->arena, c->nname);
		return 0;
	}
	int xt = t4(c, x);
	if (xt < 0)
		return -1;
	return set_out4(c, ir_pad(c->g, c->nname, xt, (int)p[2], (int)p[3], (int)p[6], (int)p[7]));
}

/* A node outside the supported ops, or with attributes the IR cannot
 * express: opaque, its output dims inferred (onnx_infer.c) or, where they
 * are not, stated by the file (value_info). */
static int lower_other(Ctx *c)
{
	int n = (int)c->node->n_output;
	if (n > 16)
		return ox_fail(c, "too many outputs");
	int64_t d[16][NRANK];
	int r[16];
	char why[NERRMSG / 2] = "a custom op";
	for (int k = 0; k < n; k++)
		r[k] = -1;
	for (int k = 0; k < (int)c->node->n_input; k++) {
		Value *v = ox_in(c, k);
		if (!v && in_name(c, k)[0])
			return ox_fail(c, "input '%s' is not defined", in_name(c, k));
	}
	int inf = c->custom ? 0 : ox_infer(c, d, r, why, sizeof why);
	if (inf < 0)
		return -1;
	for (int k = 0; k < n; k++) {
		if (!c->node->output[k][0]) {
			r[k] = 0;
			continue;
		}
		if (inf == 0 || r[k] < 0) {
			if ((r[k] = ox_file_dims(c, c->node->output[k], d[k])) < 0)
				return ox_fail(c, "the shape of output '%s' is not known here (%s), "
						  "and the file does not state it",
					       c->node->output[k], why);
			continue;
		}
		for (int i = 0; i < r[k]; i++)
			if (d[k][i] < 0 || d[k][i] > NDIM_MAX)
				return ox_fail(c, "output '%s': dim %d would be %lld (0 to %d)",
					       c->node->output[k], i, (long long)d[k][i], NDIM_MAX);
	}
	return opaque(c, (const int64_t(*)[NRANK])d, r);
}

int ox_lower(Ctx *c)
{
	if (c->custom) /* another domain's op of a standard name is not that op */
		return lower_other(c);
	if (is(c, "Conv"))
		return lower_conv(c);
	if (is(c, "BatchNormalization"))
		return lower_bn(c);
	if (is(c, "Relu"))
		return lower_relu(c);
	if (is(c, "Clip") || is(c, "LeakyRelu") || is(c, "Sigmoid") || is(c, "HardSigmoid") ||
	    is(c, "HardSwish"))
		return lower_act(c);
	if (is(c, "Add") || is(c, "Sub") || is(c, "Mul") || is(c, "Div"))
		return lower_binary(c, is(c, "Add") ? '+' : is(c, "Sub") ? '-' : is(c, "Mul") ? '*' : '/');
	if (is(c, "Sum"))
		return lower_sum(c);
	if (is(c, "Concat"))
		return lower_concat(c);
	if (is(c, "MaxPool") || is(c, "AveragePool") || is(c, "GlobalMaxPool"))
		return lower_pool(c);
	if (is(c, "GlobalAveragePool"))
		return lower_gap(c, true);
	if (is(c, "ReduceMean"))
		return lower_reducemean(c);
	if (is(c, "Gemm"))
		return lower_gemm(c);
	if (is(c, "MatMul"))
		return lower_matmul(c);
	if (is(c, "Dropout") && ox_in(c, 2) &&
	    (ox_in(c, 2)->kind != V_CONST || ox_in(c, 2)->count != 1 || cint(ox_in(c, 2), 0)))
		return ox_fail(c, "training_mode must be a constant false");
	if (is(c, "Flatten") || is(c, "Reshape") || is(c, "Squeeze") || is(c, "Unsqueeze") ||
	    is(c, "Identity") || is(c, "Dropout"))
		return lower_view(c);
	if (is(c, "Transpose"))
		return lower_transpose(c);
	if (is(c, "Split"))
		return lower_split(c);
	if (is(c, "Slice"))
		return lower_slice(c);
	if (is(c, "Pad"))
		return lower_pad(c);
	return lower_other(c);
}
