#!/usr/bin/env python3
"""column_costs.py: where the native runtime's time goes, column by column.

Derives from bench/datasets/bench_10col.yaml one dataset per column, holding the key
`event_id` alone or the key plus that one column, runs each with the native runtime on one
thread, and reports the CPU seconds per million rows (median of --repeat runs) and the cost
of each column over the key-only table. The sum of the column costs plus the key-only table
approximates the whole table; the difference is what interaction (cache, wider rows) costs.

    .venv-bench/bin/python bench/column_costs.py --rows 10000000 --format csv

CPU time (user + system of the process) is used, not wall time, so the figures hold on a
machine where other work runs, as long as it is not short of memory bandwidth.
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import resource

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATASET = os.path.join(ROOT, "bench", "datasets", "bench_10col.yaml")


def split_config(text):
    """Returns (head, column lines in order): the YAML up to 'columns:' and each column's line."""
    head, _, cols = text.partition("    columns:\n")
    lines = [ln for ln in cols.splitlines() if re.match(r"^      [a-z_]+:", ln)]
    return head + "    columns:\n", lines


def run_cpu(binary, config, fmt, rows, out):
    shutil.rmtree(out, ignore_errors=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    r = subprocess.run([binary, "--fabric-workspace-repo-dir", out, "package", "synthetic-data",
                        "generate", config, "--execute", "--output-format", fmt, "--threads", "1",
                        "-r", str(rows)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    shutil.rmtree(out, ignore_errors=True)
    if r.returncode != 0:
        raise SystemExit(f"run failed for {config}:\n{r.stdout}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--format", default="csv", choices=["csv", "parquet", "delta", "jsonl"])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--bin", default=os.path.join(ROOT, os.environ.get("INGEN_BUILD_DIR", "build"), "ingen_fab"))
    ap.add_argument("--out", default=os.path.join(ROOT, "out", "bench-columns"))
    args = ap.parse_args()

    with open(DATASET) as f:
        head, cols = split_config(f.read())
    key, others = cols[0], cols[1:]
    tmp = tempfile.mkdtemp(prefix="bench-columns-")
    variants = [("(key only)", [key])] + [
        (ln.split(":")[0].strip(), [key, ln]) for ln in others] + [("(all ten)", cols)]
    per_m = {}
    try:
        for i, (name, lines) in enumerate(variants):
            path = os.path.join(tmp, "bench_10col.yaml")  # the id must match the file name
            with open(path, "w") as f:
                f.write(head + "\n".join(lines) + "\n")
            cpu = [run_cpu(args.bin, path, args.format, args.rows, args.out)
                   for _ in range(args.repeat)]
            per_m[name] = statistics.median(cpu) / (args.rows / 1e6)
            print(f"{name}: {per_m[name]:.3f} CPU s per million rows", file=sys.stderr)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    base = per_m["(key only)"]
    print(f"| column | CPU s per 1M rows (key + column) | cost of the column | share of the whole |")
    print("|---|---:|---:|---:|")
    whole = per_m["(all ten)"]
    for name, v in per_m.items():
        if name in ("(key only)", "(all ten)"):
            continue
        print(f"| {name} | {v:.3f} | {v - base:.3f} | {100 * (v - base) / whole:.0f}% |")
    print(f"| key only (`event_id`, framework, writer) | {base:.3f} | | {100 * base / whole:.0f}% |")
    print(f"| all ten columns | {whole:.3f} | | 100% |")
    print(f"\n{args.rows:,} rows, {args.format}, 1 thread, median of {args.repeat}: "
          f"the whole table at {1e6 / whole:,.0f} rows per CPU-second")
    return 0


if __name__ == "__main__":
    sys.exit(main())
