"""The results file opens in h5py, pandas and xarray without a custom loader, and its
numbers match what decaybench reported while it ran."""
import json
import math

import h5py
import numpy as np
import pandas as pd
import pytest
import xarray as xr

from conftest import SMALL_GRID, decode, run, run_grid


@pytest.fixture(scope="module")
def small_results(decaybench, tmp_path_factory):
    return run_grid(decaybench, tmp_path_factory.mktemp("small"), SMALL_GRID, "small")


def test_pandas_reads_the_runs_table(small_results):
    out, finished, _ = small_results
    runs = decode(pd.DataFrame(h5py.File(out)["runs"][()]))
    assert len(runs) == 16
    assert list(runs["index"]) == list(range(16))
    assert set(runs["status"]) == {"finished"}
    assert set(runs["penalty"]) == {"l2", "decoupled"}
    assert sorted(set(runs["lambda"])) == [0, 0.001, 0.01, 0.1]
    assert set(runs.loc[runs.penalty == "l2", "lambda"]) == {0, 0.001}
    assert (runs["epochs_done"] == 4).all()
    # The numbers in the file are the numbers decaybench reported as each run finished.
    assert set(runs["key"]) == set(finished)
    for _, row in runs.iterrows():
        reported = finished[row["key"]]["test_error"]
        assert math.isclose(row["final_test_error"], reported, rel_tol=1e-6, abs_tol=1e-7)
    # Without a validation split the best epoch is chosen on test error, and the file says so.
    assert set(runs["selected_on"]) == {"test"}
    assert (runs["best_test_error"] <= runs["final_test_error"]).all()
    assert runs["final_validation_error"].isna().all()


def test_summary_printed_matches_the_file(small_results):
    out, _, stdout = small_results
    runs = decode(pd.DataFrame(h5py.File(out)["runs"][()]))
    cells = runs.groupby(["penalty", "lambda", "lr"])["final_test_error"].mean()
    for penalty in ["l2", "decoupled"]:
        best = cells.loc[penalty].min()
        line = next(l for l in stdout.splitlines() if l.startswith("adam") and f" {penalty} " in l)
        assert f"{best:.4f}" in line, (line, best)


def test_xarray_grid_has_labelled_dimensions(small_results):
    out, _, _ = small_results
    ds = xr.open_dataset(out, engine="h5netcdf", group="grid")
    assert ds.test_error.dims == ("penalty", "lambda", "lr", "seed")
    assert list(ds.penalty.values) == ["l2", "decoupled"]
    assert list(ds["lambda"].values) == [0, 0.001, 0.01, 0.1]
    runs = decode(pd.DataFrame(h5py.File(out)["runs"][()]))
    for _, row in runs.iterrows():
        cell = ds.test_error.sel(penalty=row["penalty"], **{"lambda": row["lambda"]}, lr=row["lr"], seed=row["seed"])
        assert float(cell) == pytest.approx(row["final_test_error"], rel=1e-12)
        assert int(ds.run_index.sel(penalty=row["penalty"], **{"lambda": row["lambda"]}, lr=row["lr"], seed=row["seed"])) == row["index"]
    # λ values of the other penalty have no run: NaN, not a made-up number.
    assert np.isnan(ds.test_error.sel(penalty="l2", **{"lambda": 0.1})).all()
    assert int(ds.run_index.sel(penalty="decoupled", **{"lambda": 0.0}).max()) == -1
    assert ds.test_error.sel(penalty="decoupled").attrs["units"]


def test_xarray_curves_and_their_last_epoch(small_results):
    out, _, _ = small_results
    curves = xr.open_dataset(out, engine="h5netcdf", group="curves")
    assert curves.test_error.dims == ("run", "epoch")
    assert list(curves.epoch.values) == [1, 2, 3, 4]
    assert curves.test_error.dtype == np.float32
    runs = pd.DataFrame(h5py.File(out)["runs"][()])
    np.testing.assert_allclose(curves.test_error.isel(epoch=-1).values, runs["final_test_error"].values, rtol=1e-7)


def test_every_dataset_is_described(small_results):
    out, _, _ = small_results
    missing = []

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset) and not name.startswith("params/"):
            for attribute in ("description", "units"):
                if attribute not in obj.attrs:
                    missing.append(f"{name}:{attribute}")
    with h5py.File(out) as f:
        f.visititems(visit)
    assert not missing


def test_root_provenance_and_configuration(small_results):
    out, _, _ = small_results
    with h5py.File(out) as f:
        attrs = f.attrs
        assert attrs["schema_version"] == 3
        assert attrs["kind"] == b"grid" or attrs["kind"] == "grid"
        for name in ["git_commit", "swift_version", "hdf5_version", "openblas_config", "blas_core", "cpu",
                     "started_utc", "finished_utc", "command_line", "grid_text", "grid_canonical"]:
            assert len(attrs[name]) > 0, name
        assert attrs["complete"] == 1
        assert b"name: small" in attrs["grid_text"] if isinstance(attrs["grid_text"], bytes) else "name: small" in attrs["grid_text"]
        runs = f["runs"][()]
        for row in runs:
            key = row["key"].decode()
            config = f["config"][key].attrs
            stored = json.loads(config["json"])
            assert stored["optimizer"]["learningRate"] == row["lr"]
            assert stored["regularization"]["lambda"] == row["lambda"]
            assert config["optimizer.learningRate"] == row["lr"]
            assert config["training.blasThreads"] == 1
            weight = f["params"][key]["layer0.weight"]
            assert weight.shape == (8, 6)  # [out, in]
            assert f["params"][key]["layer1.bias"].shape == (3,)


def test_small_tensors_are_stored_whole_and_large_ones_deflated(decaybench, tmp_path):
    out = str(tmp_path / "wide.h5")
    # 300 inputs × 64 hidden = 19,200 weights (deflated); the biases and 64 × 3 are small.
    run(decaybench, "train", "--dataset", "synthetic-classification", "--features", "300", "--model", "mlp",
        "--hidden", "64", "--epochs", "1", "--quiet", "--out", out)
    with h5py.File(out) as f:
        (key,) = list(f["params"])
        tensors = f["params"][key]
        assert tensors["layer0.weight"].shape == (64, 300)
        assert tensors["layer0.weight"].compression == "gzip" and tensors["layer0.weight"].shuffle
        for name in ("layer0.bias", "layer1.weight", "layer1.bias"):
            assert tensors[name].compression is None and tensors[name].chunks is None, name
