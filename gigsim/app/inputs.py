"""What the page may ask for: the roles on offer, the bounds of every input, and their checks.

Everything the browser sends is checked here, on the server, before anything runs: a role is
one of the keys listed from the configured scenarios folder (no path from the browser ever
reaches the file system), and every number is within its bounds. A value that is not gets an
:class:`InputError` whose message the page shows beside the inputs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gigsim.errors import GigsimError
from gigsim.scenario import Scenario, load_scenario
from gigsim.scenario.units import HOURS_PER_WEEK
from gigsim.studies.estimate import PROFILES

MAX_MONTHS = 24
MAX_REFERENCE_WAGE_USD = 1000.0
MAX_MONTHLY_NEED_USD = 1_000_000.0
# The launch rate may go from a twentieth to twenty times the scenario's: beyond that the market
# is either empty or so large that a run no longer takes seconds.
LAUNCH_RATE_FACTOR = 20.0
# Replications: a fixed count, not `gigsim estimate`'s default rule (by precision, up to a
# minute), so that the first answer stays at about 1.5 s of simulation on the bundled profiles
# and the same question always gets the same, cached answer; `gigsim estimate -r 16` gives the
# page's numbers. The page says how wide the headline intervals are at that count, and
# "more replications" doubles them up to the cap.
FIRST_REPLICATIONS = 16
MAX_REPLICATIONS = 64
DEFAULT_HOURS_PER_WEEK = 10.0
DEFAULT_MONTHS = 12
DEFAULT_REFERENCE_WAGE_USD = 15
# Projects at once: up to this many (or the role's own max_projects, if more), which keeps a run
# within seconds; the scenario file itself allows up to MAX_PROJECTS.
MAX_PROJECTS_AT_ONCE = 8


class InputError(GigsimError):
    """A value from the page that is out of bounds; the message names the input."""


@dataclass(frozen=True)
class Role:
    """A worker group of a scenario file in the configured folder, as the page offers it.

    ``key`` is what the browser sees and sends back; ``file`` is a bare file name inside the
    folder. ``generators`` are the project generators whose projects the group can take; the
    launch rate is their total and the notice share their launch-weighted mean.
    """

    key: str
    file: str
    group: str
    label: str
    generators: tuple[str, ...]
    launches_per_week: float
    notice_share: float
    notice_durations: tuple[str, ...]  # each generator's notice duration, as an override value
    max_projects: int = 1  # the group's own: how many projects a worker holds at once
    platforms: tuple[str, ...] = ()  # the scenario's platforms when it has several, else none
    joins: tuple[str, ...] = ()  # the platforms the group joins (with several)

    @property
    def most_projects(self) -> int:
        """The most projects at once the page takes for this role."""
        return max(MAX_PROJECTS_AT_ONCE, self.max_projects)

    def joined(self, params: Params) -> tuple[str, ...]:
        """The platforms a question's applicant joins: chosen, else the group's (none: one)."""
        return self.joins if params.platforms is None else params.platforms

    def runs(self, params: Params) -> int:
        """Estimates a question runs: two when it joins several platforms (the comparison)."""
        return 2 if len(self.joined(params)) > 1 else 1


def list_roles(folder: Path) -> dict[str, Role]:
    """Every worker group of every scenario file directly in ``folder``, bundled profiles first.

    Files that are not valid scenarios (sweep files, say) are left out. Raises
    :class:`GigsimError` when the folder holds no scenario at all.
    """
    roles: dict[str, Role] = {}
    profile_of = {value: name for name, value in PROFILES.items()}
    files = sorted(folder.glob("*.toml"), key=lambda path: (
        not any(path.name == file for file, _ in PROFILES.values()), path.name))
    for path in files:
        try:
            scenario = load_scenario(path)
        except (GigsimError, OSError, ValueError):
            continue
        for group in scenario.workers:
            if group.name.startswith("cohort"):
                continue
            profile = profile_of.get((path.name, group.name))
            label = (f"{profile.capitalize()} (bundled profile)" if profile
                     else f"{group.name} in {path.name}")
            role = _role(scenario, path.name, group.name, label)
            if role is not None:
                roles[role.key] = role
    if not roles:
        raise GigsimError(f"{folder}: no scenario file with a worker group that can take"
                          " projects (expected *.toml scenarios)")
    return roles


def _role(scenario: Scenario, file: str, group_name: str, label: str) -> Role | None:
    group = next(g for g in scenario.workers if g.name == group_name)
    gens = [g for g in scenario.projects if g.requires in group.skills]
    if not gens:
        return None
    launches = sum(g.arrivals_per_week for g in gens)
    notice = sum(g.arrivals_per_week * (g.notice.probability if g.notice else 0.0)
                 for g in gens) / launches
    durations = tuple(f"{g.notice.duration_h!r}h" if g.notice else "1w" for g in gens)
    several = len(scenario.platforms) > 1
    return Role(key=f"{file}/{group_name}", file=file, group=group_name, label=label,
                generators=tuple(g.name for g in gens), launches_per_week=launches,
                notice_share=notice, notice_durations=durations,
                max_projects=group.max_projects,
                platforms=tuple(p.name for p in scenario.platforms) if several else (),
                joins=tuple(group.platforms or ()) if several else ())


@dataclass(frozen=True)
class Params:
    """One question, checked: everything a computation depends on, so a key for the cache.

    ``launches_per_week``, ``notice_share`` and ``max_projects`` (the projects a worker holds
    at once, ``gigsim estimate --projects``) are ``None`` for the scenario's own values.
    The reference wage is not here: it changes how the answer is read, not what is simulated.
    """

    role: str
    hours_per_week: float
    months: int
    replications: int
    launches_per_week: float | None = None
    notice_share: float | None = None
    max_projects: int | None = None
    platforms: tuple[str, ...] | None = None  # the platforms joined; None: the group's

    def overrides(self, role: Role, scenario: Scenario) -> dict[str, Any]:
        """The overrides (``--set`` keys) this question makes of ``role``'s ``scenario``."""
        out: dict[str, Any] = {}
        if self.launches_per_week is not None:
            factor = self.launches_per_week / role.launches_per_week
            rates = {g.name: g.arrivals_per_week for g in scenario.projects}
            for name in role.generators:
                out[f"projects.{name}.arrivals_per_week"] = rates[name] * factor
        if self.notice_share is not None:
            for name, duration in zip(role.generators, role.notice_durations, strict=True):
                out[f"projects.{name}.notice"] = {"probability": self.notice_share,
                                                  "duration": duration}
        return out


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool) or value is None or value == "":
        raise InputError(f"{name}: enter a number")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{name}: enter a number, not {str(value)[:20]!r}") from None
    if not math.isfinite(number):
        raise InputError(f"{name}: enter a finite number")
    return number


def check_params(roles: dict[str, Role], role: Any, hours_per_week: Any, months: Any,
                 replications: Any, launches_per_week: Any = None,
                 notice_percent: Any = None, projects: Any = None,
                 platforms: Any = None) -> Params:
    """The page's raw values as :class:`Params`, or :class:`InputError` naming the first bad one.

    The notice share comes as a percentage. A launch rate, notice share or number of projects
    at once equal to the role's default is stored as ``None``, so that
    the default question and the same question asked explicitly share a cache entry; so are
    the platforms to join (names, in any order: kept in the scenario's) when they are the
    group's own.
    """
    if not isinstance(role, str) or role not in roles:
        raise InputError("Role: choose one of the roles listed")
    found = roles[role]
    hours = _number("Hours a week", hours_per_week)
    if not 0 < hours <= HOURS_PER_WEEK:
        raise InputError(f"Hours a week: must be more than 0 and at most {HOURS_PER_WEEK:g}"
                         f" (a week has {HOURS_PER_WEEK:g} hours), got {hours:g}")
    month_count = _number("Months", months)
    if month_count != int(month_count) or not 1 <= month_count <= MAX_MONTHS:
        raise InputError(f"Months: must be a whole number from 1 to {MAX_MONTHS},"
                         f" got {month_count:g}")
    reps = _number("Replications", replications)
    if reps != int(reps) or not 1 <= reps <= MAX_REPLICATIONS:
        raise InputError(f"Replications: must be a whole number from 1 to"
                         f" {MAX_REPLICATIONS}, got {reps:g}")
    launches: float | None = None
    if launches_per_week is not None:
        launches = _number("Project launches a week", launches_per_week)
        low = found.launches_per_week / LAUNCH_RATE_FACTOR
        high = found.launches_per_week * LAUNCH_RATE_FACTOR
        if not low <= launches <= high:
            raise InputError(f"Project launches a week: must be from {low:.3g} to {high:.3g}"
                             f" (a twentieth to twenty times the scenario's"
                             f" {found.launches_per_week:g}), got {launches:g}")
        if math.isclose(launches, found.launches_per_week, abs_tol=5e-5):  # rounded: 4 places
            launches = None
    notice: float | None = None
    if notice_percent is not None:
        percent = _number("Project ends with notice", notice_percent)
        if not 0 <= percent <= 100:
            raise InputError("Project ends with notice: must be from 0% to 100%,"
                             f" got {percent:g}%")
        notice = percent / 100
        if math.isclose(notice, found.notice_share, abs_tol=5e-5):  # as the page rounds it
            notice = None
    at_once: int | None = None
    if projects is not None:
        count = _number("Projects at once", projects)
        if count != int(count) or not 1 <= count <= found.most_projects:
            raise InputError(f"Projects at once: must be a whole number from 1 to"
                             f" {found.most_projects}, got {count:g}")
        at_once = None if count == found.max_projects else int(count)
    return Params(role=role, hours_per_week=hours, months=int(month_count),
                  replications=int(reps), launches_per_week=launches, notice_share=notice,
                  max_projects=at_once, platforms=_platforms(found, platforms))


def _platforms(role: Role, chosen: Any) -> tuple[str, ...] | None:
    """The platforms chosen, in the scenario's order; None for the group's own or none asked."""
    if chosen is None or not role.platforms:
        return None
    names = [chosen] if isinstance(chosen, str) else chosen
    if not isinstance(names, list | tuple) or not all(isinstance(n, str) for n in names):
        raise InputError("Platforms to join: choose from the platforms listed")
    for name in names:
        if name not in role.platforms:
            raise InputError(f"Platforms to join: choose from {', '.join(role.platforms)},"
                             f" not {name[:20]!r}")
    if not names:
        raise InputError(f"Platforms to join: choose at least one of"
                         f" {', '.join(role.platforms)}")
    joined = tuple(p for p in role.platforms if p in names)
    return None if joined == role.joins else joined


def check_reference_wage(value: Any) -> float:
    """The reference wage in USD an hour: from 0 (none) to :data:`MAX_REFERENCE_WAGE_USD`."""
    wage = _number("Reference wage", value)
    if not 0 <= wage <= MAX_REFERENCE_WAGE_USD:
        raise InputError(f"Reference wage: must be from 0 (none) to"
                         f" {MAX_REFERENCE_WAGE_USD:g} USD an hour, got {wage:g}")
    return wage


def check_monthly_need(value: Any) -> float | None:
    """What the worker needs a month in USD, from 0 to :data:`MAX_MONTHLY_NEED_USD`; empty: none."""
    if value is None or value == "":
        return None
    need = _number("What you need a month", value)
    if not 0 <= need <= MAX_MONTHLY_NEED_USD:
        raise InputError(f"What you need a month: must be from 0 to"
                         f" {MAX_MONTHLY_NEED_USD:,.0f} USD, got {need:g}")
    return need
