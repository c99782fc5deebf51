/* test_rewrite.c: identity rewrites keep every bit and never raise the
 * peak they are kept for. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "quant.h"
#include "ref.h"
#include "rewrite.h"
#include "rng.h"

typedef struct Case {
	int branches;  /* 2..5 */
	int k;         /* consumer kernel: 1 or 3 */
	int stride;    /* consumer stride: 1 or 2 */
	bool relu;     /* a ReLU op between concat and consumer */
	bool depthwise;
	bool two_consumers;
} Case;

/* input -> branches (convs of various widths) -> concat [-> relu] -> conv(s) */
static Graph *build(const Case *c, uint64_t seed, int *cat_op)
{
	uint64_t s = seed;
	Graph *g = ir_new("case");
	int x = ir_input(g, "x", (Shape){1, 8, 9, 9}, DT_I8);
	int br[5];
	for (int i = 0; i < c->branches; i++) {
		char name[16];
		snprintf(name, sizeof name, "b%d", i);
		int kk = rng_below(&s, 2) ? 3 : 1;
		br[i] = ir_conv(g, name, x, 4 + 4 * (int)rng_below(&s, 4), ir_window(kk, 1, 1, 1));
		g->ops[g->nops - 1].relu = rng_below(&s, 2);
	}
	int cat = ir_concat(g, "cat", br, c->branches);
	*cat_op = g->nops - 1;
	int in = c->relu ? ir_relu(g, "relu", cat) : cat;
	int cch = g->tensors[cat].shape.c;
	for (int j = 0; j < (c->two_consumers ? 2 : 1); j++) {
		char name[16];
		snprintf(name, sizeof name, "head%d", j);
		if (c->depthwise)
			ir_conv(g, name, in, cch, ir_window(c->k, c->stride, 1, cch));
		else
			ir_conv(g, name, in, 6 + j, ir_window(c->k, c->stride, 1, 1));
		g->ops[g->nops - 1].relu = j == 0;
	}
	ir_mark_unconsumed_outputs(g);
	ir_link(g);
	Err e;
	if (ir_verify(g, &e) || quant_model(g, seed, &e))
		fail_msg("%s", e.msg);
	return g;
}

/* Every tensor both graphs have by name holds the same bytes. */
static bool same(const Graph *a, const Graph *b)
{
	RefValues va, vb;
	Err e;
	if (ref_run(a, &va, &e) || ref_run(b, &vb, &e))
		fail_msg("%s", e.msg);
	bool eq = true;
	int outputs = 0;
	for (int t = 0; t < a->ntensors; t++) {
		int u = ir_find(b, a->tensors[t].name);
		if (u < 0) {
			assert_false(a->tensors[t].output);
			continue;
		}
		outputs += a->tensors[t].output;
		eq &= memcmp(va.val[t], vb.val[u], a->tensors[t].bytes) == 0;
	}
	assert_true(outputs >= 1);
	ref_free(&va);
	ref_free(&vb);
	return eq;
}

static void test_rewrites_bit_identical(void **state)
{
	(void)state;
	int n = 0;
	for (int br = 2; br <= 5; br++)
		for (int k = 1; k <= 3; k += 2)
			for (int st = 1; st <= 2; st++)
				for (int m = 0; m < 8; m++) {
					Case c = {br, k, st, m & 1, m & 2, m & 4};
					int cat;
					Graph *g = build(&c, 1000 + n++, &cat);
					RwKind kind = c.depthwise ? RW_KERNEL : RW_CHANNEL;
					assert_true(rw_applies(g, kind, cat));
					assert_false(rw_applies(g, 1 - kind, cat));
					Err e;
					Graph *r = kind == RW_CHANNEL ? rw_channel(g, cat, &e)
								      : rw_kernel(g, cat, &e);
					if (!r)
						fail_msg("%s", e.msg);
					assert_int_equal(ir_find(r, "cat"), -1); /* gone */
					if (!same(g, r))
						fail_msg("case %d: branches %d k %d stride %d relu %d "
							 "depthwise %d two %d differs",
							 n, br, k, st, c.relu, c.depthwise != 0,
							 c.two_consumers != 0);
					ir_free(r);
					ir_free(g);
				}
}

/* The comparison can fail: a changed weight in a partial convolution shows. */
static void test_comparison_catches_a_wrong_slice(void **state)
{
	(void)state;
	Case c = {3, 3, 1, true, false, false};
	int cat;
	Graph *g = build(&c, 7, &cat);
	Err e;
	Graph *r = rw_channel(g, cat, &e);
	assert_non_null(r);
	int p = ir_find(r, "head0/part1");
	assert_true(p >= 0);
	int8_t *w = r->consts[r->ops[r->tensors[p].producer].weight].data;
	w[0] = (int8_t)(w[0] == 127 ? 126 : w[0] + 1);
	assert_false(same(g, r));
	ir_free(r);
	ir_free(g);
}

/* Many thin branches into a narrow 1x1: partitioning pays despite int32
 * partial sums, and rw_apply keeps it; its peak is never higher. */
static void test_apply_keeps_what_pays(void **state)
{
	(void)state;
	Graph *g = ir_new("wide");
	int x = ir_input(g, "x", (Shape){1, 4, 16, 16}, DT_I8);
	int br[6];
	for (int i = 0; i < 6; i++) {
		char name[8];
		snprintf(name, sizeof name, "b%d", i);
		br[i] = ir_conv(g, name, x, 16, ir_window(3, 1, 1, 1));
	}
	int cat = ir_concat(g, "cat", br, 6);
	ir_conv(g, "head", cat, 4, ir_window(1, 1, 1, 1));
	ir_mark_unconsumed_outputs(g);
	ir_link(g);
	Err e;
	assert_int_equal(quant_model(g, 3, &e), 0);
	RwStats st;
	Graph *r = rw_apply(g, NULL, &st, &e);
	assert_non_null(r);
	assert_int_equal(st.applied[RW_CHANNEL], 1);
	assert_true(st.peak_after < st.peak_before);
	assert_true(same(g, r));
	ir_free(r);
	/* Random cases: never higher. */
	for (int i = 0; i < 24; i++) {
		Case c = {2 + i % 4, 1 + 2 * (i % 2), 1 + (i / 2) % 2, i % 3 == 0, i % 5 == 0, i % 7 == 0};
		int cc;
		Graph *h = build(&c, 500 + i, &cc);
		Graph *q = rw_apply(h, NULL, &st, &e);
		assert_non_null(q);
		assert_true(st.peak_after <= st.peak_before);
		assert_true(same(h, q));
		ir_free(q);
		ir_free(h);
	}
	ir_free(g);
}

static void test_not_applicable(void **state)
{
	(void)state;
	Graph *g = ir_new("na");
	int x = ir_input(g, "x", (Shape){1, 4, 4, 4}, DT_I8);
	int a = ir_conv(g, "a", x, 4, ir_window(1, 1, 1, 1));
	int xs[] = {x, a};
	int cat = ir_concat(g, "cat", xs, 2);
	ir_conv(g, "conv", cat, 4, ir_window(1, 1, 1, 1));
	ir_pool(g, "pool", OP_MAXPOOL, cat, ir_window(3, 1, 1, 1)); /* not a conv */
	ir_mark_unconsumed_outputs(g);
	ir_link(g);
	assert_false(rw_applies(g, RW_CHANNEL, 2));
	assert_false(rw_applies(g, RW_KERNEL, 2));
	assert_false(rw_applies(g, RW_CHANNEL, 1)); /* not a concat */
	ir_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rewrites_bit_identical),
		cmocka_unit_test(test_comparison_catches_a_wrong_slice),
		cmocka_unit_test(test_apply_keeps_what_pays),
		cmocka_unit_test(test_not_applicable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
