"""Sensitivity analysis through SALib, on cases whose answer is known."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gigsim.errors import GigsimError
from gigsim.presentation.figures.sweep import folder_figures
from gigsim.studies.sweep import load_sweep, run_sweep
from gigsim.studies.sweep.design import Parameter
from gigsim.studies.sweep.sensitivity import SensitivityDesign, analyze_function

from ._support import assert_one_line_error, grid_text, invoke, sweep_text, write

pytest.importorskip("SALib")

PI = math.pi
ISHIGAMI = tuple(Parameter(f"x{i}", -PI, PI) for i in (1, 2, 3))
# Ishigami & Homma (1990) with a = 7, b = 0.1: the analytic first-order and total indices
ISHIGAMI_S1 = {"x1": 0.3139, "x2": 0.4424, "x3": 0.0}
ISHIGAMI_ST = {"x1": 0.5576, "x2": 0.4424, "x3": 0.2437}


def _values(table: pd.DataFrame, index: str) -> dict[str, pd.Series]:
    return {row["parameter"]: row for _, row in table[table["index"] == index].iterrows()}


def test_sobol_indices_of_the_ishigami_function() -> None:
    from SALib.test_functions import Ishigami

    design = SensitivityDesign("sobol", ISHIGAMI, n=1024, seed=1)
    table = analyze_function(design, Ishigami.evaluate)
    assert len(design.sample()) == 1024 * (3 + 2)
    for index, analytic in (("S1", ISHIGAMI_S1), ("ST", ISHIGAMI_ST)):
        for name, row in _values(table, index).items():
            assert abs(row["value"] - analytic[name]) < 0.08, (index, name, row["value"])
            assert row["ci_low"] - 0.02 <= analytic[name] <= row["ci_high"] + 0.02
            assert row["conf"] > 0


def test_morris_on_a_linear_function_gives_its_slopes() -> None:
    parameters = (Parameter("a", 0.0, 1.0), Parameter("b", 10.0, 20.0),
                  Parameter("unused", -1.0, 1.0))
    design = SensitivityDesign("morris", parameters, n=10, seed=3)
    table = analyze_function(design, lambda x: 3.0 * x[:, 0] - 0.5 * x[:, 1])
    mu_star = {name: row["value"] for name, row in _values(table, "mu_star").items()}
    mu = {name: row["value"] for name, row in _values(table, "mu").items()}
    assert mu_star["a"] == pytest.approx(3.0) and mu["a"] == pytest.approx(3.0)
    # SALib measures effects per the whole range of a parameter: slope × (high − low)
    assert mu_star["b"] == pytest.approx(5.0) and mu["b"] == pytest.approx(-5.0)
    assert mu_star["unused"] == 0.0
    assert len(design.sample()) == 10 * 4


SENSITIVITY = """
[sensitivity]
method = "{method}"
n = {n}
[sensitivity.bounds]
"projects.rating.arrivals_per_week" = [0.25, 1.0]
"workers.generalists.quality.a" = [2.0, 8.0]
"""


@pytest.mark.parametrize(("method", "n", "indices"), [
    ("sobol", 8, ("S1", "ST")),
    ("morris", 4, ("mu_star", "sigma")),
])
def test_a_key_the_model_ignores_gets_no_sensitivity(tmp_path: Path, method: str, n: int,
                                                     indices: tuple[str, str]) -> None:
    """Under longest-idle no part of the model reads a worker's rating: with common random
    numbers, changing its distribution changes no output at all, so its indices are 0."""
    path = write(tmp_path, sweep_text(SENSITIVITY.format(method=method, n=n), replications=1,
                                      extra='metrics = ["income_mean_usd", "idle_share"]'))
    spec = load_sweep(path)
    assert spec.runs == (n * 4 if method == "sobol" else n * 3)
    result = run_sweep(spec, tmp_path / "out", figures=folder_figures)
    assert result.indices is not None
    for metric in ("income_mean_usd", "idle_share"):
        table = result.indices[result.indices["metric"] == metric]
        for index in indices:
            values = _values(table, index)
            assert abs(values["workers.generalists.quality.a"]["value"]) < 1e-9
        important = _values(table, indices[0])["projects.rating.arrivals_per_week"]["value"]
        assert important > 0.1
    assert (tmp_path / "out" / "indices.csv").is_file()
    assert (tmp_path / "out" / "sensitivity_income_mean_usd.png").is_file()


def test_a_metric_undefined_somewhere_gets_nan_indices_not_zeros() -> None:
    design = SensitivityDesign("sobol", ISHIGAMI, n=8, seed=1)
    table = analyze_function(design, lambda x: np.where(x[:, 0] > 2.5, np.nan, x[:, 1]))
    assert table["value"].isna().all()


def test_the_sensitivity_command(tmp_path: Path) -> None:
    path = write(tmp_path, sweep_text(SENSITIVITY.format(method="morris", n=2),
                                      replications=1))
    result = invoke("sensitivity", path, "--jobs", "1", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "mu_star" in result.stdout and "workers.generalists.quality.a" in result.stdout
    indices = pd.read_csv(tmp_path / "out" / "indices.csv")
    assert list(indices.columns) == ["metric", "parameter", "index", "value", "conf", "ci_low",
                                     "ci_high"]
    grid = write(tmp_path, grid_text(), "grid.toml")
    assert_one_line_error(invoke("sensitivity", grid, "--out", tmp_path / "g"),
                          "has no [sensitivity] table")


def test_without_salib_the_message_says_how_to_install(monkeypatch: pytest.MonkeyPatch,
                                                        tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "SALib", None)
    with pytest.raises(GigsimError, match=r"pip install 'gigsim\[sweep\]'"):
        SensitivityDesign("sobol", ISHIGAMI, n=8, seed=1).sample()
    path = write(tmp_path, sweep_text(SENSITIVITY.format(method="sobol", n=8)))
    assert_one_line_error(invoke("sensitivity", path, "--out", tmp_path / "out"),
                          "needs SALib")
    assert not (tmp_path / "out").exists()
