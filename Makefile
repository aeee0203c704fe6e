# Two commands do all the set-up on a machine with only python3 and make:
#   make demo   virtual environment, install, and a real command on the sample journal
#   make test   the whole test suite plus ruff (lint and format check) and mypy
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test lint format bench clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/watchbook --journal journal list
	$(VENV)/bin/watchbook --journal journal show "Blame!"
	$(VENV)/bin/watchbook --journal journal recommend "Blame!"
	$(VENV)/bin/watchbook --journal journal export --out demo-export

test: $(STAMP)
	$(PY) -m pytest -q
	$(MAKE) --no-print-directory lint

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks
	$(VENV)/bin/mypy

format: $(STAMP)
	$(VENV)/bin/ruff format src tests benchmarks
	$(VENV)/bin/ruff check --fix src tests benchmarks

bench: $(STAMP)
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .ruff_cache demo-export
