"""A sweep's tidy tables, built from its finished runs.

``runs``: one row per (point, replication) with the swept keys as columns and every summary
metric (:data:`gigsim.analysis.applicants.ALL_METRICS`). ``points``: one row per point with each
metric's mean across replications and its 95% interval (``<metric>``, ``<metric>_ci_low``,
``<metric>_ci_high``), as :func:`gigsim.analysis.statistics.metric_interval` computes them (shares
in [0, 1], money and durations ≥ 0). Rows are in point and replication order, whatever order the
runs finished in, so the tables are the same whichever backend ran them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from gigsim.analysis.applicants import ALL_METRICS as METRICS
from gigsim.analysis.statistics import metric_interval
from gigsim.studies.precision import Decision
from gigsim.studies.sweep.spec import SweepSpec

RUN_ID_COLUMNS = ("point", "replication", "seed")


def runs_table(spec: SweepSpec, parts: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """One row per finished run: point, replication, seed, the swept keys, the metrics."""
    columns = {p.index: p.columns for p in spec.points}
    rows = [{"point": part["point"], "replication": part["replication"], "seed": part["seed"],
             **columns[part["point"]], **part["metrics"]} for part in parts]
    frame = pd.DataFrame(rows, columns=[*RUN_ID_COLUMNS, *spec.keys, *METRICS])
    return frame.astype({"point": "int64", "replication": "int64", "seed": "int64"})


def points_table(spec: SweepSpec, runs: pd.DataFrame,
                 decisions: Mapping[int, Decision] | None = None) -> pd.DataFrame:
    """One row per point: the swept keys, the replications finished, every metric's mean.

    Each mean comes with its 95% interval across replications, bounded by the metric's kind.
    With ``decisions`` (a sweep by precision), ``replications`` is what each point needed and
    ``precision_met`` says whether every target met the precision there (False: stopped at the
    maximum).
    """
    by_point = {point: frame for point, frame in runs.groupby("point", sort=True)}
    rows = []
    for point in spec.points:
        row: dict[str, Any] = {"point": point.index, **point.columns}
        frame = by_point.get(point.index)
        row["replications"] = 0 if frame is None else len(frame)
        if decisions is not None:
            row["precision_met"] = decisions[point.index].met
        for metric in METRICS:
            values = [] if frame is None else frame[metric].tolist()
            mean, low, high = metric_interval(metric, values)
            row[metric] = mean
            row[f"{metric}_ci_low"] = low
            row[f"{metric}_ci_high"] = high
        rows.append(row)
    return pd.DataFrame(rows)
