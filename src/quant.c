/* quant.c: weights and quantization parameters for graphs that come without
 * them (the zoo, plain graphs have no arithmetic at all).
 *
 * Weights are uniform int8 in [-127, 127]; a convolution's or fully
 * connected layer's bias is uniform in +-512 sqrt(fan-in), about a fifth of
 * the spread of its accumulators, so it shifts them without swamping them;
 * weighted-sum weights are in [16, 127] (RandWire's sigmoid-positive
 * weights).  Each constant draws from a stream seeded by its name, so values
 * do not depend on the order constants were made in.  Calibration then
 * picks each op's output scale from the accumulators it actually sees (the
 * 99.9th percentile maps to 127): activations span the int8 range and a
 * few values saturate, as after post-training quantization.
 */
#include "quant.h"

#include <math.h>

#include "ref.h"
#include "rng.h"

static uint64_t seed_of(const char *name, uint64_t seed)
{
	uint64_t s = seed ^ 0xcbf29ce484222325ull;
	for (; *name; name++)
		s = (s ^ (unsigned char)*name) * 0x100000001b3ull;
	return s;
}

static void weights(Graph *g, uint64_t seed)
{
	for (int o = 0; o < g->nops; o++) {
		Op *op = &g->ops[o];
		int64_t cout = g->tensors[op->out[0]].shape.c;
		if (op->weight >= 0) {
			Const *w = &g->consts[op->weight];
			uint64_t s = seed_of(w->name, seed);
			int8_t *d = arena_alloc(g->arena, w->bytes);
			for (int64_t i = 0; i < w->count; i++)
				d[i] = op->kind == OP_WSUM ? (int8_t)(16 + rng_below(&s, 112))
							   : (int8_t)((int)rng_below(&s, 255) - 127);
			w->data = d;
		}
		if (op->bias >= 0) {
			Const *b = &g->consts[op->bias];
			int64_t fanin = op->weight >= 0 && cout ? g->consts[op->weight].count / cout : 1;
			int64_t span = (int64_t)(512 * sqrt((double)fanin));
			uint64_t s = seed_of(b->name, seed);
			int32_t *d = arena_alloc(g->arena, b->bytes);
			for (int64_t i = 0; i < b->count; i++)
				d[i] = (int32_t)((int64_t)rng_below(&s, 2 * span + 1) - span);
			b->data = d;
		}
	}
}

int quant_model(Graph *g, uint64_t seed, Err *e)
{
	weights(g, seed);
	return ref_calibrate(g, e);
}

int quant_model_perchannel(Graph *g, uint64_t seed, Err *e)
{
	weights(g, seed);
	return ref_calibrate_perchannel(g, e);
}
