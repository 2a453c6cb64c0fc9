"""One replication on SimPy: events per project, arrays per workforce (docs/engine.md).

SimPy runs the few events: a process per project generator launches its projects; each project
lives as a process (launch, notice, end); a process runs the dispatch rounds; the departure of
a worker who holds a seat is a timeout. Everything else a worker does (onboarding, a delay
ending, waiting in the pool, patience running out or a hazard departure while idle) is no
event: it is worked out in bulk, from the workforce's arrays, when the next event needs it.

The order of same-time events is SimPy's: by time, then in the order they were scheduled.
Within one event the steps are those the methods below list.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import Any

import numpy as np
import simpy

from gigsim.engine import blocks
from gigsim.engine.applicants import plan_applicants
from gigsim.engine.assignments import Assignments
from gigsim.engine.blocks import BlockRows, named_columns
from gigsim.engine.choices import Choices
from gigsim.engine.departures import Departures
from gigsim.engine.holding import Holding
from gigsim.engine.income import IncomeLog
from gigsim.engine.platforms import Platforms, cut_assessments, delay_draws, spread_over_platforms
from gigsim.engine.pool import RankedPool
from gigsim.engine.projects import ProjectTable, plan_projects
from gigsim.engine.qualification import Qualifications
from gigsim.engine.records import (
    LATENCY_COLUMNS,
    PROJECT_COLUMNS,
    SPELL_COLUMNS,
    WORKER_COLUMNS,
    LeaveCause,
    Phase,
    Records,
    ReleaseCause,
)
from gigsim.engine.sharing import Levels, Sharing
from gigsim.engine.slots import SlotDraws
from gigsim.engine.small import SmallEvents
from gigsim.engine.timeline import Timeline
from gigsim.engine.workforce import NO_PROJECT, WorkerIdx, pair_index, workforce_from_applicants
from gigsim.randomness import Streams, replication_seed
from gigsim.scenario import Scenario
from gigsim.scenario.units import HOURS_PER_MONTH

_IDLE, _WORKING, _LEFT = int(Phase.IDLE), int(Phase.WORKING), int(Phase.LEFT)


class Replication(Departures, Sharing, Qualifications, Holding, Platforms, Choices,
                  SmallEvents):
    """Runs one replication and returns its :class:`~gigsim.engine.records.Records`."""

    def __init__(self, scenario: Scenario, seed: int, replication: int) -> None:
        self.scenario = scenario
        self.replication = replication
        sim = scenario.simulation
        self.end_h = sim.warmup_h + sim.horizon_h
        self.env = simpy.Environment()
        self.streams = Streams(replication_seed(seed, replication))
        self.spells = BlockRows(SPELL_COLUMNS)
        self.latencies = BlockRows(LATENCY_COLUMNS)
        # pools, open lists and ranked pools are per (platform, skill) pair: its bit
        self.pairs = pair_index(scenario)
        self.skill_names = tuple(skill for _, skill in self.pairs)  # each pair's skill
        applicants, self.assessment_rows = plan_applicants(scenario, self.streams, self.end_h)
        platforms = scenario.platforms
        if len(platforms) == 1:  # else written at the end, cut where workers left
            self.spells.add_block(self.assessment_rows)
        self.wf = wf = workforce_from_applicants(scenario, applicants, self.pairs)
        self.lead = (spread_over_platforms(wf, scenario, applicants, self.pairs)
                     if len(platforms) > 1 else np.arange(wf.n_people))
        n = wf.n_workers
        self._plan_dispatch(scenario)  # each platform's policy, pre-assignment and rounds
        self.income: IncomeLog | None = None
        if any(getattr(policy, "reads_income", True) for policy in self.policies):
            self.income = IncomeLog(n)
            paid = np.flatnonzero(wf.earned_usd > 0)  # a paid assessment, credited at onboarding
            self.income.add(paid, wf.t_joined[paid], wf.t_onboarded[paid], wf.earned_usd[paid])
        self.delays = [delay_draws(self.streams, p, n) for p in platforms]
        self.lotteries = {skill: SlotDraws(self.streams, f"dispatch.lottery.{skill}",
                                           lambda rng, size: rng.random(size), n)
                          for skill in self.skill_names}
        self.projects: ProjectTable = plan_projects(scenario, self.streams, self.end_h,
                                                    self.pairs)
        self.assignments = Assignments()
        self.any_shared = bool(self.projects.shared.any())
        self.levels: dict[int, Levels] = {}  # shared projects' water levels
        months = np.arange(math.ceil(sim.horizon_h / HOURS_PER_MONTH) + 1)
        self.month_edges = sim.warmup_h + months * HOURS_PER_MONTH  # where shared work splits
        # project -> workers on it, and workers who reserved a seat on it (as dict keys: a
        # departure removes one in constant time)
        self.teams: dict[int, dict[int, None]] = {}
        self.reservers: dict[int, dict[int, None]] = {}
        self.open_lists: dict[int, dict[int, None]] = {}  # skill -> projects with open seats
        self.wake_at = math.inf
        self.wake_token = 0
        self.hazard_before = math.inf  # the earliest seat holder's departure scheduled
        self.departures: list[tuple[float, int, int]] = []
        self.departure_at = math.inf
        self.departure_token = 0
        self.in_block = False
        # pools kept ranked between fills, for policies whose keys do not change while waiting
        self.key_fixed = all(bool(getattr(policy, "key_fixed", False))
                             for policy in self.policies)
        self.blocks = self.key_fixed and not self.some_rounds
        self._plan_tests(scenario, self.streams)
        # pools filtered per generator (failed tests) or per worker (projects its other slots
        # hold, pay below its floor): not kept ranked, nor matched in blocks
        self.floors = bool((wf.minimum_pay > 0).any())  # some worker refuses low pay
        self.refusals: set[tuple[int, int]] = set()  # (worker, project) refused for its pay
        self.filtered = self.barred is not None or wf.n_workers > wf.n_people or self.floors
        if self.filtered:
            self.key_fixed = self.blocks = False
        self.ranked: dict[int, RankedPool] = {}
        self.events = 0
        self.ready_line = Timeline()  # when delays end (for waking open seats)
        self.leave_line = Timeline()  # when idle workers' patience or hazard comes
        first = np.flatnonzero(wf.seeking)  # applicants who will be onboarded
        self._start_delays(WorkerIdx(first), wf.t_onboarded[first])
        self.leave_line.push(wf.t_gone()[first], first)
        self._plan_slots()
        self._plan_onboardings()
        self._plan_choices()

    # --- running ------------------------------------------------------------------------------

    def run(self) -> Records:
        """Simulate to the end of the horizon and return the records."""
        env = self.env
        for g in range(len(self.scenario.projects)):
            env.process(self._launches(np.flatnonzero(self.projects.generator == g)))
        for k in np.flatnonzero(self.rounds_of > 0).tolist():
            env.process(self._rounds(k))
        env.run(until=self.end_h)
        self._finish(self.end_h)
        return self._records()

    def _launches(self, ids: np.ndarray) -> Generator[simpy.Event, Any, None]:
        """One generator's launches, each starting its project's life."""
        env, launch = self.env, self.projects.launch
        for p in ids.tolist():
            yield self._timeout_at(launch[p])
            env.process(self._life(p))

    def _life(self, p: int) -> Generator[simpy.Event, Any, None]:
        """A project's life: launch, notice (if any, after launch), end."""
        projects = self.projects
        self._launch(p)
        notice_at = projects.notice_at[p]
        if notice_at > projects.launch[p]:  # False for NaN
            yield self._timeout_at(notice_at)
            self._notice(p)
        yield self._timeout_at(projects.end[p])
        self._end(p)

    # --- seat-level events --------------------------------------------------------------------

    def _launch(self, p: int) -> None:
        """Open every seat; fill from the pool (at once, or at launch if under notice now)."""
        now = self._event()
        projects = self.projects
        projects.accepting[p] = True
        self.teams[p], self.reservers[p] = {}, {}
        notice_now = projects.notice_at[p] <= now
        projects.open(p, int(projects.seats[p]), now)
        if self.rounds_of[projects.platform[p]] == 0 or notice_now:  # §4: under notice: now
            self._fill(p, now)
        if notice_now:
            self._notice(p, counted=False)
        else:
            self._list_if_open(p)
        self._schedule_wake(now)

    def _notice(self, p: int, counted: bool = True) -> None:
        """The project stops taking workers; with pre-assignment its workers' delays start."""
        now = self._event() if counted else self.env.now
        self._close(p, now)
        if self.pre_assign_of[self.projects.platform[p]]:
            wf = self.wf
            team = np.array(sorted(self.teams[p]), dtype=np.int64)
            starting = team[~wf.seeking[team] & (wf.reserved[team] == NO_PROJECT)]
            if self.several:  # a worker with several slots seeks through its free ones
                starting = starting[~self.multi[starting]]
            self._start_delays(WorkerIdx(starting), np.full(len(starting), now),
                               until=self.projects.end[p])
            self._offer_ready(WorkerIdx(starting), now)
        self._schedule_wake(now)

    def _end(self, p: int) -> None:
        """Close the project and release its team as arrays (docs/engine.md, one release).

        Steps: reservations on it are void (those workers are offered again at once, by id);
        the team's assignments close; each member is released (a latency observation opens),
        and then, by id: starts on its reserved project if that one has not ended, or else is
        idle, with a new delay unless one is running or over; the ready ones are offered.
        """
        now = self._event()
        projects = self.projects
        self._close(p, now)
        void = self.reservers.pop(p)
        if void:
            voided = WorkerIdx(np.array(sorted(void), dtype=np.int64))
            self._void(voided)
            self._offer_ready(voided, now)
        team = np.array(sorted(self.teams.pop(p)), dtype=np.int64)
        self._close_assignments(WorkerIdx(team), now, censored=False)
        cause = (ReleaseCause.END_WITH_NOTICE if not math.isnan(projects.notice_at[p])
                 else ReleaseCause.END_WITHOUT_NOTICE)
        self._release(WorkerIdx(team), now, cause)
        self._schedule_wake(now)

    def _release(self, team: WorkerIdx, now: float, cause: ReleaseCause) -> None:
        """``team``, whose assignments just closed, are released: latency observations open.

        By id: each starts on its reserved project if that one has not ended, or else is
        idle, with a new delay unless one is running or over; the ready ones are offered.
        """
        wf = self.wf
        wf.t_released[team] = now
        wf.release_cause[team] = cause
        has = wf.reserved[team] != NO_PROJECT
        idle = self._move_reserved(team, has, now) if has.any() else team
        wf.phase[idle] = _IDLE
        wf.t_spell[idle] = now
        if self.several and self.multi[idle].any():  # their workers' free slots, put right
            multi = self.multi[idle]
            self.leave_line.push(wf.t_hazard[idle[multi]], idle[multi])
            self._rebalance(wf.owner[idle[multi]], now)
            idle = idle[~multi]
        wf.t_patience[idle] = now + wf.patience_h[idle]
        self.leave_line.push(np.minimum(wf.t_patience[idle], wf.t_hazard[idle]), idle)
        fresh = idle[~wf.seeking[idle]]
        self._start_delays(WorkerIdx(fresh), now)
        self._offer_ready(WorkerIdx(idle), now)

    def _void(self, who: WorkerIdx) -> None:
        """The reservations of ``who`` are void: their delay is over, they seek a seat again."""
        wf = self.wf
        wf.reserved[who] = NO_PROJECT
        wf.seeking[who] = True
        wf.n_offers[who] += 1
        self._joined_pool(who)

    def _move_reserved(self, team: WorkerIdx, has: np.ndarray, now: float) -> np.ndarray:
        """Members of a released ``team`` who ``has`` a reservation move on; the others idle.

        A reservation on a project that has not ended starts now (no idle time between); one
        on a project ending now too is void.
        """
        wf, projects = self.wf, self.projects
        holders = team[has]
        reserved = wf.reserved[holders]
        alive = projects.end[reserved] > now
        moving, voided = holders[alive], holders[~alive]  # ~alive: ends now too
        for w, r in zip(holders.tolist(), reserved.tolist(), strict=True):
            del self.reservers[r][w]
        wf.t_spell[moving] = now
        # grouped by the reservations they held when released: one who starts on a project
        # under notice may reserve again at once (pre-assignment, no delay), and must not be
        # taken for a member of a later group
        targets = reserved[alive]
        for r in np.unique(targets).tolist():
            group = moving[targets == r]
            wf.reserved[group] = NO_PROJECT
            self._start_assignments(WorkerIdx(group), r, now)
        self._void(WorkerIdx(voided))
        return np.setdiff1d(team, moving)

    def _hazard(self, worker: int, cause: LeaveCause = LeaveCause.HAZARD) -> None:
        """A worker holding a seat leaves by the hazard: its seats reopen where still open.

        :meth:`_departures` calls it for a departure whose assignment is still on.
        """
        wf = self.wf
        now = self._event()
        p = int(wf.project[worker])
        who = WorkerIdx(np.array([worker]))
        self._close_assignments(who, now, censored=False)
        del self.teams[p][worker]
        if self.projects.shared[p]:
            self._reshare(p, now)
        r = int(wf.reserved[worker])
        self._mark_left(who, np.array([now]), float(cause))
        if self.projects.accepting[p]:
            self._open_seats(p, 1, now)
        if r != NO_PROJECT:
            del self.reservers[r][worker]
            if self.projects.accepting[r]:
                self._open_seats(r, 1, now)
        self._schedule_wake(now)

    def _wake(self, token: int) -> None:
        """Workers ready now while seats of their skills are open take them (rule 1)."""
        if token != self.wake_token:
            return
        # _timeout_at brings SimPy's clock to the wake time, never a rounding step short of
        # it: the delays ending then are due now
        self.wake_at = math.inf
        now = self._event()  # offers those ready now
        self._match_ahead(now)
        self._schedule_wake(now)

    def _event(self) -> float:
        """Count a seat-level event and settle the idle workers due to leave by now."""
        self.events += 1
        now: float = self.env.now
        self._settle(now, inclusive=True)
        self._offer_due(now)
        return now

    # --- workers, in bulk ---------------------------------------------------------------------

    def _settle(self, now: float, inclusive: bool) -> None:
        """Idle workers whose patience or hazard time has come leave, at that time."""
        wf = self.wf
        times, workers = self.leave_line.pop_due(now, inclusive)
        if len(workers) == 0:
            return
        current = (wf.phase[workers] == _IDLE) & (
            np.minimum(wf.t_patience[workers], wf.t_hazard[workers]) == times)
        due = np.unique(workers[current])
        if len(due) == 0:
            return
        at = np.minimum(wf.t_patience[due], wf.t_hazard[due])
        impatient = wf.t_patience[due] <= wf.t_hazard[due]
        self._idle_rows(due, at, censored=False)
        self._mark_left(WorkerIdx(due), at, np.where(impatient, float(LeaveCause.IMPATIENCE),
                                                     float(LeaveCause.HAZARD)))

    def _mark_left(self, who: WorkerIdx, at: np.ndarray, cause: float | np.ndarray) -> None:
        """``who`` leave the platform at ``at``: open latency observations are censored."""
        wf = self.wf
        self._latency_rows(who, at, censored=True)
        if self.several:  # spare hours parked on a slot waiting for a result end now
            self._unpark(who, at if isinstance(at, np.ndarray) else np.full(len(who), at))
        wf.phase[who] = _LEFT
        wf.seeking[who] = False
        wf.t_ready[who] = math.inf
        wf.t_patience[who] = math.inf
        wf.t_left[who] = at
        wf.leave_cause[who] = cause
        if self.comebacks:
            self._plan_returns(who, at, cause)

    def _latency_rows(self, who: np.ndarray, at: np.ndarray | float, censored: bool) -> None:
        """Close the open latency observations of ``who`` at ``at``."""
        wf = self.wf
        if len(who) <= blocks.SMALL_EVENT:
            self._latency_tuples(who, at, censored)
            return
        released = wf.t_released[who]
        open_ = ~np.isnan(released)
        if not open_.any():
            return
        at = at[open_] if isinstance(at, np.ndarray) else np.full(int(open_.sum()), at)
        self.latencies.add_block(np.column_stack((
            who[open_], released[open_], at - released[open_],
            np.full(int(open_.sum()), float(censored)), wf.release_cause[who][open_],
            wf.slot[who][open_], wf.platform[who][open_])))
        wf.t_released[who] = np.nan

    def _start_delays(self, who: WorkerIdx, now: np.ndarray | float,
                      until: float | np.ndarray = math.inf) -> None:
        """Dispatch delays start for ``who`` (one draw each, by slot); they seek a seat.

        ``now`` is one time each, or one for all.

        ``until`` is when a worker under notice is released: it joins the pool at its delay's
        end or then, whichever is first, and that is its idle-since time.
        """
        wf = self.wf
        if len(who) == 0:
            return
        if len(who) <= blocks.SMALL_EVENT:
            self._start_delays_small(who, now, until)
            return
        if len(self.delays) == 1:
            ready = now + self.delays[0].take(who, wf.n_delays[who])
        else:  # each row draws from its platform's delay
            ready = np.array(now, dtype=float) + np.zeros(len(who))
            on = wf.platform[who]
            for k in np.unique(on).tolist():
                mine = on == k
                ready[mine] += self.delays[k].take(who[mine], wf.n_delays[who[mine]])
        wf.n_delays[who] += 1
        wf.n_offers[who] += 1
        wf.t_ready[who] = ready
        wf.seeking[who] = True
        self.ready_line.push(ready, who)
        released = wf.t_released[who]
        wf.t_idle_since[who] = np.where(np.isnan(released), np.minimum(ready, until), released)

    # --- assignments --------------------------------------------------------------------------

    def _start_assignments(self, who: WorkerIdx, p: int | np.ndarray,
                           now: float | np.ndarray) -> None:
        """``who`` (idle) start on ``p``: their idle spells and latency observations close.

        ``p`` is one project, or one each; ``now`` is one time, or one each.
        """
        if len(who) == 0:
            return
        wf, projects = self.wf, self.projects
        if (wf.assignment[who] >= 0).any():
            raise RuntimeError("an assignment starts for a worker who holds one")
        # one time for all: as an array once for many workers, kept a float for a few
        at = now if len(who) <= blocks.SMALL_EVENT or isinstance(now, np.ndarray) \
            else np.full(len(who), now)
        self._idle_rows(who, at, censored=False)
        self._latency_rows(who, at, censored=False)
        rows = self.assignments.open(who, p, at)
        if self.several:
            self._commit(who, p)
        wf.phase[who] = _WORKING
        wf.project[who] = p
        wf.assignment[who] = rows
        wf.t_spell[who] = now
        wf.t_patience[who] = math.inf
        wf.seeking[who] = False
        wf.t_ready[who] = math.inf
        start = at if isinstance(at, np.ndarray) else None  # np.full(len(who), now) if read
        if self.any_shared and projects.shared[p].any():  # the team's level changes
            start = np.full(len(who), now) if start is None else start
            self._join_shared(who, np.broadcast_to(p, len(who)), start)
        elif isinstance(p, np.ndarray):
            for w, q in zip(who.tolist(), p.tolist(), strict=True):
                self.teams[q][w] = None
        else:
            self.teams[p].update(dict.fromkeys(who.tolist()))
        until = (np.minimum(projects.end[p], self.end_h) if isinstance(p, np.ndarray)
                 else min(projects.end.item(p), self.end_h))  # no NaN: min as np.minimum
        leaving = np.flatnonzero(wf.t_hazard[who] < until)
        for k in leaving.tolist():  # a seat holder's departure is an event
            self._depart_at(wf.t_hazard.item(who[k]), int(who[k]), int(rows[k]))
        if self.barred is not None:
            start = np.full(len(who), now) if start is None else start
            self._take_tests(who, np.broadcast_to(p, len(who)), start, rows)
        notice = ~projects.accepting[p] & self.pre_assign_of[projects.platform[p]]
        if notice.any():
            # a reservation on a project put under notice since: the next delay starts now
            # (these start when their old project ends: one time, ``now``)
            start = np.full(len(who), now) if start is None else start
            sel = notice if isinstance(p, np.ndarray) else slice(None)
            moving = WorkerIdx(who[sel])
            self._start_delays(moving, start[sel], until=projects.end[wf.project[moving]])
            self._offer_ready(moving, float(start[sel][0]))
        if self.several and self.multi[who].any():
            start = np.full(len(who), now) if start is None else start
            multi = self.multi[who]
            for t in np.unique(start[multi]).tolist():
                self._rebalance(wf.owner[who[multi & (start == t)]], t)

    def _close_assignments(self, who: WorkerIdx, now: float | np.ndarray, censored: bool
                           ) -> None:
        """Close the assignments of ``who`` at ``now``: their spells, as arrays.

        ``now`` is one time, or one each; the assignments may be on several projects. The
        spells are the assignments' own: their project and start are read off the rows.
        """
        if len(who) == 0:
            return
        wf, rows = self.wf, self.wf.assignment[who]
        first = float(now[0]) if isinstance(now, np.ndarray) else float(now)
        self._write_work(who, rows, now, first if censored else None)
        self.assignments.close(rows, now)
        wf.assignment[who] = -1
        wf.project[who] = NO_PROJECT

    # --- the end ------------------------------------------------------------------------------

    def _finish(self, now: float) -> None:
        """Censor whatever is still open at the end of the run."""
        wf = self.wf
        self._settle(now, inclusive=False)  # nothing happens at the end instant itself
        idle = np.flatnonzero(wf.phase == _IDLE)
        self._idle_rows(idle, np.full(len(idle), now), censored=True)
        if self.several:  # spare hours parked on slots waiting for a result (Holding._park)
            self._close_parked(np.flatnonzero(self.parked), now, censored=True)
        self._latency_rows(idle, now, censored=True)
        for p in sorted(self.teams):
            team = np.array(sorted(self.teams[p]), dtype=np.int64)
            self._close_assignments(WorkerIdx(team), now, censored=True)
        for p in np.flatnonzero(self.projects.accepting).tolist():
            self._close(p, now)
        if len(self.scenario.platforms) > 1:
            self.spells.add_block(cut_assessments(self.assessment_rows, self._first_departures()))

    def _records(self) -> Records:
        sim = self.scenario.simulation
        projects = np.array(self.projects.rows(), dtype=float).reshape(-1, len(PROJECT_COLUMNS))
        return Records(
            replication=self.replication, warmup_h=sim.warmup_h, horizon_h=sim.horizon_h,
            group_names=tuple(g.name for g in self.scenario.workers),
            generator_names=tuple(g.name for g in self.scenario.projects),
            spells=self._by_worker(self.spells.columns()),
            latencies=self._by_worker(self.latencies.columns()),
            workers=named_columns(self._worker_rows(), WORKER_COLUMNS),
            projects=named_columns(projects, PROJECT_COLUMNS),
            events=self.events,
            client_names=tuple(c.name for c in self.scenario.clients),
            absences=self.absences.columns(),
            platform_names=tuple(p.name for p in self.scenario.platforms))


def run_replication(scenario: Scenario, seed: int, replication: int) -> Records:
    """Simulate replication ``replication`` of ``scenario`` with the scenario seed ``seed``."""
    return Replication(scenario, seed, replication).run()
