"""Projects: notice and sparse timing, and the generators' arrival times."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from gigsim import Scenario
from gigsim.engine import run_replication
from gigsim.scenario.dists import Constant
from gigsim.scenario.projects import ProjectGenerator, Seasonality
from gigsim.scenario.units import HOURS_PER_WEEK


def _times(**generator: Any) -> dict[str, np.ndarray]:
    """The projects table of one replication of projects living exactly 100 h."""
    scenario = Scenario.from_dict({
        "name": "times",
        "simulation": {"horizon": "20w", "seed": 1},
        "workers": [{"name": "w", "count": 5, "skills": ["g"], "hours_per_week": 40}],
        "projects": [{"name": "p", "requires": "g", "arrivals_per_week": 2, "seats": 3,
                      "lifetime": "100h", "pay_per_hour": 16, "hours_per_week_per_seat": 21,
                      **generator}],
    })
    projects = run_replication(scenario, 1, 0).projects
    assert len(projects["launch"]) > 10  # enough projects to check
    return dict(projects)


def test_times() -> None:
    p = _times(notice={"probability": 1.0, "duration": "30h"},
               sparse={"fraction_of_life": 0.25, "supply_factor": 0.5})
    np.testing.assert_allclose(p["end"] - p["launch"], 100.0)
    np.testing.assert_allclose(p["notice_at"], p["end"] - 30.0)
    np.testing.assert_allclose(p["sparse_at"], p["end"] - 25.0)
    assert (p["notice"] == 1).all()


def test_notice_longer_than_the_life_starts_at_launch() -> None:
    p = _times(notice={"probability": 1.0, "duration": "500h"})
    np.testing.assert_array_equal(p["notice_at"], p["launch"])


def test_no_notice_no_sparse() -> None:
    for p in (_times(), _times(sparse={"fraction_of_life": 0.0, "supply_factor": 0.5})):
        assert np.isnan(p["notice_at"]).all() and (p["notice"] == 0).all()
        assert np.isinf(p["sparse_at"]).all()


def _generator(rate: float, seasonality: Seasonality | None = None) -> ProjectGenerator:
    return ProjectGenerator("p", "generalist", rate, seasonality, Constant(3.0),
                            Constant(100.0), Constant(16.0), Constant(20.0), None, None, None)


def test_arrival_times_are_sorted_poisson() -> None:
    rng = np.random.default_rng(0)
    weeks = 2000
    times = _generator(2.0).arrival_times(rng, np.random.default_rng(1),
                                          weeks * HOURS_PER_WEEK)
    assert np.all(np.diff(times) >= 0)
    assert times.min() >= 0 and times.max() < weeks * HOURS_PER_WEEK
    expected = 2.0 * weeks
    assert abs(len(times) - expected) < 5 * math.sqrt(expected)


def test_seasonality_thins_arrivals() -> None:
    season = Seasonality(period_h=2 * HOURS_PER_WEEK, factors=(1.0, 0.0))
    np.testing.assert_array_equal(season.factor_at(np.array([0.0, 167.9, 168.0, 336.0, 510.0])),
                                  [1.0, 1.0, 0.0, 1.0, 0.0])
    times = _generator(4.0, season).arrival_times(np.random.default_rng(1),
                                                  np.random.default_rng(2),
                                                  400 * HOURS_PER_WEEK)
    assert len(times) > 0
    phase = np.mod(times, 2 * HOURS_PER_WEEK)
    assert np.all(phase < HOURS_PER_WEEK)
    expected = 4.0 * 200
    assert abs(len(times) - expected) < 5 * math.sqrt(expected)
