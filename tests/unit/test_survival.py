"""gigsim.analysis.survival: Kaplan–Meier against hand computation, and durations from tables."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from gigsim.analysis.survival import (
    idle_spells,
    json_number,
    kaplan_meier,
    latency_durations,
    longest_idle_spells,
    pooled_percentiles,
)


def test_kaplan_meier_matches_hand_computation_with_censoring() -> None:
    # durations 1, 2, 2+, 3, 4+, 5 (+ = censored). By hand, S falls only where a duration ends:
    #   t=1: 6 at risk, 1 ends  -> S = 5/6
    #   t=2: 5 at risk (the censored 2 is still at risk at 2), 1 ends -> S = 5/6 * 4/5 = 2/3
    #   t=3: 3 at risk, 1 ends  -> S = 2/3 * 2/3 = 4/9
    #   t=4: censored, S stays 4/9
    #   t=5: 1 at risk, 1 ends  -> S = 0
    curve = kaplan_meier([1, 2, 2, 3, 4, 5], [False, True, False, False, True, False])
    np.testing.assert_allclose(curve.at([0, 0.5, 1, 1.5, 2, 2.5, 3, 4, 4.9, 5, 9]),
                               [1, 1, 5 / 6, 5 / 6, 2 / 3, 2 / 3, 4 / 9, 4 / 9, 4 / 9, 0, 0])
    assert curve.n == 6 and curve.n_censored == 2 and curve.n_events == 4
    np.testing.assert_allclose(curve.censored_times, [2, 4])
    assert curve.median == 3.0  # first time S <= 0.5
    assert curve.quantile(1 / 6) == 1.0  # S(1) = 5/6 exactly: the 1/6 quantile is 1
    assert curve.quantile(0.9) == 5.0
    # area under S from 0 to 5: 1 + 5/6 + 2/3 + 4/9 + 4/9
    assert curve.restricted_mean(5) == pytest.approx(1 + 5 / 6 + 2 / 3 + 8 / 9)
    # the pointwise band brackets the estimate
    assert np.all(curve.ci_low <= curve.survival + 1e-12)
    assert np.all(curve.ci_high >= curve.survival - 1e-12)


def test_without_censoring_kaplan_meier_is_one_minus_the_ecdf() -> None:
    x = np.array([3.0, 1.0, 2.0, 2.0, 7.0])
    curve = kaplan_meier(x, np.zeros(5, dtype=bool))
    np.testing.assert_allclose(curve.at([1, 2, 3, 7]), [0.8, 0.4, 0.2, 0.0])
    assert curve.median == 2.0


def test_censoring_is_not_dropping() -> None:
    # dropping the censored 10s would give median 1; counting them, half outlive 1
    curve = kaplan_meier([1, 1, 10, 10], [False, False, True, True])
    assert curve.at(1)[()] == pytest.approx(0.5)
    assert curve.median == 1.0
    assert math.isnan(curve.quantile(0.9))  # S never falls below 0.5: beyond the data


def test_all_censored_or_empty_gives_no_estimate() -> None:
    curve = kaplan_meier([1.0, 2.0], [True, True])
    assert math.isnan(curve.median) and curve.n_censored == 2
    assert curve.at(5)[()] == 1.0
    assert kaplan_meier([], []).n == 0


def test_bad_durations_are_refused() -> None:
    with pytest.raises(ValueError, match="differ in length"):
        kaplan_meier([1.0, 2.0], [True])
    with pytest.raises(ValueError, match="non-negative"):
        kaplan_meier([np.nan], [False])


def _spells() -> pd.DataFrame:
    return pd.DataFrame({
        "replication": [0, 0, 0, 0, 0, 1],
        "worker_id": [1, 1, 1, 2, 3, 1],
        "kind": ["idle", "work", "idle", "idle", "idle", "idle"],
        "start_h": [0.0, 10.0, 50.0, -5.0, 20.0, 0.0],
        "end_h": [10.0, 50.0, 60.0, 30.0, 35.0, 100.0],
        "censored": [False, False, True, False, False, True],
        "left_truncated": [False, False, False, True, False, False],
    })


def test_idle_spells_keep_censored_drop_left_truncated_and_censor_leaving() -> None:
    workers = pd.DataFrame({"replication": [0, 0, 0, 1], "worker_id": [1, 2, 3, 1],
                            "left_h": [np.nan, 30.0, 35.0, np.nan]})
    without = idle_spells(_spells())
    assert list(without["duration_h"]) == [10.0, 10.0, 15.0, 100.0]
    assert list(without["censored"]) == [False, True, False, True]
    # worker 3 left at the end of its idle spell: the drought was not seen to end
    with_leaving = idle_spells(_spells(), workers)
    assert list(with_leaving["censored"]) == [False, True, True, True]


def test_longest_idle_spell_per_worker() -> None:
    longest = longest_idle_spells(idle_spells(_spells()))
    assert list(zip(longest["replication"], longest["worker_id"], longest["duration_h"],
                    longest["running"], strict=True)) == [
        (0, 1, 10.0, True), (0, 3, 15.0, False), (1, 1, 100.0, True)]


def test_a_longest_spell_ended_by_leaving_is_not_still_running() -> None:
    """Worker 3 left at the end of its idle spell: no longer waiting, so not "running".

    Before, ``running`` was the spell's censoring, which leaving also sets: every leaver's
    longest drought read as still running at the end.
    """
    workers = pd.DataFrame({"replication": [0, 0, 0, 1], "worker_id": [1, 2, 3, 1],
                            "left_h": [np.nan, 30.0, 35.0, np.nan]})
    spells = idle_spells(_spells(), workers)
    assert list(spells["running"]) == [False, True, False, True]
    assert list(spells["left"]) == [False, False, True, False]
    longest = longest_idle_spells(spells)
    assert list(zip(longest["worker_id"], longest["running"], longest["left"],
                    strict=True)) == [(1, True, False), (3, False, True), (1, True, False)]


def test_latency_durations_and_pooled_percentiles() -> None:
    latencies = pd.DataFrame({"replication": [0, 0], "worker_id": [1, 2],
                              "latency_h": [3.0, 4.0], "censored": [False, True]})
    frame = latency_durations(latencies)
    assert list(frame["duration_h"]) == [3.0, 4.0] and list(frame["censored"]) == [False, True]
    assert pooled_percentiles([0, 10, 20, 30, 40, np.nan]) == [4.0, 20.0, 36.0]
    assert all(math.isnan(v) for v in pooled_percentiles([]))


def test_json_number_is_the_one_nan_to_null() -> None:
    """NaN and None become null, numbers of any kind a plain float: JSON has no NaN."""
    assert json_number(math.nan) is None and json_number(None) is None
    assert json_number(np.float64("nan")) is None and json_number(np.float32("nan")) is None
    for value in (np.float64(2.5), np.int64(3), 7, 0.0, -1.5):
        number = json_number(value)
        assert type(number) is float and number == float(value)
    # every module that writes JSON takes this one, none a copy of its own
    import gigsim.analysis.statistics
    import gigsim.analysis.survival
    import gigsim.files
    import gigsim.presentation.verdict
    import gigsim.studies.comparison
    import gigsim.studies.sweep.store

    modules_that_write = (
        gigsim.analysis.statistics,
        gigsim.analysis.survival,
        gigsim.presentation.verdict,
        gigsim.studies.comparison,
    )
    for module in modules_that_write:
        assert module.json_number is gigsim.files.json_number is json_number
    for module in (*modules_that_write, gigsim.studies.sweep.store):
        assert not {"_json", "_json_float", "_nan_to_none"} & set(vars(module)), module.__name__
