"""Calibration by the method of simulated moments, on common random numbers.

For parameters θ (scenario keys within bounds) the simulated moments m̄(θ) are the means over
R replications of the target metrics, every evaluation run on the same seed, so replication r
of every θ draws from the same streams and the objective is a smooth-ish, repeatable function
of θ. The objective is

    Q(θ) = Σⱼ wⱼ ((m̄ⱼ(θ) − targetⱼ) / toleranceⱼ)²,

so that a target met exactly adds 0 and one at its tolerance adds its weight. scipy's
Nelder–Mead minimises Q over the unit cube of the bounds, from the file's start values.
Values are rounded to four significant figures before each evaluation, so the best evaluation
is exactly what the calibrated scenario says.

**Uncertainty** (the MSM sandwich): with G = ∂m̄/∂θ at θ̂ (central differences on the same
random numbers), W = diag(wⱼ / toleranceⱼ²) and Σ = Var(m̄) + diag(target standard errors²),
where Var(m̄) is the covariance of the replications' metrics divided by R,

    Var(θ̂) ≈ (G′WG)⁻¹ G′W Σ W G (G′WG)⁻¹.

It is the spread of θ̂ from the simulation's and the targets' sampling noise; it does not
cover a model that cannot meet its targets. Intervals are θ̂ ± 1.96 se, cut to the bounds.

**Resuming**: every evaluation is saved in ``OUT/evaluations/`` under a hash of its values as
soon as it finishes; the optimiser is deterministic, so a rerun with ``resume`` replays the
saved evaluations and computes only the rest.
"""

from __future__ import annotations

import hashlib
import json
import math
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize

from gigsim.analysis.statistics import METRICS, metric_interval
from gigsim.errors import GigsimError
from gigsim.files import write_json
from gigsim.scenario.units import duration_for_person
from gigsim.studies.fitting.spec import CalibrationSpec, Parameter
from gigsim.studies.sweep.backends import Backend, SerialBackend
from gigsim.studies.sweep.task import RunTask

Z_95 = 1.959963984540054
SIGNIFICANT = 4
STATE_FILE = "calibration.json"
EVALUATIONS = "evaluations"


def rounded(x: float) -> float:
    """``x`` to four significant figures (what a calibrated scenario is written with)."""
    return float(f"{x:.{SIGNIFICANT}g}")


@dataclass(frozen=True)
class Evaluation:
    """The runs of one parameter vector: each replication's metrics and the objective."""

    values: Mapping[str, float]  # the parameters (hours for durations); empty: the scenario
    per_replication: pd.DataFrame  # one row per replication, one column per metric
    objective: float
    cached: bool = False

    def mean(self, metric: str) -> float:
        """The metric's mean over replications."""
        return float(np.nanmean(self.per_replication[metric].to_numpy(dtype=float)))


@dataclass
class Calibration:
    """A finished calibration: the best values, their uncertainty, targets and the trace."""

    spec: CalibrationSpec
    best: Evaluation
    before: Evaluation
    parameters: pd.DataFrame
    targets: pd.DataFrame
    trace: pd.DataFrame
    computed: int
    reused: int
    folder: Path | None = None
    files: list[str] = field(default_factory=list)

    @property
    def on_target(self) -> bool:
        """Whether every target's achieved mean is within its tolerance."""
        return bool(self.targets["within_tolerance"].all())


def objective(spec: CalibrationSpec, per_replication: pd.DataFrame) -> float:
    """Q: the weighted sum of squared misses, each in units of its tolerance."""
    total = 0.0
    for target in spec.targets:
        achieved = float(np.nanmean(per_replication[target.metric].to_numpy(dtype=float)))
        if math.isnan(achieved):
            return math.inf
        total += target.weight * ((achieved - target.value) / target.tolerance) ** 2
    return total


class Evaluator:
    """Runs the replications of parameter vectors on a backend, and saves each evaluation."""

    def __init__(self, spec: CalibrationSpec, backend: Backend, folder: Path | None) -> None:
        self.spec = spec
        self.backend = backend
        self.folder = folder
        self.computed = 0
        self.reused = 0
        self.trace: list[Evaluation] = []

    def _path(self, values: Mapping[str, float]) -> Path | None:
        if self.folder is None:
            return None
        text = json.dumps({k: repr(v) for k, v in sorted(values.items())})
        name = hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]
        return self.folder / EVALUATIONS / f"{name}.json"

    def __call__(self, values: Mapping[str, float], record: bool = True) -> Evaluation:
        """Evaluate ``values`` (or the scenario as it is, for ``{}``), from disk if saved."""
        path = self._path(values)
        if path is not None and path.is_file():
            saved = json.loads(path.read_text(encoding="utf-8"))
            frame = pd.DataFrame(saved["per_replication"], columns=list(METRICS)).astype(float)
            self.reused += 1
            evaluation = Evaluation(dict(values), frame, objective(self.spec, frame), True)
        else:
            scenario = self.spec.scenario_at(values) if values else self.spec.base
            # the point number only names the runs (Dask keys must not repeat); the seed and
            # the replication decide the random numbers, the same for every evaluation
            point = self.computed
            tasks = [RunTask(point, r, self.spec.seed, scenario)
                     for r in range(self.spec.replications)]
            outcomes = sorted(self.backend.run(tasks), key=lambda o: o.replication)
            frame = pd.DataFrame([dict(o.metrics) for o in outcomes],
                                 columns=list(METRICS)).astype(float)
            if path is not None:
                write_json(path, {"values": dict(values),
                                  "per_replication": frame.to_dict(orient="records")})
            self.computed += 1
            evaluation = Evaluation(dict(values), frame, objective(self.spec, frame))
        if record:
            self.trace.append(evaluation)
        return evaluation


def prepare_folder(spec: CalibrationSpec, out: Path, resume: bool, force: bool) -> None:
    """Refuse a folder that cannot be used; with ``force`` empty it; write the state file.

    :func:`calibrate`, its only caller, has already refused ``resume`` with ``force``.
    """
    state = out / STATE_FILE
    if out.exists():
        held = None
        if state.is_file():
            try:
                held = json.loads(state.read_text(encoding="utf-8")).get("digest")
            except (OSError, ValueError):
                held = None
        if force:
            shutil.rmtree(out)
        elif not resume:
            raise GigsimError(f"{out}: already exists; use --resume to continue it, --force to"
                              " start over, or --out elsewhere")
        elif held is None:
            raise GigsimError(f"{out}: is not a calibration folder; use --force to replace it,"
                              " or --out elsewhere")
        elif held != spec.digest():
            raise GigsimError(f"{out}: holds evaluations of a different scenario, keys,"
                              " replications or seed; use --force to start over, or --out"
                              " elsewhere")
    (out / EVALUATIONS).mkdir(parents=True, exist_ok=True)
    write_json(state, {"digest": spec.digest(), "calibration": spec.name,
                       "calibration_file": spec.source})


def calibrate(spec: CalibrationSpec, out: str | Path | None = None, *,
              backend: Backend | None = None, resume: bool = False, force: bool = False,
              progress: Callable[[int, float], None] | None = None) -> Calibration:
    """Find the parameter values whose simulated moments come closest to the targets.

    Evaluations are saved under ``out`` (when given) as they finish; ``resume`` reuses them.
    ``progress(evaluation, objective)`` is called after each evaluation. The result holds the
    tables; :func:`gigsim.presentation.calibration.write_calibration` writes them.
    """
    folder = Path(out) if out is not None else None
    if folder is not None and resume and force:
        raise GigsimError("--resume and --force: give one (--resume keeps the saved"
                          " evaluations, --force discards them)")
    backend = backend if backend is not None else SerialBackend()
    parameters = spec.parameters
    with backend:  # connecting may fail: the folder is touched only after
        if folder is not None:
            prepare_folder(spec, folder, resume, force)
        evaluate = Evaluator(spec, backend, folder)

        def at(z: np.ndarray) -> dict[str, float]:
            return {p.key: rounded(p.from_unit(float(v))) for p, v in zip(parameters, z,
                                                                            strict=True)}

        def q(z: np.ndarray) -> float:
            evaluation = evaluate(at(z))
            if progress is not None:
                progress(len(evaluate.trace), evaluation.objective)
            return evaluation.objective

        before = evaluate({}, record=False)
        z0 = np.array([p.to_unit(p.start) for p in parameters])
        simplex = [z0] + [_step(z0, i, 0.25) for i in range(len(parameters))]
        optimize.minimize(q, z0, method="Nelder-Mead", bounds=[(0.0, 1.0)] * len(parameters),
                          options={"maxfev": spec.max_evaluations, "xatol": 1e-3,
                                   "fatol": 1e-3, "initial_simplex": np.array(simplex)})
        best = min(evaluate.trace, key=lambda e: e.objective)
        table = _uncertainty(spec, evaluate, best)
    targets = _targets_table(spec, before, best)
    trace = _trace_table(spec, evaluate.trace)
    return Calibration(spec, best, before, table, targets, trace, evaluate.computed,
                       evaluate.reused, folder)


def check(spec: CalibrationSpec, backend: Backend | None = None) -> pd.DataFrame:
    """The targets against the base scenario as it is (no optimisation): the targets table."""
    with backend if backend is not None else SerialBackend() as running:
        evaluation = Evaluator(spec, running, None)({}, record=False)
    return _targets_table(spec, None, evaluation)


def _step(z0: np.ndarray, axis: int, size: float) -> np.ndarray:
    z = z0.copy()
    z[axis] = z[axis] + size if z[axis] + size <= 1 else z[axis] - size
    return z


def _uncertainty(spec: CalibrationSpec, evaluate: Evaluator, best: Evaluation
                 ) -> pd.DataFrame:
    """Parameters with their sandwich standard errors and 95% intervals (cut to the bounds)."""
    theta = np.array([best.values[p.key] for p in spec.parameters])
    metrics = [t.metric for t in spec.targets]
    jacobian = np.zeros((len(metrics), len(theta)))
    for i, p in enumerate(spec.parameters):
        h = 0.05 * (p.high - p.low)
        up = {**best.values, p.key: rounded(min(theta[i] + h, p.high))}
        down = {**best.values, p.key: rounded(max(theta[i] - h, p.low))}
        width = up[p.key] - down[p.key]
        high, low = evaluate(up, record=False), evaluate(down, record=False)
        jacobian[:, i] = [(high.mean(m) - low.mean(m)) / width for m in metrics]
    replications = best.per_replication[metrics].to_numpy(dtype=float)
    count = max(len(replications), 1)
    sim_cov = (np.atleast_2d(np.cov(replications, rowvar=False)) / count
               if count > 1 else np.zeros((len(metrics), len(metrics))))
    sigma = sim_cov + np.diag([t.standard_error ** 2 for t in spec.targets])
    weights = np.diag([t.weight / t.tolerance ** 2 for t in spec.targets])
    bread = jacobian.T @ weights @ jacobian
    note = ""
    try:
        inverse = np.linalg.inv(bread)
        cov = inverse @ jacobian.T @ weights @ sigma @ weights @ jacobian @ inverse
        se = np.sqrt(np.clip(np.diag(cov), 0, None))
    except np.linalg.LinAlgError:
        se = np.full(len(theta), math.nan)
        note = "the targets do not move with some parameter: no standard error"
    rows = []
    for i, p in enumerate(spec.parameters):
        rows.append({
            "key": p.key, "unit": "h" if p.duration else "",
            "start": p.start, "calibrated": theta[i], "low_bound": p.low,
            "high_bound": p.high, "standard_error": se[i],
            "ci_low": max(p.low, theta[i] - Z_95 * se[i]) if not math.isnan(se[i]) else math.nan,
            "ci_high": min(p.high, theta[i] + Z_95 * se[i]) if not math.isnan(se[i])
            else math.nan,
            "at_bound": bool(math.isclose(theta[i], p.low) or math.isclose(theta[i], p.high)),
            "note": note,
            **{f"d_{m}": jacobian[j, i] for j, m in enumerate(metrics)},
        })
    return pd.DataFrame(rows)


def _targets_table(spec: CalibrationSpec, before: Evaluation | None, after: Evaluation
                   ) -> pd.DataFrame:
    rows = []
    for target in spec.targets:
        row: dict[str, Any] = {"metric": target.metric, "description": METRICS[target.metric],
                               "value": target.value, "tolerance": target.tolerance,
                               "weight": target.weight, "standard_error": target.standard_error}
        for label, evaluation in (("before", before), ("achieved", after)):
            if evaluation is None:
                continue
            mean, low, high = metric_interval(
                target.metric, evaluation.per_replication[target.metric].to_numpy(dtype=float))
            row.update({f"{label}_mean": mean, f"{label}_ci_low": low,
                        f"{label}_ci_high": high})
        achieved = row["achieved_mean"]
        row["within_tolerance"] = bool(abs(achieved - target.value) <= target.tolerance
                                       + 1e-12) if not math.isnan(achieved) else False
        rows.append(row)
    return pd.DataFrame(rows)


def _trace_table(spec: CalibrationSpec, trace: list[Evaluation]) -> pd.DataFrame:
    rows = []
    for index, evaluation in enumerate(trace, start=1):
        row: dict[str, Any] = {"evaluation": index, "objective": evaluation.objective,
                               "from_cache": evaluation.cached}
        for p in spec.parameters:
            row[p.key] = evaluation.values[p.key]
        for target in spec.targets:
            row[f"target:{target.metric}"] = evaluation.mean(target.metric)
        rows.append(row)
    return pd.DataFrame(rows)


def parameter_text(parameter: Parameter, value: float) -> str:
    """A calibrated value as a person reads it: ``"103.5 days"``, ``"5.3 h"`` or ``0.75``.

    Durations are in days (hours under a day); the tables keep hours.
    """
    return duration_for_person(value) if parameter.duration else f"{value:.{SIGNIFICANT}g}"
