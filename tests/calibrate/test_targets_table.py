"""The targets table of ``gigsim calibrate``: intervals as every other table gives them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from gigsim.analysis.statistics import metric_interval
from gigsim.studies.fitting.calibrate import Evaluation, _targets_table
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
