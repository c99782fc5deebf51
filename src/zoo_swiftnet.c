/* zoo_swiftnet.c: a SwiftNet-like network for human presence detection.
 *
 * SwiftNet (Cheng et al. 2019, "SwiftNet: Using Graph Propagation as
 * Meta-knowledge to Search Highly Representative Neural Architectures") is
 * found by GRAM, a node-wise search over DAGs of operations, and the
 * Serenity paper benchmarks its human presence detection (HPD) model:
 * 57.4M MACs, 249.7K int8 weights.  The searched cells are not public, so
 * this network is an approximation, not SwiftNet itself.  It keeps what
 * matters for memory scheduling: irregularly wired cells whose nodes
 * combine earlier nodes by add and by concat, with concat -> conv and
 * concat -> depthwise conv patterns, at about the paper's MACs and weights.
 *
 * Network (int8, batch 1, batch norm folded into the convolutions):
 *   input 1x3x128x128 (an assumption: an RGB frame at the 128x128 that
 *   person-detection models on microcontrollers commonly use),
 *   stem conv 3x3/2 (3 -> 16) + ReLU, 64x64,
 *   cells of stage[]: reduction C=16 (to 32x32), normal C=16,
 *   reduction C=32 (to 16x16), 2 normal C=32, reduction C=74 (to 8x8),
 *   normal C=74; a cell outputs 4C channels,
 *   global average pooling, FC (296 -> 2).
 *
 * A cell is a DAG of nodes n0..n9, each C channels wide.  n0 is the cell
 * input after a 1x1 conv.  Every later node is the sum of one or two
 * terms, a term being an op applied to one earlier node or to the concat
 * of several (DenseNet/NASNet-like wiring across nodes).  The cell returns
 * the concat of n6..n9.  Ops are conv + BN + ReLU (the ReLU is an ir_relu,
 * which the zoo's ReLU fusion folds into the conv):
 *   conv1  1x1 conv;
 *   sep3   depthwise 3x3, pointwise 1x1 (BN folded into both), ReLU;
 *   sep5   the same with 5x5; dil3 the same with a 3x3 of dilation 2;
 *   avg3 / max3  3x3 pooling, pad 1, no ReLU; id  the node itself, no op.
 * The nodes are written in the order a plain PyTorch forward() computes
 * them: first every op on n0 (n1..n5, "branches"), then the nodes that
 * combine them.  So branch outputs are made early and some are read only
 * by the last nodes, and the output concat reads nodes made early.
 *
 * Normal cell (stride 1):
 *
 *   x -> conv1 -> n0 --+--------+--------+--------+--------+
 *                    conv1     sep3     sep5     dil3     avg3
 *                     n1        n2       n3       n4       n5
 *                     +--add----+        |        |        |
 *                         n6 ------cat---+        |        |
 *                         |       sep3            |        |
 *                         |        n7 ------cat---+--------+
 *                         |        |             conv1
 *                         +--------|--------------add
 *                         |        |               n8
 *                         |        +------cat------+
 *                         |              sep5
 *                         |               +--add-- n3
 *                         |               n9
 *   out = cat(n6, n7, n8, n9)
 *
 * Reduction cell: n1..n4 stay at the input resolution and the nodes that
 * read them downsample (stride 2), as does the max pool on n0:
 *
 *   x -> conv1 -> n0 --+--------+--------+--------+---------+
 *                    conv1     sep3     sep5     dil3     max3/2
 *                     n1        n2       n3       n4        n5
 *                     +--cat----+--cat---+        |         |
 *                      sep3/2      sep5/2       sep3/2      |
 *                        n6          +----add---------------+
 *                        |           n7           +--add-- n6
 *                        |           |            n8
 *                        +----cat----+----cat-----+
 *                                  conv1
 *                                   n9
 *   out = cat(n6, n7, n8, n9)
 *
 * The stage widths were chosen so that MACs and parameters (weights plus
 * biases, as ir_params counts them) land within 2% of the paper's 57.4M
 * and 249.7K; docs/zoo-parts/swiftnet-hpd.md has the measured values.
 */
#include "zoo.h"

enum {
	NNODE = 9,  /* nodes per cell after n0 */
	NSRC = 3,   /* most nodes one term concatenates */
	NTERM = 2,  /* most terms one node sums */
	NOUT = 4,   /* nodes the cell output concatenates */
};

typedef enum CellOp {
	CO_NONE, /* unused term or node */
	CO_ID,   /* identity: the node itself, no op */
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
	int down;      /* at the cell's output resolution; terms reading a node
			* at the input resolution then have stride 2 */
	Term t[NTERM]; /* the node is the sum of its terms; CO_NONE ends */
} Node;

typedef struct Genotype {
	Node node[NNODE]; /* nodes n1..; n0 is the cell input after a 1x1 conv */
	int out[NOUT];    /* nodes concatenated to the cell output */
} Genotype;

#define T1(op, a) {op, {a, -1, -1}}
#define T2(op, a, b) {op, {a, b, -1}}
#define T3(op, a, b, c) {op, {a, b, c}}
#define TNONE {CO_NONE, {-1, -1, -1}}

#define N1(down, a) {down, {a, TNONE}}
#define N2(down, a, b) {down, {a, b}}

static const Genotype cell_normal = {
	.node = {
		N1(0, T1(CO_CONV1, 0)),                      /* n1 */
		N1(0, T1(CO_SEP3, 0)),                       /* n2 */
		N1(0, T1(CO_SEP5, 0)),                       /* n3 */
		N1(0, T1(CO_DIL3, 0)),                       /* n4 */
		N1(0, T1(CO_AVG3, 0)),                       /* n5 */
		N2(0, T1(CO_ID, 1), T1(CO_ID, 2)),           /* n6 = n1 + n2 */
		N1(0, T2(CO_SEP3, 6, 3)),                    /* n7 = sep3(cat(n6, n3)) */
		N2(0, T3(CO_CONV1, 7, 4, 5), T1(CO_ID, 6)),  /* n8 = conv1(cat(n7, n4, n5)) + n6 */
		N2(0, T2(CO_SEP5, 7, 8), T1(CO_ID, 3)),      /* n9 = sep5(cat(n7, n8)) + n3 */
	},
	.out = {6, 7, 8, 9},
};

static const Genotype cell_reduce = {
	.node = {
		N1(0, T1(CO_CONV1, 0)),                      /* n1 */
		N1(0, T1(CO_SEP3, 0)),                       /* n2 */
		N1(0, T1(CO_SEP5, 0)),                       /* n3 */
		N1(0, T1(CO_DIL3, 0)),                       /* n4 */
		N1(1, T1(CO_MAX3, 0)),                       /* n5 = max3/2(n0) */
		N1(1, T2(CO_SEP3, 1, 2)),                    /* n6 = sep3/2(cat(n1, n2)) */
		N2(1, T2(CO_SEP5, 2, 3), T1(CO_ID, 5)),      /* n7 = sep5/2(cat(n2, n3)) + n5 */
		N2(1, T1(CO_SEP3, 4), T1(CO_ID, 6)),         /* n8 = sep3/2(n4) + n6 */
		N1(1, T3(CO_CONV1, 6, 7, 8)),                /* n9 = conv1(cat(n6, n7, n8)) */
	},
	.out = {6, 7, 8, 9},
};

typedef struct Stage {
	int c;      /* cell width C: every node has C channels */
	int reduce; /* a reduction cell, halving the resolution */
} Stage;

enum { STEM_C = 16 };

static const Stage stage[] = {
	{16, 1}, {16, 0},
	{32, 1}, {32, 0}, {32, 0},
	{74, 1}, {74, 0},
};

/* One op on node x (or a concat of nodes); returns its output tensor. */
static int cell_op(Graph *g, const char *p, CellOp op, int x, int c, int stride)
{
	int y;
	switch (op) {
	case CO_ID:
		return stride == 1 ? x : -1; /* no strided identity in the tables */
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
		return ir_pool(g, zoo_name(g, "%s/avgpool", p), OP_AVGPOOL, x,
			       ir_window(3, stride, 1, 1));
	case CO_MAX3:
		return ir_pool(g, zoo_name(g, "%s/maxpool", p), OP_MAXPOOL, x,
			       ir_window(3, stride, 1, 1));
	default:
		return -1;
	}
	return ir_relu(g, zoo_name(g, "%s/relu", p), y);
}

static int cell(Graph *g, int k, const Genotype *gt, int x, int c, int reduce)
{
	int s[NNODE + 1], down[NNODE + 1] = {0};
	for (int n = 0; n <= NNODE; n++)
		s[n] = -1;
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
		s[n] = nsum == 1 ? sum[0]
				 : ir_add(g, zoo_name(g, "cell%d/n%d/add", k, n), sum, nsum);
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
