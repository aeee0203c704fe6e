# Two commands do all the set-up on a machine with only python3 and make:
#   make demo   virtual environment, install, and a real command on the sample journal
#   make test   the whole test suite plus ruff (lint and format check) and mypy
#   make docs   rewrite the console examples in README.md and docs/*.md from real runs
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
WATCHBOOK := $(VENV)/bin/watchbook --journal journal

.PHONY: demo test lint format docs bench clean

# The installer's output goes to a log, shown only if the installation fails.
$(STAMP): pyproject.toml
	@echo "Setting up $(VENV) (once; the installer's log is $(VENV)/install.log)"
	@python3 -m venv $(VENV)
	@{ $(PY) -m pip install --upgrade pip && $(PY) -m pip install -e '.[dev]'; } \
		> $(VENV)/install.log 2>&1 || { cat $(VENV)/install.log; exit 1; }
	@touch $(STAMP)

demo: $(STAMP)
	@echo '$$ watchbook list'
	@$(WATCHBOOK) list
	@echo; echo '$$ watchbook show "Blame!"'
	@$(WATCHBOOK) show "Blame!"
	@echo; echo '$$ watchbook recommend "Blame!"'
	@$(WATCHBOOK) recommend "Blame!"
	@echo; echo '$$ watchbook export --out demo-export'
	@$(WATCHBOOK) export --out demo-export

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

docs: $(STAMP)
	$(PY) tests/doc_examples.py --update

bench: $(STAMP)
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .ruff_cache demo-export
