/* onnx_export.h: writes an IR graph as an ONNX model (opset 13). */
#ifndef SERENITY_ONNX_EXPORT_H
#define SERENITY_ONNX_EXPORT_H

#include "ir.h"

/* Writes g to path whole or not at all; -1 with e set on error (a rewritten
 * graph's partial convolutions have no ONNX form). */
int onnx_export(const Graph *g, const char *path, Err *e);

#endif
