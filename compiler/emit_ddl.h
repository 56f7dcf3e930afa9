/*
 * emit_ddl: the DDL scripts of DESIGN section 6, numbered in the order they
 * must run: the package's config and log tables, then the dataset's tables
 * (and, for a warehouse, their keys as NOT ENFORCED constraints).
 *
 *   ddl_scripts/Lakehouses/Config/001_Initial_Creation_SyntheticData/NNN_<table>.sql
 *   ddl_scripts/Lakehouses/<dataset_id>/001_Create_Tables/NNN_<table>.sql
 *   ddl_scripts/Warehouses/Config/001_Initial_Creation_SyntheticData/NNN_....sql
 *   ddl_scripts/Warehouses/<dataset_id>/001_Create_Tables/NNN_<table>.sql, NNN_constraints.sql
 */
#ifndef INGEN_EMIT_DDL_H
#define INGEN_EMIT_DDL_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

struct dataset;
struct emit_set;
struct plan;
struct template_env;

/* Schema of the dataset tables in a warehouse, and of the package's tables. */
#define DDL_WAREHOUSE_SCHEMA "dbo"
#define DDL_CONFIG_SCHEMA "config"

/*
 * Adds the scripts for `warehouse` (true) or lakehouse targets to `out`.
 * `catalog` (the predefined datasets) fills the sample_dataset_configurations
 * seed rows.  Returns 0, or -1 with diagnostics (template errors).
 */
int emit_ddl(struct emit_set *out, const struct dataset *ds, const struct plan *plan,
	     const struct dataset *const *catalog, size_t n_catalog, bool warehouse,
	     const struct template_env *env, struct diags *diags);

#endif
