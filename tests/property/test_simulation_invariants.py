"""Invariants of one short replication of random small scenarios (hypothesis)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gigsim import Scenario
from gigsim.analysis.metrics import (
    latencies_table,
    spells_table,
    worker_months_table,
    workers_table,
)
from gigsim.engine import run_replication
from gigsim.engine.records import Records

SKILL_SETS = (["generalist"], ["medical"], ["generalist", "medical"])
TOLERANCE_H = 1e-6

SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def hours(low: float, high: float) -> st.SearchStrategy[str]:
    return st.floats(low, high).map(lambda x: f"{x:.3f}h")


def days(low: float, high: float) -> st.SearchStrategy[str]:
    return st.floats(low, high).map(lambda x: f"{x:.3f}d")


def duration_dist(low_d: float, high_d: float) -> st.SearchStrategy[Any]:
    return st.one_of(
        days(low_d, high_d),
        days(low_d, high_d).map(lambda m: {"dist": "exponential", "mean": m}),
        st.tuples(days(low_d, high_d), st.floats(0.0, 1.5)).map(
            lambda t: {"dist": "lognormal", "median": t[0], "sigma": t[1]}),
        st.tuples(st.floats(low_d, high_d), st.floats(0.0, high_d)).map(
            lambda t: {"dist": "uniform", "low": f"{t[0]:.3f}d", "high": f"{t[0] + t[1]:.3f}d"}),
    )


@st.composite
def worker_groups(draw: st.DrawFn, name: str, skills: list[str]) -> dict[str, Any]:
    count = draw(st.integers(0, 25))
    arrivals = draw(st.one_of(st.just(0.0), st.floats(0.01, 5.0)))
    if count == 0 and arrivals == 0:
        count = 1
    group: dict[str, Any] = {
        "name": name,
        "count": count,
        "arrivals_per_week": arrivals,
        "skills": skills,
        "hours_per_week": draw(st.one_of(
            st.floats(1.0, 60.0),
            st.tuples(st.floats(1.0, 40.0), st.floats(0.0, 40.0)).map(
                lambda t: {"dist": "uniform", "low": t[0], "high": t[0] + t[1]}))),
        "checking_hours_per_day": draw(st.floats(0.0, 3.0)),
        "leave_rate_per_year": draw(st.sampled_from([0.0, 0.5, 5.0, 30.0])),
    }
    if draw(st.booleans()):
        group["patience"] = draw(duration_dist(1.0, 40.0))
    if draw(st.booleans()):
        paid = draw(st.booleans())
        group["assessment"] = {
            "hours": draw(st.floats(0.0, 4.0)),
            "paid": paid,
            "pass_probability": draw(st.floats(0.0, 1.0)),
            "wait": draw(st.one_of(st.just(0), days(0.01, 10.0))),
        }
        if paid:
            group["assessment"]["pay_per_hour"] = draw(st.floats(5.0, 30.0))
    return group


@st.composite
def project_generators(draw: st.DrawFn, name: str, requires: str) -> dict[str, Any]:
    gen: dict[str, Any] = {
        "name": name,
        "requires": requires,
        "arrivals_per_week": draw(st.floats(0.1, 6.0)),
        "seats": draw(st.one_of(
            st.integers(1, 30),
            st.floats(1.0, 20.0).map(lambda m: {"dist": "poisson", "mean": m}))),
        "lifetime": draw(duration_dist(0.05, 60.0)),
        "pay_per_hour": draw(st.one_of(
            st.floats(0.0, 50.0),
            st.tuples(st.floats(5.0, 20.0), st.floats(0.0, 20.0)).map(
                lambda t: {"dist": "uniform", "low": t[0], "high": t[0] + t[1]}))),
        "hours_per_week_per_seat": draw(st.floats(0.5, 60.0)),
    }
    if draw(st.booleans()):
        gen["training"] = {"hours": draw(st.floats(0.0, 40.0)),
                           "paid_probability": draw(st.floats(0.0, 1.0))}
    if draw(st.booleans()):
        gen["notice"] = {"probability": draw(st.floats(0.0, 1.0)),
                         "duration": draw(days(0.01, 21.0))}
    if draw(st.booleans()):
        gen["sparse"] = {"fraction_of_life": draw(st.floats(0.0, 1.0)),
                         "supply_factor": draw(st.floats(0.0, 1.0))}
    return gen


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    n_groups = draw(st.integers(1, 2))
    skills = [draw(st.sampled_from(SKILL_SETS)) for _ in range(n_groups)]
    groups = [draw(worker_groups(f"w{i}", s)) for i, s in enumerate(skills)]
    have = sorted({skill for s in skills for skill in s})
    n_gens = draw(st.integers(1, 2))
    gens = [draw(project_generators(f"p{i}", draw(st.sampled_from(have))))
            for i in range(n_gens)]
    data = {
        "name": "random",
        "simulation": {"horizon": "10w", "warmup": draw(st.sampled_from([0, "2w", "5d"])),
                       "replications": 1, "seed": draw(st.integers(0, 2**32 - 1))},
        "workers": groups,
        "projects": gens,
        "dispatch": {
            "policy": draw(st.sampled_from(["longest-idle", "random"])),
            "delay": draw(st.one_of(st.just(0), duration_dist(0.01, 10.0))),
            "pre_assign_on_notice": draw(st.booleans()),
        },
    }
    return Scenario.from_dict(data)


def replicate(scenario: Scenario) -> Records:
    return run_replication(scenario, scenario.simulation.seed, 0)


def close(a: Any, b: Any) -> np.ndarray:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return np.abs(a - b) <= TOLERANCE_H * np.maximum(1.0, np.abs(b))


def assert_spells_tile(spells: pd.DataFrame, workers: pd.DataFrame, horizon: float) -> None:
    """Each worker's spells tile its stay in the window (``workers`` indexed by worker_id)."""
    assert set(spells["worker_id"]) <= set(workers.index)
    by_worker = dict(tuple(spells.groupby("worker_id", sort=False)))
    for worker_id, row in workers.iterrows():
        start = max(row["joined_h"], 0.0)
        end = horizon if math.isnan(row["left_h"]) else min(row["left_h"], horizon)
        own = by_worker.get(worker_id)
        if own is None:
            assert end - start <= TOLERANCE_H, (worker_id, start, end)
            continue
        own = own.sort_values(["start_h", "end_h"], kind="stable")
        starts, ends = own["start_h"].to_numpy(), own["end_h"].to_numpy()
        assert close(starts[0], start), (worker_id, starts[0], start)
        assert close(ends[-1], end), (worker_id, ends[-1], end)
        assert close(starts[1:], ends[:-1]).all(), (worker_id, starts, ends)


@SETTINGS
@given(scenarios())
def test_worker_month_accounting(scenario: Scenario) -> None:
    months = worker_months_table(replicate(scenario))
    for column in ("income_usd", "worked_h", "paid_training_h", "unpaid_h", "idle_h",
                   "available_h", "underused_h", "unpaid_training_h", "checking_h"):
        assert (months[column] >= -1e-9).all(), column
    parts = (months["worked_h"] + months["paid_training_h"] + months["unpaid_training_h"]
             + months["idle_h"] + months["underused_h"])
    assert close(parts, months["available_h"]).all()
    assert (months["worked_h"] <= months["available_h"] + 1e-9).all()
    # a month holds at most the worker's weekly hours over a month
    assert (months["available_h"] <= 168.0 / 168.0 * 730.5 + 1e-6).all()
    assert months["month"].between(0, math.ceil(scenario.simulation.horizon_h / 730.5) - 1).all()
    assert not months.duplicated(["worker_id", "month"]).any()


@SETTINGS
@given(scenarios())
def test_spells_tile_each_workers_time_on_the_platform(scenario: Scenario) -> None:
    records = replicate(scenario)
    horizon = records.horizon_h
    spells = spells_table(records)
    workers = workers_table(records).set_index("worker_id")
    assert set(spells["kind"]) <= {"assessment", "idle", "training", "work"}
    assert (spells["end_h"] >= spells["start_h"]).all()
    assert_spells_tile(spells, workers, horizon)


@SETTINGS
@given(scenarios())
def test_spell_hours_match_their_kind(scenario: Scenario) -> None:
    spells = spells_table(replicate(scenario))
    kind = spells["kind"]
    length = spells["end_h"] - spells["start_h"]
    assert (spells["available_h"] <= length + 1e-9).all()
    assert (spells.loc[kind != "work", ["worked_h", "underused_h"]] == 0).all().all()
    assert (spells.loc[kind != "idle", ["idle_h", "checking_h"]] == 0).all().all()
    assert (spells.loc[kind == "idle", "income_usd"] == 0).all()
    assert (spells.loc[kind != "assessment", ["paid_assessment_h", "unpaid_assessment_h"]]
            == 0).all().all()
    assert (spells.loc[kind == "assessment", "available_h"] == 0).all()
    project = spells["project_id"]
    assert (project[kind.isin(["training", "work"])] >= 0).all()
    assert (project[kind.isin(["idle", "assessment"])] == -1).all()
    assert (spells["income_usd"] >= 0).all()


@SETTINGS
@given(scenarios())
def test_latencies_and_censoring(scenario: Scenario) -> None:
    records = replicate(scenario)
    horizon = records.horizon_h
    latencies = latencies_table(records)
    workers = workers_table(records).set_index("worker_id")
    assert (latencies["latency_h"] >= 0).all()
    assert (latencies["released_h"] >= 0).all() and (latencies["released_h"] < horizon).all()
    closed_at = latencies["released_h"] + latencies["latency_h"]
    assert (closed_at <= horizon + TOLERANCE_H).all()
    censored = latencies[latencies["censored"]]
    left = workers.loc[censored["worker_id"], "left_h"].to_numpy()
    at = (censored["released_h"] + censored["latency_h"]).to_numpy()
    assert (close(at, horizon) | close(at, left)).all()
    # spells are censored only at the horizon, never for a worker who left before it
    spells = spells_table(records)
    censored_spells = spells[spells["censored"]]
    assert close(censored_spells["end_h"], horizon).all()
    gone = set(workers.index[workers["left_h"] < horizon])
    assert not gone & set(censored_spells["worker_id"])
    # and a worker still here at the horizon ends on a censored spell
    for worker_id, own in spells.groupby("worker_id"):
        if worker_id in gone:
            continue
        last = own.loc[own["end_h"].idxmax()]
        if last["end_h"] > last["start_h"]:
            assert last["censored"], (worker_id, last.to_dict())


@SETTINGS
@given(scenarios())
def test_projects_hold_at_most_their_seats(scenario: Scenario) -> None:
    records = replicate(scenario)
    sp = records.spells
    spans: dict[tuple[int, int], list[float]] = {}
    for worker, project, start, end in zip(sp["worker"], sp["project"], sp["start"], sp["end"],
                                           strict=True):
        if project >= 0:
            span = spans.setdefault((int(worker), int(project)), [math.inf, -math.inf])
            span[0], span[1] = min(span[0], start), max(span[1], end)
    seats = dict(zip(records.projects["project"].astype(int),
                     records.projects["seats"].astype(int), strict=True))
    launch = dict(zip(records.projects["project"].astype(int), records.projects["launch"],
                      strict=True))
    end_at = dict(zip(records.projects["project"].astype(int), records.projects["end"],
                      strict=True))
    changes: dict[int, list[tuple[float, int]]] = {}
    for (_, project), (start, end) in spans.items():
        assert start >= launch[project] - TOLERANCE_H
        assert end <= end_at[project] + TOLERANCE_H
        changes.setdefault(project, []).extend([(start, 1), (end, -1)])
    for project, steps in changes.items():
        held = np.cumsum([step for _, step in sorted(steps)])  # ends sort before starts
        assert held.max() <= seats[project], project


@SETTINGS
@given(scenarios())
def test_leaving_and_income_per_worker(scenario: Scenario) -> None:
    records = replicate(scenario)
    workers = workers_table(records)
    assert (workers["left_h"].isna() == (workers["leave_cause"] == "still_here")).all()
    gone = workers.dropna(subset=["left_h"])
    assert (gone["left_h"] >= gone["joined_h"] - TOLERANCE_H).all()
    failed = workers["leave_cause"] == "failed_assessment"
    assert workers.loc[failed, "onboarded_h"].isna().all()
    no_assessment = {i for i, g in enumerate(scenario.workers) if g.assessment is None}
    codes = workers["group"].cat.codes
    assert not (failed & codes.isin(no_assessment)).any()
    if all(g.patience is None for g in scenario.workers):
        assert not (workers["leave_cause"] == "impatience").any()
    if all(g.leave_rate_per_year == 0 for g in scenario.workers):
        assert not (workers["leave_cause"] == "hazard").any()
    months = worker_months_table(records)
    spells = spells_table(records)
    by_month = months.groupby("worker_id")["income_usd"].sum().sort_index()
    by_spell = spells.groupby("worker_id")["income_usd"].sum().sort_index()
    assert by_month.index.tolist() == by_spell.index.tolist()
    np.testing.assert_allclose(by_month.to_numpy(), by_spell.to_numpy(), rtol=1e-9, atol=1e-9)
