"""What every figure shares: a figure on its own canvas, titles that wrap, bars, ECDFs."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from numpy.typing import ArrayLike
from scipy import stats

# An ECDF is drawn through at most this many of its steps: beyond that, extra points are
# invisible at figure resolution but make the files and the drawing slow.
MAX_STEPS = 4000
MONTH_SINCE_APPLYING = "month since applying (1 = its first 30.4 days)"  # an x axis's label
TITLE_ROOM = 0.9  # a title wraps when a line is wider than this share of its figure


def evenly(count: int, at_most: int = MAX_STEPS) -> np.ndarray:
    """Indices of at most ``at_most`` of ``count`` steps, evenly spaced, first and last kept."""
    if count <= at_most:
        return np.arange(count)
    return np.unique(np.linspace(0, count - 1, at_most).round().astype(int))


def month_ticks(axes: Axes, month: np.ndarray) -> None:
    """Tick every month on the x axis up to 24 of them, else about 12 evenly spaced."""
    if len(month):
        axes.set_xticks(month if len(month) <= 24 else month[:: max(1, len(month) // 12)])


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
    keep = evenly(len(x))
    return x[keep], p[keep]


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
