/*
 * Unit tests for compiler/model.c and compiler/validate.c: what a valid
 * config becomes (types, generators, parameters, resolved names, computed
 * weights), and that invalid configs are rejected with every error reported
 * at its place.  The golden tests (tests/golden/errors) pin the full text
 * of many more messages through the CLI.
 */
#include <stdlib.h>
#include <string.h>

#include <stdio.h>
#include <unistd.h>

#include "arena.h"
#include "catalog.h"
#include "cfg.h"
#include "expr.h"
#include "harness.h"
#include "model.h"
#include "strbuf.h"

#define HEADER \
	"dataset_id: t\n" \
	"dataset_name: T\n" \
	"dataset_type: transactional\n" \
	"schema_pattern: oltp\n" \
	"domain: test\n" \
	"target_rows: 1000\n"

struct built {
	struct arena arena;
	struct diags diags;
	struct dataset *ds;
	int rc;
	char *all; /* messages only, one per line, in recording order */
};

static void build(struct built *b, const char *text)
{
	struct cfg_node *root = NULL;
	struct strbuf sb = STRBUF_INIT;
	arena_init(&b->arena);
	diags_init(&b->diags);
	b->ds = NULL;
	b->rc = cfg_load(&root, "m.yaml", text, strlen(text), &b->arena, &b->diags);
	if (b->rc == 0)
		b->rc = model_build(&b->ds, root, &b->arena, &b->diags);
	for (size_t i = 0; i < b->diags.n; i++) {
		strbuf_addf(&sb, "%d:%d: %s\n", b->diags.items[i].loc.line, b->diags.items[i].loc.col,
			    b->diags.items[i].msg);
	}
	b->all = strbuf_detach(&sb, NULL);
}

static void unbuild(struct built *b)
{
	free(b->all);
	diags_release(&b->diags);
	arena_release(&b->arena);
}

static bool has(const struct built *b, const char *needle)
{
	if (!strstr(b->all, needle)) {
		fprintf(stderr, "  missing \"%s\" in:\n%s", needle, b->all);
		return false;
	}
	return true;
}

static const char shop[] =
	HEADER
	"seed: 7\n"
	"x-anchors:\n"
	"  id: &id {type: bigint, generator: sequence}\n"
	"tables:\n"
	"  customers:\n"
	"    rows: target_rows / 10\n"
	"    primary_key: customer_id\n"
	"    columns:\n"
	"      customer_id: *id\n"
	"      first_name: {type: string, generator: first_name, gender: female}\n"
	"      last_name: {type: string, generator: last_name}\n"
	"      email: {type: 'varchar(80)', generator: email, from: [first_name, last_name], domains: [example.com]}\n"
	"      segment: {type: string, generator: choice, values: {Premium: 0.2, Standard: 0.5, Basic: 0.3}}\n"
	"      tier: {type: int, generator: choice, values: [3, 1, 2]}\n"
	"      code: {type: string, generator: choice, values: [1, 2.5, x]}\n"
	"      notes: string\n"
	"      active: boolean\n"
	"      big: {type: bigint, generator: uniform, min: 1_000, max: 1e6}\n"
	"  orders:\n"
	"    rows: target_rows\n"
	"    partition_columns: [order_date]\n"
	"    columns:\n"
	"      order_id: {type: bigint, generator: sequence, start: 100, step: 2}\n"
	"      customer_id: {generator: reference, references: customers.customer_id, distribution: zipf, skew: 1.3, null_probability: 0.05}\n"
	"      order_ts: {type: timestamp, generator: timestamp, start: 2024-01-01, end: '2024-01-31',\n"
	"                 hourly: {\"09-12\": 2, \"20\": 0.5, default: 1}, weekday: {sunday: 0}}\n"
	"      order_date: {type: date, generator: date, start: 2024-01-01, end: 2024-12-31, seasonal: {black_friday: 5, \"12-20..01-05\": 2}}\n"
	"      amount: {type: decimal(18,2), generator: lognormal, mean: 4.2, sigma: 0.8, min: 0}\n"
	"      total: {type: 'decimal(18,2)', expr: \"amount * 2\"}\n"
	"  order_items:\n"
	"    parent: orders\n"
	"    per_parent: {min: 1, max: 5}\n"
	"    write: false\n"
	"    columns:\n"
	"      line: {type: int, expr: \"child_index + 1\"}\n"
	"relationships:\n"
	"  - {parent: customers.customer_id, child: orders.customer_id, null_percentage: 5}\n"
	"output: {partition_columns: [order_date], z_order: [customer_id], compression: zstd}\n"
	"tags: [retail, demo]\n";

static void test_model__shop_builds(void)
{
	struct built b;
	const struct table *c, *o, *oi;
	const struct column *col;
	build(&b, shop);
	CHECK_INT_EQ(0, b.rc);
	CHECK_STR_EQ("", b.all);
	if (b.rc) {
		unbuild(&b);
		return;
	}
	CHECK_STR_EQ("t", b.ds->id);
	CHECK_STR_EQ("m.yaml", b.ds->file);
	CHECK_INT_EQ(7, b.ds->seed);
	CHECK_INT_EQ(1000, b.ds->target_rows);
	CHECK_INT_EQ(3, b.ds->n_tables);
	CHECK_INT_EQ(COMPRESSION_ZSTD, b.ds->compression);
	CHECK_INT_EQ(2, b.ds->n_tags);
	CHECK_INT_EQ(1, b.ds->n_partition_columns);
	CHECK_STR_EQ("order_date", b.ds->partition_columns[0]);
	CHECK_INT_EQ(1, b.ds->n_z_order);

	c = dataset_table(b.ds, "customers");
	o = dataset_table(b.ds, "orders");
	oi = dataset_table(b.ds, "order_items");
	CHECK(c && o && oi);
	CHECK(dataset_table(b.ds, "nope") == NULL);
	CHECK_INT_EQ(0, c->index);
	CHECK_INT_EQ(2, oi->index);
	CHECK(c->rows_expr != NULL);
	CHECK_STR_EQ("target_rows / 10", c->rows_src);
	CHECK_INT_EQ(1, c->n_primary_key);
	CHECK(c->primary_key[0] == table_column(c, "customer_id"));

	/* an alias is the anchored node itself */
	col = table_column(c, "customer_id");
	CHECK_INT_EQ(GEN_SEQUENCE, col->gen);
	CHECK_INT_EQ(TYPE_BIGINT, col->type.kind);
	CHECK_INT_EQ(1, col->params.start.i);
	CHECK_INT_EQ(1, col->params.step);

	col = table_column(c, "first_name");
	CHECK_INT_EQ(GENDER_FEMALE, col->params.gender);

	col = table_column(c, "email");
	CHECK_INT_EQ(TYPE_VARCHAR, col->type.kind);
	CHECK_INT_EQ(80, col->type.length);
	CHECK(col->params.from_first == table_column(c, "first_name"));
	CHECK(col->params.from_last == table_column(c, "last_name"));
	CHECK_INT_EQ(1, col->params.n_domains);

	/* choice: written order, cumulative weights computed once */
	col = table_column(c, "segment");
	CHECK_INT_EQ(3, col->params.n_choices);
	CHECK_STR_EQ("Premium", col->params.choices[0].value.s);
	CHECK_STR_EQ("Basic", col->params.choices[2].value.s);
	CHECK(col->params.choices[0].cumulative == 0.2 / 1.0);
	CHECK(col->params.choices[1].cumulative == (0.2 + 0.5) / 1.0);
	CHECK(col->params.choices[2].cumulative == 1.0);
	col = table_column(c, "tier");
	CHECK_INT_EQ(VAL_INT, col->params.choices[0].value.kind);
	CHECK_INT_EQ(3, col->params.choices[0].value.i);
	CHECK(col->params.choices[0].cumulative == 1.0 / 3.0);
	CHECK(col->params.choices[1].cumulative == 2.0 / 3.0);
	/* plain numbers are fine as strings for a string column */
	col = table_column(c, "code");
	CHECK_INT_EQ(VAL_STRING, col->params.choices[1].value.kind);
	CHECK_STR_EQ("2.5", col->params.choices[1].value.s);

	/* shorthand columns */
	col = table_column(c, "notes");
	CHECK_INT_EQ(GEN_WORD, col->gen);
	col = table_column(c, "active");
	CHECK_INT_EQ(GEN_BERNOULLI, col->gen);
	CHECK(col->params.p == 0.5);

	/* integers with '_' and 1e6 */
	col = table_column(c, "big");
	CHECK_INT_EQ(1000, col->params.range_lo);
	CHECK_INT_EQ(1000000, col->params.range_hi);

	col = table_column(o, "order_id");
	CHECK_INT_EQ(100, col->params.start.i);
	CHECK_INT_EQ(2, col->params.step);

	/* a reference without a type takes the referenced column's */
	col = table_column(o, "customer_id");
	CHECK_INT_EQ(GEN_REFERENCE, col->gen);
	CHECK_INT_EQ(TYPE_BIGINT, col->type.kind);
	CHECK(col->params.ref_table == c);
	CHECK(col->params.ref_column == table_column(c, "customer_id"));
	CHECK_INT_EQ(REF_ZIPF, col->params.ref_dist);
	CHECK(col->params.skew == 1.3);

	/* timestamps run from start 00:00:00 through end 23:59:59 */
	col = table_column(o, "order_ts");
	CHECK_INT_EQ(19723LL * 86400, col->params.range_lo);
	CHECK_INT_EQ(19753LL * 86400 + 86399, col->params.range_hi);
	CHECK(col->params.temporal.has_hourly);
	CHECK(col->params.temporal.hourly[8] == 1.0);
	CHECK(col->params.temporal.hourly[9] == 2.0);
	CHECK(col->params.temporal.hourly[11] == 2.0);
	CHECK(col->params.temporal.hourly[12] == 1.0);
	CHECK(col->params.temporal.hourly[20] == 0.5);
	CHECK(col->params.temporal.has_weekday);
	CHECK(col->params.temporal.weekday[6] == 0.0);
	CHECK(col->params.temporal.weekday[0] == 1.0);

	col = table_column(o, "order_date");
	CHECK_INT_EQ(19723, col->params.range_lo); /* 2024-01-01 */
	CHECK_INT_EQ(20088, col->params.range_hi); /* 2024-12-31 */
	CHECK_INT_EQ(2, col->params.temporal.n_seasonal);
	CHECK_INT_EQ(1123, col->params.temporal.seasonal[0].from_mmdd);
	CHECK_INT_EQ(1129, col->params.temporal.seasonal[0].to_mmdd);
	CHECK_INT_EQ(1220, col->params.temporal.seasonal[1].from_mmdd);
	CHECK_INT_EQ(105, col->params.temporal.seasonal[1].to_mmdd);
	CHECK(col->params.temporal.seasonal[0].multiplier == 5.0);

	/* decimal(18,2) in a flow map: YAML splits it at the comma; it is joined again */
	col = table_column(o, "amount");
	CHECK_INT_EQ(TYPE_DECIMAL, col->type.kind);
	CHECK_INT_EQ(18, col->type.precision);
	CHECK_INT_EQ(2, col->type.scale);
	CHECK(col->params.has_min && !col->params.has_max);

	col = table_column(o, "total");
	CHECK_INT_EQ(GEN_NONE, col->gen);
	CHECK(col->expr != NULL);
	CHECK_STR_EQ("amount * 2", col->expr_src);

	CHECK_INT_EQ(1, o->n_partition_columns);
	CHECK(o->partition_columns[0] == table_column(o, "order_date"));

	CHECK(oi->parent == o);
	CHECK_INT_EQ(1, oi->per_parent_min);
	CHECK_INT_EQ(5, oi->per_parent_max);
	CHECK(!oi->write);
	CHECK(c->write);

	/* the declared relationship, and none added twice for the same column */
	CHECK_INT_EQ(1, b.ds->n_relationships);
	CHECK(b.ds->relationships[0]->child == table_column(o, "customer_id"));
	CHECK(b.ds->relationships[0]->null_percentage == 5.0);
	CHECK(!b.ds->relationships[0]->implicit);
	unbuild(&b);
}

static void test_model__implicit_relationship(void)
{
	struct built b;
	build(&b, HEADER
	      "tables:\n"
	      "  a:\n"
	      "    columns:\n"
	      "      id: {type: int, generator: sequence}\n"
	      "  b:\n"
	      "    columns:\n"
	      "      a_id: {type: bigint, generator: reference, references: a.id}\n"
	      "      n: {type: int, generator: uniform, min: 1, max: 2}\n");
	CHECK_INT_EQ(0, b.rc);
	CHECK_STR_EQ("", b.all);
	if (b.ds) {
		CHECK_INT_EQ(1, b.ds->n_relationships);
		CHECK(b.ds->relationships[0]->implicit);
		CHECK_STR_EQ("id", b.ds->relationships[0]->parent->name);
	}
	unbuild(&b);
}

static void test_model__all_errors_reported(void)
{
	struct built b;
	build(&b, HEADER
	      "tabels: {}\n"
	      "tables:\n"
	      "  t:\n"
	      "    columns:\n"
	      "      a: {type: int, generator: uniform, min: 10, max: 5}\n"
	      "      b: {type: double, generator: lognormall}\n"
	      "      c: {type: string, generator: word, null_probability: 2}\n");
	CHECK_INT_EQ(-1, b.rc);
	CHECK(b.ds == NULL);
	CHECK_INT_EQ(4, b.diags.errors);
	CHECK(has(&b, "7:1: unknown key 'tabels' at the top level (did you mean 'tables'?)"));
	CHECK(has(&b, "11:47: 'min' (10) is greater than 'max' (5)"));
	CHECK(has(&b, "12:36: unknown generator 'lognormall' (did you mean 'lognormal'?)"));
	CHECK(has(&b, "13:60: 'null_probability' must be between 0 and 1, got '2'"));
	unbuild(&b);
}

static void test_model__value_types(void)
{
	struct built b;
	build(&b, HEADER
	      "tables:\n"
	      "  t:\n"
	      "    columns:\n"
	      "      a: {type: int, generator: uniform, min: '1', max: 5}\n"
	      "      b: {type: int, generator: choice, values: [1, abc]}\n"
	      "      c: {type: date, generator: date, start: '2024-01-01', end: 2024-13-01}\n"
	      "      d: {type: boolean, generator: bernoulli, p: true}\n"
	      "      e: {type: int, generator: uniform, min: 1.5, max: 5}\n");
	CHECK_INT_EQ(-1, b.rc);
	CHECK(has(&b, "'min' must be an integer, got string '1' (write it without quotes)"));
	CHECK(has(&b, "choice value 'abc' is not an integer (column type int)"));
	/* a quoted date is fine for a date parameter; a bad one is not */
	CHECK(!strstr(b.all, "'2024-01-01'"));
	CHECK(has(&b, "invalid date '2024-13-01' (expected YYYY-MM-DD)"));
	CHECK(has(&b, "'p' must be a number, got 'true'"));
	CHECK(has(&b, "'min' must be an integer, got '1.5'"));
	CHECK_INT_EQ(5, b.diags.errors);
	unbuild(&b);
}

static void test_model__references_and_cycles(void)
{
	struct built b;
	build(&b, HEADER
	      "tables:\n"
	      "  a:\n"
	      "    columns:\n"
	      "      id: {type: bigint, generator: sequence}\n"
	      "      b_id: {type: bigint, generator: reference, references: b.id}\n"
	      "  b:\n"
	      "    columns:\n"
	      "      id: {type: bigint, generator: sequence}\n"
	      "      a_id: {type: bigint, generator: reference, references: a.id}\n"
	      "      x: {type: bigint, generator: reference, references: c.id}\n"
	      "      y: {type: bigint, generator: reference, references: a.idd}\n"
	      "      z: {type: int, generator: reference, references: a.id}\n");
	CHECK_INT_EQ(-1, b.rc);
	CHECK(has(&b, "reference cycle: a -> b -> a"));
	CHECK(has(&b, "unknown table 'c' (tables: a, b)"));
	CHECK(has(&b, "table 'a' has no column 'idd' (did you mean 'id'?)"));
	CHECK(has(&b, "column type 'int' does not match the referenced column 'a.id' (bigint)"));
	CHECK_INT_EQ(4, b.diags.errors);
	unbuild(&b);
}

static void test_model__expressions_checked(void)
{
	struct built b;
	build(&b, HEADER
	      "tables:\n"
	      "  t:\n"
	      "    columns:\n"
	      "      a: {type: int, expr: \"b + 1\"}\n"
	      "      b: {type: int, expr: \"a + 1\"}\n"
	      "      s: {type: int, expr: \"concat('x', 'y')\"}\n"
	      "      ok: {type: bigint, expr: \"row_index * 2\"}\n");
	CHECK_INT_EQ(-1, b.rc);
	CHECK(has(&b, "column dependency cycle: a -> b -> a"));
	CHECK(has(&b, "expression of type 'string' cannot be stored in column 's' of type 'int'"));
	CHECK_INT_EQ(2, b.diags.errors);
	unbuild(&b);
}

static void test_model__names(void)
{
	struct built b;
	build(&b, HEADER
	      "tables:\n"
	      "  orders:\n"
	      "    columns:\n"
	      "      id: {type: int, generator: sequence}\n"
	      "      ID: {type: int, generator: sequence}\n"
	      "      from: {type: int, generator: sequence}\n"
	      "      bad-name: {type: int, generator: sequence}\n"
	      "  Orders:\n"
	      "    columns:\n"
	      "      id: {type: int, generator: sequence}\n");
	CHECK_INT_EQ(-1, b.rc);
	CHECK(has(&b, "column 'ID' differs from 'id' (line 10) only by case"));
	CHECK(has(&b, "column name 'from' is a reserved SQL word (choose another name)"));
	CHECK(has(&b, "invalid column name 'bad-name'"));
	CHECK(has(&b, "table 'Orders' differs from 'orders' (line 8) only by case"));
	CHECK_INT_EQ(4, b.diags.errors);
	unbuild(&b);
}

static void test_model__incremental(void)
{
	struct built b;
	const struct table *c, *o, *p;
	build(&b, HEADER
	      "tables:\n"
	      "  customers:\n"
	      "    columns:\n"
	      "      id: {type: bigint, generator: sequence}\n"
	      "  orders:\n"
	      "    columns:\n"
	      "      id: {type: bigint, generator: sequence}\n"
	      "  products:\n"
	      "    columns:\n"
	      "      id: {type: bigint, generator: sequence}\n"
	      "      price: {type: double, generator: uniform, min: 1, max: 9}\n"
	      "incremental:\n"
	      "  start_date: 2024-01-02\n"
	      "  table_types: {customers: snapshot, orders: incremental, products: slowly_changing_dimension}\n"
	      "  snapshot_frequency: {customers: weekly}\n"
	      "  rows_per_day: {orders: target_rows / 30}\n"
	      "  weekday: {saturday: 1.5}\n"
	      "  seasonal: {christmas_week: 3}\n"
	      "  growth: {customers: 0.002}\n"
	      "  scd: {products: {change_probability: 0.02, tracked: [price]}}\n");
	CHECK_INT_EQ(0, b.rc);
	CHECK_STR_EQ("", b.all);
	if (b.ds) {
		c = dataset_table(b.ds, "customers");
		o = dataset_table(b.ds, "orders");
		p = dataset_table(b.ds, "products");
		CHECK(b.ds->incremental != NULL);
		CHECK_INT_EQ(19724, b.ds->incremental->start_date);
		CHECK(b.ds->incremental->weekday[5] == 1.5);
		CHECK(b.ds->incremental->weekday[4] == 1.0);
		CHECK_INT_EQ(1, b.ds->incremental->n_seasonal);
		CHECK_INT_EQ(TABLE_SNAPSHOT, c->type);
		CHECK_INT_EQ(FREQ_WEEKLY, c->frequency);
		CHECK(c->growth == 0.002);
		CHECK_INT_EQ(TABLE_INCREMENTAL, o->type);
		CHECK(o->rows_per_day != NULL);
		CHECK_INT_EQ(TABLE_SCD2, p->type);
		CHECK(p->scd_change_probability == 0.02);
		CHECK_INT_EQ(1, p->n_scd_tracked);
		CHECK(p->scd_tracked[0] == table_column(p, "price"));
	}
	unbuild(&b);
}

static void test_model__not_a_map(void)
{
	struct built b;
	build(&b, "- a\n- b\n");
	CHECK_INT_EQ(-1, b.rc);
	CHECK_STR_EQ("1:1: a dataset config must be a map (dataset_id, tables, ...), got a list\n",
		     b.all);
	unbuild(&b);
}

static void test_model__names_of_things(void)
{
	struct strbuf sb = STRBUF_INIT;
	struct col_type t = {TYPE_DECIMAL, 18, 2, 0};
	col_type_format(&sb, &t);
	CHECK_STR_EQ("decimal(18,2)", sb.buf);
	strbuf_reset(&sb);
	t.kind = TYPE_VARCHAR;
	t.length = 40;
	col_type_format(&sb, &t);
	CHECK_STR_EQ("varchar(40)", sb.buf);
	strbuf_release(&sb);
	CHECK_STR_EQ("lognormal", gen_kind_name(GEN_LOGNORMAL));
	CHECK_STR_EQ("street_address", gen_kind_name(GEN_STREET_ADDRESS));
	CHECK_STR_EQ("star_schema", schema_pattern_name(PATTERN_STAR));
	CHECK_STR_EQ("event_stream", dataset_type_name(DATASET_EVENT_STREAM));
	for (int g = 0; g < GEN__COUNT; g++)
		CHECK(gen_kind_name((enum gen_kind)g)[0] != '?');
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return;
	fputs(text, f);
	fclose(f);
}

static void test_model__catalog_folders(void)
{
	char dir[] = "/tmp/ingen_test_catalog_XXXXXX";
	char path[256], bad[256], ignored[256];
	const char *dirs[1];
	struct catalog c;
	struct arena a = ARENA_INIT;
	struct diags d = DIAGS_INIT;
	struct dataset *ds = NULL;
	const struct catalog_entry *e;

	if (!mkdtemp(dir)) {
		CHECK(!"mkdtemp failed");
		return;
	}
	snprintf(path, sizeof(path), "%s/my_shop.yaml", dir);
	snprintf(bad, sizeof(bad), "%s/wrong_id.yml", dir);
	snprintf(ignored, sizeof(ignored), "%s/notes.txt", dir);
	write_file(path, HEADER "tables:\n  a:\n    columns:\n      id: {type: int, generator: sequence}\n");
	/* HEADER says dataset_id: t, so the file name disagrees */
	write_file(bad, HEADER "tables:\n  a:\n    columns:\n      id: {type: int, generator: sequence}\n");
	write_file(ignored, "not a dataset");
	dirs[0] = dir;

	CHECK_INT_EQ(0, catalog_init(&c, dirs, 1, &d));
	e = catalog_find(&c, "my_shop");
	CHECK(e != NULL && !e->builtin);
	if (e)
		CHECK_STR_EQ(path, e->display_path);
	CHECK(catalog_find(&c, "notes") == NULL);
	for (size_t i = 1; i < c.n; i++)
		CHECK(strcmp(c.items[i - 1].id, c.items[i].id) < 0);

	/* dataset_id must equal the file name in a datasets folder */
	CHECK_INT_EQ(-1, catalog_load_dataset(&ds, &c, "my_shop", &a, &d));
	CHECK(ds == NULL);
	CHECK_STR_EQ("dataset_id 't' does not match the file name 'my_shop.yaml' (they must be equal)",
		     d.n ? d.items[d.n - 1].msg : "");
	/* given as a path, it is not */
	CHECK_INT_EQ(0, catalog_load_dataset(&ds, &c, path, &a, &d));
	CHECK(ds != NULL);

	CHECK_INT_EQ(-1, catalog_load_dataset(&ds, &c, "my_shopp", &a, &d));
	CHECK_STR_EQ("unknown dataset 'my_shopp' (did you mean 'my_shop'?)", d.items[d.n - 1].msg);
	CHECK(d.items[d.n - 1].loc.file == NULL);
	catalog_release(&c);

	/* a folder that cannot be read is an error */
	dirs[0] = "/nonexistent/ingen";
	CHECK_INT_EQ(-1, catalog_init(&c, dirs, 1, &d));
	CHECK_STR_EQ("cannot read datasets folder '/nonexistent/ingen': No such file or directory",
		     d.items[d.n - 1].msg);
	catalog_release(&c);

	unlink(path);
	unlink(bad);
	unlink(ignored);
	rmdir(dir);
	diags_release(&d);
	arena_release(&a);
}

static const struct harness_test tests[] = {
	{"model__catalog_folders", test_model__catalog_folders},
	{"model__shop_builds", test_model__shop_builds},
	{"model__implicit_relationship", test_model__implicit_relationship},
	{"model__all_errors_reported", test_model__all_errors_reported},
	{"model__value_types", test_model__value_types},
	{"model__references_and_cycles", test_model__references_and_cycles},
	{"model__expressions_checked", test_model__expressions_checked},
	{"model__names", test_model__names},
	{"model__incremental", test_model__incremental},
	{"model__not_a_map", test_model__not_a_map},
	{"model__names_of_things", test_model__names_of_things},
	{0, 0},
};

HARNESS_MAIN(tests)
