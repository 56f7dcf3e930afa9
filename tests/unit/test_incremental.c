/*
 * Unit tests for compiler/incremental.c: the definitions of
 * docs/incremental.md (day weights, growth, schedules, block lengths), day
 * row counts and offsets on the built-in datasets, a day planned alone equal
 * to the same day inside a longer series, the slowly changing dimension
 * invariants on the planned numbers (each key changes once per block, the
 * changed keys of a day are distinct), the plan errors, and the column
 * programs (every incremental dataset lowers; values of the native
 * evaluator follow the day model).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "catalog.h"
#include "cfg.h"
#include "eval.h"
#include "harness.h"
#include "hash.h"
#include "incremental.h"
#include "ir.h"
#include "model.h"
#include "plan.h"
#include "refdata.h"
#include "strbuf.h"

struct fx {
	struct arena arena;
	struct diags diags;
	struct catalog cat;
	struct dataset *ds;
	struct plan plan;
	bool ok;
};

static bool fx_open(struct fx *f, const char *id, const char *yaml)
{
	struct plan_options opts = {0};
	memset(f, 0, sizeof(*f));
	arena_init(&f->arena);
	diags_init(&f->diags);
	if (yaml) {
		struct cfg_node *root;
		if (cfg_load(&root, "t.yaml", yaml, strlen(yaml), &f->arena, &f->diags) ||
		    model_build(&f->ds, root, &f->arena, &f->diags))
			goto fail;
	} else if (catalog_init(&f->cat, NULL, 0, &f->diags) ||
		   catalog_load_dataset(&f->ds, &f->cat, id, &f->arena, &f->diags)) {
		goto fail;
	}
	if (incr_prepare(f->ds, &f->arena, &f->diags) || plan_build(&f->plan, f->ds, &opts, &f->arena, &f->diags))
		goto fail;
	f->ok = true;
	return true;
fail:
	diags_print(&f->diags, stderr);
	return false;
}

static void fx_close(struct fx *f)
{
	catalog_release(&f->cat);
	diags_release(&f->diags);
	arena_release(&f->arena);
}

static size_t table_index(const struct plan *p, const char *name)
{
	for (size_t i = 0; i < p->n_tables; i++)
		if (!strcmp(p->tables[i].table->name, name))
			return i;
	return (size_t)-1;
}

/* Epoch day of y-m-d (days_from_civil). */
static int64_t days_of(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* ---------- definitions ---------- */

static void test_incremental__growth_factor(void)
{
	double r = 1.0;
	CHECK(incr_growth_factor(0.002, 0) == 1.0);
	CHECK(incr_growth_factor(0.25, 1) == 1.25);
	CHECK(incr_growth_factor(0.25, 2) == 1.5625);
	CHECK(incr_growth_factor(0.5, 3) == 3.375);
	/* binary exponentiation: d = 5 is base^1 * base^4 */
	{
		double b = 1.002, b2 = b * b, b4 = b2 * b2;
		CHECK(incr_growth_factor(0.002, 5) == 1.0 * b * b4);
	}
	for (int d = 0; d < 400; d++) {
		double g = incr_growth_factor(0.002, d);
		CHECK(fabs(g - pow(1.002, d)) <= 1e-12 * g);
		r *= 1.002;
	}
	CHECK(fabs(r - incr_growth_factor(0.002, 400)) < 1e-9);
	CHECK(incr_growth_factor(-0.5, 2) == 0.25);
}

static void test_incremental__day_weight(void)
{
	struct fx f;
	const struct incremental *inc;
	if (!fx_open(&f, "retail_oltp_small_incremental", NULL)) {
		CHECK(0);
		return;
	}
	inc = f.ds->incremental;
	CHECK_INT_EQ(days_of(2024, 1, 1), inc->start_date);
	/* 2024-01-01 is a Monday (0.8), no season */
	CHECK(incr_day_weight(inc, days_of(2024, 1, 1)) == 0.8);
	/* Sunday 2024-01-07 */
	CHECK(incr_day_weight(inc, days_of(2024, 1, 7)) == 0.7);
	/* Friday 2024-11-29: black_friday 4.0 and cyber_monday 3.0, multiplied in config order */
	CHECK(incr_day_weight(inc, days_of(2024, 11, 29)) == 1.3 * 4.0 * 3.0);
	/* Tuesday 2024-12-31: "12-26..12-31" 1.4 only */
	CHECK(incr_day_weight(inc, days_of(2024, 12, 31)) == 0.9 * 1.4);
	/* Wednesday 2024-12-25: christmas_week 2.2 */
	CHECK(incr_day_weight(inc, days_of(2024, 12, 25)) == 1.0 * 2.2);
	/* Monday 2024-08-26: back_to_school 1.3 */
	CHECK(incr_day_weight(inc, days_of(2024, 8, 26)) == 0.8 * 1.3);
	fx_close(&f);
}

static void test_incremental__schedule(void)
{
	int64_t start = days_of(2024, 1, 15);
	CHECK(incr_scheduled(FREQ_DAILY, start, 0) && incr_scheduled(FREQ_DAILY, start, 13));
	CHECK(incr_scheduled(FREQ_WEEKLY, start, 0) && incr_scheduled(FREQ_WEEKLY, start, 7) &&
	      incr_scheduled(FREQ_WEEKLY, start, 14));
	CHECK(!incr_scheduled(FREQ_WEEKLY, start, 1) && !incr_scheduled(FREQ_WEEKLY, start, 6) &&
	      !incr_scheduled(FREQ_WEEKLY, start, 8));
	/* monthly: the start day, then the 1st of every month (2024-02-01 is day 17) */
	CHECK(incr_scheduled(FREQ_MONTHLY, start, 0));
	CHECK(!incr_scheduled(FREQ_MONTHLY, start, 1) && !incr_scheduled(FREQ_MONTHLY, start, 16));
	CHECK(incr_scheduled(FREQ_MONTHLY, start, 17));
	CHECK(incr_scheduled(FREQ_MONTHLY, start, days_of(2024, 3, 1) - start));
	CHECK(!incr_scheduled(FREQ_MONTHLY, start, days_of(2024, 3, 2) - start));
	CHECK(incr_scheduled(FREQ_ONCE, start, 0) && !incr_scheduled(FREQ_ONCE, start, 1) &&
	      !incr_scheduled(FREQ_ONCE, start, 365));
}

static void test_incremental__block_days(void)
{
	CHECK_INT_EQ(0, incr_block_days(0));
	CHECK_INT_EQ(100, incr_block_days(0.01));
	CHECK_INT_EQ(50, incr_block_days(0.02));
	CHECK_INT_EQ(33, incr_block_days(0.03));
	CHECK_INT_EQ(125, incr_block_days(0.008));
	CHECK_INT_EQ(250, incr_block_days(0.004));
	CHECK_INT_EQ(2, incr_block_days(0.5));
	CHECK_INT_EQ(1, incr_block_days(0.9));
	CHECK_INT_EQ(1, incr_block_days(1));
}

/* ---------- days ---------- */

static void test_incremental__day_rows_and_offsets(void)
{
	struct fx f;
	struct incr_series s;
	size_t io, ii, ic, is, ip;
	int64_t start;
	if (!fx_open(&f, "retail_oltp_small_incremental", NULL)) {
		CHECK(0);
		return;
	}
	CHECK(incr_series_build(&s, &f.plan, 366, &f.arena, &f.diags) == 0);
	io = table_index(&f.plan, "orders");
	ii = table_index(&f.plan, "order_items");
	ic = table_index(&f.plan, "customers");
	is = table_index(&f.plan, "stores");
	ip = table_index(&f.plan, "products");
	start = s.start_date;
	/* rows_per_day: greatest(10000 / 30, 10) = 333.33, floored to 333 */
	CHECK_INT_EQ(333, s.tables[io].base_rows);
	for (int64_t d = 0; d < 366; d++) {
		double w = incr_day_weight(f.ds->incremental, start + d);
		CHECK_INT_EQ((int64_t)floor(333.0 * w * 1.0 + 0.5), s.tables[io].rows[d]);
		if (d > 0)
			CHECK_INT_EQ(s.tables[io].offset[d - 1] + s.tables[io].rows[d - 1], s.tables[io].offset[d]);
	}
	CHECK_INT_EQ(0, s.tables[io].offset[0]);
	CHECK_INT_EQ(266, s.tables[io].rows[0]); /* Monday: 333 * 0.8 = 266.4 */
	/* black friday 2024-11-29 (a Friday): 333 * 1.3 * 4 * 3 = 5194.8 */
	CHECK_INT_EQ(5195, s.tables[io].rows[days_of(2024, 11, 29) - start]);
	/* customers: 1000 keys growing 0.2% a day, compounding */
	CHECK_INT_EQ(1000, s.tables[ic].rows[0]);
	CHECK_INT_EQ(1002, s.tables[ic].rows[1]);
	CHECK_INT_EQ((int64_t)floor(1000.0 * incr_growth_factor(0.002, 100) + 0.5), s.tables[ic].rows[100]);
	/* monthly stores: last delivery */
	CHECK_INT_EQ(0, s.tables[is].last[30]);
	CHECK_INT_EQ(31, s.tables[is].last[31]);
	CHECK_INT_EQ(31, s.tables[is].last[59]);
	CHECK_INT_EQ(60, s.tables[is].last[60]);
	/* products: weekly */
	CHECK_INT_EQ(7, s.tables[ip].last[13]);

	for (int64_t d = 0; d < 40; d++) {
		struct incr_day day;
		CHECK(incr_plan_day(&day, &s, d, &f.arena, &f.diags) == 0);
		CHECK(day.tables[io].generated);
		CHECK_INT_EQ(s.tables[io].offset[d], day.tables[io].row_start);
		/* order_items: the children of the day's orders */
		CHECK(day.tables[ii].generated);
		CHECK_INT_EQ(day.tables[io].row_start, day.tables[ii].row_start);
		CHECK_INT_EQ(day.tables[io].rows, day.tables[ii].parent_rows);
		CHECK(day.tables[ii].rows >= day.tables[io].rows && day.tables[ii].rows <= 5 * day.tables[io].rows);
		/* stores: monthly, delivered on day 0 and 2024-02-01 */
		CHECK(day.tables[is].generated == (d == 0 || d == 31));
		CHECK(day.tables[ip].generated == (d % 7 == 0));
		CHECK(day.tables[ic].generated);
	}
	fx_close(&f);
}

/* The child counts summed by the plan equal the hash rule, whichever way they were cached. */
static void test_incremental__child_counts(void)
{
	struct fx f;
	struct incr_series s;
	size_t ii;
	if (!fx_open(&f, "retail_oltp_small_incremental", NULL)) {
		CHECK(0);
		return;
	}
	CHECK(incr_series_build(&s, &f.plan, 20, &f.arena, &f.diags) == 0);
	ii = table_index(&f.plan, "order_items");
	for (int64_t d = 19; d >= 0; d -= 3) {
		struct incr_day day;
		const struct table *t = f.plan.tables[ii].table;
		uint64_t key = cell_key(f.plan.tables[ii].count_seed);
		int64_t sum = 0;
		CHECK(incr_plan_day(&day, &s, d, &f.arena, &f.diags) == 0);
		for (int64_t p = day.tables[ii].row_start; p < day.tables[ii].row_start + day.tables[ii].parent_rows; p++)
			sum += hash_int_range(cell_hash(key, p), t->per_parent_min, t->per_parent_max);
		CHECK_INT_EQ(sum, day.tables[ii].rows);
	}
	fx_close(&f);
}

/* Any day planned alone (a horizon ending on it) equals the same day inside a series. */
static void test_incremental__day_alone_equals_series(void)
{
	struct diags diags = DIAGS_INIT;
	struct catalog cat = {0};
	CHECK(catalog_init(&cat, NULL, 0, &diags) == 0);
	for (size_t k = 0; k < cat.n; k++) {
		struct fx f;
		struct incr_series full;
		const char *id = cat.items[k].id;
		if (!strstr(id, "_incremental"))
			continue;
		if (!fx_open(&f, id, NULL)) {
			fprintf(stderr, "dataset %s does not plan\n", id);
			CHECK(0);
			continue;
		}
		if (incr_series_build(&full, &f.plan, 120, &f.arena, &f.diags)) {
			diags_print(&f.diags, stderr);
			fprintf(stderr, "dataset %s has no series\n", id);
			CHECK(0);
			fx_close(&f);
			continue;
		}
		{
			/* a series planned in one call equals its days planned one by one, in any order */
			struct incr_day *days;
			CHECK(incr_plan_series(&days, &full, 30, 59, &f.arena, &f.diags) == 0);
			for (int64_t d = 59; d >= 30; d--) {
				struct incr_day one;
				CHECK(incr_plan_day(&one, &full, d, &f.arena, &f.diags) == 0);
				CHECK_INT_EQ(one.date, days[d - 30].date);
				for (size_t i = 0; i < one.n_tables; i++) {
					CHECK_INT_EQ(one.tables[i].rows, days[d - 30].tables[i].rows);
					CHECK_INT_EQ(one.tables[i].row_start, days[d - 30].tables[i].row_start);
				}
			}
		}
		for (int64_t d = 0; d < 120; d += 17) {
			struct incr_series alone;
			struct incr_day a, b;
			CHECK(incr_series_build(&alone, &f.plan, d + 1, &f.arena, &f.diags) == 0);
			CHECK(incr_plan_day(&a, &alone, d, &f.arena, &f.diags) == 0);
			CHECK(incr_plan_day(&b, &full, d, &f.arena, &f.diags) == 0);
			CHECK_INT_EQ(a.date, b.date);
			for (size_t i = 0; i < a.n_tables; i++) {
				CHECK(a.tables[i].generated == b.tables[i].generated);
				CHECK_INT_EQ(a.tables[i].rows, b.tables[i].rows);
				CHECK_INT_EQ(a.tables[i].row_start, b.tables[i].row_start);
				CHECK_INT_EQ(a.tables[i].parent_rows, b.tables[i].parent_rows);
				CHECK_INT_EQ(a.tables[i].keys, b.tables[i].keys);
				CHECK_INT_EQ(a.tables[i].changed_keys, b.tables[i].changed_keys);
			}
			/* and the SCD block constants agree on the shared blocks */
			for (size_t i = 0; i < full.n_tables; i++) {
				const struct incr_scd *x = &alone.tables[i].scd, *y = &full.tables[i].scd;
				if (!full.tables[i].versioned)
					continue;
				CHECK_INT_EQ(y->block_days, x->block_days);
				for (int64_t bb = 0; bb < x->n_blocks && bb * x->block_days <= d; bb++) {
					CHECK_INT_EQ(y->block_keys[bb], x->block_keys[bb]);
					CHECK_INT_EQ(y->block_a[bb], x->block_a[bb]);
					CHECK_INT_EQ(y->block_c[bb], x->block_c[bb]);
				}
			}
		}
		fx_close(&f);
	}
	catalog_release(&cat);
	diags_release(&diags);
}

/*
 * The change process: within a block every key existing at its start
 * changes exactly once; the keys changing on one day are distinct and are
 * the ones the inverse permutation enumerates.
 */
static void test_incremental__scd_invariants(void)
{
	struct fx f;
	struct incr_series s;
	size_t ic;
	const struct incr_scd *sc;
	int64_t B;
	if (!fx_open(&f, "retail_oltp_small_incremental", NULL)) {
		CHECK(0);
		return;
	}
	CHECK(incr_series_build(&s, &f.plan, 366, &f.arena, &f.diags) == 0);
	ic = table_index(&f.plan, "customers");
	sc = &s.tables[ic].scd;
	B = sc->block_days;
	CHECK_INT_EQ(100, B); /* change_probability 0.01 */
	CHECK_INT_EQ(5, sc->n_blocks); /* blocks 0..4 cover the next-change days of day 365 */
	CHECK_INT_EQ(0, sc->changed[0]);
	CHECK_INT_EQ(1000, sc->new_keys[0]);
	for (int64_t b = 0; b < 3; b++) {
		int64_t K = sc->block_keys[b], A = sc->block_a[b], C = sc->block_c[b], AI = sc->block_ainv[b];
		int64_t total = 0;
		unsigned char *seen = calloc((size_t)K, 1);
		CHECK_INT_EQ(s.tables[ic].rows[b * B], K);
		CHECK_INT_EQ(1, (A * AI) % K);
		for (int64_t d = 1 + b * B; d <= (b + 1) * B; d++) {
			int64_t o = (d - 1) % B;
			total += sc->changed[d];
			for (int64_t i = 0; i < sc->changed[d]; i++) {
				int64_t x = o + i * B, r = (AI * (((x - C) % K + K) % K)) % K;
				CHECK(r >= 0 && r < K);
				CHECK(!seen[r]);
				seen[r] = 1;
				/* the forward rule puts r on this day */
				CHECK_INT_EQ(o, ((A * r + C) % K) % B);
			}
		}
		CHECK_INT_EQ(K, total);
		free(seen);
	}
	/* versions: the new keys and the changes of every day so far */
	{
		int64_t v = 0;
		for (int64_t d = 0; d < 366; d++) {
			v += sc->new_keys[d] + sc->changed[d];
			CHECK_INT_EQ(v, sc->versions_end[d]);
			if (d > 0)
				CHECK_INT_EQ(s.tables[ic].rows[d] - s.tables[ic].rows[d - 1], sc->new_keys[d]);
		}
	}
	fx_close(&f);
}

static const char *const shop_head =
	"dataset_id: shop_incremental\n"
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
	"      id: {type: bigint, generator: sequence, start: 1}\n"
	"      tier: {type: string, generator: choice, values: {Gold: 1, Silver: 3}}\n"
	"  orders:\n"
	"    rows: 50\n"
	"    primary_key: order_id\n"
	"    columns:\n"
	"      order_id: {type: bigint, generator: sequence, start: 1}\n"
	"      customer_id: {type: bigint, generator: reference, references: customers.id}\n"
	"      ts: {type: timestamp, generator: timestamp, start: 2020-01-01, end: 2020-12-31, hourly: {\"09-17\": 3, default: 1}}\n"
	"      day: {type: date, generator: date, start: 2020-01-01, end: 2020-12-31}\n"
	"  lines:\n"
	"    parent: orders\n"
	"    per_parent: {min: 1, max: 3}\n"
	"    columns:\n"
	"      line_no: {type: int, expr: \"child_index + 1\"}\n"
	"      order_id: {type: bigint, expr: \"parent.order_id\"}\n";

static char *plan_error(const char *incremental)
{
	struct strbuf sb = STRBUF_INIT, msg = STRBUF_INIT;
	struct arena arena = ARENA_INIT;
	struct diags diags = DIAGS_INIT;
	struct cfg_node *root;
	struct dataset *ds;
	struct plan plan;
	struct incr_series s;
	char *res = NULL;
	strbuf_addstr(&sb, shop_head);
	strbuf_addstr(&sb, incremental);
	if (cfg_load(&root, "t.yaml", sb.buf, sb.len, &arena, &diags) || model_build(&ds, root, &arena, &diags) ||
	    incr_prepare(ds, &arena, &diags) || plan_build(&plan, ds, NULL, &arena, &diags)) {
		diags_print(&diags, stderr);
		goto done;
	}
	if (incr_series_build(&s, &plan, 10, &arena, &diags) == 0) {
		res = strdup("");
		goto done;
	}
	for (size_t i = 0; i < diags.n; i++)
		strbuf_addf(&msg, "%s\n", diags.items[i].msg);
	res = strbuf_detach(&msg, NULL);
done:
	strbuf_release(&sb);
	strbuf_release(&msg);
	diags_release(&diags);
	arena_release(&arena);
	return res;
}

static void test_incremental__plan_errors(void)
{
	char *e;
	e = plan_error("incremental:\n  start_date: 2024-01-01\n"
		       "  table_types: {customers: snapshot, orders: incremental, lines: incremental}\n");
	CHECK_STR_EQ("", e);
	free(e);
	e = plan_error("incremental:\n  start_date: 2024-01-01\n"
		       "  table_types: {customers: snapshot, orders: snapshot, lines: incremental}\n");
	CHECK_STR_EQ("incremental table 'lines' is a child of the snapshot table 'orders' (an incremental child table needs an incremental parent)\n", e);
	free(e);
	e = plan_error("incremental:\n  start_date: 2024-01-01\n"
		       "  table_types: {customers: snapshot, orders: incremental, lines: snapshot}\n");
	CHECK_STR_EQ("snapshot table 'lines' is a child of the incremental table 'orders' (children of incremental tables must be incremental)\n", e);
	free(e);
	e = plan_error("incremental:\n  start_date: 2024-01-01\n"
		       "  table_types: {customers: snapshot, orders: incremental, lines: incremental}\n"
		       "  rows_per_day: {lines: 5}\n");
	CHECK_STR_EQ("'rows_per_day' of 'lines' does not apply: it is a child table of 'orders' (its rows follow its parent's)\n", e);
	free(e);
	e = plan_error("incremental:\n  start_date: 2024-01-01\n"
		       "  table_types: {customers: slowly_changing_dimension, orders: incremental, lines: incremental}\n"
		       "  growth: {customers: -0.01}\n");
	CHECK_STR_EQ("'growth' of the slowly changing dimension 'customers' must be >= 0 (its keys are never removed), got '-0.01'\n", e);
	free(e);
	e = plan_error("incremental:\n  start_date: 2024-01-01\n"
		       "  table_types: {customers: slowly_changing_dimension, orders: incremental, lines: incremental}\n"
		       "  scd: {customers: {change_probability: 0.1, tracked: [id, tier]}}\n");
	CHECK_STR_EQ("column 'id' of 'customers' cannot be tracked: it is the primary key (a key does not change; track the attributes)\n", e);
	free(e);
	e = plan_error("incremental:\n  start_date: 2024-01-01\n"
		       "  table_types: {customers: snapshot, orders: incremental, lines: incremental}\n"
		       "  rows_per_day: {orders: 0.5}\n");
	CHECK_STR_EQ("rows_per_day of table 'orders' evaluate to 0 with target_rows 100 and scale_factor 1 (must be 1 to 9007199254740992)\n", e);
	free(e);
}

/* Without rows_per_day an incremental table makes its planned rows a day (times the weights). */
static void test_incremental__default_rows_per_day(void)
{
	struct strbuf sb = STRBUF_INIT;
	struct fx f;
	struct incr_series s;
	strbuf_addstr(&sb, shop_head);
	strbuf_addstr(&sb, "incremental:\n  start_date: 2024-01-01\n"
			   "  table_types: {customers: snapshot, orders: incremental, lines: incremental}\n"
			   "  weekday: {monday: 0.5}\n  growth: {orders: 0.1, customers: 0.5}\n");
	if (!fx_open(&f, NULL, sb.buf)) {
		CHECK(0);
		strbuf_release(&sb);
		return;
	}
	CHECK(incr_series_build(&s, &f.plan, 10, &f.arena, &f.diags) == 0);
	CHECK_INT_EQ(50, s.tables[1].base_rows);
	CHECK_INT_EQ(25, s.tables[1].rows[0]);                 /* Monday 0.5 */
	CHECK_INT_EQ(55, s.tables[1].rows[1]);                 /* 50 * 1.1 */
	CHECK_INT_EQ((int64_t)floor(50 * 1.21 + 0.5), s.tables[1].rows[2]);
	CHECK_INT_EQ((int64_t)floor(50 * 0.5 * incr_growth_factor(0.1, 7) + 0.5), s.tables[1].rows[7]);
	/* snapshot growth: 10, 15, 22.5 -> 23 */
	CHECK_INT_EQ(10, s.tables[0].rows[0]);
	CHECK_INT_EQ(15, s.tables[0].rows[1]);
	CHECK_INT_EQ(23, s.tables[0].rows[2]);
	fx_close(&f);
	strbuf_release(&sb);
}



static char *path_of(const char *format, const char *table, int64_t date)
{
	struct strbuf sb = STRBUF_INIT, why = STRBUF_INIT;
	char *res;
	if (incr_path_format(&sb, &why, format, "shop", table, date)) {
		res = strbuf_detach(&why, NULL);
		strbuf_release(&sb);
		return res;
	}
	strbuf_release(&why);
	return strbuf_detach(&sb, NULL);
}

static void test_incremental__path_formats(void)
{
	static const struct {
		const char *format;
		int y, m, d;
		const char *want;
	} cases[] = {
		{"nested", 2024, 1, 5, "orders/2024/01/05"},
		{"nested_daily", 2024, 1, 5, "2024/01/05/orders"},
		{"nested_monthly", 2024, 1, 5, "2024/01/orders_20240105"},
		{"nested_yearly", 2024, 1, 5, "2024/orders_20240105"},
		{"flat", 2024, 1, 5, "orders/orders_20240105"},
		{"flat_with_date", 2024, 1, 5, "20240105_orders"},
		{"flat_with_date_suffix", 2024, 1, 5, "orders_20240105"},
		{"hive_partitioned", 2024, 1, 5, "year=2024/month=01/day=05/orders"},
		{"hive_monthly", 2024, 11, 29, "year=2024/month=11/orders_20241129"},
		{"quarter_based", 2024, 8, 15, "2024/Q3/orders_20240815"},
		/* ISO weeks: 2024-12-30 is in week 1 of 2025, 2021-01-03 in week 53 of 2020 */
		{"iso_week", 2024, 12, 30, "2025/week_01/orders_20241230"},
		{"iso_week", 2021, 1, 3, "2020/week_53/orders_20210103"},
		{"iso_week", 2024, 1, 1, "2024/week_01/orders_20240101"},
		{"{dataset_id}/{table}/{date}", 2024, 1, 5, "shop/orders/2024-01-05"},
		{"raw/{table}/{yyyy}{mm}{dd}/w{ww}q{q}", 2024, 2, 29, "raw/orders/20240229/w09q1"},
		{"{table}/{yyyy}", 2024, 1, 5,
		 "the path pattern '{table}/{yyyy}' does not name the day (use {yyyymmdd}, {date}, or {yyyy}, {mm} and {dd}), so days would overwrite each other"},
		{"{yyyymmdd}", 2024, 1, 5, "the path pattern '{yyyymmdd}' has no {table} (tables would overwrite each other)"},
		{"{table}/{isoyear}/{date}", 2024, 1, 5,
		 "unknown placeholder '{isoyear}' in the path pattern '{table}/{isoyear}/{date}' (expected {table}, {dataset_id}, {yyyy}, {mm}, {dd}, {yyyymmdd}, {ww}, {q} or {date})"},
		{"../{table}/{date}", 2024, 1, 5, "the path pattern '../{table}/{date}' must give a relative folder without '..'"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = path_of(cases[i].format, "orders", days_of(cases[i].y, cases[i].m, cases[i].d));
		CHECK_STR_EQ(cases[i].want, got);
		free(got);
	}
}

/* ---------- programs ---------- */

struct evalset {
	struct eval_ctx *ev;
	struct ir_program *progs;
	size_t n;
};

static bool lower_series(struct evalset *e, struct fx *f, struct incr_series *s, struct refdata_cache *refs,
			 int64_t n_days)
{
	memset(e, 0, sizeof(*e));
	if (incr_series_build(s, &f->plan, n_days, &f->arena, &f->diags) ||
	    incr_lower(&e->progs, s, refs, &f->arena, &f->diags) ||
	    eval_ctx_new(&e->ev, e->progs, f->plan.n_tables, 4096, &f->diags)) {
		diags_print(&f->diags, stderr);
		return false;
	}
	e->n = f->plan.n_tables;
	return true;
}

/* The row counters a day writes for table ti (at most cap). */
static size_t day_rows(int64_t *rows, size_t cap, const struct fx *f, const struct incr_day *day, size_t ti)
{
	const struct incr_day_table *dt = &day->tables[ti];
	const struct table *t = dt->table;
	size_t n = 0;
	if (!dt->generated)
		return 0;
	if (!t->parent) {
		for (int64_t r = dt->row_start; r < dt->row_start + dt->rows && n < cap; r++)
			rows[n++] = r;
		return n;
	}
	{
		uint64_t key = cell_key(f->plan.tables[ti].count_seed);
		for (int64_t p = dt->row_start; p < dt->row_start + dt->parent_rows && n < cap; p++) {
			int64_t cnt = hash_int_range(cell_hash(key, p), t->per_parent_min, t->per_parent_max);
			for (int64_t k = 0; k < cnt && n < cap; k++)
				rows[n++] = p * t->per_parent_max + k;
		}
	}
	return n;
}

static bool vec_equal_at(const struct eval_vec *a, const struct eval_vec *b, size_t i)
{
	if (a->type != b->type || a->valid[i] != b->valid[i])
		return false;
	if (!a->valid[i])
		return true;
	if (a->type == IR_T_F64)
		return memcmp(&a->f64[i], &b->f64[i], sizeof(double)) == 0;
	if (a->type == IR_T_STR) {
		size_t la, lb;
		const char *x = eval_str(a, i, &la), *y = eval_str(b, i, &lb);
		return la == lb && memcmp(x, y, la) == 0;
	}
	return a->i64[i] == b->i64[i];
}

/* Every incremental dataset lowers for a horizon, and the native evaluator accepts the programs. */
static void test_incremental__every_dataset_lowers(void)
{
	struct diags diags = DIAGS_INIT;
	struct catalog cat = {0};
	CHECK(catalog_init(&cat, NULL, 0, &diags) == 0);
	for (size_t k = 0; k < cat.n; k++) {
		struct fx f;
		struct incr_series s;
		struct evalset e;
		struct refdata_cache refs = REFDATA_CACHE_INIT;
		if (!strstr(cat.items[k].id, "_incremental"))
			continue;
		if (!fx_open(&f, cat.items[k].id, NULL)) {
			CHECK(0);
			continue;
		}
		if (!lower_series(&e, &f, &s, &refs, 400)) {
			fprintf(stderr, "dataset %s does not lower\n", cat.items[k].id);
			CHECK(0);
		}
		eval_ctx_free(e.ev);
		refdata_cache_release(&refs);
		fx_close(&f);
	}
	catalog_release(&cat);
	diags_release(&diags);
}

#define MAXR 20000

/*
 * A day generated alone (programs of a horizon ending on it) has the same
 * values as the same day inside a longer series, for every table.
 */
static void test_incremental__day_values_alone_equal_series(void)
{
	static int64_t rows[MAXR];
	const char *ids[] = {"retail_oltp_small_incremental", "ecommerce_star_small_incremental",
			     "healthcare_oltp_small_incremental"};
	for (size_t k = 0; k < sizeof(ids) / sizeof(ids[0]); k++) {
		struct fx f;
		struct incr_series full;
		struct evalset ef;
		struct refdata_cache refs = REFDATA_CACHE_INIT;
		if (!fx_open(&f, ids[k], NULL) || !lower_series(&ef, &f, &full, &refs, 150)) {
			CHECK(0);
			fx_close(&f);
			continue;
		}
		for (int64_t d = 1; d < 150; d += 37) {
			struct incr_series alone;
			struct evalset ea;
			struct incr_day day;
			if (!lower_series(&ea, &f, &alone, &refs, d + 1)) {
				CHECK(0);
				break;
			}
			CHECK(incr_plan_day(&day, &full, d, &f.arena, &f.diags) == 0);
			for (size_t ti = 0; ti < f.plan.n_tables; ti++) {
				size_t n = day_rows(rows, MAXR, &f, &day, ti), done = 0;
				while (done < n) {
					const struct eval_vec **va = calloc(f.plan.tables[ti].table->n_columns, sizeof(*va));
					const struct eval_vec **vb = calloc(f.plan.tables[ti].table->n_columns, sizeof(*vb));
					size_t m = n - done < 4096 ? n - done : 4096;
					int bad = 0;
					CHECK(eval_table(ea.ev, ti, rows + done, m, va) == 0);
					CHECK(eval_table(ef.ev, ti, rows + done, m, vb) == 0);
					for (size_t c = 0; c < f.plan.tables[ti].table->n_columns && !bad; c++)
						for (size_t i = 0; i < m && !bad; i++)
							if (!vec_equal_at(va[c], vb[c], i)) {
								fprintf(stderr, "%s day %lld: %s.%s differs at row %lld\n", ids[k],
									(long long)d, f.plan.tables[ti].table->name,
									f.plan.tables[ti].table->columns[c]->name,
									(long long)rows[done + i]);
								bad = 1;
							}
					CHECK(!bad);
					free(va);
					free(vb);
					done += m;
				}
			}
			eval_ctx_free(ea.ev);
		}
		eval_ctx_free(ef.ev);
		refdata_cache_release(&refs);
		fx_close(&f);
	}
}

static const struct eval_vec *col_of(const struct eval_vec **v, const struct table *t, const char *name)
{
	const struct column *c = table_column(t, name);
	return c ? v[c->index] : NULL;
}

/* Incremental rows: keys continue across days, dates are the day's, references exist on the day. */
static void test_incremental__incremental_rows(void)
{
	static int64_t rows[MAXR];
	struct fx f;
	struct incr_series s;
	struct evalset e;
	struct refdata_cache refs = REFDATA_CACHE_INIT;
	size_t io, ic;
	int64_t next_id = 1;
	if (!fx_open(&f, "retail_oltp_small_incremental", NULL) || !lower_series(&e, &f, &s, &refs, 120)) {
		CHECK(0);
		return;
	}
	io = table_index(&f.plan, "orders");
	ic = table_index(&f.plan, "customers");
	for (int64_t d = 0; d < 120; d++) {
		struct incr_day day;
		const struct eval_vec **v = calloc(f.plan.tables[io].table->n_columns, sizeof(*v));
		const struct table *t = f.plan.tables[io].table;
		size_t n;
		int bad = 0;
		CHECK(incr_plan_day(&day, &s, d, &f.arena, &f.diags) == 0);
		n = day_rows(rows, 4096, &f, &day, io);
		CHECK_INT_EQ(day.tables[io].rows, n);
		CHECK(eval_table(e.ev, io, rows, n, v) == 0);
		for (size_t i = 0; i < n && !bad; i++) {
			int64_t ts = col_of(v, t, "order_ts")->i64[i];
			const struct eval_vec *cust = col_of(v, t, "customer_id");
			if (col_of(v, t, "order_id")->i64[i] != next_id + (int64_t)i ||
			    col_of(v, t, "order_date")->i64[i] != day.date || ts < day.date * 86400 ||
			    ts >= (day.date + 1) * 86400 || !cust->valid[i] || cust->i64[i] < 1 ||
			    cust->i64[i] > s.tables[ic].rows[s.tables[ic].last[d]]) {
				fprintf(stderr, "orders day %lld row %zu: id %lld ts %lld customer %lld\n", (long long)d, i,
					(long long)col_of(v, t, "order_id")->i64[i], (long long)ts,
					(long long)cust->i64[i]);
				bad = 1;
			}
		}
		CHECK(!bad);
		next_id += (int64_t)n;
		free(v);
	}
	eval_ctx_free(e.ev);
	refdata_cache_release(&refs);
	fx_close(&f);
}

/*
 * A slowly changing dimension written on a day: every key present, one
 * current version per key, version ranges that tile [first day, 9999-12-31]
 * without overlap, untracked columns the same in every version, and the
 * current version equal to what references read on that day.
 */
static void test_incremental__scd_history(void)
{
	static int64_t rows[MAXR], keyrows[MAXR];
	struct fx f;
	struct incr_series s;
	struct evalset e;
	struct refdata_cache refs = REFDATA_CACHE_INIT;
	size_t ic;
	const struct table *t;
	if (!fx_open(&f, "retail_oltp_small_incremental", NULL) || !lower_series(&e, &f, &s, &refs, 366)) {
		CHECK(0);
		return;
	}
	ic = table_index(&f.plan, "customers");
	t = f.plan.tables[ic].table;
	for (int64_t d = 0; d < 366; d += 73) {
		struct incr_day day;
		const struct eval_vec **v = calloc(t->n_columns, sizeof(*v));
		const struct eval_vec **kv = calloc(t->n_columns, sizeof(*kv));
		int64_t K, *cur_row, *last_to, changed_versions = 0;
		int bad = 0;
		size_t n, kn = 0;
		CHECK(incr_plan_day(&day, &s, d, &f.arena, &f.diags) == 0);
		K = day.tables[ic].keys;
		n = day_rows(rows, MAXR, &f, &day, ic);
		CHECK_INT_EQ(s.tables[ic].scd.versions_end[d], n);
		CHECK(n < MAXR);
		cur_row = calloc((size_t)K + 1, sizeof(int64_t));
		last_to = calloc((size_t)K + 1, sizeof(int64_t));
		for (int64_t r = 0; r <= K; r++)
			cur_row[r] = -1;
		/* history rows are ordered by the day of their version */
		for (size_t done = 0; done < n; done += 4096) {
			size_t m = n - done < 4096 ? n - done : 4096;
			CHECK(eval_table(e.ev, ic, rows + done, m, v) == 0);
			for (size_t i = 0; i < m && !bad; i++) {
				int64_t id = col_of(v, t, "customer_id")->i64[i];
				int64_t from = col_of(v, t, "effective_from")->i64[i];
				int64_t to = col_of(v, t, "effective_to")->i64[i];
				bool current = col_of(v, t, "is_current")->i64[i] != 0;
				if (id < 1 || id > K || from < s.start_date || from > day.date || to < from ||
				    (current != (to == 2932896)) || (!current && to >= day.date)) {
					fprintf(stderr, "day %lld: bad version of %lld: %lld..%lld current %d\n", (long long)d,
						(long long)id, (long long)from, (long long)to, current);
					bad = 1;
					break;
				}
				if (last_to[id]) {
					/* the previous version ends the day before this one starts */
					if (last_to[id] != from - 1) {
						fprintf(stderr, "day %lld: key %lld: version from %lld after one ending %lld\n",
							(long long)d, (long long)id, (long long)from, (long long)last_to[id]);
						bad = 1;
					}
					changed_versions++;
				}
				if (current) {
					if (cur_row[id] >= 0)
						bad = 1;
					cur_row[id] = rows[done + i];
				}
				last_to[id] = to == 2932896 ? -1 : to;
			}
		}
		CHECK(!bad);
		for (int64_t id = 1; id <= K; id++)
			if (cur_row[id] < 0 || last_to[id] != -1) {
				fprintf(stderr, "day %lld: key %lld has no current version\n", (long long)d, (long long)id);
				bad = 1;
				break;
			}
		CHECK(!bad);
		/* about one change per key per 100 days */
		if (d >= 100)
			CHECK(changed_versions > K * (d / 100) / 2);
		/* the current versions equal what a reference reads with as_of = d */
		for (int64_t id = 1; id <= K && kn < 4096; id++)
			keyrows[kn++] = (d << INCR_KEY_ASOF_SHIFT) + id - 1;
		CHECK(eval_table(e.ev, ic, keyrows, kn, kv) == 0);
		{
			const struct eval_vec **cv = calloc(t->n_columns, sizeof(*cv));
			int64_t *cr = calloc(kn ? kn : 1, sizeof(int64_t));
			for (size_t i = 0; i < kn; i++)
				cr[i] = cur_row[i + 1];
			/* kv is a view into the context: copy what we compare first */
			{
				struct eval_vec *saved = calloc(t->n_columns, sizeof(*saved));
				for (size_t c = 0; c < t->n_columns; c++) {
					saved[c] = *kv[c];
					saved[c].valid = malloc(kn);
					memcpy(saved[c].valid, kv[c]->valid, kn);
					if (kv[c]->i64) {
						saved[c].i64 = malloc(kn * 8);
						memcpy(saved[c].i64, kv[c]->i64, kn * 8);
					}
					if (kv[c]->f64) {
						saved[c].f64 = malloc(kn * 8);
						memcpy(saved[c].f64, kv[c]->f64, kn * 8);
					}
					if (kv[c]->off) {
						saved[c].off = malloc((kn + 1) * 4);
						memcpy(saved[c].off, kv[c]->off, (kn + 1) * 4);
						saved[c].data = malloc(kv[c]->off[kn] + 1);
						memcpy(saved[c].data, kv[c]->data, kv[c]->off[kn]);
					}
				}
				CHECK(eval_table(e.ev, ic, cr, kn, cv) == 0);
				for (size_t c = 0; c < t->n_columns; c++) {
					bool is_to = !strcmp(t->columns[c]->name, "effective_to") ||
						     !strcmp(t->columns[c]->name, "is_current");
					for (size_t i = 0; i < kn && !bad && !is_to; i++)
						if (!vec_equal_at(&saved[c], cv[c], i)) {
							fprintf(stderr, "day %lld: %s of key %zu differs between the key row and its current version\n",
								(long long)d, t->columns[c]->name, i + 1);
							bad = 1;
						}
					free(saved[c].valid);
					free(saved[c].i64);
					free(saved[c].f64);
					free(saved[c].off);
					free(saved[c].data);
				}
				free(saved);
			}
			CHECK(!bad);
			free(cv);
			free(cr);
		}
		free(cur_row);
		free(last_to);
		free(v);
		free(kv);
	}
	eval_ctx_free(e.ev);
	refdata_cache_release(&refs);
	fx_close(&f);
}


static void test_incremental__batches_and_prepare(void)
{
	struct arena arena = ARENA_INIT;
	struct incr_batch *b;
	size_t n;
	struct fx f;
	CHECK(incr_batches(&b, &n, 0, 9, 4, &arena) == 0);
	CHECK_INT_EQ(3, n);
	CHECK(b[0].first == 0 && b[0].last == 3 && b[1].first == 4 && b[1].last == 7 && b[2].first == 8 && b[2].last == 9);
	CHECK(incr_batches(&b, &n, 5, 5, 10, &arena) == 0);
	CHECK(n == 1 && b[0].first == 5 && b[0].last == 5);
	CHECK(incr_batches(&b, &n, 5, 4, 10, &arena) == -1);
	arena_release(&arena);
	/* the system columns are added to plain dimensions only, after their own columns */
	if (!fx_open(&f, "retail_star_small_incremental", NULL)) {
		CHECK(0);
		return;
	}
	{
		const struct table *p = dataset_table(f.ds, "dim_product"), *c = dataset_table(f.ds, "dim_customer");
		CHECK(p && !strcmp(p->columns[p->n_columns - 3]->name, "effective_from") &&
		      !strcmp(p->columns[p->n_columns - 1]->name, "is_current"));
		CHECK(p->columns[p->n_columns - 2]->type.kind == TYPE_DATE);
		/* dim_customer (a child table) keeps its own effective_from expression */
		CHECK(c && table_column(c, "effective_from")->expr_src &&
		      strstr(table_column(c, "effective_from")->expr_src, "signup_date"));
	}
	fx_close(&f);
}

/* On day 0 (as of day 0) dimensions and snapshots read as the static generation of the dataset. */
static void test_incremental__day0_equals_static(void)
{
	struct fx f;
	struct incr_series s;
	struct evalset e;
	struct refdata_cache refs = REFDATA_CACHE_INIT;
	struct ir_program *stat;
	struct eval_ctx *ev;
	static int64_t rows[1000];
	const char *tables[] = {"customers", "products", "stores"};
	if (!fx_open(&f, "retail_oltp_small_incremental", NULL) || !lower_series(&e, &f, &s, &refs, 30)) {
		CHECK(0);
		return;
	}
	CHECK(ir_lower(&stat, &f.plan, &refs, &f.arena, &f.diags) == 0);
	CHECK(eval_ctx_new(&ev, stat, f.plan.n_tables, 4096, &f.diags) == 0);
	for (size_t k = 0; k < 3; k++) {
		size_t ti = table_index(&f.plan, tables[k]);
		const struct table *t = f.plan.tables[ti].table;
		const struct eval_vec **a = calloc(t->n_columns, sizeof(*a)), **b = calloc(t->n_columns, sizeof(*b));
		size_t n = 0;
		int bad = 0;
		for (int64_t r = 0; r < f.plan.tables[ti].rows && n < 1000; r++)
			rows[n++] = r;
		CHECK(eval_table(ev, ti, rows, n, a) == 0);
		CHECK(eval_table(e.ev, ti, rows, n, b) == 0);
		for (size_t c = 0; c < t->n_columns && !bad; c++)
			for (size_t i = 0; i < n && !bad; i++)
				if (!vec_equal_at(a[c], b[c], i)) {
					fprintf(stderr, "%s.%s differs from the static value at row %zu\n", t->name,
						t->columns[c]->name, i);
					bad = 1;
				}
		CHECK(!bad);
		free(a);
		free(b);
	}
	eval_ctx_free(ev);
	eval_ctx_free(e.ev);
	refdata_cache_release(&refs);
	fx_close(&f);
}

static const struct harness_test tests[] = {
	{"incremental__growth_factor", test_incremental__growth_factor},
	{"incremental__day_weight", test_incremental__day_weight},
	{"incremental__schedule", test_incremental__schedule},
	{"incremental__block_days", test_incremental__block_days},
	{"incremental__day_rows_and_offsets", test_incremental__day_rows_and_offsets},
	{"incremental__child_counts", test_incremental__child_counts},
	{"incremental__day_alone_equals_series", test_incremental__day_alone_equals_series},
	{"incremental__scd_invariants", test_incremental__scd_invariants},
	{"incremental__plan_errors", test_incremental__plan_errors},
	{"incremental__default_rows_per_day", test_incremental__default_rows_per_day},
	{"incremental__path_formats", test_incremental__path_formats},
	{"incremental__every_dataset_lowers", test_incremental__every_dataset_lowers},
	{"incremental__day_values_alone_equal_series", test_incremental__day_values_alone_equal_series},
	{"incremental__incremental_rows", test_incremental__incremental_rows},
	{"incremental__scd_history", test_incremental__scd_history},
	{"incremental__batches_and_prepare", test_incremental__batches_and_prepare},
	{"incremental__day0_equals_static", test_incremental__day0_equals_static},
	{0, 0},
};

HARNESS_MAIN(tests)
