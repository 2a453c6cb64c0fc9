"""The scenario's ``[dispatch]`` table: which policy, its options, delays and rounds."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gigsim.scenario.dists import Constant, Distribution
from gigsim.scenario.policies import BUILTIN_POLICIES, PolicyError, check_policy, get_policy
from gigsim.scenario.schema import Section


@dataclass(frozen=True)
class DispatchSettings:
    """The scenario's ``[dispatch]`` table."""

    policy: str = "longest-idle"
    delay: Distribution = field(default_factory=lambda: Constant(0.0))
    pre_assign_on_notice: bool = True
    rounds_every_h: float = 0.0  # 0: match at once; else only at multiples of this
    policy_options: tuple[tuple[str, Any], ...] = ()  # (name, value) pairs, as in the file

    @classmethod
    def from_section(cls, s: Section | None) -> DispatchSettings:
        """Read the ``[dispatch]`` table; every key is optional."""
        if s is None:
            return cls()
        options_section = s.section("policy_options")
        options = dict(options_section.data) if options_section is not None else {}
        out = cls(
            policy=s.string("policy", "longest-idle"),
            delay=s.dist("delay", "duration", Constant(0.0)),
            pre_assign_on_notice=s.boolean("pre_assign_on_notice", True),
            rounds_every_h=s.duration("rounds_every", 0),
            policy_options=tuple(options.items()),
        )
        factory = None
        try:  # a bad name is blamed on the policy, a bad option on the options
            if out.policy not in BUILTIN_POLICIES:
                factory = get_policy(out.policy)
        except PolicyError as error:
            raise s.error("policy", str(error)) from None
        try:
            check_policy(out.policy, options, factory)
        except PolicyError as error:
            raise s.error("policy_options" if options else "policy", str(error)) from None
        s.finish()
        return out


__all__ = ["DispatchSettings"]
