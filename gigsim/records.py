"""Records a replication emits: spells, latencies, workers and projects, as columnar arrays.

The simulation appends plain tuples to a :class:`Recorder` while it runs; :meth:`Recorder.freeze`
turns them into an immutable :class:`Records` of numpy columns, which is all that metrics read.
Times here are absolute simulated hours from the start of the run (warm-up included).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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


class ReleaseCause(IntEnum):
    """What started a reassignment-latency observation."""

    ONBOARDED = 0
    END_WITHOUT_NOTICE = 1
    END_WITH_NOTICE = 2


SPELL_COLUMNS = (
    "worker", "kind", "start", "end", "project", "censored",
    "available_h", "worked_h", "underused_h", "idle_h", "paid_training_h", "unpaid_training_h",
    "paid_assessment_h", "unpaid_assessment_h", "checking_h", "income_usd",
)
LATENCY_COLUMNS = ("worker", "released", "latency_h", "censored", "cause")
WORKER_COLUMNS = (
    "worker", "group", "joined", "onboarded", "left", "leave_cause", "hours_per_week", "quality",
)
PROJECT_COLUMNS = (
    "project", "generator", "launch", "end", "seats", "notice", "notice_at", "pay_per_hour",
    "hours_per_week_per_seat", "training_h", "training_paid", "sparse_at",
    "seats_filled", "fill_latency_sum_h", "unfilled_seat_h",
)


def _columns(rows: Sequence[tuple[float, ...]], names: tuple[str, ...]) -> Mapping[str, np.ndarray]:
    array = np.array(rows, dtype=float).reshape(len(rows), len(names))
    return MappingProxyType({name: array[:, i].copy() for i, name in enumerate(names)})


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
    events: int = 0
    meta: Mapping[str, float] = field(default_factory=dict)

    @property
    def end_h(self) -> float:
        """The absolute time at which the run stopped."""
        return self.warmup_h + self.horizon_h

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        for name in ("spells", "latencies", "workers", "projects", "meta"):
            state[name] = dict(state[name])
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        for name in ("spells", "latencies", "workers", "projects", "meta"):
            state[name] = MappingProxyType(dict(state[name]))  # type: ignore[call-overload]
        self.__dict__.update(state)


class Recorder:
    """Collects rows while a replication runs."""

    def __init__(self) -> None:
        self.spells: list[tuple[float, ...]] = []
        self.latencies: list[tuple[float, ...]] = []

    def freeze(self, *, replication: int, warmup_h: float, horizon_h: float,
               group_names: tuple[str, ...], generator_names: tuple[str, ...],
               workers: Sequence[tuple[float, ...]], projects: Sequence[tuple[float, ...]],
               events: int = 0) -> Records:
        """The immutable records of the finished run."""
        return Records(
            replication=replication,
            warmup_h=warmup_h,
            horizon_h=horizon_h,
            group_names=group_names,
            generator_names=generator_names,
            spells=_columns(self.spells, SPELL_COLUMNS),
            latencies=_columns(self.latencies, LATENCY_COLUMNS),
            workers=_columns(workers, WORKER_COLUMNS),
            projects=_columns(projects, PROJECT_COLUMNS),
            events=events,
        )
