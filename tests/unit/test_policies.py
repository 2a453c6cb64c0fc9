"""Policy options, as the scenario reads them and the engine's policies receive them; dispatch
rounds end to end. (Each built-in policy on hand-built situations: tests/engine/test_policies.py.)
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import gigsim
from gigsim import Scenario, ScenarioError, load_scenario
from gigsim.engine.policies import BUILTIN, build_array_policy
from gigsim.scenario.policies import BUILTIN_POLICIES, option_names
from gigsim.scenario.units import HOURS_PER_WEEK

TWO_WEEKS = 2 * HOURS_PER_WEEK
Writer = Callable[[dict[str, Any] | str], Path]


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


WINDOW = 4 * HOURS_PER_WEEK  # least-earned's default window


def _with_dispatch(data: dict[str, Any], policy: str, **options: Any) -> dict[str, Any]:
    data["dispatch"]["policy"] = policy
    if options:
        data["dispatch"]["policy_options"] = options
    return data


def test_policy_option_defaults(scenario_data: dict[str, Any]) -> None:
    least = Scenario.from_dict(_with_dispatch(scenario_data, "least-earned"))
    assert least.dispatch.policy_options == ()
    assert built(least, rng()).window_h == WINDOW  # type: ignore[attr-defined]
    skill = Scenario.from_dict(_with_dispatch(scenario_data, "skill-aware"))
    assert built(skill, rng()).threshold_h == TWO_WEEKS  # type: ignore[attr-defined]


def test_policy_options_reach_the_policy(write_scenario: Writer,
                                         scenario_data: dict[str, Any]) -> None:
    path = write_scenario(_with_dispatch(scenario_data, "least-earned", window="1w"))
    scenario = load_scenario(path)
    assert scenario.dispatch.policy_options == (("window", "1w"),)
    assert built(scenario, rng()).window_h == HOURS_PER_WEEK  # type: ignore[attr-defined]
    scenario = load_scenario(path, overrides={"dispatch.policy": "skill-aware",
                                              "dispatch.policy_options": {"threshold": "3d"}})
    assert built(scenario, rng()).threshold_h == 72.0  # type: ignore[attr-defined]
    # in a TOML file, as a [dispatch.policy_options] table
    text = path.read_text(encoding="utf-8")
    assert "[dispatch.policy_options]" in text


@pytest.mark.parametrize(("policy", "options", "fragments"), [
    ("least-earned", {"windw": "1w"}, ("least-earned", "no option 'windw'", "window")),
    ("skill-aware", {"window": "1w"}, ("skill-aware", "no option 'window'", "threshold")),
    ("random", {"window": "1w"}, ("random", "no option 'window'", "none")),
    ("least-earned", {"window": "4 fortnights"}, ("least-earned", "unknown unit")),
    ("least-earned", {"window": 4}, ("least-earned", "bare number 4")),
    ("least-earned", {"window": 0}, ("least-earned", "positive")),
    ("least-earned", {"window": "0w"}, ("least-earned", "positive")),
    ("skill-aware", {"threshold": "-1d"}, ("skill-aware", "duration")),
    ("skill-aware", {"threshold": True}, ("skill-aware", "duration")),
])
def test_bad_policy_options_name_the_key(policy: str, options: dict[str, Any],
                                         fragments: tuple[str, ...],
                                         scenario_data: dict[str, Any],
                                         write_scenario: Writer) -> None:
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_dict(_with_dispatch(scenario_data, policy, **options), source="s.toml")
    message = str(caught.value)
    assert message.startswith("s.toml: dispatch.policy_options: "), message
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    path = write_scenario(scenario_data)
    with pytest.raises(ScenarioError, match=rf"^{path}: dispatch\.policy_options: "):
        load_scenario(path)


def test_policy_options_set_by_override_are_blamed_on_set(write_scenario: Writer,
                                                          scenario_data: dict[str, Any]) -> None:
    path = write_scenario(_with_dispatch(scenario_data, "least-earned"))
    with pytest.raises(ScenarioError, match=r"^--set: dispatch\.policy_options: .*'windw'"):
        load_scenario(path, overrides={"dispatch.policy_options.windw": '"1w"'})


def test_policy_options_must_be_a_table(scenario_data: dict[str, Any]) -> None:
    scenario_data["dispatch"]["policy_options"] = "window=1w"
    with pytest.raises(ScenarioError, match=r"dispatch\.policy_options: expected a table"):
        Scenario.from_dict(scenario_data)


def test_the_scenario_checks_the_options_the_engine_builds_each_built_in_with() -> None:
    # the scenario cannot import the engine, so it keeps its own table of the built-ins
    assert list(BUILTIN_POLICIES) == list(BUILTIN)
    for name, checks in BUILTIN_POLICIES.items():
        assert tuple(checks) == option_names(BUILTIN[name]), name


# --- dispatch rounds ---------------------------------------------------------------------------


def _rounds_scenario(rounds_every: str | None) -> Scenario:
    dispatch: dict[str, Any] = {"policy": "least-earned",
                                "delay": {"dist": "exponential", "mean": "2d"},
                                "pre_assign_on_notice": False}
    if rounds_every is not None:
        dispatch["rounds_every"] = rounds_every
    return Scenario.from_dict({
        "name": "rounds",
        "simulation": {"horizon": "12w", "warmup": "2w", "replications": 2, "seed": 11},
        "workers": [
            {"name": "gen", "count": 30, "skills": ["g"],
             "hours_per_week": {"dist": "uniform", "low": 10, "high": 30}},
            {"name": "spec", "count": 10, "skills": ["s", "g"], "hours_per_week": 20},
        ],
        "projects": [
            {"name": "gp", "requires": "g", "arrivals_per_week": 3,
             "seats": {"dist": "poisson", "mean": 4},
             "lifetime": {"dist": "lognormal", "median": "2w", "sigma": 0.8},
             "pay_per_hour": 15, "hours_per_week_per_seat": 20,
             "training": {"hours": 2, "paid_probability": 0.5},
             "notice": {"probability": 0.5, "duration": "1w"},
             "sparse": {"fraction_of_life": 0.25, "supply_factor": 0.25}},
            {"name": "sp", "requires": "s", "arrivals_per_week": 1, "seats": 3,
             "lifetime": {"dist": "exponential", "mean": "3w"},
             "pay_per_hour": 30, "hours_per_week_per_seat": 10},
        ],
        "dispatch": dispatch,
    })


def _assignment_starts(results: gigsim.Results) -> np.ndarray:
    """Absolute start times of the assignments that start inside the window, on projects not
    under notice from launch (those are filled at launch, rounds or not: docs/model.md §4).

    An assignment is a worker's time on one project (a worker never returns to a project it
    left), so its start is the earliest start of its training and work spells.
    """
    spells, projects = results.spells, results.projects
    at_launch = projects[projects["notice_h"] == projects["launch_h"]]
    filled_at_launch = spells.set_index(["replication", "project_id"]).index.isin(
        at_launch.set_index(["replication", "project_id"]).index)
    assigned = spells[spells["kind"].isin(["training", "work"]) & ~filled_at_launch]
    by_assignment = assigned.groupby(["replication", "worker_id", "project_id"], observed=True)
    starts = by_assignment.agg(start_h=("start_h", "min"), truncated=("left_truncated", "any"))
    starts = starts[~starts["truncated"]]
    return starts["start_h"].to_numpy() + results.scenario.simulation.warmup_h


def test_with_daily_rounds_every_assignment_starts_at_a_multiple_of_a_day() -> None:
    scenario = _rounds_scenario("1d")
    assert scenario.dispatch.rounds_every_h == 24.0
    starts = _assignment_starts(gigsim.simulate(scenario, jobs=1))
    assert len(starts) > 100
    assert np.all(starts % 24.0 == 0.0), np.unique(starts[starts % 24.0 != 0.0])[:10]
    # without rounds they do not: the check above is not vacuous
    at_once = _assignment_starts(gigsim.simulate(_rounds_scenario(None), jobs=1))
    assert np.mean(at_once % 24.0 == 0.0) < 0.5


def test_rounds_every_zero_means_at_once(scenario_data: dict[str, Any]) -> None:
    scenario_data["dispatch"]["rounds_every"] = 0
    assert Scenario.from_dict(scenario_data).dispatch.rounds_every_h == 0.0
    scenario_data["dispatch"]["rounds_every"] = 24
    with pytest.raises(ScenarioError, match=r"dispatch\.rounds_every: .*bare number"):
        Scenario.from_dict(scenario_data)


def built(scenario: Scenario, rng: np.random.Generator) -> Any:
    """The engine's policy for ``scenario``, as a replication builds it."""
    return build_array_policy(scenario.dispatch, rng)
