"""Invariants of the work model's keys, on random small scenarios (issue 19).

The random scenarios of ``test_engine_invariants`` (every policy, rounds, pre-assignment,
notice, sparse phases, training, assessments, patience, hazard), with, on each generator at
random, a task queue the team shares (``task_supply``), a client that ends its projects
together (``[[clients]]``), and a qualification test; and on each worker group at random,
several projects at once (``max_projects``). Checked on the tables only:

- each worker's spells still tile their stay (a worker who may hold several projects: its
  spells overlap, and their hours available add up to its hours over its stay, once each), and
  hours worked never exceed hours available, per spell and per worker-month;
- a project never holds more workers than seats, and a worker never holds more projects than
  its ``max_projects``;
- on a shared queue, the hours of every work spell are the integral over it of the member's
  water-filling share of the supply (sparse or not) among the whole team at each time
  (members training or taking the test included), so the team's work never exceeds the
  supply;
- qualification spells come first in an assignment, are paid at the test's rate, and a
  worker released for failing one never again starts on that generator's projects (another
  of its slots may have started on one at that same instant, before the failure);
- a client's loss ends every live project of that client at that instant.
"""

from __future__ import annotations

import itertools
from collections import Counter
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import gigsim
from gigsim.engine.work import water_fill

from .test_engine_invariants import scenario_data
from .test_simulation_invariants import TOLERANCE_H, assert_spells_tile, close, duration_dist

SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@st.composite
def work_model_data(draw: st.DrawFn) -> dict[str, Any]:
    """A random scenario with the work model's keys on some of its generators."""
    data = draw(scenario_data())
    clients = []
    for gen in data["projects"]:
        if draw(st.booleans()):
            gen.pop("hours_per_week_per_seat")
            gen["task_supply"] = draw(st.floats(0.5, 200.0))
        if draw(st.booleans()):
            name = f"c{len(clients)}"
            client: dict[str, Any] = {"name": name, "lifetime": draw(duration_dist(0.5, 40.0))}
            if draw(st.booleans()):
                client["notice"] = {"probability": draw(st.floats(0.0, 1.0)),
                                    "duration": f"{draw(st.floats(0.01, 14.0)):.3f}d"}
            clients.append(client)
            gen["client"] = name
        if draw(st.booleans()):
            paid = draw(st.booleans())
            gen["qualification"] = {"hours": draw(st.floats(0.1, 20.0)), "paid": paid,
                                    "pay_per_hour": draw(st.floats(1.0, 30.0)) if paid else 0.0,
                                    "pass_probability": draw(st.floats(0.0, 1.0))}
    if clients:
        data["clients"] = clients
    for group in data["workers"]:
        if draw(st.booleans()):
            group["max_projects"] = draw(st.integers(2, 3))
    return data


# Besides the random scenarios: workers whose project is under notice from launch reserve a
# seat on the next one of the same generator (pre-assignment, no delay) while taking a test
# they all fail; the reservation must be void, not started on (it once was).
RESERVED_ON_THE_GENERATOR_FAILED: dict[str, Any] = {
    "name": "random",
    "simulation": {"horizon": "10w", "warmup": 0, "replications": 1, "seed": 0},
    "workers": [{"name": "w0", "count": 11, "skills": ["generalist"], "hours_per_week": 36.0}],
    "projects": [{"name": "p0", "requires": "generalist", "arrivals_per_week": 2.0, "seats": 1,
                  "lifetime": "1.000d", "pay_per_hour": 0.0, "hours_per_week_per_seat": 1.0,
                  "notice": {"probability": 1.0, "duration": "2.000d"},
                  "seasonality": {"period": "1.000d", "factors": [3.0]},
                  "qualification": {"hours": 5.0, "pass_probability": 0.0}}],
    "dispatch": {"policy": "longest-idle", "delay": 0, "pre_assign_on_notice": True},
}


# And a scenario with each feature the counts below ask for, checked first: Hypothesis's sequence
# of random scenarios is the same for this test run alone, but not after other tests in the
# same process (``pytest -n``), so the counts of what the random ones exercised are not fixed.
# Workers of two slots; a shared queue with a paid test that 40% fail, its projects ending
# with a client lost every week or so; and projects of seats.
EVERY_FEATURE: dict[str, Any] = {
    "name": "every work-model feature",
    "simulation": {"horizon": "16w", "warmup": 0, "replications": 1, "seed": 7},
    "workers": [{"name": "w", "count": 40, "skills": ["generalist"], "hours_per_week": 20,
                 "max_projects": 2, "patience": "8w"}],
    "projects": [{"name": "shared", "requires": "generalist", "arrivals_per_week": 3.0,
                  "seats": 6, "lifetime": "2w", "pay_per_hour": 15, "task_supply": 40.0,
                  "client": "c0",
                  "qualification": {"hours": 2.0, "paid": True, "pay_per_hour": 10.0,
                                    "pass_probability": 0.6}},
                 {"name": "seat", "requires": "generalist", "arrivals_per_week": 2.0,
                  "seats": 6, "lifetime": "3w", "pay_per_hour": 15,
                  "hours_per_week_per_seat": 8}],
    "clients": [{"name": "c0", "lifetime": "1w"}],
}


def simulate(data: dict[str, Any]) -> gigsim.Results:
    scenario = gigsim.Scenario.from_dict(data)
    return gigsim.simulate(scenario, replications=1, seed=scenario.simulation.seed)


def _members_at(on: pd.DataFrame, t: float) -> pd.DataFrame:
    """The spells on one project covering time ``t`` (one per member)."""
    return on[(on["start_h"] < t) & (on["end_h"] > t)]


def test_the_work_model_keeps_every_invariant() -> None:
    # an empty table passes every check: count what the scenarios gave and require each
    # feature to be exercised often (EVERY_FEATURE makes sure of it)
    seen: Counter[str] = Counter()

    @SETTINGS
    @example(EVERY_FEATURE)  # gives each count below at least 10 by itself
    @example(RESERVED_ON_THE_GENERATOR_FAILED)
    @given(work_model_data())
    def check(data: dict[str, Any]) -> None:
        seen.update(check_work_model(data))

    check()
    print(dict(seen))
    for what in ("shared work spells", "teams of two or more sharing", "qualification spells",
                 "failed qualifications", "client losses", "client losses ending two or more",
                 "workers on two projects at once", "spare spells"):
        assert seen[what] >= 10, (what, dict(seen))


def check_work_model(data: dict[str, Any]) -> Counter[str]:
    """Check one scenario's tables; count what they held."""
    seen: Counter[str] = Counter()
    results = simulate(data)
    horizon = results.scenario.simulation.horizon_h
    spells, projects = results.spells, results.projects.set_index("project_id")
    workers = results.workers.set_index("worker_id")
    # with several platforms, max_projects on each platform a group joins (§5)
    most = {g["name"]: g.get("max_projects", 1) * len(g.get("platforms", [None]))
            for g in data["workers"]}
    several = workers["group"].astype(str).map(most) > 1
    assert_spells_tile(spells[~spells["worker_id"].isin(workers.index[several])],
                       workers[~several], horizon)
    seen.update(assert_hours_tile(spells, workers[several], horizon,
                                  workers.loc[several, "group"].astype(str).map(most)))
    months = results.worker_months
    assert (months["worked_h"] <= months["available_h"] + TOLERANCE_H).all()
    assert (spells["worked_h"] <= spells["available_h"] + TOLERANCE_H).all()

    kind = spells["kind"].astype(str)
    on = spells[spells["project_id"] >= 0]
    assert kind[spells["project_id"] >= 0].isin(["qualification", "training", "work"]).all()
    by_name = {g["name"]: g for g in data["projects"]}
    for project_id, own in on.groupby("project_id"):
        project = projects.loc[project_id]
        gen = by_name[str(project["generator"])]
        # team size: distinct workers on the project at each spell's midpoint
        mids = ((own["start_h"] + own["end_h"]) / 2).to_numpy()
        for t in mids:
            assert _members_at(own, t)["worker_id"].nunique() <= project["seats"]
        if "task_supply" not in gen:
            continue
        factor = (gen.get("sparse") or {}).get("supply_factor", 1.0)
        work = own[own["kind"].astype(str) == "work"]
        times = np.unique(np.r_[own["start_h"].to_numpy(), own["end_h"].to_numpy()])
        for _, spell in work.iterrows():
            if spell["end_h"] - spell["start_h"] <= TOLERANCE_H:
                continue
            sparse = spell["start_h"] >= project["sparse_h"] - TOLERANCE_H
            supply = project["task_supply_h_per_week"] / 168.0 * (factor if sparse else 1.0)
            # the team changes only where some member's spell starts or ends: between two
            # such times the member works its water-filling share of the supply
            cuts = times[(times > spell["start_h"]) & (times < spell["end_h"])]
            bounds = np.r_[spell["start_h"], cuts, spell["end_h"]]
            expected = 0.0
            for lo, hi in itertools.pairwise(bounds):
                members = _members_at(own, (lo + hi) / 2)
                ids = list(members["worker_id"])
                # each member's hours on the project: its spell's available hours per hour
                caps = members["available_h"] / (members["end_h"] - members["start_h"])
                shares = water_fill(caps.to_numpy(), supply)
                expected += shares[ids.index(spell["worker_id"])] * (hi - lo)
                seen["teams of two or more sharing"] += len(ids) >= 2
            assert close(spell["worked_h"], expected), (project_id, spell, expected)
            seen["shared work spells"] += 1

    # qualification: first in its assignment, paid at the test's rate, failed at most once
    tests = spells[kind == "qualification"]
    seen["qualification spells"] += len(tests)
    for _, spell in tests.iterrows():
        gen = by_name[str(projects.loc[spell["project_id"], "generator"])]
        test = gen["qualification"]
        pay = test.get("pay_per_hour", 0.0) if test.get("paid", False) else 0.0
        hours = spell["paid_qualification_h"] + spell["unpaid_qualification_h"]
        assert close(spell["income_usd"], spell["paid_qualification_h"] * pay)
        assert close(hours, spell["available_h"])
        assert (spell["paid_qualification_h"] == 0) == (pay == 0) or hours == 0
    failed = results.latencies[results.latencies["cause"].astype(str) == "failed_qualification"]
    seen["failed qualifications"] += len(failed)
    generator_of = projects["generator"].astype(str)
    starts = assignment_starts(on)
    for _, row in failed.iterrows():
        later = starts[(starts["worker_id"] == row["worker_id"])
                       & (starts["start_h"] > row["released_h"] + TOLERANCE_H)]
        earlier = on[(on["worker_id"] == row["worker_id"])
                     & close(on["end_h"], row["released_h"])
                     & (on["kind"].astype(str) == "qualification")]
        assert len(earlier) >= 1, row  # released when a test ended
        barred = set(generator_of.loc[earlier["project_id"]])
        assert not set(generator_of.loc[later["project_id"]]) & barred, (row, later)

    # clients: a loss ends all the client's live projects at once
    lost = projects[projects["end_cause"].astype(str) == "client_lost"]
    for (client, end_h), _ in lost.groupby(["client", "end_h"], observed=True):
        same = projects[projects["client"] == client]
        live = same[(same["launch_h"] < end_h) & (same["end_h"] >= end_h)]
        assert (live["end_h"] == end_h).all(), (client, end_h, live)
        seen["client losses"] += 1
        seen["client losses ending two or more"] += len(live) >= 2
    assert (projects.loc[projects["client"].isna(), "end_cause"].astype(str) == "lifetime").all()
    return seen


def assignment_starts(on: pd.DataFrame) -> pd.DataFrame:
    """The spells on projects that start an assignment: no spell of the same worker on the
    same project ends where they start (a shared queue's spells split at month edges)."""
    ends = set(zip(on["worker_id"], on["project_id"], on["end_h"].round(6), strict=True))
    first = [(w, p, round(s, 6)) not in ends
             for w, p, s in zip(on["worker_id"], on["project_id"], on["start_h"], strict=True)]
    return on[np.array(first, dtype=bool)]


def assert_hours_tile(spells: pd.DataFrame, workers: pd.DataFrame, horizon: float,
                      most: pd.Series) -> Counter[str]:
    """Workers who may hold several projects: their spells cover their stay; their hours
    available add up to their hours over it (each hour once); they hold at most ``most``
    projects at any time."""
    seen: Counter[str] = Counter()
    by_worker = dict(tuple(spells.groupby("worker_id", sort=False)))
    for worker_id, row in workers.iterrows():
        start = max(row["joined_h"], 0.0)
        end = horizon if np.isnan(row["left_h"]) else min(row["left_h"], horizon)
        own = by_worker.get(worker_id)
        if own is None:
            assert end - start <= TOLERANCE_H, (worker_id, start, end)
            continue
        assert close(own["start_h"].min(), start) and close(own["end_h"].max(), end), worker_id
        assessing = own["kind"].astype(str) == "assessment"
        onboarded = own.loc[~assessing, "start_h"].min() if (~assessing).any() else end
        expected = row["hours_per_week"] / 168.0 * (end - onboarded)
        assert close(own.loc[~assessing, "available_h"].sum(), expected), (worker_id, expected)
        seen["spare spells"] += int((own["kind"].astype(str) == "spare").sum())
        on = own[own["project_id"] >= 0]
        times = np.unique(np.r_[on["start_h"].to_numpy(), on["end_h"].to_numpy()])
        held = 0
        for lo, hi in itertools.pairwise(times):
            held = _members_at(on, (lo + hi) / 2)["project_id"].nunique()
            assert held <= most.loc[worker_id], (worker_id, lo, held)
            seen["workers on two projects at once"] += held >= 2
    return seen


def test_water_fill_by_hand() -> None:
    # supply 30 among caps 10, 5, 40: an equal 10 each leaves 5 spare from the one capped at
    # 5; 12.5 each for the other two leaves 2.5 spare from the one capped at 10: 15 for the last
    assert np.allclose(water_fill(np.array([10.0, 5.0, 40.0]), 30.0), [10.0, 5.0, 15.0])
    assert np.allclose(water_fill(np.array([4.0, 4.0]), 100.0), [4.0, 4.0])
    assert np.allclose(water_fill(np.array([4.0, 4.0, 4.0]), 6.0), [2.0, 2.0, 2.0])
    assert np.allclose(water_fill(np.array([1.0, 9.0]), 0.0), [0.0, 0.0])
    shares = water_fill(np.array([3.0, 7.0, 2.0, 11.0]), 15.0)
    assert np.isclose(shares.sum(), 15.0) and (shares <= [3.0, 7.0, 2.0, 11.0]).all()
