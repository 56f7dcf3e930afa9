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
struct column;
struct strbuf;
struct ir_node;

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
	/*
	 * The rows this run generates: a plain table's row counters
	 * [row_start, row_start + rows); a child table's are the children of
	 * parent rows [row_start, row_start + parent_rows).  plan_build sets
	 * row_start = 0 and, for child tables, parent_rows = the parent's rows;
	 * an incremental day (incremental.h) moves them.
	 */
	int64_t row_start;
	int64_t parent_rows;
};

/*
 * The rows a pick (a `reference`, or an expression reading a referenced
 * table) chooses from, given by lowering hooks: [start, start + size) as I64
 * nodes; `base` is the size the static sampler is built for (the zipf rank
 * table and its permutation), 0 to pick uniformly whatever the config says.
 */
struct plan_population {
	struct ir_node *start, *size;
	int64_t base;
};

/*
 * Overrides of the lowering (lower.c), set by incremental days
 * (incremental.h); NULL in a plain plan.  Each callback may be NULL or
 * return NULL / 0 for "as usual".  The nodes returned are shared DAG nodes;
 * lower.c registers the constant tables they use with each program.
 */
struct plan_lower_hooks {
	void *payload;
	/* the row counter the draws, sequences and row_index of `col` read (default ROW) */
	struct ir_node *(*row)(void *payload, const struct column *col);
	/* the whole value of `col`, before its varchar cut and NULL draw */
	struct ir_node *(*value)(void *payload, const struct column *col);
	/* the rows `col` picks from in plain table `target`; 1 when set */
	int (*population)(void *payload, const struct column *col, const struct table *target,
			  struct plan_population *out);
	/* the row at which `col` reads table `target` (a reference's picked row `idx`) */
	struct ir_node *(*at_row_index)(void *payload, const struct column *col,
					const struct table *target, struct ir_node *idx);
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
	const struct plan_lower_hooks *hooks; /* NULL except for incremental days */
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
