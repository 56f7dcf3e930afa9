/*
 * cmd_list: the catalogue commands.  list-datasets,
 * list-incremental-datasets, list-enhanced and the unified `list` all load
 * every dataset of the catalogue (built-in, INGEN_FAB_DATASETS,
 * --datasets-dir) and validate it, so a listing doubles as a health check:
 * a dataset that fails is still listed, with status "invalid", its
 * diagnostics go to stderr and the command exits 1.  Output is an aligned
 * table, or with --format json (or --json) one pretty-printed JSON object
 * whose keys come in a fixed order.
 */
#include "cli.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "catalog.h"
#include "model.h"
#include "strbuf.h"

struct ds_row {
	const struct catalog_entry *entry;
	const struct dataset *ds; /* NULL when it does not validate */
	bool incremental;
	struct diags diags;
};

struct ds_list {
	struct catalog cat;
	struct ds_row *rows;
	size_t n;
	int invalid;
};

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && !strcmp(s + n - k, suffix);
}

/* Loads the catalogue and every dataset in it; -1 when the catalogue itself fails. */
static int load_all(struct ds_list *l, struct cli_ctx *ctx, const struct cmd_opts *o,
		    struct diags *d)
{
	memset(l, 0, sizeof(*l));
	if (cli_catalog_open(&l->cat, o, d) < 0)
		return -1;
	l->rows = arena_calloc(ctx->arena, l->cat.n + 1, sizeof(*l->rows));
	for (size_t i = 0; i < l->cat.n; i++) {
		struct ds_row *r = &l->rows[l->n++];
		struct dataset *ds = NULL;
		r->entry = &l->cat.items[i];
		diags_init(&r->diags);
		if (catalog_load_dataset(&ds, &l->cat, r->entry->id, ctx->arena, &r->diags) < 0)
			ds = NULL;
		r->ds = ds;
		r->incremental = ds ? ds->incremental != NULL : ends_with(r->entry->id, "_incremental");
		if (!ds)
			l->invalid++;
	}
	return 0;
}

static void release_all(struct ds_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		diags_release(&l->rows[i].diags);
	catalog_release(&l->cat);
}

/* Which rows a listing shows. */
enum which { WHICH_PLAIN, WHICH_INCREMENTAL, WHICH_BOTH };

static bool shown(const struct ds_row *r, enum which w)
{
	return w == WHICH_BOTH || (w == WHICH_INCREMENTAL) == r->incremental;
}

/* ---- tables ---- */

#define N_COLS 7

static void add_cell(struct strbuf *sb, const char *s, size_t width, bool last)
{
	size_t n = strlen(s);
	strbuf_addstr(sb, s);
	if (!last)
		strbuf_addchars(sb, ' ', width > n ? width - n + 2 : 2);
}

/* Prints rows of N_COLS cells with columns as wide as their widest cell. */
static void add_table(struct strbuf *sb, const char *const *cells, size_t n_rows, size_t n_cols)
{
	size_t width[N_COLS] = {0};
	for (size_t r = 0; r < n_rows; r++)
		for (size_t c = 0; c < n_cols; c++) {
			size_t n = strlen(cells[r * n_cols + c]);
			if (n > width[c])
				width[c] = n;
		}
	for (size_t r = 0; r < n_rows; r++) {
		for (size_t c = 0; c < n_cols; c++)
			add_cell(sb, cells[r * n_cols + c], width[c], c + 1 == n_cols);
		strbuf_addch(sb, '\n');
	}
}

static const char *fmt_int(struct arena *a, long long v)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%lld", v);
	return arena_strdup(a, buf);
}

static void datasets_table(struct strbuf *sb, const struct ds_list *l, enum which w,
			   struct arena *a)
{
	static const char *const head[N_COLS] = {"ID", "NAME", "DOMAIN", "PATTERN", "TABLES",
						 "TARGET_ROWS", "STATUS"};
	const char **cells = arena_calloc(a, (l->n + 1) * N_COLS, sizeof(*cells));
	size_t n = 1;
	memcpy(cells, head, sizeof(head));
	for (size_t i = 0; i < l->n; i++) {
		const struct ds_row *r = &l->rows[i];
		const char **row = &cells[n * N_COLS];
		if (!shown(r, w))
			continue;
		row[0] = r->entry->id;
		if (r->ds) {
			row[1] = r->ds->name ? r->ds->name : "-";
			row[2] = r->ds->domain ? r->ds->domain : "-";
			row[3] = schema_pattern_name(r->ds->pattern);
			row[4] = fmt_int(a, (long long)r->ds->n_tables);
			row[5] = fmt_int(a, (long long)r->ds->target_rows);
			row[6] = "ok";
		} else {
			row[1] = row[2] = row[3] = row[4] = row[5] = "-";
			row[6] = "invalid";
		}
		n++;
	}
	add_table(sb, cells, n, N_COLS);
}

static void templates_table(struct strbuf *sb, int filter_target, struct arena *a)
{
	static const char *const head[5] = {"NAME", "KIND", "TARGET", "SHAPE", "DESCRIPTION"};
	const char **cells = arena_calloc(a, 16 * 5, sizeof(*cells));
	size_t n = 1;
	memcpy(cells, head, sizeof(head));
	for (const struct cli_template_info *t = cli_templates; t->name && n < 16; t++) {
		const char **row = &cells[n * 5];
		if (filter_target >= 0 && t->target && strcmp(t->target, cli_target_names[filter_target]))
			continue;
		row[0] = t->name;
		row[1] = t->kind;
		row[2] = t->target ? t->target : "-";
		row[3] = t->shape ? t->shape : "-";
		row[4] = t->description;
		n++;
	}
	add_table(sb, cells, n, 5);
}

/* ---- JSON ---- */

static void add_raw_int(cJSON *obj, const char *key, long long v)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%lld", v);
	cJSON_AddRawToObject(obj, key, buf);
}

static cJSON *dataset_json(const struct ds_row *r)
{
	cJSON *o = cJSON_CreateObject();
	const struct dataset *ds = r->ds;
	cJSON_AddStringToObject(o, "id", r->entry->id);
	if (ds) {
		cJSON *tables, *tags;
		cJSON_AddStringToObject(o, "name", ds->name ? ds->name : "");
		if (ds->description)
			cJSON_AddStringToObject(o, "description", ds->description);
		cJSON_AddStringToObject(o, "type", dataset_type_name(ds->type));
		cJSON_AddStringToObject(o, "pattern", schema_pattern_name(ds->pattern));
		cJSON_AddStringToObject(o, "domain", ds->domain ? ds->domain : "");
		add_raw_int(o, "target_rows", (long long)ds->target_rows);
		cJSON_AddNumberToObject(o, "scale_factor", ds->scale_factor);
		add_raw_int(o, "seed", (long long)ds->seed);
		cJSON_AddBoolToObject(o, "incremental", ds->incremental != NULL);
		add_raw_int(o, "n_tables", (long long)ds->n_tables);
		tables = cJSON_AddArrayToObject(o, "tables");
		for (size_t i = 0; i < ds->n_tables; i++)
			cJSON_AddItemToArray(tables, cJSON_CreateString(ds->tables[i]->name));
		tags = cJSON_AddArrayToObject(o, "tags");
		for (size_t i = 0; i < ds->n_tags; i++)
			cJSON_AddItemToArray(tags, cJSON_CreateString(ds->tags[i]));
	} else {
		cJSON_AddBoolToObject(o, "incremental", r->incremental);
	}
	cJSON_AddStringToObject(o, "source", r->entry->display_path);
	cJSON_AddBoolToObject(o, "builtin", r->entry->builtin);
	cJSON_AddStringToObject(o, "status", ds ? "ok" : "invalid");
	if (!ds) {
		cJSON *errs = cJSON_AddArrayToObject(o, "errors");
		struct strbuf sb = STRBUF_INIT;
		for (size_t i = 0; i < r->diags.n; i++) {
			strbuf_reset(&sb);
			diag_format(&sb, &r->diags.items[i]);
			cJSON_AddItemToArray(errs, cJSON_CreateString(sb.buf));
		}
		strbuf_release(&sb);
	}
	return o;
}

static cJSON *datasets_json(const struct ds_list *l, enum which w)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < l->n; i++)
		if (shown(&l->rows[i], w))
			cJSON_AddItemToArray(arr, dataset_json(&l->rows[i]));
	return arr;
}

static cJSON *templates_json(const char *kind, int filter_target)
{
	cJSON *arr = cJSON_CreateArray();
	for (const struct cli_template_info *t = cli_templates; t->name; t++) {
		cJSON *o;
		if (strcmp(t->kind, kind))
			continue;
		if (filter_target >= 0 && t->target && strcmp(t->target, cli_target_names[filter_target]))
			continue;
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", t->name);
		cJSON_AddStringToObject(o, "kind", t->kind);
		if (t->target)
			cJSON_AddStringToObject(o, "target_environment", t->target);
		if (t->shape)
			cJSON_AddStringToObject(o, "shape", t->shape);
		cJSON_AddStringToObject(o, "description", t->description);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

/* ---- the commands ---- */

/* Prints the diagnostics of invalid datasets; returns the exit status of the listing. */
static int finish(const struct ds_list *l, enum which w)
{
	int errors = 0;
	fflush(stdout);
	for (size_t i = 0; i < l->n; i++) {
		if (!shown(&l->rows[i], w) || l->rows[i].ds)
			continue;
		diags_print(&l->rows[i].diags, stderr);
		errors += l->rows[i].diags.errors;
	}
	if (!errors)
		return CLI_EXIT_OK;
	fprintf(stderr, "ingen_fab: %d error%s\n", errors, errors == 1 ? "" : "s");
	return CLI_EXIT_FAILURE;
}

/*
 * The shared body: `datasets` says which datasets to list (-1 none),
 * `templates` whether to list templates.
 */
static int run_list(struct cli_ctx *ctx, const struct cmd_opts *o, int datasets, bool templates)
{
	struct ds_list l;
	struct diags d = DIAGS_INIT;
	bool json = o->json || o->list_format == CLI_LIST_JSON;
	int ret = CLI_EXIT_OK;

	memset(&l, 0, sizeof(l));
	if (datasets >= 0 && load_all(&l, ctx, o, &d) < 0) {
		ret = cli_report_diags(&d);
		goto done;
	}
	if (json) {
		cJSON *doc = cJSON_CreateObject();
		if (datasets == WHICH_PLAIN || datasets == WHICH_BOTH)
			cJSON_AddItemToObject(doc, "datasets", datasets_json(&l, WHICH_PLAIN));
		if (datasets == WHICH_INCREMENTAL || datasets == WHICH_BOTH)
			cJSON_AddItemToObject(doc, "incremental_datasets",
					      datasets_json(&l, WHICH_INCREMENTAL));
		if (templates) {
			cJSON_AddItemToObject(doc, "generic_templates",
					      templates_json("generic", o->filter_target));
			cJSON_AddItemToObject(doc, "templates",
					      templates_json("enhanced", o->filter_target));
		}
		cli_print_json(doc);
		cJSON_Delete(doc);
	} else {
		struct strbuf sb = STRBUF_INIT;
		bool headings = datasets == WHICH_BOTH || (datasets >= 0 && templates);
		if (datasets == WHICH_PLAIN || datasets == WHICH_BOTH) {
			if (headings)
				strbuf_addstr(&sb, "Datasets:\n");
			datasets_table(&sb, &l, WHICH_PLAIN, ctx->arena);
		}
		if (datasets == WHICH_INCREMENTAL || datasets == WHICH_BOTH) {
			if (headings)
				strbuf_addstr(&sb, "\nIncremental datasets:\n");
			datasets_table(&sb, &l, WHICH_INCREMENTAL, ctx->arena);
		}
		if (templates) {
			if (headings)
				strbuf_addstr(&sb, "\nTemplates:\n");
			templates_table(&sb, o->filter_target, ctx->arena);
		}
		fwrite(sb.buf, 1, sb.len, stdout);
		strbuf_release(&sb);
	}
	if (datasets >= 0)
		ret = finish(&l, (enum which)datasets);
done:
	diags_release(&d);
	release_all(&l);
	return ret;
}

#define LIST_FORMAT_OPT(o)                                                                   \
	{ .type = CLI_OPT_ENUM, .short_name = 'f', .long_name = "format",                    \
	  .value = &(o)->list_format, .choices = cli_list_format_names,                      \
	  .help = "an aligned table, or JSON", .def = "table" }
#define LIST_JSON_OPT(o)                                                                     \
	{ .type = CLI_OPT_FLAG, .long_name = "json", .value = &(o)->json,                    \
	  .help = "the same as --format json" }

static int list_datasets_cmd(int argc, char **argv, struct cli_ctx *ctx, enum which w)
{
	struct cmd_opts o;
	struct cli_parse p;
	int ret;
	const struct cli_opt opts[] = {
		LIST_FORMAT_OPT(&o),
		LIST_JSON_OPT(&o),
		CMD_OPT_DATASETS_DIR(&o),
		CLI_OPT_END_ENTRY,
	};
	cmd_opts_init(&o);
	ret = cli_cmd_parse(&p, ctx, opts, argc, argv);
	if (ret == CLI_CONTINUE)
		ret = run_list(ctx, &o, w, false);
	cli_parse_release(&p);
	return ret;
}

int cmd_list_datasets(int argc, char **argv, struct cli_ctx *ctx)
{
	return list_datasets_cmd(argc, argv, ctx, WHICH_PLAIN);
}

int cmd_list_incremental_datasets(int argc, char **argv, struct cli_ctx *ctx)
{
	return list_datasets_cmd(argc, argv, ctx, WHICH_INCREMENTAL);
}

int cmd_list_enhanced(int argc, char **argv, struct cli_ctx *ctx)
{
	struct cmd_opts o;
	struct cli_parse p;
	int ret;
	const struct cli_opt opts[] = {
		LIST_FORMAT_OPT(&o),
		LIST_JSON_OPT(&o),
		{.type = CLI_OPT_ENUM, .short_name = 't', .long_name = "target-environment",
		 .value = &o.filter_target, .choices = cli_target_names,
		 .help = "only the generic templates for this target", .def = "all"},
		CLI_OPT_END_ENTRY,
	};
	cmd_opts_init(&o);
	ret = cli_cmd_parse(&p, ctx, opts, argc, argv);
	if (ret == CLI_CONTINUE)
		ret = run_list(ctx, &o, -1, true);
	cli_parse_release(&p);
	return ret;
}

int cmd_list(int argc, char **argv, struct cli_ctx *ctx)
{
	struct cmd_opts o;
	struct cli_parse p;
	int ret;
	const struct cli_opt opts[] = {
		{.type = CLI_OPT_ENUM, .short_name = 't', .long_name = "type", .value = &o.list_type,
		 .choices = cli_list_type_names, .help = "what to list", .def = "all"},
		LIST_FORMAT_OPT(&o),
		LIST_JSON_OPT(&o),
		CMD_OPT_DATASETS_DIR(&o),
		CLI_OPT_END_ENTRY,
	};
	cmd_opts_init(&o);
	ret = cli_cmd_parse(&p, ctx, opts, argc, argv);
	if (ret == CLI_CONTINUE) {
		switch (o.list_type) {
		case CLI_LIST_DATASETS:
			ret = run_list(ctx, &o, WHICH_BOTH, false);
			break;
		case CLI_LIST_TEMPLATES:
			ret = run_list(ctx, &o, -1, true);
			break;
		default:
			ret = run_list(ctx, &o, WHICH_BOTH, true);
			break;
		}
	}
	cli_parse_release(&p);
	return ret;
}
