"""gigsim estimate: the cohort design, its numbers, direction checks, the CLI and bad input."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import gigsim
from gigsim.errors import GigsimError
from gigsim.presentation.verdict import estimate_dict, render
from gigsim.scenario.units import HOURS_PER_MONTH
from gigsim.studies.estimate import (
    Estimate,
    cohort_scenario,
    default_sizes,
    estimate,
    estimate_profile,
    load_profile,
)

from ._support import FAST, SCENARIOS, assert_one_line_error, invoke


@pytest.fixture(scope="module")
def generalist_20h() -> Estimate:
    return estimate_profile("generalist", hours_per_week=20, months=6, replications=6, seed=3,
                            stay=True)


def test_cohort_scenario_adds_a_late_joining_group_and_scales_the_market() -> None:
    scenario, group = load_profile("generalist")
    run, name = cohort_scenario(scenario, group, 25, 6, cohort=30, market_scale=0.5)
    cohort = run.workers[-1]
    assert name == cohort.name == "cohort"
    assert cohort.count == 30 and cohort.arrivals_per_week == 0
    assert cohort.joins_at_h == scenario.simulation.warmup_h
    assert cohort.hours_per_week.mean == 25
    # by default the cohort behaves like the group: its patience and leave hazard
    assert cohort.patience == scenario.workers[0].patience is not None
    assert cohort.leave_rate_per_year == scenario.workers[0].leave_rate_per_year > 0
    stayers = cohort_scenario(scenario, group, 25, 6, cohort=30, market_scale=0.5,
                              stay=True)[0].workers[-1]
    assert stayers.patience is None and stayers.leave_rate_per_year == 0
    assert cohort.assessment == scenario.workers[0].assessment
    market = run.workers[0]
    assert market.count == 2000 and market.arrivals_per_week == 150
    assert run.projects[0].seats.mean == pytest.approx(scenario.projects[0].seats.mean * 0.5)
    assert run.simulation.horizon_h == pytest.approx(6 * HOURS_PER_MONTH)


def test_default_sizes_scale_the_group_to_about_a_thousand_applicants() -> None:
    scenario, group = load_profile("generalist")
    scale, cohort = default_sizes(scenario, group)
    assert scale == pytest.approx(1000 / (4000 + 300 * 8))
    assert cohort == 20
    specialist, group = load_profile("specialist")
    assert default_sizes(specialist, group)[0] < 1


def test_the_cohort_applies_at_the_end_of_the_warm_up(generalist_20h: Estimate) -> None:
    workers = generalist_20h.cohort_workers
    assert len(workers) == generalist_20h.applicants == 6 * generalist_20h.cohort
    assert (workers["joined_h"] == 0).all()  # times are hours since the warm-up's end
    assert (workers["hours_per_week"] == 20).all()
    assert set(workers["leave_cause"]) <= {"still_here", "failed_assessment"}  # --stay
    onboarded = workers["onboarded_h"].notna()
    assert generalist_20h.onboarded == int(onboarded.sum()) > 0


def test_the_numbers_hang_together(generalist_20h: Estimate) -> None:
    est = generalist_20h
    mean, low, high = est.pass_share
    assert low <= mean <= high and 0.2 < mean < 0.6  # the scenario's pass probability is 0.4
    monthly = est.monthly
    assert list(monthly["month"]) == list(range(1, 7))
    assert (monthly["p10_usd"] <= monthly["p50_usd"]).all()
    assert (monthly["p50_usd"] <= monthly["p90_usd"]).all()
    assert (monthly["workers"] == est.onboarded).all()  # stayers: every month, every worker
    assert (monthly["on_platform_share"] == 1).all()
    assert est.leavers["impatience"] == est.leavers["hazard"] == 0
    assert 0 <= est.any_zero_month[0] <= 1
    assert est.effective_wage_usd[0] < est.paid_wage_usd[0]
    assert math.isnan(est.advertised_pay_usd)  # the generalist scenario posts no rate
    assert est.projects_pay_usd == pytest.approx(17.0)
    assert 0 < est.first_pay_restricted_mean_h <= 6 * HOURS_PER_MONTH
    assert est.drought.n > 0 and est.longest_drought_h[0] <= est.longest_drought_h[1]
    data = estimate_dict(est)
    json.dumps(data, allow_nan=False)
    assert len(data["monthly_income_usd"]) == 6
    text = render(est)
    for phrase in ("Verdict for 20 h a week", "Income per hour set aside", "Reference job",
                   "Chance of a month with nothing", "Chance of failing onboarding",
                   "As a side income", "never quit (--stay)", "First paid hour",
                   "Longest drought", "no advertised rate", "Wage per hour worked"):
        assert phrase in text
    assert "effective" not in text.lower()


def test_more_hours_a_week_earn_a_higher_median_income() -> None:
    # the same seed: the same market and applicants, only their weekly hours differ
    few = estimate_profile("generalist", hours_per_week=8, months=6, replications=6, seed=3)
    many = estimate_profile("generalist", hours_per_week=30, months=6, replications=6, seed=3)
    assert many.income_percentiles[1] > few.income_percentiles[1]
    assert np.nansum(many.monthly["p50_usd"]) > np.nansum(few.monthly["p50_usd"])
    assert many.monthly["mean_usd"].mean() > few.monthly["mean_usd"].mean()


def test_specialists_are_less_likely_to_pass_onboarding() -> None:
    generalist = estimate_profile("generalist", months=1, replications=8, seed=4, cohort=50)
    specialist = estimate_profile("specialist", months=1, replications=8, seed=4, cohort=50)
    # 400 applicants each; pass probabilities 0.4 and 0.25 are ~6 standard errors apart
    assert specialist.pass_share[2] < generalist.pass_share[1]


def test_estimate_on_any_scenario_and_group() -> None:
    scenario = gigsim.load_scenario(SCENARIOS / "platform.toml")
    est = estimate(scenario, "specialists", hours_per_week=15, months=1, replications=2,
                   seed=1)
    assert est.group == "specialists" and est.applicants > 0
    with pytest.raises(GigsimError, match="no worker group"):
        estimate(scenario, "nobody", months=1)


def test_cli_prints_the_summary_and_the_table() -> None:
    result = invoke("estimate", "--profile", "specialist", "--hours-per-week", "12", *FAST)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("warning: 4 replication(s)")  # FAST runs 4
    assert "Verdict for 12 h a week" in out.splitlines()[1]
    assert "P10" in out and "P90" in out and "nothing (95% CI)" in out
    assert "advertised up to $45.00/h" in out and "realised $" in out
    assert "who behave like the group" in out and "left within the 2 month(s)" in out


def test_cli_json_has_the_same_numbers() -> None:
    result = invoke("estimate", "--profile", "generalist", "--json", *FAST)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["months"] == 2 and data["hours_per_week"] == 20
    assert [row["month"] for row in data["monthly_income_usd"]] == [1, 2]
    for key in ("verdict", "followed", "market", "pass_onboarding_share", "first_paid_hour",
                "monthly_income_usd", "quarterly_income_usd", "drought", "drought_curve",
                "longest_drought", "pay_usd_per_hour"):
        assert key in data
    assert data["pay_usd_per_hour"]["advertised"] is None
    assert data["pay_usd_per_hour"]["projects_mean"] == pytest.approx(17.0)
    assert data["verdict"]["reference_wage_usd"] == 15.0
    assert data["warning"].startswith("warning: 4 replication(s)")
    assert not math.isnan(data["pass_onboarding_share"]["mean"])
    assert data["followed"]["stay"] is False
    # the text says the same: its verdict lines are the JSON's, word for word
    text = invoke("estimate", "--profile", "generalist", *FAST).stdout.splitlines()
    assert text[1:1 + len(data["verdict"]["text"])] == data["verdict"]["text"]


def test_cli_with_a_scenario_file_and_group() -> None:
    result = invoke("estimate", "--scenario", SCENARIOS / "specialist.toml", "--group",
                    "specialists", "--set", "workers.specialists.assessment.pass_probability=1",
                    "--stay", "--json", *FAST)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["pass_onboarding_share"]["mean"] == 1.0
    assert data["followed"]["stay"] is True and "never quit (--stay)" in data["followed"]["text"]
    assert data["followed"]["impatience"] == data["followed"]["hazard"] == 0


@pytest.mark.parametrize(("args", "fragments"), [
    (("--profile", "plumber"), ("--profile", "plumber", "generalist, specialist")),
    (("--scenario", SCENARIOS / "platform.toml", "--group", "nobody"),
     ("--group", "nobody", "generalists, specialists")),
    (("--scenario", SCENARIOS / "platform.toml"), ("--group",)),
    (("--profile", "generalist", "--group", "generalists"), ("--group",)),
    (("--hours-per-week", "0"), ("--hours-per-week", "0")),
    (("--hours-per-week", "-5"), ("--hours-per-week", "-5")),
    (("--hours-per-week", "200"), ("--hours-per-week",)),
    (("--months", "0"), ("--months", "1 to 120")),
    (("--months", "121"), ("--months", "121")),
    (("--months", "-3"), ("--months",)),
    (("--cohort", "0"), ("--cohort",)),
    (("--market-scale", "1.5"), ("--market-scale",)),
    (("--reference-wage", "-1"), ("--reference-wage", "-1")),
    (("--reference-wage", "nan"), ("--reference-wage",)),
    (("--scenario", "missing.toml", "--group", "g"), ("missing.toml", "no such file")),
])
def test_bad_input_is_one_line_and_exit_2(args: tuple[str, ...],
                                          fragments: tuple[str, ...]) -> None:
    assert_one_line_error(invoke("estimate", *args), *fragments)
