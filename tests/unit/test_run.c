/*
 * Unit tests for the native runtime's driver and text writers
 * (runtime/run.c, runtime/text_writer.c): the text of every value type in
 * CSV and JSON lines (quoting, escaping, NULLs, decimals, dates,
 * timestamps, doubles as Java prints them), byte-identical data files
 * whatever the thread count and batch size, the layout of the lakehouse,
 * and failures that leave nothing behind (an unwritable root, a write
 * error, an interruption).
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "cfg.h"
#include "harness.h"
#include "hash.h"
#include "ir.h"
#include "model.h"
#include "plan.h"
#include "refdata.h"
#include "run.h"
#include "strbuf.h"
#include "text_writer.h"
#include "textfmt.h"

/* ---------- building batches by hand ---------- */

struct col_builder {
	struct eval_vec v;
	int64_t i64[16];
	double f64[16];
	uint8_t valid[16];
	uint32_t off[17];
	char data[512];
};

static void cb_init(struct col_builder *b, enum ir_type type, int scale)
{
	memset(b, 0, sizeof(*b));
	b->v.type = type;
	b->v.scale = scale;
	b->v.i64 = b->i64;
	b->v.f64 = b->f64;
	b->v.valid = b->valid;
	b->v.off = b->off;
	b->v.data = b->data;
}

static void cb_i64(struct col_builder *b, int64_t v, int valid)
{
	size_t i = b->v.n++;
	b->i64[i] = v;
	b->valid[i] = (uint8_t)valid;
	b->off[i + 1] = b->off[i];
}

static void cb_f64(struct col_builder *b, double v)
{
	size_t i = b->v.n++;
	b->f64[i] = v;
	b->valid[i] = 1;
	b->off[i + 1] = b->off[i];
}

/* NULL s: a NULL row. */
static void cb_str(struct col_builder *b, const char *s)
{
	size_t i = b->v.n++, n = s ? strlen(s) : 0;
	memcpy(b->data + b->off[i], s ? s : "", n);
	b->off[i + 1] = b->off[i] + (uint32_t)n;
	b->valid[i] = s != NULL;
}

static char *format(enum tw_format fmt, const struct tw_column *cols, size_t n_cols,
		    struct col_builder *const *b, size_t n_rows, int header)
{
	struct strbuf sb = STRBUF_INIT;
	const struct eval_vec *vecs[8];
	for (size_t j = 0; j < n_cols; j++)
		vecs[j] = &b[j]->v;
	if (header)
		tw_format_header(&sb, fmt, cols, n_cols);
	tw_format_rows(&sb, fmt, cols, n_cols, vecs, n_rows);
	return strbuf_detach(&sb, NULL);
}

/* ---------- text of values ---------- */

static void test_run__csv_quoting(void)
{
	static const struct tw_column cols[] = {{"id", IR_T_I64, 0}, {"name, \"quoted\"", IR_T_STR, 0}};
	struct col_builder id, s;
	struct col_builder *b[] = {&id, &s};
	const char *values[] = {"plain", "a,b", "say \"hi\"", "line\nbreak", "cr\rhere", "",
				NULL, " spaces ", "\"", "ünï ✓"};
	char *text;

	cb_init(&id, IR_T_I64, 0);
	cb_init(&s, IR_T_STR, 0);
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		cb_i64(&id, (int64_t)i, 1);
		cb_str(&s, values[i]);
	}
	text = format(TW_CSV, cols, 2, b, id.v.n, 1);
	CHECK_STR_EQ("id,\"name, \"\"quoted\"\"\"\n"
		     "0,plain\n"
		     "1,\"a,b\"\n"
		     "2,\"say \"\"hi\"\"\"\n"
		     "3,\"line\nbreak\"\n"
		     "4,\"cr\rhere\"\n"
		     "5,\"\"\n"
		     "6,\n"
		     "7, spaces \n"
		     "8,\"\"\"\"\n"
		     "9,ünï ✓\n",
		     text);
	free(text);
}

static void test_run__csv_nulls_in_every_type(void)
{
	static const struct tw_column cols[] = {
		{"b", IR_T_BOOL, 0}, {"i", IR_T_I64, 0}, {"d", IR_T_F64, 0}, {"m", IR_T_DEC, 2},
		{"day", IR_T_DATE, 0}, {"ts", IR_T_TS, 0}, {"s", IR_T_STR, 0},
	};
	struct col_builder c[7];
	struct col_builder *b[7];
	char *text;
	for (int j = 0; j < 7; j++) {
		cb_init(&c[j], cols[j].type, cols[j].scale);
		b[j] = &c[j];
	}
	/* row 0: all NULL; row 1: values */
	for (int j = 0; j < 6; j++)
		cb_i64(&c[j], 0, 0);
	cb_str(&c[6], NULL);
	cb_i64(&c[0], 1, 1);
	cb_i64(&c[1], -42, 1);
	c[2].f64[1] = 2.5;
	cb_i64(&c[2], 0, 1);
	cb_i64(&c[3], -1250, 1);
	cb_i64(&c[4], 19723, 1);        /* 2024-01-01 */
	cb_i64(&c[5], 1704112496, 1);   /* 2024-01-01 12:34:56 */
	cb_str(&c[6], "x");
	text = format(TW_CSV, cols, 7, b, 2, 1);
	CHECK_STR_EQ("b,i,d,m,day,ts,s\n"
		     ",,,,,,\n"
		     "true,-42,2.5,-12.50,2024-01-01,2024-01-01 12:34:56,x\n",
		     text);
	free(text);
	text = format(TW_JSONL, cols, 7, b, 2, 1);
	CHECK_STR_EQ("{\"b\":null,\"i\":null,\"d\":null,\"m\":null,\"day\":null,\"ts\":null,\"s\":null}\n"
		     "{\"b\":true,\"i\":-42,\"d\":2.5,\"m\":-12.50,\"day\":\"2024-01-01\","
		     "\"ts\":\"2024-01-01 12:34:56\",\"s\":\"x\"}\n",
		     text);
	free(text);
}

static void test_run__json_escaping(void)
{
	static const struct tw_column cols[] = {{"k\"ey\\", IR_T_STR, 0}};
	struct col_builder s;
	struct col_builder *b[] = {&s};
	char *text;
	cb_init(&s, IR_T_STR, 0);
	cb_str(&s, "quote \" backslash \\ slash /");
	cb_str(&s, "tab\tnl\ncr\rbs\bff\f");
	cb_str(&s, "\x01\x1f\x7f");
	cb_str(&s, "ünï ✓ 日本");
	cb_str(&s, "");
	text = format(TW_JSONL, cols, 1, b, s.v.n, 1);
	CHECK_STR_EQ("{\"k\\\"ey\\\\\":\"quote \\\" backslash \\\\ slash /\"}\n"
		     "{\"k\\\"ey\\\\\":\"tab\\tnl\\ncr\\rbs\\bff\\f\"}\n"
		     "{\"k\\\"ey\\\\\":\"\\u0001\\u001f\x7f\"}\n"
		     "{\"k\\\"ey\\\\\":\"ünï ✓ 日本\"}\n"
		     "{\"k\\\"ey\\\\\":\"\"}\n",
		     text);
	free(text);
}

static void test_run__json_numbers(void)
{
	static const struct tw_column cols[] = {{"i", IR_T_I64, 0}, {"d", IR_T_F64, 0},
						{"m", IR_T_DEC, 4}};
	struct col_builder i, d, m;
	struct col_builder *b[] = {&i, &d, &m};
	char *text;
	cb_init(&i, IR_T_I64, 0);
	cb_init(&d, IR_T_F64, 0);
	cb_init(&m, IR_T_DEC, 4);
	cb_i64(&i, INT64_MAX, 1);
	cb_f64(&d, NAN);
	cb_i64(&m, INT64_MIN, 1);
	cb_i64(&i, INT64_MIN, 1);
	cb_f64(&d, -INFINITY);
	cb_i64(&m, 5, 1);
	cb_i64(&i, 0, 1);
	cb_f64(&d, 1e7);
	cb_i64(&m, 0, 1);
	text = format(TW_JSONL, cols, 3, b, 3, 0);
	CHECK_STR_EQ("{\"i\":9223372036854775807,\"d\":\"NaN\",\"m\":-922337203685477.5808}\n"
		     "{\"i\":-9223372036854775808,\"d\":\"-Infinity\",\"m\":0.0005}\n"
		     "{\"i\":0,\"d\":1.0E7,\"m\":0.0000}\n",
		     text);
	free(text);
	/* CSV writes the special doubles bare, as Spark does */
	text = format(TW_CSV, cols, 3, b, 2, 0);
	CHECK_STR_EQ("9223372036854775807,NaN,-922337203685477.5808\n"
		     "-9223372036854775808,-Infinity,0.0005\n",
		     text);
	free(text);
}

static void test_run__decimal_text(void)
{
	char buf[64];
	struct {
		int64_t v;
		int scale;
		const char *want;
	} cases[] = {
		{0, 0, "0"}, {0, 2, "0.00"}, {5, 2, "0.05"}, {-5, 2, "-0.05"}, {-1250, 2, "-12.50"},
		{12345, 0, "12345"}, {100, 10, "0.0000000100"}, {1, 20, "0.00000000000000000001"},
		{INT64_MAX, 18, "9.223372036854775807"}, {INT64_MIN, 0, "-9223372036854775808"},
		{-999999999, 9, "-0.999999999"},
	};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		size_t n = tw_fmt_dec(buf, cases[k].v, cases[k].scale);
		CHECK(n < TW_DEC_MAX(cases[k].scale));
		buf[n] = 0;
		CHECK_STR_EQ(cases[k].want, buf);
	}
}

static void test_run__date_and_timestamp_text(void)
{
	static const struct tw_column cols[] = {{"d", IR_T_DATE, 0}, {"t", IR_T_TS, 0}};
	struct col_builder d, t;
	struct col_builder *b[] = {&d, &t};
	char *text;
	cb_init(&d, IR_T_DATE, 0);
	cb_init(&t, IR_T_TS, 0);
	cb_i64(&d, 0, 1);
	cb_i64(&t, 0, 1);
	cb_i64(&d, -1, 1);
	cb_i64(&t, -1, 1);
	cb_i64(&d, 11016, 1);            /* 2000-02-29 */
	cb_i64(&t, 951782400 + 86399, 1); /* 2000-02-29 23:59:59 */
	cb_i64(&d, 2932896, 1);          /* 9999-12-31 */
	cb_i64(&t, 253402300799LL, 1);   /* 9999-12-31 23:59:59 */
	cb_i64(&d, -719162, 1);          /* 0001-01-01 */
	cb_i64(&t, -62135596800LL, 1);   /* 0001-01-01 00:00:00 */
	/* the same day again (the writer keeps recent dates) */
	cb_i64(&d, 11016, 1);
	cb_i64(&t, 951782400 + 1024 * 86400, 1);
	text = format(TW_CSV, cols, 2, b, d.v.n, 0);
	CHECK_STR_EQ("1970-01-01,1970-01-01 00:00:00\n"
		     "1969-12-31,1969-12-31 23:59:59\n"
		     "2000-02-29,2000-02-29 23:59:59\n"
		     "9999-12-31,9999-12-31 23:59:59\n"
		     "0001-01-01,0001-01-01 00:00:00\n"
		     "2000-02-29,2002-12-19 00:00:00\n",
		     text);
	free(text);
}

static void test_run__double_text_is_java(void)
{
	static const struct {
		double d;
		const char *want;
	} cases[] = {
		{100.0, "100.0"}, {0.001, "0.001"}, {1e7, "1.0E7"}, {9999999.0, "9999999.0"},
		{-0.0, "-0.0"}, {0.0, "0.0"}, {0.1 + 0.2, "0.30000000000000004"}, {1.5, "1.5"},
		{-123.456, "-123.456"}, {2.0 / 3.0, "0.6666666666666666"}, {1e-4, "1.0E-4"},
		{0.0009999, "9.999E-4"}, {4.35, "4.35"},
	};
	char a[64], b[64];
	uint64_t s = 88172645463325252ULL;
	long differ = 0;

	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		size_t n = tw_fmt_f64(a, cases[k].d);
		a[n] = 0;
		CHECK_STR_EQ(cases[k].want, a);
	}
	/* against textfmt's reference on random values: any bits, short decimals, unit draws */
	for (long i = 0; i < 100000; i++) {
		double d;
		size_t na, nb;
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		switch (i % 4) {
		case 0: memcpy(&d, &s, sizeof(d)); break;
		case 1: d = (double)(s % 100000000) / pow(10, (double)(s >> 60) / 2); break;
		case 2: d = (double)(s >> 11) * 0x1.0p-53 * pow(10, (int)((s >> 3) % 11) - 3); break;
		default: d = ldexp((s & 1) ? 1.0 : 1.0 + 0x1.0p-52, (int)((s >> 8) % 40) - 12); break;
		}
		if (isnan(d))
			continue;
		na = tw_fmt_f64(a, d);
		nb = fmt_f64_java(b, d);
		if (na != nb || memcmp(a, b, na))
			differ++;
	}
	CHECK_INT_EQ(0, differ);
}

/* ---------- runs ---------- */

static const char *const shop_yaml =
	"dataset_id: shop\n"
	"dataset_name: Shop\n"
	"dataset_type: transactional\n"
	"schema_pattern: oltp\n"
	"domain: retail\n"
	"target_rows: 3000\n"
	"seed: 11\n"
	"tables:\n"
	"  customers:\n"
	"    rows: target_rows / 3\n"
	"    primary_key: id\n"
	"    columns:\n"
	"      id: {type: bigint, generator: sequence, start: 1}\n"
	"      name: {type: string, generator: first_name}\n"
	"      tier: {type: string, generator: choice, values: {'Gold, plus': 1, 'Say \"hi\"': 2, Basic: 3}}\n"
	"      balance: {type: 'decimal(12,2)', generator: uniform, min: 0, max: 5000, null_probability: 0.1}\n"
	"      score: {type: double, generator: normal, mean: 50, stddev: 10, null_probability: 0.1}\n"
	"      since: {type: date, generator: date, start: 2020-01-01, end: 2024-12-31}\n"
	"      region: {type: string, generator: choice, values: [north, south, east]}\n"
	"  orders:\n"
	"    parent: customers\n"
	"    per_parent: {min: 0, max: 4}\n"
	"    primary_key: order_id\n"
	"    partition_columns: [region]\n"
	"    columns:\n"
	"      order_id: {type: bigint, expr: \"row_index + 1\"}\n"
	"      customer_id: {type: bigint, expr: \"parent.id\"}\n"
	"      region: {type: string, expr: \"parent.region\"}\n"
	"      qty: {type: int, generator: uniform, min: 1, max: 9}\n"
	"      ts: {type: timestamp, generator: timestamp, start: 2024-01-01, end: 2024-03-31}\n"
	"      paid: {type: boolean, generator: bernoulli, p: 0.7}\n"
	"  audit:\n"
	"    rows: 50\n"
	"    write: false\n"
	"    columns:\n"
	"      n: {type: bigint, generator: sequence}\n";

/* A loaded, planned and lowered dataset. */
struct fixture {
	struct arena arena;
	struct diags diags;
	struct dataset *ds;
	struct plan plan;
	struct ir_program *progs;
	struct refdata_cache refs;
	int ok;
};

static void fixture_load(struct fixture *f, const char *yaml, int64_t target_rows,
			 const char *const *tables, size_t n_tables)
{
	struct cfg_node *root;
	struct plan_options po;
	memset(f, 0, sizeof(*f));
	arena_init(&f->arena);
	diags_init(&f->diags);
	refdata_cache_init(&f->refs);
	memset(&po, 0, sizeof(po));
	po.target_rows = target_rows;
	po.tables = tables;
	po.n_tables = n_tables;
	f->ok = !cfg_load(&root, "shop.yaml", yaml, strlen(yaml), &f->arena, &f->diags) &&
		!model_build(&f->ds, root, &f->arena, &f->diags) &&
		!plan_build(&f->plan, f->ds, &po, &f->arena, &f->diags) &&
		!ir_lower(&f->progs, &f->plan, &f->refs, &f->arena, &f->diags);
	if (!f->ok)
		diags_print(&f->diags, stderr);
	CHECK(f->ok);
}

static void fixture_release(struct fixture *f)
{
	refdata_cache_release(&f->refs);
	diags_release(&f->diags);
	arena_release(&f->arena);
}

static char *make_temp_dir(void)
{
	char tmpl[] = "/tmp/ingen_test_run_XXXXXX";
	char *d = mkdtemp(tmpl);
	CHECK(d != NULL);
	return d ? strdup(d) : NULL;
}

/*
 * A digest of every file under `dir` except the Delta log (which holds
 * times): relative path and XXH64 of the content, in sorted order.
 */
static void digest_tree(struct strbuf *out, const char *dir, const char *rel)
{
	struct strbuf path = STRBUF_INIT;
	struct dirent **names = NULL;
	int n;
	strbuf_addf(&path, "%s%s%s", dir, *rel ? "/" : "", rel);
	n = scandir(path.buf, &names, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		struct strbuf sub = STRBUF_INIT, full = STRBUF_INIT;
		struct stat st;
		if (strcmp(name, ".") && strcmp(name, "..") && strcmp(name, "_delta_log") &&
		    strcmp(name, "_runs")) {
			strbuf_addf(&sub, "%s%s%s", rel, *rel ? "/" : "", name);
			strbuf_addf(&full, "%s/%s", dir, sub.buf);
			if (stat(full.buf, &st) == 0 && S_ISDIR(st.st_mode)) {
				digest_tree(out, dir, sub.buf);
			} else {
				FILE *fp = fopen(full.buf, "rb");
				struct strbuf content = STRBUF_INIT;
				char chunk[65536];
				size_t got;
				while (fp && (got = fread(chunk, 1, sizeof(chunk), fp)) > 0)
					strbuf_add(&content, chunk, got);
				if (fp)
					fclose(fp);
				strbuf_addf(out, "%s %016llx %zu\n", sub.buf,
					    (unsigned long long)hash_bytes(content.buf, content.len, 0),
					    content.len);
				strbuf_release(&content);
			}
		}
		strbuf_release(&sub);
		strbuf_release(&full);
		free(names[i]);
	}
	free(names);
	strbuf_release(&path);
}

static int run_into(struct run_stats *st, const struct fixture *f, const char *root,
		    enum run_format fmt, int threads, size_t batch, int64_t file_rows,
		    struct diags *d)
{
	struct run_request req;
	memset(&req, 0, sizeof(req));
	req.plan = &f->plan;
	req.programs = f->progs;
	req.root = root;
	req.format = fmt;
	req.threads = threads;
	req.batch_rows = batch;
	req.file_rows = file_rows;
	req.write_log = true;
	return run_execute(st, &req, d);
}

static int path_exists(const char *root, const char *rel)
{
	struct strbuf sb = STRBUF_INIT;
	struct stat st;
	int ok;
	strbuf_addf(&sb, "%s/%s", root, rel);
	ok = stat(sb.buf, &st) == 0;
	strbuf_release(&sb);
	return ok;
}

/* Counts the lines of every file in a folder (CSV: minus one header each). */
static int64_t count_lines(const char *dir, int minus_header)
{
	struct dirent **names = NULL;
	int n = scandir(dir, &names, NULL, alphasort);
	int64_t lines = 0;
	for (int i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.') {
			struct strbuf p = STRBUF_INIT;
			FILE *fp;
			int c;
			strbuf_addf(&p, "%s/%s", dir, names[i]->d_name);
			fp = fopen(p.buf, "rb");
			while (fp && (c = fgetc(fp)) != EOF)
				lines += c == '\n';
			if (fp)
				fclose(fp);
			lines -= minus_header;
			strbuf_release(&p);
		}
		free(names[i]);
	}
	free(names);
	return lines;
}

static void test_run__same_bytes_whatever_threads_and_batches(void)
{
	static const enum run_format formats[] = {RUN_FORMAT_CSV, RUN_FORMAT_JSONL,
						  RUN_FORMAT_PARQUET, RUN_FORMAT_DELTA};
	struct fixture f;
	fixture_load(&f, shop_yaml, 0, NULL, 0);
	if (!f.ok)
		return;
	for (size_t k = 0; k < sizeof(formats) / sizeof(formats[0]); k++) {
		/*
		 * 300 rows per file: several files per table, so threads interleave;
		 * 4096: one file per table, whose CSV and JSON lines segments (256
		 * rows) several threads make at once, parking the ones made early.
		 */
		static const struct {
			int threads;
			size_t batch;
			int64_t file_rows;
		} variants[] = {{1, 0, 300}, {2, 0, 300}, {2, 333, 300}, {3, 1000, 300},
				{4, 7, 300}, {1, 0, 4096}, {4, 100, 4096}};
		struct strbuf first = STRBUF_INIT;
		for (size_t v = 0; v < sizeof(variants) / sizeof(variants[0]); v++) {
			struct diags d = DIAGS_INIT;
			struct run_stats st;
			struct strbuf digest = STRBUF_INIT;
			char *root = make_temp_dir();
			int rc;
			if (!root)
				break;
			rc = run_into(&st, &f, root, formats[k], variants[v].threads, variants[v].batch,
				      variants[v].file_rows, &d);
			if (rc)
				diags_print(&d, stderr);
			CHECK_INT_EQ(0, rc);
			CHECK_INT_EQ(2, st.n_tables); /* audit has write: false */
			CHECK_INT_EQ(f.plan.tables[0].rows + f.plan.tables[1].rows, st.rows);
			CHECK(st.log_path != NULL && access(st.log_path, R_OK) == 0);
			digest_tree(&digest, root, "");
			CHECK(digest.len > 0);
			if (v == 0 || variants[v].file_rows != variants[v - 1].file_rows) {
				strbuf_reset(&first);
				strbuf_addstr(&first, digest.buf);
			}
			else if (strcmp(first.buf, digest.buf))
				fprintf(stderr, "format %s, %d threads, batch %zu:\n%s\nvs\n%s\n",
					run_format_name(formats[k]), variants[v].threads,
					variants[v].batch, first.buf, digest.buf);
			CHECK_STR_EQ(first.buf, digest.buf);
			/* nothing temporary is left */
			CHECK(strstr(digest.buf, ".tmp-") == NULL && strstr(digest.buf, ".old-") == NULL);
			if (formats[k] == RUN_FORMAT_CSV || formats[k] == RUN_FORMAT_JSONL) {
				struct strbuf dir = STRBUF_INIT;
				int hdr = formats[k] == RUN_FORMAT_CSV;
				run_table_dir(&dir, root, "shop", formats[k], "customers");
				CHECK_INT_EQ(f.plan.tables[0].rows, count_lines(dir.buf, hdr));
				strbuf_reset(&dir);
				run_table_dir(&dir, root, "shop", formats[k], "orders");
				CHECK_INT_EQ(f.plan.tables[1].rows, count_lines(dir.buf, hdr));
				strbuf_release(&dir);
			}
			if (formats[k] == RUN_FORMAT_DELTA) {
				/* partitioned by region: one folder per value, a log per table */
				CHECK(path_exists(root, "lakehouse/shop/Tables/orders/region=north"));
				CHECK(path_exists(root, "lakehouse/shop/Tables/orders/_delta_log/00000000000000000000.json"));
				CHECK(path_exists(root, "lakehouse/shop/Tables/customers/_delta_log/00000000000000000000.json"));
				CHECK(!path_exists(root, "lakehouse/shop/Tables/audit"));
			}
			run_stats_release(&st);
			diags_release(&d);
			run_remove_tree(root);
			free(root);
			strbuf_release(&digest);
		}
		strbuf_release(&first);
	}
	fixture_release(&f);
}

static void test_run__file_boundaries_depend_on_rows_only(void)
{
	CHECK_INT_EQ(RUN_MIN_FILE_ROWS, run_file_rows(1));
	CHECK_INT_EQ(RUN_MIN_FILE_ROWS, run_file_rows(1000000));
	CHECK_INT_EQ(131072, run_file_rows(2000000));
	CHECK_INT_EQ(RUN_MAX_FILE_ROWS, run_file_rows(INT64_C(1000000000)));
}

static void test_run__tables_subset_writes_only_those(void)
{
	static const char *const only[] = {"orders"};
	struct fixture f;
	struct diags d = DIAGS_INIT;
	struct run_stats st;
	char *root;
	fixture_load(&f, shop_yaml, 0, only, 1);
	root = make_temp_dir();
	if (!f.ok || !root)
		goto done;
	CHECK_INT_EQ(0, run_into(&st, &f, root, RUN_FORMAT_CSV, 2, 0, 0, &d));
	CHECK_INT_EQ(1, st.n_tables);
	CHECK_STR_EQ("orders", st.tables[0].name);
	CHECK(path_exists(root, "lakehouse/shop/Files/synthetic_data/shop/csv/orders/part-00000.csv"));
	CHECK(!path_exists(root, "lakehouse/shop/Files/synthetic_data/shop/csv/customers"));
	run_stats_release(&st);
	run_remove_tree(root);
done:
	free(root);
	diags_release(&d);
	fixture_release(&f);
}

static void test_run__unwritable_root_fails_and_leaves_nothing(void)
{
	struct fixture f;
	struct diags d = DIAGS_INIT;
	struct run_stats st;
	struct strbuf file = STRBUF_INIT, root = STRBUF_INIT, msg = STRBUF_INIT;
	char *dir = make_temp_dir();
	FILE *fp;
	fixture_load(&f, shop_yaml, 0, NULL, 0);
	if (!f.ok || !dir)
		goto done;
	/* a root below a regular file cannot be created, not even by root */
	strbuf_addf(&file, "%s/not_a_dir", dir);
	fp = fopen(file.buf, "w");
	CHECK(fp != NULL);
	if (fp)
		fclose(fp);
	strbuf_addf(&root, "%s/out", file.buf);
	CHECK_INT_EQ(-1, run_into(&st, &f, root.buf, RUN_FORMAT_DELTA, 2, 0, 0, &d));
	CHECK(d.errors >= 1);
	if (d.n)
		diag_format(&msg, &d.items[0]);
	if (!strstr(msg.buf, "cannot create directory"))
		fprintf(stderr, "message: %s\n", msg.buf);
	CHECK(strstr(msg.buf, "cannot create directory") != NULL);
	CHECK(strstr(msg.buf, file.buf) != NULL);
	CHECK(strstr(msg.buf, "Not a directory") != NULL);
	CHECK_INT_EQ(0, st.n_tables);
	CHECK(st.log_path == NULL);
	run_stats_release(&st);
	{
		/* the folder holds the file and nothing else */
		struct dirent **names = NULL;
		int n = scandir(dir, &names, NULL, alphasort);
		CHECK_INT_EQ(3, n);
		for (int i = 0; i < n; i++)
			free(names[i]);
		free(names);
	}
done:
	if (dir)
		run_remove_tree(dir);
	free(dir);
	strbuf_release(&file);
	strbuf_release(&root);
	strbuf_release(&msg);
	diags_release(&d);
	fixture_release(&f);
}

/* A write that fails half way (here the file size limit, as a full disk would) leaves no table. */
static void test_run__write_error_leaves_no_half_table(void)
{
	static const enum run_format formats[] = {RUN_FORMAT_CSV, RUN_FORMAT_PARQUET};
	struct fixture f;
	fixture_load(&f, shop_yaml, 30000, NULL, 0);
	if (!f.ok)
		goto done;
	for (size_t k = 0; k < 2; k++) {
		struct diags d = DIAGS_INIT;
		struct run_stats st;
		struct rlimit old, lim;
		struct strbuf msg = STRBUF_INIT, digest = STRBUF_INIT;
		void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
		char *root = make_temp_dir();
		int rc;
		if (!root)
			break;
		getrlimit(RLIMIT_FSIZE, &old);
		lim = old;
		lim.rlim_cur = 64 * 1024;
		setrlimit(RLIMIT_FSIZE, &lim);
		rc = run_into(&st, &f, root, formats[k], 2, 0, 0, &d);
		setrlimit(RLIMIT_FSIZE, &old);
		signal(SIGXFSZ, old_handler);
		CHECK_INT_EQ(-1, rc);
		if (d.n)
			diag_format(&msg, &d.items[0]);
		if (!strstr(msg.buf, "File too large"))
			fprintf(stderr, "message: %s\n", msg.buf);
		CHECK(strstr(msg.buf, "cannot write '") != NULL);
		CHECK(strstr(msg.buf, root) != NULL);
		CHECK(strstr(msg.buf, "File too large") != NULL);
		/* tables written before the failure are whole; the failed ones are gone */
		for (size_t i = 0; i < st.n_tables; i++)
			CHECK(strcmp(st.tables[i].name, "orders"));
		digest_tree(&digest, root, "");
		CHECK(strstr(digest.buf, "orders") == NULL);
		CHECK(strstr(digest.buf, ".tmp-") == NULL);
		run_stats_release(&st);
		diags_release(&d);
		strbuf_release(&msg);
		strbuf_release(&digest);
		run_remove_tree(root);
		free(root);
	}
done:
	fixture_release(&f);
}

/* A SIGINT during the run stops it: exit -1, interrupted, no temporary folder, no table. */
static void test_run__interrupt_removes_unfinished_tables(void)
{
	struct fixture f;
	struct diags d = DIAGS_INIT;
	struct run_stats st;
	struct run_request req;
	struct strbuf digest = STRBUF_INIT;
	sigset_t set, old;
	char *root = NULL;
	int rc;

	fixture_load(&f, shop_yaml, 3000000, NULL, 0);
	root = make_temp_dir();
	if (!f.ok || !root)
		goto done;
	/* the signal is pending before the run starts, so the run meets it at once */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	raise(SIGINT);
	memset(&req, 0, sizeof(req));
	req.plan = &f.plan;
	req.programs = f.progs;
	req.root = root;
	req.format = RUN_FORMAT_CSV;
	req.threads = 2;
	req.catch_signals = true;
	req.write_log = true;
	rc = run_execute(&st, &req, &d);
	{
		sigset_t pending;
		sigpending(&pending);
		CHECK(!sigismember(&pending, SIGINT)); /* the run took it */
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	CHECK_INT_EQ(-1, rc);
	CHECK(st.interrupted);
	CHECK_INT_EQ(0, st.n_tables);
	CHECK(st.log_path == NULL);
	CHECK(d.n >= 1 && strstr(d.items[d.n - 1].msg, "interrupted by SIGINT") != NULL);
	digest_tree(&digest, root, "");
	CHECK_STR_EQ("", digest.buf);
	run_stats_release(&st);
done:
	if (root)
		run_remove_tree(root);
	free(root);
	strbuf_release(&digest);
	diags_release(&d);
	fixture_release(&f);
}

static void test_run__replaces_a_previous_table(void)
{
	struct fixture f;
	struct diags d = DIAGS_INIT;
	struct run_stats st;
	char *root = make_temp_dir();
	fixture_load(&f, shop_yaml, 0, NULL, 0);
	if (!f.ok || !root)
		goto done;
	CHECK_INT_EQ(0, run_into(&st, &f, root, RUN_FORMAT_DELTA, 2, 0, 300, &d));
	run_stats_release(&st);
	/* a second run with larger files replaces the folder: no stale part files stay */
	CHECK_INT_EQ(0, run_into(&st, &f, root, RUN_FORMAT_DELTA, 2, 0, 0, &d));
	CHECK_INT_EQ(1, st.tables[0].files);
	{
		struct strbuf digest = STRBUF_INIT;
		digest_tree(&digest, root, "lakehouse/shop/Tables/customers");
		CHECK(strstr(digest.buf, "part-00000-") != NULL);
		CHECK(strstr(digest.buf, "part-00001-") == NULL);
		strbuf_release(&digest);
	}
	run_stats_release(&st);
done:
	if (root)
		run_remove_tree(root);
	free(root);
	diags_release(&d);
	fixture_release(&f);
}

static const struct harness_test tests[] = {
	{"run__csv_quoting", test_run__csv_quoting},
	{"run__csv_nulls_in_every_type", test_run__csv_nulls_in_every_type},
	{"run__json_escaping", test_run__json_escaping},
	{"run__json_numbers", test_run__json_numbers},
	{"run__decimal_text", test_run__decimal_text},
	{"run__date_and_timestamp_text", test_run__date_and_timestamp_text},
	{"run__double_text_is_java", test_run__double_text_is_java},
	{"run__file_boundaries_depend_on_rows_only", test_run__file_boundaries_depend_on_rows_only},
	{"run__same_bytes_whatever_threads_and_batches", test_run__same_bytes_whatever_threads_and_batches},
	{"run__tables_subset_writes_only_those", test_run__tables_subset_writes_only_those},
	{"run__unwritable_root_fails_and_leaves_nothing", test_run__unwritable_root_fails_and_leaves_nothing},
	{"run__write_error_leaves_no_half_table", test_run__write_error_leaves_no_half_table},
	{"run__interrupt_removes_unfinished_tables", test_run__interrupt_removes_unfinished_tables},
	{"run__replaces_a_previous_table", test_run__replaces_a_previous_table},
	{0, 0},
};

HARNESS_MAIN(tests)
