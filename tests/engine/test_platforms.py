"""Several platforms by hand: assessments per platform, onboarding later, leaving all of them."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import gigsim
from gigsim.engine.records import LeaveCause
from gigsim.engine.replication import run_replication

DAY = 24.0


def _scenario(assessments: dict[str, Any], *, patience: str | None = None,
              projects_on: tuple[str, ...] = ("A", "B")) -> gigsim.Scenario:
    group: dict[str, Any] = {"name": "w", "count": 1, "skills": ["g"], "hours_per_week": 40,
                             "platforms": ["A", "B"], "assessments": assessments}
    if patience is not None:
        group["patience"] = patience
    return gigsim.Scenario.from_dict({
        "name": "by-hand",
        "simulation": {"horizon": "60d", "warmup": 0, "replications": 1, "seed": 0},
        "platforms": [{"name": "A", "dispatch": {"delay": 0}},
                      {"name": "B", "dispatch": {"delay": 0}}],
        "workers": [group],
        "projects": [{"name": f"p{name}", "platform": name, "requires": "g", "seats": 5,
                      "arrivals_per_week": 20, "lifetime": "100d", "pay_per_hour": 10,
                      "hours_per_week_per_seat": 10} for name in projects_on],
    })


def _test(pass_probability: float, wait: str) -> dict[str, Any]:
    return {"hours": 1, "pass_probability": pass_probability, "wait": wait}


def test_a_platform_whose_result_comes_later_onboards_then() -> None:
    # A has no assessment (onboarded at 0), B's result comes at 10 days: the worker starts on
    # A's first project at its launch (no delay, open seats) and on a B project at 10 days,
    # with hours to spare (seats supply 10 of its 40 h)
    records = run_replication(_scenario({"B": _test(1.0, "10d")}), 1, 0)
    assert records.workers["onboarded"][0] == 0.0
    spells = records.spells
    on = spells["project"] >= 0
    platform = spells["platform"]
    first_on_a = records.projects["launch"][records.projects["platform"] == 0].min()
    assert spells["start"][on & (platform == 0)].min() == first_on_a
    assert spells["start"][on & (platform == 1)].min() == pytest.approx(10 * DAY)
    latency = records.latencies
    b = latency["platform"] == 1
    assert latency["released"][b].min() == pytest.approx(10 * DAY)
    assert (latency["latency_h"][b] >= 0).all()


def test_failing_one_platform_bars_that_one_only() -> None:
    records = run_replication(_scenario({"A": _test(0.0, "2d"), "B": _test(1.0, "5d")}), 1, 0)
    assert records.workers["onboarded"][0] == pytest.approx(5 * DAY)
    assert np.isnan(records.workers["left"][0])
    on = records.spells["project"] >= 0
    assert on.any() and (records.spells["platform"][on] == 1).all()
    assert (records.latencies["platform"] == 1).all()


def test_failing_every_platform_is_a_failed_assessment_at_the_last_result() -> None:
    records = run_replication(_scenario({"A": _test(0.0, "2d"), "B": _test(0.0, "5d")}), 1, 0)
    assert records.workers["leave_cause"][0] == LeaveCause.FAILED_ASSESSMENT
    assert records.workers["left"][0] == pytest.approx(5 * DAY)
    assert np.isnan(records.workers["onboarded"][0])
    assert len(records.latencies["worker"]) == 0


def test_leaving_before_a_later_result_leaves_every_platform() -> None:
    # no projects on A: onboarded there at 0, idle, the worker leaves by impatience at 5 days,
    # before B's result at 20 days; B never onboards it, and its assessment spell ends at 5 days
    scenario = _scenario({"B": _test(1.0, "20d")}, patience="5d", projects_on=("B",))
    records = run_replication(scenario, 1, 0)
    assert records.workers["leave_cause"][0] == LeaveCause.IMPATIENCE
    assert records.workers["left"][0] == pytest.approx(5 * DAY)
    spells = records.spells
    assert spells["end"].max() == pytest.approx(5 * DAY)
    assessment = spells["kind"] == 0
    assert spells["end"][assessment] == pytest.approx([5 * DAY])
    assert (spells["project"] < 0).all()
    assert (records.latencies["platform"] == 0).all()


def test_hours_left_over_while_a_later_platform_assesses_are_recorded() -> None:
    # one slot on A, a project supplying 8 of the worker's 20 h a week; B onboards it at 9 days
    data = {
        "name": "pending", "simulation": {"horizon": "4w", "replications": 1, "seed": 7},
        "workers": [{"name": "w", "count": 1, "skills": ["generalist"], "hours_per_week": 20,
                     "platforms": ["A", "B"],
                     "assessments": {"A": {"hours": 1, "pass_probability": 1.0},
                                     "B": {"hours": 1, "pass_probability": 1.0,
                                           "wait": "9d"}}}],
        "projects": [{"name": "a", "requires": "generalist", "arrivals_per_week": 5.0,
                      "seats": 5, "lifetime": "8w", "pay_per_hour": 15,
                      "hours_per_week_per_seat": 8, "platform": "A"}],
        "platforms": [{"name": "A"}, {"name": "B"}],
    }
    results = gigsim.simulate(gigsim.Scenario.from_dict(data), replications=1, seed=7)
    spells = results.spells
    own = spells[spells["kind"].astype(str) != "assessment"]
    horizon = 4 * 168.0
    assert own["available_h"].sum() == pytest.approx(20 / 168 * horizon, rel=1e-9)
    # the 12 h a week the project leaves over, from its start to B's result at 9 days: a spare
    # spell of the slot waiting for B, which seeks nothing until then (no latency opens)
    start = float(own.loc[own["kind"].astype(str) == "work", "start_h"].iloc[0])
    waiting = own[(own["kind"].astype(str) == "spare") & (own["end_h"] == 9 * 24.0)]
    assert len(waiting) == 1 and float(waiting["start_h"].iloc[0]) == start
    assert float(waiting["available_h"].iloc[0]) == pytest.approx(12 / 168 * (216 - start))
    assert (results.latencies["released_h"] != start).all()
