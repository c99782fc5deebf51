/* rw_channel.c: channel-wise partitioning of concat -> convolution.
 *
 * conv(concat(x_1..x_k)) = requant(sum_i conv_i(x_i)), conv_i using the
 * weights of x_i's input channels: each partial convolution adds into the
 * int32 partial sums of the one before (the first starts from the bias),
 * and one requantization at the end gives the same int8 bits, since int32
 * addition does not care about order.  The concatenated tensor is never
 * made, and each x_i can be freed once its partial convolution has run.
 */
#include "rewrite.h"

#include <stdio.h>
#include <string.h>

static int emit(Graph *f, const Graph *g, int u, const int *parts, const int *c0, int k)
{
	const Op *conv = &g->ops[u];
	int cin = g->tensors[conv->in[0]].shape.c;
	int cout = g->tensors[conv->out[0]].shape.c;
	int kk = conv->win.kh * conv->win.kw;
	const Const *w = &g->consts[conv->weight], *b = &g->consts[conv->bias];
	int psum = -1;
	for (int i = 0; i < k; i++) {
		char name[NNAME];
		snprintf(name, sizeof name, "%s/part%d", conv->name, i);
		psum = ir_pconv(f, name, parts[i], psum, cout, conv->win);
		if (psum < 0)
			return -1;
		const Op *pc = &f->ops[f->nops - 1];
		if (!w->data)
			continue;
		int ci = f->tensors[parts[i]].shape.c;
		Const *pw = &f->consts[pc->weight];
		int8_t *d = arena_alloc(f->arena, pw->bytes);
		for (int oc = 0; oc < cout; oc++)
			memcpy(d + ((size_t)oc * ci) * kk,
			       (const int8_t *)w->data + ((size_t)oc * cin + c0[i]) * kk, (size_t)ci * kk);
		pw->data = d;
		if (pc->bias >= 0) {
			Const *pb = &f->consts[pc->bias];
			pb->data = arena_alloc(f->arena, pb->bytes);
			memcpy(pb->data, b->data, b->bytes);
		}
	}
	int y = ir_requant(f, conv->name, psum);
	if (y >= 0) {
		Op *rq = &f->ops[f->nops - 1];
		ir_copy_qparams(f, rq, conv, 0, cout);
		rq->relu = conv->relu;
		f->tensors[y].output = g->tensors[conv->out[0]].output;
	}
	return y;
}

Graph *rw_channel(const Graph *g, int c, Err *e)
{
	return rw_rebuild(g, c, emit, e);
}
