"""What the commands that read results say when their input is odd: files with nothing in
common, one seed, one file given twice, figures of two files with one name, odd file names,
a pending run, an ambiguous key, a --reuse file that gives nothing, a long output name."""
import html.parser
import os
import shutil
import subprocess
from urllib.parse import unquote

import pytest

from conftest import SMALL_GRID, grid_results, run, write_grid

BAD_INPUT, BAD_OUTCOME = 2, 3


@pytest.fixture(scope="module")
def small(decaybench, tmp_path_factory):
    return grid_results(decaybench, tmp_path_factory, SMALL_GRID, "reading")


def other_results(decaybench, directory, name="other.h5", seeds="[0, 1]"):
    text = SMALL_GRID.replace("samples: 300", "samples: 301").replace("seeds: [0, 1]", f"seeds: {seeds}")
    out = str(directory / name)
    run(decaybench, "run", write_grid(str(directory), text, name=name + ".yaml"), "--out", out, "--quiet")
    return out


def test_compare_of_files_with_no_run_in_common_compared_nothing(decaybench, small, tmp_path):
    # Other data (keys differ) and other learning rates (coordinates differ): nothing matches.
    other = str(tmp_path / "other.h5")
    text = SMALL_GRID.replace("samples: 300", "samples: 301").replace("lr: [0.01, 0.03]", "lr: [0.02]")
    run(decaybench, "run", write_grid(str(tmp_path), text), "--out", other, "--quiet")
    result = run(decaybench, "compare", small, other, "--json", str(tmp_path / "c.json"), check=False)
    assert result.returncode == BAD_OUTCOME, result.stdout[-800:]      # was 0, "No regression"
    assert "**Nothing compared**" in result.stdout
    # ... and says why: the settings in which the two grids differ.
    assert "The grids differ in 2 settings:" in result.stdout
    assert "- dataset.samples: 300 in the baseline, 301 in the new file" in result.stdout
    assert "- grid.lr: [0.01,0.03] in the baseline, [0.02] in the new file" in result.stdout
    import json
    report = json.load(open(tmp_path / "c.json"))
    assert report["compared_nothing"] is True
    assert report["grid_differences"] == ["dataset.samples: 300 in the baseline, 301 in the new file",
                                          "grid.lr: [0.01,0.03] in the baseline, [0.02] in the new file"]
    same = run(decaybench, "compare", small, small, "--json", str(tmp_path / "same.json"))
    assert "The grids differ" not in same.stdout
    assert json.load(open(tmp_path / "same.json"))["grid_differences"] == []


def test_compare_with_one_seed_says_what_it_cannot_flag(decaybench, tmp_path):
    one = other_results(decaybench, tmp_path, "one.h5", "[0]")
    worse = str(tmp_path / "worse.h5")
    text = SMALL_GRID.replace("samples: 300", "samples: 301").replace("seeds: [0, 1]", "seeds: [0]").replace("epochs: 4", "epochs: 1")
    run(decaybench, "run", write_grid(str(tmp_path), text, name="worse.yaml"), "--out", worse, "--quiet")
    result = run(decaybench, "compare", one, worse, check=False)
    assert "could not be flagged**: their baseline has one seed" in result.stdout, result.stdout[:800]
    flagged = run(decaybench, "compare", one, worse, "--threshold-abs", "0.001", check=False)
    assert "could not be flagged" not in flagged.stdout


def test_claims_refuse_one_file_given_twice(decaybench, small, tmp_path):
    link = tmp_path / "link.h5"
    link.symlink_to(small)
    for second in [small, "./" + os.path.relpath(small), str(link)]:
        result = run(decaybench, "claims", small, second, check=False)
        assert result.returncode == BAD_INPUT and "are the same file" in result.stderr, (second, result.stderr[-500:])


class Sources(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.sources = []

    def handle_starttag(self, tag, attributes):
        self.sources += [value for name, value in attributes if name in ("src", "href") and value]


def test_report_keeps_the_figures_of_two_files_of_one_name_and_quotes_odd_names(decaybench, small, tmp_path):
    first, second = tmp_path / "a", tmp_path / "b c"
    first.mkdir()
    second.mkdir()
    shutil.copy(small, first / "res.h5")
    shutil.copy(other_results(decaybench, tmp_path), second / "it's #1.h5")
    shutil.copy(small, second / "res.h5")
    out = tmp_path / "report"
    run(decaybench, "report", str(first / "res.h5"), str(second / "res.h5"), str(second / "it's #1.h5"), "--out", str(out))
    pngs = sorted(name for name in os.listdir(out) if name.endswith(".png"))
    assert any(name.startswith("res-2-") for name in pngs), pngs          # the second res.h5 drew over the first
    assert any(name.startswith("it's #1-") for name in pngs), pngs
    parser = Sources()
    parser.feed((out / "report.html").read_text())
    figures = [source for source in parser.sources if source.endswith((".svg", ".png"))]
    assert figures and all((out / unquote(source)).exists() for source in figures), figures
    markdown = (out / "report.md").read_text()
    assert "](it%27s%20%231-" in markdown


def test_rerun_of_a_pending_run_says_so(decaybench, tmp_path):
    grid = write_grid(str(tmp_path), SMALL_GRID)
    shard = str(tmp_path / "shard-1.h5")
    run(decaybench, "run", grid, "--shard", "1/2", "--out", shard, "--quiet")
    merged = str(tmp_path / "merged.h5")
    run(decaybench, "merge", shard, "--out", merged, check=False)   # half the runs pending
    result = run(decaybench, "inspect", merged)
    pending = [line.split()[1] for line in result.stdout.splitlines() if " pending" in line and line.split()[:1] != ["status:"]]
    assert pending, result.stdout[-1500:]
    rerun = run(decaybench, "rerun", merged, "--key", pending[0][:8], check=False)
    assert rerun.returncode == BAD_INPUT and "is pending" in rerun.stderr, (rerun.returncode, rerun.stdout[-500:], rerun.stderr[-500:])


def test_an_ambiguous_key_lists_the_runs_it_matches(decaybench, small):
    import h5py
    with h5py.File(small) as f:
        keys = [key.decode() for key in f["runs"]["key"]]
    prefix = next(k[0] for k in keys if sum(other.startswith(k[0]) for other in keys) > 1)
    for command in (["inspect", small, "--key", prefix], ["rerun", small, "--key", prefix]):
        result = run(decaybench, *command, check=False)
        assert result.returncode == BAD_INPUT, (command, result.returncode)
        assert "whose keys begin with" in result.stderr and "give more of the key" in result.stderr, result.stderr[-500:]


def test_a_reuse_file_that_gives_nothing_is_said(decaybench, small, tmp_path):
    grid = write_grid(str(tmp_path), SMALL_GRID.replace("samples: 300", "samples: 302"))
    result = run(decaybench, "run", grid, "--out", str(tmp_path / "r.h5"), "--reuse", small)
    assert f"reusing no run of {small}" in result.stderr + result.stdout


def test_a_file_name_too_long_for_the_files_beside_it_is_refused_before_training(decaybench, small, tmp_path):
    name = "b" * 243 + ".h5"   # fits the file system, but NAME.tmp-PID and NAME.lock.tmp-PID do not
    train = run(decaybench, "train", "--dataset", "synthetic-classification", "--samples", "100", "--features", "3",
                "--hidden", "4", "--epochs", "1", "--out", str(tmp_path / name), check=False)
    assert train.returncode == BAD_INPUT and "is 246 bytes; at most 238" in train.stderr, train.stderr[-500:]
    assert "epoch" not in train.stdout, "refused before training"
    rerun = run(decaybench, "rerun", small, "--key", "0", "--out", small, check=False)
    assert rerun.returncode == BAD_INPUT and "--overwrite" not in rerun.stderr, rerun.stderr[-500:]   # rerun has no such flag
