/*
 * kernel_clones: why runtime/eval_ops.c gives its kernels an x86-64-v4 clone but not the
 * hash.  Times a few kernel loops of the evaluator (the same expressions, from
 * runtime/hash.h) over a batch of 2,048 rows, compiled three ways: for any x86-64 (SSE2),
 * for x86-64-v3 (AVX2) and for x86-64-v4 (AVX-512), and prints nanoseconds a row for each.
 * A micro-benchmark, not a test: run it when the machine is quiet, and more than once.
 *
 *   cc -O3 -ffp-contract=off -I runtime bench/kernel_clones.c -o /tmp/kernel_clones -lm
 *   /tmp/kernel_clones
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "hash.h"

#define ROWS 2048
#define REPEAT 20000

int64_t in_i64[ROWS], out_i64[ROWS];
double in_f64[ROWS], out_f64[ROWS];

/* One kernel body, compiled for the three targets. */
#define KERNEL3(name, body) \
	__attribute__((noinline)) void name##_sse2(void) \
	{ \
		for (int i = 0; i < ROWS; i++) { body; } \
	} \
	__attribute__((noinline, target("arch=x86-64-v3"))) void name##_v3(void) \
	{ \
		for (int i = 0; i < ROWS; i++) { body; } \
	} \
	__attribute__((noinline, target("arch=x86-64-v4"))) void name##_v4(void) \
	{ \
		for (int i = 0; i < ROWS; i++) { body; } \
	}

KERNEL3(hash, out_i64[i] = (int64_t)hash_xxh64_u64((uint64_t)in_i64[i], 12345))
KERNEL3(unit, out_f64[i] = hash_unit((uint64_t)in_i64[i]))
KERNEL3(int_range, out_i64[i] = hash_int_range((uint64_t)in_i64[i], 1, 100))
KERNEL3(mul_add, out_f64[i] = in_f64[i] * 6.283185307179586 + 1.5)
KERNEL3(floor, out_f64[i] = floor(in_f64[i]))
KERNEL3(least, out_f64[i] = in_f64[i] < 3.0 ? in_f64[i] : 3.0)

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static double ns_per_row(void (*kernel)(void))
{
	double t0 = now();
	for (int r = 0; r < REPEAT; r++)
		kernel();
	return (now() - t0) / ((double)REPEAT * ROWS) * 1e9;
}

#define TIME3(name) \
	printf("%-10s %8.2f %8.2f %8.2f\n", #name, ns_per_row(name##_sse2), ns_per_row(name##_v3), \
	       ns_per_row(name##_v4))

int main(void)
{
	for (int i = 0; i < ROWS; i++) {
		in_i64[i] = (int64_t)((uint64_t)i * 0x9E3779B97F4A7C15ULL);
		in_f64[i] = i * 0.37;
	}
	if (!__builtin_cpu_supports("avx512dq")) {
		fprintf(stderr, "kernel_clones: this CPU has no AVX-512DQ\n");
		return 2;
	}
	printf("ns a row   %8s %8s %8s\n", "x86-64", "v3", "v4");
	for (int pass = 0; pass < 2; pass++) {
		TIME3(hash);
		TIME3(unit);
		TIME3(int_range);
		TIME3(mul_add);
		TIME3(floor);
		TIME3(least);
	}
	return (int)(out_i64[3] & 1) + (int)(out_f64[5] < 0);
}
