#!/usr/bin/env bash
# The nightly sweep: run the grid into a dated file, compare it with the last good night,
# and record the night in a one-line-per-night history.
#
#   experiments/nightly/nightly.sh [RESULTS_DIR]      (default: results/nightly)
#
# Environment: DECAYBENCH (the binary; default .build/release/decaybench), GRID (default
# experiments/nightly/grid.yaml), JOBS (default: all cores), NIGHT (default: today, UTC,
# as YYYY-MM-DD; set it to backfill a night), THRESHOLD_SD (default 3),
# THRESHOLD_ABS (optional, in error units), NEW_BASELINE=1 (start from tonight when
# last-good.h5 has been removed on purpose). RESULTS_DIR, DECAYBENCH and GRID, when given,
# are read from the directory the script is called from; the defaults are the checkout's.
#
# Files in RESULTS_DIR:
#   YYYY-MM-DD.h5           the night's results (a rerun the same day resumes it)
#   YYYY-MM-DD.compare.md   the comparison with the last good night (and .json)
#   last-good.h5            a copy of the newest night that finished without a regression;
#                           a night that fails or regresses never touches it (a copy, not
#                           a link, so that rerunning a night cannot change it either), nor
#                           does a backfilled night older than the one it holds
#   last-good.night         the night last-good.h5 is a copy of
#   history.tsv             date, commit, status, regressions, file: one line per night; the
#                           commit is the one that computed the night's file
#   .night-YYYY-MM-DD.running  while a night runs: its process id, commit and host; a second
#                           start of that night stops at once (exit status 1) and records nothing,
#                           and a night that cannot write it (or history.tsv) does not start
#
# Status: ok, first (no baseline yet), regression, runs-missing (runs of last-good have no
# result tonight), grid-changed (the grid file differs from last-good's: the comparison is not
# like for like), not-comparable (the night and last-good share no run), run-failed (the run
# exited non-zero), compare-failed (compare could not read a file, say a damaged
# last-good.h5), baseline-missing (last-good.h5 is gone though earlier nights passed),
# promote-failed (tonight passed but could not be copied to last-good.h5, say on a full disk),
# interrupted (written by the next night: the night's process was killed, or its machine went
# down, before it recorded a status, or it could not append its line to history.tsv;
# NIGHT=that date resumes its file).
# After grid-changed, not-comparable, compare-failed or baseline-missing, last-good stays
# until it is replaced by hand (or removed, and the next night run with NEW_BASELINE=1).
# Exit status 0 for ok and first, 3 for regression, runs-missing, grid-changed and
# not-comparable, 1 for the failures.
#
# cron (02:00 every night, from the checkout):
#   0 2 * * * cd /path/to/DecayBench && mkdir -p results/nightly && experiments/nightly/nightly.sh >> results/nightly/cron.log 2>&1
# Slurm (scrontab -e; the same line, run as a batch job on the cluster):
#   #SCRON --time=1:00:00 --cpus-per-task=4
#   0 2 * * * cd /path/to/DecayBench && mkdir -p results/nightly && JOBS=$SLURM_CPUS_PER_TASK experiments/nightly/nightly.sh >> results/nightly/cron.log 2>&1
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
# Every line of history.tsv is appended with its write checked: a night whose line cannot be
# written (a full disk, a directory where the file should be) says so and fails, before it
# computes anything when it can.
if [ ! -f "$history" ] && ! printf 'date\tcommit\tstatus\tregressions\tfile\n' > "$history"; then
    echo "nightly $night: cannot write $history; not started"
    exit 1
fi

night_of_baseline="$directory/last-good.night"

history_line() {  # night commit status regressions file
    printf '%s\t%s\t%s\t%s\t%s\n' "$@" >> "$history"
}

record() {  # status regressions
    echo "nightly $night: $1 ($2 regressions)"
    if ! history_line "$night" "$commit" "$1" "$2" "$(basename "$out")"; then
        # The marker stays, so the next night records this one as interrupted.
        echo "nightly $night: could not append its line to $history; it will be recorded as interrupted"
        exit 1
    fi
    recorded=1
}

# A night killed before it recorded a status (kill -9, a reboot, a lost node) leaves its
# marker; the next night writes its line, so that history.tsv has one for every night started.
# A marker of this host names a process to ask after; one of another host (a Slurm night runs
# on any node of the cluster) counts as gone once it is a day old.
host=$(hostname 2> /dev/null || echo unknown)
for marker in "$directory"/.night-*.running; do
    [ -f "$marker" ] || continue
    read -r pid marked_commit marked_host < "$marker"
    if [ "${marked_host:-}" = "$host" ]; then
        [[ "${pid:-}" =~ ^[1-9][0-9]*$ ]] && kill -0 "$pid" 2> /dev/null && continue  # still running
    elif [ -z "$(find "$marker" -mmin +1440 2> /dev/null)" ]; then
        continue  # another host's night, started less than a day ago
    fi
    marked_night=${marker##*/.night-}
    marked_night=${marked_night%.running}
    if ! history_line "$marked_night" "${marked_commit:-unknown}" interrupted - "$marked_night.h5"; then
        echo "nightly $night: cannot append the interrupted night $marked_night to $history; not started"
        exit 1
    fi
    echo "nightly $marked_night: interrupted (its process ${pid:-?} is gone without a status; NIGHT=$marked_night resumes its file)"
    rm -f "$marker"
done
recorded=0
running="$directory/.night-$night.running"
# The loop above left only markers of nights still running. A second start of one of them
# (cron and a rerun by hand) would overwrite its marker, and the first to end would remove
# the other's; it stops here instead, before it writes anything.
if [ -f "$running" ]; then
    read -r pid _ marked_host < "$running"
    echo "nightly $night: already running (process ${pid:-?} on ${marked_host:-?}); not started again"
    exit 1
fi
# Without its marker a killed night would go unrecorded: a night that cannot write it does not
# start (an empty marker left by a full disk would read as a night that was killed).
if ! printf '%s %s %s\n' "$$" "$commit" "$host" > "$running"; then
    [ -f "$running" ] && rm -f "$running"
    echo "nightly $night: cannot write its marker $running; not started"
    exit 1
fi
# Left behind only when the script ends without recording a status.
trap '[ "$recorded" = 1 ] && rm -f "$running"' EXIT

keep_as_last_good() {  # status: copy, then rename, so a crash or a full disk leaves the old last-good whole
    local newer=""
    [ -e "$baseline" ] && [ -f "$night_of_baseline" ] && newer=$(cat "$night_of_baseline")
    if [[ "$night" < "$newer" ]]; then
        echo "last-good.h5 holds the newer night $newer; this backfilled night does not replace it"
    elif ! { cp "$out" "$baseline.tmp" && printf '%s\n' "$night" > "$night_of_baseline.tmp" \
             && mv "$baseline.tmp" "$baseline" && mv "$night_of_baseline.tmp" "$night_of_baseline"; }; then
        rm -f "$baseline.tmp" "$night_of_baseline.tmp"
        record promote-failed "$2"
        exit 1
    fi
    record "$1" "$2"
    exit 0
}

if ! "$decaybench" run "$grid" --out "$out" --jobs "$jobs" --resume --quiet; then
    record run-failed -
    exit 1
fi
# A night rerun the same day finds its file complete and computes nothing: the commit that
# counts is the one that computed the file, and a newer checkout has not been tested.
computed_by=$("$decaybench" inspect "$out" 2>/dev/null | sed -n 's/^provenance: .*, commit \([0-9a-f]*\).*$/\1/p')
head_commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)
if [ -n "$computed_by" ] && [ "$computed_by" != "$head_commit" ]; then
    echo "$out was computed at commit ${computed_by:0:7}, not at the checkout's ${head_commit:0:7}: remove it to test the checkout"
    commit=${computed_by:0:7}
fi

# One night at a time compares and replaces last-good (a backfill may run beside cron).
# Opened to append: a file of that name is locked, never emptied.
exec 9>> "$directory/.last-good.lock"
flock 9 2> /dev/null

if [ ! -e "$baseline" ]; then
    if [ "${NEW_BASELINE:-}" != 1 ] && tail -n +2 "$history" | cut -f3 | grep -qxE 'ok|first'; then
        echo "last-good.h5 is gone, yet earlier nights passed: copy a night you trust to it, or set NEW_BASELINE=1 to start from tonight"
        record baseline-missing -
        exit 1
    fi
    keep_as_last_good first 0
fi

thresholds=(--threshold-sd "${THRESHOLD_SD:-3}")
[ -n "${THRESHOLD_ABS:-}" ] && thresholds+=(--threshold-abs "$THRESHOLD_ABS")
report="$directory/$night.compare"
"$decaybench" compare "$baseline" "$out" "${thresholds[@]}" --markdown "$report.md" --json "$report.json" > /dev/null
status=$?
# regressions, then whether nothing was compared, grid settings that differ, baseline runs without a result.
read -r regressions compared_nothing grid_changes missing < <(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
print(sum(c["regression"] for c in r["cells"]) + len(r["status_changes"]), int(r["compared_nothing"]),
      len(r["grid_differences"]), len(r["only_in_baseline"]))' "$report.json" 2>/dev/null || echo "? 0 0 0")
if [ "$status" = 0 ] || [ "$status" = 3 ]; then
    if [ "$compared_nothing" = 1 ]; then
        record not-comparable -; exit 3
    elif [ "$grid_changes" != 0 ]; then
        echo "the grid differs from last-good's in $grid_changes setting(s) (see $report.md): replace last-good.h5 by hand to start a new baseline"
        record grid-changed "$regressions"; exit 3
    elif [ "$status" = 3 ] && [ "$regressions" = 0 ] && [ "$missing" != 0 ]; then
        record runs-missing 0; exit 3
    elif [ "$status" = 3 ]; then
        record regression "$regressions"; exit 3
    fi
    keep_as_last_good ok "$regressions"
fi
record compare-failed -
exit 1
