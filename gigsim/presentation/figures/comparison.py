"""The figures of a comparison: one line per variant, kept apart where variants coincide."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from gigsim.analysis.metrics import months_on_platform
from gigsim.presentation.figures.base import ecdf_figure, new_figure
from gigsim.scenario.units import HOURS_PER_DAY


def income_ecdf_figure(worker_months: Mapping[str, pd.DataFrame]) -> Figure:
    """ECDF of monthly income per worker-month, one line per named ``worker_months`` table.

    Only months with onboarded time (``available_h > 0``) count, as in the summary metrics.
    """
    samples = {name: months_on_platform(table)["income_usd"].to_numpy()
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


# The panels of the differences figure: metric, what its axis says, and the factor to it.
DIFFERENCE_PANELS = (
    ("applicant_income_usd", "income per applicant\nper month followed (USD)", 1.0),
    ("applicant_stay_share", "applicants still on the\nplatform at the end (pp)", 100.0),
    ("applicant_exit_impatience_share", "applicants who left\nout of impatience (pp)", 100.0),
    ("applicant_never_paid_share", "applicants never paid\nin the months followed (pp)", 100.0),
)


def differences_figure(table: pd.DataFrame, reference: str) -> Figure:
    """Paired differences against ``reference`` with 95% intervals, per group and variant.

    ``table`` is :attr:`~gigsim.studies.comparison.Comparison.table`. One panel per metric of
    :data:`DIFFERENCE_PANELS` (the outcomes per applicant); in each, a row per worker group
    (``all`` first) and variant, its mean difference as a point and its interval as a bar, and
    a line at 0: a bar that does not cross it is a difference beyond its interval.
    """
    figure = new_figure(9.0, 2.0 + 0.35 * len(table[["group", "variant"]].drop_duplicates()))
    axes = figure.subplots(1, len(DIFFERENCE_PANELS), sharey=True)
    others = table[table["variant"] != reference]
    labels: list[str] = []
    for ax, (metric, label, factor) in zip(axes, DIFFERENCE_PANELS, strict=True):
        rows = others[others["metric"] == metric]
        labels = [f"{r.variant} · {r.group}" for r in rows.itertuples()]
        y = np.arange(len(rows))[::-1]
        mean = rows["diff_vs_first"].to_numpy(dtype=float) * factor
        low = rows["diff_ci_low"].to_numpy(dtype=float) * factor
        high = rows["diff_ci_high"].to_numpy(dtype=float) * factor
        beyond = (low > 0) | (high < 0)
        ax.errorbar(mean, y, xerr=np.nan_to_num(np.vstack([mean - low, high - mean])),
                    fmt="none", ecolor="#555", capsize=3)
        ax.scatter(mean, y, c=np.where(beyond, "#c0392b", "#7f8c8d"), zorder=3, s=18)
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_title(label, fontsize=8)
        ax.set_yticks(np.arange(len(rows))[::-1], labels, fontsize=8)
        ax.tick_params(axis="x", labelsize=8)
    figure.suptitle(f"Differences against {reference}, replication by replication, with 95%"
                    " intervals (red: the interval excludes 0)", fontsize=9)
    return figure


def comparison_figures(worker_months: Mapping[str, pd.DataFrame],
                       latencies: Mapping[str, pd.DataFrame],
                       table: pd.DataFrame | None = None,
                       reference: str | None = None) -> dict[str, Figure]:
    """The figures of a comparison, by file stem: ``income_ecdf`` and ``latency_ecdf``.

    Both take one table per variant, in the order the lines should be drawn. Given the
    comparison's ``table`` and ``reference``, also ``differences`` (:func:`differences_figure`),
    when there is a variant besides the reference.
    """
    figures = {
        "income_ecdf": income_ecdf_figure(worker_months),
        "latency_ecdf": latency_ecdf_figure(latencies),
    }
    if table is not None and reference is not None and (table["variant"] != reference).any():
        figures["differences"] = differences_figure(table, reference)
    return figures


LINE_STYLES = ("-", "--", ":", "-.")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")


def keep_lines_apart(figure: Figure) -> None:
    """Make every line of a comparison figure visible, even where variants coincide.

    Each line gets its own dash pattern and a few markers at staggered places, and lines
    that are identical to an earlier one are named in a note on the figure ("same as ...").
    """
    for axes in figure.axes:
        lines = [line for line in axes.get_lines() if np.size(line.get_xdata()) > 0]
        for index, line in enumerate(lines):
            count = int(np.size(line.get_xdata()))
            line.set_linestyle(LINE_STYLES[index % len(LINE_STYLES)])  # type: ignore[arg-type]
            line.set_marker(MARKERS[index % len(MARKERS)])
            line.set_markersize(4)
            step = max(1, count // 6)
            line.set_markevery((min(count - 1, index * step // max(1, len(lines))), step))
        same = []
        for index, line in enumerate(lines):
            for earlier in lines[:index]:
                if np.array_equal(line.get_xdata(), earlier.get_xdata()) and \
                        np.array_equal(line.get_ydata(), earlier.get_ydata()):
                    same.append(f"{_label(line)} = {_label(earlier)}")
                    break
        if same:
            axes.text(0.99, 0.02, "identical: " + "; ".join(same), transform=axes.transAxes,
                      ha="right", va="bottom", fontsize=8, color="#444")
        legend = axes.get_legend()
        if legend is not None:  # redrawn so that it shows the new styles
            axes.legend(title=legend.get_title().get_text() or None)


def _label(line: Any) -> str:
    return str(line.get_label()).split(" (")[0]
