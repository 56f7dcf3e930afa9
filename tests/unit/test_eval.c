/*
 * Unit tests for runtime/eval.c and eval_ops.c, the native evaluator of
 * column programs: every op on its edge cases (NULLs, negative numbers,
 * dates before 1970, leap years, ISO weeks at year boundaries, pmod of
 * negatives, half-up ties, decimal rescaling, Spark's string functions),
 * the draws against runtime/hash.h, AT_ROW across tables and within one,
 * malformed programs and runtime failures with their messages, and that a
 * value never depends on how rows are batched.
 *
 * Every single-value check evaluates the expression twice: as written
 * (constants are broadcast, so kernels see one-row inputs) and with each
 * constant turned into a per-row vector, and both must agree.
 */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "datetime.h"
#include "diag.h"
#include "eval.h"
#include "eval_internal.h"
#include "harness.h"
#include "hash.h"
#include "strbuf.h"
#include "textfmt.h"

static struct arena A = ARENA_INIT;

/* ---------- IR builders ---------- */

static struct ir_node *nd(enum ir_op op, enum ir_type type, size_t n, ...)
{
	struct ir_node *x = arena_alloc(&A, sizeof(*x));
	va_list ap;
	x->op = op;
	x->type = type;
	x->n_args = n;
	x->args = n ? arena_calloc(&A, n, sizeof(*x->args)) : NULL;
	va_start(ap, n);
	for (size_t i = 0; i < n; i++)
		x->args[i] = va_arg(ap, struct ir_node *);
	va_end(ap);
	return x;
}

static struct ir_node *ci(int64_t v)
{
	struct ir_node *x = nd(IR_CONST, IR_T_I64, 0);
	x->value.kind = VAL_INT;
	x->value.i = v;
	return x;
}

static struct ir_node *cf(double v)
{
	struct ir_node *x = nd(IR_CONST, IR_T_F64, 0);
	x->value.kind = VAL_DOUBLE;
	x->value.d = v;
	return x;
}

static struct ir_node *cs(const char *s)
{
	struct ir_node *x = nd(IR_CONST, IR_T_STR, 0);
	x->value.kind = VAL_STRING;
	x->value.s = s;
	return x;
}

static struct ir_node *cb(bool b)
{
	struct ir_node *x = nd(IR_CONST, IR_T_BOOL, 0);
	x->value.kind = VAL_BOOL;
	x->value.b = b;
	return x;
}

static struct ir_node *cnull(enum ir_type t, int scale)
{
	struct ir_node *x = nd(IR_CONST, t, 0);
	x->value.kind = VAL_NULL;
	x->scale = scale;
	return x;
}

/* A decimal constant from its unscaled value. */
static struct ir_node *cdec(int64_t unscaled, int scale)
{
	struct ir_node *x = nd(IR_CONST, IR_T_DEC, 0);
	x->value.kind = VAL_INT;
	x->value.i = unscaled;
	x->scale = scale;
	return x;
}

static struct ir_node *cdate(int y, int m, int d)
{
	struct ir_node *x = nd(IR_CONST, IR_T_DATE, 0);
	x->value.kind = VAL_DATE;
	x->value.i = dt_days_from_civil(y, m, d);
	return x;
}

static struct ir_node *cts(int64_t secs)
{
	struct ir_node *x = nd(IR_CONST, IR_T_TS, 0);
	x->value.kind = VAL_TIMESTAMP;
	x->value.i = secs;
	return x;
}

static struct ir_node *row(void)
{
	return nd(IR_ROW, IR_T_I64, 0);
}

static struct ir_node *un(enum ir_op op, enum ir_type t, struct ir_node *a)
{
	return nd(op, t, 1, a);
}

static struct ir_node *bin(enum ir_op op, enum ir_type t, struct ir_node *a, struct ir_node *b)
{
	return nd(op, t, 2, a, b);
}

static struct ir_node *cast(struct ir_node *a, enum ir_type t, int scale)
{
	struct ir_node *x = nd(IR_CAST, t, 1, a);
	x->scale = scale;
	return x;
}

static struct ir_node *dec_node(enum ir_op op, int scale, struct ir_node *a, struct ir_node *b)
{
	struct ir_node *x = b ? bin(op, IR_T_DEC, a, b) : un(op, IR_T_DEC, a);
	x->scale = scale;
	return x;
}

static struct ir_node *hash(int64_t seed, struct ir_node *r, bool has_k, int64_t k)
{
	struct ir_node *x = un(IR_HASH, IR_T_I64, r);
	x->seed = seed;
	x->has_k = has_k;
	x->k = k;
	return x;
}

static struct ir_node *irange(struct ir_node *h, int64_t lo, int64_t hi)
{
	struct ir_node *x = un(IR_INT_RANGE, IR_T_I64, h);
	x->lo = lo;
	x->hi = hi;
	return x;
}

static struct ir_node *round_hu(struct ir_node *a, enum ir_type t, int scale)
{
	struct ir_node *x = un(IR_ROUND_HALF_UP, t, a);
	x->scale = scale;
	return x;
}

static struct ir_table *table_f64(const double *v, size_t n)
{
	struct ir_table *t = arena_alloc(&A, sizeof(*t));
	t->name = "tf";
	t->elem = IR_T_F64;
	t->n = n;
	t->f64 = arena_calloc(&A, n ? n : 1, sizeof(double));
	memcpy(t->f64, v, n * sizeof(double));
	return t;
}

static struct ir_table *table_i64(const int64_t *v, size_t n)
{
	struct ir_table *t = arena_alloc(&A, sizeof(*t));
	t->name = "ti";
	t->elem = IR_T_I64;
	t->n = n;
	t->i64 = arena_calloc(&A, n ? n : 1, sizeof(int64_t));
	memcpy(t->i64, v, n * sizeof(int64_t));
	return t;
}

static struct ir_table *table_str(const char *const *v, size_t n)
{
	struct ir_table *t = arena_alloc(&A, sizeof(*t));
	t->name = "ts";
	t->elem = IR_T_STR;
	t->n = n;
	t->str = arena_calloc(&A, n ? n : 1, sizeof(char *));
	memcpy(t->str, v, n * sizeof(char *));
	return t;
}

static struct ir_node *tab(enum ir_op op, enum ir_type t, struct ir_table *tb, size_t n, struct ir_node *a,
			   struct ir_node *b)
{
	struct ir_node *x = n == 1 ? un(op, t, a) : bin(op, t, a, b);
	x->table = tb;
	return x;
}

/* The same tree with every constant c replaced by IF(ROW >= 0, c, NULL): per-row, never broadcast. */
static struct ir_node *unbc(struct ir_node *e)
{
	struct ir_node *x;
	if (e->op == IR_CONST) {
		x = nd(IR_IF, e->type, 3, bin(IR_GE, IR_T_BOOL, row(), ci(0)), e, cnull(e->type, e->scale));
		x->scale = e->scale;
		return x;
	}
	x = arena_alloc(&A, sizeof(*x));
	*x = *e;
	if (e->n_args) {
		x->args = arena_calloc(&A, e->n_args, sizeof(*x->args));
		for (size_t i = 0; i < e->n_args; i++)
			x->args[i] = unbc(e->args[i]);
	}
	return x;
}

/* ---------- test tables and programs ---------- */

#define MAXC 16

struct tt {
	struct table t;
	struct column cols[MAXC];
	struct column *colp[MAXC];
	struct ir_column ic[MAXC];
	size_t order[MAXC];
	struct ir_program *p;
};

static void tt_init(struct tt *x, const char *name, size_t index, struct ir_program *p)
{
	memset(x, 0, sizeof(*x));
	x->t.name = name;
	x->t.index = index;
	x->t.columns = x->colp;
	x->p = p;
	memset(p, 0, sizeof(*p));
	p->table = &x->t;
	p->columns = x->ic;
	p->eval_order = x->order;
}

static struct column *tt_col(struct tt *x, const char *name, struct ir_node *value)
{
	size_t i = x->t.n_columns++;
	struct column *col = &x->cols[i];
	col->name = name;
	col->table = &x->t;
	col->index = i;
	x->colp[i] = col;
	x->ic[i].column = col;
	x->ic[i].value = value;
	x->ic[i].type = value ? value->type : IR_T_I64;
	x->ic[i].scale = value ? value->scale : 0;
	x->order[i] = i;
	x->p->n_columns = x->t.n_columns;
	return col;
}

static void tt_set(struct tt *x, struct column *col, struct ir_node *value)
{
	x->ic[col->index].value = value;
	x->ic[col->index].type = value->type;
	x->ic[col->index].scale = value->scale;
}

static struct ir_node *colref(enum ir_op op, const struct column *col, enum ir_type t, int scale,
			      struct ir_node *r)
{
	struct ir_node *x = r ? un(op, t, r) : nd(op, t, 0);
	x->column = col;
	x->scale = scale;
	return x;
}

/* ---------- evaluation helpers ---------- */

static void render(struct strbuf *sb, const struct eval_vec *v, size_t i)
{
	char buf[64];
	size_t len;
	const char *s;
	if (!v->valid[i]) {
		strbuf_addstr(sb, "NULL");
		return;
	}
	switch (v->type) {
	case IR_T_BOOL: strbuf_addstr(sb, v->i64[i] ? "true" : "false"); break;
	case IR_T_F64:
		if (isnan(v->f64[i]))
			strbuf_addstr(sb, "NaN");
		else
			strbuf_addf(sb, "%.17g", v->f64[i]);
		break;
	case IR_T_STR:
		s = eval_str(v, i, &len);
		strbuf_add(sb, s, len);
		break;
	case IR_T_DEC:
		len = fmt_dec(buf, v->i64[i], v->scale);
		strbuf_add(sb, buf, len);
		break;
	default: strbuf_addf(sb, "%lld", (long long)v->i64[i]); break;
	}
}

/* Evaluates single-column programs of `e` at `rows`; renders every row, '|'-separated. */
static void eval_rows(struct strbuf *sb, struct ir_node *e, const int64_t *rows, size_t n)
{
	struct tt t;
	struct ir_program p;
	struct eval_ctx *c = NULL;
	struct diags d = DIAGS_INIT;
	const struct eval_vec *out[1];
	tt_init(&t, "t", 0, &p);
	tt_col(&t, "c", e);
	if (eval_ctx_new(&c, &p, 1, 64, &d)) {
		struct strbuf m = STRBUF_INIT;
		if (d.n)
			diag_format(&m, &d.items[0]);
		fprintf(stderr, "eval_ctx_new failed: %s\n", m.buf);
		strbuf_release(&m);
		strbuf_addstr(sb, "<prepare failed>");
		diags_release(&d);
		return;
	}
	if (eval_table(c, 0, rows, n, out)) {
		strbuf_addf(sb, "<error: %s>", eval_error(c));
	} else {
		CHECK_INT_EQ(n, out[0]->n);
		for (size_t i = 0; i < n; i++) {
			if (i)
				strbuf_addch(sb, '|');
			render(sb, out[0], i);
		}
	}
	eval_ctx_free(c);
	diags_release(&d);
}

static char at_buf[8][512];
static int at_slot;

/* The value of e at row r as text, checked to be the same without broadcast constants. */
static const char *at_row_v(struct ir_node *e, int64_t r)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	char *slot = at_buf[at_slot++ % 8];
	eval_rows(&a, e, &r, 1);
	eval_rows(&b, unbc(e), &r, 1);
	if (strcmp(a.buf, b.buf) != 0) {
		fprintf(stderr, "broadcast and per-row results differ: '%s' vs '%s'\n", a.buf, b.buf);
		harness_failed_checks++;
	}
	snprintf(slot, 512, "%s", a.buf);
	strbuf_release(&a);
	strbuf_release(&b);
	return slot;
}

static const char *val(struct ir_node *e)
{
	return at_row_v(e, 0);
}

#define EQ(want, e) CHECK_STR_EQ(want, val(e))

/* ---------- draws ---------- */

static void test_eval__hash_unit_range_match_hash_h(void)
{
	enum { N = 50 };
	int64_t rows[N];
	struct tt t;
	struct ir_program p;
	struct eval_ctx *c = NULL;
	struct diags d = DIAGS_INIT;
	const struct eval_vec *out[5];
	int64_t seed = -5;
	for (int i = 0; i < N; i++)
		rows[i] = (int64_t)i * 7919 - 100000;
	tt_init(&t, "t", 0, &p);
	tt_col(&t, "h", hash(seed, row(), false, 0));
	tt_col(&t, "hk", hash(seed, row(), true, -1));
	tt_col(&t, "u", un(IR_UNIT, IR_T_F64, hash(seed, row(), true, 2)));
	tt_col(&t, "r", irange(hash(seed, row(), false, 0), 10, 20));
	tt_col(&t, "w", irange(hash(seed, row(), true, 3), INT64_MIN, INT64_MAX));
	CHECK_INT_EQ(0, eval_ctx_new(&c, &p, 1, N, &d));
	CHECK_INT_EQ(0, eval_table(c, 0, rows, N, out));
	for (int i = 0; i < N; i++) {
		uint64_t h = spark_xxhash64_2(seed, rows[i]);
		CHECK_INT_EQ((int64_t)h, out[0]->i64[i]);
		CHECK_INT_EQ((int64_t)spark_xxhash64_3(seed, rows[i], -1), out[1]->i64[i]);
		CHECK(out[2]->f64[i] == hash_unit(spark_xxhash64_3(seed, rows[i], 2)));
		CHECK_INT_EQ(hash_int_range(h, 10, 20), out[3]->i64[i]);
		CHECK(out[0]->valid[i] && out[3]->valid[i]);
	}
	/* the full int64 range: lo + floor(u * 2^64) in unsigned arithmetic */
	{
		uint64_t h = spark_xxhash64_3(seed, rows[0], 3);
		double x = hash_unit(h) * 18446744073709551616.0;
		CHECK_INT_EQ((int64_t)((uint64_t)INT64_MIN + (uint64_t)x), out[4]->i64[0]);
	}
	/* the DESIGN section 5 vector */
	EQ("2151609513328473199", hash(7, ci(3), false, 0));
	/* the hash of NULL is NULL */
	EQ("NULL", hash(7, cnull(IR_T_I64, 0), false, 0));
	eval_ctx_free(c);
	diags_release(&d);
}

static void test_eval__shared_draws_are_merged(void)
{
	struct tt t;
	struct ir_program p;
	struct eval_ctx *c = NULL;
	struct diags d = DIAGS_INIT;
	const struct eval_vec *out[2];
	int64_t rows[3] = {0, 1, 2};
	/* two columns, each building its own H(cs, ROW): one node for the hash, one for ROW */
	tt_init(&t, "t", 0, &p);
	tt_col(&t, "a", un(IR_UNIT, IR_T_F64, hash(11, row(), false, 0)));
	tt_col(&t, "b", irange(hash(11, row(), false, 0), 1, 6));
	CHECK_INT_EQ(0, eval_ctx_new(&c, &p, 1, 8, &d));
	CHECK_INT_EQ(4, c->n_nodes); /* row, hash, unit, int_range: nothing twice */
	CHECK_INT_EQ(0, eval_table(c, 0, rows, 3, out));
	for (int i = 0; i < 3; i++)
		CHECK_INT_EQ(hash_int_range(spark_xxhash64_2(11, i), 1, 6), out[1]->i64[i]);
	eval_ctx_free(c);
	/* draws k = 1, 2 share the inner H(cs, ROW): row, inner hash, two outer hashes */
	tt_init(&t, "t", 0, &p);
	tt_col(&t, "a", hash(11, row(), true, 1));
	tt_col(&t, "b", hash(11, row(), true, 2));
	CHECK_INT_EQ(0, eval_ctx_new(&c, &p, 1, 8, &d));
	CHECK_INT_EQ(4, c->n_nodes);
	CHECK_INT_EQ(0, eval_table(c, 0, rows, 3, out));
	for (int i = 0; i < 3; i++) {
		CHECK_INT_EQ((int64_t)spark_xxhash64_3(11, i, 1), out[0]->i64[i]);
		CHECK_INT_EQ((int64_t)spark_xxhash64_3(11, i, 2), out[1]->i64[i]);
	}
	eval_ctx_free(c);
	diags_release(&d);
}

/* ---------- arithmetic ---------- */

static void test_eval__integer_arithmetic(void)
{
	EQ("5", bin(IR_ADD, IR_T_I64, ci(2), ci(3)));
	EQ("-9223372036854775808", bin(IR_ADD, IR_T_I64, ci(INT64_MAX), ci(1))); /* wraps as the JVM */
	EQ("-6", bin(IR_MUL, IR_T_I64, ci(-2), ci(3)));
	EQ("NULL", bin(IR_SUB, IR_T_I64, ci(1), cnull(IR_T_I64, 0)));
	/* IDIV floors; MOD is Spark's pmod */
	EQ("-4", bin(IR_IDIV, IR_T_I64, ci(-7), ci(2)));
	EQ("-4", bin(IR_IDIV, IR_T_I64, ci(7), ci(-2)));
	EQ("3", bin(IR_IDIV, IR_T_I64, ci(7), ci(2)));
	EQ("NULL", bin(IR_IDIV, IR_T_I64, ci(7), ci(0)));
	EQ("-9223372036854775808", bin(IR_IDIV, IR_T_I64, ci(INT64_MIN), ci(-1)));
	EQ("2", bin(IR_MOD, IR_T_I64, ci(-7), ci(3)));
	EQ("1", bin(IR_MOD, IR_T_I64, ci(7), ci(-3)));
	EQ("-1", bin(IR_MOD, IR_T_I64, ci(-7), ci(-3)));
	EQ("0", bin(IR_MOD, IR_T_I64, ci(-9), ci(3)));
	EQ("NULL", bin(IR_MOD, IR_T_I64, ci(7), ci(0)));
	/* REM keeps the sign of the dividend (Spark %) */
	EQ("-1", bin(IR_REM, IR_T_I64, ci(-7), ci(3)));
	EQ("1", bin(IR_REM, IR_T_I64, ci(7), ci(-3)));
	EQ("-1", bin(IR_REM, IR_T_I64, ci(-7), ci(-3)));
	EQ("0", bin(IR_REM, IR_T_I64, ci(INT64_MIN), ci(-1)));
	EQ("NULL", bin(IR_REM, IR_T_I64, ci(7), ci(0)));
	EQ("-1.5", bin(IR_REM, IR_T_F64, cf(-7.5), cf(2.0)));
	EQ("0", bin(IR_MOD, IR_T_I64, ci(INT64_MIN), ci(-1)));
	EQ("0.5", bin(IR_MOD, IR_T_F64, cf(-7.5), cf(2.0)));
	EQ("-9223372036854775807", un(IR_NEG, IR_T_I64, ci(INT64_MAX)));
	EQ("-9223372036854775808", un(IR_ABS, IR_T_I64, ci(INT64_MIN))); /* as Spark's non-ANSI abs */
	EQ("7", un(IR_ABS, IR_T_I64, ci(-7)));
	EQ("2.5", un(IR_ABS, IR_T_F64, cf(-2.5)));
}

static void test_eval__affine_mod(void)
{
	struct ir_node *x = un(IR_AFFINE_MOD, IR_T_I64, row());
	int64_t rows[10];
	struct strbuf sb = STRBUF_INIT;
	x->lo = 3;   /* a */
	x->hi = 4;   /* b */
	x->k = 10;   /* n */
	for (int i = 0; i < 10; i++)
		rows[i] = i - 3;
	eval_rows(&sb, x, rows, 10);
	/* (3 * (r mod 10) + 4) mod 10 for r = -3..6 */
	CHECK_STR_EQ("5|8|1|4|7|0|3|6|9|2", sb.buf);
	strbuf_release(&sb);
	/* 128-bit intermediates: a and the residue near 2^62 */
	x = un(IR_AFFINE_MOD, IR_T_I64, ci(INT64_MAX));
	x->lo = (int64_t)1 << 62;
	x->hi = 12345;
	x->k = ((int64_t)1 << 62) + 1;
	{
		__int128 n = ((__int128)1 << 62) + 1, r = (__int128)INT64_MAX % n;
		r = (((__int128)1 << 62) * r + 12345) % n;
		char want[32];
		snprintf(want, sizeof(want), "%lld", (long long)r);
		EQ(want, x);
	}
}

static void test_eval__double_arithmetic_and_division(void)
{
	EQ("0.30000000000000004", bin(IR_ADD, IR_T_F64, cf(0.1), cf(0.2)));
	EQ("2.5", bin(IR_ADD, IR_T_F64, ci(2), cf(0.5))); /* I64 promoted to F64 */
	EQ("3.5", bin(IR_DIV, IR_T_F64, ci(7), ci(2)));
	EQ("NULL", bin(IR_DIV, IR_T_F64, cf(1), cf(0)));      /* Spark: x / 0 is NULL */
	EQ("NULL", bin(IR_DIV, IR_T_F64, cf(1), cf(-0.0)));
	EQ("-0.5", bin(IR_DIV, IR_T_F64, cdec(-125, 2), cf(2.5)));
}

static void test_eval__decimal_arithmetic(void)
{
	/* 1.25 + 0.5 at scale 2 */
	EQ("1.75", dec_node(IR_ADD, 2, cdec(125, 2), cdec(5, 1)));
	/* 1.25 - 3 */
	EQ("-1.75", dec_node(IR_SUB, 2, cdec(125, 2), ci(3)));
	/* 1.25 * 1.5 = 1.875 at scale 3, and rounded half up (away from zero) to scale 2 */
	EQ("1.875", dec_node(IR_MUL, 3, cdec(125, 2), cdec(15, 1)));
	EQ("1.88", dec_node(IR_MUL, 2, cdec(125, 2), cdec(15, 1)));
	EQ("-1.88", dec_node(IR_MUL, 2, cdec(-125, 2), cdec(15, 1)));
	/* overflow of int64 is NULL */
	EQ("NULL", dec_node(IR_ADD, 0, cdec(INT64_MAX, 0), cdec(1, 0)));
	EQ("NULL", dec_node(IR_MUL, 0, cdec(INT64_MAX, 0), cdec(2, 0)));
	EQ("-0.05", dec_node(IR_NEG, 2, cdec(5, 2), NULL));
	EQ("0.05", dec_node(IR_ABS, 2, cdec(-5, 2), NULL));
	EQ("NULL", dec_node(IR_NEG, 0, cdec(INT64_MIN, 0), NULL));
}

/* ---------- comparisons and logic ---------- */

static void test_eval__comparisons(void)
{
	EQ("true", bin(IR_LT, IR_T_BOOL, ci(2), cf(2.5)));
	EQ("true", bin(IR_EQ, IR_T_BOOL, ci(2), cf(2.0)));
	EQ("true", bin(IR_EQ, IR_T_BOOL, cdec(200, 2), ci(2)));   /* 2.00 = 2 */
	EQ("true", bin(IR_GT, IR_T_BOOL, cdec(201, 2), cdec(2, 0)));
	EQ("false", bin(IR_NE, IR_T_BOOL, cf(-0.0), cf(0.0)));
	/* Spark: NaN = NaN, and NaN is above every other double */
	EQ("true", bin(IR_EQ, IR_T_BOOL, cf(NAN), cf(NAN)));
	EQ("true", bin(IR_GT, IR_T_BOOL, cf(NAN), cf(INFINITY)));
	EQ("false", bin(IR_LT, IR_T_BOOL, cf(NAN), cf(1)));
	EQ("NULL", bin(IR_LT, IR_T_BOOL, ci(1), cnull(IR_T_I64, 0)));
	/* strings compare by bytes */
	EQ("true", bin(IR_LT, IR_T_BOOL, cs("abc"), cs("abd")));
	EQ("true", bin(IR_LT, IR_T_BOOL, cs("ab"), cs("abc")));
	EQ("true", bin(IR_GT, IR_T_BOOL, cs("\xc3\xa9"), cs("z")));
	EQ("true", bin(IR_EQ, IR_T_BOOL, cs(""), cs("")));
	/* a date is its midnight next to a timestamp */
	EQ("true", bin(IR_LT, IR_T_BOOL, cdate(2024, 1, 1), cts(1704067201)));
	EQ("true", bin(IR_EQ, IR_T_BOOL, cdate(2024, 1, 1), cts(1704067200)));
	EQ("true", bin(IR_LE, IR_T_BOOL, cb(false), cb(true)));
}

static void test_eval__three_valued_logic(void)
{
	struct ir_node *t = cb(true), *f = cb(false), *n = cnull(IR_T_BOOL, 0);
	EQ("false", bin(IR_AND, IR_T_BOOL, n, f));
	EQ("false", bin(IR_AND, IR_T_BOOL, f, n));
	EQ("NULL", bin(IR_AND, IR_T_BOOL, t, n));
	EQ("true", bin(IR_AND, IR_T_BOOL, t, t));
	EQ("true", bin(IR_OR, IR_T_BOOL, n, t));
	EQ("NULL", bin(IR_OR, IR_T_BOOL, f, n));
	EQ("false", bin(IR_OR, IR_T_BOOL, f, f));
	EQ("false", nd(IR_AND, IR_T_BOOL, 3, t, t, f));
	EQ("NULL", un(IR_NOT, IR_T_BOOL, n));
	EQ("false", un(IR_NOT, IR_T_BOOL, t));
	EQ("true", un(IR_IS_NULL, IR_T_BOOL, cnull(IR_T_STR, 0)));
	EQ("false", un(IR_IS_NULL, IR_T_BOOL, cs("")));
}

static void test_eval__selection(void)
{
	/* IF with a NULL condition takes the else branch */
	EQ("b", nd(IR_IF, IR_T_STR, 3, cnull(IR_T_BOOL, 0), cs("a"), cs("b")));
	EQ("a", nd(IR_IF, IR_T_STR, 3, cb(true), cs("a"), cs("b")));
	EQ("NULL", nd(IR_IF, IR_T_I64, 3, cb(true), cnull(IR_T_I64, 0), ci(2)));
	/* branches are cast to the node type */
	EQ("2.5", nd(IR_IF, IR_T_F64, 3, cb(false), ci(1), cf(2.5)));
	/* CASE: first true WHEN; NULL WHENs are false; no ELSE gives NULL */
	EQ("2", nd(IR_CASE, IR_T_I64, 5, cb(false), ci(1), cb(true), ci(2), ci(3)));
	EQ("3", nd(IR_CASE, IR_T_I64, 5, cnull(IR_T_BOOL, 0), ci(1), cb(false), ci(2), ci(3)));
	EQ("NULL", nd(IR_CASE, IR_T_I64, 4, cb(false), ci(1), cb(false), ci(2)));
	EQ("x", nd(IR_CASE, IR_T_STR, 1, cs("x")));
	EQ("2", nd(IR_COALESCE, IR_T_I64, 3, cnull(IR_T_I64, 0), ci(2), ci(3)));
	EQ("NULL", nd(IR_COALESCE, IR_T_STR, 2, cnull(IR_T_STR, 0), cnull(IR_T_STR, 0)));
	/* LEAST / GREATEST skip NULLs */
	EQ("3", nd(IR_GREATEST, IR_T_I64, 3, ci(1), cnull(IR_T_I64, 0), ci(3)));
	EQ("1", nd(IR_LEAST, IR_T_I64, 3, ci(1), cnull(IR_T_I64, 0), ci(3)));
	EQ("NULL", nd(IR_LEAST, IR_T_I64, 2, cnull(IR_T_I64, 0), cnull(IR_T_I64, 0)));
	EQ("NaN", nd(IR_GREATEST, IR_T_F64, 2, cf(1), cf(NAN)));
	EQ("1", nd(IR_LEAST, IR_T_F64, 2, cf(NAN), cf(1)));
	EQ("-2.5", nd(IR_LEAST, IR_T_F64, 2, ci(3), cf(-2.5)));
	EQ("abc", nd(IR_LEAST, IR_T_STR, 2, cs("abd"), cs("abc")));
	EQ("2", nd(IR_GREATEST, IR_T_DEC, 2, cdec(15, 1), cdec(149, 2))); /* at scale 0: 2 and 1 */
	{
		struct ir_node *g = nd(IR_GREATEST, IR_T_DEC, 2, cdec(15, 1), cdec(149, 2));
		g->scale = 2;
		EQ("1.50", g);
	}
}

/* ---------- numeric functions ---------- */

static void test_eval__floor_ceil_math(void)
{
	EQ("-3", un(IR_FLOOR, IR_T_I64, cf(-2.5)));
	EQ("-2", un(IR_CEIL, IR_T_I64, cf(-2.5)));
	EQ("3", un(IR_CEIL, IR_T_I64, cf(2.000001)));
	EQ("0", un(IR_FLOOR, IR_T_I64, cf(NAN)));                  /* Java's (long) NaN */
	EQ("9223372036854775807", un(IR_FLOOR, IR_T_I64, cf(1e300))); /* saturates */
	EQ("-9223372036854775808", un(IR_CEIL, IR_T_I64, cf(-INFINITY)));
	EQ("-2", un(IR_FLOOR, IR_T_I64, cdec(-125, 2)));
	EQ("-1", un(IR_CEIL, IR_T_I64, cdec(-125, 2)));
	EQ("2", un(IR_CEIL, IR_T_I64, cdec(101, 2)));
	EQ("1.4142135623730951", un(IR_SQRT, IR_T_F64, cf(2)));
	EQ("NaN", un(IR_SQRT, IR_T_F64, cf(-1)));
	EQ("NULL", un(IR_LN, IR_T_F64, cf(0)));  /* Spark: ln(x <= 0) is NULL */
	EQ("NULL", un(IR_LN, IR_T_F64, cf(-1)));
	EQ("0", un(IR_LN, IR_T_F64, cf(1)));
	EQ("1", un(IR_EXP, IR_T_F64, cf(0)));
	EQ("1", un(IR_COS, IR_T_F64, ci(0)));
	EQ("8", bin(IR_POW, IR_T_F64, cf(2), ci(3)));
	EQ("NaN", bin(IR_POW, IR_T_F64, cf(1), cf(NAN)));         /* Java, not C */
	EQ("NaN", bin(IR_POW, IR_T_F64, cf(-1), cf(INFINITY)));
	EQ("1", bin(IR_POW, IR_T_F64, cf(NAN), cf(0)));
}

static void test_eval__round_half_up(void)
{
	/* sign(x) * floor(|x| * 10^s + 0.5): ties away from zero */
	EQ("3", round_hu(cf(2.5), IR_T_I64, 0));
	EQ("-3", round_hu(cf(-2.5), IR_T_I64, 0));
	EQ("-2", round_hu(cf(-2.49), IR_T_I64, 0));
	EQ("0", round_hu(cf(NAN), IR_T_I64, 0));
	{
		struct ir_node *r = round_hu(cf(1.005), IR_T_DEC, 2); /* 100.49999999999999 + 0.5 */
		EQ("1.00", r);
		r = round_hu(cf(2.675), IR_T_DEC, 2); /* 2.67499999999999982236431605997495353221893310546875 * 100 rounds to 267.5 */
		EQ("2.68", r);
		r = round_hu(cf(1.125), IR_T_DEC, 2); /* exact tie */
		EQ("1.13", r);
		r = round_hu(cf(-1.125), IR_T_DEC, 2);
		EQ("-1.13", r);
		r = round_hu(cf(-2.675), IR_T_DEC, 2);
		EQ("-2.68", r);
		r = round_hu(cf(1e300), IR_T_DEC, 2);
		EQ("NULL", r);
		r = round_hu(cf(NAN), IR_T_DEC, 0);
		EQ("NULL", r);
		/* decimal input: exact */
		r = round_hu(cdec(-1125, 3), IR_T_DEC, 2);
		EQ("-1.13", r);
		r = round_hu(cdec(1124, 3), IR_T_DEC, 2);
		EQ("1.12", r);
		r = round_hu(cdec(5, 1), IR_T_DEC, 3);
		EQ("0.500", r);
		r = round_hu(ci(7), IR_T_DEC, 1);
		EQ("7.0", r);
	}
	EQ("1", round_hu(cf(1.005), IR_T_F64, 2));
	EQ("2.6800000000000002", round_hu(cf(2.675), IR_T_F64, 2));
	EQ("-1.1299999999999999", round_hu(cf(-1.125), IR_T_F64, 2));
	EQ("1300", round_hu(cf(1250), IR_T_F64, -2));
	EQ("-1300", round_hu(cf(-1250), IR_T_F64, -2));
	EQ("-0", round_hu(cf(-0.3), IR_T_F64, 0)); /* -1 * floor(0.8): a negative zero */
	EQ("-1.1299999999999999", round_hu(cdec(-1125, 3), IR_T_F64, 2));
	EQ("3", round_hu(ci(3), IR_T_I64, 0));
}

/* ---------- casts ---------- */

static void test_eval__casts(void)
{
	EQ("-2", cast(cf(-2.7), IR_T_I64, 0));       /* truncation */
	EQ("0", cast(cf(NAN), IR_T_I64, 0));
	EQ("9223372036854775807", cast(cf(1e30), IR_T_I64, 0));
	EQ("-1", cast(cdec(-199, 2), IR_T_I64, 0));  /* truncation */
	EQ("5.00", cast(ci(5), IR_T_DEC, 2));         /* the number 5, unscaled 500 */
	EQ("NULL", cast(ci(INT64_MAX / 10), IR_T_DEC, 2));
	EQ("-3", cast(cdec(-25, 1), IR_T_DEC, 0));    /* half up, ties away from zero */
	EQ("3", cast(cdec(25, 1), IR_T_DEC, 0));
	EQ("1.3", cast(cdec(125, 2), IR_T_DEC, 1));
	EQ("-1.2", cast(cdec(-124, 2), IR_T_DEC, 1));
	EQ("1.250", cast(cdec(125, 2), IR_T_DEC, 3));
	EQ("0.10000000000000001", cast(cdec(1, 1), IR_T_F64, 0)); /* 1 / 10.0 */
	EQ("-12.5", cast(cdec(-1250, 2), IR_T_F64, 0));
	EQ("2.68", cast(cf(2.675000001), IR_T_DEC, 2)); /* the ROUND_HALF_UP rule */
	EQ("-2", cast(cf(-2.5), IR_T_DEC, 0));
	EQ("1", cast(cb(true), IR_T_I64, 0));
	EQ("true", cast(ci(-3), IR_T_BOOL, 0));
	EQ("false", cast(cf(0.0), IR_T_BOOL, 0));
	EQ("true", cast(cf(NAN), IR_T_BOOL, 0));
	EQ("1.0", cast(cb(true), IR_T_DEC, 1));
	EQ("-86400", cast(cdate(1969, 12, 31), IR_T_TS, 0));
	EQ("-1", cast(cts(-1), IR_T_DATE, 0));        /* floor division */
	EQ("-1", cast(cts(-86400), IR_T_DATE, 0));
	EQ("-2", cast(cts(-86401), IR_T_DATE, 0));
	EQ("19723", cast(ci(19723), IR_T_DATE, 0));
	EQ("1704067200", cast(ci(1704067200), IR_T_TS, 0));
	EQ("-1", cast(cdate(1969, 12, 31), IR_T_I64, 0));
	EQ("-86400", cast(cast(cdate(1969, 12, 31), IR_T_TS, 0), IR_T_I64, 0));
	EQ("1704067200", cast(cts(1704067200), IR_T_F64, 0));
	/* a DEC constant holds its unscaled value; decimal text is parsed */
	{
		struct ir_node *k = cs("-12.345");
		k->type = IR_T_DEC;
		k->scale = 2;
		EQ("-12.35", k);
		k = cf(0.125);
		k->type = IR_T_DEC;
		k->scale = 2;
		EQ("0.13", k);
	}
}

static void test_eval__to_str(void)
{
	EQ("-9223372036854775808", un(IR_TO_STR, IR_T_STR, ci(INT64_MIN)));
	EQ("0", un(IR_TO_STR, IR_T_STR, ci(0)));
	EQ("true", un(IR_TO_STR, IR_T_STR, cb(true)));
	EQ("-0.05", un(IR_TO_STR, IR_T_STR, cdec(-5, 2)));
	EQ("0.00", un(IR_TO_STR, IR_T_STR, cdec(0, 2)));
	EQ("12.50", un(IR_TO_STR, IR_T_STR, cdec(1250, 2)));
	EQ("-7", un(IR_TO_STR, IR_T_STR, cdec(-7, 0)));
	/* Java's BigDecimal.toString, as Spark: scientific below an adjusted exponent of -6 */
	EQ("1.00E-8", un(IR_TO_STR, IR_T_STR, cdec(100, 10)));
	EQ("-1E-7", un(IR_TO_STR, IR_T_STR, cdec(-1, 7)));
	EQ("0E-10", un(IR_TO_STR, IR_T_STR, cdec(0, 10)));
	EQ("0.000001", un(IR_TO_STR, IR_T_STR, cdec(1, 6)));
	EQ("0.0000123", un(IR_TO_STR, IR_T_STR, cdec(123, 7)));
	EQ("1969-12-31", un(IR_TO_STR, IR_T_STR, cdate(1969, 12, 31)));
	EQ("2024-02-29", un(IR_TO_STR, IR_T_STR, cdate(2024, 2, 29)));
	EQ("0099-01-01", un(IR_TO_STR, IR_T_STR, cdate(99, 1, 1)));
	EQ("+10000-01-01", un(IR_TO_STR, IR_T_STR, cdate(10000, 1, 1)));
	EQ("-0001-01-01", un(IR_TO_STR, IR_T_STR, cdate(-1, 1, 1)));
	EQ("0000-01-01", un(IR_TO_STR, IR_T_STR, cdate(0, 1, 1)));
	EQ("1969-12-31 23:59:59", un(IR_TO_STR, IR_T_STR, cts(-1)));
	EQ("2024-01-01 00:00:00", un(IR_TO_STR, IR_T_STR, cts(1704067200)));
	EQ("NULL", un(IR_TO_STR, IR_T_STR, cast(ci(INT64_MAX), IR_T_DATE, 0)));
	/* doubles as Java's Double.toString */
	EQ("1.0", un(IR_TO_STR, IR_T_STR, cf(1)));
	EQ("100.0", un(IR_TO_STR, IR_T_STR, cf(100)));
	EQ("1.0E7", un(IR_TO_STR, IR_T_STR, cf(1e7)));
	EQ("9999999.0", un(IR_TO_STR, IR_T_STR, cf(9999999)));
	EQ("0.001", un(IR_TO_STR, IR_T_STR, cf(0.001)));
	EQ("1.0E-4", un(IR_TO_STR, IR_T_STR, cf(1e-4)));
	EQ("1.2345678E7", un(IR_TO_STR, IR_T_STR, cf(12345678)));
	EQ("0.30000000000000004", un(IR_TO_STR, IR_T_STR, cf(0.1 + 0.2)));
	EQ("0.3333333333333333", un(IR_TO_STR, IR_T_STR, cf(1.0 / 3)));
	EQ("-0.0", un(IR_TO_STR, IR_T_STR, cf(-0.0)));
	EQ("NaN", un(IR_TO_STR, IR_T_STR, cf(NAN)));
	EQ("-Infinity", un(IR_TO_STR, IR_T_STR, cf(-INFINITY)));
	EQ("4.9E-324", un(IR_TO_STR, IR_T_STR, cf(4.9e-324)));
	EQ("1.7976931348623157E308", un(IR_TO_STR, IR_T_STR, cf(1.7976931348623157e308)));
	EQ("1.0E23", un(IR_TO_STR, IR_T_STR, cf(1e23))); /* JDK 19+; JDK 17 prints 9.999999999999999E22 */
	EQ("0.002", un(IR_TO_STR, IR_T_STR, cf(2e-3)));
	EQ("-123.456", un(IR_TO_STR, IR_T_STR, cf(-123.456)));
}

/* ---------- strings ---------- */

static void test_eval__strings(void)
{
	EQ("ab1", nd(IR_CONCAT, IR_T_STR, 3, cs("a"), cs("b"), ci(1)));
	EQ("NULL", nd(IR_CONCAT, IR_T_STR, 2, cs("a"), cnull(IR_T_STR, 0)));
	EQ("", nd(IR_CONCAT, IR_T_STR, 2, cs(""), cs("")));
	EQ("abc \xc3\x80", un(IR_LOWER, IR_T_STR, cs("ABC \xc3\x80"))); /* ASCII only */
	EQ("ABC \xc3\xa0", un(IR_UPPER, IR_T_STR, cs("abc \xc3\xa0")));
	EQ("OBrienJos", un(IR_LETTERS, IR_T_STR, cs("O'Brien-Jos\xc3\xa9 2")));
	EQ("5", un(IR_LENGTH, IR_T_I64, cs("h\xc3\xa9llo")));
	EQ("0", un(IR_LENGTH, IR_T_I64, cs("")));
	EQ("NULL", un(IR_LENGTH, IR_T_I64, cnull(IR_T_STR, 0)));
	EQ("ffffffffffffffff", un(IR_HEX16, IR_T_STR, ci(-1)));
	EQ("000000000000002a", un(IR_HEX16, IR_T_STR, ci(42)));
}

static void test_eval__lpad(void)
{
	struct ir_node *s = cs("abc");
	EQ("ab", nd(IR_LPAD, IR_T_STR, 3, s, ci(2), cs("x")));      /* truncates */
	EQ("xyxyabc", nd(IR_LPAD, IR_T_STR, 3, s, ci(7), cs("xy")));
	EQ("xyxabc", nd(IR_LPAD, IR_T_STR, 3, s, ci(6), cs("xy")));
	EQ("abc", nd(IR_LPAD, IR_T_STR, 3, s, ci(5), cs("")));      /* empty pad: s, truncated */
	EQ("ab", nd(IR_LPAD, IR_T_STR, 3, s, ci(2), cs("")));
	EQ("", nd(IR_LPAD, IR_T_STR, 3, s, ci(0), cs("x")));
	EQ("", nd(IR_LPAD, IR_T_STR, 3, s, ci(-1), cs("x")));
	EQ("abc", nd(IR_LPAD, IR_T_STR, 3, s, ci(3), cs("x")));
	EQ("\xc3\xa9\xc3\xa9h\xc3\xa9llo", nd(IR_LPAD, IR_T_STR, 3, cs("h\xc3\xa9llo"), ci(7), cs("\xc3\xa9")));
	EQ("h\xc3\xa9l", nd(IR_LPAD, IR_T_STR, 3, cs("h\xc3\xa9llo"), ci(3), cs("*")));
	EQ("  abc", nd(IR_LPAD, IR_T_STR, 2, s, ci(5)));            /* default pad ' ' */
	EQ("07", nd(IR_LPAD, IR_T_STR, 3, un(IR_TO_STR, IR_T_STR, ci(7)), ci(2), cs("0")));
	EQ("NULL", nd(IR_LPAD, IR_T_STR, 3, s, cnull(IR_T_I64, 0), cs("x")));
}

static void test_eval__substr(void)
{
	struct ir_node *s = cs("hello");
	EQ("he", nd(IR_SUBSTR, IR_T_STR, 3, s, ci(0), ci(2)));   /* pos 0 is 1 */
	EQ("he", nd(IR_SUBSTR, IR_T_STR, 3, s, ci(1), ci(2)));
	EQ("ll", nd(IR_SUBSTR, IR_T_STR, 3, s, ci(-3), ci(2)));
	EQ("h", nd(IR_SUBSTR, IR_T_STR, 3, s, ci(-7), ci(3)));   /* start -2, end 1 */
	EQ("", nd(IR_SUBSTR, IR_T_STR, 3, s, ci(10), ci(2)));
	EQ("", nd(IR_SUBSTR, IR_T_STR, 3, s, ci(2), ci(-1)));
	EQ("hello", nd(IR_SUBSTR, IR_T_STR, 3, s, ci(-5), ci(100)));
	EQ("ello", nd(IR_SUBSTR, IR_T_STR, 2, s, ci(2)));
	EQ("\xc3\xa9l", nd(IR_SUBSTR, IR_T_STR, 3, cs("h\xc3\xa9llo"), ci(2), ci(2)));
	EQ("hell", nd(IR_SUBSTR, IR_T_STR, 3, s, ci(INT64_MIN), ci(INT64_MAX))); /* end = 5 + MIN + MAX = 4 */
	EQ("ello", nd(IR_SUBSTR, IR_T_STR, 3, s, ci(2), ci(INT64_MAX)));
	EQ("NULL", nd(IR_SUBSTR, IR_T_STR, 3, s, ci(1), cnull(IR_T_I64, 0)));
}

static void test_eval__uuid(void)
{
	/* x = hex16(a) || hex16(b): 0123456789abcdef fedcba9876543210 */
	int64_t a = 0x0123456789abcdefLL, b = (int64_t)0xfedcba9876543210ULL;
	/* x[16] = 'f' (15): variant "89ab"[15 & 3] = 'b' */
	EQ("01234567-89ab-4def-bedc-ba9876543210", bin(IR_UUID, IR_T_STR, ci(a), ci(b)));
	EQ("00000000-0000-4000-8000-000000000000", bin(IR_UUID, IR_T_STR, ci(0), ci(0)));
	EQ("NULL", bin(IR_UUID, IR_T_STR, ci(0), cnull(IR_T_I64, 0)));
}

/* ---------- dates ---------- */

static struct ir_node *part(enum ir_op op, struct ir_node *d)
{
	return un(op, IR_T_I64, d);
}

static void test_eval__date_parts(void)
{
	struct ir_node *d = cdate(1969, 12, 31);
	EQ("-1", d);
	EQ("1969", part(IR_YEAR, d));
	EQ("12", part(IR_MONTH, d));
	EQ("31", part(IR_DAY, d));
	EQ("4", part(IR_DAYOFWEEK, d));   /* Wednesday: 1 = Sunday */
	EQ("5", part(IR_DAYOFWEEK, cdate(1970, 1, 1)));
	EQ("1", part(IR_DAYOFWEEK, cdate(2024, 3, 3)));
	EQ("7", part(IR_DAYOFWEEK, cdate(2024, 3, 2)));
	EQ("365", part(IR_DAYOFYEAR, d));
	EQ("366", part(IR_DAYOFYEAR, cdate(2024, 12, 31)));
	EQ("60", part(IR_DAYOFYEAR, cdate(2000, 2, 29)));
	EQ("4", part(IR_QUARTER, d));
	EQ("1", part(IR_QUARTER, cdate(2024, 3, 31)));
	EQ("2", part(IR_QUARTER, cdate(2024, 4, 1)));
	/* ISO weeks at year boundaries */
	EQ("53", part(IR_WEEKOFYEAR, cdate(2021, 1, 1)));
	EQ("53", part(IR_WEEKOFYEAR, cdate(2020, 12, 31)));
	EQ("1", part(IR_WEEKOFYEAR, cdate(2019, 12, 30)));
	EQ("1", part(IR_WEEKOFYEAR, cdate(2026, 1, 1)));
	EQ("53", part(IR_WEEKOFYEAR, cdate(2027, 1, 1)));
	EQ("52", part(IR_WEEKOFYEAR, cdate(2023, 1, 1)));
	EQ("1", part(IR_WEEKOFYEAR, cdate(1970, 1, 1)));
	/* long ago */
	EQ("1600", part(IR_YEAR, cdate(1600, 2, 29)));
	EQ("29", part(IR_DAY, cdate(1600, 2, 29)));
	EQ("-1", part(IR_YEAR, cdate(-1, 12, 31)));
	/* timestamps (UTC), before 1970 too */
	EQ("23", part(IR_HOUR, cts(-1)));
	EQ("59", part(IR_MINUTE, cts(-1)));
	EQ("59", part(IR_SECOND, cts(-1)));
	EQ("31", part(IR_DAY, cts(-1)));
	EQ("1969", part(IR_YEAR, cts(-1)));
	EQ("0", part(IR_HOUR, d));
	EQ("13", part(IR_HOUR, cts(1704114000))); /* 2024-01-01 13:00:00 */
	EQ("NULL", part(IR_YEAR, cnull(IR_T_DATE, 0)));
}

static void test_eval__date_functions(void)
{
	struct ir_node *md;
	EQ("NULL", nd(IR_MAKE_DATE, IR_T_DATE, 3, ci(1900), ci(2), ci(29))); /* not a leap year */
	md = nd(IR_MAKE_DATE, IR_T_DATE, 3, ci(2000), ci(2), ci(29));
	EQ("11016", md);
	EQ("2000-02-29", un(IR_TO_STR, IR_T_STR, md));
	EQ("NULL", nd(IR_MAKE_DATE, IR_T_DATE, 3, ci(2024), ci(13), ci(1)));
	EQ("NULL", nd(IR_MAKE_DATE, IR_T_DATE, 3, ci(2024), ci(4), ci(31)));
	EQ("NULL", nd(IR_MAKE_DATE, IR_T_DATE, 3, ci(2024), ci(1), ci(0)));
	EQ("NULL", nd(IR_MAKE_DATE, IR_T_DATE, 3, ci(INT64_MAX), ci(1), ci(1)));
	EQ("-719528", nd(IR_MAKE_DATE, IR_T_DATE, 3, ci(0), ci(1), ci(1)));
	EQ("2024-03-01", un(IR_TO_STR, IR_T_STR, bin(IR_DATE_ADD, IR_T_DATE, cdate(2024, 2, 28), ci(2))));
	EQ("1969-12-31", un(IR_TO_STR, IR_T_STR, bin(IR_DATE_ADD, IR_T_DATE, cdate(1970, 1, 1), ci(-1))));
	EQ("2", bin(IR_DATEDIFF, IR_T_I64, cdate(2024, 3, 1), cdate(2024, 2, 28)));
	EQ("-2", bin(IR_DATEDIFF, IR_T_I64, cdate(2024, 2, 28), cdate(2024, 3, 1)));
	EQ("-1", un(IR_TO_DATE, IR_T_DATE, cts(-1)));
	EQ("0", un(IR_TO_DATE, IR_T_DATE, cts(86399)));
	EQ("-86400", un(IR_TO_TS, IR_T_TS, cdate(1969, 12, 31)));
}

/* Every day of 1599..2401 against a naive calendar walk. */
static void test_eval__calendar_walk(void)
{
	int64_t days = dt_days_from_civil(1599, 1, 1);
	int bad = 0;
	for (int64_t y = 1599; y <= 2401; y++)
		for (int m = 1; m <= 12; m++)
			for (int d = 1; d <= dt_days_in_month(y, m); d++, days++) {
				int64_t yy;
				int mm, dd;
				dt_civil_from_days(days, &yy, &mm, &dd);
				if (yy != y || mm != m || dd != d || dt_days_from_civil(y, m, d) != days)
					bad++;
			}
	CHECK_INT_EQ(0, bad);
	CHECK_INT_EQ(0, dt_days_from_civil(1970, 1, 1));
	CHECK_INT_EQ(366, dt_days_in_month(2000, 2) + 337);
	CHECK_INT_EQ(28, dt_days_in_month(2100, 2));
}

/* ---------- tables ---------- */

static void test_eval__search_cum_equals_linear_scan(void)
{
	static const double cum[] = {0.1, 0.25, 0.25, 0.5, 0.75, 1.0};
	struct ir_table *t = table_f64(cum, 6);
	double us[] = {0, 0.0999999, 0.1, 0.2, 0.25, 0.2500001, 0.5, 0.74, 0.75, 0.99999, 1.0, 2, -1, NAN};
	for (size_t i = 0; i < sizeof(us) / sizeof(us[0]); i++) {
		size_t want = 5;
		char buf[16];
		for (size_t k = 0; k < 6; k++)
			if (us[i] < cum[k]) {
				want = k;
				break;
			}
		snprintf(buf, sizeof(buf), "%zu", want);
		CHECK_STR_EQ(buf, val(tab(IR_SEARCH_CUM, IR_T_I64, t, 1, cf(us[i]), NULL)));
	}
	/* the full draw path over many rows */
	{
		enum { N = 64 };
		int64_t rows[N];
		struct strbuf got = STRBUF_INIT, want = STRBUF_INIT;
		for (int i = 0; i < N; i++) {
			double u = hash_unit(spark_xxhash64_2(3, i));
			size_t k = 5;
			for (size_t j = 0; j < 6; j++)
				if (u < cum[j]) {
					k = j;
					break;
				}
			rows[i] = i;
			strbuf_addf(&want, "%s%zu", i ? "|" : "", k);
		}
		eval_rows(&got, tab(IR_SEARCH_CUM, IR_T_I64, t, 1, un(IR_UNIT, IR_T_F64, hash(3, row(), false, 0)), NULL),
			  rows, N);
		CHECK_STR_EQ(want.buf, got.buf);
		strbuf_release(&got);
		strbuf_release(&want);
	}
}

static void test_eval__alias_pick_and_element(void)
{
	static const char *const names[] = {"ann", "bob", "cy"};
	static const int64_t vals[] = {10, -20, 30};
	static const double fv[] = {0.5, 1.5};
	struct ir_table *t = table_str(names, 3);
	double prob[3] = {0.5, 1.0, 0.25};
	int64_t alias[3] = {1, 1, 0};
	t->alias_prob = prob;
	t->alias_idx = alias;
	EQ("0", tab(IR_ALIAS_PICK, IR_T_I64, t, 2, ci(0), cf(0.49)));
	EQ("1", tab(IR_ALIAS_PICK, IR_T_I64, t, 2, ci(0), cf(0.5)));
	EQ("0", tab(IR_ALIAS_PICK, IR_T_I64, t, 2, ci(2), cf(0.25)));
	EQ("NULL", tab(IR_ALIAS_PICK, IR_T_I64, t, 2, ci(3), cf(0.1)));
	EQ("cy", tab(IR_ELEMENT, IR_T_STR, t, 1, ci(2), NULL));
	EQ("NULL", tab(IR_ELEMENT, IR_T_STR, t, 1, ci(3), NULL));
	EQ("NULL", tab(IR_ELEMENT, IR_T_STR, t, 1, ci(-1), NULL));
	EQ("-20", tab(IR_ELEMENT, IR_T_I64, table_i64(vals, 3), 1, ci(1), NULL));
	{
		struct ir_node *e = tab(IR_ELEMENT, IR_T_DEC, table_i64(vals, 3), 1, ci(1), NULL);
		e->scale = 1;
		EQ("-2.0", e);
	}
	EQ("1.5", tab(IR_ELEMENT, IR_T_F64, table_f64(fv, 2), 1, ci(1), NULL));
}

/*
 * Evaluates program column 0 (of n_cols) at rows 0..n-1 in batches of 64 and
 * renders it; sets *fused when a CONCAT of the program reads its ELEMENTs'
 * tables directly.
 */
static void eval_col0(struct strbuf *sb, struct ir_node **cols, size_t n_cols, size_t n, bool *fused)
{
	struct tt t;
	struct ir_program p;
	struct eval_ctx *c = NULL;
	struct diags d = DIAGS_INIT;
	const struct eval_vec *out[MAXC];
	int64_t rows[64];
	static const char *const names[] = {"a", "b", "c", "d"};
	tt_init(&t, "t", 0, &p);
	for (size_t k = 0; k < n_cols; k++)
		tt_col(&t, names[k], cols[k]);
	*fused = false;
	if (eval_ctx_new(&c, &p, 1, 64, &d)) {
		strbuf_addstr(sb, "<prepare failed>");
		diags_release(&d);
		return;
	}
	for (size_t i = 0; i < c->n_nodes; i++)
		if (c->nodes[i]->op == IR_CONCAT && c->nodes[i]->fuse)
			*fused = true;
	for (size_t at = 0; at < n; at += 64) {
		size_t m = n - at < 64 ? n - at : 64;
		for (size_t i = 0; i < m; i++)
			rows[i] = (int64_t)(at + i);
		if (eval_table(c, 0, rows, m, out)) {
			strbuf_addf(sb, "<error: %s>", eval_error(c));
			break;
		}
		for (size_t i = 0; i < m; i++) {
			strbuf_addch(sb, '|');
			render(sb, out[0], i);
		}
	}
	eval_ctx_free(c);
	diags_release(&d);
}

/*
 * A CONCAT whose arguments are ELEMENTs used nowhere else reads the tables
 * directly (eval_concat_fused): the same values as when the ELEMENTs are
 * computed (here by also being columns), with fixed-length and
 * variable-length tables, NULL and out-of-range indices, constants, and
 * per-row strings.
 */
static void test_eval__fused_concat_equals_computed_elements(void)
{
	static const char *const letters[] = {"A", "B", "C", "D", "E"};
	static const char *const pairs[] = {"xy", "zw", "uv"};
	static const char *const words[] = {"one", "", "three", "four"};
	struct ir_table *tl = table_str(letters, 5), *tp = table_str(pairs, 3), *tw = table_str(words, 4);
	/* row mod 7 - 1: -1 (out of range), 0..5 (4 and 5 out of range for words); NULL every 5th row */
	struct ir_node *wi = nd(IR_IF, IR_T_I64, 3, bin(IR_EQ, IR_T_BOOL, bin(IR_MOD, IR_T_I64, row(), ci(5)), ci(0)),
				cnull(IR_T_I64, 0), bin(IR_SUB, IR_T_I64, bin(IR_MOD, IR_T_I64, row(), ci(7)), ci(1)));
	struct ir_node *e1 = tab(IR_ELEMENT, IR_T_STR, tl, 1, irange(hash(7, row(), false, 0), 0, 4), NULL);
	struct ir_node *e2 = tab(IR_ELEMENT, IR_T_STR, tp, 1, irange(hash(7, row(), true, 1), 0, 2), NULL);
	struct ir_node *e3 = tab(IR_ELEMENT, IR_T_STR, tw, 1, wi, NULL);
	/* an index that can leave the table: 0..5 on a 5-letter table */
	struct ir_node *e4 = tab(IR_ELEMENT, IR_T_STR, tl, 1, irange(hash(7, row(), true, 2), 0, 5), NULL);
	struct ir_node *per_row = cast(row(), IR_T_STR, 0);
	struct {
		struct ir_node *concat;
		struct ir_node *elems[3];
	} cases[] = {
		/* fixed lengths: letters, '-', pairs */
		{nd(IR_CONCAT, IR_T_STR, 3, e1, cs("-"), e2), {e1, e2, NULL}},
		/* fixed, with an index that may be out of range */
		{nd(IR_CONCAT, IR_T_STR, 3, e1, e4, cs("")), {e1, e4, NULL}},
		/* variable lengths, NULL and out-of-range indices, a per-row string */
		{nd(IR_CONCAT, IR_T_STR, 4, e3, cs("/"), per_row, e1), {e3, e1, NULL}},
		/* only a table argument */
		{nd(IR_CONCAT, IR_T_STR, 1, e3), {e3, NULL, NULL}},
	};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
		struct ir_node *cols[4];
		size_t nc = 1;
		bool fa, fb;
		cols[0] = cases[k].concat;
		eval_col0(&a, cols, 1, 300, &fa);
		for (size_t q = 0; q < 3 && cases[k].elems[q]; q++)
			cols[nc++] = cases[k].elems[q];
		eval_col0(&b, cols, nc, 300, &fb);
		CHECK(fa);
		CHECK(!fb);
		CHECK(a.len > 300);
		CHECK_STR_EQ(b.buf, a.buf);
		strbuf_release(&a);
		strbuf_release(&b);
	}
	/* spot values: row 0 is NULL for e3 (row mod 5 == 0), so every concat with it is NULL */
	{
		struct strbuf a = STRBUF_INIT;
		bool f;
		struct ir_node *cols[1] = {cases[2].concat};
		eval_col0(&a, cols, 1, 3, &f);
		/* row 1: words[0] = "one"; row 2: words[1] = "" */
		CHECK(strncmp(a.buf, "|NULL|one/1", 11) == 0);
		CHECK(strstr(a.buf, "|/2") != NULL);
		strbuf_release(&a);
	}
}

/* ---------- AT_ROW, COLUMN, batching ---------- */

struct two {
	struct tt cust, ord;
	struct ir_program p[2];
	struct column *c_id, *c_seg, *c_label, *o_row, *o_cid, *o_seg, *o_label, *o_nullref, *o_self;
};

/*
 * customers: id = 1000 + 2 ROW, seg = ELEMENT(segments, ROW mod 3), label = id || '-' || seg (COLUMNs)
 * orders:    r = INT_RANGE(H(9, ROW), 0, 99), cid = AT_ROW(id, r), seg = AT_ROW(seg, r),
 *            label = AT_ROW(label, r), nullref = AT_ROW(id, IF(ROW mod 4 = 0, NULL, r)),
 *            self = AT_ROW(orders.r, ROW div 2)
 */
static void build_two(struct two *w)
{
	static const char *const segs[] = {"retail", "smb", "enterprise"};
	struct ir_node *r;
	tt_init(&w->cust, "customers", 0, &w->p[0]);
	tt_init(&w->ord, "orders", 1, &w->p[1]);
	w->c_id = tt_col(&w->cust, "id", bin(IR_ADD, IR_T_I64, ci(1000), bin(IR_MUL, IR_T_I64, row(), ci(2))));
	w->c_seg = tt_col(&w->cust, "seg",
			  tab(IR_ELEMENT, IR_T_STR, table_str(segs, 3), 1, bin(IR_MOD, IR_T_I64, row(), ci(3)), NULL));
	w->c_label = tt_col(&w->cust, "label",
			    nd(IR_CONCAT, IR_T_STR, 3, colref(IR_COLUMN, w->c_id, IR_T_I64, 0, NULL), cs("-"),
			       colref(IR_COLUMN, w->c_seg, IR_T_STR, 0, NULL)));
	/* columns listed before their dependencies: the evaluation order must fix it */
	w->o_cid = tt_col(&w->ord, "cid", NULL);
	w->o_row = tt_col(&w->ord, "r", irange(hash(9, row(), false, 0), 0, 99));
	r = colref(IR_COLUMN, w->o_row, IR_T_I64, 0, NULL);
	tt_set(&w->ord, w->o_cid, colref(IR_AT_ROW, w->c_id, IR_T_I64, 0, r));
	w->o_seg = tt_col(&w->ord, "seg", colref(IR_AT_ROW, w->c_seg, IR_T_STR, 0, r));
	w->o_label = tt_col(&w->ord, "label", colref(IR_AT_ROW, w->c_label, IR_T_STR, 0, r));
	w->o_nullref = tt_col(&w->ord, "nullref",
			      colref(IR_AT_ROW, w->c_id, IR_T_I64, 0,
				     nd(IR_IF, IR_T_I64, 3,
					bin(IR_EQ, IR_T_BOOL, bin(IR_MOD, IR_T_I64, row(), ci(4)), ci(0)),
					cnull(IR_T_I64, 0), r)));
	w->o_self = tt_col(&w->ord, "self",
			   colref(IR_AT_ROW, w->o_row, IR_T_I64, 0, bin(IR_IDIV, IR_T_I64, row(), ci(2))));
	w->ord.order[0] = 1; /* r first */
	w->ord.order[1] = 0;
}

static void test_eval__at_row_across_tables(void)
{
	static const char *const segs[] = {"retail", "smb", "enterprise"};
	struct two w;
	struct eval_ctx *c = NULL;
	struct diags d = DIAGS_INIT;
	const struct eval_vec *out[8];
	int64_t rows[40];
	build_two(&w);
	for (int i = 0; i < 40; i++)
		rows[i] = 1000 + i;
	CHECK_INT_EQ(0, eval_ctx_new(&c, w.p, 2, 40, &d));
	CHECK_INT_EQ(0, eval_table(c, 1, rows, 40, out));
	for (int i = 0; i < 40; i++) {
		int64_t r = hash_int_range(spark_xxhash64_2(9, rows[i]), 0, 99);
		int64_t rs = hash_int_range(spark_xxhash64_2(9, rows[i] / 2), 0, 99);
		char label[64];
		size_t len;
		const char *s;
		CHECK_INT_EQ(r, out[1]->i64[i]);
		CHECK_INT_EQ(1000 + 2 * r, out[0]->i64[i]);
		s = eval_str(out[2], (size_t)i, &len);
		CHECK(len == strlen(segs[r % 3]) && !memcmp(s, segs[r % 3], len));
		snprintf(label, sizeof(label), "%lld-%s", (long long)(1000 + 2 * r), segs[r % 3]);
		s = eval_str(out[3], (size_t)i, &len);
		CHECK(len == strlen(label) && !memcmp(s, label, len));
		if (rows[i] % 4 == 0) {
			CHECK(!out[4]->valid[i]);
		} else {
			CHECK(out[4]->valid[i]);
			CHECK_INT_EQ(1000 + 2 * r, out[4]->i64[i]);
		}
		CHECK_INT_EQ(rs, out[5]->i64[i]);
	}
	/* the customers program on its own rows */
	CHECK_INT_EQ(0, eval_table(c, 0, rows, 3, out));
	CHECK_INT_EQ(3000, out[0]->i64[0]);
	{
		size_t len;
		const char *s = eval_str(out[2], 2, &len);
		CHECK(len == 11 && !memcmp(s, "3004-retail", 11));
	}
	eval_ctx_free(c);
	diags_release(&d);
}

static void render_all(struct strbuf *sb, const struct eval_vec *const *out, size_t n_cols, size_t i)
{
	for (size_t k = 0; k < n_cols; k++) {
		render(sb, out[k], i);
		strbuf_addch(sb, ';');
	}
	strbuf_addch(sb, '\n');
}

/* The same rows in one batch, in batches of 1, 7 and 64, and shuffled, give the same values. */
static void test_eval__batching_does_not_change_values(void)
{
	enum { N = 300 };
	struct two w;
	struct eval_ctx *c = NULL;
	struct diags d = DIAGS_INIT;
	const struct eval_vec *out[8];
	int64_t rows[N], perm[N];
	struct strbuf ref[N];
	size_t sizes[] = {1, 7, 64, N};
	build_two(&w);
	/* more column kinds in orders: strings, doubles, decimals, dates */
	{
		struct ir_node *u = un(IR_UNIT, IR_T_F64, hash(4, row(), true, 1));
		struct ir_node *amt = round_hu(bin(IR_MUL, IR_T_F64, u, cf(1000)), IR_T_DEC, 2);
		struct ir_node *v = nd(IR_IF, IR_T_DEC, 3, bin(IR_LT, IR_T_BOOL, u, cf(0.1)), cnull(IR_T_DEC, 2), amt);
		v->scale = 2;
		tt_col(&w.ord, "amt", v);
		tt_col(&w.ord, "day",
		       un(IR_TO_STR, IR_T_STR,
			  bin(IR_DATE_ADD, IR_T_DATE, cdate(1969, 12, 1), irange(hash(5, row(), false, 0), 0, 800))));
	}
	for (int i = 0; i < N; i++)
		rows[i] = (int64_t)i * 13 - 50;
	for (int i = 0; i < N; i++)
		perm[i] = rows[(i * 7) % N]; /* 7 is prime to 300 */
	CHECK_INT_EQ(0, eval_ctx_new(&c, w.p, 2, N, &d));
	CHECK_INT_EQ(0, eval_table(c, 1, rows, N, out));
	for (int i = 0; i < N; i++) {
		strbuf_init(&ref[i], 0);
		render_all(&ref[i], out, 8, (size_t)i);
	}
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		for (int pass = 0; pass < 2; pass++) {
			const int64_t *src = pass ? perm : rows;
			for (size_t at = 0; at < N; at += sizes[s]) {
				size_t n = N - at < sizes[s] ? N - at : sizes[s];
				CHECK_INT_EQ(0, eval_table(c, 1, src + at, n, out));
				for (size_t i = 0; i < n; i++) {
					struct strbuf sb = STRBUF_INIT;
					size_t idx = pass ? (size_t)((at + i) * 7 % N) : at + i;
					render_all(&sb, out, 8, i);
					if (strcmp(sb.buf, ref[idx].buf) != 0) {
						fprintf(stderr, "batch %zu row %zu: '%s' vs '%s'", sizes[s], idx, sb.buf,
							ref[idx].buf);
						harness_failed_checks++;
					}
					strbuf_release(&sb);
				}
			}
		}
	}
	/* the reference rows are not all NULL or all equal */
	CHECK(strstr(ref[0].buf, "NULL") != NULL || strstr(ref[1].buf, "NULL") != NULL ||
	      strstr(ref[2].buf, "NULL") != NULL);
	CHECK(strcmp(ref[5].buf, ref[6].buf) != 0);
	for (int i = 0; i < N; i++)
		strbuf_release(&ref[i]);
	eval_ctx_free(c);
	diags_release(&d);
}

/*
 * IF/CASE branches are computed only on the rows that take them (subset
 * frames); the values must equal computing every branch on every row.
 */
static void test_eval__lazy_branches_equal_eager(void)
{
	enum { N = 500 };
	static const char *const words[] = {"zero", "one", "two", "three"};
	struct two w;
	struct eval_ctx *lazy = NULL, *eager = NULL;
	struct diags d = DIAGS_INIT;
	const struct eval_vec *lo[16], *eo[16];
	int64_t rows[N];
	struct column *k, *wd, *c1, *c2, *c3;
	struct ir_node *kref, *u2, *inner;
	size_t ncols;
	int subsets = 0;

	build_two(&w);
	/* more orders columns: k in 0..3, a word, and branches of every kind */
	k = tt_col(&w.ord, "k", irange(hash(21, row(), false, 0), 0, 3));
	kref = colref(IR_COLUMN, k, IR_T_I64, 0, NULL);
	wd = tt_col(&w.ord, "w", tab(IR_ELEMENT, IR_T_STR, table_str(words, 4), 1, kref, NULL));
	c3 = tt_col(&w.ord, "c3", NULL); /* defined below, evaluated after c2 */
	u2 = un(IR_UNIT, IR_T_F64, hash(22, row(), true, 2));
	inner = nd(IR_CASE, IR_T_STR, 5,
		   bin(IR_LT, IR_T_BOOL, u2, cf(0.3)), un(IR_TO_STR, IR_T_STR, u2),      /* draw shared with the WHEN */
		   bin(IR_LT, IR_T_BOOL, u2, cf(0.6)), nd(IR_CONCAT, IR_T_STR, 2, cs("mid-"),
							    colref(IR_COLUMN, wd, IR_T_STR, 0, NULL)),
		   nd(IR_LPAD, IR_T_STR, 3, un(IR_TO_STR, IR_T_STR, row()), ci(9), cs("*")));
	c1 = tt_col(&w.ord, "c1",
		    nd(IR_CASE, IR_T_STR, 7,
		       bin(IR_EQ, IR_T_BOOL, kref, ci(0)),
		       nd(IR_CONCAT, IR_T_STR, 2, colref(IR_COLUMN, wd, IR_T_STR, 0, NULL),
			  un(IR_TO_STR, IR_T_STR, hash(22, row(), true, 1))),
		       bin(IR_EQ, IR_T_BOOL, kref, ci(1)),
		       colref(IR_AT_ROW, w.c_label, IR_T_STR, 0,
			      bin(IR_ADD, IR_T_I64, bin(IR_MUL, IR_T_I64, kref, ci(7)), colref(IR_COLUMN, w.o_row, IR_T_I64, 0, NULL))),
		       bin(IR_EQ, IR_T_BOOL, kref, ci(2)), inner,
		       bin(IR_ADD, IR_T_I64, row(), kref)));                          /* ELSE: I64 cast to STR */
	c2 = tt_col(&w.ord, "c2",
		    nd(IR_IF, IR_T_STR, 3, bin(IR_GT, IR_T_BOOL, kref, ci(2)), colref(IR_COLUMN, c1, IR_T_STR, 0, NULL),
		       nd(IR_CONCAT, IR_T_STR, 2, cs("x"), colref(IR_COLUMN, c3, IR_T_STR, 0, NULL))));
	tt_set(&w.ord, c3, nd(IR_IF, IR_T_STR, 3, bin(IR_LT, IR_T_BOOL, un(IR_UNIT, IR_T_F64, hash(23, row(), false, 0)), cf(0.5)),
			      un(IR_UPPER, IR_T_STR, colref(IR_COLUMN, wd, IR_T_STR, 0, NULL)), cnull(IR_T_STR, 0)));
	tt_col(&w.ord, "c4", round_hu(nd(IR_IF, IR_T_F64, 3, bin(IR_GE, IR_T_BOOL, u2, cf(0.9)), u2,
					      un(IR_NEG, IR_T_F64, u2)), IR_T_DEC, 3));
	ncols = w.ord.t.n_columns;
	/* evaluation order: r, cid, ..., then c1, c2 before c3 */
	for (size_t i = 0; i < ncols; i++)
		w.ord.order[i] = i;
	w.ord.order[0] = 1;
	w.ord.order[1] = 0;
	w.ord.order[c3->index] = c1->index;
	w.ord.order[c1->index] = c2->index;
	w.ord.order[c2->index] = c3->index;

	for (int i = 0; i < N; i++)
		rows[i] = (int64_t)i * 31 + 5;
	CHECK_INT_EQ(0, eval_ctx_new(&lazy, w.p, 2, N, &d));
	CHECK_INT_EQ(0, eval_ctx_new(&eager, w.p, 2, N, &d));
	eager->lazy = false;
	for (size_t bs = 1; bs <= N; bs = bs * 5 + 2) {
		for (size_t at = 0; at < N; at += bs) {
			size_t n = N - at < bs ? N - at : bs;
			CHECK_INT_EQ(0, eval_table(lazy, 1, rows + at, n, lo));
			for (size_t fi = 0; fi < lazy->frames_used; fi++)
				subsets += lazy->frames[fi]->parent != NULL;
			CHECK_INT_EQ(0, eval_table(eager, 1, rows + at, n, eo));
			for (size_t i = 0; i < n; i++) {
				struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
				render_all(&a, lo, ncols, i);
				render_all(&b, eo, ncols, i);
				if (strcmp(a.buf, b.buf) != 0) {
					fprintf(stderr, "batch %zu row %zu: lazy '%s' eager '%s'", bs, at + i, a.buf, b.buf);
					harness_failed_checks++;
				}
				strbuf_release(&a);
				strbuf_release(&b);
			}
		}
	}
	CHECK(subsets > 10);
	/* the reference is not degenerate: every branch of c1 was taken */
	CHECK_INT_EQ(0, eval_table(eager, 1, rows, N, eo));
	{
		int seen[4] = {0};
		for (size_t i = 0; i < N; i++)
			seen[eo[k->index]->i64[i]]++;
		CHECK(seen[0] && seen[1] && seen[2] && seen[3]);
	}
	eval_ctx_free(lazy);
	eval_ctx_free(eager);
	diags_release(&d);
}

/* A column that is a constant is expanded to the batch. */
static void test_eval__constant_column(void)
{
	struct strbuf sb = STRBUF_INIT;
	int64_t rows[3] = {5, 6, 7};
	eval_rows(&sb, nd(IR_CONCAT, IR_T_STR, 2, cs("a"), cs("b")), rows, 3);
	CHECK_STR_EQ("ab|ab|ab", sb.buf);
	strbuf_reset(&sb);
	eval_rows(&sb, row(), rows, 3);
	CHECK_STR_EQ("5|6|7", sb.buf);
	strbuf_reset(&sb);
	eval_rows(&sb, cnull(IR_T_F64, 0), rows, 0);
	CHECK_STR_EQ("", sb.buf);
	strbuf_release(&sb);
}

/* ---------- failures ---------- */

static const char *prepare_error(struct ir_program *p, size_t n)
{
	static char msg[512];
	struct eval_ctx *c = NULL;
	struct diags d = DIAGS_INIT;
	msg[0] = 0;
	if (eval_ctx_new(&c, p, n, 16, &d) == 0) {
		eval_ctx_free(c);
		snprintf(msg, sizeof(msg), "<ok>");
	} else {
		CHECK(c == NULL);
		CHECK_INT_EQ(1, d.errors);
		if (d.n)
			snprintf(msg, sizeof(msg), "%s", d.items[0].msg);
	}
	diags_release(&d);
	return msg;
}

static void test_eval__malformed_programs(void)
{
	struct tt t;
	struct ir_program p;
	static const double bad[] = {0.5, 0.2, 1.0};

	tt_init(&t, "t", 0, &p);
	tt_col(&t, "c", bin(IR_ADD, IR_T_STR, ci(1), ci(2)));
	CHECK_STR_EQ("internal error: column 't.c': ir op 'add': type str from (i64, i64) is not supported",
		     prepare_error(&p, 1));

	tt_init(&t, "t", 0, &p);
	tt_col(&t, "c", un(IR_HASH, IR_T_I64, cs("x")));
	CHECK_STR_EQ("internal error: column 't.c': ir op 'hash': type i64 from (str) is not supported",
		     prepare_error(&p, 1));

	tt_init(&t, "t", 0, &p);
	tt_col(&t, "c", nd(IR_IF, IR_T_I64, 2, cb(true), ci(1)));
	CHECK_STR_EQ("internal error: column 't.c': ir op 'if': needs 3 arguments, has 2", prepare_error(&p, 1));

	tt_init(&t, "t", 0, &p);
	tt_col(&t, "c", tab(IR_SEARCH_CUM, IR_T_I64, table_f64(bad, 3), 1, cf(0.3), NULL));
	CHECK_STR_EQ("internal error: column 't.c': ir op 'search_cum': table 'tf' is not non-decreasing at 1",
		     prepare_error(&p, 1));

	tt_init(&t, "t", 0, &p);
	tt_col(&t, "c", irange(ci(1), 5, 4));
	CHECK_STR_EQ("internal error: column 't.c': ir op 'int_range': empty range 5..4", prepare_error(&p, 1));

	tt_init(&t, "t", 0, &p);
	tt_col(&t, "c", ci(1));
	t.ic[0].type = IR_T_STR;
	CHECK_STR_EQ("internal error: column 't.c': ir op 'const': value of type i64 does not match the column type str",
		     prepare_error(&p, 1));

	tt_init(&t, "t", 0, &p);
	{
		struct ir_node *k = cs("12.x");
		k->type = IR_T_DEC;
		tt_col(&t, "c", k);
	}
	CHECK_STR_EQ("internal error: column 't.c': ir op 'const': constant does not fit type dec",
		     prepare_error(&p, 1));

	/* a COLUMN of another table */
	{
		struct two w;
		build_two(&w);
		w.ord.ic[0].value = colref(IR_COLUMN, w.c_id, IR_T_I64, 0, NULL);
		CHECK_STR_EQ("internal error: column 'orders.cid': ir op 'column': column 'id' is not in table 'orders'",
			     prepare_error(w.p, 2));
		build_two(&w);
		w.ord.ic[2].value = colref(IR_AT_ROW, w.c_id, IR_T_STR, 0, row());
		w.ord.ic[2].type = IR_T_STR;
		CHECK_STR_EQ("internal error: column 'orders.seg': ir op 'at_row': type str does not match column "
			     "'customers.id' (i64)",
			     prepare_error(w.p, 2));
		/* the referenced table has no program */
		build_two(&w);
		CHECK_STR_EQ("internal error: column 'orders.cid': ir op 'at_row': column 'id' belongs to no program",
			     prepare_error(&w.p[1], 1));
	}
}

static void test_eval__runtime_failures(void)
{
	struct tt t;
	struct ir_program p;
	struct eval_ctx *c = NULL;
	struct diags d = DIAGS_INIT;
	const struct eval_vec *out[2];
	int64_t rows[2] = {0, 1};
	struct column *a, *b;

	/* a cycle of COLUMNs */
	tt_init(&t, "t", 0, &p);
	a = tt_col(&t, "a", NULL);
	b = tt_col(&t, "b", colref(IR_COLUMN, a, IR_T_I64, 0, NULL));
	tt_set(&t, a, bin(IR_ADD, IR_T_I64, colref(IR_COLUMN, b, IR_T_I64, 0, NULL), ci(1)));
	CHECK_INT_EQ(0, eval_ctx_new(&c, &p, 1, 2, &d));
	CHECK_INT_EQ(-1, eval_table(c, 0, rows, 2, out));
	CHECK_STR_EQ("column 't.a' depends on itself", eval_error(c));
	eval_ctx_free(c);

	/* a cycle through a branch computed on a subset of the rows */
	tt_init(&t, "t", 0, &p);
	a = tt_col(&t, "a", NULL);
	tt_set(&t, a, nd(IR_IF, IR_T_I64, 3, bin(IR_EQ, IR_T_BOOL, row(), ci(0)),
			 bin(IR_ADD, IR_T_I64, colref(IR_COLUMN, a, IR_T_I64, 0, NULL), ci(1)), ci(0)));
	CHECK_INT_EQ(0, eval_ctx_new(&c, &p, 1, 2, &d));
	CHECK_INT_EQ(-1, eval_table(c, 0, rows, 2, out));
	CHECK_STR_EQ("column 't.a' depends on itself", eval_error(c));
	eval_ctx_free(c);

	/* AT_ROW of itself, without end */
	tt_init(&t, "t", 0, &p);
	a = tt_col(&t, "a", NULL);
	tt_set(&t, a, colref(IR_AT_ROW, a, IR_T_I64, 0, bin(IR_ADD, IR_T_I64, row(), ci(1))));
	CHECK_INT_EQ(0, eval_ctx_new(&c, &p, 1, 2, &d));
	CHECK_INT_EQ(-1, eval_table(c, 0, rows, 2, out));
	CHECK_STR_EQ("at_row of 't.a' nested deeper than 64", eval_error(c));
	/* the context is still usable */
	CHECK_INT_EQ(-1, eval_table(c, 0, rows, 3, out));
	CHECK_STR_EQ("batch of 3 rows exceeds the maximum of 2", eval_error(c));
	eval_ctx_free(c);

	/* more than 4 GiB of strings in one batch */
	tt_init(&t, "t", 0, &p);
	tt_col(&t, "a", nd(IR_LPAD, IR_T_STR, 3, un(IR_TO_STR, IR_T_STR, row()), ci(3000000000LL), cs("x")));
	CHECK_INT_EQ(0, eval_ctx_new(&c, &p, 1, 2, &d));
	CHECK_INT_EQ(-1, eval_table(c, 0, rows, 2, out));
	CHECK_STR_EQ("string values of one batch exceed 4 GiB (use smaller batches)", eval_error(c));
	eval_ctx_free(c);
	CHECK_INT_EQ(0, d.errors);
	diags_release(&d);
}

static void cleanup(void)
{
	arena_release(&A);
}

static const struct harness_test tests[] = {
	{"eval__hash_unit_range_match_hash_h", test_eval__hash_unit_range_match_hash_h},
	{"eval__shared_draws_are_merged", test_eval__shared_draws_are_merged},
	{"eval__integer_arithmetic", test_eval__integer_arithmetic},
	{"eval__affine_mod", test_eval__affine_mod},
	{"eval__double_arithmetic_and_division", test_eval__double_arithmetic_and_division},
	{"eval__decimal_arithmetic", test_eval__decimal_arithmetic},
	{"eval__comparisons", test_eval__comparisons},
	{"eval__three_valued_logic", test_eval__three_valued_logic},
	{"eval__selection", test_eval__selection},
	{"eval__floor_ceil_math", test_eval__floor_ceil_math},
	{"eval__round_half_up", test_eval__round_half_up},
	{"eval__casts", test_eval__casts},
	{"eval__to_str", test_eval__to_str},
	{"eval__strings", test_eval__strings},
	{"eval__lpad", test_eval__lpad},
	{"eval__substr", test_eval__substr},
	{"eval__uuid", test_eval__uuid},
	{"eval__date_parts", test_eval__date_parts},
	{"eval__date_functions", test_eval__date_functions},
	{"eval__calendar_walk", test_eval__calendar_walk},
	{"eval__search_cum_equals_linear_scan", test_eval__search_cum_equals_linear_scan},
	{"eval__alias_pick_and_element", test_eval__alias_pick_and_element},
	{"eval__fused_concat_equals_computed_elements", test_eval__fused_concat_equals_computed_elements},
	{"eval__at_row_across_tables", test_eval__at_row_across_tables},
	{"eval__batching_does_not_change_values", test_eval__batching_does_not_change_values},
	{"eval__lazy_branches_equal_eager", test_eval__lazy_branches_equal_eager},
	{"eval__constant_column", test_eval__constant_column},
	{"eval__malformed_programs", test_eval__malformed_programs},
	{"eval__runtime_failures", test_eval__runtime_failures},
	{"cleanup", cleanup},
	{0, 0},
};

HARNESS_MAIN(tests)
