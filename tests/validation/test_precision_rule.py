"""Replications by precision on a scenario whose answer is known: coverage and growth with 1/γ².

The ample-seats scenario of ``test_validation_theory.py``, shrunk to 5 workers: projects of 4
seats arrive at 10 a week and live Exp(1 week), each freed worker waits a dispatch delay
D ~ Exp(3 days) and takes a seat at once, so each worker alternates an assignment and a delay,
and the idle share of available time is E[D] / (E[L] + E[D]) = 72 / 240 = 0.3 (seats are short
only when fewer than 2 projects are alive, P(X ≤ 1) = 5e-4 for X ~ Poisson(10); at 5 a week,
P(X ≤ 1) = 0.04 left a bias of +0.0035, 3 standard errors of 4,000 replications).

The rule (:func:`gigsim.studies.precision.run_by_precision`, as ``gigsim run --precision`` runs
it) is run for 50 seeds at two precisions on ``idle_share`` (a share: γ in absolute terms).
A seed's replications are the same at both precisions (replication k has seed stream k), so
each seed's runs are simulated once, in rounds, and the larger γ reads a prefix of them: it
stops at or before the smaller γ's count, whose interval is already within it.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from _validation_support import band_multiplier, per_replication_ratio, scenario
from scipy import stats

from gigsim.analysis.metrics import worker_months_table
from gigsim.studies.precision import Decision, PrecisionGoal, check_metric, run_by_precision
from gigsim.studies.runner import process_pool, run_indices

THEORY = 72 / (168 + 72)  # E[D] / (E[L] + E[D])
SEEDS = range(1000, 1050)
# (0.035 / 0.025)² ≈ 2: twice the replications, roughly, for a half-width 1/1.4 as wide (a wider
# pair would put the wide one at the rule's floor of 10, or take minutes)
WIDE, NARROW = 0.035, 0.025


def _scenario() -> object:
    # 2 weeks of warm-up: a worker's state forgets its start at the rate 1/E[L] + 1/E[D]
    # (e^-6.7 left after 2 weeks), and the alive count's start-up shortfall (e^-2 of 10
    # projects) still leaves seats for everyone in all but rare weeks
    return scenario(workers=5, arrivals_per_week=10.0, seats=4,
                    lifetime={"dist": "exponential", "mean": "1w"},
                    delay={"dist": "exponential", "mean": "3d"}, warmup="2w", horizon="12w")


def _decide(goal: PrecisionGoal, values: list[float], more: object) -> Decision:
    """The rule on ``values`` (a seed's replications in order), running ``more`` if short."""
    done = 0

    def run_round(indices: range) -> None:
        nonlocal done
        if indices.stop > len(values):
            more(indices)  # type: ignore[operator]
        done = indices.stop

    def assess() -> list[object]:
        return [check_metric("idle_share", values[:done], goal.precision)]

    return run_by_precision(goal, run_round, assess)  # type: ignore[arg-type]


def _predicted(sigma: float, precision: float, goal: PrecisionGoal) -> int:
    """The count a rule that knew σ would stop at: the first round with t σ / √n ≤ γ."""
    n = goal.round_size * goal.min_rounds
    while stats.t.ppf(0.975, n - 1) * sigma / math.sqrt(n) > precision:
        n += goal.round_size
    return n


@pytest.mark.slow  # run by .ci/run after make test (make test-slow); about 1.5 minutes on 2 cores
def test_the_rule_reaches_its_precision_and_its_count_grows_as_one_over_precision_squared(
) -> None:
    sc = _scenario()
    narrow, wide = (PrecisionGoal(g, metrics=("idle_share",)) for g in (NARROW, WIDE))
    decisions: dict[float, list[Decision]] = {NARROW: [], WIDE: []}
    means: dict[float, list[float]] = {NARROW: [], WIDE: []}
    pooled: list[float] = []  # every replication run: σ of idle_share, to predict the counts
    with process_pool(2) as pool:
        for seed in SEEDS:
            values: list[float] = []

            def more(indices: range, seed: int = seed, values: list[float] = values) -> None:
                records = run_indices(sc, seed, indices, 2, 2, None, pool)  # type: ignore[arg-type]
                months = [worker_months_table(r) for r in records]
                values.extend(float(per_replication_ratio(m, "idle_h", "available_h")[0])
                              for m in months)

            for goal in (narrow, wide):  # the narrow one first: the wide reads its prefix
                decision = _decide(goal, values, more)
                decisions[goal.precision].append(decision)
                means[goal.precision].append(float(np.mean(values[:decision.replications])))
            pooled.extend(values)

    sigma = float(np.std(pooled, ddof=1))
    k = band_multiplier(len(SEEDS))
    within, counts, bands = {}, {}, {}
    for precision, goal in ((NARROW, narrow), (WIDE, wide)):
        within[precision] = sum(abs(m - THEORY) <= precision for m in means[precision])
        n = np.array([d.replications for d in decisions[precision]], dtype=float)
        counts[precision] = float(n.mean())
        bands[precision] = (_predicted(sigma, precision, goal),
                            goal.round_size + k * float(n.std(ddof=1) / math.sqrt(len(n))))
        print(f"γ = {precision}: error within γ at {within[precision]} of {len(SEEDS)} seeds;"
              f" mean count {n.mean():.1f}, predicted {bands[precision][0]} ±"
              f" {bands[precision][1]:.1f} (σ = {sigma:.4f});"
              f" counts {sorted(n.astype(int).tolist())}")
    ratio = counts[NARROW] / counts[WIDE]
    print(f"count ratio {ratio:.2f} for a precision ratio of {WIDE / NARROW:g}")

    for precision in (NARROW, WIDE):
        # never at the maximum: the half-width asked, reached
        assert all(d.met for d in decisions[precision])
        # the error actually made, |mean − 0.3|, within the precision at 90% of the seeds or
        # more (the bar; a 95% interval that stopped as soon as it was narrow covers
        # somewhat less than 95%, docs/model.md; were it 95%, 45 of 50 or more: p = 0.96)
        assert within[precision] >= 0.9 * len(SEEDS)
        # growth with 1/γ²: the mean count is that of a rule that knew σ (the first round with
        # t σ / √n ≤ γ), to within one round and the band of its standard error over the seeds
        predicted, band = bands[precision]
        assert abs(counts[precision] - predicted) <= band
    # The predicted counts are (t σ / γ)² in whole rounds, so the two checks above are the
    # growth with 1/γ² (the ratio printed is about (0.035 / 0.025)² ≈ 2, less the t quantile's
    # fall and the rounds; as a bound of its own it would add nothing to them).
