"""What every figure shares: a figure on its own canvas, titles that wrap, bars, ECDFs."""

from __future__ import annotations

import contextlib
import textwrap
from collections.abc import Iterator, Mapping
from contextvars import ContextVar

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from numpy.typing import ArrayLike
from scipy import stats

# An ECDF is drawn through at most this many of its steps: beyond that, extra points are
# invisible at figure resolution but make the files and the drawing slow.
MAX_STEPS = 4000
MONTH_SINCE_APPLYING = "month since applying (1 = its first 30.4 days)"  # an x axis's label
MONTHS_SINCE_APPLYING = "months since applying (1 = the first 30.4 days)"  # the same, in periods
TITLE_ROOM = 0.9  # a title wraps when a line is wider than this share of its figure
AXES_OFFSET_IN = 0.4  # how far right of the figure's centre its axes' centre is, about
# A figure for a phone is drawn this many inches wide: shown ~360 px wide, its 10 pt text is
# ~13 px there. A figure drawn 7 in wide and shown at that width has text of ~7 px.
NARROW_WIDTH_IN = 3.8
NARROW_HEIGHT_SHARE = 1.1  # its height, as a share of the wide one's: titles wrap to more lines
# the widest figure new_figure() draws, when set (narrow())
_WIDTH_LIMIT_IN: ContextVar[float | None] = ContextVar("gigsim_figure_width", default=None)


@contextlib.contextmanager
def narrow(width_in: float = NARROW_WIDTH_IN) -> Iterator[None]:
    """Figures made inside are drawn at most ``width_in`` inches wide, for narrow screens.

    Titles wrap, ticks thin out and legends fit at that width, so that a figure shown at the
    width of a phone has text as large as on a wide screen.
    """
    token = _WIDTH_LIMIT_IN.set(width_in)
    try:
        yield
    finally:
        _WIDTH_LIMIT_IN.reset(token)


def evenly(count: int, at_most: int = MAX_STEPS) -> np.ndarray:
    """Indices of at most ``at_most`` of ``count`` steps, evenly spaced, first and last kept."""
    if count <= at_most:
        return np.arange(count)
    return np.unique(np.linspace(0, count - 1, at_most).round().astype(int))


def _width_in(axes: Axes) -> float:
    figure = axes.get_figure(root=True)
    assert figure is not None, "axes of a figure"
    return float(figure.get_figwidth())


def month_ticks(axes: Axes, month: np.ndarray) -> None:
    """Tick every month on the x axis while they fit (24 on a wide figure), else every k-th."""
    if len(month):
        room = max(4, int(_width_in(axes) * 3.5))
        axes.set_xticks(month[:: -(-len(month) // room)])


def period_axis(axes: Axes, periods: pd.DataFrame) -> np.ndarray:
    """Tick the x axis with ``periods`` (columns ``month``, the first, and ``months``, how many).

    Single months are ticked by number; longer periods at their middle, labelled "1–3". Returns
    where each period is drawn: its middle.
    """
    first = periods["month"].to_numpy(dtype=float)
    count = (periods["months"].to_numpy(dtype=float) if "months" in periods
             else np.ones_like(first))
    middle = first + (count - 1) / 2
    if not (count > 1).any():
        month_ticks(axes, first)
        return middle
    labels = [f"{a:.0f}–{a + n - 1:.0f}" if n > 1 else f"{a:.0f}"
              for a, n in zip(first, count, strict=True)]
    step = -(-len(first) // max(3, int(_width_in(axes) * 1.7)))
    axes.set_xticks(middle[::step], labels[::step])
    return middle


def new_figure(width_in: float = 7.0, height_in: float = 4.5) -> Figure:
    """A blank figure with its own Agg canvas (no pyplot, no global backend).

    Inside :func:`narrow`, a wider figure is drawn at the narrow width instead.
    """
    limit = _WIDTH_LIMIT_IN.get()
    if limit is not None and width_in > limit:
        width_in, height_in = limit, height_in * NARROW_HEIGHT_SHARE
    figure = Figure(figsize=(width_in, height_in), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def legend_below(axes: Axes, fontsize: str | None = None) -> None:
    """The legend of ``axes`` below it, outside the data, in as many columns as fit the width."""
    handles, labels = axes.get_legend_handles_labels()
    if not handles:
        return
    figure = axes.get_figure(root=True)
    assert figure is not None, "axes of a figure"
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    room = 0.98 * figure.bbox.width
    chars = max(map(len, labels))
    ncols = len(handles)
    while True:  # fewer columns, then entries wrapped onto more lines, until it fits
        shown = [textwrap.fill(label, chars) for label in labels]
        legend = figure.legend(handles, shown, loc="outside lower center", ncols=ncols,
                               fontsize=fontsize)
        if legend.get_window_extent(renderer).width <= room or chars <= 20:
            return
        legend.remove()
        if ncols > 1:
            ncols -= 1
        else:
            chars -= 4


def _room(axes: Axes) -> float:
    """How wide (pixels) a line centred on ``axes`` may be and stay inside the figure.

    The axes sit right of the figure's centre by about :data:`AXES_OFFSET_IN` (the y axis's
    label and ticks are on the left), so a line centred on them has less room on the right.
    """
    figure = axes.get_figure(root=True)
    assert figure is not None, "axes of a figure"
    width = figure.bbox.width
    return min(TITLE_ROOM * width, width - 2 * AXES_OFFSET_IN * figure.dpi)


def _wrap(text: Text, room: float) -> None:
    lines = text.get_text().splitlines()
    chars = max(map(len, lines), default=0)
    while text.get_window_extent().width > room and chars > 20:
        chars -= 4
        text.set_text("\n".join(textwrap.fill(line, chars) for line in lines))


def set_title(axes: Axes, title: str, fontsize: float | None = None) -> None:
    """Give ``axes`` its title, a line too wide for the figure wrapped onto more lines.

    The width is measured with the figure's renderer, at the title's font size.
    """
    _wrap(axes.set_title(title, fontsize=fontsize), _room(axes))


def set_xlabel(axes: Axes, label: str) -> None:
    """Give ``axes`` its x label, wrapped as :func:`set_title` wraps a title."""
    _wrap(axes.set_xlabel(label), _room(axes))


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
    set_xlabel(axes, xlabel)
    axes.set_ylabel(ylabel)
    set_title(axes, title)
    axes.set_ylim(0, 1.02)
    axes.grid(True, alpha=0.3)
    if samples:
        axes.legend(title="variant" if len(samples) > 1 else None)
    return figure
