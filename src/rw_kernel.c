/* rw_kernel.c: kernel-wise partitioning of concat -> depthwise convolution.
 *
 * A depthwise convolution treats every channel alone, so
 *     dwconv(concat(x_1..x_k)) = concat(dwconv_1(x_1), ..., dwconv_k(x_k))
 * with dwconv_i taking x_i's channels of the weights and biases and the
 * same requantization: the same bits.  The wide input is never made; each
 * x_i can go as soon as its own depthwise convolution has run, and a
 * strided one leaves a smaller tensor to keep for the concat.
 */
#include "rewrite.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int emit(Graph *f, const Graph *g, int u, const int *parts, const int *c0, int k)
{
	const Op *conv = &g->ops[u];
	int kk = conv->win.kh * conv->win.kw;
	const Const *w = &g->consts[conv->weight], *b = &g->consts[conv->bias];
	int *outs = malloc(k * sizeof *outs), y = -1;
	if (!outs)
		abort();
	for (int i = 0; i < k; i++) {
		char name[NNAME];
		snprintf(name, sizeof name, "%s/part%d", conv->name, i);
		int ci = f->tensors[parts[i]].shape.c;
		Window win = conv->win;
		win.groups = ci;
		outs[i] = ir_conv(f, name, parts[i], ci, win);
		if (outs[i] < 0)
			goto out;
		Op *dw = &f->ops[f->nops - 1];
		ir_copy_qparams(f, dw, conv, c0[i], ci);
		dw->relu = conv->relu;
		if (!w->data)
			continue;
		Const *pw = &f->consts[dw->weight], *pb = &f->consts[dw->bias];
		pw->data = arena_alloc(f->arena, pw->bytes);
		memcpy(pw->data, (const int8_t *)w->data + (size_t)c0[i] * kk, (size_t)ci * kk);
		pb->data = arena_alloc(f->arena, pb->bytes);
		memcpy(pb->data, (const int32_t *)b->data + c0[i], (size_t)ci * sizeof(int32_t));
	}
	y = ir_concat(f, conv->name, outs, k);
	if (y >= 0)
		f->tensors[y].output = g->tensors[conv->out[0]].output;
out:
	free(outs);
	return y;
}

Graph *rw_kernel(const Graph *g, int c, Err *e)
{
	return rw_rebuild(g, c, emit, e);
}
