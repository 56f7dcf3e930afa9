/*
 * model: builds the typed dataset from the config tree.  This file reads
 * what a single node can tell: the top-level settings, each table's own keys
 * and each column's type, generator and parameters, checking every key,
 * every value's type and every range (min <= max, probabilities in [0, 1],
 * weights, dates).  Checks that need the whole dataset (names of other
 * tables and columns, expressions, cycles, relationships, incremental) live
 * in validate.c.  Every problem becomes one diagnostic at the offending node
 * and the build carries on, so one run reports all errors of a file.
 */
#include "model.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "cfg.h"
#include "expr.h"
#include "model_internal.h"
#include "pattern.h"
#include "strbuf.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- scalar readers ------------------------------------------------- */

bool mi_is_null(const struct cfg_node *n)
{
	static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
	if (!n || n->kind != CFG_SCALAR || n->quoted)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(nulls); i++)
		if (strcmp(n->scalar, nulls[i]) == 0)
			return true;
	return false;
}

void mi_describe(struct strbuf *sb, const struct cfg_node *n)
{
	if (!n)
		strbuf_addstr(sb, "nothing");
	else if (n->kind != CFG_SCALAR)
		strbuf_addstr(sb, cfg_kind_name(n->kind));
	else if (mi_is_null(n))
		strbuf_addstr(sb, "null");
	else if (n->quoted)
		strbuf_addf(sb, "string '%s'", n->scalar);
	else
		strbuf_addf(sb, "'%s'", n->scalar);
}

static int type_error(struct model_ctx *ctx, const struct cfg_node *n, const char *what,
		      const char *expected)
{
	struct strbuf sb = STRBUF_INIT;
	mi_describe(&sb, n);
	diag_error(ctx->diags, &n->loc, "'%s' must be %s, got %s", what, expected, sb.buf);
	strbuf_release(&sb);
	return -1;
}

/* Like type_error, for a value that would be right without its quotes. */
static int quoted_error(struct model_ctx *ctx, const struct cfg_node *n, const char *what,
			const char *expected)
{
	return diag_error(ctx->diags, &n->loc,
			  "'%s' must be %s, got string '%s' (write it without quotes)", what,
			  expected, n->scalar);
}

/*
 * Parses a plain number: decimal digits, optional sign, fraction and
 * exponent, and '_' between digits (YAML 1.1 style 1_000_000).  No hex, no
 * inf/nan.
 */
static int parse_number_text(double *out, const char *s)
{
	char buf[128];
	size_t j = 0;
	char *end;
	bool digit = false;

	if (!*s || strlen(s) >= sizeof(buf))
		return -1;
	for (size_t i = 0; s[i]; i++) {
		char c = s[i];
		if (c == '_') {
			if (i == 0 || !isdigit((unsigned char)s[i - 1]) ||
			    !isdigit((unsigned char)s[i + 1]))
				return -1;
			continue;
		}
		if (isdigit((unsigned char)c))
			digit = true;
		else if (!strchr("+-.eE", c))
			return -1;
		buf[j++] = c;
	}
	buf[j] = 0;
	if (!digit)
		return -1;
	errno = 0;
	*out = strtod(buf, &end);
	if (*end || !isfinite(*out))
		return -1;
	return 0;
}

int mi_number(struct model_ctx *ctx, double *out, const struct cfg_node *n, const char *what)
{
	if (n->kind == CFG_SCALAR && n->quoted && parse_number_text(out, n->scalar) == 0)
		return quoted_error(ctx, n, what, "a number");
	if (n->kind != CFG_SCALAR || n->quoted || mi_is_null(n) ||
	    parse_number_text(out, n->scalar))
		return type_error(ctx, n, what, "a number");
	return 0;
}

/* Integers: digits (with '_'), or a number with an integral value below 2^53 (1e6, 100.0). */
static int parse_integer_text(int64_t *out, const char *s, bool *range_error)
{
	char buf[64];
	size_t j = 0;
	const char *p = s;
	double d;

	*range_error = false;
	if (*p == '+' || *p == '-')
		buf[j++] = *p++;
	if (isdigit((unsigned char)*p)) {
		bool all = true;
		for (const char *q = p; *q; q++) {
			if (*q == '_' && q > p && isdigit((unsigned char)q[-1]) &&
			    isdigit((unsigned char)q[1]))
				continue;
			if (!isdigit((unsigned char)*q)) {
				all = false;
				break;
			}
			if (j >= sizeof(buf) - 1) {
				*range_error = true;
				return -1;
			}
			buf[j++] = *q;
		}
		if (all) {
			long long v;
			buf[j] = 0;
			errno = 0;
			v = strtoll(buf, NULL, 10);
			if (errno == ERANGE) {
				*range_error = true;
				return -1;
			}
			*out = v;
			return 0;
		}
	}
	if (parse_number_text(&d, s) == 0 && d == floor(d) && fabs(d) <= 9007199254740992.0) {
		*out = (int64_t)d;
		return 0;
	}
	return -1;
}

int mi_integer(struct model_ctx *ctx, int64_t *out, const struct cfg_node *n, const char *what)
{
	bool range = false;
	if (n->kind == CFG_SCALAR && n->quoted && parse_integer_text(out, n->scalar, &range) == 0)
		return quoted_error(ctx, n, what, "an integer");
	if (n->kind != CFG_SCALAR || n->quoted || mi_is_null(n) ||
	    parse_integer_text(out, n->scalar, &range)) {
		if (range)
			return diag_error(ctx->diags, &n->loc,
					  "'%s' is out of range for a 64-bit integer: '%s'", what,
					  n->scalar);
		return type_error(ctx, n, what, "an integer");
	}
	return 0;
}

int mi_string(struct model_ctx *ctx, const char **out, const struct cfg_node *n, const char *what)
{
	if (n->kind != CFG_SCALAR || mi_is_null(n))
		return type_error(ctx, n, what, "a string");
	*out = n->scalar;
	return 0;
}

int mi_bool(struct model_ctx *ctx, bool *out, const struct cfg_node *n, const char *what)
{
	static const char *const yes[] = {"true", "True", "TRUE"};
	static const char *const no[] = {"false", "False", "FALSE"};
	if (n->kind == CFG_SCALAR && !n->quoted) {
		for (size_t i = 0; i < 3; i++) {
			if (strcmp(n->scalar, yes[i]) == 0) {
				*out = true;
				return 0;
			}
			if (strcmp(n->scalar, no[i]) == 0) {
				*out = false;
				return 0;
			}
		}
	}
	if (n->kind == CFG_SCALAR && n->quoted &&
	    (!strcmp(n->scalar, "true") || !strcmp(n->scalar, "false")))
		return quoted_error(ctx, n, what, "true or false");
	return type_error(ctx, n, what, "true or false");
}

int64_t mi_days_from_civil(int y, int m, int d)
{
	/* Howard Hinnant's days_from_civil */
	int64_t yy = y - (m <= 2);
	int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
	int64_t yoe = yy - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
	static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

static bool digits(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* "YYYY-MM-DD", exactly. */
static int parse_date_text(int64_t *days, const char *s)
{
	int y, m, d;
	if (strlen(s) != 10 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' ||
	    !digits(s + 8, 2))
		return -1;
	y = atoi(s);
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return -1;
	*days = mi_days_from_civil(y, m, d);
	return 0;
}

/*
 * "YYYY-MM-DD" (date_only set), or "YYYY-MM-DD HH:MM:SS" / with 'T', with an
 * optional final 'Z'.  Seconds since the epoch, UTC.
 */
static int parse_timestamp_text(int64_t *secs, bool *date_only, const char *s)
{
	char date[11];
	int64_t days;
	size_t len = strlen(s);
	int hh, mm, ss;

	if (len == 10) {
		if (parse_date_text(&days, s))
			return -1;
		*secs = days * 86400;
		*date_only = true;
		return 0;
	}
	if (len == 20 && s[19] == 'Z')
		len = 19;
	if (len != 19 || (s[10] != ' ' && s[10] != 'T') || !digits(s + 11, 2) || s[13] != ':' ||
	    !digits(s + 14, 2) || s[16] != ':' || !digits(s + 17, 2))
		return -1;
	memcpy(date, s, 10);
	date[10] = 0;
	if (parse_date_text(&days, date))
		return -1;
	hh = (s[11] - '0') * 10 + (s[12] - '0');
	mm = (s[14] - '0') * 10 + (s[15] - '0');
	ss = (s[17] - '0') * 10 + (s[18] - '0');
	if (hh > 23 || mm > 59 || ss > 59)
		return -1;
	*secs = days * 86400 + hh * 3600 + mm * 60 + ss;
	*date_only = false;
	return 0;
}

int mi_date(struct model_ctx *ctx, int64_t *days, const struct cfg_node *n, const char *what)
{
	if (n->kind != CFG_SCALAR || mi_is_null(n))
		return type_error(ctx, n, what, "a date (YYYY-MM-DD)");
	if (parse_date_text(days, n->scalar))
		return diag_error(ctx->diags, &n->loc, "invalid date '%s' (expected YYYY-MM-DD)",
				  n->scalar);
	return 0;
}

static int mi_timestamp(struct model_ctx *ctx, int64_t *secs, bool *date_only,
			const struct cfg_node *n, const char *what)
{
	if (n->kind != CFG_SCALAR || mi_is_null(n))
		return type_error(ctx, n, what, "a date or timestamp");
	if (parse_timestamp_text(secs, date_only, n->scalar))
		return diag_error(ctx->diags, &n->loc,
				  "invalid timestamp '%s' (expected YYYY-MM-DD or YYYY-MM-DD HH:MM:SS)",
				  n->scalar);
	return 0;
}

int mi_probability(struct model_ctx *ctx, double *out, const struct cfg_node *n, const char *what)
{
	if (mi_number(ctx, out, n, what))
		return -1;
	if (*out < 0 || *out > 1)
		return diag_error(ctx->diags, &n->loc, "'%s' must be between 0 and 1, got '%s'",
				  what, n->scalar);
	return 0;
}

/* A number with a lower bound: > lo when strict, >= lo otherwise. */
static int number_above(struct model_ctx *ctx, double *out, const struct cfg_node *n,
			const char *what, double lo, bool strict)
{
	if (mi_number(ctx, out, n, what))
		return -1;
	if (strict ? !(*out > lo) : !(*out >= lo))
		return diag_error(ctx->diags, &n->loc, "'%s' must be %s %g, got '%s'", what,
				  strict ? ">" : ">=", lo, n->scalar);
	return 0;
}

static int integer_between(struct model_ctx *ctx, int64_t *out, const struct cfg_node *n,
			   const char *what, int64_t lo, int64_t hi)
{
	if (mi_integer(ctx, out, n, what))
		return -1;
	if (*out < lo || *out > hi) {
		if (hi == INT64_MAX)
			return diag_error(ctx->diags, &n->loc, "'%s' must be >= %lld, got '%s'", what,
					  (long long)lo, n->scalar);
		return diag_error(ctx->diags, &n->loc, "'%s' must be between %lld and %lld, got '%s'",
				  what, (long long)lo, (long long)hi, n->scalar);
	}
	return 0;
}

int mi_want(struct model_ctx *ctx, const struct cfg_node *n, enum cfg_kind kind, const char *what,
	    const char *expected)
{
	if (n->kind == kind)
		return 0;
	return type_error(ctx, n, what, expected);
}

static void join_names(struct strbuf *sb, const char *const *names, size_t n)
{
	bool first = true;
	for (size_t i = 0; i < n; i++) {
		if (!names[i])
			continue;
		if (!first)
			strbuf_addstr(sb, ", ");
		strbuf_addstr(sb, names[i]);
		first = false;
	}
}

static void add_hint(struct strbuf *sb, const char *word, const char *const *names, size_t n)
{
	const char *best = diag_closest(word, names, n);
	if (best) {
		strbuf_addf(sb, " (did you mean '%s'?)", best);
	} else {
		strbuf_addstr(sb, " (allowed: ");
		join_names(sb, names, n);
		strbuf_addch(sb, ')');
	}
}

void mi_check_keys(struct model_ctx *ctx, const struct cfg_node *map,
		   const char *const *allowed, size_t n_allowed, const char *scope)
{
	for (size_t i = 0; i < map->n; i++) {
		bool ok = false;
		struct strbuf sb = STRBUF_INIT;
		for (size_t j = 0; j < n_allowed && !ok; j++)
			ok = strcmp(map->keys[i], allowed[j]) == 0;
		if (ok)
			continue;
		strbuf_addf(&sb, "unknown key '%s' %s", map->keys[i], scope);
		add_hint(&sb, map->keys[i], allowed, n_allowed);
		diag_error(ctx->diags, &map->key_locs[i], "%s", sb.buf);
		strbuf_release(&sb);
	}
}

int mi_enum(struct model_ctx *ctx, const struct cfg_node *n, const char *what,
	    const char *const *names, size_t n_names)
{
	const char *s;
	struct strbuf sb = STRBUF_INIT;
	if (mi_string(ctx, &s, n, what))
		return -1;
	for (size_t i = 0; i < n_names; i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	strbuf_addf(&sb, "unknown %s '%s'", what, s);
	add_hint(&sb, s, names, n_names);
	diag_error(ctx->diags, &n->loc, "%s", sb.buf);
	strbuf_release(&sb);
	return -1;
}

/* ---- identifiers ---------------------------------------------------- */

/*
 * SQL words that Spark SQL (ANSI mode) or Fabric Warehouse T-SQL reserve and
 * that would need quoting in generated code.  Common column names that the
 * engines accept unquoted (date, timestamp, year, name, value, status, ...)
 * are deliberately absent.
 */
static const char *const reserved_words[] = {
	"all", "alter", "and", "any", "as", "asc", "authorization", "between", "both", "by",
	"case", "cast", "check", "column", "constraint", "create", "cross", "current_date",
	"current_time", "current_timestamp", "current_user", "delete", "desc", "distinct", "drop",
	"else", "end", "except", "exists", "false", "fetch", "for", "foreign", "from", "full",
	"grant", "group", "having", "in", "inner", "insert", "intersect", "into", "is", "join",
	"leading", "left", "like", "not", "null", "of", "on", "or", "order", "outer", "primary",
	"references", "right", "select", "session_user", "some", "table", "then", "to",
	"trailing", "true", "union", "unique", "update", "user", "using", "values", "when",
	"where", "with",
};

static int check_identifier(struct model_ctx *ctx, const char *name, const struct src_loc *loc,
			    const char *kind)
{
	size_t len = strlen(name);
	bool ok = len > 0 && (isalpha((unsigned char)name[0]) || name[0] == '_');
	for (size_t i = 0; ok && i < len; i++)
		ok = isalnum((unsigned char)name[i]) || name[i] == '_';
	if (!ok)
		return diag_error(ctx->diags, loc,
				  "invalid %s '%s' (use letters, digits and '_', starting with a letter or '_')",
				  kind, name);
	if (len > 128)
		return diag_error(ctx->diags, loc, "%s '%.20s...' is longer than 128 characters",
				  kind, name);
	for (size_t i = 0; i < ARRAY_SIZE(reserved_words); i++)
		if (strcasecmp(name, reserved_words[i]) == 0)
			return diag_error(ctx->diags, loc,
					  "%s '%s' is a reserved SQL word (choose another name)",
					  kind, name);
	if (name[0] == '_' && name[1] == '_')
		return diag_error(ctx->diags, loc,
				  "%s '%s' starts with '__', which is reserved for the generated code", kind, name);
	return 0;
}

/* ---- types ---------------------------------------------------------- */

static const char *const type_names[] = {
	"boolean", "int", "bigint", "double", "decimal(p,s)", "string", "varchar(n)", "date",
	"timestamp",
};

/* Reads "name" or "name(a)" or "name(a,b)", spaces allowed around the arguments. */
static int parse_type_text(struct col_type *out, const char *text, char *why, size_t why_len)
{
	char name[32];
	size_t i = 0, j = 0;
	long args[2];
	int nargs = 0;

	why[0] = 0;
	while (text[i] == ' ')
		i++;
	while (isalpha((unsigned char)text[i]) && j < sizeof(name) - 1)
		name[j++] = (char)tolower((unsigned char)text[i++]);
	name[j] = 0;
	while (text[i] == ' ')
		i++;
	if (text[i] == '(') {
		i++;
		for (;;) {
			char *end;
			while (text[i] == ' ')
				i++;
			if (!isdigit((unsigned char)text[i]) || nargs == 2)
				return -1;
			args[nargs++] = strtol(text + i, &end, 10);
			i = (size_t)(end - text);
			while (text[i] == ' ')
				i++;
			if (text[i] == ',') {
				i++;
				continue;
			}
			if (text[i] != ')')
				return -1;
			i++;
			break;
		}
		while (text[i] == ' ')
			i++;
	}
	if (text[i])
		return -1;
	memset(out, 0, sizeof(*out));
	if (nargs == 0) {
		static const struct { const char *n; enum col_type_kind k; } simple[] = {
			{"boolean", TYPE_BOOLEAN}, {"int", TYPE_INT}, {"bigint", TYPE_BIGINT},
			{"double", TYPE_DOUBLE}, {"string", TYPE_STRING}, {"date", TYPE_DATE},
			{"timestamp", TYPE_TIMESTAMP}, {"decimal", TYPE_DECIMAL},
		};
		for (size_t k = 0; k < ARRAY_SIZE(simple); k++)
			if (strcmp(name, simple[k].n) == 0) {
				out->kind = simple[k].k;
				if (out->kind == TYPE_DECIMAL) {
					/* Spark's default, decimal(10,0) */
					out->precision = 10;
					out->scale = 0;
				}
				return 0;
			}
		if (strcmp(name, "varchar") == 0)
			snprintf(why, why_len, "'varchar' needs a length: varchar(n), 1 <= n <= 8000");
		return -1;
	}
	if (strcmp(name, "decimal") == 0) {
		out->kind = TYPE_DECIMAL;
		out->precision = (int)(args[0] > 1000 ? 1000 : args[0]);
		out->scale = nargs == 2 ? (int)(args[1] > 1000 ? 1000 : args[1]) : 0;
		if (out->precision < 1 || out->precision > 38 || out->scale > out->precision) {
			snprintf(why, why_len, "expected decimal(p,s) with 1 <= p <= 38 and 0 <= s <= p");
			return -1;
		}
		return 0;
	}
	if (strcmp(name, "varchar") == 0 && nargs == 1) {
		out->kind = TYPE_VARCHAR;
		out->length = (int)(args[0] > 100000 ? 100000 : args[0]);
		if (out->length < 1 || out->length > 8000) {
			snprintf(why, why_len, "expected varchar(n) with 1 <= n <= 8000");
			return -1;
		}
		return 0;
	}
	return -1;
}

/*
 * In a flow map ({type: decimal(18,2), ...}) YAML ends a plain value at the
 * comma, so the type arrives as "decimal(18" followed by a key "2)" with no
 * value.  That spelling is in wide use, so the two halves are joined again.
 * Returns the index of the swallowed key in `map`, or -1.
 */
static long split_type_tail(const struct cfg_node *map, const struct cfg_node *tn)
{
	const char *s = tn->scalar, *p;
	if (!map || tn->kind != CFG_SCALAR || tn->quoted)
		return -1;
	p = strchr(s, '(');
	if (!p || strchr(p, ')') || !(strncasecmp(s, "decimal", 7) == 0))
		return -1;
	for (p++; *p == ' '; p++)
		;
	if (!isdigit((unsigned char)*p))
		return -1;
	while (isdigit((unsigned char)*p) || *p == ' ')
		p++;
	if (*p)
		return -1;
	for (size_t i = 0; i < map->n; i++) {
		const char *k = map->keys[i];
		if (map->items[i] != tn && map->key_locs[i].line == tn->loc.line &&
		    map->key_locs[i].col > tn->loc.col && mi_is_null(map->items[i]) &&
		    isdigit((unsigned char)k[0])) {
			while (isdigit((unsigned char)*k) || *k == ' ')
				k++;
			if (strcmp(k, ")") == 0)
				return (long)i;
		}
	}
	return -1;
}

static int parse_type(struct model_ctx *ctx, struct col_type *out, const struct cfg_node *n,
		      const struct cfg_node *map)
{
	static const char *const bare[] = {"boolean", "int", "bigint", "double", "decimal",
					   "string", "varchar", "date", "timestamp"};
	char why[128], base[32];
	struct strbuf sb = STRBUF_INIT;
	const char *s, *best;
	long tail;
	size_t j = 0;
	int rc = -1;

	if (mi_string(ctx, &s, n, "type"))
		goto done;
	if ((tail = split_type_tail(map, n)) >= 0) {
		strbuf_addf(&sb, "%s,%s", s, map->keys[tail]);
		s = arena_strdup(ctx->arena, sb.buf);
		strbuf_reset(&sb);
	}
	if (parse_type_text(out, s, why, sizeof(why)) == 0) {
		rc = 0;
		goto done;
	}
	if (why[0]) {
		diag_error(ctx->diags, &n->loc, "invalid type '%s' (%s)", s, why);
		goto done;
	}
	/* suggest against bare names, so that 'strng' finds 'string' */
	while (s[j] && s[j] != '(' && j < sizeof(base) - 1) {
		base[j] = s[j];
		j++;
	}
	base[j] = 0;
	strbuf_addf(&sb, "unknown type '%s'", s);
	best = diag_closest(base, bare, ARRAY_SIZE(bare));
	if (best && strcmp(best, base) != 0)
		strbuf_addf(&sb, " (did you mean '%s'?)",
			    !strcmp(best, "decimal") ? "decimal(p,s)"
			    : !strcmp(best, "varchar") ? "varchar(n)" : best);
	else
		add_hint(&sb, "", type_names, ARRAY_SIZE(type_names));
	diag_error(ctx->diags, &n->loc, "%s", sb.buf);
done:
	strbuf_release(&sb);
	return rc;
}

static bool is_integer_type(const struct col_type *t)
{
	return t->kind == TYPE_INT || t->kind == TYPE_BIGINT;
}

static bool is_string_type(const struct col_type *t)
{
	return t->kind == TYPE_STRING || t->kind == TYPE_VARCHAR;
}

static int type_text(char *buf, size_t n, const struct col_type *t)
{
	struct strbuf sb = STRBUF_INIT;
	col_type_format(&sb, t);
	snprintf(buf, n, "%s", sb.buf);
	strbuf_release(&sb);
	return 0;
}

/* Number of UTF-8 characters. */
static size_t utf8_len(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

/* Does `v` fit the column's numeric range?  Writes the reason into why. */
static bool number_fits(double v, const char *text, const struct col_type *t, bool places,
			char *why, size_t why_len)
{
	char tn[40];
	type_text(tn, sizeof(tn), t);
	if (t->kind == TYPE_INT && (v < -2147483648.0 || v > 2147483647.0)) {
		snprintf(why, why_len, "is out of range for int (-2147483648 to 2147483647)");
		return false;
	}
	if (t->kind == TYPE_DECIMAL) {
		double limit = pow(10.0, t->precision - t->scale);
		const char *dot = strchr(text, '.');
		if (fabs(v) >= limit) {
			snprintf(why, why_len, "does not fit %s (at most %d digits before the point)",
				 tn, t->precision - t->scale);
			return false;
		}
		if (places && dot && !strpbrk(text, "eE")) {
			size_t frac = strspn(dot + 1, "0123456789");
			size_t k = frac;
			while (k > 0 && dot[k] == '0')
				k--;
			if ((int)k > t->scale) {
				snprintf(why, why_len, "has more than %d decimal places for %s", t->scale,
					 tn);
				return false;
			}
		}
	}
	return true;
}

/*
 * A constant of the column's type: choice values (map keys are always text,
 * so `quoted` is false for them), uniform bounds on dates.
 */
static int parse_typed_value(struct model_ctx *ctx, struct value *out, const char *text,
			     bool quoted, const struct src_loc *loc, const struct col_type *t,
			     const char *what)
{
	char tn[40];
	char why[120];
	bool range = false;
	type_text(tn, sizeof(tn), t);
	memset(out, 0, sizeof(*out));
	switch (t->kind) {
	case TYPE_BOOLEAN:
		if (!quoted && (!strcmp(text, "true") || !strcmp(text, "True") || !strcmp(text, "TRUE"))) {
			out->kind = VAL_BOOL;
			out->b = true;
			return 0;
		}
		if (!quoted && (!strcmp(text, "false") || !strcmp(text, "False") || !strcmp(text, "FALSE"))) {
			out->kind = VAL_BOOL;
			return 0;
		}
		return diag_error(ctx->diags, loc, "%s '%s' is not a boolean (expected true or false)",
				  what, text);
	case TYPE_INT:
	case TYPE_BIGINT:
		if (quoted || parse_integer_text(&out->i, text, &range)) {
			if (range)
				return diag_error(ctx->diags, loc, "%s '%s' is out of range for %s",
						  what, text, tn);
			return diag_error(ctx->diags, loc, "%s '%s' is not an integer (column type %s)",
					  what, text, tn);
		}
		if (!number_fits((double)out->i, text, t, true, why, sizeof(why)))
			return diag_error(ctx->diags, loc, "%s '%s' %s", what, text, why);
		out->kind = VAL_INT;
		return 0;
	case TYPE_DOUBLE:
	case TYPE_DECIMAL:
		if (quoted || parse_number_text(&out->d, text))
			return diag_error(ctx->diags, loc, "%s '%s' is not a number (column type %s)",
					  what, text, tn);
		if (!number_fits(out->d, text, t, true, why, sizeof(why)))
			return diag_error(ctx->diags, loc, "%s '%s' %s", what, text, why);
		out->kind = VAL_DOUBLE;
		out->s = text;
		return 0;
	case TYPE_STRING:
	case TYPE_VARCHAR:
		if (t->kind == TYPE_VARCHAR && utf8_len(text) > (size_t)t->length)
			return diag_error(ctx->diags, loc, "%s '%s' is longer than %s", what, text, tn);
		out->kind = VAL_STRING;
		out->s = text;
		return 0;
	case TYPE_DATE:
		if (parse_date_text(&out->i, text))
			return diag_error(ctx->diags, loc, "invalid date '%s' (expected YYYY-MM-DD)",
					  text);
		out->kind = VAL_DATE;
		return 0;
	case TYPE_TIMESTAMP: {
		bool date_only;
		if (parse_timestamp_text(&out->i, &date_only, text))
			return diag_error(ctx->diags, loc,
					  "invalid timestamp '%s' (expected YYYY-MM-DD or YYYY-MM-DD HH:MM:SS)",
					  text);
		out->kind = VAL_TIMESTAMP;
		return 0;
	}
	}
	return -1;
}

/* ---- generators ----------------------------------------------------- */

#define TM(k) (1u << (k))
#define TM_INTS (TM(TYPE_INT) | TM(TYPE_BIGINT))
#define TM_NUM (TM_INTS | TM(TYPE_DOUBLE) | TM(TYPE_DECIMAL))
#define TM_STR (TM(TYPE_STRING) | TM(TYPE_VARCHAR))
#define TM_ALL 0x1FFu

struct gen_def {
	enum gen_kind kind;
	unsigned types;
	const char *produces; /* for messages */
	const char *params[6];
	const char *required[3];
};

static const struct gen_def gen_defs[] = {
	{GEN_SEQUENCE, TM_INTS | TM(TYPE_DECIMAL) | TM(TYPE_DATE) | TM(TYPE_TIMESTAMP) | TM_STR,
	 "int, bigint, decimal, date, timestamp, string", {"start", "step", "prefix", "width"}, {0}},
	{GEN_UNIFORM, TM_NUM | TM(TYPE_DATE) | TM(TYPE_TIMESTAMP),
	 "int, bigint, double, decimal, date, timestamp", {"min", "max"}, {"min", "max"}},
	{GEN_NORMAL, TM_NUM, "int, bigint, double, decimal", {"mean", "stddev", "min", "max"},
	 {"mean", "stddev"}},
	{GEN_LOGNORMAL, TM_NUM, "int, bigint, double, decimal", {"mean", "sigma", "min", "max"},
	 {"mean", "sigma"}},
	{GEN_EXPONENTIAL, TM_NUM, "int, bigint, double, decimal", {"rate", "min", "max"}, {"rate"}},
	{GEN_POISSON, TM_INTS, "int, bigint", {"lambda", "min", "max"}, {"lambda"}},
	{GEN_ZIPF, TM_INTS, "int, bigint", {"n", "skew"}, {"n"}},
	{GEN_CHOICE, TM_ALL, "any type", {"values"}, {"values"}},
	{GEN_BERNOULLI, TM(TYPE_BOOLEAN) | TM_INTS, "boolean, int, bigint", {"p"}, {0}},
	{GEN_DATE, TM(TYPE_DATE), "date", {"start", "end", "weekday", "seasonal"}, {"start", "end"}},
	{GEN_TIMESTAMP, TM(TYPE_TIMESTAMP), "timestamp",
	 {"start", "end", "hourly", "weekday", "seasonal"}, {"start", "end"}},
	{GEN_PATTERN, TM_STR, "string, varchar", {"pattern", "unique"}, {"pattern"}},
	{GEN_UUID, TM_STR, "string, varchar", {0}, {0}},
	{GEN_REFERENCE, TM_ALL, "the referenced column's type",
	 {"references", "distribution", "skew", "orphan_probability"}, {"references"}},
	{GEN_FIRST_NAME, TM_STR, "string, varchar", {"gender"}, {0}},
	{GEN_LAST_NAME, TM_STR, "string, varchar", {0}, {0}},
	{GEN_FULL_NAME, TM_STR, "string, varchar", {"from"}, {0}},
	{GEN_EMAIL, TM_STR, "string, varchar", {"from", "domains"}, {0}},
	{GEN_PHONE, TM_STR, "string, varchar", {"format"}, {0}},
	{GEN_STREET_ADDRESS, TM_STR, "string, varchar", {"group"}, {0}},
	{GEN_CITY, TM_STR, "string, varchar", {"group"}, {0}},
	{GEN_STATE, TM_STR, "string, varchar", {"group"}, {0}},
	{GEN_POSTAL_CODE, TM_STR, "string, varchar", {"group"}, {0}},
	{GEN_COUNTRY, TM_STR, "string, varchar", {"group"}, {0}},
	{GEN_COMPANY, TM_STR, "string, varchar", {0}, {0}},
	{GEN_PRODUCT_NAME, TM_STR, "string, varchar", {0}, {0}},
	{GEN_WORD, TM_STR, "string, varchar", {0}, {0}},
	{GEN_SENTENCE, TM_STR, "string, varchar", {"min_words", "max_words"}, {0}},
};

static const struct gen_def *gen_def_of(enum gen_kind g)
{
	for (size_t i = 0; i < ARRAY_SIZE(gen_defs); i++)
		if (gen_defs[i].kind == g)
			return &gen_defs[i];
	return NULL;
}

static bool gen_has_param(const struct gen_def *def, const char *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(def->params) && def->params[i]; i++)
		if (strcmp(def->params[i], key) == 0)
			return true;
	return false;
}

/*
 * True when some key of `map` looks like a misspelling of `want` (it is
 * then reported as an unknown key with a "did you mean", which is enough).
 */
static bool misspelt(const struct cfg_node *map, const char *want, const char *const *known,
		     size_t n_known, const char *const *known2, size_t n_known2)
{
	for (size_t i = 0; i < map->n; i++) {
		bool is_known = false;
		for (size_t k = 0; k < n_known && !is_known; k++)
			is_known = known[k] && strcmp(map->keys[i], known[k]) == 0;
		for (size_t k = 0; k < n_known2 && !is_known; k++)
			is_known = known2[k] && strcmp(map->keys[i], known2[k]) == 0;
		if (!is_known && diag_closest(map->keys[i], &want, 1))
			return true;
	}
	return false;
}

static const char *const column_keys[] = {"type", "generator", "expr", "null_probability",
					  "description"};

/* Unknown keys of a column map, with hints that know the generator's parameters. */
static void check_column_keys(struct model_ctx *ctx, const struct column *col,
			      const struct cfg_node *map, const struct gen_def *def, bool is_expr)
{
	const char *allowed[ARRAY_SIZE(column_keys) + 6];
	size_t n_allowed = 0;

	for (size_t i = 0; i < ARRAY_SIZE(column_keys); i++) {
		if (is_expr && strcmp(column_keys[i], "generator") == 0)
			continue;
		if (!is_expr && strcmp(column_keys[i], "expr") == 0)
			continue;
		allowed[n_allowed++] = column_keys[i];
	}
	if (def)
		for (size_t i = 0; i < ARRAY_SIZE(def->params) && def->params[i]; i++)
			allowed[n_allowed++] = def->params[i];

	const struct cfg_node *tn = cfg_get(map, "type");
	long tail = tn ? split_type_tail(map, tn) : -1;

	for (size_t i = 0; i < map->n; i++) {
		const char *key = map->keys[i];
		const char *best;
		bool ok = (long)i == tail; /* the rest of decimal(p,s) in a flow map */
		bool other = false;
		struct strbuf sb = STRBUF_INIT;

		for (size_t j = 0; j < n_allowed && !ok; j++)
			ok = strcmp(key, allowed[j]) == 0;
		if (ok)
			continue;
		if (!is_expr && strcmp(key, "expr") == 0 && cfg_get(map, "generator")) {
			diag_error(ctx->diags, &map->key_locs[i],
				   "column '%s' has both 'generator' and 'expr' (use one)", col->name);
			continue;
		}
		if (!is_expr && !def)
			continue; /* the generator is unknown: its parameters cannot be checked */
		for (size_t g = 0; g < ARRAY_SIZE(gen_defs) && !other; g++)
			other = gen_has_param(&gen_defs[g], key);
		best = diag_closest(key, allowed, n_allowed);
		if (best) {
			strbuf_addf(&sb, "unknown key '%s' in column '%s' (did you mean '%s'?)", key,
				    col->name, best);
		} else if (other && def) {
			strbuf_addf(&sb, "parameter '%s' does not apply to generator '%s'", key,
				    gen_kind_name(def->kind));
			if (def->params[0]) {
				strbuf_addstr(&sb, " (it takes: ");
				join_names(&sb, def->params, ARRAY_SIZE(def->params));
				strbuf_addch(&sb, ')');
			} else {
				strbuf_addstr(&sb, " (it takes no parameters)");
			}
		} else if (other && is_expr) {
			strbuf_addf(&sb, "parameter '%s' does not apply to an 'expr' column", key);
		} else {
			strbuf_addf(&sb, "unknown key '%s' in column '%s' (allowed: ", key, col->name);
			join_names(&sb, allowed, n_allowed);
			strbuf_addch(&sb, ')');
		}
		diag_error(ctx->diags, &map->key_locs[i], "%s", sb.buf);
		strbuf_release(&sb);
	}
}

/* min/max: numbers (integers for integer types, dates for date types). */
static int read_bounds(struct model_ctx *ctx, struct column *col, const struct cfg_node *map,
		       bool integral)
{
	struct gen_params *gp = &col->params;
	const struct cfg_node *mn = cfg_get(map, "min"), *mx = cfg_get(map, "max");
	const struct col_type *t = &col->type;
	char why[120];
	int rc = 0;

	if (t->kind == TYPE_DATE || t->kind == TYPE_TIMESTAMP) {
		bool d1 = true, d2 = true;
		int64_t lo = 0, hi = 0;
		if (mn) {
			if (t->kind == TYPE_DATE ? mi_date(ctx, &lo, mn, "min")
						 : mi_timestamp(ctx, &lo, &d1, mn, "min"))
				rc = -1;
			else
				gp->has_min = true;
		}
		if (mx) {
			if (t->kind == TYPE_DATE ? mi_date(ctx, &hi, mx, "max")
						 : mi_timestamp(ctx, &hi, &d2, mx, "max"))
				rc = -1;
			else
				gp->has_max = true;
		}
		if (t->kind == TYPE_TIMESTAMP && d2)
			hi += 86399; /* a date as upper bound means its last second */
		gp->range_lo = lo;
		gp->range_hi = hi;
		gp->min = (double)lo;
		gp->max = (double)hi;
		if (gp->has_min && gp->has_max && lo > hi)
			return diag_error(ctx->diags, &mn->loc, "'min' (%s) is after 'max' (%s)",
					  mn->scalar, mx->scalar);
		return rc;
	}
	if (mn) {
		if (integral) {
			int64_t v;
			if (mi_integer(ctx, &v, mn, "min")) {
				rc = -1;
			} else {
				gp->has_min = true;
				gp->min = (double)v;
				gp->range_lo = v;
			}
		} else if (mi_number(ctx, &gp->min, mn, "min")) {
			rc = -1;
		} else {
			gp->has_min = true;
		}
		if (gp->has_min && !number_fits(gp->min, mn->scalar, t, false, why, sizeof(why))) {
			gp->has_min = false;
			rc = diag_error(ctx->diags, &mn->loc, "'min' %s, got '%s'", why, mn->scalar);
		}
	}
	if (mx) {
		if (integral) {
			int64_t v;
			if (mi_integer(ctx, &v, mx, "max")) {
				rc = -1;
			} else {
				gp->has_max = true;
				gp->max = (double)v;
				gp->range_hi = v;
			}
		} else if (mi_number(ctx, &gp->max, mx, "max")) {
			rc = -1;
		} else {
			gp->has_max = true;
		}
		if (gp->has_max && !number_fits(gp->max, mx->scalar, t, false, why, sizeof(why))) {
			gp->has_max = false;
			rc = diag_error(ctx->diags, &mx->loc, "'max' %s, got '%s'", why, mx->scalar);
		}
	}
	if (gp->has_min && gp->has_max &&
	    (integral ? gp->range_lo > gp->range_hi : gp->min > gp->max))
		return diag_error(ctx->diags, &mn->loc, "'min' (%s) is greater than 'max' (%s)",
				  mn->scalar, mx->scalar);
	return rc;
}

static int read_choice(struct model_ctx *ctx, struct column *col, const struct cfg_node *v)
{
	struct gen_params *gp = &col->params;
	double total = 0, acc = 0;
	int rc = 0;

	if (v->kind == CFG_SCALAR)
		return type_error(ctx, v, "values", "a map of value -> weight or a list of values");
	if (v->n == 0)
		return diag_error(ctx->diags, &v->loc, "'values' is empty (give at least one value)");
	gp->choices = arena_calloc(ctx->arena, v->n, sizeof(*gp->choices));
	gp->n_choices = v->n;
	for (size_t i = 0; i < v->n; i++) {
		struct choice_item *it = &gp->choices[i];
		if (v->kind == CFG_MAP) {
			const struct cfg_node *w = v->items[i];
			it->loc = v->key_locs[i];
			if (parse_typed_value(ctx, &it->value, v->keys[i], false, &it->loc, &col->type,
					      "choice value"))
				rc = -1;
			if (w->kind != CFG_SCALAR || w->quoted ||
			    parse_number_text(&it->weight, w->scalar)) {
				struct strbuf sb = STRBUF_INIT;
				mi_describe(&sb, w);
				rc = diag_error(ctx->diags, &w->loc,
						"weight of '%s' must be a number, got %s", v->keys[i],
						sb.buf);
				strbuf_release(&sb);
			} else if (it->weight < 0) {
				rc = diag_error(ctx->diags, &w->loc,
						"weight of '%s' must be >= 0, got '%s'", v->keys[i],
						w->scalar);
			}
		} else {
			const struct cfg_node *x = v->items[i];
			it->loc = x->loc;
			it->weight = 1;
			if (x->kind != CFG_SCALAR) {
				rc = type_error(ctx, x, "values", "a list of scalar values");
				continue;
			}
			if (mi_is_null(x)) {
				rc = diag_error(ctx->diags, &x->loc,
						"choice values cannot be null (use 'null_probability')");
				continue;
			}
			if (parse_typed_value(ctx, &it->value, x->scalar, x->quoted, &x->loc,
					      &col->type, "choice value"))
				rc = -1;
		}
		total += it->weight;
	}
	if (rc)
		return rc;
	if (!(total > 0))
		return diag_error(ctx->diags, &v->loc,
				  "choice weights sum to zero (at least one must be positive)");
	/* cumulative weights, left to right, divided by the total (DESIGN 5) */
	for (size_t i = 0; i < gp->n_choices; i++) {
		acc += gp->choices[i].weight;
		gp->choices[i].cumulative = acc / total;
	}
	gp->choices[gp->n_choices - 1].cumulative = 1.0;
	return 0;
}

static const char *const weekday_names[] = {"monday", "tuesday", "wednesday", "thursday",
					    "friday", "saturday", "sunday"};

int mi_weekday(struct model_ctx *ctx, double weekday[7], const struct cfg_node *n)
{
	double sum = 0;
	int rc = 0;
	for (int i = 0; i < 7; i++)
		weekday[i] = 1.0;
	if (mi_want(ctx, n, CFG_MAP, "weekday", "a map of monday..sunday -> weight"))
		return -1;
	for (size_t i = 0; i < n->n; i++) {
		int day = -1;
		double w;
		for (int d = 0; d < 7; d++)
			if (strcmp(n->keys[i], weekday_names[d]) == 0)
				day = d;
		if (day < 0) {
			struct strbuf sb = STRBUF_INIT;
			strbuf_addf(&sb, "unknown weekday '%s'", n->keys[i]);
			add_hint(&sb, n->keys[i], weekday_names, 7);
			rc = diag_error(ctx->diags, &n->key_locs[i], "%s", sb.buf);
			strbuf_release(&sb);
			continue;
		}
		if (number_above(ctx, &w, n->items[i], n->keys[i], 0, false)) {
			rc = -1;
			continue;
		}
		weekday[day] = w;
	}
	for (int i = 0; i < 7; i++)
		sum += weekday[i];
	if (!rc && !(sum > 0))
		return diag_error(ctx->diags, &n->loc, "weekday weights sum to zero");
	return rc;
}

static const struct {
	const char *name;
	int from, to;
} named_periods[] = {
	{"black_friday", 1123, 1129},   /* the days Black Friday can fall on */
	{"cyber_monday", 1126, 1202},   /* the days Cyber Monday can fall on */
	{"christmas_week", 1219, 1225},
	{"new_year", 1231, 101},
	{"summer", 601, 831},
	{"back_to_school", 815, 915},
};

/* "MM-DD" -> month*100+day (Feb 29 allowed). */
static int parse_mmdd(const char *s, size_t len)
{
	int m, d;
	if (len != 5 || !digits(s, 2) || s[2] != '-' || !digits(s + 3, 2))
		return -1;
	m = (s[0] - '0') * 10 + (s[1] - '0');
	d = (s[3] - '0') * 10 + (s[4] - '0');
	if (m < 1 || m > 12 || d < 1 || d > days_in_month(2000, m))
		return -1;
	return m * 100 + d;
}

int mi_seasonal(struct model_ctx *ctx, struct seasonal_period **out, size_t *n_out,
		const struct cfg_node *n)
{
	const char *names[ARRAY_SIZE(named_periods)];
	struct seasonal_period *ps;
	size_t np = 0;
	int rc = 0;

	*out = NULL;
	*n_out = 0;
	if (mi_want(ctx, n, CFG_MAP, "seasonal", "a map of period -> multiplier"))
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(named_periods); i++)
		names[i] = named_periods[i].name;
	ps = arena_calloc(ctx->arena, n->n ? n->n : 1, sizeof(*ps));
	for (size_t i = 0; i < n->n; i++) {
		const char *key = n->keys[i];
		const char *dots = strstr(key, "..");
		struct seasonal_period *p = &ps[np];
		bool found = false;

		p->name = key;
		for (size_t k = 0; k < ARRAY_SIZE(named_periods); k++)
			if (strcmp(key, named_periods[k].name) == 0) {
				p->from_mmdd = named_periods[k].from;
				p->to_mmdd = named_periods[k].to;
				found = true;
			}
		if (!found && dots) {
			int a = parse_mmdd(key, (size_t)(dots - key));
			int b = parse_mmdd(dots + 2, strlen(dots + 2));
			if (a < 0 || b < 0) {
				rc = diag_error(ctx->diags, &n->key_locs[i],
						"invalid period '%s' (expected MM-DD..MM-DD)", key);
				continue;
			}
			p->from_mmdd = a;
			p->to_mmdd = b;
			found = true;
		}
		if (!found) {
			struct strbuf sb = STRBUF_INIT;
			strbuf_addf(&sb, "unknown seasonal period '%s'", key);
			if (diag_closest(key, names, ARRAY_SIZE(names))) {
				add_hint(&sb, key, names, ARRAY_SIZE(names));
			} else {
				strbuf_addstr(&sb, " (allowed: ");
				join_names(&sb, names, ARRAY_SIZE(names));
				strbuf_addstr(&sb, ", or MM-DD..MM-DD)");
			}
			rc = diag_error(ctx->diags, &n->key_locs[i], "%s", sb.buf);
			strbuf_release(&sb);
			continue;
		}
		if (number_above(ctx, &p->multiplier, n->items[i], key, 0, false)) {
			rc = -1;
			continue;
		}
		np++;
	}
	*out = ps;
	*n_out = np;
	return rc;
}

/* "09-12" (end exclusive), "9", "default". */
static int read_hourly(struct model_ctx *ctx, struct temporal_weights *tw, const struct cfg_node *n)
{
	const char *set_by[24] = {0};
	double def = 1.0, sum = 0;
	bool have[24] = {false};
	int rc = 0;

	if (mi_want(ctx, n, CFG_MAP, "hourly", "a map of hour range -> weight"))
		return -1;
	for (size_t i = 0; i < n->n; i++) {
		const char *key = n->keys[i];
		int a = -1, b = -1;
		double w;
		const char *dash = strchr(key, '-');

		if (number_above(ctx, &w, n->items[i], key, 0, false)) {
			rc = -1;
			continue;
		}
		if (strcmp(key, "default") == 0) {
			def = w;
			continue;
		}
		if (dash) {
			size_t la = (size_t)(dash - key), lb = strlen(dash + 1);
			if (la >= 1 && la <= 2 && lb >= 1 && lb <= 2 && digits(key, (int)la) &&
			    digits(dash + 1, (int)lb)) {
				a = atoi(key);
				b = atoi(dash + 1);
			}
		} else if (strlen(key) >= 1 && strlen(key) <= 2 && digits(key, (int)strlen(key))) {
			a = atoi(key);
			b = a + 1;
		}
		if (a < 0 || a > 23 || b <= a || b > 24) {
			rc = diag_error(ctx->diags, &n->key_locs[i],
					"invalid hour range '%s' (expected 'HH-HH' with 0 <= start < end <= 24, 'HH', or 'default')",
					key);
			continue;
		}
		for (int h = a; h < b; h++) {
			if (have[h]) {
				rc = diag_error(ctx->diags, &n->key_locs[i],
						"hour %d in '%s' is already covered by '%s'", h, key,
						set_by[h]);
				break;
			}
			have[h] = true;
			set_by[h] = key;
			tw->hourly[h] = w;
		}
	}
	for (int h = 0; h < 24; h++) {
		if (!have[h])
			tw->hourly[h] = def;
		sum += tw->hourly[h];
	}
	if (!rc && !(sum > 0))
		return diag_error(ctx->diags, &n->loc, "hourly weights sum to zero");
	tw->has_hourly = true;
	return rc;
}

static int read_temporal(struct model_ctx *ctx, struct column *col, const struct cfg_node *map)
{
	struct gen_params *gp = &col->params;
	const struct cfg_node *s = cfg_get(map, "start"), *e = cfg_get(map, "end"), *n;
	bool ts = col->gen == GEN_TIMESTAMP;
	bool d1 = true, d2 = true;
	int rc = 0;
	bool ok_s = false, ok_e = false;

	if (s)
		ok_s = (ts ? mi_timestamp(ctx, &gp->range_lo, &d1, s, "start")
			   : mi_date(ctx, &gp->range_lo, s, "start")) == 0;
	if (e)
		ok_e = (ts ? mi_timestamp(ctx, &gp->range_hi, &d2, e, "end")
			   : mi_date(ctx, &gp->range_hi, e, "end")) == 0;
	if ((s && !ok_s) || (e && !ok_e))
		rc = -1;
	if (ts && ok_e && d2)
		gp->range_hi += 86399; /* through the end date's last second */
	if (ok_s && ok_e && gp->range_lo > gp->range_hi)
		rc = diag_error(ctx->diags, &s->loc, "'start' (%s) is after 'end' (%s)", s->scalar,
				e->scalar);
	if ((n = cfg_get(map, "hourly")) && read_hourly(ctx, &gp->temporal, n))
		rc = -1;
	if ((n = cfg_get(map, "weekday"))) {
		if (mi_weekday(ctx, gp->temporal.weekday, n))
			rc = -1;
		else
			gp->temporal.has_weekday = true;
	}
	if ((n = cfg_get(map, "seasonal"))) {
		if (mi_seasonal(ctx, &gp->temporal.seasonal, &gp->temporal.n_seasonal, n))
			rc = -1;
		else
			gp->temporal.has_seasonal = true;
	}
	return rc;
}

static int read_sequence(struct model_ctx *ctx, struct column *col, const struct cfg_node *map)
{
	struct gen_params *gp = &col->params;
	const struct cfg_node *n;
	int rc = 0;

	gp->step = 1;
	gp->start.kind = VAL_INT;
	gp->start.i = 1;
	if ((n = cfg_get(map, "start"))) {
		if (col->type.kind == TYPE_DATE) {
			if (mi_date(ctx, &gp->start.i, n, "start"))
				rc = -1;
			gp->start.kind = VAL_DATE;
		} else if (col->type.kind == TYPE_TIMESTAMP) {
			bool d;
			if (mi_timestamp(ctx, &gp->start.i, &d, n, "start"))
				rc = -1;
			gp->start.kind = VAL_TIMESTAMP;
		} else if (mi_integer(ctx, &gp->start.i, n, "start")) {
			rc = -1;
		}
	} else if (col->type.kind == TYPE_DATE || col->type.kind == TYPE_TIMESTAMP) {
		rc = diag_error(ctx->diags, &col->gen_loc,
				"generator 'sequence' on a %s column needs 'start' (a date)",
				col->type.kind == TYPE_DATE ? "date" : "timestamp");
	}
	if ((n = cfg_get(map, "step"))) {
		if (mi_integer(ctx, &gp->step, n, "step"))
			rc = -1;
		else if (gp->step == 0)
			rc = diag_error(ctx->diags, &n->loc, "'step' must not be 0");
	}
	if ((n = cfg_get(map, "prefix"))) {
		if (!is_string_type(&col->type))
			rc = diag_error(ctx->diags, cfg_key_loc(map, "prefix"),
					"'prefix' applies only to string sequences");
		else if (mi_string(ctx, &gp->prefix, n, "prefix"))
			rc = -1;
	}
	if ((n = cfg_get(map, "width"))) {
		int64_t w;
		if (!is_string_type(&col->type))
			rc = diag_error(ctx->diags, cfg_key_loc(map, "width"),
					"'width' applies only to string sequences");
		else if (integer_between(ctx, &w, n, "width", 0, 40))
			rc = -1;
		else
			gp->width = (int)w;
	}
	return rc;
}

static int read_from(struct model_ctx *ctx, struct col_pending *cp, const struct cfg_node *n)
{
	if (n->kind != CFG_SEQ || n->n != 2 || n->items[0]->kind != CFG_SCALAR ||
	    n->items[1]->kind != CFG_SCALAR)
		return type_error(ctx, n, "from", "a list of two column names: [first, last]");
	cp->from = n;
	return 0;
}

static int read_params(struct model_ctx *ctx, struct column *col, struct col_pending *cp,
		       const struct cfg_node *map)
{
	struct gen_params *gp = &col->params;
	const struct cfg_node *n;
	int rc = 0;
	bool integral = is_integer_type(&col->type);

	gp->skew = 1.1;
	switch (col->gen) {
	case GEN_SEQUENCE:
		return read_sequence(ctx, col, map);
	case GEN_UNIFORM:
		return read_bounds(ctx, col, map, integral);
	case GEN_NORMAL:
		if ((n = cfg_get(map, "mean")) && mi_number(ctx, &gp->mean, n, "mean"))
			rc = -1;
		if ((n = cfg_get(map, "stddev")) && number_above(ctx, &gp->stddev, n, "stddev", 0, false))
			rc = -1;
		if (read_bounds(ctx, col, map, false))
			rc = -1;
		return rc;
	case GEN_LOGNORMAL:
		if ((n = cfg_get(map, "mean")) && mi_number(ctx, &gp->mean, n, "mean"))
			rc = -1;
		if ((n = cfg_get(map, "sigma")) && number_above(ctx, &gp->sigma, n, "sigma", 0, true))
			rc = -1;
		if (read_bounds(ctx, col, map, false))
			rc = -1;
		return rc;
	case GEN_EXPONENTIAL:
		if ((n = cfg_get(map, "rate")) && number_above(ctx, &gp->rate, n, "rate", 0, true))
			rc = -1;
		if (read_bounds(ctx, col, map, false))
			rc = -1;
		return rc;
	case GEN_POISSON:
		if ((n = cfg_get(map, "lambda")) && number_above(ctx, &gp->lambda, n, "lambda", 0, true))
			rc = -1;
		if (read_bounds(ctx, col, map, false))
			rc = -1;
		return rc;
	case GEN_ZIPF:
		if ((n = cfg_get(map, "n")) &&
		    integer_between(ctx, &gp->n, n, "n", 1,
				    col->type.kind == TYPE_INT ? 2147483647 : INT64_MAX))
			rc = -1;
		if ((n = cfg_get(map, "skew")) && number_above(ctx, &gp->skew, n, "skew", 0, true))
			rc = -1;
		return rc;
	case GEN_CHOICE:
		if ((n = cfg_get(map, "values")))
			return read_choice(ctx, col, n);
		return 0;
	case GEN_BERNOULLI:
		gp->p = 0.5;
		if ((n = cfg_get(map, "p")) && mi_probability(ctx, &gp->p, n, "p"))
			return -1;
		return 0;
	case GEN_DATE:
	case GEN_TIMESTAMP:
		return read_temporal(ctx, col, map);
	case GEN_PATTERN:
		if ((n = cfg_get(map, "unique")) && mi_bool(ctx, &gp->unique, n, "unique"))
			rc = -1;
		if ((n = cfg_get(map, "pattern"))) {
			if (mi_string(ctx, &gp->pattern_src, n, "pattern"))
				return -1;
			if (pattern_compile(&gp->pattern, gp->pattern_src, &n->text_loc, ctx->arena,
					    ctx->diags))
				return -1;
			if (col->type.kind == TYPE_VARCHAR &&
			    pattern_max_length(gp->pattern) > (size_t)col->type.length)
				return diag_error(ctx->diags, &n->loc,
						  "pattern '%s' can produce strings of %zu characters, longer than varchar(%d)",
						  gp->pattern_src, pattern_max_length(gp->pattern),
						  col->type.length);
		}
		return rc;
	case GEN_UUID:
		if (col->type.kind == TYPE_VARCHAR && col->type.length < 36)
			return diag_error(ctx->diags, &col->type_loc,
					  "generator 'uuid' produces 36 characters, longer than varchar(%d)",
					  col->type.length);
		return 0;
	case GEN_REFERENCE: {
		static const char *const dists[] = {"uniform", "zipf"};
		const struct cfg_node *sk = cfg_get(map, "skew");
		int d;
		if ((n = cfg_get(map, "references"))) {
			const char *s;
			if (mi_string(ctx, &s, n, "references"))
				rc = -1;
			else
				cp->references = n;
		}
		if ((n = cfg_get(map, "distribution"))) {
			if ((d = mi_enum(ctx, n, "distribution", dists, 2)) < 0)
				rc = -1;
			else
				gp->ref_dist = (enum ref_distribution)d;
		}
		if (sk) {
			bool dist_bad = (n = cfg_get(map, "distribution")) && rc;
			if (number_above(ctx, &gp->skew, sk, "skew", 0, true))
				rc = -1;
			else if (gp->ref_dist != REF_ZIPF && !dist_bad)
				rc = diag_error(ctx->diags, cfg_key_loc(map, "skew"),
						"'skew' applies only with 'distribution: zipf'");
		}
		if ((n = cfg_get(map, "orphan_probability")) &&
		    mi_probability(ctx, &gp->orphan_probability, n, "orphan_probability"))
			rc = -1;
		return rc;
	}
	case GEN_FIRST_NAME: {
		static const char *const genders[] = {"any", "female", "male"};
		int g;
		if ((n = cfg_get(map, "gender"))) {
			if ((g = mi_enum(ctx, n, "gender", genders, 3)) < 0)
				return -1;
			gp->gender = (enum gender)g;
		}
		return 0;
	}
	case GEN_FULL_NAME:
		if ((n = cfg_get(map, "from")))
			return read_from(ctx, cp, n);
		return 0;
	case GEN_EMAIL:
		if ((n = cfg_get(map, "from")) && read_from(ctx, cp, n))
			rc = -1;
		if ((n = cfg_get(map, "domains"))) {
			if (n->kind != CFG_SEQ || n->n == 0)
				return type_error(ctx, n, "domains", "a non-empty list of domain names");
			gp->domains = arena_calloc(ctx->arena, n->n, sizeof(*gp->domains));
			for (size_t i = 0; i < n->n; i++) {
				const char *dom;
				const struct cfg_node *x = n->items[i];
				bool ok;
				if (mi_string(ctx, &dom, x, "domains")) {
					rc = -1;
					continue;
				}
				ok = strchr(dom, '.') && dom[0] != '.' && dom[strlen(dom) - 1] != '.';
				for (const char *c = dom; ok && *c; c++)
					ok = isalnum((unsigned char)*c) || *c == '-' || *c == '.';
				if (!ok) {
					rc = diag_error(ctx->diags, &x->loc,
							"invalid domain '%s' (expected a name like 'example.com')",
							dom);
					continue;
				}
				gp->domains[gp->n_domains++] = dom;
			}
		}
		return rc;
	case GEN_PHONE: {
		static const char *const formats[] = {"nanp"};
		if ((n = cfg_get(map, "format")) && mi_enum(ctx, n, "phone format", formats, 1) < 0)
			return -1;
		return 0;
	}
	case GEN_STREET_ADDRESS:
	case GEN_CITY:
	case GEN_STATE:
	case GEN_POSTAL_CODE:
	case GEN_COUNTRY:
		if ((n = cfg_get(map, "group"))) {
			if (mi_string(ctx, &gp->group, n, "group"))
				return -1;
			if (check_identifier(ctx, gp->group, &n->loc, "address group"))
				return -1;
		}
		return 0;
	case GEN_SENTENCE: {
		int64_t a = 4, b = 12;
		const struct cfg_node *na = cfg_get(map, "min_words"), *nb = cfg_get(map, "max_words");
		if (na && integer_between(ctx, &a, na, "min_words", 1, 1000))
			rc = -1;
		if (nb && integer_between(ctx, &b, nb, "max_words", 1, 1000))
			rc = -1;
		if (!rc && a > b)
			rc = diag_error(ctx->diags, na ? &na->loc : &nb->loc,
					"'min_words' (%lld) is greater than 'max_words' (%lld)",
					(long long)a, (long long)b);
		gp->min_words = (int)a;
		gp->max_words = (int)b;
		return rc;
	}
	default:
		return 0;
	}
}

/* The shorthand `name: type`: word for strings, bernoulli for booleans, uniform otherwise. */
static void shorthand_generator(struct column *col)
{
	struct gen_params *gp = &col->params;
	const struct col_type *t = &col->type;
	switch (t->kind) {
	case TYPE_BOOLEAN:
		col->gen = GEN_BERNOULLI;
		gp->p = 0.5;
		break;
	case TYPE_STRING:
	case TYPE_VARCHAR:
		col->gen = GEN_WORD;
		break;
	case TYPE_INT:
	case TYPE_BIGINT:
		col->gen = GEN_UNIFORM;
		gp->has_min = gp->has_max = true;
		gp->range_lo = 1;
		gp->range_hi = 1000;
		gp->min = 1;
		gp->max = 1000;
		break;
	case TYPE_DOUBLE:
	case TYPE_DECIMAL: {
		double top = 1000;
		col->gen = GEN_UNIFORM;
		if (t->kind == TYPE_DECIMAL) {
			double limit = pow(10.0, t->precision - t->scale) - pow(10.0, -t->scale);
			if (limit < top)
				top = limit;
		}
		gp->has_min = gp->has_max = true;
		gp->min = 0;
		gp->max = top;
		break;
	}
	case TYPE_DATE:
	case TYPE_TIMESTAMP:
		col->gen = GEN_UNIFORM;
		gp->has_min = gp->has_max = true;
		gp->range_lo = mi_days_from_civil(2020, 1, 1);
		gp->range_hi = mi_days_from_civil(2024, 12, 31);
		if (t->kind == TYPE_TIMESTAMP) {
			gp->range_lo *= 86400;
			gp->range_hi = gp->range_hi * 86400 + 86399;
		}
		gp->min = (double)gp->range_lo;
		gp->max = (double)gp->range_hi;
		break;
	}
}

static void build_column(struct model_ctx *ctx, struct table *t, struct col_pending *cp,
			 struct column *col, const struct cfg_node *node)
{
	const struct cfg_node *tn, *gn, *en, *n;
	const struct gen_def *def = NULL;

	cp->node = node;
	col->type.kind = TYPE_STRING;
	if (node->kind == CFG_SCALAR && !mi_is_null(node)) {
		col->type_loc = node->loc;
		col->gen_loc = node->loc;
		if (parse_type(ctx, &col->type, node, NULL)) {
			cp->type_bad = cp->bad = true;
			return;
		}
		shorthand_generator(col);
		return;
	}
	if (node->kind != CFG_MAP) {
		struct strbuf sb = STRBUF_INIT;
		mi_describe(&sb, node);
		diag_error(ctx->diags, &node->loc,
			   "column '%s' must be a map (type, generator, parameters) or a type name, got %s",
			   col->name, sb.buf);
		strbuf_release(&sb);
		cp->type_bad = cp->bad = true;
		return;
	}
	tn = cfg_get(node, "type");
	gn = cfg_get(node, "generator");
	en = cfg_get(node, "expr");
	col->gen_loc = col->loc;
	col->type_loc = col->loc;

	if (gn) {
		const char *g;
		col->gen_loc = gn->loc;
		if (mi_string(ctx, &g, gn, "generator")) {
			cp->bad = true;
		} else {
			const char *all[GEN__COUNT];
			for (size_t i = 1; i < GEN__COUNT; i++) {
				all[i] = gen_kind_name((enum gen_kind)i);
				if (strcmp(g, all[i]) == 0)
					col->gen = (enum gen_kind)i;
			}
			if (col->gen == GEN_NONE) {
				struct strbuf sb = STRBUF_INIT;
				if (strcmp(g, "expr") == 0) {
					diag_error(ctx->diags, &gn->loc,
						   "'expr' is not a generator: write the expression as 'expr: ...' instead of 'generator: expr'");
				} else {
					strbuf_addf(&sb, "unknown generator '%s'", g);
					add_hint(&sb, g, all + 1, GEN__COUNT - 1);
					diag_error(ctx->diags, &gn->loc, "%s", sb.buf);
				}
				strbuf_release(&sb);
				cp->bad = true;
			} else {
				def = gen_def_of(col->gen);
			}
		}
	} else if (en) {
		col->gen_loc = en->loc;
		col->expr_loc = en->text_loc;
	} else {
		diag_error(ctx->diags, &col->loc,
			   "column '%s' needs a 'generator' or an 'expr'", col->name);
		cp->bad = true;
	}
	check_column_keys(ctx, col, node, def, !gn && en);

	if (tn) {
		col->type_loc = tn->loc;
		if (parse_type(ctx, &col->type, tn, node))
			cp->type_bad = true;
	} else if (col->gen == GEN_REFERENCE) {
		cp->type_missing = true; /* taken from the referenced column */
	} else {
		diag_error(ctx->diags, &col->loc, "column '%s' needs a 'type'", col->name);
		cp->type_bad = true;
	}

	if ((n = cfg_get(node, "null_probability")))
		(void)mi_probability(ctx, &col->null_probability, n, "null_probability");
	if ((n = cfg_get(node, "description")))
		(void)mi_string(ctx, &col->description, n, "description");

	if (en && !gn) {
		if (mi_string(ctx, &col->expr_src, en, "expr") == 0 &&
		    expr_parse(&col->expr, col->expr_src, &en->text_loc, EXPR_CTX_COLUMN, ctx->arena,
			       ctx->diags))
			cp->bad = true;
		if (!col->expr)
			cp->bad = true;
		return;
	}
	if (!def)
		return;
	if (!cp->type_bad && !cp->type_missing && !(def->types & TM(col->type.kind))) {
		char tname[40];
		type_text(tname, sizeof(tname), &col->type);
		diag_error(ctx->diags, &col->gen_loc,
			   "generator '%s' cannot produce type '%s' (it produces %s)",
			   gen_kind_name(col->gen), tname, def->produces);
		cp->bad = true;
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(def->required) && def->required[i]; i++)
		if (!cfg_get(node, def->required[i]) &&
		    !misspelt(node, def->required[i], def->params, ARRAY_SIZE(def->params),
			      column_keys, ARRAY_SIZE(column_keys))) {
			diag_error(ctx->diags, &col->gen_loc,
				   "generator '%s' needs '%s'", gen_kind_name(col->gen),
				   def->required[i]);
			cp->bad = true;
		}
	if (cp->type_bad)
		return; /* parameters are typed by the column type */
	(void)read_params(ctx, col, cp, node);
}

/* Names in one scope may not differ only by case (Spark and Fabric SQL treat them as equal). */
static void check_case_duplicates(struct model_ctx *ctx, const char *const *names,
				  const struct src_loc *locs, size_t n, const char *kind)
{
	for (size_t i = 1; i < n; i++)
		for (size_t j = 0; j < i; j++)
			if (strcasecmp(names[i], names[j]) == 0 && strcmp(names[i], names[j]) != 0) {
				diag_error(ctx->diags, &locs[i],
					   "%s '%s' differs from '%s' (line %d) only by case", kind,
					   names[i], names[j], locs[j].line);
				break;
			}
}

static const char *const table_keys[] = {"description", "rows", "parent", "per_parent",
					 "primary_key", "columns", "write", "partition_columns"};

static void build_table(struct model_ctx *ctx, size_t ti, const struct cfg_node *node)
{
	struct table *t = ctx->ds->tables[ti];
	struct table_pending *tp = &ctx->tables[ti];
	const struct cfg_node *n, *cols;
	char scope[200];

	tp->node = node;
	t->write = true;
	t->per_parent_min = t->per_parent_max = 1;
	check_identifier(ctx, t->name, &t->loc, "table name");
	if (node->kind != CFG_MAP) {
		struct strbuf sb = STRBUF_INIT;
		mi_describe(&sb, node);
		diag_error(ctx->diags, &node->loc,
			   "table '%s' must be a map (rows, columns, ...), got %s", t->name, sb.buf);
		strbuf_release(&sb);
		return;
	}
	snprintf(scope, sizeof(scope), "in table '%s'", t->name);
	mi_check_keys(ctx, node, table_keys, ARRAY_SIZE(table_keys), scope);

	if ((n = cfg_get(node, "description")))
		(void)mi_string(ctx, &t->description, n, "description");
	if ((n = cfg_get(node, "write")))
		(void)mi_bool(ctx, &t->write, n, "write");
	tp->parent = cfg_get(node, "parent");
	tp->primary_key = cfg_get(node, "primary_key");
	tp->partition_columns = cfg_get(node, "partition_columns");

	if ((n = cfg_get(node, "rows"))) {
		t->rows_loc = n->loc;
		if (tp->parent) {
			diag_error(ctx->diags, cfg_key_loc(node, "rows"),
				   "table '%s' has both 'rows' and 'parent' (a child table's rows come from 'per_parent')",
				   t->name);
		} else if (n->kind != CFG_SCALAR || mi_is_null(n)) {
			type_error(ctx, n, "rows", "a number or an expression of target_rows and scale_factor");
		} else {
			t->rows_src = n->scalar;
			(void)expr_parse(&t->rows_expr, n->scalar, &n->text_loc, EXPR_CTX_ROWS,
					 ctx->arena, ctx->diags);
		}
	}
	if ((n = cfg_get(node, "per_parent"))) {
		static const char *const pp_keys[] = {"min", "max"};
		if (!tp->parent) {
			diag_error(ctx->diags, cfg_key_loc(node, "per_parent"),
				   "'per_parent' needs 'parent' (the table whose rows have children)");
		} else if (mi_want(ctx, n, CFG_MAP, "per_parent", "a map {min: m, max: n}") == 0) {
			const struct cfg_node *mn = cfg_get(n, "min"), *mx = cfg_get(n, "max");
			bool ok = true;
			mi_check_keys(ctx, n, pp_keys, 2, "in 'per_parent'");
			if (!mn || !mx) {
				diag_error(ctx->diags, &n->loc, "'per_parent' needs 'min' and 'max'");
				ok = false;
			}
			if (mn && integer_between(ctx, &t->per_parent_min, mn, "min", 0, 1000000))
				ok = false;
			if (mx && integer_between(ctx, &t->per_parent_max, mx, "max", 1, 1000000))
				ok = false;
			if (ok && t->per_parent_min > t->per_parent_max)
				diag_error(ctx->diags, &mn->loc,
					   "per_parent 'min' (%lld) is greater than 'max' (%lld)",
					   (long long)t->per_parent_min, (long long)t->per_parent_max);
		}
	} else if (tp->parent) {
		diag_error(ctx->diags, cfg_key_loc(node, "parent"),
			   "table '%s' has 'parent' but no 'per_parent' (add per_parent: {min: m, max: n})",
			   t->name);
	}

	cols = cfg_get(node, "columns");
	if (!cols) {
		diag_error(ctx->diags, &t->loc, "table '%s' needs 'columns'", t->name);
		return;
	}
	if (mi_want(ctx, cols, CFG_MAP, "columns", "a map of column name -> column"))
		return;
	if (cols->n == 0) {
		diag_error(ctx->diags, &cols->loc, "table '%s' has no columns", t->name);
		return;
	}
	t->n_columns = cols->n;
	t->columns = arena_calloc(ctx->arena, cols->n, sizeof(*t->columns));
	tp->cols = arena_calloc(ctx->arena, cols->n, sizeof(*tp->cols));
	for (size_t i = 0; i < cols->n; i++) {
		struct column *col = arena_alloc(ctx->arena, sizeof(*col));
		col->name = cols->keys[i];
		col->loc = cols->key_locs[i];
		col->table = t;
		col->index = i;
		t->columns[i] = col;
		/* a badly named column is kept, so that references to it still resolve */
		(void)check_identifier(ctx, col->name, &col->loc, "column name");
		build_column(ctx, t, &tp->cols[i], col, cols->items[i]);
	}
	check_case_duplicates(ctx, cols->keys, cols->key_locs, cols->n, "column");
}

static const char *const top_keys[] = {
	"dataset_id", "dataset_name", "description", "dataset_type", "schema_pattern", "domain",
	"target_rows", "scale_factor", "seed", "chunk_size", "tables", "relationships",
	"incremental", "output", "tags",
};

static const char *const required_top[] = {"dataset_id", "dataset_name", "dataset_type",
					   "schema_pattern", "domain", "target_rows", "tables"};

static void build_output(struct model_ctx *ctx, const struct cfg_node *n)
{
	static const char *const keys[] = {"partition_columns", "z_order", "compression"};
	static const char *const comps[] = {"snappy", "zstd", "none"};
	struct dataset *ds = ctx->ds;
	const struct cfg_node *x;
	int c;

	if (mi_want(ctx, n, CFG_MAP, "output", "a map (partition_columns, z_order, compression)"))
		return;
	mi_check_keys(ctx, n, keys, ARRAY_SIZE(keys), "in 'output'");
	if ((x = cfg_get(n, "compression")) && (c = mi_enum(ctx, x, "compression", comps, 3)) >= 0)
		ds->compression = (enum compression)c;
	ctx->output = n; /* column lists are checked by validate.c */
}

static void build_top(struct model_ctx *ctx, const struct cfg_node *root)
{
	static const char *const types[] = {"transactional", "analytical", "event_stream"};
	static const char *const patterns[] = {"oltp", "star_schema", "snowflake", "event_stream"};
	struct dataset *ds = ctx->ds;
	const struct cfg_node *n;
	int e;

	for (size_t i = 0; i < root->n; i++) {
		const char *k = root->keys[i];
		bool ok = strncmp(k, "x-", 2) == 0 || strncmp(k, "x_", 2) == 0;
		for (size_t j = 0; j < ARRAY_SIZE(top_keys) && !ok; j++)
			ok = strcmp(k, top_keys[j]) == 0;
		if (!ok) {
			struct strbuf sb = STRBUF_INIT;
			strbuf_addf(&sb, "unknown key '%s' at the top level", k);
			add_hint(&sb, k, top_keys, ARRAY_SIZE(top_keys));
			diag_error(ctx->diags, &root->key_locs[i], "%s", sb.buf);
			strbuf_release(&sb);
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(required_top); i++)
		if (!cfg_get(root, required_top[i]) &&
		    !misspelt(root, required_top[i], top_keys, ARRAY_SIZE(top_keys), NULL, 0))
			diag_error(ctx->diags, &root->loc, "missing required key '%s'", required_top[i]);

	if ((n = cfg_get(root, "dataset_id")) && mi_string(ctx, &ds->id, n, "dataset_id") == 0)
		check_identifier(ctx, ds->id, &n->loc, "dataset_id");
	if ((n = cfg_get(root, "dataset_name")))
		(void)mi_string(ctx, &ds->name, n, "dataset_name");
	if ((n = cfg_get(root, "description")))
		(void)mi_string(ctx, &ds->description, n, "description");
	if ((n = cfg_get(root, "domain")))
		(void)mi_string(ctx, &ds->domain, n, "domain");
	if ((n = cfg_get(root, "dataset_type")) &&
	    (e = mi_enum(ctx, n, "dataset_type", types, ARRAY_SIZE(types))) >= 0)
		ds->type = (enum dataset_type)e;
	if ((n = cfg_get(root, "schema_pattern")) &&
	    (e = mi_enum(ctx, n, "schema_pattern", patterns, ARRAY_SIZE(patterns))) >= 0)
		ds->pattern = (enum schema_pattern)e;
	ds->target_rows = 10000;
	if ((n = cfg_get(root, "target_rows")))
		(void)integer_between(ctx, &ds->target_rows, n, "target_rows", 1,
				      (int64_t)1000000000000000LL);
	ds->scale_factor = 1.0;
	if ((n = cfg_get(root, "scale_factor")))
		(void)number_above(ctx, &ds->scale_factor, n, "scale_factor", 0, true);
	ds->seed = 42;
	if ((n = cfg_get(root, "seed")))
		(void)mi_integer(ctx, &ds->seed, n, "seed");
	ds->chunk_size = 1000000;
	if ((n = cfg_get(root, "chunk_size")))
		(void)integer_between(ctx, &ds->chunk_size, n, "chunk_size", 1, INT64_MAX);
	if ((n = cfg_get(root, "output")))
		build_output(ctx, n);
	if ((n = cfg_get(root, "tags")) &&
	    mi_want(ctx, n, CFG_SEQ, "tags", "a list of strings") == 0) {
		ds->tags = arena_calloc(ctx->arena, n->n ? n->n : 1, sizeof(*ds->tags));
		for (size_t i = 0; i < n->n; i++)
			if (mi_string(ctx, &ds->tags[ds->n_tags], n->items[i], "tags") == 0)
				ds->n_tags++;
	}
	ctx->relationships = cfg_get(root, "relationships");
	ctx->incremental = cfg_get(root, "incremental");
}

int model_build(struct dataset **out, const struct cfg_node *root, struct arena *arena,
		struct diags *diags)
{
	struct model_ctx ctx;
	struct dataset *ds;
	const struct cfg_node *tables;
	int errors_before = diags->errors;

	*out = NULL;
	memset(&ctx, 0, sizeof(ctx));
	ctx.arena = arena;
	ctx.diags = diags;
	ctx.root = root;
	if (!root)
		return diag_error(diags, NULL, "no config");
	if (root->kind != CFG_MAP)
		return diag_error(diags, &root->loc,
				  "a dataset config must be a map (dataset_id, tables, ...), got %s",
				  cfg_kind_name(root->kind));
	ds = arena_alloc(arena, sizeof(*ds));
	ctx.ds = ds;
	ds->file = root->loc.file;
	ds->loc = root->loc;
	build_top(&ctx, root);

	tables = cfg_get(root, "tables");
	if (tables && mi_want(&ctx, tables, CFG_MAP, "tables", "a map of table name -> table") == 0) {
		if (tables->n == 0)
			diag_error(diags, &tables->loc, "'tables' is empty (define at least one table)");
		ds->n_tables = tables->n;
		ds->tables = arena_calloc(arena, tables->n ? tables->n : 1, sizeof(*ds->tables));
		ctx.tables = arena_calloc(arena, tables->n ? tables->n : 1, sizeof(*ctx.tables));
		for (size_t i = 0; i < tables->n; i++) {
			struct table *t = arena_alloc(arena, sizeof(*t));
			t->name = tables->keys[i];
			t->loc = tables->key_locs[i];
			t->index = i;
			ds->tables[i] = t;
		}
		for (size_t i = 0; i < tables->n; i++)
			build_table(&ctx, i, tables->items[i]);
		check_case_duplicates(&ctx, tables->keys, tables->key_locs, tables->n, "table");
	}
	model_validate(&ctx);
	if (diags->errors > errors_before)
		return -1;
	*out = ds;
	return 0;
}
