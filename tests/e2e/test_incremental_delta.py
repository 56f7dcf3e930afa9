"""End to end: the native incremental series written as Delta tables (`--output-mode table`),
the log table, and kill-and-resume (docs/incremental.md, "Files, tables and state").

- A 4-day series into Delta tables: read with the `deltalake` package AND with Spark + Delta,
  each table holds exactly the rows of the parquet series of the same days (incremental tables:
  every day appended; snapshots and dimensions: the last delivery, the table overwritten);
  one Delta version per day an incremental table is written.
- The log table `log_synthetic_data_generation`: one 'table' row per table and day, one 'run'
  row with status 'completed'; a failing run appends its 'failed' row.
- Kill and resume: the test hook INGEN_FAB_TEST_KILL_AFTER_DAYS=k makes the process SIGKILL
  itself after day k is in place but before its state is written; `--resume` then gives the
  same result as an uninterrupted series: the parquet tree byte for byte, the Delta tables with
  the same active data files (names and bytes) and no commit twice for a day; no staging or
  temporary folder left. `--ignore-state` starts over and gives the same result again.
"""

import hashlib
import json
import os
import signal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from deltalake import DeltaTable

import datasets_meta as dm

DS = "retail_oltp_small_incremental"
ROWS = 2000
START, END = "2024-01-01", "2024-01-04"
LOG = "log_synthetic_data_generation"


def _series(root, *extra, env=None, end=END, check=True):
    p = dm.run_cli(["--fabric-workspace-repo-dir", root, "package", "synthetic-data", "generate-series", DS,
                    "--start-date", START, "--end-date", end, "-r", ROWS, "--execute", "--threads", "2", *extra],
                   env=env)
    if check:
        assert p.returncode == 0, "%s failed (%d):\n%s%s" % (extra, p.returncode, p.stdout, p.stderr)
    return p


def _lake(root):
    return Path(root) / "lakehouse" / DS


def _sorted(t):
    """An Arrow table in a canonical row order (by every column)."""
    return t.sort_by([(c, "ascending") for c in t.column_names])


def _parquet_days(root):
    """{table: [(folder, Arrow table)] in day order} of a parquet series."""
    base = _lake(root) / "Files" / "synthetic_data" / DS / "parquet"
    out = {}
    for folder in sorted({p.parent for p in base.rglob("*.parquet")}):
        table = folder.relative_to(base).parts[0]   # path format nested: {table}/{yyyy}/{mm}/{dd}
        parts = sorted(folder.glob("*.parquet"))
        out.setdefault(table, []).append(pa.concat_tables([pq.read_table(p) for p in parts]))
    return out


def _state(root):
    return json.loads((_lake(root) / "Files" / "_state" / (DS + ".json")).read_text())


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("incr_delta")
    parquet, delta = str(base / "parquet"), str(base / "delta")
    _series(parquet)
    p = _series(delta, "--output-mode", "table", "--json")
    return {"parquet": parquet, "delta": delta, "summary": json.loads(p.stdout)}


def _versions(summary):
    """{table: [the Delta version of each day it was written]} from the series' JSON."""
    out = {}
    for day in summary["days"]:
        for t in day["tables"]:
            out.setdefault(t["table"], []).append(t["version"])
    return out


def _check_against_parquet(read_table, runs):
    days = _parquet_days(runs["parquet"])
    delta_root = _lake(runs["delta"]) / "Tables"
    assert sorted(p.name for p in delta_root.iterdir()) == sorted(list(days) + [LOG])
    for table, per_day in days.items():
        got = read_table(str(delta_root / table))
        all_days = pa.concat_tables(per_day)
        if got.num_rows == all_days.num_rows and len(per_day) > 1:
            want = all_days                     # appended every day
        else:
            want = per_day[-1]                  # overwritten by each delivery
        assert got.num_rows == want.num_rows, table
        assert _sorted(got.select(want.column_names)).equals(_sorted(want)), table


def test_delta_series_equals_parquet_series_deltalake(runs):
    _check_against_parquet(lambda path: DeltaTable(path).to_pyarrow_table(), runs)
    # the incremental tables append: one version per day, rows = the sum of the days
    versions = _versions(runs["summary"])
    assert versions["orders"] == [0, 1, 2, 3]
    days = _parquet_days(runs["parquet"])
    assert DeltaTable(str(_lake(runs["delta"]) / "Tables" / "orders")).to_pyarrow_table().num_rows == \
        sum(t.num_rows for t in days["orders"])
    # a snapshot delivered daily is overwritten: the table holds the last delivery only
    cust = DeltaTable(str(_lake(runs["delta"]) / "Tables" / "customers"))
    assert cust.version() == len(days["customers"]) - 1
    assert cust.to_pyarrow_table().num_rows == days["customers"][-1].num_rows
    assert cust.history()[0]["operationParameters"]["mode"] == "Overwrite"


def test_delta_series_equals_parquet_series_spark(runs, spark):
    days = _parquet_days(runs["parquet"])
    delta_root = _lake(runs["delta"]) / "Tables"
    for table, per_day in days.items():
        df = spark.read.format("delta").load(str(delta_root / table))
        n = df.count()
        assert n == DeltaTable(str(delta_root / table)).to_pyarrow_table().num_rows, table
        # the keys Spark reads equal those the parquet series wrote
        key = per_day[0].column_names[0]
        got = sorted(r[0] for r in df.select(key).collect())
        want_tables = pa.concat_tables(per_day) if n == sum(t.num_rows for t in per_day) and len(per_day) > 1 \
            else per_day[-1]
        assert got == sorted(want_tables.column(key).to_pylist()), table


def test_log_table(runs):
    log = DeltaTable(str(_lake(runs["delta"]) / "Tables" / LOG)).to_pandas()
    assert log["log_id"].is_unique
    assert log["job_id"].nunique() == 1
    run = log[log["execution_step"] == "run"]
    assert len(run) == 1 and run["table_name"].isna().all()
    assert run["status"].tolist() == ["completed"]
    tables = log[log["execution_step"] == "table"]
    summary = runs["summary"]
    want = sorted((d["date"], t["table"], t["rows"]) for d in summary["days"] for t in d["tables"])
    got = sorted((str(r.generation_date)[:10], r.table_name, int(r.rows_generated)) for r in tables.itertuples())
    assert got == want
    assert int(run["rows_generated"].iloc[0]) == summary["rows"]
    assert set(tables["status"]) == {"completed"}


def test_failed_run_logs_failed(tmp_path):
    root = str(tmp_path)
    tables = _lake(root) / "Tables"
    tables.mkdir(parents=True)
    (tables / "orders").write_text("not a table folder")     # the commit of orders must fail
    p = _series(root, "--output-mode", "table", check=False)
    assert p.returncode == 1, p.stderr
    log = DeltaTable(str(tables / LOG)).to_pandas()
    run = log[log["execution_step"] == "run"]
    assert run["status"].tolist() == ["failed"]
    assert "orders" in run["error_details"].iloc[0]
    # nothing of the failed day is recorded as completed
    assert not (_lake(root) / "Files" / "_state" / (DS + ".json")).exists()


def _tree(root, sub):
    """{relative path: sha256} of every file under root/sub, logs and the log table excluded."""
    base = _lake(root) / sub
    out = {}
    for p in sorted(base.rglob("*")):
        if p.is_file() and "_delta_log" not in p.parts and LOG not in p.parts:
            out[str(p.relative_to(base))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def _active(root):
    """{table: sorted active data files} of the Delta tables."""
    base = _lake(root) / "Tables"
    return {t.name: sorted(os.path.relpath(u.replace("file://", ""), t) for u in DeltaTable(str(t)).file_uris())
            for t in base.iterdir() if t.name != LOG}


def _leftovers(root):
    lake = _lake(root)
    return [str(p) for p in lake.rglob("*") if ".tmp" in p.name or ".old-" in p.name or p.name == "_staging"]


@pytest.mark.parametrize("mode", ["parquet", "table"])
def test_kill_and_resume(tmp_path, mode):
    whole, killed = str(tmp_path / "whole"), str(tmp_path / "killed")
    _series(whole, "--output-mode", mode)
    env = dm.clean_env(INGEN_FAB_TEST_KILL_AFTER_DAYS="2")
    p = _series(killed, "--output-mode", mode, env=env, check=False)
    assert p.returncode == -signal.SIGKILL, (p.returncode, p.stderr)
    st = _state(killed)
    assert st["last_completed_date"] == "2024-01-01"   # day 2 in place, its state not written
    _series(killed, "--output-mode", mode, "--resume")
    assert _state(killed)["last_completed_date"] == END
    sub = "Tables" if mode == "table" else "Files/synthetic_data"
    assert _tree(killed, sub) == _tree(whole, sub)
    if mode == "table":
        assert _active(killed) == _active(whole)
        for t in ("orders", "order_items"):
            a = DeltaTable(str(_lake(killed) / "Tables" / t)).to_pyarrow_table()
            b = DeltaTable(str(_lake(whole) / "Tables" / t)).to_pyarrow_table()
            assert _sorted(a).equals(_sorted(b)), t
            # one commit per day: day 2 was not committed twice
            assert DeltaTable(str(_lake(killed) / "Tables" / t)).version() == 3
    # the staging folder of the killed process is stale (its pid is gone): the next run of the
    # dataset cleans it (Files/_staging is removed when empty)
    assert _leftovers(killed) == [], _leftovers(killed)
    # --ignore-state starts over and writes the same again
    _series(killed, "--output-mode", mode, "--ignore-state")
    assert _tree(killed, sub) == _tree(whole, sub)
    if mode == "table":
        assert _active(killed) == _active(whole)
    assert _leftovers(killed) == []


def test_python_notebook_delta_series_equals_native(tmp_path):
    """The compiled python incremental notebook with --output-mode table writes the same Delta
    tables (rows, one version per day) as the native series, and logs its run."""
    import subprocess
    import sys
    nb_root, native = str(tmp_path / "nb"), str(tmp_path / "native")
    end = "2024-01-03"
    p = dm.run_cli(["--fabric-workspace-repo-dir", nb_root, "package", "synthetic-data", "generate-series", DS,
                    "--start-date", START, "--end-date", end, "-r", ROWS, "-m", "python", "--output-mode", "table"])
    assert p.returncode == 0, p.stderr
    nb = next(Path(nb_root).rglob("notebook-content.py"))
    r = subprocess.run([sys.executable, str(nb)], capture_output=True, text=True, cwd=str(tmp_path), timeout=600)
    assert r.returncode == 0, r.stderr
    _series(native, "--output-mode", "table", end=end)
    a, b = _lake(native) / "Tables", _lake(nb_root) / "Tables"
    assert sorted(p.name for p in a.iterdir()) == sorted(p.name for p in b.iterdir())
    for t in a.iterdir():
        if t.name == LOG:
            continue
        x, y = DeltaTable(str(t)).to_pyarrow_table(), DeltaTable(str(b / t.name)).to_pyarrow_table()
        assert DeltaTable(str(t)).version() == DeltaTable(str(b / t.name)).version(), t.name
        y = y.select(x.column_names).cast(x.schema)
        assert _sorted(x).equals(_sorted(y)), t.name
    log = DeltaTable(str(b / LOG)).to_pandas()
    assert log[log["execution_step"] == "run"]["status"].tolist() == ["completed"]
    # the notebook and the native engine keep the same state: a native --resume has nothing to do
    p = _series(nb_root, "--output-mode", "table", "--resume", end=end)
    assert "nothing to do" in p.stdout
