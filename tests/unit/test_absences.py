"""Absences (``return``): what reads a worker's stay takes them out (hand-built records)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd

from gigsim.analysis.absences import absences_table, away_at
from gigsim.analysis.metrics import exit_within_year
from gigsim.analysis.series import weekly_series
from gigsim.analysis.statistics import replication_metrics
from gigsim.analysis.survival import idle_spells
from gigsim.engine.blocks import named_columns
from gigsim.engine.records import ABSENCE_COLUMNS, LeaveCause, Records
from gigsim.scenario.units import HOURS_PER_MONTH as MONTH
from gigsim.scenario.units import HOURS_PER_WEEK as WEEK
from gigsim.scenario.units import HOURS_PER_YEAR as YEAR

from .test_metrics import IDLE, WORK, build, spell, worker_row

IMPATIENCE = float(LeaveCause.IMPATIENCE)


def with_absences(records: Records, *rows: tuple[float, float, float, float]) -> Records:
    table = np.array(rows, dtype=float).reshape(-1, len(ABSENCE_COLUMNS))
    return dataclasses.replace(records, absences=named_columns(table, ABSENCE_COLUMNS))


def test_the_absences_table_keeps_those_overlapping_the_window() -> None:
    records = with_absences(build(workers=[worker_row(0), worker_row(1), worker_row(2)],
                                  warmup_h=100.0, horizon_h=1000.0),
                            (0, 10.0, IMPATIENCE, 50.0),  # over before the window: dropped
                            (1, 80.0, IMPATIENCE, 300.0),  # back in the window
                            (2, 900.0, float(LeaveCause.LOW_EARNINGS), 1050.0))
    table = absences_table(records)
    assert table["worker_id"].tolist() == [1, 2]
    np.testing.assert_allclose(table["left_h"], [-20.0, 800.0])
    np.testing.assert_allclose(table["back_h"], [200.0, 950.0])
    np.testing.assert_allclose(table["away_h"], [220.0, 150.0])
    assert table["cause"].astype(str).tolist() == ["impatience", "low_earnings"]
    assert absences_table(build(workers=[worker_row(0)])).empty  # without return: none


def test_away_at_reads_the_absence_in_force() -> None:
    records = with_absences(build(workers=[worker_row(0), worker_row(1)]),
                            (0, 100.0, IMPATIENCE, 200.0), (1, 300.0, IMPATIENCE, 400.0))
    away, cause = away_at(records, np.array([0, 1, 0]), np.array([100.0, 250.0, 200.0]))
    assert away.tolist() == [True, False, False]  # left at 100; 1 still there; back at 200
    assert cause[0] == IMPATIENCE and math.isnan(cause[1])


def test_a_worker_away_a_year_after_onboarding_is_gone_within_the_year() -> None:
    # Three workers onboarded at 0, the run two years long: 0 away at one year (back later),
    # 1 away and back before one year, 2 never left. Without the absences, nobody is gone.
    base = build(workers=[worker_row(0), worker_row(1), worker_row(2)], horizon_h=2 * YEAR)
    assert exit_within_year(base) == (0, 3)
    records = with_absences(base, (0, 0.5 * YEAR, IMPATIENCE, 1.5 * YEAR),
                            (1, 0.2 * YEAR, IMPATIENCE, 0.4 * YEAR))
    assert exit_within_year(records) == (1, 3)


def test_the_weekly_count_of_workers_leaves_out_the_time_away() -> None:
    # one worker on the platform for four weeks, away for the second and third
    base = build([spell(0, IDLE, 0.0, 4 * WEEK, available=1.0, idle=1.0)],
                 workers=[worker_row(0)], horizon_h=4 * WEEK)
    np.testing.assert_allclose(weekly_series(base)["workers"], [1, 1, 1, 1])
    records = with_absences(base, (0, WEEK, IMPATIENCE, 3 * WEEK))
    np.testing.assert_allclose(weekly_series(records)["workers"], [1, 0, 0, 1])


def test_an_idle_spell_ending_in_an_absence_is_a_censored_drought() -> None:
    spells = pd.DataFrame({"replication": [0, 0], "worker_id": [0, 0], "kind": ["idle", "idle"],
                           "left_truncated": [False, False], "censored": [False, False],
                           "start_h": [0.0, 300.0], "end_h": [100.0, 350.0]})
    workers = pd.DataFrame({"replication": [0], "worker_id": [0], "left_h": [np.nan]})
    absences = pd.DataFrame({"replication": [0], "worker_id": [0], "left_h": [100.0],
                             "back_h": [200.0]})
    assert idle_spells(spells, workers)["censored"].tolist() == [False, False]
    out = idle_spells(spells, workers, absences)
    assert out["censored"].tolist() == [True, False]
    assert out["left"].tolist() == [True, False]


def test_income_volatility_compares_calendar_consecutive_months_only() -> None:
    # months 0 and 2 on the platform ($100 and $500), month 1 away: no change to compare
    rows = [spell(0, WORK, 0.0, MONTH, project=0, available=10.0, worked=10.0, income=100.0),
            spell(0, WORK, 2 * MONTH, 3 * MONTH, project=0, available=10.0, worked=10.0,
                  income=500.0),
            spell(1, WORK, 0.0, MONTH, project=0, available=10.0, worked=10.0, income=100.0),
            spell(1, WORK, MONTH, 2 * MONTH, project=0, available=10.0, worked=10.0,
                  income=300.0)]
    records = with_absences(build(rows, workers=[worker_row(0), worker_row(1)],
                                  horizon_h=3 * MONTH), (0, MONTH, IMPATIENCE, 2 * MONTH))
    assert replication_metrics(records)["income_volatility_usd"] == 200.0  # worker 1's alone
