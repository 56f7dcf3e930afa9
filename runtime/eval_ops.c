/*
 * eval_ops: the kernels of the native evaluator, one loop over the batch per
 * IR op, and the CAST rules they share.  eval.c has already checked arity
 * and argument types, so a kernel only dispatches on the types it accepts.
 *
 * Conventions: an argument may be broadcast (a constant, or computed from
 * constants only): its row i is element (i & vmask(arg)).  Every kernel
 * writes every row of its output, NULL rows included (with an unspecified
 * but deterministic value), so values never depend on stale memory.  Integer
 * arithmetic wraps (two's complement, as the JVM); double-to-integer
 * conversions saturate and map NaN to 0 (Java's (long) cast); decimals are
 * computed in 128 bits and are NULL when the result leaves int64.  The
 * rules are written out in docs/samplers.md, "Native evaluation".
 */
#include "eval_internal.h"

#include <math.h>
#include <string.h>

#include "datetime.h"
#include "hash.h"
#include "kernel_clones.h"
#include "textfmt.h"
#include "vmath.h"

typedef __int128 i128;

#define I128_MAX ((i128)(((unsigned __int128)1 << 127) - 1))

/* 10^s as the nearest double (exact up to 10^22). */
static const double p10d[39] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13,
	1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22, 1e23, 1e24, 1e25, 1e26,
	1e27, 1e28, 1e29, 1e30, 1e31, 1e32, 1e33, 1e34, 1e35, 1e36, 1e37, 1e38,
};

static i128 p10q(int s)
{
	i128 v = 1;
	while (s-- > 0)
		v *= 10;
	return v;
}

/* Java's (long) d: truncation, NaN -> 0, saturating. */
static inline int64_t d2l(double x)
{
	if (x != x)
		return 0;
	if (x >= 9223372036854775808.0)
		return INT64_MAX;
	if (x <= -9223372036854775808.0)
		return INT64_MIN;
	return (int64_t)x;
}

/* An integral double that fits int64 exactly, for decimals; false otherwise. */
static inline bool d2l_fits(double y, int64_t *out)
{
	if (!(y >= -9223372036854775808.0 && y < 9223372036854775808.0)) {
		*out = 0;
		return false;
	}
	*out = (int64_t)y;
	return true;
}

static inline bool fits64(i128 v)
{
	return v >= INT64_MIN && v <= INT64_MAX;
}

/* Rescaling of decimals by a fixed factor: up multiplies, down rounds half up (ties away from 0). */
struct rescale {
	int dir; /* 1 up, -1 down, 0 none */
	i128 p, limit;
};

static struct rescale rescale_of(int from, int to)
{
	struct rescale r;
	r.dir = to > from ? 1 : to < from ? -1 : 0;
	r.p = p10q(to > from ? to - from : from - to);
	r.limit = I128_MAX / r.p;
	return r;
}

static inline bool rescale_apply(const struct rescale *r, i128 v, i128 *out)
{
	if (r->dir > 0) {
		if (v > r->limit || v < -r->limit) {
			*out = 0;
			return false;
		}
		*out = v * r->p;
	} else if (r->dir < 0) {
		i128 q = v / r->p, rem = v % r->p;
		if (rem < 0)
			rem = -rem;
		if (rem >= r->p - rem)
			q += v < 0 ? -1 : 1;
		*out = q;
	} else {
		*out = v;
	}
	return true;
}

static inline int dec_scale_of(const struct vec *x)
{
	return x->v.type == IR_T_DEC ? x->v.scale : 0;
}

/* Spark's ordering of doubles: NaN equals NaN and is above everything; -0.0 == 0.0. */
static inline int cmp_f64(double a, double b)
{
	if (a < b)
		return -1;
	if (a > b)
		return 1;
	if (a == b)
		return 0;
	return a != a ? (b != b ? 0 : 1) : -1;
}

static inline int cmp_i64(int64_t a, int64_t b)
{
	return (a > b) - (a < b);
}

static inline int cmp_bytes(const char *a, size_t la, const char *b, size_t lb)
{
	int r = la && lb ? memcmp(a, b, la < lb ? la : lb) : 0;
	if (r)
		return r < 0 ? -1 : 1;
	return (la > lb) - (la < lb);
}

static inline size_t slen(const struct vec *x, size_t j)
{
	return x->v.off[j + 1] - x->v.off[j];
}

static inline const char *sptr(const struct vec *x, size_t j)
{
	return x->v.data + x->v.off[j];
}

/* Number of UTF-8 characters (bytes that are not continuation bytes). */
static inline size_t utf8_count(const char *s, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += ((unsigned char)s[i] & 0xC0) != 0x80;
	return k;
}

/* Byte offset of character `chars` (n when the string is shorter). */
static inline size_t utf8_offset(const char *s, size_t n, uint64_t chars)
{
	uint64_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80) {
			if (k == chars)
				return i;
			k++;
		}
	return n;
}

/* ---------- casts ---------- */

bool eval_castable(enum ir_type from, enum ir_type to)
{
	if (from == to || to == IR_T_STR)
		return true;
	switch (to) {
	case IR_T_BOOL: return from == IR_T_I64 || from == IR_T_F64 || from == IR_T_DEC;
	case IR_T_I64: return from != IR_T_STR;
	case IR_T_F64: return from == IR_T_BOOL || from == IR_T_I64 || from == IR_T_TS || from == IR_T_DEC;
	case IR_T_DEC: return from == IR_T_BOOL || from == IR_T_I64 || from == IR_T_F64;
	case IR_T_DATE:
	case IR_T_TS: return from == IR_T_I64 || from == IR_T_DATE || from == IR_T_TS;
	default: return false;
	}
}

static size_t text_bound(const struct vec *x)
{
	switch (x->v.type) {
	case IR_T_BOOL: return 5;
	case IR_T_F64: return FMT_F64_MAX;
	case IR_T_DEC: return FMT_DEC_MAX(x->v.scale);
	case IR_T_DATE: return DT_DATE_TEXT_MAX;
	case IR_T_TS: return DT_TS_TEXT_MAX;
	default: return FMT_I64_MAX;
	}
}

/* CAST(x AS STRING) into o (a temporary when NULL), keeping x's rows (and broadcast). */
static struct vec *to_str(struct eval_ctx *c, struct vec *x, struct vec *o)
{
	size_t N = x->v.n, len = 0;
	char *d;
	enum ir_type t = x->v.type;
	const int64_t *xi = x->v.i64;
	const uint8_t *xv = x->v.valid;

	if (t == IR_T_STR)
		return x;
	if (o)
		eval_vec_ready(c, o, IR_T_STR, 0, N);
	else
		o = eval_tmp(c, IR_T_STR, 0, N);
	o->bc = x->bc;
	if (eval_str_reserve(c, o, N * text_bound(x)))
		return NULL;
	d = o->v.data;
	memcpy(o->v.valid, xv, N);
	for (size_t i = 0; i < N; i++) {
		if (xv[i]) {
			switch (t) {
			case IR_T_BOOL:
				if (xi[i]) {
					memcpy(d + len, "true", 4);
					len += 4;
				} else {
					memcpy(d + len, "false", 5);
					len += 5;
				}
				break;
			case IR_T_F64: len += fmt_f64_java(d + len, x->v.f64[i]); break;
			case IR_T_DEC: len += fmt_dec(d + len, xi[i], x->v.scale); break;
			case IR_T_DATE:
				if (dt_days_ok(xi[i]))
					len += dt_format_date(d + len, xi[i]);
				else
					o->v.valid[i] = 0;
				break;
			case IR_T_TS:
				if (dt_secs_ok(xi[i]))
					len += dt_format_ts(d + len, xi[i]);
				else
					o->v.valid[i] = 0;
				break;
			default: len += fmt_i64(d + len, xi[i]); break;
			}
		}
		o->v.off[i + 1] = (uint32_t)len;
	}
	o->v.data_len = len;
	return o;
}

/* eval_convert into o (a temporary when NULL). */
static struct vec *convert_into(struct eval_ctx *c, struct vec *x, enum ir_type to, int scale, struct vec *o)
{
	enum ir_type from = x->v.type;
	size_t N = x->v.n;
	const int64_t *xi = x->v.i64;
	const double *xf = x->v.f64;
	int64_t *oi;
	uint8_t *ov;

	if (from == to && (to != IR_T_DEC || x->v.scale == scale))
		return x;
	if (to == IR_T_STR)
		return to_str(c, x, o);
	if (o)
		eval_vec_ready(c, o, to, scale, N);
	else
		o = eval_tmp(c, to, scale, N);
	o->bc = x->bc;
	ov = o->v.valid;
	oi = o->v.i64;
	memcpy(ov, x->v.valid, N);
	switch (to) {
	case IR_T_BOOL:
		if (from == IR_T_F64)
			for (size_t i = 0; i < N; i++)
				oi[i] = xf[i] != 0;
		else
			for (size_t i = 0; i < N; i++)
				oi[i] = xi[i] != 0;
		break;
	case IR_T_I64:
		if (from == IR_T_F64) {
			for (size_t i = 0; i < N; i++)
				oi[i] = d2l(xf[i]);
		} else if (from == IR_T_DEC) {
			i128 p = p10q(x->v.scale);
			for (size_t i = 0; i < N; i++)
				oi[i] = (int64_t)((i128)xi[i] / p);
		} else {
			memcpy(oi, xi, N * sizeof(int64_t));
		}
		break;
	case IR_T_F64:
		if (from == IR_T_DEC) {
			double p = p10d[x->v.scale];
			for (size_t i = 0; i < N; i++)
				o->v.f64[i] = (double)xi[i] / p;
		} else {
			for (size_t i = 0; i < N; i++)
				o->v.f64[i] = (double)xi[i];
		}
		break;
	case IR_T_DEC:
		if (from == IR_T_F64) {
			double p = p10d[scale];
			for (size_t i = 0; i < N; i++)
				if (!d2l_fits(floor(xf[i] * p + 0.5), &oi[i]))
					ov[i] = 0;
		} else {
			struct rescale r = rescale_of(dec_scale_of(x), scale);
			for (size_t i = 0; i < N; i++) {
				i128 v;
				if (!rescale_apply(&r, xi[i], &v) || !fits64(v)) {
					ov[i] = 0;
					v = 0;
				}
				oi[i] = (int64_t)v;
			}
		}
		break;
	case IR_T_DATE:
		if (from == IR_T_TS)
			for (size_t i = 0; i < N; i++)
				oi[i] = dt_floor_div(xi[i], 86400);
		else
			memcpy(oi, xi, N * sizeof(int64_t));
		break;
	case IR_T_TS:
		if (from == IR_T_DATE)
			for (size_t i = 0; i < N; i++)
				oi[i] = (int64_t)((uint64_t)xi[i] * 86400u);
		else
			memcpy(oi, xi, N * sizeof(int64_t));
		break;
	default:
		break;
	}
	return o;
}

struct vec *eval_convert(struct eval_ctx *c, struct vec *x, enum ir_type to, int scale)
{
	return convert_into(c, x, to, scale, NULL);
}

/* CAST and TO_STR nodes: straight into the node's output (its frame vec when memoised). */
KERNEL
static struct vec *op_cast(struct eval_ctx *c, struct frame *f, const struct enode *n, struct vec **a)
{
	enum ir_type to = n->op == IR_TO_STR ? IR_T_STR : n->type;
	if (a[0]->v.type == to && (to != IR_T_DEC || a[0]->v.scale == n->scale))
		return a[0];
	return convert_into(c, a[0], to, n->scale, eval_out(c, f, n));
}

/* ---------- constants ---------- */

/* Decimal text ("-12.5") to the unscaled value at `scale`, half up; -1 when malformed or too big. */
static int parse_dec(const char *s, int scale, int64_t *out)
{
	bool neg = false, dot = false, any = false;
	i128 v = 0, r;
	int frac = 0;
	struct rescale rs;
	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	for (; *s; s++) {
		if (*s == '.' && !dot) {
			dot = true;
			continue;
		}
		if (*s < '0' || *s > '9' || frac >= 38 || v > (I128_MAX - 9) / 10)
			return -1;
		v = v * 10 + (*s - '0');
		any = true;
		if (dot)
			frac++;
	}
	if (!any)
		return -1;
	rs = rescale_of(frac, scale);
	if (!rescale_apply(&rs, neg ? -v : v, &r) || !fits64(r))
		return -1;
	*out = (int64_t)r;
	return 0;
}

int eval_const_fill(struct eval_ctx *c, struct vec *out, const struct ir_node *ir)
{
	const struct value *v = &ir->value;
	int64_t *i64;
	eval_vec_ready(c, out, ir->type, ir->scale, 1);
	out->bc = true;
	out->v.valid[0] = 1;
	i64 = out->v.i64;
	if (v->kind == VAL_NULL) {
		out->v.valid[0] = 0;
		if (ir->type == IR_T_F64)
			out->v.f64[0] = 0;
		else if (ir->type == IR_T_STR)
			out->v.off[1] = 0;
		else
			i64[0] = 0;
		return 0;
	}
	switch (ir->type) {
	case IR_T_BOOL:
		if (v->kind != VAL_BOOL && v->kind != VAL_INT)
			return -1;
		i64[0] = v->kind == VAL_BOOL ? v->b : v->i != 0;
		return 0;
	case IR_T_I64:
		if (v->kind == VAL_BOOL)
			i64[0] = v->b;
		else if (v->kind == VAL_DOUBLE)
			i64[0] = d2l(v->d);
		else if (v->kind == VAL_INT || v->kind == VAL_DATE || v->kind == VAL_TIMESTAMP)
			i64[0] = v->i;
		else
			return -1;
		return 0;
	case IR_T_F64:
		if (v->kind == VAL_DOUBLE)
			out->v.f64[0] = v->d;
		else if (v->kind == VAL_INT)
			out->v.f64[0] = (double)v->i;
		else
			return -1;
		return 0;
	case IR_T_STR: {
		size_t len;
		if (v->kind != VAL_STRING)
			return -1;
		len = v->s ? strlen(v->s) : 0;
		if (eval_str_reserve(c, out, len))
			return -1;
		if (len)
			memcpy(out->v.data, v->s, len);
		out->v.data_len = len;
		out->v.off[1] = (uint32_t)len;
		return 0;
	}
	case IR_T_DATE:
		if (v->kind == VAL_DATE || v->kind == VAL_INT)
			i64[0] = v->i;
		else if (v->kind == VAL_TIMESTAMP)
			i64[0] = dt_floor_div(v->i, 86400);
		else
			return -1;
		return 0;
	case IR_T_TS:
		if (v->kind == VAL_TIMESTAMP || v->kind == VAL_INT)
			i64[0] = v->i;
		else if (v->kind == VAL_DATE)
			i64[0] = (int64_t)((uint64_t)v->i * 86400u);
		else
			return -1;
		return 0;
	case IR_T_DEC:
		if (v->kind == VAL_INT)
			i64[0] = v->i; /* the unscaled value */
		else if (v->kind == VAL_DOUBLE)
			return d2l_fits(floor(v->d * p10d[ir->scale] + 0.5), &i64[0]) ? 0 : -1;
		else if (v->kind == VAL_STRING)
			return v->s ? parse_dec(v->s, ir->scale, &i64[0]) : -1;
		else
			return -1;
		return 0;
	}
	return -1;
}

/* ---------- row loops ---------- */

/*
 * EACH1(x, N, body) runs body for every row i < N with j the element of x
 * at row i (i, or 0 when x is broadcast); EACH2(x, y, N, body) the same
 * with jx and jy.  Each case is its own loop with a constant or unit
 * stride, which the compiler can vectorise (a mask index cannot be).
 */
#define EACH1(x, N, ...) do { \
	if ((x)->bc) { \
		for (size_t i = 0; i < (N); i++) { const size_t j = 0; (void)j; __VA_ARGS__; } \
	} else { \
		for (size_t i = 0; i < (N); i++) { const size_t j = i; (void)j; __VA_ARGS__; } \
	} } while (0)

#define EACH2(x, y, N, ...) do { \
	if (!(x)->bc && !(y)->bc) { \
		for (size_t i = 0; i < (N); i++) { const size_t jx = i, jy = i; __VA_ARGS__; } \
	} else if (!(x)->bc) { \
		for (size_t i = 0; i < (N); i++) { const size_t jx = i, jy = 0; __VA_ARGS__; } \
	} else if (!(y)->bc) { \
		for (size_t i = 0; i < (N); i++) { const size_t jx = 0, jy = i; __VA_ARGS__; } \
	} else { \
		for (size_t i = 0; i < (N); i++) { const size_t jx = 0, jy = 0; __VA_ARGS__; } \
	} } while (0)

/* out[0..N) = the validity of x (its one value on every row when broadcast). */
static inline void valid_from(uint8_t *out, const struct vec *x, size_t N)
{
	if (x->bc)
		memset(out, x->v.valid[0], N);
	else
		memcpy(out, x->v.valid, N);
}

/* o's validity: x's and y's (validity bytes are 0 or 1). */
static void and_valid(struct vec *o, const struct vec *x, const struct vec *y, size_t N)
{
	const uint8_t *xv = x->v.valid, *yv = y->v.valid;
	uint8_t *ov = o->v.valid;
	if (x->bc && y->bc)
		memset(ov, xv[0] & yv[0], N);
	else if (x->bc)
		valid_from(ov, xv[0] ? y : x, N);
	else if (y->bc)
		valid_from(ov, yv[0] ? x : y, N);
	else
		for (size_t i = 0; i < N; i++)
			ov[i] = xv[i] & yv[i];
}

/* ---------- hashing and draws ---------- */

/* Not a KERNEL: AVX-512's 64-bit multiply is slower than the scalar one here
 * (docs/performance.md). */
static struct vec *op_hash(struct eval_ctx *c, struct frame *f, const struct enode *n, struct vec **a)
{
	struct vec *o = eval_out(c, f, n), *x = a[0];
	size_t N = c->cur_n;
	const int64_t *xi = x->v.i64;
	int64_t *oi = o->v.i64;
	uint64_t key = n->key, k = (uint64_t)n->k;
	valid_from(o->v.valid, x, N);
	if (n->chained)
		EACH1(x, N, oi[i] = (int64_t)hash_xxh64_u64(k, (uint64_t)xi[j]));
	else if (n->has_k)
		EACH1(x, N, oi[i] = (int64_t)hash_xxh64_u64(k, hash_xxh64_u64((uint64_t)xi[j], key)));
	else
		EACH1(x, N, oi[i] = (int64_t)hash_xxh64_u64((uint64_t)xi[j], key));
	return o;
}

KERNEL
static struct vec *op_unit(struct eval_ctx *c, struct frame *f, const struct enode *n, struct vec **a)
{
	struct vec *o = eval_out(c, f, n), *x = a[0];
	size_t N = c->cur_n;
	const int64_t *xi = x->v.i64;
	double *of = o->v.f64;
	valid_from(o->v.valid, x, N);
	EACH1(x, N, of[i] = hash_unit((uint64_t)xi[j]));
	return o;
}

/* hash_int_range for any lo <= hi (hash.h's form needs hi - lo < 2^63). */
static inline int64_t int_range_wide(uint64_t h, int64_t lo, int64_t hi)
{
	double span = (double)hi - (double)lo + 1.0;
	uint64_t off = (uint64_t)(hash_unit(h) * span);
	if (off > (uint64_t)hi - (uint64_t)lo)
		return hi;
	return (int64_t)((uint64_t)lo + off);
}

KERNEL
static struct vec *op_int_range(struct eval_ctx *c, struct frame *f, const struct enode *n, struct vec **a)
{
	struct vec *o = eval_out(c, f, n), *x = a[0];
	size_t N = c->cur_n;
	int64_t lo = n->lo, hi = n->hi;
	bool narrow = (uint64_t)hi - (uint64_t)lo < ((uint64_t)1 << 62);
	const int64_t *xi = x->v.i64;
	int64_t *oi = o->v.i64;
	valid_from(o->v.valid, x, N);
	if (narrow)
		EACH1(x, N, oi[i] = hash_int_range((uint64_t)xi[j], lo, hi));
	else
		EACH1(x, N, oi[i] = int_range_wide((uint64_t)xi[j], lo, hi));
	return o;
}

/* ---------- arithmetic ---------- */

KERNEL
static struct vec *op_arith(struct eval_ctx *c, struct frame *f, const struct enode *n, struct vec **a)
{
	struct vec *x = a[0], *y = a[1], *o;
	size_t N = c->cur_n, mx, my;
	enum ir_op op = n->op;

	if (n->type == IR_T_F64) {
		x = eval_convert(c, x, IR_T_F64, 0);
		y = eval_convert(c, y, IR_T_F64, 0);
		if (!x || !y)
			return NULL;
	}
	o = eval_out(c, f, n);
	and_valid(o, x, y, N);
	mx = vmask(x);
	my = vmask(y);
	if (n->type == IR_T_F64) {
		const double *xf = x->v.f64, *yf = y->v.f64;
		double *of = o->v.f64;
		if (op == IR_ADD)
			EACH2(x, y, N, of[i] = xf[jx] + yf[jy]);
		else if (op == IR_SUB)
			EACH2(x, y, N, of[i] = xf[jx] - yf[jy]);
		else
			EACH2(x, y, N, of[i] = xf[jx] * yf[jy]);
	} else if (n->type == IR_T_DEC) {
		int sx = dec_scale_of(x), sy = dec_scale_of(y), s = sx > sy ? sx : sy;
		struct rescale rx = rescale_of(sx, s), ry = rescale_of(sy, s);
		struct rescale rout = rescale_of(op == IR_MUL ? sx + sy : s, n->scale);
		for (size_t i = 0; i < N; i++) {
			i128 u = x->v.i64[i & mx], v = y->v.i64[i & my], r = 0;
			bool ok = true;
			if (op == IR_MUL) {
				r = u * v; /* |u|, |v| < 2^63: fits */
			} else {
				ok = rescale_apply(&rx, u, &u) && rescale_apply(&ry, v, &v);
				if (ok) {
					if ((u > 0 && v > 0 && u > I128_MAX / 2) || (u < 0 && v < 0 && u < -I128_MAX / 2))
						ok = false; /* cannot happen below scale 38; guard anyway */
					else
						r = op == IR_ADD ? u + v : u - v;
				}
			}
			if (ok)
				ok = rescale_apply(&rout, r, &r) && fits64(r);
			if (!ok) {
				o->v.valid[i] = 0;
				r = 0;
			}
			o->v.i64[i] = (int64_t)r;
		}
	} else {
		const int64_t *xi = x->v.i64, *yi = y->v.i64;
		int64_t *oi = o->v.i64;
		if (op == IR_ADD)
			EACH2(x, y, N, oi[i] = (int64_t)((uint64_t)xi[jx] + (uint64_t)yi[jy]));
		else if (op == IR_SUB)
			EACH2(x, y, N, oi[i] = (int64_t)((uint64_t)xi[jx] - (uint64_t)yi[jy]));
		else
			EACH2(x, y, N, oi[i] = (int64_t)((uint64_t)xi[jx] * (uint64_t)yi[jy]));
	}
	return o;
}

KERNEL
static struct vec *op_div(struct eval_ctx *c, struct frame *f, const struct enode *n, struct vec **a)
{
	struct vec *x = eval_convert(c, a[0], IR_T_F64, 0), *y, *o;
	size_t N = c->cur_n, mx, my;
	if (!x)
		return NULL;
	y = eval_convert(c, a[1], IR_T_F64, 0);
	if (!y)
		return NULL;
	o = eval_out(c, f, n);
	and_valid(o, x, y, N);
	mx = vmask(x);
	my = vmask(y);
	for (size_t i = 0; i < N; i++) {
		double d = y->v.f64[i & my];
		if (d == 0) {
			o->v.valid[i] = 0;
			o->v.f64[i] = 0;
		} else {
			o->v.f64[i] = x->v.f64[i & mx] / d;
		}
	}
	return o;
}

KERNEL
static struct vec *op_idiv_mod(struct eval_ctx *c, struct frame *f, const struct enode *n, struct vec **a)
{
	struct vec *x = a[0], *y = a[1], *o;
	size_t N = c->cur_n, mx, my;
	if (n->type == IR_T_F64) { /* pmod / remainder of doubles */
		x = eval_convert(c, x, IR_T_F64, 0);
		y = x ? eval_convert(c, y, IR_T_F64, 0) : NULL;
		if (!y)
			return NULL;
		o = eval_out(c, f, n);
		and_valid(o, x, y, N);
		mx = vmask(x);
		my = vmask(y);
		for (size_t i = 0; i < N; i++) {
			double u = x->v.f64[i & mx], d = y->v.f64[i & my], r;
			if (d == 0) {
				o->v.valid[i] = 0;
				r = 0;
			} else {
				r = fmod(u, d);
				if (r < 0 && n->op == IR_MOD)
					r = fmod(r + d, d);
			}
			o->v.f64[i] = r;
		}
		return o;
	}
	o = eval_out(c, f, n);
	and_valid(o, x, y, N);
	mx = vmask(x);
	my = vmask(y);
	for (size_t i = 0; i < N; i++) {
		int64_t u = x->v.i64[i & mx], d = y->v.i64[i & my], r;
		if (d == 0) {
			o->v.valid[i] = 0;
			r = 0;
		} else if (d == -1) {
			r = n->op == IR_IDIV ? (int64_t)((uint64_t)0 - (uint64_t)u) : 0;
		} else if (n->op == IR_IDIV) {
			r = u / d;
			if (u % d != 0 && (u < 0) != (d < 0))
				r--;
		} else if (n->op == IR_REM) {
			r = u % d; /* C and Java: the sign of the dividend */
		} else {
			/* Spark pmod: r = u % d; r < 0 ? (r + d) % d : r, which is r + d for d > 0 and r for d < 0 */
			r = u % d;
			if (r < 0 && d > 0)
				r += d;
		}
		o->v.i64[i] = r;
	}
	return o;
}

KERNEL
static struct vec *op_affine_mod(struct eval_ctx *c, struct frame *f, const struct enode *n, struct vec **a)
{
	struct vec *o = eval_out(c, f, n), *x = a[0];
	size_t N = c->cur_n, m = vmask(x);
	i128 mod = n->k, ma = n->lo, mb = n->hi;
	for (size_t i = 0; i < N; i++) {
		i128 r = (i128)x->v.i64[i & m] % mod;
		if (r < 0)
			r += mod;
		r = (ma * r + mb) % mod;
		if (r < 0)
			r += mod;
		o->v.valid[i] = x->v.valid[i & m];
		o->v.i64[i] = (int64_t)r;
	}
	return o;
}

KERNEL
static struct vec *op_neg_abs(struct eval_ctx *c, struct frame *f, const struct enode *n, struct vec **a)
{
	struct vec *x = a[0], *o;
	size_t N = c->cur_n, m;
	bool neg = n->op == IR_NEG;
	if (n->type == IR_T_F64 || n->type == IR_T_DEC) {
		x = eval_convert(c, x, n->type, n->scale);
		if (!x)
			return NULL;
	}
	o = eval_out(c, f, n);
	m = vmask(x);
	for (size_t i = 0; i < N; i++)
		o->v.valid[i] = x->v.valid[i & m];
	if (n->type == IR_T_F64) {
		for (size_t i = 0; i < N; i++)
			o->v.f64[i] = neg ? -x->v.f64[i & m] : fabs(x->v.f64[i & m]);
	} else {
		for (size_t i = 0; i < N; i++) {
			int64_t v = x->v.i64[i & m];
			bool flip = neg || v < 0;
			if (flip && v == INT64_MIN && n->type == IR_T_DEC)
				o->v.valid[i] = 0; /* decimal overflow */
			o->v.i64[i] = flip ? (int64_t)((uint64_t)0 - (uint64_t)v) : v;
		}
	}
	return o;
}

/* ---------- comparisons and logic ---------- */

static inline int64_t cmp_holds(enum ir_op op, int r)
{
	switch (op) {
	case IR_EQ: return r == 0;
	case IR_NE: return r != 0;
	case IR_LT: return r < 0;
	case IR_LE: return r <= 0;
	case IR_GT: return r > 0;
	default: return r >= 0;
	}
}

KERNEL
static struct vec *op_cmp(struct eval_ctx *c, struct frame *f, const struct enode *n, struct vec **a)
{
	struct vec *x = a[0], *y = a[1], *o;
	enum ir_type tx = x->v.type, ty = y->v.type;
	size_t N = c->cur_n, mx, my;
	enum ir_op op = n->op;

	if (tx == IR_T_STR) {
		o = eval_out(c, f, n);
		and_valid(o, x, y, N);
		mx = vmask(x);
		my = vmask(y);
		if (op == IR_EQ || op == IR_NE) {
			for (size_t i = 0; i < N; i++) {
				size_t jx = i & mx, jy = i & my, l = slen(x, jx);
				bool eq = l == slen(y, jy) && (l == 0 || memcmp(sptr(x, jx), sptr(y, jy), l) == 0);
				o->v.i64[i] = eq == (op == IR_EQ);
			}
			return o;
		}
		for (size_t i = 0; i < N; i++) {
			size_t jx = i & mx, jy = i & my;
			o->v.i64[i] = cmp_holds(op, cmp_bytes(sptr(x, jx), slen(x, jx), sptr(y, jy), slen(y, jy)));
		}
		return o;
	}
	if (tx == IR_T_F64 || ty == IR_T_F64) {
		x = eval_convert(c, x, IR_T_F64, 0);
		y = x ? eval_convert(c, y, IR_T_F64, 0) : NULL;
		if (!y)
			return NULL;
		o = eval_out(c, f, n);
		and_valid(o, x, y, N);
		mx = vmask(x);
		my = vmask(y);
		{
			const double *xf = x->v.f64, *yf = y->v.f64;
			int64_t *oi = o->v.i64;
			/* the common comparisons of draws with constants get their own loops */
			if (op == IR_LT) /* cmp_f64(u, v) < 0 is u < v, or v NaN and u not */
				EACH2(x, y, N, oi[i] = xf[jx] < yf[jy] || (yf[jy] != yf[jy] && xf[jx] == xf[jx]));
			else
				for (size_t i = 0; i < N; i++)
					oi[i] = cmp_holds(op, cmp_f64(xf[i & mx], yf[i & my]));
		}
		return o;
	}
	if (tx == IR_T_DEC || ty == IR_T_DEC) {
		int sx = dec_scale_of(x), sy = dec_scale_of(y), s = sx > sy ? sx : sy;
		struct rescale rx = rescale_of(sx, s), ry = rescale_of(sy, s);
		o = eval_out(c, f, n);
		and_valid(o, x, y, N);
		mx = vmask(x);
		my = vmask(y);
		for (size_t i = 0; i < N; i++) {
			i128 u, v;
			/* scales up to 38 cannot overflow int64 inputs */
			rescale_apply(&rx, x->v.i64[i & mx], &u);
			rescale_apply(&ry, y->v.i64[i & my], &v);
			o->v.i64[i] = cmp_holds(op, (u > v) - (u < v));
		}
		return o;
	}
	/* a date compared with a timestamp is the timestamp of its midnight */
	if (tx == IR_T_DATE && ty == IR_T_TS)
		x = eval_convert(c, x, IR_T_TS, 0);
	else if (tx == IR_T_TS && ty == IR_T_DATE)
		y = eval_convert(c, y, IR_T_TS, 0);
	o = eval_out(c, f, n);
	and_valid(o, x, y, N);
	mx = vmask(x);
	my = vmask(y);
	{
		const int64_t *xi = x->v.i64, *yi = y->v.i64;
		int64_t *oi = o->v.i64;
		if (op == IR_EQ)
			for (size_t i = 0; i < N; i++)
				oi[i] = xi[i & mx] == yi[i & my];
		else
			for (size_t i = 0; i < N; i++)
				oi[i] = cmp_holds(op, cmp_i64(xi[i & mx], yi[i & my]));
	}
	return o;
}

/* SQL three-valued AND / OR over any number of arguments. */
KERNEL
static struct vec *op_and_or(struct eval_ctx *c, struct frame *f, const struct enode *n, struct vec **a)
{
	struct vec *o = eval_out(c, f, n);
	size_t N = c->cur_n;
	int64_t dominant = n->op == IR_OR; /* OR: a true decides; AND: a false does */
	if (n->n_args == 2) {
		const struct vec *x = a[0], *y = a[1];
		size_t mx = vmask(x), my = vmask(y);
		for (size_t i = 0; i < N; i++) {
			uint8_t vx = x->v.valid[i & mx], vy = y->v.valid[i & my];
			uint8_t bx = x->v.i64[i & mx] != 0, by = y->v.i64[i & my] != 0;
			uint8_t dx = vx & (bx == dominant), dy = vy & (by == dominant); /* decided by x, by y */
			o->v.valid[i] = dx | dy | (vx & vy);
			o->v.i64[i] = (dx | dy) ? dominant : (vx & vy) ? !dominant : 0;
		}
		return o;
	}
	for (size_t i = 0; i < N; i++) {
		bool decided = false, unknown = false;
		for (size_t k = 0; k < n->n_args && !decided; k++) {
			size_t j = i & vmask(a[k]);
			if (!a[k]->v.valid[j])
				unknown = true;
			else if ((a[k]->v.i64[j] != 0) == dominant)
				decided = true;
		}
		o->v.valid[i] = decided || !unknown;
		o->v.i64[i] = decided ? dominant : !dominant;
		if (!o->v.valid[i])
			o->v.i64[i] = 0;
	}
	return o;
}

KERNEL
static struct vec *op_not(struct eval_ctx *c, struct frame *f, const struct enode *n, struct vec **a)
{
	struct vec *o = eval_out(c, f, n), *x = a[0];
	size_t N = c->cur_n, m = vmask(x);
	for (size_t i = 0; i < N; i++) {
		o->v.valid[i] = x->v.valid[i & m];
		o->v.i64[i] = !x->v.i64[i & m];
	}
	return o;
}

KERNEL
static struct vec *op_is_null(struct eval_ctx *c, struct frame *f, const struct enode *n, struct vec **a)
{
	struct vec *o = eval_out(c, f, n), *x = a[0];
	size_t N = c->cur_n, m = vmask(x);
	for (size_t i = 0; i < N; i++) {
		o->v.valid[i] = 1;
		o->v.i64[i] = !x->v.valid[i & m];
	}
	return o;
}

/* ---------- selection: IF, CASE, COALESCE, LEAST, GREATEST ---------- */

struct vec *eval_gather(struct eval_ctx *c, struct frame *f, const struct enode *n, struct vec **a,
			const uint32_t *pick, const uint32_t *rank)
{
	struct vec *o = eval_out(c, f, n);
	size_t N = c->cur_n;
#define AT(s, i) ((s)->bc ? 0 : rank ? rank[i] : (i))
	switch (n->type) {
	case IR_T_F64:
		for (size_t i = 0; i < N; i++) {
			if (pick[i] == PICK_NONE) {
				o->v.valid[i] = 0;
				o->v.f64[i] = 0;
			} else {
				const struct vec *s = a[pick[i]];
				size_t j = AT(s, i);
				o->v.valid[i] = s->v.valid[j];
				o->v.f64[i] = s->v.f64[j];
			}
		}
		break;
	case IR_T_STR: {
		size_t total = 0, len = 0;
		for (size_t i = 0; i < N; i++) {
			if (pick[i] == PICK_NONE) {
				o->v.valid[i] = 0;
			} else {
				const struct vec *s = a[pick[i]];
				size_t j = AT(s, i);
				o->v.valid[i] = s->v.valid[j];
				if (s->v.valid[j])
					total += slen(s, j);
			}
		}
		if (eval_str_reserve(c, o, total))
			return NULL;
		for (size_t i = 0; i < N; i++) {
			if (o->v.valid[i]) {
				const struct vec *s = a[pick[i]];
				size_t j = AT(s, i), l = slen(s, j);
				eval_copy(o->v.data + len, sptr(s, j), l);
				len += l;
			}
			o->v.off[i + 1] = (uint32_t)len;
		}
		o->v.data_len = len;
		break;
	}
	default:
		for (size_t i = 0; i < N; i++) {
			if (pick[i] == PICK_NONE) {
				o->v.valid[i] = 0;
				o->v.i64[i] = 0;
			} else {
				const struct vec *s = a[pick[i]];
				size_t j = AT(s, i);
				o->v.valid[i] = s->v.valid[j];
				o->v.i64[i] = s->v.i64[j];
			}
		}
		break;
	}
#undef AT
	return o;
}

/* Converts a[from], a[from + step], ... to the node's type; -1 on error. */
static int convert_args(struct eval_ctx *c, const struct enode *n, struct vec **a, size_t from, size_t step)
{
	for (size_t k = from; k < n->n_args; k += step) {
		a[k] = eval_convert(c, a[k], n->type, n->scale);
		if (!a[k])
			return -1;
	}
	return 0;
}

static inline bool is_true(const struct vec *x, size_t i)
{
	size_t j = i & vmask(x);
	return x->v.valid[j] && x->v.i64[j];
}

void eval_picks(const struct enode *n, struct vec **a, size_t N, uint32_t *pick)
{
	size_t na = n->n_args;
	if (n->op == IR_IF) {
		for (size_t i = 0; i < N; i++)
			pick[i] = is_true(a[0], i) ? 1 : 2;
		return;
	}
	/* CASE: WHENs from the last to the first, so that the first true one wins */
	{
		uint32_t def = na % 2 == 1 ? (uint32_t)(na - 1) : PICK_NONE;
		for (size_t i = 0; i < N; i++)
			pick[i] = def;
		for (size_t k = na / 2; k-- > 0;) {
			const struct vec *w = a[2 * k];
			const uint8_t *wv = w->v.valid;
			const int64_t *wi = w->v.i64;
			size_t m = vmask(w);
			uint32_t then = (uint32_t)(2 * k + 1);
			for (size_t i = 0; i < N; i++)
				pick[i] = wv[i & m] && wi[i & m] ? then : pick[i];
		}
	}
}

/* IF, CASE (with every branch evaluated on every row) and COALESCE. */
KERNEL
static struct vec *op_select(struct eval_ctx *c, struct frame *f, const struct enode *n, struct vec **a)
{
	size_t N = c->cur_n, na = n->n_args;
	uint32_t *pick = c->pick;
	switch (n->op) {
	case IR_IF:
	case IR_CASE:
		if (convert_args(c, n, a, 1, n->op == IR_IF ? 1 : 2))
			return NULL;
		if (n->op == IR_CASE && na % 2 == 1 && convert_args(c, n, a, na - 1, na))
			return NULL;
		eval_picks(n, a, N, pick);
		break;
	default: /* COALESCE */
		if (convert_args(c, n, a, 0, 1))
			return NULL;
		for (size_t i = 0; i < N; i++) {
			uint32_t p = PICK_NONE;
			for (size_t k = 0; k < na; k++)
				if (a[k]->v.valid[i & vmask(a[k])]) {
					p = (uint32_t)k;
					break;
				}
			pick[i] = p;
		}
		break;
	}
	return eval_gather(c, f, n, a, pick, NULL);
}

/* LEAST / GREATEST: NULLs are skipped (NULL only when all are). */
KERNEL
static struct vec *op_least_greatest(struct eval_ctx *c, struct frame *f, const struct enode *n, struct vec **a)
{
	size_t N = c->cur_n, na = n->n_args;
	uint32_t *pick = c->pick;
	int want = n->op == IR_LEAST ? -1 : 1;
	if (convert_args(c, n, a, 0, 1))
		return NULL;
	if (na == 2 && n->type != IR_T_STR) {
		/* two numbers: y when it is valid and x is not, or when it compares as wanted */
		const struct vec *x = a[0], *y = a[1];
		const uint8_t *xv = x->v.valid, *yv = y->v.valid;
		struct vec *o = eval_out(c, f, n);
		uint8_t *ov = o->v.valid;
		if (n->type == IR_T_F64) {
			const double *xf = x->v.f64, *yf = y->v.f64;
			double *of = o->v.f64;
			EACH2(x, y, N, {
				uint8_t vx = xv[jx], vy = yv[jy];
				double u = xf[jx], w = yf[jy];
				bool take_y = vy && (!vx || cmp_f64(w, u) == want);
				ov[i] = vx | vy;
				of[i] = take_y ? w : vx ? u : 0;
			});
		} else {
			const int64_t *xi = x->v.i64, *yi = y->v.i64;
			int64_t *oi = o->v.i64;
			EACH2(x, y, N, {
				uint8_t vx = xv[jx], vy = yv[jy];
				int64_t u = xi[jx], w = yi[jy];
				bool take_y = vy && (!vx || cmp_i64(w, u) == want);
				ov[i] = vx | vy;
				oi[i] = take_y ? w : vx ? u : 0;
			});
		}
		return o;
	}
	for (size_t i = 0; i < N; i++) {
		uint32_t best = PICK_NONE;
		size_t jb = 0;
		for (size_t k = 0; k < na; k++) {
			size_t j = i & vmask(a[k]);
			int r;
			if (!a[k]->v.valid[j])
				continue;
			if (best == PICK_NONE) {
				best = (uint32_t)k;
				jb = j;
				continue;
			}
			switch (n->type) {
			case IR_T_F64: r = cmp_f64(a[k]->v.f64[j], a[best]->v.f64[jb]); break;
			case IR_T_STR:
				r = cmp_bytes(sptr(a[k], j), slen(a[k], j), sptr(a[best], jb), slen(a[best], jb));
				break;
			default: r = cmp_i64(a[k]->v.i64[j], a[best]->v.i64[jb]); break;
			}
			if (r == want) {
				best = (uint32_t)k;
				jb = j;
			}
		}
		pick[i] = best;
	}
	return eval_gather(c, f, n, a, pick, NULL);
}

/* ---------- numeric functions ---------- */

KERNEL
static struct vec *op_floor_ceil(struct eval_ctx *c, struct frame *f, const struct enode *n, struct vec **a)
{
	struct vec *o = eval_out(c, f, n), *x = a[0];
	size_t N = c->cur_n, m = vmask(x);
	bool fl = n->op == IR_FLOOR;
	for (size_t i = 0; i < N; i++)
		o->v.valid[i] = x->v.valid[i & m];
	if (x->v.type == IR_T_F64) {
		for (size_t i = 0; i < N; i++)
			o->v.i64[i] = d2l(fl ? floor(x->v.f64[i & m]) : ceil(x->v.f64[i & m]));
	} else if (x->v.type == IR_T_DEC) {
		int64_t p = (int64_t)p10q(x->v.scale > 18 ? 18 : x->v.scale);
		for (size_t i = 0; i < N; i++) {
			int64_t u = x->v.i64[i & m], q = x->v.scale > 18 ? 0 : u / p, r = x->v.scale > 18 ? u : u % p;
			if (fl && r < 0)
				q--;
			else if (!fl && r > 0)
				q++;
			o->v.i64[i] = q;
		}
	} else {
		for (size_t i = 0; i < N; i++)
			o->v.i64[i] = x->v.i64[i & m];
	}
	return o;
}

/* of[i] = libm(x's row i): glibc's value, through vmath's batch function unless x is broadcast. */
static inline void each_libm(const struct vec *x, double *of, size_t N,
			     void (*batch)(const double *restrict, double *restrict, size_t), double (*libm)(double))
{
	if (x->bc) {
		double v = libm(x->v.f64[0]);
		for (size_t i = 0; i < N; i++)
			of[i] = v;
	} else {
		batch(x->v.f64, of, N);
	}
}

KERNEL
static struct vec *op_math(struct eval_ctx *c, struct frame *f, const struct enode *n, struct vec **a)
{
	struct vec *x = eval_convert(c, a[0], IR_T_F64, 0), *o;
	size_t N = c->cur_n;
	if (!x)
		return NULL;
	o = eval_out(c, f, n);
	valid_from(o->v.valid, x, N);
	{
		const double *xf = x->v.f64;
		double *of = o->v.f64;
		uint8_t *ov = o->v.valid;
		switch (n->op) {
		case IR_SQRT:
			EACH1(x, N, of[i] = sqrt(xf[j]));
			break;
		case IR_LN: /* Spark: ln(x) is NULL for x <= 0 */
			each_libm(x, of, N, vmath_log, log);
			EACH1(x, N, {
				if (xf[j] <= 0) {
					ov[i] = 0;
					of[i] = 0;
				}
			});
			break;
		case IR_EXP:
			each_libm(x, of, N, vmath_exp, exp);
			break;
		default:
			each_libm(x, of, N, vmath_cos, cos);
			break;
		}
	}
	return o;
}

/* Java's Math.pow where it differs from C: a NaN exponent, and |x| == 1 with an infinite one. */
static inline double java_pow(double x, double y)
{
	if (y != y)
		return NAN;
	if (fabs(x) == 1 && isinf(y))
		return NAN;
	return pow(x, y);
}

KERNEL
static struct vec *op_pow(struct eval_ctx *c, struct frame *f, const struct enode *n, struct vec **a)
{
	struct vec *x = eval_convert(c, a[0], IR_T_F64, 0), *y, *o;
	size_t N = c->cur_n, mx, my;
	if (!x)
		return NULL;
	y = eval_convert(c, a[1], IR_T_F64, 0);
	if (!y)
		return NULL;
	o = eval_out(c, f, n);
	and_valid(o, x, y, N);
	mx = vmask(x);
	my = vmask(y);
	for (size_t i = 0; i < N; i++)
		o->v.f64[i] = java_pow(x->v.f64[i & mx], y->v.f64[i & my]);
	return o;
}

/*
 * Half away from zero at `scale` digits.  A double: sign(x) * floor(|x| *
 * 10^s + 0.5) (for s < 0, floor(|x| / 10^-s + 0.5)), the unscaled result for
 * DEC and I64 output, that / 10^s (* 10^-s) for F64 output.  A decimal or an
 * integer: the exact rescaling of its unscaled value.
 */
KERNEL
static struct vec *op_round(struct eval_ctx *c, struct frame *f, const struct enode *n, struct vec **a)
{
	struct vec *x = a[0], *o = eval_out(c, f, n);
	size_t N = c->cur_n, m = vmask(x);
	int s = n->scale;
	double p = p10d[s < 0 ? -s : s];
	valid_from(o->v.valid, x, N);
	if (x->v.type == IR_T_F64 && n->type == IR_T_DEC && s >= 0) {
		/* the common case (a double to a decimal column): its own loop */
		const double *xf = x->v.f64;
		int64_t *oi = o->v.i64;
		uint8_t *ov = o->v.valid;
		EACH1(x, N, {
			double v = xf[j];
			double y = floor(fabs(v) * p + 0.5);
			if (signbit(v))
				y = -y;
			if (!d2l_fits(y, &oi[i]))
				ov[i] = 0;
		});
	} else if (x->v.type == IR_T_F64) {
		for (size_t i = 0; i < N; i++) {
			double v = x->v.f64[i & m];
			double y = floor((s >= 0 ? fabs(v) * p : fabs(v) / p) + 0.5);
			if (signbit(v))
				y = -y;
			if (n->type == IR_T_F64)
				o->v.f64[i] = s >= 0 ? y / p : y * p;
			else if (n->type == IR_T_DEC) {
				if (!d2l_fits(y, &o->v.i64[i]))
					o->v.valid[i] = 0;
			} else {
				o->v.i64[i] = d2l(y);
			}
		}
	} else {
		struct rescale r = rescale_of(dec_scale_of(x), s);
		for (size_t i = 0; i < N; i++) {
			i128 y;
			bool ok = rescale_apply(&r, x->v.i64[i & m], &y) && (n->type == IR_T_F64 || fits64(y));
			if (!ok) {
				o->v.valid[i] = 0;
				y = 0;
			}
			if (n->type == IR_T_F64)
				o->v.f64[i] = s >= 0 ? (double)y / p : (double)y * p;
			else
				o->v.i64[i] = (int64_t)y;
		}
	}
	return o;
}

/* ---------- tables ---------- */

KERNEL
static struct vec *op_search_cum(struct eval_ctx *c, struct frame *f, const struct enode *n, struct vec **a)
{
	struct vec *x = eval_convert(c, a[0], IR_T_F64, 0), *o;
	const double *t = n->table->f64;
	size_t N = c->cur_n, tn = n->table->n;
	if (!x)
		return NULL;
	o = eval_out(c, f, n);
	valid_from(o->v.valid, x, N);
	{
		const double *xf = x->v.f64;
		int64_t *oi = o->v.i64;
		if (tn <= 8) {
			/* short tables: count the entries at or below u (the same index, no branches) */
			EACH1(x, N, {
				double u = xf[j];
				size_t lo = 0;
				for (size_t q = 0; q < tn; q++)
					lo += !(u < t[q]);
				oi[i] = (int64_t)(lo < tn ? lo : tn - 1);
			});
		} else {
			EACH1(x, N, {
				double u = xf[j];
				size_t lo = 0, hi = tn; /* the first index with u < t[idx] is in [lo, hi] */
				while (lo < hi) {
					size_t mid = lo + (hi - lo) / 2;
					if (u < t[mid])
						hi = mid;
					else
						lo = mid + 1;
				}
				oi[i] = (int64_t)(lo < tn ? lo : tn - 1);
			});
		}
	}
	return o;
}

KERNEL
static struct vec *op_alias_pick(struct eval_ctx *c, struct frame *f, const struct enode *n, struct vec **a)
{
	struct vec *x = a[0], *u = eval_convert(c, a[1], IR_T_F64, 0), *o;
	const struct ir_table *t = n->table;
	size_t N = c->cur_n, mx, mu;
	if (!u)
		return NULL;
	o = eval_out(c, f, n);
	and_valid(o, x, u, N);
	mx = vmask(x);
	mu = vmask(u);
	for (size_t i = 0; i < N; i++) {
		int64_t k = x->v.i64[i & mx];
		if (k < 0 || (uint64_t)k >= t->n) {
			o->v.valid[i] = 0;
			o->v.i64[i] = 0;
		} else {
			o->v.i64[i] = u->v.f64[i & mu] < t->alias_prob[k] ? k : t->alias_idx[k];
		}
	}
	return o;
}

KERNEL
static struct vec *op_element(struct eval_ctx *c, struct frame *f, const struct enode *n, struct vec **a)
{
	struct vec *o = eval_out(c, f, n), *x = a[0];
	const struct ir_table *t = n->table;
	size_t N = c->cur_n, m = vmask(x);
	const int64_t *xi = x->v.i64;
	const uint8_t *xv = x->v.valid;
	uint8_t *ov = o->v.valid;
	uint64_t tn = t->n;
	EACH1(x, N, ov[i] = xv[j] & ((uint64_t)xi[j] < tn));
	switch (t->elem) {
	case IR_T_F64:
		for (size_t i = 0; i < N; i++)
			o->v.f64[i] = ov[i] ? t->f64[xi[i & m]] : 0;
		break;
	case IR_T_STR: {
		size_t total = 0, len = 0;
		const uint32_t *sl = n->slen;
		const char *const *ts = t->str;
		char *d;
		uint32_t *off = o->v.off;
		EACH1(x, N, total += ov[i] ? sl[xi[j]] : 0);
		if (eval_str_reserve(c, o, total))
			return NULL;
		d = o->v.data;
		EACH1(x, N, {
			if (ov[i]) {
				int64_t k = xi[j];
				eval_copy(d + len, ts[k], sl[k]);
				len += sl[k];
			}
			off[i + 1] = (uint32_t)len;
		});
		o->v.data_len = len;
		break;
	}
	default:
		for (size_t i = 0; i < N; i++)
			o->v.i64[i] = ov[i] ? t->i64[xi[i & m]] : 0;
		break;
	}
	return o;
}

/* ---------- strings ---------- */

/* Argument by argument: the row lengths, their prefix sums, then one copy loop per argument. */
KERNEL
static struct vec *op_concat(struct eval_ctx *c, struct frame *f, const struct enode *n, struct vec **a)
{
	size_t N = c->cur_n, na = n->n_args, total = 0;
	uint64_t *at = c->lens;
	struct vec *o;
	for (size_t k = 0; k < na; k++) {
		a[k] = eval_convert(c, a[k], IR_T_STR, 0);
		if (!a[k])
			return NULL;
	}
	o = eval_out(c, f, n);
	memset(o->v.valid, 1, N);
	memset(at, 0, N * sizeof(*at));
	for (size_t k = 0; k < na; k++) {
		const struct vec *x = a[k];
		const uint32_t *off = x->v.off;
		const uint8_t *xv = x->v.valid;
		size_t m = vmask(x);
		for (size_t i = 0; i < N; i++) {
			o->v.valid[i] &= xv[i & m];
			at[i] += off[(i & m) + 1] - off[i & m];
		}
	}
	for (size_t i = 0; i < N; i++) {
		if (!o->v.valid[i])
			at[i] = 0;
		o->v.off[i] = (uint32_t)total; /* checked below before use */
		total += at[i];
		if (total > UINT32_MAX) {
			eval_fail(c, "string values of one batch exceed 4 GiB (use smaller batches)");
			return NULL;
		}
	}
	o->v.off[N] = (uint32_t)total;
	if (eval_str_reserve(c, o, total))
		return NULL;
	for (size_t i = 0; i < N; i++)
		at[i] = o->v.off[i]; /* write cursors */
	for (size_t k = 0; k < na; k++) {
		const struct vec *x = a[k];
		const uint32_t *off = x->v.off;
		size_t m = vmask(x);
		for (size_t i = 0; i < N; i++) {
			size_t j = i & m, l = off[j + 1] - off[j];
			if (o->v.valid[i]) {
				eval_copy(o->v.data + at[i], x->v.data + off[j], l);
				at[i] += l;
			}
		}
	}
	o->v.data_len = total;
	return o;
}

/*
 * CONCAT with arguments read straight from their ELEMENT's string table
 * (eval_internal.h): the same rows as op_concat, without building the
 * element strings first.  Rows of fixed-length arguments (the characters
 * of a pattern) need no length pass.
 */
KERNEL
struct vec *eval_concat_fused(struct eval_ctx *c, struct frame *f, const struct enode *n, struct vec **a)
{
	size_t N = c->cur_n, na = n->n_args, total = 0;
	uint64_t *at = c->lens;
	uint8_t *ov;
	uint32_t *ooff;
	char *d;
	struct vec *o;
	bool fixed = true;
	uint64_t row_len = 0;

	for (size_t k = 0; k < na; k++) {
		if (eval_concat_reads_table(n, k)) {
			if (n->args[k]->fixed_len < 0)
				fixed = false;
			else
				row_len += (uint64_t)n->args[k]->fixed_len;
			continue;
		}
		a[k] = eval_convert(c, a[k], IR_T_STR, 0);
		if (!a[k])
			return NULL;
		if (a[k]->bc)
			row_len += slen(a[k], 0);
		else
			fixed = false;
	}
	o = eval_out(c, f, n);
	ov = o->v.valid;
	ooff = o->v.off;
	memset(ov, 1, N);
	if (!fixed)
		memset(at, 0, N * sizeof(*at));
	for (size_t k = 0; k < na; k++) {
		const struct vec *x = a[k];
		const uint8_t *xv = x->v.valid;
		if (eval_concat_reads_table(n, k)) {
			const struct enode *e = n->args[k], *ix = e->args[0];
			const int64_t *xi = x->v.i64;
			const uint32_t *sl = e->slen;
			uint64_t tn = e->table->n;
			/* an index drawn in 0..n-1 needs no range check */
			bool in_range = ix->op == IR_INT_RANGE && ix->lo >= 0 && (uint64_t)ix->hi < tn;
			if (fixed && in_range) {
				if (x->bc)
					memset(ov, ov[0] & xv[0], N);
				else if (memchr(xv, 0, N))
					for (size_t i = 0; i < N; i++)
						ov[i] &= xv[i];
			} else if (fixed) {
				EACH1(x, N, ov[i] &= xv[j] & ((uint64_t)xi[j] < tn));
			} else {
				EACH1(x, N, {
					uint8_t ok = xv[j] & ((uint64_t)xi[j] < tn);
					ov[i] &= ok;
					at[i] += ok ? sl[xi[j]] : 0;
				});
			}
		} else {
			const uint32_t *off = x->v.off;
			if (fixed)
				EACH1(x, N, ov[i] &= xv[j]);
			else
				EACH1(x, N, {
					ov[i] &= xv[j];
					at[i] += off[j + 1] - off[j];
				});
		}
	}
	if (fixed) {
		if (row_len * N > UINT32_MAX) {
			eval_fail(c, "string values of one batch exceed 4 GiB (use smaller batches)");
			return NULL;
		}
		for (size_t i = 0; i < N; i++) {
			ooff[i] = (uint32_t)total;
			total += ov[i] ? row_len : 0;
		}
	} else {
		for (size_t i = 0; i < N; i++) {
			if (!ov[i])
				at[i] = 0;
			ooff[i] = (uint32_t)total; /* checked below before use */
			total += at[i];
			if (total > UINT32_MAX) {
				eval_fail(c, "string values of one batch exceed 4 GiB (use smaller batches)");
				return NULL;
			}
			at[i] = ooff[i]; /* write cursors */
		}
	}
	ooff[N] = (uint32_t)total;
	if (eval_str_reserve(c, o, total))
		return NULL;
	d = o->v.data;
	if (fixed) {
		/* every argument has a fixed place in its row */
		size_t pos = 0;
		for (size_t k = 0; k < na; k++) {
			const struct vec *x = a[k];
			if (eval_concat_reads_table(n, k)) {
				const int64_t *xi = x->v.i64;
				const char *const *ts = n->args[k]->table->str;
				size_t l = (size_t)n->args[k]->fixed_len;
				if (l == 1)
					EACH1(x, N, {
						if (ov[i])
							d[ooff[i] + pos] = ts[xi[j]][0];
					});
				else
					EACH1(x, N, {
						if (ov[i])
							eval_copy(d + ooff[i] + pos, ts[xi[j]], l);
					});
				pos += l;
			} else {
				size_t l = slen(x, 0);
				const char *s = sptr(x, 0);
				for (size_t i = 0; i < N; i++)
					if (ov[i])
						eval_copy(d + ooff[i] + pos, s, l);
				pos += l;
			}
		}
		o->v.data_len = total;
		return o;
	}
	for (size_t k = 0; k < na; k++) {
		const struct vec *x = a[k];
		if (eval_concat_reads_table(n, k)) {
			const int64_t *xi = x->v.i64;
			const uint32_t *sl = n->args[k]->slen;
			const char *const *ts = n->args[k]->table->str;
			EACH1(x, N, {
				if (ov[i]) {
					int64_t q = xi[j];
					eval_copy(d + at[i], ts[q], sl[q]);
					at[i] += sl[q];
				}
			});
		} else {
			const uint32_t *off = x->v.off;
			const char *xd = x->v.data;
			EACH1(x, N, {
				if (ov[i]) {
					size_t l = off[j + 1] - off[j];
					eval_copy(d + at[i], xd + off[j], l);
					at[i] += l;
				}
			});
		}
	}
	o->v.data_len = total;
	return o;
}

/* LOWER, UPPER (ASCII letters only) and LETTERS (keep ASCII letters). */
KERNEL
static struct vec *op_bytes(struct eval_ctx *c, struct frame *f, const struct enode *n, struct vec **a)
{
	struct vec *o = eval_out(c, f, n), *x = a[0];
	size_t N = c->cur_n, m = vmask(x), total = 0, len = 0;
	for (size_t i = 0; i < N; i++) {
		o->v.valid[i] = x->v.valid[i & m];
		if (o->v.valid[i])
			total += slen(x, i & m);
	}
	if (eval_str_reserve(c, o, total))
		return NULL;
	for (size_t i = 0; i < N; i++) {
		if (o->v.valid[i]) {
			const unsigned char *s = (const unsigned char *)sptr(x, i & m);
			size_t l = slen(x, i & m);
			char *d = o->v.data + len;
			if (n->op == IR_LOWER) {
				for (size_t b = 0; b < l; b++)
					d[b] = (char)(s[b] >= 'A' && s[b] <= 'Z' ? s[b] + 32 : s[b]);
				len += l;
			} else if (n->op == IR_UPPER) {
				for (size_t b = 0; b < l; b++)
					d[b] = (char)(s[b] >= 'a' && s[b] <= 'z' ? s[b] - 32 : s[b]);
				len += l;
			} else {
				size_t w = 0;
				for (size_t b = 0; b < l; b++)
					if ((s[b] >= 'A' && s[b] <= 'Z') || (s[b] >= 'a' && s[b] <= 'z'))
						d[w++] = (char)s[b];
				len += w;
			}
		}
		o->v.off[i + 1] = (uint32_t)len;
	}
	o->v.data_len = len;
	return o;
}

KERNEL
static struct vec *op_length(struct eval_ctx *c, struct frame *f, const struct enode *n, struct vec **a)
{
	struct vec *o = eval_out(c, f, n), *x = a[0];
	size_t N = c->cur_n, m = vmask(x);
	for (size_t i = 0; i < N; i++) {
		o->v.valid[i] = x->v.valid[i & m];
		o->v.i64[i] = o->v.valid[i] ? (int64_t)utf8_count(sptr(x, i & m), slen(x, i & m)) : 0;
	}
	return o;
}

/*
 * Spark lpad(s, len, pad): len <= chars(s) or an empty pad gives the first
 * max(len, 0) characters of s; otherwise pad is repeated (and cut) in front
 * up to len characters.
 */
#define LPAD_PADDED ((uint64_t)1 << 63)

KERNEL
static struct vec *op_lpad(struct eval_ctx *c, struct frame *f, const struct enode *n, struct vec **a)
{
	static const char space[] = " ";
	struct vec *o = eval_out(c, f, n), *x = a[0], *w = a[1], *p = n->n_args > 2 ? a[2] : NULL;
	size_t N = c->cur_n, mx = vmask(x), mw = vmask(w), mp = p ? vmask(p) : 0, total = 0, len = 0;
	uint64_t *lens = c->lens;
	for (size_t i = 0; i < N; i++) {
		size_t jx = i & mx, sl = slen(x, jx), pl = p ? slen(p, i & mp) : 1;
		const char *pd = p ? sptr(p, i & mp) : space;
		int64_t want = w->v.i64[i & mw];
		uint64_t chars;
		o->v.valid[i] = x->v.valid[jx] && w->v.valid[i & mw] && (!p || p->v.valid[i & mp]);
		lens[i] = 0;
		if (!o->v.valid[i])
			continue;
		chars = utf8_count(sptr(x, jx), sl);
		if (want <= 0) {
			lens[i] = 0;
		} else if ((uint64_t)want <= chars || pl == 0 || utf8_count(pd, pl) == 0) {
			lens[i] = utf8_offset(sptr(x, jx), sl, (uint64_t)want); /* a prefix of s */
		} else {
			uint64_t spaces = (uint64_t)want - chars, pc = utf8_count(pd, pl);
			if (spaces > UINT32_MAX) {
				eval_fail(c, "lpad to %lld characters is too long", (long long)want);
				return NULL;
			}
			lens[i] = (spaces / pc * pl + utf8_offset(pd, pl, spaces % pc) + sl) | LPAD_PADDED;
		}
		total += lens[i] & ~LPAD_PADDED;
		if (total > UINT32_MAX) {
			eval_fail(c, "string values of one batch exceed 4 GiB (use smaller batches)");
			return NULL;
		}
	}
	if (eval_str_reserve(c, o, total))
		return NULL;
	for (size_t i = 0; i < N; i++) {
		size_t l = (size_t)(lens[i] & ~LPAD_PADDED);
		if (o->v.valid[i] && l) {
			size_t jx = i & mx, sl = slen(x, jx), pl = p ? slen(p, i & mp) : 1;
			const char *s = sptr(x, jx), *pd = p ? sptr(p, i & mp) : space;
			char *d = o->v.data + len;
			if (!(lens[i] & LPAD_PADDED)) {
				memcpy(d, s, l);
			} else {
				size_t head = l - sl, b = 0;
				while (b + pl <= head) {
					memcpy(d + b, pd, pl);
					b += pl;
				}
				memcpy(d + b, pd, head - b);
				memcpy(d + head, s, sl);
			}
			len += l;
		}
		o->v.off[i + 1] = (uint32_t)len;
	}
	o->v.data_len = len;
	return o;
}

/* Spark substring(s, pos, len): 1-based, pos 0 is 1, pos < 0 counts from the end. */
KERNEL
static struct vec *op_substr(struct eval_ctx *c, struct frame *f, const struct enode *n, struct vec **a)
{
	struct vec *o = eval_out(c, f, n), *x = a[0], *ps = a[1], *ls = n->n_args > 2 ? a[2] : NULL;
	size_t N = c->cur_n, mx = vmask(x), mp = vmask(ps), ml = ls ? vmask(ls) : 0, total = 0, len = 0;
	for (size_t i = 0; i < N; i++) {
		o->v.valid[i] = x->v.valid[i & mx] && ps->v.valid[i & mp] && (!ls || ls->v.valid[i & ml]);
		if (o->v.valid[i])
			total += slen(x, i & mx);
	}
	if (eval_str_reserve(c, o, total))
		return NULL;
	for (size_t i = 0; i < N; i++) {
		if (o->v.valid[i]) {
			size_t jx = i & mx, sl = slen(x, jx);
			const char *s = sptr(x, jx);
			int64_t pos = ps->v.i64[i & mp], cnt = ls ? ls->v.i64[i & ml] : INT64_MAX, start, end;
			if (pos > 0) {
				start = pos - 1;
			} else if (pos < 0) {
				start = (int64_t)utf8_count(s, sl) + pos; /* cannot overflow */
			} else {
				start = 0;
			}
			end = cnt > 0 && start > INT64_MAX - cnt ? INT64_MAX
			      : cnt < 0 && start < INT64_MIN - cnt ? INT64_MIN : start + cnt;
			if (start < 0)
				start = 0;
			if (start < end) {
				size_t b0 = utf8_offset(s, sl, (uint64_t)start);
				size_t b1 = b0 + utf8_offset(s + b0, sl - b0, (uint64_t)(end - start));
				eval_copy(o->v.data + len, s + b0, b1 - b0);
				len += b1 - b0;
			}
		}
		o->v.off[i + 1] = (uint32_t)len;
	}
	o->v.data_len = len;
	return o;
}

static const char hexdig[] = "0123456789abcdef";

static inline void put_hex16(char *d, uint64_t v)
{
	for (int k = 15; k >= 0; k--) {
		d[k] = hexdig[v & 15];
		v >>= 4;
	}
}

KERNEL
static struct vec *op_hex16(struct eval_ctx *c, struct frame *f, const struct enode *n, struct vec **a)
{
	struct vec *o = eval_out(c, f, n), *x = a[0];
	size_t N = c->cur_n, m = vmask(x), len = 0;
	if (eval_str_reserve(c, o, 16 * N))
		return NULL;
	for (size_t i = 0; i < N; i++) {
		o->v.valid[i] = x->v.valid[i & m];
		if (o->v.valid[i]) {
			put_hex16(o->v.data + len, (uint64_t)x->v.i64[i & m]);
			len += 16;
		}
		o->v.off[i + 1] = (uint32_t)len;
	}
	o->v.data_len = len;
	return o;
}

/* x = hex16(a) || hex16(b); x[0:8]-x[8:12]-4x[13:16]-v x[17:20]-x[20:32], v = "89ab"[x[16] & 3] */
KERNEL
static struct vec *op_uuid(struct eval_ctx *c, struct frame *f, const struct enode *n, struct vec **a)
{
	struct vec *o = eval_out(c, f, n), *x = a[0], *y = a[1];
	size_t N = c->cur_n, mx = vmask(x), my = vmask(y), len = 0;
	if (eval_str_reserve(c, o, 36 * N))
		return NULL;
	and_valid(o, x, y, N);
	for (size_t i = 0; i < N; i++) {
		if (o->v.valid[i]) {
			char h[32], *d = o->v.data + len;
			int v16;
			put_hex16(h, (uint64_t)x->v.i64[i & mx]);
			put_hex16(h + 16, (uint64_t)y->v.i64[i & my]);
			v16 = h[16] <= '9' ? h[16] - '0' : h[16] - 'a' + 10;
			memcpy(d, h, 8);
			d[8] = '-';
			memcpy(d + 9, h + 8, 4);
			d[13] = '-';
			d[14] = '4';
			memcpy(d + 15, h + 13, 3);
			d[18] = '-';
			d[19] = "89ab"[v16 & 3];
			memcpy(d + 20, h + 17, 3);
			d[23] = '-';
			memcpy(d + 24, h + 20, 12);
			len += 36;
		}
		o->v.off[i + 1] = (uint32_t)len;
	}
	o->v.data_len = len;
	return o;
}

/* ---------- dates ---------- */

/* Days of a DATE or TS value; false outside the DATE range. */
static inline bool day_of(enum ir_type t, int64_t v, int64_t *days)
{
	if (t == IR_T_TS) {
		*days = dt_floor_div(v, 86400);
		return dt_secs_ok(v);
	}
	*days = v;
	return dt_days_ok(v);
}

KERNEL
static struct vec *op_datepart(struct eval_ctx *c, struct frame *f, const struct enode *n, struct vec **a)
{
	struct vec *o = eval_out(c, f, n), *x = a[0];
	size_t N = c->cur_n, m = vmask(x);
	enum ir_type t = x->v.type;
	for (size_t i = 0; i < N; i++) {
		int64_t v = x->v.i64[i & m], days, y, r = 0;
		int mo, d;
		bool ok = day_of(t, v, &days) && x->v.valid[i & m];
		if (ok) {
			switch (n->op) {
			case IR_YEAR: dt_civil_from_days(days, &y, &mo, &d); r = y; break;
			case IR_MONTH: dt_civil_from_days(days, &y, &mo, &d); r = mo; break;
			case IR_DAY: dt_civil_from_days(days, &y, &mo, &d); r = d; break;
			case IR_QUARTER: dt_civil_from_days(days, &y, &mo, &d); r = (mo - 1) / 3 + 1; break;
			case IR_DAYOFWEEK: r = dt_weekday(days) + 1; break;
			case IR_DAYOFYEAR: r = dt_day_of_year(days); break;
			case IR_WEEKOFYEAR: r = dt_iso_week(days); break;
			case IR_HOUR: r = t == IR_T_TS ? (v - days * 86400) / 3600 : 0; break;
			case IR_MINUTE: r = t == IR_T_TS ? (v - days * 86400) / 60 % 60 : 0; break;
			default: r = t == IR_T_TS ? (v - days * 86400) % 60 : 0; break;
			}
		}
		o->v.valid[i] = ok;
		o->v.i64[i] = r;
	}
	return o;
}

KERNEL
static struct vec *op_make_date(struct eval_ctx *c, struct frame *f, const struct enode *n, struct vec **a)
{
	struct vec *o = eval_out(c, f, n);
	size_t N = c->cur_n, my = vmask(a[0]), mm = vmask(a[1]), md = vmask(a[2]);
	for (size_t i = 0; i < N; i++) {
		int64_t y = a[0]->v.i64[i & my], m = a[1]->v.i64[i & mm], d = a[2]->v.i64[i & md], days = 0;
		bool ok = a[0]->v.valid[i & my] && a[1]->v.valid[i & mm] && a[2]->v.valid[i & md] &&
			  y >= -6000000 && y <= 6000000 && m >= 1 && m <= 12 && d >= 1 &&
			  d <= dt_days_in_month(y, (int)m);
		if (ok) {
			days = dt_days_from_civil(y, (int)m, (int)d);
			ok = dt_days_ok(days);
		}
		o->v.valid[i] = ok;
		o->v.i64[i] = ok ? days : 0;
	}
	return o;
}

KERNEL
static struct vec *op_date_arith(struct eval_ctx *c, struct frame *f, const struct enode *n, struct vec **a)
{
	struct vec *o = eval_out(c, f, n), *x = a[0], *y = n->n_args > 1 ? a[1] : NULL;
	size_t N = c->cur_n, mx = vmask(x), my = y ? vmask(y) : 0;
	bool xts = x->v.type == IR_T_TS, yts = y && y->v.type == IR_T_TS;
	for (size_t i = 0; i < N; i++) {
		int64_t u = x->v.i64[i & mx], v = y ? y->v.i64[i & my] : 0, r;
		o->v.valid[i] = x->v.valid[i & mx] && (!y || y->v.valid[i & my]);
		switch (n->op) {
		case IR_DATE_ADD:
			r = (int64_t)((uint64_t)(xts ? dt_floor_div(u, 86400) : u) + (uint64_t)v);
			break;
		case IR_DATEDIFF:
			r = (int64_t)((uint64_t)(xts ? dt_floor_div(u, 86400) : u) -
				      (uint64_t)(yts ? dt_floor_div(v, 86400) : v));
			break;
		case IR_TO_DATE:
			r = xts ? dt_floor_div(u, 86400) : u;
			break;
		default: /* IR_TO_TS */
			r = xts ? u : (int64_t)((uint64_t)u * 86400u);
			break;
		}
		o->v.i64[i] = r;
	}
	return o;
}

/* ---------- dispatch ---------- */

struct vec *eval_op(struct eval_ctx *c, struct frame *f, const struct enode *n, struct vec **a)
{
	switch (n->op) {
	case IR_HASH: return op_hash(c, f, n, a);
	case IR_UNIT: return op_unit(c, f, n, a);
	case IR_INT_RANGE: return op_int_range(c, f, n, a);
	case IR_ADD: case IR_SUB: case IR_MUL: return op_arith(c, f, n, a);
	case IR_DIV: return op_div(c, f, n, a);
	case IR_IDIV: case IR_MOD: case IR_REM: return op_idiv_mod(c, f, n, a);
	case IR_AFFINE_MOD: return op_affine_mod(c, f, n, a);
	case IR_NEG: case IR_ABS: return op_neg_abs(c, f, n, a);
	case IR_EQ: case IR_NE: case IR_LT: case IR_LE: case IR_GT: case IR_GE: return op_cmp(c, f, n, a);
	case IR_AND: case IR_OR: return op_and_or(c, f, n, a);
	case IR_NOT: return op_not(c, f, n, a);
	case IR_IF: case IR_CASE: case IR_COALESCE: return op_select(c, f, n, a);
	case IR_IS_NULL: return op_is_null(c, f, n, a);
	case IR_LEAST: case IR_GREATEST: return op_least_greatest(c, f, n, a);
	case IR_FLOOR: case IR_CEIL: return op_floor_ceil(c, f, n, a);
	case IR_SQRT: case IR_LN: case IR_EXP: case IR_COS: return op_math(c, f, n, a);
	case IR_POW: return op_pow(c, f, n, a);
	case IR_ROUND_HALF_UP: return op_round(c, f, n, a);
	case IR_CAST: case IR_TO_STR: return op_cast(c, f, n, a);
	case IR_SEARCH_CUM: return op_search_cum(c, f, n, a);
	case IR_ALIAS_PICK: return op_alias_pick(c, f, n, a);
	case IR_ELEMENT: return op_element(c, f, n, a);
	case IR_CONCAT: return op_concat(c, f, n, a);
	case IR_LOWER: case IR_UPPER: case IR_LETTERS: return op_bytes(c, f, n, a);
	case IR_LPAD: return op_lpad(c, f, n, a);
	case IR_SUBSTR: return op_substr(c, f, n, a);
	case IR_LENGTH: return op_length(c, f, n, a);
	case IR_HEX16: return op_hex16(c, f, n, a);
	case IR_UUID: return op_uuid(c, f, n, a);
	case IR_YEAR: case IR_MONTH: case IR_DAY: case IR_DAYOFWEEK: case IR_DAYOFYEAR: case IR_QUARTER:
	case IR_WEEKOFYEAR: case IR_HOUR: case IR_MINUTE: case IR_SECOND:
		return op_datepart(c, f, n, a);
	case IR_MAKE_DATE: return op_make_date(c, f, n, a);
	case IR_DATE_ADD: case IR_DATEDIFF: case IR_TO_DATE: case IR_TO_TS: return op_date_arith(c, f, n, a);
	default:
		return eval_fail(c, "op %d cannot be computed by a kernel", (int)n->op);
	}
}
