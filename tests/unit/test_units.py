"""Durations with units: parsing, refusing bare numbers, and rendering."""

from __future__ import annotations

import pytest

from gigsim.scenario.units import (
    HOURS_PER_DAY,
    HOURS_PER_MONTH,
    HOURS_PER_WEEK,
    HOURS_PER_YEAR,
    DurationError,
    duration_for_person,
    format_duration,
    parse_duration,
)


def test_constants_match_the_product_brief() -> None:
    assert HOURS_PER_DAY == 24.0
    assert HOURS_PER_WEEK == 168.0
    assert HOURS_PER_MONTH == 730.5
    assert HOURS_PER_YEAR == 8766.0
    assert HOURS_PER_MONTH * 12 == HOURS_PER_YEAR


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("90m", 1.5),
        ("12h", 12.0),
        ("3d", 72.0),
        ("2w", 336.0),
        ("6mo", 6 * 730.5),
        ("1y", 8766.0),
        ("0.5w", 84.0),
        (".5d", 12.0),
        ("1e1h", 10.0),
        (" 3d ", 72.0),
        ("3 d", 72.0),
        ("0h", 0.0),
    ],
)
def test_parse_duration_reads_every_unit(text: str, hours: float) -> None:
    assert parse_duration(text) == pytest.approx(hours)


@pytest.mark.parametrize("zero", [0, 0.0])
def test_bare_zero_means_none(zero: float) -> None:
    assert parse_duration(zero) == 0.0


@pytest.mark.parametrize("number", [3, 2.5, -1])
def test_bare_number_is_refused_with_a_suggestion_of_units(number: float) -> None:
    with pytest.raises(DurationError) as info:
        parse_duration(number)
    message = str(info.value)
    assert "bare number" in message
    assert f'"{number}h"' in message and f'"{number}d"' in message and f'"{number}w"' in message


@pytest.mark.parametrize("text", ["3x", "3 weeks", "2days", "5s"])
def test_unknown_unit_is_named(text: str) -> None:
    with pytest.raises(DurationError, match="unknown unit"):
        parse_duration(text)


@pytest.mark.parametrize("text", ["", "d", "three days", "-3d", "3", "3d4h", "1.2.3h"])
def test_malformed_duration_is_refused(text: str) -> None:
    with pytest.raises(DurationError):
        parse_duration(text)


@pytest.mark.parametrize("value", [True, False, None, [3], {"h": 3}])
def test_non_duration_types_are_refused(value: object) -> None:
    with pytest.raises(DurationError):
        parse_duration(value)


def test_duration_error_is_a_value_error() -> None:
    assert issubclass(DurationError, ValueError)


@pytest.mark.parametrize(
    ("hours", "text"),
    [
        (72.0, "3d"),
        (336.0, "2w"),
        (8766.0, "1y"),
        (730.5, "1mo"),
        (12.0, "12h"),
        (36.0, "1.5d"),
        (0.5, "0.5h"),
        (0.0, "0h"),
    ],
)
def test_format_duration_picks_a_readable_unit(hours: float, text: str) -> None:
    assert format_duration(hours) == text


@pytest.mark.parametrize("hours", [1.0, 5.0, 24.0, 100.0, 168.0, 500.0, 730.5, 2000.0, 8766.0])
def test_format_then_parse_round_trips(hours: float) -> None:
    assert parse_duration(format_duration(hours)) == pytest.approx(hours, rel=1e-2)


@pytest.mark.parametrize(("hours", "text"), [
    (0.0, "0.0 h"), (5.26, "5.3 h"), (23.9, "23.9 h"), (23.96, "1.0 days"), (24.0, "1.0 days"),
    (101.7, "4.2 days"), (2484.0, "103.5 days"), (-101.7, "−4.2 days"), (-0.01, "0.0 h"),
    (float("nan"), "n/a"),
])
def test_duration_for_person_is_days_and_hours_only_under_a_day(hours: float,
                                                                text: str) -> None:
    assert duration_for_person(hours) == text
