"""When the money arrives: a pay schedule worked out by hand on hand-built records.

Weekly periods (168 h) from time 0, a lag of 3 days (72 h), a minimum of $250; a warm-up of
250 h and a horizon of 950 h, so the run ends at 1200 h and the window's months start at 250 h
and 980.5 h. Every spell earns at a constant rate, so each period's earnings are worked out by
hand below.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from _records import Recorder

from gigsim.analysis.metrics import worker_months_table, workers_table
from gigsim.analysis.payments import (
    closed_periods,
    pay_metrics,
    payments_table,
    period_earnings,
    settle,
    with_accounts,
    with_received,
)
from gigsim.analysis.results import TABLES, tables_for
from gigsim.analysis.statistics import METRICS, Summary, metric_names
from gigsim.engine.records import LeaveCause, Records, SpellKind
from gigsim.scenario.pay import PaySchedule

WORK = int(SpellKind.WORK)
NAN = math.nan
PAY = PaySchedule(every_h=168.0, lag_h=72.0, minimum_usd=250.0)


def work(worker: int, start: float, end: float, usd_per_h: float,
         censored: bool = False) -> tuple[float, ...]:
    """A work spell earning ``usd_per_h`` per clock hour, 10 h available over it."""
    return (worker, WORK, start, end, 0, censored, 10.0, 5.0, 5.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, usd_per_h * (end - start))


def worker(index: int, left: float = NAN) -> tuple[float, ...]:
    cause = LeaveCause.STILL_HERE if math.isnan(left) else LeaveCause.HAZARD
    return (index, 0, 0.0, 0.0, left, int(cause), 20.0, 0.5)


def hand_records() -> Records:
    recorder = Recorder()
    recorder.spells.extend([
        work(0, 0.0, 1000.0, 1.0),             # $168 a week, paid every second week
        work(1, 0.0, 200.0, 2.0),              # leaves at 200 h with $64 below the minimum
        work(2, 300.0, 400.0, 3.0),            # leaves at 400 h; $300 paid on the schedule
        work(3, 1100.0, 1200.0, 1.0, True),    # $100 still held at the end of the run
        work(4, 1000.0, 1176.0, 5.0),          # $880 due at 1248 h, after the end
        work(5, 900.0, 970.0, 4.0),            # leaves at 970 h; $280 paid a month later
    ])
    return recorder.freeze(replication=0, warmup_h=250.0, horizon_h=950.0,
                           group_names=("raters",), generator_names=("rating",),
                           workers=[worker(0), worker(1, 200.0), worker(2, 400.0), worker(3),
                                    worker(4), worker(5, 970.0)],
                           projects=[(0, 0, 0.0, 2000.0, 10, False, NAN, 1.0, 20.0, 0.0, False,
                                      math.inf, 6, 0.0, 0.0)])


def test_periods_are_counted_from_time_0_and_split_each_spell_evenly() -> None:
    worker_, period, usd = period_earnings(hand_records(), 168.0)
    of_0 = dict(zip(period[worker_ == 0].tolist(), usd[worker_ == 0].tolist(), strict=True))
    assert of_0 == pytest.approx({0: 168, 1: 168, 2: 168, 3: 168, 4: 168, 5: 160})
    of_1 = dict(zip(period[worker_ == 1].tolist(), usd[worker_ == 1].tolist(), strict=True))
    assert of_1 == pytest.approx({0: 336, 1: 64})
    assert closed_periods(1200.0, 168.0) == 7 and closed_periods(1176.0, 168.0) == 7


def test_payments_by_hand() -> None:
    settled = settle(hand_records(), PAY)
    paid = sorted(zip(settled.worker.tolist(), settled.paid_at.tolist(), settled.usd.tolist(),
                      strict=True))
    # (worker, paid at, usd): each period's balance at its end + 72 h, once it reaches $250
    expected = [(0, 408.0, 336.0), (0, 744.0, 336.0), (0, 1080.0, 328.0),  # 168+160 carried
                (1, 240.0, 336.0),
                (2, 576.0, 300.0),   # $108 carried from period 1, + $192 in period 2
                (4, 1248.0, 880.0),  # $40 carried from period 5; paid after the run's end
                (5, 1080.0, 280.0)]  # paid on the schedule after leaving
    assert [(w, t) for w, t, _ in paid] == [(w, t) for w, t, _ in expected]
    assert [u for *_, u in paid] == pytest.approx([u for *_, u in expected])
    assert settled.forfeited_usd == pytest.approx([0, 64, 0, 0, 0, 0])
    assert settled.held_usd == pytest.approx([0, 0, 0, 100, 0, 0])  # $76 carried + $24 open
    assert np.isnan(settled.settled_at[[0, 3, 4]]).all()
    assert settled.settled_at[[1, 2, 5]].tolist() == [336.0, 504.0, 1008.0]
    assert settled.earned_usd == pytest.approx(settled.paid_usd + settled.held_usd
                                               + settled.forfeited_usd)


def test_the_payments_table_keeps_the_window() -> None:
    table = payments_table(hand_records(), PAY)
    # worker 1's payment at 240 h falls in the warm-up, worker 4's at 1248 h after the end
    assert table["worker_id"].tolist() == [0, 0, 0, 2, 5]
    assert table["paid_h"].tolist() == [158.0, 494.0, 830.0, 326.0, 830.0]
    assert table["usd"].tolist() == pytest.approx([336, 336, 328, 300, 280])
    assert list(table.columns) == ["replication", "worker_id", "platform", "paid_h", "usd"]
    assert set(table["platform"]) == {"default"}


def test_received_by_month_adds_up_to_the_payments_in_the_window() -> None:
    records = hand_records()
    months = with_received(worker_months_table(records), records, PAY)
    received = months.set_index(["worker_id", "month"])["received_usd"]
    assert received.to_dict() == pytest.approx({(0, 0): 672, (0, 1): 328, (2, 0): 300,
                                                (3, 1): 0, (4, 1): 0, (5, 0): 0, (5, 1): 280})
    # worker 5's money arrives after they left: a row of its own, with no hours
    after = months[(months["worker_id"] == 5) & (months["month"] == 1)].iloc[0]
    assert after["available_h"] == 0 and after["income_usd"] == 0
    assert months["received_usd"].sum() == pytest.approx(payments_table(records, PAY)["usd"]
                                                         .sum())
    assert list(months.columns).index("received_usd") == \
        list(months.columns).index("income_usd") + 1


def test_pay_metrics_by_hand() -> None:
    records = hand_records()
    metrics = pay_metrics(records, PAY, worker_months_table(records))
    # months with time on the platform: W0 m0, W0 m1, W2 m0 have money; W3 m1, W4 m1, W5 m0 not
    assert metrics["no_money_arriving_share"] == pytest.approx(3 / 6)
    # money received ÷ those 6 worker-months: W0 672 + 328, W2 300 (W5's 280 arrives in a
    # month after they left, with no hours, so it is not one of them)
    assert metrics["received_mean_usd"] == pytest.approx((672 + 328 + 300) / 6)
    # accounts closed in the window: W1 (at 336 h, $64 of $400 lost), W2 and W5 (nothing lost)
    assert metrics["forfeited_share"] == pytest.approx(64 / (400 + 300 + 280))


def test_workers_show_what_was_forfeited_and_what_is_unpaid() -> None:
    records = hand_records()
    table = with_accounts(workers_table(records), records, PAY).set_index("worker_id")
    assert table["forfeited_usd"].to_dict() == pytest.approx({0: 0, 2: 0, 3: 0, 4: 0, 5: 0})
    assert table["unpaid_at_end_usd"].to_dict() == pytest.approx(
        {0: 0, 2: 0, 3: 100, 4: 880, 5: 0})  # worker 4's $880 arrives after the end


def test_no_minimum_pays_every_period_with_earnings() -> None:
    settled = settle(hand_records(), PaySchedule(every_h=168.0))
    assert settled.forfeited_usd.sum() == 0
    of_0 = settled.usd[settled.worker == 0]
    assert of_0.tolist() == pytest.approx([168, 168, 168, 168, 168, 160])
    assert settled.paid_at[settled.worker == 0].tolist() == [168.0 * k for k in range(1, 7)]


def test_without_a_schedule_nothing_changes() -> None:
    """No [pay]: the same tables and metrics as before (money received as it is earned)."""
    assert tables_for(None) is TABLES
    assert metric_names(None) == list(METRICS)
    summary = Summary.from_records([hand_records()])
    assert list(summary.per_replication.columns) == list(METRICS)
    assert "received_usd" not in worker_months_table(hand_records())
    with_pay = Summary.from_records([hand_records()], PAY)
    assert list(with_pay.table.index) == [*METRICS, "received_mean_usd",
                                          "no_money_arriving_share", "forfeited_share"]
    # the schedule adds, and changes nothing already there
    assert with_pay.per_replication[list(METRICS)].equals(summary.per_replication)
