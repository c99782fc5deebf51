/* test_ptq.c: the float reference interpreter on hand-computed cases, and
 * post-training quantization: SQNR (on held-out inputs and on the user's
 * samples), per-channel weights, concat scales, adds as weighted sums,
 * Clip fusion. */
#include "testutil.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "calib.h"
#include "onnx.pb-c.h"
#include "ptq.h"
#include "ref.h"
#include "ref_float.h"
#include "rng.h"

static void setf(Graph *g, int c, const float *v)
{
	g->consts[c].fdata = arena_newvec(g->arena, float, g->consts[c].count);
	memcpy(g->consts[c].fdata, v, g->consts[c].count * sizeof *v);
}

/* Seeded uniform [-a, a] float constants. */
static void randf(Graph *g, int c, double a, uint64_t seed)
{
	g->consts[c].fdata = arena_newvec(g->arena, float, g->consts[c].count);
	for (int64_t i = 0; i < g->consts[c].count; i++)
		g->consts[c].fdata[i] = (float)(a * (2 * rng_unit(&seed) - 1));
}

/* Runs g (inputs in OP_INPUT order) and checks tensor t against want[]. */
static void expect(Graph *g, const float *const *inputs, int t, const float *want, int n)
{
	FloatValues v;
	Err e;
	ir_link(g);
	if (ir_verify(g, &e) || reff_run(g, inputs, &v, &e))
		fail_msg("%s", e.msg);
	assert_int_equal(ir_shape_elems(g->tensors[t].shape), n);
	for (int i = 0; i < n; i++)
		if (fabsf(v.val[t][i] - want[i]) > 1e-5f)
			fail_msg("%s[%d] = %g, expected %g", g->tensors[t].name, i, v.val[t][i],
				 want[i]);
	reff_free(&v);
}

static const float one_to_nine[] = {1, 2, 3, 4, 5, 6, 7, 8, 9};

static void test_conv_pads_dilation_groups(void **state)
{
	(void)state;
	Graph *g = ir_new("conv");
	int x = ir_input(g, "x", (Shape){1, 1, 2, 2}, DT_I8);
	/* asymmetric padding: one row on top, one column on the left */
	Window w = {2, 2, 1, 1, 1, 1, 1, 1, 0, 0, 1};
	int y = ir_conv(g, "y", x, 1, w);
	setf(g, g->ops[1].weight, (const float[]){1, 2, 3, 4});
	setf(g, g->ops[1].bias, (const float[]){0.5f});
	const float *in[] = {one_to_nine};
	/* (0,0) 1*4; (0,1) 1*3+2*4; (1,0) 1*2+3*4; (1,1) 1+4+9+16 */
	expect(g, in, y, (const float[]){4.5f, 11.5f, 14.5f, 30.5f}, 4);
	ir_free(g);

	g = ir_new("dilated");
	x = ir_input(g, "x", (Shape){1, 1, 3, 3}, DT_I8);
	y = ir_conv(g, "y", x, 1, (Window){2, 2, 1, 1, 2, 2, 0, 0, 0, 0, 1});
	setf(g, g->ops[1].weight, (const float[]){1, 1, 1, 1});
	g->ops[1].bias = -1; /* no bias: zero */
	expect(g, in, y, (const float[]){1 + 3 + 7 + 9}, 1);
	ir_free(g);

	g = ir_new("grouped");
	x = ir_input(g, "x", (Shape){1, 2, 1, 1}, DT_I8);
	y = ir_conv(g, "y", x, 4, ir_window(1, 1, 1, 2));
	setf(g, g->ops[1].weight, (const float[]){1, 2, 3, 4});
	setf(g, g->ops[1].bias, (const float[]){0, 0, 0, -20});
	g->ops[1].relu = true;
	const float *in2[] = {(const float[]){2, 3}};
	expect(g, in2, y, (const float[]){2, 4, 9, 0}, 4);
	ir_free(g);
}

static void test_fc_pools(void **state)
{
	(void)state;
	Graph *g = ir_new("fc");
	int x = ir_input(g, "x", (Shape){1, 2, 1, 2}, DT_I8);
	int y = ir_fc(g, "y", x, 2);
	setf(g, g->ops[1].weight, (const float[]){1, 0, 0, 0, 0, 1, 1, 1});
	setf(g, g->ops[1].bias, (const float[]){0, -1});
	const float *in[] = {(const float[]){1, 2, 3, 4}};
	expect(g, in, y, (const float[]){1, 8}, 2);
	ir_free(g);

	/* 2x2 windows, stride 2, one row and column of padding all round */
	Window k = {2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1};
	const float neg[] = {-1, -2, -3, -4, -5, -6, -7, -8, -9};
	g = ir_new("pools");
	x = ir_input(g, "x", (Shape){1, 1, 3, 3}, DT_I8);
	int mp = ir_pool(g, "mp", OP_MAXPOOL, x, k);
	int ap = ir_pool(g, "ap", OP_AVGPOOL, x, k);
	int gp = ir_gavgpool(g, "gp", x);
	const float *in2[] = {neg};
	/* padding is ignored: not a 0 in the max, not counted in the mean */
	expect(g, in2, mp, (const float[]){-1, -2, -4, -5}, 4);
	expect(g, in2, ap, (const float[]){-1, -2.5f, -5.5f, -7}, 4);
	expect(g, in2, gp, (const float[]){-5}, 1);
	ir_free(g);
}

static void test_sums_concat_relu(void **state)
{
	(void)state;
	Graph *g = ir_new("sums");
	int a = ir_input(g, "a", (Shape){1, 2, 1, 1}, DT_I8);
	int b = ir_input(g, "b", (Shape){1, 2, 1, 1}, DT_I8);
	int ab[] = {a, b};
	int s = ir_add(g, "s", ab, 2);
	int sr = ir_add(g, "sr", ab, 2);
	g->ops[sr].relu = true;
	int ws = ir_wsum(g, "ws", ab, 2);
	setf(g, g->ops[ws].weight, (const float[]){0.5f, 2});
	int c = ir_concat(g, "c", ab, 2);
	int r = ir_relu(g, "r", b);
	const float *in[] = {(const float[]){1, 2}, (const float[]){3, -5}};
	expect(g, in, s, (const float[]){4, -3}, 2);
	expect(g, in, sr, (const float[]){4, 0}, 2);
	expect(g, in, ws, (const float[]){6.5f, -9}, 2);
	expect(g, in, c, (const float[]){1, 2, 3, -5}, 4);
	expect(g, in, r, (const float[]){3, 0}, 2);
	ir_free(g);
}

static void test_activations(void **state)
{
	(void)state;
	Graph *g = ir_new("act");
	int x = ir_input(g, "x", (Shape){1, 4, 1, 1}, DT_I8);
	int clip = ir_act(g, "clip", x, ACT_CLIP, -1, 1);
	int leaky = ir_act(g, "leaky", x, ACT_LEAKY, 0.1f, 0);
	int sig = ir_act(g, "sig", x, ACT_SIGMOID, 0, 0);
	int hsig = ir_act(g, "hsig", x, ACT_HSIGMOID, 0.2f, 0.5f);
	int hsw = ir_act(g, "hsw", x, ACT_HSWISH, 0, 0);
	const float *in[] = {(const float[]){-4, -1, 0, 3}};
	expect(g, in, clip, (const float[]){-1, -1, 0, 1}, 4);
	expect(g, in, leaky, (const float[]){-0.4f, -0.1f, 0, 3}, 4);
	expect(g, in, sig, (const float[]){1 / (1 + expf(4)), 1 / (1 + expf(1)), 0.5f,
					   1 / (1 + expf(-3))}, 4);
	expect(g, in, hsig, (const float[]){0, 0.3f, 0.5f, 1}, 4);
	expect(g, in, hsw, (const float[]){0, -1.0f / 3, 0, 3}, 4);
	ir_free(g);
}

static void test_data_movement(void **state)
{
	(void)state;
	Graph *g = ir_new("moves");
	int x = ir_input(g, "x", (Shape){1, 2, 1, 2}, DT_I8);
	int f = ir_input(g, "f", (Shape){1, 2, 1, 1}, DT_I8);
	int c6 = ir_input(g, "c6", (Shape){1, 6, 1, 1}, DT_I8);
	int m = ir_mul(g, "m", x, f);
	int sl = ir_slice(g, "sl", c6, 1, 1, 6, 2);
	int pd = ir_pad(g, "pd", f, 1, 0, 0, 1);
	int sh = ir_shuffle(g, "sh", c6, 2);
	int tr = ir_transpose(g, "tr", x, (const int[]){0, 2, 3, 1});
	int rs = ir_reshape(g, "rs", x, (Shape){1, 4, 1, 1});
	const float *in[] = {(const float[]){1, 2, 3, 4}, (const float[]){10, -1},
			     (const float[]){0, 1, 2, 3, 4, 5}};
	expect(g, in, m, (const float[]){10, 20, -3, -4}, 4);
	expect(g, in, sl, (const float[]){1, 3, 5}, 3);
	expect(g, in, pd, (const float[]){0, 0, 10, 0, 0, 0, -1, 0}, 8);
	expect(g, in, sh, (const float[]){0, 3, 1, 4, 2, 5}, 6);
	expect(g, in, tr, (const float[]){1, 3, 2, 4}, 4);
	expect(g, in, rs, (const float[]){1, 2, 3, 4}, 4);
	ir_free(g);
}

static void test_refuses_without_float_weights(void **state)
{
	(void)state;
	Graph *g = ir_new("int8");
	int x = ir_input(g, "x", (Shape){1, 1, 2, 2}, DT_I8);
	ir_conv(g, "y", x, 1, ir_window(1, 1, 1, 1));
	ir_link(g);
	FloatValues v;
	Err e;
	assert_false(reff_has_float(g));
	assert_int_equal(reff_run(g, NULL, &v, &e), -1);
	assert_non_null(strstr(e.msg, "node y"));
	ir_free(g);
}

/* input -> conv+relu -> conv -> add(conv1, conv2) -> gavgpool -> fc */
static Graph *small_net(void)
{
	Graph *g = ir_new("small");
	int x = ir_input(g, "x", (Shape){1, 3, 8, 8}, DT_I8);
	int c1 = ir_conv(g, "c1", x, 8, ir_window(3, 1, 1, 1));
	g->ops[1].relu = true;
	randf(g, g->ops[1].weight, 1 / sqrt(27.0), 1);
	randf(g, g->ops[1].bias, 0.1, 2);
	int c2 = ir_conv(g, "c2", c1, 8, ir_window(3, 1, 1, 1));
	randf(g, g->ops[2].weight, 4 / sqrt(72.0), 3); /* larger: another scale */
	randf(g, g->ops[2].bias, 0.1, 4);
	int s = ir_add(g, "s", (const int[]){c1, c2}, 2);
	int p = ir_gavgpool(g, "p", s);
	ir_fc(g, "fc", p, 4);
	randf(g, g->ops[5].weight, 1 / sqrt(8.0), 5);
	randf(g, g->ops[5].bias, 0.1, 6);
	ir_link(g);
	ir_mark_unconsumed_outputs(g);
	return g;
}

static Graph *quantize(const Graph *f)
{
	Err e;
	Graph *q = ptq_quantize(f, NULL, &e);
	if (!q)
		fail_msg("%s", e.msg);
	return q;
}

static void test_ptq_sqnr_and_wsum(void **state)
{
	(void)state;
	Graph *f = small_net();
	assert_true(reff_has_float(f));
	Graph *q = quantize(f);
	Err e;
	double db;
	if (ptq_sqnr(f, q, NULL, &db, &e))
		fail_msg("%s", e.msg);
	/* on held-out inputs: some exceed the calibrated range and saturate */
	print_message("small net: SQNR %.2f dB\n", db);
	assert_true(db > 25);
	assert_true(isfinite(db));
	/* the add of two scales became a weighted sum, largest coefficient 127 */
	int s = ir_find(q, "s");
	const Op *op = &q->ops[q->tensors[s].producer];
	assert_int_equal(op->kind, OP_WSUM);
	const int8_t *c = q->consts[op->weight].data;
	assert_int_equal(abs(c[0]) > abs(c[1]) ? abs(c[0]) : abs(c[1]), 127);
	assert_true(c[0] != c[1]);
	/* the same float graph again: the same bytes */
	Graph *q2 = quantize(f);
	for (int k = 0; k < q->nconsts; k++)
		assert_memory_equal(q->consts[k].data, q2->consts[k].data, q->consts[k].bytes);
	ir_free(q2);
	ir_free(q);
	ir_free(f);
}

/* The user's samples from a normal distribution: the SQNR is measured on
 * them (not on a pattern spanning the calibrated range uniformly, which
 * would saturate most activations), pooled over every sample. */
static void test_sqnr_on_calib_samples(void **state)
{
	(void)state;
	enum { NS = 6, N = 3 * 8 * 8 };
	Graph *f = small_net();
	float *x[NS], *xs[NS][1];
	const float *const *ins[NS];
	uint64_t seed = 42;
	for (int k = 0; k < NS; k++) {
		x[k] = xmalloc(N * sizeof *x[k]);
		for (int i = 0; i < N; i++) { /* Box-Muller */
			double u = rng_unit(&seed), v = rng_unit(&seed);
			x[k][i] = (float)(sqrt(-2 * log(1 - u)) * cos(6.283185307179586 * v));
		}
		xs[k][0] = x[k];
		ins[k] = (const float *const *)xs[k];
	}
	PtqOpts po = {NS, ins, NULL};
	Err e;
	Graph *q = ptq_quantize(f, &po, &e);
	if (!q)
		fail_msg("%s", e.msg);
	double db, lo = INFINITY, hi = -INFINITY;
	if (ptq_sqnr(f, q, &po, &db, &e))
		fail_msg("%s", e.msg);
	print_message("small net, normal calibration samples: SQNR %.2f dB\n", db);
	assert_true(db > 20);
	/* one ratio of sums over the samples: between the samples' own */
	for (int k = 0; k < NS; k++) {
		PtqOpts one = {1, &ins[k], NULL};
		double d;
		if (ptq_sqnr(f, q, &one, &d, &e))
			fail_msg("%s", e.msg);
		lo = fmin(lo, d);
		hi = fmax(hi, d);
	}
	print_message("  per sample: %.2f to %.2f dB\n", lo, hi);
	assert_true(lo < hi);
	assert_true(lo <= db && db <= hi);
	ir_free(q);
	ir_free(f);
	for (int k = 0; k < NS; k++)
		free(x[k]);
}

static void test_weights_per_channel(void **state)
{
	(void)state;
	Graph *f = small_net();
	/* channel 0 of c1 a hundred times smaller than the rest */
	float *w = f->consts[f->ops[1].weight].fdata;
	for (int i = 0; i < 27; i++)
		w[i] /= 100;
	Graph *q = quantize(f);
	const Op *op = &q->ops[1];
	const Const *wc = &q->consts[op->weight];
	const int8_t *wq = wc->data;
	assert_non_null(op->qmuls);
	for (int ch = 0; ch < 8; ch++) {
		double m = 0;
		for (int i = 0; i < 27; i++)
			m = fmax(m, fabs(w[ch * 27 + i]));
		double sw = m / 127;
		int big = 0;
		for (int i = 0; i < 27; i++) {
			assert_true(fabs(w[ch * 27 + i] - sw * wq[ch * 27 + i]) <= sw / 2 + 1e-9);
			big |= abs(wq[ch * 27 + i]) == 127;
		}
		assert_true(big); /* each channel spans the int8 range */
	}
	/* the small channel requantizes with a hundred times smaller factor */
	double r0 = op->qmuls[0] * ldexp(1, -31 - op->qshifts[0]);
	double r1 = op->qmuls[1] * ldexp(1, -31 - op->qshifts[1]);
	assert_true(r0 < r1 / 20);
	ir_free(q);
	ir_free(f);
}

static void test_concat_shares_scale(void **state)
{
	(void)state;
	Graph *f = ir_new("cat");
	int x = ir_input(f, "x", (Shape){1, 2, 4, 4}, DT_I8);
	int a = ir_conv(f, "a", x, 2, ir_window(1, 1, 1, 1));
	randf(f, f->ops[1].weight, 0.1, 7);
	int b = ir_conv(f, "b", x, 3, ir_window(1, 1, 1, 1));
	randf(f, f->ops[2].weight, 10, 8);
	int mp = ir_pool(f, "mp", OP_MAXPOOL, a, ir_window(3, 1, 1, 1));
	int c = ir_concat(f, "c", (const int[]){mp, b}, 2);
	ir_link(f);
	ir_mark_unconsumed_outputs(f);
	(void)c;
	Graph *q = quantize(f);
	float s = q->tensors[ir_find(q, "c")].scale;
	assert_true(s > 0);
	assert_true(q->tensors[ir_find(q, "a")].scale == s);
	assert_true(q->tensors[ir_find(q, "b")].scale == s);
	assert_true(q->tensors[ir_find(q, "mp")].scale == s);
	Err e;
	double db;
	if (ptq_sqnr(f, q, NULL, &db, &e))
		fail_msg("%s", e.msg);
	print_message("concat: SQNR %.2f dB\n", db);
	assert_true(db > 30);
	ir_free(q);
	ir_free(f);
}

static void test_clip_fusion(void **state)
{
	(void)state;
	Graph *f = ir_new("clip");
	int x = ir_input(f, "x", (Shape){1, 2, 6, 6}, DT_I8);
	int c = ir_conv(f, "c", x, 4, ir_window(3, 1, 1, 1));
	randf(f, f->ops[1].weight, 3, 9); /* outputs well beyond 6 */
	randf(f, f->ops[1].bias, 1, 10);
	int r6 = ir_act(f, "r6", c, ACT_CLIP, 0, 6);
	ir_link(f);
	ir_mark_unconsumed_outputs(f);
	Graph *q = quantize(f);
	assert_int_equal(q->nops, 2);
	assert_int_equal(ir_find(q, "r6"), -1);
	const Tensor *t = &q->tensors[ir_find(q, "c")];
	assert_true(q->ops[t->producer].relu);
	assert_true(t->output);
	assert_true(fabsf(t->scale - 6.0f / 127) < 1e-9f);
	assert_int_equal(q->nmerged, 1);
	assert_string_equal(q->merged[0], "r6");
	assert_string_equal(q->merged[1], "c");

	/* Against the float clip on the same inputs: in [0, 6] everywhere,
	 * exactly 6 where the float output is clearly above it, otherwise
	 * within the rounding of the conv. */
	RefValues qv;
	FloatValues fv;
	Err e;
	if (ref_run(q, &qv, &e))
		fail_msg("%s", e.msg);
	float in[72];
	for (int i = 0; i < 72; i++)
		in[i] = q->tensors[0].scale * ((const int8_t *)qv.val[0])[i];
	const float *ins[] = {in};
	if (reff_run(f, ins, &fv, &e))
		fail_msg("%s", e.msg);
	int saturated = 0;
	for (int i = 0; i < 144; i++) {
		double y = t->scale * ((const int8_t *)qv.val[ir_find(q, "c")])[i];
		double want = fv.val[r6][i], pre = fv.val[c][i];
		assert_true(y >= 0 && y <= 6.0 + 1e-6);
		if (pre > 6.5) {
			assert_true(fabs(y - 6.0) < 1e-6);
			saturated++;
		}
		assert_true(fabs(y - want) < 3 * t->scale);
	}
	assert_true(saturated > 0);
	double db;
	if (ptq_sqnr(f, q, NULL, &db, &e))
		fail_msg("%s", e.msg);
	print_message("clip: SQNR %.2f dB\n", db);
	assert_true(db > 30);
	ref_free(&qv);
	reff_free(&fv);
	ir_free(q);
	ir_free(f);
}

/* Clip(0, +inf), a ReLU as PyTorch's clamp(min=0) exports it: fused, with
 * the calibrated scale rather than +inf / 127 (which would zero it all). */
static void test_clip_without_upper_bound(void **state)
{
	(void)state;
	Graph *f = ir_new("clamp");
	int x = ir_input(f, "x", (Shape){1, 2, 6, 6}, DT_I8);
	int c = ir_conv(f, "c", x, 4, ir_window(3, 1, 1, 1));
	randf(f, f->ops[1].weight, 3, 9);
	randf(f, f->ops[1].bias, 1, 10);
	ir_act(f, "relu", c, ACT_CLIP, 0, FLT_MAX);
	ir_link(f);
	ir_mark_unconsumed_outputs(f);
	Graph *q = quantize(f);
	const Tensor *t = &q->tensors[ir_find(q, "c")];
	assert_true(q->ops[t->producer].relu);
	assert_true(t->scale > 0 && t->scale < 1);
	Err e;
	double db;
	if (ptq_sqnr(f, q, NULL, &db, &e))
		fail_msg("%s", e.msg);
	print_message("clamp(min=0): SQNR %.2f dB\n", db);
	assert_true(db > 30);
	ir_free(q);
	ir_free(f);
}

/* A Clip whose producer has another reader is not fused. */
static void test_clip_not_fused_when_shared(void **state)
{
	(void)state;
	Graph *f = ir_new("clip2");
	int x = ir_input(f, "x", (Shape){1, 2, 4, 4}, DT_I8);
	int c = ir_conv(f, "c", x, 2, ir_window(1, 1, 1, 1));
	randf(f, f->ops[1].weight, 1, 11);
	ir_act(f, "r6", c, ACT_CLIP, 0, 6);
	ir_relu(f, "r", c);
	ir_link(f);
	ir_mark_unconsumed_outputs(f);
	Graph *q = quantize(f);
	assert_int_equal(q->nops, 4);
	assert_false(q->ops[1].relu);
	ir_free(q);
	ir_free(f);
}

/* NaN or Inf weights, and finite ones too large for float arithmetic,
 * refused before they reach a float -> int8 conversion; weights so small
 * that scales would round to 0 in float get scales of at least FLT_MIN. */
static void test_non_finite_refused(void **state)
{
	(void)state;
	Err e;
	for (int k = 0; k < 2; k++) {
		Graph *f = small_net();
		f->consts[f->ops[2].weight].fdata[4] = k ? INFINITY : NAN;
		assert_null(ptq_quantize(f, NULL, &e));
		assert_string_equal(e.msg, k ? "node c2: weight element 4 is Inf (weights must be finite)"
					     : "node c2: weight element 4 is NaN (weights must be finite)");
		ir_free(f);
	}
	Graph *f = small_net();
	f->consts[f->ops[5].bias].fdata[1] = NAN;
	assert_null(ptq_quantize(f, NULL, &e));
	assert_non_null(strstr(e.msg, "node fc: bias element 1 is NaN"));
	ir_free(f);

	f = small_net();
	for (int64_t i = 0; i < f->consts[f->ops[1].weight].count; i++)
		f->consts[f->ops[1].weight].fdata[i] = 3e38f;
	assert_null(ptq_quantize(f, NULL, &e));
	assert_string_equal(e.msg, "node c1: calibration sample 0 gives Inf: weights or inputs "
				   "too large for float");
	ir_free(f);

	f = small_net();
	randf(f, f->ops[1].weight, 1e-43, 1);
	memset(f->consts[f->ops[1].bias].fdata, 0, 8 * sizeof(float));
	memset(f->consts[f->ops[2].bias].fdata, 0, 8 * sizeof(float));
	Graph *q = quantize(f);
	for (int t = 0; t < q->ntensors; t++)
		assert_true(q->tensors[t].scale >= FLT_MIN);
	double db;
	if (ptq_sqnr(f, q, NULL, &db, &e))
		fail_msg("%s", e.msg);
	ir_free(q);
	ir_free(f);
}

/* Writes a TensorProto of n floats (dims 1 x n) with data type dt. */
static void write_pb(const char *path, const float *v, int n, int dt)
{
	Onnx__TensorProto t = ONNX__TENSOR_PROTO__INIT;
	int64_t dims[2] = {1, n};
	t.n_dims = 2;
	t.dims = dims;
	t.has_data_type = 1;
	t.data_type = dt;
	t.n_float_data = n;
	t.float_data = (float *)v;
	uint8_t buf[1024];
	size_t len = onnx__tensor_proto__pack(&t, buf);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	fclose(f);
}

static int progress_calls[8][2], nprogress;

static void record_progress(int k, int n)
{
	if (nprogress < 8) {
		progress_calls[nprogress][0] = k;
		progress_calls[nprogress][1] = n;
	}
	nprogress++;
}

static void test_calib_dir(void **state)
{
	(void)state;
	char dir[] = "/tmp/serenity-calib-XXXXXX", path[128];
	assert_non_null(mkdtemp(dir));
	Graph *f = ir_new("calib");
	int x = ir_input(f, "x", (Shape){1, 2, 2, 2}, DT_I8);
	ir_conv(f, "c", x, 2, ir_window(1, 1, 1, 1));
	randf(f, f->ops[1].weight, 1, 12);
	ir_link(f);
	ir_mark_unconsumed_outputs(f);
	float big[8] = {10, -20, 30, -40, 5, 6, 7, 8}, small[8] = {1, 2, 3, 4, 5, 6, 7, -8};
	/* two samples, one per subdirectory */
	snprintf(path, sizeof path, "%s/test_data_set_0", dir);
	mkdir(path, 0777);
	snprintf(path, sizeof path, "%s/test_data_set_0/input_0.pb", dir);
	write_pb(path, small, 8, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT);
	snprintf(path, sizeof path, "%s/test_data_set_1", dir);
	mkdir(path, 0777);
	snprintf(path, sizeof path, "%s/test_data_set_1/input_0.pb", dir);
	write_pb(path, big, 8, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT);
	Calib c;
	Err e;
	if (calib_read(dir, f, &c, &e))
		fail_msg("%s", e.msg);
	assert_int_equal(c.nsamples, 2);
	assert_memory_equal(c.x[0][0], small, sizeof small);
	assert_memory_equal(c.x[1][0], big, sizeof big);
	PtqOpts po = {c.nsamples, (const float *const *const *)c.x, record_progress};
	Graph *q = ptq_quantize(f, &po, &e);
	if (!q)
		fail_msg("%s", e.msg);
	/* progress before each sample, then once at the end */
	assert_int_equal(nprogress, 3);
	for (int k = 0; k < 3; k++) {
		assert_int_equal(progress_calls[k][0], k);
		assert_int_equal(progress_calls[k][1], 2);
	}
	/* the input's scale comes from the given samples: 40 / 127 */
	assert_true(fabsf(q->tensors[0].scale - 40.0f / 127) < 1e-6f);
	ir_free(q);
	calib_free(&c);

	/* one sample directly in dir, of the wrong size, then the wrong type */
	snprintf(path, sizeof path, "%s/input_0.pb", dir);
	write_pb(path, big, 7, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT);
	assert_int_equal(calib_read(dir, f, &c, &e), -1);
	assert_non_null(strstr(e.msg, "input_0.pb: 7 elements"));
	write_pb(path, big, 8, ONNX__TENSOR_PROTO__DATA_TYPE__INT32);
	assert_int_equal(calib_read(dir, f, &c, &e), -1);
	assert_non_null(strstr(e.msg, "not float32"));
	float nan[8] = {1, 2, NAN, 4, 5, 6, 7, 8};
	write_pb(path, nan, 8, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT);
	assert_int_equal(calib_read(dir, f, &c, &e), -1);
	assert_non_null(strstr(e.msg, "input_0.pb: element 2 is NaN (calibration inputs must be finite)"));
	remove(path);
	FILE *g = fopen(path, "wb");
	fputs("\xff\xff\xff", g);
	fclose(g);
	assert_int_equal(calib_read(dir, f, &c, &e), -1);
	assert_non_null(strstr(e.msg, "not an ONNX TensorProto"));
	remove(path);
	for (int k = 0; k < 2; k++) {
		snprintf(path, sizeof path, "%s/test_data_set_%d/input_0.pb", dir, k);
		remove(path);
		snprintf(path, sizeof path, "%s/test_data_set_%d", dir, k);
		rmdir(path);
	}
	assert_int_equal(calib_read(dir, f, &c, &e), -1);
	assert_non_null(strstr(e.msg, "no input_0.pb"));
	rmdir(dir);
	ir_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conv_pads_dilation_groups),
		cmocka_unit_test(test_fc_pools),
		cmocka_unit_test(test_sums_concat_relu),
		cmocka_unit_test(test_activations),
		cmocka_unit_test(test_data_movement),
		cmocka_unit_test(test_refuses_without_float_weights),
		cmocka_unit_test(test_ptq_sqnr_and_wsum),
		cmocka_unit_test(test_sqnr_on_calib_samples),
		cmocka_unit_test(test_weights_per_channel),
		cmocka_unit_test(test_concat_shares_scale),
		cmocka_unit_test(test_clip_fusion),
		cmocka_unit_test(test_clip_without_upper_bound),
		cmocka_unit_test(test_clip_not_fused_when_shared),
		cmocka_unit_test(test_non_finite_refused),
		cmocka_unit_test(test_calib_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
