"""Work and pay as arrays: the spells of assignments that end together (docs/model.md §5).

An assignment from ``start`` to ``end`` splits into up to four spells of constant rates: the
qualification test and training (each at the worker's availability: ``hours / a`` clock
hours), work at full task supply until the sparse phase, and work in the sparse phase.
:func:`pieces` works them out for many assignments at once (on one project or several: the
terms are arrays, one entry per assignment), :func:`spell_blocks` as the rows the records
store. On a project whose team shares one queue, an assignment is written in parts split at
the window's month boundaries (``from_``), its work the integral of the member's share over the
project's water levels (:func:`water_level`; :mod:`gigsim.engine.sharing`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from gigsim.engine.records import SpellKind, spell_row, spell_rows


@dataclass(frozen=True)
class Piece:
    """One kind of spell for the assignments that have it (``which`` selects them)."""

    kind: SpellKind  # QUALIFICATION, TRAINING or WORK
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
    # None where no project of the run has a qualification test
    qualification_h: np.ndarray | None = None  # 0: no qualification test
    qualification_pay: np.ndarray | None = None  # USD per qualification hour (0: unpaid)
    platform: np.ndarray | None = None  # the project's platform (None: all on the first)


class TermRow(NamedTuple):
    """One project's terms as Python scalars, for the scalar path of :func:`spell_tuples`."""

    project: int
    pay_per_hour: float
    supply_h_per_h: float
    sparse_supply_h_per_h: float
    sparse_at: float
    training_h: float
    training_paid: bool
    qualification_h: float
    qualification_pay: float
    platform: int
    shared: bool


def pieces(terms: Terms, available: np.ndarray, start: np.ndarray, end: np.ndarray,
           from_: np.ndarray | None = None) -> list[Piece]:
    """The qualification, training, full-supply and sparse work of assignments ``[start, end]``.

    The assignments may be on different projects (``terms`` has one entry each). With
    ``from_``, only the part of each assignment after ``from_`` (a segment of an assignment
    that started at ``start``). A kind of spell that no assignment has is left out.
    """
    out = []
    lead = start  # where training starts: after the qualification test, if any
    if terms.qualification_h is not None and terms.qualification_pay is not None \
            and (terms.qualification_h > 0).any():
        lead = np.where(terms.qualification_h > 0,
                        np.minimum(end, start + terms.qualification_h / available), start)
        begin = start if from_ is None else from_
        which = lead > begin
        hours = available[which] * (lead[which] - begin[which])
        out.append(Piece(SpellKind.QUALIFICATION, which, begin[which], lead[which],
                         available[which], hours * terms.qualification_pay[which]))
    work_from = lead
    if (terms.training_h > 0).any():
        trains = terms.training_h > 0
        work_from = np.where(trains, np.minimum(end, lead + terms.training_h / available),
                             lead)
        begin = lead if from_ is None else np.maximum(lead, from_)
        which = work_from > begin
        hours = available[which] * (work_from[which] - begin[which])
        out.append(Piece(SpellKind.TRAINING, which, begin[which], work_from[which],
                         available[which], np.where(terms.training_paid[which],
                                                    hours * terms.pay_per_hour[which], 0.0)))
    if from_ is not None:
        work_from = np.maximum(work_from, from_)
    for begin, finish, supply in (
        (work_from, np.minimum(end, terms.sparse_at), terms.supply_h_per_h),
        (np.maximum(work_from, terms.sparse_at), end, terms.sparse_supply_h_per_h),
    ):
        which = finish > begin
        if not which.any():
            continue  # no assignment has this piece (no sparse phase, or all of it)
        begin, finish = begin[which], finish[which]
        rate = np.minimum(available[which], supply[which])
        out.append(Piece(SpellKind.WORK, which, begin, finish, rate,
                         rate * (finish - begin) * terms.pay_per_hour[which]))
    return out


def water_level(available: np.ndarray, supply: float) -> float:
    """The level of a queue of ``supply`` hours per hour shared by members ``available``.

    Each member works ``min(available, level)``: equal shares, the spare of those capped by
    their own hours going to the others, adding up to ``supply`` (inf when the supply covers
    everyone's hours, or there is no one).
    """
    n = len(available)
    if n == 0:
        return math.inf
    ordered = np.sort(available)
    before = np.r_[0.0, np.cumsum(ordered)[:-1]]  # the hours of the smaller members
    fair = (supply - before) / (n - np.arange(n))  # the level if members from k on are uncapped
    uncapped = np.flatnonzero(ordered > fair)
    return math.inf if len(uncapped) == 0 else max(float(fair[uncapped[0]]), 0.0)


def water_fill(available: np.ndarray, supply: float) -> np.ndarray:
    """Each member's share of a queue of ``supply`` hours per hour, capped by availability.

    Equal shares, the spare of those capped by their ``available`` hours going to the others:
    every member works ``min(available, level)``, the level chosen so that the shares add up
    to ``supply`` (or to everyone's availability, when that is less).
    """
    return np.minimum(available, water_level(available, supply))


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
                 "censored": (piece.finish == censored_at) if censored_at is not None else 0.0,
                 "platform": terms.platform[piece.which] if terms.platform is not None else 0.0}
        if piece.kind == SpellKind.QUALIFICATION:
            assert terms.qualification_pay is not None  # a qualification piece has its terms
            paid = np.where(terms.qualification_pay[piece.which] > 0, hours, 0.0)
            blocks.append(spell_rows(len(hours), **where, kind=float(SpellKind.QUALIFICATION),
                                     available_h=hours, paid_qualification_h=paid,
                                     unpaid_qualification_h=hours - paid))
        elif piece.kind == SpellKind.TRAINING:
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
               start: np.ndarray, end: np.ndarray, censored: bool,
               spare: np.ndarray | None = None) -> np.ndarray:
    """The idle spell rows ``[start, end]`` of ``workers``, leaving out those of zero length.

    Rows of no hours (a free slot of a worker whose spare hours another slot holds) are left
    out too. ``spare`` marks the spells of workers who hold projects meanwhile: kind ``SPARE``.
    """
    duration = end - start
    keep = (duration > 0) & (available > 0)
    d = duration[keep]
    idle = available[keep] * d
    kind = float(SpellKind.IDLE) if spare is None else np.where(
        spare[keep], float(SpellKind.SPARE), float(SpellKind.IDLE))
    return spell_rows(int(keep.sum()), worker=workers[keep], kind=kind,
                      start=start[keep], end=end[keep], project=-1, censored=censored,
                      available_h=idle, idle_h=idle, checking_h=checking[keep] * d, platform=-1)


_QUALIFICATION, _TRAINING, _WORK = (float(SpellKind.QUALIFICATION), float(SpellKind.TRAINING),
                                    float(SpellKind.WORK))


def _per(hours: float, available: float) -> float:
    """``hours / available`` as numpy divides (a worker of no hours: inf)."""
    return hours / available if available else math.inf


def spell_tuples(terms: list[TermRow], workers: list[int], available: list[float],
                 start: list[float], end: list[float], censored_at: float | None
                 ) -> list[list[tuple[float, ...]]]:
    """The spell rows of whole assignments ``[start, end]``, as tuples (the scalar path).

    The rows :func:`spell_blocks` gives for the :func:`pieces` of the same assignments (none
    on a shared queue), piece by piece as :func:`pieces` lists them (qualification tests,
    training, work, sparse work; within a piece, the assignments' order), from the same
    operations on the same floats.
    """
    kinds: list[list[tuple[float, ...]]] = [[], [], [], []]
    for term, worker, a, begin, finish in zip(terms, workers, available, start, end,
                                             strict=True):
        lead = begin
        if term.qualification_h > 0:
            lead = min(finish, begin + _per(term.qualification_h, a))
            if lead > begin:
                hours = a * (lead - begin)
                paid = hours if term.qualification_pay > 0 else 0.0
                kinds[0].append(spell_row(
                    worker=worker, kind=_QUALIFICATION, start=begin, end=lead,
                    project=term.project, income_usd=hours * term.qualification_pay,
                    censored=float(lead == censored_at) if censored_at is not None else 0.0,
                    platform=term.platform, available_h=hours, paid_qualification_h=paid,
                    unpaid_qualification_h=hours - paid))
        work_from = lead
        if term.training_h > 0:
            work_from = min(finish, lead + _per(term.training_h, a))
            if work_from > lead:
                hours = a * (work_from - lead)
                paid = hours if term.training_paid else 0.0
                kinds[1].append(spell_row(
                    worker=worker, kind=_TRAINING, start=lead, end=work_from,
                    project=term.project,
                    income_usd=hours * term.pay_per_hour if term.training_paid else 0.0,
                    censored=float(work_from == censored_at) if censored_at is not None else 0.0,
                    platform=term.platform, available_h=hours, paid_training_h=paid,
                    unpaid_training_h=hours - paid))
        for k, since, until, supply in (
            (2, work_from, min(finish, term.sparse_at), term.supply_h_per_h),
            (3, max(work_from, term.sparse_at), finish, term.sparse_supply_h_per_h),
        ):
            if until > since:
                rate = min(a, supply)
                duration = until - since
                kinds[k].append(spell_row(
                    worker=worker, kind=_WORK, start=since, end=until, project=term.project,
                    income_usd=rate * duration * term.pay_per_hour,
                    censored=float(until == censored_at) if censored_at is not None else 0.0,
                    platform=term.platform, available_h=a * duration, worked_h=rate * duration,
                    underused_h=(a - rate) * duration))
    return kinds


def idle_tuples(workers: list[int], available: list[float], checking: list[float],
                start: list[float], end: list[float], censored: bool,
                spare: list[bool] | None = None) -> list[tuple[float, ...]]:
    """The rows of :func:`idle_block`, as tuples (the scalar path)."""
    rows = []
    for k, (worker, a, c, begin, finish) in enumerate(zip(workers, available, checking, start,
                                                          end, strict=True)):
        duration = finish - begin
        if duration > 0 and a > 0:
            idle = a * duration
            kind = SpellKind.SPARE if spare is not None and spare[k] else SpellKind.IDLE
            rows.append(spell_row(worker=worker, kind=float(kind), start=begin, end=finish,
                                  project=-1, censored=float(censored), available_h=idle,
                                  idle_h=idle, checking_h=c * duration, platform=-1))
    return rows
