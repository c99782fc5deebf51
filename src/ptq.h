/* ptq.h: post-training quantization of float (imported) models to the
 * int8 arithmetic of ref.c and the NPU.  The method is in ptq.c's header. */
#ifndef SERENITY_PTQ_H
#define SERENITY_PTQ_H

#include "ir.h"

enum {
	PTQ_SAMPLES = 16, /* deterministic calibration inputs by default */
	PTQ_HELDOUT = 8, /* deterministic SQNR inputs without the user's */
};

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

/* The SQNR in dB of q (ptq_quantize(f, o)) against f, as ptq.c's header
 * defines it: over o's inputs when it has them, else over PTQ_HELDOUT
 * reff_input samples not used in calibration; INFINITY when equal. */
int ptq_sqnr(const Graph *f, const Graph *q, const PtqOpts *o, double *db, Err *e);

#endif
