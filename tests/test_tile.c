/* test_tile.c: spatial partitioning keeps every bit, costs the MACs
 * counted by hand, and the memory model joins bands in place. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "quant.h"
#include "ref.h"
#include "sched_dp.h"
#include "tile.h"

/* The small graphs: an input, then ops that run in bands. */
typedef enum Net {
	N_CONV1,     /* 1x1 */
	N_CONV3,     /* 3x3 same */
	N_CONV5S2,   /* 5x5 stride 2 */
	N_DIL2,      /* 3x3 dilation 2 */
	N_GROUPS,    /* 3x3, 2 groups, then depthwise */
	N_POOLS,     /* conv, max 3x3/2 pad 1, avg 2x2/2 */
	N_RESIDUAL,  /* conv3 -> conv3 -> add with the first, relu */
	N_CONCAT,    /* two branches (1x1, 3x3 s1) concatenated, then 3x3 s2 */
	N_CROP,      /* 3x3 with no padding (valid), then 3x3 same */
	N_INCEPTION, /* branches of 1x1, 3x3, 5x5 and a pool, concatenated, a 1x1 */
	NNET
} Net;

static Graph *build(Net net, int h, uint64_t seed)
{
	Graph *g = ir_new("tile");
	int x = ir_input(g, "x", (Shape){1, 4, h, h + 2}, DT_I8), y = -1;
	switch (net) {
	case N_CONV1:
		y = ir_conv(g, "c", x, 6, ir_window(1, 1, 1, 1));
		break;
	case N_CONV3:
		y = ir_conv(g, "c", x, 6, ir_window(3, 1, 1, 1));
		break;
	case N_CONV5S2:
		y = ir_conv(g, "c", x, 6, ir_window(5, 2, 1, 1));
		break;
	case N_DIL2:
		y = ir_conv(g, "c", x, 6, ir_window(3, 1, 2, 1));
		break;
	case N_GROUPS:
		y = ir_conv(g, "c", x, 8, ir_window(3, 1, 1, 2));
		y = ir_conv(g, "dw", y, 8, ir_window(3, 1, 1, 8));
		break;
	case N_POOLS: {
		y = ir_conv(g, "c", x, 6, ir_window(3, 1, 1, 1));
		y = ir_pool(g, "max", OP_MAXPOOL, y, ir_window(3, 2, 1, 1));
		Window w = ir_window(2, 2, 1, 1);
		w.pt = w.pl = w.pb = w.pr = 0;
		y = ir_pool(g, "avg", OP_AVGPOOL, y, w);
		break;
	}
	case N_RESIDUAL: {
		int a = ir_conv(g, "c1", x, 4, ir_window(3, 1, 1, 1));
		int b = ir_conv(g, "c2", a, 4, ir_window(3, 1, 1, 1));
		int xs[2] = {a, b};
		y = ir_relu(g, "r", ir_add(g, "add", xs, 2));
		break;
	}
	case N_CONCAT: {
		int xs[2] = {ir_conv(g, "b1", x, 3, ir_window(1, 1, 1, 1)),
			     ir_conv(g, "b3", x, 5, ir_window(3, 1, 1, 1))};
		y = ir_conv(g, "c", ir_concat(g, "cat", xs, 2), 6, ir_window(3, 2, 1, 1));
		break;
	}
	case N_CROP: {
		Window w = ir_window(3, 1, 1, 1);
		w.pt = w.pl = w.pb = w.pr = 0;
		y = ir_conv(g, "c", ir_conv(g, "v", x, 6, w), 6, ir_window(3, 1, 1, 1));
		break;
	}
	case N_INCEPTION: {
		int xs[4] = {ir_conv(g, "i1", x, 2, ir_window(1, 1, 1, 1)),
			     ir_conv(g, "i3", x, 3, ir_window(3, 1, 1, 1)),
			     ir_conv(g, "i5", x, 2, ir_window(5, 1, 1, 1)),
			     ir_pool(g, "ip", OP_MAXPOOL, x, ir_window(3, 1, 1, 1))};
		y = ir_conv(g, "c", ir_concat(g, "cat", xs, 4), 5, ir_window(1, 1, 1, 1));
		break;
	}
	default:
		break;
	}
	ir_mark_output(g, y);
	ir_link(g);
	Err e;
	if (ir_verify(g, &e) || quant_model(g, seed, &e))
		fail_msg("%s", e.msg);
	return g;
}

/* The graph output (named alike in both) holds the same bytes. */
static void assert_same_output(const Graph *a, const Graph *b)
{
	RefValues va, vb;
	Err e;
	if (ref_run(a, &va, &e) || ref_run(b, &vb, &e))
		fail_msg("%s", e.msg);
	int outputs = 0;
	for (int t = 0; t < a->ntensors; t++) {
		if (!a->tensors[t].output)
			continue;
		int u = ir_find(b, a->tensors[t].name);
		assert_true(u >= 0);
		assert_int_equal(a->tensors[t].bytes, b->tensors[u].bytes);
		assert_memory_equal(va.val[t], vb.val[u], a->tensors[t].bytes);
		outputs++;
	}
	assert_int_equal(outputs, 1);
	ref_free(&va);
	ref_free(&vb);
}

/* Every small graph, at odd and even heights, in every band count from 2
 * to one row a band: the same int8 output as the whole graph. */
static void test_bands_bit_identical(void **state)
{
	(void)state;
	static const int heights[] = {7, 8, 11};
	int checked = 0;
	for (int net = 0; net < NNET; net++)
		for (size_t k = 0; k < sizeof heights / sizeof *heights; k++) {
			Graph *g = build((Net)net, heights[k], 11 + net);
			int b = g->nops - 1, h = g->tensors[g->ops[b].out[0]].shape.h;
			assert_true(tile_applies(g, 0, b));
			for (int n = 2; n <= h; n++) {
				Err e;
				Graph *t = tile_region(g, 0, b, n, &e);
				if (!t)
					fail_msg("net %d h %d n %d: %s", net, heights[k], n, e.msg);
				assert_same_output(g, t);
				ir_free(t);
				checked++;
			}
			ir_free(g);
		}
	assert_true(checked > 50);
}

/* Two 3x3 convolutions (1 channel, 8 x 8) in two bands: the first one
 * computes rows [0, 5) and [3, 8), 10 rows instead of 8. */
static void test_macs_by_hand(void **state)
{
	(void)state;
	Graph *g = ir_new("macs");
	int x = ir_input(g, "x", (Shape){1, 1, 8, 8}, DT_I8);
	int y = ir_conv(g, "c2", ir_conv(g, "c1", x, 1, ir_window(3, 1, 1, 1)), 1,
			ir_window(3, 1, 1, 1));
	ir_mark_output(g, y);
	ir_link(g);
	assert_int_equal(ir_macs(g), 2 * 9 * 64);
	Err e;
	Graph *t = tile_region(g, 0, 2, 2, &e);
	assert_non_null(t);
	assert_int_equal(ir_macs(t), 9 * 10 * 8 + 9 * 8 * 8);
	/* bands named after their ops, then the join standing for c2 */
	assert_true(ir_find(t, "c1/band1of2") >= 0);
	assert_true(ir_find(t, "c2/band2of2") >= 0);
	assert_int_equal(t->ops[t->tensors[ir_find(t, "c2")].producer].kind, OP_JOIN);
	assert_int_equal(t->tensors[ir_find(t, "c1/band1of2")].shape.h, 5);
	assert_int_equal(t->tensors[ir_find(t, "c1/band2of2")].shape.h, 5);
	/* the graph input, read only by the region, stays in DRAM: each band
	 * loads the rows it reads, [0, 6) and [2, 8) */
	assert_true(t->tensors[ir_find(t, "x")].in_dram);
	assert_int_equal(t->tensors[ir_find(t, "c1/band1of2/in0")].shape.h, 6);
	assert_int_equal(t->tensors[ir_find(t, "c1/band2of2/in0")].shape.h, 6);
	/* both bands of a convolution share its weights */
	const Op *b1 = &t->ops[t->tensors[ir_find(t, "c1/band1of2")].producer];
	const Op *b2 = &t->ops[t->tensors[ir_find(t, "c1/band2of2")].producer];
	assert_int_equal(b1->weight, b2->weight);
	assert_int_equal(t->nconsts, g->nconsts);
	ir_free(t);
	ir_free(g);
}

/* The join adds nothing while its bands are in place; they die with it. */
static void test_join_in_place(void **state)
{
	(void)state;
	Graph *g = ir_new("join");
	int x = ir_input(g, "x", (Shape){1, 1, 2, 10}, DT_I8); /* 20 bytes */
	int p[2] = {ir_slice(g, "p1", x, 2, 0, 1, 1), ir_slice(g, "p2", x, 2, 1, 2, 1)};
	int y = ir_join(g, "y", p, 2);
	ir_mark_output(g, ir_gavgpool(g, "z", y)); /* 1 byte */
	ir_link(g);
	Err e;
	assert_int_equal(ir_verify(g, &e), 0);
	int order[5] = {0, 1, 2, 3, 4};
	int64_t step[5];
	assert_int_equal(mem_peak(g, order, step), 40);
	/* x; + p1; + p2; the join, in place (a copy would be 40); z */
	int64_t want[5] = {20, 30, 40, 20, 21};
	assert_memory_equal(step, want, sizeof want);
	assert_int_equal(mem_op_footprint(g, 3), 20);
	ir_free(g);
}

/* A wide middle layer between two narrow ones: partitioning lowers the
 * dp's peak within the MAC budget, never raises it, and the dp's order of
 * the result is no worse than band after band. */
static void test_apply_lowers_the_peak(void **state)
{
	(void)state;
	Graph *g = ir_new("wide");
	int x = ir_input(g, "x", (Shape){1, 2, 32, 32}, DT_I8);
	int y = ir_conv(g, "narrow", ir_conv(g, "wide", x, 32, ir_window(1, 1, 1, 1)), 2,
			ir_window(1, 1, 1, 1));
	ir_mark_output(g, y);
	ir_link(g);
	Err e;
	assert_int_equal(quant_model(g, 3, &e), 0);
	DpOpts dp = {0};
	TileOpts o = {TILE_DEFAULT_OVERHEAD, TILE_DEFAULT_BANDS};
	TileStats st;
	Graph *t = tile_apply(g, &dp, &o, &st, &e);
	assert_non_null(t);
	assert_int_equal(st.peak_before, 2048 + 32768);
	assert_true(st.regions == 1 && st.bands >= 2);
	assert_true(st.peak_after < st.peak_before / 4);
	assert_int_equal(st.macs_after, st.macs_before); /* 1x1: no halo */
	int *order = malloc(t->nops * sizeof *order);
	DpStats ds;
	assert_int_equal(sched_dp(t, &dp, order, &ds, &e), 0);
	assert_true(mem_peak(t, order, NULL) <= st.peak_after);
	free(order);
	assert_same_output(g, t);
	ir_free(t);
	/* no budget for a 3x3 halo: nothing partitioned, the graph as it was */
	Graph *h = ir_new("halo");
	x = ir_input(h, "x", (Shape){1, 2, 32, 32}, DT_I8);
	y = ir_conv(h, "narrow", ir_conv(h, "wide", x, 32, ir_window(3, 1, 1, 1)), 2,
		    ir_window(3, 1, 1, 1));
	ir_mark_output(h, y);
	ir_link(h);
	o.max_overhead = 0;
	t = tile_apply(h, &dp, &o, &st, &e);
	assert_non_null(t);
	assert_int_equal(st.regions, 0);
	assert_int_equal(t->nops, h->nops);
	assert_int_equal(st.peak_after, st.peak_before);
	ir_free(t);
	ir_free(h);
	ir_free(g);
}

/* Interchangeable bands: the dp breaks their symmetry (band b's first op
 * before band b + 1's) and finds the same peak as without, in fewer
 * states. */
static void test_band_symmetry(void **state)
{
	(void)state;
	Graph *g = ir_new("sym");
	int x = ir_input(g, "x", (Shape){1, 2, 24, 8}, DT_I8);
	int y = ir_conv(g, "c3", ir_conv(g, "c2", ir_conv(g, "c1", x, 16, ir_window(3, 1, 1, 1)), 16,
						  ir_window(1, 1, 1, 1)),
			2, ir_window(3, 1, 1, 1));
	int z = ir_conv(g, "side", x, 2, ir_window(1, 1, 1, 1));
	int xs[2] = {y, z};
	ir_mark_output(g, ir_add(g, "add", xs, 2));
	ir_link(g);
	Err e;
	Graph *t = tile_region(g, 1, 3, 6, &e); /* c1..c3, x read whole (side reads it too) */
	assert_non_null(t);
	int *order = malloc(t->nops * sizeof *order);
	DpOpts dp = {.no_split = true};
	DpStats with, without;
	assert_int_equal(sched_dp(t, &dp, order, &with, &e), 0);
	int64_t peak = mem_peak(t, order, NULL);
	for (int o = 0; o < t->nops; o++)
		t->ops[o].band = 0; /* no band marks: no symmetry edges */
	assert_int_equal(sched_dp(t, &dp, order, &without, &e), 0);
	assert_true(with.optimal && without.optimal);
	assert_int_equal(mem_peak(t, order, NULL), peak);
	assert_true(with.states < without.states);
	free(order);
	ir_free(t);
	ir_free(g);
}

/* Squeeze-excite: the product's per-channel factor, made outside the
 * region, is read whole by every band; a factor made inside is refused. */
static void test_products(void **state)
{
	(void)state;
	Graph *g = ir_new("se");
	int x = ir_input(g, "x", (Shape){1, 4, 8, 8}, DT_I8);
	int y = ir_conv(g, "c", x, 4, ir_window(3, 1, 1, 1));
	int s = ir_conv(g, "fc", ir_gavgpool(g, "gap", y), 4, ir_window(1, 1, 1, 1));
	int m = ir_mul(g, "mul", y, s);
	ir_mark_output(g, ir_conv(g, "proj", m, 2, ir_window(3, 1, 1, 1)));
	ir_link(g);
	Err e;
	assert_false(tile_applies(g, 1, 5)); /* gap reads all of c */
	assert_true(tile_applies(g, 3, 5));  /* mul, proj: y and s from outside */
	Graph *t = tile_region(g, 3, 5, 2, &e);
	assert_non_null(t);
	const Op *band = &t->ops[t->tensors[ir_find(t, "mul/band2of2")].producer];
	assert_int_equal(band->in[1], ir_find(t, "fc")); /* the factor, whole */
	assert_int_equal(t->tensors[ir_find(t, "mul/band2of2")].shape.h, 5);
	ir_free(t);
	ir_free(g);
}

static void test_not_applicable(void **state)
{
	(void)state;
	Graph *g = ir_new("na");
	int x = ir_input(g, "x", (Shape){1, 2, 8, 8}, DT_I8);
	int c = ir_conv(g, "c", x, 4, ir_window(3, 1, 1, 1));
	int p = ir_gavgpool(g, "gap", c);
	ir_mark_output(g, ir_fc(g, "fc", p, 3));
	ir_link(g);
	Err e;
	assert_false(tile_applies(g, 0, 2)); /* a global pooling */
	assert_false(tile_applies(g, 1, 1));
	assert_null(tile_region(g, 0, 2, 2, &e));
	assert_non_null(strstr(e.msg, "not a region"));
	assert_true(tile_applies(g, 0, 1));
	assert_null(tile_region(g, 0, 1, 9, &e)); /* 9 bands of 8 rows */
	assert_non_null(strstr(e.msg, "9 bands of 8 rows"));
	ir_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bands_bit_identical),
		cmocka_unit_test(test_macs_by_hand),
		cmocka_unit_test(test_join_in_place),
		cmocka_unit_test(test_apply_lowers_the_peak),
		cmocka_unit_test(test_band_symmetry),
		cmocka_unit_test(test_products),
		cmocka_unit_test(test_not_applicable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
