"""The built-in dispatch policies, each favouring a different kind of worker."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from gigsim.dispatch.policy import Candidate, Market, OpenProject, first_open, register_policy
from gigsim.dispatch.queues import ClassedQueue, WorkerQueue, idle_since
from gigsim.scenario.units import parse_duration
from gigsim.worker import Worker


@register_policy("longest-idle")
class LongestIdle:
    """First come, first served: the worker freed longest ago is matched first."""

    reads_income = False  # the simulation need not keep workers' income for it

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng

    def priority(self, worker: Candidate, now: float) -> float:
        """The time the worker was freed (or ``now`` for a worker still under notice)."""
        return idle_since(worker, now)  # type: ignore[arg-type]


@register_policy("random")
class RandomOrder:
    """Every waiting worker is equally likely to be matched next."""

    reads_income = False  # the simulation need not keep workers' income for it

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng

    def priority(self, worker: Candidate, now: float) -> float:
        """A uniform random number drawn from the dispatch stream."""
        return float(self.rng.random())


@register_policy("best-rated")
class BestRated:
    """The highest-rated worker first (quality score); ties go to the longest idle."""

    reads_income = False  # the simulation need not keep workers' income for it

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng

    def priority(self, worker: Candidate, now: float) -> tuple[float, float]:
        """Minus the quality score, then the time the worker was freed."""
        return (-worker.quality, idle_since(worker, now))  # type: ignore[arg-type]


@register_policy("least-earned")
class LeastEarned:
    """Fair share: the worker who earned least over a trailing window goes first.

    Income is measured over ``window`` (default four weeks) before the worker joins the queue,
    the current assignment of a worker pooled during a notice included. The key is fixed then:
    income that later slides out of the window does not move a waiting worker up.
    """

    def __init__(self, rng: np.random.Generator, window: str = "4w") -> None:
        self.rng = rng
        self.window_h = parse_duration(window)
        if self.window_h <= 0:
            raise ValueError(f"window must be a positive duration, got {window!r}")

    def priority(self, worker: Candidate, now: float) -> tuple[float, float]:
        """Income over the trailing window, then the time the worker was freed."""
        return (worker.recent_income_usd(self.window_h, now),
                idle_since(worker, now))  # type: ignore[arg-type]


@register_policy("skill-aware")
class SkillAware:
    """Keeps specialists for specialist work.

    A seat goes to the qualified worker with the fewest skills (a generalist before a
    specialist who could also take it), longest idle first. A worker with more skills who has
    been idle longer than ``threshold`` (default two weeks) is no longer held back: it competes
    by idle time, so the longest idle of such workers goes first unless the fewest-skilled
    worker waiting has been idle even longer. A worker with several skills who becomes free
    joins the open project whose skill the fewest onboarded workers have.
    """

    reads_income = False  # the simulation need not keep workers' income for it

    def __init__(self, rng: np.random.Generator, threshold: str = "2w") -> None:
        self.rng = rng
        self.threshold_h = parse_duration(threshold)

    def priority(self, worker: Candidate, now: float) -> tuple[int, float]:
        """The number of skills, then the time the worker was freed."""
        return (len(worker.skills), idle_since(worker, now))  # type: ignore[arg-type]

    def new_queue(self, skill: str) -> WorkerQueue:
        """Workers classed by their number of skills; long-idle specialists overtake."""
        return ClassedQueue(_skill_count, self.threshold_h)

    def choose_project(self, worker: Candidate, projects: Sequence[OpenProject],
                       market: Market, now: float) -> OpenProject:
        """The project needing the rarest skill; the longest-open among equals."""
        return min(projects, key=lambda p: (market.holders(p.requires), p.oldest_open))


def _skill_count(worker: Worker) -> int:
    return len(worker.skills)


__all__ = ["BestRated", "LeastEarned", "LongestIdle", "RandomOrder", "SkillAware", "first_open"]
