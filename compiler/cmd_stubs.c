/*
 * cmd_stubs: the option tables of `compile` (its work is cmd_compile.c's)
 * and of the two commands whose work is built later,
 * compile-generic-templates and execute-with-parameters (generate is
 * cmd_generate.c; generate-incremental and generate-series are
 * cmd_incremental.c).  Their command lines are complete already:
 * every option of DESIGN section 3 (and of the upstream docs) parses and
 * is checked, including the checks that span options (dates in order, an
 * incremental dataset for the incremental commands), and --dry-run
 * validates and prints the plan.  Without --dry-run the stubs check their
 * datasets, then say "ingen_fab: '<command>' is not built yet" and exit 1:
 * never a fake result.  Whoever builds a command replaces its tail, after
 * the checks, and keeps the option table.
 */
#include "cli.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "model.h"
#include "plan.h"
#include "strbuf.h"

static int not_built(const struct cli_ctx *ctx)
{
	return cli_fail("'%s' is not built yet", ctx->cmd->name);
}

static bool in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return true;
	return false;
}

/* A check for NOTEBOOK arguments: a generic template name. */
static int check_generic_template(const char *value, struct strbuf *why)
{
	if (in_list(value, cli_generic_template_names))
		return 0;
	strbuf_addstr(why, "expected ");
	cli_join_choices(why, cli_generic_template_names);
	return -1;
}

/*
 * A generic template given where a dataset belongs: say which command
 * takes it (`with_name`: the command takes the template as its argument).
 */
static int generic_given_as_dataset(const char *ds, const char *command, bool with_name)
{
	if (!ds || !in_list(ds, cli_generic_template_names))
		return CLI_CONTINUE;
	return cli_error("'%s' is a generic template, not a dataset: use '%s %s%s%s'", ds,
			 CLI_GROUP, command, with_name ? " " : "", with_name ? ds : "");
}

static void add_date(struct strbuf *sb, int64_t days)
{
	cli_date_format(sb, days);
}

static void json_add_date(cJSON *obj, const char *key, int64_t days)
{
	struct strbuf sb = STRBUF_INIT;
	cli_date_format(&sb, days);
	cJSON_AddStringToObject(obj, key, sb.buf);
	strbuf_release(&sb);
}

/* Before any dataset is loaded: dates given on the command line are in order. */
static int check_date_order(const struct cmd_opts *o)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	int ret = CLI_CONTINUE;
	if (o->has_start_date && o->has_end_date && o->start_date > o->end_date) {
		add_date(&a, o->start_date);
		add_date(&b, o->end_date);
		ret = cli_error("--start-date '%s' is after --end-date '%s'", a.buf, b.buf);
	}
	strbuf_release(&a);
	strbuf_release(&b);
	return ret;
}

/*
 * The incremental commands need an incremental dataset and dates on or
 * after its start_date.  `o->has_date` selects the one-day form.
 */
static int check_incremental(const struct dataset *ds, const struct plan *plan,
			     struct strbuf *text, cJSON *json, struct diags *d, void *payload)
{
	const struct cmd_opts *o = payload;
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	int64_t first, start, end;
	int ret = -1;

	(void)plan;
	if (!ds->incremental) {
		diag_error(d, &ds->loc,
			   "dataset '%s' has no incremental section; this command needs an "
			   "incremental dataset (see 'list-incremental-datasets')", ds->id);
		goto done;
	}
	if (!o->has_date && !o->has_end_date) {
		ret = 0; /* generate --mode incremental|series: the dates come later */
		goto done;
	}
	first = ds->incremental->start_date;
	add_date(&b, first);
	if (o->has_date) {
		add_date(&a, o->date);
		if (o->date < first) {
			diag_error(d, &ds->incremental->loc,
				   "--date '%s' is before the dataset's start_date '%s'", a.buf, b.buf);
			goto done;
		}
		strbuf_addf(text, "date: %s (day %lld since start_date %s)\n", a.buf,
			    (long long)(o->date - first), b.buf);
		json_add_date(json, "date", o->date);
		cJSON_AddNumberToObject(json, "day_index", (double)(o->date - first));
		ret = 0;
		goto done;
	}
	start = o->has_start_date ? o->start_date : first;
	end = o->end_date;
	add_date(&a, start);
	if (start < first) {
		diag_error(d, &ds->incremental->loc,
			   "--start-date '%s' is before the dataset's start_date '%s'", a.buf, b.buf);
		goto done;
	}
	strbuf_reset(&b);
	add_date(&b, end);
	if (end < start) {
		diag_error(d, NULL, "--end-date '%s' is before the start date '%s'", b.buf, a.buf);
		goto done;
	}
	{
		int64_t days = end - start + 1;
		int64_t batches = (days + o->batch_size - 1) / o->batch_size;
		strbuf_addf(text, "dates: %s to %s (%lld day%s, %lld batch%s of up to %lld days)\n",
			    a.buf, b.buf, (long long)days, days == 1 ? "" : "s", (long long)batches,
			    batches == 1 ? "" : "es", (long long)o->batch_size);
		json_add_date(json, "start_date", start);
		json_add_date(json, "end_date", end);
		cJSON_AddNumberToObject(json, "days", (double)days);
		cJSON_AddNumberToObject(json, "batches", (double)batches);
	}
	ret = 0;
done:
	strbuf_release(&a);
	strbuf_release(&b);
	return ret;
}

/* Dry run, or the checks and then "not built yet". */
static int finish(struct cli_ctx *ctx, const struct cmd_opts *o, const struct cli_parse *p,
		  const char *ds, cli_plan_cb cb)
{
	int ret;
	if (o->dry_run)
		return cli_dry_run(ctx, o, p, ds ? &ds : NULL, ds ? 1 : 0, cb, (void *)o);
	ret = cli_check_datasets(ctx, o, ds ? &ds : NULL, ds ? 1 : 0, cb, (void *)o);
	if (ret != CLI_CONTINUE)
		return ret;
	return not_built(ctx);
}

static void print_enhanced_templates(void)
{
	for (const struct cli_template_info *t = cli_templates; t->name; t++)
		if (!strcmp(t->kind, "enhanced"))
			printf("%-24s %s\n", t->name, t->description);
}

int cmd_compile(int argc, char **argv, struct cli_ctx *ctx)
{
	struct cmd_opts o;
	struct cli_parse p;
	const char *ds;
	int ret;
	const struct cli_opt opts[] = {
		{.type = CLI_OPT_ARG, .arg = "DATASET_ID", .value = &o.dataset,
		 .help = "the dataset: an id from the catalogue or a path to a .yaml/.json config"},
		{.type = CLI_OPT_STRING, .short_name = 'd', .long_name = "dataset-id",
		 .value = &o.dataset_id, .arg = "ID", .help = "the dataset (instead of DATASET_ID)"},
		CMD_OPT_TARGET_ROWS(&o, 'r'),
		CMD_OPT_TARGET_ENV(&o, 'e'),
		CMD_OPT_GEN_MODE(&o, 'm'),
		CMD_OPT_SEED(&o, 's'),
		{.type = CLI_OPT_FLAG, .long_name = "include-ddl", .value = &o.include_ddl,
		 .help = "write the DDL scripts too", .def = "on", .flags = CLI_OPT_NEGATABLE},
		CMD_OPT_OUTPUT_MODE(&o, 'o', "table"),
		{.type = CLI_OPT_FLAG, .long_name = "enhanced", .value = &o.enhanced,
		 .help = "use an enhanced config template (runtime parameters, path patterns)"},
		{.type = CLI_OPT_ENUM, .short_name = 't', .long_name = "config-template",
		 .value = &o.config_template, .choices = cli_enhanced_template_names,
		 .arg = "NAME", .help = "the enhanced config template; 'list' lists them"},
		{.type = CLI_OPT_STRING, .short_name = 'p', .long_name = "path-pattern",
		 .value = &o.path_pattern, .arg = "PATTERN", .choices = cli_path_format_names,
		 .check = cli_check_path_format,
		 .help = "file layout for parquet/csv output: nested_daily, flat_with_date, "
			 "hive_partitioned, ... or a custom '{table}/{yyyy}/{mm}/{dd}'"},
		{.type = CLI_OPT_ENUM, .short_name = 'f', .long_name = "output-format",
		 .value = &o.artifacts, .choices = cli_artifacts_names,
		 .help = "which artifacts to write", .def = "all"},
		CMD_OPT_SCALE_FACTOR(&o),
		CMD_OPT_CHUNK_SIZE(&o),
		CMD_OPT_TABLES(&o),
		CMD_OPT_DATASETS_DIR(&o),
		CMD_OPT_TEMPLATES_DIR(&o),
		CMD_OPT_PARAMETERS(&o, 'c', "runtime-config"),
		CMD_OPT_DRY_RUN(&o),
		CMD_OPT_JSON(&o),
		CLI_OPT_END_ENTRY,
	};

	cmd_opts_init(&o);
	ret = cli_cmd_parse(&p, ctx, opts, argc, argv);
	if (ret != CLI_CONTINUE)
		goto done;
	if (o.config_template >= 0 && !strcmp(cli_enhanced_template_names[o.config_template], "list")) {
		print_enhanced_templates();
		ret = CLI_EXIT_OK;
		goto done;
	}
	if (o.dataset && o.dataset_id && strcmp(o.dataset, o.dataset_id)) {
		ret = cli_error("two datasets given: '%s' (argument) and '%s' (--dataset-id)",
				o.dataset, o.dataset_id);
		goto done;
	}
	ds = o.dataset ? o.dataset : o.dataset_id;
	if (o.enhanced && o.config_template < 0) {
		struct strbuf sb = STRBUF_INIT;
		cli_join_choices(&sb, cli_enhanced_template_names);
		ret = cli_error("--enhanced needs --config-template (%s)", sb.buf);
		strbuf_release(&sb);
		goto done;
	}
	if (!ds && !o.enhanced) {
		struct strbuf sb = STRBUF_INIT;
		cli_error("missing dataset: give DATASET_ID or --dataset-id");
		cli_opts_usage(&sb, CLI_GROUP " compile", opts);
		fprintf(stderr, "%s\n", sb.buf);
		strbuf_release(&sb);
		ret = CLI_EXIT_USAGE;
		goto done;
	}
	ret = generic_given_as_dataset(ds, "compile-generic-templates", false);
	if (ret != CLI_CONTINUE)
		goto done;
	if (o.dry_run)
		ret = finish(ctx, &o, &p, ds, NULL);
	else
		ret = cmd_compile_run(ctx, &o, ds);
done:
	cli_parse_release(&p);
	return ret;
}

/* The generic templates a compile-generic-templates run selects. */
static bool template_selected(const struct cli_template_info *t, const struct cmd_opts *o)
{
	if (strcmp(t->kind, "generic") || strcmp(t->target, cli_target_names[o->target_environment]))
		return false;
	return o->template_type == CLI_TEMPLATES_ALL ||
	       !strcmp(t->shape, cli_template_type_names[o->template_type]);
}

int cmd_compile_generic_templates(int argc, char **argv, struct cli_ctx *ctx)
{
	struct cmd_opts o;
	struct cli_parse p;
	int ret;
	const struct cli_opt opts[] = {
		CMD_OPT_TARGET_ENV(&o, 't'),
		{.type = CLI_OPT_FLAG, .long_name = "force", .value = &o.force,
		 .help = "recompile notebooks that exist already"},
		{.type = CLI_OPT_ENUM, .long_name = "template-type", .value = &o.template_type,
		 .choices = cli_template_type_names, .help = "which templates", .def = "all"},
		CMD_OPT_TEMPLATES_DIR(&o),
		CMD_OPT_PARAMETERS(&o, 0, NULL),
		CMD_OPT_DRY_RUN(&o),
		CMD_OPT_JSON(&o),
		CLI_OPT_END_ENTRY,
	};

	cmd_opts_init(&o);
	ret = cli_cmd_parse(&p, ctx, opts, argc, argv);
	if (ret != CLI_CONTINUE)
		goto done;
	if (!o.dry_run) {
		ret = not_built(ctx);
		goto done;
	}
	if (o.json) {
		cJSON *doc = cJSON_CreateObject(), *arr;
		cJSON_AddStringToObject(doc, "command", ctx->cmd->name);
		cJSON_AddBoolToObject(doc, "dry_run", true);
		cJSON_AddStringToObject(doc, "output_root", ctx->repo_dir);
		cli_parse_to_json(cJSON_AddObjectToObject(doc, "options"),
				  cJSON_AddObjectToObject(doc, "sources"), &p);
		arr = cJSON_AddArrayToObject(doc, "templates");
		for (const struct cli_template_info *t = cli_templates; t->name; t++) {
			struct strbuf path = STRBUF_INIT;
			cJSON *item;
			if (!template_selected(t, &o))
				continue;
			strbuf_addf(&path, "fabric_workspace_items/synthetic_data_generation/generic/%s.Notebook",
				    t->name);
			item = cJSON_CreateObject();
			cJSON_AddStringToObject(item, "name", t->name);
			cJSON_AddStringToObject(item, "path", path.buf);
			cJSON_AddItemToArray(arr, item);
			strbuf_release(&path);
		}
		cli_print_json(doc);
		cJSON_Delete(doc);
	} else {
		struct strbuf sb = STRBUF_INIT;
		strbuf_addf(&sb, "dry run: %s %s\noutput root: %s\n", CLI_GROUP, ctx->cmd->name,
			    ctx->repo_dir);
		{
			struct strbuf d = STRBUF_INIT;
			cli_parse_describe(&d, &p);
			if (d.len)
				strbuf_addf(&sb, "options:\n%s", d.buf);
			strbuf_release(&d);
		}
		strbuf_addstr(&sb, "\nwould compile:\n");
		for (const struct cli_template_info *t = cli_templates; t->name; t++)
			if (template_selected(t, &o))
				strbuf_addf(&sb, "  fabric_workspace_items/synthetic_data_generation/generic/%s.Notebook\n",
					    t->name);
		fwrite(sb.buf, 1, sb.len, stdout);
		strbuf_release(&sb);
	}
	ret = CLI_EXIT_OK;
done:
	cli_parse_release(&p);
	return ret;
}

int cmd_execute_with_parameters(int argc, char **argv, struct cli_ctx *ctx)
{
	struct cmd_opts o;
	struct cli_parse p;
	bool series;
	int ret;
	const struct cli_opt opts[] = {
		{.type = CLI_OPT_ARG, .arg = "NOTEBOOK", .value = &o.notebook,
		 .help = "the generic notebook to run", .choices = cli_generic_template_names,
		 .check = check_generic_template, .flags = CLI_OPT_REQUIRED},
		{.type = CLI_OPT_STRING, .long_name = "dataset-id", .value = &o.dataset_id,
		 .arg = "ID", .help = "the dataset: an id or a path to a config"},
		{.type = CLI_OPT_DATE, .long_name = "start-date", .value = &o.start_date,
		 .given = &o.has_start_date, .help = "series: the first day",
		 .def = "the dataset's incremental start_date"},
		{.type = CLI_OPT_DATE, .long_name = "end-date", .value = &o.end_date,
		 .given = &o.has_end_date, .help = "series: the last day (included)"},
		{.type = CLI_OPT_INT, .long_name = "batch-size", .value = &o.batch_size,
		 .arg = "DAYS", .help = "series: days per batch", .def = "10", .imin = 1,
		 .imax = 36600},
		CMD_OPT_TARGET_ROWS(&o, 0),
		CMD_OPT_SCALE_FACTOR(&o),
		CMD_OPT_PATH_FORMAT(&o, 0, "path-format", "nested"),
		CMD_OPT_OUTPUT_MODE(&o, 0, "table"),
		CMD_OPT_SEED(&o, 0),
		CMD_OPT_GEN_MODE(&o, 0),
		{.type = CLI_OPT_JSON, .long_name = "custom-schema", .value = &o.custom_schema,
		 .help = "a dataset config as a JSON object, instead of --dataset-id"},
		{.type = CLI_OPT_FLAG, .long_name = "enable-partitioning",
		 .value = &o.enable_partitioning, .help = "partition tables by their partition columns"},
		{.type = CLI_OPT_FLAG, .long_name = "ignore-state", .value = &o.ignore_state,
		 .help = "series: start afresh, ignoring the state of earlier runs"},
		CMD_OPT_CHUNK_SIZE(&o),
		CMD_OPT_TABLES(&o),
		CMD_OPT_DATASETS_DIR(&o),
		CMD_OPT_PARAMETERS(&o, 0, NULL),
		{.type = CLI_OPT_FLAG, .long_name = "dry-run", .alias = "validate-only",
		 .value = &o.dry_run, .help = "validate and print the plan; run nothing",
		 .flags = CLI_OPT_QUIET},
		CMD_OPT_JSON(&o),
		CLI_OPT_END_ENTRY,
	};

	cmd_opts_init(&o);
	o.path_format = "nested";
	ret = cli_cmd_parse(&p, ctx, opts, argc, argv);
	if (ret != CLI_CONTINUE)
		goto done;
	if (o.dataset_id && o.custom_schema) {
		ret = cli_error("give --dataset-id or --custom-schema, not both");
		goto done;
	}
	ret = check_date_order(&o);
	if (ret != CLI_CONTINUE)
		goto done;
	series = strstr(o.notebook, "_series_") != NULL;
	if (series && o.dataset_id && !o.has_end_date) {
		ret = cli_error("'%s' needs --end-date", o.notebook);
		goto done;
	}
	ret = finish(ctx, &o, &p, o.dataset_id, series ? check_incremental : NULL);
done:
	cli_parse_release(&p);
	return ret;
}
