/* offchip.c: the off-chip plan.
 *
 * Memory model of the NPU: compute reads its operands from SRAM or, streamed
 * by the DMA, straight from DRAM, and writes its result to either; weights
 * always stream from DRAM.  A tensor therefore has one home for its whole
 * life.  In SRAM it costs no traffic; in DRAM it costs its bytes once when
 * made and once per reader.  Graph inputs start in DRAM (loading one into
 * SRAM reads it once) and graph outputs end there (writing one back is
 * paid either way): those, with the weights, are the compulsory traffic.
 *
 * Planning is eviction until the SRAM placement fits.  While the best
 * placement (plan.c) of the SRAM-homed tensors spans more than the SRAM,
 * take the step with the most live SRAM bytes and evict, among the tensors
 * live there, the one with the least added traffic per byte-step of relief
 * (its bytes times the number of over-full steps it spans).  Where the live
 * bytes fit but the placement does not (fragmentation), the over-full steps
 * are those of the buffers placed past the end.
 */
#include "offchip.h"

#include <stdlib.h>
#include <string.h>

void offchip_free(OffchipPlan *p)
{
	free(p->in_sram);
	free(p->offset);
	memset(p, 0, sizeof *p);
}

int64_t offchip_read_bytes(const OffchipPlan *p)
{
	return p->weight_read + p->act_read;
}

int64_t offchip_write_bytes(const OffchipPlan *p)
{
	return p->act_write;
}

/* Traffic tensor t adds when homed in DRAM rather than SRAM. */
static int64_t evict_cost(const Graph *g, int t)
{
	const Tensor *tt = &g->tensors[t];
	bool input = g->ops[tt->producer].kind == OP_INPUT;
	int64_t cost = tt->bytes * tt->ncons; /* each reader streams it */
	if (!input && !tt->output)
		cost += tt->bytes; /* written once when made */
	if (input)
		cost -= tt->bytes; /* no load into SRAM any more */
	return cost;
}

static void account(const Graph *g, OffchipPlan *p)
{
	p->weight_read = p->act_read = p->act_write = 0;
	p->compulsory = 0;
	for (int o = 0; o < g->nops; o++) {
		const Op *op = &g->ops[o];
		/* weighted-sum weights travel in the instruction, not from DRAM */
		if (op->kind == OP_WSUM)
			continue;
		if (op->weight >= 0)
			p->weight_read += g->consts[op->weight].bytes;
		if (op->qmuls) /* per-channel table: {bias, qmul, qshift} per channel, docs/isa.md */
			p->weight_read += 12 * (int64_t)g->tensors[op->out[0]].shape.c;
		else if (op->bias >= 0)
			p->weight_read += g->consts[op->bias].bytes;
	}
	p->compulsory = p->weight_read;
	for (int t = 0; t < g->ntensors; t++) {
		const Tensor *tt = &g->tensors[t];
		bool input = g->ops[tt->producer].kind == OP_INPUT;
		if (input)
			p->compulsory += tt->bytes;
		if (tt->output)
			p->compulsory += tt->bytes;
		if (p->in_sram[t]) {
			p->act_read += input ? tt->bytes : 0;    /* the load */
			p->act_write += tt->output ? tt->bytes : 0; /* the store */
		} else {
			p->act_read += tt->bytes * tt->ncons;
			p->act_write += input ? 0 : tt->bytes;
		}
	}
}

int offchip_plan(const Graph *g, const int *order, int64_t sram_bytes, int64_t align,
		 OffchipPlan *p, Err *e)
{
	memset(p, 0, sizeof *p);
	p->sram_bytes = sram_bytes;
	p->in_sram = xcalloc(g->ntensors, sizeof *p->in_sram);
	p->offset = xcalloc(g->ntensors, sizeof *p->offset);
	for (int t = 0; t < g->ntensors; t++)
		p->in_sram[t] = g->tensors[t].bytes > 0;
	Plan all;
	plan_init(&all, align);
	plan_from_schedule(&all, g, order); /* lifetimes of every tensor */
	int steps = g->nops;
	int64_t *over = xcalloc(steps + 1, sizeof *over);
	int rc = -1;
	for (;;) {
		Plan pl;
		plan_init(&pl, align);
		for (int i = 0; i < all.n; i++)
			if (p->in_sram[all.buf[i].tensor])
				plan_add(&pl, all.buf[i].size, all.buf[i].first, all.buf[i].last,
					 all.buf[i].tensor);
		plan_place(&pl, PLAN_BEST);
		if (pl.arena <= sram_bytes) {
			for (int t = 0; t < g->ntensors; t++)
				p->offset[t] = -1;
			for (int i = 0; i < pl.n; i++)
				p->offset[pl.buf[i].tensor] = pl.buf[i].offset;
			p->arena = pl.arena;
			plan_free(&pl);
			break;
		}
		/* Over-full steps: where live bytes exceed the SRAM, else where a
		 * buffer sticks out past its end. */
		memset(over, 0, (steps + 1) * sizeof *over);
		bool any = false;
		for (int i = 0; i < pl.n; i++)
			for (int s = pl.buf[i].first; s <= pl.buf[i].last; s++)
				over[s] += (pl.buf[i].size + align - 1) / align * align;
		for (int s = 0; s < steps; s++) {
			over[s] = over[s] > sram_bytes;
			any |= over[s] != 0;
		}
		if (!any)
			for (int i = 0; i < pl.n; i++)
				if (pl.buf[i].offset + pl.buf[i].size > sram_bytes)
					for (int s = pl.buf[i].first; s <= pl.buf[i].last; s++)
						over[s] = 1;
		int victim = -1;
		double best = 0;
		for (int i = 0; i < pl.n; i++) {
			const PlanBuf *b = &pl.buf[i];
			int64_t span = 0;
			for (int s = b->first; s <= b->last; s++)
				span += over[s];
			if (!span)
				continue;
			double relief = (double)b->size * span;
			double cost = (double)evict_cost(g, b->tensor);
			double score = relief / (cost > 1 ? cost : 1);
			if (victim < 0 || score > best) {
				best = score;
				victim = b->tensor;
			}
		}
		plan_free(&pl);
		if (victim < 0) {
			err_set(e, "graph %s: no placement fits %lld bytes of SRAM", g->name,
				(long long)sram_bytes);
			goto out;
		}
		p->in_sram[victim] = false;
		p->evicted++;
	}
	account(g, p);
	rc = 0;
out:
	free(over);
	plan_free(&all);
	if (rc)
		offchip_free(p);
	return rc;
}
