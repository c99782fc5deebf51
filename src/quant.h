/* quant.h: deterministic int8 weights and calibrated requantization. */
#ifndef SERENITY_QUANT_H
#define SERENITY_QUANT_H

#include "ir.h"

/* Gives every constant of g seeded values (int8 weights, int32 biases,
 * positive weighted-sum weights), then calibrates every requantizing op on
 * the deterministic inputs (ref_calibrate).  The same graph and seed give
 * the same bytes on every machine. */
int quant_model(Graph *g, uint64_t seed, Err *e);
/* The same weights, calibrated per output channel for conv and fc
 * (ref_calibrate_perchannel). */
int quant_model_perchannel(Graph *g, uint64_t seed, Err *e);

#endif
