#!/usr/bin/env python3
"""report.py: the Markdown tables of docs/performance.md from bench/measure.py's JSON lines.

Groups the runs by (engine, table, format, threads, rows), takes the median of each measure
over the group's successful runs (failed runs are counted and shown), and prints one table per
engine family. Every row shows the highest 1-minute load average seen by its runs, so a number
taken on a busy machine says so.

    .venv-bench/bin/python bench/report.py bench/results/results.jsonl > /tmp/tables.md
"""

import argparse
import json
import statistics
import sys
from collections import OrderedDict


def fmt_int(v):
    return "-" if v is None else f"{int(round(v)):,}"


def fmt_f(v, digits=2):
    return "-" if v is None else f"{v:.{digits}f}"


def median(vals):
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None


def load_runs(paths):
    runs = []
    for p in paths:
        with open(p) as f:
            for line in f:
                line = line.strip()
                if line:
                    runs.append(json.loads(line))
    return runs


def key_of(r):
    return (r.get("engine", r["label"].split("-")[0]), r.get("table", ""), r.get("format", ""),
            int(r.get("threads", 0) or 0), r.get("rows", 0))


def summarise(runs):
    groups = OrderedDict()
    for r in runs:
        groups.setdefault(key_of(r), []).append(r)
    out = []
    for (engine, table, fmt, threads, rows), rs in groups.items():
        ok = [r for r in rs if r.get("ok")]
        s = {"engine": engine, "table": table, "format": fmt, "threads": threads, "rows": rows,
             "runs": len(ok), "failed": len(rs) - len(ok),
             "load": max(max(r["load1_before"], r["load1_after"]) for r in rs)}
        if ok:
            s["wall"] = median(r["wall_s"] for r in ok)
            s["engine_s"] = median(r.get("engine_s") for r in ok)
            s["cpu"] = median(r["cpu_s"] for r in ok)
            s["rss"] = max(r["peak_rss_tree_mb"] for r in ok)
            s["rss_one"] = max(r["max_rss_one_process_mb"] for r in ok)
            s["bytes"] = median(r["bytes"] for r in ok)
            s["rps"] = rows / s["wall"] if s["wall"] else None
            s["rps_engine"] = rows / s["engine_s"] if s.get("engine_s") else None
            s["mbps"] = s["bytes"] / s["wall"] / 1e6 if s["wall"] else None
            s["rps_cpu"] = rows / s["cpu"] if s["cpu"] else None
        out.append(s)
    return out


def table(headers, rows):
    lines = ["| " + " | ".join(headers) + " |",
             "|" + "|".join("---:" if i else "---" for i in range(len(headers))) + "|"]
    for r in rows:
        lines.append("| " + " | ".join(r) + " |")
    return "\n".join(lines)


def native_tables(summ, runs):
    nat = [s for s in summ if s["engine"] == "native" and s["runs"]]
    if not nat:
        return ""
    rows = []
    for s in sorted(nat, key=lambda s: (s["rows"], ["csv", "parquet", "delta", "jsonl"].index(s["format"])
                                        if s["format"] in ("csv", "parquet", "delta", "jsonl") else 9,
                                        s["threads"])):
        rows.append([fmt_int(s["rows"]), s["format"], str(s["threads"]), fmt_f(s["wall"]),
                     fmt_int(s["rps"]), fmt_f(s["mbps"], 1), fmt_f(s["cpu"]),
                     fmt_int(s["rps_cpu"]), fmt_f(s["rss"], 1), fmt_f(s["bytes"] / 1e6, 0),
                     str(s["runs"]), fmt_f(s["load"])])
    t1 = table(["rows", "format", "threads", "wall s", "rows/s", "MB/s", "CPU s",
                "rows per CPU-s", "peak RSS MB", "MB written", "runs", "max load1"], rows)
    # Speed-up from 1 to 2 threads.
    by = {(s["rows"], s["format"], s["threads"]): s for s in nat}
    sp = []
    for (rows_, fmt, t), s in sorted(by.items()):
        if t == 1 and (rows_, fmt, 2) in by:
            s2 = by[(rows_, fmt, 2)]
            paired = paired_speedups(runs, rows_, fmt)
            sp.append([fmt_int(rows_), fmt, fmt_int(s["rps"]), fmt_int(s2["rps"]),
                       fmt_f(s["wall"] / s2["wall"]) + "x",
                       (fmt_f(median(paired)) + "x (" + ", ".join(fmt_f(x) for x in paired) + ")")
                       if paired else "-"])
    t2 = table(["rows", "format", "1 thread rows/s", "2 threads rows/s", "speed-up of the medians",
                "paired speed-up: median (each repeat)"], sp) if sp else ""
    return t1 + ("\n\n" + t2 if t2 else "")


def paired_speedups(runs, rows, fmt):
    """Per repeat, the 1-thread wall time over the 2-thread one of the same repeat: run
    one after the other (run_native.sh interleaves them), so the host's drift between
    repeats cancels out. Only repeats with both runs successful."""
    walls = {}
    for r in runs:
        if r.get("engine") == "native" and r.get("ok") and r.get("rows") == rows and \
                r.get("format") == fmt and r.get("rep") is not None:
            walls[(str(r["rep"]), int(r.get("threads", 0) or 0))] = r["wall_s"]
    reps = sorted({rep for rep, _ in walls}, key=lambda x: int(x) if x.isdigit() else 0)
    return [walls[(rep, 1)] / walls[(rep, 2)] for rep in reps if (rep, 1) in walls and (rep, 2) in walls]


def peer_tables(summ):
    peers = [s for s in summ if s["engine"] not in ("native", "tpchgen")]
    if not peers:
        return ""
    rows = []
    for s in sorted(peers, key=lambda s: (s["rows"], s["format"], s["engine"], s["threads"])):
        if not s["runs"]:
            rows.append([s["engine"], fmt_int(s["rows"]), s["format"], str(s["threads"]),
                         "failed", "", "", "", "", "", "", fmt_f(s["load"])])
            continue
        rows.append([s["engine"] + (f" ({s['table']})" if s["table"] else ""), fmt_int(s["rows"]),
                     s["format"], str(s["threads"]), fmt_f(s["wall"]), fmt_f(s["engine_s"]),
                     fmt_int(s["rps"]), fmt_int(s["rps_engine"]), fmt_f(s["mbps"], 1),
                     fmt_f(s["cpu"]), fmt_f(s["rss"], 0), fmt_f(s["load"])])
    return table(["engine", "rows", "format", "cores", "wall s", "engine s", "rows/s (wall)",
                  "rows/s (engine)", "MB/s (wall)", "CPU s", "peak RSS MB", "max load1"], rows)


def tpch_tables(summ):
    tp = [s for s in summ if s["engine"] == "tpchgen" and s["runs"]]
    if not tp:
        return ""
    rows = []
    for s in sorted(tp, key=lambda s: (s["table"], s["format"], s["threads"])):
        rows.append([s["table"], s["format"], str(s["threads"]), fmt_int(s["rows"]),
                     fmt_f(s["wall"]), fmt_int(s["rps"]), fmt_f(s["mbps"], 1), fmt_f(s["cpu"]),
                     fmt_int(s["rps_cpu"]), fmt_f(s["rss"], 0), str(s["runs"]), fmt_f(s["load"])])
    return table(["table", "format", "threads", "rows", "wall s", "rows/s", "MB/s", "CPU s",
                  "rows per CPU-s", "peak RSS MB", "runs", "max load1"], rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("results", nargs="+", help="JSON lines files from measure.py")
    args = ap.parse_args()
    runs = load_runs(args.results)
    summ = summarise(runs)
    for title, text in (("Native runtime", native_tables(summ, runs)),
                        ("Notebooks and peers", peer_tables(summ)),
                        ("tpchgen-cli", tpch_tables(summ))):
        if text:
            print(f"### {title}\n\n{text}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
