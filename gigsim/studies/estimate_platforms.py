"""What joining more platforms changes for an estimate's cohort (``--platforms A,B``).

:func:`estimate_platforms` runs the estimate twice on common random numbers: once with the
cohort joining every platform named, once with the same cohort joining only the first, with
the same seed, replications, market scale, cohort size and warm-up, so that replication ``r``
of one is paired with replication ``r`` of the other. :class:`PlatformsEffect` holds both and
the paired differences (joined − first alone) of the figures the verdict adds: the share of
months with nothing (no income; with a pay schedule also no money arriving), the income per
hour set aside, and the days from applying to the first money. See docs/model.md, "A worker's
estimate", "Joining several platforms".
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from gigsim.analysis.statistics import PairedDifference, paired_difference
from gigsim.errors import GigsimError
from gigsim.scenario import Scenario
from gigsim.scenario.units import HOURS_PER_DAY
from gigsim.studies.estimate import Estimate, estimate
from gigsim.studies.estimate_rounds import headline_rates
from gigsim.studies.runner import Progress
from gigsim.studies.warmup import with_warmup


def parse_platforms(text: str) -> tuple[str, ...]:
    """``--platforms A,B`` as names (checked against the scenario by ``cohort_scenario``)."""
    names = tuple(name.strip() for name in text.split(","))
    if not all(names):
        raise GigsimError(f"--platforms: expected platform names separated by commas (A,B),"
                          f" got {text!r}")
    return names


@dataclass(frozen=True)
class PlatformsEffect:
    """The cohort joining ``platforms`` against the same cohort joining ``platforms[0]`` alone.

    Differences are joined − alone, replication by replication (paired), a mean over
    replications with its 95% t-interval.
    """

    platforms: tuple[str, ...]
    joined: Estimate  # the cohort on every platform named: the estimate shown
    alone: Estimate  # the same cohort on the first platform only, same seeds
    zero_month: PairedDifference  # share of months on the platforms with no income
    no_money: PairedDifference | None  # ... with no money arriving (with a pay schedule)
    per_hour: PairedDifference  # income per hour set aside, once onboarded

    @property
    def first(self) -> str:
        """The platform the comparison's cohort joins alone."""
        return self.platforms[0]

    @property
    def added(self) -> tuple[str, ...]:
        """The platforms joined besides the first."""
        return self.platforms[1:]

    @property
    def first_money_days(self) -> tuple[float, float]:
        """Median days from applying to the first money (alone, joined); NaN past the months.

        The first payment with a pay schedule, else the first paid hour (money arrives as
        earned): Kaplan–Meier over each run's onboarded, pooled over replications.
        """
        return _first_money_days(self.alone), _first_money_days(self.joined)

    @property
    def first_money_what(self) -> str:
        """What :attr:`first_money_days` measures: the first payment or the first paid hour."""
        return "payment" if self.joined.money is not None else "paid hour"


def _first_money_days(est: Estimate) -> float:
    curve = est.money.first_money if est.money is not None else est.first_pay
    return curve.median / HOURS_PER_DAY if curve.n else math.nan


def _per_replication(est: Estimate, column: str) -> list[float]:
    """The share of the cohort's onboarded months (on a platform) with ``column`` ≤ 0."""
    rows = est.cohort_months
    share = (rows[column] <= 0).groupby(rows["replication"]).mean()
    return [float(share.get(r, math.nan)) for r in range(est.replications)]


def _per_hour(est: Estimate) -> list[float]:
    return headline_rates(est.results, est.cohort_group, est.hours_per_week, est.months,
                          range(est.replications))[1]


def estimate_platforms(scenario: Scenario, group: str, platforms: Sequence[str] | None,
                       hours_per_week: float = 20.0, months: int = 12,
                       progress: Progress | None = None, **options: Any
                       ) -> tuple[Estimate, PlatformsEffect | None]:
    """The estimate with the cohort joining ``platforms``, and what those after the first changed.

    The change is None when one platform or none is named (``None``: the group's platforms).

    ``options`` go to :func:`gigsim.studies.estimate.estimate` for the first run (replications
    or the precision rule, seed, jobs, cohort, market scale, ...). The second, the cohort on
    ``platforms[0]`` alone, repeats its replications, seed, cohort, market scale and warm-up.
    """
    names = None if platforms is None else tuple(platforms)
    joined = estimate(scenario, group, hours_per_week, months, progress=progress,
                      platforms=names, **options)
    if names is None or len(names) < 2:
        return joined, None
    if joined.warmup_choice is not None:  # the warm-up chosen: not piloted again
        scenario = with_warmup(scenario, joined.warmup_choice.weeks)
    again = {key: value for key, value in options.items()
             if key in ("jobs", "reference_wage_usd", "stay", "max_projects")}
    alone = estimate(scenario, group, hours_per_week, months, replications=joined.replications,
                     seed=joined.seed, cohort=joined.cohort, market_scale=joined.market_scale,
                     progress=progress, platforms=names[:1], **again)
    alone = dataclasses.replace(alone, warmup_choice=joined.warmup_choice)
    no_money = None
    if joined.money is not None:
        no_money = paired_difference(_per_replication(alone, "received_usd"),
                                     _per_replication(joined, "received_usd"))
    return joined, PlatformsEffect(
        platforms=names, joined=joined, alone=alone,
        zero_month=paired_difference(_per_replication(alone, "income_usd"),
                                     _per_replication(joined, "income_usd")),
        no_money=no_money,
        per_hour=paired_difference(_per_hour(alone), _per_hour(joined)))


__all__ = ["PlatformsEffect", "estimate_platforms", "parse_platforms"]
