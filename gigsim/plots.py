"""Figures: functions that take tables and return matplotlib figures.

This is the module that draws (:mod:`gigsim.estimate_plots` composes its functions for an
estimate). It builds :class:`matplotlib.figure.Figure` objects with
their own Agg canvas instead of going through ``pyplot``, so importing it selects no backend and
changes no global state; callers save a figure with ``figure.savefig(path)`` or show it in a
notebook. It is imported by the CLI and output code only, never by the simulation.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from numpy.typing import ArrayLike
from scipy import stats

from gigsim import survival
from gigsim.scenario.units import HOURS_PER_DAY, HOURS_PER_MONTH, HOURS_PER_WEEK
from gigsim.survival import Survival

# An ECDF is drawn through at most this many of its steps: beyond that, extra points are
# invisible at figure resolution but make the files and the drawing slow.
MAX_STEPS = 4000
TITLE_ROOM = 0.9  # a title wraps when a line is wider than this share of its figure


def new_figure(width_in: float = 7.0, height_in: float = 4.5) -> Figure:
    """A blank figure with its own Agg canvas (no pyplot, no global backend)."""
    figure = Figure(figsize=(width_in, height_in), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def set_title(axes: Axes, title: str, fontsize: float | None = None) -> None:
    """Give ``axes`` its title, a line wider than 90% of the figure wrapped onto more lines.

    The width is measured with the figure's renderer, at the title's font size.
    """
    text = axes.set_title(title, fontsize=fontsize)
    figure = axes.get_figure(root=True)
    assert figure is not None, "axes of a figure"
    room = TITLE_ROOM * figure.bbox.width
    lines = title.splitlines()
    chars = max(map(len, lines), default=0)
    while text.get_window_extent().width > room and chars > 20:
        chars -= 4
        text.set_text("\n".join(textwrap.fill(line, chars) for line in lines))


def interval_bars(axes: Axes, x: ArrayLike, mean: ArrayLike, low: ArrayLike, high: ArrayLike,
                  color: str, label: str) -> None:
    """Draw the interval ``low``–``high`` around each ``mean`` as an error bar (none if NaN)."""
    centre = np.asarray(mean, dtype=float)
    errors = np.nan_to_num(np.vstack([centre - np.asarray(low, dtype=float),
                                      np.asarray(high, dtype=float) - centre]))
    axes.errorbar(x, centre, yerr=errors, fmt="none", ecolor=color, capsize=3, label=label)


def _ecdf_steps(values: np.ndarray, censored: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """The steps of the ECDF of the uncensored values, as shares of all values."""
    done = values if censored is None else values[~censored]
    if len(done) == 0:
        return np.array([0.0]), np.array([0.0])
    cdf = stats.ecdf(done).cdf
    x = np.asarray(cdf.quantiles)
    p = np.asarray(cdf.probabilities) * (len(done) / len(values))
    if len(x) > MAX_STEPS:
        keep = np.unique(np.linspace(0, len(x) - 1, MAX_STEPS).round().astype(int))
        x, p = x[keep], p[keep]
    return x, p


def ecdf_figure(samples: Mapping[str, ArrayLike], xlabel: str, title: str,
                censored: Mapping[str, ArrayLike] | None = None,
                ylabel: str = "share of observations ≤ x") -> Figure:
    """One empirical CDF per named sample, as steps on shared axes.

    Where ``censored`` gives a sample's right-censoring flags, a censored value counts in the
    total but is never seen to be ≤ x (its end was not observed), so the curve levels off at the
    share of values that were observed, and the legend gives the share censored. NaN values are
    dropped; an empty sample is named in the legend without a curve.
    """
    figure = new_figure()
    axes = figure.add_subplot()
    for name, raw in samples.items():
        values = np.asarray(raw, dtype=float)
        flags = None if censored is None or name not in censored else np.asarray(
            censored[name], dtype=bool)
        known = ~np.isnan(values)
        values = values[known]
        flags = None if flags is None else flags[known]
        if len(values) == 0:
            axes.plot([], [], label=f"{name} (no data)")
            continue
        label = name if flags is None else f"{name} ({flags.mean():.0%} censored)"
        x, p = _ecdf_steps(values, flags)
        axes.step(np.r_[x[0], x], np.r_[0.0, p], where="post", label=label)
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    set_title(axes, title)
    axes.set_ylim(0, 1.02)
    axes.grid(True, alpha=0.3)
    if samples:
        axes.legend(title="variant" if len(samples) > 1 else None)
    return figure


def income_ecdf_figure(worker_months: Mapping[str, pd.DataFrame]) -> Figure:
    """ECDF of monthly income per worker-month, one line per named ``worker_months`` table.

    Only months with onboarded time (``available_h > 0``) count, as in the summary metrics.
    """
    samples = {name: table.loc[table["available_h"] > 0, "income_usd"].to_numpy()
               for name, table in worker_months.items()}
    return ecdf_figure(samples, xlabel="monthly income (USD)",
                       title="Monthly income per worker-month",
                       ylabel="share of worker-months earning ≤ x")


def latency_ecdf_figure(latencies: Mapping[str, pd.DataFrame]) -> Figure:
    """ECDF of reassignment latency in days, one line per named ``latencies`` table.

    A curve gives the share of all releases whose worker was back at work within x days.
    Latencies still open when the worker left or the run ended (censored) count as releases
    that were not seen to end, so a curve levels off at 1 − the censored share instead of
    dropping them silently (which would make latency look shorter than it is).
    """
    samples = {name: table["latency_h"].to_numpy() / HOURS_PER_DAY
               for name, table in latencies.items()}
    censored = {name: table["censored"].to_numpy() for name, table in latencies.items()}
    return ecdf_figure(samples, xlabel="reassignment latency (days)",
                       title="Reassignment latency", censored=censored,
                       ylabel="share of releases reassigned within x")


def comparison_figures(worker_months: Mapping[str, pd.DataFrame],
                       latencies: Mapping[str, pd.DataFrame]) -> dict[str, Figure]:
    """The figures of a comparison, by file stem: ``income_ecdf`` and ``latency_ecdf``.

    Both take one table per variant, in the order the lines should be drawn.
    """
    return {
        "income_ecdf": income_ecdf_figure(worker_months),
        "latency_ecdf": latency_ecdf_figure(latencies),
    }


# --- distributions of income and idle time ---------------------------------------------------

# Censoring marks beyond this many on one curve are thinned evenly: past a few hundred they
# merge into a bar and slow the drawing down.
MAX_CENSOR_MARKS = 300


def _onboarded_months(worker_months: pd.DataFrame) -> pd.DataFrame:
    return worker_months[worker_months["available_h"] > 0]


def zero_share_by_replication(months: pd.DataFrame) -> float:
    """The share of ``months`` with no income: each replication's, then their mean."""
    if len(months) == 0:
        return float("nan")
    if "replication" not in months:
        return float((months["income_usd"] <= 0).mean())
    return float((months["income_usd"] <= 0).groupby(months["replication"]).mean().mean())


def income_histogram_figure(worker_months: pd.DataFrame, bins: int = 40) -> Figure:
    """Histogram of monthly income over worker-months with onboarded time.

    Months with no income are a bar of their own at 0 (they are often the largest group), and
    the title gives their share as the summary's ``zero_income_share`` defines it: the mean
    over replications of each replication's share (:func:`zero_share_by_replication`).
    """
    months = _onboarded_months(worker_months)
    income = months["income_usd"].to_numpy(dtype=float)
    figure = new_figure()
    axes = figure.add_subplot()
    zero = income <= 0
    positive = income[~zero]
    if len(positive):
        axes.hist(positive, bins=bins, color="C0", alpha=0.85, label="some income")
    width = (float(positive.max()) / bins) if len(positive) else 1.0
    axes.bar([0.0], [int(zero.sum())], width=width, color="C3", alpha=0.85, align="center",
             label="no income")
    share = zero_share_by_replication(months)
    text = "n/a" if np.isnan(share) else f"{share:.1%}"
    axes.set_xlabel("monthly income (USD)")
    axes.set_ylabel("worker-months (all replications)")
    set_title(axes, f"Monthly income per worker-month: {text} with none (mean over"
                   " replications)", fontsize=11)
    axes.legend()
    axes.grid(True, alpha=0.3)
    return figure


def fan_chart_figure(monthly: pd.DataFrame, title: str = "Monthly income by month since"
                     " applying", xlabel: str = "month since applying (1 = its first"
                     " 30.4 days)") -> Figure:
    """A fan chart: the P10–P90 band of monthly income by month, and the median as a line.

    ``monthly`` has columns ``month``, ``p10_usd``, ``p50_usd`` and ``p90_usd`` (the shape of
    :attr:`gigsim.estimate.Estimate.monthly`), one row per month; with ``mean_usd`` the mean is
    drawn too, and with ``mean_ci_low_usd``/``mean_ci_high_usd`` its 95% interval.
    """
    figure = new_figure()
    axes = figure.add_subplot()
    month = monthly["month"].to_numpy(dtype=float)
    axes.fill_between(month, monthly["p10_usd"].to_numpy(dtype=float),
                      monthly["p90_usd"].to_numpy(dtype=float), color="C0", alpha=0.25,
                      label="P10–P90", step=None)
    axes.plot(month, monthly["p50_usd"].to_numpy(dtype=float), color="C0", marker="o",
              label="median (P50)")
    if "mean_usd" in monthly:
        mean = monthly["mean_usd"].to_numpy(dtype=float)
        axes.plot(month, mean, color="C1", linestyle="--", label="mean")
        if "mean_ci_low_usd" in monthly:
            interval_bars(axes, month, mean, monthly["mean_ci_low_usd"],
                          monthly["mean_ci_high_usd"], color="C1",
                          label="mean: 95% interval (over replications)")
    axes.set_xlabel(xlabel)
    axes.set_ylabel("monthly income (USD)")
    set_title(axes, title)
    axes.set_ylim(bottom=0)
    if len(month):
        axes.set_xticks(month if len(month) <= 24 else month[:: max(1, len(month) // 12)])
    axes.legend()
    axes.grid(True, alpha=0.3)
    return figure


def months_since_joining(worker_months: pd.DataFrame, workers: pd.DataFrame) -> pd.DataFrame:
    """Monthly income by month since joining, for workers who joined inside the window.

    Month 1 is the month of the run in which the worker applied (months of the run are
    730.5 h from the end of the warm-up, so a worker who applied late in one has a short first
    month). P10, P50, P90 and mean of ``income_usd`` per month, pooled over workers and
    replications, over the months in which the worker was on the platform.
    """
    joined = workers.loc[workers["joined_h"] >= 0, ["replication", "worker_id", "joined_h"]]
    rows = worker_months.merge(joined, on=["replication", "worker_id"])
    rows = rows.assign(since=rows["month"] - np.floor(rows["joined_h"] / HOURS_PER_MONTH) + 1)
    grouped = rows.groupby("since")["income_usd"]
    out = pd.DataFrame({
        "month": grouped.size().index.to_numpy(dtype=int),
        "p10_usd": grouped.quantile(0.1).to_numpy(),
        "p50_usd": grouped.quantile(0.5).to_numpy(),
        "p90_usd": grouped.quantile(0.9).to_numpy(),
        "mean_usd": grouped.mean().to_numpy(),
        "workers": grouped.size().to_numpy(),
    })
    return out


def income_fan_figure(worker_months: pd.DataFrame, workers: pd.DataFrame) -> Figure:
    """Fan chart of monthly income by month since joining (:func:`months_since_joining`)."""
    return fan_chart_figure(months_since_joining(worker_months, workers),
                            title="Monthly income by month since joining",
                            xlabel="month since joining (1 = the month of applying)")


def idle_share_figure(worker_months: pd.DataFrame, bins: int = 40) -> Figure:
    """Distribution across workers of the share of their available hours spent idle.

    One value per worker and replication: Σ idle_h / Σ available_h over their months with
    onboarded time.
    """
    months = _onboarded_months(worker_months)
    sums = months.groupby(["replication", "worker_id"])[["idle_h", "available_h"]].sum()
    share = (sums["idle_h"] / sums["available_h"]).to_numpy(dtype=float) * 100
    by_replication = months.groupby("replication")[["idle_h", "available_h"]].sum()
    overall = float((by_replication["idle_h"] / by_replication["available_h"]).mean()) * 100
    figure = new_figure()
    axes = figure.add_subplot()
    if len(share):
        axes.hist(share, bins=bins, range=(0, 100), color="C2", alpha=0.85)
        axes.axvline(float(np.median(share)), color="k", linestyle="--",
                     label=f"median worker: {np.median(share):.1f}% of their hours")
        axes.axvline(overall, color="C3", linestyle=":",
                     label=f"all hours together: {overall:.1f}% (the table's idle share)")
        axes.legend(fontsize="small")
    axes.set_xlabel("idle share of the worker's available hours (%)")
    axes.set_ylabel("workers (all replications)")
    set_title(axes, "Idle time across workers: one value per worker")
    axes.grid(True, alpha=0.3)
    return figure


# --- survival curves -------------------------------------------------------------------------


def survival_figure(curves: Mapping[str, Survival], title: str, unit: str = "days",
                    what: str = "duration") -> Figure:
    """Kaplan–Meier curves ``S(t)`` with their 95% bands; ``+`` marks censored durations.

    ``unit`` is ``"hours"``, ``"days"`` or ``"weeks"`` for the x axis. The legend gives each
    curve's count, its share censored and its median.
    """
    scale = {"hours": 1.0, "days": HOURS_PER_DAY, "weeks": HOURS_PER_WEEK}[unit]
    figure = new_figure()
    axes = figure.add_subplot()
    for index, (name, curve) in enumerate(curves.items()):
        color = f"C{index}"
        median = curve.median
        median_text = "median beyond the data" if np.isnan(median) else \
            f"median {median / scale:.1f} {unit}"
        share = curve.n_censored / curve.n if curve.n else float("nan")
        label = f"{name}: n={curve.n}, {share:.0%} censored, {median_text}"
        keep = np.arange(len(curve.times))
        if len(keep) > MAX_STEPS:  # thinned evenly, the last step kept: invisible at this size
            keep = np.unique(np.linspace(0, len(keep) - 1, MAX_STEPS).round().astype(int))
        x = np.r_[0.0, curve.times[keep]] / scale
        y = np.r_[1.0, curve.survival[keep]]
        axes.step(x, y, where="post", color=color, label=label)
        axes.fill_between(x, np.r_[1.0, curve.ci_low[keep]], np.r_[1.0, curve.ci_high[keep]],
                          step="post", color=color, alpha=0.15)
        marks = curve.censored_times
        if len(marks) > MAX_CENSOR_MARKS:
            marks = marks[np.linspace(0, len(marks) - 1, MAX_CENSOR_MARKS).round().astype(int)]
        axes.plot(marks / scale, curve.at(marks), linestyle="none", marker="+", color=color,
                  markersize=6, alpha=0.7)
    axes.plot([], [], linestyle="none", marker="+", color="0.3", label="censored (still running)")
    axes.set_xlabel(f"{what} ({unit})")
    axes.set_ylabel(f"share with {what} longer than x")
    set_title(axes, title)
    axes.set_ylim(0, 1.02)
    axes.set_xlim(left=0)
    axes.grid(True, alpha=0.3)
    axes.legend(fontsize="small")
    return figure


def latency_survival_figure(latencies: pd.DataFrame) -> Figure:
    """Kaplan–Meier curve of reassignment latency, in days, censoring marked."""
    durations = survival.latency_durations(latencies)
    curve = survival.kaplan_meier(durations["duration_h"], durations["censored"])
    return survival_figure({"all releases": curve}, title="Reassignment latency (Kaplan–Meier,"
                           " all replications pooled)",
                           what="reassignment latency")


def drought_survival_figure(spells: pd.DataFrame, workers: pd.DataFrame | None = None
                            ) -> Figure:
    """Kaplan–Meier curve of drought lengths (idle spells) in days, censoring marked.

    Idle spells still running at the end of the run, or ended by the worker leaving, are
    censored (:func:`gigsim.survival.idle_spells`); spells begun in the warm-up are left out.
    """
    durations = survival.idle_spells(spells, workers)
    curve = survival.kaplan_meier(durations["duration_h"], durations["censored"])
    return survival_figure({"idle spells": curve}, title="Droughts: idle spells between"
                           " projects (Kaplan–Meier, all replications pooled)", unit="days",
                           what="drought")


def results_figures(tables: Mapping[str, pd.DataFrame]) -> dict[str, Figure]:
    """The figures of a results folder, by file stem, from its tables.

    ``tables`` holds ``worker_months``, ``spells``, ``latencies`` and ``workers``.
    """
    months = tables["worker_months"]
    workers = tables["workers"]
    return {
        "income_histogram": income_histogram_figure(months),
        "income_ecdf": income_ecdf_figure({"all workers": months}),
        "income_fan": income_fan_figure(months, workers),
        "idle_share": idle_share_figure(months),
        "latency_survival": latency_survival_figure(tables["latencies"]),
        "drought_survival": drought_survival_figure(tables["spells"], workers),
    }


# --- sweeps ---------------------------------------------------------------------------------

def _metric_label(metric: str) -> str:
    from gigsim.statistics import METRICS

    return METRICS.get(metric, metric)


def _format_metric(metric: str, value: float) -> str:
    if np.isnan(value):
        return "–"
    if metric.endswith("_share") or metric == "effective_to_paid_wage":
        return f"{value:.0%}"
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
    xs, x_labels = _axis_values(points[x])
    ys, y_labels = _axis_values(points[y])
    grid = np.full((len(ys), len(xs)), np.nan)
    for _, row in points.iterrows():
        grid[ys.index(row[y]), xs.index(row[x])] = row[metric]
    figure = new_figure(7.0, 5.0)
    axes = figure.add_subplot()
    image = axes.imshow(grid, origin="lower", aspect="auto", cmap="viridis")
    figure.colorbar(image, ax=axes, label=metric)
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
    axes.set_ylabel(metric)
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
