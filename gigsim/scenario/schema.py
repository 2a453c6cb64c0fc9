"""Reading one section of a scenario file, with errors that name the file and the key.

Each part of the model validates its own section through a :class:`Section`, which records the
keys it reads so that :meth:`Section.finish` can refuse the ones nobody knows.
"""

from __future__ import annotations

import copy
import difflib
import math
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from gigsim.errors import ScenarioError
from gigsim.scenario.dists import (
    Constant,
    Distribution,
    DistributionError,
    Empirical,
    Kind,
    Poisson,
    Uniform,
    parse_distribution,
)
from gigsim.scenario.units import DurationError, parse_duration

_MISSING: Any = object()
_T = TypeVar("_T")

# The largest magnitude a plain number in a scenario may have. Money, rates and counts are
# multiplied together over a run (pay × hours × workers × months); 1e9 keeps every product far
# from float overflow, and no real platform comes near it (a count that large is refused by the
# size check before that, see gigsim.studies.sizing).
MAX_NUMBER = 1e9
MAX_SEED = 2**63 - 1  # what a TOML integer can hold


def closest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate most like ``name`` (a likely misspelling), or None if none is close."""
    matches = difflib.get_close_matches(name, sorted(candidates), n=1, cutoff=0.6)
    return matches[0] if matches else None


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """`` (did you mean `x`?)`` when a candidate is close to ``name``, else an empty string."""
    match = closest(name, candidates)
    return f" (did you mean `{match}`?)" if match is not None else ""


def read_toml(path: Path) -> tuple[dict[str, Any], str]:
    """The parsed TOML file at ``path`` and its text; errors name the file (and the line)."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(source, "", "no such file") from None
    except OSError as error:
        raise ScenarioError(source, "", f"cannot read the file ({error.strerror})") from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(source, "", f"invalid TOML: {error}") from None


def merge_tables(data: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """A deep copy of ``data`` with ``changes`` merged in, table by table.

    A table in ``changes`` is merged into the table of the same key; any other value replaces.
    """
    out = copy.deepcopy(dict(data))
    for key, value in changes.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge_tables(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


class Section:
    """A table of a scenario file at dotted ``path``, read key by key."""

    def __init__(self, data: object, source: str, path: str = "",
                 overridden: frozenset[str] = frozenset()) -> None:
        self.source = source
        self.path = path
        self.overridden = overridden
        if not isinstance(data, Mapping):
            raise ScenarioError(source, path, f"expected a table, got {data!r}")
        self.data: Mapping[str, Any] = data
        self._seen: set[str] = set()

    def key(self, name: str) -> str:
        """The dotted path of ``name`` in this section."""
        return f"{self.path}.{name}" if self.path else name

    def error(self, name: str, message: str) -> ScenarioError:
        """An error about key ``name``; blamed on ``--set`` when an override wrote it."""
        full = self.key(name) if name else self.path
        parts = full.split(".")  # a key inside a table that --set wrote is --set's too
        by_set = any(".".join(parts[:i]) in self.overridden for i in range(1, len(parts) + 1))
        source = "--set" if by_set else self.source
        return ScenarioError(source, full, message)

    def has(self, name: str) -> bool:
        """Whether the key is present."""
        return name in self.data

    def _get(self, name: str, default: Any) -> Any:
        self._seen.add(name)
        if name in self.data:
            return self.data[name]
        if default is _MISSING:
            # A misspelt key is the likely cause of a missing one: name it, not the symptom.
            unread = [key for key in self.data if key not in self._seen]
            typo = closest(name, unread)
            if typo is not None:
                raise self.error(typo, f"unknown key (did you mean `{name}`?)")
            raise self.error(name, "missing required key")
        return default

    def number(self, name: str, default: Any = _MISSING, *, positive: bool = False,
               non_negative: bool = False, integer: bool = False,
               maximum: float = MAX_NUMBER) -> float:
        """A plain number, optionally required to be positive, non-negative or whole.

        Its magnitude must not exceed ``maximum`` (:data:`MAX_NUMBER` unless given).
        """
        value = self._get(name, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(name, f"expected a number, got {value!r}")
        if isinstance(value, float) and not math.isfinite(value):
            raise self.error(name, f"expected a finite number, got {value!r}")
        if abs(value) > maximum:  # before any float(): a huge int does not fit in one
            raise self.error(name, f"expected a number of at most {maximum:g} in size,"
                                   f" got {value!r}")
        if positive and value <= 0:
            raise self.error(name, f"must be positive, got {value!r}")
        if non_negative and value < 0:
            raise self.error(name, f"must be zero or positive, got {value!r}")
        if integer and not isinstance(value, int) and float(value) != int(value):
            raise self.error(name, f"expected a whole number, got {value!r}")
        return float(value)

    def count(self, name: str, default: Any = _MISSING, *, positive: bool = False,
              maximum: float = MAX_NUMBER) -> int:
        """A whole number that is zero or more (or more than zero with ``positive``)."""
        number = self.number(name, default, integer=True, non_negative=True, positive=positive,
                             maximum=maximum)
        given = self.data.get(name, default)
        # an integer as written: beyond 2**53 a float would change it (seeds are that big)
        return given if isinstance(given, int) and not isinstance(given, bool) else int(number)

    def probability(self, name: str, default: Any = _MISSING) -> float:
        """A number in [0, 1]."""
        value = self.number(name, default)
        if not 0.0 <= value <= 1.0:
            raise self.error(name, f"expected a probability in [0, 1], got {value!r}")
        return value

    def duration(self, name: str, default: Any = _MISSING, *, positive: bool = False) -> float:
        """A duration with units, in hours."""
        value = self._get(name, default)
        try:
            hours = parse_duration(value)
        except DurationError as error:
            raise self.error(name, str(error)) from None
        if not math.isfinite(hours):  # e.g. "1e400h" overflows
            raise self.error(name, f"must be a finite duration, got {value!r}")
        if positive and hours <= 0:
            raise self.error(name, f"must be a positive duration, got {value!r}")
        if abs(hours) > MAX_DURATION_H:
            raise self.error(name, f"expected a duration of at most 100 years, got {value!r}")
        return hours

    def string(self, name: str, default: Any = _MISSING,
               choices: Sequence[str] | None = None) -> str:
        """A string, optionally one of ``choices``."""
        value = self._get(name, default)
        if not isinstance(value, str):
            raise self.error(name, f"expected a string, got {value!r}")
        if choices is not None and value not in choices:
            known = ", ".join(choices)
            raise self.error(name, f"unknown value {value!r} (expected one of: {known})")
        return value

    def boolean(self, name: str, default: Any = _MISSING) -> bool:
        """``true`` or ``false``."""
        value = self._get(name, default)
        if not isinstance(value, bool):
            raise self.error(name, f"expected true or false, got {value!r}")
        return value

    def strings(self, name: str, default: Any = _MISSING) -> tuple[str, ...]:
        """A non-empty list of strings."""
        value = self._get(name, default)
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            raise self.error(name, f"expected a non-empty list of strings, got {value!r}")
        return tuple(value)

    def dist(self, name: str, kind: Kind = "number", default: Any = _MISSING, *,
             non_negative: bool = True) -> Distribution:
        """A distribution (table, bare number or duration string) of the given kind."""
        value = self._get(name, default)
        if isinstance(value, Distribution):
            return value
        if isinstance(value, Mapping) and "dist" in value and not isinstance(value["dist"], str):
            raise self.error(f"{name}.dist", f"expected the name of a distribution, got"
                                             f" {value['dist']!r}")
        try:
            dist = parse_distribution(value, kind)
        except DistributionError as error:
            key = f"{name}.{error.param}" if error.param else name
            raise self.error(key, error.message) from None
        if non_negative and _may_be_negative(dist):
            raise self.error(name, "must not take negative values")
        largest = _largest_mean_or_value(dist)
        if not math.isfinite(largest) or largest > (MAX_NUMBER if kind != "duration"
                                                    else MAX_DURATION_H):
            limit = f"{MAX_NUMBER:g}" if kind != "duration" else "100 years"
            raise self.error(name, f"values too large to compute with (mean or largest value"
                                   f" {largest:g}{' h' if kind == 'duration' else ''};"
                                   f" expected at most {limit})")
        if kind == "probability" and _may_exceed_one(dist):
            raise self.error(name, "must take values in [0, 1]")
        return dist

    def optional_dist(self, name: str, kind: Kind = "number") -> Distribution | None:
        """A distribution, or None when the key is absent."""
        self._seen.add(name)
        return self.dist(name, kind) if name in self.data else None

    def section(self, name: str, required: bool = False) -> Section | None:
        """A sub-table, or None when it is absent and optional."""
        value = self._get(name, _MISSING if required else None)
        if value is None:
            return None
        if not isinstance(value, Mapping):
            raise self.error(name, f"expected a table, got {value!r}")
        return Section(value, self.source, self.key(name), self.overridden)

    def optional_section(self, name: str, reader: Callable[[Section], _T]) -> _T | None:
        """``reader`` applied to the sub-table ``name``, or None when it is absent."""
        sub = self.section(name)
        return None if sub is None else reader(sub)

    def sections(self, name: str) -> list[Section]:
        """A non-empty array of tables, each with a unique ``name``."""
        value = self._get(name, _MISSING)
        if not isinstance(value, list) or not value:
            raise self.error(name, "expected one or more [[" + name + "]] tables")
        out = []
        names: set[str] = set()
        for index, item in enumerate(value):
            if not isinstance(item, Mapping):
                raise self.error(name, f"entry {index} is not a table")
            label = item.get("name")
            if not isinstance(label, str) or not label:
                raise self.error(f"{name}[{index}].name", "missing required key (a unique name)")
            if label in names:
                raise self.error(f"{name}.{label}", "duplicate name")
            names.add(label)
            out.append(Section(item, self.source, self.key(f"{name}.{label}"), self.overridden))
        return out

    def finish(self) -> None:
        """Refuse keys that nobody read: unknown keys are errors, never ignored."""
        for name in self.data:
            if name not in self._seen:
                expected = ", ".join(sorted(self._seen)) or "none"
                hint = did_you_mean(name, self._seen)
                raise self.error(name, f"unknown key{hint} (expected one of: {expected})")


MAX_DURATION_H = 100 * 8766.0  # a century: longer than any career on a platform


def _largest_mean_or_value(dist: Distribution) -> float:
    """The largest value a bounded distribution takes, or the mean of an unbounded one."""
    if isinstance(dist, Constant):
        return abs(dist.value)
    if isinstance(dist, Uniform):
        return max(abs(dist.low), abs(dist.high))
    if isinstance(dist, Empirical):
        return max(abs(v) for v in dist.values)
    try:
        return abs(float(dist.mean))
    except (OverflowError, ValueError, ZeroDivisionError):
        return math.inf


def lowest_value(dist: Distribution) -> float:
    """The smallest value a distribution takes with positive probability.

    Continuous distributions on the positive half-line report a tiny positive number: they are
    positive with probability one. Poisson counts can be 0.
    """
    if isinstance(dist, Constant):
        return dist.value
    if isinstance(dist, Uniform):
        return dist.low
    if isinstance(dist, Empirical):
        return min(dist.values)
    if isinstance(dist, Poisson):
        return 0.0
    return math.ulp(0.0)


def _may_be_negative(dist: Distribution) -> bool:
    return lowest_value(dist) < 0


def _may_exceed_one(dist: Distribution) -> bool:
    # beta lives on [0, 1]; unbounded distributions are refused for probabilities already
    if isinstance(dist, Constant):
        return dist.value > 1
    if isinstance(dist, Uniform):
        return dist.high > 1
    if isinstance(dist, Empirical):
        return max(dist.values) > 1
    return False
