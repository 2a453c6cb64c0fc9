"""Seat holders' departures by the hazard, handled in blocks between the other events.

A worker who holds a seat and leaves by the hazard before its project ends is an event: its
seat reopens and is filled from the pool at once (rule 2). These are most of a run's events
(docs/engine.md), so they are not one SimPy event each. The departures wait in a heap; one
SimPy timeout comes at the earliest, and handles, each at its own time and in order, every
departure before the next event SimPy has scheduled: until then nothing else changes the
seats, as for the delay ends a wake matches (:meth:`Matching._match_ahead`).

Each departure of the block is decided at its own time (the idle workers due to leave by
then leave, those whose delays ended join the pool, the reopened seat takes the first of the
pool), and the block's records are then written as arrays: the assignments closed, the
workers gone, the replacements started, whatever their projects. A departure that would
leave its seat open, or that releases a reservation, is left to be the first of the next
block, where it is handled on its own (:meth:`Replication._hazard`); so is every departure
when the pool is not kept ranked (a policy whose keys change while workers wait) or seats
are filled in rounds.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import numpy as np

from gigsim.engine.matching import Matching
from gigsim.engine.policies import ProjectView
from gigsim.engine.workforce import NO_PROJECT, LeaveCause, Phase, WorkerIdx

_WORKING = int(Phase.WORKING)


@dataclass
class Block:
    """The departures of a block decided so far, in order of time."""

    workers: list[int] = field(default_factory=list)
    projects: list[int] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    replacements: list[int] = field(default_factory=list)  # NO_PROJECT: the seat stays closed


class Departures(Matching):
    """Seat holders' departures, on the state a replication keeps."""

    departures: list[tuple[float, int, int]]  # (time, worker, assignment row), a heap
    departure_at: float  # when the SimPy timeout for the departures comes (inf: none)
    departure_token: int
    in_block: bool
    blocks: bool  # departures may be handled in blocks (rule 2 at once, keys fixed)
    events: int
    teams: dict[int, dict[int, None]]

    # the methods of Replication these call
    _hazard: Callable[[int], None]
    _settle: Callable[[float, bool], None]
    _close_assignments: Callable[[WorkerIdx, float | np.ndarray, bool], None]
    _mark_left: Callable[[WorkerIdx, np.ndarray, float | np.ndarray], None]

    def _depart_at(self, time_h: float, worker: int, row: int) -> None:
        """The holder of assignment ``row`` leaves by the hazard at ``time_h``."""
        heapq.heappush(self.departures, (time_h, worker, row))
        self.hazard_before = min(self.hazard_before, time_h)
        if time_h < self.departure_at and not self.in_block:
            self._schedule_departures(time_h)

    def _schedule_departures(self, time_h: float) -> None:
        self.departure_token += 1
        self.departure_at = time_h
        # a departure at the time being handled, that the clock passed by a rounding step (a
        # worker's slots leaving together): now
        self._at(max(time_h, self.env.now), partial(self._departures, self.departure_token))

    def _departures(self, token: int) -> None:
        """The departures due now, and those after them before the next event, as a block."""
        if token != self.departure_token:
            return
        self.departure_at = math.inf
        heap, wf = self.departures, self.wf
        horizon = min(self.env.peek(), self.end_h)
        block = Block()
        first = True
        self.in_block = True
        while heap and (heap[0][0] <= self.env.now if first else heap[0][0] < horizon):
            time_h, worker, row = heapq.heappop(heap)
            if wf.assignment[worker] != row:
                continue  # that assignment is over
            cut = self._decide(time_h, worker, block)
            if cut is not None:
                horizon = min(horizon, cut)
            elif first:
                self._hazard(worker)  # on its own: SimPy's clock is at its time
                horizon = min(self.env.peek(), self.end_h)
            else:
                heapq.heappush(heap, (time_h, worker, row))
                break
            first = False
        self._write(block)
        self.in_block = False
        if heap:
            self._schedule_departures(heap[0][0])

    def _decide(self, now: float, worker: int, block: Block) -> float | None:
        """Add ``worker``'s departure at ``now`` to the block if it can be; None if not.

        Returns the time the block must stop before: the replacement's own departure.
        """
        wf, projects = self.wf, self.projects
        if (not self.blocks or wf.reserved[worker] != NO_PROJECT
                or any(self.open_lists.values())
                or projects.shared[wf.project[worker]]):  # the team's shares change
            return None
        self._settle(now, True)  # inclusive: those due at now too
        self._offer_due(now)  # no seat is open: those ready join the pool
        p = int(wf.project[worker])
        replacement, cut = NO_PROJECT, math.inf
        if projects.accepting[p]:
            skill = int(projects.requires[p])
            view = ProjectView(p, self.skill_names[skill], float(projects.launch[p]),
                               float(projects.pay_per_hour[p]), now)
            chosen = self._take_ranked(skill, view, 1, now)
            if len(chosen) == 0:
                return None  # the seat stays open: its own event
            replacement = int(chosen[0])
            # the replacement leaves the pool now (its records are written with the block)
            wf.seeking[replacement] = False
            if wf.phase[replacement] == _WORKING:
                wf.reserved[replacement] = p
            else:
                wf.t_ready[replacement] = math.inf
                wf.t_patience[replacement] = math.inf
                cut = float(wf.t_hazard[replacement])
        self.events += 1
        wf.seeking[worker] = False
        block.workers.append(worker)
        block.projects.append(p)
        block.times.append(now)
        block.replacements.append(replacement)
        return cut

    def _write(self, block: Block) -> None:
        """The block's records and state, as arrays (the departures in order of time)."""
        if not block.workers:
            return
        for worker, p in zip(block.workers, block.projects, strict=True):
            del self.teams[p][worker]
        who = WorkerIdx(np.array(block.workers, dtype=np.int64))
        at = np.array(block.times)
        self._close_assignments(who, at, False)  # not censored
        self._mark_left(who, at, float(LeaveCause.HAZARD))
        replacements = np.array(block.replacements, dtype=np.int64)
        filled = replacements != NO_PROJECT
        if filled.any():
            on = np.array(block.projects, dtype=np.int64)[filled]
            for p, time_h in zip(on.tolist(), at[filled].tolist(), strict=True):
                self.projects.open(p, 1, time_h)
            self._match(replacements[filled], on, at[filled])
