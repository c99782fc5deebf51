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

#include "graphfile.h"
#include "json.h"
#include "mem.h"
#include "model.h"
#include "sched.h"
#include "zoo.h"

#define SERENITY_VERSION "0.1.0"

enum { EXIT_INPUT = 1, EXIT_USAGE = 2 };

static const char usage_text[] =
	"usage: serenity COMMAND [ARGS]\n"
	"\n"
	"MODEL is zoo:NAME, a .onnx file or a plain graph file (node NAME BYTES [INPUT ...]).\n"
	"\n"
	"commands:\n"
	"  zoo [--json]                              list the built-in networks\n"
	"  export MODEL --format graph -o FILE       write MODEL in the plain graph format\n"
	"  schedule MODEL [--scheduler file|bfs|dfs] [--json] [-d S]\n"
	"                                            order the ops, report the peak memory\n"
	"  bench                                     peaks of every scheduler on the zoo\n"
	"  help                                      this text\n"
	"\n"
	"options:\n"
	"  --json          one JSON object on stdout\n"
	"  -d S            dump the schedule (step, op, bytes in use) after scheduling\n"
	"  -o FILE         output file ('-' for stdout)\n";

typedef struct Opts {
	const char *model;
	const char *out;
	const char *format;
	const char *dump;
	SchedKind sched;
	bool json;
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
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	memset(o, 0, sizeof *o);
	o->sched = SCHED_FILE;
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

static int cmd_schedule(int argc, char **argv)
{
	Opts o;
	int rc = parse_opts(argc, argv, &o, 1);
	if (rc)
		return rc;
	if (o.dump && strcmp(o.dump, "S") != 0)
		return usage_error("unknown dump '%s' (S: after scheduling)", o.dump);
	Err e;
	Graph *g = model_load(o.model, &e);
	if (!g)
		return input_error(&e);
	Schedule s;
	if (sched_run(g, o.sched, g->arena, &s, &e)) {
		rc = input_error(&e);
		goto out;
	}
	if (o.json) {
		printf("{\"model\":");
		json_str(stdout, o.model);
		printf(",\"scheduler\":\"%s\",\"ops\":%d,\"peak_bytes\":%lld,"
		       "\"lower_bound_bytes\":%lld,\"optimal\":%s,\"schedule_ms\":%.3f,\"order\":[",
		       sched_name(o.sched), g->nops, (long long)s.peak, (long long)s.lower_bound,
		       s.optimal ? "true" : "false", s.ms);
		for (int i = 0; i < s.n; i++) {
			if (i)
				putchar(',');
			json_str(stdout, g->ops[s.order[i]].name);
		}
		printf("]}\n");
	} else if (o.dump) {
		dump_schedule(g, &s);
	} else {
		printf("%-12s %s\n%-12s %s\n%-12s %d\n", "model", o.model, "scheduler",
		       sched_name(o.sched), "ops", g->nops);
		print_bytes("peak", s.peak);
		print_bytes("lower bound", s.lower_bound);
		printf("%-12s %s\n%-12s %.3f ms\n", "optimal", s.optimal ? "yes (proven)" : "not proven",
		       "time", s.ms);
	}
out:
	ir_free(g);
	return rc;
}

static int cmd_bench(int argc, char **argv)
{
	Opts o;
	int rc = parse_opts(argc, argv, &o, 0);
	if (rc)
		return rc;
	static const SchedKind kinds[] = {SCHED_FILE, SCHED_BFS, SCHED_DFS};
	enum { NK = sizeof kinds / sizeof kinds[0] };
	double logsum[NK] = {0};
	printf("peak activation bytes under the paper memory model (KiB)\n");
	printf("%-18s %6s %10s", "network", "ops", "lower-bnd");
	for (int k = 0; k < NK; k++)
		printf(" %10s", sched_name(kinds[k]));
	for (int k = 1; k < NK; k++)
		printf(" %9s/%s", "file", sched_name(kinds[k]));
	printf("\n");
	for (int i = 0; i < zoo_nnets; i++) {
		Err e;
		Graph *g = zoo_build(zoo_nets[i].name, &e);
		if (!g)
			return input_error(&e);
		Schedule s[NK];
		for (int k = 0; k < NK; k++)
			if (sched_run(g, kinds[k], g->arena, &s[k], &e)) {
				ir_free(g);
				return input_error(&e);
			}
		printf("%-18s %6d %10.1f", zoo_nets[i].name, g->nops, s[0].lower_bound / 1024.0);
		for (int k = 0; k < NK; k++)
			printf(" %10.1f", s[k].peak / 1024.0);
		for (int k = 1; k < NK; k++) {
			double r = (double)s[0].peak / (double)s[k].peak;
			logsum[k] += log(r);
			printf(" %13.2fx", r);
		}
		printf("\n");
		ir_free(g);
	}
	printf("%-18s %6s %10s", "geomean", "", "");
	for (int k = 0; k < NK; k++)
		printf(" %10s", "");
	for (int k = 1; k < NK; k++)
		printf(" %13.2fx", exp(logsum[k] / zoo_nnets));
	printf("\n");
	return 0;
}

typedef struct Command {
	const char *name;
	int (*run)(int argc, char **argv);
} Command;

static const Command commands[] = {
	{"zoo", cmd_zoo},
	{"export", cmd_export},
	{"schedule", cmd_schedule},
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
