"""The benchmark driver's --quick mode: its JSON holds every measurement, and every ratio is
computed from its own medians. No timing is asserted (the machine is shared and noisy)."""
import json
import os
import statistics
import subprocess
import sys

import pytest

BENCH = os.path.join(os.path.dirname(__file__), "..", "..", "experiments", "bench", "bench.py")
DECAYBENCH_MEASUREMENTS = {
    "mlp_epoch": ["decaybench"], "logreg_epoch": ["decaybench"], "sgemm_floor": ["seconds"],
    "sweep": ["decaybench_jobs_n", "decaybench_jobs_1"], "load": ["decaybench", "numpy"],
    "hdf5_write": ["decaybench"], "peak_rss": ["two_jobs_mb"], "plan": ["estimate"],
}
RATIOS = ["mlp_vs_pytorch", "mlp_vs_sgemm_floor", "pytorch_mlp_vs_sgemm_floor", "logreg_vs_pytorch",
          "sweep_throughput_vs_pytorch", "jobs_n_vs_jobs_1", "load_vs_numpy", "hdf5_share_of_sweep",
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
