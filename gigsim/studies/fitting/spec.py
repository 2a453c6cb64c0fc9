"""Calibration files: a base scenario, the keys to tune within bounds, and the targets.

A calibration file is TOML (see ``scenarios/calibration/``)::

    name = "generalist"
    scenario = "../generalist.toml"        # relative to this file
    replications = 10                      # per evaluation (default: the scenario's)
    seed = 20261126                        # every evaluation runs on it (default: the scenario's)
    max_evaluations = 40                   # the optimiser's budget

    [parameters]                           # scenario keys, as for --set, with bounds
    "workers.generalists.checking_hours_per_day" = { low = 0.25, high = 2.0 }
    "projects.rating.lifetime.median" = { low = "1w", high = "6w", start = "3w" }

    [targets]                              # summary metrics (gigsim.analysis.statistics.METRICS)
    effective_to_paid_wage = { value = 0.56, tolerance = 0.03 }
    exit_within_12mo_share = { value = 0.55, tolerance = 0.05, weight = 1, standard_error = 0 }

Durations take units and are set as hours (``"336h"``). ``start`` defaults to the scenario's
own value where it is a number or duration within the bounds, else to the middle.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gigsim.analysis.statistics import METRICS
from gigsim.errors import ScenarioError
from gigsim.files import json_ready
from gigsim.scenario import Scenario, load_scenario
from gigsim.scenario.schema import Section, merge_tables, read_toml
from gigsim.scenario.units import DurationError, parse_duration

DEFAULT_MAX_EVALUATIONS = 40
SPEC_VERSION = 1


@dataclass(frozen=True)
class Parameter:
    """A scenario key to tune, within [low, high]; durations are in hours."""

    key: str
    low: float
    high: float
    start: float
    duration: bool = False

    def value(self, x: float) -> Any:
        """What the scenario gets for the number ``x``: a duration string, or the number."""
        return f"{x:.6g}h" if self.duration else x

    def from_unit(self, z: float) -> float:
        """The value at ``z`` in [0, 1] along the bounds."""
        return self.low + min(max(z, 0.0), 1.0) * (self.high - self.low)

    def to_unit(self, x: float) -> float:
        """Where ``x`` is along the bounds, 0 to 1."""
        return (x - self.low) / (self.high - self.low)


@dataclass(frozen=True)
class Target:
    """A summary metric's published value, how far from it is still on target, and its weight.

    ``standard_error`` is the target's own sampling uncertainty, where known (0 for a figure
    taken as exact); it widens the calibrated parameters' intervals.
    """

    metric: str
    value: float
    tolerance: float
    weight: float = 1.0
    standard_error: float = 0.0


@dataclass(frozen=True)
class CalibrationSpec:
    """A resolved calibration file."""

    name: str
    source: str
    scenario_file: str
    base: Scenario
    parameters: tuple[Parameter, ...]
    targets: tuple[Target, ...]
    replications: int
    seed: int
    max_evaluations: int
    text: str = field(default="", repr=False, compare=False)

    def scenario_at(self, values: Mapping[str, float]) -> Scenario:
        """The base scenario with the parameters set to ``values`` (numbers, hours)."""
        return self.base.with_overrides(self.overrides(values))

    def overrides(self, values: Mapping[str, float]) -> dict[str, Any]:
        """The dotted-key overrides that set the parameters to ``values``."""
        return {p.key: p.value(values[p.key]) for p in self.parameters}

    def digest(self) -> str:
        """A SHA-256 of what decides an evaluation's runs: scenario, keys, replications, seed.

        Targets and the budget are left out, so a changed target reuses saved evaluations.
        """
        resolved = {"spec_version": SPEC_VERSION,
                    "scenario": json_ready(self.base.data),
                    "keys": [[p.key, p.duration] for p in self.parameters],
                    "replications": self.replications, "seed": self.seed}
        text = json.dumps(resolved, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load_calibration(path: str | Path, changes: Mapping[str, Any] | None = None
                     ) -> CalibrationSpec:
    """Read and check the calibration file at ``path``.

    ``changes`` is merged into the file's data first (e.g. ``{"replications": 2}``), which is
    how notebooks and tests shrink a shipped file. Raises
    :class:`~gigsim.errors.ScenarioError` naming the file and the key on bad input.
    """
    path = Path(path)
    source = str(path)
    data, text = read_toml(path)
    if changes:
        data = merge_tables(data, changes)
    root = Section(data, source)
    name = root.string("name", path.stem)
    root.string("description", "")
    scenario_file = os.path.normpath(path.parent / root.string("scenario"))
    base = load_scenario(scenario_file)
    replications = root.count("replications", base.simulation.replications, positive=True)
    seed = root.count("seed", base.simulation.seed)
    budget = root.count("max_evaluations", DEFAULT_MAX_EVALUATIONS, positive=True)
    parameters = _parameters(root, base, source)
    targets = _targets(root, source)
    root.finish()
    return CalibrationSpec(name, source, scenario_file, base, parameters, targets,
                           replications, seed, budget, text)


def _table(root: Section, name: str, source: str) -> Mapping[str, Any]:
    if not root.has(name):
        raise ScenarioError(source, name, "missing required table")
    section = root.section(name)
    assert section is not None
    flat: dict[str, Any] = {}
    _flatten(section.data, "", flat, "low" if name == "parameters" else "value")
    if not flat:
        raise ScenarioError(source, name, "empty: name at least one")
    return flat


def _flatten(data: Mapping[str, Any], prefix: str, out: dict[str, Any], leaf: str) -> None:
    """Dotted keys written unquoted (nested tables) mean the same as quoted ones."""
    for key, value in data.items():
        if isinstance(value, Mapping) and value and leaf not in value and all(
                isinstance(v, Mapping) for v in value.values()):
            _flatten(value, f"{prefix}{key}.", out, leaf)
        else:
            out[f"{prefix}{key}"] = value


def _number(value: Any, source: str, where: str, duration: bool) -> float:
    if duration:
        try:
            return parse_duration(value)
        except DurationError as error:
            raise ScenarioError(source, where, str(error)) from None
    if isinstance(value, bool) or not isinstance(value, int | float) \
            or not math.isfinite(value):
        raise ScenarioError(source, where, f"expected a number, got {value!r}")
    return float(value)


def _parameters(root: Section, base: Scenario, source: str) -> tuple[Parameter, ...]:
    out = []
    for key, raw in _table(root, "parameters", source).items():
        where = f"parameters.{key}"
        if not isinstance(raw, Mapping) or not {"low", "high"} <= set(raw):
            raise ScenarioError(source, where, "expected { low = ..., high = ... }")
        unknown = set(raw) - {"low", "high", "start"}
        if unknown:
            raise ScenarioError(source, f"{where}.{sorted(unknown)[0]}",
                                "unknown key (expected low, high, start)")
        duration = isinstance(raw["low"], str)
        low = _number(raw["low"], source, f"{where}.low", duration)
        high = _number(raw["high"], source, f"{where}.high", duration)
        if not low < high:
            raise ScenarioError(source, where, f"expected low < high, got {raw['low']!r} and"
                                f" {raw['high']!r}")
        current = _current(base, key, duration)
        if "start" in raw:
            start = _number(raw["start"], source, f"{where}.start", duration)
            if not low <= start <= high:
                raise ScenarioError(source, f"{where}.start", "must lie within low and high")
        else:
            start = current if current is not None and low <= current <= high \
                else (low + high) / 2
        parameter = Parameter(key, low, high, start, duration)
        for bound in (low, high):  # both ends must make valid scenarios
            try:
                base.with_overrides({key: parameter.value(bound)})
            except ScenarioError as error:
                raise ScenarioError(source, where, f"at {parameter.value(bound)!r}:"
                                    f" {error.key}: {error.message}") from None
        out.append(parameter)
    return tuple(out)


def _current(base: Scenario, key: str, duration: bool) -> float | None:
    from gigsim.studies.fitting.toml_edit import value_at

    try:
        value = value_at(base.data, key)
    except (KeyError, StopIteration, TypeError, IndexError):
        return None
    try:
        return parse_duration(value) if duration else float(value)
    except (DurationError, TypeError, ValueError):
        return None


def _targets(root: Section, source: str) -> tuple[Target, ...]:
    out = []
    for metric, raw in _table(root, "targets", source).items():
        where = f"targets.{metric}"
        if metric not in METRICS:
            raise ScenarioError(source, where, f"unknown metric (known: {', '.join(METRICS)})")
        if not isinstance(raw, Mapping) or not {"value", "tolerance"} <= set(raw):
            raise ScenarioError(source, where, "expected { value = ..., tolerance = ... }")
        table = Section(raw, source, where)
        out.append(Target(metric, table.number("value"),
                          table.number("tolerance", positive=True),
                          table.number("weight", 1.0, positive=True),
                          table.number("standard_error", 0.0, non_negative=True)))
        table.finish()
    return tuple(out)

