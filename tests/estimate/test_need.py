"""The monthly need (issue 24): shares checked by hand, their edges, the hours search, the CLI."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from gigsim.presentation.need import need_dict, need_sentence
from gigsim.presentation.verdict import render
from gigsim.studies.estimate import Estimate, estimate, estimate_profile, load_profile
from gigsim.studies.need import hours_for_need, need_figures

from ._support import FAST, assert_one_line_error, invoke


@pytest.fixture(scope="module")
def generalist() -> Estimate:
    # behaves like the group: some fail onboarding, some leave, so every rule is exercised
    return estimate_profile("generalist", hours_per_week=20, months=6, replications=4, seed=3)


def _by_hand(est: Estimate, need: float) -> tuple[float, float]:
    """The applicant's and the onboarded worker's share, with pandas from the worker-months."""
    applicants = est.cohort_workers[["replication", "worker_id"]]
    grid = applicants.merge(pd.DataFrame({"month": range(est.months)}), how="cross")
    income = grid.merge(est.results.worker_months[["replication", "worker_id", "month",
                                                   "income_usd"]],
                        on=["replication", "worker_id", "month"], how="left")
    income["income_usd"] = income["income_usd"].fillna(0.0)
    applicant = (income["income_usd"] >= need).groupby(income["replication"]).mean().mean()
    on = est.cohort_months
    onboarded = (on["income_usd"] >= need).groupby(on["replication"]).mean().mean()
    return float(applicant), float(onboarded)


def test_shares_equal_the_ones_counted_by_hand(generalist: Estimate) -> None:
    median = generalist.income_percentiles[1]
    for need in (1.0, median, 2 * median, 1000.0):
        found = need_figures(generalist, need)
        applicant, onboarded = _by_hand(generalist, need)
        assert found.applicant_share[0] == pytest.approx(applicant, abs=1e-12)
        assert found.onboarded_share[0] == pytest.approx(onboarded, abs=1e-12)
        assert found.applicant_months == len(generalist.cohort_workers) * generalist.months
        assert found.onboarded_months == len(generalist.cohort_months)
        assert 0 < found.applicant_share[0] < 1  # a need that splits the months


def test_a_need_of_zero_is_reached_in_every_month_and_above_any_month_in_none(
        generalist: Estimate) -> None:
    zero = need_figures(generalist, 0)
    assert zero.applicant_share == (1.0, 1.0, 1.0)
    assert zero.onboarded_share == (1.0, 1.0, 1.0)
    assert zero.longest_below == (0.0, 0.0)
    assert zero.never_counts["reached"] == zero.onboarded == generalist.onboarded
    top = float(generalist.results.worker_months["income_usd"].max()) + 1
    none = need_figures(generalist, top)
    assert none.applicant_share == (0.0, 0.0, 0.0)
    assert none.onboarded_share == (0.0, 0.0, 0.0)
    assert none.never_counts["reached"] == 0
    assert none.never_share == 1.0
    assert np.isnan(none.first_reach.median)
    assert "later than month 6" in render(dataclasses.replace(generalist, need=none))


def test_the_share_never_rises_with_the_need(generalist: Estimate) -> None:
    needs = np.linspace(0, generalist.income_percentiles[2] * 1.5, 25)
    shares = np.array([[need_figures(generalist, n).applicant_share[0],
                        need_figures(generalist, n).onboarded_share[0]] for n in needs])
    assert (np.diff(shares, axis=0) <= 1e-12).all()
    assert shares[0, 0] > shares[-1, 0]
    curve = need_figures(generalist, 500).exceedance
    for column in ("applicant_share", "onboarded_share"):
        assert (np.diff(curve[column].to_numpy()) <= 1e-12).all()
        assert ((curve[column.replace("share", "low")] <= curve[column] + 1e-12)
                & (curve[column] <= curve[column.replace("share", "high")] + 1e-12)).all()
    marked = curve["usd"].to_list()
    assert 500 in marked and generalist.reference_monthly_usd in marked


def test_longest_run_below_and_first_month_reaching_by_hand(generalist: Estimate) -> None:
    need = generalist.income_percentiles[1]
    found = need_figures(generalist, need)
    longest, first = [], []
    onboarded = generalist.cohort_workers.dropna(subset=["onboarded_h"])
    on = generalist.cohort_months
    for _, worker in onboarded.iterrows():
        rows = on[(on["replication"] == worker["replication"])
                  & (on["worker_id"] == worker["worker_id"])].sort_values("month")
        run = best = 0
        for income in rows["income_usd"]:
            run = run + 1 if income < need else 0
            best = max(best, run)
        longest.append(best)
        hit = rows[rows["income_usd"] >= need]["month"]
        first.append(int(hit.iloc[0]) + 1 if len(hit) else None)
    assert found.longest_below == pytest.approx(tuple(np.percentile(longest, [50, 90])))
    never = sum(f is None for f in first)
    assert found.never_counts["left_without"] + found.never_counts["waiting"] == never
    reached = sorted(f for f in first if f is not None)
    if reached and len(reached) > len(first) / 2:
        assert found.first_reach.median == reached[(len(first) + 1) // 2 - 1]


def test_hours_search_reuses_the_seeds_and_says_when_no_hours_reach(
        generalist: Estimate) -> None:
    scenario, group = load_profile("generalist")
    need = generalist.income_percentiles[1]
    search = hours_for_need(scenario, group, need, generalist, grid=(10,), max_hours=20)
    assert [p.hours_per_week for p in search.points] == [10.0, 20.0]
    assert search.points[1].applicant_share == need_figures(generalist, need).applicant_share
    again = estimate(scenario, group, 10, generalist.months, replications=4,
                     seed=generalist.seed, cohort=generalist.cohort,
                     market_scale=generalist.market_scale, monthly_need_usd=need)
    assert again.need is not None
    assert search.points[0].applicant_share == again.need.applicant_share  # same seeds
    impossible = hours_for_need(scenario, group, 1e9, generalist, grid=(10,), max_hours=20)
    assert impossible.first_half("applicant") is None
    shown = dataclasses.replace(generalist, need=dataclasses.replace(
        need_figures(generalist, 1e9), hours=impossible))
    assert "no weekly hours up to 20 reach it in half" in need_sentence(shown)
    assert need_dict(shown)["hours_search"]["half_of_applicant_months_at"] is None


def test_cli_prints_the_need_and_its_json_says_what_each_share_divides_by() -> None:
    result = invoke("estimate", *FAST, "--seed", "1", "--monthly-need", "500", "--json")
    assert result.exit_code == 0, result.output
    need = json.loads(result.stdout)["monthly_need"]
    assert need["usd"] == 500
    for key in ("applicant_share", "onboarded_share"):
        assert need[key]["of"] and need[key]["months"] > 0
        assert 0 <= need[key]["ci_low"] <= need[key]["mean"] <= need[key]["ci_high"] <= 1
    assert need["hours_search"] is None
    text = invoke("estimate", *FAST, "--seed", "1", "--monthly-need", "500")
    assert "As a main income: $500 a month (--monthly-need)" in text.stdout
    assert "Months below $500" in text.stdout


@pytest.mark.parametrize("args, fragment", [
    (("--monthly-need", "-5"), "--monthly-need: must be a number of dollars, 0 or more"),
    (("--monthly-need", "nan"), "--monthly-need"),
    (("--need-hours",), "--need-hours: goes with --monthly-need"),
])
def test_bad_need_is_one_line(args: tuple[str, ...], fragment: str) -> None:
    assert_one_line_error(invoke("estimate", *FAST, *args), fragment)
