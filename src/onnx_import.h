/* onnx_import.h: ONNX models (opsets 7 to 18, static shapes) to the IR. */
#ifndef SERENITY_ONNX_IMPORT_H
#define SERENITY_ONNX_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "ir.h"

/* Reads, sorts, folds and lowers the model in file `path`; the graph is
 * linked and verified.  NULL with e set ("FILE: node NAME (OpType): why")
 * on any error. */
Graph *onnx_import(const char *path, Err *e);
/* The same from memory; `file` names the model in messages. */
Graph *onnx_import_mem(const char *file, const uint8_t *buf, size_t len, Err *e);

#endif
