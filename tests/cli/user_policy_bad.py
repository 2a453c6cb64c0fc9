"""Dispatch policies whose answers the dispatcher cannot use, for ``test_policy_answers.py``.

Not a test module: the tests name these classes in scenarios as ``module:Class``.
"""

from __future__ import annotations

import math

import numpy as np

from gigsim.dispatch.policy import Candidate, OpenProject


class _Base:
    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng


class ReadsReleasedAt(_Base):
    """The issue's policy: ``released_at`` is NaN for a worker pooled while under notice."""

    def priority(self, worker: Candidate, now: float) -> float:
        """Longest idle first, by a field that is NaN for some workers."""
        return worker.released_at


class AlwaysNaN(_Base):
    """Every answer NaN."""

    def priority(self, worker: Candidate, now: float) -> float:
        """NaN."""
        return math.nan


class Infinite(_Base):
    """Every answer infinite."""

    def priority(self, worker: Candidate, now: float) -> float:
        """Minus infinity."""
        return -math.inf


class Text(_Base):
    """Answers with a string."""

    def priority(self, worker: Candidate, now: float) -> str:
        """A string, not a number."""
        return f"worker-{worker.id}"


class ChangingLength(_Base):
    """Answers with tuples of two sizes."""

    def priority(self, worker: Candidate, now: float) -> tuple[float, ...]:
        """(id,) for even ids, (id, now) for odd ones."""
        return (float(worker.id),) if worker.id % 2 == 0 else (float(worker.id), now)


class ChoosesNothing(_Base):
    """Returns None from choose_project (a worker with two skills is offered two projects)."""

    def priority(self, worker: Candidate, now: float) -> float:
        """Longest idle first."""
        return now

    def choose_project(self, worker: Candidate, projects: list[OpenProject], market: object,
                       now: float) -> OpenProject | None:
        """Nothing, which is not one of the projects offered."""
        return None


class Fine(_Base):
    """Finite numbers of one shape: passes the checks."""

    def priority(self, worker: Candidate, now: float) -> tuple[float, float]:
        """(now, id)."""
        return (now, float(worker.id))
