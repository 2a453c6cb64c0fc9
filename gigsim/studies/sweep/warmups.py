"""``warmup = "auto"`` in a sweep: each point's warm-up chosen by its own pilot.

A sweep's points differ in what sets how fast a platform fills (arrival rates, lifetimes,
counts), so one warm-up for all would be too short at some points or wasteful at others; each
point runs its own pilot (:mod:`gigsim.studies.warmup`: 10 replications over two horizons, on
seed streams no replication uses) on the sweep's backend, and takes the warm-up MSER-5 chooses
there. The points table records it (``warmup_weeks``), the manifest each point's cuts. The
choice depends only on the point's scenario and seed, so it is the same whatever the backend; a
resumed sweep runs the pilots again and finds the same.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from gigsim.studies.sweep.backends import Backend
from gigsim.studies.sweep.spec import SweepSpec
from gigsim.studies.sweep.task import RunTask
from gigsim.studies.warmup import (
    PILOT_INDICES,
    RULE,
    WarmupChoice,
    choice_from_series,
    pilot_scenario,
    with_warmup,
)


def choose_point_warmups(spec: SweepSpec, backend: Backend) -> dict[int, WarmupChoice]:
    """Each point's warm-up, by index, for the points that ask for ``"auto"`` (else empty)."""
    asking = [point for point in spec.points if point.scenario.simulation.warmup_auto]
    tasks = [RunTask(point.index, index, spec.run_seed(point.index),
                     pilot_scenario(point.scenario), pilot=True)
             for point in asking for index in PILOT_INDICES]
    series: dict[int, dict[int, Mapping[str, list[float]]]] = {p.index: {} for p in asking}
    for outcome in backend.run(tasks):
        assert outcome.series is not None
        series[outcome.point][outcome.replication] = outcome.series
    return {index: choice_from_series([runs[k] for k in PILOT_INDICES])
            for index, runs in series.items()}


def with_point_warmups(spec: SweepSpec, warmups: Mapping[int, WarmupChoice]) -> SweepSpec:
    """``spec`` with each point's scenario running the warm-up chosen for it."""
    points = tuple(dataclasses.replace(point, scenario=with_warmup(
        point.scenario, warmups[point.index].weeks)) if point.index in warmups else point
        for point in spec.points)
    return dataclasses.replace(spec, points=points)


def warmups_dict(warmups: Mapping[int, WarmupChoice]) -> dict[str, Any]:
    """``warmup_chosen`` of a sweep's manifest: the rule, then each point's choice.

    Each point's cut per series and whether it is at the limit MSER-5 searches; the weekly
    series themselves are left out (a few hundred numbers per point): ``gigsim run --warmup
    auto`` on a point's scenario draws them.
    """
    first = next(iter(warmups.values()))
    return {"rule": f"per point: {RULE}", "pilot_replications": first.pilot_replications,
            "points": [{"point": index, "warmup_weeks": choice.weeks,
                        "pilot_weeks": choice.pilot_weeks,
                        "truncation_weeks": choice.truncation_weeks,
                        "at_search_limit": choice.at_limit}
                       for index, choice in sorted(warmups.items())]}


def warmups_phrase(warmups: Mapping[int, WarmupChoice]) -> str:
    """One line: the warm-ups the points' pilots chose, and how many are at the limit."""
    weeks = [choice.weeks for choice in warmups.values()]
    span = f"{min(weeks)}" if min(weeks) == max(weeks) else f"{min(weeks)}–{max(weeks)}"
    limited = sum(choice.at_limit for choice in warmups.values())
    return (f"warm-up chosen per point by MSER-5 on its own pilot: {span} week(s) (column"
            " warmup_weeks of points)"
            + (f"; at {limited} point(s) it is the longest MSER-5 considers (one horizon):"
               " a series may still be changing there" if limited else ""))
