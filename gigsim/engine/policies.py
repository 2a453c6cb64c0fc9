"""Dispatch policies: they rank arrays of candidates.

A policy is a class built as ``Policy(rng, **options)`` (``rng``: the replication's
``dispatch.policy`` stream, ``options``: ``[dispatch.policy_options]``) with

- ``key(candidates, project) -> ndarray``: one row per candidate (shape ``(n,)``, or ``(n, k)``
  for keys compared column by column), **lowest first**; ties go to the worker who became
  ready first, then the lower id. Called whenever seats of ``project`` are filled from the pool.
- optionally ``project_key(projects, worker) -> ndarray``: one value (or row) per open
  project, lowest first, for a worker who is offered while two or more of its skills have an
  open project (rule 1, docs/model.md §6). Without it: the longest-open project.
- optionally ``reads_income = False``: it never reads income, so the engine need not keep it.
- optionally ``key_fixed = True``: a candidate's key does not change while it waits in the
  pool (nor with the project), so the engine may keep the pool ranked between fills
  (:mod:`gigsim.engine.pool`) and ask only for the keys of workers new to the pool.

The engine checks every answer: an array of real numbers, one row per candidate (or
project), finite. Anything else stops the run with one line naming the policy and the project.
Names resolve through the scenario (:func:`gigsim.scenario.policies.get_policy`): the built-ins
below, ``module:Class``, or an entry point in the group ``gigsim.policies``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Protocol

import numpy as np

from gigsim.errors import GigsimError
from gigsim.scenario.dispatch import DispatchSettings
from gigsim.scenario.policies import PolicyAnswerError, PolicyError, get_policy
from gigsim.scenario.units import parse_duration


class Candidates:
    """The workers a policy ranks: read-only arrays with one entry per candidate.

    ``ids`` are worker ids (row indices of the workforce), increasing. Columns are read from the
    workforce when first asked for.
    """

    def __init__(self, ids: np.ndarray, now: float, columns: Callable[[str, np.ndarray], Any],
                 skill: str | None = None) -> None:
        self.ids = ids
        self.now = now
        self.skill = skill  # the pool's skill (None when one worker is offered)
        self._columns = columns

    def __len__(self) -> int:
        return len(self.ids)

    def _column(self, name: str) -> np.ndarray:
        values: np.ndarray = self._columns(name, self.ids)
        values.setflags(write=False)
        return values

    @cached_property
    def quality(self) -> np.ndarray:
        """Rating in [0, 1]."""
        return self._column("quality")

    @cached_property
    def n_skills(self) -> np.ndarray:
        """How many skills each candidate has."""
        return self._column("n_skills")

    @cached_property
    def idle_since(self) -> np.ndarray:
        """The time of the last release, or of joining the pool for a worker under notice."""
        return self._column("idle_since")

    @cached_property
    def ready_at(self) -> np.ndarray:
        """When each candidate's dispatch delay ended (entered the pool)."""
        return self._column("ready_at")

    @cached_property
    def earned_usd(self) -> np.ndarray:
        """Income from spells closed so far (the worker's, over all its projects)."""
        return self._column("earned_usd")

    @cached_property
    def worker(self) -> np.ndarray:
        """The worker each candidate is a slot of (its id in the tables).

        ``ids`` are rows, one per slot; they equal these for workers who hold one project at
        most.
        """
        return self._column("worker")

    @cached_property
    def projects_held(self) -> np.ndarray:
        """How many projects each candidate's worker holds now."""
        return self._column("projects_held")

    @cached_property
    def lottery(self) -> np.ndarray:
        """A Uniform(0, 1) per candidate, drawn by slot: one per pool entry and skill."""
        return self._column(f"lottery:{self.skill}")

    def recent_income_usd(self, window_h: float) -> np.ndarray:
        """Income over the ``window_h`` hours before each candidate joined the pool.

        The current assignment counts, for a candidate pooled while still on a project under
        notice (as the first engine's key, fixed at pool entry).
        """
        income: np.ndarray = self._columns(f"recent_income:{window_h!r}", self.ids)
        return income


@dataclass(frozen=True)
class ProjectView:
    """The project whose seats are being filled."""

    id: int
    requires: str
    launch: float
    pay_per_hour: float
    oldest_open: float


@dataclass(frozen=True)
class OpenProjects:
    """Projects an offered worker may join (the first open project of each of its skills)."""

    ids: np.ndarray
    requires: tuple[str, ...]
    launch: np.ndarray
    pay_per_hour: np.ndarray
    oldest_open: np.ndarray
    holders: np.ndarray  # onboarded workers on the platform with the required skill

    def __len__(self) -> int:
        return len(self.ids)


class ArrayPolicy(Protocol):
    """What the engine needs of a dispatch policy."""

    def key(self, candidates: Candidates, project: ProjectView) -> np.ndarray:
        """One key per candidate, lowest first."""
        ...


# --- the built-ins ----------------------------------------------------------------------------


class _Builtin:
    """What the built-ins share: the ``rng`` they are built with.

    By default they read no income and their keys are fixed while a worker waits.
    """

    reads_income = False
    key_fixed = True

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng


class LongestIdle(_Builtin):
    """First come, first served: the worker freed longest ago is matched first."""

    def key(self, candidates: Candidates, project: ProjectView) -> np.ndarray:
        """The time each worker was freed."""
        return candidates.idle_since


class RandomOrder(_Builtin):
    """Every waiting worker is equally likely to be matched next."""

    def key(self, candidates: Candidates, project: ProjectView) -> np.ndarray:
        """Each worker's lottery draw for this pool entry."""
        return candidates.lottery


class BestRated(_Builtin):
    """The highest-rated worker first; ties go to the longest idle."""

    def key(self, candidates: Candidates, project: ProjectView) -> np.ndarray:
        """Minus the quality, then the time freed."""
        return np.column_stack((-candidates.quality, candidates.idle_since))


class LeastEarned(_Builtin):
    """Fair share: the worker who earned least over a trailing window goes first."""

    reads_income = True

    def __init__(self, rng: np.random.Generator, window: str = "4w") -> None:
        super().__init__(rng)
        self.window_h = parse_duration(window)
        if self.window_h <= 0:
            raise ValueError(f"window must be a positive duration, got {window!r}")

    def key(self, candidates: Candidates, project: ProjectView) -> np.ndarray:
        """Income over the window before joining the pool, then the time freed."""
        return np.column_stack((candidates.recent_income_usd(self.window_h),
                                candidates.idle_since))


class SkillAware(_Builtin):
    """Keeps specialists for specialist work (docs/model.md §7, ``skill-aware``).

    The fewest-skilled candidates go first, longest idle first, except that a candidate with
    more skills idle for longer than ``threshold`` competes with them by idle time.
    """

    key_fixed = False  # a candidate idle past the threshold changes class while waiting

    def __init__(self, rng: np.random.Generator, threshold: str = "2w") -> None:
        super().__init__(rng)
        self.threshold_h = parse_duration(threshold)

    def key(self, candidates: Candidates, project: ProjectView) -> np.ndarray:
        """The class each candidate competes in, then the time freed."""
        classes = candidates.n_skills
        since = candidates.idle_since
        lowest = classes.min() if len(classes) else 0
        overtakes = (candidates.now - since) > self.threshold_h
        return np.column_stack((np.where(overtakes, lowest, classes), since))

    def project_key(self, projects: OpenProjects, worker: Candidates) -> np.ndarray:
        """The rarest skill first, then the longest-open project."""
        return np.column_stack((projects.holders, projects.oldest_open))


BUILTIN: dict[str, type] = {
    "longest-idle": LongestIdle,
    "random": RandomOrder,
    "best-rated": BestRated,
    "least-earned": LeastEarned,
    "skill-aware": SkillAware,
}


def build_array_policy(settings: DispatchSettings, rng: np.random.Generator) -> Any:
    """The policy the scenario names, built for this replication.

    The name and options were checked when the scenario was read
    (:func:`gigsim.scenario.policies.check_policy`, which :func:`get_policy` shares).
    """
    name = settings.policy
    factory: Any = BUILTIN.get(name) or get_policy(name)
    try:
        return factory(rng, **dict(settings.policy_options))
    except (TypeError, ValueError) as error:
        raise GigsimError(f"dispatch.policy_options: policy {name!r}: {error}") from None


def checked_key(policy: str, project: int, answer: object, n: int, what: str = "key"
                ) -> np.ndarray:
    """A policy's answer as an ``(n, k)`` float array, or one line saying what is wrong.

    Every answer of a policy of the user's own passes here: a bad one raises
    :class:`PolicyAnswerError`.
    """
    where = f"policy {policy!r}, {what}() for project {project}"
    if not isinstance(answer, np.ndarray) or answer.dtype.kind not in "biuf":
        kind = (f"an array of {answer.dtype}" if isinstance(answer, np.ndarray)
                else type(answer).__name__)
        raise PolicyAnswerError(f"{where}: returned {kind}, expected a numpy array of numbers")
    if answer.ndim == 1:
        answer = answer[:, None]
    if answer.ndim != 2 or answer.shape[1] == 0:
        raise PolicyAnswerError(f"{where}: returned shape {answer.shape}, expected ({n},) or"
                                f" ({n}, k)")
    if answer.shape[0] != n:
        raise PolicyAnswerError(f"{where}: returned {answer.shape[0]} rows for {n}")
    answer = answer.astype(float, copy=False)
    if not np.isfinite(answer).all():
        raise PolicyAnswerError(f"{where}: returned NaN or infinity")
    return answer


def first_ranked(keys: np.ndarray, tie_breaks: tuple[np.ndarray, ...], count: int
                 ) -> np.ndarray:
    """Positions of the ``count`` lowest rows of ``keys`` (then ``tie_breaks``), in order."""
    n = len(keys)
    columns = (*reversed(tie_breaks), *(keys[:, j] for j in reversed(range(keys.shape[1]))))
    if count >= n or count * 8 > n:
        return np.lexsort(columns)[:count]
    # a few of many: keep the rows whose first key is within the ``count`` lowest, then sort
    bound = np.partition(keys[:, 0], count - 1)[count - 1]
    near = np.flatnonzero(keys[:, 0] <= bound)
    return near[np.lexsort(tuple(c[near] for c in columns))][:count]


__all__ = ["BUILTIN", "ArrayPolicy", "BestRated", "Candidates", "LeastEarned", "LongestIdle",
           "OpenProjects", "PolicyError", "ProjectView", "RandomOrder", "SkillAware",
           "build_array_policy", "checked_key", "first_ranked"]
