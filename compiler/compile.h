/*
 * compile: one dataset to notebooks and DDL under the output root (the work
 * of the `compile` and `generate` commands; see compile.c).
 */
#ifndef INGEN_COMPILE_H
#define INGEN_COMPILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "plan.h"
#include "template.h"

struct arena;
struct dataset;
struct strbuf;

struct compile_request {
	const char *dataset;              /* id or path */
	const char *const *datasets_dirs;
	size_t n_datasets_dirs;
	struct plan_options plan_options;
	struct template_env templates;
	const char *root;                 /* output root */
	bool warehouse;
	const char *output_mode;          /* table | parquet | csv */
	const char *path_pattern;         /* NULL: the default layout */
	bool notebook;                    /* write the notebook */
	bool ddl;                         /* write the DDL scripts */
};

struct compile_result {
	const char *dataset_id;
	const char *notebook_name;        /* NULL when no notebook was written */
	enum gen_mode mode;
	int64_t target_rows;
	size_t n_files;
	const char **files;               /* relative to the root, in writing order */
};

#define COMPILE_EIO (-2)

/*
 * Returns 0; -1 with diagnostics for a config error (unknown dataset,
 * invalid config, template error); COMPILE_EIO when writing failed.
 * Nothing is written unless every step before writing succeeded.
 */
int compile_dataset(struct compile_result *res, const struct compile_request *req, struct arena *arena,
		    struct diags *diags);

/*
 * synthetic_data_<id>_<small|large>_<mode> (the upstream naming, > 1,000,000 rows is large),
 * with a _warehouse suffix for warehouse targets so both can live in one workspace.
 */
void compile_notebook_name(struct strbuf *sb, const struct dataset *ds, const struct plan *plan, bool warehouse);
/* The .platform file of a notebook item (Fabric git format, two-space JSON). */
void compile_platform_json(struct strbuf *sb, const char *name, const char *description);
/* A stable UUID derived from the notebook name (the .platform logicalId). */
void compile_logical_id(struct strbuf *sb, const char *name);

#endif
