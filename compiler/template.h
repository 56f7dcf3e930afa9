/*
 * template: a small Jinja subset for the notebook and DDL templates.
 *
 * Supported: `{{ expr }}` with filters (`x | lower`, `xs | join(", ")`),
 * `{% if %}/{% elif %}/{% else %}/{% endif %}`, `{% for x in xs %}` and
 * `{% for k, v in obj %}` with `loop.index`, `loop.index0`, `loop.first`,
 * `loop.last`, `loop.length` and `{% else %}`, `{% set x = expr %}`,
 * `{% include "name" %}`, `{# comments #}`, and `-` whitespace control.
 * Block tags behave as Jinja with trim_blocks and lstrip_blocks on: a line
 * holding only a block tag leaves no trace in the output.
 *
 * Expressions: string, number, true/false/none literals, lists `[a, b]`,
 * names, `a.b`, `a[i]`, `not`, `and`, `or`, `== != < <= > >=`, `in`,
 * `~` (concatenate as text), `+ - * /` on numbers, `x if c else y`,
 * tests `is defined`, `is none`, `is string`, `is number`, `is mapping`,
 * `is sequence` (and `is not ...`).
 *
 * The context is a cJSON tree.  64-bit integers that doubles cannot hold
 * (column seeds) are put in the context as cJSON raw items and are printed
 * verbatim.  An undefined name is an error when used (strict undefined).
 * Errors carry the template's name, line and column.
 */
#ifndef INGEN_TEMPLATE_H
#define INGEN_TEMPLATE_H

#include "diag.h"

struct cJSON;
struct strbuf;

struct template_env {
	/* --templates-dir folders, searched last to first before the embedded templates */
	const char *const *dirs;
	size_t n_dirs;
};

/*
 * Renders template `name` (a path relative to templates/, e.g.
 * "notebooks/python.py.j2") with `context` and appends the text to `out`.
 * Returns 0, or -1 with diagnostics (nothing useful is left in `out`).
 */
int template_render(struct strbuf *out, const struct template_env *env, const char *name,
		    const struct cJSON *context, struct diags *diags);

/* Renders template text given directly (tests); `name` is used in messages. */
int template_render_string(struct strbuf *out, const struct template_env *env, const char *name,
			   const char *text, const struct cJSON *context, struct diags *diags);

#endif
