"""A real single-node Slurm: a 4-shard job array and its merge give the numbers of a local run.

Tests/Slurm/start.sh starts the cluster (installing slurm-wlm and munge when missing); where
it cannot (not root, packages not installable) the test is skipped with that reason."""
import os
import re
import signal
import subprocess
import sys
import time

import pytest

from conftest import SLOW_GRID, SMALL_GRID, run, wait_for_shards, write_grid

HERE = os.path.dirname(os.path.abspath(__file__))
START = os.path.join(HERE, "..", "Slurm", "start.sh")
STOP = os.path.join(HERE, "..", "Slurm", "stop.sh")
SAME_RESULTS = os.path.join(HERE, "..", "Tools", "same_results.py")
CANNOT_START = 2  # start.sh's exit status when Slurm cannot run here


@pytest.fixture(scope="module")
def slurm(tmp_path_factory):
    """SLURM_CONF of a running single-node cluster; stopped (scontrol shutdown, munged killed) afterwards."""
    if os.geteuid() != 0:
        pytest.skip("Slurm cannot start here: not root (slurmd and munged need root)")
    state = str(tmp_path_factory.mktemp("slurm"))
    started = subprocess.run([START, state], capture_output=True, text=True, timeout=600)
    if started.returncode == CANNOT_START:
        pytest.skip("Slurm cannot start here: " + started.stderr.strip().splitlines()[-1])
    try:
        assert started.returncode == 0, f"start.sh failed:\n{started.stdout}\n{started.stderr}"
        yield os.path.join(state, "slurm.conf")
    finally:
        subprocess.run([STOP, state], capture_output=True, timeout=120)


def wait_for_jobs(jobs, environment, timeout=300):
    """Polls squeue (sbatch --wait polls only every 10 s) until none of `jobs` is queued or running."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        queued = subprocess.run(["squeue", "-h", "-j", ",".join(jobs), "-o", "%i %T %r"],
                                capture_output=True, text=True, env=environment)
        if queued.returncode == 0 and not queued.stdout.strip():
            return
        time.sleep(0.5)
    pytest.fail(f"jobs {jobs} still queued after {timeout} s:\n{queued.stdout}")


def test_a_job_array_and_its_merge_equal_a_local_run(decaybench, slurm, tmp_path):
    environment = dict(os.environ, SLURM_CONF=slurm)
    grid = write_grid(str(tmp_path), SMALL_GRID)
    local = str(tmp_path / "local.h5")
    run(decaybench, "run", grid, "--out", local, "--jobs", "2", "--quiet")

    # A space, an apostrophe and a percent sign, which #SBATCH lines and sbatch's file-name
    # patterns would otherwise cut or replace: the logs must land in this very directory.
    sweep = str(tmp_path / "Bob's sweep 100%a")
    submitted = run(decaybench, "slurm", grid, "--shards", "4", "--out", sweep, "--cpus-per-task", "1", "--submit",
                    env=environment)
    match = re.search(r"submitted array job (\d+) \(4 tasks\) and merge job (\d+)", submitted.stdout)
    assert match, submitted.stdout
    wait_for_jobs(list(match.groups()), environment)

    logs = {name: open(os.path.join(sweep, "logs", name)).read() for name in sorted(os.listdir(os.path.join(sweep, "logs")))}
    assert sorted(logs) == ["merge.out", "shard-1.out", "shard-2.out", "shard-3.out", "shard-4.out"], logs
    merged = os.path.join(sweep, "merged.h5")
    assert os.path.exists(merged), logs
    compared = subprocess.run([sys.executable, SAME_RESULTS, local, merged], capture_output=True, text=True)
    assert compared.returncode == 0, compared.stdout

    status = run(decaybench, "status", sweep)
    assert "16 of 16 runs have a result; 4 of 4 shards done" in status.stdout


def test_an_interrupted_shard_resubmitted_alone_resumes(decaybench, slurm, tmp_path):
    environment = dict(os.environ, SLURM_CONF=slurm)
    grid = write_grid(str(tmp_path), SLOW_GRID)
    sweep = str(tmp_path / "sweep")
    run(decaybench, "slurm", grid, "--shards", "2", "--out", sweep, env=environment)
    # Shard 2 stops part-way, as a preempted task does (SIGTERM): it keeps what finished.
    shard = os.path.join(sweep, "shard-2.h5")
    process = subprocess.Popen([decaybench, "run", os.path.join(sweep, "grid.yaml"), "--shard", "2/2", "--out", shard,
                                "--jobs", "1", "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wait_for_shards(shard + ".parts", 2, process)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=120) == 130
    before = run(decaybench, "status", sweep, "--shards", "2").stdout
    assert re.search(r"2/2\s+6\s+[2-5]\s+0\s+0\s+[1-4]\s+stopped", before), before
    assert "sbatch --array=2 " in before, before

    array = subprocess.run(["sbatch", "--parsable", "--array=2", os.path.join(sweep, "shards.sbatch")],
                           capture_output=True, text=True, env=environment)
    assert array.returncode == 0, array.stderr
    wait_for_jobs([array.stdout.strip().split(";")[0]], environment)
    log = open(os.path.join(sweep, "logs", "shard-2.out")).read()
    assert re.search(r"resuming: [2-5] of 6 runs already finished", log), log
    assert not os.path.exists(os.path.join(sweep, "logs", "shard-1.out"))
    status = run(decaybench, "status", sweep).stdout
    assert re.search(r"2/2\s+6\s+6\s+0\s+0\s+0\s+done", status), status
    assert re.search(r"1/2\s+6\s+0\s+0\s+0\s+6\s+not started", status), status


def sbatch(environment, *arguments):
    submitted = subprocess.run(["sbatch", "--parsable", *arguments], capture_output=True, text=True, env=environment)
    assert submitted.returncode == 0, submitted.stderr
    return submitted.stdout.strip().split(";")[0]


def test_after_a_failed_array_the_merge_leaves_the_queue_and_a_resubmission_completes(decaybench, slurm, tmp_path):
    environment = dict(os.environ, SLURM_CONF=slurm)
    grid = write_grid(str(tmp_path), SMALL_GRID)
    local = str(tmp_path / "local.h5")
    run(decaybench, "run", grid, "--out", local, "--jobs", "2", "--quiet")
    sweep = str(tmp_path / "sweep")
    run(decaybench, "slurm", grid, "--shards", "2", "--out", sweep, env=environment)
    copy = os.path.join(sweep, "grid.yaml")
    kept = open(copy).read()
    with open(copy, "w") as handle:  # every task fails on an unreadable grid
        handle.write("name: [broken\n")
    array = sbatch(environment, os.path.join(sweep, "shards.sbatch"))
    merge = sbatch(environment, f"--dependency=afterok:{array}", os.path.join(sweep, "merge.sbatch"))
    wait_for_jobs([array, merge], environment)  # returns only if the merge left the queue too
    assert not os.path.exists(os.path.join(sweep, "merged.h5"))
    for index in (1, 2):
        assert "YAML syntax error" in open(os.path.join(sweep, "logs", f"shard-{index}.out")).read()

    with open(copy, "w") as handle:
        handle.write(kept)
    array = sbatch(environment, os.path.join(sweep, "shards.sbatch"))
    merge = sbatch(environment, f"--dependency=afterok:{array}", os.path.join(sweep, "merge.sbatch"))
    wait_for_jobs([array, merge], environment)
    compared = subprocess.run([sys.executable, SAME_RESULTS, local, os.path.join(sweep, "merged.h5")],
                              capture_output=True, text=True)
    assert compared.returncode == 0, compared.stdout


def test_an_out_that_is_not_a_directory_or_cannot_be_written_into_a_script_is_an_input_error(decaybench, tmp_path):
    grid = write_grid(str(tmp_path), SMALL_GRID)
    a_file = tmp_path / "grid.h5"
    a_file.write_text("not a sweep")
    refusals = {
        str(a_file): f"--out: {a_file} exists and is not a directory; give a directory for the sweep",
        "/proc/self/sweep": "--out: cannot make the directory /proc/self/sweep: /proc/self is not a writable directory",
        str(tmp_path / "line\nbreak"): f"--out: the sweep's path {tmp_path}/line\\nbreak holds \\n, which an #SBATCH line cannot carry",
        str(tmp_path / 'a"quote'): f"--out: the sweep's path {tmp_path}/a\\\"quote holds \\\", which an #SBATCH line cannot carry",
    }
    for out, message in refusals.items():
        result = run(decaybench, "slurm", grid, "--shards", "2", "--out", out, check=False)
        assert result.returncode == 2, (out, result.stderr)
        assert message in result.stderr, (out, result.stderr)
        assert "NSCocoaErrorDomain" not in result.stderr
    assert a_file.read_text() == "not a sweep"
    assert not os.path.exists(tmp_path / "line\nbreak") and not os.path.exists(tmp_path / 'a"quote')


def test_the_scripts_quote_a_log_path_with_spaces_and_keep_its_percent_signs(decaybench, tmp_path):
    grid = write_grid(str(tmp_path), SMALL_GRID)
    sweep = tmp_path / "my sweep 100%j"
    run(decaybench, "slurm", grid, "--shards", "2", "--out", str(sweep))
    headers = {name: [line for line in (sweep / name).read_text().splitlines() if line.startswith("#SBATCH --output=")]
               for name in ("shards.sbatch", "merge.sbatch")}
    assert headers == {
        "shards.sbatch": [f'#SBATCH --output="{tmp_path}/my sweep 100%%j/logs/shard-%a.out"'],
        "merge.sbatch": [f'#SBATCH --output="{tmp_path}/my sweep 100%%j/logs/merge.out"'],
    }
