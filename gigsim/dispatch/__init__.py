"""Matching workers to seats: the dispatcher, its settings, and pluggable policies."""

from gigsim.dispatch import policies as _builtin  # noqa: F401  (registers the built-in policies)
from gigsim.dispatch.dispatcher import Dispatcher, DispatchSettings
from gigsim.dispatch.policy import (
    Candidate,
    DispatchPolicy,
    get_policy,
    policy_names,
    register_policy,
)

__all__ = [
    "Candidate",
    "DispatchPolicy",
    "DispatchSettings",
    "Dispatcher",
    "get_policy",
    "policy_names",
    "register_policy",
]
