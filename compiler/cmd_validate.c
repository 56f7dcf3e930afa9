/*
 * cmd_validate: `validate DATASET...` and the --dry-run path that every
 * dataset-taking command shares.  Both load each dataset from the
 * catalogue (an id, or a path to a config file), build its plan with the
 * command's options, and print the plan: plan_format_text(), or
 * plan_format_json() with --json.  Every dataset is tried, so one run
 * reports the errors of all of them; then the diagnostics go to stderr with
 * a count ("ingen_fab: 3 errors") and the exit status is 2.  Plans of the
 * datasets that did validate are still printed on stdout.
 */
#include "cli.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "catalog.h"
#include "model.h"
#include "plan.h"
#include "strbuf.h"

int cli_catalog_open(struct catalog *c, const struct cmd_opts *o, struct diags *d)
{
	return catalog_init(c, o->datasets_dirs.items, o->datasets_dirs.n, d);
}

void cli_plan_options(struct plan_options *out, const struct cmd_opts *o)
{
	memset(out, 0, sizeof(*out));
	out->target_rows = o->has_target_rows ? o->target_rows : 0;
	out->scale_factor = o->has_scale_factor ? o->scale_factor : 0;
	out->has_seed = o->has_seed;
	out->seed = o->has_seed ? o->seed : 0;
	out->mode = (enum gen_mode)o->generation_mode;
	out->chunk_size = o->has_chunk_size ? o->chunk_size : 0;
	out->tables = o->tables.n ? o->tables.items : NULL;
	out->n_tables = o->tables.n;
}

/* One dataset loaded and planned (and checked by the command's callback). */
struct planned {
	const char *id;
	struct plan plan;
	struct strbuf text;   /* the callback's lines */
	cJSON *json;          /* the callback's members */
};

/*
 * Loads and plans each dataset; returns how many succeeded in *out (an
 * arena array), with the failures' diagnostics in `d`.  The catalogue
 * `cat` (zeroed by the caller) owns the file names that plans and
 * diagnostics point to: the caller releases it after printing them.
 */
static int plan_all(struct planned **out, size_t *n_out, struct catalog *cat, struct cli_ctx *ctx,
		    const struct cmd_opts *o, const char *const *ids, size_t n_ids, cli_plan_cb cb,
		    void *payload, struct diags *d)
{
	struct plan_options po;
	struct planned *v;
	size_t n = 0;

	*out = NULL;
	*n_out = 0;
	if (!n_ids)
		return 0;
	if (cli_catalog_open(cat, o, d) < 0)
		return -1;
	cli_plan_options(&po, o);
	v = arena_calloc(ctx->arena, n_ids, sizeof(*v));
	for (size_t i = 0; i < n_ids; i++) {
		struct dataset *ds = NULL;
		struct planned *pl = &v[n];
		if (catalog_load_dataset(&ds, cat, ids[i], ctx->arena, d) < 0)
			continue;
		if (plan_build(&pl->plan, ds, &po, ctx->arena, d) < 0)
			continue;
		pl->id = ids[i];
		strbuf_init(&pl->text, 0);
		pl->json = cJSON_CreateObject();
		if (cb && cb(ds, &pl->plan, &pl->text, pl->json, d, payload) < 0) {
			strbuf_release(&pl->text);
			cJSON_Delete(pl->json);
			continue;
		}
		n++;
	}
	*out = v;
	*n_out = n;
	return 0;
}

static void release_planned(struct planned *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		strbuf_release(&v[i].text);
		cJSON_Delete(v[i].json);
	}
}

/*
 * The plan as a raw cJSON item: its text is kept as plan_format_json()
 * wrote it, since parsing would round 64-bit column seeds to doubles.
 */
static cJSON *plan_json(const struct plan *plan)
{
	struct strbuf sb = STRBUF_INIT;
	cJSON *j;
	plan_format_json(&sb, plan);
	while (sb.len && sb.buf[sb.len - 1] == '\n')
		strbuf_setlen(&sb, sb.len - 1);
	j = cJSON_CreateRaw(sb.buf);
	strbuf_release(&sb);
	return j;
}

int cli_dry_run(struct cli_ctx *ctx, const struct cmd_opts *o, const struct cli_parse *p,
		const char *const *ids, size_t n_ids, cli_plan_cb cb, void *payload)
{
	struct diags d = DIAGS_INIT;
	struct catalog cat;
	struct planned *v;
	size_t n;
	int ret;

	memset(&cat, 0, sizeof(cat));
	plan_all(&v, &n, &cat, ctx, o, ids, n_ids, cb, payload, &d);
	if (o->json) {
		cJSON *doc = cJSON_CreateObject(), *options, *sources, *arr;
		cJSON_AddStringToObject(doc, "command", ctx->cmd->name);
		cJSON_AddBoolToObject(doc, "dry_run", true);
		cJSON_AddStringToObject(doc, "output_root", ctx->repo_dir);
		options = cJSON_AddObjectToObject(doc, "options");
		sources = cJSON_AddObjectToObject(doc, "sources");
		cli_parse_to_json(options, sources, p);
		arr = cJSON_AddArrayToObject(doc, "datasets");
		for (size_t i = 0; i < n; i++) {
			cJSON *item = cJSON_CreateObject(), *m;
			cJSON_AddStringToObject(item, "dataset", v[i].id);
			while ((m = v[i].json->child) != NULL) {
				cJSON_DetachItemViaPointer(v[i].json, m);
				cJSON_AddItemToObject(item, m->string, m);
			}
			cJSON_AddItemToObject(item, "plan", plan_json(&v[i].plan));
			cJSON_AddItemToArray(arr, item);
		}
		cJSON_AddNumberToObject(doc, "errors", d.errors);
		cli_print_json(doc);
		cJSON_Delete(doc);
	} else {
		struct strbuf sb = STRBUF_INIT;
		strbuf_addf(&sb, "dry run: %s %s\noutput root: %s\n", CLI_GROUP, ctx->cmd->name,
			    ctx->repo_dir);
		{
			struct strbuf opts = STRBUF_INIT;
			cli_parse_describe(&opts, p);
			if (opts.len)
				strbuf_addf(&sb, "options:\n%s", opts.buf);
			strbuf_release(&opts);
		}
		for (size_t i = 0; i < n; i++) {
			strbuf_addch(&sb, '\n');
			strbuf_addstr(&sb, v[i].text.buf);
			plan_format_text(&sb, &v[i].plan);
		}
		fwrite(sb.buf, 1, sb.len, stdout);
		strbuf_release(&sb);
	}
	release_planned(v, n);
	ret = cli_report_diags(&d);
	diags_release(&d);
	catalog_release(&cat);
	return ret;
}

int cli_check_datasets(struct cli_ctx *ctx, const struct cmd_opts *o, const char *const *ids,
		       size_t n_ids, cli_plan_cb cb, void *payload)
{
	struct diags d = DIAGS_INIT;
	struct catalog cat;
	struct planned *v;
	size_t n;
	int ret;

	memset(&cat, 0, sizeof(cat));
	plan_all(&v, &n, &cat, ctx, o, ids, n_ids, cb, payload, &d);
	release_planned(v, n);
	ret = cli_report_diags(&d);
	diags_release(&d);
	catalog_release(&cat);
	return ret == CLI_EXIT_OK ? CLI_CONTINUE : ret;
}

int cmd_validate(int argc, char **argv, struct cli_ctx *ctx)
{
	struct cmd_opts o;
	struct cli_parse p;
	struct diags d = DIAGS_INIT;
	struct catalog cat;
	struct planned *v = NULL;
	size_t n = 0;
	int ret;
	const struct cli_opt opts[] = {
		{.type = CLI_OPT_ARG, .arg = "DATASET", .value = &o.datasets,
		 .help = "a dataset id from the catalogue, or a path to a .yaml/.json config",
		 .flags = CLI_OPT_REQUIRED | CLI_OPT_MULTI},
		CMD_OPT_TARGET_ROWS(&o, 'r'),
		CMD_OPT_SCALE_FACTOR(&o),
		CMD_OPT_SEED(&o, 's'),
		CMD_OPT_GEN_MODE(&o, 'm'),
		CMD_OPT_CHUNK_SIZE(&o),
		CMD_OPT_TABLES(&o),
		CMD_OPT_DATASETS_DIR(&o),
		CMD_OPT_PARAMETERS(&o, 0, NULL),
		{.type = CLI_OPT_FLAG, .long_name = "dry-run", .value = &o.dry_run,
		 .help = "accepted for symmetry: validate never writes anything"},
		{.type = CLI_OPT_FLAG, .long_name = "json", .value = &o.json,
		 .help = "print the plan as JSON (an array of plans for several datasets)"},
		CLI_OPT_END_ENTRY,
	};

	memset(&cat, 0, sizeof(cat));
	cmd_opts_init(&o);
	ret = cli_cmd_parse(&p, ctx, opts, argc, argv);
	if (ret != CLI_CONTINUE)
		goto done;
	plan_all(&v, &n, &cat, ctx, &o, o.datasets.items, o.datasets.n, NULL, NULL, &d);
	if (o.json && o.datasets.n > 1) {
		cJSON *arr = cJSON_CreateArray();
		for (size_t i = 0; i < n; i++)
			cJSON_AddItemToArray(arr, plan_json(&v[i].plan));
		cli_print_json(arr);
		cJSON_Delete(arr);
	} else if (o.json) {
		if (n) {
			cJSON *one = plan_json(&v[0].plan);
			cli_print_json(one);
			cJSON_Delete(one);
		}
	} else {
		struct strbuf sb = STRBUF_INIT;
		for (size_t i = 0; i < n; i++) {
			if (i)
				strbuf_addch(&sb, '\n');
			plan_format_text(&sb, &v[i].plan);
		}
		fwrite(sb.buf, 1, sb.len, stdout);
		strbuf_release(&sb);
	}
	release_planned(v, n);
	ret = cli_report_diags(&d);
done:
	diags_release(&d);
	catalog_release(&cat);
	cli_parse_release(&p);
	return ret;
}
