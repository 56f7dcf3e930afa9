#!/usr/bin/env bash
# same_outputs.sh: checks that a changed native runtime writes the same bytes as a reference
# build (for changes that must not change a value: speed work, refactors). For every dataset
# of the catalogue (`generate`, CSV and JSON lines by default, at --rows rows), every
# incremental dataset (`generate-series`, its first 3 days) and the bench table
# (bench/datasets/bench_10col.yaml at 1M and 3M rows), the reference writes on 1 thread and
# the new binary on 1 and 2 threads (the bench table: 1, 2 and 3); the sha256 of every data
# file must match (the run log table and _runs/ hold times, so they are left out).
#
# Usage: tools/same_outputs.sh NEW_BIN REF_BIN [options]
#   --formats "F ..."   csv, jsonl, parquet, delta (default: "csv jsonl")
#   --rows N            rows of each catalogue dataset (default: 20000)
#   --bench-rows "N ..." rows of the bench table (default: "1000000 3000000"; "" skips it)
#   --work DIR          scratch folder, removed at the end (default: a mktemp folder)
# A reference build of another commit: git worktree add /tmp/ref COMMIT && cmake -S /tmp/ref
#   -B /tmp/ref/build -G Ninja && cmake --build /tmp/ref/build --target ingen_fab
# Prints one line per difference and exits 1 if there is any, 2 on bad usage.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }

[ $# -ge 2 ] || { usage >&2; exit 2; }
NEW=$(realpath "$1") REF=$(realpath "$2")
shift 2
FORMATS="csv jsonl"
ROWS=20000
BENCH_ROWS="1000000 3000000"
WORK=""
while [ $# -gt 0 ]; do
	case "$1" in
	--formats) FORMATS="$2"; shift 2 ;;
	--rows) ROWS="$2"; shift 2 ;;
	--bench-rows) BENCH_ROWS="$2"; shift 2 ;;
	--work) WORK="$2"; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) echo "same_outputs.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done
for bin in "$NEW" "$REF"; do
	[ -f "$bin" ] && [ -x "$bin" ] || { echo "same_outputs.sh: '$bin' is not an executable file" >&2; exit 2; }
done
WORK=${WORK:-$(mktemp -d)}
mkdir -p "$WORK"
trap 'rm -rf "$WORK"' EXIT

ids=$("$REF" package synthetic-data list-datasets | awk 'NR > 1 { print $1 }')
incremental_ids=$("$REF" package synthetic-data list-incremental-datasets | awk 'NR > 1 { print $1 }')
[ -n "$ids" ] && [ -n "$incremental_ids" ] || { echo "same_outputs.sh: '$REF' lists no dataset" >&2; exit 2; }

# The sorted sha256 lines of the data files under a run's lakehouse folder.
sums() {
	(cd "$1/lakehouse" && find . -type f -not -path '*log_synthetic_data_generation*' \
		-not -path '*/_runs/*' \( -name '*.csv' -o -name '*.jsonl' -o -name '*.parquet' \) \
		-print0 | sort -z | xargs -0 sha256sum)
}

fail=0 compared=0
# compare DATASET FORMAT ROWS COMMAND THREADS...: the reference on 1 thread, the new binary on
# each; COMMAND is "generate" or "generate-series" (3 days from the dataset's start date)
compare() {
	local id=$1 fmt=$2 rows=$3 command=$4 days=()
	shift 4
	if [ "$command" = generate-series ]; then
		local start
		start=$(sed -n '/^incremental:/,$ s/^  start_date: *\([0-9-]*\).*/\1/p' "$ROOT/datasets/$id.yaml")
		days=(-s "$start" -e "$(date -d "$start + 2 days" +%F)")
	fi
	rm -rf "$WORK/ref"
	if ! "$REF" --fabric-workspace-repo-dir "$WORK/ref" package synthetic-data "$command" "$id" "${days[@]}" \
		--execute --output-format "$fmt" -r "$rows" --threads 1 >/dev/null 2>"$WORK/err"; then
		echo "reference failed: $command $id $fmt: $(tail -1 "$WORK/err")"; fail=1; return
	fi
	sums "$WORK/ref" >"$WORK/ref.sums"
	[ -s "$WORK/ref.sums" ] || { echo "no data files: $command $id $fmt"; fail=1; return; }
	for t in "$@"; do
		rm -rf "$WORK/new"
		if ! "$NEW" --fabric-workspace-repo-dir "$WORK/new" package synthetic-data "$command" "$id" "${days[@]}" \
			--execute --output-format "$fmt" -r "$rows" --threads "$t" >/dev/null 2>"$WORK/err"; then
			echo "new binary failed: $command $id $fmt threads=$t: $(tail -1 "$WORK/err")"; fail=1; continue
		fi
		if cmp -s "$WORK/ref.sums" <(sums "$WORK/new"); then
			compared=$((compared + 1))
		else
			echo "DIFFERENT: $command $id $fmt rows=$rows threads=$t"; fail=1
		fi
	done
}

for fmt in $FORMATS; do
	for id in $ids; do compare "$id" "$fmt" "$ROWS" generate 1 2; done
	for id in $incremental_ids; do compare "$id" "$fmt" "$ROWS" generate-series 1 2; done
	for rows in $BENCH_ROWS; do
		compare "$ROOT/bench/datasets/bench_10col.yaml" "$fmt" "$rows" generate 1 2 3
	done
done
echo "same_outputs.sh: $compared runs the same as the reference, failures: $fail"
exit $fail
