"""Dispatch policies of a user's own, loaded by ``module:Class`` in the tests.

Not a test module: ``test_user_policy.py`` names these classes in scenarios, so that gigsim
imports this module itself, in the test process and in the processes that ``jobs=2`` spawns.
"""

from __future__ import annotations

import numpy as np

from gigsim.dispatch import Candidate


class HighestIdFirst:
    """The waiting worker with the highest id goes first; ties cannot happen (ids are unique)."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng  # the replication's "dispatch.policy" stream; unused here

    def priority(self, worker: Candidate, now: float) -> float:
        """Lower goes first: minus the worker's id."""
        return -float(worker.id)


class HighestIdFirstFrom:
    """Like :class:`HighestIdFirst`, with an option: only ids at or above ``floor`` are favoured."""

    def __init__(self, rng: np.random.Generator, floor: int = 0) -> None:
        self.rng = rng
        self.floor = int(floor)

    def priority(self, worker: Candidate, now: float) -> tuple[int, float]:
        """Favoured workers first, highest id first among them; then the others, oldest id first."""
        if worker.id >= self.floor:
            return (0, -float(worker.id))
        return (1, float(worker.id))


class NoPriority:
    """A class that does not implement the protocol: it has no ``priority`` method."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng

    def rank(self, worker: Candidate, now: float) -> float:
        return 0.0


NOT_A_CLASS = 42
