"""A skill's pool in the policy's order, kept between fills when keys do not change.

The built-in policies' keys are fixed while a worker waits (they read columns set when its
delay started, or when it joined the pool). For such a policy (``key_fixed = True``) the
engine need not rank the whole pool each time one seat reopens: :class:`RankedPool` keeps the
pool as sorted *runs* of ``(key, ready time, id)`` — the pool as first ranked, then the
workers who joined it since, ranked in a run of their own at the next fill — and takes the
first valid entries of every run. An entry is valid while its worker is still in the pool on
the same entry (``seeking`` and the same ``n_offers``); stale entries are skipped and dropped.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from gigsim.engine.policies import first_ranked

Valid = Callable[[np.ndarray, np.ndarray], np.ndarray]  # (workers, n_offers) -> bool


class Run:
    """Pool entries sorted by (key, ready time, id)."""

    def __init__(self, workers: np.ndarray, offers: np.ndarray, ready: np.ndarray,
                 keys: np.ndarray) -> None:
        order = first_ranked(keys, (ready, workers.astype(float)), len(workers))
        self.workers, self.offers = workers[order], offers[order]
        self.ready, self.keys = ready[order], keys[order]
        self.start = 0

    def __len__(self) -> int:
        return len(self.workers) - self.start

    def head(self, count: int, valid: Valid) -> np.ndarray:
        """Positions of the first ``count`` valid entries (fewer if the run has fewer)."""
        found: list[np.ndarray] = []
        have = 0
        at = self.start
        window = max(2 * count, 64)
        while have < count and at < len(self.workers):
            ok = np.flatnonzero(valid(self.workers[at: at + window],
                                      self.offers[at: at + window])) + at
            if not found and len(ok):
                self.start = int(ok[0])  # everything before the first valid entry is stale
            elif not found:
                self.start = min(at + window, len(self.workers))
            found.append(ok)
            have += len(ok)
            at += window
        return np.concatenate(found)[:count] if found else np.empty(0, dtype=np.int64)


class RankedPool:
    """One skill's pool as sorted runs; new entries wait unranked until the next fill."""

    def __init__(self) -> None:
        self.runs: list[Run] = []
        self.new_workers: list[np.ndarray] = []
        self.new_offers: list[np.ndarray] = []

    def add(self, workers: np.ndarray, offers: np.ndarray) -> None:
        """Workers who joined the pool (ranked at the next fill)."""
        if len(workers):
            self.new_workers.append(workers)
            self.new_offers.append(offers)

    def take(self, count: int, valid: Valid, ready: Callable[[np.ndarray], np.ndarray],
             rank: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
        """The ``count`` first valid workers (fewer if the pool has fewer), in order.

        ``ready`` gives workers' ready times; ``rank`` their keys (the policy's answer,
        checked), for the new entries only.
        """
        if self.new_workers:
            workers = np.concatenate(self.new_workers)
            offers = np.concatenate(self.new_offers)
            self.new_workers, self.new_offers = [], []
            keep = valid(workers, offers)
            workers, offers = workers[keep], offers[keep]
            workers, first = np.unique(workers, return_index=True)
            offers = offers[first]
            if len(workers):
                self.runs.append(Run(workers, offers, ready(workers), rank(workers)))
            # runs at least halve in size from the first: O(log n) runs, each entry merged
            # O(log n) times
            while len(self.runs) >= 2 and len(self.runs[-2]) <= 2 * len(self.runs[-1]):
                self._merge_last_two(valid)
        heads = [(run, run.head(count, valid)) for run in self.runs]
        heads = [(run, at) for run, at in heads if len(at)]
        self.runs = [run for run in self.runs if len(run)]
        if not heads:
            return np.empty(0, dtype=np.int64)
        if len(heads) == 1:
            run, at = heads[0]
            return run.workers[at]
        keys = np.concatenate([run.keys[at] for run, at in heads])
        ready_at = np.concatenate([run.ready[at] for run, at in heads])
        workers = np.concatenate([run.workers[at] for run, at in heads])
        order = first_ranked(keys, (ready_at, workers.astype(float)), len(workers))
        ranked = workers[order]
        _, first = np.unique(ranked, return_index=True)  # a worker in two runs counts once
        return ranked[np.sort(first)][:count]

    def _merge_last_two(self, valid: Valid) -> None:
        last = self.runs[-2:]
        parts = [(run.workers[run.start:], run.offers[run.start:], run.ready[run.start:],
                  run.keys[run.start:]) for run in last]
        workers, offers, ready, keys = (np.concatenate(column) for column in zip(*parts,
                                                                                  strict=True))
        keep = valid(workers, offers)
        self.runs[-2:] = [Run(workers[keep], offers[keep], ready[keep], keys[keep])]
