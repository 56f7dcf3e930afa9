/*
 * Unit tests for compiler/emit_spark.c: the Spark SQL rendering of every IR
 * op (pinned texts of hand-built trees), the generated program of small
 * datasets written here (helper columns, hoisted arrays, decimals,
 * references), and every predefined dataset rendering without error.
 *
 * Two more modes serve the Python tests (tests/e2e/test_spark_engine.py):
 *
 *   test_emit_spark --emit DATASET_OR_PATH TARGET_ROWS OUT.py
 *       writes the generated program of a dataset, followed by
 *       EMIT_TRANSCENDENTAL: per table, the columns whose value depends on a
 *       transcendental node (directly or through the columns it reads),
 *       which the engine comparison checks with a tolerance;
 *   test_emit_spark --eval DATASET_OR_PATH TARGET_ROWS OUTDIR
 *       writes OUTDIR/<table>.tsv for every table: the native evaluator's
 *       rows (runtime/eval.h), one line per row, tab-separated: \N for
 *       NULL, true/false, integers (DATE days, TIMESTAMP seconds, DECIMAL
 *       unscaled), doubles as %.17g, strings with \\ \t \n \r escaped;
 *       the first line holds the column names.
 *
 * With no argument (as ctest runs it) it runs the unit tests.
 */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "catalog.h"
#include "cfg.h"
#include "emit_spark.h"
#include "eval.h"
#include "harness.h"
#include "hash.h"
#include "ir.h"
#include "model.h"
#include "plan.h"
#include "refdata.h"
#include "strbuf.h"

/* ---------- building trees by hand ---------- */

static struct arena test_arena = ARENA_INIT;

static struct ir_node *node(enum ir_op op, enum ir_type t, size_t n, ...)
{
	struct ir_node *nd = arena_alloc(&test_arena, sizeof(*nd));
	va_list ap;
	nd->op = op;
	nd->type = t;
	nd->n_args = n;
	nd->args = arena_calloc(&test_arena, n ? n : 1, sizeof(*nd->args));
	va_start(ap, n);
	for (size_t i = 0; i < n; i++)
		nd->args[i] = va_arg(ap, struct ir_node *);
	va_end(ap);
	return nd;
}

static struct ir_node *row(void)
{
	return node(IR_ROW, IR_T_I64, 0);
}

static struct ir_node *ci(int64_t v)
{
	struct ir_node *n = node(IR_CONST, IR_T_I64, 0);
	n->value.kind = VAL_INT;
	n->value.i = v;
	return n;
}

static struct ir_node *cf(double v)
{
	struct ir_node *n = node(IR_CONST, IR_T_F64, 0);
	n->value.kind = VAL_DOUBLE;
	n->value.d = v;
	return n;
}

static struct ir_node *cs(const char *s)
{
	struct ir_node *n = node(IR_CONST, IR_T_STR, 0);
	n->value.kind = VAL_STRING;
	n->value.s = s;
	return n;
}

static struct ir_node *cdec(int64_t unscaled, int scale)
{
	struct ir_node *n = ci(unscaled);
	n->type = IR_T_DEC;
	n->scale = scale;
	return n;
}

static struct ir_node *cnull(enum ir_type t)
{
	return node(IR_CONST, t, 0);
}

static struct ir_node *hash(int64_t seed, struct ir_node *r, int has_k, int64_t k)
{
	struct ir_node *n = node(IR_HASH, IR_T_I64, 1, r);
	n->seed = seed;
	n->has_k = has_k;
	n->k = k;
	return n;
}

static struct ir_node *with_scale(struct ir_node *n, int scale)
{
	n->scale = scale;
	return n;
}

static struct ir_node *cast(struct ir_node *a, enum ir_type t, int scale)
{
	return with_scale(node(IR_CAST, t, 1, a), scale);
}

static struct ir_table *table_f64(size_t n, const double *v)
{
	struct ir_table *t = arena_alloc(&test_arena, sizeof(*t));
	t->name = "t0";
	t->elem = IR_T_F64;
	t->n = n;
	t->f64 = arena_calloc(&test_arena, n, sizeof(double));
	memcpy(t->f64, v, n * sizeof(double));
	return t;
}

static struct ir_table *table_str(size_t n, const char *const *v)
{
	struct ir_table *t = arena_alloc(&test_arena, sizeof(*t));
	t->name = "t1";
	t->elem = IR_T_STR;
	t->n = n;
	t->str = arena_calloc(&test_arena, n, sizeof(char *));
	memcpy(t->str, v, n * sizeof(char *));
	return t;
}

static struct ir_table *table_i64(size_t n, const int64_t *v)
{
	struct ir_table *t = arena_alloc(&test_arena, sizeof(*t));
	t->name = "t2";
	t->elem = IR_T_I64;
	t->n = n;
	t->i64 = arena_calloc(&test_arena, n, sizeof(int64_t));
	memcpy(t->i64, v, n * sizeof(int64_t));
	return t;
}

/* The single-expression rendering of a tree, or NULL (the caller frees). */
static char *expr_of(const struct ir_node *n)
{
	struct strbuf sb = STRBUF_INIT;
	struct diags diags = DIAGS_INIT;
	char *res = NULL;
	if (emit_spark_node_expr(&sb, n, &diags) == 0)
		res = strbuf_detach(&sb, NULL);
	else
		diags_print(&diags, stderr);
	strbuf_release(&sb);
	diags_release(&diags);
	return res;
}

#define CHECK_EXPR(want, tree) do { char *got_ = expr_of(tree); CHECK_STR_EQ(want, got_); free(got_); } while (0)

/* ---------- the --emit mode and dataset helpers ---------- */

struct loaded {
	struct arena arena;
	struct diags diags;
	struct catalog cat;
	struct dataset *ds;
	struct plan plan;
	struct ir_program *progs;
	struct refdata_cache refs;
	int cat_ok;
};

static int load(struct loaded *L, const char *id_or_path, const char *yaml, int64_t target_rows)
{
	struct plan_options opts = {0};
	memset(L, 0, sizeof(*L));
	arena_init(&L->arena);
	diags_init(&L->diags);
	refdata_cache_init(&L->refs);
	if (yaml) {
		struct cfg_node *root;
		if (cfg_load(&root, "t.yaml", yaml, strlen(yaml), &L->arena, &L->diags) ||
		    model_build(&L->ds, root, &L->arena, &L->diags))
			return -1;
	} else {
		if (catalog_init(&L->cat, NULL, 0, &L->diags))
			return -1;
		L->cat_ok = 1;
		if (catalog_load_dataset(&L->ds, &L->cat, id_or_path, &L->arena, &L->diags))
			return -1;
	}
	opts.target_rows = target_rows;
	if (plan_build(&L->plan, L->ds, &opts, &L->arena, &L->diags))
		return -1;
	return ir_lower(&L->progs, &L->plan, &L->refs, &L->arena, &L->diags);
}

static void unload(struct loaded *L)
{
	if (L->diags.errors)
		diags_print(&L->diags, stderr);
	refdata_cache_release(&L->refs);
	if (L->cat_ok)
		catalog_release(&L->cat);
	diags_release(&L->diags);
	arena_release(&L->arena);
}

/* The generated program of a dataset (catalogue id or inline YAML), or NULL. */
static char *program_of(const char *id, const char *yaml, int64_t target_rows)
{
	struct loaded L;
	struct strbuf sb = STRBUF_INIT;
	char *res = NULL;
	if (load(&L, id, yaml, target_rows) == 0 && emit_spark_program(&sb, &L.plan, L.progs, &L.diags) == 0)
		res = strbuf_detach(&sb, NULL);
	strbuf_release(&sb);
	unload(&L);
	return res;
}

static bool depends_on_transcendental(const struct ir_program *progs, const struct ir_node *n, int depth)
{
	if (n->transcendental)
		return true;
	if (depth > 64)
		return false;
	if (n->op == IR_COLUMN || n->op == IR_AT_ROW)
		if (depends_on_transcendental(progs, ir_column_value(progs, n->column), depth + 1))
			return true;
	for (size_t i = 0; i < n->n_args; i++)
		if (depends_on_transcendental(progs, n->args[i], depth + 1))
			return true;
	return false;
}

static int emit_main(const char *id, const char *rows, const char *out_path)
{
	struct loaded L;
	struct strbuf sb = STRBUF_INIT;
	FILE *out;
	int rc = 1;
	if (load(&L, id, NULL, strtoll(rows, NULL, 10)) || emit_spark_program(&sb, &L.plan, L.progs, &L.diags))
		goto done;
	strbuf_addstr(&sb, "\nEMIT_TRANSCENDENTAL = {\n");
	for (size_t i = 0; i < L.plan.n_tables; i++) {
		const struct ir_program *p = &L.progs[i];
		strbuf_addf(&sb, "    \"%s\": [", p->table->name);
		for (size_t k = 0; k < p->n_columns; k++)
			if (depends_on_transcendental(L.progs, p->columns[k].value, 0))
				strbuf_addf(&sb, "\"%s\", ", p->columns[k].column->name);
		strbuf_addstr(&sb, "],\n");
	}
	strbuf_addstr(&sb, "}\n");
	out = fopen(out_path, "wb");
	if (!out) {
		perror(out_path);
		goto done;
	}
	if (fwrite(sb.buf, 1, sb.len, out) != sb.len)
		perror(out_path);
	else
		rc = 0;
	if (fclose(out))
		rc = 1;
done:
	strbuf_release(&sb);
	unload(&L);
	return rc;
}

static void put_str(struct strbuf *sb, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '\\': strbuf_addstr(sb, "\\\\"); break;
		case '\t': strbuf_addstr(sb, "\\t"); break;
		case '\n': strbuf_addstr(sb, "\\n"); break;
		case '\r': strbuf_addstr(sb, "\\r"); break;
		default: strbuf_addch(sb, s[i]); break;
		}
	}
}

static int write_file(const char *path, const struct strbuf *sb)
{
	FILE *out = fopen(path, "wb");
	int rc = 0;
	if (!out) {
		perror(path);
		return -1;
	}
	if (fwrite(sb->buf, 1, sb->len, out) != sb->len)
		rc = -1;
	if (fclose(out))
		rc = -1;
	if (rc)
		perror(path);
	return rc;
}

/* The row counters of table ti in the order build_table() makes them. */
static int64_t *table_rows(const struct plan *plan, size_t ti, size_t *n_out)
{
	const struct plan_table *pt = &plan->tables[ti];
	const struct table *t = pt->table;
	int64_t *rows = malloc((size_t)(pt->rows ? pt->rows : 1) * sizeof(int64_t));
	size_t n = 0;
	if (!rows)
		abort();
	if (!t->parent) {
		for (int64_t r = 0; r < pt->rows; r++)
			rows[n++] = r;
	} else {
		int64_t P = plan->tables[t->parent->index].rows;
		uint64_t key = cell_key(pt->count_seed);
		for (int64_t p = 0; p < P; p++) {
			int64_t cnt = hash_int_range(cell_hash(key, p), t->per_parent_min, t->per_parent_max);
			for (int64_t k = 0; k < cnt && n < (size_t)pt->rows; k++)
				rows[n++] = p * t->per_parent_max + k;
		}
	}
	*n_out = n;
	return rows;
}

static int eval_main(const char *id, const char *target, const char *dir)
{
	enum { BATCH = 4096 };
	struct loaded L;
	struct eval_ctx *ctx = NULL;
	struct strbuf sb = STRBUF_INIT, path = STRBUF_INIT;
	int rc = 1;

	if (load(&L, id, NULL, strtoll(target, NULL, 10)))
		goto done;
	if (eval_ctx_new(&ctx, L.progs, L.plan.n_tables, BATCH, &L.diags))
		goto done;
	for (size_t ti = 0; ti < L.plan.n_tables; ti++) {
		const struct ir_program *p = &L.progs[ti];
		const struct eval_vec **cols = calloc(p->n_columns ? p->n_columns : 1, sizeof(*cols));
		size_t n = 0;
		int64_t *rows = table_rows(&L.plan, ti, &n);
		if (!cols)
			abort();
		strbuf_reset(&sb);
		for (size_t k = 0; k < p->n_columns; k++)
			strbuf_addf(&sb, "%s%s", k ? "\t" : "", p->columns[k].column->name);
		strbuf_addch(&sb, '\n');
		for (size_t at = 0; at < n; at += BATCH) {
			size_t m = n - at < BATCH ? n - at : BATCH;
			if (eval_table(ctx, ti, rows + at, m, cols)) {
				fprintf(stderr, "eval: %s\n", eval_error(ctx));
				free(cols);
				free(rows);
				goto done;
			}
			for (size_t i = 0; i < m; i++) {
				for (size_t k = 0; k < p->n_columns; k++) {
					const struct eval_vec *v = cols[k];
					if (k)
						strbuf_addch(&sb, '\t');
					if (!v->valid[i]) {
						strbuf_addstr(&sb, "\\N");
						continue;
					}
					switch (v->type) {
					case IR_T_BOOL: strbuf_addstr(&sb, v->i64[i] ? "true" : "false"); break;
					case IR_T_F64: strbuf_addf(&sb, "%.17g", v->f64[i]); break;
					case IR_T_STR: {
						size_t len;
						const char *s = eval_str(v, i, &len);
						put_str(&sb, s, len);
						break;
					}
					default: strbuf_addf(&sb, "%" PRId64, v->i64[i]); break;
					}
				}
				strbuf_addch(&sb, '\n');
			}
		}
		free(cols);
		free(rows);
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s.tsv", dir, p->table->name);
		if (write_file(path.buf, &sb))
			goto done;
	}
	rc = 0;
done:
	if (ctx)
		eval_ctx_free(ctx);
	strbuf_release(&sb);
	strbuf_release(&path);
	unload(&L);
	return rc;
}

/* ---------- tests ---------- */

static struct ir_node *u_of(int64_t seed)
{
	return node(IR_UNIT, IR_T_F64, 1, hash(seed, row(), 0, 0));
}

static struct ir_node *irange(struct ir_node *h, int64_t lo, int64_t hi)
{
	struct ir_node *n = node(IR_INT_RANGE, IR_T_I64, 1, h);
	n->lo = lo;
	n->hi = hi;
	return n;
}

#define H7 "xxhash64(7L, `__row`)"
#define U7 "(shiftrightunsigned(" H7 ", 11) * 1.1102230246251565E-16D)"

static void test_emit_spark__literals(void)
{
	struct ir_node *d = cnull(IR_T_DATE), *t;
	CHECK_EXPR("5L", ci(5));
	CHECK_EXPR("(-5L)", ci(-5));
	CHECK_EXPR("(-9223372036854775807L - 1L)", ci(INT64_MIN));
	CHECK_EXPR("9223372036854775807L", ci(INT64_MAX));
	CHECK_EXPR("0.5D", cf(0.5));
	CHECK_EXPR("0.10000000000000001D", cf(0.1));
	CHECK_EXPR("(-2.5D)", cf(-2.5));
	CHECK_EXPR("(-0D)", cf(-0.0));
	CHECK_EXPR("1E-300D", cf(1e-300));
	CHECK_EXPR("1.0000000000000001E-05D", cf(1e-5));
	CHECK_EXPR("1.7976931348623157E+308D", cf(1.7976931348623157e308));
	CHECK_EXPR("CAST('NaN' AS DOUBLE)", cf(NAN));
	CHECK_EXPR("CAST('-Infinity' AS DOUBLE)", cf(-INFINITY));
	CHECK_EXPR("'it\\'s a \\\\ back\\u000Aslash'", cs("it's a \\ back\nslash"));
	CHECK_EXPR("'h\xc3\xa9llo'", cs("h\xc3\xa9llo"));
	CHECK_EXPR("CAST(NULL AS STRING)", cnull(IR_T_STR));
	CHECK_EXPR("CAST(NULL AS BIGINT)", cnull(IR_T_DEC));
	d = ci(1);
	d->type = IR_T_BOOL;
	CHECK_EXPR("true", d);
	d = ci(19723);
	d->type = IR_T_DATE;
	CHECK_EXPR("DATE'2024-01-01'", d);
	d = ci(-1);
	d->type = IR_T_TS;
	CHECK_EXPR("timestamp_seconds((-1L))", d);
	/* decimal constants: unscaled; text and doubles rounded as the native evaluator does */
	CHECK_EXPR("1234L", cdec(1234, 2));
	t = cnull(IR_T_DEC);
	t->scale = 2;
	t->value.kind = VAL_STRING;
	t->value.s = "-12.345";
	CHECK_EXPR("(-1235L)", t);
	t = cnull(IR_T_DEC);
	t->scale = 1;
	t->value.kind = VAL_DOUBLE;
	t->value.d = 2.25;
	CHECK_EXPR("23L", t);
}

static void test_emit_spark__draws(void)
{
	CHECK_EXPR(H7, hash(7, row(), 0, 0));
	CHECK_EXPR("xxhash64((-3L), `__row`, (-1L))", hash(-3, row(), 1, -1));
	CHECK_EXPR(U7, u_of(7));
	CHECK_EXPR("FLOOR(" U7 " * 10D)", irange(hash(7, row(), 0, 0), 0, 9));
	CHECK_EXPR("(5L + FLOOR(" U7 " * 11D))", irange(hash(7, row(), 0, 0), 5, 15));
	CHECK_EXPR("((-10L) + FLOOR(" U7 " * 21D))", irange(hash(7, row(), 0, 0), -10, 10));
	/* spans above 2^53 can round up to the span: capped at hi */
	CHECK_EXPR("least(((-9223372036854775807L - 1L) + FLOOR(" U7 " * 1.8446744073709552E+19D)), "
		   "9223372036854775807L)",
		   irange(hash(7, row(), 0, 0), INT64_MIN, INT64_MAX));
	/* a row that may be NULL: Spark's xxhash64 would skip it, the IR gives NULL */
	CHECK_EXPR("CASE WHEN IF((`__row` > 5L), CAST(NULL AS BIGINT), `__row`) IS NULL THEN CAST(NULL AS BIGINT) "
		   "ELSE xxhash64(7L, IF((`__row` > 5L), CAST(NULL AS BIGINT), `__row`)) END",
		   hash(7, node(IR_IF, IR_T_I64, 3, node(IR_GT, IR_T_BOOL, 2, row(), ci(5)), cnull(IR_T_I64), row()), 0, 0));
	/* the affine permutation of unique patterns, exact in DECIMAL(38,0) */
	{
		struct ir_node *n = node(IR_AFFINE_MOD, IR_T_I64, 1, row());
		n->lo = 3;
		n->hi = 4;
		n->k = 100;
		CHECK_EXPR("CAST(pmod(CAST(3L AS DECIMAL(38,0)) * CAST(pmod(`__row`, 100L) AS DECIMAL(38,0)) + "
			   "CAST(4L AS DECIMAL(38,0)), CAST(100L AS DECIMAL(38,0))) AS BIGINT)", n);
	}
}

static void test_emit_spark__arithmetic(void)
{
	struct ir_node *x = cast(row(), IR_T_F64, 0), *d2 = cast(row(), IR_T_DEC, 2);
	CHECK_EXPR("(`__row` + 3L)", node(IR_ADD, IR_T_I64, 2, row(), ci(3)));
	CHECK_EXPR("(`__row` - (-3L))", node(IR_SUB, IR_T_I64, 2, row(), ci(-3)));
	CHECK_EXPR("(CAST(`__row` AS DOUBLE) * 0.5D)", node(IR_MUL, IR_T_F64, 2, x, cf(0.5)));
	CHECK_EXPR("(CAST(`__row` AS DOUBLE) / 0.5D)", node(IR_DIV, IR_T_F64, 2, x, cf(0.5)));
	/* I64 arguments of an F64 op are converted first */
	CHECK_EXPR("(CAST(`__row` AS DOUBLE) + 1D)", node(IR_ADD, IR_T_F64, 2, row(), cf(1)));
	CHECK_EXPR("(- `__row`)", node(IR_NEG, IR_T_I64, 1, row()));
	CHECK_EXPR("abs(CAST(`__row` AS DOUBLE))", node(IR_ABS, IR_T_F64, 1, x));
	/* floor division: Spark's div truncates */
	CHECK_EXPR("(`__row` div 3L)", node(IR_IDIV, IR_T_I64, 2, row(), ci(3)));
	CHECK_EXPR("(((- `__row`) div 3L) - IF(((- `__row`) % 3L) < 0L, 1L, 0L))",
		   node(IR_IDIV, IR_T_I64, 2, node(IR_NEG, IR_T_I64, 1, row()), ci(3)));
	CHECK_EXPR("((`__row` div (`__row` - 5L)) - IF(((`__row` % (`__row` - 5L)) <> 0L) AND "
		   "((`__row` < 0L) <> ((`__row` - 5L) < 0L)), 1L, 0L))",
		   node(IR_IDIV, IR_T_I64, 2, row(), node(IR_SUB, IR_T_I64, 2, row(), ci(5))));
	CHECK_EXPR("pmod(`__row`, 7L)", node(IR_MOD, IR_T_I64, 2, row(), ci(7)));
	CHECK_EXPR("(`__row` % 7L)", node(IR_REM, IR_T_I64, 2, row(), ci(7)));
	CHECK_EXPR("pmod(CAST(`__row` AS DOUBLE), 2.5D)", node(IR_MOD, IR_T_F64, 2, x, cf(2.5)));
	/* decimals: unscaled BIGINTs, NULL when the exact result leaves int64 */
	CHECK_EXPR("try_multiply(`__row`, 100L)", d2);
	CHECK_EXPR("try_add(try_multiply(`__row`, 100L), 250L)",
		   with_scale(node(IR_ADD, IR_T_DEC, 2, d2, cdec(250, 2)), 2));
	CHECK_EXPR("try_multiply(try_multiply(`__row`, 100L), 5L)",
		   with_scale(node(IR_MUL, IR_T_DEC, 2, d2, cdec(5, 0)), 2));
	CHECK_EXPR("try_subtract(0L, try_multiply(`__row`, 100L))", with_scale(node(IR_NEG, IR_T_DEC, 1, d2), 2));
	CHECK_EXPR("try_cast(abs(CAST(try_multiply(`__row`, 100L) AS DECIMAL(19,0))) AS BIGINT)",
		   with_scale(node(IR_ABS, IR_T_DEC, 1, d2), 2));
	/* different scales: exact in DECIMAL(38,0), rounded half away from zero to the node's scale */
	CHECK_EXPR("try_cast(round(CAST(concat(CAST((CAST(try_multiply(`__row`, 100L) AS DECIMAL(38,0)) + "
		   "(CAST(5L AS DECIMAL(38,0)) * 10BD)) AS STRING), 'E-2') AS DECIMAL(38,2)), 0) AS BIGINT)",
		   with_scale(node(IR_ADD, IR_T_DEC, 2, d2, cdec(5, 1)), 0));
	CHECK_EXPR("try_cast(round(CAST(concat(CAST((CAST(try_multiply(`__row`, 100L) AS DECIMAL(38,0)) * "
		   "CAST(try_multiply(`__row`, 100L) AS DECIMAL(38,0))) AS STRING), 'E-2') AS DECIMAL(38,2)), 0) AS BIGINT)",
		   with_scale(node(IR_MUL, IR_T_DEC, 2, d2, d2), 2));
}

static void test_emit_spark__logic(void)
{
	struct ir_node *b = node(IR_LT, IR_T_BOOL, 2, u_of(7), cf(0.25));
	struct ir_node *d2 = cast(row(), IR_T_DEC, 2);
	CHECK_EXPR("(" U7 " < 0.25D)", b);
	CHECK_EXPR("((`__row` = 1L) AND (`__row` <> 2L) AND (`__row` >= 0L))",
		   node(IR_AND, IR_T_BOOL, 3, node(IR_EQ, IR_T_BOOL, 2, row(), ci(1)),
			node(IR_NE, IR_T_BOOL, 2, row(), ci(2)), node(IR_GE, IR_T_BOOL, 2, row(), ci(0))));
	CHECK_EXPR("((`__row` <= 1L) OR (NOT (`__row` > 2L)))",
		   node(IR_OR, IR_T_BOOL, 2, node(IR_LE, IR_T_BOOL, 2, row(), ci(1)),
			node(IR_NOT, IR_T_BOOL, 1, node(IR_GT, IR_T_BOOL, 2, row(), ci(2)))));
	CHECK_EXPR("IF((`__row` > 1L), 'a', 'b')",
		   node(IR_IF, IR_T_STR, 3, node(IR_GT, IR_T_BOOL, 2, row(), ci(1)), cs("a"), cs("b")));
	CHECK_EXPR("CASE WHEN (`__row` = 0L) THEN 'zero' WHEN (`__row` = 1L) THEN 'one' END",
		   node(IR_CASE, IR_T_STR, 4, node(IR_EQ, IR_T_BOOL, 2, row(), ci(0)), cs("zero"),
			node(IR_EQ, IR_T_BOOL, 2, row(), ci(1)), cs("one")));
	CHECK_EXPR("CASE WHEN (`__row` = 0L) THEN 1D ELSE CAST(`__row` AS DOUBLE) END",
		   node(IR_CASE, IR_T_F64, 3, node(IR_EQ, IR_T_BOOL, 2, row(), ci(0)), ci(1), row()));
	CHECK_EXPR("(CAST(NULL AS STRING) IS NULL)", node(IR_IS_NULL, IR_T_BOOL, 1, cnull(IR_T_STR)));
	CHECK_EXPR("coalesce(CAST(NULL AS BIGINT), `__row`)", node(IR_COALESCE, IR_T_I64, 2, cnull(IR_T_I64), row()));
	CHECK_EXPR("least(`__row`, 5L, 7L)", node(IR_LEAST, IR_T_I64, 3, row(), ci(5), ci(7)));
	CHECK_EXPR("greatest(CAST(`__row` AS DOUBLE), 0.5D)", node(IR_GREATEST, IR_T_F64, 2, row(), cf(0.5)));
	/* comparisons promote as the native evaluator: F64, then exact decimals, then DATE vs TS */
	CHECK_EXPR("(CAST(`__row` AS DOUBLE) < 0.5D)", node(IR_LT, IR_T_BOOL, 2, row(), cf(0.5)));
	CHECK_EXPR("((CAST(try_multiply(`__row`, 100L) AS DECIMAL(19,0)) * 0.01BD) > CAST(`__row` AS DECIMAL(19,0)))",
		   node(IR_GT, IR_T_BOOL, 2, d2, row()));
	CHECK_EXPR("((CAST(try_multiply(`__row`, 100L) AS DOUBLE) / 100D) = 0.5D)", node(IR_EQ, IR_T_BOOL, 2, d2, cf(0.5)));
	CHECK_EXPR("(try_multiply(`__row`, 100L) = 250L)", node(IR_EQ, IR_T_BOOL, 2, d2, cdec(250, 2)));
	CHECK_EXPR("(CAST(date_add(DATE'1970-01-01', CAST(`__row` AS INT)) AS TIMESTAMP) < timestamp_seconds(`__row`))",
		   node(IR_LT, IR_T_BOOL, 2, cast(row(), IR_T_DATE, 0), cast(row(), IR_T_TS, 0)));
}

static void test_emit_spark__math(void)
{
	struct ir_node *x = cast(row(), IR_T_F64, 0), *d3 = cast(row(), IR_T_DEC, 3);
	CHECK_EXPR("FLOOR(CAST(`__row` AS DOUBLE))", node(IR_FLOOR, IR_T_I64, 1, x));
	CHECK_EXPR("CEIL(CAST(`__row` AS DOUBLE))", node(IR_CEIL, IR_T_I64, 1, x));
	CHECK_EXPR("((try_multiply(`__row`, 1000L) div 1000L) - IF((try_multiply(`__row`, 1000L) % 1000L) < 0L, 1L, 0L))",
		   node(IR_FLOOR, IR_T_I64, 1, d3));
	CHECK_EXPR("SQRT(CAST(`__row` AS DOUBLE))", node(IR_SQRT, IR_T_F64, 1, x));
	CHECK_EXPR("ln(CAST(`__row` AS DOUBLE))", node(IR_LN, IR_T_F64, 1, x));
	CHECK_EXPR("exp(CAST(`__row` AS DOUBLE))", node(IR_EXP, IR_T_F64, 1, x));
	CHECK_EXPR("cos(CAST(`__row` AS DOUBLE))", node(IR_COS, IR_T_F64, 1, x));
	CHECK_EXPR("power(CAST(`__row` AS DOUBLE), 0.5D)", node(IR_POW, IR_T_F64, 2, x, cf(0.5)));
	/* half away from zero in doubles: sign(x) * floor(|x| * 10^s + 0.5) */
	CHECK_EXPR("((signum(CAST(`__row` AS DOUBLE)) * IF(((abs(CAST(`__row` AS DOUBLE)) * 100D) + 0.5D) < "
		   "4503599627370496D, CAST(FLOOR(((abs(CAST(`__row` AS DOUBLE)) * 100D) + 0.5D)) AS DOUBLE), "
		   "((abs(CAST(`__row` AS DOUBLE)) * 100D) + 0.5D))) / 100D)",
		   with_scale(node(IR_ROUND_HALF_UP, IR_T_F64, 1, x), 2));
	CHECK_EXPR("((signum(CAST(`__row` AS DOUBLE)) * IF(((abs(CAST(`__row` AS DOUBLE)) / 10D) + 0.5D) < "
		   "4503599627370496D, CAST(FLOOR(((abs(CAST(`__row` AS DOUBLE)) / 10D) + 0.5D)) AS DOUBLE), "
		   "((abs(CAST(`__row` AS DOUBLE)) / 10D) + 0.5D))) * 10D)",
		   with_scale(node(IR_ROUND_HALF_UP, IR_T_F64, 1, x), -1));
	CHECK_EXPR("CASE WHEN ((abs(CAST(`__row` AS DOUBLE)) * 100D) + 0.5D) < 9223372036854775808D THEN "
		   "FLOOR(((abs(CAST(`__row` AS DOUBLE)) * 100D) + 0.5D)) * CAST(signum(CAST(`__row` AS DOUBLE)) AS BIGINT) "
		   "WHEN (((abs(CAST(`__row` AS DOUBLE)) * 100D) + 0.5D) = 9223372036854775808D) AND "
		   "(CAST(`__row` AS DOUBLE) < 0D) THEN (-9223372036854775807L - 1L) ELSE CAST(NULL AS BIGINT) END",
		   with_scale(node(IR_ROUND_HALF_UP, IR_T_DEC, 1, x), 2));
	CHECK_EXPR("CAST(round(CAST(try_multiply(`__row`, 1000L) AS DECIMAL(19,0)) * 0.01BD, 0) AS BIGINT)",
		   with_scale(node(IR_ROUND_HALF_UP, IR_T_DEC, 1, d3), 1));
}

static void test_emit_spark__casts(void)
{
	struct ir_node *x = cast(row(), IR_T_F64, 0), *b = node(IR_GT, IR_T_BOOL, 2, row(), ci(3));
	struct ir_node *d2 = cast(row(), IR_T_DEC, 2), *day = cast(row(), IR_T_DATE, 0), *ts = cast(row(), IR_T_TS, 0);
	CHECK_EXPR("CAST(`__row` AS DOUBLE)", x);
	CHECK_EXPR("CAST(CAST(`__row` AS DOUBLE) AS BIGINT)", cast(x, IR_T_I64, 0));
	CHECK_EXPR("(`__row` <> 0L)", cast(row(), IR_T_BOOL, 0));
	CHECK_EXPR("CAST((`__row` > 3L) AS BIGINT)", cast(b, IR_T_I64, 0));
	CHECK_EXPR("try_multiply(CAST((`__row` > 3L) AS BIGINT), 100L)", cast(b, IR_T_DEC, 2));
	CHECK_EXPR("CAST(`__row` AS STRING)", cast(row(), IR_T_STR, 0));
	CHECK_EXPR("date_add(DATE'1970-01-01', CAST(`__row` AS INT))", day);
	CHECK_EXPR("timestamp_seconds(`__row`)", ts);
	CHECK_EXPR("CAST(unix_date(date_add(DATE'1970-01-01', CAST(`__row` AS INT))) AS BIGINT)", cast(day, IR_T_I64, 0));
	CHECK_EXPR("CAST(timestamp_seconds(`__row`) AS BIGINT)", cast(ts, IR_T_I64, 0));
	CHECK_EXPR("CAST(timestamp_seconds(`__row`) AS DATE)", cast(ts, IR_T_DATE, 0));
	CHECK_EXPR("CAST(date_add(DATE'1970-01-01', CAST(`__row` AS INT)) AS TIMESTAMP)", cast(day, IR_T_TS, 0));
	CHECK_EXPR("CAST(timestamp_seconds(`__row`) AS STRING)", cast(ts, IR_T_STR, 0));
	/* F64 -> DEC: floor(x * 10^s + 0.5) as the native evaluator (not Spark's CAST) */
	CHECK_EXPR("IF((((CAST(`__row` AS DOUBLE) * 100D) + 0.5D) >= (-9223372036854775808D)) AND "
		   "(((CAST(`__row` AS DOUBLE) * 100D) + 0.5D) < 9223372036854775808D), "
		   "FLOOR(((CAST(`__row` AS DOUBLE) * 100D) + 0.5D)), CAST(NULL AS BIGINT))",
		   cast(x, IR_T_DEC, 2));
	CHECK_EXPR("(CAST(try_multiply(`__row`, 100L) AS DOUBLE) / 100D)", cast(d2, IR_T_F64, 0));
	CHECK_EXPR("(try_multiply(`__row`, 100L) div 100L)", cast(d2, IR_T_I64, 0));
	CHECK_EXPR("try_multiply(try_multiply(`__row`, 100L), 10L)", cast(d2, IR_T_DEC, 3));
	CHECK_EXPR("CAST(round(CAST(try_multiply(`__row`, 100L) AS DECIMAL(19,0)) * 0.1BD, 0) AS BIGINT)",
		   cast(d2, IR_T_DEC, 1));
	CHECK_EXPR("CAST((CAST(try_multiply(`__row`, 100L) AS DECIMAL(19,0)) * 0.01BD) AS STRING)", cast(d2, IR_T_STR, 0));
	/* constants are converted at compile time */
	CHECK_EXPR("DATE'2024-01-01'", cast(ci(19723), IR_T_DATE, 0));
	CHECK_EXPR("1250L", cast(ci(125), IR_T_DEC, 1));
	CHECK_EXPR("3D", cast(ci(3), IR_T_F64, 0));
}

static void test_emit_spark__tables(void)
{
	static const double cum[] = {0.25, 0.5, 1.0};
	static const char *const names[] = {"Gold", "Sil'ver", "Bronze"};
	static const int64_t flags[] = {1, 0, 1};
	struct ir_table *tc = table_f64(3, cum), *tn = table_str(3, names), *tf = table_i64(3, flags);
	struct ir_node *sc = node(IR_SEARCH_CUM, IR_T_I64, 1, u_of(7)), *e;
	double big[100];
	sc->table = tc;
	CHECK_EXPR("CASE WHEN " U7 " < 0.25D THEN 0L WHEN " U7 " < 0.5D THEN 1L ELSE 2L END", sc);
	e = node(IR_ELEMENT, IR_T_STR, 1, sc);
	e->table = tn;
	CHECK_EXPR("array('Gold', 'Sil\\'ver', 'Bronze')[CAST(CASE WHEN " U7 " < 0.25D THEN 0L WHEN " U7
		   " < 0.5D THEN 1L ELSE 2L END AS INT)]", e);
	e = node(IR_ELEMENT, IR_T_BOOL, 1, ci(2));
	e->table = tf;
	CHECK_EXPR("(array(1L, 0L, 1L)[2] <> 0L)", e);
	e = node(IR_ELEMENT, IR_T_DATE, 1, ci(0));
	e->table = tf;
	CHECK_EXPR("date_add(DATE'1970-01-01', CAST(array(1L, 0L, 1L)[0] AS INT))", e);
	/* a NULL draw must give NULL, not the CASE's ELSE */
	sc = node(IR_SEARCH_CUM, IR_T_I64, 1, node(IR_IF, IR_T_F64, 3, node(IR_GT, IR_T_BOOL, 2, row(), ci(1)), cnull(IR_T_F64), cf(0.3)));
	sc->table = tc;
	CHECK_EXPR("CASE WHEN IF((`__row` > 1L), CAST(NULL AS DOUBLE), 0.29999999999999999D) IS NULL THEN CAST(NULL AS BIGINT) "
		   "ELSE CASE WHEN IF((`__row` > 1L), CAST(NULL AS DOUBLE), 0.29999999999999999D) < 0.25D THEN 0L "
		   "WHEN IF((`__row` > 1L), CAST(NULL AS DOUBLE), 0.29999999999999999D) < 0.5D THEN 1L ELSE 2L END END", sc);
	/* large arrays are split from one string literal */
	for (int i = 0; i < 100; i++)
		big[i] = (i + 1) / 100.0;
	e = node(IR_ELEMENT, IR_T_F64, 1, row());
	e->table = table_f64(20, big);
	CHECK_EXPR("CAST(split('0.01,0.02,0.029999999999999999,0.040000000000000001,0.050000000000000003,"
		   "0.059999999999999998,0.070000000000000007,0.080000000000000002,0.089999999999999997,0.10000000000000001,"
		   "0.11,0.12,0.13,0.14000000000000001,0.14999999999999999,0.16,0.17000000000000001,0.17999999999999999,"
		   "0.19,0.20000000000000001', ',') AS ARRAY<DOUBLE>)[CAST(`__row` AS INT)]", e);
	{
		struct ir_node *ap = node(IR_ALIAS_PICK, IR_T_I64, 2, irange(hash(7, row(), 0, 0), 0, 2), u_of(8));
		static double prob[] = {0.5, 1.0, 0.75};
		static int64_t alias[] = {1, 1, 1};
		struct ir_table *t = table_str(3, names);
		t->alias_prob = prob;
		t->alias_idx = alias;
		ap->table = t;
		CHECK_EXPR("IF((shiftrightunsigned(xxhash64(8L, `__row`), 11) * 1.1102230246251565E-16D) < "
			   "array(0.5D, 1D, 0.75D)[CAST(FLOOR(" U7 " * 3D) AS INT)], FLOOR(" U7 " * 3D), "
			   "array(1L, 1L, 1L)[CAST(FLOOR(" U7 " * 3D) AS INT)])", ap);
	}
}

static void test_emit_spark__strings(void)
{
	struct ir_node *s = cs("AbC");
	CHECK_EXPR("concat('a', CAST(`__row` AS STRING), 'b')", node(IR_CONCAT, IR_T_STR, 3, cs("a"), row(), cs("b")));
	CHECK_EXPR("translate('AbC', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')", node(IR_LOWER, IR_T_STR, 1, s));
	CHECK_EXPR("translate('AbC', 'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')", node(IR_UPPER, IR_T_STR, 1, s));
	CHECK_EXPR("lpad('AbC', 6, 'xy')", node(IR_LPAD, IR_T_STR, 3, s, ci(6), cs("xy")));
	CHECK_EXPR("lpad('AbC', CAST(`__row` AS INT), ' ')", node(IR_LPAD, IR_T_STR, 2, s, row()));
	CHECK_EXPR("substr('AbC', (-2), 1)", node(IR_SUBSTR, IR_T_STR, 3, s, ci(-2), ci(1)));
	CHECK_EXPR("CAST(length('AbC') AS BIGINT)", node(IR_LENGTH, IR_T_I64, 1, s));
	CHECK_EXPR("lpad(lower(hex(" H7 ")), 16, '0')", node(IR_HEX16, IR_T_STR, 1, hash(7, row(), 0, 0)));
	CHECK_EXPR("regexp_replace('AbC', '[^A-Za-z]', '')", node(IR_LETTERS, IR_T_STR, 1, s));
	CHECK_EXPR("concat(substr(lpad(lower(hex(xxhash64(7L, `__row`, 1L))), 16, '0'), 1, 8), '-', "
		   "substr(lpad(lower(hex(xxhash64(7L, `__row`, 1L))), 16, '0'), 9, 4), '-4', "
		   "substr(lpad(lower(hex(xxhash64(7L, `__row`, 1L))), 16, '0'), 14, 3), '-', "
		   "substr('89ab', CAST((shiftrightunsigned(xxhash64(7L, `__row`, 2L), 60) & 3L) AS INT) + 1, 1), "
		   "substr(lpad(lower(hex(xxhash64(7L, `__row`, 2L))), 16, '0'), 2, 3), '-', "
		   "substr(lpad(lower(hex(xxhash64(7L, `__row`, 2L))), 16, '0'), 5, 12))",
		   node(IR_UUID, IR_T_STR, 2, hash(7, row(), 1, 1), hash(7, row(), 1, 2)));
}

static void test_emit_spark__dates(void)
{
	struct ir_node *d = cast(row(), IR_T_DATE, 0), *t = cast(row(), IR_T_TS, 0);
#define D "date_add(DATE'1970-01-01', CAST(`__row` AS INT))"
	CHECK_EXPR("CAST(year(" D ") AS BIGINT)", node(IR_YEAR, IR_T_I64, 1, d));
	CHECK_EXPR("CAST(month(" D ") AS BIGINT)", node(IR_MONTH, IR_T_I64, 1, d));
	CHECK_EXPR("CAST(dayofmonth(" D ") AS BIGINT)", node(IR_DAY, IR_T_I64, 1, d));
	CHECK_EXPR("CAST(dayofweek(" D ") AS BIGINT)", node(IR_DAYOFWEEK, IR_T_I64, 1, d));
	CHECK_EXPR("CAST(dayofyear(" D ") AS BIGINT)", node(IR_DAYOFYEAR, IR_T_I64, 1, d));
	CHECK_EXPR("CAST(quarter(" D ") AS BIGINT)", node(IR_QUARTER, IR_T_I64, 1, d));
	CHECK_EXPR("CAST(weekofyear(" D ") AS BIGINT)", node(IR_WEEKOFYEAR, IR_T_I64, 1, d));
	CHECK_EXPR("CAST(hour(timestamp_seconds(`__row`)) AS BIGINT)", node(IR_HOUR, IR_T_I64, 1, t));
	CHECK_EXPR("CAST(minute(timestamp_seconds(`__row`)) AS BIGINT)", node(IR_MINUTE, IR_T_I64, 1, t));
	CHECK_EXPR("CAST(second(timestamp_seconds(`__row`)) AS BIGINT)", node(IR_SECOND, IR_T_I64, 1, t));
	CHECK_EXPR("make_date(2024, CAST(`__row` AS INT), 1)", node(IR_MAKE_DATE, IR_T_DATE, 3, ci(2024), row(), ci(1)));
	CHECK_EXPR("date_add(" D ", (-3))", node(IR_DATE_ADD, IR_T_DATE, 2, d, ci(-3)));
	CHECK_EXPR("date_add(CAST(timestamp_seconds(`__row`) AS DATE), 1)", node(IR_DATE_ADD, IR_T_DATE, 2, t, ci(1)));
	CHECK_EXPR("CAST(datediff(" D ", DATE'2024-01-01') AS BIGINT)",
		   node(IR_DATEDIFF, IR_T_I64, 2, d, (t = ci(19723), t->type = IR_T_DATE, t)));
	CHECK_EXPR("CAST(timestamp_seconds(`__row`) AS DATE)", node(IR_TO_DATE, IR_T_DATE, 1, cast(row(), IR_T_TS, 0)));
	CHECK_EXPR("CAST(" D " AS TIMESTAMP)", node(IR_TO_TS, IR_T_TS, 1, d));
#undef D
}

static void test_emit_spark__errors(void)
{
	struct strbuf sb = STRBUF_INIT;
	struct diags diags = DIAGS_INIT;
	struct ir_node *n = node(IR_COLUMN, IR_T_I64, 0);
	CHECK(emit_spark_node_expr(&sb, n, &diags) == -1);
	CHECK_INT_EQ(1, diags.errors);
	if (diags.n)
		CHECK_STR_EQ("internal error: a column reference outside a table ('column') has no pyspark rendering",
			     diags.items[0].msg);
	diags_release(&diags);
	diags_init(&diags);
	/* strings convert to no number in the IR */
	CHECK(emit_spark_node_expr(&sb, cast(cs("1"), IR_T_DEC, 2), &diags) == -1);
	if (diags.n)
		CHECK_STR_EQ("internal error: this cast ('cast') has no pyspark rendering", diags.items[0].msg);
	CHECK_INT_EQ(0, sb.len);
	strbuf_release(&sb);
	diags_release(&diags);
}

static const char *const shop_yaml =
	"dataset_id: shop\n"
	"dataset_name: Shop\n"
	"dataset_type: transactional\n"
	"schema_pattern: oltp\n"
	"domain: retail\n"
	"target_rows: 100\n"
	"seed: 7\n"
	"tables:\n"
	"  customers:\n"
	"    rows: 10\n"
	"    primary_key: id\n"
	"    columns:\n"
	"      id: {type: bigint, generator: sequence, start: 5, step: 2}\n"
	"      tier: {type: string, generator: choice, values: {Gold: 1, Silver: 3}}\n"
	"      credit: {type: 'decimal(10,2)', generator: uniform, min: 1, max: 5}\n"
	"      first: {type: string, generator: first_name, gender: female}\n"
	"      double_credit: {type: 'decimal(12,2)', expr: \"credit * 2\"}\n"
	"  orders:\n"
	"    columns:\n"
	"      customer_id: {type: bigint, generator: reference, references: customers.id}\n"
	"      tier: {type: string, expr: \"customers.tier\"}\n"
	"      big: {type: int, generator: choice, values: [BIG]}\n"
	"  items:\n"
	"    parent: orders\n"
	"    per_parent: {min: 1, max: 3}\n"
	"    columns:\n"
	"      line: {type: int, expr: \"child_index\"}\n"
	"output: {partition_columns: [tier]}\n";

/* The shop config with BIG replaced by `n` values 1..n. */
static char *shop_with(int n)
{
	struct strbuf sb = STRBUF_INIT;
	const char *at = strstr(shop_yaml, "BIG");
	strbuf_add(&sb, shop_yaml, (size_t)(at - shop_yaml));
	for (int i = 1; i <= n; i++)
		strbuf_addf(&sb, "%s%d", i > 1 ? ", " : "", i);
	strbuf_addstr(&sb, at + 3);
	return strbuf_detach(&sb, NULL);
}

/* The text of the SPARK_COLUMNS entry `name` of `table` (after the table's key), or NULL. */
static char *entry_of(const char *prog, const char *table, const char *name)
{
	struct strbuf key = STRBUF_INIT;
	const char *t, *e, *end;
	char *res = NULL;
	strbuf_addf(&key, "    \"%s\": [\n", table);
	t = strstr(prog, "SPARK_COLUMNS = {");
	t = t ? strstr(t, key.buf) : NULL;
	strbuf_reset(&key);
	strbuf_addf(&key, "        (\"%s\", ", name);
	e = t ? strstr(t, key.buf) : NULL;
	if (e) {
		e += key.len;
		end = strstr(e, "),\n");
		if (end)
			res = strndup(e, (size_t)(end - e));
	}
	strbuf_release(&key);
	return res;
}

static void test_emit_spark__program(void)
{
	char *yaml = shop_with(70), *prog = program_of(NULL, yaml, 0), *e, *row_helper = NULL;
	CHECK(prog != NULL);
	if (!prog) {
		free(yaml);
		return;
	}
	/* specs: plan order, the child's parent, Spark types */
	CHECK(strstr(prog, "TABLE_SPECS = [\n    {\"name\": \"customers\", \"rows\": 10, \"write\": True,\n"
			   "     \"parent\": None,\n     \"partition_columns\": [\"tier\"],\n"
			   "     \"columns\": [(\"id\", \"bigint\"), (\"tier\", \"string\"), "
			   "(\"credit\", \"decimal(10,2)\"), (\"first\", \"string\"), (\"double_credit\", \"decimal(12,2)\")]},\n") != NULL);
	CHECK(strstr(prog, "    {\"name\": \"items\", \"rows\": ") != NULL);
	CHECK(strstr(prog, "\"parent\": {\"table\": \"orders\", \"rows\": 100, \"min\": 1, \"max\": 3, \"count_seed\": ") != NULL);
	/* the dataset's partition columns, for the tables that have them */
	CHECK(strstr(prog, "\"count_seed\": ") && strstr(strstr(prog, "\"count_seed\": "), "\"partition_columns\": [],\n"));
	/* a sequence */
	e = entry_of(prog, "customers", "id");
	CHECK_STR_EQ("\"(5L + (`__row` * 2L))\"", e);
	free(e);
	/* decimals: the unscaled helper, the Spark decimal under the column's name, read back unscaled */
	e = entry_of(prog, "customers", "credit");
	CHECK_STR_EQ("\"(CAST(`__ig_u2` AS DECIMAL(19,0)) * 0.01BD)\"", e);
	free(e);
	e = entry_of(prog, "customers", "__ig_u4");
	CHECK(e && strstr(e, "`__ig_u2`") && strstr(e, "try_multiply"));
	free(e);
	/* a weighted reference list: hoisted arrays (split from one literal), selected once per table */
	CHECK(strstr(prog, "SPARK_ARRAYS = {\n    \"a0\": \"CAST(split('1,0.65") != NULL);
	CHECK(strstr(prog, "    \"a2\": \"split('Mary\\\\u0001Patricia\\\\u0001") != NULL);
	e = entry_of(prog, "customers", "__ig_a2");
	CHECK_STR_EQ("SPARK_ARRAYS[\"a2\"]", e);
	free(e);
	e = entry_of(prog, "customers", "first");
	CHECK(e && strstr(e, "`__ig_a") && strstr(e, "IF((shiftrightunsigned(xxhash64("));
	free(e);
	/* a reference: the parent's key recomputed at the picked row, held by a helper column */
	e = entry_of(prog, "orders", "customer_id");
	CHECK(e && !strncmp(e, "\"(5L + (`__ig_e", 15) && strstr(e, "` * 2L))\""));
	if (e && strstr(e, "`__ig_e"))
		row_helper = strndup(strstr(e, "`__ig_e"), (size_t)(strchr(strstr(e, "`__ig_e") + 1, '`') - strstr(e, "`__ig_e") + 1));
	free(e);
	CHECK(row_helper != NULL);
	/* customers.tier at the same referenced row: its draw is hashed at the same helper */
	e = entry_of(prog, "orders", "tier");
	CHECK(e && strstr(e, "array('Gold', 'Silver')[CAST(CASE WHEN `__ig_e"));
	free(e);
	if (row_helper) {
		struct strbuf want = STRBUF_INIT;
		strbuf_addf(&want, "L), %s), 11) * 1.1102230246251565E-16D)\"),\n        (\"tier\", ", row_helper);
		CHECK(strstr(prog, want.buf) != NULL);
		strbuf_release(&want);
	}
	free(row_helper);
	/* 70 choices: a binary search over the hoisted cumulative weights, one helper per step */
	e = entry_of(prog, "orders", "big");
	CHECK(e && strstr(e, "least(`__ig_e") && strstr(e, ", 69L)"));
	free(e);
	CHECK(strstr(prog, "IF(`__ig_a") != NULL && strstr(prog, "[63] <= `__ig_e") != NULL);
	CHECK(strstr(prog, "[CAST(`__ig_e") != NULL && strstr(prog, " AS INT) + 31] <= `__ig_e") != NULL);
	/* child rows: child_index from the row counter */
	e = entry_of(prog, "items", "line");
	CHECK_STR_EQ("\"pmod(`__row`, 3L)\"", e);
	free(e);
	free(prog);
	free(yaml);

	/* up to 64 choices: a CASE chain */
	yaml = shop_with(64);
	prog = program_of(NULL, yaml, 0);
	e = prog ? entry_of(prog, "orders", "big") : NULL;
	CHECK(e && strstr(e, "CASE WHEN `__ig_e") && strstr(e, " THEN 62L ELSE 63L END"));
	free(e);
	free(prog);
	free(yaml);
}

static void test_emit_spark__reserved_names(void)
{
	struct loaded L;
	struct strbuf sb = STRBUF_INIT, yaml = STRBUF_INIT;
	char *base = shop_with(2);
	const char *at = strstr(base, "      double_credit:");
	/* Spark resolves names without case: '__ROW' would be the row column */
	strbuf_add(&yaml, base, (size_t)(at - base));
	strbuf_addstr(&yaml, "      __ROW: {type: bigint, generator: sequence}\n");
	strbuf_addstr(&yaml, at);
	free(base);
	/* the validator rejects such names for every engine; the emitter keeps its own guard */
	CHECK(load(&L, NULL, yaml.buf, 0) != 0);
	CHECK_INT_EQ(1, L.diags.errors);
	if (L.diags.n)
		CHECK_STR_EQ("column name '__ROW' starts with '__', which is reserved for the generated code",
			     L.diags.items[0].msg);
	unload(&L);
	strbuf_release(&sb);
	strbuf_release(&yaml);
}

static void test_emit_spark__every_builtin_dataset(void)
{
	struct diags diags = DIAGS_INIT;
	struct catalog cat = {0};
	CHECK(catalog_init(&cat, NULL, 0, &diags) == 0);
	CHECK(cat.n >= 5);
	for (size_t i = 0; i < cat.n; i++) {
		char *prog = program_of(cat.items[i].id, NULL, 1000);
		if (!prog)
			fprintf(stderr, "dataset %s does not render\n", cat.items[i].id);
		CHECK(prog != NULL);
		/* every table has its entry and no op fell back to the failure text */
		CHECK(prog && strstr(prog, "SPARK_COLUMNS = {") && !strstr(prog, "\"NULL\""));
		free(prog);
	}
	catalog_release(&cat);
	diags_release(&diags);
}

static const struct harness_test tests[] = {
	{"emit_spark__literals", test_emit_spark__literals},
	{"emit_spark__draws", test_emit_spark__draws},
	{"emit_spark__arithmetic", test_emit_spark__arithmetic},
	{"emit_spark__logic", test_emit_spark__logic},
	{"emit_spark__math", test_emit_spark__math},
	{"emit_spark__casts", test_emit_spark__casts},
	{"emit_spark__tables", test_emit_spark__tables},
	{"emit_spark__strings", test_emit_spark__strings},
	{"emit_spark__dates", test_emit_spark__dates},
	{"emit_spark__errors", test_emit_spark__errors},
	{"emit_spark__program", test_emit_spark__program},
	{"emit_spark__reserved_names", test_emit_spark__reserved_names},
	{"emit_spark__every_builtin_dataset", test_emit_spark__every_builtin_dataset},
	{0, 0},
};

int main(int argc, char **argv)
{
	int rc;
	if (argc == 5 && !strcmp(argv[1], "--emit"))
		return emit_main(argv[2], argv[3], argv[4]);
	if (argc == 5 && !strcmp(argv[1], "--eval"))
		return eval_main(argv[2], argv[3], argv[4]);
	if (argc != 1) {
		fprintf(stderr, "usage: test_emit_spark [--emit DATASET_OR_PATH TARGET_ROWS OUT.py | "
				"--eval DATASET_OR_PATH TARGET_ROWS OUTDIR]\n");
		return 2;
	}
	rc = harness_run(tests);
	arena_release(&test_arena);
	return rc;
}
