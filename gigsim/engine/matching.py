"""Matching: the rules that put workers on seats.

Rule 1 (an offered worker takes an open seat), rule 2 (a seat that opens takes from the pool,
in the policy's order) and wakes; what policies read of workers is
:class:`~gigsim.engine.readings.Readings`.

:class:`Matching` holds the methods; :class:`~gigsim.engine.replication.Replication` holds the
state they use and the events that call them (docs/engine.md).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
import simpy

from gigsim.engine.policies import (
    OpenProjects,
    ProjectView,
    checked_key,
    first_ranked,
)
from gigsim.engine.pool import RankedPool
from gigsim.engine.projects import ProjectTable
from gigsim.engine.readings import Readings
from gigsim.engine.records import Phase
from gigsim.engine.timeline import Timeline
from gigsim.engine.workforce import WorkerIdx, Workforce

_WORKING = int(Phase.WORKING)


class Matching(Readings):
    """Matching workers to seats, on the state a replication keeps."""

    env: simpy.Environment
    end_h: float
    wf: Workforce
    projects: ProjectTable
    policy: Any
    policy_name: str
    policies: list[Any]  # each platform's policy
    policy_names: list[str]
    pair_platform: np.ndarray  # each (platform, skill) pair's platform
    rounds_of: np.ndarray  # each platform's rounds_every (0: matches at once)
    all_rounds: bool  # every platform matches in rounds only
    some_rounds: bool
    round_pairs: int  # bits of the pairs whose platform matches in rounds only
    skill_names: tuple[str, ...]
    open_lists: dict[int, dict[int, None]]  # skill -> projects with open seats, in order
    reservers: dict[int, dict[int, None]]
    ranked: dict[int, RankedPool]
    key_fixed: bool
    ready_line: Timeline
    wake_at: float
    wake_token: int
    hazard_before: float
    barred: np.ndarray | None  # (worker, generator): failed its qualification; None: no tests
    filtered: bool  # who may join a project depends on the worker (tests, slots, floors)
    floors: bool  # some worker refuses seats paying less than its minimum_pay
    refusals: set[tuple[int, int]]  # (worker, project) pairs refused for the pay

    # the methods of Replication these call
    _wake: Callable[[int], None]
    _start_assignments: Callable[[WorkerIdx, int | np.ndarray, float | np.ndarray], None]
    _holds: Callable[[np.ndarray, int], np.ndarray]

    def _match_ahead(self, now: float) -> None:
        """Offer, each at its own time, the workers whose delays end before the next event.

        Until the next event SimPy has scheduled, nothing but these delay ends changes the
        open seats, so they need no event each: one wake matches them all. A worker matched
        here whose hazard departure falls before that event cuts the span short, since its
        departure (an event) reopens a seat.
        """
        horizon = min(self.env.peek(), self.end_h)
        self.hazard_before = math.inf
        if not self.filtered and not self.some_rounds \
                and self._match_ahead_in_blocks(now, horizon):
            return
        cursor = now
        while any(self.open_lists.values()):
            at = self._next_ready(cursor, self._open_skill_mask(cursor))
            if at >= min(horizon, self.hazard_before):
                break
            self._offer_due(at)
            cursor = at

    def _match_ahead_in_blocks(self, now: float, horizon: float) -> bool:
        """:meth:`_match_ahead` as arrays, when every worker due has one skill (False: not so).

        The workers of a skill ready before ``horizon`` take, in order of ready time (then
        id), the open seats of that skill's open list, project by project, each at its own
        ready time.
        """
        wf = self.wf
        times, workers = self.ready_line.pop_due(horizon, inclusive=False)
        current = wf.seeking[workers] & (wf.t_ready[workers] == times)
        times, workers = times[current], workers[current]
        if (wf.n_skills[workers] > 1).any():
            self.ready_line.push(times, workers)  # put back: one by one
            return False
        self._joined_pool(workers)
        valid = ((times > now)
                 & (times < np.minimum(wf.t_patience[workers], wf.t_hazard[workers])))
        times, workers = times[valid], workers[valid]
        order = np.lexsort((workers, times))
        times, workers = times[order], workers[order]
        plan = self._plan_blocks(times, workers)
        # a matched worker's hazard departure before the horizon reopens a seat: stop there
        cut = min((float(wf.t_hazard[who].min()) for _, who, _ in plan), default=math.inf)
        if cut < horizon:
            keep = times < cut
            self.ready_line.push(times[~keep], workers[~keep])
            plan = self._plan_blocks(times[keep], workers[keep])
        for p, who, at in plan:
            self._match(who, p, at)
        return True

    def _plan_blocks(self, times: np.ndarray, workers: np.ndarray
                     ) -> list[tuple[int, np.ndarray, np.ndarray]]:
        """Which project each of ``workers`` (one skill each, in order) would take."""
        plan = []
        skills = self.wf.skills[workers]
        for skill, plist in self.open_lists.items():
            mine = skills == (1 << skill)
            who, at = workers[mine], times[mine]
            taken = 0
            for p in plist:
                if taken >= len(who):
                    break
                count = min(int(self.projects.open_seats[p]), len(who) - taken)
                plan.append((p, who[taken: taken + count], at[taken: taken + count]))
                taken += count
        return plan

    def _offer_due(self, now: float) -> None:
        """Offer the workers whose delays ended since the last event, in order of time, id.

        Only those ending now can find a seat open: while seats are open a wake is due at the
        next delay end (:meth:`_schedule_wake`); the others are in the pool.
        """
        times, workers = self._pop_ready(now)
        if len(workers) == 0 or self.all_rounds or not any(self.open_lists.values()):
            return
        wf = self.wf
        current = (wf.skills[workers] & self._open_skill_mask(now)) != 0
        times, workers = times[current], workers[current]
        order = np.lexsort((workers, times))
        self._offer_ready(WorkerIdx(workers[order]), now)

    def _pop_ready(self, until: float, inclusive: bool = True
                   ) -> tuple[np.ndarray, np.ndarray]:
        """The delays ending by ``until`` (still current), taken off the timeline.

        These workers join the pool (its ranked runs too).
        """
        wf = self.wf
        times, workers = self.ready_line.pop_due(until, inclusive)
        if len(workers) == 0:
            return times, workers
        current = wf.seeking[workers] & (wf.t_ready[workers] == times)
        times, workers = times[current], workers[current]
        self._joined_pool(workers)
        return times, workers

    def _joined_pool(self, workers: np.ndarray) -> None:
        if not self.ranked or len(workers) == 0:
            return
        skills = self.wf.skills[workers]
        for skill, ranked in self.ranked.items():
            mine = workers[(skills & (1 << skill)) != 0]
            ranked.add(mine, self.wf.n_offers[mine])

    def _offer_ready(self, who: WorkerIdx, now: float) -> None:
        """Rule 1 for those of ``who`` ready now, by id: each takes an open seat if it can.

        A worker is shown the first open project of each of its skills; the policy may choose.
        Workers whose patience or hazard came by ``now`` are not offered: between events
        (:meth:`_match_ahead`) an idle worker's departure is not settled yet, and at an event
        one due now leaves before anyone is offered (:meth:`Replication._settle`).
        """
        if self.all_rounds or not any(self.open_lists.values()) or len(who) == 0:
            return
        wf = self.wf
        if self.some_rounds:  # slots on a platform matching in rounds wait for a round
            who = WorkerIdx(who[self.rounds_of[wf.platform[who]] == 0])
        who = WorkerIdx(who[wf.seeking[who] & (wf.t_ready[who] <= now)
                            & (np.minimum(wf.t_patience[who], wf.t_hazard[who]) > now)])
        # consecutive workers with the same one skill take the first open project's seats
        # as a block: the same matches as one by one, since they see the same open list
        masks = wf.skills[who]
        # with qualification tests or several slots each worker sees the open projects it
        # may join
        single = (wf.n_skills[who] == 1) & (not self.filtered)
        breaks = np.flatnonzero(np.r_[True, (masks[1:] != masks[:-1]) | ~single[1:]
                                      | ~single[:-1], True])
        run_end = np.repeat(breaks[1:], np.diff(breaks))
        i, n = 0, len(who)
        while i < n and any(self.open_lists.values()):
            w = int(who[i])
            if single[i]:
                p = self._first_open(int(masks[i]).bit_length() - 1, now)
                if p is None:
                    i = int(run_end[i])
                    continue
                take = min(int(self.projects.open_seats[p]), int(run_end[i]) - i)
                self._match(who[i: i + take], p, now)
                i += take
                continue
            if not wf.seeking[w]:  # another slot of its worker took the hours it sought with
                i += 1
                continue
            firsts = [p for bit in self._bits(int(wf.skills[w]))
                      if (p := self._first_open(bit, now, w)) is not None]
            if firsts:
                self._match(np.array([w]), self._choose(w, firsts, now), now)
            i += 1

    def _choose(self, worker: int, firsts: list[int], now: float) -> int:
        if len(firsts) == 1:
            return firsts[0]
        projects = self.projects
        oldest = np.array([projects.oldest_open(p) for p in firsts])
        platform = int(self.wf.platform[worker])  # a slot's projects are on its platform
        choose, name = getattr(self.policies[platform], "project_key", None), \
            self.policy_names[platform]
        if choose is None:
            return firsts[int(np.argmin(oldest))]
        ids = np.array(firsts)
        requires = [int(projects.requires[p]) for p in firsts]
        view = OpenProjects(
            ids=ids, requires=tuple(self.skill_names[s] for s in requires),
            launch=projects.launch[ids], pay_per_hour=projects.pay_per_hour[ids],
            oldest_open=oldest,
            holders=np.array([self.wf.holders(1 << s, now, len(self.policies) > 1)
                              for s in requires]))
        keys = checked_key(name, firsts[0], choose(view, self._candidates(
            np.array([worker]), now)), len(firsts), "project_key")
        return firsts[int(np.lexsort(keys.T[::-1])[0])]

    def _first_open(self, skill: int, now: float, worker: int | None = None) -> int | None:
        """The first project on the skill's open list that has not ended by now.

        With ``worker``, the first that worker may join: not barred from (a failed
        qualification), not held by another slot of its worker.
        """
        plist = self.open_lists.get(skill)
        while plist:
            p = next(iter(plist))
            if self.projects.end[p] > now:
                break
            del plist[p]  # ends at this instant: its own end closes it
        else:
            return None
        if worker is None or not self.filtered:
            return p
        one = np.array([worker])
        return next((q for q in plist if self.projects.end[q] > now
                     and not self._excluded(one, q)[0]), None)

    def _excluded(self, workers: np.ndarray, p: int) -> np.ndarray:
        """Which of ``workers`` may not join ``p``.

        Barred from its generator, another of their slots holds it, or its pay is below their
        floor (a refusal, counted once per worker and project).
        """
        out = self._holds(workers, p)
        if self.barred is not None:
            out |= self.barred[workers, self.projects.generator[p]]
        if self.floors:
            low = self.wf.minimum_pay[workers] > self.projects.pay_per_hour[p]
            refusing = workers[low & ~out]
            self.refusals.update(zip(self.wf.owner[refusing].tolist(),
                                     [p] * len(refusing), strict=True))
            out |= low
        return out

    def _fill(self, p: int, now: float) -> None:
        """Rule 2: fill ``p``'s open seats from its skill's pool, in the policy's order."""
        projects = self.projects
        if projects.open_seats[p] == 0 or projects.end[p] <= now:
            return
        skill = int(projects.requires[p])
        view = ProjectView(p, self.skill_names[skill], float(projects.launch[p]),
                           float(projects.pay_per_hour[p]), projects.oldest_open(p))
        if self.key_fixed:
            chosen = self._take_ranked(skill, view, int(projects.open_seats[p]), now)
            if len(chosen):
                self._match(chosen, p, now)
            return
        pool = self.wf.pool(1 << skill, now)
        if self.filtered:
            pool = pool[~self._excluded(pool, p)]
        if len(pool) == 0:
            return
        count = min(int(projects.open_seats[p]), len(pool))
        keys = self._keys(pool, now, skill, view)
        if self.several:  # one seat a worker: the first of its slots in the order
            order = first_ranked(keys, (self.wf.t_ready[pool], pool.astype(float)), len(pool))
            _, first = np.unique(self.wf.owner[pool[order]], return_index=True)
            order = order[np.sort(first)[:count]]
        else:
            order = first_ranked(keys, (self.wf.t_ready[pool], pool.astype(float)), count)
        self._match(pool[order], p, now)

    def _keys(self, workers: np.ndarray, now: float, skill: int, view: ProjectView
              ) -> np.ndarray:
        """The keys of ``skill``'s platform's policy for ``workers`` on ``view``, checked."""
        platform = int(self.pair_platform[skill])
        return checked_key(self.policy_names[platform], view.id, self.policies[platform].key(
            self._candidates(workers, now, skill), view), len(workers))

    def _take_ranked(self, skill: int, view: ProjectView, count: int, now: float
                     ) -> np.ndarray:
        """The first ``count`` of the skill's pool from its ranked runs (keys fixed)."""
        wf = self.wf
        self._pop_ready(now)
        ranked = self.ranked.get(skill)
        if ranked is None:  # the first fill ranks the whole pool
            ranked = self.ranked[skill] = RankedPool()
            pool = wf.pool(1 << skill, now)
            ranked.add(pool, wf.n_offers[pool])

        def valid(workers: np.ndarray, offers: np.ndarray) -> np.ndarray:
            return wf.seeking[workers] & (wf.n_offers[workers] == offers) & (
                wf.t_ready[workers] <= now)

        return ranked.take(count, valid, lambda workers: wf.t_ready[workers],
                           lambda workers: self._keys(workers, now, skill, view))

    def _match(self, who: np.ndarray, p: int | np.ndarray, now: float | np.ndarray) -> None:
        """``who`` take seats on ``p``: idle ones start, ones still working reserve.

        ``p`` is one project, or one each (each project's seats are filled in the order of
        ``who``); ``now`` is one time, or one each in increasing order per project.
        """
        wf, projects = self.wf, self.projects
        if isinstance(p, np.ndarray):
            for q in dict.fromkeys(p.tolist()):
                mine = p == q
                projects.fill(q, int(mine.sum()), now[mine] if isinstance(now, np.ndarray)
                              else now)
                if projects.open_seats[q] == 0:
                    self.open_lists.get(int(projects.requires[q]), {}).pop(q, None)
        else:
            projects.fill(p, len(who), now)
            if projects.open_seats[p] == 0:
                self.open_lists.get(int(projects.requires[p]), {}).pop(p, None)
        working = wf.phase[who] == _WORKING
        if working.any():
            reserving = who[working]
            on = p[working] if isinstance(p, np.ndarray) else np.full(len(reserving), p)
            wf.reserved[reserving] = on
            wf.seeking[reserving] = False
            for w, q in zip(reserving.tolist(), on.tolist(), strict=True):
                self.reservers[q][w] = None
            who, p = who[~working], p[~working] if isinstance(p, np.ndarray) else p
            now = now[~working] if isinstance(now, np.ndarray) else now
        self._start_assignments(WorkerIdx(who), p, now)

    def _open_seats(self, p: int, count: int, now: float) -> None:
        """Seats reopen on ``p`` (a worker left): fill at once unless in rounds."""
        self.projects.open(p, count, now)
        if self.rounds_of[self.projects.platform[p]] == 0:
            self._fill(p, now)
        self._list_if_open(p)

    def _list_if_open(self, p: int) -> None:
        if self.projects.open_seats[p] > 0:
            self.open_lists.setdefault(int(self.projects.requires[p]), {})[p] = None

    def _close(self, p: int, now: float) -> None:
        if self.projects.accepting[p]:
            self.projects.close(p, now)
        self.open_lists.get(int(self.projects.requires[p]), {}).pop(p, None)

    def _open_skill_mask(self, now: float) -> int:
        mask = 0
        for skill in self.open_lists:
            if self._first_open(skill, now) is not None:
                mask |= 1 << skill
        return mask & ~self.round_pairs  # those of platforms in rounds wait for a round

    def _schedule_wake(self, now: float) -> None:
        """While seats are open, wake at the next time a worker who could take one is ready."""
        if self.all_rounds or not any(self.open_lists.values()):
            return
        at = self._next_ready(now, self._open_skill_mask(now))
        if at < min(self.wake_at, self.end_h) or (self.wake_at <= now and at < self.end_h):
            self.wake_token += 1
            self.wake_at = at
            self._at(at, partial(self._wake, self.wake_token))

    def _next_ready(self, now: float, skill_mask: int) -> float:
        """The next time after ``now`` a seeking worker with a skill of ``skill_mask`` is ready.

        Workers who would leave first do not count; inf when there is none. Read from the
        timeline of delay ends.
        """
        wf = self.wf

        def valid(times: np.ndarray, workers: np.ndarray) -> np.ndarray:
            return ((times > now) & wf.seeking[workers] & (wf.t_ready[workers] == times)
                    & (times < np.minimum(wf.t_patience[workers], wf.t_hazard[workers]))
                    & ((wf.skills[workers] & skill_mask) != 0))

        return self.ready_line.first_valid(valid)

    def _at(self, time_h: float, action: Callable[[], None]) -> None:
        """Call ``action`` at ``time_h``: a SimPy timeout with a callback."""
        timeout = self._timeout_at(time_h)
        timeout.callbacks.append(lambda _event: action())

    def _timeout_at(self, time_h: float) -> simpy.Timeout:
        """A SimPy timeout whose event comes at ``time_h``, never a rounding step before it.

        SimPy schedules it at ``now + (time_h - now)``, which rounding can leave just short of
        ``time_h``: a project launched then would not yet be under a notice due at its launch,
        a worker onboarded then would start before its onboarding. The delay is nudged up to
        the first that reaches ``time_h`` (exactly, or a rounding step after it where no delay
        lands on it).
        """
        now = self.env.now
        delay = time_h - now
        while now + delay < time_h:
            delay = math.nextafter(delay, math.inf)
        return self.env.timeout(delay)

    def _bits(self, mask: int) -> list[int]:
        return [s for s in range(len(self.skill_names)) if mask >> s & 1]
