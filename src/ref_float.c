/* ref_float.c: the float32 reference interpreter.
 *
 * Like ref.c, one plain loop nest per op kind over NCHW tensors, written for
 * clarity; convolution tap by tap, for speed (conv).  It runs what an imported ONNX model means, not what the NPU does:
 * no rounding, no saturation.  Per op (y the output):
 *   conv      y = b + sum x * w over the window; groups, dilation and
 *             asymmetric (or negative: cropping) padding, padding reads 0
 *   fc        y = b + W x over the flattened input
 *   maxpool   max over the window's elements inside the input (ONNX pads
 *             with -inf); avgpool their mean (ONNX count_include_pad=0)
 *   gavgpool  the mean of each plane
 *   add, wsum sum of the inputs, wsum's weighted by its float weights
 *   concat    along channels;  relu  max(x, 0)
 *   act       Op.act with alpha, beta (ir.h)
 *   mul       elementwise, each dimension of size 1 broadcast (numpy rules)
 *   slice     start, start+step, ... along Op.axis
 *   pad       zeros around the plane (win.pt, pl, pb, pr; negative crops)
 *   shuffle   output channel j*groups+i <- input channel i*(c/groups)+j
 *   transpose output axis k is input axis perm[k]
 *   reshape   the same elements in order
 * and Op.relu, when set, clamps any op's output at 0 (fused activations).
 * Biases are optional (zero when absent).  Partial convolutions and
 * requantization (rewrites of int8 graphs) and opaque ops have no float
 * meaning: the run stops with an error naming the node.
 *
 * Graph inputs not given are uniform in [-1, 1] (reff_input), so that a
 * run is the same on every machine; calibration draws its samples here.
 */
#include "ref_float.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ref.h"
#include "rng.h"

void reff_input(const Tensor *t, int sample, float *out)
{
	uint64_t s = 0xf10a7u + (uint64_t)sample * 0x9e3779b97f4a7c15ull;
	for (const char *p = t->name; *p; p++)
		s = (s ^ (unsigned char)*p) * 0x100000001b3ull;
	int64_t n = ir_shape_elems(t->shape);
	for (int64_t i = 0; i < n; i++)
		out[i] = (float)(2.0 * rng_unit(&s) - 1.0);
}

bool reff_has_float(const Graph *g)
{
	for (int c = 0; c < g->nconsts; c++)
		if (g->consts[c].fdata || g->consts[c].lazy)
			return true;
	return false;
}

static int64_t idx4(Shape s, int n, int c, int h, int w)
{
	return (((int64_t)n * s.c + c) * s.h + h) * s.w + w;
}

enum { NFUSE = 4 }; /* input channels one pass of conv's inner loop sums */

/* y[i] += sum over j < m of a[j] * x[j * plane + i * stride], i in [0, n):
 * conv's inner loop, over m <= NFUSE input planes at once so that each
 * output element is loaded and stored once for m products.  In double:
 * float products are exact there, and the sum rounds to the same float
 * as the old one-output-at-a-time loop's nearly always (whereas float
 * sums, in any order, moved calibration scales and the SQNR by 0.2 dB). */
static void axpy(double *restrict y, const float *restrict x, int64_t plane, int stride,
		 const float *a, int m, int n)
{
	if (m < NFUSE) {
		for (int j = 0; j < m; j++, x += plane)
			if (stride == 1)
				for (int i = 0; i < n; i++)
					y[i] += (double)a[j] * x[i];
			else
				for (int i = 0; i < n; i++)
					y[i] += (double)a[j] * x[(int64_t)i * stride];
		return;
	}
	const float *x1 = x + plane, *x2 = x1 + plane, *x3 = x2 + plane;
	double a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
	if (stride == 1)
		for (int i = 0; i < n; i++)
			y[i] += a0 * x[i] + a1 * x1[i] + a2 * x2[i] + a3 * x3[i];
	else
		for (int i = 0; i < n; i++) {
			int64_t j = (int64_t)i * stride;
			y[i] += a0 * x[j] + a1 * x1[j] + a2 * x2[j] + a3 * x3[j];
		}
}

/* Tap by tap: for each output channel, each kernel tap adds w times the
 * input plane, shifted, to the whole output plane, NFUSE input channels at
 * a time.  The padding only narrows the range of output rows and columns a
 * tap reaches (ref_taps), so the inner loop runs over contiguous
 * memory without tests (with stride 1) and vectorizes; rows that are whole
 * in both planes make one run.  The output plane (its double sums) and the
 * NFUSE input planes stay in cache over the taps. */
static void conv(const Op *op, Shape xs, const float *x, Shape ys, const float *w,
		 const float *b, float *y)
{
	Window k = op->win;
	int cig = xs.c / k.groups, cog = ys.c / k.groups;
	int64_t plane = (int64_t)xs.h * xs.w, taps = (int64_t)k.kh * k.kw;
	RefTap *tv = ref_taps(k, xs, ys);
	int64_t ny = (int64_t)ys.h * ys.w;
	double *acc = xmalloc((ny ? ny : 1) * sizeof *acc);
	for (int n = 0; n < ys.n; n++)
		for (int oc = 0; oc < ys.c; oc++) {
			for (int64_t i = 0; i < ny; i++)
				acc[i] = b ? b[oc] : 0;
			for (int ic = 0; ic < cig; ic += NFUSE) {
				int m = cig - ic < NFUSE ? cig - ic : NFUSE;
				const float *xp = x + idx4(xs, n, oc / cog * cig + ic, 0, 0);
				const float *wp = w + ((int64_t)oc * cig + ic) * taps;
				for (int tap = 0; tap < taps; tap++) {
					const RefTap *t = &tv[tap];
					float a[NFUSE];
					for (int j = 0; j < m; j++)
						a[j] = wp[j * taps + tap];
					for (int r = 0; r < t->rows; r++)
						axpy(acc + t->y + r * t->ystep, xp + t->x + r * t->xstep,
						     plane, k.sw, a, m, t->len);
				}
			}
			float *yp = y + idx4(ys, n, oc, 0, 0);
			for (int64_t i = 0; i < ny; i++)
				yp[i] = (float)acc[i];
		}
	free(acc);
	free(tv);
}

static void pool(const Op *op, Shape xs, const float *x, Shape ys, float *y)
{
	Window k = op->win;
	bool avg = op->kind == OP_AVGPOOL;
	int64_t *off = xmalloc((size_t)k.kh * k.kw * sizeof *off);
	for (int n = 0; n < ys.n; n++)
		for (int c = 0; c < ys.c; c++) {
			const float *xp = x + idx4(xs, n, c, 0, 0);
			for (int oy = 0; oy < ys.h; oy++)
				for (int ox = 0; ox < ys.w; ox++) {
					int cnt = ref_window_taps(k, xs, oy, ox, off);
					double best = -INFINITY, sum = 0;
					for (int j = 0; j < cnt; j++) {
						double v = xp[off[j]];
						best = v > best ? v : best;
						sum += v;
					}
					y[idx4(ys, n, c, oy, ox)] =
						!cnt ? 0.0f : (float)(avg ? sum / cnt : best);
				}
		}
	free(off);
}

static float act(const Op *op, float x)
{
	switch (op->act) {
	case ACT_CLIP:
		return x < op->alpha ? op->alpha : x > op->beta ? op->beta : x;
	case ACT_LEAKY:
		return x < 0 ? op->alpha * x : x;
	case ACT_SIGMOID:
		return (float)(1.0 / (1.0 + exp(-(double)x)));
	case ACT_HSIGMOID: {
		float v = op->alpha * x + op->beta;
		return v < 0 ? 0 : v > 1 ? 1 : v;
	}
	case ACT_HSWISH: {
		float v = x / 6.0f + 0.5f;
		return x * (v < 0 ? 0 : v > 1 ? 1 : v);
	}
	default:
		return NAN;
	}
}

/* Index into a tensor of shape s broadcast to the output position p. */
static int64_t bcast(Shape s, const int p[4])
{
	int d[4] = {s.n, s.c, s.h, s.w};
	int64_t i = 0;
	for (int k = 0; k < 4; k++)
		i = i * d[k] + (d[k] == 1 ? 0 : p[k]);
	return i;
}

static void unflat(Shape s, int64_t i, int p[4])
{
	p[3] = (int)(i % s.w);
	i /= s.w;
	p[2] = (int)(i % s.h);
	i /= s.h;
	p[1] = (int)(i % s.c);
	p[0] = (int)(i / s.c);
}

static int64_t flat(Shape s, const int p[4])
{
	return idx4(s, p[0], p[1], p[2], p[3]);
}

static int dim(Shape s, int axis)
{
	int d[4] = {s.n, s.c, s.h, s.w};
	return d[axis];
}

/* The element ops whose output position maps to one input position:
 * returns the input index of output index i, or -1 for a padded zero. */
static int64_t gather(const Op *op, Shape xs, Shape ys, int64_t i)
{
	int p[4], q[4];
	unflat(ys, i, p);
	memcpy(q, p, sizeof q);
	switch (op->kind) {
	case OP_SLICE:
		q[op->axis] = op->start + p[op->axis] * op->step;
		if (q[op->axis] < 0 || q[op->axis] >= dim(xs, op->axis))
			return -1;
		break;
	case OP_PAD:
		q[2] = p[2] - op->win.pt;
		q[3] = p[3] - op->win.pl;
		if (q[2] < 0 || q[2] >= xs.h || q[3] < 0 || q[3] >= xs.w)
			return -1;
		break;
	case OP_SHUFFLE: {
		int gr = op->win.groups, cpg = xs.c / gr;
		q[1] = p[1] % gr * cpg + p[1] / gr;
		break;
	}
	case OP_TRANSPOSE:
		for (int k = 0; k < 4; k++)
			q[op->perm[k]] = p[k];
		break;
	default:
		return i; /* reshape: the same flat index */
	}
	return flat(xs, q);
}

typedef struct FRun {
	const Graph *g;
	float **val;
	const float *const *inputs;
	int ninputs;
	Err *e;
} FRun;

static const float *fconst(const Graph *g, int c)
{
	return c >= 0 ? g->consts[c].fdata : NULL;
}

static int run_op(FRun *r, int o)
{
	const Graph *g = r->g;
	const Op *op = &g->ops[o];
	const Tensor *yt = &g->tensors[op->out[0]];
	Shape ys = yt->shape;
	int64_t ny = ir_shape_elems(ys);
	if (op->kind == OP_OPAQUE || op->kind == OP_PCONV || op->kind == OP_REQUANT || ny < 0)
		return err_set(r->e, "node %s: %s ops have no float semantics", op->name,
			       ir_kind_name(op->kind));
	float *y = xcalloc(ny ? ny : 1, sizeof *y);
	r->val[op->out[0]] = y;
	const Tensor *xt = op->nin ? &g->tensors[op->in[0]] : NULL;
	const float *x = op->nin ? r->val[op->in[0]] : NULL;
	Shape xs = xt ? xt->shape : ys;
	const float *w = fconst(g, op->weight), *b = fconst(g, op->bias);
	if (op->weight >= 0 && !w)
		return err_set(r->e, "node %s: no float weights", op->name);
	switch (op->kind) {
	case OP_INPUT: {
		const float *in = r->inputs ? r->inputs[r->ninputs] : NULL;
		r->ninputs++;
		if (in)
			memcpy(y, in, ny * sizeof *y);
		else
			reff_input(yt, 0, y);
		break;
	}
	case OP_CONV:
		conv(op, xs, x, ys, w, b, y);
		break;
	case OP_FC: {
		int64_t in = ir_shape_elems(xs) / xs.n;
		for (int n = 0; n < ys.n; n++)
			for (int oc = 0; oc < ys.c; oc++) {
				double sum = b ? b[oc] : 0;
				for (int64_t i = 0; i < in; i++)
					sum += (double)x[n * in + i] * w[oc * in + i];
				y[(int64_t)n * ys.c + oc] = (float)sum;
			}
		break;
	}
	case OP_MAXPOOL:
	case OP_AVGPOOL:
		pool(op, xs, x, ys, y);
		break;
	case OP_GAVGPOOL: {
		int64_t hw = (int64_t)xs.h * xs.w;
		for (int64_t i = 0; i < ny; i++) {
			double sum = 0;
			for (int64_t j = 0; j < hw; j++)
				sum += x[i * hw + j];
			y[i] = (float)(sum / hw);
		}
		break;
	}
	case OP_ADD:
	case OP_WSUM:
		for (int k = 0; k < op->nin; k++) {
			const float *xk = r->val[op->in[k]];
			float c = op->kind == OP_WSUM ? w[k] : 1.0f;
			for (int64_t i = 0; i < ny; i++)
				y[i] += c * xk[i];
		}
		break;
	case OP_CONCAT: {
		int64_t plane = (int64_t)ys.h * ys.w, c0 = 0;
		for (int k = 0; k < op->nin; k++) {
			const Tensor *tk = &g->tensors[op->in[k]];
			const float *xk = r->val[op->in[k]];
			for (int n = 0; n < ys.n; n++)
				memcpy(y + ((int64_t)n * ys.c + c0) * plane,
				       xk + (int64_t)n * tk->shape.c * plane,
				       tk->shape.c * plane * sizeof *y);
			c0 += tk->shape.c;
		}
		break;
	}
	case OP_RELU:
		for (int64_t i = 0; i < ny; i++)
			y[i] = x[i] < 0 ? 0 : x[i];
		break;
	case OP_ACT:
		if ((unsigned)op->act >= NACTKIND)
			return err_set(r->e, "node %s: unknown activation %d", op->name, (int)op->act);
		for (int64_t i = 0; i < ny; i++)
			y[i] = act(op, x[i]);
		break;
	case OP_MUL: {
		const float *x2 = r->val[op->in[op->nin > 1]];
		Shape s2 = g->tensors[op->in[op->nin > 1]].shape;
		for (int64_t i = 0; i < ny; i++) {
			int p[4];
			unflat(ys, i, p);
			y[i] = x[bcast(xs, p)] * x2[bcast(s2, p)];
		}
		break;
	}
	case OP_SLICE:
	case OP_PAD:
	case OP_SHUFFLE:
	case OP_TRANSPOSE:
	case OP_RESHAPE:
		if (op->kind == OP_SHUFFLE && (op->win.groups < 1 || xs.c % op->win.groups))
			return err_set(r->e, "node %s: bad shuffle groups", op->name);
		if (op->kind == OP_RESHAPE && ir_shape_elems(xs) != ny)
			return err_set(r->e, "node %s: reshape changes the element count", op->name);
		for (int64_t i = 0; i < ny; i++) {
			int64_t j = gather(op, xs, ys, i);
			y[i] = j < 0 ? 0.0f : x[j];
		}
		break;
	default:
		return err_set(r->e, "node %s: %s ops have no float semantics", op->name,
			       ir_kind_name(op->kind));
	}
	if (op->relu)
		for (int64_t i = 0; i < ny; i++)
			y[i] = y[i] < 0 ? 0 : y[i];
	return 0;
}

int reff_run(const Graph *g, const float *const *inputs, FloatValues *v, Err *e)
{
	FRun r = {g, xcalloc(g->ntensors ? g->ntensors : 1, sizeof(float *)), inputs, 0, e};
	v->val = r.val;
	v->ntensors = g->ntensors;
	for (int o = 0; o < g->nops; o++)
		if (run_op(&r, o)) {
			reff_free(v);
			return -1;
		}
	return 0;
}

void reff_free(FloatValues *v)
{
	if (!v->val)
		return;
	for (int t = 0; t < v->ntensors; t++)
		free(v->val[t]);
	free(v->val);
	v->val = NULL;
}
