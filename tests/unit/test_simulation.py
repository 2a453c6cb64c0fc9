"""One replication: semantics of work, pay, notice, pre-assignment, patience and assessment."""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

from gigsim import Scenario, simulate
from gigsim.analysis.metrics import latencies_table, spells_table, workers_table
from gigsim.engine import run_replication

DAY, WEEK = 24.0, 168.0


def scenario(extra_workers: tuple[dict[str, Any], ...] = (), **changes: Any) -> Scenario:
    """Twenty workers and plenty of seats; ``changes`` maps dotted keys to new values."""
    data: dict[str, Any] = {
        "name": "unit",
        "simulation": {"horizon": "8w", "warmup": "1w", "replications": 1, "seed": 5},
        "workers": [{"name": "g", "count": 20, "skills": ["generalist"],
                     "hours_per_week": 20}],
        "projects": [{"name": "p", "requires": "generalist", "arrivals_per_week": 10,
                      "seats": 500, "lifetime": "4w", "pay_per_hour": 16,
                      "hours_per_week_per_seat": 40}],
        "dispatch": {"policy": "longest-idle", "delay": "2d", "pre_assign_on_notice": True},
    }
    for dotted, value in changes.items():
        node: Any = data
        *parents, last = dotted.split(".")
        for part in parents:
            node = node[part][0] if part in ("workers", "projects") else node.setdefault(part, {})
        if value is None:
            del node[last]
        else:
            node[last] = value
    data["workers"].extend(extra_workers)
    return Scenario.from_dict(copy.deepcopy(data))


def test_same_seed_same_records_bit_for_bit() -> None:
    s = scenario(**{"dispatch.delay": {"dist": "exponential", "mean": "1d"},
                    "projects.lifetime": {"dist": "exponential", "mean": "2w"},
                    "projects.seats": {"dist": "poisson", "mean": 4}})
    a, b = run_replication(s, 11, 0), run_replication(s, 11, 0)
    for name in a.spells:
        np.testing.assert_array_equal(a.spells[name], b.spells[name])
    c = run_replication(s, 11, 1)
    assert not np.array_equal(a.projects["launch"], c.projects["launch"])


def test_changing_the_policy_keeps_the_projects() -> None:
    base = dict(**{"dispatch.delay": {"dist": "exponential", "mean": "1d"},
                   "projects.seats": {"dist": "poisson", "mean": 4},
                   "projects.arrivals_per_week": 2})
    a = run_replication(scenario(**base), 3, 0)
    b = run_replication(scenario(**base, **{"dispatch.policy": "random"}), 3, 0)
    for name in ("launch", "end", "seats", "pay_per_hour", "notice"):
        np.testing.assert_array_equal(a.projects[name], b.projects[name])
    for name in ("joined", "hours_per_week", "quality"):
        np.testing.assert_array_equal(a.workers[name], b.workers[name])


def test_work_is_min_of_availability_and_supply_paid_at_the_rate() -> None:
    s = scenario(**{"workers.hours_per_week": 30, "projects.hours_per_week_per_seat": 12})
    spells = spells_table(run_replication(s, 1, 0))
    work = spells[spells["kind"] == "work"]
    assert len(work) > 0
    length = work["end_h"] - work["start_h"]
    np.testing.assert_allclose(work["worked_h"], length * 12 / WEEK)
    np.testing.assert_allclose(work["available_h"], length * 30 / WEEK)
    np.testing.assert_allclose(work["underused_h"], length * 18 / WEEK)
    np.testing.assert_allclose(work["income_usd"], work["worked_h"] * 16)


def test_training_comes_first_and_is_paid_only_when_paid() -> None:
    s = scenario(**{"projects.training": {"hours": 4, "paid_probability": 0.5},
                    "projects.arrivals_per_week": 3})
    records = run_replication(s, 2, 0)
    spells = spells_table(records)
    training = spells[spells["kind"] == "training"]
    assert len(training) > 0
    project_end = dict(zip(records.projects["project"].astype(int),
                           records.projects["end"] - records.warmup_h, strict=True))
    cut_short = np.array([end >= project_end[p] - 1e-9 for end, p in
                          zip(training["end_h"], training["project_id"], strict=True)])
    whole = training[~training["censored"] & ~training["left_truncated"] & ~cut_short]
    assert len(whole) > 0
    np.testing.assert_allclose(whole["end_h"] - whole["start_h"], 4 / (20 / WEEK))
    np.testing.assert_allclose(whole["available_h"], 4.0)
    paid = training["paid_training_h"] > 0
    np.testing.assert_allclose(training.loc[paid, "income_usd"],
                               training.loc[paid, "paid_training_h"] * 16)
    assert (training.loc[~paid, "income_usd"] == 0).all()
    assert (training.loc[~paid, "unpaid_training_h"] > 0).all()
    assert paid.any() and (~paid).any()
    for _, row in whole.iterrows():  # work on the same project starts when training ends
        nxt = spells[(spells["worker_id"] == row["worker_id"])
                     & np.isclose(spells["start_h"], row["end_h"])]
        assert "work" in set(nxt["kind"]) or row["end_h"] == pytest.approx(7 * WEEK)


def test_sparse_phase_reduces_supply() -> None:
    s = scenario(**{"projects.sparse": {"fraction_of_life": 0.25, "supply_factor": 0.25},
                    "projects.hours_per_week_per_seat": 20})
    records = run_replication(s, 4, 0)
    sparse_at = dict(zip(records.projects["project"].astype(int), records.projects["sparse_at"],
                         strict=True))
    spells = spells_table(records)
    work = spells[spells["kind"] == "work"]
    rate = work["worked_h"] / (work["end_h"] - work["start_h"]) * WEEK
    in_sparse = np.array([start + records.warmup_h >= sparse_at[p] - 1e-9
                          for start, p in zip(work["start_h"], work["project_id"], strict=True)])
    assert in_sparse.any() and (~in_sparse).any()
    np.testing.assert_allclose(rate[in_sparse], 5.0)
    np.testing.assert_allclose(rate[~in_sparse], 20.0)
    np.testing.assert_allclose(records.projects["sparse_at"],
                               records.projects["end"] - 0.25 * 4 * WEEK)


def _completed(latencies: pd.DataFrame, cause: str) -> pd.Series:
    chosen = latencies[(latencies["cause"] == cause) & ~latencies["censored"]]
    return chosen["latency_h"]


def test_latency_is_the_delay_when_seats_wait() -> None:
    latencies = latencies_table(run_replication(scenario(), 1, 0))
    ended = _completed(latencies, "end_without_notice")
    assert len(ended) > 0
    np.testing.assert_allclose(ended, 2 * DAY)


def test_onboarding_latency_is_the_delay() -> None:
    s = scenario(**{"simulation.warmup": 0, "workers.arrivals_per_week": 5})
    latencies = latencies_table(run_replication(s, 1, 0))
    onboarded = latencies[(latencies["cause"] == "onboarded") & ~latencies["censored"]
                          & (latencies["released_h"] > 2 * DAY)]  # seats are open by then
    assert len(onboarded) > 0
    np.testing.assert_allclose(onboarded["latency_h"], 2 * DAY)


@pytest.mark.parametrize(("delay", "notice", "expected_h"),
                         [("2d", "1d", 1 * DAY), ("12h", "1d", 0.0), ("1d", "1d", 0.0)])
def test_pre_assignment_latency_is_delay_minus_notice(delay: str, notice: str,
                                                      expected_h: float) -> None:
    s = scenario(**{"dispatch.delay": delay,
                    "projects.notice": {"probability": 1.0, "duration": notice}})
    latencies = latencies_table(run_replication(s, 1, 0))
    ended = _completed(latencies, "end_with_notice")
    assert len(ended) > 0
    np.testing.assert_allclose(ended, expected_h, atol=1e-9)


def test_without_pre_assignment_the_delay_starts_at_the_end() -> None:
    s = scenario(**{"dispatch.pre_assign_on_notice": False,
                    "projects.notice": {"probability": 1.0, "duration": "1d"}})
    ended = _completed(latencies_table(run_replication(s, 1, 0)), "end_with_notice")
    assert len(ended) > 0
    np.testing.assert_allclose(ended, 2 * DAY)


def test_projects_under_notice_take_no_new_workers() -> None:
    s = scenario(**{"projects.notice": {"probability": 1.0, "duration": "1w"},
                    "dispatch.delay": {"dist": "exponential", "mean": "1d"}})
    records = run_replication(s, 8, 0)
    notice_at = dict(zip(records.projects["project"].astype(int), records.projects["notice_at"],
                         strict=True))
    sp = records.spells
    firsts = {}  # first spell of each assignment (worker, project) starts the assignment
    for worker, project, start in zip(sp["worker"], sp["project"], sp["start"], strict=True):
        if project >= 0:
            key = (int(worker), int(project))
            firsts[key] = min(firsts.get(key, math.inf), start)
    assert firsts
    # Starting after a project's notice is only possible on a seat reserved before it, taken up
    # when the worker's previous project ended: a release with zero latency at that moment.
    late = [key for key, start in firsts.items() if start > notice_at[key[1]] + 1e-9]
    assert late
    lat = records.latencies
    for worker, project in late:
        start = firsts[(worker, project)]
        match = (lat["worker"] == worker) & np.isclose(lat["released"] + lat["latency_h"], start)
        assert match.any()
        assert np.all(lat["latency_h"][match] == 0.0)
        assert np.all(lat["released"][match] == start)


def test_impatient_workers_leave_after_their_patience() -> None:
    doctors = {"name": "doctors", "count": 1, "skills": ["medical"], "hours_per_week": 10}
    s = scenario((doctors,), **{"workers.patience": "1w", "projects.requires": "medical"})
    records = run_replication(s, 1, 0)
    workers = workers_table(records)
    generalists = workers[workers["group"] == "g"]
    assert len(generalists) == 0  # all left during the warm-up of a week, at exactly a week
    wk = records.workers
    np.testing.assert_allclose(wk["left"][wk["group"] == 0], WEEK)
    assert set(wk["leave_cause"][wk["group"] == 0]) == {2}  # impatience


def test_failed_assessment_ends_the_career() -> None:
    s = scenario(**{"simulation.warmup": 0,
                    "workers.assessment": {"hours": 2, "pass_probability": 0.0, "wait": "3d"}})
    records = run_replication(s, 1, 0)
    workers = workers_table(records)
    assert (workers["leave_cause"] == "failed_assessment").all()
    np.testing.assert_allclose(workers["left_h"], 3 * DAY)
    assert workers["onboarded_h"].isna().all()
    spells = spells_table(records)
    assert set(spells["kind"]) == {"assessment"}
    np.testing.assert_allclose(spells["unpaid_assessment_h"], 2.0)
    assert len(latencies_table(records)) == 0


def test_paid_assessment_is_income() -> None:
    s = scenario(**{"simulation.warmup": 0, "workers.assessment": {
        "hours": 2, "paid": True, "pay_per_hour": 15, "pass_probability": 1.0, "wait": "1d"}})
    spells = spells_table(run_replication(s, 1, 0))
    assessment = spells[spells["kind"] == "assessment"]
    assert len(assessment) == 20
    np.testing.assert_allclose(assessment["paid_assessment_h"], 2.0)
    np.testing.assert_allclose(assessment["income_usd"], 30.0)
    np.testing.assert_allclose(assessment["end_h"], DAY)


def test_hazard_departures() -> None:
    s = scenario(**{"workers.leave_rate_per_year": 20})
    workers = workers_table(run_replication(s, 1, 0))
    assert (workers["leave_cause"] == "hazard").any()
    assert set(workers["leave_cause"]) <= {"hazard", "still_here"}


def test_checking_time_is_unpaid_and_only_while_idle() -> None:
    s = scenario(**{"workers.checking_hours_per_day": 2, "projects.arrivals_per_week": 0.5})
    spells = spells_table(run_replication(s, 1, 0))
    idle = spells[spells["kind"] == "idle"]
    np.testing.assert_allclose(idle["checking_h"], (idle["end_h"] - idle["start_h"]) / 12)
    assert (spells.loc[spells["kind"] != "idle", "checking_h"] == 0).all()


def test_projects_never_hold_more_workers_than_seats() -> None:
    s = scenario(**{"projects.seats": {"dist": "poisson", "mean": 3},
                    "projects.arrivals_per_week": 3,
                    "projects.lifetime": {"dist": "exponential", "mean": "2w"},
                    "workers.leave_rate_per_year": 5, "workers.arrivals_per_week": 3,
                    "projects.notice": {"probability": 0.5, "duration": "3d"},
                    "dispatch.delay": {"dist": "exponential", "mean": "1d"}})
    records = run_replication(s, 6, 0)
    sp = records.spells
    spans: dict[tuple[int, int], list[float]] = {}
    for worker, project, start, end in zip(sp["worker"], sp["project"], sp["start"], sp["end"],
                                           strict=True):
        if project >= 0:
            span = spans.setdefault((int(worker), int(project)), [math.inf, -math.inf])
            span[0], span[1] = min(span[0], start), max(span[1], end)
    seats = dict(zip(records.projects["project"].astype(int),
                     records.projects["seats"].astype(int), strict=True))
    events: dict[int, list[tuple[float, int]]] = {}
    for (_, project), (start, end) in spans.items():
        events.setdefault(project, []).extend([(start, 1), (end, -1)])
    assert events
    for project, changes in events.items():
        held = np.cumsum([d for _, d in sorted(changes, key=lambda e: (e[0], e[1]))])
        assert held.max() <= seats[project]


def test_simulate_results_have_the_contract_columns() -> None:
    results = simulate(scenario(), replications=2, seed=4)
    contract = {
        "worker_months": ["replication", "worker_id", "group", "month", "income_usd",
                          "worked_h", "paid_training_h", "unpaid_h", "idle_h", "available_h"],
        "spells": ["replication", "worker_id", "kind", "start_h", "end_h", "censored",
                   "project_id"],
        "latencies": ["replication", "worker_id", "released_h", "latency_h", "censored",
                      "cause"],
        "projects": ["replication", "project_id", "generator", "launch_h", "end_h", "seats",
                     "notice"],
    }
    for name, columns in contract.items():
        table = getattr(results, name)
        assert set(columns) <= set(table.columns), name
        assert set(table["replication"]) == {0, 1}, name


def test_impatience_strikes_exactly_when_an_idle_spell_reaches_the_patience() -> None:
    """Idle spells never outlast the patience; those that reach it end the worker's stay.

    Workers cycle between short projects and idle spells of all lengths, so patience deadlines
    are passed by workers who found work and move on to later spells.
    """
    patience = 5 * DAY
    s = scenario(**{
        "simulation.horizon": "16w", "simulation.warmup": 0,
        "workers.count": 60, "workers.patience": "5d", "workers.arrivals_per_week": 10,
        "projects.seats": 4, "projects.arrivals_per_week": 12,
        "projects.lifetime": {"dist": "exponential", "mean": "4d"},
        "dispatch.delay": {"dist": "exponential", "mean": "1d"},
    })
    records = run_replication(s, 4, 0)
    spells = spells_table(records)
    idle = spells[spells["kind"] == "idle"]
    length = idle["end_h"] - idle["start_h"]
    assert (length <= patience + 1e-6).all()
    workers = workers_table(records).set_index("worker_id")
    impatient = workers[workers["leave_cause"] == "impatience"]
    assert len(impatient) > 20
    last_idle = idle.groupby("worker_id").last()
    np.testing.assert_allclose(last_idle.loc[impatient.index, "end_h"]
                               - last_idle.loc[impatient.index, "start_h"], patience)
    np.testing.assert_allclose(impatient["left_h"], last_idle.loc[impatient.index, "end_h"])
    reached = idle[(length >= patience - 1e-6) & ~idle["censored"]]
    assert set(reached["worker_id"]) == set(impatient.index)  # reaching it always ends the stay
    assert ((length < patience - 1e-6) & ~idle["censored"]).sum() > 100  # most spells end sooner
