"""Probability distributions for scenario parameters, each a small object.

A distribution knows its parameters (validated when it is built), its ``mean`` and how to
``sample(rng, size)`` from a ``numpy.random.Generator``. Scenario files describe one as a table
``{ dist = NAME, ... }``, a bare number (a constant) or a duration string (a constant duration);
:func:`parse_distribution` reads that form.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

import numpy as np

from gigsim.scenario.units import DurationError, parse_duration

Kind = Literal["number", "duration", "count", "probability"]


class DistributionError(ValueError):
    """A distribution's parameters are missing or invalid; ``param`` names the bad one."""

    def __init__(self, param: str, message: str) -> None:
        self.param = param
        self.message = message
        super().__init__(f"{param}: {message}" if param else message)


@runtime_checkable
class Distribution(Protocol):
    """What the simulator needs of a distribution."""

    @property
    def mean(self) -> float:
        """The expected value."""
        ...

    def sample(self, rng: np.random.Generator, size: int | None = None) -> float | np.ndarray:
        """Draw one value (``size=None``) or an array of ``size`` values."""
        ...


def _positive(name: str, value: float) -> None:
    if not (value > 0 and math.isfinite(value)):
        raise DistributionError(name, f"must be positive and finite, got {value!r}")


def _non_negative(name: str, value: float) -> None:
    if not (value >= 0 and math.isfinite(value)):
        raise DistributionError(name, f"must be zero or positive and finite, got {value!r}")


@dataclass(frozen=True)
class Constant:
    """Always the same value."""

    value: float

    def __post_init__(self) -> None:
        if not math.isfinite(self.value):
            raise DistributionError("value", f"must be finite, got {self.value!r}")

    @property
    def mean(self) -> float:
        """The value itself."""
        return self.value

    def sample(self, rng: np.random.Generator, size: int | None = None) -> float | np.ndarray:
        """Return the value, or an array filled with it."""
        if size is None:
            return self.value
        return np.full(size, self.value, dtype=float)


@dataclass(frozen=True)
class Exponential:
    """Memoryless waiting time with the given mean."""

    mean_value: float

    def __post_init__(self) -> None:
        _positive("mean", self.mean_value)

    @property
    def mean(self) -> float:
        """The mean."""
        return self.mean_value

    def sample(self, rng: np.random.Generator, size: int | None = None) -> float | np.ndarray:
        """Draw from the exponential distribution."""
        return rng.exponential(self.mean_value, size)


@dataclass(frozen=True)
class Uniform:
    """Uniform on [low, high]."""

    low: float
    high: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.low) and math.isfinite(self.high)):
            raise DistributionError("low", "low and high must be finite")
        if self.high < self.low:
            raise DistributionError(
                "high", f"must be at least low ({self.low!r}), got {self.high!r}")

    @property
    def mean(self) -> float:
        """The midpoint."""
        return 0.5 * (self.low + self.high)

    def sample(self, rng: np.random.Generator, size: int | None = None) -> float | np.ndarray:
        """Draw uniformly between low and high."""
        return rng.uniform(self.low, self.high, size)


@dataclass(frozen=True)
class LogNormal:
    """Log-normal: ``log X`` is normal with mean ``log(median)`` and standard deviation sigma."""

    median: float
    sigma: float

    def __post_init__(self) -> None:
        _positive("median", self.median)
        _non_negative("sigma", self.sigma)

    @classmethod
    def from_mean_cv(cls, mean: float, cv: float) -> LogNormal:
        """Build from the mean and the coefficient of variation (standard deviation / mean)."""
        _positive("mean", mean)
        _non_negative("cv", cv)
        sigma = math.sqrt(math.log1p(cv * cv))
        return cls(median=mean / math.exp(sigma * sigma / 2), sigma=sigma)

    @property
    def mean(self) -> float:
        """``median * exp(sigma**2 / 2)``."""
        return self.median * math.exp(self.sigma * self.sigma / 2)

    def sample(self, rng: np.random.Generator, size: int | None = None) -> float | np.ndarray:
        """Draw from the log-normal distribution."""
        return rng.lognormal(math.log(self.median), self.sigma, size)


@dataclass(frozen=True)
class Gamma:
    """Gamma with shape k and scale theta (mean k * theta)."""

    shape: float
    scale: float

    def __post_init__(self) -> None:
        _positive("shape", self.shape)
        _positive("scale", self.scale)

    @classmethod
    def from_mean_cv(cls, mean: float, cv: float) -> Gamma:
        """Build from the mean and the coefficient of variation."""
        _positive("mean", mean)
        _positive("cv", cv)
        shape = 1.0 / (cv * cv)
        return cls(shape=shape, scale=mean / shape)

    @property
    def mean(self) -> float:
        """``shape * scale``."""
        return self.shape * self.scale

    def sample(self, rng: np.random.Generator, size: int | None = None) -> float | np.ndarray:
        """Draw from the gamma distribution."""
        return rng.gamma(self.shape, self.scale, size)


@dataclass(frozen=True)
class Weibull:
    """Weibull with shape k and scale lambda."""

    shape: float
    scale: float

    def __post_init__(self) -> None:
        _positive("shape", self.shape)
        _positive("scale", self.scale)

    @property
    def mean(self) -> float:
        """``scale * Gamma(1 + 1/shape)``."""
        from scipy import special  # here, not at the top: a worker process needs no scipy

        return self.scale * float(special.gamma(1.0 + 1.0 / self.shape))

    def sample(self, rng: np.random.Generator, size: int | None = None) -> float | np.ndarray:
        """Draw from the Weibull distribution."""
        return self.scale * rng.weibull(self.shape, size)


@dataclass(frozen=True)
class Beta:
    """Beta(a, b) on [0, 1]."""

    a: float
    b: float

    def __post_init__(self) -> None:
        _positive("a", self.a)
        _positive("b", self.b)

    @property
    def mean(self) -> float:
        """``a / (a + b)``."""
        return self.a / (self.a + self.b)

    def sample(self, rng: np.random.Generator, size: int | None = None) -> float | np.ndarray:
        """Draw from the beta distribution."""
        return rng.beta(self.a, self.b, size)


@dataclass(frozen=True)
class Poisson:
    """Poisson count with the given mean."""

    mean_value: float

    def __post_init__(self) -> None:
        _non_negative("mean", self.mean_value)

    @property
    def mean(self) -> float:
        """The mean."""
        return self.mean_value

    def sample(self, rng: np.random.Generator, size: int | None = None) -> float | np.ndarray:
        """Draw Poisson counts (as floats, like every other distribution)."""
        draws = rng.poisson(self.mean_value, size)
        return float(draws) if size is None else draws.astype(float)


@dataclass(frozen=True)
class Empirical:
    """One of the listed values, with optional weights (equal by default)."""

    values: tuple[float, ...]
    weights: tuple[float, ...] | None = None

    def __post_init__(self) -> None:
        if not self.values:
            raise DistributionError("values", "must list at least one value")
        if not all(math.isfinite(v) for v in self.values):
            raise DistributionError("values", "must all be finite")
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise DistributionError(
                    "weights", f"must have one weight per value ({len(self.values)})"
                )
            if any(w < 0 or not math.isfinite(w) for w in self.weights) or sum(self.weights) <= 0:
                raise DistributionError("weights", "must be non-negative with a positive sum")

    def _probabilities(self) -> np.ndarray:
        if self.weights is None:
            return np.full(len(self.values), 1.0 / len(self.values))
        w = np.asarray(self.weights, dtype=float)
        return w / w.sum()

    @property
    def mean(self) -> float:
        """The weighted mean of the values."""
        return float(np.dot(self._probabilities(), np.asarray(self.values, dtype=float)))

    def sample(self, rng: np.random.Generator, size: int | None = None) -> float | np.ndarray:
        """Draw values with replacement."""
        values = np.asarray(self.values, dtype=float)
        if self.weights is None:
            index = rng.integers(0, len(values), size)
        else:
            index = rng.choice(len(values), size=size, p=self._probabilities())
        return float(values[index]) if size is None else values[index]


# --- reading the scenario-file form ----------------------------------------------------------

_NUMERIC_PARAMS = {"sigma", "cv", "shape", "a", "b"}


def _param(spec: Mapping[str, object], name: str, kind: Kind, *, dimensionless: bool) -> float:
    if name not in spec:
        raise DistributionError(name, "missing parameter")
    value = spec[name]
    if kind == "duration" and not dimensionless:
        try:
            return parse_duration(value)
        except DurationError as error:
            raise DistributionError(name, str(error)) from None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise DistributionError(name, f"expected a number, got {value!r}")
    return float(value)


def _values(spec: Mapping[str, object], name: str, kind: Kind) -> tuple[float, ...]:
    raw = spec.get(name)
    if not isinstance(raw, list):
        raise DistributionError(name, f"expected a list of values, got {raw!r}")
    out = []
    for item in raw:
        if kind == "duration":
            try:
                out.append(parse_duration(item))
            except DurationError as error:
                raise DistributionError(name, str(error)) from None
        elif isinstance(item, bool) or not isinstance(item, int | float):
            raise DistributionError(name, f"expected numbers, got {item!r}")
        else:
            out.append(float(item))
    return tuple(out)


def _build_lognormal(spec: Mapping[str, object], kind: Kind) -> Distribution:
    if "median" in spec and "sigma" in spec:
        _allow(spec, {"median", "sigma"})
        return LogNormal(_param(spec, "median", kind, dimensionless=False),
                         _param(spec, "sigma", kind, dimensionless=True))
    if "mean" in spec and "cv" in spec:
        _allow(spec, {"mean", "cv"})
        return LogNormal.from_mean_cv(_param(spec, "mean", kind, dimensionless=False),
                                      _param(spec, "cv", kind, dimensionless=True))
    raise DistributionError("", "lognormal needs either median and sigma, or mean and cv")


def _build_gamma(spec: Mapping[str, object], kind: Kind) -> Distribution:
    if "shape" in spec and "scale" in spec:
        _allow(spec, {"shape", "scale"})
        return Gamma(_param(spec, "shape", kind, dimensionless=True),
                     _param(spec, "scale", kind, dimensionless=False))
    if "mean" in spec and "cv" in spec:
        _allow(spec, {"mean", "cv"})
        return Gamma.from_mean_cv(_param(spec, "mean", kind, dimensionless=False),
                                  _param(spec, "cv", kind, dimensionless=True))
    raise DistributionError("", "gamma needs either shape and scale, or mean and cv")


def _allow(spec: Mapping[str, object], allowed: set[str]) -> None:
    for key in spec:
        if key != "dist" and key not in allowed:
            expected = ", ".join(sorted(allowed))
            raise DistributionError(
                key, f"unknown parameter for {spec['dist']!r} (expected {expected})")


def _simple(params: Sequence[str], factory: Callable[..., Distribution]
            ) -> Callable[[Mapping[str, object], Kind], Distribution]:
    def build(spec: Mapping[str, object], kind: Kind) -> Distribution:
        _allow(spec, set(params))
        args = [_param(spec, p, kind, dimensionless=p in _NUMERIC_PARAMS) for p in params]
        return factory(*args)

    return build


def _build_empirical(spec: Mapping[str, object], kind: Kind) -> Distribution:
    _allow(spec, {"values", "weights"})
    weights = _values(spec, "weights", "number") if "weights" in spec else None
    return Empirical(_values(spec, "values", kind), weights)


_BUILDERS: dict[str, Callable[[Mapping[str, object], Kind], Distribution]] = {
    "constant": _simple(["value"], Constant),
    "exponential": _simple(["mean"], Exponential),
    "uniform": _simple(["low", "high"], Uniform),
    "lognormal": _build_lognormal,
    "gamma": _build_gamma,
    "weibull": _simple(["shape", "scale"], Weibull),
    "beta": _simple(["a", "b"], Beta),
    "poisson": _simple(["mean"], Poisson),
    "empirical": _build_empirical,
}

DISTRIBUTIONS = tuple(_BUILDERS)

_NOT_FOR: dict[Kind, set[str]] = {
    "duration": {"beta", "poisson"},
    "probability": {"exponential", "lognormal", "gamma", "weibull", "poisson"},
    "count": {"beta"},
    "number": set(),
}


def parse_distribution(spec: object, kind: Kind = "number") -> Distribution:
    """Read a distribution from its scenario-file form.

    ``kind`` says what the values mean: ``"duration"`` parameters take unit strings, ``"count"``
    and ``"probability"`` limit which distributions make sense. Raises :class:`DistributionError`.
    """
    if isinstance(spec, bool):
        raise DistributionError("", f"expected a number or a {{ dist = ... }} table, got {spec!r}")
    if kind == "duration" and isinstance(spec, int | float | str):
        try:
            return Constant(parse_duration(spec))
        except DurationError as error:
            raise DistributionError("", str(error)) from None
    if isinstance(spec, int | float):
        return Constant(float(spec))
    if not isinstance(spec, Mapping):
        raise DistributionError("", f"expected a number or a {{ dist = ... }} table, got {spec!r}")
    name = spec.get("dist")
    if name is None:
        raise DistributionError("dist", f"missing (one of: {', '.join(DISTRIBUTIONS)})")
    if name not in _BUILDERS:
        raise DistributionError(
            "dist", f"unknown distribution {name!r} (known: {', '.join(DISTRIBUTIONS)})"
        )
    if name in _NOT_FOR[kind]:
        raise DistributionError("dist", f"{name!r} does not make sense for a {kind}")
    return _BUILDERS[str(name)](spec, kind)
