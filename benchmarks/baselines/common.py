"""The toy model's parameters, its projects, and what a baseline run reports."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

HOURS_PER_YEAR = 8766.0  # 365.25 days, as in gigsim


@dataclass(frozen=True)
class ToyParams:
    """Parameters of the toy model; the same for every baseline and for gigsim.

    Projects arrive at the rate that makes the offered load (seat-hours demanded per
    worker-hour) equal to ``load``: ``rate = load * workers / (seats * lifetime_mean_h)``.
    Keeping ``seats`` and ``load`` fixed, the number of projects grows with the number of
    workers, so every size has the same events per worker-year.
    """

    workers: int
    seats: int = 20
    lifetime_mean_h: float = 336.0  # two weeks
    load: float = 0.9
    horizon_h: float = HOURS_PER_YEAR
    hours_per_week: float = 20.0  # gigsim needs an availability; it does not affect utilisation
    task_h: float = 1.0  # the per-task baseline's task length
    seed: int = 20261126

    @property
    def arrivals_per_h(self) -> float:
        """Project launches per hour."""
        return self.load * self.workers / (self.seats * self.lifetime_mean_h)

    @property
    def worker_years(self) -> float:
        """Workers are there from start to end: workers × years."""
        return self.workers * self.horizon_h / HOURS_PER_YEAR


def draw_projects(params: ToyParams) -> tuple[list[float], list[float]]:
    """Launch times in [0, horizon) and lifetimes of the toy's projects, drawn as vectors."""
    rng = np.random.default_rng(params.seed)
    expected = params.arrivals_per_h * params.horizon_h
    gaps = rng.exponential(1.0 / params.arrivals_per_h, int(expected + 10 * expected**0.5) + 20)
    launches = np.cumsum(gaps)
    while launches[-1] < params.horizon_h:  # practically never: extend the same sequence
        more = rng.exponential(1.0 / params.arrivals_per_h, len(gaps))
        launches = np.concatenate([launches, launches[-1] + np.cumsum(more)])
    launches = launches[launches < params.horizon_h]
    lifetimes = rng.exponential(params.lifetime_mean_h, len(launches))
    return launches.tolist(), lifetimes.tolist()


@dataclass(frozen=True)
class ToyResult:
    """What one run of a toy model observed."""

    model: str
    workers: int
    horizon_h: float
    busy_h: float  # worker-hours on a project, summed over workers
    assignments: int  # seats taken
    events: int  # events handled: heap entries popped, or SimPy timeouts and wake-ups

    @property
    def worker_years(self) -> float:
        """Time on the platform summed over workers, in years."""
        return self.workers * self.horizon_h / HOURS_PER_YEAR

    @property
    def utilisation(self) -> float:
        """Share of worker-time spent on a project."""
        return self.busy_h / (self.workers * self.horizon_h)
