"""Global sensitivity analysis with SALib: Sobol' indices and Morris screening.

gigsim only wires SALib to sweeps: SALib draws the points (Saltelli's scheme on a scrambled
Sobol' sequence for ``sobol``, trajectories for ``morris``), the sweep runs them, and SALib
computes the indices and their bootstrap confidence intervals from the per-point means. The same
wrapper takes any function of the parameters (:func:`analyze_function`), which is how it is
checked against SALib's analytic test functions.

SALib is an optional dependency: ``pip install 'gigsim[sweep]'``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from gigsim.errors import GigsimError
from gigsim.studies.sweep.design import Parameter

if TYPE_CHECKING:
    from gigsim.studies.sweep.spec import SensitivitySettings

CONFIDENCE_LEVEL = 0.95
INDEX_COLUMNS = ("metric", "parameter", "index", "value", "conf", "ci_low", "ci_high")
# What each index measures, for tables and figures.
INDICES: dict[str, str] = {
    "S1": "first-order Sobol' index: share of the output's variance due to the parameter alone",
    "ST": "total Sobol' index: share due to the parameter, its interactions included",
    "S2": "second-order Sobol' index: share due to the interaction of two parameters",
    "mu_star": "Morris mu*: mean absolute elementary effect (change of the output over the"
               " parameter's whole range, in the output's units)",
    "mu": "Morris mu: mean elementary effect (signed)",
    "sigma": "Morris sigma: spread of the elementary effects (non-linearity, interactions)",
}


def _salib() -> Any:
    try:
        import SALib  # noqa: F401
    except ImportError:
        raise GigsimError("sensitivity analysis needs SALib: pip install 'gigsim[sweep]'"
                          " (or pip install salib)") from None
    from SALib.analyze import morris as morris_analyze
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    return sobol_sample, sobol_analyze, morris_sample, morris_analyze


@dataclass(frozen=True)
class SensitivityDesign:
    """A SALib problem: named parameters with bounds, a method, a base sample size, a seed.

    ``n`` is SALib's ``N``: for ``sobol`` the base sample (a power of two), giving
    ``n × (D + 2)`` points, or ``n × (2D + 2)`` with ``second_order``; for ``morris`` the
    number of trajectories, giving ``n × (D + 1)`` points on a grid of ``levels`` levels.
    """

    method: Literal["sobol", "morris"]
    parameters: tuple[Parameter, ...]
    n: int
    seed: int
    levels: int = 4
    second_order: bool = False

    @classmethod
    def from_settings(cls, settings: SensitivitySettings, parameters: Sequence[Parameter],
                      seed: int) -> SensitivityDesign:
        """The design a sweep file's ``[sensitivity]`` table describes."""
        return cls(settings.method, tuple(parameters), settings.n, seed, settings.levels,
                   settings.second_order)

    @property
    def problem(self) -> dict[str, Any]:
        """SALib's problem dictionary."""
        return {
            "num_vars": len(self.parameters),
            "names": [p.key for p in self.parameters],
            "bounds": [[p.low, p.high] for p in self.parameters],
        }

    def sample(self) -> np.ndarray:
        """SALib's sample: one row per point, one column per parameter."""
        sobol_sample, _, morris_sample, _ = _salib()
        if self.method == "sobol":
            return np.asarray(sobol_sample.sample(self.problem, self.n,
                                                  calc_second_order=self.second_order,
                                                  seed=self.seed))
        return np.asarray(morris_sample.sample(self.problem, self.n, num_levels=self.levels,
                                               seed=self.seed))

    def analyze(self, x: np.ndarray, y: np.ndarray) -> pd.DataFrame:
        """The indices of one output ``y`` (one value per row of ``x``), with 95% intervals.

        One row per parameter and index (``S1``, ``ST`` and, with ``second_order``, ``S2``
        for ``sobol``; ``mu_star``, ``mu`` and ``sigma`` for ``morris``); ``conf`` is SALib's
        half-width of the 95% bootstrap interval (NaN where SALib gives none). If ``y`` has a
        NaN (a metric undefined at some point), every index is NaN.
        """
        _, sobol_analyze, _, morris_analyze = _salib()
        y = np.asarray(y, dtype=float)
        names = [p.key for p in self.parameters]
        rows: list[dict[str, Any]] = []
        if np.isnan(y).any():  # SALib would turn the NaNs into indices of 0: say unknown
            shown = ("S1", "ST") if self.method == "sobol" else ("mu_star", "mu", "sigma")
            return pd.DataFrame([_row(name, index, np.nan, np.nan)
                                 for index in shown for name in names])
        if self.method == "sobol":
            result = sobol_analyze.analyze(self.problem, y, calc_second_order=self.second_order,
                                           conf_level=CONFIDENCE_LEVEL, seed=self.seed)
            for index in ("S1", "ST"):
                for i, name in enumerate(names):
                    rows.append(_row(name, index, result[index][i], result[f"{index}_conf"][i]))
            if self.second_order:
                for i, a in enumerate(names):
                    for j in range(i + 1, len(names)):
                        rows.append(_row(f"{a} × {names[j]}", "S2", result["S2"][i, j],
                                         result["S2_conf"][i, j]))
        else:
            result = morris_analyze.analyze(self.problem, np.asarray(x, dtype=float), y,
                                            conf_level=CONFIDENCE_LEVEL,
                                            num_levels=self.levels, seed=self.seed)
            for index in ("mu_star", "mu", "sigma"):
                conf = result["mu_star_conf"] if index == "mu_star" else None
                for i, name in enumerate(names):
                    rows.append(_row(name, index, result[index][i],
                                     np.nan if conf is None else conf[i]))
        return pd.DataFrame(rows)


def _row(parameter: str, index: str, value: Any, conf: Any) -> dict[str, Any]:
    value, conf = float(np.ma.filled(value, np.nan)), float(np.ma.filled(conf, np.nan))
    return {"parameter": parameter, "index": index, "value": value, "conf": conf,
            "ci_low": value - conf, "ci_high": value + conf}


def indices_table(design: SensitivityDesign, x: np.ndarray,
                  outputs: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """The indices of every named output, as one tidy table (:data:`INDEX_COLUMNS`)."""
    frames = [design.analyze(x, y).assign(metric=name) for name, y in outputs.items()]
    if not frames:
        return pd.DataFrame(columns=list(INDEX_COLUMNS))
    return pd.concat(frames, ignore_index=True)[list(INDEX_COLUMNS)]


def analyze_function(design: SensitivityDesign,
                     function: Callable[[np.ndarray], np.ndarray],
                     name: str = "y") -> pd.DataFrame:
    """Sample ``design``, evaluate ``function`` on the rows, and return the indices.

    ``function`` takes the whole sample (one row per point) and returns one value per row,
    as SALib's test functions do (``SALib.test_functions.Ishigami.evaluate``).
    """
    x = design.sample()
    return indices_table(design, x, {name: np.asarray(function(x), dtype=float)})


# An interval is called wide only where it reaches an index that matters: an index whose
# interval stays under this is near zero either way. S1 above ST by less than ROUNDING is not
# worth a warning (an additive model has S1 = ST, and the estimates differ in the last digits).
NEGLIGIBLE_INDEX = 0.05
ROUNDING = 0.01


def index_warnings(indices: pd.DataFrame, method: str, n: int) -> list[str]:
    """Lines that say where the indices are not to be trusted yet, and how much larger an n.

    For Sobol': a first-order index above its total index or above 1 (impossible in theory;
    the sign of too small a sample), or a 95% interval wider than the index itself; for
    Morris, a mu* interval wider than mu*. Every problem of a kind goes on one line, with the
    first few examples and an n four times larger (intervals narrow as 1/sqrt(n), so that
    halves them). Ends with SALib's advice on n for the method.
    """
    bigger = 4 * n
    if method == "sobol":
        bigger = 1 << max(0, (4 * n - 1).bit_length())  # a power of two, at least 4 n
    advice = f"try --n {bigger} (now {n}); intervals narrow as 1/sqrt(n)"
    problems: dict[str, list[str]] = {"above_total": [], "above_one": [], "wide": []}
    frame = indices.dropna(subset=["value"])
    if method == "sobol":
        for (metric, parameter), rows in frame.groupby(["metric", "parameter"], sort=False):
            by_index = {row["index"]: row for _, row in rows.iterrows()}
            first, total = by_index.get("S1"), by_index.get("ST")
            if first is not None and total is not None \
                    and first["value"] > total["value"] + ROUNDING:
                problems["above_total"].append(f"{metric}/{parameter}: S1 {first['value']:.3g}"
                                               f" > ST {total['value']:.3g}")
            if first is not None and first["value"] > 1:
                problems["above_one"].append(f"{metric}/{parameter}: S1 {first['value']:.3g}")
    for _, row in frame.iterrows():
        if row["index"] in ("S1", "ST", "S2", "mu_star") and not math.isnan(row["conf"]):
            width = row["ci_high"] - row["ci_low"]
            if width > abs(row["value"]) and row["ci_high"] > NEGLIGIBLE_INDEX:
                problems["wide"].append(f"{row['metric']}/{row['parameter']}: {row['index']}"
                                        f" {row['value']:.3g} [{row['ci_low']:.3g},"
                                        f" {row['ci_high']:.3g}]")
    texts = {
        "above_total": "a first-order index above its total index",
        "above_one": "a first-order index above 1",
        "wide": "a 95% interval wider than the index",
    }
    lines = []
    for kind, found in problems.items():
        if found:
            shown = "; ".join(found[:3]) + (f"; and {len(found) - 3} more" if len(found) > 3
                                            else "")
            lines.append(f"warning: {texts[kind]} ({len(found)}: {shown}): the sample is too"
                         f" small to trust; {advice}")
    if method == "sobol":
        lines.append(f"SALib: Sobol' indices converge as n grows; n must be a power of two"
                     f" (now {n}), and a sweep runs n × (keys + 2) points")
    else:
        lines.append(f"SALib: Morris screening ranks parameters by mu*; more trajectories"
                     f" (n, now {n}) narrow its intervals")
    return lines
