#!/usr/bin/env python3
"""run_notebooks.py: the compiled notebooks, and dbldatagen on the same Spark, on the bench table.

For every combination of engine x rows x format (x Spark cores for the Spark engines):

- `python`: compiles bench/datasets/bench_10col.yaml with `compile -m python -r ROWS -o MODE`
  and runs the notebook as `python notebook-content.py` (numpy, one core);
- `pyspark`: the same with `-m pyspark`, run on a local Spark (`local[N]`, the Delta jars of
  .deps/jars, the notebook's own session settings);
- `dbldatagen`: bench/dbldatagen_bench.py, a comparable 10-column table built with dbldatagen
  on a Spark session made with the same settings, writing the same format (`--style sql`: no
  Python UDF, dbldatagen's best case); `dbldatagen-features` the same with dbldatagen's Normal
  distribution and text template (pandas UDFs).

Each run goes through bench/measure.py (wall time including the interpreter and JVM start,
the engine's own seconds from its output, CPU, peak RSS of the process tree, bytes written)
and is appended to the results file. Output goes to --out, which is removed after each run.

    .venv-bench/bin/python bench/run_notebooks.py --engines python,pyspark,dbldatagen \\
        --rows 1000000,10000000 --formats csv,parquet,delta --spark-cores 1,2

Formats are named as the native runtime names them: csv, parquet, delta (the notebooks'
output mode `table`).
"""

import argparse
import glob
import os
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATASET = os.path.join(ROOT, "bench", "datasets", "bench_10col.yaml")
NOTEBOOK_MODE = {"csv": "csv", "parquet": "parquet", "delta": "table"}
# The engines print "<table>: N rows in S s" when a table is written (the JVM start excluded).
ENGINE_SECONDS = r"events: [0-9,]+ rows in (?P<secs>[0-9.]+) s"


def csv_list(text, cast=str):
    return [cast(x.strip()) for x in text.split(",") if x.strip()]


def wait_for_quiet(max_load):
    if not max_load:
        return
    while True:
        load = os.getloadavg()[0]
        if load < max_load:
            return
        print(f"load average {load:.2f} >= {max_load}: waiting 15 s", file=sys.stderr)
        time.sleep(15)


def compile_notebook(binary, work, mode, rows, fmt):
    """Compiles the bench dataset into WORK and returns the notebook's path."""
    shutil.rmtree(work, ignore_errors=True)
    cmd = [binary, "--fabric-workspace-repo-dir", work, "package", "synthetic-data", "compile",
           "-d", DATASET, "-r", str(rows), "-m", mode, "-o", NOTEBOOK_MODE[fmt],
           "--no-include-ddl"]
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        raise SystemExit(f"compile failed ({' '.join(cmd)}):\n{r.stdout}")
    found = glob.glob(os.path.join(work, "fabric_workspace_items", "**", "notebook-content.py"),
                      recursive=True)
    if len(found) != 1:
        raise SystemExit(f"expected one notebook under {work}, found {found}")
    return found[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--engines", default="python,pyspark,dbldatagen",
                    help="comma-separated: python, pyspark, dbldatagen, dbldatagen-features")
    ap.add_argument("--rows", default="1000000,10000000", help="comma-separated row counts")
    ap.add_argument("--formats", default="csv,parquet,delta", help="comma-separated formats")
    ap.add_argument("--spark-cores", default="1,2",
                    help="local[N] for the Spark engines, comma-separated")
    ap.add_argument("--repeat", type=int, default=1, help="runs of each combination")
    ap.add_argument("--out", default=os.path.join(ROOT, "out", "bench-notebooks"),
                    help="output root, removed after each run")
    ap.add_argument("--results", default=os.path.join(ROOT, "bench", "results", "results.jsonl"))
    ap.add_argument("--bin", default=os.path.join(ROOT, os.environ.get("INGEN_BUILD_DIR", "build"), "ingen_fab"))
    ap.add_argument("--jars", default=os.path.join(ROOT, ".deps", "jars"),
                    help="folder of the Delta jars for the local Spark")
    ap.add_argument("--max-load", type=float, default=None,
                    help="wait until the 1-minute load average is below this before each run")
    ap.add_argument("--python", default=sys.executable,
                    help="interpreter that runs the notebooks (needs numpy, pyarrow, pyspark, "
                         "deltalake, dbldatagen, psutil)")
    ap.add_argument("--log-dir", default=os.path.join(ROOT, "out", "bench-logs"),
                    help="where each run's output is kept (default: out/bench-logs)")
    args = ap.parse_args()

    engines = csv_list(args.engines)
    for e in engines:
        if e not in ("python", "pyspark", "dbldatagen", "dbldatagen-features"):
            ap.error(f"unknown engine '{e}' "
                     "(allowed: python, pyspark, dbldatagen, dbldatagen-features)")
    formats = csv_list(args.formats)
    for f in formats:
        if f not in NOTEBOOK_MODE:
            ap.error(f"unknown format '{f}' (allowed: csv, parquet, delta)")
    jars = ",".join(sorted(glob.glob(os.path.join(args.jars, "*.jar"))))
    if any(e != "python" for e in engines) and not jars:
        ap.error(f"no jars in '{args.jars}' (tools/setup.sh --deps-only fetches them)")
    os.makedirs(args.log_dir, exist_ok=True)
    work = args.out + "-compiled"
    status = 0

    for rows in csv_list(args.rows, int):
        for engine in engines:
            for fmt in formats:
                cores_list = [1] if engine == "python" else csv_list(args.spark_cores, int)
                for cores in cores_list:
                    if engine.startswith("dbldatagen"):
                        style = "features" if engine == "dbldatagen-features" else "sql"
                        cmd = [args.python, os.path.join(ROOT, "bench", "dbldatagen_bench.py"),
                               "--rows", str(rows), "--format", fmt, "--out", args.out,
                               "--style", style]
                    else:
                        nb = compile_notebook(args.bin, work, engine, rows, fmt)
                        cmd = [args.python, nb]
                    env = dict(os.environ)
                    env["INGEN_FAB_OUTPUT_ROOT"] = args.out
                    env["INGEN_FAB_SPARK_JARS"] = jars
                    env["INGEN_FAB_SPARK_MASTER"] = f"local[{cores}]"
                    # See .library/env: these slow a current numpy; unset both for benchmarks.
                    env.pop("OPENBLAS_CORETYPE", None)
                    env.pop("OPENBLAS_L2_SIZE", None)
                    for rep in range(1, args.repeat + 1):
                        shutil.rmtree(args.out, ignore_errors=True)
                        wait_for_quiet(args.max_load)
                        label = f"{engine}-{fmt}-t{cores}"
                        log = os.path.join(args.log_dir, f"{label}-{rows}-{rep}.log")
                        m = [args.python, os.path.join(ROOT, "bench", "measure.py"),
                             "--label", label, "--rows", str(rows),
                             "--bytes-dir", os.path.join(args.out, "lakehouse"),
                             "--clean", args.out, "--results", args.results, "--log", log,
                             "--engine-seconds-regex", ENGINE_SECONDS,
                             "--meta", f"engine={engine}", "--meta", f"format={fmt}",
                             "--meta", f"threads={cores}", "--meta", f"rep={rep}", "--"] + cmd
                        r = subprocess.run(m, env=env, cwd=ROOT)
                        if r.returncode != 0:
                            status = 1
    shutil.rmtree(work, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
