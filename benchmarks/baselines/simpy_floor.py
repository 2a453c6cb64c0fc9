"""The toy's projects as SimPy processes that do nothing: the least an engine on SimPy costs.

Each project is a process that waits for its launch and then for its end, as gigsim's project
processes do (docs/engine.md), and does no work at either: no matching, no pool, no records.
Its time divided by the heapq loop's is the floor under any engine that runs one SimPy process
per project, whatever it does at each event.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import simpy

from benchmarks.baselines.common import ToyParams, draw_projects


def run(params: ToyParams) -> int:
    """Run the empty project processes for ``params.horizon_h`` hours; the events they saw."""
    launches, lifetimes = draw_projects(params)
    env = simpy.Environment()
    events = [0]

    def project(p: int) -> Generator[simpy.Event, Any, None]:
        yield env.timeout(launches[p])
        events[0] += 1
        yield env.timeout(lifetimes[p])
        events[0] += 1

    for p in range(len(launches)):
        if launches[p] < params.horizon_h:
            env.process(project(p))
    env.run(until=params.horizon_h)
    return events[0]
