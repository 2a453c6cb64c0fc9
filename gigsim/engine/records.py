"""Records a replication emits: spells, latencies, workers and projects, as columnar arrays.

The engine writes its rows as blocks while it runs (:class:`~gigsim.engine.blocks.BlockRows`)
and hands them over as an immutable :class:`Records` of numpy columns, without copying, which
is all that metrics read.
Times here are absolute simulated hours from the start of the run (warm-up included).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from types import MappingProxyType

import numpy as np


class SpellKind(IntEnum):
    """What a worker is doing during a spell."""

    ASSESSMENT = 0
    IDLE = 1
    TRAINING = 2
    WORK = 3
    QUALIFICATION = 4  # a project's qualification test, at the start of an assignment
    SPARE = 5  # hours a worker on projects has to spare (idle hours, not a drought)


class ReleaseCause(IntEnum):
    """What started a reassignment-latency observation."""

    ONBOARDED = 0
    END_WITHOUT_NOTICE = 1
    END_WITH_NOTICE = 2
    FAILED_QUALIFICATION = 3  # failed a project's qualification test, and released
    SPARE_HOURS = 4  # a free slot of a worker on other projects, with hours to spare
    RETURNED = 5  # came back to the platform after an absence (``return``)


class Phase(IntEnum):
    """Where a worker is in their life on the platform."""

    ASSESSING = 0
    IDLE = 1
    WORKING = 2
    LEFT = 3


class LeaveCause(IntEnum):
    """Why a worker left the platform (``STILL_HERE`` for those still on it at the end)."""

    STILL_HERE = 0
    FAILED_ASSESSMENT = 1
    IMPATIENCE = 2
    HAZARD = 3
    LOW_EARNINGS = 4  # income per hour set aside below the reservation wage at a review


SPELL_COLUMNS = (
    "worker", "kind", "start", "end", "project", "censored",
    "available_h", "worked_h", "underused_h", "idle_h", "paid_training_h", "unpaid_training_h",
    "paid_assessment_h", "unpaid_assessment_h", "checking_h", "income_usd",
    "paid_qualification_h", "unpaid_qualification_h",
    "platform",  # the platform of the project or assessment; -1: idle or spare hours (none)
)
_SPELL_INDEX = {name: i for i, name in enumerate(SPELL_COLUMNS)}
LATENCY_COLUMNS = ("worker", "released", "latency_h", "censored", "cause", "slot", "platform")
WORKER_COLUMNS = (
    "worker", "group", "joined", "onboarded", "left", "leave_cause", "hours_per_week", "quality",
    "minimum_pay_per_hour", "refusals", "reservation_wage", "returns",
)
ABSENCE_COLUMNS = ("worker", "left", "cause", "back")  # a departure followed by a return
PROJECT_COLUMNS = (
    "project", "generator", "launch", "end", "seats", "notice", "notice_at", "pay_per_hour",
    "hours_per_week_per_seat", "training_h", "training_paid", "sparse_at",
    "seats_filled", "fill_latency_sum_h", "unfilled_seat_h",
    "client", "ended_by_client", "task_supply_h_per_week", "qualification_h", "platform",
)


def spell_rows(count: int, **columns: float | np.ndarray) -> np.ndarray:
    """``count`` spell rows as a 2-D array: the named columns set, every other one 0."""
    rows = np.zeros((count, len(SPELL_COLUMNS)))
    for name, values in columns.items():
        rows[:, _SPELL_INDEX[name]] = values
    return rows


def spell_row(worker: float, kind: float, start: float, end: float, project: float,
              censored: float, platform: float, income_usd: float = 0.0,
              available_h: float = 0.0, worked_h: float = 0.0, underused_h: float = 0.0,
              idle_h: float = 0.0, paid_training_h: float = 0.0,
              unpaid_training_h: float = 0.0, checking_h: float = 0.0,
              paid_qualification_h: float = 0.0, unpaid_qualification_h: float = 0.0
              ) -> tuple[float, ...]:
    """One spell row as a tuple, in the order of :data:`SPELL_COLUMNS` (the scalar path).

    The row :func:`spell_rows` makes of the same values (assessment hours are never written
    here: 0).
    """
    return (worker, kind, start, end, project, censored, available_h, worked_h, underused_h,
            idle_h, paid_training_h, unpaid_training_h, 0.0, 0.0, checking_h, income_usd,
            paid_qualification_h, unpaid_qualification_h, platform)


@dataclass(frozen=True)
class Records:
    """Everything one replication observed, as read-only numpy columns."""

    replication: int
    warmup_h: float
    horizon_h: float
    group_names: tuple[str, ...]
    generator_names: tuple[str, ...]
    spells: Mapping[str, np.ndarray]
    latencies: Mapping[str, np.ndarray]
    workers: Mapping[str, np.ndarray]
    projects: Mapping[str, np.ndarray]
    # The seat-level events the engine handled (docs/engine.md): project launches, notices
    # (those after launch), project ends, departures of workers holding a seat, wakes (a seat
    # open when a worker's delay ends) and dispatch rounds. A timeout that finds nothing left to
    # do (a departure from an assignment already over, a wake superseded) is not counted; nor
    # are onboardings, delays or idle departures, which are worked out in bulk, not as events.
    events: int = 0
    meta: Mapping[str, float] = field(default_factory=dict)
    client_names: tuple[str, ...] = ()
    # one row per absence that ended in a return (ABSENCE_COLUMNS; empty without ``return``)
    absences: Mapping[str, np.ndarray] = field(default_factory=dict)
    platform_names: tuple[str, ...] = ("default",)  # the records' platform codes, in order

    @property
    def end_h(self) -> float:
        """The absolute time at which the run stopped."""
        return self.warmup_h + self.horizon_h

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        for name in ("spells", "latencies", "workers", "projects", "meta", "absences"):
            state[name] = dict(state[name])
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        for name in ("spells", "latencies", "workers", "projects", "meta", "absences"):
            state[name] = MappingProxyType(dict(state[name]))  # type: ignore[call-overload]
        self.__dict__.update(state)
