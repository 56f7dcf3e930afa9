#!/usr/bin/env python3
"""measure.py: run one benchmark command and record what it cost.

Runs COMMAND (everything after `--`) as a child process and records, for the whole process tree
(a pyspark run is python plus a JVM):

- wall time, from just before the start to the exit of the child;
- CPU time (user + system) of every process of the tree, sampled while it runs;
- peak RSS: the largest sum of RSS over the tree seen by the sampler (every 20 ms), and the
  exact largest RSS of one process of the tree from the kernel, read through /usr/bin/time -f %M
  when it is installed (through a small C parent, so that the figure is not the RSS of this
  Python process copied by fork before exec), else from getrusage(RUSAGE_CHILDREN);
- bytes written: the size of every file under --bytes-dir after the run;
- the 1-minute load average before and after, so a number taken on a busy machine says so;
- optionally the engine's own seconds, parsed from its output with --engine-seconds-regex
  (a named group `secs`): for Spark this excludes the JVM start.

Derived: rows/s = rows / wall, MB/s = bytes / wall / 10^6 (MB = 10^6 bytes).
One JSON object per run is appended to --results (JSON lines); bench/report.py turns that
file into the tables of docs/performance.md. A summary line goes to stderr.

    bench/measure.py --label native-csv-t1 --rows 1000000 --bytes-dir out/bench \\
        --results bench/results/results.jsonl -- build/ingen_fab ... --execute ...

Exit status: the command's (1 if it could not be started); a failed run is recorded with
"ok": false. Needs psutil (bench/requirements.txt).
"""

import argparse
import datetime
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time

try:
    import psutil
except ImportError:  # pragma: no cover - told to the user below
    psutil = None


SAMPLE_SECONDS = 0.02


def tree_bytes(paths):
    total = 0
    files = 0
    for root in paths:
        if os.path.isfile(root):
            total += os.path.getsize(root)
            files += 1
            continue
        for dirpath, _dirs, names in os.walk(root):
            for n in names:
                p = os.path.join(dirpath, n)
                if os.path.isfile(p) and not os.path.islink(p):
                    total += os.path.getsize(p)
                    files += 1
    return total, files


class TreeSampler(threading.Thread):
    """Samples RSS and CPU time of a process and all its descendants until stopped."""

    def __init__(self, pid, skip_root=False):
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.skip_root = skip_root  # the root is /usr/bin/time: count its descendants only
        self.stop_event = threading.Event()
        self.peak_rss = 0
        self.peak_procs = 0
        self.cpu = {}  # pid -> (create_time, user + system seconds), last seen
        self.samples = 0

    def sample(self):
        try:
            procs = ([] if self.skip_root else [self.root]) + self.root.children(recursive=True)
        except psutil.Error:
            return
        rss = 0
        alive = 0
        for p in procs:
            try:
                with p.oneshot():
                    rss += p.memory_info().rss
                    t = p.cpu_times()
                    self.cpu[p.pid] = (p.create_time(), t.user + t.system)
                alive += 1
            except psutil.Error:
                continue
        self.samples += 1
        if rss > self.peak_rss:
            self.peak_rss = rss
        self.peak_procs = max(self.peak_procs, alive)

    def run(self):
        while not self.stop_event.is_set():
            self.sample()
            self.stop_event.wait(SAMPLE_SECONDS)

    def cpu_seconds(self):
        return sum(v[1] for v in self.cpu.values())


def main():
    ap = argparse.ArgumentParser(
        description="Run a benchmark command; record wall time, CPU, peak RSS and bytes.",
        usage="%(prog)s [options] -- COMMAND [ARGS...]")
    ap.add_argument("--label", required=True, help="what this run is, e.g. native-csv-t2")
    ap.add_argument("--rows", type=int, default=0, help="rows the command writes")
    ap.add_argument("--bytes-dir", action="append", default=[],
                    help="a folder (or file) whose files are counted as written (repeatable)")
    ap.add_argument("--results", help="append the JSON record to this JSON lines file")
    ap.add_argument("--engine-seconds-regex",
                    help="regex with a named group 'secs' read from the command's stdout")
    ap.add_argument("--clean", action="append", default=[],
                    help="remove this folder after measuring (repeatable)")
    ap.add_argument("--log", help="write the command's stdout and stderr here")
    ap.add_argument("--meta", action="append", default=[], metavar="KEY=VALUE",
                    help="extra fields for the record (repeatable)")
    ap.add_argument("command", nargs=argparse.REMAINDER)
    args = ap.parse_args()

    cmd = args.command
    if cmd and cmd[0] == "--":
        cmd = cmd[1:]
    if not cmd:
        ap.error("no command given (put it after --)")
    if psutil is None:
        print("measure.py: psutil is missing: pip install -r bench/requirements.txt", file=sys.stderr)
        return 2

    meta = {}
    for kv in args.meta:
        if "=" not in kv:
            ap.error(f"--meta wants KEY=VALUE, got '{kv}'")
        k, v = kv.split("=", 1)
        meta[k] = v

    load_before = os.getloadavg()[0]
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    log = open(args.log, "wb") if args.log else None
    started_at = datetime.datetime.now(datetime.timezone.utc)
    gnu_time = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None
    maxrss_file = None
    run_cmd = cmd
    if gnu_time:
        maxrss_file = os.path.join(tempfile.mkdtemp(prefix="measure-"), "maxrss")
        run_cmd = [gnu_time, "-f", "%M", "-o", maxrss_file, "--"] + cmd
    t0 = time.perf_counter()
    try:
        proc = subprocess.Popen(run_cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    except OSError as e:
        print(f"measure.py: cannot run '{cmd[0]}': {e.strerror}", file=sys.stderr)
        return 1
    sampler = TreeSampler(proc.pid, skip_root=gnu_time is not None)
    sampler.start()
    out_chunks = []
    for line in proc.stdout:  # keep reading so the child never blocks on a full pipe
        out_chunks.append(line)
        if log:
            log.write(line)
    rc = proc.wait()
    wall = time.perf_counter() - t0
    sampler.stop_event.set()
    sampler.join()
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    load_after = os.getloadavg()[0]
    if log:
        log.close()
    output = b"".join(out_chunks).decode("utf-8", "replace")

    max_rss_one_kb = ru1.ru_maxrss
    if maxrss_file:
        try:
            with open(maxrss_file) as f:
                lines = [ln for ln in f.read().split() if ln.isdigit()]
            if lines:
                max_rss_one_kb = int(lines[-1])
        except OSError:
            pass
        shutil.rmtree(os.path.dirname(maxrss_file), ignore_errors=True)

    nbytes, nfiles = tree_bytes(args.bytes_dir)
    engine_secs = None
    if args.engine_seconds_regex:
        m = None
        for m in re.finditer(args.engine_seconds_regex, output):
            pass
        if m:
            engine_secs = float(m.group("secs").replace(",", ""))

    # The kernel's CPU time of waited-for descendants; a JVM that its parent does not wait for
    # is missing from it, so the sampled figure is kept too and the larger one is reported.
    cpu_rusage = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
    cpu_sampled = sampler.cpu_seconds()
    rec = {
        "label": args.label,
        "ok": rc == 0,
        "exit_status": rc,
        "started": started_at.isoformat(timespec="seconds"),
        "rows": args.rows,
        "wall_s": round(wall, 3),
        "engine_s": engine_secs,
        "cpu_s": round(max(cpu_rusage, cpu_sampled), 3),
        "peak_rss_tree_mb": round(sampler.peak_rss / 1e6, 1),
        "max_rss_one_process_mb": round(max_rss_one_kb * 1024 / 1e6, 1),
        "bytes": nbytes,
        "files": nfiles,
        "rows_per_s": round(args.rows / wall) if wall > 0 and args.rows else None,
        "mb_per_s": round(nbytes / wall / 1e6, 1) if wall > 0 else None,
        "rows_per_cpu_s": round(args.rows / max(cpu_rusage, cpu_sampled))
        if args.rows and max(cpu_rusage, cpu_sampled) > 0 else None,
        "load1_before": round(load_before, 2),
        "load1_after": round(load_after, 2),
        "samples": sampler.samples,
        "command": cmd,
    }
    rec.update(meta)
    if args.results:
        os.makedirs(os.path.dirname(os.path.abspath(args.results)), exist_ok=True)
        with open(args.results, "a") as f:
            f.write(json.dumps(rec) + "\n")
    for d in args.clean:
        shutil.rmtree(d, ignore_errors=True)

    rps = f"{rec['rows_per_s']:,}" if rec["rows_per_s"] else "-"
    print(f"{args.label}: {'ok' if rc == 0 else 'FAILED (exit %d)' % rc}, {args.rows:,} rows, "
          f"wall {wall:.2f} s, cpu {rec['cpu_s']:.2f} s, {rps} rows/s, "
          f"{rec['mb_per_s']} MB/s, peak {rec['peak_rss_tree_mb']} MB "
          f"(one process {rec['max_rss_one_process_mb']} MB), load {load_before:.2f}->{load_after:.2f}",
          file=sys.stderr)
    if rc != 0:
        tail = "\n".join(output.strip().splitlines()[-15:])
        print(f"--- last lines of its output ---\n{tail}", file=sys.stderr)
    return rc


if __name__ == "__main__":
    sys.exit(main())
