"""Shards of a grid: run out of order and merged, they equal a single-machine run; partial
merges, duplicates, other grids and a shard resumed as another are refused or reported."""
import os
import shutil
import signal
import subprocess
import sys

import h5py
import pytest

from conftest import SLOW_GRID, SMALL_GRID, kill_after_runs, run, wait_for_shards, write_grid

SAME_RESULTS = os.path.join(os.path.dirname(__file__), "..", "Tools", "same_results.py")


def text(value):
    """An HDF5 string attribute or cell as str (h5py gives fixed-length strings as bytes)."""
    return value.decode() if isinstance(value, bytes) else str(value)


def same_results(a, b):
    result = subprocess.run([sys.executable, SAME_RESULTS, a, b], capture_output=True, text=True)
    return result.returncode, result.stdout


@pytest.fixture(scope="module")
def sharded(decaybench, tmp_path_factory):
    """The small grid run whole, and as three shards run in the order 3, 1, 2."""
    directory = tmp_path_factory.mktemp("shards")
    grid = write_grid(str(directory), SMALL_GRID)
    whole = str(directory / "whole.h5")
    run(decaybench, "run", grid, "--out", whole, "--jobs", "2", "--quiet")
    shards = {}
    for index in (3, 1, 2):
        shards[index] = str(directory / f"shard-{index}.h5")
        run(decaybench, "run", grid, "--shard", f"{index}/3", "--out", shards[index], "--jobs", "1", "--quiet")
    return directory, grid, whole, shards


def test_merged_shards_equal_a_single_machine_run(decaybench, sharded):
    directory, _, whole, shards = sharded
    merged = str(directory / "merged.h5")
    result = run(decaybench, "merge", shards[2], shards[3], shards[1], "--out", merged)
    assert "16 of 16 runs from 3 shard files" in result.stdout
    code, report = same_results(whole, merged)
    assert code == 0, report


def test_shards_hold_every_run_once(sharded):
    _, _, whole, shards = sharded
    keys = []
    for index, path in shards.items():
        with h5py.File(path) as f:
            assert text(f.attrs["shard"]) == f"{index}/3"
            keys += [text(k) for k in f["runs"]["key"]]
    with h5py.File(whole) as f:
        assert sorted(keys) == sorted(k.decode() for k in f["runs"]["key"])


def test_every_run_says_where_it_was_computed(sharded):
    _, _, whole, _ = sharded
    with h5py.File(whole) as f:
        runs = f["runs"][()]
        for column, attribute in (("host", "host"), ("blas_core", "blas_core"), ("cpu", "cpu"), ("git_commit", "git_commit")):
            assert {text(value) for value in runs[column]} == {text(f.attrs[attribute])}, column


def test_a_partial_merge_writes_the_missing_runs_pending_and_says_so(decaybench, sharded, tmp_path):
    _, _, _, shards = sharded
    out = str(tmp_path / "partial.h5")
    result = run(decaybench, "merge", shards[1], shards[3], "--out", out, check=False)
    assert result.returncode == 3, "missing runs: the work is incomplete, the input was not wrong"
    with h5py.File(shards[2]) as f:
        missing = sorted(k.decode() for k in f["runs"]["key"])
    assert f"{len(missing)} runs are missing and written as pending" in result.stdout
    for key in missing:
        assert key in result.stdout
    with h5py.File(out) as f:
        assert f.attrs["complete"] == 0
        runs = f["runs"][()]
        pending = sorted(k.decode() for k, s in zip(runs["key"], runs["status"]) if s == b"pending")
    assert pending == missing


def test_a_run_in_two_files_is_refused(decaybench, sharded, tmp_path):
    _, _, _, shards = sharded
    copy = str(tmp_path / "copy.h5")
    with open(shards[1], "rb") as source, open(copy, "wb") as target:
        target.write(source.read())
    result = run(decaybench, "merge", shards[1], copy, "--out", str(tmp_path / "x.h5"), check=False)
    assert result.returncode != 0
    assert "is in both" in result.stderr and copy in result.stderr
    assert not os.path.exists(tmp_path / "x.h5")


def test_a_single_damaged_file_is_named_as_damaged_not_as_two_files(decaybench, sharded, tmp_path):
    """One file used to be reported as 'in both X and X' or as 'another grid than' itself."""
    _, _, _, shards = sharded
    twice, garbage = str(tmp_path / "twice.h5"), str(tmp_path / "garbage.h5")
    for path in (twice, garbage):
        with open(shards[1], "rb") as source, open(path, "wb") as target:
            target.write(source.read())
    with h5py.File(twice, "r+") as f:
        runs = f["runs"][:]
        finished = [i for i, status in enumerate(runs["status"]) if status == b"finished"]
        runs["key"][finished[1]] = runs["key"][finished[0]]
        f["runs"][...] = runs
    with h5py.File(garbage, "r+") as f:
        f.attrs["grid_canonical"] = "{}"
    for path, fragment in [(twice, "twice; the file is damaged"), (garbage, "its grid text and its canonical grid disagree")]:
        result = run(decaybench, "merge", path, "--out", str(tmp_path / "x.h5"), check=False)
        assert result.returncode == 2, (result.returncode, result.stderr[-800:])
        assert fragment in result.stderr and f"{path} and {path}" not in result.stderr, result.stderr[-800:]
    assert not os.path.exists(tmp_path / "x.h5")


def test_shards_of_another_grid_are_refused(decaybench, sharded, tmp_path):
    _, _, _, shards = sharded
    other = write_grid(str(tmp_path), SMALL_GRID.replace("epochs: 4", "epochs: 3"), name="other.yaml")
    other_shard = str(tmp_path / "other-1.h5")
    run(decaybench, "run", other, "--shard", "1/3", "--out", other_shard, "--quiet")
    result = run(decaybench, "merge", shards[1], other_shard, "--out", str(tmp_path / "x.h5"), check=False)
    assert result.returncode != 0
    assert "holds another grid" in result.stderr and "epochs" in result.stderr


def test_a_shard_output_cannot_be_resumed_as_another_shard(decaybench, sharded):
    _, grid, _, shards = sharded
    result = run(decaybench, "run", grid, "--shard", "2/3", "--out", shards[1], "--resume", check=False)
    assert result.returncode != 0
    assert "holds shard 1/3, this run is shard 2/3" in result.stderr


def test_an_interrupted_shard_cannot_be_resumed_as_another(decaybench, tmp_path):
    grid = write_grid(str(tmp_path), SLOW_GRID)
    out = str(tmp_path / "shard-1.h5")
    process = subprocess.Popen([decaybench, "run", grid, "--shard", "1/2", "--out", out, "--jobs", "1", "--quiet"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wait_for_shards(out + ".parts", 1, process)
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=120) == 130
    refused = run(decaybench, "run", grid, "--shard", "2/2", "--out", out, "--resume", check=False)
    assert refused.returncode != 0
    assert "holds shard 1/2, this run is shard 2/2" in refused.stderr
    whole = run(decaybench, "run", grid, "--out", out, "--resume", check=False)
    assert "holds shard 1/2, this run is the whole grid" in whole.stderr


def test_status_shows_each_shards_progress(decaybench, tmp_path):
    grid = write_grid(str(tmp_path), SMALL_GRID)
    run(decaybench, "run", grid, "--shard", "2/4", "--out", str(tmp_path / "shard-2.h5"), "--quiet")
    result = run(decaybench, "status", str(tmp_path), "--grid", grid, "--shards", "4")
    lines = {line.split()[0]: line.split() for line in result.stdout.splitlines() if line.strip()[:1].isdigit() and "/" in line.split()[0]}
    assert lines["2/4"][-1] == "done" and lines["2/4"][5] == "0"
    assert lines["1/4"][-2:] == ["not", "started"]
    assert "4 of 16 runs have a result; 1 of 4 shards done" in result.stdout


def test_status_counts_the_part_files_of_a_shard_in_progress_that_hold_their_own_run(decaybench, tmp_path):
    grid = write_grid(str(tmp_path), SMALL_GRID.replace("epochs: 4", "epochs: 300"))
    out = str(tmp_path / "shard-1.h5")
    kill_after_runs(decaybench, grid, out, 3, "--shard", "1/1", "--jobs", "1")
    parts = sorted(name for name in os.listdir(out + ".parts") if name.endswith(".h5"))
    assert len(parts) >= 3
    with open(os.path.join(out + ".parts", parts[0]), "wb") as damaged:   # cut short: being written
        damaged.write(b"\x89HDF\r\n")
    shutil.copy(os.path.join(out + ".parts", parts[1]), os.path.join(out + ".parts", parts[2]))   # another run's
    result = run(decaybench, "status", str(tmp_path), "--grid", grid, "--shards", "1")
    line = next(line.split() for line in result.stdout.splitlines() if line.strip().startswith("1/1"))
    assert line[2] == str(len(parts) - 2), result.stdout    # finished: neither of the two counts
    assert line[-1] == "stopped"    # killed: no process holds it


def test_status_of_a_shard_being_overwritten_counts_the_new_runs_not_the_old_file(decaybench, tmp_path):
    grid = write_grid(str(tmp_path), SMALL_GRID)
    out = str(tmp_path / "shard-1.h5")
    run(decaybench, "run", grid, "--shard", "1/1", "--out", out, "--quiet")   # last night's shard
    parts = out + ".parts"
    os.mkdir(parts)   # tonight's --overwrite, stopped before its first run was saved
    with open(os.path.join(parts, "shard"), "w") as marker:
        marker.write("1/1")
    with open(os.path.join(parts, "replaces-results"), "w") as marker:
        marker.write("these runs replace the results file once all of them have finished\n")
    with h5py.File(out) as f:
        canonical = f.attrs["grid_canonical"]
    with open(os.path.join(parts, "grid.canonical"), "w") as manifest:
        manifest.write(canonical.decode() if isinstance(canonical, bytes) else canonical)
    result = run(decaybench, "status", str(tmp_path), "--grid", grid, "--shards", "1")
    line = next(line.split() for line in result.stdout.splitlines() if line.strip().startswith("1/1"))
    assert line[2] == "0" and line[5] == "16" and line[-1] == "stopped", result.stdout   # was 16 finished


def test_status_tells_a_running_shard_from_a_stopped_one(decaybench, tmp_path):
    # Both were "started": a shard killed with its node looked like one still computing.
    grid = write_grid(str(tmp_path), SLOW_GRID)
    sweep = tmp_path / "sweep"
    run(decaybench, "slurm", grid, "--shards", "2", "--out", str(sweep))
    shard = str(sweep / "shard-2.h5")
    process = subprocess.Popen([decaybench, "run", str(sweep / "grid.yaml"), "--shard", "2/2", "--out", shard,
                                "--jobs", "1", "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_for_shards(shard + ".parts", 1, process)

        def state():
            result = run(decaybench, "status", str(sweep))
            line = next(line.split() for line in result.stdout.splitlines() if line.strip().startswith("2/2"))
            return " ".join(line[6:]), result.stdout

        assert state()[0] == "running"
        # Its lock file deleted by hand: the journal's lock still says so.
        os.remove(shard + ".lock")
        assert state()[0] == "running"
        # Asking never stops the shard: it goes on saving runs.
        wait_for_shards(shard + ".parts", 2, process)
    finally:
        process.kill()
        process.wait()
    stopped, text = state()
    assert stopped == "stopped", text
    assert f"sbatch --array=2 {sweep}/shards.sbatch" in text
    assert "not started" in text and "1/2" in text


def test_status_refuses_a_shard_file_of_another_grid_or_cut(decaybench, tmp_path):
    """status counted such a file's runs as pending and said nothing."""
    grid = write_grid(str(tmp_path), SMALL_GRID)
    run(decaybench, "run", grid, "--shard", "2/4", "--out", str(tmp_path / "shard-2.h5"), "--quiet")
    result = run(decaybench, "status", str(tmp_path), "--grid", grid, "--shards", "3", check=False)
    assert result.returncode == 2 and "shard-2.h5 is shard 2/4, not 2/3" in result.stderr, result.stderr[-500:]
    other = write_grid(str(tmp_path), SMALL_GRID.replace("epochs: 4", "epochs: 3"), name="other.yaml")
    result = run(decaybench, "status", str(tmp_path), "--grid", other, "--shards", "4", check=False)
    assert result.returncode == 2 and "holds another grid than the sweep's" in result.stderr, result.stderr[-500:]


def test_bad_shard_specifications_are_refused_by_name(decaybench, tmp_path):
    grid = write_grid(str(tmp_path), SMALL_GRID)
    result = run(decaybench, "run", grid, "--shard", "5/4", "--out", str(tmp_path / "x.h5"), check=False)
    assert result.returncode != 0
    assert "--shard" in result.stderr and "numbered 1 to 4" in result.stderr


def test_slurm_writes_an_array_and_a_merge_with_the_options_asked(decaybench, tmp_path):
    grid = write_grid(str(tmp_path), SMALL_GRID)
    sweep = str(tmp_path / "sweep")
    result = run(decaybench, "slurm", grid, "--shards", "3", "--out", sweep, "--partition", "short",
                 "--time", "1:00:00", "--cpus-per-task", "2", "--mem", "1G")
    assert "sbatch --dependency=afterok:" in result.stdout
    array = open(os.path.join(sweep, "shards.sbatch")).read()
    merge = open(os.path.join(sweep, "merge.sbatch")).read()
    for line in ("#SBATCH --array=1-3", "#SBATCH --cpus-per-task=2", "#SBATCH --partition=short",
                 "#SBATCH --time=1:00:00", "#SBATCH --mem=1G", '--shard "${SLURM_ARRAY_TASK_ID}/3"',
                 '--jobs "${SLURM_CPUS_PER_TASK:-1}" --resume'):
        assert line in array, line
    for index in (1, 2, 3):
        assert os.path.join(sweep, f"shard-{index}.h5") in merge
    assert "--out " + os.path.join(sweep, "merged.h5") in merge
    assert "#SBATCH --kill-on-invalid-dep=yes" in merge
    for script in (array, merge):
        assert subprocess.run(["bash", "-n"], input=script, text=True).returncode == 0
    assert open(os.path.join(sweep, "grid.yaml")).read() == open(grid).read()

    other = write_grid(str(tmp_path), SMALL_GRID.replace("epochs: 4", "epochs: 3"), name="other.yaml")
    refused = run(decaybench, "slurm", other, "--shards", "3", "--out", sweep, check=False)
    assert refused.returncode != 0 and "holds another grid" in refused.stderr
    too_many = run(decaybench, "slurm", grid, "--shards", "17", "--out", str(tmp_path / "x"), check=False)
    assert too_many.returncode != 0 and "more than the grid's 16 runs" in too_many.stderr


def test_slurm_refuses_to_cut_a_started_sweep_differently(decaybench, tmp_path):
    grid = write_grid(str(tmp_path), SMALL_GRID)
    sweep = tmp_path / "sweep"
    run(decaybench, "slurm", grid, "--shards", "4", "--out", str(sweep))
    run(decaybench, "run", str(sweep / "grid.yaml"), "--shard", "1/4", "--out", str(sweep / "shard-1.h5"), "--quiet")
    refused = run(decaybench, "slurm", grid, "--shards", "3", "--out", str(sweep), check=False)
    assert refused.returncode != 0 and "4-shard sweep" in refused.stderr
    run(decaybench, "slurm", grid, "--shards", "4", "--out", str(sweep))


def test_files_from_before_runs_kept_their_provenance_still_read(decaybench, sharded, tmp_path):
    _, _, whole, _ = sharded
    old = str(tmp_path / "old.h5")
    with open(whole, "rb") as source, open(old, "wb") as target:
        target.write(source.read())
    with h5py.File(old, "r+") as f:
        runs = f["runs"][()]
        kept = [name for name in runs.dtype.names if name not in ("host", "blas_core", "cpu", "git_commit")]
        del f["runs"]
        f.create_dataset("runs", data=runs[kept].copy())
    result = run(decaybench, "compare", old, whole)
    assert "Runs matched by key: 16." in result.stdout and "No regression." in result.stdout


def test_merge_with_the_grid_file_as_it_is_now_restates_its_claims_and_keeps_every_number(decaybench, sharded, tmp_path):
    directory, grid, whole, shards = sharded
    declaring = write_grid(str(tmp_path), SMALL_GRID.replace("    name: small", "    claims: [generalization-adamw]\n    name: small", 1),
                           name="declaring.yaml")
    merged = str(tmp_path / "declared.h5")
    run(decaybench, "merge", whole, "--grid", declaring, "--out", merged)
    with h5py.File(merged) as f:
        assert text(f.attrs["claims"]) == "generalization-adamw"
        assert "claims: [generalization-adamw]" in text(f.attrs["grid_text"])
    code, report = same_results(whole, merged)
    assert code != 0 and "attribute claims" in report
    differing = {line.split(":")[0] for line in report.splitlines() if line.startswith("/ attribute")}
    assert differing <= {"/ attribute claims", "/ attribute grid_text", "/ attribute git_commit"}, report
    # The claims command reads that file for its declared claim alone.
    listed = run(decaybench, "claims", merged).stdout
    assert "weight-norm-falls" in listed
    rows = [line for line in listed.splitlines() if line.startswith("weight-norm-falls")]
    assert all("not run" in row for row in rows), rows


def test_merge_with_the_grid_file_takes_its_new_description(decaybench, sharded, tmp_path):
    # The README promises the grid file's description "as it is now": a reworded description
    # was refused as "another grid".
    _, _, whole, _ = sharded
    reworded = write_grid(str(tmp_path), SMALL_GRID.replace("interoperability test grid", "reworded"), name="reworded.yaml")
    merged = str(tmp_path / "reworded.h5")
    run(decaybench, "merge", whole, "--grid", reworded, "--out", merged)
    with h5py.File(merged) as f:
        assert text(f.attrs["description"]) == "reworded"


def test_merge_refuses_a_grid_file_of_other_runs(decaybench, sharded, tmp_path):
    _, _, whole, _ = sharded
    other = write_grid(str(tmp_path), SMALL_GRID.replace("epochs: 4", "epochs: 3"), name="other.yaml")
    result = run(decaybench, "merge", whole, "--grid", other, "--out", str(tmp_path / "x.h5"), check=False)
    assert result.returncode != 0
    assert f"holds another grid than {other}" in result.stderr and "epochs" in result.stderr
    assert not os.path.exists(tmp_path / "x.h5")


def test_merge_of_a_shard_holding_a_failed_run_exits_3_as_run_does(decaybench, sharded, tmp_path):
    _, _, _, shards = sharded
    failing = str(tmp_path / "failing.h5")
    shutil.copy(shards[1], failing)
    with h5py.File(failing, "r+") as f:
        runs = f["runs"][...]
        runs["status"][0] = b"failed"     # as a run that failed is recorded
        f["runs"][...] = runs
    result = run(decaybench, "merge", failing, shards[2], shards[3], "--out", str(tmp_path / "m.h5"), check=False)
    assert result.returncode == 3, result.stdout + result.stderr   # was 0, "complete"
    assert "1 run failed:" in result.stdout
    assert os.path.exists(tmp_path / "m.h5"), "the merged file is still written"


def test_slurm_submit_says_which_array_is_queued_when_the_merge_is_refused(decaybench, tmp_path):
    grid = write_grid(str(tmp_path), SMALL_GRID)
    tools = tmp_path / "tools"
    tools.mkdir()
    # An sbatch that queues the array (job 4242) and refuses the dependent merge.
    (tools / "sbatch").write_text('#!/bin/sh\ncase "$*" in *dependency*) echo "sbatch: error: QOS limit" >&2; exit 1;; esac\n'
                                  'echo 4242\n')
    (tools / "sbatch").chmod(0o755)
    environment = dict(os.environ, PATH=f"{tools}:{os.environ['PATH']}")
    result = subprocess.run([decaybench, "slurm", grid, "--shards", "2", "--out", str(tmp_path / "sweep"), "--submit"],
                            capture_output=True, text=True, env=environment, timeout=120)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "array job 4242 (2 tasks) is queued; submit only the merge: sbatch --dependency=afterok:4242" in result.stderr, result.stderr


def test_status_says_when_the_merged_file_holds_fewer_runs_than_the_shards(decaybench, sharded, tmp_path):
    _, grid, _, shards = sharded
    for index, path in shards.items():
        shutil.copy(path, tmp_path / f"shard-{index}.h5")
    merged = str(tmp_path / "merged.h5")
    run(decaybench, "merge", str(tmp_path / "shard-1.h5"), str(tmp_path / "shard-2.h5"), "--out", merged, check=False)
    result = run(decaybench, "status", str(tmp_path), "--grid", grid)
    assert "16 of 16 runs have a result" in result.stdout, result.stdout
    assert f"merged: {merged}, partial: 11 of the 16 runs the shards hold; merge again" in result.stdout, result.stdout
    run(decaybench, "merge", *(str(tmp_path / f"shard-{i}.h5") for i in (1, 2, 3)), "--out", merged, "--overwrite")
    assert f"merged: {merged}, 16 of 16 runs" in run(decaybench, "status", str(tmp_path), "--grid", grid).stdout


def test_status_of_a_sweep_whose_array_is_still_queued_reads_the_shard_count_from_the_array(decaybench, tmp_path):
    # slurm's own hint, "follow with: decaybench status DIR", exited 2 until a shard started.
    grid = write_grid(str(tmp_path), SMALL_GRID)
    sweep = str(tmp_path / "sweep")
    written = run(decaybench, "slurm", grid, "--shards", "4", "--out", sweep)
    assert f"decaybench status {sweep}" in written.stdout
    result = run(decaybench, "status", sweep)
    assert "0 of 16 runs have a result; 0 of 4 shards done" in result.stdout, result.stdout + result.stderr
    # The script alone does not hold a sweep to its count: nothing has started.
    run(decaybench, "slurm", grid, "--shards", "2", "--out", sweep)
    assert "0 of 2 shards done" in run(decaybench, "status", sweep).stdout
