/*
 * parquet: the flat-schema Parquet writer (format: apache/parquet-format,
 * parquet.thrift, Encodings.md, LogicalTypes.md).
 *
 * A file is "PAR1", the row groups, the FileMetaData footer (Thrift compact,
 * thrift_compact.c), its 4-byte length and "PAR1".  Within a row group each
 * column chunk is an optional dictionary page followed by v1 data pages.
 * Rows are appended column by column into the current page of each column
 * (definition levels, PLAIN values or dictionary indices); a full page is
 * encoded, compressed and appended to its column's chunk buffer, and when the
 * row group is complete the chunks are written to the file one after another
 * and the RowGroup metadata is serialised at once, so the footer is only a
 * concatenation at close.  Running min/max/null counts are kept per chunk
 * (for the footer) and per file (for the Delta log).
 */
#include "parquet.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <snappy-c.h>
#include <xxhash.h>
#include <zstd.h>

#include "diag.h"
#include "strbuf.h"
#include "thrift_compact.h"

/* parquet.thrift enums */
enum { PT_BOOLEAN = 0, PT_INT32 = 1, PT_INT64 = 2, PT_DOUBLE = 5, PT_BYTE_ARRAY = 6, PT_FLBA = 7 };
enum { ENC_PLAIN = 0, ENC_RLE = 3, ENC_RLE_DICTIONARY = 8 };
enum { CT_UTF8 = 0, CT_DECIMAL = 5, CT_DATE = 6, CT_TIMESTAMP_MICROS = 10 };
enum { PAGE_DATA = 0, PAGE_DICTIONARY = 2 };
enum { REP_REQUIRED = 0, REP_OPTIONAL = 1 };
enum { CODEC_UNCOMPRESSED = 0, CODEC_SNAPPY = 1, CODEC_ZSTD = 6 };

#define PQ_STATS_MAX_BYTES 4096
#define PQ_DEFAULT_CREATED_BY "ingen_fab version 0.1.0"

/* Running statistics of a chunk or a file. */
struct pq_stat {
	int64_t nulls;
	bool has;
	bool nan;             /* a double NaN was seen */
	int64_t imin, imax;
	double dmin, dmax;
	pq_int128 xmin, xmax;
	struct strbuf smin, smax;
};

/* A string dictionary: PLAIN-encoded entries plus an open-addressing index. */
struct pq_dict {
	struct strbuf plain;   /* the dictionary page body: u32 length + bytes per entry */
	uint32_t *off, *len;   /* entry bytes in `plain` */
	uint64_t *hash;
	size_t n, cap;
	uint32_t *slots;       /* entry index + 1; 0 is empty */
	size_t n_slots;        /* a power of two */
};

struct pq_col {
	char *name;
	enum pq_type type;
	int precision, scale;
	bool nullable;
	int phys;
	int type_length;      /* FIXED_LEN_BYTE_ARRAY */
	int64_t dec_bound;    /* decimals p <= 18: 10^p */
	pq_int128 dec_bound128;

	/* the current page */
	struct strbuf vals;   /* PLAIN values (booleans bit-packed) */
	uint32_t *idx;        /* dictionary indices */
	size_t n_idx, cap_idx;
	uint32_t idx_max;
	uint32_t *defs;       /* definition levels */
	size_t cap_defs;
	size_t page_rows;
	unsigned bool_byte;
	int bool_bits;

	/* the current column chunk */
	struct strbuf chunk;  /* finished data pages, headers included */
	int64_t chunk_values;
	int64_t chunk_uncompressed, chunk_compressed;
	bool chunk_plain, chunk_dict;
	struct pq_dict dict;
	bool dict_on;         /* strings go to the dictionary (until it overflows) */

	struct pq_stat cstat, fstat;
};

struct pq_writer {
	char *path;
	int fd;
	struct diags *diags;
	bool failed;
	struct pq_options opt;
	size_t n_cols;
	struct pq_col *cols;
	int64_t offset;        /* bytes written to the file */
	int64_t rows_total;
	size_t rg_rows;        /* rows in the current row group */
	struct strbuf footer_rgs; /* serialised RowGroup structs */
	size_t n_rgs;
	struct strbuf body, comp, hdr, tmp;
	ZSTD_CCtx *zctx;
};

/* ---- small helpers ---- */

/* strbuf_add with the common case inlined: the hot path of every value. */
static inline void buf_put(struct strbuf *sb, const void *p, size_t n)
{
	if (sb->len + n + 1 > sb->alloc)
		strbuf_grow(sb, n);
	memcpy(sb->buf + sb->len, p, n);
	sb->len += n;
	sb->buf[sb->len] = 0;
}

static inline void put_le32(struct strbuf *sb, uint32_t v)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	buf_put(sb, &v, 4);
#else
	unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
			      (unsigned char)(v >> 24)};
	buf_put(sb, b, 4);
#endif
}

static inline void put_le64(struct strbuf *sb, uint64_t v)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	buf_put(sb, &v, 8);
#else
	unsigned char b[8];
	for (int k = 0; k < 8; k++)
		b[k] = (unsigned char)(v >> (8 * k));
	buf_put(sb, b, 8);
#endif
}

static void put_be_n(unsigned char *dst, pq_int128 v, int n)
{
	unsigned __int128 u = (unsigned __int128)v;
	for (int k = 0; k < n; k++)
		dst[n - 1 - k] = (unsigned char)(u >> (8 * k));
}

static int bit_width(uint32_t max)
{
	int w = 0;
	while (max) {
		w++;
		max >>= 1;
	}
	return w;
}

static int fail(struct pq_writer *w, const char *fmt, const char *arg)
{
	if (!w->failed) {
		struct strbuf sb = STRBUF_INIT;
		strbuf_addf(&sb, fmt, arg);
		diag_error(w->diags, NULL, "cannot write '%s': %s", w->path, sb.buf);
		strbuf_release(&sb);
	}
	w->failed = true;
	return -1;
}

static int fail_errno(struct pq_writer *w, int err)
{
	return fail(w, "%s", strerror(err));
}

static int write_all(struct pq_writer *w, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t n = write(w->fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return fail_errno(w, errno);
		}
		if (n == 0)
			return fail_errno(w, ENOSPC);
		p += n;
		len -= (size_t)n;
		w->offset += n;
	}
	return 0;
}

/* ---- the RLE / bit-packed hybrid ---- */

static void put_rle_run(struct strbuf *out, uint32_t value, size_t count, int width)
{
	tc_put_uvarint(out, (uint64_t)count << 1);
	for (int k = 0; k < (width + 7) / 8; k++)
		strbuf_addch(out, (int)((value >> (8 * k)) & 0xff));
}

/* Bit-packs `groups` groups of 8 values (zero-padded past n) LSB first. */
static void put_packed_run(struct strbuf *out, const uint32_t *v, size_t n, size_t groups, int width)
{
	tc_put_uvarint(out, ((uint64_t)groups << 1) | 1);
	size_t nbytes = groups * (size_t)width;
	strbuf_grow(out, nbytes);
	unsigned char *dst = (unsigned char *)out->buf + out->len;
	uint64_t acc = 0; /* at most 7 + 32 bits are pending */
	int bits = 0;
	for (size_t i = 0; i < groups * 8; i++) {
		acc |= (uint64_t)(i < n ? v[i] : 0) << bits;
		bits += width;
		while (bits >= 8) {
			*dst++ = (unsigned char)acc;
			acc >>= 8;
			bits -= 8;
		}
	}
	strbuf_setlen(out, out->len + nbytes); /* 8 values of `width` bits fill `width` bytes */
}

static size_t run_length(const uint32_t *v, size_t i, size_t n)
{
	size_t j = i + 1;
	while (j < n && v[j] == v[i])
		j++;
	return j - i;
}

#define PQ_MAX_PACKED_GROUPS 63

void pq_rle_hybrid_encode(struct strbuf *out, const uint32_t *v, size_t n, int width)
{
	size_t i = 0;
	while (i < n) {
		size_t run = run_length(v, i, n);
		if (run >= 8 || width == 0) {
			put_rle_run(out, v[i], run, width);
			i += run;
			continue;
		}
		/* Literal groups of 8 until a run of 8 equal values starts a group. */
		size_t start = i, groups = 0;
		while (i < n && groups < PQ_MAX_PACKED_GROUPS) {
			i += 8;
			groups++;
			if (i >= n || run_length(v, i, n) >= 8)
				break;
		}
		put_packed_run(out, v + start, (i < n ? i : n) - start, groups, width);
	}
}

int pq_decimal_byte_width(int precision)
{
	/* the fewest n with 10^p <= 2^(8n - 1) */
	unsigned __int128 bound = 1;
	for (int k = 0; k < precision; k++)
		bound *= 10;
	for (int n = 1; n < 16; n++)
		if (bound <= (unsigned __int128)1 << (8 * n - 1))
			return n;
	return 16;
}

/* ---- statistics ---- */

static void stat_init(struct pq_stat *s)
{
	memset(s, 0, sizeof(*s));
	strbuf_init(&s->smin, 0);
	strbuf_init(&s->smax, 0);
}

static void stat_reset(struct pq_stat *s)
{
	s->nulls = 0;
	s->has = false;
	s->nan = false;
	strbuf_reset(&s->smin);
	strbuf_reset(&s->smax);
}

static void stat_release(struct pq_stat *s)
{
	strbuf_release(&s->smin);
	strbuf_release(&s->smax);
}

static int bytes_cmp(const void *a, size_t la, const void *b, size_t lb)
{
	int c = memcmp(a, b, la < lb ? la : lb);
	if (c)
		return c;
	return la < lb ? -1 : la > lb;
}

static inline void stat_int(struct pq_stat *s, int64_t v)
{
	if (!s->has) {
		s->imin = s->imax = v;
		s->has = true;
	} else if (v < s->imin) {
		s->imin = v;
	} else if (v > s->imax) {
		s->imax = v;
	}
}

static inline void stat_double(struct pq_stat *s, double v)
{
	if (isnan(v)) {
		s->nan = true;
		return;
	}
	if (!s->has) {
		s->dmin = s->dmax = v;
		s->has = true;
		return;
	}
	if (v < s->dmin || (v == 0 && s->dmin == 0 && signbit(v)))
		s->dmin = v;
	if (v > s->dmax || (v == 0 && s->dmax == 0 && !signbit(v)))
		s->dmax = v;
}

static inline void stat_i128(struct pq_stat *s, pq_int128 v)
{
	if (!s->has) {
		s->xmin = s->xmax = v;
		s->has = true;
	} else if (v < s->xmin) {
		s->xmin = v;
	} else if (v > s->xmax) {
		s->xmax = v;
	}
}

static void stat_str(struct pq_stat *s, const char *p, size_t n)
{
	if (!s->has) {
		strbuf_add(&s->smin, p, n);
		strbuf_add(&s->smax, p, n);
		s->has = true;
		return;
	}
	if (bytes_cmp(p, n, s->smin.buf, s->smin.len) < 0) {
		strbuf_reset(&s->smin);
		strbuf_add(&s->smin, p, n);
	} else if (bytes_cmp(p, n, s->smax.buf, s->smax.len) > 0) {
		strbuf_reset(&s->smax);
		strbuf_add(&s->smax, p, n);
	}
}

static void stat_merge(struct pq_stat *dst, const struct pq_stat *src, enum pq_type type,
		       int precision)
{
	dst->nulls += src->nulls;
	dst->nan |= src->nan;
	if (!src->has)
		return;
	switch (type) {
	case PQ_DOUBLE:
		stat_double(dst, src->dmin);
		stat_double(dst, src->dmax);
		break;
	case PQ_STRING:
		stat_str(dst, src->smin.buf, src->smin.len);
		stat_str(dst, src->smax.buf, src->smax.len);
		break;
	case PQ_DECIMAL:
		if (precision > 18) {
			stat_i128(dst, src->xmin);
			stat_i128(dst, src->xmax);
			break;
		}
		/* fall through */
	default:
		stat_int(dst, src->imin);
		stat_int(dst, src->imax);
		break;
	}
}

/* The PLAIN bytes of a min or max value, as Statistics.min_value wants them. */
static void stat_bytes(struct strbuf *out, const struct pq_col *c, const struct pq_stat *s, bool max)
{
	switch (c->phys) {
	case PT_BOOLEAN:
		strbuf_addch(out, (int)(max ? s->imax : s->imin));
		break;
	case PT_INT32:
		put_le32(out, (uint32_t)(int32_t)(max ? s->imax : s->imin));
		break;
	case PT_INT64:
		put_le64(out, (uint64_t)(max ? s->imax : s->imin));
		break;
	case PT_DOUBLE: {
		double d = max ? s->dmax : s->dmin;
		uint64_t u;
		if (d == 0)
			d = max ? 0.0 : -0.0; /* the spec's rule for signed zeros */
		memcpy(&u, &d, 8);
		put_le64(out, u);
		break;
	}
	case PT_FLBA: {
		unsigned char b[16];
		put_be_n(b, max ? s->xmax : s->xmin, c->type_length);
		strbuf_add(out, b, (size_t)c->type_length);
		break;
	}
	default: {
		const struct strbuf *sb = max ? &s->smax : &s->smin;
		strbuf_add(out, sb->buf, sb->len);
		break;
	}
	}
}

/* ---- the dictionary ---- */

static void dict_release(struct pq_dict *d)
{
	strbuf_release(&d->plain);
	free(d->off);
	free(d->len);
	free(d->hash);
	free(d->slots);
	memset(d, 0, sizeof(*d));
	strbuf_init(&d->plain, 0);
}

static void dict_reset(struct pq_dict *d)
{
	strbuf_reset(&d->plain);
	d->n = 0;
	if (d->slots)
		memset(d->slots, 0, d->n_slots * sizeof(*d->slots));
}

static void *xreallocarray(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		abort();
	void *q = realloc(p, n * size > 0 ? n * size : 1);
	if (!q)
		abort();
	return q;
}

static void dict_rehash(struct pq_dict *d, size_t n_slots)
{
	free(d->slots);
	d->slots = calloc(n_slots, sizeof(*d->slots));
	if (!d->slots)
		abort();
	d->n_slots = n_slots;
	for (size_t e = 0; e < d->n; e++) {
		size_t i = (size_t)d->hash[e] & (n_slots - 1);
		while (d->slots[i])
			i = (i + 1) & (n_slots - 1);
		d->slots[i] = (uint32_t)e + 1;
	}
}

/*
 * Finds or inserts a string; returns its index, or -1 when inserting it
 * would make the dictionary page larger than `limit` bytes.  *added tells
 * whether it is new.
 */
static int64_t dict_lookup(struct pq_dict *d, const char *p, size_t n, size_t limit, bool *added)
{
	uint64_t h = XXH3_64bits(p, n);
	*added = false;
	if (!d->slots)
		dict_rehash(d, 1024);
	size_t i = (size_t)h & (d->n_slots - 1);
	while (d->slots[i]) {
		uint32_t e = d->slots[i] - 1;
		if (d->hash[e] == h && d->len[e] == n && memcmp(d->plain.buf + d->off[e], p, n) == 0)
			return e;
		i = (i + 1) & (d->n_slots - 1);
	}
	if (d->plain.len + 4 + n > limit || d->n >= INT32_MAX)
		return -1;
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 256;
		d->off = xreallocarray(d->off, d->cap, sizeof(*d->off));
		d->len = xreallocarray(d->len, d->cap, sizeof(*d->len));
		d->hash = xreallocarray(d->hash, d->cap, sizeof(*d->hash));
	}
	put_le32(&d->plain, (uint32_t)n);
	d->off[d->n] = (uint32_t)d->plain.len;
	d->len[d->n] = (uint32_t)n;
	d->hash[d->n] = h;
	strbuf_add(&d->plain, p, n);
	d->slots[i] = (uint32_t)d->n + 1;
	d->n++;
	*added = true;
	if (d->n * 2 > d->n_slots)
		dict_rehash(d, d->n_slots * 2);
	return (int64_t)d->n - 1;
}

/* ---- pages and chunks ---- */

static int compress(struct pq_writer *w, const struct strbuf *in, const char **out, size_t *out_len)
{
	switch (w->opt.codec) {
	case PQ_CODEC_NONE:
		*out = in->buf;
		*out_len = in->len;
		return 0;
	case PQ_CODEC_SNAPPY: {
		size_t cap = snappy_max_compressed_length(in->len);
		strbuf_reset(&w->comp);
		strbuf_grow(&w->comp, cap);
		if (snappy_compress(in->buf, in->len, w->comp.buf, &cap) != SNAPPY_OK)
			return fail(w, "%s", "snappy compression failed");
		strbuf_setlen(&w->comp, cap);
		break;
	}
	case PQ_CODEC_ZSTD: {
		size_t cap = ZSTD_compressBound(in->len);
		strbuf_reset(&w->comp);
		strbuf_grow(&w->comp, cap);
		size_t n = ZSTD_compressCCtx(w->zctx, w->comp.buf, cap, in->buf, in->len,
					     w->opt.zstd_level);
		if (ZSTD_isError(n))
			return fail(w, "zstd compression failed: %s", ZSTD_getErrorName(n));
		strbuf_setlen(&w->comp, n);
		break;
	}
	}
	*out = w->comp.buf;
	*out_len = w->comp.len;
	return 0;
}

static int codec_id(enum pq_codec c)
{
	return c == PQ_CODEC_SNAPPY ? CODEC_SNAPPY : c == PQ_CODEC_ZSTD ? CODEC_ZSTD
									: CODEC_UNCOMPRESSED;
}

static int page_too_big(struct pq_writer *w, size_t body_len)
{
	if (body_len > INT32_MAX)
		return fail(w, "%s", "a page is larger than 2 GiB");
	return 0;
}

/* Encodes, compresses and appends the current page to the column's chunk. */
static int flush_page(struct pq_writer *w, struct pq_col *c)
{
	struct strbuf *body = &w->body;
	const char *data;
	size_t data_len;
	int encoding;
	struct tc_writer tc;

	if (c->page_rows == 0)
		return 0;
	strbuf_reset(body);
	if (c->nullable) {
		strbuf_reset(&w->tmp);
		pq_rle_hybrid_encode(&w->tmp, c->defs, c->page_rows, 1);
		put_le32(body, (uint32_t)w->tmp.len);
		strbuf_add(body, w->tmp.buf, w->tmp.len);
	}
	if (c->dict_on && c->n_idx > 0) {
		int bw = bit_width(c->idx_max);
		if (bw < 1)
			bw = 1;
		strbuf_addch(body, bw);
		pq_rle_hybrid_encode(body, c->idx, c->n_idx, bw);
		encoding = ENC_RLE_DICTIONARY;
		c->chunk_dict = true;
	} else {
		if (c->bool_bits) {
			strbuf_addch(&c->vals, (int)c->bool_byte);
			c->bool_byte = 0;
			c->bool_bits = 0;
		}
		strbuf_add(body, c->vals.buf, c->vals.len);
		encoding = ENC_PLAIN;
		c->chunk_plain = true;
	}
	if (page_too_big(w, body->len) || compress(w, body, &data, &data_len))
		return -1;

	strbuf_reset(&w->hdr);
	tc_init(&tc, &w->hdr);
	tc_struct_begin(&tc);
	tc_field_i32(&tc, 1, PAGE_DATA);
	tc_field_i32(&tc, 2, (int32_t)body->len);
	tc_field_i32(&tc, 3, (int32_t)data_len);
	tc_field_struct_begin(&tc, 5);
	tc_field_i32(&tc, 1, (int32_t)c->page_rows);
	tc_field_i32(&tc, 2, encoding);
	tc_field_i32(&tc, 3, ENC_RLE);
	tc_field_i32(&tc, 4, ENC_RLE);
	tc_struct_end(&tc);
	tc_struct_end(&tc);

	strbuf_add(&c->chunk, w->hdr.buf, w->hdr.len);
	strbuf_add(&c->chunk, data, data_len);
	c->chunk_uncompressed += (int64_t)(w->hdr.len + body->len);
	c->chunk_compressed += (int64_t)(w->hdr.len + data_len);
	c->chunk_values += (int64_t)c->page_rows;

	strbuf_reset(&c->vals);
	c->n_idx = 0;
	c->idx_max = 0;
	c->page_rows = 0;
	return 0;
}

static void write_statistics(struct tc_writer *tc, struct pq_writer *w, const struct pq_col *c)
{
	const struct pq_stat *s = &c->cstat;
	tc_field_struct_begin(tc, 12);
	tc_field_i64(tc, 3, s->nulls);
	/* Min/max are left out for chunks with NaN (readers disagree on where NaN
	 * sorts, and one that puts it last would skip its rows) and for strings
	 * too long to be worth storing. */
	if (s->has && !s->nan &&
	    (c->type != PQ_STRING ||
	     (s->smin.len <= PQ_STATS_MAX_BYTES && s->smax.len <= PQ_STATS_MAX_BYTES))) {
		strbuf_reset(&w->tmp);
		stat_bytes(&w->tmp, c, s, true);
		tc_field_binary(tc, 5, w->tmp.buf, w->tmp.len);
		strbuf_reset(&w->tmp);
		stat_bytes(&w->tmp, c, s, false);
		tc_field_binary(tc, 6, w->tmp.buf, w->tmp.len);
	}
	tc_struct_end(tc);
}

/* Writes one column chunk (dictionary page first) and its ColumnChunk metadata. */
static int write_chunk(struct pq_writer *w, struct pq_col *c, struct tc_writer *tc,
		       int64_t *uncompressed, int64_t *compressed)
{
	int64_t dict_offset = -1, data_offset;
	int64_t unc = c->chunk_uncompressed, cmp = c->chunk_compressed;

	if (c->chunk_dict) {
		const char *data;
		size_t data_len;
		struct tc_writer h;
		if (compress(w, &c->dict.plain, &data, &data_len))
			return -1;
		strbuf_reset(&w->hdr);
		tc_init(&h, &w->hdr);
		tc_struct_begin(&h);
		tc_field_i32(&h, 1, PAGE_DICTIONARY);
		tc_field_i32(&h, 2, (int32_t)c->dict.plain.len);
		tc_field_i32(&h, 3, (int32_t)data_len);
		tc_field_struct_begin(&h, 7);
		tc_field_i32(&h, 1, (int32_t)c->dict.n);
		tc_field_i32(&h, 2, ENC_PLAIN);
		tc_struct_end(&h);
		tc_struct_end(&h);
		dict_offset = w->offset;
		if (write_all(w, w->hdr.buf, w->hdr.len) || write_all(w, data, data_len))
			return -1;
		unc += (int64_t)(w->hdr.len + c->dict.plain.len);
		cmp += (int64_t)(w->hdr.len + data_len);
	}
	data_offset = w->offset;
	if (write_all(w, c->chunk.buf, c->chunk.len))
		return -1;

	int encodings[3], n_enc = 0;
	if (c->chunk_plain || c->chunk_dict)
		encodings[n_enc++] = ENC_PLAIN;
	if (c->nullable || c->chunk_dict)
		encodings[n_enc++] = ENC_RLE;
	if (c->chunk_dict)
		encodings[n_enc++] = ENC_RLE_DICTIONARY;

	tc_list_struct_begin(tc); /* ColumnChunk */
	tc_field_i64(tc, 2, 0);      /* file_offset: deprecated, 0 when no metadata precedes the footer */
	tc_field_struct_begin(tc, 3); /* ColumnMetaData */
	tc_field_i32(tc, 1, c->phys);
	tc_field_list_begin(tc, 2, TC_I32, (size_t)n_enc);
	for (int k = 0; k < n_enc; k++)
		tc_list_i32(tc, encodings[k]);
	tc_field_list_begin(tc, 3, TC_BINARY, 1);
	tc_list_binary(tc, c->name, strlen(c->name));
	tc_field_i32(tc, 4, codec_id(w->opt.codec));
	tc_field_i64(tc, 5, c->chunk_values);
	tc_field_i64(tc, 6, unc);
	tc_field_i64(tc, 7, cmp);
	tc_field_i64(tc, 9, data_offset);
	if (dict_offset >= 0)
		tc_field_i64(tc, 11, dict_offset);
	write_statistics(tc, w, c);
	tc_struct_end(tc);
	tc_struct_end(tc);

	*uncompressed += unc;
	*compressed += cmp;
	return 0;
}

static void reset_chunk(struct pq_col *c)
{
	strbuf_reset(&c->chunk);
	c->chunk_values = 0;
	c->chunk_uncompressed = c->chunk_compressed = 0;
	c->chunk_plain = c->chunk_dict = false;
	/* A column whose dictionary overflowed stays PLAIN: its values are too diverse. */
	dict_reset(&c->dict);
	stat_reset(&c->cstat);
}

static int flush_row_group(struct pq_writer *w)
{
	struct strbuf rg = STRBUF_INIT;
	struct tc_writer tc;
	int64_t rg_start = w->offset, unc = 0, cmp = 0;
	int ret = -1;

	if (w->rg_rows == 0)
		return 0;
	for (size_t j = 0; j < w->n_cols; j++)
		if (flush_page(w, &w->cols[j]))
			goto done;

	tc_init(&tc, &rg);
	tc_struct_begin(&tc); /* RowGroup */
	tc_field_list_begin(&tc, 1, TC_STRUCT, w->n_cols);
	for (size_t j = 0; j < w->n_cols; j++) {
		struct pq_col *c = &w->cols[j];
		if (write_chunk(w, c, &tc, &unc, &cmp))
			goto done;
		stat_merge(&c->fstat, &c->cstat, c->type, c->precision);
		reset_chunk(c);
	}
	tc_field_i64(&tc, 2, unc);
	tc_field_i64(&tc, 3, (int64_t)w->rg_rows);
	tc_field_i64(&tc, 5, rg_start);
	tc_field_i64(&tc, 6, cmp);
	tc_field_i16(&tc, 7, (int16_t)w->n_rgs);
	tc_struct_end(&tc);

	strbuf_add(&w->footer_rgs, rg.buf, rg.len);
	w->n_rgs++;
	w->rg_rows = 0;
	ret = 0;
done:
	strbuf_release(&rg);
	return ret;
}

/* ---- appending rows ---- */

static inline bool page_full(const struct pq_writer *w, const struct pq_col *c)
{
	return c->page_rows >= w->opt.page_rows ||
	       c->vals.len + c->n_idx * 4 >= w->opt.page_bytes;
}

static void push_idx(struct pq_col *c, uint32_t v)
{
	if (c->n_idx == c->cap_idx) {
		c->cap_idx = c->cap_idx ? c->cap_idx * 2 : 1024;
		c->idx = xreallocarray(c->idx, c->cap_idx, sizeof(*c->idx));
	}
	c->idx[c->n_idx++] = v;
	if (v > c->idx_max)
		c->idx_max = v;
}

static int append_string(struct pq_writer *w, struct pq_col *c, const char *p, size_t n)
{
	if (n > INT32_MAX)
		return fail(w, "a string in column '%s' is longer than 2 GiB", c->name);
	if (c->dict_on) {
		bool added;
		int64_t e = dict_lookup(&c->dict, p, n, w->opt.dictionary_bytes, &added);
		if (e >= 0) {
			if (added)
				stat_str(&c->cstat, p, n);
			push_idx(c, (uint32_t)e);
			return 0;
		}
		/* The dictionary is full: this page ends, the rest of the chunk is PLAIN. */
		if (flush_page(w, c))
			return -1;
		c->dict_on = false;
	}
	stat_str(&c->cstat, p, n);
	put_le32(&c->vals, (uint32_t)n);
	buf_put(&c->vals, p, n);
	return 0;
}

static int decimal_range_error(struct pq_writer *w, const struct pq_col *c)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "a value of column '%s' has more than %d digits, the precision of decimal(%d,%d)",
		    c->name, c->precision, c->precision, c->scale);
	int r = fail(w, "%s", sb.buf);
	strbuf_release(&sb);
	return r;
}

/* `type` is c->type, a constant in each instance of append_rows_as (one loop per type). */
static inline __attribute__((always_inline)) int append_value(struct pq_writer *w, struct pq_col *c,
							      const struct pq_batch_column *bc, size_t r,
							      const enum pq_type type)
{
	switch (type) {
	case PQ_BOOLEAN: {
		unsigned v = ((const uint8_t *)bc->values)[r] != 0;
		c->bool_byte |= v << c->bool_bits;
		if (++c->bool_bits == 8) {
			strbuf_addch(&c->vals, (int)c->bool_byte);
			c->bool_byte = 0;
			c->bool_bits = 0;
		}
		stat_int(&c->cstat, v);
		/* count packed bits toward the page size */
		return 0;
	}
	case PQ_INT32:
	case PQ_DATE: {
		int32_t v = ((const int32_t *)bc->values)[r];
		put_le32(&c->vals, (uint32_t)v);
		stat_int(&c->cstat, v);
		return 0;
	}
	case PQ_INT64:
	case PQ_TIMESTAMP_MICROS: {
		int64_t v = ((const int64_t *)bc->values)[r];
		put_le64(&c->vals, (uint64_t)v);
		stat_int(&c->cstat, v);
		return 0;
	}
	case PQ_DOUBLE: {
		double d = ((const double *)bc->values)[r];
		uint64_t u;
		memcpy(&u, &d, 8);
		put_le64(&c->vals, u);
		stat_double(&c->cstat, d);
		return 0;
	}
	case PQ_DECIMAL:
		if (c->precision <= 18) {
			int64_t v = ((const int64_t *)bc->values)[r];
			if (v >= c->dec_bound || v <= -c->dec_bound)
				return decimal_range_error(w, c);
			if (c->phys == PT_INT32)
				put_le32(&c->vals, (uint32_t)(int32_t)v);
			else
				put_le64(&c->vals, (uint64_t)v);
			stat_int(&c->cstat, v);
		} else {
			pq_int128 v;
			unsigned char b[16];
			memcpy(&v, (const char *)bc->values + r * sizeof(pq_int128), sizeof(v));
			if (v >= c->dec_bound128 || v <= -c->dec_bound128)
				return decimal_range_error(w, c);
			put_be_n(b, v, c->type_length);
			buf_put(&c->vals, b, (size_t)c->type_length);
			stat_i128(&c->cstat, v);
		}
		return 0;
	case PQ_STRING:
		if (bc->offsets)
			return append_string(w, c, bc->data + bc->offsets[r],
					     bc->offsets[r + 1] - bc->offsets[r]);
		if (!bc->strs[r])
			return fail(w, "column '%s' has a NULL string pointer for a present value",
				    c->name);
		return append_string(w, c, bc->strs[r],
				     bc->lens ? bc->lens[r] : strlen(bc->strs[r]));
	}
	return 0;
}

static inline __attribute__((always_inline)) int append_rows_as(struct pq_writer *w, struct pq_col *c,
								const struct pq_batch_column *bc, size_t from,
								size_t to, const enum pq_type type)
{
	for (size_t r = from; r < to; r++) {
		bool present = !bc->valid || bc->valid[r];
		if (!present) {
			if (!c->nullable)
				return fail(w, "column '%s' is not nullable but a value is null", c->name);
			c->cstat.nulls++;
		} else if (append_value(w, c, bc, r, type)) {
			return -1;
		}
		if (c->nullable) {
			if (c->page_rows == c->cap_defs) {
				c->cap_defs = c->cap_defs ? c->cap_defs * 2 : 1024;
				c->defs = xreallocarray(c->defs, c->cap_defs, sizeof(*c->defs));
			}
			c->defs[c->page_rows] = present;
		}
		c->page_rows++;
		if (page_full(w, c) && flush_page(w, c))
			return -1;
	}
	return 0;
}

static int append_rows(struct pq_writer *w, struct pq_col *c, const struct pq_batch_column *bc,
		       size_t from, size_t to)
{
	if (c->type == PQ_STRING ? !bc->offsets && !bc->strs : !bc->values)
		return fail(w, "column '%s' has no values in the batch", c->name);
	switch (c->type) {
	case PQ_BOOLEAN: return append_rows_as(w, c, bc, from, to, PQ_BOOLEAN);
	case PQ_INT32: return append_rows_as(w, c, bc, from, to, PQ_INT32);
	case PQ_DATE: return append_rows_as(w, c, bc, from, to, PQ_DATE);
	case PQ_INT64: return append_rows_as(w, c, bc, from, to, PQ_INT64);
	case PQ_TIMESTAMP_MICROS: return append_rows_as(w, c, bc, from, to, PQ_TIMESTAMP_MICROS);
	case PQ_DOUBLE: return append_rows_as(w, c, bc, from, to, PQ_DOUBLE);
	case PQ_DECIMAL: return append_rows_as(w, c, bc, from, to, PQ_DECIMAL);
	case PQ_STRING: return append_rows_as(w, c, bc, from, to, PQ_STRING);
	}
	return append_rows_as(w, c, bc, from, to, c->type);
}

int pq_writer_write_batch(struct pq_writer *w, const struct pq_batch_column *cols, size_t n_rows)
{
	size_t done = 0;
	if (w->failed)
		return -1;
	while (done < n_rows) {
		size_t take = n_rows - done;
		if (take > w->opt.row_group_rows - w->rg_rows)
			take = w->opt.row_group_rows - w->rg_rows;
		for (size_t j = 0; j < w->n_cols; j++)
			if (append_rows(w, &w->cols[j], &cols[j], done, done + take))
				return -1;
		w->rg_rows += take;
		w->rows_total += (int64_t)take;
		done += take;
		if (w->rg_rows == w->opt.row_group_rows && flush_row_group(w))
			return -1;
	}
	return 0;
}

int64_t pq_writer_rows(const struct pq_writer *w)
{
	return w->rows_total;
}

/* ---- open and close ---- */

void pq_options_init(struct pq_options *opt)
{
	memset(opt, 0, sizeof(*opt));
	opt->codec = PQ_CODEC_SNAPPY;
	opt->dictionary = true;
}

const char *pq_type_name(enum pq_type t)
{
	static const char *const names[] = {"boolean", "int32", "int64", "double",
					    "string", "date", "timestamp", "decimal"};
	return (unsigned)t < sizeof(names) / sizeof(names[0]) ? names[t] : "unknown";
}

static int setup_column(struct pq_writer *w, struct pq_col *c, const struct pq_column_spec *s)
{
	c->name = strdup(s->name ? s->name : "");
	if (!c->name)
		abort();
	c->type = s->type;
	c->precision = s->precision;
	c->scale = s->scale;
	c->nullable = s->nullable;
	strbuf_init(&c->vals, 0);
	strbuf_init(&c->chunk, 0);
	strbuf_init(&c->dict.plain, 0);
	stat_init(&c->cstat);
	stat_init(&c->fstat);
	c->dict_on = s->type == PQ_STRING && w->opt.dictionary;
	if (!s->name || !*s->name)
		return diag_error(w->diags, NULL, "cannot write '%s': a column has no name", w->path);
	switch (s->type) {
	case PQ_BOOLEAN:
		c->phys = PT_BOOLEAN;
		break;
	case PQ_INT32:
	case PQ_DATE:
		c->phys = PT_INT32;
		break;
	case PQ_INT64:
	case PQ_TIMESTAMP_MICROS:
		c->phys = PT_INT64;
		break;
	case PQ_DOUBLE:
		c->phys = PT_DOUBLE;
		break;
	case PQ_STRING:
		c->phys = PT_BYTE_ARRAY;
		break;
	case PQ_DECIMAL:
		if (s->precision < 1 || s->precision > PQ_MAX_DECIMAL_PRECISION || s->scale < 0 ||
		    s->scale > s->precision)
			return diag_error(w->diags, NULL,
					  "cannot write '%s': column '%s' has type 'decimal(%d,%d)'; "
					  "precision must be 1 to 38 and scale 0 to precision",
					  w->path, s->name, s->precision, s->scale);
		c->phys = s->precision <= 9 ? PT_INT32 : s->precision <= 18 ? PT_INT64 : PT_FLBA;
		if (c->phys == PT_FLBA)
			c->type_length = pq_decimal_byte_width(s->precision);
		c->dec_bound128 = 1;
		for (int k = 0; k < s->precision; k++)
			c->dec_bound128 *= 10;
		c->dec_bound = s->precision <= 18 ? (int64_t)c->dec_bound128 : INT64_MAX;
		break;
	default:
		return diag_error(w->diags, NULL, "cannot write '%s': column '%s' has unknown type %d",
				  w->path, s->name, (int)s->type);
	}
	return 0;
}

static void free_writer(struct pq_writer *w)
{
	if (!w)
		return;
	for (size_t j = 0; j < w->n_cols; j++) {
		struct pq_col *c = &w->cols[j];
		free(c->name);
		strbuf_release(&c->vals);
		strbuf_release(&c->chunk);
		free(c->idx);
		free(c->defs);
		dict_release(&c->dict);
		stat_release(&c->cstat);
		stat_release(&c->fstat);
	}
	free(w->cols);
	strbuf_release(&w->footer_rgs);
	strbuf_release(&w->body);
	strbuf_release(&w->comp);
	strbuf_release(&w->hdr);
	strbuf_release(&w->tmp);
	if (w->zctx)
		ZSTD_freeCCtx(w->zctx);
	if (w->fd >= 0)
		close(w->fd);
	free(w->path);
	free(w);
}

int pq_writer_open(struct pq_writer **out, const char *path, const struct pq_column_spec *cols,
		   size_t n_cols, const struct pq_options *opt, struct diags *diags)
{
	struct pq_writer *w = calloc(1, sizeof(*w));
	int ret = -1;

	*out = NULL;
	if (!w)
		abort();
	w->fd = -1;
	w->diags = diags;
	w->path = strdup(path);
	if (!w->path)
		abort();
	if (opt)
		w->opt = *opt;
	else
		pq_options_init(&w->opt);
	if (!w->opt.zstd_level)
		w->opt.zstd_level = 3;
	if (!w->opt.row_group_rows)
		w->opt.row_group_rows = 1048576;
	if (!w->opt.page_bytes)
		w->opt.page_bytes = 1 << 20;
	if (!w->opt.page_rows)
		w->opt.page_rows = 20000;
	if (!w->opt.dictionary_bytes)
		w->opt.dictionary_bytes = 1 << 20;
	if (!w->opt.created_by)
		w->opt.created_by = PQ_DEFAULT_CREATED_BY;
	strbuf_init(&w->footer_rgs, 0);
	strbuf_init(&w->body, 0);
	strbuf_init(&w->comp, 0);
	strbuf_init(&w->hdr, 0);
	strbuf_init(&w->tmp, 0);

	if (n_cols == 0) {
		diag_error(diags, NULL, "cannot write '%s': a Parquet file needs at least one column",
			   path);
		goto done;
	}
	w->cols = calloc(n_cols, sizeof(*w->cols));
	if (!w->cols)
		abort();
	w->n_cols = n_cols;
	for (size_t j = 0; j < n_cols; j++)
		if (setup_column(w, &w->cols[j], &cols[j]))
			goto done;
	for (size_t j = 0; j < n_cols; j++)
		for (size_t k = 0; k < j; k++)
			if (strcmp(w->cols[j].name, w->cols[k].name) == 0) {
				diag_error(diags, NULL, "cannot write '%s': column '%s' appears twice",
					   path, w->cols[j].name);
				goto done;
			}
	if (w->opt.codec == PQ_CODEC_ZSTD) {
		w->zctx = ZSTD_createCCtx();
		if (!w->zctx)
			abort();
	} else if (w->opt.codec != PQ_CODEC_NONE && w->opt.codec != PQ_CODEC_SNAPPY) {
		diag_error(diags, NULL, "cannot write '%s': unknown codec %d", path, (int)w->opt.codec);
		goto done;
	}
	w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (w->fd < 0) {
		fail_errno(w, errno);
		goto done;
	}
	if (write_all(w, "PAR1", 4))
		goto done;
	*out = w;
	w = NULL;
	ret = 0;
done:
	free_writer(w);
	return ret;
}

static void write_schema_element(struct tc_writer *tc, const struct pq_col *c)
{
	tc_list_struct_begin(tc);
	tc_field_i32(tc, 1, c->phys);
	if (c->phys == PT_FLBA)
		tc_field_i32(tc, 2, c->type_length);
	tc_field_i32(tc, 3, c->nullable ? REP_OPTIONAL : REP_REQUIRED);
	tc_field_string(tc, 4, c->name);
	switch (c->type) {
	case PQ_STRING:
		tc_field_i32(tc, 6, CT_UTF8);
		tc_field_struct_begin(tc, 10);
		tc_field_struct_begin(tc, 1); /* STRING */
		tc_struct_end(tc);
		tc_struct_end(tc);
		break;
	case PQ_DATE:
		tc_field_i32(tc, 6, CT_DATE);
		tc_field_struct_begin(tc, 10);
		tc_field_struct_begin(tc, 6); /* DATE */
		tc_struct_end(tc);
		tc_struct_end(tc);
		break;
	case PQ_TIMESTAMP_MICROS:
		tc_field_i32(tc, 6, CT_TIMESTAMP_MICROS);
		tc_field_struct_begin(tc, 10);
		tc_field_struct_begin(tc, 8); /* TIMESTAMP */
		tc_field_bool(tc, 1, 1);      /* isAdjustedToUTC */
		tc_field_struct_begin(tc, 2); /* unit */
		tc_field_struct_begin(tc, 2); /* MICROS */
		tc_struct_end(tc);
		tc_struct_end(tc);
		tc_struct_end(tc);
		tc_struct_end(tc);
		break;
	case PQ_DECIMAL:
		tc_field_i32(tc, 6, CT_DECIMAL);
		tc_field_i32(tc, 7, c->scale);
		tc_field_i32(tc, 8, c->precision);
		tc_field_struct_begin(tc, 10);
		tc_field_struct_begin(tc, 5); /* DECIMAL */
		tc_field_i32(tc, 1, c->scale);
		tc_field_i32(tc, 2, c->precision);
		tc_struct_end(tc);
		tc_struct_end(tc);
		break;
	default:
		break;
	}
	tc_struct_end(tc);
}

static int write_footer(struct pq_writer *w)
{
	struct strbuf f = STRBUF_INIT;
	struct tc_writer tc;
	int ret = -1;

	tc_init(&tc, &f);
	tc_struct_begin(&tc);
	tc_field_i32(&tc, 1, 1);
	tc_field_list_begin(&tc, 2, TC_STRUCT, w->n_cols + 1);
	tc_list_struct_begin(&tc);
	tc_field_string(&tc, 4, "schema");
	tc_field_i32(&tc, 5, (int32_t)w->n_cols);
	tc_struct_end(&tc);
	for (size_t j = 0; j < w->n_cols; j++)
		write_schema_element(&tc, &w->cols[j]);
	tc_field_i64(&tc, 3, w->rows_total);
	tc_field_list_begin(&tc, 4, TC_STRUCT, w->n_rgs);
	tc_list_raw(&tc, w->footer_rgs.buf, w->footer_rgs.len);
	tc_field_string(&tc, 6, w->opt.created_by);
	tc_field_list_begin(&tc, 7, TC_STRUCT, w->n_cols);
	for (size_t j = 0; j < w->n_cols; j++) {
		tc_list_struct_begin(&tc);
		tc_field_struct_begin(&tc, 1); /* TYPE_ORDER */
		tc_struct_end(&tc);
		tc_struct_end(&tc);
	}
	tc_struct_end(&tc);

	put_le32(&f, (uint32_t)f.len);
	strbuf_add(&f, "PAR1", 4);
	ret = write_all(w, f.buf, f.len);
	strbuf_release(&f);
	return ret;
}

static void copy_value(struct pq_value *dst, const struct pq_col *c, const struct pq_stat *s,
		       bool max)
{
	memset(dst, 0, sizeof(*dst));
	dst->i = max ? s->imax : s->imin;
	dst->d = max ? s->dmax : s->dmin;
	dst->i128 = max ? s->xmax : s->xmin;
	if (c->type == PQ_STRING) {
		const struct strbuf *sb = max ? &s->smax : &s->smin;
		dst->s = malloc(sb->len + 1);
		if (!dst->s)
			abort();
		memcpy(dst->s, sb->buf, sb->len);
		dst->s[sb->len] = 0;
		dst->len = sb->len;
	}
}

static void fill_stats(struct pq_writer *w, struct pq_file_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->num_rows = w->rows_total;
	st->file_bytes = w->offset;
	st->n_row_groups = w->n_rgs;
	st->n_columns = w->n_cols;
	st->columns = calloc(w->n_cols, sizeof(*st->columns));
	if (!st->columns)
		abort();
	for (size_t j = 0; j < w->n_cols; j++) {
		const struct pq_col *c = &w->cols[j];
		struct pq_column_stats *cs = &st->columns[j];
		cs->name = strdup(c->name);
		if (!cs->name)
			abort();
		cs->type = c->type;
		cs->precision = c->precision;
		cs->scale = c->scale;
		cs->null_count = c->fstat.nulls;
		cs->has_min_max = c->fstat.has;
		cs->has_nan = c->fstat.nan;
		if (c->fstat.has) {
			copy_value(&cs->min, c, &c->fstat, false);
			copy_value(&cs->max, c, &c->fstat, true);
		}
	}
}

void pq_file_stats_release(struct pq_file_stats *st)
{
	for (size_t j = 0; j < st->n_columns; j++) {
		free(st->columns[j].name);
		free(st->columns[j].min.s);
		free(st->columns[j].max.s);
	}
	free(st->columns);
	memset(st, 0, sizeof(*st));
}

int pq_writer_close(struct pq_writer *w, struct pq_file_stats *stats)
{
	int ret = -1;
	if (w->failed)
		goto done;
	if (flush_row_group(w) || write_footer(w))
		goto done;
	if (close(w->fd)) {
		w->fd = -1;
		fail_errno(w, errno);
		goto done;
	}
	w->fd = -1;
	if (stats)
		fill_stats(w, stats);
	ret = 0;
done:
	free_writer(w);
	return ret;
}

void pq_writer_abort(struct pq_writer *w)
{
	free_writer(w);
}

