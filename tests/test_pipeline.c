/* test_pipeline.c: the whole compiler, end to end on fsim: every output bit
 * equals the reference interpreter's, whatever the SRAM, the order and the
 * rewrites; the same inputs give the same bytes. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "isa.h"
#include "model.h"
#include "pipeline.h"
#include "quant.h"

static Config config(int64_t sram)
{
	Config c = {"test", sram, 16, 8, 8, 20, 8, 8, 16, 32, 500};
	return c;
}

/* One import, quantization and reference run per model, shared by the runs. */
static Graph *loaded;
static RefValues reference;
static const char *loaded_model;

static void run(const char *model, int64_t sram, SchedKind k, bool rewrite, PipeResult *r)
{
	PipeOpts o = {0};
	Err e;
	if (!loaded_model || strcmp(loaded_model, model) != 0) {
		ref_free(&reference);
		ir_free(loaded);
		loaded = model_load(model, &e);
		if (!loaded || quant_model(loaded, 1, &e) || ref_run(loaded, &reference, &e))
			fail_msg("%s: %s", model, e.msg);
		loaded_model = model;
	}
	o.preloaded = loaded;
	o.reference = &reference;
	o.model = model;
	o.cfg = config(sram);
	o.sched = k;
	o.rewrite = rewrite;
	o.simulate = true;
	o.seed = 1;
	o.dp.time_limit_s = 5;
	if (pipeline_run(&o, r, &e))
		fail_msg("%s at %lld bytes: %s", model, (long long)sram, e.msg);
}

static void test_swiftnet_bit_exact_everywhere(void **state)
{
	(void)state;
	static const int64_t srams[] = {8 << 10, 32 << 10, 64 << 10, 1 << 20};
	for (size_t i = 0; i < sizeof srams / sizeof srams[0]; i++)
		for (int v = 0; v < 3; v++) {
			PipeResult r;
			run("zoo:swiftnet-hpd", srams[i], v ? SCHED_DP : SCHED_FILE, v == 2, &r);
			if (!r.bit_exact)
				fail_msg("sram %lld variant %d: %s differs", (long long)srams[i], v,
					 r.first_diff ? r.first_diff : "?");
			assert_int_equal(r.outputs_compared, 1);
			assert_true(r.sim.sram_peak <= srams[i]);
			/* fsim counts what the off-chip plan predicted */
			assert_int_equal(r.sim.dram_weight_read + r.sim.dram_act_read,
					 offchip_read_bytes(&r.plan));
			assert_int_equal(r.sim.dram_write, offchip_write_bytes(&r.plan));
			pipeline_free(&r);
		}
}

static void test_more_sram_less_traffic(void **state)
{
	(void)state;
	PipeResult small, big;
	run("zoo:randwire-cifar10", 16 << 10, SCHED_DP, false, &small);
	run("zoo:randwire-cifar10", 1 << 20, SCHED_DP, false, &big);
	assert_true(small.bit_exact && big.bit_exact);
	int64_t ts = small.sim.dram_act_read + small.sim.dram_write;
	int64_t tb = big.sim.dram_act_read + big.sim.dram_write;
	assert_true(ts > tb);
	/* everything fits 1 MiB: only the compulsory traffic is left */
	assert_int_equal(big.sim.dram_weight_read + big.sim.dram_act_read + big.sim.dram_write,
			 big.plan.compulsory);
	assert_true(small.sim.cycles > big.sim.cycles);
	pipeline_free(&small);
	pipeline_free(&big);
}

static void test_deterministic(void **state)
{
	(void)state;
	PipeResult a, b;
	run("zoo:swiftnet-hpd", 32 << 10, SCHED_DP, true, &a);
	run("zoo:swiftnet-hpd", 32 << 10, SCHED_DP, true, &b);
	assert_int_equal(a.prog.nwords, b.prog.nwords);
	assert_memory_equal(a.prog.words, b.prog.words, a.prog.nwords * 4);
	assert_int_equal(a.prog.dram_bytes, b.prog.dram_bytes);
	assert_memory_equal(a.prog.dram, b.prog.dram, a.prog.dram_bytes);
	pipeline_free(&a);
	pipeline_free(&b);
}

/* Instructions of r's stream with opcode op and flag PERCH. */
static int count_perch(const PipeResult *r, int op)
{
	int n = 0;
	for (size_t k = 0; k < r->prog.ninsn; k++) {
		NpuInsn i;
		Err e;
		size_t at = r->prog.insn_word[k];
		assert_true(npu_decode(r->prog.words + at, r->prog.nwords - at, k, &i, &e) > 0);
		n += i.op == op && (i.flags & NPU_F_PERCH);
	}
	return n;
}

/* swiftnet-hpd calibrated per channel, every rewrite applied: partial
 * convolutions finished by per-channel REQUANTs, per-channel depthwise
 * parts; fsim bit-exact with the reference on that graph at two SRAM sizes,
 * and the tables are the weight traffic the off-chip plan predicted. */
static void test_per_channel_rewritten(void **state)
{
	(void)state;
	Err e;
	RwStats st;
	Graph *g = model_load("zoo:swiftnet-hpd", &e), *all = NULL;
	if (!g || quant_model_perchannel(g, 1, &e) || !(all = rw_apply_all(g, &st, &e)))
		fail_msg("%s", e.msg);
	assert_true(st.applied[RW_CHANNEL] > 0);
	static const int64_t srams[] = {32 << 10, 1 << 20};
	for (size_t k = 0; k < 2; k++) {
		PipeOpts o = {0};
		PipeResult r;
		o.preloaded = all;
		o.model = "zoo:swiftnet-hpd";
		o.cfg = config(srams[k]);
		o.sched = SCHED_FILE;
		o.simulate = true;
		o.seed = 1;
		if (pipeline_run(&o, &r, &e))
			fail_msg("%s", e.msg);
		assert_true(r.bit_exact);
		assert_true(count_perch(&r, NPU_REQUANT) > 0);
		assert_true(count_perch(&r, NPU_CONV) > 0);
		assert_int_equal(r.sim.dram_weight_read + r.sim.dram_act_read,
				 offchip_read_bytes(&r.plan));
		assert_int_equal(r.sim.dram_weight_read, r.plan.weight_read);
		pipeline_free(&r);
	}
	ir_free(all);
	ir_free(g);
}

/* Every off-chip method's plan (whole-life eviction; split live ranges with
 * spills, reloads, streaming readers; partial residency with operands in
 * two parts) runs bit-exact on fsim, which moves exactly the bytes the plan
 * says; the pipeline keeps the plan moving the fewest. */
static void test_every_plan_on_fsim(void **state)
{
	(void)state;
	static const int64_t srams[] = {32 << 10, 96 << 10};
	int reloads = 0, partial = 0;
	for (size_t i = 0; i < sizeof srams / sizeof srams[0]; i++)
		for (int v = 0; v < 2; v++) {
			PipeResult r;
			run("zoo:randwire-cifar10", srams[i], v ? SCHED_DP : SCHED_FILE, false, &r);
			if (!r.bit_exact)
				fail_msg("sram %lld variant %d: %s differs", (long long)srams[i], v,
					 r.first_diff ? r.first_diff : "?");
			assert_true(r.sim.sram_peak <= srams[i]);
			assert_int_equal(r.sim.dram_weight_read + r.sim.dram_act_read,
					 offchip_read_bytes(&r.plan));
			assert_int_equal(r.sim.dram_write, offchip_write_bytes(&r.plan));
			for (OffchipMethod m = OFFCHIP_WHOLE; m <= OFFCHIP_PART; m++) {
				OffchipPlan w;
				NpuProgram prog;
				FsimStats st;
				Err e;
				assert_int_equal(offchip_plan_with(r.graph, r.sched.order, srams[i], 16,
								   m, &w, &e), 0);
				assert_true(offchip_read_bytes(&w) + offchip_write_bytes(&w) >=
					    offchip_read_bytes(&r.plan) + offchip_write_bytes(&r.plan));
				reloads += w.reloads;
				partial += w.partial;
				assert_int_equal(npu_emit(r.graph, r.sched.order, &w, &prog, &e), 0);
				Config cfg = config(srams[i]);
				CostModel cm = pipeline_cost_model(&cfg);
				uint8_t *dram = malloc(prog.dram_bytes);
				memcpy(dram, prog.dram, prog.dram_bytes);
				if (fsim_run(&cm, prog.words, prog.nwords, dram, prog.dram_bytes, &st, &e))
					fail_msg("%s plan: %s", offchip_method_name(m), e.msg);
				assert_true(st.sram_peak <= srams[i]);
				assert_int_equal(st.dram_weight_read + st.dram_act_read,
						 offchip_read_bytes(&w));
				assert_int_equal(st.dram_write, offchip_write_bytes(&w));
				for (int t = 0; t < r.graph->ntensors; t++) /* the graph outputs */
					if (r.graph->tensors[t].output &&
					    memcmp(dram + prog.tensor_dram[t], reference.val[t],
						   r.graph->tensors[t].bytes))
						fail_msg("%s plan at %lld bytes: %s differs",
							 offchip_method_name(m), (long long)srams[i],
							 r.graph->tensors[t].name);
				free(dram);
				npu_program_free(&prog);
				offchip_free(&w);
			}
			pipeline_free(&r);
		}
	assert_true(reloads > 0);
	assert_true(partial > 0);
}

static void test_refuses_sizes_only_graphs(void **state)
{
	(void)state;
	PipeOpts o = {0};
	o.model = SERENITY_TEST_DATA "/good/branches.graph";
	o.cfg = config(1 << 20);
	o.sched = SCHED_FILE;
	PipeResult r;
	Err e;
	assert_int_equal(pipeline_run(&o, &r, &e), -1);
	assert_non_null(strstr(e.msg, "node a"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_swiftnet_bit_exact_everywhere),
		cmocka_unit_test(test_more_sram_less_traffic),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_every_plan_on_fsim),
		cmocka_unit_test(test_refuses_sizes_only_graphs),
		cmocka_unit_test(test_per_channel_rewritten),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	ref_free(&reference);
	ir_free(loaded);
	return rc;
}
