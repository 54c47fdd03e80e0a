"""`kill -9` at random moments, each followed by `--resume`, ends with the file an
uninterrupted run writes; the final write and the journal's removal are hit on purpose."""
import os
import random
import subprocess
import sys
import time

import h5py
import pytest

from conftest import SLOW_GRID, run, write_grid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "Tools"))
from same_results import differences  # noqa: E402

SEED = 20261129       # fixes the kill moments
MAX_KILLS = 30      # random kills until one lands in the final write
TIME_LIMIT = 900      # seconds for the whole loop; a slow machine gets fewer kills, not a hang


def start(decaybench, grid, out, pause_at=None):
    environment = dict(os.environ)
    if pause_at:
        environment.update(DECAYBENCH_PAUSE_AT=pause_at, DECAYBENCH_PAUSE_SECONDS="120")
    return subprocess.Popen([decaybench, "run", grid, "--out", out, "--resume", "--quiet"], env=environment,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def kill_when_paused(process, moment):
    """Kills `process` once it reports that it paused at `moment`; False if it ended first."""
    for line in process.stderr:
        if f"paused at {moment}" in line:
            process.kill()
            process.wait()
            return True
    process.wait()
    return False


def test_random_kills_then_resume_end_identical_to_an_uninterrupted_run(decaybench, tmp_path):
    grid = write_grid(str(tmp_path), SLOW_GRID)
    reference = str(tmp_path / "reference.h5")
    started = time.time()
    run(decaybench, "run", grid, "--out", reference, "--quiet")
    duration = time.time() - started

    out = str(tmp_path / "killed.h5")
    moments = random.Random(SEED)
    deadline = time.time() + TIME_LIMIT
    kills = []
    hit_final_write = False
    # Every process pauses once it reaches the final write, so the kills that come late land
    # inside that short window, which timing alone rarely hits; kills go on until one has.
    while not hit_final_write and len(kills) < MAX_KILLS and time.time() < deadline:
        process = start(decaybench, grid, out, "final-write")
        delay = moments.uniform(0.05, duration * 0.6)
        try:
            process.wait(timeout=delay)
            pytest.fail(f"the run ended instead of pausing: {process.stderr.read()}")
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        kills.append(round(delay, 2))
        hit_final_write = any(n.startswith("killed.h5.tmp-") for n in os.listdir(tmp_path))
    hit_cleanup = kill_when_paused(start(decaybench, grid, out, "cleanup"), "cleanup")
    result = run(decaybench, "run", grid, "--out", out, "--resume", "--quiet")

    print(f"uninterrupted run {duration:.1f} s; {len(kills)} kills at {kills} s, the last in the final write; "
          f"one during the journal's removal")
    assert kills, "at least one run was killed"
    assert hit_final_write, f"a kill landed in the final write (kills at {kills} s)"
    assert hit_cleanup, "killed while the journal was being removed"
    assert "left unchanged" in result.stdout
    assert not os.path.exists(out + ".parts")
    assert [n for n in os.listdir(tmp_path) if ".tmp-" in n] == [], "no temporary file is left"
    with h5py.File(out) as f:
        assert f.attrs["complete"] == 1
    assert differences(out, reference, set()) == [], f"kills at {kills} s"
