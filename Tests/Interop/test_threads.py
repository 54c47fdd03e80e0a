"""BLAS threads: one by default, and a warning whenever threads outnumber the cores."""
import os

from conftest import run, write_grid

CORES = os.cpu_count() or 1


def grid(directory, blas_threads):
    return write_grid(directory, f"""
        name: threads
        dataset: {{name: synthetic-classification, samples: 200, features: 5, classes: 3}}
        model: {{kind: mlp, hidden: [4]}}
        optimizer: {{kind: sgd}}
        training: {{epochs: 1, batch_size: 50, blas_threads: {blas_threads}}}
        grid:
          lr: [0.01, 0.1]
        """)


def test_run_warns_when_jobs_times_blas_threads_exceed_the_cores(decaybench, tmp_path):
    path = grid(str(tmp_path), CORES + 1)
    result = run(decaybench, "run", path, "--out", str(tmp_path / "out.h5"), "--jobs", "1", "--quiet")
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1, result.stderr
    assert f"1 jobs × {CORES + 1} BLAS threads" in warnings[0]


def test_run_is_silent_with_one_blas_thread_per_core(decaybench, tmp_path):
    path = grid(str(tmp_path), 1)
    result = run(decaybench, "run", path, "--out", str(tmp_path / "out.h5"), "--jobs", str(CORES), "--quiet")
    assert "warning" not in result.stderr, result.stderr


def test_train_uses_one_blas_thread_unless_told(decaybench, tmp_path):
    common = ["train", "--dataset", "synthetic-classification", "--samples", "200", "--features", "5",
              "--model", "softmax", "--epochs", "1", "--quiet", "--out"]
    run(decaybench, *common, str(tmp_path / "default.h5"))
    run(decaybench, *common, str(tmp_path / "one.h5"), "--blas-threads", "1")
    import h5py
    with h5py.File(tmp_path / "default.h5") as default, h5py.File(tmp_path / "one.h5") as one:
        assert default.attrs["blas_threads"] == 1
        assert default["runs"]["key"][0] == one["runs"]["key"][0]


def test_train_warns_when_blas_threads_exceed_the_cores(decaybench, tmp_path):
    result = run(decaybench, "train", "--dataset", "synthetic-classification", "--samples", "200", "--features", "5",
                 "--model", "softmax", "--epochs", "1", "--quiet", "--blas-threads", str(CORES + 1))
    assert f"warning: {CORES + 1} BLAS threads on {CORES} cores" in result.stderr


# Under an address-space limit OpenBLAS does not fail when its buffers do not fit: it retries
# its allocation forever (or takes what the rest needs, and the process aborts). Each of its
# threads maps about 136 MiB, so 64 threads never fit in 4 GB.
ADDRESS_SPACE_LIMIT_KIB = 4_000_000
MLP_TRAINING = ["train", "--dataset", "synthetic-classification", "--samples", "2000", "--features", "300",
                "--model", "mlp", "--hidden", "512,512", "--batch-size", "512", "--epochs", "1", "--quiet"]


def limited(decaybench, *args, cwd=None, limit_kib=ADDRESS_SPACE_LIMIT_KIB, environment=None):
    """decaybench under `ulimit -v`, with the environment's OPENBLAS_* variables replaced by
    `environment`'s or, by default, removed (OpenBLAS then loads as it would by itself)."""
    import shlex
    import subprocess
    command = f"ulimit -v {limit_kib}; exec {shlex.quote(decaybench)} " + " ".join(map(shlex.quote, args))
    inherited = {name: value for name, value in os.environ.items() if not name.startswith("OPENBLAS_")}
    return subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=120, cwd=cwd,
                          env=dict(inherited, **(environment or {})))


TINY_TRAINING = ["train", "--dataset", "synthetic-classification", "--samples", "200", "--features", "5",
                 "--model", "mlp", "--hidden", "8", "--epochs", "1", "--quiet"]


def test_no_command_hangs_on_openblas_worker_buffers_that_do_not_fit(decaybench, tmp_path):
    # OpenBLAS starts a worker per core when it loads, each mapping a 128 MiB buffer at once;
    # one whose buffer did not fit retried forever, and the process never exited: with a
    # limit of 250 MB on two cores `--version` printed nothing and spun until killed (here a
    # timeout). Started again with one OpenBLAS thread, the commands answer, and training
    # that cannot have its buffer is refused with the reason.
    for limit_kib in (200_000, 250_000):
        version = limited(decaybench, "--version", limit_kib=limit_kib)
        assert version.returncode == 0 and version.stdout.strip(), (limit_kib, version.returncode, version.stderr[-800:])
        refused = limited(decaybench, *TINY_TRAINING, "--out", str(tmp_path / "run.h5"), limit_kib=limit_kib)
        assert refused.returncode == 2, (limit_kib, refused.returncode, refused.stderr[-800:])
        assert "1 OpenBLAS thread needs about 144 MiB of address space" in refused.stderr, refused.stderr
        assert "OpenBLAS would wait for the rest forever: raise the limit" in refused.stderr, refused.stderr
    assert os.listdir(tmp_path) == []
    # With room for them, the threads asked for still train, OpenBLAS starting the workers it lacks.
    trained = limited(decaybench, *TINY_TRAINING, "--blas-threads", "2", "--out", str(tmp_path / "run.h5"),
                      limit_kib=1_000_000)
    assert trained.returncode == 0, (trained.returncode, trained.stderr[-800:])
    import h5py
    with h5py.File(tmp_path / "run.h5") as results:
        assert results.attrs["blas_threads"] == 2


def test_train_refuses_blas_threads_beyond_the_address_space_limit_and_the_count_it_offers_trains(decaybench, tmp_path):
    refused = limited(decaybench, *MLP_TRAINING, "--blas-threads", "64", "--out", str(tmp_path / "run.h5"))
    assert refused.returncode == 2, (refused.returncode, refused.stderr[-800:])   # was a hang, or 134
    assert "--blas-threads: 64 OpenBLAS threads need about" in refused.stderr
    assert not os.path.exists(tmp_path / "run.h5")
    import re
    fitting = int(re.search(r"use at most (\d+) BLAS threads", refused.stderr).group(1))
    assert 4 <= fitting < 64, refused.stderr
    # The count offered is one that works under the same limit, on products large enough to
    # use every thread.
    accepted = limited(decaybench, *MLP_TRAINING, "--blas-threads", str(fitting), "--out", str(tmp_path / "run.h5"))
    assert accepted.returncode == 0, (fitting, accepted.returncode, accepted.stderr[-800:])
    assert os.path.exists(tmp_path / "run.h5")


def test_run_refuses_a_grids_blas_threads_beyond_the_address_space_limit_before_touching_anything(decaybench, tmp_path):
    path = grid(str(tmp_path), 64)
    refused = limited(decaybench, "run", path, "--out", str(tmp_path / "out.h5"), "--jobs", "2")
    assert refused.returncode == 2, (refused.returncode, refused.stderr[-800:])
    assert "training.blas_threads and --jobs: 2 jobs at once with 64 OpenBLAS threads each need about" in refused.stderr \
        or (CORES == 1 and "64 OpenBLAS threads need about" in refused.stderr)
    assert sorted(os.listdir(tmp_path)) == ["grid.yaml"]


def test_verify_under_the_limit_says_the_recorded_threads_do_not_fit_instead_of_hanging(decaybench, tmp_path):
    out = str(tmp_path / "out.h5")
    run(decaybench, "run", grid(str(tmp_path), 64), "--out", out, "--jobs", "1", "--quiet")
    result = limited(decaybench, "verify", out)
    assert result.returncode == 1, (result.returncode, result.stdout[-800:], result.stderr[-800:])
    assert result.stdout.count("\nERROR") == 2, result.stdout
    assert "with the 64 BLAS threads it was computed with" in result.stdout
    assert result.stdout.count("OpenBLAS would wait for the rest forever: raise the limit") == 2, result.stdout


def test_a_model_the_address_space_cannot_hold_is_refused_before_it_is_allocated(decaybench, tmp_path):
    # 10^8 parameters, within the limits: Adam's state alone is 800 MB, and Swift ends the
    # process when an allocation fails ("failed to allocate", status 134) in train, plan and run.
    model = ["--dataset", "synthetic-classification", "--samples", "20", "--features", "10000", "--hidden", "9990"]
    grid = tmp_path / "big.yaml"
    grid.write_text("name: big\ndataset: {name: synthetic-classification, samples: 20, features: 10000}\n"
                    "model: {kind: mlp, hidden: [9990]}\noptimizer: {kind: adam, lr: 0.001}\ntraining: {epochs: 1}\n"
                    "seeds: [0, 1]\n")
    for arguments, who in ((["train", *model, "--epochs", "1", "--out", str(tmp_path / "t.h5")], "the model needs about"),
                           (["plan", str(grid)], "the model of run 0 needs about"),
                           (["run", str(grid), "--out", str(tmp_path / "r.h5")], "the model of run 0 needs about")):
        refused = limited(decaybench, *arguments, limit_kib=1_500_000)
        assert refused.returncode == 2, (arguments, refused.returncode, refused.stderr[-800:])
        assert who in refused.stderr and "address-space limit (ulimit -v, 1.4 GiB)" in refused.stderr, refused.stderr
    # Two at once do not fit 4 GB where one does: run names the jobs as the remedy.
    refused = limited(decaybench, "run", str(grid), "--out", str(tmp_path / "r.h5"), "--jobs", "2")
    assert refused.returncode == 2 and "2 runs at once" in refused.stderr and "use fewer --jobs" in refused.stderr, refused.stderr
    assert sorted(os.listdir(tmp_path)) == ["big.yaml"]


def test_data_the_address_space_cannot_hold_is_refused_before_it_is_read(decaybench, tmp_path):
    # Under ulimit -v, loading Fashion-MNIST ended the process ("failed to allocate", status
    # 134): the size check compared the 188 MB of training floats with the machine's free
    # memory, not with what the limit leaves; the two splits, read at once, each counted the
    # room the other took; and the gzip file was inflated whole before any check.
    training = ["train", "--dataset", "fashion-mnist", "--model", "mlp", "--hidden", "8", "--epochs", "1",
                "--out", str(tmp_path / "run.h5")]
    # Each limit twice: what the limit leaves depends on what the process has mapped at the
    # moment it checks, which is not the same from one start to the next.
    for limit_kib in (250_000, 350_000, 450_000, 550_000) * 2:
        refused = limited(decaybench, *training, limit_kib=limit_kib)
        assert refused.returncode == 2, (limit_kib, refused.returncode, refused.stderr[-800:])
        assert "train-images-idx3-ubyte" in refused.stderr and "is too large" in refused.stderr, refused.stderr
        assert "that this process's address-space limit (ulimit -v) leaves it" in refused.stderr, refused.stderr
    assert os.listdir(tmp_path) == [], "nothing written"

