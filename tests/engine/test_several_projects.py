"""Several projects at once (``max_projects``), on hand-made projects: hours in the order
joined, spare hours, a slot per free seat sought, one seat a worker per project, and what
policies see (docs/model.md §5, Several projects at once)."""

from __future__ import annotations

import numpy as np
import pytest

from gigsim.engine.records import ReleaseCause, SpellKind

from . import array_policies
from ._support import data, projects, rows, run_with

H = 1 / 168.0  # an hour a week, per clock hour


def test_hours_go_to_projects_in_the_order_joined() -> None:
    # a 40 h worker with two slots: A (30 h a seat) from 10 to 200, B (30 h) from 50 to 300.
    # A takes 30 h and leaves 10 to spare; the other slot takes B with those 10 and keeps
    # them after A ends (30 h then to spare); the worker idles from 300 to the end (400)
    records = run_with(data(workers=1, max_projects=2),
                       projects({"launch": 10, "end": 200, "supply_h_per_week": 30},
                                {"launch": 50, "end": 300, "supply_h_per_week": 30}))
    got = rows(records, "spells", "kind", "start", "end", "project", "available_h",
               "worked_h", "idle_h")
    idle, spare, work = int(SpellKind.IDLE), int(SpellKind.SPARE), int(SpellKind.WORK)
    expected = [
        (idle, 0, 10, -1, 40 * H * 10, 0, 40 * H * 10),
        (idle, 300, 400, -1, 40 * H * 100, 0, 40 * H * 100),
        (work, 10, 200, 0, 30 * H * 190, 30 * H * 190, 0),
        (work, 50, 300, 1, 10 * H * 250, 10 * H * 250, 0),
        (spare, 10, 50, -1, 10 * H * 40, 0, 10 * H * 40),
        (spare, 200, 300, -1, 30 * H * 100, 0, 30 * H * 100),
    ]
    np.testing.assert_allclose(np.array(sorted(got)), np.array(sorted(expected)),
                               rtol=1e-9)  # rows() rounds to 9 decimals
    # every hour once: the worker's 40 h a week over the 400 h
    assert sum(r[4] for r in got) == pytest.approx(40 * H * 400)
    # a latency observation per slot and release; slot 0 waits from 200 to the end
    assert rows(records, "latencies", "slot", "released", "latency_h", "censored",
                "cause") == [(0, 0, 10, 0, int(ReleaseCause.ONBOARDED)),
                             (0, 200, 200, 1, int(ReleaseCause.END_WITHOUT_NOTICE)),
                             (1, 0, 50, 0, int(ReleaseCause.ONBOARDED)),
                             (1, 300, 100, 1, int(ReleaseCause.END_WITHOUT_NOTICE))]
    assert set(records.spells["worker"].tolist()) == {0.0}
    assert records.workers["hours_per_week"].tolist() == [40.0]


def test_a_worker_takes_one_seat_of_a_project() -> None:
    # five seats and a worker of two slots: one seat; the other slot keeps seeking
    records = run_with(data(workers=1, max_projects=2),
                       projects({"launch": 10, "end": 200, "seats": 5, "supply_h_per_week": 10}))
    work = records.spells["kind"] == SpellKind.WORK
    assert records.spells["project"][work].tolist() == [0.0]
    assert records.projects["seats_filled"].tolist() == [1.0]


def test_no_hours_to_spare_no_seeking() -> None:
    # a seat of 40 h takes all of a 40 h worker's hours: the other slot stops seeking (its
    # observation ends, censored) and takes no seat of the second project
    records = run_with(data(workers=1, max_projects=2),
                       projects({"launch": 10, "end": 200}, {"launch": 50, "end": 150}))
    work = records.spells["kind"] == SpellKind.WORK
    assert records.spells["project"][work].tolist() == [0.0]
    lat = rows(records, "latencies", "slot", "released", "latency_h", "censored")
    assert (1, 0, 10, 1) in lat  # slot 1: onboarded at 0, no hours from 10


@pytest.mark.parametrize(("policy", "second"), [("FewestProjectsFirst", 1),
                                                ("MostProjectsFirst", 0)])
def test_policies_see_the_projects_each_worker_holds(policy: str, second: int) -> None:
    # two workers of two slots; A (20 h a seat) at 10 goes to worker 0 (ties: the lower id);
    # B at 20 goes to the worker holding fewest projects, or most, as the policy asks
    records = run_with(
        data(workers=2, max_projects=2, policy=f"{array_policies.__name__}:{policy}"),
        projects({"launch": 10, "end": 200, "supply_h_per_week": 20},
                 {"launch": 20, "end": 200, "supply_h_per_week": 20}))
    work = records.spells["kind"] == SpellKind.WORK
    holder = dict(zip(records.spells["project"][work].tolist(),
                      records.spells["worker"][work].tolist(), strict=True))
    assert holder == {0.0: 0.0, 1.0: float(second)}
    assert np.isin(records.latencies["worker"], [0, 1]).all()  # rows of slots are workers'
