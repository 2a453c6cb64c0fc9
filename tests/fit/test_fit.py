"""Censored maximum-likelihood fits: recovery, theory values, ranking, the fallback."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gigsim.scenario.dists import LogNormal, parse_distribution
from gigsim.studies.fitting.data import make_sample
from gigsim.studies.fitting.fit import Z_95, duration_text, fit_sample

DAY = 24.0


def censored_lognormal(seed: int, n: int = 600, median_h: float = 19 * DAY,
                       sigma: float = 1.1) -> tuple[np.ndarray, np.ndarray]:
    """Lifetimes, cut by an observation window that ends uniformly in [0, 90 days]."""
    rng = np.random.default_rng(seed)
    life = rng.lognormal(math.log(median_h), sigma, n)
    window = rng.uniform(0, 90 * DAY, n)
    return np.minimum(life, window), life > window


def test_censored_lognormal_recovered_within_its_intervals() -> None:
    values, censored = censored_lognormal(seed=2026)
    assert 0.2 < censored.mean() < 0.5  # censoring that matters
    fit = next(f for f in fit_sample(make_sample(values, censored)).fits
               if f.family == "lognormal")
    assert fit.ci_low["median"] <= 19 * DAY <= fit.ci_high["median"]
    assert fit.ci_low["sigma"] <= 1.1 <= fit.ci_high["sigma"]


def test_dropping_censored_values_would_bias_the_median_down() -> None:
    values, censored = censored_lognormal(seed=2026)
    with_censoring = fit_sample(make_sample(values, censored), ["lognormal"]).best
    naive = fit_sample(make_sample(values[~censored]), ["lognormal"]).best
    assert naive.ci_high["median"] < 19 * DAY <= with_censoring.ci_high["median"]


@pytest.mark.slow
def test_lognormal_intervals_cover_at_their_level() -> None:
    runs = 80
    covered = {"median": 0, "sigma": 0}
    for seed in range(runs):
        values, censored = censored_lognormal(seed, n=300)
        fit = fit_sample(make_sample(values, censored), ["lognormal"]).best
        covered["median"] += fit.ci_low["median"] <= 19 * DAY <= fit.ci_high["median"]
        covered["sigma"] += fit.ci_low["sigma"] <= 1.1 <= fit.ci_high["sigma"]
    se = math.sqrt(0.95 * 0.05 / runs)
    for name, count in covered.items():
        assert abs(count / runs - 0.95) <= 3 * se, (name, count)


def test_exponential_matches_its_closed_form() -> None:
    # MLE of the mean: total time seen / number that ended; observed information of the
    # log-mean: the number that ended, so the interval is mean × exp(±1.96/√events)
    rng = np.random.default_rng(7)
    life = rng.exponential(100.0, 400)
    window = rng.uniform(0, 200, 400)
    values, censored = np.minimum(life, window), life > window
    events = int((~censored).sum())
    fit = fit_sample(make_sample(values, censored), ["exponential"]).best
    mean = values.sum() / events
    assert fit.params["mean"] == pytest.approx(mean, rel=1e-6)
    assert fit.ci_low["mean"] == pytest.approx(mean * math.exp(-Z_95 / math.sqrt(events)),
                                               rel=1e-3)
    assert fit.ci_high["mean"] == pytest.approx(mean * math.exp(Z_95 / math.sqrt(events)),
                                                rel=1e-3)
    expected_ll = -events * math.log(mean) - values.sum() / mean
    assert fit.log_likelihood == pytest.approx(expected_ll, rel=1e-9)
    assert fit.aic == pytest.approx(2 - 2 * expected_ll, rel=1e-9)


def test_poisson_matches_its_closed_form() -> None:
    counts = np.random.default_rng(3).poisson(40, 200).astype(float)
    fit = next(f for f in fit_sample(make_sample(counts, kind="count")).fits
               if f.family == "poisson")
    mean = counts.mean()
    assert fit.params["mean"] == pytest.approx(mean, rel=1e-6)
    half = Z_95 / math.sqrt(len(counts) * mean)
    assert fit.ci_low["mean"] == pytest.approx(mean * math.exp(-half), rel=1e-3)


def test_aic_ranks_the_family_that_made_the_data_first() -> None:
    rng = np.random.default_rng(11)
    report = fit_sample(make_sample(150.0 * rng.weibull(3.0, 800)))
    assert report.best.family == "weibull"
    exponential = next(f for f in report.fits if f.family == "exponential")
    assert exponential.aic - report.best.aic > 10
    assert report.recommended is report.best


def test_bimodal_data_fall_back_to_the_empirical_distribution() -> None:
    rng = np.random.default_rng(5)
    values = np.r_[rng.normal(24, 2, 500), rng.normal(400, 20, 500)]
    report = fit_sample(make_sample(values))
    assert report.best.km_distance > report.km_threshold
    chosen = report.recommended
    assert chosen.family == "empirical"
    assert chosen.km_distance < report.km_threshold
    assert len(chosen.values) == 20


def test_the_toml_is_the_scenario_syntax_with_units() -> None:
    values, censored = censored_lognormal(seed=1)
    fit = fit_sample(make_sample(values, censored), ["lognormal"]).best
    text = fit.toml()
    assert text.startswith('{ dist = "lognormal", median = "') and 'd", sigma = ' in text
    dist = parse_distribution(fit.toml_data(), "duration")
    assert isinstance(dist, LogNormal)
    assert dist.median == pytest.approx(fit.params["median"], rel=5e-3)  # 3 figures
    assert dist.sigma == pytest.approx(fit.params["sigma"], rel=5e-3)


def test_duration_text_picks_a_readable_unit() -> None:
    assert duration_text(13.5) == "13.5h"
    assert duration_text(19 * DAY) == "19d"
    assert duration_text(3 * 7 * 8 * DAY) == "24w"
