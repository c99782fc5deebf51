/* ivpack.h: weighted interval packing under a capacity, solved exactly.
 *
 * Intervals of steps [first, last] each offer up to cap units (bytes) at
 * a gain per unit; choose amounts x[i] in [0, cap[i]] to maximize the sum
 * of gain[i] * x[i] such that at every step the amounts of the intervals
 * covering it sum to at most the capacity.  The off-chip planner's partial
 * residency: how many bytes of each tensor to keep in SRAM over its life. */
#ifndef SERENITY_IVPACK_H
#define SERENITY_IVPACK_H

#include <stdint.h>

typedef struct Interval {
	int first, last; /* steps, inclusive, 0 <= first <= last < steps */
	int64_t cap;     /* most units it takes */
	int64_t gain;    /* per unit, >= 0 */
} Interval;

/* Fills x[0..n) with an optimal packing of iv[0..n) over steps 0..steps-1
 * at capacity cap; returns the total gain. */
int64_t ivpack(const Interval *iv, int n, int steps, int64_t cap, int64_t *x);
/* The same, giving up at deadline (CLOCK_MONOTONIC seconds, 0: none):
 * then -1, and x[] all zero. */
int64_t ivpack_until(const Interval *iv, int n, int steps, int64_t cap, double deadline,
		     int64_t *x);

#endif
