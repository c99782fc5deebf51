/* onnx_import.h: ONNX models (opsets 7 to 18, static shapes) to the IR. */
#ifndef SERENITY_ONNX_IMPORT_H
#define SERENITY_ONNX_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "ir.h"

enum { NINPUT_SHAPES = 16 }; /* most --input-shape options */

/* Import options: the dims of graph inputs whose dims the file leaves
 * symbolic or unset (--input-shape NAME=1x3x224x224). */
typedef struct OnnxOpts {
	int nshapes;
	struct {
		char name[NNAME];
		int rank;
		int64_t dims[8];
	} shape[NINPUT_SHAPES];
} OnnxOpts;

/* Adds "NAME=D0xD1x..." (each dim 1 to NDIM_MAX, rank 1 to 8) to o;
 * -1 with e set ("--input-shape 'arg': why") when it is not that. */
int onnx_input_shape(OnnxOpts *o, const char *arg, Err *e);

/* Reads, sorts, folds and lowers the model in file `path`; the graph is
 * linked and verified.  NULL with e set ("FILE: node NAME (OpType): why")
 * on any error.  o may be NULL (no options). */
Graph *onnx_import(const char *path, const OnnxOpts *o, Err *e);
/* The same from memory; `file` names the model in messages. */
Graph *onnx_import_mem(const char *file, const uint8_t *buf, size_t len, const OnnxOpts *o,
		       Err *e);

#endif
