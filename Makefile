# Two commands on a fresh machine with Python 3.11: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[parquet,notebooks,dev,dask,sweep,bench,app]'
	touch $(STAMP)

# Simulate the calibrated generalist scenario on its defaults; replaces results/generalist.
run: $(STAMP)
	$(BIN)/gigsim run scenarios/generalist.toml --jobs 0 --force

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

# The benchmark suite (benchmarks/README.md): a table, and benchmarks/results.json. A full run
# takes several minutes; `make bench BENCH_ARGS=--quick` about one.
bench: $(STAMP)
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
