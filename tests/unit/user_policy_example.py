"""Dispatch policies of a user's own, loaded by ``module:Class`` in the tests.

Not a test module: ``test_user_policy.py`` names these classes in scenarios, so that gigsim
imports this module itself, in the test process and in the processes that ``jobs=2`` spawns.
"""

from __future__ import annotations

from typing import Any

import numpy as np


class HighestIdFirst:
    """The waiting worker with the highest id goes first; ties cannot happen (ids are unique)."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng  # the replication's "dispatch.policy" stream; unused here

    def key(self, candidates: Any, project: Any) -> np.ndarray:
        """Lower goes first: minus each candidate's id."""
        return -candidates.ids.astype(float)


class HighestIdFirstFrom:
    """Like :class:`HighestIdFirst`, with an option: only ids at or above ``floor`` are favoured."""

    def __init__(self, rng: np.random.Generator, floor: int = 0) -> None:
        self.rng = rng
        self.floor = int(floor)

    def key(self, candidates: Any, project: Any) -> np.ndarray:
        """Favoured workers first, highest id first among them; then the others, oldest id first."""
        ids = candidates.ids.astype(float)
        favoured = ids >= self.floor
        return np.column_stack((~favoured, np.where(favoured, -ids, ids)))


class OnlyPriority:
    """A policy written for the first engine: ``priority`` and no ``key`` (to be migrated)."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng

    def priority(self, worker: Any, now: float) -> float:
        return -float(worker.id)


class NoKey:
    """A class that does not implement the interface: it has no ``key`` method."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng

    def rank(self, worker: Any, now: float) -> float:
        return 0.0


NOT_A_CLASS = 42
