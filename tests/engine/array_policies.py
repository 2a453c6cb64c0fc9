"""Policies for the engine's tests: one well-behaved, the others with bad answers, and one
written for the first engine (``priority`` and no ``key``)."""

from __future__ import annotations

from typing import Any

import numpy as np


class _Base:
    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng


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

    def priority(self, worker: Any, now: float) -> float:
        return 0.0


class FewestProjectsFirst(_Base):
    """The candidate whose worker holds the fewest projects first."""

    reads_income = False

    def key(self, candidates: Any, project: Any) -> np.ndarray:
        return candidates.projects_held.astype(float)


class MostProjectsFirst(_Base):
    """The candidate whose worker holds the most projects first."""

    reads_income = False

    def key(self, candidates: Any, project: Any) -> np.ndarray:
        return -candidates.projects_held.astype(float)
