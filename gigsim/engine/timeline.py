"""Times at which workers may do something, kept sorted in batches, read in bulk.

A release gives a whole team its delay ends and its patience deadlines at once; a
:class:`Timeline` keeps each such batch sorted and hands out, in bulk, the entries due by a
time. Entries are hints: the caller checks each against the workforce's current columns (a
worker matched since, or with a newer time, is stale and dropped). This keeps the cost of
asking "who leaves by now?" or "who is ready next?" in proportion to the answer, not to the
size of the workforce.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal

import numpy as np

from gigsim.engine import blocks


class Timeline:
    """Sorted batches of ``(time, worker)`` entries."""

    def __init__(self) -> None:
        self._times: list[np.ndarray] = []
        self._workers: list[np.ndarray] = []
        self._start: list[int] = []  # entries before this are consumed
        self._next = np.inf  # the earliest time not yet handed out

    def __len__(self) -> int:
        return sum(len(t) - s for t, s in zip(self._times, self._start, strict=True))

    def push(self, times: np.ndarray, workers: np.ndarray) -> None:
        """Add entries; times that are infinite never come and are left out."""
        if len(times) <= blocks.SMALL_EVENT:  # sorted as scalars: the same batch
            entries = sorted((t, k) for k, t in enumerate(times.tolist()) if math.isfinite(t))
            if not entries:
                return
            self._times.append(np.array([t for t, _ in entries]))
            self._workers.append(workers[[k for _, k in entries]])
        else:
            finite = np.isfinite(times)
            if not finite.any():
                return
            times, workers = times[finite], workers[finite]
            order = np.argsort(times, kind="stable")
            self._times.append(times[order])
            self._workers.append(workers[order])
        self._start.append(0)
        self._next = min(self._next, float(self._times[-1][0]))
        # batches at least halve in size from the first: O(log n) batches, each entry merged
        # O(log n) times (merging all batches every few pushes re-sorts the whole timeline,
        # which a million workers' releases cannot afford)
        while len(self._times) >= 2 and self._left(-2) <= 2 * self._left(-1):
            self._merge_last_two()

    def _left(self, k: int) -> int:
        return len(self._times[k]) - self._start[k]

    def _merge_last_two(self) -> None:
        times = np.concatenate([t[s:] for t, s in zip(self._times[-2:], self._start[-2:],
                                                       strict=True)])
        workers = np.concatenate([w[s:] for w, s in zip(self._workers[-2:], self._start[-2:],
                                                         strict=True)])
        order = np.argsort(times, kind="stable")
        self._times[-2:], self._workers[-2:], self._start[-2:] = (
            [times[order]], [workers[order]], [0])

    def pop_due(self, now: float, inclusive: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """Remove and return the entries at or before ``now`` (before, if not inclusive)."""
        if now < self._next or (now == self._next and not inclusive):
            return np.empty(0), np.empty(0, dtype=np.int64)  # nothing due: no batch to read
        side: Literal["left", "right"] = "right" if inclusive else "left"
        times_out, workers_out = [], []
        for k, (times, workers) in enumerate(zip(self._times, self._workers, strict=True)):
            start = self._start[k]
            stop = int(np.searchsorted(times, now, side=side))
            if stop > start:
                times_out.append(times[start:stop])
                workers_out.append(workers[start:stop])
                self._start[k] = stop
        self._drop_spent()
        self._next = min((float(t[s]) for t, s in zip(self._times, self._start, strict=True)),
                         default=np.inf)
        if not times_out:
            return np.empty(0), np.empty(0, dtype=np.int64)
        return np.concatenate(times_out), np.concatenate(workers_out)

    def first_valid(self, valid: Callable[[np.ndarray, np.ndarray], np.ndarray],
                    chunk: int = 256) -> float:
        """The earliest time whose entry ``valid(times, workers)`` accepts (inf: none).

        Each batch is read from its start in chunks until an accepted entry is found.
        """
        best = np.inf
        for k, (times, workers) in enumerate(zip(self._times, self._workers, strict=True)):
            at = self._start[k]
            while at < len(times) and times[at] < best:
                ok = valid(times[at: at + chunk], workers[at: at + chunk])
                hit = np.flatnonzero(ok)
                if len(hit):
                    best = min(best, float(times[at + hit[0]]))
                    break
                at += chunk
        return best

    def _drop_spent(self) -> None:
        keep = [k for k, t in enumerate(self._times) if self._start[k] < len(t)]
        if len(keep) < len(self._times):
            self._times = [self._times[k] for k in keep]
            self._workers = [self._workers[k] for k in keep]
            self._start = [self._start[k] for k in keep]
