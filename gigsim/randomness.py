"""Random-number streams: one ``SeedSequence`` per replication, one named stream per use.

A stream's seed depends only on the scenario seed, the replication index and the stream's name,
so adding a worker group or changing the dispatch policy leaves every other stream unchanged
(common random numbers), and a replication gives the same numbers in whichever process runs it.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np


def replication_seed(seed: int, replication: int) -> np.random.SeedSequence:
    """The seed sequence of one replication."""
    return np.random.SeedSequence(entropy=seed, spawn_key=(replication,))


class Streams:
    """Named, independent generators derived from one replication's seed sequence."""

    def __init__(self, root: np.random.SeedSequence) -> None:
        self.root = root

    def get(self, name: str) -> np.random.Generator:
        """The generator for ``name``, e.g. ``"projects.rating"`` or ``"dispatch.delay"``."""
        child = np.random.SeedSequence(
            entropy=self.root.entropy,
            spawn_key=(*self.root.spawn_key, zlib.crc32(name.encode("utf-8"))),
        )
        return np.random.Generator(np.random.PCG64(child))


class Buffered:
    """Draws from a distribution in blocks, handing values out one at a time.

    Drawing one value from numpy costs about as much as drawing a hundred, so per-event samples
    (dispatch delays) come from a refilled block; the sequence of values is the same as drawing
    them one by one from the same stream in blocks, whatever asks for them. Call it, or take
    its bound ``next`` (``Buffered(...).next``) where every call counts.
    """

    def __init__(self, draw_block: Callable[[int], Any], block: int = 256) -> None:
        self._draw = draw_block
        self._block = block
        self.next: Callable[[], float] = self._values().__next__

    def _values(self) -> Iterator[float]:
        while True:
            yield from np.asarray(self._draw(self._block), dtype=float).tolist()

    def __call__(self) -> float:
        """The next value."""
        return self.next()


def poisson_times(rng: np.random.Generator, rate_per_h: float, until_h: float) -> np.ndarray:
    """Times of a Poisson process with rate ``rate_per_h`` on [0, until_h), from its gaps.

    The times are cumulative sums of exponential gaps drawn in order, so a longer horizon
    extends the same sequence instead of drawing a new one.
    """
    if rate_per_h <= 0 or until_h <= 0:
        return np.empty(0)
    block = int(rate_per_h * until_h * 1.1) + 16
    chunks = []
    last = 0.0
    while last < until_h:
        times = last + np.cumsum(rng.exponential(1.0 / rate_per_h, block))
        chunks.append(times)
        last = float(times[-1])
    times = np.concatenate(chunks)
    return times[times < until_h]
