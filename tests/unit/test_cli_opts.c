/*
 * Unit tests for compiler/cli_opts.h: one option table parses every
 * spelling of an option, checks typed values with exact messages, applies
 * --parameters and environment defaults in the documented precedence, and
 * prints a help that lists exactly the options it parses.
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "cli_opts.h"
#include "harness.h"
#include "strbuf.h"

static const char *const envs[] = {"lakehouse", "warehouse", NULL};
static const char *const modes[] = {"auto", "python", "pyspark", NULL};

struct vals {
	const char *dataset;
	struct cli_list extra;
	int64_t rows;
	bool has_rows;
	double scale;
	int64_t seed;
	int env, mode;
	int64_t date;
	bool ddl, execute;
	const char *schema, *params;
	struct cli_list tables, dirs;
};

/* A test table; `required_end` makes --end-date required. */
static void table(struct cli_opt *t, struct vals *v, bool multi_arg, bool required_end)
{
	struct cli_opt opts[] = {
		{.type = CLI_OPT_ARG, .arg = "DATASET_ID", .value = &v->dataset,
		 .help = "the dataset", .flags = CLI_OPT_REQUIRED},
		{.type = CLI_OPT_ARG, .arg = "MORE", .value = &v->extra, .help = "more",
		 .flags = CLI_OPT_MULTI},
		{.type = CLI_OPT_INT, .short_name = 'r', .long_name = "target-rows", .value = &v->rows,
		 .given = &v->has_rows, .help = "rows", .imin = 1, .imax = 1000000},
		{.type = CLI_OPT_NUMBER, .long_name = "scale-factor", .value = &v->scale,
		 .help = "scale", .dmin = 0, .dmax = 1e6, .flags = CLI_OPT_EXCL_MIN,
		 .env = "INGEN_TEST_SCALE", .env2 = "INGEN_TEST_SCALE2"},
		{.type = CLI_OPT_INT, .short_name = 's', .long_name = "seed", .alias = "seed-value",
		 .value = &v->seed, .help = "seed"},
		{.type = CLI_OPT_ENUM, .short_name = 'e', .long_name = "target-environment",
		 .value = &v->env, .choices = envs, .help = "where", .def = "lakehouse"},
		{.type = CLI_OPT_ENUM, .short_name = 'm', .long_name = "generation-mode",
		 .value = &v->mode, .choices = modes, .help = "mode"},
		{.type = CLI_OPT_DATE, .long_name = "end-date", .value = &v->date, .help = "end",
		 .flags = required_end ? CLI_OPT_REQUIRED : 0u},
		{.type = CLI_OPT_FLAG, .long_name = "include-ddl", .value = &v->ddl, .help = "ddl",
		 .flags = CLI_OPT_NEGATABLE},
		{.type = CLI_OPT_FLAG, .long_name = "execute", .value = &v->execute, .help = "run"},
		{.type = CLI_OPT_JSON, .long_name = "custom-schema", .value = &v->schema,
		 .help = "schema"},
		{.type = CLI_OPT_PARAMS, .long_name = "parameters", .value = &v->params,
		 .help = "params"},
		{.type = CLI_OPT_LIST, .long_name = "tables", .value = &v->tables, .help = "tables",
		 .arg = "A,B", .flags = CLI_OPT_COMMAS},
		{.type = CLI_OPT_LIST, .long_name = "datasets-dir", .value = &v->dirs, .help = "dirs"},
		CLI_OPT_END_ENTRY,
	};
	size_t n = sizeof(opts) / sizeof(opts[0]);
	memcpy(t, opts, sizeof(opts));
	if (!multi_arg) /* drop MORE */
		memmove(&t[1], &t[2], (n - 2) * sizeof(*t));
}

struct run {
	struct arena arena;
	struct cli_opt opts[20];
	struct vals v;
	struct cli_parse p;
	int rc;
};

/* Parses a NULL-terminated argument list (after the command name). */
static void run_args(struct run *r, bool multi, bool required_end, const char *const *args)
{
	char *argv[40];
	int argc = 0;
	memset(r, 0, sizeof(*r));
	arena_init(&r->arena);
	r->v.ddl = true;
	r->v.scale = 1.0;
	table(r->opts, &r->v, multi, required_end);
	argv[argc++] = "cmd";
	for (; *args; args++)
		argv[argc++] = (char *)*args;
	argv[argc] = NULL;
	cli_parse_init(&r->p, r->opts, 0, &r->arena);
	r->rc = cli_parse_run(&r->p, argc, argv);
}

static void run_done(struct run *r)
{
	cli_parse_release(&r->p);
	arena_release(&r->arena);
}

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

static void test_cli_opts__long_short_and_equals(void)
{
	struct run r;
	run_args(&r, false, false, ARGS("ds", "--target-rows", "500", "-s", "-7", "--seed-value=9",
					"-egwarehouse"));
	/* -eg... is '-e' with the value "gwarehouse" */
	CHECK_INT_EQ(CLI_PARSE_ERROR, r.rc);
	CHECK_STR_EQ("invalid value 'gwarehouse' for '-e': expected lakehouse or warehouse "
		     "(did you mean 'warehouse'?)", r.p.err.buf);
	run_done(&r);

	run_args(&r, false, false, ARGS("--target-rows=500", "ds", "-s", "-7", "-ewarehouse",
					"-m", "pyspark"));
	CHECK_INT_EQ(CLI_PARSE_OK, r.rc);
	CHECK_STR_EQ("ds", r.v.dataset);
	CHECK_INT_EQ(500, r.v.rows);
	CHECK(r.v.has_rows);
	CHECK_INT_EQ(-7, r.v.seed);
	CHECK_INT_EQ(1, r.v.env);
	CHECK_INT_EQ(2, r.v.mode);
	CHECK_INT_EQ(CLI_SRC_ARGV, cli_parse_source(&r.p, "target-rows"));
	CHECK_INT_EQ(CLI_SRC_DEFAULT, cli_parse_source(&r.p, "scale-factor"));
	run_done(&r);

	/* the alias, and the last occurrence wins */
	run_args(&r, false, false, ARGS("ds", "--seed", "1", "--seed-value", "2", "-r5"));
	CHECK_INT_EQ(CLI_PARSE_OK, r.rc);
	CHECK_INT_EQ(2, r.v.seed);
	CHECK_INT_EQ(5, r.v.rows);
	run_done(&r);
}

static void test_cli_opts__flags_and_negation(void)
{
	struct run r;
	run_args(&r, false, false, ARGS("ds", "--no-include-ddl", "--execute"));
	CHECK_INT_EQ(CLI_PARSE_OK, r.rc);
	CHECK(!r.v.ddl);
	CHECK(r.v.execute);
	run_done(&r);

	run_args(&r, false, false, ARGS("ds", "--execute=yes"));
	CHECK_INT_EQ(CLI_PARSE_ERROR, r.rc);
	CHECK_STR_EQ("option '--execute' takes no value", r.p.err.buf);
	run_done(&r);

	/* not negatable */
	run_args(&r, false, false, ARGS("ds", "--no-execute"));
	CHECK_INT_EQ(CLI_PARSE_ERROR, r.rc);
	CHECK_STR_EQ("unknown option '--no-execute' (did you mean '--execute'?)", r.p.err.buf);
	run_done(&r);
}

static void test_cli_opts__unknown_option_suggests(void)
{
	struct run r;
	run_args(&r, false, false, ARGS("ds", "--target-row", "5"));
	CHECK_INT_EQ(CLI_PARSE_ERROR, r.rc);
	CHECK_STR_EQ("unknown option '--target-row' (did you mean '--target-rows'?)", r.p.err.buf);
	run_done(&r);

	run_args(&r, false, false, ARGS("ds", "--target-row=5"));
	CHECK_STR_EQ("unknown option '--target-row' (did you mean '--target-rows'?)", r.p.err.buf);
	run_done(&r);

	run_args(&r, false, false, ARGS("ds", "--zzzzzzzz"));
	CHECK_STR_EQ("unknown option '--zzzzzzzz'", r.p.err.buf);
	run_done(&r);

	run_args(&r, false, false, ARGS("ds", "-x"));
	CHECK_STR_EQ("unknown option '-x'", r.p.err.buf);
	run_done(&r);

	run_args(&r, false, false, ARGS("ds", "--hepl"));
	CHECK_STR_EQ("unknown option '--hepl' (did you mean '--help'?)", r.p.err.buf);
	run_done(&r);
}

static void test_cli_opts__typed_values(void)
{
	struct run r;
	run_args(&r, false, false, ARGS("ds", "-r", "0"));
	CHECK_INT_EQ(CLI_PARSE_ERROR, r.rc);
	CHECK_STR_EQ("invalid value '0' for '-r': must be between 1 and 1000000", r.p.err.buf);
	run_done(&r);

	run_args(&r, false, false, ARGS("ds", "--target-rows", "12x"));
	CHECK_STR_EQ("invalid value '12x' for '--target-rows': expected an integer", r.p.err.buf);
	run_done(&r);

	run_args(&r, false, false, ARGS("ds", "--seed", "99999999999999999999"));
	CHECK_STR_EQ("invalid value '99999999999999999999' for '--seed': out of range for a 64-bit "
		     "integer", r.p.err.buf);
	run_done(&r);

	run_args(&r, false, false, ARGS("ds", "--scale-factor", "0"));
	CHECK_STR_EQ("invalid value '0' for '--scale-factor': must be greater than 0", r.p.err.buf);
	run_done(&r);

	run_args(&r, false, false, ARGS("ds", "--scale-factor", "nan"));
	CHECK_STR_EQ("invalid value 'nan' for '--scale-factor': expected a number", r.p.err.buf);
	run_done(&r);

	run_args(&r, false, false, ARGS("ds", "--scale-factor", "2.5"));
	CHECK_INT_EQ(CLI_PARSE_OK, r.rc);
	CHECK(r.v.scale == 2.5);
	run_done(&r);

	run_args(&r, false, false, ARGS("ds", "--generation-mode", "pyspak"));
	CHECK_STR_EQ("invalid value 'pyspak' for '--generation-mode': expected auto, python or "
		     "pyspark (did you mean 'pyspark'?)", r.p.err.buf);
	run_done(&r);

	run_args(&r, false, false, ARGS("ds", "--custom-schema", "{\"a\": 1"));
	CHECK_STR_EQ("invalid value '{\"a\": 1' for '--custom-schema': not valid JSON (near character 7)",
		     r.p.err.buf);
	run_done(&r);

	run_args(&r, false, false, ARGS("ds", "--custom-schema", "[1]"));
	CHECK_STR_EQ("invalid value '[1]' for '--custom-schema': expected a JSON object", r.p.err.buf);
	run_done(&r);

	run_args(&r, false, false, ARGS("ds", "--target-rows"));
	CHECK_STR_EQ("option '--target-rows' requires a value", r.p.err.buf);
	run_done(&r);
}

static void test_cli_opts__dates(void)
{
	struct strbuf why = STRBUF_INIT, out = STRBUF_INIT;
	int64_t d = -1;
	CHECK_INT_EQ(0, cli_date_parse(&d, "1970-01-01", &why));
	CHECK_INT_EQ(0, d);
	CHECK_INT_EQ(0, cli_date_parse(&d, "2024-01-01", &why));
	CHECK_INT_EQ(19723, d);
	CHECK_INT_EQ(0, cli_date_parse(&d, "2024-02-29", &why));
	cli_date_format(&out, d);
	CHECK_STR_EQ("2024-02-29", out.buf);
	CHECK_INT_EQ(0, cli_date_parse(&d, "1969-12-31", &why));
	CHECK_INT_EQ(-1, d);
	CHECK_INT_EQ(0, cli_date_parse(&d, "2000-02-29", &why)); /* divisible by 400 */
	CHECK_INT_EQ(-1, cli_date_parse(&d, "1900-02-29", &why));
	CHECK_STR_EQ("1900-02 has 28 days", why.buf);
	strbuf_reset(&why);
	CHECK_INT_EQ(-1, cli_date_parse(&d, "2023-02-29", &why));
	CHECK_STR_EQ("2023-02 has 28 days", why.buf);
	strbuf_reset(&why);
	CHECK_INT_EQ(-1, cli_date_parse(&d, "2024-04-31", &why));
	CHECK_STR_EQ("2024-04 has 30 days", why.buf);
	strbuf_reset(&why);
	CHECK_INT_EQ(-1, cli_date_parse(&d, "2024-13-01", &why));
	CHECK_STR_EQ("there is no month 13", why.buf);
	strbuf_reset(&why);
	CHECK_INT_EQ(-1, cli_date_parse(&d, "2024-1-01", &why));
	CHECK_STR_EQ("expected a date YYYY-MM-DD", why.buf);
	strbuf_reset(&why);
	CHECK_INT_EQ(-1, cli_date_parse(&d, "2024-01-011", &why));
	strbuf_reset(&why);
	/* round trip over a range that crosses leap years and centuries */
	CHECK_INT_EQ(0, cli_date_parse(&d, "0001-01-01", &why));
	CHECK_INT_EQ(-719162, d);
	CHECK_INT_EQ(0, cli_date_parse(&d, "9999-12-31", &why));
	CHECK_INT_EQ(2932896, d);
	CHECK_INT_EQ(-1, cli_date_parse(&d, "0000-12-31", &why));
	CHECK_STR_EQ("years run from 0001 to 9999", why.buf);
	strbuf_reset(&why);
	for (int64_t k = -719162; k <= 2932896; k += 997) {
		int64_t back = 0;
		strbuf_reset(&out);
		cli_date_format(&out, k);
		CHECK_INT_EQ(0, cli_date_parse(&back, out.buf, &why));
		CHECK_INT_EQ(k, back);
	}
	strbuf_release(&why);
	strbuf_release(&out);

	{
		struct run r;
		run_args(&r, false, false, ARGS("ds", "--end-date", "2024-02-30"));
		CHECK_INT_EQ(CLI_PARSE_ERROR, r.rc);
		CHECK_STR_EQ("invalid value '2024-02-30' for '--end-date': 2024-02 has 29 days",
			     r.p.err.buf);
		run_done(&r);
	}
}

static void test_cli_opts__lists(void)
{
	struct run r;
	run_args(&r, false, false, ARGS("ds", "--tables", "a, b", "--tables=c", "--datasets-dir",
					"x,y", "--datasets-dir", "z"));
	CHECK_INT_EQ(CLI_PARSE_OK, r.rc);
	CHECK_INT_EQ(3, r.v.tables.n);
	CHECK_STR_EQ("a", r.v.tables.items[0]);
	CHECK_STR_EQ("b", r.v.tables.items[1]);
	CHECK_STR_EQ("c", r.v.tables.items[2]);
	CHECK_INT_EQ(2, r.v.dirs.n);
	CHECK_STR_EQ("x,y", r.v.dirs.items[0]);
	run_done(&r);

	run_args(&r, false, false, ARGS("ds", "--tables", "a,,b"));
	CHECK_STR_EQ("invalid value 'a,,b' for '--tables': expected a comma-separated list of names",
		     r.p.err.buf);
	run_done(&r);
}

static void test_cli_opts__positionals(void)
{
	struct run r;
	run_args(&r, false, false, ARGS("--execute"));
	CHECK_INT_EQ(CLI_PARSE_USAGE, r.rc);
	CHECK_STR_EQ("missing argument DATASET_ID", r.p.err.buf);
	run_done(&r);

	run_args(&r, false, false, ARGS("a", "b"));
	CHECK_INT_EQ(CLI_PARSE_USAGE, r.rc);
	CHECK_STR_EQ("unexpected argument 'b'", r.p.err.buf);
	run_done(&r);

	run_args(&r, true, false, ARGS("a", "b", "--execute", "c"));
	CHECK_INT_EQ(CLI_PARSE_OK, r.rc);
	CHECK_STR_EQ("a", r.v.dataset);
	CHECK_INT_EQ(2, r.v.extra.n);
	CHECK_STR_EQ("c", r.v.extra.items[1]);
	run_done(&r);

	/* after "--" everything is an argument */
	run_args(&r, true, false, ARGS("--", "--execute", "-r"));
	CHECK_INT_EQ(CLI_PARSE_OK, r.rc);
	CHECK_STR_EQ("--execute", r.v.dataset);
	CHECK_STR_EQ("-r", r.v.extra.items[0]);
	CHECK(!r.v.execute);
	run_done(&r);

	run_args(&r, false, false, ARGS("ds", "--help", "--bogus"));
	CHECK_INT_EQ(CLI_PARSE_HELP, r.rc);
	run_done(&r);

	run_args(&r, false, false, ARGS("-h"));
	CHECK_INT_EQ(CLI_PARSE_HELP, r.rc);
	run_done(&r);
}

static void test_cli_opts__required_option(void)
{
	struct run r;
	run_args(&r, false, true, ARGS("ds"));
	CHECK_INT_EQ(CLI_PARSE_USAGE, r.rc);
	CHECK_STR_EQ("missing required option '--end-date'", r.p.err.buf);
	run_done(&r);

	run_args(&r, false, true, ARGS("ds", "--parameters", "{\"end_date\": \"2024-03-01\"}"));
	CHECK_INT_EQ(CLI_PARSE_OK, r.rc);
	CHECK_INT_EQ(19783, r.v.date);
	run_done(&r);
}

static void test_cli_opts__parameters(void)
{
	struct run r;
	run_args(&r, false, false,
		 ARGS("ds", "--parameters",
		      "{\"target_rows\": 50000, \"seed-value\": 12, \"include_ddl\": false, "
		      "\"tables\": [\"a\", \"b\"], \"custom_schema\": {\"x\": 1}, "
		      "\"generation_mode\": null}"));
	CHECK_INT_EQ(CLI_PARSE_OK, r.rc);
	CHECK_INT_EQ(50000, r.v.rows);
	CHECK_INT_EQ(12, r.v.seed);
	CHECK(!r.v.ddl);
	CHECK_INT_EQ(2, r.v.tables.n);
	CHECK_STR_EQ("{\"x\":1}", r.v.schema);
	CHECK_INT_EQ(0, r.v.mode);
	CHECK_INT_EQ(CLI_SRC_PARAMS, cli_parse_source(&r.p, "target-rows"));
	run_done(&r);

	/* the command line wins, wherever it stands */
	run_args(&r, false, false,
		 ARGS("ds", "-r", "7", "--parameters", "{\"target_rows\": 50000}"));
	CHECK_INT_EQ(CLI_PARSE_OK, r.rc);
	CHECK_INT_EQ(7, r.v.rows);
	run_done(&r);

	run_args(&r, false, false, ARGS("ds", "--parameters", "{\"target_row\": 5}"));
	CHECK_INT_EQ(CLI_PARSE_ERROR, r.rc);
	CHECK_STR_EQ("unknown parameter 'target_row' in --parameters (did you mean 'target_rows'?)",
		     r.p.err.buf);
	run_done(&r);

	run_args(&r, false, false, ARGS("ds", "--parameters", "{\"target-row\": 5}"));
	CHECK_STR_EQ("unknown parameter 'target-row' in --parameters (did you mean 'target-rows'?)",
		     r.p.err.buf);
	run_done(&r);

	run_args(&r, false, false, ARGS("ds", "--parameters", "{\"target_rows\": 2.5}"));
	CHECK_STR_EQ("invalid value '2.5' for parameter 'target_rows': expected an integer",
		     r.p.err.buf);
	run_done(&r);

	run_args(&r, false, false, ARGS("ds", "--parameters", "{\"target_environment\": \"lake\"}"));
	CHECK_STR_EQ("invalid value 'lake' for parameter 'target_environment': expected lakehouse or "
		     "warehouse (did you mean 'lakehouse'?)", r.p.err.buf);
	run_done(&r);

	run_args(&r, false, false, ARGS("ds", "--parameters", "{\"execute\": \"maybe\"}"));
	CHECK_STR_EQ("invalid value 'maybe' for parameter 'execute': expected true or false",
		     r.p.err.buf);
	run_done(&r);

	run_args(&r, false, false, ARGS("ds", "--parameters", "{\"parameters\": {}}"));
	CHECK_INT_EQ(CLI_PARSE_ERROR, r.rc);
	run_done(&r);

	run_args(&r, false, false, ARGS("ds", "--parameters", "[]"));
	CHECK_STR_EQ("invalid value '[]' for '--parameters': expected a JSON object", r.p.err.buf);
	run_done(&r);
}

static void test_cli_opts__environment(void)
{
	struct run r;
	setenv("INGEN_TEST_SCALE", "3.5", 1);
	setenv("INGEN_TEST_SCALE2", "9", 1);
	run_args(&r, false, false, ARGS("ds"));
	CHECK_INT_EQ(CLI_PARSE_OK, r.rc);
	CHECK(r.v.scale == 3.5);
	CHECK_INT_EQ(CLI_SRC_ENV, cli_parse_source(&r.p, "scale-factor"));
	run_done(&r);

	/* parameters beat the environment; the command line beats both */
	run_args(&r, false, false, ARGS("ds", "--parameters", "{\"scale_factor\": 2}"));
	CHECK(r.v.scale == 2.0);
	run_done(&r);
	run_args(&r, false, false, ARGS("ds", "--scale-factor", "4", "--parameters",
					"{\"scale_factor\": 2}"));
	CHECK(r.v.scale == 4.0);
	run_done(&r);

	/* the second variable when the first is unset or empty */
	setenv("INGEN_TEST_SCALE", "", 1);
	run_args(&r, false, false, ARGS("ds"));
	CHECK(r.v.scale == 9.0);
	run_done(&r);

	setenv("INGEN_TEST_SCALE", "big", 1);
	run_args(&r, false, false, ARGS("ds"));
	CHECK_INT_EQ(CLI_PARSE_ERROR, r.rc);
	CHECK_STR_EQ("invalid value 'big' in environment variable INGEN_TEST_SCALE: expected a number",
		     r.p.err.buf);
	run_done(&r);

	/* a bad environment value does not matter when the command line gives one */
	run_args(&r, false, false, ARGS("ds", "--scale-factor", "1.5"));
	CHECK_INT_EQ(CLI_PARSE_OK, r.rc);
	run_done(&r);
	unsetenv("INGEN_TEST_SCALE");
	unsetenv("INGEN_TEST_SCALE2");
}

/* Every option the help shows is accepted, and every option accepted is shown. */
static void test_cli_opts__help_lists_every_option(void)
{
	struct run r;
	struct strbuf help = STRBUF_INIT, usage = STRBUF_INIT;
	run_args(&r, true, true, ARGS("ds", "--end-date", "2024-01-01"));
	cli_opts_help(&help, "ingen_fab x", "does x", r.opts, "epilog text\n");
	cli_opts_usage(&usage, "ingen_fab x", r.opts);
	CHECK_STR_EQ("usage: ingen_fab x [OPTIONS] --end-date YYYY-MM-DD DATASET_ID [MORE...]",
		     usage.buf);
	for (const struct cli_opt *o = r.opts; o->type != CLI_OPT_END; o++) {
		struct strbuf name = STRBUF_INIT;
		if (o->type == CLI_OPT_ARG) {
			strbuf_addf(&name, "\n  %s ", o->arg);
		} else {
			strbuf_addf(&name, "--%s", o->long_name);
		}
		CHECK(strstr(help.buf, name.buf) != NULL);
		strbuf_release(&name);
	}
	CHECK(strstr(help.buf, "--no-include-ddl") != NULL);
	CHECK(strstr(help.buf, "--seed, --seed-value N") != NULL);
	CHECK(strstr(help.buf, "-e, --target-environment lakehouse|warehouse") != NULL);
	CHECK(strstr(help.buf, "[default: lakehouse]") != NULL);
	CHECK(strstr(help.buf, "[env: INGEN_TEST_SCALE, INGEN_TEST_SCALE2]") != NULL);
	CHECK(strstr(help.buf, "-h, --help") != NULL);
	CHECK(strstr(help.buf, "\nepilog text\n") != NULL);
	CHECK(strncmp(help.buf, usage.buf, usage.len) == 0);
	strbuf_release(&help);
	strbuf_release(&usage);
	run_done(&r);
}

static void test_cli_opts__effective_values_as_json(void)
{
	struct run r;
	cJSON *obj = cJSON_CreateObject(), *src = cJSON_CreateObject();
	char *text;
	struct strbuf d = STRBUF_INIT;
	setenv("INGEN_TEST_SCALE", "2", 1);
	run_args(&r, false, false, ARGS("ds", "--seed", "9007199254740993", "--parameters",
					"{\"target_rows\": 10}", "--end-date", "2024-01-31"));
	CHECK_INT_EQ(CLI_PARSE_OK, r.rc);
	cli_parse_to_json(obj, src, &r.p);
	text = cJSON_PrintUnformatted(obj);
	CHECK_STR_EQ("{\"arguments\":{\"dataset_id\":\"ds\"},\"target_rows\":10,\"scale_factor\":2,"
		     "\"seed\":9007199254740993,\"end_date\":\"2024-01-31\"}", text);
	free(text);
	text = cJSON_PrintUnformatted(src);
	CHECK_STR_EQ("{\"target_rows\":\"parameters\",\"scale_factor\":\"INGEN_TEST_SCALE\","
		     "\"seed\":\"command line\",\"end_date\":\"command line\"}", text);
	free(text);
	cli_parse_describe(&d, &r.p);
	CHECK_STR_EQ("  target_rows: 10 (parameters)\n  scale_factor: 2 (INGEN_TEST_SCALE)\n"
		     "  seed: 9007199254740993 (command line)\n  end_date: 2024-01-31 (command line)\n",
		     d.buf);
	strbuf_release(&d);
	cJSON_Delete(obj);
	cJSON_Delete(src);
	run_done(&r);
	unsetenv("INGEN_TEST_SCALE");
}

static void test_cli_opts__stop_at_first_argument(void)
{
	struct arena a = ARENA_INIT;
	const char *dir = NULL;
	bool version = false;
	struct cli_opt opts[] = {
		{.type = CLI_OPT_STRING, .long_name = "fabric-workspace-repo-dir", .value = &dir,
		 .arg = "DIR", .help = "output root"},
		{.type = CLI_OPT_FLAG, .short_name = 'v', .long_name = "version", .value = &version,
		 .help = "version"},
		CLI_OPT_END_ENTRY,
	};
	char *argv[] = {"ingen_fab", "--fabric-workspace-repo-dir", "/tmp/x", "package",
			"synthetic-data", "--version", NULL};
	struct cli_parse p;
	cli_parse_init(&p, opts, CLI_PARSE_STOP_AT_ARG, &a);
	CHECK_INT_EQ(CLI_PARSE_OK, cli_parse_run(&p, 6, argv));
	CHECK_INT_EQ(3, p.next);
	CHECK_STR_EQ("/tmp/x", dir);
	CHECK(!version);
	cli_parse_release(&p);
	arena_release(&a);
}

static const struct harness_test tests[] = {
	{"cli_opts__long_short_and_equals", test_cli_opts__long_short_and_equals},
	{"cli_opts__flags_and_negation", test_cli_opts__flags_and_negation},
	{"cli_opts__unknown_option_suggests", test_cli_opts__unknown_option_suggests},
	{"cli_opts__typed_values", test_cli_opts__typed_values},
	{"cli_opts__dates", test_cli_opts__dates},
	{"cli_opts__lists", test_cli_opts__lists},
	{"cli_opts__positionals", test_cli_opts__positionals},
	{"cli_opts__required_option", test_cli_opts__required_option},
	{"cli_opts__parameters", test_cli_opts__parameters},
	{"cli_opts__environment", test_cli_opts__environment},
	{"cli_opts__help_lists_every_option", test_cli_opts__help_lists_every_option},
	{"cli_opts__effective_values_as_json", test_cli_opts__effective_values_as_json},
	{"cli_opts__stop_at_first_argument", test_cli_opts__stop_at_first_argument},
	{0, 0},
};

HARNESS_MAIN(tests)
