/* test_plan.c: SRAM placement: never two live buffers on one byte, never
 * below the live-bytes peak, never worse than TFLite Micro's greedy. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "plan.h"
#include "rng.h"
#include "sched.h"

static void test_hand_case(void **state)
{
	(void)state;
	/* a:[0,1] 100, b:[1,2] 50, c:[2,3] 100: a and c can share offset 0. */
	Plan p;
	plan_init(&p, 1);
	plan_add(&p, 100, 0, 1, -1);
	plan_add(&p, 50, 1, 2, -1);
	plan_add(&p, 100, 2, 3, -1);
	assert_int_equal(plan_live_peak(&p), 150);
	plan_place(&p, PLAN_BEST);
	assert_int_equal(p.arena, 150);
	assert_int_equal(plan_check(&p, NULL), 0);
	plan_free(&p);
}

static void test_alignment(void **state)
{
	(void)state;
	Plan p;
	plan_init(&p, 16);
	plan_add(&p, 10, 0, 0, -1);
	plan_add(&p, 10, 0, 0, -1);
	plan_place(&p, PLAN_GREEDY_SIZE);
	assert_int_equal(p.arena, 32);
	for (int i = 0; i < p.n; i++)
		assert_int_equal(p.buf[i].offset % 16, 0);
	assert_int_equal(plan_check(&p, NULL), 0);
	plan_free(&p);
}

static void test_checker_catches_overlap(void **state)
{
	(void)state;
	Plan p;
	plan_init(&p, 1);
	plan_add(&p, 8, 0, 2, -1);
	plan_add(&p, 8, 2, 3, -1);
	plan_place(&p, PLAN_BEST);
	assert_int_equal(plan_check(&p, NULL), 0);
	p.buf[1].offset = p.buf[0].offset + 4; /* shares bytes at step 2 */
	Err e;
	assert_int_equal(plan_check(&p, &e), -1);
	assert_non_null(strstr(e.msg, "overlap"));
	plan_free(&p);
}

static void test_random_lifetimes(void **state)
{
	(void)state;
	uint64_t s = 99;
	for (int iter = 0; iter < 300; iter++) {
		Plan a, b;
		int64_t align = (int64_t)1 << rng_below(&s, 5);
		plan_init(&a, align);
		plan_init(&b, align);
		int n = 1 + (int)rng_below(&s, 60), steps = 1 + (int)rng_below(&s, 40);
		for (int i = 0; i < n; i++) {
			int f = (int)rng_below(&s, steps), l = f + (int)rng_below(&s, steps - f);
			int64_t size = 1 + (int64_t)rng_below(&s, 1000);
			plan_add(&a, size, f, l, -1);
			plan_add(&b, size, f, l, -1);
		}
		plan_place(&a, PLAN_BEST);
		plan_place(&b, PLAN_GREEDY_SIZE);
		Err e;
		if (plan_check(&a, &e) || plan_check(&b, &e))
			fail_msg("iteration %d: %s", iter, e.msg);
		assert_true(a.arena >= plan_live_peak(&a));
		assert_true(a.arena <= b.arena);
		plan_free(&a);
		plan_free(&b);
	}
}

/* Lifetimes from a schedule: the live peak is the memory model's peak. */
static void test_from_schedule(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 100; seed++) {
		Graph *g = tu_random_dag(seed, 1 + (int)(seed % 50), seed % 2);
		int *order = malloc(g->nops * sizeof *order);
		sched_dfs(g, order);
		Plan p;
		plan_init(&p, 1);
		plan_from_schedule(&p, g, order);
		assert_int_equal(plan_live_peak(&p), mem_peak(g, order, NULL));
		plan_place(&p, PLAN_BEST);
		assert_int_equal(plan_check(&p, NULL), 0);
		plan_free(&p);
		free(order);
		ir_free(g);
	}
}

/* The plain loop of plan.c's design comment, first fit, O(n^2): what the
 * planner's faster paths must reproduce offset for offset. */
static int64_t loop_first_fit(const Plan *p, const int *order, int64_t *off)
{
	int64_t arena = 0;
	for (int i = 0; i < p->n; i++)
		off[i] = -1;
	for (int k = 0; k < p->n; k++) {
		const PlanBuf *b = &p->buf[order[k]];
		int64_t size = (b->size + p->align - 1) / p->align * p->align, at = 0;
		for (bool moved = true; moved;) { /* up past every conflict in the way */
			moved = false;
			for (int j = 0; j < p->n; j++) {
				const PlanBuf *c = &p->buf[j];
				int64_t end = off[j] + (c->size + p->align - 1) / p->align * p->align;
				if (off[j] >= 0 && c->first <= b->last && b->first <= c->last &&
				    off[j] < at + size && at < end) {
					at = end;
					moved = true;
				}
			}
		}
		off[order[k]] = at;
		arena = at + size > arena ? at + size : arena;
	}
	return arena;
}

/* Orders by two keys, descending, then index. */
static void order_desc(int n, const int64_t *k1, const int64_t *k2, int *order)
{
	for (int i = 0; i < n; i++)
		order[i] = i;
	for (int i = 1; i < n; i++) /* insertion sort: small n, or sorted input */
		for (int j = i; j > 0; j--) {
			int a = order[j - 1], b = order[j];
			bool after = k1[a] < k1[b] || (k1[a] == k1[b] && k2[a] < k2[b]);
			if (!after)
				break;
			order[j - 1] = b;
			order[j] = a;
		}
}

/* TFLite Micro's greedy: the planner's conflicts (from its segment tree)
 * give the plain loop's offsets. */
static void test_greedy_is_the_loop(void **state)
{
	(void)state;
	uint64_t s = 5;
	for (int iter = 0; iter < 200; iter++) {
		Plan p;
		plan_init(&p, (int64_t)1 << rng_below(&s, 4));
		int n = 1 + (int)rng_below(&s, 80), steps = 1 + (int)rng_below(&s, 50);
		int64_t k1[80], k2[80], off[80];
		int order[80];
		for (int i = 0; i < n; i++) {
			int f = (int)rng_below(&s, steps), l = f + (int)rng_below(&s, steps - f);
			plan_add(&p, 1 + (int64_t)rng_below(&s, 300), f, l, -1);
			k1[i] = p.buf[i].size;
			k2[i] = l - f + 1;
		}
		order_desc(n, k1, k2, order);
		int64_t arena = loop_first_fit(&p, order, off);
		plan_place(&p, PLAN_GREEDY_SIZE);
		assert_false(p.fallback);
		assert_int_equal(p.arena, arena);
		for (int i = 0; i < n; i++)
			assert_int_equal(p.buf[i].offset, off[i]);
		plan_free(&p);
	}
}

/* n buffers, each live from step i; wide: all of them live at step n
 * (every pair conflicts), else a chain (each meets its neighbours). */
static void make_lives(Plan *p, int n, bool wide, uint64_t seed)
{
	plan_init(p, 4);
	for (int i = 0; i < n; i++) {
		int last = wide ? n + (int)rng_below(&seed, n) : i + 1;
		plan_add(p, 1 + (int64_t)rng_below(&seed, 1000), i, last, -1);
	}
}

/* Too many buffers live at once for the plain loop's budget: TFLite
 * Micro's greedy falls back to the sweep, whose offsets are the loop's
 * for the earliest-first order. */
static void test_sweep_is_the_loop(void **state)
{
	(void)state;
	enum { N = 6000 };
	Plan p;
	make_lives(&p, N, true, 11);
	int64_t *k1 = malloc(N * sizeof *k1), *k2 = malloc(N * sizeof *k2);
	int64_t *off = malloc(N * sizeof *off);
	int *order = malloc(N * sizeof *order);
	for (int i = 0; i < N; i++) {
		k1[i] = -p.buf[i].first; /* already ascending: the sort is linear */
		k2[i] = p.buf[i].size;
	}
	order_desc(N, k1, k2, order);
	int64_t arena = loop_first_fit(&p, order, off);
	plan_place(&p, PLAN_GREEDY_SIZE);
	assert_true(p.fallback);
	assert_int_equal(p.arena, arena);
	for (int i = 0; i < N; i++)
		assert_int_equal(p.buf[i].offset, off[i]);
	assert_int_equal(plan_check(&p, NULL), 0);
	plan_free(&p);
	free(k1);
	free(k2);
	free(off);
	free(order);
}

static int64_t work(int n, bool wide, PlanStrategy s)
{
	Plan p;
	make_lives(&p, n, wide, 3);
	plan_place(&p, s);
	assert_int_equal(plan_check(&p, NULL), 0);
	int64_t w = p.work;
	plan_free(&p);
	return w;
}

/* Placement is O(n log n) on chains and on graphs where everything is
 * live at once: 4x the buffers, well under 16x (quadratic) the work.
 * Counted, not timed, so a busy machine cannot make it flake. */
static void test_work_near_linear(void **state)
{
	(void)state;
	enum { N = 5000 };
	for (int wide = 0; wide < 2; wide++)
		for (int s = 0; s < NPLAN; s++) {
			int64_t a = work(N, wide, (PlanStrategy)s), b = work(4 * N, wide, (PlanStrategy)s);
			if (!(a > 0 && b < 6 * a))
				fail_msg("%s, %s: work %lld for %d buffers, %lld for %d",
					 wide ? "wide" : "chain", plan_strategy_name((PlanStrategy)s),
					 (long long)a, N, (long long)b, 4 * N);
		}
}

/* The checker sweeps: a million buffers in a chain and 200000 live at
 * once are checked in well under a second (pairwise: 10^11 pairs). */
static void test_check_is_fast(void **state)
{
	(void)state;
	enum { CHAIN = 1 << 20, WIDE = 200000 };
	Plan p;
	plan_init(&p, 1);
	for (int i = 0; i < CHAIN; i++)
		plan_add(&p, 100, i, i + 1, -1);
	for (int i = 0; i < WIDE; i++)
		plan_add(&p, 10, CHAIN / 2, CHAIN / 2 + 1, -1);
	for (int i = 0; i < CHAIN; i++)
		p.buf[i].offset = (i & 1) * 100;
	for (int i = 0; i < WIDE; i++)
		p.buf[CHAIN + i].offset = 200 + 10 * (int64_t)i;
	p.arena = 200 + 10 * (int64_t)WIDE;
	assert_int_equal(plan_check(&p, NULL), 0);
	p.buf[CHAIN + WIDE - 1].offset = 200 + 10 * (int64_t)(WIDE / 2) + 5; /* half on another */
	Err e;
	assert_int_equal(plan_check(&p, &e), -1);
	assert_non_null(strstr(e.msg, "overlap"));
	plan_free(&p);
}

/* Past the deadline, the best placement is the sweep's, still valid. */
static void test_deadline(void **state)
{
	(void)state;
	Plan p;
	make_lives(&p, 5000, false, 9);
	p.deadline = 1e-9; /* long gone */
	plan_place(&p, PLAN_BEST);
	assert_true(p.fallback);
	assert_int_equal(plan_check(&p, NULL), 0);
	assert_true(p.arena >= plan_live_peak(&p));
	plan_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hand_case),
		cmocka_unit_test(test_alignment),
		cmocka_unit_test(test_checker_catches_overlap),
		cmocka_unit_test(test_random_lifetimes),
		cmocka_unit_test(test_from_schedule),
		cmocka_unit_test(test_greedy_is_the_loop),
		cmocka_unit_test(test_sweep_is_the_loop),
		cmocka_unit_test(test_work_near_linear),
		cmocka_unit_test(test_check_is_fast),
		cmocka_unit_test(test_deadline),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
