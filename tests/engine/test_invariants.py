"""The invariants of issue 10 (item 7) on the second engine, for every policy and option.

Random small scenarios (the property tests' strategy) run with each built-in policy, with and
without dispatch rounds and pre-assignment. Each replication's records must show: spells that
tile each worker's stay without gap or overlap; one latency row per release; a completed
latency ending at an assignment's start, a censored one at leaving or the end; income = hours
× pay; and, checked at every event of the run, workers plus reservations within seats.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from property.test_simulation_invariants import scenarios

from gigsim import Scenario
from gigsim.engine import Replication
from gigsim.engine.departures import Block
from gigsim.engine.records import Records, SpellKind

from ._support import POLICIES

TOL = 1e-6
SETTINGS = settings(max_examples=30, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


class CheckedReplication(Replication):
    """Checks workers + reservations <= seats on every project before every event.

    Seat holders' departures handled in a block do not pass through ``_event``: the check runs
    after each block too.
    """

    def _event(self) -> float:
        self.check_seats()
        return super()._event()

    def _write(self, block: Block) -> None:
        super()._write(block)
        self.check_seats()

    def check_seats(self) -> None:
        for p, team in self.teams.items():
            held = len(team) + len(self.reservers.get(p, ()))
            assert held + int(self.projects.open_seats[p]) <= self.projects.seats[p], p
            assert len(set(team)) == len(team)


@st.composite
def every_option(draw: st.DrawFn) -> Scenario:
    base = draw(scenarios())
    data: dict[str, Any] = dict(base.data)
    dispatch = dict(data["dispatch"])
    dispatch["policy"] = draw(st.sampled_from(POLICIES))
    dispatch["rounds_every"] = draw(st.sampled_from([0, 0, "12h", "3d"]))
    data["dispatch"] = dispatch
    return Scenario.from_dict(data)


def run(scenario: Scenario) -> Records:
    rep = CheckedReplication(scenario, scenario.simulation.seed, 0)
    records = rep.run()
    rep.check_seats()
    return records


def check_tiling(records: Records) -> None:
    sp, wk = records.spells, records.workers
    order = np.lexsort((sp["end"], sp["start"], sp["worker"]))
    worker, start, end = sp["worker"][order], sp["start"][order], sp["end"][order]
    assert (end >= start).all()
    first = np.r_[True, worker[1:] != worker[:-1]]
    last = np.r_[worker[1:] != worker[:-1], True]
    ids = worker[first].astype(int)
    assert np.allclose(start[first], wk["joined"][ids], atol=TOL)
    stay_end = np.where(np.isnan(wk["left"]), records.end_h, wk["left"])
    assert np.allclose(end[last], stay_end[worker[last].astype(int)], atol=TOL)
    inner = ~first
    assert np.allclose(start[inner], end[np.flatnonzero(inner) - 1], atol=TOL)
    joined_before_end = np.flatnonzero(wk["joined"] < records.end_h)
    assert set(ids.tolist()) == set(joined_before_end.tolist())


def assignments(records: Records) -> dict[tuple[int, int], tuple[float, float]]:
    sp = records.spells
    out: dict[tuple[int, int], tuple[float, float]] = {}
    for w, p, s, e in zip(sp["worker"].astype(int).tolist(), sp["project"].astype(int).tolist(),
                          sp["start"].tolist(), sp["end"].tolist(), strict=True):
        if p >= 0:
            s0, e0 = out.get((w, p), (s, e))
            out[(w, p)] = (min(s0, s), max(e0, e))
    return out


def check_latencies(records: Records) -> None:
    lat, wk, pr = records.latencies, records.workers, records.projects
    spans = assignments(records)
    starts = {(w, round(s, 6)) for (w, _), (s, _) in spans.items()}
    # one row per release: every onboarding before the end, every assignment its project ended
    releases: dict[int, int] = {}
    for w in np.flatnonzero(wk["onboarded"] < records.end_h).tolist():
        releases[w] = releases.get(w, 0) + 1
    for (w, p), (_, e) in spans.items():
        ends_at = pr["end"][p]
        if ends_at < records.end_h and abs(e - ends_at) <= TOL and not wk["left"][w] <= ends_at:
            releases[w] = releases.get(w, 0) + 1
    counted: dict[int, int] = {}
    for w in lat["worker"].astype(int).tolist():
        counted[w] = counted.get(w, 0) + 1
    assert counted == releases
    closed = lat["released"] + lat["latency_h"]
    assert (lat["latency_h"] >= 0).all()
    for w, at, censored in zip(lat["worker"].astype(int).tolist(), closed.tolist(),
                               lat["censored"].tolist(), strict=True):
        if censored:
            left = wk["left"][w]
            assert abs(at - records.end_h) <= TOL or abs(at - left) <= TOL, (w, at)
        else:
            assert (w, round(at, 6)) in starts, (w, at)


def check_income(records: Records, scenario: Scenario) -> None:
    sp, pr = records.spells, records.projects
    kind = sp["kind"]
    on_project = sp["project"] >= 0
    pay = np.where(on_project, pr["pay_per_hour"][np.maximum(sp["project"], 0).astype(int)]
                   if len(pr["pay_per_hour"]) else 0.0, 0.0)
    work = kind == SpellKind.WORK
    training = kind == SpellKind.TRAINING
    assert np.allclose(sp["income_usd"][work], (sp["worked_h"] * pay)[work], rtol=1e-9)
    assert np.allclose(sp["income_usd"][training], (sp["paid_training_h"] * pay)[training],
                       rtol=1e-9)
    assessment = kind == SpellKind.ASSESSMENT
    group = records.workers["group"].astype(int)
    group_pay = np.array([g.assessment.pay_per_hour if g.assessment else 0.0
                          for g in scenario.workers])
    assessment_pay = group_pay[group[sp["worker"].astype(int)]]
    assert np.allclose(sp["income_usd"][assessment],
                       (sp["paid_assessment_h"] * assessment_pay)[assessment], rtol=1e-9)
    assert (sp["income_usd"][kind == SpellKind.IDLE] == 0).all()


@SETTINGS
@given(every_option())
def test_invariants_hold_for_every_policy_and_option(scenario: Scenario) -> None:
    records = run(scenario)
    check_tiling(records)
    check_latencies(records)
    check_income(records, scenario)
