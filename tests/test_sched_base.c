/* test_sched_base.c: the baseline orders. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "sched.h"
#include "sched_dp.h"

static void names(const Graph *g, const int *order, char *buf, size_t n)
{
	buf[0] = 0;
	for (int i = 0; i < g->nops; i++) {
		strncat(buf, g->ops[order[i]].name, n - strlen(buf) - 1);
		strncat(buf, " ", n - strlen(buf) - 1);
	}
}

/* Two branches from a, each two ops long, joined by j. */
static const char branches[] = "node a 1\n"
			       "node b1 1 a\n"
			       "node c1 1 a\n"
			       "node b2 1 b1\n"
			       "node c2 1 c1\n"
			       "node j 1 b2 c2\n";

static void test_file(void **state)
{
	(void)state;
	Graph *g = tu_graph(branches);
	int order[6];
	char buf[128];
	sched_file(g, order);
	names(g, order, buf, sizeof buf);
	assert_string_equal(buf, "a b1 c1 b2 c2 j ");
	ir_free(g);
}

static void test_bfs_level_by_level(void **state)
{
	(void)state;
	Graph *g = tu_graph(branches);
	int order[6];
	char buf[128];
	sched_bfs(g, order);
	names(g, order, buf, sizeof buf);
	assert_string_equal(buf, "a b1 c1 b2 c2 j ");
	ir_free(g);
}

static void test_dfs_branch_by_branch(void **state)
{
	(void)state;
	Graph *g = tu_graph(branches);
	int order[6];
	char buf[128];
	sched_dfs(g, order);
	names(g, order, buf, sizeof buf);
	assert_string_equal(buf, "a b1 b2 c1 c2 j ");
	ir_free(g);
}

static void test_several_sources(void **state)
{
	(void)state;
	Graph *g = tu_graph("node x 1\nnode y 1\nnode p 1 y\nnode q 1 x\nnode z 1 p q\n");
	int order[5];
	char buf[128];
	sched_bfs(g, order);
	names(g, order, buf, sizeof buf);
	assert_string_equal(buf, "x y q p z ");
	sched_dfs(g, order);
	names(g, order, buf, sizeof buf);
	assert_string_equal(buf, "x q y p z ");
	ir_free(g);
}

static void test_random_dags_topological(void **state)
{
	(void)state;
	Arena *a = arena_new();
	DpOpts dp = {0};
	dp.time_limit_s = 0.02; /* large random graphs: bounded, still valid */
	for (uint64_t seed = 1; seed <= 200; seed++) {
		int n = 1 + (int)(seed * 7 % 120);
		Graph *g = tu_random_dag(seed, n, seed % 2);
		for (int k = 0; k < NSCHED; k++) {
			Schedule s;
			Err e;
			assert_int_equal(sched_run(g, (SchedKind)k, &dp, a, &s, &e), 0);
			assert_true(tu_is_topological(g, s.order, s.n));
			assert_int_equal(s.peak, mem_peak(g, s.order, NULL));
			assert_int_equal(s.lower_bound, mem_lower_bound(g));
			assert_true(s.peak >= s.lower_bound);
			assert_true(s.peak >= s.proven_lower_bound);
			if (s.optimal)
				assert_int_equal(s.peak, s.proven_lower_bound);
		}
		ir_free(g);
	}
	arena_free(a);
}

static void test_names(void **state)
{
	(void)state;
	SchedKind k;
	assert_int_equal(sched_parse("dfs", &k), 0);
	assert_int_equal(k, SCHED_DFS);
	assert_string_equal(sched_name(SCHED_BFS), "bfs");
	assert_int_equal(sched_parse("nope", &k), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_bfs_level_by_level),
		cmocka_unit_test(test_dfs_branch_by_branch),
		cmocka_unit_test(test_several_sources),
		cmocka_unit_test(test_random_dags_topological),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
