"""Dispatch policies as a scenario names them: built-in names, ``module:Class``, plug-ins.

A scenario's ``dispatch.policy`` is one of the built-in names (:data:`BUILTIN_POLICIES`), a
class of the user's own given as ``module:Class``, or the name of an entry point in the group
``gigsim.policies`` that another package publishes. This module checks the name and the
``[dispatch.policy_options]`` when the scenario is read, so that a bad one fails there, naming
the file; the engine builds the policy for each replication (:mod:`gigsim.engine.policies`,
which also describes the interface: ``key(candidates, project)``, lowest first).
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Mapping
from importlib.metadata import entry_points
from typing import Any

import numpy as np

from gigsim.errors import GigsimError
from gigsim.scenario.units import parse_duration

ENTRY_POINT_GROUP = "gigsim.policies"

PolicyFactory = Callable[..., Any]

# What a policy written for the first engine (a ``priority`` method and no ``key``) is told.
MIGRATION = ("{name!r} has priority(worker, now), the interface of gigsim's first engine;"
             " the engine now asks key(candidates, project) for an array of keys, one per"
             " candidate, lowest first (README, \"Writing a dispatch policy\")")


class PolicyError(ValueError):
    """A policy name or its options cannot be used."""


class PolicyAnswerError(GigsimError):
    """A policy answered with something the engine cannot use (NaN, a wrong shape, ...)."""


def _duration(key: str, value: object) -> None:
    try:
        parse_duration(value)
    except ValueError as error:
        raise ValueError(f"{key}: {error}") from None


def _positive_duration(key: str, value: object) -> None:
    _duration(key, value)
    if parse_duration(value) <= 0:
        raise ValueError(f"{key} must be a positive duration, got {value!r}")


# The built-in policies (docs/model.md §7), each with its options and how an option's value is
# checked. The engine implements them under the same names.
BUILTIN_POLICIES: Mapping[str, Mapping[str, Callable[[str, object], None]]] = {
    "longest-idle": {},
    "random": {},
    "best-rated": {},
    "least-earned": {"window": _positive_duration},
    "skill-aware": {"threshold": _duration},
}


def _entry_points() -> dict[str, Any]:
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def policy_names() -> tuple[str, ...]:
    """The names scenario files may use: built-in ones, then those other packages publish."""
    return tuple(BUILTIN_POLICIES) + tuple(n for n in _entry_points()
                                           if n not in BUILTIN_POLICIES)


def get_policy(name: str) -> PolicyFactory:
    """The class (or factory) a policy of the user's own or another package's refers to.

    ``name`` is ``module:Class`` or an entry point's name; built-in names are the engine's to
    build, and are refused here. Raises :class:`PolicyError` naming the policy, with the known
    names, when it cannot be found, imported, or does not implement the interface.
    """
    if name in BUILTIN_POLICIES:
        raise PolicyError(f"{name!r} is a built-in policy, which the engine builds")
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
    if callable(factory) and callable(getattr(factory, "key", None)):
        return factory
    if callable(factory) and callable(getattr(factory, "priority", None)):
        raise PolicyError(MIGRATION.format(name=name))
    raise PolicyError(f"{name!r} does not implement the dispatch-policy interface"
                      " (a class with a key(candidates, project) method)")


def option_names(factory: PolicyFactory) -> tuple[str, ...]:
    """The options a policy class accepts (its keyword parameters after ``rng``)."""
    try:
        parameters = list(inspect.signature(factory).parameters.values())
    except (TypeError, ValueError):
        return ()
    return tuple(p.name for p in parameters[1:]
                 if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY))


def check_policy(name: str, options: Mapping[str, Any],
                 factory: PolicyFactory | None = None) -> None:
    """Check that the policy ``name`` exists and takes ``options``; :class:`PolicyError` if not.

    A built-in policy's options are checked against :data:`BUILTIN_POLICIES`; a policy of the
    user's own is built once (with a throw-away random-number generator), so that an option it
    refuses fails when the scenario is read rather than in the middle of a run. ``factory`` is
    what :func:`get_policy` gave for ``name``, if the caller has it already.
    """
    if name in BUILTIN_POLICIES:
        checks = BUILTIN_POLICIES[name]
        known: tuple[str, ...] = tuple(checks)
    else:
        built = get_policy(name) if factory is None else factory
        known = option_names(built)
    for key in options:
        if key not in known:
            raise PolicyError(f"policy {name!r} has no option {key!r}"
                              f" (options: {', '.join(known) or 'none'})")
    try:
        if name in BUILTIN_POLICIES:
            for key, value in options.items():
                checks[key](key, value)
        else:
            built(np.random.default_rng(0), **options)
    except (TypeError, ValueError) as error:
        raise PolicyError(f"policy {name!r}: {error}") from None


__all__ = ["BUILTIN_POLICIES", "ENTRY_POINT_GROUP", "PolicyAnswerError", "PolicyError",
           "check_policy", "get_policy", "option_names", "policy_names"]
