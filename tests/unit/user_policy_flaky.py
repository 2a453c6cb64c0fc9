"""A policy that fails in some replications and not others (``test_runner.py`` checks that a
failure in a worker process reaches the caller). Its first draw decides, so which replications
fail depends only on the seed."""

from __future__ import annotations

from typing import Any

import numpy as np


class FailsInSomeReplications:
    """Longest idle first, unless this replication's first draw is below ``share``."""

    reads_income = False

    def __init__(self, rng: np.random.Generator, share: float = 0.5) -> None:
        self.fails = float(rng.random()) < share

    def key(self, candidates: Any, project: Any) -> np.ndarray:
        if self.fails:
            raise RuntimeError("this replication fails on purpose")
        return np.asarray(candidates.idle_since)
