"""decaybench inspect, rerun and verify on real files, and the run labels on /curves."""
import hashlib
import json
import os
import shutil

import h5py
import pytest
import xarray as xr

from conftest import SMALL_GRID, processor_flags, run, write_grid


@pytest.fixture(scope="module")
def small(decaybench, tmp_path_factory):
    directory = tmp_path_factory.mktemp("inspect")
    grid = write_grid(str(directory), SMALL_GRID)
    out = str(directory / "small.h5")
    run(decaybench, "run", grid, "--out", out, "--quiet")
    return out


def keys(path):
    with h5py.File(path) as f:
        return [k.decode() for k in f["runs"]["key"]]


def test_inspect_shows_grid_provenance_counts_summary_and_filtered_runs(decaybench, small):
    result = run(decaybench, "inspect", small, "--where", "penalty=decoupled,lr=3e-2")
    text = result.stdout
    assert "grid 'small'" in text and "16 runs, complete" in text
    assert "penalty  l2, decoupled" in text
    assert "provenance: decaybench" in text and "HDF5 1.10" in text and "BLAS core" in text
    assert "status: 16 finished, 0 diverged, 0 failed, 0 pending" in text
    assert "runs with penalty=decoupled,lr=3e-2: 4 of 16" in text
    rows = [line for line in text.splitlines() if line[:5].strip().isdigit()]
    assert len(rows) == 4 and all("penalty=decoupled" in r and "lr=0.03" in r for r in rows)
    with h5py.File(small) as f:
        runs = f["runs"][()]
        expected = {r["key"].decode() for r in runs if r["penalty"] == b"decoupled" and r["lr"] == 0.03}
    assert {r.split()[1] for r in rows} == expected


def test_inspect_rejects_an_unknown_axis_naming_the_axes(decaybench, small):
    result = run(decaybench, "inspect", small, "--where", "width=3", check=False)
    assert result.returncode != 0
    assert "width" in result.stderr and "penalty, lambda, lr, seed" in result.stderr


def test_inspect_selection_matching_nothing_lists_the_labels_instead_of_empty_tables(decaybench, small):
    result = run(decaybench, "inspect", small, "--where", "penalty=decoupled,lr=0.5")
    text = result.stdout
    assert "runs with penalty=decoupled,lr=0.5: 0 of 16" in text
    lines = text.splitlines()
    assert "  penalty takes l2, decoupled" in lines
    lr_line = next(line for line in lines if line.startswith("  lr takes "))
    with h5py.File(small) as f:
        rates = sorted({float(r) for r in f["runs"]["lr"]})
    assert sorted(float(v) for v in lr_line[len("  lr takes "):].split(", ")) == rates
    # No summary or runs table follows: their headers would be all they showed.
    assert "index  key" not in text and "optimizer  penalty" not in text


def test_inspect_key_shows_one_run_in_full(decaybench, small):
    key = keys(small)[5]
    text = run(decaybench, "inspect", small, "--key", key[:8]).stdout
    assert f"key {key}" in text and "status: finished" in text
    assert "optimizer.learningRate = " in text and "training.blasThreads = 1" in text and "data_files = []" in text
    curve_lines = [l for l in text.splitlines() if l.strip()[:1].isdigit() and len(l.split()) == 8]
    assert len(curve_lines) == 4
    with h5py.File(small) as f:
        # Every run of the grid read the same (synthetic) data: one list, numbered 0.
        assert {int(f["config"][k].attrs["data_files_id"]) for k in f["config"]} == {0}
        assert sorted(f["data_files"].attrs) == ["0", "description"]
        assert float(curve_lines[-1].split()[5]) == pytest.approx(float(f["curves/test_error"][5, 3]), abs=5e-5)


def test_inspect_works_on_a_train_file_which_has_a_one_cell_grid(decaybench, tmp_path):
    out = str(tmp_path / "train.h5")
    run(decaybench, "train", "--dataset", "synthetic-classification", "--model", "softmax", "--epochs", "2", "--quiet", "--out", out)
    text = run(decaybench, "inspect", out).stdout
    assert "train (one run)" in text and "1 run, complete" in text
    grid = xr.open_dataset(out, engine="h5netcdf", group="grid")
    assert grid.test_error.shape == (1, 1, 1, 1, 1, 1)
    assert list(grid.test_error.dims) == ["optimizer", "penalty", "lambda", "lr", "schedule", "seed"]


def test_curves_carry_run_labels_as_coordinates_for_xarray(small):
    curves = xr.open_dataset(small, engine="h5netcdf", group="curves")
    for name in ["penalty", "lambda", "lr", "seed", "key"]:
        assert name in curves.coords, name
    means = curves.test_error.isel(epoch=-1).groupby("penalty").mean()
    runs = h5py.File(small)["runs"][()]
    for penalty in ["l2", "decoupled"]:
        expected = runs["final_test_error"][runs["penalty"] == penalty.encode()].mean()
        assert float(means.sel(penalty=penalty)) == pytest.approx(expected, rel=1e-6)
    picked = curves.test_error.set_xindex("lr").sel(lr=0.03)
    assert picked.sizes["run"] == 8


def test_rerun_is_bit_identical_and_says_so(decaybench, small, tmp_path):
    key = keys(small)[3]
    out = str(tmp_path / "again.h5")
    result = run(decaybench, "rerun", small, "--key", key, "--out", out)
    assert "bit-identical" in result.stdout
    assert "matches this environment" in result.stdout
    with h5py.File(small) as a, h5py.File(out) as b:
        assert (a["curves/test_error"][3] == b["curves/test_error"][0]).all()
        assert (a["params"][key]["layer0.weight"][()] == b["params"][key]["layer0.weight"][()]).all()


def test_rerun_names_the_recorded_facts_that_differ(decaybench, small, tmp_path):
    changed = str(tmp_path / "elsewhere.h5")
    shutil.copy(small, changed)
    with h5py.File(changed, "r+") as f:
        f.attrs["hdf5_version"] = "1.14.3"              # facts of the process that wrote the file
        runs = f["runs"][()]
        runs["git_commit"][0] = b"unknown"              # where run 0 was computed
        f["runs"][...] = runs
    result = run(decaybench, "rerun", changed, "--key", keys(small)[0])
    assert "bit-identical" in result.stdout
    assert "HDF5" in result.stdout and "1.14.3" in result.stdout
    assert "unknown (built without git information)" in result.stdout


def test_verify_passes_on_a_fresh_file_and_fails_on_a_tampered_one(decaybench, small, tmp_path):
    passed = run(decaybench, "verify", small, "--sample", "3", "--seed", "1")
    assert passed.stdout.count("\npass") == 3 and "all 3 reproduced bit for bit" in passed.stdout

    tampered = str(tmp_path / "tampered.h5")
    shutil.copy(small, tampered)
    with h5py.File(tampered, "r+") as f:
        f["curves/test_error"][:, 2] += 0.01          # every run's third epoch
    failed = run(decaybench, "verify", tampered, "--sample", "2", check=False)
    assert failed.returncode == 3
    assert failed.stdout.count("FAIL") == 2 and "test_error: 1 of 4 values differ" in failed.stdout
    assert "from epoch 3" in failed.stdout and "not drift" in failed.stdout

    edited = str(tmp_path / "edited.h5")
    shutil.copy(small, edited)
    key = keys(small)[0]
    with h5py.File(edited, "r+") as f:
        f["config"][key].attrs["regularization.lambda"] = 0.5
    result = run(decaybench, "verify", edited, check=False)
    assert result.returncode == 3
    assert "regularization.lambda" in result.stdout and "was altered" in result.stdout
    assert "1 of 16 did not reproduce" in result.stdout
    result = run(decaybench, "rerun", edited, "--key", key, check=False)
    assert result.returncode == 3, result.stderr   # was 1, as if this machine could not rerun it
    assert "\nFAIL: " in result.stdout and "was altered" in result.stdout


def test_a_run_computed_with_other_openblas_kernels_is_reproduced_by_asking_for_them(decaybench, tmp_path):
    """OpenBLAS picks its kernels by processor; a run computed with another core's kernels
    differs in the last bits, and verify names the core to ask for. Asking for it reproduces
    the run bit for bit."""
    flags = processor_flags()
    # A core whose kernels this processor runs; forcing one it cannot run would kill the process.
    cores = [core for core, needs in (("Haswell", {"avx2", "fma"}), ("Sandybridge", {"avx"})) if needs <= flags]
    environment = {key: value for key, value in os.environ.items() if not key.startswith("OPENBLAS_")}
    for core in cores:
        out = str(tmp_path / f"{core}.h5")
        run(decaybench, "train", "--dataset", "synthetic-classification", "--samples", "400", "--features", "40",
            "--model", "mlp", "--hidden", "32", "--epochs", "2", "--quiet", "--out", out,
            env={**environment, "OPENBLAS_CORETYPE": core})
        elsewhere = run(decaybench, "verify", out, check=False, env=environment)
        if "all 1 reproduced bit for bit" in elsewhere.stdout:
            continue   # this processor's own kernels are these, or round as they do
        assert elsewhere.returncode == 3, elsewhere.stdout + elsewhere.stderr
        assert f"recorded: {core}" in elsewhere.stdout
        assert f"OPENBLAS_CORETYPE={core} decaybench" in elsewhere.stdout
        asked = run(decaybench, "verify", out, env={**environment, "OPENBLAS_CORETYPE": core})
        assert "all 1 reproduced bit for bit" in asked.stdout and "hint" not in asked.stdout
        return
    pytest.skip(f"no other OpenBLAS core this processor runs gives other bits (tried {cores or 'none'})")


def csv_run(decaybench, directory):
    """A one-run results file trained on a CSV file of the test's own; returns (data, results)."""
    data = directory / "data.csv"
    data.write_text("a,b,label\n" + "\n".join(f"{i % 7},{i % 5},{i % 2}" for i in range(60)) + "\n")
    out = str(directory / "csv.h5")
    run(decaybench, "train", "--dataset", "csv", "--data-path", str(data), "--task", "classification",
        "--model", "softmax", "--epochs", "1", "--quiet", "--out", out)
    return data, out


def test_verify_says_a_run_it_could_not_rerun_was_not_checked_instead_of_calling_it_a_bug(decaybench, tmp_path):
    data, out = csv_run(decaybench, tmp_path)
    data.unlink()
    result = run(decaybench, "verify", out, check=False)
    assert result.returncode == 1, (result.returncode, result.stdout)   # was 3, a "FAIL"
    assert "\nERROR" in result.stdout and "not checked: cannot load the data" in result.stdout
    assert "FAIL" not in result.stdout and "not drift but a bug" not in result.stdout
    assert "0 of 1 reproduced bit for bit; 1 could not be rerun here, so were not checked" in result.stdout


def test_the_file_records_what_a_rerun_needs(decaybench, tmp_path):
    data, out = csv_run(decaybench, tmp_path)
    with h5py.File(out) as f:
        key = f["runs"]["key"][0].decode()
        files = json.loads(f["data_files"].attrs[str(f["config"][key].attrs["data_files_id"])])
        assert f.attrs["configuration_format"] == 2  # format 2: validation split, init torch, λ_norm in the paper's units
        assert f["config"][key].attrs["training.blasThreads"] >= 1
        assert f.attrs["git_commit"] not in (b"", "")
    assert files == [{"role": "csv", "path": str(data), "bytes": data.stat().st_size,
                      "sha256": hashlib.sha256(data.read_bytes()).hexdigest()}]
    # A changed data file is named by rerun as a fact that differs.
    data.write_text(data.read_text().replace("0,0,0", "0,0,1"))
    result = run(decaybench, "rerun", out, "--key", key, check=False)
    assert "data file csv" in result.stdout


def test_the_commit_is_compiled_into_the_binary(decaybench, tmp_path):
    # Recorded at build time, not looked up at run time: a copy of the binary with no source
    # tree beside it reports the same commit, and the commit's text is in the binary itself.
    copy = tmp_path / "elsewhere" / "decaybench"
    copy.parent.mkdir()
    shutil.copy(decaybench, copy)
    out = str(tmp_path / "run.h5")
    run(str(copy), "train", "--dataset", "synthetic-regression", "--model", "linear", "--epochs", "1", "--quiet",
        "--out", out, cwd=str(tmp_path))
    with h5py.File(out) as f:
        commit = f.attrs["git_commit"]
        commit = commit.decode() if isinstance(commit, bytes) else commit
    assert commit == "unknown" or len(commit.split("-")[0]) == 40, commit
    assert commit.encode() in copy.read_bytes()
