"""Time units: every time in gigsim is a float number of hours."""

from __future__ import annotations

import math
import re

HOURS_PER_DAY = 24.0
HOURS_PER_WEEK = 168.0
HOURS_PER_YEAR = 8766.0  # 365.25 days
HOURS_PER_MONTH = HOURS_PER_YEAR / 12.0  # 730.5

UNITS_H: dict[str, float] = {
    "m": 1.0 / 60.0,
    "h": 1.0,
    "d": HOURS_PER_DAY,
    "w": HOURS_PER_WEEK,
    "mo": HOURS_PER_MONTH,
    "y": HOURS_PER_YEAR,
}

_DURATION = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*([a-z]+)\s*$")


class DurationError(ValueError):
    """A value that should be a duration with units is not one."""


def parse_duration(value: object) -> float:
    """Return the number of hours in ``value``: a string such as ``"3d"``, or the number 0.

    A bare number other than 0 is refused, because its unit would be a guess.
    """
    if isinstance(value, bool):
        raise DurationError(f"expected a duration such as \"3d\", got {value!r}")
    if isinstance(value, int | float):
        if value == 0:
            return 0.0
        raise DurationError(
            f"expected a duration with units, got the bare number {value!r}"
            f' (write "{value}h", "{value}d" or "{value}w"; 0 means none)'
        )
    if not isinstance(value, str):
        raise DurationError(f"expected a duration such as \"3d\", got {value!r}")
    match = _DURATION.match(value)
    if match is None:
        raise DurationError(
            f"expected a duration such as \"90m\", \"12h\", \"3d\", \"2w\", \"6mo\" or \"1y\","
            f" got {value!r}"
        )
    number, unit = match.groups()
    if unit not in UNITS_H:
        raise DurationError(
            f"unknown unit {unit!r} in {value!r} (known units: {', '.join(UNITS_H)})"
        )
    return float(number) * UNITS_H[unit]


def format_duration(hours: float) -> str:
    """Render hours in the largest unit that keeps the number readable, e.g. ``"3d"``."""
    for unit in ("y", "mo", "w", "d", "h"):
        size = UNITS_H[unit]
        if hours >= size and abs(hours / size - round(hours / size, 2)) < 1e-9:
            return f"{round(hours / size, 2):g}{unit}"
    return f"{hours:g}h"


def duration_for_person(hours: float) -> str:
    """A duration as a person reads it: days to a tenth, hours to a tenth under a day.

    ``"4.2 days"``, ``"1.0 days"``, ``"5.3 h"``; the sign is kept (``"−4.2 days"``) and NaN is
    ``"n/a"``. Tables and files keep hours (their columns end in ``_h``); this is for text.
    """
    if math.isnan(hours):
        return "n/a"
    size = abs(hours)
    sign = "−" if hours < 0 and round(size, 1) > 0 else ""
    if round(size, 1) < HOURS_PER_DAY:
        return f"{sign}{size:.1f} h"
    return f"{sign}{size / HOURS_PER_DAY:,.1f} days"
