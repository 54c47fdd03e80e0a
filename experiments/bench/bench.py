"""DecayBench against PyTorch 2.13.0+cpu, side by side, on this machine: prints ratios.

    python3 experiments/bench/bench.py                 # the full benchmark (15 to 25 minutes)
    python3 experiments/bench/bench.py --quick         # a smoke run on tiny sizes (seconds)

Every measurement is the median of --repetitions (at least 5) after one warm-up round,
with the contenders alternated inside each round so that a noisy neighbour hurts both:

  mlp_epoch       MLP 784-256-256-10, batch 128, AdamW, loss and error on the whole training
                  and test split after every epoch; one thread each. An epoch is the time
                  between the lines of epoch 1 and epoch 3 of a 3-epoch run, as each contender
                  prints them, over 2: training and evaluation counted, start-up and loading not.
                  Beside it, for comparison with runs before 2026-12-05 evening, the older
                  measure (time of the 3-epoch process − time of a 1-epoch process) / 2; a
                  start-up that varies by a second (importing torch) swamps it.
                  And mlp_epoch_cpu: the same epochs by the CPU time the contender's threads
                  used, read when its lines arrived. Waiting for a core counts in the wall
                  time only, so the two tell a busy core apart from slower work.
  logreg_epoch    the same for logistic regression 784-10, over epochs 1 to 11 (its epoch is
                  short).
  sgemm_floor     the matrix products of one MLP epoch alone, through decaybench's OpenBLAS.
  sweep           a 16-run grid (Adam+L2 vs AdamW over λ × lr, full Fashion-MNIST, 3 epochs,
                  MLP 784-64-10 so that six rounds fit in minutes):
                  `decaybench run --jobs N` on all N cores against N PyTorch processes each
                  looping over its share with the data loaded once; and `--jobs 1`.
  load            Fashion-MNIST (both splits, to Float32 in [0, 1]): decaybench against numpy's
                  gzip + frombuffer, each timed inside its own process.
  hdf5_share      the share of the `--jobs N` sweep's wall time spent writing HDF5.
  peak_rss        the peak resident memory of a 2-job sweep.
  plan            `decaybench plan`'s estimate against the measured `--jobs N` sweep.

Writes results/bench/latest.json, or --out (every sample, every median, every ratio with its
target and its value in each round, the BLAS core, the processor's family and model, and the
versions), after every round; an earlier run's file there is first moved aside, named by when it
finished (results/bench/2026-12-05T19-36-01Z.json), so no run overwrites another's. It also
prints the table the README shows: the ratio of the medians, and in how many rounds the ratio of
that round's side-by-side measurements met the target. PyTorch must be
2.13.0+cpu (`make bench` installs it); without it the PyTorch columns are skipped and say so.
"""
import argparse
import datetime
import functools
import json
import os
import platform
import re
import shutil
import stat
import statistics
import subprocess
import sys
import tempfile
import time
from typing import NamedTuple

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TORCH_VERSION = "2.13.0+cpu"
# Rows per evaluation pass in DenseNetwork (TrainingSession's evaluation capacity); the floor uses the same.
ENGINE_EVAL_CHUNK = 1024
MIN_REPETITIONS = 5

# (name, numerator, denominator, comparison, bound, what the ratio means)
TARGETS = [
    ("mlp_vs_pytorch", "mlp_epoch.decaybench", "mlp_epoch.pytorch", "<=", 0.7, "MLP epoch, DecayBench ÷ PyTorch (1 thread)"),
    ("mlp_vs_sgemm_floor", "mlp_epoch.decaybench", "sgemm_floor.seconds", "<=", 1.2, "MLP epoch ÷ its sgemm floor"),
    ("pytorch_mlp_vs_sgemm_floor", "mlp_epoch.pytorch", "sgemm_floor.seconds", None, None, "PyTorch MLP epoch ÷ the same floor (for reference)"),
    ("mlp_vs_pytorch_by_cpu", "mlp_epoch_cpu.decaybench", "mlp_epoch_cpu.pytorch", None, None,
     "MLP epoch by CPU time, DecayBench ÷ PyTorch (for reference)"),
    ("logreg_vs_pytorch", "logreg_epoch.decaybench", "logreg_epoch.pytorch", "<=", 0.2, "logistic regression epoch, DecayBench ÷ PyTorch"),
    ("mlp_vs_pytorch_by_process", "mlp_process_difference.decaybench", "mlp_process_difference.pytorch", None, None,
     "MLP, by whole-process difference (the measure before 2026-12-05 evening)"),
    ("logreg_vs_pytorch_by_process", "logreg_process_difference.decaybench", "logreg_process_difference.pytorch", None, None,
     "logistic regression, by whole-process difference (the same)"),
    ("sweep_throughput_vs_pytorch", "sweep.pytorch_processes", "sweep.decaybench_jobs_n", ">=", 1.5, "sweep runs per hour, DecayBench ÷ PyTorch (all cores)"),
    ("jobs_n_vs_jobs_1", "sweep.decaybench_jobs_1", "sweep.decaybench_jobs_n", ">=", 1.85, "sweep speed-up, --jobs N ÷ --jobs 1"),
    ("load_vs_numpy", "load.decaybench", "load.numpy", "<=", 0.5, "Fashion-MNIST load, DecayBench ÷ numpy"),
    ("hdf5_share_of_sweep", "hdf5_write.decaybench", "sweep.decaybench_jobs_n", "<=", 0.02, "share of the sweep's time writing HDF5"),
    ("plan_vs_measured", "plan.estimate", "sweep.decaybench_jobs_n", "within", 0.25, "plan's estimate ÷ measured sweep time"),
]
# Not a ratio: the bound is in megabytes.
MEMORY_TARGET_MB = 600


def sizes(quick):
    """The workloads; --quick keeps their shape and shrinks them to seconds."""
    if quick:
        return {"train_subset": 1000, "test_subset": 500, "mlp_hidden": "32,32", "sweep_hidden": "16",
                "epochs_short": 1, "epochs_long": 3, "logreg_epochs_long": 3, "sweep_epochs": 3,
                "train_points": 1000, "test_points": 500}
    return {"train_subset": None, "test_subset": None, "mlp_hidden": "256,256", "sweep_hidden": "64",
            "epochs_short": 1, "epochs_long": 3, "logreg_epochs_long": 11, "sweep_epochs": 3,
            "train_points": 60000, "test_points": 10000}


SWEEP_LAMBDAS = {"l2": [1e-5, 1e-4, 1e-3, 1e-2], "decoupled": [1e-3, 1e-2, 1e-1, 1.0]}
SWEEP_LRS = [1e-3, 3e-3]


# MARK: - Running and timing processes

class Failed(Exception):
    pass


def timed(command, env=None):
    """Runs a command; returns (wall seconds, peak RSS in MB, stdout, stderr). Raises on failure."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, text=True, env=env)
        # wait4 gives this child's own peak RSS (getrusage(CHILDREN) would mix all children).
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if process.returncode != 0:
        raise Failed(f"{' '.join(command)} exited {process.returncode}\n{stdout[-2000:]}\n{stderr[-2000:]}")
    return seconds, usage.ru_maxrss / 1024, stdout, stderr


class EpochLines(NamedTuple):
    """What `timed_epoch_lines` saw of one contender's run."""
    seconds: float          # the whole process, wall time
    arrivals: dict          # epoch -> wall seconds since the start when its line arrived
    cpu: dict               # epoch -> CPU seconds the process's threads had used by then
    stdout: str


def cpu_seconds_of(pid):
    """CPU time all threads of a running process have used, those that ended included, in
    seconds (to 1/100 s: /proc/PID/stat's user and system ticks), or None once it is gone.

    The threads' own schedstat files count nanoseconds, but only while a thread lives."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def timed_epoch_lines(command, env=None):
    """Runs a training command that prints one line per epoch, starting with the epoch's number;
    returns an EpochLines. Raises on failure.

    The line of an epoch is printed after its evaluation, so the time between two lines is that
    of the epochs between them, training and evaluation, as the contender itself ran them."""
    arrivals, cpu = {}, {}
    with tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=err, text=True, env=env)
        lines = []
        for line in process.stdout:
            now = time.perf_counter() - started
            lines.append(line)
            fields = line.split()
            epoch = int(fields[0]) if len(fields) >= 5 and fields[0].isdigit() else None
            if epoch is not None and epoch not in arrivals:
                arrivals[epoch] = now
                used = cpu_seconds_of(process.pid)
                if used is not None:
                    cpu[epoch] = used
        process.wait()
        seconds = time.perf_counter() - started
        err.seek(0)
        stderr = err.read()
    if process.returncode != 0:
        raise Failed(f"{' '.join(command)} exited {process.returncode}\n{''.join(lines)[-2000:]}\n{stderr[-2000:]}")
    return EpochLines(seconds, arrivals, cpu, "".join(lines))


def epoch_seconds(marks, first, last, command):
    """The mean time of epochs first+1 ... last, from `marks` (arrivals or CPU time) at their lines."""
    if first not in marks or last not in marks:
        raise Failed(f"{' '.join(command)} did not print the lines of epochs {first} and {last}")
    return (marks[last] - marks[first]) / (last - first)


def torch_available():
    probe = subprocess.run([sys.executable, "-c", "import torch; print(torch.__version__)"], capture_output=True, text=True)
    if probe.returncode != 0:
        return None, "torch is not installed (make bench installs torch==" + TORCH_VERSION + ")"
    version = probe.stdout.strip()
    if version != TORCH_VERSION:
        return None, f"torch {version} is installed; the benchmark compares with {TORCH_VERSION} only"
    return version, None


# MARK: - The contenders

def train_command(decaybench, model, hidden, epochs, data_flags=()):
    """The single-run workload: AdamW in PyTorch's convention, λ = 0.01, lr = 1e-3, batch 128,
    one BLAS thread, on Fashion-MNIST (`model` softmax, or mlp with `hidden` widths)."""
    command = [decaybench, "train", "--dataset", "fashion-mnist", "--model", model,
               "--optimizer", "adam", "--penalty", "decoupled", "--lambda", "0.01", "--decay-convention", "torch",
               "--lr", "1e-3", "--epochs", str(epochs), "--batch-size", "128", "--seed", "0",
               "--blas-threads", "1", *data_flags]
    if model == "mlp":
        command += ["--hidden", hidden]
    return command


class Bench:
    def __init__(self, args):
        self.args = args
        self.decaybench = os.path.abspath(args.decaybench)
        self.size = sizes(args.quick)
        self.work = tempfile.mkdtemp(prefix="decaybench-bench-")
        self.torch_version, self.torch_skipped = (None, "--no-torch") if args.no_torch else torch_available()
        self.cores = os.cpu_count() or 1
        self.samples = {}
        self.extra = {}
        self.sweep_grid = os.path.join(self.work, "sweep.yaml")
        self.sweep_runs = os.path.join(self.work, "sweep-runs.json")
        self.write_sweep_files()

    def add(self, name, value):
        self.samples.setdefault(name, []).append(value)

    def data_flags(self):
        flags = []
        if self.size["train_subset"]:
            flags += ["--train-subset", str(self.size["train_subset"])]
        if self.size["test_subset"]:
            flags += ["--test-subset", str(self.size["test_subset"])]
        return flags

    # The single-run workloads: AdamW in PyTorch's convention, λ = 0.01, lr = 1e-3, batch 128.

    def decaybench_train_command(self, model, hidden, epochs):
        return train_command(self.decaybench, model, hidden, epochs, self.data_flags())

    @staticmethod
    def load_seconds(stdout):
        loaded = re.search(r"loaded in ([0-9.]+) s", stdout)
        if not loaded:
            raise Failed("decaybench train did not print its load time:\n" + stdout[:500])
        return float(loaded.group(1))

    def decaybench_train(self, model, hidden, epochs):
        """(wall seconds, load seconds) of one `decaybench train`."""
        seconds, _, stdout, _ = timed(self.decaybench_train_command(model, hidden, epochs))
        return seconds, self.load_seconds(stdout)

    def torch_command(self, hidden, epochs):
        return [sys.executable, os.path.join(HERE, "torch_reference.py"), "train", "--threads", "1",
                "--hidden", hidden, "--epochs", str(epochs), "--batch-size", "128", "--penalty", "decoupled",
                "--lambda", "0.01", "--lr", "1e-3", *self.data_flags()]

    def epoch_pair(self, name, model, hidden, record):
        """One round: each contender's N-epoch run timed by its epoch lines, and a 1-epoch run for
        the whole-process difference; contenders alternated."""
        short, long = self.size["epochs_short"], self.size["logreg_epochs_long" if model == "softmax" else "epochs_long"]
        contenders = ["decaybench"] + (["pytorch"] if self.torch_version else [])
        if self.round % 2:
            contenders.reverse()
        for contender in contenders:
            if contender == "decaybench":
                t_short, load_short = self.decaybench_train(model, hidden, short)
                load_long, command, lines = self.decaybench_train_by_lines(model, hidden, long)
                if record:
                    self.add("load.decaybench", load_short)
                    self.add("load.decaybench", load_long)
            else:
                # Unbuffered, so that each epoch's line reaches the pipe when it is printed.
                environment = {**os.environ, "PYTHONUNBUFFERED": "1"}
                t_short = timed(self.torch_command(hidden, short), env=environment)[0]
                command = self.torch_command(hidden, long)
                lines = timed_epoch_lines(command, env=environment)
            t_long = lines.seconds
            if record:
                self.add(f"{name}.{contender}", epoch_seconds(lines.arrivals, short, long, command))
                # Where /proc could not be read the CPU time is left out, not guessed.
                if short in lines.cpu and long in lines.cpu:
                    self.add(f"{name}_cpu.{contender}", epoch_seconds(lines.cpu, short, long, command))
                self.add(f"{name.replace('_epoch', '')}_process_difference.{contender}", (t_long - t_short) / (long - short))

    def decaybench_train_by_lines(self, model, hidden, epochs):
        """(load seconds, command, EpochLines) of one `decaybench train`."""
        command = self.decaybench_train_command(model, hidden, epochs)
        lines = timed_epoch_lines(command)
        return self.load_seconds(lines.stdout), command, lines

    def sgemm_floor(self, record):
        command = [sys.executable, os.path.join(HERE, "sgemm_floor.py"), "--openblas", self.openblas_path(),
                   "--widths", "784," + self.size["mlp_hidden"] + ",10", "--train", str(self.size["train_points"]),
                   "--test", str(self.size["test_points"]), "--eval-chunk", str(ENGINE_EVAL_CHUNK)]
        # The kernels decaybench trains with, which are not OpenBLAS's own pick everywhere (Zen 4).
        environment = dict(os.environ, OPENBLAS_CORETYPE=self.decaybench_core)
        result = json.loads(timed(command, env=environment)[2])
        if result["blas_core"].lower() != environment["OPENBLAS_CORETYPE"].lower():
            raise Failed(f"the sgemm floor ran on OpenBLAS core {result['blas_core']}, "
                         f"decaybench on {environment['OPENBLAS_CORETYPE']}")
        if record:
            self.add("sgemm_floor.seconds", result["seconds"])
            self.extra["sgemm_floor"] = {key: result[key] for key in ("gflop", "calls", "blas_core", "openblas_config")}

    def numpy_load(self, record):
        script = (
            "import gzip, os, time, numpy as np\n"
            "d = os.environ.get('DECAYBENCH_FASHION_MNIST_DIR', '/usr/share/datasets/fashion-mnist')\n"
            "t = time.perf_counter()\n"
            "def read(name, offset):\n"
            "    with gzip.open(os.path.join(d, name), 'rb') as f: return np.frombuffer(f.read(), np.uint8, offset=offset)\n"
            "x = read('train-images-idx3-ubyte.gz', 16).reshape(-1, 784).astype(np.float32) / 255\n"
            "y = read('train-labels-idx1-ubyte.gz', 8).astype(np.int32)\n"
            "tx = read('t10k-images-idx3-ubyte.gz', 16).reshape(-1, 784).astype(np.float32) / 255\n"
            "ty = read('t10k-labels-idx1-ubyte.gz', 8).astype(np.int32)\n"
            "print(time.perf_counter() - t)\n")
        seconds = float(timed([sys.executable, "-c", script])[2])
        if record:
            self.add("load.numpy", seconds)

    # The sweep.

    def write_sweep_files(self):
        dataset = "{name: fashion-mnist"
        if self.size["train_subset"]:
            dataset += f", train_subset: {self.size['train_subset']}, test_subset: {self.size['test_subset']}"
        dataset += "}"
        hidden = "[" + self.size["sweep_hidden"] + "]"
        lambdas = "\n".join(f"    {p}: [{', '.join(repr(v) for v in values)}]" for p, values in SWEEP_LAMBDAS.items())
        with open(self.sweep_grid, "w") as handle:
            handle.write(f"""name: bench-sweep
description: Adam+L2 vs AdamW over lambda x lr, the benchmark's sweep
dataset: {dataset}
model: {{kind: mlp, hidden: {hidden}}}
optimizer: {{kind: adam}}
regularization: {{decay_convention: torch}}
training: {{epochs: {self.size['sweep_epochs']}, batch_size: 128}}
grid:
  penalty: [l2, decoupled]
  lambda:
{lambdas}
  lr: [{', '.join(repr(v) for v in SWEEP_LRS)}]
seeds: [0]
""")
        runs = [{"penalty": p, "lambda": lam, "lr": lr, "seed": 0}
                for p, values in SWEEP_LAMBDAS.items() for lam in values for lr in SWEEP_LRS]
        with open(self.sweep_runs, "w") as handle:
            json.dump(runs, handle)

    def decaybench_sweep(self, jobs):
        out = os.path.join(self.work, f"sweep-{jobs}.h5")
        seconds, rss, _, stderr = timed([self.decaybench, "run", self.sweep_grid, "--out", out, "--overwrite",
                                         "--jobs", str(jobs), "--log-format", "json"])
        saved = [json.loads(line) for line in stderr.splitlines() if line.startswith("{") and '"saved"' in line]
        if not saved:
            raise Failed("decaybench run did not report its HDF5 writing time (event \"saved\")")
        return seconds, rss, saved[-1]["seconds"]

    def torch_sweep(self):
        command = [sys.executable, os.path.join(HERE, "torch_reference.py"), "sweep", "--runs", self.sweep_runs,
                   "--workers", str(self.cores), "--threads", "1", "--hidden", self.size["sweep_hidden"],
                   "--epochs", str(self.size["sweep_epochs"]), "--quiet", *self.data_flags()]
        started = time.perf_counter()
        processes = [subprocess.Popen(command + ["--worker", str(worker)], stdout=subprocess.DEVNULL,
                                      stderr=subprocess.PIPE, text=True) for worker in range(self.cores)]
        for process in processes:
            _, stderr = process.communicate()
            if process.returncode != 0:
                raise Failed(f"a PyTorch sweep worker exited {process.returncode}:\n{stderr[-2000:]}")
        return time.perf_counter() - started

    def sweep_round(self, record):
        steps = ["jobs_n", "jobs_1"] + (["pytorch"] if self.torch_version else [])
        if self.round % 2:
            steps.reverse()
        for step in steps:
            if step == "jobs_n":
                seconds, rss, saving = self.decaybench_sweep(self.cores)
                if record:
                    self.add("sweep.decaybench_jobs_n", seconds)
                    self.add("hdf5_write.decaybench", saving)
                    if self.cores == 2:
                        self.add("peak_rss.two_jobs_mb", rss)
            elif step == "jobs_1":
                seconds, _, _ = self.decaybench_sweep(1)
                if record:
                    self.add("sweep.decaybench_jobs_1", seconds)
            else:
                seconds = self.torch_sweep()
                if record:
                    self.add("sweep.pytorch_processes", seconds)
        if self.cores != 2:
            _, rss, _ = self.decaybench_sweep(2)
            if record:
                self.add("peak_rss.two_jobs_mb", rss)

    def plan_estimate(self):
        _, _, stdout, _ = timed([self.decaybench, "plan", self.sweep_grid, "--jobs", str(self.cores)])
        match = re.search(r"estimated time: ([0-9.]+) (s|min|h) with", stdout)
        if not match:
            raise Failed("decaybench plan printed no estimate:\n" + stdout[-500:])
        scale = {"s": 1, "min": 60, "h": 3600}[match.group(2)]
        self.add("plan.estimate", float(match.group(1)) * scale)

    # Environment.

    @functools.cached_property
    def decaybench_core(self):
        """The OpenBLAS core decaybench trains with here, as a run of it records it."""
        out = os.path.join(self.work, "core.h5")
        timed([self.decaybench, "train", "--dataset", "synthetic-classification", "--samples", "100",
               "--features", "4", "--model", "mlp", "--hidden", "4", "--epochs", "1", "--quiet", "--out", out])
        match = re.search(r"BLAS core (\S+)", timed([self.decaybench, "inspect", out])[2])
        if not match:
            raise Failed(f"decaybench inspect {out} names no BLAS core")
        return match.group(1)

    def openblas_path(self):
        linked = subprocess.run(["ldd", self.decaybench], capture_output=True, text=True).stdout
        match = re.search(r"libopenblas\S*\s*=>\s*(\S+)", linked)
        if not match:
            raise Failed(f"{self.decaybench} does not link OpenBLAS (ldd found none)")
        return os.path.realpath(match.group(1))

    @staticmethod
    def processor():
        """The first processor's name, family, model and the instruction sets that matter here.

        Virtual machines often name every EPYC just "AMD EPYC": the family and model tell
        generations apart (family 23 model 1 is Zen 1, whose 256-bit operations take two
        128-bit halves; model 49 is Zen 2), and they move every ratio of this benchmark."""
        fields = {}
        try:
            with open("/proc/cpuinfo") as handle:
                for line in handle:
                    if not line.strip():
                        break
                    key, _, value = line.partition(":")
                    fields[key.strip()] = value.strip()
        except OSError:
            pass
        flags = set(fields.get("flags", "").split())
        return {
            "cpu": fields.get("model name", "unknown"), "cpu_vendor": fields.get("vendor_id"),
            "cpu_family": fields.get("cpu family"), "cpu_model": fields.get("model"), "cpu_stepping": fields.get("stepping"),
            "cpu_flags": sorted(flags & {"sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512vl", "sha_ni", "hypervisor"}),
        }

    def environment(self):
        version = subprocess.run([self.decaybench, "--version"], capture_output=True, text=True).stdout.strip()
        commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.strip()
        swift = subprocess.run(["swift", "--version"], capture_output=True, text=True)
        import numpy
        floor = self.extra.get("sgemm_floor", {})
        return {
            **self.processor(), "cores": self.cores, "machine": platform.machine(), "kernel": platform.release(),
            "blas_core": floor.get("blas_core"), "openblas_config": floor.get("openblas_config"),
            "openblas_library": self.openblas_path(),
            "openblas_environment": {k: v for k, v in os.environ.items() if k.startswith("OPENBLAS_")},
            "decaybench_version": version, "git_commit": commit + ("+changes" if dirty else ""),
            "swift": (swift.stdout or swift.stderr).splitlines()[0] if swift.returncode == 0 else "unknown",
            "python": platform.python_version(), "numpy": numpy.__version__,
            "torch": self.torch_version, "torch_skipped": self.torch_skipped,
        }

    # The whole benchmark.

    def run(self, out):
        """Round 0 warms up (page cache, imports, CPU clocks); rounds 1... are recorded. The
        JSON is rewritten after every round, marked incomplete until the last."""
        repetitions = self.args.repetitions
        self.round = 0
        self.progress("warm-up")
        self.decaybench_train("mlp", self.size["mlp_hidden"], self.size["epochs_short"])
        if self.torch_version:
            timed(self.torch_command(self.size["mlp_hidden"], self.size["epochs_short"]))
        self.sgemm_floor(record=False)
        self.numpy_load(record=False)
        for self.round in range(1, repetitions + 1):
            self.progress(f"round {self.round}/{repetitions}: MLP")
            self.epoch_pair("mlp_epoch", "mlp", self.size["mlp_hidden"], True)
            self.sgemm_floor(True)
            self.progress(f"round {self.round}/{repetitions}: logistic regression, load")
            self.epoch_pair("logreg_epoch", "softmax", "", True)
            self.numpy_load(True)
            self.progress(f"round {self.round}/{repetitions}: sweep")
            self.plan_estimate()  # its calibration is as exposed to the machine's load as the sweep
            self.sweep_round(True)
            save(self.report(complete=self.round == repetitions), out)
        return self.report(complete=True)

    @staticmethod
    def progress(label):
        print(f"[{time.strftime('%H:%M:%S')}] {label}", file=sys.stderr, flush=True)

    def report(self, complete):
        measurements = {}
        for name, values in sorted(self.samples.items()):
            group, field = name.split(".", 1)
            measurements.setdefault(group, {})[field] = {"samples": values, "median": statistics.median(values)}
        for group, extra in self.extra.items():
            measurements.setdefault(group, {}).update(extra)

        def median(path):
            group, field = path.split(".", 1)
            return measurements.get(group, {}).get(field, {}).get("median")

        def round_medians(path):
            """One value per recorded round (the median of that round's samples), or None."""
            group, field = path.split(".", 1)
            values = measurements.get(group, {}).get(field, {}).get("samples") or []
            if not values or self.round < 1 or len(values) % self.round:
                return None
            per_round = len(values) // self.round
            return [statistics.median(values[i:i + per_round]) for i in range(0, len(values), per_round)]

        def meets(value, comparison, bound):
            return {"<=": value <= bound, ">=": value >= bound, "within": abs(value - 1) <= bound}[comparison]

        ratios = {}
        for name, numerator, denominator, comparison, bound, meaning in TARGETS:
            top, bottom = median(numerator), median(denominator)
            entry = {"numerator": numerator, "denominator": denominator, "meaning": meaning,
                     "target": None if comparison is None else f"{comparison} {bound}"}
            if top is None or bottom is None or bottom <= 0:
                entry.update(value=None, met=None, skipped=self.torch_skipped or "not measured")
            else:
                value = top / bottom
                entry.update(value=value, met=None if comparison is None else meets(value, comparison, bound))
                # The contenders of one round ran side by side, so a round's ratio is a paired
                # measurement: "met in every round" is a stronger claim than "met at the medians".
                # A round whose numerator or denominator came out at or below zero (a spike in the
                # shorter run of a difference) has no ratio: it is recorded as null and not counted.
                tops, bottoms = round_medians(numerator), round_medians(denominator)
                if tops and bottoms and len(tops) == len(bottoms):
                    entry["per_round"] = [t / b if t > 0 and b > 0 else None for t, b in zip(tops, bottoms)]
                    if comparison is not None:
                        entry["rounds_met"] = sum(meets(r, comparison, bound) for r in entry["per_round"] if r is not None)
            ratios[name] = entry
        peak = median("peak_rss.two_jobs_mb")
        ratios["peak_rss_two_jobs_mb"] = {"numerator": "peak_rss.two_jobs_mb", "denominator": None,
                                          "meaning": "peak resident memory of a 2-job sweep, MB",
                                          "target": f"<= {MEMORY_TARGET_MB}", "value": peak,
                                          "met": None if peak is None else peak <= MEMORY_TARGET_MB}
        return {
            "benchmark": "decaybench-vs-pytorch", "quick": self.args.quick, "repetitions": self.args.repetitions,
            "complete": complete, "rounds_recorded": self.round,
            "command": " ".join([os.path.relpath(sys.argv[0], ROOT) if sys.argv[0].startswith(ROOT) else sys.argv[0],
                                 *sys.argv[1:]]),
            "finished_utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "environment": self.environment(),
            "workloads": {**self.size, "sweep_runs": len(json.load(open(self.sweep_runs))), "sweep_lambdas": SWEEP_LAMBDAS,
                          "sweep_lrs": SWEEP_LRS, "engine_eval_chunk": ENGINE_EVAL_CHUNK, "cores": self.cores},
            "measurements": measurements,
            "ratios": ratios,
        }


def save(result, out):
    """Writes the JSON whole or not at all: a run killed while saving leaves the last round's file."""
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    temporary = f"{out}.tmp-{os.getpid()}"
    with open(temporary, "w") as handle:
        json.dump(result, handle, indent=1)
        handle.write("\n")
    os.replace(temporary, out)


def keep_previous(out):
    """Moves an earlier run's JSON at `out` aside, named by when it finished, before a new run
    writes there; returns the name it was kept under, or None when there was none.

    Raises Failed when `out` holds something else: it is not this script's to overwrite."""
    try:
        # A result is a regular file of tens of kilobytes: anything else is someone else's, and
        # is not read to find out (a FIFO would never answer, a huge file would fill memory).
        status = os.stat(out)
        if not stat.S_ISREG(status.st_mode) or status.st_size > 64 * 1024 * 1024:
            raise Failed(f"{out} exists and is not a benchmark result (not a file of under 64 MB); "
                         "move it or choose another --out")
        with open(out) as handle:
            text = handle.read()
        previous = json.loads(text)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise Failed(f"{out} exists and is not a benchmark result ({error}); move it or choose another --out")
    if not isinstance(previous, dict) or previous.get("benchmark") != "decaybench-vs-pytorch":
        raise Failed(f"{out} exists and is not a benchmark result; move it or choose another --out")
    if previous.get("quick"):
        return None  # a smoke run measured nothing worth keeping
    stamp = str(previous.get("finished_utc", "unknown")).replace(":", "-")
    stem = os.path.join(os.path.dirname(os.path.abspath(out)), stamp + ("" if previous.get("complete") else "-incomplete"))
    kept, attempt = stem + ".json", 1
    while os.path.exists(kept):
        with open(kept) as handle:
            if handle.read() == text:
                os.remove(out)  # already kept under this name
                return kept
        attempt += 1
        kept = f"{stem}-{attempt}.json"
    os.replace(out, kept)
    return kept


def table(result):
    """The Markdown table the README shows."""
    lines = ["| ratio | numerator | denominator | ratio | target | met | rounds met |", "|---|---|---|---|---|---|---|"]
    m = result["measurements"]

    def med(path, unit="s"):
        group, field = path.split(".", 1)
        value = m.get(group, {}).get(field, {}).get("median")
        return "—" if value is None else (f"{value:.3f} {unit}" if unit == "s" else f"{value:.0f} {unit}")

    for name, entry in result["ratios"].items():
        value = entry["value"]
        ratio = "—" if value is None else (f"{value:.0f} MB" if name.endswith("_mb") else f"{value:.3f}")
        met = {True: "yes", False: "**no**", None: "—"}[entry["met"]]
        if entry.get("skipped") and value is None and entry["target"]:
            met = "skipped"
        reference = med(entry["denominator"]) if entry["denominator"] else "—"
        numerator = med(entry["numerator"], "MB" if name.endswith("_mb") else "s")
        rounds = "—"
        valid = [r for r in entry.get("per_round", []) if r is not None]
        if "rounds_met" in entry and valid:
            rounds = f"{entry['rounds_met']} of {len(valid)} ({min(valid):.3f}–{max(valid):.3f})"
        lines.append(f"| {entry['meaning']} | {numerator} | {reference} | {ratio} | {entry['target'] or '—'} | {met} | {rounds} |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--decaybench", default=os.path.join(ROOT, ".build", "release", "decaybench"),
                        help="the binary to measure (default: the release build)")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: checks that everything runs, measures nothing useful")
    parser.add_argument("--repetitions", type=int, default=MIN_REPETITIONS, help=f"rounds after the warm-up (at least {MIN_REPETITIONS})")
    parser.add_argument("--out", help="the JSON file to write (default: results/bench/latest.json, or quick.json with --quick)")
    parser.add_argument("--no-torch", action="store_true", help="skip the PyTorch contender")
    args = parser.parse_args()
    if args.repetitions < MIN_REPETITIONS:
        parser.error(f"--repetitions must be at least {MIN_REPETITIONS} (a median needs them), got {args.repetitions}")
    if not os.access(args.decaybench, os.X_OK):
        parser.error(f"--decaybench: no executable at {args.decaybench}; build it with `swift build -c release`")
    out = args.out or os.path.join(ROOT, "results", "bench", "quick.json" if args.quick else "latest.json")

    try:
        kept = keep_previous(out)
    except Failed as failure:
        print(f"bench: {failure}", file=sys.stderr)
        return 2
    if kept:
        print(f"kept the previous run's {os.path.relpath(out)} as {os.path.relpath(kept)}", file=sys.stderr)
    bench = Bench(args)
    try:
        result = bench.run(out)
    except Failed as failure:
        print(f"bench: {failure}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(bench.work, ignore_errors=True)
    save(result, out)
    environment = result["environment"]
    print(f"{environment['cpu']} (family {environment['cpu_family']}, model {environment['cpu_model']}), "
          f"{environment['cores']} cores; OpenBLAS core {environment['blas_core']}; "
          f"torch {environment['torch'] or 'skipped: ' + str(environment['torch_skipped'])}; "
          f"{environment['decaybench_version']} at {environment['git_commit']}")
    print(table(result))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
