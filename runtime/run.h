/*
 * run: the native engine.  Executes a plan (compiler/plan.h) whose tables
 * were lowered to column programs (compiler/ir.h) and writes a local
 * lakehouse (docs/output-layout.md):
 *
 *   Delta     <root>/lakehouse/<dataset_id>/Tables/<table>/
 *   files     <root>/lakehouse/<dataset_id>/Files/synthetic_data/<dataset_id>/<format>/<table>/part-NNNNN.<ext>
 *   run log   <root>/lakehouse/<dataset_id>/Files/synthetic_data/_runs/<dataset_id>_native_<unix time>.json
 *
 * Every selected table (plan_table.selected) is written; the tables it
 * reads are recomputed by the programs themselves (AT_ROW), never written.
 *
 * Work is cut into units with fixed boundaries: a plain table's rows in
 * runs of run_file_rows(rows), a child table's parent rows in runs that
 * hold about as many children.  One unit is one output file.  A Delta
 * table partitioned by columns writes one file per partition value present
 * in the unit, under `col=value/`, and its units hold RUN_MAX_FILE_ROWS
 * rows (fewer, larger files; a unit keeps only its row counters).  Worker threads take units in plan order,
 * evaluate them in batches (eval.h, one eval_ctx per thread) and write
 * their files; so the bytes of every data file depend on the plan only,
 * never on the thread count or the batch size, and memory stays bounded by
 * (threads x batch rows).  Units of different tables run at the same time.
 *
 * A table is written into `<final>.tmp-<pid>` and renamed into place once
 * all of its units are written (the previous folder, if any, is removed
 * after the rename).  On an error or an interruption, workers stop at the
 * next batch and every temporary folder is removed: no half table is left.
 * A killed run (SIGKILL) cannot clean up; the next run of a table removes
 * the `.tmp-<pid>` and `.old-<pid>` folders of processes that are gone.
 * With `catch_signals`, SIGINT and SIGTERM are blocked in the calling
 * thread and its workers for the duration of the run and taken with
 * sigtimedwait(): they stop the run instead of killing the process (no
 * handler and no global flag).
 */
#ifndef INGEN_RUN_H
#define INGEN_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct diags;
struct plan;
struct ir_program;
struct strbuf;

enum run_format { RUN_FORMAT_DELTA, RUN_FORMAT_PARQUET, RUN_FORMAT_CSV, RUN_FORMAT_JSONL };

/* Rows per evaluation batch when the request leaves it at 0. */
#define RUN_DEFAULT_BATCH 2048
/* Output files of a table hold run_file_rows(rows) rows: rows / 16 rounded up
 * to a power of two, within [RUN_MIN_FILE_ROWS, RUN_MAX_FILE_ROWS]. */
#define RUN_MIN_FILE_ROWS 65536
#define RUN_MAX_FILE_ROWS 1048576
#define RUN_TARGET_FILES 16

struct run_request {
	const struct plan *plan;
	const struct ir_program *programs; /* ir_lower(plan): one per plan table, plan order */
	const char *root;                  /* output root; the lakehouse is <root>/lakehouse/<dataset_id> */
	enum run_format format;
	int threads;                       /* worker threads; 0: one per online CPU */
	size_t batch_rows;                 /* rows per evaluation batch; 0: RUN_DEFAULT_BATCH */
	int64_t file_rows;                 /* rows per output file; 0: run_file_rows() (tests set it) */
	bool progress;                     /* an updating line per table on stderr (a terminal) */
	bool catch_signals;                /* SIGINT/SIGTERM stop the run cleanly (see above) */
	bool write_log;                    /* write the run log JSON */
};

struct run_table_stats {
	const char *name;  /* the model's */
	int64_t rows;
	int64_t files;
	int64_t bytes;     /* data file bytes */
	double seconds;    /* from its first unit's start to its rename */
	char *path;        /* the final folder */
};

struct run_stats {
	const char *dataset_id;
	enum run_format format;
	size_t n_tables;
	struct run_table_stats *tables; /* the written tables, plan order */
	int64_t rows;
	double seconds;
	double peak_memory_mb;          /* getrusage() maximum resident set */
	int threads;
	char *lakehouse;                /* <root>/lakehouse/<dataset_id> */
	char *log_path;                 /* the run log; NULL when not written */
	bool interrupted;               /* stopped by SIGINT/SIGTERM */
	int64_t started;                /* unix time of the start */
};

/*
 * Runs the request.  Returns 0 and fills *out, or -1 with a diagnostic
 * (an I/O error naming the path, an evaluation error, or "interrupted")
 * after removing every temporary folder; *out then still says which
 * tables were completed before the failure (out->interrupted is set for a
 * signal).  Release *out in both cases.
 */
int run_execute(struct run_stats *out, const struct run_request *req, struct diags *diags);
void run_stats_release(struct run_stats *st);

/*
 * The run summary as compact JSON: {dataset_id, engine: "native",
 * output_mode, output_format, tables: [{table, rows, seconds,
 * rows_per_second, path, files, bytes}], rows, seconds, rows_per_second,
 * peak_memory_mb, threads, lakehouse}.  The run log holds the same.
 */
void run_stats_json(struct strbuf *sb, const struct run_stats *st);

/* "delta", "parquet", "csv", "jsonl". */
const char *run_format_name(enum run_format f);

/* The default rows per output file of a table of `rows` rows. */
int64_t run_file_rows(int64_t rows);

/* Seconds on the monotonic clock: the runs' and the commands' durations. */
double run_clock_s(void);

/* The final folder of a table (see the layout above). */
void run_table_dir(struct strbuf *sb, const char *root, const char *dataset_id,
		   enum run_format f, const char *table);

/* Removes a file or a folder tree (no error when it does not exist); 0 or -1 with errno. */
int run_remove_tree(const char *path);

#endif
