"""Findings of the fifth probe: a changed byte on which libhdf5 itself crashes, FIFOs among the
data files and in a journal, report and output paths aimed at files that are not theirs to
replace, and saved runs that vanish before the grid reads them back. Each test fails on the
engine before it."""
import contextlib
import os
import re
import shutil
import subprocess
import time

import h5py
import numpy
import pytest

from conftest import SLOW_GRID, grid_results, run, write_grid

GRID_WITH_TENSORS = """\
name: tensors
dataset: {name: synthetic-classification, samples: 300, features: 10, classes: 3, validation_size: 60}
model: {kind: mlp, hidden: [8], activation: relu}
optimizer: {kind: adam}
regularization: {decay_convention: paper}
schedule: {kind: cosine}
training: {epochs: 3, batch_size: 32}
store: {params: final}
grid:
  penalty: [l2, decoupled]
  lambda: {l2: [0, 1e-4], decoupled: [1e-4, 1e-3]}
  lr: [1e-3, 1e-2]
seeds: [0, 1, 2]
"""


@pytest.fixture(scope="module")
def results(decaybench, tmp_path_factory):
    return grid_results(decaybench, tmp_path_factory, GRID_WITH_TENSORS, "damaged")


def with_one_byte_changed(source, target, marker, offset, value):
    data = bytearray(open(source, "rb").read())
    position = data.find(marker)
    assert position >= 0, marker
    data[position + offset] = value
    with open(target, "wb") as handle:
        handle.write(data)
    return target


# Each changed byte made libhdf5 1.10 dereference garbage: the length of a tensor's link name,
# and the NUL after the name of a root attribute.
@pytest.mark.parametrize("marker,offset,value,commands", [
    (b"\x0dlayer1.weight", 0, 0, [["claims"], ["verify"]]),
    (b"run_count\x00", 9, 1, [["inspect"]]),
])
def test_a_byte_on_which_libhdf5_crashes_is_damage_named_not_a_crash(decaybench, results, tmp_path, marker, offset, value, commands):
    damaged = with_one_byte_changed(results, str(tmp_path / "one-byte.h5"), marker, offset, value)
    for command in commands:
        result = run(decaybench, *command, damaged, check=False)
        assert result.returncode == 2, (command, result.returncode, result.stderr[-600:])   # was 139
        assert f"libhdf5 crashed while reading {damaged}: the file is damaged" in result.stderr, result.stderr[-600:]
        assert "Program crashed" not in result.stderr


def write_idx(path, dimensions, values):
    """An uncompressed IDX file of unsigned bytes (magic 0x0803 or 0x0801)."""
    header = bytes([0, 0, 8, len(dimensions)]) + b"".join(d.to_bytes(4, "big") for d in dimensions)
    with open(path, "wb") as handle:
        handle.write(header + bytes(values))


def test_a_fifo_among_the_idx_files_or_in_a_journal_is_refused_not_waited_on(decaybench, tmp_path):
    # Opening a FIFO for reading waits for a writer forever: train hung before its first line,
    # status before its table.
    data = tmp_path / "idx"
    data.mkdir()
    for prefix, count in (("train", 20), ("t10k", 10)):
        write_idx(str(data / f"{prefix}-images-idx3-ubyte"), [count, 28, 28], [i % 256 for i in range(count * 784)])
        write_idx(str(data / f"{prefix}-labels-idx1-ubyte"), [count], [i % 10 for i in range(count)])
    os.remove(data / "t10k-labels-idx1-ubyte")
    os.mkfifo(data / "t10k-labels-idx1-ubyte")
    started = time.monotonic()
    result = run(decaybench, "train", "--dataset", "fashion-mnist", "--data-path", str(data), "--hidden", "8",
                 "--epochs", "1", check=False, timeout=60)
    assert time.monotonic() - started < 30
    assert result.returncode == 2 and "t10k-labels-idx1-ubyte" in result.stderr and "not a regular file" in result.stderr, result.stderr

    sweep = tmp_path / "sweep"
    sweep.mkdir()
    grid = write_grid(str(sweep), GRID_WITH_TENSORS)
    parts = sweep / "shard-1.h5.parts"
    run(decaybench, "run", grid, "--shard", "1/2", "--out", str(sweep / "shard-1.h5"), "--quiet")
    # A journal as a run killed part-way leaves it, with one part file swapped for a FIFO.
    parts.mkdir()
    (parts / "shard").write_text("1/2")
    os.mkfifo(parts / "0123456789abcdef.h5")
    os.remove(sweep / "shard-1.h5")
    started = time.monotonic()
    result = run(decaybench, "status", str(sweep), check=False, timeout=60)
    assert time.monotonic() - started < 30, "status waited on the FIFO"
    assert result.returncode == 0 and "1/2" in result.stdout, result.stdout + result.stderr


def test_compare_replaces_its_own_reports_and_empty_files_but_no_other_file(decaybench, results, tmp_path):
    other = str(tmp_path / "other.h5")
    shutil.copy(results, other)
    notes = tmp_path / "notes.md"
    notes.write_text("my notes\n")
    for flag, path in (("--json", other), ("--markdown", str(notes))):
        before = open(path, "rb").read()
        result = run(decaybench, "compare", results, results, flag, path, check=False)
        assert result.returncode == 2 and "is not a report of compare" in result.stderr, result.stderr   # was 0, file replaced
        assert open(path, "rb").read() == before
    markdown, json_report = tmp_path / "report.md", tmp_path / "report.json"
    markdown.write_text("")
    for _ in range(2):   # a nightly job's second night rewrites the first night's reports
        run(decaybench, "compare", results, results, "--markdown", str(markdown), "--json", str(json_report))
    assert markdown.read_text().startswith("# Comparison: ") and '"baseline"' in json_report.read_text()


@contextlib.contextmanager
def paused_before_collecting(decaybench, grid, out):
    """`run GRID --out OUT` held for 5 s after its runs are saved, before it reads them back."""
    environment = dict(os.environ, DECAYBENCH_PAUSE_AT="collect", DECAYBENCH_PAUSE_SECONDS="5")
    with subprocess.Popen([decaybench, "run", grid, "--out", out, "--quiet"], env=environment,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:
        assert "paused at collect" in process.stderr.readline()
        yield process


def test_run_whose_saved_runs_went_missing_does_not_end_as_done(decaybench, tmp_path):
    grid = write_grid(str(tmp_path), GRID_WITH_TENSORS)
    out = str(tmp_path / "gone.h5")
    with paused_before_collecting(decaybench, grid, out) as process:
        parts = out + ".parts"
        removed = [name for name in os.listdir(parts) if name.endswith(".h5")][:5]
        for name in removed:
            os.remove(os.path.join(parts, name))
        stdout, _ = process.communicate(timeout=300)
    assert process.returncode == 3, stdout[-500:]   # was 0, with complete = 0 in the file
    assert "5 runs have no result" in stdout and "continue with --resume" in stdout
    run(decaybench, "run", grid, "--out", out, "--resume", "--quiet")
    result = run(decaybench, "inspect", out)
    assert "24 finished" in result.stdout and result.stdout.splitlines()[0].endswith(", complete")


def linear_regression_grid(directory, source, data, lambdas):
    """A grid of one-epoch linear regressions on the user's `source` (csv or hdf5) file `data`."""
    return write_grid(str(directory), f"""\
        name: {source}-data
        dataset: {{name: {source}, path: {data}, task: regression}}
        model: {{kind: linear}}
        optimizer: {{kind: sgd, lr: 0.01}}
        training: {{epochs: 1, batch_size: 8}}
        grid:
          lambda: {lambdas}
        """)


def test_overwrite_never_replaces_the_data_the_runs_read(decaybench, tmp_path):
    data = str(tmp_path / "data.h5")
    with h5py.File(data, "w") as f:
        f["X"] = numpy.random.default_rng(0).normal(size=(60, 3)).astype("float32")
        f["y"] = numpy.arange(60, dtype="float32") % 7
    grid = linear_regression_grid(tmp_path, "hdf5", data, [0, 0.1])
    before = open(data, "rb").read()
    for command in (["run", grid, "--out", data, "--overwrite"],
                    ["train", "--dataset", "hdf5", "--data-path", data, "--task", "regression", "--model", "linear",
                     "--epochs", "1", "--out", str(tmp_path / "." / "data.h5"), "--overwrite"]):
        result = run(decaybench, *command, check=False)
        assert result.returncode == 2 and "is the data file" in result.stderr, (command, result.stderr)   # was 0, data gone
        assert open(data, "rb").read() == before


def test_status_blames_a_damaged_shard_file_not_the_machine_or_a_flag(decaybench, tmp_path):
    sweep = tmp_path / "sweep"
    sweep.mkdir()
    grid = write_grid(str(tmp_path), GRID_WITH_TENSORS)
    shard = str(sweep / "shard-1.h5")
    run(decaybench, "run", grid, "--shard", "1/2", "--out", shard, "--quiet")
    with h5py.File(shard, "r+") as f:
        f.attrs["grid_text"] = "name: [unclosed"
    result = run(decaybench, "status", str(sweep), check=False)
    assert result.returncode == 2 and "the grid stored in" in result.stderr, result.stderr   # was 1
    with h5py.File(shard, "r+") as f:
        f.attrs["shard"] = "1/999999999999"
    result = run(decaybench, "status", str(sweep), check=False)
    assert result.returncode == 2 and "say the sweep has 999999999999 shards" in result.stderr, result.stderr
    assert "--shards must be" not in result.stderr   # no such flag was given


def test_inspect_shows_control_characters_of_stored_text_as_escapes(decaybench, results, tmp_path):
    edited = str(tmp_path / "escapes.h5")
    shutil.copy(results, edited)
    with h5py.File(edited, "r+") as f:
        f.attrs["name"] = "x\x1b[31mRED\x1b[0m\nstatus: 999 finished"
    result = run(decaybench, "inspect", edited)
    assert "\x1b" not in result.stdout and "x\\u{1B}[31mRED\\u{1B}[0m\\nstatus: 999 finished" in result.stdout
    assert not any(line.startswith("status: 999") for line in result.stdout.splitlines())


def test_merge_refuses_shards_computed_on_different_data(decaybench, tmp_path):
    data = tmp_path / "d.csv"
    rows = numpy.random.default_rng(1).normal(size=(40, 3))
    data.write_text("a,b,y\n" + "".join(f"{x:.6f},{y:.6f},{z:.6f}\n" for x, y, z in rows))
    grid = linear_regression_grid(tmp_path, "csv", data, [0, 0.01, 0.1, 1])
    first, second = str(tmp_path / "s1.h5"), str(tmp_path / "s2.h5")
    run(decaybench, "run", grid, "--shard", "1/2", "--out", first, "--quiet")
    data.write_text(data.read_text().replace("a,b,y\n", "a,b,y\n9.0,9.0,9.0\n", 1))
    run(decaybench, "run", grid, "--shard", "2/2", "--out", second, "--quiet")
    result = run(decaybench, "merge", first, second, "--out", str(tmp_path / "m.h5"), check=False)
    assert result.returncode == 2, result.stdout + result.stderr   # was 0, all runs filed under s1's checksum
    assert f"{second} was computed on other data than {first}" in result.stderr and "SHA-256" in result.stderr
    assert not os.path.exists(tmp_path / "m.h5")


def test_run_keeps_a_file_that_appeared_at_its_out_and_its_own_runs(decaybench, tmp_path):
    grid = write_grid(str(tmp_path), GRID_WITH_TENSORS)
    out = str(tmp_path / "appeared.h5")
    with paused_before_collecting(decaybench, grid, out) as process:
        with open(out, "w") as notes:
            notes.write("my notes\n")
        _, stderr = process.communicate(timeout=300)
    assert process.returncode == 1, stderr   # was 0, the notes replaced by the results
    assert "is not a results file now" in stderr and "24 runs saved so far are kept" in stderr
    assert open(out).read() == "my notes\n"
    os.rename(out, str(tmp_path / "notes.txt"))
    run(decaybench, "run", grid, "--out", out, "--resume", "--quiet")
    with h5py.File(out) as f:
        assert f.attrs["complete"] == 1


def test_a_run_whose_lock_was_deleted_while_it_loaded_stops_for_the_run_that_took_the_path(decaybench, tmp_path):
    # Two runs on one --out, the first's lock file deleted while it loaded its data: both went
    # on, and one cleared the other's journal (runs lost, and exit 0 with an incomplete file).
    grid = write_grid(str(tmp_path), GRID_WITH_TENSORS)
    out = str(tmp_path / "shared.h5")

    def started(out, seconds):
        environment = dict(os.environ, DECAYBENCH_PAUSE_AT="loaded", DECAYBENCH_PAUSE_SECONDS=str(seconds))
        process = subprocess.Popen([decaybench, "run", grid, "--out", out, "--quiet"], env=environment,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert "paused at loaded" in process.stderr.readline()
        return process

    first = started(out, 4)
    os.remove(out + ".lock")
    second = started(out, 8)
    _, first_errors = first.communicate(timeout=300)
    assert first.returncode == 1 and "another decaybench process" in first_errors, first_errors
    assert second.wait(timeout=300) == 0, second.stderr.read()
    with h5py.File(out) as f:
        assert f.attrs["complete"] == 1 and len(f["runs"]) == 24
    # Alone, a run whose lock file was deleted takes the path again and finishes.
    alone = str(tmp_path / "alone.h5")
    with started(alone, 2) as process:
        os.remove(alone + ".lock")
        assert process.wait(timeout=300) == 0
    assert not os.path.exists(alone + ".lock") and h5py.File(alone).attrs["complete"] == 1


def test_a_part_file_a_power_cut_left_as_zeros_is_redone_on_resume(decaybench, results, tmp_path):
    grid = write_grid(str(tmp_path), GRID_WITH_TENSORS)
    out = str(tmp_path / "cut.h5")
    with paused_before_collecting(decaybench, grid, out) as process:
        process.kill()
    parts = out + ".parts"
    zeroed = sorted(name for name in os.listdir(parts) if name.endswith(".h5"))[0]
    with open(os.path.join(parts, zeroed), "r+b") as part:
        part.write(bytes(4096))   # its first blocks never reached the disk
    result = run(decaybench, "run", grid, "--out", out, "--resume", check=False)
    assert result.returncode == 0, result.stderr   # was 2: "not a decaybench journal"
    assert f"discarding an unreadable saved run {zeroed[:-3]}; it will run again" in result.stderr
    with h5py.File(out) as mine, h5py.File(results) as theirs:
        assert mine.attrs["complete"] == 1
        assert numpy.array_equal(mine["curves/test_loss"][()], theirs["curves/test_loss"][()], equal_nan=True)


def test_claims_refuses_a_file_declaring_a_claim_it_does_not_know(decaybench, results, tmp_path):
    edited = str(tmp_path / "unknown-claim.h5")
    shutil.copy(results, edited)
    with h5py.File(edited, "r+") as f:
        f.attrs["claims"] = "nonexistent-claim"
    result = run(decaybench, "claims", edited, check=False)
    assert result.returncode == 2, result.stdout[-500:]   # was 0, every row "not run" and no word of the id
    assert "declares claims this decaybench does not know: nonexistent-claim" in result.stderr


@pytest.mark.parametrize("stored", ['[["lambda"-"0"]]', '[["lambda", "0", "extra"]]', '{"lambda": "0"}', '[[1, 2]]'])
def test_a_run_whose_coordinates_are_not_axis_label_pairs_is_named_as_damage(decaybench, results, tmp_path, stored):
    edited = str(tmp_path / "coordinates.h5")
    shutil.copy(results, edited)
    with h5py.File(edited, "r+") as f:
        key = f["runs"]["key"][3].decode()
        attributes = f["config"][key].attrs
        del attributes["coordinates"]
        attributes.create("coordinates", numpy.bytes_(stored.encode()))
    for command in (["inspect"], ["claims"], ["verify"], ["rerun", "--key", key, "--out", str(tmp_path / "rerun.h5")]):
        result = run(decaybench, *command, edited, check=False)
        assert result.returncode == 2, (command, result.stderr[-600:])
        # Was Foundation's "The data is not in the correct format." naming neither file nor run.
        assert (f"{edited}: the attribute coordinates of /config/{key} is not a list of [axis, label] pairs "
                f"(found '{stored}'); the file is damaged") in result.stderr, (command, result.stderr[-600:])
        assert "NSCocoaErrorDomain" not in result.stderr


def test_a_journal_removed_while_the_grid_runs_is_said_as_runs_gone_not_as_runs_kept(decaybench, tmp_path):
    grid = write_grid(str(tmp_path), SLOW_GRID)
    out = str(tmp_path / "removed.h5")
    parts = out + ".parts"
    process = subprocess.Popen([decaybench, "run", grid, "--out", out, "--jobs", "1"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 300
    while time.time() < deadline and (not os.path.isdir(parts) or len([n for n in os.listdir(parts) if n.endswith(".h5")]) < 2):
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    saved = len([n for n in os.listdir(parts) if n.endswith(".h5")])
    shutil.rmtree(parts)
    _, stderr = process.communicate(timeout=300)
    assert process.returncode == 1, stderr[-800:]
    assert "could not save every result" in stderr
    # Was "the runs saved so far are in removed.h5", of a file holding none of them.
    gone = re.search(rf"{re.escape(out)} holds the 0 finished runs; (\d+) runs this session saved in "
                     rf"{re.escape(parts)} are gone from it \(removed while the grid ran\) and will run again; "
                     r"fix the cause and rerun with --resume", stderr)
    assert gone and int(gone.group(1)) >= saved, stderr[-800:]
    assert "0 finished" in run(decaybench, "inspect", out).stdout


def test_a_saved_run_on_which_libhdf5_crashes_is_named_with_what_to_do(decaybench, tmp_path):
    grid = write_grid(str(tmp_path), GRID_WITH_TENSORS)
    out = str(tmp_path / "journal.h5")
    environment = dict(os.environ, DECAYBENCH_PAUSE_AT="final-write", DECAYBENCH_PAUSE_SECONDS="120")
    process = subprocess.Popen([decaybench, "run", grid, "--out", out, "--quiet"], env=environment,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = ""
    while "paused at final-write" not in line:
        line = process.stderr.readline()
        assert line or process.poll() is None, process.communicate()
    process.kill()
    process.wait()
    journal = str(tmp_path / "journal-as-killed")
    shutil.copytree(out + ".parts", journal)
    part = sorted(name for name in os.listdir(journal) if name.endswith(".h5"))[0]
    damaged = os.path.join(out + ".parts", part)
    # On this byte libhdf5 reads garbage: it crashes in some attempts and reports an error in
    # others (the run is then computed again). Attempts until it crashes; each must end well.
    for attempt in range(20):
        shutil.rmtree(out + ".parts", ignore_errors=True)
        if os.path.exists(out):
            os.remove(out)
        shutil.copytree(journal, out + ".parts")
        with_one_byte_changed(damaged, damaged, b"\x0dlayer1.weight", 0, 0)
        result = run(decaybench, "run", grid, "--out", out, "--resume", "--quiet", check=False)
        if result.returncode == 0:
            assert "24 finished" in run(decaybench, "inspect", out).stdout
            continue
        assert result.returncode == 2, result.stderr[-600:]
        # The file is named as before, now with what to do about it.
        assert (f"libhdf5 crashed while reading {damaged}: the file is damaged; it is a saved run of an unfinished grid, "
                "so delete it and run with --resume again, which computes that run anew") in result.stderr, result.stderr[-600:]
        break
    else:
        pytest.fail("libhdf5 never crashed on the changed byte in 20 attempts")
    os.remove(damaged)
    run(decaybench, "run", grid, "--out", out, "--resume", "--quiet")
    assert "24 finished" in run(decaybench, "inspect", out).stdout
    # A results file is not a saved run: no such advice there.
    results_file = with_one_byte_changed(out, str(tmp_path / "one-byte.h5"), b"run_count\x00", 9, 1)
    result = run(decaybench, "inspect", results_file, check=False)
    assert result.returncode == 2 and "the file is damaged" in result.stderr and "saved run" not in result.stderr


def test_resume_on_a_results_file_damaged_below_its_grid_is_an_input_error(decaybench, results, tmp_path):
    grid = write_grid(str(tmp_path), GRID_WITH_TENSORS)
    damaged = str(tmp_path / "damaged.h5")
    shutil.copy(results, damaged)
    with h5py.File(damaged, "r+") as f:
        del f["curves/test_error"]
    before = open(damaged, "rb").read()
    result = run(decaybench, "run", grid, "--out", damaged, "--resume", "--quiet", check=False)
    assert result.returncode == 2, (result.returncode, result.stderr)   # was 1, as for a full disk
    assert f"cannot resume {damaged}: " in result.stderr and "test_error" in result.stderr
    assert "move it away, or start afresh with --overwrite" in result.stderr
    assert open(damaged, "rb").read() == before
