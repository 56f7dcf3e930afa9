/*
 * expr_check: name binding, typing and evaluation of parsed expressions
 * (docs/expressions.md).
 *
 * expr_resolve() walks the tree once, left to right: it binds every name
 * (a column of the row, parent.<col>, <table>.<col> through a reference
 * column, row_index, child_index, child_count, target_rows, scale_factor),
 * numbers the uniform()/uniform_int() draws in pre-order, and gives every
 * node its Spark result type.  Errors are recorded and the walk goes on, so
 * every unknown name of an expression is reported; a node whose operand
 * failed is not type-checked again, so one mistake gives one message.
 *
 * The NULL type (a NULL literal, or something built only from NULLs) is
 * marked by is_null_literal; it joins any other type.  VARCHAR is STRING
 * inside expressions, as in Spark.
 */
#include "expr.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct resolver {
	const struct dataset *ds;
	const struct table *t;
	const struct column *col;
	enum expr_context ctx;
	struct diags *diags;
	int next_draw;
	int errors;
	/* the operand of a simple CASE, shared by its desugared `=` nodes */
	const struct expr *shared;
	bool shared_done;
	int shared_status;
};

static int rerr(struct resolver *r, const struct src_loc *loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int rerr(struct resolver *r, const struct src_loc *loc, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->errors++;
	return diag_error(r->diags, loc, "%s", msg);
}

/* ---- names -------------------------------------------------------------- */

static int ascii_casecmp(const char *a, const char *b)
{
	for (;; a++, b++) {
		int ca = (unsigned char)*a, cb = (unsigned char)*b;
		if (ca >= 'A' && ca <= 'Z')
			ca += 'a' - 'A';
		if (cb >= 'A' && cb <= 'Z')
			cb += 'a' - 'A';
		if (ca != cb || !ca)
			return ca - cb;
	}
}

/* Exact match first, then a case-insensitive one (Spark resolves names so). */
static struct column *find_column(const struct table *t, const char *name)
{
	for (size_t i = 0; i < t->n_columns; i++)
		if (strcmp(t->columns[i]->name, name) == 0)
			return t->columns[i];
	for (size_t i = 0; i < t->n_columns; i++)
		if (ascii_casecmp(t->columns[i]->name, name) == 0)
			return t->columns[i];
	return NULL;
}

static struct table *find_table(const struct dataset *ds, const char *name)
{
	if (!ds)
		return NULL;
	for (size_t i = 0; i < ds->n_tables; i++)
		if (strcmp(ds->tables[i]->name, name) == 0)
			return ds->tables[i];
	for (size_t i = 0; i < ds->n_tables; i++)
		if (ascii_casecmp(ds->tables[i]->name, name) == 0)
			return ds->tables[i];
	return NULL;
}

/* " (did you mean 'x'?)" or "" into buf. */
static const char *suggest(char *buf, size_t size, const char *word, const char *const *cands,
			   size_t n)
{
	const char *best = diag_closest(word, cands, n);
	buf[0] = 0;
	if (best)
		snprintf(buf, size, " (did you mean '%s'?)", best);
	return buf;
}

static int unknown_column(struct resolver *r, const struct expr *e, const struct table *t,
			  bool with_specials)
{
	const char **cands = calloc(t->n_columns + 3, sizeof(*cands));
	size_t n = 0;
	char hint[200];
	if (!cands)
		abort();
	for (size_t i = 0; i < t->n_columns; i++)
		cands[n++] = t->columns[i]->name;
	if (with_specials) {
		cands[n++] = "row_index";
		if (t->parent) {
			cands[n++] = "child_index";
			cands[n++] = "child_count";
		}
	}
	suggest(hint, sizeof(hint), e->name, cands, n);
	free(cands);
	return rerr(r, &e->loc, "unknown column '%s' in table '%s'%s", e->name, t->name, hint);
}

/* ---- types -------------------------------------------------------------- */

#define M(k) (1u << (k))
#define M_INTEGRAL (M(TYPE_INT) | M(TYPE_BIGINT))
#define M_NUMERIC (M_INTEGRAL | M(TYPE_DOUBLE) | M(TYPE_DECIMAL))
#define M_STRING (M(TYPE_STRING) | M(TYPE_VARCHAR))
#define M_DATETIME (M(TYPE_DATE) | M(TYPE_TIMESTAMP))

static bool in_mask(enum col_type_kind k, unsigned mask)
{
	return (mask & M(k)) != 0;
}

static struct col_type mk_type(enum col_type_kind k)
{
	struct col_type t;
	memset(&t, 0, sizeof(t));
	t.kind = k;
	return t;
}

static struct col_type mk_decimal(int p, int s)
{
	struct col_type t = mk_type(TYPE_DECIMAL);
	t.precision = p;
	t.scale = s;
	return t;
}

/* A column type as an expression type: VARCHAR is STRING. */
static struct col_type expr_type_of(const struct col_type *t)
{
	if (t->kind == TYPE_VARCHAR)
		return mk_type(TYPE_STRING);
	return *t;
}

static void set_type(struct expr *e, struct col_type t)
{
	e->type = expr_type_of(&t);
	e->is_null_literal = false;
}

static void set_null_type(struct expr *e)
{
	e->type = mk_type(TYPE_STRING);
	e->is_null_literal = true;
}

static const char *fmt_type(char *buf, size_t size, const struct col_type *t)
{
	switch (t->kind) {
	case TYPE_BOOLEAN: return "boolean";
	case TYPE_INT: return "int";
	case TYPE_BIGINT: return "bigint";
	case TYPE_DOUBLE: return "double";
	case TYPE_DECIMAL:
		snprintf(buf, size, "decimal(%d,%d)", t->precision, t->scale);
		return buf;
	case TYPE_STRING: return "string";
	case TYPE_VARCHAR:
		snprintf(buf, size, "varchar(%d)", t->length);
		return buf;
	case TYPE_DATE: return "date";
	case TYPE_TIMESTAMP: return "timestamp";
	}
	return "?";
}

/* Type name of a node for messages ("NULL" for the NULL type); buf has 32 bytes. */
static const char *tname(char *buf, const struct expr *e)
{
	if (e->is_null_literal)
		return "NULL";
	return fmt_type(buf, 32, &e->type);
}

/* A type during inference: the NULL type or a column type. */
struct ty {
	struct col_type t;
	bool null;
};

static struct ty ty_of(const struct expr *e)
{
	struct ty t;
	t.t = e->type;
	t.null = e->is_null_literal;
	return t;
}

static void set_ty(struct expr *e, struct ty t)
{
	if (t.null)
		set_null_type(e);
	else
		set_type(e, t.t);
}

static const char *ty_name(char *buf, const struct ty *t)
{
	return t->null ? "NULL" : fmt_type(buf, 32, &t->t);
}

static int num_digits(int64_t v)
{
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	int n = 1;
	while (u >= 10) {
		u /= 10;
		n++;
	}
	return n;
}

/*
 * An integral operand as a decimal: decimal(10,0) for int, decimal(20,0) for
 * bigint; an integer literal takes only the digits it has (Spark's
 * literalPickMinimumPrecision) when `literal_rule` is set.
 */
static struct col_type to_decimal(const struct expr *e, const struct col_type *t, bool literal_rule)
{
	if (t->kind == TYPE_DECIMAL)
		return *t;
	if (literal_rule && e && e->kind == EXPR_LITERAL && e->lit.kind == VAL_INT)
		return mk_decimal(num_digits(e->lit.i), 0);
	return mk_decimal(t->kind == TYPE_INT ? 10 : 20, 0);
}

/* Spark's DecimalType.adjustPrecisionScale (allowPrecisionLoss = true). */
static struct col_type dec_adjust(int p, int s)
{
	int int_digits, min_scale, scale;
	if (p <= 38)
		return mk_decimal(p, s);
	int_digits = p - s;
	min_scale = s < 6 ? s : 6;
	scale = 38 - int_digits;
	if (scale < min_scale)
		scale = min_scale;
	return mk_decimal(38, scale);
}

static int imax(int a, int b)
{
	return a > b ? a : b;
}

static int imin(int a, int b)
{
	return a < b ? a : b;
}

/* The wider of two types (CASE, coalesce, if, least, greatest, IN); -1 if none. */
static int wider(struct ty *out, struct ty a, struct ty b)
{
	enum col_type_kind ka = a.t.kind, kb = b.t.kind;
	if (a.null) {
		*out = b;
		return 0;
	}
	if (b.null) {
		*out = a;
		return 0;
	}
	out->null = false;
	if (in_mask(ka, M_NUMERIC) && in_mask(kb, M_NUMERIC)) {
		if (ka == TYPE_DOUBLE || kb == TYPE_DOUBLE) {
			out->t = mk_type(TYPE_DOUBLE);
		} else if (ka == TYPE_DECIMAL || kb == TYPE_DECIMAL) {
			struct col_type da = to_decimal(NULL, &a.t, false);
			struct col_type db = to_decimal(NULL, &b.t, false);
			int s = imax(da.scale, db.scale);
			int range = imax(da.precision - da.scale, db.precision - db.scale);
			out->t = mk_decimal(imin(range + s, 38), imin(s, 38));
		} else {
			out->t = mk_type(ka == TYPE_BIGINT || kb == TYPE_BIGINT ? TYPE_BIGINT : TYPE_INT);
		}
		return 0;
	}
	if (in_mask(ka, M_STRING) && in_mask(kb, M_STRING)) {
		out->t = mk_type(TYPE_STRING);
		return 0;
	}
	if (in_mask(ka, M_DATETIME) && in_mask(kb, M_DATETIME)) {
		out->t = mk_type(ka == TYPE_DATE && kb == TYPE_DATE ? TYPE_DATE : TYPE_TIMESTAMP);
		return 0;
	}
	if (ka == TYPE_BOOLEAN && kb == TYPE_BOOLEAN) {
		out->t = mk_type(TYPE_BOOLEAN);
		return 0;
	}
	return -1;
}

static bool comparable(const struct expr *a, const struct expr *b)
{
	struct ty w;
	return wider(&w, ty_of(a), ty_of(b)) == 0;
}

/* The leftmost source position of a node (for messages about whole operands). */
static const struct src_loc *start_loc(const struct expr *e)
{
	while ((e->kind == EXPR_BINARY || e->kind == EXPR_IN || e->kind == EXPR_BETWEEN ||
		e->kind == EXPR_IS_NULL) && e->n_args > 0)
		e = e->args[0];
	return &e->loc;
}

static const char *op_text(enum expr_op op)
{
	switch (op) {
	case OP_ADD: return "+";
	case OP_SUB: return "-";
	case OP_MUL: return "*";
	case OP_DIV: return "/";
	case OP_MOD: return "%";
	case OP_EQ: return "=";
	case OP_NE: return "!=";
	case OP_LT: return "<";
	case OP_LE: return "<=";
	case OP_GT: return ">";
	case OP_GE: return ">=";
	case OP_AND: return "AND";
	case OP_OR: return "OR";
	case OP_NOT: return "NOT";
	case OP_NEG: return "-";
	case OP_CONCAT: return "||";
	default: return "?";
	}
}

/* ---- the rows context --------------------------------------------------- */

static int rows_forbidden(struct resolver *r, const struct src_loc *loc, const char *what)
{
	return rerr(r, loc,
		    "%s is not allowed in a rows expression (allowed: numbers, target_rows, "
		    "scale_factor, + - * /, parentheses, round, floor, ceil, least, greatest)", what);
}

/* ---- functions ---------------------------------------------------------- */

struct fn_def;
typedef int (*fn_check)(struct resolver *r, struct expr *e, const struct fn_def *f);

struct fn_def {
	const char *name;
	int min_args, max_args; /* max -1: any number */
	bool rows_ok;
	fn_check check;
	unsigned arg_mask[3];   /* for check_fixed: masks of arguments 1..3 */
	enum col_type_kind result;
	const char *arg_what[3];
};

/* Argument i (0-based) must be one of `mask` (or NULL). */
static int want_arg(struct resolver *r, struct expr *e, size_t i, unsigned mask, const char *what)
{
	char b[32];
	struct expr *a = e->args[i];
	const char *hint = "";
	if (a->is_null_literal || in_mask(a->type.kind, mask))
		return 0;
	if (mask == M_STRING)
		hint = a->type.kind == TYPE_DOUBLE ?
		       " (a double cannot become a string: cast it to decimal(p,s) or bigint, then "
		       "to string)" : " (use cast(x AS string))";
	else if (in_mask(TYPE_DATE, mask) && in_mask(a->type.kind, M_STRING))
		hint = " (use to_date(x), or DATE 'YYYY-MM-DD' for a constant)";
	return rerr(r, start_loc(a), "argument %zu of '%s' must be %s, got %s%s", i + 1, e->name,
		    what, tname(b, a), hint);
}

/* Functions whose argument types are fixed masks and whose result type is fixed. */
static int check_fixed(struct resolver *r, struct expr *e, const struct fn_def *f)
{
	int ret = 0;
	for (size_t i = 0; i < e->n_args && i < 3; i++)
		if (want_arg(r, e, i, f->arg_mask[i], f->arg_what[i]) < 0)
			ret = -1;
	set_type(e, mk_type(f->result));
	return ret;
}

/* coalesce, least, greatest: the wider type of all arguments. */
static int check_common(struct resolver *r, struct expr *e, const struct fn_def *f)
{
	struct ty acc = ty_of(e->args[0]);
	for (size_t i = 1; i < e->n_args; i++) {
		struct ty next = ty_of(e->args[i]);
		char b1[32], b2[32];
		if (wider(&acc, acc, next) < 0) {
			return rerr(r, start_loc(e->args[i]),
				    "arguments of '%s' have incompatible types %s and %s", e->name,
				    ty_name(b1, &acc), ty_name(b2, &next));
		}
	}
	set_ty(e, acc);
	return 0;
}

static int check_concat(struct resolver *r, struct expr *e, const struct fn_def *f)
{
	int ret = 0;
	bool all_null = true;
	for (size_t i = 0; i < e->n_args; i++) {
		if (want_arg(r, e, i, M_STRING, "string") < 0)
			ret = -1;
		if (!e->args[i]->is_null_literal)
			all_null = false;
	}
	if (all_null)
		set_null_type(e);
	else
		set_type(e, mk_type(TYPE_STRING));
	return ret;
}

/* An integer literal argument (after folding of a leading minus). */
static bool int_literal(const struct expr *a, int64_t *v)
{
	if (a->kind != EXPR_LITERAL || a->lit.kind != VAL_INT)
		return false;
	*v = a->lit.i;
	return true;
}

static int check_round(struct resolver *r, struct expr *e, const struct fn_def *f)
{
	struct expr *x = e->args[0];
	int64_t d = 0;
	if (want_arg(r, e, 0, M_NUMERIC, "numeric") < 0)
		return -1;
	if (e->n_args == 2) {
		if (!int_literal(e->args[1], &d) || d < -38 || d > 38)
			return rerr(r, start_loc(e->args[1]),
				    "argument 2 of '%s' must be an integer literal between -38 and 38",
				    e->name);
	}
	if (x->is_null_literal) {
		set_null_type(e);
		return 0;
	}
	if (x->type.kind == TYPE_DECIMAL) {
		int p = x->type.precision, s = x->type.scale;
		int integral = p - s + 1;
		if (d < 0)
			set_type(e, mk_decimal(imin(imax(integral, (int)-d + 1), 38), 0));
		else
			set_type(e, mk_decimal(imin(integral + imin(s, (int)d), 38), imin(s, (int)d)));
	} else {
		set_type(e, x->type);
	}
	return 0;
}

static int check_floor_ceil(struct resolver *r, struct expr *e, const struct fn_def *f)
{
	struct expr *x = e->args[0];
	if (want_arg(r, e, 0, M_NUMERIC, "numeric") < 0)
		return -1;
	if (x->is_null_literal)
		set_type(e, mk_type(TYPE_BIGINT));
	else if (x->type.kind == TYPE_DECIMAL)
		set_type(e, x->type.scale == 0 ? x->type :
			 mk_decimal(imin(x->type.precision - x->type.scale + 1, 38), 0));
	else
		set_type(e, mk_type(TYPE_BIGINT));
	return 0;
}

static int check_abs(struct resolver *r, struct expr *e, const struct fn_def *f)
{
	if (want_arg(r, e, 0, M_NUMERIC, "numeric") < 0)
		return -1;
	set_ty(e, ty_of(e->args[0]));
	return 0;
}

static int check_if(struct resolver *r, struct expr *e, const struct fn_def *f)
{
	struct ty t;
	char b1[32], b2[32];
	int ret = want_arg(r, e, 0, M(TYPE_BOOLEAN), "boolean");
	if (wider(&t, ty_of(e->args[1]), ty_of(e->args[2])) < 0)
		return rerr(r, start_loc(e->args[2]),
			    "arguments 2 and 3 of 'if' have incompatible types %s and %s",
			    tname(b1, e->args[1]), tname(b2, e->args[2]));
	set_ty(e, t);
	return ret;
}

static int check_uniform(struct resolver *r, struct expr *e, const struct fn_def *f)
{
	bool integral = strcmp(e->name, "uniform_int") == 0;
	unsigned mask = integral ? M_INTEGRAL : M_NUMERIC;
	const char *what = integral ? "int or bigint" : "numeric";
	int ret = 0;
	if (want_arg(r, e, 0, mask, what) < 0)
		ret = -1;
	if (want_arg(r, e, 1, mask, what) < 0)
		ret = -1;
	if (ret < 0)
		return -1;
	{
		const struct expr *lo = e->args[0], *hi = e->args[1];
		if (lo->kind == EXPR_LITERAL && hi->kind == EXPR_LITERAL &&
		    !lo->is_null_literal && !hi->is_null_literal) {
			double l = lo->lit.kind == VAL_INT ? (double)lo->lit.i : lo->lit.d;
			double h = hi->lit.kind == VAL_INT ? (double)hi->lit.i : hi->lit.d;
			bool bad = lo->lit.kind == VAL_INT && hi->lit.kind == VAL_INT ?
				   lo->lit.i > hi->lit.i : l > h;
			if (bad)
				return rerr(r, &e->loc,
					    "'%s' lower bound %s is greater than upper bound %s",
					    e->name, lo->lit_text, hi->lit_text);
		}
	}
	if (!integral)
		set_type(e, mk_type(TYPE_DOUBLE));
	else if (e->args[0]->type.kind == TYPE_BIGINT || e->args[1]->type.kind == TYPE_BIGINT)
		set_type(e, mk_type(TYPE_BIGINT));
	else
		set_type(e, mk_type(TYPE_INT));
	return 0;
}

#define STR_ M_STRING
#define INT_ M_INTEGRAL
#define DT_ M_DATETIME
#define DTS_ (M_DATETIME | M_STRING)

static const struct fn_def functions[] = {
	{"abs", 1, 1, false, check_abs, {0}, TYPE_INT, {0}},
	{"ceil", 1, 1, true, check_floor_ceil, {0}, TYPE_INT, {0}},
	{"coalesce", 1, -1, false, check_common, {0}, TYPE_INT, {0}},
	{"concat", 1, -1, false, check_concat, {0}, TYPE_STRING, {0}},
	{"date_add", 2, 2, false, check_fixed, {DT_, INT_}, TYPE_DATE,
	 {"date or timestamp", "int or bigint"}},
	{"date_sub", 2, 2, false, check_fixed, {DT_, INT_}, TYPE_DATE,
	 {"date or timestamp", "int or bigint"}},
	{"datediff", 2, 2, false, check_fixed, {DT_, DT_}, TYPE_INT,
	 {"date or timestamp", "date or timestamp"}},
	{"dayofmonth", 1, 1, false, check_fixed, {DT_}, TYPE_INT, {"date or timestamp"}},
	{"dayofweek", 1, 1, false, check_fixed, {DT_}, TYPE_INT, {"date or timestamp"}},
	{"dayofyear", 1, 1, false, check_fixed, {DT_}, TYPE_INT, {"date or timestamp"}},
	{"floor", 1, 1, true, check_floor_ceil, {0}, TYPE_INT, {0}},
	{"greatest", 2, -1, true, check_common, {0}, TYPE_INT, {0}},
	{"hour", 1, 1, false, check_fixed, {DT_}, TYPE_INT, {"timestamp or date"}},
	{"if", 3, 3, false, check_if, {0}, TYPE_INT, {0}},
	{"least", 2, -1, true, check_common, {0}, TYPE_INT, {0}},
	{"length", 1, 1, false, check_fixed, {STR_}, TYPE_INT, {"string"}},
	{"lower", 1, 1, false, check_fixed, {STR_}, TYPE_STRING, {"string"}},
	{"lpad", 2, 3, false, check_fixed, {STR_, INT_, STR_}, TYPE_STRING,
	 {"string", "int or bigint", "string"}},
	{"make_date", 3, 3, false, check_fixed, {INT_, INT_, INT_}, TYPE_DATE,
	 {"int or bigint", "int or bigint", "int or bigint"}},
	{"minute", 1, 1, false, check_fixed, {DT_}, TYPE_INT, {"timestamp or date"}},
	{"month", 1, 1, false, check_fixed, {DT_}, TYPE_INT, {"date or timestamp"}},
	{"quarter", 1, 1, false, check_fixed, {DT_}, TYPE_INT, {"date or timestamp"}},
	{"round", 1, 2, true, check_round, {0}, TYPE_INT, {0}},
	{"second", 1, 1, false, check_fixed, {DT_}, TYPE_INT, {"timestamp or date"}},
	{"substring", 2, 3, false, check_fixed, {STR_, INT_, INT_}, TYPE_STRING,
	 {"string", "int or bigint", "int or bigint"}},
	{"timestamp_seconds", 1, 1, false, check_fixed, {INT_}, TYPE_TIMESTAMP, {"int or bigint"}},
	{"to_date", 1, 1, false, check_fixed, {DTS_}, TYPE_DATE, {"timestamp, date or string"}},
	{"uniform", 2, 2, false, check_uniform, {0}, TYPE_DOUBLE, {0}},
	{"uniform_int", 2, 2, false, check_uniform, {0}, TYPE_INT, {0}},
	{"upper", 1, 1, false, check_fixed, {STR_}, TYPE_STRING, {"string"}},
	{"weekofyear", 1, 1, false, check_fixed, {DT_}, TYPE_INT, {"date or timestamp"}},
	{"year", 1, 1, false, check_fixed, {DT_}, TYPE_INT, {"date or timestamp"}},
};

#define N_FUNCTIONS (sizeof(functions) / sizeof(functions[0]))

static const struct fn_def *find_function(const char *name)
{
	for (size_t i = 0; i < N_FUNCTIONS; i++)
		if (strcmp(functions[i].name, name) == 0)
			return &functions[i];
	return NULL;
}

static int arg_count_error(struct resolver *r, const struct expr *e, const struct fn_def *f)
{
	int n = (int)e->n_args;
	if (f->max_args < 0)
		return rerr(r, &e->loc, "function '%s' takes at least %d argument%s, got %d",
			    f->name, f->min_args, f->min_args == 1 ? "" : "s", n);
	if (f->min_args == f->max_args)
		return rerr(r, &e->loc, "function '%s' takes %d argument%s, got %d", f->name,
			    f->min_args, f->min_args == 1 ? "" : "s", n);
	if (f->max_args == f->min_args + 1)
		return rerr(r, &e->loc, "function '%s' takes %d or %d arguments, got %d", f->name,
			    f->min_args, f->max_args, n);
	return rerr(r, &e->loc, "function '%s' takes %d to %d arguments, got %d", f->name,
		    f->min_args, f->max_args, n);
}

/* ---- the walk ----------------------------------------------------------- */

static int resolve(struct resolver *r, struct expr *e);

/* Resolves every argument (all of them, even after a failure); -1 if any failed. */
static int resolve_args(struct resolver *r, struct expr *e, size_t from)
{
	int ret = 0;
	for (size_t i = from; i < e->n_args; i++)
		if (resolve(r, e->args[i]) < 0)
			ret = -1;
	return ret;
}

static int resolve_special(struct resolver *r, struct expr *e, const char *canon,
			   enum col_type_kind k)
{
	e->kind = EXPR_SPECIAL;
	e->name = canon;
	set_type(e, mk_type(k));
	return 0;
}

static int resolve_rows_name(struct resolver *r, struct expr *e)
{
	static const char *const names[] = {"target_rows", "scale_factor"};
	char hint[200];
	if (e->qualifier) {
		char what[300];
		snprintf(what, sizeof(what), "'%s.%s'", e->qualifier, e->name);
		return rows_forbidden(r, &e->loc, what);
	}
	if (ascii_casecmp(e->name, "target_rows") == 0)
		return resolve_special(r, e, "target_rows", TYPE_BIGINT);
	if (ascii_casecmp(e->name, "scale_factor") == 0)
		return resolve_special(r, e, "scale_factor", TYPE_DOUBLE);
	suggest(hint, sizeof(hint), e->name, names, 2);
	return rerr(r, &e->loc,
		    "unknown name '%s' in a rows expression (allowed: target_rows, scale_factor)%s",
		    e->name, hint);
}

static int bind_column(struct expr *e, enum expr_kind kind, struct column *c,
		       struct column *via)
{
	e->kind = kind;
	e->column = c;
	e->ref_via = via;
	set_type(e, c->type);
	return 0;
}

static int resolve_qualified(struct resolver *r, struct expr *e)
{
	const struct table *t = r->t;
	struct table *target;
	struct column *c, *via = NULL;
	size_t n_refs = 0;

	if (ascii_casecmp(e->qualifier, "parent") == 0) {
		if (!t->parent)
			return rerr(r, &e->loc,
				    "'%s.%s' is only valid in a child table (one with 'parent:')",
				    e->qualifier, e->name);
		c = find_column(t->parent, e->name);
		if (!c)
			return unknown_column(r, e, t->parent, false);
		return bind_column(e, EXPR_PARENT, c, NULL);
	}
	target = find_table(r->ds, e->qualifier);
	if (!target) {
		const char **cands = calloc(r->ds ? r->ds->n_tables + 2 : 2, sizeof(*cands));
		size_t n = 0;
		char hint[200];
		if (!cands)
			abort();
		for (size_t i = 0; r->ds && i < r->ds->n_tables; i++)
			cands[n++] = r->ds->tables[i]->name;
		if (t->parent)
			cands[n++] = "parent";
		suggest(hint, sizeof(hint), e->qualifier, cands, n);
		free(cands);
		return rerr(r, &e->loc, "unknown table '%s'%s", e->qualifier, hint);
	}
	if (target == t) {
		c = find_column(t, e->name);
		if (!c)
			return unknown_column(r, e, t, false);
		return bind_column(e, EXPR_COLUMN, c, NULL);
	}
	for (size_t i = 0; i < t->n_columns; i++) {
		const struct column *rc = t->columns[i];
		if (rc->gen == GEN_REFERENCE && rc->params.ref_table == target) {
			if (!via)
				via = t->columns[i];
			n_refs++;
		}
	}
	if (n_refs == 0) {
		if (target == t->parent)
			return rerr(r, &e->loc,
				    "table '%s' is not referenced by a reference column of '%s' "
				    "(for the parent row use 'parent.%s')",
				    target->name, t->name, e->name);
		return rerr(r, &e->loc, "table '%s' is not referenced by a reference column of '%s'",
			    target->name, t->name);
	}
	if (n_refs > 1) {
		char list[600];
		size_t len = 0;
		list[0] = 0;
		for (size_t i = 0; i < t->n_columns && len < sizeof(list) - 1; i++) {
			const struct column *rc = t->columns[i];
			if (rc->gen == GEN_REFERENCE && rc->params.ref_table == target) {
				int w = snprintf(list + len, sizeof(list) - len, "%s'%s'",
						 len ? ", " : "", rc->name);
				if (w < 0)
					break;
				len += (size_t)w;
			}
		}
		return rerr(r, &e->loc, "table '%s' is referenced by %zu columns of '%s' (%s): ambiguous",
			    target->name, n_refs, t->name, list);
	}
	c = find_column(target, e->name);
	if (!c)
		return unknown_column(r, e, target, false);
	return bind_column(e, EXPR_REF, c, via);
}

static int resolve_name(struct resolver *r, struct expr *e)
{
	const struct table *t = r->t;
	struct column *c;

	if (r->ctx == EXPR_CTX_ROWS)
		return resolve_rows_name(r, e);
	if (!t)
		return rerr(r, &e->loc, "unknown column '%s'", e->name);
	if (e->qualifier)
		return resolve_qualified(r, e);
	c = find_column(t, e->name);
	if (c)
		return bind_column(e, EXPR_COLUMN, c, NULL);
	if (ascii_casecmp(e->name, "row_index") == 0)
		return resolve_special(r, e, "row_index", TYPE_BIGINT);
	if (ascii_casecmp(e->name, "child_index") == 0 || ascii_casecmp(e->name, "child_count") == 0) {
		const char *canon = ascii_casecmp(e->name, "child_index") == 0 ? "child_index"
									   : "child_count";
		if (!t->parent)
			return rerr(r, &e->loc,
				    "'%s' is only valid in a child table (one with 'parent:')", canon);
		return resolve_special(r, e, canon, TYPE_INT);
	}
	if (ascii_casecmp(e->name, "target_rows") == 0 || ascii_casecmp(e->name, "scale_factor") == 0)
		return rerr(r, &e->loc, "'%s' is only valid in a table's 'rows' expression", e->name);
	return unknown_column(r, e, t, true);
}

static int resolve_literal(struct resolver *r, struct expr *e)
{
	if (r->ctx == EXPR_CTX_ROWS && e->lit.kind != VAL_INT && e->lit.kind != VAL_DOUBLE) {
		char what[300];
		switch (e->lit.kind) {
		case VAL_STRING: snprintf(what, sizeof(what), "string '%s'", e->lit.s); break;
		case VAL_BOOL: snprintf(what, sizeof(what), "'%s'", e->lit.b ? "TRUE" : "FALSE"); break;
		case VAL_NULL: snprintf(what, sizeof(what), "'NULL'"); break;
		default: snprintf(what, sizeof(what), "'%s'", e->lit_text ? e->lit_text : "?"); break;
		}
		return rows_forbidden(r, &e->loc, what);
	}
	/* types were set by the parser */
	return 0;
}

static int resolve_unary(struct resolver *r, struct expr *e)
{
	char b[32];
	struct expr *a = e->args[0];
	if (r->ctx == EXPR_CTX_ROWS && e->op != OP_NEG) {
		resolve(r, a);
		return rows_forbidden(r, &e->loc, "'NOT'");
	}
	if (resolve(r, a) < 0)
		return -1;
	if (e->op == OP_NOT) {
		if (!a->is_null_literal && a->type.kind != TYPE_BOOLEAN)
			return rerr(r, &e->loc, "cannot apply 'NOT' to %s", tname(b, a));
		set_type(e, mk_type(TYPE_BOOLEAN));
		return 0;
	}
	if (!a->is_null_literal && !in_mask(a->type.kind, M_NUMERIC))
		return rerr(r, &e->loc, "cannot apply '-' to %s", tname(b, a));
	set_ty(e, ty_of(a));
	return 0;
}

/* + - * / % on numbers, and date +/- days. */
static int arith_type(struct resolver *r, struct expr *e, struct expr *a, struct expr *b)
{
	enum col_type_kind ka = a->type.kind, kb = b->type.kind;
	bool na = a->is_null_literal, nb = b->is_null_literal;
	char b1[32], b2[32];

	/* date + n, n + date, date - n */
	if ((e->op == OP_ADD || e->op == OP_SUB) && !na && ka == TYPE_DATE &&
	    (nb || in_mask(kb, M_INTEGRAL))) {
		set_type(e, mk_type(TYPE_DATE));
		return 0;
	}
	if (e->op == OP_ADD && !nb && kb == TYPE_DATE && (na || in_mask(ka, M_INTEGRAL))) {
		set_type(e, mk_type(TYPE_DATE));
		return 0;
	}
	if ((!na && !in_mask(ka, M_NUMERIC)) || (!nb && !in_mask(kb, M_NUMERIC))) {
		const char *hint = "";
		if (e->op == OP_ADD && in_mask(ka, M_STRING) && in_mask(kb, M_STRING))
			hint = " (use concat() or || for strings)";
		else if (e->op == OP_SUB && (ka == TYPE_DATE || ka == TYPE_TIMESTAMP) &&
			 (kb == TYPE_DATE || kb == TYPE_TIMESTAMP))
			hint = " (use datediff(end, start))";
		return rerr(r, &e->loc, "cannot apply '%s' to %s and %s%s", op_text(e->op),
			    tname(b1, a), tname(b2, b), hint);
	}
	if (na && nb) {
		set_null_type(e);
		return 0;
	}
	if (na) {
		a = b;
		ka = kb;
	} else if (nb) {
		b = a;
		kb = ka;
	}
	if (ka == TYPE_DOUBLE || kb == TYPE_DOUBLE) {
		set_type(e, mk_type(TYPE_DOUBLE));
	} else if (ka == TYPE_DECIMAL || kb == TYPE_DECIMAL) {
		struct col_type da = to_decimal(a, &a->type, true);
		struct col_type db = to_decimal(b, &b->type, true);
		int p1 = da.precision, s1 = da.scale, p2 = db.precision, s2 = db.scale;
		int s;
		switch (e->op) {
		case OP_ADD:
		case OP_SUB:
			s = imax(s1, s2);
			set_type(e, dec_adjust(imax(p1 - s1, p2 - s2) + s + 1, s));
			break;
		case OP_MUL:
			set_type(e, dec_adjust(p1 + p2 + 1, s1 + s2));
			break;
		case OP_DIV:
			s = imax(6, s1 + p2 + 1);
			set_type(e, dec_adjust(p1 - s1 + s2 + s, s));
			break;
		default: /* OP_MOD */
			s = imax(s1, s2);
			set_type(e, dec_adjust(imin(p1 - s1, p2 - s2) + s, s));
			break;
		}
	} else if (e->op == OP_DIV) {
		set_type(e, mk_type(TYPE_DOUBLE));
	} else {
		set_type(e, mk_type(ka == TYPE_BIGINT || kb == TYPE_BIGINT ? TYPE_BIGINT : TYPE_INT));
	}
	return 0;
}

static int binary_type(struct resolver *r, struct expr *e)
{
	struct expr *a = e->args[0], *b = e->args[1];
	char b1[32], b2[32];

	switch (e->op) {
	case OP_ADD:
	case OP_SUB:
	case OP_MUL:
	case OP_DIV:
	case OP_MOD:
		return arith_type(r, e, a, b);
	case OP_CONCAT:
		if ((!a->is_null_literal && !in_mask(a->type.kind, M_STRING)) ||
		    (!b->is_null_literal && !in_mask(b->type.kind, M_STRING)))
			return rerr(r, &e->loc, "cannot apply '||' to %s and %s (use cast(x AS string))",
				    tname(b1, a), tname(b2, b));
		if (a->is_null_literal && b->is_null_literal)
			set_null_type(e);
		else
			set_type(e, mk_type(TYPE_STRING));
		return 0;
	case OP_AND:
	case OP_OR:
		if ((!a->is_null_literal && a->type.kind != TYPE_BOOLEAN) ||
		    (!b->is_null_literal && b->type.kind != TYPE_BOOLEAN))
			return rerr(r, &e->loc, "cannot apply '%s' to %s and %s", op_text(e->op),
				    tname(b1, a), tname(b2, b));
		set_type(e, mk_type(TYPE_BOOLEAN));
		return 0;
	default: /* comparisons */
		if (!comparable(a, b)) {
			const char *hint = "";
			if ((in_mask(a->type.kind, M_DATETIME) && in_mask(b->type.kind, M_STRING)) ||
			    (in_mask(b->type.kind, M_DATETIME) && in_mask(a->type.kind, M_STRING)))
				hint = " (write a date as DATE 'YYYY-MM-DD')";
			return rerr(r, &e->loc, "cannot apply '%s' to %s and %s%s", op_text(e->op),
				    tname(b1, a), tname(b2, b), hint);
		}
		set_type(e, mk_type(TYPE_BOOLEAN));
		return 0;
	}
}

static int resolve_binary(struct resolver *r, struct expr *e)
{
	if (r->ctx == EXPR_CTX_ROWS && e->op != OP_ADD && e->op != OP_SUB && e->op != OP_MUL &&
	    e->op != OP_DIV) {
		char what[16];
		resolve_args(r, e, 0);
		snprintf(what, sizeof(what), "'%s'", op_text(e->op));
		return rows_forbidden(r, &e->loc, what);
	}
	if (resolve_args(r, e, 0) < 0)
		return -1;
	return binary_type(r, e);
}

static int resolve_case(struct resolver *r, struct expr *e)
{
	const struct expr *saved_shared = r->shared;
	bool saved_done = r->shared_done;
	int saved_status = r->shared_status;
	size_t n_pairs = e->n_args / 2;
	int ret = 0;
	struct ty acc = {{0}, true};
	bool have = false;

	/* A simple CASE shares its operand between the `=` of every WHEN. */
	r->shared = NULL;
	if (n_pairs >= 2 && e->args[0]->kind == EXPR_BINARY && e->args[0]->op == OP_EQ &&
	    e->args[2]->kind == EXPR_BINARY && e->args[2]->op == OP_EQ &&
	    e->args[2]->n_args == 2 && e->args[0]->args[0] == e->args[2]->args[0]) {
		r->shared = e->args[0]->args[0];
		r->shared_done = false;
	}
	if (resolve_args(r, e, 0) < 0)
		ret = -1;
	r->shared = saved_shared;
	r->shared_done = saved_done;
	r->shared_status = saved_status;

	if (ret < 0)
		return -1;
	for (size_t i = 0; i < n_pairs; i++) {
		struct expr *c = e->args[2 * i];
		char b[32];
		if (c->type.kind != TYPE_BOOLEAN && !c->is_null_literal)
			ret = rerr(r, start_loc(c), "CASE condition must be boolean, got %s",
				   tname(b, c));
	}
	/* the results: every THEN, and the ELSE */
	for (size_t i = 1; i < e->n_args; i += 2) {
		size_t k = i;
		struct ty next;
		char b1[32], b2[32];
		next = ty_of(e->args[k]);
		if (!have) {
			acc = next;
			have = true;
		} else if (wider(&acc, acc, next) < 0) {
			ret = rerr(r, start_loc(e->args[k]),
				   "CASE branches have incompatible types %s and %s",
				   ty_name(b1, &acc), ty_name(b2, &next));
			break;
		}
		if (e->has_else && i + 2 == e->n_args) {
			/* the ELSE is the last argument (n_args odd) */
			i++;
			next = ty_of(e->args[i]);
			if (wider(&acc, acc, next) < 0) {
				ret = rerr(r, start_loc(e->args[i]),
					   "CASE branches have incompatible types %s and %s",
					   ty_name(b1, &acc), ty_name(b2, &next));
				break;
			}
		}
	}
	if (ret < 0)
		return -1;
	set_ty(e, acc);
	return 0;
}

static int resolve_in_between(struct resolver *r, struct expr *e)
{
	const char *what = e->kind == EXPR_IN ? "IN" : "BETWEEN";
	int ret;
	if (r->ctx == EXPR_CTX_ROWS) {
		char w[16];
		resolve_args(r, e, 0);
		snprintf(w, sizeof(w), "'%s'", what);
		return rows_forbidden(r, &e->loc, w);
	}
	ret = resolve_args(r, e, 0);
	if (ret < 0)
		return -1;
	for (size_t i = 1; i < e->n_args; i++) {
		char b1[32], b2[32];
		if (!comparable(e->args[0], e->args[i])) {
			const struct src_loc *loc = e->kind == EXPR_IN ? start_loc(e->args[i]) : &e->loc;
			ret = rerr(r, loc, "cannot apply '%s' to %s and %s", what,
				   tname(b1, e->args[0]), tname(b2, e->args[i]));
			break;
		}
	}
	set_type(e, mk_type(TYPE_BOOLEAN));
	return ret;
}

/* Allowed CASTs: see docs/expressions.md, "CAST". */
static bool cast_ok(const struct col_type *from, const struct col_type *to)
{
	enum col_type_kind f = from->kind, t = to->kind;
	if (in_mask(t, M_STRING))
		return f != TYPE_DOUBLE;
	if (in_mask(f, M_STRING))
		return t == TYPE_INT || t == TYPE_BIGINT || t == TYPE_DATE;
	if (f == t)
		return true;
	if (in_mask(f, M_NUMERIC | M(TYPE_BOOLEAN)) && in_mask(t, M_NUMERIC | M(TYPE_BOOLEAN)))
		return true;
	if (in_mask(f, M_DATETIME) && in_mask(t, M_DATETIME))
		return true;
	if (f == TYPE_TIMESTAMP && t == TYPE_BIGINT)
		return true;
	if (in_mask(f, M_INTEGRAL) && t == TYPE_TIMESTAMP)
		return true;
	return false;
}

static int resolve_cast(struct resolver *r, struct expr *e)
{
	struct expr *a = e->args[0];
	char b1[32], b2[32];
	if (r->ctx == EXPR_CTX_ROWS) {
		resolve(r, a);
		return rows_forbidden(r, &e->loc, "'CAST'");
	}
	if (resolve(r, a) < 0)
		return -1;
	if (!a->is_null_literal && !cast_ok(&a->type, &e->cast_type)) {
		const char *hint = "";
		if (a->type.kind == TYPE_DOUBLE && in_mask(e->cast_type.kind, M_STRING))
			hint = " (engines format doubles differently; cast to decimal(p,s) or bigint first)";
		else if (in_mask(a->type.kind, M_STRING))
			hint = " (strings cast only to int, bigint and date)";
		else if (a->type.kind == TYPE_DATE && in_mask(e->cast_type.kind, M_NUMERIC))
			hint = " (use datediff(x, DATE '1970-01-01') for days since the epoch)";
		return rerr(r, &e->loc, "cannot cast %s to %s%s", tname(b1, a),
			    fmt_type(b2, sizeof(b2), &e->cast_type), hint);
	}
	set_type(e, e->cast_type);
	return 0;
}

static int resolve_call(struct resolver *r, struct expr *e)
{
	const struct fn_def *f = find_function(e->name);
	int ret;

	if (!f) {
		const char *names[N_FUNCTIONS + 1];
		char hint[200];
		size_t n = 0;
		for (size_t i = 0; i < N_FUNCTIONS; i++)
			if (r->ctx != EXPR_CTX_ROWS || functions[i].rows_ok)
				names[n++] = functions[i].name;
		if (r->ctx != EXPR_CTX_ROWS)
			names[n++] = "cast";
		suggest(hint, sizeof(hint), e->name, names, n);
		rerr(r, &e->loc, "unknown function '%s'%s", e->name, hint);
		resolve_args(r, e, 0);
		return -1;
	}
	if (r->ctx == EXPR_CTX_ROWS && !f->rows_ok) {
		char what[64];
		snprintf(what, sizeof(what), "function '%s'", f->name);
		return rows_forbidden(r, &e->loc, what);
	}
	if (f->check == check_uniform)
		e->draw = ++r->next_draw;
	ret = resolve_args(r, e, 0);
	if ((int)e->n_args < f->min_args || (f->max_args >= 0 && (int)e->n_args > f->max_args))
		return arg_count_error(r, e, f);
	if (ret < 0)
		return -1;
	return f->check(r, e, f);
}

static int resolve(struct resolver *r, struct expr *e)
{
	int st;
	if (e == r->shared && r->shared_done)
		return r->shared_status;
	switch (e->kind) {
	case EXPR_LITERAL:
		st = resolve_literal(r, e);
		break;
	case EXPR_NAME:
		st = resolve_name(r, e);
		break;
	case EXPR_COLUMN:
	case EXPR_PARENT:
	case EXPR_REF:
	case EXPR_SPECIAL:
		st = 0; /* resolved before */
		break;
	case EXPR_UNARY:
		st = resolve_unary(r, e);
		break;
	case EXPR_BINARY:
		st = resolve_binary(r, e);
		break;
	case EXPR_CASE:
		if (r->ctx == EXPR_CTX_ROWS) {
			resolve_args(r, e, 0);
			st = rows_forbidden(r, &e->loc, "'CASE'");
		} else {
			st = resolve_case(r, e);
		}
		break;
	case EXPR_CALL:
		st = resolve_call(r, e);
		break;
	case EXPR_CAST:
		st = resolve_cast(r, e);
		break;
	case EXPR_IN:
	case EXPR_BETWEEN:
		st = resolve_in_between(r, e);
		break;
	case EXPR_IS_NULL:
		if (r->ctx == EXPR_CTX_ROWS) {
			resolve_args(r, e, 0);
			st = rows_forbidden(r, &e->loc, "'IS NULL'");
		} else {
			st = resolve_args(r, e, 0);
			set_type(e, mk_type(TYPE_BOOLEAN));
		}
		break;
	default:
		st = rerr(r, &e->loc, "internal error: unknown expression node");
		break;
	}
	if (e == r->shared) {
		r->shared_done = true;
		r->shared_status = st;
	}
	return st;
}

int expr_resolve(struct expr *e, const struct dataset *ds, const struct table *t,
		 const struct column *col, enum expr_context ctx, struct diags *diags)
{
	struct resolver r;
	memset(&r, 0, sizeof(r));
	r.ds = ds;
	r.t = t;
	r.col = col;
	r.ctx = ctx;
	r.diags = diags;
	if (!e)
		return -1;
	resolve(&r, e);
	return r.errors ? -1 : 0;
}

/* ---- assignment --------------------------------------------------------- */

bool expr_type_assignable(const struct col_type *from, const struct col_type *to)
{
	enum col_type_kind f = from->kind, t = to->kind;
	switch (t) {
	case TYPE_BOOLEAN:
		return f == TYPE_BOOLEAN;
	case TYPE_INT:
		return f == TYPE_INT;
	case TYPE_BIGINT:
		return f == TYPE_INT || f == TYPE_BIGINT;
	case TYPE_DOUBLE:
	case TYPE_DECIMAL:
		return in_mask(f, M_NUMERIC);
	case TYPE_STRING:
	case TYPE_VARCHAR:
		return in_mask(f, M_STRING);
	case TYPE_DATE:
		return f == TYPE_DATE;
	case TYPE_TIMESTAMP:
		return f == TYPE_DATE || f == TYPE_TIMESTAMP;
	}
	return false;
}

/* ---- walking ------------------------------------------------------------ */

void expr_visit_columns(const struct expr *e,
			void (*fn)(void *payload, const struct expr *node), void *payload)
{
	if (!e)
		return;
	if (e->kind == EXPR_COLUMN || e->kind == EXPR_PARENT || e->kind == EXPR_REF)
		fn(payload, e);
	for (size_t i = 0; i < e->n_args; i++)
		expr_visit_columns(e->args[i], fn, payload);
}

/* ---- rows evaluation ---------------------------------------------------- */

/*
 * Spark's round(double, d): HALF_UP applied to the shortest decimal string
 * that reads back as x (what BigDecimal(Double.toString(x)) sees), then read
 * back as a double.
 */
static double round_half_up(double x, int d)
{
	char buf[64], digits[32], out[64];
	int prec, exp10, nd = 0, keep;
	const char *p;
	bool neg = x < 0;

	if (!isfinite(x) || x == 0)
		return x;
	for (prec = 0; prec < 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*e", prec, x);
		if (strtod(buf, NULL) == x)
			break;
	}
	/* buf: [-]D[.DDD]e[+-]XX */
	for (p = buf; *p && *p != 'e'; p++)
		if (*p >= '0' && *p <= '9' && nd < (int)sizeof(digits) - 2)
			digits[nd++] = *p;
	exp10 = atoi(p + 1);
	keep = exp10 + 1 + d; /* digits whose place value is >= 10^-d */
	if (keep >= nd)
		return x;
	if (keep < 0)
		return neg ? -0.0 : 0.0;
	{
		bool up = digits[keep] >= '5';
		int n = keep;
		int e10 = exp10;
		if (up) {
			int i = n - 1;
			while (i >= 0 && digits[i] == '9') {
				digits[i] = '0';
				i--;
			}
			if (i >= 0) {
				digits[i]++;
			} else {
				memmove(digits + 1, digits, (size_t)n);
				digits[0] = '1';
				n++;
				e10++;
			}
		}
		if (n == 0)
			return neg ? -0.0 : 0.0;
		digits[n] = 0;
		/* value = 0.digits * 10^(e10 + 1) */
		snprintf(out, sizeof(out), "%s0.%se%d", neg ? "-" : "", digits, e10 + 1);
		return strtod(out, NULL);
	}
}

static int eval(double *out, const struct expr *e, int64_t target_rows, double scale_factor,
		struct diags *diags)
{
	double a, b;
	switch (e->kind) {
	case EXPR_LITERAL:
		if (e->lit.kind == VAL_INT) {
			*out = (double)e->lit.i;
			return 0;
		}
		if (e->lit.kind == VAL_DOUBLE) {
			*out = e->lit.d;
			return 0;
		}
		break;
	case EXPR_NAME:
	case EXPR_SPECIAL:
		if (e->qualifier)
			break;
		if (ascii_casecmp(e->name, "target_rows") == 0) {
			*out = (double)target_rows;
			return 0;
		}
		if (ascii_casecmp(e->name, "scale_factor") == 0) {
			*out = scale_factor;
			return 0;
		}
		break;
	case EXPR_UNARY:
		if (e->op != OP_NEG || eval(&a, e->args[0], target_rows, scale_factor, diags) < 0)
			break;
		*out = -a;
		return 0;
	case EXPR_BINARY:
		if (e->op != OP_ADD && e->op != OP_SUB && e->op != OP_MUL && e->op != OP_DIV)
			break;
		if (eval(&a, e->args[0], target_rows, scale_factor, diags) < 0 ||
		    eval(&b, e->args[1], target_rows, scale_factor, diags) < 0)
			return -1;
		switch (e->op) {
		case OP_ADD: *out = a + b; break;
		case OP_SUB: *out = a - b; break;
		case OP_MUL: *out = a * b; break;
		default:
			if (b == 0)
				return diag_error(diags, &e->loc, "division by zero in rows expression");
			*out = a / b;
			break;
		}
		return 0;
	case EXPR_CALL: {
		bool is_round = strcmp(e->name, "round") == 0;
		bool is_least = strcmp(e->name, "least") == 0;
		bool is_greatest = strcmp(e->name, "greatest") == 0;
		bool is_floor = strcmp(e->name, "floor") == 0;
		bool is_ceil = strcmp(e->name, "ceil") == 0;
		if (!e->n_args || !(is_round || is_least || is_greatest || is_floor || is_ceil))
			break;
		if (eval(&a, e->args[0], target_rows, scale_factor, diags) < 0)
			return -1;
		if (is_round) {
			int64_t d = 0;
			if (e->n_args > 2 || (e->n_args == 2 && !int_literal(e->args[1], &d)))
				break;
			if (d < -38 || d > 38)
				break;
			*out = round_half_up(a, (int)d);
		} else if (is_floor || is_ceil) {
			if (e->n_args != 1)
				break;
			*out = is_floor ? floor(a) : ceil(a);
		} else {
			for (size_t i = 1; i < e->n_args; i++) {
				if (eval(&b, e->args[i], target_rows, scale_factor, diags) < 0)
					return -1;
				if (is_least ? b < a : b > a)
					a = b;
			}
			*out = a;
		}
		return 0;
	}
	default:
		break;
	}
	return diag_error(diags, &e->loc, "cannot evaluate this rows expression (allowed: numbers, "
			  "target_rows, scale_factor, + - * /, round, floor, ceil, least, greatest)");
}

int expr_eval_rows(double *out, const struct expr *e, int64_t target_rows, double scale_factor,
		   struct diags *diags)
{
	double v;
	*out = 0;
	if (!e)
		return -1;
	if (eval(&v, e, target_rows, scale_factor, diags) < 0)
		return -1;
	if (!isfinite(v))
		return diag_error(diags, &e->loc, "rows expression is not a finite number");
	*out = v;
	return 0;
}
