/* test_zoo.c: the built-in networks build, verify, and measure as documented
 * in docs/zoo.md. */
#include "testutil.h"

#include <string.h>

#include "mem.h"
#include "zoo.h"

typedef struct Expect {
	const char *name;
	int ops;
	int64_t macs;
	int64_t params;
} Expect;

/* Measured values, as in docs/zoo.md: a change here is a change of the
 * networks, and the docs and results must follow. */
static const Expect expect[] = {
	{"darts-imagenet", 485, 529911552, 4715368},
	{"randwire-cifar10", 198, 113689344, 1153746},
	{"randwire-cifar100", 294, 161781440, 4521724},
	{"swiftnet-hpd", 154, 56849744, 246708},
};

static void test_counts(void **state)
{
	(void)state;
	assert_int_equal(zoo_nnets, sizeof expect / sizeof expect[0]);
	for (int i = 0; i < zoo_nnets; i++) {
		Err e;
		Graph *g = zoo_build(expect[i].name, &e);
		if (!g)
			fail_msg("%s: %s", expect[i].name, e.msg);
		assert_string_equal(zoo_nets[i].name, expect[i].name);
		if (g->nops != expect[i].ops || ir_macs(g) != expect[i].macs ||
		    ir_params(g) != expect[i].params)
			fail_msg("%s: ops %d MACs %lld params %lld, documented %d %lld %lld",
				 expect[i].name, g->nops, (long long)ir_macs(g),
				 (long long)ir_params(g), expect[i].ops, (long long)expect[i].macs,
				 (long long)expect[i].params);
		ir_free(g);
	}
}

static void test_structure(void **state)
{
	(void)state;
	for (int i = 0; i < zoo_nnets; i++) {
		Err e;
		Graph *g = zoo_build(zoo_nets[i].name, &e);
		assert_non_null(g);
		assert_int_equal(ir_verify(g, &e), 0);
		/* One input op, first; one graph output, the classifier. */
		int inputs = 0, outputs = 0;
		for (int o = 0; o < g->nops; o++)
			inputs += g->ops[o].kind == OP_INPUT;
		for (int t = 0; t < g->ntensors; t++)
			outputs += g->tensors[t].output;
		assert_int_equal(inputs, 1);
		assert_int_equal(g->ops[0].kind, OP_INPUT);
		assert_int_equal(outputs, 1);
		assert_int_equal(g->ops[g->nops - 1].kind, OP_FC);
		/* int8 activations: one byte per element. */
		for (int t = 0; t < g->ntensors; t++)
			assert_int_equal(g->tensors[t].bytes, ir_shape_elems(g->tensors[t].shape));
		/* Irregular wiring: some op has several consumers or inputs. */
		int branchy = 0;
		for (int t = 0; t < g->ntensors; t++)
			branchy += g->tensors[t].ncons > 1;
		assert_true(branchy > 5);
		ir_free(g);
	}
}

static void test_unknown(void **state)
{
	(void)state;
	Err e;
	assert_null(zoo_build("resnet-9000", &e));
	assert_non_null(strstr(e.msg, "zoo:resnet-9000"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_unknown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
