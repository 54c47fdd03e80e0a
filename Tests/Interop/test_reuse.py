"""run --reuse: a grid grown by an axis value takes the runs it already has from an earlier
results file, computes only the new ones, and ends identical to a fresh run of the grown grid."""
import json
import os
import re
import subprocess
import sys

import h5py
import numpy as np

from conftest import SMALL_GRID, run, write_grid

SAME_RESULTS = os.path.join(os.path.dirname(__file__), "..", "Tools", "same_results.py")
GROWN_GRID = SMALL_GRID.replace("lr: [0.01, 0.03]", "lr: [0.01, 0.03, 0.1]")


def keys(path):
    with h5py.File(path) as f:
        return [k.decode() for k in f["runs"]["key"]]


def test_a_grown_grid_reuses_the_runs_it_had_and_equals_a_fresh_run(decaybench, tmp_path):
    assert GROWN_GRID != SMALL_GRID
    small = write_grid(str(tmp_path), SMALL_GRID, name="small.yaml")
    grown = write_grid(str(tmp_path), GROWN_GRID, name="grown.yaml")
    before, fresh, reused = (str(tmp_path / name) for name in ("before.h5", "fresh.h5", "reused.h5"))
    run(decaybench, "run", small, "--out", before, "--jobs", "2", "--quiet")
    run(decaybench, "run", grown, "--out", fresh, "--jobs", "2", "--quiet")
    result = run(decaybench, "run", grown, "--out", reused, "--reuse", before, "--jobs", "2")
    assert f"reusing 16 finished runs of {before}" in result.stderr
    assert "resuming" not in result.stderr, "nothing of this output was finished before"
    computed = [line for line in result.stderr.splitlines() if " finished test_error=" in line]
    assert len(computed) == 8, "only the runs of the new learning rate are computed"
    assert all("lr=0.1" in line for line in computed)
    same = subprocess.run([sys.executable, SAME_RESULTS, fresh, reused], capture_output=True, text=True)
    assert same.returncode == 0, same.stdout
    # The reused runs are the earlier file's, number for number, seconds included.
    with h5py.File(before) as old, h5py.File(reused) as new:
        old_rows = {k.decode(): i for i, k in enumerate(old["runs"]["key"])}
        for i, key in enumerate(new["runs"]["key"]):
            if key.decode() in old_rows:
                j = old_rows[key.decode()]
                assert new["runs"]["seconds"][i] == old["runs"]["seconds"][j]
                assert (new["curves/test_error"][i] == old["curves/test_error"][j]).all()


def test_reuse_into_the_file_it_replaces_and_of_a_file_with_nothing_to_give(decaybench, tmp_path):
    small = write_grid(str(tmp_path), SMALL_GRID, name="small.yaml")
    grown = write_grid(str(tmp_path), GROWN_GRID, name="grown.yaml")
    out = str(tmp_path / "grid.h5")
    run(decaybench, "run", small, "--out", out, "--jobs", "2", "--quiet")
    # Growing a results file in place: the old file stays until the new one replaces it.
    result = run(decaybench, "run", grown, "--out", out, "--overwrite", "--reuse", out, "--jobs", "2")
    assert "reusing 16 finished runs" in result.stderr
    assert len(keys(out)) == 24
    other = write_grid(str(tmp_path), SMALL_GRID.replace("epochs: 4", "epochs: 3"), name="other.yaml")
    result = run(decaybench, "run", other, "--out", str(tmp_path / "other.h5"), "--reuse", out, "--jobs", "2")
    assert not re.search(r"reusing \d+ finished run", result.stderr), "a grid of other runs takes nothing"
    assert f"reusing no run of {out}" in result.stderr, "and says so"


def test_reuse_of_a_missing_or_unreadable_file_is_an_input_error(decaybench, tmp_path):
    small = write_grid(str(tmp_path), SMALL_GRID, name="small.yaml")
    result = run(decaybench, "run", small, "--out", str(tmp_path / "x.h5"), "--reuse", str(tmp_path / "none.h5"), check=False)
    assert result.returncode == 2 and "none.h5: no such results file" in result.stderr
    junk = tmp_path / "junk.h5"
    junk.write_text("not hdf5")
    result = run(decaybench, "run", small, "--out", str(tmp_path / "x.h5"), "--reuse", str(junk), check=False)
    assert result.returncode == 2 and "--reuse" in result.stderr and "junk.h5" in result.stderr
    assert not os.path.exists(tmp_path / "x.h5")


def test_runs_that_read_other_data_are_not_reused(decaybench, tmp_path):
    data = tmp_path / "data.csv"
    data.write_text("a,b,label\n" + "\n".join(f"{i % 7},{i % 5},{i % 2}" for i in range(60)) + "\n")
    grid = write_grid(str(tmp_path), f"""
        name: csv
        dataset: {{name: csv, path: {data}, task: classification}}
        model: {{kind: softmax}}
        optimizer: {{kind: sgd}}
        training: {{epochs: 1}}
        grid:
          lr: [0.1, 0.3]
        """)
    before = str(tmp_path / "before.h5")
    run(decaybench, "run", grid, "--out", before, "--quiet")
    data.write_text(data.read_text().replace("0,0,0", "0,0,1"))
    out = str(tmp_path / "after.h5")
    result = run(decaybench, "run", grid, "--out", out, "--reuse", before, check=False)
    assert result.returncode == 2
    assert "read other data files" in result.stderr and str(data) in result.stderr
    assert not os.path.exists(out)


# Runs that read files (a subset of Fashion-MNIST), so that each run records their checksums.
FILE_GRID = """
    name: file-backed
    dataset: {name: fashion-mnist, train_subset: 200, test_subset: 200, validation_size: 100}
    model: {kind: mlp, hidden: [8]}
    optimizer: {kind: adam}
    training: {epochs: 2, batch_size: 50}
    store: {params: final}
    grid:
      penalty: [l2, decoupled]
      lambda: {l2: [0, 0.001], decoupled: [0.01, 0.1]}
      lr: [0.001, 0.003]
    seeds: [0, 1]
    """
GROWN_FILE_GRID = FILE_GRID.replace("lr: [0.001, 0.003]", "lr: [0.001, 0.003, 0.01]")


def killed_at_final_write(decaybench, grid, out, *options):
    """Runs the grid until it is about to write its results file, and kills it there."""
    environment = dict(os.environ, DECAYBENCH_PAUSE_AT="final-write", DECAYBENCH_PAUSE_SECONDS="120")
    process = subprocess.Popen([decaybench, "run", grid, "--out", out, "--quiet", *options], env=environment,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = ""
    while "paused at final-write" not in line:
        line = process.stderr.readline()
        assert line or process.poll() is None, f"the run ended before its final write: {process.communicate()}"
    process.kill()
    process.wait()
    assert not os.path.exists(out)


def test_a_reusing_run_killed_before_its_final_write_resumes_to_the_fresh_runs_file(decaybench, tmp_path):
    assert GROWN_FILE_GRID != FILE_GRID
    small = write_grid(str(tmp_path), FILE_GRID, name="small.yaml")
    grown = write_grid(str(tmp_path), GROWN_FILE_GRID, name="grown.yaml")
    before, fresh, reused = (str(tmp_path / name) for name in ("before.h5", "fresh.h5", "reused.h5"))
    run(decaybench, "run", small, "--out", before, "--quiet")
    run(decaybench, "run", grown, "--out", fresh, "--quiet")
    killed_at_final_write(decaybench, grown, reused, "--reuse", before)
    # The journal's copies of the reused runs name the data files they read, as a run computed
    # here does: a copy naming none stopped --resume, as if the data had changed.
    parts = tmp_path / "reused.h5.parts"
    for part in (p for p in os.listdir(parts) if p.endswith(".h5")):
        with h5py.File(parts / part) as f:
            lists = [json.loads(f["data_files"].attrs[name]) for name in f["data_files"].attrs if name != "description"]
            assert lists and all(len(files) == 4 for files in lists), (part, lists)
    result = run(decaybench, "run", grown, "--out", reused, "--resume", check=False)
    assert result.returncode == 0, result.stderr
    same = subprocess.run([sys.executable, SAME_RESULTS, fresh, reused], capture_output=True, text=True)
    assert same.returncode == 0, same.stdout


def test_a_journal_whose_reused_copies_name_no_data_files_still_resumes(decaybench, tmp_path):
    # Journals that earlier builds left behind recorded an empty list for the reused runs.
    small = write_grid(str(tmp_path), FILE_GRID, name="small.yaml")
    grown = write_grid(str(tmp_path), GROWN_FILE_GRID, name="grown.yaml")
    before, reused = str(tmp_path / "before.h5"), str(tmp_path / "reused.h5")
    run(decaybench, "run", small, "--out", before, "--quiet")
    killed_at_final_write(decaybench, grown, reused, "--reuse", before)
    with h5py.File(before) as f:
        reused_keys = {key.decode() for key in f["runs"]["key"]}
    parts = tmp_path / "reused.h5.parts"
    emptied = 0
    for key in reused_keys:
        with h5py.File(parts / f"{key}.h5", "r+") as f:
            for name in [n for n in f["data_files"].attrs if n != "description"]:
                f["data_files"].attrs[name] = np.bytes_(b"[]")
                emptied += 1
    assert emptied == 16
    result = run(decaybench, "run", grown, "--out", reused, "--resume", check=False)
    assert result.returncode == 0, result.stderr
    assert len(keys(reused)) == 24
    # (A list naming other files than those read now still stops a resume: test_file_safety.)
