/* zoo_darts.c: DARTS (Liu et al., ICLR 2019), ImageNet evaluation network.
 *
 * NetworkImageNet of the DARTS reference code (cnn/model.py, operations.py,
 * genotypes.py) with the DARTS_V2 genotype, C = 48, 14 cells, 1000 classes,
 * in inference mode: no auxiliary head, no drop path.  Every number below is
 * the reference code's.
 *
 *   stem0   conv3x3/2 (3 -> 24) + BN, ReLU, conv3x3/2 (24 -> 48) + BN  56x56
 *   stem1   ReLU, conv3x3/2 (48 -> 48) + BN                            28x28
 *   cells   0-3 normal, C = 48 (28x28); 4 reduction, C = 96 (14x14);
 *           5-8 normal, C = 96; 9 reduction, C = 192 (7x7); 10-13 normal.
 *           Reductions sit at layers/3 and 2*layers/3, where C doubles.
 *   head    global average pooling (AvgPool2d(7) on 7x7), FC 768 -> 1000.
 *
 * Cell k reads s0 = the output of cell k-2 and s1 = that of cell k-1, where
 * the stems stand in for cells -2 and -1 (forward(): s0 = stem0(x),
 * s1 = stem1(s0), then s0, s1 = s1, cell(s0, s1)).  It first runs
 * preprocess0 on s0, FactorizedReduce(C_pp, C) when the previous cell
 * reduced (true for cell 0 too) and ReLUConvBN(C_pp, C, 1x1) otherwise, then
 * preprocess1 = ReLUConvBN(C_p, C, 1x1) on s1.  Then four nodes, 2..5: node
 * i applies op 2(i-2) to its first input and op 2(i-2)+1 to its second and
 * adds the two; the cell's output is the concatenation of nodes 2..5, so
 * 4*C channels.  In a reduction cell, the ops that read the cell's inputs
 * (states 0 and 1) have stride 2 and the others stride 1.
 *
 * The ops, as deployed (batch norm folded into the preceding convolution,
 * so each "conv + BN" is one conv with a bias):
 *   sep_conv_3x3  ReLU, dw3x3/s, pw1x1 + BN, ReLU, dw3x3/1, pw1x1 + BN
 *   dil_conv_3x3  ReLU, dw3x3/s dilation 2 pad 2, pw1x1 + BN
 *   max_pool_3x3  max pool 3x3/s pad 1
 *   skip_connect  identity (no op) at stride 1, FactorizedReduce at 2
 *   FactorizedReduce  ReLU, then conv1x1/2 (C/2) on x and conv1x1/2 (C/2)
 *                 on x[:, :, 1:, 1:], concat, BN.  The shifted input is a
 *                 window with top/left padding -1 (a crop), so both convs
 *                 read the ReLU's output; the BN folds into both convs.
 * The depthwise convolutions have no BN in DARTS; they keep the bias the
 * builder gives every conv.  Every sep/dil conv has its own ReLU, even where
 * several read the same state: that is how the reference computes it.
 *
 * Ops are created in forward() order: preprocess0, preprocess1, then per
 * node its first op, its second op, the add; the concat closes the cell.
 */
#include "zoo.h"

enum {
	DARTS_C = 48,       /* initial channels (--init_channels for ImageNet) */
	DARTS_LAYERS = 14,  /* cells */
	DARTS_CLASSES = 1000,
	DARTS_STEPS = 4,    /* intermediate nodes per cell */
};

typedef enum DartsOp {
	SEP_CONV_3X3,
	DIL_CONV_3X3,
	MAX_POOL_3X3,
	SKIP_CONNECT,
} DartsOp;

typedef struct Edge {
	DartsOp op;
	int from; /* state: 0, 1 the cell inputs, 2.. the nodes */
} Edge;

/* genotypes.DARTS_V2; both cells concatenate nodes 2..5. */
static const Edge darts_normal[2 * DARTS_STEPS] = {
	{SEP_CONV_3X3, 0}, {SEP_CONV_3X3, 1},
	{SEP_CONV_3X3, 0}, {SEP_CONV_3X3, 1},
	{SEP_CONV_3X3, 1}, {SKIP_CONNECT, 0},
	{SKIP_CONNECT, 0}, {DIL_CONV_3X3, 2},
};

static const Edge darts_reduce[2 * DARTS_STEPS] = {
	{MAX_POOL_3X3, 0}, {MAX_POOL_3X3, 1},
	{SKIP_CONNECT, 2}, {MAX_POOL_3X3, 1},
	{MAX_POOL_3X3, 0}, {SKIP_CONNECT, 2},
	{SKIP_CONNECT, 2}, {MAX_POOL_3X3, 1},
};

static int conv(Graph *g, const char *prefix, const char *name, int x, int cout, int k,
		int stride, int dil, int groups)
{
	return zoo_conv(g, zoo_name(g, "%s/%s", prefix, name), x, cout, k, stride, dil, groups);
}

static int channels(const Graph *g, int x)
{
	return x < 0 ? 1 : g->tensors[x].shape.c;
}

/* ReLUConvBN(C_in, cout, 1x1). */
static int relu_conv_bn(Graph *g, const char *prefix, int x, int cout)
{
	int r = ir_relu(g, zoo_name(g, "%s/relu", prefix), x);
	return conv(g, prefix, "conv", r, cout, 1, 1, 1, 1);
}

/* FactorizedReduce(C_in, cout): conv_2 reads x[:, :, 1:, 1:] through a
 * window that crops the first row and column. */
static int factorized_reduce(Graph *g, const char *prefix, int x, int cout)
{
	int r = ir_relu(g, zoo_name(g, "%s/relu", prefix), x);
	int y[2];
	y[0] = conv(g, prefix, "conv1", r, cout / 2, 1, 2, 1, 1);
	Window w = ir_window(1, 2, 1, 1);
	w.pt = w.pl = -1;
	y[1] = ir_conv(g, zoo_name(g, "%s/conv2", prefix), r, cout / 2, w);
	return ir_concat(g, zoo_name(g, "%s/cat", prefix), y, 2);
}

/* SepConv(C, C, 3, stride, 1). */
static int sep_conv(Graph *g, const char *prefix, int x, int stride)
{
	int c = channels(g, x);
	x = ir_relu(g, zoo_name(g, "%s/relu0", prefix), x);
	x = conv(g, prefix, "dw0", x, c, 3, stride, 1, c);
	x = conv(g, prefix, "pw0", x, c, 1, 1, 1, 1);
	x = ir_relu(g, zoo_name(g, "%s/relu1", prefix), x);
	x = conv(g, prefix, "dw1", x, c, 3, 1, 1, c);
	return conv(g, prefix, "pw1", x, c, 1, 1, 1, 1);
}

/* DilConv(C, C, 3, stride, 2, 2). */
static int dil_conv(Graph *g, const char *prefix, int x, int stride)
{
	int c = channels(g, x);
	x = ir_relu(g, zoo_name(g, "%s/relu", prefix), x);
	x = conv(g, prefix, "dw", x, c, 3, stride, 2, c);
	return conv(g, prefix, "pw", x, c, 1, 1, 1, 1);
}

static int cell_op(Graph *g, const char *prefix, DartsOp op, int x, int stride)
{
	switch (op) {
	case SEP_CONV_3X3:
		return sep_conv(g, prefix, x, stride);
	case DIL_CONV_3X3:
		return dil_conv(g, prefix, x, stride);
	case MAX_POOL_3X3:
		return ir_pool(g, zoo_name(g, "%s/maxpool", prefix), OP_MAXPOOL, x,
			       ir_window(3, stride, 1, 1));
	case SKIP_CONNECT:
		if (stride == 1)
			return x;
		return factorized_reduce(g, prefix, x, channels(g, x));
	}
	return -1;
}

/* Cell k of NetworkImageNet: Cell(genotype, C_pp, C_p, c, reduction,
 * reduction_prev).forward(s0, s1). */
static int cell(Graph *g, int k, int s0, int s1, int c, bool reduction, bool reduction_prev)
{
	const Edge *edges = reduction ? darts_reduce : darts_normal;
	int states[2 + DARTS_STEPS];
	const char *pre0 = zoo_name(g, "cell%d/pre0", k);
	if (reduction_prev)
		states[0] = factorized_reduce(g, pre0, s0, c);
	else
		states[0] = relu_conv_bn(g, pre0, s0, c);
	states[1] = relu_conv_bn(g, zoo_name(g, "cell%d/pre1", k), s1, c);
	for (int i = 0; i < DARTS_STEPS; i++) {
		int h[2];
		for (int j = 0; j < 2; j++) {
			const Edge *e = &edges[2 * i + j];
			int stride = reduction && e->from < 2 ? 2 : 1;
			h[j] = cell_op(g, zoo_name(g, "cell%d/n%d/op%d", k, i + 2, j), e->op,
				       states[e->from], stride);
		}
		states[2 + i] = ir_add(g, zoo_name(g, "cell%d/n%d/add", k, i + 2), h, 2);
	}
	return ir_concat(g, zoo_name(g, "cell%d/cat", k), &states[2], DARTS_STEPS);
}

void zoo_darts_imagenet(Graph *g)
{
	int x = ir_input(g, "input", (Shape){1, 3, 224, 224}, DT_I8);
	x = zoo_conv(g, "stem0/conv0", x, DARTS_C / 2, 3, 2, 1, 1);
	x = ir_relu(g, "stem0/relu", x);
	int s0 = zoo_conv(g, "stem0/conv1", x, DARTS_C, 3, 2, 1, 1);
	x = ir_relu(g, "stem1/relu", s0);
	int s1 = zoo_conv(g, "stem1/conv", x, DARTS_C, 3, 2, 1, 1);

	int c = DARTS_C;
	bool reduction_prev = true;
	for (int k = 0; k < DARTS_LAYERS; k++) {
		bool reduction = k == DARTS_LAYERS / 3 || k == 2 * DARTS_LAYERS / 3;
		if (reduction)
			c *= 2;
		int out = cell(g, k, s0, s1, c, reduction, reduction_prev);
		s0 = s1;
		s1 = out;
		reduction_prev = reduction;
	}
	x = ir_gavgpool(g, "gap", s1);
	ir_fc(g, "classifier", x, DARTS_CLASSES);
}
