/* zoo.h: the built-in networks (zoo:NAME).
 *
 * Each network is int8, batch 1, built at the level of deployed layers
 * (batch norm folded into the convolutions, ReLUs fused into the op before
 * them where TFLite fuses them: fuse.c), with its ops created in the
 * order its reference implementation calls them: that definition order is
 * the order TensorFlow Lite runs, the baseline the paper compares against.
 */
#ifndef SERENITY_ZOO_H
#define SERENITY_ZOO_H

#include "ir.h"

typedef struct ZooNet {
	const char *name;
	const char *about;
	void (*build)(Graph *g); /* errors stay in g (sticky) */
} ZooNet;

extern const ZooNet zoo_nets[];
extern const int zoo_nnets;

/* Builds, links and verifies a zoo network; NULL with e set when unknown. */
Graph *zoo_build(const char *name, Err *e);

/* Shared by the network builders (zoo_*.c). */
const char *zoo_name(Graph *g, const char *fmt, ...) SY_PRINTF(2, 3);
int zoo_conv(Graph *g, const char *name, int x, int cout, int k, int stride, int dil, int groups);
/* Separable convolution as deployed: depthwise k x k, then pointwise 1x1. */
int zoo_sepconv(Graph *g, const char *prefix, int x, int cout, int k, int stride, int dil);

void zoo_darts_imagenet(Graph *g);
void zoo_randwire_cifar10(Graph *g);
void zoo_randwire_cifar100(Graph *g);
void zoo_swiftnet_hpd(Graph *g);

#endif
