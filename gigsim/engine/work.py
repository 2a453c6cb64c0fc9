"""Work and pay as arrays: the spells of assignments that end together (docs/model.md §5).

An assignment from ``start`` to ``end`` splits into up to three spells of constant rates:
training (at the worker's availability, ``training_h / a`` clock hours), work at full task
supply until the sparse phase, and work in the sparse phase. :func:`assignment_spells` works
them out for many assignments to one project at once, as the rows the records store.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gigsim.records import SPELL_COLUMNS, SpellKind, spell_rows

_PROJECT, _CENSORED, _END = (SPELL_COLUMNS.index(name)
                             for name in ("project", "censored", "end"))


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
    """What a project's terms are for the work done on it."""

    project: int
    pay_per_hour: float
    supply_h_per_h: float
    sparse_supply_h_per_h: float
    sparse_at: float
    training_h: float
    training_paid: bool


def pieces(terms: Terms, available: np.ndarray, start: np.ndarray, end: np.ndarray
           ) -> list[Piece]:
    """The training, full-supply work and sparse work of assignments ``[start, end]``."""
    out = []
    work_from = start
    if terms.training_h > 0:
        work_from = np.minimum(end, start + terms.training_h / available)
        which = work_from > start
        hours = available[which] * (work_from[which] - start[which])
        out.append(Piece(True, which, start[which], work_from[which], available[which],
                         hours * terms.pay_per_hour if terms.training_paid
                         else np.zeros(len(hours))))
    for begin, finish, supply in (
        (work_from, np.minimum(end, terms.sparse_at), terms.supply_h_per_h),
        (np.maximum(work_from, terms.sparse_at), end, terms.sparse_supply_h_per_h),
    ):
        which = finish > begin
        begin, finish = begin[which], finish[which]
        rate = np.minimum(available[which], supply)
        out.append(Piece(False, which, begin, finish, rate,
                         rate * (finish - begin) * terms.pay_per_hour))
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
                 "income_usd": piece.income_usd}
        if piece.training:
            paid = hours if terms.training_paid else 0.0
            blocks.append(spell_rows(len(hours), **where, kind=float(SpellKind.TRAINING),
                                     available_h=hours, paid_training_h=paid,
                                     unpaid_training_h=hours - paid))
        else:
            a = available[piece.which]
            blocks.append(spell_rows(len(hours), **where, kind=float(SpellKind.WORK),
                                     available_h=a * duration, worked_h=hours,
                                     underused_h=(a - piece.rate_h_per_h) * duration))
    rows = blocks[0] if len(blocks) == 1 else np.concatenate(blocks)
    rows[:, _PROJECT] = terms.project
    if censored_at is not None:
        rows[:, _CENSORED] = rows[:, _END] == censored_at
    return rows


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
