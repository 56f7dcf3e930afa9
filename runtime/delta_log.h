/*
 * delta_log: the transaction log of a Delta table (protocol 1/2), written
 * beside Parquet files made by parquet.h.
 *
 * A table is a directory: data files (under `col=value/` directories when
 * partitioned; partition columns are not stored in the files) and
 * `_delta_log/<20-digit version>.json`, one JSON action per line.  Version 0
 * holds commitInfo, protocol {1, 2}, metaData (id, Spark StructType schema,
 * partitionColumns, configuration {}, createdTime) and the add actions; a
 * later version (an append) holds commitInfo and add actions.  Every add
 * carries partitionValues (strings, null for null) and stats
 * {numRecords, minValues, maxValues, nullCount}.
 *
 * A version file is written completely under a temporary name in
 * `_delta_log/` and then hard-linked to its final name, which fails if the
 * name exists (put-if-absent; where hard links are unsupported it falls back
 * to O_EXCL creation): of two concurrent writers of one version exactly one
 * wins.  An append that loses retries with the next version (appends are
 * blind and never conflict); a create that finds the table existing fails.
 *
 * Nothing here holds global state; errors go to `diags` as
 * "cannot write delta log of '<dir>': <reason>".
 */
#ifndef INGEN_DELTA_LOG_H
#define INGEN_DELTA_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parquet.h"

struct diags;
struct strbuf;

struct delta_table_meta {
	const char *id;          /* the table id (a UUID); NULL: derived from the table path */
	const char *name;        /* metaData.name; NULL leaves it out */
	const char *description; /* metaData.description; NULL leaves it out */
	/* Every column of the table in order, partition columns included. */
	const struct pq_column_spec *columns;
	size_t n_columns;
	/* Names of partition columns (each one of `columns`), outermost first. */
	const char *const *partition_columns;
	size_t n_partition_columns;
	int64_t created_time_ms; /* 0: now */
	const char *engine_info; /* commitInfo.engineInfo; NULL: "ingen_fab/0.1.0" */
};

struct delta_add {
	/* Relative to the table directory, '/'-separated, not URI-encoded:
	 * "region=EU/part-00000-<uuid>-c000.snappy.parquet". */
	const char *path;
	/* One per partition column of the meta, in its order; a NULL entry (or
	 * "") is a null value.  NULL when the table is not partitioned. */
	const char *const *partition_values;
	int64_t size;                 /* file bytes */
	int64_t modification_time_ms; /* 0: now */
	const struct pq_file_stats *stats; /* NULL: no stats */
};

/*
 * Writes version 0 of a new table in `table_dir` (created if missing, as is
 * `_delta_log`).  Fails if the table already has a version 0.
 */
int delta_log_create(const char *table_dir, const struct delta_table_meta *meta,
		     const struct delta_add *adds, size_t n_adds, struct diags *diags);

/*
 * Appends the files as the next version (*version_out when not NULL).  When
 * the table has no log yet it is created (version 0) from `meta`; otherwise
 * the columns and partition columns of `meta` must equal those of the
 * table's latest metaData.
 */
int delta_log_append(int64_t *version_out, const char *table_dir,
		     const struct delta_table_meta *meta, const struct delta_add *adds,
		     size_t n_adds, struct diags *diags);

/* The latest version in `table_dir`, or -1 when there is no log. */
int64_t delta_log_latest_version(const char *table_dir);

/* The Spark StructType JSON of the columns (the metaData.schemaString). */
void delta_schema_json(struct strbuf *sb, const struct pq_column_spec *cols, size_t n);

/*
 * Appends "column=value" to `sb` for a partition directory, with the value
 * escaped as Hive and Spark do ('%' + two hex digits for / : = % # ? and
 * the like); NULL or "" gives __HIVE_DEFAULT_PARTITION__.  No trailing '/'.
 */
void delta_partition_dir(struct strbuf *sb, const char *column, const char *value);

/*
 * The partition value string of a typed value as Spark writes it in
 * partitionValues: integers in decimal, booleans true/false, dates
 * yyyy-mm-dd, timestamps "yyyy-mm-dd hh:mm:ss[.ffffff]" (UTC), decimals
 * with `col->scale` digits after the point (the unscaled value in v->i for
 * precision <= 18, else v->i128), strings as they are.
 */
void delta_partition_value(struct strbuf *sb, const struct pq_column_spec *col,
			   const struct pq_value *v);

/*
 * A UUID string (36 chars + NUL) derived from the bytes: a version-4-shaped
 * UUID from XXH3-128, so the same input always gives the same id.
 */
void delta_uuid_from(char out[37], const void *data, size_t len);

/*
 * A Spark-style data file name: "part-<5-digit index>-<uuid>-c000.<codec>.parquet"
 * with the UUID derived from `seed` and the index (codec "snappy", "zstd"; none
 * leaves the codec out).
 */
void delta_part_file_name(struct strbuf *sb, const char *seed, int index, enum pq_codec codec);

/* Proleptic Gregorian civil date of days since 1970-01-01 (exposed for tests). */
void delta_civil_from_days(int64_t days, int64_t *year, int *month, int *day);

/*
 * Committing a table staged by the native runtime (run.h writes a whole
 * table, data files plus version 0) into a table that may already exist:
 * the incremental days of docs/incremental.md.
 *
 * The staged data files are renamed into `table_dir` (partition folders
 * kept) under new names, delta_part_file_name(name_seed, k), and committed
 * as the next version with the staged add actions (stats included), each
 * tagged {"ingen_fab.delivery": tag}:
 *
 *   DELTA_MODE_APPEND     removes the active files tagged with the same
 *                         delivery (a delivery written again replaces its
 *                         rows) and adds the new ones;
 *   DELTA_MODE_OVERWRITE  removes every active file and adds the new ones
 *                         (the table holds only this delivery; the
 *                         history keeps the earlier ones).
 *
 * A table without a log is created (protocol, metaData of the staged
 * table with the id derived from `table_dir`).  Otherwise the columns and
 * partition columns must equal those of the table.  When the files the
 * commit would leave active for the delivery are exactly the active ones
 * already (same names: the same delivery committed before, e.g. by a run
 * killed before it recorded its state), nothing is committed and 1 is
 * returned.  The version is put if absent: when another writer committed
 * it first, the commit fails (no retry: its removes would be stale).
 * The staged folder is left to the caller.
 */
enum delta_write_mode { DELTA_MODE_APPEND, DELTA_MODE_OVERWRITE };

#define DELTA_DELIVERY_TAG "ingen_fab.delivery"

struct delta_staged_commit {
	const char *staged_dir; /* a table written by run.h (only version 0) */
	const char *name_seed;  /* seed of the new data file names */
	const char *tag;        /* the delivery (e.g. the date); NULL: no tag */
	enum delta_write_mode mode;
	const char *engine_info; /* NULL: "ingen_fab/0.1.0" */
};

/* 0 committed (*version_out), 1 already committed (nothing done), -1 error. */
int delta_log_commit_staged(int64_t *version_out, const char *table_dir,
			    const struct delta_staged_commit *c, struct diags *diags);

/*
 * The active files of the table at its latest version, replayed from the
 * JSON commits: an array of add actions (cJSON, to be deleted by the
 * caller) in *out; NULL with a diagnostic when the log cannot be read (a
 * missing version, a checkpoint whose JSON commits were cleaned up).
 */
struct cJSON;
int delta_log_active_files(struct cJSON **out, const char *table_dir, struct diags *diags);

#endif
