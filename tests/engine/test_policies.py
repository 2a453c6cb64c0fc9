"""Array policies: the built-ins keep their meaning; a user's ``module:Class`` runs; every bad
answer stops the run with one line naming the policy and the project."""

from __future__ import annotations

import numpy as np
import pytest

from gigsim import Scenario
from gigsim.engine.policies import Candidates, ProjectView, SkillAware, first_ranked
from gigsim.engine.records import Phase
from gigsim.errors import GigsimError, ScenarioError

from . import array_policies
from ._support import data, projects, run_with

MODULE = array_policies.__name__
WORK = 3.0


def candidates(now: float, **columns: np.ndarray) -> Candidates:
    ids = np.arange(len(next(iter(columns.values()))))
    return Candidates(ids, now, lambda name, which: columns[name][which], "g")


def test_skill_aware_keeps_specialists_back_until_the_threshold() -> None:
    # generalists (1 skill) idle since 90 and 95; specialists (2 skills) since 10 and 80:
    # at 100 with a 2-week threshold nobody overtakes; with 50 h the one idle since 10 does
    policy = SkillAware(np.random.default_rng(0), threshold="2w")
    view = ProjectView(0, "g", 0.0, 10.0, 0.0)
    c = candidates(100.0, n_skills=np.array([1, 1, 2, 2]),
                   idle_since=np.array([90.0, 95.0, 10.0, 80.0]))
    keys = policy.key(c, view)
    order = first_ranked(keys, (np.zeros(4), np.arange(4.0)), 4)
    assert order.tolist() == [0, 1, 2, 3]
    policy = SkillAware(np.random.default_rng(0), threshold="50h")
    order = first_ranked(policy.key(c, view), (np.zeros(4), np.arange(4.0)), 4)
    assert order.tolist() == [2, 0, 1, 3]


def test_first_ranked_breaks_ties_by_ready_time_then_id_and_takes_a_few_of_many() -> None:
    rng = np.random.default_rng(1)
    keys = rng.integers(0, 5, (200, 2)).astype(float)
    ready = rng.integers(0, 3, 200).astype(float)
    ids = np.arange(200.0)
    full = np.lexsort((ids, ready, keys[:, 1], keys[:, 0]))
    for count in (1, 7, 25, 200):
        assert first_ranked(keys, (ready, ids), count).tolist() == full[:count].tolist()


def test_best_rated_takes_the_highest_quality() -> None:
    records = run_with(data(policy="best-rated"), projects({"launch": 10, "end": 110,
                                                            "seats": 1}),
                       quality=np.array([0.2, 0.9, 0.5]))
    work = records.spells["kind"] == WORK
    assert records.spells["worker"][work].tolist() == [1.0]


def test_best_rated_ties_go_to_the_longest_idle() -> None:
    # workers 1 and 2 rate 0.9, worker 0 0.5. A (10-50) takes 1 (all idle since 0: the lower
    # id); B (60-160) takes 2, idle since 0, before 1, idle since 50, and before 0, rated lower
    records = run_with(data(policy="best-rated"), projects(
        {"launch": 10, "end": 50, "seats": 1}, {"launch": 60, "end": 160, "seats": 1}),
        quality=np.array([0.5, 0.9, 0.9]))
    work = records.spells["kind"] == WORK
    on = records.spells["project"]
    assert records.spells["worker"][work & (on == 0)].tolist() == [1.0]
    assert records.spells["worker"][work & (on == 1)].tolist() == [2.0]


@pytest.mark.parametrize(("policy", "takes_c"), [("least-earned", 2.0), ("longest-idle", 0.0)])
def test_least_earned_takes_who_earned_least_in_the_window(policy: str, takes_c: float) -> None:
    # A (10-60, 2 seats) pays workers 0 and 1 for 50 h; B (62-64, 1 seat) goes to worker 2
    # (idle since 0), who earns for 2 h. C (70-170, 1 seat): 0 and 1 idle since 60, 2 since
    # 64: least-earned takes 2 (least income), longest-idle takes 0
    records = run_with(data(policy=policy), projects(
        {"launch": 10, "end": 60, "seats": 2}, {"launch": 62, "end": 64, "seats": 1},
        {"launch": 70, "end": 170, "seats": 1}))
    work = records.spells["kind"] == WORK
    on = records.spells["project"]
    assert records.spells["worker"][work & (on == 1)].tolist() == [2.0]
    assert records.spells["worker"][work & (on == 2)].tolist() == [takes_c]


def test_a_users_array_policy_by_module_and_class() -> None:
    records = run_with(data(policy=f"{MODULE}:HighestIdFirst"),
                       projects({"launch": 10, "end": 110, "seats": 2}))
    work = records.spells["kind"] == WORK
    assert sorted(records.spells["worker"][work].tolist()) == [1.0, 2.0]


@pytest.mark.parametrize(("name", "says"), [
    ("NaNKey", "NaN or infinity"), ("InfKey", "NaN or infinity"), ("ShortKey", "rows for"),
    ("CubeKey", "shape"), ("ListKey", "returned list"), ("TextKey", "array of <U1"),
])
def test_bad_answers_stop_the_run_with_one_line(name: str, says: str) -> None:
    policy = f"{MODULE}:{name}"
    with pytest.raises(GigsimError) as caught:
        run_with(data(policy=policy), projects({"launch": 10, "end": 110, "seats": 2}))
    message = str(caught.value)
    assert "\n" not in message
    assert policy in message and "project 0" in message and says in message


def test_a_policy_without_key_is_refused_by_name_with_what_changed() -> None:
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_dict(data(policy=f"{MODULE}:NoKey"), "s.toml")
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"s.toml: dispatch.policy: '{MODULE}:NoKey' has priority(")
    assert "key(candidates, project)" in message


def test_built_in_options_are_passed() -> None:
    from gigsim.engine import Replication
    scenario_data = data(policy="skill-aware")
    scenario_data["dispatch"]["policy_options"] = {"threshold": "3d"}
    rep = Replication(Scenario.from_dict(scenario_data), 1, 0)
    assert rep.policy.threshold_h == 72.0
    assert (rep.wf.phase == Phase.IDLE).all()


def test_a_users_array_policy_by_entry_point(monkeypatch: pytest.MonkeyPatch) -> None:
    from importlib.metadata import EntryPoint

    import gigsim.scenario.policies

    published = [EntryPoint(name="highest-id", value=f"{MODULE}:HighestIdFirst",
                            group=gigsim.scenario.policies.ENTRY_POINT_GROUP)]
    monkeypatch.setattr(gigsim.scenario.policies, "entry_points",
                        lambda **params: published if params.get("group") else [])
    records = run_with(data(policy="highest-id"), projects({"launch": 10, "end": 110,
                                                            "seats": 2}))
    work = records.spells["kind"] == WORK
    assert sorted(records.spells["worker"][work].tolist()) == [1.0, 2.0]


@pytest.mark.parametrize(("policy", "joins"), [("skill-aware", 1.0), ("longest-idle", 0.0)])
def test_skill_aware_sends_a_two_skill_worker_to_the_rarer_skill(policy: str, joins: float
                                                                  ) -> None:
    # three generalists (skill g) and one worker with g and s, all ready at 10 h (delay 10 h).
    # A (skill g) opened at 1 h, B (skill s) at 2 h, with seats for everyone: the two-skill
    # worker (id 3) is offered both; longest-open takes A, skill-aware the rarer skill s (1
    # holder against 4), B
    scenario_data = data(workers=3, delay="10h", policy=policy)
    scenario_data["workers"].append({"name": "both", "count": 1, "skills": ["g", "s"],
                                     "hours_per_week": 40})
    scenario_data["projects"].append({**scenario_data["projects"][0], "name": "q",
                                      "requires": "s"})
    table = projects({"launch": 1, "end": 200, "seats": 5}, {"launch": 2, "end": 200, "seats": 5})
    table.requires[1] = 1  # skill s, the second in file order
    records = run_with(scenario_data, table)
    work = records.spells["kind"] == WORK
    on = records.spells["project"][work & (records.spells["worker"] == 3)]
    assert on.tolist() == [joins]
    assert sorted(records.spells["worker"][work & (records.spells["project"] == 0)].tolist()
                  )[:3] == [0.0, 1.0, 2.0]


def test_least_earned_counts_the_assignment_of_a_worker_under_notice() -> None:
    # P0 (5-7) pays worker 0 for 2 h; P1 (10-110, notice at 60) takes worker 1 (no income yet).
    # P2 launches at 70: worker 1, pooled at the notice, has earned 60 h on P1 so far, worker 0
    # 2 h: least-earned takes worker 0, which it would not if P1's income did not count yet
    records = run_with(data(workers=2, policy="least-earned"), projects(
        {"launch": 5, "end": 7, "seats": 1},
        {"launch": 10, "end": 110, "seats": 1, "notice_at": 60},
        {"launch": 70, "end": 170, "seats": 1}))
    work = records.spells["kind"] == WORK
    on = records.spells["project"]
    assert records.spells["worker"][work & (on == 1)].tolist() == [1.0]
    assert records.spells["worker"][work & (on == 2)].tolist() == [0.0]
