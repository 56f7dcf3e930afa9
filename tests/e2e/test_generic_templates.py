"""
Generic templates end to end: execute-with-parameters with the pyspark engine (a local Spark with
the Delta jars of .deps/jars) gives the rows of the native engine and of the dataset's own
compiled notebook for the same parameters. The quicker checks (native, python, custom schemas,
the dispatchers, exit codes) are tests/cli/test_generic.py.

Run: INGEN_FAB_BIN=build-x/ingen_fab .venv/bin/python -m pytest tests/e2e/test_generic_templates.py
"""
import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = str(Path(os.environ.get("INGEN_FAB_BIN", ROOT / "build" / "ingen_fab")).resolve())
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
PYTHON = os.environ.get("INGEN_FAB_PYTHON") or (str(VENV_PYTHON) if VENV_PYTHON.exists() else sys.executable)
JARS_DIR = Path(os.environ.get("INGEN_FAB_JARS_DIR", ROOT / ".deps" / "jars"))
OUR_ENV = ["SCALE_FACTOR", "BATCH_SIZE", "OUTPUT_PATH", "FABRIC_WORKSPACE_REPO_DIR",
           "FABRIC_ENVIRONMENT", "INGEN_FAB_DATASETS", "INGEN_FAB_OUTPUT_ROOT",
           "INGEN_FAB_SPARK_JARS", "INGEN_FAB_SPARK_MASTER", "PYSPARK_SUBMIT_ARGS"]

pq = pytest.importorskip("pyarrow.parquet")
pa = pytest.importorskip("pyarrow")

FILES = "lakehouse/retail_oltp_small/Files/synthetic_data/retail_oltp_small/parquet"


def run(root, *args):
    e = {k: v for k, v in os.environ.items() if k not in OUR_ENV}
    e["INGEN_FAB_PYTHON"] = PYTHON
    return subprocess.run([BIN, "--fabric-workspace-repo-dir", str(root), "package", "synthetic-data",
                           *args], capture_output=True, text=True, env=e, timeout=1800)


def read_folder(path):
    files = sorted(p for p in Path(path).rglob("*.parquet") if "_delta_log" not in p.parts)
    assert files, f"no parquet under {path}"
    t = pa.concat_tables([pq.read_table(f) for f in files], promote_options="default")
    return t.sort_by([(c, "ascending") for c in t.column_names])


def norm(v):
    """Timestamps as naive UTC (Spark and pyarrow may disagree on the tz annotation only)."""
    if isinstance(v, datetime.datetime) and v.tzinfo is not None:
        return v.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return v


def tables_under(base):
    return {p.name: read_folder(p) for p in sorted(Path(base).iterdir()) if p.is_dir()}


@pytest.fixture(scope="module")
def jars_dir():
    if not any(p.name.startswith("delta-spark") for p in JARS_DIR.glob("*.jar")):
        pytest.skip("no delta-spark jar in .deps/jars (run tools/setup.sh --deps-only)")
    return JARS_DIR


def test_pyspark_engine_matches_native_and_the_compiled_notebook(tmp_path, jars_dir):
    params = ["--dataset-id", "retail_oltp_small", "--target-rows", "400", "--seed", "3",
              "--output-mode", "parquet"]
    r = run(tmp_path / "spark", "execute-with-parameters", "generic_single_dataset_lakehouse", *params,
            "--engine", "pyspark", "--spark-jars", str(jars_dir))
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["status"] == "ok" and doc["engine"] == "pyspark"
    assert doc["compiled_notebook"] == "synthetic_data_retail_oltp_small_small_pyspark"
    assert doc["parameters"]["generation_mode"] == "pyspark"
    r = run(tmp_path / "native", "execute-with-parameters", "generic_single_dataset_lakehouse", *params,
            "--engine", "native")
    assert r.returncode == 0, r.stderr
    spark, native = tables_under(tmp_path / "spark" / FILES), tables_under(tmp_path / "native" / FILES)
    assert list(spark) == list(native)
    for name in native:
        assert spark[name].num_rows == native[name].num_rows, name
        # the column types agree; transcendental samplers agree to 1e-12 (compare as Python values)
        for col in native[name].column_names:
            a = [norm(v) for v in spark[name].column(col).to_pylist()]
            b = [norm(v) for v in native[name].column(col).to_pylist()]
            if a != b:
                assert all(x == y or (isinstance(x, float) and abs(x - y) <= 1e-12 * max(abs(x), abs(y)))
                           for x, y in zip(a, b)), f"{name}.{col}"
