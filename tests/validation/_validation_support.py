"""Shared helpers for the validation tests: scenario builders and standard-error checks.

How tolerances are set
----------------------
Every statistical check uses *replications* as the independent units: a replication has its own
``SeedSequence`` child, so its estimate (a time average over a long horizon, or a mean over many
observations) is independent of the others and, by the central limit theorem, close to normal.
From R per-replication estimates we take their mean and standard error
``se = sd(ddof=1) / sqrt(R)`` and accept the theoretical value if it lies within ``k * se`` of
the mean, where ``k`` is the Student-t quantile with R - 1 degrees of freedom at the same
two-sided tail probability as a 4-sigma normal band (``2 * norm.sf(4)``, about 6.3e-5).
So a correct model fails a check with probability about 6e-5 for a given seed, while a bias of a
few standard errors is caught. The seeds are fixed, so a passing test stays passing. No fudge
factors: the band is the standard error times that quantile, nothing added.

Direction checks compare two configurations run with the same seed (common random numbers) and
use the per-replication paired differences the same way: the direction holds if the mean
difference exceeds ``k * se`` of the differences, i.e. the one-sided band excludes zero.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
from scipy import stats

import gigsim

# Two-sided tail probability of a 4-sigma normal band.
TAIL = 2.0 * float(stats.norm.sf(4.0))


def band_multiplier(replications: int) -> float:
    """The t quantile with ``replications - 1`` degrees of freedom matching a 4-sigma band."""
    return float(stats.t.ppf(1.0 - TAIL / 2.0, replications - 1))


def mean_and_se(values: Iterable[float]) -> tuple[float, float, int]:
    """Mean, standard error of the mean and count of independent per-replication values."""
    x = np.asarray(list(values), dtype=float)
    assert len(x) >= 2, "need at least two replications for a standard error"
    assert np.all(np.isfinite(x)), f"non-finite per-replication values: {x}"
    return float(x.mean()), float(x.std(ddof=1) / math.sqrt(len(x))), len(x)


def assert_matches_theory(values: Iterable[float], theory: float, what: str) -> None:
    """The per-replication estimates agree with ``theory`` within the t band of their mean."""
    mean, se, n = mean_and_se(values)
    k = band_multiplier(n)
    print(f"{what}: {mean:.6g} ± {k:.2f}×{se:.3g} (R={n}), theory {theory:.6g},"
          f" z={(mean - theory) / se:+.2f}")  # shown with pytest -s
    assert se > 0, f"{what}: zero standard error, the check would be vacuous"
    assert abs(mean - theory) <= k * se, (
        f"{what}: simulated {mean:.6g} ± {k:.2f}×{se:.3g} (R={n}) vs theory {theory:.6g}"
        f" (off by {(mean - theory) / se:+.2f} standard errors)"
    )


def assert_positive(differences: Iterable[float], what: str) -> None:
    """Paired per-replication differences are positive beyond the t band of their mean."""
    mean, se, n = mean_and_se(differences)
    k = band_multiplier(n)
    print(f"{what}: {mean:.6g}, se {se:.3g}, band {k:.2f}×se = {k * se:.3g} (R={n})")
    assert mean > k * se, (
        f"{what}: mean paired difference {mean:.6g}, needs > {k:.2f}×{se:.3g} (R={n})"
    )


def scenario(
    *,
    workers: int,
    hours_per_week: Any = 40,
    arrivals_per_week: float,
    seats: Any = 1,
    lifetime: Any,
    hours_per_week_per_seat: Any = 40,
    delay: Any = 0,
    notice: Mapping[str, Any] | None = None,
    pre_assign: bool = False,
    policy: str = "longest-idle",
    horizon: str = "1y",
    warmup: str = "10w",
) -> gigsim.Scenario:
    """A one-skill scenario with no assessment, training, sparse phase, checking or attrition."""
    project: dict[str, Any] = {
        "name": "p",
        "requires": "g",
        "arrivals_per_week": arrivals_per_week,
        "seats": seats,
        "lifetime": lifetime,
        "pay_per_hour": 15,
        "hours_per_week_per_seat": hours_per_week_per_seat,
    }
    if notice is not None:
        project["notice"] = dict(notice)
    return gigsim.Scenario.from_dict({
        "name": "validation",
        "simulation": {"horizon": horizon, "warmup": warmup, "replications": 1, "seed": 0},
        "workers": [{"name": "w", "count": workers, "skills": ["g"],
                     "hours_per_week": hours_per_week}],
        "projects": [project],
        "dispatch": {"policy": policy, "delay": delay, "pre_assign_on_notice": pre_assign},
    })


def per_replication_ratio(frame: Any, numerator: str, denominator: str) -> np.ndarray:
    """``sum(numerator) / sum(denominator)`` per replication, in replication order."""
    sums = frame.groupby("replication", observed=True)[[numerator, denominator]].sum()
    return (sums[numerator] / sums[denominator]).to_numpy()
