"""Dispatch policies whose answers the engine cannot use, for ``test_policy_answers.py``.

Not a test module: the tests name these classes in scenarios as ``module:Class``.
"""

from __future__ import annotations

from typing import Any

import numpy as np


class _Base:
    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng


class AlwaysNaN(_Base):
    """Every key NaN."""

    def key(self, candidates: Any, project: Any) -> np.ndarray:
        """NaN for everyone."""
        return np.full(len(candidates), np.nan)


class Infinite(_Base):
    """Every key infinite."""

    def key(self, candidates: Any, project: Any) -> np.ndarray:
        """Minus infinity for everyone."""
        return np.full(len(candidates), -np.inf)


class Text(_Base):
    """Answers with strings."""

    def key(self, candidates: Any, project: Any) -> np.ndarray:
        """One string per candidate, not a number."""
        return np.array([f"worker-{i}" for i in candidates.ids])


class OneShort(_Base):
    """One key fewer than there are candidates."""

    def key(self, candidates: Any, project: Any) -> np.ndarray:
        """The idle times of all candidates but the last."""
        return np.asarray(candidates.idle_since)[:-1]


class NoProjectKey(_Base):
    """Ranks candidates well, but answers the choice among projects with a list of nothing."""

    def key(self, candidates: Any, project: Any) -> np.ndarray:
        """Longest idle first."""
        return np.asarray(candidates.idle_since)

    def project_key(self, projects: Any, worker: Any) -> np.ndarray:
        """An empty array, where one key per open project is expected."""
        return np.zeros(0)


class Fine(_Base):
    """Finite numbers, one row per candidate: passes the checks."""

    def key(self, candidates: Any, project: Any) -> np.ndarray:
        """(idle since, id)."""
        return np.column_stack((candidates.idle_since, candidates.ids))
