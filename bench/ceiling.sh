#!/usr/bin/env bash
# ceiling.sh: what two vCPUs of this host give, against what the runtime's threads get.
#
# Per repeat, one after the other (seconds apart, so the host's drift mostly cancels):
#   (a) the bench table, ROWS rows, on 1 thread;
#   (b) the same on 2 threads;
#   (c) two independent 1-thread processes of ROWS/2 rows each, at once.
# (c) shares nothing (no mutex, no memory, separate files): a/c is the most two vCPUs of this
# host give to this work at that moment; a/b against a/c is what the runtime's threading
# loses. Prints one line per repeat.
#
# Usage: bench/ceiling.sh [--rows N] [--format csv|parquet|delta|jsonl] [--repeat K] [--bin PATH]
#   (defaults: 10000000, csv, 5, build/ingen_fab); output under /tmp, removed at the end.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROWS=10000000 FORMAT=csv REPEAT=5 BIN="$ROOT/${INGEN_BUILD_DIR:-build}/ingen_fab"
while [ $# -gt 0 ]; do
	case "$1" in
	--rows) ROWS="$2"; shift 2 ;;
	--format) FORMAT="$2"; shift 2 ;;
	--repeat) REPEAT="$2"; shift 2 ;;
	--bin) BIN="$2"; shift 2 ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "ceiling.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done
[ -x "$BIN" ] || { echo "ceiling.sh: no binary at '$BIN'" >&2; exit 2; }
WORK=$(mktemp -d /tmp/ceiling.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

one() { # one DIR ROWS THREADS
	rm -rf "$1"
	"$BIN" --fabric-workspace-repo-dir "$1" package synthetic-data generate \
		"$ROOT/bench/datasets/bench_10col.yaml" --execute --output-format "$FORMAT" \
		-r "$2" --threads "$3" >/dev/null
}
now() { date +%s.%N; }

for _ in $(seq 1 "$REPEAT"); do
	t0=$(now); one "$WORK/a" "$ROWS" 1
	t1=$(now); one "$WORK/b" "$ROWS" 2
	t2=$(now); one "$WORK/c" $((ROWS / 2)) 1 & pid=$!; one "$WORK/d" $((ROWS - ROWS / 2)) 1; wait "$pid"
	t3=$(now)
	awk -v a="$(echo "$t1 - $t0" | bc)" -v b="$(echo "$t2 - $t1" | bc)" -v c="$(echo "$t3 - $t2" | bc)" \
		-v rows="$ROWS" -v fmt="$FORMAT" -v load="$(cut -d' ' -f1 /proc/loadavg)" 'BEGIN {
		printf "%s rows %s: 1 thread %.2f s, 2 threads %.2f s (%.2fx), two processes %.2f s (%.2fx), load1 %s\n",
			rows, fmt, a, b, a / b, c, a / c, load }'
done
