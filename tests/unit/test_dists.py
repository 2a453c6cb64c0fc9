"""Distribution objects: validation, means, sampling, and reading the scenario-file form."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from gigsim.scenario.dists import (
    DISTRIBUTIONS,
    Beta,
    Constant,
    Distribution,
    DistributionError,
    Empirical,
    Exponential,
    Gamma,
    LogNormal,
    Poisson,
    Uniform,
    Weibull,
    parse_distribution,
)

ALL = [
    Constant(3.0),
    Exponential(2.0),
    Uniform(1.0, 4.0),
    LogNormal(median=2.0, sigma=0.5),
    Gamma(shape=2.0, scale=3.0),
    Weibull(shape=1.5, scale=2.0),
    Beta(2.0, 5.0),
    Poisson(4.0),
    Empirical((1.0, 2.0, 10.0)),
    Empirical((1.0, 2.0, 10.0), (0.5, 0.25, 0.25)),
]


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(12345)


def test_every_listed_distribution_has_a_reader() -> None:
    assert set(DISTRIBUTIONS) >= {
        "constant", "exponential", "uniform", "lognormal", "gamma", "weibull", "beta",
        "poisson", "empirical",
    }


@pytest.mark.parametrize("dist", ALL, ids=lambda d: type(d).__name__)
def test_satisfies_the_protocol(dist: Distribution) -> None:
    assert isinstance(dist, Distribution)


@pytest.mark.parametrize("dist", ALL, ids=lambda d: type(d).__name__)
def test_sample_shapes(dist: Distribution, rng: np.random.Generator) -> None:
    one = dist.sample(rng)
    assert isinstance(one, float | np.floating)
    many = dist.sample(rng, 7)
    assert isinstance(many, np.ndarray)
    assert many.shape == (7,)
    assert many.dtype == float


@pytest.mark.parametrize("dist", ALL, ids=lambda d: type(d).__name__)
def test_sampling_is_reproducible_from_the_generator(dist: Distribution) -> None:
    a = dist.sample(np.random.default_rng(7), 50)
    b = dist.sample(np.random.default_rng(7), 50)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    ("dist", "mean"),
    [
        (Constant(3.0), 3.0),
        (Exponential(2.0), 2.0),
        (Uniform(1.0, 4.0), 2.5),
        (LogNormal(median=2.0, sigma=0.5), 2.0 * math.exp(0.125)),
        (Gamma(shape=2.0, scale=3.0), 6.0),
        (Weibull(shape=1.0, scale=2.0), 2.0),
        (Weibull(shape=2.0, scale=1.0), math.sqrt(math.pi) / 2),
        (Beta(2.0, 6.0), 0.25),
        (Poisson(4.0), 4.0),
        (Empirical((1.0, 2.0, 9.0)), 4.0),
        (Empirical((1.0, 2.0, 10.0), (2.0, 1.0, 1.0)), 3.5),
    ],
    ids=str,
)
def test_mean_property(dist: Distribution, mean: float) -> None:
    assert dist.mean == pytest.approx(mean)


@pytest.mark.parametrize("dist", ALL, ids=lambda d: type(d).__name__)
def test_sample_mean_matches_mean(dist: Distribution) -> None:
    draws = np.asarray(dist.sample(np.random.default_rng(99), 40_000))
    standard_error = draws.std(ddof=1) / math.sqrt(len(draws))
    assert abs(draws.mean() - dist.mean) <= 5 * standard_error + 1e-12


def test_lognormal_from_mean_and_cv() -> None:
    dist = LogNormal.from_mean_cv(10.0, 0.5)
    assert dist.mean == pytest.approx(10.0)
    assert dist.sigma == pytest.approx(math.sqrt(math.log(1.25)))
    frozen = stats.lognorm(s=dist.sigma, scale=dist.median)
    assert frozen.std() / frozen.mean() == pytest.approx(0.5)


def test_lognormal_with_zero_cv_is_a_point() -> None:
    dist = LogNormal.from_mean_cv(5.0, 0.0)
    assert dist.sigma == 0.0
    np.testing.assert_allclose(dist.sample(np.random.default_rng(0), 5), 5.0)


def test_gamma_from_mean_and_cv() -> None:
    dist = Gamma.from_mean_cv(8.0, 0.5)
    assert dist.shape == pytest.approx(4.0)
    assert dist.scale == pytest.approx(2.0)
    assert dist.mean == pytest.approx(8.0)


def test_constant_fills_an_array() -> None:
    np.testing.assert_array_equal(Constant(2.5).sample(np.random.default_rng(), 3), [2.5] * 3)


def test_poisson_draws_are_whole_floats(rng: np.random.Generator) -> None:
    draws = Poisson(3.0).sample(rng, 1000)
    assert draws.dtype == float
    np.testing.assert_array_equal(draws, np.round(draws))
    assert isinstance(Poisson(3.0).sample(rng), float)


def test_empirical_only_draws_listed_values(rng: np.random.Generator) -> None:
    draws = Empirical((1.0, 5.0), (0.0, 1.0)).sample(rng, 200)
    np.testing.assert_array_equal(draws, 5.0)
    assert set(Empirical((1.0, 5.0, 7.0)).sample(rng, 500)) == {1.0, 5.0, 7.0}


def test_uniform_stays_in_its_range(rng: np.random.Generator) -> None:
    draws = Uniform(2.0, 3.0).sample(rng, 1000)
    assert draws.min() >= 2.0 and draws.max() <= 3.0


def test_beta_stays_in_unit_interval(rng: np.random.Generator) -> None:
    draws = Beta(0.5, 0.5).sample(rng, 1000)
    assert draws.min() >= 0.0 and draws.max() <= 1.0


@pytest.mark.parametrize(
    ("build", "param"),
    [
        (lambda: Constant(math.inf), "value"),
        (lambda: Exponential(0.0), "mean"),
        (lambda: Exponential(-1.0), "mean"),
        (lambda: Exponential(math.nan), "mean"),
        (lambda: Uniform(3.0, 1.0), "high"),
        (lambda: Uniform(-math.inf, 1.0), "low"),
        (lambda: LogNormal(0.0, 1.0), "median"),
        (lambda: LogNormal(1.0, -0.1), "sigma"),
        (lambda: LogNormal.from_mean_cv(-1.0, 0.5), "mean"),
        (lambda: LogNormal.from_mean_cv(1.0, -0.5), "cv"),
        (lambda: Gamma(0.0, 1.0), "shape"),
        (lambda: Gamma(1.0, 0.0), "scale"),
        (lambda: Gamma.from_mean_cv(1.0, 0.0), "cv"),
        (lambda: Weibull(-1.0, 1.0), "shape"),
        (lambda: Weibull(1.0, math.inf), "scale"),
        (lambda: Beta(0.0, 1.0), "a"),
        (lambda: Beta(1.0, -2.0), "b"),
        (lambda: Poisson(-1.0), "mean"),
        (lambda: Empirical(()), "values"),
        (lambda: Empirical((1.0, math.nan)), "values"),
        (lambda: Empirical((1.0, 2.0), (1.0,)), "weights"),
        (lambda: Empirical((1.0, 2.0), (1.0, -1.0)), "weights"),
        (lambda: Empirical((1.0, 2.0), (0.0, 0.0)), "weights"),
    ],
)
def test_invalid_parameters_name_the_parameter(build, param: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DistributionError) as info:
        build()
    assert info.value.param == param
    assert str(info.value).startswith(f"{param}: ")


def test_distribution_error_is_a_value_error() -> None:
    assert issubclass(DistributionError, ValueError)


# --- the scenario-file form ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "kind", "expected"),
    [
        (5, "number", Constant(5.0)),
        (2.5, "number", Constant(2.5)),
        ("3d", "duration", Constant(72.0)),
        (0, "duration", Constant(0.0)),
        ({"dist": "constant", "value": 4}, "number", Constant(4.0)),
        ({"dist": "constant", "value": "2w"}, "duration", Constant(336.0)),
        ({"dist": "exponential", "mean": "3d"}, "duration", Exponential(72.0)),
        ({"dist": "exponential", "mean": 3}, "number", Exponential(3.0)),
        ({"dist": "uniform", "low": 10, "high": 30}, "number", Uniform(10.0, 30.0)),
        ({"dist": "uniform", "low": "1d", "high": "2d"}, "duration", Uniform(24.0, 48.0)),
        ({"dist": "lognormal", "median": "3w", "sigma": 1.0}, "duration", LogNormal(504.0, 1.0)),
        ({"dist": "gamma", "shape": 2, "scale": "1d"}, "duration", Gamma(2.0, 24.0)),
        ({"dist": "weibull", "shape": 1.5, "scale": "2w"}, "duration", Weibull(1.5, 336.0)),
        ({"dist": "beta", "a": 5, "b": 2}, "probability", Beta(5.0, 2.0)),
        ({"dist": "poisson", "mean": 1000}, "count", Poisson(1000.0)),
        ({"dist": "empirical", "values": [1, 2, 3]}, "number", Empirical((1.0, 2.0, 3.0))),
        ({"dist": "empirical", "values": ["1d", "2d"], "weights": [1, 3]}, "duration",
         Empirical((24.0, 48.0), (1.0, 3.0))),
    ],
    ids=str,
)
def test_parse_distribution_forms(spec: object, kind: str, expected: Distribution) -> None:
    assert parse_distribution(spec, kind) == expected  # type: ignore[arg-type]


def test_parse_lognormal_by_mean_and_cv() -> None:
    dist = parse_distribution({"dist": "lognormal", "mean": "2d", "cv": 0.5}, "duration")
    assert isinstance(dist, LogNormal)
    assert dist.mean == pytest.approx(48.0)


def test_parse_gamma_by_mean_and_cv() -> None:
    dist = parse_distribution({"dist": "gamma", "mean": 10, "cv": 0.5})
    assert isinstance(dist, Gamma)
    assert dist.mean == pytest.approx(10.0)
    assert dist.shape == pytest.approx(4.0)


@pytest.mark.parametrize(
    ("spec", "kind", "param", "fragment"),
    [
        ({"dist": "gaussian", "mean": 1}, "number", "dist", "unknown distribution 'gaussian'"),
        ({"mean": 1}, "number", "dist", "missing"),
        ({"dist": "exponential"}, "duration", "mean", "missing parameter"),
        ({"dist": "uniform", "low": 1}, "number", "high", "missing parameter"),
        ({"dist": "exponential", "mean": 3}, "duration", "mean", "bare number"),
        ({"dist": "exponential", "mean": "3x"}, "duration", "mean", "unknown unit"),
        ({"dist": "exponential", "mean": "3d"}, "number", "mean", "expected a number"),
        ({"dist": "exponential", "mean": True}, "number", "mean", "expected a number"),
        ({"dist": "exponential", "mean": -2}, "number", "mean", "positive"),
        ({"dist": "exponential", "mean": 2, "sd": 1}, "number", "sd", "unknown parameter"),
        ({"dist": "lognormal", "median": "3w"}, "duration", "", "median and sigma"),
        ({"dist": "lognormal", "median": "3w", "sigma": 1, "cv": 2}, "duration", "cv",
         "unknown parameter"),
        ({"dist": "lognormal", "median": "3w", "sigma": "1d"}, "duration", "sigma",
         "expected a number"),
        ({"dist": "gamma", "shape": 2}, "number", "", "shape and scale"),
        ({"dist": "beta", "a": 1, "b": 1}, "duration", "dist", "does not make sense"),
        ({"dist": "poisson", "mean": 3}, "duration", "dist", "does not make sense"),
        ({"dist": "exponential", "mean": 0.5}, "probability", "dist", "does not make sense"),
        ({"dist": "beta", "a": 1, "b": 1}, "count", "dist", "does not make sense"),
        ({"dist": "empirical", "values": 3}, "number", "values", "list"),
        ({"dist": "empirical", "values": [1, "a"]}, "number", "values", "numbers"),
        ({"dist": "empirical", "values": [1, 2]}, "duration", "values", "bare number"),
        ({"dist": "empirical", "values": [1, 2], "weights": [1]}, "number", "weights", "one"),
        (7, "duration", "", "bare number"),
        ("3x", "duration", "", "unknown unit"),
        ("3d", "number", "", "expected a number"),
        (True, "number", "", "expected a number"),
        ([1, 2], "number", "", "expected a number"),
    ],
    ids=str,
)
def test_parse_distribution_errors(spec: object, kind: str, param: str, fragment: str) -> None:
    with pytest.raises(DistributionError) as info:
        parse_distribution(spec, kind)  # type: ignore[arg-type]
    assert info.value.param == param
    assert fragment in info.value.message


def test_unknown_distribution_lists_the_known_ones() -> None:
    with pytest.raises(DistributionError) as info:
        parse_distribution({"dist": "nope"})
    for name in DISTRIBUTIONS:
        assert name in info.value.message
