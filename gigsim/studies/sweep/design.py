"""Where a sweep looks: a full-factorial grid, or a sample of points within bounds.

A grid lists values (or a range) per scenario key and takes every combination. A sample draws
``count`` points in a box of bounds, at random, as a Latin hypercube or as a scrambled Sobol'
sequence (scipy's ``stats.qmc``, seeded by the sweep seed, so the points are the same on every
machine). A :class:`Parameter` maps a number in its bounds to the value a scenario key takes.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from scipy.stats import qmc

from gigsim.errors import ScenarioError
from gigsim.scenario.units import DurationError, parse_duration

SampleMethod = Literal["random", "lhs", "sobol"]
SAMPLE_METHODS: tuple[SampleMethod, ...] = ("random", "lhs", "sobol")
MINIMUM_COUNT: dict[str, int] = {"random": 1, "lhs": 2, "sobol": 2}
RANGE_KEYS = frozenset({"from", "to", "count", "step", "log"})
Unit = Literal["number", "integer", "duration"]


@dataclass(frozen=True)
class Parameter:
    """A scenario key varied between ``low`` and ``high`` (hours for a duration).

    ``unit`` says how a number becomes the key's value: ``number`` as it is, ``integer``
    rounded to the nearest whole number, ``duration`` as a string of hours such as
    ``"36.5h"``.
    """

    key: str
    low: float
    high: float
    unit: Unit = "number"

    def value(self, x: float) -> Any:
        """The scenario value for the number ``x``."""
        if self.unit == "integer":
            return round(float(x))
        if self.unit == "duration":
            return f"{float(x)!r}h"
        return float(x)

    def column(self, x: float) -> float:
        """What the tables show for ``x``: the number itself (hours for a duration)."""
        return float(round(x)) if self.unit == "integer" else float(x)


def parse_bounds(key: str, raw: object, source: str, where: str) -> Parameter:
    """Read ``[low, high]`` (numbers, or duration strings) or ``{ low, high, integer }``."""
    path = f"{where}.{key}"
    integer = False
    if isinstance(raw, Mapping):
        unknown = set(raw) - {"low", "high", "integer"}
        if unknown:
            raise ScenarioError(source, path, f"unknown key {sorted(unknown)[0]!r}"
                                " (expected low, high and optionally integer)")
        if "low" not in raw or "high" not in raw:
            raise ScenarioError(source, path, "expected { low = ..., high = ... }")
        integer = raw.get("integer", False)
        if not isinstance(integer, bool):
            raise ScenarioError(source, f"{path}.integer", f"expected true or false,"
                                f" got {integer!r}")
        pair: list[Any] = [raw["low"], raw["high"]]
    elif isinstance(raw, list) and len(raw) == 2:
        pair = list(raw)
    else:
        raise ScenarioError(source, path, f"expected bounds [low, high], got {raw!r}")
    if all(isinstance(v, str) for v in pair):
        try:
            low, high = (parse_duration(v) for v in pair)
        except DurationError as error:
            raise ScenarioError(source, path, str(error)) from None
        unit: Unit = "duration"
    elif all(isinstance(v, int | float) and not isinstance(v, bool) for v in pair):
        low, high = float(pair[0]), float(pair[1])
        unit = "integer" if integer else "number"
    else:
        raise ScenarioError(source, path, "expected two numbers, or two durations such as"
                            f' ["1w", "6w"], got {pair!r}')
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ScenarioError(source, path, f"bounds must be finite, got {pair!r}")
    if low >= high:
        raise ScenarioError(source, path, f"low must be below high, got {pair!r}")
    if unit == "duration" and integer:
        raise ScenarioError(source, path, "integer applies to numbers, not durations")
    return Parameter(key, low, high, unit)


def scale(unit_points: np.ndarray, parameters: Sequence[Parameter]) -> np.ndarray:
    """Map points of the unit cube onto the parameters' bounds."""
    low = np.array([p.low for p in parameters])
    high = np.array([p.high for p in parameters])
    return low + unit_points * (high - low)


def sample_points(method: SampleMethod, count: int, parameters: Sequence[Parameter],
                  seed: int) -> np.ndarray:
    """``count`` points (rows) within the parameters' bounds, one column per parameter."""
    dimensions = len(parameters)
    if method == "random":
        unit = np.random.default_rng(np.random.SeedSequence(seed)).random((count, dimensions))
    elif method == "lhs":
        unit = qmc.LatinHypercube(d=dimensions, seed=np.random.default_rng(seed)).random(count)
    else:
        sobol = qmc.Sobol(d=dimensions, scramble=True, seed=np.random.default_rng(seed))
        unit = sobol.random_base2(int(math.log2(count)))
    return scale(unit, parameters)


def check_count(method: str, count: int, source: str, key: str) -> None:
    """Refuse a sample count below the method's minimum, or not a power of two for Sobol'."""
    minimum = MINIMUM_COUNT[method]
    if count < minimum:
        raise ScenarioError(source, key, f"{method} needs a count of at least {minimum},"
                            f" got {count}")
    if method == "sobol" and count & (count - 1):
        below = 1 << (count.bit_length() - 1)
        raise ScenarioError(source, key, f"a Sobol' sample needs a power of two, got {count}"
                            f" (try {below} or {below * 2})")


def expand_values(key: str, raw: object, source: str, where: str) -> list[Any]:
    """The values a grid gives ``key``: a non-empty list, or a range table.

    A range is ``{ from, to, count }`` (evenly spaced, both ends included; ``log = true`` for
    geometric spacing) or ``{ from, to, step }`` (from, from + step, … up to ``to``).
    """
    path = f"{where}.{key}"
    if isinstance(raw, list):
        if not raw:
            raise ScenarioError(source, path, "empty list: give at least one value")
        return list(raw)
    if not isinstance(raw, Mapping):
        raise ScenarioError(source, path, f"expected a list of values or a range"
                            f" {{ from, to, count }}, got {raw!r}")
    unknown = set(raw) - RANGE_KEYS
    if unknown:
        raise ScenarioError(source, path, f"unknown key {sorted(unknown)[0]!r} in a range"
                            " (expected from, to, and count or step; log)")
    for name in ("from", "to"):
        value = raw.get(name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ScenarioError(source, f"{path}.{name}", "a range takes numbers (list"
                                f' durations instead, e.g. ["1w", "2w"]), got {value!r}')
    start, stop = float(raw["from"]), float(raw["to"])
    log = raw.get("log", False)
    if not isinstance(log, bool):
        raise ScenarioError(source, f"{path}.log", f"expected true or false, got {log!r}")
    if ("count" in raw) == ("step" in raw):
        raise ScenarioError(source, path, "a range takes either count or step")
    if "count" in raw:
        count = raw["count"]
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ScenarioError(source, f"{path}.count", f"expected a whole number of at"
                                f" least 1, got {count!r}")
        if log:
            if start <= 0 or stop <= 0:
                raise ScenarioError(source, path, "a log range needs positive ends")
            values: np.ndarray = np.geomspace(start, stop, count)
        else:
            values = np.linspace(start, stop, count)
    else:
        step = raw["step"]
        if log:
            raise ScenarioError(source, f"{path}.log", "log goes with count, not step")
        if isinstance(step, bool) or not isinstance(step, int | float) or step <= 0:
            raise ScenarioError(source, f"{path}.step", f"expected a positive number,"
                                f" got {step!r}")
        if stop < start:
            raise ScenarioError(source, path, f"from must not exceed to with a step,"
                                f" got from = {start:g}, to = {stop:g}")
        steps = math.floor((stop - start) / step * (1 + 1e-12) + 1e-9)
        values = start + step * np.arange(steps + 1)
    # 12 significant digits: 0.1 * 3 is 0.3 in a table, not 0.30000000000000004
    out = [float(f"{v:.12g}") for v in values]
    if all(isinstance(raw[n], int) for n in ("from", "to")) and all(v == int(v) for v in out) \
            and not isinstance(raw.get("step", 1), float):
        return [int(v) for v in out]
    return out


def full_factorial(values: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """Every combination of the values, the last key varying fastest."""
    keys = list(values)
    return [dict(zip(keys, combo, strict=True))
            for combo in itertools.product(*(values[k] for k in keys))]
