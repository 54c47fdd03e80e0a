"""How `decaybench plan` scales with the length of one axis: prints the time for axes of
2,500 to 20,000 values and the ratio of each to the one half its length (2 for linear
growth, 4 for quadratic). A benchmark, not a test: timings on a shared machine are noisy.

    DECAYBENCH=.build/release/decaybench python3 Tests/Tools/grid_axis_benchmark.py
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

DECAYBENCH = os.environ.get("DECAYBENCH", ".build/release/decaybench")


def grid(values):
    lambdas = ", ".join(f"{i}e-7" for i in range(1, values + 1))
    return f"""name: axis
dataset: {{name: synthetic-classification}}
model: {{kind: softmax}}
optimizer: {{kind: adam, lr: 0.001}}
training: {{epochs: 1}}
grid:
  lambda: [{lambdas}]
"""


def seconds(path, repeats=3):
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run([DECAYBENCH, "plan", path, "--show", "0"], check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main():
    with tempfile.TemporaryDirectory() as directory:
        baseline_path = os.path.join(directory, "one.yaml")
        with open(baseline_path, "w") as handle:
            handle.write(grid(1))
        baseline = seconds(baseline_path)  # start-up and calibration, paid whatever the length
        print(f"{'values':>7}  {'seconds':>8}  {'minus 1 value':>13}  ratio to half")
        previous = None
        for values in (2_500, 5_000, 10_000, 20_000):
            path = os.path.join(directory, f"{values}.yaml")
            with open(path, "w") as handle:
                handle.write(grid(values))
            total = seconds(path)
            net = max(total - baseline, 1e-9)
            ratio = f"{net / previous:.2f}" if previous else "-"
            print(f"{values:>7}  {total:>8.2f}  {net:>13.2f}  {ratio}")
            previous = net
    return 0


if __name__ == "__main__":
    sys.exit(main())
