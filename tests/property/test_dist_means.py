"""Sample means of distributions agree with their ``mean`` (hypothesis, derandomized)."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special

from gigsim.scenario.dists import (
    Beta,
    Constant,
    Distribution,
    Empirical,
    Exponential,
    Gamma,
    LogNormal,
    Poisson,
    Uniform,
    Weibull,
)

DRAWS = 20_000
Z = 5.0  # standard errors

positive = st.floats(0.01, 1000.0)


def lognormal_variance(d: LogNormal) -> float:
    return (math.exp(d.sigma**2) - 1) * d.mean**2


def weibull_variance(d: Weibull) -> float:
    g1 = special.gamma(1 + 1 / d.shape)
    g2 = special.gamma(1 + 2 / d.shape)
    return d.scale**2 * (g2 - g1**2)


def empirical_variance(d: Empirical) -> float:
    values = np.asarray(d.values)
    p = np.full(len(values), 1 / len(values)) if d.weights is None else (
        np.asarray(d.weights) / np.sum(d.weights))
    return float(np.dot(p, (values - d.mean) ** 2))


def variance(d: Distribution) -> float:
    """The analytic variance, so the check does not rely on the sample's own spread."""
    if isinstance(d, Constant):
        return 0.0
    if isinstance(d, Exponential):
        return d.mean**2
    if isinstance(d, Uniform):
        return (d.high - d.low) ** 2 / 12
    if isinstance(d, LogNormal):
        return lognormal_variance(d)
    if isinstance(d, Gamma):
        return d.shape * d.scale**2
    if isinstance(d, Weibull):
        return weibull_variance(d)
    if isinstance(d, Beta):
        return d.a * d.b / ((d.a + d.b) ** 2 * (d.a + d.b + 1))
    if isinstance(d, Poisson):
        return d.mean
    if isinstance(d, Empirical):
        return empirical_variance(d)
    raise TypeError(d)


distributions = st.one_of(
    st.floats(-100.0, 100.0).map(Constant),
    positive.map(Exponential),
    st.tuples(st.floats(-100.0, 100.0), st.floats(0.0, 100.0)).map(
        lambda t: Uniform(t[0], t[0] + t[1])),
    st.tuples(positive, st.floats(0.0, 1.0)).map(lambda t: LogNormal(t[0], t[1])),
    st.tuples(positive, st.floats(0.0, 1.0)).map(lambda t: LogNormal.from_mean_cv(*t)),
    st.tuples(st.floats(0.3, 20.0), positive).map(lambda t: Gamma(*t)),
    st.tuples(positive, st.floats(0.1, 2.0)).map(lambda t: Gamma.from_mean_cv(*t)),
    st.tuples(st.floats(0.7, 5.0), positive).map(lambda t: Weibull(*t)),
    st.tuples(st.floats(0.1, 20.0), st.floats(0.1, 20.0)).map(lambda t: Beta(*t)),
    st.floats(0.0, 500.0).map(Poisson),
    st.lists(st.floats(-50.0, 50.0), min_size=1, max_size=6).map(
        lambda v: Empirical(tuple(v))),
    st.lists(st.tuples(st.floats(-50.0, 50.0), st.floats(0.1, 5.0)), min_size=1,
             max_size=6).map(lambda vw: Empirical(tuple(v for v, _ in vw),
                                                   tuple(w for _, w in vw))),
)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(distributions, st.integers(0, 2**32 - 1))
def test_sample_mean_agrees_with_mean(dist: Distribution, seed: int) -> None:
    draws = np.asarray(dist.sample(np.random.default_rng(seed), DRAWS), dtype=float)
    assert draws.shape == (DRAWS,)
    assert np.isfinite(draws).all()
    standard_error = math.sqrt(variance(dist) / DRAWS)
    tolerance = Z * standard_error + 1e-9 * max(1.0, abs(dist.mean))
    assert abs(draws.mean() - dist.mean) <= tolerance, (dist, draws.mean(), dist.mean)


@settings(max_examples=30, deadline=None, derandomize=True)
@given(distributions, st.integers(0, 2**32 - 1))
def test_single_draws_follow_the_same_stream(dist: Distribution, seed: int) -> None:
    one = dist.sample(np.random.default_rng(seed))
    assert np.isscalar(one) or np.ndim(one) == 0
    assert math.isfinite(float(one))  # type: ignore[arg-type]
