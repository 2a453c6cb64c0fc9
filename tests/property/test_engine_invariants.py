"""Invariants of the engine's tables, on random small scenarios with every policy and option.

Issue 10, item 7. Each test runs one replication of a random scenario (hypothesis) through
``gigsim.simulate`` and checks its tables only (``spells``, ``latencies``, ``projects``,
``project_fills``, ``workers``), so any engine that writes the same records is held to the same
rules:

- each worker's spells tile their stay in the window, without gap or overlap;
- exactly one latency row per release (an onboarding, or the end of the worker's project);
- a completed latency ends at the start of the worker's next assignment, a censored one when
  the worker leaves or the run ends, with no assignment starting in between;
- a project never holds more workers than seats; and over the time its seats are open, held
  seat-time plus unfilled seat-hours is at most seats x that time (reservations fill the rest),
  and equal to it when nothing can be reserved (no pre-assignment or no notice), when also
  every fill (``seats_filled``) is one assignment; with reservations, fills are at least the
  assignments (a reservation can be void, or its worker can leave before starting);
- every training and work spell is on a project whose life covers it, and a worker's spells
  on a project are one assignment of it: they follow one another without a gap, and the last
  ends when the project ends, the worker leaves or the run ends (idle and assessment spells
  are on no project);
- income = hours x pay in every spell, at the rate the spell's kind and project say; available
  hours are the worker's weekly hours over the spell's length, worked hours the smaller of those
  and the project's task supply (sparse or not).

The scenarios draw the five policies with their options, dispatch rounds, pre-assignment,
delays, notice, sparse phases, training, patience, hazard, assessments, seasonality, later
cohorts (``joins_at``) and two-skill workers, from the strategies of
``test_simulation_invariants``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import gigsim

from .test_simulation_invariants import (
    SKILL_SETS,
    TOLERANCE_H,
    assert_spells_tile,
    close,
    days,
    duration_dist,
    hours,
    project_generators,
    worker_groups,
)

TOL = TOLERANCE_H

SETTINGS = settings(max_examples=50, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

POLICIES: list[tuple[str, dict[str, Any]]] = [
    ("longest-idle", {}),
    ("random", {}),
    ("best-rated", {}),
    ("least-earned", {}),
    ("least-earned", {"window": "1w"}),
    ("skill-aware", {}),
    ("skill-aware", {"threshold": "1d"}),
    ("skill-aware", {"threshold": 0}),
]


@st.composite
def scenario_data(draw: st.DrawFn) -> dict[str, Any]:
    """A small scenario as a dict: one or two groups and generators, any dispatch settings."""
    n_groups = draw(st.integers(1, 2))
    skills = [draw(st.sampled_from(SKILL_SETS)) for _ in range(n_groups)]
    groups = [draw(worker_groups(f"w{i}", s)) for i, s in enumerate(skills)]
    for group in groups:
        if draw(st.booleans()):
            group["quality"] = draw(st.one_of(
                st.floats(0.0, 1.0),
                st.tuples(st.floats(0.5, 8.0), st.floats(0.5, 8.0)).map(
                    lambda t: {"dist": "beta", "a": t[0], "b": t[1]})))
        if group["count"] and draw(st.booleans()):
            group["joins_at"] = draw(days(0.0, 40.0))
    have = sorted({skill for s in skills for skill in s})
    gens = [draw(project_generators(f"p{i}", draw(st.sampled_from(have))))
            for i in range(draw(st.integers(1, 2)))]
    for gen in gens:
        if draw(st.booleans()):
            gen["seasonality"] = {
                "period": draw(days(1.0, 30.0)),
                "factors": draw(st.lists(st.floats(0.0, 3.0), min_size=1, max_size=4)
                                .filter(lambda f: max(f) > 0)),
            }
    policy, options = draw(st.sampled_from(POLICIES))
    dispatch: dict[str, Any] = {
        "policy": policy,
        "delay": draw(st.one_of(st.just(0), duration_dist(0.01, 10.0))),
        # pre-assignment on two times in three, so that reservations are common enough
        "pre_assign_on_notice": draw(st.sampled_from([True, True, False])),
        "rounds_every": draw(st.one_of(st.just(0), hours(1.0, 96.0))),
    }
    if options:
        dispatch["policy_options"] = options
    return {
        "name": "random",
        "simulation": {"horizon": "10w", "warmup": draw(st.sampled_from([0, "2w", "5d"])),
                       "replications": 1, "seed": draw(st.integers(0, 2**32 - 1))},
        "workers": groups,
        "projects": gens,
        "dispatch": dispatch,
    }


# Besides the random scenarios, one drawn scenarios seldom give: workers released together
# with reservations on two projects, one of them under notice, with pre-assignment and no
# delay, so a worker who moves onto the project under notice reserves a seat on the other at
# once (worker 0 at the end of project 11). Engine v2 once started it on both.
MOVES_ONTO_A_PROJECT_UNDER_NOTICE: dict[str, Any] = {
    "name": "random",
    "simulation": {"horizon": "10w", "warmup": 0, "replications": 1, "seed": 0},
    "workers": [{"name": f"w{i}", "count": count, "arrivals_per_week": 0.0,
                 "skills": ["generalist"], "hours_per_week": 1.0,
                 "checking_hours_per_day": 0.0, "leave_rate_per_year": 0.0}
                for i, count in enumerate((1, 3))],
    "projects": [{"name": "p0", "requires": "generalist", "arrivals_per_week": 1.0, "seats": 3,
                  "lifetime": "3.000d", "pay_per_hour": 0.0, "hours_per_week_per_seat": 1.0,
                  "notice": {"probability": 1.0, "duration": "1.000d"}}],
    "dispatch": {"policy": "longest-idle", "delay": 0, "pre_assign_on_notice": True,
                 "rounds_every": 0},
}


def on_random_scenarios(test: Callable[..., None]) -> Callable[..., None]:
    """Run ``test(data)`` over the random scenarios and the one above."""
    runs: Callable[..., None] = SETTINGS(example(data=MOVES_ONTO_A_PROJECT_UNDER_NOTICE)(
        given(data=scenario_data())(test)))
    return runs


def simulate(data: dict[str, Any]) -> gigsim.Results:
    scenario = gigsim.Scenario.from_dict(data)
    return gigsim.simulate(scenario, replications=1, seed=scenario.simulation.seed)


def assignments(spells: pd.DataFrame) -> pd.DataFrame:
    """One row per (worker, project): the first start and last end of its training and work.

    A worker is on a project at most once (it leaves a project only when the project ends or
    it leaves the platform), so this is one row per assignment.
    """
    on = spells[spells["project_id"] >= 0]
    return (on.groupby(["worker_id", "project_id"], sort=True)
            .agg(start_h=("start_h", "min"), end_h=("end_h", "max"),
                 censored=("censored", "max"))
            .reset_index())


@on_random_scenarios
def test_spells_tile_each_stay(data: dict[str, Any]) -> None:
    results = simulate(data)
    horizon = results.scenario.simulation.horizon_h
    spells = results.spells
    assert (spells["end_h"] >= spells["start_h"]).all()
    assert_spells_tile(spells, results.workers.set_index("worker_id"), horizon)


@on_random_scenarios
def test_one_latency_row_per_release(data: dict[str, Any]) -> None:
    results = simulate(data)
    horizon = results.scenario.simulation.horizon_h
    workers, projects = results.workers, results.projects.set_index("project_id")
    onboarded = workers[(workers["onboarded_h"] >= 0) & (workers["onboarded_h"] < horizon)]
    expected = [(int(w), round(t, 6), "onboarded")
                for w, t in zip(onboarded["worker_id"], onboarded["onboarded_h"], strict=True)]
    # an assignment that lasted until its project's end, before the end of the run, releases
    # the worker at that end (one that ended earlier ended because the worker left)
    spans = assignments(results.spells)
    end = projects.loc[spans["project_id"], "end_h"].to_numpy()
    notice = projects.loc[spans["project_id"], "notice"].to_numpy()
    released = close(spans["end_h"], end) & (end < horizon) & ~spans["censored"].to_numpy()
    expected += [(int(w), round(t, 6), "end_with_notice" if n else "end_without_notice")
                 for w, t, n in zip(spans["worker_id"][released], end[released],
                                    notice[released], strict=True)]
    latencies = results.latencies
    got = [(int(w), round(t, 6), str(c)) for w, t, c in
           zip(latencies["worker_id"], latencies["released_h"], latencies["cause"], strict=True)]
    assert sorted(got) == sorted(expected)


@on_random_scenarios
def test_latencies_end_at_the_next_start_or_at_leaving(data: dict[str, Any]) -> None:
    results = simulate(data)
    horizon = results.scenario.simulation.horizon_h
    left = results.workers.set_index("worker_id")["left_h"]
    starts = assignments(results.spells).groupby("worker_id")["start_h"].agg(
        lambda s: np.sort(s.to_numpy()))
    latencies = results.latencies
    assert (latencies["latency_h"] >= 0).all()
    for row in latencies.itertuples(index=False):
        ends_at = row.released_h + row.latency_h
        own = starts.get(row.worker_id, np.empty(0))
        later = own[own >= row.released_h - TOL]
        if row.censored:
            assert not (later < ends_at - TOL).any(), row  # no assignment began meanwhile
            assert close(ends_at, horizon) or close(ends_at, left[row.worker_id]), row
        else:
            assert len(later) and close(ends_at, later[0]), (row, later)


@on_random_scenarios
def test_projects_hold_at_most_their_seats(data: dict[str, Any]) -> None:
    results = simulate(data)
    horizon = results.scenario.simulation.horizon_h
    projects = results.projects.set_index("project_id")
    fills = results.project_fills.set_index("project_id")
    spans = assignments(results.spells)
    assert set(spans["project_id"]) <= set(projects.index)
    for project_id, own in spans.groupby("project_id"):
        project = projects.loc[project_id]
        assert (own["start_h"] >= project["launch_h"] - TOL).all()
        assert (own["end_h"] <= project["end_h"] + TOL).all()
        steps = sorted([(t, 1) for t in own["start_h"]] + [(t, -1) for t in own["end_h"]],
                       key=lambda step: (step[0], step[1]))  # ends before starts at a tie
        assert np.cumsum([s for _, s in steps]).max() <= project["seats"], project_id
    # seat-time: while a project's seats are open (launch to notice, end or end of run), each
    # seat is held, reserved or open; projects launched in the warm-up have held time there
    # that the spells table does not show, so they are left out
    reservable = data["dispatch"]["pre_assign_on_notice"] and any(
        "notice" in gen for gen in data["projects"])
    held_by = spans.set_index("project_id")
    for project_id, project in projects[projects["launch_h"] >= 0].iterrows():
        close_h = min(project["end_h"], horizon,
                      project["notice_h"] if project["notice"] else math.inf)
        open_h = max(close_h - project["launch_h"], 0.0)
        own = held_by.loc[[project_id]] if project_id in held_by.index else held_by.iloc[:0]
        held = float((np.minimum(own["end_h"], close_h)
                      - np.minimum(own["start_h"], close_h)).sum())
        # every match is counted as a fill; without reservations each one starts an assignment
        filled = int(fills.loc[project_id, "seats_filled"])
        assert filled == len(own) if not reservable else filled >= len(own), (project_id,
                                                                              filled, len(own))
        unfilled = float(fills.loc[project_id, "unfilled_seat_h"])
        capacity = project["seats"] * open_h
        slack = TOL * max(1.0, capacity)
        assert unfilled >= -slack and held + unfilled <= capacity + slack, project_id
        if not reservable:
            assert abs(held + unfilled - capacity) <= slack, (project_id, held, unfilled,
                                                              capacity)


@on_random_scenarios
def test_work_is_within_an_assignment_of_its_project(data: dict[str, Any]) -> None:
    results = simulate(data)
    horizon = results.scenario.simulation.horizon_h
    spells, projects = results.spells, results.projects.set_index("project_id")
    left = results.workers.set_index("worker_id")["left_h"]
    kind = spells["kind"].astype(str)
    assigned = kind.isin(["training", "work"])
    assert (spells.loc[~assigned, "project_id"] == -1).all()
    on = spells[assigned].sort_values(["worker_id", "project_id", "start_h", "end_h"])
    assert on["project_id"].isin(projects.index).all(), on[~on["project_id"].isin(projects.index)]
    life = projects.loc[on["project_id"]]
    start, end = on["start_h"].to_numpy(), on["end_h"].to_numpy()
    assert (start >= life["launch_h"].to_numpy() - TOL).all()
    assert (end <= life["end_h"].to_numpy() + TOL).all()
    # a worker is on a project once (it leaves only when the project ends or it leaves the
    # platform): its spells there follow one another without a gap ...
    worker, project = on["worker_id"].to_numpy(), on["project_id"].to_numpy()
    same = (worker[1:] == worker[:-1]) & (project[1:] == project[:-1])
    assert close(start[1:][same], end[:-1][same]).all(), on.iloc[1:][same & ~close(
        start[1:], end[:-1])]
    # ... and the last ends with the project, with the worker's stay, or with the run
    last = np.append(~same, True)[: len(on)]
    ends_at = end[last]
    ended = (close(ends_at, life["end_h"].to_numpy()[last])
             | close(ends_at, left.loc[worker[last]].to_numpy()) | close(ends_at, horizon))
    assert ended.all(), on[last][~ended]


@on_random_scenarios
def test_income_is_hours_times_pay(data: dict[str, Any]) -> None:
    results = simulate(data)
    spells = results.spells
    workers = results.workers.set_index("worker_id")
    projects = results.projects.set_index("project_id")
    kind = spells["kind"].astype(str).to_numpy()
    length = (spells["end_h"] - spells["start_h"]).to_numpy()
    rate = (workers.loc[spells["worker_id"], "hours_per_week"].to_numpy() / 168.0)
    onboarded = kind != "assessment"
    assert close(spells["available_h"][onboarded], (rate * length)[onboarded]).all()
    # assessment: paid hours at the group's assessment rate
    group = workers.loc[spells["worker_id"], "group"].astype(str).to_numpy()
    by_name = {g["name"]: g.get("assessment") for g in data["workers"]}
    assessed = kind == "assessment"
    pay = np.array([float((by_name[g] or {}).get("pay_per_hour", 0.0)) for g in group[assessed]])
    assert close(spells["income_usd"][assessed], spells["paid_assessment_h"][assessed] * pay).all()
    assert (spells["paid_assessment_h"][assessed][pay == 0] == 0).all()
    assert (spells.loc[kind == "idle", "income_usd"] == 0).all()
    # training and work: hours at the project's rate
    on = onboarded & (kind != "idle")
    project = projects.loc[spells["project_id"][on]]
    project_pay = project["pay_per_hour_usd"].to_numpy()
    training = kind[on] == "training"
    paid_h = np.where(training, spells["paid_training_h"][on], spells["worked_h"][on])
    assert close(spells["income_usd"][on], paid_h * project_pay).all()
    paid_training = project["training_paid"].to_numpy()
    assert (spells["paid_training_h"][on][training & ~paid_training] == 0).all()
    assert (spells["unpaid_training_h"][on][training & paid_training] == 0).all()
    # work: the smaller of availability and supply (cut in the sparse phase)
    factor = {g["name"]: (g.get("sparse") or {}).get("supply_factor", 1.0)
              for g in data["projects"]}
    work = ~training
    supply = project["hours_per_week_per_seat"].to_numpy() / 168.0
    sparse = spells["start_h"][on].to_numpy() >= project["sparse_h"].to_numpy() - TOL
    supply = np.where(sparse, supply * np.array([factor[str(g)] for g in project["generator"]]),
                      supply)
    expected = np.minimum(rate[on], supply) * length[on]
    assert close(spells["worked_h"][on][work], expected[work]).all()


# The invariants above are checked over whatever tables a scenario gives, and an empty table
# passes them all. So the scenarios must often give assignments, releases, completed and
# censored latencies, projects launched in the window, training, assessments and reservations:
# counted here over as many examples as each test draws (derandomized, so the counts are fixed).


def test_the_scenarios_give_tables_to_check() -> None:
    seen: dict[str, int] = dict.fromkeys(
        ("examples", "assignments", "releases", "completed", "censored", "launched in window",
         "training", "assessment", "reservable", "assignments without reservations"), 0)

    @SETTINGS
    @given(data=scenario_data())
    def count(data: dict[str, Any]) -> None:
        results = simulate(data)
        spans, latencies = assignments(results.spells), results.latencies
        kinds = set(results.spells["kind"].astype(str))
        reservable = data["dispatch"]["pre_assign_on_notice"] and any(
            "notice" in gen for gen in data["projects"])
        for key, happened in (
                ("examples", True), ("assignments", len(spans) > 0),
                ("releases", (latencies["cause"] != "onboarded").any()),
                ("completed", (~latencies["censored"]).any()),
                ("censored", latencies["censored"].any()),
                ("launched in window", (results.projects["launch_h"] >= 0).any()),
                ("training", "training" in kinds), ("assessment", "assessment" in kinds),
                ("reservable", reservable),
                ("assignments without reservations", not reservable and len(spans) > 0)):
            seen[key] += bool(happened)

    count()
    print(seen)
    rare = ("training", "assessment", "reservable")
    thin = {key: n for key, n in seen.items()
            if key != "examples" and n < (3 if key in rare else seen["examples"] // 5)}
    assert not thin, f"too few of {seen['examples']} scenarios exercise {thin}"
