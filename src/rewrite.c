/* rewrite.c: which rewrites apply, and applying those that pay.
 *
 * The paper rewrites wherever the pattern matches.  Here a rewrite is kept
 * only when the memory-optimal schedule of the rewritten graph peaks lower
 * than the current graph's: partial sums are int32 (four bytes where the
 * concat had one), so partitioning can also cost memory.  Candidates are the
 * concats, tried in definition order, both kinds each; the pass repeats
 * until a whole round changes nothing, since one rewrite can move the peak
 * to where another helps.
 */
#include "rewrite.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

const char *rw_name(RwKind k)
{
	return k == RW_CHANNEL ? "channel" : k == RW_KERNEL ? "kernel" : "?";
}

static bool conv_fits(const Graph *g, RwKind k, int o, int t)
{
	const Op *op = &g->ops[o];
	if (op->kind != OP_CONV || op->nin != 1 || op->in[0] != t)
		return false;
	int cin = g->tensors[t].shape.c, cout = g->tensors[op->out[0]].shape.c;
	if (k == RW_CHANNEL)
		return op->win.groups == 1;
	return op->win.groups == cin && cout == cin; /* depthwise, multiplier 1 */
}

bool rw_applies(const Graph *g, RwKind k, int c)
{
	const Op *cat = &g->ops[c];
	if (cat->kind != OP_CONCAT || cat->nin < 2)
		return false;
	const Tensor *t = &g->tensors[cat->out[0]];
	if (t->output || t->ncons == 0)
		return false;
	for (int i = 0; i < t->ncons; i++) {
		int u = t->cons[i];
		if (conv_fits(g, k, u, cat->out[0]))
			continue;
		const Op *r = &g->ops[u];
		if (r->kind != OP_RELU || r->nin != 1)
			return false;
		const Tensor *rt = &g->tensors[r->out[0]];
		if (rt->output || rt->ncons == 0)
			return false;
		for (int j = 0; j < rt->ncons; j++)
			if (!conv_fits(g, k, rt->cons[j], r->out[0]))
				return false;
	}
	return true;
}

static int64_t dp_peak(const Graph *g, const DpOpts *dp, Err *e)
{
	int *order = malloc(g->nops * sizeof *order);
	if (!order)
		abort();
	DpStats st;
	int64_t p = -1;
	/* rewrites are chosen for the peak, whatever the final objective */
	DpOpts peak = dp ? *dp : (DpOpts){0};
	peak.objective = DP_PEAK;
	peak.op_cycles = NULL;
	if (sched_dp(g, &peak, order, &st, e) == 0)
		p = mem_peak(g, order, NULL);
	free(order);
	return p;
}

Graph *rw_rebuild(const Graph *g, int c, RwEmit emit, Err *e)
{
	Graph *f = ir_new(g->name);
	f->acc_bits = g->acc_bits;
	int *map = xmalloc(g->ntensors * sizeof *map); /* g tensor -> f tensor */
	int nmax = 1;
	for (int o = 0; o < g->nops; o++)
		nmax = g->ops[o].nin > nmax ? g->ops[o].nin : nmax;
	int *ins = xmalloc(nmax * sizeof *ins);
	const Op *cat = c >= 0 ? &g->ops[c] : NULL;
	int k = cat ? cat->nin : 0, tc = cat ? cat->out[0] : -1;
	int *c0 = xmalloc((k + 1) * sizeof *c0), *parts = xmalloc((k + 1) * sizeof *parts);
	/* the parts of each ReLU that reads the concat: relu op -> k tensors */
	int *relu_parts = xmalloc((size_t)g->nops * (k + 1) * sizeof *relu_parts);
	for (int i = 0; i < k; i++)
		c0[i] = i ? c0[i - 1] + g->tensors[cat->in[i - 1]].shape.c : 0;
	for (int o = 0; o < g->nops && ir_ok(f); o++) {
		const Op *op = &g->ops[o];
		if (o == c)
			continue; /* the concat is never made */
		bool reads_cat = op->nin == 1 && op->in[0] == tc;
		if (reads_cat && op->kind == OP_RELU) {
			for (int i = 0; i < k; i++) {
				const char *nm = g->tensors[cat->in[i]].name;
				char name[NNAME];
				snprintf(name, sizeof name, "%s/%s", op->name, nm);
				relu_parts[(size_t)o * (k + 1) + i] = ir_relu(f, name, map[cat->in[i]]);
			}
			map[op->out[0]] = -1;
			continue;
		}
		int src = reads_cat ? c : op->nin == 1 ? g->tensors[op->in[0]].producer : -1;
		bool via_relu = src >= 0 && src != c && g->ops[src].kind == OP_RELU &&
				g->ops[src].nin == 1 && g->ops[src].in[0] == tc;
		if (op->kind == OP_CONV && (reads_cat || via_relu)) {
			for (int i = 0; i < k; i++)
				parts[i] = reads_cat ? map[cat->in[i]]
						     : relu_parts[(size_t)src * (k + 1) + i];
			map[op->out[0]] = emit(f, g, o, parts, c0, k);
			continue;
		}
		for (int i = 0; i < op->nin; i++)
			ins[i] = map[op->in[i]];
		map[op->out[0]] = ir_copy_op(f, g, o, ins);
	}
	free(map);
	free(ins);
	free(c0);
	free(parts);
	free(relu_parts);
	if (ir_ok(f))
		ir_link(f);
	if (ir_verify(f, e)) {
		ir_free(f);
		return NULL;
	}
	return f;
}

static Graph *copy_graph(const Graph *g, Err *e)
{
	return rw_rebuild(g, -1, NULL, e);
}

Graph *rw_apply(const Graph *g, const DpOpts *dp, RwStats *st, Err *e)
{
	memset(st, 0, sizeof *st);
	Graph *cur = copy_graph(g, e);
	if (!cur)
		return NULL;
	int64_t best = dp_peak(cur, dp, e);
	if (best < 0)
		goto fail;
	st->peak_before = best;
	for (bool changed = true; changed;) {
		changed = false;
		for (int c = 0; c < cur->nops; c++) {
			for (int k = 0; k < NRW; k++) {
				if (!rw_applies(cur, (RwKind)k, c))
					continue;
				st->tried++;
				Graph *cand = k == RW_CHANNEL ? rw_channel(cur, c, e) : rw_kernel(cur, c, e);
				if (!cand)
					goto fail;
				int64_t pk = dp_peak(cand, dp, e);
				if (pk < 0) {
					ir_free(cand);
					goto fail;
				}
				if (pk < best) {
					ir_free(cur);
					cur = cand;
					best = pk;
					st->applied[k]++;
					changed = true;
					break; /* op indices moved: look at this spot again */
				}
				ir_free(cand);
			}
		}
	}
	st->peak_after = best;
	return cur;
fail:
	ir_free(cur);
	return NULL;
}

Graph *rw_apply_all(const Graph *g, RwStats *st, Err *e)
{
	memset(st, 0, sizeof *st);
	Graph *cur = copy_graph(g, e);
	for (int c = 0; cur && c < cur->nops; c++)
		for (int k = 0; k < NRW; k++) {
			if (!rw_applies(cur, (RwKind)k, c))
				continue;
			Graph *next = k == RW_CHANNEL ? rw_channel(cur, c, e) : rw_kernel(cur, c, e);
			ir_free(cur);
			cur = next;
			st->tried++;
			st->applied[k]++;
			c = -1; /* indices moved: start over; each rewrite removes a concat */
			break;
		}
	return cur;
}
