"""The toy model in SimPy with an event per task: each assigned hour is a timeout.

Like :mod:`.naive_simpy` (one process per worker), but a worker on a project does tasks of
``task_h`` hours one after another until the project ends, each its own event. This is the
event granularity gigsim avoids; it is run at a small size.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Generator
from functools import partial
from typing import Any

import simpy

from benchmarks.baselines.common import ToyParams, ToyResult, draw_projects


class _Model:
    def __init__(self, params: ToyParams) -> None:
        self.params = params
        self.env = simpy.Environment()
        self.launches, self.lifetimes = draw_projects(params)
        self.ends = [launch + life for launch, life in zip(self.launches, self.lifetimes,
                                                           strict=True)]
        self.idle: deque[tuple[int, simpy.Event]] = deque()
        self.open_projects: deque[int] = deque()
        self.open_seats = [0] * len(self.launches)
        self.started = [0.0] * params.workers
        self.working = [False] * params.workers
        self.busy = 0.0
        self.assignments = 0
        self.events = 0

    def take_open_seat(self) -> int | None:
        open_projects = self.open_projects
        now = self.env.now
        while open_projects and (self.open_seats[open_projects[0]] == 0
                                 or self.ends[open_projects[0]] <= now + 1e-9):
            open_projects.popleft()
        if not open_projects:
            return None
        project = open_projects[0]
        self.open_seats[project] -= 1
        return project

    def worker(self, worker: int) -> Generator[simpy.Event, Any, None]:
        env = self.env
        task_h = self.params.task_h
        while True:
            project = self.take_open_seat()
            if project is None:
                wake = env.event()
                self.idle.append((worker, wake))
                project = yield wake
            self.started[worker] = env.now
            self.working[worker] = True
            self.assignments += 1
            end = self.ends[project]
            while True:
                left = end - env.now
                if left <= 1e-9:
                    break
                self.events += 1
                yield env.timeout(task_h if left > task_h else left)
            self.busy += env.now - self.started[worker]
            self.working[worker] = False

    def close(self, project: int, _event: simpy.Event) -> None:
        self.open_seats[project] = 0

    def launcher(self) -> Generator[simpy.Event, Any, None]:
        env = self.env
        seats = self.params.seats
        for project, launch in enumerate(self.launches):
            yield env.timeout(launch - env.now)
            self.events += 2
            end = env.timeout(self.lifetimes[project])
            end.callbacks.append(partial(self.close, project))
            free = seats
            while free and self.idle:
                _, wake = self.idle.popleft()
                wake.succeed(project)
                self.events += 1
                free -= 1
            if free:
                self.open_seats[project] = free
                self.open_projects.append(project)

    def run(self) -> ToyResult:
        for worker in range(self.params.workers):
            self.env.process(self.worker(worker))
        self.env.process(self.launcher())
        horizon = self.params.horizon_h
        self.env.run(until=horizon)
        for worker in range(self.params.workers):
            if self.working[worker]:
                self.busy += horizon - self.started[worker]
        return ToyResult("per-task-simpy", self.params.workers, horizon, self.busy,
                         self.assignments, self.events)


def run(params: ToyParams) -> ToyResult:
    """Simulate the toy model for ``params.horizon_h`` hours."""
    return _Model(params).run()
