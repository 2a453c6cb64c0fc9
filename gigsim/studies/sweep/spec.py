"""Sweep files: a base scenario, the points to run it at, replications and a seed.

A sweep file is TOML (see ``scenarios/sweeps/``)::

    name = "arrival_notice"
    scenario = "../generalist.toml"      # relative to this file
    replications = 4
    seed = 20261127

    [set]                                # fixed overrides at every point, as --set
    "simulation.horizon" = "26w"

    [grid]                               # or [sample], or [sensitivity]
    "projects.rating.arrivals_per_week" = [0.125, 0.25, 0.5, 1.0]
    "projects.rating.notice.probability" = { from = 0.0, to = 1.0, count = 5 }

``[set]`` applies at every point, then the point's own values (so a swept key wins). Every
point's scenario is built and validated when the file is loaded, so a bad key or value is
reported before anything runs. :meth:`SweepSpec.digest` fingerprints everything that decides
the results, so a results folder can refuse to be resumed by a different sweep.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from gigsim.analysis.applicants import ALL_METRICS as METRICS
from gigsim.analysis.applicants import study_metrics
from gigsim.analysis.payments import PAY_METRICS
from gigsim.errors import GigsimError, ScenarioError
from gigsim.files import json_ready
from gigsim.scenario import (
    SCENARIO_TABLES,
    SWEEP_DESIGNS,
    Scenario,
    load_scenario,
)
from gigsim.scenario.scenario import AUTO, DEFAULT_PRECISION
from gigsim.scenario.schema import MAX_SEED, Section, merge_tables, read_toml
from gigsim.studies.precision import (
    APPLICANT_DEFAULT_METRICS,
    DEFAULT_MAX_REPLICATIONS,
    PrecisionGoal,
    check_metrics,
)
from gigsim.studies.sizing import available_memory, check_size
from gigsim.studies.sweep.design import (
    SAMPLE_METHODS,
    Parameter,
    SampleMethod,
    check_count,
    expand_values,
    full_factorial,
    parse_bounds,
    sample_points,
)
from gigsim.studies.warmup import check_pilot

Kind = Literal["grid", "sample", "sensitivity"]
# Outcomes per applicant, which cannot reward pushing people out (docs/model.md, "Outcomes per
# applicant"); the per-worker-month metrics stay in the tables and can be named.
DEFAULT_METRICS = ("applicant_income_usd", "applicant_stay_share", "applicant_zero_month_share",
                   "applicant_latency_median_h")
# The top-level keys of a sweep file (what --set must not be given).
SWEEP_KEYS = ("name", "description", "scenario", "replications", "seed",
              "common_random_numbers", "metrics", "set", "precision", "precision_metrics",
              "max_replications", *SWEEP_DESIGNS)
SPEC_VERSION = 1  # bump when the meaning of a resolved spec changes


def point_seed(seed: int, point: int) -> int:
    """The scenario seed of point ``point`` when points do not share random numbers.

    Drawn from ``SeedSequence(entropy=seed, spawn_key=(point,))``, like a replication's seed
    sequence (``gigsim.randomness.replication_seed``) one level up, and cut to 63 bits so that
    it fits in a TOML integer.
    """
    state = np.random.SeedSequence(entropy=seed, spawn_key=(point,)).generate_state(1, np.uint64)
    return int(state[0]) >> 1


@dataclass(frozen=True)
class Point:
    """One point of a sweep: its index, the overrides that make it, its validated scenario."""

    index: int
    overrides: Mapping[str, Any]
    columns: Mapping[str, Any]  # what the tables show for each swept key
    scenario: Scenario = field(repr=False)


@dataclass(frozen=True)
class SensitivitySettings:
    """The ``[sensitivity]`` table: a SALib method, its base sample size and options."""

    method: Literal["sobol", "morris"]
    n: int
    levels: int = 4
    second_order: bool = False


@dataclass(frozen=True)
class SweepSpec:
    """A resolved sweep: the base scenario, every point (validated), replications and seed.

    ``common_random_numbers`` (the default) runs every point on the sweep seed, so replication
    ``r`` of every point draws from the same streams and differences between points are not
    blurred by different luck; otherwise point ``p`` runs on :func:`point_seed` (seed, p).
    """

    name: str
    source: str
    kind: Kind
    base: Scenario
    fixed: Mapping[str, Any]
    keys: tuple[str, ...]
    points: tuple[Point, ...]
    replications: int
    seed: int
    common_random_numbers: bool = True
    metrics: tuple[str, ...] = DEFAULT_METRICS
    parameters: tuple[Parameter, ...] = ()  # sample and sensitivity: the bounds
    sample_method: str = ""
    sensitivity: SensitivitySettings | None = None
    design: np.ndarray | None = field(default=None, repr=False, compare=False)
    text: str = field(default="", repr=False, compare=False)
    # With a precision, each point runs rounds until its targets are met (replications is
    # then the most a point may run: the goal's max_replications)
    goal: PrecisionGoal | None = None

    @property
    def all_metrics(self) -> dict[str, str]:
        """Every metric its runs keep: with a pay schedule at any point, the schedule's too."""
        pay = next((p.scenario.pay_schedules for p in self.points
                    if p.scenario.pay_schedules is not None),
                   self.base.pay)
        return study_metrics(pay)

    @property
    def runs(self) -> int:
        """How many runs: points × replications (with a precision, the most there can be)."""
        return len(self.points) * self.replications

    def run_seed(self, point: int) -> int:
        """The seed that point ``point``'s replications run on."""
        return self.seed if self.common_random_numbers else point_seed(self.seed, point)

    def resolved(self) -> dict[str, Any]:
        """Everything that decides the results, as plain data (what :meth:`digest` hashes)."""
        return {
            "spec_version": SPEC_VERSION,
            "kind": self.kind,
            "base_scenario": json_ready(self.base.data),
            "fixed": json_ready(self.fixed),
            "keys": list(self.keys),
            "points": [json_ready(p.overrides) for p in self.points],
            "replications": self.replications,
            "seed": self.seed,
            "common_random_numbers": self.common_random_numbers,
            # only when asked, so that the digest of a sweep without one is as it was
            **({} if self.goal is None else {"precision": self.goal.to_dict()}),
        }

    def digest(self) -> str:
        """A SHA-256 of :meth:`resolved`: equal for sweeps that give the same runs."""
        text = json.dumps(self.resolved(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load_sweep(path: str | Path, changes: Mapping[str, Any] | None = None, *,
               cli_set: Mapping[str, Any] | None = None) -> SweepSpec:
    """Read, resolve and validate the sweep file at ``path``.

    ``changes`` is merged into the file's data first, table by table (for example
    ``{"replications": 2, "set": {"simulation.horizon": "8w"}}``), which is how notebooks
    and tests shrink a shipped sweep. ``cli_set`` holds scenario overrides given on the command
    line (``--set``), applied after the file's ``[set]``; errors in them are blamed on
    ``--set``. Raises :class:`~gigsim.errors.ScenarioError` naming the file (or option) and
    the key on bad input.
    """
    path = Path(path)
    source = str(path)
    data, text = read_toml(path)
    if changes:
        data = merge_tables(data, changes)
    return sweep_from_dict(data, source, path.parent, text, cli_set)


def sweep_from_dict(data: Mapping[str, Any], source: str, folder: Path,
                    text: str = "", cli_set: Mapping[str, Any] | None = None) -> SweepSpec:
    """Resolve a sweep given as parsed TOML; ``folder`` is where relative paths start.

    ``cli_set`` is as for :func:`load_sweep`.
    """
    if "scenario" not in data and any(table in data for table in SCENARIO_TABLES):
        raise ScenarioError(source, "", "this is a scenario file, not a sweep file; run it with"
                                        f" `gigsim run {source}`, or name it in a sweep file"
                                        " (scenario = \"...\")")
    root = Section(data, source)
    scenario_path = folder / root.string("scenario")
    name = root.string("name", Path(source).stem)
    root.string("description", "")
    common = root.boolean("common_random_numbers", True)
    metrics = root.strings("metrics", list(DEFAULT_METRICS))
    fixed = _flat_table(root, "set", source)
    base = _base_scenario(scenario_path, fixed, source)
    if cli_set:
        base = base.with_overrides(cli_set)  # errors name --set
        fixed = {**fixed, **cli_set}
    known = study_metrics(base.pay)
    for metric in metrics:
        if metric not in known:
            needs = " needs a pay schedule ([pay] in the scenario)" if metric in PAY_METRICS \
                else ""
            raise ScenarioError(source, "metrics", f"unknown metric {metric!r}{needs}"
                                f" (known: {', '.join(known)})")
    goal = _precision_goal(root, base, source)
    replications = (goal.max_replications if goal is not None
                    else root.count("replications", base.simulation.replications, positive=True))
    seed = root.count("seed", base.simulation.seed, maximum=MAX_SEED)
    designs = [table for table in SWEEP_DESIGNS if root.has(table)]
    if len(designs) != 1:
        found = ", ".join(f"[{d}]" for d in designs) or "none"
        raise ScenarioError(source, "", "expected exactly one of [grid], [sample] or"
                            f" [sensitivity], found {found}")
    kind: Kind = designs[0]  # type: ignore[assignment]
    parameters: tuple[Parameter, ...] = ()
    design: np.ndarray | None = None
    sample_method = ""
    sensitivity: SensitivitySettings | None = None
    if kind == "grid":
        values = {key: expand_values(key, raw, source, "grid")
                  for key, raw in _flat_table(root, "grid", source, required=True).items()}
        rows = full_factorial(values)
        columns = rows
        keys = tuple(values)
    else:
        section = root.section(kind)
        assert section is not None
        bounds = _flat_table(section, "bounds", source, required=True)
        parameters = tuple(parse_bounds(key, raw, source, f"{kind}.bounds")
                           for key, raw in bounds.items())
        keys = tuple(p.key for p in parameters)
        if kind == "sample":
            sample_method = section.string("method", choices=SAMPLE_METHODS)
            count = section.count("count", positive=True)
            check_count(sample_method, count, source, "sample.count")
            section.finish()
            design = sample_points(_method(sample_method), count, parameters, seed)
        else:
            sensitivity = _sensitivity_settings(section, source)
            from gigsim.studies.sweep.sensitivity import SensitivityDesign

            design = SensitivityDesign.from_settings(sensitivity, parameters, seed).sample()
        rows = [{p.key: p.value(x) for p, x in zip(parameters, row, strict=True)}
                for row in design]
        columns = [{p.key: p.column(x) for p, x in zip(parameters, row, strict=True)}
                   for row in design]
    root.finish()
    points = tuple(Point(index, row, _table_values(column),
                         _point_scenario(base, row, index, source, kind))
                   for index, (row, column) in enumerate(zip(rows, columns, strict=True)))
    memory = available_memory()
    for point in points:  # a run holds one replication's records at a time
        try:
            check_size(point.scenario, 1, memory)
        except ScenarioError as error:
            raise ScenarioError(source, error.key, f"at point {point.index}: {error.message}"
                                ) from None
        try:  # warmup = "auto": a horizon long enough for the point's pilot
            check_pilot(point.scenario)
        except GigsimError as error:
            raise GigsimError(f"{source}: at point {point.index}: {error}") from None
    return SweepSpec(name=name, source=source, kind=kind, base=base, fixed=fixed, keys=keys,
                     points=points, replications=replications, seed=seed,
                     common_random_numbers=common, metrics=tuple(metrics),
                     parameters=parameters, sample_method=sample_method,
                     sensitivity=sensitivity, design=design, text=text, goal=goal)


def _precision_goal(root: Section, base: Scenario, source: str) -> PrecisionGoal | None:
    """The goal of ``replications = "auto"`` (or the base scenario's, when the file gives none).

    As in a scenario: ``precision`` (default 0.05) applies only then, and so do
    ``precision_metrics`` and ``max_replications``.
    """
    auto = (root.data.get("replications") == AUTO
            or (not root.has("replications") and base.simulation.precision is not None))
    if not auto:
        for key in ("precision", "precision_metrics", "max_replications"):
            if root.has(key):
                raise ScenarioError(source, key, 'applies only with replications = "auto"'
                                    f" (replications is {root.data.get('replications', 1)!r})")
        return None
    if root.has("replications"):
        root.string("replications")  # "auto", read
    precision = (root.number("precision") if root.has("precision")
                 else base.simulation.precision or DEFAULT_PRECISION)
    try:
        metrics = check_metrics(root.strings("precision_metrics",
                                             list(APPLICANT_DEFAULT_METRICS)),
                                "precision_metrics", METRICS, APPLICANT_DEFAULT_METRICS)
        return PrecisionGoal(float(precision), metrics, max_replications=root.count(
            "max_replications", DEFAULT_MAX_REPLICATIONS, positive=True))
    except GigsimError as error:  # "max replications: …" names the key in words
        named, _, message = str(error).partition(": ")
        key = named.replace(" ", "_")
        raise ScenarioError(source, key if key in SWEEP_KEYS else "precision", message
                            ) from None


def _method(name: str) -> SampleMethod:
    return name  # type: ignore[return-value]  # checked against SAMPLE_METHODS


def _sensitivity_settings(section: Section, source: str) -> SensitivitySettings:
    method = section.string("method", choices=("sobol", "morris"))
    n = section.count("n", positive=True)
    levels = section.count("levels", 4, positive=True)
    second_order = section.boolean("second_order", False)
    section.finish()
    if method == "sobol":
        check_count("sobol", n, source, "sensitivity.n")
        if section.has("levels"):
            raise ScenarioError(source, "sensitivity.levels", "levels is for morris only")
    else:
        if n < 2:
            raise ScenarioError(source, "sensitivity.n", f"morris needs at least 2"
                                f" trajectories, got {n}")
        if levels < 2 or levels % 2:
            raise ScenarioError(source, "sensitivity.levels", f"expected an even number of at"
                                f" least 2, got {levels}")
        if second_order:
            raise ScenarioError(source, "sensitivity.second_order", "is for sobol only")
    return SensitivitySettings(method, n, levels, second_order)  # type: ignore[arg-type]


def _flat_table(section: Section, name: str, source: str,
                required: bool = False) -> dict[str, Any]:
    """A table of dotted keys; ``a.b = 1`` written unquoted (nested tables) is flattened."""
    table = section.section(name)
    if table is None:
        if required:
            raise ScenarioError(source, section.key(name), "missing required table")
        return {}
    out: dict[str, Any] = {}
    _flatten(table.data, "", out)
    if required and not out:
        raise ScenarioError(source, section.key(name), "empty: name at least one scenario key,"
                            ' e.g. "projects.rating.arrivals_per_week"')
    return out


def _flatten(data: Mapping[str, Any], prefix: str, out: dict[str, Any]) -> None:
    from gigsim.studies.sweep.design import RANGE_KEYS

    for key, value in data.items():
        dotted = f"{prefix}{key}"
        nested = (isinstance(value, Mapping) and value
                  and not set(value) <= RANGE_KEYS | {"low", "high", "integer", "dist"}
                  and "dist" not in value)
        if nested:
            _flatten(value, f"{dotted}.", out)
        else:
            out[dotted] = value


def _base_scenario(path: Path, fixed: Mapping[str, Any], source: str) -> Scenario:
    try:
        return load_scenario(path, overrides=dict(fixed) or None)
    except ScenarioError as error:
        if error.source == "--set":
            raise ScenarioError(source, f"set.{error.key}", error.message) from None
        raise


def _point_scenario(base: Scenario, overrides: Mapping[str, Any], index: int, source: str,
                    kind: Kind) -> Scenario:
    try:
        return base.with_overrides(overrides)
    except ScenarioError as error:
        if error.source != "--set":
            raise
        swept = next((k for k in overrides if error.key == k or error.key.startswith(k + ".")
                      or k.startswith(error.key + ".")), None)
        table = "grid" if kind == "grid" else f"{kind}.bounds"
        value = f" = {overrides[swept]!r}" if swept is not None else ""
        where = f"{table}.{swept}" if swept is not None else table
        detail = error.message if swept is not None and error.key == swept \
            else f"{error.key}: {error.message}"
        raise ScenarioError(source, where, f"at point {index}{value}: {detail}") from None


def _table_values(row: Mapping[str, Any]) -> dict[str, Any]:
    """What a tidy table shows for each swept value: scalars as they are, tables as TOML."""
    return {key: value if isinstance(value, str | int | float | bool) else _inline(value)
            for key, value in row.items()}


def _inline(value: Any) -> str:
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{k} = {_inline(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_inline(v) for v in value) + "]"
    return json.dumps(value) if isinstance(value, str | bool) else repr(value)
