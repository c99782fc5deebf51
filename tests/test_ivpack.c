/* test_ivpack.c: interval packing against exhaustive search on small
 * instances, and the shapes the off-chip planner relies on. */
#include "testutil.h"

#include <stdlib.h>

#include "ivpack.h"

static uint64_t next(uint64_t *r)
{
	*r ^= *r << 13;
	*r ^= *r >> 7;
	*r ^= *r << 17;
	return *r;
}

/* The best gain by trying every amount of every interval. */
static int64_t brute(const Interval *iv, int n, int steps, int64_t cap, int64_t *x, int i)
{
	if (i == n) {
		for (int s = 0; s < steps; s++) {
			int64_t used = 0;
			for (int k = 0; k < n; k++)
				used += iv[k].first <= s && s <= iv[k].last ? x[k] : 0;
			if (used > cap)
				return -1;
		}
		int64_t gain = 0;
		for (int k = 0; k < n; k++)
			gain += x[k] * iv[k].gain;
		return gain;
	}
	int64_t best = -1;
	for (x[i] = 0; x[i] <= iv[i].cap; x[i]++) {
		int64_t g = brute(iv, n, steps, cap, x, i + 1);
		best = g > best ? g : best;
	}
	return best;
}

static void test_against_brute_force(void **state)
{
	(void)state;
	uint64_t r = 12345;
	for (int trial = 0; trial < 400; trial++) {
		Interval iv[6];
		int64_t x[6], y[6];
		int n = 1 + (int)(next(&r) % 6), steps = 1 + (int)(next(&r) % 6);
		int64_t cap = (int64_t)(next(&r) % 5);
		for (int k = 0; k < n; k++) {
			int a = (int)(next(&r) % steps), b = (int)(next(&r) % steps);
			iv[k] = (Interval){a < b ? a : b, a < b ? b : a, (int64_t)(next(&r) % 4),
					   (int64_t)(next(&r) % 5)};
		}
		int64_t want = brute(iv, n, steps, cap, y, 0);
		int64_t got = ivpack(iv, n, steps, cap, x);
		if (got != want)
			fail_msg("trial %d: gain %lld, best %lld", trial, (long long)got, (long long)want);
		int64_t gain = 0;
		for (int s = 0; s < steps; s++) {
			int64_t used = 0;
			for (int k = 0; k < n; k++)
				used += iv[k].first <= s && s <= iv[k].last ? x[k] : 0;
			assert_true(used <= cap);
		}
		for (int k = 0; k < n; k++) {
			assert_true(x[k] >= 0 && x[k] <= iv[k].cap);
			gain += x[k] * iv[k].gain;
		}
		assert_int_equal(gain, got);
	}
}

/* Byte-sized amounts: a long interval worth 1 per byte against two short
 * ones worth 3 that overlap it; the short ones win where they are. */
static void test_large_amounts(void **state)
{
	(void)state;
	Interval iv[3] = {{0, 9, 100000, 1}, {2, 3, 70000, 3}, {6, 8, 40000, 3}};
	int64_t x[3];
	int64_t gain = ivpack(iv, 3, 10, 65536, x);
	/* the long one fits beside neither at full size: 65536 - 65536 at steps 2-3 */
	assert_int_equal(x[1], 65536);
	assert_int_equal(x[0], 0);
	assert_int_equal(x[2], 40000);
	assert_int_equal(gain, 3 * 65536 + 3 * 40000);
	/* nothing to pack */
	assert_int_equal(ivpack(iv, 3, 10, 0, x), 0);
	assert_int_equal(x[0] + x[1] + x[2], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_against_brute_force),
		cmocka_unit_test(test_large_amounts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
