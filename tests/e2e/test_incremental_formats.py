"""
The native incremental series in every file format and path pattern (issue 5, point 2): a
series written as Parquet, CSV and JSON lines under `nested_daily`, `flat_with_date`,
`hive_partitioned` and a custom pattern holds the same rows, day by day and table by table,
in the folders the pattern names. Files are read with pyarrow (Parquet, CSV) and the json
module (JSON lines), independently of the writer.

Run: INGEN_FAB_BIN=build/ingen_fab .venv/bin/python -m pytest tests/e2e/test_incremental_formats.py
"""
import csv
import json
import os
import subprocess
from pathlib import Path

import pyarrow.parquet as pq
import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = str(Path(os.environ.get("INGEN_FAB_BIN", ROOT / "build" / "ingen_fab")).resolve())
DS = "retail_oltp_small_incremental"
PATTERNS = {
    "nested_daily": "2024/01/02",
    "flat_with_date": "20240102",
    "hive_partitioned": "year=2024/month=01/day=02",
    "{table}/{yyyy}{mm}{dd}": "20240102",
}


def series(root, fmt, pattern):
    r = subprocess.run([BIN, "--fabric-workspace-repo-dir", str(root), "package", "synthetic-data",
                        "generate-series", DS, "--start-date", "2024-01-01", "--end-date", "2024-01-03",
                        "--execute", "--output-format", fmt, "--path-format", pattern, "-r", "3000",
                        "--json"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def read_rows(folder, fmt):
    """The rows of one table's day folder as lists of strings (the first column: the key)."""
    files = sorted(p for p in Path(folder).iterdir() if p.is_file())
    assert files, folder
    keys = []
    for f in files:
        if fmt == "parquet":
            t = pq.read_table(f)
            keys += [str(v) for v in t.column(0).to_pylist()]
        elif fmt == "csv":
            with open(f, newline="", encoding="utf-8") as fh:
                rows = list(csv.reader(fh))
            keys += [r[0] for r in rows[1:]]
        else:
            with open(f, encoding="utf-8") as fh:
                for line in fh:
                    obj = json.loads(line)
                    keys.append(str(next(iter(obj.values()))))
    return sorted(keys)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    doc = series(tmp_path_factory.mktemp("ref"), "parquet", "nested_daily")
    return {(d["date"], t["table"]): (t["rows"], read_rows(t["path"], "parquet"))
            for d in doc["days"] for t in d["tables"]}


@pytest.mark.parametrize("fmt", ["parquet", "csv", "jsonl"])
@pytest.mark.parametrize("pattern", list(PATTERNS))
def test_every_format_and_pattern_holds_the_same_rows(tmp_path, reference, fmt, pattern):
    doc = series(tmp_path, fmt, pattern)
    assert [d["date"] for d in doc["days"]] == ["2024-01-01", "2024-01-02", "2024-01-03"]
    seen = {}
    for d in doc["days"]:
        for t in d["tables"]:
            if d["date"] == "2024-01-02":
                # the folder the pattern promises, under Files/synthetic_data/<id>/<format>/
                rel = Path(t["path"]).relative_to(Path(doc["lakehouse"]) / "Files" / "synthetic_data" / DS / fmt)
                assert PATTERNS[pattern] in str(rel) and t["table"] in str(rel), rel
            rows = read_rows(t["path"], fmt)
            assert len(rows) == t["rows"]
            seen[(d["date"], t["table"])] = (t["rows"], rows)
    assert seen == reference
