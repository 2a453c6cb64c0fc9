"""Replications by precision: run rounds of replications until each target interval is narrow.

The rule (docs/model.md, "Replications by precision") is a sequential one in the manner of the
relative-precision procedure of Law's *Simulation Modeling and Analysis*: run at least
``min_rounds`` rounds of ``round_size`` replications, then stop after the first round at which
every target metric's 95% interval has a half-width within ``precision`` of its mean (for a
share, within ``precision`` in absolute terms: percentage points), or once ``max_replications``
have run. Rounds have a fixed size and replication ``k`` always has seed stream ``k``, so the
count, and every result, is the same whatever the number of processes.

:func:`run_by_precision` knows nothing of what a round runs: a study hands it a function that
runs replications ``range(start, stop)`` and one that checks the targets on everything run so
far (:func:`check_metric` on per-replication values, or paired differences in a comparison).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, TypeVar

import numpy as np

from gigsim.analysis.applicants import ALL_METRICS
from gigsim.analysis.statistics import METRICS, SHARE, metric_interval, metric_kind
from gigsim.errors import GigsimError
from gigsim.scenario.schema import did_you_mean

ROUND_SIZE = 5
MIN_ROUNDS = 2  # with ROUND_SIZE, Law's advice of at least 10 replications before the first check
DEFAULT_MAX_REPLICATIONS = 200
# The headline income metric and the share of months with no income.
DEFAULT_METRICS = ("income_mean_usd", "zero_income_share")
# Their per-applicant counterparts: the targets of a comparison and of a sweep's points.
APPLICANT_DEFAULT_METRICS = ("applicant_income_usd", "applicant_zero_month_share")
STOPPED_MET = "precision met"
STOPPED_MAX = "max replications reached"


@dataclass(frozen=True)
class PrecisionGoal:
    """What the rule aims at: the half-width asked, of which metrics, within how many runs.

    ``precision`` is a share of the mean (0.05: a half-width of 5% of the mean), or, for a
    metric that is itself a share, a half-width in absolute terms (0.05: 5 percentage points).
    """

    precision: float
    metrics: tuple[str, ...] = DEFAULT_METRICS
    max_replications: int = DEFAULT_MAX_REPLICATIONS
    round_size: int = ROUND_SIZE
    min_rounds: int = MIN_ROUNDS
    # the metrics a study can aim at; an estimate aims at its verdict's own figures
    known_metrics: ClassVar[Mapping[str, str]] = ALL_METRICS

    def __post_init__(self) -> None:
        if not 0 < self.precision < 1:
            raise GigsimError(f"precision: expected a share between 0 and 1 (e.g. 0.05 or 5%),"
                              f" got {self.precision:g}")
        minimum = self.round_size * self.min_rounds
        if self.max_replications < minimum:
            raise GigsimError(f"max replications: must be at least {minimum} (the rule's"
                              f" {self.min_rounds} rounds of {self.round_size}),"
                              f" got {self.max_replications}")
        check_metrics(self.metrics, known=self.known_metrics)

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready form."""
        return {"precision": self.precision, "metrics": list(self.metrics),
                "max_replications": self.max_replications, "round_size": self.round_size,
                "min_rounds": self.min_rounds}


def check_metrics(names: Sequence[str], option: str = "precision metrics",
                  known: Mapping[str, str] = METRICS,
                  example: Sequence[str] = DEFAULT_METRICS) -> tuple[str, ...]:
    """Refuse an empty list or a metric not in ``known``, naming the known ones.

    ``known`` is what the study computes per replication: ``gigsim run``'s summary metrics by
    default; a comparison or a sweep knows the per-applicant ones too.
    """
    if not names:
        raise GigsimError(f"{option}: expected NAME[,NAME…], e.g. {','.join(example)}")
    for name in names:
        if name not in known:
            raise GigsimError(f"{option}: unknown metric `{name}`{did_you_mean(name, known)};"
                              f" known: {', '.join(known)}")
    return tuple(names)


def parse_precision(text: str, option: str = "--precision") -> float:
    """Read ``5%`` or ``0.05`` as 0.05; anything outside (0, 1) is refused."""
    raw = text.strip()
    try:
        value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    except ValueError:
        raise GigsimError(f"{option}: expected a share such as 5% or 0.05, got {text!r}"
                          ) from None
    if not 0 < value < 1:
        raise GigsimError(f"{option}: expected a share between 0 and 100% (exclusive), e.g. 5%,"
                          f" got {text}")
    return value


def within(ci_low: float, ci_high: float, allowed: float) -> bool:
    """Whether an interval's half-width is within ``allowed`` (never with no interval)."""
    half_width = (ci_high - ci_low) / 2
    return not math.isnan(half_width) and half_width <= allowed


@dataclass(frozen=True)
class MetricCheck:
    """One target metric against the precision asked, on the replications run so far.

    ``half_width`` is half the width of the 95% interval as reported (``ci_high − ci_low``
    over 2); ``allowed`` is the half-width asked, in the metric's units; ``relative`` says
    whether ``allowed`` is a share of the mean (else the metric is a share and ``allowed`` is
    in absolute terms).
    """

    metric: str
    n: int
    mean: float
    ci_low: float
    ci_high: float
    allowed: float
    relative: bool

    @property
    def half_width(self) -> float:
        """Half the width of the interval (NaN with fewer than two values)."""
        return (self.ci_high - self.ci_low) / 2

    @property
    def met(self) -> bool:
        """Whether the half-width is within what was asked (never with no interval)."""
        return within(self.ci_low, self.ci_high, self.allowed)

    @property
    def achieved(self) -> float:
        """The precision reached, on the scale asked: half-width ÷ |mean|, or in points."""
        if not self.relative:
            return self.half_width
        return self.half_width / abs(self.mean) if self.mean else math.inf

    def describe(self, asked: float) -> str:
        """``income_mean_usd ±3.1% of its mean (asked 5%)``, or the points of a share."""
        if math.isnan(self.half_width):
            return f"{self.metric}: no interval (fewer than two values)"
        if self.relative:
            return (f"{self.metric} ±{100 * self.achieved:.1f}% of its mean"
                    f" (asked {100 * asked:g}%)")
        return (f"{self.metric} ±{100 * self.achieved:.1f} percentage points"
                f" (asked {100 * asked:g})")

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready form."""
        return {"metric": self.metric, "replications": self.n, "mean": _json(self.mean),
                "ci_low": _json(self.ci_low), "ci_high": _json(self.ci_high),
                "half_width": _json(self.half_width), "allowed_half_width": _json(self.allowed),
                "scale": "share of the mean" if self.relative else "percentage points",
                "achieved": _json(self.achieved), "met": self.met}


def _json(value: float) -> float | None:
    return None if not math.isfinite(value) else float(value)


def check_metric(metric: str, values: Sequence[float] | np.ndarray,
                 precision: float) -> MetricCheck:
    """Check one summary metric's per-replication ``values`` against ``precision``.

    A share (:func:`~gigsim.analysis.statistics.metric_kind`) is held to ``precision`` in
    absolute terms, any other metric to ``precision`` × |mean|.
    """
    x = np.asarray(values, dtype=float)
    n = int(np.count_nonzero(~np.isnan(x)))
    mean, low, high = metric_interval(metric, x)
    relative = metric_kind(metric) != SHARE
    allowed = precision * abs(mean) if relative else precision
    return MetricCheck(metric, n, mean, low, high, allowed, relative)


@dataclass(frozen=True)
class Decision:
    """How many replications the rule ran, and why it stopped there."""

    goal: PrecisionGoal
    replications: int
    rounds: int
    checks: tuple[MetricCheck, ...]

    @property
    def met(self) -> bool:
        """Whether every target metric reached the precision asked."""
        return all(check.met for check in self.checks)

    @property
    def stopped(self) -> str:
        """Why the rule stopped: :data:`STOPPED_MET` or :data:`STOPPED_MAX`."""
        return STOPPED_MET if self.met else STOPPED_MAX

    def describe(self) -> list[str]:
        """Lines for a terminal: the count, why, and each metric against what was asked."""
        goal = self.goal
        head = (f"replications chosen by precision {100 * goal.precision:g}%: {self.replications}"
                f" ({self.rounds} round(s) of up to {goal.round_size})")
        if self.met:
            lines = [head + "; every target met"]
        else:
            short = [c for c in self.checks if not c.met]
            lines = [head + f"; stopped at --max-replications {goal.max_replications} with"
                            f" {len(short)} target(s) short"]
        for check in self.checks:
            text = check.describe(goal.precision)
            if not check.met and not math.isnan(check.half_width):
                scale = "% of the mean" if check.relative else " points"
                text += (f": short by {100 * (check.achieved - goal.precision):.1f}{scale},"
                         f" about {needed(check, goal.precision)} replications would do")
            lines.append(("  met    " if check.met else "  SHORT  ") + text)
        return lines

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready form, for the summary and the manifest."""
        return {"rule": "sequential: rounds of a fixed size, at least min_rounds, until every"
                        " target's 95% half-width is within precision (docs/model.md)",
                **self.goal.to_dict(), "replications": self.replications, "rounds": self.rounds,
                "stopped": self.stopped, "targets": [c.to_dict() for c in self.checks]}


def needed(check: MetricCheck, precision: float) -> int:
    """About how many replications would bring ``check`` to ``precision``: n (h / h*)²."""
    ratio = check.achieved / precision
    if not math.isfinite(ratio):
        return check.n
    return math.ceil(check.n * ratio ** 2)


class Check(Protocol):
    """A target checked on the replications run so far: met or not."""

    @property
    def met(self) -> bool:
        """Whether the target reached what was asked."""


CheckT = TypeVar("CheckT", bound=Check)


def run_by_precision(goal: PrecisionGoal, run_round: Callable[[range], None],
                     assess: Callable[[], Sequence[MetricCheck]]) -> Decision:
    """Run rounds until ``goal`` is met or its maximum reached; the :class:`Decision` taken.

    ``run_round(range(start, stop))`` runs replications ``start`` … ``stop − 1`` (seed streams
    of the same numbers); ``assess()`` checks the targets on every replication run so far.
    The last round is cut short so that no more than ``goal.max_replications`` run.
    """
    return Decision(goal, *run_rounds(goal, run_round, assess))


def run_rounds(goal: PrecisionGoal, run_round: Callable[[range], None],
               assess: Callable[[], Sequence[CheckT]]) -> tuple[int, int, tuple[CheckT, ...]]:
    """:func:`run_by_precision`'s loop for any kind of check: (replications, rounds, checks).

    A comparison checks paired differences (:mod:`gigsim.studies.paired_precision`).
    """
    done = rounds = 0
    while True:
        indices = next_round(goal, done)
        run_round(indices)
        done = indices.stop
        rounds += 1
        checks = tuple(assess())
        if stops(goal, rounds, done, checks):
            return done, rounds, checks


def next_round(goal: PrecisionGoal, done: int) -> range:
    """The replications of the round after ``done`` have run: cut to the maximum."""
    return range(done, done + min(goal.round_size, goal.max_replications - done))


def stops(goal: PrecisionGoal, rounds: int, done: int, checks: Sequence[Check]) -> bool:
    """Whether the rule stops after ``rounds`` rounds (``done`` replications) so checked.

    After at least ``goal.min_rounds`` rounds with every target met, or at the maximum.
    """
    met = rounds >= goal.min_rounds and all(check.met for check in checks)
    return met or done >= goal.max_replications


def replications_phrase(count: int, chosen: Mapping[str, Any] | None = None) -> str:
    """One phrase for what stands behind every interval: the count, and any precision asked.

    ``chosen`` is :meth:`Decision.to_dict` (``replications_chosen`` of a ``summary.json``), or
    None when the count was given.
    """
    head = f"{count} replication(s)"
    if not chosen:
        return f"{head} (as given; no precision asked)"
    asked = f"chosen by precision {100 * float(chosen['precision']):g}%"
    targets = list(chosen.get("targets", []))
    short = [t["metric"] for t in targets if not t.get("met")]
    if not short:
        return f"{head}, {asked}: met for every target ({', '.join(chosen['metrics'])})"
    return (f"{head}, {asked}: not met for {', '.join(short)} (stopped at the maximum,"
            f" {chosen['max_replications']})")
