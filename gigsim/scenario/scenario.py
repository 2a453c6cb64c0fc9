"""Scenarios: reading a TOML file, applying ``--set`` overrides, and validating the whole."""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gigsim.errors import ScenarioError
from gigsim.scenario.choices import check_reviews
from gigsim.scenario.clients import Client
from gigsim.scenario.dispatch import DispatchSettings
from gigsim.scenario.pay import DEFAULT_PLATFORM, PaySchedule
from gigsim.scenario.platforms import Platform, read_platforms, resolve_platforms
from gigsim.scenario.projects import ProjectGenerator
from gigsim.scenario.schema import MAX_SEED, Section, did_you_mean, read_toml
from gigsim.scenario.workers import WorkerGroup

# With ``replications = "auto"``: the precision asked when the file gives none, and the count a
# study that does not choose by precision runs (the sequential rule's minimum: two rounds of 5).
DEFAULT_PRECISION = 0.05
AUTO_MINIMUM_REPLICATIONS = 10
AUTO = "auto"


@dataclass(frozen=True)
class SimulationSettings:
    """The scenario's ``[simulation]`` table: how long, how many replications, which seed.

    ``precision`` is set when ``replications = "auto"``: the half-width asked of each target
    metric's 95% interval (a share of its mean; percentage points for a share), and
    ``replications`` is then the rule's minimum. ``warmup_auto`` is ``warmup = "auto"``: the
    warm-up is chosen from a pilot run (``warmup_h`` is 0 until it is).
    """

    horizon_h: float
    warmup_h: float
    replications: int
    seed: int
    precision: float | None = None
    warmup_auto: bool = False

    @classmethod
    def from_section(cls, s: Section) -> SimulationSettings:
        """Read the ``[simulation]`` table."""
        horizon_h = s.duration("horizon", positive=True)
        warmup_auto = s.data.get("warmup") == AUTO
        try:
            warmup_h = 0.0 if warmup_auto and s.string("warmup") else s.duration("warmup", 0)
        except ScenarioError as error:
            raise s.error("warmup", f"{error.message}, or \"auto\"") from None
        auto = s.data.get("replications") == AUTO
        if isinstance(s.data.get("replications"), str) and not auto:
            raise s.error("replications", f"expected a number (whole, at least 1) or \"auto\","
                                          f" got {s.data['replications']!r}")
        replications = (AUTO_MINIMUM_REPLICATIONS if auto and s.string("replications")
                        else s.count("replications", 1, positive=True))
        precision = None
        if s.has("precision"):
            if not auto:
                raise s.error("precision", 'applies only with replications = "auto"'
                                           f" (replications is {s.data.get('replications', 1)!r})")
            precision = check_precision(s.number("precision"),
                                        lambda message: s.error("precision", message))
        elif auto:
            precision = DEFAULT_PRECISION
        out = cls(horizon_h=horizon_h, warmup_h=warmup_h, replications=replications,
                  seed=s.count("seed", 0, maximum=MAX_SEED), precision=precision,
                  warmup_auto=warmup_auto)
        s.finish()
        return out


def check_precision(value: float, error: Callable[[str], Exception]) -> float:
    """Refuse a precision outside (0, 1): a half-width as a share of the mean, or in points."""
    if not 0 < value < 1:
        raise error(f"expected a share between 0 and 1 (0.05 or 5% asks for a half-width of"
                    f" 5% of the mean), got {value:g}")
    return value


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: everything a simulation needs, and the data it was read from."""

    name: str
    description: str
    simulation: SimulationSettings
    workers: tuple[WorkerGroup, ...]
    projects: tuple[ProjectGenerator, ...]
    dispatch: DispatchSettings
    source: str = "<scenario>"
    data: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
    # the dotted keys that --set (or a variant, or a sweep point) wrote: errors found later
    # about them, such as the size check's, are blamed on --set
    overridden: frozenset[str] = field(default=frozenset(), compare=False, repr=False)
    clients: tuple[Client, ...] = ()  # [[clients]]: none unless the file has some
    # [pay]: the default platform's pay schedule; None: money is received as it is earned
    pay: PaySchedule | None = None
    # every platform, in file order (the default one, of [dispatch] and [pay], without
    # [[platforms]]); ``dispatch`` and ``pay`` above are the first platform's
    platforms: tuple[Platform, ...] = ()

    def __post_init__(self) -> None:
        if not self.platforms:  # built by hand: the one platform of ``dispatch`` and ``pay``
            object.__setattr__(self, "platforms",
                               (Platform(DEFAULT_PLATFORM, self.dispatch, self.pay),))

    @property
    def pay_schedules(self) -> PaySchedule | tuple[PaySchedule | None, ...] | None:
        """What the analysis applies: one platform's schedule, or one per platform.

        None when no platform has one (money is received as it is earned).
        """
        if len(self.platforms) == 1:
            return self.platforms[0].pay
        pays = tuple(p.pay for p in self.platforms)
        return pays if any(pay is not None for pay in pays) else None

    def blame(self, key: str) -> str:
        """Where to say ``key`` came from: ``--set`` if an override wrote it, else the file."""
        parts = key.split(".")
        by_set = any(".".join(parts[:i]) in self.overridden for i in range(1, len(parts) + 1))
        return "--set" if by_set else self.source

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str = "<scenario>",
                  overridden: frozenset[str] = frozenset()) -> Scenario:
        """Validate a scenario given as nested dictionaries (the parsed TOML)."""
        refuse_sweep_file(data, source)
        root = Section(data, source, "", overridden)
        name = root.string("name")
        description = root.string("description", "")
        simulation = SimulationSettings.from_section(_required(root, "simulation"))
        workers = tuple(WorkerGroup.from_section(s) for s in root.sections("workers"))
        projects = tuple(ProjectGenerator.from_section(s) for s in root.sections("projects"))
        platforms = read_platforms(root)
        clients = (tuple(Client.from_section(s) for s in root.sections("clients"))
                   if root.has("clients") else ())
        root.finish()
        workers, projects = resolve_platforms(root, platforms, workers, projects)
        check_reviews(workers, simulation.horizon_h, root)
        skills = {skill for group in workers for skill in group.skills}
        for gen in projects:
            if gen.requires not in skills:
                raise root.error(
                    f"projects.{gen.name}.requires",
                    f"no worker group has the skill {gen.requires!r}"
                    f" (skills: {', '.join(sorted(skills))})",
                )
            client_names = [c.name for c in clients]
            if gen.client is not None and gen.client not in client_names:
                known = ", ".join(client_names) or "none: add a [[clients]] table"
                raise root.error(
                    f"projects.{gen.name}.client",
                    f"no client named {gen.client!r}{did_you_mean(gen.client, client_names)}"
                    f" (clients: {known})",
                )
        return cls(name, description, simulation, workers, projects, platforms[0].dispatch,
                   source, data, overridden, clients, platforms[0].pay, platforms)

    def with_overrides(self, overrides: Mapping[str, Any]) -> Scenario:
        """A copy with dotted-key overrides applied and validated again.

        Keys overridden before (by ``--set``) and now are all blamed on ``--set``.
        """
        data, overridden = apply_overrides(self.data, overrides)
        return Scenario.from_dict(data, self.source, overridden | self.overridden)


SWEEP_DESIGNS = ("grid", "sample", "sensitivity")
SCENARIO_TABLES = ("simulation", "workers", "projects")
NAMED_TABLES = ("workers", "projects", "clients", "platforms")  # arrays of tables addressed by name


def refuse_sweep_file(data: object, source: str) -> None:
    """Name a sweep file given where a scenario is expected, and the command that runs it."""
    if not isinstance(data, Mapping) or "scenario" not in data \
            or any(table in data for table in SCENARIO_TABLES):
        return
    if not any(design in data for design in SWEEP_DESIGNS):
        return
    command = "gigsim sensitivity" if "sensitivity" in data else "gigsim sweep"
    raise ScenarioError(source, "", f"this is a sweep file, not a scenario; run it with"
                                    f" `{command} {source}`")


def _required(root: Section, name: str) -> Section:
    section = root.section(name, required=True)
    assert section is not None
    return section


def parse_value(text: str) -> Any:
    """Read an override's value as TOML (number, string, boolean, table), else as a string."""
    try:
        return tomllib.loads(f"value = {text}")["value"]
    except tomllib.TOMLDecodeError:
        return text


def apply_overrides(data: Mapping[str, Any], overrides: Mapping[str, Any]
                    ) -> tuple[dict[str, Any], frozenset[str]]:
    """Apply ``{"projects.rating.arrivals_per_week": 1.5, ...}`` to a copy of ``data``.

    Worker groups and project generators are addressed by name. Values given as strings are read
    as TOML values. Returns the new data and the set of dotted keys that were overridden, so that
    validation errors about them can be blamed on ``--set``.
    """
    out: dict[str, Any] = copy.deepcopy(dict(data))
    touched = set()
    for dotted, raw in overrides.items():
        value = parse_value(raw) if isinstance(raw, str) else raw
        parts = dotted.split(".")
        if not all(parts):
            raise ScenarioError("--set", dotted, "expected a dotted key such as dispatch.policy")
        node: Any = out
        path: list[str] = []
        index = 0
        while index < len(parts) - 1:
            part = parts[index]
            if isinstance(node.get(part), list) and part in NAMED_TABLES:
                if index + 1 >= len(parts) - 1:
                    raise ScenarioError("--set", dotted, f"name a key inside one of the {part}")
                name = parts[index + 1]
                matches = [t for t in node[part] if isinstance(t, dict) and t.get("name") == name]
                if not matches:
                    names = [str(t.get("name")) for t in node[part] if isinstance(t, dict)]
                    raise ScenarioError(
                        "--set", dotted,
                        f"no {part} entry named {name!r}{did_you_mean(name, names)}"
                        f" (have: {', '.join(names)})",
                    )
                node = matches[0]
                path += [part, name]
                index += 2
                continue
            child = node.get(part)
            if child is None:  # a new optional table: errors inside it are blamed on --set
                child = node[part] = {}
                touched.add(".".join([*path, part]))
            elif not isinstance(child, dict):
                where = ".".join([*path, part])
                raise ScenarioError("--set", dotted,
                                    f"{where} is not a table, cannot set a key in it")
            node = child
            path.append(part)
            index += 1
        node[parts[-1]] = value
        touched.add(".".join([*path, parts[-1]]))
    return out, frozenset(touched)


def load_scenario(path: str | Path, overrides: Mapping[str, Any] | None = None) -> Scenario:
    """Read, override and validate the scenario file at ``path``.

    Raises :class:`~gigsim.errors.ScenarioError` naming the file and the key on bad input.
    """
    path = Path(path)
    source = str(path)
    data, _ = read_toml(path)
    if overrides:
        data, overridden = apply_overrides(data, overrides)
        return Scenario.from_dict(data, source, overridden)
    return Scenario.from_dict(data, source)
