/*
 * lower: the one place where the samplers of docs/samplers.md are defined.
 * Every column of every table becomes a small IR tree (ir.h) over ROW; the
 * native evaluator, the numpy emitter and the Spark SQL emitter only render
 * those trees.  Lowering never fails on a valid model except on internal
 * limits (a poisson or zipf table that would be too large).
 *
 * Conventions: a column's value draw is H(cs, ROW), extra draws
 * H(cs, ROW, k); reference-data compositions follow the draw numbers of
 * datasets/reference/README.md.  Numbers produced in doubles are converted to
 * the column type at the end (half-up rounding for integers and decimals).
 */
#include "ir.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "expr.h"
#include "hash.h"
#include "pattern.h"
#include "pattern_ir.h"
#include "plan.h"
#include "refdata.h"
#include "strbuf.h"

#define TWO_PI 6.283185307179586
#define MAX_CDF_ENTRIES 4096
#define ZIPF_TABLE_MAX 10000

struct lower_ctx {
	struct arena *arena;
	struct diags *diags;
	const struct plan *plan;
	struct refdata_cache *refs;
	struct ir_program *prog; /* the program being built */
	size_t tables_cap;
	const struct column *col; /* the column being lowered */
	int64_t cs;               /* its column seed */
	int failed;
};

/* ---------- node builders ---------- */

static struct ir_node *mk(struct lower_ctx *c, enum ir_op op, enum ir_type type, size_t n, ...)
{
	struct ir_node *nd = arena_alloc(c->arena, sizeof(*nd));
	va_list ap;
	nd->op = op;
	nd->type = type;
	nd->n_args = n;
	nd->args = n ? arena_calloc(c->arena, n, sizeof(*nd->args)) : NULL;
	va_start(ap, n);
	for (size_t i = 0; i < n; i++) {
		nd->args[i] = va_arg(ap, struct ir_node *);
		if (nd->args[i]->transcendental)
			nd->transcendental = true;
	}
	va_end(ap);
	if (op == IR_LN || op == IR_EXP || op == IR_COS || op == IR_POW)
		nd->transcendental = true;
	return nd;
}

static struct ir_node *mk_list(struct lower_ctx *c, enum ir_op op, enum ir_type type,
			       struct ir_node **args, size_t n)
{
	struct ir_node *nd = mk(c, op, type, 0);
	nd->n_args = n;
	nd->args = arena_calloc(c->arena, n ? n : 1, sizeof(*nd->args));
	for (size_t i = 0; i < n; i++) {
		nd->args[i] = args[i];
		if (args[i]->transcendental)
			nd->transcendental = true;
	}
	return nd;
}

static struct ir_node *c_i64(struct lower_ctx *c, int64_t v)
{
	struct ir_node *n = mk(c, IR_CONST, IR_T_I64, 0);
	n->value.kind = VAL_INT;
	n->value.i = v;
	return n;
}

static struct ir_node *c_f64(struct lower_ctx *c, double v)
{
	struct ir_node *n = mk(c, IR_CONST, IR_T_F64, 0);
	n->value.kind = VAL_DOUBLE;
	n->value.d = v;
	return n;
}

static struct ir_node *c_str(struct lower_ctx *c, const char *s)
{
	struct ir_node *n = mk(c, IR_CONST, IR_T_STR, 0);
	n->value.kind = VAL_STRING;
	n->value.s = s;
	return n;
}

static struct ir_node *c_bool(struct lower_ctx *c, bool b)
{
	struct ir_node *n = mk(c, IR_CONST, IR_T_BOOL, 0);
	n->value.kind = VAL_BOOL;
	n->value.b = b;
	return n;
}

static struct ir_node *c_null(struct lower_ctx *c, enum ir_type t, int scale)
{
	struct ir_node *n = mk(c, IR_CONST, t, 0);
	n->value.kind = VAL_NULL;
	n->scale = scale;
	return n;
}

/*
 * Lowering hooks (plan.h, set by incremental days): the constant tables of a
 * node a hook returned are registered with the program being built.
 */
static void adopt_tables(struct lower_ctx *c, const struct ir_node *n)
{
	struct ir_program *p = c->prog;
	if (n->table) {
		size_t i;
		for (i = 0; i < p->n_tables; i++)
			if (p->tables[i] == n->table)
				break;
		if (i == p->n_tables) {
			p->tables = arena_grow_array(c->arena, p->tables, sizeof(*p->tables), &c->tables_cap,
						     p->n_tables + 1);
			p->tables[p->n_tables++] = n->table;
		}
	}
	for (size_t i = 0; i < n->n_args; i++)
		adopt_tables(c, n->args[i]);
}

static struct ir_node *hooked(struct lower_ctx *c, struct ir_node *n)
{
	if (n)
		adopt_tables(c, n);
	return n;
}

static struct ir_node *row(struct lower_ctx *c)
{
	const struct plan_lower_hooks *h = c->plan->hooks;
	struct ir_node *n;
	if (h && h->row && c->col && (n = hooked(c, h->row(h->payload, c->col))) != NULL)
		return n;
	return mk(c, IR_ROW, IR_T_I64, 0);
}

/* The row at which `col` reads table `target` at picked row idx (a hook may move it). */
static struct ir_node *read_index(struct lower_ctx *c, const struct column *col, const struct table *target,
				  struct ir_node *idx)
{
	const struct plan_lower_hooks *h = c->plan->hooks;
	struct ir_node *n;
	if (h && h->at_row_index && (n = hooked(c, h->at_row_index(h->payload, col, target, idx))) != NULL)
		return n;
	return idx;
}

static struct ir_node *hash_of(struct lower_ctx *c, int64_t seed, struct ir_node *r, bool has_k, int64_t k)
{
	struct ir_node *n = mk(c, IR_HASH, IR_T_I64, 1, r);
	n->seed = seed;
	n->has_k = has_k;
	n->k = k;
	return n;
}

/* h_k of the current column: k < 0 is the plain value draw H(cs, ROW) when k == 0 */
static struct ir_node *draw(struct lower_ctx *c, int64_t k)
{
	return hash_of(c, c->cs, row(c), k != 0, k);
}

static struct ir_node *unit(struct lower_ctx *c, struct ir_node *h)
{
	return mk(c, IR_UNIT, IR_T_F64, 1, h);
}

static struct ir_node *irange(struct lower_ctx *c, struct ir_node *h, int64_t lo, int64_t hi)
{
	struct ir_node *n = mk(c, IR_INT_RANGE, IR_T_I64, 1, h);
	n->lo = lo;
	n->hi = hi;
	return n;
}

static struct ir_node *bin(struct lower_ctx *c, enum ir_op op, enum ir_type t, struct ir_node *a,
			   struct ir_node *b)
{
	return mk(c, op, t, 2, a, b);
}

static struct ir_node *cast(struct lower_ctx *c, struct ir_node *a, enum ir_type t, int scale)
{
	struct ir_node *n;
	if (a->type == t && (t != IR_T_DEC || a->scale == scale))
		return a;
	if (a->op == IR_CONST && a->value.kind == VAL_NULL)
		return c_null(c, t, scale);
	n = mk(c, IR_CAST, t, 1, a);
	n->scale = scale;
	return n;
}

static struct ir_node *to_str(struct lower_ctx *c, struct ir_node *a)
{
	if (a->type == IR_T_STR)
		return a;
	return mk(c, IR_TO_STR, IR_T_STR, 1, a);
}

static struct ir_node *concat(struct lower_ctx *c, size_t n, ...)
{
	struct ir_node *args[16];
	va_list ap;
	va_start(ap, n);
	for (size_t i = 0; i < n && i < 16; i++)
		args[i] = to_str(c, va_arg(ap, struct ir_node *));
	va_end(ap);
	return mk_list(c, IR_CONCAT, IR_T_STR, args, n);
}

static struct ir_node *iff(struct lower_ctx *c, struct ir_node *cond, struct ir_node *a, struct ir_node *b)
{
	struct ir_node *n = mk(c, IR_IF, a->type, 3, cond, a, b);
	n->scale = a->scale;
	return n;
}

/* Registers a constant table with the current program. */
static struct ir_table *new_table(struct lower_ctx *c, enum ir_type elem, size_t n, const char *name)
{
	struct ir_program *p = c->prog;
	struct ir_table *t = arena_alloc(c->arena, sizeof(*t));
	struct strbuf sb = STRBUF_INIT;
	if (name) {
		t->name = arena_strdup(c->arena, name);
	} else {
		strbuf_addf(&sb, "t%zu", p->n_tables);
		t->name = arena_strdup(c->arena, sb.buf);
	}
	strbuf_release(&sb);
	t->elem = elem;
	t->n = n;
	if (elem == IR_T_F64)
		t->f64 = arena_calloc(c->arena, n ? n : 1, sizeof(double));
	else if (elem == IR_T_STR)
		t->str = arena_calloc(c->arena, n ? n : 1, sizeof(char *));
	else
		t->i64 = arena_calloc(c->arena, n ? n : 1, sizeof(int64_t));
	p->tables = arena_grow_array(c->arena, p->tables, sizeof(*p->tables), &c->tables_cap, p->n_tables + 1);
	p->tables[p->n_tables++] = t;
	return t;
}

static struct ir_node *search_cum(struct lower_ctx *c, struct ir_node *u, struct ir_table *t)
{
	struct ir_node *n = mk(c, IR_SEARCH_CUM, IR_T_I64, 1, u);
	n->table = t;
	return n;
}

static struct ir_node *element(struct lower_ctx *c, struct ir_table *t, struct ir_node *idx, enum ir_type type,
			       int scale)
{
	struct ir_node *n = mk(c, IR_ELEMENT, type, 1, idx);
	n->table = t;
	n->scale = scale;
	return n;
}

/* ---------- reference data ---------- */

/*
 * The column `col_name` of reference table `name` as an ir_table of
 * strings (shared by every program of the run through the name), with the
 * alias arrays when the table is weighted.
 */
static struct ir_table *ref_column(struct lower_ctx *c, const char *name, const char *col_name)
{
	const struct refdata_table *rt;
	struct ir_table *t;
	struct strbuf key = STRBUF_INIT;
	int ci;

	strbuf_addf(&key, "ref_%s_%s", name, col_name);
	for (size_t i = 0; i < c->prog->n_tables; i++)
		if (!strcmp(c->prog->tables[i]->name, key.buf)) {
			strbuf_release(&key);
			return c->prog->tables[i];
		}
	if (refdata_get(&rt, c->refs, name, c->diags)) {
		strbuf_release(&key);
		c->failed = 1;
		return NULL;
	}
	ci = refdata_column(rt, col_name);
	if (ci < 0) {
		diag_error(c->diags, &c->col->loc, "internal error: reference table '%s' has no column '%s'", name,
			   col_name);
		strbuf_release(&key);
		c->failed = 1;
		return NULL;
	}
	t = new_table(c, IR_T_STR, rt->n_rows, key.buf);
	strbuf_release(&key);
	for (size_t r = 0; r < rt->n_rows; r++)
		t->str[r] = refdata_cell(rt, r, (size_t)ci);
	if (rt->alias_prob) {
		t->alias_prob = rt->alias_prob;
		t->alias_idx = rt->alias_idx;
	}
	return t;
}

/* W(table; a, b) or P(table; a): the picked row index, under the draws of `seed`. */
static struct ir_node *ref_pick(struct lower_ctx *c, struct ir_table *t, int64_t seed, int64_t a, int64_t b)
{
	struct ir_node *i = irange(c, hash_of(c, seed, row(c), a != 0, a), 0, (int64_t)t->n - 1);
	if (t->alias_prob) {
		struct ir_node *n = mk(c, IR_ALIAS_PICK, IR_T_I64, 2, i, unit(c, hash_of(c, seed, row(c), b != 0, b)));
		n->table = t;
		return n;
	}
	return i;
}

static struct ir_node *ref_value(struct lower_ctx *c, const char *name, const char *col, int64_t a, int64_t b)
{
	struct ir_table *t = ref_column(c, name, col);
	if (!t)
		return c_null(c, IR_T_STR, 0);
	return element(c, t, ref_pick(c, t, c->cs, a, b), IR_T_STR, 0);
}

/* FIRST(a, b, g): g < 0 means a fixed gender (female when g == -1, male when g == -2). */
static struct ir_node *first_name(struct lower_ctx *c, int64_t a, int64_t b, int64_t g, enum gender gender)
{
	struct ir_node *f, *m;
	if (gender == GENDER_FEMALE)
		return ref_value(c, "first_names_female", "name", a, b);
	if (gender == GENDER_MALE)
		return ref_value(c, "first_names_male", "name", a, b);
	f = ref_value(c, "first_names_female", "name", a, b);
	m = ref_value(c, "first_names_male", "name", a, b);
	return iff(c, bin(c, IR_EQ, IR_T_BOOL, irange(c, draw(c, g), 0, 1), c_i64(c, 0)), f, m);
}

static struct ir_node *last_name(struct lower_ctx *c, int64_t a, int64_t b)
{
	return ref_value(c, "last_names", "name", a, b);
}

/* ---------- conversions to the column type ---------- */

static enum ir_type ir_type_of(const struct col_type *t)
{
	switch (t->kind) {
	case TYPE_BOOLEAN: return IR_T_BOOL;
	case TYPE_INT:
	case TYPE_BIGINT: return IR_T_I64;
	case TYPE_DOUBLE: return IR_T_F64;
	case TYPE_DECIMAL: return IR_T_DEC;
	case TYPE_STRING:
	case TYPE_VARCHAR: return IR_T_STR;
	case TYPE_DATE: return IR_T_DATE;
	case TYPE_TIMESTAMP: return IR_T_TS;
	}
	return IR_T_STR;
}

static int scale_of(const struct col_type *t)
{
	return t->kind == TYPE_DECIMAL ? t->scale : 0;
}

/* A double-valued sample, clamped to [min, max] where given, in the column's type. */
static struct ir_node *from_double(struct lower_ctx *c, struct ir_node *x)
{
	const struct gen_params *gp = &c->col->params;
	const struct col_type *t = &c->col->type;
	if (gp->has_max)
		x = mk(c, IR_LEAST, IR_T_F64, 2, x, c_f64(c, gp->max));
	if (gp->has_min)
		x = mk(c, IR_GREATEST, IR_T_F64, 2, x, c_f64(c, gp->min));
	switch (ir_type_of(t)) {
	case IR_T_I64:
		return mk(c, IR_FLOOR, IR_T_I64, 1, bin(c, IR_ADD, IR_T_F64, x, c_f64(c, 0.5)));
	case IR_T_DEC: {
		struct ir_node *n = mk(c, IR_ROUND_HALF_UP, IR_T_DEC, 1, x);
		n->scale = t->scale;
		return n;
	}
	default:
		return cast(c, x, ir_type_of(t), scale_of(t));
	}
}

/* Clamp of an integer-valued sample. */
static struct ir_node *clamp_int(struct lower_ctx *c, struct ir_node *x)
{
	const struct gen_params *gp = &c->col->params;
	if (gp->has_max)
		x = mk(c, IR_LEAST, IR_T_I64, 2, x, c_i64(c, (int64_t)gp->max));
	if (gp->has_min)
		x = mk(c, IR_GREATEST, IR_T_I64, 2, x, c_i64(c, (int64_t)gp->min));
	return x;
}

static int64_t pow10i(int s)
{
	int64_t v = 1;
	while (s-- > 0)
		v *= 10;
	return v;
}

/* ---------- samplers ---------- */

/* z = sqrt(-2 ln(1 - u)) cos(2 pi u1) */
static struct ir_node *std_normal(struct lower_ctx *c)
{
	struct ir_node *u = unit(c, draw(c, 0)), *u1 = unit(c, draw(c, 1));
	struct ir_node *r = mk(c, IR_SQRT, IR_T_F64, 1,
			       bin(c, IR_MUL, IR_T_F64, c_f64(c, -2.0),
				   mk(c, IR_LN, IR_T_F64, 1, bin(c, IR_SUB, IR_T_F64, c_f64(c, 1.0), u))));
	return bin(c, IR_MUL, IR_T_F64, r, mk(c, IR_COS, IR_T_F64, 1, bin(c, IR_MUL, IR_T_F64, c_f64(c, TWO_PI), u1)));
}

/* A cumulative table from weights w[0..n): c_i = (w_0 + ... + w_i) / total, the last exactly 1. */
static struct ir_table *cdf_table(struct lower_ctx *c, const long double *w, size_t n)
{
	struct ir_table *t = new_table(c, IR_T_F64, n, NULL);
	long double total = 0, acc = 0;
	for (size_t i = 0; i < n; i++)
		total += w[i];
	for (size_t i = 0; i < n; i++) {
		acc += w[i];
		t->f64[i] = (double)(acc / total);
	}
	if (n)
		t->f64[n - 1] = 1.0;
	return t;
}

static struct ir_node *lower_poisson(struct lower_ctx *c)
{
	const struct gen_params *gp = &c->col->params;
	long double lam = gp->lambda, p = expl(-lam), f = p;
	long double *w = calloc(MAX_CDF_ENTRIES, sizeof(*w));
	size_t n = 0;
	struct ir_node *res = NULL;

	if (!w)
		abort();
	/* for large lambda exp(-lambda) underflows: start from the mode in log space instead */
	if (p == 0) {
		diag_error(c->diags, &c->col->gen_loc, "poisson 'lambda' %g is too large (at most 700)", gp->lambda);
		c->failed = 1;
		free(w);
		return c_null(c, IR_T_I64, 0);
	}
	w[n++] = p;
	while (n < MAX_CDF_ENTRIES && 1.0L - f >= 1e-16L) {
		p = p * lam / (long double)n;
		f += p;
		w[n++] = p;
	}
	res = search_cum(c, unit(c, draw(c, 0)), cdf_table(c, w, n));
	free(w);
	return clamp_int(c, res);
}

static struct ir_node *zipf_rank(struct lower_ctx *c, int64_t n, double s, struct ir_node *u)
{
	if (n <= ZIPF_TABLE_MAX) {
		long double *w = calloc((size_t)n, sizeof(*w));
		struct ir_node *r;
		if (!w)
			abort();
		for (int64_t j = 1; j <= n; j++)
			w[j - 1] = powl((long double)j, -(long double)s);
		r = bin(c, IR_ADD, IR_T_I64, search_cum(c, u, cdf_table(c, w, (size_t)n)), c_i64(c, 1));
		free(w);
		return r;
	}
	{
		/* floor((((n+1)^(1-s) - 1) u + 1)^(1/(1-s))), clamped to [1, n]; s == 1: floor(exp(u ln(n+1))) */
		struct ir_node *x;
		if (s == 1.0) {
			x = mk(c, IR_EXP, IR_T_F64, 1, bin(c, IR_MUL, IR_T_F64, u, c_f64(c, log((double)n + 1.0))));
		} else {
			double a = pow((double)n + 1.0, 1.0 - s) - 1.0;
			x = mk(c, IR_POW, IR_T_F64, 2,
			       bin(c, IR_ADD, IR_T_F64, bin(c, IR_MUL, IR_T_F64, c_f64(c, a), u), c_f64(c, 1.0)),
			       c_f64(c, 1.0 / (1.0 - s)));
		}
		x = mk(c, IR_FLOOR, IR_T_I64, 1, x);
		x = mk(c, IR_LEAST, IR_T_I64, 2, x, c_i64(c, n));
		return mk(c, IR_GREATEST, IR_T_I64, 2, x, c_i64(c, 1));
	}
}

/* Day of week of epoch day d: 0 = Monday. */
static int weekday_of(int64_t d)
{
	int64_t w = (d + 3) % 7; /* 1970-01-01 was a Thursday */
	return (int)(w < 0 ? w + 7 : w);
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t yy = yoe + era * 400;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yy + (*m <= 2));
}

static double day_weight(const struct temporal_weights *tw, int64_t d)
{
	double w = tw->has_weekday ? tw->weekday[weekday_of(d)] : 1.0;
	if (tw->has_seasonal) {
		int y, m, dd, mmdd;
		civil_from_days(d, &y, &m, &dd);
		mmdd = m * 100 + dd;
		for (size_t i = 0; i < tw->n_seasonal; i++) {
			const struct seasonal_period *p = &tw->seasonal[i];
			bool in = p->from_mmdd <= p->to_mmdd ? (mmdd >= p->from_mmdd && mmdd <= p->to_mmdd)
							     : (mmdd >= p->from_mmdd || mmdd <= p->to_mmdd);
			if (in)
				w *= p->multiplier;
		}
	}
	return w;
}

/* The day offset (0-based from lo_day) of a weighted or uniform day pick from draw k. */
static struct ir_node *day_offset(struct lower_ctx *c, int64_t lo_day, int64_t hi_day, int64_t k)
{
	const struct temporal_weights *tw = &c->col->params.temporal;
	int64_t n = hi_day - lo_day + 1;
	if ((tw->has_weekday || tw->has_seasonal) && n <= 200000) {
		long double *w = calloc((size_t)n, sizeof(*w));
		struct ir_node *r;
		if (!w)
			abort();
		for (int64_t i = 0; i < n; i++)
			w[i] = day_weight(tw, lo_day + i);
		r = search_cum(c, unit(c, draw(c, k)), cdf_table(c, w, (size_t)n));
		free(w);
		return r;
	}
	return irange(c, draw(c, k), 0, n - 1);
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static struct ir_node *lower_temporal(struct lower_ctx *c)
{
	const struct gen_params *gp = &c->col->params;
	const struct temporal_weights *tw = &gp->temporal;
	bool ts = c->col->type.kind == TYPE_TIMESTAMP;
	bool weighted = tw->has_weekday || tw->has_seasonal || (ts && tw->has_hourly);

	if (!weighted) {
		struct ir_node *v = irange(c, draw(c, 0), gp->range_lo, gp->range_hi);
		return cast(c, v, ts ? IR_T_TS : IR_T_DATE, 0);
	}
	if (!ts) {
		struct ir_node *off = day_offset(c, gp->range_lo, gp->range_hi, 0);
		return cast(c, bin(c, IR_ADD, IR_T_I64, c_i64(c, gp->range_lo), off), IR_T_DATE, 0);
	}
	{
		int64_t lo_day = floor_div(gp->range_lo, 86400), hi_day = floor_div(gp->range_hi, 86400);
		struct ir_node *day = bin(c, IR_ADD, IR_T_I64, c_i64(c, lo_day), day_offset(c, lo_day, hi_day, 0));
		struct ir_node *hour, *sec, *secs;
		if (tw->has_hourly) {
			long double w[24];
			for (int h = 0; h < 24; h++)
				w[h] = tw->hourly[h];
			hour = search_cum(c, unit(c, draw(c, 1)), cdf_table(c, w, 24));
		} else {
			hour = irange(c, draw(c, 1), 0, 23);
		}
		sec = irange(c, draw(c, 2), 0, 3599);
		secs = bin(c, IR_ADD, IR_T_I64,
			   bin(c, IR_ADD, IR_T_I64, bin(c, IR_MUL, IR_T_I64, day, c_i64(c, 86400)),
			       bin(c, IR_MUL, IR_T_I64, hour, c_i64(c, 3600))),
			   sec);
		return cast(c, secs, IR_T_TS, 0);
	}
}

static struct ir_node *lower_choice(struct lower_ctx *c)
{
	const struct gen_params *gp = &c->col->params;
	enum ir_type t = ir_type_of(&c->col->type);
	int scale = scale_of(&c->col->type);
	struct ir_table *cum = new_table(c, IR_T_F64, gp->n_choices, NULL);
	struct ir_table *vals = new_table(c, t == IR_T_STR ? IR_T_STR : t == IR_T_F64 ? IR_T_F64 : IR_T_I64,
					  gp->n_choices, NULL);
	for (size_t i = 0; i < gp->n_choices; i++) {
		const struct value *v = &gp->choices[i].value;
		cum->f64[i] = gp->choices[i].cumulative;
		switch (vals->elem) {
		case IR_T_STR:
			vals->str[i] = v->kind == VAL_STRING ? v->s : "";
			break;
		case IR_T_F64:
			vals->f64[i] = v->kind == VAL_DOUBLE ? v->d : (double)v->i;
			break;
		default:
			if (t == IR_T_DEC)
				vals->i64[i] = v->kind == VAL_DOUBLE ? llround(v->d * (double)pow10i(scale))
								     : v->i * pow10i(scale);
			else if (t == IR_T_BOOL)
				vals->i64[i] = v->kind == VAL_BOOL ? v->b : v->i != 0;
			else
				vals->i64[i] = v->i;
			break;
		}
	}
	if (gp->n_choices)
		cum->f64[gp->n_choices - 1] = 1.0;
	return element(c, vals, search_cum(c, unit(c, draw(c, 0)), cum), t, scale);
}

static struct ir_node *lower_sequence(struct lower_ctx *c)
{
	const struct gen_params *gp = &c->col->params;
	enum ir_type t = ir_type_of(&c->col->type);
	struct ir_node *v = bin(c, IR_ADD, IR_T_I64, c_i64(c, gp->start.i),
				bin(c, IR_MUL, IR_T_I64, row(c), c_i64(c, gp->step ? gp->step : 1)));
	switch (t) {
	case IR_T_STR: {
		struct ir_node *num = to_str(c, v);
		if (gp->width > 0)
			num = mk(c, IR_LPAD, IR_T_STR, 3, num, c_i64(c, gp->width), c_str(c, "0"));
		return gp->prefix ? concat(c, 2, c_str(c, gp->prefix), num) : num;
	}
	case IR_T_DEC: /* the number itself: CAST(5 AS DECIMAL(p,2)) is 5.00 */
		return cast(c, v, IR_T_DEC, scale_of(&c->col->type));
	case IR_T_F64:
		return cast(c, v, IR_T_F64, 0);
	case IR_T_DATE:
	case IR_T_TS:
		return cast(c, v, t, 0);
	default:
		return v;
	}
}

static struct ir_node *lower_uniform(struct lower_ctx *c)
{
	const struct gen_params *gp = &c->col->params;
	enum ir_type t = ir_type_of(&c->col->type);
	int s = scale_of(&c->col->type);
	switch (t) {
	case IR_T_I64:
		return irange(c, draw(c, 0), gp->range_lo, gp->range_hi);
	case IR_T_DEC: {
		/* an integer number of units of 10^-s: irange * (DEC constant with unscaled value 1) */
		int64_t lo = llround(gp->min * (double)pow10i(s)), hi = llround(gp->max * (double)pow10i(s));
		struct ir_node *unit_dec = c_i64(c, 1), *n;
		unit_dec->type = IR_T_DEC;
		unit_dec->scale = s;
		n = bin(c, IR_MUL, IR_T_DEC, cast(c, irange(c, draw(c, 0), lo, hi), IR_T_DEC, 0), unit_dec);
		n->scale = s;
		return n;
	}
	case IR_T_DATE:
	case IR_T_TS:
		return cast(c, irange(c, draw(c, 0), gp->range_lo, gp->range_hi), t, 0);
	default:
		return bin(c, IR_ADD, IR_T_F64, c_f64(c, gp->min),
			   bin(c, IR_MUL, IR_T_F64, unit(c, draw(c, 0)), c_f64(c, gp->max - gp->min)));
	}
}

/* ---------- references ---------- */

static const struct plan_table *plan_table_of(const struct lower_ctx *c, const struct table *t)
{
	return &c->plan->tables[t->index];
}

static int64_t gcd64(int64_t a, int64_t b)
{
	while (b) {
		int64_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

/*
 * The row counter of a row of table `t` picked by the current column with
 * draw `k` (uniform) or the zipf rule.  Child tables: a parent row by the
 * same rule one level up (draw k + 4), then a child in [0, count).
 */
static struct ir_node *pick_static(struct lower_ctx *c, int64_t P, int64_t k, bool zipf, double skew);

/* A hook's population of plain table t for the current column, or 0. */
static int population_of(struct lower_ctx *c, const struct table *t, struct plan_population *pop)
{
	const struct plan_lower_hooks *h = c->plan->hooks;
	memset(pop, 0, sizeof(*pop));
	if (!h || !h->population || h->population(h->payload, c->col, t, pop) != 1)
		return 0;
	hooked(c, pop->start);
	hooked(c, pop->size);
	return 1;
}

static bool is_const_i64(const struct ir_node *n, int64_t *v)
{
	if (n->op != IR_CONST || n->value.kind != VAL_INT)
		return false;
	*v = n->value.i;
	return true;
}

/*
 * A pick from a hook's population [start, start + size): the static rule
 * over a constant size; otherwise floor(U * size) (uniform), or for zipf
 * the static rank over `base` rows with the rows beyond base (added since)
 * picked uniformly with probability (size - base) / size, and a shrunk
 * population folded with mod.  NULL when the population is empty.
 */
static struct ir_node *pick_dynamic(struct lower_ctx *c, const struct plan_population *pop, int64_t k, bool zipf,
				    double skew)
{
	int64_t size, start;
	struct ir_node *local, *size_f;
	if (is_const_i64(pop->size, &size)) {
		if (size <= 0)
			return c_null(c, IR_T_I64, 0);
		local = pick_static(c, size, k, zipf, skew);
		if (is_const_i64(pop->start, &start) && start == 0)
			return local;
		return bin(c, IR_ADD, IR_T_I64, pop->start, local);
	}
	size_f = cast(c, pop->size, IR_T_F64, 0);
	if (!zipf || pop->base <= 0) {
		local = mk(c, IR_FLOOR, IR_T_I64, 1, bin(c, IR_MUL, IR_T_F64, unit(c, draw(c, k)), size_f));
	} else {
		struct ir_node *zp = pick_static(c, pop->base, k, zipf, skew);
		struct ir_node *base = c_i64(c, pop->base);
		struct ir_node *grow = cast(c, bin(c, IR_SUB, IR_T_I64, pop->size, base), IR_T_F64, 0);
		struct ir_node *added = bin(c, IR_ADD, IR_T_I64, base,
					    mk(c, IR_FLOOR, IR_T_I64, 1,
					       bin(c, IR_MUL, IR_T_F64, unit(c, draw(c, k + 7)), grow)));
		struct ir_node *take_new = bin(c, IR_LT, IR_T_BOOL, unit(c, draw(c, k + 6)),
					       bin(c, IR_DIV, IR_T_F64, grow, size_f));
		local = iff(c, bin(c, IR_GT, IR_T_BOOL, pop->size, base), iff(c, take_new, added, zp),
			    iff(c, bin(c, IR_LT, IR_T_BOOL, pop->size, base),
				bin(c, IR_MOD, IR_T_I64, zp, pop->size), zp));
	}
	local = bin(c, IR_ADD, IR_T_I64, pop->start, local);
	return iff(c, bin(c, IR_LE, IR_T_BOOL, pop->size, c_i64(c, 0)), c_null(c, IR_T_I64, 0), local);
}

static struct ir_node *pick_row(struct lower_ctx *c, const struct table *t, int64_t k, bool zipf, double skew)
{
	const struct plan_table *pt = plan_table_of(c, t);
	struct plan_population pop;
	if (!t->parent && population_of(c, t, &pop))
		return pick_dynamic(c, &pop, k, zipf, skew);
	if (t->parent) {
		struct ir_node *p = pick_row(c, t->parent, k + 4, zipf, skew);
		struct ir_node *cnt = irange(c, hash_of(c, pt->count_seed, p, false, 0),
					     t->per_parent_min, t->per_parent_max);
		/* k-th child uniform in [0, count): floor(U * count) */
		struct ir_node *kk = mk(c, IR_FLOOR, IR_T_I64, 1,
					bin(c, IR_MUL, IR_T_F64, unit(c, draw(c, k + 5)), cast(c, cnt, IR_T_F64, 0)));
		return bin(c, IR_ADD, IR_T_I64, bin(c, IR_MUL, IR_T_I64, p, c_i64(c, t->per_parent_max)), kk);
	}
	return pick_static(c, pt->rows, k, zipf, skew);
}

/* A row in [0, P) by the uniform or the zipf rule of draw k. */
static struct ir_node *pick_static(struct lower_ctx *c, int64_t P, int64_t k, bool zipf, double skew)
{
	{
		if (!zipf || P <= 1)
			return irange(c, draw(c, k), 0, P - 1);
		{
			/* rank by the zipf rule, spread by the affine permutation (a (r - 1) + b) mod P */
			int64_t lim = P < 2147483647LL ? P : 2147483647LL;
			int64_t cs_abs = c->cs == INT64_MIN ? INT64_MAX : (c->cs < 0 ? -c->cs : c->cs);
			int64_t a = (cs_abs % lim) | 1, b = cs_abs % P;
			struct ir_node *r;
			while (gcd64(a, P) != 1)
				a = (a + 2) % lim | 1;
			r = zipf_rank(c, P, skew > 0 ? skew : 1.1, unit(c, draw(c, k)));
			r = bin(c, IR_SUB, IR_T_I64, r, c_i64(c, 1));
			return bin(c, IR_MOD, IR_T_I64,
				   bin(c, IR_ADD, IR_T_I64, bin(c, IR_MUL, IR_T_I64, r, c_i64(c, a)), c_i64(c, b)),
				   c_i64(c, P));
		}
	}
}

static struct ir_node *at_row(struct lower_ctx *c, const struct column *col, struct ir_node *r)
{
	struct ir_node *n = mk(c, IR_AT_ROW, ir_type_of(&col->type), 1, r);
	n->column = col;
	n->scale = scale_of(&col->type);
	return n;
}

static struct ir_node *lower_reference(struct lower_ctx *c)
{
	const struct gen_params *gp = &c->col->params;
	const struct table *rt = gp->ref_table;
	struct ir_node *idx = pick_row(c, rt, 0, gp->ref_dist == REF_ZIPF, gp->skew);
	struct ir_node *v = at_row(c, gp->ref_column, read_index(c, c->col, rt, idx));
	if (gp->orphan_probability > 0) {
		struct ir_node *orphan;
		struct plan_population pop;
		if (gp->ref_column->gen == GEN_SEQUENCE && gp->ref_column->params.step > 0 && !rt->parent)
			orphan = at_row(c, gp->ref_column,
					read_index(c, c->col, rt,
						   bin(c, IR_ADD, IR_T_I64, idx,
						       population_of(c, rt, &pop)
							       ? pop.size
							       : c_i64(c, plan_table_of(c, rt)->rows))));
		else
			orphan = c_null(c, v->type, v->scale);
		v = iff(c, bin(c, IR_LT, IR_T_BOOL, unit(c, draw(c, 3)), c_f64(c, gp->orphan_probability)), orphan, v);
	}
	return cast(c, v, ir_type_of(&c->col->type), scale_of(&c->col->type));
}

/* ---------- realistic values ---------- */

static struct ir_node *column_ref(struct lower_ctx *c, const struct column *col)
{
	struct ir_node *n = mk(c, IR_COLUMN, ir_type_of(&col->type), 0);
	n->column = col;
	n->scale = scale_of(&col->type);
	return n;
}

static struct ir_node *place_value(struct lower_ctx *c, const char *col_name)
{
	struct ir_table *t = ref_column(c, "places", col_name);
	struct strbuf key = STRBUF_INIT;
	int64_t ps;
	if (!t)
		return c_null(c, IR_T_STR, 0);
	strbuf_addstr(&key, "__place");
	if (c->col->params.group)
		strbuf_addf(&key, ".%s", c->col->params.group);
	ps = plan_column_seed(c->plan->seed, c->col->table->name, key.buf);
	strbuf_release(&key);
	return element(c, t, irange(c, hash_of(c, ps, row(c), false, 0), 0, (int64_t)t->n - 1), IR_T_STR, 0);
}

static struct ir_node *unweighted(struct lower_ctx *c, const char *table, const char *col, int64_t k)
{
	struct ir_table *t = ref_column(c, table, col);
	if (!t)
		return c_null(c, IR_T_STR, 0);
	return element(c, t, irange(c, draw(c, k), 0, (int64_t)t->n - 1), IR_T_STR, 0);
}

static struct ir_node *lower_street(struct lower_ctx *c)
{
	struct ir_node *f = irange(c, draw(c, 0), 0, 2);
	struct ir_node *num = mk(c, IR_CASE, IR_T_I64, 5,
				 bin(c, IR_EQ, IR_T_BOOL, f, c_i64(c, 0)), irange(c, draw(c, 1), 100, 999),
				 bin(c, IR_EQ, IR_T_BOOL, f, c_i64(c, 1)), irange(c, draw(c, 1), 1000, 9999),
				 irange(c, draw(c, 1), 10000, 99999));
	struct ir_node *s = irange(c, draw(c, 2), 0, 2);
	struct ir_node *street = mk(c, IR_CASE, IR_T_STR, 5,
				    bin(c, IR_EQ, IR_T_BOOL, s, c_i64(c, 0)),
				    concat(c, 3, first_name(c, 3, 4, 5, GENDER_ANY), c_str(c, " "),
					   unweighted(c, "street_suffixes", "suffix", 6)),
				    bin(c, IR_EQ, IR_T_BOOL, s, c_i64(c, 1)),
				    concat(c, 3, last_name(c, 3, 4), c_str(c, " "),
					   unweighted(c, "street_suffixes", "suffix", 6)),
				    unweighted(c, "street_names", "name", 3));
	return concat(c, 3, num, c_str(c, " "), street);
}

static struct ir_node *lower_company(struct lower_ctx *c)
{
	struct ir_node *k = irange(c, draw(c, 0), 0, 2);
	struct ir_node *l1 = last_name(c, 1, 2);
	return mk(c, IR_CASE, IR_T_STR, 5,
		  bin(c, IR_EQ, IR_T_BOOL, k, c_i64(c, 0)),
		  concat(c, 3, l1, c_str(c, " "), unweighted(c, "company_suffixes", "suffix", 3)),
		  bin(c, IR_EQ, IR_T_BOOL, k, c_i64(c, 1)),
		  concat(c, 3, l1, c_str(c, "-"), last_name(c, 4, 5)),
		  concat(c, 5, l1, c_str(c, ", "), last_name(c, 4, 5), c_str(c, " and "), last_name(c, 6, 7)));
}

static struct ir_node *lower_sentence(struct lower_ctx *c)
{
	const struct gen_params *gp = &c->col->params;
	int lo = gp->min_words > 0 ? gp->min_words : 4, hi = gp->max_words >= lo ? gp->max_words : lo;
	struct ir_node *m = irange(c, draw(c, 0), lo, hi);
	struct ir_node *w1 = unweighted(c, "words", "word", 1);
	struct ir_node *parts[64];
	size_t n = 0;
	/* first word with its first character upper-cased */
	parts[n++] = mk(c, IR_UPPER, IR_T_STR, 1, mk(c, IR_SUBSTR, IR_T_STR, 3, w1, c_i64(c, 1), c_i64(c, 1)));
	parts[n++] = mk(c, IR_SUBSTR, IR_T_STR, 3, w1, c_i64(c, 2), c_i64(c, 1000));
	for (int j = 2; j <= hi && n < 62; j++) {
		struct ir_node *w = concat(c, 2, c_str(c, " "), unweighted(c, "words", "word", j));
		parts[n++] = j <= lo ? w : iff(c, bin(c, IR_GE, IR_T_BOOL, m, c_i64(c, j)), w, c_str(c, ""));
	}
	parts[n++] = c_str(c, ".");
	return mk_list(c, IR_CONCAT, IR_T_STR, parts, n);
}

static struct ir_node *lower_email(struct lower_ctx *c)
{
	const struct gen_params *gp = &c->col->params;
	struct ir_node *first, *last, *domain;
	if (gp->from_first && gp->from_last) {
		first = column_ref(c, gp->from_first);
		last = column_ref(c, gp->from_last);
	} else {
		first = first_name(c, 3, 4, 5, GENDER_ANY);
		last = last_name(c, 6, 7);
	}
	if (gp->n_domains) {
		struct ir_table *t = new_table(c, IR_T_STR, gp->n_domains, NULL);
		for (size_t i = 0; i < gp->n_domains; i++)
			t->str[i] = gp->domains[i];
		domain = element(c, t, irange(c, draw(c, 1), 0, (int64_t)gp->n_domains - 1), IR_T_STR, 0);
	} else {
		static const char *const defaults[] = {"example.com", "example.net", "example.org"};
		struct ir_table *t = new_table(c, IR_T_STR, 3, NULL);
		for (size_t i = 0; i < 3; i++)
			t->str[i] = defaults[i];
		domain = element(c, t, irange(c, draw(c, 1), 0, 2), IR_T_STR, 0);
	}
	return concat(c, 6, mk(c, IR_LOWER, IR_T_STR, 1, mk(c, IR_LETTERS, IR_T_STR, 1, first)), c_str(c, "."),
		      mk(c, IR_LOWER, IR_T_STR, 1, mk(c, IR_LETTERS, IR_T_STR, 1, last)),
		      irange(c, draw(c, 0), 1, 99), c_str(c, "@"), domain);
}

static struct ir_node *lower_phone(struct lower_ctx *c)
{
	return concat(c, 4, c_str(c, "("), irange(c, draw(c, 0), 201, 989), c_str(c, ") 555-01"),
		      mk(c, IR_LPAD, IR_T_STR, 3, to_str(c, irange(c, draw(c, 1), 0, 99)), c_i64(c, 2), c_str(c, "0")));
}

/* ---------- patterns (docs/generation.md, "## pattern") ---------- */

static struct ir_node *lower_pattern_node(struct lower_ctx *c, const struct pattern_node *pn);

static struct ir_table *class_table(struct lower_ctx *c, const struct pattern_node *pn)
{
	struct ir_table *t = new_table(c, IR_T_STR, pn->len, NULL);
	for (size_t i = 0; i < pn->len; i++)
		t->str[i] = arena_strndup(c->arena, pn->text + i, 1);
	return t;
}

static struct ir_node *lower_pattern_node(struct lower_ctx *c, const struct pattern_node *pn)
{
	switch (pn->kind) {
	case PATTERN_NODE_LITERAL:
		return c_str(c, arena_strndup(c->arena, pn->text, pn->len));
	case PATTERN_NODE_CLASS:
		return element(c, class_table(c, pn), irange(c, draw(c, pn->draw), 0, (int64_t)pn->len - 1),
			       IR_T_STR, 0);
	case PATTERN_NODE_SEQ: {
		struct ir_node **parts = arena_calloc(c->arena, pn->n_children, sizeof(*parts));
		for (size_t i = 0; i < pn->n_children; i++)
			parts[i] = lower_pattern_node(c, pn->children[i]);
		return mk_list(c, IR_CONCAT, IR_T_STR, parts, pn->n_children);
	}
	case PATTERN_NODE_ALT: {
		size_t n = pn->n_children, a = 0;
		struct ir_node *k = irange(c, draw(c, pn->draw), 0, (int64_t)n - 1);
		struct ir_node **args = arena_calloc(c->arena, 2 * n, sizeof(*args));
		for (size_t i = 0; i + 1 < n; i++) {
			args[a++] = bin(c, IR_EQ, IR_T_BOOL, k, c_i64(c, (int64_t)i));
			args[a++] = lower_pattern_node(c, pn->children[i]);
		}
		args[a++] = lower_pattern_node(c, pn->children[n - 1]);
		return mk_list(c, IR_CASE, IR_T_STR, args, a);
	}
	case PATTERN_NODE_REPEAT: {
		/* children are the max copies; copy i is emitted when the count exceeds i */
		struct ir_node *cnt = irange(c, draw(c, pn->draw), pn->min, pn->max);
		struct ir_node **parts = arena_calloc(c->arena, pn->n_children, sizeof(*parts));
		for (size_t i = 0; i < pn->n_children; i++) {
			struct ir_node *ch = lower_pattern_node(c, pn->children[i]);
			parts[i] = (int64_t)i < pn->min ? ch
				   : iff(c, bin(c, IR_GT, IR_T_BOOL, cnt, c_i64(c, (int64_t)i)), ch, c_str(c, ""));
		}
		return pn->n_children == 1 ? parts[0] : mk_list(c, IR_CONCAT, IR_T_STR, parts, pn->n_children);
	}
	}
	return c_str(c, "");
}

#define UNRANK_K INT64_MAX

static uint64_t clamp_k(uint64_t v)
{
	return v > (uint64_t)UNRANK_K ? (uint64_t)UNRANK_K : v;
}

static uint64_t mul_k(uint64_t a, uint64_t b)
{
	return (b && a > (uint64_t)UNRANK_K / b) ? (uint64_t)UNRANK_K : clamp_k(a * b);
}

static uint64_t add_k(uint64_t a, uint64_t b)
{
	return clamp_k(a + b < a ? (uint64_t)UNRANK_K : a + b);
}

static struct ir_node *unrank(struct lower_ctx *c, const struct pattern_node *pn, struct ir_node *i);

/* The SEQ rule over parts[0..n): mixed radix, first part most significant. */
static struct ir_node *unrank_seq(struct lower_ctx *c, const struct pattern_node *const *parts, size_t n,
				  struct ir_node *i)
{
	struct ir_node **out = arena_calloc(c->arena, n ? n : 1, sizeof(*out));
	uint64_t below = 1;
	for (size_t j = n; j-- > 0;) {
		uint64_t nj = clamp_k(parts[j]->count);
		struct ir_node *d = below == 1 ? i : bin(c, IR_IDIV, IR_T_I64, i, c_i64(c, (int64_t)below));
		if (j > 0)
			d = bin(c, IR_MOD, IR_T_I64, d, c_i64(c, (int64_t)nj));
		out[j] = unrank(c, parts[j], d);
		below = mul_k(below, nj);
	}
	if (n == 0)
		return c_str(c, "");
	return n == 1 ? out[0] : mk_list(c, IR_CONCAT, IR_T_STR, out, n);
}

static struct ir_node *unrank(struct lower_ctx *c, const struct pattern_node *pn, struct ir_node *i)
{
	switch (pn->kind) {
	case PATTERN_NODE_LITERAL:
		return c_str(c, arena_strndup(c->arena, pn->text, pn->len));
	case PATTERN_NODE_CLASS:
		return element(c, class_table(c, pn), i, IR_T_STR, 0);
	case PATTERN_NODE_SEQ:
		return unrank_seq(c, pn->children, pn->n_children, i);
	case PATTERN_NODE_ALT: {
		size_t n = pn->n_children, a = 0;
		struct ir_node **args = arena_calloc(c->arena, 2 * n, sizeof(*args));
		uint64_t s = 0;
		for (size_t j = 0; j < n; j++) {
			struct ir_node *local = s ? bin(c, IR_SUB, IR_T_I64, i, c_i64(c, (int64_t)s)) : i;
			uint64_t next = add_k(s, pn->children[j]->count);
			if (j + 1 < n)
				args[a++] = bin(c, IR_LT, IR_T_BOOL, i, c_i64(c, (int64_t)next));
			args[a++] = unrank(c, pn->children[j], local);
			s = next;
		}
		return mk_list(c, IR_CASE, IR_T_STR, args, a);
	}
	case PATTERN_NODE_REPEAT: {
		uint64_t cc = clamp_k(pn->children[0]->count), s = 0, block = 1;
		size_t nb = (size_t)(pn->max - pn->min + 1), a = 0;
		struct ir_node **args = arena_calloc(c->arena, 2 * nb, sizeof(*args));
		for (int k = 0; k < pn->min; k++)
			block = mul_k(block, cc);
		for (int cnt = pn->min; cnt <= pn->max; cnt++) {
			struct ir_node *local = s ? bin(c, IR_SUB, IR_T_I64, i, c_i64(c, (int64_t)s)) : i;
			uint64_t next = add_k(s, block);
			if (cnt < pn->max)
				args[a++] = bin(c, IR_LT, IR_T_BOOL, i, c_i64(c, (int64_t)next));
			args[a++] = unrank_seq(c, pn->children, (size_t)cnt, local);
			s = next;
			block = mul_k(block, cc);
		}
		return a == 1 ? args[0] : mk_list(c, IR_CASE, IR_T_STR, args, a);
	}
	}
	return c_str(c, "");
}

/* unique: the row's string is unrank(root, perm(row)), with no draws */
static struct ir_node *lower_pattern_unique(struct lower_ctx *c, const struct pattern *p)
{
	struct pattern_perm perm;
	struct ir_node *idx;
	pattern_unique_perm(&perm, p, c->cs);
	idx = mk(c, IR_AFFINE_MOD, IR_T_I64, 1, row(c));
	idx->lo = (int64_t)perm.a;
	idx->hi = (int64_t)perm.b;
	idx->k = (int64_t)perm.n;
	return unrank(c, pattern_root(p), idx);
}

/* ---------- expressions ---------- */

static struct ir_node *lower_expr(struct lower_ctx *c, const struct expr *e);

static enum ir_type promote(enum ir_type a, enum ir_type b)
{
	if (a == IR_T_F64 || b == IR_T_F64)
		return IR_T_F64;
	if (a == IR_T_DEC || b == IR_T_DEC)
		return IR_T_DEC;
	return IR_T_I64;
}

static struct ir_node *lower_call(struct lower_ctx *c, const struct expr *e, enum ir_type rt, int rs)
{
	const char *f = e->name;
	struct ir_node *a[8] = {0};
	for (size_t i = 0; i < e->n_args && i < 8; i++)
		a[i] = lower_expr(c, e->args[i]);

	if (!strcmp(f, "coalesce") || !strcmp(f, "least") || !strcmp(f, "greatest") || !strcmp(f, "concat")) {
		enum ir_op op = f[0] == 'c' ? (f[2] == 'a' ? IR_COALESCE : IR_CONCAT) : f[0] == 'l' ? IR_LEAST : IR_GREATEST;
		struct ir_node **args = arena_calloc(c->arena, e->n_args ? e->n_args : 1, sizeof(*args));
		for (size_t i = 0; i < e->n_args; i++) {
			struct ir_node *x = lower_expr(c, e->args[i]);
			args[i] = op == IR_CONCAT ? to_str(c, x) : cast(c, x, rt, rs);
		}
		{
			struct ir_node *n = mk_list(c, op, rt, args, e->n_args);
			n->scale = op == IR_CONCAT ? 0 : rs;
			return n;
		}
	}
	if (!strcmp(f, "lower") || !strcmp(f, "upper"))
		return mk(c, f[0] == 'l' ? IR_LOWER : IR_UPPER, IR_T_STR, 1, to_str(c, a[0]));
	if (!strcmp(f, "length"))
		return mk(c, IR_LENGTH, IR_T_I64, 1, to_str(c, a[0]));
	if (!strcmp(f, "substring"))
		return mk(c, IR_SUBSTR, IR_T_STR, 3, to_str(c, a[0]), cast(c, a[1], IR_T_I64, 0),
			  e->n_args > 2 ? cast(c, a[2], IR_T_I64, 0) : c_i64(c, 2147483647));
	if (!strcmp(f, "lpad"))
		return mk(c, IR_LPAD, IR_T_STR, 3, to_str(c, a[0]), cast(c, a[1], IR_T_I64, 0),
			  e->n_args > 2 ? to_str(c, a[2]) : c_str(c, " "));
	if (!strcmp(f, "round")) {
		int64_t d = 0;
		if (e->n_args > 1 && e->args[1]->kind == EXPR_LITERAL)
			d = e->args[1]->lit.i;
		if (a[0]->type == IR_T_I64 && d >= 0)
			return cast(c, a[0], rt, rs);
		{
			struct ir_node *n = mk(c, IR_ROUND_HALF_UP, rt == IR_T_DEC ? IR_T_DEC : IR_T_F64, 1,
					       cast(c, a[0], IR_T_F64, 0));
			n->scale = (int)d;
			return cast(c, n, rt, rs);
		}
	}
	if (!strcmp(f, "floor") || !strcmp(f, "ceil")) {
		if (a[0]->type == IR_T_I64)
			return a[0];
		return mk(c, f[0] == 'f' ? IR_FLOOR : IR_CEIL, IR_T_I64, 1, cast(c, a[0], IR_T_F64, 0));
	}
	if (!strcmp(f, "abs"))
		return mk(c, IR_ABS, a[0]->type, 1, a[0]);
	if (!strcmp(f, "if"))
		return iff(c, a[0], cast(c, a[1], rt, rs), cast(c, a[2], rt, rs));
	if (!strcmp(f, "date_add") || !strcmp(f, "date_sub")) {
		struct ir_node *days = cast(c, a[1], IR_T_I64, 0);
		if (f[5] == 's')
			days = mk(c, IR_NEG, IR_T_I64, 1, days);
		return mk(c, IR_DATE_ADD, IR_T_DATE, 2, cast(c, a[0], IR_T_DATE, 0), days);
	}
	if (!strcmp(f, "datediff"))
		return mk(c, IR_DATEDIFF, IR_T_I64, 2, cast(c, a[0], IR_T_DATE, 0), cast(c, a[1], IR_T_DATE, 0));
	if (!strcmp(f, "to_date"))
		return a[0]->type == IR_T_DATE ? a[0] : mk(c, IR_TO_DATE, IR_T_DATE, 1, a[0]);
	{
		static const struct {
			const char *name;
			enum ir_op op;
		} parts[] = {{"year", IR_YEAR}, {"month", IR_MONTH}, {"dayofmonth", IR_DAY},
			     {"dayofweek", IR_DAYOFWEEK}, {"dayofyear", IR_DAYOFYEAR}, {"quarter", IR_QUARTER},
			     {"weekofyear", IR_WEEKOFYEAR}, {"hour", IR_HOUR}, {"minute", IR_MINUTE},
			     {"second", IR_SECOND}};
		for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
			if (!strcmp(f, parts[i].name))
				return mk(c, parts[i].op, IR_T_I64, 1, a[0]);
	}
	if (!strcmp(f, "uniform")) {
		struct ir_node *lo = cast(c, a[0], IR_T_F64, 0), *hi = cast(c, a[1], IR_T_F64, 0);
		struct ir_node *u = unit(c, draw(c, e->draw));
		return bin(c, IR_ADD, IR_T_F64, lo, bin(c, IR_MUL, IR_T_F64, u, bin(c, IR_SUB, IR_T_F64, hi, lo)));
	}
	if (!strcmp(f, "uniform_int")) {
		if (e->args[0]->kind == EXPR_LITERAL && e->args[1]->kind == EXPR_LITERAL)
			return irange(c, draw(c, e->draw), e->args[0]->lit.i, e->args[1]->lit.i);
		{
			struct ir_node *lo = cast(c, a[0], IR_T_I64, 0), *hi = cast(c, a[1], IR_T_I64, 0);
			struct ir_node *span = cast(c, bin(c, IR_ADD, IR_T_I64, bin(c, IR_SUB, IR_T_I64, hi, lo), c_i64(c, 1)),
						    IR_T_F64, 0);
			struct ir_node *off = mk(c, IR_FLOOR, IR_T_I64, 1,
						 bin(c, IR_MUL, IR_T_F64, unit(c, draw(c, e->draw)), span));
			/* NULL when the bounds are the wrong way round (docs/expressions.md) */
			return iff(c, bin(c, IR_LT, IR_T_BOOL, hi, lo), c_null(c, IR_T_I64, 0),
				   bin(c, IR_ADD, IR_T_I64, lo, off));
		}
	}
	if (!strcmp(f, "make_date"))
		return mk(c, IR_MAKE_DATE, IR_T_DATE, 3, cast(c, a[0], IR_T_I64, 0), cast(c, a[1], IR_T_I64, 0),
			  cast(c, a[2], IR_T_I64, 0));
	if (!strcmp(f, "timestamp_seconds"))
		return cast(c, cast(c, a[0], IR_T_I64, 0), IR_T_TS, 0);
	diag_error(c->diags, &e->loc, "internal error: function '%s' has no lowering", f);
	c->failed = 1;
	return c_null(c, rt, rs);
}

static const struct plan_table *pt_of_col(const struct lower_ctx *c, const struct column *col)
{
	return &c->plan->tables[col->table->index];
}

static struct ir_node *lower_expr(struct lower_ctx *c, const struct expr *e)
{
	enum ir_type rt = ir_type_of(&e->type);
	int rs = scale_of(&e->type);
	const struct table *t = c->col->table;

	switch (e->kind) {
	case EXPR_LITERAL:
		switch (e->lit.kind) {
		case VAL_NULL: return c_null(c, rt, rs);
		case VAL_BOOL: return c_bool(c, e->lit.b);
		case VAL_INT: return cast(c, c_i64(c, e->lit.i), rt, rs);
		case VAL_DOUBLE:
			if (rt == IR_T_DEC) {
				struct ir_node *n = c_i64(c, llround(e->lit.d * (double)pow10i(rs)));
				n->type = IR_T_DEC;
				n->scale = rs;
				return n;
			}
			return c_f64(c, e->lit.d);
		case VAL_STRING: return c_str(c, e->lit.s);
		case VAL_DATE: return cast(c, c_i64(c, e->lit.i), IR_T_DATE, 0);
		case VAL_TIMESTAMP: return cast(c, c_i64(c, e->lit.i), IR_T_TS, 0);
		}
		break;
	case EXPR_NAME:
	case EXPR_COLUMN:
		return column_ref(c, e->column);
	case EXPR_PARENT:
		return at_row(c, e->column, bin(c, IR_IDIV, IR_T_I64, row(c), c_i64(c, t->per_parent_max)));
	case EXPR_REF: {
		/* the referenced row, picked exactly as the reference column picks it */
		const struct column *saved = c->col;
		int64_t saved_cs = c->cs;
		struct ir_node *idx;
		c->col = e->ref_via;
		c->cs = pt_of_col(c, e->ref_via)->column_seeds[e->ref_via->index];
		idx = pick_row(c, e->ref_via->params.ref_table, 0, e->ref_via->params.ref_dist == REF_ZIPF,
			       e->ref_via->params.skew);
		idx = read_index(c, e->ref_via, e->ref_via->params.ref_table, idx);
		c->col = saved;
		c->cs = saved_cs;
		return at_row(c, e->column, idx);
	}
	case EXPR_SPECIAL:
		if (!strcmp(e->name, "row_index"))
			return row(c);
		if (!strcmp(e->name, "child_index"))
			return bin(c, IR_MOD, IR_T_I64, row(c), c_i64(c, t->per_parent_max));
		if (!strcmp(e->name, "child_count"))
			return irange(c, hash_of(c, plan_table_of(c, t)->count_seed,
						 bin(c, IR_IDIV, IR_T_I64, row(c), c_i64(c, t->per_parent_max)), false, 0),
				      t->per_parent_min, t->per_parent_max);
		if (!strcmp(e->name, "target_rows"))
			return c_i64(c, c->plan->target_rows);
		if (!strcmp(e->name, "scale_factor"))
			return c_f64(c, c->plan->scale_factor);
		break;
	case EXPR_UNARY: {
		struct ir_node *a = lower_expr(c, e->args[0]);
		if (e->op == OP_NOT || e->op == OP_NONE)
			return mk(c, IR_NOT, IR_T_BOOL, 1, a);
		return mk(c, IR_NEG, a->type, 1, a);
	}
	case EXPR_BINARY: {
		struct ir_node *a = lower_expr(c, e->args[0]), *b = lower_expr(c, e->args[1]);
		enum ir_op op;
		switch (e->op) {
		case OP_AND: return bin(c, IR_AND, IR_T_BOOL, a, b);
		case OP_OR: return bin(c, IR_OR, IR_T_BOOL, a, b);
		case OP_CONCAT: return concat(c, 2, a, b);
		case OP_EQ: op = IR_EQ; goto compare;
		case OP_NE: op = IR_NE; goto compare;
		case OP_LT: op = IR_LT; goto compare;
		case OP_LE: op = IR_LE; goto compare;
		case OP_GT: op = IR_GT; goto compare;
		case OP_GE: op = IR_GE; goto compare;
		case OP_DIV:
			return cast(c, bin(c, IR_DIV, IR_T_F64, cast(c, a, IR_T_F64, 0), cast(c, b, IR_T_F64, 0)), rt, rs);
		case OP_MOD:
			return cast(c, bin(c, IR_REM, IR_T_I64, cast(c, a, IR_T_I64, 0), cast(c, b, IR_T_I64, 0)), rt, rs);
		case OP_ADD:
		case OP_SUB:
			if (a->type == IR_T_DATE && (b->type == IR_T_I64))
				return mk(c, IR_DATE_ADD, IR_T_DATE, 2, a,
					  e->op == OP_ADD ? b : mk(c, IR_NEG, IR_T_I64, 1, b));
			if (a->type == IR_T_DATE && b->type == IR_T_DATE && e->op == OP_SUB)
				return mk(c, IR_DATEDIFF, IR_T_I64, 2, a, b);
			op = e->op == OP_ADD ? IR_ADD : IR_SUB;
			goto arith;
		case OP_MUL:
			op = IR_MUL;
			goto arith;
		default:
			break;
		}
		break;
	arith: {
		enum ir_type pt = promote(a->type, b->type);
		struct ir_node *n;
		if (pt == IR_T_DEC) {
			int sa = a->type == IR_T_DEC ? a->scale : 0, sb = b->type == IR_T_DEC ? b->scale : 0;
			if (op == IR_MUL) {
				n = bin(c, IR_MUL, IR_T_DEC, cast(c, a, IR_T_DEC, sa), cast(c, b, IR_T_DEC, sb));
				n->scale = sa + sb;
			} else {
				int s = sa > sb ? sa : sb;
				n = bin(c, op, IR_T_DEC, cast(c, a, IR_T_DEC, s), cast(c, b, IR_T_DEC, s));
				n->scale = s;
			}
		} else {
			n = bin(c, op, pt, cast(c, a, pt, 0), cast(c, b, pt, 0));
		}
		return cast(c, n, rt, rs);
	}
	compare: {
		enum ir_type pt;
		if (a->type == b->type && a->type != IR_T_DEC)
			return bin(c, op, IR_T_BOOL, a, b);
		if (a->type == IR_T_STR || b->type == IR_T_STR)
			return bin(c, op, IR_T_BOOL, to_str(c, a), to_str(c, b));
		if ((a->type == IR_T_DATE || a->type == IR_T_TS) && (b->type == IR_T_DATE || b->type == IR_T_TS))
			return bin(c, op, IR_T_BOOL, cast(c, a, IR_T_TS, 0), cast(c, b, IR_T_TS, 0));
		pt = promote(a->type, b->type);
		if (pt == IR_T_DEC) {
			int s = (a->type == IR_T_DEC ? a->scale : 0) > (b->type == IR_T_DEC ? b->scale : 0)
					? a->scale : b->scale;
			return bin(c, op, IR_T_BOOL, cast(c, a, IR_T_DEC, s), cast(c, b, IR_T_DEC, s));
		}
		return bin(c, op, IR_T_BOOL, cast(c, a, pt, 0), cast(c, b, pt, 0));
	}
	}
	case EXPR_CASE: {
		size_t n = e->n_args;
		struct ir_node **args = arena_calloc(c->arena, n + 1, sizeof(*args));
		size_t pairs = e->has_else ? (n - 1) / 2 : n / 2;
		for (size_t i = 0; i < pairs; i++) {
			args[2 * i] = lower_expr(c, e->args[2 * i]);
			args[2 * i + 1] = cast(c, lower_expr(c, e->args[2 * i + 1]), rt, rs);
		}
		if (e->has_else)
			args[n - 1] = cast(c, lower_expr(c, e->args[n - 1]), rt, rs);
		else
			args[n++] = c_null(c, rt, rs);
		{
			struct ir_node *cs = mk_list(c, IR_CASE, rt, args, n);
			cs->scale = rs;
			return cs;
		}
	}
	case EXPR_CALL:
		return lower_call(c, e, rt, rs);
	case EXPR_CAST:
		return cast(c, lower_expr(c, e->args[0]), rt, rs);
	case EXPR_IN: {
		struct ir_node *res = NULL;
		for (size_t i = 1; i < e->n_args; i++) {
			struct expr eq = {0};
			struct expr *pair[2] = {e->args[0], e->args[i]};
			struct ir_node *x;
			eq.kind = EXPR_BINARY;
			eq.op = OP_EQ;
			eq.args = pair;
			eq.n_args = 2;
			eq.type.kind = TYPE_BOOLEAN;
			x = lower_expr(c, &eq);
			res = res ? bin(c, IR_OR, IR_T_BOOL, res, x) : x;
		}
		if (!res)
			res = c_bool(c, false);
		return e->negated ? mk(c, IR_NOT, IR_T_BOOL, 1, res) : res;
	}
	case EXPR_BETWEEN: {
		struct expr ge = {0}, le = {0};
		struct expr *p1[2] = {e->args[0], e->args[1]}, *p2[2] = {e->args[0], e->args[2]};
		struct ir_node *res;
		ge.kind = le.kind = EXPR_BINARY;
		ge.op = OP_GE;
		le.op = OP_LE;
		ge.args = p1;
		le.args = p2;
		ge.n_args = le.n_args = 2;
		ge.type.kind = le.type.kind = TYPE_BOOLEAN;
		res = bin(c, IR_AND, IR_T_BOOL, lower_expr(c, &ge), lower_expr(c, &le));
		return e->negated ? mk(c, IR_NOT, IR_T_BOOL, 1, res) : res;
	}
	case EXPR_IS_NULL: {
		struct ir_node *n = mk(c, IR_IS_NULL, IR_T_BOOL, 1, lower_expr(c, e->args[0]));
		return e->negated ? mk(c, IR_NOT, IR_T_BOOL, 1, n) : n;
	}
	}
	diag_error(c->diags, &e->loc, "internal error: expression kind %d has no lowering", (int)e->kind);
	c->failed = 1;
	return c_null(c, rt, rs);
}

/* ---------- columns and programs ---------- */

static struct ir_node *lower_value(struct lower_ctx *c)
{
	const struct column *col = c->col;
	const struct gen_params *gp = &col->params;

	switch (col->gen) {
	case GEN_NONE:
		return cast(c, lower_expr(c, col->expr), ir_type_of(&col->type), scale_of(&col->type));
	case GEN_SEQUENCE: return lower_sequence(c);
	case GEN_UNIFORM: return lower_uniform(c);
	case GEN_NORMAL:
		return from_double(c, bin(c, IR_ADD, IR_T_F64, c_f64(c, gp->mean),
					  bin(c, IR_MUL, IR_T_F64, c_f64(c, gp->stddev), std_normal(c))));
	case GEN_LOGNORMAL:
		return from_double(c, mk(c, IR_EXP, IR_T_F64, 1,
					 bin(c, IR_ADD, IR_T_F64, c_f64(c, gp->mean),
					     bin(c, IR_MUL, IR_T_F64, c_f64(c, gp->sigma), std_normal(c)))));
	case GEN_EXPONENTIAL:
		return from_double(c, bin(c, IR_DIV, IR_T_F64,
					  mk(c, IR_NEG, IR_T_F64, 1,
					     mk(c, IR_LN, IR_T_F64, 1, bin(c, IR_SUB, IR_T_F64, c_f64(c, 1.0), unit(c, draw(c, 0))))),
					  c_f64(c, gp->rate)));
	case GEN_POISSON:
		return cast(c, lower_poisson(c), ir_type_of(&col->type), scale_of(&col->type));
	case GEN_ZIPF:
		return cast(c, zipf_rank(c, gp->n, gp->skew > 0 ? gp->skew : 1.1, unit(c, draw(c, 0))),
			    ir_type_of(&col->type), scale_of(&col->type));
	case GEN_CHOICE: return lower_choice(c);
	case GEN_BERNOULLI: {
		struct ir_node *b = bin(c, IR_LT, IR_T_BOOL, unit(c, draw(c, 0)), c_f64(c, gp->p));
		return cast(c, b, ir_type_of(&col->type), 0);
	}
	case GEN_DATE:
	case GEN_TIMESTAMP: return lower_temporal(c);
	case GEN_PATTERN:
		return gp->unique ? lower_pattern_unique(c, gp->pattern)
				  : lower_pattern_node(c, pattern_root(gp->pattern));
	case GEN_UUID: return mk(c, IR_UUID, IR_T_STR, 2, draw(c, 1), draw(c, 2));
	case GEN_REFERENCE: return lower_reference(c);
	case GEN_FIRST_NAME: return first_name(c, 0, 1, 2, gp->gender);
	case GEN_LAST_NAME: return last_name(c, 0, 1);
	case GEN_FULL_NAME:
		if (gp->from_first && gp->from_last)
			return concat(c, 3, column_ref(c, gp->from_first), c_str(c, " "), column_ref(c, gp->from_last));
		return concat(c, 3, first_name(c, 0, 1, 2, GENDER_ANY), c_str(c, " "), last_name(c, 3, 4));
	case GEN_EMAIL: return lower_email(c);
	case GEN_PHONE: return lower_phone(c);
	case GEN_STREET_ADDRESS: return lower_street(c);
	case GEN_CITY: return place_value(c, "city");
	case GEN_STATE: return place_value(c, "state_code");
	case GEN_POSTAL_CODE: return place_value(c, "postal_code");
	case GEN_COUNTRY: return place_value(c, "country");
	case GEN_COMPANY: return lower_company(c);
	case GEN_PRODUCT_NAME:
		return concat(c, 5, unweighted(c, "product_adjectives", "adjective", 0), c_str(c, " "),
			      unweighted(c, "product_materials", "material", 1), c_str(c, " "),
			      unweighted(c, "product_nouns", "noun", 2));
	case GEN_WORD: return unweighted(c, "words", "word", 0);
	case GEN_SENTENCE: return lower_sentence(c);
	case GEN__COUNT: break;
	}
	diag_error(c->diags, &col->gen_loc, "internal error: generator '%s' has no lowering", gen_kind_name(col->gen));
	c->failed = 1;
	return c_null(c, ir_type_of(&col->type), scale_of(&col->type));
}

static void collect_deps(const struct ir_node *n, const struct table *t, bool *deps)
{
	if (n->op == IR_COLUMN && n->column->table == t)
		deps[n->column->index] = true;
	if (n->op == IR_AT_ROW)
		return; /* another row: evaluated on its own */
	for (size_t i = 0; i < n->n_args; i++)
		collect_deps(n->args[i], t, deps);
}

static int order_columns(struct lower_ctx *c, struct ir_program *p)
{
	size_t n = p->n_columns, done_n = 0;
	bool *done = calloc(n ? n : 1, sizeof(bool)), *deps = calloc(n ? n * n : 1, sizeof(bool));
	if (!done || !deps)
		abort();
	p->eval_order = arena_calloc(c->arena, n ? n : 1, sizeof(size_t));
	for (size_t i = 0; i < n; i++)
		collect_deps(p->columns[i].value, p->table, deps + i * n);
	while (done_n < n) {
		bool progress = false;
		for (size_t i = 0; i < n; i++) {
			bool ready = !done[i];
			for (size_t j = 0; ready && j < n; j++)
				if (deps[i * n + j] && !done[j] && j != i)
					ready = false;
			if (ready) {
				done[i] = true;
				p->eval_order[done_n++] = i;
				progress = true;
			}
		}
		if (!progress) {
			diag_error(c->diags, &p->table->loc, "internal error: column dependency cycle in table '%s'",
				   p->table->name);
			free(done);
			free(deps);
			return -1;
		}
	}
	free(done);
	free(deps);
	return 0;
}

/*
 * The transcendental flag through COLUMN and AT_ROW: a column that reads a
 * transcendental column is transcendental too.  Flags only turn on, so
 * repeating until nothing changes ends.
 */
static bool spread_flag(struct ir_program *progs, struct ir_node *n)
{
	bool changed = false, before = n->transcendental;
	for (size_t i = 0; i < n->n_args; i++) {
		changed |= spread_flag(progs, n->args[i]);
		if (n->args[i]->transcendental)
			n->transcendental = true;
	}
	if (n->op == IR_COLUMN || n->op == IR_AT_ROW) {
		const struct ir_node *target = progs[n->column->table->index].columns[n->column->index].value;
		if (target && target->transcendental)
			n->transcendental = true;
	}
	return changed || n->transcendental != before;
}

static void spread_transcendental(struct ir_program *progs, size_t n_progs)
{
	bool changed = true;
	while (changed) {
		changed = false;
		for (size_t t = 0; t < n_progs; t++)
			for (size_t ci = 0; ci < progs[t].n_columns; ci++)
				changed |= spread_flag(progs, progs[t].columns[ci].value);
	}
}

int ir_lower(struct ir_program **out, const struct plan *plan, struct refdata_cache *refs,
	     struct arena *arena, struct diags *diags)
{
	struct lower_ctx c = {0};
	struct ir_program *progs = arena_calloc(arena, plan->n_tables ? plan->n_tables : 1, sizeof(*progs));

	c.arena = arena;
	c.diags = diags;
	c.plan = plan;
	c.refs = refs;
	for (size_t ti = 0; ti < plan->n_tables; ti++) {
		const struct plan_table *pt = &plan->tables[ti];
		const struct table *t = pt->table;
		struct ir_program *p = &progs[ti];
		p->table = t;
		p->n_columns = t->n_columns;
		p->columns = arena_calloc(arena, t->n_columns ? t->n_columns : 1, sizeof(*p->columns));
		c.prog = p;
		c.tables_cap = 0;
		for (size_t ci = 0; ci < t->n_columns; ci++) {
			const struct column *col = t->columns[ci];
			struct ir_column *ic = &p->columns[ci];
			struct ir_node *v;
			c.col = col;
			c.cs = pt->column_seeds[ci];
			v = NULL;
			if (plan->hooks && plan->hooks->value)
				v = hooked(&c, plan->hooks->value(plan->hooks->payload, col));
			if (!v)
				v = lower_value(&c);
			v = cast(&c, v, ir_type_of(&col->type), scale_of(&col->type));
			if (col->type.kind == TYPE_VARCHAR) /* every engine cuts to the declared length */
				v = mk(&c, IR_SUBSTR, IR_T_STR, 3, v, c_i64(&c, 1), c_i64(&c, col->type.length));
			if (col->null_probability > 0) {
				struct ir_node *nd = bin(&c, IR_LT, IR_T_BOOL, unit(&c, draw(&c, -1)),
							 c_f64(&c, col->null_probability));
				v = iff(&c, nd, c_null(&c, v->type, v->scale), v);
			}
			ic->column = col;
			ic->value = v;
			ic->type = ir_type_of(&col->type);
			ic->scale = scale_of(&col->type);
		}
		if (order_columns(&c, p))
			c.failed = 1;
	}
	if (c.failed)
		return -1;
	spread_transcendental(progs, plan->n_tables);
	*out = progs;
	return 0;
}

const struct ir_node *ir_column_value(const struct ir_program *programs, const struct column *col)
{
	return programs[col->table->index].columns[col->index].value;
}

static const char *const op_names[IR__COUNT] = {
	[IR_ROW] = "row", [IR_CONST] = "const", [IR_HASH] = "hash", [IR_UNIT] = "unit",
	[IR_INT_RANGE] = "int_range", [IR_ADD] = "add", [IR_SUB] = "sub", [IR_MUL] = "mul",
	[IR_DIV] = "div", [IR_IDIV] = "idiv", [IR_MOD] = "mod", [IR_REM] = "rem", [IR_AFFINE_MOD] = "affine_mod", [IR_NEG] = "neg", [IR_EQ] = "eq",
	[IR_NE] = "ne", [IR_LT] = "lt", [IR_LE] = "le", [IR_GT] = "gt", [IR_GE] = "ge", [IR_AND] = "and",
	[IR_OR] = "or", [IR_NOT] = "not", [IR_IF] = "if", [IR_CASE] = "case", [IR_IS_NULL] = "is_null",
	[IR_COALESCE] = "coalesce", [IR_FLOOR] = "floor", [IR_CEIL] = "ceil", [IR_SQRT] = "sqrt",
	[IR_LN] = "ln", [IR_EXP] = "exp", [IR_COS] = "cos", [IR_POW] = "pow", [IR_ABS] = "abs",
	[IR_ROUND_HALF_UP] = "round_half_up", [IR_LEAST] = "least", [IR_GREATEST] = "greatest",
	[IR_CAST] = "cast", [IR_SEARCH_CUM] = "search_cum", [IR_ALIAS_PICK] = "alias_pick",
	[IR_ELEMENT] = "element", [IR_CONCAT] = "concat", [IR_LOWER] = "lower", [IR_UPPER] = "upper",
	[IR_LPAD] = "lpad", [IR_SUBSTR] = "substr", [IR_LENGTH] = "length", [IR_HEX16] = "hex16",
	[IR_UUID] = "uuid", [IR_TO_STR] = "to_str", [IR_LETTERS] = "letters", [IR_YEAR] = "year",
	[IR_MONTH] = "month", [IR_DAY] = "day", [IR_DAYOFWEEK] = "dayofweek", [IR_DAYOFYEAR] = "dayofyear",
	[IR_QUARTER] = "quarter", [IR_WEEKOFYEAR] = "weekofyear", [IR_HOUR] = "hour", [IR_MINUTE] = "minute",
	[IR_SECOND] = "second", [IR_MAKE_DATE] = "make_date", [IR_DATE_ADD] = "date_add",
	[IR_DATEDIFF] = "datediff", [IR_TO_DATE] = "to_date", [IR_TO_TS] = "to_ts", [IR_COLUMN] = "column",
	[IR_AT_ROW] = "at_row",
};

const char *ir_op_name(enum ir_op op)
{
	return op < IR__COUNT && op_names[op] ? op_names[op] : "?";
}

static const char *type_name(enum ir_type t)
{
	static const char *const names[] = {"bool", "i64", "f64", "str", "date", "ts", "dec"};
	return names[t];
}

static void dump_node(struct strbuf *sb, const struct ir_node *n)
{
	strbuf_addstr(sb, ir_op_name(n->op));
	switch (n->op) {
	case IR_CONST:
		switch (n->value.kind) {
		case VAL_NULL: strbuf_addf(sb, "(null:%s)", type_name(n->type)); return;
		case VAL_BOOL: strbuf_addstr(sb, n->value.b ? "(true)" : "(false)"); return;
		case VAL_DOUBLE: strbuf_addf(sb, "(%.17g)", n->value.d); return;
		case VAL_STRING: strbuf_addf(sb, "('%s')", n->value.s); return;
		default:
			if (n->type == IR_T_DEC)
				strbuf_addf(sb, "(%lld:dec,%d)", (long long)n->value.i, n->scale);
			else
				strbuf_addf(sb, "(%lld)", (long long)n->value.i);
			return;
		}
	case IR_HASH:
		strbuf_addf(sb, "[%lld", (long long)n->seed);
		if (n->has_k)
			strbuf_addf(sb, ",k=%lld", (long long)n->k);
		strbuf_addch(sb, ']');
		break;
	case IR_INT_RANGE:
		strbuf_addf(sb, "[%lld..%lld]", (long long)n->lo, (long long)n->hi);
		break;
	case IR_AFFINE_MOD:
		strbuf_addf(sb, "[a=%lld,b=%lld,n=%lld]", (long long)n->lo, (long long)n->hi, (long long)n->k);
		break;
	case IR_COLUMN:
	case IR_AT_ROW:
		strbuf_addf(sb, "[%s.%s]", n->column->table->name, n->column->name);
		break;
	case IR_SEARCH_CUM:
	case IR_ALIAS_PICK:
	case IR_ELEMENT:
		strbuf_addf(sb, "[%s/%zu]", n->table->name, n->table->n);
		break;
	case IR_CAST:
	case IR_ROUND_HALF_UP:
		if (n->type == IR_T_DEC || n->op == IR_ROUND_HALF_UP)
			strbuf_addf(sb, "[%s,%d]", type_name(n->type), n->scale);
		else
			strbuf_addf(sb, "[%s]", type_name(n->type));
		break;
	default:
		break;
	}
	if (n->n_args) {
		strbuf_addch(sb, '(');
		for (size_t i = 0; i < n->n_args; i++) {
			if (i)
				strbuf_addstr(sb, ", ");
			dump_node(sb, n->args[i]);
		}
		strbuf_addch(sb, ')');
	}
}

void ir_dump(struct strbuf *sb, const struct ir_program *programs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct ir_program *p = &programs[i];
		strbuf_addf(sb, "table %s\n", p->table->name);
		for (size_t k = 0; k < p->n_columns; k++) {
			const struct ir_column *ic = &p->columns[p->eval_order[k]];
			strbuf_addf(sb, "  %s: %s = ", ic->column->name, type_name(ic->type));
			dump_node(sb, ic->value);
			strbuf_addch(sb, '\n');
		}
	}
}
