/*
 * cli_opts: option tables that both parse a command's arguments and print
 * its --help, in the manner of git's parse-options and libgit2's
 * cli_opt_spec.  A command declares one array of `struct cli_opt`, ended by
 * CLI_OPT_END; the same array drives cli_parse_run(), cli_opts_help() and
 * cli_parse_to_json(), so the help can never list an option the parser does
 * not accept, nor the other way round.
 *
 * Values are typed and checked while parsing (integers with a range,
 * numbers, enums with "did you mean", calendar dates, JSON objects); a bad
 * value is a usage error with a message that quotes it and says what is
 * allowed.
 *
 * Where a value comes from, highest first:
 *   1. the command line (`--opt value`, `--opt=value`, `-o value`, `-ovalue`);
 *   2. the CLI_OPT_PARAMS option (`--parameters JSON`): a JSON object whose
 *      keys are option long names spelt with '-' or '_';
 *   3. the option's environment variables (`env`, then `env2`);
 *   4. the initial value of the variable (the default).
 * An option given twice on the command line keeps the last value, except
 * lists, which collect every occurrence.  `--` ends the options; options and
 * positional arguments may otherwise be mixed.  `-h` and `--help` are
 * implicit in every table.
 */
#ifndef INGEN_CLI_OPTS_H
#define INGEN_CLI_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

struct arena;
struct cJSON;

enum cli_opt_type {
	CLI_OPT_END,    /* ends a table */
	CLI_OPT_FLAG,   /* bool *: --name sets it; CLI_OPT_NEGATABLE adds --no-name */
	CLI_OPT_STRING, /* const char **; optional `check`, `choices` feed "did you mean" */
	CLI_OPT_INT,    /* int64_t *; range imin..imax when imin < imax */
	CLI_OPT_NUMBER, /* double *; range dmin..dmax when dmin < dmax */
	CLI_OPT_ENUM,   /* int *: index into `choices` (NULL-terminated) */
	CLI_OPT_DATE,   /* int64_t *: days since 1970-01-01, given as YYYY-MM-DD */
	CLI_OPT_JSON,   /* const char **: the text, checked to be a JSON object */
	CLI_OPT_LIST,   /* struct cli_list *: every occurrence appends; CLI_OPT_COMMAS splits */
	CLI_OPT_PARAMS, /* const char **: a JSON object of other options (see above) */
	CLI_OPT_ARG,    /* positional: const char **, or struct cli_list * with CLI_OPT_MULTI */
};

enum cli_opt_flag {
	CLI_OPT_NEGATABLE = 1 << 0, /* FLAG: --no-<name> clears it */
	CLI_OPT_REQUIRED  = 1 << 1, /* must be given by some source (ARG: on the command line) */
	CLI_OPT_MULTI     = 1 << 2, /* ARG: one or more, into a struct cli_list */
	CLI_OPT_COMMAS    = 1 << 3, /* LIST: "a,b" gives two items */
	CLI_OPT_EXCL_MIN  = 1 << 4, /* NUMBER: dmin itself is not allowed ("greater than") */
	CLI_OPT_QUIET     = 1 << 5, /* left out of cli_parse_to_json/_describe (--json, --dry-run) */
};

/* A list value (CLI_OPT_LIST, CLI_OPT_ARG with CLI_OPT_MULTI); memory from the arena. */
struct cli_list {
	const char **items;
	size_t n;
	size_t alloc;
};

struct cli_opt {
	enum cli_opt_type type;
	int short_name;             /* 'r', or 0 */
	const char *long_name;      /* "target-rows" (no dashes); NULL for CLI_OPT_ARG */
	const char *alias;          /* another long name accepted (an upstream spelling), or NULL */
	void *value;                /* where the value goes; its type depends on `type` */
	bool *given;                /* optional: set to true when any source gives a value */
	const char *arg;            /* value placeholder in help ("N"); CLI_OPT_ARG: its name */
	const char *help;           /* one line, lowercase, no final period */
	const char *def;            /* default shown in help, or NULL */
	const char *const *choices; /* ENUM: the values; STRING: suggestions; NULL-terminated */
	int64_t imin, imax;
	double dmin, dmax;
	const char *env;            /* environment variable giving a default, or NULL */
	const char *env2;           /* a second one, read when `env` is unset */
	unsigned flags;             /* enum cli_opt_flag */
	/* STRING: extra check; returns 0, or -1 and appends what is allowed to `why` */
	int (*check)(const char *value, struct strbuf *why);
};

#define CLI_OPT_END_ENTRY { .type = CLI_OPT_END }

/* Where an option's value came from. */
enum cli_src { CLI_SRC_DEFAULT, CLI_SRC_ENV, CLI_SRC_PARAMS, CLI_SRC_ARGV };

enum cli_parse_flag {
	/*
	 * Stop at the first positional argument (global options before a
	 * command); CLI_OPT_ARG rows are then only shown in the help.
	 */
	CLI_PARSE_STOP_AT_ARG = 1 << 0,
};

enum cli_parse_result {
	CLI_PARSE_OK = 0,
	CLI_PARSE_HELP = 1,     /* -h/--help seen: print the help, exit 0 */
	CLI_PARSE_ERROR = -1,   /* bad option or value: print `err`, exit 2 */
	CLI_PARSE_USAGE = -2,   /* missing or extra argument: print `err` and the usage line, exit 2 */
};

struct cli_parse {
	const struct cli_opt *opts;  /* the table */
	size_t n_opts;               /* entries before CLI_OPT_END */
	unsigned flags;              /* enum cli_parse_flag */
	struct arena *arena;         /* lists, split values */
	enum cli_src *src;           /* one per option, after cli_parse_run() */
	const char **env_used;       /* the variable that gave an option its value, or NULL */
	int next;                    /* argv index after what was consumed */
	struct strbuf err;           /* the message on failure, without the "ingen_fab: " prefix */
};

void cli_parse_init(struct cli_parse *p, const struct cli_opt *opts, unsigned flags,
		    struct arena *arena);
void cli_parse_release(struct cli_parse *p);

/*
 * Parses argv[1..argc-1] (argv[0] is the command name) into the table's
 * variables.  Returns an enum cli_parse_result.  On errors the variables may
 * be partly set.
 */
int cli_parse_run(struct cli_parse *p, int argc, char **argv);

/* The option with this long name (or alias), or NULL. */
const struct cli_opt *cli_opts_find(const struct cli_opt *opts, const char *long_name);
/* The source of an option's value after parsing, by its long name. */
enum cli_src cli_parse_source(const struct cli_parse *p, const char *long_name);
const char *cli_src_name(enum cli_src s);

/* "usage: <cmd> [OPTIONS] DATASET_ID...", no newline. */
void cli_opts_usage(struct strbuf *sb, const char *cmd, const struct cli_opt *opts);
/*
 * The whole help: usage line, `summary` paragraph, arguments, options
 * (with defaults, allowed values and environment variables), then
 * `epilog` when not NULL.  Ends with a newline.
 */
void cli_opts_help(struct strbuf *sb, const char *cmd, const char *summary,
		   const struct cli_opt *opts, const char *epilog);

/*
 * Adds to `obj` every option whose value did not come from its default,
 * keyed by long name with '_' ("target_rows"), and the same keys in
 * `sources` (when not NULL) mapped to "command line", "parameters" or the
 * environment variable's name.  Positional arguments go under "arguments".
 */
void cli_parse_to_json(struct cJSON *obj, struct cJSON *sources, const struct cli_parse *p);
/* The same as text, one "name: value (source)" line each, indented by two spaces. */
void cli_parse_describe(struct strbuf *sb, const struct cli_parse *p);

/*
 * Dates.  cli_date_parse() accepts exactly YYYY-MM-DD naming a real
 * calendar day (years 0001 to 9999); returns 0 and the days since
 * 1970-01-01, or -1 with the reason appended to `why`.
 */
int cli_date_parse(int64_t *days_out, const char *s, struct strbuf *why);
void cli_date_format(struct strbuf *sb, int64_t days);

/* JSON members for results: a date as "YYYY-MM-DD", an integer exactly (not via double). */
void cli_json_add_date(struct cJSON *obj, const char *key, int64_t days);
void cli_json_add_int(struct cJSON *obj, const char *key, int64_t v);

/*
 * 0 when `s` is one JSON object; else -1 with "not valid JSON (near
 * character N)" or "expected a JSON object" appended to `why`.
 */
int cli_check_json_object(const char *s, struct strbuf *why);

/* Whether `s` is one of a NULL-terminated list. */
bool cli_in_list(const char *s, const char *const *list);

/* Appends "a, b or c" (the values of a NULL-terminated list). */
void cli_join_choices(struct strbuf *sb, const char *const *choices);

#endif
