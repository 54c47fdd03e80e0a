"""run --reuse: a grid grown by an axis value takes the runs it already has from an earlier
results file, computes only the new ones, and ends identical to a fresh run of the grown grid."""
import os
import re
import subprocess
import sys

import h5py

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
