"""Worker state: rates derived from weekly hours, and the initial phase of a new worker."""

from __future__ import annotations

import math

import pytest

from gigsim.worker import Phase, Worker


def test_a_new_worker() -> None:
    worker = Worker(3, 1, ("generalist",), 21.0, 0.7, 2.4, math.inf, 5.0)
    assert worker.hours_per_week == pytest.approx(21.0)
    assert worker.available_h_per_h == pytest.approx(21.0 / 168.0)
    assert worker.checking_h_per_h == pytest.approx(0.1)
    assert worker.phase is Phase.ASSESSING
    assert (worker.joined_at, worker.spell_start) == (5.0, 5.0)
    assert math.isnan(worker.released_at) and math.isnan(worker.left_at)
    assert worker.project is None and worker.reserved is None
    assert not worker.matchable and not worker.delay_pending
    assert worker.earned_usd == 0.0
