"""experiments/nightly/nightly.sh: first night, a regression, a failed night, a good night;
the last good file changes only on a good night and the history gets one line per night."""
import hashlib
import os
import signal
import socket
import subprocess
import time

import h5py

from conftest import SLOW_GRID, SMALL_GRID, write_grid

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "experiments", "nightly", "nightly.sh")


def night(decaybench, directory, date, grid, **extra):
    environment = dict(os.environ, DECAYBENCH=decaybench, GRID=grid, JOBS="2", NIGHT=date, THRESHOLD_ABS="0.001", **extra)
    return subprocess.run([SCRIPT, directory], capture_output=True, text=True, env=environment, timeout=600)


def digest(path):
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def worsened(decaybench, grid, path, by=0.2):
    """The grid's results at `path`, with every finished run's test error and loss raised by
    `by`: a regression of the same grid, as another build would compute it."""
    subprocess.run([decaybench, "run", grid, "--out", path, "--quiet"], check=True, capture_output=True)
    with h5py.File(path, "r+") as f:
        for name in ("test_error", "test_loss"):
            f["curves"][name][...] = f["curves"][name][...] + by


def test_nights_keep_the_last_good_file_and_a_history(decaybench, tmp_path):
    good = write_grid(str(tmp_path), SMALL_GRID, name="good.yaml")
    # One epoch instead of four: the same cells (matched by coordinates, since keys change) of another grid.
    other = write_grid(str(tmp_path), SMALL_GRID.replace("epochs: 4", "epochs: 1"), name="other.yaml")
    broken = write_grid(str(tmp_path), "name: broken\n", name="broken.yaml")
    results = str(tmp_path / "nightly")
    last_good = os.path.join(results, "last-good.h5")

    first = night(decaybench, results, "2026-01-01", good)
    assert first.returncode == 0, first.stderr
    assert digest(last_good) == digest(os.path.join(results, "2026-01-01.h5"))
    kept = digest(last_good)

    # Tonight's file exists already (a rerun the same day resumes it): worse, same grid.
    worsened(decaybench, good, os.path.join(results, "2026-01-02.h5"))
    regression = night(decaybench, results, "2026-01-02", good)
    assert regression.returncode == 3, regression.stdout + regression.stderr
    report = open(os.path.join(results, "2026-01-02.compare.md")).read()
    assert "**Regression**" in report and "Runs matched by key: 16" in report
    assert digest(last_good) == kept

    # Another grid is not compared like for like, even where no cell got worse: it passed as
    # 'ok' and replaced last-good.
    changed = night(decaybench, results, "2026-01-03", other)
    assert changed.returncode == 3, changed.stdout + changed.stderr
    assert "grid differs from last-good's" in changed.stdout
    assert digest(last_good) == kept

    failed = night(decaybench, results, "2026-01-04", broken)
    assert failed.returncode == 1
    assert digest(last_good) == kept

    better = night(decaybench, results, "2026-01-05", good)
    assert better.returncode == 0, better.stdout + better.stderr
    assert digest(last_good) == digest(os.path.join(results, "2026-01-05.h5"))

    lines = [line.split("\t") for line in open(os.path.join(results, "history.tsv")).read().splitlines()]
    assert lines[0] == ["date", "commit", "status", "regressions", "file"]
    assert [(line[0], line[2]) for line in lines[1:]] == [
        ("2026-01-01", "first"), ("2026-01-02", "regression"), ("2026-01-03", "grid-changed"),
        ("2026-01-04", "run-failed"), ("2026-01-05", "ok")]
    assert int(lines[2][3]) > 0 and lines[5][3] == "0"


def test_a_failed_copy_to_last_good_is_a_failed_night_not_a_pass(decaybench, tmp_path):
    # cp on a full disk: the night was recorded 'first' (or 'ok'), exit 0, and left a partial
    # last-good.h5.tmp; after a 'first', every later night was 'first' again.
    grid = write_grid(str(tmp_path), SMALL_GRID, name="good.yaml")
    tools = tmp_path / "tools"
    tools.mkdir()
    (tools / "cp").write_text('#!/bin/sh\ncase "$2" in *last-good.h5.tmp) head -c 100 "$1" > "$2"; '
                              'echo "cp: No space left on device" >&2; exit 1;; esac\nexec /bin/cp "$@"\n')
    (tools / "cp").chmod(0o755)
    results = str(tmp_path / "nightly")
    full = dict(PATH=f"{tools}:{os.environ['PATH']}")
    first = night(decaybench, results, "2026-01-01", grid, **full)
    assert first.returncode == 1, first.stdout + first.stderr
    assert "promote-failed" in first.stdout
    assert sorted(name for name in os.listdir(results) if name.startswith("last-good")) == []
    second = night(decaybench, results, "2026-01-02", grid)
    assert second.returncode == 0 and "first" in second.stdout, second.stdout + second.stderr
    assert digest(os.path.join(results, "last-good.h5")) == digest(os.path.join(results, "2026-01-02.h5"))


def test_a_removed_last_good_and_a_backfilled_night_never_replace_the_baseline_in_silence(decaybench, tmp_path):
    grid = write_grid(str(tmp_path), SMALL_GRID, name="good.yaml")
    results = str(tmp_path / "nightly")
    last_good = os.path.join(results, "last-good.h5")
    os.mkdir(results)
    lock = os.path.join(results, ".last-good.lock")
    with open(lock, "w") as handle:   # the lock's name, a user's file: locked, never emptied
        handle.write("mine\n")
    assert night(decaybench, results, "2026-03-02", grid).returncode == 0
    # A backfill of an older night passes, but last-good keeps the newer night.
    backfill = night(decaybench, results, "2026-03-01", grid)
    assert backfill.returncode == 0, backfill.stdout + backfill.stderr
    assert "does not replace it" in backfill.stdout
    assert open(os.path.join(results, "last-good.night")).read().strip() == "2026-03-02"
    # last-good.h5 deleted: it was 'first' again, exit 0, as if no night had passed.
    os.remove(last_good)
    missing = night(decaybench, results, "2026-03-03", grid)
    assert missing.returncode == 1 and "baseline-missing" in missing.stdout, missing.stdout + missing.stderr
    assert not os.path.exists(last_good)
    restarted = night(decaybench, results, "2026-03-03", grid, NEW_BASELINE="1")
    assert restarted.returncode == 0 and "first" in restarted.stdout, restarted.stdout + restarted.stderr
    assert open(os.path.join(results, "last-good.night")).read().strip() == "2026-03-03"
    assert open(lock).read() == "mine\n"


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


def test_a_killed_night_is_recorded_as_interrupted_by_the_next_one(decaybench, tmp_path):
    # kill -9 (or a reboot) during a night left no line in history.tsv: the night was missing
    # from the one file a person reads, with nothing to say it had started.
    slow = write_grid(str(tmp_path), SLOW_GRID, name="slow.yaml")
    small = write_grid(str(tmp_path), SMALL_GRID, name="small.yaml")
    results = str(tmp_path / "nightly")
    history = os.path.join(results, "history.tsv")
    environment = dict(os.environ, DECAYBENCH=decaybench, GRID=slow, JOBS="1", NIGHT="2026-02-01")
    killed = subprocess.Popen([SCRIPT, results], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env=environment, start_new_session=True)
    marker = os.path.join(results, ".night-2026-02-01.running")
    deadline = time.monotonic() + 60
    while not os.path.exists(os.path.join(results, "2026-02-01.h5.parts")) and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(killed.pid, signal.SIGKILL)   # the script and its decaybench
    killed.wait()
    assert os.path.exists(marker)
    assert open(history).read().count("\n") == 1, "only the header: the killed night recorded nothing"

    # A night still running (this test's own process stands for it) is left alone, and so is
    # a night another host started less than a day ago; one it started two days ago is gone.
    host = socket.gethostname()
    running = os.path.join(results, ".night-2026-02-02.running")
    with open(running, "w") as handle:
        handle.write(f"{os.getpid()} abc1234 {host}\n")
    elsewhere = os.path.join(results, ".night-2026-01-30.running")
    with open(elsewhere, "w") as handle:
        handle.write(f"{os.getpid()} abc1234 another-node\n")
    lost = os.path.join(results, ".night-2026-01-29.running")
    with open(lost, "w") as handle:
        handle.write(f"{os.getpid()} def5678 another-node\n")
    two_days_ago = time.time() - 2 * 86400
    os.utime(lost, (two_days_ago, two_days_ago))
    # A marker whose process id is not one is gone too (`kill -0 0` would ask the whole group).
    garbled = os.path.join(results, ".night-2026-01-28.running")
    with open(garbled, "w") as handle:
        handle.write(f"0 0123abc {host}\n")

    following = night(decaybench, results, "2026-02-03", small)
    assert following.returncode == 0, following.stdout + following.stderr
    assert "nightly 2026-02-01: interrupted" in following.stdout
    lines = [line.split("\t") for line in open(history).read().splitlines()[1:]]
    assert sorted((line[0], line[2], line[4]) for line in lines[:-1]) == [
        ("2026-01-28", "interrupted", "2026-01-28.h5"), ("2026-01-29", "interrupted", "2026-01-29.h5"),
        ("2026-02-01", "interrupted", "2026-02-01.h5")]
    commits = {line[0]: line[1] for line in lines}
    assert commits["2026-01-28"] == "0123abc" and commits["2026-01-29"] == "def5678"
    checkout = subprocess.run(["git", "-C", os.path.dirname(SCRIPT), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True).stdout.strip()
    assert commits["2026-02-01"].startswith(checkout or "unknown"), "the killed night's commit, from its marker"
    assert (lines[-1][0], lines[-1][2]) == ("2026-02-03", "first")
    assert not any(os.path.exists(path) for path in (marker, lost, garbled))
    assert os.path.exists(running) and os.path.exists(elsewhere)
    assert not os.path.exists(os.path.join(results, ".night-2026-02-03.running")), "a night that recorded its status"

    # A second start of a night that is still running (cron, then the same night by hand) stops
    # before it writes: the running night keeps its marker, and history.tsv gets no line.
    before = open(history).read()
    again = night(decaybench, results, "2026-02-02", small)
    assert again.returncode == 1, again.stdout + again.stderr
    assert f"nightly 2026-02-02: already running (process {os.getpid()} on {host})" in again.stdout
    assert open(running).read() == f"{os.getpid()} abc1234 {host}\n"
    assert open(history).read() == before
    assert not os.path.exists(os.path.join(results, "2026-02-02.h5"))


def test_a_night_that_cannot_write_its_marker_or_its_history_says_so_and_loses_no_night(decaybench, tmp_path):
    # Both writes went unchecked: a full disk (or a directory of the marker's name) let a night
    # run without its marker, so a kill went unrecorded, and a status line that could not be
    # appended was lost while the script still printed the status and exited 0.
    small = write_grid(str(tmp_path), SMALL_GRID, name="small.yaml")
    results = str(tmp_path / "nightly")
    os.makedirs(results)
    history = os.path.join(results, "history.tsv")

    def refused(date, blocked, message):
        """A directory of the name the night must write: it does not start, and the directory stays."""
        os.mkdir(blocked)
        result = night(decaybench, results, date, small)
        assert result.returncode == 1, result.stdout + result.stderr
        assert message in result.stdout
        assert os.path.isdir(blocked)
        assert not os.path.exists(os.path.join(results, f"{date}.h5"))
        os.rmdir(blocked)

    refused("2026-03-01", history, f"nightly 2026-03-01: cannot write {history}; not started")
    marker = os.path.join(results, ".night-2026-03-02.running")
    refused("2026-03-02", marker, f"nightly 2026-03-02: cannot write its marker {marker}; not started")
    assert open(history).read().count("\n") == 1, "only the header"

    # The night runs, then its line cannot be appended (history.tsv turns into a directory while
    # it runs): it fails and keeps its marker, and the next night records it as interrupted.
    wrapper = tmp_path / "decaybench-then-full"
    wrapper.write_text(f'#!/bin/sh\n"{decaybench}" "$@"; status=$?\n'
                       f'if [ "$1" = run ]; then mv "{history}" "{history}.saved" && mkdir "{history}"; fi\n'
                       'exit $status\n')
    wrapper.chmod(0o755)
    lost = night(str(wrapper), results, "2026-03-03", small)
    assert lost.returncode == 1, lost.stdout + lost.stderr
    assert "nightly 2026-03-03: first (0 regressions)" in lost.stdout
    assert f"nightly 2026-03-03: could not append its line to {history}; it will be recorded as interrupted" in lost.stdout
    assert os.path.exists(os.path.join(results, ".night-2026-03-03.running"))
    os.rmdir(history)
    os.rename(history + ".saved", history)

    # Its file had already become last-good (that copy succeeded), so the next night compares with it.
    following = night(decaybench, results, "2026-03-04", small)
    assert following.returncode == 0, following.stdout + following.stderr
    lines = [line.split("\t") for line in open(history).read().splitlines()[1:]]
    assert [(line[0], line[2]) for line in lines] == [("2026-03-03", "interrupted"), ("2026-03-04", "ok")]
    assert not os.path.exists(os.path.join(results, ".night-2026-03-03.running"))
