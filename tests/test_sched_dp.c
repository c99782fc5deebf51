/* test_sched_dp.c: the memory-optimal scheduler against brute force, and
 * its budgeting, divide and conquer and limits against its own plain DP. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "randdag.h"
#include "sched_dp.h"

/* Exhaustive: the least peak over all topological orders (n <= 10). */
static void brute(const Graph *g, int *order, int depth, char *done, int64_t *best)
{
	int n = g->nops;
	if (depth == n) {
		int64_t p = mem_peak(g, order, NULL);
		if (p < *best)
			*best = p;
		return;
	}
	for (int v = 0; v < n; v++) {
		if (done[v])
			continue;
		bool ready = true;
		for (int i = 0; i < g->ops[v].nin && ready; i++)
			ready = done[g->tensors[g->ops[v].in[i]].producer];
		if (!ready)
			continue;
		done[v] = 1;
		order[depth] = v;
		brute(g, order, depth + 1, done, best);
		done[v] = 0;
	}
}

static int64_t brute_peak(const Graph *g)
{
	int order[16];
	char done[16] = {0};
	int64_t best = INT64_MAX;
	brute(g, order, 0, done, &best);
	return best;
}

static int64_t dp_peak(const Graph *g, const DpOpts *o, DpStats *st)
{
	int *order = malloc(g->nops * sizeof *order);
	Err e;
	if (sched_dp(g, o, order, st, &e))
		fail_msg("sched_dp: %s", e.msg);
	assert_true(tu_is_topological(g, order, g->nops));
	int64_t p = mem_peak(g, order, NULL);
	free(order);
	return p;
}

static void test_equals_brute_force(void **state)
{
	(void)state;
	DpOpts plain = {0};
	plain.no_split = true;
	for (uint64_t seed = 1; seed <= 600; seed++) {
		int n = 2 + (int)(seed % 9);
		Graph *g = tu_random_dag(seed, n, seed % 3 == 0);
		int64_t want = brute_peak(g);
		DpStats st;
		int64_t got = dp_peak(g, NULL, &st);
		if (got != want || !st.optimal)
			fail_msg("seed %llu (%d ops): dp %lld (optimal %d), brute force %lld",
				 (unsigned long long)seed, n, (long long)got, st.optimal,
				 (long long)want);
		assert_int_equal(dp_peak(g, &plain, &st), want);
		assert_true(st.proven_lower_bound == want);
		ir_free(g);
	}
}

/* Larger graphs: divide and conquer and a tiny state cap (forcing the
 * budget down and up) give the plain DP's optimum. */
static void test_split_and_budget_keep_optimum(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 40; seed++) {
		int n = 12 + (int)(seed % 20);
		Graph *g = tu_random_dag(seed * 7919, n, seed % 2);
		DpOpts plain = {0}, tiny = {0};
		plain.no_split = true;
		tiny.max_state_bytes = 1; /* clamps to the minimum table */
		DpStats a, b, c;
		int64_t pa = dp_peak(g, &plain, &a);
		int64_t pb = dp_peak(g, NULL, &b);
		int64_t pc = dp_peak(g, &tiny, &c);
		assert_true(a.optimal);
		assert_true(b.optimal);
		assert_int_equal(pa, pb);
		if (c.optimal)
			assert_int_equal(pc, pa);
		else
			assert_true(c.proven_lower_bound <= pa && pc >= pa);
		ir_free(g);
	}
}

static void test_time_limit_returns_valid_order(void **state)
{
	(void)state;
	Graph *g = randdag_new(5, 400, 10);
	DpOpts o = {0};
	o.time_limit_s = 0.2;
	DpStats st;
	int64_t p = dp_peak(g, &o, &st);
	assert_true(p >= st.proven_lower_bound);
	assert_true(st.proven_lower_bound >= mem_lower_bound(g));
	if (!st.optimal)
		assert_true(st.timed_out);
	ir_free(g);
}

/* Comparability, checked the slow way. */
static void test_cuts(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 100; seed++) {
		int n = 1 + (int)(seed % 30);
		Graph *g = tu_random_dag(seed, n, false);
		int *cuts = malloc(n * sizeof *cuts);
		int k = sched_cuts(g, cuts);
		/* reach[u][v]: u before v in every order */
		char *reach = calloc((size_t)n * n, 1);
		for (int v = 0; v < n; v++)
			for (int i = 0; i < g->ops[v].nin; i++) {
				int u = g->tensors[g->ops[v].in[i]].producer;
				reach[u * n + v] = 1;
			}
		for (int w = 0; w < n; w++)
			for (int u = 0; u < n; u++)
				for (int v = 0; v < n; v++)
					if (reach[u * n + w] && reach[w * n + v])
						reach[u * n + v] = 1;
		int j = 0;
		for (int v = 0; v < n; v++) {
			bool cut = true;
			for (int u = 0; u < n; u++)
				if (u != v && !reach[u * n + v] && !reach[v * n + u])
					cut = false;
			if (cut) {
				assert_true(j < k);
				assert_int_equal(cuts[j++], v);
			}
		}
		assert_int_equal(j, k);
		free(reach);
		free(cuts);
		ir_free(g);
	}
}

static void test_forced_bound_is_a_bound(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 300; seed++) {
		Graph *g = tu_random_dag(seed, 2 + (int)(seed % 8), seed % 2);
		int64_t b = sched_forced_bound(g);
		assert_true(b >= mem_lower_bound(g));
		assert_true(b <= brute_peak(g));
		ir_free(g);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_equals_brute_force),
		cmocka_unit_test(test_split_and_budget_keep_optimum),
		cmocka_unit_test(test_time_limit_returns_valid_order),
		cmocka_unit_test(test_cuts),
		cmocka_unit_test(test_forced_bound_is_a_bound),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
