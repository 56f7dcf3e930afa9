/*
 * Unit tests for compiler/emit_numpy.c: every predefined dataset renders,
 * and the rendering has the shape the runtime library expects (checked on
 * small datasets written here).  Two more modes serve the Python end-to-end
 * tests (tests/e2e/test_numpy_engine.py):
 *
 *   test_emit_numpy --emit DATASET_OR_PATH TARGET_ROWS OUT.py
 *       writes the generated program of a dataset (ids or YAML paths);
 *   test_emit_numpy --eval DATASET_OR_PATH TARGET_ROWS TABLE OUT.tsv
 *       writes every row of TABLE as the native evaluator (runtime/eval.h)
 *       computes it, one line per row, tab-separated canonical text: \N for
 *       NULL, true/false, integers (DATE days, TIMESTAMP seconds, DECIMAL
 *       unscaled), doubles as %.17g, strings with \\ \t \n \r escaped.  The
 *       first line holds the column names, the second 1/0 per column for
 *       "transcendental" (compared to 1e-12 relative instead of exactly),
 *       following COLUMN and AT_ROW into the columns they read.
 *
 * With no argument (as ctest runs it) it runs the unit tests.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "catalog.h"
#include "cfg.h"
#include "emit_numpy.h"
#include "eval.h"
#include "harness.h"
#include "hash.h"
#include "ir.h"
#include "model.h"
#include "plan.h"
#include "refdata.h"
#include "strbuf.h"

struct compiled {
	struct arena arena;
	struct diags diags;
	struct catalog cat;
	struct dataset *ds;
	struct plan plan;
	struct ir_program *progs;
	struct refdata_cache refs;
	bool have_cat;
};

static void compiled_release(struct compiled *c)
{
	refdata_cache_release(&c->refs);
	if (c->have_cat)
		catalog_release(&c->cat);
	diags_release(&c->diags);
	arena_release(&c->arena);
}

/* Loads (a catalogue id or path, or inline YAML), plans and lowers; 0 or -1 (diagnostics printed). */
static int compile_ds(struct compiled *c, const char *id, const char *yaml, int64_t target_rows)
{
	struct plan_options opts = {0};
	memset(c, 0, sizeof(*c));
	arena_init(&c->arena);
	diags_init(&c->diags);
	refdata_cache_init(&c->refs);
	if (yaml) {
		struct cfg_node *root;
		if (cfg_load(&root, "t.yaml", yaml, strlen(yaml), &c->arena, &c->diags) ||
		    model_build(&c->ds, root, &c->arena, &c->diags))
			goto bad;
	} else {
		if (catalog_init(&c->cat, NULL, 0, &c->diags))
			goto bad;
		c->have_cat = true;
		if (catalog_load_dataset(&c->ds, &c->cat, id, &c->arena, &c->diags))
			goto bad;
	}
	opts.target_rows = target_rows;
	if (plan_build(&c->plan, c->ds, &opts, &c->arena, &c->diags) ||
	    ir_lower(&c->progs, &c->plan, &c->refs, &c->arena, &c->diags))
		goto bad;
	return 0;
bad:
	diags_print(&c->diags, stderr);
	return -1;
}

/* The generated program of a dataset, or NULL. */
static char *emit_ds(const char *id, const char *yaml, int64_t target_rows)
{
	struct compiled c;
	struct strbuf sb = STRBUF_INIT;
	char *res = NULL;
	if (compile_ds(&c, id, yaml, target_rows) == 0) {
		if (emit_numpy_program(&sb, &c.plan, c.progs, &c.diags) == 0)
			res = strbuf_detach(&sb, NULL);
		else
			diags_print(&c.diags, stderr);
	}
	strbuf_release(&sb);
	compiled_release(&c);
	return res;
}

static int count_of(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static void test_emit_numpy__every_builtin_dataset(void)
{
	struct diags diags = DIAGS_INIT;
	struct catalog cat = {0};
	CHECK(catalog_init(&cat, NULL, 0, &diags) == 0);
	CHECK(cat.n >= 5);
	for (size_t i = 0; i < cat.n; i++) {
		char *py = emit_ds(cat.items[i].id, NULL, 1000);
		if (!py) {
			fprintf(stderr, "dataset %s does not render\n", cat.items[i].id);
			CHECK(py != NULL);
			continue;
		}
		CHECK(strstr(py, "\nTABLE_SPECS = [\n") != NULL);
		CHECK(strstr(py, "\nGENERATORS = {\n") != NULL);
		CHECK(strstr(py, "internal error") == NULL);
		free(py);
	}
	catalog_release(&cat);
	diags_release(&diags);
}

static const char *const shop =
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
	"      level: {type: string, generator: choice, values: {Gold: 1, Silver: 3}}\n"
	"      city: {type: string, generator: city}\n"
	"      state: {type: string, generator: state}\n"
	"      note: {type: string, expr: \"concat('it''s \\\\\\\\ ', tier, ' caf\xc3\xa9')\"}\n"
	"  orders:\n"
	"    columns:\n"
	"      customer_id: {type: bigint, generator: reference, references: customers.id}\n"
	"      amount: {type: 'decimal(10,2)', generator: uniform, min: 1, max: 5}\n"
	"      late: {type: boolean, generator: bernoulli, p: 0.25, null_probability: 0.5}\n"
	"  items:\n"
	"    parent: orders\n"
	"    per_parent: {min: 1, max: 3}\n"
	"    columns:\n"
	"      n: {type: int, expr: 'child_index + 1'}\n";

static void test_emit_numpy__shapes(void)
{
	char *py = emit_ds(NULL, shop, 0);
	char want[256];
	CHECK(py != NULL);
	if (!py)
		return;
	/* specs: plan order, Spark type spelling, the child's parent and count seed */
	CHECK(strstr(py, "{\"name\": \"customers\", \"rows\": 10, \"write\": True,\n     \"parent\": None,\n"
			 "     \"partition_columns\": [],\n") != NULL);
	CHECK(strstr(py, "(\"amount\", \"decimal(10,2)\")") != NULL);
	snprintf(want, sizeof(want),
		 "\"parent\": {\"table\": \"orders\", \"rows\": 100, \"min\": 1, \"max\": 3, \"count_seed\": %" PRId64 "}",
		 plan_column_seed(7, "items", "__count"));
	CHECK(strstr(py, want) != NULL);
	/* one function per column, and a generator per table */
	CHECK(strstr(py, "def _c0_0(F):  # customers.id\n") != NULL);
	CHECK(strstr(py, "def generate_items(row):\n") != NULL);
	CHECK(strstr(py, "    \"customers\": generate_customers,\n") != NULL);
	/* the cell hash: the key XXH64(column_seed, 42) is computed here */
	snprintf(want, sizeof(want), "_rt_hash_row(F, %" PRIu64 ")\n", cell_key(plan_column_seed(7, "customers", "tier")));
	CHECK(strstr(py, want) != NULL);
	/* the null draw k = -1 is one more round over the value draw's hash, which is computed once */
	{
		const char *late = strstr(py, "# orders.late\n"), *end = late ? strstr(late, "return") : NULL;
		CHECK(late != NULL && end != NULL);
		if (late && end) {
			char *fn = strndup(late, (size_t)(end - late));
			snprintf(want, sizeof(want), "_rt_hash_row(F, %" PRIu64 ")\n",
				 cell_key(plan_column_seed(7, "orders", "late")));
			CHECK_INT_EQ(1, count_of(fn, want));
			CHECK_INT_EQ(1, count_of(fn, "_rt_hash_k("));
			CHECK(strstr(fn, ", -1)\n") != NULL);
			/* if(null draw, NULL, v) is v with a mask, no select */
			CHECK(strstr(fn, " = np.logical_not(v") != NULL);
			CHECK(strstr(fn, "_rt_if(") == NULL);
			free(fn);
		}
	}
	/* equal tables (tier and level have the same choices) are emitted once */
	CHECK_INT_EQ(1, count_of(py, "'Gold', 'Silver',"));
	/* city and state share the place pick: one memoised function for it */
	CHECK(strstr(py, "def _s0_") != NULL);
	CHECK(count_of(py, "= F.col(_s0_") >= 2);
	/* a string pick with an index proven in range has no mask */
	CHECK(strstr(py, "    return v") != NULL);
	CHECK(strstr(py, "_rt_element(") != NULL);
	/* escaping: quote, backslash, non-ASCII as \u escapes (the program is ASCII) */
	CHECK(strstr(py, "'it\\'s \\\\\\\\ '") != NULL);
	CHECK(strstr(py, "' caf\\u00e9'") != NULL);
	for (const unsigned char *p = (const unsigned char *)py; *p; p++)
		if (*p >= 0x80) {
			CHECK(*p < 0x80);
			break;
		}
	/* the reference recomputes the parent key at a picked row: a child frame */
	CHECK(strstr(py, "_rt_at_row(F, (") != NULL);
	CHECK(strstr(py, ", _c0_0, ") != NULL);
	/* decimals: unscaled bounds of the uniform */
	CHECK(strstr(py, "_rt_int_range(") != NULL && strstr(py, ", 100, 500)") != NULL);
	free(py);
}

/* A hand-made program: one column of type `kind` (decimal(10,scale)) whose value is `v`. */
static int emit_one(struct ir_node *v, enum col_type_kind kind, int scale, struct strbuf *out, struct diags *diags)
{
	static struct column col;
	static struct column *cols[1];
	static struct table tbl;
	static int64_t seeds[1];
	static struct plan_table pt;
	static struct dataset ds;
	struct plan plan;
	struct ir_column ic;
	struct ir_program prog;
	size_t order[1] = {0};

	memset(&col, 0, sizeof(col));
	memset(&tbl, 0, sizeof(tbl));
	memset(&pt, 0, sizeof(pt));
	memset(&ds, 0, sizeof(ds));
	memset(&plan, 0, sizeof(plan));
	memset(&prog, 0, sizeof(prog));
	col.name = "x";
	col.type.kind = kind;
	col.type.precision = 10;
	col.type.scale = scale;
	col.table = &tbl;
	cols[0] = &col;
	tbl.name = "t";
	tbl.columns = cols;
	tbl.n_columns = 1;
	tbl.write = true;
	pt.table = &tbl;
	pt.rows = 5;
	pt.selected = pt.needed = true;
	pt.column_seeds = seeds;
	ds.id = "hand";
	plan.ds = &ds;
	plan.n_tables = 1;
	plan.tables = &pt;
	ic.column = &col;
	ic.value = v;
	ic.type = kind == TYPE_DOUBLE ? IR_T_F64 : kind == TYPE_DECIMAL ? IR_T_DEC : IR_T_I64;
	ic.scale = scale;
	prog.table = &tbl;
	prog.n_columns = 1;
	prog.columns = &ic;
	prog.eval_order = order;
	return emit_numpy_program(out, &plan, &prog, diags);
}

static void test_emit_numpy__malformed_program(void)
{
	struct ir_node row = {0}, s = {0}, u = {0}, *args[1];
	struct strbuf out = STRBUF_INIT;
	struct diags diags = DIAGS_INIT;
	row.op = IR_ROW;
	row.type = IR_T_I64;
	/* UNIT of a string cannot be rendered */
	s.op = IR_CONST;
	s.type = IR_T_STR;
	s.value.kind = VAL_STRING;
	s.value.s = "x";
	args[0] = &s;
	u.op = IR_UNIT;
	u.type = IR_T_F64;
	u.n_args = 1;
	u.args = args;
	CHECK_INT_EQ(-1, emit_one(&u, TYPE_DOUBLE, 0, &out, &diags));
	CHECK(diags.errors == 1);
	if (diags.n)
		CHECK(strstr(diags.items[0].msg, "internal error: numpy emitter:") != NULL &&
		      strstr(diags.items[0].msg, "op 'unit'") != NULL);
	/* a well-formed one renders: ROW as the column */
	strbuf_reset(&out);
	diags_release(&diags);
	diags_init(&diags);
	CHECK_INT_EQ(0, emit_one(&row, TYPE_BIGINT, 0, &out, &diags));
	CHECK(strstr(out.buf, "def _c0_0(F):  # t.x\n    return F.row, None\n") != NULL);
	/* a value whose type is not the column's (a decimal of another scale) is malformed */
	s.type = IR_T_DEC;
	s.scale = 0;
	s.value.kind = VAL_INT;
	s.value.i = 5;
	strbuf_reset(&out);
	diags_release(&diags);
	diags_init(&diags);
	CHECK_INT_EQ(-1, emit_one(&s, TYPE_DECIMAL, 2, &out, &diags));
	if (diags.n)
		CHECK_STR_EQ("internal error: numpy emitter: the value of column 't.x' is dec (scale 0), the column dec (scale 2)",
			     diags.items[0].msg);
	strbuf_release(&out);
	diags_release(&diags);
}

/* Constants: doubles keep every bit (17 digits, -0.0, infinities), decimals are unscaled. */
static void test_emit_numpy__constants(void)
{
	struct ir_node k[4], add1, add2, *a1[2], *a2[2];
	struct strbuf out = STRBUF_INIT;
	struct diags diags = DIAGS_INIT;
	memset(k, 0, sizeof(k));
	memset(&add1, 0, sizeof(add1));
	memset(&add2, 0, sizeof(add2));
	for (int i = 0; i < 3; i++) {
		k[i].op = IR_CONST;
		k[i].type = IR_T_F64;
		k[i].value.kind = VAL_DOUBLE;
	}
	k[0].value.d = 0.1;
	k[1].value.d = -0.0;
	k[2].value.d = 1.0 / 0.0;
	a1[0] = &k[0];
	a1[1] = &k[1];
	add1.op = IR_ADD;
	add1.type = IR_T_F64;
	add1.n_args = 2;
	add1.args = a1;
	a2[0] = &add1;
	a2[1] = &k[2];
	add2.op = IR_MUL;
	add2.type = IR_T_F64;
	add2.n_args = 2;
	add2.args = a2;
	CHECK_INT_EQ(0, emit_one(&add2, TYPE_DOUBLE, 0, &out, &diags));
	CHECK(strstr(out.buf, "= np.float64(0.10000000000000001)\n") != NULL);
	CHECK(strstr(out.buf, "= np.float64(-0.0)\n") != NULL);
	CHECK(strstr(out.buf, "= np.float64(float('inf'))\n") != NULL);
	CHECK(strstr(out.buf, "    return v") != NULL);
	strbuf_release(&out);
	diags_release(&diags);
}

/* ---------- modes for the Python tests ---------- */

static int write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		fprintf(stderr, "cannot write %s\n", path);
		return -1;
	}
	return 0;
}

static int mode_emit(const char *ds, const char *rows, const char *out)
{
	char *py = emit_ds(ds, NULL, strtoll(rows, NULL, 10));
	int r;
	if (!py)
		return 1;
	r = write_file(out, py, strlen(py));
	free(py);
	return r ? 1 : 0;
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

/* The row counters of table ti, as row_counters() of numpy_runtime.py computes them. */
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

/*
 * Whether a column's value depends on the transcendental path, following
 * COLUMN and AT_ROW into the columns they read (ir_node.transcendental
 * stops there).  Visited nodes are kept in a small hash set.
 */
struct trans_walk {
	const struct ir_program *progs;
	const struct ir_node **seen;
	size_t cap, n;
};

static bool seen_add(struct trans_walk *w, const struct ir_node *n)
{
	size_t j;
	if ((w->n + 1) * 2 > w->cap) {
		const struct ir_node **old = w->seen;
		size_t ocap = w->cap;
		w->cap = w->cap ? w->cap * 2 : 1024;
		w->seen = calloc(w->cap, sizeof(*w->seen));
		if (!w->seen)
			abort();
		w->n = 0;
		for (size_t i = 0; i < ocap; i++)
			if (old[i])
				seen_add(w, old[i]);
		free(old);
	}
	j = (size_t)(((uintptr_t)n >> 4) * 0x9E3779B97F4A7C15ULL) & (w->cap - 1);
	for (; w->seen[j]; j = (j + 1) & (w->cap - 1))
		if (w->seen[j] == n)
			return false;
	w->seen[j] = n;
	w->n++;
	return true;
}

static bool trans_of(struct trans_walk *w, const struct ir_node *n)
{
	if (!seen_add(w, n))
		return false; /* already looked at: its answer was false, or we stopped at true */
	if (n->transcendental)
		return true;
	if ((n->op == IR_COLUMN || n->op == IR_AT_ROW) && n->column &&
	    trans_of(w, ir_column_value(w->progs, n->column)))
		return true;
	for (size_t i = 0; i < n->n_args; i++)
		if (trans_of(w, n->args[i]))
			return true;
	return false;
}

static int mode_eval(const char *ds, const char *target, const char *table, const char *out)
{
	struct compiled c;
	struct eval_ctx *ctx = NULL;
	struct strbuf sb = STRBUF_INIT;
	int64_t *rows = NULL;
	size_t ti = SIZE_MAX, n = 0;
	int ret = 1;
	enum { BATCH = 4096 };

	if (compile_ds(&c, ds, NULL, strtoll(target, NULL, 10)))
		return 1;
	for (size_t i = 0; i < c.plan.n_tables; i++)
		if (!strcmp(c.plan.tables[i].table->name, table))
			ti = i;
	if (ti == SIZE_MAX) {
		fprintf(stderr, "no table '%s'\n", table);
		goto done;
	}
	if (eval_ctx_new(&ctx, c.progs, c.plan.n_tables, BATCH, &c.diags)) {
		diags_print(&c.diags, stderr);
		goto done;
	}
	{
		const struct ir_program *p = &c.progs[ti];
		const struct eval_vec **cols = calloc(p->n_columns ? p->n_columns : 1, sizeof(*cols));
		if (!cols)
			abort();
		for (size_t k = 0; k < p->n_columns; k++)
			strbuf_addf(&sb, "%s%s", k ? "\t" : "", p->columns[k].column->name);
		strbuf_addch(&sb, '\n');
		for (size_t k = 0; k < p->n_columns; k++) {
			struct trans_walk w = {c.progs, NULL, 0, 0};
			strbuf_addf(&sb, "%s%d", k ? "\t" : "", trans_of(&w, p->columns[k].value) ? 1 : 0);
			free(w.seen);
		}
		strbuf_addch(&sb, '\n');
		rows = table_rows(&c.plan, ti, &n);
		for (size_t at = 0; at < n; at += BATCH) {
			size_t m = n - at < BATCH ? n - at : BATCH;
			if (eval_table(ctx, ti, rows + at, m, cols)) {
				fprintf(stderr, "eval: %s\n", eval_error(ctx));
				free(cols);
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
	}
	ret = write_file(out, sb.buf, sb.len) ? 1 : 0;
done:
	free(rows);
	if (ctx)
		eval_ctx_free(ctx);
	strbuf_release(&sb);
	compiled_release(&c);
	return ret;
}

static const struct harness_test tests[] = {
	{"emit_numpy__every_builtin_dataset", test_emit_numpy__every_builtin_dataset},
	{"emit_numpy__shapes", test_emit_numpy__shapes},
	{"emit_numpy__malformed_program", test_emit_numpy__malformed_program},
	{"emit_numpy__constants", test_emit_numpy__constants},
	{0, 0},
};

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "--emit"))
		return mode_emit(argv[2], argv[3], argv[4]);
	if (argc == 6 && !strcmp(argv[1], "--eval"))
		return mode_eval(argv[2], argv[3], argv[4], argv[5]);
	if (argc > 1) {
		fprintf(stderr, "usage: %s [--emit DATASET_OR_PATH TARGET_ROWS OUT.py | "
				"--eval DATASET_OR_PATH TARGET_ROWS TABLE OUT.tsv]\n", argv[0]);
		return 2;
	}
	return harness_run(tests);
}
