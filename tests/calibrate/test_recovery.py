"""Calibration recovers two known parameters from moments simulated with them.

The targets are the means of 20 replications of the small scenario at the true values, on a
seed the calibration never uses, with their standard errors; the calibration runs on another
seed. The MSM sandwich interval (simulation noise of both sides) must cover the truth, and be
narrow enough to say something: well inside the bounds.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import gigsim
from gigsim.studies.fitting.calibrate import calibrate
from gigsim.studies.fitting.spec import load_calibration
from gigsim.studies.sweep.backends import ProcessBackend

HERE = Path(__file__).parent
TRUTH = {"workers.raters.checking_hours_per_day": 1.0, "projects.rating.arrivals_per_week": 2.0}
METRICS = ("unpaid_share", "months_with_income_share")


def _targets() -> dict[str, tuple[float, float]]:
    scenario = gigsim.load_scenario(HERE / "small.toml", overrides=TRUTH)
    per_replication = gigsim.simulate(scenario, replications=20, seed=99).summary() \
        .per_replication
    return {m: (float(per_replication[m].mean()),
                float(per_replication[m].std(ddof=1) / math.sqrt(20))) for m in METRICS}


def _write_calibration(folder: Path, targets: dict[str, tuple[float, float]]) -> Path:
    lines = ['name = "recovery"', f'scenario = "{(HERE / "small.toml").as_posix()}"',
             "replications = 8", "seed = 11", "max_evaluations = 40", "", "[parameters]",
             '"workers.raters.checking_hours_per_day" = { low = 0.2, high = 2.0, start = 0.5 }',
             '"projects.rating.arrivals_per_week" = { low = 1.0, high = 4.0, start = 3.0 }',
             "", "[targets]"]
    for metric, (value, se) in targets.items():
        lines.append(f"{metric} = {{ value = {value!r}, tolerance = 0.02,"
                     f" standard_error = {se!r} }}")
    path = folder / "recovery.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.slow
def test_calibration_recovers_known_parameters(tmp_path: Path) -> None:
    spec = load_calibration(_write_calibration(tmp_path, _targets()))
    result = calibrate(spec, tmp_path / "out")
    table = result.parameters.set_index("key")
    for key, truth in TRUTH.items():
        row = table.loc[key]
        assert row["ci_low"] <= truth <= row["ci_high"], (key, row.to_dict())
        # the interval says something: it is narrower than half the bounds
        assert row["ci_high"] - row["ci_low"] < 0.5 * (row["high_bound"] - row["low_bound"])
    assert result.best.objective < result.before.objective


@pytest.mark.slow
def test_resume_replays_saved_evaluations(tmp_path: Path) -> None:
    targets = {"unpaid_share": (0.25, 0.0), "months_with_income_share": (0.85, 0.0)}
    spec = load_calibration(_write_calibration(tmp_path, targets), {"max_evaluations": 8,
                                                                     "replications": 3})
    first = calibrate(spec, tmp_path / "out")
    again = calibrate(spec, tmp_path / "out", resume=True)
    assert again.computed == 0 and again.reused == first.computed
    assert first.trace.drop(columns="from_cache").equals(again.trace.drop(columns="from_cache"))
    assert np.array_equal(first.parameters["calibrated"], again.parameters["calibrated"])


@pytest.mark.slow
def test_the_same_whatever_runs_the_evaluations(tmp_path: Path) -> None:
    targets = {"unpaid_share": (0.25, 0.0), "months_with_income_share": (0.85, 0.0)}
    spec = load_calibration(_write_calibration(tmp_path, targets), {"max_evaluations": 3,
                                                                     "replications": 2})
    here = calibrate(spec)
    there = calibrate(spec, backend=ProcessBackend(2))
    assert here.trace.equals(there.trace)
    assert here.parameters.equals(there.parameters)
