/* test_ir.c: builder shapes and counts, verifier, sticky errors. */
#include "testutil.h"

#include <string.h>

static void test_conv_shapes(void **state)
{
	(void)state;
	Graph *g = ir_new("t");
	int x = ir_input(g, "x", (Shape){1, 8, 32, 32}, DT_I8);
	int a = ir_conv(g, "same3", x, 16, ir_window(3, 1, 1, 1));
	int b = ir_conv(g, "s2", x, 16, ir_window(3, 2, 1, 1));
	int c = ir_conv(g, "dil2", x, 8, ir_window(3, 1, 2, 8)); /* depthwise, dilated */
	Window w = ir_window(1, 2, 1, 1);
	w.pt = w.pl = -1; /* crop the first row and column */
	int d = ir_conv(g, "crop", x, 4, w);
	int e = ir_conv(g, "grouped", x, 4, (Window){3, 3, 1, 1, 1, 1, 0, 0, 0, 0, 2});
	assert_true(ir_ok(g));
	assert_int_equal(g->tensors[a].shape.h, 32);
	assert_int_equal(g->tensors[a].bytes, 16 * 32 * 32);
	assert_int_equal(g->tensors[b].shape.h, 16);
	assert_int_equal(g->tensors[c].shape.w, 32);
	assert_int_equal(g->tensors[d].shape.h, 16);
	assert_int_equal(g->tensors[e].shape.h, 30);
	/* MACs: out elements x (cin/groups) x k x k */
	assert_int_equal(g->ops[1].macs, 16 * 32 * 32 * 8 * 9);
	assert_int_equal(g->ops[3].macs, 8 * 32 * 32 * 1 * 9);
	assert_int_equal(g->ops[5].macs, 4 * 30 * 30 * 4 * 9);
	/* weights + biases */
	int64_t params = (16 * 8 * 9 + 16) + (16 * 8 * 9 + 16) + (8 * 9 + 8) + (4 * 8 + 4) +
			 (4 * 4 * 9 + 4);
	assert_int_equal(ir_params(g), params);
	ir_link(g);
	Err err;
	assert_int_equal(ir_verify(g, &err), 0);
	ir_free(g);
}

static void test_pool_concat_fc(void **state)
{
	(void)state;
	Graph *g = ir_new("t");
	int x = ir_input(g, "x", (Shape){1, 8, 14, 14}, DT_I8);
	int p = ir_pool(g, "mp", OP_MAXPOOL, x, ir_window(3, 2, 1, 1));
	int q = ir_pool(g, "ap", OP_AVGPOOL, x, ir_window(3, 2, 1, 1));
	int parts[] = {p, q, p};
	int c = ir_concat(g, "cat", parts, 3);
	int gp = ir_gavgpool(g, "gap", c);
	int f = ir_fc(g, "fc", gp, 10);
	assert_true(ir_ok(g));
	assert_int_equal(g->tensors[p].shape.h, 7);
	assert_int_equal(g->tensors[c].shape.c, 24);
	assert_int_equal(g->tensors[gp].shape.h, 1);
	assert_int_equal(g->tensors[f].shape.c, 10);
	assert_int_equal(ir_macs(g), 24 * 10);
	ir_mark_unconsumed_outputs(g);
	assert_true(g->tensors[f].output);
	assert_false(g->tensors[c].output);
	/* cat reads p twice: one consumer entry */
	assert_int_equal(g->tensors[p].ncons, 1);
	ir_free(g);
}

static void test_sticky_errors(void **state)
{
	(void)state;
	Graph *g = ir_new("t");
	int x = ir_input(g, "x", (Shape){1, 8, 4, 4}, DT_I8);
	int y = ir_input(g, "y", (Shape){1, 8, 5, 5}, DT_I8);
	int xs[] = {x, y};
	int s = ir_add(g, "bad", xs, 2);
	assert_int_equal(s, -1);
	assert_false(ir_ok(g));
	assert_non_null(strstr(g->err.msg, "node bad"));
	/* later calls fail too and keep the first message */
	assert_int_equal(ir_relu(g, "r", s), -1);
	assert_non_null(strstr(g->err.msg, "node bad"));
	Err e;
	assert_int_equal(ir_verify(g, &e), -1);
	ir_free(g);
}

static void test_bad_names_and_sizes(void **state)
{
	(void)state;
	const char *bad[] = {"", "has space", "tab\there"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		Graph *g = ir_new("t");
		assert_int_equal(ir_opaque(g, bad[i], 1, NULL, 0), -1);
		ir_free(g);
	}
	Graph *g = ir_new("t");
	assert_int_equal(ir_opaque(g, "a", 1, NULL, 0), 0);
	assert_int_equal(ir_opaque(g, "a", 1, NULL, 0), -1); /* duplicate */
	ir_free(g);
	g = ir_new("t");
	assert_int_equal(ir_opaque(g, "big", NBYTES_MAX + 1, NULL, 0), -1);
	ir_free(g);
	g = ir_new("t");
	assert_int_equal(ir_input(g, "huge", (Shape){1, NDIM_MAX, NDIM_MAX, 1}, DT_I8), -1);
	ir_free(g);
	g = ir_new("t");
	int x = ir_input(g, "x", (Shape){1, 6, 4, 4}, DT_I8);
	assert_int_equal(ir_conv(g, "g", x, 4, ir_window(3, 1, 1, 4)), -1); /* 6 % 4 */
	ir_free(g);
	g = ir_new("t");
	x = ir_input(g, "x", (Shape){1, 6, 2, 2}, DT_I8);
	assert_int_equal(ir_conv(g, "toobig", x, 4, (Window){5, 5, 1, 1, 1, 1, 0, 0, 0, 0, 1}),
			 -1);
	ir_free(g);
}

static void test_verifier_catches_tampering(void **state)
{
	(void)state;
	Graph *g = ir_new("t");
	int x = ir_input(g, "x", (Shape){1, 4, 8, 8}, DT_I8);
	int y = ir_conv(g, "c", x, 4, ir_window(3, 1, 1, 1));
	ir_relu(g, "r", y);
	ir_link(g);
	Err e;
	assert_int_equal(ir_verify(g, &e), 0);
	g->tensors[y].shape.h = 7; /* inconsistent with the window */
	assert_int_equal(ir_verify(g, &e), -1);
	g->tensors[y].shape.h = 8;
	g->ops[2].in[0] = 2; /* reads itself: a cycle */
	assert_int_equal(ir_verify(g, &e), -1);
	assert_non_null(strstr(e.msg, "node r"));
	g->ops[2].in[0] = y;
	g->tensors[y].bytes++;
	assert_int_equal(ir_verify(g, &e), -1);
	ir_free(g);
}

/* The ONNX-only kinds: shapes from their attributes, bad attributes
 * refused, and the verifier recomputing them. */
static void test_onnx_kinds(void **state)
{
	(void)state;
	Graph *g = ir_new("t");
	int x = ir_input(g, "x", (Shape){1, 6, 8, 10}, DT_I8);
	int se = ir_input(g, "se", (Shape){1, 6, 1, 1}, DT_I8);
	int a = ir_act(g, "act", x, ACT_LEAKY, 0.1f, 0);
	int m = ir_mul(g, "mul", a, se);
	int s = ir_slice(g, "slice", m, 3, 1, 10, 2);
	int p = ir_pad(g, "pad", s, 1, 2, 3, 4);
	int sh = ir_shuffle(g, "shuffle", p, 3);
	int t = ir_transpose(g, "transpose", sh, (const int[4]){0, 2, 3, 1});
	int r = ir_reshape(g, "reshape", t, (Shape){1, 6 * 12, 1, 11});
	assert_true(ir_ok(g));
	assert_int_equal(g->ops[g->tensors[a].producer].act, ACT_LEAKY);
	assert_int_equal(g->tensors[m].shape.h, 8);
	assert_int_equal(g->tensors[s].shape.w, 5); /* 1, 3, 5, 7, 9 */
	assert_int_equal(g->tensors[p].shape.h, 12);
	assert_int_equal(g->tensors[p].shape.w, 11);
	assert_int_equal(g->tensors[sh].bytes, g->tensors[p].bytes);
	Shape ts = g->tensors[t].shape;
	assert_true(ts.n == 1 && ts.c == 12 && ts.h == 11 && ts.w == 6);
	assert_int_equal(g->tensors[r].shape.c, 72);
	ir_link(g);
	Err e;
	assert_int_equal(ir_verify(g, &e), 0);
	/* tampered attributes are caught */
	Op *sl = &g->ops[g->tensors[s].producer];
	sl->step = 3;
	assert_int_equal(ir_verify(g, &e), -1);
	sl->step = 2;
	g->ops[g->tensors[t].producer].perm[1] = 3;
	assert_int_equal(ir_verify(g, &e), -1);
	g->ops[g->tensors[t].producer].perm[1] = 2;
	g->ops[g->tensors[sh].producer].win.groups = 4;
	assert_int_equal(ir_verify(g, &e), -1);
	g->ops[g->tensors[sh].producer].win.groups = 3;
	assert_int_equal(ir_verify(g, &e), 0);
	ir_free(g);

	/* each bad call fails, stickily */
	for (int k = 0; k < 7; k++) {
		g = ir_new("t");
		x = ir_input(g, "x", (Shape){1, 6, 8, 10}, DT_I8);
		int y = ir_input(g, "y", (Shape){1, 6, 2, 1}, DT_I8);
		int got = k == 0   ? ir_act(g, "b", x, NACTKIND, 0, 0)
			  : k == 1 ? ir_mul(g, "b", x, y)
			  : k == 2 ? ir_slice(g, "b", x, 2, 4, 9, 1)
			  : k == 3 ? ir_pad(g, "b", x, -1, 0, 0, 0)
			  : k == 4 ? ir_shuffle(g, "b", x, 4)
			  : k == 5 ? ir_transpose(g, "b", x, (const int[4]){0, 1, 1, 2})
				   : ir_reshape(g, "b", x, (Shape){1, 6, 8, 11});
		assert_int_equal(got, -1);
		assert_false(ir_ok(g));
		ir_free(g);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conv_shapes),
		cmocka_unit_test(test_pool_concat_fc),
		cmocka_unit_test(test_sticky_errors),
		cmocka_unit_test(test_bad_names_and_sizes),
		cmocka_unit_test(test_verifier_catches_tampering),
		cmocka_unit_test(test_onnx_kinds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
