"""Records a replication emits: spells, latencies, workers and projects, as columnar arrays.

The simulation appends rows to a :class:`Recorder` while it runs, stored flat in arrays of
doubles (no Python object per row or per value); :meth:`Recorder.freeze` turns them into an
immutable :class:`Records` of numpy columns, without copying, which is all that metrics read.
Times here are absolute simulated hours from the start of the run (warm-up included).
"""

from __future__ import annotations

import struct
from array import array
from collections.abc import Callable, Iterable, Mapping, Sequence
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


SPELL_COLUMNS = (
    "worker", "kind", "start", "end", "project", "censored",
    "available_h", "worked_h", "underused_h", "idle_h", "paid_training_h", "unpaid_training_h",
    "paid_assessment_h", "unpaid_assessment_h", "checking_h", "income_usd",
)
_SPELL_INDEX = {name: i for i, name in enumerate(SPELL_COLUMNS)}
LATENCY_COLUMNS = ("worker", "released", "latency_h", "censored", "cause")
WORKER_COLUMNS = (
    "worker", "group", "joined", "onboarded", "left", "leave_cause", "hours_per_week", "quality",
)
PROJECT_COLUMNS = (
    "project", "generator", "launch", "end", "seats", "notice", "notice_at", "pay_per_hour",
    "hours_per_week_per_seat", "training_h", "training_paid", "sparse_at",
    "seats_filled", "fill_latency_sum_h", "unfilled_seat_h",
)


def spell_rows(count: int, **columns: float | np.ndarray) -> np.ndarray:
    """``count`` spell rows as a 2-D array: the named columns set, every other one 0."""
    rows = np.zeros((count, len(SPELL_COLUMNS)))
    for name, values in columns.items():
        rows[:, _SPELL_INDEX[name]] = values
    return rows


def _columns(rows: Sequence[tuple[float, ...]], names: tuple[str, ...]) -> Mapping[str, np.ndarray]:
    return _named(np.array(rows, dtype=float).reshape(len(rows), len(names)), names)


def _named(table: np.ndarray, names: tuple[str, ...]) -> Mapping[str, np.ndarray]:
    """Read-only column views of a 2-D table, by name."""
    table.setflags(write=False)
    return MappingProxyType({name: table[:, i] for i, name in enumerate(names)})


class Rows:
    """Rows of a fixed width, stored flat in one growing array of doubles.

    ``append(row)`` takes a tuple of ``width`` numbers (ints and bools are stored as floats);
    ``add_block`` takes a 2-D numpy array of rows at once. Where every row counts,
    ``write(pack(*values))`` adds one row without making a tuple of it (``pack`` turns the
    values into the row's bytes, ``write`` appends them), about three times as fast.
    """

    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = names
        self.data = array("d")
        self.pack: Callable[..., bytes] = struct.Struct(f"{len(names)}d").pack
        self.write: Callable[[bytes], None] = self.data.frombytes

    def append(self, row: Iterable[float]) -> None:
        """Append one row."""
        self.write(self.pack(*row))

    def extend(self, rows: Iterable[Iterable[float]]) -> None:
        """Append several rows."""
        for row in rows:
            self.append(row)

    def add_block(self, block: np.ndarray) -> None:
        """Append the rows of a 2-D array with ``width`` columns."""
        block = np.ascontiguousarray(block, dtype=float)
        if block.ndim != 2 or block.shape[1] != len(self.names):
            raise ValueError(f"expected rows of {len(self.names)} columns, got {block.shape}")
        self.data.frombytes(block.tobytes())

    def __len__(self) -> int:
        return len(self.data) // len(self.names)

    def columns(self) -> Mapping[str, np.ndarray]:
        """The rows as read-only named columns (views of the rows, no copy)."""
        width = len(self.names)
        if len(self.data) % width:
            raise ValueError(f"a row of other than {width} values was appended")
        return _named(np.frombuffer(self.data, dtype=float).reshape(-1, width), self.names)


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
        self.spells = Rows(SPELL_COLUMNS)
        self.latencies = Rows(LATENCY_COLUMNS)

    def freeze(self, *, replication: int, warmup_h: float, horizon_h: float,
               group_names: tuple[str, ...], generator_names: tuple[str, ...],
               workers: Sequence[tuple[float, ...]] | np.ndarray,
               projects: Sequence[tuple[float, ...]], events: int = 0) -> Records:
        """The immutable records of the finished run.

        ``workers`` is a sequence of rows or a 2-D array with one row per worker.
        """
        return Records(
            replication=replication,
            warmup_h=warmup_h,
            horizon_h=horizon_h,
            group_names=group_names,
            generator_names=generator_names,
            spells=self.spells.columns(),
            latencies=self.latencies.columns(),
            workers=(_named(np.array(workers, dtype=float).reshape(-1, len(WORKER_COLUMNS)),
                            WORKER_COLUMNS)),
            projects=_columns(projects, PROJECT_COLUMNS),
            events=events,
        )
