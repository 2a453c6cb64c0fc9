"""What policies and reviews read of workers: the columns of a policy's candidates, and income.

:class:`Readings` holds the methods; :class:`~gigsim.engine.matching.Matching` builds on it, and
:class:`~gigsim.engine.replication.Replication` holds the state they read (docs/engine.md).
A policy's ``key(candidates, project)`` reads columns by name through :meth:`Readings._column`
(docs/model.md §7); the least-earned key and the reservation-wage review read income through
:meth:`Readings._income_between`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from gigsim.engine.income import IncomeLog
from gigsim.engine.policies import Candidates
from gigsim.engine.records import Phase
from gigsim.engine.slots import SlotDraws
from gigsim.engine.work import Piece, Terms
from gigsim.engine.workforce import WorkerIdx, Workforce

_WORKING = int(Phase.WORKING)


class Readings:
    """Columns of workers as policies and reviews read them, on the state a replication keeps."""

    wf: Workforce
    skill_names: tuple[str, ...]
    lotteries: dict[str, SlotDraws]
    income: IncomeLog | None
    several: bool
    siblings: np.ndarray

    # the methods of Replication these call
    _work_parts: Callable[[WorkerIdx, np.ndarray, np.ndarray],
                          tuple[Terms, list[Piece], np.ndarray]]

    def _candidates(self, ids: np.ndarray, now: float, skill: int | None = None) -> Candidates:
        return Candidates(ids, now, self._column,
                          None if skill is None else self.skill_names[skill])

    def _column(self, name: str, ids: np.ndarray) -> np.ndarray:
        wf = self.wf
        if name == "worker":
            return wf.owner[ids]
        if name == "projects_held":
            if not self.several:
                return (wf.phase[ids] == _WORKING).astype(np.int64)
            rows = self.siblings[wf.owner[ids]]
            return ((rows >= 0) & (wf.phase[rows] == _WORKING)).sum(axis=1)
        if name == "earned_usd" and self.several:  # the worker's, over its slots
            rows = self.siblings[wf.owner[ids]]
            return np.where(rows >= 0, wf.earned_usd[rows], 0.0).sum(axis=1)
        if name == "idle_since":
            return wf.t_idle_since[ids]
        if name == "ready_at":
            return wf.t_ready[ids]
        if name.startswith("lottery:"):
            return self.lotteries[name.partition(":")[2]].take(ids, wf.n_delays[ids] - 1)
        if name.startswith("recent_income:"):
            return self._recent_income(ids, float(name.partition(":")[2]))
        values: np.ndarray = getattr(wf, name)[ids]
        return values

    def _recent_income(self, ids: np.ndarray, window_h: float) -> np.ndarray:
        """Income over the window before each worker joined the pool (its delay's end).

        Closed spells, and for a worker pooled while still on a project under notice, the
        assignment it is on up to then: the key the first engine fixes at pool entry.
        """
        if self.income is None:
            raise RuntimeError("recent income asked of a policy that says it does not read it")
        until = self.wf.t_ready[ids]
        return self._income_between(self.wf.owner[ids], until - window_h, until)

    def _income_between(self, workers: np.ndarray, since: np.ndarray, until: np.ndarray
                        ) -> np.ndarray:
        """Income of each of ``workers`` (every slot) over ``(since, until]`` (one each).

        Closed spells from the income log; an assignment still on, its pieces up to ``until``.
        """
        assert self.income is not None  # made by whoever asks
        wf = self.wf
        if self.several:  # the worker's income: every slot's
            rows = self.siblings[workers]
            of, column = np.nonzero(rows >= 0)
            rows = rows[of, column]
            total = np.zeros(len(workers))
            np.add.at(total, of, self.income.recent(rows, since[of], until[of]))
        else:
            of, rows = np.arange(len(workers)), workers
            total = self.income.recent(workers, since, until)
        working = np.flatnonzero(wf.phase[rows] == _WORKING)
        if len(working) == 0:
            return total
        who = rows[working]  # on one project or several: the terms are per assignment
        _, parts, index = self._work_parts(WorkerIdx(who), wf.assignment[who],
                                           until[of[working]])
        # an assignment on a shared queue may be in several parts (an empty index: one each)
        owner = of[working[index] if len(index) else working]
        for piece in parts:
            length = piece.finish - piece.begin
            share = np.clip((piece.finish - np.maximum(piece.begin, since[owner[piece.which]]))
                            / length, 0, 1)
            np.add.at(total, owner[piece.which], piece.income_usd * share)
        return total
