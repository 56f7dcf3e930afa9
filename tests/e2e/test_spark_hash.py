"""The cell hash of DESIGN section 5 on a real Spark, and a Delta round trip.

Confirms the published vector on Spark itself, that the numpy reference in hashref.py equals
Spark's `xxhash64` for 100,000 rows of two and three BIGINT arguments (negative values
included), and that a Delta table written by Spark is read back by the `deltalake` package.
"""

import numpy as np
import pytest

from hashref import spark_xxhash64

N_ROWS = 100_000


def test_published_vector_on_spark(spark):
    row = spark.sql("SELECT xxhash64(CAST(7 AS BIGINT), CAST(3 AS BIGINT)) AS h").collect()[0]
    assert row.h == 2151609513328473199


def test_published_vector_in_numpy():
    assert int(spark_xxhash64(7, 3)) == 2151609513328473199


@pytest.fixture(scope="module")
def hashed_rows(spark):
    """100,000 rows: id, a signed column seed, a k that is sometimes -1, and Spark's hashes."""
    # The seeds are Spark's own hash of the id (spread over all signed values) plus the two
    # extremes; the row argument runs from -50,000; k includes -1 (the null draw).
    df = spark.sql(
        f"""
        WITH base AS (
          SELECT id,
                 CASE WHEN id % 7 = 0 THEN CAST(-9223372036854775808 AS BIGINT)
                      WHEN id % 7 = 1 THEN CAST(9223372036854775807 AS BIGINT)
                      ELSE xxhash64(id, CAST(12345 AS BIGINT)) END AS seed,
                 id - 50000 AS row,
                 CAST((id % 5) - 1 AS BIGINT) AS k
          FROM range({N_ROWS})
        )
        SELECT id, seed, row, k, xxhash64(seed, row) AS h2, xxhash64(seed, row, k) AS h3
        FROM base
        ORDER BY id
        """
    )
    return df.toArrow().to_pandas()


def test_rows_cover_signs_and_extremes(hashed_rows):
    assert len(hashed_rows) == N_ROWS
    seed = hashed_rows["seed"].to_numpy()
    assert (seed < 0).sum() > 10_000 and (seed > 0).sum() > 10_000
    assert seed.min() == np.iinfo(np.int64).min and seed.max() == np.iinfo(np.int64).max
    assert (hashed_rows["row"] < 0).sum() == 50_000
    assert (hashed_rows["k"] == -1).sum() == N_ROWS // 5


def test_numpy_equals_spark_two_columns(hashed_rows):
    seed = hashed_rows["seed"].to_numpy(dtype=np.int64)
    row = hashed_rows["row"].to_numpy(dtype=np.int64)
    got = spark_xxhash64(seed, row)
    want = hashed_rows["h2"].to_numpy(dtype=np.int64)
    mismatches = np.flatnonzero(got != want)
    assert mismatches.size == 0, f"first mismatching rows: {mismatches[:5].tolist()}"


def test_numpy_equals_spark_three_columns(hashed_rows):
    seed = hashed_rows["seed"].to_numpy(dtype=np.int64)
    row = hashed_rows["row"].to_numpy(dtype=np.int64)
    k = hashed_rows["k"].to_numpy(dtype=np.int64)
    got = spark_xxhash64(seed, row, k)
    want = hashed_rows["h3"].to_numpy(dtype=np.int64)
    mismatches = np.flatnonzero(got != want)
    assert mismatches.size == 0, f"first mismatching rows: {mismatches[:5].tolist()}"


def test_delta_round_trip_spark_to_deltalake(spark, tmp_path):
    from deltalake import DeltaTable

    path = str(tmp_path / "orders")
    df = spark.sql(
        """
        SELECT id AS order_id,
               CAST(id % 3 AS INT) AS region,
               CAST(id * 1.25 AS DECIMAL(18,2)) AS amount,
               date_add(DATE'2024-01-01', CAST(id AS INT)) AS order_date,
               CASE WHEN id = 4 THEN NULL ELSE concat('c', CAST(id AS STRING)) END AS customer
        FROM range(10)
        """
    )
    df.write.format("delta").mode("overwrite").partitionBy("region").save(path)
    df.filter("order_id >= 8").write.format("delta").mode("append").save(path)

    dt = DeltaTable(path)
    assert dt.version() == 1
    table = dt.to_pyarrow_table().sort_by([("order_id", "ascending")])
    assert table.num_rows == 12
    assert table.column("order_id").to_pylist() == [0, 1, 2, 3, 4, 5, 6, 7, 8, 8, 9, 9]
    rows = {r["order_id"]: r for r in table.to_pylist()}
    assert str(rows[5]["amount"]) == "6.25"
    assert rows[5]["region"] == 2
    assert rows[4]["customer"] is None
    assert rows[9]["order_date"].isoformat() == "2024-01-10"
    assert set(dt.metadata().partition_columns) == {"region"}

    # And Spark reads back what it wrote, through the Delta catalog as a path table.
    back = spark.sql(f"SELECT count(*) AS n, sum(order_id) AS s FROM delta.`{path}`").collect()[0]
    assert (back.n, back.s) == (12, sum(range(10)) + 8 + 9)


def test_child_python_gets_spark_with_delta(spark_subprocess_env, tmp_path):
    """A script that makes its own session (as a compiled notebook does) gets Delta, offline."""
    import subprocess
    import sys

    from deltalake import DeltaTable

    path = tmp_path / "child_table"
    script = tmp_path / "child.py"
    script.write_text(
        "import sys\n"
        "from pyspark.sql import SparkSession\n"
        "spark = SparkSession.builder.getOrCreate()\n"
        "assert spark.conf.get('spark.sql.session.timeZone') == 'UTC'\n"
        "spark.range(5).selectExpr('id', 'xxhash64(id) AS h')"
        ".write.format('delta').save(sys.argv[1])\n"
        "spark.stop()\n"
    )
    done = subprocess.run(
        [sys.executable, str(script), str(path)],
        env=spark_subprocess_env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    table = DeltaTable(str(path)).to_pyarrow_table().sort_by([("id", "ascending")])
    assert table.column("id").to_pylist() == [0, 1, 2, 3, 4]
    assert table.column("h").to_pylist()[0] == int(spark_xxhash64(0))
