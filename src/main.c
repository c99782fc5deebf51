/* main.c: the serenity command line.
 *
 * Only this file prints and exits; every stage below it returns a status
 * and an Err.  Exit codes: 0 success, 1 bad input or failed check, 2 bad
 * usage (unknown command or flag).
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "config.h"
#include "graphfile.h"
#include "isa.h"
#include "json.h"
#include "mem.h"
#include "model.h"
#include "offchip.h"
#include "onnx_export.h"
#include "output.h"
#include "pipeline.h"
#include "plan.h"
#include "plot.h"
#include "quant.h"
#include "randdag.h"
#include "ref.h"
#include "rewrite.h"
#include "tile.h"
#include "sched.h"
#include "sched_dp.h"
#include "zoo.h"

#define SERENITY_VERSION "0.1.0"

enum { EXIT_INPUT = 1, EXIT_USAGE = 2 };

/* schedule, compile and run end by this long after they start unless
 * --time-limit says otherwise: the dp search gets what the other stages
 * leave (sched_dp_deadline) and then returns its best order, marked not
 * optimal, with its bound.  The
 * traffic and cycles objectives are proxies whose orders are then compared
 * and refined on the real plan (pipeline_pick_traffic): a shorter search
 * does as well there (randwire-cifar10 at 128 KiB: the same bytes after 5 s
 * as after 20 s and 60 s). */
#define DEFAULT_TIME_LIMIT 60.0
#define DEFAULT_TIME_LIMIT_PROXY 10.0

/* When the command started: schedule, compile and run end by this plus
 * the time limit (sched_clock() seconds). */
static double cmd_start;

/* The options, by the letter parse_opts knows each by: how the usage shows
 * it and what it does.  A command takes the options its Command.opts
 * lists and refuses the others (exit 2), so that none is silently
 * ignored; `serenity CMD --help` prints its usage line and these lines of
 * its options. */
typedef struct OptDoc {
	int val;
	const char *flag; /* "--scheduler S" */
	const char *help;
} OptDoc;

static const OptDoc opt_docs[] = {
	{'j', "--json", "one JSON object on stdout"},
	{'d', "-d S|P", "dump the schedule (step, op, bytes in use) after scheduling (S),\n"
			"or the SRAM plan (offset, size, lifetime) after planning (P)"},
	{'o', "-o FILE|DIR", "the output: a file ('-' for stdout), replaced whole or not at all,\n"
			     "never one of the command's inputs; compile: a directory replaced as\n"
			     "a whole by the new set of four files, so it may hold only such a set;\n"
			     "run --sim rtl: a directory that keeps the simulator's files"},
	{'f', "--format F", "graph (the plain graph format) or onnx"},
	{'s', "--scheduler S", "dp (memory-optimal, default), file (definition order, what\n"
			       "TensorFlow Lite runs), bfs (Kahn, FIFO), dfs (reverse post-order)"},
	{'t', "--time-limit S", "schedule, compile, run: end the command by S seconds (default\n"
				"60; 10 with the traffic and cycles objectives): dp stops early\n"
				"with the best order found and its proven lower bound, placement\n"
				"falls back to a fast sweep; sweep, verify, export, bench: bound\n"
				"each dp search"},
	{'p', "--plot FILE.svg", "schedule: bytes in use at each step, beside the definition\n"
				 "order's; sweep: DRAM traffic against SRAM size"},
	{'r', "--rewrite", "apply the identity rewrites that lower the dp peak first"},
	{'L', "--tile", "run regions of the graph in bands of rows where that lowers the dp\n"
			"peak (spatial partitioning), before --rewrite"},
	{'M', "--max-overhead PCT", "--tile: extra MACs allowed, percent of the graph's (default 10)"},
	{'c', "--config CFG", "an accelerator config (configs/*.xml, docs/config.md); schedule:\n"
			      "report the off-chip plan (what lives in DRAM, the DRAM bytes moved)"},
	{'z', "--sram SIZE", "the SRAM size instead of the config's (sram/size, in its syntax:\n"
			     "65536, 64KiB, 64 KiB, 1MiB); sweep: a comma-separated LIST of sizes"},
	{'O', "--objective O", "what dp minimizes: peak (bytes, default), traffic (bytes over\n"
			       "the config's SRAM, step by step) or cycles (compute, or spill\n"
			       "and reload when longer); traffic and cycles need --config, and\n"
			       "keep the order the planner moves the fewest bytes for, refined\n"
			       "by local search"},
	{'S', "--sim fsim|rtl", "simulate on fsim (the instruction-level model, default) or on\n"
				"the NPU's RTL (Verilator; the simulator is built per config)"},
	{'T', "--trace FILE.fst", "run --sim rtl: write the RTL's FST waveform to FILE"},
	{'Z', "--bisect-zero-spill", "sweep: bisect, for each variant, the smallest SRAM size (a\n"
				     "multiple of sram/alignment and of the banks' width) at which\n"
				     "its plan spills nothing; no simulation"},
	{'a', "--acc-bits N", "width partial sums of rewritten convolutions are held at\n"
			      "(8 to 32, default 32: int32 accumulators)"},
	{'P', "--per-channel", "calibrate conv and fc per output channel (the NPU's\n"
			       "per-channel requantization, flag PERCH)"},
	{'C', "--calib DIR", "float (ONNX) models: calibrate the int8 scales on the inputs\n"
			     "DIR/input_K.pb or DIR/*/input_K.pb (TensorProtos) instead of\n"
			     "16 seeded uniform [-1, 1] inputs; run reports the SQNR"},
	{'I', "--input-shape NAME=DIMS", "ONNX models: the dims of input NAME (1x3x224x224), for\n"
					  "those the file leaves symbolic or unset (repeatable)"},
	{'h', "-h, --help", "this command's usage"},
};
enum { NOPTDOCS = sizeof opt_docs / sizeof opt_docs[0] };

static const OptDoc *opt_doc(int val)
{
	for (int i = 0; i < NOPTDOCS; i++)
		if (opt_docs[i].val == val)
			return &opt_docs[i];
	return NULL;
}

/* "--scheduler" of "--scheduler S" */
static void opt_name(int val, char *buf, size_t n)
{
	const OptDoc *d = opt_doc(val);
	const char *f = d ? d->flag : "?";
	snprintf(buf, n, "%.*s", (int)strcspn(f, " ,"), f);
}

typedef struct Opts {
	const char *model;
	const char *out;
	const char *format;
	const char *dump;
	const char *plot;
	SchedKind sched;
	double time_limit;
	int acc_bits;
	const char *config;
	const char *sim;
	const char *sram;   /* one size, or sweep: a comma-separated list */
	const char *calib;  /* float models: calibration inputs */
	OnnxOpts onnx;      /* --input-shape */
	const char *trace;  /* run --sim rtl: the FST waveform */
	DpObjective objective;
	bool json;
	bool rewrite;
	bool tile;
	double max_overhead; /* --tile: extra MACs allowed, a fraction */
	bool perchannel;
	bool bisect;        /* sweep --bisect-zero-spill */
	bool given[128];    /* the options given, by letter */
} Opts;

/* The commands, defined at the end; the one running (main sets it), whose
 * options parse_opts takes and whose usage --help prints. */
typedef struct Command Command;
static const Command *cmd_current;
static bool cmd_takes(const Command *c, int val);
static const char *cmd_name(const Command *c);
static void cmd_usage(const Command *c, FILE *f);

/* One line, then where the usage is: the whole text would bury it. */
static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "serenity: ");
	fprintf(stderr, fmt, arg);
	if (cmd_current)
		fprintf(stderr, " (serenity %s --help for usage)\n", cmd_name(cmd_current));
	else
		fprintf(stderr, " (serenity --help for usage)\n");
	return EXIT_USAGE;
}

/* Refuses an option the command was given but cannot use here: why says
 * what it needs, or that it has no effect. */
static int refuse(const Opts *o, int val, const char *why)
{
	if (!o->given[val])
		return 0;
	char name[32], msg[256];
	opt_name(val, name, sizeof name);
	snprintf(msg, sizeof msg, "%s %s: %s", cmd_current ? cmd_name(cmd_current) : "serenity",
		 name, why);
	return usage_error("%s", msg);
}

static int input_error(const Err *e)
{
	fprintf(stderr, "serenity: %s\n", e->msg);
	return EXIT_INPUT;
}

/* The files a command reads, and `also` (an output written before, or
 * NULL), NULL-terminated into in[5]: no output may be written over them. */
static const char *const *inputs_of(const Opts *o, const char *also, const char *in[5])
{
	int n = 0;
	bool builtin = o->model && (!strncmp(o->model, "zoo:", 4) ||
				    !strncmp(o->model, "random:", 7)); /* no file */
	const char *all[] = {builtin ? NULL : o->model, o->config, o->calib, also};
	for (int i = 0; i < 4; i++)
		if (all[i])
			in[n++] = all[i];
	in[n] = NULL;
	return in;
}

/* Parses flags after the command word; at most `npos` positionals.  An
 * option the running command does not take is refused. */
static int parse_opts(int argc, char **argv, Opts *o, int npos)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'j'},
		{"scheduler", required_argument, NULL, 's'},
		{"format", required_argument, NULL, 'f'},
		{"output", required_argument, NULL, 'o'},
		{"time-limit", required_argument, NULL, 't'},
		{"plot", required_argument, NULL, 'p'},
		{"rewrite", no_argument, NULL, 'r'},
		{"tile", no_argument, NULL, 'L'},
		{"max-overhead", required_argument, NULL, 'M'},
		{"per-channel", no_argument, NULL, 'P'},
		{"acc-bits", required_argument, NULL, 'a'},
		{"config", required_argument, NULL, 'c'},
		{"sim", required_argument, NULL, 'S'},
		{"sram", required_argument, NULL, 'z'},
		{"objective", required_argument, NULL, 'O'},
		{"calib", required_argument, NULL, 'C'},
		{"input-shape", required_argument, NULL, 'I'},
		{"trace", required_argument, NULL, 'T'},
		{"bisect-zero-spill", no_argument, NULL, 'Z'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	memset(o, 0, sizeof *o);
	o->sched = SCHED_DP;
	o->max_overhead = TILE_DEFAULT_OVERHEAD;
	opterr = 0;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, ":o:d:h", longopts, NULL)) != -1) {
		if (c > 0 && c < 128 && c != 'h' && opt_doc(c)) {
			if (cmd_current && !cmd_takes(cmd_current, c)) {
				char name[32], msg[96];
				opt_name(c, name, sizeof name);
				snprintf(msg, sizeof msg, "%s does not take %s", argv[0], name);
				return usage_error("%s", msg);
			}
			o->given[c] = true;
		}
		switch (c) {
		case 'j':
			o->json = true;
			break;
		case 's':
			if (sched_parse(optarg, &o->sched))
				return usage_error("unknown scheduler '%s'", optarg);
			break;
		case 'f':
			o->format = optarg;
			break;
		case 'o':
			o->out = optarg;
			break;
		case 'd':
			o->dump = optarg;
			break;
		case 't': {
			char *end;
			o->time_limit = strtod(optarg, &end);
			if (*end || end == optarg || !(o->time_limit > 0 && o->time_limit < 1e9))
				return usage_error("--time-limit wants seconds > 0, got '%s'", optarg);
			break;
		}
		case 'p':
			if (!strcmp(optarg, "-"))
				return usage_error("%s", "--plot wants a file (standard output is the "
							 "command's report)");
			o->plot = optarg;
			break;
		case 'r':
			o->rewrite = true;
			break;
		case 'L':
			o->tile = true;
			break;
		case 'M': {
			char *end;
			double pct = strtod(optarg, &end);
			if (*end || end == optarg || !(pct >= 0 && pct <= 1000))
				return usage_error("--max-overhead wants a percentage 0 to 1000, got '%s'",
						   optarg);
			o->max_overhead = pct / 100;
			break;
		}
		case 'P':
			o->perchannel = true;
			break;
		case 'c':
			o->config = optarg;
			break;
		case 'S':
			if (strcmp(optarg, "fsim") != 0 && strcmp(optarg, "rtl") != 0)
				return usage_error("--sim is fsim or rtl, got '%s'", optarg);
			o->sim = optarg;
			break;
		case 'z':
			o->sram = optarg;
			break;
		case 'C':
			o->calib = optarg;
			break;
		case 'I': {
			Err e;
			if (onnx_input_shape(&o->onnx, optarg, &e))
				return usage_error("%s", e.msg);
			break;
		}
		case 'T':
			if (!strcmp(optarg, "-"))
				return usage_error("%s", "--trace wants a file (the simulator writes "
							 "the waveform there)");
			o->trace = optarg;
			break;
		case 'Z':
			o->bisect = true;
			break;
		case 'O':
			if (!strcmp(optarg, "peak"))
				o->objective = DP_PEAK;
			else if (!strcmp(optarg, "traffic"))
				o->objective = DP_TRAFFIC;
			else if (!strcmp(optarg, "cycles"))
				o->objective = DP_CYCLES;
			else
				return usage_error("--objective is peak, traffic or cycles, got '%s'",
						   optarg);
			break;
		case 'a': {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end || end == optarg || v < 8 || v > 32)
				return usage_error("--acc-bits wants 8 to 32, got '%s'", optarg);
			o->acc_bits = (int)v;
			break;
		}
		case 'h':
			cmd_usage(cmd_current, stdout);
			exit(0);
		case ':':
			return usage_error("option '%s' needs a value", argv[optind - 1]);
		default: {
			/* a short option names itself in optopt; a long one in argv */
			char opt[3] = {'-', (char)optopt, 0};
			return usage_error("unknown option '%s'", optopt ? opt : argv[optind - 1]);
		}
		}
	}
	int npositional = argc - optind;
	if (npositional > npos)
		return usage_error("unexpected argument '%s'", argv[optind + npos]);
	if (npos && npositional < npos)
		return usage_error("%s needs a MODEL", argv[0]);
	if (npos)
		o->model = argv[optind];
	/* what every command refuses alike */
	if (o->json && o->out && !strcmp(o->out, "-"))
		return usage_error("%s", "--json and -o - would both write to standard output");
	if (!o->tile)
		return refuse(o, 'M', "is the budget of --tile: it needs --tile");
	return 0;
}

/* What only the dp scheduler or a config gives meaning to, refused
 * without them. */
static int config_needs(const Opts *o)
{
	int rc = 0;
	if (!o->config)
		rc = refuse(o, 'z', "sets the SRAM size of a config: it needs --config CFG");
	if (!rc && o->sched != SCHED_DP)
		rc = refuse(o, 'O', "is what dp minimizes: it needs --scheduler dp");
	return rc;
}

/* Only the partial sums of rewritten convolutions have the accumulator's
 * width. */
static int acc_bits_needs_rewrite(const Opts *o)
{
	return refuse(o, 'a', "sets the width of the partial sums --rewrite makes: it needs "
			      "--rewrite");
}

/* --sram SIZE (schedule, compile, run): the SRAM size in c, parsed and
 * checked as the config's own sram/size is. */
static int sram_override(const Opts *o, Config *c)
{
	if (!o->sram)
		return 0;
	Err e;
	Config t = *c;
	if (cfg_parse_value("sram/size", "--sram", o->sram, &t.sram_bytes, &e))
		return usage_error("%s", e.msg);
	if (cfg_check(&t, &e)) {
		char msg[NERRMSG + 64];
		snprintf(msg, sizeof msg, "--sram on %s: %s", o->config, e.msg);
		return usage_error("%s", msg);
	}
	*c = t;
	return 0;
}

/* The progress line of long searches, on a terminal only. */
static void dp_progress(void *ctx, const DpProgress *p)
{
	(void)ctx;
	fprintf(stderr, "\r\033[Kdp: piece %d/%d (%d ops)  budget %lld  floor %lld  states %lld  %.1fs",
		p->piece + 1, p->npieces, p->piece_ops, (long long)p->budget, (long long)p->floor,
		(long long)p->states, p->seconds);
}

static void calib_line(int k, int n)
{
	if (k < n)
		fprintf(stderr, "\r\033[Kcalibrating: sample %d/%d", k + 1, n);
	else
		fputs("\r\033[K", stderr);
}

/* The calibration's progress line (ptq.c), on a terminal only. */
static PtqProgress *calib_progress(void)
{
	return isatty(2) ? calib_line : NULL;
}

static void dp_opts(const Opts *o, DpOpts *dp)
{
	memset(dp, 0, sizeof *dp);
	dp->time_limit_s = o->time_limit > 0	    ? o->time_limit
			   : o->objective == DP_PEAK ? DEFAULT_TIME_LIMIT
						     : DEFAULT_TIME_LIMIT_PROXY;
	dp->objective = o->objective;
	dp->deadline = 0; /* set by the commands the limit bounds whole */
	if (isatty(2)) {
		dp->progress = dp_progress;
	}
}

static void dp_progress_done(const DpOpts *dp)
{
	if (dp->progress)
		fputs("\r\033[K", stderr);
}

/* The identity rewrites the options ask for, in order: spatial
 * partitioning (--tile), then the channel and kernel rewrites (--rewrite);
 * *g is replaced by the result.  ts and rw are zeroed when not asked. */
static int apply_rewrites(const Opts *o, Graph **g, const DpOpts *dp, TileStats *ts, RwStats *rw,
			  Err *e)
{
	memset(ts, 0, sizeof *ts);
	memset(rw, 0, sizeof *rw);
	ts->macs_before = ts->macs_after = ir_macs(*g);
	if (o->tile) {
		TileOpts to = {o->max_overhead, TILE_DEFAULT_BANDS};
		Graph *t = tile_apply(*g, dp, &to, ts, e);
		if (!t)
			return -1;
		ir_free(*g);
		*g = t;
	}
	if (o->rewrite) {
		Graph *r = rw_apply(*g, dp, rw, e);
		if (!r)
			return -1;
		ir_free(*g);
		*g = r;
	}
	return 0;
}

/* Extra MACs of partitioning, a fraction of the unpartitioned graph's. */
static double macs_overhead(const TileStats *ts)
{
	return ts->macs_before ? (double)(ts->macs_after - ts->macs_before) / ts->macs_before : 0;
}

/* The one line saying the limit cut the search short. */
static void warn_time_limit(const Schedule *s, double limit)
{
	if (s->timed_out && !s->optimal)
		fprintf(stderr, "serenity: warning: time limit of %g s reached: dp kept the best order "
				"it found (its peak not proven minimal)\n",
			limit);
}

/* The one line saying the off-chip planner's methods stopped short. */
static void warn_offchip(const Graph *g, const OffchipPlan *p)
{
	if (p->fallback)
		fprintf(stderr, "serenity: warning: off-chip plan of %d tensors (more than %d, or out "
				"of time): the best of the methods that finished and of the fast sweep "
				"(%s)\n",
			g->ntensors, OFFCHIP_EXACT_MAX, offchip_method_name(p->method));
}

static int cmd_zoo(int argc, char **argv)
{
	Opts o;
	int rc = parse_opts(argc, argv, &o, 0);
	if (rc)
		return rc;
	if (o.json)
		printf("[");
	else
		printf("%-18s %6s %10s %10s %12s  %s\n", "name", "ops", "MACs", "params",
		       "weight bytes", "about");
	for (int i = 0; i < zoo_nnets; i++) {
		Err e;
		Graph *g = zoo_build(zoo_nets[i].name, &e);
		if (!g)
			return input_error(&e);
		if (o.json) {
			printf("%s{\"name\":", i ? "," : "");
			json_str(stdout, zoo_nets[i].name);
			printf(",\"ops\":%d,\"macs\":%lld,\"params\":%lld,\"weight_bytes\":%lld}",
			       g->nops, (long long)ir_macs(g), (long long)ir_params(g),
			       (long long)ir_const_bytes(g));
		} else {
			printf("%-18s %6d %9.1fM %9.3fM %12lld  %s\n", zoo_nets[i].name, g->nops,
			       ir_macs(g) / 1e6, ir_params(g) / 1e6, (long long)ir_const_bytes(g),
			       zoo_nets[i].about);
		}
		ir_free(g);
	}
	if (o.json)
		printf("]\n");
	return 0;
}

static int write_graph_stdout(const Graph *g)
{
	if (gf_write(g, stdout) || fflush(stdout)) {
		fprintf(stderr, "serenity: standard output: write error\n");
		return EXIT_INPUT;
	}
	return 0;
}

static int cmd_export(int argc, char **argv)
{
	Opts o;
	int rc = parse_opts(argc, argv, &o, 1);
	if (rc)
		return rc;
	bool onnx = o.format && strcmp(o.format, "onnx") == 0;
	if (!o.format || (strcmp(o.format, "graph") != 0 && !onnx))
		return usage_error("export needs --format graph or onnx (got '%s')",
				   o.format ? o.format : "none");
	if (!o.out)
		return usage_error("%s", "export needs -o FILE ('-' for stdout)");
	if ((!o.rewrite && !o.tile &&
	     (rc = refuse(&o, 't', "bounds the dp searches of --rewrite and --tile: it needs one"))) ||
	    (!o.rewrite && (rc = acc_bits_needs_rewrite(&o))))
		return rc;
	Err e;
	const char *in[5];
	if (strcmp(o.out, "-") != 0 && out_check(o.out, inputs_of(&o, NULL, in), &e))
		return input_error(&e);
	Graph *g = model_load_opts(o.model, &o.onnx, &e);
	if (!g)
		return input_error(&e);
	if (o.acc_bits)
		g->acc_bits = o.acc_bits;
	if (o.rewrite || o.tile) {
		DpOpts dp;
		dp_opts(&o, &dp);
		RwStats st;
		TileStats ts;
		int bad = apply_rewrites(&o, &g, &dp, &ts, &st, &e);
		dp_progress_done(&dp);
		if (bad) {
			ir_free(g);
			return input_error(&e);
		}
	}
	if (onnx)
		rc = onnx_export(g, o.out, &e) ? input_error(&e) : 0;
	else if (strcmp(o.out, "-") == 0)
		rc = write_graph_stdout(g);
	else if (gf_save(g, o.out, &e))
		rc = input_error(&e);
	ir_free(g);
	return rc;
}

static void print_bytes(const char *label, int64_t b)
{
	printf("%-12s %12lld bytes  (%.1f KiB)\n", label, (long long)b, b / 1024.0);
}

static void dump_schedule(const Graph *g, const Schedule *s)
{
	int64_t *step = malloc((g->nops ? g->nops : 1) * sizeof *step);
	if (!step)
		abort();
	mem_peak(g, s->order, step);
	printf("# step op bytes-in-use\n");
	for (int i = 0; i < s->n; i++)
		printf("%d %s %lld\n", i, g->ops[s->order[i]].name, (long long)step[i]);
	free(step);
}

/* The live-bytes curve of the schedule beside the definition order's. */
static int plot_schedule(const Graph *g, const Schedule *s, SchedKind k, const char *path,
			 const char *model, Err *e)
{
	int64_t *a = malloc(g->nops * sizeof *a), *b = malloc(g->nops * sizeof *b);
	int *file = malloc(g->nops * sizeof *file);
	if (!a || !b || !file)
		abort();
	sched_file(g, file);
	mem_peak(g, s->order, a);
	mem_peak(g, file, b);
	char title[NNAME + 64];
	snprintf(title, sizeof title, "%s: bytes in use at each step", model);
	PlotSeries series[2] = {{sched_name(k), a, g->nops, NULL},
				{"file (definition order)", b, g->nops, NULL}};
	OutSet out = {0};
	int rc = plot_lines_svg(&out, path, title, "step", "bytes in use", series,
				k == SCHED_FILE ? 1 : 2, e) ||
		 out_commit(&out, e);
	out_abort(&out);
	free(a);
	free(b);
	free(file);
	return rc;
}

static int cmd_schedule(int argc, char **argv)
{
	Opts o;
	int rc = parse_opts(argc, argv, &o, 1);
	if (rc)
		return rc;
	if (o.dump && strcmp(o.dump, "S") != 0 && strcmp(o.dump, "P") != 0)
		return usage_error("unknown dump '%s' (S: after scheduling, P: after planning)",
				   o.dump);
	if ((o.json && (rc = refuse(&o, 'd', "prints on stdout as --json does: one or the other"))) ||
	    (rc = config_needs(&o)) || (!o.rewrite && (rc = acc_bits_needs_rewrite(&o))))
		return rc;
	if (o.objective != DP_PEAK && !o.config)
		return usage_error("%s", "--objective traffic and cycles need --config CFG");
	Err e;
	const char *in[5];
	if (o.plot && out_check(o.plot, inputs_of(&o, NULL, in), &e))
		return input_error(&e);
	Graph *g = model_load_opts(o.model, &o.onnx, &e);
	if (!g)
		return input_error(&e);
	Schedule s;
	DpOpts dp;
	dp_opts(&o, &dp);
	RwStats rw = {0};
	Config cfg;
	bool have_cfg = o.config != NULL;
	if (o.tile && have_cfg) {
		rc = usage_error("%s", "--tile with --config: the off-chip planner does not place "
				       "bands yet");
		goto out;
	}
	if (have_cfg && cfg_read(o.config, &cfg, &e)) {
		rc = input_error(&e);
		goto out;
	}
	if (have_cfg && (rc = sram_override(&o, &cfg)))
		goto out;
	if (have_cfg)
		g->acc_bits = cfg.acc_bits;
	if (o.acc_bits)
		g->acc_bits = o.acc_bits;
	/* the whole command ends by the limit: the search gets what the
	 * stages after it do not need */
	double deadline = cmd_start + dp.time_limit_s;
	dp.deadline = sched_dp_deadline(deadline, g->nops);
	TileStats ts;
	if (apply_rewrites(&o, &g, &dp, &ts, &rw, &e)) {
		dp_progress_done(&dp);
		rc = input_error(&e);
		goto out;
	}
	int64_t *opc = have_cfg ? pipeline_objective(&cfg, g, &dp) : NULL;
	int src = sched_run(g, o.sched, &dp, g->arena, &s, &e);
	free(opc);
	if (!src && o.sched == SCHED_DP && o.objective != DP_PEAK &&
	    pipeline_pick_traffic(g, &cfg, &dp, &s, &e) < 0)
		src = -1;
	dp_progress_done(&dp);
	if (src) {
		rc = input_error(&e);
		goto out;
	}
	if (o.plot && plot_schedule(g, &s, o.sched, o.plot, o.model, &e)) {
		rc = input_error(&e);
		goto out;
	}
	/* SRAM offsets for the order: ours, and TFLite Micro's as the baseline */
	Plan plan, tflm;
	OffchipPlan off = {0};
	int64_t align = have_cfg ? cfg.sram_align : 1;
	plan_init(&plan, align);
	plan_init(&tflm, align);
	plan.deadline = tflm.deadline = deadline;
	int64_t stage = 0;
	if (have_cfg && pipeline_plan(g, &cfg, s.order, deadline, &off, &stage, &e)) {
		rc = input_error(&e);
		goto out;
	}
	plan_from_schedule(&plan, g, s.order);
	plan_from_schedule(&tflm, g, s.order);
	plan_place(&plan, PLAN_BEST);
	plan_place(&tflm, PLAN_GREEDY_SIZE);
	if (plan_check(&plan, &e) || plan_check(&tflm, &e) || (have_cfg && offchip_check(&off, &e))) {
		rc = input_error(&e); /* a broken invariant, reported all the same */
		goto out_plan;
	}
	if (o.sched == SCHED_DP)
		warn_time_limit(&s, dp.time_limit_s);
	if (have_cfg)
		warn_offchip(g, &off);
	if (o.json) {
		printf("{\"model\":");
		json_str(stdout, o.model);
		printf(",\"scheduler\":\"%s\",\"ops\":%d,\"peak_bytes\":%lld,"
		       "\"lower_bound_bytes\":%lld,\"optimal\":%s,\"schedule_ms\":%.3f,",
		       sched_name(o.sched), g->nops, (long long)s.peak, (long long)s.lower_bound,
		       s.optimal ? "true" : "false", s.ms);
		printf("\"arena_bytes\":%lld,\"arena_fallback\":%s,\"arena_tflm_bytes\":",
		       (long long)plan.arena, plan.fallback ? "true" : "false");
		if (tflm.fallback)
			printf("null,"); /* TFLite Micro's greedy not run: see print_tflm */
		else
			printf("%lld,", (long long)tflm.arena);
		if (have_cfg)
			printf("\"sram_bytes\":%lld,\"dram_read_bytes\":%lld,\"dram_write_bytes\":%lld,"
			       "\"dram_weight_read_bytes\":%lld,\"compulsory_dram_bytes\":%lld,"
			       "\"traffic_floor_bytes\":%lld,\"tensors_in_dram\":%d,"
			       "\"spill_dram_bytes\":%lld,\"reloads\":%d,\"streamed_reads\":%d,"
			       "\"partial_tensors\":%d,\"offchip_method\":\"%s\",\"offchip_fallback\":%s,"
			       "\"stage_bytes\":%lld,",
			       (long long)cfg.sram_bytes, (long long)offchip_read_bytes(&off),
			       (long long)offchip_write_bytes(&off), (long long)off.weight_read,
			       (long long)off.compulsory, (long long)off.floor, off.evicted,
			       (long long)offchip_spill_bytes(&off), off.reloads, off.streamed,
			       off.partial, offchip_method_name(off.method),
			       off.fallback ? "true" : "false", (long long)(stage & ~1ll));
		if (o.sched == SCHED_DP && o.objective == DP_PEAK)
			printf("\"proven_lower_bound_bytes\":%lld,", (long long)s.proven_lower_bound);
		if (o.sched == SCHED_DP)
			printf("\"objective\":\"%s\",\"states\":%lld,\"pieces\":%d,\"timed_out\":%s,",
			       o.objective == DP_PEAK	   ? "peak"
			       : o.objective == DP_TRAFFIC ? "traffic"
							   : "cycles",
			       (long long)s.states, s.pieces, s.timed_out ? "true" : "false");
		if (o.rewrite)
			printf("\"rewrites\":{\"channel\":%d,\"kernel\":%d,\"tried\":%d},",
			       rw.applied[RW_CHANNEL], rw.applied[RW_KERNEL], rw.tried);
		printf("\"macs\":%lld,\"macs_overhead\":%.6f,", (long long)ts.macs_after,
		       macs_overhead(&ts));
		if (o.tile)
			printf("\"tile\":{\"regions\":%d,\"bands\":%d,\"tried\":%d,"
			       "\"peak_before_bytes\":%lld,\"peak_after_bytes\":%lld},",
			       ts.regions, ts.bands, ts.tried, (long long)ts.peak_before,
			       (long long)ts.peak_after);
		/* ONNX nodes folded away: node -> the op computing its output
		 * (null: constant-folded) */
		printf("\"merged\":{");
		for (int i = 0; i < g->nmerged; i++) {
			printf("%s", i ? "," : "");
			json_str(stdout, g->merged[2 * i]);
			putchar(':');
			if (g->merged[2 * i + 1])
				json_str(stdout, g->merged[2 * i + 1]);
			else
				printf("null");
		}
		printf("},");
		printf("\"order\":[");
		for (int i = 0; i < s.n; i++) {
			if (i)
				putchar(',');
			json_str(stdout, g->ops[s.order[i]].name);
		}
		printf("]}\n");
	} else if (o.dump && o.dump[0] == 'S') {
		dump_schedule(g, &s);
	} else if (o.dump) {
		plan_print(&plan, g, stdout);
	} else {
		printf("%-12s %s\n%-12s %s\n%-12s %d\n", "model", o.model, "scheduler",
		       sched_name(o.sched), "ops", g->nops);
		if (o.tile)
			printf("%-12s %d region%s in %d bands (of %d tried; peak %lld -> %lld band "
			       "after band), MACs +%.1f%%\n",
			       "tiling", ts.regions, ts.regions == 1 ? "" : "s", ts.bands, ts.tried,
			       (long long)ts.peak_before, (long long)ts.peak_after,
			       100 * macs_overhead(&ts));
		if (o.rewrite)
			printf("%-12s %d channel-wise, %d kernel-wise (of %d tried; dp peak %lld -> "
			       "%lld)\n",
			       "rewrites", rw.applied[RW_CHANNEL], rw.applied[RW_KERNEL], rw.tried,
			       (long long)rw.peak_before, (long long)rw.peak_after);
		print_bytes("peak", s.peak);
		print_bytes("lower bound", s.lower_bound);
		if (o.sched == SCHED_DP && !s.optimal)
			print_bytes("proven bound", s.proven_lower_bound);
		printf("%-12s %s\n%-12s %.3f ms\n", "optimal", s.optimal ? "yes (proven)" : "not proven",
		       "time", s.ms);
		if (o.sched == SCHED_DP)
			printf("%-12s %lld in %d piece%s, %.1f MiB\n", "states", (long long)s.states,
			       s.pieces, s.pieces == 1 ? "" : "s", s.state_bytes / 1048576.0);
		print_bytes("SRAM arena", plan.arena);
		if (plan.fallback)
			printf("%-12s placed by the earliest-first sweep (too many buffers live at once, "
			       "or out of time, for the other orders)\n", "");
		if (tflm.fallback)
			printf("%-12s not computed (%d buffers, too many live at once, or out of time)\n",
			       "TFLM arena", tflm.n);
		else
			print_bytes("TFLM arena", tflm.arena);
		if (have_cfg) {
			printf("%-12s %s: %lld bytes of SRAM, %d tensors kept in DRAM\n", "config",
			       cfg.name, (long long)cfg.sram_bytes, off.evicted);
			print_bytes("DRAM read", offchip_read_bytes(&off));
			print_bytes("DRAM write", offchip_write_bytes(&off));
			print_bytes("compulsory", off.compulsory);
			print_bytes("floor", off.floor);
			print_bytes("spill", offchip_spill_bytes(&off));
			if (off.fallback)
				printf("%-12s by the %s planner: the others stopped short (more than %d "
				       "tensors, or out of time)\n", "", offchip_method_name(off.method),
				       OFFCHIP_EXACT_MAX);
		}
	}
out_plan:
	offchip_free(&off);
	plan_free(&plan);
	plan_free(&tflm);
out:
	ir_free(g);
	return rc;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Compares every tensor a and b share by name (the graph outputs and every
 * intermediate the rewrites left alone); counts the outputs among them. */
static bool same_values(const Graph *a, const RefValues *va, const Graph *b, const RefValues *vb,
			int *outputs, int *tensors, int64_t *bytes, const char **first_diff)
{
	bool same = true;
	*outputs = *tensors = 0;
	*bytes = 0;
	*first_diff = NULL;
	for (int t = 0; t < a->ntensors; t++) {
		const Tensor *at = &a->tensors[t];
		int u = ir_find(b, at->name);
		if (u < 0 && !at->output)
			continue; /* rewritten away */
		bool eq = u >= 0 && b->tensors[u].bytes == at->bytes &&
			  memcmp(va->val[t], vb->val[u], at->bytes) == 0;
		if (!eq && !*first_diff)
			*first_diff = at->name;
		same &= eq;
		*outputs += at->output;
		++*tensors;
		*bytes += at->bytes;
	}
	return same;
}

static int cmd_verify(int argc, char **argv)
{
	Opts o;
	int rc = parse_opts(argc, argv, &o, 1);
	if (rc)
		return rc;
	Err e;
	Graph *g = model_load_opts(o.model, &o.onnx, &e), *r = NULL, *all = NULL, *t = NULL;
	RefValues vg = {0}, vr = {0}, va = {0};
	DpOpts dp;
	dp_opts(&o, &dp);
	RwStats st = {0}, sta;
	TileStats ts = {0};
	TileOpts to = {o.max_overhead, TILE_DEFAULT_BANDS};
	/* the int8 reference runs what the NPU runs; with --tile, r is the
	 * partitioned graph (rewritten too with --rewrite) and all every
	 * rewrite applied to it */
	if (!g || pipeline_npu_check(g, o.model, false, &e) ||
	    pipeline_quantize(&g, NULL, 1, o.perchannel, o.calib, calib_progress(), NULL, &e) ||
	    pipeline_npu_check(g, o.model, true, &e) ||
	    (o.tile && !(t = tile_apply(g, &dp, &to, &ts, &e))) ||
	    !(r = o.tile && !o.rewrite ? rw_rebuild(t, -1, NULL, &e)
				       : rw_apply(t ? t : g, &dp, &st, &e)) ||
	    !(all = rw_apply_all(t ? t : g, &sta, &e)) || ref_run(g, &vg, &e) || ref_run(r, &vr, &e) ||
	    ref_run(all, &va, &e)) {
		dp_progress_done(&dp);
		rc = input_error(&e);
		goto out;
	}
	dp_progress_done(&dp);
	int n, nt, na, nta;
	int64_t bytes, bytes_all;
	const char *diff, *diff_all;
	bool same = same_values(g, &vg, r, &vr, &n, &nt, &bytes, &diff);
	bool same_all = same_values(g, &vg, all, &va, &na, &nta, &bytes_all, &diff_all);
	if (o.json) {
		printf("{\"model\":");
		json_str(stdout, o.model);
		printf(",\"identical\":%s,\"outputs_compared\":%d,\"tensors_compared\":%d,"
		       "\"bytes_compared\":%lld,"
		       "\"rewrites\":{\"channel\":%d,\"kernel\":%d,\"tried\":%d},"
		       "\"peak_bytes\":%lld,\"rewritten_peak_bytes\":%lld,"
		       "\"identical_all_rewrites\":%s,\"all_rewrites\":{\"channel\":%d,\"kernel\":%d}",
		       same ? "true" : "false", n, nt, (long long)bytes, st.applied[RW_CHANNEL],
		       st.applied[RW_KERNEL], st.tried, (long long)st.peak_before,
		       (long long)st.peak_after, same_all ? "true" : "false",
		       sta.applied[RW_CHANNEL], sta.applied[RW_KERNEL]);
		if (o.tile)
			printf(",\"tile\":{\"regions\":%d,\"bands\":%d},\"macs\":%lld,"
			       "\"macs_overhead\":%.6f",
			       ts.regions, ts.bands, (long long)ts.macs_after, macs_overhead(&ts));
		printf("}\n");
	} else {
		printf("%-22s %s\n", "model", o.model);
		if (o.tile)
			printf("%-22s %d region%s in %d bands, MACs +%.1f%%\n", "tiling", ts.regions,
			       ts.regions == 1 ? "" : "s", ts.bands, 100 * macs_overhead(&ts));
		printf("%-22s %d channel-wise, %d kernel-wise (dp peak %lld -> %lld bytes)\n",
		       "rewrites kept", st.applied[RW_CHANNEL], st.applied[RW_KERNEL],
		       (long long)st.peak_before, (long long)st.peak_after);
		printf("%-22s %s (%d outputs and %d tensors in all, %lld bytes)%s%s\n",
		       "bit-identical", same ? "yes" : "NO", n, nt, (long long)bytes,
		       diff ? ", first difference in " : "", diff ? diff : "");
		printf("%-22s %d channel-wise, %d kernel-wise: %s (%d tensors)%s%s\n",
		       "every rewrite applied", sta.applied[RW_CHANNEL], sta.applied[RW_KERNEL],
		       same_all ? "bit-identical" : "DIFFERENT", nta,
		       diff_all ? ", first difference in " : "", diff_all ? diff_all : "");
	}
	rc = same && same_all ? 0 : EXIT_INPUT;
out:
	ref_free(&vg);
	ref_free(&vr);
	ref_free(&va);
	ir_free(g);
	ir_free(t);
	ir_free(r);
	ir_free(all);
	return rc;
}

static int cmd_check_config(int argc, char **argv)
{
	Opts o;
	int rc = parse_opts(argc, argv, &o, 1);
	if (rc)
		return rc;
	Config c;
	Err e;
	if (cfg_read(o.model, &c, &e))
		return input_error(&e);
	if (o.json) {
		printf("{\"file\":");
		json_str(stdout, o.model);
		printf(",\"valid\":true,\"config\":");
		cfg_json(stdout, &c);
		printf("}\n");
		return 0;
	}
	printf("%s: ok: %s, SRAM %lld bytes (align %d), DMA %d/%d bytes per cycle read/write, "
	       "latency %d, MAC array %dx%d, vector %d, %d-bit accumulators, %d MHz, "
	       "%d banks of %d bytes, weight buffer %lld bytes\n",
	       o.model, c.name, (long long)c.sram_bytes, c.sram_align, c.dma_read_bpc,
	       c.dma_write_bpc, c.dram_latency, c.mac_rows, c.mac_cols, c.vector_width, c.acc_bits,
	       c.clock_mhz, c.sram_banks, c.sram_bank_bytes, (long long)c.wbuf_bytes);
	return 0;
}

/* Options shared by compile, run and sweep. */
static int pipe_opts(const Opts *o, PipeOpts *po, Err *e)
{
	memset(po, 0, sizeof *po);
	po->model = o->model;
	po->onnx = &o->onnx;
	po->sched = o->sched;
	po->rewrite = o->rewrite;
	po->perchannel = o->perchannel;
	po->seed = 1;
	po->calib = o->calib;
	po->calib_progress = calib_progress();
	dp_opts(o, &po->dp);
	return cfg_read(o->config, &po->cfg, e);
}

static int cmd_compile(int argc, char **argv)
{
	Opts o;
	int rc = parse_opts(argc, argv, &o, 1);
	if (rc)
		return rc;
	if (!o.config || !o.out)
		return usage_error("%s", "compile needs --config CFG and -o DIR");
	if (!strcmp(o.out, "-"))
		return usage_error("%s", "compile -o DIR writes four files: a directory, not stdout");
	if ((rc = config_needs(&o)))
		return rc;
	PipeOpts po;
	PipeResult r;
	Err e;
	const char *in[5];
	if (pipeline_check_dir(o.out, inputs_of(&o, NULL, in), &e) || pipe_opts(&o, &po, &e))
		return input_error(&e);
	if ((rc = sram_override(&o, &po.cfg)))
		return rc;
	po.deadline = cmd_start + po.dp.time_limit_s;
	rc = pipeline_run(&po, &r, &e);
	dp_progress_done(&po.dp);
	if (rc)
		return input_error(&e);
	if (o.sched == SCHED_DP)
		warn_time_limit(&r.sched, po.dp.time_limit_s);
	warn_offchip(r.graph, &r.plan);
	if (pipeline_write(&r, o.out, &e)) {
		rc = input_error(&e);
	} else if (o.json) {
		printf("{\"model\":");
		json_str(stdout, o.model);
		printf(",\"config\":");
		json_str(stdout, po.cfg.name);
		printf(",\"out\":");
		json_str(stdout, o.out);
		printf(",\"scheduler\":\"%s\",\"rewrite\":%s,\"instructions\":%zu,"
		       "\"dram_image_bytes\":%zu,\"arena_bytes\":%lld,\"sram_bytes\":%lld,"
		       "\"tensors_in_dram\":%d,\"peak_bytes\":%lld}\n",
		       sched_name(po.sched), po.rewrite ? "true" : "false", r.prog.ninsn,
		       r.prog.dram_bytes, (long long)r.plan.arena, (long long)po.cfg.sram_bytes,
		       r.plan.evicted, (long long)r.sched.peak);
	} else {
		printf("%s: %zu instructions, %zu bytes of DRAM image, SRAM arena %lld of %lld bytes, "
		       "%d tensors in DRAM\n",
		       o.out, r.prog.ninsn, r.prog.dram_bytes, (long long)r.plan.arena,
		       (long long)po.cfg.sram_bytes, r.plan.evicted);
	}
	pipeline_free(&r);
	return rc;
}

static int cmd_run(int argc, char **argv)
{
	Opts o;
	int rc = parse_opts(argc, argv, &o, 1);
	if (rc)
		return rc;
	if (!o.config)
		return usage_error("%s", "run needs --config CFG");
	bool rtl = o.sim && strcmp(o.sim, "rtl") == 0;
	if (o.out && !rtl)
		return usage_error("%s", "run -o DIR keeps the RTL simulator's files: it needs --sim rtl");
	if (o.out && !strcmp(o.out, "-"))
		return usage_error("%s", "run -o DIR keeps the RTL simulator's files: a directory, "
					 "not stdout");
	if ((!rtl && (rc = refuse(&o, 'T', "is the RTL's waveform: it needs --sim rtl"))) ||
	    (rc = config_needs(&o)))
		return rc;
	PipeOpts po;
	PipeResult r;
	Err e;
	const char *in[5];
	if ((o.trace && out_check(o.trace, inputs_of(&o, NULL, in), &e)) || pipe_opts(&o, &po, &e))
		return input_error(&e);
	if ((rc = sram_override(&o, &po.cfg)))
		return rc;
	po.simulate = true;
	po.rtl = rtl;
	po.trace = o.trace;
	po.work = o.out;
	po.check_ops = getenv("SERENITY_CHECK_OPS") != NULL; /* debugging: docs/isa.md */
	po.deadline = cmd_start + po.dp.time_limit_s;
	rc = pipeline_run(&po, &r, &e);
	dp_progress_done(&po.dp);
	if (rc)
		return input_error(&e);
	if (o.sched == SCHED_DP)
		warn_time_limit(&r.sched, po.dp.time_limit_s);
	warn_offchip(r.graph, &r.plan);
	/* What the RTL measured, against what fsim and the cost model say; the
	 * port's bytes against the compiler's plan and the harness's monitor. */
	const FsimStats *f = &r.sim;
	const RtlStats *h = &r.rtl;
	const NpuProgram *pg = &r.prog;
	int64_t cycles = po.rtl ? h->cycles : f->cycles;
	int64_t port_rd[NPU_NCLASS], port_wr[2], prd = 0, pwr = 0, plan_rd = 0, plan_wr = 0;
	bool plan_ok = true, obs_ok = true;
	for (int k = 0; k < NPU_NCLASS; k++) {
		port_rd[k] = po.rtl ? h->port_rd[k] : f->port_rd[k];
		prd += port_rd[k];
		plan_rd += pg->plan_port_rd[k];
		plan_ok &= port_rd[k] == pg->plan_port_rd[k];
		obs_ok &= !po.rtl || h->obs_rd[k] == h->port_rd[k];
	}
	for (int k = 0; k < 2; k++) {
		port_wr[k] = po.rtl ? h->port_wr[k] : f->port_wr[k];
		pwr += port_wr[k];
		plan_wr += pg->plan_port_wr[k];
		plan_ok &= port_wr[k] == pg->plan_port_wr[k];
		obs_ok &= !po.rtl || h->obs_wr[k] == h->port_wr[k];
	}
	int64_t peak = po.rtl ? h->sram_peak : f->sram_peak;
	int64_t hwm = po.rtl ? h->sram_hwm : f->sram_hwm;
	int64_t mac = po.rtl ? h->mac_busy : f->mac_busy;
	int64_t drd = po.rtl ? h->dma_rd : f->dma_rd, dwr = po.rtl ? h->dma_wr : f->dma_wr;
	bool match = true;
	if (po.rtl)
		for (int k = 0; k < NPU_NCLASS; k++)
			match &= h->port_rd[k] == f->port_rd[k] && (k >= 2 || h->port_wr[k] == f->port_wr[k]);
	match = match && (!po.rtl || (h->sram_peak == f->sram_peak && h->sram_hwm == f->sram_hwm &&
				      h->dma_rd == f->dma_rd && h->dma_wr == f->dma_wr &&
				      h->sram_rd == f->sram_rd && h->sram_wr == f->sram_wr &&
				      h->mac_busy == f->mac_busy && h->insns == f->insns));
	double secs = po.rtl ? h->seconds : r.sim_seconds;
	double err = cycles ? 100.0 * ((double)f->cycles - (double)cycles) / (double)cycles : 0;
	int64_t spill = port_rd[NPU_CLS_SPILL] + port_wr[NPU_CLS_SPILL];
	/* computed from the run's cycle count and the config's clock */
	double latency_ms = (double)cycles / (po.cfg.clock_mhz * 1e3);
	if (o.json) {
		printf("{\"model\":");
		json_str(stdout, o.model);
		printf(",\"config\":");
		json_str(stdout, po.cfg.name);
		/* float models: the int8 result against float, capped at 999 dB
		 * (exactly equal); null for int8 models */
		if (r.has_sqnr)
			printf(",\"sqnr_db\":%.2f", fmin(r.sqnr_db, 999.0));
		else
			printf(",\"sqnr_db\":null");
		printf(",\"latency_ms\":%.6f,\"clock_mhz\":%d", latency_ms, po.cfg.clock_mhz);
		printf(",\"sim\":\"%s\",\"scheduler\":\"%s\",\"rewrite\":%s,\"bit_exact\":%s,"
		       "\"outputs_compared\":%d,\"cycles\":%lld,\"cycles_estimated\":%s,"
		       "\"estimated_cycles\":%lld,\"estimate_error_percent\":%.2f,"
		       "\"mac_busy_cycles\":%lld,\"sram_peak_bytes\":%lld,\"sram_hwm_bytes\":%lld,"
		       "\"sram_bytes\":%lld,\"stage_bytes\":%lld,\"dram_read_bytes\":%lld,"
		       "\"dram_write_bytes\":%lld,\"dram_port_read_bytes\":%lld,"
		       "\"dram_port_write_bytes\":%lld,\"dram_weight_read_bytes\":%lld,"
		       "\"dram_act_read_bytes\":%lld,\"dram_fetch_read_bytes\":%lld,",
		       po.rtl ? "rtl" : "fsim", sched_name(po.sched), po.rewrite ? "true" : "false",
		       r.bit_exact ? "true" : "false", r.outputs_compared, (long long)cycles,
		       po.rtl ? "false" : "true", (long long)f->cycles, err, (long long)mac,
		       (long long)peak, (long long)hwm, (long long)po.cfg.sram_bytes,
		       (long long)r.prog.stage_bytes, (long long)drd, (long long)dwr, (long long)prd,
		       (long long)pwr, (long long)port_rd[NPU_CLS_WEIGHT],
		       (long long)(port_rd[NPU_CLS_ACT] + port_rd[NPU_CLS_SPILL]),
		       (long long)port_rd[NPU_CLS_FETCH]);
		printf("\"dram_port\":{\"read_weight\":%lld,\"read_act\":%lld,\"read_spill\":%lld,"
		       "\"read_fetch\":%lld,\"write_act\":%lld,\"write_spill\":%lld},"
		       "\"plan_port_read_bytes\":%lld,\"plan_port_write_bytes\":%lld,"
		       "\"port_matches_plan\":%s,",
		       (long long)port_rd[NPU_CLS_WEIGHT], (long long)port_rd[NPU_CLS_ACT],
		       (long long)port_rd[NPU_CLS_SPILL], (long long)port_rd[NPU_CLS_FETCH],
		       (long long)port_wr[NPU_CLS_ACT], (long long)port_wr[NPU_CLS_SPILL],
		       (long long)plan_rd, (long long)plan_wr, plan_ok ? "true" : "false");
		if (po.rtl)
			printf("\"port_matches_monitor\":%s,\"stall_cycles\":{\"fetch\":%lld,"
			       "\"dma\":%lld,\"engine\":%lld,\"bank\":%lld},",
			       obs_ok ? "true" : "false", (long long)h->stall_fetch,
			       (long long)h->stall_dma, (long long)h->stall_engine,
			       (long long)h->stall_bank);
		printf("\"weight_bytes\":%lld,\"weight_refetch_bytes\":%lld,"
		       "\"compulsory_dram_bytes\":%lld,\"traffic_floor_bytes\":%lld,"
		       "\"spill_dram_bytes\":%lld,\"peak_bytes\":%lld,\"counters_match_fsim\":%s,"
		       "\"instructions\":%lld,\"sim_seconds\":%.3f,\"cycles_per_second\":%.0f}\n",
		       (long long)pg->weight_bytes, (long long)pg->weight_refetch,
		       (long long)r.plan.compulsory, (long long)r.plan.floor, (long long)spill,
		       (long long)r.sched.peak, match ? "true" : "false", (long long)f->insns, secs,
		       secs > 0 ? cycles / secs : 0);
	} else {
		printf("%-16s %s on %s (%lld bytes of SRAM), %s order%s\n", "model", o.model,
		       po.cfg.name, (long long)po.cfg.sram_bytes, sched_name(po.sched),
		       po.rewrite ? ", rewritten" : "");
		printf("%-16s %s (%d outputs against the int8 reference)%s%s\n", "bit-exact",
		       r.bit_exact ? "yes" : "NO", r.outputs_compared,
		       r.first_diff ? ", first difference in " : "",
		       r.first_diff ? r.first_diff : "");
		if (r.has_sqnr)
			printf("%-16s %.2f dB (int8 reference against the float model)\n", "SQNR",
			       r.sqnr_db);
		if (po.rtl)
			printf("%-16s %lld measured on the RTL; the cost model says %lld (%+.1f%%)\n",
			       "cycles", (long long)cycles, (long long)f->cycles, err);
		else
			printf("%-16s %lld (estimated by the cost model)\n", "cycles",
			       (long long)cycles);
		printf("%-16s %.4f ms at %d MHz (the cycles over the config's clock)\n", "latency",
		       latency_ms, po.cfg.clock_mhz);
		printf("%-16s %lld (%.1f%% of the cycles)\n", "MAC busy", (long long)mac,
		       cycles ? 100.0 * mac / cycles : 0.0);
		print_bytes("SRAM peak", peak);
		print_bytes("SRAM written", hwm);
		if (r.prog.stage_bytes)
			print_bytes("  staging", r.prog.stage_bytes);
		print_bytes("DRAM port read", prd);
		print_bytes("  weights", port_rd[NPU_CLS_WEIGHT]);
		print_bytes("  act", port_rd[NPU_CLS_ACT]);
		print_bytes("  spill", port_rd[NPU_CLS_SPILL]);
		print_bytes("  fetch", port_rd[NPU_CLS_FETCH]);
		print_bytes("DRAM port write", pwr);
		print_bytes("  act", port_wr[NPU_CLS_ACT]);
		print_bytes("  spill", port_wr[NPU_CLS_SPILL]);
		printf("%-16s %s\n", "port vs plan",
		       plan_ok ? "equal, class by class" : "DIFFERENT from the compiler's plan");
		print_bytes("model weights", pg->weight_bytes);
		if (pg->weight_refetch)
			print_bytes("  refetched", pg->weight_refetch);
		print_bytes("compulsory", r.plan.compulsory);
		print_bytes("floor", r.plan.floor);
		if (po.rtl) {
			printf("%-16s %s\n", "port monitor",
			       obs_ok ? "equal to the RTL's counters" : "DIFFERENT from the RTL's counters");
			printf("%-16s fetch %lld, dma %lld, engine %lld, bank %lld\n", "stall cycles",
			       (long long)h->stall_fetch, (long long)h->stall_dma,
			       (long long)h->stall_engine, (long long)h->stall_bank);
			printf("%-16s %s\n%-16s %.2f s, %.2f M cycles per second\n",
			       "counters", match ? "equal to fsim's" : "DIFFERENT from fsim's", "rtl",
			       secs, secs > 0 ? cycles / secs / 1e6 : 0);
		} else {
			printf("%-16s %lld instructions in %.3f s\n", "fsim", (long long)f->insns,
			       secs);
		}
	}
	match = match && plan_ok && obs_ok;
	rc = r.bit_exact && match ? 0 : EXIT_INPUT;
	pipeline_free(&r);
	return rc;
}

/* "32KiB,64 KiB,131072": sizes in the syntax of the config's sram/size
 * (cfg_parse_value), each named in its message. */
static int parse_sizes(const char *list, int64_t *out, int max, int *n, Err *e)
{
	*n = 0;
	for (const char *p = list;; p++) {
		size_t len = strcspn(p, ",");
		char item[64];
		if (*n == max)
			return err_set(e, "--sram: more than %d sizes", max);
		if (len >= sizeof item)
			return err_set(e, "--sram: '%.20s...' is no size", p);
		memcpy(item, p, len);
		item[len] = 0;
		if (cfg_parse_value("sram/size", "--sram", item, &out[(*n)++], e))
			return -1;
		p += len;
		if (!*p)
			return 0;
	}
}

typedef struct SweepRow {
	int64_t sram, peak, arena, sram_peak, rd, wr, spill, compulsory, floor, cycles;
	int variant;
	bool exact;
} SweepRow;

enum { NSWEEPVAR = 3 };
static const char *const sweep_variants[NSWEEPVAR] = {"file", "dp", "dp+rewrite"};

typedef struct SweepOut {
	const char *model;
	const SweepRow *rows;
	int n;
} SweepOut;

static int write_sweep_csv(FILE *f, const void *arg)
{
	const SweepOut *s = arg;
	fprintf(f, "model,variant,sram_bytes,peak_bytes,arena_bytes,sram_peak_bytes,dram_read_bytes,"
		   "dram_write_bytes,dram_bytes,compulsory_dram_bytes,cycles,bit_exact,"
		   "spill_dram_bytes,traffic_floor_bytes\n");
	for (int i = 0; i < s->n; i++) {
		const SweepRow *r = &s->rows[i];
		fprintf(f, "%s,%s,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%s,%lld,%lld\n", s->model,
			sweep_variants[r->variant], (long long)r->sram, (long long)r->peak,
			(long long)r->arena, (long long)r->sram_peak, (long long)r->rd, (long long)r->wr,
			(long long)(r->rd + r->wr), (long long)r->compulsory, (long long)r->cycles,
			r->exact ? "true" : "false", (long long)r->spill, (long long)r->floor);
	}
	return ferror(f) ? -1 : 0;
}

/* Spill bytes of the plan po makes at `size` bytes of SRAM (no
 * simulation), or -1 when it cannot be planned or emitted there. */
static int64_t spill_at(PipeOpts *po, int64_t size)
{
	PipeResult r;
	Err e;
	po->cfg.sram_bytes = size;
	if (cfg_check(&po->cfg, &e) || pipeline_run(po, &r, &e))
		return -1;
	int64_t s = offchip_spill_bytes(&r.plan);
	pipeline_free(&r);
	return s;
}

/* The smallest SRAM size at which po's plan spills nothing: sizes are
 * multiples of the config's granularity (sram/alignment, and the banks'
 * width: both powers of two), doubled from the smallest until one spills
 * nothing, then bisected below it.  Bisection takes spill to shrink as the
 * SRAM grows, which the planner does not prove: the size found spills
 * nothing and the one a step below it does.  0 when even 1 GiB spills. */
static int64_t zero_spill_sram(PipeOpts po)
{
	int64_t step = po.cfg.sram_align, banks = (int64_t)po.cfg.sram_banks * po.cfg.sram_bank_bytes;
	step = step > banks ? step : banks;
	int64_t lo = 0, hi = (1024 + step - 1) / step * step, max = (int64_t)1 << 30;
	po.simulate = false;
	for (;;) {
		if (spill_at(&po, hi) == 0)
			break;
		if (hi >= max)
			return 0;
		lo = hi;
		hi = hi * 2 < max ? hi * 2 : max;
	}
	while (lo && hi - lo > step) {
		int64_t mid = lo + (hi - lo) / step / 2 * step;
		*(spill_at(&po, mid) == 0 ? &hi : &lo) = mid;
	}
	return hi;
}

static void sweep_table(FILE *f, const SweepRow *rows, int nrows)
{
	fprintf(f, "%-12s %10s %10s %10s %12s %12s %12s %12s %s\n", "variant", "SRAM", "peak",
		"SRAM peak", "DRAM read", "DRAM write", "spill", "cycles", "bit-exact");
	for (int i = 0; i < nrows; i++)
		fprintf(f, "%-12s %10lld %10lld %10lld %12lld %12lld %12lld %12lld %s\n",
			sweep_variants[rows[i].variant], (long long)rows[i].sram,
			(long long)rows[i].peak, (long long)rows[i].sram_peak, (long long)rows[i].rd,
			(long long)rows[i].wr, (long long)rows[i].spill, (long long)rows[i].cycles,
			rows[i].exact ? "yes" : "NO");
}

/* The rows as the CSV has them, and the zero-spill sizes (NULL: not
 * bisected; 0: none up to 1 GiB, null). */
static void sweep_json(const char *model, const PipeOpts *po, const SweepRow *rows, int nrows,
		       const int64_t *zero)
{
	printf("{\"model\":");
	json_str(stdout, model);
	printf(",\"config\":");
	json_str(stdout, po->cfg.name);
	printf(",\"sim\":\"%s\",\"rows\":[", po->rtl ? "rtl" : "fsim");
	for (int i = 0; i < nrows; i++) {
		const SweepRow *r = &rows[i];
		printf("%s{\"variant\":\"%s\",\"sram_bytes\":%lld,\"peak_bytes\":%lld,"
		       "\"arena_bytes\":%lld,\"sram_peak_bytes\":%lld,\"dram_read_bytes\":%lld,"
		       "\"dram_write_bytes\":%lld,\"dram_bytes\":%lld,\"compulsory_dram_bytes\":%lld,"
		       "\"cycles\":%lld,\"bit_exact\":%s,\"spill_dram_bytes\":%lld,"
		       "\"traffic_floor_bytes\":%lld}",
		       i ? "," : "", sweep_variants[r->variant], (long long)r->sram,
		       (long long)r->peak, (long long)r->arena, (long long)r->sram_peak,
		       (long long)r->rd, (long long)r->wr, (long long)(r->rd + r->wr),
		       (long long)r->compulsory, (long long)r->cycles, r->exact ? "true" : "false",
		       (long long)r->spill, (long long)r->floor);
	}
	printf("]");
	if (zero) {
		printf(",\"zero_spill_sram\":{");
		for (int v = 0; v < NSWEEPVAR; v++)
			printf(zero[v] ? "%s\"%s\":%lld" : "%s\"%s\":null", v ? "," : "",
			       sweep_variants[v], (long long)zero[v]);
		printf("}");
	}
	printf("}\n");
}

static int cmd_sweep(int argc, char **argv)
{
	enum { NSIZES = 64, NVAR = NSWEEPVAR };
	Opts o;
	int rc = parse_opts(argc, argv, &o, 1);
	if (rc)
		return rc;
	if (!o.config || (!o.sram && !o.bisect))
		return usage_error("%s", "sweep needs --config CFG, and --sram LIST or "
					 "--bisect-zero-spill");
	if (o.sram && !o.out && !o.json)
		return usage_error("%s", "sweep --sram LIST needs -o FILE.csv ('-' for stdout) or "
					 "--json");
	if (!o.sram && ((rc = refuse(&o, 'o', "writes the rows of --sram LIST: it needs it")) ||
			(rc = refuse(&o, 'p', "draws the rows of --sram LIST: it needs it")) ||
			(rc = refuse(&o, 'S', "simulates the sizes of --sram LIST: it needs it"))))
		return rc;
	int64_t sizes[NSIZES];
	int nsizes = 0;
	PipeOpts po;
	Err e;
	if (o.sram && parse_sizes(o.sram, sizes, NSIZES, &nsizes, &e))
		return usage_error("%s", e.msg);
	Graph *g = NULL;
	RefValues ref = {0};
	SweepRow *rows = xmalloc((size_t)(nsizes ? nsizes : 1) * NVAR * sizeof *rows);
	int nrows = 0;
	const char *in[5], *in_csv[5];
	if ((o.out && out_check(o.out, inputs_of(&o, NULL, in), &e)) ||
	    (o.plot && out_check(o.plot, inputs_of(&o, o.out, in_csv), &e)) ||
	    pipe_opts(&o, &po, &e) || !(g = model_load_opts(o.model, &o.onnx, &e)) ||
	    pipeline_npu_check(g, o.model, false, &e) ||
	    pipeline_quantize(&g, NULL, 1, o.perchannel, o.calib, calib_progress(), NULL, &e) ||
	    pipeline_npu_check(g, o.model, true, &e) || ref_run(g, &ref, &e)) {
		rc = input_error(&e);
		goto out;
	}
	po.preloaded = g;
	po.reference = &ref;
	po.simulate = true;
	po.rtl = o.sim && strcmp(o.sim, "rtl") == 0;
	for (int i = 0; i < nsizes; i++)
		for (int v = 0; v < NVAR; v++) {
			if (isatty(2))
				fprintf(stderr, "\r\033[Ksweep: %lld bytes of SRAM, %s (%d of %d)",
					(long long)sizes[i], sweep_variants[v], i * NVAR + v + 1,
					nsizes * NVAR);
			po.cfg.sram_bytes = sizes[i];
			po.sched = v == 0 ? SCHED_FILE : SCHED_DP;
			po.rewrite = v == 2;
			PipeResult r;
			if (cfg_check(&po.cfg, &e) || pipeline_run(&po, &r, &e)) {
				if (isatty(2))
					fputs("\r\033[K", stderr);
				rc = input_error(&e);
				goto out;
			}
			/* the port's bytes: fsim's, equal to the RTL's (run checks) */
			rows[nrows++] = (SweepRow){sizes[i],
						   r.sched.peak,
						   r.plan.arena,
						   po.rtl ? r.rtl.sram_peak : r.sim.sram_peak,
						   fsim_port_read(&r.sim),
						   fsim_port_write(&r.sim),
						   r.sim.port_rd[NPU_CLS_SPILL] + r.sim.port_wr[NPU_CLS_SPILL],
						   r.plan.compulsory,
						   r.plan.floor,
						   po.rtl ? r.rtl.cycles : r.sim.cycles,
						   v,
						   r.bit_exact};
			pipeline_free(&r);
		}
	int64_t zero[NVAR];
	for (int v = 0; o.bisect && v < NVAR; v++) {
		if (isatty(2))
			fprintf(stderr, "\r\033[Ksweep: bisecting the zero-spill SRAM of %s",
				sweep_variants[v]);
		po.sched = v == 0 ? SCHED_FILE : SCHED_DP;
		po.rewrite = v == 2;
		zero[v] = zero_spill_sram(po);
	}
	if (isatty(2))
		fputs("\r\033[K", stderr);
	/* the CSV and the plot are replaced together, or neither */
	SweepOut so = {o.model, rows, nrows};
	OutSet files = {0};
	if (o.out && out_stage(&files, o.out, write_sweep_csv, &so, &e)) {
		rc = input_error(&e);
		goto out;
	}
	if (o.plot) {
		/* the variants, and the floor no order of the graph goes under */
		int64_t x[NVAR + 1][NSIZES], y[NVAR + 1][NSIZES];
		PlotSeries ser[NVAR + 1];
		for (int v = 0; v <= NVAR; v++) {
			for (int i = 0; i < nsizes; i++) {
				const SweepRow *r = &rows[i * NVAR + (v < NVAR ? v : 0)];
				x[v][i] = r->sram;
				y[v][i] = v < NVAR ? r->rd + r->wr : r->floor;
			}
			ser[v] = (PlotSeries){v < NVAR ? sweep_variants[v] : "floor (any order)", y[v],
					      nsizes, x[v]};
		}
		char title[NNAME + 64];
		snprintf(title, sizeof title, "%s on %s: DRAM traffic", o.model, po.cfg.name);
		if (plot_xy_svg(&files, o.plot, title, "SRAM size", "DRAM bytes moved", ser,
				NVAR + 1, &e)) {
			out_abort(&files);
			rc = input_error(&e);
			goto out;
		}
	}
	if (out_commit(&files, &e)) {
		rc = input_error(&e);
		goto out;
	}
	if (o.json) {
		sweep_json(o.model, &po, rows, nrows, o.bisect ? zero : NULL);
	} else {
		/* beside a CSV on stdout, the report goes to stderr */
		FILE *f = o.out && !strcmp(o.out, "-") ? stderr : stdout;
		fprintf(f, "%s on %s", o.model, po.cfg.name);
		if (nrows) {
			fprintf(f, ", simulated on %s\n", po.rtl ? "the RTL" : "fsim");
			sweep_table(f, rows, nrows);
		} else {
			fputc('\n', f);
		}
		for (int v = 0; o.bisect && v < NVAR; v++)
			fprintf(f, zero[v] ? "zero-spill SRAM %-12s %lld bytes\n"
					   : "zero-spill SRAM %-12s none up to 1 GiB\n",
				sweep_variants[v], (long long)zero[v]);
	}
	for (int i = 0; i < nrows; i++)
		if (!rows[i].exact)
			rc = EXIT_INPUT;
out:
	ref_free(&ref);
	ir_free(g);
	free(rows);
	return rc;
}

static int cmd_disasm(int argc, char **argv)
{
	Opts o;
	int rc = parse_opts(argc, argv, &o, 1);
	if (rc)
		return rc;
	Err e;
	size_t len;
	char *bytes = gf_slurp(o.model, (size_t)1 << 30, &len, &e);
	if (!bytes)
		return input_error(&e);
	if (len % 4) {
		fprintf(stderr, "serenity: %s: %zu bytes, not a whole number of 32-bit words\n",
			o.model, len);
		free(bytes);
		return EXIT_INPUT;
	}
	size_t n = len / 4;
	uint32_t *w = xmalloc((n ? n : 1) * sizeof *w);
	for (size_t i = 0; i < n; i++) {
		const unsigned char *b = (const unsigned char *)bytes + 4 * i;
		w[i] = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
		       (uint32_t)b[3] << 24;
	}
	free(bytes);
	for (size_t at = 0, k = 0; at < n; k++) {
		NpuInsn insn;
		size_t used = npu_decode(w + at, n - at, k, &insn, &e);
		if (!used) {
			fprintf(stderr, "serenity: %s: %s\n", o.model, e.msg);
			rc = EXIT_INPUT;
			break;
		}
		printf("%6zu  ", k);
		npu_disasm(&insn, stdout);
		at += used;
	}
	free(w);
	return rc;
}

/* bench's progress on stderr, for minutes of work: on a terminal, a line
 * naming what runs now, rewritten in place (and cleared when k == n);
 * otherwise a final line as each part ends, so that a log shows how far
 * it got. */
static void bench_progress(const char *part, const char *net, int k, int n)
{
	double t = sched_clock() - cmd_start;
	if (isatty(2) && k < n)
		fprintf(stderr, "\r\033[Kbench: %s: %s (%d of %d), %.0f s", part, net, k + 1, n, t);
	else if (isatty(2))
		fputs("\r\033[K", stderr);
	else if (k > 0)
		fprintf(stderr, "bench: %s: %d of %d done, %.0f s\n", part, k, n, t);
}

/* One row of the benchmark: every scheduler on g; dp timed `reps` times
 * (median).  Returns the file/dp ratio, or 0 on error. */
static double bench_row(const Graph *g, const char *name, int reps, double time_limit,
			double *ratio_bfs, double *ratio_dfs, double *ratio_rw)
{
	static const SchedKind kinds[] = {SCHED_FILE, SCHED_BFS, SCHED_DFS, SCHED_DP};
	enum { NK = sizeof kinds / sizeof kinds[0] };
	Schedule s[NK];
	Err e;
	DpOpts dp = {0};
	dp.time_limit_s = time_limit;
	double ms[16];
	Arena *a = arena_new();
	for (int k = 0; k < NK; k++)
		if (sched_run(g, kinds[k], &dp, a, &s[k], &e)) {
			fprintf(stderr, "serenity: %s\n", e.msg);
			arena_free(a);
			return 0;
		}
	ms[0] = s[3].ms;
	for (int r = 1; r < reps; r++) {
		Schedule t;
		if (sched_run(g, SCHED_DP, &dp, a, &t, &e) == 0)
			ms[r] = t.ms;
	}
	qsort(ms, reps, sizeof ms[0], cmp_double);
	/* dp after the identity rewrites that lower its peak */
	RwStats rw;
	Graph *r = rw_apply(g, &dp, &rw, &e);
	if (!r) {
		fprintf(stderr, "serenity: %s\n", e.msg);
		arena_free(a);
		return 0;
	}
	ir_free(r);
	double kib = 1024.0;
	double gap = s[3].proven_lower_bound ? (double)s[3].peak / s[3].proven_lower_bound : 1;
	printf("%-18s %5d %9.1f %9.1f %9.1f %9.1f %9.1f %7.2fx %9.1f %7.2fx %9.2f %9lld %6.1f %s\n",
	       name, g->nops, s[0].lower_bound / kib, s[0].peak / kib, s[1].peak / kib,
	       s[2].peak / kib, s[3].peak / kib, (double)s[0].peak / s[3].peak,
	       rw.peak_after / kib, (double)s[0].peak / rw.peak_after, ms[reps / 2],
	       (long long)s[3].states, s[3].state_bytes / 1048576.0, s[3].optimal ? "yes" : "no");
	if (!s[3].optimal)
		printf("%-18s gap: peak %.1f KiB, proven bound %.1f KiB (%.1f%% above)\n", "",
		       s[3].peak / kib, s[3].proven_lower_bound / kib, (gap - 1) * 100);
	*ratio_rw = (double)s[0].peak / rw.peak_after;
	*ratio_bfs = (double)s[0].peak / s[1].peak;
	*ratio_dfs = (double)s[0].peak / s[2].peak;
	arena_free(a);
	return (double)s[0].peak / s[3].peak;
}

/* The traffic table of the benchmark: file order against dp minimizing
 * traffic (its search cut at BENCH_TRAFFIC_S seconds), at the paper's SRAM
 * sizes on config c, and the floor no order goes under.  Adds log file/dp
 * and log file/floor per size to lr[], lf[]. */
enum { BENCH_TRAFFIC_S = 5 };

static int bench_traffic(const Graph *g, const char *name, Config c, double *lr, double *lf)
{
	static const int kib[] = {32, 64, 128, 256};
	int n = g->nops;
	int *order = xmalloc((size_t)n * sizeof *order);
	Err e;
	int rc = 0;
	for (int k = 0; k < 4 && !rc; k++) {
		c.sram_bytes = (int64_t)kib[k] << 10;
		sched_file(g, order);
		int64_t file = pipeline_traffic(g, &c, order, &e);
		DpOpts dp = {0};
		dp.objective = DP_TRAFFIC;
		dp.time_limit_s = BENCH_TRAFFIC_S;
		int64_t *opc = pipeline_objective(&c, g, &dp);
		Schedule s;
		Arena *a = arena_new();
		int64_t best = -1;
		if (file >= 0 && !sched_run(g, SCHED_DP, &dp, a, &s, &e) &&
		    pipeline_pick_traffic(g, &c, &dp, &s, &e) >= 0)
			best = pipeline_traffic(g, &c, s.order, &e);
		arena_free(a);
		free(opc);
		if (best < 0) {
			rc = input_error(&e);
			break;
		}
		int64_t floor = offchip_floor(g, c.sram_bytes);
		double mib = 1048576.0;
		printf("%-18s %4d KiB %10.2f %10.2f %10.2f %8.2fx %10.2fx\n", name, kib[k], file / mib,
		       best / mib, floor / mib, (double)file / best, (double)file / floor);
		lr[k] += log((double)file / best);
		lf[k] += log((double)file / floor);
	}
	free(order);
	return rc;
}

/* The NPU table of the benchmark: each zoo network run on config c (RTL or
 * fsim): cycles against the cost model's estimate, the DRAM port against
 * the compiler's plan (and, on the RTL, the harness's monitor), weight
 * bytes read against the weights' size, and a roofline check per layer:
 * the cycles from the first of a layer's instructions starting to the last
 * ending can be no fewer than its MACs over the array's size, nor than its
 * port bytes over the port's width.  Raises *err_max to the |estimate
 * error| in percent, adds the failed checks to *bad. */
static int bench_npu(const Opts *o, const Config *c, const char *net, double *err_max, int *bad)
{
	PipeOpts po;
	PipeResult r;
	Err e;
	char model[64];
	snprintf(model, sizeof model, "zoo:%s", net);
	Opts oo = *o;
	oo.model = model;
	if (pipe_opts(&oo, &po, &e))
		return input_error(&e);
	po.simulate = true;
	po.rtl = strcmp(o->sim, "rtl") == 0;
	if (pipeline_run(&po, &r, &e)) {
		printf("%-18s %s\n", net, e.msg);
		dp_progress_done(&po.dp);
		++*bad;
		return 0;
	}
	dp_progress_done(&po.dp);
	const FsimStats *f = &r.sim;
	const RtlStats *h = &r.rtl;
	int64_t cycles = po.rtl ? h->cycles : f->cycles, est = f->cycles;
	double err = 100.0 * (double)(est - cycles) / (double)cycles;
	bool plan = true, mon = true;
	for (int k = 0; k < NPU_NCLASS; k++) {
		int64_t v = po.rtl ? h->port_rd[k] : f->port_rd[k];
		plan &= v == r.prog.plan_port_rd[k];
		mon &= !po.rtl || h->obs_rd[k] == v;
	}
	for (int k = 0; k < 2; k++) {
		int64_t v = po.rtl ? h->port_wr[k] : f->port_wr[k];
		plan &= v == r.prog.plan_port_wr[k];
		mon &= !po.rtl || h->obs_wr[k] == v;
	}
	int64_t wread = po.rtl ? h->port_rd[NPU_CLS_WEIGHT] : f->port_rd[NPU_CLS_WEIGHT];
	/* the roofline, per layer (RTL: its timeline) */
	int layers = 0, under = 0;
	double tight = INFINITY;
	const Graph *g = r.graph;
	for (int op = 0; po.rtl && op < g->nops; op++) {
		int64_t lo = INT64_MAX, hi = -1, rd = 0, wr = 0;
		for (size_t k = 0; k < r.prog.ninsn; k++) {
			if (r.prog.insn_op[k] != op || h->insn_start[k] < 0)
				continue;
			lo = h->insn_start[k] < lo ? h->insn_start[k] : lo;
			hi = h->insn_end[k] > hi ? h->insn_end[k] : hi;
			NpuInsn i;
			const uint32_t *w = r.prog.words + r.prog.insn_word[k];
			if (!npu_decode(w, r.prog.nwords - r.prog.insn_word[k], k, &i, &e))
				continue;
			if (i.op != NPU_LOAD && i.op != NPU_STORE)
				continue;
			bool load = i.op == NPU_LOAD;
			int bpc = load ? c->dma_read_bpc : c->dma_write_bpc;
			for (int row = 0; row < i.rows; row++) {
				int64_t a = NPU_ADDR(load ? i.src : i.dst) +
					    (int64_t)row * (load ? i.sstride : i.dstride);
				*(load ? &rd : &wr) += cost_beats(a, i.bytes, bpc);
			}
		}
		if (hi < 0)
			continue;
		int64_t macs = (g->ops[op].macs + (int64_t)c->mac_rows * c->mac_cols - 1) /
			       ((int64_t)c->mac_rows * c->mac_cols);
		int64_t bound = macs > rd ? macs : rd;
		bound = bound > wr ? bound : wr;
		if (bound == 0)
			continue;
		layers++;
		double ratio = (double)(hi - lo) / (double)bound;
		tight = ratio < tight ? ratio : tight;
		under += hi - lo < bound;
	}
	double secs = po.rtl ? h->seconds : r.sim_seconds;
	printf("%-18s %10lld %10lld %+7.1f%% %5.1f%% %6s %7s %9lld %9lld %8lld %6d %5d %7.2f %-9s "
	       "%6.2f\n",
	       net, (long long)cycles, (long long)est, err,
	       100.0 * (double)(po.rtl ? h->mac_busy : f->mac_busy) / (double)cycles,
	       plan ? "yes" : "NO", po.rtl ? (mon ? "yes" : "NO") : "-", (long long)wread,
	       (long long)r.prog.weight_bytes, (long long)r.prog.weight_refetch, layers, under,
	       layers ? tight : 0.0, r.bit_exact ? "yes" : "NO",
	       secs > 0 ? (double)cycles / secs / 1e6 : 0.0);
	double a = fabs(err);
	*err_max = a > *err_max ? a : *err_max;
	*bad += !plan + !mon + under + !r.bit_exact;
	pipeline_free(&r);
	return 0;
}

/* bench --config CFG --sim fsim|rtl: the NPU's table over the zoo. */
static int bench_npu_table(const Opts *o)
{
	Config c;
	Err e;
	if (cfg_read(o->config, &c, &e))
		return input_error(&e);
	bool rtl = strcmp(o->sim, "rtl") == 0;
	printf("The NPU, %s, on %s: cycles (%s) against the cost model's estimate, MAC "
	       "utilization, DRAM port bytes against the plan%s, weight bytes read against the "
	       "weights (refetch), and per layer the roofline: cycles >= max(MACs / array, port "
	       "bytes / width) (layers checked, under the roof, tightest ratio); simulated "
	       "million cycles a second\n",
	       o->sim, c.name, rtl ? "measured on the RTL" : "fsim",
	       rtl ? " and the harness's monitor" : "");
	printf("%-18s %10s %10s %8s %6s %6s %7s %9s %9s %8s %6s %5s %7s %-9s %6s\n", "network",
	       "cycles", "estimate", "error", "MAC", "plan", "monitor", "weights", "stored", "refetch",
	       "layers", "under", "tightest", "bit-exact", "Mc/s");
	double err_max = 0;
	int bad = 0;
	for (int i = 0; i < zoo_nnets; i++) {
		bench_progress("the NPU", zoo_nets[i].name, i, zoo_nnets);
		int rc = bench_npu(o, &c, zoo_nets[i].name, &err_max, &bad);
		if (rc)
			return rc;
	}
	bench_progress("the NPU", "", zoo_nnets, zoo_nnets);
	printf("largest estimate error %.1f%% (goal: 5%%); %d failed checks\n", err_max, bad);
	return bad ? EXIT_INPUT : 0;
}

static int cmd_bench(int argc, char **argv)
{
	Opts o;
	int rc = parse_opts(argc, argv, &o, 0);
	if (rc)
		return rc;
	setvbuf(stdout, NULL, _IOLBF, 0); /* each row as it is done, piped too */
	if (o.sim) {
		if (!o.config)
			return usage_error("%s", "bench --sim needs --config CFG");
		return bench_npu_table(&o);
	}
	static const int simonly[] = {'s', 'O', 'r', 'P'};
	for (int i = 0; i < 4; i++)
		if ((rc = refuse(&o, simonly[i], "is for the NPU's table: it needs --sim")))
			return rc;
	Config c; /* read first: a bad config fails before the long part */
	Err ce;
	if (o.config && cfg_read(o.config, &c, &ce))
		return input_error(&ce);
	enum { REPS = 5 };
	double lr[4] = {0}; /* log file/bfs, file/dfs, file/dp, file/dp+rw */
	printf("peak activation KiB under the paper memory model; dp time is the median of %d runs\n",
	       REPS);
	printf("%-18s %5s %9s %9s %9s %9s %9s %8s %9s %8s %9s %9s %6s %s\n", "network", "ops",
	       "lower-bnd", "file", "bfs", "dfs", "dp", "file/dp", "dp+rw", "file/rw", "dp ms",
	       "states", "MiB", "optimal");
	for (int i = 0; i < zoo_nnets; i++) {
		Err e;
		Graph *g = zoo_build(zoo_nets[i].name, &e);
		if (!g)
			return input_error(&e);
		bench_progress("peaks", zoo_nets[i].name, i, zoo_nnets + 1);
		double rb, rd, rr, r = bench_row(g, zoo_nets[i].name, REPS, 0, &rb, &rd, &rr);
		ir_free(g);
		if (r == 0)
			return EXIT_INPUT;
		lr[0] += log(rb);
		lr[1] += log(rd);
		lr[2] += log(r);
		lr[3] += log(rr);
	}
	printf("geomean file/bfs %.2fx  file/dfs %.2fx  file/dp %.2fx  file/(dp+rw) %.2fx   (paper, "
	       "against TensorFlow Lite: dp 1.68x, dp+rw 1.86x)\n",
	       exp(lr[0] / zoo_nnets), exp(lr[1] / zoo_nnets), exp(lr[2] / zoo_nnets),
	       exp(lr[3] / zoo_nnets));
	double limit = o.time_limit > 0 ? o.time_limit : 10;
	printf("\nrandom DAG, 400 ops, dp with --time-limit %g (one run)\n", limit);
	Err e;
	Graph *g = model_load("random:400:1", &e);
	if (!g)
		return input_error(&e);
	double rb, rd, rr;
	bench_progress("peaks", "random-400", zoo_nnets, zoo_nnets + 1);
	double r = bench_row(g, "random-400", 1, limit, &rb, &rd, &rr);
	ir_free(g);
	bench_progress("peaks", "", zoo_nnets + 1, zoo_nnets + 1);
	if (r == 0)
		return EXIT_INPUT;
	if (!o.config) {
		printf("\n(with --config CFG: DRAM traffic at 32-256 KiB of SRAM on that machine; "
		       "bench --config CFG --sim rtl: the NPU's table)\n");
		return 0;
	}
	printf("\nDRAM traffic (MiB read and written, weights included) on %s: file order, dp "
	       "minimizing traffic (at most %d s), and the floor no order goes under\n",
	       c.name, BENCH_TRAFFIC_S);
	printf("%-18s %8s %10s %10s %10s %9s %11s\n", "network", "SRAM", "file", "dp", "floor",
	       "file/dp", "file/floor");
	double lt[4] = {0}, lf[4] = {0};
	for (int i = 0; i < zoo_nnets; i++) {
		Graph *z = zoo_build(zoo_nets[i].name, &e);
		if (!z)
			return input_error(&e);
		bench_progress("traffic", zoo_nets[i].name, i, zoo_nnets);
		rc = bench_traffic(z, zoo_nets[i].name, c, lt, lf);
		ir_free(z);
		if (rc)
			return rc;
	}
	bench_progress("traffic", "", zoo_nnets, zoo_nnets);
	printf("geomean file/dp      %.2fx %.2fx %.2fx %.2fx at 32, 64, 128, 256 KiB (paper: 1.52x "
	       "1.49x 1.51x 1.76x)\n",
	       exp(lt[0] / zoo_nnets), exp(lt[1] / zoo_nnets), exp(lt[2] / zoo_nnets),
	       exp(lt[3] / zoo_nnets));
	printf("geomean file/floor   %.2fx %.2fx %.2fx %.2fx: no order can do better than this\n",
	       exp(lf[0] / zoo_nnets), exp(lf[1] / zoo_nnets), exp(lf[2] / zoo_nnets),
	       exp(lf[3] / zoo_nnets));
	return 0;
}

struct Command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *args;  /* its usage line after the name: every option it takes */
	const char *about;
	const char *opts;  /* the options it takes, by letter (opt_docs) */
};

static const Command commands[] = {
	{"zoo", cmd_zoo, "[--json]", "list the built-in networks", "j"},
	{"export", cmd_export,
	 "MODEL --format graph|onnx -o FILE [--rewrite] [--tile [--max-overhead PCT]]\n"
	 "       [--time-limit S] [--acc-bits N] [--input-shape NAME=DIMS]",
	 "write MODEL as a plain graph or ONNX", "fortaLMI"},
	{"schedule", cmd_schedule,
	 "MODEL [--scheduler dp|file|bfs|dfs] [--rewrite] [--tile [--max-overhead PCT]]\n"
	 "       [--time-limit S] [--acc-bits N] [--config CFG [--sram SIZE] [--objective O]]\n"
	 "       [--plot FILE.svg] [--json | -d S|P] [--input-shape NAME=DIMS]",
	 "order the ops, report the peak memory (and with CFG the off-chip plan; --tile:\n"
	 "not yet with CFG)",
	 "jsrtacOzpdLMI"},
	{"verify", cmd_verify,
	 "MODEL --rewrite|--tile [--max-overhead PCT] [--per-channel] [--calib DIR]\n"
	 "       [--time-limit S] [--json] [--input-shape NAME=DIMS]",
	 "run the graph and its rewrite (or its partitioned graph) in the int8 reference\n"
	 "interpreter, compare every bit",
	 "jrPCtLMI"},
	{"check-config", cmd_check_config, "CFG [--json]",
	 "validate an accelerator config (XML); --json prints it, every element by its path", "j"},
	{"compile", cmd_compile,
	 "MODEL --config CFG -o DIR [--sram SIZE] [--scheduler S] [--objective O] [--rewrite]\n"
	 "       [--time-limit S] [--per-channel] [--calib DIR] [--json] [--input-shape NAME=DIMS]",
	 "command stream, listing, DRAM image, memory map into DIR", "jcozsOrtPCI"},
	{"run", cmd_run,
	 "MODEL --config CFG [--sim fsim|rtl] [--sram SIZE] [--scheduler S] [--objective O]\n"
	 "       [--rewrite] [--time-limit S] [--per-channel] [--calib DIR] [--json]\n"
	 "       [-o DIR] [--trace FILE.fst] [--input-shape NAME=DIMS]",
	 "compile, simulate, compare with the reference; -o DIR and --trace need --sim rtl",
	 "jcSzsOrtPCoTI"},
	{"disasm", cmd_disasm, "STREAM", "list a command stream (stream.bin)", ""},
	{"sweep", cmd_sweep,
	 "MODEL --config CFG [--sram LIST -o FILE.csv [--plot FILE.svg]] [--bisect-zero-spill]\n"
	 "       [--sim fsim|rtl] [--objective O] [--time-limit S] [--per-channel] [--calib DIR]\n"
	 "       [--json] [--input-shape NAME=DIMS]",
	 "file, dp and dp+rewrite at each SRAM size of LIST (-o FILE.csv, or --json), and\n"
	 "with --bisect-zero-spill each one's smallest SRAM that spills nothing",
	 "jcozpZSOtPCI"},
	{"bench", cmd_bench,
	 "[--time-limit S] [--config CFG [--sim fsim|rtl [--scheduler S] [--objective O]\n"
	 "       [--rewrite] [--per-channel]]]",
	 "every scheduler on the zoo and a random DAG; with CFG, DRAM traffic at\n"
	 "32-256 KiB; with --sim, the NPU on the zoo: cycles against the estimate,\n"
	 "port against plan, roofline",
	 "tcSsOrP"},
};
enum { NCOMMANDS = sizeof commands / sizeof commands[0] };

static bool cmd_takes(const Command *c, int val)
{
	return strchr(c->opts, val) != NULL;
}

static const char *cmd_name(const Command *c)
{
	return c->name;
}

/* text, its lines after the first indented by `indent` spaces. */
static void put_indented(FILE *f, const char *text, int indent)
{
	for (const char *t = text; *t; t++) {
		fputc(*t, f);
		if (*t == '\n')
			fprintf(f, "%*s", indent, "");
	}
	fputc('\n', f);
}

static void put_option(FILE *f, const OptDoc *d)
{
	fprintf(f, "  %-20s ", d->flag);
	put_indented(f, d->help, 23);
}

/* Its usage line, what it does and its options, each with its help. */
static void cmd_usage(const Command *c, FILE *f)
{
	fprintf(f, "usage: serenity %s %s\n\n%s\n", c->name, c->args, c->about);
	if (!*c->opts)
		return;
	fputs("\noptions:\n", f);
	for (const char *v = c->opts; *v; v++)
		put_option(f, opt_doc(*v));
}

/* The commands' usage lines, then every option. */
static void usage(FILE *f)
{
	fputs("usage: serenity COMMAND [ARGS]   (serenity COMMAND --help: its usage and options)\n"
	      "\n"
	      "MODEL is zoo:NAME, a .onnx file, a plain graph file (node NAME BYTES [INPUT ...])\n"
	      "or random:OPS[:SEED], a seeded random DAG.\n\ncommands:\n",
	      f);
	for (int i = 0; i < NCOMMANDS; i++) {
		fprintf(f, "  %s %s\n      ", commands[i].name, commands[i].args);
		put_indented(f, commands[i].about, 6);
	}
	fputs("  help [COMMAND]\n      this text, or a command's\n\noptions:\n", f);
	for (int i = 0; i < NOPTDOCS; i++)
		put_option(f, &opt_docs[i]);
}

static const Command *cmd_find(const char *name)
{
	for (int i = 0; i < NCOMMANDS; i++)
		if (!strcmp(name, commands[i].name))
			return &commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *cmd = argv[1];
	cmd_start = sched_clock();
	cleanup_install(); /* an interrupted command leaves no temporary behind */
	if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		if (argc > 2 && !cmd_find(argv[2]))
			return usage_error("unknown command '%s'", argv[2]);
		if (argc > 3)
			return usage_error("unexpected argument '%s'", argv[3]);
		if (argc > 2)
			cmd_usage(cmd_find(argv[2]), stdout);
		else
			usage(stdout);
		return 0;
	}
	if (!strcmp(cmd, "--version")) {
		printf("serenity %s\n", SERENITY_VERSION);
		return 0;
	}
	cmd_current = cmd_find(cmd);
	if (!cmd_current)
		return usage_error("unknown command '%s'", cmd);
	int rc = cmd_current->run(argc - 1, argv + 1);
	/* what was printed must have arrived, or the run failed */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "serenity: standard output: write error\n");
		return rc ? rc : EXIT_INPUT;
	}
	return rc;
}
