"""``gigsim estimate`` with a pay schedule: days to the first money, months with none arriving."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from gigsim import load_scenario
from gigsim.presentation.verdict import estimate_dict, verdict_lines
from gigsim.studies.estimate import Estimate, estimate

from ._support import FAST, SCENARIOS, invoke

GENERALIST = SCENARIOS / "generalist.toml"
# the generalist scenario at a tenth of its size, over 12 weeks
SMALL = {"workers.generalists.count": 400, "workers.generalists.arrivals_per_week": 30,
         "projects.rating.seats.median": 100, "simulation.horizon": "12w"}


def _estimate(pay: dict[str, object] | None) -> Estimate:
    overrides = {**SMALL, **({f"pay.{k}": v for k, v in pay.items()} if pay else {})}
    scenario = load_scenario(GENERALIST, overrides=overrides)
    return estimate(scenario, "generalists", 20, months=3, replications=4, seed=3)


@pytest.fixture(scope="module")
def paid() -> Estimate:
    """Paid every two weeks, a week after the period, with a $50 minimum."""
    return _estimate({"every": "2w", "lag": "1w", "minimum_usd": 50})


def test_the_first_money_and_the_months_without_are_the_cohorts_own(paid: Estimate) -> None:
    # Before: an estimate said nothing of when the money arrives.
    money = paid.money
    assert money is not None
    follow_h = paid.months * 730.5
    workers = paid.cohort_workers
    onboarded = workers[workers["onboarded_h"].notna()]
    payments = paid.results.table("payments")
    first = payments.groupby(["replication", "worker_id"])["paid_h"].min()
    # the wait of each onboarded worker paid within the months followed, from applying
    got = [first[r, w] - joined for r, w, joined in
           onboarded[["replication", "worker_id", "joined_h"]].itertuples(index=False)
           if (r, w) in first.index and first[r, w] < follow_h]
    assert money.onboarded == len(onboarded) and money.received == len(got) > 0
    # the first money comes after applying, and the median wait is one of the waits seen
    assert min(got) > 0
    assert any(abs(money.first_money.median - wait) < 1e-6 for wait in got)
    months = paid.cohort_months
    shares = months.groupby("replication")["received_usd"].apply(lambda m: (m <= 0).mean())
    assert money.no_money_share[0] == pytest.approx(shares.mean())
    assert 0 <= money.no_money_share[1] <= money.no_money_share[0] <= money.no_money_share[2] <= 1
    # money arrives later than it is earned: more months with nothing arriving than earned
    assert money.no_money_share[0] >= paid.zero_month_share[0]


def test_the_verdict_and_its_json_say_it_with_what_they_divide_by(paid: Estimate) -> None:
    lines = verdict_lines(paid)
    money = next(i for i, line in enumerate(lines) if "When the money arrives" in line)
    assert "Chance of a month with nothing" in lines[money - 1]  # beside the verdict's own
    assert "(paid every 2w, 1w after the period, at least $50.00)" in lines[money]
    assert f"Kaplan–Meier over the {paid.money.onboarded} onboarded" in lines[money]  # type: ignore[union-attr]
    assert "Months with no money arriving once onboarded" in lines[money + 1]
    assert "a mean over replications" in lines[money + 1]
    data = estimate_dict(paid)["money_arriving"]
    assert data["first_money_median_days"] == pytest.approx(
        paid.money.first_money.median / 24)  # type: ignore[union-attr]
    assert data["no_money_arriving_month_share"]["of"].startswith("months on the platform")


def test_a_longer_period_brings_the_first_money_later() -> None:
    weekly = _estimate({"every": "1w"}).money
    monthly = _estimate({"every": "4w", "lag": "1w"}).money
    assert weekly is not None and monthly is not None
    assert monthly.first_money.median > weekly.first_money.median
    assert monthly.no_money_share[0] > weekly.no_money_share[0]


def test_without_pay_there_is_nothing_to_add() -> None:
    plain = _estimate(None)
    assert plain.money is None
    assert not any("money arrives" in line for line in verdict_lines(plain))
    assert estimate_dict(plain)["money_arriving"] is None


def test_the_cli_prints_it(tmp_path: Path) -> None:
    result = invoke("estimate", "--profile", "generalist", *FAST, "--set", "pay.every=1w",
                    "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)["money_arriving"]
    assert data["schedule"] == "paid every 1w"
    assert np.isfinite(data["first_money_median_days"])
