"""The dispatch-policy protocol, and the registry that maps scenario names to policies.

A policy is named in a scenario by a registered name (``"longest-idle"``), by ``module:Class``
for a class of the user's own, or by the name of an entry point in the group
``gigsim.policies`` that another package publishes.
"""

from __future__ import annotations

import importlib
import inspect
import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from importlib.metadata import entry_points
from typing import Any, ClassVar, Protocol, runtime_checkable

import numpy as np

from gigsim.errors import GigsimError

ENTRY_POINT_GROUP = "gigsim.policies"


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


class PolicyError(ValueError):
    """A policy name or its options cannot be used."""


_REGISTRY: dict[str, PolicyFactory] = {}


def register_policy(name: str) -> Callable[[type], type]:
    """Class decorator: make a policy available to scenario files under ``name``."""

    def add(cls: type) -> type:
        cls.name = name  # type: ignore[attr-defined]
        _REGISTRY[name] = cls
        return cls

    return add


def _entry_points() -> dict[str, Any]:
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def policy_names() -> tuple[str, ...]:
    """The names scenario files may use: built-in ones, then those other packages publish."""
    return tuple(_REGISTRY) + tuple(n for n in _entry_points() if n not in _REGISTRY)


def get_policy(name: str) -> PolicyFactory:
    """The policy class (or factory) that ``name`` refers to.

    Raises :class:`PolicyError` naming the policy, with the known names, when it cannot be
    found, imported, or does not implement :class:`DispatchPolicy`.
    """
    if name in _REGISTRY:
        return _REGISTRY[name]
    if ":" in name:
        module_name, _, attribute = name.partition(":")
        try:
            module = importlib.import_module(module_name)
        except Exception as error:  # not found, or fails as it runs: one line, not a traceback
            raise PolicyError(f"cannot import module {module_name!r} for policy {name!r}"
                              f" ({error})") from None
        factory = getattr(module, attribute, None)
        if factory is None:
            raise PolicyError(f"module {module_name!r} has no {attribute!r} (policy {name!r})")
        return _checked(name, factory)
    published = _entry_points()
    if name in published:
        try:
            factory = published[name].load()
        except Exception as error:  # a broken plug-in must not crash validation
            raise PolicyError(f"cannot load policy {name!r} from its entry point ({error})"
                              ) from None
        return _checked(name, factory)
    raise PolicyError(f"unknown policy {name!r} (known: {', '.join(policy_names())};"
                      " or name your own class as module:Class)")


def _checked(name: str, factory: Any) -> PolicyFactory:
    if not callable(factory) or not callable(getattr(factory, "priority", None)):
        raise PolicyError(f"{name!r} does not implement the dispatch-policy protocol"
                          " (a class with a priority(worker, now) method)")
    return factory


def option_names(factory: PolicyFactory) -> tuple[str, ...]:
    """The options a policy accepts (its keyword parameters after ``rng``)."""
    try:
        parameters = list(inspect.signature(factory).parameters.values())
    except (TypeError, ValueError):
        return ()
    return tuple(p.name for p in parameters[1:]
                 if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY))


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


class PolicyAnswerError(GigsimError):
    """A policy answered with something the dispatcher cannot use (NaN, a string, ...)."""


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
