/*
 * cli_opts: the option-table parser and help printer (see cli_opts.h).
 *
 * Parsing runs in four passes over one table: the command line (options
 * and positionals, in any order until `--`), then the --parameters JSON
 * object for options the command line left alone, then environment
 * variables for options still at their default, then the checks for
 * required options.  Every value, whatever its source, goes through the
 * same apply_value(), so a bad SCALE_FACTOR is reported exactly like a bad
 * --scale-factor, only naming its source differently.  The first error
 * stops parsing: a usage error is one line the user fixes and retries.
 */
#include "cli_opts.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "diag.h"

#define HELP_COLUMN 32
#define HELP_WIDTH 80
#define NB "\001"

static size_t count_opts(const struct cli_opt *opts)
{
	size_t n = 0;
	while (opts[n].type != CLI_OPT_END)
		n++;
	return n;
}

void cli_parse_init(struct cli_parse *p, const struct cli_opt *opts, unsigned flags,
		    struct arena *arena)
{
	memset(p, 0, sizeof(*p));
	p->opts = opts;
	p->n_opts = count_opts(opts);
	p->flags = flags;
	p->arena = arena;
	p->src = arena_calloc(arena, p->n_opts + 1, sizeof(*p->src));
	p->env_used = arena_calloc(arena, p->n_opts + 1, sizeof(*p->env_used));
	strbuf_init(&p->err, 0);
}

void cli_parse_release(struct cli_parse *p)
{
	strbuf_release(&p->err);
}

const char *cli_src_name(enum cli_src s)
{
	switch (s) {
	case CLI_SRC_ARGV: return "command line";
	case CLI_SRC_PARAMS: return "parameters";
	case CLI_SRC_ENV: return "environment";
	default: return "default";
	}
}

void cli_join_choices(struct strbuf *sb, const char *const *choices)
{
	size_t n = 0;
	while (choices[n])
		n++;
	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_addstr(sb, i + 1 == n ? " or " : ", ");
		strbuf_addstr(sb, choices[i]);
	}
}

/* ---- dates ---- */

static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y_out, int *m_out, int *d_out)
{
	int64_t era, doe, yoe, y, doy, mp;
	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d_out = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m_out = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y_out = y + (*m_out <= 2);
}

static int days_in_month(int64_t y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : days[m - 1];
}

int cli_date_parse(int64_t *days_out, const char *s, struct strbuf *why)
{
	int y, m, d, dim;
	for (int i = 0; i < 10; i++) {
		bool dash = i == 4 || i == 7;
		if (!s[i] || (dash ? s[i] != '-' : !isdigit((unsigned char)s[i]))) {
			strbuf_addstr(why, "expected a date YYYY-MM-DD");
			return -1;
		}
	}
	if (s[10]) {
		strbuf_addstr(why, "expected a date YYYY-MM-DD");
		return -1;
	}
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1) {
		strbuf_addstr(why, "years run from 0001 to 9999");
		return -1;
	}
	if (m < 1 || m > 12) {
		strbuf_addf(why, "there is no month %02d", m);
		return -1;
	}
	dim = days_in_month(y, m);
	if (d < 1 || d > dim) {
		if (d < 1)
			strbuf_addstr(why, "there is no day 00");
		else
			strbuf_addf(why, "%04d-%02d has %d days", y, m, dim);
		return -1;
	}
	*days_out = days_from_civil(y, m, d);
	return 0;
}

void cli_date_format(struct strbuf *sb, int64_t days)
{
	int64_t y;
	int m, d;
	civil_from_days(days, &y, &m, &d);
	strbuf_addf(sb, "%04lld-%02d-%02d", (long long)y, m, d);
}

bool cli_in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return true;
	return false;
}

void cli_json_add_date(cJSON *obj, const char *key, int64_t days)
{
	struct strbuf sb = STRBUF_INIT;
	cli_date_format(&sb, days);
	cJSON_AddStringToObject(obj, key, sb.buf);
	strbuf_release(&sb);
}

void cli_json_add_int(cJSON *obj, const char *key, int64_t v)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%lld", (long long)v);
	cJSON_AddItemToObject(obj, key, cJSON_CreateRaw(buf));
}

/* ---- applying one value ---- */

static void list_add(struct arena *a, struct cli_list *l, const char *s)
{
	l->items = arena_grow_array(a, l->items, sizeof(*l->items), &l->alloc, l->n + 1);
	l->items[l->n++] = s;
}

static void mark(struct cli_parse *p, size_t idx, enum cli_src src)
{
	p->src[idx] = src;
	if (p->opts[idx].given)
		*p->opts[idx].given = true;
}

/* The value as quoted in messages: long values are cut. */
static void add_shown(struct strbuf *sb, const char *val)
{
	size_t n = strlen(val);
	if (n > 60) {
		strbuf_add(sb, val, 57);
		strbuf_addstr(sb, "...");
	} else {
		strbuf_addstr(sb, val);
	}
}

static int parse_int(int64_t *out, const struct cli_opt *o, const char *s, struct strbuf *why)
{
	char *end;
	long long v;
	bool range = o->imin < o->imax;
	const char *t = s + (*s == '-' || *s == '+');

	if (!isdigit((unsigned char)*t)) {
		strbuf_addstr(why, "expected an integer");
		return -1;
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end) {
		strbuf_addstr(why, "expected an integer");
		return -1;
	}
	if (errno == ERANGE || (range && (v < o->imin || v > o->imax))) {
		if (!range)
			strbuf_addstr(why, "out of range for a 64-bit integer");
		else if (o->imax == INT64_MAX)
			strbuf_addf(why, "must be at least %lld", (long long)o->imin);
		else if (o->imin == INT64_MIN)
			strbuf_addf(why, "must be at most %lld", (long long)o->imax);
		else
			strbuf_addf(why, "must be between %lld and %lld", (long long)o->imin,
				    (long long)o->imax);
		return -1;
	}
	*out = v;
	return 0;
}

static int parse_number(double *out, const struct cli_opt *o, const char *s, struct strbuf *why)
{
	char *end;
	double v;
	const char *t = s + (*s == '-' || *s == '+');

	if (!isdigit((unsigned char)*t) && !(*t == '.' && isdigit((unsigned char)t[1]))) {
		strbuf_addstr(why, "expected a number");
		return -1;
	}
	errno = 0;
	v = strtod(s, &end);
	if (*end || !isfinite(v) || strchr(s, 'x') || strchr(s, 'X')) {
		strbuf_addstr(why, "expected a number");
		return -1;
	}
	if (o->dmin < o->dmax) {
		if ((o->flags & CLI_OPT_EXCL_MIN) && v <= o->dmin) {
			strbuf_addf(why, "must be greater than %g", o->dmin);
			return -1;
		}
		if (v < o->dmin) {
			strbuf_addf(why, "must be at least %g", o->dmin);
			return -1;
		}
		if (v > o->dmax) {
			strbuf_addf(why, "must be at most %g", o->dmax);
			return -1;
		}
	}
	*out = v;
	return 0;
}

int cli_check_json_object(const char *s, struct strbuf *why)
{
	const char *end = NULL;
	cJSON *j = cJSON_ParseWithOpts(s, &end, 1);
	int ret = 0;
	if (!j) {
		/* cJSON reports where it gave up, at most one past the culprit */
		size_t len = strlen(s), at = end && end >= s ? (size_t)(end - s) + 1 : 1;
		if (at > len)
			at = len ? len : 1;
		strbuf_addf(why, "not valid JSON (near character %zu)", at);
		return -1;
	}
	if (!cJSON_IsObject(j)) {
		strbuf_addstr(why, "expected a JSON object");
		ret = -1;
	}
	cJSON_Delete(j);
	return ret;
}

static void add_suggestion(struct strbuf *why, const char *val, const char *const *choices)
{
	size_t n = 0;
	const char *best;
	while (choices[n])
		n++;
	best = diag_closest(val, choices, n);
	if (best)
		strbuf_addf(why, " (did you mean '%s'?)", best);
}

/*
 * Stores `val` (which must outlive the parse) into option `idx`.  `who`
 * names the source for messages: "for '--seed'", "for parameter 'seed'",
 * "in environment variable SEED".
 */
static int apply_value(struct cli_parse *p, size_t idx, const char *val, const char *who,
		       enum cli_src src)
{
	const struct cli_opt *o = &p->opts[idx];
	struct strbuf why = STRBUF_INIT;
	int ret = -1;

	switch (o->type) {
	case CLI_OPT_FLAG:
		if (!strcmp(val, "true") || !strcmp(val, "1")) {
			*(bool *)o->value = true;
		} else if (!strcmp(val, "false") || !strcmp(val, "0")) {
			*(bool *)o->value = false;
		} else {
			strbuf_addstr(&why, "expected true or false");
			goto bad;
		}
		break;
	case CLI_OPT_STRING:
	case CLI_OPT_ARG:
		if (!*val) {
			strbuf_addstr(&why, "expected a non-empty value");
			goto bad;
		}
		if (o->check && o->check(val, &why) < 0) {
			if (o->choices)
				add_suggestion(&why, val, o->choices);
			goto bad;
		}
		*(const char **)o->value = val;
		break;
	case CLI_OPT_INT: {
		int64_t v;
		if (parse_int(&v, o, val, &why) < 0)
			goto bad;
		*(int64_t *)o->value = v;
		break;
	}
	case CLI_OPT_NUMBER: {
		double v;
		if (parse_number(&v, o, val, &why) < 0)
			goto bad;
		*(double *)o->value = v;
		break;
	}
	case CLI_OPT_ENUM: {
		int k;
		for (k = 0; o->choices[k]; k++)
			if (!strcmp(o->choices[k], val))
				break;
		if (!o->choices[k]) {
			strbuf_addstr(&why, "expected ");
			cli_join_choices(&why, o->choices);
			add_suggestion(&why, val, o->choices);
			goto bad;
		}
		*(int *)o->value = k;
		break;
	}
	case CLI_OPT_DATE: {
		int64_t days;
		if (cli_date_parse(&days, val, &why) < 0)
			goto bad;
		*(int64_t *)o->value = days;
		break;
	}
	case CLI_OPT_JSON:
	case CLI_OPT_PARAMS:
		if (cli_check_json_object(val, &why) < 0)
			goto bad;
		*(const char **)o->value = val;
		break;
	case CLI_OPT_LIST: {
		struct cli_list *l = o->value;
		if (!(o->flags & CLI_OPT_COMMAS)) {
			if (!*val) {
				strbuf_addstr(&why, "expected a non-empty value");
				goto bad;
			}
			list_add(p->arena, l, val);
			break;
		}
		for (const char *s = val;;) {
			const char *comma = strchr(s, ',');
			size_t len = comma ? (size_t)(comma - s) : strlen(s);
			while (len && isspace((unsigned char)*s)) {
				s++;
				len--;
			}
			while (len && isspace((unsigned char)s[len - 1]))
				len--;
			if (!len) {
				strbuf_addstr(&why, "expected a comma-separated list of names");
				goto bad;
			}
			list_add(p->arena, l, arena_strndup(p->arena, s, len));
			if (!comma)
				break;
			s = comma + 1;
		}
		break;
	}
	default:
		strbuf_addstr(&why, "this option takes no value");
		goto bad;
	}
	mark(p, idx, src);
	ret = 0;
	goto done;
bad:
	strbuf_addstr(&p->err, "invalid value '");
	add_shown(&p->err, val);
	strbuf_addf(&p->err, "' %s: %s", who, why.buf);
done:
	strbuf_release(&why);
	return ret;
}

/* ---- the command line ---- */

static bool name_is(const char *want, const char *name, size_t len)
{
	return want && strlen(want) == len && !strncmp(want, name, len);
}

/* Finds a long option; sets *negated for --no-<flag>.  -1 when unknown. */
static long find_long(const struct cli_parse *p, const char *name, size_t len, bool *negated)
{
	*negated = false;
	for (size_t i = 0; i < p->n_opts; i++) {
		const struct cli_opt *o = &p->opts[i];
		if (o->type == CLI_OPT_ARG)
			continue;
		if (name_is(o->long_name, name, len) || name_is(o->alias, name, len))
			return (long)i;
	}
	if (len > 3 && !strncmp(name, "no-", 3)) {
		for (size_t i = 0; i < p->n_opts; i++) {
			const struct cli_opt *o = &p->opts[i];
			if (o->type == CLI_OPT_FLAG && (o->flags & CLI_OPT_NEGATABLE) &&
			    (name_is(o->long_name, name + 3, len - 3) ||
			     name_is(o->alias, name + 3, len - 3))) {
				*negated = true;
				return (long)i;
			}
		}
	}
	return -1;
}

static long find_short(const struct cli_parse *p, int c)
{
	for (size_t i = 0; i < p->n_opts; i++)
		if (p->opts[i].short_name == c && p->opts[i].type != CLI_OPT_ARG)
			return (long)i;
	return -1;
}

/*
 * The long spellings the parser accepts ("--target-rows", "--no-include-ddl",
 * "--help"), for "did you mean".  `underscore` gives parameter keys instead.
 */
static const char **spellings(const struct cli_parse *p, bool underscore, size_t *n_out)
{
	const char **v = arena_calloc(p->arena, 3 * p->n_opts + 2, sizeof(*v));
	size_t n = 0;
	for (size_t i = 0; i < p->n_opts; i++) {
		const struct cli_opt *o = &p->opts[i];
		const char *names[2] = {o->long_name, o->alias};
		if (o->type == CLI_OPT_ARG || (underscore && o->type == CLI_OPT_PARAMS))
			continue;
		for (int k = 0; k < 2; k++) {
			struct strbuf sb = STRBUF_INIT;
			if (!names[k])
				continue;
			if (underscore) {
				for (const char *s = names[k]; *s; s++)
					strbuf_addch(&sb, *s == '-' ? '_' : *s);
			} else {
				strbuf_addf(&sb, "--%s", names[k]);
			}
			v[n++] = arena_strdup(p->arena, sb.buf);
			if (!underscore && k == 0 && o->type == CLI_OPT_FLAG &&
			    (o->flags & CLI_OPT_NEGATABLE)) {
				strbuf_reset(&sb);
				strbuf_addf(&sb, "--no-%s", names[k]);
				v[n++] = arena_strdup(p->arena, sb.buf);
			}
			strbuf_release(&sb);
		}
	}
	if (!underscore)
		v[n++] = "--help";
	*n_out = n;
	return v;
}

static int unknown_option(struct cli_parse *p, const char *typed, size_t len)
{
	size_t n;
	const char **cands = spellings(p, false, &n);
	char *word = arena_strndup(p->arena, typed, len);
	const char *best;

	/* "-target-rows": a long option typed with one dash */
	if (word[0] == '-' && word[1] != '-' && len > 2) {
		struct strbuf sb = STRBUF_INIT;
		strbuf_addf(&sb, "-%s", word);
		best = diag_closest(sb.buf, cands, n);
		strbuf_release(&sb);
	} else {
		best = diag_closest(word, cands, n);
	}
	strbuf_addf(&p->err, "unknown option '%s'", word);
	if (best)
		strbuf_addf(&p->err, " (did you mean '%s'?)", best);
	return CLI_PARSE_ERROR;
}

static int parse_long(struct cli_parse *p, int argc, char **argv, int *i)
{
	const char *a = argv[*i];
	const char *name = a + 2;
	const char *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	const char *val;
	bool negated;
	long idx;
	struct strbuf who = STRBUF_INIT;
	int ret;

	if (name_is("help", name, len)) {
		if (eq) {
			strbuf_addstr(&p->err, "option '--help' takes no value");
			return CLI_PARSE_ERROR;
		}
		return CLI_PARSE_HELP;
	}
	idx = find_long(p, name, len, &negated);
	if (idx < 0)
		return unknown_option(p, a, len + 2);
	if (p->opts[idx].type == CLI_OPT_FLAG) {
		if (eq) {
			strbuf_addf(&p->err, "option '%.*s' takes no value", (int)len + 2, a);
			return CLI_PARSE_ERROR;
		}
		*(bool *)p->opts[idx].value = !negated;
		mark(p, (size_t)idx, CLI_SRC_ARGV);
		return CLI_PARSE_OK;
	}
	if (eq) {
		val = eq + 1;
	} else if (*i + 1 < argc) {
		val = argv[++*i];
	} else {
		strbuf_addf(&p->err, "option '%s' requires a value", a);
		return CLI_PARSE_ERROR;
	}
	strbuf_addf(&who, "for '%.*s'", (int)len + 2, a);
	ret = apply_value(p, (size_t)idx, val, who.buf, CLI_SRC_ARGV) < 0 ? CLI_PARSE_ERROR
									: CLI_PARSE_OK;
	strbuf_release(&who);
	return ret;
}

static int parse_short(struct cli_parse *p, int argc, char **argv, int *i)
{
	const char *a = argv[*i];
	const char *val;
	long idx;
	struct strbuf who = STRBUF_INIT;
	int ret;

	if (a[1] == 'h' && !a[2])
		return CLI_PARSE_HELP;
	idx = find_short(p, (unsigned char)a[1]);
	if (idx < 0)
		return unknown_option(p, a, a[2] ? strlen(a) : 2);
	if (p->opts[idx].type == CLI_OPT_FLAG) {
		if (a[2]) {
			strbuf_addf(&p->err, "option '-%c' takes no value", a[1]);
			return CLI_PARSE_ERROR;
		}
		*(bool *)p->opts[idx].value = true;
		mark(p, (size_t)idx, CLI_SRC_ARGV);
		return CLI_PARSE_OK;
	}
	if (a[2]) {
		val = a + 2 + (a[2] == '=');
	} else if (*i + 1 < argc) {
		val = argv[++*i];
	} else {
		strbuf_addf(&p->err, "option '-%c' requires a value", a[1]);
		return CLI_PARSE_ERROR;
	}
	strbuf_addf(&who, "for '-%c'", a[1]);
	ret = apply_value(p, (size_t)idx, val, who.buf, CLI_SRC_ARGV) < 0 ? CLI_PARSE_ERROR
									: CLI_PARSE_OK;
	strbuf_release(&who);
	return ret;
}

static int assign_positionals(struct cli_parse *p, const struct cli_list *pos)
{
	size_t k = 0;
	for (size_t i = 0; i < p->n_opts; i++) {
		const struct cli_opt *o = &p->opts[i];
		if (o->type != CLI_OPT_ARG)
			continue;
		if (o->flags & CLI_OPT_MULTI) {
			struct cli_list *l = o->value;
			for (; k < pos->n; k++) {
				if (!*pos->items[k]) {
					strbuf_addf(&p->err, "invalid value '' for %s: expected a non-empty value",
						    o->arg);
					return CLI_PARSE_ERROR;
				}
				list_add(p->arena, l, pos->items[k]);
				mark(p, i, CLI_SRC_ARGV);
			}
		} else if (k < pos->n) {
			struct strbuf who = STRBUF_INIT;
			int r;
			strbuf_addf(&who, "for %s", o->arg);
			r = apply_value(p, i, pos->items[k++], who.buf, CLI_SRC_ARGV);
			strbuf_release(&who);
			if (r < 0)
				return CLI_PARSE_ERROR;
		}
		if ((o->flags & CLI_OPT_REQUIRED) && p->src[i] == CLI_SRC_DEFAULT) {
			strbuf_addf(&p->err, "missing argument %s", o->arg);
			return CLI_PARSE_USAGE;
		}
	}
	if (k < pos->n) {
		strbuf_addf(&p->err, "unexpected argument '%s'", pos->items[k]);
		return CLI_PARSE_USAGE;
	}
	return CLI_PARSE_OK;
}

/* ---- --parameters ---- */

static const char *json_scalar_text(struct cli_parse *p, const struct cli_opt *o, const cJSON *v)
{
	char buf[64];
	if (cJSON_IsString(v))
		return arena_strdup(p->arena, v->valuestring);
	if (cJSON_IsTrue(v))
		return "true";
	if (cJSON_IsFalse(v))
		return "false";
	if (cJSON_IsNumber(v)) {
		double d = v->valuedouble;
		if (o->type == CLI_OPT_INT && d == floor(d) && fabs(d) < 1e19)
			snprintf(buf, sizeof(buf), "%.0f", d);
		else
			snprintf(buf, sizeof(buf), "%.17g", d);
		return arena_strdup(p->arena, buf);
	}
	{
		char *s = cJSON_PrintUnformatted(v);
		const char *r = arena_strdup(p->arena, s ? s : "");
		free(s);
		return r;
	}
}

static int apply_param(struct cli_parse *p, const cJSON *item)
{
	const char *key = item->string;
	struct strbuf name = STRBUF_INIT, who = STRBUF_INIT;
	bool negated, dashed = strchr(key, '-') != NULL;
	long idx;
	int ret = CLI_PARSE_ERROR;

	for (const char *s = key; *s; s++)
		strbuf_addch(&name, *s == '_' ? '-' : *s);
	idx = find_long(p, name.buf, name.len, &negated);
	if (idx < 0 || negated || p->opts[idx].type == CLI_OPT_PARAMS) {
		size_t n;
		const char **cands = spellings(p, !dashed, &n);
		const char *best;
		if (dashed)
			for (size_t i = 0; i < n; i++)
				cands[i] += 2; /* drop "--" */
		best = diag_closest(key, cands, n);
		strbuf_addf(&p->err, "unknown parameter '%s' in --parameters", key);
		if (best)
			strbuf_addf(&p->err, " (did you mean '%s'?)", best);
		goto done;
	}
	if (p->src[idx] == CLI_SRC_ARGV || cJSON_IsNull(item)) {
		ret = CLI_PARSE_OK; /* the command line wins; null leaves the default */
		goto done;
	}
	strbuf_addf(&who, "for parameter '%s'", key);
	if (p->opts[idx].type == CLI_OPT_LIST && cJSON_IsArray(item)) {
		const cJSON *el;
		cJSON_ArrayForEach(el, item) {
			if (apply_value(p, (size_t)idx, json_scalar_text(p, &p->opts[idx], el), who.buf,
					CLI_SRC_PARAMS) < 0)
				goto done;
		}
		mark(p, (size_t)idx, CLI_SRC_PARAMS);
	} else if (apply_value(p, (size_t)idx, json_scalar_text(p, &p->opts[idx], item), who.buf,
			       CLI_SRC_PARAMS) < 0) {
		goto done;
	}
	ret = CLI_PARSE_OK;
done:
	strbuf_release(&name);
	strbuf_release(&who);
	return ret;
}

static int apply_params(struct cli_parse *p)
{
	for (size_t i = 0; i < p->n_opts; i++) {
		const struct cli_opt *o = &p->opts[i];
		const char *text;
		cJSON *root, *item;
		int ret = CLI_PARSE_OK;

		if (o->type != CLI_OPT_PARAMS || p->src[i] == CLI_SRC_DEFAULT)
			continue;
		text = *(const char *const *)o->value;
		root = cJSON_Parse(text); /* checked to be an object by apply_value */
		if (!root)
			continue;
		cJSON_ArrayForEach(item, root) {
			ret = apply_param(p, item);
			if (ret != CLI_PARSE_OK)
				break;
		}
		cJSON_Delete(root);
		if (ret != CLI_PARSE_OK)
			return ret;
	}
	return CLI_PARSE_OK;
}

static int apply_env(struct cli_parse *p)
{
	for (size_t i = 0; i < p->n_opts; i++) {
		const struct cli_opt *o = &p->opts[i];
		const char *names[2] = {o->env, o->env2};
		if (p->src[i] != CLI_SRC_DEFAULT)
			continue;
		for (int k = 0; k < 2; k++) {
			const char *v = names[k] ? getenv(names[k]) : NULL;
			struct strbuf who = STRBUF_INIT;
			int r;
			if (!v || !*v)
				continue;
			strbuf_addf(&who, "in environment variable %s", names[k]);
			r = apply_value(p, i, v, who.buf, CLI_SRC_ENV);
			strbuf_release(&who);
			if (r < 0)
				return CLI_PARSE_ERROR;
			p->env_used[i] = names[k];
			break;
		}
	}
	return CLI_PARSE_OK;
}

int cli_parse_run(struct cli_parse *p, int argc, char **argv)
{
	struct cli_list pos = {0};
	bool end_of_opts = false;
	int i, ret;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!end_of_opts && !strcmp(a, "--")) {
			end_of_opts = true;
			continue;
		}
		if (!end_of_opts && a[0] == '-' && a[1] == '-') {
			ret = parse_long(p, argc, argv, &i);
			if (ret != CLI_PARSE_OK)
				return ret;
			continue;
		}
		if (!end_of_opts && a[0] == '-' && a[1]) {
			ret = parse_short(p, argc, argv, &i);
			if (ret != CLI_PARSE_OK)
				return ret;
			continue;
		}
		if (p->flags & CLI_PARSE_STOP_AT_ARG)
			break;
		list_add(p->arena, &pos, a);
	}
	p->next = i;
	if (!(p->flags & CLI_PARSE_STOP_AT_ARG)) {
		ret = assign_positionals(p, &pos);
		if (ret != CLI_PARSE_OK)
			return ret;
	}
	ret = apply_params(p);
	if (ret != CLI_PARSE_OK)
		return ret;
	ret = apply_env(p);
	if (ret != CLI_PARSE_OK)
		return ret;
	for (size_t k = 0; k < p->n_opts; k++) {
		const struct cli_opt *o = &p->opts[k];
		if (o->type != CLI_OPT_ARG && (o->flags & CLI_OPT_REQUIRED) &&
		    p->src[k] == CLI_SRC_DEFAULT) {
			strbuf_addf(&p->err, "missing required option '--%s'", o->long_name);
			return CLI_PARSE_USAGE;
		}
	}
	return CLI_PARSE_OK;
}

const struct cli_opt *cli_opts_find(const struct cli_opt *opts, const char *long_name)
{
	for (; opts->type != CLI_OPT_END; opts++)
		if ((opts->long_name && !strcmp(opts->long_name, long_name)) ||
		    (opts->alias && !strcmp(opts->alias, long_name)))
			return opts;
	return NULL;
}

enum cli_src cli_parse_source(const struct cli_parse *p, const char *long_name)
{
	const struct cli_opt *o = cli_opts_find(p->opts, long_name);
	return o ? p->src[o - p->opts] : CLI_SRC_DEFAULT;
}

/* ---- help ---- */

static bool takes_value(const struct cli_opt *o)
{
	return o->type != CLI_OPT_FLAG && o->type != CLI_OPT_ARG && o->type != CLI_OPT_END;
}

static void add_placeholder(struct strbuf *sb, const struct cli_opt *o)
{
	if (o->arg) {
		strbuf_addstr(sb, o->arg);
	} else if (o->type == CLI_OPT_ENUM) {
		for (int k = 0; o->choices[k]; k++) {
			if (k)
				strbuf_addch(sb, '|');
			strbuf_addstr(sb, o->choices[k]);
		}
	} else if (o->type == CLI_OPT_DATE) {
		strbuf_addstr(sb, "YYYY-MM-DD");
	} else if (o->type == CLI_OPT_INT) {
		strbuf_addstr(sb, "N");
	} else if (o->type == CLI_OPT_NUMBER) {
		strbuf_addstr(sb, "X");
	} else if (o->type == CLI_OPT_JSON || o->type == CLI_OPT_PARAMS) {
		strbuf_addstr(sb, "JSON");
	} else {
		strbuf_addstr(sb, "VALUE");
	}
}

void cli_opts_usage(struct strbuf *sb, const char *cmd, const struct cli_opt *opts)
{
	strbuf_addf(sb, "usage: %s [OPTIONS]", cmd);
	for (const struct cli_opt *o = opts; o->type != CLI_OPT_END; o++) {
		if (o->type == CLI_OPT_ARG || !(o->flags & CLI_OPT_REQUIRED))
			continue;
		strbuf_addf(sb, " --%s ", o->long_name);
		add_placeholder(sb, o);
	}
	for (const struct cli_opt *o = opts; o->type != CLI_OPT_END; o++) {
		bool req = o->flags & CLI_OPT_REQUIRED, multi = o->flags & CLI_OPT_MULTI;
		if (o->type != CLI_OPT_ARG)
			continue;
		strbuf_addf(sb, " %s%s%s%s", req ? "" : "[", o->arg, multi ? "..." : "",
			    req ? "" : "]");
	}
}

/*
 * "  names      description", the description starting at HELP_COLUMN and
 * wrapped at HELP_WIDTH (on the next line when the names are too long).
 */
static void add_help_line(struct strbuf *sb, const char *names, const struct strbuf *desc)
{
	size_t width = strlen(names) + 2, col;
	const char *s = desc->buf;
	strbuf_addf(sb, "  %s", names);
	if (width + 2 > HELP_COLUMN) {
		strbuf_addch(sb, '\n');
		width = 0;
	}
	strbuf_addchars(sb, ' ', HELP_COLUMN - width);
	col = HELP_COLUMN;
	while (*s) {
		size_t word = strcspn(s, " ");
		if (col > HELP_COLUMN && col + 1 + word > HELP_WIDTH) {
			strbuf_addch(sb, '\n');
			strbuf_addchars(sb, ' ', HELP_COLUMN);
			col = HELP_COLUMN;
		} else if (col > HELP_COLUMN) {
			strbuf_addch(sb, ' ');
			col++;
		}
		for (size_t k = 0; k < word; k++)
			strbuf_addch(sb, s[k] == NB[0] ? ' ' : s[k]);
		col += word;
		s += word;
		while (*s == ' ')
			s++;
	}
	strbuf_addch(sb, '\n');
}

static void describe(struct strbuf *desc, const struct cli_opt *o)
{
	strbuf_addstr(desc, o->help ? o->help : "");
	if (o->flags & CLI_OPT_REQUIRED && o->type != CLI_OPT_ARG)
		strbuf_addstr(desc, " (required)");
	if (o->type == CLI_OPT_LIST && !(o->flags & CLI_OPT_COMMAS))
		strbuf_addstr(desc, " (repeatable)");
	/* NB (\001) is a space the wrapping in add_help_line() does not break at */
	if (o->def)
		strbuf_addf(desc, " [default:" NB "%s]", o->def);
	if (o->env)
		strbuf_addf(desc, " [env:" NB "%s%s%s]", o->env, o->env2 ? "," NB : "",
			    o->env2 ? o->env2 : "");
}

void cli_opts_help(struct strbuf *sb, const char *cmd, const char *summary,
		   const struct cli_opt *opts, const char *epilog)
{
	struct strbuf names = STRBUF_INIT, desc = STRBUF_INIT;
	bool any_arg = false;

	cli_opts_usage(sb, cmd, opts);
	strbuf_addstr(sb, "\n\n");
	if (summary)
		strbuf_addf(sb, "%s\n\n", summary);
	for (const struct cli_opt *o = opts; o->type != CLI_OPT_END; o++)
		any_arg |= o->type == CLI_OPT_ARG;
	if (any_arg) {
		strbuf_addstr(sb, "Arguments:\n");
		for (const struct cli_opt *o = opts; o->type != CLI_OPT_END; o++) {
			if (o->type != CLI_OPT_ARG)
				continue;
			strbuf_reset(&desc);
			describe(&desc, o);
			add_help_line(sb, o->arg, &desc);
		}
		strbuf_addch(sb, '\n');
	}
	strbuf_addstr(sb, "Options:\n");
	for (const struct cli_opt *o = opts; o->type != CLI_OPT_END; o++) {
		if (o->type == CLI_OPT_ARG)
			continue;
		strbuf_reset(&names);
		strbuf_reset(&desc);
		if (o->short_name)
			strbuf_addf(&names, "-%c, ", o->short_name);
		else
			strbuf_addstr(&names, "    ");
		strbuf_addf(&names, "--%s", o->long_name);
		if (o->type == CLI_OPT_FLAG && (o->flags & CLI_OPT_NEGATABLE))
			strbuf_addf(&names, ", --no-%s", o->long_name);
		if (o->alias)
			strbuf_addf(&names, ", --%s", o->alias);
		if (takes_value(o)) {
			strbuf_addch(&names, ' ');
			add_placeholder(&names, o);
		}
		describe(&desc, o);
		add_help_line(sb, names.buf, &desc);
	}
	strbuf_reset(&desc);
	strbuf_addstr(&desc, "show this help and exit");
	add_help_line(sb, "-h, --help", &desc);
	if (epilog)
		strbuf_addf(sb, "\n%s", epilog);
	strbuf_release(&names);
	strbuf_release(&desc);
}

/* ---- reporting the effective values ---- */

static void key_of(struct strbuf *sb, const struct cli_opt *o)
{
	const char *name = o->long_name;
	if (o->type == CLI_OPT_ARG) {
		for (const char *s = o->arg; *s; s++)
			strbuf_addch(sb, (char)tolower((unsigned char)*s));
		return;
	}
	for (const char *s = name; *s; s++)
		strbuf_addch(sb, *s == '-' ? '_' : *s);
}

static cJSON *value_json(const struct cli_opt *o)
{
	char buf[32];
	switch (o->type) {
	case CLI_OPT_FLAG:
		return cJSON_CreateBool(*(const bool *)o->value);
	case CLI_OPT_INT:
		snprintf(buf, sizeof(buf), "%lld", (long long)*(const int64_t *)o->value);
		return cJSON_CreateRaw(buf);
	case CLI_OPT_NUMBER:
		return cJSON_CreateNumber(*(const double *)o->value);
	case CLI_OPT_ENUM: {
		int k = *(const int *)o->value;
		return k >= 0 ? cJSON_CreateString(o->choices[k]) : cJSON_CreateNull();
	}
	case CLI_OPT_DATE: {
		struct strbuf sb = STRBUF_INIT;
		cJSON *j;
		cli_date_format(&sb, *(const int64_t *)o->value);
		j = cJSON_CreateString(sb.buf);
		strbuf_release(&sb);
		return j;
	}
	case CLI_OPT_JSON: {
		/* checked JSON, kept as written (parsing would round big integers) */
		const char *s = *(const char *const *)o->value;
		return s ? cJSON_CreateRaw(s) : cJSON_CreateNull();
	}
	case CLI_OPT_LIST: {
		const struct cli_list *l = o->value;
		cJSON *a = cJSON_CreateArray();
		for (size_t i = 0; i < l->n; i++)
			cJSON_AddItemToArray(a, cJSON_CreateString(l->items[i]));
		return a;
	}
	case CLI_OPT_ARG:
		if (o->flags & CLI_OPT_MULTI) {
			const struct cli_list *l = o->value;
			cJSON *a = cJSON_CreateArray();
			for (size_t i = 0; i < l->n; i++)
				cJSON_AddItemToArray(a, cJSON_CreateString(l->items[i]));
			return a;
		}
		/* fall through */
	default: {
		const char *s = *(const char *const *)o->value;
		return s ? cJSON_CreateString(s) : cJSON_CreateNull();
	}
	}
}

static const char *source_name(const struct cli_parse *p, size_t i)
{
	return p->src[i] == CLI_SRC_ENV && p->env_used[i] ? p->env_used[i] : cli_src_name(p->src[i]);
}

void cli_parse_to_json(struct cJSON *obj, struct cJSON *sources, const struct cli_parse *p)
{
	struct strbuf key = STRBUF_INIT;
	cJSON *args = NULL;
	for (size_t i = 0; i < p->n_opts; i++) {
		const struct cli_opt *o = &p->opts[i];
		if (p->src[i] == CLI_SRC_DEFAULT || o->type == CLI_OPT_PARAMS ||
		    (o->flags & CLI_OPT_QUIET))
			continue;
		strbuf_reset(&key);
		key_of(&key, o);
		if (o->type == CLI_OPT_ARG) {
			if (!args)
				args = cJSON_AddObjectToObject(obj, "arguments");
			cJSON_AddItemToObject(args, key.buf, value_json(o));
			continue;
		}
		cJSON_AddItemToObject(obj, key.buf, value_json(o));
		if (sources)
			cJSON_AddStringToObject(sources, key.buf, source_name(p, i));
	}
	strbuf_release(&key);
}

void cli_parse_describe(struct strbuf *sb, const struct cli_parse *p)
{
	struct strbuf key = STRBUF_INIT;
	for (size_t i = 0; i < p->n_opts; i++) {
		const struct cli_opt *o = &p->opts[i];
		cJSON *j;
		char *text;
		if (p->src[i] == CLI_SRC_DEFAULT || o->type == CLI_OPT_PARAMS ||
		    o->type == CLI_OPT_ARG || (o->flags & CLI_OPT_QUIET))
			continue;
		strbuf_reset(&key);
		key_of(&key, o);
		j = value_json(o);
		text = cJSON_IsString(j) ? NULL : cJSON_PrintUnformatted(j);
		strbuf_addf(sb, "  %s: %s (%s)\n", key.buf,
			    cJSON_IsString(j) ? j->valuestring : text ? text : "", source_name(p, i));
		free(text);
		cJSON_Delete(j);
	}
	strbuf_release(&key);
}
