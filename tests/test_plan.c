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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hand_case),
		cmocka_unit_test(test_alignment),
		cmocka_unit_test(test_checker_catches_overlap),
		cmocka_unit_test(test_random_lifetimes),
		cmocka_unit_test(test_from_schedule),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
