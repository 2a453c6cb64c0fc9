"""Helpers for the app tests: the bundled roles, and small questions that compute fast."""

from __future__ import annotations

from pathlib import Path

from gigsim.app.inputs import Params, Role, check_params, list_roles

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
GENERALIST = "generalist.toml/generalists"
SPECIALIST = "specialist.toml/specialists"
PLATFORM_SPECIALISTS = "platform.toml/specialists"


def roles() -> dict[str, Role]:
    """The roles of the bundled scenarios folder."""
    return list_roles(SCENARIOS)


def question(role: str = GENERALIST, hours: float = 10, months: int = 2,
             replications: int = 2, **platform: float) -> tuple[Role, Params]:
    """A checked question (two months, two replications by default: well under a second).

    ``platform`` may give ``launches``, ``notice`` (a percentage) and ``projects`` (at once).
    """
    found = roles()
    params = check_params(found, role, hours, months, replications,
                          platform.get("launches"), platform.get("notice"),
                          platform.get("projects"))
    return found[role], params
