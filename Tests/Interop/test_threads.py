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
