/* fuse.c: fold ReLUs into the op that makes their input.
 *
 * TensorFlow Lite's converter (and every NPU compiler) gives convolutions,
 * fully connected layers and elementwise adds a fused activation: when a
 * ReLU is the only reader of such an op's output, the op clamps its own
 * result and the pre-activation tensor never exists.  The zoo networks are
 * written as their reference code calls layers (conv, BN, ReLU); this pass
 * turns them into the graphs a deployment runs, so that peaks compare with
 * what TensorFlow Lite would hold.  A ReLU whose input has other readers
 * (DARTS's ReLU-Conv-BN on a shared cell input) stays an op of its own.
 */
#include "fuse.h"

#include <stdlib.h>

static bool fusable(OpKind k)
{
	return k == OP_CONV || k == OP_FC || k == OP_ADD || k == OP_WSUM;
}

Graph *fuse_relu(const Graph *g, Err *e)
{
	Graph *f = ir_new(g->name);
	f->acc_bits = g->acc_bits;
	int *map = malloc((g->ntensors ? g->ntensors : 1) * sizeof *map); /* old -> new tensor */
	int *ins = NULL;
	if (!map)
		abort();
	for (int o = 0; o < g->nops; o++) {
		const Op *op = &g->ops[o];
		if (op->kind == OP_RELU && op->nin == 1) {
			const Tensor *x = &g->tensors[op->in[0]];
			const Op *p = &g->ops[x->producer];
			if (fusable(p->kind) && !p->relu && x->ncons == 1 && !x->output) {
				int t = map[op->in[0]];
				f->ops[f->tensors[t].producer].relu = true;
				if (g->tensors[op->out[0]].output)
					ir_mark_output(f, t);
				map[op->out[0]] = t;
				continue;
			}
		}
		ins = realloc(ins, (op->nin ? op->nin : 1) * sizeof *ins);
		if (!ins)
			abort();
		for (int i = 0; i < op->nin; i++)
			ins[i] = map[op->in[i]];
		map[op->out[0]] = ir_copy_op(f, g, o, ins);
		if (map[op->out[0]] < 0)
			break;
	}
	free(map);
	free(ins);
	if (ir_ok(f))
		ir_link(f);
	if (ir_verify(f, e)) {
		ir_free(f);
		return NULL;
	}
	return f;
}
