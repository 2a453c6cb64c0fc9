"""A sweep by precision: each point runs rounds of replications until its own targets are met.

The rule is ``gigsim run --precision``'s (:mod:`gigsim.studies.precision`), point by point:
rounds of a fixed size, at least two, until every target metric's 95% interval at that point has
a half-width within the precision of the point's mean (percentage points for a share), or the
maximum. Each round hands every point still running its next replications at once, so the
backend stays busy; a point's count depends only on its own runs (replication ``k`` on seed
stream ``k``), so it is the same whatever the backend, ``--jobs`` or an interruption and
``--resume``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from gigsim.studies.precision import Decision, check_metric, next_round, stops
from gigsim.studies.sweep.backends import Backend
from gigsim.studies.sweep.spec import SweepSpec
from gigsim.studies.sweep.task import RunOutcome, RunTask


def run_points_by_precision(spec: SweepSpec, backend: Backend,
                            finished: Mapping[tuple[int, int], Mapping[str, float]],
                            save: Callable[[RunOutcome], None],
                            keep_tables: bool = False) -> dict[int, Decision]:
    """Run each point's rounds on ``backend``; each point's :class:`Decision`, by index.

    ``finished`` holds the metrics of runs saved before (by (point, replication)); they are
    not run again. ``save`` is called with each new outcome as it arrives.
    """
    goal = spec.goal
    assert goal is not None, "a sweep by precision needs spec.goal"
    values: dict[int, dict[int, Mapping[str, float]]] = {p.index: {} for p in spec.points}
    for (index, replication), metrics in finished.items():
        values[index][replication] = metrics
    done = dict.fromkeys(values, 0)
    rounds = dict.fromkeys(values, 0)
    decisions: dict[int, Decision] = {}
    active = list(spec.points)
    while active:
        plan = {point.index: next_round(goal, done[point.index]) for point in active}
        tasks = [RunTask(point.index, replication, spec.run_seed(point.index), point.scenario,
                         keep_tables)
                 for point in active for replication in plan[point.index]
                 if replication not in values[point.index]]
        for outcome in backend.run(tasks):
            save(outcome)
            values[outcome.point][outcome.replication] = outcome.metrics
        still = []
        for point in active:
            index = point.index
            done[index], rounds[index] = plan[index].stop, rounds[index] + 1
            runs = [values[index][r] for r in range(done[index])]
            checks = tuple(check_metric(name, [run[name] for run in runs], goal.precision)
                           for name in goal.metrics)
            if stops(goal, rounds[index], done[index], checks):
                decisions[index] = Decision(goal, done[index], rounds[index], checks)
            else:
                still.append(point)
        active = still
    return decisions


def decisions_dict(spec: SweepSpec, decisions: Mapping[int, Decision]) -> dict[str, Any]:
    """``replications_chosen`` of a sweep's manifest: the goal, then each point's decision."""
    assert spec.goal is not None
    points = []
    for index in sorted(decisions):
        entry = decisions[index].to_dict()
        points.append({"point": index, **{k: entry[k] for k in
                                          ("replications", "rounds", "stopped", "targets")}})
    return {"rule": "per point, as gigsim run --precision (docs/model.md)",
            **spec.goal.to_dict(), "points": points}


def precision_phrase(spec: SweepSpec, decisions: Mapping[int, Decision]) -> str:
    """One line: the replications the points needed and whether every point met the precision."""
    assert spec.goal is not None
    counts = [d.replications for d in decisions.values()]
    asked = f"{100 * spec.goal.precision:g}%"
    span = f"{min(counts)}" if min(counts) == max(counts) else f"{min(counts)}–{max(counts)}"
    short = [index for index, d in sorted(decisions.items()) if not d.met]
    head = (f"replications per point chosen by precision {asked} on"
            f" {', '.join(spec.goal.metrics)}: {span} (column replications)")
    if not short:
        return head + "; met at every point"
    shown = ", ".join(str(i) for i in short[:10]) + (" …" if len(short) > 10 else "")
    return (head + f"; not met at {len(short)} point(s) (point {shown}), stopped at"
            f" --max-replications {spec.goal.max_replications}")
