"""What a run does to files around it: a full disk, a deleted lock file, files that are not
DecayBench's, kills during the final write and the journal's removal, and a resume of a
finished grid. Each test reproduces one finding of issue 9's probe."""
import hashlib
import json
import re
import os
import shutil
import signal
import subprocess
import time
import uuid

import h5py
import pytest

from conftest import SLOW_GRID, SMALL_GRID, kill_after_runs, run, write_grid
from test_command_line import assert_same_content, wait_for_shards


def checksum(path):
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


@pytest.fixture
def small_tmpfs(tmp_path):
    """A 300 KB tmpfs, so that the disk fills up during a run (needs root to mount)."""
    mount_point = tmp_path / "tmpfs"
    mount_point.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root; the full-disk paths are unit-tested in ResultsTests")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=300k", "tmpfs", str(mount_point)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=False)


def fill(directory, size):
    """Writes a file named "filler" of up to `size` bytes, as much as fits."""
    with open(directory / "filler", "wb") as handle:
        try:
            handle.write(b"\0" * size)
        except OSError:
            pass


# 36 runs whose part files (about 60 KB each with their parameters) overflow 300 KB.
FILLING_GRID = """
    name: filling
    dataset: {name: synthetic-classification, samples: 300, features: 6, classes: 3, noise: 1.0}
    model: {kind: mlp, hidden: [64], activation: tanh, init: glorot}
    optimizer: {kind: adam}
    training: {epochs: 4, batch_size: 32}
    store: {params: final}
    grid:
      penalty: [l2, decoupled]
      lambda: [0, 0.001, 0.01]
      lr: [0.01, 0.03, 0.1]
    seeds: [0, 1]
    """


def test_a_full_disk_is_reported_in_words_and_loses_no_reported_run(decaybench, tmp_path, small_tmpfs):
    grid = write_grid(str(tmp_path), FILLING_GRID)
    out = str(small_tmpfs / "r.h5")
    result = run(decaybench, "run", grid, "--out", out, "--jobs", "2", "--log-format", "json", check=False)
    assert result.returncode == 1, (result.returncode, result.stderr[-3000:])   # no crash at exit (was 139)
    assert "No space left on device" in result.stderr
    assert "NSCocoaErrorDomain" not in result.stderr and "Signal 11" not in result.stderr
    events = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    finished = [e["key"] for e in events if e["event"] == "finished" and e.get("status") == "finished"]
    unsaved = [e["key"] for e in events if e["event"] == "finished" and "not saved" in e.get("message", "")]
    assert finished, "some runs fit on the disk"
    assert unsaved, "the disk fills up before the grid ends"
    for key in finished:
        assert os.path.exists(f"{out}.parts/{key}.h5"), f"run {key} was reported finished but has no part file"
    for key in unsaved:
        assert key in result.stderr.split("could not be saved")[1], "every run that could not be saved is named"


def test_a_disk_full_from_the_start_is_said_in_words_and_leaves_nothing(decaybench, tmp_path, small_tmpfs):
    grid = write_grid(str(tmp_path), FILLING_GRID)
    fill(small_tmpfs, 400_000)
    out = str(small_tmpfs / "r.h5")
    result = run(decaybench, "run", grid, "--out", out, "--quiet", check=False)
    assert result.returncode == 1, result.stderr[-2000:]
    assert "No space left on device" in result.stderr and "NSCocoaErrorDomain" not in result.stderr
    assert sorted(os.listdir(small_tmpfs)) == ["filler"], "no lock, journal or temporary file is left behind"


def test_a_deleted_lock_file_does_not_let_a_second_resume_in(decaybench, tmp_path):
    grid = write_grid(str(tmp_path), SLOW_GRID)
    out = str(tmp_path / "r.h5")
    first = subprocess.Popen([decaybench, "run", grid, "--out", out, "--quiet"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_shards(out + ".parts", 1, first)
        os.unlink(out + ".lock")
        second = run(decaybench, "run", grid, "--out", out, "--resume", "--quiet", check=False)
        assert second.returncode != 0, second.stdout
        assert "another decaybench process" in second.stderr
        overwrite = run(decaybench, "run", grid, "--out", out, "--overwrite", "--quiet", check=False)
        assert overwrite.returncode != 0 and "another decaybench process" in overwrite.stderr
        stdout, stderr = first.communicate(timeout=600)
        assert first.returncode == 0, stderr
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    with h5py.File(out) as f:
        assert f.attrs["complete"] == 1
        assert {s.decode() for s in f["runs"]["status"]} == {"finished"}
    assert not os.path.exists(out + ".parts")


def test_a_user_lock_file_is_neither_used_nor_removed(decaybench, tmp_path):
    grid = write_grid(str(tmp_path), SMALL_GRID)
    out = str(tmp_path / "u.h5")
    with open(out + ".lock", "w") as handle:
        handle.write("my notes about u.h5\n")
    result = run(decaybench, "run", grid, "--out", out, "--quiet", check=False)
    assert result.returncode == 2, result.returncode   # the output path's fault, as any user file in the way (was 1)
    assert f"{out}.lock exists and is not a decaybench lock file" in result.stderr
    assert open(out + ".lock").read() == "my notes about u.h5\n"
    assert not os.path.exists(out)
    # A directory of that name is the user's too (was exit 1, "cannot create the lock file").
    os.remove(out + ".lock")
    os.mkdir(out + ".lock")
    result = run(decaybench, "run", grid, "--out", out, "--quiet", check=False)
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert f"{out}.lock exists and is not a decaybench lock file" in result.stderr
    assert os.path.isdir(out + ".lock") and not os.listdir(out + ".lock")
    assert not os.path.exists(out)


def test_overwrite_keeps_a_users_parts_directory_or_file(decaybench, tmp_path):
    grid = write_grid(str(tmp_path), SMALL_GRID)
    out = str(tmp_path / "w.h5")
    os.mkdir(out + ".parts")
    with open(out + ".parts/notes.txt", "w") as handle:
        handle.write("mine")
    plain = run(decaybench, "run", grid, "--out", out, "--quiet", check=False)
    assert plain.returncode != 0
    assert f"{out}.parts exists but is not a decaybench journal" in plain.stderr and "notes.txt" in plain.stderr
    assert f"{out} already exists" not in plain.stderr, "the refusal names what exists, not the results file"
    result = run(decaybench, "run", grid, "--out", out, "--overwrite", "--quiet", check=False)
    assert result.returncode != 0 and "notes.txt" in result.stderr
    assert open(out + ".parts/notes.txt").read() == "mine"
    shutil.rmtree(out + ".parts")
    with open(out + ".parts", "w") as handle:
        handle.write("a plain file")
    result = run(decaybench, "run", grid, "--out", out, "--overwrite", "--quiet", check=False)
    assert result.returncode != 0 and f"{out}.parts exists and is not a directory" in result.stderr
    assert open(out + ".parts").read() == "a plain file"


def test_the_refusal_names_the_journal_when_only_the_journal_exists(decaybench, tmp_path):
    grid = write_grid(str(tmp_path), SLOW_GRID)
    out = str(tmp_path / "j.h5")
    kill_after_runs(decaybench, grid, out, 1)
    assert not os.path.exists(out)
    result = run(decaybench, "run", grid, "--out", out, check=False)
    assert result.returncode != 0
    assert f"{out}.parts (the unfinished runs of {out}) already exists" in result.stderr
    assert f"{out} already exists" not in result.stderr


def paused_run(decaybench, grid, out, moment, *extra):
    """Starts a run that pauses at `moment`; returns it once it has paused there."""
    environment = dict(os.environ, DECAYBENCH_PAUSE_AT=moment, DECAYBENCH_PAUSE_SECONDS="120")
    process = subprocess.Popen([decaybench, "run", grid, "--out", out, "--quiet", *extra], env=environment,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 300
    line = ""
    while time.time() < deadline and f"paused at {moment}" not in line:
        line = process.stderr.readline()
        if not line and process.poll() is not None:
            pytest.fail(f"the run ended before {moment}: {process.communicate()}")
    return process


def test_kill_during_the_journal_removal_then_resume_keeps_the_complete_file(decaybench, tmp_path):
    grid = write_grid(str(tmp_path), SMALL_GRID)
    reference = str(tmp_path / "reference.h5")
    run(decaybench, "run", grid, "--out", reference, "--quiet")
    out = str(tmp_path / "r.h5")
    process = paused_run(decaybench, grid, out, "cleanup")
    process.kill()
    process.wait()
    left = [n for n in os.listdir(out + ".parts") if n.endswith(".h5")]
    assert 0 < len(left) < 16, "killed part-way through the removal"
    before = checksum(out)
    result = run(decaybench, "run", grid, "--out", out, "--resume")
    assert "--overwrite" not in result.stdout + result.stderr
    assert "finished" not in result.stderr and "resuming" not in result.stderr, "no run is computed again"
    assert "left unchanged" in result.stdout
    assert checksum(out) == before
    assert not os.path.exists(out + ".parts")
    assert_same_content(out, reference)


def test_kill_during_the_final_write_leaves_a_temporary_that_resume_removes(decaybench, tmp_path):
    grid = write_grid(str(tmp_path), SMALL_GRID)
    out = str(tmp_path / "r.h5")
    process = paused_run(decaybench, grid, out, "final-write")
    temporary = f"{out}.tmp-{process.pid}"
    assert os.path.exists(temporary)
    process.kill()
    process.wait()
    assert not os.path.exists(out)
    # A temporary of a live process is never touched.
    alive = subprocess.Popen(["sleep", "60"])
    live_temporary = f"{out}.tmp-{alive.pid}"
    shutil.copy(temporary, live_temporary)
    try:
        run(decaybench, "run", grid, "--out", out, "--resume", "--quiet")
        assert not os.path.exists(temporary)
        assert os.path.exists(live_temporary)
    finally:
        alive.kill()
        alive.wait()
    with h5py.File(out) as f:
        assert f.attrs["complete"] == 1


def test_resume_of_a_finished_grid_leaves_the_file_unchanged(decaybench, tmp_path):
    grid = write_grid(str(tmp_path), SMALL_GRID)
    out = str(tmp_path / "done.h5")
    run(decaybench, "run", grid, "--out", out, "--jobs", "2", "--quiet")
    before = checksum(out)
    with h5py.File(out) as f:
        session = {k: f.attrs[k] for k in ["started_utc", "finished_utc", "jobs", "command_line"]}
    time.sleep(1.1)  # a rewrite would show a later finished_utc
    result = run(decaybench, "run", grid, "--out", out, "--resume", "--jobs", "1")
    assert "left unchanged" in result.stdout
    assert checksum(out) == before
    with h5py.File(out) as f:
        assert {k: f.attrs[k] for k in session} == session


def test_train_out_on_a_full_disk_says_so_without_crashing(decaybench, small_tmpfs):
    fill(small_tmpfs, 290_000)
    out = str(small_tmpfs / "train.h5")
    result = run(decaybench, "train", "--dataset", "synthetic-classification", "--model", "mlp", "--hidden", "64",
                 "--epochs", "1", "--quiet", "--out", out, check=False)
    assert result.returncode == 1, (result.returncode, result.stderr[-2000:])
    assert f"cannot write {out}: No space left on device" in result.stderr
    assert sorted(os.listdir(small_tmpfs)) == ["filler"]


def test_resume_refuses_when_the_data_changed_since_runs_were_computed(decaybench, tmp_path):
    data = tmp_path / "data.csv"
    data.write_text("a,b,label\n" + "\n".join(f"{i % 7},{i % 5},{i % 2}" for i in range(100)) + "\n")
    grid = write_grid(str(tmp_path), f"""
        name: csv-grid
        dataset: {{name: csv, path: {data}, task: classification}}
        model: {{kind: softmax}}
        optimizer: {{kind: sgd}}
        training: {{epochs: 2, batch_size: 10}}
        grid:
          lr: [0.01, 0.1]
        """)
    out = str(tmp_path / "r.h5")
    process = paused_run(decaybench, grid, out, "final-write")
    process.kill()
    process.wait()
    data.write_text(data.read_text().replace("\n0,0,0\n", "\n0,0,1\n"))
    result = run(decaybench, "run", grid, "--out", out, "--resume", check=False)
    assert result.returncode != 0
    assert "have changed since it was computed" in result.stderr and str(data) in result.stderr


# The second probe's findings: files named like DecayBench's, an interrupted --overwrite,
# an output path that names a directory, damaged curves and parameters, report paths.

def dead_pid():
    """The id of a process that has ended (ids are not reused this soon)."""
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def test_a_users_file_named_like_a_stale_temporary_is_kept(decaybench, tmp_path):
    grid = write_grid(str(tmp_path), SMALL_GRID)
    out = str(tmp_path / "r.h5")
    users = f"{out}.tmp-{dead_pid()}"
    with open(users, "w") as handle:
        handle.write("my notes\n")
    # A temporary cut short after its HDF5 signature is DecayBench's own, and goes.
    ours = f"{out}.tmp-{dead_pid()}"
    with open(ours, "wb") as handle:
        handle.write(b"\x89HDF\r\n\x1a\n\0\0")
    run(decaybench, "run", grid, "--out", out, "--quiet")
    with open(users) as handle:
        assert handle.read() == "my notes\n"
    assert not os.path.exists(ours)


def test_an_interrupted_overwrite_keeps_the_file_it_would_have_replaced(decaybench, tmp_path):
    out = str(tmp_path / "r.h5")
    run(decaybench, "run", write_grid(str(tmp_path), SMALL_GRID), "--out", out, "--quiet")
    before = checksum(out)
    slower = write_grid(str(tmp_path), SLOW_GRID.replace("epochs: 6", "epochs: 20"), name="slow.yaml")
    process = subprocess.Popen([decaybench, "run", slower, "--out", out, "--overwrite", "--jobs", "1", "--quiet"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for_shards(out + ".parts", 1, process)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=300)
    assert process.returncode == 130, (stdout[-2000:], stderr[-2000:])
    assert "is unchanged: it holds 16 finished runs of another grid" in stdout, stdout[-2000:]
    assert checksum(out) == before, "the complete results of the other grid were replaced by a partial grid"
    saved = sorted(name for name in os.listdir(out + ".parts") if name.endswith(".h5"))
    assert saved, "the new runs finished so far are kept"
    assert "--resume goes on with the replacement" in stdout, stdout[-2000:]
    # --resume finishes the overwrite (it was refused: "holds a different grid") and, complete,
    # replaces the file; the runs saved before the interrupt are not computed again.
    resumed = run(decaybench, "run", slower, "--out", out, "--resume", "--jobs", "2")
    assert f"resuming: {len(saved)} of 12 runs already finished" in resumed.stdout + resumed.stderr, resumed.stderr[-2000:]
    with h5py.File(out) as f:
        assert f.attrs["complete"] == 1 and f.attrs["name"] in ("slow", b"slow")
    assert not os.path.exists(out + ".parts")


def test_an_overwrite_whose_final_write_failed_is_finished_by_resume_with_its_own_runs(decaybench, tmp_path):
    # The old file holds this grid's runs as another build computed them (edited here):
    # --resume kept it and deleted the overwrite's new runs with the journal.
    grid = write_grid(str(tmp_path), SMALL_GRID)
    out, fresh = str(tmp_path / "r.h5"), str(tmp_path / "fresh.h5")
    run(decaybench, "run", grid, "--out", fresh, "--quiet")
    shutil.copy(fresh, out)
    with h5py.File(out, "r+") as f:
        f["/curves/train_loss"][...] = 7.0
    process = paused_run(decaybench, grid, out, "final-write", "--overwrite")
    process.kill()   # as a full disk or a kill at the last moment would leave it
    process.wait()
    assert os.path.exists(os.path.join(out + ".parts", "replaces-results"))
    result = run(decaybench, "run", grid, "--out", out, "--resume")
    assert "wrote " + out in result.stdout, result.stdout
    assert not os.path.exists(out + ".parts")
    assert_same_content(out, fresh)
    with h5py.File(out) as f:
        assert not (f["/curves/train_loss"][...] == 7.0).any()
    # A later --resume of the complete file changes nothing.
    before = checksum(out)
    assert "left unchanged" in run(decaybench, "run", grid, "--out", out, "--resume").stdout
    assert checksum(out) == before


@pytest.mark.parametrize("command", ["run", "train", "merge"])
def test_an_output_path_naming_a_directory_is_refused_in_words(decaybench, tmp_path, command):
    grid = write_grid(str(tmp_path), SMALL_GRID)
    results = str(tmp_path / "r.h5")
    if command == "merge":
        run(decaybench, "run", grid, "--out", results, "--quiet")
    arguments = {"run": ["run", grid], "merge": ["merge", results],
                 "train": ["train", "--dataset", "synthetic-classification", "--samples", "300", "--features", "6",
                           "--model", "mlp", "--hidden", "8", "--epochs", "1"]}[command]
    work = tmp_path / "work"
    work.mkdir()
    for out in [".", "..", "sub/", "./."]:
        result = run(decaybench, *arguments, "--out", out, check=False, cwd=str(work))
        assert result.returncode == 2, (out, result.returncode, result.stderr[-1500:])   # was 132, a crash
        assert "names a directory" in result.stderr or "not a regular file" in result.stderr, result.stderr[-500:]
    assert os.listdir(work) == [], "nothing is made beside a refused output (a lock named '..lock' was)"


def test_curves_of_different_lengths_are_reported_as_damage_every_time(decaybench, tmp_path):
    grid = write_grid(str(tmp_path), SMALL_GRID)
    out = str(tmp_path / "r.h5")
    run(decaybench, "run", grid, "--out", out, "--quiet")
    with h5py.File(out, "r+") as f:
        shorter = f["curves/test_error"][:, :2]
        del f["curves/test_error"]
        f["curves/test_error"] = shorter
    # Which curve was read first once decided between a crash and an error: try several processes.
    for _ in range(5):
        for arguments in (["inspect", out], ["claims", out], ["compare", out, out]):
            result = run(decaybench, *arguments, check=False)
            assert result.returncode == 2, (arguments, result.returncode, result.stderr[-1500:])   # a damaged input
            assert "different numbers of epochs" in result.stderr and "test_error: 2" in result.stderr


def test_missing_or_misshapen_parameters_are_damage_not_a_finished_run(decaybench, tmp_path):
    grid = write_grid(str(tmp_path), SMALL_GRID)
    out = str(tmp_path / "r.h5")
    run(decaybench, "run", grid, "--out", out, "--quiet")
    missing, misshapen = str(tmp_path / "missing.h5"), str(tmp_path / "misshapen.h5")
    shutil.copy(out, missing)
    shutil.copy(out, misshapen)
    with h5py.File(missing, "r+") as f:
        key = sorted(f["params"])[0]
        del f[f"params/{key}/layer0.weight"]
    with h5py.File(misshapen, "r+") as f:
        bias = f[f"params/{key}/layer1.bias"][:]
        del f[f"params/{key}/layer1.bias"]
        f[f"params/{key}/layer1.bias"] = bias[:-1]
    for path, fragment in [(missing, "layer0.weight is missing"), (misshapen, "layer1.bias has shape [2], not [3]")]:
        for arguments in (["inspect", path], ["merge", path, "--out", str(tmp_path / "m.h5")],
                          ["run", grid, "--out", str(tmp_path / "reuse.h5"), "--reuse", path, "--quiet"]):
            result = run(decaybench, *arguments, check=False)
            assert result.returncode == 2, (arguments, result.returncode, result.stdout[-500:])   # a damaged input
            assert f"run {key} are incomplete: {fragment}" in result.stderr, result.stderr[-800:]
        assert not os.path.exists(str(tmp_path / "m.h5")) and not os.path.exists(str(tmp_path / "reuse.h5"))


def test_resume_redoes_a_run_whose_part_file_has_damaged_curves(decaybench, tmp_path):
    grid = write_grid(str(tmp_path), SLOW_GRID)
    out = str(tmp_path / "k.h5")
    kill_after_runs(decaybench, grid, out, 2, "--jobs", "1")
    parts = sorted(n for n in os.listdir(out + ".parts") if n.endswith(".h5"))
    damaged = os.path.join(out + ".parts", parts[0])
    with h5py.File(damaged, "r+") as f:
        shorter = f["curves/train_loss"][:, :1]
        del f["curves/train_loss"]
        f["curves/train_loss"] = shorter
    result = run(decaybench, "run", grid, "--out", out, "--resume", "--jobs", "2")  # was a crash on every attempt
    assert "discarding an unreadable saved run" in result.stderr and "different numbers of epochs" in result.stderr
    reference = str(tmp_path / "reference.h5")
    run(decaybench, "run", grid, "--out", reference, "--jobs", "2", "--quiet")
    assert_same_content(out, reference)


def test_compare_writes_its_reports_over_regular_files_only(decaybench, tmp_path):
    grid = write_grid(str(tmp_path), SMALL_GRID)
    out = str(tmp_path / "r.h5")
    run(decaybench, "run", grid, "--out", out, "--quiet")
    target = tmp_path / "target.txt"
    target.write_text("keep\n")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    cases = [(str(link), "not a regular file"), (str(tmp_path), "not a regular file"), (out, "is the results file")]
    if os.geteuid() == 0:
        device = tmp_path / "device"
        subprocess.run(["mknod", "-m", "666", str(device), "c", "1", "3"], check=True)   # like /dev/null
        cases.append((str(device), "not a regular file"))
    before = checksum(out)
    for flag in ["--json", "--markdown"]:
        for path, fragment in cases:
            result = run(decaybench, "compare", out, out, flag, path, check=False)
            assert result.returncode == 2 and fragment in result.stderr, (flag, path, result.stderr[-500:])
    assert target.read_text() == "keep\n" and link.is_symlink() and checksum(out) == before
    if os.geteuid() == 0:
        assert os.path.exists(device) and not os.path.isfile(device), "the device node was replaced"
    result = run(decaybench, "compare", out, out, "--json", str(tmp_path / "report"),
                 "--markdown", f"{tmp_path}/./report", check=False)
    assert result.returncode == 2 and "both name" in result.stderr, result.stderr[-500:]
    run(decaybench, "compare", out, out, "--json", str(tmp_path / "c.json"))
    run(decaybench, "compare", out, out, "--json", str(tmp_path / "c.json"))   # a report is rewritten freely
    assert json.loads((tmp_path / "c.json").read_text())


def test_claims_and_report_on_a_full_disk_name_the_file_and_leave_no_cut_file(decaybench, tmp_path, small_tmpfs):
    grid = write_grid(str(tmp_path), SMALL_GRID)
    results = str(tmp_path / "r.h5")
    run(decaybench, "run", grid, "--out", results, "--quiet")
    # Room for the claims (about 36 KB) and a figure or so, not for the whole report (about 260 KB).
    fill(small_tmpfs, 300_000 - 90_000)
    out = small_tmpfs / "report"
    result = run(decaybench, "report", results, "--out", str(out), check=False)
    assert result.returncode == 1, (result.returncode, result.stderr[-1500:])
    assert "Traceback" not in result.stderr, result.stderr[-1500:]           # was matplotlib's, naming no file
    assert re.search(r"cannot write \S+/report/\S+\.(png|svg): No space left on device", result.stderr), \
        result.stderr[-1000:]
    # With less room still, the claims themselves fail, named, in the system's words.
    fill(small_tmpfs, 300_000)
    result = run(decaybench, "claims", results, "--out", str(small_tmpfs / "claims"), check=False)
    assert result.returncode == 1 and re.search(r"cannot write \S+/claims/claims\.md: No space left on device",
                                                result.stderr), result.stderr[-1000:]
    left = os.listdir(out) if out.exists() else []
    assert not [name for name in left if ".tmp-" in name], left
    for name in left:   # what is there is whole: claims (JSON parses) or a complete figure
        if name.endswith(".json"):
            json.loads((out / name).read_text())
        if name.endswith(".svg"):
            assert (out / name).read_text().rstrip().endswith("</svg>"), name


def test_merge_and_train_do_not_write_an_output_a_run_holds(decaybench, tmp_path):
    """merge wrote a complete file where a run was working; the run's final write then replaced it."""
    small = str(tmp_path / "small.h5")
    run(decaybench, "run", write_grid(str(tmp_path), SMALL_GRID), "--out", small, "--quiet")
    slow = write_grid(str(tmp_path), SLOW_GRID.replace("epochs: 6", "epochs: 20"), name="slow.yaml")
    out = str(tmp_path / "held.h5")
    process = subprocess.Popen([decaybench, "run", slow, "--out", out, "--jobs", "1", "--quiet"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_shards(out + ".parts", 1, process)
        merge = run(decaybench, "merge", small, "--out", out, "--overwrite", check=False)
        train = run(decaybench, "train", "--dataset", "synthetic-classification", "--samples", "100", "--features", "3",
                    "--hidden", "4", "--epochs", "1", "--out", out, "--overwrite", check=False)
        for result in (merge, train):
            assert result.returncode == 1 and "another decaybench process" in result.stderr, result.stderr[-500:]
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=300)
    assert not os.path.exists(out + ".lock")
