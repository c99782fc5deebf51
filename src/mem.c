/* mem.c: peak and lower bound of an order under the paper's memory model. */
#include "mem.h"

#include <stdlib.h>

int mem_check_order(const Graph *g, const int *order, int n, Err *e)
{
	int rc = -1;
	char *done = calloc(g->nops ? g->nops : 1, 1);
	if (!done)
		abort();
	if (n != g->nops) {
		err_set(e, "order has %d ops, graph %s has %d", n, g->name, g->nops);
		goto out;
	}
	for (int i = 0; i < n; i++) {
		int o = order[i];
		if (o < 0 || o >= g->nops) {
			err_set(e, "order step %d: no op %d", i, o);
			goto out;
		}
		if (done[o]) {
			err_set(e, "node %s: scheduled twice", g->ops[o].name);
			goto out;
		}
		for (int k = 0; k < g->ops[o].nin; k++) {
			int p = g->tensors[g->ops[o].in[k]].producer;
			if (!done[p]) {
				err_set(e, "node %s: runs before its input %s", g->ops[o].name,
					g->ops[p].name);
				goto out;
			}
		}
		done[o] = 1;
	}
	rc = 0;
out:
	free(done);
	return rc;
}

int64_t mem_held_bytes(const Graph *g, int t)
{
	return g->tensors[t].in_dram ? 0 : g->tensors[t].bytes;
}

int64_t mem_made_bytes(const Graph *g, int t)
{
	const Tensor *tt = &g->tensors[t];
	return g->ops[tt->producer].kind == OP_JOIN ? 0 : mem_held_bytes(g, t);
}

int64_t mem_freed_bytes(const Graph *g, int t)
{
	const Tensor *tt = &g->tensors[t];
	if (tt->in_dram)
		return 0;
	for (int i = 0; i < tt->ncons; i++)
		if (g->ops[tt->cons[i]].kind == OP_JOIN)
			return 0;
	return tt->bytes;
}

int64_t mem_op_footprint(const Graph *g, int o)
{
	const Op *op = &g->ops[o];
	int64_t m = 0;
	for (int i = 0; i < op->nin; i++)
		if (!ir_repeat(op, i))
			m += mem_held_bytes(g, op->in[i]);
	for (int i = 0; i < op->nout; i++)
		m += mem_made_bytes(g, op->out[i]);
	return m;
}

int64_t mem_output_bytes(const Graph *g)
{
	int64_t b = 0;
	for (int t = 0; t < g->ntensors; t++)
		if (g->tensors[t].output)
			b += mem_held_bytes(g, t);
	return b;
}

int64_t mem_lower_bound(const Graph *g)
{
	int64_t lb = 0;
	for (int o = 0; o < g->nops; o++) {
		int64_t m = mem_op_footprint(g, o);
		if (m > lb)
			lb = m;
	}
	return lb;
}

int64_t mem_peak(const Graph *g, const int *order, int64_t *step)
{
	int *left = malloc((g->ntensors ? g->ntensors : 1) * sizeof *left);
	if (!left)
		abort();
	for (int t = 0; t < g->ntensors; t++)
		left[t] = g->tensors[t].ncons;
	int64_t live = 0, peak = 0;
	for (int i = 0; i < g->nops; i++) {
		const Op *op = &g->ops[order[i]];
		for (int k = 0; k < op->nout; k++)
			live += mem_made_bytes(g, op->out[k]);
		if (live > peak)
			peak = live;
		if (step)
			step[i] = live;
		/* Consumer lists hold each op once, so count each input once. */
		for (int k = 0; k < op->nin; k++) {
			int t = op->in[k];
			if (!ir_repeat(op, k) && --left[t] == 0 && !g->tensors[t].output)
				live -= mem_freed_bytes(g, t);
		}
		for (int k = 0; k < op->nout; k++) {
			const Tensor *t = &g->tensors[op->out[k]];
			if (t->ncons == 0 && !t->output)
				live -= mem_made_bytes(g, op->out[k]);
		}
	}
	free(left);
	return peak;
}
