"""Two or more decaybench builds on the benchmark's single-run workload, alternated: which is faster.

    python3 experiments/bench/side_by_side.py --model softmax --epochs 21 --rounds 10 OLD NEW
    python3 experiments/bench/side_by_side.py --model mlp --epochs 4 --rounds 8 --measure lines OLD NEW

The builds run `bench.py`'s training command (Fashion-MNIST, AdamW, batch 128, one BLAS thread)
in turn, the order reversed every other round, so that a noisy neighbour hurts each alike. Per
round and build, an epoch is
  cpu    (user + system time of an --epochs N process − that of an --epochs 1 process) / (N − 1):
         steadier on a shared machine, where waiting for the core does not count;
  lines  the time between the lines of epoch 1 and epoch N as the process prints them, / (N − 1),
         as bench.py times its epochs.
Prints each build's median, minimum and samples, and the last line of its last run, so that
builds meant to compute the same numbers can be seen to.
"""
import argparse
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import Failed, timed_epoch_lines, train_command  # noqa: E402


def cpu_seconds(command):
    """User + system seconds of one run of `command`, and the last line it printed."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise Failed(f"{' '.join(command)} exited with status {status}")
    return usage.ru_utime + usage.ru_stime, output.strip().splitlines()[-1]


def epoch(build, model, hidden, epochs, measure):
    """(seconds an epoch, last printed line) of one round of `build`."""
    command = train_command(build, model, hidden, epochs)
    if measure == "lines":
        lines = timed_epoch_lines(command)
        return (lines.arrivals[epochs] - lines.arrivals[1]) / (epochs - 1), lines.stdout.strip().splitlines()[-1]
    long, line = cpu_seconds(command)
    short, _ = cpu_seconds(train_command(build, model, hidden, 1))
    return (long - short) / (epochs - 1), line


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("builds", nargs="+", help="decaybench binaries to compare")
    parser.add_argument("--model", choices=["softmax", "mlp"], default="softmax")
    parser.add_argument("--hidden", default="256,256", help="the MLP's hidden widths")
    parser.add_argument("--epochs", type=int, default=21, help="epochs of the long run (at least 2)")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--measure", choices=["cpu", "lines"], default="cpu")
    args = parser.parse_args()
    if args.epochs < 2 or args.rounds < 1:
        parser.error("--epochs must be at least 2 and --rounds at least 1")
    builds = [os.path.abspath(build) for build in args.builds]
    samples = {build: [] for build in builds}
    last_lines = {}
    for round_index in range(args.rounds):
        for build in builds if round_index % 2 == 0 else reversed(builds):
            seconds, last_lines[build] = epoch(build, args.model, args.hidden, args.epochs, args.measure)
            samples[build].append(seconds)
    for build in builds:
        values = samples[build]
        print(f"{build}: median {statistics.median(values):.4f} s, minimum {min(values):.4f} s; "
              + " ".join(f"{value:.4f}" for value in values))
        print(f"    {last_lines[build][:160]}")


if __name__ == "__main__":
    main()
