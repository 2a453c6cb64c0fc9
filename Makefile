# Two commands on a fresh machine with Python 3.11: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-slow lint bench app clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[parquet,notebooks,dev,dask,sweep,bench,app]'
	touch $(STAMP)

# Simulate the calibrated generalist scenario on its defaults; replaces results/generalist.
run: $(STAMP)
	$(BIN)/gigsim run scenarios/generalist.toml --jobs 0 --force

# The prospective worker's page (gigsim app), on a free port of 127.0.0.1: it prints the
# address; Ctrl-C stops it. `make app APP_ARGS="--open --port 8765"` passes options.
app: $(STAMP)
	$(BIN)/gigsim app $(APP_ARGS)

# lint-imports holds the layers (pyproject.toml, [tool.importlinter]): an upward import fails.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

# -n auto: one test process per core (pytest-xdist); the suite takes twice as long without it.
# The tests marked slow (long statistical checks) are left to `make test-slow`, which CI runs
# after this (.ci/run): `make test` stays under 8 minutes on 2 cores.
test: lint
	$(BIN)/pytest -n auto -m "not slow"

test-slow: $(STAMP)
	$(BIN)/pytest -n auto -m slow

# The benchmark suite (benchmarks/README.md): a table, and benchmarks/results.json. A full run
# takes several minutes; `make bench BENCH_ARGS=--quick` about one.
bench: $(STAMP)
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
