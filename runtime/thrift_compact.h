/*
 * thrift_compact: a writer for the Thrift compact protocol, the encoding of
 * Parquet's page headers and file footer.  Only what Parquet needs: structs,
 * lists, i16/i32/i64 (zigzag varints), bools (in the field header), binary.
 *
 * Usage: tc_struct_begin() opens the outermost struct (no field header);
 * tc_field_*() write one field each, with the field id delta taken from the
 * enclosing struct; tc_field_struct_begin()/tc_struct_end() nest; a list of
 * structs is tc_field_list_begin(.., TC_STRUCT, n) followed by n times
 * tc_list_struct_begin() ... tc_struct_end().  Fields of a struct must be
 * written in increasing id order (the compact protocol allows any order, but
 * deltas 1..15 stay one byte and Parquet readers expect the usual order).
 *
 * A struct serialised on its own (starting with tc_struct_begin) may be
 * appended verbatim as a list element of another: element structs start with
 * a fresh "last field id" of 0.
 */
#ifndef INGEN_THRIFT_COMPACT_H
#define INGEN_THRIFT_COMPACT_H

#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

enum tc_type {
	TC_BOOL_TRUE = 1,
	TC_BOOL_FALSE = 2,
	TC_I8 = 3,
	TC_I16 = 4,
	TC_I32 = 5,
	TC_I64 = 6,
	TC_DOUBLE = 7,
	TC_BINARY = 8,
	TC_LIST = 9,
	TC_SET = 10,
	TC_MAP = 11,
	TC_STRUCT = 12,
};

#define TC_MAX_DEPTH 16

struct tc_writer {
	struct strbuf *out;
	int depth;
	int16_t last_id[TC_MAX_DEPTH];
};

void tc_init(struct tc_writer *w, struct strbuf *out);

/* Raw primitives (also used for the RLE/bit-packed hybrid's varints). */
void tc_put_uvarint(struct strbuf *out, uint64_t v);
uint64_t tc_zigzag64(int64_t v);

/* Opens an outermost struct, or an element struct inside a list of structs. */
void tc_struct_begin(struct tc_writer *w);
#define tc_list_struct_begin tc_struct_begin
/* Writes the stop byte and returns to the enclosing struct. */
void tc_struct_end(struct tc_writer *w);

void tc_field_struct_begin(struct tc_writer *w, int16_t id);
void tc_field_bool(struct tc_writer *w, int16_t id, int value);
void tc_field_i16(struct tc_writer *w, int16_t id, int16_t value);
void tc_field_i32(struct tc_writer *w, int16_t id, int32_t value);
void tc_field_i64(struct tc_writer *w, int16_t id, int64_t value);
void tc_field_binary(struct tc_writer *w, int16_t id, const void *data, size_t len);
void tc_field_string(struct tc_writer *w, int16_t id, const char *s);
/* A list field header; then write `n` elements with tc_list_*(). */
void tc_field_list_begin(struct tc_writer *w, int16_t id, enum tc_type elem, size_t n);
void tc_list_i32(struct tc_writer *w, int32_t value);
void tc_list_binary(struct tc_writer *w, const void *data, size_t len);
/* Appends `len` bytes of already serialised struct (one list element). */
void tc_list_raw(struct tc_writer *w, const void *data, size_t len);

#endif
