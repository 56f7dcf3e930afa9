/*
 * cli: the command line of DESIGN section 3.  A table of commands, each with
 * an option table that both parses arguments and prints --help.  Exit codes:
 * 0 ok, 1 the work failed, 2 usage or config error.
 *
 *   ingen_fab [GLOBAL OPTIONS] package synthetic-data COMMAND [OPTIONS]
 *
 * Adding a command:
 *   1. write `int cmd_<name>(int argc, char **argv, struct cli_ctx *ctx)` in
 *      a compiler/cmd_*.c file (argv[0] is the command name);
 *   2. fill a `struct cmd_opts` with the command's defaults, declare its
 *      option table over it (the common options have CMD_OPT_* helpers
 *      below), and call cli_cmd_parse() first: it prints --help and usage
 *      errors, and returns CLI_CONTINUE when the command should run;
 *   3. add a row to `commands[]` in cli.c with a one-line summary;
 *   4. return an enum cli_exit.  Config errors go through a `struct diags`
 *      and cli_report_diags(); other errors through cli_error().
 */
#ifndef INGEN_CLI_H
#define INGEN_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli_opts.h"
#include "diag.h"

enum cli_exit { CLI_EXIT_OK = 0, CLI_EXIT_FAILURE = 1, CLI_EXIT_USAGE = 2 };

/* Returned by cli_cmd_parse() when the command should go on. */
#define CLI_CONTINUE (-1)

#define INGEN_FAB_VERSION "0.1.0"
#define CLI_GROUP "ingen_fab package synthetic-data"

int cli_main(int argc, char **argv);

struct arena;
struct cJSON;
struct dataset;
struct plan;
struct plan_options;
struct catalog;
struct cli_cmd;

/* What the global options decide, shared by every command. */
struct cli_ctx {
	const char *repo_dir;           /* output root (see cli.c for its sources) */
	const char *fabric_environment; /* --fabric-environment / FABRIC_ENVIRONMENT */
	struct arena *arena;            /* lives as long as the command */
	const struct cli_cmd *cmd;      /* the running command */
};

typedef int (*cli_cmd_fn)(int argc, char **argv, struct cli_ctx *ctx);

struct cli_cmd {
	const char *name;
	cli_cmd_fn fn;
	const char *summary;     /* one line, lowercase: the command list and --help */
};

/* The command table (cli.c), ended by a row with a NULL name. */
extern const struct cli_cmd cli_commands[];
const struct cli_cmd *cli_find_command(const char *name);

/* Value sets of the enum options; the enums below index them. */
enum cli_target { CLI_TARGET_LAKEHOUSE, CLI_TARGET_WAREHOUSE };
enum cli_output_mode { CLI_OUTPUT_TABLE, CLI_OUTPUT_PARQUET, CLI_OUTPUT_CSV };
enum cli_output_format { CLI_FORMAT_DELTA, CLI_FORMAT_PARQUET, CLI_FORMAT_CSV, CLI_FORMAT_JSONL };
enum cli_engine { CLI_ENGINE_NATIVE, CLI_ENGINE_PYTHON, CLI_ENGINE_PYSPARK };
enum cli_template_type { CLI_TEMPLATES_ALL, CLI_TEMPLATES_SERIES, CLI_TEMPLATES_SINGLE };
enum cli_list_type { CLI_LIST_DATASETS, CLI_LIST_TEMPLATES, CLI_LIST_ALL };
enum cli_list_format { CLI_LIST_TABLE, CLI_LIST_JSON };
enum cli_gen_kind { CLI_KIND_SINGLE, CLI_KIND_INCREMENTAL, CLI_KIND_SERIES };
enum cli_artifacts { CLI_ARTIFACTS_ALL, CLI_ARTIFACTS_NOTEBOOK, CLI_ARTIFACTS_DDL };

extern const char *const cli_target_names[];        /* lakehouse, warehouse */
extern const char *const cli_gen_mode_names[];      /* auto, python, pyspark (enum gen_mode) */
extern const char *const cli_output_mode_names[];   /* table, parquet, csv */
extern const char *const cli_output_format_names[]; /* delta, parquet, csv, jsonl */
extern const char *const cli_engine_names[];        /* native, python, pyspark */
extern const char *const cli_template_type_names[]; /* all, series, single */
extern const char *const cli_list_type_names[];     /* datasets, templates, all */
extern const char *const cli_list_format_names[];   /* table, json */
extern const char *const cli_gen_kind_names[];      /* single, incremental, series */
extern const char *const cli_artifacts_names[];     /* all, notebook, ddl */
extern const char *const cli_path_format_names[];   /* nested, flat, nested_daily, ... */

/* The generic templates and the enhanced config templates (list-enhanced). */
struct cli_template_info {
	const char *name;
	const char *kind;        /* "generic" or "enhanced" */
	const char *target;      /* lakehouse, warehouse, or NULL */
	const char *shape;       /* single, series, or NULL */
	const char *description;
};
extern const struct cli_template_info cli_templates[]; /* ends with a NULL name */
extern const char *const cli_generic_template_names[];  /* NULL-terminated */
extern const char *const cli_enhanced_template_names[]; /* NULL-terminated, then "list" */

/*
 * Every value any synthetic-data command takes.  A command fills in its
 * defaults, points its option table at the fields it accepts, and reads
 * them after cli_cmd_parse().  `has_*` fields say a value was given by some
 * source (command line, --parameters or environment); otherwise the
 * dataset's own value applies.
 */
struct cmd_opts {
	/* positionals */
	const char *dataset;          /* DATASET_ID (generate*, compile) */
	struct cli_list datasets;     /* DATASET... (validate) */
	const char *notebook;         /* NOTEBOOK (execute-with-parameters) */
	/* the dataset and its plan */
	const char *dataset_id;       /* --dataset-id */
	int64_t target_rows;
	bool has_target_rows;
	double scale_factor;
	bool has_scale_factor;
	int64_t seed;
	bool has_seed;
	int64_t chunk_size;
	bool has_chunk_size;
	int generation_mode;          /* enum gen_mode */
	struct cli_list tables;       /* --tables a,b */
	struct cli_list datasets_dirs;
	struct cli_list templates_dirs;
	/* outputs */
	int target_environment;       /* enum cli_target */
	int output_mode;              /* enum cli_output_mode */
	int output_format;            /* enum cli_output_format (local runs) */
	int artifacts;                /* enum cli_artifacts (compile --output-format) */
	const char *path_pattern;     /* compile --path-pattern */
	const char *path_format;      /* generate-incremental/series, execute-with-parameters */
	const char *output_path;      /* generate --output-path */
	bool include_ddl;
	/* running */
	bool execute;
	int engine;                   /* enum cli_engine */
	int64_t threads;              /* 0: one per core */
	int kind;                     /* generate --mode: enum cli_gen_kind */
	/* compile */
	bool enhanced;
	int config_template;          /* index in cli_enhanced_template_names, -1 unset */
	/* incremental and series */
	int64_t date, start_date, end_date; /* days since 1970-01-01 */
	bool has_date, has_start_date, has_end_date;
	int64_t batch_size;           /* days */
	bool state_management, ignore_state, resume;
	/* generic templates */
	bool force;
	int template_type;            /* enum cli_template_type */
	const char *custom_schema;
	bool enable_partitioning;
	/* listing */
	int list_type;                /* enum cli_list_type */
	int list_format;              /* enum cli_list_format */
	int filter_target;            /* list-enhanced --target-environment, -1 all */
	/* everywhere */
	const char *parameters;
	bool dry_run;
	bool json;
};

/* Defaults shared by all commands (output mode table, engine native, ...). */
void cmd_opts_init(struct cmd_opts *o);

/*
 * Common option rows, so that a given option reads the same in every
 * command.  Each takes the struct cmd_opts pointer.
 */
#define CMD_OPT_TARGET_ROWS(o, sh)                                                           \
	{ .type = CLI_OPT_INT, .short_name = (sh), .long_name = "target-rows",               \
	  .value = &(o)->target_rows, .given = &(o)->has_target_rows, .arg = "N",            \
	  .help = "rows of the driving table", .def = "the dataset's target_rows",          \
	  .imin = 1, .imax = INT64_C(1000000000000000) }
#define CMD_OPT_SCALE_FACTOR(o)                                                              \
	{ .type = CLI_OPT_NUMBER, .long_name = "scale-factor", .value = &(o)->scale_factor,  \
	  .given = &(o)->has_scale_factor, .arg = "X",                                       \
	  .help = "multiplies every table's rows", .def = "the dataset's, or 1",             \
	  .dmin = 0, .dmax = 1e6, .flags = CLI_OPT_EXCL_MIN, .env = "SCALE_FACTOR" }
#define CMD_OPT_SEED(o, sh)                                                                  \
	{ .type = CLI_OPT_INT, .short_name = (sh), .long_name = "seed", .alias = "seed-value",\
	  .value = &(o)->seed, .given = &(o)->has_seed, .arg = "N",                          \
	  .help = "seed of every value (same seed, same rows)", .def = "the dataset's, or 42" }
#define CMD_OPT_GEN_MODE(o, sh)                                                              \
	{ .type = CLI_OPT_ENUM, .short_name = (sh), .long_name = "generation-mode",          \
	  .value = &(o)->generation_mode, .choices = cli_gen_mode_names,                     \
	  .help = "notebook engine; auto is pyspark above 1,000,000 target rows",            \
	  .def = "auto" }
#define CMD_OPT_CHUNK_SIZE(o)                                                                \
	{ .type = CLI_OPT_INT, .long_name = "chunk-size", .value = &(o)->chunk_size,         \
	  .given = &(o)->has_chunk_size, .arg = "N",                                         \
	  .help = "rows per batch in python notebooks and the native runtime",               \
	  .def = "the dataset's chunk_size", .imin = 1, .imax = INT64_C(2147483647),         \
	  .env = "BATCH_SIZE" }
#define CMD_OPT_TABLES(o)                                                                    \
	{ .type = CLI_OPT_LIST, .long_name = "tables", .value = &(o)->tables, .arg = "A,B",  \
	  .help = "only these tables (their parents are computed, not written)",             \
	  .flags = CLI_OPT_COMMAS }
#define CMD_OPT_TARGET_ENV(o, sh)                                                            \
	{ .type = CLI_OPT_ENUM, .short_name = (sh), .long_name = "target-environment",       \
	  .value = &(o)->target_environment, .choices = cli_target_names,                    \
	  .help = "where the tables live", .def = "lakehouse" }
#define CMD_OPT_OUTPUT_MODE(o, sh, d)                                                        \
	{ .type = CLI_OPT_ENUM, .short_name = (sh), .long_name = "output-mode",              \
	  .value = &(o)->output_mode, .choices = cli_output_mode_names,                      \
	  .help = "what the notebook writes: Delta tables, or Parquet/CSV files", .def = (d) }
#define CMD_OPT_PATH_FORMAT(o, sh, name, d)                                                  \
	{ .type = CLI_OPT_STRING, .short_name = (sh), .long_name = (name),                   \
	  .value = &(o)->path_format, .arg = "PATTERN", .choices = cli_path_format_names,    \
	  .check = cli_check_path_format,                                                    \
	  .help = "file layout: nested, flat, nested_daily, flat_with_date, hive_partitioned, ... or a custom '{table}/{yyyy}/{mm}/{dd}'", \
	  .def = (d) }
#define CMD_OPT_EXECUTE(o)                                                                   \
	{ .type = CLI_OPT_FLAG, .long_name = "execute", .value = &(o)->execute,              \
	  .help = "run the generation locally after compiling", .flags = CLI_OPT_NEGATABLE }
#define CMD_OPT_ENGINE(o)                                                                    \
	{ .type = CLI_OPT_ENUM, .long_name = "engine", .value = &(o)->engine,                \
	  .choices = cli_engine_names,                                                       \
	  .help = "with --execute: the native C runtime, or the compiled notebook run with local Python/Spark", \
	  .def = "native" }
#define CMD_OPT_THREADS(o)                                                                   \
	{ .type = CLI_OPT_INT, .long_name = "threads", .value = &(o)->threads, .arg = "N",   \
	  .help = "native engine worker threads; 0 for one per core", .def = "0",            \
	  .imin = 0, .imax = 1024 }
#define CMD_OPT_OUTPUT_FORMAT(o)                                                             \
	{ .type = CLI_OPT_ENUM, .long_name = "output-format", .value = &(o)->output_format,  \
	  .choices = cli_output_format_names, .help = "what a local run writes",             \
	  .def = "delta" }
#define CMD_OPT_DATASETS_DIR(o)                                                              \
	{ .type = CLI_OPT_LIST, .long_name = "datasets-dir", .value = &(o)->datasets_dirs,   \
	  .arg = "DIR", .help = "add the dataset configs of DIR to the catalogue (later wins; also INGEN_FAB_DATASETS)" }
#define CMD_OPT_TEMPLATES_DIR(o)                                                             \
	{ .type = CLI_OPT_LIST, .long_name = "templates-dir", .value = &(o)->templates_dirs, \
	  .arg = "DIR", .help = "templates in DIR override the built-in ones" }
#define CMD_OPT_PARAMETERS(o, sh, al)                                                        \
	{ .type = CLI_OPT_PARAMS, .short_name = (sh), .long_name = "parameters",             \
	  .alias = (al), .value = &(o)->parameters, .arg = "JSON",                           \
	  .help = "options as one JSON object, e.g. '{\"target_rows\": 5000, \"seed\": 7}'" }
#define CMD_OPT_DRY_RUN(o)                                                                   \
	{ .type = CLI_OPT_FLAG, .long_name = "dry-run", .value = &(o)->dry_run,              \
	  .help = "validate and print the plan; write nothing", .flags = CLI_OPT_QUIET }
#define CMD_OPT_JSON(o)                                                                      \
	{ .type = CLI_OPT_FLAG, .long_name = "json", .value = &(o)->json,                    \
	  .help = "print the result as JSON", .flags = CLI_OPT_QUIET }

/* A STRING check for path formats: the names above or a custom pattern. */
int cli_check_path_format(const char *value, struct strbuf *why);

/*
 * Parses a command's arguments into `p` (initialised here; the caller
 * releases it).  Prints --help to stdout or a usage error to stderr.
 * Returns CLI_CONTINUE when the command should run, else the exit code.
 */
int cli_cmd_parse(struct cli_parse *p, struct cli_ctx *ctx, const struct cli_opt *opts,
		  int argc, char **argv);

/* Prints "ingen_fab: <message>" to stderr; returns CLI_EXIT_USAGE. */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same, returning CLI_EXIT_FAILURE. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * Prints every diagnostic to stderr, then "ingen_fab: 1 error" or
 * "ingen_fab: N errors" when there are errors.  Returns CLI_EXIT_USAGE when
 * there are errors, else CLI_EXIT_OK.
 */
int cli_report_diags(const struct diags *d);
/*
 * Writes a cJSON document to stdout, indented by two spaces, with a final
 * newline.  Integers that must keep 64 bits go in as raw items
 * (cJSON_CreateRaw), which are printed exactly.
 */
void cli_print_json(const struct cJSON *doc);
/* The reformatter behind it: compact JSON text in, indented text out. */
void cli_json_pretty(struct strbuf *sb, const char *json);

/* cmd_validate.c: the shared load-and-plan path (validate, --dry-run). */
int cli_catalog_open(struct catalog *c, const struct cmd_opts *o, struct diags *d);
void cli_plan_options(struct plan_options *out, const struct cmd_opts *o);

/*
 * Called for each dataset that loaded and planned, before it is printed:
 * checks what the command needs (an incremental section, dates) and adds
 * lines to `text` and members to `json`.  Returns 0, or -1 with diagnostics.
 */
typedef int (*cli_plan_cb)(const struct dataset *ds, const struct plan *plan,
			   struct strbuf *text, struct cJSON *json, struct diags *diags,
			   void *payload);

/*
 * The --dry-run of a command: loads and plans each of `ids` (none is fine),
 * then prints the effective options and the plans (text, or one JSON object
 * with --json).  Returns an enum cli_exit: 2 after any config error.
 */
int cli_dry_run(struct cli_ctx *ctx, const struct cmd_opts *o, const struct cli_parse *p,
		const char *const *ids, size_t n_ids, cli_plan_cb cb, void *payload);
/*
 * The same checks without printing the plan, for commands about to do real
 * work: returns CLI_CONTINUE when every dataset loaded and planned.
 */
int cli_check_datasets(struct cli_ctx *ctx, const struct cmd_opts *o, const char *const *ids,
		       size_t n_ids, cli_plan_cb cb, void *payload);

/* The commands. */
int cmd_list_datasets(int argc, char **argv, struct cli_ctx *ctx);
int cmd_list_incremental_datasets(int argc, char **argv, struct cli_ctx *ctx);
int cmd_list_enhanced(int argc, char **argv, struct cli_ctx *ctx);
int cmd_list(int argc, char **argv, struct cli_ctx *ctx);
int cmd_validate(int argc, char **argv, struct cli_ctx *ctx);
int cmd_compile(int argc, char **argv, struct cli_ctx *ctx);
/* cmd_compile.c: the work of `compile` once its options are checked. */
int cmd_compile_run(struct cli_ctx *ctx, const struct cmd_opts *o, const char *dataset);
int cmd_generate(int argc, char **argv, struct cli_ctx *ctx);
int cmd_generate_incremental(int argc, char **argv, struct cli_ctx *ctx);
int cmd_generate_series(int argc, char **argv, struct cli_ctx *ctx);
int cmd_compile_generic_templates(int argc, char **argv, struct cli_ctx *ctx);
int cmd_execute_with_parameters(int argc, char **argv, struct cli_ctx *ctx);

#endif
