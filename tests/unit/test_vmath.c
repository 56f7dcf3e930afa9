/*
 * Unit tests for runtime/vmath.h: vmath_cos, vmath_log and vmath_exp return
 * glibc's cos, log and exp bit for bit, on the samplers' arguments (2 pi u,
 * 1 - u, 4.2 + 0.8 z), on any argument of the fast range, where the result
 * is tiny or near 1 (cos next to the multiples of pi/2, log next to 1, exp
 * next to 0), on the arguments left to glibc (out of range, zero, negative,
 * subnormal, infinite, NaN), and for batch lengths around the block size.  The normal build runs the AVX-512 blocks
 * on a CPU that has them, the sanitizer build the portable ones.
 */
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "vmath.h"

#define TWO_PI 6.283185307179586

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t next_u64(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

enum fn { FN_COS, FN_LOG, FN_EXP };

static const char *const fn_names[] = {"cos", "log", "exp"};

/* Runs vmath's cos or log on x[0..n) and counts the values that differ from glibc's; prints the first. */
static size_t count_fn_differences(enum fn fn, const double *x, size_t n)
{
	double *got = malloc((n ? n : 1) * sizeof(*got));
	size_t bad = 0;
	if (!got)
		abort();
	if (fn == FN_COS)
		vmath_cos(x, got, n);
	else if (fn == FN_LOG)
		vmath_log(x, got, n);
	else
		vmath_exp(x, got, n);
	for (size_t i = 0; i < n; i++) {
		double want = fn == FN_COS ? cos(x[i]) : fn == FN_LOG ? log(x[i]) : exp(x[i]);
		bool same = isnan(want) ? isnan(got[i]) : memcmp(&want, &got[i], sizeof(want)) == 0;
		if (!same && bad++ == 0)
			fprintf(stderr, "vmath %s(%a) = %a, glibc %a\n", fn_names[fn], x[i], got[i], want);
	}
	free(got);
	return bad;
}

static size_t count_differences(const double *x, size_t n)
{
	return count_fn_differences(FN_COS, x, n);
}

static double *random_args(size_t n, int kind)
{
	double *x = malloc(n * sizeof(*x));
	if (!x)
		abort();
	for (size_t i = 0; i < n; i++) {
		uint64_t r = next_u64();
		if (kind == 0) /* the samplers: 2 pi u, u a 53-bit unit draw */
			x[i] = TWO_PI * ((double)(r >> 11) * 0x1p-53);
		else if (kind == 1) /* anything in [-8, 8): 60-bit fixed point */
			x[i] = (double)(int64_t)r * 0x1p-60;
		else if (kind == 2) /* the samplers' log argument: 1 - u */
			x[i] = 1.0 - (double)(r >> 11) * 0x1p-53;
		else if (kind == 3) /* any positive normal double: random bits below the exponent field's top */
			memcpy(&x[i], &(uint64_t){(r >> 1) % (0x7fe0000000000000ULL) + 0x0010000000000000ULL}, sizeof(double));
		else if (kind == 4) /* the lognormal's exp argument: 4.2 + 0.8 z, |z| < 8 */
			x[i] = 4.2 + 0.8 * ((double)(int64_t)r * 0x1p-60);
		else /* anything in [-704, 704) */
			x[i] = (double)(int64_t)r * 0x1.6p-54;
	}
	return x;
}

static void test_vmath__sampler_arguments(void)
{
	size_t n = 4000000;
	double *x = random_args(n, 0);
	CHECK_U64_EQ(0, count_differences(x, n));
	free(x);
}

static void test_vmath__whole_fast_range(void)
{
	size_t n = 2000000;
	double *x = random_args(n, 1);
	CHECK_U64_EQ(0, count_differences(x, n));
	free(x);
}

/*
 * Next to k pi/2, k = 0..5, both signs and both sides: the 20000 nearest
 * doubles (cos is tiny there, and a reduction cancels), then offsets of 2^s
 * ulps up to 2^50 (results up to about 1/4).
 */
static void test_vmath__next_to_multiples_of_half_pi(void)
{
	size_t n = 6 * (20000 + 51 * 200) * 4, m = 0;
	double *x = malloc(n * sizeof(*x));
	if (!x)
		abort();
	for (int k = 0; k < 6; k++) {
		double base = k * 1.5707963267948966;
		uint64_t bits;
		memcpy(&bits, &base, sizeof(bits));
		for (uint64_t i = 0; i < 20000 + 51 * 200; i++) {
			uint64_t s = (i - 20000) / 200, off = i < 20000 ? i : (1ULL << s) + ((i - 20000) % 200) * ((1ULL << s) / 200 + 1);
			uint64_t up = bits + off, down = k ? bits - off : off; /* k = 0: upward from 0 twice */
			memcpy(&x[m++], &up, sizeof(double));
			memcpy(&x[m++], &down, sizeof(double));
			x[m] = -x[m - 2];
			x[m + 1] = -x[m - 1];
			m += 2;
		}
	}
	CHECK_U64_EQ(0, count_differences(x, m));
	free(x);
}

static void test_vmath__arguments_left_to_glibc(void)
{
	double x[] = {8.0, -8.0, 8.000000000000002, -9.5, 100.0, 1e10, -1e22, 1e300, DBL_MAX,
		      INFINITY, -INFINITY, NAN, -NAN, 0.0, -0.0, 0x1p-1074, 4.9e-300};
	CHECK_U64_EQ(0, count_differences(x, sizeof(x) / sizeof(x[0])));
}

/* Lengths around the block size, from an odd offset, and a zero-length batch. */
static void test_vmath__batch_lengths(void)
{
	size_t lens[] = {0, 1, 7, 8, 9, 511, 512, 513, 1024, 1537};
	double *x = random_args(1600, 0);
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		CHECK_U64_EQ(0, count_differences(x + 3, lens[i]));
	free(x);
}

static void test_vmath__log_sampler_arguments(void)
{
	size_t n = 4000000;
	double *x = random_args(n, 2);
	CHECK_U64_EQ(0, count_fn_differences(FN_LOG, x, n));
	free(x);
}

static void test_vmath__log_any_positive_double(void)
{
	size_t n = 2000000;
	double *x = random_args(n, 3);
	CHECK_U64_EQ(0, count_fn_differences(FN_LOG, x, n));
	free(x);
}

/* Next to 1 (log tiny) on both sides: the 20000 nearest doubles, then offsets of 2^s ulps up to 2^50. */
static void test_vmath__log_next_to_one(void)
{
	size_t n = (20000 + 51 * 200) * 2, m = 0;
	uint64_t one = 0x3ff0000000000000ULL;
	double *x = malloc(n * sizeof(*x));
	if (!x)
		abort();
	for (uint64_t i = 0; i < 20000 + 51 * 200; i++) {
		uint64_t s = (i - 20000) / 200, off = i < 20000 ? i : (1ULL << s) + ((i - 20000) % 200) * ((1ULL << s) / 200 + 1);
		uint64_t up = one + off, down = one - off;
		memcpy(&x[m++], &up, sizeof(double));
		memcpy(&x[m++], &down, sizeof(double));
	}
	CHECK_U64_EQ(0, count_fn_differences(FN_LOG, x, m));
	free(x);
}

static void test_vmath__log_arguments_left_to_glibc(void)
{
	double x[] = {0.0, -0.0, -1.0, -DBL_MIN, 0x1p-1074, 0x1.fffffffffffffp-1023, DBL_MIN, DBL_MAX,
		      INFINITY, -INFINITY, NAN, -NAN, 1.0, 2.0, 0.5};
	CHECK_U64_EQ(0, count_fn_differences(FN_LOG, x, sizeof(x) / sizeof(x[0])));
}

static void test_vmath__log_batch_lengths(void)
{
	size_t lens[] = {0, 1, 7, 8, 9, 511, 512, 513, 1024, 1537};
	double *x = random_args(1600, 2);
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		CHECK_U64_EQ(0, count_fn_differences(FN_LOG, x + 3, lens[i]));
	free(x);
}

static void test_vmath__exp_sampler_arguments(void)
{
	size_t n = 4000000;
	double *x = random_args(n, 4);
	CHECK_U64_EQ(0, count_fn_differences(FN_EXP, x, n));
	free(x);
}

static void test_vmath__exp_whole_range(void)
{
	size_t n = 2000000;
	double *x = random_args(n, 5);
	CHECK_U64_EQ(0, count_fn_differences(FN_EXP, x, n));
	free(x);
}

/* Next to 0 (exp near 1) on both sides: the 20000 nearest doubles, then 2^s times them up to 2^40. */
static void test_vmath__exp_next_to_zero(void)
{
	size_t n = (20000 + 51 * 200) * 2, m = 0;
	double *x = malloc(n * sizeof(*x));
	if (!x)
		abort();
	for (uint64_t i = 0; i < 20000 + 51 * 200; i++) {
		double v = i < 20000 ? i * 0x1p-60 : 0x1p-60 * (double)(1ULL << ((i - 20000) / 200 % 41)) * (1 + (i % 200) / 200.0);
		x[m++] = v;
		x[m++] = -v;
	}
	CHECK_U64_EQ(0, count_fn_differences(FN_EXP, x, m));
	free(x);
}

static void test_vmath__exp_arguments_left_to_glibc(void)
{
	double x[] = {700.0, -700.0, 700.0000000000001, 709.78, 709.8, -708.4, -745.1, -746.0, 1e300,
		      -1e300, INFINITY, -INFINITY, NAN, -NAN, 0.0, -0.0, 0x1p-1074};
	CHECK_U64_EQ(0, count_fn_differences(FN_EXP, x, sizeof(x) / sizeof(x[0])));
}

static const struct harness_test TESTS[] = {
	{"vmath: the samplers' arguments", test_vmath__sampler_arguments},
	{"vmath: anything in [-8, 8)", test_vmath__whole_fast_range},
	{"vmath: next to the multiples of pi/2", test_vmath__next_to_multiples_of_half_pi},
	{"vmath: arguments left to glibc", test_vmath__arguments_left_to_glibc},
	{"vmath: batch lengths", test_vmath__batch_lengths},
	{"vmath: log of the samplers' arguments", test_vmath__log_sampler_arguments},
	{"vmath: log of any positive double", test_vmath__log_any_positive_double},
	{"vmath: log next to 1", test_vmath__log_next_to_one},
	{"vmath: log arguments left to glibc", test_vmath__log_arguments_left_to_glibc},
	{"vmath: log batch lengths", test_vmath__log_batch_lengths},
	{"vmath: exp of the lognormal's arguments", test_vmath__exp_sampler_arguments},
	{"vmath: exp of anything in [-704, 704)", test_vmath__exp_whole_range},
	{"vmath: exp next to 0", test_vmath__exp_next_to_zero},
	{"vmath: exp arguments left to glibc", test_vmath__exp_arguments_left_to_glibc},
	{NULL, NULL},
};

HARNESS_MAIN(TESTS)
