/*
 * log_table: the package's run log as a Delta table, appended by every
 * native run (generate --execute, generate-incremental and generate-series
 * with --execute) at <lakehouse>/Tables/log_synthetic_data_generation,
 * with the columns of templates/ddl/lakehouse/log_synthetic_data_generation.sql.j2
 * (docs/output-layout.md, "The log table").
 *
 * A run collects its rows (one per table written, per day for the
 * incremental commands, and one row for the run itself with table_name
 * NULL and execution_step 'run') and appends them as one Parquet file and
 * one Delta commit at its end, whatever its outcome: the run row says
 * 'completed', 'failed' or 'interrupted'.  job_id is one UUID per run,
 * log_id one per row.
 */
#ifndef INGEN_LOG_TABLE_H
#define INGEN_LOG_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct diags;

#define LOG_TABLE_NAME "log_synthetic_data_generation"
#define LOG_NO_DATE INT64_MIN

struct log_row;

struct log_table {
	char *dataset_id;
	char job_id[37];
	struct log_row *rows;
	size_t n, alloc;
};

void log_table_init(struct log_table *lt, const char *dataset_id);
void log_table_release(struct log_table *lt);

/* A table written: `date` the generation date (epoch days) or LOG_NO_DATE. */
void log_table_add_table(struct log_table *lt, const char *table, int64_t date, int64_t rows,
			 double seconds);

/*
 * The run's row: status "completed", "failed" or "interrupted"; `message`
 * a summary, `error_details` the errors (NULL: none); `date` the last
 * generation date completed (LOG_NO_DATE: none or not incremental).
 */
void log_table_add_run(struct log_table *lt, const char *status, int64_t date, int64_t rows,
		       double seconds, const char *message, const char *error_details);

/* The errors of `d`, one per line, for error_details (NULL when none). */
char *log_table_errors(const struct diags *d);

/*
 * Appends the rows to <lakehouse>/Tables/log_synthetic_data_generation
 * (created when missing).  0, or -1 with a diagnostic.
 */
int log_table_write(const struct log_table *lt, const char *lakehouse, struct diags *diags);

/*
 * The whole log of a `generate --execute` run (native): a row per table
 * completed and the run's row ('completed', or 'failed'/'interrupted' with
 * the errors of `d`), appended to <root>/lakehouse/<dataset_id>/Tables/...
 * A failure to append is printed as a warning on stderr (the run's own
 * outcome stands); a run whose lakehouse folder does not exist (it failed
 * before making it) logs nothing.
 */
struct run_stats;
void log_table_record_run(const struct run_stats *st, const char *root, const char *dataset_id, bool ok,
			  const struct diags *d);

#endif
