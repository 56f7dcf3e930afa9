/*
 * model: the typed, validated dataset, the one truth that the emitters
 * (notebooks, DDL) and the native runtime both read.  Nothing downstream of
 * this header parses YAML.
 *
 * A model is built from a config tree (cfg.h) by model_build(), which
 * records every problem in a `struct diags` and keeps going, so one run
 * reports all errors of a file.  All memory belongs to the arena passed in.
 * Every object keeps the source location of the config node it came from.
 */
#ifndef INGEN_MODEL_H
#define INGEN_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

struct arena;
struct strbuf;
struct cfg_node;
struct expr;    /* expr.h */
struct pattern; /* pattern.h */

enum col_type_kind {
	TYPE_BOOLEAN,
	TYPE_INT,
	TYPE_BIGINT,
	TYPE_DOUBLE,
	TYPE_DECIMAL,
	TYPE_STRING,
	TYPE_VARCHAR,
	TYPE_DATE,
	TYPE_TIMESTAMP,
};

struct col_type {
	enum col_type_kind kind;
	int precision, scale; /* decimal */
	int length;           /* varchar */
};

enum gen_kind {
	GEN_NONE, /* expr column */
	GEN_SEQUENCE,
	GEN_UNIFORM,
	GEN_NORMAL,
	GEN_LOGNORMAL,
	GEN_EXPONENTIAL,
	GEN_POISSON,
	GEN_ZIPF,
	GEN_CHOICE,
	GEN_BERNOULLI,
	GEN_DATE,
	GEN_TIMESTAMP,
	GEN_PATTERN,
	GEN_UUID,
	GEN_REFERENCE,
	GEN_FIRST_NAME,
	GEN_LAST_NAME,
	GEN_FULL_NAME,
	GEN_EMAIL,
	GEN_PHONE,
	GEN_STREET_ADDRESS,
	GEN_CITY,
	GEN_STATE,
	GEN_POSTAL_CODE,
	GEN_COUNTRY,
	GEN_COMPANY,
	GEN_PRODUCT_NAME,
	GEN_WORD,
	GEN_SENTENCE,
	GEN__COUNT
};

/* A typed constant: choice values, sequence starts, literal bounds. */
enum value_kind { VAL_NULL, VAL_BOOL, VAL_INT, VAL_DOUBLE, VAL_STRING, VAL_DATE, VAL_TIMESTAMP };

struct value {
	enum value_kind kind;
	bool b;
	int64_t i;      /* VAL_INT; VAL_DATE: days since epoch; VAL_TIMESTAMP: seconds */
	double d;       /* VAL_DOUBLE */
	const char *s;  /* VAL_STRING; also the source text of decimals */
};

struct choice_item {
	struct value value;
	double weight;
	double cumulative; /* cumulative weight / total, computed once (DESIGN 5) */
	struct src_loc loc;
};

enum gender { GENDER_ANY, GENDER_FEMALE, GENDER_MALE };
enum ref_distribution { REF_UNIFORM, REF_ZIPF };

/* Parameters of the temporal generators; weights are 1 when absent. */
struct temporal_weights {
	bool has_hourly, has_weekday, has_seasonal;
	double hourly[24];
	double weekday[7]; /* monday = 0 */
	size_t n_seasonal;
	struct seasonal_period {
		const char *name;
		int from_mmdd, to_mmdd; /* inclusive, month*100+day; may wrap the year */
		double multiplier;
	} *seasonal;
};

struct column;
struct table;

struct gen_params {
	/* numeric */
	bool has_min, has_max;
	double min, max;     /* uniform, clamps */
	double mean, stddev; /* normal */
	double sigma;        /* lognormal (mean is the underlying normal's) */
	double rate;         /* exponential */
	double lambda;       /* poisson */
	double p;            /* bernoulli */
	double skew;         /* zipf, reference zipf */
	int64_t n;           /* zipf */
	/* sequence */
	struct value start;  /* int, date or timestamp start */
	int64_t step;
	const char *prefix;  /* string sequences */
	int width;
	/*
	 * date/timestamp ranges: days (date) or seconds (timestamp), inclusive;
	 * also the exact integer bounds of `uniform` on int/bigint (and of
	 * uniform min/max on date/timestamp columns, a date as `max` meaning its
	 * last second)
	 */
	int64_t range_lo, range_hi;
	struct temporal_weights temporal;
	/* choice */
	size_t n_choices;
	struct choice_item *choices;
	/* pattern */
	const char *pattern_src;
	struct pattern *pattern;
	bool unique;
	/* reference */
	struct table *ref_table;
	struct column *ref_column;
	enum ref_distribution ref_dist;
	double orphan_probability;
	/* names, email, address */
	enum gender gender;
	struct column *from_first, *from_last;
	size_t n_domains;
	const char **domains;
	const char *group; /* address group, NULL for the default */
	int min_words, max_words;
};

struct column {
	const char *name;
	struct src_loc loc;
	struct col_type type;
	struct src_loc type_loc;
	enum gen_kind gen;
	struct src_loc gen_loc;
	struct gen_params params;
	struct expr *expr; /* GEN_NONE */
	const char *expr_src;
	struct src_loc expr_loc;
	double null_probability;
	const char *description;
	struct table *table;
	size_t index;        /* position in table->columns */
};

enum table_type { TABLE_PLAIN, TABLE_SNAPSHOT, TABLE_INCREMENTAL, TABLE_SCD2 };
enum snapshot_frequency { FREQ_DAILY, FREQ_WEEKLY, FREQ_MONTHLY, FREQ_ONCE };

struct table {
	const char *name;
	struct src_loc loc;
	const char *description;
	struct expr *rows_expr;  /* NULL for child tables and the default */
	const char *rows_src;
	struct src_loc rows_loc;
	struct table *parent;    /* child tables */
	int64_t per_parent_min, per_parent_max;
	size_t n_columns;
	struct column **columns;
	size_t n_primary_key;
	struct column **primary_key;
	size_t n_partition_columns;
	struct column **partition_columns;
	bool write;
	size_t index;            /* position in dataset->tables */
	/* incremental */
	enum table_type type;
	enum snapshot_frequency frequency;
	struct expr *rows_per_day;
	double growth;
	double scd_change_probability;
	size_t n_scd_tracked;            /* incremental.scd.<table>.tracked */
	struct column **scd_tracked;
};

enum rel_type { REL_ONE_TO_MANY, REL_ONE_TO_ONE };

struct relationship {
	struct column *parent;
	struct column *child;
	enum rel_type type;
	double null_percentage;
	bool implicit; /* derived from a reference column */
	struct src_loc loc;
};

struct incremental {
	int64_t start_date; /* days since epoch */
	double weekday[7];
	size_t n_seasonal;
	struct seasonal_period *seasonal;
	struct src_loc loc;
};

enum dataset_type { DATASET_TRANSACTIONAL, DATASET_ANALYTICAL, DATASET_EVENT_STREAM };
enum schema_pattern { PATTERN_OLTP, PATTERN_STAR, PATTERN_SNOWFLAKE, PATTERN_EVENT_STREAM };
enum compression { COMPRESSION_SNAPPY, COMPRESSION_ZSTD, COMPRESSION_NONE };

struct dataset {
	const char *id;
	const char *name;
	const char *description;
	const char *file; /* source file (or "<builtin>/x.yaml") */
	struct src_loc loc;
	enum dataset_type type;
	enum schema_pattern pattern;
	const char *domain;
	int64_t target_rows;
	double scale_factor;
	int64_t seed;
	int64_t chunk_size;
	size_t n_tables;
	struct table **tables;  /* in config order */
	size_t n_relationships;
	struct relationship **relationships;
	struct incremental *incremental; /* NULL unless present */
	size_t n_partition_columns;
	const char **partition_columns; /* dataset-level output.partition_columns */
	size_t n_z_order;
	const char **z_order;
	enum compression compression;
	size_t n_tags;
	const char **tags;
};

/*
 * Builds and validates a dataset from a loaded config tree.  Returns 0 and
 * sets *out when the model is valid; otherwise returns -1 with every problem
 * recorded in `diags` (*out is then NULL).  Memory comes from `arena`.
 */
int model_build(struct dataset **out, const struct cfg_node *root, struct arena *arena,
		struct diags *diags);

/* Lookups; NULL when absent. */
struct table *dataset_table(const struct dataset *ds, const char *name);
struct column *table_column(const struct table *t, const char *name);

/* Names for messages, DDL and docs. */
const char *gen_kind_name(enum gen_kind g);
const char *dataset_type_name(enum dataset_type t);
const char *schema_pattern_name(enum schema_pattern p);
/* Spark SQL spelling: "bigint", "decimal(18,2)", "varchar(40)". */
void col_type_format(struct strbuf *sb, const struct col_type *t);

#endif
