/*
 * notebook_run: runs a compiled notebook (notebook-content.py, see
 * compile.h) as a plain Python program in a child process, the way
 * `generate --engine python|pyspark --execute` does, and reads back the run
 * log it wrote (docs/output-layout.md).
 *
 * The child is the interpreter of `python` (the caller passes
 * notebook_python(): env INGEN_FAB_PYTHON, else `python3` on PATH) with the
 * notebook's path as its one argument, started with posix_spawnp() in a
 * process group of its own, stdin from /dev/null, our stderr as its stderr,
 * its stdout on our stderr (`show_output`) or discarded, and the
 * environment of this process plus INGEN_FAB_OUTPUT_ROOT=<root> (and
 * INGEN_FAB_SPARK_JARS, INGEN_FAB_SPARK_MASTER when given).
 *
 * While it runs, SIGINT and SIGTERM are blocked in this process and taken
 * with sigtimedwait() (no handler, no global): the first is passed on to
 * the child's process group as SIGINT, so the notebook stops and removes
 * its temporary folders itself; a second one kills the group with SIGKILL
 * and the temporary folders the notebook left (`<table>.tmp-*`,
 * `<table>.old-*` made since the start) are removed here.
 *
 * A series notebook (`series`) is run the same way; its run log
 * `<dataset_id>_incremental_<engine>_<time>.json` has days instead of tables
 * (docs/incremental.md): the result has the days, and per table (`tables`)
 * the rows of all days summed and the path of its last day.  This is the one
 * runner of the series notebooks (generate-series --execute --engine
 * python|pyspark, execute-with-parameters).
 *
 * When the child exits 0, the newest run log
 * `<root>/lakehouse/<dataset_id>/Files/synthetic_data/_runs/<dataset_id>_<engine>_<unix time>.json`
 * written since the start is parsed (cJSON) and checked; each table's data
 * files are counted under its path.
 */
#ifndef INGEN_NOTEBOOK_RUN_H
#define INGEN_NOTEBOOK_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct diags;
struct strbuf;

struct notebook_run_request {
	const char *notebook;     /* path of notebook-content.py */
	const char *engine;       /* "python" or "pyspark": the engine the run log names */
	const char *dataset_id;
	const char *root;         /* output root (absolute): the child's INGEN_FAB_OUTPUT_ROOT */
	const char *python;       /* the interpreter: a path, or a name looked up on PATH */
	const char *spark_jars;   /* NULL: INGEN_FAB_SPARK_JARS is left as it is */
	const char *spark_master; /* NULL: INGEN_FAB_SPARK_MASTER is left as it is */
	bool show_output;         /* the child's stdout goes to our stderr; else to /dev/null */
	bool series;              /* an incremental notebook (incr_notebook.h): its run log is
				     `<dataset_id>_incremental_<engine>_<time>.json`, with days */
};

struct notebook_run_table {
	const char *name;
	int64_t rows;
	double seconds;
	int64_t rows_per_second;  /* -1: null in the run log (no time measured) */
	const char *path;         /* the final folder, as the run log says */
	int64_t files;            /* data files under path (not _delta_log/, _SUCCESS, .crc, ...) */
	int64_t bytes;            /* their bytes */
};

/* A day of an incremental notebook's run log. */
struct notebook_run_day {
	const char *date;         /* YYYY-MM-DD */
	int64_t rows;
	double seconds;
	size_t n_tables;
	struct notebook_run_table *tables; /* name, rows, path (the day's folder or Delta table) */
};

struct notebook_run_result {
	const char *dataset_id;
	const char *engine;
	const char *output_mode;  /* table, parquet or csv (the run log's) */
	size_t n_tables;
	struct notebook_run_table *tables; /* the run log's order (plan order) */
	int64_t rows;
	double seconds;           /* the run log's: generation and writing */
	double process_seconds;   /* the child's wall time, interpreter (and Spark) start included */
	double peak_memory_mb;    /* maximum resident set of the child (and its waited-for children) */
	int64_t started;          /* the unix time in the run log's name */
	const char *lakehouse;    /* <root>/lakehouse/<dataset_id> */
	const char *log_path;     /* the run log read */
	/* series only (the single runs leave them 0/NULL): */
	size_t n_days;
	struct notebook_run_day *days;
	const char *path_format;
	const char *state;        /* the state file, NULL without state management */
};

/* The interpreter to run notebooks with: env INGEN_FAB_PYTHON when set and not empty, else "python3". */
const char *notebook_python(void);

/*
 * Runs the notebook.  Returns 0 and fills *out (strings from `arena`), or
 * -1 with an error diagnostic: the interpreter could not be started, the
 * notebook failed (its exit status or signal; its own errors went to
 * stderr), it was interrupted ("interrupted by SIGINT: ..."), or it wrote
 * no run log or a malformed one.
 */
int notebook_run(struct notebook_run_result *out, const struct notebook_run_request *req,
		 struct arena *arena, struct diags *diags);

/*
 * The COPY INTO script of a warehouse target, as the warehouse notebooks
 * write it (templates/notebooks/_warehouse_load.j2): for each table, when
 * `replace[i]`, `DELETE FROM [dbo].[<table>];`, then
 * `COPY INTO [dbo].[<table>] FROM '<files_dir>/parquet/<folder>/<glob>' WITH (FILE_TYPE = 'PARQUET');`
 * with <glob> the pattern star-dot-parquet,
 * one statement a line, written to `<files_dir>/<script_name>` (a temporary
 * file renamed).  `files_dir` is Files/synthetic_data/<dataset_id> of the
 * lakehouse; `replace` may be NULL (none).  0, or -1 with a diagnostic.
 */
int notebook_copy_into_write(const char *files_dir, const char *script_name, const char *const *tables,
			     const char *const *folders, const bool *replace, size_t n, struct diags *diags);

/*
 * The jars of a local Spark for the pyspark notebook, as INGEN_FAB_SPARK_JARS
 * wants them: the absolute paths of the `*.jar` files of `dir`, sorted,
 * comma-separated, appended to `out`.  Returns 0, or -1 with a diagnostic
 * when `dir` cannot be read or holds no jar.
 */
int notebook_spark_jars_of_dir(struct strbuf *out, const char *dir, struct diags *diags);

/*
 * The jars of the pyspark engine: the *.jar files of `dir` (--spark-jars DIR)
 * when `dir` is not NULL (*jars = out->buf), else INGEN_FAB_SPARK_JARS, checked
 * (*jars = NULL: the environment's stays).  0, or -1 with a diagnostic
 * (none set, a missing jar, an empty folder).
 */
int notebook_spark_jars(const char **jars, struct strbuf *out, const char *dir, struct diags *diags);

/*
 * Checks a comma-separated jar list (the value of INGEN_FAB_SPARK_JARS):
 * not empty, and every entry an existing file.  Returns 0, or -1 with a
 * diagnostic naming the first missing entry.
 */
int notebook_check_spark_jars(const char *list, struct diags *diags);

#endif
