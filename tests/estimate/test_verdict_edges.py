"""The verdict's words at the edges: nobody onboarded, a paid or no assessment, short waits.

Before, nobody onboarded read "some income every month"; a paid assessment "earn nothing after
0.0 h unpaid"; no assessment "after n/a unpaid"; and durations under 12 h "0 days".
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from gigsim.presentation.verdict import days, estimate_dict, meaning, render, verdict_lines
from gigsim.scenario import Scenario
from gigsim.studies.estimate import Estimate, estimate, estimate_profile

ASSESSMENT = "workers.generalists.assessment"


@pytest.mark.parametrize(("hours", "said"), [
    (0.0, "0 h"), (0.3, "0.3 h"), (5.0, "5.0 h"), (11.0, "11 h"), (23.4, "23 h"),
    (23.6, "1 day"), (30.0, "1 day"), (48.0, "2 days"), (24 * 36.6, "37 days"),
    (math.nan, "n/a")])
def test_durations_read_in_days_and_in_hours_under_a_day(hours: float, said: str) -> None:
    assert days(hours) == said


def test_a_quantile_beyond_the_data_says_longer_than_the_longest_seen() -> None:
    assert days(math.nan, 400.0) == "longer than 17 days"
    assert days(math.nan, 6.0) == "longer than 6.0 h"


def _verdict(est: Estimate) -> str:
    return "\n".join(verdict_lines(est))


def test_nobody_onboarded_earns_nothing_and_no_month_is_described() -> None:
    est = estimate_profile("generalist", months=1, replications=2, seed=1, cohort=10,
                           overrides={f"{ASSESSMENT}.pass_probability": 0.0})
    assert est.onboarded == 0 and est.failed_applicants > 0
    said = meaning(est)
    assert "some income every month" not in said and "n/a" not in said
    assert said == ("As a side income, 20 h a week here earns nothing: none of the 20"
                    " applicants was onboarded within the 1 month(s).")
    text = _verdict(est)
    assert "n/a" not in text
    assert ("Once onboarded: no applicant was onboarded within the 1 month(s), so there are no"
            " months on the platform to describe.") in text
    assert "What an applicant can expect: $0 (95% CI $0–$0) a month" in text
    assert "First paid hour after applying: n/a: no applicant was onboarded." in render(est)
    json.dumps(estimate_dict(est), allow_nan=False)


def test_a_paid_assessment_is_paid_not_unpaid() -> None:
    est = estimate_profile("generalist", months=1, replications=2, seed=1,
                           overrides={f"{ASSESSMENT}.paid": True,
                                      f"{ASSESSMENT}.pay_per_hour": 15})
    workers = est.cohort_workers
    failed = workers[workers["leave_cause"] == "failed_assessment"]
    months = est.results.worker_months
    keys = set(zip(failed["replication"], failed["worker_id"], strict=True))
    rows = months[[k in keys for k in zip(months["replication"], months["worker_id"],
                                          strict=True)]]
    assert len(failed) == est.failed_applicants > 0
    assert est.failed_income_usd == pytest.approx(rows["income_usd"].sum() / len(failed))
    assert est.failed_income_usd == pytest.approx(15.0)  # 1 h at $15
    line = next(x for x in verdict_lines(est) if "Chance of failing onboarding" in x)
    assert line.endswith(f"of applicants, who are paid ${est.failed_income_usd:.2f} on average"
                         " for the assessment (1.0 h) and nothing after.")
    assert "unpaid" not in line
    data = estimate_dict(est)["verdict"]
    assert data["income_per_failed_applicant_usd"] == pytest.approx(15.0)
    assert data["assessment"] == {"hours": 1.0, "paid": True}


def _no_assessment() -> Scenario:
    """Plenty of 4-seat projects and no dispatch delay to speak of: waits of hours."""
    group: dict[str, Any] = {"name": "raters", "count": 300, "skills": ["generalist"],
                             "hours_per_week": 20}
    return Scenario.from_dict({
        "name": "quick", "description": "no assessment, short waits",
        "simulation": {"horizon": "4w", "warmup": "4w", "replications": 1, "seed": 3},
        "workers": [group],
        "projects": [{
            "name": "small", "requires": "generalist", "arrivals_per_week": 60, "seats": 4,
            "lifetime": {"dist": "lognormal", "median": "3w", "sigma": 1.0},
            "pay_per_hour": 16, "hours_per_week_per_seat": 20}],
        "dispatch": {"policy": "longest-idle", "delay": {"dist": "exponential", "mean": "2h"}},
    }, "quick.toml")


def test_no_assessment_and_waits_of_hours() -> None:
    est = estimate(_no_assessment(), "raters", months=1, replications=2, seed=1)
    assert est.assessment is None and est.onboarded == est.applicants
    text = render(est)
    assert ("Chance of failing onboarding: none: this group has no assessment; every applicant"
            " is onboarded.") in text
    assert "n/a" not in "\n".join(verdict_lines(est))
    assert "fail onboarding included" not in meaning(est)
    drought = est.drought
    assert drought.median < 12  # hours: "0 days" before
    line = next(x for x in text.splitlines() if x.startswith("Droughts"))
    assert line.startswith(f"Droughts (idle between projects): median {days(drought.median)},")
    assert days(drought.median).endswith(" h") and "0 days" not in text
    assert estimate_dict(est)["verdict"]["assessment"] is None
