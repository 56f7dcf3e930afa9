/*
 * Unit tests for runtime/parquet.h, runtime/thrift_compact.h and
 * runtime/delta_log.h: exact bytes of the Thrift compact encoding and the
 * RLE/bit-packed hybrid, files taken apart again by a small independent
 * decoder (footer, page headers, levels, values), error messages, and Delta
 * commits including concurrent appends.
 *
 * Run with `--write-samples DIR` it writes the sample files that
 * tests/e2e/test_parquet_readers.py reads back with pyarrow, DuckDB, Spark
 * and deltalake instead of running the checks; the rows are defined by
 * formulas repeated in that file.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "delta_log.h"
#include "diag.h"
#include "harness.h"
#include "parquet.h"
#include "strbuf.h"
#include "thrift_compact.h"

/* ------------------------------------------------------------------ */
/* A tiny independent Thrift compact decoder (a tree of fields).       */

struct tnode {
	int16_t id;  /* field id, or element index in a list */
	int type;    /* TC_* (bools decoded to TC_BOOL_TRUE/FALSE) */
	int64_t i;   /* integers, bools (0/1) */
	const unsigned char *bin;
	size_t len;
	struct tnode *kids;
	size_t n_kids;
};

static uint64_t rd_uvarint(const unsigned char **p, const unsigned char *end)
{
	uint64_t v = 0;
	int shift = 0;
	while (*p < end) {
		unsigned char b = *(*p)++;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			break;
		shift += 7;
	}
	return v;
}

static int64_t unzigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static void tnode_add(struct tnode *parent, const struct tnode *kid)
{
	parent->kids = realloc(parent->kids, (parent->n_kids + 1) * sizeof(*kid));
	parent->kids[parent->n_kids++] = *kid;
}

static void t_read_value(struct tnode *n, int type, const unsigned char **p, const unsigned char *end);

static void t_read_struct(struct tnode *n, const unsigned char **p, const unsigned char *end)
{
	int16_t last = 0;
	n->type = TC_STRUCT;
	while (*p < end) {
		unsigned char h = *(*p)++;
		if (h == 0)
			return;
		struct tnode kid = {0};
		int type = h & 0x0f, delta = h >> 4;
		kid.id = delta ? (int16_t)(last + delta) : (int16_t)unzigzag(rd_uvarint(p, end));
		last = kid.id;
		if (type == TC_BOOL_TRUE || type == TC_BOOL_FALSE) {
			kid.type = type;
			kid.i = type == TC_BOOL_TRUE;
		} else {
			t_read_value(&kid, type, p, end);
		}
		tnode_add(n, &kid);
	}
}

static void t_read_value(struct tnode *n, int type, const unsigned char **p, const unsigned char *end)
{
	n->type = type;
	switch (type) {
	case TC_I8:
		n->i = (int8_t) * (*p)++;
		break;
	case TC_I16:
	case TC_I32:
	case TC_I64:
		n->i = unzigzag(rd_uvarint(p, end));
		break;
	case TC_BINARY:
		n->len = (size_t)rd_uvarint(p, end);
		n->bin = *p;
		*p += n->len;
		break;
	case TC_STRUCT:
		t_read_struct(n, p, end);
		break;
	case TC_LIST: {
		unsigned char h = *(*p)++;
		size_t size = h >> 4;
		int elem = h & 0x0f;
		if (size == 15)
			size = (size_t)rd_uvarint(p, end);
		for (size_t k = 0; k < size; k++) {
			struct tnode kid = {0};
			kid.id = (int16_t)k;
			if (elem == TC_BOOL_TRUE || elem == TC_BOOL_FALSE) {
				kid.type = elem;
				kid.i = *(*p)++ == 1;
			} else {
				t_read_value(&kid, elem, p, end);
			}
			tnode_add(n, &kid);
		}
		break;
	}
	default:
		*p = end; /* unexpected: stop */
		break;
	}
}

static void tnode_free(struct tnode *n)
{
	for (size_t k = 0; k < n->n_kids; k++)
		tnode_free(&n->kids[k]);
	free(n->kids);
}

/* Field `id` of a struct node (or element `id` of a list), or NULL. */
static const struct tnode *tget(const struct tnode *n, int id)
{
	if (!n)
		return NULL;
	for (size_t k = 0; k < n->n_kids; k++)
		if (n->kids[k].id == id)
			return &n->kids[k];
	return NULL;
}

static int64_t tint(const struct tnode *n, int id)
{
	const struct tnode *f = tget(n, id);
	return f ? f->i : -999999;
}

/* ------------------------------------------------------------------ */
/* RLE / bit-packed hybrid decoder                                     */

static size_t rle_decode(uint32_t *out, size_t want, const unsigned char *p, const unsigned char *end,
			 int width, const unsigned char **stop)
{
	size_t n = 0;
	while (n < want && p < end) {
		uint64_t h = rd_uvarint(&p, end);
		if (h & 1) {
			size_t count = (size_t)(h >> 1) * 8;
			for (size_t k = 0; k < count; k++) {
				uint32_t v = 0;
				for (int b = 0; b < width; b++) {
					size_t bit = k * (size_t)width + (size_t)b;
					if (p[bit >> 3] >> (bit & 7) & 1)
						v |= 1u << b;
				}
				if (n < want)
					out[n++] = v;
			}
			p += (size_t)(h >> 1) * (size_t)width;
		} else {
			uint32_t v = 0;
			for (int k = 0; k < (width + 7) / 8; k++)
				v |= (uint32_t)*p++ << (8 * k);
			for (size_t k = 0; k < (h >> 1) && n < want; k++)
				out[n++] = v;
		}
	}
	if (stop)
		*stop = p;
	return n;
}

/* ------------------------------------------------------------------ */
/* file helpers                                                        */

static int read_whole(struct strbuf *sb, const char *path)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	char buf[65536];
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		strbuf_add(sb, buf, (size_t)n);
	close(fd);
	return n < 0 ? -1 : 0;
}

/* Parses the footer of a Parquet file held in `f` into `meta`; 0 if the layout is sound. */
static int parse_footer(struct tnode *meta, const struct strbuf *f)
{
	memset(meta, 0, sizeof(*meta));
	if (f->len < 12 || memcmp(f->buf, "PAR1", 4) || memcmp(f->buf + f->len - 4, "PAR1", 4))
		return -1;
	const unsigned char *e = (const unsigned char *)f->buf + f->len - 8;
	uint32_t flen = (uint32_t)e[0] | (uint32_t)e[1] << 8 | (uint32_t)e[2] << 16 |
			(uint32_t)e[3] << 24;
	if (flen + 12 > f->len)
		return -1;
	const unsigned char *p = e - flen;
	t_read_struct(meta, &p, e);
	return p == e ? 0 : -1;
}

static char *tmpdir_make(void)
{
	char tmpl[] = "/tmp/test_parquet.XXXXXX";
	char *d = mkdtemp(tmpl);
	return d ? strdup(d) : NULL;
}

static void rm_rf(const char *path)
{
	struct strbuf cmd = STRBUF_INIT;
	strbuf_addf(&cmd, "rm -rf '%s'", path);
	if (system(cmd.buf) != 0)
		fprintf(stderr, "cannot remove %s\n", path);
	strbuf_release(&cmd);
}

static const char *first_error(const struct diags *d)
{
	return d->n ? d->items[0].msg : "(no diagnostic)";
}

/* ------------------------------------------------------------------ */
/* Thrift compact                                                      */

static void test_thrift__page_header_bytes(void)
{
	struct strbuf sb = STRBUF_INIT;
	struct tc_writer tc;
	tc_init(&tc, &sb);
	tc_struct_begin(&tc);
	tc_field_i32(&tc, 1, 0);
	tc_field_i32(&tc, 2, 100);
	tc_field_i32(&tc, 3, 50);
	tc_field_struct_begin(&tc, 5);
	tc_field_i32(&tc, 1, 10);
	tc_field_i32(&tc, 2, 8);
	tc_field_i32(&tc, 3, 3);
	tc_field_i32(&tc, 4, 3);
	tc_struct_end(&tc);
	tc_struct_end(&tc);
	static const unsigned char want[] = {0x15, 0x00, 0x15, 0xC8, 0x01, 0x15, 0x64, 0x2C, 0x15,
					     0x14, 0x15, 0x10, 0x15, 0x06, 0x15, 0x06, 0x00, 0x00};
	CHECK_INT_EQ(sizeof(want), sb.len);
	CHECK(sb.len == sizeof(want) && memcmp(sb.buf, want, sizeof(want)) == 0);
	strbuf_release(&sb);
}

static void test_thrift__long_ids_bools_lists_negatives(void)
{
	struct strbuf sb = STRBUF_INIT;
	struct tc_writer tc;
	tc_init(&tc, &sb);
	tc_struct_begin(&tc);
	tc_field_bool(&tc, 1, 1);
	tc_field_bool(&tc, 2, 0);
	tc_field_i64(&tc, 20, -1);     /* delta 18: long form */
	tc_field_i16(&tc, 21, -300);
	tc_field_list_begin(&tc, 22, TC_I32, 16);
	for (int k = 0; k < 16; k++)
		tc_list_i32(&tc, k);
	tc_field_string(&tc, 23, "ab");
	tc_struct_end(&tc);
	static const unsigned char head[] = {
		0x11,             /* id 1, true */
		0x12,             /* id 2, false */
		0x06, 0x28, 0x01, /* i64, id zigzag(20)=40, value zigzag(-1)=1 */
		0x14, 0xD7, 0x04, /* i16 delta 1, zigzag(-300)=599 */
		0x19, 0xF5, 0x10, /* list delta 1, long form of i32, 16 elements */
	};
	CHECK(sb.len > sizeof(head) && memcmp(sb.buf, head, sizeof(head)) == 0);
	static const unsigned char tail[] = {0x18, 0x02, 'a', 'b', 0x00};
	CHECK(memcmp(sb.buf + sb.len - sizeof(tail), tail, sizeof(tail)) == 0);
	CHECK_INT_EQ(sizeof(head) + 16 + sizeof(tail), sb.len);

	/* and the independent decoder agrees */
	struct tnode root = {0};
	const unsigned char *p = (const unsigned char *)sb.buf;
	t_read_struct(&root, &p, p + sb.len);
	CHECK_INT_EQ(1, tint(&root, 1));
	CHECK_INT_EQ(0, tint(&root, 2));
	CHECK_INT_EQ(-1, tint(&root, 20));
	CHECK_INT_EQ(-300, tint(&root, 21));
	CHECK_INT_EQ(16, tget(&root, 22)->n_kids);
	CHECK_INT_EQ(15, tget(tget(&root, 22), 15)->i);
	tnode_free(&root);
	strbuf_release(&sb);
}

static void test_thrift__nested_structs_restore_last_id(void)
{
	struct strbuf sb = STRBUF_INIT;
	struct tc_writer tc;
	tc_init(&tc, &sb);
	tc_struct_begin(&tc);
	tc_field_i32(&tc, 3, 1);
	tc_field_struct_begin(&tc, 4);
	tc_field_i32(&tc, 9, 2);
	tc_struct_end(&tc);
	tc_field_i32(&tc, 5, 3); /* delta 1 from 4, not from 9 */
	tc_struct_end(&tc);
	static const unsigned char want[] = {0x35, 0x02, 0x1C, 0x95, 0x04, 0x00, 0x15, 0x06, 0x00};
	CHECK(sb.len == sizeof(want) && memcmp(sb.buf, want, sizeof(want)) == 0);
	strbuf_release(&sb);
}

/* ------------------------------------------------------------------ */
/* RLE / bit-packed hybrid                                             */

static void test_rle__spec_bitpacked_example(void)
{
	/* Encodings.md: 0..7 at width 3 pack to 10001000 11000110 11111010 */
	uint32_t v[8] = {0, 1, 2, 3, 4, 5, 6, 7};
	struct strbuf sb = STRBUF_INIT;
	pq_rle_hybrid_encode(&sb, v, 8, 3);
	static const unsigned char want[] = {0x03, 0x88, 0xC6, 0xFA};
	CHECK(sb.len == sizeof(want) && memcmp(sb.buf, want, sizeof(want)) == 0);
	strbuf_release(&sb);
}

static void test_rle__runs(void)
{
	uint32_t v[300];
	struct strbuf sb = STRBUF_INIT;
	for (int k = 0; k < 10; k++)
		v[k] = 1;
	pq_rle_hybrid_encode(&sb, v, 10, 1);
	static const unsigned char want1[] = {0x14, 0x01};
	CHECK(sb.len == 2 && memcmp(sb.buf, want1, 2) == 0);

	/* 300 x 0x1234 at width 13: varint(600) = 0xD8 0x04, value in 2 bytes */
	for (int k = 0; k < 300; k++)
		v[k] = 0x1234;
	strbuf_reset(&sb);
	pq_rle_hybrid_encode(&sb, v, 300, 13);
	static const unsigned char want2[] = {0xD8, 0x04, 0x34, 0x12};
	CHECK(sb.len == 4 && memcmp(sb.buf, want2, 4) == 0);

	/* 3 values, then padding: one bit-packed group */
	v[0] = 1, v[1] = 0, v[2] = 1;
	strbuf_reset(&sb);
	pq_rle_hybrid_encode(&sb, v, 3, 1);
	static const unsigned char want3[] = {0x03, 0x05};
	CHECK(sb.len == 2 && memcmp(sb.buf, want3, 2) == 0);
	strbuf_release(&sb);
}

static void test_rle__roundtrip(void)
{
	uint64_t x = 88172645463325252ULL;
	for (int width = 1; width <= 32; width += (width < 4 ? 1 : 5)) {
		for (int trial = 0; trial < 20; trial++) {
			size_t n = 1 + (size_t)(trial * 97 % 2000);
			uint32_t *v = malloc(n * sizeof(*v)), *back = calloc(n, sizeof(*back));
			uint32_t mask = width == 32 ? UINT32_MAX : (1u << width) - 1;
			uint32_t cur = 0;
			for (size_t k = 0; k < n; k++) {
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				if (x % 5 < (uint64_t)(trial % 5)) /* runs of various lengths */
					cur = (uint32_t)(x >> 20) & mask;
				v[k] = trial % 3 == 0 ? (uint32_t)(x >> 11) & mask : cur;
			}
			struct strbuf sb = STRBUF_INIT;
			pq_rle_hybrid_encode(&sb, v, n, width);
			const unsigned char *p = (const unsigned char *)sb.buf, *stop;
			size_t got = rle_decode(back, n, p, p + sb.len, width, &stop);
			CHECK_INT_EQ(n, got);
			CHECK(stop == p + sb.len);
			CHECK(memcmp(v, back, n * sizeof(*v)) == 0);
			strbuf_release(&sb);
			free(v);
			free(back);
		}
	}
}

static void test_parquet__decimal_widths(void)
{
	CHECK_INT_EQ(1, pq_decimal_byte_width(1));
	CHECK_INT_EQ(1, pq_decimal_byte_width(2));
	CHECK_INT_EQ(2, pq_decimal_byte_width(3));
	CHECK_INT_EQ(4, pq_decimal_byte_width(9));
	CHECK_INT_EQ(8, pq_decimal_byte_width(18));
	CHECK_INT_EQ(9, pq_decimal_byte_width(19));
	CHECK_INT_EQ(9, pq_decimal_byte_width(21));
	CHECK_INT_EQ(10, pq_decimal_byte_width(22));
	CHECK_INT_EQ(16, pq_decimal_byte_width(38));
}

/* ------------------------------------------------------------------ */
/* Writer: layout, pages, stats                                        */

/* Reads the data page at `off` of an uncompressed file: header node, body pointer. */
static const unsigned char *read_page(struct tnode *hdr, const struct strbuf *f, int64_t off)
{
	const unsigned char *p = (const unsigned char *)f->buf + off;
	memset(hdr, 0, sizeof(*hdr));
	t_read_struct(hdr, &p, (const unsigned char *)f->buf + f->len);
	return p;
}

static void test_writer__layout_and_values(void)
{
	char *dir = tmpdir_make();
	struct strbuf path = STRBUF_INIT, f = STRBUF_INIT;
	struct diags d = DIAGS_INIT;
	struct pq_writer *w;
	struct pq_options opt;
	struct pq_column_spec cols[] = {
		{"id", PQ_INT64, 0, 0, false, 0},
		{"n", PQ_INT32, 0, 0, true, 0},
		{"s", PQ_STRING, 0, 0, true, 0},
	};
	int64_t ids[25];
	int32_t ns[25];
	uint8_t nvalid[25], svalid[25];
	const char *strs[25];
	static const char *const words[] = {"pear", "apple", "fig"};
	for (int k = 0; k < 25; k++) {
		ids[k] = k * 1000 - 7;
		ns[k] = -k;
		nvalid[k] = k % 4 != 1;
		svalid[k] = k % 5 != 0;
		strs[k] = svalid[k] ? words[k % 3] : NULL;
	}
	struct pq_batch_column bc[3] = {{.values = ids}, {.values = ns, .valid = nvalid},
					{.strs = strs, .valid = svalid}};
	struct pq_file_stats st;

	strbuf_addf(&path, "%s/a.parquet", dir);
	pq_options_init(&opt);
	opt.codec = PQ_CODEC_NONE;
	opt.row_group_rows = 10;
	CHECK_INT_EQ(0, pq_writer_open(&w, path.buf, cols, 3, &opt, &d));
	CHECK_INT_EQ(0, pq_writer_write_batch(w, bc, 25));
	CHECK_INT_EQ(25, pq_writer_rows(w));
	CHECK_INT_EQ(0, pq_writer_close(w, &st));
	CHECK_INT_EQ(0, d.errors);

	CHECK_INT_EQ(0, read_whole(&f, path.buf));
	CHECK_INT_EQ(st.file_bytes, f.len);
	CHECK_INT_EQ(25, st.num_rows);
	CHECK_INT_EQ(3, st.n_row_groups);
	CHECK_INT_EQ(0, st.columns[0].null_count);
	CHECK_INT_EQ(-7, st.columns[0].min.i);
	CHECK_INT_EQ(23993, st.columns[0].max.i);
	CHECK_INT_EQ(6, st.columns[1].null_count); /* k = 1, 5, 9, 13, 17, 21 */
	CHECK_INT_EQ(-24, st.columns[1].min.i);
	CHECK_INT_EQ(0, st.columns[1].max.i);
	CHECK_INT_EQ(5, st.columns[2].null_count);
	CHECK_STR_EQ("apple", st.columns[2].min.s);
	CHECK_STR_EQ("pear", st.columns[2].max.s);

	struct tnode meta;
	CHECK_INT_EQ(0, parse_footer(&meta, &f));
	CHECK_INT_EQ(1, tint(&meta, 1));
	CHECK_INT_EQ(25, tint(&meta, 3));
	const struct tnode *schema = tget(&meta, 2);
	CHECK_INT_EQ(4, schema ? schema->n_kids : 0);
	CHECK_INT_EQ(3, tint(tget(schema, 0), 5));       /* root num_children */
	CHECK_INT_EQ(0, tint(tget(schema, 1), 3));       /* id REQUIRED */
	CHECK_INT_EQ(1, tint(tget(schema, 2), 3));       /* n OPTIONAL */
	CHECK_INT_EQ(6, tint(tget(schema, 3), 1));       /* s BYTE_ARRAY */
	CHECK_INT_EQ(0, tint(tget(schema, 3), 6));       /* UTF8 */
	CHECK(tget(tget(tget(schema, 3), 10), 1) != NULL); /* logicalType STRING */
	const struct tnode *rgs = tget(&meta, 4);
	CHECK_INT_EQ(3, rgs ? rgs->n_kids : 0);
	CHECK_INT_EQ(3, tget(&meta, 7) ? tget(&meta, 7)->n_kids : 0); /* column orders */

	/* row group 1 (rows 10..19), column id: one PLAIN page of 10 int64 */
	const struct tnode *rg1 = tget(rgs, 1);
	CHECK_INT_EQ(10, tint(rg1, 3));
	CHECK_INT_EQ(1, tint(rg1, 7));
	const struct tnode *cm = tget(tget(tget(rg1, 1), 0), 3);
	CHECK(cm != NULL);
	if (cm) {
		CHECK_INT_EQ(2, tint(cm, 1));   /* INT64 */
		CHECK_INT_EQ(0, tint(cm, 4));   /* UNCOMPRESSED */
		CHECK_INT_EQ(10, tint(cm, 5));
		const struct tnode *stats = tget(cm, 12);
		CHECK_INT_EQ(0, tint(stats, 3));
		int64_t mn = 0, mx = 0;
		memcpy(&mn, tget(stats, 6)->bin, 8);
		memcpy(&mx, tget(stats, 5)->bin, 8);
		CHECK_INT_EQ(9993, mn);
		CHECK_INT_EQ(18993, mx);
		struct tnode ph;
		const unsigned char *body = read_page(&ph, &f, tint(cm, 9));
		CHECK_INT_EQ(0, tint(&ph, 1));
		CHECK_INT_EQ(80, tint(&ph, 2));
		CHECK_INT_EQ(10, tint(tget(&ph, 5), 1));
		CHECK_INT_EQ(0, tint(tget(&ph, 5), 2)); /* PLAIN */
		for (int k = 0; k < 10; k++) {
			int64_t v;
			memcpy(&v, body + 8 * k, 8);
			CHECK_INT_EQ(ids[10 + k], v);
		}
		CHECK_INT_EQ(tint(cm, 6), (body - (const unsigned char *)f.buf) - tint(cm, 9) + 80);
		tnode_free(&ph);
	}

	/* row group 0, column n: definition levels then the non-null values */
	cm = tget(tget(tget(tget(rgs, 0), 1), 1), 3);
	CHECK(cm != NULL);
	if (cm) {
		CHECK_INT_EQ(10, tint(cm, 5)); /* num_values counts nulls */
		CHECK_INT_EQ(3, tint(tget(cm, 12), 3));
		struct tnode ph;
		const unsigned char *body = read_page(&ph, &f, tint(cm, 9));
		uint32_t len = (uint32_t)body[0] | (uint32_t)body[1] << 8;
		uint32_t defs[10];
		CHECK_INT_EQ(10, rle_decode(defs, 10, body + 4, body + 4 + len, 1, NULL));
		const unsigned char *vals = body + 4 + len;
		int nv = 0;
		for (int k = 0; k < 10; k++) {
			CHECK_INT_EQ(nvalid[k], defs[k]);
			if (defs[k]) {
				int32_t v;
				memcpy(&v, vals + 4 * nv++, 4);
				CHECK_INT_EQ(ns[k], v);
			}
		}
		CHECK_INT_EQ(tint(&ph, 2), (vals + 4 * nv) - body);
		tnode_free(&ph);
	}

	/* row group 2, column s: dictionary page, then RLE_DICTIONARY indices */
	cm = tget(tget(tget(tget(rgs, 2), 1), 2), 3);
	CHECK(cm != NULL);
	if (cm) {
		const struct tnode *enc = tget(cm, 2);
		bool has_dict = false;
		for (size_t k = 0; enc && k < enc->n_kids; k++)
			has_dict |= enc->kids[k].i == 8;
		CHECK(has_dict);
		struct tnode dh;
		const unsigned char *dict = read_page(&dh, &f, tint(cm, 11));
		CHECK_INT_EQ(2, tint(&dh, 1)); /* DICTIONARY_PAGE */
		int n_dict = (int)tint(tget(&dh, 7), 1);
		CHECK_INT_EQ(3, n_dict);
		const char *entries[3];
		const unsigned char *q = dict;
		for (int k = 0; k < n_dict && k < 3; k++) {
			uint32_t l = (uint32_t)q[0];
			entries[k] = strndup((const char *)q + 4, l);
			q += 4 + l;
		}
		struct tnode ph;
		const unsigned char *body = read_page(&ph, &f, tint(cm, 9));
		CHECK_INT_EQ(8, tint(tget(&ph, 5), 2));
		uint32_t len = (uint32_t)body[0];
		uint32_t defs[5], idx[5];
		CHECK_INT_EQ(5, rle_decode(defs, 5, body + 4, body + 4 + len, 1, NULL));
		const unsigned char *ib = body + 4 + len;
		int bw = *ib++;
		int n_present = 0;
		for (int k = 0; k < 5; k++)
			n_present += (int)defs[k];
		CHECK_INT_EQ(n_present, rle_decode(idx, (size_t)n_present, ib, body + tint(&ph, 2), bw, NULL));
		for (int k = 0, m = 0; k < 5; k++) {
			CHECK_INT_EQ(svalid[20 + k], defs[k]);
			if (defs[k] && n_dict == 3)
				CHECK_STR_EQ(words[(20 + k) % 3], entries[idx[m++]]);
		}
		for (int k = 0; k < n_dict && k < 3; k++)
			free((char *)entries[k]);
		tnode_free(&ph);
		tnode_free(&dh);
	}
	tnode_free(&meta);
	pq_file_stats_release(&st);
	diags_release(&d);
	strbuf_release(&f);
	strbuf_release(&path);
	rm_rf(dir);
	free(dir);
}

/* Writes `n` rows of a mixed table in batches of `batch`; returns the file bytes. */
static void write_mixed(struct strbuf *out, const char *path, size_t n, size_t batch,
			enum pq_codec codec)
{
	struct pq_column_spec cols[] = {
		{"b", PQ_BOOLEAN, 0, 0, true, 0},
		{"d", PQ_DOUBLE, 0, 0, false, 0},
		{"s", PQ_STRING, 0, 0, true, 0},
		{"x", PQ_DECIMAL, 30, 4, true, 0},
	};
	struct pq_options opt;
	struct pq_writer *w;
	struct diags d = DIAGS_INIT;
	uint8_t *b = malloc(n), *valid = malloc(n);
	double *dv = malloc(n * sizeof(double));
	uint32_t *off = malloc((n + 1) * sizeof(uint32_t));
	pq_int128 *x = malloc(n * sizeof(pq_int128));
	struct strbuf data = STRBUF_INIT;

	for (size_t i = 0; i < n; i++) {
		b[i] = i % 3 == 0;
		valid[i] = i % 7 != 3;
		dv[i] = (double)i * 0.25 - 100;
		x[i] = ((pq_int128)i - 500) * (pq_int128)1000000000000000000LL;
		off[i] = (uint32_t)data.len;
		strbuf_addf(&data, "value-%zu", i % 37);
	}
	off[n] = (uint32_t)data.len;
	pq_options_init(&opt);
	opt.codec = codec;
	opt.row_group_rows = 700;
	opt.page_rows = 90;
	opt.page_bytes = 1000;
	opt.dictionary_bytes = 300;
	CHECK_INT_EQ(0, pq_writer_open(&w, path, cols, 4, &opt, &d));
	for (size_t i = 0; i < n; i += batch) {
		size_t m = n - i < batch ? n - i : batch;
		struct pq_batch_column bc[4] = {
			{.values = b + i, .valid = valid + i},
			{.values = dv + i},
			{.offsets = off + i, .data = data.buf, .valid = valid + i},
			{.values = x + i, .valid = valid + i},
		};
		CHECK_INT_EQ(0, pq_writer_write_batch(w, bc, m));
	}
	CHECK_INT_EQ(0, pq_writer_close(w, NULL));
	CHECK_INT_EQ(0, d.errors);
	strbuf_reset(out);
	CHECK_INT_EQ(0, read_whole(out, path));
	free(b);
	free(valid);
	free(dv);
	free(off);
	free(x);
	strbuf_release(&data);
	diags_release(&d);
}

static void test_writer__bytes_do_not_depend_on_batching(void)
{
	char *dir = tmpdir_make();
	struct strbuf path = STRBUF_INIT, a = STRBUF_INIT, b = STRBUF_INIT;
	strbuf_addf(&path, "%s/m.parquet", dir);
	for (int codec = PQ_CODEC_NONE; codec <= PQ_CODEC_ZSTD; codec++) {
		write_mixed(&a, path.buf, 2000, 2000, (enum pq_codec)codec);
		write_mixed(&b, path.buf, 2000, 33, (enum pq_codec)codec);
		CHECK(a.len > 0 && a.len == b.len && memcmp(a.buf, b.buf, a.len) == 0);
	}
	strbuf_release(&path);
	strbuf_release(&a);
	strbuf_release(&b);
	rm_rf(dir);
	free(dir);
}

static void test_writer__dictionary_falls_back_to_plain(void)
{
	char *dir = tmpdir_make();
	struct strbuf path = STRBUF_INIT, f = STRBUF_INIT;
	struct tnode meta;
	strbuf_addf(&path, "%s/m.parquet", dir);
	write_mixed(&f, path.buf, 2000, 128, PQ_CODEC_NONE);
	CHECK_INT_EQ(0, parse_footer(&meta, &f));
	const struct tnode *rgs = tget(&meta, 4);
	CHECK_INT_EQ(3, rgs ? rgs->n_kids : 0);
	/* column s has 37 distinct values of ~12 dictionary bytes each; 300
	 * bytes hold about 25, so row group 0 starts with a dictionary and falls
	 * back to PLAIN */
	for (size_t g = 0; rgs && g < rgs->n_kids; g++) {
		const struct tnode *cm = tget(tget(tget(tget(rgs, (int)g), 1), 2), 3);
		const struct tnode *enc = tget(cm, 2);
		bool plain = false, dict = false;
		for (size_t k = 0; enc && k < enc->n_kids; k++) {
			plain |= enc->kids[k].i == 0;
			dict |= enc->kids[k].i == 8;
		}
		CHECK(plain);
		if (g == 0) {
			CHECK(dict);
			CHECK(tget(cm, 11) != NULL);
		} else {
			/* a column that overflowed stays PLAIN in later row groups */
			CHECK(!dict);
			CHECK(tget(cm, 11) == NULL);
		}
	}
	tnode_free(&meta);
	strbuf_release(&path);
	strbuf_release(&f);
	rm_rf(dir);
	free(dir);
}

static void test_writer__stats_special_values(void)
{
	char *dir = tmpdir_make();
	struct strbuf path = STRBUF_INIT;
	struct diags d = DIAGS_INIT;
	struct pq_writer *w;
	struct pq_file_stats st;
	struct pq_column_spec cols[] = {
		{"d", PQ_DOUBLE, 0, 0, true, 0},
		{"nan", PQ_DOUBLE, 0, 0, false, 0},
		{"allnull", PQ_INT32, 0, 0, true, 0},
		{"x", PQ_DECIMAL, 38, 0, false, 0},
		{"b", PQ_BOOLEAN, 0, 0, false, 0},
	};
	double dv[4] = {0.0, -0.0, NAN, 2.5};
	double nan[4] = {NAN, NAN, NAN, NAN};
	int32_t iv[4] = {1, 2, 3, 4};
	uint8_t none[4] = {0, 0, 0, 0};
	pq_int128 big = 1;
	for (int k = 0; k < 38; k++)
		big *= 10;
	pq_int128 xv[4] = {big - 1, -(big - 1), 0, 5};
	uint8_t bv[4] = {1, 1, 1, 1};
	struct pq_batch_column bc[5] = {{.values = dv}, {.values = nan}, {.values = iv, .valid = none},
					{.values = xv}, {.values = bv}};
	strbuf_addf(&path, "%s/s.parquet", dir);
	CHECK_INT_EQ(0, pq_writer_open(&w, path.buf, cols, 5, NULL, &d));
	CHECK_INT_EQ(0, pq_writer_write_batch(w, bc, 4));
	CHECK_INT_EQ(0, pq_writer_close(w, &st));
	CHECK(st.columns[0].has_min_max);
	CHECK(st.columns[0].min.d == 0 && signbit(st.columns[0].min.d));
	CHECK(st.columns[0].max.d == 2.5);
	CHECK(st.columns[0].has_nan);
	CHECK(!st.columns[3].has_nan);
	CHECK(!st.columns[1].has_min_max);
	CHECK(!st.columns[2].has_min_max);
	CHECK_INT_EQ(4, st.columns[2].null_count);
	CHECK(st.columns[3].min.i128 == -(big - 1));
	CHECK(st.columns[3].max.i128 == big - 1);
	CHECK_INT_EQ(1, st.columns[4].min.i);
	CHECK_INT_EQ(1, st.columns[4].max.i);

	/* in the footer: null_count always; no min/max beside a NaN; FLBA big-endian bounds */
	struct strbuf f = STRBUF_INIT;
	struct tnode meta;
	CHECK_INT_EQ(0, read_whole(&f, path.buf));
	CHECK_INT_EQ(0, parse_footer(&meta, &f));
	const struct tnode *chunks = tget(tget(tget(&meta, 4), 0), 1);
	const struct tnode *sd = tget(tget(tget(chunks, 0), 3), 12);
	CHECK_INT_EQ(0, tint(sd, 3));
	CHECK(tget(sd, 5) == NULL && tget(sd, 6) == NULL);
	const struct tnode *sn = tget(tget(tget(chunks, 2), 3), 12);
	CHECK_INT_EQ(4, tint(sn, 3));
	CHECK(tget(sn, 5) == NULL && tget(sn, 6) == NULL);
	const struct tnode *sx = tget(tget(tget(chunks, 3), 3), 12);
	CHECK(tget(sx, 5) && tget(sx, 5)->len == 16 && tget(sx, 5)->bin[0] == 0x4b);
	CHECK(tget(sx, 6) && tget(sx, 6)->len == 16 && tget(sx, 6)->bin[0] == 0xb4 &&
	      tget(sx, 6)->bin[15] == 0x01);
	tnode_free(&meta);
	strbuf_release(&f);
	pq_file_stats_release(&st);
	diags_release(&d);
	strbuf_release(&path);
	rm_rf(dir);
	free(dir);
}

static void test_writer__errors(void)
{
	char *dir = tmpdir_make();
	struct strbuf path = STRBUF_INIT, want = STRBUF_INIT;
	struct diags d = DIAGS_INIT;
	struct pq_writer *w = NULL;
	struct pq_column_spec req[] = {{"id", PQ_INT64, 0, 0, false, 0}};
	struct pq_column_spec dec[] = {{"amount", PQ_DECIMAL, 5, 2, false, 0}};
	struct pq_column_spec bad[] = {{"amount", PQ_DECIMAL, 40, 2, false, 0}};
	struct pq_column_spec dup[] = {{"a", PQ_INT64, 0, 0, false, 0}, {"a", PQ_INT32, 0, 0, false, 0}};
	int64_t v[2] = {1, 100000};
	uint8_t valid[2] = {1, 0};

	strbuf_addf(&path, "%s/e.parquet", dir);
	CHECK_INT_EQ(0, pq_writer_open(&w, path.buf, req, 1, NULL, &d));
	struct pq_batch_column bc = {.values = v, .valid = valid};
	CHECK_INT_EQ(-1, pq_writer_write_batch(w, &bc, 2));
	CHECK_INT_EQ(-1, pq_writer_write_batch(w, &bc, 1)); /* stays failed */
	CHECK_INT_EQ(-1, pq_writer_close(w, NULL));
	CHECK_INT_EQ(1, d.errors); /* reported once */
	strbuf_addf(&want, "cannot write '%s': column 'id' is not nullable but a value is null", path.buf);
	CHECK_STR_EQ(want.buf, first_error(&d));
	diags_release(&d);

	CHECK_INT_EQ(0, pq_writer_open(&w, path.buf, dec, 1, NULL, &d));
	struct pq_batch_column bd = {.values = v};
	CHECK_INT_EQ(-1, pq_writer_write_batch(w, &bd, 2));
	pq_writer_abort(w);
	strbuf_reset(&want);
	strbuf_addf(&want, "cannot write '%s': a value of column 'amount' has more than 5 digits, "
		    "the precision of decimal(5,2)", path.buf);
	CHECK_STR_EQ(want.buf, first_error(&d));
	diags_release(&d);

	w = (struct pq_writer *)&d;
	CHECK_INT_EQ(-1, pq_writer_open(&w, path.buf, bad, 1, NULL, &d));
	CHECK(w == NULL);
	strbuf_reset(&want);
	strbuf_addf(&want, "cannot write '%s': column 'amount' has type 'decimal(40,2)'; precision "
		    "must be 1 to 38 and scale 0 to precision", path.buf);
	CHECK_STR_EQ(want.buf, first_error(&d));
	diags_release(&d);

	CHECK_INT_EQ(-1, pq_writer_open(&w, path.buf, dup, 2, NULL, &d));
	strbuf_reset(&want);
	strbuf_addf(&want, "cannot write '%s': column 'a' appears twice", path.buf);
	CHECK_STR_EQ(want.buf, first_error(&d));
	diags_release(&d);

	strbuf_reset(&path);
	strbuf_addf(&path, "%s/no/such/dir/x.parquet", dir);
	CHECK_INT_EQ(-1, pq_writer_open(&w, path.buf, req, 1, NULL, &d));
	strbuf_reset(&want);
	strbuf_addf(&want, "cannot write '%s': No such file or directory", path.buf);
	CHECK_STR_EQ(want.buf, first_error(&d));
	diags_release(&d);

	/* a full disk */
	if (access("/dev/full", W_OK) == 0) {
		CHECK_INT_EQ(-1, pq_writer_open(&w, "/dev/full", req, 1, NULL, &d));
		CHECK_STR_EQ("cannot write '/dev/full': No space left on device", first_error(&d));
		diags_release(&d);
	}
	strbuf_release(&path);
	strbuf_release(&want);
	rm_rf(dir);
	free(dir);
}

static void test_writer__empty_file(void)
{
	char *dir = tmpdir_make();
	struct strbuf path = STRBUF_INIT, f = STRBUF_INIT;
	struct diags d = DIAGS_INIT;
	struct pq_writer *w;
	struct pq_column_spec cols[] = {{"a", PQ_STRING, 0, 0, true, 0}};
	struct pq_file_stats st;
	struct tnode meta;
	strbuf_addf(&path, "%s/empty.parquet", dir);
	CHECK_INT_EQ(0, pq_writer_open(&w, path.buf, cols, 1, NULL, &d));
	CHECK_INT_EQ(0, pq_writer_close(w, &st));
	CHECK_INT_EQ(0, st.num_rows);
	CHECK_INT_EQ(0, st.n_row_groups);
	CHECK(!st.columns[0].has_min_max);
	CHECK_INT_EQ(0, read_whole(&f, path.buf));
	CHECK_INT_EQ(0, parse_footer(&meta, &f));
	CHECK_INT_EQ(0, tint(&meta, 3));
	CHECK_INT_EQ(0, tget(&meta, 4) ? tget(&meta, 4)->n_kids : 99);
	tnode_free(&meta);
	pq_file_stats_release(&st);
	strbuf_release(&path);
	strbuf_release(&f);
	rm_rf(dir);
	free(dir);
}

/* ------------------------------------------------------------------ */
/* Delta log                                                           */

static void test_delta__formats(void)
{
	struct strbuf sb = STRBUF_INIT;
	int64_t y;
	int m, dd;
	delta_civil_from_days(0, &y, &m, &dd);
	CHECK(y == 1970 && m == 1 && dd == 1);
	delta_civil_from_days(19723, &y, &m, &dd);
	CHECK(y == 2024 && m == 1 && dd == 1);
	delta_civil_from_days(-1, &y, &m, &dd);
	CHECK(y == 1969 && m == 12 && dd == 31);
	delta_civil_from_days(11016, &y, &m, &dd);
	CHECK(y == 2000 && m == 2 && dd == 29);

	delta_partition_dir(&sb, "region", "a/b:c=d% e");
	CHECK_STR_EQ("region=a%2Fb%3Ac%3Dd%25 e", sb.buf);
	strbuf_reset(&sb);
	delta_partition_dir(&sb, "region", NULL);
	CHECK_STR_EQ("region=__HIVE_DEFAULT_PARTITION__", sb.buf);

	struct pq_column_spec ts = {"t", PQ_TIMESTAMP_MICROS, 0, 0, true, 0};
	struct pq_column_spec dt = {"d", PQ_DATE, 0, 0, true, 0};
	struct pq_column_spec d9 = {"x", PQ_DECIMAL, 9, 3, true, 0};
	struct pq_column_spec d38 = {"y", PQ_DECIMAL, 38, 6, true, 0};
	struct pq_value v = {0};
	v.i = -1; /* one microsecond before the epoch */
	strbuf_reset(&sb);
	delta_partition_value(&sb, &ts, &v);
	CHECK_STR_EQ("1969-12-31 23:59:59.999999", sb.buf);
	v.i = 1704067200LL * 1000000;
	strbuf_reset(&sb);
	delta_partition_value(&sb, &ts, &v);
	CHECK_STR_EQ("2024-01-01 00:00:00", sb.buf);
	v.i = 19723;
	strbuf_reset(&sb);
	delta_partition_value(&sb, &dt, &v);
	CHECK_STR_EQ("2024-01-01", sb.buf);
	v.i = -5;
	strbuf_reset(&sb);
	delta_partition_value(&sb, &d9, &v);
	CHECK_STR_EQ("-0.005", sb.buf);
	v.i128 = (pq_int128)123456789012345678LL * 1000000000 + 1;
	strbuf_reset(&sb);
	delta_partition_value(&sb, &d38, &v);
	CHECK_STR_EQ("123456789012345678000.000001", sb.buf);

	char u1[37], u2[37];
	delta_uuid_from(u1, "abc", 3);
	delta_uuid_from(u2, "abc", 3);
	CHECK_STR_EQ(u1, u2);
	CHECK_INT_EQ(36, strlen(u1));
	CHECK(u1[8] == '-' && u1[13] == '-' && u1[14] == '4' && u1[18] == '-' && u1[23] == '-');
	delta_uuid_from(u2, "abd", 3);
	CHECK(strcmp(u1, u2) != 0);

	strbuf_reset(&sb);
	delta_part_file_name(&sb, "seed", 3, PQ_CODEC_SNAPPY);
	CHECK(strncmp(sb.buf, "part-00003-", 11) == 0);
	CHECK(strcmp(sb.buf + sb.len - 20, "-c000.snappy.parquet") == 0);

	struct pq_column_spec cols[] = {{"a", PQ_INT32, 0, 0, false, 0},
					{"b", PQ_DECIMAL, 18, 2, true, 0},
					{"c", PQ_STRING, 0, 0, true, 40},
					{"d", PQ_TIMESTAMP_MICROS, 0, 0, true, 0}};
	strbuf_reset(&sb);
	delta_schema_json(&sb, cols, 4);
	CHECK_STR_EQ("{\"type\":\"struct\",\"fields\":["
		     "{\"name\":\"a\",\"type\":\"integer\",\"nullable\":false,\"metadata\":{}},"
		     "{\"name\":\"b\",\"type\":\"decimal(18,2)\",\"nullable\":true,\"metadata\":{}},"
		     "{\"name\":\"c\",\"type\":\"string\",\"nullable\":true,\"metadata\":"
		     "{\"__CHAR_VARCHAR_TYPE_STRING\":\"varchar(40)\"}},"
		     "{\"name\":\"d\",\"type\":\"timestamp\",\"nullable\":true,\"metadata\":{}}]}",
		     sb.buf);
	strbuf_release(&sb);
}

static cJSON *read_version(const char *table, int64_t version, int line)
{
	struct strbuf p = STRBUF_INIT, text = STRBUF_INIT;
	cJSON *res = NULL;
	strbuf_addf(&p, "%s/_delta_log/%020lld.json", table, (long long)version);
	if (read_whole(&text, p.buf) == 0) {
		char *s = text.buf;
		for (int k = 0; k < line && s; k++) {
			s = strchr(s, '\n');
			s = s ? s + 1 : NULL;
		}
		if (s && *s) {
			char *nl = strchr(s, '\n');
			if (nl)
				*nl = 0;
			res = cJSON_Parse(s);
		}
	}
	strbuf_release(&p);
	strbuf_release(&text);
	return res;
}

static const char *jstr(const cJSON *o, const char *path)
{
	/* dotted path through objects */
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", path);
	const cJSON *cur = o;
	for (char *part = buf, *dot; cur && part; part = dot ? dot + 1 : NULL) {
		dot = strchr(part, '.');
		if (dot)
			*dot = 0;
		cur = cJSON_GetObjectItemCaseSensitive(cur, part);
	}
	if (cJSON_IsString(cur))
		return cur->valuestring;
	static char num[64];
	if (cJSON_IsNumber(cur)) {
		snprintf(num, sizeof(num), "%.17g", cur->valuedouble);
		return num;
	}
	if (cJSON_IsNull(cur))
		return "null";
	if (cJSON_IsBool(cur))
		return cJSON_IsTrue(cur) ? "true" : "false";
	return NULL;
}

static void test_delta__create_append_and_conflicts(void)
{
	char *dir = tmpdir_make();
	struct strbuf table = STRBUF_INIT, want = STRBUF_INIT;
	struct diags d = DIAGS_INIT;
	struct pq_column_spec cols[] = {{"id", PQ_INT64, 0, 0, false, 0},
					{"name", PQ_STRING, 0, 0, true, 0},
					{"ts", PQ_TIMESTAMP_MICROS, 0, 0, true, 0},
					{"region", PQ_STRING, 0, 0, true, 0}};
	const char *pcols[] = {"region"};
	struct delta_table_meta meta = {.columns = cols, .n_columns = 4, .partition_columns = pcols,
					.n_partition_columns = 1, .created_time_ms = 1700000000000};
	struct pq_column_stats cs[3] = {
		{.name = "id", .type = PQ_INT64, .null_count = 0, .has_min_max = true,
		 .min = {.i = 1}, .max = {.i = 9007199254740993LL}},
		{.name = "name", .type = PQ_STRING, .null_count = 2, .has_min_max = true,
		 .min = {.s = "Ann \"the\" first and a name longer than thirty-two", .len = 50},
		 .max = {.s = "Zoe", .len = 3}},
		{.name = "ts", .type = PQ_TIMESTAMP_MICROS, .null_count = 1, .has_min_max = true,
		 .min = {.i = 1704067200000001LL}, .max = {.i = 1704067200000001LL}},
	};
	struct pq_file_stats st = {.num_rows = 10, .file_bytes = 1234, .n_columns = 3, .columns = cs};
	const char *pv_eu[] = {"EU"}, *pv_null[] = {NULL};
	struct delta_add adds[2] = {
		{"region=EU/part-00000-x.parquet", pv_eu, 1234, 1700000000001, &st},
		{"region=__HIVE_DEFAULT_PARTITION__/part 1.parquet", pv_null, 99, 0, NULL},
	};
	strbuf_addf(&table, "%s/t", dir);
	CHECK_INT_EQ(-1, delta_log_latest_version(table.buf));
	CHECK_INT_EQ(0, delta_log_create(table.buf, &meta, adds, 2, &d));
	CHECK_INT_EQ(0, d.errors);
	CHECK_INT_EQ(0, delta_log_latest_version(table.buf));

	cJSON *ci = read_version(table.buf, 0, 0), *pr = read_version(table.buf, 0, 1);
	cJSON *md = read_version(table.buf, 0, 2), *a0 = read_version(table.buf, 0, 3);
	cJSON *a1 = read_version(table.buf, 0, 4);
	CHECK_STR_EQ("WRITE", jstr(ci, "commitInfo.operation"));
	CHECK_STR_EQ("ErrorIfExists", jstr(ci, "commitInfo.operationParameters.mode"));
	CHECK_STR_EQ("[\"region\"]", jstr(ci, "commitInfo.operationParameters.partitionBy"));
	CHECK_STR_EQ("2", jstr(ci, "commitInfo.operationMetrics.numFiles"));
	CHECK_STR_EQ("1", jstr(pr, "protocol.minReaderVersion"));
	CHECK_STR_EQ("2", jstr(pr, "protocol.minWriterVersion"));
	CHECK_STR_EQ("parquet", jstr(md, "metaData.format.provider"));
	CHECK_STR_EQ("1700000000000", jstr(md, "metaData.createdTime"));
	CHECK(jstr(md, "metaData.id") && strlen(jstr(md, "metaData.id")) == 36);
	CHECK_STR_EQ("region", cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(md, "metaData"),
								       "partitionColumns"), 0)->valuestring);
	CHECK_STR_EQ("region=EU/part-00000-x.parquet", jstr(a0, "add.path"));
	CHECK_STR_EQ("EU", jstr(a0, "add.partitionValues.region"));
	CHECK_STR_EQ("1700000000001", jstr(a0, "add.modificationTime"));
	CHECK_STR_EQ("true", jstr(a0, "add.dataChange"));
	CHECK_STR_EQ("{\"numRecords\":10,"
		     "\"minValues\":{\"id\":1,\"name\":\"Ann \\\"the\\\" first and a name longe\","
		     "\"ts\":\"2024-01-01T00:00:00.000Z\"},"
		     "\"maxValues\":{\"id\":9007199254740993,\"name\":\"Zoe\","
		     "\"ts\":\"2024-01-01T00:00:00.001Z\"},"
		     "\"nullCount\":{\"id\":0,\"name\":2,\"ts\":1}}",
		     jstr(a0, "add.stats"));
	CHECK_STR_EQ("region=__HIVE_DEFAULT_PARTITION__/part%201.parquet", jstr(a1, "add.path"));
	CHECK_STR_EQ("null", jstr(a1, "add.partitionValues.region"));
	CHECK(jstr(a1, "add.stats") == NULL);
	cJSON_Delete(ci);
	cJSON_Delete(pr);
	cJSON_Delete(md);
	cJSON_Delete(a0);
	cJSON_Delete(a1);

	/* create again: refused */
	CHECK_INT_EQ(-1, delta_log_create(table.buf, &meta, adds, 1, &d));
	strbuf_addf(&want, "cannot create delta table '%s': it exists already", table.buf);
	CHECK_STR_EQ(want.buf, first_error(&d));
	diags_release(&d);

	/* append: version 1 with commitInfo and adds only */
	int64_t version = -1;
	CHECK_INT_EQ(0, delta_log_append(&version, table.buf, &meta, adds, 1, &d));
	CHECK_INT_EQ(1, version);
	ci = read_version(table.buf, 1, 0);
	a0 = read_version(table.buf, 1, 1);
	CHECK_STR_EQ("Append", jstr(ci, "commitInfo.operationParameters.mode"));
	CHECK_STR_EQ("0", jstr(ci, "commitInfo.readVersion"));
	CHECK(jstr(a0, "add.path") != NULL);
	CHECK(read_version(table.buf, 1, 2) == NULL);
	cJSON_Delete(ci);
	cJSON_Delete(a0);

	/* append with another schema: refused, nothing written */
	struct pq_column_spec other[] = {{"id", PQ_INT32, 0, 0, false, 0},
					 {"name", PQ_STRING, 0, 0, true, 0},
					 {"ts", PQ_TIMESTAMP_MICROS, 0, 0, true, 0},
					 {"region", PQ_STRING, 0, 0, true, 0}};
	struct delta_table_meta meta2 = meta;
	meta2.columns = other;
	CHECK_INT_EQ(-1, delta_log_append(&version, table.buf, &meta2, adds, 1, &d));
	strbuf_reset(&want);
	strbuf_addf(&want, "cannot append to delta table '%s': column 'id' is 'long' in the table "
		    "and 'integer' in the data", table.buf);
	CHECK_STR_EQ(want.buf, first_error(&d));
	CHECK_INT_EQ(1, delta_log_latest_version(table.buf));
	diags_release(&d);

	/* a bad partition column */
	const char *nope[] = {"regoin"};
	meta2 = meta;
	meta2.partition_columns = nope;
	CHECK_INT_EQ(-1, delta_log_append(&version, table.buf, &meta2, adds, 1, &d));
	strbuf_reset(&want);
	strbuf_addf(&want, "cannot write delta log of '%s': partition column 'regoin' is not a "
		    "column of the table", table.buf);
	CHECK_STR_EQ(want.buf, first_error(&d));
	diags_release(&d);

	strbuf_release(&table);
	strbuf_release(&want);
	rm_rf(dir);
	free(dir);
}

struct appender {
	const char *table;
	const struct delta_table_meta *meta;
	int index;
	int rc;
	int64_t version;
};

static void *append_thread(void *arg)
{
	struct appender *a = arg;
	struct diags d = DIAGS_INIT;
	char path[64];
	snprintf(path, sizeof(path), "file-%02d.parquet", a->index);
	struct delta_add add = {path, NULL, 10, 1, NULL};
	a->rc = delta_log_append(&a->version, a->table, a->meta, &add, 1, &d);
	diags_release(&d);
	return NULL;
}

static void test_delta__concurrent_appends_all_land(void)
{
	enum { N = 8 };
	char *dir = tmpdir_make();
	struct strbuf table = STRBUF_INIT;
	struct pq_column_spec cols[] = {{"id", PQ_INT64, 0, 0, false, 0}};
	struct delta_table_meta meta = {.columns = cols, .n_columns = 1, .id = "fixed-id"};
	struct diags d = DIAGS_INIT;
	struct appender ap[N];
	pthread_t th[N];
	strbuf_addf(&table, "%s/c", dir);
	CHECK_INT_EQ(0, delta_log_create(table.buf, &meta, NULL, 0, &d));
	for (int k = 0; k < N; k++) {
		ap[k] = (struct appender){table.buf, &meta, k, -2, -1};
		pthread_create(&th[k], NULL, append_thread, &ap[k]);
	}
	bool seen[N + 1] = {false};
	for (int k = 0; k < N; k++) {
		pthread_join(th[k], NULL);
		CHECK_INT_EQ(0, ap[k].rc);
		CHECK(ap[k].version >= 1 && ap[k].version <= N);
		if (ap[k].version >= 1 && ap[k].version <= N) {
			CHECK(!seen[ap[k].version]);
			seen[ap[k].version] = true;
		}
	}
	CHECK_INT_EQ(N, delta_log_latest_version(table.buf));
	/* each version holds exactly the one file of its writer */
	for (int k = 0; k < N; k++) {
		cJSON *a = read_version(table.buf, ap[k].version, 1);
		char path[64];
		snprintf(path, sizeof(path), "file-%02d.parquet", k);
		CHECK_STR_EQ(path, jstr(a, "add.path"));
		cJSON_Delete(a);
	}
	/* no temporary files are left behind */
	struct strbuf cmd = STRBUF_INIT;
	strbuf_addf(&cmd, "test $(ls -A '%s/_delta_log' | wc -l) -eq %d", table.buf, N + 1);
	CHECK_INT_EQ(0, system(cmd.buf));
	strbuf_release(&cmd);
	diags_release(&d);
	strbuf_release(&table);
	rm_rf(dir);
	free(dir);
}

/* ------------------------------------------------------------------ */
/* Sample files for tests/e2e/test_parquet_readers.py                  */

static const char *const SMALL_WORDS[] = {"alpha", "beta", "gamma", "", "\xc3\xbcn\xc3\xaf"
					  "c\xc3\xb8" "d\xc3\xa9 \xe2\x9c\x93", "delta"};
static const char ALPHA[] = "abcdefghijklmnopqrstuvwxyz";

static struct pq_column_spec SAMPLE_COLS[] = {
	{"id", PQ_INT64, 0, 0, false, 0},
	{"flag", PQ_BOOLEAN, 0, 0, true, 0},
	{"i32", PQ_INT32, 0, 0, true, 0},
	{"i64", PQ_INT64, 0, 0, true, 0},
	{"dbl", PQ_DOUBLE, 0, 0, true, 0},
	{"dec9", PQ_DECIMAL, 9, 2, true, 0},
	{"dec18", PQ_DECIMAL, 18, 2, true, 0},
	{"dec38", PQ_DECIMAL, 38, 6, true, 0},
	{"day", PQ_DATE, 0, 0, true, 0},
	{"ts", PQ_TIMESTAMP_MICROS, 0, 0, true, 0},
	{"s_small", PQ_STRING, 0, 0, true, 0},
	{"s_many", PQ_STRING, 0, 0, false, 0},
	{"s_long", PQ_STRING, 0, 0, true, 0},
};
#define N_SAMPLE_COLS (sizeof(SAMPLE_COLS) / sizeof(SAMPLE_COLS[0]))

struct sample_batch {
	int64_t id[512], i64[512], dec9[512], dec18[512], ts[512];
	int32_t i32[512], day[512];
	uint8_t flag[512];
	double dbl[512];
	pq_int128 dec38[512];
	const char *small[512];
	uint32_t many_off[513];
	const char *longp[512];
	uint32_t longl[512];
	uint8_t valid[N_SAMPLE_COLS][512];
	struct strbuf many;
	char long_src[26 * 200 + 1];
};

static pq_int128 pow10_128(int p)
{
	pq_int128 v = 1;
	while (p--)
		v *= 10;
	return v;
}

/* Row i of the sample table: the formulas of test_parquet_readers.py. */
static void sample_row(struct sample_batch *b, size_t k, int64_t i)
{
	b->id[k] = i;
	b->valid[0][k] = 1;
	b->valid[1][k] = i % 7 != 0;
	b->flag[k] = i % 3 == 0;
	b->valid[2][k] = i % 11 != 0;
	b->i32[k] = (int32_t)((i * 7919) % 100003 - 50000);
	b->valid[3][k] = i % 13 != 0;
	b->i64[k] = (i - 1500) * 3000000000000001LL;
	b->valid[4][k] = i % 17 != 0;
	b->dbl[k] = i == 5 ? INFINITY : i == 6 ? NAN : i == 8 ? -0.0 : (double)(i - 1000) / 7.0;
	b->valid[5][k] = i % 19 != 0;
	b->dec9[k] = i * 104729 - 999999999;
	b->valid[6][k] = i % 23 != 0;
	b->dec18[k] = (i - 1500) * 599999999999999LL;
	b->valid[7][k] = i % 29 != 0;
	b->dec38[k] = i == 1 ? pow10_128(38) - 1 : i == 2 ? -(pow10_128(38) - 1)
			   : ((pq_int128)i - 1500) * pow10_128(33) + i * 12345;
	b->valid[8][k] = i % 31 != 0;
	b->day[k] = (int32_t)(i * 29 - 20000);
	b->valid[9][k] = i % 37 != 0;
	b->ts[k] = 1700000000000000LL + (i - 1250) * 604800000123LL;
	b->valid[10][k] = i % 41 != 0;
	b->small[k] = b->valid[10][k] ? SMALL_WORDS[i % 6] : NULL;
	b->valid[11][k] = 1;
	b->many_off[k] = (uint32_t)b->many.len;
	strbuf_addf(&b->many, "v%06lld-", (long long)i);
	strbuf_addchars(&b->many, 'x', (size_t)(i % 20));
	b->many_off[k + 1] = (uint32_t)b->many.len;
	b->valid[12][k] = i % 43 != 0;
	b->longp[k] = b->long_src + i % 26;
	b->longl[k] = (uint32_t)(i % 50) * 100;
}

/* Writes rows [from, to) of the sample table into `path` in batches of `batch` rows. */
static int write_sample_file(const char *path, int64_t from, int64_t to, enum pq_codec codec,
			     bool dictionary, const size_t *drop_cols, size_t n_drop,
			     struct pq_file_stats *st, struct diags *d)
{
	struct sample_batch *b = calloc(1, sizeof(*b));
	struct pq_options opt;
	struct pq_writer *w;
	struct pq_column_spec specs[N_SAMPLE_COLS];
	size_t map[N_SAMPLE_COLS], n = 0;
	int ret = -1;

	for (size_t j = 0; j < N_SAMPLE_COLS; j++) {
		bool drop = false;
		for (size_t k = 0; k < n_drop; k++)
			drop |= drop_cols[k] == j;
		if (!drop) {
			map[n] = j;
			specs[n++] = SAMPLE_COLS[j];
		}
	}
	for (int k = 0; k < 200; k++)
		memcpy(b->long_src + 26 * k, ALPHA, 26);
	strbuf_init(&b->many, 0);
	pq_options_init(&opt);
	opt.codec = codec;
	opt.dictionary = dictionary;
	opt.row_group_rows = 1000;
	opt.page_bytes = 4096;
	opt.page_rows = 300;
	opt.dictionary_bytes = 8192;
	if (pq_writer_open(&w, path, specs, n, &opt, d))
		goto done;
	for (int64_t i0 = from; i0 < to; i0 += 300) {
		size_t m = (size_t)(to - i0 < 300 ? to - i0 : 300);
		struct pq_batch_column all[N_SAMPLE_COLS] = {
			{.values = b->id},
			{.values = b->flag},
			{.values = b->i32},
			{.values = b->i64},
			{.values = b->dbl},
			{.values = b->dec9},
			{.values = b->dec18},
			{.values = b->dec38},
			{.values = b->day},
			{.values = b->ts},
			{.strs = b->small},
			{.offsets = b->many_off},
			{.strs = b->longp, .lens = b->longl},
		}, cols[N_SAMPLE_COLS];
		strbuf_reset(&b->many);
		for (size_t k = 0; k < m; k++)
			sample_row(b, k, i0 + (int64_t)k);
		all[11].data = b->many.buf;
		for (size_t j = 0; j < n; j++) {
			cols[j] = all[map[j]];
			cols[j].valid = b->valid[map[j]];
		}
		if (pq_writer_write_batch(w, cols, m)) {
			pq_writer_abort(w);
			goto done;
		}
	}
	ret = pq_writer_close(w, st);
done:
	strbuf_release(&b->many);
	free(b);
	return ret;
}

static int file_size(const char *path, int64_t *size)
{
	struct stat s;
	if (stat(path, &s))
		return -1;
	*size = (int64_t)s.st_size;
	return 0;
}

/* delta/basic: version 0 = rows 0..1249 (snappy) and 1250..2499 (zstd), version 1 = 2500..2999. */
static int write_sample_delta_basic(const char *root, struct diags *d)
{
	struct strbuf table = STRBUF_INIT, name[3] = {STRBUF_INIT, STRBUF_INIT, STRBUF_INIT};
	struct strbuf path = STRBUF_INIT;
	struct pq_file_stats st[3];
	struct delta_add adds[3];
	static const int64_t bounds[4] = {0, 1250, 2500, 3000};
	static const enum pq_codec codecs[3] = {PQ_CODEC_SNAPPY, PQ_CODEC_ZSTD, PQ_CODEC_NONE};
	struct delta_table_meta meta = {.columns = SAMPLE_COLS, .n_columns = N_SAMPLE_COLS,
					.name = "basic", .description = "every type"};
	int ret = -1, written = 0;

	strbuf_addf(&table, "%s/delta/basic", root);
	strbuf_addf(&path, "mkdir -p '%s'", table.buf);
	if (system(path.buf) != 0)
		goto done;
	for (int f = 0; f < 3; f++) {
		delta_part_file_name(&name[f], table.buf, f, codecs[f]);
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", table.buf, name[f].buf);
		if (write_sample_file(path.buf, bounds[f], bounds[f + 1], codecs[f], true, NULL, 0,
				      &st[f], d))
			goto done;
		written++;
		adds[f] = (struct delta_add){name[f].buf, NULL, st[f].file_bytes, 0, &st[f]};
	}
	int64_t version;
	if (delta_log_create(table.buf, &meta, adds, 2, d) ||
	    delta_log_append(&version, table.buf, &meta, adds + 2, 1, d))
		goto done;
	ret = version == 1 ? 0 : -1;
done:
	for (int f = 0; f < written; f++)
		pq_file_stats_release(&st[f]);
	for (int f = 0; f < 3; f++)
		strbuf_release(&name[f]);
	strbuf_release(&table);
	strbuf_release(&path);
	return ret;
}

/*
 * delta/partitioned: rows 0..599 with id, region (partition), day (partition),
 * amount decimal(18,2), note; region = REGIONS[i % 4], day = 19723 + (i / 4) % 2,
 * amount = i * 101 - 3000 (null when i % 9 == 0), note "note <i>" (null when i % 5 == 0).
 */
static int write_sample_delta_partitioned(const char *root, struct diags *d)
{
	static const char *const REGIONS[4] = {"EU", "US West", "a/b:c=d%", NULL};
	struct pq_column_spec table_cols[] = {
		{"id", PQ_INT64, 0, 0, false, 0},
		{"region", PQ_STRING, 0, 0, true, 0},
		{"day", PQ_DATE, 0, 0, true, 0},
		{"amount", PQ_DECIMAL, 18, 2, true, 0},
		{"note", PQ_STRING, 0, 0, true, 0},
	};
	struct pq_column_spec file_cols[] = {table_cols[0], table_cols[3], table_cols[4]};
	const char *pcols[] = {"region", "day"};
	struct delta_table_meta meta = {.columns = table_cols, .n_columns = 5,
					.partition_columns = pcols, .n_partition_columns = 2};
	struct strbuf table = STRBUF_INIT, rel[8], path = STRBUF_INIT, dayv[8], notes = STRBUF_INIT;
	struct pq_file_stats st[8];
	struct delta_add adds[8];
	const char *pvals[8][2];
	int ret = -1, n_files = 0;

	strbuf_addf(&table, "%s/delta/partitioned", root);
	for (int f = 0; f < 8; f++) {
		strbuf_init(&rel[f], 0);
		strbuf_init(&dayv[f], 0);
	}
	for (int f = 0; f < 8; f++) {
		int r = f % 4, dd = f / 4;
		struct pq_value dv = {.i = 19723 + dd};
		struct pq_writer *w;
		struct pq_options opt;
		int64_t ids[600], amount[600];
		uint8_t av[600], nv[600];
		uint32_t noff[601];
		size_t m = 0;

		delta_partition_value(&dayv[f], &table_cols[2], &dv);
		pvals[f][0] = REGIONS[r];
		pvals[f][1] = dayv[f].buf;
		delta_partition_dir(&rel[f], "region", REGIONS[r]);
		strbuf_addch(&rel[f], '/');
		delta_partition_dir(&rel[f], "day", dayv[f].buf);
		strbuf_addch(&rel[f], '/');
		delta_part_file_name(&rel[f], "partitioned", f, PQ_CODEC_SNAPPY);
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", table.buf, rel[f].buf);
		struct strbuf mk = STRBUF_INIT;
		strbuf_addf(&mk, "mkdir -p \"$(dirname '%s')\"", path.buf);
		int rc = system(mk.buf);
		strbuf_release(&mk);
		if (rc != 0)
			goto done;

		strbuf_reset(&notes);
		for (int64_t i = 0; i < 600; i++) {
			if (i % 4 != r || (i / 4) % 2 != dd)
				continue;
			ids[m] = i;
			amount[m] = i * 101 - 3000;
			av[m] = i % 9 != 0;
			nv[m] = i % 5 != 0;
			noff[m] = (uint32_t)notes.len;
			if (nv[m])
				strbuf_addf(&notes, "note %lld", (long long)i);
			m++;
		}
		noff[m] = (uint32_t)notes.len;
		struct pq_batch_column bc[3] = {{.values = ids},
						{.values = amount, .valid = av},
						{.offsets = noff, .data = notes.buf, .valid = nv}};
		pq_options_init(&opt);
		if (pq_writer_open(&w, path.buf, file_cols, 3, &opt, d))
			goto done;
		if (pq_writer_write_batch(w, bc, m)) {
			pq_writer_abort(w);
			goto done;
		}
		if (pq_writer_close(w, &st[f]))
			goto done;
		n_files++;
		adds[f] = (struct delta_add){rel[f].buf, pvals[f], st[f].file_bytes, 0, &st[f]};
		if (file_size(path.buf, &adds[f].size))
			goto done;
	}
	ret = delta_log_create(table.buf, &meta, adds, 8, d);
done:
	for (int f = 0; f < n_files; f++)
		pq_file_stats_release(&st[f]);
	for (int f = 0; f < 8; f++) {
		strbuf_release(&rel[f]);
		strbuf_release(&dayv[f]);
	}
	strbuf_release(&table);
	strbuf_release(&path);
	strbuf_release(&notes);
	return ret;
}

static int write_samples(const char *root)
{
	struct diags d = DIAGS_INIT;
	struct strbuf p = STRBUF_INIT;
	int ret = -1;
	static const struct {
		const char *name;
		enum pq_codec codec;
		bool dictionary;
	} files[] = {
		{"none", PQ_CODEC_NONE, true},
		{"snappy", PQ_CODEC_SNAPPY, true},
		{"zstd", PQ_CODEC_ZSTD, true},
		{"nodict", PQ_CODEC_SNAPPY, false},
	};

	strbuf_addf(&p, "mkdir -p '%s/parquet'", root);
	if (system(p.buf) != 0)
		goto done;
	for (size_t k = 0; k < sizeof(files) / sizeof(files[0]); k++) {
		struct pq_file_stats st;
		strbuf_reset(&p);
		strbuf_addf(&p, "%s/parquet/%s.parquet", root, files[k].name);
		if (write_sample_file(p.buf, 0, 2500, files[k].codec, files[k].dictionary, NULL, 0,
				      &st, &d))
			goto done;
		pq_file_stats_release(&st);
	}
	strbuf_reset(&p);
	strbuf_addf(&p, "%s/parquet/empty.parquet", root);
	if (write_sample_file(p.buf, 0, 0, PQ_CODEC_SNAPPY, true, NULL, 0, NULL, &d))
		goto done;
	if (write_sample_delta_basic(root, &d) || write_sample_delta_partitioned(root, &d))
		goto done;
	ret = 0;
done:
	if (ret)
		diags_print(&d, stderr);
	diags_release(&d);
	strbuf_release(&p);
	return ret;
}

static const struct harness_test tests[] = {
	{"thrift__page_header_bytes", test_thrift__page_header_bytes},
	{"thrift__long_ids_bools_lists_negatives", test_thrift__long_ids_bools_lists_negatives},
	{"thrift__nested_structs_restore_last_id", test_thrift__nested_structs_restore_last_id},
	{"rle__spec_bitpacked_example", test_rle__spec_bitpacked_example},
	{"rle__runs", test_rle__runs},
	{"rle__roundtrip", test_rle__roundtrip},
	{"parquet__decimal_widths", test_parquet__decimal_widths},
	{"writer__layout_and_values", test_writer__layout_and_values},
	{"writer__bytes_do_not_depend_on_batching", test_writer__bytes_do_not_depend_on_batching},
	{"writer__dictionary_falls_back_to_plain", test_writer__dictionary_falls_back_to_plain},
	{"writer__stats_special_values", test_writer__stats_special_values},
	{"writer__errors", test_writer__errors},
	{"writer__empty_file", test_writer__empty_file},
	{"delta__formats", test_delta__formats},
	{"delta__create_append_and_conflicts", test_delta__create_append_and_conflicts},
	{"delta__concurrent_appends_all_land", test_delta__concurrent_appends_all_land},
	{0, 0},
};

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--write-samples") == 0)
		return write_samples(argv[2]) ? 1 : 0;
	if (argc != 1) {
		fprintf(stderr, "usage: %s [--write-samples DIR]\n", argv[0]);
		return 2;
	}
	return harness_run(tests);
}
