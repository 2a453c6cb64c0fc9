"""The report's warm-up figure: each pilot series, the warm-up shaded, each series' own cut."""

from __future__ import annotations

import numpy as np
from matplotlib.patches import Polygon, Rectangle

from gigsim.presentation.figures.warmup import warmup_figure


def _chosen() -> dict[str, object]:
    weeks = np.arange(24)
    filling = (100 * (1 - np.exp(-weeks / 3))).tolist()
    return {"warmup_weeks": 15, "pilot_replications": 10,
            "truncation_weeks": {"workers": 15, "seats_filled": 5, "income_usd": 0},
            "series": {"workers": {"weekly": filling}, "seats_filled": {"weekly": filling},
                       "income_usd": {"weekly": [50.0] * 24}}}


def test_each_panel_shades_the_warmup_and_marks_an_earlier_cut_of_its_own() -> None:
    figure = warmup_figure(_chosen())
    panels = figure.axes
    assert len(panels) == 3
    for axes, own in zip(panels, (15, 5, 0), strict=True):
        (series,) = [line for line in axes.lines if len(line.get_xdata()) == 24]
        assert np.allclose(series.get_xdata(), np.arange(24) + 0.5)  # mid-week
        cuts = sorted(float(line.get_xdata()[0]) for line in axes.lines if line is not series)
        assert cuts == ([15.0] if own == 15 else sorted([float(own), 15.0]))
        spans = [p for p in axes.patches if isinstance(p, Polygon | Rectangle)]
        assert len(spans) == 1
        xs = np.asarray(spans[0].get_xy())[:, 0] if isinstance(spans[0], Polygon) else \
            np.array([spans[0].get_x(), spans[0].get_x() + spans[0].get_width()])
        assert xs.min() == 0 and xs.max() == 15
    assert "15 week(s)" in panels[0].get_title()
