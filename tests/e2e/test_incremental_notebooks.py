"""End to end: the incremental notebooks of `generate-series` / `generate-incremental` (without
--execute) write the same folders, rows and state as the native series (`--execute`).

- python mode, every incremental dataset of the catalogue (12): a 3-day series compiled with
  `-m python`, run as a script in a child process (it finds its lakehouse from its own
  location), equals `generate-series --execute` folder by folder and row by row (exact, except
  transcendental columns within 1e-12 relative, checks.compare_engines), and both state files
  agree on everything but the time they were written;
- a single day notebook (`generate-incremental --date`) of a later day equals the same day of
  the native series (a day alone equals the day inside a series);
- pyspark mode, one dataset, tiny rows: the notebook's source executed in this process with the
  shared Spark session of conftest.py equals the native series row by row.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import checks
import datasets_meta as dm

NOTEBOOK_DIR = "fabric_workspace_items/synthetic_data_generation"
ROWS = 1000
START, END = "2024-01-01", "2024-01-03"


def _cli(root, *args):
    p = dm.run_cli(["--fabric-workspace-repo-dir", root, "package", "synthetic-data", *args])
    assert p.returncode == 0, "%s failed (%d):\n%s%s" % (" ".join(map(str, args)), p.returncode, p.stdout, p.stderr)
    return p


def _data_root(root, ds, fmt="parquet"):
    return Path(root) / "lakehouse" / ds / "Files" / "synthetic_data" / ds / fmt


def read_folders(root, ds, fmt="parquet"):
    """{folder relative to the format root: Arrow table of its part files in name order}."""
    base = _data_root(root, ds, fmt)
    out = {}
    for part in sorted(base.rglob("*.parquet")):
        if part.name.startswith("."):
            continue
        out.setdefault(str(part.parent.relative_to(base)), []).append(part)
    return {k: pa.concat_tables([pq.read_table(p) for p in v]) for k, v in out.items()}


def read_state(root, ds):
    st = json.loads((Path(root) / "lakehouse" / ds / "Files" / "_state" / (ds + ".json")).read_text())
    st.pop("updated_at")
    st["scale_factor"] = float(st["scale_factor"])
    return st


def compile_notebook(root, ds, mode, *args):
    p = _cli(root, *args, "--generation-mode", mode, "--target-rows", ROWS, "--json")
    doc = json.loads(p.stdout)
    nb = Path(root) / NOTEBOOK_DIR / (doc["notebook"] + ".Notebook") / "notebook-content.py"
    assert nb.is_file(), doc
    assert (nb.parent / ".platform").is_file()
    return doc["notebook"], nb


def native_series(root, ds, start=START, end=END):
    _cli(root, "generate-series", ds, "--start-date", start, "--end-date", end, "--target-rows", ROWS,
         "--execute", "--output-mode", "parquet")


def compare(ds, a, b, label_a, label_b):
    """Same folders, and in each the same rows (checks.compare_engines, sorted rows)."""
    meta = dm.load(ds)
    trans = meta.transcendental()
    assert sorted(a) == sorted(b), "folders differ:\n%s: %s\n%s: %s" % (label_a, sorted(a), label_b, sorted(b))
    problems = []
    for folder in sorted(a):
        table = next(t for t in meta.tables if folder == t or folder.startswith(t + "/"))
        problems += checks.compare_engines(meta, folder, a[folder], b[folder], label_a, label_b,
                                           {c for (tn, c) in trans if tn == table}, None)
    assert not problems, "\n".join(problems)


# every incremental dataset of the catalogue
INCREMENTAL_DATASETS = sorted(p.stem for p in dm.DATASETS_DIR.glob("*_incremental.yaml"))


def first_days(ds, n=3):
    """The dataset's first n days (its incremental.start_date onwards), as YYYY-MM-DD."""
    import datetime
    start = datetime.date.fromisoformat(dm.load(ds).raw["incremental"]["start_date"])
    return [(start + datetime.timedelta(days=i)).isoformat() for i in range(n)]


def test_the_catalogue_has_the_incremental_datasets():
    assert len(INCREMENTAL_DATASETS) == 12, INCREMENTAL_DATASETS


@pytest.mark.parametrize("ds", INCREMENTAL_DATASETS)
def test_python_series_equals_native(ds, tmp_path):
    nb_root, nat_root = tmp_path / "nb", tmp_path / "native"
    start, _, end = first_days(ds)
    name, nb = compile_notebook(nb_root, ds, "python", "generate-series", ds, "--start-date", start,
                                "--end-date", end)
    assert name == "incremental_series_synthetic_data_%s_%s_%s_python" % (ds, start.replace("-", ""),
                                                                         end.replace("-", ""))
    p = subprocess.run([sys.executable, str(nb)], cwd=str(tmp_path), env=dm.clean_env(),
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stdout + p.stderr
    native_series(nat_root, ds, start, end)
    got, want = read_folders(nb_root, ds), read_folders(nat_root, ds)
    assert sum(t.num_rows for t in want.values()) > 0
    # three days of the incremental tables at least
    assert len({f.split("/", 1)[1] for f in want if "/" in f}) >= 3
    compare(ds, want, got, "native", "python notebook")
    assert read_state(nb_root, ds) == read_state(nat_root, ds)


def test_python_single_day_equals_native_series_day(tmp_path):
    ds, day = "retail_oltp_small_incremental", "2024-01-03"
    nb_root, nat_root = tmp_path / "nb", tmp_path / "native"
    name, nb = compile_notebook(nb_root, ds, "python", "generate-incremental", ds, "--date", day)
    assert name == "incremental_synthetic_data_%s_20240103_python" % ds
    p = subprocess.run([sys.executable, str(nb)], env=dm.clean_env(), capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stdout + p.stderr
    native_series(nat_root, ds)
    got = read_folders(nb_root, ds)
    want = {k: v for k, v in read_folders(nat_root, ds).items() if k.endswith("2024/01/03")}
    assert want and sorted(got) == sorted(want)
    compare(ds, want, got, "native series", "python day notebook")
    st = read_state(nb_root, ds)
    assert st["last_completed_date"] == day and st["dataset_id"] == ds


def test_python_notebook_refuses_another_state(tmp_path):
    """A state written with another seed is an error, as in the native series."""
    ds = "retail_oltp_small_incremental"
    native_series(tmp_path, ds)
    _name, nb = compile_notebook(tmp_path, ds, "python", "generate-series", ds, "--start-date", START,
                                 "--end-date", END, "--seed", "7")
    p = subprocess.run([sys.executable, str(nb)], env=dm.clean_env(), capture_output=True, text=True, timeout=600)
    assert p.returncode != 0 and "was written with seed" in p.stderr, p.stdout + p.stderr


# pyspark: one dataset in the suite (a Spark series costs about a minute); every incremental
# dataset with INGEN_E2E_PYSPARK_ALL=1 (docs/testing.md)
PYSPARK_DATASETS = (INCREMENTAL_DATASETS if os.environ.get("INGEN_E2E_PYSPARK_ALL") == "1"
                    else ["retail_oltp_small_incremental"])


@pytest.mark.parametrize("ds", PYSPARK_DATASETS)
def test_pyspark_series_equals_native(spark, tmp_path, ds):
    nb_root, nat_root = tmp_path / "nb", tmp_path / "native"
    start, _, end = first_days(ds)
    name, nb = compile_notebook(nb_root, ds, "pyspark", "generate-series", ds, "--start-date", start,
                                "--end-date", end)
    assert name.endswith("_pyspark")
    saved_conf = {k: spark.conf.get(k, None) for k in ("spark.sql.ansi.enabled", "spark.sql.session.timeZone",
                                                   "spark.sql.parquet.outputTimestampType")}
    saved_env = os.environ.pop("INGEN_FAB_OUTPUT_ROOT", None)
    try:
        exec(compile(nb.read_text(encoding="utf-8"), str(nb), "exec"),
             {"spark": spark, "__file__": str(nb), "__name__": "__main__"})
    finally:
        for k, v in saved_conf.items():
            if v is not None:
                spark.conf.set(k, v)
            else:
                spark.conf.unset(k)
        if saved_env is not None:
            os.environ["INGEN_FAB_OUTPUT_ROOT"] = saved_env
    native_series(nat_root, ds, start, end)
    got, want = read_folders(nb_root, ds), read_folders(nat_root, ds)
    compare(ds, want, got, "native", "pyspark notebook")
    assert read_state(nb_root, ds) == read_state(nat_root, ds)


def test_notebook_options_checked(tmp_path):
    ds = "retail_oltp_small_incremental"
    p = dm.run_cli(["--fabric-workspace-repo-dir", tmp_path, "package", "synthetic-data", "generate-series", ds,
                    "--start-date", START, "--end-date", END, "--output-format", "jsonl"])
    assert p.returncode == 1 and "not built yet" in p.stderr and not (tmp_path / NOTEBOOK_DIR).exists()
    p = dm.run_cli(["--fabric-workspace-repo-dir", tmp_path, "package", "synthetic-data", "generate-incremental", ds,
                    "--date", "2023-12-31"])
    assert p.returncode == 2 and "before the dataset's start_date" in p.stderr


# ---- generate-series / generate-incremental --execute --engine python|pyspark ----

def _engine_run(root, *args, env=None):
    p = dm.run_cli(["--fabric-workspace-repo-dir", root, "package", "synthetic-data", *args, "--target-rows", ROWS],
                   env=env or dm.clean_env(INGEN_FAB_PYTHON=sys.executable))
    assert p.returncode == 0, "%s failed (%d):\n%s%s" % (" ".join(map(str, args)), p.returncode, p.stdout, p.stderr)
    return p


def test_execute_engine_python_equals_native_and_resumes_across_engines(tmp_path):
    """`generate-series --execute --engine python` compiles the series notebook, runs it, and
    reports like the native run; its folders and state equal the native series'. A series
    started natively is resumed by the python engine (and the other way round): the state file
    (output_format parquet) is shared."""
    ds = "retail_oltp_small_incremental"
    nb_root, nat_root, mixed = tmp_path / "nb", tmp_path / "native", tmp_path / "mixed"
    p = _engine_run(nb_root, "generate-series", ds, "--start-date", START, "--end-date", END, "--execute",
                    "--engine", "python", "--json")
    doc = json.loads(p.stdout)
    assert doc["engine"] == "python" and doc["completed"] and doc["output_format"] == "parquet"
    assert [d["date"] for d in doc["days"]] == ["2024-01-01", "2024-01-02", "2024-01-03"]
    assert doc["run_log"].endswith(".json") and "_incremental_python_" in doc["run_log"]
    assert Path(doc["notebook"]).is_file()
    native_series(nat_root, ds)
    got, want = read_folders(nb_root, ds), read_folders(nat_root, ds)
    compare(ds, want, got, "native", "python engine")
    assert read_state(nb_root, ds) == read_state(nat_root, ds)
    # the summary's rows are the rows written, per day
    assert doc["rows"] == sum(t.num_rows for t in want.values())
    for day in doc["days"]:
        assert day["rows"] == sum(t["rows"] for t in day["tables"])

    # native day 1, python --resume days 2..3 (text summary), native --resume: nothing to do
    _cli(mixed, "generate-series", ds, "--start-date", START, "--end-date", "2024-01-01", "--target-rows", ROWS,
         "--execute", "--output-mode", "parquet")
    p = _engine_run(mixed, "generate-series", ds, "--start-date", START, "--end-date", END, "--execute",
                    "--engine", "python", "--resume", "--batch-size", "1")
    assert "batch 1/2 (2024-01-02 to 2024-01-02)" in p.stdout and "batch 2/2 (2024-01-03 to 2024-01-03)" in p.stdout
    assert "2 days" in p.stdout and "python engine" in p.stdout, p.stdout
    p = _cli(mixed, "generate-series", ds, "--start-date", START, "--end-date", END, "--target-rows", ROWS,
             "--execute", "--resume")
    assert "nothing to do (days up to 2024-01-03 are completed)" in p.stdout
    compare(ds, want, read_folders(mixed, ds), "native", "native + python resumed")
    assert read_state(mixed, ds) == read_state(nat_root, ds)
    # a state of other options stops the python engine as it stops the native one (exit 2)
    p = dm.run_cli(["--fabric-workspace-repo-dir", mixed, "package", "synthetic-data", "generate-series", ds,
                    "--end-date", END, "--target-rows", ROWS, "--seed", "7", "--execute", "--engine", "python"],
                   env=dm.clean_env(INGEN_FAB_PYTHON=sys.executable))
    assert p.returncode == 2 and "seed" in p.stderr, p.stderr


def test_execute_engine_checks(tmp_path):
    ds = "retail_oltp_small_incremental"
    p = dm.run_cli(["--fabric-workspace-repo-dir", tmp_path, "package", "synthetic-data", "generate-incremental", ds,
                    "--date", START, "--execute", "--engine", "python", "--generation-mode", "pyspark"])
    assert p.returncode == 2 and "does not match '--engine python'" in p.stderr
    p = dm.run_cli(["--fabric-workspace-repo-dir", tmp_path, "package", "synthetic-data", "generate-incremental", ds,
                    "--date", START, "--execute", "--engine", "python", "--output-format", "jsonl"])
    assert p.returncode == 1 and "not built yet" in p.stderr
    p = dm.run_cli(["--fabric-workspace-repo-dir", tmp_path, "package", "synthetic-data", "generate-incremental", ds,
                    "--date", START, "--execute", "--engine", "pyspark"],
                   env=dm.clean_env(INGEN_FAB_PYTHON=sys.executable))
    assert p.returncode == 2 and "INGEN_FAB_SPARK_JARS" in p.stderr
    # a notebook that cannot run: exit 1
    p = dm.run_cli(["--fabric-workspace-repo-dir", tmp_path, "package", "synthetic-data", "generate-incremental", ds,
                    "--date", START, "--target-rows", ROWS, "--execute", "--engine", "python"],
                   env=dm.clean_env(INGEN_FAB_PYTHON=str(tmp_path / "no-python")))
    assert p.returncode == 1 and "cannot run" in p.stderr


def test_execute_engine_python_one_day(tmp_path):
    ds, day = "retail_oltp_small_incremental", "2024-01-02"
    p = _engine_run(tmp_path, "generate-incremental", ds, "--date", day, "--execute", "--engine", "python")
    assert p.stdout.startswith(f"{ds} {day}: ") and "(python engine)" in p.stdout, p.stdout
    assert read_state(tmp_path, ds)["last_completed_date"] == day


def _scripts(root, ds):
    """{name: text with the lakehouse path replaced by <LAKE>} of the per-day COPY INTO scripts."""
    files = Path(root).resolve() / "lakehouse" / ds / "Files" / "synthetic_data" / ds
    return {p.name: p.read_text().replace(str(files), "<FILES>") for p in sorted(files.glob("copy_into_*.sql"))}


def test_warehouse_series_python_equals_native(tmp_path):
    """A warehouse target: the python series notebook writes the parquet folders of the native
    series and, per day, copy_into_<yyyymmdd>.sql beside them (snapshots and dimensions emptied
    first); the native series writes the same scripts."""
    ds = "retail_oltp_small_incremental"
    nb_root, nat_root = tmp_path / "nb", tmp_path / "native"
    name, _nb = compile_notebook(nb_root, ds, "python", "generate-series", ds, "--start-date", START,
                                 "--end-date", END, "--target-environment", "warehouse")
    assert name == "incremental_series_synthetic_data_%s_20240101_20240103_python_warehouse" % ds
    src = _nb.read_text()
    assert "warehouse_name = " in src and "def warehouse_copy_statements" in src
    p = _engine_run(nb_root, "generate-series", ds, "--start-date", START, "--end-date", END, "--execute",
                    "--engine", "python", "--target-environment", "warehouse", "--output-mode", "csv")
    _cli(nat_root, "generate-series", ds, "--start-date", START, "--end-date", END, "--target-rows", ROWS,
         "--execute", "--target-environment", "warehouse")
    got, want = read_folders(nb_root, ds), read_folders(nat_root, ds)
    compare(ds, want, got, "native", "python warehouse notebook")
    assert not _data_root(nb_root, ds, "csv").exists()
    sg, sw = _scripts(nb_root, ds), _scripts(nat_root, ds)
    assert sorted(sg) == ["copy_into_20240101.sql", "copy_into_20240102.sql", "copy_into_20240103.sql"]
    assert sg == sw
    day1 = sg["copy_into_20240101.sql"].splitlines()
    assert ("COPY INTO [dbo].[orders] FROM '<FILES>/parquet/orders/2024/01/01/*.parquet' "
            "WITH (FILE_TYPE = 'PARQUET');") in day1
    assert "DELETE FROM [dbo].[customers];" in day1
    assert not any(line.startswith("DELETE FROM [dbo].[orders]") for line in day1)
    assert read_state(nb_root, ds)["output_format"] == "parquet"


def test_execute_engine_pyspark_day_equals_native(tmp_path, spark_jars):
    """`generate-incremental --execute --engine pyspark`: the day notebook run by the CLI with
    the local Spark (the jars in INGEN_FAB_SPARK_JARS) writes the native series' day; the
    --json summary is the native object with engine pyspark."""
    ds, day = "retail_oltp_small_incremental", "2024-01-02"
    env = dm.clean_env(INGEN_FAB_PYTHON=sys.executable, INGEN_FAB_SPARK_JARS=",".join(spark_jars))
    p = _engine_run(tmp_path / "nb", "generate-incremental", ds, "--date", day, "--execute", "--engine", "pyspark",
                    "--json", env=env)
    doc = json.loads(p.stdout)
    assert doc["engine"] == "pyspark" and [d["date"] for d in doc["days"]] == [day]
    assert list(doc["days"][0]) == ["date", "tables", "rows", "seconds"]
    native_series(tmp_path / "native", ds)
    got = read_folders(tmp_path / "nb", ds)
    want = {k: v for k, v in read_folders(tmp_path / "native", ds).items() if k.endswith("2024/01/02")}
    compare(ds, want, got, "native series", "pyspark engine day")
    assert doc["rows"] == sum(t.num_rows for t in want.values())
