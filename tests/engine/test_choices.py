"""Reservation-wage reviews and returns keep the engine's invariants (docs/model.md §3).

Random small scenarios (the property tests' strategy, every policy and dispatch option) with a
reservation wage and ``return`` added to every group, on one slot or several. Each
replication's records must show: spells that tile each worker's stays, the gaps between them
exactly its absences; every absence ``after`` long at most and ending in a latency observation
of cause ``returned``; a censored latency ending at a departure (the last, or an absence's) or
the end; workers plus reservations within seats at every event.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from gigsim import Scenario
from gigsim.engine.records import LeaveCause, Records, ReleaseCause

from .test_invariants import SETTINGS, TOL, every_option, run

_BACK = (int(LeaveCause.IMPATIENCE), int(LeaveCause.LOW_EARNINGS))


@st.composite
def with_choices(draw: st.DrawFn) -> Scenario:
    base = draw(every_option())
    data: dict[str, Any] = dict(base.data)
    groups = []
    for group in data["workers"]:
        group = dict(group)
        group["reservation_wage"] = draw(st.sampled_from([0, 5, 12, 30]))
        group["review_every"] = draw(st.sampled_from(["1d", "1w", "3w"]))
        group["review_window"] = draw(st.sampled_from(["12h", "2w", "6w"]))
        group["return"] = {"probability": draw(st.sampled_from([0.0, 0.5, 1.0])),
                           "after": draw(st.sampled_from(["0h", "3d", "2w"]))}
        group.setdefault("patience", "1w")
        group["max_projects"] = draw(st.sampled_from([1, 1, 2]))
        groups.append(group)
    data["workers"] = groups
    return Scenario.from_dict(data)


def check_stays(records: Records) -> None:
    sp, wk, ab = records.spells, records.workers, records.absences
    absences: dict[int, list[tuple[float, float]]] = {}
    for w, left, back, cause in zip(ab.get("worker", np.empty(0)).tolist(),
                                    ab.get("left", np.empty(0)).tolist(),
                                    ab.get("back", np.empty(0)).tolist(),
                                    ab.get("cause", np.empty(0)).tolist(), strict=True):
        absences.setdefault(int(w), []).append((left, back))
        assert int(cause) in _BACK
        assert left <= back < records.end_h
    for w, spans in absences.items():
        assert int(wk["returns"][w]) == len(spans)
        edges = sorted(spans)
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(edges))
    assert int(wk["returns"].sum()) == sum(len(v) for v in absences.values())
    for w in np.unique(sp["worker"]).astype(int).tolist():
        mine = sp["worker"] == w
        start, end = sp["start"][mine], sp["end"][mine]
        # the union of the worker's spells (several slots overlap) is its stays
        order = np.argsort(start, kind="stable")
        start, end = start[order], np.maximum.accumulate(end[order])
        gaps = [(float(end[k - 1]), float(start[k])) for k in range(1, len(start))
                if start[k] > end[k - 1] + TOL]
        spans = sorted(absences.get(w, []))
        assert len(gaps) == len([s for s in spans if s[1] - s[0] > TOL]), (w, gaps, spans)
        for (g0, g1), (left, back) in zip(gaps, [s for s in spans if s[1] - s[0] > TOL],
                                          strict=True):
            assert abs(g0 - left) <= TOL and abs(g1 - back) <= TOL
        stay_end = records.end_h if np.isnan(wk["left"][w]) else wk["left"][w]
        assert abs(float(end[-1]) - stay_end) <= TOL, (w, end[-1], stay_end)


def check_returned_latencies(records: Records, one_slot: bool) -> None:
    lat, wk, ab = records.latencies, records.workers, records.absences
    # every slot back is an observation of cause returned (with several platforms the lead
    # need not be slot 0): one (worker, time) per absence
    returned = lat["cause"] == int(ReleaseCause.RETURNED)
    backs = sorted(zip(ab.get("worker", np.empty(0)).tolist(),
                       ab.get("back", np.empty(0)).tolist(), strict=True))
    assert sorted(set(zip(lat["worker"][returned].tolist(), lat["released"][returned].tolist(),
                          strict=True))) == backs
    if not one_slot:
        return  # a free slot's observation may also end when its spare hours are gone
    lefts = {(int(w), round(t, 6)) for w, t in zip(ab.get("worker", np.empty(0)).tolist(),
                                                   ab.get("left", np.empty(0)).tolist(),
                                                   strict=True)}
    closed = lat["released"] + lat["latency_h"]
    for w, at, censored in zip(lat["worker"].astype(int).tolist(), closed.tolist(),
                               lat["censored"].tolist(), strict=True):
        if censored and abs(at - records.end_h) > TOL and abs(at - wk["left"][w]) > TOL:
            assert (w, round(at, 6)) in lefts, (w, at)  # the departure before an absence


@SETTINGS
@given(with_choices())
def test_reviews_and_returns_keep_the_invariants(scenario: Scenario) -> None:
    records = run(scenario)
    check_stays(records)
    check_returned_latencies(records,
                             all(group.max_projects == 1 for group in scenario.workers))
    wk = records.workers
    low = wk["leave_cause"] == int(LeaveCause.LOW_EARNINGS)
    assert (wk["reservation_wage"][low] > 0).all()  # a wage of 0 is always met


def test_two_slots_holding_seats_leave_together_by_the_hazard() -> None:
    # A worker's two slots hold seats and leave at the same hazard time: the second departure
    # is handled when the clock has passed that time by a rounding step. It raised a negative
    # SimPy delay before; now both slots leave, then and there.
    scenario = Scenario.from_dict({
        "name": "slots", "simulation": {"horizon": "10w", "warmup": 0, "replications": 1,
                                        "seed": 0},
        "workers": [{"name": "w0", "count": 1, "skills": ["g"], "hours_per_week": 1.0,
                     "leave_rate_per_year": 5.0, "patience": "1w", "max_projects": 2}],
        "projects": [{"name": "p0", "requires": "g", "arrivals_per_week": 0.75, "seats": 1,
                      "lifetime": "25d", "pay_per_hour": 0.0, "hours_per_week_per_seat": 0.5}],
        "dispatch": {"policy": "longest-idle", "delay": 0, "pre_assign_on_notice": False},
    })
    records = run(scenario)
    wk = records.workers
    assert wk["leave_cause"][0] == int(LeaveCause.HAZARD)
    work = records.spells["project"] >= 0
    assert (records.spells["end"][work] <= wk["left"][0]).all()
    assert int(work.sum()) >= 2


def test_a_worker_back_after_leaving_with_a_reservation_holds_none() -> None:
    # Projects end with notice and workers reserve their next seat meanwhile (pre-assignment);
    # a reservation wage above the pay makes every reviewed worker leave, reservations
    # included, and each comes back a day later. Before the fix, the reservation held when
    # leaving came back with the worker, and its next departure released a seat of a project
    # long ended (KeyError).
    scenario = Scenario.from_dict({
        "name": "reserved", "simulation": {"horizon": "30w", "warmup": 0, "replications": 1,
                                           "seed": 3},
        "workers": [{"name": "w", "count": 40, "skills": ["g"], "hours_per_week": 20,
                     "reservation_wage": 30, "review_every": "1w", "review_window": "1w",
                     "return": {"probability": 1, "after": "1d"}}],
        "projects": [{"name": "p", "requires": "g", "arrivals_per_week": 30, "seats": 2,
                      "lifetime": {"dist": "exponential", "mean": "4d"}, "pay_per_hour": 15,
                      "hours_per_week_per_seat": 20,
                      "notice": {"probability": 1, "duration": "3d"}}],
        "dispatch": {"delay": "1h", "pre_assign_on_notice": True},
    })
    for seed in range(4):
        records = run(scenario.with_overrides({"simulation.seed": seed}))
        check_stays(records)
        assert records.workers["returns"].sum() > 100
