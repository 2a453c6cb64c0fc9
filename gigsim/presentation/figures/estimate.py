"""The figures of a worker's estimate: income by month, the chance of nothing, droughts.

Built from an :class:`~gigsim.studies.estimate.Estimate`'s tables with the drawing functions of
:mod:`gigsim.presentation.figures` (matplotlib ``Figure`` objects with their own canvas, no
``pyplot``), for the worker's page, the notebooks and anyone holding an estimate.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from gigsim.presentation.figures.base import (
    MONTH_SINCE_APPLYING,
    MONTHS_SINCE_APPLYING,
    interval_bars,
    legend_below,
    new_figure,
    period_axis,
    set_title,
    set_xlabel,
)
from gigsim.presentation.figures.run import (
    fan_chart_figure,
    income_histogram_figure,
    survival_figure,
)

if TYPE_CHECKING:
    from gigsim.studies.estimate import Estimate


def zero_income_figure(monthly: pd.DataFrame, title: str = "Chance of a month with no income"
                       " (mean over replications)") -> Figure:
    """The chance of a month with no income, by month since applying, with 95% intervals.

    ``monthly`` is :attr:`gigsim.studies.estimate.Estimate.monthly` or ``quarterly``:
    ``zero_share`` is the mean over replications of each replication's share of worker-months
    with no income, and ``zero_ci_low``–``zero_ci_high`` its interval (within [0, 1]). A row
    that spans several months (``months``) is a bar as wide as they are, ticked "1–3".
    """
    figure = new_figure()
    axes = figure.add_subplot()
    month = period_axis(axes, monthly)
    count = (monthly["months"].to_numpy(dtype=float) if "months" in monthly
             else np.ones(len(monthly)))
    share = monthly["zero_share"].to_numpy(dtype=float) * 100
    low = monthly["zero_ci_low"].to_numpy(dtype=float) * 100
    high = monthly["zero_ci_high"].to_numpy(dtype=float) * 100
    axes.bar(month, share, width=0.8 * count, color="C3", alpha=0.8,
             label="share of months with no income")
    interval_bars(axes, month, share, low, high, color="k", label="95% interval")
    set_xlabel(axes, MONTHS_SINCE_APPLYING if (count > 1).any() else MONTH_SINCE_APPLYING)
    axes.set_ylabel("months with no income (%)")
    set_title(axes, title)
    axes.set_ylim(0, 100)
    axes.grid(True, axis="y", alpha=0.3)
    legend_below(axes)
    return figure


def exceedance_figure(curve: pd.DataFrame, need_usd: float | None = None,
                      reference_usd: float | None = None,
                      title: str = "How likely is a month of at least $x?") -> Figure:
    """The share of months with income of at least $x, against x, with 95% bands.

    ``curve`` is :attr:`gigsim.studies.need.Need.exceedance`: ``onboarded_share`` (of the
    onboarded workers' months on the platform) and ``applicant_share`` (of every applicant's
    months followed, $0 after failing onboarding or leaving), each a mean over replications
    with ``*_low``–``*_high`` its 95% interval. ``need_usd`` and ``reference_usd`` (what the
    reference job pays a month) are marked when given and not NaN.
    """
    figure = new_figure()
    axes = figure.add_subplot()
    usd = curve["usd"].to_numpy(dtype=float)
    for who, colour, label in (("onboarded", "C0", "once onboarded (months on the platform)"),
                               ("applicant", "C1", "an applicant (failing onboarding"
                                                   " included)")):
        share = curve[f"{who}_share"].to_numpy(dtype=float) * 100
        low = curve[f"{who}_low"].to_numpy(dtype=float) * 100
        high = curve[f"{who}_high"].to_numpy(dtype=float) * 100
        axes.fill_between(usd, np.nan_to_num(low, nan=share[0]),
                          np.nan_to_num(high, nan=share[0]), step="post", color=colour,
                          alpha=0.2, linewidth=0)
        axes.step(usd, share, where="post", color=colour, label=f"{label}, 95% band")
    for value, style, label in ((need_usd, "-", "what you need"),
                                (reference_usd, ":", "the reference job's month")):
        if value is not None and np.isfinite(value):
            axes.axvline(value, color="k", linestyle=style, linewidth=1.2,
                         label=f"{label}: ${value:,.0f}")
    set_xlabel(axes, "income in a month, at least ($)")
    axes.set_ylabel("months with at least that much (%)")
    axes.set_ylim(0, 100)
    axes.set_xlim(0, float(usd.max()) if len(usd) else 1.0)
    axes.grid(True, alpha=0.3)
    set_title(axes, title)
    legend_below(axes)
    return figure


def estimate_figures(estimate: Estimate, names: Sequence[str] | None = None
                     ) -> dict[str, Figure]:
    """The figures of a :class:`~gigsim.studies.estimate.Estimate`, by name (``names``: those).

    ``income_fan`` (income by month since applying), ``zero_income`` (the chance of a month
    with nothing, by month), ``drought_survival`` (the length of idle spells, in days),
    ``first_pay_survival`` (the wait from applying to the first paid hour) and
    ``income_histogram`` (every month of the cohort's onboarded workers). The first two show
    the rows the text does (:attr:`~gigsim.studies.estimate.Estimate.periods`): months, or
    quarters where a single month's interval is wider than its mean, and say which. With a
    monthly need (:attr:`~gigsim.studies.estimate.Estimate.need`), ``exceedance`` too: the share
    of months with at least $x (:func:`exceedance_figure`).
    """
    table, how = estimate.periods
    by = "month" if how == "month by month" else "quarter"
    pooled = "" if by == "month" else "; single months were too noisy"
    draw: dict[str, Callable[[], Figure]] = {
        "income_fan": lambda: fan_chart_figure(
            table, title=f"Monthly income by {by} since applying\n(P10, median and P90 pooled"
            f" over workers and replications{pooled})"),
        "zero_income": lambda: zero_income_figure(
            table, title=f"Chance of a month with no income, by {by} (mean over"
            f" replications{pooled})"),
        "drought_survival": lambda: survival_figure(
            {"idle spells": estimate.drought},
            title="Droughts after joining: idle spells between projects (Kaplan–Meier)",
            unit="days", what="drought"),
        "first_pay_survival": lambda: survival_figure(
            {"onboarded applicants": estimate.first_pay},
            title="Wait from applying to the first paid hour (Kaplan–Meier)",
            what="wait for the first paid hour"),
        "income_histogram": lambda: income_histogram_figure(estimate.cohort_months),
    }
    if estimate.need is not None:
        need = estimate.need
        draw["exceedance"] = lambda: exceedance_figure(
            need.exceedance, need.monthly_need_usd, estimate.reference_monthly_usd,
            title="How likely is a month of at least $x? (share of months, mean over"
                  " replications)")
    return {name: draw[name]() for name in (draw if names is None else names)}
