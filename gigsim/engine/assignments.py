"""Assignments as rows: which worker holds a seat on which project, from when to when.

One row per assignment, appended when it starts and closed (``end`` set) when it ends. A
worker's current assignment is the row the workforce points to (``Workforce.assignment``);
nothing here assumes a worker holds one at a time, so holding several later means pointing to
several open rows (docs/engine.md).
"""

from __future__ import annotations

import numpy as np


class Assignments:
    """A growing table of ``(worker, project, start, end)`` rows; ``end`` is NaN while open."""

    def __init__(self, capacity: int = 1024) -> None:
        self.worker = np.empty(capacity, dtype=np.int64)
        self.project = np.empty(capacity, dtype=np.int64)
        self.start = np.empty(capacity)
        self.end = np.empty(capacity)
        self.count = 0

    def __len__(self) -> int:
        return self.count

    def _grow(self, needed: int) -> None:
        capacity = max(needed, 2 * len(self.start))
        for name in ("worker", "project", "start", "end"):
            old = getattr(self, name)
            new = np.empty(capacity, dtype=old.dtype)
            new[: self.count] = old[: self.count]
            setattr(self, name, new)

    def open(self, workers: np.ndarray, project: int | np.ndarray, now: float | np.ndarray
             ) -> np.ndarray:
        """Start assignments of ``workers`` on ``project``; returns their rows.

        ``project`` and ``now`` are one for all, or one each.
        """
        n = len(workers)
        if self.count + n > len(self.start):
            self._grow(self.count + n)
        rows = np.arange(self.count, self.count + n)
        self.worker[rows] = workers
        self.project[rows] = project
        self.start[rows] = now
        self.end[rows] = np.nan
        self.count += n
        return rows

    def close(self, rows: np.ndarray, now: float | np.ndarray) -> None:
        """End the assignments ``rows`` at ``now`` (one time, or one each)."""
        self.end[rows] = now

    def table(self) -> dict[str, np.ndarray]:
        """The rows so far, as columns (views)."""
        n = self.count
        return {"worker": self.worker[:n], "project": self.project[:n],
                "start": self.start[:n], "end": self.end[:n]}
