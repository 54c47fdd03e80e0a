"""OpenBLAS's kernels: Haswell's on Zen 4, where OpenBLAS's own pick is slower; the user's
OPENBLAS_CORETYPE always stands. What decaybench starts after starting itself again (for the
kernels, or for one thread under an address-space limit) sees the OPENBLAS_* variables as the
user set them."""
import os
import re
import subprocess
import sys

import h5py
import pytest

from conftest import first_processor, processor_flags, run
from test_threads import TINY_TRAINING, limited

WIDE_VECTOR_CORES = {"skylakex", "cooperlake", "sapphirerapids"}


def without_openblas_variables():
    return {name: value for name, value in os.environ.items() if not name.startswith("OPENBLAS_")}


def openblas_library(decaybench):
    linked = subprocess.run(["ldd", decaybench], capture_output=True, text=True).stdout
    match = re.search(r"libopenblas\S*\s*=>\s*(\S+)", linked)
    assert match, f"{decaybench} does not link OpenBLAS:\n{linked}"
    return match.group(1)


def openblas_pick(decaybench):
    """The core OpenBLAS picks by itself on this processor, asked in a process of its own."""
    script = ("import ctypes, sys\n"
              "library = ctypes.CDLL(sys.argv[1])\n"
              "library.openblas_get_corename.restype = ctypes.c_char_p\n"
              "print(library.openblas_get_corename().decode().strip())\n")
    return subprocess.run([sys.executable, "-c", script, openblas_library(decaybench)], capture_output=True, text=True,
                          check=True, env=without_openblas_variables()).stdout.strip()


def amd_family():
    """The first processor's family from /proc/cpuinfo if AMD made it, else None."""
    fields = first_processor()
    return int(fields["cpu family"]) if fields.get("vendor_id") == "AuthenticAMD" else None


def recorded_core(path):
    with h5py.File(path) as results:
        return results.attrs["blas_core"].decode()   # a fixed-length string, read as bytes


def test_a_run_records_haswells_kernels_on_zen_4_and_openblass_own_pick_elsewhere(decaybench, tmp_path):
    picked = openblas_pick(decaybench)
    expected = "Haswell" if amd_family() == 25 and picked.lower() in WIDE_VECTOR_CORES else picked
    out = tmp_path / "run.h5"
    run(decaybench, *TINY_TRAINING, "--out", str(out), env=without_openblas_variables())
    assert recorded_core(out) == expected, (picked, amd_family())
    # Under an address-space limit the new start also sets the thread count; the kernels are the same.
    limited_out = tmp_path / "limited.h5"
    result = limited(decaybench, *TINY_TRAINING, "--out", str(limited_out), limit_kib=1_000_000)
    assert result.returncode == 0, result.stderr[-800:]
    assert recorded_core(limited_out) == expected


def test_the_users_openblas_coretype_stands(decaybench, tmp_path):
    if "avx" not in processor_flags():
        pytest.skip("the processor runs no core's kernels but the generic ones")
    # Sandybridge's kernels (AVX) run on every processor with AVX and are nobody's pick here.
    out = tmp_path / "run.h5"
    run(decaybench, *TINY_TRAINING, "--out", str(out), env={**without_openblas_variables(), "OPENBLAS_CORETYPE": "Sandybridge"})
    assert recorded_core(out) == "Sandybridge"


def test_the_processes_decaybench_starts_see_the_users_openblas_variables(decaybench, tmp_path):
    # A new start sets OPENBLAS_CORETYPE (on Zen 4) and, under an address-space limit,
    # OPENBLAS_NUM_THREADS; what the process starts (report's Python) gets both back as the
    # user had them, set or not, and none of the variables that carried them.
    results = str(tmp_path / "run.h5")
    run(decaybench, *TINY_TRAINING, "--out", results)
    python = tmp_path / "python"
    python.write_text('#!/bin/sh\nenv >> "$ENVIRONMENT_DUMP"\necho ---- >> "$ENVIRONMENT_DUMP"\n')
    python.chmod(0o755)
    other_core = "Sandybridge" if "avx" in processor_flags() else "Prescott"
    cases = [(False, {}), (True, {}), (True, {"OPENBLAS_NUM_THREADS": "3"}),
             (False, {"OPENBLAS_CORETYPE": other_core}), (True, {"OPENBLAS_CORETYPE": other_core})]
    for number, (under_limit, user_values) in enumerate(cases):
        dump = tmp_path / f"environment-{number}"
        environment = {**without_openblas_variables(), "ENVIRONMENT_DUMP": str(dump), **user_values}
        arguments = ["report", results, "--out", str(tmp_path / f"report-{number}"), "--python", str(python)]
        if under_limit:
            limited(decaybench, *arguments, environment=environment)
        else:
            subprocess.run([decaybench, *arguments], capture_output=True, text=True, timeout=120, env=environment)
        seen = [block.splitlines() for block in dump.read_text().split("----\n") if block.strip()]
        assert seen, ("the fake python never ran", under_limit, user_values)
        for lines in seen:
            assert not any(line.startswith("DECAYBENCH_SAVED_") for line in lines), lines
            for variable in ("OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS"):
                values = [line.split("=", 1)[1] for line in lines if line.startswith(variable + "=")]
                expected = [user_values[variable]] if variable in user_values else []
                assert values == expected, (under_limit, user_values, variable, values)
