/*
 * incremental: the day model of incremental datasets (docs/incremental.md).
 *
 * A series is planned once for a horizon of days [0, n_days) counted from
 * the dataset's incremental.start_date (incr_series_build): per table and
 * day its row count, the rows of all earlier days (so row counters, and the
 * keys computed from them, never restart), the snapshot schedule, and for
 * slowly changing dimensions the keys and the versions created each day.
 * incr_plan_day() then says what one day writes (which tables, which row
 * range), and incr_day_plan() turns that into a `struct plan` the engines
 * execute.  All numbers are computed here, in C, and written into notebooks
 * as literals; no engine recomputes them.
 *
 * incr_lower() produces the column programs of the whole horizon.  They do
 * not depend on the day being generated: every day-dependent quantity of a
 * row (its day, the keys it may reference, the version of a dimension it
 * reads) is a function of its own row counter through constant tables of
 * this plan.  So one program serves every day of a series, and a day
 * generated alone equals the same day inside a series (the tables of a
 * shorter horizon are a prefix of a longer one's).
 */
#ifndef INGEN_INCREMENTAL_H
#define INGEN_INCREMENTAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

struct arena;
struct diags;
struct plan;
struct ir_program;
struct refdata_cache;
struct strbuf;

/*
 * Row counters of slowly changing dimensions (docs/incremental.md, "Slowly
 * changing dimensions").  Key rows (what references read) are
 * as_of * 2^INCR_KEY_ASOF_SHIFT + key, the key's version current on day
 * as_of; the written history rows are INCR_SCD_ROW_BASE + as_of *
 * 2^INCR_SCD_ASOF_SHIFT + version; changed versions draw their tracked
 * columns at INCR_VERSION_ROW_BASE + key * 2^16 + block.
 */
#define INCR_SCD_ROW_BASE (INT64_C(1) << 62)
#define INCR_SCD_ASOF_SHIFT 36
#define INCR_KEY_ASOF_SHIFT 40
#define INCR_VERSION_ROW_BASE (INT64_C(3) << 61)
#define INCR_MAX_BLOCKS 65536
#define INCR_MAX_SCD_KEYS INT64_C(2147483647)
/* The longest horizon (days from start_date), about 100 years. */
#define INCR_MAX_DAYS 36600

/* The change process of a plain slowly changing dimension. */
struct incr_scd {
	int64_t block_days;     /* B = round(1 / change_probability); 0: never changes */
	int64_t n_blocks;       /* constants below for blocks 0..n_blocks-1 */
	int64_t *block_keys;    /* K_b = keys(b * B) */
	int64_t *block_a, *block_c, *block_ainv; /* perm_b(r) = (A r + C) mod K_b; A * AINV = 1 mod K_b */
	int64_t *new_keys;      /* per day: keys added (day 0: all its keys) */
	int64_t *changed;       /* per day: keys that change */
	int64_t *versions_end;  /* per day: versions created on days 0..d */
	int64_t seed;           /* XXH64("<table>.__scd", seed) */
};

struct incr_table {
	const struct table *table;
	enum table_type type;   /* TABLE_SNAPSHOT, TABLE_INCREMENTAL or TABLE_SCD2 */
	enum snapshot_frequency frequency;
	bool child;             /* rows follow the parent's (parent + per_parent) */
	bool versioned;         /* a plain slowly changing dimension: keys with versions */
	int64_t base_rows;      /* incremental: rows per day before weights; others: rows of day 0 */
	double growth;
	/* per day d of the horizon (plain tables; NULL for child tables) */
	int64_t *rows;          /* incremental: rows of day d; snapshot/SCD2: size (keys) on day d */
	int64_t *offset;        /* incremental: rows of the days before d */
	int64_t *last;          /* snapshot/SCD2: the last scheduled day <= d */
	struct incr_scd scd;
	/* versioned: the system columns (added by incr_prepare or the config's own) */
	const struct column *effective_from, *effective_to, *is_current;
	/* child row counts: sum of counts over parent rows [sum_from, sum_to) */
	int64_t sum_from, sum_to, sum;
};

struct incr_series {
	const struct plan *plan;
	const struct dataset *ds;
	int64_t start_date;     /* epoch day of day 0 */
	int64_t n_days;         /* the horizon: days 0..n_days-1 */
	double *weight;         /* daily volume weight w(day) */
	size_t n_tables;
	struct incr_table *tables; /* plan order */
};

/* What one day writes, per table (plan order). */
struct incr_day_table {
	const struct table *table;
	bool generated;         /* written on this day (a scheduled snapshot; incremental: always) */
	int64_t row_start;      /* plain: first row counter; child: first parent row */
	int64_t rows;           /* rows written (0 when not generated) */
	int64_t parent_rows;    /* child tables: parent rows [row_start, row_start + parent_rows) */
	/* versioned slowly changing dimensions */
	int64_t keys;           /* keys existing on the day */
	int64_t new_keys;       /* keys added on the day */
	int64_t changed_keys;   /* keys with a new version on the day */
};

struct incr_day {
	int64_t day;            /* days since start_date */
	int64_t date;           /* epoch day */
	size_t n_tables;
	struct incr_day_table *tables;
};

/* A batch of a series: days [first, last] (day indices). */
struct incr_batch {
	int64_t first, last;
};

/*
 * Adds the system columns effective_from (date), effective_to (date) and
 * is_current (boolean) to every plain slowly changing dimension that does
 * not define them, before the dataset is planned.  Their config-level
 * values (what a plain `generate` of the dataset writes) are the start
 * date, 9999-12-31 and true.  A column of that name with another type is
 * an error.  Returns 0 or -1 with diagnostics.
 */
int incr_prepare(struct dataset *ds, struct arena *arena, struct diags *diags);

/*
 * Plans days [0, n_days) of the plan's (incremental) dataset.  Returns 0,
 * or -1 with diagnostics: a dataset without an incremental section,
 * combinations the model cannot generate (an incremental child of a
 * snapshot, `rows_per_day` of a child table, a shrinking dimension, a
 * tracked key), or counts beyond the limits.
 */
int incr_series_build(struct incr_series *out, const struct plan *plan, int64_t n_days,
		      struct arena *arena, struct diags *diags);

/* What day `day` (0 <= day < s->n_days) writes.  Child row counts are summed here. */
int incr_plan_day(struct incr_day *out, struct incr_series *s, int64_t day, struct arena *arena,
		  struct diags *diags);

/* Days [first, last] (day indices within the horizon), in order: *out has last - first + 1 days. */
int incr_plan_series(struct incr_day **out, struct incr_series *s, int64_t first, int64_t last,
		     struct arena *arena, struct diags *diags);

/*
 * The plan the engines execute for one day: `base` with every table's rows,
 * row_start and parent_rows of the day, `selected` only for the tables
 * written that day, and the lowering hooks of `s` (see incr_lower).
 */
int incr_day_plan(struct plan *out, const struct incr_series *s, const struct incr_day *day,
		  struct arena *arena);

/*
 * The column programs of every table for the whole horizon (plan order).
 * `refs` must outlive the programs.  Returns 0 or -1 with diagnostics.
 */
int incr_lower(struct ir_program **out, const struct incr_series *s, struct refdata_cache *refs,
	       struct arena *arena, struct diags *diags);

/* Days [first, last] cut into batches of at most batch_days days. */
int incr_batches(struct incr_batch **out, size_t *n_out, int64_t first, int64_t last,
		 int64_t batch_days, struct arena *arena);

/*
 * The folder, relative to Files/synthetic_data/<dataset_id>/<format>/, of
 * table `table` written on epoch day `date` under path format `format` (a
 * name of cli_path_format_names or a custom pattern with {placeholders};
 * docs/incremental.md, "Files").  Returns 0, or -1 with a reason in `why`
 * for a custom pattern without {table} or without a day ({yyyymmdd},
 * {date}, or {yyyy}, {mm} and {dd}), or an unknown placeholder.
 */
int incr_path_format(struct strbuf *sb, struct strbuf *why, const char *format, const char *dataset_id,
		     const char *table, int64_t date);

/* ---- the definitions, exposed for tests and the docs ---- */

/* w(date) = weekday[dow] * the multipliers of the seasonal periods covering date, in config order. */
double incr_day_weight(const struct incremental *inc, int64_t date);
/* (1 + g)^d by binary exponentiation (docs/incremental.md, "Growth"). */
double incr_growth_factor(double g, int64_t d);
/* Is day d (date = start + d) a scheduled delivery of a table with this frequency? */
bool incr_scheduled(enum snapshot_frequency f, int64_t start_date, int64_t d);
/* The block length B of a change probability (0 for p = 0). */
int64_t incr_block_days(double p);

/* The day's plan as text (the --dry-run of generate-incremental). */
void incr_day_format_text(struct strbuf *sb, const struct incr_series *s, const struct incr_day *day);

const char *incr_table_type_name(enum table_type t);
const char *incr_frequency_name(enum snapshot_frequency f);

#endif
