/*
 * emit_spark: the pyspark-mode renderer.  It turns the column programs of a
 * plan (ir.h) into the generated program of the notebook contract: Python
 * source that defines
 *
 *   TABLE_SPECS    every table of the plan, in plan order (name, rows, write,
 *                  parent, columns with their Spark types);
 *   SPARK_ARRAYS   the constant arrays (reference lists, cumulative weights)
 *                  as Spark SQL array literals, each written once;
 *   SPARK_COLUMNS  per table, (name, Spark SQL expression) pairs in a valid
 *                  evaluation order over the BIGINT column `__row`: helper
 *                  columns (named `__ig_...`) and then, among them, every
 *                  table column in the program's evaluation order.
 *
 * templates/notebooks/spark_runtime.py builds a table's DataFrame from these
 * (spark.range, one select per dependency level, a final CAST of each table
 * column to its Spark type).  Only Spark SQL expressions are emitted, never a
 * UDF.  The renderings of every op are documented in docs/engines.md,
 * section "pyspark".
 */
#ifndef INGEN_EMIT_SPARK_H
#define INGEN_EMIT_SPARK_H

#include "diag.h"

struct strbuf;
struct plan;
struct ir_program;
struct ir_node;

/*
 * Appends the generated program of `plan` (whose programs, one per plan
 * table in plan order, are `progs`) to `out`.  Returns 0, or -1 with an
 * error in `diags` (a column name reserved by the renderer, an op with no
 * rendering: both internal limits, not user errors of a valid config).
 */
int emit_spark_program(struct strbuf *out, const struct plan *plan, const struct ir_program *progs,
		       struct diags *diags);

/*
 * Renders a free-standing IR tree (no IR_COLUMN or IR_AT_ROW nodes) as a
 * Spark SQL expression over `__row`, with helper columns inlined.  DEC
 * values are unscaled BIGINTs.  For the unit tests of single ops.
 */
int emit_spark_node_expr(struct strbuf *out, const struct ir_node *node, struct diags *diags);

#endif
