#!/usr/bin/env python3
"""Golden tests for config error messages and for compiled notebooks and DDL.

Error cases.  Each case is a folder tests/golden/errors/<case>/ holding a dataset config
(dataset.yaml or dataset.json), the exact stderr expected from

    ingen_fab package synthetic-data validate tests/golden/errors/<case>/dataset.yaml [ARGS]

in expected.stderr, and optionally extra command-line arguments in `args`
(split like a shell would, without expansion).  Every case must exit with
status 2 (config error).  The runner works from the repository root so that
the paths in messages are stable.

Compile cases.  Each case is a folder tests/golden/compile/<case>/ holding
`args`, the arguments of

    ingen_fab --fabric-workspace-repo-dir TMP package synthetic-data compile ARGS

(split like a shell would; paths relative to the repository root, e.g. a
dataset.yaml beside `args`), and `expected/`, the tree the command must write
under TMP: every file, byte for byte, and no other file.  The command must
exit 0.  Keep the cases small (-r 100): notebooks embed the runtime and the
reference tables.

    tests/golden/run_golden.py [--bin build/ingen_fab] [--update] [NAME_FILTER...]

--update rewrites expected.stderr, or the expected/ tree (stale files are
removed), from the actual output (read every changed file before committing
it).  A filter keeps the cases whose name contains any of the given strings.
The last line printed is "N passed, N failed" over both kinds of case; the
exit status is 1 when any case failed.
"""

import argparse
import difflib
import os
import shlex
import shutil
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CASES = os.path.join("tests", "golden", "errors")
COMPILE_CASES = os.path.join("tests", "golden", "compile")
EXPECTED_EXIT = 2
# Variables the binary reads: removed so that the caller's environment cannot change a result.
OUR_ENV = ("INGEN_FAB_DATASETS", "SCALE_FACTOR", "BATCH_SIZE", "OUTPUT_PATH",
           "FABRIC_WORKSPACE_REPO_DIR", "FABRIC_ENVIRONMENT")
MAX_DIFF_LINES = 60
MAX_DIFF_WIDTH = 240   # compiled notebooks have very long lines (Spark SQL expressions)


def clean_env():
    env = dict(os.environ)
    for var in OUR_ENV:
        env.pop(var, None)
    return env


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
    proc = subprocess.run(cmd, cwd=REPO, env=clean_env(), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=60)
    return proc.returncode, proc.stderr.decode("utf-8", "replace"), cmd


def error_case(binary, name, update):
    """Runs one error case: returns (problems, command)."""
    case_dir = os.path.join(CASES, name)
    expected_path = os.path.join(REPO, case_dir, "expected.stderr")
    status, stderr, cmd = run_case(binary, case_dir)
    if update and status is not None:
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
    return problems, cmd


def read_tree(root):
    """{relative '/'-separated path: bytes} of every file under root."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for fn in sorted(filenames):
            full = os.path.join(dirpath, fn)
            with open(full, "rb") as f:
                out[os.path.relpath(full, root).replace(os.sep, "/")] = f.read()
    return out


def write_tree(root, files):
    """Makes `root` hold exactly `files` (removing anything else)."""
    if os.path.isdir(root):
        shutil.rmtree(root)
    for rel, data in files.items():
        path = os.path.join(root, *rel.split("/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)


def file_diff(rel, expected, actual):
    """A short description of how two versions of a file differ."""
    try:
        exp_text, act_text = expected.decode("utf-8"), actual.decode("utf-8")
    except UnicodeDecodeError:
        return "%s: binary contents differ (%d bytes expected, %d actual)" % (rel, len(expected), len(actual))
    diff = list(difflib.unified_diff(exp_text.splitlines(True), act_text.splitlines(True),
                                     fromfile="expected/" + rel, tofile="actual/" + rel))
    if not diff:  # only line endings or the final newline differ
        return "%s: differs in line endings or the final newline" % rel
    more = len(diff) - MAX_DIFF_LINES
    shown = []
    for line in diff[:MAX_DIFF_LINES]:
        line = line.rstrip("\n")
        if len(line) > MAX_DIFF_WIDTH:
            line = line[:MAX_DIFF_WIDTH] + " ... (%d more characters)" % (len(line) - MAX_DIFF_WIDTH)
        shown.append(line + "\n")
    text = "".join(shown)
    if more > 0:
        text += "... (%d more diff lines)\n" % more
    return text.rstrip("\n")


def compile_case(binary, name, update):
    """Runs one compile case: returns (problems, command)."""
    case_dir = os.path.join(REPO, COMPILE_CASES, name)
    expected_dir = os.path.join(case_dir, "expected")
    args_file = os.path.join(case_dir, "args")
    if not os.path.exists(args_file):
        return ["no args file in %s" % os.path.join(COMPILE_CASES, name)], []
    with open(args_file, encoding="utf-8") as f:
        args = shlex.split(f.read())
    tmp = tempfile.mkdtemp(prefix="golden-compile-")
    try:
        out = os.path.join(tmp, "out")
        cmd = [binary, "--fabric-workspace-repo-dir", out, "package", "synthetic-data", "compile"] + args
        proc = subprocess.run(cmd, cwd=REPO, env=clean_env(), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=300)
        shown = [c if c != out else "TMP" for c in cmd]
        if proc.returncode != 0:
            return ["exit status %d, expected 0\n%s" % (proc.returncode,
                                                          proc.stderr.decode("utf-8", "replace").rstrip("\n"))], shown
        actual = read_tree(out) if os.path.isdir(out) else {}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    if update:
        old = read_tree(expected_dir) if os.path.isdir(expected_dir) else None
        if old != actual:
            write_tree(expected_dir, actual)
            print("updated %s" % name)
    if not os.path.isdir(expected_dir):
        return ["no expected/ folder (run with --update to create it)"], shown
    expected = read_tree(expected_dir)
    problems = []
    for rel in sorted(set(expected) - set(actual)):
        problems.append("not written: %s" % rel)
    for rel in sorted(set(actual) - set(expected)):
        problems.append("written but not expected: %s" % rel)
    for rel in sorted(set(expected) & set(actual)):
        if expected[rel] != actual[rel]:
            problems.append(file_diff(rel, expected[rel], actual[rel]))
    return problems, shown


def case_names(root, filters):
    if not os.path.isdir(root):
        return []
    names = sorted(n for n in os.listdir(root) if os.path.isdir(os.path.join(root, n)))
    if filters:
        names = [n for n in names if any(f in n for f in filters)]
    return names


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default=os.path.join("build", "ingen_fab"),
                    help="the ingen_fab binary (relative to the repository root)")
    ap.add_argument("--update", action="store_true",
                    help="rewrite expected.stderr / expected/ from the actual output")
    ap.add_argument("filters", nargs="*", help="run only cases whose name contains one of these")
    opts = ap.parse_args()

    binary = opts.bin if os.path.isabs(opts.bin) else os.path.join(REPO, opts.bin)
    if not os.path.exists(binary):
        print("run_golden: no binary at %s (build first, or pass --bin)" % binary,
              file=sys.stderr)
        print("0 passed, 1 failed")
        return 1

    cases = [("errors", n, error_case) for n in case_names(os.path.join(REPO, CASES), opts.filters)]
    cases += [("compile", n, compile_case)
              for n in case_names(os.path.join(REPO, COMPILE_CASES), opts.filters)]

    passed = failed = 0
    for kind, name, runner in cases:
        problems, cmd = runner(binary, name, opts.update)
        if problems:
            failed += 1
            print("FAIL %s/%s" % (kind, name))
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
