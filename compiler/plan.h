/*
 * plan: what one run will do, computed from a validated dataset and the
 * command's options: rows per table, the generation mode (auto picks pyspark
 * above 1,000,000 target rows), the effective seed and every column seed of
 * DESIGN section 5, and the chunk size.  The emitters and the runtime read
 * the plan; they never recompute these numbers.
 */
#ifndef INGEN_PLAN_H
#define INGEN_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

struct arena;
struct dataset;
struct table;
struct strbuf;

enum gen_mode { GEN_MODE_AUTO, GEN_MODE_PYTHON, GEN_MODE_PYSPARK };

#define PLAN_AUTO_PYSPARK_ABOVE 1000000

struct plan_options {
	int64_t target_rows;  /* 0: the dataset's */
	double scale_factor;  /* 0: the dataset's */
	bool has_seed;
	int64_t seed;
	enum gen_mode mode;   /* GEN_MODE_AUTO resolves by target rows */
	int64_t chunk_size;   /* 0: the dataset's */
	const char *const *tables; /* subset (--tables), NULL for all */
	size_t n_tables;
};

struct plan_table {
	const struct table *table;
	int64_t rows;         /* exact row count */
	bool selected;        /* written in this run (--tables); parents needed are computed only */
	bool needed;          /* selected, or needed by a selected table (parent, reference) */
	int64_t *column_seeds;/* one per column, by column index */
	int64_t count_seed;   /* child tables: XXH64("<table>.__count", seed) */
};

struct plan {
	const struct dataset *ds;
	int64_t target_rows;
	double scale_factor;
	int64_t seed;
	enum gen_mode mode;   /* never AUTO after plan_build */
	bool mode_was_auto;
	int64_t chunk_size;
	size_t n_tables;
	struct plan_table *tables; /* same order as ds->tables */
};

int plan_build(struct plan *out, const struct dataset *ds, const struct plan_options *opts,
	       struct arena *arena, struct diags *diags);

/* The column seed of DESIGN section 5: XXH64(utf8("<table>.<column>"), seed) as signed. */
int64_t plan_column_seed(int64_t dataset_seed, const char *table, const char *column);

/* Human-readable plan (the --dry-run / validate output). */
void plan_format_text(struct strbuf *sb, const struct plan *p);
/* The same as JSON (--json). */
void plan_format_json(struct strbuf *sb, const struct plan *p);

const char *gen_mode_name(enum gen_mode m);

#endif
