# DecayBench: `make run` sets up, builds and runs the quickstart grid; `make test` runs every test.
# Both install what is missing first, so they work on a fresh Debian 12 machine.

SHELL := /bin/bash
SWIFT ?= swift
PYTHON ?= python3
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := pkg-config libhdf5-dev libopenblas-dev zlib1g-dev dataset-fashion-mnist
# For the Slurm test only (Tests/Interop/test_slurm.py starts a single-node cluster with them).
SLURM_APT_PACKAGES := slurm-wlm munge
PIP_PACKAGES := h5py pandas xarray h5netcdf pytest
DECAYBENCH := .build/release/decaybench

.PHONY: run test setup system-packages slurm-packages python-packages build release swift-test interop-test clean

run: setup release
	$(DECAYBENCH) run experiments/quickstart.yaml --out results/quickstart.h5 --resume

test: setup slurm-packages swift-test interop-test

setup: system-packages python-packages

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
	@$(PYTHON) -c "import h5py, pandas, xarray, h5netcdf, pytest" 2>/dev/null || \
		$(PYTHON) -m pip install --quiet --disable-pip-version-check $(PIP_PACKAGES)

build:
	$(SWIFT) build

release:
	$(SWIFT) build -c release

swift-test:
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# Command-line and interoperability tests against the debug binary that swift-test built.
interop-test: build
	DECAYBENCH=$(CURDIR)/.build/debug/decaybench $(PYTHON) -m pytest -q Tests/Interop

clean:
	rm -rf .build
