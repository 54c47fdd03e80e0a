"""Inputs too large, settings in conflict, the optimizer shorthands, and the exit statuses:
0 done, 1 a failure while working, 2 the input is wrong, 3 runs failed, 130 interrupted."""
import os
import re
import subprocess

import h5py
import numpy as np

from conftest import run, write_grid

BAD_INPUT = 2
RUNS_FAILED = 3

SHORT = """
    name: short
    dataset: {name: synthetic-classification, samples: 200, features: 4}
    model: {kind: softmax}
    optimizer: {kind: adam, lr: 0.01}
    training: {epochs: 1}
    """


def test_train_reports_every_bad_value_at_once(decaybench):
    result = run(decaybench, "train", "--lr", "abc", "--epochs", "x", "--beta2", "1.5", "--optimizer", "nadam",
                 "--hidden", "0,3", check=False)
    assert result.returncode == BAD_INPUT
    for expected in ["--lr: expected a number, got 'abc'", "--epochs: expected a whole number, got 'x'",
                     "--beta2: must be in [0, 1), got 1.5", "--optimizer: expected one of", "'nadam'",
                     "--hidden: expected whole numbers ≥ 1"]:
        assert expected in result.stderr, result.stderr


def test_numbers_on_the_command_line_are_decimal(decaybench):
    # Double(_:) reads C's hexadecimal: --lr 0x10 trained at 16, --lambda 0x1p-3 at 0.125.
    result = run(decaybench, "train", "--lr", "0x10", "--lambda", "0x1p-3", "--epochs", "1", check=False)
    assert result.returncode == BAD_INPUT
    assert "--lr: expected a number, got '0x10'" in result.stderr and "--lambda: expected a number, got '0x1p-3'" in result.stderr, result.stderr


def test_adamw_is_adam_with_decoupled_decay_and_keeps_its_key(decaybench):
    common = ["--dataset", "synthetic-classification", "--model", "softmax", "--lambda", "0.01", "--epochs", "1"]
    short = run(decaybench, "train", "--optimizer", "adamw", *common)
    long = run(decaybench, "train", "--optimizer", "adam", "--penalty", "decoupled", *common)
    key = re.compile(r"key ([0-9a-f]{16})")
    assert key.search(short.stdout).group(1) == key.search(long.stdout).group(1)
    sgdw = run(decaybench, "train", "--optimizer", "sgdw", *common)
    momentum = run(decaybench, "train", "--optimizer", "sgd-momentum", "--penalty", "decoupled", *common)
    assert key.search(sgdw.stdout).group(1) == key.search(momentum.stdout).group(1)
    conflict = run(decaybench, "train", "--optimizer", "adamw", "--penalty", "l2", *common, check=False)
    assert conflict.returncode == BAD_INPUT
    assert "--optimizer adamw with --penalty l2" in conflict.stderr and "'adam'" in conflict.stderr


def test_plan_checks_sizes_as_run_does(decaybench, tmp_path):
    classes = write_grid(str(tmp_path), SHORT.replace("features: 4}", "features: 4, classes: 1000000000}"),
                         name="classes.yaml")
    hidden = write_grid(str(tmp_path), SHORT.replace("softmax", "mlp").rstrip() + "\n    grid: {hidden: [[100000000000]]}\n",
                        name="hidden.yaml")
    for grid, message in [(classes, "dataset.classes: at most 65536, got 1000000000"),
                          (hidden, "model.hidden: widths above 65536 are not supported, got 100000000000")]:
        for command in (["plan", grid], ["run", grid, "--out", str(tmp_path / "out.h5")]):
            result = run(decaybench, *command, check=False)
            assert result.returncode == BAD_INPUT, result.stderr
            assert message in result.stderr, result.stderr
    assert not os.path.exists(tmp_path / "out.h5.lock")


def test_a_grid_of_a_trillion_runs_is_refused(decaybench, tmp_path):
    axes = "\n".join(f"      {name}: [{', '.join(str(v) for v in range(11, 21))}]"
                     for name in ["lambda", "epsilon", "noise", "features", "samples", "epochs", "warmup_steps",
                                  "lr", "blas_threads", "t0", "every", "t_mult"])
    grid = write_grid(str(tmp_path), SHORT.rstrip() + "\n    grid:\n" + axes + "\n")
    for command in (["plan", grid], ["plan", grid, "--force"], ["run", grid, "--out", str(tmp_path / "r.h5")]):
        result = run(decaybench, *command, check=False)
        assert result.returncode == BAD_INPUT, result.stderr
        assert "the grid expands into more than 10000000 runs" in result.stderr, result.stderr
    over = write_grid(str(tmp_path), SHORT.rstrip() + "\n    grid:\n"
                      + f"      lambda: [{', '.join(f'{i}e-6' for i in range(1, 402))}]\n"
                      + f"      lr: [{', '.join(f'{i}e-4' for i in range(1, 251))}]\n", name="over.yaml")
    result = run(decaybench, "plan", over, check=False)
    assert result.returncode == BAD_INPUT and "100250 runs" in result.stderr and "--force" in result.stderr


def test_an_hdf5_input_declared_too_large_is_refused_before_reading(decaybench, tmp_path):
    data = str(tmp_path / "declared.h5")
    with h5py.File(data, "w") as f:
        f.create_dataset("X", shape=(1_000_000, 100_000), dtype="f4", chunks=(1000, 1000))  # nothing written
        f.create_dataset("y", shape=(1_000_000,), dtype="i8", chunks=(100_000,))
    assert os.path.getsize(data) < 1_000_000
    expected = f"{data}, dataset 'X': shape 1000000 × 100000 (100000000000 values) is too large"
    result = run(decaybench, "train", "--dataset", "hdf5", "--data-path", data, "--task", "classification",
                 "--model", "softmax", check=False)
    assert result.returncode == BAD_INPUT and expected in result.stderr, result.stderr
    grid = write_grid(str(tmp_path), f"""
        name: declared
        dataset: {{name: hdf5, path: {data}, task: classification}}
        model: {{kind: softmax}}
        optimizer: {{kind: adam, lr: 0.01}}
        training: {{epochs: 1}}
        """)
    out = str(tmp_path / "declared-results.h5")
    for command in (["plan", grid], ["run", grid, "--out", out]):
        result = run(decaybench, *command, check=False)
        assert result.returncode == BAD_INPUT and expected in result.stderr, result.stderr
    assert not os.path.exists(out + ".lock") and not os.path.exists(out + ".parts")


def test_failed_runs_exit_3(decaybench, tmp_path):
    # The file's shape is known only when it is read: 3 features into two layers of 65,536
    # is 4·10⁹ parameters, so each run fails at its start, with the reason.
    data = str(tmp_path / "small.csv")
    rows = np.random.default_rng(0).normal(size=(40, 3))
    with open(data, "w") as handle:
        handle.write("a,b,c,label\n")
        for i, row in enumerate(rows):
            handle.write(",".join(f"{v:.4f}" for v in row) + f",{i % 2}\n")
    grid = write_grid(str(tmp_path), f"""
        name: too-wide
        dataset: {{name: csv, path: {data}, task: classification}}
        model: {{kind: mlp, hidden: [65536, 65536]}}
        optimizer: {{kind: adam, lr: 0.01}}
        training: {{epochs: 1}}
        """)
    out = str(tmp_path / "wide.h5")
    result = run(decaybench, "run", grid, "--out", out, "--quiet", check=False)
    assert result.returncode == RUNS_FAILED, result.stderr
    with h5py.File(out) as f:
        row = f["runs"][0]
        assert row["status"] == b"failed" and b"parameters" in row["message"]


# The second probe's findings: values that crashed or were taken without a word.

BASE = """
    name: base
    dataset: {name: synthetic-classification, samples: 200, features: 5}
    model: {kind: mlp, hidden: [8]}
    optimizer: {kind: adam, lr: 0.001}
    training: {epochs: 1, batch_size: 32}
    grid:
      lambda: [0, 0.1]
    seeds: [0]
    """


def test_more_shards_than_runs_are_refused_in_words(decaybench, tmp_path):
    grid = write_grid(str(tmp_path), BASE)
    out = str(tmp_path / "s.h5")
    for shard in ["3/3", "1/1000000000", "1/9223372036854775807"]:   # a bad message, an allocation failure, a trap
        result = run(decaybench, "run", grid, "--out", out, "--shard", shard, check=False)
        assert result.returncode == BAD_INPUT, (shard, result.returncode, result.stderr[-1000:])
        assert "at most 2 shards" in result.stderr, result.stderr[-500:]
    assert not os.path.exists(out)
    result = run(decaybench, "slurm", grid, "--out", str(tmp_path / "sweep"), "--shards", "3", check=False)
    assert result.returncode == BAD_INPUT and "more than the grid's 2 runs" in result.stderr
    run(decaybench, "slurm", grid, "--out", str(tmp_path / "sweep"), "--shards", "2")
    for count in ["0", "1000000000000", "9223372036854775807"]:
        result = run(decaybench, "status", str(tmp_path / "sweep"), "--shards", count, check=False)
        assert result.returncode == BAD_INPUT, (count, result.returncode, result.stderr[-1000:])
        assert "--shards must be between 1 and" in result.stderr
    result = run(decaybench, "status", str(tmp_path / "sweep"), "--shards", "3", check=False)
    assert result.returncode == BAD_INPUT and "at most 2 shards" in result.stderr, result.stderr[-500:]


def test_a_validation_hold_out_larger_than_the_data_is_refused_by_plan(decaybench, tmp_path):
    for size in ["160", "1000000000000", "9223372036854775807"]:   # the last overflowed in plan's estimate
        grid = write_grid(str(tmp_path), BASE.replace("features: 5}", f"features: 5, validation_size: {size}}}"))
        for command in ["plan", "run"]:
            result = run(decaybench, command, grid, *(["--out", str(tmp_path / "v.h5")] if command == "run" else []),
                         check=False)
            assert result.returncode == BAD_INPUT, (size, command, result.returncode, result.stderr[-1000:])
            assert re.search(r"grid\.yaml:3:\d+: dataset\.validation_size: expected a hold-out of 1 to 159 of the 160 "
                             rf"training points, got {size}", result.stderr), result.stderr[-500:]
    grid = write_grid(str(tmp_path), BASE.replace("features: 5}", "features: 5, validation_size: 159}"))
    assert run(decaybench, "plan", grid).returncode == 0


def test_non_finite_fractions_and_schedule_lengths_are_refused_by_train(decaybench):
    base = ["train", "--dataset", "synthetic-classification", "--samples", "200", "--features", "5", "--hidden", "8",
            "--epochs", "1", "--quiet"]
    cases = [(["--validation-fraction=nan"], "--validation-fraction: must be in (0, 1), got nan"),
             (["--validation-fraction=1e400"], "--validation-fraction: must be in (0, 1), got inf"),
             (["--validation-fraction=1e18"], "--validation-fraction: must be in (0, 1)"),
             (["--schedule", "warm-restarts", "--t-mult=inf"], "--t-mult: must be a number ≥ 1, got inf"),
             (["--schedule", "warm-restarts", "--t0=inf"], "--t0: must be a positive number of epochs, got inf"),
             (["--schedule", "step", "--step-every=inf"], "--step-every: must be a positive number of epochs, got inf")]
    for flags, message in cases:
        result = run(decaybench, *base, *flags, check=False)
        assert result.returncode == BAD_INPUT, (flags, result.returncode, result.stderr[-1000:])   # nan was a crash
        assert message in result.stderr, (flags, result.stderr[-500:])


def test_zero_initialisation_of_an_mlp_is_refused_before_any_run(decaybench, tmp_path):
    grid = write_grid(str(tmp_path), BASE.replace("hidden: [8]}", "hidden: [8], init: zeros}"))
    for command in ["plan", "run"]:
        result = run(decaybench, command, grid, *(["--out", str(tmp_path / "z.h5")] if command == "run" else []),
                     check=False)
        assert result.returncode == BAD_INPUT, (command, result.returncode, result.stdout[-500:])
        assert re.search(r"grid\.yaml:4:\d+: model\.init: zero initialisation", result.stderr), result.stderr[-500:]
        assert "runs" not in result.stdout, "plan refused only after printing the plan"
    assert not os.path.exists(str(tmp_path / "z.h5"))


def test_slurm_header_values_are_checked_before_they_reach_the_script(decaybench, tmp_path):
    grid = write_grid(str(tmp_path), BASE)
    sweep = str(tmp_path / "sweep")
    for flag, value in [("--partition", "p\nrm -rf /tmp/x"), ("--partition", "a b"), ("--time", "abc"),
                        ("--time", "-1"), ("--time", "1:00\n#SBATCH --x"), ("--mem", "-1"), ("--mem", "4 G")]:
        result = run(decaybench, "slurm", grid, "--out", sweep, "--shards", "2", f"{flag}={value}", check=False)
        assert result.returncode == BAD_INPUT, (flag, value, result.returncode)
        assert "is not in Slurm's format" in result.stderr, result.stderr[-500:]
        assert not os.path.exists(sweep)
    run(decaybench, "slurm", grid, "--out", sweep, "--shards", "2", "--partition", "short,long",
        "--time", "1-12:00:00", "--mem", "512M")
    with open(os.path.join(sweep, "shards.sbatch")) as handle:
        header = [line for line in handle if line.startswith("#SBATCH")]
    assert "#SBATCH --time=1-12:00:00\n" in header and "#SBATCH --partition=short,long\n" in header


def test_a_grid_too_large_for_the_memory_at_hand_is_refused_at_once(decaybench, tmp_path):
    """10^6 runs under a 4 GB address-space limit ran 135 s, then died on an allocation."""
    import resource

    values = ", ".join(str(i) for i in range(200_000))
    grid = write_grid(str(tmp_path), BASE.replace("lambda: [0, 0.1]", f"lambda: [{values}]"))

    def one_gigabyte():
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    result = subprocess.run([decaybench, "plan", grid, "--force"], capture_output=True, text=True, timeout=300,
                            preexec_fn=one_gigabyte)
    assert result.returncode == BAD_INPUT, (result.returncode, result.stderr[-1000:])
    # The limit less what the process has mapped already (libraries, thread stacks, OpenBLAS).
    assert re.search(r"the grid's 200000 runs need about 1\.6 GB of memory to plan and run, more than the \d+ MB that "
                     r"this process's address-space limit \(ulimit -v\) leaves it; split the grid", result.stderr), result.stderr[-500:]


def test_a_file_that_is_not_a_results_file_is_bad_input_for_every_reader(decaybench, tmp_path):
    """inspect, claims, merge and compare exited 1 (a failure while working) where run --reuse exited 2."""
    text = tmp_path / "notes.h5"
    text.write_text("not HDF5\n")
    empty = tmp_path / "empty.h5"
    empty.write_bytes(b"")
    for path in [str(text), str(empty)]:
        for arguments in (["inspect", path], ["claims", path, "--out", str(tmp_path / "claims")],
                          ["merge", path, "--out", str(tmp_path / "m.h5")], ["compare", path, path],
                          ["verify", path], ["rerun", path, "--key", "0"]):
            result = run(decaybench, *arguments, check=False)
            assert result.returncode == BAD_INPUT, (arguments, result.returncode, result.stderr[-500:])
            assert path in result.stderr, (arguments, result.stderr[-500:])


def test_train_refuses_what_loading_would_refuse_under_the_flags_own_names(decaybench, tmp_path):
    """These were refused only when the data were loaded, as 'data spec field testSubset', or ignored."""
    csv = tmp_path / "d.csv"
    csv.write_text("a,b,y\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n1e39,1,0\n")
    base = ["train", "--epochs", "1", "--quiet"]
    synthetic = ["--dataset", "synthetic-classification", "--samples", "200", "--features", "5"]
    cases = [(synthetic + ["--test-subset", "0"], "--test-subset: must be at least 1, got 0"),
             (["--dataset", "synthetic-classification", "--samples", "2", "--classes", "3", "--features", "5"],
              "--samples: must be at least one point per class (≥ 3), got 2"),
             (["--dataset", "csv", "--data-path", str(csv)], "--task: a csv data set needs a task"),
             (synthetic + ["--model", "softmax", "--hidden", "8,8"], "--hidden: softmax models have no hidden layers")]
    for flags, message in cases:
        result = run(decaybench, *base, *flags, check=False)
        assert result.returncode == BAD_INPUT, (flags, result.returncode, result.stderr[-800:])
        assert message in result.stderr and "data spec field" not in result.stderr, (flags, result.stderr[-800:])
    # The default widths are the MLP's: softmax without --hidden trains.
    run(decaybench, *base, *synthetic, "--model", "softmax")
    result = run(decaybench, *base, "--dataset", "csv", "--data-path", str(csv), "--task", "classification", check=False)
    assert result.returncode == BAD_INPUT and "a number within Float32's range" in result.stderr, result.stderr[-500:]
