"""Work and pay as arrays: the spells of assignments that end together (docs/model.md §5).

An assignment from ``start`` to ``end`` splits into up to three spells of constant rates:
training (at the worker's availability, ``training_h / a`` clock hours), work at full task
supply until the sparse phase, and work in the sparse phase. :func:`pieces` works them out
for many assignments at once (on one project or several: the terms are arrays, one entry per
assignment), :func:`spell_blocks` as the rows the records store.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gigsim.engine.records import SpellKind, spell_rows


@dataclass(frozen=True)
class Piece:
    """One kind of spell for the assignments that have it (``which`` selects them)."""

    training: bool
    which: np.ndarray  # bool over the assignments
    begin: np.ndarray
    finish: np.ndarray
    rate_h_per_h: np.ndarray  # hours done per clock hour (training or worked)
    income_usd: np.ndarray


@dataclass(frozen=True)
class Terms:
    """The terms of the projects assignments are on, one entry per assignment.

    :meth:`~gigsim.engine.projects.ProjectTable.terms` reads them off the projects.
    """

    project: np.ndarray  # int
    pay_per_hour: np.ndarray
    supply_h_per_h: np.ndarray
    sparse_supply_h_per_h: np.ndarray
    sparse_at: np.ndarray
    training_h: np.ndarray
    training_paid: np.ndarray  # bool


def pieces(terms: Terms, available: np.ndarray, start: np.ndarray, end: np.ndarray
           ) -> list[Piece]:
    """The training, full-supply work and sparse work of assignments ``[start, end]``.

    The assignments may be on different projects (``terms`` has one entry each). A kind of
    spell that no assignment has is left out.
    """
    out = []
    work_from = start
    if (terms.training_h > 0).any():
        trains = terms.training_h > 0
        work_from = np.where(trains, np.minimum(end, start + terms.training_h / available),
                             start)
        which = work_from > start
        hours = available[which] * (work_from[which] - start[which])
        out.append(Piece(True, which, start[which], work_from[which], available[which],
                         np.where(terms.training_paid[which],
                                  hours * terms.pay_per_hour[which], 0.0)))
    for begin, finish, supply in (
        (work_from, np.minimum(end, terms.sparse_at), terms.supply_h_per_h),
        (np.maximum(work_from, terms.sparse_at), end, terms.sparse_supply_h_per_h),
    ):
        which = finish > begin
        if not which.any():
            continue  # no assignment has this piece (no sparse phase, or all of it)
        begin, finish = begin[which], finish[which]
        rate = np.minimum(available[which], supply[which])
        out.append(Piece(False, which, begin, finish, rate,
                         rate * (finish - begin) * terms.pay_per_hour[which]))
    return out


def spell_blocks(terms: Terms, parts: list[Piece], workers: np.ndarray, available: np.ndarray,
                 censored_at: float | None) -> np.ndarray:
    """The spell rows of the pieces of assignments, as one block (the pieces in order).

    Spells ending at ``censored_at`` are censored.
    """
    blocks = []
    for piece in parts:
        duration = piece.finish - piece.begin
        hours = piece.rate_h_per_h * duration
        where = {"worker": workers[piece.which], "start": piece.begin, "end": piece.finish,
                 "project": terms.project[piece.which], "income_usd": piece.income_usd,
                 "censored": (piece.finish == censored_at) if censored_at is not None else 0.0}
        if piece.training:
            paid = np.where(terms.training_paid[piece.which], hours, 0.0)
            blocks.append(spell_rows(len(hours), **where, kind=float(SpellKind.TRAINING),
                                     available_h=hours, paid_training_h=paid,
                                     unpaid_training_h=hours - paid))
        else:
            a = available[piece.which]
            blocks.append(spell_rows(len(hours), **where, kind=float(SpellKind.WORK),
                                     available_h=a * duration, worked_h=hours,
                                     underused_h=(a - piece.rate_h_per_h) * duration))
    if not blocks:
        return spell_rows(0)
    return blocks[0] if len(blocks) == 1 else np.concatenate(blocks)


def idle_block(workers: np.ndarray, available: np.ndarray, checking: np.ndarray,
               start: np.ndarray, end: np.ndarray, censored: bool) -> np.ndarray:
    """The idle spell rows ``[start, end]`` of ``workers``, leaving out those of zero length."""
    duration = end - start
    keep = duration > 0
    d = duration[keep]
    idle = available[keep] * d
    return spell_rows(int(keep.sum()), worker=workers[keep], kind=float(SpellKind.IDLE),
                      start=start[keep], end=end[keep], project=-1, censored=censored,
                      available_h=idle, idle_h=idle, checking_h=checking[keep] * d)
