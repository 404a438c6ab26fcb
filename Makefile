# The registry's commands. `make run` and `make test` work on a fresh machine with
# Python >= 3.11: they create .venv and install the project into it first.

PYTHON ?= python3
VENV ?= .venv
PORT ?= 5000
HOST ?= 127.0.0.1
# pytest-xdist processes for `make test` (0 runs in one process). Each has its own
# databases (a SQLite file in its temporary folder, a PostgreSQL schema): they share nothing.
TEST_WORKERS ?= 2
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FLASK := $(BIN)/flask --app wsgi

.PHONY: help install run test bench lint db-check clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Python >= 3.11 is needed (PYTHON=$(PYTHON))"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	touch $@

install: $(STAMP)  ## create .venv and install the registry with its test tools

run: install  ## migrate the database (which puts the shipped profiles in force) and serve on $(HOST):$(PORT)
	$(FLASK) db upgrade
	$(FLASK) run --host $(HOST) --port $(PORT)

test: install  ## run every test (PostgreSQL too when REGISTRY_TEST_DATABASE_URL is set) in TEST_WORKERS processes
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

bench: install  ## print the benchmarks' figures (see bench/)
	$(BIN)/python bench/run_all.py

LINTED := registry parsers tests bench migrations wsgi.py docs/profiles.py

lint: install  ## ruff and mypy (typed on registry/, strict on registry/thresholds/ and parsers/; see setup.cfg)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/mypy
	$(BIN)/ruff format --check $(LINTED)

db-check: install  ## upgrade to head and fail if models and migrations drift
	$(FLASK) db upgrade && $(FLASK) db check

clean:
	rm -rf $(VENV) build *.egg-info
