"""End to end: the incremental notebooks of `generate-series` / `generate-incremental` (without
--execute) write the same folders, rows and state as the native series (`--execute`).

- python mode, two incremental datasets with different patterns (retail OLTP with slowly
  changing dimensions and a child table; finance star schema): a 3-day series compiled with
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


@pytest.mark.parametrize("ds", ["retail_oltp_small_incremental", "finance_star_small_incremental"])
def test_python_series_equals_native(ds, tmp_path):
    nb_root, nat_root = tmp_path / "nb", tmp_path / "native"
    name, nb = compile_notebook(nb_root, ds, "python", "generate-series", ds, "--start-date", START,
                                "--end-date", END)
    assert name == "incremental_series_synthetic_data_%s_20240101_20240103_python" % ds
    p = subprocess.run([sys.executable, str(nb)], cwd=str(tmp_path), env=dm.clean_env(),
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stdout + p.stderr
    native_series(nat_root, ds)
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


def test_pyspark_series_equals_native(spark, tmp_path):
    ds = "retail_oltp_small_incremental"
    nb_root, nat_root = tmp_path / "nb", tmp_path / "native"
    name, nb = compile_notebook(nb_root, ds, "pyspark", "generate-series", ds, "--start-date", START,
                                "--end-date", END)
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
    native_series(nat_root, ds)
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
