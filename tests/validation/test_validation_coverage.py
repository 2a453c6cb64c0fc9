"""Confidence intervals cover the truth at their nominal rate, where the truth is known.

The single-seat case of ``test_validation_theory``: N workers, single-seat projects arriving at
rate lambda and living Exp(1/mu), no delay, so busy(t) = min(N, X(t)) with X ~ Poisson(lambda/mu)
and the utilisation (worked / available hours) has mean E[min(N, X)] / N exactly. Each of
``EXPERIMENTS`` independent experiments (its own seed) runs ``REPLICATIONS`` short replications
and builds the 95% t interval of ``gigsim.analysis.statistics.t_interval`` from their utilisations,
the same way ``summary()`` does for every metric. The number of intervals that cover the true mean
is Binomial(EXPERIMENTS, 0.95) if the intervals are honest; the test fails only if the count is
improbably low under that law (P < 1e-3), which catches intervals that are too narrow
(e.g. a normal quantile instead of t, or a standard deviation instead of a standard error).
"""

from __future__ import annotations

import numpy as np
import pytest
from _validation_support import per_replication_ratio, scenario
from scipy import stats

import gigsim
from gigsim.analysis.statistics import t_interval

N_WORKERS = 20
LOAD = 15.0
EXPERIMENTS = 40
REPLICATIONS = 5
LEVEL = 0.95


def _poisson_min_mean(n: int, mean: float) -> float:
    k = np.arange(n)
    return n - float(np.sum((n - k) * stats.poisson.pmf(k, mean)))


@pytest.mark.slow  # run by .ci/run after make test (make test-slow)
def test_t_intervals_cover_the_true_utilisation_at_their_nominal_rate() -> None:
    theory = _poisson_min_mean(N_WORKERS, LOAD) / N_WORKERS
    run = scenario(workers=N_WORKERS, arrivals_per_week=LOAD, seats=1,
                   lifetime={"dist": "exponential", "mean": "1w"}, delay=0,
                   horizon="8w", warmup="10w")
    covered = 0
    widths = []
    for experiment in range(EXPERIMENTS):
        results = gigsim.simulate(run, replications=REPLICATIONS, seed=5000 + experiment)
        utilisation = per_replication_ratio(results.worker_months, "worked_h", "available_h")
        _, low, high = t_interval(utilisation.tolist(), LEVEL)
        covered += int(low <= theory <= high)
        widths.append(high - low)
    print(f"{covered}/{EXPERIMENTS} intervals cover {theory:.4f};"
          f" mean width {np.mean(widths):.4f}")
    # too few covering is what matters (over-wide intervals cannot be told from 40 at 95%:
    # even all 40 covering has probability 0.95^40 = 0.13)
    low_tail = stats.binom.cdf(covered, EXPERIMENTS, LEVEL)
    assert low_tail > 1e-3, f"only {covered}/{EXPERIMENTS} 95% intervals cover the truth"
    assert np.all(np.asarray(widths) > 0)
