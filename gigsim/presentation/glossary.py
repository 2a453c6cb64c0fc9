"""Plain names for the summary metrics: what a person reads, mapped to the column names.

:data:`GLOSSARY` gives each metric of :data:`gigsim.analysis.statistics.METRICS` a label with its
unit and a one-line meaning that says what it divides by and what it averages over. Every metric is
computed per replication and then averaged over replications; "pooled" says what is taken
together inside one replication. The report's table and its glossary read from here, so the
page and the tables (``summary.json``, ``comparison.csv``, ``points.csv``) name the same
numbers. Durations are shown in days (the tables keep hours).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from gigsim.scenario.units import HOURS_PER_DAY


@dataclass(frozen=True)
class Entry:
    """A metric as people read it: ``label``, ``unit`` (how it is shown) and ``meaning``."""

    label: str
    unit: str  # "usd", "usd_per_h", "share", "days", "seat_days", "count" or "ratio"
    meaning: str


_AVG = "; one value per replication, averaged over replications"
_POOLED = "pooled over the replication's worker-months with time on the platform" + _AVG

# The cohort (everyone who applied in the window, followed the same months from applying) is
# described once where these are shown, not in every row.
_COHORT = _AVG
# The outcomes per applicant (gigsim.analysis.applicants): label, unit, what it divides by.
_APPLICANT_ENTRIES: dict[str, tuple[str, str, str]] = {
    "applicant_income_usd": ("Income per applicant, a month", "usd",
                             "the cohort's income over its months followed ÷ (applicants ×"
                             " months followed); leavers and failed assessments count $0 after"
                             " they go"),
    "applicant_stay_share": ("Applicants still on the platform", "share",
                             "applicants still on the platform at the end of their follow-up"
                             " ÷ applicants"),
    "applicant_zero_month_share": ("Applicant-months with no income", "share",
                                   "months followed with no income ÷ (applicants × months"
                                   " followed), counted from applying, months after leaving"
                                   " included"),
    "applicant_latency_median_h": ("Applicants' wait for the next project, median", "days",
                                   "the cohort's releases in their follow-up; Kaplan–Meier, so"
                                   " waits still open or ended by leaving count as censored"),
    "applicant_exit_failed_assessment_share": ("Applicants who failed the assessment", "share",
                                               "÷ applicants, within their follow-up"),
    "applicant_exit_impatience_share": ("Applicants who left out of impatience", "share",
                                        "an idle spell longer than their patience; ÷"
                                        " applicants, within their follow-up"),
    "applicant_exit_hazard_share": ("Applicants who left by the leave hazard", "share",
                                    "÷ applicants, within their follow-up"),
    "applicant_never_paid_share": ("Applicants never paid", "share",
                                   "applicants with no income in their months followed ÷"
                                   " applicants"),
    "applicant_income_gini": ("Inequality of income across applicants (Gini)", "ratio",
                              "0 = every applicant earns the same over the months followed, 1 ="
                              " one earns all; applicants with $0 included"),
    "applicant_bottom20_income_usd": ("Income a month of the poorest fifth of applicants",
                                      "usd", "the mean income of the ⌈n/5⌉ lowest-earning"
                                      " applicants ÷ months followed"),
    "applicant_count": ("Applicants followed", "count",
                        "what the per-applicant figures divide by, per replication"),
}

GLOSSARY: dict[str, Entry] = {
    "income_mean_usd": Entry("Mean monthly income", "usd",
                             "income per worker-month, " + _POOLED),
    "income_p10_usd": Entry("Monthly income, 10th percentile", "usd",
                            "one worker-month in ten earns less; " + _POOLED),
    "income_p50_usd": Entry("Monthly income, median", "usd",
                            "half of worker-months earn less; " + _POOLED),
    "income_p90_usd": Entry("Monthly income, 90th percentile", "usd",
                            "one worker-month in ten earns more; " + _POOLED),
    "zero_income_share": Entry("Months with no income", "share",
                               "share of worker-months with no income, " + _POOLED),
    "months_with_income_share": Entry("Months with some income", "share",
                                      "share of worker-months with any income, " + _POOLED),
    "income_volatility_usd": Entry("Month-to-month change in income", "usd",
                                   "mean absolute change between a worker's consecutive"
                                   " months, pooled over workers" + _AVG),
    "idle_share": Entry("Idle share of available hours", "share",
                        "hours available but between projects ÷ hours available, all the"
                        " replication's hours together" + _AVG),
    "short_of_work_share": Entry("Workers short of work", "share",
                                 "share of workers paid for under 90% of the hours they made"
                                 " available" + _AVG),
    "latency_median_h": Entry("Wait for the next project, median", "days",
                              "from a project's end (or onboarding) to the next project;"
                              " Kaplan–Meier, so waits still open count as censored" + _AVG),
    "latency_mean_h": Entry("Wait for the next project, mean of completed waits", "days",
                            "completed waits only: waits still open are left out, so it"
                            " says less about long waits than the median above" + _AVG),
    "latency_p90_h": Entry("Wait for the next project, 90th percentile of completed waits",
                           "days", "completed waits only" + _AVG),
    "latency_censored_share": Entry("Waits still open", "share",
                                    "share of waits still open when the worker left or the"
                                    " run ended (censored)" + _AVG),
    "unpaid_share": Entry("Unpaid share of hours worked", "share",
                          "unpaid hours (assessment, unpaid training, looking for work) ÷ all"
                          " hours worked, all workers' hours together" + _AVG),
    "paid_wage_usd": Entry("Income per paid hour", "usd_per_h",
                           "income ÷ paid hours, all workers together" + _AVG),
    "effective_wage_usd": Entry("Wage per hour worked", "usd_per_h",
                                "income ÷ hours worked, paid or unpaid, all workers together"
                                + _AVG),
    "effective_to_paid_wage": Entry("Wage per hour worked ÷ income per paid hour", "ratio",
                                    "the share of hours worked that are paid" + _AVG),
    "exit_within_12mo_share": Entry("Gone within 12 months", "share",
                                    "share of workers onboarded a year or more before the end"
                                    " who left within 12 months of onboarding" + _AVG),
    "income_gini": Entry("Inequality of income (Gini)", "ratio",
                         "0 = everyone earns the same per month on the platform, 1 = one"
                         " earns all; workers on the platform a month or more" + _AVG),
    "below_threshold_share": Entry("Workers under $500 a month", "share",
                                   "share of workers on the platform a month or more whose"
                                   " income per month there is under $500" + _AVG),
    **{name: Entry(label, unit, meaning + _COHORT)
       for name, (label, unit, meaning) in _APPLICANT_ENTRIES.items()},
    "fill_latency_mean_h": Entry("Wait to fill a seat, mean", "days",
                                 "from a seat opening to its filling, per filled seat" + _AVG),
    "unfilled_seat_h": Entry("Unfilled seat time", "seat_days",
                             "seat-days that open seats stayed empty, over all projects" + _AVG),
    # with a pay schedule ([pay]) only
    "no_money_arriving_share": Entry("Months with no money arriving", "share",
                                     "share of worker-months in which no payment arrived,"
                                     " on the pay schedule; " + _POOLED),
    "forfeited_share": Entry("Leavers' earnings forfeited", "share",
                             "money forfeited (a balance below the payout minimum when they"
                             " left) ÷ money earned, all leavers whose account closed in the"
                             " window together" + _AVG),
}


def entry(metric: str) -> Entry:
    """The glossary entry of ``metric``; an unknown metric gets its own name as label."""
    return GLOSSARY.get(metric, Entry(metric, "ratio", ""))


def format_value(metric: str, value: float | None) -> str:
    """``value`` of ``metric`` as a person reads it: dollars, percent, days, seat-days."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    unit = entry(metric).unit
    if unit == "share":
        return f"{value * 100:.1f}%"
    if unit == "usd":
        return f"${value:,.0f}"
    if unit == "usd_per_h":
        return f"${value:,.2f}/h"
    if unit == "days":
        return f"{value / HOURS_PER_DAY:,.1f} days"
    if unit == "count":
        return f"{value:,.0f}"
    if unit == "seat_days":
        return f"{value / HOURS_PER_DAY:,.0f} seat-days"
    return f"{value:.3f}"
