/* test_offchip.c: the off-chip plan fits its SRAM, costs at least the
 * compulsory traffic, exactly that when everything fits, and its SRAM
 * placement never overlaps. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "offchip.h"
#include "plan.h"
#include "sched.h"
#include "zoo.h"

static void check_plan(const Graph *g, const int *order, const OffchipPlan *p)
{
	assert_true(p->arena <= p->sram_bytes);
	assert_true(offchip_read_bytes(p) + offchip_write_bytes(p) >= p->compulsory);
	/* SRAM-homed tensors, re-placed at the plan's offsets, never collide */
	Plan all, in;
	plan_init(&all, 1);
	plan_init(&in, 1);
	plan_from_schedule(&all, g, order);
	for (int i = 0; i < all.n; i++)
		if (p->in_sram[all.buf[i].tensor]) {
			int k = plan_add(&in, all.buf[i].size, all.buf[i].first, all.buf[i].last,
					 all.buf[i].tensor);
			in.buf[k].offset = p->offset[all.buf[i].tensor];
		}
	in.arena = p->sram_bytes;
	Err e;
	if (plan_check(&in, &e))
		fail_msg("%s", e.msg);
	plan_free(&all);
	plan_free(&in);
}

static void test_everything_fits(void **state)
{
	(void)state;
	Err e;
	Graph *g = zoo_build("swiftnet-hpd", &e);
	int *order = malloc(g->nops * sizeof *order);
	sched_file(g, order);
	OffchipPlan p;
	assert_int_equal(offchip_plan(g, order, 1 << 30, 16, &p, &e), 0);
	assert_int_equal(p.evicted, 0);
	assert_int_equal(offchip_read_bytes(&p) + offchip_write_bytes(&p), p.compulsory);
	check_plan(g, order, &p);
	offchip_free(&p);
	free(order);
	ir_free(g);
}

static void test_smaller_sram_more_traffic(void **state)
{
	(void)state;
	Err e;
	Graph *g = zoo_build("randwire-cifar10", &e);
	int *order = malloc(g->nops * sizeof *order);
	sched_dfs(g, order);
	int64_t prev = -1;
	for (int kib = 512; kib >= 16; kib /= 2) {
		OffchipPlan p;
		assert_int_equal(offchip_plan(g, order, (int64_t)kib << 10, 16, &p, &e), 0);
		check_plan(g, order, &p);
		int64_t traffic = offchip_read_bytes(&p) + offchip_write_bytes(&p);
		if (prev >= 0)
			assert_true(traffic >= prev);
		prev = traffic;
		offchip_free(&p);
	}
	free(order);
	ir_free(g);
}

static void test_random_graphs(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 60; seed++) {
		Graph *g = tu_random_dag(seed, 2 + (int)(seed % 40), seed % 2);
		int *order = malloc(g->nops * sizeof *order);
		sched_bfs(g, order);
		int64_t peak = mem_peak(g, order, NULL);
		Err e;
		for (int64_t sram = peak; sram >= 1; sram /= 3) {
			OffchipPlan p;
			if (offchip_plan(g, order, sram, 1, &p, &e))
				fail_msg("seed %llu sram %lld: %s", (unsigned long long)seed,
					 (long long)sram, e.msg);
			check_plan(g, order, &p);
			offchip_free(&p);
		}
		free(order);
		ir_free(g);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_everything_fits),
		cmocka_unit_test(test_smaller_sram_more_traffic),
		cmocka_unit_test(test_random_graphs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
