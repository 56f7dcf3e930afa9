#!/usr/bin/env python3
"""dbldatagen_bench.py: a table comparable to bench_10col, built with dbldatagen on local Spark.

The peer for the pyspark notebook: the same ten column kinds as bench/datasets/bench_10col.yaml
(sequence key, uniform int, normal double, lognormal decimal amount, weighted choice, date,
timestamp, bernoulli flag, a 'AAA-00000' code, a last name from the same 5,000 names), built
with dbldatagen's classic DataGenerator API on a Spark session made exactly as the compiled
pyspark notebook makes its own (master from INGEN_FAB_SPARK_MASTER, default local[2]; the
Delta jars from INGEN_FAB_SPARK_JARS; shuffle partitions 4; no UI; UTC; non-ANSI), with the
partition count the notebook uses (one per 1,000,000 rows, at least the default parallelism),
and written to the same format and layout:

    <out>/lakehouse/bench_dbldatagen/Files/<format>/events   (csv, parquet)
    <out>/lakehouse/bench_dbldatagen/Tables/events           (delta)

Two styles (--style):
- `sql` (default, dbldatagen's best case): dbldatagen's own column kinds where they compile to
  Spark SQL (ranges with `random=True`, values + weights, date and timestamp ranges) and
  `expr=` Spark SQL for the rest (the normal as `50 + 12 * randn()`, the lognormal amount, the
  flag, the code), so that no row goes through Python;
- `features`: dbldatagen's own features for the normal (`distribution=Normal(50, 12)` on a
  0-100 range) and the code (`template='AAA-ddddd'`); both run as Python (pandas) UDFs in
  Python workers, which is how the dbldatagen documentation writes such columns.

Prints "events: N rows in S s" (the build and the write, not the JVM start).

    INGEN_FAB_SPARK_JARS=$(ls .deps/jars/*.jar | paste -sd,) \\
        .venv-bench/bin/python bench/dbldatagen_bench.py --rows 1000000 --format parquet --out out/b
"""

import argparse
import math
import os
import shutil
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROWS_PER_PARTITION = 1_000_000  # as the pyspark notebook runtime


def last_names():
    path = os.path.join(ROOT, "datasets", "reference", "last_names.tsv")
    names = []
    with open(path, encoding="utf-8") as f:
        next(f)  # header
        for line in f:
            name = line.split("\t", 1)[0].strip()
            if name:
                names.append(name)
    return names


def make_spark():
    from pyspark.sql import SparkSession

    # Python workers (dbldatagen's UDFs) must run this interpreter, the one with dbldatagen.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)

    b = (SparkSession.builder.master(os.environ.get("INGEN_FAB_SPARK_MASTER", "local[2]"))
         .appName("bench_dbldatagen")
         .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
         .config("spark.sql.catalog.spark_catalog",
                 "org.apache.spark.sql.delta.catalog.DeltaCatalog")
         .config("spark.sql.shuffle.partitions", "4")
         .config("spark.ui.enabled", "false"))
    jars = os.environ.get("INGEN_FAB_SPARK_JARS", "")
    if jars:
        b = b.config("spark.jars", jars)
    spark = b.getOrCreate()
    spark.conf.set("spark.sql.ansi.enabled", "false")
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def build_spec(spark, rows, partitions, style):
    import dbldatagen as dg
    from dbldatagen.distributions import Normal

    letter = "char(65 + cast(floor(rand() * 26) as int))"
    code_expr = ("concat(%s, %s, %s, '-', lpad(cast(cast(floor(rand() * 100000) as int) as string),"
                 " 5, '0'))" % (letter, letter, letter))
    spec = (dg.DataGenerator(spark, name="events", rows=rows, partitions=partitions,
                             randomSeedMethod="hash_fieldname", randomSeed=42)
            .withColumn("event_id", "bigint", expr="id + 1")
            .withColumn("quantity", "int", minValue=1, maxValue=100, random=True))
    if style == "features":
        spec = spec.withColumn("score", "double", minValue=0.0, maxValue=100.0,
                               distribution=Normal(50.0, 12.0), random=True)
    else:
        spec = spec.withColumn("score", "double", expr="50.0 + 12.0 * randn()")
    spec = (spec
            .withColumn("amount", "decimal(18,2)",
                        expr="cast(least(greatest(exp(4.2 + 0.8 * randn()), 0.01), 100000.0)"
                             " as decimal(18,2))")
            .withColumn("status", "string",
                        values=["completed", "pending", "cancelled", "refunded"],
                        weights=[60, 25, 10, 5], random=True)
            .withColumn("event_date", "date",
                        data_range=dg.DateRange("2020-01-01 00:00:00", "2024-12-31 00:00:00",
                                                "days=1"), random=True)
            .withColumn("event_ts", "timestamp", begin="2020-01-01 00:00:00",
                        end="2024-12-31 23:59:59", interval="1 second", random=True)
            .withColumn("is_flagged", "boolean", expr="rand() < 0.1")
            .withColumn("last_name", "string", values=last_names(), random=True))
    if style == "features":
        spec = spec.withColumn("code", "string", template=r"AAA-ddddd")
    else:
        spec = spec.withColumn("code", "string", expr=code_expr)
    return spec


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, required=True)
    ap.add_argument("--format", choices=["csv", "parquet", "delta"], default="parquet")
    ap.add_argument("--out", required=True, help="output root")
    ap.add_argument("--style", choices=["sql", "features"], default="sql",
                    help="sql: no Python UDF (default); features: dbldatagen's Normal "
                         "distribution and text template (pandas UDFs)")
    args = ap.parse_args()

    spark = make_spark()
    parts = 1 if args.rows <= ROWS_PER_PARTITION else max(
        math.ceil(args.rows / ROWS_PER_PARTITION), spark.sparkContext.defaultParallelism)
    lake = os.path.join(os.path.abspath(args.out), "lakehouse", "bench_dbldatagen")
    if args.format == "delta":
        path = os.path.join(lake, "Tables", "events")
    else:
        path = os.path.join(lake, "Files", args.format, "events")
    shutil.rmtree(path, ignore_errors=True)

    t0 = time.time()
    df = build_spec(spark, args.rows, parts, args.style).build()
    columns = ["event_id", "quantity", "score", "amount", "status", "event_date", "event_ts",
               "is_flagged", "code", "last_name"]
    df = df.select(*columns)
    w = df.write.mode("overwrite")
    if args.format == "delta":
        w.format("delta").save(path)
    elif args.format == "parquet":
        w.option("compression", "snappy").parquet(path)
    else:
        w.option("header", "true").csv(path)
    secs = time.time() - t0
    print(f"events: {args.rows} rows in {secs:.2f} s ({parts} partitions, {args.format}, "
          f"style {args.style})")
    spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
