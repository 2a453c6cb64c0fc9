"""The sweep figures draw what the per-point table holds."""

from __future__ import annotations

import numpy as np
import pandas as pd

from gigsim.presentation.figures import sweep


def _points() -> pd.DataFrame:
    rows = []
    for i, rate in enumerate([0.25, 0.5, 1.0]):
        for j, share in enumerate([0.0, 1.0]):
            mean = 100 * rate + share
            rows.append({"point": 2 * i + j, "rate": rate, "share": share, "m": mean,
                         "m_ci_low": mean - 5, "m_ci_high": mean + 5})
    return pd.DataFrame(rows)


def test_heatmap_puts_each_mean_in_its_cell() -> None:
    figure = sweep.sweep_heatmap_figure(_points(), "rate", "share", "m")
    image = figure.axes[0].images[0].get_array()
    assert image.shape == (2, 3)  # rows: share, columns: rate
    assert image[1, 2] == 101.0 and image[0, 0] == 25.0
    labels = [t.get_text() for t in figure.axes[0].get_xticklabels()]
    assert labels == ["0.25", "0.5", "1"]


def test_lines_have_a_confidence_band_per_group() -> None:
    figure = sweep.sweep_lines_figure(_points(), "rate", "m", by="share")
    axes = figure.axes[0]
    assert len(axes.lines) == 2 and len(axes.collections) == 2
    x, y = axes.lines[1].get_data()
    assert list(x) == [0.25, 0.5, 1.0] and list(y) == [26.0, 51.0, 101.0]


def test_which_figures_a_sweep_gets() -> None:
    points = _points()
    assert set(sweep.sweep_figures(points, ["rate", "share"], ["m"])) == {"heatmap_m"}
    assert set(sweep.sweep_figures(points, ["rate"], ["m"])) == {"lines_m"}
    assert sweep.sweep_figures(points, ["rate", "share"], ["m"], grid=False) == {}


def test_sensitivity_bars_with_intervals() -> None:
    indices = pd.DataFrame({
        "metric": ["y"] * 4, "parameter": ["a", "b", "a", "b"],
        "index": ["S1", "S1", "ST", "ST"], "value": [0.6, 0.0, 0.7, 0.1],
        "conf": [0.1, 0.05, 0.1, np.nan]})
    figure = sweep.sensitivity_figure(indices, "y")
    bars = figure.axes[0].patches
    assert [round(b.get_width(), 2) for b in bars] == [0.6, 0.0, 0.7, 0.1]
