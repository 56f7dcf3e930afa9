/*
 * model_names: the names of model enums and the table/column lookups.
 * Kept apart from model.c so that the emitters and tests that only need a
 * type's spelling do not pull in the whole config validator.
 */
#include <string.h>

#include "model.h"
#include "strbuf.h"

static const char *const gen_names[GEN__COUNT] = {
	[GEN_NONE] = "expr",
	[GEN_SEQUENCE] = "sequence",
	[GEN_UNIFORM] = "uniform",
	[GEN_NORMAL] = "normal",
	[GEN_LOGNORMAL] = "lognormal",
	[GEN_EXPONENTIAL] = "exponential",
	[GEN_POISSON] = "poisson",
	[GEN_ZIPF] = "zipf",
	[GEN_CHOICE] = "choice",
	[GEN_BERNOULLI] = "bernoulli",
	[GEN_DATE] = "date",
	[GEN_TIMESTAMP] = "timestamp",
	[GEN_PATTERN] = "pattern",
	[GEN_UUID] = "uuid",
	[GEN_REFERENCE] = "reference",
	[GEN_FIRST_NAME] = "first_name",
	[GEN_LAST_NAME] = "last_name",
	[GEN_FULL_NAME] = "full_name",
	[GEN_EMAIL] = "email",
	[GEN_PHONE] = "phone",
	[GEN_STREET_ADDRESS] = "street_address",
	[GEN_CITY] = "city",
	[GEN_STATE] = "state",
	[GEN_POSTAL_CODE] = "postal_code",
	[GEN_COUNTRY] = "country",
	[GEN_COMPANY] = "company",
	[GEN_PRODUCT_NAME] = "product_name",
	[GEN_WORD] = "word",
	[GEN_SENTENCE] = "sentence",
};

const char *gen_kind_name(enum gen_kind g)
{
	if ((int)g < 0 || g >= GEN__COUNT)
		return "?";
	return gen_names[g];
}

const char *dataset_type_name(enum dataset_type t)
{
	switch (t) {
	case DATASET_TRANSACTIONAL: return "transactional";
	case DATASET_ANALYTICAL: return "analytical";
	case DATASET_EVENT_STREAM: return "event_stream";
	}
	return "?";
}

const char *schema_pattern_name(enum schema_pattern p)
{
	switch (p) {
	case PATTERN_OLTP: return "oltp";
	case PATTERN_STAR: return "star_schema";
	case PATTERN_SNOWFLAKE: return "snowflake";
	case PATTERN_EVENT_STREAM: return "event_stream";
	}
	return "?";
}

void col_type_format(struct strbuf *sb, const struct col_type *t)
{
	switch (t->kind) {
	case TYPE_BOOLEAN: strbuf_addstr(sb, "boolean"); break;
	case TYPE_INT: strbuf_addstr(sb, "int"); break;
	case TYPE_BIGINT: strbuf_addstr(sb, "bigint"); break;
	case TYPE_DOUBLE: strbuf_addstr(sb, "double"); break;
	case TYPE_DECIMAL: strbuf_addf(sb, "decimal(%d,%d)", t->precision, t->scale); break;
	case TYPE_STRING: strbuf_addstr(sb, "string"); break;
	case TYPE_VARCHAR: strbuf_addf(sb, "varchar(%d)", t->length); break;
	case TYPE_DATE: strbuf_addstr(sb, "date"); break;
	case TYPE_TIMESTAMP: strbuf_addstr(sb, "timestamp"); break;
	}
}

struct table *dataset_table(const struct dataset *ds, const char *name)
{
	for (size_t i = 0; i < ds->n_tables; i++)
		if (strcmp(ds->tables[i]->name, name) == 0)
			return ds->tables[i];
	return NULL;
}

struct column *table_column(const struct table *t, const char *name)
{
	for (size_t i = 0; i < t->n_columns; i++)
		if (strcmp(t->columns[i]->name, name) == 0)
			return t->columns[i];
	return NULL;
}

