/*
 * cli: the entry point of `ingen_fab` and the things every command shares.
 *
 * cli_main() parses the global options (up to the first word that is not
 * an option), walks `package synthetic-data COMMAND`, and hands the rest of
 * argv to the command's function from `cli_commands[]`.  Each command owns
 * its option table (cli_opts.h), so its --help is printed from the very
 * table that parses it; the helpers here keep the message and exit-code
 * rules in one place: "ingen_fab: <message>" on stderr, 0 ok, 1 the work
 * failed, 2 usage or config error.
 *
 * The output root is, highest first: --fabric-workspace-repo-dir (also the
 * upstream spelling -fwd), FABRIC_WORKSPACE_REPO_DIR, OUTPUT_PATH, ./out.
 */
#include "cli.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "strbuf.h"

const char *const cli_target_names[] = {"lakehouse", "warehouse", NULL};
const char *const cli_gen_mode_names[] = {"auto", "python", "pyspark", NULL};
const char *const cli_output_mode_names[] = {"table", "parquet", "csv", NULL};
const char *const cli_output_format_names[] = {"delta", "parquet", "csv", "jsonl", NULL};
const char *const cli_engine_names[] = {"native", "python", "pyspark", NULL};
const char *const cli_template_type_names[] = {"all", "series", "single", NULL};
const char *const cli_list_type_names[] = {"datasets", "templates", "all", NULL};
const char *const cli_list_format_names[] = {"table", "json", NULL};
const char *const cli_gen_kind_names[] = {"single", "incremental", "series", NULL};
const char *const cli_artifacts_names[] = {"all", "notebook", "ddl", NULL};
const char *const cli_path_format_names[] = {
	"nested", "flat", "nested_daily", "nested_monthly", "nested_yearly", "flat_with_date",
	"flat_with_date_suffix", "hive_partitioned", "hive_monthly", "iso_week", "quarter_based",
	NULL,
};

const struct cli_template_info cli_templates[] = {
	{"generic_single_dataset_lakehouse", "generic", "lakehouse", "single",
	 "any dataset, once; dataset, rows and seed given at run time"},
	{"generic_single_dataset_warehouse", "generic", "warehouse", "single",
	 "any dataset, once, loaded into a warehouse; parameters at run time"},
	{"generic_incremental_series_lakehouse", "generic", "lakehouse", "series",
	 "an incremental dataset over a date range; parameters at run time"},
	{"generic_incremental_series_warehouse", "generic", "warehouse", "series",
	 "an incremental dataset over a date range, into a warehouse"},
	{"retail_oltp_enhanced", "enhanced", NULL, NULL,
	 "enhanced config: retail OLTP with runtime parameters and path patterns"},
	{"retail_star_enhanced", "enhanced", NULL, NULL,
	 "enhanced config: retail star schema with runtime parameters"},
	{"ecommerce_full_stack", "enhanced", NULL, NULL,
	 "enhanced config: e-commerce clickstream, orders and dimensions"},
	{NULL, NULL, NULL, NULL, NULL},
};

const char *const cli_generic_template_names[] = {
	"generic_single_dataset_lakehouse", "generic_single_dataset_warehouse",
	"generic_incremental_series_lakehouse", "generic_incremental_series_warehouse", NULL,
};
const char *const cli_enhanced_template_names[] = {
	"retail_oltp_enhanced", "retail_star_enhanced", "ecommerce_full_stack", "list", NULL,
};

const struct cli_cmd cli_commands[] = {
	{"list-datasets", cmd_list_datasets, "list the predefined datasets"},
	{"list-incremental-datasets", cmd_list_incremental_datasets,
	 "list the datasets with an incremental section"},
	{"list-enhanced", cmd_list_enhanced, "list the generic and enhanced templates"},
	{"list", cmd_list, "list datasets and templates (--type datasets|templates|all)"},
	{"validate", cmd_validate, "validate datasets and print their plans"},
	{"compile", cmd_compile, "compile a dataset into a generation notebook and DDL"},
	{"generate", cmd_generate, "compile a dataset, and with --execute generate it locally"},
	{"generate-incremental", cmd_generate_incremental,
	 "compile, and with --execute generate, one day of an incremental dataset"},
	{"generate-series", cmd_generate_series,
	 "compile, and with --execute generate, a range of days of an incremental dataset"},
	{"compile-generic-templates", cmd_compile_generic_templates,
	 "compile the runtime-parameterised generic notebooks"},
	{"execute-with-parameters", cmd_execute_with_parameters,
	 "run a generic notebook with runtime parameters"},
	{NULL, NULL, NULL},
};

/* Spellings of earlier upstream versions. */
static const struct {
	const char *alias, *name;
} command_aliases[] = {
	{"list-generic-templates", "list-enhanced"},
	{"compile-unified", "compile"},
	{"generate-legacy", "generate"},
};

#define N_ALIASES (sizeof(command_aliases) / sizeof(command_aliases[0]))

const struct cli_cmd *cli_find_command(const char *name)
{
	for (size_t i = 0; i < N_ALIASES; i++)
		if (!strcmp(command_aliases[i].alias, name))
			name = command_aliases[i].name;
	for (const struct cli_cmd *c = cli_commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

void cmd_opts_init(struct cmd_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->generation_mode = 0; /* auto */
	o->target_environment = CLI_TARGET_LAKEHOUSE;
	o->output_mode = CLI_OUTPUT_TABLE;
	o->output_format = CLI_FORMAT_DELTA;
	o->artifacts = CLI_ARTIFACTS_ALL;
	o->include_ddl = true;
	o->engine = CLI_ENGINE_NATIVE;
	o->kind = CLI_KIND_SINGLE;
	o->config_template = -1;
	o->batch_size = 10;
	o->state_management = true;
	o->template_type = CLI_TEMPLATES_ALL;
	o->list_type = CLI_LIST_ALL;
	o->list_format = CLI_LIST_TABLE;
	o->filter_target = -1;
}

/*
 * Custom path patterns: {placeholders} from this list, and {table} so that
 * tables do not overwrite each other.
 */
static const char *const path_placeholders[] = {
	"table", "dataset_id", "yyyy", "mm", "dd", "yyyymmdd", "ww", "q", "date", NULL,
};

int cli_check_path_format(const char *value, struct strbuf *why)
{
	bool has_table = false;
	for (size_t i = 0; cli_path_format_names[i]; i++)
		if (!strcmp(value, cli_path_format_names[i]))
			return 0;
	if (!strchr(value, '{')) {
		strbuf_addstr(why, "expected ");
		cli_join_choices(why, cli_path_format_names);
		strbuf_addstr(why, ", or a custom pattern with {placeholders}");
		return -1;
	}
	for (const char *s = value; (s = strchr(s, '{')) != NULL;) {
		const char *end = strchr(s, '}');
		size_t k;
		if (!end) {
			strbuf_addstr(why, "unclosed '{' in the pattern");
			return -1;
		}
		for (k = 0; path_placeholders[k]; k++)
			if (strlen(path_placeholders[k]) == (size_t)(end - s - 1) &&
			    !strncmp(path_placeholders[k], s + 1, (size_t)(end - s - 1)))
				break;
		if (!path_placeholders[k]) {
			strbuf_addf(why, "unknown placeholder '%.*s'; expected ", (int)(end - s + 1), s);
			for (k = 0; path_placeholders[k]; k++)
				strbuf_addf(why, "%s{%s}", k ? (path_placeholders[k + 1] ? ", " : " or ") : "",
					    path_placeholders[k]);
			return -1;
		}
		has_table |= !strcmp(path_placeholders[k], "table");
		s = end + 1;
	}
	if (!has_table) {
		strbuf_addstr(why, "a custom pattern needs {table}");
		return -1;
	}
	if (value[0] == '/' || strstr(value, "..")) {
		strbuf_addstr(why, "a custom pattern must stay inside the output folder");
		return -1;
	}
	return 0;
}

static void vreport(const char *fmt, va_list ap)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, "ingen_fab: ");
	strbuf_vaddf(&sb, fmt, ap);
	strbuf_addch(&sb, '\n');
	fflush(stdout);
	fwrite(sb.buf, 1, sb.len, stderr);
	strbuf_release(&sb);
}

int cli_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(fmt, ap);
	va_end(ap);
	return CLI_EXIT_USAGE;
}

int cli_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(fmt, ap);
	va_end(ap);
	return CLI_EXIT_FAILURE;
}

int cli_report_diags(const struct diags *d)
{
	fflush(stdout);
	diags_print(d, stderr);
	if (!d->errors)
		return CLI_EXIT_OK;
	fprintf(stderr, "ingen_fab: %d error%s\n", d->errors, d->errors == 1 ? "" : "s");
	return CLI_EXIT_USAGE;
}

/*
 * Re-indents compact JSON text with two spaces, copying every token as it
 * is: numbers are never parsed, so 64-bit seeds keep every digit.
 */
void cli_json_pretty(struct strbuf *sb, const char *s)
{
	int depth = 0;
	for (; *s; s++) {
		char c = *s;
		if (c == '"') {
			const char *t = s + 1;
			while (*t && *t != '"')
				t += *t == '\\' && t[1] ? 2 : 1;
			strbuf_add(sb, s, (size_t)(t - s) + (*t ? 1 : 0));
			s = *t ? t : t - 1;
		} else if (c == '{' || c == '[') {
			const char *t = s + 1;
			while (isspace((unsigned char)*t))
				t++;
			strbuf_addch(sb, c);
			if (*t == (c == '{' ? '}' : ']')) {
				strbuf_addch(sb, *t);
				s = t;
				continue;
			}
			depth++;
			strbuf_addch(sb, '\n');
			strbuf_addchars(sb, ' ', 2 * (size_t)depth);
		} else if (c == '}' || c == ']') {
			depth--;
			strbuf_addch(sb, '\n');
			strbuf_addchars(sb, ' ', 2 * (size_t)(depth > 0 ? depth : 0));
			strbuf_addch(sb, c);
		} else if (c == ',') {
			strbuf_addstr(sb, ",\n");
			strbuf_addchars(sb, ' ', 2 * (size_t)depth);
		} else if (c == ':') {
			strbuf_addstr(sb, ": ");
		} else if (!isspace((unsigned char)c)) {
			strbuf_addch(sb, c);
		}
	}
}

void cli_print_json(const struct cJSON *doc)
{
	char *text = cJSON_PrintUnformatted(doc);
	struct strbuf sb = STRBUF_INIT;
	cli_json_pretty(&sb, text ? text : "null");
	strbuf_addch(&sb, '\n');
	fwrite(sb.buf, 1, sb.len, stdout);
	strbuf_release(&sb);
	free(text);
}

static const char *epilog_text(const struct cli_opt *opts)
{
	bool params = false;
	for (const struct cli_opt *o = opts; o->type != CLI_OPT_END; o++)
		params |= o->type == CLI_OPT_PARAMS;
	if (!params)
		return "Exit status: 0 ok, 1 the work failed, 2 usage or config error.\n";
	return "Option values, highest first: the command line; --parameters (keys are the long\n"
	       "option names, with '_' or '-'); the environment variables shown as [env: ...];\n"
	       "the dataset's config; the defaults shown.\n"
	       "Exit status: 0 ok, 1 the work failed, 2 usage or config error.\n";
}

int cli_cmd_parse(struct cli_parse *p, struct cli_ctx *ctx, const struct cli_opt *opts,
		  int argc, char **argv)
{
	struct strbuf cmd = STRBUF_INIT, out = STRBUF_INIT, summary = STRBUF_INIT;
	int ret;

	strbuf_addf(&cmd, "%s %s", CLI_GROUP, ctx->cmd->name);
	cli_parse_init(p, opts, 0, ctx->arena);
	switch (cli_parse_run(p, argc, argv)) {
	case CLI_PARSE_OK:
		ret = CLI_CONTINUE;
		break;
	case CLI_PARSE_HELP:
		strbuf_addstr(&summary, ctx->cmd->summary);
		summary.buf[0] = (char)toupper((unsigned char)summary.buf[0]);
		strbuf_addch(&summary, '.');
		cli_opts_help(&out, cmd.buf, summary.buf, opts, epilog_text(opts));
		fwrite(out.buf, 1, out.len, stdout);
		ret = CLI_EXIT_OK;
		break;
	case CLI_PARSE_USAGE:
		cli_error("%s", p->err.buf);
		cli_opts_usage(&out, cmd.buf, opts);
		fprintf(stderr, "%s\n", out.buf);
		ret = CLI_EXIT_USAGE;
		break;
	default:
		ret = cli_error("%s", p->err.buf);
		break;
	}
	strbuf_release(&cmd);
	strbuf_release(&out);
	strbuf_release(&summary);
	return ret;
}

/* ---- the group and the global options ---- */

static void group_help(struct strbuf *sb)
{
	strbuf_addf(sb, "usage: %s COMMAND [OPTIONS]\n\n", CLI_GROUP);
	strbuf_addstr(sb, "Synthetic datasets for Microsoft Fabric: compile dataset configs into notebooks\n"
			  "and DDL, or generate the same rows locally.\n\nCommands:\n");
	for (const struct cli_cmd *c = cli_commands; c->name; c++) {
		size_t n = strlen(c->name);
		strbuf_addf(sb, "  %s", c->name);
		strbuf_addchars(sb, ' ', n < 28 ? 28 - n : 1);
		strbuf_addf(sb, "%s\n", c->summary);
	}
	strbuf_addstr(sb, "\nAliases (earlier upstream names):");
	for (size_t i = 0; i < N_ALIASES; i++)
		strbuf_addf(sb, "%s %s = %s", i ? "," : "", command_aliases[i].alias,
			    command_aliases[i].name);
	strbuf_addf(sb, "\n\nRun '%s COMMAND --help' for the options of a command.\n", CLI_GROUP);
}

static int unknown_word(const char *what, const char *word, const char *const *cands, size_t n)
{
	const char *best = diag_closest(word, cands, n);
	if (best)
		return cli_error("unknown %s '%s' (did you mean '%s'?)", what, word, best);
	return cli_error("unknown %s '%s'", what, word);
}

static int unknown_command(const char *word)
{
	const char *names[64];
	size_t n = 0;
	for (const struct cli_cmd *c = cli_commands; c->name && n < 60; c++)
		names[n++] = c->name;
	for (size_t i = 0; i < N_ALIASES && n < 63; i++)
		names[n++] = command_aliases[i].alias;
	names[n++] = "help";
	unknown_word("command", word, names, n);
	fprintf(stderr, "Run '%s --help' for the list of commands.\n", CLI_GROUP);
	return CLI_EXIT_USAGE;
}

static bool is_help(const char *s)
{
	return !strcmp(s, "--help") || !strcmp(s, "-h");
}

/* Runs the group's argv: argv[0] is COMMAND (or help). */
static int run_group(int argc, char **argv, struct cli_ctx *ctx)
{
	struct strbuf sb = STRBUF_INIT;
	const struct cli_cmd *cmd;
	int ret;

	if (argc < 1 || is_help(argv[0]) || !strcmp(argv[0], "help")) {
		if (argc >= 2 && !strcmp(argv[0], "help")) {
			/* help COMMAND: the command's own --help */
			char *help_argv[] = {argv[1], "--help", NULL};
			cmd = cli_find_command(argv[1]);
			if (!cmd)
				return unknown_command(argv[1]);
			ctx->cmd = cmd;
			return cmd->fn(2, help_argv, ctx);
		}
		group_help(&sb);
		if (argc < 1) {
			cli_error("missing command");
			fwrite(sb.buf, 1, sb.len, stderr);
			ret = CLI_EXIT_USAGE;
		} else {
			fwrite(sb.buf, 1, sb.len, stdout);
			ret = CLI_EXIT_OK;
		}
		strbuf_release(&sb);
		return ret;
	}
	cmd = cli_find_command(argv[0]);
	if (!cmd)
		return unknown_command(argv[0]);
	ctx->cmd = cmd;
	return cmd->fn(argc, argv, ctx);
}

static const char global_summary[] =
	"Compile synthetic-dataset configs (YAML) into Microsoft Fabric notebooks and DDL,\n"
	"and generate the same rows natively.";

static void global_help(struct strbuf *sb, const struct cli_opt *opts)
{
	struct strbuf help = STRBUF_INIT;
	const char *nl;
	cli_opts_help(&help, "ingen_fab", global_summary, opts, NULL);
	nl = strchr(help.buf, '\n');
	strbuf_addstr(sb, "usage: ingen_fab [OPTIONS] package synthetic-data COMMAND [ARGS]");
	strbuf_addstr(sb, nl ? nl : "\n");
	strbuf_addch(sb, '\n');
	group_help(sb);
	strbuf_release(&help);
}

/* The upstream CLI spells two global options with one dash and several letters. */
static char **rewrite_upstream_spellings(int argc, char **argv, struct arena *a)
{
	char **v = arena_calloc(a, (size_t)argc + 1, sizeof(*v));
	bool before_command = true;
	for (int i = 0; i < argc; i++) {
		const char *s = argv[i];
		v[i] = argv[i];
		if (!before_command || i == 0)
			continue;
		if (!strcmp(s, "package")) {
			before_command = false;
		} else if (!strcmp(s, "-fwd") || !strncmp(s, "-fwd=", 5)) {
			struct strbuf sb = STRBUF_INIT;
			strbuf_addf(&sb, "--fabric-workspace-repo-dir%s", s + 4);
			v[i] = arena_strdup(a, sb.buf);
			strbuf_release(&sb);
		} else if (!strcmp(s, "-fe") || !strncmp(s, "-fe=", 4)) {
			struct strbuf sb = STRBUF_INIT;
			strbuf_addf(&sb, "--fabric-environment%s", s + 3);
			v[i] = arena_strdup(a, sb.buf);
			strbuf_release(&sb);
		}
	}
	return v;
}

int cli_main(int argc, char **argv)
{
	struct arena arena = ARENA_INIT;
	struct cli_ctx ctx;
	struct cli_parse p;
	struct strbuf sb = STRBUF_INIT;
	const char *repo_dir = "./out", *fabric_env = "development";
	bool version = false;
	char **args;
	int ret, i;
	const struct cli_opt opts[] = {
		{.type = CLI_OPT_STRING, .long_name = "fabric-workspace-repo-dir", .value = &repo_dir,
		 .arg = "DIR", .help = "the output root, a Fabric workspace repo (also -fwd)",
		 .def = "./out", .env = "FABRIC_WORKSPACE_REPO_DIR", .env2 = "OUTPUT_PATH"},
		{.type = CLI_OPT_STRING, .long_name = "fabric-environment", .value = &fabric_env,
		 .arg = "NAME", .help = "the Fabric environment (variable library value set; also -fe)",
		 .def = "development", .env = "FABRIC_ENVIRONMENT"},
		{.type = CLI_OPT_FLAG, .short_name = 'v', .long_name = "version", .value = &version,
		 .help = "print the version and exit"},
		CLI_OPT_END_ENTRY,
	};

	arena_init(&arena);
	memset(&ctx, 0, sizeof(ctx));
	ctx.arena = &arena;
	args = rewrite_upstream_spellings(argc, argv, &arena);
	cli_parse_init(&p, opts, CLI_PARSE_STOP_AT_ARG, &arena);
	switch (cli_parse_run(&p, argc, args)) {
	case CLI_PARSE_OK:
		break;
	case CLI_PARSE_HELP:
		global_help(&sb, opts);
		fwrite(sb.buf, 1, sb.len, stdout);
		ret = CLI_EXIT_OK;
		goto done;
	default:
		ret = cli_error("%s", p.err.buf);
		goto done;
	}
	if (version) {
		printf("ingen_fab %s\n", INGEN_FAB_VERSION);
		ret = CLI_EXIT_OK;
		goto done;
	}
	ctx.repo_dir = repo_dir;
	ctx.fabric_environment = fabric_env;
	i = p.next;
	if (i >= argc) {
		cli_error("missing command");
		fprintf(stderr, "usage: ingen_fab [OPTIONS] package synthetic-data COMMAND [ARGS]\n"
				"Run 'ingen_fab --help' for more.\n");
		ret = CLI_EXIT_USAGE;
		goto done;
	}
	if (strcmp(args[i], "package")) {
		static const char *const words[] = {"package"};
		ret = unknown_word("command", args[i], words, 1);
		goto done;
	}
	i++;
	if (i >= argc || is_help(args[i])) {
		strbuf_addf(&sb, "usage: ingen_fab package PACKAGE COMMAND [OPTIONS]\n\n"
				 "Packages:\n  synthetic-data              %s\n",
			    "synthetic datasets: notebooks, DDL and local generation");
		if (i >= argc) {
			cli_error("missing package");
			fwrite(sb.buf, 1, sb.len, stderr);
			ret = CLI_EXIT_USAGE;
		} else {
			fwrite(sb.buf, 1, sb.len, stdout);
			ret = CLI_EXIT_OK;
		}
		goto done;
	}
	if (strcmp(args[i], "synthetic-data")) {
		static const char *const words[] = {"synthetic-data"};
		ret = unknown_word("package", args[i], words, 1);
		goto done;
	}
	i++;
	ret = run_group(argc - i, args + i, &ctx);
done:
	fflush(stdout);
	cli_parse_release(&p);
	strbuf_release(&sb);
	arena_release(&arena);
	return ret;
}
