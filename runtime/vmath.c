/*
 * vmath: glibc's cos, log and exp for a batch, bit for bit, in loops the
 * compiler vectorises (the normal sampler takes a log and a cos a row, the
 * lognormal an exp more).
 *
 * Each lane computes its function to about 2^-60 relative, as a
 * double-double hi + lo, with a table and short polynomials:
 *   - cos: a Cody-Waite reduction by pi/2 (pi/2 in three doubles, the first
 *     step exact by FMA), then sin or cos of the remainder r from a table at
 *     a = j/64 and Taylor tails in d = r - a, |d| <= 1/128:
 *       cos(a + d) = C + C (cos d - 1) - S d - S (sin d - d), sin likewise;
 *   - log: x = 2^e m, m near 1, c the centre of m's 1/128 of an octave:
 *       log x = e ln 2 - log(1/c) + log1p(m/c - 1),
 *     m/c - 1 exact as a double-double by FMA, log1p a Taylor series;
 *   - exp: x = k ln2/128 + r (ln2/128 in two doubles), |r| <= ln2/256:
 *       exp x = 2^(k >> 7) 2^((k & 127)/128) exp(r), exp(r) a Taylor series.
 * The tables (sin, cos at j/64; 1/c and log(1/c); 2^(j/128)) are
 * double-doubles from the long double sinl, cosl, logl and exp2l.
 *
 * That decides the rounding of most lanes.  When every value within a margin
 * of hi + lo rounds to the same double y, the true value rounds to y with
 * that margin to spare, and glibc, whose error is below 0.5 ulp plus the
 * margin, returns exactly y too.  The margins:
 *   - cos: 0.1 ulp.  glibc's s_sin.c claims about 0.55 ulp; the worst seen
 *     in tests/unit/test_vmath.c is 0.561, for a result next to pi/2 (where
 *     its reduction loses bits), so results below 1/32 always go to glibc;
 *   - log and exp: 0.05 ulp.  This glibc's log and exp (Arm's
 *     optimized-routines) are documented below 0.52 and 0.511 ulp, and none
 *     in the test is off by more (log 0.517, exp under 0.51); a correctly
 *     rounded function, as newer glibc has for log, passes any margin.
 * The other lanes (22 % for cos of 2 pi u, 10 % for log of 1 - u and for
 * exp), and arguments out of range (cos: |x| > 8, exp: |x| > 700), not
 * positive (log) or not finite, call glibc.
 * tests/unit/test_vmath.c compares the two on about 19 million arguments.
 *
 * Only the AVX-512 loops are fast: on a CPU without x86-64-v4 (or a build
 * without kernel_clones.h's clones) every value comes from glibc, as the
 * portable loops run 2-3 times slower than glibc (bench/vmath_bench.c).
 * The sanitizer build defines INGEN_VMATH_PORTABLE_LANES and runs them
 * anyway, so the tests check the lane arithmetic in both forms.  The AVX-512
 * loops need gathers, which GCC's generic tuning does not emit, so they are
 * separate functions with a tuning that does (not target_clones).  The
 * tables are built once (pthread_once) and only read after; without a long
 * double of 64 bits or more they cannot be trusted, and glibc does it all.
 */
#include "vmath.h"

#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "kernel_clones.h"

#define SINCOS_N 64 /* a = j/64: past pi/4 (50.3/64) with room, and every j & 63 */
#define LOG_N 128   /* 1/128 of an octave each */
#define BLOCK 512  /* lanes per pass; the lanes to redo are flagged in between */

/* pi/2 = P1 + P2 + P3 to about 2^-160; 2/pi; the round-to-integer shift */
#define P1 0x1.921fb54442d18p+0
#define P2 0x1.1a62633145c07p-54
#define P3 -0x1.f1976b7ed8fbcp-110
#define TWO_OVER_PI 0x1.45f306dc9c883p-1
#define SHIFT 0x1.8p52
/* Taylor coefficients: cos d - 1 from d^4, sin d - d from d^3 */
#define C4 (1.0 / 24)
#define C6 (-1.0 / 720)
#define C8 (1.0 / 40320)
#define S3 (-1.0 / 6)
#define S5 (1.0 / 120)
#define S7 (-1.0 / 5040)
/* log1p(r) - r + r^2/2, from r^3 */
#define L3 (1.0 / 3)
#define L4 (-1.0 / 4)
#define L5 (1.0 / 5)
#define L6 (-1.0 / 6)
#define L7 (1.0 / 7)
#define L8 (-1.0 / 8)
#define L9 (1.0 / 9)
#define L10 (-1.0 / 10)
#define L11 (1.0 / 11)

/* exp: x = k ln2/128 + r, ln2/128 = EXP_L1 + EXP_L2 (EXP_L1 has 36 bits: k EXP_L1 is exact for |k| < 2^17) */
#define EXP_N 128
#define EXP_N_OVER_LN2 0x1.71547652b82fep+7
#define EXP_L1 0x1.62e42fefa0000p-8
#define EXP_L2 0x1.cf79abc9e3b3ap-47
/* exp(r) - 1 - r - r^2/2, from r^3 */
#define E3 (1.0 / 6)
#define E4 (1.0 / 24)
#define E5 (1.0 / 120)
#define E6 (1.0 / 720)

/* log: x's bits minus LOG_OFF have m's octave index in the exponent field, m in [sqrt(1/2), sqrt(2)) */
#define LOG_OFF 0x3fe6a09e667f3bcdULL
#define LN2_HI 0x1.62e42fefa3800p-1 /* 42 bits: e LN2_HI is exact */
#define LN2_LO 0x1.ef35793c76730p-45

static double sin_hi[SINCOS_N], sin_lo[SINCOS_N], cos_hi[SINCOS_N], cos_lo[SINCOS_N];
static double log_invc[LOG_N], log_logc_hi[LOG_N], log_logc_lo[LOG_N];
static double exp_hi[EXP_N], exp_lo[EXP_N]; /* 2^(j/128) */
static bool use_lanes, use_v4;
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static void tables_init(void)
{
#if LDBL_MANT_DIG >= 64
#if HAVE_KERNEL_CLONES
	__builtin_cpu_init();
	use_v4 = __builtin_cpu_supports("x86-64-v4");
#endif
#ifndef INGEN_VMATH_PORTABLE_LANES
	if (!use_v4)
		return; /* the portable loops are 2-3 times slower than glibc: glibc it is */
#endif
	for (int j = 0; j < SINCOS_N; j++) {
		long double a = j / 64.0L, s = sinl(a), c = cosl(a);
		sin_hi[j] = (double)s;
		sin_lo[j] = (double)(s - sin_hi[j]);
		cos_hi[j] = (double)c;
		cos_lo[j] = (double)(c - cos_hi[j]);
	}
	/* 1/c for the centre c of each part (linear in the bits); 1 for the part of 1 itself, so that r is m - 1 there */
	for (uint64_t i = 0; i < LOG_N; i++) {
		uint64_t centre_bits = LOG_OFF + (i << 45) + (1ULL << 44);
		double c;
		long double l;
		memcpy(&c, &centre_bits, sizeof(c));
		log_invc[i] = i == ((0x3ff0000000000000ULL - LOG_OFF) >> 45) ? 1.0 : 1.0 / c;
		l = -logl((long double)log_invc[i]);
		log_logc_hi[i] = (double)l;
		log_logc_lo[i] = (double)(l - log_logc_hi[i]);
	}
	for (int j = 0; j < EXP_N; j++) {
		long double t = exp2l(j / (long double)EXP_N);
		exp_hi[j] = (double)t;
		exp_lo[j] = (double)(t - exp_hi[j]);
	}
	use_lanes = true;
#endif
}

/* Knuth's TwoSum: s = a + b rounded, and *err = a + b - s exactly. */
static inline __attribute__((always_inline)) double two_sum(double a, double b, double *err)
{
	double s = a + b, v = s - a;
	*err = (a - (s - v)) + (b - v);
	return s;
}

/*
 * Whether every value within `margin` ulps of hi + lo rounds to y = hi + lo
 * (y normal and not tiny: above 2^-963).
 */
static inline __attribute__((always_inline)) bool rounding_decided(double hi, double lo, double y, double margin)
{
	uint64_t bits, exp_bits, ulp_bits;
	double ulp, d;
	memcpy(&bits, &y, sizeof(bits));
	exp_bits = bits & 0x7ff0000000000000ULL;
	ulp_bits = exp_bits > (60ULL << 52) ? exp_bits - (52ULL << 52) : 0;
	memcpy(&ulp, &ulp_bits, sizeof(ulp));
	d = margin * ulp;
	return (ulp_bits != 0) & (hi + (lo - d) == y) & (hi + (lo + d) == y); /* & : no branch */
}

/*
 * cos(x) rounded to a double, and in *redo whether glibc must be asked
 * instead.  No branch, so that the loop around it vectorises.
 */
static inline __attribute__((always_inline)) double cos_lane(double x, int64_t *redo)
{
	double ax = fabs(x);
	bool in_range = ax <= 8.0; /* false for NaN */
	ax = in_range ? ax : 0.0;

	/* r = ax - k pi/2 = rh + rl, |r| <= pi/4 (plus rounding) */
	double kd = (ax * TWO_OVER_PI + SHIFT) - SHIFT;
	int q = (int)kd;
	double r1 = fma(-kd, P1, ax); /* exact: |r1| < 1 and a multiple of ulp(ax) or 2^-52 */
	double t = kd * P2, t_err = fma(kd, P2, -t);
	double rl, rh = two_sum(r1, -t, &rl);
	rl = rl - t_err - kd * P3;

	/* by symmetry, the remainder's absolute value */
	double sign_r = rh < 0 ? -1.0 : 1.0;
	rh = fabs(rh);
	rl *= sign_r;

	/* cos x = cos r, -sin r, -cos r, sin r for q mod 4 = 0..3 */
	bool odd = q & 1;
	int j = (int)(rh * 64.0 + 0.5) & 63;
	double d = rh - j * (1.0 / 64); /* exact */
	double sh = sin_hi[j], sl = sin_lo[j], ch = cos_hi[j], cl = cos_lo[j];
	double t1h = odd ? sh : ch, t1l = odd ? sl : cl, t2h = odd ? ch : -sh, t2l = odd ? cl : -sl;

	double d2 = d * d;
	double cos_m1 = -0.5 * d2 - d * rl + d2 * d2 * (C4 + d2 * (C6 + d2 * C8));
	double sin_md = d * d2 * (S3 + d2 * (S5 + d2 * S7));
	double p = t2h * d, p_err = fma(t2h, d, -p);
	double lo, hi = two_sum(t1h, p, &lo);
	lo += p_err + t1l + t2h * rl + t2l * d + t1h * cos_m1 + t2h * sin_md;

	double y = hi + lo;
	*redo = !(in_range & (y >= 0x1p-5) & rounding_decided(hi, lo, y, 0.1));

	double sign = ((q + 1) & 2) ? -1.0 : 1.0;
	return sign * (odd ? sign_r : 1.0) * y;
}

/*
 * log(x) rounded to a double, and in *redo whether glibc must be asked
 * instead (x not positive, subnormal, infinite or NaN included).
 */
static inline __attribute__((always_inline)) double log_lane(double x, int64_t *redo)
{
	uint64_t bits, tmp, m_bits;
	double m;
	memcpy(&bits, &x, sizeof(bits));
	bool in_range = bits - 0x0010000000000000ULL < 0x7fe0000000000000ULL; /* positive, normal, finite */
	bits = in_range ? bits : 0x3ff0000000000000ULL;

	/* x = 2^e m, m in [sqrt(1/2), sqrt(2)), i its part */
	tmp = bits - LOG_OFF;
	int64_t e = (int64_t)tmp >> 52;
	int i = (int)(tmp >> 45) & (LOG_N - 1);
	m_bits = bits - (tmp & 0xfff0000000000000ULL);
	memcpy(&m, &m_bits, sizeof(m));

	/* r = m/c - 1 = rh + rl exactly (p in [1/2, 2], so p - 1 is exact) */
	double invc = log_invc[i], logc_hi = log_logc_hi[i], logc_lo = log_logc_lo[i];
	double p = m * invc, rl = fma(m, invc, -p), rh = p - 1.0;

	/* log1p(r) = r - r^2/2 + r^3 (1/3 - r/4 + ...), |r| < 2^-7 */
	double r2 = rh * rh, r2_err = fma(rh, rh, -r2);
	double tail = rh * r2 * (L3 + rh * (L4 + rh * (L5 + rh * (L6 + rh * (L7 + rh * (L8 + rh * (L9 + rh * (L10 + rh * L11))))))));

	/* e ln2 + log(1/c) + rh - r2/2 as hi, with the rounding errors in lo */
	double ed = (double)e, a = ed * LN2_HI; /* exact */
	double e1, e2, e3, s1 = two_sum(a, logc_hi, &e1), s2 = two_sum(s1, rh, &e2);
	double hi = two_sum(s2, -0.5 * r2, &e3); /* -r2/2 is exact */
	double lo = e1 + e2 + e3 + ed * LN2_LO + logc_lo + rl - rh * rl - 0.5 * r2_err + tail;

	double y = hi + lo;
	*redo = !(in_range & rounding_decided(hi, lo, y, 0.05));
	return y;
}

/*
 * exp(x) rounded to a double, and in *redo whether glibc must be asked
 * instead (|x| > 700, where the result may leave the normal range, and NaN).
 * exp(x) = 2^(k / 128) exp(r) = 2^e T exp(r), T = 2^(j / 128) from the
 * table; the rounding is decided on T exp(r), which 2^e scales exactly.
 */
static inline __attribute__((always_inline)) double exp_lane(double x, int64_t *redo)
{
	bool in_range = fabs(x) <= 700.0; /* false for NaN */
	x = in_range ? x : 0.0;

	/* r = x - k ln2/128 = rh + rl, |r| <= ln2/256 (plus rounding) */
	double kd = (x * EXP_N_OVER_LN2 + SHIFT) - SHIFT;
	int64_t k = (int64_t)kd;
	double r1 = x - kd * EXP_L1; /* both exact */
	double t = kd * EXP_L2, t_err = fma(kd, EXP_L2, -t);
	double rl, rh = two_sum(r1, -t, &rl);
	rl -= t_err;

	int j = (int)(k & (EXP_N - 1));
	int64_t e = k >> 7; /* floor(k / 128) */
	double th = exp_hi[j], tl = exp_lo[j];

	/* T exp(r) = th + th rh + (tl + th rl + tl rh + th (r^2/2 + r^3/6 + ...)) */
	double q = 0.5 * rh * rh + rh * rl + rh * rh * rh * (E3 + rh * (E4 + rh * (E5 + rh * E6)));
	double p = th * rh, p_err = fma(th, rh, -p);
	double lo, hi = two_sum(th, p, &lo);
	lo += p_err + tl + th * rl + tl * rh + th * q;

	double y = hi + lo;
	*redo = !(in_range & rounding_decided(hi, lo, y, 0.05));

	uint64_t scale_bits = (uint64_t)(e + 1023) << 52;
	double scale;
	memcpy(&scale, &scale_bits, sizeof(scale));
	return y * scale;
}

/*
 * The block loops: out[i] for every lane, redo[i] for the lanes glibc must
 * redo; an AVX-512 one where GCC can build it (GCC's generic tuning emits no
 * gathers, so it names a tuning that does), and a portable one, which only
 * the sanitizer build runs (INGEN_VMATH_PORTABLE_LANES).
 */
#define BLOCK_LOOPS(name, lane)                                                                        \
	static void name(const double *restrict x, double *restrict out, int64_t *restrict redo, size_t m) \
	{                                                                                              \
		for (size_t i = 0; i < m; i++)                                                         \
			out[i] = lane(x[i], &redo[i]);                                                 \
	}                                                                                              \
	V4_TARGET static void name##_v4(const double *restrict x, double *restrict out,               \
					int64_t *restrict redo, size_t m)                              \
	{                                                                                              \
		for (size_t i = 0; i < m; i++)                                                         \
			out[i] = lane(x[i], &redo[i]);                                                 \
	}

#if HAVE_KERNEL_CLONES
#define V4_TARGET __attribute__((target("arch=x86-64-v4,tune=icelake-server,prefer-vector-width=512")))
#else
#define V4_TARGET /* no clone here: the same loop as the portable one */
#endif

BLOCK_LOOPS(cos_block, cos_lane)
BLOCK_LOOPS(log_block, log_lane)
BLOCK_LOOPS(exp_block, exp_lane)

typedef void block_fn(const double *restrict, double *restrict, int64_t *restrict, size_t);

/* Blocks of the fast lanes, each followed by glibc for the lanes it left. */
static void run_blocks(const double *restrict x, double *restrict out, size_t n, block_fn *block,
		       block_fn *block_v4, double (*libm)(double))
{
	int64_t redo[BLOCK]; /* as wide as a double, so a vector holds 8 lanes of each */
	uint32_t at[BLOCK];

	pthread_once(&tables_once, tables_init);
	if (!use_lanes) {
		for (size_t i = 0; i < n; i++)
			out[i] = libm(x[i]);
		return;
	}
	for (size_t from = 0; from < n; from += BLOCK) {
		size_t m = n - from < BLOCK ? n - from : BLOCK, n_redo = 0;
		(use_v4 ? block_v4 : block)(x + from, out + from, redo, m);
		for (size_t i = 0; i < m; i++) { /* the lanes to redo, listed without a branch */
			at[n_redo] = (uint32_t)i;
			n_redo += (size_t)redo[i];
		}
		for (size_t i = 0; i < n_redo; i++)
			out[from + at[i]] = libm(x[from + at[i]]);
	}
}

void vmath_cos(const double *restrict x, double *restrict out, size_t n)
{
	run_blocks(x, out, n, cos_block, cos_block_v4, cos);
}

void vmath_log(const double *restrict x, double *restrict out, size_t n)
{
	run_blocks(x, out, n, log_block, log_block_v4, log);
}

void vmath_exp(const double *restrict x, double *restrict out, size_t n)
{
	run_blocks(x, out, n, exp_block, exp_block_v4, exp);
}
