"""The built-in dispatch policies."""

from __future__ import annotations

import math

import numpy as np

from gigsim.dispatch.policy import Candidate, register_policy


@register_policy("longest-idle")
class LongestIdle:
    """First come, first served: the worker freed longest ago is matched first."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng

    def priority(self, worker: Candidate, now: float) -> float:
        """The time the worker was freed (or ``now`` for a worker still under notice)."""
        released = worker.released_at
        return now if math.isnan(released) else released


@register_policy("random")
class RandomOrder:
    """Every waiting worker is equally likely to be matched next."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng

    def priority(self, worker: Candidate, now: float) -> float:
        """A uniform random number drawn from the dispatch stream."""
        return float(self.rng.random())
