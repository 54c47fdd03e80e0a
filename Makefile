# DecayBench: `make run` sets up, builds and runs the quickstart grid; `make test` runs every test;
# `make bench` measures DecayBench against PyTorch. All install what is missing first, so they work
# on a fresh Debian 12 machine (only `make bench` installs PyTorch, a 200 MB wheel).

SHELL := /bin/bash
SWIFT ?= swift
PYTHON ?= python3
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := pkg-config libhdf5-dev libopenblas-dev zlib1g-dev libdeflate-dev libssl-dev dataset-fashion-mnist
# For the Slurm test only (Tests/Interop/test_slurm.py starts a single-node cluster with them).
SLURM_APT_PACKAGES := slurm-wlm munge
# matplotlib is pinned: `decaybench report` draws its figures with it (experiments/report/make_report.py).
PIP_PACKAGES := h5py pandas xarray h5netcdf pytest matplotlib==3.11.2
# The benchmark compares with exactly this build: a plain `torch` would pull gigabytes of CUDA wheels.
TORCH := torch==2.13.0+cpu
DECAYBENCH := .build/release/decaybench

.PHONY: run paper test bench setup system-packages slurm-packages python-packages torch build release swift-test interop-test clean

run: setup release
	$(DECAYBENCH) run experiments/quickstart.yaml --out results/quickstart.h5 --resume

# The paper grids, one after another, each resumable; then the claims and the report from all of them.
PAPER_GRIDS := equivalence norm-ball-ridge lr-decay-plateau l1-sparsity weight-norm biases warm-restarts \
	normalized-decay generalization schedules separability
paper: setup release
	@mkdir -p results/paper
	@for grid in $(PAPER_GRIDS); do \
		$(DECAYBENCH) run experiments/paper/$$grid.yaml --out results/paper/$$grid.h5 --resume --quiet || exit $$?; \
	done
	$(DECAYBENCH) report results/paper/*.h5 --out results/paper/report

test: setup slurm-packages swift-test interop-test

setup: system-packages python-packages

# The side-by-side benchmark (15 to 25 minutes, with the machine kind and its load): prints the ratios, writes results/bench/latest.json.
bench: setup release torch
	$(PYTHON) experiments/bench/bench.py

# Installs only what is missing, so a machine that has everything does no network work.
system-packages:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing: $$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

# Where they cannot be installed (no root, no sudo, no network) the Slurm test is skipped
# and says why; the other tests still run.
slurm-packages:
	@missing=$$(for p in $(SLURM_APT_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing: $$missing"; \
		{ $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; } || \
			echo "could not install $$missing: the Slurm test will be skipped"; \
	fi

python-packages:
	@$(PYTHON) -c "import h5py, pandas, xarray, h5netcdf, pytest, matplotlib; assert matplotlib.__version__ == '3.11.2'" 2>/dev/null || \
		$(PYTHON) -m pip install --quiet --disable-pip-version-check $(PIP_PACKAGES)

torch:
	@$(PYTHON) -c "import sys, torch; sys.exit(torch.__version__ != '2.13.0+cpu')" 2>/dev/null || \
		$(PYTHON) -m pip install --quiet --disable-pip-version-check $(TORCH)

build:
	$(SWIFT) build

release:
	$(SWIFT) build -c release

swift-test:
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	@# The tests above run unoptimized code; this checks, optimized, that the baseline and AVX2
	@# builds of the update loops give the same bits (it fails if they differ; its timings are not judged).
	$(SWIFT) build -c release --product UpdateChainBenchmark
	.build/release/UpdateChainBenchmark 1 20

# Command-line and interoperability tests against the debug binary that swift-test built.
interop-test: build
	DECAYBENCH=$(CURDIR)/.build/debug/decaybench $(PYTHON) -m pytest -q Tests/Interop

clean:
	rm -rf .build
