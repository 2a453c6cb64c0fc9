"""The first engine's dispatch-policy protocol (``priority``) and its built-in policies' registry.

Names are checked when a scenario is read (:mod:`gigsim.scenario.policies`); this module builds
the first engine's policy for a name and checks a user's policy's answers.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, Protocol, runtime_checkable

import numpy as np

from gigsim.scenario import policies as _scenario_policies
from gigsim.scenario.policies import PolicyAnswerError, PolicyError, option_names


class Candidate(Protocol):
    """What a policy may read about a worker that is waiting for a seat."""

    @property
    def id(self) -> int:
        """The worker's id, unique within a replication."""
        ...

    @property
    def skills(self) -> tuple[str, ...]:
        """The worker's skill tags."""
        ...

    @property
    def quality(self) -> float:
        """The worker's rating in [0, 1]."""
        ...

    @property
    def released_at(self) -> float:
        """When the worker was last freed or onboarded (NaN if working under notice)."""
        ...

    @property
    def earned_usd(self) -> float:
        """The worker's income from finished spells."""
        ...

    def recent_income_usd(self, window_h: float, now: float) -> float:
        """The worker's income over the ``window_h`` hours before ``now``."""
        ...


class OpenProject(Protocol):
    """What a policy may read about a project with open seats."""

    @property
    def id(self) -> int:
        """The project's id."""
        ...

    @property
    def requires(self) -> str:
        """The skill a worker needs for its seats."""
        ...

    @property
    def launch(self) -> float:
        """When it launched."""
        ...

    @property
    def pay_per_hour(self) -> float:
        """Its hourly rate."""
        ...

    @property
    def oldest_open(self) -> float:
        """When its longest-open seat opened."""
        ...


class Market(Protocol):
    """What a policy may read about the platform as a whole."""

    def holders(self, skill: str) -> int:
        """How many onboarded workers have ``skill``."""
        ...


@runtime_checkable
class DispatchPolicy(Protocol):
    """Decides which waiting worker gets the next open seat.

    The dispatcher keeps the workers waiting for seats of one skill in a queue ordered by
    ``priority``, computed once when a worker joins the queue: the lowest value is matched
    first, ties going to whoever joined first. A policy is built as ``Policy(rng, **options)``
    with the replication's dispatch random-number generator, which it may use for tie-breaks
    (it must use no other source of randomness), and the scenario's
    ``[dispatch.policy_options]``.

    Two more methods are optional: ``new_queue(skill)`` returns a custom queue
    (see :mod:`gigsim.dispatch.queues`) for orders that a fixed priority cannot express, and
    ``choose_project(worker, projects, market, now)`` picks which of several projects with open
    seats a newly matchable worker joins (by default the one whose oldest seat opened first).
    A class attribute ``reads_income = False`` says the policy never reads a worker's
    ``earned_usd`` or ``recent_income_usd``, which the simulation then does not keep up to date.
    """

    name: ClassVar[str]

    def priority(self, worker: Candidate, now: float) -> float | tuple[float, ...]:
        """The worker's place in the queue when it joins it at time ``now``."""
        ...


PolicyFactory = Callable[..., DispatchPolicy]

_REGISTRY: dict[str, PolicyFactory] = {}


def register_policy(name: str) -> Callable[[type], type]:
    """Class decorator: make a policy available to the first engine under ``name``."""

    def add(cls: type) -> type:
        cls.name = name  # type: ignore[attr-defined]
        _REGISTRY[name] = cls
        return cls

    return add


def get_policy(name: str) -> PolicyFactory:
    """The first engine's class for a built-in name, else the user's (``module:Class``)."""
    if name in _REGISTRY:
        return _REGISTRY[name]
    return _scenario_policies.get_policy(name)


def build_policy(name: str, rng: np.random.Generator,
                 options: Mapping[str, Any] | None = None) -> DispatchPolicy:
    """Build the named policy with ``options``; :class:`PolicyError` if that fails."""
    factory = get_policy(name)
    options = dict(options or {})
    known = option_names(factory)
    for key in options:
        if key not in known:
            raise PolicyError(f"policy {name!r} has no option {key!r}"
                              f" (options: {', '.join(known) or 'none'})")
    try:
        policy = factory(rng, **options)
    except (TypeError, ValueError) as error:
        raise PolicyError(f"policy {name!r}: {error}") from None
    if not callable(getattr(policy, "priority", None)):
        raise PolicyError(f"{name!r} does not implement the dispatch-policy protocol"
                          " (a priority(worker, now) method)")
    return policy


def is_builtin(policy: object) -> bool:
    """Whether ``policy`` is one of gigsim's own policies, whose answers need no checking."""
    return type(policy) in _REGISTRY.values() and type(policy).__module__.startswith("gigsim.")


def policy_label(policy: object) -> str:
    """How messages name a policy: its registered name, or ``module:Class``."""
    cls = type(policy)
    name = getattr(cls, "name", None)
    return name if isinstance(name, str) else f"{cls.__module__}:{cls.__qualname__}"


def checked_priority(policy: DispatchPolicy) -> Callable[[Any, float], Any]:
    """``policy.priority``, checked: every answer a finite number, or a tuple of them of one size.

    A NaN would sort arbitrarily in the queue, and a string or a tuple of another size would fail
    deep in a heap comparison; instead the first bad answer stops the run with a
    :class:`PolicyAnswerError` naming the policy, the worker and the time.
    """
    label = policy_label(policy)
    priority = policy.priority
    first_size: list[int] = []  # the size of the first answer: -1 for a number

    def check(worker: Any, now: float) -> Any:
        where = f"policy {label!r} gave worker {worker.id} (at {now:.1f} h) the priority"
        value = priority(worker, now)
        items = value if isinstance(value, tuple) else (value,)
        size = len(value) if isinstance(value, tuple) else -1
        for item in items:
            if isinstance(item, bool) or not isinstance(item, numbers.Real):
                raise PolicyAnswerError(f"{where} {value!r}: expected a number or a tuple of"
                                        " numbers")
            if not math.isfinite(item):
                raise PolicyAnswerError(f"{where} {value!r}: expected finite numbers (is"
                                        " something it reads NaN, such as released_at for a"
                                        " worker under notice?)")
        if not first_size:
            first_size.append(size)
        elif size != first_size[0]:
            expected = "a number" if first_size[0] < 0 else f"a tuple of {first_size[0]}"
            raise PolicyAnswerError(f"{where} {value!r}: expected {expected}, as its first"
                                    " answer was")
        return value

    return check


def checked_choice(policy: DispatchPolicy) -> Callable[..., Any]:
    """``policy.choose_project``, checked: the answer must be one of the projects offered."""
    label = policy_label(policy)
    choose = policy.choose_project  # type: ignore[attr-defined]

    def check(worker: Any, projects: Sequence[OpenProject], market: Any, now: float) -> Any:
        chosen = choose(worker, projects, market, now)
        if not any(chosen is project for project in projects):
            offered = ", ".join(str(p.id) for p in projects)
            raise PolicyAnswerError(f"policy {label!r} chose {chosen!r} for worker {worker.id}"
                                    f" (at {now:.1f} h): expected one of the projects offered"
                                    f" (ids {offered})")
        return chosen

    return check


def first_open(projects: Sequence[OpenProject]) -> OpenProject:
    """The default project choice: the one whose oldest open seat opened first."""
    return min(projects, key=lambda p: p.oldest_open)
