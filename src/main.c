/* main.c: the serenity command line.
 *
 * Only this file prints and exits; every stage below it returns a status
 * and an Err.  Exit codes: 0 success, 1 bad input or failed check, 2 bad
 * usage (unknown command or flag).
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "graphfile.h"
#include "json.h"
#include "mem.h"
#include "plan.h"
#include "plot.h"
#include "quant.h"
#include "randdag.h"
#include "ref.h"
#include "rewrite.h"
#include "model.h"
#include "sched.h"
#include "sched_dp.h"
#include "zoo.h"

#define SERENITY_VERSION "0.1.0"

enum { EXIT_INPUT = 1, EXIT_USAGE = 2 };

/* The dp search stops after this long unless --time-limit says otherwise;
 * it then returns its best order, marked not optimal, with its bound. */
#define DEFAULT_TIME_LIMIT 60.0

static const char usage_text[] =
	"usage: serenity COMMAND [ARGS]\n"
	"\n"
	"MODEL is zoo:NAME, a .onnx file, a plain graph file (node NAME BYTES [INPUT ...])\n"
	"or random:OPS[:SEED], a seeded random DAG.\n"
	"\n"
	"commands:\n"
	"  zoo [--json]                              list the built-in networks\n"
	"  export MODEL [--rewrite] --format graph -o FILE\n"
	"                                            write MODEL in the plain graph format\n"
	"  schedule MODEL [--scheduler dp|file|bfs|dfs] [--rewrite] [--time-limit S]\n"
	"                 [--plot FILE.svg] [--json] [-d S]\n"
	"                                            order the ops, report the peak memory\n"
	"  verify MODEL --rewrite [--json]           run the graph and its rewrite in the int8\n"
	"                                            reference interpreter, compare every bit\n"
	"  bench [--time-limit S]                    every scheduler on the zoo and a random DAG\n"
	"  help                                      this text\n"
	"\n"
	"options:\n"
	"  --json          one JSON object on stdout\n"
	"  -d S            dump the schedule (step, op, bytes in use) after scheduling\n"
	"  -d P            dump the SRAM plan (offset, size, lifetime) after planning\n"
	"  -o FILE         output file ('-' for stdout)\n"
	"  --scheduler S   dp (memory-optimal, default), file (definition order, what\n"
	"                  TensorFlow Lite runs), bfs (Kahn, FIFO), dfs (reverse post-order)\n"
	"  --time-limit S  stop the dp search after S seconds (default 60) with the best\n"
	"                  order found and its proven lower bound\n"
	"  --plot FILE     bytes in use at each step, beside the definition order's (SVG)\n"
	"  --rewrite       apply the identity rewrites that lower the dp peak first\n"
	"  --acc-bits N    width partial sums of rewritten convolutions are held at\n"
	"                  (8 to 32, default 32: int32 accumulators)\n";

typedef struct Opts {
	const char *model;
	const char *out;
	const char *format;
	const char *dump;
	const char *plot;
	SchedKind sched;
	double time_limit;
	int acc_bits;
	bool json;
	bool rewrite;
} Opts;

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "serenity: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s", usage_text);
	return EXIT_USAGE;
}

static int input_error(const Err *e)
{
	fprintf(stderr, "serenity: %s\n", e->msg);
	return EXIT_INPUT;
}

/* Parses flags after the command word; at most `npos` positionals. */
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
		{"acc-bits", required_argument, NULL, 'a'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	memset(o, 0, sizeof *o);
	o->sched = SCHED_DP;
	opterr = 0;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, ":o:d:h", longopts, NULL)) != -1) {
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
			o->plot = optarg;
			break;
		case 'r':
			o->rewrite = true;
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
			fputs(usage_text, stdout);
			exit(0);
		case ':':
			return usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	int npositional = argc - optind;
	if (npositional > npos)
		return usage_error("unexpected argument '%s'", argv[optind + npos]);
	if (npos && npositional < npos)
		return usage_error("%s needs a MODEL", argv[0]);
	if (npos)
		o->model = argv[optind];
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

static void dp_opts(const Opts *o, DpOpts *dp)
{
	memset(dp, 0, sizeof *dp);
	dp->time_limit_s = o->time_limit > 0 ? o->time_limit : DEFAULT_TIME_LIMIT;
	if (isatty(2)) {
		dp->progress = dp_progress;
	}
}

static void dp_progress_done(const DpOpts *dp)
{
	if (dp->progress)
		fputs("\r\033[K", stderr);
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
	return gf_write(g, stdout) ? EXIT_INPUT : 0;
}

static int cmd_export(int argc, char **argv)
{
	Opts o;
	int rc = parse_opts(argc, argv, &o, 1);
	if (rc)
		return rc;
	if (!o.format || strcmp(o.format, "graph") != 0)
		return usage_error("export needs --format graph (got '%s')",
				   o.format ? o.format : "none");
	if (!o.out)
		return usage_error("%s", "export needs -o FILE ('-' for stdout)");
	Err e;
	Graph *g = model_load(o.model, &e);
	if (!g)
		return input_error(&e);
	if (o.acc_bits)
		g->acc_bits = o.acc_bits;
	if (o.rewrite) {
		DpOpts dp;
		dp_opts(&o, &dp);
		RwStats st;
		Graph *r = rw_apply(g, &dp, &st, &e);
		dp_progress_done(&dp);
		ir_free(g);
		if (!r)
			return input_error(&e);
		g = r;
	}
	if (strcmp(o.out, "-") == 0)
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
	PlotSeries series[2] = {{sched_name(k), a, g->nops}, {"file (definition order)", b, g->nops}};
	int rc = plot_lines_svg(path, title, "step", "bytes in use", series, k == SCHED_FILE ? 1 : 2,
				e);
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
	Err e;
	Graph *g = model_load(o.model, &e);
	if (!g)
		return input_error(&e);
	Schedule s;
	DpOpts dp;
	dp_opts(&o, &dp);
	RwStats rw = {0};
	if (o.acc_bits)
		g->acc_bits = o.acc_bits;
	if (o.rewrite) {
		Graph *r = rw_apply(g, &dp, &rw, &e);
		if (!r) {
			dp_progress_done(&dp);
			rc = input_error(&e);
			goto out;
		}
		ir_free(g);
		g = r;
	}
	int src = sched_run(g, o.sched, &dp, g->arena, &s, &e);
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
	plan_init(&plan, 1);
	plan_init(&tflm, 1);
	plan_from_schedule(&plan, g, s.order);
	plan_from_schedule(&tflm, g, s.order);
	plan_place(&plan, PLAN_BEST);
	plan_place(&tflm, PLAN_GREEDY_SIZE);
	if (plan_check(&plan, &e) || plan_check(&tflm, &e)) {
		rc = input_error(&e); /* a broken invariant, reported all the same */
		goto out_plan;
	}
	if (o.json) {
		printf("{\"model\":");
		json_str(stdout, o.model);
		printf(",\"scheduler\":\"%s\",\"ops\":%d,\"peak_bytes\":%lld,"
		       "\"lower_bound_bytes\":%lld,\"optimal\":%s,\"schedule_ms\":%.3f,",
		       sched_name(o.sched), g->nops, (long long)s.peak, (long long)s.lower_bound,
		       s.optimal ? "true" : "false", s.ms);
		printf("\"arena_bytes\":%lld,\"arena_tflm_bytes\":%lld,", (long long)plan.arena,
		       (long long)tflm.arena);
		if (o.sched == SCHED_DP)
			printf("\"proven_lower_bound_bytes\":%lld,\"states\":%lld,\"pieces\":%d,"
			       "\"timed_out\":%s,",
			       (long long)s.proven_lower_bound, (long long)s.states, s.pieces,
			       s.timed_out ? "true" : "false");
		if (o.rewrite)
			printf("\"rewrites\":{\"channel\":%d,\"kernel\":%d,\"tried\":%d},",
			       rw.applied[RW_CHANNEL], rw.applied[RW_KERNEL], rw.tried);
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
		print_bytes("TFLM arena", tflm.arena);
	}
out_plan:
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
	Graph *g = model_load(o.model, &e), *r = NULL, *all = NULL;
	RefValues vg = {0}, vr = {0}, va = {0};
	DpOpts dp;
	dp_opts(&o, &dp);
	RwStats st, sta;
	if (!g || quant_model(g, 1, &e) || !(r = rw_apply(g, &dp, &st, &e)) ||
	    !(all = rw_apply_all(g, &sta, &e)) || ref_run(g, &vg, &e) || ref_run(r, &vr, &e) ||
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
		       "\"identical_all_rewrites\":%s,\"all_rewrites\":{\"channel\":%d,\"kernel\":%d}}\n",
		       same ? "true" : "false", n, nt, (long long)bytes, st.applied[RW_CHANNEL],
		       st.applied[RW_KERNEL], st.tried, (long long)st.peak_before,
		       (long long)st.peak_after, same_all ? "true" : "false",
		       sta.applied[RW_CHANNEL], sta.applied[RW_KERNEL]);
	} else {
		printf("%-22s %s\n", "model", o.model);
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
	ir_free(r);
	ir_free(all);
	return rc;
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

static int cmd_bench(int argc, char **argv)
{
	Opts o;
	int rc = parse_opts(argc, argv, &o, 0);
	if (rc)
		return rc;
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
	double r = bench_row(g, "random-400", 1, limit, &rb, &rd, &rr);
	ir_free(g);
	return r == 0 ? EXIT_INPUT : 0;
}

typedef struct Command {
	const char *name;
	int (*run)(int argc, char **argv);
} Command;

static const Command commands[] = {
	{"zoo", cmd_zoo},
	{"export", cmd_export},
	{"schedule", cmd_schedule},
	{"verify", cmd_verify},
	{"bench", cmd_bench},
};

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage_error("%s", "no command");
	const char *cmd = argv[1];
	if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (!strcmp(cmd, "--version")) {
		printf("serenity %s\n", SERENITY_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (!strcmp(cmd, commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	return usage_error("unknown command '%s'", cmd);
}
