/*
 * vmath_bench: runtime/vmath.c against glibc, nanoseconds a value.  Batches of 2,048
 * arguments as the samplers make them (cos of 2 pi u, log of 1 - u, exp of the bench
 * table's lognormal 4.2 + 0.8 z), 64 different batches in turn (so that glibc's branches
 * cannot learn one batch), each function timed batch by batch alternately with the glibc
 * loop it replaces, so the host's drift falls on both.  A micro-benchmark, not a
 * test (tests/unit/test_vmath.c checks the values): run it when the machine is quiet.
 *
 *   cc -O3 -ffp-contract=off -fno-trapping-math -I runtime bench/vmath_bench.c \
 *      runtime/vmath.c -o /tmp/vmath_bench -lm -lpthread
 *   /tmp/vmath_bench
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "vmath.h"

#define ROWS 2048
#define BATCHES 64
#define REPEAT 4096

static double arg_cos[BATCHES][ROWS], arg_log[BATCHES][ROWS], arg_exp[BATCHES][ROWS], out[ROWS];

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static uint64_t next(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return *s;
}

/* Seconds of one vmath batch and one glibc batch, added to t[0] and t[1]. */
static void time_pair(void (*batch)(const double *restrict, double *restrict, size_t),
		      double (*libm)(double), const double *x, double t[2])
{
	double t0 = now(), t1, t2;
	batch(x, out, ROWS);
	t1 = now();
	for (size_t i = 0; i < ROWS; i++)
		out[i] = libm(x[i]);
	t2 = now();
	__asm__ volatile("" : : "r"(out) : "memory");
	t[0] += t1 - t0;
	t[1] += t2 - t1;
}

int main(void)
{
	uint64_t s = 1;
	double t_cos[2] = {0}, t_log[2] = {0}, t_exp[2] = {0}, per = 1e9 / ((double)REPEAT * ROWS);

	for (size_t b = 0; b < BATCHES; b++)
		for (size_t i = 0; i < ROWS; i++) {
			double u = (double)(next(&s) >> 11) * 0x1p-53;
			arg_cos[b][i] = 6.283185307179586 * u;
			arg_log[b][i] = 1.0 - u;
			arg_exp[b][i] = 4.2 + 0.8 * ((double)(int64_t)next(&s) * 0x1p-62); /* |z| < 2 */
		}
	for (int r = 0; r < REPEAT; r++) {
		time_pair(vmath_cos, cos, arg_cos[r % BATCHES], t_cos);
		time_pair(vmath_log, log, arg_log[r % BATCHES], t_log);
		time_pair(vmath_exp, exp, arg_exp[r % BATCHES], t_exp);
	}
	printf("ns a value   vmath   glibc\n");
	printf("cos         %6.1f  %6.1f\n", t_cos[0] * per, t_cos[1] * per);
	printf("log         %6.1f  %6.1f\n", t_log[0] * per, t_log[1] * per);
	printf("exp         %6.1f  %6.1f\n", t_exp[0] * per, t_exp[1] * per);
	return 0;
}
