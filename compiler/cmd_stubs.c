/*
 * cmd_stubs: the option table of `compile` (its work is cmd_compile.c's)
 * and the enhanced config templates (`compile --enhanced -t NAME`: a
 * config embedded from datasets/enhanced/, compiled by the normal
 * pipeline).  --dry-run validates and prints the plan.  The generic
 * template commands are cmd_generic.c; generate is cmd_generate.c;
 * generate-incremental and generate-series are cmd_incremental.c.
 */
#include "cli.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "embedded.h"
#include "model.h"
#include "plan.h"
#include "strbuf.h"

static int not_built(const struct cli_ctx *ctx)
{
	return cli_fail("'%s' is not built yet", ctx->cmd->name);
}

/*
 * A generic template given where a dataset belongs: say which command
 * takes it (`with_name`: the command takes the template as its argument).
 */
static int generic_given_as_dataset(const char *ds, const char *command, bool with_name)
{
	if (!ds || !cli_in_list(ds, cli_generic_template_names))
		return CLI_CONTINUE;
	return cli_error("'%s' is a generic template, not a dataset: use '%s %s%s%s'", ds,
			 CLI_GROUP, command, with_name ? " " : "", with_name ? ds : "");
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

/*
 * The enhanced config templates: a dataset config embedded as
 * datasets/enhanced/<name>.yaml (outside the catalogue, so list-datasets
 * does not show it) and the output mode it is compiled with unless
 * --output-mode is given.  Its partitioning and compression are in the
 * config's `output` section.
 */
static const struct {
	const char *name;
	int output_mode; /* enum cli_output_mode */
} enhanced_defaults[] = {
	{"retail_oltp_enhanced", CLI_OUTPUT_TABLE},
	{"retail_star_enhanced", CLI_OUTPUT_PARQUET},
	{"ecommerce_full_stack", CLI_OUTPUT_TABLE},
};

/*
 * compile --enhanced -t NAME: the embedded config is written to a scratch
 * folder and compiled from there by the normal pipeline.
 */
static int compile_enhanced(struct cli_ctx *ctx, struct cmd_opts *o, const struct cli_parse *p)
{
	const char *name = cli_enhanced_template_names[o->config_template];
	const char *tmp = getenv("TMPDIR");
	const struct embedded_file *f;
	struct strbuf path = STRBUF_INIT, dir = STRBUF_INIT;
	FILE *out;
	int ret;

	strbuf_addf(&path, "datasets/enhanced/%s.yaml", name);
	f = embedded_find(path.buf);
	if (!f) {
		ret = cli_fail("the enhanced template '%s' is not in this build", name);
		goto done;
	}
	for (size_t i = 0; i < sizeof(enhanced_defaults) / sizeof(enhanced_defaults[0]); i++)
		if (!strcmp(enhanced_defaults[i].name, name) &&
		    cli_parse_source(p, "output-mode") == CLI_SRC_DEFAULT)
			o->output_mode = enhanced_defaults[i].output_mode;
	strbuf_addf(&dir, "%s/ingen_fab-enhanced-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir.buf)) {
		ret = cli_fail("cannot create a scratch folder '%s': %s", dir.buf, strerror(errno));
		goto done;
	}
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/%s.yaml", dir.buf, name);
	out = fopen(path.buf, "w");
	if (!out || fwrite(f->data, 1, f->len, out) != f->len || fclose(out)) {
		ret = cli_fail("cannot write '%s': %s", path.buf, strerror(errno));
		goto cleanup;
	}
	ret = cmd_compile_run(ctx, o, path.buf);
cleanup:
	(void)unlink(path.buf);
	(void)rmdir(dir.buf);
done:
	strbuf_release(&path);
	strbuf_release(&dir);
	return ret;
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
	if (o.config_template >= 0 && ds) {
		ret = cli_error("give a dataset or '--config-template %s', not both",
				cli_enhanced_template_names[o.config_template]);
		goto done;
	}
	if (o.config_template >= 0 && !o.dry_run) {
		ret = compile_enhanced(ctx, &o, &p);
		goto done;
	}
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
