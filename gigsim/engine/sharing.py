"""Writing assignments' work, and queues a project's team shares (docs/model.md §5).

An assignment's spells are written when it closes. On a project whose team shares one task
queue, a member works ``min(a, level)``, the level the team's water-filling of the supply
gives (:func:`~gigsim.engine.work.water_level`); it changes whenever the team changes. Each
shared project keeps the history of its levels (one entry per change, before and in the
sparse phase), so a change costs no rows: a member's work is the integral of its share over
that history, written when the assignment closes, split at the month boundaries of the
observation window so that every worker-month gets exactly the hours worked in it.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from gigsim.engine import blocks
from gigsim.engine.assignments import Assignments
from gigsim.engine.blocks import BlockRows
from gigsim.engine.income import IncomeLog
from gigsim.engine.projects import ProjectTable
from gigsim.engine.records import SPELL_COLUMNS, SpellKind
from gigsim.engine.work import Piece, Terms, pieces, spell_blocks, spell_tuples, water_level
from gigsim.engine.workforce import WorkerIdx, Workforce

_WHOLE = np.zeros(0, dtype=np.int64)  # _work_parts' index when every assignment is one part
_INCOME = SPELL_COLUMNS.index("income_usd")
_CHUNK = 512  # members whose work is worked out at once (a members × levels matrix)


@dataclasses.dataclass
class Levels:
    """A shared project's water levels over time: from ``at[k]`` on, until the next entry."""

    at: list[float] = dataclasses.field(default_factory=list)
    full: list[float] = dataclasses.field(default_factory=list)
    sparse: list[float] = dataclasses.field(default_factory=list)

    def set(self, now: float, full: float, sparse: float) -> None:
        """The level from ``now`` on (replacing one set at the same instant)."""
        if self.at and self.at[-1] == now:
            self.full[-1], self.sparse[-1] = full, sparse
        else:
            self.at.append(now)
            self.full.append(full)
            self.sparse.append(sparse)

    def worked(self, available: np.ndarray, begin: np.ndarray, finish: np.ndarray,
               sparse: bool) -> np.ndarray:
        """Hours worked over ``[begin, finish]`` by members of availability ``available``."""
        at = np.asarray(self.at)
        level = np.asarray(self.sparse if sparse else self.full)
        until = np.r_[at[1:], np.inf]
        first = max(int(np.searchsorted(at, begin.min(), side="right")) - 1, 0)
        last = int(np.searchsorted(at, finish.max(), side="left"))
        at, until, level = at[first:last], until[first:last], level[first:last]
        overlap = np.clip(np.minimum(finish[:, None], until) - np.maximum(begin[:, None], at),
                          0.0, None)
        worked: np.ndarray = (np.minimum(available[:, None], level) * overlap).sum(axis=1)
        return worked


class Sharing:
    """Work written per assignment, on the state a replication keeps."""

    wf: Workforce
    projects: ProjectTable
    assignments: Assignments
    spells: BlockRows
    income: IncomeLog | None
    teams: dict[int, dict[int, None]]
    any_shared: bool  # some generator has a shared queue
    levels: dict[int, Levels]  # shared project -> its levels so far
    month_edges: np.ndarray  # the window's month boundaries, absolute hours

    def _work_parts(self, who: WorkerIdx, rows: np.ndarray, end: np.ndarray
                    ) -> tuple[Terms, list[Piece], np.ndarray]:
        """The spells of ``who``'s assignments ``rows`` from their start to ``end``.

        Returns the terms, the pieces and, for each part, its index into ``rows``: an
        assignment on a shared queue is split at the window's month boundaries, and its work
        is worked out from the project's levels. When every assignment is one part (none on a
        shared queue), the index is ``_WHOLE``: the parts are the rows, in order.
        """
        a, wf = self.assignments, self.wf
        terms = self.projects.terms(a.project[rows])
        available = wf.available_h_per_h[who]
        start = a.start[rows]
        shared = self.projects.shared[terms.project] if self.any_shared else None
        if shared is None or not shared.any():
            return terms, pieces(terms, available, start, end), _WHOLE
        # part k of a shared row runs between consecutive month edges inside it
        edges = self.month_edges
        inside = (edges[None, :] > start[:, None]) & (edges[None, :] < end[:, None]) \
            & shared[:, None]
        cuts = inside.sum(axis=1)
        index = np.repeat(np.arange(len(rows)), cuts + 1)
        is_first = np.zeros(len(index), dtype=bool)
        is_first[np.r_[0, np.cumsum(cuts + 1)[:-1]]] = True
        is_last = np.r_[is_first[1:], True]
        cut_at = np.broadcast_to(edges, inside.shape)[inside]
        part_from, part_to = np.empty(len(index)), np.empty(len(index))
        part_from[is_first], part_from[~is_first] = start, cut_at
        part_to[is_last], part_to[~is_last] = end, cut_at
        terms = dataclasses.replace(terms, **{
            f.name: getattr(terms, f.name)[index] for f in dataclasses.fields(terms)
            if getattr(terms, f.name) is not None})
        parts = pieces(terms, available[index], start[index], part_to, part_from)
        on_shared = shared[index]
        for k, piece in enumerate(parts):
            on = on_shared[piece.which]
            if piece.kind == SpellKind.WORK and on.any():
                parts[k] = self._shared_work(piece, terms, available[index], on)
        return terms, parts, index

    def _shared_work(self, piece: Piece, terms: Terms, available: np.ndarray,
                     on: np.ndarray) -> Piece:
        """``piece`` (work) with the parts on shared queues (``on``) at their shares."""
        rate = piece.rate_h_per_h.copy()
        length = piece.finish - piece.begin
        project = terms.project[piece.which]
        # each work piece lies wholly before or wholly in its project's sparse phase
        sparse = piece.begin >= terms.sparse_at[piece.which]
        mine_available = available[piece.which]
        for p in np.unique(project[on]).tolist():
            for in_sparse in (False, True):
                these = np.flatnonzero(on & (project == p) & (sparse == in_sparse))
                for chunk in np.array_split(these, max(1, len(these) // _CHUNK)):
                    if len(chunk):
                        worked = self.levels[p].worked(mine_available[chunk],
                                                       piece.begin[chunk],
                                                       piece.finish[chunk], in_sparse)
                        rate[chunk] = worked / length[chunk]
        pay = terms.pay_per_hour[piece.which]
        return dataclasses.replace(piece, rate_h_per_h=rate, income_usd=rate * length * pay)

    def _write_work(self, who: WorkerIdx, rows: np.ndarray, end: np.ndarray | float,
                    censored_at: float | None) -> None:
        """Write the spells of ``who``'s assignments ``rows`` up to ``end``; credit the income.

        ``end`` is one time each, or one for all.
        """
        if len(who) <= blocks.SMALL_EVENT and self._write_work_small(who, rows, end,
                                                                        censored_at):
            return
        if not isinstance(end, np.ndarray):
            end = np.full(len(who), end)
        wf = self.wf
        terms, parts, index = self._work_parts(who, rows, end)
        split = index is not _WHOLE  # a worker may be in a piece more than once
        workers = who[index] if split else who
        available = wf.available_h_per_h[workers]
        self.spells.add_block(spell_blocks(terms, parts, workers, available, censored_at))
        for piece in parts:
            earners = workers[piece.which]
            if split:
                np.add.at(wf.earned_usd, earners, piece.income_usd)
            else:
                wf.earned_usd[earners] += piece.income_usd
            if self.income is not None:
                self.income.add(earners, piece.begin, piece.finish, piece.income_usd)

    def _write_work_small(self, who: WorkerIdx, rows: np.ndarray, end: np.ndarray | float,
                          censored_at: float | None) -> bool:
        """:meth:`_write_work` for a few assignments, as scalars.

        False when one of them is on a shared queue: those are written as arrays.
        """
        terms = [self.projects.term_row(p) for p in self.assignments.project[rows].tolist()]
        if any(term.shared for term in terms):
            return False
        wf = self.wf
        workers = who.tolist()
        parts = spell_tuples(terms, workers, wf.available_h_per_h[who].tolist(),
                             self.assignments.start[rows].tolist(),
                             end.tolist() if isinstance(end, np.ndarray) else [end] * len(who),
                             censored_at)
        earned = wf.earned_usd
        for part in parts:  # piece by piece, as the arrays credit them
            if not part:
                continue
            self.spells.add_rows(part)
            for row in part:
                earned[int(row[0])] += row[_INCOME]
            if self.income is not None:
                mine = np.array(part)
                self.income.add(mine[:, 0].astype(np.int64), mine[:, 2], mine[:, 3],
                                mine[:, _INCOME])
        return True

    def _reshare(self, p: int, now: float) -> None:
        """The team of shared project ``p`` changed at ``now``: its levels from now on."""
        team = np.fromiter(self.teams[p], dtype=np.int64, count=len(self.teams[p]))
        available = self.wf.available_h_per_h[team]
        self.levels.setdefault(p, Levels()).set(
            now, water_level(available, float(self.projects.supply_h_per_h[p])),
            water_level(available, float(self.projects.sparse_supply_h_per_h[p])))

    def _join_shared(self, who: np.ndarray, p: np.ndarray, start: np.ndarray) -> None:
        """``who`` join shared projects ``p`` at ``start`` (one each): teams and levels.

        Joins to one project are taken in order of time, the level set anew at each.
        """
        for q in dict.fromkeys(p.tolist()):
            mine = p == q
            members, times = who[mine], start[mine]
            team = self.teams[q]
            for t in dict.fromkeys(times.tolist()):
                team.update(dict.fromkeys(members[times == t].tolist()))
                self._reshare(q, t)
