"""The figures of a run's results folder: income, idle time, latency and droughts."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from gigsim.analysis import survival
from gigsim.analysis.metrics import months_on_platform
from gigsim.analysis.survival import Survival
from gigsim.presentation.figures.base import (
    MONTH_SINCE_APPLYING,
    MONTHS_SINCE_APPLYING,
    evenly,
    interval_bars,
    legend_below,
    new_figure,
    period_axis,
    set_title,
    set_xlabel,
)
from gigsim.presentation.figures.comparison import income_ecdf_figure
from gigsim.scenario.units import HOURS_PER_DAY, HOURS_PER_MONTH, HOURS_PER_WEEK

# Censoring marks beyond this many on one curve are thinned evenly: past a few hundred they
# merge into a bar and slow the drawing down.
MAX_CENSOR_MARKS = 300


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
    months = months_on_platform(worker_months)
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
    set_xlabel(axes, "monthly income (USD)")
    axes.set_ylabel("worker-months (all replications)")
    set_title(axes, f"Monthly income per worker-month: {text} with none (mean over"
                   " replications)", fontsize=11)
    axes.grid(True, alpha=0.3)
    legend_below(axes)
    return figure


def fan_chart_figure(monthly: pd.DataFrame, title: str = "Monthly income by month since"
                     " applying", xlabel: str | None = None,
                     ylabel: str = "monthly income (USD)") -> Figure:
    """A fan chart: the P10–P90 band of monthly income by month, and the median as a line.

    ``monthly`` has columns ``month``, ``p10_usd``, ``p50_usd`` and ``p90_usd`` (the shape of
    :attr:`gigsim.studies.estimate.Estimate.monthly`), one row per month; with ``mean_usd`` the
    mean is drawn too, and with ``mean_ci_low_usd``/``mean_ci_high_usd`` its 95% interval.
    Rows that span several months (``months``, as in ``Estimate.quarterly``) are drawn at their
    middle and ticked "1–3". ``xlabel`` defaults to months since applying. The legend goes below
    the axes, clear of the data.
    """
    figure = new_figure()
    axes = figure.add_subplot()
    month = period_axis(axes, monthly)
    pooled = "months" in monthly and bool((monthly["months"] > 1).any())
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
    if xlabel is None:
        xlabel = MONTHS_SINCE_APPLYING if pooled else MONTH_SINCE_APPLYING
    set_xlabel(axes, xlabel)
    axes.set_ylabel(ylabel)
    set_title(axes, title)
    axes.set_ylim(bottom=0)
    axes.grid(True, alpha=0.3)
    legend_below(axes)
    return figure


def months_since_joining(worker_months: pd.DataFrame, workers: pd.DataFrame,
                         column: str = "income_usd") -> pd.DataFrame:
    """Monthly income by month since joining, for workers who joined inside the window.

    ``column`` is what is summed by month: ``income_usd`` (earned) or, under a pay schedule,
    ``received_usd`` (money arriving), over the same worker-months.

    Month 1 is the month of the run in which the worker applied (months of the run are
    730.5 h from the end of the warm-up, so a worker who applied late in one has a short first
    month). P10, P50, P90 and mean of ``income_usd`` per month, pooled over workers and
    replications, over the months with onboarded time (:func:`months_on_platform`, as the
    histogram, the ECDF and the summary): a month spent waiting for the assessment, or after
    failing it, is not a month with no income.
    """
    joined = workers.loc[workers["joined_h"] >= 0, ["replication", "worker_id", "joined_h"]]
    rows = months_on_platform(worker_months).merge(joined, on=["replication", "worker_id"])
    rows = rows.assign(since=rows["month"] - np.floor(rows["joined_h"] / HOURS_PER_MONTH) + 1)
    grouped = rows.groupby("since")[column]
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


def cash_flow_fan_figure(worker_months: pd.DataFrame, workers: pd.DataFrame) -> Figure:
    """Fan chart of the money arriving by month since joining, under a pay schedule.

    The same workers and worker-months as :func:`income_fan_figure`, with ``received_usd`` in
    place of ``income_usd``: what reaches the worker's account in each month.
    """
    return fan_chart_figure(months_since_joining(worker_months, workers, "received_usd"),
                            title="Money received by month since joining",
                            xlabel="month since joining (1 = the month of applying)",
                            ylabel="money received in the month (USD)")


def _same_scale(first: Figure, second: Figure) -> None:
    """Give two charts the same y axis, so that one reads against the other."""
    top = max(first.axes[0].get_ylim()[1], second.axes[0].get_ylim()[1])
    for figure in (first, second):
        figure.axes[0].set_ylim(0, top)


def idle_share_figure(worker_months: pd.DataFrame, bins: int = 40) -> Figure:
    """Distribution across workers of the share of their available hours spent idle.

    One value per worker and replication: Σ idle_h / Σ available_h over their months with
    onboarded time.
    """
    months = months_on_platform(worker_months)
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
    set_xlabel(axes, "idle share of the worker's available hours (%)")
    axes.set_ylabel("workers (all replications)")
    set_title(axes, "Idle time across workers: one value per worker")
    axes.grid(True, alpha=0.3)
    legend_below(axes)
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
        keep = evenly(len(curve.times))  # thinned: invisible at this size
        x = np.r_[0.0, curve.times[keep]] / scale
        y = np.r_[1.0, curve.survival[keep]]
        axes.step(x, y, where="post", color=color, label=label)
        axes.fill_between(x, np.r_[1.0, curve.ci_low[keep]], np.r_[1.0, curve.ci_high[keep]],
                          step="post", color=color, alpha=0.15)
        marks = curve.censored_times
        marks = marks[evenly(len(marks), MAX_CENSOR_MARKS)]
        axes.plot(marks / scale, curve.at(marks), linestyle="none", marker="+", color=color,
                  markersize=6, alpha=0.7)
    axes.plot([], [], linestyle="none", marker="+", color="0.3", label="censored (still running)")
    set_xlabel(axes, f"{what} ({unit})")
    axes.set_ylabel(f"share with {what} longer than x")
    set_title(axes, title)
    axes.set_ylim(0, 1.02)
    axes.set_xlim(left=0)
    axes.grid(True, alpha=0.3)
    legend_below(axes)
    return figure


def latency_survival_figure(latencies: pd.DataFrame) -> Figure:
    """Kaplan–Meier curve of reassignment latency, in days, censoring marked."""
    durations = survival.latency_durations(latencies)
    curve = survival.kaplan_meier(durations["duration_h"], durations["censored"])
    return survival_figure({"all releases": curve}, title="Reassignment latency (Kaplan–Meier,"
                           " all replications pooled)",
                           what="reassignment latency")


def drought_survival_figure(spells: pd.DataFrame, workers: pd.DataFrame | None = None,
                            absences: pd.DataFrame | None = None) -> Figure:
    """Kaplan–Meier curve of drought lengths (idle spells) in days, censoring marked.

    Idle spells still running at the end of the run, or ended by the worker leaving, are
    censored (:func:`gigsim.analysis.survival.idle_spells`); spells begun in the warm-up are left
    out.
    """
    durations = survival.idle_spells(spells, workers, absences)
    curve = survival.kaplan_meier(durations["duration_h"], durations["censored"])
    return survival_figure({"idle spells": curve}, title="Droughts: idle spells between"
                           " projects (Kaplan–Meier, all replications pooled)", unit="days",
                           what="drought")


def results_figures(tables: Mapping[str, pd.DataFrame]) -> dict[str, Figure]:
    """The figures of a results folder, by file stem, from its tables.

    ``tables`` holds ``worker_months``, ``spells``, ``latencies`` and ``workers``. With
    ``received_usd`` in ``worker_months`` (a pay schedule), the cash-flow fan chart follows
    the income one, both on the same scale.
    """
    months = tables["worker_months"]
    workers = tables["workers"]
    fans = {"income_fan": income_fan_figure(months, workers)}
    if "received_usd" in months:  # a pay schedule: the money arriving, on the same scale
        fans["cash_flow_fan"] = cash_flow_fan_figure(months, workers)
        _same_scale(fans["income_fan"], fans["cash_flow_fan"])
    return {
        "income_histogram": income_histogram_figure(months),
        "income_ecdf": income_ecdf_figure({"all workers": months}),
        **fans,
        "idle_share": idle_share_figure(months),
        "latency_survival": latency_survival_figure(tables["latencies"]),
        "drought_survival": drought_survival_figure(tables["spells"], workers,
                                                    tables.get("absences")),
    }
