"""Projects' qualification tests: taken at the start of an assignment, failed at its end.

A worker matched to a project whose generator has a ``qualification`` first spends its hours
on the test, at their availability (``hours / a`` clock hours), before training and work. The
result is one uniform draw by slot (the worker's ``j``-th test of that generator, from the
stream ``projects.<name>.qualification.<j>``) below ``pass_probability``. A failure comes
when the test is done: the assignment ends, its seat reopens, the worker is released (a
latency observation with cause ``failed_qualification``) and never again matched to that
generator's projects: a seat it reserved on one of them is void (docs/model.md §5,
Qualification tests).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np

from gigsim.engine.projects import ProjectTable
from gigsim.engine.records import ReleaseCause
from gigsim.engine.slots import SlotDraws
from gigsim.engine.workforce import NO_PROJECT, WorkerIdx, Workforce
from gigsim.randomness import Streams
from gigsim.scenario import Scenario


class Qualifications:
    """Qualification tests, on the state a replication keeps."""

    wf: Workforce
    projects: ProjectTable
    end_h: float
    teams: dict[int, dict[int, None]]
    reservers: dict[int, dict[int, None]]
    barred: np.ndarray | None  # (worker, generator): failed its test; None: no tests
    n_tests: np.ndarray  # (worker, generator): tests taken so far (the slot of the next)
    test_draws: dict[int, SlotDraws]

    # the methods of Replication these call
    _at: Callable[[float, Callable[[], None]], None]
    _event: Callable[[], float]
    _close_assignments: Callable[[WorkerIdx, float | np.ndarray, bool], None]
    _reshare: Callable[[int, float], None]
    _open_seats: Callable[[int, int, float], None]
    _release: Callable[[WorkerIdx, float, ReleaseCause], None]
    _void: Callable[[WorkerIdx], None]
    _schedule_wake: Callable[[float], None]
    _slots_of: Callable[[int], np.ndarray]

    def _plan_tests(self, scenario: Scenario, streams: Streams) -> None:
        """Set up the tests' state: none when no generator has a qualification."""
        n = self.wf.n_workers
        tested = [g for g, gen in enumerate(scenario.projects) if gen.qualification is not None]
        self.barred = None
        if not tested:
            return
        shape = (n, len(scenario.projects))
        self.barred = np.zeros(shape, dtype=bool)
        self.n_tests = np.zeros(shape, dtype=np.int32)
        self.test_draws = {g: SlotDraws(streams,
                                        f"projects.{scenario.projects[g].name}.qualification",
                                        lambda rng, size: rng.random(size), n)
                           for g in tested}

    def _take_tests(self, who: WorkerIdx, p: np.ndarray, start: np.ndarray,
                    rows: np.ndarray) -> None:
        """``who`` start assignments ``rows`` on ``p`` at ``start``: their tests' results.

        A failure whose test ends before the project, the run or the worker's hazard
        departure is an event then.
        """
        projects, wf = self.projects, self.wf
        hours = projects.qualification_h[p]
        tested = hours > 0
        if not tested.any():
            return
        who, p, start, rows, hours = who[tested], p[tested], start[tested], rows[tested], \
            hours[tested]
        generator = projects.generator[p]
        fail = np.zeros(len(who), dtype=bool)
        for g in np.unique(generator).tolist():
            mine = generator == g
            workers = who[mine]
            draws = self.test_draws[g].take(workers, self.n_tests[workers, g])
            self.n_tests[workers, g] += 1
            fail[mine] = draws >= projects.qualification_pass[p[mine]]
        done = start + hours / wf.available_h_per_h[who]
        due = fail & (done < np.minimum(projects.end[p], self.end_h)) & (done < wf.t_hazard[who])
        for k in np.flatnonzero(due).tolist():
            self._at(float(done[k]), partial(self._failed_test, int(who[k]), int(rows[k]),
                                             float(done[k])))

    def _failed_test(self, worker: int, row: int, at: float) -> None:
        """``worker`` failed the test of assignment ``row`` at ``at``: released, barred."""
        wf, projects = self.wf, self.projects
        if wf.assignment[worker] != row:
            return  # the assignment ended first
        self._event()
        assert self.barred is not None
        p = int(wf.project[worker])
        who = WorkerIdx(np.array([worker]))
        self._close_assignments(who, at, False)
        del self.teams[p][worker]
        if projects.shared[p]:
            self._reshare(p, at)
        generator = int(projects.generator[p])
        self.barred[self._slots_of(worker), generator] = True  # every slot of its worker
        r = int(wf.reserved[worker])
        if r != NO_PROJECT and projects.generator[r] == generator:
            # a seat reserved on the same generator's project (pre-assignment) is void: the
            # worker is offered again at once, and the seat reopens
            del self.reservers[r][worker]
            self._void(who)
            if projects.accepting[r]:
                self._open_seats(r, 1, at)
        if projects.accepting[p]:
            self._open_seats(p, 1, at)
        self._release(who, at, ReleaseCause.FAILED_QUALIFICATION)
        self._schedule_wake(at)
