/*
 * emit_numpy: renders the column programs of a plan (compiler/ir.h) as the
 * python-mode generated program: vectorised numpy code over chunks of row
 * counters, calling the runtime library templates/notebooks/numpy_runtime.py.
 *
 * The text defines, at module level (the lead's notebook contract):
 *   TABLE_SPECS  one dict per table of the plan, plan order;
 *   generate_<t>(row) -> pyarrow.Table, one function per table;
 *   GENERATORS   {"<table>": generate_<t>, ...}.
 * It expects the runtime's names (np, pa, and the _rt_* helpers) in the same
 * module namespace: the notebook includes the runtime first, the tests exec
 * both into one dict.
 */
#ifndef INGEN_EMIT_NUMPY_H
#define INGEN_EMIT_NUMPY_H

#include "diag.h"
#include "ir.h"
#include "plan.h"
#include "strbuf.h"

/*
 * Appends the generated program of every table of `plan` (programs as
 * ir_lower() returns them, one per plan table) to `out`.  Returns 0, or -1
 * with an "internal error: ..." diagnostic when a program holds an op or a
 * type the emitter cannot render.
 */
int emit_numpy_program(struct strbuf *out, const struct plan *plan, const struct ir_program *progs,
		       struct diags *diags);

#endif
