/* fuzz_run_config.c: libFuzzer target for accelerator configs fed through
 * `run` (schedule, plan, emit, fsim; no RTL) on a small built-in network
 * of convolutions, pools, a concat, an add and an fc.  Every input must
 * end in a one-line error or a bit-exact result; never a crash, a leak or
 * undefined behaviour.  Seeds: configs/ and tests/data/config/.  SRAMs
 * above 4 MiB are skipped (fsim allocates them), to keep each run fast. */
#include "fuzz_run.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static Graph *net;

/* x -> conv3x3+relu -> {maxpool, conv1x1} -> concat -> conv3x3 s2 ->
 * add(itself after a 1x1 conv) -> global pool -> fc, int8. */
static Graph *small_net(void)
{
	Graph *g = ir_new("fuzznet");
	int x = ir_input(g, "x", (Shape){1, 8, 16, 16}, DT_I8);
	int c1 = ir_conv(g, "c1", x, 16, ir_window(3, 1, 1, 1));
	g->ops[g->nops - 1].relu = true;
	int p = ir_pool(g, "p", OP_MAXPOOL, c1, ir_window(3, 1, 1, 1));
	int c2 = ir_conv(g, "c2", c1, 8, ir_window(1, 1, 1, 1));
	int cat = ir_concat(g, "cat", (const int[]){p, c2}, 2);
	int c3 = ir_conv(g, "c3", cat, 16, ir_window(3, 2, 1, 1));
	int c4 = ir_conv(g, "c4", c3, 16, ir_window(1, 1, 1, 1));
	int s = ir_add(g, "s", (const int[]){c3, c4}, 2);
	int gp = ir_gavgpool(g, "gp", s);
	ir_fc(g, "fc", gp, 10);
	ir_link(g);
	ir_mark_unconsumed_outputs(g);
	Err e;
	if (!ir_ok(g) || ir_verify(g, &e) ||
	    pipeline_quantize(&g, NULL, 1, false, NULL, NULL, NULL, &e))
		abort();
	return g;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	if (!net)
		net = small_net();
	Err e;
	Config cfg;
	if (cfg_parse((const char *)data, size, "fuzz", &cfg, &e)) {
		if (strncmp(e.msg, "fuzz", 4) != 0)
			abort();
		fuzz_check_msg(&e);
		return 0;
	}
	if (cfg.sram_bytes > (4 << 20) || cfg.wbuf_bytes > (4 << 20))
		return 0;
	fuzz_run(net, &cfg, size % 2);
	return 0;
}
