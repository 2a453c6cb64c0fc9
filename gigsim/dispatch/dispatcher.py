"""The dispatcher: a queue of matchable workers per skill and the projects with open seats."""

from __future__ import annotations

from collections.abc import Callable

from gigsim.dispatch.policy import (
    DispatchPolicy,
    OpenProject,
    checked_choice,
    checked_priority,
    first_open,
    is_builtin,
)
from gigsim.dispatch.queues import PriorityQueue, WorkerQueue
from gigsim.project import Project
from gigsim.worker import Worker

MatchCallback = Callable[[Worker, Project, float], None]


class Dispatcher:
    """Matches matchable workers to open seats, in the order the policy gives.

    Waiting workers sit in one queue per skill (a heap on the policy's priority, unless the
    policy brings its own queue); a worker with several skills sits in several queues, and
    entries left behind when it is matched or leaves are skipped lazily (``pool_stamp``).
    Projects with open seats are kept per required skill in the order they came to have open
    seats; a newly matchable worker is shown the first such project of each of its skills and
    the policy picks one (by default the one whose oldest open seat has waited longest). The
    lookup costs one step per skill, whatever the number of open projects.

    With ``rounds_every_h`` > 0 nothing is matched as it happens: workers and seats wait until
    the next round, when :meth:`run_round` fills every open seat it can.
    """

    def __init__(self, policy: DispatchPolicy, on_match: MatchCallback,
                 rounds: bool = False) -> None:
        self.policy = policy
        self.on_match = on_match
        self.rounds = rounds
        self.pools: dict[str, WorkerQueue] = {}
        self.open_projects: dict[str, dict[int, Project]] = {}
        self.skill_holders: dict[str, int] = {}
        # A user's policy has its answers checked (a NaN must not pass silently); gigsim's own
        # are trusted, and run at full speed.
        trusted = is_builtin(policy)
        priority = policy.priority if trusted else checked_priority(policy)
        self._new_queue: Callable[[str], WorkerQueue] = getattr(
            policy, "new_queue", lambda skill: PriorityQueue(priority))
        self._choose_project = getattr(policy, "choose_project", None)
        if self._choose_project is not None and not trusted:
            self._choose_project = checked_choice(policy)

    # --- the market a policy may look at ----------------------------------------------------

    def holders(self, skill: str) -> int:
        """How many onboarded workers on the platform have ``skill``."""
        return self.skill_holders.get(skill, 0)

    def register_worker(self, worker: Worker) -> None:
        """A worker is onboarded: count its skills."""
        for skill in worker.skills:
            self.skill_holders[skill] = self.skill_holders.get(skill, 0) + 1

    def unregister_worker(self, worker: Worker) -> None:
        """An onboarded worker leaves: take it out of the pool and the skill counts."""
        self.withdraw_worker(worker)
        for skill in worker.skills:
            self.skill_holders[skill] -= 1

    # --- matching ---------------------------------------------------------------------------

    def offer_worker(self, worker: Worker, now: float) -> None:
        """A worker's dispatch delay is over: give it a seat now, or add it to the pool."""
        skills = worker.skills
        if not self.rounds:
            if len(skills) == 1:  # most workers: the first open project of their skill
                projects = self.open_projects.get(skills[0])
                if projects:
                    self._match(worker, next(iter(projects.values())), now)
                    return
                firsts = []
            else:
                firsts = [next(iter(projects.values())) for skill in skills
                          if (projects := self.open_projects.get(skill))]
            if firsts:
                chosen = (first_open(firsts) if self._choose_project is None or len(firsts) == 1
                          else self._choose_project(worker, firsts, self, now))
                self._match(worker, chosen, now)  # type: ignore[arg-type]
                return
        worker.pool_stamp += 1
        worker.matchable = True
        for skill in skills:
            pool = self.pools.get(skill)
            if pool is None:
                pool = self.pools[skill] = self._new_queue(skill)
            pool.push(worker, now)

    def withdraw_worker(self, worker: Worker) -> None:
        """Take a worker out of the pool."""
        worker.pool_stamp += 1
        worker.matchable = False

    def open_seats(self, project: Project, count: int, now: float) -> None:
        """Open ``count`` seats on ``project`` and fill what the pool can fill."""
        project.open(count, now)
        if not self.rounds:
            self._fill(project, now)
        if project.open_seats > 0:
            self.open_projects.setdefault(project.requires, {})[project.id] = project

    def run_round(self, now: float) -> None:
        """Fill every open seat the pool can fill, longest-open projects first, across skills."""
        waiting = [project for skill, projects in self.open_projects.items()
                   if skill in self.pools for project in projects.values()]
        waiting.sort(key=lambda project: project.oldest_open)  # stable: list order on ties
        exhausted: set[str] = set()
        for project in waiting:
            if project.requires not in exhausted:
                self._fill(project, now)
                if project.open_seats > 0:  # the pool of this skill is empty
                    exhausted.add(project.requires)

    def close_project(self, project: Project, now: float) -> None:
        """The project takes no more workers (under notice, or ended)."""
        if project.accepting:
            project.close(now)
            self.open_projects.get(project.requires, {}).pop(project.id, None)

    def pool_size(self, skill: str) -> int:
        """How many workers with ``skill`` wait in the pool (for tests and diagnostics)."""
        pool = self.pools.get(skill)
        return 0 if pool is None else len({w.id for w in pool.waiting()})

    def _fill(self, project: Project, now: float) -> None:
        pool = self.pools.get(project.requires)
        while pool is not None and project.open_seats > 0:
            worker = pool.pop(now)
            if worker is None:
                break
            self._match(worker, project, now)

    def _match(self, worker: Worker, project: Project, now: float) -> None:
        worker.pool_stamp += 1
        worker.matchable = False
        project.fill(now)
        if project.open_seats == 0:
            self.open_projects.get(project.requires, {}).pop(project.id, None)
        self.on_match(worker, project, now)


__all__ = ["Dispatcher", "OpenProject"]
