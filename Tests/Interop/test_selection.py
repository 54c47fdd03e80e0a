"""Validation-based selection as a reader sees it: validation curves and columns, the
split that chose, NaN finals for diverged runs with their last finite epoch kept, λ_norm
and the λ applied, and a summary chosen on validation."""
import math
import os
import shutil

import h5py
import numpy as np
import pandas as pd
import pytest
import xarray as xr

from conftest import SELECTION_GRID, decode, kill_after_runs, run, run_grid, write_grid
from test_command_line import assert_same_content


@pytest.fixture(scope="module")
def selection(decaybench, tmp_path_factory):
    out, finished, stdout = run_grid(decaybench, tmp_path_factory.mktemp("selection"), SELECTION_GRID, "selection")
    runs = decode(pd.DataFrame(h5py.File(out)["runs"][()]))
    curves = xr.open_dataset(out, engine="h5netcdf", group="curves")
    return out, runs, curves, finished, stdout


def test_the_grid_has_finished_and_diverged_runs(selection):
    _, runs, _, _, _ = selection
    assert list(runs["status"]) == ["finished", "finished", "diverged", "diverged"]
    assert set(runs["selected_on"]) == {"validation"}


def test_best_epoch_is_chosen_on_validation_and_reports_test_error_there(selection):
    _, runs, curves, _, _ = selection
    for _, row in runs[runs.status == "finished"].iterrows():
        validation = curves.validation_error.sel(run=row["index"]).values.astype(np.float64)
        test = curves.test_error.sel(run=row["index"]).values.astype(np.float64)
        best = int(np.argmin(validation))  # the earliest of equal minima
        assert row["best_epoch"] == best + 1
        assert row["best_validation_error"] == pytest.approx(validation[best], rel=1e-6)
        assert row["best_test_error"] == pytest.approx(test[best], rel=1e-6)
        assert row["final_validation_error"] == pytest.approx(validation[-1], rel=1e-6)
        assert row["final_validation_loss"] == pytest.approx(float(curves.validation_loss.sel(run=row["index"])[-1]), rel=1e-6)


def test_diverged_runs_have_nan_finals_and_keep_their_last_finite_epoch(selection):
    _, runs, curves, finished_events, _ = selection
    diverged = runs[runs.status == "diverged"]
    for name in ["final_test_error", "final_validation_error", "final_train_loss", "best_test_error",
                 "final_weight_norm"]:
        assert diverged[name].isna().all(), name
    assert (diverged["best_epoch"] == 0).all()
    for _, row in diverged.iterrows():
        last = row["epochs_done"] - 1
        assert last >= 0
        test = curves.test_error.sel(run=row["index"]).values
        assert row["last_finite_test_error"] == pytest.approx(float(test[last]), rel=1e-6)
        assert np.isnan(test[last + 1:]).all()
    for key in diverged["key"]:
        assert "test_error" not in finished_events[key], "a diverged run reports no final test error"


def test_lambda_norm_and_the_applied_lambda(selection):
    out, runs, _, _, _ = selection
    # 300 points, 60 held out for test, 48 of the remaining 240 for validation: B = 192.
    paper = 0.05 * math.sqrt(32 / (192 * 4))
    assert (runs["lambda_norm"] == 0.05).all()
    for _, row in runs.iterrows():
        # decay_convention torch: λ_torch = λ_paper / α.
        assert row["decay_convention"] == "torch"
        assert row["applied_lambda"] == pytest.approx(paper / row["lr"], rel=1e-12)
        with h5py.File(out) as f:
            config = f["config"][row["key"]].attrs
            assert list(config["applied_lambdas"]) == pytest.approx([paper / row["lr"]], rel=1e-12)
            assert config["lambda_norm"] == 0.05
            assert config["model.initialization"] in (b"torch", "torch")
            assert config["data.validationFraction"] == 0.2


def test_grid_arrays_and_root_attributes(selection):
    out, runs, _, _, _ = selection
    grid = xr.open_dataset(out, engine="h5netcdf", group="grid")
    assert grid.validation_error.dims == ("lr", "seed")
    assert np.isnan(grid.test_error.sel(lr=1000)).all(), "diverged runs are not results"
    finished = runs[runs.status == "finished"]
    for _, row in finished.iterrows():
        assert float(grid.best_test_error.sel(lr=row["lr"], seed=row["seed"])) == pytest.approx(row["best_test_error"])
    with h5py.File(out) as f:
        assert f.attrs["selected_on"] in (b"validation", "validation")
        assert f.attrs["schema_version"] == 3


def test_summary_is_chosen_on_validation_and_counts_divergence(selection):
    _, runs, _, _, stdout = selection
    assert "Best cells are chosen on validation error." in stdout
    assert "2 finished, 2 diverged" in stdout
    finished = runs[runs.status == "finished"]
    line = next(l for l in stdout.splitlines() if l.startswith("sgd"))
    assert f"{finished['final_validation_error'].mean():.4f}" in line
    assert f"{finished['final_test_error'].mean():.4f}" in line


# Decoupled decay with λ_norm under the torch convention: its meaning changed in
# configuration format 2 (λ_norm is now the paper's, divided by α).
NORMALIZED_TORCH_GRID = """
    name: normalized-torch
    dataset: {name: synthetic-classification, samples: 4000, features: 40, classes: 4, noise: 1.0}
    model: {kind: mlp, hidden: [64, 64]}
    optimizer: {kind: sgd-momentum}
    regularization: {penalty: decoupled, normalized: true, decay_convention: torch}
    training: {epochs: 6, batch_size: 16}
    grid:
      lambda: [0.01, 0.05]
      lr: [0.01, 0.03]
    seeds: [0]
    """


def test_a_saved_run_of_the_old_normalized_meaning_runs_again_on_resume(decaybench, tmp_path):
    grid = write_grid(str(tmp_path), NORMALIZED_TORCH_GRID)
    reference = str(tmp_path / "reference.h5")
    run(decaybench, "run", grid, "--out", reference, "--quiet")
    out = str(tmp_path / "resumed.h5")
    kill_after_runs(decaybench, grid, out, 1)
    # Make one saved run look as if an earlier build (configuration format 1) computed it.
    shard = next(os.path.join(out + ".parts", n) for n in sorted(os.listdir(out + ".parts"))
                 if n.endswith(".h5") and len(n) == len("0123456789abcdef.h5"))
    key = os.path.basename(shard)[:-3]
    with h5py.File(shard, "r+") as f:
        f.attrs["configuration_format"] = np.int64(1)
        f["config"][key].attrs["configuration_format"] = np.int64(1)
    result = run(decaybench, "run", grid, "--out", out, "--resume")
    assert f"discarding saved run {key}, computed before a change of meaning" in result.stderr
    assert_same_content(out, reference)


def test_merge_and_resume_keep_what_each_run_was_computed_under(decaybench, tmp_path):
    # merge stamped every run with this build's configuration format, so an old run of the
    # normalized torch meaning passed --reuse and rerun as current; a resumed results file's
    # old runs were kept and restamped the same way.
    grid = write_grid(str(tmp_path), NORMALIZED_TORCH_GRID.replace("epochs: 6", "epochs: 1"))
    shards = [str(tmp_path / f"shard-{i}.h5") for i in (1, 2)]
    for index, shard in enumerate(shards, start=1):
        run(decaybench, "run", grid, "--shard", f"{index}/2", "--out", shard, "--quiet")
        with h5py.File(shard, "r+") as f:   # as a build of format 1 wrote it
            f.attrs["configuration_format"] = np.int64(1)
            for key in f["config"]:
                f["config"][key].attrs["configuration_format"] = np.int64(1)
    merged = str(tmp_path / "merged.h5")
    run(decaybench, "merge", *shards, "--out", merged)
    with h5py.File(merged) as f:
        assert sorted(int(f["config"][key].attrs["configuration_format"]) for key in f["config"]) == [1, 1, 1, 1]
    reused = run(decaybench, "run", grid, "--out", str(tmp_path / "again.h5"), "--reuse", merged)
    assert "reusing no run of" in reused.stderr, reused.stderr   # every run means something else now
    with h5py.File(merged) as f:
        first_key = sorted(f["config"])[0]
    rerun = run(decaybench, "rerun", merged, "--key", first_key, check=False)
    assert rerun.returncode != 0 and "configuration format 1" in rerun.stdout + rerun.stderr, rerun.stdout + rerun.stderr

    # A results file of this grid whose runs are of format 1, resumed: they run again.
    resumed = str(tmp_path / "resumed.h5")
    shutil.copy(merged, resumed)
    with h5py.File(resumed, "r+") as f:
        f.attrs["complete"] = np.int64(0)
    result = run(decaybench, "run", grid, "--out", resumed, "--resume")
    assert result.stderr.count("was computed before a change of meaning") == 4, result.stderr
    with h5py.File(resumed) as f:
        assert sorted(int(f["config"][key].attrs["configuration_format"]) for key in f["config"]) == [2, 2, 2, 2]
