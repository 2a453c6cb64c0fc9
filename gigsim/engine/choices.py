"""Workers' choices: reviews against a reservation wage, and coming back (docs/model.md §3).

A worker whose group gives a reservation wage is reviewed every ``review_every`` of a stay (from
onboarding, or from coming back): the reviews due wait on a timeline, a column of the next
review time per worker read in bulk like patience, and one SimPy timeout comes at the earliest.
At it, every review due then is decided at once from the income log (closed spells) and the
assignments still on (their pieces up to now, as :meth:`Matching._income_between` reads them). A
worker who leaves frees the seats it holds as a hazard departure does (:meth:`Replication._hazard`
with the cause ``low_earnings``); its free slots leave as an idle worker does.

A worker whose group gives ``return`` and who leaves from impatience or low earnings draws, by
its count of such departures (:class:`~gigsim.engine.slots.SlotDraws`), whether and after how
long it comes back. A return due before the end of the run and before its hazard time is one
SimPy timeout: the worker is back as at onboarding (idle, a latency observation of cause
``returned``, a dispatch delay, patience and reviews from then), and the absence is a row of
``absences``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial

import numpy as np
import simpy

from gigsim.engine.blocks import BlockRows
from gigsim.engine.income import IncomeLog
from gigsim.engine.records import ABSENCE_COLUMNS, LeaveCause, Phase, ReleaseCause
from gigsim.engine.slots import SlotDraws
from gigsim.engine.timeline import Timeline
from gigsim.engine.workforce import NO_PROJECT, WorkerIdx, Workforce
from gigsim.randomness import Streams
from gigsim.scenario import Scenario
from gigsim.scenario.dists import Distribution

_IDLE, _WORKING, _LEFT = int(Phase.IDLE), int(Phase.WORKING), int(Phase.LEFT)
_COMES_BACK = (float(LeaveCause.IMPATIENCE), float(LeaveCause.LOW_EARNINGS))


def _sample(dist: Distribution, rng: np.random.Generator, size: int) -> np.ndarray:
    return np.asarray(dist.sample(rng, size))


class _Watched(Timeline):
    """A timeline whose pushes are also handed to ``watch`` (the same entries)."""

    def __init__(self, base: Timeline, watch: Callable[[np.ndarray, np.ndarray], None]) -> None:
        super().__init__()
        self.__dict__.update(base.__dict__)
        self.watch = watch

    def push(self, times: np.ndarray, workers: np.ndarray) -> None:
        """Add entries, and hand them to ``watch``."""
        super().push(times, workers)
        self.watch(times, workers)


class Choices:
    """Reservation-wage reviews and returns, on the state a replication keeps."""

    wf: Workforce
    scenario: Scenario
    streams: Streams
    end_h: float
    income: IncomeLog | None
    leave_line: Timeline
    several: bool
    siblings: np.ndarray
    hours_h_per_h: np.ndarray
    lead: np.ndarray  # each worker's lead row (its hours and record)
    on_projects: np.ndarray

    # the methods of Replication these call
    env: simpy.Environment
    _event: Callable[[], float]
    _settle: Callable[[float, bool], None]
    _hazard: Callable[[int, LeaveCause], None]
    _idle_rows: Callable[[np.ndarray, np.ndarray | float, bool], None]
    _mark_left: Callable[[WorkerIdx, np.ndarray, float | np.ndarray], None]
    _start_delays: Callable[..., None]
    _offer_ready: Callable[[WorkerIdx, float], None]
    _schedule_wake: Callable[[float], None]
    _at: Callable[[float, Callable[[], None]], None]
    _income_between: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
    _slots_of: Callable[[int], np.ndarray]

    def _plan_choices(self) -> None:
        """Each worker's reservation wage and review terms, and its terms of return."""
        wf, n = self.wf, self.wf.n_people
        group_of = wf.group[:n]
        self.wage = np.full(n, math.nan)  # reservation wage, USD per hour set aside (NaN: none)
        self.review_every = np.full(n, math.inf)
        self.review_window = np.full(n, math.inf)
        self.t_review = np.full(n, math.inf)  # the next review (inf: none)
        self.t_stay = wf.t_onboarded[self.lead].copy()  # start of the current stay
        self.returns = np.zeros(n, dtype=np.int64)
        self.n_away = np.zeros(n, dtype=np.int64)  # departures that may end in a return so far
        self.absences = BlockRows(ABSENCE_COLUMNS)
        self.back_probability = np.zeros(n)
        self.back_draws: dict[int, tuple[SlotDraws, SlotDraws]] = {}
        for g, group in enumerate(self.scenario.workers):
            mine = np.flatnonzero(group_of == g)
            if group.reservation is not None:
                terms = group.reservation
                rng = self.streams.get(f"workers.{group.name}.reservation_wage")
                self.wage[mine] = np.maximum(terms.wage.sample(rng, len(mine)), 0.0)
                self.review_every[mine] = terms.every_h
                self.review_window[mine] = terms.window_h
            if group.comeback is not None:
                self.back_probability[mine] = group.comeback.probability
                self.back_draws[g] = (
                    SlotDraws(self.streams, f"workers.{group.name}.return",
                              lambda rng, size: rng.random(size), n),
                    SlotDraws(self.streams, f"workers.{group.name}.return.after",
                              partial(_sample, group.comeback.after), n))
        self.comebacks = bool(self.back_draws)
        if self.comebacks:
            # a departure that may end in a return is settled at its own time (a timeout at the
            # earliest; idle departures are otherwise settled at the next event, and the return
            # could fall before it)
            self.watch_line = Timeline()
            self.watch_at = math.inf
            self.watch_token = 0
            self.leave_line = _Watched(self.leave_line, self._watch)
            idle = np.flatnonzero(wf.phase == _IDLE)
            self._watch(wf.t_gone()[idle], idle)
        self.reviews = bool((~np.isnan(self.wage)).any())
        self.review_at = math.inf
        self.review_token = 0
        if not self.reviews:
            return
        if self.income is None:
            self.income = IncomeLog(wf.n_workers)
        self.income.keep_h = float(self.review_window[~np.isnan(self.wage)].max())
        self.review_line = Timeline()
        reviewed = np.flatnonzero(~np.isnan(self.wage) & ~np.isnan(self.t_stay))
        self._next_reviews(reviewed, self.t_stay[reviewed] + self.review_every[reviewed])
        self._schedule_review()

    # --- reviews ------------------------------------------------------------------------------

    def _next_reviews(self, who: np.ndarray, at: np.ndarray) -> None:
        """``who`` (workers) are next reviewed ``at`` (none at or after the end of the run)."""
        at = np.where(at < self.end_h, at, math.inf)
        self.t_review[who] = at
        self.review_line.push(at, who)

    def _current(self, times: np.ndarray, who: np.ndarray) -> np.ndarray:
        """Which timeline entries are ``who``'s next review, on the platform."""
        return (self.t_review[who] == times) & (self.wf.phase[who] != _LEFT)

    def _schedule_review(self) -> None:
        at = self.review_line.first_valid(self._current)
        if at < self.review_at:
            self.review_token += 1
            self.review_at = at
            self._at(at, partial(self._reviews, self.review_token))

    def _reviews(self, token: int) -> None:
        """The reviews due now, and those after them before the next event, as a block.

        Until the next event nothing changes a seat, so every review before it is decided at
        its own time, at once: a worker who passes is reviewed next ``review_every`` later, one
        who holds no seat and fails leaves at its review. The block stops at the first worker
        holding a seat who fails: that departure frees seats, an event of its own (handled
        now if due now, or else at a timeout then). A worker idle at its review whose patience
        or hazard comes first is not reviewed: it leaves then.
        """
        if token != self.review_token:
            return
        self.review_at = math.inf
        now = self._event()
        horizon = min(self.env.peek(), self.end_h)
        wf = self.wf
        while True:
            times, who = self.review_line.pop_due(now, inclusive=True)
            if horizon > now:
                later_t, later_w = self.review_line.pop_due(horizon, inclusive=False)
                times, who = np.r_[times, later_t], np.r_[who, later_w].astype(np.int64)
            current = self._current(times, who)
            times, who = times[current], who[current]
            if len(who) == 0:
                break
            order = np.lexsort((who, times))
            times, who = times[order], who[order]
            holds = self._holding(who)
            first = np.minimum(wf.t_patience[who], wf.t_hazard[who])  # an idle one's own
            reviewed = holds | (first > times)
            self.t_review[who[~reviewed]] = math.inf
            times, who, holds = times[reviewed], who[reviewed], holds[reviewed]
            since = np.maximum(times - self.review_window[who], self.t_stay[who])
            set_aside = self.hours_h_per_h[who] * (times - since)
            low = self._income_between(who, since, times) < self.wage[who] * set_aside
            seat = np.flatnonzero(low & holds)
            stop = int(seat[0]) if len(seat) else len(who)
            if stop < len(who) and times[stop] > now:
                self.review_line.push(times[stop:], who[stop:])  # still to come, as they were
            done = slice(0, stop)
            leaving, at = who[done][low[done]], times[done][low[done]]
            self.t_review[leaving] = math.inf
            self._leave_idle(leaving, at)
            staying = who[done][~low[done]]
            self._next_reviews(staying, times[done][~low[done]] + self.review_every[staying])
            if stop < len(who) and times[stop] <= now:  # a seat holder failing now: an event
                self.t_review[who[stop]] = math.inf
                self._leave_seats(int(who[stop]), now)
                if stop + 1 < len(who):
                    self.review_line.push(times[stop + 1:], who[stop + 1:])
                break
            if stop < len(who):
                break
        self._schedule_wake(now)
        self._schedule_review()

    def _holding(self, who: np.ndarray) -> np.ndarray:
        """Which of ``who`` (workers) hold a seat on some slot (or a reservation)."""
        wf = self.wf
        if not self.several:
            return wf.phase[who] == _WORKING
        rows = self.siblings[who]
        return ((rows >= 0) & (wf.phase[np.maximum(rows, 0)] == _WORKING)).any(axis=1)

    def _rows_of(self, who: np.ndarray) -> np.ndarray:
        """Every row of each of ``who`` (workers), in order."""
        if not self.several or len(who) == 0:
            return who
        return np.concatenate([self._slots_of(int(w)) for w in who.tolist()])

    def _leave_idle(self, who: np.ndarray, at: np.ndarray) -> None:
        """``who`` (workers holding no seat) leave for low earnings, each ``at`` its time."""
        if len(who) == 0:
            return
        rows = self._rows_of(who)
        rows = rows[self.wf.phase[rows] == _IDLE]  # not a later platform's, still assessing
        order = np.argsort(who)
        when = at[order[np.searchsorted(who, self.wf.owner[rows], sorter=order)]]
        self._idle_rows(rows, when, False)
        self._mark_left(WorkerIdx(rows), when, float(LeaveCause.LOW_EARNINGS))

    def _leave_seats(self, worker: int, now: float) -> None:
        """``worker`` leaves now: its free slots as an idle worker, then its seats as a hazard."""
        wf = self.wf
        rows = self._rows_of(np.array([worker]))
        free = rows[wf.phase[rows] == _IDLE]  # first: none of them takes a seat freed now
        self._idle_rows(free, np.full(len(free), now), False)
        self._mark_left(WorkerIdx(free), np.full(len(free), now), float(LeaveCause.LOW_EARNINGS))
        for row in rows[wf.phase[rows] == _WORKING].tolist():
            self._hazard(row, LeaveCause.LOW_EARNINGS)

    # --- returns ------------------------------------------------------------------------------

    def _watch(self, times: np.ndarray, who: np.ndarray) -> None:
        """Idle departures of ``who`` (rows) ``times`` that may end in a return are watched."""
        wf = self.wf
        mine = self.back_probability[wf.owner[who]] > 0
        if mine.any():
            self.watch_line.push(times[mine], who[mine])
            self._schedule_watch()

    def _schedule_watch(self) -> None:
        at = self.watch_line.first_valid(
            lambda times, who: (self.wf.phase[who] == _IDLE)
            & (np.minimum(self.wf.t_patience[who], self.wf.t_hazard[who]) == times))
        if at < self.watch_at and at < self.end_h:
            self.watch_token += 1
            self.watch_at = at
            self._at(at, partial(self._watched, self.watch_token))

    def _watched(self, token: int) -> None:
        """Idle workers due to leave now leave now (not an event: nothing else changes)."""
        if token != self.watch_token:
            return
        self.watch_at = math.inf
        now = float(self.env.now)
        self.watch_line.pop_due(now, inclusive=True)
        self._settle(now, True)
        self._schedule_watch()

    def _plan_returns(self, who: np.ndarray, at: np.ndarray, cause: float | np.ndarray) -> None:
        """Those of ``who`` leaving ``at`` for ``cause`` who come back: when (a timeout each)."""
        wf = self.wf
        cause = np.broadcast_to(cause, len(who))
        at = np.broadcast_to(at, len(who))
        mine = ((who == self.lead[wf.owner[who]]) & np.isin(cause, _COMES_BACK)
                & (self.back_probability[wf.owner[who]] > 0))
        if not mine.any():
            return
        people, left = wf.owner[who[mine]], at[mine]  # the workers (a lead row each)
        k = self.n_away[people]
        self.n_away[people] += 1
        for g, (coin, after) in self.back_draws.items():
            of = wf.group[people] == g
            if not of.any():
                continue
            them = people[of]
            back = left[of] + after.take(them, k[of])
            comes = ((coin.take(them, k[of]) < self.back_probability[them])
                     & (back < self.end_h) & (back < wf.t_hazard[them]))
            for person, time_h in zip(them[comes].tolist(), back[comes].tolist(), strict=True):
                self._at(time_h, partial(self._come_back, person))

    def _come_back(self, person: int) -> None:
        """``person`` is back on the platform now, as at onboarding, without an assessment."""
        now = self._event()
        wf = self.wf
        lead = int(self.lead[person])
        rows = np.sort(self._slots_of(person))
        # the platforms it was on when it left (a later one's result still to come was lost)
        rows = rows[(wf.phase[rows] == _LEFT) & (wf.t_onboarded[rows] <= wf.t_left[lead])]
        self.absences.add_block(np.array([[person, wf.t_left[lead], wf.leave_cause[lead],
                                           now]]))
        wf.phase[rows] = _IDLE
        wf.reserved[rows] = NO_PROJECT  # a reservation held when it left went with it
        wf.t_spell[rows] = now
        wf.t_left[rows] = math.nan
        wf.leave_cause[rows] = float(LeaveCause.STILL_HERE)
        wf.t_released[rows] = now
        wf.release_cause[rows] = ReleaseCause.RETURNED
        if self.several:  # the worker's hours on its first slot, as at onboarding
            wf.available_h_per_h[rows] = np.where(rows == lead, self.hours_h_per_h[person], 0.0)
            self.on_projects[rows] = False
        wf.t_patience[rows] = now + wf.patience_h[rows]
        self.leave_line.push(wf.t_gone()[rows], rows)
        self._start_delays(WorkerIdx(rows), np.full(len(rows), now))
        self.returns[person] += 1
        self.t_stay[person] = now
        if self.reviews and not math.isnan(self.wage[person]):
            self._next_reviews(np.array([person]), np.array([now + self.review_every[person]]))
            self._schedule_review()
        self._offer_ready(WorkerIdx(rows), now)
        self._schedule_wake(now)

    def _first_departures(self) -> np.ndarray:
        """Each worker's first departure (NaN: never left): the last, or its first absence's.

        An assessment still running when the worker first left ends then (a later platform's
        result is lost), whether or not it comes back.
        """
        first = self.wf.t_left[self.lead].copy()
        absences = self.absences.columns()
        if len(absences.get("worker", ())):
            np.fmin.at(first, absences["worker"].astype(np.int64), absences["left"])
        return first

    def _choice_columns(self) -> tuple[np.ndarray, np.ndarray]:
        """The workers table's ``reservation_wage`` (NaN: none) and ``returns``."""
        return self.wage, self.returns.astype(float)
