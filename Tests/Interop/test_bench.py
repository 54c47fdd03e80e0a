"""The benchmark driver's --quick mode: its JSON holds every measurement, and every ratio is
computed from its own medians. No timing is asserted (the machine is shared and noisy)."""
import importlib.util
import json
import os
import statistics
import subprocess
import sys

import pytest

BENCH = os.path.join(os.path.dirname(__file__), "..", "..", "experiments", "bench", "bench.py")
DECAYBENCH_MEASUREMENTS = {
    "mlp_epoch": ["decaybench"], "logreg_epoch": ["decaybench"], "sgemm_floor": ["seconds"],
    "mlp_epoch_cpu": ["decaybench"], "logreg_epoch_cpu": ["decaybench"],
    "sweep": ["decaybench_jobs_n", "decaybench_jobs_1"], "load": ["decaybench", "numpy"],
    "hdf5_write": ["decaybench"], "peak_rss": ["two_jobs_mb"], "plan": ["estimate"],
    "mlp_process_difference": ["decaybench"], "logreg_process_difference": ["decaybench"],
}
RATIOS = ["mlp_vs_pytorch", "mlp_vs_sgemm_floor", "pytorch_mlp_vs_sgemm_floor", "mlp_vs_pytorch_by_cpu", "logreg_vs_pytorch",
          "mlp_vs_pytorch_by_process", "logreg_vs_pytorch_by_process", "sweep_throughput_vs_pytorch", "jobs_n_vs_jobs_1", "load_vs_numpy", "hdf5_share_of_sweep",
          "plan_vs_measured", "peak_rss_two_jobs_mb"]


@pytest.fixture(scope="module")
def quick_result(decaybench, tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "quick.json"
    # Without PyTorch, so that `make test` never needs it: its columns must say they were skipped.
    completed = subprocess.run([sys.executable, BENCH, "--quick", "--no-torch", "--decaybench", decaybench, "--out", str(out)],
                               capture_output=True, text=True, timeout=1800)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return json.loads(out.read_text()), completed.stdout


def median_of(result, path):
    group, field = path.split(".", 1)
    return result["measurements"][group][field]["median"]


def test_every_measurement_has_five_samples_and_their_median(quick_result):
    result, _ = quick_result
    for group, fields in DECAYBENCH_MEASUREMENTS.items():
        for field in fields:
            entry = result["measurements"][group][field]
            assert len(entry["samples"]) >= 5, (group, field)
            assert entry["median"] == statistics.median(entry["samples"]), (group, field)


def test_ratios_are_computed_from_the_medians_and_torch_ones_say_skipped(quick_result):
    result, _ = quick_result
    ratios = result["ratios"]
    assert sorted(ratios) == sorted(RATIOS)
    for name, entry in ratios.items():
        if "pytorch" in (entry["numerator"] + str(entry["denominator"])):
            assert entry["value"] is None and entry["met"] is None and entry["skipped"] == "--no-torch", name
        elif entry["denominator"] is None:
            assert entry["value"] == median_of(result, entry["numerator"]), name
        else:
            expected = median_of(result, entry["numerator"]) / median_of(result, entry["denominator"])
            assert entry["value"] == pytest.approx(expected, rel=1e-12), name
            assert isinstance(entry["met"], bool), name


def test_each_ratio_is_also_given_round_by_round(quick_result):
    result, stdout = quick_result
    rounds = result["rounds_recorded"]
    assert rounds == 5
    checked = 0
    for name, entry in result["ratios"].items():
        if entry["value"] is None or entry["denominator"] is None:
            assert "per_round" not in entry, name
            continue
        tops = [statistics.median(chunk) for chunk in rounds_of(result, entry["numerator"], rounds)]
        bottoms = [statistics.median(chunk) for chunk in rounds_of(result, entry["denominator"], rounds)]
        expected = [t / b if t > 0 and b > 0 else None for t, b in zip(tops, bottoms)]
        assert entry["per_round"] == pytest.approx(expected, rel=1e-12), name
        if entry["target"] is not None:
            comparison, bound = entry["target"].split()
            meets = {"<=": lambda r: r <= float(bound), ">=": lambda r: r >= float(bound),
                     "within": lambda r: abs(r - 1) <= float(bound)}[comparison]
            assert entry["rounds_met"] == sum(meets(r) for r in expected if r is not None), name
            valid = [r for r in expected if r is not None]
            if valid:
                assert f"{entry['rounds_met']} of {len(valid)}" in stdout, name
        checked += 1
    assert checked >= 5


def rounds_of(result, path, rounds):
    """A measurement's samples, split into its rounds (some take two samples a round)."""
    group, field = path.split(".", 1)
    samples = result["measurements"][group][field]["samples"]
    assert len(samples) % rounds == 0, path
    size = len(samples) // rounds
    return [samples[i:i + size] for i in range(0, len(samples), size)]


def test_records_the_blas_core_and_versions_and_prints_the_table(quick_result):
    result, stdout = quick_result
    environment = result["environment"]
    # Every EPYC may be called "AMD EPYC": the family and model say which generation ran.
    assert environment["cpu_family"] and environment["cpu_model"], environment
    assert f"family {environment['cpu_family']}, model {environment['cpu_model']}" in stdout
    assert environment["blas_core"] and environment["openblas_config"].startswith("OpenBLAS")
    assert environment["cores"] >= 1 and environment["decaybench_version"]
    assert environment["torch"] is None and environment["torch_skipped"] == "--no-torch"
    assert result["quick"] is True
    for entry in result["ratios"].values():
        assert entry["meaning"] in stdout


def test_refuses_fewer_than_five_repetitions(decaybench):
    completed = subprocess.run([sys.executable, BENCH, "--quick", "--repetitions", "3", "--decaybench", decaybench],
                               capture_output=True, text=True, timeout=60)
    assert completed.returncode == 2
    assert "--repetitions must be at least 5" in completed.stderr


def load_bench_module():
    spec = importlib.util.spec_from_file_location("bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# A contender that starts up slowly, prints a header, three epoch lines and a summary.
FAKE_CONTENDER = """
import sys, time
time.sleep(0.5)
print("decaybench train: fake (loaded in 0.500 s)", flush=True)
print("epoch   eta_t     train_loss  test_loss", flush=True)
for epoch in (1, 2, 3):
    time.sleep(0.05)
    print(f"{epoch:5d}   1.00000     0.5  0.5  0.1  0.1", flush=True)
print("finished: 3/3 epochs", flush=True)
"""


def test_an_epoch_is_timed_between_its_lines_without_the_start_up():
    bench = load_bench_module()
    seconds, arrivals, _, stdout = bench.timed_epoch_lines([sys.executable, "-c", FAKE_CONTENDER])
    # The header, the load line and the summary are not epochs.
    assert sorted(arrivals) == [1, 2, 3]
    assert "finished: 3/3 epochs" in stdout and bench.Bench.load_seconds(stdout) == 0.5
    # Epoch 1's line came after the start-up, so the time from it to epoch 3's leaves the
    # start-up out: at most the whole process's time minus the half second of start-up.
    assert arrivals[1] >= 0.5
    assert arrivals[1] <= arrivals[2] <= arrivals[3] <= seconds
    assert arrivals[3] - arrivals[1] <= seconds - 0.5
    assert bench.epoch_seconds(arrivals, 1, 3, ["fake"]) == (arrivals[3] - arrivals[1]) / 2


# Epoch 2 works for 0.3 s of CPU time, epoch 3 sleeps for 0.3 s: the same wall time or more,
# and CPU time only for the first. A thread working beside the main one counts too.
BUSY_THEN_SLEEPING_CONTENDER = """
import threading, time
def work(seconds):
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass
print("    1  a b c d", flush=True)
helper = threading.Thread(target=work, args=(0.15,))
helper.start()
work(0.15)
helper.join()
print("    2  a b c d", flush=True)
time.sleep(0.3)
print("    3  a b c d", flush=True)
"""


def test_an_epoch_is_also_timed_by_the_cpu_time_of_all_the_contenders_threads():
    bench = load_bench_module()
    lines = bench.timed_epoch_lines([sys.executable, "-c", BUSY_THEN_SLEEPING_CONTENDER])
    assert sorted(lines.cpu) == [1, 2, 3]
    working = lines.cpu[2] - lines.cpu[1]
    sleeping = lines.cpu[3] - lines.cpu[2]
    # Both threads' 0.15 s, the helper's though it ended before the line, to the 1/100 s that
    # /proc counts in, and no more than a few milliseconds of the interpreter's own.
    assert 0.28 <= working <= 0.36, lines.cpu
    assert sleeping <= 0.03, lines.cpu
    # The sleep took its 0.3 s of wall time without using the core.
    assert lines.arrivals[3] - lines.arrivals[2] >= 0.3
    assert bench.epoch_seconds(lines.cpu, 1, 3, ["fake"]) == (lines.cpu[3] - lines.cpu[1]) / 2


def test_cpu_time_is_read_from_proc_for_a_running_process_and_none_once_it_is_gone():
    bench = load_bench_module()
    assert bench.cpu_seconds_of(os.getpid()) > 0
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()
    assert bench.cpu_seconds_of(finished.pid) is None


def test_a_contender_without_the_epoch_lines_or_that_fails_is_reported():
    bench = load_bench_module()
    arrivals = bench.timed_epoch_lines([sys.executable, "-c", "print('    1  a b c d')"]).arrivals
    with pytest.raises(bench.Failed, match="did not print the lines of epochs 1 and 3"):
        bench.epoch_seconds(arrivals, 1, 3, ["fake", "contender"])
    with pytest.raises(bench.Failed, match="exited 4"):
        bench.timed_epoch_lines([sys.executable, "-c", "import sys; print('    1  a b c d'); sys.exit(4)"])


def bench_result(finished, complete=True, quick=False):
    return {"benchmark": "decaybench-vs-pytorch", "finished_utc": finished, "complete": complete, "quick": quick}


def test_a_new_run_moves_the_previous_result_aside_instead_of_overwriting_it(tmp_path):
    bench = load_bench_module()
    out = tmp_path / "latest.json"
    assert bench.keep_previous(str(out)) is None

    out.write_text(json.dumps(bench_result("2026-12-05T19:36:01Z")))
    kept = bench.keep_previous(str(out))
    assert kept == str(tmp_path / "2026-12-05T19-36-01Z.json") and not out.exists()
    assert json.loads(open(kept).read())["finished_utc"] == "2026-12-05T19:36:01Z"

    # The same file again is already kept; another with the same time gets a name of its own.
    out.write_text(open(kept).read())
    assert bench.keep_previous(str(out)) == kept and not out.exists()
    out.write_text(json.dumps({**bench_result("2026-12-05T19:36:01Z"), "rounds_recorded": 3}))
    assert bench.keep_previous(str(out)) == str(tmp_path / "2026-12-05T19-36-01Z-2.json")

    # A run stopped part-way is kept too, and says so in its name.
    out.write_text(json.dumps(bench_result("2026-12-05T20:00:00Z", complete=False)))
    assert bench.keep_previous(str(out)) == str(tmp_path / "2026-12-05T20-00-00Z-incomplete.json")

    # A smoke run's file is left to be overwritten.
    out.write_text(json.dumps(bench_result("2026-12-05T20:01:00Z", quick=True)))
    assert bench.keep_previous(str(out)) is None and out.exists()


def test_a_file_that_is_not_a_benchmark_result_is_never_overwritten(decaybench, tmp_path):
    bench = load_bench_module()
    for text in ("my notes\n", json.dumps({"something": "else"})):
        mine = tmp_path / "latest.json"
        mine.write_text(text)
        with pytest.raises(bench.Failed, match="is not a benchmark result"):
            bench.keep_previous(str(mine))
        completed = subprocess.run([sys.executable, BENCH, "--quick", "--no-torch", "--decaybench", decaybench,
                                    "--out", str(mine)], capture_output=True, text=True, timeout=60)
        assert completed.returncode == 2 and "is not a benchmark result" in completed.stderr
        assert mine.read_text() == text

    # Neither read to find out: a FIFO would never answer, a file of 10^12 bytes would fill memory.
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    huge = tmp_path / "huge.json"
    with open(huge, "wb") as handle:
        handle.truncate(10 ** 12)   # sparse: no disk used
    for path in (fifo, huge):
        with pytest.raises(bench.Failed, match="is not a benchmark result"):
            bench.keep_previous(str(path))
    assert os.path.getsize(huge) == 10 ** 12
