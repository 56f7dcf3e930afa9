/*
 * Unit tests for compiler/plan.c: column seeds (DESIGN 5), row counts with
 * --target-rows and --scale-factor, exact child row counts recomputed here
 * from Spark's xxhash64 definition, the auto mode threshold, --tables
 * subsets, the unique-pattern check and the text/JSON formats.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "arena.h"
#include "cfg.h"
#include "harness.h"
#include "hash.h"
#include "model.h"
#include "plan.h"
#include "strbuf.h"

#define HEADER \
	"dataset_id: p\n" \
	"dataset_name: P\n" \
	"dataset_type: transactional\n" \
	"schema_pattern: oltp\n" \
	"domain: test\n" \
	"target_rows: 1000\n" \
	"seed: 42\n"

static const char shop[] =
	HEADER
	"tables:\n"
	"  customers:\n"
	"    rows: target_rows / 10\n"
	"    columns:\n"
	"      customer_id: {type: bigint, generator: sequence}\n"
	"      name: {type: string, generator: first_name}\n"
	"  stores:\n"
	"    rows: 7 * scale_factor\n"
	"    columns:\n"
	"      store_id: {type: bigint, generator: sequence}\n"
	"  orders:\n"
	"    columns:\n"
	"      order_id: {type: bigint, generator: sequence}\n"
	"      customer_id: {type: bigint, generator: reference, references: customers.customer_id}\n"
	"  order_items:\n"
	"    parent: orders\n"
	"    per_parent: {min: 1, max: 5}\n"
	"    columns:\n"
	"      line: {type: int, expr: \"child_index + 1\"}\n"
	"  fixed_children:\n"
	"    parent: customers\n"
	"    per_parent: {min: 3, max: 3}\n"
	"    columns:\n"
	"      k: {type: int, expr: \"child_index\"}\n"
	"  helper:\n"
	"    rows: 5\n"
	"    write: false\n"
	"    columns:\n"
	"      h: {type: int, generator: uniform, min: 1, max: 2}\n";

struct fixture {
	struct arena arena;
	struct diags diags;
	struct dataset *ds;
	struct plan plan;
	int rc;
};

static int setup(struct fixture *f, const char *text, const struct plan_options *opts)
{
	struct cfg_node *root;
	arena_init(&f->arena);
	diags_init(&f->diags);
	f->ds = NULL;
	if (cfg_load(&root, "p.yaml", text, strlen(text), &f->arena, &f->diags) ||
	    model_build(&f->ds, root, &f->arena, &f->diags)) {
		for (size_t i = 0; i < f->diags.n; i++)
			fprintf(stderr, "  %d:%d: %s\n", f->diags.items[i].loc.line,
				f->diags.items[i].loc.col, f->diags.items[i].msg);
		return -1;
	}
	f->rc = plan_build(&f->plan, f->ds, opts, &f->arena, &f->diags);
	return 0;
}

static void teardown(struct fixture *f)
{
	diags_release(&f->diags);
	arena_release(&f->arena);
}

static const struct plan_table *pt_of(const struct plan *p, const char *name)
{
	for (size_t i = 0; i < p->n_tables; i++)
		if (strcmp(p->tables[i].table->name, name) == 0)
			return &p->tables[i];
	return NULL;
}

/* Child rows by the definition: sum over parents of min + floor(u * (max-min+1)). */
static int64_t expected_children(int64_t seed, const char *table, int64_t parents, int64_t lo,
				 int64_t hi)
{
	char key[256];
	int64_t count_seed, sum = 0;
	snprintf(key, sizeof(key), "%s.__count", table);
	count_seed = (int64_t)XXH64(key, strlen(key), (XXH64_hash_t)seed);
	for (int64_t p = 0; p < parents; p++) {
		uint64_t h = spark_xxhash64_2(count_seed, p);
		double u = (double)(h >> 11) * 0x1.0p-53;
		sum += lo + (int64_t)floor(u * (double)(hi - lo + 1));
	}
	return sum;
}

static void test_plan__column_seeds(void)
{
	const char *key = "orders.customer_id";
	CHECK_INT_EQ((int64_t)XXH64(key, strlen(key), 42), plan_column_seed(42, "orders", "customer_id"));
	CHECK_INT_EQ((int64_t)XXH64(key, strlen(key), (XXH64_hash_t)(int64_t)-5),
		     plan_column_seed(-5, "orders", "customer_id"));
	CHECK(plan_column_seed(42, "a", "bc") != plan_column_seed(42, "ab", "c"));
}

static void test_plan__defaults(void)
{
	struct fixture f;
	const struct plan_table *pt;
	if (setup(&f, shop, NULL)) {
		CHECK(!"setup failed");
		teardown(&f);
		return;
	}
	CHECK_INT_EQ(0, f.rc);
	CHECK_INT_EQ(1000, f.plan.target_rows);
	CHECK(f.plan.scale_factor == 1.0);
	CHECK_INT_EQ(42, f.plan.seed);
	CHECK_INT_EQ(GEN_MODE_PYTHON, f.plan.mode);
	CHECK(f.plan.mode_was_auto);
	CHECK_INT_EQ(1000000, f.plan.chunk_size);
	CHECK_INT_EQ(6, f.plan.n_tables);
	CHECK_INT_EQ(100, pt_of(&f.plan, "customers")->rows);
	CHECK_INT_EQ(7, pt_of(&f.plan, "stores")->rows);
	CHECK_INT_EQ(1000, pt_of(&f.plan, "orders")->rows); /* no rows: target_rows * scale_factor */
	CHECK_INT_EQ(300, pt_of(&f.plan, "fixed_children")->rows);
	pt = pt_of(&f.plan, "order_items");
	CHECK_INT_EQ(expected_children(42, "order_items", 1000, 1, 5), pt->rows);
	CHECK(pt->rows >= 1000 && pt->rows <= 5000);
	CHECK_INT_EQ(plan_column_seed(42, "order_items", "__count"), pt->count_seed);
	pt = pt_of(&f.plan, "orders");
	CHECK_INT_EQ(plan_column_seed(42, "orders", "order_id"), pt->column_seeds[0]);
	CHECK_INT_EQ(plan_column_seed(42, "orders", "customer_id"), pt->column_seeds[1]);
	CHECK(pt->selected && pt->needed);
	pt = pt_of(&f.plan, "helper");
	CHECK(!pt->selected); /* write: false */
	CHECK(pt->needed);
	teardown(&f);
}

static void test_plan__overrides(void)
{
	struct fixture f;
	struct plan_options o;
	memset(&o, 0, sizeof(o));
	o.target_rows = 2000000;
	o.scale_factor = 3;
	o.has_seed = true;
	o.seed = 7;
	o.chunk_size = 5000;
	if (setup(&f, shop, &o)) {
		CHECK(!"setup failed");
		teardown(&f);
		return;
	}
	CHECK_INT_EQ(0, f.rc);
	CHECK_INT_EQ(GEN_MODE_PYSPARK, f.plan.mode);
	CHECK(f.plan.mode_was_auto);
	CHECK_INT_EQ(7, f.plan.seed);
	CHECK_INT_EQ(5000, f.plan.chunk_size);
	/* every rows expression is evaluated again with the new target rows */
	CHECK_INT_EQ(200000, pt_of(&f.plan, "customers")->rows);
	CHECK_INT_EQ(21, pt_of(&f.plan, "stores")->rows);
	CHECK_INT_EQ(6000000, pt_of(&f.plan, "orders")->rows); /* no rows: target * scale */
	CHECK_INT_EQ(expected_children(7, "order_items", 6000000, 1, 5),
		     pt_of(&f.plan, "order_items")->rows);
	CHECK_INT_EQ(plan_column_seed(7, "orders", "order_id"),
		     pt_of(&f.plan, "orders")->column_seeds[0]);
	teardown(&f);
}

/* Large parents are counted on several threads; the sum is the same. */
static void test_plan__child_rows_large(void)
{
	struct fixture f;
	struct plan_options o;
	memset(&o, 0, sizeof(o));
	o.target_rows = 9000001;
	if (setup(&f, shop, &o) == 0) {
		CHECK_INT_EQ(0, f.rc);
		CHECK_INT_EQ(expected_children(42, "order_items", 9000001, 1, 5),
			     pt_of(&f.plan, "order_items")->rows);
	}
	teardown(&f);
}

static void test_plan__auto_threshold(void)
{
	struct fixture f;
	struct plan_options o;
	memset(&o, 0, sizeof(o));
	o.target_rows = PLAN_AUTO_PYSPARK_ABOVE;
	if (setup(&f, shop, &o) == 0)
		CHECK_INT_EQ(GEN_MODE_PYTHON, f.plan.mode);
	teardown(&f);
	o.target_rows = PLAN_AUTO_PYSPARK_ABOVE + 1;
	if (setup(&f, shop, &o) == 0)
		CHECK_INT_EQ(GEN_MODE_PYSPARK, f.plan.mode);
	teardown(&f);
	o.mode = GEN_MODE_PYTHON;
	if (setup(&f, shop, &o) == 0) {
		CHECK_INT_EQ(GEN_MODE_PYTHON, f.plan.mode);
		CHECK(!f.plan.mode_was_auto);
	}
	teardown(&f);
}

static void test_plan__tables_subset(void)
{
	struct fixture f;
	struct plan_options o;
	const char *const only[] = {"order_items"};
	memset(&o, 0, sizeof(o));
	o.tables = only;
	o.n_tables = 1;
	if (setup(&f, shop, &o)) {
		CHECK(!"setup failed");
		teardown(&f);
		return;
	}
	CHECK_INT_EQ(0, f.rc);
	CHECK(pt_of(&f.plan, "order_items")->selected);
	/* its parent, and the table the parent references, are computed but not written */
	CHECK(pt_of(&f.plan, "orders")->needed && !pt_of(&f.plan, "orders")->selected);
	CHECK(pt_of(&f.plan, "customers")->needed && !pt_of(&f.plan, "customers")->selected);
	CHECK(!pt_of(&f.plan, "stores")->needed && !pt_of(&f.plan, "stores")->selected);
	CHECK(!pt_of(&f.plan, "helper")->needed);
	CHECK(pt_of(&f.plan, "order_items")->rows > 0);
	teardown(&f);
}

static void test_plan__unknown_table_in_subset(void)
{
	struct fixture f;
	struct plan_options o;
	const char *const only[] = {"ordres"};
	memset(&o, 0, sizeof(o));
	o.tables = only;
	o.n_tables = 1;
	if (setup(&f, shop, &o) == 0) {
		CHECK_INT_EQ(-1, f.rc);
		CHECK_INT_EQ(1, f.diags.errors);
		CHECK_STR_EQ("unknown table 'ordres' in --tables (did you mean 'orders'?)",
			     f.diags.items[0].msg);
	}
	teardown(&f);
}

static void test_plan__rows_must_be_positive(void)
{
	struct fixture f;
	struct plan_options o;
	memset(&o, 0, sizeof(o));
	o.target_rows = 5;
	if (setup(&f, shop, &o) == 0) {
		CHECK_INT_EQ(-1, f.rc);
		CHECK_INT_EQ(1, f.diags.errors);
		CHECK_STR_EQ("rows of table 'customers' evaluate to 0 with target_rows 5 and scale_factor 1 (must be at least 1)",
			     f.diags.items[0].msg);
		CHECK_INT_EQ(10, f.diags.items[0].loc.line);
		CHECK_INT_EQ(11, f.diags.items[0].loc.col);
	}
	teardown(&f);
}

static void test_plan__unique_pattern(void)
{
	static const char text[] =
		HEADER
		"tables:\n"
		"  t:\n"
		"    rows: target_rows\n"
		"    columns:\n"
		"      code: {type: string, generator: pattern, pattern: '[0-9]{2}', unique: true}\n";
	struct fixture f;
	struct plan_options o;
	memset(&o, 0, sizeof(o));
	o.target_rows = 100;
	if (setup(&f, text, &o) == 0)
		CHECK_INT_EQ(0, f.rc); /* exactly 100 strings for 100 rows */
	teardown(&f);
	o.target_rows = 101;
	if (setup(&f, text, &o) == 0) {
		CHECK_INT_EQ(-1, f.rc);
		CHECK_STR_EQ("pattern '[0-9]{2}' of 't.code' has 100 distinct strings, fewer than the table's 101 rows (unique: true needs one per row)",
			     f.diags.n ? f.diags.items[0].msg : "");
	}
	teardown(&f);
}

static void test_plan__formats(void)
{
	struct fixture f;
	struct strbuf sb = STRBUF_INIT;
	struct plan_options o;
	cJSON *doc, *tables, *t, *seeds;
	char want[128];
	memset(&o, 0, sizeof(o));
	o.target_rows = 2000000;
	if (setup(&f, shop, &o)) {
		CHECK(!"setup failed");
		teardown(&f);
		return;
	}
	plan_format_text(&sb, &f.plan);
	CHECK(strstr(sb.buf, "dataset: p\n") != NULL);
	CHECK(strstr(sb.buf, "target rows: 2000000\n") != NULL);
	CHECK(strstr(sb.buf, "scale factor: 1\n") != NULL);
	CHECK(strstr(sb.buf, "seed: 42\n") != NULL);
	CHECK(strstr(sb.buf, "mode: auto -> pyspark\n") != NULL);
	CHECK(strstr(sb.buf, "chunk size: 1000000\n") != NULL);
	snprintf(want, sizeof(want), "  orders: 2000000 rows; column seeds {\"order_id\": %lld, ",
		 (long long)plan_column_seed(42, "orders", "order_id"));
	CHECK(strstr(sb.buf, want) != NULL);
	CHECK(strstr(sb.buf, "  helper: 5 rows [write: false]") != NULL);

	strbuf_reset(&sb);
	plan_format_json(&sb, &f.plan);
	doc = cJSON_Parse(sb.buf);
	CHECK(doc != NULL);
	if (doc) {
		CHECK_STR_EQ("p", cJSON_GetObjectItem(doc, "dataset_id")->valuestring);
		CHECK_STR_EQ("pyspark", cJSON_GetObjectItem(doc, "mode")->valuestring);
		CHECK(cJSON_IsTrue(cJSON_GetObjectItem(doc, "mode_auto")));
		CHECK(cJSON_GetObjectItem(doc, "target_rows")->valuedouble == 2000000);
		tables = cJSON_GetObjectItem(doc, "tables");
		CHECK_INT_EQ(6, cJSON_GetArraySize(tables));
		t = cJSON_GetArrayItem(tables, 3);
		CHECK_STR_EQ("order_items", cJSON_GetObjectItem(t, "name")->valuestring);
		CHECK_STR_EQ("orders", cJSON_GetObjectItem(t, "parent")->valuestring);
		seeds = cJSON_GetObjectItem(t, "column_seeds");
		CHECK(cJSON_GetObjectItem(seeds, "line") != NULL);
		cJSON_Delete(doc);
	}
	/* seeds are written exactly (cJSON would round them through a double) */
	snprintf(want, sizeof(want), "\"order_id\":%lld",
		 (long long)plan_column_seed(42, "orders", "order_id"));
	CHECK(strstr(sb.buf, want) != NULL);
	strbuf_release(&sb);
	teardown(&f);
}

static const struct harness_test tests[] = {
	{"plan__column_seeds", test_plan__column_seeds},
	{"plan__defaults", test_plan__defaults},
	{"plan__overrides", test_plan__overrides},
	{"plan__child_rows_large", test_plan__child_rows_large},
	{"plan__auto_threshold", test_plan__auto_threshold},
	{"plan__tables_subset", test_plan__tables_subset},
	{"plan__unknown_table_in_subset", test_plan__unknown_table_in_subset},
	{"plan__rows_must_be_positive", test_plan__rows_must_be_positive},
	{"plan__unique_pattern", test_plan__unique_pattern},
	{"plan__formats", test_plan__formats},
	{0, 0},
};

HARNESS_MAIN(tests)
