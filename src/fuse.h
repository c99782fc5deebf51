/* fuse.h: fused activations, as deployment converters make them. */
#ifndef SERENITY_FUSE_H
#define SERENITY_FUSE_H

#include "ir.h"

/* A copy of g (linked) in which every ReLU that is the only reader of a
 * convolution, fully connected, add or weighted sum output is folded into
 * that op (Op.relu); the ReLU's readers read the op instead.  Returns NULL
 * with e set if the copy fails. */
Graph *fuse_relu(const Graph *g, Err *e);

#endif
