"""The paper grids (experiments/paper): each parses, states its claim, its reasons and its
measured time, declares its claims, and its tiny copy (Tests/Tools/shrink_paper_grids.py)
parses too; the committed results files match their grids."""
import glob
import os
import subprocess
import sys

import pytest

from conftest import run

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
GRIDS = sorted(glob.glob(os.path.join(ROOT, "experiments", "paper", "*.yaml")))


def test_there_is_a_grid_per_study():
    names = {os.path.basename(g) for g in GRIDS}
    assert {"equivalence.yaml", "separability.yaml", "generalization.yaml", "schedules.yaml", "normalized-decay.yaml",
            "warm-restarts.yaml", "weight-norm.yaml", "l1-sparsity.yaml", "norm-ball-ridge.yaml",
            "lr-decay-plateau.yaml", "biases.yaml"} <= names


@pytest.mark.parametrize("grid", GRIDS, ids=os.path.basename)
def test_each_grid_parses_and_says_why_and_how_long(decaybench, grid):
    header = "".join(line for line in open(grid) if line.startswith("#"))
    assert "Why this size" in header, f"{grid}: the header does not say why its size was chosen"
    assert "# Time: measured here" in header and "grid_times.py" in header, \
        f"{grid}: the header does not give the measured time and how to retake it"
    result = run(decaybench, "plan", grid, "--show", "0")
    assert "estimated time" in result.stdout


def test_each_grid_declares_its_claims_and_together_they_test_every_claim(decaybench):
    catalog = {line.split()[0] for line in run(decaybench, "claims", "--list").stdout.splitlines() if line.strip()}
    assert len(catalog) > 20
    declared = {}
    for grid in GRIDS:
        lines = [line for line in run(decaybench, "plan", grid, "--show", "0").stdout.splitlines()
                 if line.startswith("claims it tests: ")]
        assert len(lines) == 1, f"{grid} declares no claims"
        for claim in lines[0].removeprefix("claims it tests: ").split(", "):
            assert claim not in declared, f"{claim} is declared by {declared.get(claim)} and {grid}"
            declared[claim] = grid
    assert set(declared) == catalog, f"claims no paper grid tests: {sorted(catalog - set(declared))}"


def test_tiny_copies_parse(decaybench, tmp_path):
    script = os.path.join(ROOT, "Tests", "Tools", "shrink_paper_grids.py")
    written = subprocess.run([sys.executable, script, str(tmp_path)], capture_output=True, text=True, check=True).stdout.split()
    assert len(written) == len(GRIDS)
    for grid in written:
        result = run(decaybench, "plan", grid, "--show", "0")
        assert "runs" in result.stdout


@pytest.mark.parametrize("grid", GRIDS, ids=os.path.basename)
def test_the_committed_results_hold_their_grid_whole_and_declare_its_claims(decaybench, grid, tmp_path):
    import h5py
    name = os.path.basename(grid)[:-len(".yaml")]
    results = os.path.join(ROOT, "results", "paper", name + ".h5")
    # merge --grid refuses a file whose runs are not the grid's, and counts the finished ones.
    out = str(tmp_path / "check.h5")
    merged = run(decaybench, "merge", results, "--grid", grid, "--out", out, check=False)
    assert merged.returncode == 0, merged.stdout + merged.stderr
    declared = [line for line in run(decaybench, "plan", grid, "--show", "0").stdout.splitlines()
                if line.startswith("claims it tests: ")][0].removeprefix("claims it tests: ")
    with h5py.File(results) as f:
        assert f.attrs["complete"] == 1
        stored = f.attrs["claims"]
        assert (stored.decode() if isinstance(stored, bytes) else stored) == declared.replace(", ", ",")


def test_grid_times_sums_the_runs_own_seconds(tmp_path):
    import h5py
    script = os.path.join(ROOT, "experiments", "report", "grid_times.py")
    path = os.path.join(ROOT, "results", "paper", "biases.h5")
    table = subprocess.run([sys.executable, script, "--workers", "4", path], capture_output=True, text=True, check=True).stdout
    row = [line for line in table.splitlines() if line.startswith("| `biases.h5`")][0].split("|")
    with h5py.File(path) as f:
        seconds = float(f["runs"]["seconds"].sum())
        count = len(f["runs"])
    assert int(row[2]) == count and int(row[3]) == count
    assert float(row[4].split()[0]) == pytest.approx(seconds / 60, abs=0.05)
    assert float(row[5].split()[0]) == pytest.approx(seconds / 60 / 4, abs=0.05)


def test_edge_cells_names_the_families_whose_best_cell_is_on_an_edge():
    script = os.path.join(ROOT, "experiments", "report", "edge_cells.py")
    paper = os.path.join(ROOT, "results", "paper")
    lines = subprocess.run([sys.executable, script, os.path.join(paper, "biases.h5"), os.path.join(paper, "generalization.h5")],
                           capture_output=True, text=True, check=True).stdout.splitlines()
    # The README names this one: Adam+L2 with biases decayed, best at lr 3e-3, the grid's smallest.
    assert any(line.startswith("biases.h5: adam l2 paper 60 cosine True: best λ=0.0001 lr=0.003, selection error 0.1818") for line in lines), lines
    assert not any(line.startswith("generalization.h5") for line in lines), lines
