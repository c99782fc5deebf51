/* ref_float.h: the float32 reference interpreter of imported (float) models.
 * Post-training quantization calibrates on it and `run` measures the int8
 * result's SQNR against it.  The semantics are in ref_float.c's header. */
#ifndef SERENITY_REF_FLOAT_H
#define SERENITY_REF_FLOAT_H

#include "ir.h"

typedef struct FloatValues {
	float **val;  /* per tensor, NCHW */
	int ntensors;
} FloatValues;

/* Runs every op of g in definition order on its float constants (fdata).
 * inputs[i] (or all of inputs NULL) holds the i-th OP_INPUT op's tensor;
 * a NULL one gets reff_input(t, sample 0). */
int reff_run(const Graph *g, const float *const *inputs, FloatValues *v, Err *e);
void reff_free(FloatValues *v);

/* Deterministic input number `sample` of tensor t: uniform in [-1, 1],
 * seeded by the tensor's name and the sample. */
void reff_input(const Tensor *t, int sample, float *out);

/* True when some constant of g has float values (an imported model). */
bool reff_has_float(const Graph *g);

#endif
