/* zoo.c: the registry of built-in networks and their shared layer shapes. */
#include "zoo.h"

#include "fuse.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const ZooNet zoo_nets[] = {
	{"darts-imagenet", "DARTS_V2 genotype, ImageNet, 14 cells, C=48", zoo_darts_imagenet},
	{"randwire-cifar10", "RandWire WS(32,4,0.75), CIFAR-10", zoo_randwire_cifar10},
	{"randwire-cifar100", "RandWire WS(32,4,0.75), CIFAR-100", zoo_randwire_cifar100},
	{"swiftnet-hpd", "SwiftNet-like cells for human presence detection (approximation)",
	 zoo_swiftnet_hpd},
};
const int zoo_nnets = (int)(sizeof zoo_nets / sizeof zoo_nets[0]);

Graph *zoo_build(const char *name, Err *e)
{
	for (int i = 0; i < zoo_nnets; i++) {
		if (strcmp(zoo_nets[i].name, name) != 0)
			continue;
		Graph *g = ir_new(name);
		zoo_nets[i].build(g);
		if (ir_ok(g)) {
			ir_mark_unconsumed_outputs(g);
			ir_link(g);
		}
		Graph *f = NULL;
		if (ir_verify(g, e) == 0)
			f = fuse_relu(g, e);
		ir_free(g);
		return f;
	}
	err_set(e, "zoo:%s: no such network (serenity zoo lists them)", name);
	return NULL;
}

const char *zoo_name(Graph *g, const char *fmt, ...)
{
	char buf[NNAME];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return arena_strdup(g->arena, buf);
}

int zoo_conv(Graph *g, const char *name, int x, int cout, int k, int stride, int dil, int groups)
{
	return ir_conv(g, name, x, cout, ir_window(k, stride, dil, groups));
}

int zoo_sepconv(Graph *g, const char *prefix, int x, int cout, int k, int stride, int dil)
{
	if (x < 0)
		return -1;
	int c = g->tensors[x].shape.c;
	int d = zoo_conv(g, zoo_name(g, "%s/dw", prefix), x, c, k, stride, dil, c);
	return zoo_conv(g, zoo_name(g, "%s/pw", prefix), d, cout, 1, 1, 1, 1);
}
