/* test_pipeline.c: the whole compiler, end to end on fsim.  Every output
 * bit equals the reference interpreter's, whatever the SRAM, the order,
 * the rewrites and the calibration; fsim's port counters are the bytes the
 * emitter planned, class by class; weights cross the port once when the
 * weight buffer holds them; DRAM operands go through a staging area only
 * when the SRAM is too small for the plan to keep them; op by op the
 * outputs are the reference's; the same inputs give the same bytes. */
#include "testutil.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "isa.h"
#include "model.h"
#include "pipeline.h"
#include "quant.h"

/* An 8x8 MAC array, 16 vector lanes, a DRAM port of rd bytes a cycle; the
 * scratchpad's banks and anything left 0 from cfg_defaults. */
static Config config(int64_t sram, int64_t wbuf, int rd)
{
	Config c;
	memset(&c, 0, sizeof c);
	strcpy(c.name, "test");
	c.sram_bytes = sram;
	c.sram_align = 16;
	c.wbuf_bytes = wbuf;
	c.dma_read_bpc = rd;
	c.dma_write_bpc = 8;
	c.dram_latency = 20;
	c.mac_rows = 8;
	c.mac_cols = 8;
	c.vector_width = 16;
	c.acc_bits = 32;
	c.clock_mhz = 500;
	cfg_defaults(&c);
	Err e;
	if (cfg_check(&c, &e))
		fail_msg("%s", e.msg);
	return c;
}

/* One import, quantization and reference run per model (and calibration),
 * shared by the runs. */
static Graph *loaded;
static RefValues reference;
static char loaded_key[128];

static void load_model(const char *model, bool perchannel)
{
	char key[128];
	snprintf(key, sizeof key, "%s%s", model, perchannel ? "/pc" : "");
	if (strcmp(loaded_key, key) == 0)
		return;
	Err e;
	ref_free(&reference);
	ir_free(loaded);
	loaded = model_load(model, &e);
	if (!loaded ||
	    (perchannel ? quant_model_perchannel(loaded, 1, &e) : quant_model(loaded, 1, &e)) ||
	    ref_run(loaded, &reference, &e))
		fail_msg("%s: %s", model, e.msg);
	snprintf(loaded_key, sizeof loaded_key, "%s", key);
}

static PipeOpts opts(const char *model, Config cfg, SchedKind k, bool rewrite)
{
	PipeOpts o;
	memset(&o, 0, sizeof o);
	o.preloaded = loaded;
	o.reference = &reference;
	o.model = model;
	o.cfg = cfg;
	o.sched = k;
	o.rewrite = rewrite;
	o.simulate = true;
	o.seed = 1;
	return o;
}

/* What every simulated run must show: outputs bit-exact; fsim's counters
 * the emitter's plan, class by class; the SRAM within its size; the
 * staging area where the plan says. */
static void check_run(const PipeResult *r, const Config *c, const char *what)
{
	if (!r->bit_exact)
		fail_msg("%s: %s differs", what, r->first_diff ? r->first_diff : "?");
	assert_true(r->outputs_compared >= 1);
	const FsimStats *s = &r->sim;
	const NpuProgram *p = &r->prog;
	for (int k = 0; k < NPU_NCLASS; k++)
		if (s->port_rd[k] != p->plan_port_rd[k])
			fail_msg("%s: port read %s %lld bytes, planned %lld", what,
				 k == NPU_CLS_FETCH ? "fetch" : npu_class_name(k), (long long)s->port_rd[k],
				 (long long)p->plan_port_rd[k]);
	for (int k = 0; k < 2; k++)
		if (s->port_wr[k] != p->plan_port_wr[k])
			fail_msg("%s: port write %s %lld bytes, planned %lld", what, npu_class_name(k),
				 (long long)s->port_wr[k], (long long)p->plan_port_wr[k]);
	assert_int_equal(s->port_rd[NPU_CLS_FETCH], (int64_t)p->nwords * 4);
	assert_int_equal(s->dma_rd, p->plan_rd);
	assert_int_equal(s->dma_wr, p->plan_wr);
	assert_int_equal(s->insns, (int64_t)p->ninsn);
	assert_true(s->sram_peak <= c->sram_bytes);
	assert_true(s->sram_hwm <= c->sram_bytes);
	assert_int_equal(s->sram_in_use, 0);
	assert_true(s->mac_busy > 0 && s->cycles > s->mac_busy / 2);
	/* the weights: at least once each (all of the image's weight region is
	 * used but the 16-byte padding of each blob) */
	assert_true(p->weight_bytes > 0);
	assert_true(s->port_rd[NPU_CLS_WEIGHT] > p->weight_bytes / 2);
	assert_int_equal(r->stage, p->stage_bytes + (r->stage & 1));
	assert_true(p->stage_lo + p->stage_bytes == c->sram_bytes);
	if (p->stage_bytes)
		assert_true(r->plan.sram_bytes <= p->stage_lo);
}

static void run(const char *model, Config cfg, SchedKind k, bool rewrite, PipeResult *r)
{
	load_model(model, false);
	PipeOpts o = opts(model, cfg, k, rewrite);
	Err e;
	if (pipeline_run(&o, r, &e))
		fail_msg("%s at %lld bytes: %s", model, (long long)cfg.sram_bytes, e.msg);
	char what[160];
	snprintf(what, sizeof what, "%s, %lld bytes of SRAM, %s order%s", model,
		 (long long)cfg.sram_bytes, sched_name(k), rewrite ? ", rewritten" : "");
	check_run(r, &cfg, what);
}

/* Instructions of r's stream with opcode op (and, if flag, that flag). */
static int count_insns(const PipeResult *r, int op, int flag)
{
	int n = 0;
	for (size_t k = 0; k < r->prog.ninsn; k++) {
		NpuInsn i;
		Err e;
		size_t at = r->prog.insn_word[k];
		assert_true(npu_decode(r->prog.words + at, r->prog.nwords - at, k, &i, &e) > 0);
		n += i.op == op && (!flag || (i.flags & flag));
	}
	return n;
}

/* Transfers whose on-chip end is in the staging area. */
static int staged_transfers(const PipeResult *r)
{
	int n = 0;
	for (size_t k = 0; k < r->prog.ninsn; k++) {
		NpuInsn i;
		Err e;
		size_t at = r->prog.insn_word[k];
		assert_true(npu_decode(r->prog.words + at, r->prog.nwords - at, k, &i, &e) > 0);
		uint32_t chip = i.op == NPU_LOAD ? i.dst : i.src;
		if ((i.op == NPU_LOAD || i.op == NPU_STORE) && NPU_SPACE(chip) == NPU_SRAM &&
		    NPU_ADDR(chip) >= r->prog.stage_lo && r->prog.stage_bytes)
			n++;
	}
	return n;
}

static void test_swiftnet_bit_exact(void **state)
{
	(void)state;
	static const int64_t srams[] = {24 << 10, 48 << 10, 1 << 20};
	for (size_t i = 0; i < sizeof srams / sizeof srams[0]; i++)
		for (int v = 0; v < 3; v++) {
			PipeResult r;
			Config c = config(srams[i], 32 << 10, 8);
			run("zoo:swiftnet-hpd", c, v ? SCHED_DP : SCHED_FILE, v == 2, &r);
			assert_int_equal(r.outputs_compared, 1);
			pipeline_free(&r);
		}
}

/* randwire-cifar10's fc has blocks of 10312 bytes: a 12 KiB weight
 * buffer takes one chunk at a time, a 32 KiB one two halves. */
static void test_randwire_bit_exact(void **state)
{
	(void)state;
	static const int64_t srams[] = {16 << 10, 40 << 10, 96 << 10};
	for (size_t i = 0; i < sizeof srams / sizeof srams[0]; i++)
		for (int v = 0; v < 2; v++) {
			PipeResult r;
			Config c = config(srams[i], i ? 32 << 10 : 12 << 10, 8);
			run("zoo:randwire-cifar10", c, v ? SCHED_DP : SCHED_FILE, false, &r);
			pipeline_free(&r);
		}
}

/* A small SRAM: the plan keeps operands in DRAM, the emitter stages them
 * through the area at the SRAM's top.  A large one: no staging, and the
 * only activation traffic is the graph's input and output. */
static void test_staging(void **state)
{
	(void)state;
	PipeResult small, big;
	run("zoo:swiftnet-hpd", config(24 << 10, 32 << 10, 8), SCHED_DP, false, &small);
	run("zoo:swiftnet-hpd", config(1 << 20, 32 << 10, 8), SCHED_DP, false, &big);
	assert_true(small.stage > 0 && small.prog.stage_bytes > 0);
	assert_true(staged_transfers(&small) > 0);
	assert_true(small.sim.port_rd[NPU_CLS_SPILL] > 0);
	assert_int_equal(big.stage, 0);
	assert_int_equal(big.prog.stage_bytes, 0);
	assert_int_equal(big.prog.stage_lo, 1 << 20);
	assert_int_equal(big.sim.port_rd[NPU_CLS_SPILL], 0);
	assert_int_equal(big.sim.port_wr[NPU_CLS_SPILL], 0);
	/* the input (3x128x128) read once, the output written once, in whole
	 * beats of 8 bytes */
	int64_t in = 0, out = 0;
	for (int t = 0; t < big.graph->ntensors; t++) {
		const Tensor *tt = &big.graph->tensors[t];
		if (big.graph->ops[tt->producer].kind == OP_INPUT)
			in += (tt->bytes + 7) / 8 * 8;
		if (tt->output)
			out += (tt->bytes + 7) / 8 * 8;
	}
	assert_int_equal(in, 3 * 128 * 128);
	assert_int_equal(big.sim.port_rd[NPU_CLS_ACT], in);
	assert_int_equal(big.sim.port_wr[NPU_CLS_ACT], out);
	/* more SRAM, less traffic, fewer cycles */
	assert_true(fsim_port_read(&small.sim) + fsim_port_write(&small.sim) >
		    fsim_port_read(&big.sim) + fsim_port_write(&big.sim));
	assert_true(small.sim.cycles > big.sim.cycles);
	pipeline_free(&small);
	pipeline_free(&big);
}

/* A weight buffer that holds every layer's blocks: each weight byte
 * crosses the port once (at 16 bytes a beat the 16-byte aligned blobs are
 * whole beats: the port bytes are the image's weight region exactly). */
static void test_weights_once(void **state)
{
	(void)state;
	static const struct {
		const char *model;
		int64_t sram;
	} cases[] = {
		{"zoo:swiftnet-hpd", 48 << 10},
		{"zoo:swiftnet-hpd", 1 << 20},
		{"zoo:randwire-cifar10", 40 << 10},
	};
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		PipeResult r;
		run(cases[k].model, config(cases[k].sram, 1 << 20, 16), SCHED_DP, false, &r);
		assert_int_equal(r.prog.weight_refetch, 0);
		assert_int_equal(r.sim.port_rd[NPU_CLS_WEIGHT], r.prog.weight_bytes);
		pipeline_free(&r);
	}
	/* a small one: still bit-exact and as planned (check_run), each byte
	 * at least once */
	PipeResult r;
	run("zoo:randwire-cifar10", config(40 << 10, 12 << 10, 16), SCHED_DP, false, &r);
	assert_true(r.sim.port_rd[NPU_CLS_WEIGHT] >= r.prog.weight_bytes - 16 * r.graph->nops);
	pipeline_free(&r);
}

/* Every convolution's weight blocks in the DRAM image as docs/isa.md lays
 * them out, from the graph's own weights and parameters: per group, per
 * tile of cw output channels (cw the smallest divisor of the array's
 * columns at least min(channels a group, columns)), rows 0-3 the bias
 * bytes, 4-7 the qmul's, 8 the qshift, then a row per reduction term;
 * byte k of a row is the tile's channel k, 0 past the last.  Returns how
 * many convolutions have channels of different qmul. */
static int check_blocks(const PipeResult *r, int cols)
{
	const Graph *g = r->graph;
	int differing = 0, convs = 0;
	for (int o = 0; o < g->nops; o++) {
		const Op *op = &g->ops[o];
		if (op->kind != OP_CONV && op->kind != OP_FC && op->kind != OP_PCONV)
			continue;
		convs++;
		Shape xs = g->tensors[op->in[0]].shape, ys = g->tensors[op->out[0]].shape;
		bool fc = op->kind == OP_FC;
		int G = fc ? 1 : op->win.groups, cog = ys.c / G;
		int64_t cin = fc ? (int64_t)xs.c * xs.h * xs.w : xs.c;
		int64_t red = cin / G * (fc ? 1 : op->win.kh * op->win.kw);
		int want_cw = cols;
		for (int d = cog < cols ? cog : cols; d < cols; d++)
			if (cols % d == 0) {
				want_cw = d;
				break;
			}
		int cw = r->prog.op_cw[o], tiles = (cog + cw - 1) / cw;
		assert_int_equal(cw, want_cw);
		assert_true(r->prog.op_weights[o] >= 0 && r->prog.op_weights[o] % 16 == 0);
		const uint8_t *b = r->prog.dram + r->prog.op_weights[o];
		const int8_t *w = g->consts[op->weight].data;
		const int32_t *bias = op->bias >= 0 ? g->consts[op->bias].data : NULL;
		bool differ = false;
		for (int gi = 0; gi < G; gi++)
			for (int t = 0; t < tiles; t++, b += (9 + red) * cw)
				for (int k = 0; k < cw; k++) {
					int j = t * cw + k, oc = gi * cog + j;
					if (j >= cog) { /* past the last channel: zero */
						for (int64_t row = 0; row < 9 + red; row++)
							assert_int_equal(b[row * cw + k], 0);
						continue;
					}
					uint32_t v[2] = {0, 0};
					for (int byte = 0; byte < 4; byte++) {
						v[0] |= (uint32_t)b[byte * cw + k] << 8 * byte;
						v[1] |= (uint32_t)b[(4 + byte) * cw + k] << 8 * byte;
					}
					assert_int_equal((int32_t)v[0], bias ? bias[oc] : 0);
					if (op->kind != OP_PCONV) { /* OUT32: no requantization */
						int32_t qm = op->qmuls ? op->qmuls[oc] : op->qmul;
						int qs = op->qmuls ? op->qshifts[oc] : op->qshift;
						assert_int_equal((int32_t)v[1], qm);
						assert_int_equal((int8_t)b[8 * cw + k], qs);
						differ |= qm != (op->qmuls ? op->qmuls[0] : op->qmul);
					}
					for (int64_t rr = 0; rr < red; rr++)
						if ((int8_t)b[(9 + rr) * cw + k] != w[oc * red + rr])
							fail_msg("%s: channel %d, term %lld", op->name, oc,
								 (long long)rr);
				}
		differing += differ;
	}
	assert_true(convs > 0);
	return differing;
}

/* swiftnet-hpd calibrated per channel, and with every rewrite applied
 * (rw_apply_all, as the rewrites are verified): per-channel parameters in
 * the CONVs' weight blocks, and (rewritten) partial convolutions finished
 * by REQUANTs with PERCH tables; bit-exact.  Calibrated per tensor, every
 * channel of a layer has the same parameters. */
static Graph *rewritten_all(RefValues *ref)
{
	load_model("zoo:swiftnet-hpd", true);
	Err e;
	RwStats st;
	Graph *all = rw_apply_all(loaded, &st, &e);
	if (!all || ref_run(all, ref, &e))
		fail_msg("%s", e.msg);
	assert_true(st.applied[RW_CHANNEL] > 0);
	return all;
}

static void test_per_channel(void **state)
{
	(void)state;
	PipeResult r;
	Config c = config(32 << 10, 32 << 10, 8);
	run("zoo:swiftnet-hpd", c, SCHED_FILE, false, &r);
	assert_int_equal(check_blocks(&r, 8), 0);
	pipeline_free(&r);

	Err e;
	static const int64_t srams[] = {32 << 10, 1 << 20};
	for (size_t k = 0; k < 2; k++) {
		load_model("zoo:swiftnet-hpd", true);
		c = config(srams[k], 32 << 10, 8);
		PipeOpts o = opts("zoo:swiftnet-hpd", c, k ? SCHED_DP : SCHED_FILE, false);
		if (pipeline_run(&o, &r, &e))
			fail_msg("%s", e.msg);
		check_run(&r, &c, "per-channel");
		assert_true(check_blocks(&r, 8) > 0);
		assert_int_equal(count_insns(&r, NPU_REQUANT, 0), 0);
		pipeline_free(&r);
	}

	RefValues ref_all;
	Graph *all = rewritten_all(&ref_all);
	c = config(1 << 20, 32 << 10, 8);
	PipeOpts o = opts("zoo:swiftnet-hpd", c, SCHED_FILE, false);
	o.preloaded = all, o.reference = &ref_all;
	if (pipeline_run(&o, &r, &e))
		fail_msg("%s", e.msg);
	check_run(&r, &c, "per-channel, rewritten");
	assert_true(check_blocks(&r, 8) > 0);
	assert_true(count_insns(&r, NPU_REQUANT, NPU_F_PERCH) > 0);
	assert_true(count_insns(&r, NPU_CONV, NPU_F_OUT32) > 0);
	assert_true(count_insns(&r, NPU_CONV, NPU_F_PSUM) > 0);
	pipeline_free(&r);
	ref_free(&ref_all);
	ir_free(all);
}

/* Runs f(ctx) in a child process with at most 2 GiB more address space
 * and two minutes: a runaway emitter fails the test instead of the
 * machine.  Returns the child's wait status. */
static int guarded(int (*f)(void *), void *ctx)
{
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		long pages = 0;
		FILE *fs = fopen("/proc/self/statm", "r");
		if (!fs || fscanf(fs, "%ld", &pages) != 1)
			_exit(2);
		fclose(fs);
		struct rlimit rl;
		rl.rlim_cur = rl.rlim_max = (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE) + ((rlim_t)2 << 30);
		setrlimit(RLIMIT_AS, &rl);
		alarm(120);
		_exit(f(ctx));
	}
	int st = 0;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return st;
}

typedef struct PcRun {
	const Graph *g;
	const RefValues *ref;
	int64_t sram;
} PcRun;

static int run_rewritten(void *ctx)
{
	const PcRun *pr = ctx;
	PipeOpts o = opts("zoo:swiftnet-hpd", config(pr->sram, 32 << 10, 8), SCHED_FILE, false);
	o.preloaded = pr->g, o.reference = pr->ref;
	PipeResult r;
	Err e;
	if (pipeline_run(&o, &r, &e)) {
		fprintf(stderr, "%s\n", e.msg);
		return 1;
	}
	int rc = r.bit_exact ? 0 : 3;
	pipeline_free(&r);
	return rc;
}

/* A REQUANT with PERCH whose planes do not fit a staging slot (swiftnet-hpd
 * calibrated per channel, every rewrite applied, file order, 32 KiB SRAM:
 * staging 5120 bytes, planes of 64 x 64 at 5 staged bytes an element) is
 * cut inside its planes, each part with its channel's qmul and qshift, and
 * runs bit-exact.  (It once looped forever cutting empty pieces.)  Run in a
 * child with a memory cap. */
static void test_perch_requant_staged_in_parts(void **state)
{
	(void)state;
	RefValues ref_all;
	Graph *all = rewritten_all(&ref_all);
	PcRun pr = {all, &ref_all, 32 << 10};
	int st = guarded(run_rewritten, &pr);
	ref_free(&ref_all);
	ir_free(all);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		fail_msg("per-channel rewritten swiftnet-hpd at 32 KiB: %s %d",
			 WIFEXITED(st) ? "failed, exit" : "died, signal",
			 WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
}

/* PipeOpts.check_ops compares every op's output with the reference as the
 * stream runs: nothing differs; and it does see a difference (a reference
 * value changed on purpose), naming the op. */
static char *captured_stderr(const PipeOpts *o, PipeResult *r)
{
	fflush(stderr);
	int saved = dup(2);
	char path[] = "/tmp/serenity-pipe-stderr-XXXXXX";
	int fd = mkstemp(path);
	assert_true(saved >= 0 && fd >= 0);
	dup2(fd, 2);
	Err e;
	int rc = pipeline_run(o, r, &e);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	FILE *f = fdopen(fd, "rb");
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *text = calloc(1, (size_t)n + 1);
	assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	unlink(path);
	if (rc)
		fail_msg("%s", e.msg);
	return text;
}

static void test_check_ops(void **state)
{
	(void)state;
	load_model("zoo:swiftnet-hpd", false);
	Config c = config(24 << 10, 32 << 10, 8);
	for (int rw = 0; rw < 2; rw++) {
		PipeOpts o = opts("zoo:swiftnet-hpd", c, SCHED_DP, rw);
		o.check_ops = true;
		PipeResult r;
		char *err = captured_stderr(&o, &r);
		if (err[0])
			fail_msg("check_ops: %s", err);
		check_run(&r, &c, "check_ops");
		free(err);
		pipeline_free(&r);
	}
	/* a wrong reference value for one intermediate op's output */
	int victim = -1;
	for (int t = 0; t < loaded->ntensors && victim < 0; t++)
		if (!loaded->tensors[t].output && loaded->tensors[t].dtype == DT_I8 &&
		    loaded->ops[loaded->tensors[t].producer].kind == OP_CONV &&
		    strstr(loaded->tensors[t].name, "cell1"))
			victim = t;
	assert_true(victim >= 0);
	int8_t *v = reference.val[victim];
	v[7] = (int8_t)~v[7];
	PipeOpts o = opts("zoo:swiftnet-hpd", c, SCHED_FILE, false);
	o.check_ops = true;
	PipeResult r;
	char *err = captured_stderr(&o, &r);
	v[7] = (int8_t)~v[7];
	char want[256];
	snprintf(want, sizeof want,
		 "serenity: fsim: op %s is the first whose output differs from the reference\n",
		 loaded->ops[loaded->tensors[victim].producer].name);
	assert_string_equal(err, want);
	assert_true(r.bit_exact); /* the outputs themselves are right */
	free(err);
	pipeline_free(&r);
}

static void test_deterministic(void **state)
{
	(void)state;
	PipeResult a, b;
	Config c = config(24 << 10, 4 << 10, 8);
	run("zoo:swiftnet-hpd", c, SCHED_FILE, true, &a);
	run("zoo:swiftnet-hpd", c, SCHED_FILE, true, &b);
	assert_int_equal(a.prog.nwords, b.prog.nwords);
	assert_memory_equal(a.prog.words, b.prog.words, a.prog.nwords * 4);
	assert_int_equal(a.prog.dram_bytes, b.prog.dram_bytes);
	assert_memory_equal(a.prog.dram, b.prog.dram, a.prog.dram_bytes);
	assert_memory_equal(&a.sim, &b.sim, sizeof a.sim);
	pipeline_free(&a);
	pipeline_free(&b);
}

static void test_refuses_sizes_only_graphs(void **state)
{
	(void)state;
	PipeOpts o;
	memset(&o, 0, sizeof o);
	o.model = SERENITY_TEST_DATA "/good/branches.graph";
	o.cfg = config(1 << 20, 32 << 10, 8);
	o.sched = SCHED_FILE;
	PipeResult r;
	Err e;
	assert_int_equal(pipeline_run(&o, &r, &e), -1);
	assert_non_null(strstr(e.msg, "node a"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_swiftnet_bit_exact),
		cmocka_unit_test(test_randwire_bit_exact),
		cmocka_unit_test(test_staging),
		cmocka_unit_test(test_weights_once),
		cmocka_unit_test(test_per_channel),
		cmocka_unit_test(test_perch_requant_staged_in_parts),
		cmocka_unit_test(test_check_ops),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_refuses_sizes_only_graphs),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	ref_free(&reference);
	ir_free(loaded);
	return rc;
}
