"""The dispatcher: a pool of matchable workers per skill and the projects with open seats."""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass, field

from gigsim.dispatch.policy import DispatchPolicy, policy_names
from gigsim.dists import Constant, Distribution
from gigsim.project import Project
from gigsim.schema import Section
from gigsim.worker import Worker


@dataclass(frozen=True)
class DispatchSettings:
    """The scenario's ``[dispatch]`` table."""

    policy: str = "longest-idle"
    delay: Distribution = field(default_factory=lambda: Constant(0.0))
    pre_assign_on_notice: bool = True

    @classmethod
    def from_section(cls, s: Section | None) -> DispatchSettings:
        """Read the ``[dispatch]`` table; every key is optional."""
        if s is None:
            return cls()
        out = cls(
            policy=s.string("policy", "longest-idle", choices=policy_names()),
            delay=s.dist("delay", "duration", Constant(0.0)),
            pre_assign_on_notice=s.boolean("pre_assign_on_notice", True),
        )
        s.finish()
        return out


MatchCallback = Callable[[Worker, Project, float], None]


class Dispatcher:
    """Matches matchable workers to open seats, in the order the policy gives.

    Waiting workers sit in one heap per skill, keyed by the policy's priority; a worker with
    several skills sits in several heaps, and entries left behind when it is matched or leaves
    are skipped lazily (``pool_stamp``). Projects with open seats are kept per required skill in
    the order they came to have open seats; a newly matchable worker looks at the first such
    project of each of its skills and takes a seat on the one whose oldest open seat has waited
    longest. The lookup costs one step per skill, whatever the number of open projects.
    """

    def __init__(self, policy: DispatchPolicy, on_match: MatchCallback) -> None:
        self.policy = policy
        self.on_match = on_match
        self.pools: dict[str, list[tuple[float, int, int, Worker]]] = {}
        self.open_projects: dict[str, dict[int, Project]] = {}
        self._sequence = 0

    def offer_worker(self, worker: Worker, now: float) -> None:
        """A worker's dispatch delay is over: give it a seat now, or add it to the pool."""
        best: Project | None = None
        for skill in worker.skills:  # the project that has had open seats longest, per skill
            projects = self.open_projects.get(skill)
            if projects:
                candidate = next(iter(projects.values()))
                if best is None or candidate.open_runs[0][0] < best.open_runs[0][0]:
                    best = candidate
        if best is not None:
            self._match(worker, best, now)
            return
        worker.pool_stamp += 1
        worker.matchable = True
        key = self.policy.priority(worker, now)
        self._sequence += 1
        entry = (key, self._sequence, worker.pool_stamp, worker)
        for skill in worker.skills:
            heapq.heappush(self.pools.setdefault(skill, []), entry)

    def withdraw_worker(self, worker: Worker) -> None:
        """Take a worker out of the pool (it left the platform)."""
        worker.pool_stamp += 1
        worker.matchable = False

    def open_seats(self, project: Project, count: int, now: float) -> None:
        """Open ``count`` seats on ``project`` and fill what the pool can fill."""
        project.open(count, now)
        pool = self.pools.get(project.requires)
        while pool and project.open_seats > 0:
            _, _, stamp, worker = heapq.heappop(pool)
            if stamp == worker.pool_stamp and worker.matchable:
                self._match(worker, project, now)
        if project.open_seats > 0:
            self.open_projects.setdefault(project.requires, {})[project.id] = project

    def close_project(self, project: Project, now: float) -> None:
        """The project takes no more workers (under notice, or ended)."""
        if project.accepting:
            project.close(now)
            self.open_projects.get(project.requires, {}).pop(project.id, None)

    def pool_size(self, skill: str) -> int:
        """How many workers with ``skill`` wait in the pool (for tests and diagnostics)."""
        pool = self.pools.get(skill, [])
        return sum(1 for _, _, stamp, w in pool if stamp == w.pool_stamp and w.matchable)

    def _match(self, worker: Worker, project: Project, now: float) -> None:
        worker.pool_stamp += 1
        worker.matchable = False
        project.fill(now)
        if project.open_seats == 0:
            self.open_projects.get(project.requires, {}).pop(project.id, None)
        self.on_match(worker, project, now)
