"""The benchmark's split of a replication by event kind (benchmarks/event_kinds.py).

Counts only, never times: the events credited to each kind add up to ``Records.events``
(a handler the wrapper misses, or one counted twice, breaks it), the wrapped run gives the
same records as the bare one, and leaving the wrapper puts the engine's methods back.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import gigsim
from gigsim.engine import run_replication
from gigsim.engine.replication import Replication

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # the benchmarks live beside the package, not in it
    sys.path.insert(0, str(ROOT))

from benchmarks.event_kinds import KINDS, STAGES, timing_event_kinds  # noqa: E402


def every_kind() -> dict[str, Any]:
    """Two platforms (B in dispatch rounds) with notice, qualification tests, earnings reviews,
    returns, later onboardings and seat holders leaving by the hazard."""
    group = {"count": 40, "skills": ["generalist"], "hours_per_week": 20,
             "platforms": ["A", "B"], "patience": "3w", "leave_rate_per_year": 2.0,
             "reservation_wage": 12, "review_every": "1w", "review_window": "2w",
             "return": {"probability": 1.0, "after": "3d"}}
    gen = {"requires": "generalist", "arrivals_per_week": 2.0, "seats": 30, "lifetime": "3w",
           "pay_per_hour": 15, "hours_per_week_per_seat": 8,
           "notice": {"probability": 0.5, "duration": "1w"},
           "qualification": {"hours": 1, "paid": False, "pass_probability": 0.7}}
    tests = {"A": {"hours": 1, "pass_probability": 1.0, "wait": 0},
             "B": {"hours": 1, "pass_probability": 1.0, "wait": "9d"}}
    return {
        "name": "every kind",
        "simulation": {"horizon": "12w", "warmup": 0, "replications": 1, "seed": 11},
        "workers": [{"name": "both", **group},
                    {"name": "later", **group, "max_projects": 2, "assessments": tests}],
        "projects": [{"name": "a", **gen, "platform": "A"}, {"name": "b", **gen, "platform": "B"}],
        "platforms": [{"name": "A", "dispatch": {"delay": "1d"}},
                      {"name": "B", "dispatch": {"delay": "2d", "policy": "random",
                                                 "rounds_every": "12h"}}],
    }


def blocks() -> dict[str, Any]:
    """One platform, no filters: seat holders' departures go in blocks (docs/engine.md)."""
    return {
        "name": "blocks",
        "simulation": {"horizon": "20w", "warmup": 0, "replications": 1, "seed": 5},
        "workers": [{"name": "w", "count": 300, "skills": ["generalist"], "hours_per_week": 20,
                     "patience": "4w", "leave_rate_per_year": 3.0, "arrivals_per_week": 10}],
        "projects": [{"name": "p", "requires": "generalist", "arrivals_per_week": 3.0,
                      "seats": 40, "lifetime": "3w", "pay_per_hour": 15,
                      "hours_per_week_per_seat": 20,
                      "notice": {"probability": 0.5, "duration": "1w"}}],
        "dispatch": {"delay": {"dist": "exponential", "mean": "1d"}},
    }


@pytest.mark.parametrize("data, kinds", [
    (every_kind(), {"launch", "notice", "end", "wake", "dispatch round", "earnings review",
                    "return", "failed test", "later onboarding (no event)"}),
    (blocks(), {"launch", "notice", "end", "wake", "seat holders' departure block"}),
])
def test_events_by_kind_add_up_to_the_records(data: dict[str, Any], kinds: set[str]) -> None:
    scenario = gigsim.Scenario.from_dict(data)
    bare = run_replication(scenario, 3, 0)
    with timing_event_kinds() as times:
        timed = run_replication(scenario, 3, 0)
    assert timed.events == bare.events > 0
    assert sum(times.events.values()) == timed.events, times.events
    seen = {kind for kind, n in times.events.items() if n > 0}
    assert kinds - {k for k in kinds if "no event" in k} <= seen, times.events
    assert kinds <= set(times.calls), times.calls
    for name, column in bare.spells.items():  # the wrapper changes nothing the engine does
        assert np.array_equal(column, timed.spells[name], equal_nan=True), name
    assert set(times.seconds) == set(times.calls)


def test_the_wrapper_puts_the_methods_back() -> None:
    names = [n for n in (*KINDS, *STAGES) if hasattr(Replication, n)]
    before = {n: Replication.__dict__.get(n) for n in names}
    with timing_event_kinds():
        assert all(Replication.__dict__.get(n) is not before[n] for n in names)
    assert {n: Replication.__dict__.get(n) for n in names} == before
