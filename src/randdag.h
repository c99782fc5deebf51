/* randdag.h: seeded random DAGs, for benchmarks and property tests. */
#ifndef SERENITY_RANDDAG_H
#define SERENITY_RANDDAG_H

#include "ir.h"

/* n opaque ops; op i reads 1..3 ops among the `window` before it (now and
 * then any earlier op), a few ops are extra sources; sizes are multiples of
 * 1 KiB.  Linked, unconsumed tensors marked as outputs. */
Graph *randdag_new(uint64_t seed, int n, int window);

#endif
