/* zoo_swiftnet.c: a SwiftNet-like network for human presence detection.
 *
 * SwiftNet (Cheng et al. 2019, "SwiftNet: Using Graph Propagation as
 * Meta-knowledge to Search Highly Representative Neural Architectures") is
 * found by GRAM, a node-wise search over complete DAGs; the Serenity paper
 * benchmarks its human presence detection (HPD) model: 57.4M MACs and
 * 249.7K int8 weights.  Its searched cells are not public, so this is an
 * approximation that keeps what matters for memory scheduling: irregularly
 * wired cells whose nodes combine earlier nodes by add and by concat, with
 * concat -> conv and concat -> depthwise conv patterns, at the sizes above.
 *
 * Network (int8, batch 1, batch norm folded into the convolutions):
 *   input 1x3x128x128 (RGB; a plausible HPD camera frame, as in the
 *   128x128 visual wake word models), stem conv 3x3/2 + ReLU -> 64x64,
 *   then the cells of stage[] below, global average pooling, FC to 2.
 *
 * A cell reads one tensor x (the previous cell's output) and has two
 * parts, written in the order a plain PyTorch forward() runs them:
 *   branches  b0..b4, each an op applied to x (stride 2 in reduction
 *             cells), all computed first, branch by branch;
 *   nodes     n0..n3, each the sum of one or two terms, a term being an
 *             op applied to one earlier state or to the concat of several
 *             (DenseNet/NASNet-like wiring across nodes);
 * and returns the concat of four states, 4C channels.  Ops are DARTS-style
 * ReLU -> conv (+ folded BN): "sep k" is ReLU, depthwise k x k, pointwise
 * 1x1; "dil 3" is the same with a 3x3 depthwise of dilation 2; "conv 1" is
 * ReLU, 1x1 conv; pools read x directly; "id" makes no op.
 *
 * The normal cell (states: b0..b4 = 0..4, n0..n3 = 5..8):
 *
 *        x ---+--------+--------+--------+--------+
 *          conv1     sep3     sep5     dil3    avgpool3
 *            b0       b1       b2       b3       b4
 *            +---add--+        |        |        |
 *                n0 ----cat----+        |        |
 *                |      sep3            |        |
 *                |       n1 -------cat--+--------+
 *                |       |            conv1
 *                +-------|-------------add
 *                |       |              n2
 *                |       +----cat--------+
 *                |            sep5
 *                |             +--add-- b2
 *                |             n3
 *        out = cat(n0, n1, n2, n3)
 *
 * The reduction cell has the same shape with other ops (see cell_reduce).
 * Because the branches come first and some are only read by the last
 * nodes, and the output concat reads nodes made early, the definition
 * order keeps large tensors alive longer than a good order would.
 *
 * The widths in stage[] were chosen so that MACs and parameters (weights
 * plus biases, as ir_params counts them) land near the paper's 57.4M and
 * 249.7K; the measured values are in docs/zoo-parts/swiftnet-hpd.md.
 */
#include "zoo.h"

enum {
	NNODE = 10, /* nodes per cell after the input node */
	NSRC = 3,   /* most states one term concatenates */
	NTERM = 2,  /* most terms one node sums */
	NOUT = 4,   /* nodes the cell output concatenates */
};

typedef enum CellOp {
	CO_NONE, /* unused term or node */
	CO_ID,   /* identity: the state itself, no op */
	CO_CONV1,
	CO_SEP3,
	CO_SEP5,
	CO_DIL3,
	CO_AVG3,
	CO_MAX3,
} CellOp;

typedef struct Term {
	CellOp op;
	int src[NSRC]; /* nodes read, concatenated when more than one; -1 ends */
} Term;

typedef struct Node {
	int down;           /* at the cell's output resolution (matters when it reduces) */
	Term t[NTERM];      /* the node is the sum of its terms */
} Node;

typedef struct Genotype {
	Node node[NNODE];   /* node i + 1; node 0 is the cell input after 1x1 */
	int out[NOUT];      /* nodes concatenated to the cell output */
} Genotype;

#define T1(op, a) {op, {a, -1, -1}}
#define T2(op, a, b) {op, {a, b, -1}}
#define T3(op, a, b, c) {op, {a, b, c}}
#define TNONE {CO_NONE, {-1, -1, -1}}

static const Genotype cell_normal = {
	.node = {
		{0, {T1(CO_CONV1, 0), TNONE}},
		{0, {T1(CO_SEP3, 0), TNONE}},
		{0, {T1(CO_SEP5, 0), TNONE}},
		{0, {T1(CO_DIL3, 0), TNONE}},
		{0, {T1(CO_AVG3, 0), TNONE}},
		{0, {T1(CO_ID, 1), T1(CO_ID, 2)}},
		{0, {T2(CO_SEP3, 6, 3), TNONE}},
		{0, {T3(CO_CONV1, 7, 4, 5), T1(CO_ID, 6)}},
		{0, {T2(CO_SEP5, 7, 8), T1(CO_ID, 3)}},
	},
	.out = {6, 7, 8, 9},
};

static const Genotype cell_reduce = {
	.node = {
		{0, {T1(CO_CONV1, 0), TNONE}},
		{0, {T1(CO_SEP3, 0), TNONE}},
		{0, {T1(CO_SEP5, 0), TNONE}},
		{0, {T1(CO_DIL3, 0), TNONE}},
		{1, {T1(CO_MAX3, 0), TNONE}},
		{1, {T2(CO_SEP3, 1, 2), TNONE}},
		{1, {T2(CO_SEP5, 2, 3), T1(CO_ID, 5)}},
		{1, {T1(CO_SEP3, 4), T1(CO_ID, 6)}},
		{1, {T3(CO_CONV1, 6, 7, 8), TNONE}},
	},
	.out = {6, 7, 8, 9},
};

typedef struct Stage {
	int c;        /* cell width C: every node has C channels */
	int reduce;   /* the cell halves the resolution */
} Stage;

enum { STEM_C = 16 };

static const Stage stage[] = {
	{16, 1}, {16, 0},
	{32, 1}, {32, 0}, {32, 0},
	{74, 1}, {74, 0},
};

/* One op on state x, conv + folded BN + ReLU; returns its output tensor. */
static int cell_op(Graph *g, const char *p, CellOp op, int x, int c, int stride)
{
	int y;
	switch (op) {
	case CO_ID:
		return x;
	case CO_CONV1:
		y = zoo_conv(g, zoo_name(g, "%s/conv", p), x, c, 1, stride, 1, 1);
		break;
	case CO_SEP3:
	case CO_SEP5:
		y = zoo_sepconv(g, p, x, c, op == CO_SEP3 ? 3 : 5, stride, 1);
		break;
	case CO_DIL3:
		y = zoo_sepconv(g, p, x, c, 3, stride, 2);
		break;
	case CO_AVG3:
		return ir_pool(g, zoo_name(g, "%s/avgpool", p), OP_AVGPOOL, x, ir_window(3, stride, 1, 1));
	case CO_MAX3:
		return ir_pool(g, zoo_name(g, "%s/maxpool", p), OP_MAXPOOL, x, ir_window(3, stride, 1, 1));
	default:
		return -1;
	}
	return ir_relu(g, zoo_name(g, "%s/relu", p), y);
}

static int cell(Graph *g, int k, const Genotype *gt, int x, int c, int reduce)
{
	int s[NNODE + 1], down[NNODE + 1] = {0};
	s[0] = cell_op(g, zoo_name(g, "cell%d/n0", k), CO_CONV1, x, c, 1);
	for (int n = 1; n <= NNODE && gt->node[n - 1].t[0].op != CO_NONE; n++) {
		const Node *nd = &gt->node[n - 1];
		int sum[NTERM], nsum = 0;
		down[n] = nd->down;
		for (int t = 0; t < NTERM && nd->t[t].op != CO_NONE; t++) {
			const Term *tm = &nd->t[t];
			const char *p = zoo_name(g, "cell%d/n%d/op%d", k, n, t);
			int in[NSRC], nin = 0;
			for (int i = 0; i < NSRC && tm->src[i] >= 0; i++)
				in[nin++] = s[tm->src[i]];
			int y = nin == 1 ? in[0] : ir_concat(g, zoo_name(g, "%s/cat", p), in, nin);
			int stride = reduce && nd->down && !down[tm->src[0]] ? 2 : 1;
			sum[nsum++] = cell_op(g, p, tm->op, y, c, stride);
		}
		s[n] = nsum == 1 ? sum[0] : ir_add(g, zoo_name(g, "cell%d/n%d/add", k, n), sum, nsum);
	}
	int out[NOUT];
	for (int i = 0; i < NOUT; i++)
		out[i] = s[gt->out[i]];
	return ir_concat(g, zoo_name(g, "cell%d/out", k), out, NOUT);
}

void zoo_swiftnet_hpd(Graph *g)
{
	int x = ir_input(g, "input", (Shape){1, 3, 128, 128}, DT_I8);
	x = zoo_conv(g, "stem/conv", x, STEM_C, 3, 2, 1, 1);
	x = ir_relu(g, "stem/relu", x);
	for (int k = 0; k < (int)(sizeof stage / sizeof stage[0]); k++) {
		const Stage *st = &stage[k];
		x = cell(g, k, st->reduce ? &cell_reduce : &cell_normal, x, st->c, st->reduce);
	}
	x = ir_gavgpool(g, "head/gap", x);
	ir_fc(g, "head/fc", x, 2);
}
