/* randdag.c: seeded random DAGs with branches, skips, several sources and
 * sinks: graphs without the structure the zoo's networks have, to see how
 * the schedulers behave where nothing is regular.  Ops left unread when
 * they leave the window are picked up first, so that most ops are read and
 * graph outputs (which the memory model never frees) stay few. */
#include "randdag.h"

#include <stdio.h>
#include <stdlib.h>

#include "rng.h"

Graph *randdag_new(uint64_t seed, int n, int window)
{
	static const int64_t kib[] = {1, 2, 2, 4, 4, 8, 16, 32};
	uint64_t s = seed;
	Graph *g = ir_new("random");
	int ins[3];
	if (window < 1)
		window = 1;
	char *read = calloc(n > 0 ? n : 1, 1);
	if (!read)
		abort();
	int oldest = 0; /* no op before it is left unread */
	for (int i = 0; i < n; i++) {
		int nin = 0;
		if (i > 0 && rng_below(&s, 16) != 0) {
			int want = 1 + (int)rng_below(&s, 3);
			/* The first input is the oldest op nobody reads yet, once it
			 * is about to leave the window: few sinks, as in networks. */
			while (oldest < i && read[oldest])
				oldest++;
			if (oldest < i && oldest <= i - window)
				ins[nin++] = oldest;
			for (int k = nin; k < want; k++) {
				int lo = i > window ? i - window : 0;
				ins[nin++] = rng_below(&s, 8) ? lo + (int)rng_below(&s, i - lo)
							      : (int)rng_below(&s, i);
			}
		}
		for (int k = 0; k < nin; k++)
			read[ins[k]] = 1;
		char name[32];
		snprintf(name, sizeof name, "v%d", i);
		ir_opaque(g, name, 1024 * kib[rng_below(&s, sizeof kib / sizeof kib[0])], ins, nin);
	}
	free(read);
	ir_mark_unconsumed_outputs(g);
	ir_link(g);
	return g;
}
