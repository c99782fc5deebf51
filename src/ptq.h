/* ptq.h: post-training quantization of float (imported) models to the
 * int8 arithmetic of ref.c and the NPU.  The method is in ptq.c's header. */
#ifndef SERENITY_PTQ_H
#define SERENITY_PTQ_H

#include "ir.h"

enum { PTQ_SAMPLES = 8 }; /* deterministic calibration inputs by default */

/* Calibration progress: called before sample k of n is run, and with
 * k == n once when calibration ends (also on an error). */
typedef void PtqProgress(int k, int n);

typedef struct PtqOpts {
	int nsamples;                     /* calibration inputs (0: PTQ_SAMPLES) */
	const float *const *const *inputs;/* inputs[k][i]: sample k of the i-th graph
	                                   * input, or NULL for reff_input's */
	PtqProgress *progress;            /* or NULL */
} PtqOpts;

/* A new, int8 graph for the float graph f (f is left as it is): the same
 * ops and names but fused Clips, int8 weights and biases, per-channel
 * requantization, a scale on every tensor.  NULL with e set on error. */
Graph *ptq_quantize(const Graph *f, const PtqOpts *o, Err *e);

/* The SQNR in dB of q's int8 reference outputs (ref_run, on ref_input's
 * inputs), dequantized, against f's float outputs on the same inputs
 * (each int8 input times its scale), over all graph outputs of f:
 * 10 log10(sum f^2 / sum (f - s q)^2); INFINITY when they are equal. */
int ptq_sqnr(const Graph *f, const Graph *q, double *db, Err *e);

#endif
