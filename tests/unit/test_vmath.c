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

enum fn { FN_COS, FN_LOG, FN_EXP };

static const char *const fn_names[] = {"cos", "log", "exp"};

/* Runs vmath's function on x[0..n) and counts the values that differ from glibc's; prints the first. */
static size_t count_differences(enum fn fn, const double *x, size_t n)
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

enum args {
	ARGS_COS_SAMPLER, /* 2 pi u, u a 53-bit unit draw */
	ARGS_COS_RANGE,   /* anything in [-8, 8): 60-bit fixed point */
	ARGS_LOG_SAMPLER, /* 1 - u */
	ARGS_LOG_RANGE,   /* any positive normal double */
	ARGS_EXP_SAMPLER, /* the bench lognormal's 4.2 + 0.8 z, |z| < 8 */
	ARGS_EXP_RANGE,   /* anything in [-704, 704) */
};

static double *alloc_args(size_t n)
{
	double *x = malloc(n * sizeof(*x));
	if (!x)
		abort();
	return x;
}

/* Checks vmath's function on x[0..n) against glibc's, then frees x. */
static void check_args(enum fn fn, double *x, size_t n)
{
	CHECK_U64_EQ(0, count_differences(fn, x, n));
	free(x);
}

static double *random_args(size_t n, enum args kind)
{
	double *x = alloc_args(n);
	for (size_t i = 0; i < n; i++) {
		uint64_t r = harness_rng(), bits = (r >> 1) % 0x7fe0000000000000ULL + 0x0010000000000000ULL;
		switch (kind) {
		case ARGS_COS_SAMPLER: x[i] = TWO_PI * ((double)(r >> 11) * 0x1p-53); break;
		case ARGS_COS_RANGE: x[i] = (double)(int64_t)r * 0x1p-60; break;
		case ARGS_LOG_SAMPLER: x[i] = 1.0 - (double)(r >> 11) * 0x1p-53; break;
		case ARGS_LOG_RANGE: memcpy(&x[i], &bits, sizeof(double)); break;
		case ARGS_EXP_SAMPLER: x[i] = 4.2 + 0.8 * ((double)(int64_t)r * 0x1p-60); break;
		case ARGS_EXP_RANGE: x[i] = (double)(int64_t)r * 0x1.6p-54; break;
		}
	}
	return x;
}

static void check_random(enum fn fn, enum args kind, size_t n)
{
	check_args(fn, random_args(n, kind), n);
}

/*
 * The i-th of NEAR_N ulp offsets from a hard point: 0..19999, then 200 offsets
 * in each [2^s, 2^(s+1)) ulps for s = 0..50.
 */
#define NEAR_N (20000 + 51 * 200)
static uint64_t near_offset(uint64_t i)
{
	uint64_t s = (i - 20000) / 200;
	return i < 20000 ? i : (1ULL << s) + (i - 20000) % 200 * ((1ULL << s) / 200 + 1);
}

static void test_vmath__cos_sampler_arguments(void)
{
	check_random(FN_COS, ARGS_COS_SAMPLER, 4000000);
}

static void test_vmath__cos_whole_fast_range(void)
{
	check_random(FN_COS, ARGS_COS_RANGE, 2000000);
}

/* Next to k pi/2, k = 0..5, both signs and both sides: cos is tiny there, and a reduction cancels. */
static void test_vmath__cos_next_to_multiples_of_half_pi(void)
{
	size_t m = 0;
	double *x = alloc_args(6 * NEAR_N * 4);
	for (int k = 0; k < 6; k++) {
		double base = k * 1.5707963267948966;
		uint64_t bits;
		memcpy(&bits, &base, sizeof(bits));
		for (uint64_t i = 0; i < NEAR_N; i++) {
			uint64_t off = near_offset(i), up = bits + off, down = k ? bits - off : off; /* k = 0: upward twice */
			memcpy(&x[m++], &up, sizeof(double));
			memcpy(&x[m++], &down, sizeof(double));
			x[m] = -x[m - 2];
			x[m + 1] = -x[m - 1];
			m += 2;
		}
	}
	check_args(FN_COS, x, m);
}

static void test_vmath__cos_arguments_left_to_glibc(void)
{
	double x[] = {8.0, -8.0, 8.000000000000002, -9.5, 100.0, 1e10, -1e22, 1e300, DBL_MAX,
		      INFINITY, -INFINITY, NAN, -NAN, 0.0, -0.0, 0x1p-1074, 4.9e-300};
	CHECK_U64_EQ(0, count_differences(FN_COS, x, sizeof(x) / sizeof(x[0])));
}

static void test_vmath__log_sampler_arguments(void)
{
	check_random(FN_LOG, ARGS_LOG_SAMPLER, 4000000);
}

static void test_vmath__log_any_positive_double(void)
{
	check_random(FN_LOG, ARGS_LOG_RANGE, 2000000);
}

/* Next to 1 (log tiny) on both sides. */
static void test_vmath__log_next_to_one(void)
{
	size_t m = 0;
	uint64_t one = 0x3ff0000000000000ULL;
	double *x = alloc_args(NEAR_N * 2);
	for (uint64_t i = 0; i < NEAR_N; i++) {
		uint64_t up = one + near_offset(i), down = one - near_offset(i);
		memcpy(&x[m++], &up, sizeof(double));
		memcpy(&x[m++], &down, sizeof(double));
	}
	check_args(FN_LOG, x, m);
}

static void test_vmath__log_arguments_left_to_glibc(void)
{
	double x[] = {0.0, -0.0, -1.0, -DBL_MIN, 0x1p-1074, 0x1.fffffffffffffp-1023, DBL_MIN, DBL_MAX,
		      INFINITY, -INFINITY, NAN, -NAN, 1.0, 2.0, 0.5};
	CHECK_U64_EQ(0, count_differences(FN_LOG, x, sizeof(x) / sizeof(x[0])));
}

static void test_vmath__exp_sampler_arguments(void)
{
	check_random(FN_EXP, ARGS_EXP_SAMPLER, 4000000);
}

static void test_vmath__exp_whole_range(void)
{
	check_random(FN_EXP, ARGS_EXP_RANGE, 2000000);
}

/* Next to 0 (exp near 1) on both sides: multiples of 2^-60 up to about 2^-9. */
static void test_vmath__exp_next_to_zero(void)
{
	size_t m = 0;
	double *x = alloc_args(NEAR_N * 2);
	for (uint64_t i = 0; i < NEAR_N; i++) {
		double v = (double)(near_offset(i) >> 10 << 10 | i % 1024) * 0x1p-60;
		x[m++] = v;
		x[m++] = -v;
	}
	check_args(FN_EXP, x, m);
}

static void test_vmath__exp_arguments_left_to_glibc(void)
{
	double x[] = {700.0, -700.0, 700.0000000000001, 709.78, 709.8, -708.4, -745.1, -746.0, 1e300,
		      -1e300, INFINITY, -INFINITY, NAN, -NAN, 0.0, -0.0, 0x1p-1074};
	CHECK_U64_EQ(0, count_differences(FN_EXP, x, sizeof(x) / sizeof(x[0])));
}

/* Lengths around the block size, from an odd offset, and a zero-length batch. */
static void test_vmath__batch_lengths(void)
{
	const struct {
		enum fn fn;
		enum args args;
	} cases[] = {{FN_COS, ARGS_COS_SAMPLER}, {FN_LOG, ARGS_LOG_SAMPLER}, {FN_EXP, ARGS_EXP_SAMPLER}};
	size_t lens[] = {0, 1, 7, 8, 9, 511, 512, 513, 1024, 1537};
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		double *x = random_args(1600, cases[c].args);
		for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
			CHECK_U64_EQ(0, count_differences(cases[c].fn, x + 3, lens[i]));
		free(x);
	}
}

static const struct harness_test TESTS[] = {
	{"vmath: cos of the samplers' arguments", test_vmath__cos_sampler_arguments},
	{"vmath: cos of anything in [-8, 8)", test_vmath__cos_whole_fast_range},
	{"vmath: cos next to the multiples of pi/2", test_vmath__cos_next_to_multiples_of_half_pi},
	{"vmath: cos arguments left to glibc", test_vmath__cos_arguments_left_to_glibc},
	{"vmath: log of the samplers' arguments", test_vmath__log_sampler_arguments},
	{"vmath: log of any positive double", test_vmath__log_any_positive_double},
	{"vmath: log next to 1", test_vmath__log_next_to_one},
	{"vmath: log arguments left to glibc", test_vmath__log_arguments_left_to_glibc},
	{"vmath: exp of the lognormal's arguments", test_vmath__exp_sampler_arguments},
	{"vmath: exp of anything in [-704, 704)", test_vmath__exp_whole_range},
	{"vmath: exp next to 0", test_vmath__exp_next_to_zero},
	{"vmath: exp arguments left to glibc", test_vmath__exp_arguments_left_to_glibc},
	{"vmath: batch lengths", test_vmath__batch_lengths},
	{NULL, NULL},
};

HARNESS_MAIN(TESTS)
