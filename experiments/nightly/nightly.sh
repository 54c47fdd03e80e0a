#!/usr/bin/env bash
# The nightly sweep: run the grid into a dated file, compare it with the last good night,
# and record the night in a one-line-per-night history.
#
#   experiments/nightly/nightly.sh [RESULTS_DIR]      (default: results/nightly)
#
# Environment: DECAYBENCH (the binary; default .build/release/decaybench), GRID (default
# experiments/nightly/grid.yaml), JOBS (default: all cores), NIGHT (default: today, UTC,
# as YYYY-MM-DD; set it to backfill a night), THRESHOLD_SD (default 3),
# THRESHOLD_ABS (optional, in error units). RESULTS_DIR, DECAYBENCH and GRID, when given,
# are read from the directory the script is called from; the defaults are the checkout's.
#
# Files in RESULTS_DIR:
#   YYYY-MM-DD.h5           the night's results (a rerun the same day resumes it)
#   YYYY-MM-DD.compare.md   the comparison with the last good night (and .json)
#   last-good.h5            a copy of the newest night that finished without a regression;
#                           a night that fails or regresses never touches it (a copy, not
#                           a link, so that rerunning a night cannot change it either)
#   history.tsv             date, commit, status, regressions, file: one line per night
#
# Status: ok, first (no baseline yet), regression, not-comparable (the night and last-good
# share no run: the grid changed; last-good stays until it is replaced by hand), run-failed
# (the run exited non-zero), compare-failed (compare could not read a file, say a damaged
# last-good.h5, which stays until replaced by hand).
# Exit status 0 for ok and first, 3 for a regression or not-comparable, 1 when the run or
# the comparison failed.
#
# cron (02:00 every night, from the checkout):
#   0 2 * * * cd /path/to/DecayBench && experiments/nightly/nightly.sh >> results/nightly/cron.log 2>&1
# Slurm (scrontab -e; the same line, run as a batch job on the cluster):
#   #SCRON --time=1:00:00 --cpus-per-task=4
#   0 2 * * * cd /path/to/DecayBench && JOBS=$SLURM_CPUS_PER_TASK experiments/nightly/nightly.sh
set -uo pipefail
caller=$PWD
from_caller() {  # a path the caller gave, made absolute before the script moves to the checkout
    case $1 in /*) printf '%s' "$1" ;; *) printf '%s/%s' "$caller" "$1" ;; esac
}
cd "$(dirname "$0")/../.."
directory=results/nightly
[ -n "${1:-}" ] && directory=$(from_caller "$1")
decaybench=.build/release/decaybench
case ${DECAYBENCH:-} in
    "") ;;
    */*) decaybench=$(from_caller "$DECAYBENCH") ;;
    *) decaybench=$DECAYBENCH ;;  # a command on PATH
esac
grid=experiments/nightly/grid.yaml
[ -n "${GRID:-}" ] && grid=$(from_caller "$GRID")
jobs=${JOBS:-$(nproc)}
mkdir -p "$directory"

night=${NIGHT:-$(date -u +%F)}
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ] && commit="$commit-dirty"
out="$directory/$night.h5"
history="$directory/history.tsv"
baseline="$directory/last-good.h5"
[ -f "$history" ] || printf 'date\tcommit\tstatus\tregressions\tfile\n' > "$history"

keep_as_last_good() {  # copy, then rename: a crash leaves the old last-good whole
    cp "$out" "$baseline.tmp" && mv "$baseline.tmp" "$baseline"
}

record() {  # status regressions
    printf '%s\t%s\t%s\t%s\t%s\n' "$night" "$commit" "$1" "$2" "$(basename "$out")" >> "$history"
    echo "nightly $night: $1 ($2 regressions)"
}

if ! "$decaybench" run "$grid" --out "$out" --jobs "$jobs" --resume --quiet; then
    record run-failed -
    exit 1
fi

if [ ! -e "$baseline" ]; then
    keep_as_last_good
    record first 0
    exit 0
fi

thresholds=(--threshold-sd "${THRESHOLD_SD:-3}")
[ -n "${THRESHOLD_ABS:-}" ] && thresholds+=(--threshold-abs "$THRESHOLD_ABS")
report="$directory/$night.compare"
"$decaybench" compare "$baseline" "$out" "${thresholds[@]}" --markdown "$report.md" --json "$report.json" > /dev/null
status=$?
regressions=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(sum(c["regression"] for c in r["cells"]) + len(r["status_changes"]))' "$report.json" 2>/dev/null || echo "?")
compared_nothing=$(python3 -c 'import json,sys; print(int(json.load(open(sys.argv[1]))["compared_nothing"]))' "$report.json" 2>/dev/null || echo 0)
case $status in
    0) keep_as_last_good; record ok "$regressions"; exit 0 ;;
    3) if [ "$compared_nothing" = 1 ]; then record not-comparable -; else record regression "$regressions"; fi; exit 3 ;;
    *) record compare-failed -; exit 1 ;;
esac
