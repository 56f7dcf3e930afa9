/*
 * context: the template context (a cJSON tree) describing a dataset and its
 * plan, shared by the DDL and notebook emitters: dataset settings, and per
 * table its rows, columns (with their Spark and Fabric Warehouse T-SQL types,
 * nullability, keys), partition columns and foreign keys.  64-bit numbers
 * that a double cannot hold are raw items, printed verbatim.
 */
#ifndef INGEN_CONTEXT_H
#define INGEN_CONTEXT_H

#include <stdint.h>

struct cJSON;
struct dataset;
struct plan;
struct col_type;
struct strbuf;

/* A new object {"dataset": {...}, "tables": [...]}; the caller deletes it. */
struct cJSON *context_dataset(const struct dataset *ds, const struct plan *plan);

/* The short catalogue row used by the package's seed tables. */
struct cJSON *context_catalog_entry(const struct dataset *ds);

/* Fabric Warehouse T-SQL spelling of a column type: BIGINT, VARCHAR(8000), DATETIME2(6), ... */
void context_tsql_type(struct strbuf *sb, const struct col_type *t);

/* A cJSON raw item holding the decimal text of v. */
struct cJSON *context_int64(int64_t v);

#endif
