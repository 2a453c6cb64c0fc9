"""The figures of a sweep: heatmaps over two keys, lines over one, sensitivity indices."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from gigsim.analysis.applicants import APPLICANT_METRICS
from gigsim.presentation.figures.base import new_figure, set_title
from gigsim.scenario.units import HOURS_PER_DAY

if TYPE_CHECKING:
    from gigsim.studies.sweep.spec import SweepSpec


def _metric_label(metric: str) -> str:
    from gigsim.analysis.applicants import KNOWN_METRICS as METRICS

    return METRICS.get(metric, metric)


def _is_duration(metric: str) -> bool:
    return metric.endswith("_h") and not metric.endswith("_seat_h")


def _in_days(points: pd.DataFrame, metric: str) -> tuple[pd.DataFrame, str]:
    """The points with a duration metric (and its interval) in days, and the axis label.

    The tables keep hours; a figure a person reads shows days.
    """
    if not _is_duration(metric):
        return points, metric
    columns = [c for c in (metric, f"{metric}_ci_low", f"{metric}_ci_high") if c in points]
    return points.assign(**{c: points[c] / HOURS_PER_DAY for c in columns}), f"{metric} (days)"


def _format_metric(metric: str, value: float) -> str:
    if np.isnan(value):
        return "–"
    if metric.endswith("_share") or metric == "effective_to_paid_wage":
        return f"{value:.0%}"
    if _is_duration(metric):  # already in days (_in_days)
        return f"{value:,.1f}"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def _axis_values(values: pd.Series) -> tuple[list[object], list[str]]:
    """The distinct values of a swept key in order (sorted when numeric), and their labels."""
    distinct = list(dict.fromkeys(values.tolist()))
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in distinct):
        distinct.sort()
        return distinct, [f"{v:g}" for v in distinct]
    return distinct, [str(v) for v in distinct]


def sweep_heatmap_figure(points: pd.DataFrame, x: str, y: str, metric: str) -> Figure:
    """A heatmap of ``metric``'s mean over a two-key grid, each cell annotated with its value.

    ``points`` is a sweep's per-point table (one row per point, the swept keys as columns,
    ``metric`` the mean across replications).
    """
    points, label = _in_days(points, metric)
    xs, x_labels = _axis_values(points[x])
    ys, y_labels = _axis_values(points[y])
    grid = np.full((len(ys), len(xs)), np.nan)
    for _, row in points.iterrows():
        grid[ys.index(row[y]), xs.index(row[x])] = row[metric]
    figure = new_figure(7.0, 5.0)
    axes = figure.add_subplot()
    image = axes.imshow(grid, origin="lower", aspect="auto", cmap="viridis")
    figure.colorbar(image, ax=axes, label=label)
    finite = grid[np.isfinite(grid)]
    middle = (finite.min() + finite.max()) / 2 if len(finite) else 0.0
    for i in range(len(ys)):
        for j in range(len(xs)):
            colour = "black" if np.isfinite(grid[i, j]) and grid[i, j] > middle else "white"
            axes.text(j, i, _format_metric(metric, grid[i, j]), ha="center", va="center",
                      color=colour, fontsize=9)
    axes.set_xticks(range(len(xs)), x_labels)
    axes.set_yticks(range(len(ys)), y_labels)
    axes.set_xlabel(x)
    axes.set_ylabel(y)
    set_title(axes, _metric_label(metric), fontsize=10)
    return figure


def sweep_lines_figure(points: pd.DataFrame, x: str, metric: str,
                       by: str | None = None) -> Figure:
    """``metric``'s mean against one swept key, with its 95% confidence band.

    ``by`` draws one line per value of another swept key. The band is the per-point t interval
    across replications (``<metric>_ci_low`` to ``<metric>_ci_high``).
    """
    figure = new_figure()
    axes = figure.add_subplot()
    points, y_label = _in_days(points, metric)
    xs, x_labels = _axis_values(points[x])
    numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in xs)
    groups = [(None, points)] if by is None else [
        (value, points[points[by] == value]) for value in _axis_values(points[by])[0]]
    for value, frame in groups:
        frame = frame.assign(_x=[xs.index(v) if not numeric else v for v in frame[x]])
        frame = frame.sort_values("_x")
        label = None if by is None else f"{by} = {value}"
        line = axes.plot(frame["_x"], frame[metric], marker="o", label=label)[0]
        axes.fill_between(frame["_x"].to_numpy(dtype=float),
                          frame[f"{metric}_ci_low"].to_numpy(dtype=float),
                          frame[f"{metric}_ci_high"].to_numpy(dtype=float),
                          color=line.get_color(), alpha=0.2, linewidth=0)
    if not numeric:
        axes.set_xticks(range(len(xs)), x_labels)
    axes.set_xlabel(x)
    axes.set_ylabel(y_label)
    set_title(axes, f"{_metric_label(metric)}\n(mean and 95% confidence band)", fontsize=10)
    axes.grid(True, alpha=0.3)
    if by is not None:
        axes.legend(fontsize=8)
    return figure


def sweep_figures(points: pd.DataFrame, keys: list[str], metrics: list[str],
                  grid: bool = True) -> dict[str, Figure]:
    """A sweep's figures by file stem, one per metric.

    For a 2-key grid a heatmap (``heatmap_<metric>``), for one swept key lines with
    confidence bands (``lines_<metric>``); nothing for more keys or a 2-key sample, which a
    heatmap cannot show.
    """
    figures: dict[str, Figure] = {}
    for metric in metrics:
        if len(keys) == 1:
            figures[f"lines_{metric}"] = sweep_lines_figure(points, keys[0], metric)
        elif len(keys) == 2 and grid:
            figures[f"heatmap_{metric}"] = sweep_heatmap_figure(points, keys[0], keys[1], metric)
    return figures


def sensitivity_figure(indices: pd.DataFrame, metric: str) -> Figure:
    """Bars of the sensitivity indices of ``metric``, one group per parameter.

    First-order and total Sobol' indices (S1, ST), or Morris mu* and sigma, with the 95%
    intervals SALib gives as error bars.
    """
    table = indices[indices["metric"] == metric]
    sobol = table["index"].isin(["S1", "ST"]).any()
    shown = ["S1", "ST"] if sobol else ["mu_star", "sigma"]
    parameters = list(dict.fromkeys(table.loc[table["index"] == shown[0], "parameter"]))
    figure = new_figure(7.0, 1.5 + 0.6 * max(len(parameters), 2))
    axes = figure.add_subplot()
    height = 0.8 / len(shown)
    for k, index in enumerate(shown):
        rows = table[table["index"] == index].set_index("parameter").reindex(parameters)
        conf = rows["conf"].to_numpy(dtype=float)
        positions = np.arange(len(parameters)) + (k - (len(shown) - 1) / 2) * height
        axes.barh(positions, rows["value"].to_numpy(dtype=float), height=height,
                  xerr=np.where(np.isnan(conf), 0.0, conf), capsize=3,
                  label={"S1": "first order (S1)", "ST": "total (ST)", "mu_star": "mu*",
                         "sigma": "sigma"}[index])
    axes.set_yticks(range(len(parameters)), parameters)
    axes.invert_yaxis()
    axes.axvline(0, color="black", linewidth=0.8)
    axes.set_xlabel("Sobol' index (share of variance)" if sobol
                    else f"elementary effect on {metric} over the parameter's range")
    set_title(axes, f"Sensitivity of {metric} ({'Sobol' if sobol else 'Morris'}, 95% CI)",
                   fontsize=10)
    axes.grid(True, axis="x", alpha=0.3)
    axes.legend(fontsize=8)
    return figure


def folder_figures(spec: SweepSpec, points: pd.DataFrame, indices: pd.DataFrame | None,
                   points_by_group: pd.DataFrame | None = None) -> dict[str, Figure]:
    """The figures ``gigsim sweep`` saves in a sweep's folder, by file stem.

    :func:`sweep_figures` of the spec's keys and metrics, and for a ``[sensitivity]`` sweep a
    :func:`sensitivity_figure` of each metric whose indices are not all NaN. Split by group
    (``points_by_group``) with one swept key, also ``lines_by_group_<metric>``, a line per
    worker group, for each per-applicant metric shown (a grid of two keys keeps its pooled
    heatmaps). Pass it to :func:`gigsim.studies.sweep.run_sweep` as ``figures``.
    """
    drawn = sweep_figures(points, list(spec.keys), list(spec.metrics), grid=spec.kind == "grid")
    if points_by_group is not None and len(spec.keys) == 1:
        for metric in spec.metrics:
            if metric in APPLICANT_METRICS:
                drawn[f"lines_by_group_{metric}"] = sweep_lines_figure(
                    points_by_group, spec.keys[0], metric, by="group")
    if indices is not None:
        for metric in spec.metrics:
            values = indices.loc[indices["metric"] == metric, "value"].to_numpy(dtype=float)
            if len(values) and not all(np.isnan(values)):
                drawn[f"sensitivity_{metric}"] = sensitivity_figure(indices, metric)
    return drawn
