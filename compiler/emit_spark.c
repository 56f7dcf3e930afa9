/*
 * emit_spark: the pyspark-mode renderer.  Every column program (ir.h) of a
 * plan becomes a Spark SQL expression over the BIGINT column `__row`, and the
 * whole plan becomes the generated program of the notebook contract
 * (TABLE_SPECS, SPARK_ARRAYS, SPARK_COLUMNS; see emit_spark.h).
 *
 * How a table is rendered:
 *   - Each node renders to a text that is self-delimited (a call, a literal,
 *     a backquoted name or a parenthesised operation), so texts compose
 *     without precedence questions and never form a `--` comment.
 *   - A node that the DAG shares, or an operand that a rendering needs more
 *     than once (the `u` of a CASE chain, the index of an alias pick), is
 *     materialised as a helper column `__ig_e<N>` (let()); helpers are
 *     deduplicated by text, so structurally equal subtrees of different
 *     columns are computed once.  The runtime evaluates the columns level by
 *     level, so helpers cost one projection each at most.
 *   - IR_COLUMN names the already selected column; IR_AT_ROW inlines the
 *     target column's program in a new frame whose ROW is the (materialised)
 *     row expression, recursively through the target's own IR_COLUMN
 *     dependencies.
 *   - Constant arrays larger than ARRAY_INLINE_MAX are written once in
 *     SPARK_ARRAYS and selected once per table as a helper column
 *     `__ig_a<N>`; Spark folds them into literals.
 *   - Values keep the IR representation: DEC is the unscaled BIGINT (exact
 *     64-bit arithmetic with try_add/try_subtract/try_multiply, NULL on
 *     overflow as ir.h says); a DEC table column is selected twice, as the
 *     unscaled helper `__ig_u<index>` that other columns read and as the
 *     Spark decimal under its own name.  DATE and TS are Spark DATE and
 *     TIMESTAMP (the session time zone is UTC).
 * Spark's renderings that do not propagate NULL as the IR does (xxhash64
 * skips NULL arguments, a CASE chain falls through to ELSE) are guarded when
 * a nullability analysis says the operand may be NULL.
 */
#include "emit_spark.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "datetime.h"
#include "hash.h"
#include "ir.h"
#include "model.h"
#include "plan.h"
#include "strbuf.h"

#define ARRAY_INLINE_MAX 16   /* larger constant arrays are hoisted into SPARK_ARRAYS */
#define CASE_CHAIN_MAX 64     /* SEARCH_CUM: CASE chain up to this size, else a stepped binary search */
#define TRIVIAL_TEXT_MAX 24   /* texts this short are repeated rather than materialised */
#define MAX_INLINE_DEPTH 64   /* IR_COLUMN / IR_AT_ROW nesting */
#define ROW_NAME "`__row`"
#define UNIT_SCALE "1.1102230246251565E-16D" /* 2^-53, exactly */

/* ---------- small maps ---------- */

/* Open addressing over (pointer, frame) keys. */
struct pslot {
	const void *p;
	size_t frame;
	const void *val;
};

struct pmap {
	size_t cap, n;
	struct pslot *slots;
};

static uint64_t pkey_hash(const void *p, size_t frame)
{
	uint64_t k = (uint64_t)(uintptr_t)p ^ ((uint64_t)frame * 0x9E3779B97F4A7C15ULL);
	return hash_xxh64_u64(k, 0);
}

static const void *pmap_get(const struct pmap *m, const void *p, size_t frame)
{
	if (!m->cap)
		return NULL;
	for (size_t i = pkey_hash(p, frame) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		const struct pslot *s = &m->slots[i];
		if (!s->p)
			return NULL;
		if (s->p == p && s->frame == frame)
			return s->val;
	}
}

static void pmap_put(struct pmap *m, const void *p, size_t frame, const void *val)
{
	if (2 * (m->n + 1) > m->cap) {
		struct pmap big = {m->cap ? 2 * m->cap : 64, 0, NULL};
		big.slots = calloc(big.cap, sizeof(*big.slots));
		if (!big.slots)
			abort();
		for (size_t i = 0; i < m->cap; i++)
			if (m->slots[i].p)
				pmap_put(&big, m->slots[i].p, m->slots[i].frame, m->slots[i].val);
		free(m->slots);
		*m = big;
	}
	for (size_t i = pkey_hash(p, frame) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		struct pslot *s = &m->slots[i];
		if (!s->p) {
			s->p = p;
			s->frame = frame;
			s->val = val;
			m->n++;
			return;
		}
		if (s->p == p && s->frame == frame) {
			s->val = val;
			return;
		}
	}
}

static void pmap_release(struct pmap *m)
{
	free(m->slots);
	m->slots = NULL;
	m->cap = m->n = 0;
}

/* Open addressing over strings (keys owned by the caller's arena). */
struct sslot {
	const char *key;
	uint64_t hash;
	size_t val;
};

struct smap {
	size_t cap, n;
	struct sslot *slots;
};

static bool smap_get(const struct smap *m, const char *key, size_t *val)
{
	uint64_t h = hash_bytes(key, strlen(key), 0);
	if (!m->cap)
		return false;
	for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		const struct sslot *s = &m->slots[i];
		if (!s->key)
			return false;
		if (s->hash == h && !strcmp(s->key, key)) {
			*val = s->val;
			return true;
		}
	}
}

static void smap_put(struct smap *m, const char *key, size_t val)
{
	uint64_t h = hash_bytes(key, strlen(key), 0);
	if (2 * (m->n + 1) > m->cap) {
		struct smap big = {m->cap ? 2 * m->cap : 64, 0, NULL};
		big.slots = calloc(big.cap, sizeof(*big.slots));
		if (!big.slots)
			abort();
		for (size_t i = 0; i < m->cap; i++)
			if (m->slots[i].key)
				smap_put(&big, m->slots[i].key, m->slots[i].val);
		free(m->slots);
		*m = big;
	}
	for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		struct sslot *s = &m->slots[i];
		if (!s->key) {
			s->key = key;
			s->hash = h;
			s->val = val;
			m->n++;
			return;
		}
		if (s->hash == h && !strcmp(s->key, key)) {
			s->val = val;
			return;
		}
	}
}

static void smap_release(struct smap *m)
{
	free(m->slots);
	m->slots = NULL;
	m->cap = m->n = 0;
}

/* ---------- state ---------- */

/* A constant array (SPARK_ARRAYS entry). */
struct sp_array {
	enum ir_type elem; /* F64, I64 or STR */
	size_t n;
	const double *f64;
	const int64_t *i64;
	const char *const *str;
	uint64_t hash;
	const char *sql;
	bool hoisted;      /* written in SPARK_ARRAYS */
	size_t id;         /* a<id> */
};

/* One (name, expression) pair of SPARK_COLUMNS. */
struct sp_entry {
	const char *name;
	const char *sql;   /* Spark SQL text, or NULL for an array (then `array`) */
	const struct sp_array *array;
};

/* A row context: the columns of program `prog` evaluated with ROW := row. */
struct frame {
	size_t prog;       /* SIZE_MAX: a free-standing node (no program) */
	const char *row;
	bool row_nullable;
	bool row_nonneg;
};

struct sp_ctx {
	struct arena arena;
	struct diags *diags;
	const struct plan *plan;
	const struct ir_program *progs;
	bool inline_helpers;   /* single-expression mode: no helper columns */
	int failed;
	int depth;
	struct pmap uses;      /* node -> number of parents (as uintptr_t) */
	struct sp_array **arrays;
	size_t n_arrays, arrays_cap;
	size_t n_hoisted;
	/* the table being rendered */
	size_t prog;
	struct sp_entry *entries;
	size_t n_entries, entries_cap;
	struct smap helpers;   /* helper text -> entry index */
	struct pmap array_cols;/* sp_array -> entry name (per table) */
	struct frame *frames;
	size_t n_frames, frames_cap;
	struct pmap cache;     /* (node, frame) -> text */
	struct pmap nullable;  /* (node, frame) -> 1 + bool */
	struct pmap nonneg;    /* (node, frame) -> 1 + bool */
	size_t next_helper;
};

static const char *render(struct sp_ctx *c, const struct ir_node *n, size_t f);

static const char *sdup(struct sp_ctx *c, const struct strbuf *sb)
{
	return arena_strndup(&c->arena, sb->buf, sb->len);
}

static const char *fmt(struct sp_ctx *c, const char *f, ...) __attribute__((format(printf, 2, 3)));

static const char *fmt(struct sp_ctx *c, const char *f, ...)
{
	struct strbuf sb = STRBUF_INIT;
	const char *res;
	va_list ap;
	va_start(ap, f);
	strbuf_vaddf(&sb, f, ap);
	va_end(ap);
	res = sdup(c, &sb);
	strbuf_release(&sb);
	return res;
}

static const char *fail(struct sp_ctx *c, const struct ir_node *n, const char *what)
{
	if (!c->failed)
		diag_error(c->diags, NULL, "internal error: %s ('%s') has no pyspark rendering", what,
			   n ? ir_op_name(n->op) : "?");
	c->failed = 1;
	return "NULL";
}

static const char *const type_names[] = {"BOOLEAN", "BIGINT", "DOUBLE", "STRING", "DATE", "TIMESTAMP", "BIGINT"};

static const char *spark_type(enum ir_type t)
{
	return type_names[t];
}

/* ---------- literals ---------- */

static void add_i64(struct strbuf *sb, int64_t v)
{
	if (v == INT64_MIN)
		strbuf_addstr(sb, "(-9223372036854775807L - 1L)");
	else if (v < 0)
		strbuf_addf(sb, "(-%" PRId64 "L)", -v);
	else
		strbuf_addf(sb, "%" PRId64 "L", v);
}

static const char *lit_i64(struct sp_ctx *c, int64_t v)
{
	struct strbuf sb = STRBUF_INIT;
	const char *res;
	add_i64(&sb, v);
	res = sdup(c, &sb);
	strbuf_release(&sb);
	return res;
}

/* A DOUBLE literal with 17 significant digits (Spark reads it back exactly). */
static void add_f64(struct strbuf *sb, double d)
{
	char buf[64];
	if (isnan(d)) {
		strbuf_addstr(sb, "CAST('NaN' AS DOUBLE)");
		return;
	}
	if (isinf(d)) {
		strbuf_addstr(sb, d > 0 ? "CAST('Infinity' AS DOUBLE)" : "CAST('-Infinity' AS DOUBLE)");
		return;
	}
	snprintf(buf, sizeof(buf), "%.17g", fabs(d));
	for (char *p = buf; *p; p++)
		if (*p == 'e')
			*p = 'E';
	if (signbit(d))
		strbuf_addf(sb, "(-%sD)", buf);
	else
		strbuf_addf(sb, "%sD", buf);
}

static const char *lit_f64(struct sp_ctx *c, double d)
{
	struct strbuf sb = STRBUF_INIT;
	const char *res;
	add_f64(&sb, d);
	res = sdup(c, &sb);
	strbuf_release(&sb);
	return res;
}

/*
 * A Spark string literal: backslash and quote escaped, control characters as
 * \u00XX; other bytes (UTF-8 included) as they are.
 */
static void add_str(struct strbuf *sb, const char *s)
{
	strbuf_addch(sb, '\'');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '\\' || *p == '\'')
			strbuf_addf(sb, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			strbuf_addf(sb, "\\u%04X", *p);
		else
			strbuf_addch(sb, *p);
	}
	strbuf_addch(sb, '\'');
}

static const char *lit_str(struct sp_ctx *c, const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	const char *res;
	add_str(&sb, s);
	res = sdup(c, &sb);
	strbuf_release(&sb);
	return res;
}

static const char *lit_date(struct sp_ctx *c, int64_t days)
{
	int64_t y;
	int m, d;
	if (!dt_days_ok(days))
		return "CAST(NULL AS DATE)";
	dt_civil_from_days(days, &y, &m, &d);
	if (y >= 1 && y <= 9999)
		return fmt(c, "DATE'%04" PRId64 "-%02d-%02d'", y, m, d);
	return fmt(c, "date_add(DATE'1970-01-01', %" PRId64 ")", days);
}

/* 10^k as the nearest double (what the literal 1e<k> reads as). */
static double pow10_f64(int k)
{
	char buf[16];
	snprintf(buf, sizeof(buf), "1e%d", k);
	return strtod(buf, NULL);
}

static int64_t pow10_i64(int k)
{
	int64_t v = 1;
	while (k-- > 0)
		v *= 10;
	return v;
}

/* The DECIMAL literal 10^-k (k >= 1): DECIMAL(k,k). */
static const char *lit_dec_inv_pow10(struct sp_ctx *c, int k)
{
	struct strbuf sb = STRBUF_INIT;
	const char *res;
	strbuf_addstr(&sb, "0.");
	strbuf_addchars(&sb, '0', (size_t)(k - 1));
	strbuf_addstr(&sb, "1BD");
	res = sdup(c, &sb);
	strbuf_release(&sb);
	return res;
}

/* An INT argument of a Spark function (substr, lpad, date_add, arrays). */
static const char *int_arg(struct sp_ctx *c, const struct ir_node *n, size_t f)
{
	if (n->op == IR_CONST && n->value.kind == VAL_INT && n->type == IR_T_I64 && n->value.i >= INT32_MIN &&
	    n->value.i <= INT32_MAX)
		return n->value.i < 0 ? fmt(c, "(%" PRId64 ")", n->value.i) : fmt(c, "%" PRId64, n->value.i);
	return fmt(c, "CAST(%s AS INT)", render(c, n, f));
}

/* ---------- helper columns ---------- */

static bool is_trivial(const char *t)
{
	size_t len = strlen(t);
	if (len <= TRIVIAL_TEXT_MAX)
		return true;
	return t[0] == '`' && strchr(t + 1, '`') == t + len - 1;
}

static void add_entry(struct sp_ctx *c, const char *name, const char *sql, const struct sp_array *array)
{
	struct sp_entry *e;
	c->entries = arena_grow_array(&c->arena, c->entries, sizeof(*c->entries), &c->entries_cap, c->n_entries + 1);
	e = &c->entries[c->n_entries++];
	e->name = name;
	e->sql = sql;
	e->array = array;
}

/* The text as a helper column (or itself when short or in single-expression mode). */
static const char *let(struct sp_ctx *c, const char *text)
{
	size_t idx;
	const char *name;
	if (c->inline_helpers || is_trivial(text))
		return text;
	if (smap_get(&c->helpers, text, &idx))
		return fmt(c, "`%s`", c->entries[idx].name);
	name = fmt(c, "__ig_e%zu", c->next_helper++);
	add_entry(c, name, text, NULL);
	smap_put(&c->helpers, text, c->n_entries - 1);
	return fmt(c, "`%s`", name);
}

/* ---------- constant arrays ---------- */

/* `array(...)` of literals: readable, for small arrays. */
static void add_array_literal(struct strbuf *sb, const struct sp_array *a)
{
	strbuf_addstr(sb, "array(");
	for (size_t i = 0; i < a->n; i++) {
		if (i)
			strbuf_addstr(sb, ", ");
		if (a->elem == IR_T_F64)
			add_f64(sb, a->f64[i]);
		else if (a->elem == IR_T_STR)
			add_str(sb, a->str[i] ? a->str[i] : "");
		else
			add_i64(sb, a->i64[i]);
	}
	strbuf_addch(sb, ')');
}

/*
 * A large array as one string literal split into its elements (Spark parses
 * and analyses one token instead of thousands of literals, and folds the
 * split into an array literal once): strings split at a control character
 * that no element contains; numbers split at ',' and cast, which reads
 * every 17-digit double back exactly.
 */
static void add_array_sql(struct strbuf *sb, const struct sp_array *a)
{
	int sep = ',';
	if (a->n <= ARRAY_INLINE_MAX) {
		add_array_literal(sb, a);
		return;
	}
	if (a->elem == IR_T_STR) {
		bool used[32] = {false};
		for (size_t i = 0; i < a->n; i++)
			for (const unsigned char *p = (const unsigned char *)(a->str[i] ? a->str[i] : ""); *p; p++)
				if (*p < 32)
					used[*p] = true;
		for (sep = 1; sep < 32 && used[sep]; sep++)
			;
		if (sep == 32) {
			add_array_literal(sb, a);
			return;
		}
	}
	strbuf_addstr(sb, a->elem == IR_T_STR ? "split('" : "CAST(split('");
	for (size_t i = 0; i < a->n; i++) {
		if (i && a->elem == IR_T_STR)
			strbuf_addf(sb, "\\u%04X", sep);
		else if (i)
			strbuf_addch(sb, ',');
		if (a->elem == IR_T_STR) {
			/* the literal's escapes, without the quotes */
			size_t at = sb->len;
			add_str(sb, a->str[i] ? a->str[i] : "");
			memmove(sb->buf + at, sb->buf + at + 1, sb->len - at - 2);
			strbuf_setlen(sb, sb->len - 2);
		} else if (a->elem == IR_T_F64) {
			double d = a->f64[i];
			if (isnan(d))
				strbuf_addstr(sb, "NaN");
			else if (isinf(d))
				strbuf_addstr(sb, d > 0 ? "Infinity" : "-Infinity");
			else
				strbuf_addf(sb, "%.17g", d);
		} else {
			strbuf_addf(sb, "%" PRId64, a->i64[i]);
		}
	}
	if (a->elem == IR_T_STR)
		strbuf_addf(sb, "', '\\u%04X')", sep);
	else
		strbuf_addf(sb, "', ',') AS ARRAY<%s>)", a->elem == IR_T_F64 ? "DOUBLE" : "BIGINT");
}

static uint64_t array_hash(const struct sp_array *a)
{
	uint64_t h = hash_xxh64_u64((uint64_t)a->n, (uint64_t)a->elem);
	for (size_t i = 0; i < a->n; i++) {
		if (a->elem == IR_T_STR) {
			const char *s = a->str[i] ? a->str[i] : "";
			h = hash_bytes(s, strlen(s) + 1, h);
		} else if (a->elem == IR_T_F64) {
			uint64_t bits;
			memcpy(&bits, &a->f64[i], sizeof(bits));
			h = hash_xxh64_u64(bits, h);
		} else {
			h = hash_xxh64_u64((uint64_t)a->i64[i], h);
		}
	}
	return h;
}

static bool array_equal(const struct sp_array *a, const struct sp_array *b)
{
	if (a->elem != b->elem || a->n != b->n || a->hash != b->hash)
		return false;
	for (size_t i = 0; i < a->n; i++) {
		if (a->elem == IR_T_STR) {
			if (strcmp(a->str[i] ? a->str[i] : "", b->str[i] ? b->str[i] : ""))
				return false;
		} else if (a->elem == IR_T_F64) {
			if (memcmp(&a->f64[i], &b->f64[i], sizeof(double)))
				return false;
		} else if (a->i64[i] != b->i64[i]) {
			return false;
		}
	}
	return true;
}

/*
 * The text of a constant array: an inline `array(...)` when small (or in
 * single-expression mode), else the helper column selecting its
 * SPARK_ARRAYS entry in the current table.
 */
static const char *array_text(struct sp_ctx *c, enum ir_type elem, size_t n, const double *f64, const int64_t *i64,
			      const char *const *str)
{
	struct sp_array key = {elem, n, f64, i64, str, 0, NULL, false, 0}, *a = NULL;
	const char *name;
	key.hash = array_hash(&key);
	for (size_t i = 0; i < c->n_arrays; i++)
		if (array_equal(c->arrays[i], &key)) {
			a = c->arrays[i];
			break;
		}
	if (!a) {
		struct strbuf sb = STRBUF_INIT;
		a = arena_alloc(&c->arena, sizeof(*a));
		*a = key;
		add_array_sql(&sb, a);
		a->sql = sdup(c, &sb);
		strbuf_release(&sb);
		c->arrays = arena_grow_array(&c->arena, c->arrays, sizeof(*c->arrays), &c->arrays_cap, c->n_arrays + 1);
		c->arrays[c->n_arrays++] = a;
	}
	if (c->inline_helpers || n <= ARRAY_INLINE_MAX)
		return a->sql;
	if (!a->hoisted) {
		a->hoisted = true;
		a->id = c->n_hoisted++;
	}
	name = pmap_get(&c->array_cols, a, 0);
	if (!name) {
		name = fmt(c, "__ig_a%zu", a->id);
		add_entry(c, name, NULL, a);
		pmap_put(&c->array_cols, a, 0, name);
	}
	return fmt(c, "`%s`", name);
}

static const char *table_array(struct sp_ctx *c, const struct ir_table *t)
{
	return array_text(c, t->elem, t->n, t->f64, t->i64, t->str);
}

/* ---------- analyses ---------- */

static const struct ir_node *column_root(const struct sp_ctx *c, const struct column *col)
{
	return c->progs[col->table->index].columns[col->index].value;
}

static size_t frame_of(struct sp_ctx *c, size_t prog, const char *row, bool nullable, bool nonneg);
static size_t at_row_frame(struct sp_ctx *c, const struct ir_node *n, size_t f);

static bool is_nonzero_const(const struct ir_node *n)
{
	if (n->op != IR_CONST)
		return false;
	if (n->value.kind == VAL_INT)
		return n->value.i != 0;
	if (n->value.kind == VAL_DOUBLE)
		return n->value.d != 0;
	return false;
}

static bool may_be_null(struct sp_ctx *c, const struct ir_node *n, size_t f);

static bool any_arg_null(struct sp_ctx *c, const struct ir_node *n, size_t f)
{
	for (size_t i = 0; i < n->n_args; i++)
		if (may_be_null(c, n->args[i], f))
			return true;
	return false;
}

static bool all_args_null(struct sp_ctx *c, const struct ir_node *n, size_t f)
{
	for (size_t i = 0; i < n->n_args; i++)
		if (!may_be_null(c, n->args[i], f))
			return false;
	return true;
}

/*
 * Whether the node may be NULL in frame f (conservative: true when unsure).
 * Frames of AT_ROW are looked up by the row text, so the row must have been
 * rendered first; callers only ask about nodes whose arguments are rendered.
 */
static bool may_be_null_uncached(struct sp_ctx *c, const struct ir_node *n, size_t f)
{
	switch (n->op) {
	case IR_ROW:
		return c->frames[f].row_nullable;
	case IR_CONST:
		return n->value.kind == VAL_NULL;
	case IR_ADD:
	case IR_SUB:
	case IR_MUL:
	case IR_NEG:
		return n->type == IR_T_DEC || any_arg_null(c, n, f);
	case IR_DIV:
	case IR_IDIV:
	case IR_MOD:
	case IR_REM:
		return !is_nonzero_const(n->args[1]) || any_arg_null(c, n, f);
	case IR_IF:
		return may_be_null(c, n->args[1], f) || may_be_null(c, n->args[2], f);
	case IR_CASE:
		if (n->n_args % 2 == 0)
			return true;
		for (size_t i = 1; i < n->n_args; i += 2)
			if (may_be_null(c, n->args[i], f))
				return true;
		return may_be_null(c, n->args[n->n_args - 1], f);
	case IR_IS_NULL:
		return false;
	case IR_COALESCE:
	case IR_LEAST:
	case IR_GREATEST:
		return all_args_null(c, n, f);
	case IR_LN:
	case IR_MAKE_DATE:
		return true;
	case IR_ABS:
	case IR_ROUND_HALF_UP:
		return n->type == IR_T_DEC || any_arg_null(c, n, f);
	case IR_CAST:
		if (n->type == IR_T_DEC || n->args[0]->type == IR_T_STR)
			return true;
		return any_arg_null(c, n, f);
	case IR_COLUMN:
		if (c->depth > MAX_INLINE_DEPTH)
			return true;
		{
			bool r;
			c->depth++;
			r = may_be_null(c, column_root(c, n->column), f);
			c->depth--;
			return r;
		}
	case IR_AT_ROW: {
		bool r;
		size_t g;
		if (c->depth > MAX_INLINE_DEPTH)
			return true;
		c->depth++;
		g = at_row_frame(c, n, f);
		r = may_be_null(c, column_root(c, n->column), g);
		c->depth--;
		return r;
	}
	default:
		return any_arg_null(c, n, f);
	}
}

static bool may_be_null(struct sp_ctx *c, const struct ir_node *n, size_t f)
{
	uintptr_t v = (uintptr_t)pmap_get(&c->nullable, n, f);
	bool r;
	if (v)
		return v == 2;
	r = may_be_null_uncached(c, n, f);
	pmap_put(&c->nullable, n, f, (const void *)(uintptr_t)(r ? 2 : 1));
	return r;
}

static bool non_negative(struct sp_ctx *c, const struct ir_node *n, size_t f);

static bool non_negative_uncached(struct sp_ctx *c, const struct ir_node *n, size_t f)
{
	switch (n->op) {
	case IR_ROW:
		return c->frames[f].row_nonneg;
	case IR_CONST:
		return n->value.kind == VAL_INT && n->value.i >= 0;
	case IR_INT_RANGE:
		return n->lo >= 0;
	case IR_SEARCH_CUM:
	case IR_ALIAS_PICK:
	case IR_AFFINE_MOD:
	case IR_LENGTH:
	case IR_MONTH: case IR_DAY: case IR_DAYOFWEEK: case IR_DAYOFYEAR:
	case IR_QUARTER: case IR_WEEKOFYEAR: case IR_HOUR: case IR_MINUTE: case IR_SECOND:
		return true;
	case IR_MOD: /* pmod by a positive divisor */
		return n->type == IR_T_I64 && n->args[1]->op == IR_CONST && n->args[1]->value.kind == VAL_INT &&
		       n->args[1]->value.i > 0;
	case IR_ADD:
	case IR_MUL:
	case IR_IDIV:
		return n->type == IR_T_I64 && non_negative(c, n->args[0], f) && non_negative(c, n->args[1], f);
	case IR_IF:
		return non_negative(c, n->args[1], f) && non_negative(c, n->args[2], f);
	case IR_COLUMN:
		if (c->depth > MAX_INLINE_DEPTH)
			return false;
		{
			bool r;
			c->depth++;
			r = non_negative(c, column_root(c, n->column), f);
			c->depth--;
			return r;
		}
	default:
		return false;
	}
}

static bool non_negative(struct sp_ctx *c, const struct ir_node *n, size_t f)
{
	uintptr_t v = (uintptr_t)pmap_get(&c->nonneg, n, f);
	bool r;
	if (v)
		return v == 2;
	r = non_negative_uncached(c, n, f);
	pmap_put(&c->nonneg, n, f, (const void *)(uintptr_t)(r ? 2 : 1));
	return r;
}

static void count_uses(struct sp_ctx *c, const struct ir_node *n)
{
	for (size_t i = 0; i < n->n_args; i++) {
		const struct ir_node *a = n->args[i];
		uintptr_t u = (uintptr_t)pmap_get(&c->uses, a, 0);
		pmap_put(&c->uses, a, 0, (const void *)(u + 1));
		if (!u)
			count_uses(c, a);
	}
}

static size_t uses_of(const struct sp_ctx *c, const struct ir_node *n)
{
	return (size_t)(uintptr_t)pmap_get(&c->uses, n, 0);
}

/* ---------- frames ---------- */

static size_t frame_of(struct sp_ctx *c, size_t prog, const char *row, bool nullable, bool nonneg)
{
	for (size_t i = 0; i < c->n_frames; i++)
		if (c->frames[i].prog == prog && !strcmp(c->frames[i].row, row))
			return i;
	c->frames = arena_grow_array(&c->arena, c->frames, sizeof(*c->frames), &c->frames_cap, c->n_frames + 1);
	c->frames[c->n_frames].prog = prog;
	c->frames[c->n_frames].row = row;
	c->frames[c->n_frames].row_nullable = nullable;
	c->frames[c->n_frames].row_nonneg = nonneg;
	return c->n_frames++;
}

/* ---------- conversions ---------- */

/* An unscaled DEC at scale `from` rescaled to `to` (HALF_UP when dropping digits; NULL on overflow). */
static const char *dec_rescale(struct sp_ctx *c, const char *x, int from, int to)
{
	int k = to - from;
	if (k == 0)
		return x;
	if (k > 0) {
		while (k > 18) {
			x = fmt(c, "try_multiply(%s, 1000000000000000000L)", x);
			k -= 18;
		}
		return fmt(c, "try_multiply(%s, %" PRId64 "L)", x, pow10_i64(k));
	}
	k = -k;
	if (k <= 18)
		return fmt(c, "CAST(round(CAST(%s AS DECIMAL(19,0)) * %s, 0) AS BIGINT)", x, lit_dec_inv_pow10(c, k));
	if (k == 19) /* |x| < 10^19: +-1 from 5 * 10^18 on */
		return fmt(c, "(%s div 5000000000000000000L)", x);
	return fmt(c, "(%s * 0L)", x); /* |x| / 10^k < 1/2 */
}

/* An unscaled DEC as a Spark DECIMAL with the same scale (exact). */
static const char *dec_to_spark(struct sp_ctx *c, const char *x, int s)
{
	if (s == 0)
		return fmt(c, "CAST(%s AS DECIMAL(19,0))", x);
	if (s < 0)
		return fmt(c, "(CAST(%s AS DECIMAL(19,0)) * CAST(%" PRId64 " AS DECIMAL(19,0)))", x, pow10_i64(-s));
	if (s <= 18) /* DECIMAL(19,0) * DECIMAL(s,s) is DECIMAL(20+s,s): exact */
		return fmt(c, "(CAST(%s AS DECIMAL(19,0)) * %s)", x, lit_dec_inv_pow10(c, s));
	return fmt(c, "CAST(concat(CAST(%s AS STRING), 'E-%d') AS DECIMAL(38,%d))", x, s, s > 38 ? 38 : s);
}

static const char *cast_text(struct sp_ctx *c, const char *x, enum ir_type from, int fs, enum ir_type to, int ts,
			     const struct ir_node *n)
{
	if (from == to && (to != IR_T_DEC || fs == ts))
		return x;
	switch (from) {
	case IR_T_BOOL:
		switch (to) {
		case IR_T_I64: return fmt(c, "CAST(%s AS BIGINT)", x);
		case IR_T_F64: return fmt(c, "CAST(%s AS DOUBLE)", x);
		case IR_T_STR: return fmt(c, "CAST(%s AS STRING)", x);
		case IR_T_DEC: return dec_rescale(c, fmt(c, "CAST(%s AS BIGINT)", x), 0, ts);
		default: break;
		}
		break;
	case IR_T_I64:
		switch (to) {
		case IR_T_BOOL: return fmt(c, "(%s <> 0L)", x);
		case IR_T_F64: return fmt(c, "CAST(%s AS DOUBLE)", x);
		case IR_T_STR: return fmt(c, "CAST(%s AS STRING)", x);
		case IR_T_DEC: return dec_rescale(c, x, 0, ts);
		case IR_T_DATE: return fmt(c, "date_add(DATE'1970-01-01', CAST(%s AS INT))", x);
		case IR_T_TS: return fmt(c, "timestamp_seconds(%s)", x);
		default: break;
		}
		break;
	case IR_T_F64:
		switch (to) {
		case IR_T_BOOL: return fmt(c, "CAST(%s AS BOOLEAN)", x);
		case IR_T_I64: return fmt(c, "CAST(%s AS BIGINT)", x);
		case IR_T_STR: return fmt(c, "CAST(%s AS STRING)", x);
		case IR_T_DEC: {
			/* floor(x * 10^s + 0.5) in doubles, NULL outside int64 (not Spark's CAST) */
			const char *t = ts == 0 ? fmt(c, "(%s + 0.5D)", x)
					: fmt(c, "((%s * %s) + 0.5D)", x, lit_f64(c, pow10_f64(ts)));
			t = let(c, t);
			return fmt(c, "IF((%s >= (-9223372036854775808D)) AND (%s < 9223372036854775808D), FLOOR(%s), "
				      "CAST(NULL AS BIGINT))", t, t, t);
		}
		default: break;
		}
		break;
	case IR_T_DEC:
		switch (to) {
		case IR_T_BOOL: return fmt(c, "(%s <> 0L)", x);
		case IR_T_I64: /* truncation toward zero */
			if (fs > 18)
				return fmt(c, "(%s * 0L)", x);
			if (fs > 0)
				return fmt(c, "(%s div %" PRId64 "L)", x, pow10_i64(fs));
			return dec_rescale(c, x, fs, 0);
		case IR_T_F64:
			if (fs > 0) {
				return fmt(c, "(CAST(%s AS DOUBLE) / %s)", x, lit_f64(c, pow10_f64(fs)));
			}
			if (fs < 0)
				return fmt(c, "(CAST(%s AS DOUBLE) * %s)", x, lit_f64(c, pow10_f64(-fs)));
			return fmt(c, "CAST(%s AS DOUBLE)", x);
		case IR_T_DEC: return dec_rescale(c, x, fs, ts);
		case IR_T_STR: return fmt(c, "CAST(%s AS STRING)", dec_to_spark(c, x, fs));
		default: break;
		}
		break;
	case IR_T_STR:
		switch (to) {
		case IR_T_I64: return fmt(c, "CAST(%s AS BIGINT)", x);
		case IR_T_DATE: return fmt(c, "CAST(%s AS DATE)", x);
		case IR_T_BOOL: return fmt(c, "CAST(%s AS BOOLEAN)", x);
		default: break;
		}
		break;
	case IR_T_DATE:
		switch (to) {
		case IR_T_STR: return fmt(c, "CAST(%s AS STRING)", x);
		case IR_T_TS: return fmt(c, "CAST(%s AS TIMESTAMP)", x);
		case IR_T_I64: return fmt(c, "CAST(unix_date(%s) AS BIGINT)", x);
		default: break;
		}
		break;
	case IR_T_TS:
		switch (to) {
		case IR_T_STR: return fmt(c, "CAST(%s AS STRING)", x);
		case IR_T_DATE: return fmt(c, "CAST(%s AS DATE)", x);
		case IR_T_I64: return fmt(c, "CAST(%s AS BIGINT)", x);
		case IR_T_F64: return fmt(c, "CAST(%s AS DOUBLE)", x);
		default: break;
		}
		break;
	}
	return fail(c, n, "this cast");
}

/* An integer constant converted at compile time (NULL when the conversion is not a plain literal). */
static const char *const_as(struct sp_ctx *c, const struct ir_node *a, enum ir_type t, int s)
{
	int64_t v = a->value.i;
	if (a->op != IR_CONST || a->value.kind != VAL_INT || a->type != IR_T_I64)
		return NULL;
	switch (t) {
	case IR_T_F64: return lit_f64(c, (double)v);
	case IR_T_DATE: return lit_date(c, v);
	case IR_T_TS: return fmt(c, "timestamp_seconds(%s)", lit_i64(c, v));
	case IR_T_DEC:
		if (s >= 0 && s <= 18 && v > INT64_MIN / pow10_i64(s) && v < INT64_MAX / pow10_i64(s))
			return lit_i64(c, v * pow10_i64(s));
		return NULL;
	default: return NULL;
	}
}

/* Argument i rendered and converted to (type, scale). */
static const char *arg_as(struct sp_ctx *c, const struct ir_node *n, size_t i, size_t f, enum ir_type t, int s)
{
	const struct ir_node *a = n->args[i];
	const char *k = a->type != t ? const_as(c, a, t, s) : NULL;
	return k ? k : cast_text(c, render(c, a, f), a->type, a->scale, t, s, n);
}

/* ---------- ops ---------- */

/* Decimal text ("-12.5") to the unscaled value at `scale`, half away from zero; -1 when malformed or too big. */
static int parse_dec(const char *t, int scale, int64_t *out)
{
	bool neg = false, dot = false, any = false;
	__int128 v = 0, lim = (__int128)INT64_MAX;
	int frac = 0;
	if (*t == '+' || *t == '-')
		neg = *t++ == '-';
	for (; *t; t++) {
		if (*t == '.' && !dot) {
			dot = true;
			continue;
		}
		if (*t < '0' || *t > '9' || frac >= 38 || v > lim * 10)
			return -1;
		v = v * 10 + (*t - '0');
		any = true;
		if (dot)
			frac++;
	}
	if (!any)
		return -1;
	for (; frac < scale; frac++) {
		if (v > lim * 10)
			return -1;
		v *= 10;
	}
	if (frac > scale) {
		__int128 p = 1, q, r;
		for (int k = frac - scale; k > 0 && p <= lim * 10; k--)
			p *= 10;
		q = v / p;
		r = v % p;
		if (r >= p - r)
			q++;
		v = q;
	}
	if (v > lim + (neg ? 1 : 0))
		return -1;
	*out = neg ? (int64_t)(-v) : (int64_t)v;
	return 0;
}

static const char *render_const(struct sp_ctx *c, const struct ir_node *n)
{
	const struct value *v = &n->value;
	if (v->kind == VAL_NULL)
		return fmt(c, "CAST(NULL AS %s)", spark_type(n->type));
	switch (n->type) {
	case IR_T_BOOL:
		return (v->kind == VAL_BOOL ? v->b : v->i != 0) ? "true" : "false";
	case IR_T_I64:
		if (v->kind == VAL_DOUBLE) /* Java's (long) */
			return lit_i64(c, isnan(v->d) ? 0 : v->d >= 9223372036854775808.0 ? INT64_MAX
					  : v->d <= -9223372036854775808.0 ? INT64_MIN : (int64_t)v->d);
		return lit_i64(c, v->kind == VAL_BOOL ? v->b : v->i);
	case IR_T_F64:
		return lit_f64(c, v->kind == VAL_DOUBLE ? v->d : (double)v->i);
	case IR_T_STR:
		return lit_str(c, v->kind == VAL_STRING && v->s ? v->s : "");
	case IR_T_DATE:
		return lit_date(c, v->kind == VAL_TIMESTAMP ? dt_floor_div(v->i, 86400) : v->i);
	case IR_T_TS:
		return fmt(c, "timestamp_seconds(%s)",
			   lit_i64(c, v->kind == VAL_DATE ? (int64_t)((uint64_t)v->i * 86400u) : v->i));
	case IR_T_DEC:
		if (v->kind == VAL_DOUBLE) { /* floor(d * 10^s + 0.5), as the native evaluator */
			double y = floor(v->d * pow10_f64(n->scale) + 0.5);
			if (!(y >= -9223372036854775808.0 && y < 9223372036854775808.0))
				return "CAST(NULL AS BIGINT)";
			return lit_i64(c, (int64_t)y);
		}
		if (v->kind == VAL_STRING) {
			int64_t u;
			if (!v->s || parse_dec(v->s, n->scale, &u))
				return fail(c, n, "this decimal constant");
			return lit_i64(c, u);
		}
		return lit_i64(c, v->i);
	}
	return fail(c, n, "this constant");
}

/* `text` unless the guarded operand `g` is NULL (for renderings that would not propagate it). */
static const char *null_guard(struct sp_ctx *c, const char *g, const char *text, enum ir_type t)
{
	return fmt(c, "CASE WHEN %s IS NULL THEN CAST(NULL AS %s) ELSE %s END", g, spark_type(t), text);
}

static const char *render_hash(struct sp_ctx *c, const struct ir_node *n, size_t f)
{
	const char *a = render(c, n->args[0], f), *h;
	bool nul = may_be_null(c, n->args[0], f);
	if (nul)
		a = let(c, a);
	if (n->has_k)
		h = fmt(c, "xxhash64(%s, %s, %s)", lit_i64(c, n->seed), a, lit_i64(c, n->k));
	else
		h = fmt(c, "xxhash64(%s, %s)", lit_i64(c, n->seed), a);
	return nul ? null_guard(c, a, h, IR_T_I64) : h;
}

static const char *unit_of(struct sp_ctx *c, const char *h)
{
	return fmt(c, "(shiftrightunsigned(%s, 11) * " UNIT_SCALE ")", h);
}

static const char *render_int_range(struct sp_ctx *c, const struct ir_node *n, size_t f)
{
	/* the span as runtime/hash.h computes it, in doubles */
	double span = (double)n->hi - (double)n->lo + 1.0;
	const char *u = unit_of(c, render(c, n->args[0], f));
	const char *v = fmt(c, "FLOOR(%s * %s)", u, lit_f64(c, span));
	if (n->lo != 0)
		v = fmt(c, "(%s + %s)", lit_i64(c, n->lo), v);
	/* floor(u * span) <= span - 1 exactly while span <= 2^53: the cap only matters above */
	if ((uint64_t)n->hi - (uint64_t)n->lo >= (UINT64_C(1) << 53)) {
		if (may_be_null(c, n->args[0], f)) {
			v = let(c, v);
			v = fmt(c, "IF(%s > %s, %s, %s)", v, lit_i64(c, n->hi), lit_i64(c, n->hi), v);
		} else {
			v = fmt(c, "least(%s, %s)", v, lit_i64(c, n->hi));
		}
	}
	return v;
}

/* The value of argument i as an unscaled DECIMAL(38,0) at scale `to` (exact; non-DEC arguments have scale 0). */
static const char *dec128_arg(struct sp_ctx *c, const struct ir_node *n, size_t i, size_t f, int to)
{
	const struct ir_node *a = n->args[i];
	int from = a->type == IR_T_DEC ? a->scale : 0;
	const char *x = a->type == IR_T_DEC ? render(c, a, f) : arg_as(c, n, i, f, IR_T_I64, 0);
	x = fmt(c, "CAST(%s AS DECIMAL(38,0))", x);
	if (to > from) {
		struct strbuf sb = STRBUF_INIT;
		strbuf_addch(&sb, '1');
		strbuf_addchars(&sb, '0', (size_t)(to - from));
		x = fmt(c, "(%s * %sBD)", x, sb.buf);
		strbuf_release(&sb);
	}
	return x;
}

/* An unscaled DECIMAL(38,0) at scale `from` as the unscaled BIGINT at scale `to` (HALF_UP, NULL outside int64). */
static const char *dec128_to_i64(struct sp_ctx *c, const char *p, int from, int to)
{
	if (to >= from)
		return dec_rescale(c, fmt(c, "try_cast(%s AS BIGINT)", p), from, to);
	return fmt(c, "try_cast(round(CAST(concat(CAST(%s AS STRING), 'E-%d') AS DECIMAL(38,%d)), 0) AS BIGINT)", p,
		   from - to, from - to > 38 ? 38 : from - to);
}

static const char *render_arith(struct sp_ctx *c, const struct ir_node *n, size_t f)
{
	static const char *const ops[] = {[IR_ADD] = "+", [IR_SUB] = "-", [IR_MUL] = "*"};
	if (n->type == IR_T_DEC) {
		/* as the native evaluator: exact (aligned to the larger scale, or s1 + s2 for MUL), then rescaled */
		const struct ir_node *a = n->args[0], *b = n->args[1];
		int sa = a->type == IR_T_DEC ? a->scale : 0, sb = b->type == IR_T_DEC ? b->scale : 0;
		int s = n->op == IR_MUL ? sa + sb : sa > sb ? sa : sb;
		static const char *const fns[] = {[IR_ADD] = "try_add", [IR_SUB] = "try_subtract",
						  [IR_MUL] = "try_multiply"};
		if (s == n->scale && (n->op == IR_MUL || sa == sb))
			return fmt(c, "%s(%s, %s)", fns[n->op], a->type == IR_T_DEC ? render(c, a, f) : arg_as(c, n, 0, f, IR_T_I64, 0),
				   b->type == IR_T_DEC ? render(c, b, f) : arg_as(c, n, 1, f, IR_T_I64, 0));
		return dec128_to_i64(c, fmt(c, "(%s %s %s)", dec128_arg(c, n, 0, f, n->op == IR_MUL ? sa : s), ops[n->op],
					    dec128_arg(c, n, 1, f, n->op == IR_MUL ? sb : s)),
				     s, n->scale);
	}
	if (n->type != IR_T_I64 && n->type != IR_T_F64)
		return fail(c, n, "arithmetic on this type");
	return fmt(c, "(%s %s %s)", arg_as(c, n, 0, f, n->type, 0), ops[n->op], arg_as(c, n, 1, f, n->type, 0));
}

static const char *render_idiv(struct sp_ctx *c, const struct ir_node *n, size_t f)
{
	const char *a = arg_as(c, n, 0, f, IR_T_I64, 0), *b = arg_as(c, n, 1, f, IR_T_I64, 0);
	const struct ir_node *d = n->args[1];
	bool pos_const = d->op == IR_CONST && d->value.kind == VAL_INT && d->value.i > 0;
	if (pos_const && non_negative(c, n->args[0], f))
		return fmt(c, "(%s div %s)", a, b);
	/* floor division: Spark's div truncates, so one less when the remainder is not 0 and the signs differ */
	a = let(c, a);
	b = let(c, b);
	if (pos_const)
		return fmt(c, "((%s div %s) - IF((%s %% %s) < 0L, 1L, 0L))", a, b, a, b);
	return fmt(c, "((%s div %s) - IF(((%s %% %s) <> 0L) AND ((%s < 0L) <> (%s < 0L)), 1L, 0L))", a, b, a, b, a, b);
}

static const char *render_mod(struct sp_ctx *c, const struct ir_node *n, size_t f)
{
	enum ir_type t = n->type == IR_T_F64 ? IR_T_F64 : IR_T_I64;
	const char *a = arg_as(c, n, 0, f, t, 0), *b = arg_as(c, n, 1, f, t, 0);
	if (n->op == IR_MOD)
		return fmt(c, "pmod(%s, %s)", a, b);
	return fmt(c, "(%s %% %s)", a, b);
}

static const char *render_compare(struct sp_ctx *c, const struct ir_node *n, size_t f)
{
	static const char *const ops[] = {[IR_EQ] = "=", [IR_NE] = "<>", [IR_LT] = "<",
					  [IR_LE] = "<=", [IR_GT] = ">", [IR_GE] = ">="};
	const struct ir_node *a = n->args[0], *b = n->args[1];
	enum ir_type ta = a->type, tb = b->type;
	const char *x, *y;
	/* the promotions of the native evaluator: F64, then DEC (exact), then DATE vs TS, then integers */
	if (ta == tb && (ta != IR_T_DEC || a->scale == b->scale)) {
		x = render(c, a, f);
		y = render(c, b, f);
	} else if (ta == IR_T_STR || tb == IR_T_STR) {
		x = arg_as(c, n, 0, f, IR_T_STR, 0);
		y = arg_as(c, n, 1, f, IR_T_STR, 0);
	} else if (ta == IR_T_F64 || tb == IR_T_F64) {
		x = arg_as(c, n, 0, f, IR_T_F64, 0);
		y = arg_as(c, n, 1, f, IR_T_F64, 0);
	} else if (ta == IR_T_DEC || tb == IR_T_DEC) {
		x = ta == IR_T_DEC ? dec_to_spark(c, render(c, a, f), a->scale)
				   : dec_to_spark(c, arg_as(c, n, 0, f, IR_T_I64, 0), 0);
		y = tb == IR_T_DEC ? dec_to_spark(c, render(c, b, f), b->scale)
				   : dec_to_spark(c, arg_as(c, n, 1, f, IR_T_I64, 0), 0);
	} else if ((ta == IR_T_DATE || ta == IR_T_TS) && (tb == IR_T_DATE || tb == IR_T_TS)) {
		x = arg_as(c, n, 0, f, IR_T_TS, 0);
		y = arg_as(c, n, 1, f, IR_T_TS, 0);
	} else {
		x = arg_as(c, n, 0, f, IR_T_I64, 0);
		y = arg_as(c, n, 1, f, IR_T_I64, 0);
	}
	return fmt(c, "(%s %s %s)", x, ops[n->op], y);
}

static const char *render_list(struct sp_ctx *c, const struct ir_node *n, size_t f, const char *fn, bool as_node_type)
{
	struct strbuf sb = STRBUF_INIT;
	const char *res;
	strbuf_addf(&sb, "%s(", fn);
	for (size_t i = 0; i < n->n_args; i++) {
		if (i)
			strbuf_addstr(&sb, ", ");
		strbuf_addstr(&sb, as_node_type ? arg_as(c, n, i, f, n->type, n->scale) : render(c, n->args[i], f));
	}
	strbuf_addch(&sb, ')');
	res = sdup(c, &sb);
	strbuf_release(&sb);
	return res;
}

static const char *render_and_or(struct sp_ctx *c, const struct ir_node *n, size_t f)
{
	struct strbuf sb = STRBUF_INIT;
	const char *res;
	if (n->n_args == 1)
		return render(c, n->args[0], f);
	strbuf_addch(&sb, '(');
	for (size_t i = 0; i < n->n_args; i++) {
		if (i)
			strbuf_addstr(&sb, n->op == IR_AND ? " AND " : " OR ");
		strbuf_addstr(&sb, render(c, n->args[i], f));
	}
	strbuf_addch(&sb, ')');
	res = sdup(c, &sb);
	strbuf_release(&sb);
	return res;
}

static const char *render_case(struct sp_ctx *c, const struct ir_node *n, size_t f)
{
	struct strbuf sb = STRBUF_INIT;
	const char *res;
	size_t pairs = n->n_args / 2;
	if (!pairs) {
		if (!n->n_args)
			return fmt(c, "CAST(NULL AS %s)", spark_type(n->type));
		return arg_as(c, n, 0, f, n->type, n->scale);
	}
	strbuf_addstr(&sb, "CASE");
	for (size_t i = 0; i < pairs; i++)
		strbuf_addf(&sb, " WHEN %s THEN %s", render(c, n->args[2 * i], f),
			    arg_as(c, n, 2 * i + 1, f, n->type, n->scale));
	if (n->n_args % 2)
		strbuf_addf(&sb, " ELSE %s", arg_as(c, n, n->n_args - 1, f, n->type, n->scale));
	strbuf_addstr(&sb, " END");
	res = sdup(c, &sb);
	strbuf_release(&sb);
	return res;
}

/* floor / ceil of a DEC: floor division of the unscaled value by 10^scale, as an I64. */
static const char *dec_floor_ceil(struct sp_ctx *c, const struct ir_node *n, size_t f)
{
	const struct ir_node *a = n->args[0];
	const char *x = render(c, a, f), *d;
	if (a->scale <= 0)
		return cast_text(c, x, IR_T_DEC, a->scale, IR_T_I64, 0, n);
	x = let(c, x);
	if (a->scale > 18) /* |x| < 10^scale */
		return n->op == IR_FLOOR ? fmt(c, "IF(%s < 0L, -1L, 0L)", x) : fmt(c, "IF(%s > 0L, 1L, 0L)", x);
	d = lit_i64(c, pow10_i64(a->scale));
	if (n->op == IR_FLOOR)
		return fmt(c, "((%s div %s) - IF((%s %% %s) < 0L, 1L, 0L))", x, d, x, d);
	return fmt(c, "((%s div %s) + IF((%s %% %s) > 0L, 1L, 0L))", x, d, x, d);
}

static const char *render_round(struct sp_ctx *c, const struct ir_node *n, size_t f)
{
	const struct ir_node *a = n->args[0];
	int s = n->scale;
	const char *x, *t, *m;
	if (a->type == IR_T_DEC || a->type == IR_T_I64 || a->type == IR_T_BOOL) {
		/* exact rescaling of the unscaled value (half away from zero); I64 output keeps it unscaled */
		int as = a->type == IR_T_DEC ? a->scale : 0;
		const char *r = dec_rescale(c, a->type == IR_T_DEC ? render(c, a, f) : arg_as(c, n, 0, f, IR_T_I64, 0), as, s);
		if (n->type == IR_T_F64)
			return cast_text(c, r, IR_T_DEC, s, IR_T_F64, 0, n);
		return r;
	}
	x = let(c, arg_as(c, n, 0, f, IR_T_F64, 0));
	if (s >= 0) {
		m = lit_f64(c, pow10_f64(s));
		t = s == 0 ? fmt(c, "(abs(%s) + 0.5D)", x) : fmt(c, "((abs(%s) * %s) + 0.5D)", x, m);
	} else {
		m = lit_f64(c, pow10_f64(-s));
		t = fmt(c, "((abs(%s) / %s) + 0.5D)", x, m);
	}
	t = let(c, t);
	if (n->type == IR_T_DEC) /* y = +-floor(t), NULL outside int64 */
		return fmt(c,
			   "CASE WHEN %s < 9223372036854775808D THEN FLOOR(%s) * CAST(signum(%s) AS BIGINT) "
			   "WHEN (%s = 9223372036854775808D) AND (%s < 0D) THEN (-9223372036854775807L - 1L) "
			   "ELSE CAST(NULL AS BIGINT) END",
			   t, t, x, t, x);
	{
		/* floor in doubles: through BIGINT below 2^52 (exact), the value itself above (and NaN, inf) */
		const char *y = fmt(c, "(signum(%s) * IF(%s < 4503599627370496D, CAST(FLOOR(%s) AS DOUBLE), %s))", x, t, t, t);
		if (n->type == IR_T_I64)
			return fmt(c, "CAST(%s AS BIGINT)", y);
		if (n->type != IR_T_F64)
			return fail(c, n, "round_half_up to this type");
		if (s == 0)
			return y;
		return fmt(c, "(%s %s %s)", y, s > 0 ? "/" : "*", m);
	}
}

static const char *render_search_cum(struct sp_ctx *c, const struct ir_node *n, size_t f)
{
	const struct ir_table *t = n->table;
	const char *u = render(c, n->args[0], f), *res;
	bool nul = may_be_null(c, n->args[0], f);
	if (t->n <= 1) {
		res = "0L";
	} else if (t->n <= CASE_CHAIN_MAX || c->inline_helpers) {
		struct strbuf sb = STRBUF_INIT;
		u = let(c, u);
		strbuf_addstr(&sb, "CASE");
		for (size_t i = 0; i + 1 < t->n; i++) {
			strbuf_addf(&sb, " WHEN %s < ", u);
			add_f64(&sb, t->f64[i]);
			strbuf_addf(&sb, " THEN %zuL", i);
		}
		strbuf_addf(&sb, " ELSE %zuL END", t->n - 1);
		res = sdup(c, &sb);
		strbuf_release(&sb);
	} else {
		/*
		 * The number of entries <= u (the first index with u < t[i]), by
		 * binary lifting over powers of two: one helper column per step.
		 * Indices past the end read NULL, which never passes the test.
		 */
		const char *arr = table_array(c, t), *pos = NULL;
		size_t step = 1;
		u = let(c, u);
		while (step * 2 <= t->n)
			step *= 2;
		for (; step; step /= 2) {
			const char *e;
			if (!pos)
				e = fmt(c, "IF(%s[%zu] <= %s, %zuL, 0L)", arr, step - 1, u, step);
			else
				e = fmt(c, "(%s + IF(%s[CAST(%s AS INT) + %zu] <= %s, %zuL, 0L))", pos, arr, pos, step - 1, u,
					step);
			pos = c->inline_helpers ? e : let(c, e);
		}
		res = fmt(c, "least(%s, %zuL)", pos, t->n - 1);
	}
	return nul ? null_guard(c, u, res, IR_T_I64) : res;
}

static const char *render_alias_pick(struct sp_ctx *c, const struct ir_node *n, size_t f)
{
	const struct ir_table *t = n->table;
	const char *i = let(c, render(c, n->args[0], f)), *u = render(c, n->args[1], f);
	const char *prob = array_text(c, IR_T_F64, t->n, t->alias_prob, NULL, NULL);
	const char *alias = array_text(c, IR_T_I64, t->n, NULL, t->alias_idx, NULL);
	const char *ii = fmt(c, "CAST(%s AS INT)", i);
	if (may_be_null(c, n->args[1], f)) {
		u = let(c, u);
		return fmt(c, "CASE WHEN %s IS NULL THEN CAST(NULL AS BIGINT) WHEN %s < %s[%s] THEN %s ELSE %s[%s] END", u,
			   u, prob, ii, i, alias, ii);
	}
	return fmt(c, "IF(%s < %s[%s], %s, %s[%s])", u, prob, ii, i, alias, ii);
}

static const char *render_element(struct sp_ctx *c, const struct ir_node *n, size_t f)
{
	const struct ir_table *t = n->table;
	const char *v = fmt(c, "%s[%s]", table_array(c, t), int_arg(c, n->args[0], f));
	if (t->elem == IR_T_I64 && n->type != IR_T_I64 && n->type != IR_T_DEC)
		return cast_text(c, v, IR_T_I64, 0, n->type, n->scale, n);
	if (t->elem == IR_T_F64 && n->type != IR_T_F64)
		return cast_text(c, v, IR_T_F64, 0, n->type, n->scale, n);
	return v;
}

static const char *render_uuid(struct sp_ctx *c, const struct ir_node *n, size_t f)
{
	const char *h2 = let(c, render(c, n->args[1], f));
	const char *a = let(c, fmt(c, "lpad(lower(hex(%s)), 16, '0')", render(c, n->args[0], f)));
	const char *b = let(c, fmt(c, "lpad(lower(hex(%s)), 16, '0')", h2));
	return fmt(c,
		   "concat(substr(%s, 1, 8), '-', substr(%s, 9, 4), '-4', substr(%s, 14, 3), '-', "
		   "substr('89ab', CAST((shiftrightunsigned(%s, 60) & 3L) AS INT) + 1, 1), substr(%s, 2, 3), '-', "
		   "substr(%s, 5, 12))",
		   a, a, a, h2, b, b);
}

static const char *date_part(struct sp_ctx *c, const struct ir_node *n, size_t f, const char *fn)
{
	return fmt(c, "CAST(%s(%s) AS BIGINT)", fn, render(c, n->args[0], f));
}

/* The frame in which AT_ROW node n (in frame f) evaluates its column: ROW := its materialised a0. */
static size_t at_row_frame(struct sp_ctx *c, const struct ir_node *n, size_t f)
{
	const char *row = let(c, render(c, n->args[0], f));
	return frame_of(c, n->column->table->index, row, may_be_null(c, n->args[0], f),
			non_negative(c, n->args[0], f));
}

static const char *render_at_row(struct sp_ctx *c, const struct ir_node *n, size_t f)
{
	size_t g;
	const char *res;
	if (c->frames[f].prog == SIZE_MAX)
		return fail(c, n, "a column reference outside a table");
	if (c->depth > MAX_INLINE_DEPTH)
		return fail(c, n, "a reference nested this deep");
	g = at_row_frame(c, n, f);
	c->depth++;
	res = render(c, column_root(c, n->column), g);
	c->depth--;
	return res;
}

static const char *render_column(struct sp_ctx *c, const struct ir_node *n, size_t f)
{
	const struct column *col = n->column;
	const char *res;
	if (c->frames[f].prog == SIZE_MAX)
		return fail(c, n, "a column reference outside a table");
	if (f == 0)
		return col->type.kind == TYPE_DECIMAL ? fmt(c, "`__ig_u%zu`", col->index) : fmt(c, "`%s`", col->name);
	if (c->depth > MAX_INLINE_DEPTH)
		return fail(c, n, "a reference nested this deep");
	c->depth++;
	res = let(c, render(c, column_root(c, col), f));
	c->depth--;
	return res;
}

static const char *render_op(struct sp_ctx *c, const struct ir_node *n, size_t f)
{
#define A(i) render(c, n->args[i], f)
	switch (n->op) {
	case IR_ROW: return c->frames[f].row;
	case IR_CONST: return render_const(c, n);
	case IR_HASH: return render_hash(c, n, f);
	case IR_UNIT: return unit_of(c, A(0));
	case IR_INT_RANGE: return render_int_range(c, n, f);
	case IR_ADD:
	case IR_SUB:
	case IR_MUL: return render_arith(c, n, f);
	case IR_DIV: return fmt(c, "(%s / %s)", arg_as(c, n, 0, f, IR_T_F64, 0), arg_as(c, n, 1, f, IR_T_F64, 0));
	case IR_IDIV: return render_idiv(c, n, f);
	case IR_MOD:
	case IR_REM: return render_mod(c, n, f);
	case IR_AFFINE_MOD:
		/* docs/generation.md section 5: exact in DECIMAL(38,0) (a * r + b < 2^127 < 10^38) */
		return fmt(c,
			   "CAST(pmod(CAST(%s AS DECIMAL(38,0)) * CAST(pmod(%s, %s) AS DECIMAL(38,0)) + "
			   "CAST(%s AS DECIMAL(38,0)), CAST(%s AS DECIMAL(38,0))) AS BIGINT)",
			   lit_i64(c, n->lo), A(0), lit_i64(c, n->k), lit_i64(c, n->hi), lit_i64(c, n->k));
	case IR_NEG:
		if (n->type == IR_T_DEC)
			return fmt(c, "try_subtract(0L, %s)", arg_as(c, n, 0, f, IR_T_DEC, n->scale));
		return fmt(c, "(- %s)", arg_as(c, n, 0, f, n->type, 0));
	case IR_EQ:
	case IR_NE:
	case IR_LT:
	case IR_LE:
	case IR_GT:
	case IR_GE: return render_compare(c, n, f);
	case IR_AND:
	case IR_OR: return render_and_or(c, n, f);
	case IR_NOT: return fmt(c, "(NOT %s)", A(0));
	case IR_IF:
		return fmt(c, "IF(%s, %s, %s)", A(0), arg_as(c, n, 1, f, n->type, n->scale),
			   arg_as(c, n, 2, f, n->type, n->scale));
	case IR_CASE: return render_case(c, n, f);
	case IR_IS_NULL: return fmt(c, "(%s IS NULL)", A(0));
	case IR_COALESCE:
		return n->n_args == 1 ? arg_as(c, n, 0, f, n->type, n->scale) : render_list(c, n, f, "coalesce", true);
	case IR_FLOOR:
	case IR_CEIL:
		if (n->args[0]->type == IR_T_I64)
			return A(0);
		if (n->args[0]->type == IR_T_DEC)
			return dec_floor_ceil(c, n, f);
		return fmt(c, "%s(%s)", n->op == IR_FLOOR ? "FLOOR" : "CEIL", arg_as(c, n, 0, f, IR_T_F64, 0));
	case IR_SQRT: return fmt(c, "SQRT(%s)", arg_as(c, n, 0, f, IR_T_F64, 0));
	case IR_LN: return fmt(c, "ln(%s)", arg_as(c, n, 0, f, IR_T_F64, 0));
	case IR_EXP: return fmt(c, "exp(%s)", arg_as(c, n, 0, f, IR_T_F64, 0));
	case IR_COS: return fmt(c, "cos(%s)", arg_as(c, n, 0, f, IR_T_F64, 0));
	case IR_POW: return fmt(c, "power(%s, %s)", arg_as(c, n, 0, f, IR_T_F64, 0), arg_as(c, n, 1, f, IR_T_F64, 0));
	case IR_ABS:
		if (n->type == IR_T_DEC)
			return fmt(c, "try_cast(abs(CAST(%s AS DECIMAL(19,0))) AS BIGINT)", arg_as(c, n, 0, f, IR_T_DEC, n->scale));
		return fmt(c, "abs(%s)", arg_as(c, n, 0, f, n->type, 0));
	case IR_ROUND_HALF_UP: return render_round(c, n, f);
	case IR_LEAST: return n->n_args == 1 ? arg_as(c, n, 0, f, n->type, n->scale) : render_list(c, n, f, "least", true);
	case IR_GREATEST:
		return n->n_args == 1 ? arg_as(c, n, 0, f, n->type, n->scale) : render_list(c, n, f, "greatest", true);
	case IR_CAST: return arg_as(c, n, 0, f, n->type, n->scale);
	case IR_SEARCH_CUM: return render_search_cum(c, n, f);
	case IR_ALIAS_PICK: return render_alias_pick(c, n, f);
	case IR_ELEMENT: return render_element(c, n, f);
	case IR_CONCAT:
		if (n->n_args == 0)
			return "''";
		if (n->n_args == 1)
			return arg_as(c, n, 0, f, IR_T_STR, 0);
		return render_list(c, n, f, "concat", true);
	case IR_LOWER: /* ASCII letters only (Spark's lower is Unicode) */
		return fmt(c, "translate(%s, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')", A(0));
	case IR_UPPER:
		return fmt(c, "translate(%s, 'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')", A(0));
	case IR_LPAD:
		return fmt(c, "lpad(%s, %s, %s)", arg_as(c, n, 0, f, IR_T_STR, 0), int_arg(c, n->args[1], f),
			   n->n_args > 2 ? arg_as(c, n, 2, f, IR_T_STR, 0) : "' '");
	case IR_SUBSTR:
		if (n->n_args < 3)
			return fmt(c, "substr(%s, %s)", arg_as(c, n, 0, f, IR_T_STR, 0), int_arg(c, n->args[1], f));
		return fmt(c, "substr(%s, %s, %s)", arg_as(c, n, 0, f, IR_T_STR, 0), int_arg(c, n->args[1], f),
			   int_arg(c, n->args[2], f));
	case IR_LENGTH: return fmt(c, "CAST(length(%s) AS BIGINT)", A(0));
	case IR_HEX16: return fmt(c, "lpad(lower(hex(%s)), 16, '0')", A(0));
	case IR_UUID: return render_uuid(c, n, f);
	case IR_TO_STR: return arg_as(c, n, 0, f, IR_T_STR, 0);
	case IR_LETTERS: return fmt(c, "regexp_replace(%s, '[^A-Za-z]', '')", A(0));
	case IR_YEAR: return date_part(c, n, f, "year");
	case IR_MONTH: return date_part(c, n, f, "month");
	case IR_DAY: return date_part(c, n, f, "dayofmonth");
	case IR_DAYOFWEEK: return date_part(c, n, f, "dayofweek");
	case IR_DAYOFYEAR: return date_part(c, n, f, "dayofyear");
	case IR_QUARTER: return date_part(c, n, f, "quarter");
	case IR_WEEKOFYEAR: return date_part(c, n, f, "weekofyear");
	case IR_HOUR: return date_part(c, n, f, "hour");
	case IR_MINUTE: return date_part(c, n, f, "minute");
	case IR_SECOND: return date_part(c, n, f, "second");
	case IR_MAKE_DATE:
		return fmt(c, "make_date(%s, %s, %s)", int_arg(c, n->args[0], f), int_arg(c, n->args[1], f),
			   int_arg(c, n->args[2], f));
	case IR_DATE_ADD: return fmt(c, "date_add(%s, %s)", arg_as(c, n, 0, f, IR_T_DATE, 0), int_arg(c, n->args[1], f));
	case IR_DATEDIFF:
		return fmt(c, "CAST(datediff(%s, %s) AS BIGINT)", arg_as(c, n, 0, f, IR_T_DATE, 0),
			   arg_as(c, n, 1, f, IR_T_DATE, 0));
	case IR_TO_DATE: return arg_as(c, n, 0, f, IR_T_DATE, 0);
	case IR_TO_TS: return arg_as(c, n, 0, f, IR_T_TS, 0);
	case IR_COLUMN: return render_column(c, n, f);
	case IR_AT_ROW: return render_at_row(c, n, f);
	case IR__COUNT: break;
	}
#undef A
	return fail(c, n, "this op");
}

static const char *render(struct sp_ctx *c, const struct ir_node *n, size_t f)
{
	const char *text = pmap_get(&c->cache, n, f);
	if (text)
		return text;
	text = render_op(c, n, f);
	if (uses_of(c, n) > 1)
		text = let(c, text);
	pmap_put(&c->cache, n, f, text);
	return text;
}

/* ---------- the program ---------- */

static void py_str(struct strbuf *sb, const char *s)
{
	strbuf_addch(sb, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '\\' || *p == '"')
			strbuf_addf(sb, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			strbuf_addf(sb, "\\x%02x", *p);
		else
			strbuf_addch(sb, *p);
	}
	strbuf_addch(sb, '"');
}

static void reset_table(struct sp_ctx *c, size_t prog)
{
	c->prog = prog;
	c->entries = NULL;
	c->n_entries = c->entries_cap = 0;
	smap_release(&c->helpers);
	pmap_release(&c->array_cols);
	pmap_release(&c->cache);
	pmap_release(&c->nullable);
	pmap_release(&c->nonneg);
	c->frames = NULL;
	c->n_frames = c->frames_cap = 0;
	c->next_helper = 0;
	c->depth = 0;
}

static void ctx_release(struct sp_ctx *c)
{
	smap_release(&c->helpers);
	pmap_release(&c->array_cols);
	pmap_release(&c->cache);
	pmap_release(&c->nullable);
	pmap_release(&c->nonneg);
	pmap_release(&c->uses);
	arena_release(&c->arena);
}

static bool reserved_name(const char *name)
{
	return !strcasecmp(name, "__row") || !strncasecmp(name, "__ig_", 5);
}

/* The entries of one table: helpers and columns in evaluation order. */
static int render_table(struct sp_ctx *c, size_t ti)
{
	const struct ir_program *p = &c->progs[ti];
	reset_table(c, ti);
	frame_of(c, ti, ROW_NAME, false, true);
	for (size_t k = 0; k < p->n_columns; k++) {
		const struct ir_column *ic = &p->columns[p->eval_order[k]];
		const struct column *col = ic->column;
		const char *text;
		if (reserved_name(col->name))
			return diag_error(c->diags, &col->loc,
					  "column name '%s' is reserved by the pyspark notebooks (names '__row' and "
					  "'__ig_*' are used internally)",
					  col->name);
		text = cast_text(c, render(c, ic->value, 0), ic->value->type, ic->value->scale, ic->type, ic->scale, NULL);
		if (c->failed)
			return -1;
		if (ic->type == IR_T_DEC) {
			const char *u = fmt(c, "__ig_u%zu", col->index);
			add_entry(c, u, text, NULL);
			text = dec_to_spark(c, fmt(c, "`%s`", u), ic->scale);
		}
		add_entry(c, col->name, text, NULL);
	}
	return 0;
}

static void emit_specs(struct strbuf *out, const struct plan *plan)
{
	struct strbuf ty = STRBUF_INIT;
	strbuf_addstr(out, "TABLE_SPECS = [\n");
	for (size_t i = 0; i < plan->n_tables; i++) {
		const struct plan_table *pt = &plan->tables[i];
		const struct table *t = pt->table;
		strbuf_addstr(out, "    {\"name\": ");
		py_str(out, t->name);
		strbuf_addf(out, ", \"rows\": %" PRId64 ", \"write\": %s,\n     \"parent\": ", pt->rows,
			    pt->selected ? "True" : "False");
		if (t->parent) {
			strbuf_addstr(out, "{\"table\": ");
			py_str(out, t->parent->name);
			strbuf_addf(out, ", \"rows\": %" PRId64 ", \"min\": %" PRId64 ", \"max\": %" PRId64
				    ", \"count_seed\": %" PRId64 "},\n",
				    plan->tables[t->parent->index].rows, t->per_parent_min, t->per_parent_max,
				    pt->count_seed);
		} else {
			strbuf_addstr(out, "None,\n");
		}
		/* the table's own partition columns, else the dataset's that it has (as context.c) */
		strbuf_addstr(out, "     \"partition_columns\": [");
		if (t->n_partition_columns) {
			for (size_t k = 0; k < t->n_partition_columns; k++) {
				strbuf_addstr(out, k ? ", " : "");
				py_str(out, t->partition_columns[k]->name);
			}
		} else {
			size_t m = 0;
			for (size_t k = 0; k < plan->ds->n_partition_columns; k++)
				if (table_column(t, plan->ds->partition_columns[k])) {
					strbuf_addstr(out, m++ ? ", " : "");
					py_str(out, plan->ds->partition_columns[k]);
				}
		}
		strbuf_addstr(out, "],\n");
		strbuf_addstr(out, "     \"columns\": [");
		for (size_t k = 0; k < t->n_columns; k++) {
			strbuf_reset(&ty);
			col_type_format(&ty, &t->columns[k]->type);
			strbuf_addstr(out, k ? ", (" : "(");
			py_str(out, t->columns[k]->name);
			strbuf_addstr(out, ", ");
			py_str(out, ty.buf);
			strbuf_addch(out, ')');
		}
		strbuf_addstr(out, "]},\n");
	}
	strbuf_addstr(out, "]\n");
	strbuf_release(&ty);
}

int emit_spark_program(struct strbuf *out, const struct plan *plan, const struct ir_program *progs,
		       struct diags *diags)
{
	struct sp_ctx c = {0};
	struct strbuf cols = STRBUF_INIT;
	int rc = -1;

	arena_init(&c.arena);
	c.diags = diags;
	c.plan = plan;
	c.progs = progs;
	for (size_t i = 0; i < plan->n_tables; i++)
		for (size_t k = 0; k < progs[i].n_columns; k++) {
			const struct ir_node *v = progs[i].columns[k].value;
			uintptr_t u = (uintptr_t)pmap_get(&c.uses, v, 0);
			pmap_put(&c.uses, v, 0, (const void *)(u + 1));
			if (!u)
				count_uses(&c, v);
		}

	strbuf_addstr(&cols, "SPARK_COLUMNS = {\n");
	for (size_t i = 0; i < plan->n_tables; i++) {
		if (render_table(&c, i))
			goto done;
		strbuf_addstr(&cols, "    ");
		py_str(&cols, progs[i].table->name);
		strbuf_addstr(&cols, ": [\n");
		for (size_t k = 0; k < c.n_entries; k++) {
			const struct sp_entry *e = &c.entries[k];
			strbuf_addstr(&cols, "        (");
			py_str(&cols, e->name);
			if (e->array)
				strbuf_addf(&cols, ", SPARK_ARRAYS[\"a%zu\"]),\n", e->array->id);
			else {
				strbuf_addstr(&cols, ", ");
				py_str(&cols, e->sql);
				strbuf_addstr(&cols, "),\n");
			}
		}
		strbuf_addstr(&cols, "    ],\n");
	}
	strbuf_addstr(&cols, "}\n");

	strbuf_addf(out, "# The column programs of dataset '%s' as Spark SQL over `__row` (generated by ingen_fab).\n",
		    plan->ds->id);
	emit_specs(out, plan);
	strbuf_addstr(out, "\nSPARK_ARRAYS = {\n");
	for (size_t id = 0; id < c.n_hoisted; id++)
		for (size_t k = 0; k < c.n_arrays; k++)
			if (c.arrays[k]->hoisted && c.arrays[k]->id == id) {
				strbuf_addf(out, "    \"a%zu\": ", id);
				py_str(out, c.arrays[k]->sql);
				strbuf_addstr(out, ",\n");
			}
	strbuf_addstr(out, "}\n\n");
	strbuf_add(out, cols.buf, cols.len);
	rc = 0;
done:
	strbuf_release(&cols);
	ctx_release(&c);
	return rc;
}

int emit_spark_node_expr(struct strbuf *out, const struct ir_node *node, struct diags *diags)
{
	struct sp_ctx c = {0};
	const char *text;
	int rc = -1;

	arena_init(&c.arena);
	c.diags = diags;
	c.inline_helpers = true;
	c.prog = SIZE_MAX;
	pmap_put(&c.uses, node, 0, (const void *)(uintptr_t)1);
	count_uses(&c, node);
	frame_of(&c, SIZE_MAX, ROW_NAME, false, true);
	text = render(&c, node, 0);
	if (!c.failed) {
		strbuf_addstr(out, text);
		rc = 0;
	}
	ctx_release(&c);
	return rc;
}
