/* test_mem.c: the paper memory model on hand-computed cases and, on random
 * DAGs, against a second, deliberately naive evaluator. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "mem.h"
#include "rng.h"

static int64_t file_peak(const Graph *g, int64_t *step)
{
	int order[64];
	for (int i = 0; i < g->nops; i++)
		order[i] = i;
	return mem_peak(g, order, step);
}

static void test_chain(void **state)
{
	(void)state;
	Graph *g = tu_graph("node a 10\nnode b 20 a\nnode c 5 b\n");
	int64_t step[3];
	assert_int_equal(file_peak(g, step), 30);
	assert_int_equal(step[0], 10);
	assert_int_equal(step[1], 30);
	assert_int_equal(step[2], 25);
	assert_int_equal(mem_lower_bound(g), 30);
	ir_free(g);
}

static void test_fanout_order_matters(void **state)
{
	(void)state;
	/* a feeds b and c; b's branch is big: running b, d before c keeps a
	 * alive during d, so c early is better. */
	const char *text = "node a 10\n"
			   "node b 50 a\n"
			   "node d 5 b\n"
			   "node c 1 a\n"
			   "node e 1 c d\n";
	Graph *g = tu_graph(text);
	int64_t step[5];
	/* a:10, b:60, d: 10+50+5=65, c: 10+5+1=16 -> a freed, e: 5+1+1=7 */
	assert_int_equal(file_peak(g, step), 65);
	int better[] = {0, 3, 1, 2, 4}; /* a c b d e */
	/* a:10, c:11, b:10+1+50=61 -> a freed, d:1+50+5=56, e:7 */
	assert_int_equal(mem_peak(g, better, step), 61);
	assert_int_equal(step[2], 61);
	assert_int_equal(step[3], 56);
	ir_free(g);
}

static void test_outputs_kept(void **state)
{
	(void)state;
	/* b and c are never read: graph outputs, never freed. */
	Graph *g = tu_graph("node a 4\nnode b 8 a\nnode c 16 a\n");
	int64_t step[3];
	assert_int_equal(file_peak(g, step), 28);
	assert_int_equal(step[2], 4 + 8 + 16);
	ir_free(g);
}

/* A repeated input (ONNX's Add(x, x); graph files refuse them) is read,
 * counted and freed once. */
static void test_multi_input_and_repeated_input(void **state)
{
	(void)state;
	Graph *g = ir_new("rep");
	int a = ir_opaque(g, "a", 3, NULL, 0), b = ir_opaque(g, "b", 5, NULL, 0);
	int s = ir_opaque(g, "s", 7, (const int[]){a, b, a}, 3);
	ir_opaque(g, "t", 1, (const int[]){s}, 1);
	ir_mark_unconsumed_outputs(g);
	assert_int_equal(g->tensors[a].ncons, 1);
	assert_true(!ir_repeat(&g->ops[2], 0) && !ir_repeat(&g->ops[2], 1) &&
		    ir_repeat(&g->ops[2], 2));
	int64_t step[4];
	assert_int_equal(file_peak(g, step), 15);
	assert_int_equal(step[3], 8); /* a and b freed after s, once each */
	assert_int_equal(mem_lower_bound(g), 15);
	assert_int_equal(mem_op_footprint(g, 2), 15);
	ir_free(g);
}

static const char *src_name(int i)
{
	static char b[16];
	snprintf(b, sizeof b, "s%d", i);
	return b;
}

/* One op reading N tensors, or one tensor N times: linking, the peak and
 * the lower bound in linear time (they were quadratic in an op's inputs). */
static void test_wide_op_linear(void **state)
{
	(void)state;
	enum { N = 200000 };
	int *ins = malloc(N * sizeof *ins);
	for (int rep = 0; rep < 2; rep++) {
		Graph *g = ir_new("wide");
		for (int i = 0; i < N; i++)
			ins[i] = rep && i ? ins[0] : ir_opaque(g, src_name(i), 1, NULL, 0);
		ir_opaque(g, "sum", 1, ins, N);
		int n = g->nops, *order = malloc(n * sizeof *order);
		for (int i = 0; i < n; i++)
			order[i] = i;
		clock_t t0 = clock();
		ir_link(g);
		ir_mark_unconsumed_outputs(g);
		int64_t peak = mem_peak(g, order, NULL), lb = mem_lower_bound(g);
		double s = (double)(clock() - t0) / CLOCKS_PER_SEC;
		int nsrc = rep ? 1 : N;
		assert_int_equal(peak, nsrc + 1);
		assert_int_equal(lb, nsrc + 1);
		assert_int_equal(g->tensors[ins[0]].ncons, 1);
		if (s > 2)
			fail_msg("%d inputs: %.1f s", N, s);
		free(order);
		ir_free(g);
	}
	free(ins);
}

static void test_unconsumed_freed_at_once(void **state)
{
	(void)state;
	Graph *g = ir_new("u");
	int a = ir_opaque(g, "a", 10, NULL, 0);
	ir_opaque(g, "junk", 100, &a, 1);
	int c = ir_opaque(g, "c", 1, &a, 1);
	ir_link(g);
	ir_mark_output(g, c);
	int64_t step[3];
	assert_int_equal(file_peak(g, step), 110);
	assert_int_equal(step[2], 11); /* junk is gone after its step */
	ir_free(g);
}

static void test_check_order(void **state)
{
	(void)state;
	Graph *g = tu_graph("node a 1\nnode b 1 a\n");
	Err e;
	int bad[] = {1, 0};
	assert_int_equal(mem_check_order(g, bad, 2, &e), -1);
	int twice[] = {0, 0};
	assert_int_equal(mem_check_order(g, twice, 2, &e), -1);
	int good[] = {0, 1};
	assert_int_equal(mem_check_order(g, good, 2, &e), 0);
	assert_int_equal(mem_check_order(g, good, 1, &e), -1);
	ir_free(g);
}

/* The naive evaluator: at every step, recompute from scratch which tensors
 * exist, straight from the definition in DESIGN.md. */
static int64_t naive_peak(const Graph *g, const int *order)
{
	int n = g->nops;
	int *pos = malloc(n * sizeof *pos);
	for (int i = 0; i < n; i++)
		pos[order[i]] = i;
	int64_t peak = 0;
	for (int i = 0; i < n; i++) {
		int64_t m = 0;
		for (int t = 0; t < g->ntensors; t++) {
			const Tensor *tt = &g->tensors[t];
			int made = pos[tt->producer];
			if (made > i)
				continue;
			if (made == i) {
				m += tt->bytes; /* output of the running op */
				continue;
			}
			if (tt->output) {
				m += tt->bytes;
				continue;
			}
			/* Alive at step i if a consumer runs at step i or later. */
			int last = -1;
			for (int c = 0; c < g->nops; c++)
				for (int k = 0; k < g->ops[c].nin; k++)
					if (g->ops[c].in[k] == t && pos[c] > last)
						last = pos[c];
			if (last >= i)
				m += tt->bytes;
		}
		if (m > peak)
			peak = m;
	}
	free(pos);
	return peak;
}

static void test_random_dags_match_naive(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 300; seed++) {
		int n = 1 + (int)(seed % 40);
		Graph *g = tu_random_dag(seed, n, seed % 3 == 0);
		int *order = malloc(n * sizeof *order);
		for (int k = 0; k < 4; k++) {
			tu_random_order(g, seed * 31 + k, order);
			assert_true(tu_is_topological(g, order, n));
			assert_int_equal(mem_check_order(g, order, n, NULL), 0);
			int64_t p = mem_peak(g, order, NULL);
			assert_int_equal(p, naive_peak(g, order));
			assert_true(p >= mem_lower_bound(g));
		}
		free(order);
		ir_free(g);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chain),
		cmocka_unit_test(test_fanout_order_matters),
		cmocka_unit_test(test_outputs_kept),
		cmocka_unit_test(test_multi_input_and_repeated_input),
		cmocka_unit_test(test_wide_op_linear),
		cmocka_unit_test(test_unconsumed_freed_at_once),
		cmocka_unit_test(test_check_order),
		cmocka_unit_test(test_random_dags_match_naive),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
