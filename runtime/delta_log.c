/*
 * delta_log: writes the JSON commits of a Delta table (protocol: delta-io
 * PROTOCOL.md, reader 1 / writer 2, no column mapping, no deletion vectors)
 * with cJSON.  Numbers that must not pass through a double (longs, decimals)
 * are emitted as raw JSON text.  A commit is one file written under a
 * temporary name and hard-linked into place, so that it appears whole and
 * only if its version is free.
 */
#include "delta_log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <xxhash.h>

#include "diag.h"
#include "strbuf.h"

#define DELTA_ENGINE_INFO "ingen_fab/0.1.0"
#define DELTA_STATS_STRING_PREFIX 32 /* Spark's dataSkippingStringPrefixLength */
#define DELTA_APPEND_RETRIES 100

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

void delta_civil_from_days(int64_t days, int64_t *year, int *month, int *day)
{
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = yoe + era * 400;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int d = (int)(doy - (153 * mp + 2) / 5 + 1);
	int m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*year = y + (m <= 2);
	*month = m;
	*day = d;
}

static void add_date(struct strbuf *sb, int64_t days)
{
	int64_t y;
	int m, d;
	delta_civil_from_days(days, &y, &m, &d);
	strbuf_addf(sb, "%04lld-%02d-%02d", (long long)y, m, d);
}

/* "yyyy-mm-dd" + sep + "hh:mm:ss" of whole seconds since the epoch. */
static void add_datetime(struct strbuf *sb, int64_t secs, char sep)
{
	int64_t days = floor_div(secs, 86400), sod = secs - days * 86400;
	add_date(sb, days);
	strbuf_addf(sb, "%c%02d:%02d:%02d", sep, (int)(sod / 3600), (int)(sod / 60 % 60),
		    (int)(sod % 60));
}

static void add_int128(struct strbuf *sb, pq_int128 v, int scale)
{
	char digits[48];
	int n = 0;
	unsigned __int128 u = v < 0 ? -(unsigned __int128)v : (unsigned __int128)v;
	do {
		digits[n++] = (char)('0' + (int)(u % 10));
		u /= 10;
	} while (u);
	while (n <= scale)
		digits[n++] = '0';
	if (v < 0)
		strbuf_addch(sb, '-');
	for (int k = n - 1; k >= 0; k--) {
		strbuf_addch(sb, digits[k]);
		if (k == scale && k > 0)
			strbuf_addch(sb, '.');
	}
}

/* The shortest %g form that reads back as the same double. */
static void add_double(struct strbuf *sb, double d)
{
	char buf[40];
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	strbuf_addstr(sb, buf);
}

void delta_partition_value(struct strbuf *sb, const struct pq_column_spec *col,
			   const struct pq_value *v)
{
	switch (col->type) {
	case PQ_BOOLEAN:
		strbuf_addstr(sb, v->i ? "true" : "false");
		break;
	case PQ_INT32:
	case PQ_INT64:
		strbuf_addf(sb, "%lld", (long long)v->i);
		break;
	case PQ_DOUBLE:
		add_double(sb, v->d);
		break;
	case PQ_DATE:
		add_date(sb, v->i);
		break;
	case PQ_TIMESTAMP_MICROS: {
		int64_t secs = floor_div(v->i, 1000000), us = v->i - secs * 1000000;
		add_datetime(sb, secs, ' ');
		if (us)
			strbuf_addf(sb, ".%06d", (int)us);
		break;
	}
	case PQ_DECIMAL:
		add_int128(sb, col->precision > 18 ? v->i128 : (pq_int128)v->i, col->scale);
		break;
	case PQ_STRING:
		strbuf_add(sb, v->s, v->len);
		break;
	}
}

void delta_partition_dir(struct strbuf *sb, const char *column, const char *value)
{
	static const char escaped[] = "\"#%'*/:=?\\\x7f{[]^";
	strbuf_addstr(sb, column);
	strbuf_addch(sb, '=');
	if (!value || !*value) {
		strbuf_addstr(sb, "__HIVE_DEFAULT_PARTITION__");
		return;
	}
	for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
		if (*p < 0x20 || strchr(escaped, *p))
			strbuf_addf(sb, "%%%02X", *p);
		else
			strbuf_addch(sb, *p);
	}
}

/* The add action's path is a URI reference: percent-encode all but the safe characters. */
static void add_uri_path(struct strbuf *sb, const char *path)
{
	static const char safe[] = "-._~/!$&'()*+,;=:@";
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr(safe, *p))
			strbuf_addch(sb, *p);
		else
			strbuf_addf(sb, "%%%02X", *p);
	}
}

void delta_uuid_from(char out[37], const void *data, size_t len)
{
	XXH128_hash_t h = XXH3_128bits(data, len);
	unsigned char b[16];
	for (int k = 0; k < 8; k++) {
		b[k] = (unsigned char)(h.high64 >> (56 - 8 * k));
		b[8 + k] = (unsigned char)(h.low64 >> (56 - 8 * k));
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
		 b[13], b[14], b[15]);
}

void delta_part_file_name(struct strbuf *sb, const char *seed, int index, enum pq_codec codec)
{
	struct strbuf key = STRBUF_INIT;
	char uuid[37];
	strbuf_addf(&key, "%s#%d", seed, index);
	delta_uuid_from(uuid, key.buf, key.len);
	strbuf_release(&key);
	strbuf_addf(sb, "part-%05d-%s-c000.%sparquet", index, uuid,
		    codec == PQ_CODEC_SNAPPY ? "snappy." : codec == PQ_CODEC_ZSTD ? "zstd." : "");
}

/* ---- schema ---- */

static void add_spark_type(struct strbuf *sb, const struct pq_column_spec *c)
{
	switch (c->type) {
	case PQ_BOOLEAN:
		strbuf_addstr(sb, "boolean");
		break;
	case PQ_INT32:
		strbuf_addstr(sb, "integer");
		break;
	case PQ_INT64:
		strbuf_addstr(sb, "long");
		break;
	case PQ_DOUBLE:
		strbuf_addstr(sb, "double");
		break;
	case PQ_STRING:
		strbuf_addstr(sb, "string");
		break;
	case PQ_DATE:
		strbuf_addstr(sb, "date");
		break;
	case PQ_TIMESTAMP_MICROS:
		strbuf_addstr(sb, "timestamp");
		break;
	case PQ_DECIMAL:
		strbuf_addf(sb, "decimal(%d,%d)", c->precision, c->scale);
		break;
	}
}

static cJSON *schema_object(const struct pq_column_spec *cols, size_t n)
{
	cJSON *root = cJSON_CreateObject(), *fields;
	struct strbuf sb = STRBUF_INIT;
	cJSON_AddStringToObject(root, "type", "struct");
	fields = cJSON_AddArrayToObject(root, "fields");
	for (size_t j = 0; j < n; j++) {
		cJSON *f = cJSON_CreateObject(), *md;
		cJSON_AddStringToObject(f, "name", cols[j].name);
		strbuf_reset(&sb);
		add_spark_type(&sb, &cols[j]);
		cJSON_AddStringToObject(f, "type", sb.buf);
		cJSON_AddBoolToObject(f, "nullable", cols[j].nullable);
		md = cJSON_AddObjectToObject(f, "metadata");
		if (cols[j].type == PQ_STRING && cols[j].varchar_length > 0) {
			strbuf_reset(&sb);
			strbuf_addf(&sb, "varchar(%d)", cols[j].varchar_length);
			cJSON_AddStringToObject(md, "__CHAR_VARCHAR_TYPE_STRING", sb.buf);
		}
		cJSON_AddItemToArray(fields, f);
	}
	strbuf_release(&sb);
	return root;
}

void delta_schema_json(struct strbuf *sb, const struct pq_column_spec *cols, size_t n)
{
	cJSON *o = schema_object(cols, n);
	char *s = cJSON_PrintUnformatted(o);
	if (!s)
		abort();
	strbuf_addstr(sb, s);
	cJSON_free(s);
	cJSON_Delete(o);
}

/* ---- stats ---- */

static bool utf8_prefix(const char *s, size_t len, size_t max_chars, size_t *prefix_len)
{
	size_t chars = 0, i = 0;
	while (i < len) {
		if (chars == max_chars) {
			*prefix_len = i;
			return true; /* truncated */
		}
		i++;
		while (i < len && ((unsigned char)s[i] & 0xC0) == 0x80)
			i++;
		chars++;
	}
	*prefix_len = len;
	return false;
}

/* Adds the min or max of a stats column, unless Delta has none for it. */
static void add_stat_value(cJSON *obj, const struct pq_column_stats *c, bool max)
{
	const struct pq_value *v = max ? &c->max : &c->min;
	struct strbuf sb = STRBUF_INIT;
	switch (c->type) {
	case PQ_BOOLEAN:
		break; /* Delta collects no min/max for booleans */
	case PQ_INT32:
	case PQ_INT64:
		strbuf_addf(&sb, "%lld", (long long)v->i);
		cJSON_AddRawToObject(obj, c->name, sb.buf);
		break;
	case PQ_DOUBLE:
		/* Spark sorts NaN above everything: with a NaN there is no max */
		if (isfinite(v->d) && !(max && c->has_nan)) {
			add_double(&sb, v->d);
			cJSON_AddRawToObject(obj, c->name, sb.buf);
		}
		break;
	case PQ_DECIMAL:
		add_int128(&sb, c->precision > 18 ? v->i128 : (pq_int128)v->i, c->scale);
		cJSON_AddRawToObject(obj, c->name, sb.buf);
		break;
	case PQ_DATE:
		add_date(&sb, v->i);
		cJSON_AddStringToObject(obj, c->name, sb.buf);
		break;
	case PQ_TIMESTAMP_MICROS: {
		/* milliseconds: the min rounded down, the max up, so both stay bounds */
		int64_t ms = floor_div(v->i, 1000);
		if (max && ms * 1000 != v->i)
			ms++;
		int64_t secs = floor_div(ms, 1000);
		add_datetime(&sb, secs, 'T');
		strbuf_addf(&sb, ".%03dZ", (int)(ms - secs * 1000));
		cJSON_AddStringToObject(obj, c->name, sb.buf);
		break;
	}
	case PQ_STRING: {
		size_t n;
		bool truncated = utf8_prefix(v->s, v->len, DELTA_STATS_STRING_PREFIX, &n);
		if (memchr(v->s, 0, n))
			break; /* cJSON strings are NUL-terminated */
		if (truncated && max)
			break; /* a prefix is no upper bound */
		strbuf_add(&sb, v->s, n);
		cJSON_AddStringToObject(obj, c->name, sb.buf);
		break;
	}
	}
	strbuf_release(&sb);
}

static char *stats_json(const struct pq_file_stats *st)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *mins, *maxs, *nulls;
	struct strbuf sb = STRBUF_INIT;
	char *s;

	strbuf_addf(&sb, "%lld", (long long)st->num_rows);
	cJSON_AddRawToObject(o, "numRecords", sb.buf);
	mins = cJSON_AddObjectToObject(o, "minValues");
	maxs = cJSON_AddObjectToObject(o, "maxValues");
	nulls = cJSON_AddObjectToObject(o, "nullCount");
	for (size_t j = 0; j < st->n_columns; j++) {
		const struct pq_column_stats *c = &st->columns[j];
		if (c->has_min_max) {
			add_stat_value(mins, c, false);
			add_stat_value(maxs, c, true);
		}
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%lld", (long long)c->null_count);
		cJSON_AddRawToObject(nulls, c->name, sb.buf);
	}
	strbuf_release(&sb);
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (!s)
		abort();
	return s;
}

/* ---- the commit ---- */

struct commit_ctx {
	const char *table_dir;
	struct diags *diags;
	const struct delta_table_meta *meta;
	const char *table_id;
};

static void add_line(struct strbuf *out, cJSON *action)
{
	char *s = cJSON_PrintUnformatted(action);
	if (!s)
		abort();
	strbuf_addstr(out, s);
	strbuf_addch(out, '\n');
	cJSON_free(s);
	cJSON_Delete(action);
}

static void add_raw_i64(cJSON *obj, const char *name, int64_t v)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%lld", (long long)v);
	cJSON_AddRawToObject(obj, name, buf);
}

static void add_str_i64(cJSON *obj, const char *name, int64_t v)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%lld", (long long)v);
	cJSON_AddStringToObject(obj, name, buf);
}

static void commit_info(struct strbuf *out, const struct commit_ctx *cx, int64_t version,
			const struct delta_add *adds, size_t n_adds, int64_t ts)
{
	cJSON *a = cJSON_CreateObject(), *ci, *params, *metrics, *pb;
	int64_t rows = 0, bytes = 0;
	char txn[37];
	struct strbuf sb = STRBUF_INIT;
	char *s;

	ci = cJSON_AddObjectToObject(a, "commitInfo");
	add_raw_i64(ci, "timestamp", ts);
	cJSON_AddStringToObject(ci, "operation", "WRITE");
	params = cJSON_AddObjectToObject(ci, "operationParameters");
	cJSON_AddStringToObject(params, "mode", version == 0 ? "ErrorIfExists" : "Append");
	pb = cJSON_CreateArray();
	for (size_t k = 0; k < cx->meta->n_partition_columns; k++)
		cJSON_AddItemToArray(pb, cJSON_CreateString(cx->meta->partition_columns[k]));
	s = cJSON_PrintUnformatted(pb);
	cJSON_AddStringToObject(params, "partitionBy", s);
	cJSON_free(s);
	cJSON_Delete(pb);
	if (version > 0)
		add_raw_i64(ci, "readVersion", version - 1);
	cJSON_AddStringToObject(ci, "isolationLevel", "Serializable");
	cJSON_AddBoolToObject(ci, "isBlindAppend", 1);
	metrics = cJSON_AddObjectToObject(ci, "operationMetrics");
	for (size_t k = 0; k < n_adds; k++) {
		bytes += adds[k].size;
		if (adds[k].stats)
			rows += adds[k].stats->num_rows;
	}
	add_str_i64(metrics, "numFiles", (int64_t)n_adds);
	add_str_i64(metrics, "numOutputRows", rows);
	add_str_i64(metrics, "numOutputBytes", bytes);
	cJSON_AddStringToObject(ci, "engineInfo",
				cx->meta->engine_info ? cx->meta->engine_info : DELTA_ENGINE_INFO);
	strbuf_addf(&sb, "%s#%lld#%lld", cx->table_id, (long long)version, (long long)ts);
	delta_uuid_from(txn, sb.buf, sb.len);
	cJSON_AddStringToObject(ci, "txnId", txn);
	strbuf_release(&sb);
	add_line(out, a);
}

static void protocol_and_metadata(struct strbuf *out, const struct commit_ctx *cx, int64_t ts)
{
	const struct delta_table_meta *m = cx->meta;
	cJSON *a = cJSON_CreateObject(), *p, *md, *fmt, *pcs;
	struct strbuf sb = STRBUF_INIT;

	p = cJSON_AddObjectToObject(a, "protocol");
	cJSON_AddNumberToObject(p, "minReaderVersion", 1);
	cJSON_AddNumberToObject(p, "minWriterVersion", 2);
	add_line(out, a);

	a = cJSON_CreateObject();
	md = cJSON_AddObjectToObject(a, "metaData");
	cJSON_AddStringToObject(md, "id", cx->table_id);
	if (m->name)
		cJSON_AddStringToObject(md, "name", m->name);
	if (m->description)
		cJSON_AddStringToObject(md, "description", m->description);
	fmt = cJSON_AddObjectToObject(md, "format");
	cJSON_AddStringToObject(fmt, "provider", "parquet");
	cJSON_AddObjectToObject(fmt, "options");
	delta_schema_json(&sb, m->columns, m->n_columns);
	cJSON_AddStringToObject(md, "schemaString", sb.buf);
	pcs = cJSON_AddArrayToObject(md, "partitionColumns");
	for (size_t k = 0; k < m->n_partition_columns; k++)
		cJSON_AddItemToArray(pcs, cJSON_CreateString(m->partition_columns[k]));
	cJSON_AddObjectToObject(md, "configuration");
	add_raw_i64(md, "createdTime", m->created_time_ms ? m->created_time_ms : ts);
	strbuf_release(&sb);
	add_line(out, a);
}

static void add_actions(struct strbuf *out, const struct commit_ctx *cx, const struct delta_add *adds,
			size_t n_adds, int64_t ts)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t k = 0; k < n_adds; k++) {
		const struct delta_add *ad = &adds[k];
		cJSON *a = cJSON_CreateObject(), *add, *pv;
		add = cJSON_AddObjectToObject(a, "add");
		strbuf_reset(&sb);
		add_uri_path(&sb, ad->path);
		cJSON_AddStringToObject(add, "path", sb.buf);
		pv = cJSON_AddObjectToObject(add, "partitionValues");
		for (size_t j = 0; j < cx->meta->n_partition_columns; j++) {
			const char *v = ad->partition_values ? ad->partition_values[j] : NULL;
			if (v && *v)
				cJSON_AddStringToObject(pv, cx->meta->partition_columns[j], v);
			else
				cJSON_AddNullToObject(pv, cx->meta->partition_columns[j]);
		}
		add_raw_i64(add, "size", ad->size);
		add_raw_i64(add, "modificationTime",
			    ad->modification_time_ms ? ad->modification_time_ms : ts);
		cJSON_AddBoolToObject(add, "dataChange", 1);
		if (ad->stats) {
			char *s = stats_json(ad->stats);
			cJSON_AddStringToObject(add, "stats", s);
			cJSON_free(s);
		}
		add_line(out, a);
	}
	strbuf_release(&sb);
}

/* ---- files ---- */

static int log_error(const struct commit_ctx *cx, const char *what, const char *path, int err)
{
	return diag_error(cx->diags, NULL, "cannot write delta log of '%s': %s '%s': %s",
			  cx->table_dir, what, path, strerror(err));
}

static int mkdir_p(const char *dir)
{
	struct strbuf sb = STRBUF_INIT;
	int ret = 0;
	strbuf_addstr(&sb, dir);
	for (size_t i = 1; i <= sb.len && ret == 0; i++) {
		if (i < sb.len && sb.buf[i] != '/')
			continue;
		char saved = sb.buf[i];
		sb.buf[i] = 0;
		if (mkdir(sb.buf, 0755) && errno != EEXIST)
			ret = -1;
		sb.buf[i] = saved;
	}
	if (ret == 0) {
		struct stat st;
		if (stat(dir, &st))
			ret = -1;
		else if (!S_ISDIR(st.st_mode)) {
			errno = ENOTDIR;
			ret = -1;
		}
	}
	strbuf_release(&sb);
	return ret;
}

static int write_file_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0) {
			errno = ENOSPC;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Creates `path` with `content` only if it does not exist; sets errno EEXIST if it does. */
static int create_exclusive(const char *path, const struct strbuf *content)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	if (write_file_all(fd, content->buf, content->len) || fsync(fd)) {
		int err = errno;
		close(fd);
		unlink(path);
		errno = err;
		return -1;
	}
	if (close(fd)) {
		int err = errno;
		unlink(path);
		errno = err;
		return -1;
	}
	return 0;
}

/*
 * Puts the version file if absent.  Returns 0, 1 when the version exists
 * already (nothing written, no diagnostic), or -1 with a diagnostic.
 */
static int put_version(const struct commit_ctx *cx, const char *log_dir, int64_t version,
		       const struct strbuf *content)
{
	struct strbuf final = STRBUF_INIT, tmp = STRBUF_INIT;
	int ret = -1;
	uint64_t salt[3] = {(uint64_t)getpid(), (uint64_t)now_ms(), (uint64_t)(uintptr_t)&final};

	strbuf_addf(&final, "%s/%020lld.json", log_dir, (long long)version);
	strbuf_addf(&tmp, "%s/.%020lld.json.%016llx.tmp", log_dir, (long long)version,
		    (unsigned long long)XXH64(salt, sizeof(salt), 0));
	if (create_exclusive(tmp.buf, content)) {
		log_error(cx, "cannot create", tmp.buf, errno);
		goto done;
	}
	if (link(tmp.buf, final.buf) == 0) {
		ret = 0;
	} else if (errno == EEXIST) {
		ret = 1;
	} else if (errno == EPERM || errno == ENOTSUP || errno == EOPNOTSUPP || errno == EXDEV ||
		   errno == EMLINK || errno == ENOSYS) {
		/* no hard links here: exclusive creation is the next best put-if-absent */
		if (create_exclusive(final.buf, content) == 0)
			ret = 0;
		else if (errno == EEXIST)
			ret = 1;
		else
			log_error(cx, "cannot create", final.buf, errno);
	} else {
		log_error(cx, "cannot link", final.buf, errno);
	}
	unlink(tmp.buf);
done:
	strbuf_release(&final);
	strbuf_release(&tmp);
	return ret;
}

int64_t delta_log_latest_version(const char *table_dir)
{
	struct strbuf dir = STRBUF_INIT;
	int64_t latest = -1;
	DIR *d;
	struct dirent *e;

	strbuf_addf(&dir, "%s/_delta_log", table_dir);
	d = opendir(dir.buf);
	strbuf_release(&dir);
	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL) {
		const char *n = e->d_name;
		size_t i;
		if (strlen(n) != 25 || strcmp(n + 20, ".json") != 0)
			continue;
		for (i = 0; i < 20 && n[i] >= '0' && n[i] <= '9'; i++)
			;
		if (i != 20)
			continue;
		int64_t v = strtoll(n, NULL, 10);
		if (v > latest)
			latest = v;
	}
	closedir(d);
	return latest;
}

static int check_meta(const struct commit_ctx *cx, const struct delta_add *adds, size_t n_adds)
{
	const struct delta_table_meta *m = cx->meta;
	if (!m || !m->columns || m->n_columns == 0)
		return diag_error(cx->diags, NULL,
				  "cannot write delta log of '%s': the table has no columns",
				  cx->table_dir);
	for (size_t k = 0; k < m->n_partition_columns; k++) {
		size_t j;
		for (j = 0; j < m->n_columns; j++)
			if (strcmp(m->columns[j].name, m->partition_columns[k]) == 0)
				break;
		if (j == m->n_columns)
			return diag_error(cx->diags, NULL,
					  "cannot write delta log of '%s': partition column '%s' "
					  "is not a column of the table",
					  cx->table_dir, m->partition_columns[k]);
	}
	for (size_t k = 0; k < n_adds; k++) {
		if (!adds[k].path || !*adds[k].path || adds[k].path[0] == '/')
			return diag_error(cx->diags, NULL,
					  "cannot write delta log of '%s': data file path '%s' "
					  "must be relative to the table",
					  cx->table_dir, adds[k].path ? adds[k].path : "");
		if (m->n_partition_columns && !adds[k].partition_values)
			return diag_error(cx->diags, NULL,
					  "cannot write delta log of '%s': data file '%s' has no "
					  "partition values",
					  cx->table_dir, adds[k].path);
	}
	return 0;
}

/* Reads a whole file into `sb`; -1 with errno on failure. */
static int read_file(struct strbuf *sb, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	for (;;) {
		strbuf_grow(sb, 65536);
		ssize_t n = read(fd, sb->buf + sb->len, sb->alloc - sb->len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int err = errno;
			close(fd);
			errno = err;
			return -1;
		}
		if (n == 0)
			break;
		strbuf_setlen(sb, sb->len + (size_t)n);
	}
	close(fd);
	return 0;
}

/*
 * Finds the latest metaData action at or below `version`; returns it
 * (to be freed with cJSON_Delete) or NULL when the JSON commits no longer
 * hold one (they were checkpointed and cleaned up).
 */
static cJSON *latest_metadata(const char *table_dir, int64_t version)
{
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT;
	cJSON *found = NULL;
	for (int64_t v = version; v >= 0 && !found; v--) {
		strbuf_reset(&path);
		strbuf_reset(&text);
		strbuf_addf(&path, "%s/_delta_log/%020lld.json", table_dir, (long long)v);
		if (read_file(&text, path.buf))
			break;
		for (char *line = text.buf; line && *line && !found;) {
			char *nl = strchr(line, '\n');
			if (nl)
				*nl = 0;
			cJSON *a = cJSON_Parse(line);
			cJSON *md = a ? cJSON_GetObjectItemCaseSensitive(a, "metaData") : NULL;
			if (md)
				found = cJSON_DetachItemViaPointer(a, md);
			cJSON_Delete(a);
			line = nl ? nl + 1 : NULL;
		}
	}
	strbuf_release(&path);
	strbuf_release(&text);
	return found;
}

static int schema_mismatch(const struct commit_ctx *cx, const char *what)
{
	return diag_error(cx->diags, NULL,
			  "cannot append to delta table '%s': %s", cx->table_dir, what);
}

static int check_same_schema(const struct commit_ctx *cx, int64_t version)
{
	cJSON *md = latest_metadata(cx->table_dir, version), *ours = NULL, *theirs = NULL;
	struct strbuf sb = STRBUF_INIT;
	int ret = 0;

	if (!md)
		return 0;
	const cJSON *ss = cJSON_GetObjectItemCaseSensitive(md, "schemaString");
	const cJSON *pcs = cJSON_GetObjectItemCaseSensitive(md, "partitionColumns");
	theirs = cJSON_IsString(ss) ? cJSON_Parse(ss->valuestring) : NULL;
	ours = schema_object(cx->meta->columns, cx->meta->n_columns);
	const cJSON *tf = cJSON_GetObjectItemCaseSensitive(theirs, "fields");
	const cJSON *of = cJSON_GetObjectItemCaseSensitive(ours, "fields");
	if (!cJSON_IsArray(tf)) {
		ret = schema_mismatch(cx, "its log has no readable schema");
		goto done;
	}
	if (cJSON_GetArraySize(tf) != cJSON_GetArraySize(of)) {
		strbuf_addf(&sb, "the table has %d columns and the data %d", cJSON_GetArraySize(tf),
			    cJSON_GetArraySize(of));
		ret = schema_mismatch(cx, sb.buf);
		goto done;
	}
	for (int k = 0; k < cJSON_GetArraySize(tf); k++) {
		const cJSON *t = cJSON_GetArrayItem(tf, k), *o = cJSON_GetArrayItem(of, k);
		const cJSON *tn = cJSON_GetObjectItemCaseSensitive(t, "name");
		const cJSON *on = cJSON_GetObjectItemCaseSensitive(o, "name");
		const cJSON *tt = cJSON_GetObjectItemCaseSensitive(t, "type");
		const cJSON *ot = cJSON_GetObjectItemCaseSensitive(o, "type");
		const cJSON *tnull = cJSON_GetObjectItemCaseSensitive(t, "nullable");
		if (!cJSON_IsString(tn) || strcmp(tn->valuestring, on->valuestring) != 0) {
			strbuf_addf(&sb, "column %d is '%s' in the table and '%s' in the data", k + 1,
				    cJSON_IsString(tn) ? tn->valuestring : "?", on->valuestring);
			ret = schema_mismatch(cx, sb.buf);
			goto done;
		}
		if (!cJSON_Compare(tt, ot, 1)) {
			strbuf_addf(&sb, "column '%s' is '%s' in the table and '%s' in the data",
				    on->valuestring, cJSON_IsString(tt) ? tt->valuestring : "complex",
				    ot->valuestring);
			ret = schema_mismatch(cx, sb.buf);
			goto done;
		}
		if (cJSON_IsFalse(tnull) && cx->meta->columns[k].nullable) {
			strbuf_addf(&sb, "column '%s' is not nullable in the table but is in the data",
				    on->valuestring);
			ret = schema_mismatch(cx, sb.buf);
			goto done;
		}
	}
	bool same_pcs = cJSON_IsArray(pcs) &&
			(size_t)cJSON_GetArraySize(pcs) == cx->meta->n_partition_columns;
	for (size_t k = 0; same_pcs && k < cx->meta->n_partition_columns; k++) {
		const cJSON *p = cJSON_GetArrayItem(pcs, (int)k);
		same_pcs = cJSON_IsString(p) && strcmp(p->valuestring, cx->meta->partition_columns[k]) == 0;
	}
	if (!same_pcs)
		ret = schema_mismatch(cx, "its partition columns differ");
done:
	strbuf_release(&sb);
	cJSON_Delete(md);
	cJSON_Delete(ours);
	cJSON_Delete(theirs);
	return ret;
}

static int prepare(struct commit_ctx *cx, char id_buf[37], struct strbuf *log_dir)
{
	if (mkdir_p(cx->table_dir))
		return log_error(cx, "cannot create directory", cx->table_dir, errno);
	strbuf_addf(log_dir, "%s/_delta_log", cx->table_dir);
	if (mkdir(log_dir->buf, 0755) && errno != EEXIST)
		return log_error(cx, "cannot create directory", log_dir->buf, errno);
	if (cx->meta->id) {
		cx->table_id = cx->meta->id;
	} else {
		char *real = realpath(cx->table_dir, NULL);
		const char *p = real ? real : cx->table_dir;
		delta_uuid_from(id_buf, p, strlen(p));
		free(real);
		cx->table_id = id_buf;
	}
	return 0;
}

static int commit(const char *table_dir, const struct delta_table_meta *meta,
		  const struct delta_add *adds, size_t n_adds, bool create_only,
		  int64_t *version_out, struct diags *diags)
{
	struct commit_ctx cx = {table_dir, diags, meta, NULL};
	struct strbuf log_dir = STRBUF_INIT, content = STRBUF_INIT;
	char id_buf[37];
	int ret = -1;

	if (check_meta(&cx, adds, n_adds) || prepare(&cx, id_buf, &log_dir))
		goto done;
	for (int attempt = 0; attempt < DELTA_APPEND_RETRIES; attempt++) {
		int64_t version = create_only ? 0 : delta_log_latest_version(table_dir) + 1;
		int64_t ts = now_ms();
		if (version > 0 && check_same_schema(&cx, version - 1))
			goto done;
		strbuf_reset(&content);
		commit_info(&content, &cx, version, adds, n_adds, ts);
		if (version == 0)
			protocol_and_metadata(&content, &cx, ts);
		add_actions(&content, &cx, adds, n_adds, ts);
		int r = put_version(&cx, log_dir.buf, version, &content);
		if (r < 0)
			goto done;
		if (r == 0) {
			if (version_out)
				*version_out = version;
			ret = 0;
			goto done;
		}
		if (create_only) {
			diag_error(diags, NULL,
				   "cannot create delta table '%s': it exists already", table_dir);
			goto done;
		}
	}
	diag_error(diags, NULL,
		   "cannot append to delta table '%s': %d concurrent commits won the race",
		   table_dir, DELTA_APPEND_RETRIES);
done:
	strbuf_release(&log_dir);
	strbuf_release(&content);
	return ret;
}

int delta_log_create(const char *table_dir, const struct delta_table_meta *meta,
		     const struct delta_add *adds, size_t n_adds, struct diags *diags)
{
	return commit(table_dir, meta, adds, n_adds, true, NULL, diags);
}

int delta_log_append(int64_t *version_out, const char *table_dir,
		     const struct delta_table_meta *meta, const struct delta_add *adds,
		     size_t n_adds, struct diags *diags)
{
	return commit(table_dir, meta, adds, n_adds, false, version_out, diags);
}

/* ---- committing a staged table ---- */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The file path of an add/remove action's URI-encoded path. */
static void uri_decode(struct strbuf *sb, const char *s)
{
	for (; *s; s++) {
		int hi, lo;
		if (*s == '%' && (hi = hexval(s[1])) >= 0 && (lo = hexval(s[2])) >= 0) {
			strbuf_addch(sb, hi * 16 + lo);
			s += 2;
		} else {
			strbuf_addch(sb, *s);
		}
	}
}

/* Calls fn on every action of version `v`; -1 (errno set) when unreadable. */
static int read_actions(cJSON **out, const char *table_dir, int64_t v)
{
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT;
	cJSON *arr = cJSON_CreateArray();
	int ret = -1;

	strbuf_addf(&path, "%s/_delta_log/%020lld.json", table_dir, (long long)v);
	if (read_file(&text, path.buf))
		goto done;
	for (char *line = text.buf; line && *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = 0;
		if (*line) {
			cJSON *a = cJSON_Parse(line);
			if (!a) {
				errno = EINVAL;
				goto done;
			}
			cJSON_AddItemToArray(arr, a);
		}
		line = nl ? nl + 1 : NULL;
	}
	*out = arr;
	arr = NULL;
	ret = 0;
done:
	cJSON_Delete(arr);
	strbuf_release(&path);
	strbuf_release(&text);
	return ret;
}

/* Replays versions 0..latest; *meta_out (optional) gets the latest metaData. */
static int replay(cJSON **active_out, cJSON **meta_out, int64_t latest, const char *table_dir,
		  struct diags *diags)
{
	cJSON *active = cJSON_CreateObject(), *meta = NULL, *arr = NULL, *list;
	struct strbuf key = STRBUF_INIT;
	int ret = -1;

	for (int64_t v = 0; v <= latest; v++) {
		const cJSON *a;
		if (read_actions(&arr, table_dir, v)) {
			diag_error(diags, NULL,
				   "cannot read delta table '%s': version %lld of its log: %s (only "
				   "tables whose JSON commits are all present can be appended to)",
				   table_dir, (long long)v, strerror(errno));
			goto done;
		}
		cJSON_ArrayForEach(a, arr)
		{
			cJSON *add = cJSON_GetObjectItemCaseSensitive(a, "add");
			const cJSON *rm = cJSON_GetObjectItemCaseSensitive(a, "remove");
			cJSON *md = cJSON_GetObjectItemCaseSensitive(a, "metaData");
			const cJSON *p = cJSON_GetObjectItemCaseSensitive(add ? add : rm, "path");
			if (md) {
				cJSON_Delete(meta);
				meta = cJSON_Duplicate(md, 1);
			}
			if (!cJSON_IsString(p))
				continue;
			strbuf_reset(&key);
			uri_decode(&key, p->valuestring);
			cJSON_DeleteItemFromObjectCaseSensitive(active, key.buf);
			if (add)
				cJSON_AddItemToObject(active, key.buf, cJSON_Duplicate(add, 1));
		}
		cJSON_Delete(arr);
		arr = NULL;
	}
	list = cJSON_CreateArray();
	for (cJSON *e = active->child; e; e = e->next)
		cJSON_AddItemToArray(list, cJSON_Duplicate(e, 1));
	*active_out = list;
	if (meta_out) {
		*meta_out = meta;
		meta = NULL;
	}
	ret = 0;
done:
	cJSON_Delete(arr);
	cJSON_Delete(active);
	cJSON_Delete(meta);
	strbuf_release(&key);
	return ret;
}

int delta_log_active_files(cJSON **out, const char *table_dir, struct diags *diags)
{
	int64_t latest = delta_log_latest_version(table_dir);
	*out = NULL;
	if (latest < 0) {
		*out = cJSON_CreateArray();
		return 0;
	}
	return replay(out, NULL, latest, table_dir, diags);
}

static const char *add_tag(const cJSON *add)
{
	const cJSON *tags = cJSON_GetObjectItemCaseSensitive(add, "tags");
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tags, DELTA_DELIVERY_TAG));
}

/* The fields (name, type) and partition columns of two metaData actions agree. */
static bool same_layout(const cJSON *a, const cJSON *b)
{
	const cJSON *sa = cJSON_GetObjectItemCaseSensitive(a, "schemaString");
	const cJSON *sb = cJSON_GetObjectItemCaseSensitive(b, "schemaString");
	cJSON *ta = cJSON_IsString(sa) ? cJSON_Parse(sa->valuestring) : NULL;
	cJSON *tb = cJSON_IsString(sb) ? cJSON_Parse(sb->valuestring) : NULL;
	const cJSON *fa = cJSON_GetObjectItemCaseSensitive(ta, "fields");
	const cJSON *fb = cJSON_GetObjectItemCaseSensitive(tb, "fields");
	bool same = cJSON_IsArray(fa) && cJSON_IsArray(fb) &&
		    cJSON_GetArraySize(fa) == cJSON_GetArraySize(fb) &&
		    cJSON_Compare(cJSON_GetObjectItemCaseSensitive(a, "partitionColumns"),
				  cJSON_GetObjectItemCaseSensitive(b, "partitionColumns"), 1);
	for (int k = 0; same && k < cJSON_GetArraySize(fa); k++) {
		const cJSON *x = cJSON_GetArrayItem(fa, k), *y = cJSON_GetArrayItem(fb, k);
		same = cJSON_Compare(cJSON_GetObjectItemCaseSensitive(x, "name"),
				     cJSON_GetObjectItemCaseSensitive(y, "name"), 1) &&
		       cJSON_Compare(cJSON_GetObjectItemCaseSensitive(x, "type"),
				     cJSON_GetObjectItemCaseSensitive(y, "type"), 1);
	}
	cJSON_Delete(ta);
	cJSON_Delete(tb);
	return same;
}

/* The new relative path of staged file k: its folder, then a name from the seed. */
static void new_path(struct strbuf *sb, const char *staged_rel, const char *seed, int k)
{
	const char *slash = strrchr(staged_rel, '/'), *base = slash ? slash + 1 : staged_rel;
	const char *c000 = strstr(base, "-c000");
	if (slash)
		strbuf_add(sb, staged_rel, (size_t)(slash - staged_rel + 1));
	struct strbuf name = STRBUF_INIT;
	delta_part_file_name(&name, seed, k, PQ_CODEC_NONE); /* "part-k-uuid-c000.parquet" */
	strbuf_setlen(&name, name.len - strlen(".parquet"));
	strbuf_addstr(sb, name.buf);
	strbuf_addstr(sb, c000 ? c000 + 5 : ".parquet");
	strbuf_release(&name);
}

static bool in_list(const struct strbuf *paths, size_t n, const char *p)
{
	for (size_t k = 0; k < n; k++)
		if (strcmp(paths[k].buf, p) == 0)
			return true;
	return false;
}

int delta_log_commit_staged(int64_t *version_out, const char *table_dir,
			    const struct delta_staged_commit *c, struct diags *diags)
{
	struct commit_ctx cx = {table_dir, diags, NULL, NULL};
	cJSON *staged = NULL, *active = NULL, *meta = NULL, *smeta = NULL, *adds, *removes;
	struct strbuf log_dir = STRBUF_INIT, content = STRBUF_INIT, sb = STRBUF_INIT;
	struct strbuf *paths = NULL, *old_paths = NULL;
	size_t n_new = 0, n_old = 0;
	int64_t latest, version, ts = now_ms(), rows = 0, bytes = 0;
	char id_buf[37];
	bool overwrite = c->mode == DELTA_MODE_OVERWRITE;
	int ret = -1;
	const cJSON *a;

	adds = cJSON_CreateArray();
	removes = cJSON_CreateArray();
	if (read_actions(&staged, c->staged_dir, 0)) {
		diag_error(diags, NULL, "cannot read the staged delta table '%s': %s", c->staged_dir,
			   strerror(errno));
		goto done;
	}
	cJSON_ArrayForEach(a, staged)
	{
		cJSON *md = cJSON_GetObjectItemCaseSensitive(a, "metaData");
		cJSON *add = cJSON_GetObjectItemCaseSensitive(a, "add");
		if (md && !smeta)
			smeta = md;
		if (add)
			cJSON_AddItemToArray(adds, cJSON_Duplicate(add, 1));
	}
	if (!smeta) {
		diag_error(diags, NULL, "cannot read the staged delta table '%s': it has no metaData",
			   c->staged_dir);
		goto done;
	}
	latest = delta_log_latest_version(table_dir);
	if (latest >= 0) {
		if (replay(&active, &meta, latest, table_dir, diags))
			goto done;
		if (!meta || !same_layout(meta, smeta)) {
			diag_error(diags, NULL,
				   "cannot append to delta table '%s': its columns or partition columns "
				   "differ from the data's (drop the table to start over)",
				   table_dir);
			goto done;
		}
	} else {
		active = cJSON_CreateArray();
	}
	/* the new names, and the active files this commit replaces */
	n_new = (size_t)cJSON_GetArraySize(adds);
	paths = calloc(n_new + 1, sizeof(*paths));
	old_paths = calloc((size_t)cJSON_GetArraySize(active) + 1, sizeof(*old_paths));
	if (!paths || !old_paths)
		abort();
	for (size_t k = 0; k < n_new; k++) {
		struct strbuf rel = STRBUF_INIT;
		uri_decode(&rel, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
					 cJSON_GetArrayItem(adds, (int)k), "path")));
		strbuf_init(&paths[k], 0);
		new_path(&paths[k], rel.buf, c->name_seed, (int)k);
		strbuf_release(&rel);
	}
	cJSON_ArrayForEach(a, active)
	{
		const char *tag = add_tag(a);
		if (overwrite || (c->tag && tag && strcmp(tag, c->tag) == 0)) {
			strbuf_init(&old_paths[n_old], 0);
			uri_decode(&old_paths[n_old], cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "path")));
			n_old++;
			cJSON *rm = cJSON_CreateObject(), *r = cJSON_AddObjectToObject(rm, "remove");
			cJSON_AddItemToObject(r, "path", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(a, "path"), 1));
			add_raw_i64(r, "deletionTimestamp", ts);
			cJSON_AddBoolToObject(r, "dataChange", 1);
			cJSON_AddBoolToObject(r, "extendedFileMetadata", 1);
			const cJSON *pv = cJSON_GetObjectItemCaseSensitive(a, "partitionValues");
			cJSON_AddItemToObject(r, "partitionValues",
					      pv ? cJSON_Duplicate(pv, 1) : cJSON_CreateObject());
			const cJSON *size = cJSON_GetObjectItemCaseSensitive(a, "size");
			if (cJSON_IsNumber(size))
				add_raw_i64(r, "size", (int64_t)size->valuedouble);
			cJSON_AddItemToArray(removes, rm);
		}
	}
	/* the same delivery committed before: the same files are active */
	if (latest >= 0 && n_old == n_new && (c->tag || overwrite)) {
		bool same = true;
		for (size_t k = 0; same && k < n_new; k++)
			same = in_list(old_paths, n_old, paths[k].buf);
		if (same) {
			ret = 1;
			goto done;
		}
	}
	/* the data files, into the table */
	for (size_t k = 0; k < n_new; k++) {
		struct strbuf src = STRBUF_INIT, dst = STRBUF_INIT;
		cJSON *add = cJSON_GetArrayItem(adds, (int)k);
		int rc = 0;
		uri_decode(&src, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(add, "path")));
		strbuf_addf(&dst, "%s/%s", table_dir, paths[k].buf);
		{
			char *slash = strrchr(dst.buf, '/');
			*slash = 0;
			if (mkdir_p(dst.buf))
				rc = log_error(&cx, "cannot create directory", dst.buf, errno);
			*slash = '/';
		}
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%s/%s", c->staged_dir, src.buf);
		if (rc == 0 && rename(sb.buf, dst.buf))
			rc = log_error(&cx, "cannot move data file", sb.buf, errno);
		strbuf_release(&src);
		strbuf_release(&dst);
		if (rc)
			goto done;
		strbuf_reset(&sb);
		add_uri_path(&sb, paths[k].buf);
		cJSON_ReplaceItemInObjectCaseSensitive(add, "path", cJSON_CreateString(sb.buf));
		cJSON_DeleteItemFromObjectCaseSensitive(add, "tags");
		if (c->tag) {
			cJSON *tags = cJSON_AddObjectToObject(add, "tags");
			cJSON_AddStringToObject(tags, DELTA_DELIVERY_TAG, c->tag);
		}
		const cJSON *size = cJSON_GetObjectItemCaseSensitive(add, "size");
		bytes += cJSON_IsNumber(size) ? (int64_t)size->valuedouble : 0;
		const cJSON *st = cJSON_GetObjectItemCaseSensitive(add, "stats");
		cJSON *sj = cJSON_IsString(st) ? cJSON_Parse(st->valuestring) : NULL;
		const cJSON *nr = cJSON_GetObjectItemCaseSensitive(sj, "numRecords");
		rows += cJSON_IsNumber(nr) ? (int64_t)nr->valuedouble : 0;
		cJSON_Delete(sj);
	}
	/* the commit */
	if (mkdir_p(table_dir)) {
		log_error(&cx, "cannot create directory", table_dir, errno);
		goto done;
	}
	strbuf_addf(&log_dir, "%s/_delta_log", table_dir);
	if (mkdir(log_dir.buf, 0755) && errno != EEXIST) {
		log_error(&cx, "cannot create directory", log_dir.buf, errno);
		goto done;
	}
	version = latest + 1;
	{
		cJSON *ca = cJSON_CreateObject(), *ci = cJSON_AddObjectToObject(ca, "commitInfo");
		cJSON *params, *metrics;
		char txn[37];
		add_raw_i64(ci, "timestamp", ts);
		cJSON_AddStringToObject(ci, "operation", "WRITE");
		params = cJSON_AddObjectToObject(ci, "operationParameters");
		cJSON_AddStringToObject(params, "mode",
					version == 0 ? "ErrorIfExists" : overwrite ? "Overwrite" : "Append");
		{
			char *pb = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(smeta, "partitionColumns"));
			cJSON_AddStringToObject(params, "partitionBy", pb ? pb : "[]");
			cJSON_free(pb);
		}
		if (version > 0)
			add_raw_i64(ci, "readVersion", version - 1);
		cJSON_AddStringToObject(ci, "isolationLevel", "Serializable");
		cJSON_AddBoolToObject(ci, "isBlindAppend", cJSON_GetArraySize(removes) == 0);
		metrics = cJSON_AddObjectToObject(ci, "operationMetrics");
		add_str_i64(metrics, "numFiles", (int64_t)n_new);
		add_str_i64(metrics, "numOutputRows", rows);
		add_str_i64(metrics, "numOutputBytes", bytes);
		if (n_old)
			add_str_i64(metrics, "numRemovedFiles", (int64_t)n_old);
		cJSON_AddStringToObject(ci, "engineInfo", c->engine_info ? c->engine_info : DELTA_ENGINE_INFO);
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%s#%lld#%lld", table_dir, (long long)version, (long long)ts);
		delta_uuid_from(txn, sb.buf, sb.len);
		cJSON_AddStringToObject(ci, "txnId", txn);
		add_line(&content, ca);
	}
	if (version == 0) {
		cJSON *pa = cJSON_CreateObject(), *p = cJSON_AddObjectToObject(pa, "protocol");
		cJSON *ma = cJSON_CreateObject(), *md = cJSON_Duplicate(smeta, 1);
		char *real = realpath(table_dir, NULL);
		cJSON_AddNumberToObject(p, "minReaderVersion", 1);
		cJSON_AddNumberToObject(p, "minWriterVersion", 2);
		add_line(&content, pa);
		delta_uuid_from(id_buf, real ? real : table_dir, strlen(real ? real : table_dir));
		free(real);
		cJSON_ReplaceItemInObjectCaseSensitive(md, "id", cJSON_CreateString(id_buf));
		cJSON_AddItemToObject(ma, "metaData", md);
		add_line(&content, ma);
	}
	cJSON_ArrayForEach(a, removes)
	{
		char *s = cJSON_PrintUnformatted(a);
		strbuf_addstr(&content, s);
		strbuf_addch(&content, '\n');
		cJSON_free(s);
	}
	cJSON_ArrayForEach(a, adds)
	{
		cJSON *line = cJSON_CreateObject();
		cJSON_AddItemToObject(line, "add", cJSON_Duplicate(a, 1));
		add_line(&content, line);
	}
	{
		int r = put_version(&cx, log_dir.buf, version, &content);
		if (r < 0)
			goto done;
		if (r > 0) {
			diag_error(diags, NULL,
				   "cannot commit version %lld of delta table '%s': another writer "
				   "committed it first (concurrent writers); run again",
				   (long long)version, table_dir);
			goto done;
		}
	}
	if (version_out)
		*version_out = version;
	ret = 0;
done:
	for (size_t k = 0; paths && k < n_new; k++)
		strbuf_release(&paths[k]);
	for (size_t k = 0; k < n_old; k++)
		strbuf_release(&old_paths[k]);
	free(paths);
	free(old_paths);
	cJSON_Delete(staged);
	cJSON_Delete(active);
	cJSON_Delete(meta);
	cJSON_Delete(adds);
	cJSON_Delete(removes);
	strbuf_release(&log_dir);
	strbuf_release(&content);
	strbuf_release(&sb);
	return ret;
}
