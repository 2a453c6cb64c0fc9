"""The verdict: each number recomputed by hand from the tables, and the words around them."""

from __future__ import annotations

import dataclasses
import json
import math
import re

import numpy as np
import pytest

from gigsim.presentation.verdict import (
    estimate_dict,
    market_sentence,
    meaning,
    render,
    verdict_lines,
    who_is_followed,
)
from gigsim.scenario.units import HOURS_PER_MONTH, HOURS_PER_WEEK
from gigsim.studies.estimate import Estimate, estimate_profile

NUMBER = re.compile(r"\d[\d,.]*")  # every number a line quotes, in order

MONTHS = 6
HOURS = 10


@pytest.fixture(scope="module")
def specialist_10h() -> Estimate:
    return estimate_profile("specialist", hours_per_week=HOURS, months=MONTHS, replications=6,
                            seed=2)


def _cohort(est: Estimate) -> tuple[object, object]:
    workers = est.cohort_workers
    onboarded = workers[workers["onboarded_h"].notna()]
    months = est.results.worker_months
    keys = set(zip(onboarded["replication"], onboarded["worker_id"], strict=True))
    mine = months[[k in keys for k in zip(months["replication"], months["worker_id"],
                                          strict=True)]]
    return onboarded, mine


def test_income_per_hour_set_aside_divides_by_the_hours_made_available(
        specialist_10h: Estimate) -> None:
    est = specialist_10h
    onboarded, rows = _cohort(est)
    follow_h = MONTHS * HOURS_PER_MONTH
    values = []
    for r in range(est.replications):
        workers = onboarded[onboarded["replication"] == r]
        on_platform_h = (workers["left_h"].fillna(follow_h).clip(upper=follow_h)
                         - workers["joined_h"]).sum()
        set_aside_h = HOURS * on_platform_h / HOURS_PER_WEEK
        values.append(rows.loc[rows["replication"] == r, "income_usd"].sum() / set_aside_h)
    assert est.income_per_hour_set_aside[0] == pytest.approx(np.mean(values))
    assert est.income_per_month_followed[0] == pytest.approx(
        np.mean(values) * HOURS * HOURS_PER_MONTH / HOURS_PER_WEEK)
    assert est.hours_set_aside_per_month == pytest.approx(HOURS * 730.5 / 168)
    assert est.reference_monthly_usd == pytest.approx(15 * HOURS * 730.5 / 168)  # $652.23


def test_the_verdict_leads_with_what_an_applicant_can_expect(specialist_10h: Estimate) -> None:
    """Every applicant's income ÷ (applicants × the months followed), failing included.

    Before, the verdict led with the onboarded worker's figure ("33% of a $15/h job … only if
    you pass onboarding, which 59% fail"), which a reader about to apply takes as their own.
    """
    est = specialist_10h
    applicants = est.cohort_workers
    months = est.results.worker_months
    keys = set(zip(applicants["replication"], applicants["worker_id"], strict=True))
    rows = months[[k in keys for k in zip(months["replication"], months["worker_id"],
                                          strict=True)]]
    set_aside_h = HOURS * MONTHS * HOURS_PER_MONTH / HOURS_PER_WEEK  # per applicant
    per_hour = [rows.loc[rows["replication"] == r, "income_usd"].sum()
                / ((applicants["replication"] == r).sum() * set_aside_h)
                for r in range(est.replications)]
    assert est.income_per_applicant_hour[0] == pytest.approx(np.mean(per_hour))
    month = np.mean(per_hour) * HOURS * HOURS_PER_MONTH / HOURS_PER_WEEK
    assert est.income_per_applicant_month[0] == pytest.approx(month)
    # the unpaid assessment fails 77%: an applicant expects well under the onboarded's figure
    assert est.income_per_applicant_hour[0] < 0.5 * est.income_per_hour_set_aside[0]
    lines = verdict_lines(est)
    low, high = est.income_per_applicant_month[1:]
    assert lines[1] == (
        f"  What an applicant can expect: ${month:,.0f} (95% CI ${low:,.0f}–${high:,.0f}) a"
        f" month, ${np.mean(per_hour):.2f} (95% CI ${est.income_per_applicant_hour[1]:.2f}–"
        f"${est.income_per_applicant_hour[2]:.2f}) per hour set aside: the income of all"
        f" {est.applicants} applicants over the {MONTHS} month(s), onboarded or not, ÷ (their"
        f" number × {MONTHS} month(s)), and ÷ {est.hours_set_aside_per_month:.1f} h a month for"
        " the hourly figure; failing onboarding or leaving earns $0 from then on.")
    labels = [line.strip().split(":")[0] for line in lines[1:-1]]
    assert labels == ["What an applicant can expect", "Reference job",
                      "Chance of failing onboarding", "Typical month once onboarded",
                      "Income per hour set aside once onboarded",
                      "Chance of a month with nothing once onboarded", "Behind the intervals"]
    ratio = np.mean(per_hour) / 15
    said = meaning(est)
    assert said.startswith(f"As a side income, {HOURS} h a week here earns an applicant about"
                           f" {ratio:.0%} of what a $15/h job pays for the same hours, the"
                           f" {est.fail_share[0]:.0%} who fail onboarding included; once"
                           " onboarded, about")
    data = estimate_dict(est)["verdict"]
    assert list(data)[:4] == ["text", "meaning", "hours_set_aside_per_month", "per_applicant"]
    applicant = data["per_applicant"]
    assert applicant["income_per_hour_set_aside_usd"]["mean"] == pytest.approx(np.mean(per_hour))
    assert applicant["income_per_month_usd"]["mean"] == pytest.approx(month)
    assert applicant["applicants"] == est.applicants
    assert "÷ (their number × 6 month(s))" in applicant["divided_by"]
    assert "averaged_over" in applicant and "divided_by" in (
        data["once_onboarded"]["income_per_hour_set_aside_usd"])


def test_the_income_per_month_followed_says_what_it_divides_by(specialist_10h: Estimate) -> None:
    """Not the table's mean per worker-month on the platform: the line and the JSON say so."""
    est = specialist_10h
    line = next(x for x in verdict_lines(est) if "Income per hour set aside once" in x)
    mean, low, high = est.income_per_month_followed
    assert (f"the income per month followed, ${mean:,.0f} (95% CI ${low:,.0f}–${high:,.0f}),"
            f" ÷ {est.hours_set_aside_per_month:.1f} h; months followed are counted to the hour"
            " from applying to leaving or the end, the wait to be onboarded included.") in line
    assert "mean monthly income" not in render(est)
    assert "USD per worker-month on the platform;" in render(est)  # the table's mean divides so
    data = estimate_dict(est)["verdict"]["once_onboarded"]["income_per_month_followed_usd"]
    assert data["mean"] == pytest.approx(mean)
    assert "from applying to leaving or the end" in data["divided_by"]


def test_the_first_paid_hour_counts_who_left_unpaid_as_never_paid() -> None:
    """Recomputed from the tables: paid within the months, left without pay, still waiting.

    Before, Kaplan–Meier took leaving as an uninformative censoring: "0% still waiting at the
    end" while 11% of the onboarded had left without a paid hour (here 28%), and the
    restricted mean counted their waits as cut short.
    """
    est = estimate_profile("generalist", hours_per_week=HOURS, months=MONTHS, replications=4,
                           seed=1)
    onboarded, _ = _cohort(est)
    horizon_h = MONTHS * HOURS_PER_MONTH
    spells = est.results.spells
    paid_at = spells[spells["income_usd"] > 0].groupby(["replication", "worker_id"])[
        "start_h"].min()
    keys = list(zip(onboarded["replication"], onboarded["worker_id"], strict=True))
    wait = np.array([paid_at.get(k, np.inf) for k in keys])  # joined at 0: hours from applying
    left = onboarded["left_h"].fillna(np.inf).to_numpy() < horizon_h
    never = np.isinf(wait)
    assert est.first_pay_counts == {"onboarded": len(keys), "paid": int((~never).sum()),
                                    "left_unpaid": int((never & left).sum()),
                                    "waiting": int((never & ~left).sum())}
    assert est.first_pay_counts["left_unpaid"] > 0  # the case the issue is about
    assert est.no_pay_share == pytest.approx(never.mean())  # no one who left is "paid"
    assert est.first_pay.median == pytest.approx(np.quantile(wait, 0.5, method="inverted_cdf"))
    restricted = np.minimum(wait, horizon_h).mean()
    assert est.first_pay_restricted_mean_h == pytest.approx(restricted)
    by_rep = [np.mean(~never[onboarded["replication"].to_numpy() == r]) for r in range(4)]
    assert est.paid_within_share[0] == pytest.approx(np.mean(by_rep))
    counts = est.first_pay_counts
    line = next(x for x in render(est).splitlines() if x.startswith("First paid hour"))
    assert line == (
        f"First paid hour after applying: {np.mean(by_rep):.0%} (95% CI"
        f" {est.paid_within_share[1]:.0%}–{est.paid_within_share[2]:.0%}) of those onboarded"
        f" were paid within the {MONTHS} month(s) (a mean over replications); of the"
        f" {len(keys)} onboarded in all, {counts['left_unpaid']}"
        f" ({counts['left_unpaid'] / len(keys):.0%}) left without a paid hour and"
        f" {counts['waiting']} ({counts['waiting'] / len(keys):.0%}) were still waiting at the"
        f" end. Median wait {est.first_pay.median / 24:.0f} days; mean {restricted / 24:.0f}"
        f" days restricted to the {MONTHS} month(s) (a longer wait, or leaving unpaid, counts"
        f" as {MONTHS} month(s)).")
    data = estimate_dict(est)["first_paid_hour"]
    assert data["restricted_mean_days"] == pytest.approx(restricted / 24)
    assert data["restricted_to_days"] == pytest.approx(horizon_h / 24)
    assert data["median_days"] == pytest.approx(est.first_pay.median / 24)
    assert data["left_unpaid"] == counts["left_unpaid"] and data["onboarded"] == len(keys)
    assert data["left_unpaid_share"] == pytest.approx(counts["left_unpaid"] / len(keys))
    assert data["still_waiting_at_end_share"] == pytest.approx(counts["waiting"] / len(keys))
    assert data["paid_within_share"]["mean"] == pytest.approx(np.mean(by_rep))
    assert "mean_days" not in data  # an unqualified mean is not given


def test_the_chance_of_a_month_with_nothing_is_over_months_on_the_platform(
        specialist_10h: Estimate) -> None:
    est = specialist_10h
    _, rows = _cohort(est)
    rows = rows[rows["available_h"] > 0]
    shares = [(rows.loc[rows["replication"] == r, "income_usd"] <= 0).mean()
              for r in range(est.replications)]
    assert est.zero_month_share[0] == pytest.approx(np.mean(shares))
    p10, p50, p90 = np.percentile(rows["income_usd"], [10, 50, 90])
    assert est.income_percentiles == pytest.approx((p10, p50, p90))


def test_who_left_and_why_add_up(specialist_10h: Estimate) -> None:
    est = specialist_10h
    onboarded, _ = _cohort(est)
    gone = onboarded[onboarded["left_h"].notna()]
    assert est.leavers["onboarded"] == len(onboarded) == est.onboarded
    assert est.leavers["impatience"] == int((gone["leave_cause"] == "impatience").sum())
    assert est.leavers["hazard"] == int((gone["leave_cause"] == "hazard").sum())
    assert est.leavers["stayed"] == len(onboarded) - len(gone)
    assert est.leavers["hazard"] > 0  # the specialist group leaves at 0.6 a year
    assert (est.monthly["on_platform_share"].diff().dropna() <= 1e-12).all()  # only leaving
    assert f"{est.leavers['hazard']} for other reasons" in render(est)


def test_a_longest_drought_still_running_is_one_of_a_worker_still_there() -> None:
    """Recomputed from the spells: running at the end means on the platform and idle then.

    Before, a drought ended by the worker leaving counted as still running (37% of workers
    where about 2% were; here 16% where 3% are).
    """
    est = estimate_profile("generalist", hours_per_week=HOURS, months=8, replications=4, seed=2)
    onboarded, _ = _cohort(est)
    spells = est.results.spells
    idle = spells[(spells["kind"] == "idle") & ~spells["left_truncated"]]
    left_h = onboarded.set_index(["replication", "worker_id"])["left_h"]
    running = ended_by_leaving = 0
    for key, rows in idle.groupby(["replication", "worker_id"]):
        if key not in left_h.index:
            continue  # not onboarded: the market's own workers
        durations = rows["end_h"] - rows["start_h"]
        longest = rows[durations == durations.max()]
        running += bool(longest["censored"].any())
        ended_by_leaving += bool(not longest["censored"].any()
                                 and np.isclose(longest["end_h"], left_h[key]).any())
    assert est.longest_drought_running == pytest.approx(running / len(onboarded))
    assert est.longest_drought_left == pytest.approx(ended_by_leaving / len(onboarded))
    stayed = est.leavers["stayed"] / est.onboarded
    assert est.longest_drought_running <= stayed  # only those still there can be waiting
    assert ended_by_leaving > 0  # the fixture has leavers whose last wait was their longest
    line = next(x for x in render(est).splitlines() if x.startswith("Longest drought"))
    assert (f"of the {est.onboarded} onboarded, pooled over replications: still running at the"
            f" end for {est.longest_drought_running:.0%}, ended by leaving the platform for"
            f" {est.longest_drought_left:.0%}") in line
    data = estimate_dict(est)["longest_drought"]
    assert data["still_running_share"] == pytest.approx(running / len(onboarded))
    assert data["ended_by_leaving_share"] == pytest.approx(ended_by_leaving / len(onboarded))
    assert data["shares_of"].startswith(f"the {est.onboarded} onboarded")


def test_the_market_sentence_says_what_it_computed_and_names_no_command(
        specialist_10h: Estimate) -> None:
    """Before: "`gigsim run` gives … a median month of $101", a number `run` never prints."""
    est = specialist_10h
    text = market_sentence(est)
    assert "gigsim run" not in text and "`" not in text
    assert text == market_sentence(est, for_page=True)
    months = est.results.worker_months
    rows = months[(months["group"] == est.group) & (months["available_h"] > 0)]
    median = np.percentile(rows["income_usd"], 50)
    assert (f"the {est.group} group's worker-months on the platform (every tenure, their own"
            f" weekly hours) have a median income of ${median:,.0f} (pooled over those months"
            " and the replications)") in text
    zero = np.mean([(rows.loc[rows["replication"] == r, "income_usd"] <= 0).mean()
                    for r in range(est.replications)])
    assert f"no income in {zero:.0%} (95% CI" in text and "(a mean over replications)" in text
    data = estimate_dict(est)["market"]
    assert data["median_monthly_income_usd"] == pytest.approx(median)
    assert data["worker_months"] == len(rows) and data["text"] == text


def test_every_interval_stays_within_what_is_possible(specialist_10h: Estimate) -> None:
    est = specialist_10h
    for table in (est.monthly, est.quarterly):
        low, high = table["zero_ci_low"].dropna(), table["zero_ci_high"].dropna()
        assert ((low >= 0) & (low <= table.loc[low.index, "zero_share"])).all()
        assert (high <= 1).all()
        assert (table["mean_ci_low_usd"].dropna() >= 0).all()
    for value in (est.pass_share, est.fail_share, est.zero_month_share, est.any_zero_month,
                  est.market["zero_share"]):
        assert 0 <= value[1] <= value[0] <= value[2] <= 1
    for value in (est.income_per_hour_set_aside, est.income_per_month_followed,
                  est.paid_wage_usd, est.effective_wage_usd):
        assert 0 <= value[1] <= value[0] <= value[2]
    assert list(est.quarterly["month"]) == [1, 4] and list(est.quarterly["months"]) == [3, 3]


def test_advertised_beside_realised(specialist_10h: Estimate) -> None:
    est = specialist_10h
    assert est.advertised_pay_usd == 45  # advertised_pay_per_hour in specialist.toml
    assert est.projects_pay_usd == pytest.approx(30.0)  # uniform 20–40
    assert est.paid_wage_usd[0] < est.advertised_pay_usd
    text = render(est)
    assert "advertised up to $45.00/h" in text
    assert f"realised ${est.paid_wage_usd[0]:.2f}" in text
    data = estimate_dict(est)
    assert data["pay_usd_per_hour"]["advertised"] == 45


def test_the_verdict_leads_the_text_the_json_and_says_what_it_means(
        specialist_10h: Estimate) -> None:
    est = specialist_10h
    lines = verdict_lines(est)
    text = render(est)
    assert text.startswith(lines[0])  # 6 replications: no warning line
    p10, p50, p90 = est.income_percentiles
    assert (f"Typical month once onboarded: ${p50:,.0f} (median; P10 ${p10:,.0f}, P90"
            f" ${p90:,.0f}; pooled over every worker-month on the platform, all workers and"
            " replications)") in lines[4]
    assert ("Income per hour set aside once onboarded:"
            f" ${est.income_per_hour_set_aside[0]:.2f}") in lines[5]
    assert "Reference job: $15.00/h" in text and "$652 a month" in text
    ratio = est.income_per_hour_set_aside[0] / 15
    assert ratio < 0.95
    assert f"once onboarded, about {ratio:.0%} of it" in meaning(est)
    data = estimate_dict(est)
    json.dumps(data, allow_nan=False)
    assert data["verdict"]["text"] == lines
    onboarded = data["verdict"]["once_onboarded"]
    assert onboarded["typical_month_usd"]["median"] == pytest.approx(p50)
    assert onboarded["typical_month_usd"]["pooled_over"] == (
        "every worker-month on the platform, all workers and replications")
    assert data["verdict"]["reference_monthly_usd"] == pytest.approx(652.23, abs=0.01)


def test_a_reference_wage_of_zero_hides_the_comparison(specialist_10h: Estimate) -> None:
    hidden = dataclasses.replace(specialist_10h, reference_wage_usd=0.0)
    text = "\n".join(verdict_lines(hidden))
    assert "Reference job" not in text and "job pays" not in text
    assert math.isnan(hidden.reference_monthly_usd)
    assert estimate_dict(hidden)["verdict"]["reference_wage_usd"] is None
    # a job paying half what an applicant can expect an hour: the applicant earns more
    half = round(specialist_10h.income_per_applicant_hour[0] / 2, 2)
    low = dataclasses.replace(specialist_10h, reference_wage_usd=half)
    more = specialist_10h.income_per_applicant_hour[0] / half - 1
    assert f"earns an applicant about {more:.0%} more than a ${half:g}/h job pays" in meaning(low)
    assert "once onboarded, about" in meaning(low) and "more," in meaning(low)
    # with no job to compare with, the applicant's month and the onboarded's typical month
    assert meaning(hidden).startswith(
        f"As a side income, {HOURS} h a week here pays an applicant about"
        f" ${specialist_10h.income_per_applicant_month[0]:,.0f} a month")


def test_a_page_says_in_words_what_the_terminal_names_by_option(
        specialist_10h: Estimate) -> None:
    for est in (specialist_10h, dataclasses.replace(specialist_10h, stay=True)):
        terminal, page = render(est), render(est, for_page=True)
        assert "--reference-wage" in terminal and "--stay" in terminal
        assert "--" not in page and "`" not in page
        assert "the reference wage you chose; $15 unless changed" in page
        # the same numbers in the same order, line by line: only the words around them differ
        pairs = list(zip(terminal.splitlines(), page.splitlines(), strict=True))
        assert sum(a != b for a, b in pairs) == 2  # reference job, who is followed
        for a, b in pairs:
            assert NUMBER.findall(a) == NUMBER.findall(b), (a, b)
    assert "who never quit:" in who_is_followed(
        dataclasses.replace(specialist_10h, stay=True), for_page=True)
    assert "(rather than people who never quit)" in who_is_followed(specialist_10h, True)
    few = dataclasses.replace(specialist_10h, replications=3)  # too few: a warning leads
    assert render(few).startswith("warning: 3 replication(s)") and "(-r)" in render(few)
    assert render(few, for_page=True).startswith("warning: 3 replication(s)")
    assert "(-r)" not in render(few, for_page=True)
    # the JSON keeps the terminal's words: --json stays as it was
    assert estimate_dict(specialist_10h)["verdict"]["text"] == verdict_lines(specialist_10h)
