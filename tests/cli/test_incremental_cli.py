"""
CLI tests of the incremental commands' bad input (generate-incremental, generate-series with
--execute): each case gives its exact message on stderr, exit 2, and writes nothing (the output
tree is the same before and after, byte for byte).

Run: INGEN_FAB_BIN=build-x/ingen_fab python3 -m pytest tests/cli/test_incremental_cli.py
"""
import hashlib
import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = str(Path(os.environ.get("INGEN_FAB_BIN", ROOT / "build" / "ingen_fab")).resolve())
GROUP = ["package", "synthetic-data"]
OUR_ENV = ["SCALE_FACTOR", "BATCH_SIZE", "OUTPUT_PATH", "FABRIC_WORKSPACE_REPO_DIR",
           "FABRIC_ENVIRONMENT", "INGEN_FAB_DATASETS", "INGEN_FAB_TEST_KILL_AFTER_DAYS"]
DS = "retail_oltp_small_incremental"


def run(root, *args):
    env = {k: v for k, v in os.environ.items() if k not in OUR_ENV}
    return subprocess.run([BIN, "--fabric-workspace-repo-dir", str(root), *GROUP, *map(str, args)],
                          capture_output=True, text=True, env=env, timeout=300)


def tree(root):
    """{relative path: sha256 or 'dir'} of everything under root."""
    root = Path(root)
    if not root.exists():
        return {}
    return {str(p.relative_to(root)): ("dir" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest())
            for p in sorted(root.rglob("*"))}


SERIES = ["generate-series", DS, "--execute", "-r", "500"]
CASES = [
    ("invalid day", SERIES + ["--start-date", "2024-02-30", "--end-date", "2024-03-01"],
     "ingen_fab: invalid value '2024-02-30' for '--start-date': 2024-02 has 29 days"),
    ("invalid month", SERIES + ["--start-date", "2024-13-01", "--end-date", "2024-03-01"],
     "ingen_fab: invalid value '2024-13-01' for '--start-date': there is no month 13"),
    ("text date", ["generate-incremental", DS, "--date", "tomorrow", "--execute"],
     "ingen_fab: invalid value 'tomorrow' for '--date': expected a date YYYY-MM-DD"),
    ("invalid end date", SERIES + ["--end-date", "2026-02-30"],
     "ingen_fab: invalid value '2026-02-30' for '--end-date': 2026-02 has 28 days"),
    ("end before start", SERIES + ["--start-date", "2024-03-01", "--end-date", "2024-02-01"],
     "ingen_fab: --start-date '2024-03-01' is after --end-date '2024-02-01'"),
    ("before start_date", SERIES + ["--start-date", "2023-12-31", "--end-date", "2024-01-02"],
     "error: --start-date '2023-12-31' is before the dataset's start_date '2024-01-01'"),
    ("batch size 0", SERIES + ["--end-date", "2024-01-03", "--batch-size", "0"],
     "ingen_fab: invalid value '0' for '--batch-size': must be between 1 and 36600"),
    ("batch size negative", SERIES + ["--end-date", "2024-01-03", "--batch-size", "-3"],
     "ingen_fab: invalid value '-3' for '--batch-size': must be between 1 and 36600"),
    ("not incremental", ["generate-series", "retail_oltp_small", "--end-date", "2024-01-03", "--execute"],
     "error: dataset 'retail_oltp_small' has no incremental section; this command needs an "
     "incremental dataset (see 'list-incremental-datasets')"),
    ("unknown path format", SERIES + ["--end-date", "2024-01-03", "--path-format", "weekly_nested"],
     "ingen_fab: invalid value 'weekly_nested' for '--path-format': expected nested, flat, nested_daily, "
     "nested_monthly, nested_yearly, flat_with_date, flat_with_date_suffix, hive_partitioned, hive_monthly, "
     "iso_week or quarter_based, or a custom pattern with {placeholders}"),
    ("unknown placeholder", SERIES + ["--end-date", "2024-01-03", "--path-format", "{table}/{yyyymmdd}/{hour}"],
     "ingen_fab: invalid value '{table}/{yyyymmdd}/{hour}' for '--path-format': unknown placeholder "
     "'{hour}'; expected {table}, {dataset_id}, {yyyy}, {mm}, {dd}, {yyyymmdd}, {ww}, {q} or {date}"),
    ("resume and ignore-state", SERIES + ["--end-date", "2024-01-03", "--resume", "--ignore-state"],
     "ingen_fab: --resume and --ignore-state cannot be used together"),
]


@pytest.mark.parametrize("name,args,message", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("existing", [False, True], ids=["empty", "after-a-run"])
def test_bad_input_writes_nothing(tmp_path, name, args, message, existing, request):
    root = tmp_path / "out"
    if existing:
        base = request.getfixturevalue("finished_run")
        import shutil
        shutil.copytree(base, root)
    before = tree(root)
    p = run(root, *args)
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)
    assert message in p.stderr, p.stderr
    assert tree(root) == before


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    """An output root after a 2-day native series (parquet): state, data and the log table."""
    root = tmp_path_factory.mktemp("incr_cli") / "out"
    p = run(root, *SERIES, "--end-date", "2024-01-02")
    assert p.returncode == 0, p.stderr
    return root


@pytest.mark.parametrize("option,value,what", [
    ("--seed", "7", "seed 42 (now 7)"),
    ("--output-mode", "csv", "output format 'parquet' (now 'csv')"),
    ("--path-format", "flat", "path format 'nested' (now 'flat')"),
    ("-r", "600", "target_rows 500 (now 600)"),
])
@pytest.mark.parametrize("resume", [False, True], ids=["plain", "resume"])
def test_state_of_other_options(tmp_path, finished_run, option, value, what, resume):
    import shutil
    root = tmp_path / "out"
    shutil.copytree(finished_run, root)
    state = root / "lakehouse" / DS / "Files" / "_state" / (DS + ".json")
    assert json.loads(state.read_text())["last_completed_date"] == "2024-01-02"
    before = tree(root)
    args = [a for a in SERIES if a not in ("-r", "500")] + ["--end-date", "2024-01-04"]
    args += ["-r", value] if option == "-r" else ["-r", "500", option, value]
    if resume:
        args.append("--resume")
    p = run(root, *args)
    assert p.returncode == 2, (p.returncode, p.stderr)
    assert "error: the state '%s' was written with %s; use --ignore-state to start over " \
        "(or the same options)" % (state, what) in p.stderr, p.stderr
    assert tree(root) == before


def test_corrupt_state(tmp_path, finished_run):
    import shutil
    root = tmp_path / "out"
    shutil.copytree(finished_run, root)
    state = root / "lakehouse" / DS / "Files" / "_state" / (DS + ".json")
    state.write_text("{not json")
    before = tree(root)
    p = run(root, *SERIES, "--end-date", "2024-01-04", "--resume")
    assert p.returncode == 2, p.stderr
    assert "error: the state file '%s' is not valid JSON (remove it or use --ignore-state)" % state in p.stderr
    assert tree(root) == before
