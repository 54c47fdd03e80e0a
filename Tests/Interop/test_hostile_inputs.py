"""Inputs an unlucky user gives and files that appear at the wrong moment: damaged results
files that declare huge sizes, directories and FIFOs where files belong, outputs taken while a
run trains, --overwrite aimed at files that are not results, grid files that expand into
billions of nodes or do not fit a results file, and CSV fields that hide a NUL byte. Each test
reproduces a finding of the fourth probe and fails on the engine before it."""
import os
import shutil
import subprocess
import time

import h5py
import pytest

from conftest import SMALL_GRID, run, write_grid

TRAIN = ["train", "--dataset", "synthetic-classification", "--samples", "300", "--features", "6",
         "--model", "mlp", "--hidden", "8"]


@pytest.fixture(scope="module")
def results(decaybench, tmp_path_factory):
    directory = tmp_path_factory.mktemp("hostile")
    grid = write_grid(str(directory), SMALL_GRID)
    out = str(directory / "r.h5")
    run(decaybench, "run", grid, "--out", out, "--quiet")
    return out


def resized_copy(source, target, dataset, shape):
    """A copy of `source` whose `dataset` is chunked and resized to `shape` without writing it:
    the file stays small and declares a size no memory holds."""
    shutil.copy(source, target)
    with h5py.File(target, "r+") as f:
        values, attributes = f[dataset][()], dict(f[dataset].attrs)
        del f[dataset]
        chunks = tuple(min(16, n) for n in values.shape)
        resized = f.create_dataset(dataset, data=values, maxshape=(None,) * values.ndim, chunks=chunks)
        resized.resize(shape)
        for name, value in attributes.items():
            resized.attrs[name] = value
    return target


@pytest.mark.parametrize("dataset,shape", [("runs", (10**12,)), ("runs", (2**58,)), ("curves/test_error", (16, 10**11))])
def test_a_declared_size_beyond_memory_is_damage_not_a_crash(decaybench, results, tmp_path, dataset, shape):
    damaged = resized_copy(results, str(tmp_path / "huge.h5"), dataset, shape)
    for arguments in (["inspect", damaged], ["claims", damaged], ["compare", results, damaged], ["verify", damaged]):
        result = run(decaybench, *arguments, check=False)
        assert result.returncode == 2, (arguments, result.returncode, result.stderr[-800:])   # was 134 or 132
        assert "more than this machine's" in result.stderr and "the file is damaged" in result.stderr


def test_a_directory_or_fifo_named_as_a_results_or_data_file_is_refused_at_once(decaybench, tmp_path):
    directory, fifo = str(tmp_path / "d.h5"), str(tmp_path / "f.h5")
    os.mkdir(directory)
    os.mkfifo(fifo)
    result = run(decaybench, "inspect", directory, check=False)
    assert result.returncode == 2 and "it is a directory, not a file" in result.stderr and "H5FD" not in result.stderr
    started = time.monotonic()
    result = run(decaybench, "train", "--dataset", "hdf5", "--task", "classification", "--model", "softmax",
                 "--epochs", "1", "--data-path", fifo, check=False)
    assert time.monotonic() - started < 30   # it blocked until killed
    assert result.returncode == 2 and "not a regular file" in result.stderr, result.stderr


def test_train_saves_its_run_beside_a_file_that_appeared_at_out_while_it_trained(decaybench, tmp_path):
    out = str(tmp_path / "race.h5")
    process = subprocess.Popen([decaybench, "train", "--dataset", "synthetic-classification", "--samples", "3000",
                                "--features", "20", "--model", "mlp", "--hidden", "64", "--epochs", "400", "--quiet",
                                "--out", out], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)
    assert process.poll() is None, "training ended before the file could appear"
    with open(out, "w") as handle:
        handle.write("my notes\n")
    stdout, stderr = process.communicate(timeout=600)
    assert process.returncode == 1, stderr
    assert open(out).read() == "my notes\n"            # was replaced by the results file
    saved = [name for name in os.listdir(tmp_path) if name.startswith("race-") and name.endswith(".h5")]
    assert len(saved) == 1 and f"saved in {tmp_path / saved[0]}" in stderr
    with h5py.File(str(tmp_path / saved[0])) as f:
        assert [s.decode() for s in f["runs"]["status"]] == ["finished"]


def test_train_refuses_before_training_an_out_whose_run_journal_exists(decaybench, tmp_path):
    out = str(tmp_path / "k.h5")
    os.mkdir(out + ".parts")
    result = run(decaybench, *TRAIN, "--epochs", "1", "--out", out, check=False)
    assert result.returncode == 2 and "k.h5.parts exists" in result.stderr
    assert "epoch" not in result.stdout   # nothing was trained (it was, and then lost)
    assert not os.path.exists(out)


def test_train_keeps_its_out_when_stdout_closes_and_says_when_stdout_fills(decaybench, tmp_path):
    out = str(tmp_path / "pipe.h5")
    command = [decaybench, *TRAIN, "--samples", "3000", "--epochs", "200", "--out", out]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        process.stdout.readline()
        process.stdout.close()    # as `| head -1` does
        process.wait(timeout=600)
    assert process.returncode == 0   # was 141 (SIGPIPE), with nothing saved
    with h5py.File(out) as f:
        assert f["curves/test_error"].shape == (1, 200)
    with open("/dev/full", "w") as full:
        result = subprocess.run([decaybench, *TRAIN, "--epochs", "2"], stdout=full, stderr=subprocess.PIPE, text=True)
    assert result.returncode == 1 and "cannot write to standard output: No space left on device" in result.stderr
    # verify and rerun write each line at once (an interrupt keeps them): a failed line is still
    # reported, with its reason, however early it failed.
    with open("/dev/full", "w") as full:
        result = subprocess.run([decaybench, "verify", out, "--sample", "1"], stdout=full, stderr=subprocess.PIPE, text=True)
    assert result.returncode == 1 and "cannot write to standard output: No space left on device" in result.stderr


def test_run_finishes_and_saves_when_its_progress_cannot_be_written(decaybench, tmp_path):
    # `run … 2>&1 | head -1`, quitting `less`, or a log on a full disk: progress lines fail to
    # write, which must not end the run (it trapped in FileHandle.write, status 132, no file).
    grid = write_grid(str(tmp_path), SMALL_GRID)
    closed = str(tmp_path / "closed.h5")
    with subprocess.Popen([decaybench, "run", grid, "--out", closed], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) as process:
        process.stderr.readline()
        process.stderr.close()
        process.wait(timeout=600)
    assert process.returncode == 0
    full = str(tmp_path / "full.h5")
    with open("/dev/full", "w") as device:
        result = subprocess.run([decaybench, "run", grid, "--out", full], stdout=subprocess.DEVNULL, stderr=device)
    assert result.returncode == 0
    for out in (closed, full):
        with h5py.File(out) as f:
            assert f.attrs["complete"] == 1 and len(f["runs"]) == 16


def test_overwrite_replaces_only_results_files_and_never_an_input(decaybench, results, tmp_path):
    grid = write_grid(str(tmp_path), SMALL_GRID)
    original = open(grid).read()
    result = run(decaybench, "run", grid, "--out", grid, "--overwrite", "--quiet", check=False)
    assert result.returncode == 2 and "is not an HDF5 file" in result.stderr
    assert open(grid).read() == original   # was replaced by the results
    notes = str(tmp_path / "notes.h5")
    with open(notes, "w") as handle:
        handle.write("notes\n")
    for arguments in (["run", grid, "--out", notes, "--overwrite", "--quiet"], ["run", grid, "--out", notes, "--resume", "--quiet"],
                      [*TRAIN, "--epochs", "1", "--out", notes, "--overwrite"]):
        result = run(decaybench, *arguments, check=False)
        assert result.returncode == 2, (arguments, result.stderr)   # --resume was 1 with HDF5's internals
        assert open(notes).read() == "notes\n"
    shard = str(tmp_path / "shard.h5")
    shutil.copy(results, shard)
    result = run(decaybench, "merge", shard, "--out", shard, "--overwrite", check=False)
    assert result.returncode == 2 and "is the input" in result.stderr


def test_overwrite_keeps_a_users_file_named_like_a_run_inside_the_journal(decaybench, tmp_path):
    grid = write_grid(str(tmp_path), SMALL_GRID)
    out = str(tmp_path / "k.h5")
    os.mkdir(out + ".parts")
    mine = os.path.join(out + ".parts", "0123456789abcdef.h5")
    with open(mine, "w") as handle:
        handle.write("mine\n")
    result = run(decaybench, "run", grid, "--out", out, "--overwrite", "--quiet", check=False)
    assert result.returncode == 2 and "is not a decaybench journal" in result.stderr
    assert open(mine).read() == "mine\n"   # was deleted with the journal


def test_merge_removes_the_temporary_a_killed_merge_left(decaybench, results, tmp_path):
    out = str(tmp_path / "m.h5")
    dead = subprocess.Popen(["true"])
    dead.wait()
    left = f"{out}.tmp-{dead.pid}"
    shutil.copy(results, left)
    run(decaybench, "merge", results, "--out", out)
    assert not os.path.exists(left)


def test_run_into_a_missing_directory_is_the_paths_fault(decaybench, tmp_path):
    grid = write_grid(str(tmp_path), SMALL_GRID)
    result = run(decaybench, "run", grid, "--out", str(tmp_path / "nodir" / "x.h5"), check=False)
    assert result.returncode == 2 and "does not exist" in result.stderr   # was 1, failing to make the lock


def test_an_alias_bomb_as_a_key_is_refused_at_once(decaybench, tmp_path):
    lines = ["name: bomb", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    lines.append("? [*a8]\n: 1")
    grid = str(tmp_path / "bomb.yaml")
    with open(grid, "w") as handle:
        handle.write("\n".join(lines) + "\n")
    started = time.monotonic()
    result = run(decaybench, "plan", grid, check=False)
    assert time.monotonic() - started < 20   # 10^8 nodes hashed: over a minute
    assert result.returncode == 2 and "bomb.yaml:11:3: a mapping key is a list or a mapping" in result.stderr


def test_a_tagged_alias_bomb_as_a_value_is_read_at_once_and_its_tag_reported_once(decaybench, tmp_path):
    # Checking tags on the composed nodes walked the value as the 10^9 nodes it expands into.
    lines = ["name: bomb", "a0: &a0 [!custom x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    grid = str(tmp_path / "bomb.yaml")
    with open(grid, "w") as handle:
        handle.write("\n".join(lines) + "\n")
    started = time.monotonic()
    result = subprocess.run([decaybench, "plan", grid], capture_output=True, text=True, timeout=120)
    assert time.monotonic() - started < 20
    assert result.returncode == 2, result.stderr[-500:]
    assert result.stderr.count("unknown YAML tag '!custom'") == 1
    assert "bomb.yaml:2:10: a0[0]: unknown YAML tag '!custom'" in result.stderr


def test_a_grid_too_long_for_an_attribute_is_stored_as_a_dataset_and_read_back(decaybench, tmp_path):
    blocks = "\n".join(f"  - regularization: {{lambda: {0.001 * (i + 1):.3f}}}" for i in range(80))
    comments = "\n".join("# " + "c" * 100 for _ in range(700))
    grid = write_grid(str(tmp_path), """
        name: many-blocks
        dataset: {name: synthetic-classification, samples: 200, features: 5, classes: 3}
        model: {kind: softmax}
        optimizer: {kind: sgd, lr: 0.1}
        training: {epochs: 1, batch_size: 32}
        blocks:
        """ + blocks.replace("\n", "\n        ") + "\n" + comments + "\n")
    out = str(tmp_path / "b.h5")
    run(decaybench, "run", grid, "--out", out, "--quiet")   # trained all 80, then could not write the file
    with h5py.File(out) as f:
        assert "grid_text" not in f.attrs and "grid_canonical" not in f.attrs
        text = f["grid_text"][0].decode()
        assert text == open(grid).read() and len(text) > 64_000 and len(f["grid_canonical"][0]) > 64_000
        assert len(f["runs"]) == 80
    result = run(decaybench, "run", grid, "--out", out, "--resume", "--quiet")
    assert "already holds every run" in result.stdout   # the stored grid is read back and matches
    assert "grid 'many-blocks'" in run(decaybench, "inspect", out).stdout
    merged = str(tmp_path / "m.h5")
    run(decaybench, "merge", out, "--out", merged)
    with h5py.File(merged) as f:
        assert f["grid_text"][0].decode() == open(grid).read()


def test_damaged_configuration_json_and_repeated_keys_name_the_place(decaybench, results, tmp_path):
    broken, repeated = str(tmp_path / "json.h5"), str(tmp_path / "keys.h5")
    shutil.copy(results, broken)
    shutil.copy(results, repeated)
    with h5py.File(broken, "r+") as f:
        key = f["runs"]["key"][0].decode()
        f[f"config/{key}"].attrs["json"] = '{"not json'
    with h5py.File(repeated, "r+") as f:
        rows = f["runs"][()]
        rows[1]["key"] = rows[0]["key"]
        f["runs"][...] = rows
    result = run(decaybench, "inspect", broken, check=False)
    assert result.returncode == 2 and f"the attribute json of /config/{key} is not a configuration" in result.stderr
    assert "DecodingError" not in result.stderr
    for arguments in (["inspect", repeated], ["compare", results, repeated]):
        result = run(decaybench, *arguments, check=False)
        assert result.returncode == 2 and "twice; the file is damaged" in result.stderr   # compare dropped a run


def test_verify_with_nothing_finished_does_not_pass(decaybench, results, tmp_path):
    pending = str(tmp_path / "pending.h5")
    shutil.copy(results, pending)
    with h5py.File(pending, "r+") as f:
        rows = f["runs"][()]
        rows["status"] = b"pending"
        f["runs"][...] = rows
    result = run(decaybench, "verify", pending, check=False)
    assert result.returncode == 3 and "nothing to verify" in result.stdout   # was 0, "all 0 reproduced"


def test_status_and_claims_blame_the_input_for_unreadable_files_and_paths(decaybench, results, tmp_path):
    sweep = tmp_path / "sweep"
    sweep.mkdir()
    with open(sweep / "shard-1.h5", "w") as handle:
        handle.write("not hdf5\n")
    result = run(decaybench, "status", str(sweep), "--shards", "2", check=False)
    assert result.returncode == 2, result.stderr
    result = run(decaybench, "claims", results, "--out", results, check=False)
    assert result.returncode == 2 and "is not a directory" in result.stderr


def test_csv_fields_with_a_nul_byte_or_of_any_length_are_reported_readably(decaybench, tmp_path):
    nul, long, wide = str(tmp_path / "nul.csv"), str(tmp_path / "long.csv"), str(tmp_path / "wide.csv")
    with open(nul, "wb") as handle:
        handle.write(b"a,b,c,y\n1,2,3,0\n4,5,6,1\n1,1,1,1\x0070000\n2,2,2,1\n3,3,3,0\n")
    with open(long, "w") as handle:
        handle.write("a,y\n" + "1" * 100_000 + "x,0\n1,0\n2,1\n")
    with open(wide, "w") as handle:
        handle.write(",".join(["1"] * 1_000_002) + "\n")
    arguments = ["train", "--dataset", "csv", "--task", "classification", "--model", "softmax", "--epochs", "1"]
    result = run(decaybench, *arguments, "--data-path", nul, check=False)
    assert result.returncode == 2 and "line 4, column 4" in result.stderr and '"1\\070000"' in result.stderr  # read as 1
    result = run(decaybench, *arguments, "--data-path", long, check=False)
    assert result.returncode == 2 and "(100001 characters)" in result.stderr and len(result.stderr) < 1000
    result = run(decaybench, *arguments, "--no-header", "--data-path", wide, check=False)
    assert result.returncode == 2 and "at most 1000000 features" in result.stderr   # trained on 1,000,001


def test_plan_refuses_subsets_larger_than_their_split_as_run_would(decaybench, tmp_path):
    grid = write_grid(str(tmp_path), """
        name: subsets
        dataset: {name: synthetic-classification, samples: 200, features: 5, classes: 3, train_subset: 1000, test_subset: 50}
        model: {kind: softmax}
        optimizer: {kind: sgd, lr: 0.1}
        training: {epochs: 1, batch_size: 32}
        """)
    result = run(decaybench, "plan", grid, check=False)
    assert result.returncode == 2, result.stdout   # plan said 1 run; run failed loading the data
    assert "dataset.train_subset: expected at most the 160 training points available, got 1000" in result.stderr
    assert "dataset.test_subset: expected at most the 40 test points available, got 50" in result.stderr


def test_plan_refuses_an_idx_directory_without_the_files_as_run_would(decaybench, tmp_path):
    grid = write_grid(str(tmp_path), f"""
        name: missing-idx
        dataset: {{name: fashion-mnist, path: {tmp_path / "nowhere"}}}
        model: {{kind: softmax}}
        optimizer: {{kind: sgd, lr: 0.1}}
        training: {{epochs: 1}}
        """)
    result = run(decaybench, "plan", grid, check=False)
    assert result.returncode == 2, result.stdout   # plan estimated the run; run could not find the files
    assert "cannot find the data set of run 0: data files not found" in result.stderr


def test_sigterm_ends_report_with_130_and_stops_its_script(decaybench, results, tmp_path):
    report = str(tmp_path / "report")
    script = str(tmp_path / "slow_report.py")
    with open(script, "w") as handle:
        handle.write("import sys, time\ntime.sleep(5)\nopen(sys.argv[sys.argv.index('--out') + 1] + '/late.txt', 'w').write('x')\n")
    process = subprocess.Popen([decaybench, "report", results, "--out", report, "--script", script],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not os.path.exists(os.path.join(report, "claims.json")) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    process.send_signal(15)
    process.wait(timeout=60)
    assert process.returncode == 130   # was 143, with the script left running
    time.sleep(6)
    assert not os.path.exists(os.path.join(report, "late.txt"))   # the script wrote on alone


def test_data_errors_name_the_field_as_users_write_it(decaybench, tmp_path):
    tiny = str(tmp_path / "two.csv")
    with open(tiny, "w") as handle:
        handle.write("a,y\n1,0\n2,1\n")
    result = run(decaybench, "train", "--dataset", "csv", "--task", "classification", "--model", "softmax",
                 "--epochs", "1", "--data-path", tiny, check=False)
    assert result.returncode == 2 and "dataset.test_fraction (--test-fraction): expected a fraction" in result.stderr
    assert "data spec field" not in result.stderr and "testFraction" not in result.stderr


def test_a_byte_that_is_not_utf8_is_located(decaybench, tmp_path):
    grid = str(tmp_path / "latin.yaml")
    with open(grid, "wb") as handle:
        handle.write(b"name: x\ndescription: caf\xe9 ok\n")
    result = run(decaybench, "plan", grid, check=False)
    assert result.returncode == 2 and "latin.yaml:2:17: the grid file is not UTF-8 text" in result.stderr   # was 1:1


def test_a_declared_size_within_memory_but_beyond_the_address_space_limit_is_damage(decaybench, results, tmp_path):
    # 30 million rows of /runs: about 10 GB, under this machine's memory but over a 4 GB ulimit -v.
    damaged = resized_copy(results, str(tmp_path / "big.h5"), "runs", (30_000_000,))
    result = subprocess.run(["bash", "-c", f"ulimit -v 4000000; exec '{decaybench}' inspect '{damaged}'"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, (result.returncode, result.stderr[-800:])   # was a failed allocation (134)
    assert "the file is damaged" in result.stderr


def test_keys_moved_between_rows_or_settings_put_under_another_key_are_damage(decaybench, results, tmp_path):
    # Reading such a file gave one run's curves to another, and compare, claims and merge
    # went on with them; only rerun and verify noticed.
    moved = str(tmp_path / "moved.h5")
    shutil.copy(results, moved)
    with h5py.File(moved, "r+") as f:
        runs = f["runs"][()]
        first, second = runs["key"][0], runs["key"][1]
        runs["key"][0], runs["key"][1] = second, first
        f["runs"][...] = runs
    result = run(decaybench, "inspect", moved, check=False)
    assert result.returncode == 2, (result.returncode, result.stdout[-500:])
    assert "out of grid order: keys were moved between rows; the file is damaged" in result.stderr

    swapped = str(tmp_path / "swapped.h5")
    shutil.copy(results, swapped)
    with h5py.File(swapped, "r+") as f:
        keys = [key.decode() for key in f["runs"]["key"]]
        f["config"][keys[0]].attrs["json"] = f["config"][keys[1]].attrs["json"]
    result = run(decaybench, "inspect", swapped, check=False)
    assert result.returncode == 2, (result.returncode, result.stdout[-500:])
    assert f"/config/{keys[0]} holds the settings of another run (they hash to key {keys[1]})" in result.stderr
    # The file as written reads.
    assert run(decaybench, "inspect", results).returncode == 0
