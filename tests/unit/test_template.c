/*
 * Unit tests for compiler/template.c: output, filters, control flow,
 * whitespace rules (trim_blocks/lstrip_blocks), strict undefined and the
 * exact location of template errors.
 */
#include <cjson/cJSON.h>
#include <stdlib.h>

#include "diag.h"
#include "harness.h"
#include "strbuf.h"
#include "template.h"

static cJSON *ctx(void)
{
	cJSON *c = cJSON_Parse("{\"name\": \"orders\", \"n\": 3, \"big\": 0, \"flag\": true,"
			       " \"cols\": [{\"name\": \"a\", \"type\": \"int\"}, {\"name\": \"b\", \"type\": \"string\"}],"
			       " \"weights\": {\"x\": 0.25, \"y\": 0.75}, \"s\": \"it's\"}");
	cJSON_ReplaceItemInObject(c, "big", cJSON_CreateRaw("-9223372036854775807"));
	return c;
}

/* Renders `tpl`; returns the output (caller frees) or NULL with the first diagnostic in *err. */
static char *render(const char *tpl, struct strbuf *err)
{
	struct strbuf out = STRBUF_INIT;
	struct diags d = DIAGS_INIT;
	cJSON *c = ctx();
	int rc = template_render_string(&out, NULL, "t.j2", tpl, c, &d);
	char *res = NULL;
	if (rc == 0) {
		res = strbuf_detach(&out, NULL);
	} else if (err && d.n) {
		diag_format(err, &d.items[0]);
	}
	strbuf_release(&out);
	diags_release(&d);
	cJSON_Delete(c);
	return res;
}

static void check_render(const char *tpl, const char *want, int line)
{
	struct strbuf err = STRBUF_INIT;
	char *got = render(tpl, &err);
	if (!got || strcmp(got, want) != 0) {
		fprintf(stderr, "line %d: template %s\n  want \"%s\"\n  got  \"%s\" %s\n", line, tpl, want,
			got ? got : "(error)", err.buf);
		harness_failed_checks++;
	}
	free(got);
	strbuf_release(&err);
}

static void check_error(const char *tpl, const char *want, int line)
{
	struct strbuf err = STRBUF_INIT;
	char *got = render(tpl, &err);
	if (got || strcmp(err.buf, want) != 0) {
		fprintf(stderr, "line %d: template %s\n  want error \"%s\"\n  got \"%s\" / \"%s\"\n", line, tpl,
			want, err.buf, got ? got : "");
		harness_failed_checks++;
	}
	free(got);
	strbuf_release(&err);
}

#define R(t, w) check_render(t, w, __LINE__)
#define E(t, w) check_error(t, w, __LINE__)

static void test_template__output_and_filters(void)
{
	R("table {{ name }} has {{ n }} cols", "table orders has 3 cols");
	R("{{ name | upper }}", "ORDERS");
	R("{{ cols | length }}", "2");
	R("{{ big }}", "-9223372036854775807");
	R("{{ s | pyrepr }}", "\"it's\"");
	R("{{ s | sqlstr }}", "'it''s'");
	R("{{ weights | pyrepr }}", "{'x': 0.25, 'y': 0.75}");
	R("{{ missing | default('d') }}", "d");
	R("{{ [1, 2, 3] | join(', ') }}", "1, 2, 3");
	R("{{ 'a\nb' | indent(2) }}", "a\n  b");
	R("{{ name ~ '_' ~ n }}", "orders_3");
	R("{{ n * 2 + 1 }}", "7");
	R("{{ 'yes' if flag else 'no' }}", "yes");
	R("{{ flag }}", "True");
	R("{{ cols[1].type }}", "string");
	R("{{ weights['y'] }}", "0.75");
}

static void test_template__control_flow(void)
{
	R("{% for c in cols %}{{ loop.index }}:{{ c.name }}{% if not loop.last %},{% endif %}{% endfor %}",
	  "1:a,2:b");
	R("{% for k, v in weights %}{{ k }}={{ v }};{% endfor %}", "x=0.25;y=0.75;");
	R("{% for x in [] %}a{% else %}empty{% endfor %}", "empty");
	R("{% if n > 5 %}big{% elif n > 2 %}mid{% else %}small{% endif %}", "mid");
	R("{% set x = n + 1 %}{{ x }}", "4");
	R("{% if 'a' in ['a', 'b'] and missing is not defined %}ok{% endif %}", "ok");
}

static void test_template__whitespace(void)
{
	/* a line holding only a block tag leaves nothing behind */
	R("a\n{% if flag %}\nb\n{% endif %}\nc\n", "a\nb\nc\n");
	R("a\n    {% for c in cols %}\n    {{ c.name }}\n    {% endfor %}\nz", "a\n    a\n    b\nz");
	R("x  {{- name -}}  y", "xordersy");
	R("{# comment #}\nkeep", "keep");
}

static void test_template__errors(void)
{
	E("line1\n  {{ nope }}", "t.j2:2:6: error: 'nope' is undefined");
	E("{% if flag %}x", "t.j2:1:1: error: 'if' block is never closed (expected '{% endif %}')");
	E("{{ name | uper }}", "t.j2:1:11: error: unknown filter 'uper' (did you mean 'upper'?)");
	E("{% fro x in cols %}{% endfor %}", "t.j2:1:1: error: unknown tag 'fro' (did you mean 'for'?)");
	E("{{ name ", "t.j2:1:1: error: unclosed '{{' tag (expected '}}')");
	E("{% endif %}", "t.j2:1:1: error: unexpected tag 'endif' here");
	E("{% include 'nope.j2' %}", "t.j2:1:1: error: template 'nope.j2' not found");
	E("{{ n + name }}", "t.j2:1:6: error: '+' needs numbers, got number and string");
}

static const struct harness_test tests[] = {
	{"template__output_and_filters", test_template__output_and_filters},
	{"template__control_flow", test_template__control_flow},
	{"template__whitespace", test_template__whitespace},
	{"template__errors", test_template__errors},
	{0, 0},
};

HARNESS_MAIN(tests)
