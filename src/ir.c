/* ir.c: graph builder, verifier and queries. */
#include "ir.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ir_find(const Graph *g, const char *name)
{
	return strmap_get(g->names, name);
}

/* ---- graph ---- */

Graph *ir_new(const char *name)
{
	Arena *a = arena_new();
	Graph *g = arena_new1(a, Graph);
	g->arena = a;
	g->name = arena_strdup(a, name ? name : "graph");
	g->acc_bits = 32;
	g->names = calloc(1, sizeof *g->names);
	if (!g->names)
		abort();
	return g;
}

void ir_free(Graph *g)
{
	if (!g)
		return;
	strmap_free(g->names);
	free(g->names);
	arena_free(g->arena);
}

bool ir_ok(const Graph *g)
{
	return !g->failed;
}

static int fail(Graph *g, const char *fmt, ...) SY_PRINTF(2, 3);
static int fail(Graph *g, const char *fmt, ...)
{
	if (!g->failed) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(g->err.msg, sizeof g->err.msg, fmt, ap);
		va_end(ap);
		g->failed = true;
	}
	return -1;
}

int ir_dtype_size(DType dt)
{
	static const int size[NDTYPE] = {[DT_I8] = 1, [DT_I32] = 4, [DT_F32] = 4};
	return size[dt];
}

const char *ir_kind_name(OpKind k)
{
	static const char *name[NOPKIND] = {
		[OP_INPUT] = "input",     [OP_CONV] = "conv",       [OP_MAXPOOL] = "maxpool",
		[OP_AVGPOOL] = "avgpool", [OP_GAVGPOOL] = "gavgpool", [OP_ADD] = "add",
		[OP_WSUM] = "wsum",       [OP_CONCAT] = "concat",   [OP_RELU] = "relu",
		[OP_FC] = "fc",           [OP_OPAQUE] = "opaque",   [OP_PCONV] = "pconv",
		[OP_REQUANT] = "requant", [OP_ACT] = "act",       [OP_MUL] = "mul",
		[OP_SLICE] = "slice",     [OP_PAD] = "pad",         [OP_SHUFFLE] = "shuffle",
		[OP_TRANSPOSE] = "transpose", [OP_RESHAPE] = "reshape",  [OP_JOIN] = "join",
	};
	return (unsigned)k < NOPKIND ? name[k] : "?";
}

int64_t ir_shape_elems(Shape s)
{
	int64_t r = 1;
	int d[4] = {s.n, s.c, s.h, s.w};
	for (int i = 0; i < 4; i++)
		if (d[i] < 0 || !mul_ok_i64(r, d[i], &r))
			return -1;
	return r;
}

static bool shape_ok(Shape s)
{
	return s.n >= 1 && s.c >= 1 && s.h >= 1 && s.w >= 1 && s.n <= NDIM_MAX && s.c <= NDIM_MAX &&
	       s.h <= NDIM_MAX && s.w <= NDIM_MAX;
}

static bool shape_eq(Shape a, Shape b)
{
	return a.n == b.n && a.c == b.c && a.h == b.h && a.w == b.w;
}

static bool name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n >= NNAME)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			return false;
	return true;
}

static bool in_ok(const Graph *g, int t)
{
	return t >= 0 && t < g->ntensors;
}

static int new_const(Graph *g, const char *opname, const char *suffix, int64_t count, DType dt)
{
	if (g->nconsts == g->capconsts) {
		int cap = g->capconsts ? 2 * g->capconsts : 64;
		g->consts = arena_grow(g->arena, g->consts, sizeof *g->consts, g->nconsts, cap);
		g->capconsts = cap;
	}
	Const *c = &g->consts[g->nconsts];
	size_t n = strlen(opname) + strlen(suffix) + 1;
	char *name = arena_alloc(g->arena, n);
	snprintf(name, n, "%s%s", opname, suffix);
	c->name = name;
	c->count = count;
	c->dtype = dt;
	c->bytes = count * ir_dtype_size(dt);
	return g->nconsts++;
}

/* Appends an op reading xs[0..n) and making one tensor of shape s (or of
 * `bytes` when s is all zero); returns the tensor's index. */
static int new_op(Graph *g, const char *name, OpKind kind, const int *xs, int n, Shape s, DType dt,
		  int64_t bytes)
{
	if (g->failed)
		return -1;
	if (!name || !name_ok(name))
		return fail(g, "node '%.64s': bad name (empty, too long or with whitespace)",
			    name ? name : "");
	if (ir_find(g, name) >= 0)
		return fail(g, "node %s: duplicate name", name);
	if (g->nops >= NOPS_MAX)
		return fail(g, "node %s: more than %d ops", name, NOPS_MAX);
	for (int i = 0; i < n; i++)
		if (!in_ok(g, xs[i]))
			return fail(g, "node %s: input %d undefined", name, i);
	if (kind != OP_OPAQUE) {
		if (!shape_ok(s))
			return fail(g, "node %s: bad output shape %dx%dx%dx%d", name, s.n, s.c, s.h, s.w);
		int64_t e = ir_shape_elems(s);
		if (e < 0 || !mul_ok_i64(e, ir_dtype_size(dt), &bytes) || bytes > NBYTES_MAX)
			return fail(g, "node %s: tensor too large", name);
	} else if (bytes < 0 || bytes > NBYTES_MAX) {
		return fail(g, "node %s: bad size %lld", name, (long long)bytes);
	}

	if (g->nops == g->capops) {
		int cap = g->capops ? 2 * g->capops : 64;
		g->ops = arena_grow(g->arena, g->ops, sizeof *g->ops, g->nops, cap);
		g->capops = cap;
	}
	if (g->ntensors == g->captensors) {
		int cap = g->captensors ? 2 * g->captensors : 64;
		g->tensors = arena_grow(g->arena, g->tensors, sizeof *g->tensors, g->ntensors, cap);
		g->captensors = cap;
	}
	int o = g->nops++, t = g->ntensors++;
	Op *op = &g->ops[o];
	memset(op, 0, sizeof *op);
	op->name = arena_strdup(g->arena, name);
	op->kind = kind;
	op->nin = n;
	op->in = arena_newvec(g->arena, int, n);
	if (n)
		memcpy(op->in, xs, n * sizeof *xs);
	op->nout = 1;
	op->out = arena_newvec(g->arena, int, 1);
	op->out[0] = t;
	op->weight = op->bias = -1;

	Tensor *tt = &g->tensors[t];
	memset(tt, 0, sizeof *tt);
	tt->name = op->name;
	tt->shape = kind == OP_OPAQUE ? (Shape){0, 0, 0, 0} : s;
	tt->dtype = dt;
	tt->bytes = bytes;
	tt->producer = o;
	strmap_put(g->names, tt->name, t); /* unique: the builders check */
	g->linked = false;
	return t;
}

static Op *last_op(Graph *g)
{
	return &g->ops[g->nops - 1];
}

Window ir_window(int k, int s, int d, int groups)
{
	int p = d * (k - 1) / 2;
	return (Window){k, k, s, s, d, d, p, p, p, p, groups};
}

static bool window_ok(Window w)
{
	return w.kh >= 1 && w.kw >= 1 && w.sh >= 1 && w.sw >= 1 && w.dh >= 1 && w.dw >= 1 &&
	       w.kh <= 1024 && w.kw <= 1024 && w.sh <= 1024 && w.sw <= 1024 && w.dh <= 1024 &&
	       w.dw <= 1024 && w.pt > -1024 && w.pl > -1024 && w.pb > -1024 && w.pr > -1024 &&
	       w.pt <= 1024 && w.pl <= 1024 && w.pb <= 1024 && w.pr <= 1024;
}

/* Output extent of a window over n; < 1 when the window does not fit. */
static int window_out(int n, int k, int s, int d, int p0, int p1)
{
	int64_t span = (int64_t)d * (k - 1) + 1;
	int64_t in = (int64_t)n + p0 + p1;
	if (in < span)
		return 0;
	return (int)((in - span) / s + 1);
}

static Shape window_shape(Shape x, Window w, int c)
{
	return (Shape){x.n, c, window_out(x.h, w.kh, w.sh, w.dh, w.pt, w.pb),
		       window_out(x.w, w.kw, w.sw, w.dw, w.pl, w.pr)};
}

int ir_input(Graph *g, const char *name, Shape s, DType dt)
{
	return new_op(g, name, OP_INPUT, NULL, 0, s, dt, 0);
}

int ir_conv(Graph *g, const char *name, int x, int cout, Window w)
{
	if (g->failed || x < 0)
		return fail(g, "node %s: bad input", name);
	Shape xs = g->tensors[x].shape;
	if (!window_ok(w) || w.groups < 1 || xs.c % w.groups || cout % w.groups || cout < 1)
		return fail(g, "node %s: bad convolution (cin %d, cout %d, groups %d)", name, xs.c,
			    cout, w.groups);
	Shape s = window_shape(xs, w, cout);
	int t = new_op(g, name, OP_CONV, &x, 1, s, DT_I8, 0);
	if (t < 0)
		return -1;
	Op *op = last_op(g);
	op->win = w;
	int64_t per = (int64_t)(xs.c / w.groups) * w.kh * w.kw;
	op->weight = new_const(g, name, ".w", per * cout, DT_I8);
	op->bias = new_const(g, name, ".b", cout, DT_I32);
	op->macs = per * cout * s.h * s.w * s.n;
	return t;
}

int ir_pool(Graph *g, const char *name, OpKind kind, int x, Window w)
{
	if (g->failed || x < 0)
		return fail(g, "node %s: bad input", name);
	if ((kind != OP_MAXPOOL && kind != OP_AVGPOOL) || !window_ok(w))
		return fail(g, "node %s: bad pooling", name);
	w.groups = 1;
	Shape xs = g->tensors[x].shape;
	int t = new_op(g, name, kind, &x, 1, window_shape(xs, w, xs.c), DT_I8, 0);
	if (t >= 0)
		last_op(g)->win = w;
	return t;
}

int ir_gavgpool(Graph *g, const char *name, int x)
{
	if (g->failed || x < 0)
		return fail(g, "node %s: bad input", name);
	Shape xs = g->tensors[x].shape;
	return new_op(g, name, OP_GAVGPOOL, &x, 1, (Shape){xs.n, xs.c, 1, 1}, DT_I8, 0);
}

/* Inputs xs[0..n) of node name, at least one, all defined: 0, or -1 (g failed). */
static int inputs_ok(Graph *g, const char *name, const int *xs, int n)
{
	if (g->failed)
		return -1;
	if (n < 1)
		return fail(g, "node %s: no inputs", name);
	for (int i = 0; i < n; i++)
		if (!in_ok(g, xs[i]))
			return fail(g, "node %s: input %d undefined", name, i);
	return 0;
}

/* The shape of xs[0..n) one after the other along axis 1 (channels, a
 * concat) or 2 (rows, a join), the other dims equal, into *s; 0 or -1. */
static int stacked(Graph *g, const char *name, const int *xs, int n, int axis, Shape *s)
{
	static const char *const what[] = {[1] = "channels", [2] = "rows"};
	*s = g->tensors[xs[0]].shape;
	int64_t sum = 0;
	for (int i = 0; i < n; i++) {
		Shape si = g->tensors[xs[i]].shape;
		if (si.n != s->n || (axis != 1 && si.c != s->c) || (axis != 2 && si.h != s->h) ||
		    si.w != s->w)
			return fail(g, "node %s: input %s does not match %s outside %s", name,
				    g->tensors[xs[i]].name, g->tensors[xs[0]].name, what[axis]);
		sum += axis == 1 ? si.c : si.h;
	}
	if (sum > NDIM_MAX)
		return fail(g, "node %s: too many %s", name, what[axis]);
	*(axis == 1 ? &s->c : &s->h) = (int)sum;
	return 0;
}

static int elementwise(Graph *g, const char *name, OpKind kind, const int *xs, int n)
{
	if (inputs_ok(g, name, xs, n))
		return -1;
	Shape s = g->tensors[xs[0]].shape;
	for (int i = 1; i < n; i++)
		if (!shape_eq(s, g->tensors[xs[i]].shape))
			return fail(g, "node %s: input %s has another shape than %s", name,
				    g->tensors[xs[i]].name, g->tensors[xs[0]].name);
	return new_op(g, name, kind, xs, n, s, DT_I8, 0);
}

int ir_add(Graph *g, const char *name, const int *xs, int n)
{
	return elementwise(g, name, OP_ADD, xs, n);
}

int ir_wsum(Graph *g, const char *name, const int *xs, int n)
{
	int t = elementwise(g, name, OP_WSUM, xs, n);
	if (t >= 0)
		last_op(g)->weight = new_const(g, name, ".w", n, DT_I8);
	return t;
}

int ir_relu(Graph *g, const char *name, int x)
{
	return elementwise(g, name, OP_RELU, &x, 1);
}

int ir_concat(Graph *g, const char *name, const int *xs, int n)
{
	Shape s;
	if (inputs_ok(g, name, xs, n) || stacked(g, name, xs, n, 1, &s))
		return -1;
	return new_op(g, name, OP_CONCAT, xs, n, s, DT_I8, 0);
}

int ir_fc(Graph *g, const char *name, int x, int nout)
{
	if (g->failed || x < 0)
		return fail(g, "node %s: bad input", name);
	Shape xs = g->tensors[x].shape;
	int64_t in = ir_shape_elems(xs) / (xs.n ? xs.n : 1);
	if (nout < 1 || in < 1)
		return fail(g, "node %s: bad fully connected layer", name);
	int t = new_op(g, name, OP_FC, &x, 1, (Shape){xs.n, nout, 1, 1}, DT_I8, 0);
	if (t < 0)
		return -1;
	Op *op = last_op(g);
	op->weight = new_const(g, name, ".w", in * nout, DT_I8);
	op->bias = new_const(g, name, ".b", nout, DT_I32);
	op->macs = in * nout * xs.n;
	return t;
}

int ir_opaque(Graph *g, const char *name, int64_t bytes, const int *xs, int n)
{
	return new_op(g, name, OP_OPAQUE, xs, n, (Shape){0, 0, 0, 0}, DT_I8, bytes);
}

int ir_pconv(Graph *g, const char *name, int x, int psum, int cout, Window w)
{
	if (g->failed || x < 0)
		return fail(g, "node %s: bad input", name);
	Shape xs = g->tensors[x].shape;
	if (!window_ok(w) || w.groups < 1 || xs.c % w.groups || cout % w.groups || cout < 1)
		return fail(g, "node %s: bad partial convolution", name);
	Shape s = window_shape(xs, w, cout);
	if (psum >= 0 && (!in_ok(g, psum) || !shape_eq(g->tensors[psum].shape, s) ||
			  g->tensors[psum].dtype != DT_I32))
		return fail(g, "node %s: partial sum does not match", name);
	int ins[2] = {x, psum};
	int t = new_op(g, name, OP_PCONV, ins, psum >= 0 ? 2 : 1, s, DT_I32, 0);
	if (t < 0)
		return -1;
	/* held at the accumulator's width, computed at 32 bits */
	g->tensors[t].bytes = (ir_shape_elems(s) * g->acc_bits + 7) / 8;
	Op *op = last_op(g);
	op->win = w;
	int64_t per = (int64_t)(xs.c / w.groups) * w.kh * w.kw;
	op->weight = new_const(g, name, ".w", per * cout, DT_I8);
	if (psum < 0)
		op->bias = new_const(g, name, ".b", cout, DT_I32);
	op->macs = per * cout * s.h * s.w * s.n;
	return t;
}

int ir_requant(Graph *g, const char *name, int psum)
{
	if (g->failed || psum < 0 || g->tensors[psum].dtype != DT_I32)
		return fail(g, "node %s: requantize needs an int32 partial sum", name);
	return new_op(g, name, OP_REQUANT, &psum, 1, g->tensors[psum].shape, DT_I8, 0);
}

/* ---- the ONNX-only ops ---- */

int ir_act(Graph *g, const char *name, int x, ActKind act, float alpha, float beta)
{
	if ((unsigned)act >= NACTKIND)
		return fail(g, "node %s: bad activation %d", name, (int)act);
	int t = elementwise(g, name, OP_ACT, &x, 1);
	if (t >= 0) {
		Op *op = last_op(g);
		op->act = act;
		op->alpha = alpha;
		op->beta = beta;
	}
	return t;
}

/* y has x's shape, or is n x c x 1 x 1 (one factor per channel). */
static bool mul_ok(Shape x, Shape y)
{
	return shape_eq(x, y) || (y.n == x.n && y.c == x.c && y.h == 1 && y.w == 1);
}

int ir_mul(Graph *g, const char *name, int x, int y)
{
	if (g->failed || !in_ok(g, x) || !in_ok(g, y))
		return fail(g, "node %s: bad input", name);
	Shape xs = g->tensors[x].shape;
	if (!mul_ok(xs, g->tensors[y].shape))
		return fail(g, "node %s: %s cannot multiply %s", name, g->tensors[y].name,
			    g->tensors[x].name);
	int ins[2] = {x, y};
	return new_op(g, name, OP_MUL, ins, 2, xs, DT_I8, 0);
}

static int *dim_ref(Shape *s, int axis)
{
	return axis == 0 ? &s->n : axis == 1 ? &s->c : axis == 2 ? &s->h : &s->w;
}

static int slice_len(int start, int end, int step)
{
	return (end - start + step - 1) / step;
}

static bool slice_ok(Shape x, int axis, int start, int end, int step)
{
	return axis >= 0 && axis < 4 && step >= 1 && start >= 0 && start < end &&
	       end <= *dim_ref(&x, axis);
}

int ir_slice(Graph *g, const char *name, int x, int axis, int start, int end, int step)
{
	if (g->failed || !in_ok(g, x))
		return fail(g, "node %s: bad input", name);
	Shape s = g->tensors[x].shape;
	if (!slice_ok(s, axis, start, end, step))
		return fail(g, "node %s: bad slice %d:%d:%d of axis %d", name, start, end, step,
			    axis);
	*dim_ref(&s, axis) = slice_len(start, end, step);
	int t = new_op(g, name, OP_SLICE, &x, 1, s, DT_I8, 0);
	if (t >= 0) {
		Op *op = last_op(g);
		op->axis = axis;
		op->start = start;
		op->end = end;
		op->step = step;
	}
	return t;
}

static Shape pad_shape(Shape x, Window w)
{
	return (Shape){x.n, x.c, x.h + w.pt + w.pb, x.w + w.pl + w.pr};
}

static bool pad_ok(Window w)
{
	return w.pt >= 0 && w.pl >= 0 && w.pb >= 0 && w.pr >= 0 && w.pt <= NDIM_MAX &&
	       w.pl <= NDIM_MAX && w.pb <= NDIM_MAX && w.pr <= NDIM_MAX;
}

int ir_pad(Graph *g, const char *name, int x, int pt, int pl, int pb, int pr)
{
	if (g->failed || !in_ok(g, x))
		return fail(g, "node %s: bad input", name);
	Window w = {.pt = pt, .pl = pl, .pb = pb, .pr = pr};
	if (!pad_ok(w))
		return fail(g, "node %s: bad padding", name);
	Shape xs = g->tensors[x].shape;
	if ((int64_t)xs.h + pt + pb > NDIM_MAX || (int64_t)xs.w + pl + pr > NDIM_MAX)
		return fail(g, "node %s: padded plane too large", name);
	int t = new_op(g, name, OP_PAD, &x, 1, pad_shape(xs, w), DT_I8, 0);
	if (t >= 0)
		last_op(g)->win = w;
	return t;
}

int ir_shuffle(Graph *g, const char *name, int x, int groups)
{
	if (g->failed || !in_ok(g, x))
		return fail(g, "node %s: bad input", name);
	Shape xs = g->tensors[x].shape;
	if (groups < 1 || xs.c % groups)
		return fail(g, "node %s: %d channels do not split in %d groups", name, xs.c, groups);
	int t = new_op(g, name, OP_SHUFFLE, &x, 1, xs, DT_I8, 0);
	if (t >= 0)
		last_op(g)->win.groups = groups;
	return t;
}

static bool perm_ok(const int perm[4])
{
	int seen = 0;
	for (int k = 0; k < 4; k++) {
		if (perm[k] < 0 || perm[k] > 3 || (seen >> perm[k] & 1))
			return false;
		seen |= 1 << perm[k];
	}
	return true;
}

static Shape perm_shape(Shape x, const int perm[4])
{
	int d[4] = {x.n, x.c, x.h, x.w};
	return (Shape){d[perm[0]], d[perm[1]], d[perm[2]], d[perm[3]]};
}

int ir_transpose(Graph *g, const char *name, int x, const int perm[4])
{
	if (g->failed || !in_ok(g, x))
		return fail(g, "node %s: bad input", name);
	if (!perm_ok(perm))
		return fail(g, "node %s: not a permutation of the four axes", name);
	int t = new_op(g, name, OP_TRANSPOSE, &x, 1, perm_shape(g->tensors[x].shape, perm), DT_I8,
		       0);
	if (t >= 0)
		memcpy(last_op(g)->perm, perm, sizeof last_op(g)->perm);
	return t;
}

int ir_reshape(Graph *g, const char *name, int x, Shape s)
{
	if (g->failed || !in_ok(g, x))
		return fail(g, "node %s: bad input", name);
	if (!shape_ok(s) || ir_shape_elems(s) != ir_shape_elems(g->tensors[x].shape))
		return fail(g, "node %s: reshape changes the element count", name);
	int t = new_op(g, name, OP_RESHAPE, &x, 1, s, DT_I8, 0);
	if (t >= 0)
		last_op(g)->shape = s;
	return t;
}

int ir_join(Graph *g, const char *name, const int *xs, int n)
{
	Shape s;
	if (inputs_ok(g, name, xs, n))
		return -1;
	if (g->tensors[xs[0]].shape.n == 0) { /* bands known by their bytes only (a plain graph) */
		int64_t bytes = 0;
		for (int i = 0; i < n; i++) {
			if (g->tensors[xs[i]].shape.n != 0)
				return fail(g, "node %s: input %s does not match %s outside rows", name,
					    g->tensors[xs[i]].name, g->tensors[xs[0]].name);
			bytes += g->tensors[xs[i]].bytes;
		}
		if (bytes > NBYTES_MAX)
			return fail(g, "node %s: tensor too large", name);
		int t = new_op(g, name, OP_OPAQUE, xs, n, g->tensors[xs[0]].shape, DT_I8, bytes);
		if (t >= 0)
			last_op(g)->kind = OP_JOIN;
		return t;
	}
	if (stacked(g, name, xs, n, 2, &s))
		return -1;
	return new_op(g, name, OP_JOIN, xs, n, s, DT_I8, 0);
}

void ir_share_consts(Graph *g, int o, int weight, int bias)
{
	Op *op = &g->ops[o];
	int made = (op->weight >= 0) + (op->bias >= 0);
	if (made && (op->weight >= 0 ? op->weight : op->bias) != g->nconsts - made)
		abort(); /* not the last made: a caller's bug */
	g->nconsts -= made;
	op->weight = op->weight >= 0 ? weight : -1;
	op->bias = op->bias >= 0 ? bias : -1;
}

void ir_fill_const(Graph *dst, int dk, const Graph *src, int sk)
{
	const Const *c = &src->consts[sk];
	Const *d = &dst->consts[dk];
	if (c->data) {
		d->data = arena_alloc(dst->arena, c->bytes);
		memcpy(d->data, c->data, c->bytes);
	}
	if (c->fdata) {
		d->fdata = arena_newvec(dst->arena, float, c->count);
		memcpy(d->fdata, c->fdata, c->count * sizeof *c->fdata);
	}
	d->lazy = c->lazy;
	d->fill = c->fill;
}

static int copy_const(Graph *dst, const Graph *src, const char *opname, const char *suffix, int k)
{
	const Const *c = &src->consts[k];
	int r = new_const(dst, opname, suffix, c->count, c->dtype);
	ir_fill_const(dst, r, src, k);
	return r;
}

void ir_copy_qparams(Graph *dst, Op *d, const Op *s, int c0, int n)
{
	d->qmul = s->qmul;
	d->qshift = s->qshift;
	d->qmuls = NULL;
	d->qshifts = NULL;
	if (!s->qmuls)
		return;
	d->qmuls = arena_newvec(dst->arena, int32_t, n);
	d->qshifts = arena_newvec(dst->arena, int, n);
	memcpy(d->qmuls, s->qmuls + c0, (size_t)n * sizeof *d->qmuls);
	memcpy(d->qshifts, s->qshifts + c0, (size_t)n * sizeof *d->qshifts);
}

int ir_copy_op(Graph *dst, const Graph *src, int o, const int *ins)
{
	const Op *op = &src->ops[o];
	const Tensor *t = &src->tensors[op->out[0]];
	if (op->nout != 1)
		return fail(dst, "node %s: cannot copy an op with %d outputs", op->name, op->nout);
	int r = new_op(dst, op->name, op->kind, ins, op->nin, t->shape, t->dtype, t->bytes);
	if (r < 0)
		return -1;
	Op *c = last_op(dst);
	c->win = op->win;
	c->macs = op->macs;
	c->relu = op->relu;
	ir_copy_qparams(dst, c, op, 0, t->shape.c);
	c->act = op->act;
	c->alpha = op->alpha;
	c->beta = op->beta;
	c->axis = op->axis;
	c->start = op->start;
	c->end = op->end;
	c->step = op->step;
	memcpy(c->perm, op->perm, sizeof c->perm);
	c->shape = op->shape;
	c->otype = op->otype ? arena_strdup(dst->arena, op->otype) : NULL;
	c->region = op->region;
	c->band = op->band;
	if (op->weight >= 0)
		c->weight = copy_const(dst, src, op->name, ".w", op->weight);
	if (op->bias >= 0)
		c->bias = copy_const(dst, src, op->name, ".b", op->bias);
	dst->tensors[r].output = t->output;
	dst->tensors[r].in_dram = t->in_dram;
	return r;
}

void ir_mark_output(Graph *g, int t)
{
	if (in_ok(g, t))
		g->tensors[t].output = true;
}

void ir_link(Graph *g)
{
	Arena *a = g->arena;
	int n = g->ntensors ? g->ntensors : 1;
	int *count = xcalloc(n, sizeof *count);
	int *last = xmalloc(n * sizeof *last); /* the last op that read each tensor */
	for (int t = 0; t < g->ntensors; t++)
		last[t] = -1;
	/* Count each consumer once per tensor, however often it reads it; mark
	 * the repeats, in time linear in the inputs. */
	for (int o = 0; o < g->nops; o++) {
		Op *op = &g->ops[o];
		op->rep = NULL;
		for (int i = 0; i < op->nin; i++) {
			int t = op->in[i];
			if (last[t] != o) {
				last[t] = o;
				count[t]++;
				continue;
			}
			if (!op->rep)
				op->rep = arena_newvec(a, bool, op->nin);
			op->rep[i] = true;
		}
	}
	for (int t = 0; t < g->ntensors; t++) {
		g->tensors[t].cons = arena_newvec(a, int, count[t]);
		g->tensors[t].ncons = 0;
	}
	for (int o = 0; o < g->nops; o++)
		for (int i = 0; i < g->ops[o].nin; i++) {
			Tensor *t = &g->tensors[g->ops[o].in[i]];
			if (!ir_repeat(&g->ops[o], i))
				t->cons[t->ncons++] = o;
		}
	free(count);
	free(last);
	g->linked = true;
}

void ir_mark_unconsumed_outputs(Graph *g)
{
	if (!g->linked)
		ir_link(g);
	for (int t = 0; t < g->ntensors; t++)
		if (g->tensors[t].ncons == 0)
			g->tensors[t].output = true;
}

/* Recomputes what the builder computed, from the stored attributes. */
static int verify_op(const Graph *g, int o, Err *e)
{
	const Op *op = &g->ops[o];
	const char *nm = op->name;
	if (op->nout < 1)
		return err_set(e, "node %s: makes no tensor", nm);
	for (int i = 0; i < op->nin; i++) {
		int t = op->in[i];
		if (t < 0 || t >= g->ntensors)
			return err_set(e, "node %s: input %d undefined", nm, i);
		if (g->tensors[t].producer >= o)
			return err_set(e, "node %s: reads %s before it is made (cycle or bad order)", nm,
				       g->tensors[t].name);
	}
	for (int i = 0; i < op->nout; i++) {
		int t = op->out[i];
		if (t < 0 || t >= g->ntensors || g->tensors[t].producer != o)
			return err_set(e, "node %s: output %d not owned", nm, i);
		const Tensor *tt = &g->tensors[t];
		if (tt->bytes < 0 || tt->bytes > NBYTES_MAX)
			return err_set(e, "node %s: bad size", nm);
		if (tt->in_dram && op->nin)
			return err_set(e, "node %s: in DRAM but not a graph input", nm);
		if (op->kind == OP_OPAQUE || (op->kind == OP_JOIN && tt->shape.n == 0))
			continue; /* bytes only */
		int64_t el = ir_shape_elems(tt->shape), b;
		if (!shape_ok(tt->shape) || el < 0 || !mul_ok_i64(el, ir_dtype_size(tt->dtype), &b))
			return err_set(e, "node %s: size does not match shape", nm);
		/* partial sums may be held narrower than they are computed */
		if (op->kind == OP_PCONV ? tt->bytes < el || tt->bytes > b : b != tt->bytes)
			return err_set(e, "node %s: size does not match shape", nm);
	}
	if (op->kind == OP_OPAQUE || op->kind == OP_INPUT)
		return op->kind == OP_INPUT && op->nin ? err_set(e, "node %s: input with inputs", nm)
						       : 0;

	Shape y = g->tensors[op->out[0]].shape, x = {0, 0, 0, 0}, want = y;
	if (op->nin < 1)
		return err_set(e, "node %s: no inputs", nm);
	x = g->tensors[op->in[0]].shape;
	switch (op->kind) {
	case OP_CONV:
		if (!window_ok(op->win) || op->win.groups < 1 || x.c % op->win.groups ||
		    y.c % op->win.groups)
			return err_set(e, "node %s: bad convolution attributes", nm);
		want = window_shape(x, op->win, y.c);
		break;
	case OP_MAXPOOL:
	case OP_AVGPOOL:
		if (!window_ok(op->win))
			return err_set(e, "node %s: bad pooling attributes", nm);
		want = window_shape(x, op->win, x.c);
		break;
	case OP_GAVGPOOL:
		want = (Shape){x.n, x.c, 1, 1};
		break;
	case OP_ADD:
	case OP_WSUM:
	case OP_RELU:
		for (int i = 1; i < op->nin; i++)
			if (!shape_eq(x, g->tensors[op->in[i]].shape))
				return err_set(e, "node %s: inputs of different shapes", nm);
		want = x;
		break;
	case OP_CONCAT: {
		int64_t c = 0;
		for (int i = 0; i < op->nin; i++) {
			Shape s = g->tensors[op->in[i]].shape;
			if (s.n != x.n || s.h != x.h || s.w != x.w)
				return err_set(e, "node %s: concat inputs differ outside channels", nm);
			c += s.c;
		}
		want = (Shape){x.n, (int)(c > NDIM_MAX ? -1 : c), x.h, x.w};
		break;
	}
	case OP_FC:
		want = (Shape){x.n, y.c, 1, 1};
		break;
	case OP_PCONV:
		if (!window_ok(op->win) || op->win.groups < 1 || x.c % op->win.groups ||
		    y.c % op->win.groups || g->tensors[op->out[0]].dtype != DT_I32)
			return err_set(e, "node %s: bad partial convolution attributes", nm);
		want = window_shape(x, op->win, y.c);
		if (op->nin > 2 || (op->nin == 2 && (g->tensors[op->in[1]].dtype != DT_I32 ||
						     !shape_eq(g->tensors[op->in[1]].shape, want))))
			return err_set(e, "node %s: bad partial sum input", nm);
		break;
	case OP_REQUANT:
		if (op->nin != 1 || g->tensors[op->in[0]].dtype != DT_I32)
			return err_set(e, "node %s: requantize needs one int32 input", nm);
		want = x;
		break;
	case OP_ACT:
		if ((unsigned)op->act >= NACTKIND || op->nin != 1)
			return err_set(e, "node %s: bad activation", nm);
		want = x;
		break;
	case OP_MUL:
		if (op->nin != 2 || !mul_ok(x, g->tensors[op->in[1]].shape))
			return err_set(e, "node %s: bad product inputs", nm);
		want = x;
		break;
	case OP_SLICE:
		if (op->nin != 1 || !slice_ok(x, op->axis, op->start, op->end, op->step))
			return err_set(e, "node %s: bad slice attributes", nm);
		want = x;
		*dim_ref(&want, op->axis) = slice_len(op->start, op->end, op->step);
		break;
	case OP_PAD:
		if (op->nin != 1 || !pad_ok(op->win))
			return err_set(e, "node %s: bad padding", nm);
		want = pad_shape(x, op->win);
		break;
	case OP_SHUFFLE:
		if (op->nin != 1 || op->win.groups < 1 || x.c % op->win.groups)
			return err_set(e, "node %s: bad shuffle groups", nm);
		want = x;
		break;
	case OP_TRANSPOSE:
		if (op->nin != 1 || !perm_ok(op->perm))
			return err_set(e, "node %s: bad permutation", nm);
		want = perm_shape(x, op->perm);
		break;
	case OP_RESHAPE:
		if (op->nin != 1 || ir_shape_elems(op->shape) != ir_shape_elems(x))
			return err_set(e, "node %s: reshape changes the element count", nm);
		want = op->shape;
		break;
	case OP_JOIN: {
		int64_t h = 0, bytes = 0;
		for (int i = 0; i < op->nin; i++)
			bytes += g->tensors[op->in[i]].bytes;
		for (int i = 0; g->linked && i < op->nin; i++)
			if (g->tensors[op->in[i]].ncons != 1)
				return err_set(e, "node %s: its band %s is read by another op too", nm,
					       g->tensors[op->in[i]].name);
		if (y.n == 0) /* of bands known by their bytes only */
			return bytes == g->tensors[op->out[0]].bytes
				       ? 0
				       : err_set(e, "node %s: %lld bytes, its bands %lld", nm,
						 (long long)g->tensors[op->out[0]].bytes, (long long)bytes);
		for (int i = 0; i < op->nin; i++) {
			Shape s = g->tensors[op->in[i]].shape;
			if (s.n != x.n || s.c != x.c || s.w != x.w)
				return err_set(e, "node %s: joined bands differ outside rows", nm);
			h += s.h;
		}
		want = (Shape){x.n, x.c, (int)(h > NDIM_MAX ? -1 : h), x.w};
		break;
	}
	default:
		return err_set(e, "node %s: unknown kind %d", nm, (int)op->kind);
	}
	if (!shape_eq(want, y))
		return err_set(e, "node %s: output shape %dx%dx%dx%d, expected %dx%dx%dx%d", nm, y.n,
			       y.c, y.h, y.w, want.n, want.c, want.h, want.w);
	return 0;
}

int ir_verify(const Graph *g, Err *e)
{
	if (g->failed)
		return err_set(e, "%s", g->err.msg);
	if (g->nops < 1)
		return err_set(e, "graph %s: no ops", g->name);
	int64_t total = 0;
	for (int o = 0; o < g->nops; o++) {
		if (verify_op(g, o, e))
			return -1;
		if (ir_find(g, g->ops[o].name) != g->ops[o].out[0])
			return err_set(e, "node %s: duplicate name", g->ops[o].name);
		if (!add_ok_i64(total, g->tensors[g->ops[o].out[0]].bytes, &total))
			return err_set(e, "node %s: total size overflows", g->ops[o].name);
	}
	if (g->linked)
		for (int t = 0; t < g->ntensors; t++)
			for (int i = 0; i < g->tensors[t].ncons; i++)
				if (g->tensors[t].cons[i] <= g->tensors[t].producer)
					return err_set(e, "node %s: consumer list out of order",
						       g->tensors[t].name);
	return 0;
}

int64_t ir_macs(const Graph *g)
{
	int64_t m = 0;
	for (int o = 0; o < g->nops; o++)
		m += g->ops[o].macs;
	return m;
}

int64_t ir_params(const Graph *g)
{
	int64_t n = 0;
	for (int c = 0; c < g->nconsts; c++)
		n += g->consts[c].count;
	return n;
}

int64_t ir_const_bytes(const Graph *g)
{
	int64_t n = 0;
	for (int c = 0; c < g->nconsts; c++)
		n += g->consts[c].bytes;
	return n;
}

int ir_materialize(Graph *g, Err *e)
{
	int64_t total = 0;
	for (int k = 0; k < g->nconsts; k++) {
		const Const *c = &g->consts[k];
		if (c->lazy && (c->count > NLAZY_MAX - total))
			return err_set(e, "%s: constant %s: %lld elements of one value, too many to "
					  "make for a run (at most %d in all)",
				       g->name, c->name, (long long)c->count, NLAZY_MAX);
		total += c->lazy ? c->count : 0;
	}
	for (int k = 0; k < g->nconsts; k++) {
		Const *c = &g->consts[k];
		if (!c->lazy)
			continue;
		c->fdata = arena_newvec(g->arena, float, c->count ? c->count : 1);
		for (int64_t i = 0; i < c->count; i++)
			c->fdata[i] = c->fill;
		c->lazy = false;
	}
	return 0;
}
