"""How a number is written for a person to read: shares, dollars, intervals and durations.

The verdict (:mod:`gigsim.presentation.verdict`), the cards, the need's sentences and the app
write their figures with these, so that one figure reads the same everywhere.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from gigsim.scenario.units import HOURS_PER_DAY

if TYPE_CHECKING:
    from gigsim.studies.estimate import Interval


def pct(value: float) -> str:
    """A share as a whole percentage, ``n/a`` for NaN."""
    return "n/a" if math.isnan(value) else f"{value:.0%}"


def money(value: float, cents: bool = False) -> str:
    """Dollars, whole or with cents, ``n/a`` for NaN."""
    if math.isnan(value):
        return "n/a"
    return f"${value:,.2f}" if cents else f"${value:,.0f}"


def with_ci(value: Interval, fmt: str, scale: float = 1.0) -> str:
    """``mean (95% CI low–high)`` in ``fmt``; the interval left out when it is unknown."""
    mean, low, high = (v * scale for v in value)
    if math.isnan(mean):
        return "n/a"
    text = fmt.format(mean)
    if not math.isnan(low):
        text += f" (95% CI {fmt.format(low)}–{fmt.format(high)})"
    return text


def days(hours: float, beyond_h: float = math.nan) -> str:
    """A duration a person reads: in days, or in hours under a day; ``n/a`` for NaN.

    A Kaplan–Meier quantile beyond the data (NaN, with ``beyond_h`` the longest duration seen)
    says so: "longer than …".
    """
    if math.isnan(hours):
        return "n/a" if math.isnan(beyond_h) else f"longer than {days(beyond_h)}"
    if hours < HOURS_PER_DAY - 0.5:  # what would print as 24 h reads as a day
        return "0 h" if hours == 0 else f"{hours:.1f} h" if hours < 10 else f"{hours:.0f} h"
    whole = round(hours / HOURS_PER_DAY)
    return "1 day" if whole == 1 else f"{whole} days"
