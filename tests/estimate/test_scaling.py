"""The estimate's scaled market keeps the scenario's seats per worker, and refuses no valid file.

The engine draws each project's seats and rounds the draw to a whole seat, at least one. A
market scaled by multiplying ``seats`` alone turned 4-seat projects at scale 1/3 into 1-seat
ones (a quarter fewer seats per worker), and 3-seat projects at scale 0.2 into a mean of 0.6
seats, which the scenario's validation refuses, blaming the user's file.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from gigsim.scenario import Scenario
from gigsim.scenario.dists import parse_distribution
from gigsim.studies.cohort import (
    MIN_SCALED_SEATS,
    default_sizes,
    market_scenario,
    project_scaling,
)
from gigsim.studies.estimate import estimate

DRAWS = 400_000  # the mean of rounded seats to about 0.3% (lognormal, sigma 1)


def small_projects(workers: int, seats: Any, arrivals_per_week: float = 25.0,
                   patience: bool = True) -> Scenario:
    """A market of ``workers`` generalists and projects of ``seats`` (any distribution)."""
    group: dict[str, Any] = {
        "name": "raters", "count": workers, "skills": ["generalist"], "hours_per_week": 20,
        "assessment": {"hours": 1, "paid": False, "pass_probability": 0.5, "wait": "3d"}}
    if patience:
        group["patience"] = {"dist": "lognormal", "median": "8w", "sigma": 0.5}
    return Scenario.from_dict({
        "name": "small", "description": "small projects",
        "simulation": {"horizon": "12w", "warmup": "8w", "replications": 1, "seed": 11},
        "workers": [group],
        "projects": [{
            "name": "small", "requires": "generalist", "arrivals_per_week": arrivals_per_week,
            "seats": seats, "lifetime": {"dist": "lognormal", "median": "3w", "sigma": 1.0},
            "pay_per_hour": 16, "hours_per_week_per_seat": 20}],
        "dispatch": {"policy": "longest-idle", "delay": {"dist": "exponential", "mean": "3d"}},
    }, "small.toml")


def seats_per_worker_week(scenario: Scenario) -> float:
    """Seats launched per week per worker, each draw rounded as the engine rounds it."""
    rng = np.random.default_rng(0)
    launched = sum(gen.arrivals_per_week * float(np.mean(np.maximum(
        1, np.rint(gen.seats.sample(rng, DRAWS))))) for gen in scenario.projects)
    return launched / sum(group.count for group in scenario.workers)


@pytest.mark.parametrize("seats", [
    4, 3, 1, {"dist": "poisson", "mean": 4}, {"dist": "uniform", "low": 2, "high": 6},
    {"dist": "empirical", "values": [1, 2, 10]}, {"dist": "exponential", "mean": 30},
    {"dist": "lognormal", "median": 1000, "sigma": 0.5},
    {"dist": "lognormal", "median": 50, "sigma": 1.0}])
@pytest.mark.parametrize("scale", [1 / 3, 0.2, 0.05])
def test_scaling_keeps_seats_per_worker(seats: Any, scale: float) -> None:
    """Before: 4 seats at 1/3 gave 0.75 of the seats per worker; 3 seats at 0.2 refused."""
    whole = small_projects(3000, seats)
    scaled = market_scenario(whole, 3, scale)
    assert scaled.workers[0].count == round(3000 * scale)
    assert seats_per_worker_week(scaled) == pytest.approx(seats_per_worker_week(whole),
                                                          rel=0.02)


def test_large_projects_keep_their_launches_and_small_ones_their_size() -> None:
    large = parse_distribution({"dist": "lognormal", "median": 1000, "sigma": 0.5}, "count")
    assert project_scaling(large.mean, 0.156) == (0.156, 1.0)  # the timing is the scenario's
    assert project_scaling(4.0, 1 / 3) == (1.0, pytest.approx(1 / 3))
    seats, launches = project_scaling(50.0, 0.1)  # down to MIN_SCALED_SEATS, launches the rest
    assert 50.0 * seats == pytest.approx(MIN_SCALED_SEATS) and seats * launches == 0.1
    assert project_scaling(4.0, 1.0) == (1.0, 1.0)


def test_a_valid_file_with_small_projects_is_never_refused() -> None:
    """3-seat projects and 5,000 workers: the default scale (0.2) once made 0.6-seat ones."""
    scenario = small_projects(5000, 3)
    assert default_sizes(scenario, "raters")[0] == pytest.approx(0.2)
    est = estimate(scenario, "raters", hours_per_week=20, months=1, replications=1, seed=1)
    assert est.applicants == 20


def test_the_default_scale_earns_what_the_whole_market_earns() -> None:
    """The group's mean income per worker-month at the default scale and at scale 1.

    4-seat projects for 3,000 workers who never leave: every seat lost to rounding is income
    lost. Before the fix the default scale (1/3, 1-seat projects) gave the market about a
    quarter less; the means are over thousands of worker-months, a few percent apart at most.
    """
    scenario = small_projects(3000, 4, patience=False)
    incomes = []
    for scale in (None, 1.0):
        est = estimate(scenario, "raters", hours_per_week=20, months=2, replications=3,
                       seed=5, market_scale=scale)
        months = est.results.worker_months
        rows = months[(months["group"] == "raters") & (months["available_h"] > 0)]
        per_rep = rows.groupby("replication")["income_usd"].mean()
        incomes.append((per_rep.mean(), per_rep.std(ddof=1) / np.sqrt(len(per_rep))))
    (scaled, se_scaled), (whole, se_whole) = incomes
    assert abs(scaled - whole) <= 3 * np.hypot(se_scaled, se_whole) + 0.02 * whole, incomes
