/* calib.h: calibration inputs for post-training quantization, read from a
 * directory of ONNX TensorProto files (`--calib DIR`). */
#ifndef SERENITY_CALIB_H
#define SERENITY_CALIB_H

#include "ir.h"

typedef struct Calib {
	int nsamples;
	int ninputs;  /* OP_INPUT ops of the graph */
	float ***x;   /* x[k][i]: sample k of the i-th graph input */
} Calib;

/* DIR holds input_0.pb, input_1.pb, ... (one sample), or subdirectories
 * that each do (one sample each, in name order: ONNX's test_data_set_N/
 * layout).  input_K.pb is a float32 TensorProto with as many elements as
 * g's K-th OP_INPUT tensor.  On error e names the file. */
int calib_read(const char *dir, const Graph *g, Calib *c, Err *e);
void calib_free(Calib *c);

#endif
