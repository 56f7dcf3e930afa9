/*
 * incremental: plans the days of incremental datasets (docs/incremental.md
 * is the definition; this file implements it).  incr_series_build computes,
 * for a horizon of days, every table's daily rows (rows_per_day times the
 * day's weekday and seasonal weight times compounding growth, rounded half
 * up), the rows of all earlier days (the row offset, so keys continue), the
 * snapshot schedule and sizes, and for slowly changing dimensions the block
 * permutations that decide which keys change on which day.  incr_plan_day
 * reads one day out of it; child tables are counted here with the cell hash
 * of the plan (the same rule as plan.c).  The lowering of the day model into
 * column programs is the second half of the file.
 */
#include "incremental.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "diag.h"
#include "expr.h"
#include "hash.h"
#include "ir.h"
#include "plan.h"
#include "strbuf.h"

#define MAX_ROWS INT64_C(9007199254740992) /* 2^53, as plan.c */
#define MAX_VERSIONS (INT64_C(1) << INCR_SCD_ASOF_SHIFT)
#define MAX_BLOCK_DAYS (INT64_C(1) << 40)
#define OPEN_END_DATE INT64_C(2932896) /* 9999-12-31 */

/* ---------- calendar ---------- */

/* Day of week of epoch day d: 0 = Monday. */
static int weekday_of(int64_t d)
{
	int64_t w = (d + 3) % 7; /* 1970-01-01 was a Thursday */
	return (int)(w < 0 ? w + 7 : w);
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;
	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static void add_date(struct strbuf *sb, int64_t days)
{
	int y, m, d;
	civil_from_days(days, &y, &m, &d);
	strbuf_addf(sb, "%04d-%02d-%02d", y, m, d);
}

double incr_day_weight(const struct incremental *inc, int64_t date)
{
	double w = inc->weekday[weekday_of(date)];
	int y, m, d, mmdd;
	civil_from_days(date, &y, &m, &d);
	mmdd = m * 100 + d;
	for (size_t i = 0; i < inc->n_seasonal; i++) {
		const struct seasonal_period *p = &inc->seasonal[i];
		bool in = p->from_mmdd <= p->to_mmdd ? (mmdd >= p->from_mmdd && mmdd <= p->to_mmdd)
						     : (mmdd >= p->from_mmdd || mmdd <= p->to_mmdd);
		if (in)
			w *= p->multiplier;
	}
	return w;
}

double incr_growth_factor(double g, int64_t d)
{
	double base = 1.0 + g, r = 1.0;
	while (d > 0) {
		if (d & 1)
			r *= base;
		base *= base;
		d >>= 1;
	}
	return r;
}

bool incr_scheduled(enum snapshot_frequency f, int64_t start_date, int64_t d)
{
	int y, m, dd;
	switch (f) {
	case FREQ_DAILY: return true;
	case FREQ_WEEKLY: return d % 7 == 0;
	case FREQ_MONTHLY:
		civil_from_days(start_date + d, &y, &m, &dd);
		return d == 0 || dd == 1;
	case FREQ_ONCE: return d == 0;
	}
	return false;
}

int64_t incr_block_days(double p)
{
	double b;
	if (!(p > 0))
		return 0;
	b = floor(1.0 / p + 0.5);
	if (b < 1)
		return 1;
	if (b > (double)MAX_BLOCK_DAYS)
		return MAX_BLOCK_DAYS;
	return (int64_t)b;
}

const char *incr_table_type_name(enum table_type t)
{
	switch (t) {
	case TABLE_SNAPSHOT: return "snapshot";
	case TABLE_INCREMENTAL: return "incremental";
	case TABLE_SCD2: return "slowly_changing_dimension";
	case TABLE_PLAIN: break;
	}
	return "plain";
}

const char *incr_frequency_name(enum snapshot_frequency f)
{
	switch (f) {
	case FREQ_DAILY: return "daily";
	case FREQ_WEEKLY: return "weekly";
	case FREQ_MONTHLY: return "monthly";
	case FREQ_ONCE: return "once";
	}
	return "?";
}

/* ---------- the system columns of slowly changing dimensions ---------- */

static const char *const sys_names[3] = {"effective_from", "effective_to", "is_current"};

static struct expr *literal(struct arena *arena, enum col_type_kind kind, int64_t days, bool b)
{
	struct expr *e = arena_calloc(arena, 1, sizeof(*e));
	e->kind = EXPR_LITERAL;
	e->type.kind = kind;
	if (kind == TYPE_DATE) {
		e->lit.kind = VAL_DATE;
		e->lit.i = days;
	} else {
		e->lit.kind = VAL_BOOL;
		e->lit.b = b;
	}
	return e;
}

int incr_prepare(struct dataset *ds, struct arena *arena, struct diags *diags)
{
	int rc = 0;
	if (!ds->incremental)
		return 0;
	for (size_t i = 0; i < ds->n_tables; i++) {
		struct table *t = ds->tables[i];
		size_t add = 0;
		struct column **cols;
		if (t->type != TABLE_SCD2 || t->parent)
			continue;
		for (int k = 0; k < 3; k++) {
			struct column *c = table_column(t, sys_names[k]);
			enum col_type_kind want = k < 2 ? TYPE_DATE : TYPE_BOOLEAN;
			if (!c)
				add++;
			else if (c->type.kind != want)
				rc = diag_error(diags, &c->loc,
						"column '%s' of slowly changing dimension '%s' must be of type %s (the incremental model computes it), got another type",
						c->name, t->name, k < 2 ? "date" : "boolean");
		}
		if (!add)
			continue;
		cols = arena_calloc(arena, t->n_columns + add, sizeof(*cols));
		memcpy(cols, t->columns, t->n_columns * sizeof(*cols));
		t->columns = cols;
		for (int k = 0; k < 3; k++) {
			struct column *c;
			if (table_column(t, sys_names[k]))
				continue;
			c = arena_calloc(arena, 1, sizeof(*c));
			c->name = sys_names[k];
			c->loc = t->loc;
			c->type.kind = k < 2 ? TYPE_DATE : TYPE_BOOLEAN;
			c->type_loc = t->loc;
			c->gen = GEN_NONE;
			c->expr = literal(arena, c->type.kind,
					  k == 0 ? ds->incremental->start_date : OPEN_END_DATE, true);
			c->expr_src = k == 0 ? "start_date" : k == 1 ? "DATE '9999-12-31'" : "TRUE";
			c->expr_loc = t->loc;
			c->description = k == 0 ? "the first day of this version"
				       : k == 1 ? "the last day of this version (9999-12-31 while current)"
						: "true for the version current on the day written";
			c->table = t;
			c->index = t->n_columns;
			cols[t->n_columns++] = c;
		}
	}
	return rc;
}

/* ---------- series ---------- */

static int64_t gcd64(int64_t a, int64_t b)
{
	while (b) {
		int64_t r = a % b;
		a = b;
		b = r;
	}
	return a;
}

/* The inverse of a modulo m (gcd(a, m) == 1, m < 2^31). */
static int64_t mod_inverse(int64_t a, int64_t m)
{
	int64_t t = 0, nt = 1, r = m, nr = a % m;
	if (m == 1)
		return 0;
	while (nr) {
		int64_t q = r / nr, x;
		x = t - q * nt;
		t = nt;
		nt = x;
		x = r - q * nr;
		r = nr;
		nr = x;
	}
	return t < 0 ? t + m : t;
}

/* Keys (size) of a snapshot or dimension on day d: max(1, round(rows * (1 + g)^d)). */
static int64_t size_at(const struct incr_table *it, int64_t d)
{
	double x = floor((double)it->base_rows * incr_growth_factor(it->growth, d) + 0.5);
	if (!(x >= 1))
		return 1;
	if (x > (double)MAX_ROWS)
		return MAX_ROWS + 1;
	return (int64_t)x;
}

static bool is_pk(const struct table *t, const struct column *c)
{
	for (size_t i = 0; i < t->n_primary_key; i++)
		if (t->primary_key[i] == c)
			return true;
	return false;
}

/* Checks of one table against the day model; 0 or -1. */
static int check_table(const struct table *t, struct diags *diags)
{
	const struct table *p = t->parent;
	int rc = 0;
	if (t->type == TABLE_PLAIN)
		return diag_error(diags, &t->loc,
				  "table '%s' has no entry in 'table_types' (snapshot, incremental or slowly_changing_dimension)",
				  t->name);
	if (p) {
		if (t->rows_per_day)
			rc = diag_error(diags, &t->rows_per_day->loc,
					"'rows_per_day' of '%s' does not apply: it is a child table of '%s' (its rows follow its parent's)",
					t->name, p->name);
		if (t->growth != 0)
			rc = diag_error(diags, &t->loc,
					"'growth' of '%s' does not apply: it is a child table of '%s' (it grows with its parent)",
					t->name, p->name);
		if (p->parent)
			rc = diag_error(diags, &t->loc,
					"table '%s' is a child of the child table '%s'; incremental days support one level of 'parent'",
					t->name, p->name);
		if (t->type == TABLE_INCREMENTAL && p->type != TABLE_INCREMENTAL)
			rc = diag_error(diags, &t->loc,
					"incremental table '%s' is a child of the %s table '%s' (an incremental child table needs an incremental parent)",
					t->name, incr_table_type_name(p->type), p->name);
		if (t->type != TABLE_INCREMENTAL && p->type == TABLE_INCREMENTAL)
			rc = diag_error(diags, &t->loc,
					"%s table '%s' is a child of the incremental table '%s' (children of incremental tables must be incremental)",
					incr_table_type_name(t->type), t->name, p->name);
		return rc;
	}
	if (t->type == TABLE_SCD2) {
		if (t->growth < 0)
			rc = diag_error(diags, &t->loc,
					"'growth' of the slowly changing dimension '%s' must be >= 0 (its keys are never removed), got '%g'",
					t->name, t->growth);
		for (size_t i = 0; i < t->n_scd_tracked; i++) {
			const struct column *c = t->scd_tracked[i];
			if (is_pk(t, c) || c->gen == GEN_SEQUENCE)
				rc = diag_error(diags, &c->loc,
						"column '%s' of '%s' cannot be tracked: it is %s (a key does not change; track the attributes)",
						c->name, t->name, is_pk(t, c) ? "the primary key" : "a sequence");
		}
	}
	return rc;
}

static int build_scd(struct incr_table *it, const struct plan *plan, int64_t n_days, struct arena *arena,
		     struct diags *diags)
{
	struct incr_scd *sc = &it->scd;
	const struct table *t = it->table;
	int64_t B = incr_block_days(t->scd_change_probability), total = 0;
	uint64_t key;

	sc->seed = plan_column_seed(plan->seed, t->name, "__scd");
	key = cell_key(sc->seed);
	sc->block_days = B;
	sc->new_keys = arena_calloc(arena, (size_t)n_days, sizeof(int64_t));
	sc->changed = arena_calloc(arena, (size_t)n_days, sizeof(int64_t));
	sc->versions_end = arena_calloc(arena, (size_t)n_days, sizeof(int64_t));
	if (B > 0) {
		sc->n_blocks = (n_days - 1 + B - 1) / B + 1;
		sc->block_keys = arena_calloc(arena, (size_t)sc->n_blocks, sizeof(int64_t));
		sc->block_a = arena_calloc(arena, (size_t)sc->n_blocks, sizeof(int64_t));
		sc->block_c = arena_calloc(arena, (size_t)sc->n_blocks, sizeof(int64_t));
		sc->block_ainv = arena_calloc(arena, (size_t)sc->n_blocks, sizeof(int64_t));
		for (int64_t b = 0; b < sc->n_blocks; b++) {
			/* blocks starting after the horizon only ever give "not yet changed" */
			int64_t K = b * B < n_days ? size_at(it, b * B) : 1, a, c;
			if (K > INCR_MAX_SCD_KEYS)
				return diag_error(diags, &t->loc,
						  "slowly changing dimension '%s' would have %lld keys on day %lld, more than %lld",
						  t->name, (long long)K, (long long)(b * B), (long long)INCR_MAX_SCD_KEYS);
			if (K <= 1) {
				a = 1;
				c = 0;
			} else {
				a = 1 + hash_int_range(cell_hash_k(key, b, 1), 0, K - 2);
				while (gcd64(a, K) != 1)
					a = a + 1 < K ? a + 1 : 1;
				c = hash_int_range(cell_hash_k(key, b, 2), 0, K - 1);
			}
			sc->block_keys[b] = K;
			sc->block_a[b] = a;
			sc->block_c[b] = c;
			sc->block_ainv[b] = mod_inverse(a, K);
		}
	}
	for (int64_t d = 0; d < n_days; d++) {
		int64_t K = it->rows[d], chg = 0;
		if (K > INCR_MAX_SCD_KEYS)
			return diag_error(diags, &t->loc,
					  "slowly changing dimension '%s' would have %lld keys on day %lld, more than %lld",
					  t->name, (long long)K, (long long)d, (long long)INCR_MAX_SCD_KEYS);
		sc->new_keys[d] = d == 0 ? K : K - it->rows[d - 1];
		if (d > 0 && B > 0) {
			int64_t b = (d - 1) / B, o = (d - 1) % B, Kb = sc->block_keys[b];
			chg = o < Kb ? (Kb - o + B - 1) / B : 0;
		}
		sc->changed[d] = chg;
		total += sc->new_keys[d] + chg;
		if (total >= MAX_VERSIONS)
			return diag_error(diags, &t->loc,
					  "slowly changing dimension '%s' would have more than %lld versions by day %lld",
					  t->name, (long long)MAX_VERSIONS, (long long)d);
		sc->versions_end[d] = total;
	}
	return 0;
}

static int build_table(struct incr_series *s, struct incr_table *it, const struct plan_table *pt,
		       struct arena *arena, struct diags *diags)
{
	const struct table *t = pt->table;
	int64_t n = s->n_days;

	it->table = t;
	it->type = t->type;
	it->frequency = t->frequency;
	it->child = t->parent != NULL;
	it->versioned = t->type == TABLE_SCD2 && !t->parent;
	it->growth = t->growth;
	if (it->versioned) {
		it->effective_from = table_column(t, "effective_from");
		it->effective_to = table_column(t, "effective_to");
		it->is_current = table_column(t, "is_current");
	}
	if (it->child)
		return 0;
	it->rows = arena_calloc(arena, (size_t)n, sizeof(int64_t));
	if (t->type == TABLE_INCREMENTAL) {
		int64_t off = 0;
		if (t->rows_per_day) {
			double v;
			if (expr_eval_rows(&v, t->rows_per_day, s->plan->target_rows, s->plan->scale_factor, diags))
				return -1;
			v = floor(v);
			if (!(v >= 1) || v > (double)MAX_ROWS)
				return diag_error(diags, &t->rows_per_day->loc,
						  "rows_per_day of table '%s' evaluate to %.17g with target_rows %lld and scale_factor %g (must be 1 to %lld)",
						  t->name, isnan(v) ? 0.0 : v, (long long)s->plan->target_rows,
						  s->plan->scale_factor, (long long)MAX_ROWS);
			it->base_rows = (int64_t)v;
		} else {
			it->base_rows = pt->rows;
		}
		it->offset = arena_calloc(arena, (size_t)n, sizeof(int64_t));
		for (int64_t d = 0; d < n; d++) {
			double x = (double)it->base_rows * s->weight[d];
			x = floor(x * incr_growth_factor(it->growth, d) + 0.5);
			if (!(x >= 0))
				x = 0;
			if (x > (double)MAX_ROWS || off + (int64_t)x > MAX_ROWS)
				return diag_error(diags, &t->loc,
						  "incremental table '%s' would have more than %lld rows by day %lld",
						  t->name, (long long)MAX_ROWS, (long long)d);
			it->rows[d] = (int64_t)x;
			it->offset[d] = off;
			off += it->rows[d];
		}
		return 0;
	}
	it->base_rows = pt->rows;
	it->last = arena_calloc(arena, (size_t)n, sizeof(int64_t));
	for (int64_t d = 0; d < n; d++) {
		it->rows[d] = size_at(it, d);
		if (it->rows[d] > MAX_ROWS)
			return diag_error(diags, &t->loc, "table '%s' would have more than %lld rows by day %lld",
					  t->name, (long long)MAX_ROWS, (long long)d);
		it->last[d] = incr_scheduled(it->frequency, s->start_date, d) ? d : it->last[d - 1];
	}
	if (it->versioned)
		return build_scd(it, s->plan, n, arena, diags);
	return 0;
}

int incr_series_build(struct incr_series *out, const struct plan *plan, int64_t n_days,
		      struct arena *arena, struct diags *diags)
{
	const struct dataset *ds = plan->ds;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!ds->incremental)
		return diag_error(diags, &ds->loc,
				  "dataset '%s' has no incremental section; this command needs an incremental dataset (see 'list-incremental-datasets')",
				  ds->id);
	if (n_days < 1 || n_days > INCR_MAX_DAYS)
		return diag_error(diags, &ds->incremental->loc,
				  "a series reaches day %lld after start_date; at most %d days are supported",
				  (long long)(n_days - 1), INCR_MAX_DAYS);
	for (size_t i = 0; i < plan->n_tables; i++)
		if (check_table(plan->tables[i].table, diags))
			rc = -1;
	if (rc)
		return -1;
	out->plan = plan;
	out->ds = ds;
	out->start_date = ds->incremental->start_date;
	out->n_days = n_days;
	out->weight = arena_calloc(arena, (size_t)n_days, sizeof(double));
	for (int64_t d = 0; d < n_days; d++)
		out->weight[d] = incr_day_weight(ds->incremental, out->start_date + d);
	out->n_tables = plan->n_tables;
	out->tables = arena_calloc(arena, plan->n_tables ? plan->n_tables : 1, sizeof(*out->tables));
	for (size_t i = 0; i < plan->n_tables; i++)
		if (build_table(out, &out->tables[i], &plan->tables[i], arena, diags))
			rc = -1;
	return rc;
}

/* ---------- days ---------- */

/* Sum of child counts over parent rows [from, to), extending the cached prefix when it can. */
static int64_t child_sum(struct incr_table *it, const struct plan_table *pt, int64_t from, int64_t to)
{
	const struct table *t = it->table;
	int64_t lo = t->per_parent_min, hi = t->per_parent_max;
	uint64_t key = cell_key(pt->count_seed);
	int64_t p, sum;
	if (lo == hi)
		return (to - from) * lo;
	if (it->sum_from == from && it->sum_to <= to && it->sum_to > from) {
		p = it->sum_to;
		sum = it->sum;
	} else {
		p = from;
		sum = 0;
	}
	for (; p < to; p++)
		sum += hash_int_range(cell_hash(key, p), lo, hi);
	it->sum_from = from;
	it->sum_to = to;
	it->sum = sum;
	return sum;
}

int incr_plan_day(struct incr_day *out, struct incr_series *s, int64_t day, struct arena *arena,
		  struct diags *diags)
{
	memset(out, 0, sizeof(*out));
	if (day < 0 || day >= s->n_days)
		return diag_error(diags, NULL, "internal error: day %lld is outside the planned horizon of %lld days",
				  (long long)day, (long long)s->n_days);
	out->day = day;
	out->date = s->start_date + day;
	out->n_tables = s->n_tables;
	out->tables = arena_calloc(arena, s->n_tables ? s->n_tables : 1, sizeof(*out->tables));
	for (size_t i = 0; i < s->n_tables; i++) {
		struct incr_table *it = &s->tables[i];
		struct incr_day_table *dt = &out->tables[i];
		dt->table = it->table;
		if (it->child) {
			const struct incr_table *pi = &s->tables[it->table->parent->index];
			int64_t from, n;
			if (it->type == TABLE_INCREMENTAL) {
				dt->generated = true;
				from = pi->offset[day];
				n = pi->rows[day];
			} else {
				dt->generated = incr_scheduled(it->frequency, s->start_date, day);
				from = 0;
				n = pi->rows[pi->last[day]];
			}
			dt->row_start = from;
			dt->parent_rows = n;
			if (dt->generated)
				dt->rows = child_sum(it, &s->plan->tables[i], from, from + n);
			continue;
		}
		switch (it->type) {
		case TABLE_INCREMENTAL:
			dt->generated = true;
			dt->row_start = it->offset[day];
			dt->rows = it->rows[day];
			break;
		case TABLE_SCD2:
			dt->generated = incr_scheduled(it->frequency, s->start_date, day);
			dt->row_start = INCR_SCD_ROW_BASE + (day << INCR_SCD_ASOF_SHIFT);
			dt->rows = dt->generated ? it->scd.versions_end[day] : 0;
			dt->keys = it->rows[day];
			dt->new_keys = it->scd.new_keys[day];
			dt->changed_keys = it->scd.changed[day];
			break;
		default:
			dt->generated = incr_scheduled(it->frequency, s->start_date, day);
			dt->row_start = 0;
			dt->rows = dt->generated ? it->rows[day] : 0;
			break;
		}
	}
	return 0;
}

int incr_plan_series(struct incr_day **out, struct incr_series *s, int64_t first, int64_t last,
		     struct arena *arena, struct diags *diags)
{
	*out = NULL;
	if (first < 0 || last < first || last >= s->n_days)
		return diag_error(diags, NULL, "internal error: days %lld..%lld are outside the planned horizon of %lld days",
				  (long long)first, (long long)last, (long long)s->n_days);
	*out = arena_calloc(arena, (size_t)(last - first + 1), sizeof(**out));
	for (int64_t d = first; d <= last; d++)
		if (incr_plan_day(&(*out)[d - first], s, d, arena, diags))
			return -1;
	return 0;
}

int incr_day_plan(struct plan *out, const struct incr_series *s, const struct incr_day *day,
		  struct arena *arena)
{
	const struct plan *base = s->plan;
	*out = *base;
	out->hooks = NULL;
	out->tables = arena_calloc(arena, base->n_tables ? base->n_tables : 1, sizeof(*out->tables));
	for (size_t i = 0; i < base->n_tables; i++) {
		const struct incr_day_table *dt = &day->tables[i];
		struct plan_table *pt = &out->tables[i];
		*pt = base->tables[i];
		pt->rows = dt->rows;
		pt->row_start = dt->row_start;
		pt->parent_rows = dt->parent_rows;
		pt->selected = base->tables[i].selected && dt->generated;
	}
	return 0;
}

int incr_batches(struct incr_batch **out, size_t *n_out, int64_t first, int64_t last,
		 int64_t batch_days, struct arena *arena)
{
	size_t n;
	if (last < first || batch_days < 1) {
		*out = NULL;
		*n_out = 0;
		return -1;
	}
	n = (size_t)((last - first) / batch_days + 1);
	*out = arena_calloc(arena, n, sizeof(**out));
	for (size_t i = 0; i < n; i++) {
		(*out)[i].first = first + (int64_t)i * batch_days;
		(*out)[i].last = (*out)[i].first + batch_days - 1 < last ? (*out)[i].first + batch_days - 1 : last;
	}
	*n_out = n;
	return 0;
}

/* ---------- text and JSON ---------- */

static const char *day_kind(const struct incr_table *it)
{
	if (it->type == TABLE_SCD2 && it->child)
		return "slowly_changing_dimension, child: delivered as a snapshot of its rows";
	return incr_table_type_name(it->type);
}

void incr_day_format_text(struct strbuf *sb, const struct incr_series *s, const struct incr_day *day)
{
	strbuf_addstr(sb, "day ");
	add_date(sb, day->date);
	strbuf_addf(sb, " (day %lld since start_date ", (long long)day->day);
	add_date(sb, s->start_date);
	strbuf_addstr(sb, ", weight ");
	strbuf_addf(sb, "%.6g)\n", s->weight[day->day]);
	for (size_t i = 0; i < day->n_tables; i++) {
		const struct incr_day_table *dt = &day->tables[i];
		const struct incr_table *it = &s->tables[i];
		strbuf_addf(sb, "  %s (%s", dt->table->name, day_kind(it));
		if (it->type != TABLE_INCREMENTAL)
			strbuf_addf(sb, ", %s", incr_frequency_name(it->frequency));
		strbuf_addstr(sb, "): ");
		if (!dt->generated) {
			strbuf_addstr(sb, "not written on this day\n");
			continue;
		}
		strbuf_addf(sb, "%lld rows", (long long)dt->rows);
		if (it->child)
			strbuf_addf(sb, " (children of %s rows %lld..%lld)", dt->table->parent->name,
				    (long long)dt->row_start, (long long)(dt->row_start + dt->parent_rows - 1));
		else if (it->versioned)
			strbuf_addf(sb, " (%lld keys, %lld new, %lld changed today; versions of days 0..%lld)",
				    (long long)dt->keys, (long long)dt->new_keys, (long long)dt->changed_keys,
				    (long long)day->day);
		else if (it->type == TABLE_INCREMENTAL && dt->rows > 0)
			strbuf_addf(sb, " (row counters %lld..%lld)", (long long)dt->row_start,
				    (long long)(dt->row_start + dt->rows - 1));
		strbuf_addch(sb, '\n');
	}
}

/* ---------- lowering ---------- */

/*
 * The lowering hooks (plan.h) of a series: every day-dependent quantity of
 * a row is read from constant tables indexed by the row's own day, so the
 * programs hold for every day of the horizon.
 */

struct lw_table {
	/* constant tables, made on first use */
	struct ir_table *cum_f, *size_f, *rows_i, *off_i, *cum_i, *deliv_i, *last_i;
	struct ir_table *vend_f, *voff_i, *new_i, *kprev_i, *kb_i, *a_i, *c_i, *ainv_i;
	struct ir_node *birth;  /* the day of this table's own rows (ROW, or the key R) */
	/* versioned dimensions */
	struct ir_node *isv, *r, *vday, *vblk, *asof, *vrow, *from, *to, *current;
};

struct lw {
	const struct incr_series *s;
	struct arena *arena;
	struct plan plan;
	struct plan_lower_hooks hooks;
	struct lw_table *t;
};

static struct ir_node *nd(struct lw *w, enum ir_op op, enum ir_type type, size_t n, ...)
{
	struct ir_node *x = arena_calloc(w->arena, 1, sizeof(*x));
	va_list ap;
	x->op = op;
	x->type = type;
	x->n_args = n;
	x->args = n ? arena_calloc(w->arena, n, sizeof(*x->args)) : NULL;
	va_start(ap, n);
	for (size_t i = 0; i < n; i++) {
		x->args[i] = va_arg(ap, struct ir_node *);
		if (x->args[i]->transcendental)
			x->transcendental = true;
	}
	va_end(ap);
	return x;
}

static struct ir_node *k64(struct lw *w, int64_t v)
{
	struct ir_node *x = nd(w, IR_CONST, IR_T_I64, 0);
	x->value.kind = VAL_INT;
	x->value.i = v;
	return x;
}

static struct ir_node *kbool(struct lw *w, bool b)
{
	struct ir_node *x = nd(w, IR_CONST, IR_T_BOOL, 0);
	x->value.kind = VAL_BOOL;
	x->value.b = b;
	return x;
}

static struct ir_node *row_node(struct lw *w)
{
	return nd(w, IR_ROW, IR_T_I64, 0);
}

#define ADD(a, b) nd(w, IR_ADD, IR_T_I64, 2, (a), (b))
#define SUB(a, b) nd(w, IR_SUB, IR_T_I64, 2, (a), (b))
#define MUL(a, b) nd(w, IR_MUL, IR_T_I64, 2, (a), (b))
#define IDIV(a, b) nd(w, IR_IDIV, IR_T_I64, 2, (a), (b))
#define PMOD(a, b) nd(w, IR_MOD, IR_T_I64, 2, (a), (b))
#define CMP(op, a, b) nd(w, (op), IR_T_BOOL, 2, (a), (b))
#define AND(a, b) nd(w, IR_AND, IR_T_BOOL, 2, (a), (b))
#define IF(c, a, b) nd(w, IR_IF, (a)->type, 3, (c), (a), (b))
#define GREATEST0(a) nd(w, IR_GREATEST, IR_T_I64, 2, (a), k64(w, 0))
#define TO(t, a) cast_to(w, (a), (t))

static struct ir_node *cast_to(struct lw *w, struct ir_node *a, enum ir_type t)
{
	return a->type == t ? a : nd(w, IR_CAST, t, 1, a);
}

static struct ir_table *new_tab(struct lw *w, const struct table *t, const char *what, enum ir_type elem,
				size_t n)
{
	struct ir_table *tb = arena_calloc(w->arena, 1, sizeof(*tb));
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "incr_%s_%s", t->name, what);
	tb->name = arena_strdup(w->arena, sb.buf);
	strbuf_release(&sb);
	tb->elem = elem;
	tb->n = n ? n : 1;
	if (elem == IR_T_F64)
		tb->f64 = arena_calloc(w->arena, tb->n, sizeof(double));
	else
		tb->i64 = arena_calloc(w->arena, tb->n, sizeof(int64_t));
	return tb;
}

/* A per-day table of table t: v(d) for d in [0, n_days). */
static struct ir_table *day_tab(struct lw *w, struct ir_table **slot, const struct incr_table *it,
				const char *what, enum ir_type elem, int64_t (*v)(const struct incr_table *, int64_t))
{
	if (!*slot) {
		int64_t n = w->s->n_days;
		*slot = new_tab(w, it->table, what, elem, (size_t)n);
		for (int64_t d = 0; d < n; d++) {
			if (elem == IR_T_F64)
				(*slot)->f64[d] = (double)v(it, d);
			else
				(*slot)->i64[d] = v(it, d);
		}
	}
	return *slot;
}

static int64_t v_rows(const struct incr_table *it, int64_t d) { return it->rows[d]; }
static int64_t v_off(const struct incr_table *it, int64_t d) { return it->offset[d]; }
static int64_t v_cum(const struct incr_table *it, int64_t d) { return it->offset[d] + it->rows[d]; }
static int64_t v_deliv(const struct incr_table *it, int64_t d) { return it->rows[it->last[d]]; }
static int64_t v_last(const struct incr_table *it, int64_t d) { return it->last[d]; }
static int64_t v_vend(const struct incr_table *it, int64_t d) { return it->scd.versions_end[d]; }
static int64_t v_voff(const struct incr_table *it, int64_t d) { return d ? it->scd.versions_end[d - 1] : 0; }
static int64_t v_new(const struct incr_table *it, int64_t d) { return it->scd.new_keys[d]; }
static int64_t v_kprev(const struct incr_table *it, int64_t d) { return d ? it->rows[d - 1] : 0; }

/* A per-block table of a versioned dimension. */
static struct ir_table *block_tab(struct lw *w, struct ir_table **slot, const struct incr_table *it,
				  const char *what, const int64_t *v)
{
	if (!*slot) {
		*slot = new_tab(w, it->table, what, IR_T_I64, (size_t)it->scd.n_blocks);
		memcpy((*slot)->i64, v, (size_t)it->scd.n_blocks * sizeof(int64_t));
	}
	return *slot;
}

static struct ir_node *element(struct lw *w, struct ir_table *tb, struct ir_node *idx)
{
	struct ir_node *x = nd(w, IR_ELEMENT, tb->elem, 1, idx);
	x->table = tb;
	return x;
}

/* t[idx], or the constant when every entry is the same. */
static struct ir_node *lookup(struct lw *w, struct ir_table *tb, struct ir_node *idx)
{
	bool same = true;
	for (size_t i = 1; i < tb->n && same; i++)
		same = tb->i64[i] == tb->i64[0];
	return same ? k64(w, tb->i64[0]) : element(w, tb, idx);
}

/* First i with x < t[i] (else the last), x an I64 below 2^53. */
static struct ir_node *search(struct lw *w, struct ir_table *tb, struct ir_node *x)
{
	struct ir_node *n = nd(w, IR_SEARCH_CUM, IR_T_I64, 1, TO(IR_T_F64, x));
	n->table = tb;
	return n;
}

static struct ir_node *hash_node(struct lw *w, int64_t seed, struct ir_node *r, bool has_k, int64_t k)
{
	struct ir_node *n = nd(w, IR_HASH, IR_T_I64, 1, r);
	n->seed = seed;
	n->has_k = has_k;
	n->k = k;
	return n;
}

static struct ir_node *int_range(struct lw *w, struct ir_node *h, int64_t lo, int64_t hi)
{
	struct ir_node *n = nd(w, IR_INT_RANGE, IR_T_I64, 1, h);
	n->lo = lo;
	n->hi = hi;
	return n;
}

static struct ir_node *versioned_r(struct lw *w, size_t ti);

/* The day of row `r` of plain or child table ti (its birth: the day it was added). */
static struct ir_node *birth_of(struct lw *w, size_t ti, struct ir_node *r)
{
	const struct incr_table *it = &w->s->tables[ti];
	struct lw_table *lt = &w->t[ti];
	if (it->child) {
		const struct table *t = it->table;
		return birth_of(w, t->parent->index, IDIV(r, k64(w, t->per_parent_max)));
	}
	if (it->type == TABLE_INCREMENTAL)
		return search(w, day_tab(w, &lt->cum_f, it, "cum_f", IR_T_F64, v_cum), r);
	if (it->growth > 0 && w->s->n_days > 1)
		return search(w, day_tab(w, &lt->size_f, it, "size_f", IR_T_F64, v_rows), r);
	return k64(w, 0);
}

/* The day of the current rows of table ti (cached). */
static struct ir_node *own_birth(struct lw *w, size_t ti)
{
	struct lw_table *lt = &w->t[ti];
	if (!lt->birth)
		lt->birth = birth_of(w, ti, w->s->tables[ti].versioned ? versioned_r(w, ti) : row_node(w));
	return lt->birth;
}

static bool tracked(const struct column *c)
{
	const struct table *t = c->table;
	for (size_t i = 0; i < t->n_scd_tracked; i++)
		if (t->scd_tracked[i] == c)
			return true;
	return false;
}

/* ---- versioned dimensions (docs/incremental.md, "Slowly changing dimensions") ---- */

/* perm_b(r) mod B for block index node b: ((A_b (r mod K_b) + C_b) mod K_b) mod B */
static struct ir_node *block_offset(struct lw *w, size_t ti, struct ir_node *b, struct ir_node *r,
				    struct ir_node **kb_out)
{
	const struct incr_table *it = &w->s->tables[ti];
	struct lw_table *lt = &w->t[ti];
	struct ir_node *kb = lookup(w, block_tab(w, &lt->kb_i, it, "block_keys", it->scd.block_keys), b);
	struct ir_node *a = element(w, block_tab(w, &lt->a_i, it, "block_a", it->scd.block_a), b);
	struct ir_node *c = element(w, block_tab(w, &lt->c_i, it, "block_c", it->scd.block_c), b);
	*kb_out = kb;
	return PMOD(PMOD(ADD(MUL(a, PMOD(r, kb)), c), kb), k64(w, it->scd.block_days));
}

static void build_versioned(struct lw *w, size_t ti)
{
	const struct incr_table *it = &w->s->tables[ti];
	struct lw_table *lt = &w->t[ti];
	int64_t B = it->scd.block_days;
	struct ir_node *row = row_node(w), *zero = k64(w, 0), *minus1 = k64(w, -1);
	struct ir_node *isv, *vx, *kx, *s_, *v, *e, *j, *nw, *vnew, *vr, *vblk, *as, *r, *beta, *kday, *kblk;
	struct ir_node *open_end = TO(IR_T_DATE, k64(w, OPEN_END_DATE));

	isv = CMP(IR_GE, row, k64(w, INCR_SCD_ROW_BASE));
	vx = IF(isv, SUB(row, k64(w, INCR_SCD_ROW_BASE)), zero);
	kx = IF(isv, zero, row);
	/* history rows: as_of and version */
	s_ = IDIV(vx, k64(w, INT64_C(1) << INCR_SCD_ASOF_SHIFT));
	v = PMOD(vx, k64(w, INT64_C(1) << INCR_SCD_ASOF_SHIFT));
	e = search(w, day_tab(w, &lt->vend_f, it, "versions_end_f", IR_T_F64, v_vend), v);
	j = SUB(v, element(w, day_tab(w, &lt->voff_i, it, "versions_before", IR_T_I64, v_voff), e));
	nw = element(w, day_tab(w, &lt->new_i, it, "new_keys", IR_T_I64, v_new), e);
	vnew = CMP(IR_LT, j, nw);
	vr = ADD(element(w, day_tab(w, &lt->kprev_i, it, "keys_before", IR_T_I64, v_kprev), e), j);
	vblk = minus1;
	if (B > 0) {
		struct ir_node *em1 = GREATEST0(SUB(e, k64(w, 1))), *b = IDIV(em1, k64(w, B));
		struct ir_node *o = PMOD(em1, k64(w, B)), *x = ADD(o, MUL(GREATEST0(SUB(j, nw)), k64(w, B)));
		struct ir_node *kb = lookup(w, block_tab(w, &lt->kb_i, it, "block_keys", it->scd.block_keys), b);
		struct ir_node *ainv = element(w, block_tab(w, &lt->ainv_i, it, "block_ainv", it->scd.block_ainv), b);
		struct ir_node *c = element(w, block_tab(w, &lt->c_i, it, "block_c", it->scd.block_c), b);
		struct ir_node *rchg = PMOD(MUL(ainv, PMOD(SUB(x, c), kb)), kb);
		vr = IF(vnew, vr, rchg);
		vblk = IF(vnew, minus1, b);
	}
	/* key rows: as_of and key; the version current on as_of */
	as = IDIV(kx, k64(w, INT64_C(1) << INCR_KEY_ASOF_SHIFT));
	r = PMOD(kx, k64(w, INT64_C(1) << INCR_KEY_ASOF_SHIFT));
	beta = it->growth > 0 && w->s->n_days > 1 ? search(w, day_tab(w, &lt->size_f, it, "size_f", IR_T_F64, v_rows), r)
						  : zero;
	kday = beta;
	kblk = minus1;
	if (B > 0) {
		struct ir_node *sm1 = GREATEST0(SUB(as, k64(w, 1))), *bs = IDIV(sm1, k64(w, B));
		struct ir_node *os = PMOD(sm1, k64(w, B)), *bs1 = GREATEST0(SUB(bs, k64(w, 1)));
		struct ir_node *kbs, *kbs1, *off = block_offset(w, ti, bs, r, &kbs);
		struct ir_node *off1 = block_offset(w, ti, bs1, r, &kbs1);
		struct ir_node *started = CMP(IR_GE, as, k64(w, 1));
		struct ir_node *has1 = AND(AND(started, CMP(IR_LT, r, kbs)), CMP(IR_LE, off, os));
		struct ir_node *has2 = AND(AND(started, CMP(IR_GE, bs, k64(w, 1))), CMP(IR_LT, r, kbs1));
		struct ir_node *c1 = ADD(ADD(k64(w, 1), MUL(bs, k64(w, B))), off);
		struct ir_node *c2 = ADD(ADD(k64(w, 1), MUL(bs1, k64(w, B))), off1);
		kday = IF(has1, c1, IF(has2, c2, beta));
		kblk = IF(has1, bs, IF(has2, bs1, minus1));
	}
	lt->isv = isv;
	lt->r = IF(isv, vr, r);
	lt->vday = IF(isv, e, kday);
	lt->vblk = IF(isv, vblk, kblk);
	lt->asof = IF(isv, s_, as);
	lt->vrow = B > 0 ? IF(CMP(IR_LT, lt->vblk, zero), lt->r,
			      ADD(ADD(k64(w, INCR_VERSION_ROW_BASE), MUL(lt->r, k64(w, 65536))), lt->vblk))
			 : lt->r;
	lt->from = TO(IR_T_DATE, ADD(k64(w, w->s->start_date), lt->vday));
	if (B > 0) {
		struct ir_node *nb = IDIV(ADD(lt->vday, k64(w, B - 1)), k64(w, B)), *knb;
		struct ir_node *nc = ADD(ADD(k64(w, 1), MUL(nb, k64(w, B))), block_offset(w, ti, nb, lt->r, &knb));
		lt->current = nd(w, IR_OR, IR_T_BOOL, 2, nd(w, IR_NOT, IR_T_BOOL, 1, isv), CMP(IR_GT, nc, lt->asof));
		lt->to = IF(lt->current, open_end, TO(IR_T_DATE, ADD(k64(w, w->s->start_date - 1), nc)));
	} else {
		lt->current = kbool(w, true);
		lt->to = open_end;
	}
}

static struct ir_node *versioned_r(struct lw *w, size_t ti)
{
	if (!w->t[ti].r)
		build_versioned(w, ti);
	return w->t[ti].r;
}

/* The day that decides what column `col` reads from other tables: its row's day, or its version's. */
static struct ir_node *reader_day(struct lw *w, const struct column *col)
{
	size_t ti = col->table->index;
	if (w->s->tables[ti].versioned && tracked(col)) {
		versioned_r(w, ti);
		return w->t[ti].vday;
	}
	return own_birth(w, ti);
}

/* ---- temporal columns of incremental tables: the row's day ---- */

static bool pinned(const struct column *c)
{
	bool temporal = c->type.kind == TYPE_DATE || c->type.kind == TYPE_TIMESTAMP;
	return c->gen == GEN_DATE || c->gen == GEN_TIMESTAMP || (c->gen == GEN_UNIFORM && temporal);
}

static struct ir_node *pinned_value(struct lw *w, const struct column *col)
{
	size_t ti = col->table->index;
	int64_t cs = w->s->plan->tables[ti].column_seeds[col->index];
	struct ir_node *day = ADD(k64(w, w->s->start_date), own_birth(w, ti));
	struct ir_node *row = row_node(w), *secs;
	const struct temporal_weights *tw = &col->params.temporal;
	if (col->type.kind == TYPE_DATE)
		return TO(IR_T_DATE, day);
	if (col->gen == GEN_TIMESTAMP && tw->has_hourly) {
		struct ir_table *cdf = new_tab(w, col->table, col->name, IR_T_F64, 24);
		struct ir_node *hour;
		long double total = 0, acc = 0;
		struct strbuf sb = STRBUF_INIT;
		strbuf_addf(&sb, "incr_%s_%s_hourly", col->table->name, col->name);
		cdf->name = arena_strdup(w->arena, sb.buf);
		strbuf_release(&sb);
		for (int h = 0; h < 24; h++)
			total += tw->hourly[h];
		for (int h = 0; h < 24; h++) {
			acc += tw->hourly[h];
			cdf->f64[h] = (double)(acc / total);
		}
		cdf->f64[23] = 1.0;
		hour = nd(w, IR_SEARCH_CUM, IR_T_I64, 1, nd(w, IR_UNIT, IR_T_F64, 1, hash_node(w, cs, row, true, 1)));
		hour->table = cdf;
		secs = ADD(ADD(MUL(day, k64(w, 86400)), MUL(hour, k64(w, 3600))),
			   int_range(w, hash_node(w, cs, row, true, 2), 0, 3599));
	} else {
		secs = ADD(MUL(day, k64(w, 86400)), int_range(w, hash_node(w, cs, row, false, 0), 0, 86399));
	}
	return TO(IR_T_TS, secs);
}

/* ---- the hooks ---- */

static struct ir_node *hook_row(void *payload, const struct column *col)
{
	struct lw *w = payload;
	size_t ti = col->table->index;
	if (!w->s->tables[ti].versioned)
		return NULL;
	versioned_r(w, ti);
	return tracked(col) ? w->t[ti].vrow : w->t[ti].r;
}

static struct ir_node *hook_value(void *payload, const struct column *col)
{
	struct lw *w = payload;
	size_t ti = col->table->index;
	const struct incr_table *it = &w->s->tables[ti];
	if (it->versioned && (col == it->effective_from || col == it->effective_to || col == it->is_current)) {
		versioned_r(w, ti);
		return col == it->effective_from ? w->t[ti].from : col == it->effective_to ? w->t[ti].to
											: w->t[ti].current;
	}
	if (it->type == TABLE_INCREMENTAL && pinned(col))
		return pinned_value(w, col);
	return NULL;
}

static int hook_population(void *payload, const struct column *col, const struct table *target,
			   struct plan_population *out)
{
	struct lw *w = payload;
	const struct incr_table *rt = &w->s->tables[target->index];
	struct lw_table *lt = &w->t[target->index];
	struct ir_node *day = reader_day(w, col);
	if (rt->child)
		return 0;
	if (rt->type == TABLE_INCREMENTAL) {
		if (col->table->type == TABLE_INCREMENTAL) {
			out->start = element(w, day_tab(w, &lt->off_i, rt, "offset", IR_T_I64, v_off), day);
			out->size = element(w, day_tab(w, &lt->rows_i, rt, "rows", IR_T_I64, v_rows), day);
			out->base = 0;
		} else {
			out->start = k64(w, 0);
			out->size = element(w, day_tab(w, &lt->cum_i, rt, "cum", IR_T_I64, v_cum), day);
			out->base = v_cum(rt, 0);
		}
		return 1;
	}
	out->start = k64(w, 0);
	out->size = lookup(w, day_tab(w, &lt->deliv_i, rt, "delivered", IR_T_I64, v_deliv), day);
	out->base = v_deliv(rt, 0);
	return 1;
}

static struct ir_node *hook_at_row_index(void *payload, const struct column *col, const struct table *target,
					 struct ir_node *idx)
{
	struct lw *w = payload;
	const struct incr_table *rt = &w->s->tables[target->index];
	struct lw_table *lt = &w->t[target->index];
	struct ir_node *asof;
	if (!rt->versioned)
		return NULL;
	asof = lookup(w, day_tab(w, &lt->last_i, rt, "last_delivery", IR_T_I64, v_last), reader_day(w, col));
	if (asof->op == IR_CONST && asof->value.i == 0)
		return NULL;
	return ADD(idx, MUL(asof, k64(w, INT64_C(1) << INCR_KEY_ASOF_SHIFT)));
}

int incr_lower(struct ir_program **out, const struct incr_series *s, struct refdata_cache *refs,
	       struct arena *arena, struct diags *diags)
{
	struct lw *w = arena_calloc(arena, 1, sizeof(*w));
	for (size_t i = 0; i < s->n_tables; i++) {
		const struct incr_table *it = &s->tables[i];
		if (it->versioned && (!it->effective_from || !it->effective_to || !it->is_current))
			return diag_error(diags, &it->table->loc,
					  "internal error: slowly changing dimension '%s' lacks its system columns (incr_prepare was not called)",
					  it->table->name);
	}
	w->s = s;
	w->arena = arena;
	w->t = arena_calloc(arena, s->n_tables ? s->n_tables : 1, sizeof(*w->t));
	w->plan = *s->plan;
	w->hooks.payload = w;
	w->hooks.row = hook_row;
	w->hooks.value = hook_value;
	w->hooks.population = hook_population;
	w->hooks.at_row_index = hook_at_row_index;
	w->plan.hooks = &w->hooks;
	return ir_lower(out, &w->plan, refs, arena, diags);
}

/* ---------- path formats ---------- */

static const struct {
	const char *name, *pattern;
} path_formats[] = {
	{"nested", "{table}/{yyyy}/{mm}/{dd}"},
	{"nested_daily", "{yyyy}/{mm}/{dd}/{table}"},
	{"nested_monthly", "{yyyy}/{mm}/{table}_{yyyymmdd}"},
	{"nested_yearly", "{yyyy}/{table}_{yyyymmdd}"},
	{"flat", "{table}/{table}_{yyyymmdd}"},
	{"flat_with_date", "{yyyymmdd}_{table}"},
	{"flat_with_date_suffix", "{table}_{yyyymmdd}"},
	{"hive_partitioned", "year={yyyy}/month={mm}/day={dd}/{table}"},
	{"hive_monthly", "year={yyyy}/month={mm}/{table}_{yyyymmdd}"},
	{"iso_week", "{isoyear}/week_{ww}/{table}_{yyyymmdd}"},
	{"quarter_based", "{yyyy}/Q{q}/{table}_{yyyymmdd}"},
};

/* Epoch day of y-m-d. */
static int64_t days_from_civil(int y, int m, int d)
{
	int64_t yy = y - (m <= 2), era = (yy >= 0 ? yy : yy - 399) / 400, yoe = yy - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

/* ISO 8601 week number and its year: the week (Monday first) holding the year's first Thursday is 1. */
static void iso_week(int64_t date, int *year, int *week)
{
	int64_t thursday = date - weekday_of(date) + 3;
	int y, m, d;
	civil_from_days(thursday, &y, &m, &d);
	*year = y;
	*week = (int)((thursday - days_from_civil(y, 1, 1)) / 7 + 1);
}

int incr_path_format(struct strbuf *sb, struct strbuf *why, const char *format, const char *dataset_id,
		     const char *table, int64_t date)
{
	const char *pattern = format;
	bool custom = true, has_table = false, has_y = false, has_m = false, has_d = false, has_day = false;
	int y, m, d, iy, iw;
	civil_from_days(date, &y, &m, &d);
	iso_week(date, &iy, &iw);
	for (size_t i = 0; i < sizeof(path_formats) / sizeof(path_formats[0]); i++)
		if (!strcmp(format, path_formats[i].name)) {
			pattern = path_formats[i].pattern;
			custom = false;
		}
	for (const char *s = pattern; *s;) {
		const char *end;
		size_t n;
		if (*s != '{') {
			strbuf_addch(sb, *s++);
			continue;
		}
		end = strchr(s, '}');
		if (!end) {
			strbuf_addf(why, "unclosed '{' in the pattern '%s'", pattern);
			return -1;
		}
		n = (size_t)(end - s - 1);
#define IS(name) (n == strlen(name) && !strncmp(s + 1, name, n))
		if (IS("table")) {
			strbuf_addstr(sb, table);
			has_table = true;
		} else if (IS("dataset_id")) {
			strbuf_addstr(sb, dataset_id);
		} else if (IS("yyyy")) {
			strbuf_addf(sb, "%04d", y);
			has_y = true;
		} else if (IS("mm")) {
			strbuf_addf(sb, "%02d", m);
			has_m = true;
		} else if (IS("dd")) {
			strbuf_addf(sb, "%02d", d);
			has_d = true;
		} else if (IS("yyyymmdd")) {
			strbuf_addf(sb, "%04d%02d%02d", y, m, d);
			has_day = true;
		} else if (IS("date")) {
			strbuf_addf(sb, "%04d-%02d-%02d", y, m, d);
			has_day = true;
		} else if (IS("ww")) {
			strbuf_addf(sb, "%02d", iw);
		} else if (IS("isoyear") && !custom) {
			strbuf_addf(sb, "%04d", iy);
		} else if (IS("q")) {
			strbuf_addf(sb, "%d", (m - 1) / 3 + 1);
		} else {
			strbuf_addf(why, "unknown placeholder '{%.*s}' in the path pattern '%s' (expected {table}, {dataset_id}, {yyyy}, {mm}, {dd}, {yyyymmdd}, {ww}, {q} or {date})",
				    (int)n, s + 1, pattern);
			return -1;
		}
#undef IS
		s = end + 1;
	}
	if (!has_table) {
		strbuf_addf(why, "the path pattern '%s' has no {table} (tables would overwrite each other)", pattern);
		return -1;
	}
	if (!has_day && !(has_y && has_m && has_d)) {
		strbuf_addf(why, "the path pattern '%s' does not name the day (use {yyyymmdd}, {date}, or {yyyy}, {mm} and {dd}), so days would overwrite each other",
			    pattern);
		return -1;
	}
	if (sb->len && (sb->buf[0] == '/' || strstr(sb->buf, ".."))) {
		strbuf_addf(why, "the path pattern '%s' must give a relative folder without '..'", pattern);
		return -1;
	}
	return 0;
}
