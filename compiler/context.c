/*
 * context: builds the template context of a dataset (see context.h).  Types
 * are spelled here once for both targets: Spark SQL for lakehouse DDL and
 * the notebooks, and the Fabric Warehouse subset of T-SQL (varchar not
 * nvarchar, datetime2(6), bit, float) for warehouse DDL.
 */
#include "context.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "model.h"
#include "plan.h"
#include "strbuf.h"

struct cJSON *context_int64(int64_t v)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%" PRId64, v);
	return cJSON_CreateRaw(buf);
}

void context_tsql_type(struct strbuf *sb, const struct col_type *t)
{
	switch (t->kind) {
	case TYPE_BOOLEAN: strbuf_addstr(sb, "BIT"); break;
	case TYPE_INT: strbuf_addstr(sb, "INT"); break;
	case TYPE_BIGINT: strbuf_addstr(sb, "BIGINT"); break;
	case TYPE_DOUBLE: strbuf_addstr(sb, "FLOAT"); break;
	case TYPE_DECIMAL: strbuf_addf(sb, "DECIMAL(%d,%d)", t->precision, t->scale); break;
	case TYPE_STRING: strbuf_addstr(sb, "VARCHAR(8000)"); break;
	case TYPE_VARCHAR: strbuf_addf(sb, "VARCHAR(%d)", t->length); break;
	case TYPE_DATE: strbuf_addstr(sb, "DATE"); break;
	case TYPE_TIMESTAMP: strbuf_addstr(sb, "DATETIME2(6)"); break;
	}
}

static bool is_pk(const struct table *t, const struct column *c)
{
	for (size_t i = 0; i < t->n_primary_key; i++)
		if (t->primary_key[i] == c)
			return true;
	return false;
}

static void add_str(cJSON *o, const char *k, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

static cJSON *column_json(const struct table *t, const struct column *c)
{
	cJSON *o = cJSON_CreateObject();
	struct strbuf sb = STRBUF_INIT;
	cJSON_AddStringToObject(o, "name", c->name);
	col_type_format(&sb, &c->type);
	cJSON_AddStringToObject(o, "spark_type", sb.buf);
	strbuf_reset(&sb);
	context_tsql_type(&sb, &c->type);
	cJSON_AddStringToObject(o, "tsql_type", sb.buf);
	strbuf_release(&sb);
	cJSON_AddBoolToObject(o, "nullable", !is_pk(t, c));
	cJSON_AddBoolToObject(o, "primary_key", is_pk(t, c));
	cJSON_AddStringToObject(o, "generator", c->gen == GEN_NONE ? "expr" : gen_kind_name(c->gen));
	add_str(o, "description", c->description);
	return o;
}

static bool same_tsql_type(const struct col_type *a, const struct col_type *b)
{
	struct strbuf x = STRBUF_INIT, y = STRBUF_INIT;
	bool same;
	context_tsql_type(&x, a);
	context_tsql_type(&y, b);
	same = !strcmp(x.buf, y.buf);
	strbuf_release(&x);
	strbuf_release(&y);
	return same;
}

/* The table's foreign keys that a warehouse can declare: single columns onto a written parent's primary key. */
static cJSON *foreign_keys_json(const struct dataset *ds, const struct table *t)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < ds->n_relationships; i++) {
		const struct relationship *r = ds->relationships[i];
		const struct table *pt = r->parent->table;
		cJSON *o;
		struct strbuf name = STRBUF_INIT;
		bool dup = false;
		if (r->child->table != t || !pt->write || pt->n_primary_key != 1 || pt->primary_key[0] != r->parent)
			continue;
		if (!same_tsql_type(&r->child->type, &r->parent->type))
			continue; /* a warehouse refuses keys between columns of different types */
		for (size_t k = 0; k < i; k++)
			if (ds->relationships[k]->child == r->child && ds->relationships[k]->parent == r->parent)
				dup = true;
		if (dup)
			continue;
		o = cJSON_CreateObject();
		strbuf_addf(&name, "FK_%s_%s", t->name, r->child->name);
		cJSON_AddStringToObject(o, "name", name.buf);
		strbuf_release(&name);
		cJSON_AddStringToObject(o, "column", r->child->name);
		cJSON_AddStringToObject(o, "ref_table", pt->name);
		cJSON_AddStringToObject(o, "ref_column", r->parent->name);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

cJSON *context_catalog_entry(const struct dataset *ds)
{
	cJSON *o = cJSON_CreateObject();
	struct strbuf names = STRBUF_INIT;
	cJSON_AddStringToObject(o, "id", ds->id);
	cJSON_AddStringToObject(o, "name", ds->name);
	cJSON_AddStringToObject(o, "type", dataset_type_name(ds->type));
	cJSON_AddStringToObject(o, "pattern", schema_pattern_name(ds->pattern));
	cJSON_AddStringToObject(o, "domain", ds->domain);
	cJSON_AddItemToObject(o, "target_rows", context_int64(ds->target_rows));
	for (size_t i = 0; i < ds->n_tables; i++) {
		if (!ds->tables[i]->write)
			continue;
		if (names.len)
			strbuf_addch(&names, ',');
		strbuf_addstr(&names, ds->tables[i]->name);
	}
	cJSON_AddStringToObject(o, "table_names", names.buf);
	strbuf_release(&names);
	cJSON_AddBoolToObject(o, "incremental", ds->incremental != NULL);
	cJSON_AddStringToObject(o, "description", ds->description ? ds->description : "");
	return o;
}

cJSON *context_dataset(const struct dataset *ds, const struct plan *plan)
{
	cJSON *root = cJSON_CreateObject(), *d = context_catalog_entry(ds), *tables = cJSON_CreateArray();

	cJSON_AddItemToObject(d, "seed", context_int64(plan->seed));
	cJSON_AddItemToObject(d, "planned_target_rows", context_int64(plan->target_rows));
	cJSON_AddNumberToObject(d, "scale_factor", plan->scale_factor);
	cJSON_AddStringToObject(d, "mode", gen_mode_name(plan->mode));
	cJSON_AddItemToObject(d, "chunk_size", context_int64(plan->chunk_size));
	cJSON_AddItemToObject(root, "dataset", d);
	for (size_t i = 0; i < plan->n_tables; i++) {
		const struct plan_table *pt = &plan->tables[i];
		const struct table *t = pt->table;
		cJSON *o = cJSON_CreateObject(), *cols = cJSON_CreateArray(), *pk = cJSON_CreateArray();
		cJSON *parts = cJSON_CreateArray();
		cJSON_AddStringToObject(o, "name", t->name);
		add_str(o, "description", t->description);
		cJSON_AddItemToObject(o, "rows", context_int64(pt->rows));
		cJSON_AddBoolToObject(o, "write", t->write && pt->selected);
		add_str(o, "parent", t->parent ? t->parent->name : NULL);
		for (size_t c = 0; c < t->n_columns; c++)
			cJSON_AddItemToArray(cols, column_json(t, t->columns[c]));
		cJSON_AddItemToObject(o, "columns", cols);
		for (size_t k = 0; k < t->n_primary_key; k++)
			cJSON_AddItemToArray(pk, cJSON_CreateString(t->primary_key[k]->name));
		cJSON_AddItemToObject(o, "primary_key", pk);
		if (t->n_partition_columns) {
			for (size_t k = 0; k < t->n_partition_columns; k++)
				cJSON_AddItemToArray(parts, cJSON_CreateString(t->partition_columns[k]->name));
		} else {
			/* dataset-level output.partition_columns apply to the tables that have them */
			for (size_t k = 0; k < ds->n_partition_columns; k++)
				if (table_column(t, ds->partition_columns[k]))
					cJSON_AddItemToArray(parts, cJSON_CreateString(ds->partition_columns[k]));
		}
		cJSON_AddItemToObject(o, "partition_columns", parts);
		cJSON_AddItemToObject(o, "foreign_keys", foreign_keys_json(ds, t));
		cJSON_AddItemToArray(tables, o);
	}
	cJSON_AddItemToObject(root, "tables", tables);
	return root;
}
