/*
 * compile: the `compile` pipeline.  A dataset (id or file) is loaded,
 * validated and planned; its tables are lowered to column programs (ir.h);
 * the mode's emitter renders the programs (numpy or Spark SQL); the notebook
 * shell template wraps them into Fabric's notebook-content.py; the DDL
 * emitter adds the scripts; and everything is written under the output root
 * in one go (emit.h: temporary names, then renames).  Nothing is written
 * when any step fails.
 */
#include "compile.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "catalog.h"
#include "context.h"
#include "emit.h"
#include "emit_ddl.h"
#include "emit_numpy.h"
#include "emit_spark.h"
#include "hash.h"
#include "ir.h"
#include "model.h"
#include "plan.h"
#include "refdata.h"
#include "strbuf.h"
#include "template.h"

#define NOTEBOOKS_FOLDER "fabric_workspace_items/synthetic_data_generation"

void compile_notebook_name(struct strbuf *sb, const struct dataset *ds, const struct plan *plan, bool warehouse)
{
	strbuf_addf(sb, "synthetic_data_%s_%s_%s%s", ds->id,
		    plan->target_rows > PLAN_AUTO_PYSPARK_ABOVE ? "large" : "small", gen_mode_name(plan->mode),
		    warehouse ? "_warehouse" : "");
}

void compile_logical_id(struct strbuf *sb, const char *name)
{
	/* 128 bits from two keyed hashes of the name, laid out as an RFC 9562 version 8 UUID */
	uint64_t hi = hash_bytes(name, strlen(name), 0x696e67656e666162ULL);
	uint64_t lo = hash_bytes(name, strlen(name), hi);
	hi = (hi & ~0xf000ULL) | 0x8000ULL;                                  /* version 8 */
	lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;           /* variant 10 */
	strbuf_addf(sb, "%08x-%04x-%04x-%04x-%012llx", (unsigned)(hi >> 32), (unsigned)((hi >> 16) & 0xffff),
		    (unsigned)(hi & 0xffff), (unsigned)(lo >> 48), (unsigned long long)(lo & 0xffffffffffffULL));
}

void compile_platform_json(struct strbuf *sb, const char *name, const char *description)
{
	struct strbuf id = STRBUF_INIT;
	cJSON *root = cJSON_CreateObject(), *meta = cJSON_CreateObject(), *cfg = cJSON_CreateObject();
	char *text;
	compile_logical_id(&id, name);
	cJSON_AddStringToObject(root, "$schema",
				"https://developer.microsoft.com/json-schemas/fabric/gitIntegration/platformProperties/2.0.0/schema.json");
	cJSON_AddStringToObject(meta, "type", "Notebook");
	cJSON_AddStringToObject(meta, "displayName", name);
	cJSON_AddStringToObject(meta, "description", description);
	cJSON_AddItemToObject(root, "metadata", meta);
	cJSON_AddStringToObject(cfg, "version", "2.0");
	cJSON_AddStringToObject(cfg, "logicalId", id.buf);
	cJSON_AddItemToObject(root, "config", cfg);
	text = cJSON_Print(root);
	/* cJSON indents with tabs; Fabric writes two spaces */
	for (const char *p = text; *p; p++) {
		if (*p == '\t')
			strbuf_addstr(sb, p > text && p[-1] == ':' ? " " : "  ");
		else
			strbuf_addch(sb, *p);
	}
	strbuf_addch(sb, '\n');
	cJSON_free(text);
	cJSON_Delete(root);
	strbuf_release(&id);
}

int compile_dataset(struct compile_result *res, const struct compile_request *req, struct arena *arena,
		    struct diags *diags)
{
	struct catalog cat = {0};
	struct dataset *ds = NULL;
	struct plan plan;
	struct ir_program *progs = NULL;
	struct refdata_cache refs = REFDATA_CACHE_INIT;
	struct emit_set files = EMIT_SET_INIT;
	struct strbuf program = STRBUF_INIT, nb = STRBUF_INIT, path = STRBUF_INIT, name = STRBUF_INIT;
	const struct dataset **catalog = NULL;
	size_t n_catalog = 0;
	cJSON *ctx = NULL;
	int rc = -1;

	memset(res, 0, sizeof(*res));
	if (catalog_init(&cat, req->datasets_dirs, req->n_datasets_dirs, diags))
		goto done;
	if (catalog_load_dataset(&ds, &cat, req->dataset, arena, diags))
		goto done;
	if (plan_build(&plan, ds, &req->plan_options, arena, diags))
		goto done;

	if (req->notebook) {
		if (ir_lower(&progs, &plan, &refs, arena, diags))
			goto done;
		if (plan.mode == GEN_MODE_PYSPARK ? emit_spark_program(&program, &plan, progs, diags)
						  : emit_numpy_program(&program, &plan, progs, diags))
			goto done;
		compile_notebook_name(&name, ds, &plan, req->warehouse);
		ctx = context_dataset(ds, &plan);
		cJSON_AddStringToObject(ctx, "program", program.buf);
		cJSON_AddStringToObject(ctx, "notebook_name", name.buf);
		cJSON_AddStringToObject(ctx, "lakehouse_name", ds->id);
		cJSON_AddStringToObject(ctx, "output_mode", req->output_mode);
		cJSON_AddStringToObject(ctx, "target", req->warehouse ? "warehouse" : "lakehouse");
		cJSON_AddStringToObject(ctx, "path_pattern", req->path_pattern ? req->path_pattern : "");
		if (template_render(&nb, &req->templates, plan.mode == GEN_MODE_PYSPARK ? "notebooks/pyspark.py.j2"
											 : "notebooks/python.py.j2",
				    ctx, diags))
			goto done;
		strbuf_addf(&path, "%s/%s.Notebook/notebook-content.py", NOTEBOOKS_FOLDER, name.buf);
		emit_set_add(&files, path.buf, &nb);
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s.Notebook/.platform", NOTEBOOKS_FOLDER, name.buf);
		{
			struct strbuf desc = STRBUF_INIT, pf = STRBUF_INIT;
			strbuf_addf(&desc, "Synthetic data for %s (%s, %s)", ds->id, gen_mode_name(plan.mode),
				    req->warehouse ? "warehouse" : "lakehouse");
			compile_platform_json(&pf, name.buf, desc.buf);
			emit_set_add(&files, path.buf, &pf);
			strbuf_release(&desc);
		}
		res->notebook_name = arena_strdup(arena, name.buf);
	}
	if (req->ddl) {
		catalog = arena_calloc(arena, cat.n ? cat.n : 1, sizeof(*catalog));
		for (size_t i = 0; i < cat.n; i++) {
			struct dataset *c = NULL;
			struct diags ignore = DIAGS_INIT;
			if (!cat.items[i].builtin)
				continue;
			/* an invalid catalogue entry is reported by list-datasets; it gets no seed row here */
			if (catalog_load_dataset(&c, &cat, cat.items[i].id, arena, &ignore) == 0)
				catalog[n_catalog++] = c;
			diags_release(&ignore);
		}
		if (emit_ddl(&files, ds, &plan, catalog, n_catalog, req->warehouse, &req->templates, diags))
			goto done;
	}
	if (emit_set_write(&files, req->root, diags)) {
		rc = COMPILE_EIO;
		goto done;
	}
	res->dataset_id = arena_strdup(arena, ds->id);
	res->mode = plan.mode;
	res->target_rows = plan.target_rows;
	res->n_files = files.n;
	res->files = arena_calloc(arena, files.n ? files.n : 1, sizeof(*res->files));
	for (size_t i = 0; i < files.n; i++)
		res->files[i] = arena_strdup(arena, files.files[i].path);
	rc = 0;
done:
	cJSON_Delete(ctx);
	emit_set_release(&files);
	strbuf_release(&program);
	strbuf_release(&nb);
	strbuf_release(&path);
	strbuf_release(&name);
	refdata_cache_release(&refs);
	catalog_release(&cat);
	return rc;
}
