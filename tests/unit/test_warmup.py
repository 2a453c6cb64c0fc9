"""MSER-5 on synthetic series with a known transient, and the weekly series' time averages."""

from __future__ import annotations

import numpy as np
import pytest

from gigsim.analysis.series import covered
from gigsim.studies.warmup import BATCH, mser


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_mser_finds_a_shift_in_level_within_a_batch(seed: int) -> None:
    # 30 weeks 8 sd above the level it settles at, then white noise: the cut is at week 30,
    # to within the batch of 5 it falls in
    rng = np.random.default_rng(seed)
    series = rng.normal(0.0, 1.0, 120)
    series[:30] += 8.0
    cut, statistic = mser(series)
    assert 30 <= cut <= 30 + BATCH
    assert len(statistic) == 120 // BATCH // 2 + 1


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_mser_cuts_an_exponential_approach_where_it_sinks_into_the_noise(seed: int) -> None:
    # 1 − e^(−t/τ) with τ = 6 weeks and noise sd 0.02. MSER trades the bias left against the
    # standard error of the mean kept (0.02 / √100 = 0.002): the transient is above 4 noise sd
    # (0.08) until τ ln(12.5) ≈ 15 weeks, so cut at least there, and below a tenth of that
    # standard error after τ ln(1 / 0.0002) ≈ 51 weeks, so nothing is gained by cutting later.
    # The cut is itself noisy: over seeds 0–19 it ranges from 20 to 65 weeks.
    rng = np.random.default_rng(seed)
    weeks = np.arange(150)
    series = 1 - np.exp(-(weeks + 0.5) / 6.0) + rng.normal(0, 0.02, len(weeks))
    cut, _ = mser(series)
    assert 15 <= cut <= 51 + BATCH


def test_mser_leaves_a_steady_series_alone() -> None:
    assert mser(np.full(60, 7.0))[0] == 0
    assert mser(np.arange(6.0))[0] == 0  # too short to batch twice: not truncated


def test_covered_time_averages_intervals_over_each_week() -> None:
    edges = np.array([0.0, 10.0, 20.0, 30.0])
    starts = np.array([0.0, 5.0, 25.0])
    ends = np.array([10.0, np.nan, 26.0])  # NaN: still open at the end
    assert covered(starts, ends, edges).tolist() == pytest.approx([15.0, 10.0, 11.0])
    # weights scale each interval: income at a rate per hour
    assert covered(starts, ends, edges, np.array([2.0, 0.0, 3.0])).tolist() == \
        pytest.approx([20.0, 0.0, 3.0])
