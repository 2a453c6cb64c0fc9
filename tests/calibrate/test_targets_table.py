"""The targets table of ``gigsim calibrate``: intervals as every other table gives them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from gigsim.analysis.statistics import metric_interval
from gigsim.cli.calibrate import targets_text
from gigsim.studies.fitting.calibrate import Evaluation, _targets_table, parameter_text
from gigsim.studies.fitting.spec import load_calibration

from .test_cli_calibrate import BASE

# per replication, shares near 0 and near 1: a t interval cut at the bounds ends exactly at 0
# or 1, which no mean of values strictly between them can reach
PER_REPLICATION = pd.DataFrame({"unpaid_share": [0.01, 0.20, 0.02],
                                "months_with_income_share": [0.99, 0.80, 0.98]})


def test_before_and_achieved_intervals_are_the_metrics_own(tmp_path: Path) -> None:
    path = tmp_path / "calibration.toml"
    path.write_text(BASE, encoding="utf-8")
    spec = load_calibration(path)
    assert [t.metric for t in spec.targets] == list(PER_REPLICATION)
    evaluation = Evaluation(values={}, per_replication=PER_REPLICATION, objective=0.0)
    table = _targets_table(spec, evaluation, evaluation).set_index("metric")
    for metric in PER_REPLICATION:
        expected = metric_interval(metric, PER_REPLICATION[metric].to_numpy())
        row = table.loc[metric]
        for label in ("before", "achieved"):
            got = (row[f"{label}_mean"], row[f"{label}_ci_low"], row[f"{label}_ci_high"])
            assert got == pytest.approx(expected)
            assert 0 < got[1] < got[0] < got[2] < 1  # strictly within what is possible


def test_calibrated_durations_print_in_days(tmp_path: Path) -> None:
    """Calibrated patience printed as "2484h"; a person reads days (hours under a day)."""
    path = tmp_path / "calibration.toml"
    path.write_text(BASE.replace('"workers.raters.checking_hours_per_day" = { low = 0.2,'
                                 ' high = 2.0 }\n', ""), encoding="utf-8")
    spec = load_calibration(path)
    (lifetime,) = spec.parameters
    assert lifetime.duration
    assert parameter_text(lifetime, 2484.0) == "103.5 days"
    assert parameter_text(lifetime, 5.26) == "5.3 h"
    table = pd.DataFrame([{"metric": "latency_median_h", "value": 72.0, "tolerance": 12.0,
                           "achieved_mean": 2484.0, "achieved_ci_low": 2072.4,
                           "achieved_ci_high": 2895.6, "within_tolerance": False}])
    row = targets_text(spec, table).splitlines()[-1]
    assert "3.0 days ± 12.0 h" in row and "103.5 days [86.4 days, 120.6 days]" in row
