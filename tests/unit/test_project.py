"""Projects: seat accounting, notice and sparse timing, and arrival times."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gigsim.project import Project
from gigsim.scenario.dists import Constant
from gigsim.scenario.projects import ProjectGenerator, Seasonality, Sparse
from gigsim.scenario.units import HOURS_PER_WEEK


def make(launch: float = 10.0, lifetime_h: float = 100.0, notice_h: float | None = None,
         sparse: Sparse | None = None) -> Project:
    return Project(0, 0, "generalist", launch, lifetime_h, 3, 16.0, 21.0, 2.0, True, notice_h,
                   sparse)


def test_times() -> None:
    p = make(notice_h=30.0, sparse=Sparse(0.25, 0.5))
    assert p.end == 110.0
    assert p.notice_at == 80.0
    assert p.sparse_at == 85.0
    assert p.supply_h_per_h == pytest.approx(21.0 / HOURS_PER_WEEK)
    assert p.sparse_supply_h_per_h == pytest.approx(10.5 / HOURS_PER_WEEK)


def test_notice_longer_than_the_life_starts_at_launch() -> None:
    assert make(notice_h=500.0).notice_at == 10.0


def test_no_notice_no_sparse() -> None:
    p = make()
    assert math.isnan(p.notice_at)
    assert p.sparse_at == math.inf
    assert p.sparse_supply_h_per_h == p.supply_h_per_h
    assert make(sparse=Sparse(0.0, 0.5)).sparse_at == math.inf


def test_seat_accounting() -> None:
    p = make()
    p.open(2, 10.0)
    p.open(1, 14.0)
    assert p.open_seats == 3
    p.fill(12.0)  # waited 2 h
    p.fill(15.0)  # waited 5 h, the second of the seats opened at 10
    assert (p.filled, p.open_seats) == (2, 1)
    assert p.fill_latency_sum_h == pytest.approx(7.0)
    p.fill(20.0)  # the seat opened at 14
    assert p.fill_latency_sum_h == pytest.approx(13.0)
    assert p.open_seats == 0 and not p.open_runs
    p.open(1, 30.0)
    p.close(40.0)
    assert not p.accepting
    assert p.open_seats == 0
    assert p.unfilled_seat_h == pytest.approx(13.0 + 10.0)


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
