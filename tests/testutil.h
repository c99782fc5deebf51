/* testutil.h: shared by the cmocka tests. */
#ifndef SERENITY_TESTUTIL_H
#define SERENITY_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "ir.h"

/* A random DAG of n opaque ops: several sources and sinks, sizes from a
 * small set (so ties happen), edges mostly local.  When unconsumed is set,
 * some sinks are left unmarked (freed right after they are made). */
Graph *tu_random_dag(uint64_t seed, int n, bool unconsumed);

/* Graph from plain-format text, through a file (via_file) or from memory:
 * parsers are tested both ways through this one helper. */
Graph *tu_parse(const char *text, bool via_file, Err *e);

/* tu_parse from memory that fails the test on a parse error. */
Graph *tu_graph(const char *text);

/* A uniformly random topological order of g (random tie-breaking). */
void tu_random_order(const Graph *g, uint64_t seed, int *order);

/* True when order[0..n) is a permutation that respects every edge. */
bool tu_is_topological(const Graph *g, const int *order, int n);

#endif
