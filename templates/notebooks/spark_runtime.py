"""pyspark-mode runtime: builds a table's DataFrame from the generated program.

The generated program (compiler/emit_spark.c) defines TABLE_SPECS, SPARK_ARRAYS and
SPARK_COLUMNS: per table, (name, Spark SQL expression) pairs in evaluation order over the
BIGINT column `__row` (the row counter of DESIGN section 5). Names starting with `__ig_` are
helper columns (shared subexpressions, constant arrays); the others are the table's columns.
This library turns them into a DataFrame: spark.range for the row counters, one select per
dependency level (a column is one level above the deepest column its expression names in
backquotes), then the table columns, in table order, each CAST to its Spark type. Only Spark
SQL expressions are used: no Python UDF, no pandas UDF.

The values depend on two session settings, which the notebooks set and build_table checks:
spark.sql.ansi.enabled=false (decimal overflow and out-of-range array reads are NULL) and
spark.sql.session.timeZone=UTC (date parts of timestamps). For speed (not for the values),
spark.sql.codegen.hugeMethodLimit=8000 lets Spark fall back from whole-stage code generation
when a table's fused projection is too large for the JVM to JIT-compile (docs/engines.md).

Included verbatim in pyspark notebooks; importable on its own for tests.
"""

import math
import re

ROW_COLUMN = "__row"
HELPER_PREFIX = "__ig_"
ROWS_PER_PARTITION = 1_000_000
MAX_PARTITIONS = 100_000
_UNIT = "1.1102230246251565E-16D"  # 2^-53, exactly
_NAME_RE = re.compile(r"`((?:[^`]|``)+)`")


def spark_type(type_name):
    """The Spark SQL type a table column is cast to: varchar(n) and char(n) are strings."""
    t = type_name.strip().lower()
    if t.startswith("varchar") or t.startswith("char"):
        return "string"
    return t


def num_partitions(spark, rows):
    """Partitions for `rows` rows: one per ROWS_PER_PARTITION rows, at least the default
    parallelism once a table has more than ROWS_PER_PARTITION rows, one for small tables."""
    if rows <= ROWS_PER_PARTITION:
        return 1
    parts = math.ceil(rows / ROWS_PER_PARTITION)
    try:
        parts = max(parts, spark.sparkContext.defaultParallelism)
    except Exception:  # Spark Connect has no SparkContext
        pass
    return min(parts, MAX_PARTITIONS)


def check_session(spark):
    """Raises RuntimeError unless the session settings the values depend on are in force."""
    problems = []
    # the effective values (a default passed to conf.get would hide Spark's own defaults)
    ansi = str(spark.conf.get("spark.sql.ansi.enabled")).lower()
    if ansi != "false":
        problems.append("spark.sql.ansi.enabled must be false (it is %s)" % ansi)
    tz = spark.conf.get("spark.sql.session.timeZone")
    if tz not in ("UTC", "Etc/UTC", "GMT", "Z", "+00:00"):
        problems.append("spark.sql.session.timeZone must be UTC (it is %s)" % tz)
    if problems:
        raise RuntimeError("pyspark generation needs: " + "; ".join(problems))


def column_levels(columns):
    """The dependency level of each (name, expression) pair: 1 + the deepest level among the
    earlier names the expression mentions in backquotes (`__row` is level 0)."""
    level = {ROW_COLUMN: 0}
    out = []
    for name, expr in columns:
        deps = [level[m.replace("``", "`")] for m in _NAME_RE.findall(expr)
                if m.replace("``", "`") in level]
        lv = 1 + max(deps, default=0)
        level[name] = lv
        out.append(lv)
    return out


def _bigint(v):
    """A BIGINT literal (the most negative value has no literal of its own)."""
    v = int(v)
    if v == -(2 ** 63):
        return "(-9223372036854775807L - 1L)"
    return "(%dL)" % v if v < 0 else "%dL" % v


def _quote(name):
    return "`" + name.replace("`", "``") + "`"


def row_frame(spark, spec, start, stop):
    """A DataFrame with the BIGINT column `__row`: the row counters of rows [start, stop) of a
    plain table, or for a child table the counters p * max + k (k < count(p)) of the children
    of parent rows [start, stop), in order."""
    from pyspark.sql import functions as F

    parent = spec.get("parent")
    if not parent:
        n = max(stop - start, 0)
        return spark.range(start, stop, 1, num_partitions(spark, n)).select(
            F.col("id").alias(ROW_COLUMN))
    lo, hi, seed = int(parent["min"]), int(parent["max"]), int(parent["count_seed"])
    n_parents = max(stop - start, 0)
    parts = num_partitions(spark, n_parents * max((lo + hi) // 2, 1))
    span = float(hi - lo + 1)
    # count(p) = I(H(count_seed, p), min, max), docs/samplers.md "Child tables"
    count = "(%s + FLOOR((shiftrightunsigned(xxhash64(%s, `__p`), 11) * %s) * %rD))" % (
        _bigint(lo), _bigint(seed), _UNIT, span)
    return (spark.range(start, stop, 1, parts)
            .select(F.col("id").alias("__p"))
            .select("__p", F.expr(count).alias("__n"))
            .where("__n > 0")
            .select("__p", F.explode(F.expr("sequence(0L, `__n` - 1L)")).alias("__k"))
            .select(F.expr("`__p` * %s + `__k`" % _bigint(hi)).alias(ROW_COLUMN)))


def build_table(spark, spec, start, stop, columns=None, keep_row=False, check=True):
    """The DataFrame of rows [start, stop) of the table `spec` (a TABLE_SPECS entry): plain
    tables are rows of spark.range(start, stop); a child table's range is the range of its
    parent's rows, each exploded into its children. `columns` are the table's SPARK_COLUMNS
    pairs (by default looked up in the generated program's SPARK_COLUMNS, which the notebook
    defines beside this library). The result has the table's columns in table order with
    their Spark types, preceded by `__row` when keep_row is true."""
    from pyspark.sql import functions as F

    if check:
        check_session(spark)
    if columns is None:
        program = globals().get("SPARK_COLUMNS")
        if program is None:
            raise RuntimeError("build_table: no SPARK_COLUMNS defined; pass columns=")
        columns = program[spec["name"]]
    df = row_frame(spark, spec, start, stop)
    levels = column_levels(columns)
    for lv in sorted(set(levels)):
        batch = [F.expr(expr).alias(name) for (name, expr), l in zip(columns, levels) if l == lv]
        df = df.select("*", *batch)
    final = [F.expr("CAST(%s AS %s)" % (_quote(name), spark_type(t))).alias(name)
             for name, t in spec["columns"]]
    if keep_row:
        final.insert(0, F.col(ROW_COLUMN))
    return df.select(*final)
