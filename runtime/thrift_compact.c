/*
 * thrift_compact: the Thrift compact protocol writer behind the Parquet page
 * headers and footer (spec: apache/thrift doc/specs/thrift-compact-protocol.md).
 * Integers are zigzag ULEB128 varints, a field header is one byte
 * (delta << 4 | type) when the id grows by 1..15 and otherwise the type byte
 * followed by the zigzag i16 id; booleans live in the field header; a list
 * header is (size << 4 | elem) for fewer than 15 elements, else 0xF0 | elem
 * and a varint size; a struct ends with a 0x00 stop byte.
 */
#include "thrift_compact.h"

#include <assert.h>
#include <string.h>

void tc_init(struct tc_writer *w, struct strbuf *out)
{
	w->out = out;
	w->depth = 0;
	memset(w->last_id, 0, sizeof(w->last_id));
}

void tc_put_uvarint(struct strbuf *out, uint64_t v)
{
	unsigned char b[10];
	size_t n = 0;
	while (v >= 0x80) {
		b[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	b[n++] = (unsigned char)v;
	strbuf_add(out, b, n);
}

uint64_t tc_zigzag64(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static void field_header(struct tc_writer *w, int16_t id, enum tc_type type)
{
	assert(w->depth > 0);
	int16_t *last = &w->last_id[w->depth - 1];
	int delta = id - *last;
	if (delta > 0 && delta <= 15) {
		strbuf_addch(w->out, (delta << 4) | (int)type);
	} else {
		strbuf_addch(w->out, (int)type);
		tc_put_uvarint(w->out, tc_zigzag64(id));
	}
	*last = id;
}

void tc_struct_begin(struct tc_writer *w)
{
	assert(w->depth < TC_MAX_DEPTH);
	w->last_id[w->depth++] = 0;
}

void tc_struct_end(struct tc_writer *w)
{
	assert(w->depth > 0);
	strbuf_addch(w->out, 0);
	w->depth--;
}

void tc_field_struct_begin(struct tc_writer *w, int16_t id)
{
	field_header(w, id, TC_STRUCT);
	tc_struct_begin(w);
}

void tc_field_bool(struct tc_writer *w, int16_t id, int value)
{
	field_header(w, id, value ? TC_BOOL_TRUE : TC_BOOL_FALSE);
}

void tc_field_i16(struct tc_writer *w, int16_t id, int16_t value)
{
	field_header(w, id, TC_I16);
	tc_put_uvarint(w->out, tc_zigzag64(value));
}

void tc_field_i32(struct tc_writer *w, int16_t id, int32_t value)
{
	field_header(w, id, TC_I32);
	tc_put_uvarint(w->out, tc_zigzag64(value));
}

void tc_field_i64(struct tc_writer *w, int16_t id, int64_t value)
{
	field_header(w, id, TC_I64);
	tc_put_uvarint(w->out, tc_zigzag64(value));
}

void tc_field_binary(struct tc_writer *w, int16_t id, const void *data, size_t len)
{
	field_header(w, id, TC_BINARY);
	tc_put_uvarint(w->out, len);
	strbuf_add(w->out, data, len);
}

void tc_field_string(struct tc_writer *w, int16_t id, const char *s)
{
	tc_field_binary(w, id, s, strlen(s));
}

void tc_field_list_begin(struct tc_writer *w, int16_t id, enum tc_type elem, size_t n)
{
	field_header(w, id, TC_LIST);
	if (n < 15) {
		strbuf_addch(w->out, (int)(n << 4) | (int)elem);
	} else {
		strbuf_addch(w->out, 0xF0 | (int)elem);
		tc_put_uvarint(w->out, n);
	}
}

void tc_list_i32(struct tc_writer *w, int32_t value)
{
	tc_put_uvarint(w->out, tc_zigzag64(value));
}

void tc_list_binary(struct tc_writer *w, const void *data, size_t len)
{
	tc_put_uvarint(w->out, len);
	strbuf_add(w->out, data, len);
}

void tc_list_raw(struct tc_writer *w, const void *data, size_t len)
{
	strbuf_add(w->out, data, len);
}
