/* test_graphfile.c: the plain graph format, from memory and from a file. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graphfile.h"
#include "mem.h"
#include "rng.h"

static void test_parse_ok(void **state)
{
	(void)state;
	for (int via_file = 0; via_file < 2; via_file++) {
		Err e;
		Graph *g = tu_parse("# a comment\n"
				    "node in 150528   # trailing comment\n"
				    "\n"
				    "node conv 301056 in\r\n"
				    "\tnode b 3 in conv\n"
				    "node zero 0\n",
				    via_file, &e);
		assert_non_null(g);
		assert_int_equal(g->nops, 4);
		assert_string_equal(g->ops[2].name, "b");
		assert_int_equal(g->ops[2].nin, 2);
		assert_int_equal(g->tensors[1].bytes, 301056);
		assert_true(g->tensors[2].output);
		assert_true(g->tensors[3].output);
		assert_false(g->tensors[0].output);
		ir_free(g);
	}
}

typedef struct Bad {
	const char *text;
	const char *msg; /* expected prefix, after "<mem>" */
} Bad;

static const Bad bad_inputs[] = {
	{"", ": no nodes"},
	{"# only a comment\n\n", ": no nodes"},
	{"node a 1\nnode b 1 b\n", ":2: node 'b' reads itself"},
	{"node a 1 b\nnode b 1 a\n", ":1: input 'b' is defined later, at line 2"},
	{"node a 1\nnode b 1 zz\n", ":2: undefined input 'zz'"},
	{"node a 1\nnode a 2\n", ":2: duplicate node 'a' (first defined at line 1)"},
	{"node a 1\nnode c 1\nnode b 1 a c a\n", ":3: node 'b': input 'a' listed twice"},
	{"node a -5\n", ":1: negative size"},
	{"node a 99999999999999999999999\n", ":1: size 99999999999999999999999 too large"},
	{"node a 1099511627777\n", ":1: size 1099511627777 too large"},
	{"node a 12kb\n", ":1: size '12kb' is not a number"},
	{"node a\n", ":1: expected 'node NAME BYTES"},
	{"edge a 1\n", ":1: expected 'node NAME BYTES [INPUT ...]', 'join NAME BYTES INPUT ...' or "
			"'dram NAME BYTES', got 'edge'"},
	{"node a 1\ndram b 2 a\n", ":2: expected 'dram NAME BYTES' (a graph input: no inputs)"},
	{"node a 1\n\x01garbage\n", ":2: control character 0x01"},
	{"node a 1\nnode \xff\xfe 1\n", ":2: invalid UTF-8"},
	{"node a 1\nnode b 2\njoin y 4 a b\n", ":3: join 'y': 4 bytes, its inputs 3"},
	{"node a 1\njoin y 1\n", ":2: expected 'join NAME BYTES INPUT ...'"},
	{"node a 1\nnode b 2 a\njoin y 3 a b\n", ":3: join 'y': input 'a' is a join's and another node's"},
	{"node a 1\nnode b 2\njoin y 3 a b\nnode c 1 b\n",
	 ":4: node 'c': input 'b' is a join's and another node's"},
};

/* A join's inputs are written in place: the join adds nothing, and they
 * are freed with it (tests/peak.awk counts the same). */
static void test_join(void **state)
{
	(void)state;
	Err e;
	Graph *g = tu_parse("node x 20\nnode p1 10 x\nnode p2 10 x\njoin y 20 p1 p2\nnode z 1 y\n"
			    "dram d 1000\nnode s 5 d\n", 0, &e);
	assert_non_null(g);
	assert_int_equal(g->ops[3].kind, OP_JOIN);
	/* a dram input takes nothing, its slice s its bytes */
	int order[7] = {0, 1, 2, 3, 4, 5, 6};
	int64_t step[7], want[7] = {20, 30, 40, 20, 21, 1, 6};
	assert_int_equal(mem_peak(g, order, step), 40);
	assert_memory_equal(step, want, sizeof want);
	assert_true(g->tensors[5].in_dram);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_int_equal(gf_write(g, f), 0);
	fclose(f);
	assert_non_null(strstr(buf, "\njoin y 20 p1 p2\n"));
	assert_non_null(strstr(buf, "\ndram d 1000\n"));
	free(buf);
	ir_free(g);
}

static void test_bad_inputs(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof bad_inputs / sizeof bad_inputs[0]; i++)
		for (int via_file = 0; via_file < 2; via_file++) {
			Err e = {{0}};
			Graph *g = tu_parse(bad_inputs[i].text, via_file, &e);
			if (g)
				fail_msg("accepted bad input %zu", i);
			char want[NERRMSG];
			snprintf(want, sizeof want, "<mem>%s", bad_inputs[i].msg);
			if (strncmp(e.msg, want, strlen(want)) != 0)
				fail_msg("input %zu: got '%s', want '%s...'", i, e.msg, want);
			assert_null(strchr(e.msg, '\n'));
		}
}

static void test_nul_byte(void **state)
{
	(void)state;
	static const char text[] = "node a 1\nnode b\0 1 a\n";
	Err e;
	assert_null(gf_parse(text, sizeof text - 1, "f.graph", &e));
	assert_string_equal(e.msg, "f.graph:2: binary data (NUL byte)");
}

static void test_missing_file_and_directory(void **state)
{
	(void)state;
	Err e;
	assert_null(gf_read("/nonexistent/x.graph", &e));
	assert_non_null(strstr(e.msg, "/nonexistent/x.graph: "));
	assert_null(gf_read("/tmp", &e));
	assert_string_equal(e.msg, "/tmp: is a directory");
}

static void test_round_trip(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 50; seed++) {
		Graph *g = tu_random_dag(seed, 1 + (int)(seed % 60), false);
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		assert_int_equal(gf_write(g, f), 0);
		fclose(f);
		Err e;
		Graph *h = gf_parse(buf, len, "rt", &e);
		assert_non_null(h);
		assert_int_equal(h->nops, g->nops);
		for (int o = 0; o < g->nops; o++) {
			assert_string_equal(h->ops[o].name, g->ops[o].name);
			assert_int_equal(h->tensors[o].bytes, g->tensors[o].bytes);
			assert_int_equal(h->tensors[o].output, g->tensors[o].output);
			/* each input once: the format refuses repeats */
			int k = 0;
			for (int i = 0; i < g->ops[o].nin; i++)
				if (!ir_repeat(&g->ops[o], i))
					assert_int_equal(h->ops[o].in[k++], g->ops[o].in[i]);
			assert_int_equal(h->ops[o].nin, k);
		}
		free(buf);
		ir_free(g);
		ir_free(h);
	}
}

/* Random mutations of a valid file: never a crash, always either a graph
 * or a one-line message that names the file. */
static void test_mutations_never_crash(void **state)
{
	(void)state;
	static const char base[] = "node in 100\nnode a 20 in\nnode b 30 in a\nnode c 5 b a\n";
	uint64_t s = 42;
	char buf[sizeof base + 16];
	for (int iter = 0; iter < 20000; iter++) {
		size_t len = sizeof base - 1;
		memcpy(buf, base, len);
		int edits = 1 + (int)rng_below(&s, 4);
		for (int k = 0; k < edits; k++) {
			size_t at = rng_below(&s, len);
			switch (rng_below(&s, 3)) {
			case 0:
				buf[at] = (char)rng_below(&s, 256);
				break;
			case 1:
				memmove(buf + at, buf + at + 1, len - at - 1);
				len--;
				break;
			default:
				buf[at] = " \n#-9a"[rng_below(&s, 6)];
			}
		}
		Err e = {{0}};
		Graph *g = gf_parse(buf, len, "m", &e);
		if (g)
			ir_free(g);
		else {
			assert_true(strncmp(e.msg, "m:", 2) == 0);
			assert_null(strchr(e.msg, '\n'));
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ok),
		cmocka_unit_test(test_bad_inputs),
		cmocka_unit_test(test_join),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_missing_file_and_directory),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_mutations_never_crash),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
