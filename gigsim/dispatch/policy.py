"""The dispatch-policy protocol and the registry that maps scenario names to policies."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar, Protocol

import numpy as np


class Candidate(Protocol):
    """What a policy may read about a worker waiting in the pool."""

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
        """The worker's income so far."""
        ...


class DispatchPolicy(Protocol):
    """Decides which waiting worker gets the next open seat.

    The dispatcher keeps waiting workers ordered by ``priority``, computed once when a worker
    enters the pool: the lowest value is matched first, ties going to whoever entered first.
    A policy is built with the replication's dispatch random-number generator, which it may use
    for tie-breaks; it must not use any other source of randomness.
    """

    name: ClassVar[str]

    def priority(self, worker: Candidate, now: float) -> float:
        """The worker's place in the queue when it enters the pool at time ``now``."""
        ...


PolicyFactory = Callable[[np.random.Generator], DispatchPolicy]

_REGISTRY: dict[str, PolicyFactory] = {}


def register_policy(name: str) -> Callable[[type], type]:
    """Class decorator: make a policy available to scenario files under ``name``."""

    def add(cls: type) -> type:
        cls.name = name  # type: ignore[attr-defined]
        _REGISTRY[name] = cls
        return cls

    return add


def policy_names() -> tuple[str, ...]:
    """The names scenario files may use, in registration order."""
    return tuple(_REGISTRY)


def get_policy(name: str) -> PolicyFactory:
    """The factory registered under ``name``; ``KeyError`` with the known names otherwise."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown policy {name!r} (known: {', '.join(_REGISTRY)})") from None
