"""Policies for the second engine's tests: one well-behaved, the others with bad answers.

Each also has a ``priority`` method, which scenario validation asks of every policy today
(:func:`gigsim.scenario.policies.get_policy`).
"""

from __future__ import annotations

from typing import Any

import numpy as np


class _Base:
    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng

    def priority(self, worker: Any, now: float) -> float:
        return 0.0


class HighestIdFirst(_Base):
    """The highest worker id first."""

    reads_income = False

    def key(self, candidates: Any, project: Any) -> np.ndarray:
        return -candidates.ids.astype(float)


class NaNKey(_Base):
    def key(self, candidates: Any, project: Any) -> np.ndarray:
        return np.full(len(candidates), np.nan)


class InfKey(_Base):
    def key(self, candidates: Any, project: Any) -> np.ndarray:
        return np.full(len(candidates), np.inf)


class ShortKey(_Base):
    def key(self, candidates: Any, project: Any) -> np.ndarray:
        return np.zeros(len(candidates) + 1)


class CubeKey(_Base):
    def key(self, candidates: Any, project: Any) -> np.ndarray:
        return np.zeros((len(candidates), 1, 1))


class ListKey(_Base):
    def key(self, candidates: Any, project: Any) -> list[float]:
        return [0.0] * len(candidates)


class TextKey(_Base):
    def key(self, candidates: Any, project: Any) -> np.ndarray:
        return np.array(["a"] * len(candidates))


class NoKey(_Base):
    """A policy for the first engine only."""
