"""A user's own dispatch policy: named as ``module:Class`` or published as an entry point in the
group ``gigsim.policies``, run end to end in one process and in two, and refused with a
one-line error when it cannot be used.

The policy module is ``user_policy_example`` next to this file. Its name is taken from the
module itself (``unit.user_policy_example`` under this repository's pytest set-up, where
``tests/`` is on ``sys.path``): processes that ``jobs=2`` spawns inherit ``sys.path``, so they
import it under the same name.
"""

from __future__ import annotations

from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner, Result

import gigsim
import gigsim.scenario.policies
from gigsim import Scenario, ScenarioError
from gigsim.analysis.results import TABLES
from gigsim.cli import main
from gigsim.engine.policies import LongestIdle, build_array_policy
from gigsim.scenario.dispatch import DispatchSettings
from gigsim.scenario.policies import ENTRY_POINT_GROUP, PolicyError, get_policy, policy_names

from . import user_policy_example
from .user_policy_example import HighestIdFirst, HighestIdFirstFrom

MODULE = user_policy_example.__name__
POLICY = f"{MODULE}:HighestIdFirst"
BROKEN_MODULE = f"{MODULE.rpartition('.')[0]}.user_policy_broken".lstrip(".")
REPLICATIONS = 2
WORKERS = 60


def _scarce(policy: str, **options: Any) -> Scenario:
    """Sixty workers, all free at time 0, for about eleven seats at a time."""
    dispatch: dict[str, Any] = {"policy": policy, "delay": 0, "pre_assign_on_notice": False}
    if options:
        dispatch["policy_options"] = options
    return Scenario.from_dict({
        "name": "scarce",
        "simulation": {"horizon": "26w", "warmup": 0, "replications": REPLICATIONS, "seed": 3},
        "workers": [{"name": "w", "count": WORKERS, "skills": ["g"], "hours_per_week": 20}],
        "projects": [{"name": "p", "requires": "g", "arrivals_per_week": 2, "seats": 4,
                      "lifetime": {"dist": "exponential", "mean": "10d"},
                      "pay_per_hour": 15, "hours_per_week_per_seat": 20}],
        "dispatch": dispatch,
    })


def _first_assignment_mean_id(results: gigsim.Results, count: int = 20) -> np.ndarray:
    """Per replication, the mean worker id of the first ``count`` assignments to start."""
    work = results.spells[results.spells["kind"] == "work"]
    firsts = work.sort_values(["replication", "start_h", "worker_id"]).groupby(
        "replication").head(count)
    return firsts.groupby("replication")["worker_id"].mean().to_numpy()


def _top_half_work_share(results: gigsim.Results) -> np.ndarray:
    """Per replication, the share of worked hours done by the workers with the upper half of ids."""
    months = results.worker_months
    top = months["worker_id"] >= WORKERS // 2
    worked = months.groupby("replication")["worked_h"].sum()
    return (months[top].groupby("replication")["worked_h"].sum() / worked).to_numpy()


def _assert_same_tables(a: gigsim.Results, b: gigsim.Results) -> None:
    for name in TABLES:
        pd.testing.assert_frame_equal(a.table(name), b.table(name), check_exact=True,
                                      obj=f"table {name}")


# --- module:Class, end to end ------------------------------------------------------------------


def test_module_class_resolves_to_the_class() -> None:
    assert MODULE.endswith("user_policy_example")
    assert get_policy(POLICY) is HighestIdFirst
    scenario = _scarce(POLICY)
    assert scenario.dispatch.policy == POLICY
    assert isinstance(built(scenario, np.random.default_rng(0)), HighestIdFirst)


@pytest.fixture(scope="module")
def user_run() -> gigsim.Results:
    return gigsim.simulate(_scarce(POLICY), jobs=1)


def test_user_policy_runs_end_to_end_and_changes_who_is_matched(user_run: gigsim.Results
                                                                ) -> None:
    fcfs = gigsim.simulate(_scarce("longest-idle"), jobs=1)
    user_ids = _first_assignment_mean_id(user_run)
    fcfs_ids = _first_assignment_mean_id(fcfs)
    print(f"mean id of the first 20 assignments: highest-id-first {user_ids},"
          f" longest-idle {fcfs_ids}")
    # at time 0 all sixty are free: longest-idle breaks the tie by order of entry (ids 0, 1, ...),
    # the user's policy takes the highest ids
    assert np.all(user_ids > WORKERS / 2)
    assert np.all(fcfs_ids < WORKERS / 2)
    user_share = _top_half_work_share(user_run)
    fcfs_share = _top_half_work_share(fcfs)
    print(f"share of work done by the upper half of ids: highest-id-first {user_share},"
          f" longest-idle {fcfs_share}")
    assert np.all(user_share > 0.75)
    assert np.all(np.abs(fcfs_share - 0.5) < 0.1)
    # the projects are the same: only who is matched changed
    pd.testing.assert_frame_equal(user_run.projects, fcfs.projects, check_exact=True)


def test_user_policy_runs_in_spawned_processes(user_run: gigsim.Results) -> None:
    parallel = gigsim.simulate(_scarce(POLICY), jobs=2)
    assert parallel.timings["jobs"] == 2.0
    _assert_same_tables(user_run, parallel)


def test_user_policy_takes_options() -> None:
    name = f"{MODULE}:HighestIdFirstFrom"
    scenario = _scarce(name, floor=50)
    policy = built(scenario, np.random.default_rng(0))
    assert isinstance(policy, HighestIdFirstFrom)
    assert policy.floor == 50
    with pytest.raises(ScenarioError, match=r"dispatch\.policy_options: .*no option 'ceiling'"
                                            r" \(options: floor\)"):
        _scarce(name, ceiling=3)
    with pytest.raises(ScenarioError, match=r"dispatch\.policy_options: .*no option 'floor'"
                                            r" \(options: none\)"):
        _scarce(POLICY, floor=3)


# --- entry points ------------------------------------------------------------------------------


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Publish entry points in ``gigsim.policies`` as an installed package would."""
    points = [
        EntryPoint(name="highest-id", value=POLICY, group=ENTRY_POINT_GROUP),
        EntryPoint(name="not-a-policy", value=f"{MODULE}:NoKey", group=ENTRY_POINT_GROUP),
        EntryPoint(name="gone", value=f"{MODULE}_missing:Policy", group=ENTRY_POINT_GROUP),
        # a published name that a built-in already has: the built-in wins
        EntryPoint(name="longest-idle", value=POLICY, group=ENTRY_POINT_GROUP),
    ]
    groups: list[str] = []

    def entry_points(**params: Any) -> list[EntryPoint]:
        groups.append(params["group"])
        return [p for p in points if p.group == params["group"]]

    monkeypatch.setattr(gigsim.scenario.policies, "entry_points", entry_points)
    return groups


def test_policy_names_list_published_policies_after_the_built_in_ones(published: list[str]
                                                                      ) -> None:
    names = policy_names()
    assert names[:5] == ("longest-idle", "random", "best-rated", "least-earned", "skill-aware")
    assert names[5:] == ("highest-id", "not-a-policy", "gone")
    assert set(published) == {ENTRY_POINT_GROUP}


def test_get_policy_loads_a_published_policy(published: list[str]) -> None:
    assert get_policy("highest-id") is HighestIdFirst
    rng = np.random.default_rng(0)
    assert isinstance(build_array_policy(DispatchSettings("longest-idle"), rng), LongestIdle)
    assert isinstance(build_array_policy(DispatchSettings("highest-id"), rng), HighestIdFirst)


def test_published_policy_runs_end_to_end(published: list[str], user_run: gigsim.Results
                                          ) -> None:
    by_entry_point = gigsim.simulate(_scarce("highest-id"), jobs=1)
    _assert_same_tables(user_run, by_entry_point)


def test_broken_published_policies_are_refused(published: list[str]) -> None:
    with pytest.raises(PolicyError, match=r"cannot load policy 'gone' from its entry point"):
        get_policy("gone")
    with pytest.raises(PolicyError, match=r"'not-a-policy' does not implement"):
        get_policy("not-a-policy")
    with pytest.raises(PolicyError, match=r"unknown policy 'fastest'.*highest-id"):
        get_policy("fastest")


# --- errors, through the CLI -------------------------------------------------------------------


def _validate(path: Path, policy: str) -> Result:
    return CliRunner().invoke(main, ["validate", str(path), "--set", f"dispatch.policy={policy}"])


def _one_line_error(result: Result) -> str:
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize(("policy", "fragments"), [
    pytest.param(f"{MODULE}_missing:Policy", ("cannot import module",), id="no-such-module"),
    pytest.param(f"{BROKEN_MODULE}:Policy", ("cannot import module", "broken on purpose"),
                 id="module-fails-on-import"),
    pytest.param(":Policy", ("cannot import module",), id="empty-module-name"),
    pytest.param(".relative:Policy", ("cannot import module",), id="relative-module-name"),
    pytest.param(f"{MODULE}:Missing", ("has no 'Missing'",), id="no-such-attribute"),
    pytest.param(f"{MODULE}:NoKey", ("does not implement the dispatch-policy interface",
                                     "key(candidates, project)"), id="no-key-method"),
    pytest.param(f"{MODULE}:OnlyPriority", ("has priority(worker, now)", "first engine",
                                            "key(candidates, project)", "README"),
                 id="a-first-engine-policy-is-told-what-changed"),
    pytest.param(f"{MODULE}:NOT_A_CLASS", ("does not implement",), id="not-callable"),
])
def test_unusable_user_policy_is_one_line_naming_it(policy: str, fragments: tuple[str, ...],
                                                    write_scenario: Any, scenario_toml: str
                                                    ) -> None:
    path = write_scenario(scenario_toml)
    line = _one_line_error(_validate(path, policy))
    assert line.startswith("gigsim: error: --set: dispatch.policy: "), line
    assert repr(policy) in line, line
    for fragment in fragments:
        assert fragment in line, (fragment, line)


def test_valid_user_policy_passes_validate(write_scenario: Any, scenario_toml: str) -> None:
    result = _validate(write_scenario(scenario_toml), POLICY)
    assert result.exit_code == 0, (result.output, result.exception)
    assert f"policy {POLICY!r}" in result.stdout


def built(scenario: Scenario, rng: np.random.Generator) -> Any:
    """The engine's policy for ``scenario``, as a replication builds it."""
    return build_array_policy(scenario.dispatch, rng)
