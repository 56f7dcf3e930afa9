"""What `generate DATASET --execute` (the native engine) writes, read back by independent readers.

For a few predefined datasets at small target rows, the binary writes each output format into its
own root; then:

- Delta tables: the `deltalake` package, DuckDB's delta_scan is not used (an extension download);
  Spark with Delta (the `spark` fixture of conftest.py) reads every table and filters a partition;
- Parquet files: pyarrow (types, row counts) and DuckDB (primary keys unique, foreign keys join);
- CSV: Python's csv module (RFC 4180), every value compared with the Parquet output as text;
- JSON lines: Python's json module, every value compared with the Parquet output.

The expectations come from the dataset configs (datasets/<id>.yaml: column types, primary keys,
relationships) and the plan (`--dry-run --json`: rows per table, which tables are written). Also
checked: the run log, the --json summary, byte-identical files across --threads and --chunk-size,
an interrupted run (SIGINT) and an unwritable output root leaving nothing behind.

INGEN_BUILD_DIR names the build directory (default build/); INGEN_NO_SPARK=1 skips the Spark checks.
"""

import csv
import datetime as dt
import hashlib
import json
import math
import os
import re
import signal
import subprocess
import time
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq
import pytest
import yaml
from deltalake import DeltaTable

REPO_ROOT = Path(__file__).resolve().parents[2]
BUILD_DIR = Path(os.environ.get("INGEN_BUILD_DIR", REPO_ROOT / "build"))
EXE = BUILD_DIR / "ingen_fab"
FORMATS = ["delta", "parquet", "csv", "jsonl"]
LOG_TABLE = "log_synthetic_data_generation"  # the package's log table, appended by every run
# dataset -> target rows: parent/child tables and references (retail), partitioned Delta tables
# with zstd (finance large), and two more domains
DATASETS = {
    "retail_oltp_small": 3000,
    "finance_oltp_large": 3000,
    "healthcare_oltp_small": 2000,
    "ecommerce_star_small": 2000,
}


def run_cli(*args, root, check=True, **kw):
    if not EXE.exists():
        pytest.fail(f"{EXE} is not built (INGEN_BUILD_DIR names another build directory)", pytrace=False)
    env = dict(os.environ)
    env["FABRIC_WORKSPACE_REPO_DIR"] = str(root)
    r = subprocess.run([str(EXE), "package", "synthetic-data", *args], capture_output=True, text=True,
                       env=env, **kw)
    if check:
        assert r.returncode == 0, r.stderr
    return r


# ---------------------------------------------------------------- expectations


def arrow_type(spark_type):
    t = spark_type.replace(" ", "")
    m = re.fullmatch(r"decimal\((\d+),(\d+)\)", t)
    if m:
        return pa.decimal128(int(m.group(1)), int(m.group(2)))
    if t.startswith("varchar"):
        return pa.string()
    return {
        "bigint": pa.int64(), "int": pa.int32(), "double": pa.float64(), "boolean": pa.bool_(),
        "string": pa.string(), "date": pa.date32(), "timestamp": pa.timestamp("us", tz="UTC"),
    }[t]


def spark_type_name(spark_type):
    t = spark_type.replace(" ", "")
    return "string" if t.startswith("varchar") else t


class Expect:
    """A dataset's tables as the config and the plan describe them."""

    def __init__(self, dataset_id, target_rows, tmp_root):
        with open(REPO_ROOT / "datasets" / f"{dataset_id}.yaml") as f:
            self.config = yaml.safe_load(f)
        r = run_cli("generate", dataset_id, "--dry-run", "--json", "-r", str(target_rows), root=tmp_root)
        plan = json.loads(r.stdout)["datasets"][0]["plan"]
        self.id = dataset_id
        self.target_rows = target_rows
        self.rows = {t["name"]: t["rows"] for t in plan["tables"]}
        self.written = [t["name"] for t in plan["tables"] if t["selected"]]
        tables = self.config["tables"]
        self.columns = {name: [(c, str(spec["type"])) for c, spec in t["columns"].items()]
                        for name, t in tables.items()}
        self.pk = {}
        for name, t in tables.items():
            pk = t.get("primary_key")
            if pk:
                self.pk[name] = [pk] if isinstance(pk, str) else list(pk)
        # foreign keys: the relationships list and every reference column
        fks = set()
        for rel in self.config.get("relationships") or []:
            fks.add((tuple(rel["child"].split(".")), tuple(rel["parent"].split("."))))
        for name, t in tables.items():
            for c, spec in t["columns"].items():
                if spec.get("generator") == "reference":
                    fks.add(((name, c), tuple(spec["references"].split("."))))
        self.fks = sorted(fk for fk in fks if fk[0][0] in self.written and fk[1][0] in self.written)
        self.partitions = {}
        for name, t in tables.items():
            parts = t.get("partition_columns")
            if parts is None:
                parts = [p for p in (self.config.get("output") or {}).get("partition_columns") or []
                         if p in t["columns"]]
            self.partitions[name] = list(parts)


@pytest.fixture(scope="module")
def lake(tmp_path_factory):
    """dataset -> (Expect, {format: (root, summary)}) with every format written."""
    out = {}
    base = tmp_path_factory.mktemp("native")
    for ds, rows in DATASETS.items():
        exp = Expect(ds, rows, base / "plan")
        runs = {}
        for fmt in FORMATS:
            root = base / ds / fmt
            r = run_cli("generate", ds, "--execute", "--output-format", fmt, "-r", str(rows), "--json",
                        root=root)
            runs[fmt] = (root, json.loads(r.stdout))
        out[ds] = (exp, runs)
    return out


def lakehouse(root, ds):
    return Path(root) / "lakehouse" / ds


def table_dir(root, ds, fmt, table):
    if fmt == "delta":
        return lakehouse(root, ds) / "Tables" / table
    return lakehouse(root, ds) / "Files" / "synthetic_data" / ds / fmt / table


def parquet_table(lake, ds, table):
    exp, runs = lake[ds]
    root = runs["parquet"][0]
    files = sorted(table_dir(root, ds, "parquet", table).glob("part-*.parquet"))
    assert files
    return pa.concat_tables([pq.read_table(f) for f in files])


@pytest.fixture(scope="module")
def spark_session(request):
    if os.environ.get("INGEN_NO_SPARK") == "1":
        pytest.skip("INGEN_NO_SPARK=1: Spark checks switched off")
    return request.getfixturevalue("spark")


# ---------------------------------------------------------------- layout, summary, run log


@pytest.mark.parametrize("ds", list(DATASETS))
def test_every_written_table_is_there_and_nothing_else(lake, ds):
    exp, runs = lake[ds]
    for fmt, (root, summary) in runs.items():
        base = lakehouse(root, ds)
        tables = sorted(p.name for p in (base / "Tables").iterdir())
        # every run appends its rows to the package's log table, whatever the format
        assert LOG_TABLE in tables, fmt
        if fmt == "delta":
            found = [t for t in tables if t != LOG_TABLE]
        else:
            found = sorted(p.name for p in (base / "Files" / "synthetic_data" / ds / fmt).iterdir())
        assert found == sorted(exp.written), fmt
        log = DeltaTable(str(base / "Tables" / LOG_TABLE)).to_pyarrow_table().to_pylist()
        table_rows = {r["table_name"]: r["rows_generated"] for r in log if r["execution_step"] == "table"}
        assert table_rows == {t: exp.rows[t] for t in exp.written}, fmt
        assert [r["status"] for r in log if r["execution_step"] == "run"] == ["completed"], fmt
        leftovers = [p for p in base.rglob("*") if ".tmp-" in p.name or ".old-" in p.name]
        assert leftovers == []
        assert [t["table"] for t in summary["tables"]] == exp.written
        assert {t["table"]: t["rows"] for t in summary["tables"]} == {t: exp.rows[t] for t in exp.written}


@pytest.mark.parametrize("ds", list(DATASETS))
def test_summary_and_run_log(lake, ds):
    exp, runs = lake[ds]
    for fmt, (root, summary) in runs.items():
        assert summary["dataset_id"] == ds
        assert summary["engine"] == "native"
        assert summary["output_format"] == fmt
        assert summary["output_mode"] == ("table" if fmt == "delta" else fmt)
        assert summary["rows"] == sum(exp.rows[t] for t in exp.written)
        assert summary["threads"] >= 1 and summary["peak_memory_mb"] > 0
        logs = list((lakehouse(root, ds) / "Files" / "synthetic_data" / "_runs").glob(f"{ds}_native_*.json"))
        assert len(logs) == 1
        assert re.fullmatch(rf"{ds}_native_\d+\.json", logs[0].name)
        log = json.loads(logs[0].read_text())
        assert log == summary
        for t in log["tables"]:
            assert set(t) >= {"table", "rows", "seconds", "rows_per_second", "path"}
            assert Path(t["path"]).resolve() == table_dir(root, ds, fmt, t["table"]).resolve()
            assert t["seconds"] >= 0 and t["files"] >= 1


# ---------------------------------------------------------------- Parquet: pyarrow and DuckDB


@pytest.mark.parametrize("ds", list(DATASETS))
def test_parquet_types_and_row_counts(lake, ds):
    exp, _ = lake[ds]
    for t in exp.written:
        table = parquet_table(lake, ds, t)
        assert table.num_rows == exp.rows[t], t
        assert table.column_names == [c for c, _ in exp.columns[t]]
        for c, typ in exp.columns[t]:
            assert table.schema.field(c).type == arrow_type(typ), (t, c)


@pytest.mark.parametrize("ds", list(DATASETS))
def test_duckdb_keys_unique_and_foreign_keys_resolve(lake, ds):
    exp, runs = lake[ds]
    root = runs["parquet"][0]
    con = duckdb.connect()
    for t in exp.written:
        path = table_dir(root, ds, "parquet", t) / "*.parquet"
        con.execute(f"CREATE VIEW \"{t}\" AS SELECT * FROM read_parquet('{path}')")
        assert con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] == exp.rows[t]
    for t, cols in exp.pk.items():
        if t not in exp.written:
            continue
        keys = ", ".join(f'"{c}"' for c in cols)
        n, distinct, nulls = con.execute(
            f'SELECT count(*), count(DISTINCT ({keys})), count(*) FILTER (WHERE {" OR ".join(f"{c} IS NULL" for c in cols)}) '
            f'FROM "{t}"').fetchone()
        assert (n, distinct, nulls) == (exp.rows[t], exp.rows[t], 0), (t, cols)
    checked = 0
    for (ct, cc), (pt, pc) in exp.fks:
        orphans = con.execute(
            f'SELECT count(*) FROM "{ct}" c WHERE c."{cc}" IS NOT NULL AND NOT EXISTS '
            f'(SELECT 1 FROM "{pt}" p WHERE p."{pc}" = c."{cc}")').fetchone()[0]
        assert orphans == 0, f"{ct}.{cc} -> {pt}.{pc}: {orphans} orphans"
        checked += 1
    assert checked > 0 or not exp.fks


# ---------------------------------------------------------------- Delta: deltalake


@pytest.mark.parametrize("ds", list(DATASETS))
def test_deltalake_reads_every_table(lake, ds):
    exp, runs = lake[ds]
    root = runs["delta"][0]
    for t in exp.written:
        dt_ = DeltaTable(str(table_dir(root, ds, "delta", t)))
        assert dt_.version() == 0
        assert list(dt_.metadata().partition_columns) == exp.partitions[t]
        table = dt_.to_pyarrow_table()
        assert table.num_rows == exp.rows[t], t
        for c, typ in exp.columns[t]:
            got = table.schema.field(c).type
            want = arrow_type(typ)
            if pa.types.is_large_string(got) or pa.types.is_string_view(got):
                got = pa.string()
            if pa.types.is_dictionary(got):
                got = got.value_type
            assert got == want, (t, c, got, want)
        # the same rows as the Parquet output (same engine, same plan)
        want = parquet_table(lake, ds, t)
        key = exp.pk.get(t) or [exp.columns[t][0][0]]
        got_rows = sorted(table.select(want.column_names).cast(want.schema).to_pylist(),
                          key=lambda r: tuple(r[k] for k in key))
        want_rows = sorted(want.to_pylist(), key=lambda r: tuple(r[k] for k in key))
        assert got_rows == want_rows, t
        adds = pa.record_batch(dt_.get_add_actions(flatten=True)).to_pylist()
        assert sum(a["num_records"] for a in adds) == exp.rows[t]


def test_delta_partitions_hold_their_values(lake):
    exp, runs = lake["finance_oltp_large"]
    root = runs["delta"][0]
    partitioned = [t for t in exp.written if exp.partitions[t]]
    assert partitioned, "finance_oltp_large has partitioned tables"
    for t in partitioned:
        col = exp.partitions[t][0]
        tdir = table_dir(root, ds="finance_oltp_large", fmt="delta", table=t)
        folders = sorted(p.name for p in tdir.iterdir() if p.is_dir() and p.name != "_delta_log")
        assert folders and all(f.startswith(col + "=") for f in folders)
        dt_ = DeltaTable(str(tdir))
        some = folders[len(folders) // 2].split("=", 1)[1]
        value = dt.date.fromisoformat(some) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", some) else some
        part = dt_.to_pyarrow_table(partitions=[(col, "=", some)])
        full = dt_.to_pyarrow_table()
        assert part.num_rows == sum(1 for v in full.column(col).to_pylist() if v == value) > 0


# ---------------------------------------------------------------- CSV and JSON lines


def csv_text(v, typ):
    """The text the CSV writer gives a value (as read from Parquet); None for NULL."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dt.datetime):
        return v.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, Decimal):
        return format(v, "f")
    return str(v)


def read_parts(root, ds, fmt, table):
    files = sorted(table_dir(root, ds, fmt, table).glob(f"part-*.{fmt}"))
    assert files and all(re.fullmatch(rf"part-\d{{5}}\.{fmt}", f.name) for f in files)
    return files


@pytest.mark.parametrize("ds", list(DATASETS))
def test_csv_values_match_parquet(lake, ds):
    exp, runs = lake[ds]
    root = runs["csv"][0]
    for t in exp.written:
        want = parquet_table(lake, ds, t).to_pylist()
        names = [c for c, _ in exp.columns[t]]
        types = dict(exp.columns[t])
        rows = []
        for f in read_parts(root, ds, "csv", t):
            with open(f, newline="", encoding="utf-8") as fh:
                reader = csv.reader(fh, strict=True)
                assert next(reader) == names
                rows.extend(reader)
        assert len(rows) == exp.rows[t]
        for i, (got, w) in enumerate(zip(rows, want)):
            assert len(got) == len(names)
            for c, text in zip(names, got):
                v = w[c]
                if isinstance(v, float):
                    assert float(text) == v or (math.isnan(v) and text == "NaN"), (t, i, c, text, v)
                    assert re.fullmatch(r"-?(\d+\.\d+(E-?\d+)?|NaN|Infinity)", text), text
                else:
                    assert text == csv_text(v, types[c]), (t, i, c, text, v)


@pytest.mark.parametrize("ds", list(DATASETS))
def test_jsonl_values_match_parquet(lake, ds):
    exp, runs = lake[ds]
    root = runs["jsonl"][0]
    for t in exp.written:
        want = parquet_table(lake, ds, t).to_pylist()
        names = [c for c, _ in exp.columns[t]]
        got_rows = []
        for f in read_parts(root, ds, "jsonl", t):
            with open(f, encoding="utf-8") as fh:
                for line in fh:
                    got_rows.append(json.loads(line, parse_float=Decimal))
        assert len(got_rows) == exp.rows[t]
        for i, (got, w) in enumerate(zip(got_rows, want)):
            assert list(got) == names
            for c in names:
                g, v = got[c], w[c]
                if v is None:
                    assert g is None, (t, i, c)
                elif isinstance(v, bool):
                    assert g is v
                elif isinstance(v, int):
                    assert type(g) is int and g == v, (t, i, c, g, v)
                elif isinstance(v, float):
                    assert (isinstance(g, str) and math.isnan(v)) or float(g) == v, (t, i, c, g, v)
                elif isinstance(v, Decimal):
                    assert isinstance(g, Decimal) and g == v and g.as_tuple().exponent == v.as_tuple().exponent
                elif isinstance(v, (dt.date, dt.datetime)):
                    assert g == csv_text(v, None), (t, i, c, g, v)
                else:
                    assert g == v, (t, i, c, g, v)


# ---------------------------------------------------------------- Spark


def test_spark_reads_delta_parquet_and_csv(lake, spark_session):
    spark = spark_session
    for ds in ("retail_oltp_small", "finance_oltp_large"):
        exp, runs = lake[ds]
        for t in exp.written:
            df = spark.read.format("delta").load(str(table_dir(runs["delta"][0], ds, "delta", t)))
            assert df.count() == exp.rows[t], (ds, t)
            types = dict(df.dtypes)
            for c, typ in exp.columns[t]:
                assert types[c] == spark_type_name(typ), (ds, t, c, types[c])
            if t in exp.pk:
                assert df.select(*exp.pk[t]).distinct().count() == exp.rows[t]
            if ds == "retail_oltp_small":
                pdf = spark.read.parquet(str(table_dir(runs["parquet"][0], ds, "parquet", t)))
                assert pdf.count() == exp.rows[t]
                same = df.select(*pdf.columns)
                assert pdf.exceptAll(same).count() == 0 and same.exceptAll(pdf).count() == 0
                cdf = spark.read.option("header", "true").csv(str(table_dir(runs["csv"][0], ds, "csv", t)))
                assert cdf.count() == exp.rows[t]
                assert cdf.columns == [c for c, _ in exp.columns[t]]
    # a partition filter on a partitioned Delta table
    exp, runs = lake["finance_oltp_large"]
    t = next(t for t in exp.written if exp.partitions[t])
    col = exp.partitions[t][0]
    df = spark.read.format("delta").load(str(table_dir(runs["delta"][0], "finance_oltp_large", "delta", t)))
    first = df.select(col).orderBy(col).first()[0]
    assert df.filter(df[col] == first).count() == df.toPandas()[col].eq(first).sum()


# ---------------------------------------------------------------- determinism and failures


def tree_digest(base):
    # the data files only: not the logs of the run (the run log, the log table, the Delta log's
    # commit times)
    out = {}
    for p in sorted(Path(base).rglob("*")):
        if p.is_file() and not {"_delta_log", "_runs", LOG_TABLE} & set(p.parts):
            out[str(p.relative_to(base))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


@pytest.mark.parametrize("fmt", ["csv", "delta"])
def test_same_bytes_with_any_threads_and_chunk_size(tmp_path, fmt):
    digests = []
    for i, extra in enumerate([["--threads", "1"], ["--threads", "2", "--chunk-size", "777"],
                               ["--threads", "3", "--chunk-size", "5000"]]):
        root = tmp_path / str(i)
        # 150,000 orders: several files per table, so threads share tables
        run_cli("generate", "retail_oltp_small", "--execute", "--output-format", fmt, "-r", "150000", *extra,
                root=root)
        digests.append(tree_digest(lakehouse(root, "retail_oltp_small")))
    assert sum(1 for name in digests[0] if "/orders/" in name) >= 3
    assert digests[0] == digests[1] == digests[2]


def test_interrupted_run_leaves_no_half_table(tmp_path):
    root = tmp_path / "out"
    env = dict(os.environ, FABRIC_WORKSPACE_REPO_DIR=str(root))
    proc = subprocess.Popen([str(EXE), "package", "synthetic-data", "generate", "retail_oltp_small", "--execute",
                             "--output-format", "csv", "-r", "50000000", "--threads", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    files = lakehouse(root, "retail_oltp_small") / "Files" / "synthetic_data" / "retail_oltp_small" / "csv"
    deadline = time.time() + 60
    while time.time() < deadline and proc.poll() is None:
        if files.exists() and any(".tmp-" in p.name for p in files.iterdir()) and \
                any(p.stat().st_size > 0 for p in files.rglob("part-*")):
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the run ended before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, err
    assert "interrupted by SIGINT" in err
    assert out == ""
    left = [p.name for p in files.iterdir()] if files.exists() else []
    assert not any(".tmp-" in n for n in left)
    assert "orders" not in left and "order_items" not in left  # far from finished
    assert not (lakehouse(root, "retail_oltp_small") / "Files" / "synthetic_data" / "_runs").exists()


def test_unwritable_root_is_an_error_and_writes_nothing(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    r = run_cli("generate", "retail_oltp_small", "--execute", "-r", "1000", root=blocker / "out", check=False)
    assert r.returncode == 1
    assert r.stdout == ""
    assert r.stderr.startswith("ingen_fab: cannot create directory '")
    assert str(blocker) in r.stderr and "Not a directory" in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_folders_of_killed_runs_are_swept(tmp_path):
    """A run killed with SIGKILL leaves <table>.tmp-<pid> / .old-<pid>; the next run removes
    those of dead processes and leaves a live process's alone."""
    run_cli("generate", "retail_oltp_small", "--execute", "-r", "1000", root=tmp_path)
    tables = lakehouse(tmp_path, "retail_oltp_small") / "Tables"
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = [tables / f"orders.tmp-{dead.pid}", tables / f"customers.old-{dead.pid}"]
    live = tables / f"orders.tmp-{os.getpid()}"
    for d in stale + [live]:
        (d / "half").mkdir(parents=True)
    run_cli("generate", "retail_oltp_small", "--execute", "-r", "1000", root=tmp_path)
    assert not any(d.exists() for d in stale)
    assert live.is_dir()
    assert "orders" in {p.name for p in tables.iterdir()}


def test_json_summary_and_text_summary(tmp_path):
    r = run_cli("generate", "retail_oltp_small", "--execute", "-r", "1000", "--output-format", "parquet",
                root=tmp_path)
    line = r.stdout.strip()
    assert "\n" not in line
    assert re.fullmatch(r"retail_oltp_small: \d+ tables, \d+ rows in [\d.]+ s( \(\d+ rows/s\))?, parquet, "
                        r"\d+ threads?, peak \d+ MB -> .*lakehouse/retail_oltp_small", line), line
    assert r.stderr == ""  # no progress line when stderr is not a terminal
