"""The size check: a run too big for the memory given is refused before anything is allocated."""

from __future__ import annotations

from typing import Any

import pytest

from gigsim import Scenario, ScenarioError, simulate
from gigsim.scenario.units import HOURS_PER_MONTH, HOURS_PER_WEEK
from gigsim.studies.sizing import BYTES_PER_ROW, check_size, estimate_size


def test_the_estimate_counts_applicants_and_projects_from_rates(scenario_data: dict[str, Any]
                                                               ) -> None:
    scenario = Scenario.from_dict(scenario_data)
    size, _ = estimate_size(scenario)
    weeks = (2 + 12) * 1.0  # warm-up and horizon of the unit scenario
    assert size.applicants == pytest.approx(20 + 5 + 1 * weeks)
    assert size.projects == pytest.approx((1.0 + 0.5) * weeks)
    assert size.seats == pytest.approx(1.0 * weeks * 8 + 0.5 * weeks * 3)
    months = 12 * HOURS_PER_WEEK / HOURS_PER_MONTH + 1
    assert size.rows >= size.applicants * months  # every applicant's worker-months at least
    assert size.bytes == size.rows * BYTES_PER_ROW


def test_a_run_that_fits_passes(scenario_data: dict[str, Any]) -> None:
    scenario = Scenario.from_dict(scenario_data)
    size = check_size(scenario, memory=1e9)
    assert size.rows * BYTES_PER_ROW * 3 < 1e9


def test_a_run_that_does_not_fit_names_the_biggest_key_and_what_to_lower(
        scenario_data: dict[str, Any]) -> None:
    scenario_data["workers"][0]["count"] = 50_000_000
    scenario = Scenario.from_dict(scenario_data, "big.toml")
    with pytest.raises(ScenarioError) as info:
        check_size(scenario, memory=8e9)
    error = info.value
    assert (error.source, error.key) == ("big.toml", "workers.generalists.count")
    assert "too big to run here" in error.message
    assert "8 GB is available" in error.message
    assert "lower workers.generalists.count" in error.message
    assert "\n" not in str(error)


def test_the_biggest_key_is_blamed_on_set_when_an_override_wrote_it(
        scenario_data: dict[str, Any]) -> None:
    scenario = Scenario.from_dict(scenario_data, "s.toml").with_overrides(
        {"projects.rating.arrivals_per_week": 5e8})
    with pytest.raises(ScenarioError) as info:
        check_size(scenario, memory=8e9)
    assert (info.value.source, info.value.key) == ("--set", "projects.rating.arrivals_per_week")


def test_simulate_refuses_before_allocating(scenario_data: dict[str, Any]) -> None:
    """A billion workers minus one: under the number bound, far over any machine's memory."""
    scenario_data["workers"][0]["count"] = 999_999_999
    scenario = Scenario.from_dict(scenario_data, "s.toml")
    with pytest.raises(ScenarioError, match="too big to run here"):
        simulate(scenario, replications=1)
