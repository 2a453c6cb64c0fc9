"""Who an estimate follows: a cohort of applicants added to a scenario, in a scaled market.

:func:`cohort_scenario` adds a worker group cloned from a chosen group, everyone with the same
weekly hours, all applying at the end of the warm-up, and scales the market around them
(:func:`market_scenario`) so that it runs in seconds. By default the cohort behaves like the
group it is cloned from (its patience and leave hazard apply), so that it describes the same
people as ``gigsim run``; ``stay=True`` follows applicants who never quit. See docs/model.md,
"A worker's estimate".
"""

from __future__ import annotations

import copy
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from gigsim.errors import GigsimError
from gigsim.scenario import Scenario, load_scenario
from gigsim.scenario.units import HOURS_PER_MONTH, HOURS_PER_WEEK

# profile name -> (bundled scenario file, worker group)
PROFILES: dict[str, tuple[str, str]] = {
    "generalist": ("generalist.toml", "generalists"),
    "specialist": ("specialist.toml", "specialists"),
}
# The market is scaled so that the chosen group has about this many applicants by the end of
# the warm-up (never scaled up), and the cohort is this share of them: small enough that the
# market barely notices it (docs/model.md, "A worker's estimate").
MARKET_APPLICANTS = 1000
COHORT_SHARE = 0.02
# A generator's seats are scaled down no further than this mean: the engine rounds each draw to
# a whole seat (at least one), which changes the mean of a small draw (4 seats × 1/3 is 1.33,
# drawn as 1), so below it the generator's launches are scaled instead (docs/model.md).
MIN_SCALED_SEATS = 20.0
MAX_MONTHS = 120
MAX_PROJECTS = 64  # the most a scenario's ``max_projects`` may be (docs/model.md, §3)
COHORT = "cohort"  # the cohort's group name (a suffix is added if the scenario uses it)


def bundled_scenarios_dir() -> Path:
    """The folder of the bundled scenarios: the repository's ``scenarios/``.

    gigsim is installed from its source tree (``pip install -e .``), so the scenarios sit beside
    the package; ``GIGSIM_SCENARIOS`` names another folder. A plain ``pip install`` of a built
    wheel has no such folder: give ``--scenario FILE --group NAME`` then.
    """
    configured = os.environ.get("GIGSIM_SCENARIOS")
    folder = Path(configured) if configured else Path(__file__).resolve().parents[2] / "scenarios"
    if not folder.is_dir():
        raise GigsimError(
            f"the bundled scenarios are not at {folder}: install gigsim from its source tree"
            " (pip install -e .), set GIGSIM_SCENARIOS to a folder holding them, or give"
            " --scenario FILE --group NAME")
    return folder


def load_profile(profile: str, overrides: Mapping[str, Any] | None = None
                 ) -> tuple[Scenario, str]:
    """The bundled scenario and worker group of ``profile`` (``generalist`` or ``specialist``)."""
    if profile not in PROFILES:
        raise GigsimError(f"--profile {profile!r}: unknown profile"
                          f" (expected one of: {', '.join(PROFILES)})")
    file, group = PROFILES[profile]
    return load_scenario(bundled_scenarios_dir() / file, overrides=overrides), group


def _scale_count(value: Any, factor: float) -> Any:
    """A ``seats`` distribution (as written in the scenario) multiplied by ``factor``."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value * factor
    if not isinstance(value, Mapping):
        return value
    out = dict(value)
    scaled = {"constant": ("value",), "exponential": ("mean",), "uniform": ("low", "high"),
              "poisson": ("mean",), "weibull": ("scale",), "empirical": ("values",),
              "lognormal": ("median", "mean"), "gamma": ("scale", "mean")}
    for key in scaled.get(str(out.get("dist")), ()):
        if key in out:
            out[key] = ([v * factor for v in out[key]] if isinstance(out[key], list)
                        else out[key] * factor)
    return out


def find_group(scenario: Scenario, group: str) -> Any:
    """The worker group named ``group`` of ``scenario``, or a one-line error naming the others."""
    for found in scenario.workers:
        if found.name == group:
            return found
    names = ", ".join(g.name for g in scenario.workers)
    raise GigsimError(f"--group {group!r}: no worker group of that name in {scenario.source}"
                      f" (have: {names})")


def group_applicants(scenario: Scenario, group: str) -> float:
    """The expected number of ``group``'s applicants by the end of the warm-up."""
    found = find_group(scenario, group)
    return found.count + found.arrivals_per_week * scenario.simulation.warmup_h / HOURS_PER_WEEK


def default_sizes(scenario: Scenario, group: str) -> tuple[float, int]:
    """The default market scale and cohort size for ``group`` of ``scenario``.

    The market is scaled down (never up) so that the group has about
    :data:`MARKET_APPLICANTS` applicants by the end of the warm-up; the cohort is
    :data:`COHORT_SHARE` of the scaled number, at least 1.
    """
    applicants = max(group_applicants(scenario, group), 1.0)
    scale = min(1.0, MARKET_APPLICANTS / applicants)
    return scale, max(1, round(COHORT_SHARE * applicants * scale))


def check_inputs(hours_per_week: float, months: int) -> None:
    """Refuse weekly hours outside (0, 168] and months outside 1–120."""
    if not (isinstance(hours_per_week, int | float) and 0 < hours_per_week <= HOURS_PER_WEEK):
        raise GigsimError(f"--hours-per-week: must be more than 0 and at most"
                          f" {HOURS_PER_WEEK:g}, got {hours_per_week!r}")
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= MAX_MONTHS:
        raise GigsimError(f"--months: must be a whole number from 1 to {MAX_MONTHS},"
                          f" got {months!r}")


def check_projects(max_projects: object) -> int:
    """``max_projects`` if it is a whole number from 1 to :data:`MAX_PROJECTS`, else an error."""
    if (isinstance(max_projects, bool) or not isinstance(max_projects, int)
            or not 1 <= max_projects <= MAX_PROJECTS):
        raise GigsimError(f"--projects: must be a whole number from 1 to {MAX_PROJECTS}"
                          f" (projects held at once), got {max_projects!r}")
    return max_projects


def check_reference_wage(reference_wage_usd: float) -> None:
    """Refuse a reference wage that is not a finite number of dollars, 0 or more."""
    if not (isinstance(reference_wage_usd, int | float) and reference_wage_usd >= 0
            and math.isfinite(reference_wage_usd)):
        raise GigsimError(f"--reference-wage: must be a number of dollars, 0 or more,"
                          f" got {reference_wage_usd!r}")


def check_market_scale(market_scale: float) -> None:
    """Refuse a market scale outside (0, 1]."""
    if not (0 < market_scale <= 1):
        raise GigsimError(f"--market-scale: must be more than 0 and at most 1,"
                          f" got {market_scale!r}")


def project_scaling(mean_seats: float, market_scale: float) -> tuple[float, float]:
    """How a generator with ``mean_seats`` shrinks by ``market_scale``: (seats, launches) factors.

    Their product is ``market_scale``, so the seats launched per week, and with the workers
    scaled alike the seats per worker, stay the scenario's. Seats take the whole scaling while
    their mean stays at :data:`MIN_SCALED_SEATS` or more (the timing of projects is then the
    scenario's); below that, seats shrink only down to that mean (or not at all when the
    scenario's are smaller) and launches take the rest.
    """
    seats = min(1.0, max(market_scale, MIN_SCALED_SEATS / mean_seats))
    return seats, market_scale / seats


def _market_data(scenario: Scenario, months: int, market_scale: float) -> dict[str, Any]:
    """The scenario's data with the market scaled and the horizon set to ``months``."""
    data: dict[str, Any] = copy.deepcopy(dict(scenario.data))
    for workers in data["workers"]:
        count = int(workers.get("count", 0))
        workers["count"] = max(1, round(count * market_scale)) if count else 0
        workers["arrivals_per_week"] = workers.get("arrivals_per_week", 0) * market_scale
    mean_seats = {gen.name: gen.seats.mean for gen in scenario.projects}
    for projects in data["projects"]:
        seats, launches = project_scaling(mean_seats[projects["name"]], market_scale)
        projects["seats"] = _scale_count(projects["seats"], seats)
        projects["arrivals_per_week"] = projects["arrivals_per_week"] * launches
    data["simulation"] = dict(data["simulation"], horizon=f"{months * HOURS_PER_MONTH!r}h")
    return data


def market_scenario(scenario: Scenario, months: int, market_scale: float) -> Scenario:
    """``scenario`` at ``market_scale`` of its size, over ``months`` months: the market alone.

    Every worker group's ``count`` and ``arrivals_per_week`` is multiplied by ``market_scale``,
    and so is every generator's supply of seats, ``seats`` × ``arrivals_per_week``: large
    projects keep their launches and shrink, small ones keep their size and launch less often
    (:func:`project_scaling`), so that seats per worker stay the scenario's. This is what
    ``gigsim run`` would simulate at that scale, and what :func:`cohort_scenario` adds its
    cohort to.
    """
    check_market_scale(market_scale)
    return Scenario.from_dict(_market_data(scenario, months, market_scale), scenario.source)


def check_platforms(scenario: Scenario, platforms: Sequence[str]) -> tuple[str, ...]:
    """``platforms`` if each is one of the scenario's, none twice, and it has several.

    Else one line naming the scenario's platforms (``--platforms``).
    """
    known = [p.name for p in scenario.platforms]
    if len(known) < 2:
        raise GigsimError(f"--platforms: {scenario.source} has one platform ({known[0]}); a"
                          " choice of platforms needs a scenario with several [[platforms]]"
                          " (e.g. scenarios/two_platforms.toml)")
    names = tuple(platforms)
    if not names:
        raise GigsimError(f"--platforms: name at least one platform (platforms: "
                          f"{', '.join(known)})")
    for name in names:
        if name not in known:
            raise GigsimError(f"--platforms: no platform named {name!r} in {scenario.source}"
                              f" (platforms: {', '.join(known)})")
    if len(set(names)) < len(names):
        raise GigsimError(f"--platforms: a platform is named twice in {','.join(names)}")
    return names


def _assessments(scenario: Scenario, group: str, platforms: Sequence[str]) -> dict[str, Any]:
    """The raw ``assessments`` of a cohort of ``group`` joining ``platforms``.

    Each platform's is the group's own, else that of the first group joining that platform
    with one (the platform's assessment, as its other applicants take it); else none.
    """
    tables: dict[str, Any] = {}
    order = [group] + [g.name for g in scenario.workers if g.name != group]
    for name in order:
        joined = find_group(scenario, name).platforms or ()
        raw = next(g for g in scenario.data["workers"] if g.get("name") == name)
        own = dict(raw.get("assessments", {}))
        if "assessment" in raw and joined:
            own[joined[0]] = raw["assessment"]
        for platform, table in own.items():
            if platform in platforms:
                tables.setdefault(platform, table)
    return {p: tables[p] for p in platforms if p in tables}


def cohort_scenario(scenario: Scenario, group: str, hours_per_week: float, months: int,
                    cohort: int | None = None, market_scale: float | None = None,
                    stay: bool = False, max_projects: int | None = None,
                    platforms: Sequence[str] | None = None) -> tuple[Scenario, str]:
    """``scenario`` with a cohort cloned from ``group``, and the cohort group's name.

    The cohort: ``cohort`` applicants of ``group`` with ``hours_per_week`` each, applying at the
    end of the warm-up, with the group's patience and leave hazard, or with neither when
    ``stay`` (people who never quit), each holding up to ``max_projects`` projects at once
    (``None``: the group's own ``max_projects``). The market: :func:`market_scenario` at
    ``market_scale``. The horizon becomes ``months`` months. ``None`` takes
    :func:`default_sizes`. ``platforms`` (``None``: the group's) are the platforms the cohort
    joins, each with its assessment (:func:`_assessments`).
    """
    find_group(scenario, group)
    if platforms is not None:
        platforms = check_platforms(scenario, platforms)
    if scenario.simulation.warmup_auto:  # the cohort applies at the warm-up's end
        raise GigsimError(f"{scenario.blame('simulation.warmup')}: the cohort applies at the"
                          ' end of the warm-up, so "auto" must be chosen first'
                          " (market_warmup; gigsim.studies.estimate.estimate does)")
    names = [g.name for g in scenario.workers]
    check_inputs(hours_per_week, months)
    if max_projects is not None:
        check_projects(max_projects)
    default_scale, default_cohort = default_sizes(scenario, group)
    market_scale = default_scale if market_scale is None else market_scale
    cohort = default_cohort if cohort is None else cohort
    if isinstance(cohort, bool) or not isinstance(cohort, int) or cohort < 1:
        raise GigsimError(f"--cohort: must be a whole number of at least 1, got {cohort!r}")
    check_market_scale(market_scale)
    source = next(g for g in scenario.data["workers"] if g.get("name") == group)
    data = _market_data(scenario, months, market_scale)
    name = COHORT
    while name in names:
        name += "_"
    clone = copy.deepcopy(dict(source))
    clone.update(name=name, count=cohort, arrivals_per_week=0, hours_per_week=hours_per_week,
                 joins_at=f"{scenario.simulation.warmup_h!r}h")
    if max_projects is not None:
        clone["max_projects"] = max_projects
    if platforms is not None:
        for key in ("assessment", "assessments"):
            clone.pop(key, None)
        clone["platforms"] = list(platforms)
        if tables := _assessments(scenario, group, platforms):
            clone["assessments"] = tables
    if stay:
        clone["leave_rate_per_year"] = 0
        clone.pop("patience", None)
    data["workers"].append(clone)
    return Scenario.from_dict(data, scenario.source), name
