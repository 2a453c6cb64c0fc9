"""The first engine's matching: the dispatcher and its ``priority`` policies."""

from gigsim.dispatch import policies as _builtin  # noqa: F401  (registers the built-in policies)
from gigsim.dispatch.dispatcher import Dispatcher
from gigsim.dispatch.policy import (
    Candidate,
    DispatchPolicy,
    build_policy,
    get_policy,
    register_policy,
)

__all__ = [
    "Candidate",
    "DispatchPolicy",
    "Dispatcher",
    "build_policy",
    "get_policy",
    "register_policy",
]
