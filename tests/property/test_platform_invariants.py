"""The work model's invariants with several platforms (issue 22 item 1).

The random scenarios of ``test_work_model_invariants`` (every policy, rounds, pre-assignment,
notice, sparse phases, training, assessments, patience, hazard, shared queues, clients,
qualification tests, several projects at once) spread over two platforms, A (the drawn
dispatch) and B (another delay, policy, rounds and pre-assignment): each generator on one of
them, each group joining one or both, with an assessment per platform (its own wait). Checked
on the tables, besides ``check_work_model``'s invariants (spells tile each worker's stay, its
hours counted once, projects within seats and slots):

- a worker holds at most ``max_projects`` projects on each platform at once;
- every spell on a project is on that project's platform, and every latency row on a
  platform the worker's group joins;
- income per platform adds up to the income, in every worker-month.
"""

from __future__ import annotations

import itertools
from collections import Counter
from typing import Any

import numpy as np
import pytest
from engine.test_choices import check_returned_latencies, check_stays
from engine.test_invariants import run
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import gigsim
from gigsim.engine.records import LeaveCause

from .test_engine_invariants import POLICIES
from .test_simulation_invariants import TOLERANCE_H, duration_dist, hours
from .test_work_model_invariants import check_work_model, simulate, work_model_data

SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
JOINS = (["A"], ["B"], ["A", "B"], ["A", "B"], ["B", "A"])


@st.composite
def platform_data(draw: st.DrawFn) -> dict[str, Any]:
    """A work-model scenario spread over platforms A and B.

    A generator whose skill is on both platforms has, three times in four, a copy on the other;
    half the generators with a queue per seat supply at most 10 h a week per seat, so that
    workers have hours to spare for a project on the other platform.
    """
    data = draw(work_model_data())
    a = data.pop("dispatch")
    policy, options = draw(st.sampled_from(POLICIES))
    b: dict[str, Any] = {"policy": policy,
                         "delay": draw(st.one_of(st.just(0), duration_dist(0.01, 10.0))),
                         "pre_assign_on_notice": draw(st.booleans()),
                         "rounds_every": draw(st.one_of(st.just(0), hours(1.0, 96.0)))}
    if options:
        b["policy_options"] = options
    data["platforms"] = [{"name": "A", "dispatch": a}, {"name": "B", "dispatch": b}]
    for group in data["workers"]:
        group["platforms"] = joined = draw(st.sampled_from(JOINS))
        test = group.pop("assessment", None)
        if test is not None:
            group["assessments"] = {
                name: {**test, "wait": draw(st.sampled_from([0, "1d", "9d", test["wait"]]))}
                for name in joined if draw(st.integers(0, 3))}
    gens = []
    for gen in data["projects"]:
        on = sorted({name for group in data["workers"] if gen["requires"] in group["skills"]
                     for name in group["platforms"]})
        gen["platform"] = draw(st.sampled_from(on))
        if "hours_per_week_per_seat" in gen and draw(st.booleans()):  # hours to spare
            gen["hours_per_week_per_seat"] = draw(st.floats(0.5, 10.0))
        gens.append(gen)
        if len(on) == 2 and draw(st.integers(0, 3)):  # the same projects on the other one too
            gens.append({**gen, "name": f"{gen['name']}x", "platform": on[gen["platform"] == "A"]})
    data["projects"] = gens
    return data


def every_feature() -> dict[str, Any]:
    """A scenario with each feature the counts below ask for, checked first.

    Hypothesis's sequence of random scenarios is the same for a test run alone, but not when
    other tests ran before it in the same process (``pytest -n``): the counts of what the
    random ones exercised are not fixed, so this one makes sure of each. ``both`` join A and B
    at once and hold a project on each (seats supply 8 of their 20 h); ``later`` are onboarded
    on B 9 days after A, with two slots on A.
    """
    group = {"count": 20, "skills": ["generalist"], "hours_per_week": 20, "platforms": ["A", "B"],
             "patience": "8w"}
    tests = {"A": {"hours": 1, "pass_probability": 1.0, "wait": 0},
             "B": {"hours": 1, "pass_probability": 1.0, "wait": "9d"}}
    gen = {"requires": "generalist", "arrivals_per_week": 2.0, "seats": 60, "lifetime": "3w",
           "pay_per_hour": 15, "hours_per_week_per_seat": 8}
    return {
        "name": "every feature",
        "simulation": {"horizon": "10w", "warmup": 0, "replications": 1, "seed": 7},
        "workers": [{"name": "both", **group},
                    {"name": "later", **group, "max_projects": 2, "assessments": tests}],
        "projects": [{"name": "a", **gen, "platform": "A"}, {"name": "b", **gen, "platform": "B"}],
        "platforms": [{"name": "A", "dispatch": {"delay": "1d"}},
                      {"name": "B", "dispatch": {"delay": "2d", "policy": "random"}}],
    }


@pytest.mark.slow  # about a minute: run by .ci/run after make test (make test-slow)
def test_several_platforms_keep_every_invariant() -> None:
    # an empty table passes every check: count what the scenarios gave (derandomized, so the
    # counts are fixed) and require each feature to be exercised often
    seen: Counter[str] = Counter()

    @SETTINGS
    @given(platform_data())
    @example(data=every_feature())
    def check(data: dict[str, Any]) -> None:
        seen.update(check_work_model(data))
        seen.update(check_platforms(data))

    check()
    print(dict(seen))
    for what in ("workers on two platforms at once", "spells on B",
                 "workers on two projects at once"):  # every_feature() gives each
        assert seen[what] >= 10, (what, dict(seen))
    assert seen["onboarded on a platform later"] >= 10, dict(seen)


def check_platforms(data: dict[str, Any]) -> Counter[str]:
    """The invariants of several platforms on one scenario; count what the tables held."""
    seen: Counter[str] = Counter()
    results = simulate(data)
    spells, projects = results.spells, results.projects.set_index("project_id")
    workers = results.workers.set_index("worker_id")
    groups = {g["name"]: g for g in data["workers"]}
    on = spells[spells["project_id"] >= 0]
    assert (on["platform"].astype(str).to_numpy()
            == projects.loc[on["project_id"], "platform"].astype(str).to_numpy()).all()
    assert spells.loc[spells["project_id"] < 0, "kind"].astype(str).isin(
        ["idle", "spare", "assessment"]).all()
    assert spells.loc[spells["kind"].astype(str) != "assessment", "platform"].isna().sum() \
        == int((spells["project_id"] < 0).sum()
               - (spells["kind"].astype(str) == "assessment").sum())
    seen["spells on B"] += int((on["platform"].astype(str) == "B").sum())
    latencies = results.latencies
    joined = workers.loc[latencies["worker_id"], "group"].astype(str).map(
        lambda g: tuple(groups[g]["platforms"]))
    assert all(p in j for p, j in zip(latencies["platform"].astype(str), joined, strict=True))
    onboarded = latencies[latencies["cause"].astype(str) == "onboarded"]
    firsts = onboarded.groupby("worker_id")["released_h"].agg(["min", "max"])
    seen["onboarded on a platform later"] += int((firsts["max"] > firsts["min"]).sum())
    months = results.worker_months
    per_platform = months["income_A_usd"] + months["income_B_usd"]
    assert np.allclose(per_platform, months["income_usd"], rtol=1e-9, atol=1e-9)
    for (worker_id, platform), own in on.groupby(["worker_id", on["platform"].astype(str)]):
        most = groups[str(workers.loc[worker_id, "group"])].get("max_projects", 1)
        times = np.unique(np.r_[own["start_h"].to_numpy(), own["end_h"].to_numpy()])
        for lo, hi in itertools.pairwise(times):
            mid = (lo + hi) / 2
            held = own[(own["start_h"] < mid) & (own["end_h"] > mid)]["project_id"].nunique()
            assert held <= most, (worker_id, platform, lo, held)
    for _, own in on.groupby("worker_id"):
        platforms = own["platform"].astype(str)
        starts, ends = own["start_h"].to_numpy(), own["end_h"].to_numpy()
        a, b = (platforms == "A").to_numpy(), (platforms == "B").to_numpy()
        overlap = (np.minimum.outer(ends[a], ends[b]) - np.maximum.outer(starts[a], starts[b]))
        seen["workers on two platforms at once"] += bool((overlap > TOLERANCE_H).any())
    return seen


@st.composite
def platform_choice_data(draw: st.DrawFn) -> dict[str, Any]:
    """:func:`platform_data` with a reservation wage and ``return`` in every group."""
    data = draw(platform_data())
    for group in data["workers"]:
        group["reservation_wage"] = draw(st.sampled_from([0, 5, 12, 30]))
        group["review_every"] = draw(st.sampled_from(["1d", "1w", "3w"]))
        group["review_window"] = draw(st.sampled_from(["12h", "2w", "6w"]))
        group["return"] = {"probability": draw(st.sampled_from([0.5, 1.0])),
                           "after": draw(st.sampled_from(["0h", "3d", "2w"]))}
        group.setdefault("patience", "1w")
    return data


@pytest.mark.slow  # about a minute: run by .ci/run after make test (make test-slow)
def test_returns_and_reviews_on_several_platforms_keep_every_invariant() -> None:
    # workers' choices (docs/model.md §3) on two platforms: a worker comes back on the
    # platforms it was on when it left; its stays, absences and returned latencies as on one
    seen: Counter[str] = Counter()

    chosen = every_feature()
    for group in chosen["workers"]:
        group.update(reservation_wage=12, review_every="1w", review_window="2w",
                     **{"return": {"probability": 1.0, "after": "3d"}})

    @SETTINGS
    @given(platform_choice_data())
    @example(data=chosen)
    def check(data: dict[str, Any]) -> None:
        seen.update(check_platforms(data))
        records = run(gigsim.Scenario.from_dict(data))
        check_stays(records)
        check_returned_latencies(records, one_slot=False)
        seen["returns"] += int(records.workers["returns"].sum())
        seen["left for low earnings"] += int(
            (records.workers["leave_cause"] == int(LeaveCause.LOW_EARNINGS)).sum())

    check()
    print(dict(seen))
    for what in ("workers on two platforms at once", "returns", "left for low earnings"):
        assert seen[what] >= 10, (what, dict(seen))
