"""gigsim.presentation.figures: figures from tables, with labelled axes, and no global matplotlib
state."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from gigsim.presentation.figures.base import ecdf_figure
from gigsim.presentation.figures.comparison import (
    comparison_figures,
    income_ecdf_figure,
    latency_ecdf_figure,
)
from gigsim.studies.comparison import Comparison

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _lines(figure: Figure) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    (axes,) = figure.axes
    return {line.get_label(): (np.asarray(line.get_xdata(), dtype=float),
                               np.asarray(line.get_ydata(), dtype=float))
            for line in axes.get_lines()}


def _assert_labelled(figure: Figure) -> None:
    (axes,) = figure.axes
    assert axes.get_xlabel() and axes.get_ylabel() and axes.get_title()


def test_ecdf_figure_steps() -> None:
    figure = ecdf_figure({"a": [3.0, 1.0, 2.0, 2.0], "b": [5.0]}, xlabel="x (h)", title="t")
    assert isinstance(figure, Figure)
    _assert_labelled(figure)
    lines = _lines(figure)
    assert list(lines) == ["a", "b"]
    x, y = lines["a"]
    np.testing.assert_allclose(x, [1.0, 1.0, 2.0, 3.0])
    np.testing.assert_allclose(y, [0.0, 0.25, 0.75, 1.0])
    assert figure.axes[0].get_legend() is not None


def test_ecdf_figure_with_censoring_levels_off() -> None:
    figure = ecdf_figure({"a": [1.0, 2.0, 3.0, 4.0]}, xlabel="x", title="t",
                         censored={"a": [False, True, False, True]})
    ((label, (x, y)),) = _lines(figure).items()
    assert label == "a (50% censored)"
    np.testing.assert_allclose(x, [1.0, 1.0, 3.0])
    np.testing.assert_allclose(y, [0.0, 0.25, 0.5])  # censored values never count as done


def test_ecdf_figure_drops_nans_and_names_empty_samples() -> None:
    figure = ecdf_figure({"a": [np.nan, 1.0], "empty": []}, xlabel="x", title="t")
    lines = _lines(figure)
    np.testing.assert_allclose(lines["a"][1], [0.0, 1.0])
    assert len(lines["empty (no data)"][0]) == 0


def test_long_samples_are_thinned_but_exact_at_the_ends() -> None:
    values = np.random.default_rng(0).exponential(1.0, 50_000)
    x, y = _lines(ecdf_figure({"a": values}, xlabel="x", title="t"))["a"]
    assert len(x) <= 4001
    assert x[-1] == values.max() and y[-1] == 1.0
    assert np.all(np.diff(y) >= 0)


def test_income_and_latency_figures_from_tables() -> None:
    months = pd.DataFrame({"income_usd": [0.0, 100.0, 300.0, 999.0],
                           "available_h": [40.0, 40.0, 40.0, 0.0]})  # the last is not counted
    figure = income_ecdf_figure({"base": months, "other": months})
    _assert_labelled(figure)
    assert "USD" in figure.axes[0].get_xlabel()
    x, _ = _lines(figure)["base"]
    assert x.max() == 300.0

    latencies = pd.DataFrame({"latency_h": [24.0, 48.0, 240.0],
                              "censored": [False, False, True]})
    figure = latency_ecdf_figure({"base": latencies})
    _assert_labelled(figure)
    assert "days" in figure.axes[0].get_xlabel()
    x, y = _lines(figure)["base (33% censored)"]
    np.testing.assert_allclose(x, [1.0, 1.0, 2.0])  # hours shown as days
    assert y[-1] == pytest.approx(2 / 3)


def test_comparison_figures_have_one_line_per_variant(policy_comparison: Comparison,
                                                      tmp_path: Path) -> None:
    results = policy_comparison.results
    figures = comparison_figures({n: r.worker_months for n, r in results.items()},
                                 {n: r.latencies for n, r in results.items()})
    assert list(figures) == ["income_ecdf", "latency_ecdf"]
    for stem, figure in figures.items():
        _assert_labelled(figure)
        labels = [label.split(" (")[0] for label in _lines(figure)]
        assert labels == ["longest-idle", "random"]
        figure.savefig(tmp_path / f"{stem}.png")
        assert (tmp_path / f"{stem}.png").read_bytes().startswith(PNG_SIGNATURE)


def test_no_global_matplotlib_state() -> None:
    """Importing gigsim loads no matplotlib; drawing and saving never touches pyplot."""
    code = """
import sys
import gigsim, gigsim.cli, gigsim.studies.comparison
assert "matplotlib" not in sys.modules, "gigsim imported matplotlib"
import io
from gigsim.presentation.figures.base import ecdf_figure
ecdf_figure({"a": [1.0, 2.0]}, xlabel="x", title="t").savefig(io.BytesIO(), format="png")
assert "matplotlib.pyplot" not in sys.modules, "pyplot was imported"
import matplotlib
assert matplotlib.rcParams["backend"] is not None
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stderr
