"""experiments/nightly/nightly.sh: first night, a regression, a failed night, a good night;
the last good file changes only on a good night and the history gets one line per night."""
import hashlib
import os
import subprocess

from conftest import SMALL_GRID, write_grid

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "experiments", "nightly", "nightly.sh")


def night(decaybench, directory, date, grid):
    environment = dict(os.environ, DECAYBENCH=decaybench, GRID=grid, JOBS="2", NIGHT=date, THRESHOLD_ABS="0.001")
    return subprocess.run([SCRIPT, directory], capture_output=True, text=True, env=environment, timeout=600)


def digest(path):
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def test_nights_keep_the_last_good_file_and_a_history(decaybench, tmp_path):
    good = write_grid(str(tmp_path), SMALL_GRID, name="good.yaml")
    # One epoch instead of four: the same cells (matched by coordinates, since keys change), worse errors.
    worse = write_grid(str(tmp_path), SMALL_GRID.replace("epochs: 4", "epochs: 1"), name="worse.yaml")
    broken = write_grid(str(tmp_path), "name: broken\n", name="broken.yaml")
    results = str(tmp_path / "nightly")
    last_good = os.path.join(results, "last-good.h5")

    first = night(decaybench, results, "2026-01-01", good)
    assert first.returncode == 0, first.stderr
    assert digest(last_good) == digest(os.path.join(results, "2026-01-01.h5"))
    kept = digest(last_good)

    regression = night(decaybench, results, "2026-01-02", worse)
    assert regression.returncode == 3, regression.stdout + regression.stderr
    report = open(os.path.join(results, "2026-01-02.compare.md")).read()
    assert "**Regression**" in report and "matched by grid coordinates because their keys changed: 16" in report
    assert digest(last_good) == kept

    failed = night(decaybench, results, "2026-01-03", broken)
    assert failed.returncode == 1
    assert digest(last_good) == kept

    better = night(decaybench, results, "2026-01-04", good)
    assert better.returncode == 0, better.stdout + better.stderr
    assert digest(last_good) == digest(os.path.join(results, "2026-01-04.h5"))

    lines = [line.split("\t") for line in open(os.path.join(results, "history.tsv")).read().splitlines()]
    assert lines[0] == ["date", "commit", "status", "regressions", "file"]
    assert [(line[0], line[2]) for line in lines[1:]] == [
        ("2026-01-01", "first"), ("2026-01-02", "regression"), ("2026-01-03", "run-failed"), ("2026-01-04", "ok")]
    assert int(lines[2][3]) > 0 and lines[4][3] == "0"


def test_relative_paths_are_the_callers_and_a_changed_grid_is_not_comparable(decaybench, tmp_path):
    """RESULTS_DIR, GRID and DECAYBENCH were read from the checkout; a baseline of another grid
    compared nothing and was recorded 'ok', replacing last-good."""
    caller = tmp_path / "caller"
    caller.mkdir()
    write_grid(str(caller), SMALL_GRID, name="mine.yaml")
    os.symlink(decaybench, caller / "decaybench")
    environment = dict(os.environ, DECAYBENCH="./decaybench", GRID="mine.yaml", JOBS="2", NIGHT="2026-02-01")
    first = subprocess.run([SCRIPT, "nights"], capture_output=True, text=True, env=environment, timeout=600, cwd=str(caller))
    assert first.returncode == 0, first.stdout + first.stderr
    assert (caller / "nights" / "2026-02-01.h5").exists() and (caller / "nights" / "last-good.h5").exists()
    kept = digest(caller / "nights" / "last-good.h5")
    # Another grid: other data, so no run matches by key or by grid coordinates.
    write_grid(str(caller), SMALL_GRID.replace("name: small", "name: other").replace("samples: 300", "samples: 301")
               .replace("lr: [0.01, 0.03]", "lr: [0.02]"), name="mine.yaml")
    environment["NIGHT"] = "2026-02-02"
    second = subprocess.run([SCRIPT, "nights"], capture_output=True, text=True, env=environment, timeout=600, cwd=str(caller))
    assert second.returncode == 3, second.stdout + second.stderr
    assert "not-comparable" in second.stdout
    assert digest(caller / "nights" / "last-good.h5") == kept
    history = (caller / "nights" / "history.tsv").read_text().splitlines()
    assert [line.split("\t")[2] for line in history[1:]] == ["first", "not-comparable"]
