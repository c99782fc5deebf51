/* model.h: MODEL arguments: zoo:NAME, random:OPS[:SEED] (a seeded random
 * DAG, randdag.c), a .onnx file or a plain graph file. */
#ifndef SERENITY_MODEL_H
#define SERENITY_MODEL_H

#include "ir.h"
#include "onnx_import.h"

/* Loads, links and verifies the model; NULL with e set on any error. */
Graph *model_load(const char *spec, Err *e);
/* The same, with the ONNX importer's options (NULL: none; with input
 * shapes, an error for other models). */
Graph *model_load_opts(const char *spec, const OnnxOpts *o, Err *e);

#endif
