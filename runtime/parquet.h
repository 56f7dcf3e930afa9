/*
 * parquet: a writer of flat Parquet files, without Arrow.
 *
 * One writer writes one file; it holds no global state, so each thread may
 * write its own file.  Rows arrive column-at-a-time in batches
 * (pq_writer_write_batch); the writer cuts row groups every
 * `row_group_rows` rows and data pages (v1) at `page_bytes` of values or
 * `page_rows` rows, whichever comes first, so the bytes written depend only
 * on the rows and the options, never on how the rows were batched.
 *
 * Types (physical / logical, as Spark and Fabric read them):
 *
 *   PQ_BOOLEAN          BOOLEAN                      boolean
 *   PQ_INT32            INT32                        integer
 *   PQ_INT64            INT64                        long
 *   PQ_DOUBLE           DOUBLE                       double
 *   PQ_STRING           BYTE_ARRAY, STRING (UTF8)    string
 *   PQ_DATE             INT32, DATE                  date (days since 1970-01-01)
 *   PQ_TIMESTAMP_MICROS INT64, TIMESTAMP(UTC, MICROS) timestamp (micros since the epoch)
 *   PQ_DECIMAL          DECIMAL(p,s) on INT32 (p <= 9), INT64 (p <= 18) or
 *                       FIXED_LEN_BYTE_ARRAY (p <= 38; big-endian two's
 *                       complement, the fewest bytes that hold p digits)
 *
 * Strings are dictionary encoded (a PLAIN dictionary page, RLE_DICTIONARY
 * data pages) until the dictionary of a column chunk grows past
 * `dictionary_bytes`; the rest of that chunk, and later chunks of the
 * column, are PLAIN.  Nullable columns are OPTIONAL with RLE definition
 * levels.  Every column chunk has statistics: null_count always, and
 * min_value/max_value (with TypeDefinedOrder column orders) when the chunk
 * has a non-null value, except for doubles in a chunk that holds a NaN and
 * strings longer than 4096 bytes.
 *
 * Errors (I/O such as ENOSPC, values out of range) are reported once in
 * `diags`, as "cannot write '<path>': <reason>", and make every later call
 * fail; the file is then incomplete and the caller removes it.  `diags`
 * must not be shared by writers in different threads (give each worker its
 * own and merge them afterwards).  The writer
 * never renames or deletes files: temporary names are the caller's business.
 */
#ifndef INGEN_PARQUET_H
#define INGEN_PARQUET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct diags;

enum pq_type {
	PQ_BOOLEAN,
	PQ_INT32,
	PQ_INT64,
	PQ_DOUBLE,
	PQ_STRING,
	PQ_DATE,
	PQ_TIMESTAMP_MICROS,
	PQ_DECIMAL,
};

enum pq_codec { PQ_CODEC_NONE, PQ_CODEC_SNAPPY, PQ_CODEC_ZSTD };

/* Unscaled decimal values with precision > 18 (a GCC/Clang extension). */
typedef __int128 pq_int128;

#define PQ_MAX_DECIMAL_PRECISION 38

struct pq_column_spec {
	const char *name;   /* copied by pq_writer_open */
	enum pq_type type;
	int precision;      /* PQ_DECIMAL: 1..38 */
	int scale;          /* PQ_DECIMAL: 0..precision */
	bool nullable;      /* OPTIONAL (may hold nulls) or REQUIRED */
	int varchar_length; /* PQ_STRING: > 0 makes the Delta schema say varchar(n); Parquet ignores it */
};

struct pq_options {
	enum pq_codec codec;
	int zstd_level;          /* 0: 3 */
	size_t row_group_rows;   /* 0: 1048576 */
	size_t page_bytes;       /* 0: 1 MiB of values per data page */
	size_t page_rows;        /* 0: 20000 rows per data page */
	bool dictionary;         /* dictionary-encode strings */
	size_t dictionary_bytes; /* 0: 1 MiB; past this a chunk falls back to PLAIN */
	const char *created_by;  /* NULL: "ingen_fab version 0.1.0" */
};

/*
 * The recommended defaults: snappy, dictionary on, every size at its
 * default.  (A zeroed struct means no compression and no dictionary.)
 */
void pq_options_init(struct pq_options *opt);

/*
 * One column of a batch of n rows.  Values are dense by row: row i's value
 * is at index i whether or not it is null (a null slot's content is
 * ignored).  By type, `values` points to
 *
 *   PQ_BOOLEAN                 uint8_t[n]   (0 false, anything else true)
 *   PQ_INT32, PQ_DATE          int32_t[n]
 *   PQ_INT64, PQ_TIMESTAMP_MICROS int64_t[n]
 *   PQ_DOUBLE                  double[n]
 *   PQ_DECIMAL, p <= 18        int64_t[n]   unscaled (123.45 in (9,2) is 12345)
 *   PQ_DECIMAL, p > 18         pq_int128[n] unscaled
 *   PQ_STRING                  unused: set either `offsets` + `data`
 *                              (row i is data[offsets[i] .. offsets[i+1]),
 *                              offsets has n + 1 entries) or `strs` (and
 *                              `lens`; NULL lens means NUL-terminated strs)
 *
 * A decimal whose unscaled value has more than `precision` digits is an
 * error.  Strings are bytes; they should be UTF-8.
 */
struct pq_batch_column {
	const void *values;
	const uint32_t *offsets;
	const char *data;
	const char *const *strs;
	const uint32_t *lens;
	const uint8_t *valid; /* n bytes, nonzero = present; NULL = no nulls */
};

/* A typed value of the statistics (min/max). */
struct pq_value {
	int64_t i;        /* BOOLEAN (0/1), INT32, INT64, DATE, TIMESTAMP, DECIMAL p <= 18 */
	double d;         /* DOUBLE */
	pq_int128 i128;   /* DECIMAL p > 18 */
	char *s;          /* STRING (owned, NUL-terminated, may also contain NULs) */
	size_t len;       /* STRING */
};

struct pq_column_stats {
	char *name; /* owned */
	enum pq_type type;
	int precision, scale;
	int64_t null_count;
	bool has_min_max;   /* false when every value is null (or NaN) */
	bool has_nan;       /* PQ_DOUBLE: a NaN is present (min/max leave it out) */
	struct pq_value min, max;
};

/* What a closed file holds: what the Delta log's add action needs. */
struct pq_file_stats {
	int64_t num_rows;
	int64_t file_bytes;
	size_t n_row_groups;
	size_t n_columns;
	struct pq_column_stats *columns; /* owned */
};

void pq_file_stats_release(struct pq_file_stats *st);

struct pq_writer;

/*
 * Creates (or truncates) `path` and writes the leading magic.  `cols` and
 * `opt` are copied; `opt` may be NULL for the defaults.  Returns 0, or -1
 * with a diagnostic (bad column specs are errors too).
 */
int pq_writer_open(struct pq_writer **out, const char *path, const struct pq_column_spec *cols,
		   size_t n_cols, const struct pq_options *opt, struct diags *diags);

/* Appends n_rows rows: cols[j] is column j of the spec. */
int pq_writer_write_batch(struct pq_writer *w, const struct pq_batch_column *cols, size_t n_rows);

/*
 * Flushes the last row group, writes the footer and closes the file.  The
 * writer is freed whatever the outcome.  On success fills *stats (when not
 * NULL; release it with pq_file_stats_release).
 */
int pq_writer_close(struct pq_writer *w, struct pq_file_stats *stats);

/* Closes the file without finishing it and frees the writer. */
void pq_writer_abort(struct pq_writer *w);

/* Rows written so far (including rows still buffered in the row group). */
int64_t pq_writer_rows(const struct pq_writer *w);

/*
 * Low-level encoders, exposed for the unit tests: the RLE/bit-packed hybrid
 * of `n` values of `bit_width` (0..32) bits, appended to `out` (a struct
 * strbuf) without a length prefix.
 */
struct strbuf;
void pq_rle_hybrid_encode(struct strbuf *out, const uint32_t *values, size_t n, int bit_width);
/* "boolean", "int32", ... for messages. */
const char *pq_type_name(enum pq_type t);
/* Bytes of a FIXED_LEN_BYTE_ARRAY decimal of this precision. */
int pq_decimal_byte_width(int precision);

#endif
