/*
 * text_writer: CSV and JSON lines files of evaluated batches (eval.h), for
 * the native runtime's `--output-format csv|jsonl`.
 *
 * A formatter turns batches into text; a writer writes one file, its header
 * and the text given to it.  Neither holds global state, so threads may
 * format rows that one of them writes.  The text depends only on the rows,
 * never on how they were batched.  Values are formatted by hand (no printf on the hot path):
 *
 *   type       CSV                              JSON lines
 *   BOOL       true / false                     true / false
 *   I64        decimal digits                   a number (64 bits exact)
 *   F64        Java's Double.toString            a number; NaN, Infinity and
 *              ("1.5", "1.0E7", "NaN")           -Infinity as strings
 *   DEC        plain, exactly `scale` fraction   a number, the same text
 *              digits ("-0.05", "12.50")         (exact in the text)
 *   STR        the bytes, quoted when needed     a string, escaped
 *   DATE       YYYY-MM-DD                        "YYYY-MM-DD"
 *   TS         YYYY-MM-DD HH:MM:SS (UTC)         "YYYY-MM-DD HH:MM:SS"
 *   NULL       an empty field                    null
 *
 * CSV follows RFC 4180: a header line of the column names, fields separated
 * by ',', lines ended by LF; a field that contains a comma, a double quote,
 * CR or LF is enclosed in double quotes with its quotes doubled, and an
 * empty string is written as "" so that it differs from NULL.
 *
 * JSON lines: one object per row, keys in column order, strings escaped as
 * JSON requires (", \, control characters; other bytes, UTF-8 included,
 * pass through).
 *
 * Errors (I/O such as ENOSPC) are reported once in `diags` as
 * "cannot write '<path>': <reason>", and make every later call fail; the
 * caller removes the incomplete file.
 */
#ifndef INGEN_TEXT_WRITER_H
#define INGEN_TEXT_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "eval.h"

struct diags;
struct strbuf;

enum tw_format { TW_CSV, TW_JSONL };

struct tw_column {
	const char *name;  /* copied by tw_open */
	enum ir_type type;
	int scale;         /* DEC */
};

struct text_writer;

/*
 * Creates (or truncates) `path` and, for CSV, writes the header line.
 * Returns 0, or -1 with a diagnostic.
 */
int tw_open(struct text_writer **out, const char *path, enum tw_format fmt,
	    const struct tw_column *cols, size_t n_cols, struct diags *diags);

/* Flushes and closes the file; frees the writer whatever the outcome. */
int tw_close(struct text_writer *w, int64_t *bytes_out);

/* Closes the file without finishing it and frees the writer. */
void tw_abort(struct text_writer *w);

/*
 * Appends text made by a formatter (below) to the file, after anything
 * buffered.  Errors are reported in `diags` (the thread that writes now may
 * not be the one that opened the file).
 */
int tw_write_text(struct text_writer *w, const char *text, size_t len, struct diags *diags);

/*
 * A formatter makes the text of rows without a file, so that one thread can
 * format rows that another writes.  It holds scratch space: one per thread.
 * tw_formatter_rows appends the rows' text (cols[j] is column j, of the spec's type).
 */
struct tw_formatter;
struct tw_formatter *tw_formatter_new(enum tw_format fmt, const struct tw_column *cols,
				      size_t n_cols);
void tw_formatter_rows(struct tw_formatter *f, struct strbuf *sb,
		       const struct eval_vec *const *cols, size_t n_rows);
void tw_formatter_free(struct tw_formatter *f);

/* The text the writer produces, appended to `sb`: the header (CSV only) and rows. */
void tw_format_header(struct strbuf *sb, enum tw_format fmt, const struct tw_column *cols,
		      size_t n_cols);
void tw_format_rows(struct strbuf *sb, enum tw_format fmt, const struct tw_column *cols,
		    size_t n_cols, const struct eval_vec *const *vecs, size_t n_rows);

/*
 * Java's Double.toString (as fmt_f64_java in textfmt.h), computed without
 * printf for values in plain notation (10^-3 <= |d| < 10^7), the common
 * case; the others go to fmt_f64_java.  Returns the length; buf holds
 * FMT_F64_MAX bytes.
 */
size_t tw_fmt_f64(char *buf, double d);

/* unscaled * 10^-scale in plain notation with exactly `scale` fraction digits (scale 0..38). */
#define TW_DEC_MAX(scale) ((size_t)(scale) + 23)
size_t tw_fmt_dec(char *buf, int64_t unscaled, int scale);

#endif
