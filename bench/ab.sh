#!/usr/bin/env bash
# ab.sh: two builds of ingen_fab on the bench table, run alternately (A, B, A, B, ...), so
# that both see the same drift of the host; prints each one's wall and user-CPU time (min and
# median) and the paired ratio, the median over the pairs of A's wall time over B's. This
# is how a change to the runtime is judged on this machine, whose speed drifts by up to 1.7x
# within minutes (docs/performance.md).
#
# Usage: bench/ab.sh A_BIN B_BIN [options]
#   --pairs K        pairs of runs (default: 8)
#   --rows N         rows of the bench table (default: 10000000)
#   --format F       csv, jsonl, parquet or delta (default: csv)
#   --threads T      worker threads (default: 1)
#   --out DIR        output root, emptied after each run (default: /dev/shm/ingen-ab, so
#                    the disk does not take part)
# Example: bench/ab.sh /tmp/ref/build/ingen_fab build/ingen_fab --pairs 10
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }

[ $# -ge 2 ] || { usage >&2; exit 2; }
A=$1 B=$2
shift 2
PAIRS=8 ROWS=10000000 FORMAT=csv THREADS=1 OUT=/dev/shm/ingen-ab
while [ $# -gt 0 ]; do
	case "$1" in
	--pairs) PAIRS="$2"; shift 2 ;;
	--rows) ROWS="$2"; shift 2 ;;
	--format) FORMAT="$2"; shift 2 ;;
	--threads) THREADS="$2"; shift 2 ;;
	--out) OUT="$2"; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) echo "ab.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done
for bin in "$A" "$B"; do
	[ -f "$bin" ] && [ -x "$bin" ] || { echo "ab.sh: '$bin' is not an executable file" >&2; exit 2; }
done
[ -x /usr/bin/time ] || { echo "ab.sh: needs /usr/bin/time (Debian package time)" >&2; exit 2; }

TIMES=$(mktemp)
trap 'rm -f "$TIMES" "$TIMES.one"; rm -rf "$OUT"' EXIT
for _ in $(seq "$PAIRS"); do
	for side in A B; do
		bin=$A
		[ "$side" = B ] && bin=$B
		rm -rf "$OUT"
		/usr/bin/time -o "$TIMES.one" -f "%e %U" "$bin" --fabric-workspace-repo-dir "$OUT" \
			package synthetic-data generate "$ROOT/bench/datasets/bench_10col.yaml" --execute \
			--output-format "$FORMAT" --threads "$THREADS" -r "$ROWS" >/dev/null
		echo "$side $(tail -1 "$TIMES.one")" >>"$TIMES"
	done
done

python3 - "$TIMES" "$A" "$B" "$ROWS" <<'EOF'
import statistics
import sys

path, a_bin, b_bin, rows = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
runs = {"A": [], "B": []}
for line in open(path):
    side, wall, user = line.split()
    runs[side].append((float(wall), float(user)))
for side, binary in (("A", a_bin), ("B", b_bin)):
    wall = [w for w, _ in runs[side]]
    user = [u for _, u in runs[side]]
    print(f"{side} {binary}: wall min {min(wall):.2f} s, median {statistics.median(wall):.2f} s "
          f"({rows / statistics.median(wall) / 1e6:.2f}M rows/s); "
          f"user min {min(user):.2f} s, median {statistics.median(user):.2f} s")
ratios = [a[0] / b[0] for a, b in zip(runs["A"], runs["B"])]
print(f"paired wall time A/B: median {statistics.median(ratios):.3f} "
      f"(range {min(ratios):.3f}-{max(ratios):.3f}; above 1: B is faster)")
EOF
