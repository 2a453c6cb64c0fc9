"""Replications by precision for a comparison: paired differences from the first variant.

``gigsim compare --precision 5%`` runs the rule of :mod:`gigsim.studies.precision` (rounds of
a fixed size, at least two, replication ``k`` on seed stream ``k`` in every variant) and checks,
after each round, every variant's paired difference from the first on each target metric
(docs/model.md, "Replications by precision"). A target is met when either

- its 95% interval is **narrow**: a half-width within the precision asked, a share of the first
  variant's mean (for a metric that is a share, that many percentage points); or
- its interval is **clear of 0** by that margin: it lies wholly above the margin or wholly
  below minus it, so the variant differs from the first by more than the precision asked, in a
  known direction, and more replications would only narrow a difference already settled.

The half-width and margin are on the scale of the first variant's mean, the quantity the
reader compares against; the difference's interval is the paired t interval the comparison
prints (:func:`gigsim.analysis.statistics.paired_difference`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from gigsim.analysis.statistics import SHARE, metric_kind, paired_difference
from gigsim.studies.precision import (
    APPLICANT_DEFAULT_METRICS,
    STOPPED_MAX,
    STOPPED_MET,
    PrecisionGoal,
    within,
)

# The per-applicant counterparts of run's headline income and share of months with no income.
COMPARE_METRICS = APPLICANT_DEFAULT_METRICS
NARROW = "narrow"
CLEAR = "clear of 0"
SHORT = "short"


@dataclass(frozen=True)
class DifferenceCheck:
    """One variant's paired difference from the first on one metric, against the precision.

    ``diff``, ``ci_low`` and ``ci_high`` are the mean per-replication difference (variant −
    first) and its 95% t interval over ``n`` pairs; ``reference_mean`` the first variant's
    mean; ``allowed`` the half-width asked, in the metric's units (``relative``: a share of
    |reference_mean|; else the metric is a share and ``allowed`` is in absolute terms).
    """

    variant: str
    metric: str
    n: int
    reference_mean: float
    diff: float
    ci_low: float
    ci_high: float
    allowed: float
    relative: bool

    @property
    def half_width(self) -> float:
        """Half the width of the difference's interval (NaN with fewer than two pairs)."""
        return (self.ci_high - self.ci_low) / 2

    @property
    def narrow(self) -> bool:
        """Whether the half-width is within what was asked."""
        return within(self.ci_low, self.ci_high, self.allowed)

    @property
    def clear(self) -> bool:
        """Whether the interval lies wholly beyond ±``allowed``: a difference settled."""
        return self.ci_low >= self.allowed or self.ci_high <= -self.allowed

    @property
    def met(self) -> bool:
        """Whether either condition holds."""
        return self.narrow or self.clear

    @property
    def condition(self) -> str:
        """:data:`NARROW`, :data:`CLEAR` (when not narrow) or :data:`SHORT`."""
        return NARROW if self.narrow else CLEAR if self.clear else SHORT

    def _scaled(self, value: float) -> float:
        """``value`` on the scale asked: a share of |reference mean|, or (shares) as is."""
        if not self.relative:
            return value
        return value / abs(self.reference_mean) if self.reference_mean else math.inf

    @property
    def achieved(self) -> float:
        """The half-width on the scale asked."""
        return self._scaled(self.half_width)

    def describe(self, asked: float, reference: str) -> str:
        """The difference and its half-width on the scale asked, and which condition held."""
        if math.isnan(self.half_width):
            return "no interval (fewer than two replications)"
        unit = f"% of {reference}'s mean" if self.relative else " percentage points"
        diff = 100 * self._scaled(self.diff)
        text = (f"difference {'−' if diff < 0 else '+'}{abs(diff):.1f}"
                f" ± {100 * self.achieved:.1f}{unit}")
        if self.narrow:
            return f"{text}; narrow (asked ± {100 * asked:g})"
        if self.clear:
            return f"{text}; clear of 0 by more than {100 * asked:g}{unit}"
        return (f"{text}; asked ± {100 * asked:g}, or clear of 0 by that; about"
                f" {needed(self, asked)} replications would narrow it")

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready form."""
        return {"variant": self.variant, "metric": self.metric, "replications": self.n,
                "reference_mean": _json(self.reference_mean), "diff": _json(self.diff),
                "diff_ci_low": _json(self.ci_low), "diff_ci_high": _json(self.ci_high),
                "half_width": _json(self.half_width),
                "allowed_half_width": _json(self.allowed),
                "scale": "share of the first variant's mean" if self.relative
                else "percentage points",
                "achieved": _json(self.achieved), "condition": self.condition, "met": self.met}


def _json(value: float) -> float | None:
    return None if not math.isfinite(value) else float(value)


def needed(check: DifferenceCheck, precision: float) -> int:
    """About how many replications would make ``check`` narrow: n (h / h*)²."""
    ratio = check.achieved / precision
    if not math.isfinite(ratio):
        return check.n
    return math.ceil(check.n * ratio ** 2)


def check_difference(variant: str, metric: str, reference: Sequence[float] | np.ndarray,
                     values: Sequence[float] | np.ndarray, precision: float) -> DifferenceCheck:
    """Check ``variant``'s paired difference from the first on ``metric``.

    ``reference`` and ``values`` hold one value per replication, in the same order.
    """
    first = np.asarray(reference, dtype=float)
    d = paired_difference(first, values)
    reference_mean = float(np.nanmean(first)) if np.any(~np.isnan(first)) else math.nan
    relative = metric_kind(metric) != SHARE
    allowed = precision * abs(reference_mean) if relative else precision
    return DifferenceCheck(variant, metric, d.n, reference_mean, d.mean, d.ci_low, d.ci_high,
                           allowed, relative)


def check_differences(values: Mapping[str, Mapping[str, Sequence[float] | np.ndarray]],
                      goal: PrecisionGoal) -> list[DifferenceCheck]:
    """Every variant after the first against it, on each of ``goal.metrics``.

    ``values[variant][metric]`` holds the per-replication values, the first variant first.
    """
    names = list(values)
    return [check_difference(name, metric, values[names[0]][metric], values[name][metric],
                             goal.precision)
            for name in names[1:] for metric in goal.metrics]


@dataclass(frozen=True)
class PairedDecision:
    """How many replications a comparison ran by precision, and which condition each met."""

    goal: PrecisionGoal
    replications: int
    rounds: int
    checks: tuple[DifferenceCheck, ...]
    reference: str

    @property
    def met(self) -> bool:
        """Whether every variant met every target, one way or the other."""
        return all(check.met for check in self.checks)

    @property
    def stopped(self) -> str:
        """Why the rule stopped: :data:`STOPPED_MET` or :data:`STOPPED_MAX`."""
        return STOPPED_MET if self.met else STOPPED_MAX

    def variant_status(self, variant: str) -> str:
        """One phrase for a variant: ``met (narrow)``, ``met (clear of 0)``, ``SHORT`` or ``—``."""
        checks = [c for c in self.checks if c.variant == variant]
        if not checks:
            return "reference"
        if not all(c.met for c in checks):
            return "SHORT"
        return "met (" + ", ".join(sorted({c.condition for c in checks})) + ")"

    def describe(self) -> list[str]:
        """Lines for a terminal: the count, why, and each variant's targets."""
        goal = self.goal
        head = (f"replications chosen by precision {100 * goal.precision:g}% on the paired"
                f" differences from {self.reference!r}: {self.replications} per variant"
                f" ({self.rounds} round(s) of up to {goal.round_size})")
        if self.met:
            lines = [head + "; every variant met every target"]
        else:
            short = [c for c in self.checks if not c.met]
            lines = [head + f"; stopped at --max-replications {goal.max_replications} with"
                            f" {len(short)} target(s) short"]
        width = max(len(c.variant) for c in self.checks)
        metric_width = max(len(c.metric) for c in self.checks)
        for check in self.checks:
            mark = "  met    " if check.met else "  SHORT  "
            lines.append(f"{mark}{check.variant:<{width}}  {check.metric:<{metric_width}}  "
                         + check.describe(goal.precision, self.reference))
        lines.append("  (narrow: the 95% half-width within what was asked; clear of 0: the whole"
                     " interval beyond ± that, so the sign and size of the difference are"
                     " settled)")
        return lines

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready form, for the summary and the manifest."""
        return {"rule": "sequential: rounds of a fixed size, at least min_rounds, until every"
                        " variant's paired difference from the first has a 95% half-width"
                        " within precision, or an interval clear of 0 by it (docs/model.md)",
                **self.goal.to_dict(), "reference": self.reference,
                "replications": self.replications, "rounds": self.rounds,
                "stopped": self.stopped, "targets": [c.to_dict() for c in self.checks]}
