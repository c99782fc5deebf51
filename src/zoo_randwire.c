/* zoo_randwire.c: randomly wired networks (Xie et al. 2019, "Exploring
 * Randomly Wired Neural Networks for Image Recognition") on 32x32x3 CIFAR
 * inputs, the RandWire benchmarks of the Serenity paper.
 *
 * Structure.  Both networks follow the RandWire small regime (Xie et al.,
 * table 1) with its stem shrunk for 32x32 inputs:
 *
 *	stem	3x3 conv, C channels, stride 1, + BN		32x32
 *	stage1	random wiring, 32 nodes, C channels, stride 2	16x16
 *	stage2	random wiring, 32 nodes, 2C channels, stride 2	8x8
 *	stage3	random wiring, 32 nodes, 4C channels, stride 2	4x4 (CIFAR-100 only)
 *	head	1x1 conv to 1280 + BN, ReLU, global average pooling, FC
 *
 * Xie's ImageNet stem (two stride-2 3x3 convs, 224 -> 56) becomes one
 * stride-1 3x3 conv, so the random stages run at 16, 8 and 4 pixels, the
 * ImageNet resolutions 28, 14 and 7 scaled to CIFAR.  The 1280-wide
 * classifier conv is Xie's.  The stem has no ReLU of its own: every node
 * starts with one.
 *
 * Random stage.  A Watts-Strogatz graph WS(N=32, K=4, P=0.75) is drawn as
 * networkx.watts_strogatz_graph does (ring lattice with K/2 neighbours on
 * each side; then, for each distance j = 1..K/2 and each node u in order,
 * with probability P the edge (u, u+j) is moved to (u, w) for a uniform w
 * that is neither u nor already a neighbour of u, the rewiring being
 * skipped when u is joined to every node), with rng.h and one fixed seed
 * per stage.  Each edge is oriented from the lower to the higher index.  A
 * node is: aggregation of its inputs by a weighted sum (learnable weights,
 * ir_wsum; none for a single input), ReLU, then a separable 3x3 conv
 * (depthwise 3x3, pointwise 1x1 + BN) to the stage width.  Nodes without
 * predecessors read the stage input, with stride 2 on the depthwise conv.
 * The stage output is the unweighted mean of the nodes without successors;
 * it is one ir_add, because the 1/n has no learned weight and folds into
 * the int8 output scale of the addition (a single sink needs no op).
 * Nodes are created in index order, the reference implementation's
 * topological order, which is the definition order.
 *
 * Sizes.  The Serenity paper lists RandWire at 111M MACs / 1.2M parameters
 * on CIFAR-10 and 160M MACs / 4.7M parameters on CIFAR-100 without giving
 * the configuration.  CIFAR-100 is the small regime as it stands: three
 * random stages at Xie's small-regime width C = 78 give 161.8M MACs and
 * 4.52M parameters.  CIFAR-10 has nearly three times more MACs per
 * parameter, which three such stages cannot give at any C (most of their
 * parameters sit in the 4x4 stage: 1.2M parameters would mean C ~ 38 and
 * ~42M MACs); dropping the last stage and tuning C to 76 gives 113.7M MACs
 * and 1.15M parameters.  So the knobs are the number of stages and C; the
 * seeds are arbitrary and were not searched.
 */
#include "zoo.h"

#include <stdbool.h>

#include "rng.h"

enum {
	RW_N = 32,             /* nodes per random stage */
	RW_K = 4,              /* ring lattice degree */
	RW_HEAD_WIDTH = 1280,  /* classifier 1x1 conv, Xie et al. */
	RW_STAGES_MAX = 3,
};
#define RW_P 0.75              /* rewiring probability */

/* One seed per random stage. */
static const uint64_t C10_SEED_STAGE1 = 0x1001;
static const uint64_t C10_SEED_STAGE2 = 0x1002;
static const uint64_t C100_SEED_STAGE1 = 0x2001;
static const uint64_t C100_SEED_STAGE2 = 0x2002;
static const uint64_t C100_SEED_STAGE3 = 0x2003;

enum {
	C10_WIDTH = 76,        /* C: tuned to the paper's MACs and parameters */
	C100_WIDTH = 78,       /* C: Xie's small regime */
};

typedef struct RwNet {
	int c;                 /* stem and first stage width; stages double it */
	int nstages;
	uint64_t seed[RW_STAGES_MAX];
	int nclasses;
} RwNet;

static int degree(bool adj[RW_N][RW_N], int u)
{
	int d = 0;
	for (int v = 0; v < RW_N; v++)
		d += adj[u][v];
	return d;
}

/* networkx.watts_strogatz_graph(RW_N, RW_K, RW_P) with rng.h. */
static void ws_graph(bool adj[RW_N][RW_N], uint64_t seed)
{
	uint64_t s = seed;
	for (int u = 0; u < RW_N; u++)
		for (int v = 0; v < RW_N; v++)
			adj[u][v] = false;
	for (int j = 1; j <= RW_K / 2; j++)
		for (int u = 0; u < RW_N; u++)
			adj[u][(u + j) % RW_N] = adj[(u + j) % RW_N][u] = true;
	for (int j = 1; j <= RW_K / 2; j++) {
		for (int u = 0; u < RW_N; u++) {
			int v = (u + j) % RW_N;
			if (!(rng_unit(&s) < RW_P))
				continue;
			int w = (int)rng_below(&s, RW_N);
			bool skip = false;
			while (w == u || adj[u][w]) {
				w = (int)rng_below(&s, RW_N);
				if (degree(adj, u) >= RW_N - 1) {
					skip = true;
					break;
				}
			}
			if (skip)
				continue;
			adj[u][v] = adj[v][u] = false;
			adj[u][w] = adj[w][u] = true;
		}
	}
}

/* One random stage "stage<si>" on x; returns its output tensor. */
static int stage(Graph *g, int si, int x, int c, uint64_t seed)
{
	bool adj[RW_N][RW_N];
	int node[RW_N];
	int xs[RW_N];
	ws_graph(adj, seed);
	for (int v = 0; v < RW_N; v++) {
		int n = 0;
		for (int u = 0; u < v; u++)
			if (adj[u][v])
				xs[n++] = node[u];
		int stride = 1;
		if (n == 0) {
			xs[n++] = x;
			stride = 2;
		}
		int in = xs[0];
		if (n > 1)
			in = ir_wsum(g, zoo_name(g, "stage%d/n%d/agg", si, v), xs, n);
		in = ir_relu(g, zoo_name(g, "stage%d/n%d/relu", si, v), in);
		node[v] = zoo_sepconv(g, zoo_name(g, "stage%d/n%d/sep", si, v), in, c, 3, stride, 1);
	}
	int n = 0;
	for (int u = 0; u < RW_N; u++) {
		bool sink = true;
		for (int v = u + 1; v < RW_N; v++)
			if (adj[u][v])
				sink = false;
		if (sink)
			xs[n++] = node[u];
	}
	if (n == 1)
		return xs[0];
	return ir_add(g, zoo_name(g, "stage%d/out", si), xs, n);
}

static void randwire(Graph *g, const RwNet *net)
{
	int x = ir_input(g, "input", (Shape){1, 3, 32, 32}, DT_I8);
	x = zoo_conv(g, "stem", x, net->c, 3, 1, 1, 1);
	for (int s = 0; s < net->nstages; s++)
		x = stage(g, s + 1, x, net->c << s, net->seed[s]);
	x = zoo_conv(g, "head/conv", x, RW_HEAD_WIDTH, 1, 1, 1, 1);
	x = ir_relu(g, "head/relu", x);
	x = ir_gavgpool(g, "head/gap", x);
	ir_fc(g, "head/fc", x, net->nclasses);
}

void zoo_randwire_cifar10(Graph *g)
{
	const RwNet net = {C10_WIDTH, 2, {C10_SEED_STAGE1, C10_SEED_STAGE2}, 10};
	randwire(g, &net);
}

void zoo_randwire_cifar100(Graph *g)
{
	const RwNet net = {C100_WIDTH, 3, {C100_SEED_STAGE1, C100_SEED_STAGE2, C100_SEED_STAGE3},
			   100};
	randwire(g, &net);
}
