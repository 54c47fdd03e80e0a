"""The command line: determinism across --jobs, resume after kill -9 and Ctrl-C, the
lock, refusals, and the messages for broken grid files."""
import os
import signal
import subprocess
import time

import h5py
import numpy as np
import pytest

from conftest import SLOW_GRID, SMALL_GRID, kill_after_runs, run, wait_for_shards, write_grid

# Everything but wall-clock times and provenance must be identical.
TIMING_COLUMNS = {"seconds"}
TIMING_DATASETS = {"curves/epoch_seconds", "grid/seconds"}


def content(path):
    """Every number of a results file except timings: {name: array}."""
    out = {}
    with h5py.File(path) as f:
        runs = f["runs"][()]
        for column in runs.dtype.names:
            if column not in TIMING_COLUMNS:
                out["runs/" + column] = runs[column]

        def visit(name, obj):
            if isinstance(obj, h5py.Dataset) and name != "runs" and name not in TIMING_DATASETS:
                out[name] = obj[()]
        f.visititems(visit)
    return out


def assert_same_content(a, b):
    ca, cb = content(a), content(b)
    assert sorted(ca) == sorted(cb)
    for name in ca:
        x, y = ca[name], cb[name]
        if x.dtype.kind == "f":
            assert np.array_equal(x, y, equal_nan=True), name
        else:
            assert np.array_equal(x, y), name


def test_results_are_bit_identical_whatever_jobs_is(decaybench, tmp_path):
    grid = write_grid(str(tmp_path), SMALL_GRID)
    one, two = str(tmp_path / "one.h5"), str(tmp_path / "two.h5")
    run(decaybench, "run", grid, "--out", one, "--jobs", "1", "--quiet")
    run(decaybench, "run", grid, "--out", two, "--jobs", "2", "--quiet")
    assert_same_content(one, two)


@pytest.fixture(scope="module")
def slow_reference(decaybench, tmp_path_factory):
    directory = tmp_path_factory.mktemp("reference")
    grid = write_grid(str(directory), SLOW_GRID)
    out = str(directory / "reference.h5")
    run(decaybench, "run", grid, "--out", out, "--quiet")
    return out


def test_kill_minus_nine_then_resume_equals_an_uninterrupted_run(decaybench, tmp_path, slow_reference):
    grid = write_grid(str(tmp_path), SLOW_GRID)
    out = str(tmp_path / "killed.h5")
    kill_after_runs(decaybench, grid, out, 2)
    # Nothing half-written: either no results file yet, or a readable one.
    if os.path.exists(out):
        h5py.File(out).close()
    finished_before = len([n for n in os.listdir(out + ".parts") if n.endswith(".h5")])
    assert finished_before >= 2
    # The lock died with the process: resuming needs no clean-up.
    result = run(decaybench, "run", grid, "--out", out, "--resume")
    assert f"resuming: {finished_before} of 12 runs already finished" in result.stderr
    assert not os.path.exists(out + ".parts")
    assert_same_content(out, slow_reference)
    with h5py.File(out) as f:
        assert f.attrs["complete"] == 1


def test_ctrl_c_writes_what_finished_and_exits_130(decaybench, tmp_path, slow_reference):
    grid = write_grid(str(tmp_path), SLOW_GRID)
    out = str(tmp_path / "interrupted.h5")
    process = subprocess.Popen([decaybench, "run", grid, "--out", out],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for_shards(out + ".parts", 1, process)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, (stdout, stderr)
    assert "--resume" in stdout
    with h5py.File(out) as f:
        assert f.attrs["complete"] == 0
        statuses = [s.decode() for s in f["runs"]["status"]]
        assert "finished" in statuses and "pending" in statuses
        pending = statuses.index("pending")
        assert np.isnan(f["curves/test_error"][pending]).all()
    run(decaybench, "run", grid, "--out", out, "--resume", "--quiet")
    assert_same_content(out, slow_reference)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_train_interrupted_keeps_its_epoch_lines_in_a_redirected_log(decaybench, tmp_path, sig):
    # Standard output into a file was buffered 4 KB at a time and the interrupted process
    # ends with _exit: `train ... > log` lost every epoch line it had printed.
    log = tmp_path / "train.log"
    with open(log, "w") as sink:
        process = subprocess.Popen([decaybench, "train", "--dataset", "synthetic-classification", "--samples", "8000",
                                    "--model", "mlp", "--hidden", "64", "--optimizer", "adam", "--epochs", "100000"],
                                   stdout=sink, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 60
        while time.time() < deadline and "\n    2 " not in log.read_text():
            time.sleep(0.05)
        seen = [line for line in log.read_text().splitlines() if line[:5].strip().isdigit()]
        process.send_signal(sig)
        _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    # Each line reached the file as it was printed (a 4 KB buffer lets ~58 through at once) ...
    assert 2 <= len(seen) < 10, seen
    # ... and none of them went with the process.
    lines = log.read_text().splitlines()
    assert any(line.startswith("epoch") for line in lines), lines
    epochs = [int(line.split()[0]) for line in lines if line[:5].strip().isdigit()]
    assert epochs == list(range(1, len(epochs) + 1)) and len(epochs) >= len(seen), lines


def test_a_second_run_on_the_same_output_is_refused(decaybench, tmp_path):
    grid = write_grid(str(tmp_path), SLOW_GRID)
    out = str(tmp_path / "locked.h5")
    first = subprocess.Popen([decaybench, "run", grid, "--out", out, "--quiet"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_for_shards(out + ".parts", 0, first)
        time.sleep(0.2)
        second = run(decaybench, "run", grid, "--out", out, "--resume", check=False)
        assert second.returncode == 1, "a busy output is a failure at run time, not a mistake in the input"
        assert "another decaybench process" in second.stderr and f"pid {first.pid}" in second.stderr
    finally:
        first.kill()
        first.wait()


def test_existing_results_are_never_overwritten_silently(decaybench, tmp_path):
    grid = write_grid(str(tmp_path), SMALL_GRID)
    out = str(tmp_path / "done.h5")
    run(decaybench, "run", grid, "--out", out, "--quiet")
    before = os.stat(out).st_mtime_ns
    again = run(decaybench, "run", grid, "--out", out, check=False)
    assert again.returncode == 2
    assert "already exists" in again.stderr and "--resume" in again.stderr and "--overwrite" in again.stderr
    assert os.stat(out).st_mtime_ns == before
    # Resuming a complete file runs nothing and changes no number; --overwrite replaces it.
    snapshot = str(tmp_path / "snapshot.h5")
    with open(out, "rb") as source, open(snapshot, "wb") as copy:
        copy.write(source.read())
    resumed = run(decaybench, "run", grid, "--out", out, "--resume")
    assert "16 finished" in resumed.stdout
    assert_same_content(out, snapshot)
    run(decaybench, "run", grid, "--out", out, "--overwrite", "--quiet")
    assert os.stat(out).st_mtime_ns != before
    assert_same_content(out, snapshot)


def test_resuming_a_different_grid_names_the_difference(decaybench, tmp_path):
    grid = write_grid(str(tmp_path), SMALL_GRID)
    out = str(tmp_path / "first.h5")
    run(decaybench, "run", grid, "--out", out, "--quiet")
    changed = write_grid(str(tmp_path), SMALL_GRID.replace("epochs: 4", "epochs: 5"), name="changed.yaml")
    result = run(decaybench, "run", changed, "--out", out, "--resume", check=False)
    assert result.returncode == 2
    assert "epochs" in result.stderr and "4" in result.stderr and "5" in result.stderr


BLOCKS_GRID = """\
name: blocks
dataset: {name: synthetic-classification, samples: 200}
model: {kind: softmax}
optimizer: {kind: sgd}
training: {epochs: 1}
blocks:
  - grid: {lr: [0.1]}
  - training: {epochs: 1}
    grid: {lr: [0.2]}
"""


def test_resuming_a_grid_changed_deep_in_a_block_is_refused(decaybench, tmp_path):
    # The change lies past the first 200 characters of the stored grid: it once went unseen,
    # and the file of one grid was resumed and rewritten as another's.
    out = str(tmp_path / "blocks.h5")
    run(decaybench, "run", write_grid(str(tmp_path), BLOCKS_GRID), "--out", out, "--quiet")
    before = open(out, "rb").read()
    changed = write_grid(str(tmp_path), BLOCKS_GRID.replace("- training: {epochs: 1}", "- training: {epochs: 2}"),
                         name="changed.yaml")
    result = run(decaybench, "run", changed, "--out", out, "--resume", check=False)
    assert result.returncode == 2, result.stdout[-500:]
    assert "blocks[1].training.epochs: 1 in the stored grid, 2 now" in result.stderr
    assert open(out, "rb").read() == before


def test_broken_grid_reports_every_problem_with_its_line(decaybench, tmp_path):
    grid = write_grid(str(tmp_path), """
        name: broken
        dataset: {name: fashion-mnist}
        model: {kind: mlp, hidden: [64]}
        optimizer: {kind: adamx}
        training: {epochs: 0, bacth_size: 32}
        grid:
          lr: [0.001, -1]
        """, name="broken.yaml")
    result = run(decaybench, "plan", grid, check=False)
    assert result.returncode == 2
    lines = [l for l in result.stderr.splitlines() if "broken.yaml:" in l]
    assert len(lines) >= 4, result.stderr
    text = "\n".join(lines)
    assert "broken.yaml:5:" in text and "adamx" in text          # unknown optimizer, on its line
    assert "did you mean 'batch_size'" in text                     # misspelt key
    assert "broken.yaml:6:" in text                                # epochs 0
    assert "broken.yaml:8:" in text                                # negative lr


def test_train_writes_a_readable_single_run_file(decaybench, tmp_path):
    out = str(tmp_path / "train.h5")
    result = run(decaybench, "train", "--dataset", "synthetic-regression", "--model", "linear", "--init", "zeros",
                 "--optimizer", "sgd", "--lr", "0.05", "--penalty", "l2", "--lambda", "0.01",
                 "--epochs", "3", "--batch-size", "full", "--out", out)
    lines = [l for l in result.stdout.splitlines() if l.strip()[:1].isdigit()]
    assert len(lines) == 3
    printed_test_loss = float(lines[-1].split()[3])
    with h5py.File(out) as f:
        assert f.attrs["kind"] in (b"train", "train")
        row = f["runs"][0]
        assert row["status"] == b"finished"
        assert row["final_test_loss"] == pytest.approx(printed_test_loss, abs=1e-5)
        key = row["key"].decode()
        assert f["params"][key]["layer0.weight"].shape == (1, 20)
        assert f["config"][key].attrs["training.batchSize"] == b"none"
    again = run(decaybench, "train", "--dataset", "synthetic-regression", "--model", "linear", "--out", out, check=False)
    assert again.returncode == 2 and "already exists" in again.stderr


def test_train_rejects_bad_values_by_flag(decaybench):
    result = run(decaybench, "train", "--lr=-1", "--beta2", "1.5", check=False)
    assert result.returncode == 2
    assert "--lr" in result.stderr and "--beta2" in result.stderr
    result = run(decaybench, "train", "--dataset", "synthetic-regression", "--model", "softmax", check=False)
    assert result.returncode == 2 and "--model" in result.stderr


def test_overwrite_never_deletes_a_directory(decaybench, tmp_path):
    grid = write_grid(str(tmp_path), SMALL_GRID)
    target = tmp_path / "adir"
    (target / "sub").mkdir(parents=True)
    (target / "sub" / "precious").write_text("keep me")
    result = run(decaybench, "run", grid, "--out", str(target), "--overwrite", check=False)
    assert result.returncode == 2 and "not a regular file" in result.stderr
    assert (target / "sub" / "precious").read_text() == "keep me"


def test_a_refused_overwrite_keeps_the_old_results(decaybench, tmp_path):
    grid = write_grid(str(tmp_path), SMALL_GRID)
    out = str(tmp_path / "keep.h5")
    run(decaybench, "run", grid, "--out", out, "--quiet")
    broken = write_grid(str(tmp_path), """
        name: broken-data
        dataset: {name: csv, path: /nonexistent/data.csv, task: classification}
        model: {kind: softmax}
        optimizer: {kind: adam, lr: 0.01}
        training: {epochs: 1}
        """, name="broken.yaml")
    result = run(decaybench, "run", broken, "--out", out, "--overwrite", check=False)
    assert result.returncode == 2 and "/nonexistent/data.csv" in result.stderr
    with h5py.File(out) as f:
        assert f.attrs["complete"] == 1 and len(f["runs"]) == 16
    assert not os.path.exists(out + ".parts"), "a refused start leaves no journal behind"


def test_train_checks_its_output_before_training(decaybench, tmp_path):
    result = run(decaybench, "train", "--dataset", "synthetic-regression", "--model", "linear",
                 "--out", str(tmp_path / "missing" / "run.h5"), check=False)
    assert result.returncode == 2
    assert "does not exist" in result.stderr
    assert "epoch" not in result.stdout, "nothing was trained"


def test_hdf5_input_in_numpy_default_types(decaybench, tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 5))                     # float64
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype(np.int64) + (x[:, 2] > 1).astype(np.int64)  # int64 labels 0..2
    data = str(tmp_path / "data.h5")
    with h5py.File(data, "w") as f:
        f["X"] = x
        f["y"] = y
    out = str(tmp_path / "run.h5")
    run(decaybench, "train", "--dataset", "hdf5", "--data-path", data, "--task", "classification",
        "--model", "softmax", "--optimizer", "adam", "--lr", "0.05", "--epochs", "20", "--batch-size", "32", "--out", out)
    with h5py.File(out) as f:
        row = f["runs"][0]
        assert row["status"] == b"finished"
        assert row["final_test_error"] < 0.3        # the labels are a near-linear function of x
        key = row["key"].decode()
        assert f["params"][key]["layer0.weight"].shape == (3, 5)


def test_hdf5_features_and_labels_of_every_numeric_type_train_alike(decaybench, tmp_path):
    """Every integer and float type numpy writes reads as the same Float32 features (int32,
    uint32 and uint64 were refused as 'not exact in Float' while int64 was taken), so one data
    set stored in each type trains to the same numbers. The file has one path, since a run's
    seed depends on its data settings, the path among them."""
    rng = np.random.default_rng(1)
    x = rng.integers(0, 100, size=(120, 4))
    y = (x[:, 0] > x[:, 1]).astype(np.int64) + (x[:, 2] > 70)
    data = str(tmp_path / "typed.h5")
    outcomes = {}
    for dtype in ["int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64", "float16", "float32", "float64"]:
        with h5py.File(data, "w") as f:
            f["X"] = x.astype(dtype)
            f["y"] = y.astype("uint64" if dtype == "uint64" else "int32")
        result = run(decaybench, "train", "--dataset", "hdf5", "--data-path", data, "--task", "classification",
                     "--model", "softmax", "--optimizer", "sgd", "--lr", "0.001", "--epochs", "2", "--quiet")
        outcomes[dtype] = result.stdout.split("; final ")[1].split("; best epoch")[0]  # without the seconds
    assert len(set(outcomes.values())) == 1, outcomes


def test_train_without_a_test_split_says_so_instead_of_printing_nan(decaybench):
    result = run(decaybench, "train", "--dataset", "synthetic-classification", "--test-fraction", "0",
                 "--validation-fraction", "0.2", "--model", "softmax", "--optimizer", "sgd", "--lr", "0.1", "--epochs", "2")
    assert "nan" not in result.stdout.lower(), result.stdout
    epoch = [line.split() for line in result.stdout.splitlines() if line[:5].strip() == "2"][0]
    assert epoch[3] == "-" and epoch[5] == "-", epoch           # test_loss and test_err
    assert "(no test split: its fraction is 0)" in result.stdout
    assert "best epoch 2 (lowest validation error): validation error " in result.stdout


def test_a_grid_without_a_test_split_says_what_it_left_out(decaybench, tmp_path):
    grid = write_grid(str(tmp_path), """
        name: no-test
        dataset: {name: synthetic-classification, samples: 200, test_fraction: 0}
        model: {kind: softmax}
        optimizer: {kind: sgd}
        training: {epochs: 1}
        grid:
          lr: [0.1, 0.2]
        """)
    result = run(decaybench, "run", grid, "--out", str(tmp_path / "no-test.h5"), "--jobs", "1")
    assert "nan" not in (result.stdout + result.stderr).lower(), (result.stdout, result.stderr)
    assert result.stderr.count(" test_error=- ") == 2, result.stderr      # the progress lines
    assert "2 cells are left out: their data hold no test split (test_fraction 0), so no test error." in result.stdout


SUBCOMMANDS = ["run", "train", "plan", "status", "inspect", "merge", "rerun", "verify", "claims", "report",
               "slurm", "compare"]


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_help_paragraphs_wrap_to_the_terminal_not_to_the_source(decaybench, command):
    """Prose in --help is one paragraph per block, wrapped by the terminal's width: on a
    300-column terminal no prose paragraph may keep the line breaks of the Swift source
    (they showed as ragged lines of 30 to 90 characters on an 80-column one)."""
    result = run(decaybench, command, "--help", env={**os.environ, "COLUMNS": "300"})
    text = result.stdout
    overview, _, rest = text.partition("\n\n")
    assert overview.startswith("OVERVIEW:")
    discussion = rest.split("USAGE:")[0] if not rest.startswith("USAGE:") else ""
    for paragraph in [p for p in discussion.strip().split("\n\n") if p.strip()]:
        lines = paragraph.split("\n")
        if any(line.startswith(" ") for line in lines):
            continue  # an example, laid out by hand
        assert len(lines) == 1 or all(len(line) > 250 for line in lines[:-1]), (command, paragraph)
