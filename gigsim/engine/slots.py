"""Random draws by slot: a worker's ``j``-th draw of a kind does not depend on who else drew.

The ``j``-th draws of every worker come from one block, drawn for all workers at once from the
stream ``<name>.<j>`` (:class:`~gigsim.randomness.Streams`) the first time any worker needs a
``j``-th draw. Worker ``i`` takes entry ``i`` of the block. Which workers draw, and in which
order events happen, therefore changes no one's values: a policy change that reorders releases
leaves every worker's sequence of delays as it was (docs/model.md §8).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from gigsim.randomness import Streams

Sampler = Callable[[np.random.Generator, int], np.ndarray]


class SlotDraws:
    """Per-worker sequences of draws, the ``j``-th of every worker drawn as one block."""

    def __init__(self, streams: Streams, name: str, sample: Sampler, n_workers: int,
                 constant: float | None = None) -> None:
        self.streams = streams
        self.name = name
        self.sample = sample
        self.n_workers = n_workers
        self.constant = constant  # a constant distribution draws nothing
        self._blocks: list[np.ndarray] = []

    def block(self, j: int) -> np.ndarray:
        """The ``j``-th draw of every worker (drawn the first time it is asked for)."""
        while len(self._blocks) <= j:
            rng = self.streams.get(f"{self.name}.{len(self._blocks)}")
            self._blocks.append(np.asarray(self.sample(rng, self.n_workers), dtype=float))
        return self._blocks[j]

    def one(self, worker: int, count: int) -> float:
        """Worker ``worker``'s draw number ``count`` (:meth:`take` for one worker)."""
        if self.constant is not None:
            return self.constant
        value: float = self.block(count).item(worker)
        return value

    def take(self, workers: np.ndarray, counts: np.ndarray) -> np.ndarray:
        """Worker ``workers[k]``'s draw number ``counts[k]``, for every ``k``."""
        if self.constant is not None:
            return np.full(len(workers), self.constant)
        if len(counts) and counts.min() == counts.max():  # the common case: one slot
            return self.block(int(counts[0]))[workers]
        out = np.empty(len(workers))
        for j in np.unique(counts).tolist():
            which = counts == j
            out[which] = self.block(int(j))[workers[which]]
        return out
