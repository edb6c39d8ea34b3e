# Two commands: `make lab` (set up, then JupyterLab on notebooks/) and `make test` (set up, then every test).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: lab test bench setup clean-venv

lab: $(INSTALLED)
	$(BIN)/jupyter lab --notebook-dir=notebooks

test: $(INSTALLED)
	$(BIN)/python -m pytest

bench: $(INSTALLED)
	$(BIN)/python benchmarks/bench_training.py

setup: $(INSTALLED)

# The virtual environment is (re)built whenever the pinned requirements or the packaging change.
$(INSTALLED): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

clean-venv:
	rm -rf $(VENV)
