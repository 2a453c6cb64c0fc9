"""A user's policy answering NaN, infinity, a string or tuples of two sizes stops the run.

The dispatcher checks every answer of a policy that is not gigsim's own; the first bad one is
a GigsimError naming the policy, the worker and the time, which the CLI prints as one line
with exit status 2 (before this check, NaN priorities passed silently).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

import gigsim
from gigsim.scenario.policies import PolicyAnswerError

from ._support import MINIMAL_TOML, assert_ok, assert_one_line_error, hidden_entries, invoke

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


# Every project ends with notice and few seats open, so workers under notice wait in the pool
# (pre-assignment is on): their released_at is NaN.
UNDER_NOTICE = {"projects.rating.notice.probability": 1.0, "projects.rating.seats": 3}


def scenario_with(policy: str, text: str = MINIMAL_TOML) -> gigsim.Scenario:
    scenario = gigsim.Scenario.from_dict(tomllib.loads(text), "mini.toml")
    return scenario.with_overrides({"dispatch.policy": f"{MODULE}:{policy}", **UNDER_NOTICE})


@pytest.mark.parametrize(("policy", "fragment"), [
    ("ReadsReleasedAt", "expected finite numbers"),
    ("AlwaysNaN", "nan: expected finite numbers"),
    ("Infinite", "-inf: expected finite numbers"),
    ("Text", "expected a number or a tuple of numbers"),
    ("ChangingLength", "as its first answer was"),
])
def test_a_bad_priority_stops_the_run_naming_policy_and_worker(policy: str,
                                                               fragment: str) -> None:
    scenario = scenario_with(policy)
    with pytest.raises(PolicyAnswerError) as info:
        gigsim.simulate(scenario, replications=1, seed=3)
    message = str(info.value)
    assert message.startswith(f"policy '{MODULE}:{policy}' gave worker ")
    assert fragment in message
    assert "\n" not in message


def test_a_choice_outside_the_projects_offered_is_named() -> None:
    scenario = scenario_with("ChoosesNothing", TWO_SKILLS)
    with pytest.raises(PolicyAnswerError, match=r"chose None for worker \d+ .*expected one of"
                                                r" the projects offered \(ids "):
        gigsim.simulate(scenario, replications=1, seed=3)


def test_a_policy_with_good_answers_runs() -> None:
    results = gigsim.simulate(scenario_with("Fine"), replications=1, seed=3)
    assert len(results.worker_months) > 0


def test_the_cli_prints_one_line_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "mini.toml"
    path.write_text(MINIMAL_TOML, encoding="utf-8")
    out = tmp_path / "out"
    result = invoke("run", path, "--set", f'dispatch.policy="{MODULE}:AlwaysNaN"',
                    "--out", out)
    assert_one_line_error(result, f"policy '{MODULE}:AlwaysNaN'", "gave worker",
                          "expected finite numbers")
    assert not out.exists() and hidden_entries(tmp_path) == []


def test_a_started_process_reports_it_the_same_way(tmp_path: Path) -> None:
    """With jobs=2 the error comes back from a worker process, still one line."""
    path = tmp_path / "mini.toml"
    path.write_text(MINIMAL_TOML, encoding="utf-8")
    result = invoke("run", path, "--set", f'dispatch.policy="{MODULE}:Text"', "-r", "2",
                    "--jobs", "2", "--out", tmp_path / "out")
    assert_one_line_error(result, f"policy '{MODULE}:Text'", "expected a number")


def test_builtin_policies_are_not_slowed_by_the_check() -> None:
    from gigsim.dispatch import policies
    from gigsim.dispatch.policy import is_builtin

    assert is_builtin(policies.LongestIdle(None))  # type: ignore[arg-type]
    assert not is_builtin(__import__(MODULE, fromlist=["Fine"]).Fine(None))
    assert_ok(invoke("validate", Path(__file__).parents[2] / "scenarios" / "generalist.toml"))
