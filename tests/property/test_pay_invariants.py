"""A pay schedule loses and invents no money: random small scenarios and schedules (hypothesis).

Per worker, what the spells earned over the run = paid + held at the end + forfeited; every
payment reaches the minimum; what is forfeited is below it; ``worker_months.received_usd``
adds up to the payments in the window; and with no minimum, the money paid by the end of the
run is exactly what was earned up to the last period end that the lag lets through.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gigsim import Scenario
from gigsim.analysis.metrics import worker_months_table
from gigsim.analysis.payments import payments_table, settle, with_received
from gigsim.engine.records import Records
from gigsim.scenario.pay import PaySchedule

from .test_simulation_invariants import replicate, scenarios

SETTINGS = settings(max_examples=8, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
EVERY = ("1d", "3d", "1w", "2w", "1mo")
LAG = (0, "12h", "3d", "1w")


def tolerance(usd: np.ndarray | float) -> float:
    return 1e-9 * max(1.0, float(np.max(np.abs(usd))) if np.size(usd) else 1.0) * 100


def earned_before(records: Records, time_h: float) -> float:
    """Income of the spells up to ``time_h``, prorated: income accrues evenly in a spell."""
    s = records.spells
    start, stop, usd = s["start"], s["end"], s["income_usd"]
    length = stop - start
    inside = np.clip(np.minimum(stop, time_h) - start, 0.0, None)
    share = np.where(length > 0, inside / np.where(length > 0, length, 1.0),
                     (start < time_h).astype(float))
    return float((usd * share).sum())


def with_pay(scenario: Scenario, every: str, lag: object, minimum: float) -> PaySchedule:
    paid = scenario.with_overrides({"pay.every": every, "pay.lag": lag,
                                    "pay.minimum_usd": minimum})
    assert paid.pay is not None
    return paid.pay


@SETTINGS
@given(scenario=scenarios(), every=st.sampled_from(EVERY), lag=st.sampled_from(LAG),
       minimum=st.sampled_from([0.0, 5.0, 60.0, 400.0]))
def test_every_dollar_earned_is_paid_held_or_forfeited(scenario: Scenario, every: str,
                                                       lag: object, minimum: float) -> None:
    pay = with_pay(scenario, every, lag, minimum)
    records = replicate(scenario)
    settled = settle(records, pay)
    n = len(records.workers["worker"])
    earned = np.bincount(records.spells["worker"].astype(np.int64),
                         weights=records.spells["income_usd"], minlength=n)
    tol = tolerance(earned)
    assert np.allclose(settled.earned_usd, earned, rtol=0, atol=tol)
    assert np.allclose(settled.paid_usd + settled.held_usd + settled.forfeited_usd, earned,
                       rtol=0, atol=tol)
    assert (settled.usd > 0).all() and (settled.usd >= minimum - tol).all()
    assert (settled.forfeited_usd >= 0).all() and (settled.held_usd >= -tol).all()
    assert (settled.forfeited_usd < max(minimum, tol)).all()
    left = records.workers["left"]
    assert (settled.forfeited_usd[np.isnan(left)] == 0).all()  # only leavers forfeit
    # received by month adds up to the payments in the window, worker by worker
    months = with_received(worker_months_table(records), records, pay)
    payments = payments_table(records, pay)
    by_months = months.groupby("worker_id")["received_usd"].sum()
    by_payments = payments.groupby("worker_id")["usd"].sum().reindex(by_months.index,
                                                                     fill_value=0.0)
    assert np.allclose(by_months.to_numpy(), by_payments.to_numpy(), rtol=0, atol=tol)
    assert set(payments["worker_id"]) <= set(by_months.index)
    assert ((payments["paid_h"] >= 0) & (payments["paid_h"] < records.horizon_h)).all()


@SETTINGS
@given(scenario=scenarios(), every=st.sampled_from(EVERY), lag=st.sampled_from(LAG))
def test_with_no_minimum_what_arrives_is_what_was_earned_a_period_and_lag_before(
        scenario: Scenario, every: str, lag: object) -> None:
    pay = with_pay(scenario, every, lag, 0.0)
    records = replicate(scenario)
    settled = settle(records, pay)
    arrived = settled.paid_at < records.end_h
    # the last period end whose payment arrives before the run ends
    last_end = np.floor((records.end_h - pay.lag_h) / pay.every_h) * pay.every_h
    if last_end + pay.lag_h >= records.end_h:
        last_end -= pay.every_h
    expected = earned_before(records, max(last_end, 0.0))
    assert abs(float(settled.usd[arrived].sum()) - expected) <= tolerance(expected)
    assert settled.forfeited_usd.sum() == 0
