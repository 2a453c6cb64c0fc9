"""Records built by hand, row by row, for tests of what reads them (metrics, statistics).

The engine writes its rows as blocks (:class:`gigsim.engine.blocks.BlockRows`); a test that
wants a few chosen rows appends them here and freezes them into the same :class:`Records`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from gigsim.engine.blocks import named_columns
from gigsim.engine.records import (
    LATENCY_COLUMNS,
    PROJECT_COLUMNS,
    SPELL_COLUMNS,
    WORKER_COLUMNS,
    Records,
)

# Columns the work model added at the end of the spell and project rows (issue 19), with the
# values they take where a hand-built row leaves them out: no qualification, no client, a
# queue per seat; the slot of a latency row (a worker's first: it holds one project); and a
# worker's floor on pay (none), refusals (none), reservation wage (none: NaN) and returns
# (none); the platform of a spell, latency or project (the first, the only one).
TRAILING_DEFAULTS = {"slot": 0.0, "minimum_pay_per_hour": 0.0, "refusals": 0.0,
                     "reservation_wage": float("nan"), "returns": 0.0,
                     "paid_qualification_h": 0.0, "unpaid_qualification_h": 0.0,
                     "client": -1.0, "ended_by_client": 0.0,
                     "task_supply_h_per_week": float("nan"), "qualification_h": 0.0,
                     "platform": 0.0}


def _padded(values: tuple[float, ...], names: tuple[str, ...]) -> tuple[float, ...]:
    """A row written before the trailing columns existed, with their defaults appended."""
    missing = names[len(values):]
    if missing and all(name in TRAILING_DEFAULTS for name in missing):
        return values + tuple(TRAILING_DEFAULTS[name] for name in missing)
    return values


class Rows:
    """Rows of a fixed width, appended one at a time."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = names
        self.rows: list[tuple[float, ...]] = []

    def append(self, row: Iterable[float]) -> None:
        """Append one row of ``len(names)`` numbers (ints and bools are stored as floats)."""
        values = _padded(tuple(float(v) for v in row), self.names)
        if len(values) != len(self.names):
            raise ValueError(f"expected a row of {len(self.names)} values, got {len(values)}")
        self.rows.append(values)

    def extend(self, rows: Iterable[Iterable[float]]) -> None:
        """Append several rows."""
        for row in rows:
            self.append(row)

    def columns(self) -> Mapping[str, np.ndarray]:
        """The rows as read-only named columns."""
        return table(self.rows, self.names)


def table(rows: Sequence[Iterable[float]] | np.ndarray, names: tuple[str, ...]
          ) -> Mapping[str, np.ndarray]:
    """Rows (a sequence of rows or a 2-D array) as read-only named columns."""
    if not isinstance(rows, np.ndarray):
        rows = [_padded(tuple(float(v) for v in row), names) for row in rows]
    return named_columns(np.array(rows, dtype=float).reshape(-1, len(names)), names)


class Recorder:
    """Collects chosen spell and latency rows, then freezes them with workers and projects."""

    def __init__(self) -> None:
        self.spells = Rows(SPELL_COLUMNS)
        self.latencies = Rows(LATENCY_COLUMNS)

    def freeze(self, *, replication: int, warmup_h: float, horizon_h: float,
               group_names: tuple[str, ...], generator_names: tuple[str, ...],
               workers: Sequence[tuple[float, ...]] | np.ndarray,
               projects: Sequence[tuple[float, ...]], events: int = 0) -> Records:
        """The immutable records, as a run's: one row per worker in ``workers``."""
        return Records(
            replication=replication, warmup_h=warmup_h, horizon_h=horizon_h,
            group_names=group_names, generator_names=generator_names,
            spells=self.spells.columns(), latencies=self.latencies.columns(),
            workers=table(workers, WORKER_COLUMNS), projects=table(projects, PROJECT_COLUMNS),
            events=events)
