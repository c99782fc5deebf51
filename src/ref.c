/* ref.c: the int8 reference interpreter.
 *
 * Written for clarity first: one plain loop nest per op kind, NCHW, batch
 * in the outer loop; convolution, where the time goes, tap by tap so that
 * its inner loop vectorizes (ref_conv_acc).  Activations are int8 and symmetric (zero point 0), so
 * padding reads 0 and a concat is a copy.  Weights are int8, biases and
 * accumulators int32; weight layout is [cout][cin/groups][kh][kw].
 *
 * Requantization (TensorFlow Lite's, after gemmlowp).  An op's real output
 * scale r = qmul * 2^-31 * 2^-qshift, with qmul in [2^30, 2^31):
 *     x   = qshift < 0 ? sat32(acc << -qshift) : acc
 *     hi  = SaturatingRoundingDoublingHighMul(x, qmul)
 *           = (x * qmul + (x * qmul >= 0 ? 2^30 : 1 - 2^30)) / 2^31,
 *             the division truncating toward zero, INT32_MIN * INT32_MIN
 *             saturating to INT32_MAX
 *     out = RoundingDivideByPOT(hi, max(qshift, 0)): a right shift rounding
 *           half away from zero
 * then saturation to [-128, 127], or [0, 127] when a ReLU is fused.
 *
 * Per-channel requantization: a conv, fc or requant op with qmuls set
 * (per-channel weight scales) requantizes output channel c, every pixel of
 * it, with qmuls[c], qshifts[c] and the same arithmetic; qmul and qshift
 * are then unused.  Calibration picks either one scale per op from all its
 * accumulators (ref_calibrate) or, for conv and fc, one per output channel
 * from that channel's own (ref_calibrate_perchannel; a requant made by a
 * rewrite copies its conv's).  Both leave ops that have parameters alone.
 *
 * Per op:
 *   conv, fc      acc = bias + sum x * w                 -> requantize
 *   pconv         acc = (psum input or bias) + sum x * w -> int32, as is
 *   requant       acc = its int32 input                  -> requantize
 *   add           acc = sum of inputs                    -> requantize
 *   wsum          acc = sum of w_i * input_i             -> requantize
 *   maxpool       max over the window's valid elements (padding ignored)
 *   avgpool       sum over valid elements / their count, rounding half away
 *   gavgpool      the same over the whole plane
 *   concat        copy along channels;  relu  max(x, 0)
 *   slice, join   copies of rows (spatial partitioning: a band's rows, the
 *                 bands joined)
 * Accumulation is int32 with two's complement wrap-around (as hardware
 * does); the calibrated scales keep real accumulators far from overflow.
 */
#include "ref.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"

/* ---- arithmetic ---- */

static int32_t srdhm(int32_t a, int32_t b)
{
	if (a == INT32_MIN && b == INT32_MIN)
		return INT32_MAX;
	int64_t ab = (int64_t)a * b;
	int64_t nudge = ab >= 0 ? (1 << 30) : 1 - (1 << 30);
	return (int32_t)((ab + nudge) / ((int64_t)1 << 31));
}

static int32_t rdivpot(int32_t x, int exp)
{
	if (exp <= 0)
		return x;
	if (exp > 31)
		exp = 31;
	int64_t mask = ((int64_t)1 << exp) - 1;
	int64_t rem = (int64_t)x & mask;
	int64_t thr = (mask >> 1) + (x < 0);
	return (int32_t)(((int64_t)x >> exp) + (rem > thr));
}

int32_t ref_requant(int32_t acc, int32_t qmul, int qshift)
{
	int64_t x = acc;
	if (qshift < 0) {
		x = (int64_t)acc * ((int64_t)1 << (-qshift > 31 ? 31 : -qshift));
		x = x > INT32_MAX ? INT32_MAX : x < INT32_MIN ? INT32_MIN : x;
	}
	return rdivpot(srdhm((int32_t)x, qmul), qshift);
}

int8_t ref_clamp8(int32_t v, bool relu)
{
	int32_t lo = relu ? 0 : -128;
	return (int8_t)(v < lo ? lo : v > 127 ? 127 : v);
}

void ref_quant_params(double scale, int32_t *qmul, int *qshift)
{
	int e;
	double f = frexp(scale, &e); /* scale = f * 2^e, f in [0.5, 1) */
	int64_t q = llround(f * 2147483648.0);
	if (q == ((int64_t)1 << 31)) {
		q /= 2;
		e++;
	}
	int shift = -e;
	if (shift > 62) /* too small to matter: everything rounds to 0 */
		shift = 62;
	if (shift < -31)
		shift = -31, q = INT32_MAX;
	*qmul = (int32_t)q;
	*qshift = shift;
}

void ref_input(const Tensor *t, int8_t *out)
{
	uint64_t s = 0x5e7e41u;
	for (const char *p = t->name; *p; p++)
		s = (s ^ (unsigned char)*p) * 0x100000001b3ull;
	int64_t n = t->bytes / ir_dtype_size(t->dtype);
	for (int64_t i = 0; i < n; i++)
		out[i] = (int8_t)(rng_next(&s) >> 56);
}

/* ---- running ---- */

typedef struct Run {
	Graph *g;       /* written only when calibrating */
	bool calibrate;
	bool perchannel; /* calibrating conv and fc per output channel */
	const int8_t *const *inputs;
	int ninputs;    /* OP_INPUT ops seen so far */
	void **val;
	Err *e;
} Run;

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

/* The 99.9th percentile of |acc|, over up to 65536 evenly spread samples. */
static uint32_t acc_percentile(const int32_t *acc, int64_t n)
{
	int64_t step = n > 65536 ? n / 65536 : 1, k = 0;
	uint32_t *s = xcalloc(n / step + 1, sizeof *s);
	for (int64_t i = 0; i < n; i += step)
		s[k++] = acc[i] < 0 ? (uint32_t)0 - (uint32_t)acc[i] : (uint32_t)acc[i];
	qsort(s, k, sizeof *s, cmp_u32);
	uint32_t p = s[(k - 1) * 999 / 1000];
	free(s);
	return p ? p : 1;
}

static bool has_params(const Op *op)
{
	return op->qmul != 0 || op->qmuls;
}

/* Per-channel parameters for op from each channel's accumulators: channel
 * c of acc (n elements, shape ys) is every plane-th run of plane values. */
static void calibrate_channels(Graph *g, Op *op, const int32_t *acc, int64_t n, Shape ys)
{
	int64_t plane = (int64_t)ys.h * ys.w, per = n / ys.c;
	int32_t *ch = xcalloc(per ? per : 1, sizeof *ch);
	op->qmuls = arena_newvec(g->arena, int32_t, ys.c);
	op->qshifts = arena_newvec(g->arena, int, ys.c);
	for (int c = 0; c < ys.c; c++) {
		int64_t k = 0;
		for (int64_t b = 0; b < n / (plane * ys.c); b++)
			for (int64_t j = 0; j < plane; j++)
				ch[k++] = acc[(b * ys.c + c) * plane + j];
		ref_quant_params(127.0 / acc_percentile(ch, k), &op->qmuls[c], &op->qshifts[c]);
	}
	free(ch);
}

/* acc[0..n) (shape ys) to int8 out[], calibrating the op first when asked. */
static void finish(Run *r, int o, const int32_t *acc, int8_t *out, int64_t n, Shape ys)
{
	Op *op = &r->g->ops[o];
	if (r->calibrate && !has_params(op)) {
		if (r->perchannel && (op->kind == OP_CONV || op->kind == OP_FC))
			calibrate_channels(r->g, op, acc, n, ys);
		else
			ref_quant_params(127.0 / acc_percentile(acc, n), &op->qmul, &op->qshift);
	}
	if (op->qmuls) {
		int64_t plane = (int64_t)ys.h * ys.w;
		for (int64_t i = 0; i < n; i++) {
			int c = (int)((i / plane) % ys.c);
			out[i] = ref_clamp8(ref_requant(acc[i], op->qmuls[c], op->qshifts[c]),
					    op->relu);
		}
		return;
	}
	for (int64_t i = 0; i < n; i++)
		out[i] = ref_clamp8(ref_requant(acc[i], op->qmul, op->qshift), op->relu);
}

/* The outputs o in [0, n) whose input position o * stride + off lies in
 * [0, size) (a kernel tap at offset off): [*lo, *hi), empty if *lo >= *hi. */
static void tap_range(int n, int stride, int off, int size, int *lo, int *hi)
{
	*lo = off >= 0 ? 0 : (-off + stride - 1) / stride;
	*hi = size - 1 - off < 0 ? 0 : (size - 1 - off) / stride + 1;
	if (*hi > n)
		*hi = n;
}

RefTap *ref_taps(Window k, Shape xs, Shape ys)
{
	RefTap *tv = xcalloc((size_t)k.kh * k.kw, sizeof *tv);
	for (int ky = 0; ky < k.kh; ky++)
		for (int kx = 0; kx < k.kw; kx++) {
			RefTap *t = &tv[ky * k.kw + kx];
			int offy = ky * k.dh - k.pt, offx = kx * k.dw - k.pl, y0, y1, x0, x1;
			tap_range(ys.h, k.sh, offy, xs.h, &y0, &y1);
			tap_range(ys.w, k.sw, offx, xs.w, &x0, &x1);
			if (y1 <= y0 || x1 <= x0)
				continue; /* rows 0 */
			t->rows = y1 - y0;
			t->len = x1 - x0;
			t->y = (int64_t)y0 * ys.w + x0;
			t->x = (int64_t)(y0 * k.sh + offy) * xs.w + (int64_t)x0 * k.sw + offx;
			t->ystep = ys.w;
			t->xstep = (int64_t)k.sh * xs.w;
			if (k.sh == 1 && k.sw == 1 && xs.w == ys.w && offx == 0) { /* whole rows */
				t->len *= t->rows;
				t->rows = 1;
			}
		}
	return tv;
}

enum { NFUSE = 4 }; /* input channels one pass of ref_conv_acc's inner loop sums */

/* y[i] += sum over j < m of a[j] * x[j * plane + i * stride], i in [0, n),
 * wrapping like int32 hardware: ref_conv_acc's inner loop, over m <= NFUSE
 * input planes at once (the m products fit int32 without wrapping). */
static void axpy8(uint32_t *restrict y, const int8_t *restrict x, int64_t plane, int stride,
		  const int32_t *a, int m, int n)
{
	if (m < NFUSE) {
		for (int j = 0; j < m; j++, x += plane)
			if (stride == 1)
				for (int i = 0; i < n; i++)
					y[i] += (uint32_t)(a[j] * x[i]);
			else
				for (int i = 0; i < n; i++)
					y[i] += (uint32_t)(a[j] * x[(int64_t)i * stride]);
		return;
	}
	const int8_t *x1 = x + plane, *x2 = x1 + plane, *x3 = x2 + plane;
	int32_t a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
	if (stride == 1)
		for (int i = 0; i < n; i++)
			y[i] += (uint32_t)(a0 * x[i] + a1 * x1[i] + a2 * x2[i] + a3 * x3[i]);
	else
		for (int i = 0; i < n; i++) {
			int64_t j = (int64_t)i * stride;
			y[i] += (uint32_t)(a0 * x[j] + a1 * x1[j] + a2 * x2[j] + a3 * x3[j]);
		}
}

/* Convolution accumulators: acc[] starts with the bias or partial sums.
 * Tap by tap, NFUSE input channels at a time, as ref_float.c's conv (which
 * explains the loop order); the sums wrap modulo 2^32, so their order does
 * not change the result. */
void ref_conv_acc(Window k, Shape xs, const int8_t *x, Shape ys, const int8_t *w, int32_t *acc)
{
	int G = k.groups, cig = xs.c / G, cog = ys.c / G;
	int64_t plane = (int64_t)xs.h * xs.w, taps = (int64_t)k.kh * k.kw;
	RefTap *tv = ref_taps(k, xs, ys);
	for (int n = 0; n < ys.n; n++)
		for (int oc = 0; oc < ys.c; oc++) {
			uint32_t *yp = (uint32_t *)acc + (((int64_t)n * ys.c + oc) * ys.h) * ys.w;
			for (int ic = 0; ic < cig; ic += NFUSE) {
				int m = cig - ic < NFUSE ? cig - ic : NFUSE;
				const int8_t *xp = x + ((int64_t)n * xs.c + oc / cog * cig + ic) * plane;
				const int8_t *wp = w + ((int64_t)oc * cig + ic) * taps;
				for (int tap = 0; tap < taps; tap++) {
					const RefTap *t = &tv[tap];
					int32_t a[NFUSE];
					for (int j = 0; j < m; j++)
						a[j] = wp[j * taps + tap];
					for (int r = 0; r < t->rows; r++)
						axpy8(yp + t->y + r * t->ystep, xp + t->x + r * t->xstep,
						      plane, k.sw, a, m, t->len);
				}
			}
		}
	free(tv);
}

int ref_window_taps(Window k, Shape xs, int oy, int ox, int64_t *off)
{
	int n = 0;
	for (int ky = 0; ky < k.kh; ky++) {
		int iy = oy * k.sh - k.pt + ky * k.dh;
		if (iy < 0 || iy >= xs.h)
			continue;
		for (int kx = 0; kx < k.kw; kx++) {
			int ix = ox * k.sw - k.pl + kx * k.dw;
			if (ix >= 0 && ix < xs.w)
				off[n++] = (int64_t)iy * xs.w + ix;
		}
	}
	return n;
}

void ref_pool(Window k, bool avg, Shape xs, const int8_t *x, Shape ys, int8_t *y)
{
	int64_t *off = xmalloc((size_t)k.kh * k.kw * sizeof *off);
	for (int n = 0; n < ys.n; n++)
		for (int c = 0; c < ys.c; c++) {
			const int8_t *xp = x + ((int64_t)n * xs.c + c) * xs.h * xs.w;
			for (int oy = 0; oy < ys.h; oy++)
				for (int ox = 0; ox < ys.w; ox++) {
					int cnt = ref_window_taps(k, xs, oy, ox, off);
					int32_t best = -128, sum = 0;
					for (int j = 0; j < cnt; j++) {
						int32_t v = xp[off[j]];
						best = v > best ? v : best;
						sum += v;
					}
					int32_t out = best;
					if (avg)
						out = cnt ? (sum >= 0 ? (sum + cnt / 2) / cnt
								      : -((-sum + cnt / 2) / cnt))
							  : 0;
					y[(((int64_t)n * ys.c + c) * ys.h + oy) * ys.w + ox] =
						(int8_t)out;
				}
		}
	free(off);
}

static int64_t elems(const Tensor *t)
{
	return ir_shape_elems(t->shape);
}

/* Elements start, start + step, ... of x along op->axis (0..3: n c h w). */
static void slice(const Op *op, Shape xs, const int8_t *x, Shape ys, int8_t *y)
{
	int xd[4] = {xs.n, xs.c, xs.h, xs.w}, yd[4] = {ys.n, ys.c, ys.h, ys.w};
	int64_t i = 0;
	for (int a = 0; a < yd[0]; a++)
		for (int b = 0; b < yd[1]; b++)
			for (int c = 0; c < yd[2]; c++)
				for (int d = 0; d < yd[3]; d++) {
					int q[4] = {a, b, c, d};
					q[op->axis] = op->start + q[op->axis] * op->step;
					y[i++] = x[(((int64_t)q[0] * xd[1] + q[1]) * xd[2] + q[2]) * xd[3] +
						   q[3]];
				}
}

static int run_op(Run *r, int o)
{
	const Graph *g = r->g;
	const Op *op = &g->ops[o];
	const Tensor *yt = &g->tensors[op->out[0]];
	int64_t ny = elems(yt);
	void *yv = xcalloc(ny, ir_dtype_size(yt->dtype));
	r->val[op->out[0]] = yv;
	int8_t *y = yv;
	const Tensor *xt = op->nin ? &g->tensors[op->in[0]] : NULL;
	const int8_t *x = op->nin ? r->val[op->in[0]] : NULL;
	const Const *w = op->weight >= 0 ? &g->consts[op->weight] : NULL;
	const Const *b = op->bias >= 0 ? &g->consts[op->bias] : NULL;
	if ((w && !w->data) || (b && !b->data))
		return err_set(r->e, "node %s: weights not quantized", op->name);
	if (!r->calibrate && !has_params(op) &&
	    (op->kind == OP_CONV || op->kind == OP_FC || op->kind == OP_ADD || op->kind == OP_WSUM ||
	     op->kind == OP_REQUANT))
		return err_set(r->e, "node %s: no requantization parameters (not calibrated)",
			       op->name);
	int32_t *acc = NULL;
	Shape ys = yt->shape;
	switch (op->kind) {
	case OP_INPUT: {
		const int8_t *in = r->inputs ? r->inputs[r->ninputs] : NULL;
		r->ninputs++;
		if (in)
			memcpy(y, in, ny);
		else
			ref_input(yt, y);
		break;
	}
	case OP_CONV:
	case OP_PCONV:
		acc = op->kind == OP_PCONV ? (int32_t *)yv : xcalloc(ny, sizeof *acc);
		if (op->nin == 2)
			memcpy(acc, r->val[op->in[1]], ny * sizeof *acc);
		else if (b)
			for (int64_t i = 0; i < ny; i++)
				acc[i] = ((const int32_t *)b->data)[(i / ((int64_t)ys.h * ys.w)) % ys.c];
		ref_conv_acc(op->win, xt->shape, x, ys, w->data, acc);
		if (op->kind == OP_CONV)
			finish(r, o, acc, y, ny, ys);
		else
			acc = NULL; /* the output itself */
		break;
	case OP_FC: {
		acc = xcalloc(ny, sizeof *acc);
		int64_t in = elems(xt) / xt->shape.n;
		for (int n = 0; n < ys.n; n++)
			for (int oc = 0; oc < ys.c; oc++) {
				uint32_t sum = (uint32_t)((const int32_t *)b->data)[oc];
				const int8_t *wp = (const int8_t *)w->data + (int64_t)oc * in;
				for (int64_t i = 0; i < in; i++)
					sum += (uint32_t)((int32_t)x[n * in + i] * wp[i]);
				acc[(int64_t)n * ys.c + oc] = (int32_t)sum;
			}
		finish(r, o, acc, y, ny, ys);
		break;
	}
	case OP_REQUANT:
		finish(r, o, r->val[op->in[0]], y, ny, ys);
		break;
	case OP_ADD:
	case OP_WSUM:
		acc = xcalloc(ny, sizeof *acc);
		for (int k = 0; k < op->nin; k++) {
			const int8_t *xk = r->val[op->in[k]];
			int32_t c = op->kind == OP_WSUM ? ((const int8_t *)w->data)[k] : 1;
			for (int64_t i = 0; i < ny; i++)
				acc[i] += c * xk[i];
		}
		finish(r, o, acc, y, ny, ys);
		break;
	case OP_MAXPOOL:
	case OP_AVGPOOL:
		ref_pool(op->win, op->kind == OP_AVGPOOL, xt->shape, x, ys, y);
		break;
	case OP_GAVGPOOL: {
		int64_t hw = (int64_t)xt->shape.h * xt->shape.w;
		for (int64_t i = 0; i < ny; i++) {
			int64_t sum = 0;
			for (int64_t j = 0; j < hw; j++)
				sum += x[i * hw + j];
			y[i] = (int8_t)(sum >= 0 ? (sum + hw / 2) / hw : -((-sum + hw / 2) / hw));
		}
		break;
	}
	case OP_CONCAT: {
		int64_t plane = (int64_t)ys.h * ys.w, c0 = 0;
		for (int k = 0; k < op->nin; k++) {
			const Tensor *tk = &g->tensors[op->in[k]];
			const int8_t *xk = r->val[op->in[k]];
			for (int n = 0; n < ys.n; n++)
				memcpy(y + ((int64_t)n * ys.c + c0) * plane,
				       xk + (int64_t)n * tk->shape.c * plane, tk->shape.c * plane);
			c0 += tk->shape.c;
		}
		break;
	}
	case OP_RELU:
		for (int64_t i = 0; i < ny; i++)
			y[i] = x[i] < 0 ? 0 : x[i];
		break;
	case OP_SLICE:
		slice(op, xt->shape, x, ys, y);
		break;
	case OP_JOIN: {
		/* each input's rows of every plane, after the rows before it */
		int64_t row0 = 0;
		for (int k = 0; k < op->nin; k++) {
			const Tensor *tk = &g->tensors[op->in[k]];
			const int8_t *xk = r->val[op->in[k]];
			int64_t band = (int64_t)tk->shape.h * ys.w;
			for (int64_t p = 0; p < (int64_t)ys.n * ys.c; p++)
				memcpy(y + p * ys.h * ys.w + row0 * ys.w, xk + p * band, band);
			row0 += tk->shape.h;
		}
		break;
	}
	default:
		return err_set(r->e, "node %s: %s ops cannot run (only their sizes are known)",
			       op->name, ir_kind_name(op->kind));
	}
	if (acc && acc != (int32_t *)yv && acc != r->val[op->in[0]])
		free(acc);
	return 0;
}

static int run(Graph *g, int calibrate, const int8_t *const *inputs, RefValues *v, Err *e)
{
	Run r = {g, calibrate > 0, calibrate > 1, inputs, 0, xcalloc(g->ntensors, sizeof(void *)),
		 e};
	v->val = r.val;
	v->ntensors = g->ntensors;
	for (int o = 0; o < g->nops; o++)
		if (run_op(&r, o)) {
			ref_free(v);
			return -1;
		}
	return 0;
}

int ref_run_inputs(const Graph *g, const int8_t *const *inputs, RefValues *v, Err *e)
{
	/* Not calibrating: run() reads g only. */
	return run((Graph *)g, 0, inputs, v, e);
}

int ref_run(const Graph *g, RefValues *v, Err *e)
{
	return ref_run_inputs(g, NULL, v, e);
}

/* mode 1: per op; 2: conv and fc per output channel. */
static int calibrate(Graph *g, int mode, Err *e)
{
	RefValues v;
	if (run(g, mode, NULL, &v, e))
		return -1;
	ref_free(&v);
	return 0;
}

int ref_calibrate(Graph *g, Err *e)
{
	return calibrate(g, 1, e);
}

int ref_calibrate_perchannel(Graph *g, Err *e)
{
	return calibrate(g, 2, e);
}

void ref_free(RefValues *v)
{
	if (!v->val)
		return;
	for (int t = 0; t < v->ntensors; t++)
		free(v->val[t]);
	free(v->val);
	v->val = NULL;
}
