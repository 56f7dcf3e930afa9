"""End to end: the single-run notebooks (python.py.j2, pyspark.py.j2) append their rows to the
lakehouse's log table `log_synthetic_data_generation`, as the native `generate --execute` does
(docs/output-layout.md, "The log table").

`generate --execute --engine python|pyspark --json` compiles the notebook and runs it; the log
table must then hold one 'table' row per table of the run summary, with the summary's rows, and
one 'run' row (table_name NULL, status 'completed', rows = the summary's total), all of one
job_id. A second run appends (two job ids). Files runs (parquet) log too: Tables/ holds only the
log table then.

Run: INGEN_FAB_BIN=build-x/ingen_fab .venv/bin/python -m pytest tests/e2e/test_notebook_log_table.py
"""

import json
import sys
from pathlib import Path

import pytest

import datasets_meta as dm

deltalake = pytest.importorskip("deltalake")

DS = "retail_oltp_small"
ROWS = 200
LOG = "log_synthetic_data_generation"


def _generate(root, engine, *args, env=None):
    p = dm.run_cli(["--fabric-workspace-repo-dir", root, "package", "synthetic-data", "generate", DS,
                    "--target-rows", ROWS, "--execute", "--engine", engine, "--json", *args],
                   env=env or dm.clean_env(INGEN_FAB_PYTHON=sys.executable), timeout=900)
    assert p.returncode == 0, p.stdout + p.stderr
    return json.loads(p.stdout)


def _log_rows(root):
    path = Path(root) / "lakehouse" / DS / "Tables" / LOG
    assert (path / "_delta_log").is_dir(), f"no log table at {path}"
    return deltalake.DeltaTable(str(path)).to_pyarrow_table().to_pylist()


def _check_job(rows, summary, engine):
    tables = [r for r in rows if r["execution_step"] == "table"]
    runs = [r for r in rows if r["execution_step"] == "run"]
    assert len(runs) == 1, runs
    run = runs[0]
    assert {r["job_id"] for r in rows} == {run["job_id"]}
    assert all(r["dataset_id"] == DS for r in rows)
    assert {r["table_name"]: r["rows_generated"] for r in tables} == \
        {t["table"]: t["rows"] for t in summary["tables"]}, engine
    assert len(tables) == len(summary["tables"])
    assert all(r["status"] == "completed" and r["generation_date"] is None for r in tables)
    assert run["table_name"] is None and run["status"] == "completed" and run["error_details"] is None
    assert run["rows_generated"] == summary["rows"] > 0
    assert run["message"].startswith(f"generate {DS}: {len(summary['tables'])} tables, {summary['rows']} rows")
    assert len({r["log_id"] for r in rows}) == len(rows)


def test_python_notebook_logs_its_tables_and_run(tmp_path):
    first = _generate(tmp_path, "python")
    rows = _log_rows(tmp_path)
    _check_job(rows, first, "python")
    # a second run (parquet files) appends its own job; Tables/ holds only the log table
    root2 = tmp_path / "files"
    files = _generate(root2, "python", "--output-mode", "parquet")
    assert sorted(p.name for p in (root2 / "lakehouse" / DS / "Tables").iterdir()) == [LOG]
    _check_job(_log_rows(root2), files, "python parquet")
    second = _generate(tmp_path, "python")
    rows = _log_rows(tmp_path)
    jobs = {r["job_id"] for r in rows}
    assert len(jobs) == 2
    for job in jobs:
        _check_job([r for r in rows if r["job_id"] == job], second, "python (appended)")
    assert first["rows"] == second["rows"]


def test_pyspark_notebook_logs_its_tables_and_run(tmp_path, spark_jars):
    env = dm.clean_env(INGEN_FAB_PYTHON=sys.executable, INGEN_FAB_SPARK_JARS=",".join(spark_jars))
    summary = _generate(tmp_path, "pyspark", env=env)
    _check_job(_log_rows(tmp_path), summary, "pyspark")
