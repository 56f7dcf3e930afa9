#!/usr/bin/env python3
"""Golden tests for config error messages.

Each case is a folder tests/golden/errors/<case>/ holding a dataset config
(dataset.yaml or dataset.json), the exact stderr expected from

    ingen_fab package synthetic-data validate tests/golden/errors/<case>/dataset.yaml [ARGS]

in expected.stderr, and optionally extra command-line arguments in `args`
(split like a shell would, without expansion).  Every case must exit with
status 2 (config error).  The runner works from the repository root so that
the paths in messages are stable.

    tests/golden/run_golden.py [--bin build/ingen_fab] [--update] [NAME_FILTER...]

--update rewrites expected.stderr from the actual output (read every changed
file before committing it).  A filter keeps the cases whose name contains
any of the given strings.  The last line printed is "N passed, N failed";
the exit status is 1 when any case failed.
"""

import argparse
import difflib
import os
import shlex
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CASES = os.path.join("tests", "golden", "errors")
EXPECTED_EXIT = 2


def find_config(case_dir):
    for name in ("dataset.yaml", "dataset.yml", "dataset.json"):
        if os.path.exists(os.path.join(REPO, case_dir, name)):
            return os.path.join(case_dir, name)
    return None


def run_case(binary, case_dir):
    """Returns (exit status, stderr text, command) for one case."""
    config = find_config(case_dir)
    if config is None:
        return None, "no dataset.yaml or dataset.json in %s\n" % case_dir, []
    args = []
    args_file = os.path.join(REPO, case_dir, "args")
    if os.path.exists(args_file):
        with open(args_file, encoding="utf-8") as f:
            args = shlex.split(f.read())
    cmd = [binary, "package", "synthetic-data", "validate", config] + args
    env = dict(os.environ)
    for var in ("INGEN_FAB_DATASETS", "SCALE_FACTOR", "BATCH_SIZE", "OUTPUT_PATH"):
        env.pop(var, None)
    proc = subprocess.run(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=60)
    return proc.returncode, proc.stderr.decode("utf-8", "replace"), cmd


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default=os.path.join("build", "ingen_fab"),
                    help="the ingen_fab binary (relative to the repository root)")
    ap.add_argument("--update", action="store_true",
                    help="rewrite expected.stderr from the actual output")
    ap.add_argument("filters", nargs="*", help="run only cases whose name contains one of these")
    opts = ap.parse_args()

    binary = opts.bin if os.path.isabs(opts.bin) else os.path.join(REPO, opts.bin)
    if not os.path.exists(binary):
        print("run_golden: no binary at %s (build first, or pass --bin)" % binary,
              file=sys.stderr)
        print("0 passed, 1 failed")
        return 1

    root = os.path.join(REPO, CASES)
    names = sorted(n for n in os.listdir(root) if os.path.isdir(os.path.join(root, n)))
    if opts.filters:
        names = [n for n in names if any(f in n for f in opts.filters)]

    passed = failed = 0
    for name in names:
        case_dir = os.path.join(CASES, name)
        expected_path = os.path.join(REPO, case_dir, "expected.stderr")
        status, stderr, cmd = run_case(binary, case_dir)
        if opts.update and status is not None:
            old = None
            if os.path.exists(expected_path):
                with open(expected_path, encoding="utf-8") as f:
                    old = f.read()
            if old != stderr:
                with open(expected_path, "w", encoding="utf-8") as f:
                    f.write(stderr)
                print("updated %s" % name)
        expected = None
        if os.path.exists(expected_path):
            with open(expected_path, encoding="utf-8") as f:
                expected = f.read()

        problems = []
        if status is None:
            problems.append(stderr.rstrip("\n"))
        else:
            if status != EXPECTED_EXIT:
                problems.append("exit status %s, expected %d" % (status, EXPECTED_EXIT))
            if expected is None:
                problems.append("no expected.stderr (run with --update to create it)")
            elif stderr != expected:
                diff = difflib.unified_diff(
                    expected.splitlines(True), stderr.splitlines(True),
                    fromfile=os.path.join(case_dir, "expected.stderr"),
                    tofile="actual stderr")
                problems.append("".join(diff).rstrip("\n"))
        if problems:
            failed += 1
            print("FAIL %s" % name)
            if cmd:
                print("  $ " + " ".join(shlex.quote(c) for c in cmd))
            for p in problems:
                print("\n".join("  " + line for line in p.splitlines()))
        else:
            passed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
