/* ref.h: the int8 reference interpreter, the golden model of the project.
 * Everything downstream (rewrites, the NPU's functional model, the RTL) is
 * compared with it bit for bit.  The arithmetic is in ref.c's header. */
#ifndef SERENITY_REF_H
#define SERENITY_REF_H

#include "ir.h"

typedef struct RefValues {
	void **val;   /* per tensor: int8_t* (DT_I8) or int32_t* (DT_I32) */
	int ntensors;
} RefValues;

/* Runs every op of g (quantized: quant.c) in definition order, graph
 * inputs filled by ref_input(). */
int ref_run(const Graph *g, RefValues *v, Err *e);
/* The same with given inputs: inputs[i] holds the i-th OP_INPUT op's
 * tensor (NULL: ref_input's). */
int ref_run_inputs(const Graph *g, const int8_t *const *inputs, RefValues *v, Err *e);
void ref_free(RefValues *v);

/* Runs g once on its inputs, choosing the qmul/qshift of every op that
 * requantizes and has none yet, so that its accumulators fill the int8
 * range (the 99.9th percentile of |acc| maps to 127). */
int ref_calibrate(Graph *g, Err *e);
/* The same, but conv and fc ops get per output channel parameters
 * (Op.qmuls, Op.qshifts, from g's arena), each channel's from its own
 * accumulators; other ops as ref_calibrate. */
int ref_calibrate_perchannel(Graph *g, Err *e);

/* The arithmetic, exported for the tests and the NPU models. */
int32_t ref_requant(int32_t acc, int32_t qmul, int qshift);
int8_t ref_clamp8(int32_t v, bool relu);
void ref_quant_params(double scale, int32_t *qmul, int *qshift);
/* The convolution and pooling kernels (NCHW, window k): ref_conv_acc adds
 * the window sums of x (shape xs) times weights w ([cout][cin/groups][kh][kw])
 * to acc[] (shape ys, holding the bias or partial sums); ref_pool takes the
 * maximum, or with avg the rounded mean, of each window's valid elements. */
void ref_conv_acc(Window k, Shape xs, const int8_t *x, Shape ys, const int8_t *w, int32_t *acc);
void ref_pool(Window k, bool avg, Shape xs, const int8_t *x, Shape ys, int8_t *y);
/* What each kernel tap of a convolution window k adds, as runs of
 * outputs: tap ky * k.kw + kx gives rows runs of len outputs, the r-th from
 * output y + r * ystep (step 1) and input x + r * xstep (step k.sw),
 * offsets within one plane; rows is 0 when the tap reaches no output.
 * Padding only narrows the outputs a tap reaches; rows that are whole in
 * both planes make one run.  Both interpreters' convolutions walk the taps
 * this returns (k.kh * k.kw of them, to free). */
typedef struct RefTap {
	int rows, len;
	int64_t y, x, ystep, xstep;
} RefTap;
RefTap *ref_taps(Window k, Shape xs, Shape ys);
/* The taps of window k at output (oy, ox) that fall inside the input xs
 * (padding reads nothing): their offsets iy * xs.w + ix in an input plane,
 * in tap order, into off (room for k.kh * k.kw); returns how many.  The
 * pools of both interpreters walk their windows with it. */
int ref_window_taps(Window k, Shape xs, int oy, int ox, int64_t *off);
/* The deterministic contents of a graph input tensor. */
void ref_input(const Tensor *t, int8_t *out);

#endif
