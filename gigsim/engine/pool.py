"""A skill's pool in the policy's order, kept between fills when keys do not change.

The built-in policies' keys are fixed while a worker waits (they read columns set when its
delay started, or when it joined the pool). For such a policy (``key_fixed = True``) the
engine need not rank the whole pool each time one seat reopens: :class:`RankedPool` keeps the
pool as a binary heap of ``(key..., ready time, id, entry)``, ranks the workers who joined it
since the last fill as one array at the next fill (the policy's keys, asked for once per pool
entry), and takes from the top of the heap. Taking ``k`` of a pool of ``n`` costs ``O(k log
n)`` whatever the pool's size, which keeps a seat that reopens as cheap as the one worker it
takes. An entry is valid while its worker is still in the pool on the same entry (``seeking``
and the same ``n_offers``); stale entries are dropped when they reach the top.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from typing import Any

import numpy as np

from gigsim.engine import blocks

# (workers, n_offers) -> bool: arrays, or one worker's scalars (the same expression)
Valid = Callable[[Any, Any], Any]

Entry = tuple[float | int, ...]  # (key..., ready time, worker, n_offers)


class RankedPool:
    """A skill's pool ranked by (key, ready time, id), lowest first."""

    def __init__(self) -> None:
        self.heap: list[Entry] = []
        self.new_workers: list[np.ndarray] = []
        self.new_offers: list[np.ndarray] = []

    def __len__(self) -> int:
        """Entries held, stale ones included (workers not yet ranked left out)."""
        return len(self.heap)

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
            self._rank_new(valid, ready, rank)
        heap = self.heap
        chosen: list[float | int] = []  # ids (ints)
        seen: set[float | int] = set()
        while len(chosen) < count and heap:
            batch = [heapq.heappop(heap) for _ in range(min(count - len(chosen), len(heap)))]
            ids = [entry[-2] for entry in batch]
            if len(batch) <= blocks.SMALL_EVENT:  # each entry checked as scalars
                oks = [bool(valid(entry[-2], entry[-1])) for entry in batch]
            else:
                oks = valid(np.array(ids, dtype=np.int64),
                            np.array([entry[-1] for entry in batch], dtype=np.int64)).tolist()
            for worker, ok in zip(ids, oks, strict=True):
                if ok and worker not in seen:  # a worker ranked twice on one entry counts once
                    seen.add(worker)
                    chosen.append(worker)
        return np.array(chosen, dtype=np.int64)

    def _rank_new(self, valid: Valid, ready: Callable[[np.ndarray], np.ndarray],
                  rank: Callable[[np.ndarray], np.ndarray]) -> None:
        workers = np.concatenate(self.new_workers)
        offers = np.concatenate(self.new_offers)
        self.new_workers, self.new_offers = [], []
        keep = valid(workers, offers)
        first: list[int] | np.ndarray
        if len(workers) <= blocks.SMALL_EVENT:  # np.unique's answer, as scalars
            firsts: dict[int, int] = {}
            for k, worker in enumerate(workers[keep].tolist()):
                firsts.setdefault(worker, k)
            ids = sorted(firsts)
            workers, first = np.array(ids, dtype=workers.dtype), [firsts[w] for w in ids]
        else:
            workers, first = np.unique(workers[keep], return_index=True)
        if not len(workers):
            return
        offers = offers[keep][first]
        keys = rank(workers)
        entries: list[Entry] = list(zip(*keys.T.tolist(), ready(workers).tolist(),
                                        workers.tolist(), offers.tolist(), strict=True))
        heap = self.heap
        if 8 * len(entries) >= len(heap):
            heap.extend(entries)
            heapq.heapify(heap)
        else:
            for entry in entries:
                heapq.heappush(heap, entry)
