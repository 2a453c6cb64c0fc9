"""An estimate in words: the verdict, the text ``gigsim estimate`` prints, and its JSON form.

Every figure here is named for what it divides by and averages over, as docs/model.md ("A
worker's estimate") defines it; the text, the JSON and the worker's page
(:func:`gigsim.presentation.report.build_worker_page`) read the same numbers off the same
:class:`~gigsim.studies.estimate.Estimate`.

Where the words are read changes only how a choice is named: the terminal names the option
that sets it (``--reference-wage``, ``--stay``), a page (``for_page=True``: the worker's page,
``gigsim app``) says it in words. The numbers are the same in both.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from gigsim.analysis.statistics import replications_warning
from gigsim.files import json_number
from gigsim.presentation.estimate_details import (  # re-exported: the words of an estimate
    FIRST_PAY,
    MARKET_MONTHS,
    based_on,
    first_paid_hour,
    market_sentence,
    share_of,
    who_is_followed,
)
from gigsim.presentation.wording import days, money, pct, with_ci
from gigsim.scenario.units import HOURS_PER_DAY, HOURS_PER_MONTH, HOURS_PER_WEEK
from gigsim.studies.estimate import DEFAULT_REFERENCE_WAGE_USD, WEEKS_PER_MONTH
from gigsim.studies.estimate_rounds import precision_phrase

if TYPE_CHECKING:
    from gigsim.analysis.survival import Survival
    from gigsim.studies.estimate import Estimate, Interval

INCOME_PER_HOUR_SET_ASIDE = "Income per hour set aside"
CURVE_POINTS = 200  # the drought curve in estimate_dict() is thinned to at most this many steps
WAGE_PER_HOUR_WORKED = "Wage per hour worked"
# what the typical month's percentiles are taken over, said wherever they appear
POOLED = "pooled over every worker-month on the platform, all workers and replications"
# what an applicant can expect divides by, said wherever it appears
APPLICANT = ("the income of all {applicants} applicants over the {months} month(s), onboarded or"
             " not, ÷ (their number × {months} month(s)), and ÷ {hours:.1f} h a month for the"
             " hourly figure; failing onboarding or leaving earns $0 from then on")
# what the income per month followed divides by, said wherever it appears
MONTHS_FOLLOWED = ("months followed are counted to the hour from applying to leaving or the"
                   " end, the wait to be onboarded included")
# what a drought is when a worker may hold several projects at once
SPARE_IS_NO_DROUGHT = ("a drought is a time with no project at all; hours to spare while on"
                       " a project are not one")
# the verdict's line on what stands behind its intervals (a page says it under the cards)
BEHIND = "Behind the intervals"


def workload(est: Estimate) -> str:
    """The weekly hours, and the projects held at once where that may be more than one."""
    hours = f"{est.hours_per_week:g} h a week"
    if est.max_projects == 1:
        return hours
    return f"{hours} on up to {est.max_projects} projects at once"


def _drought_words(est: Estimate) -> str:
    """What the droughts are, in brackets after the word."""
    if est.max_projects == 1:
        return "idle between projects"
    return SPARE_IS_NO_DROUGHT


def _versus(ratio: float, job: str) -> str:
    """``ratio`` of what ``job`` pays, in words (within 5% reads as "about what")."""
    if ratio < 0.95:
        return f"about {ratio:.0%} of what {job} pays for the same hours"
    if ratio <= 1.05:
        return f"about what {job} pays for the same hours"
    return f"about {ratio - 1:.0%} more than {job} pays for the same hours"


def _steadiness(est: Estimate) -> str:
    zero = est.zero_month_share[0]
    return f"nothing at all in {pct(zero)} of months" if zero > 0 else "some income every month"


def _who_fail(est: Estimate) -> str:
    """", the 57% who fail onboarding included" where some fail, else nothing."""
    fail = est.fail_share[0]
    return f", the {pct(fail)} who fail onboarding included" if fail > 0 else ""


def meaning(est: Estimate) -> str:
    """One sentence that says what the numbers mean for someone weighing the work.

    It leads with what an applicant can expect, failing onboarding included, then what those
    onboarded earn and how steadily.
    """
    hours = workload(est)
    applicant_month = est.income_per_applicant_month[0]
    if not est.onboarded:
        paid = (f"pays an applicant about {money(applicant_month)} a month, for the assessment"
                " alone" if applicant_month > 0 else "earns nothing")
        return (f"As a side income, {hours} here {paid}: none of the {est.applicants}"
                f" applicants was onboarded within the {est.months} month(s).")
    per_hour = est.income_per_hour_set_aside[0]
    if est.reference_wage_usd <= 0 or math.isnan(per_hour):
        return (f"As a side income, {hours} here pays an applicant about"
                f" {money(applicant_month)} a month{_who_fail(est)}; once onboarded, a typical"
                f" month pays {money(est.income_percentiles[1])}, with {_steadiness(est)}.")
    job = f"a ${est.reference_wage_usd:g}/h job"
    applicant = est.income_per_applicant_hour[0] / est.reference_wage_usd
    ratio = per_hour / est.reference_wage_usd
    onboarded = (f"about {ratio:.0%} of it" if ratio < 0.95 else "about the same"
                 if ratio <= 1.05 else f"about {ratio - 1:.0%} more")
    return (f"As a side income, {hours} here earns an applicant {_versus(applicant, job)}"
            f"{_who_fail(est)}; once onboarded, {onboarded}, with {_steadiness(est)}.")


def onboarding_line(est: Estimate) -> str:
    """The chance of failing onboarding and what failing costs or pays; none without a test."""
    label = "  Chance of failing onboarding: "
    test = est.assessment
    if test is None:
        return label + "none: this group has no assessment; every applicant is onboarded."
    if not est.failed_applicants:
        return (label + f"{with_ci(est.fail_share, '{:.0f}%', 100)} of applicants: none of the"
                f" {est.applicants} failed the assessment.")
    chance = f"{with_ci(est.fail_share, '{:.0f}%', 100)} of applicants"
    if test.paid:
        return (label + f"{chance}, who are paid {money(est.failed_income_usd, cents=True)} on"
                f" average for the assessment ({_hours(test.hours)}) and nothing after.")
    return (label + f"{chance}, who earn nothing after {_hours(est.failed_unpaid_h)} unpaid"
            " (the assessment).")


def verdict_lines(est: Estimate, for_page: bool = False) -> list[str]:
    """The verdict: what an applicant can expect beside a job, onboarding, then the onboarded.

    ``for_page`` names the reference wage in words instead of by its command-line option.
    """
    set_aside = est.hours_set_aside_per_month
    lines = [
        f"Verdict for {workload(est)} in the {est.group} group, the first"
        f" {est.months} month(s) after applying:",
        f"  What an applicant can expect: {with_ci(est.income_per_applicant_month, '${:,.0f}')}"
        f" a month, {with_ci(est.income_per_applicant_hour, '${:.2f}')} per hour set aside:"
        f" {APPLICANT.format(applicants=est.applicants, months=est.months, hours=set_aside)}.",
    ]
    if est.reference_wage_usd > 0:
        default = f"${DEFAULT_REFERENCE_WAGE_USD:g}"
        chosen = (f"the reference wage you chose; {default} unless changed" if for_page
                  else f"--reference-wage; default {default}")
        lines.append(
            f"  Reference job: ${est.reference_wage_usd:.2f}/h ({chosen})"
            f" pays {money(est.reference_monthly_usd)} a month for the same hours.")
    lines.append(onboarding_line(est))
    if est.onboarded:
        p10, p50, p90 = est.income_percentiles
        lines += [
            f"  Typical month once onboarded: {money(p50)} (median; P10 {money(p10)}, P90"
            f" {money(p90)}; {POOLED}), for the {set_aside:.1f} h a month you set aside"
            f" ({est.hours_per_week:g} h × {WEEKS_PER_MONTH:.2f} weeks).",
            f"  {INCOME_PER_HOUR_SET_ASIDE} once onboarded:"
            f" {with_ci(est.income_per_hour_set_aside, '${:.2f}')}: the income per month"
            f" followed, {with_ci(est.income_per_month_followed, '${:,.0f}')}, ÷"
            f" {set_aside:.1f} h; {MONTHS_FOLLOWED}.",
            "  Chance of a month with nothing once onboarded:"
            f" {with_ci(est.zero_month_share, '{:.0f}%', 100)} of months on the platform.",
        ]
        from gigsim.presentation.arrivals import money_lines  # it reads this module's helpers

        lines += money_lines(est)
    else:
        lines.append(f"  Once onboarded: no applicant was onboarded within the {est.months}"
                     " month(s), so there are no months on the platform to describe.")
    lines.append(f"  {BEHIND}: {replications_sentence(est, for_page)}.")
    lines.append(f"  {meaning(est)}")
    if est.need is not None:
        from gigsim.presentation.need import need_sentence  # it reads this module's helpers

        lines.append(f"  {need_sentence(est, for_page)}")
    return lines


def replications_sentence(est: Estimate, for_page: bool = False) -> str:
    """How many replications stand behind the intervals, and the precision of the headline two.

    ``N replication(s), chosen by precision 10%: met for both headline figures (…)``, or not
    met and why it stopped (the time budget, with the ``-r N`` that repeats the numbers, or the
    maximum); for a count given, each headline figure's half-width as it came out.
    """
    return precision_phrase(est.replications, est.choice, est.headline_checks, for_page)


def warning(est: Estimate, for_page: bool = False) -> str | None:
    """The estimate's warning about too few replications, if any.

    ``for_page`` leaves out the option that gives more (``-r``), which a page does not have.
    """
    return replications_warning(est.replications, option=not for_page)


def _hours(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.1f} h"


def render(est: Estimate, for_page: bool = False) -> str:
    """The verdict, the details and the table that ``gigsim estimate`` prints.

    ``for_page`` words the choices for a page instead of by their options (as
    :func:`verdict_lines`); every number is the same.
    """
    drought = est.drought
    longest_p50, longest_p90 = est.longest_drought_h
    advertised = ("no advertised rate in the scenario" if math.isnan(est.advertised_pay_usd)
                  else f"advertised up to {money(est.advertised_pay_usd, cents=True)}/h")
    lines = [w for w in [warning(est, for_page)] if w]
    lines += verdict_lines(est, for_page)
    lines += [
        "",
        who_is_followed(est, for_page),
        market_sentence(est, for_page),
        "",
        f"Pay: {advertised}; realised {with_ci(est.paid_wage_usd, '${:.2f}')} per paid hour"
        f" (projects pay {money(est.projects_pay_usd, cents=True)}/h on average).",
        f"{WAGE_PER_HOUR_WORKED} (income ÷ hours worked, paid or unpaid: assessment, unpaid"
        f" training, looking for work): {with_ci(est.effective_wage_usd, '${:.2f}')}.",
        first_paid_hour(est),
        f"Droughts ({_drought_words(est)}): median {days(drought.median, drought.longest_h)},"
        f" P90 {days(drought.quantile(0.9), drought.longest_h)} (Kaplan–Meier over"
        f" {drought.n} spells, {pct(drought.n_censored / drought.n if drought.n else math.nan)}"
        " still running at the end or ended by leaving).",
        f"Longest drought within the months followed: median {days(longest_p50)}, P90"
        f" {days(longest_p90)} (of the {est.onboarded} onboarded, pooled over replications:"
        f" still running at the end for {pct(est.longest_drought_running)}, ended by leaving"
        f" the platform for {pct(est.longest_drought_left)}).",
        "",
    ]
    if est.need is not None:
        from gigsim.presentation.need import need_details

        lines[-1:-1] = [need_details(est)]
    table, how = est.periods
    unit = "month" if how == "month by month" else "months"
    lines += [
        f"Monthly income since applying ({how}; USD per worker-month on the platform;"
        " P10/P50/P90 pooled over"
        " workers and replications; mean and share with nothing are means over replications"
        " with 95% intervals; on platform = share of those onboarded still there):",
        f"  {unit:>6}  {'P10':>6}  {'P50':>6}  {'P90':>6}  {'mean (95% CI)':>19}"
        f"  {'nothing (95% CI)':>17}  {'on platform':>11}",
    ]
    for row in table.to_dict(orient="records"):
        first_m, count = int(row["month"]), int(row["months"])
        label = str(first_m) if count == 1 else f"{first_m}–{first_m + count - 1}"
        mean = (money(row["mean_usd"]) + " (" + money(row["mean_ci_low_usd"]) + "–"
                + money(row["mean_ci_high_usd"]) + ")")
        zero = (pct(row["zero_share"]) + " (" + pct(row["zero_ci_low"]) + "–"
                + pct(row["zero_ci_high"]) + ")")
        lines.append(f"  {label:>6}  {_usd(row['p10_usd'])}  {_usd(row['p50_usd'])}"
                     f"  {_usd(row['p90_usd'])}  {mean:>19}  {zero:>17}"
                     f"  {pct(row['on_platform_share']):>11}")
    lines += ["", f"{based_on(est)}; {est.elapsed_s:.1f} s."]
    return "\n".join(lines)


def _usd(value: float) -> str:
    return f"{'n/a':>6}" if math.isnan(value) else f"{value:>6,.0f}"


def interval_dict(value: Interval) -> dict[str, float | None]:
    """``(mean, low, high)`` as JSON: ``mean``, ``ci_low``, ``ci_high`` (NaN as None)."""
    mean, low, high = value
    return {"mean": json_number(mean), "ci_low": json_number(low), "ci_high": json_number(high)}


def _rows(table: Any) -> list[dict[str, Any]]:
    return [{key: (int(value) if key in ("month", "months", "workers") else json_number(value))
             for key, value in row.items()} for row in table.to_dict(orient="records")]


def estimate_dict(est: Estimate) -> dict[str, Any]:
    """The estimate as JSON-ready data (NaN as None): the verdict first, then the details."""
    from gigsim.presentation.arrivals import money_dict
    from gigsim.presentation.need import need_dict

    p10, p50, p90 = est.income_percentiles
    counts = est.first_pay_counts
    left = est.leavers
    drought = est.drought
    return {
        "verdict": {
            "text": verdict_lines(est),
            "meaning": meaning(est),
            "hours_set_aside_per_month": est.hours_set_aside_per_month,
            "per_applicant": {
                "income_per_month_usd": interval_dict(est.income_per_applicant_month),
                "income_per_hour_set_aside_usd": interval_dict(est.income_per_applicant_hour),
                "applicants": est.applicants,
                "divided_by": APPLICANT.format(applicants=est.applicants, months=est.months,
                                               hours=est.hours_set_aside_per_month),
                "averaged_over": "replications: each replication's ratio, then their mean",
            },
            "replications": {
                "text": replications_sentence(est), "count": est.replications,
                "chosen_by_precision": est.choice is not None,
                "precision": None if est.choice is None else est.choice.goal.precision,
                "met": None if est.choice is None else est.choice.met,
                "stopped": None if est.choice is None else est.choice.stopped,
                "targets": [check.to_dict() for check in est.headline_checks],
                "half_width_of": "each figure's 95% interval as printed: (ci_high − ci_low) ÷ 2",
            },
            "reference_wage_usd": est.reference_wage_usd or None,
            "reference_monthly_usd": json_number(est.reference_monthly_usd),
            "fail_onboarding_share": {**interval_dict(est.fail_share),
                                      "of": "applicants, a mean over replications"},
            "failed_applicants": est.failed_applicants,
            "assessment": (None if est.assessment is None else
                           {"hours": est.assessment.hours, "paid": est.assessment.paid}),
            "unpaid_hours_per_failed_applicant": json_number(est.failed_unpaid_h),
            "income_per_failed_applicant_usd": json_number(est.failed_income_usd),
            "once_onboarded": {
                "onboarded": est.onboarded,
                "typical_month_usd": {"p10": json_number(p10), "median": json_number(p50),
                                      "p90": json_number(p90),
                                      "pooled_over": POOLED.removeprefix("pooled over ")},
                "income_per_hour_set_aside_usd": {
                    **interval_dict(est.income_per_hour_set_aside),
                    "divided_by": "the hours set aside from applying to leaving or the end"},
                "income_per_month_followed_usd": {**interval_dict(est.income_per_month_followed),
                                                  "divided_by": MONTHS_FOLLOWED},
                "zero_income_month_share": {**interval_dict(est.zero_month_share),
                                            "of": "months on the platform, a mean over"
                                                  " replications"},
            },
        },
        "warning": est.warning,
        "money_arriving": money_dict(est),  # with [pay]: when the money arrives
        "replications_chosen": None if est.choice is None else est.choice.to_dict(),
        "warmup_weeks": est.scenario.simulation.warmup_h / HOURS_PER_WEEK,
        "warmup_chosen": None if est.warmup_choice is None else est.warmup_choice.to_dict(),
        "scenario": est.scenario.name,
        "scenario_file": est.scenario.source,
        "group": est.group,
        "hours_per_week": est.hours_per_week,
        "max_projects": est.max_projects,
        "months": est.months,
        "replications": est.replications,
        "seed": est.seed,
        "cohort_per_replication": est.cohort,
        "market_scale": est.market_scale,
        "confidence_level": 0.95,
        "followed": {"stay": est.stay, "applicants": est.applicants, **left,
                     "text": who_is_followed(est)},
        "market": {"median_monthly_income_usd": json_number(est.market["median_usd"]),
                   "zero_income_month_share": interval_dict(est.market["zero_share"]),
                   "over": f"the {est.group} group's {MARKET_MONTHS}",
                   "median_pooled_over": "those worker-months of every replication",
                   "worker_months": est.market["worker_months"],
                   "text": market_sentence(est)},
        "pass_onboarding_share": interval_dict(est.pass_share),
        "first_paid_hour": {
            "definition": FIRST_PAY,
            "paid_within_share": {**interval_dict(est.paid_within_share),
                                  "over": "the onboarded, a mean over replications"},
            **{key: counts[key] for key in ("onboarded", "paid", "left_unpaid", "waiting")},
            "left_unpaid_share": json_number(share_of(counts["left_unpaid"], counts["onboarded"])),
            "still_waiting_at_end_share": json_number(share_of(counts["waiting"],
                                                             counts["onboarded"])),
            "shares_of": "the onboarded, pooled over replications",
            "median_days": json_number(est.first_pay.median / HOURS_PER_DAY),
            "restricted_mean_days": json_number(est.first_pay_restricted_mean_h / HOURS_PER_DAY),
            "restricted_to_days": est.months * HOURS_PER_MONTH / HOURS_PER_DAY,
        },
        "monthly_income_usd": _rows(est.monthly),
        "quarterly_income_usd": _rows(est.quarterly),
        "shown_by": est.periods[1],
        "any_zero_income_month_share": interval_dict(est.any_zero_month),
        "drought": {
            "definition": "an idle spell: from onboarding or a project's end to the start"
                          " of the next project; Kaplan-Meier over every spell of the"
                          " cohort, spells still running at the end or ended by leaving"
                          " censored" + ("" if est.max_projects == 1
                                         else f"; {SPARE_IS_NO_DROUGHT}"),
            "median_days": json_number(drought.median / HOURS_PER_DAY),
            "p90_days": json_number(drought.quantile(0.9) / HOURS_PER_DAY),
            "spells": drought.n,
            "censored_share": json_number(drought.n_censored / drought.n if drought.n
                                          else math.nan),
        },
        "drought_curve": drought_curve(drought),
        "longest_drought": {
            "definition": "each worker's longest idle spell within the months followed,"
                          " a spell still running at the end counted up to the end",
            "median_days": json_number(est.longest_drought_h[0] / HOURS_PER_DAY),
            "p90_days": json_number(est.longest_drought_h[1] / HOURS_PER_DAY),
            "still_running_share": json_number(est.longest_drought_running),
            "ended_by_leaving_share": json_number(est.longest_drought_left),
            "shares_of": f"the {est.onboarded} onboarded applicants, pooled over replications",
        },
        "pay_usd_per_hour": {
            "advertised": json_number(est.advertised_pay_usd),
            "projects_mean": json_number(est.projects_pay_usd),
            "realised_per_paid_hour": interval_dict(est.paid_wage_usd),
            "wage_per_hour_worked": interval_dict(est.effective_wage_usd),
        },
        "monthly_need": need_dict(est),
        "elapsed_s": json_number(est.elapsed_s),
    }


def drought_curve(curve: Survival, points: int = CURVE_POINTS) -> dict[str, list[float]]:
    """A Kaplan–Meier curve as lists (days, S, band), thinned evenly to ``points`` steps."""
    keep = np.arange(len(curve.times))
    if len(keep) > points:
        keep = np.unique(np.linspace(0, len(keep) - 1, points).round().astype(int))
    return {"days": [0.0, *(curve.times[keep] / HOURS_PER_DAY).tolist()],
            "survival": [1.0, *curve.survival[keep].tolist()],
            "ci_low": [1.0, *curve.ci_low[keep].tolist()],
            "ci_high": [1.0, *curve.ci_high[keep].tolist()]}


def verdict_text(est: Estimate, for_page: bool = False) -> str:
    """The verdict in plain words: the lines at the top of ``gigsim estimate``."""
    return "\n".join(verdict_lines(est, for_page))
