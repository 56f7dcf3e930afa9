"""Files written by the native Parquet writer and Delta log, read back by independent readers.

`build/test_parquet --write-samples DIR` (tests/unit/test_parquet.c; INGEN_BUILD_DIR names
another build directory) writes, from formulas repeated here in `expected_row`:

- parquet/{none,snappy,zstd}.parquet: 2,500 rows of every type with nulls, decimals (9,2),
  (18,2), (38,6), dates, timestamps, long strings and a string column whose dictionary
  overflows; 3 row groups; one file per codec. parquet/nodict.parquet has no dictionaries;
  parquet/empty.parquet has no rows.
- delta/basic: the same columns, version 0 = rows 0..2499 in two files (snappy, zstd),
  version 1 = an append of rows 2500..2999 (uncompressed).
- delta/partitioned: 600 rows partitioned by region (with a null and a value that needs
  escaping) and day.

Readers: pyarrow (schema, every value, row-group statistics), DuckDB (read_parquet,
parquet_metadata, parquet_schema), deltalake (table, history, add-action stats, filters) and
Spark with Delta (the `spark` fixture of conftest.py: values, schema, stats-driven filters,
DESCRIBE HISTORY). Without Spark the Spark tests fail; INGEN_NO_SPARK=1 skips them on purpose.
"""

import datetime as dt
import json
import math
import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as pads
import pyarrow.parquet as pq
import pytest
from deltalake import DeltaTable

REPO_ROOT = Path(__file__).resolve().parents[2]
BUILD_DIR = Path(os.environ.get("INGEN_BUILD_DIR", REPO_ROOT / "build"))
CODECS = {"none": "UNCOMPRESSED", "snappy": "SNAPPY", "zstd": "ZSTD", "nodict": "SNAPPY"}
N_FILE_ROWS = 2500
N_DELTA_ROWS = 3000
ROW_GROUP_ROWS = 1000

SMALL_WORDS = ["alpha", "beta", "gamma", "", "ünïcødé ✓", "delta"]
ALPHA = "abcdefghijklmnopqrstuvwxyz" * 200
EPOCH_DAY = dt.date(1970, 1, 1)
EPOCH_TS = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)

COLUMNS = ["id", "flag", "i32", "i64", "dbl", "dec9", "dec18", "dec38", "day", "ts",
           "s_small", "s_many", "s_long"]
ARROW_TYPES = {
    "id": pa.int64(), "flag": pa.bool_(), "i32": pa.int32(), "i64": pa.int64(),
    "dbl": pa.float64(), "dec9": pa.decimal128(9, 2), "dec18": pa.decimal128(18, 2),
    "dec38": pa.decimal128(38, 6), "day": pa.date32(), "ts": pa.timestamp("us", tz="UTC"),
    "s_small": pa.string(), "s_many": pa.string(), "s_long": pa.string(),
}
SPARK_TYPES = ["bigint", "boolean", "int", "bigint", "double", "decimal(9,2)", "decimal(18,2)",
               "decimal(38,6)", "date", "timestamp", "string", "string", "string"]
NOT_NULL = {"id", "s_many"}


def dec(unscaled, scale):
    return Decimal(f"{unscaled}e-{scale}")


def ts_micros(i):
    return 1_700_000_000_000_000 + (i - 1250) * 604_800_000_123


def expected_row(i):
    """Row i of the sample table: the formulas of sample_row() in tests/unit/test_parquet.c."""
    if i == 5:
        dbl = math.inf
    elif i == 6:
        dbl = math.nan
    elif i == 8:
        dbl = -0.0
    else:
        dbl = (i - 1000) / 7.0
    if i == 1:
        d38 = 10**38 - 1
    elif i == 2:
        d38 = -(10**38 - 1)
    else:
        d38 = (i - 1500) * 10**33 + i * 12345
    return {
        "id": i,
        "flag": None if i % 7 == 0 else i % 3 == 0,
        "i32": None if i % 11 == 0 else (i * 7919) % 100003 - 50000,
        "i64": None if i % 13 == 0 else (i - 1500) * 3_000_000_000_000_001,
        "dbl": None if i % 17 == 0 else dbl,
        "dec9": None if i % 19 == 0 else dec(i * 104729 - 999999999, 2),
        "dec18": None if i % 23 == 0 else dec((i - 1500) * 599_999_999_999_999, 2),
        "dec38": None if i % 29 == 0 else dec(d38, 6),
        "day": None if i % 31 == 0 else EPOCH_DAY + dt.timedelta(days=i * 29 - 20000),
        "ts": None if i % 37 == 0 else EPOCH_TS + dt.timedelta(microseconds=ts_micros(i)),
        "s_small": None if i % 41 == 0 else SMALL_WORDS[i % 6],
        "s_many": f"v{i:06d}-" + "x" * (i % 20),
        "s_long": None if i % 43 == 0 else ALPHA[i % 26: i % 26 + (i % 50) * 100],
    }


REGIONS = ["EU", "US West", "a/b:c=d%", None]


def expected_partitioned_row(i):
    return {
        "id": i,
        "region": REGIONS[i % 4],
        "day": dt.date(2024, 1, 1) + dt.timedelta(days=(i // 4) % 2),
        "amount": None if i % 9 == 0 else dec(i * 101 - 3000, 2),
        "note": None if i % 5 == 0 else f"note {i}",
    }


def canon(v):
    """Values compared exactly: NaN equals NaN and -0.0 differs from 0.0."""
    if isinstance(v, float):
        return ("nan",) if math.isnan(v) else (v, math.copysign(1.0, v))
    return v


def assert_rows_equal(got_rows, want_rows, columns):
    assert len(got_rows) == len(want_rows)
    for got, want in zip(got_rows, want_rows):
        for c in columns:
            assert canon(got[c]) == canon(want[c]), f"row {want['id']} column {c}: {got[c]!r} != {want[c]!r}"


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    exe = BUILD_DIR / "test_parquet"
    if not exe.exists():
        pytest.fail(f"{exe} is not built (cmake --build {BUILD_DIR}; INGEN_BUILD_DIR names another "
                    "build directory)", pytrace=False)
    out = tmp_path_factory.mktemp("parquet_samples")
    subprocess.run([str(exe), "--write-samples", str(out)], check=True)
    return out


@pytest.fixture(scope="module")
def spark_session(request):
    if os.environ.get("INGEN_NO_SPARK") == "1":
        pytest.skip("INGEN_NO_SPARK=1: Spark checks switched off")
    return request.getfixturevalue("spark")


# ---------------------------------------------------------------- pyarrow


@pytest.mark.parametrize("name", list(CODECS))
def test_pyarrow_reads_every_value(samples, name):
    path = samples / "parquet" / f"{name}.parquet"
    table = pq.read_table(path)
    for c in COLUMNS:
        field = table.schema.field(c)
        assert field.type == ARROW_TYPES[c], c
        assert field.nullable == (c not in NOT_NULL), c
    assert table.column_names == COLUMNS
    assert_rows_equal(table.to_pylist(), [expected_row(i) for i in range(N_FILE_ROWS)], COLUMNS)


@pytest.mark.parametrize("name", list(CODECS))
def test_pyarrow_metadata_and_statistics(samples, name):
    md = pq.ParquetFile(samples / "parquet" / f"{name}.parquet").metadata
    assert md.num_rows == N_FILE_ROWS
    assert md.num_row_groups == 3
    assert md.created_by.startswith("ingen_fab version")
    schema = md.schema
    assert schema.column(COLUMNS.index("ts")).logical_type.to_json() == \
        '{"Type": "Timestamp", "isAdjustedToUTC": true, "timeUnit": "microseconds", "is_from_converted_type": false, "force_set_converted_type": false}'
    assert schema.column(COLUMNS.index("ts")).converted_type == "TIMESTAMP_MICROS"
    assert schema.column(COLUMNS.index("dec9")).physical_type == "INT32"
    assert schema.column(COLUMNS.index("dec18")).physical_type == "INT64"
    assert schema.column(COLUMNS.index("dec38")).physical_type == "FIXED_LEN_BYTE_ARRAY"
    assert schema.column(COLUMNS.index("dec38")).length == 16
    assert schema.column(COLUMNS.index("s_small")).converted_type == "UTF8"
    assert schema.column(COLUMNS.index("day")).converted_type == "DATE"
    for g in range(3):
        rg = md.row_group(g)
        lo, hi = g * ROW_GROUP_ROWS, min(N_FILE_ROWS, (g + 1) * ROW_GROUP_ROWS)
        assert rg.num_rows == hi - lo
        rows = [expected_row(i) for i in range(lo, hi)]
        for j, c in enumerate(COLUMNS):
            col = rg.column(j)
            assert col.compression == CODECS[name]
            assert col.num_values == hi - lo
            values = [r[c] for r in rows if r[c] is not None]
            stats = col.statistics
            assert stats.null_count == len(rows) - len(values), (g, c)
            if c == "dbl" and any(math.isnan(v) for v in values):
                # readers disagree on where NaN sorts: no min/max for such a chunk
                assert not stats.has_min_max
                continue
            if c == "s_long":
                # values over 4096 bytes: min/max are left out rather than truncated
                assert not stats.has_min_max
                continue
            assert stats.has_min_max, (g, c)
            if c.startswith("s_"):
                key = lambda s: s.encode()  # unsigned byte order
                assert stats.min == min(values, key=key) and stats.max == max(values, key=key), (g, c)
            elif c in ("dec9", "dec18"):
                # pyarrow cannot convert INT32/INT64 decimal statistics: compare the unscaled ints
                unscaled = [int(v.scaleb(2)) for v in values]
                assert (stats.min_raw, stats.max_raw) == (min(unscaled), max(unscaled)), (g, c)
            else:
                assert stats.min == min(values) and stats.max == max(values), (g, c)
        encodings = set(rg.column(COLUMNS.index("s_small")).encodings)
        if name == "nodict":
            assert "RLE_DICTIONARY" not in encodings
        else:
            assert "RLE_DICTIONARY" in encodings
            many = set(rg.column(COLUMNS.index("s_many")).encodings)
            # the dictionary of s_many overflows in the first row group; later ones are PLAIN
            assert ("RLE_DICTIONARY" in many) == (g == 0), (g, many)
            assert "PLAIN" in many


def test_pyarrow_reads_empty_file(samples):
    table = pq.read_table(samples / "parquet" / "empty.parquet")
    assert table.num_rows == 0
    assert table.column_names == COLUMNS
    assert table.schema.field("dec38").type == pa.decimal128(38, 6)


# ---------------------------------------------------------------- DuckDB

DUCK_SELECT = ("SELECT id, flag, i32, i64, dbl, dec9, dec18, dec38, day, epoch_us(ts) AS ts, "
               "s_small, s_many, s_long FROM read_parquet(?) ORDER BY id")


def duck_expected(i):
    r = expected_row(i)
    r["ts"] = None if r["ts"] is None else ts_micros(i)
    return r


@pytest.mark.parametrize("name", list(CODECS))
def test_duckdb_reads_every_value(samples, name):
    con = duckdb.connect()
    path = str(samples / "parquet" / f"{name}.parquet")
    cur = con.execute(DUCK_SELECT, [path])
    cols = [d[0] for d in cur.description]
    got = [dict(zip(cols, row)) for row in cur.fetchall()]
    assert_rows_equal(got, [duck_expected(i) for i in range(N_FILE_ROWS)], COLUMNS)
    types = dict(con.execute("SELECT name, type FROM parquet_schema(?)", [path]).fetchall())
    assert types["dec38"] == "FIXED_LEN_BYTE_ARRAY"
    kinds = {r[0]: r[1] for r in con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [path]).fetchall()}
    assert kinds == {"id": "BIGINT", "flag": "BOOLEAN", "i32": "INTEGER", "i64": "BIGINT",
                     "dbl": "DOUBLE", "dec9": "DECIMAL(9,2)", "dec18": "DECIMAL(18,2)",
                     "dec38": "DECIMAL(38,6)", "day": "DATE", "ts": "TIMESTAMP WITH TIME ZONE",
                     "s_small": "VARCHAR", "s_many": "VARCHAR", "s_long": "VARCHAR"}


@pytest.mark.parametrize("name", list(CODECS))
def test_duckdb_parquet_metadata(samples, name):
    con = duckdb.connect()
    path = str(samples / "parquet" / f"{name}.parquet")
    rows = con.execute(
        "SELECT row_group_id, path_in_schema, compression, num_values, stats_min_value, "
        "stats_max_value, stats_null_count FROM parquet_metadata(?) ORDER BY row_group_id, column_id",
        [path]).fetchall()
    assert len(rows) == 3 * len(COLUMNS)
    assert {r[2] for r in rows} == {CODECS[name]}
    by = {(r[0], r[1]): r for r in rows}
    for g in range(3):
        lo, hi = g * ROW_GROUP_ROWS, min(N_FILE_ROWS, (g + 1) * ROW_GROUP_ROWS)
        ids = by[(g, "id")]
        assert (ids[3], ids[4], ids[5], ids[6]) == (hi - lo, str(lo), str(hi - 1), 0)
        i32 = [expected_row(i)["i32"] for i in range(lo, hi)]
        vals = [v for v in i32 if v is not None]
        r = by[(g, "i32")]
        assert (r[4], r[5], r[6]) == (str(min(vals)), str(max(vals)), len(i32) - len(vals))


# ---------------------------------------------------------------- deltalake


def test_deltalake_reads_basic_table(samples):
    table = DeltaTable(str(samples / "delta" / "basic"))
    assert table.version() == 1
    assert len(table.file_uris()) == 3
    t = table.to_pyarrow_table().sort_by("id")
    for c in COLUMNS:
        assert t.schema.field(c).type == ARROW_TYPES[c], c
    assert_rows_equal(t.to_pylist(), [expected_row(i) for i in range(N_DELTA_ROWS)], COLUMNS)
    history = table.history()
    assert [h["version"] for h in history] == [1, 0]
    assert [h["operationParameters"]["mode"] for h in history] == ["Append", "ErrorIfExists"]
    assert table.metadata().name == "basic"


def file_rows(path):
    ids = pq.read_table(path, columns=["id"]).column("id").to_pylist()
    return [expected_row(i) for i in ids]


def test_deltalake_add_action_stats(samples):
    root = samples / "delta" / "basic"
    table = DeltaTable(str(root))
    actions = pa.record_batch(table.get_add_actions(flatten=True)).to_pylist()
    assert len(actions) == 3
    for a in actions:
        rows = file_rows(root / a["path"])
        assert a["num_records"] == len(rows)
        assert a["size_bytes"] == (root / a["path"]).stat().st_size
        for c in COLUMNS:
            values = [r[c] for r in rows if r[c] is not None]
            assert a[f"null_count.{c}"] == len(rows) - len(values), c
            if c == "flag":
                continue  # Delta keeps no min/max for booleans
            has_nan = c == "dbl" and any(math.isnan(v) for v in values)
            if c == "dbl":
                values = [v for v in values if not math.isnan(v)]
            if c.startswith("s_"):
                # 32-character prefixes; a truncated max is left out
                key = lambda s: s.encode()
                lo, hi = min(values, key=key), max(values, key=key)
                assert a[f"min.{c}"] == lo[:32], c
                assert a[f"max.{c}"] == (hi if len(hi) <= 32 else None), c
                continue
            lo, hi = min(values), max(values)
            if c == "ts":
                # milliseconds: the min rounded down, the max rounded up
                lo_us = (lo - EPOCH_TS) // dt.timedelta(microseconds=1)
                hi_us = (hi - EPOCH_TS) // dt.timedelta(microseconds=1)
                lo = EPOCH_TS + dt.timedelta(milliseconds=lo_us // 1000)
                hi = EPOCH_TS + dt.timedelta(milliseconds=-(-hi_us // 1000))
            if c == "dbl":
                # JSON has no infinities, and Spark sorts NaN last: such bounds are left out
                lo = None if math.isinf(lo) else lo
                hi = None if math.isinf(hi) or has_nan else hi
            assert a[f"min.{c}"] == lo and a[f"max.{c}"] == hi, c


def test_deltalake_filters_use_stats_correctly(samples):
    """A pyarrow dataset from deltalake prunes files by the stats: wrong stats lose rows."""
    ds = DeltaTable(str(samples / "delta" / "basic")).to_pyarrow_dataset()
    rows = [expected_row(i) for i in range(N_DELTA_ROWS)]
    cut_ts = EPOCH_TS + dt.timedelta(microseconds=ts_micros(2600) + 1)
    checks = [
        (pc.field("id") >= 2600, lambda r: r["id"] >= 2600),
        (pc.field("ts") >= pa.scalar(cut_ts, pa.timestamp("us", tz="UTC")),
         lambda r: r["ts"] is not None and r["ts"] >= cut_ts),
        (pc.field("s_many") < "v001300", lambda r: r["s_many"] < "v001300"),
        (pc.field("dec18") > pa.scalar(Decimal("0.00"), pa.decimal128(18, 2)),
         lambda r: r["dec18"] is not None and r["dec18"] > 0),
    ]
    for expr, pred in checks:
        assert ds.to_table(filter=expr).num_rows == sum(1 for r in rows if pred(r)), str(expr)


def test_deltalake_reads_partitioned_table(samples):
    table = DeltaTable(str(samples / "delta" / "partitioned"))
    assert table.metadata().partition_columns == ["region", "day"]
    t = table.to_pyarrow_table().sort_by("id")
    cols = ["id", "region", "day", "amount", "note"]
    assert_rows_equal(t.select(cols).to_pylist(), [expected_partitioned_row(i) for i in range(600)], cols)
    odd = table.to_pyarrow_table(filters=[("region", "=", "a/b:c=d%")])
    assert sorted(odd.column("id").to_pylist()) == [i for i in range(600) if i % 4 == 2]
    log = (samples / "delta" / "partitioned" / "_delta_log" / "00000000000000000000.json").read_text()
    adds = [json.loads(line)["add"] for line in log.splitlines() if '"add"' in line]
    assert any(a["path"].startswith("region=a%252Fb%253Ac%253Dd%2525/day=2024-01-01/") for a in adds)
    assert any(a["partitionValues"]["region"] is None for a in adds)


# ---------------------------------------------------------------- Spark


SPARK_SELECT = ("id, flag, i32, i64, dbl, dec9, dec18, dec38, day, unix_micros(ts) AS ts, "
                "s_small, s_many, s_long")


def spark_rows(df):
    return [r.asDict() for r in df.selectExpr(*SPARK_SELECT.split(", ")).orderBy("id").collect()]


def test_spark_reads_parquet_files(samples, spark_session):
    for name in CODECS:
        df = spark_session.read.parquet(str(samples / "parquet" / f"{name}.parquet"))
        assert [f.dataType.simpleString() for f in df.schema.fields] == SPARK_TYPES
        assert_rows_equal(spark_rows(df), [duck_expected(i) for i in range(N_FILE_ROWS)], COLUMNS)


def test_spark_reads_delta_table(samples, spark_session):
    path = str(samples / "delta" / "basic")
    df = spark_session.read.format("delta").load(path)
    assert [f.dataType.simpleString() for f in df.schema.fields] == SPARK_TYPES
    assert [f.nullable for f in df.schema.fields] == [c not in NOT_NULL for c in COLUMNS]
    assert_rows_equal(spark_rows(df), [duck_expected(i) for i in range(N_DELTA_ROWS)], COLUMNS)


def test_spark_filters_with_delta_stats(samples, spark_session):
    """Delta data skipping reads our add-action stats: wrong stats would drop rows."""
    df = spark_session.read.format("delta").load(str(samples / "delta" / "basic"))
    rows = [expected_row(i) for i in range(N_DELTA_ROWS)]
    cut = ts_micros(2600) + 1
    checks = [
        ("id >= 2600", lambda r: r["id"] >= 2600),
        (f"unix_micros(ts) >= {cut}", lambda r: r["ts"] is not None and ts_micros(r["id"]) >= cut),
        (f"ts >= timestamp_micros({cut})", lambda r: r["ts"] is not None and ts_micros(r["id"]) >= cut),
        ("day < DATE'1960-01-01'", lambda r: r["day"] is not None and r["day"] < dt.date(1960, 1, 1)),
        ("s_many >= 'v002500'", lambda r: r["s_many"] >= "v002500"),
        ("dec38 < 0", lambda r: r["dec38"] is not None and r["dec38"] < 0),
        ("i64 IS NULL", lambda r: r["i64"] is None),
        # Spark: NaN is greater than any other double
        ("dbl > 300", lambda r: r["dbl"] is not None and (math.isnan(r["dbl"]) or r["dbl"] > 300)),
        ("dbl < -100", lambda r: r["dbl"] is not None and r["dbl"] < -100),
    ]
    for cond, pred in checks:
        assert df.where(cond).count() == sum(1 for r in rows if pred(r)), cond


def test_spark_describe_history(samples, spark_session):
    path = str(samples / "delta" / "basic")
    hist = spark_session.sql(f"DESCRIBE HISTORY delta.`{path}`").orderBy("version").collect()
    assert [h.version for h in hist] == [0, 1]
    assert [h.operation for h in hist] == ["WRITE", "WRITE"]
    assert hist[1].operationParameters["mode"] == "Append"
    assert hist[1].operationMetrics["numOutputRows"] == "500"
    detail = spark_session.sql(f"DESCRIBE DETAIL delta.`{path}`").collect()[0]
    assert detail.numFiles == 3
    assert detail.minReaderVersion == 1 and detail.minWriterVersion == 2


def test_spark_reads_partitioned_table(samples, spark_session, tmp_path):
    path = str(tmp_path / "partitioned")
    shutil.copytree(samples / "delta" / "partitioned", path)
    df = spark_session.read.format("delta").load(path)
    assert [f.name for f in df.schema.fields] == ["id", "region", "day", "amount", "note"]
    rows = [r.asDict() for r in df.orderBy("id").collect()]
    cols = ["id", "region", "day", "amount", "note"]
    assert_rows_equal(rows, [expected_partitioned_row(i) for i in range(600)], cols)
    assert df.where("region = 'a/b:c=d%'").count() == 150
    assert df.where("region IS NULL AND day = DATE'2024-01-02'").count() == 75
    # Spark appends to our table and reads both its rows and ours
    spark_session.createDataFrame(
        [(10_000, "EU", dt.date(2024, 1, 3), Decimal("1.50"), "from spark")],
        df.schema).write.format("delta").mode("append").save(path)
    assert spark_session.read.format("delta").load(path).count() == 601
    assert DeltaTable(path).to_pyarrow_table().num_rows == 601
