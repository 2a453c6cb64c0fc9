"""Figures of fits and calibrations: survival and QQ plots, the objective's trace.

Like :mod:`gigsim.presentation.figures`, these build :class:`matplotlib.figure.Figure` objects on
their own Agg canvas (no pyplot); callers save them or show them in a notebook.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from gigsim.presentation.figures.base import new_figure
from gigsim.scenario.units import HOURS_PER_DAY

if TYPE_CHECKING:
    from gigsim.studies.fitting.fit import FitReport


def _scale(report: FitReport) -> tuple[float, str]:
    return (HOURS_PER_DAY, "days") if report.sample.kind == "duration" else (1.0, "")


def fit_survival_figure(report: FitReport) -> Figure:
    """The data's Kaplan–Meier curve (95% band, censored values marked) against every fit."""
    scale, unit = _scale(report)
    curve = report.curve
    figure = new_figure()
    axes = figure.add_subplot()
    x = np.r_[0.0, curve.times] / scale
    axes.step(x, np.r_[1.0, curve.survival], where="post", color="black",
              label=f"data (Kaplan–Meier): n={report.sample.n},"
                    f" {report.sample.n_censored} censored")
    axes.fill_between(x, np.r_[1.0, curve.ci_low], np.r_[1.0, curve.ci_high], step="post",
                      color="black", alpha=0.12)
    marks = curve.censored_times
    axes.plot(marks / scale, curve.at(marks), linestyle="none", marker="+", color="0.3",
              label="censored (still running)")
    grid = np.linspace(0, float(report.sample.values.max()), 400)
    for index, fit in enumerate(f for f in report.fits if f.parametric):
        axes.plot(grid / scale, fit.survival(grid), color=f"C{index}",
                  label=f"{fit.family}: ΔAIC {fit.aic - report.best.aic:.1f},"
                        f" KM gap {fit.km_distance:.3f}")
    axes.set_xlabel(f"value ({unit})" if unit else "value")
    axes.set_ylabel("share longer than x")
    axes.set_title(f"Fits to {report.sample.source}", fontsize="medium")
    axes.set_ylim(0, 1.02)
    axes.set_xlim(left=0)
    axes.grid(True, alpha=0.3)
    axes.legend(fontsize="small")
    return figure


def fit_qq_figure(report: FitReport) -> Figure:
    """Each fit's quantiles against the values that ended, at their Kaplan–Meier probabilities.

    A value ``t`` that ended, where the Kaplan–Meier curve steps from ``S(t−)`` to ``S(t)``, is
    plotted against the fitted quantile at ``1 − (S(t−) + S(t)) / 2``: censoring is counted as
    in the survival plot. Points on the diagonal mean the fit matches the data.
    """
    scale, unit = _scale(report)
    curve = report.curve
    figure = new_figure(5.5, 5.0)
    axes = figure.add_subplot()
    if len(curve.times):
        before = np.r_[1.0, curve.survival[:-1]]
        ended = curve.survival < before  # steps, not censored-only times
        p = 1 - (before + curve.survival)[ended] / 2
        observed = curve.times[ended] / scale
        for index, fit in enumerate(f for f in report.fits if f.parametric):
            axes.plot(fit.quantile(p) / scale, observed, linestyle="none", marker=".",
                      markersize=4, color=f"C{index}", alpha=0.7, label=fit.family)
        top = float(observed.max()) * 1.05
        axes.plot([0, top], [0, top], color="black", linewidth=0.8, label="y = x")
    axes.set_xlabel(f"fitted quantile ({unit})" if unit else "fitted quantile")
    axes.set_ylabel(f"observed value ({unit})" if unit else "observed value")
    axes.set_title("QQ plot (Kaplan–Meier probabilities)", fontsize="medium")
    axes.grid(True, alpha=0.3)
    axes.legend(fontsize="small")
    return figure


def objective_figure(trace: pd.DataFrame, at_tolerance: float | None = None) -> Figure:
    """The calibration objective at each evaluation, and the best so far (log scale).

    ``at_tolerance`` (the sum of the targets' weights, by default their number) is the
    objective when every target misses by exactly its tolerance, drawn as a dashed line.
    """
    figure = new_figure(6.5, 4.0)
    axes = figure.add_subplot()
    objective = trace["objective"].to_numpy(dtype=float)
    axes.plot(trace["evaluation"], objective, marker=".", linestyle="none", color="C0",
              label="objective at each evaluation")
    axes.plot(trace["evaluation"], np.minimum.accumulate(objective), color="C1",
              label="best so far")
    if at_tolerance is None:
        at_tolerance = len([c for c in trace.columns if c.startswith("target:")]) or 1
    axes.axhline(at_tolerance, color="0.5", linestyle="--", linewidth=0.8,
                 label="every target at its tolerance")
    axes.set_yscale("log")
    axes.set_xlabel("evaluation")
    axes.set_ylabel("Σ weight · ((achieved − target) / tolerance)²")
    axes.set_title("Calibration: the objective's trace", fontsize="medium")
    axes.grid(True, alpha=0.3)
    axes.legend(fontsize="small")
    return figure


def targets_figure(targets: pd.DataFrame) -> Figure:
    """Each target's tolerance band, and the achieved mean with its 95% interval."""
    figure = new_figure(6.5, 0.9 + 0.7 * len(targets))
    axes = figure.add_subplot()
    for row, (_, target) in enumerate(targets.iterrows()):
        scale = target["tolerance"] if target["tolerance"] > 0 else 1.0
        axes.barh(row, 2.0, left=-1.0, height=0.5, color="C2", alpha=0.25,
                  label="within tolerance" if row == 0 else None)
        for column, color, label in (("before", "0.5", "before"), ("achieved", "C0", "after")):
            if f"{column}_mean" not in target or np.isnan(target[f"{column}_mean"]):
                continue
            mid = (target[f"{column}_mean"] - target["value"]) / scale
            low = (target[f"{column}_ci_low"] - target["value"]) / scale
            high = (target[f"{column}_ci_high"] - target["value"]) / scale
            offset = 0.12 if column == "before" else -0.12
            axes.errorbar(mid, row + offset, xerr=[[mid - low], [high - mid]], fmt="o",
                          color=color, label=label if row == 0 else None, capsize=3)
    axes.set_yticks(range(len(targets)), [f"{m}\n(target {v:.3g} ± {t:.3g})" for m, v, t in
                                          zip(targets["metric"], targets["value"],
                                              targets["tolerance"], strict=True)],
                    fontsize="small")
    axes.axvline(0, color="black", linewidth=0.8)
    axes.set_xlabel("(value − target) / tolerance; bars: 95% intervals over replications")
    axes.grid(True, axis="x", alpha=0.3)
    axes.legend(fontsize="small")
    return figure
