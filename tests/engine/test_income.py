"""Workers' recent income (``IncomeLog``), as ``least-earned`` reads it: the window, spells
straddling its start, income at an instant, the last 32 spells (docs/model.md §7)."""

from __future__ import annotations

import numpy as np
import pytest

from gigsim.engine.income import INCOME_LOG_LENGTH, IncomeLog
from gigsim.scenario.units import HOURS_PER_WEEK

NOW = 1000.0
WINDOW = 4 * HOURS_PER_WEEK  # least-earned's default: 672 h, so the window is [328, 1000]


def log_of(*spells: tuple[float, float, float], workers: int = 1) -> IncomeLog:
    """A log whose worker 0 earned ``spells`` (begin, finish, usd), in order."""
    log = IncomeLog(workers)
    for begin, finish, usd in spells:
        log.add(np.array([0]), np.array([begin]), np.array([finish]), np.array([usd]))
    return log


def recent(log: IncomeLog, window_h: float, worker: int = 0) -> float:
    return float(log.recent(np.array([worker]), NOW - window_h, NOW)[0])


def test_recent_income_counts_only_the_window_and_prorates_a_straddling_spell() -> None:
    log = log_of((0.0, 300.0, 1000.0),  # wholly before the window
                 (200.0, 400.0, 300.0),  # straddles its start: 72 of 200 h inside
                 (400.0, 500.0, 200.0))  # wholly inside
    assert recent(log, WINDOW) == pytest.approx(300.0 * 72 / 200 + 200.0)
    assert recent(log, HOURS_PER_WEEK) == 0.0  # window [832, 1000]
    assert recent(log, 2000.0) == pytest.approx(1500.0)


def test_recent_income_counts_income_earned_at_an_instant_inside_the_window() -> None:
    # a paid assessment with no wait adds its income in a spell of zero length
    log = log_of((900.0, 900.0, 15.0))
    assert recent(log, WINDOW) == pytest.approx(15.0)
    assert recent(log, 50.0) == 0.0  # window [950, 1000]: before it


def test_only_income_is_kept_and_only_the_last_spells_per_worker() -> None:
    spells = [(float(i), float(i) + 1.0, 1.0) for i in range(INCOME_LOG_LENGTH + 8)]
    log = log_of(*spells, (950.0, 960.0, 0.0), workers=2)  # a spell of no income is not kept
    assert recent(log, 2000.0) == pytest.approx(INCOME_LOG_LENGTH)  # the oldest 8 forgotten
    assert recent(log, 2000.0, worker=1) == 0.0
