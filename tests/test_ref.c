/* test_ref.c: the int8 reference interpreter on hand-computed cases. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "ref.h"
#include "rng.h"

static const int8_t one_to_nine[] = {1, 2, 3, 4, 5, 6, 7, 8, 9};

static void set8(Graph *g, int c, const int8_t *v)
{
	g->consts[c].data = arena_alloc(g->arena, g->consts[c].bytes);
	memcpy(g->consts[c].data, v, g->consts[c].bytes);
}

static void set32(Graph *g, int c, const int32_t *v)
{
	g->consts[c].data = arena_alloc(g->arena, g->consts[c].bytes);
	memcpy(g->consts[c].data, v, g->consts[c].bytes);
}

/* Identity requantization: scale 1. */
static void unit_scale(Op *op)
{
	op->qmul = 1 << 30;
	op->qshift = -1;
}

/* Runs g on inputs, returns the int8 values of tensor t (static buffer). */
static const int8_t *run(Graph *g, const int8_t *const *inputs, int t)
{
	static int8_t out[256];
	RefValues v;
	Err e;
	ir_link(g);
	if (ref_run_inputs(g, inputs, &v, &e))
		fail_msg("%s", e.msg);
	memcpy(out, v.val[t], g->tensors[t].bytes);
	ref_free(&v);
	return out;
}

static void test_requant_rounding_and_saturation(void **state)
{
	(void)state;
	assert_int_equal(ref_requant(77, 1 << 30, -1), 77); /* scale 1 */
	assert_int_equal(ref_requant(-77, 1 << 30, -1), -77);
	/* scale 1/4: 6/4 = 1.5 -> 2, -6/4 -> -2 (half away from zero) */
	assert_int_equal(ref_requant(6, 1 << 30, 1), 2);
	assert_int_equal(ref_requant(-6, 1 << 30, 1), -2);
	/* 5/4: the high multiply rounds 2.5 to 3, the shift 1.5 to 2: TFLite and
	 * gemmlowp round twice, and so does the reference. */
	assert_int_equal(ref_requant(5, 1 << 30, 1), 2);
	assert_int_equal(ref_requant(4, 1 << 30, 1), 1);
	/* scale 4 via a left shift */
	assert_int_equal(ref_requant(3, 1 << 30, -3), 12);
	/* the left shift saturates at INT32_MAX before the multiply halves it */
	assert_int_equal(ref_requant(INT32_MAX, 1 << 30, -3), 1 << 30);
	assert_int_equal(ref_clamp8(300, false), 127);
	assert_int_equal(ref_clamp8(-300, false), -128);
	assert_int_equal(ref_clamp8(-5, true), 0);
	assert_int_equal(ref_clamp8(200, true), 127);
	int32_t q;
	int sh;
	ref_quant_params(1.0, &q, &sh);
	assert_int_equal(q, 1 << 30);
	assert_int_equal(sh, -1);
	ref_quant_params(0.25, &q, &sh);
	assert_int_equal(q, 1 << 30);
	assert_int_equal(sh, 1);
	ref_quant_params(0.75, &q, &sh);
	assert_int_equal(q, 3 << 29);
	assert_int_equal(sh, 0);
}

static void test_conv_padding_stride_dilation(void **state)
{
	(void)state;
	static const int8_t ones[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
	static const int32_t zero = 0;
	Graph *g = ir_new("conv");
	int x = ir_input(g, "x", (Shape){1, 1, 3, 3}, DT_I8);
	int a = ir_conv(g, "same", x, 1, ir_window(3, 1, 1, 1));
	int b = ir_conv(g, "stride2", x, 1, ir_window(3, 2, 1, 1));
	int c = ir_conv(g, "dilated", x, 1, ir_window(3, 1, 2, 1));
	for (int o = 1; o <= 3; o++) {
		set8(g, g->ops[o].weight, ones);
		set32(g, g->ops[o].bias, &zero);
		unit_scale(&g->ops[o]);
	}
	const int8_t *in[] = {one_to_nine};
	const int8_t *y = run(g, in, a);
	static const int8_t same[] = {12, 21, 16, 27, 45, 33, 24, 39, 28};
	assert_memory_equal(y, same, 9);
	y = run(g, in, b);
	static const int8_t s2[] = {12, 16, 24, 28};
	assert_memory_equal(y, s2, 4);
	y = run(g, in, c);
	assert_int_equal(y[0], 1 + 3 + 7 + 9);
	assert_int_equal(y[4], 5);
	ir_free(g);
}

static void test_conv_groups_bias_relu(void **state)
{
	(void)state;
	static const int8_t xin[] = {3, 5};
	static const int8_t w[] = {2, -1};
	static const int32_t bias[] = {10, -10};
	Graph *g = ir_new("groups");
	int x = ir_input(g, "x", (Shape){1, 2, 1, 1}, DT_I8);
	int y = ir_conv(g, "dw", x, 2, ir_window(1, 1, 1, 2));
	set8(g, g->ops[1].weight, w);
	set32(g, g->ops[1].bias, bias);
	unit_scale(&g->ops[1]);
	const int8_t *in[] = {xin};
	const int8_t *v = run(g, in, y);
	assert_int_equal(v[0], 16);
	assert_int_equal(v[1], -15);
	g->ops[1].relu = true;
	v = run(g, in, y);
	assert_int_equal(v[1], 0);
	ir_free(g);
}

/* ref_conv_acc as written before it went tap by tap: one output at a time,
 * testing every window position against the input's bounds. */
static void conv_direct(Window k, Shape xs, const int8_t *x, Shape ys, const int8_t *w,
			int32_t *acc)
{
	int cig = xs.c / k.groups, cog = ys.c / k.groups;
	for (int n = 0; n < ys.n; n++)
		for (int oc = 0; oc < ys.c; oc++)
			for (int oy = 0; oy < ys.h; oy++)
				for (int ox = 0; ox < ys.w; ox++) {
					uint32_t sum = 0;
					for (int ic = 0; ic < cig; ic++)
						for (int ky = 0; ky < k.kh; ky++)
							for (int kx = 0; kx < k.kw; kx++) {
								int iy = oy * k.sh - k.pt + ky * k.dh;
								int ix = ox * k.sw - k.pl + kx * k.dw;
								if (iy < 0 || iy >= xs.h || ix < 0 || ix >= xs.w)
									continue;
								int c = oc / cog * cig + ic;
								sum += (uint32_t)(x[((n * xs.c + c) * xs.h + iy) * xs.w + ix] *
										  w[((oc * cig + ic) * k.kh + ky) * k.kw + kx]);
							}
					int i = ((n * ys.c + oc) * ys.h + oy) * ys.w + ox;
					acc[i] = (int32_t)((uint32_t)acc[i] + sum);
				}
}

/* Random windows (groups, strides, dilations, padding that is negative
 * or larger than the kernel): the same accumulators, bit for bit. */
static void test_conv_acc_matches_direct(void **state)
{
	(void)state;
	uint64_t s = 42;
	for (int t = 0; t < 300; t++) {
		Window k = {0};
		k.groups = 1 + (int)rng_below(&s, 3);
		k.kh = 1 + (int)rng_below(&s, 4);
		k.kw = 1 + (int)rng_below(&s, 4);
		k.sh = 1 + (int)rng_below(&s, 3);
		k.sw = 1 + (int)rng_below(&s, 3);
		k.dh = 1 + (int)rng_below(&s, 2);
		k.dw = 1 + (int)rng_below(&s, 2);
		k.pt = (int)rng_below(&s, 5) - 1;
		k.pb = (int)rng_below(&s, 5) - 1;
		k.pl = (int)rng_below(&s, 5) - 1;
		k.pr = (int)rng_below(&s, 5) - 1;
		Shape xs = {1 + (int)rng_below(&s, 2), k.groups * (1 + (int)rng_below(&s, 6)),
			    1 + (int)rng_below(&s, 9), 1 + (int)rng_below(&s, 9)};
		int oh = (xs.h + k.pt + k.pb - (k.kh - 1) * k.dh - 1) / k.sh + 1;
		int ow = (xs.w + k.pl + k.pr - (k.kw - 1) * k.dw - 1) / k.sw + 1;
		if (xs.h + k.pt + k.pb - (k.kh - 1) * k.dh < 1 ||
		    xs.w + k.pl + k.pr - (k.kw - 1) * k.dw < 1)
			continue;
		Shape ys = {xs.n, k.groups * (1 + (int)rng_below(&s, 5)), oh, ow};
		int nx = xs.n * xs.c * xs.h * xs.w, ny = ys.n * ys.c * ys.h * ys.w;
		int nw = ys.c * (xs.c / k.groups) * k.kh * k.kw;
		int8_t *x = xmalloc(nx), *w = xmalloc(nw);
		int32_t *a = xmalloc(ny * sizeof *a), *b = xmalloc(ny * sizeof *b);
		for (int i = 0; i < nx; i++)
			x[i] = (int8_t)((int)rng_below(&s, 256) - 128);
		for (int i = 0; i < nw; i++)
			w[i] = (int8_t)((int)rng_below(&s, 256) - 128);
		for (int i = 0; i < ny; i++)
			a[i] = b[i] = (int32_t)(rng_next(&s) >> 32);
		ref_conv_acc(k, xs, x, ys, w, a);
		conv_direct(k, xs, x, ys, w, b);
		assert_memory_equal(a, b, ny * sizeof *a);
		free(x);
		free(w);
		free(a);
		free(b);
	}
}

static void test_pooling(void **state)
{
	(void)state;
	static const int8_t neg[] = {-1, -2, -3, -4, -5, -6, -7, -8, -9};
	Graph *g = ir_new("pool");
	int x = ir_input(g, "x", (Shape){1, 1, 3, 3}, DT_I8);
	int m = ir_pool(g, "max", OP_MAXPOOL, x, ir_window(3, 1, 1, 1));
	int a = ir_pool(g, "avg", OP_AVGPOOL, x, ir_window(3, 1, 1, 1));
	int gp = ir_gavgpool(g, "gap", x);
	const int8_t *in[] = {one_to_nine};
	const int8_t *y = run(g, in, m);
	assert_int_equal(y[0], 5);
	assert_int_equal(y[4], 9);
	y = run(g, in, a);
	assert_int_equal(y[0], 3); /* 12 / 4 */
	assert_int_equal(y[1], 4); /* 21 / 6 = 3.5 -> 4 */
	assert_int_equal(y[4], 5);
	y = run(g, in, gp);
	assert_int_equal(y[0], 5);
	const int8_t *inn[] = {neg};
	y = run(g, inn, a);
	assert_int_equal(y[1], -4); /* -3.5 -> -4 */
	y = run(g, inn, m);
	assert_int_equal(y[0], -1);
	ir_free(g);
}

static void test_add_wsum_concat_relu_fc(void **state)
{
	(void)state;
	static const int8_t p[] = {100, -100, 10, -5};
	static const int8_t q[] = {100, -100, -5, 3};
	static const int8_t ww[] = {2, 3};
	Graph *g = ir_new("ew");
	int x = ir_input(g, "x", (Shape){1, 4, 1, 1}, DT_I8);
	int z = ir_input(g, "z", (Shape){1, 4, 1, 1}, DT_I8);
	int xs[] = {x, z};
	int s = ir_add(g, "add", xs, 2);
	int w = ir_wsum(g, "wsum", xs, 2);
	int c = ir_concat(g, "cat", xs, 2);
	int r = ir_relu(g, "relu", x);
	int f = ir_fc(g, "fc", x, 2);
	unit_scale(&g->ops[2]);
	unit_scale(&g->ops[3]);
	set8(g, g->ops[3].weight, ww);
	static const int8_t fw[] = {1, 1, 1, 1, 0, 0, 1, -1};
	static const int32_t fb[] = {0, 100};
	set8(g, g->ops[6].weight, fw);
	set32(g, g->ops[6].bias, fb);
	unit_scale(&g->ops[6]);
	const int8_t *in[] = {p, q};
	const int8_t *y = run(g, in, s);
	static const int8_t sum[] = {127, -128, 5, -2};
	assert_memory_equal(y, sum, 4);
	y = run(g, in, w);
	static const int8_t wsum[] = {127, -128, 5, -1};
	assert_memory_equal(y, wsum, 4);
	y = run(g, in, c);
	assert_memory_equal(y, p, 4);
	assert_memory_equal(y + 4, q, 4);
	y = run(g, in, r);
	static const int8_t relu[] = {100, 0, 10, 0};
	assert_memory_equal(y, relu, 4);
	y = run(g, in, f);
	assert_int_equal(y[0], 5);
	assert_int_equal(y[1], 100 + 10 + 5);
	ir_free(g);
}

/* 1x1 conv, 3 output channels with scales 1, 1/4 and 4: each channel is
 * requantized with its own parameters; calibration leaves them alone. */
static void test_per_channel_requant(void **state)
{
	(void)state;
	Graph *g = ir_new("perch");
	int x = ir_input(g, "x", (Shape){1, 1, 2, 2}, DT_I8);
	int y = ir_conv(g, "c", x, 3, ir_window(1, 1, 1, 1));
	Op *op = &g->ops[1];
	static const int8_t w[] = {1, 2, 3};
	static const int32_t b[] = {0, 2, -1};
	set8(g, op->weight, w);
	set32(g, op->bias, b);
	op->qmuls = arena_newvec(g->arena, int32_t, 3);
	op->qshifts = arena_newvec(g->arena, int, 3);
	static const int sh[] = {-1, 1, -3};
	for (int c = 0; c < 3; c++)
		op->qmuls[c] = 1 << 30, op->qshifts[c] = sh[c];
	Err e;
	ir_link(g);
	assert_int_equal(ref_calibrate(g, &e), 0);
	assert_int_equal(op->qmul, 0);
	static const int8_t in[] = {10, -10, 50, 7};
	const int8_t *ins[] = {in};
	const int8_t *out = run(g, ins, y);
	/* c0: x; c1: (2x + 2) / 4, half away from zero; c2: 4 * (3x - 1) */
	static const int8_t want[] = {10, -10, 50, 7, 6, -5, 26, 4, 116, -124, 127, 80};
	assert_memory_equal(out, want, 12);
	ir_free(g);
}

/* Per-channel calibration gives channels of different magnitude each
 * their own scale: each fills the int8 range. */
static void test_per_channel_calibration(void **state)
{
	(void)state;
	Graph *g = ir_new("perchcal");
	int x = ir_input(g, "x", (Shape){1, 1, 8, 8}, DT_I8);
	int y = ir_conv(g, "c", x, 2, ir_window(1, 1, 1, 1));
	Op *op = &g->ops[1];
	static const int8_t w[] = {1, 100};
	static const int32_t b[] = {0, 0};
	set8(g, op->weight, w);
	set32(g, op->bias, b);
	Err e;
	ir_link(g);
	assert_int_equal(ref_calibrate_perchannel(g, &e), 0);
	assert_non_null(op->qmuls);
	assert_true(op->qshifts[0] < op->qshifts[1]);
	RefValues v;
	assert_int_equal(ref_run(g, &v, &e), 0);
	for (int c = 0; c < 2; c++) {
		int big = 0;
		for (int i = 0; i < 64; i++) {
			int q = ((const int8_t *)v.val[y])[c * 64 + i];
			big = q < 0 ? (-q > big ? -q : big) : (q > big ? q : big);
		}
		assert_true(big >= 120);
	}
	ref_free(&v);
	ir_free(g);
}

static void test_uncalibrated_and_opaque_refused(void **state)
{
	(void)state;
	Graph *g = ir_new("bad");
	int x = ir_input(g, "x", (Shape){1, 1, 2, 2}, DT_I8);
	ir_conv(g, "c", x, 1, ir_window(1, 1, 1, 1));
	ir_link(g);
	RefValues v;
	Err e;
	assert_int_equal(ref_run(g, &v, &e), -1);
	assert_non_null(strstr(e.msg, "node c"));
	ir_free(g);
	g = ir_new("opaque");
	ir_opaque(g, "o", 4, NULL, 0);
	ir_link(g);
	assert_int_equal(ref_run(g, &v, &e), -1);
	assert_non_null(strstr(e.msg, "node o"));
	ir_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_requant_rounding_and_saturation),
		cmocka_unit_test(test_conv_padding_stride_dilation),
		cmocka_unit_test(test_conv_groups_bias_relu),
		cmocka_unit_test(test_conv_acc_matches_direct),
		cmocka_unit_test(test_pooling),
		cmocka_unit_test(test_add_wsum_concat_relu_fc),
		cmocka_unit_test(test_per_channel_requant),
		cmocka_unit_test(test_per_channel_calibration),
		cmocka_unit_test(test_uncalibrated_and_opaque_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
