/*
 * expr_parse: the lexer and recursive-descent parser of the expression
 * language (docs/expressions.md).  Text in, untyped AST out; names stay
 * EXPR_NAME until expr_resolve() (expr_check.c) binds them.
 *
 * Every token carries the line and column it starts at, computed from the
 * position of src[0] in the config file: a newline moves to the next line,
 * column 1; columns count characters (UTF-8 continuation bytes do not move
 * the column).  Binary, IN, BETWEEN and IS nodes are located at their
 * operator, calls at the function name, CASE and CAST at their keyword.
 *
 * Precedence, lowest first (Spark's): OR; AND; NOT; comparisons, IS [NOT]
 * NULL, [NOT] BETWEEN, [NOT] IN; + - ||; * / %; unary minus.  A simple CASE
 * (`CASE x WHEN v THEN r ...`) is desugared into `CASE WHEN x = v THEN r`,
 * every `=` sharing the one node of x.  A minus directly before a numeric
 * literal is folded into the literal.  Parsing stops at the first syntax
 * error.
 */
#include "expr.h"
#include "arena.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 200

enum tok_kind {
	T_EOF,
	T_INT,    /* 123, 123L */
	T_DEC,    /* 1.5, .5, 1., 12BD */
	T_DBL,    /* 1e3, 1.5D */
	T_STR,    /* 'text' */
	T_IDENT,  /* names and keywords */
	T_QIDENT, /* `name` */
	T_OP,     /* punctuation and operators */
};

struct token {
	enum tok_kind kind;
	size_t off, len;      /* source span */
	struct src_loc loc;
	char suffix;          /* numbers: 0, 'L', 'D' or 'B' (BD) */
	size_t num_len;       /* numbers: length without the suffix */
};

struct parser {
	const char *src;
	size_t len;
	size_t pos;           /* lexer position */
	struct src_loc at;    /* location of src[pos] */
	struct token tok;     /* current token */
	struct token next;    /* one token of lookahead, valid when has_next */
	bool has_next;
	struct arena *arena;
	struct diags *diags;
	int depth;
	bool failed;
};

/* ---- lexer -------------------------------------------------------------- */

static bool is_ident_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_ident_char(int c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9');
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static void advance(struct parser *p)
{
	unsigned char c = (unsigned char)p->src[p->pos];
	if (c == '\n') {
		p->at.line++;
		p->at.col = 1;
	} else if ((c & 0xC0) != 0x80) {
		p->at.col++;
	}
	p->pos++;
}

static void advance_n(struct parser *p, size_t n)
{
	while (n-- && p->pos < p->len)
		advance(p);
}

static int peek_char(const struct parser *p, size_t ahead)
{
	return p->pos + ahead < p->len ? (unsigned char)p->src[p->pos + ahead] : 0;
}

static int syntax_error(struct parser *p, const struct src_loc *loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int syntax_error(struct parser *p, const struct src_loc *loc, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	if (p->failed)
		return -1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p->failed = true;
	return diag_error(p->diags, loc, "%s", msg);
}

/* Lexes a number starting at p->pos into t. */
static int lex_number(struct parser *p, struct token *t)
{
	size_t i = p->pos;
	bool frac = false, expo = false;

	while (i < p->len && is_digit(p->src[i]))
		i++;
	if (i < p->len && p->src[i] == '.') {
		frac = true;
		i++;
		while (i < p->len && is_digit(p->src[i]))
			i++;
	}
	if (i < p->len && (p->src[i] == 'e' || p->src[i] == 'E')) {
		size_t j = i + 1;
		if (j < p->len && (p->src[j] == '+' || p->src[j] == '-'))
			j++;
		if (j < p->len && is_digit(p->src[j])) {
			expo = true;
			i = j;
			while (i < p->len && is_digit(p->src[i]))
				i++;
		}
	}
	t->num_len = i - p->pos;
	t->kind = expo ? T_DBL : frac ? T_DEC : T_INT;
	t->suffix = 0;
	if (i < p->len) {
		char c = p->src[i];
		if ((c == 'L' || c == 'l') && !frac && !expo) {
			t->suffix = 'L';
			i++;
		} else if (c == 'D' || c == 'd') {
			t->suffix = 'D';
			t->kind = T_DBL;
			i++;
		} else if ((c == 'B' || c == 'b') && i + 1 < p->len &&
			   (p->src[i + 1] == 'D' || p->src[i + 1] == 'd') && !expo) {
			t->suffix = 'B';
			t->kind = T_DEC;
			i += 2;
		}
	}
	t->len = i - p->pos;
	if (i < p->len && (is_ident_char(p->src[i]) || p->src[i] == '.')) {
		size_t end = i;
		while (end < p->len && (is_ident_char(p->src[end]) || p->src[end] == '.'))
			end++;
		return syntax_error(p, &t->loc, "invalid number '%.*s'", (int)(end - p->pos),
				    p->src + p->pos);
	}
	return 0;
}

static int lex(struct parser *p, struct token *t)
{
	int c;

	for (;;) {
		c = peek_char(p, 0);
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v')
			advance(p);
		else
			break;
	}
	memset(t, 0, sizeof(*t));
	t->off = p->pos;
	t->loc = p->at;
	if (p->pos >= p->len) {
		t->kind = T_EOF;
		return 0;
	}
	c = peek_char(p, 0);
	if ((c == '-' && peek_char(p, 1) == '-') || (c == '/' && peek_char(p, 1) == '*'))
		return syntax_error(p, &t->loc, "comments are not allowed in expressions "
				    "('%c%c' starts a comment in Spark SQL)", c, peek_char(p, 1));
	if (is_digit(c) || (c == '.' && is_digit(peek_char(p, 1)))) {
		if (lex_number(p, t) < 0)
			return -1;
	} else if (is_ident_start(c)) {
		size_t i = p->pos;
		while (i < p->len && is_ident_char(p->src[i]))
			i++;
		t->kind = T_IDENT;
		t->len = i - p->pos;
	} else if (c == '\'') {
		size_t i = p->pos + 1;
		for (;;) {
			if (i >= p->len)
				return syntax_error(p, &t->loc, "unterminated string literal");
			if (p->src[i] == '\'') {
				if (i + 1 < p->len && p->src[i + 1] == '\'') {
					i += 2;
					continue;
				}
				break;
			}
			i++;
		}
		t->kind = T_STR;
		t->len = i + 1 - p->pos;
	} else if (c == '`') {
		size_t i = p->pos + 1;
		for (;;) {
			if (i >= p->len)
				return syntax_error(p, &t->loc, "unterminated quoted identifier");
			if (p->src[i] == '`') {
				if (i + 1 < p->len && p->src[i + 1] == '`') {
					i += 2;
					continue;
				}
				break;
			}
			i++;
		}
		if (i == p->pos + 1)
			return syntax_error(p, &t->loc, "empty quoted identifier");
		t->kind = T_QIDENT;
		t->len = i + 1 - p->pos;
	} else {
		static const char *const ops[] = {
			"==", "!=", "<>", "<=", ">=", "||",
			"=", "<", ">", "+", "-", "*", "/", "%", "(", ")", ",", ".",
		};
		t->kind = T_OP;
		for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
			size_t n = strlen(ops[k]);
			if (p->pos + n <= p->len && memcmp(p->src + p->pos, ops[k], n) == 0) {
				t->len = n;
				break;
			}
		}
		if (!t->len) {
			if (c == '"')
				return syntax_error(p, &t->loc,
						    "unexpected character '\"' in expression "
						    "(strings are written in single quotes)");
			if (c < 0x20 || c >= 0x7f)
				return syntax_error(p, &t->loc,
						    "unexpected character in expression (byte 0x%02x)", c);
			return syntax_error(p, &t->loc, "unexpected character '%c' in expression", c);
		}
	}
	advance_n(p, t->len);
	return 0;
}

static int next_token(struct parser *p)
{
	if (p->has_next) {
		p->tok = p->next;
		p->has_next = false;
		return 0;
	}
	return lex(p, &p->tok);
}

static const struct token *peek_token(struct parser *p)
{
	if (!p->has_next) {
		if (lex(p, &p->next) < 0)
			return NULL;
		p->has_next = true;
	}
	return &p->next;
}

/* ---- token tests -------------------------------------------------------- */

static bool tok_is_op(const struct token *t, const char *src, const char *op)
{
	return t->kind == T_OP && t->len == strlen(op) && memcmp(src + t->off, op, t->len) == 0;
}

static bool span_is_kw(const char *s, size_t len, const char *kw)
{
	if (strlen(kw) != len)
		return false;
	for (size_t i = 0; i < len; i++) {
		int c = (unsigned char)s[i];
		if (c >= 'a' && c <= 'z')
			c -= 'a' - 'A';
		if (c != kw[i])
			return false;
	}
	return true;
}

static bool tok_is_kw(const struct token *t, const char *src, const char *kw)
{
	return t->kind == T_IDENT && span_is_kw(src + t->off, t->len, kw);
}

static bool is_op(const struct parser *p, const char *op)
{
	return tok_is_op(&p->tok, p->src, op);
}

static bool is_kw(const struct parser *p, const char *kw)
{
	return tok_is_kw(&p->tok, p->src, kw);
}

/* Words that cannot start or be an operand. */
static bool is_reserved(const struct token *t, const char *src)
{
	static const char *const words[] = {
		"AND", "OR", "NOT", "IS", "IN", "BETWEEN", "WHEN", "THEN", "ELSE", "END", "AS",
	};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (tok_is_kw(t, src, words[i]))
			return true;
	return false;
}

/* "'x'", "string 'abc'" or "end of expression", for messages. */
static void describe_token(char *buf, size_t size, const struct parser *p)
{
	const struct token *t = &p->tok;
	int n = (int)(t->len > 40 ? 40 : t->len);
	const char *dots = t->len > 40 ? "..." : "";
	if (t->kind == T_EOF)
		snprintf(buf, size, "end of expression");
	else if (t->kind == T_STR)
		snprintf(buf, size, "string %.*s%s", n, p->src + t->off, dots);
	else
		snprintf(buf, size, "'%.*s%s'", n, p->src + t->off, dots);
}

static int expected(struct parser *p, const char *what)
{
	char found[64];
	describe_token(found, sizeof(found), p);
	return syntax_error(p, &p->tok.loc, "syntax error in expression: expected %s but found %s",
			    what, found);
}

static int expect_op(struct parser *p, const char *op)
{
	char what[16];
	if (!is_op(p, op)) {
		snprintf(what, sizeof(what), "'%s'", op);
		return expected(p, what);
	}
	return next_token(p);
}

static int expect_kw(struct parser *p, const char *kw)
{
	char what[16];
	if (!is_kw(p, kw)) {
		snprintf(what, sizeof(what), "'%s'", kw);
		return expected(p, what);
	}
	return next_token(p);
}

/* ---- nodes -------------------------------------------------------------- */

static struct expr *new_node(struct parser *p, enum expr_kind kind, const struct src_loc *loc)
{
	struct expr *e = arena_alloc(p->arena, sizeof(*e));
	e->kind = kind;
	e->loc = *loc;
	return e;
}

/* A growing argument list; copied into the arena when complete. */
struct arglist {
	struct expr **items;
	size_t n, cap;
};

static void arglist_push(struct parser *p, struct arglist *l, struct expr *e)
{
	l->items = arena_grow_array(p->arena, l->items, sizeof(*l->items), &l->cap, l->n + 1);
	l->items[l->n++] = e;
}

static void set_args(struct expr *e, struct arglist *l)
{
	e->args = l->items;
	e->n_args = l->n;
}

static struct expr *new_binary(struct parser *p, enum expr_op op, const struct src_loc *loc,
			       struct expr *l, struct expr *r)
{
	struct expr *e = new_node(p, EXPR_BINARY, loc);
	e->op = op;
	e->args = arena_calloc(p->arena, 2, sizeof(*e->args));
	e->args[0] = l;
	e->args[1] = r;
	e->n_args = 2;
	return e;
}

/* The unescaped text of a quoted token (string or identifier). */
static char *unquote(struct parser *p, const struct token *t, char q)
{
	char *out = arena_alloc(p->arena, t->len);
	size_t n = 0;
	for (size_t i = t->off + 1; i < t->off + t->len - 1; i++) {
		out[n++] = p->src[i];
		if (p->src[i] == q)
			i++;
	}
	out[n] = 0;
	return out;
}

/* ---- dates -------------------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
	static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : dim[m - 1];
}

static bool digits_at(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return false;
	return true;
}

static int num_at(const char *s, size_t n)
{
	int v = 0;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* 'YYYY-MM-DD' -> days; -1 when malformed. */
static int parse_date_text(int64_t *days, const char *s)
{
	int y, m, d;
	if (strlen(s) < 10 || !digits_at(s, 4) || s[4] != '-' || !digits_at(s + 5, 2) ||
	    s[7] != '-' || !digits_at(s + 8, 2))
		return -1;
	y = num_at(s, 4);
	m = num_at(s + 5, 2);
	d = num_at(s + 8, 2);
	if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return -1;
	*days = days_from_civil(y, m, d);
	return 0;
}

/* 'YYYY-MM-DD[( |T)HH:MM[:SS]]' -> seconds since the epoch (UTC); -1 when malformed. */
static int parse_timestamp_text(int64_t *secs, const char *s)
{
	int64_t days;
	int hh = 0, mi = 0, ss = 0;
	size_t n = strlen(s);
	if (parse_date_text(&days, s) < 0)
		return -1;
	if (n > 10) {
		const char *t = s + 11;
		if (s[10] != ' ' && s[10] != 'T')
			return -1;
		if (n != 16 && n != 19)
			return -1;
		if (!digits_at(t, 2) || t[2] != ':' || !digits_at(t + 3, 2))
			return -1;
		hh = num_at(t, 2);
		mi = num_at(t + 3, 2);
		if (n == 19) {
			if (t[5] != ':' || !digits_at(t + 6, 2))
				return -1;
			ss = num_at(t + 6, 2);
		}
		if (hh > 23 || mi > 59 || ss > 59)
			return -1;
	}
	*secs = days * 86400 + hh * 3600 + mi * 60 + ss;
	return 0;
}

/* ---- grammar ------------------------------------------------------------ */

static struct expr *parse_expr(struct parser *p);

static bool enter(struct parser *p)
{
	if (++p->depth > MAX_DEPTH) {
		syntax_error(p, &p->tok.loc, "expression nested too deeply (more than %d levels)",
			     MAX_DEPTH);
		return false;
	}
	return true;
}

/* Number of significant digits of a digit string (leading zeros dropped, at least 1). */
static int count_digits(const char *s, size_t n)
{
	size_t i = 0;
	while (i + 1 < n && s[i] == '0')
		i++;
	return (int)(n - i);
}

static struct expr *number_literal(struct parser *p)
{
	const struct token *t = &p->tok;
	struct expr *e = new_node(p, EXPR_LITERAL, &t->loc);
	const char *text = arena_strndup(p->arena, p->src + t->off, t->num_len);

	e->lit_text = text;
	if (t->kind == T_INT) {
		char *end;
		long long v;
		errno = 0;
		v = strtoll(text, &end, 10);
		if (errno == 0 && *end == 0) {
			e->lit.kind = VAL_INT;
			e->lit.i = v;
			e->type.kind = t->suffix == 'L' || v > INT32_MAX ? TYPE_BIGINT : TYPE_INT;
			return e;
		}
		if (t->suffix == 'L' || count_digits(text, t->num_len) > 38) {
			syntax_error(p, &t->loc, "number '%s' is out of range for %s", text,
				     t->suffix == 'L' ? "bigint" : "decimal(38,0)");
			return NULL;
		}
		/* beyond bigint: a decimal(n,0), as in Spark */
		e->lit.kind = VAL_DOUBLE;
		e->lit.d = strtod(text, NULL);
		e->lit.s = text;
		e->type.kind = TYPE_DECIMAL;
		e->type.precision = count_digits(text, t->num_len);
		e->type.scale = 0;
		return e;
	}
	e->lit.kind = VAL_DOUBLE;
	e->lit.d = strtod(text, NULL);
	e->lit.s = text;
	if (t->kind == T_DEC) {
		/* decimal(p,s): s digits after the point, p the digits of the unscaled value */
		const char *dot = memchr(text, '.', t->num_len);
		size_t int_len = dot ? (size_t)(dot - text) : t->num_len;
		int scale = dot ? (int)(t->num_len - int_len - 1) : 0;
		char digits[128];
		size_t nd = 0;
		int prec;
		for (size_t i = 0; i < t->num_len && nd < sizeof(digits); i++)
			if (is_digit(text[i]))
				digits[nd++] = text[i];
		if (t->num_len >= sizeof(digits)) {
			prec = 39;
		} else {
			prec = count_digits(digits, nd);
			if (nd == 0)
				prec = 1;
		}
		if (prec < scale)
			prec = scale;
		if (prec > 38) {
			/* too wide for a decimal: Spark reads it as a double */
			e->type.kind = TYPE_DOUBLE;
		} else {
			e->type.kind = TYPE_DECIMAL;
			e->type.precision = prec;
			e->type.scale = scale;
		}
		return e;
	}
	e->type.kind = TYPE_DOUBLE;
	return e;
}

/* `-` applied directly to a numeric literal: negate the literal in place. */
static struct expr *fold_negative(struct parser *p, struct expr *lit, const struct src_loc *loc)
{
	size_t n = strlen(lit->lit_text);
	char *text = arena_alloc(p->arena, n + 2);
	if (lit->lit_text[0] == '-') {
		memcpy(text, lit->lit_text + 1, n);
	} else {
		text[0] = '-';
		memcpy(text + 1, lit->lit_text, n + 1);
	}
	if (lit->lit.kind == VAL_INT) {
		/* the type stays: -2147483648 is a bigint, as in Spark */
		if (lit->lit.i == INT64_MIN)
			return NULL;
		lit->lit.i = -lit->lit.i;
	} else {
		lit->lit.d = -lit->lit.d;
		lit->lit.s = text;
	}
	lit->lit_text = text;
	lit->loc = *loc;
	return lit;
}

static int parse_type(struct parser *p, struct col_type *out)
{
	static const char *const names[] = {
		"boolean", "int", "integer", "bigint", "long", "double", "decimal",
		"string", "varchar", "date", "timestamp",
	};
	const struct token t = p->tok;
	char word[32];
	size_t k;

	memset(out, 0, sizeof(*out));
	if (t.kind != T_IDENT)
		return expected(p, "a type");
	snprintf(word, sizeof(word), "%.*s", (int)(t.len < 31 ? t.len : 31), p->src + t.off);
	for (char *c = word; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
		if (t.len < 31 && strcmp(word, names[k]) == 0)
			break;
	if (k == sizeof(names) / sizeof(names[0])) {
		static const char *const shown[] = {
			"boolean", "int", "bigint", "double", "decimal", "string", "varchar", "date",
			"timestamp",
		};
		const char *best = diag_closest(word, shown, sizeof(shown) / sizeof(shown[0]));
		if (best)
			return syntax_error(p, &t.loc, "unknown type '%s' in cast (did you mean '%s'?)",
					    word, best);
		return syntax_error(p, &t.loc,
				    "unknown type '%s' in cast (allowed: boolean, int, bigint, double, "
				    "decimal(p,s), string, varchar(n), date, timestamp)", word);
	}
	switch (k) {
	case 0: out->kind = TYPE_BOOLEAN; break;
	case 1: case 2: out->kind = TYPE_INT; break;
	case 3: case 4: out->kind = TYPE_BIGINT; break;
	case 5: out->kind = TYPE_DOUBLE; break;
	case 6: out->kind = TYPE_DECIMAL; out->precision = 10; out->scale = 0; break;
	case 7: out->kind = TYPE_STRING; break;
	case 8: out->kind = TYPE_VARCHAR; break;
	case 9: out->kind = TYPE_DATE; break;
	default: out->kind = TYPE_TIMESTAMP; break;
	}
	if (next_token(p) < 0)
		return -1;
	if (out->kind == TYPE_DECIMAL || out->kind == TYPE_VARCHAR) {
		long v[2] = {0, 0};
		struct src_loc vloc[2];
		int n = 0;
		if (!is_op(p, "(")) {
			if (out->kind == TYPE_VARCHAR)
				return expected(p, "'(' (varchar needs a length)");
			return 0;
		}
		do {
			if (next_token(p) < 0)
				return -1;
			if (p->tok.kind != T_INT || p->tok.suffix)
				return expected(p, "an integer");
			vloc[n] = p->tok.loc;
			v[n] = p->tok.num_len > 6 ? 1000000 : strtol(p->src + p->tok.off, NULL, 10);
			n++;
			if (next_token(p) < 0)
				return -1;
		} while (n < (out->kind == TYPE_DECIMAL ? 2 : 1) && is_op(p, ","));
		if (expect_op(p, ")") < 0)
			return -1;
		if (out->kind == TYPE_VARCHAR) {
			if (v[0] < 1 || v[0] > 8000)
				return syntax_error(p, &vloc[0],
						    "varchar length %ld is out of range (1 to 8000)", v[0]);
			out->length = (int)v[0];
		} else {
			if (v[0] < 1 || v[0] > 38)
				return syntax_error(p, &vloc[0],
						    "decimal precision %ld is out of range (1 to 38)", v[0]);
			if (n == 2 && v[1] > v[0])
				return syntax_error(p, &vloc[1],
						    "decimal scale %ld is out of range (0 to %ld)", v[1],
						    v[0]);
			out->precision = (int)v[0];
			out->scale = n == 2 ? (int)v[1] : 0;
		}
	}
	return 0;
}

static struct expr *parse_cast(struct parser *p)
{
	struct expr *e = new_node(p, EXPR_CAST, &p->tok.loc);
	struct expr *arg;
	if (next_token(p) < 0 || expect_op(p, "(") < 0)
		return NULL;
	arg = parse_expr(p);
	if (!arg || expect_kw(p, "AS") < 0 || parse_type(p, &e->cast_type) < 0 ||
	    expect_op(p, ")") < 0)
		return NULL;
	e->args = arena_calloc(p->arena, 1, sizeof(*e->args));
	e->args[0] = arg;
	e->n_args = 1;
	return e;
}

static struct expr *parse_case(struct parser *p)
{
	struct expr *e = new_node(p, EXPR_CASE, &p->tok.loc);
	struct expr *operand = NULL;
	struct arglist l = {0};

	if (next_token(p) < 0)
		return NULL;
	if (!is_kw(p, "WHEN")) {
		operand = parse_expr(p);
		if (!operand)
			return NULL;
	}
	if (!is_kw(p, "WHEN")) {
		expected(p, "'WHEN'");
		return NULL;
	}
	while (is_kw(p, "WHEN")) {
		struct src_loc wloc;
		struct expr *when, *then;
		if (next_token(p) < 0)
			return NULL;
		wloc = p->tok.loc;
		when = parse_expr(p);
		if (!when || expect_kw(p, "THEN") < 0)
			return NULL;
		then = parse_expr(p);
		if (!then)
			return NULL;
		if (operand)
			when = new_binary(p, OP_EQ, &wloc, operand, when);
		arglist_push(p, &l, when);
		arglist_push(p, &l, then);
	}
	if (is_kw(p, "ELSE")) {
		struct expr *els;
		if (next_token(p) < 0)
			return NULL;
		els = parse_expr(p);
		if (!els)
			return NULL;
		arglist_push(p, &l, els);
		e->has_else = true;
	}
	if (expect_kw(p, "END") < 0)
		return NULL;
	set_args(e, &l);
	return e;
}

static char *lower_dup(struct parser *p, const char *s, size_t n)
{
	char *out = arena_strndup(p->arena, s, n);
	for (char *c = out; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	return out;
}

/* The text of an identifier token (unquoted for `x`). */
static const char *ident_text(struct parser *p, const struct token *t)
{
	if (t->kind == T_QIDENT)
		return unquote(p, t, '`');
	return arena_strndup(p->arena, p->src + t->off, t->len);
}

static struct expr *parse_call(struct parser *p, const struct token *name)
{
	struct expr *e = new_node(p, EXPR_CALL, &name->loc);
	struct arglist l = {0};

	if (name->kind == T_QIDENT) {
		const char *s = unquote(p, name, '`');
		e->name = lower_dup(p, s, strlen(s));
	} else {
		e->name = lower_dup(p, p->src + name->off, name->len);
	}
	if (next_token(p) < 0) /* the '(' */
		return NULL;
	if (is_op(p, ")"))
		return next_token(p) < 0 ? NULL : e;
	for (;;) {
		struct expr *a = parse_expr(p);
		if (!a)
			return NULL;
		arglist_push(p, &l, a);
		if (is_op(p, ",")) {
			if (next_token(p) < 0)
				return NULL;
			continue;
		}
		if (!is_op(p, ")")) {
			expected(p, "',' or ')'");
			return NULL;
		}
		if (next_token(p) < 0)
			return NULL;
		break;
	}
	set_args(e, &l);
	return e;
}

static struct expr *parse_name(struct parser *p)
{
	const struct token first = p->tok;
	const struct token *la = peek_token(p);
	struct expr *e;

	if (!la)
		return NULL;
	if (tok_is_op(la, p->src, "(")) {
		if (next_token(p) < 0)
			return NULL;
		return parse_call(p, &first);
	}
	e = new_node(p, EXPR_NAME, &first.loc);
	if (tok_is_op(la, p->src, ".")) {
		if (next_token(p) < 0 || next_token(p) < 0)
			return NULL;
		if ((p->tok.kind != T_IDENT && p->tok.kind != T_QIDENT) ||
		    (p->tok.kind == T_IDENT && is_reserved(&p->tok, p->src))) {
			expected(p, "a column name after '.'");
			return NULL;
		}
		e->qualifier = ident_text(p, &first);
		e->name = ident_text(p, &p->tok);
	} else {
		e->name = ident_text(p, &first);
	}
	if (next_token(p) < 0)
		return NULL;
	if (is_op(p, ".")) {
		expected(p, "an operator (names have at most one qualifier)");
		return NULL;
	}
	return e;
}

static struct expr *typed_literal(struct parser *p, bool is_date)
{
	struct expr *e = new_node(p, EXPR_LITERAL, &p->tok.loc);
	const char *text;
	if (next_token(p) < 0) /* the string */
		return NULL;
	text = unquote(p, &p->tok, '\'');
	if (is_date) {
		if (parse_date_text(&e->lit.i, text) < 0 || strlen(text) != 10) {
			syntax_error(p, &p->tok.loc, "invalid date '%s' (expected 'YYYY-MM-DD')", text);
			return NULL;
		}
		e->lit.kind = VAL_DATE;
		e->type.kind = TYPE_DATE;
	} else {
		if (parse_timestamp_text(&e->lit.i, text) < 0) {
			syntax_error(p, &p->tok.loc,
				     "invalid timestamp '%s' (expected 'YYYY-MM-DD HH:MM:SS')", text);
			return NULL;
		}
		e->lit.kind = VAL_TIMESTAMP;
		e->type.kind = TYPE_TIMESTAMP;
	}
	e->lit_text = text;
	if (next_token(p) < 0)
		return NULL;
	return e;
}

static struct expr *parse_primary(struct parser *p)
{
	const struct token *t = &p->tok;
	struct expr *e;

	switch (t->kind) {
	case T_INT:
	case T_DEC:
	case T_DBL:
		e = number_literal(p);
		if (!e || next_token(p) < 0)
			return NULL;
		return e;
	case T_STR:
		e = new_node(p, EXPR_LITERAL, &t->loc);
		e->lit.kind = VAL_STRING;
		e->lit.s = unquote(p, t, '\'');
		e->type.kind = TYPE_STRING;
		if (next_token(p) < 0)
			return NULL;
		return e;
	case T_QIDENT:
		return parse_name(p);
	case T_IDENT:
		break;
	default:
		if (is_op(p, "(")) {
			if (next_token(p) < 0)
				return NULL;
			e = parse_expr(p);
			if (!e || expect_op(p, ")") < 0)
				return NULL;
			return e;
		}
		expected(p, "an expression");
		return NULL;
	}
	if (is_kw(p, "TRUE") || is_kw(p, "FALSE")) {
		e = new_node(p, EXPR_LITERAL, &t->loc);
		e->lit.kind = VAL_BOOL;
		e->lit.b = is_kw(p, "TRUE");
		e->type.kind = TYPE_BOOLEAN;
		return next_token(p) < 0 ? NULL : e;
	}
	if (is_kw(p, "NULL")) {
		e = new_node(p, EXPR_LITERAL, &t->loc);
		e->lit.kind = VAL_NULL;
		e->type.kind = TYPE_STRING;
		e->is_null_literal = true;
		return next_token(p) < 0 ? NULL : e;
	}
	if (is_kw(p, "CASE"))
		return parse_case(p);
	if (is_kw(p, "CAST")) {
		const struct token *la = peek_token(p);
		if (!la)
			return NULL;
		if (tok_is_op(la, p->src, "("))
			return parse_cast(p);
	}
	if (is_kw(p, "DATE") || is_kw(p, "TIMESTAMP")) {
		const struct token *la = peek_token(p);
		if (!la)
			return NULL;
		if (la->kind == T_STR)
			return typed_literal(p, is_kw(p, "DATE"));
	}
	if (is_reserved(t, p->src)) {
		expected(p, "an expression");
		return NULL;
	}
	return parse_name(p);
}

static struct expr *parse_unary(struct parser *p)
{
	struct expr *e, *operand;
	struct src_loc loc;

	if (!is_op(p, "-"))
		return parse_primary(p);
	loc = p->tok.loc;
	if (!enter(p) || next_token(p) < 0)
		return NULL;
	operand = parse_unary(p);
	p->depth--;
	if (!operand)
		return NULL;
	if (operand->kind == EXPR_LITERAL && operand->lit_text &&
	    (operand->lit.kind == VAL_INT || operand->lit.kind == VAL_DOUBLE)) {
		struct expr *folded = fold_negative(p, operand, &loc);
		if (folded)
			return folded;
	}
	e = new_node(p, EXPR_UNARY, &loc);
	e->op = OP_NEG;
	e->args = arena_calloc(p->arena, 1, sizeof(*e->args));
	e->args[0] = operand;
	e->n_args = 1;
	return e;
}

static struct expr *parse_mul(struct parser *p)
{
	struct expr *l = parse_unary(p);
	while (l) {
		enum expr_op op;
		struct src_loc loc = p->tok.loc;
		struct expr *r;
		if (is_op(p, "*"))
			op = OP_MUL;
		else if (is_op(p, "/"))
			op = OP_DIV;
		else if (is_op(p, "%"))
			op = OP_MOD;
		else
			break;
		if (next_token(p) < 0)
			return NULL;
		r = parse_unary(p);
		if (!r)
			return NULL;
		l = new_binary(p, op, &loc, l, r);
	}
	return l;
}

static struct expr *parse_additive(struct parser *p)
{
	struct expr *l = parse_mul(p);
	while (l) {
		enum expr_op op;
		struct src_loc loc = p->tok.loc;
		struct expr *r;
		if (is_op(p, "+"))
			op = OP_ADD;
		else if (is_op(p, "-"))
			op = OP_SUB;
		else if (is_op(p, "||"))
			op = OP_CONCAT;
		else
			break;
		if (next_token(p) < 0)
			return NULL;
		r = parse_mul(p);
		if (!r)
			return NULL;
		l = new_binary(p, op, &loc, l, r);
	}
	return l;
}

static enum expr_op comparison_op(const struct parser *p)
{
	if (is_op(p, "=") || is_op(p, "=="))
		return OP_EQ;
	if (is_op(p, "!=") || is_op(p, "<>"))
		return OP_NE;
	if (is_op(p, "<"))
		return OP_LT;
	if (is_op(p, "<="))
		return OP_LE;
	if (is_op(p, ">"))
		return OP_GT;
	if (is_op(p, ">="))
		return OP_GE;
	return OP_NONE;
}

static struct expr *parse_in_list(struct parser *p, struct expr *lhs, const struct src_loc *loc,
				  bool negated)
{
	struct expr *e = new_node(p, EXPR_IN, loc);
	struct arglist l = {0};
	e->negated = negated;
	arglist_push(p, &l, lhs);
	if (next_token(p) < 0 || expect_op(p, "(") < 0)
		return NULL;
	for (;;) {
		struct expr *a = parse_expr(p);
		if (!a)
			return NULL;
		arglist_push(p, &l, a);
		if (is_op(p, ",")) {
			if (next_token(p) < 0)
				return NULL;
			continue;
		}
		if (!is_op(p, ")")) {
			expected(p, "',' or ')'");
			return NULL;
		}
		if (next_token(p) < 0)
			return NULL;
		break;
	}
	set_args(e, &l);
	return e;
}

static struct expr *parse_between(struct parser *p, struct expr *lhs, const struct src_loc *loc,
				  bool negated)
{
	struct expr *e = new_node(p, EXPR_BETWEEN, loc);
	struct expr *lo, *hi;
	e->negated = negated;
	if (next_token(p) < 0)
		return NULL;
	lo = parse_additive(p);
	if (!lo || expect_kw(p, "AND") < 0)
		return NULL;
	hi = parse_additive(p);
	if (!hi)
		return NULL;
	e->args = arena_calloc(p->arena, 3, sizeof(*e->args));
	e->args[0] = lhs;
	e->args[1] = lo;
	e->args[2] = hi;
	e->n_args = 3;
	return e;
}

static struct expr *parse_predicate(struct parser *p)
{
	struct expr *l = parse_additive(p);
	while (l) {
		struct src_loc loc = p->tok.loc;
		enum expr_op op = comparison_op(p);
		if (op != OP_NONE) {
			struct expr *r;
			if (next_token(p) < 0)
				return NULL;
			r = parse_additive(p);
			if (!r)
				return NULL;
			l = new_binary(p, op, &loc, l, r);
		} else if (is_kw(p, "IS")) {
			struct expr *e = new_node(p, EXPR_IS_NULL, &loc);
			if (next_token(p) < 0)
				return NULL;
			if (is_kw(p, "NOT")) {
				e->negated = true;
				if (next_token(p) < 0)
					return NULL;
			}
			if (expect_kw(p, "NULL") < 0)
				return NULL;
			e->args = arena_calloc(p->arena, 1, sizeof(*e->args));
			e->args[0] = l;
			e->n_args = 1;
			l = e;
		} else if (is_kw(p, "IN")) {
			l = parse_in_list(p, l, &loc, false);
		} else if (is_kw(p, "BETWEEN")) {
			l = parse_between(p, l, &loc, false);
		} else if (is_kw(p, "NOT")) {
			if (next_token(p) < 0)
				return NULL;
			if (is_kw(p, "IN")) {
				l = parse_in_list(p, l, &loc, true);
			} else if (is_kw(p, "BETWEEN")) {
				l = parse_between(p, l, &loc, true);
			} else {
				expected(p, "'IN' or 'BETWEEN' after 'NOT'");
				return NULL;
			}
		} else {
			break;
		}
	}
	return l;
}

static struct expr *parse_not(struct parser *p)
{
	struct expr *e, *operand;
	struct src_loc loc;
	if (!is_kw(p, "NOT"))
		return parse_predicate(p);
	loc = p->tok.loc;
	if (!enter(p) || next_token(p) < 0)
		return NULL;
	operand = parse_not(p);
	p->depth--;
	if (!operand)
		return NULL;
	e = new_node(p, EXPR_UNARY, &loc);
	e->op = OP_NOT;
	e->args = arena_calloc(p->arena, 1, sizeof(*e->args));
	e->args[0] = operand;
	e->n_args = 1;
	return e;
}

static struct expr *parse_and(struct parser *p)
{
	struct expr *l = parse_not(p);
	while (l && is_kw(p, "AND")) {
		struct src_loc loc = p->tok.loc;
		struct expr *r;
		if (next_token(p) < 0)
			return NULL;
		r = parse_not(p);
		if (!r)
			return NULL;
		l = new_binary(p, OP_AND, &loc, l, r);
	}
	return l;
}

static struct expr *parse_or(struct parser *p)
{
	struct expr *l = parse_and(p);
	while (l && is_kw(p, "OR")) {
		struct src_loc loc = p->tok.loc;
		struct expr *r;
		if (next_token(p) < 0)
			return NULL;
		r = parse_and(p);
		if (!r)
			return NULL;
		l = new_binary(p, OP_OR, &loc, l, r);
	}
	return l;
}

static struct expr *parse_expr(struct parser *p)
{
	struct expr *e;
	if (!enter(p))
		return NULL;
	e = parse_or(p);
	p->depth--;
	return e;
}

int expr_parse(struct expr **out, const char *src, const struct src_loc *loc,
	       enum expr_context ctx, struct arena *arena, struct diags *diags)
{
	struct parser p;
	struct expr *e = NULL;
	int ret = -1;

	memset(&p, 0, sizeof(p));
	*out = NULL;
	p.src = src ? src : "";
	p.len = strlen(p.src);
	p.arena = arena;
	p.diags = diags;
	if (loc)
		p.at = *loc;
	if (p.at.line == 0)
		p.at.line = 1;
	if (p.at.col == 0)
		p.at.col = 1;
	if (next_token(&p) < 0)
		goto done;
	if (p.tok.kind == T_EOF) {
		syntax_error(&p, &p.tok.loc, "empty expression");
		goto done;
	}
	e = parse_expr(&p);
	if (!e)
		goto done;
	if (p.tok.kind != T_EOF) {
		expected(&p, "an operator or end of expression");
		goto done;
	}
	*out = e;
	ret = 0;
done:
	if (ret < 0 && !p.failed)
		diag_error(diags, &p.tok.loc, "syntax error in expression");
	return ret;
}
