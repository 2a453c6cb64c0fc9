"""A user's policy answering NaN, infinity, strings or the wrong number of keys stops the run.

The engine checks every answer of a policy (:func:`gigsim.engine.policies.checked_key`); the
first bad one is a GigsimError naming the policy, the method and the project, which the CLI
prints as one line with exit status 2.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

import gigsim
from gigsim.scenario.policies import PolicyAnswerError

from ._support import MINIMAL_TOML, assert_one_line_error, hidden_entries, invoke

MODULE = f"{__name__.rpartition('.')[0]}.user_policy_bad".lstrip(".")
# two skills, so that a worker freed with both kinds of seat open is offered a choice
TWO_SKILLS = MINIMAL_TOML.replace('skills = ["generalist"]', 'skills = ["generalist", "x"]'
                                 ).replace('seats = { dist = "poisson", mean = 10 }', "seats = 500")
TWO_SKILLS += """
[[projects]]
name = "other"
requires = "x"
arrivals_per_week = 2
seats = 500
lifetime = "2w"
pay_per_hour = 20
hours_per_week_per_seat = 10
"""

# Few seats, so that workers wait in the pool and the policy ranks them.
SCARCE = {"projects.rating.seats": 3}


def scenario_with(policy: str, text: str = MINIMAL_TOML) -> gigsim.Scenario:
    scenario = gigsim.Scenario.from_dict(tomllib.loads(text), "mini.toml")
    return scenario.with_overrides({"dispatch.policy": f"{MODULE}:{policy}", **SCARCE})


@pytest.mark.parametrize(("policy", "fragment"), [
    ("AlwaysNaN", "returned NaN or infinity"),
    ("Infinite", "returned NaN or infinity"),
    ("Text", "expected a numpy array of numbers"),
    ("OneShort", "rows for"),
])
def test_a_bad_key_stops_the_run_naming_policy_and_project(policy: str, fragment: str) -> None:
    scenario = scenario_with(policy)
    with pytest.raises(PolicyAnswerError) as info:
        gigsim.simulate(scenario, replications=1, seed=3)
    message = str(info.value)
    assert message.startswith(f"policy '{MODULE}:{policy}', key() for project ")
    assert fragment in message
    assert "\n" not in message


def test_a_bad_choice_among_projects_is_named() -> None:
    scenario = scenario_with("NoProjectKey", TWO_SKILLS)
    with pytest.raises(PolicyAnswerError, match=r"project_key\(\) for project \d+: returned 0"
                                                r" rows for 2"):
        gigsim.simulate(scenario, replications=1, seed=3)


def test_a_policy_with_good_answers_runs() -> None:
    results = gigsim.simulate(scenario_with("Fine"), replications=1, seed=3)
    assert len(results.worker_months) > 0


def test_the_cli_prints_one_line_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "mini.toml"
    path.write_text(MINIMAL_TOML, encoding="utf-8")
    out = tmp_path / "out"
    result = invoke("run", path, "--set", f'dispatch.policy="{MODULE}:AlwaysNaN"',
                    "--set", "projects.rating.seats=3", "--out", out)
    assert_one_line_error(result, f"policy '{MODULE}:AlwaysNaN'", "key() for project",
                          "NaN or infinity")
    assert not out.exists() and hidden_entries(tmp_path) == []


def test_a_started_process_reports_it_the_same_way(tmp_path: Path) -> None:
    """With jobs=2 the error comes back from a worker process, still one line."""
    path = tmp_path / "mini.toml"
    path.write_text(MINIMAL_TOML, encoding="utf-8")
    result = invoke("run", path, "--set", f'dispatch.policy="{MODULE}:Text"',
                    "--set", "projects.rating.seats=3", "-r", "2", "--jobs", "2",
                    "--out", tmp_path / "out")
    assert_one_line_error(result, f"policy '{MODULE}:Text'", "expected a numpy array")
