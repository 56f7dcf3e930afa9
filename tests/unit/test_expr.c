/*
 * Unit tests for compiler/expr.h: the parse tree and precedence, literal
 * values and types, syntax errors at their exact line:col, name resolution
 * of every kind (row columns, parent.<col>, <table>.<col> through one
 * reference column, row_index/child_index/child_count, rows names), Spark
 * result types, draw numbering, assignability and rows evaluation.  The
 * datasets are built by hand in an arena.
 */
#include <math.h>
#include <stdlib.h>

#include "arena.h"
#include "diag.h"
#include "expr.h"
#include "harness.h"
#include "model.h"
#include "strbuf.h"

/* ---- a small dataset ------------------------------------------------------ */

struct fixture {
	struct arena arena;
	struct dataset ds;
	struct table *customers, *products, *orders, *order_items, *transfers;
};

static struct table *add_table(struct fixture *f, const char *name)
{
	struct table *t = arena_alloc(&f->arena, sizeof(*t));
	t->name = name;
	t->columns = arena_calloc(&f->arena, 16, sizeof(*t->columns));
	t->index = f->ds.n_tables;
	f->ds.tables[f->ds.n_tables++] = t;
	return t;
}

static struct column *add_col(struct fixture *f, struct table *t, const char *name,
			      enum col_type_kind k, int p, int s)
{
	struct column *c = arena_alloc(&f->arena, sizeof(*c));
	c->name = name;
	c->type.kind = k;
	c->type.precision = p;
	c->type.scale = s;
	c->type.length = k == TYPE_VARCHAR ? p : 0;
	c->gen = GEN_UNIFORM;
	c->table = t;
	c->index = t->n_columns;
	t->columns[t->n_columns++] = c;
	return c;
}

static struct column *add_ref(struct fixture *f, struct table *t, const char *name,
			      struct table *target)
{
	struct column *c = add_col(f, t, name, TYPE_BIGINT, 0, 0);
	c->gen = GEN_REFERENCE;
	c->params.ref_table = target;
	c->params.ref_column = target->columns[0];
	return c;
}

static void fixture_init(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	arena_init(&f->arena);
	f->ds.id = "shop";
	f->ds.tables = arena_calloc(&f->arena, 8, sizeof(*f->ds.tables));

	f->customers = add_table(f, "customers");
	add_col(f, f->customers, "customer_id", TYPE_BIGINT, 0, 0);
	add_col(f, f->customers, "name", TYPE_STRING, 0, 0);
	add_col(f, f->customers, "segment", TYPE_VARCHAR, 10, 0);
	add_col(f, f->customers, "signup", TYPE_DATE, 0, 0);
	add_col(f, f->customers, "score", TYPE_DOUBLE, 0, 0);
	add_col(f, f->customers, "active", TYPE_BOOLEAN, 0, 0);

	f->products = add_table(f, "products");
	add_col(f, f->products, "product_id", TYPE_BIGINT, 0, 0);
	add_col(f, f->products, "list_price", TYPE_DECIMAL, 10, 2);

	f->orders = add_table(f, "orders");
	add_col(f, f->orders, "order_id", TYPE_BIGINT, 0, 0);
	add_ref(f, f->orders, "customer_id", f->customers);
	add_col(f, f->orders, "amount", TYPE_DECIMAL, 18, 2);
	add_col(f, f->orders, "order_ts", TYPE_TIMESTAMP, 0, 0);
	add_col(f, f->orders, "quantity", TYPE_INT, 0, 0);
	add_col(f, f->orders, "note", TYPE_STRING, 0, 0);

	f->order_items = add_table(f, "order_items");
	f->order_items->parent = f->orders;
	add_col(f, f->order_items, "line_id", TYPE_BIGINT, 0, 0);
	add_ref(f, f->order_items, "product_id", f->products);
	add_col(f, f->order_items, "quantity", TYPE_INT, 0, 0);

	f->transfers = add_table(f, "transfers");
	add_col(f, f->transfers, "transfer_id", TYPE_BIGINT, 0, 0);
	add_ref(f, f->transfers, "from_customer", f->customers);
	add_ref(f, f->transfers, "to_customer", f->customers);
}

static void fixture_release(struct fixture *f)
{
	arena_release(&f->arena);
}

/* ---- helpers ---------------------------------------------------------------- */

static const struct src_loc base_loc = {"shop.yaml", 3, 10};

/* The Spark spelling of a type (model.c's col_type_format, kept local to this test). */
static void fmt_col_type(struct strbuf *sb, const struct col_type *t)
{
	static const char *const names[] = {
		"boolean", "int", "bigint", "double", "decimal", "string", "varchar", "date",
		"timestamp",
	};
	strbuf_addstr(sb, names[t->kind]);
	if (t->kind == TYPE_DECIMAL)
		strbuf_addf(sb, "(%d,%d)", t->precision, t->scale);
	else if (t->kind == TYPE_VARCHAR)
		strbuf_addf(sb, "(%d)", t->length);
}

static void dump(struct strbuf *sb, const struct expr *e);

static void dump_args(struct strbuf *sb, const struct expr *e, size_t from)
{
	for (size_t i = from; i < e->n_args; i++) {
		strbuf_addch(sb, ' ');
		dump(sb, e->args[i]);
	}
}

static const char *op_name(enum expr_op op)
{
	static const char *const names[] = {
		"?", "+", "-", "*", "/", "%", "=", "!=", "<", "<=", ">", ">=", "AND", "OR", "NOT",
		"neg", "||",
	};
	return names[op];
}

/* An s-expression of the tree, for precedence tests. */
static void dump(struct strbuf *sb, const struct expr *e)
{
	switch (e->kind) {
	case EXPR_LITERAL:
		switch (e->lit.kind) {
		case VAL_NULL: strbuf_addstr(sb, "NULL"); break;
		case VAL_BOOL: strbuf_addstr(sb, e->lit.b ? "TRUE" : "FALSE"); break;
		case VAL_INT: strbuf_addf(sb, "%lld", (long long)e->lit.i); break;
		case VAL_DOUBLE: strbuf_addstr(sb, e->lit_text); break;
		case VAL_STRING: strbuf_addf(sb, "'%s'", e->lit.s); break;
		case VAL_DATE: strbuf_addf(sb, "date:%lld", (long long)e->lit.i); break;
		case VAL_TIMESTAMP: strbuf_addf(sb, "ts:%lld", (long long)e->lit.i); break;
		}
		break;
	case EXPR_NAME:
	case EXPR_COLUMN:
	case EXPR_PARENT:
	case EXPR_REF:
	case EXPR_SPECIAL:
		if (e->qualifier)
			strbuf_addf(sb, "%s.", e->qualifier);
		strbuf_addstr(sb, e->name);
		break;
	case EXPR_UNARY:
	case EXPR_BINARY:
		strbuf_addf(sb, "(%s", op_name(e->op));
		dump_args(sb, e, 0);
		strbuf_addch(sb, ')');
		break;
	case EXPR_CASE:
		strbuf_addstr(sb, e->has_else ? "(case-else" : "(case");
		dump_args(sb, e, 0);
		strbuf_addch(sb, ')');
		break;
	case EXPR_CALL:
		strbuf_addf(sb, "(%s", e->name);
		dump_args(sb, e, 0);
		strbuf_addch(sb, ')');
		break;
	case EXPR_CAST: {
		struct strbuf t = STRBUF_INIT;
		fmt_col_type(&t, &e->cast_type);
		strbuf_addf(sb, "(cast ");
		dump(sb, e->args[0]);
		strbuf_addf(sb, " %s)", t.buf);
		strbuf_release(&t);
		break;
	}
	case EXPR_IN:
		strbuf_addstr(sb, e->negated ? "(not-in" : "(in");
		dump_args(sb, e, 0);
		strbuf_addch(sb, ')');
		break;
	case EXPR_BETWEEN:
		strbuf_addstr(sb, e->negated ? "(not-between" : "(between");
		dump_args(sb, e, 0);
		strbuf_addch(sb, ')');
		break;
	case EXPR_IS_NULL:
		strbuf_addstr(sb, e->negated ? "(is-not-null" : "(is-null");
		dump_args(sb, e, 0);
		strbuf_addch(sb, ')');
		break;
	}
}

/* Parses src (at base_loc) and returns its dump, or "error: <first message> @line:col". */
static char *parse_dump(struct arena *a, const char *src)
{
	struct diags d = DIAGS_INIT;
	struct expr *e;
	struct strbuf sb = STRBUF_INIT;
	char *out;
	if (expr_parse(&e, src, &base_loc, EXPR_CTX_COLUMN, a, &d) < 0) {
		if (d.n)
			strbuf_addf(&sb, "error: %s @%d:%d", d.items[0].msg, d.items[0].loc.line,
				    d.items[0].loc.col);
		else
			strbuf_addstr(&sb, "error without diagnostic");
	} else {
		if (d.n)
			strbuf_addstr(&sb, "diagnostic on success: ");
		dump(&sb, e);
	}
	out = arena_strdup(a, sb.buf);
	strbuf_release(&sb);
	diags_release(&d);
	return out;
}

/* All diagnostics as "line:col: msg" joined with "\n". */
static char *diag_text(struct arena *a, const struct diags *d)
{
	struct strbuf sb = STRBUF_INIT;
	char *out;
	for (size_t i = 0; i < d->n; i++)
		strbuf_addf(&sb, "%s%d:%d: %s", i ? "\n" : "", d->items[i].loc.line,
			    d->items[i].loc.col, d->items[i].msg);
	out = arena_strdup(a, sb.buf);
	strbuf_release(&sb);
	return out;
}

/* Parses and resolves src as an expression of a column of t; NULL on any error. */
static struct expr *resolved(struct fixture *f, struct table *t, const char *src)
{
	struct diags d = DIAGS_INIT;
	struct expr *e = NULL;
	if (expr_parse(&e, src, &base_loc, EXPR_CTX_COLUMN, &f->arena, &d) < 0 ||
	    expr_resolve(e, &f->ds, t, NULL, EXPR_CTX_COLUMN, &d) < 0 || d.n) {
		fprintf(stderr, "unexpected errors for \"%s\":\n%s\n", src, diag_text(&f->arena, &d));
		e = NULL;
	}
	diags_release(&d);
	return e;
}

/* The diagnostics of resolving src in table t (parse must succeed). */
static char *resolve_errors(struct fixture *f, struct table *t, enum expr_context ctx,
			    const char *src)
{
	struct diags d = DIAGS_INIT;
	struct expr *e = NULL;
	char *out;
	int rc;
	if (expr_parse(&e, src, &base_loc, ctx, &f->arena, &d) < 0) {
		out = arena_strdup(&f->arena, "parse failed");
		goto done;
	}
	rc = expr_resolve(e, &f->ds, t, NULL, ctx, &d);
	out = diag_text(&f->arena, &d);
	if ((rc < 0) != (d.errors > 0))
		out = arena_strdup(&f->arena, "return code disagrees with diagnostics");
done:
	diags_release(&d);
	return out;
}

static char *type_of(struct fixture *f, struct table *t, const char *src)
{
	struct expr *e = resolved(f, t, src);
	struct strbuf sb = STRBUF_INIT;
	char *out;
	if (!e)
		return "(error)";
	if (e->is_null_literal)
		strbuf_addstr(&sb, "NULL");
	else
		fmt_col_type(&sb, &e->type);
	out = arena_strdup(&f->arena, sb.buf);
	strbuf_release(&sb);
	return out;
}

/* ---- parsing ---------------------------------------------------------------- */

static void test_expr__precedence(void)
{
	struct arena a = ARENA_INIT;
	CHECK_STR_EQ("(+ a (* b c))", parse_dump(&a, "a + b * c"));
	CHECK_STR_EQ("(- (- a b) c)", parse_dump(&a, "a - b - c"));
	CHECK_STR_EQ("(* (neg a) b)", parse_dump(&a, "-a * b"));
	CHECK_STR_EQ("(% (/ a b) c)", parse_dump(&a, "a / b % c"));
	CHECK_STR_EQ("(* (+ a b) c)", parse_dump(&a, "(a + b) * c"));
	CHECK_STR_EQ("(OR a (AND b (NOT (= c d))))", parse_dump(&a, "a OR b AND NOT c = d"));
	CHECK_STR_EQ("(AND (NOT a) b)", parse_dump(&a, "NOT a AND b"));
	CHECK_STR_EQ("(+ (|| a b) c)", parse_dump(&a, "a || b + c"));
	CHECK_STR_EQ("(= (+ a 1) (* b 2))", parse_dump(&a, "a + 1 = b * 2"));
	CHECK_STR_EQ("(AND (between x 1 2) y)", parse_dump(&a, "x BETWEEN 1 AND 2 AND y"));
	CHECK_STR_EQ("(not-between x (+ a 1) (* b 2))",
		     parse_dump(&a, "x NOT BETWEEN a + 1 AND b * 2"));
	CHECK_STR_EQ("(not-in x 1 2 (+ 3 y))", parse_dump(&a, "x NOT IN (1, 2, 3 + y)"));
	CHECK_STR_EQ("(in x 'a')", parse_dump(&a, "x in ('a')"));
	CHECK_STR_EQ("(OR (is-not-null x) (is-null (+ y 1)))",
		     parse_dump(&a, "x IS NOT NULL OR y + 1 IS NULL"));
	CHECK_STR_EQ("(NOT (NOT a))", parse_dump(&a, "NOT NOT a"));
	CHECK_STR_EQ("(!= a b)", parse_dump(&a, "a <> b"));
	CHECK_STR_EQ("(= a b)", parse_dump(&a, "a == b"));
	CHECK_STR_EQ("(- a -1)", parse_dump(&a, "a - -1"));
	CHECK_STR_EQ("(neg (neg a))", parse_dump(&a, "- - a"));
	arena_release(&a);
}

static void test_expr__forms(void)
{
	struct arena a = ARENA_INIT;
	CHECK_STR_EQ("(case-else (> x 1) 'big' 'small')",
		     parse_dump(&a, "CASE WHEN x > 1 THEN 'big' ELSE 'small' END"));
	CHECK_STR_EQ("(case (> x 1) 1 (> x 2) 2)",
		     parse_dump(&a, "case when x > 1 then 1 When x > 2 THEN 2 end"));
	CHECK_STR_EQ("(case-else (= x 1) 'a' (= x 2) 'b' 'c')",
		     parse_dump(&a, "CASE x WHEN 1 THEN 'a' WHEN 2 THEN 'b' ELSE 'c' END"));
	CHECK_STR_EQ("(cast x decimal(10,2))", parse_dump(&a, "CAST(x AS decimal(10, 2))"));
	CHECK_STR_EQ("(cast x decimal(10,0))", parse_dump(&a, "cast(x as DECIMAL)"));
	CHECK_STR_EQ("(cast x varchar(20))", parse_dump(&a, "cast(x as varchar(20))"));
	CHECK_STR_EQ("(cast x int)", parse_dump(&a, "cast(x as integer)"));
	CHECK_STR_EQ("(round x 2)", parse_dump(&a, "ROUND(x, 2)"));
	CHECK_STR_EQ("(coalesce a b c)", parse_dump(&a, "Coalesce(a, b, c)"));
	CHECK_STR_EQ("(f)", parse_dump(&a, "f()"));
	CHECK_STR_EQ("(+ parent.amount products.list_price)",
		     parse_dump(&a, "parent.amount + products.list_price"));
	CHECK_STR_EQ("(+ weird name order)", parse_dump(&a, "`weird name` + `order`"));
	CHECK_STR_EQ("(= end a)", parse_dump(&a, "`end` = a"));
	CHECK_STR_EQ("(+ x`y 1)", parse_dump(&a, "`x``y` + 1"));
	CHECK_STR_EQ("(date_add (to_date order_ts) (uniform_int 1 5))",
		     parse_dump(&a, "date_add(to_date(order_ts), uniform_int(1, 5))"));
	/* date and timestamp are names unless a string follows */
	CHECK_STR_EQ("(+ date timestamp)", parse_dump(&a, "date + timestamp"));
	arena_release(&a);
}

static void test_expr__simple_case_shares_operand(void)
{
	struct arena a = ARENA_INIT;
	struct diags d = DIAGS_INIT;
	struct expr *e;
	CHECK_INT_EQ(0, expr_parse(&e, "CASE x + 1 WHEN 1 THEN 'a' WHEN 2 THEN 'b' END", &base_loc,
				   EXPR_CTX_COLUMN, &a, &d));
	CHECK_INT_EQ(EXPR_CASE, e->kind);
	CHECK_INT_EQ(4, e->n_args);
	CHECK(!e->has_else);
	CHECK(e->args[0]->args[0] == e->args[2]->args[0]);
	CHECK_INT_EQ(EXPR_BINARY, e->args[0]->args[0]->kind);
	/* the `=` is located at its WHEN value */
	CHECK_INT_EQ(10 + 16, e->args[0]->loc.col);
	diags_release(&d);
	arena_release(&a);
}

static void test_expr__literals(void)
{
	struct arena a = ARENA_INIT;
	struct diags d = DIAGS_INIT;
	struct expr *e;
	struct strbuf sb = STRBUF_INIT;
	struct {
		const char *src;
		enum value_kind kind;
		const char *type;
	} cases[] = {
		{"42", VAL_INT, "int"},
		{"2147483647", VAL_INT, "int"},
		{"2147483648", VAL_INT, "bigint"},
		{"42L", VAL_INT, "bigint"},
		{"-7", VAL_INT, "int"},
		{"1.5", VAL_DOUBLE, "decimal(2,1)"},
		{".5", VAL_DOUBLE, "decimal(1,1)"},
		{"0.05", VAL_DOUBLE, "decimal(2,2)"},
		{"100.50", VAL_DOUBLE, "decimal(5,2)"},
		{"1.", VAL_DOUBLE, "decimal(1,0)"},
		{"12BD", VAL_DOUBLE, "decimal(2,0)"},
		{"1e3", VAL_DOUBLE, "double"},
		{"2.5E-2", VAL_DOUBLE, "double"},
		{"1.5D", VAL_DOUBLE, "double"},
		{"99999999999999999999", VAL_DOUBLE, "decimal(20,0)"},
		{"'it''s'", VAL_STRING, "string"},
		{"TRUE", VAL_BOOL, "boolean"},
		{"false", VAL_BOOL, "boolean"},
		{"DATE '2024-01-01'", VAL_DATE, "date"},
		{"TIMESTAMP '2024-01-01 10:00:00'", VAL_TIMESTAMP, "timestamp"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		strbuf_reset(&sb);
		if (expr_parse(&e, cases[i].src, &base_loc, EXPR_CTX_COLUMN, &a, &d) < 0) {
			CHECK_STR_EQ(cases[i].src, "(parse error)");
			continue;
		}
		CHECK_INT_EQ(EXPR_LITERAL, e->kind);
		CHECK_INT_EQ(cases[i].kind, e->lit.kind);
		fmt_col_type(&sb, &e->type);
		CHECK_STR_EQ(cases[i].type, sb.buf);
	}
	CHECK_INT_EQ(0, d.n);

	CHECK_INT_EQ(0, expr_parse(&e, "'it''s'", &base_loc, EXPR_CTX_COLUMN, &a, &d));
	CHECK_STR_EQ("it's", e->lit.s);
	CHECK_INT_EQ(0, expr_parse(&e, "''", &base_loc, EXPR_CTX_COLUMN, &a, &d));
	CHECK_STR_EQ("", e->lit.s);
	CHECK_INT_EQ(0, expr_parse(&e, "DATE '2024-01-01'", &base_loc, EXPR_CTX_COLUMN, &a, &d));
	CHECK_INT_EQ(19723, e->lit.i);
	CHECK_INT_EQ(0, expr_parse(&e, "DATE '1969-12-31'", &base_loc, EXPR_CTX_COLUMN, &a, &d));
	CHECK_INT_EQ(-1, e->lit.i);
	CHECK_INT_EQ(0, expr_parse(&e, "DATE '2000-02-29'", &base_loc, EXPR_CTX_COLUMN, &a, &d));
	CHECK_INT_EQ(11016, e->lit.i);
	CHECK_INT_EQ(0, expr_parse(&e, "timestamp '2024-01-01 10:00:05'", &base_loc, EXPR_CTX_COLUMN,
				   &a, &d));
	CHECK_INT_EQ(19723LL * 86400 + 36005, e->lit.i);
	CHECK_INT_EQ(0, expr_parse(&e, "TIMESTAMP '2024-01-01'", &base_loc, EXPR_CTX_COLUMN, &a, &d));
	CHECK_INT_EQ(19723LL * 86400, e->lit.i);
	CHECK_INT_EQ(0, expr_parse(&e, "-1.25", &base_loc, EXPR_CTX_COLUMN, &a, &d));
	CHECK_STR_EQ("-1.25", e->lit_text);
	CHECK(e->lit.d == -1.25);
	CHECK_INT_EQ(10, e->loc.col);
	CHECK_INT_EQ(0, expr_parse(&e, "NULL", &base_loc, EXPR_CTX_COLUMN, &a, &d));
	CHECK_INT_EQ(VAL_NULL, e->lit.kind);
	CHECK(e->is_null_literal);
	CHECK_INT_EQ(0, d.n);
	strbuf_release(&sb);
	diags_release(&d);
	arena_release(&a);
}

static void test_expr__syntax_errors(void)
{
	struct arena a = ARENA_INIT;
	/* base_loc is line 3, col 10: offset k on the first line is col 10 + k */
	CHECK_STR_EQ("error: syntax error in expression: expected ')' but found 'END' @3:30",
		     parse_dump(&a, "CASE WHEN a THEN (1 END"));
	CHECK_STR_EQ("error: syntax error in expression: expected an expression but found '*' @4:3",
		     parse_dump(&a, "a +\n  * b"));
	CHECK_STR_EQ("error: syntax error in expression: expected an expression but found '*' @5:1",
		     parse_dump(&a, "a +\n\n* b"));
	CHECK_STR_EQ("error: syntax error in expression: expected an expression but found end of "
		     "expression @3:14", parse_dump(&a, "1 + "));
	CHECK_STR_EQ("error: syntax error in expression: expected an operator or end of expression "
		     "but found 'b' @3:12", parse_dump(&a, "a b"));
	CHECK_STR_EQ("error: syntax error in expression: expected an expression but found 'END' @3:20",
		     parse_dump(&a, "CASE WHEN END"));
	CHECK_STR_EQ("error: syntax error in expression: expected 'WHEN' but found end of "
		     "expression @3:16", parse_dump(&a, "CASE x"));
	CHECK_STR_EQ("error: syntax error in expression: expected 'THEN' but found string 'b' @3:22",
		     parse_dump(&a, "CASE WHEN a 'b' END"));
	CHECK_STR_EQ("error: syntax error in expression: expected 'AS' but found ')' @3:16",
		     parse_dump(&a, "cast(x)"));
	CHECK_STR_EQ("error: syntax error in expression: expected ',' or ')' but found 'b' @3:18",
		     parse_dump(&a, "round(a b)"));
	CHECK_STR_EQ("error: syntax error in expression: expected 'IN' or 'BETWEEN' after 'NOT' but "
		     "found 'LIKE' @3:16", parse_dump(&a, "x NOT LIKE 'a'"));
	CHECK_STR_EQ("error: syntax error in expression: expected 'AND' but found 'OR' @3:22",
		     parse_dump(&a, "x BETWEEN 1 OR 2"));
	CHECK_STR_EQ("error: syntax error in expression: expected a column name after '.' but found "
		     "'5' @3:13", parse_dump(&a, "a. 5"));
	CHECK_STR_EQ("error: syntax error in expression: expected an operator or end of expression "
		     "but found '.5' @3:11", parse_dump(&a, "a.5"));
	CHECK_STR_EQ("error: syntax error in expression: expected an operator (names have at most "
		     "one qualifier) but found '.' @3:13", parse_dump(&a, "a.b.c"));
	CHECK_STR_EQ("error: unterminated string literal @3:14", parse_dump(&a, "a = 'abc"));
	CHECK_STR_EQ("error: unterminated quoted identifier @3:10", parse_dump(&a, "`abc"));
	CHECK_STR_EQ("error: unexpected character '\"' in expression (strings are written in single "
		     "quotes) @3:14", parse_dump(&a, "a = \"x\""));
	CHECK_STR_EQ("error: unexpected character '#' in expression @3:12", parse_dump(&a, "a # b"));
	/* columns count characters, not bytes: 'é' is one column */
	CHECK_STR_EQ("error: unexpected character '#' in expression @3:14",
		     parse_dump(&a, "'\xc3\xa9' # b"));
	CHECK_STR_EQ("error: invalid number '12abc' @3:10", parse_dump(&a, "12abc"));
	CHECK_STR_EQ("error: number '99999999999999999999' is out of range for bigint @3:10",
		     parse_dump(&a, "99999999999999999999L"));
	CHECK_STR_EQ("error: invalid date '2024-02-30' (expected 'YYYY-MM-DD') @3:15",
		     parse_dump(&a, "DATE '2024-02-30'"));
	CHECK_STR_EQ("error: invalid timestamp '2024-01-01 25:00:00' (expected 'YYYY-MM-DD "
		     "HH:MM:SS') @3:20", parse_dump(&a, "TIMESTAMP '2024-01-01 25:00:00'"));
	CHECK_STR_EQ("error: comments are not allowed in expressions ('--' starts a comment in Spark "
		     "SQL) @3:12", parse_dump(&a, "a --1"));
	CHECK_STR_EQ("error: empty expression @3:13", parse_dump(&a, "   "));
	CHECK_STR_EQ("error: unknown type 'strng' in cast (did you mean 'string'?) @3:20",
		     parse_dump(&a, "cast(x AS strng)"));
	CHECK_STR_EQ("error: decimal precision 40 is out of range (1 to 38) @3:28",
		     parse_dump(&a, "cast(x AS decimal(40, 2))"));
	CHECK_STR_EQ("error: decimal scale 5 is out of range (0 to 3) @3:31",
		     parse_dump(&a, "cast(x AS decimal(3, 5))"));
	arena_release(&a);
}

static void test_expr__nesting_limit(void)
{
	struct arena a = ARENA_INIT;
	struct strbuf sb = STRBUF_INIT;
	char *r;
	strbuf_addchars(&sb, '(', 5000);
	strbuf_addch(&sb, '1');
	strbuf_addchars(&sb, ')', 5000);
	r = parse_dump(&a, sb.buf);
	CHECK(strstr(r, "error: expression nested too deeply") == r);
	strbuf_reset(&sb);
	strbuf_addchars(&sb, '(', 50);
	strbuf_addch(&sb, '1');
	strbuf_addchars(&sb, ')', 50);
	CHECK_STR_EQ("1", parse_dump(&a, sb.buf));
	strbuf_release(&sb);
	arena_release(&a);
}

static void test_expr__location_without_base(void)
{
	struct arena a = ARENA_INIT;
	struct diags d = DIAGS_INIT;
	struct expr *e;
	CHECK_INT_EQ(-1, expr_parse(&e, "a +", NULL, EXPR_CTX_COLUMN, &a, &d));
	CHECK_INT_EQ(1, d.n);
	CHECK_INT_EQ(1, d.items[0].loc.line);
	CHECK_INT_EQ(4, d.items[0].loc.col);
	CHECK(d.items[0].loc.file == NULL);
	CHECK(e == NULL);
	diags_release(&d);
	arena_release(&a);
}

/* ---- resolution ------------------------------------------------------------- */

static void test_expr__resolve_names(void)
{
	struct fixture f;
	struct expr *e;
	fixture_init(&f);

	e = resolved(&f, f.orders, "amount");
	CHECK(e && e->kind == EXPR_COLUMN && e->column == f.orders->columns[2]);
	e = resolved(&f, f.orders, "AMOUNT");
	CHECK(e && e->kind == EXPR_COLUMN && e->column == f.orders->columns[2]);
	e = resolved(&f, f.orders, "orders.amount");
	CHECK(e && e->kind == EXPR_COLUMN && e->column == f.orders->columns[2]);
	e = resolved(&f, f.orders, "row_index");
	CHECK(e && e->kind == EXPR_SPECIAL);
	if (e) {
		CHECK_STR_EQ("row_index", e->name);
		CHECK_INT_EQ(TYPE_BIGINT, e->type.kind);
	}
	e = resolved(&f, f.order_items, "Child_Index + child_count");
	CHECK(e && e->args[0]->kind == EXPR_SPECIAL && e->args[1]->kind == EXPR_SPECIAL);
	if (e) {
		CHECK_STR_EQ("child_index", e->args[0]->name);
		CHECK_STR_EQ("child_count", e->args[1]->name);
		CHECK_INT_EQ(TYPE_INT, e->type.kind);
	}
	e = resolved(&f, f.order_items, "parent.amount");
	CHECK(e && e->kind == EXPR_PARENT && e->column == f.orders->columns[2]);
	e = resolved(&f, f.order_items, "quantity * products.list_price");
	CHECK(e != NULL);
	if (e) {
		CHECK(e->args[0]->kind == EXPR_COLUMN && e->args[0]->column == f.order_items->columns[2]);
		CHECK(e->args[1]->kind == EXPR_REF);
		CHECK(e->args[1]->column == f.products->columns[1]);
		CHECK(e->args[1]->ref_via == f.order_items->columns[1]);
	}
	e = resolved(&f, f.orders, "customers.name");
	CHECK(e && e->kind == EXPR_REF && e->ref_via == f.orders->columns[1] &&
	      e->column == f.customers->columns[1]);
	e = resolved(&f, f.orders, "`note`");
	CHECK(e && e->kind == EXPR_COLUMN && e->column == f.orders->columns[5]);
	fixture_release(&f);
}

static void test_expr__resolve_errors(void)
{
	struct fixture f;
	fixture_init(&f);
	CHECK_STR_EQ("3:10: unknown column 'amout' in table 'orders' (did you mean 'amount'?)",
		     resolve_errors(&f, f.orders, EXPR_CTX_COLUMN, "amout * 2"));
	CHECK_STR_EQ("3:10: unknown function 'dateadd' (did you mean 'date_add'?)",
		     resolve_errors(&f, f.orders, EXPR_CTX_COLUMN, "dateadd(order_ts, 1)"));
	CHECK_STR_EQ("3:10: function 'round' takes 1 or 2 arguments, got 3",
		     resolve_errors(&f, f.orders, EXPR_CTX_COLUMN, "round(amount, 2, 3)"));
	CHECK_STR_EQ("3:10: function 'year' takes 1 argument, got 2",
		     resolve_errors(&f, f.orders, EXPR_CTX_COLUMN, "year(order_ts, 1)"));
	CHECK_STR_EQ("3:10: function 'coalesce' takes at least 1 argument, got 0",
		     resolve_errors(&f, f.orders, EXPR_CTX_COLUMN, "coalesce()"));
	CHECK_STR_EQ("3:14: cannot apply '+' to string and date",
		     resolve_errors(&f, f.orders, EXPR_CTX_COLUMN, "'x' + DATE '2024-01-01'"));
	CHECK_STR_EQ("3:15: cannot apply '+' to string and string (use concat() or || for strings)",
		     resolve_errors(&f, f.orders, EXPR_CTX_COLUMN, "note + note"));
	CHECK_STR_EQ("3:10: 'parent.amount' is only valid in a child table (one with 'parent:')",
		     resolve_errors(&f, f.orders, EXPR_CTX_COLUMN, "parent.amount"));
	CHECK_STR_EQ("3:10: 'child_index' is only valid in a child table (one with 'parent:')",
		     resolve_errors(&f, f.orders, EXPR_CTX_COLUMN, "child_index"));
	CHECK_STR_EQ("3:10: 'target_rows' is only valid in a table's 'rows' expression",
		     resolve_errors(&f, f.orders, EXPR_CTX_COLUMN, "target_rows"));
	CHECK_STR_EQ("3:10: table 'products' is not referenced by a reference column of 'orders'",
		     resolve_errors(&f, f.orders, EXPR_CTX_COLUMN, "products.list_price"));
	CHECK_STR_EQ("3:10: table 'orders' is not referenced by a reference column of 'order_items' "
		     "(for the parent row use 'parent.amount')",
		     resolve_errors(&f, f.order_items, EXPR_CTX_COLUMN, "orders.amount"));
	CHECK_STR_EQ("3:10: table 'customers' is referenced by 2 columns of 'transfers' "
		     "('from_customer', 'to_customer'): ambiguous",
		     resolve_errors(&f, f.transfers, EXPR_CTX_COLUMN, "customers.name"));
	CHECK_STR_EQ("3:10: unknown table 'custmers' (did you mean 'customers'?)",
		     resolve_errors(&f, f.orders, EXPR_CTX_COLUMN, "custmers.name"));
	CHECK_STR_EQ("3:10: unknown column 'nme' in table 'customers' (did you mean 'name'?)",
		     resolve_errors(&f, f.orders, EXPR_CTX_COLUMN, "customers.nme"));
	CHECK_STR_EQ("3:10: unknown column 'amout' in table 'orders' (did you mean 'amount'?)",
		     resolve_errors(&f, f.order_items, EXPR_CTX_COLUMN, "parent.amout"));
	CHECK_STR_EQ("3:10: unknown column 'row_indx' in table 'orders' (did you mean 'row_index'?)",
		     resolve_errors(&f, f.orders, EXPR_CTX_COLUMN, "row_indx"));
	/* every unknown name is reported, and nothing cascades from them */
	CHECK_STR_EQ("3:10: unknown column 'foo' in table 'orders'\n"
		     "3:16: unknown column 'bar' in table 'orders'\n"
		     "4:1: unknown function 'baz'\n"
		     "4:15: unknown column 'qux' in table 'orders'",
		     resolve_errors(&f, f.orders, EXPR_CTX_COLUMN, "foo + bar *\nbaz(quantity, qux)"));
	CHECK_STR_EQ("3:10: unknown column 'foo' in table 'orders'\n"
		     "3:31: unknown column 'zzz' in table 'orders'",
		     resolve_errors(&f, f.orders, EXPR_CTX_COLUMN, "foo IS NULL OR round(zzz) > 1"));
	/* an unknown name inside a simple CASE operand is reported once */
	CHECK_STR_EQ("3:15: unknown column 'quantty' in table 'orders' (did you mean 'quantity'?)",
		     resolve_errors(&f, f.orders, EXPR_CTX_COLUMN,
				    "CASE quantty WHEN 1 THEN 'a' WHEN 2 THEN 'b' WHEN 3 THEN 'c' END"));
	fixture_release(&f);
}

static void test_expr__type_errors(void)
{
	struct fixture f;
	fixture_init(&f);
	CHECK_STR_EQ("3:19: cannot apply '<' to timestamp and string (write a date as DATE "
		     "'YYYY-MM-DD')", resolve_errors(&f, f.orders, EXPR_CTX_COLUMN,
						     "order_ts < '2024-01-01'"));
	CHECK_STR_EQ("3:19: argument 1 of 'year' must be date or timestamp, got int",
		     resolve_errors(&f, f.orders, EXPR_CTX_COLUMN, "1 + year(quantity)"));
	CHECK_STR_EQ("3:29: argument 2 of 'date_add' must be int or bigint, got double",
		     resolve_errors(&f, f.orders, EXPR_CTX_COLUMN, "date_add(order_ts, 1.5D)"));
	CHECK_STR_EQ("3:23: argument 2 of 'concat' must be string, got int (use cast(x AS string))",
		     resolve_errors(&f, f.orders, EXPR_CTX_COLUMN, "concat(note, quantity)"));
	CHECK_STR_EQ("3:23: argument 2 of 'concat' must be string, got double (a double cannot "
		     "become a string: cast it to decimal(p,s) or bigint, then to string)",
		     resolve_errors(&f, f.customers, EXPR_CTX_COLUMN, "concat(name, score)"));
	CHECK_STR_EQ("3:15: cannot apply '||' to string and decimal(18,2) (use cast(x AS string))",
		     resolve_errors(&f, f.orders, EXPR_CTX_COLUMN, "note || amount"));
	CHECK_STR_EQ("3:10: cannot cast double to string (engines format doubles differently; cast "
		     "to decimal(p,s) or bigint first)",
		     resolve_errors(&f, f.customers, EXPR_CTX_COLUMN, "cast(score AS string)"));
	CHECK_STR_EQ("3:10: cannot cast date to int (use datediff(x, DATE '1970-01-01') for days "
		     "since the epoch)",
		     resolve_errors(&f, f.customers, EXPR_CTX_COLUMN, "cast(signup AS int)"));
	CHECK_STR_EQ("3:10: cannot cast string to double (strings cast only to int, bigint and date)",
		     resolve_errors(&f, f.customers, EXPR_CTX_COLUMN, "cast(name AS double)"));
	CHECK_STR_EQ("3:10: cannot cast boolean to date",
		     resolve_errors(&f, f.customers, EXPR_CTX_COLUMN, "cast(active AS date)"));
	CHECK_STR_EQ("3:37: CASE branches have incompatible types int and string",
		     resolve_errors(&f, f.orders, EXPR_CTX_COLUMN, "CASE WHEN TRUE THEN 1 ELSE 'x' END"));
	CHECK_STR_EQ("3:20: CASE condition must be boolean, got int",
		     resolve_errors(&f, f.orders, EXPR_CTX_COLUMN, "CASE WHEN quantity THEN 1 END"));
	CHECK_STR_EQ("3:17: cannot apply 'AND' to boolean and int",
		     resolve_errors(&f, f.customers, EXPR_CTX_COLUMN, "active AND 1"));
	CHECK_STR_EQ("3:10: cannot apply 'NOT' to string",
		     resolve_errors(&f, f.customers, EXPR_CTX_COLUMN, "NOT name"));
	CHECK_STR_EQ("3:10: cannot apply '-' to date",
		     resolve_errors(&f, f.customers, EXPR_CTX_COLUMN, "-signup"));
	CHECK_STR_EQ("3:17: cannot apply '-' to date and date (use datediff(end, start))",
		     resolve_errors(&f, f.customers, EXPR_CTX_COLUMN, "signup - signup"));
	CHECK_STR_EQ("3:29: cannot apply 'IN' to int and string",
		     resolve_errors(&f, f.orders, EXPR_CTX_COLUMN, "quantity IN (1, 2, 'x')"));
	CHECK_STR_EQ("3:19: cannot apply 'BETWEEN' to int and date",
		     resolve_errors(&f, f.orders, EXPR_CTX_COLUMN,
				    "quantity BETWEEN DATE '2024-01-01' AND 3"));
	CHECK_STR_EQ("3:35: arguments of 'coalesce' have incompatible types int and string",
		     resolve_errors(&f, f.orders, EXPR_CTX_COLUMN, "coalesce(quantity, NULL, note)"));
	CHECK_STR_EQ("3:25: arguments 2 and 3 of 'if' have incompatible types boolean and int",
		     resolve_errors(&f, f.orders, EXPR_CTX_COLUMN, "if(TRUE, TRUE, 1)"));
	CHECK_STR_EQ("3:24: argument 2 of 'round' must be an integer literal between -38 and 38",
		     resolve_errors(&f, f.orders, EXPR_CTX_COLUMN, "round(amount, quantity)"));
	CHECK_STR_EQ("3:10: 'uniform_int' lower bound 5 is greater than upper bound 1",
		     resolve_errors(&f, f.orders, EXPR_CTX_COLUMN, "uniform_int(5, 1)"));
	CHECK_STR_EQ("3:22: argument 1 of 'uniform_int' must be int or bigint, got decimal(2,1)",
		     resolve_errors(&f, f.orders, EXPR_CTX_COLUMN, "uniform_int(1.5, 2)"));
	/* two independent type errors are both reported */
	CHECK_STR_EQ("3:12: cannot apply '+' to int and string\n"
		     "3:30: cannot apply '-' to boolean",
		     resolve_errors(&f, f.orders, EXPR_CTX_COLUMN, "1 + 'a' IS NULL AND -TRUE"));
	fixture_release(&f);
}

static void test_expr__types(void)
{
	struct fixture f;
	fixture_init(&f);
	CHECK_STR_EQ("int", type_of(&f, f.orders, "1 + 2"));
	CHECK_STR_EQ("bigint", type_of(&f, f.orders, "1 + 2147483648"));
	CHECK_STR_EQ("bigint", type_of(&f, f.orders, "quantity + order_id"));
	CHECK_STR_EQ("double", type_of(&f, f.orders, "1 / 2"));
	CHECK_STR_EQ("double", type_of(&f, f.orders, "quantity / order_id"));
	CHECK_STR_EQ("int", type_of(&f, f.orders, "7 % 3"));
	CHECK_STR_EQ("double", type_of(&f, f.customers, "score + 1"));
	CHECK_STR_EQ("double", type_of(&f, f.orders, "amount * 1e0"));
	/* Spark's decimal rules; integer literals count their own digits */
	CHECK_STR_EQ("decimal(20,2)", type_of(&f, f.orders, "amount * 2"));
	CHECK_STR_EQ("decimal(29,2)", type_of(&f, f.orders, "amount * quantity"));
	CHECK_STR_EQ("decimal(22,6)", type_of(&f, f.orders, "amount / 3"));
	CHECK_STR_EQ("decimal(19,2)", type_of(&f, f.orders, "amount + 1.5"));
	CHECK_STR_EQ("decimal(19,2)", type_of(&f, f.orders, "amount - amount"));
	CHECK_STR_EQ("decimal(2,2)", type_of(&f, f.orders, "amount % 0.25"));
	CHECK_STR_EQ("decimal(38,6)", type_of(&f, f.orders, "(amount * amount) / (amount * amount)"));
	CHECK_STR_EQ("decimal(21,2)", type_of(&f, f.order_items, "quantity * products.list_price"));
	CHECK_STR_EQ("decimal(18,1)", type_of(&f, f.orders, "round(amount, 1)"));
	CHECK_STR_EQ("decimal(19,2)", type_of(&f, f.orders, "round(amount, 4)"));
	CHECK_STR_EQ("decimal(17,0)", type_of(&f, f.orders, "round(amount, -1)"));
	CHECK_STR_EQ("decimal(17,0)", type_of(&f, f.orders, "floor(amount)"));
	CHECK_STR_EQ("bigint", type_of(&f, f.customers, "floor(score)"));
	CHECK_STR_EQ("bigint", type_of(&f, f.orders, "ceil(quantity)"));
	CHECK_STR_EQ("double", type_of(&f, f.customers, "round(score, 2)"));
	CHECK_STR_EQ("int", type_of(&f, f.orders, "round(quantity)"));
	CHECK_STR_EQ("int", type_of(&f, f.orders, "abs(-quantity)"));
	CHECK_STR_EQ("boolean", type_of(&f, f.orders, "order_ts > DATE '2024-01-01'"));
	CHECK_STR_EQ("boolean", type_of(&f, f.orders, "quantity IN (1, 2.5, NULL)"));
	CHECK_STR_EQ("boolean", type_of(&f, f.orders, "amount BETWEEN 1 AND 2.5"));
	CHECK_STR_EQ("boolean", type_of(&f, f.orders, "note IS NULL AND NOT (quantity > 2)"));
	CHECK_STR_EQ("int", type_of(&f, f.orders, "year(order_ts)"));
	CHECK_STR_EQ("int", type_of(&f, f.customers, "dayofweek(signup) + weekofyear(signup)"));
	CHECK_STR_EQ("int", type_of(&f, f.orders, "hour(order_ts) * 60 + minute(order_ts)"));
	CHECK_STR_EQ("date", type_of(&f, f.orders, "date_add(to_date(order_ts), uniform_int(1, 5))"));
	CHECK_STR_EQ("date", type_of(&f, f.customers, "signup + 1"));
	CHECK_STR_EQ("date", type_of(&f, f.customers, "7 + signup - 2"));
	CHECK_STR_EQ("int", type_of(&f, f.orders, "datediff(order_ts, DATE '2024-01-01')"));
	CHECK_STR_EQ("date", type_of(&f, f.orders, "make_date(2024, quantity, 1)"));
	CHECK_STR_EQ("timestamp", type_of(&f, f.orders, "timestamp_seconds(order_id)"));
	CHECK_STR_EQ("date", type_of(&f, f.orders, "to_date('2024-01-01')"));
	CHECK_STR_EQ("decimal(11,1)",
		     type_of(&f, f.orders, "CASE WHEN quantity > 1 THEN quantity ELSE 2.5 END"));
	CHECK_STR_EQ("timestamp",
		     type_of(&f, f.orders, "CASE WHEN TRUE THEN order_ts ELSE DATE '2024-01-01' END"));
	CHECK_STR_EQ("string", type_of(&f, f.orders, "CASE quantity WHEN 1 THEN 'a' END"));
	CHECK_STR_EQ("int", type_of(&f, f.orders, "coalesce(NULL, 1)"));
	CHECK_STR_EQ("bigint", type_of(&f, f.orders, "greatest(quantity, order_id, 3)"));
	CHECK_STR_EQ("decimal(12,2)", type_of(&f, f.products, "coalesce(list_price, 0)"));
	CHECK_STR_EQ("int", type_of(&f, f.orders, "if(quantity > 2, 1, NULL)"));
	CHECK_STR_EQ("NULL", type_of(&f, f.orders, "NULL"));
	CHECK_STR_EQ("NULL", type_of(&f, f.orders, "coalesce(NULL, NULL)"));
	CHECK_STR_EQ("NULL", type_of(&f, f.orders, "CASE WHEN TRUE THEN NULL END"));
	CHECK_STR_EQ("int", type_of(&f, f.orders, "NULL + 1"));
	CHECK_STR_EQ("string", type_of(&f, f.orders, "concat('a', NULL, note)"));
	CHECK_STR_EQ("string", type_of(&f, f.customers, "segment || '-' || upper(name)"));
	CHECK_STR_EQ("string", type_of(&f, f.customers, "lpad(cast(customer_id AS string), 8, '0')"));
	CHECK_STR_EQ("string", type_of(&f, f.customers, "substring(name, 1, 3)"));
	CHECK_STR_EQ("int", type_of(&f, f.customers, "length(segment)"));
	CHECK_STR_EQ("string", type_of(&f, f.customers, "cast(signup AS varchar(10))"));
	CHECK_STR_EQ("decimal(10,2)", type_of(&f, f.customers, "cast(score AS decimal(10,2))"));
	CHECK_STR_EQ("bigint", type_of(&f, f.orders, "cast(order_ts AS bigint)"));
	CHECK_STR_EQ("int", type_of(&f, f.customers, "cast(substring(name, 1, 2) AS int)"));
	CHECK_STR_EQ("date", type_of(&f, f.customers, "cast(name AS date)"));
	CHECK_STR_EQ("boolean", type_of(&f, f.orders, "cast(quantity AS boolean)"));
	CHECK_STR_EQ("timestamp", type_of(&f, f.orders, "cast(order_id AS timestamp)"));
	CHECK_STR_EQ("string", type_of(&f, f.orders, "cast(NULL AS string)"));
	CHECK_STR_EQ("timestamp", type_of(&f, f.customers, "cast(signup AS timestamp)"));
	CHECK_STR_EQ("double", type_of(&f, f.orders, "uniform(0, 1)"));
	CHECK_STR_EQ("int", type_of(&f, f.orders, "uniform_int(-5, 5)"));
	CHECK_STR_EQ("bigint", type_of(&f, f.orders, "uniform_int(1, 3000000000)"));
	fixture_release(&f);
}

static void test_expr__draw_numbering(void)
{
	struct fixture f;
	struct expr *e;
	fixture_init(&f);
	/* pre-order, left to right: the outer call before its arguments */
	e = resolved(&f, f.orders, "uniform(0, 1) + CASE WHEN uniform_int(1, 2) = 1 "
				   "THEN uniform(uniform(0, 1), 2) ELSE 0 END");
	CHECK(e != NULL);
	if (e) {
		struct expr *c = e->args[1];
		CHECK_INT_EQ(1, e->args[0]->draw);
		CHECK_INT_EQ(2, c->args[0]->args[0]->draw);
		CHECK_INT_EQ(3, c->args[1]->draw);
		CHECK_INT_EQ(4, c->args[1]->args[0]->draw);
		CHECK_INT_EQ(0, c->args[2]->draw);
	}
	/* a simple CASE operand is one draw, however many WHENs share it */
	e = resolved(&f, f.orders, "concat(CASE uniform_int(1, 3) WHEN 1 THEN 'a' WHEN 2 THEN 'b' "
				   "WHEN 3 THEN 'c' END, cast(uniform_int(0, 9) AS string))");
	CHECK(e != NULL);
	if (e) {
		struct expr *c = e->args[0];
		CHECK_INT_EQ(1, c->args[0]->args[0]->draw);
		CHECK(c->args[2]->args[0] == c->args[0]->args[0]);
		CHECK_INT_EQ(2, e->args[1]->args[0]->draw);
	}
	/* other functions take no draw */
	e = resolved(&f, f.orders, "round(uniform(1, 2), 1) + abs(quantity)");
	CHECK(e && e->args[0]->draw == 0 && e->args[0]->args[0]->draw == 1 && e->args[1]->draw == 0);
	fixture_release(&f);
}

static void test_expr__rows_context(void)
{
	struct fixture f;
	fixture_init(&f);
	CHECK_STR_EQ("", resolve_errors(&f, f.orders, EXPR_CTX_ROWS,
					"greatest(1, round(target_rows * scale_factor / 10))"));
	CHECK_STR_EQ("3:10: unknown name 'amount' in a rows expression (allowed: target_rows, "
		     "scale_factor)", resolve_errors(&f, f.orders, EXPR_CTX_ROWS, "amount * 2"));
	CHECK_STR_EQ("3:10: unknown name 'target_row' in a rows expression (allowed: target_rows, "
		     "scale_factor) (did you mean 'target_rows'?)",
		     resolve_errors(&f, f.orders, EXPR_CTX_ROWS, "target_row / 2"));
	CHECK_STR_EQ("3:10: function 'year' is not allowed in a rows expression (allowed: numbers, "
		     "target_rows, scale_factor, + - * /, parentheses, round, floor, ceil, least, "
		     "greatest)", resolve_errors(&f, f.orders, EXPR_CTX_ROWS, "year(target_rows)"));
	CHECK_STR_EQ("3:22: '%' is not allowed in a rows expression (allowed: numbers, target_rows, "
		     "scale_factor, + - * /, parentheses, round, floor, ceil, least, greatest)",
		     resolve_errors(&f, f.orders, EXPR_CTX_ROWS, "target_rows % 7"));
	CHECK_STR_EQ("3:10: string 'abc' is not allowed in a rows expression (allowed: numbers, "
		     "target_rows, scale_factor, + - * /, parentheses, round, floor, ceil, least, "
		     "greatest)", resolve_errors(&f, f.orders, EXPR_CTX_ROWS, "'abc'"));
	CHECK_STR_EQ("3:10: unknown function 'flor' (did you mean 'floor'?)",
		     resolve_errors(&f, f.orders, EXPR_CTX_ROWS, "flor(target_rows)"));
	fixture_release(&f);
}

static double eval_rows(struct arena *a, const char *src, int64_t target, double sf,
			char **err)
{
	struct diags d = DIAGS_INIT;
	struct expr *e;
	double v = -12345;
	*err = NULL;
	if (expr_parse(&e, src, &base_loc, EXPR_CTX_ROWS, a, &d) < 0 ||
	    expr_resolve(e, NULL, NULL, NULL, EXPR_CTX_ROWS, &d) < 0 ||
	    expr_eval_rows(&v, e, target, sf, &d) < 0)
		*err = diag_text(a, &d);
	diags_release(&d);
	return v;
}

static void test_expr__eval_rows(void)
{
	struct arena a = ARENA_INIT;
	char *err;
	CHECK(eval_rows(&a, "target_rows / 10", 10000, 1, &err) == 1000 && !err);
	CHECK(eval_rows(&a, "target_rows * scale_factor", 10, 2.5, &err) == 25 && !err);
	CHECK(eval_rows(&a, "-(target_rows - 3) * 2", 10, 1, &err) == -14 && !err);
	CHECK(eval_rows(&a, "round(target_rows * 0.25)", 10, 1, &err) == 3 && !err);
	CHECK(eval_rows(&a, "round(-2.5)", 10, 1, &err) == -3 && !err);
	CHECK(eval_rows(&a, "round(2.675, 2)", 10, 1, &err) == 2.68 && !err);
	CHECK(eval_rows(&a, "round(1.005, 2)", 10, 1, &err) == 1.01 && !err);
	CHECK(eval_rows(&a, "round(1234.5, -2)", 10, 1, &err) == 1200 && !err);
	CHECK(eval_rows(&a, "round(1250, -2)", 10, 1, &err) == 1300 && !err);
	CHECK(eval_rows(&a, "round(999.96, 1)", 10, 1, &err) == 1000 && !err);
	CHECK(eval_rows(&a, "round(0.0004, 3)", 10, 1, &err) == 0 && !err);
	CHECK(eval_rows(&a, "round(0.0005, 3)", 10, 1, &err) == 0.001 && !err);
	CHECK(eval_rows(&a, "round(49, -2)", 10, 1, &err) == 0 && !err);
	CHECK(eval_rows(&a, "round(50, -2)", 10, 1, &err) == 100 && !err);
	CHECK(eval_rows(&a, "round(3.14159, 10)", 10, 1, &err) == 3.14159 && !err);
	CHECK(eval_rows(&a, "floor(target_rows / 3)", 10, 1, &err) == 3 && !err);
	CHECK(eval_rows(&a, "ceil(target_rows / 3)", 10, 1, &err) == 4 && !err);
	CHECK(eval_rows(&a, "least(target_rows, 500, 7 * 100)", 10000, 1, &err) == 500 && !err);
	CHECK(eval_rows(&a, "greatest(1, target_rows / 1000)", 10, 1, &err) == 1 && !err);
	CHECK(eval_rows(&a, "1e3 + .5", 10, 1, &err) == 1000.5 && !err);

	eval_rows(&a, "target_rows / (scale_factor - 1)", 10, 1, &err);
	CHECK_STR_EQ("3:22: division by zero in rows expression", err);
	eval_rows(&a, "1e308 * 10", 10, 1, &err);
	CHECK_STR_EQ("3:16: rows expression is not a finite number", err);
	arena_release(&a);
}

static void test_expr__assignable(void)
{
	struct col_type b = {TYPE_BOOLEAN, 0, 0, 0}, i = {TYPE_INT, 0, 0, 0},
			l = {TYPE_BIGINT, 0, 0, 0}, d = {TYPE_DOUBLE, 0, 0, 0},
			dec = {TYPE_DECIMAL, 18, 2, 0}, dec2 = {TYPE_DECIMAL, 5, 4, 0},
			s = {TYPE_STRING, 0, 0, 0}, v = {TYPE_VARCHAR, 0, 0, 10},
			dt = {TYPE_DATE, 0, 0, 0}, ts = {TYPE_TIMESTAMP, 0, 0, 0};
	CHECK(expr_type_assignable(&i, &i));
	CHECK(expr_type_assignable(&i, &l));
	CHECK(expr_type_assignable(&i, &d));
	CHECK(expr_type_assignable(&i, &dec));
	CHECK(expr_type_assignable(&l, &d));
	CHECK(expr_type_assignable(&l, &dec));
	CHECK(expr_type_assignable(&d, &dec));
	CHECK(expr_type_assignable(&dec, &d));
	CHECK(expr_type_assignable(&dec, &dec2));
	CHECK(!expr_type_assignable(&l, &i));
	CHECK(!expr_type_assignable(&d, &i));
	CHECK(!expr_type_assignable(&d, &l));
	CHECK(!expr_type_assignable(&dec, &l));
	CHECK(!expr_type_assignable(&i, &s));
	CHECK(!expr_type_assignable(&dt, &s));
	CHECK(expr_type_assignable(&s, &v));
	CHECK(expr_type_assignable(&v, &s));
	CHECK(!expr_type_assignable(&s, &dt));
	CHECK(expr_type_assignable(&dt, &ts));
	CHECK(!expr_type_assignable(&ts, &dt));
	CHECK(expr_type_assignable(&b, &b));
	CHECK(!expr_type_assignable(&b, &i));
	CHECK(!expr_type_assignable(&i, &b));
	CHECK(!expr_type_assignable(&s, &b));
}

struct seen {
	const char *names[8];
	enum expr_kind kinds[8];
	size_t n;
};

static void collect(void *payload, const struct expr *node)
{
	struct seen *s = payload;
	if (s->n < 8) {
		s->names[s->n] = node->column->name;
		s->kinds[s->n] = node->kind;
		s->n++;
	}
}

static void test_expr__visit_columns(void)
{
	struct fixture f;
	struct expr *e;
	struct seen s = {{0}, {0}, 0};
	fixture_init(&f);
	e = resolved(&f, f.order_items, "quantity * products.list_price + coalesce(parent.amount, "
					"row_index, child_index)");
	CHECK(e != NULL);
	if (e) {
		expr_visit_columns(e, collect, &s);
		CHECK_INT_EQ(3, s.n);
		CHECK_STR_EQ("quantity", s.names[0]);
		CHECK_INT_EQ(EXPR_COLUMN, s.kinds[0]);
		CHECK_STR_EQ("list_price", s.names[1]);
		CHECK_INT_EQ(EXPR_REF, s.kinds[1]);
		CHECK_STR_EQ("amount", s.names[2]);
		CHECK_INT_EQ(EXPR_PARENT, s.kinds[2]);
	}
	fixture_release(&f);
}

static const struct harness_test tests[] = {
	{"expr__precedence", test_expr__precedence},
	{"expr__forms", test_expr__forms},
	{"expr__simple_case_shares_operand", test_expr__simple_case_shares_operand},
	{"expr__literals", test_expr__literals},
	{"expr__syntax_errors", test_expr__syntax_errors},
	{"expr__nesting_limit", test_expr__nesting_limit},
	{"expr__location_without_base", test_expr__location_without_base},
	{"expr__resolve_names", test_expr__resolve_names},
	{"expr__resolve_errors", test_expr__resolve_errors},
	{"expr__type_errors", test_expr__type_errors},
	{"expr__types", test_expr__types},
	{"expr__draw_numbering", test_expr__draw_numbering},
	{"expr__rows_context", test_expr__rows_context},
	{"expr__eval_rows", test_expr__eval_rows},
	{"expr__assignable", test_expr__assignable},
	{"expr__visit_columns", test_expr__visit_columns},
	{0, 0},
};

HARNESS_MAIN(tests)
