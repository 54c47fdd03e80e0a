"""`decaybench claims` and `decaybench report`: missing claims listed as "not run", a report
that renders from a small grid with real PNG images of the stated size, and a clear message
when Python lacks what the figures need."""
import json
import os
import re
import struct
import subprocess
import sys

import pytest

from conftest import SMALL_GRID, run, write_grid


# The interoperability grid with a third λ per family, so every kind of figure has data.
# A validation split, so cells are chosen on it and the report draws both splits.
REPORT_GRID = (SMALL_GRID.replace("l2: [0, 0.001]", "l2: [0, 0.001, 0.01]").replace("decoupled: [0.01, 0.1]", "decoupled: [0.01, 0.1, 1]")
               .replace("noise: 1.0}", "noise: 1.0, validation_fraction: 0.2}", 1))


@pytest.fixture(scope="module")
def small_results(decaybench, tmp_path_factory):
    directory = tmp_path_factory.mktemp("report")
    grid = write_grid(str(directory), REPORT_GRID)
    results = os.path.join(str(directory), "small.h5")
    run(decaybench, "run", grid, "--out", results, "--jobs", "2", "--quiet")
    return results


def png_size(path):
    """Width and height from a PNG's IHDR chunk, after checking the signature."""
    with open(path, "rb") as handle:
        header = handle.read(24)
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG file"
    assert header[12:16] == b"IHDR", f"{path} lacks an IHDR chunk"
    return struct.unpack(">II", header[16:24])


def test_claims_lists_claims_without_runs_as_not_run(decaybench, small_results, tmp_path):
    result = run(decaybench, "claims", small_results, "--out", str(tmp_path))
    claims = json.load(open(tmp_path / "claims.json"))["claims"]
    by_id = {}
    for claim in claims:
        by_id.setdefault(claim["id"], []).append(claim)
    # The small grid has Adam+L2 and AdamW but no SGD, no stored-tensor pairs at matching λ,
    # no warm restarts.
    for missing in ["equivalence-sgd", "warm-restarts-anytime", "normalized-decay", "norm-ball-ridge"]:
        assert [c["verdict"] for c in by_id[missing]] == ["not run"], missing
        assert re.search(rf"^{missing}\s.*not run$", result.stdout, re.M), result.stdout
    # It does speak to the generalization claim, chosen on the validation split.
    assert by_id["generalization-adamw"][0]["verdict"] in {"reproduced", "not reproduced", "inconclusive"}
    assert by_id["generalization-adamw"][0]["selected_on"] == "validation"
    assert "(selected on the test split)" not in result.stdout
    assert "## generalization-adamw" in open(tmp_path / "claims.md").read()


def test_report_renders_with_real_images_of_the_stated_size(decaybench, small_results, tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "report"
    run(decaybench, "report", small_results, "--out", str(out))
    figures = json.load(open(out / "figures.json"))
    names = {figure["name"] for figure in figures}
    assert {"small-heatmaps-validation-0", "small-heatmaps-test-0", "small-curves", "small-lambda"} <= names, names
    for figure in figures:
        assert png_size(out / figure["png"]) == (figure["width"], figure["height"])
        assert figure["width"] >= 400 and figure["height"] >= 300
        svg = open(out / figure["svg"]).read()
        assert "<svg" in svg and "</svg>" in svg
    html = open(out / "report.html").read()
    markdown = open(out / "report.md").read()
    for figure in figures:
        assert figure["svg"] in html and figure["png"] in markdown
    # Opens offline: nothing is fetched from the network.
    assert not re.search(r"(src|href)=['\"]https?://", html)
    assert "generalization-adamw" in html and "not run" in html


def test_report_names_the_missing_python_packages(decaybench, small_results, tmp_path):
    # A Python without site-packages has neither matplotlib nor h5py.
    python = tmp_path / "bare-python"
    python.write_text("#!/bin/sh\nexec python3 -S \"$@\"\n")
    python.chmod(0o755)
    result = run(decaybench, "report", small_results, "--out", str(tmp_path / "report"), "--python", str(python), check=False)
    assert result.returncode != 0
    assert "matplotlib" in result.stderr and "h5py" in result.stderr
    assert "make python-packages" in result.stderr
    assert not (tmp_path / "report" / "report.html").exists()


def test_a_figure_script_that_writes_no_pages_fails_the_report(decaybench, small_results, tmp_path):
    # It exits 0 but writes nothing: the report was announced done with neither page.
    quiet = tmp_path / "quiet.py"
    quiet.write_text("import sys\n")
    result = run(decaybench, "report", small_results, "--out", str(tmp_path / "report"), "--script", str(quiet), check=False)
    assert result.returncode == 1, (result.returncode, result.stderr[-500:])
    assert "did not write" in result.stderr and "report.md" in result.stderr and "report.html" in result.stderr


def test_edge_cells_reads_a_grid_without_a_validation_split(decaybench, tmp_path):
    grid = write_grid(str(tmp_path), SMALL_GRID)
    out = str(tmp_path / "small.h5")
    run(decaybench, "run", grid, "--out", out, "--jobs", "2", "--quiet")
    script = os.path.join(os.path.dirname(__file__), "..", "..", "experiments", "report", "edge_cells.py")
    result = subprocess.run([sys.executable, script, out], capture_output=True, text=True)
    # Chosen on test error there (no validation split): every line has a finite selection error.
    assert result.returncode == 0, result.stderr
    for line in result.stdout.splitlines():
        assert line == "every family's best cell is inside its grid" or ("selection error 0." in line and "nan" not in line), line
