"""Small cases worked out by hand, checked row by row: 3 workers (40 h/week, 0.2381 h of
availability per clock hour), hand-made projects paying $10/h with supply equal to
availability, so every assigned hour is worked."""

from __future__ import annotations

import numpy as np
import pytest

from gigsim.engine.records import LeaveCause, ReleaseCause, SpellKind

from ._support import data, projects, rows, run_with

A = 40.0 / 168.0  # available hours per clock hour
IDLE, WORK = float(SpellKind.IDLE), float(SpellKind.WORK)
ONB, END, NOTICE = (float(ReleaseCause.ONBOARDED), float(ReleaseCause.END_WITHOUT_NOTICE),
                    float(ReleaseCause.END_WITH_NOTICE))


def spells(records):  # type: ignore[no-untyped-def]
    return rows(records, "spells", "worker", "kind", "start", "end", "project", "censored")


def latencies(records):  # type: ignore[no-untyped-def]
    return rows(records, "latencies", "worker", "released", "latency_h", "censored", "cause")


def test_two_seats_three_workers_no_delay() -> None:
    # launch at 10, end at 110: workers 0 and 1 (idle since 0, lowest ids) take the seats;
    # worker 2 stays idle to the end of the run (400 h)
    records = run_with(data(), projects({"launch": 10, "end": 110, "seats": 2}))
    assert spells(records) == sorted([
        (0, IDLE, 0, 10, -1, 0), (0, WORK, 10, 110, 0, 0), (0, IDLE, 110, 400, -1, 1),
        (1, IDLE, 0, 10, -1, 0), (1, WORK, 10, 110, 0, 0), (1, IDLE, 110, 400, -1, 1),
        (2, IDLE, 0, 400, -1, 1)])
    assert latencies(records) == sorted([
        (0, 0, 10, 0, ONB), (0, 110, 290, 1, END), (1, 0, 10, 0, ONB), (1, 110, 290, 1, END),
        (2, 0, 400, 1, ONB)])
    work = records.spells["kind"] == WORK
    np.testing.assert_allclose(records.spells["worked_h"][work], 100 * A)
    np.testing.assert_allclose(records.spells["income_usd"][work], 100 * A * 10)
    p = records.projects
    assert p["seats_filled"].tolist() == [2]
    assert p["fill_latency_sum_h"].tolist() == [0.0] and p["unfilled_seat_h"].tolist() == [0.0]


def test_delay_then_second_project_takes_the_longest_idle() -> None:
    # delay 5 h: all ready at 5. A (10-110, 2 seats) takes 0 and 1. B (90-300, 1 seat)
    # launches while A runs: worker 2 (idle since 0) takes it. A's end frees 0 and 1, whose
    # delays end at 115; nothing is open, so they stay idle; B's end frees 2 (ready at 305).
    records = run_with(data(delay="5h"), projects({"launch": 10, "end": 110, "seats": 2},
                                                  {"launch": 90, "end": 300, "seats": 1}))
    assert spells(records) == sorted([
        (0, IDLE, 0, 10, -1, 0), (0, WORK, 10, 110, 0, 0), (0, IDLE, 110, 400, -1, 1),
        (1, IDLE, 0, 10, -1, 0), (1, WORK, 10, 110, 0, 0), (1, IDLE, 110, 400, -1, 1),
        (2, IDLE, 0, 90, -1, 0), (2, WORK, 90, 300, 1, 0), (2, IDLE, 300, 400, -1, 1)])
    assert latencies(records) == sorted([
        (0, 0, 10, 0, ONB), (0, 110, 290, 1, END), (1, 0, 10, 0, ONB), (1, 110, 290, 1, END),
        (2, 0, 90, 0, ONB), (2, 300, 100, 1, END)])


def test_open_seat_waits_for_the_next_ready_worker() -> None:
    # delays of 5 h; A (launch 2) opens before anyone is ready: workers 0, 1, 2 are ready at 5
    # and take its 2 seats in id order at 5 (rule 1); the seats waited 3 h each
    records = run_with(data(delay="5h"), projects({"launch": 2, "end": 50, "seats": 2}))
    assert spells(records)[:2] == [(0, IDLE, 0, 5, -1, 0), (0, IDLE, 50, 400, -1, 1)]
    assert (0, WORK, 5, 50, 0, 0) in spells(records)
    assert (1, WORK, 5, 50, 0, 0) in spells(records)
    assert (2, IDLE, 0, 400, -1, 1) in spells(records)
    assert records.projects["fill_latency_sum_h"].tolist() == [6.0]
    assert records.projects["unfilled_seat_h"].tolist() == [6.0]


@pytest.mark.parametrize("b_seats", [3])
def test_reservation_starts_when_the_old_project_ends(b_seats: int) -> None:
    # A (10-110, 2 seats) under notice at 80: delays (5 h) of 0 and 1 start, ready at 85.
    # B (90-300) launches: 2 (idle since 0) starts; 0 and 1 (idle since 85) reserve and
    # start at 110 with latency 0
    records = run_with(data(delay="5h"), projects(
        {"launch": 10, "end": 110, "seats": 2, "notice_at": 80},
        {"launch": 90, "end": 300, "seats": b_seats}))
    assert (0, WORK, 110, 300, 1, 0) in spells(records)
    assert (1, WORK, 110, 300, 1, 0) in spells(records)
    assert (2, WORK, 90, 300, 1, 0) in spells(records)
    assert (0, 110, 0, 0, NOTICE) in latencies(records)
    assert records.projects["seats_filled"].tolist() == [2, 3]


@pytest.mark.parametrize("b_launch", [90.0, 70.0])
def test_reservation_void_when_both_projects_end_at_once(b_launch: float) -> None:
    # as above, but B ends at 110 with A: the reservations are void, so 0 and 1 are idle
    # from 110 (latency censored at the end), never on B; 2 worked B. B launched at 90
    # schedules its end after A's notice did (A's end runs first at 110); launched at 70,
    # before (B's end runs first): the outcome is the same
    a = {"launch": 10, "end": 110, "seats": 2, "notice_at": 80}
    b = {"launch": b_launch, "end": 110, "seats": 3}
    records = run_with(data(delay="5h"), projects(a, b))
    assert [s for s in spells(records) if s[0] == 0] == sorted([
        (0, IDLE, 0, 10, -1, 0), (0, WORK, 10, 110, 0, 0), (0, IDLE, 110, 400, -1, 1)])
    assert (2, WORK, b_launch, 110, 1, 0) in spells(records)
    assert (0, 110, 290, 1, NOTICE) in latencies(records)
    assert records.projects["seats_filled"].tolist() == [2, 3]  # reservations counted


def test_reservation_on_a_project_under_notice_moves_on_to_the_next() -> None:
    # No delay. A (0-100, 2 seats, notice at 50) takes 0 and 1; at 50 both seek again.
    # B (60-120, 2 seats, notice at 90) takes 2 (idle since 0) and 0 reserves; C (70-200,
    # 3 seats) has 1 reserve; at B's notice 2 reserves C. A's end releases 0 and 1 together:
    # 0 starts on B (under notice, so it seeks at once) and reserves C's last seat; 1 starts
    # on C. 0 is on B until B ends, then on C: it was once started on C at 100 as well.
    records = run_with(data(), projects(
        {"launch": 0, "end": 100, "seats": 2, "notice_at": 50},
        {"launch": 60, "end": 120, "seats": 2, "notice_at": 90},
        {"launch": 70, "end": 200, "seats": 3}))
    assert spells(records) == sorted([
        (0, WORK, 0, 100, 0, 0), (0, WORK, 100, 120, 1, 0), (0, WORK, 120, 200, 2, 0),
        (0, IDLE, 200, 400, -1, 1),
        (1, WORK, 0, 100, 0, 0), (1, WORK, 100, 200, 2, 0), (1, IDLE, 200, 400, -1, 1),
        (2, IDLE, 0, 60, -1, 0), (2, WORK, 60, 120, 1, 0), (2, WORK, 120, 200, 2, 0),
        (2, IDLE, 200, 400, -1, 1)])
    assert latencies(records) == sorted([
        (0, 0, 0, 0, ONB), (0, 100, 0, 0, NOTICE), (0, 120, 0, 0, NOTICE),
        (0, 200, 200, 1, END), (1, 0, 0, 0, ONB), (1, 100, 0, 0, NOTICE),
        (1, 200, 200, 1, END), (2, 0, 60, 0, ONB), (2, 120, 0, 0, NOTICE),
        (2, 200, 200, 1, END)])
    assert records.projects["seats_filled"].tolist() == [2, 2, 3]


def test_rounds_fill_a_project_under_notice_from_launch() -> None:
    # rounds every 100 h; A launches at 10 already under notice (notice_at = launch): it is
    # filled from the pool at launch (§4), not left empty until a round
    records = run_with(data(rounds_every="100h"),
                       projects({"launch": 10, "end": 60, "seats": 2, "notice_at": 10}))
    assert (0, WORK, 10, 60, 0, 0) in spells(records)
    assert (1, WORK, 10, 60, 0, 0) in spells(records)


def test_rounds_take_workers_whose_delay_ends_at_the_round() -> None:
    # rounds every 50 h, delays of exactly 50 h: ready at 50, so the round at 50 matches them
    records = run_with(data(delay="50h", rounds_every="50h"),
                       projects({"launch": 10, "end": 200, "seats": 2}))
    assert (0, WORK, 50, 200, 0, 0) in spells(records)
    assert (0, 0, 50, 0, ONB) in latencies(records)


def test_patience_in_the_pool_is_worked_out_in_bulk() -> None:
    # patience 30 h, no project until 100: everyone leaves at 30 for impatience, with the
    # idle spell closed (not censored) and the onboarding latency censored at 30
    records = run_with(data(patience="30h"), projects({"launch": 100, "end": 200, "seats": 2}))
    assert spells(records) == sorted([(w, IDLE, 0, 30, -1, 0) for w in range(3)])
    assert latencies(records) == sorted([(w, 0, 30, 1, ONB) for w in range(3)])
    assert records.workers["left"].tolist() == [30.0] * 3
    assert records.workers["leave_cause"].tolist() == [float(LeaveCause.IMPATIENCE)] * 3
    assert records.projects["unfilled_seat_h"].tolist() == [200.0]


def test_hazard_of_a_seat_holder_reopens_its_seat() -> None:
    # worker 0's hazard at 40 while on A (10-110, 1 seat): it leaves at 40 and worker 1
    # (pooled) takes the reopened seat at once
    records = run_with(data(), projects({"launch": 10, "end": 110, "seats": 1}),
                       t_hazard=np.array([40.0, np.inf, np.inf]))
    assert (0, WORK, 10, 40, 0, 0) in spells(records)
    assert (1, WORK, 40, 110, 0, 0) in spells(records)
    assert records.workers["leave_cause"].tolist()[0] == float(LeaveCause.HAZARD)
    assert records.projects["seats_filled"].tolist() == [2]


def test_a_project_under_notice_from_launch_reaches_it_exactly() -> None:
    # SimPy would reach 1.7 from 0.4 as 0.4 + (1.7 - 0.4) < 1.7: B (under notice from its
    # launch at 1.7) must still be closed at launch, so the one worker, busy on A (0.4-100),
    # does not take it when A ends
    assert 0.4 + (1.7 - 0.4) < 1.7
    records = run_with(data(workers=1), projects({"launch": 0.4, "end": 100},
                                                 {"launch": 1.7, "end": 200, "notice_at": 1.7}))
    assert spells(records) == sorted([(0, IDLE, 0, 0.4, -1, 0), (0, WORK, 0.4, 100, 0, 0),
                                      (0, IDLE, 100, 400, -1, 1)])
    assert records.projects["seats_filled"].tolist() == [1, 0]
    assert records.projects["unfilled_seat_h"].tolist() == [0.0, 0.0]


def test_a_wake_comes_at_the_ready_time_exactly() -> None:
    # P opens at 0.4 with no one on board; the one worker joins at 1.7 (no delay), and the
    # wake set at 0.4 for 1.7 starts it then: latency 0, or a rounding step above (no delay
    # from 0.4 lands on 1.7 exactly), never below
    scenario = data(workers=1)
    scenario["workers"][0]["joins_at"] = "1.7h"
    records = run_with(scenario, projects({"launch": 0.4, "end": 100}))
    latency = records.latencies["latency_h"].tolist()[0]
    assert 0.0 <= latency <= 1e-12
    assert min(records.spells["start"]) == 1.7  # its idle spell starts when it joins
