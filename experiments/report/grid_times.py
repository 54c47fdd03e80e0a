#!/usr/bin/env python3
"""How long each results file's runs took to compute, as a Markdown table.

    python3 experiments/report/grid_times.py [--workers N] results/paper/*.h5

For every file: its runs, how many finished, the computing time (the sum of the finished
runs' own `seconds`, the time each spent in its worker) and that time divided by N workers
(default 2), the wall time a session with N workers needs on a machine like the one that ran
it. The sum comes from the runs themselves, so it holds for a grid run over several sessions
or merged from shards, where the file's start and end times do not.
"""
import argparse

import h5py


def duration(seconds):
    if seconds < 1:
        return "< 1 s"
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.2f} h"


def computing_time(path):
    """(runs, finished runs, seconds of computing) of a results file."""
    with h5py.File(path, "r") as f:
        runs = f["runs"][()]
        finished = runs["status"] != b"pending"
        return len(runs), int(finished.sum()), float(runs["seconds"][finished].sum())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2, help="workers the wall time assumes (default 2)")
    parser.add_argument("results", nargs="+", help="results files")
    arguments = parser.parse_args()
    if arguments.workers < 1:
        parser.error("--workers must be at least 1")
    print(f"| file | runs | finished | computing | with {arguments.workers} workers |")
    print("|---|---|---|---|---|")
    total = 0.0
    for path in arguments.results:
        count, finished, seconds = computing_time(path)
        total += seconds
        print(f"| `{path.split('/')[-1]}` | {count} | {finished} | {duration(seconds)} | {duration(seconds / arguments.workers)} |")
    print(f"| all | | | {duration(total)} | {duration(total / arguments.workers)} |")


if __name__ == "__main__":
    main()
