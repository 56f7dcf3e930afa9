/*
 * refdata: the reference tables of datasets/reference/ (names with
 * frequencies, places, streets, companies, products, words), loaded from the
 * copies embedded in the binary into immutable in-memory tables.
 *
 * A table file is UTF-8 text, one row per LF-terminated line, cells separated
 * by TAB, no quoting.  The first line names the columns.  A column named
 * `weight` makes the table weighted: its cells are positive decimal numbers,
 * and `cumulative[i]` is (w[0] + ... + w[i]) / total, summed left to right as
 * DESIGN section 5's `choice` rule does (the last entry is exactly 1).
 * datasets/reference/README.md describes each table and its source.
 *
 * Picking a row from a uniform u in [0, 1):
 *   - weighted:   the first row whose cumulative weight exceeds u, the last
 *                 row if none does;
 *   - unweighted: floor(u * n_rows), capped at n_rows - 1 (the integer rule
 *                 of DESIGN section 5 with lo = 0, hi = n_rows - 1).
 *
 * Weighted tables also carry Walker's alias table (built with Vose's method,
 * deterministically), which docs/samplers.md uses for reference-data picks:
 * i = floor(u * n_rows) as above, then row i if u1 < alias_prob[i], else
 * alias_idx[i].  Both tables describe the same distribution: row i has
 * probability weight[i] / total either way.
 *
 * Tables are looked up by name ("last_names" for
 * datasets/reference/last_names.tsv).  A `struct refdata_cache` that the
 * caller owns loads each table once; there are no hidden globals.  Loading is
 * not thread-safe, reading is: load every table a run needs before starting
 * worker threads.
 */
#ifndef INGEN_REFDATA_H
#define INGEN_REFDATA_H

#include <stddef.h>
#include <stdint.h>

struct diags;

struct refdata_table {
	const char *name;        /* "last_names" */
	const char *path;        /* "datasets/reference/last_names.tsv" */
	size_t n_rows, n_cols;
	const char **col_names;  /* n_cols */
	const char **cells;      /* n_rows * n_cols, row-major, never NULL or empty */
	int weight_col;          /* index of the `weight` column, -1 when unweighted */
	double *cumulative;      /* n_rows, non-decreasing, last == 1.0; NULL when unweighted */
	double *alias_prob;      /* n_rows, in [0, 1]; NULL when unweighted */
	int64_t *alias_idx;      /* n_rows, row indices; NULL when unweighted */
	char *storage;           /* private: the text the strings point into */
};

/*
 * Loads the embedded table `name` (letters, digits and '_').  Returns 0, or
 * -1 with an error in `diags` (unknown table, with a "did you mean"; a
 * malformed file, at its line).
 */
int refdata_load(struct refdata_table **out, const char *name, struct diags *diags);

/*
 * Parses table text (`len` bytes, need not be NUL-terminated).  `path` is
 * used in diagnostic locations and must outlive the table.  Returns 0, or -1
 * with an error in `diags`.
 */
int refdata_parse(struct refdata_table **out, const char *name, const char *path,
		  const char *text, size_t len, struct diags *diags);

void refdata_free(struct refdata_table *t);

/* The row for a uniform u in [0, 1) (see the rule above).  n_rows >= 1. */
size_t refdata_pick(const struct refdata_table *t, double u);

/*
 * The row for the alias rule: i = floor(u * n_rows) (capped), then i when
 * u1 < alias_prob[i], else alias_idx[i].  Unweighted tables return i.
 */
size_t refdata_pick_alias(const struct refdata_table *t, double u, double u1);

/* The index of column `col_name`, or -1. */
int refdata_column(const struct refdata_table *t, const char *col_name);

static inline const char *refdata_cell(const struct refdata_table *t, size_t row, size_t col)
{
	return t->cells[row * t->n_cols + col];
}

/*
 * The names of the embedded tables in path order, as one malloc'd block (a
 * NULL-terminated array of pointers followed by the strings): free() it.
 * Sets *n_out to the count.
 */
char **refdata_names(size_t *n_out);

/* Tables loaded on first use and kept until refdata_cache_release(). */
struct refdata_cache {
	struct refdata_table **tables;
	size_t n, alloc;
};

#define REFDATA_CACHE_INIT { NULL, 0, 0 }

void refdata_cache_init(struct refdata_cache *c);
void refdata_cache_release(struct refdata_cache *c);

/* The table `name`, loaded into the cache on first use.  Returns 0 or -1. */
int refdata_get(const struct refdata_table **out, struct refdata_cache *c, const char *name,
		struct diags *diags);

#endif
