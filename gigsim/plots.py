"""Figures: functions that take tables and return matplotlib figures.

This is the one module that draws. It builds :class:`matplotlib.figure.Figure` objects with
their own Agg canvas instead of going through ``pyplot``, so importing it selects no backend and
changes no global state; callers save a figure with ``figure.savefig(path)`` or show it in a
notebook. It is imported by the CLI and output code only, never by the simulation.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from numpy.typing import ArrayLike
from scipy import stats

from gigsim.units import HOURS_PER_DAY

# An ECDF is drawn through at most this many of its steps: beyond that, extra points are
# invisible at figure resolution but make the files and the drawing slow.
MAX_STEPS = 4000


def new_figure(width_in: float = 7.0, height_in: float = 4.5) -> Figure:
    """A blank figure with its own Agg canvas (no pyplot, no global backend)."""
    figure = Figure(figsize=(width_in, height_in), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


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
    axes.set_title(title)
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
