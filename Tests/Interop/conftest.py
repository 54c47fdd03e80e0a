"""Shared fixtures: the decaybench binary and small grid files written per test."""
import json
import os
import subprocess
import textwrap
import time

import pytest

DECAYBENCH = os.environ.get("DECAYBENCH") or os.path.join(
    os.path.dirname(__file__), "..", "..", ".build", "debug", "decaybench")


@pytest.fixture(scope="session")
def decaybench():
    path = os.path.abspath(DECAYBENCH)
    if not os.access(path, os.X_OK):
        pytest.fail(f"decaybench binary not found at {path}; build it (swift build) or set DECAYBENCH")
    return path


def run(decaybench, *args, check=True, timeout=600, **kwargs):
    """Runs decaybench and returns the completed process (text output)."""
    result = subprocess.run([decaybench, *args], capture_output=True, text=True, timeout=timeout, **kwargs)
    if check and result.returncode != 0:
        raise AssertionError(f"decaybench {' '.join(args)} exited {result.returncode}\n"
                             f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}")
    return result


def wait_for_shards(parts, count, process, timeout=300):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if os.path.isdir(parts) and len([n for n in os.listdir(parts) if n.endswith(".h5")]) >= count:
            return
        if process.poll() is not None:
            pytest.fail(f"the run ended before {count} runs finished: {process.communicate()}")
        time.sleep(0.05)
    pytest.fail("timed out waiting for finished runs")


def kill_after_runs(decaybench, grid, out, count, *options):
    """Starts `decaybench run GRID --out OUT --quiet OPTIONS`, waits until `count` runs are saved
    in OUT.parts, and kills it with SIGKILL: a crash at a moment when some runs have finished."""
    process = subprocess.Popen([decaybench, "run", grid, "--out", out, "--quiet", *options],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wait_for_shards(out + ".parts", count, process)
    process.kill()
    process.wait()


def write_grid(directory, text, name="grid.yaml"):
    path = os.path.join(directory, name)
    with open(path, "w") as handle:
        handle.write(textwrap.dedent(text))
    return path


def grid_results(decaybench, tmp_path_factory, text, name):
    """Runs the grid `text` in a fresh directory (one worker, quietly); returns the results path."""
    directory = tmp_path_factory.mktemp(name)
    out = str(directory / f"{name}.h5")
    run(decaybench, "run", write_grid(str(directory), text), "--out", out, "--quiet")
    return out


def run_grid(decaybench, directory, text, name):
    """Runs a grid with two workers and JSON events; returns (results path, finished events by key, stdout)."""
    grid = write_grid(str(directory), text)
    out = str(directory / f"{name}.h5")
    result = run(decaybench, "run", grid, "--out", out, "--jobs", "2", "--log-format", "json")
    events = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    finished = {event["key"]: event for event in events if event["event"] == "finished"}
    return out, finished, result.stdout


def decode(frame):
    """A pandas frame of /runs with its fixed-length strings decoded."""
    for column in frame.columns:
        if frame[column].dtype == object:
            frame[column] = frame[column].str.decode("utf-8")
    return frame


# Sixteen quick runs: two penalties with their own λ lists, two learning rates, two seeds.
SMALL_GRID = """
    name: small
    description: interoperability test grid
    dataset: {name: synthetic-classification, samples: 300, features: 6, classes: 3, noise: 1.0}
    model: {kind: mlp, hidden: [8], activation: tanh, init: glorot}
    optimizer: {kind: adam}
    schedule: {kind: cosine}
    training: {epochs: 4, batch_size: 32}
    store: {params: final}
    grid:
      penalty: [l2, decoupled]
      lambda:
        l2: [0, 0.001]
        decoupled: [0.01, 0.1]
      lr: [0.01, 0.03]
    seeds: [0, 1]
    """

# A grid that takes a few seconds even in a debug build, for interrupting.
SLOW_GRID = """
    name: slow
    dataset: {name: synthetic-classification, samples: 4000, features: 40, classes: 4, noise: 1.0}
    model: {kind: mlp, hidden: [64, 64]}
    optimizer: {kind: sgd-momentum}
    training: {epochs: 6, batch_size: 16}
    store: {params: final}
    grid:
      penalty: [l2, decoupled]
      lambda: [0, 0.0001, 0.001]
      lr: [0.01, 0.03]
    seeds: [0]
    """

# Validation-based selection: a validation split, PyTorch's initialisation, normalized decay
# (λ_norm 0.05 in the paper's units, torch convention) and a learning rate that diverges.
SELECTION_GRID = """
    name: selection
    description: validation-based selection, NaN finals, normalized decay in the paper's units
    dataset: {name: synthetic-classification, samples: 300, features: 6, classes: 3, noise: 1.0, validation_fraction: 0.2}
    model: {kind: mlp, hidden: [8], activation: relu, init: torch}
    optimizer: {kind: sgd}
    regularization: {penalty: decoupled, lambda: 0.05, normalized: true}
    training: {epochs: 4, batch_size: 32}
    grid:
      lr: [0.05, 1000]
    seeds: [0, 1]
    """


def first_processor():
    """The fields /proc/cpuinfo lists for the first processor ("vendor_id", "cpu family",
    "flags", ...); empty where it lists none."""
    fields = {}
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if not line.strip():
                    break
                name, _, value = line.partition(":")
                fields[name.strip()] = value.strip()
    except OSError:
        pass
    return fields


def processor_flags():
    """The instruction sets /proc/cpuinfo lists for the first processor (empty where it lists none)."""
    return set(first_processor().get("flags", "").split())
