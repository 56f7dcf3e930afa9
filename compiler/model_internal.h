/*
 * model_internal: what model.c (building tables and columns from the config
 * tree) shares with validate.c (the checks that need the whole dataset:
 * names across tables, expressions, cycles, relationships, incremental).
 * Private to those two files.
 */
#ifndef INGEN_MODEL_INTERNAL_H
#define INGEN_MODEL_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "cfg.h"
#include "diag.h"
#include "model.h"

struct arena;
struct strbuf;

/* Config nodes whose meaning depends on other tables, kept for validate.c. */
struct col_pending {
	const struct cfg_node *node;       /* the column's map, or its shorthand scalar */
	const struct cfg_node *references; /* reference: the 'references' value */
	const struct cfg_node *from;       /* email, full_name: the 'from' value */
	bool type_missing;                 /* reference without 'type': taken from the target */
	bool type_bad;                     /* the type was wrong: skip checks that need it */
	bool bad;                          /* generator unknown or unusable: skip dependants */
	bool resolving;                    /* guard while inheriting a reference type */
};

struct table_pending {
	const struct cfg_node *node;
	const struct cfg_node *parent;            /* the 'parent' value */
	const struct cfg_node *primary_key;
	const struct cfg_node *partition_columns;
	struct col_pending *cols;                 /* by column index */
};

struct model_ctx {
	struct arena *arena;
	struct diags *diags;
	const struct cfg_node *root;
	struct dataset *ds;
	struct table_pending *tables; /* by table index */
	const struct cfg_node *output;
	const struct cfg_node *relationships;
	const struct cfg_node *incremental;
};

/* validate.c: everything that needs the whole dataset.  Records diagnostics. */
void model_validate(struct model_ctx *ctx);

/* Scalar readers shared by both files.  Each records one error and returns -1. */
bool mi_is_null(const struct cfg_node *n);
void mi_describe(struct strbuf *sb, const struct cfg_node *n);
int mi_number(struct model_ctx *ctx, double *out, const struct cfg_node *n, const char *what);
int mi_integer(struct model_ctx *ctx, int64_t *out, const struct cfg_node *n, const char *what);
int mi_string(struct model_ctx *ctx, const char **out, const struct cfg_node *n, const char *what);
int mi_bool(struct model_ctx *ctx, bool *out, const struct cfg_node *n, const char *what);
int mi_date(struct model_ctx *ctx, int64_t *days, const struct cfg_node *n, const char *what);
int mi_probability(struct model_ctx *ctx, double *out, const struct cfg_node *n, const char *what);
/* `n` must be a map / list; otherwise an error naming `what` and `expected`. */
int mi_want(struct model_ctx *ctx, const struct cfg_node *n, enum cfg_kind kind, const char *what,
	    const char *expected);
/* Unknown keys of `map` (not in `allowed`) are errors: "unknown key 'x' in <scope>". */
void mi_check_keys(struct model_ctx *ctx, const struct cfg_node *map,
		   const char *const *allowed, size_t n_allowed, const char *scope);
/* One of `names` (n of them); an error with a suggestion otherwise.  Returns the index or -1. */
int mi_enum(struct model_ctx *ctx, const struct cfg_node *n, const char *what,
	    const char *const *names, size_t n_names);
/* Weekday and seasonal weights (shared by date/timestamp generators and `incremental`). */
int mi_weekday(struct model_ctx *ctx, double weekday[7], const struct cfg_node *n);
int mi_seasonal(struct model_ctx *ctx, struct seasonal_period **out, size_t *n_out,
		const struct cfg_node *n);

/* "did you mean" helpers over tables and columns. */
struct table *mi_find_table(struct model_ctx *ctx, const char *name, const struct src_loc *loc,
			    const char *context);
struct column *mi_find_column(struct model_ctx *ctx, const struct table *t, const char *name,
			      const struct src_loc *loc, const char *context);

/* Days since 1970-01-01 of a proleptic Gregorian date. */
int64_t mi_days_from_civil(int y, int m, int d);

#endif
