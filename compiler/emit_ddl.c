/*
 * emit_ddl: renders templates/ddl/{lakehouse,warehouse}/ into numbered
 * scripts (see emit_ddl.h).  The context is the dataset context of
 * context.c plus the catalogue rows and the schema names; the templates
 * decide the SQL, this file only decides which scripts exist, their order
 * and their names.
 */
#include "emit_ddl.h"

#include <cjson/cJSON.h>
#include <string.h>

#include "context.h"
#include "emit.h"
#include "model.h"
#include "plan.h"
#include "strbuf.h"
#include "template.h"

static const char *const config_tables[] = {
	"config_synthetic_data_datasets",
	"config_synthetic_data_generation_jobs",
	"log_synthetic_data_generation",
	"sample_dataset_configurations",
};

static int render_to(struct emit_set *out, const struct template_env *env, const char *tpl,
		     const cJSON *ctx, const char *path, struct diags *diags)
{
	struct strbuf sb = STRBUF_INIT;
	if (template_render(&sb, env, tpl, ctx, diags)) {
		strbuf_release(&sb);
		return -1;
	}
	emit_set_add(out, path, &sb);
	return 0;
}

int emit_ddl(struct emit_set *out, const struct dataset *ds, const struct plan *plan,
	     const struct dataset *const *catalog, size_t n_catalog, bool warehouse,
	     const struct template_env *env, struct diags *diags)
{
	const char *target = warehouse ? "warehouse" : "lakehouse";
	const char *top = warehouse ? "ddl_scripts/Warehouses" : "ddl_scripts/Lakehouses";
	cJSON *ctx = context_dataset(ds, plan), *cat = cJSON_CreateArray(), *tables;
	struct strbuf tpl = STRBUF_INIT, path = STRBUF_INIT;
	int n = 0, rc = -1;

	for (size_t i = 0; i < n_catalog; i++)
		cJSON_AddItemToArray(cat, context_catalog_entry(catalog[i]));
	cJSON_AddItemToObject(ctx, "catalog", cat);
	cJSON_AddStringToObject(ctx, "schema", warehouse ? DDL_WAREHOUSE_SCHEMA : "");
	tables = cJSON_GetObjectItemCaseSensitive(ctx, "tables");

	/* the package's tables */
	if (warehouse) {
		cJSON *sc = cJSON_CreateObject();
		cJSON_AddStringToObject(sc, "schema", DDL_CONFIG_SCHEMA);
		cJSON_AddStringToObject(sc, "purpose", "package's config and log tables");
		strbuf_addf(&path, "%s/Config/001_Initial_Creation_SyntheticData/%03d_create_schema_%s.sql", top,
			    ++n, DDL_CONFIG_SCHEMA);
		if (render_to(out, env, "ddl/warehouse/create_schema.sql.j2", sc, path.buf, diags)) {
			cJSON_Delete(sc);
			goto done;
		}
		cJSON_Delete(sc);
	}
	for (size_t i = 0; i < sizeof(config_tables) / sizeof(config_tables[0]); i++) {
		strbuf_reset(&tpl);
		strbuf_addf(&tpl, "ddl/%s/%s.sql.j2", target, config_tables[i]);
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/Config/001_Initial_Creation_SyntheticData/%03d_%s.sql", top, ++n,
			    config_tables[i]);
		if (render_to(out, env, tpl.buf, ctx, path.buf, diags))
			goto done;
	}

	/* the dataset's tables, parents first (plan order), then the keys */
	n = 0;
	strbuf_reset(&tpl);
	strbuf_addf(&tpl, "ddl/%s/create_table.sql.j2", target);
	for (int i = 0; i < cJSON_GetArraySize(tables); i++) {
		cJSON *t = cJSON_GetArrayItem(tables, i);
		if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t, "write")))
			continue;
		cJSON_AddItemReferenceToObject(ctx, "table", t);
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s/001_Create_Tables/%03d_%s.sql", top, ds->id, ++n,
			    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t, "name")));
		if (render_to(out, env, tpl.buf, ctx, path.buf, diags))
			goto done;
		cJSON_DeleteItemFromObjectCaseSensitive(ctx, "table");
	}
	if (warehouse) {
		/* only the written tables take part in the keys */
		cJSON *written = cJSON_CreateArray(), *names = cJSON_CreateArray();
		for (int i = 0; i < cJSON_GetArraySize(tables); i++) {
			cJSON *t = cJSON_GetArrayItem(tables, i);
			if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t, "write"))) {
				cJSON_AddItemReferenceToArray(written, t);
				cJSON_AddItemToArray(names, cJSON_CreateString(
					cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t, "name"))));
			}
		}
		cJSON_AddItemToObject(ctx, "key_tables", written);
		cJSON_AddItemToObject(ctx, "written_names", names);
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s/001_Create_Tables/%03d_constraints.sql", top, ds->id, ++n);
		if (render_to(out, env, "ddl/warehouse/constraints.sql.j2", ctx, path.buf, diags))
			goto done;
	}
	rc = 0;
done:
	strbuf_release(&tpl);
	strbuf_release(&path);
	cJSON_Delete(ctx);
	return rc;
}
