"""Fixtures for the report tests: one small run, written as CSV and as Parquet."""

from __future__ import annotations

from pathlib import Path

import pytest

import gigsim
from gigsim.files import parquet_available
from gigsim.presentation.output import write_results

ROOT = Path(__file__).resolve().parents[2]

# scenarios/generalist.toml at a tenth of its size over 12 weeks: enough workers joining in
# the window for every figure, well under a second to simulate
SMALL = {
    "workers.generalists.count": 400,
    "workers.generalists.arrivals_per_week": 30,
    "projects.rating.seats.median": 100,
    "simulation.horizon": "12w",
    "simulation.warmup": "4w",
}


@pytest.fixture(scope="session")
def small_results() -> gigsim.Results:
    scenario = gigsim.load_scenario(ROOT / "scenarios" / "generalist.toml", overrides=SMALL)
    return gigsim.simulate(scenario, replications=2, seed=9)


@pytest.fixture(scope="session")
def csv_folder(small_results: gigsim.Results, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A CSV results folder written with its report, as ``gigsim run --report`` does."""
    out = tmp_path_factory.mktemp("csv") / "results"
    return write_results(small_results, out, fmt="csv", report=True)


@pytest.fixture(scope="session")
def parquet_folder(small_results: gigsim.Results,
                   tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Parquet results folder, without a report."""
    if not parquet_available():
        pytest.skip("pyarrow is not installed")
    out = tmp_path_factory.mktemp("parquet") / "results"
    return write_results(small_results, out, fmt="parquet")
