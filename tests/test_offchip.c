/* test_offchip.c: the off-chip plan fits its SRAM, costs at least the
 * compulsory traffic, exactly that when everything fits, its SRAM
 * segments never overlap, every reader finds its operand where the plan
 * says, splitting live ranges never costs more than whole lives, and
 * partial residency pays off where tensors outgrow the SRAM. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "offchip.h"
#include "plan.h"
#include "randdag.h"
#include "sched.h"
#include "sched_dp.h"
#include "sched_refine.h"
#include "zoo.h"

/* Readers of t, step by step, with how often each streams it. */
static int64_t stream_mult(const Graph *g, int c, int t)
{
	const Op *op = &g->ops[c];
	int m = 0;
	for (int k = 0; k < op->nin; k++)
		m += op->in[k] == t;
	return op->kind == OP_CONCAT ? m : 1;
}

/* An independent check of a plan: its segments fit the SRAM and never
 * overlap, every use finds the tensor in SRAM or in DRAM where the plan
 * says, DRAM holds a tensor before anyone reads it there, and the traffic
 * recomputed from the segments equals the plan's. */
static void check_plan(const Graph *g, const int *order, const OffchipPlan *p)
{
	assert_true(p->arena <= p->sram_bytes);
	assert_true(offchip_read_bytes(p) + offchip_write_bytes(p) >= p->compulsory);
	assert_true(offchip_read_bytes(p) + offchip_write_bytes(p) >= p->floor);
	assert_int_equal(p->floor, offchip_floor(g, p->sram_bytes));
	int *step = malloc((g->nops + 1) * sizeof *step);
	for (int i = 0; i < g->nops; i++)
		step[order[i]] = i;
	Plan in;
	plan_init(&in, 1);
	int64_t rd = 0, wr = 0;
	for (int t = 0; t < g->ntensors; t++) {
		const Tensor *tt = &g->tensors[t];
		bool input = g->ops[tt->producer].kind == OP_INPUT;
		bool segs = p->seg_begin[t + 1] > p->seg_begin[t];
		/* what the segments hold: all of t, or (partial residency) its
		 * first channels, the rest (its tail) in DRAM from the start */
		int64_t head = segs ? p->head[t] : tt->bytes, tail = tt->bytes - head;
		assert_true(head > 0 && head <= tt->bytes);
		if (tail) {
			assert_true(tt->dtype == DT_I8 && tt->shape.c > 1);
			assert_int_equal(head % (tt->bytes / tt->shape.c), 0);
			assert_true(p->in_dram[t]);
		}
		int ps = step[tt->producer], made = -1;
		bool head_dram = tt->output;
		for (int k = p->seg_begin[t]; k < p->seg_begin[t + 1]; k++) {
			const OffchipSeg *s = &p->seg[k];
			assert_int_equal(s->tensor, t);
			assert_true(s->first >= ps && s->first <= s->last && s->last < g->nops);
			if (k > p->seg_begin[t])
				assert_true(s->first > p->seg[k - 1].last);
			int i = plan_add(&in, head, s->first, s->last, t);
			in.buf[i].offset = s->offset;
			if (s->load) {
				/* reloaded from a DRAM copy made at the producer's step */
				assert_true(p->in_dram[t]);
				assert_true(input || s->first > ps);
				head_dram |= !input;
				rd += head;
			} else {
				assert_int_equal(s->first, ps);
				made = k;
			}
		}
		assert_int_equal(made >= 0 || input, offchip_seg_at(p, t, ps) >= 0 || input);
		if (p->store[t])
			assert_true(made >= 0 && p->in_dram[t]);
		for (int i = 0; i < tt->ncons; i++) {
			int64_t mult = stream_mult(g, tt->cons[i], t);
			rd += tail * mult; /* the tail streams at every read */
			if (offchip_seg_at(p, t, step[tt->cons[i]]) < 0) {
				assert_true(p->in_dram[t]); /* streams it from there */
				head_dram = true;
				rd += head * mult;
			}
		}
		if (!input) {
			/* the head made in DRAM, or stored right after it was made,
			 * when anyone reads it there */
			bool made_dram = offchip_seg_at(p, t, ps) < 0;
			if (head_dram)
				assert_true(p->store[t] || made_dram);
			wr += tail + (p->store[t] || made_dram ? head : 0);
		}
		if (tt->output)
			assert_true(p->in_dram[t]);
	}
	assert_int_equal(rd, p->act_read);
	assert_int_equal(wr, p->act_write);
	in.arena = p->sram_bytes;
	Err e;
	if (plan_check(&in, &e))
		fail_msg("%s", e.msg);
	plan_free(&in);
	free(step);
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

/* a is read at step 1 and again at step 4; c and d crowd it out between.
 * Splitting spills a after b reads it and brings it back for e (or lets
 * e stream it): 10 bytes stored, 10 read, where evicting any tensor whole
 * costs more (a: 30) or evicting two (b and d: 40). */
static void test_spill_and_reload(void **state)
{
	(void)state;
	Graph *g = tu_graph("node a 10\nnode b 10 a\nnode c 30 b\nnode d 10 c\nnode e 10 a d\n");
	int order[5];
	sched_file(g, order);
	OffchipPlan p;
	Err e;
	assert_int_equal(offchip_plan_with(g, order, 40, 1, OFFCHIP_SPLIT, &p, &e), 0);
	check_plan(g, order, &p);
	assert_int_equal(offchip_spill_bytes(&p), 20);
	int a = ir_find(g, "a");
	assert_true(p.in_dram[a] && p.store[a]);
	assert_int_equal(offchip_seg_at(&p, a, 1) >= 0, 1);
	assert_int_equal(offchip_seg_at(&p, a, 2), -1);
	assert_int_equal(offchip_seg_at(&p, a, 3), -1);
	offchip_free(&p);
	/* the combined planner keeps a plan as cheap */
	assert_int_equal(offchip_plan(g, order, 40, 1, &p, &e), 0);
	check_plan(g, order, &p);
	assert_int_equal(offchip_spill_bytes(&p), 20);
	offchip_free(&p);
	ir_free(g);
}

/* Tensors larger than the SRAM: partial residency keeps the first
 * channels of many and moves fewer bytes than either other method. */
static void test_partial_residency(void **state)
{
	(void)state;
	Err e;
	Graph *g = zoo_build("randwire-cifar10", &e);
	int *order = malloc(g->nops * sizeof *order);
	sched_file(g, order);
	OffchipPlan part, whole, split, best;
	int64_t sram = 32 << 10;
	assert_int_equal(offchip_plan_with(g, order, sram, 16, OFFCHIP_PART, &part, &e), 0);
	assert_int_equal(offchip_plan_with(g, order, sram, 16, OFFCHIP_WHOLE, &whole, &e), 0);
	assert_int_equal(offchip_plan_with(g, order, sram, 16, OFFCHIP_SPLIT, &split, &e), 0);
	assert_int_equal(offchip_plan(g, order, sram, 16, &best, &e), 0);
	check_plan(g, order, &part);
	assert_true(part.partial > 10);
	int64_t moved = part.act_read + part.act_write;
	assert_true(moved < whole.act_read + whole.act_write);
	assert_true(moved < split.act_read + split.act_write);
	assert_int_equal(best.method, OFFCHIP_PART);
	assert_int_equal(best.act_read + best.act_write, moved);
	offchip_free(&part);
	offchip_free(&whole);
	offchip_free(&split);
	offchip_free(&best);
	free(order);
	ir_free(g);
}

/* The packing's estimate: the compulsory bytes when everything fits, never
 * under the floor; the local search keeps the order valid, never raises the
 * estimate, and repeats itself from the same start and seed. */
static void test_estimate_and_refine(void **state)
{
	(void)state;
	Err e;
	Graph *g = zoo_build("randwire-cifar10", &e);
	int n = g->nops;
	int *order = malloc(n * sizeof *order), *again = malloc(n * sizeof *again);
	int *pos = malloc(n * sizeof *pos);
	sched_dfs(g, order);
	OffchipPlan p;
	assert_int_equal(offchip_plan(g, order, 1 << 30, 16, &p, &e), 0);
	assert_int_equal(offchip_estimate(g, order, 1 << 30), p.compulsory);
	offchip_free(&p);
	int64_t sram = 128 << 10, start = offchip_estimate(g, order, sram);
	assert_true(start >= offchip_floor(g, sram));
	memcpy(again, order, n * sizeof *order);
	int64_t got = sched_refine_traffic(g, order, sram, 600, 60, 7);
	assert_true(got <= start && got >= offchip_floor(g, sram));
	assert_int_equal(got, offchip_estimate(g, order, sram));
	for (int i = 0; i < n; i++)
		pos[order[i]] = i;
	for (int o = 0; o < n; o++) /* every op after its producers */
		for (int k = 0; k < g->ops[o].nin; k++)
			assert_true(pos[g->tensors[g->ops[o].in[k]].producer] < pos[o]);
	assert_int_equal(sched_refine_traffic(g, again, sram, 600, 60, 7), got);
	assert_memory_equal(again, order, n * sizeof *order);
	free(pos);
	free(again);
	free(order);
	ir_free(g);
}

static void test_random_graphs(void **state)
{
	(void)state;
	int splits = 0, wins = 0;
	for (uint64_t seed = 1; seed <= 60; seed++) {
		Graph *g = tu_random_dag(seed, 2 + (int)(seed % 40), seed % 2);
		int *order = malloc(g->nops * sizeof *order);
		sched_bfs(g, order);
		int64_t peak = mem_peak(g, order, NULL);
		Err e;
		for (int64_t sram = peak; sram >= 1; sram /= 3) {
			OffchipPlan p, w, s, q, f;
			if (offchip_plan(g, order, sram, 1, &p, &e) ||
			    offchip_plan_with(g, order, sram, 1, OFFCHIP_WHOLE, &w, &e) ||
			    offchip_plan_with(g, order, sram, 1, OFFCHIP_SPLIT, &s, &e) ||
			    offchip_plan_with(g, order, sram, 1, OFFCHIP_PART, &q, &e) ||
			    offchip_plan_with(g, order, sram, 1, OFFCHIP_SWEEP, &f, &e))
				fail_msg("seed %llu sram %lld: %s", (unsigned long long)seed,
					 (long long)sram, e.msg);
			check_plan(g, order, &p);
			check_plan(g, order, &w);
			check_plan(g, order, &s);
			check_plan(g, order, &q);
			check_plan(g, order, &f);
			assert_false(p.fallback);
			assert_true(p.act_read + p.act_write <= w.act_read + w.act_write);
			assert_true(p.act_read + p.act_write <= s.act_read + s.act_write);
			assert_true(p.act_read + p.act_write <= q.act_read + q.act_write);
			splits += s.reloads;
			wins += s.act_read + s.act_write < w.act_read + w.act_write;
			offchip_free(&p);
			offchip_free(&w);
			offchip_free(&s);
			offchip_free(&q);
			offchip_free(&f);
		}
		free(order);
		ir_free(g);
	}
	/* splitting reloads tensors, and that pays off somewhere */
	assert_true(splits > 0);
	assert_true(wins > 0);
}

/* A chain of n ops whose tensors of 20000 and 40000 bytes crowd a 64 KiB
 * SRAM: every third step evicts or fragments. */
static Graph *chain(int n)
{
	size_t cap = (size_t)n * 40 + 64, len = 0;
	char *text = malloc(cap);
	len += (size_t)snprintf(text, cap, "node n0 40000\n");
	for (int k = 1; k < n; k++)
		len += (size_t)snprintf(text + len, cap - len, "node n%d %d n%d\n", k,
					k % 3 ? 20000 : 40000, k - 1);
	Graph *g = tu_graph(text);
	free(text);
	return g;
}

/* The sweep's work and plan at 64 KiB; the plan checked. */
static int64_t sweep_work(Graph *g)
{
	int *order = malloc(g->nops * sizeof *order);
	sched_dfs(g, order);
	OffchipPlan p;
	Err e;
	assert_int_equal(offchip_plan(g, order, 64 << 10, 16, &p, &e), 0);
	check_plan(g, order, &p);
	/* past OFFCHIP_EXACT_MAX tensors, the sweep alone */
	assert_true(p.fallback && p.method == OFFCHIP_SWEEP);
	assert_true(p.evicted > 0);
	int64_t w = p.work;
	offchip_free(&p);
	free(order);
	ir_free(g);
	return w;
}

/* The sweep is O(n log n) on chains and on wide random graphs (1..3
 * inputs among the 10 ops before, as random:OPS): 4x the ops, well under
 * 16x (quadratic) the work.  Counted, not timed. */
static void test_sweep_near_linear(void **state)
{
	(void)state;
	enum { N = 5000 };
	int64_t a = sweep_work(chain(N)), b = sweep_work(chain(4 * N));
	if (!(a > 0 && b < 6 * a))
		fail_msg("chain: work %lld for %d ops, %lld for %d", (long long)a, N, (long long)b,
			 4 * N);
	a = sweep_work(randdag_new(1, N, 10));
	b = sweep_work(randdag_new(1, 4 * N, 10));
	if (!(a > 0 && b < 6 * a))
		fail_msg("random: work %lld for %d ops, %lld for %d", (long long)a, N, (long long)b,
			 4 * N);
}

/* A deadline already past stops every method before it has a plan: the
 * sweep's stands, valid, marked as a fallback; no deadline, the same
 * plan as offchip_plan. */
static void test_past_deadline(void **state)
{
	(void)state;
	Err e;
	Graph *g = zoo_build("randwire-cifar10", &e);
	int *order = malloc(g->nops * sizeof *order);
	sched_dfs(g, order);
	OffchipPlan p, q;
	int64_t sram = 32 << 10;
	assert_int_equal(offchip_plan_until(g, order, sram, 16, sched_clock() - 1, &p, &e), 0);
	check_plan(g, order, &p);
	assert_true(p.fallback);
	assert_int_equal(p.method, OFFCHIP_SWEEP);
	assert_int_equal(offchip_check(&p, &e), 0);
	for (int k = 0; k < p.nseg; k++)
		p.seg[k].offset = 0; /* every segment on the others: the checker sees it */
	assert_int_not_equal(offchip_check(&p, &e), 0);
	offchip_free(&p);
	assert_int_equal(offchip_plan_until(g, order, sram, 16, 0, &p, &e), 0);
	assert_int_equal(offchip_plan(g, order, sram, 16, &q, &e), 0);
	assert_false(p.fallback);
	assert_int_equal(p.method, q.method);
	assert_int_equal(p.act_read + p.act_write, q.act_read + q.act_write);
	offchip_free(&p);
	offchip_free(&q);
	free(order);
	ir_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_everything_fits),
		cmocka_unit_test(test_smaller_sram_more_traffic),
		cmocka_unit_test(test_spill_and_reload),
		cmocka_unit_test(test_partial_residency),
		cmocka_unit_test(test_estimate_and_refine),
		cmocka_unit_test(test_random_graphs),
		cmocka_unit_test(test_sweep_near_linear),
		cmocka_unit_test(test_past_deadline),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
