"""The scenarios the benchmarks run, and the measures they report (worker-years, utilisation).

The reference scenario is ``benchmarks/reference.toml`` (``scenarios/generalist.toml`` as it was
before its recalibration, frozen so that figures stay comparable) scaled to a target number of
workers on the platform. Scaling multiplies by one factor ``k``: the initial applicants
(``count``), the applicant arrivals per week and the project launches per week of every
generator. Everything else is kept: project sizes (seats), lifetimes, pay, the assessment,
training, notice, sparse phase, patience, hazard and checking time: each worker sees the same
kind of world as in the calibrated scenario, on a platform ``k`` times larger (more projects,
not bigger ones).

``k`` is chosen so that the mean number of workers on the platform over the simulated span
(warm-up included) is about the target in the run the benchmark times: replication 0 of the
scenario's seed, 1 year. The pool is not proportional to ``k``: on a small platform one project
of ~1,000 seats is a large share of the pool, and droughts drive more workers away (averaged
over 8 replications, k = 0.45 gives 1,000 workers and 3.26 gives 10,000; replication 0 has
fewer than the average). :data:`CALIBRATION` holds ``(target, k)`` pairs found by
``python -m benchmarks.calibrate``; other targets are interpolated on log scales. Another
horizon, or a simulator that draws its random numbers differently, reaches a somewhat different
pool with the same ``k``, so the benchmark reports the mean actually reached ("on platform")
beside each figure, and its rates are per worker-year actually simulated.
"""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.baselines.common import HOURS_PER_YEAR, ToyParams

ROOT = Path(__file__).resolve().parent.parent
REFERENCE_FILE = ROOT / "benchmarks" / "reference.toml"
# (target workers on the platform, scale factor k) from `python -m benchmarks.calibrate` on
# replication 0, 1 year, gigsim at commit a4b896b (2026-11-27)
CALIBRATION: tuple[tuple[float, float], ...] = (
    (1000.0, 0.6257),
    (2000.0, 1.0782),
    (3000.0, 1.4420),
    (10000.0, 3.5023),
    (100000.0, 30.133),
)
SEED = 20261126  # the reference file's seed; every benchmark uses replication 0 of it


def reference_data(workers: float, years: float, k: float | None = None) -> dict[str, Any]:
    """``reference.toml`` scaled to about ``workers`` on the platform, horizon ``years``.

    ``k`` overrides the calibrated scale factor.
    """
    with REFERENCE_FILE.open("rb") as handle:
        data = tomllib.load(handle)
    data = copy.deepcopy(data)
    if k is None:
        k = scale_factor(workers)
    for group in data["workers"]:
        group["count"] = round(group.get("count", 0) * k)
        group["arrivals_per_week"] = group.get("arrivals_per_week", 0) * k
    for gen in data["projects"]:
        gen["arrivals_per_week"] = gen["arrivals_per_week"] * k
    data["simulation"]["horizon"] = f"{years * HOURS_PER_YEAR:g}h"
    data["simulation"]["replications"] = 1
    data["name"] = f"generalist-{workers:g}w-{years:g}y"
    return data


def scale_factor(workers: float) -> float:
    """The scale factor for about ``workers`` on the platform (see the module docstring)."""
    points = sorted(CALIBRATION)
    x = np.log([n for n, _ in points])
    y = np.log([k for _, k in points])
    t = float(np.log(workers))
    if t <= x[0]:  # beyond the table: extrapolate along the nearest segment
        slope = (y[1] - y[0]) / (x[1] - x[0])
        return float(np.exp(y[0] + slope * (t - x[0])))
    if t >= x[-1]:
        slope = (y[-1] - y[-2]) / (x[-1] - x[-2])
        return float(np.exp(y[-1] + slope * (t - x[-1])))
    return float(np.exp(np.interp(t, x, y)))


def reference_scenario(workers: float, years: float):  # type: ignore[no-untyped-def]
    """The validated :class:`gigsim.Scenario` of :func:`reference_data`."""
    import gigsim

    return gigsim.Scenario.from_dict(reference_data(workers, years),
                                     source=f"{REFERENCE_FILE} (scaled)")


def toy_data(params: ToyParams) -> dict[str, Any]:
    """The toy model of :mod:`benchmarks.baselines` as a gigsim scenario."""
    return {
        "name": "toy",
        "description": "benchmarks.baselines toy model",
        "simulation": {"horizon": f"{params.horizon_h:g}h", "warmup": 0, "replications": 1,
                       "seed": params.seed},
        "workers": [{
            "name": "workers",
            "count": params.workers,
            "arrivals_per_week": 0,
            "skills": ["toy"],
            "hours_per_week": params.hours_per_week,
            "checking_hours_per_day": 0,
        }],
        "projects": [{
            "name": "projects",
            "requires": "toy",
            "arrivals_per_week": params.arrivals_per_h * 168.0,
            "seats": params.seats,
            "lifetime": {"dist": "exponential", "mean": f"{params.lifetime_mean_h:g}h"},
            "pay_per_hour": 15,
            "hours_per_week_per_seat": 168,  # supply never limits: work = availability
        }],
        "dispatch": {"policy": "longest-idle", "delay": 0, "pre_assign_on_notice": False},
    }


def toy_scenario(params: ToyParams):  # type: ignore[no-untyped-def]
    """The validated :class:`gigsim.Scenario` of :func:`toy_data`."""
    import gigsim

    return gigsim.Scenario.from_dict(toy_data(params), source="<toy>")


def worker_years(records: Any) -> float:
    """Time on the platform within the simulated span, summed over workers, in years.

    A worker is on the platform from joining (assessment included) until leaving (failing the
    assessment, impatience or hazard) or the end of the run. The span is the whole simulated
    time, warm-up included, since the simulator does that work too: [0, warm-up + horizon].
    """
    w = records.workers
    end = records.end_h
    left = np.where(np.isnan(w["left"]), end, np.minimum(w["left"], end))
    joined = np.minimum(w["joined"], end)
    return float(np.sum(left - joined)) / HOURS_PER_YEAR


def assigned_hours(records: Any) -> float:
    """Worker-hours on a project (training and work spells), over the whole span."""
    s = records.spells
    on_project = s["kind"] >= 2  # SpellKind.TRAINING, SpellKind.WORK
    return float(np.sum(s["end"][on_project] - s["start"][on_project]))
