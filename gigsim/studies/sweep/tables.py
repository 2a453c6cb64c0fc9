"""A sweep's tidy tables, built from its finished runs.

``runs``: one row per (point, replication) with the swept keys as columns and every summary
metric (:data:`gigsim.analysis.applicants.ALL_METRICS`, and with a pay schedule its own metrics:
:attr:`~gigsim.studies.sweep.spec.SweepSpec.all_metrics`). ``points``: one row per point with each
metric's mean across replications and its 95% interval (``<metric>``, ``<metric>_ci_low``,
``<metric>_ci_high``), as :func:`gigsim.analysis.statistics.metric_interval` computes them (shares
in [0, 1], money and durations ≥ 0). Rows are in point and replication order, whatever order the
runs finished in, so the tables are the same whichever backend ran them.

Split by worker group (a scenario with several): ``runs_by_group``, one row per point,
replication and group, and ``points_by_group``, one row per point and group, with the
applicant metrics (:data:`gigsim.analysis.applicants.APPLICANT_METRICS`) of each group's
applicants alone, in the same form.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from gigsim.analysis.applicants import APPLICANT_METRICS
from gigsim.analysis.statistics import metric_interval
from gigsim.studies.precision import Decision
from gigsim.studies.sweep.spec import SweepSpec

RUN_ID_COLUMNS = ("point", "replication", "seed")


def runs_table(spec: SweepSpec, parts: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """One row per finished run: point, replication, seed, the swept keys, the metrics."""
    columns = {p.index: p.columns for p in spec.points}
    rows = [{"point": part["point"], "replication": part["replication"], "seed": part["seed"],
             **columns[part["point"]], **part["metrics"]} for part in parts]
    frame = pd.DataFrame(rows, columns=[*RUN_ID_COLUMNS, *spec.keys, *spec.all_metrics])
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
        extra = {} if decisions is None else {"precision_met": decisions[point.index].met}
        rows.append(_with_means(row, by_point.get(point.index), spec.all_metrics, extra))
    return pd.DataFrame(rows)


def _with_means(row: dict[str, Any], frame: pd.DataFrame | None, metrics: Iterable[str],
                extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    row["replications"] = 0 if frame is None else len(frame)
    row.update(extra or {})
    for metric in metrics:
        values = [] if frame is None else frame[metric].tolist()
        mean, low, high = metric_interval(metric, values)
        row[metric] = mean
        row[f"{metric}_ci_low"] = low
        row[f"{metric}_ci_high"] = high
    return row


def group_names(spec: SweepSpec) -> tuple[str, ...]:
    """The worker groups a split by group shows: the base scenario's, when it has several."""
    names = tuple(group.name for group in spec.base.workers)
    return names if len(names) > 1 else ()


def runs_by_group_table(spec: SweepSpec, parts: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """One row per finished run and worker group, with that group's applicant metrics.

    Columns: the run's ids, the keys, ``group``, then the metrics of the group's applicants
    alone (NaN for a run saved without its groups).
    """
    columns = {p.index: p.columns for p in spec.points}
    rows = [{"point": part["point"], "replication": part["replication"], "seed": part["seed"],
             **columns[part["point"]], "group": group,
             **part.get("groups", {}).get(group, {})}
            for part in parts for group in group_names(spec)]
    frame = pd.DataFrame(rows, columns=[*RUN_ID_COLUMNS, *spec.keys, "group",
                                        *APPLICANT_METRICS])
    return frame.astype({"point": "int64", "replication": "int64", "seed": "int64"})


def points_by_group_table(spec: SweepSpec, runs: pd.DataFrame) -> pd.DataFrame:
    """One row per point and worker group: each applicant metric's mean and 95% interval."""
    by_key = {key: frame for key, frame in runs.groupby(["point", "group"], sort=False)}
    rows = []
    for point in spec.points:
        for group in group_names(spec):
            row: dict[str, Any] = {"point": point.index, **point.columns, "group": group}
            rows.append(_with_means(row, by_key.get((point.index, group)), APPLICANT_METRICS))
    return pd.DataFrame(rows)
