/*
 * cmd_compile: the end of the `compile` command, after cmd_stubs.c's option
 * table and checks: turns the options into a compile request, runs the
 * pipeline (compile.c) and reports the files written, as text or --json.
 */
#include "cli.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "arena.h"
#include "compile.h"
#include "strbuf.h"

int cmd_compile_run(struct cli_ctx *ctx, const struct cmd_opts *o, const char *dataset)
{
	struct compile_request req;
	struct compile_result res;
	struct diags d = DIAGS_INIT;
	int ret, rc;

	memset(&req, 0, sizeof(req));
	req.dataset = dataset;
	req.datasets_dirs = o->datasets_dirs.items;
	req.n_datasets_dirs = o->datasets_dirs.n;
	cli_plan_options(&req.plan_options, o);
	for (size_t i = 0; i < o->templates_dirs.n; i++) {
		struct stat st;
		if (stat(o->templates_dirs.items[i], &st) || !S_ISDIR(st.st_mode)) {
			ret = cli_error("--templates-dir '%s' is not a folder", o->templates_dirs.items[i]);
			goto done;
		}
	}
	req.templates.dirs = o->templates_dirs.items;
	req.templates.n_dirs = o->templates_dirs.n;
	req.root = ctx->repo_dir;
	req.warehouse = o->target_environment == CLI_TARGET_WAREHOUSE;
	req.output_mode = cli_output_mode_names[o->output_mode];
	req.path_pattern = o->path_pattern;
	req.notebook = o->artifacts != CLI_ARTIFACTS_DDL;
	req.ddl = o->include_ddl && o->artifacts != CLI_ARTIFACTS_NOTEBOOK;
	rc = compile_dataset(&res, &req, ctx->arena, &d);
	if (rc) {
		ret = cli_report_diags(&d);
		if (rc == COMPILE_EIO) /* the config was fine; writing failed */
			ret = CLI_EXIT_FAILURE;
		goto done;
	}
	if (o->json) {
		cJSON *doc = cJSON_CreateObject(), *files = cJSON_CreateArray();
		cJSON_AddStringToObject(doc, "status", "ok");
		cJSON_AddStringToObject(doc, "dataset_id", res.dataset_id);
		if (res.notebook_name)
			cJSON_AddStringToObject(doc, "notebook", res.notebook_name);
		else
			cJSON_AddNullToObject(doc, "notebook");
		cJSON_AddStringToObject(doc, "generation_mode", gen_mode_name(res.mode));
		cJSON_AddStringToObject(doc, "target_environment", cli_target_names[o->target_environment]);
		cJSON_AddStringToObject(doc, "output_root", ctx->repo_dir);
		for (size_t i = 0; i < res.n_files; i++)
			cJSON_AddItemToArray(files, cJSON_CreateString(res.files[i]));
		cJSON_AddItemToObject(doc, "files", files);
		cli_print_json(doc);
		cJSON_Delete(doc);
	} else {
		printf("compiled %s (%s, %lld target rows, %s) into %s:\n", res.dataset_id, gen_mode_name(res.mode),
		       (long long)res.target_rows, cli_target_names[o->target_environment], ctx->repo_dir);
		for (size_t i = 0; i < res.n_files; i++)
			printf("  %s\n", res.files[i]);
	}
	ret = CLI_EXIT_OK;
done:
	diags_release(&d);
	return ret;
}
