"""Departures by the hazard and by patience in every phase of a stay, worked out by hand.

Workers of 40 h/week on hand-made projects of skill ``g`` (as in ``test_hand_worked``), with
hazard times and patience set per worker. Each case checks the spells, the latency rows, the
departures and the project's accounting: a worker who has left is never offered a seat, its
open spell ends when it leaves, and a seat it held or reserved reopens while its project
still takes workers.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from gigsim.engine.records import LeaveCause, ReleaseCause, SpellKind

from ._support import data, projects, rows, run_with

IDLE, TRAIN, WORK = float(SpellKind.IDLE), float(SpellKind.TRAINING), float(SpellKind.WORK)
ONB, END, NOTICE = (float(ReleaseCause.ONBOARDED), float(ReleaseCause.END_WITHOUT_NOTICE),
                    float(ReleaseCause.END_WITH_NOTICE))
HAZARD, IMPATIENCE = float(LeaveCause.HAZARD), float(LeaveCause.IMPATIENCE)
INF = math.inf


def spells(records):  # type: ignore[no-untyped-def]
    return rows(records, "spells", "worker", "kind", "start", "end", "project", "censored")


def latencies(records):  # type: ignore[no-untyped-def]
    return rows(records, "latencies", "worker", "released", "latency_h", "censored", "cause")


def left(records) -> list[tuple[float, float]]:  # type: ignore[no-untyped-def]
    """(left, cause) per worker; NaN left for those still here."""
    w = records.workers
    return list(zip(np.round(w["left"], 9).tolist(), w["leave_cause"].tolist(), strict=True))


def cohorts(*groups: tuple[list[str], float], **options: Any) -> dict[str, Any]:
    """:func:`data` with one worker per group: (skills, joining time in hours)."""
    scenario = data(**options)
    base = scenario["workers"][0]
    scenario["workers"] = [{**base, "name": f"w{i}", "count": 1, "skills": skills,
                            "joins_at": f"{joins}h"} for i, (skills, joins) in enumerate(groups)]
    return scenario


# --- idle, between events: the departures of issue 10's property test ------------------------

@pytest.mark.parametrize("cause", ["hazard", "patience"])
@pytest.mark.parametrize("joins", [10.0, 8.0])
def test_idle_worker_gone_before_its_delay_ends_is_not_matched_ahead(cause: str,
                                                                     joins: float) -> None:
    # Delays of 5 h; P (2-100, 3 seats) opens before anyone is ready. Worker 0 (joins 0) is
    # ready at 5: the wake at 5 puts it on P, then matches ahead to P's end (the next event).
    # Worker 1 has two skills (so matching ahead goes one ready time at a time), joins at 10
    # and is ready at 15. The third worker (skill g) joins at `joins` and would be ready at
    # joins + 5 (15, with worker 1, or 13, before it), but leaves at 12 (hazard, or 12 -
    # joins of patience): it must not take a seat at 15, and its idle spell ends at 12.
    # At 8 it joins before worker 1, so it is worker 1 and the two-skill worker is worker 2.
    gone = 12.0
    records_data = cohorts((["g"], 0.0), (["g", "m"], 10.0), (["g"], joins), delay="5h")
    late, two = (2, 1) if joins == 10.0 else (1, 2)
    times = np.full(3, INF)
    times[late] = gone
    column = ({"t_hazard": times} if cause == "hazard"
              else {"patience_h": np.where(np.isinf(times), INF, times - joins)})
    records = run_with(records_data, projects({"launch": 2, "end": 100, "seats": 3}), **column)
    assert spells(records) == sorted([
        (0, IDLE, 0, 5, -1, 0), (0, WORK, 5, 100, 0, 0), (0, IDLE, 100, 400, -1, 1),
        (two, IDLE, 10, 15, -1, 0), (two, WORK, 15, 100, 0, 0), (two, IDLE, 100, 400, -1, 1),
        (late, IDLE, joins, gone, -1, 0)])
    assert latencies(records) == sorted([
        (0, 0, 5, 0, ONB), (0, 100, 300, 1, END), (two, 10, 5, 0, ONB),
        (two, 100, 300, 1, END), (late, joins, gone - joins, 1, ONB)])
    expected = [(np.nan, 0.0)] * 3
    expected[late] = (gone, HAZARD if cause == "hazard" else IMPATIENCE)
    assert str(left(records)) == str(expected)
    # seats open from 2: filled at 5 and 15; the third stays open to P's end
    assert records.projects["seats_filled"].tolist() == [2]
    assert records.projects["unfilled_seat_h"].tolist() == [3.0 + 13.0 + 98.0]


# --- every other phase --------------------------------------------------------------------

def test_hazard_before_the_delay_ends_at_an_event() -> None:
    # delays of 5 h; worker 0 leaves at 3, before its delay ends; P (2-100, 1 seat) waits for
    # the next ready worker: worker 1 at 5 (worker 0 is settled first, at the wake)
    records = run_with(data(workers=2, delay="5h"), projects({"launch": 2, "end": 100}),
                       t_hazard=np.array([3.0, INF]))
    assert spells(records) == sorted([
        (0, IDLE, 0, 3, -1, 0),
        (1, IDLE, 0, 5, -1, 0), (1, WORK, 5, 100, 0, 0), (1, IDLE, 100, 400, -1, 1)])
    assert (0, 0, 3, 1, ONB) in latencies(records)
    assert left(records)[0] == (3.0, HAZARD)


def test_hazard_in_the_pool() -> None:
    # no delay; worker 0 (first in the pool) leaves at 20; P launches at 50: worker 1 takes it
    records = run_with(data(workers=2), projects({"launch": 50, "end": 100}),
                       t_hazard=np.array([20.0, INF]))
    assert spells(records) == sorted([
        (0, IDLE, 0, 20, -1, 0),
        (1, IDLE, 0, 50, -1, 0), (1, WORK, 50, 100, 0, 0), (1, IDLE, 100, 400, -1, 1)])
    assert latencies(records) == sorted([(0, 0, 20, 1, ONB), (1, 0, 50, 0, ONB),
                                         (1, 100, 300, 1, END)])
    assert left(records)[0] == (20.0, HAZARD)


@pytest.mark.parametrize(("hazard", "mine", "theirs"), [
    # in training (10-52): worker 1 trains 20-62 and works to 110
    (20.0, [(0, TRAIN, 10, 20, 0, 0)],
     [(1, TRAIN, 20, 62, 0, 0), (1, WORK, 62, 110, 0, 0)]),
    # working, after training: worker 1 trains from 80 until P ends at 110
    (80.0, [(0, TRAIN, 10, 52, 0, 0), (0, WORK, 52, 80, 0, 0)],
     [(1, TRAIN, 80, 110, 0, 0)]),
])
def test_hazard_in_training_or_at_work_reopens_the_seat(
        hazard: float, mine: list[tuple[float, ...]], theirs: list[tuple[float, ...]]) -> None:
    # P (10-110, 1 seat, 10 h of training = 42 clock hours at 40 h/week): worker 0 takes it
    # at 10 and leaves at `hazard`; worker 1 (in the pool) takes the reopened seat then,
    # with its own training
    records = run_with(data(workers=2), projects({"launch": 10, "end": 110, "training_h": 10}),
                       t_hazard=np.array([hazard, INF]))
    assert [s for s in spells(records) if s[0] == 0] == sorted([(0, IDLE, 0, 10, -1, 0),
                                                                *mine])
    assert [s for s in spells(records) if s[0] == 1] == sorted([
        (1, IDLE, 0, hazard, -1, 0), *theirs, (1, IDLE, 110, 400, -1, 1)])
    assert [r for r in latencies(records) if r[0] == 0] == [(0, 0, 10, 0, ONB)]
    assert left(records)[0] == (hazard, HAZARD)
    assert records.projects["seats_filled"].tolist() == [2]
    assert records.projects["unfilled_seat_h"].tolist() == [0.0]


@pytest.mark.parametrize("hazard", [83.0, 90.0])
def test_hazard_under_notice_does_not_reopen_the_seat(hazard: float) -> None:
    # P (10-110, 1 seat, notice at 80), pre-assignment, delays of 5 h: worker 0's delay
    # starts at 80 (ready at 85) while it works. It leaves at 83 (delay running) or 90 (in
    # the pool while working): the work spell ends then, P's seat stays closed (P takes no
    # one under notice), and Q (95-300) goes to worker 1, not to the worker who left
    records = run_with(data(workers=2, delay="5h"),
                       projects({"launch": 10, "end": 110, "notice_at": 80},
                                {"launch": 95, "end": 300}),
                       t_hazard=np.array([hazard, INF]))
    assert [s for s in spells(records) if s[0] == 0] == [(0, IDLE, 0, 10, -1, 0),
                                                         (0, WORK, 10, hazard, 0, 0)]
    assert (1, WORK, 95, 300, 1, 0) in spells(records)
    assert [r for r in latencies(records) if r[0] == 0] == [(0, 0, 10, 0, ONB)]
    assert left(records)[0] == (hazard, HAZARD)
    assert records.projects["seats_filled"].tolist() == [1, 1]
    assert records.projects["unfilled_seat_h"].tolist() == [0.0, 0.0]


def test_hazard_while_holding_a_reservation_reopens_the_reserved_seat() -> None:
    # As test_hand_worked's reservation case: A (10-110, 2 seats, notice 80), delays of 5 h,
    # B (90-300, 3 seats) launches at 90: worker 2 starts on it, 0 and 1 (working on A,
    # ready at 85) reserve. Worker 0 leaves at 100: its A spell ends then (A's seat stays
    # closed under notice), its B seat reopens and, with no one in the pool, stays open to
    # B's end (200 seat-hours); worker 1 moves to B at 110 as reserved
    records = run_with(data(delay="5h"), projects(
        {"launch": 10, "end": 110, "seats": 2, "notice_at": 80},
        {"launch": 90, "end": 300, "seats": 3}), t_hazard=np.array([100.0, INF, INF]))
    assert [s for s in spells(records) if s[0] == 0] == [(0, IDLE, 0, 10, -1, 0),
                                                         (0, WORK, 10, 100, 0, 0)]
    assert (1, WORK, 110, 300, 1, 0) in spells(records)
    assert (2, WORK, 90, 300, 1, 0) in spells(records)
    assert [r for r in latencies(records) if r[0] == 0] == [(0, 0, 10, 0, ONB)]
    assert (1, 110, 0, 0, NOTICE) in latencies(records)
    assert left(records)[0] == (100.0, HAZARD)
    assert records.projects["seats_filled"].tolist() == [2, 3]
    assert records.projects["unfilled_seat_h"].tolist() == [0.0, 200.0]


def test_hazard_after_a_release_before_the_next_delay_ends() -> None:
    # one worker; A (10-110) then B (111-300): released at 110, ready at 115, but it leaves
    # at 112, so B is never filled (189 seat-hours unfilled)
    records = run_with(data(workers=1, delay="5h"),
                       projects({"launch": 10, "end": 110}, {"launch": 111, "end": 300}),
                       t_hazard=np.array([112.0]))
    assert spells(records) == sorted([(0, IDLE, 0, 10, -1, 0), (0, WORK, 10, 110, 0, 0),
                                      (0, IDLE, 110, 112, -1, 0)])
    assert latencies(records) == [(0, 0, 10, 0, ONB), (0, 110, 2, 1, END)]
    assert left(records) == [(112.0, HAZARD)]
    assert records.projects["unfilled_seat_h"].tolist() == [0.0, 189.0]


def test_patience_does_not_run_at_work_or_under_notice() -> None:
    # patience 15 h; A (10-110, 1 seat, notice 80), pre-assignment, delays of 5 h: worker 0
    # takes A at 10; workers 1 and 2 leave idle at 15. Worker 0 is on A (under notice from
    # 80, ready at 85) for 100 h without leaving; idle from 110, it leaves at 125
    records = run_with(data(delay="5h", patience="15h"),
                       projects({"launch": 5, "end": 110, "notice_at": 80}))
    assert spells(records) == sorted([
        (0, IDLE, 0, 5, -1, 0), (0, WORK, 5, 110, 0, 0), (0, IDLE, 110, 125, -1, 0),
        (1, IDLE, 0, 15, -1, 0), (2, IDLE, 0, 15, -1, 0)])
    assert latencies(records) == sorted([(0, 0, 5, 0, ONB), (0, 110, 15, 1, NOTICE),
                                         (1, 0, 15, 1, ONB), (2, 0, 15, 1, ONB)])
    assert left(records) == [(125.0, IMPATIENCE), (15.0, IMPATIENCE), (15.0, IMPATIENCE)]


def test_patience_restarts_only_after_a_reserved_project() -> None:
    # patience 15 h, delays of 5 h, pre-assignment: worker 0 works A (5-110, notice 80),
    # reserves B (90-200) at 90 and moves to it at 110 with no idle spell; idle from 200, it
    # leaves at 215. Workers 1 and 2 leave idle at 15
    records = run_with(data(delay="5h", patience="15h"),
                       projects({"launch": 5, "end": 110, "notice_at": 80},
                                {"launch": 90, "end": 200}))
    assert [s for s in spells(records) if s[0] == 0] == sorted([
        (0, IDLE, 0, 5, -1, 0), (0, WORK, 5, 110, 0, 0), (0, WORK, 110, 200, 1, 0),
        (0, IDLE, 200, 215, -1, 0)])
    assert [r for r in latencies(records) if r[0] == 0] == [
        (0, 0, 5, 0, ONB), (0, 110, 0, 0, NOTICE), (0, 200, 15, 1, END)]
    assert left(records)[0] == (215.0, IMPATIENCE)
