"""The toy model as a hand-written event loop on a binary heap: the speed to aim for."""

from __future__ import annotations

import heapq
from collections import deque

from benchmarks.baselines.common import ToyParams, ToyResult, draw_projects

_LAUNCH = 0
_END = 1


def run(params: ToyParams) -> ToyResult:
    """Simulate the toy model for ``params.horizon_h`` hours."""
    launches, lifetimes = draw_projects(params)
    horizon = params.horizon_h
    seats = params.seats
    n = params.workers
    idle: deque[int] = deque(range(n))  # longest idle first
    started = [0.0] * n
    on_project = [-1] * n
    open_seats = [0] * len(launches)
    members: list[list[int]] = [[] for _ in launches]
    open_projects: deque[int] = deque()  # projects with open seats, oldest first
    busy = 0.0
    assignments = 0
    events = 0
    sequence = 0
    heap: list[tuple[float, int, int, int]] = []
    if launches:
        heap.append((launches[0], 0, _LAUNCH, 0))
    pop, push = heapq.heappop, heapq.heappush
    while heap:
        now, _, kind, project = pop(heap)
        if now >= horizon:
            break
        events += 1
        if kind == _LAUNCH:
            if project + 1 < len(launches):
                sequence += 1
                push(heap, (launches[project + 1], sequence, _LAUNCH, project + 1))
            sequence += 1
            push(heap, (now + lifetimes[project], sequence, _END, project))
            free = seats
            team = members[project]
            while free and idle:
                worker = idle.popleft()
                started[worker] = now
                on_project[worker] = project
                team.append(worker)
                free -= 1
            assignments += seats - free
            if free:
                open_seats[project] = free
                open_projects.append(project)
        else:
            open_seats[project] = 0  # closed: skipped lazily in open_projects
            team = members[project]
            members[project] = []
            for worker in team:
                busy += now - started[worker]
                while open_projects and open_seats[open_projects[0]] == 0:
                    open_projects.popleft()
                if open_projects:
                    taken = open_projects[0]
                    open_seats[taken] -= 1
                    members[taken].append(worker)
                    started[worker] = now
                    on_project[worker] = taken
                    assignments += 1
                else:
                    on_project[worker] = -1
                    idle.append(worker)
    for worker in range(n):
        if on_project[worker] >= 0:
            busy += horizon - started[worker]
    return ToyResult("heapq", n, horizon, busy, assignments, events)
