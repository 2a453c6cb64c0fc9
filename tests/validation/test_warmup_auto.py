"""``warmup = "auto"`` on scenarios whose transient is known: what the pilot's MSER-5 chooses.

Each test runs only the pilot (:func:`gigsim.studies.warmup.choose_warmup`: 10 replications
over two horizons of a small scenario, 5 to 15 s).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from scipy import stats

from gigsim import Scenario
from gigsim.analysis.series import weekly_series
from gigsim.engine.records import Records
from gigsim.studies.runner import run_indices
from gigsim.studies.warmup import WarmupChoice, choose_warmup


def _scenario(workers: dict[str, Any], projects: dict[str, Any]) -> Scenario:
    return Scenario.from_dict({
        "name": "warm-up",
        "simulation": {"horizon": "1y", "warmup": "auto", "replications": 2, "seed": 1},
        "workers": [{"name": "g", "skills": ["generalist"], "hours_per_week": 20, **workers}],
        "projects": [{"name": "p", "requires": "generalist", "pay_per_hour": 16,
                      "hours_per_week_per_seat": 20, **projects}],
        "dispatch": {"delay": 0},
    })


def _choose(scenario: Scenario, seed: int,
            kept: list[Records] | None = None) -> WarmupChoice:
    def run(pilot: Scenario, indices: Any) -> list[Records]:
        records = run_indices(pilot, seed, indices, 1, 1, None)
        if kept is not None:
            kept.extend(records)
        return records

    return choose_warmup(scenario, seed, run)


# Many small, short projects: seats filled and income settle within a week or two.
BUSY = {"arrivals_per_week": 20, "seats": 2, "lifetime": {"dist": "exponential", "mean": "1w"}}


@pytest.mark.slow
@pytest.mark.parametrize("seed", [2, 3])
def test_a_platform_that_fills_late_gets_a_longer_warmup_than_one_full_from_the_start(
        seed: int) -> None:
    # 60 workers join at week 20 (every series is 0 until then) or at time 0. The late one's
    # warm-up is at least the 20 weeks of its transient; the other's MSER-5 cut is noise only.
    # Over seeds 1–6 the full-from-the-start platform got 5 or 15 weeks, except seed 1, whose
    # seats series wanders (common random numbers: the same projects) so that both got 50.
    late = _choose(_scenario({"count": 60, "joins_at": "20w"}, BUSY), seed)
    early = _choose(_scenario({"count": 60}, BUSY), seed)
    assert late.truncation_weeks["workers"] in (20, 25)  # the step, within a batch
    assert late.weeks >= 20
    assert early.truncation_weeks["workers"] == 0  # a constant series is not cut
    assert early.weeks < late.weeks


@pytest.mark.slow
def test_the_warmup_leaves_a_population_at_its_steady_state() -> None:
    # Applicants arrive at λ = 50 a week and leave at a constant hazard of 13 a year (τ = 4
    # weeks), from an empty platform: the population approaches λτ = 200 as 1 − e^(−t/τ). After
    # the warm-up chosen, each pilot replication's mean population must agree with 200 within
    # the t interval of those means (a 99.9% interval, so that the test fails by chance once
    # in a thousand seeds).
    scenario = _scenario({"count": 0, "arrivals_per_week": 50, "leave_rate_per_year": 13},
                         {"arrivals_per_week": 1, "seats": 5,
                          "lifetime": {"dist": "exponential", "mean": "1w"}})
    kept: list[Records] = []
    choice = _choose(scenario, 4, kept)
    assert 10 <= choice.truncation_weeks["workers"] <= 52  # 1 − e^(−10/4) = 92% of the way
    steady = 50 * 52.18 / 13  # λτ, with τ = 1/13 year in weeks
    means = np.array([weekly_series(r)["workers"][choice.weeks:].mean() for r in kept])
    half = stats.t.ppf(0.9995, len(means) - 1) * means.std(ddof=1) / np.sqrt(len(means))
    assert abs(means.mean() - steady) <= half, (means.mean(), half, steady)
    # and an empty platform is far from it: not cutting at all would be off
    whole = np.array([weekly_series(r)["workers"].mean() for r in kept])
    assert abs(whole.mean() - steady) > half
