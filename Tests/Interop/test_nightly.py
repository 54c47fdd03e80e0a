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
