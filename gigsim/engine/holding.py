"""Several projects at once: a worker's slots and how its hours go to them (docs/model.md §4).

A worker of a group with ``max_projects = k`` is ``k`` rows of the workforce, one per slot
(:func:`~gigsim.engine.workforce.with_slots`); each row holds at most one project, and the rest
of the engine treats it as it treats any worker. What ties a worker's slots together is kept
here:

- **hours**: the worker's hours go to its projects in the order it joined them. A slot that
  starts on a project is given every hour the worker's other projects do not hold; it keeps
  the hours that project's seat supplies at full rate (all of them on a shared queue, or when
  no other slot is free), and the rest go back to the worker's free slots. Each row's
  ``available_h_per_h`` is what it holds, so the rows' hours add up to the worker's at all
  times and no hour is counted twice;
- **seeking**: while a worker has hours to spare, each of its free slots seeks a project, with
  its own delay, drawn when the slot became free or the hours to spare arose, and its own
  latency observation; without hours to spare no slot seeks. The spare hours are held by the
  first free slot (the others hold none), so that idle hours are counted once;
- **patience** runs while the worker holds no project; every slot leaves with its worker;
- a slot never joins a project another slot of its worker holds.

:meth:`Holding._rebalance` puts a worker's free slots right after each change to its projects.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

import numpy as np

from gigsim.engine import blocks
from gigsim.engine.blocks import BlockRows
from gigsim.engine.projects import ProjectTable
from gigsim.engine.records import Phase, ReleaseCause
from gigsim.engine.timeline import Timeline
from gigsim.engine.work import idle_block, idle_tuples
from gigsim.engine.workforce import WorkerIdx, Workforce
from gigsim.scenario.units import HOURS_PER_WEEK

_ASSESSING, _IDLE, _WORKING, _LEFT = (int(Phase.ASSESSING), int(Phase.IDLE),
                                      int(Phase.WORKING), int(Phase.LEFT))
SPARE_SHARE = 1e-9  # hours to spare below this share of the worker's are none (rounding)


class Holding:
    """Workers' slots, on the state a replication keeps."""

    wf: Workforce
    projects: ProjectTable
    spells: BlockRows
    leave_line: Timeline
    teams: dict[int, dict[int, None]]
    several: bool  # some worker may hold several projects
    siblings: np.ndarray  # (workers, most slots): each worker's rows, -1 past its last
    multi: np.ndarray  # bool per row: its worker has several slots
    hours_h_per_h: np.ndarray  # each worker's hours (per clock hour), as drawn
    on_projects: np.ndarray  # bool per row: a free row's spell is spare hours (worker on some)
    parked: np.ndarray  # bool per row: a slot waiting for its platform's result holds hours
    refusals: set[tuple[int, int]]  # (worker, project) pairs refused for the pay
    lead: np.ndarray  # each worker's lead row: its hours at the start, its record

    # the methods of Replication these call
    _start_delays: Callable[..., None]
    _offer_ready: Callable[[WorkerIdx, float], None]
    _latency_rows: Callable[[np.ndarray, np.ndarray | float, bool], None]
    _choice_columns: Callable[[], tuple[np.ndarray, np.ndarray]]

    def _plan_slots(self) -> None:
        """The workers' slots as the workforce was built (one row each: nothing to do)."""
        wf = self.wf
        n = wf.n_people
        self.hours_h_per_h = wf.available_h_per_h[self.lead].copy()
        self.several = wf.n_workers > n
        if not self.several:
            return
        most = int(wf.slot.max()) + 1
        self.siblings = np.full((n, most), -1, dtype=np.int64)
        self.siblings[wf.owner, wf.slot] = np.arange(wf.n_workers)
        self.on_projects = np.zeros(wf.n_workers, dtype=bool)  # free rows: worker on some
        self.parked = np.zeros(wf.n_workers, dtype=bool)  # rows holding hours (_park)
        counts = (self.siblings >= 0).sum(axis=1)
        self.multi = counts[wf.owner] > 1

    def _idle_rows(self, who: np.ndarray, end: np.ndarray | float, censored: bool) -> None:
        """Write the idle spells of ``who`` (free) from their start to ``end``.

        ``end`` is one time each, or one for all. Those of workers who hold projects meanwhile
        are of kind ``SPARE``.
        """
        wf = self.wf
        if len(who) <= blocks.SMALL_EVENT:
            self.spells.add_rows(idle_tuples(
                who.tolist(), wf.available_h_per_h[who].tolist(),
                wf.checking_h_per_h[who].tolist(), wf.t_spell[who].tolist(),
                end.tolist() if isinstance(end, np.ndarray) else [end] * len(who),
                censored, self.on_projects[who].tolist() if self.several else None))
            return
        if not isinstance(end, np.ndarray):
            end = np.full(len(who), end)
        self.spells.add_block(idle_block(
            who, wf.available_h_per_h[who], wf.checking_h_per_h[who], wf.t_spell[who], end,
            censored, self.on_projects[who] if self.several else None))

    def _worker_rows(self) -> np.ndarray:
        """The records' workers table: one row per worker (its lead row), its own hours."""
        wf, n, lead = self.wf, self.wf.n_people, self.lead
        refused = np.bincount(np.fromiter((w for w, _ in self.refusals), dtype=np.int64,
                                          count=len(self.refusals)), minlength=n)
        return np.column_stack([
            np.arange(n, dtype=float), wf.group[lead], wf.t_joined[lead], wf.t_onboarded[lead],
            wf.t_left[lead], wf.leave_cause[lead], self.hours_h_per_h * HOURS_PER_WEEK,
            wf.quality[lead], wf.minimum_pay[lead], refused, *self._choice_columns()])

    def _by_worker(self, rows: Mapping[str, np.ndarray]) -> Mapping[str, np.ndarray]:
        """Recorded rows with the rows of other slots given to their workers."""
        if not self.several:
            return rows
        worker = self.wf.owner[rows["worker"].astype(np.int64)].astype(float)
        worker.setflags(write=False)
        return MappingProxyType({**rows, "worker": worker})

    def _slots_of(self, row: int) -> np.ndarray:
        """Every row of ``row``'s worker (its own alone when it has one slot)."""
        if not self.several:
            return np.array([row])
        mine = self.siblings[self.wf.owner[row]]
        return mine[mine >= 0]

    def _holds(self, workers: np.ndarray, p: int) -> np.ndarray:
        """Which of ``workers`` (rows) belong to a worker another slot of which is on ``p``."""
        team = self.teams.get(p)
        if not self.several or not team:
            return np.zeros(len(workers), dtype=bool)
        owner = self.wf.owner
        return np.isin(owner[workers], owner[np.fromiter(team, dtype=np.int64)])

    def _commit(self, who: np.ndarray, p: int | np.ndarray) -> None:
        """``who`` (rows) start on ``p``: the hours each holds from now (the join order rule).

        Each is given the hours its worker's other projects leave; it keeps those a seat of
        ``p`` supplies at full rate, or all of them on a shared queue or when it is its
        worker's last free slot (a slot on a platform whose result is still to come counts as
        free; one on a platform that never onboards the worker does not).
        """
        wf, projects = self.wf, self.projects
        on = np.broadcast_to(p, len(who))
        for k in np.flatnonzero(self.multi[who]).tolist():
            row, q = int(who[k]), int(on[k])
            mine = self.siblings[wf.owner[row]]
            mine = mine[(mine >= 0) & (mine != row)]
            mine = mine[~np.isnan(wf.t_onboarded[mine])]  # on a platform never onboarding it
            holding = mine[wf.phase[mine] == _WORKING]
            cap = float(self.hours_h_per_h[wf.owner[row]] - wf.available_h_per_h[holding].sum())
            last = len(holding) == len(mine)
            keep = cap if last or projects.shared[q] else min(cap,
                                                               float(projects.supply_h_per_h[q]))
            wf.available_h_per_h[row] = keep

    def _rebalance(self, workers: np.ndarray, now: float) -> None:
        """Put the free slots of ``workers`` (worker ids) right at ``now``.

        The spare hours (the worker's, less those its projects hold) go to the first free
        slot; the others hold none. With hours to spare, every free slot seeks (a delay drawn
        now where none runs; a latency observation with cause ``spare_hours`` where none is
        open); without, none does and the free slots' observations end, censored. Patience
        runs while the worker holds no project.
        """
        wf = self.wf
        offer: list[int] = []
        for worker in np.unique(workers).tolist():
            mine = self.siblings[worker]
            mine = mine[mine >= 0]
            phase = wf.phase[mine]
            if (phase == _LEFT).any() or wf.t_hazard[worker] <= now:
                continue  # the worker leaves now: each slot by its own path
            free, holding = mine[phase == _IDLE], mine[phase == _WORKING]
            spare = float(self.hours_h_per_h[worker] - wf.available_h_per_h[holding].sum())
            has_spare = spare > SPARE_SHARE * self.hours_h_per_h[worker]
            # slots whose platform's result is to come, and any holding parked hours
            waiting = (phase == _ASSESSING) & ((wf.t_onboarded[mine] > now)
                                               | self.parked[mine])
            if len(free) == 0:  # no free slot: a slot whose result is to come holds them
                if waiting.any():
                    first = mine[waiting & (wf.t_onboarded[mine] > now)][:1]
                    self._park(mine[waiting], first, spare if has_spare else 0.0, now)
                continue
            if waiting.any():
                self._park(mine[waiting], mine[:0], 0.0, now)  # a free slot holds them now
            hours = np.where(free == free[0], spare if has_spare else 0.0, 0.0)
            changed = free[wf.available_h_per_h[free] != hours]
            if len(changed):
                self._idle_rows(changed, np.full(len(changed), now), censored=False)
                wf.t_spell[changed] = now
                wf.available_h_per_h[free] = hours
            self.on_projects[free] = len(holding) > 0
            if not has_spare:
                self._stop_seeking(free, now)
            else:
                starting = free[~wf.seeking[free]]
                fresh = starting[np.isnan(wf.t_released[starting])]
                wf.t_released[fresh] = now
                wf.release_cause[fresh] = ReleaseCause.SPARE_HOURS
                self._start_delays(WorkerIdx(starting), np.full(len(starting), now))
                offer.extend(starting.tolist())
            patience = (np.full(len(free), np.inf) if len(holding)
                        else np.where(np.isinf(wf.t_patience[free]),
                                      now + wf.patience_h[free], wf.t_patience[free]))
            moved = free[patience != wf.t_patience[free]]
            wf.t_patience[free] = patience
            if len(moved):
                self.leave_line.push(wf.t_gone()[moved], moved)
        if offer:
            self._offer_ready(WorkerIdx(np.array(sorted(offer), dtype=np.int64)), now)

    def _park(self, waiting: np.ndarray, holder: np.ndarray, spare: float, now: float
              ) -> None:
        """Of ``waiting`` slots, ``holder`` (one or none) holds ``spare`` hours from ``now``.

        The others hold none; the holder's hours are a spare spell that seeks nothing.

        A worker whose onboarded slots all hold projects has no free slot for the hours they
        leave over; until a slot frees or the result comes, they are a ``SPARE`` spell of the
        first slot still waiting for its platform's result (docs/model.md §5), which checks
        for no work (its platform has not onboarded the worker).
        """
        wf = self.wf
        hours = np.where(np.isin(waiting, holder), spare, 0.0)
        changed = waiting[wf.available_h_per_h[waiting] != hours]
        if len(changed):
            self._close_parked(changed, now, censored=False)
            wf.t_spell[changed] = now
            wf.available_h_per_h[waiting] = hours
            self.parked[waiting] = hours > 0

    def _close_parked(self, rows: np.ndarray, end: float | np.ndarray, censored: bool
                      ) -> None:
        """Write the spare spells of slots waiting for a result (:meth:`_park`) up to ``end``."""
        wf = self.wf
        held = self.parked[rows]
        rows = rows[held]
        ends = end[held] if isinstance(end, np.ndarray) else np.full(len(rows), end)
        self.spells.add_block(idle_block(
            rows, wf.available_h_per_h[rows], np.zeros(len(rows)), wf.t_spell[rows], ends,
            censored, np.ones(len(rows), dtype=bool)))

    def _unpark(self, workers: np.ndarray, at: np.ndarray) -> None:
        """``workers`` (one row each) leave at ``at``: their parked spare spells end then."""
        wf = self.wf
        rows = self.siblings[wf.owner[workers]]
        parked = (rows >= 0) & self.parked[np.maximum(rows, 0)]
        if not parked.any():
            return
        of, column = np.nonzero(parked)
        rows = rows[of, column]
        self._close_parked(rows, at[of], censored=False)
        wf.available_h_per_h[rows] = 0.0
        self.parked[rows] = False

    def _stop_seeking(self, free: np.ndarray, now: float) -> None:
        """Free slots of a worker with no hours to spare seek nothing.

        Their latency observations end, censored (one that opened now is dropped: it observed
        nothing).
        """
        if len(free) == 0:
            return
        wf = self.wf
        wf.seeking[free] = False
        wf.t_ready[free] = np.inf
        fresh = free[wf.t_released[free] == now]
        wf.t_released[fresh] = np.nan
        self._latency_rows(free, now, True)
