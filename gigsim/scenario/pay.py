"""A platform's pay schedule (``[pay]``): when the money a worker earns reaches them.

Earnings are paid by period, ``every`` long and counted from time 0 of the run, a ``lag`` after
each period ends; a balance below ``minimum_usd`` waits for a later period (docs/model.md §5,
"When the money arrives"). Today's one platform reads the top-level ``[pay]``; the same table
can sit in each platform's entry when there are several.
"""

from __future__ import annotations

from dataclasses import dataclass

from gigsim.scenario.schema import Section
from gigsim.scenario.units import HOURS_PER_DAY

# The name of the one platform a scenario describes today (its top-level keys).
DEFAULT_PLATFORM = "default"
# Pay periods shorter than a day are not modelled: without [pay], money arrives as it is earned.
MIN_PERIOD_H = HOURS_PER_DAY


@dataclass(frozen=True)
class PaySchedule:
    """Every ``every_h`` hours from time 0, the period's earnings are paid ``lag_h`` later.

    A balance (carried plus earned) below ``minimum_usd`` is carried to the next period.
    """

    every_h: float
    lag_h: float = 0.0
    minimum_usd: float = 0.0

    @classmethod
    def from_section(cls, s: Section) -> PaySchedule:
        """Read a ``pay`` table: ``every`` (required), ``lag`` and ``minimum_usd``."""
        every_h = s.duration("every", positive=True)
        if every_h < MIN_PERIOD_H:
            raise s.error("every", f"expected a pay period of at least 1d, got"
                                   f" {s.data['every']!r} (omit [pay] for money received as"
                                   " it is earned)")
        raw_lag = s.data.get("lag", 0)
        negative = (raw_lag.strip().startswith("-") if isinstance(raw_lag, str)
                    else isinstance(raw_lag, int | float) and not isinstance(raw_lag, bool)
                    and raw_lag < 0)
        if negative:
            raise s.error("lag", f"expected zero or a positive duration such as \"3d\","
                                 f" got {raw_lag!r}")
        lag_h = s.duration("lag", 0)
        minimum_usd = s.number("minimum_usd", 0, non_negative=True)
        s.finish()
        return cls(every_h=every_h, lag_h=lag_h, minimum_usd=minimum_usd)


# What the analysis applies (:attr:`gigsim.scenario.Scenario.pay_schedules`): the one platform's
# schedule, or with several platforms one entry per platform (None: paid as earned).
Pay = PaySchedule | tuple[PaySchedule | None, ...]


def schedules(pay: Pay, n_platforms: int) -> tuple[PaySchedule | None, ...]:
    """One schedule per platform code (a single schedule: the one platform's, or every one's)."""
    if isinstance(pay, PaySchedule):
        return (pay,) * max(n_platforms, 1)
    return pay


__all__ = ["DEFAULT_PLATFORM", "MIN_PERIOD_H", "Pay", "PaySchedule", "schedules"]
