"""What a worker needs a month, in words and as data: the verdict's "As a main income" line.

Reads :attr:`gigsim.studies.estimate.Estimate.need` (:class:`gigsim.studies.need.Need`); every
share says what it divides by, as docs/model.md ("A worker's estimate") defines it. The
terminal names the option (``--monthly-need``), a page (``for_page``) says it in words.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from gigsim.files import json_number
from gigsim.presentation.verdict import money, pct, with_ci

if TYPE_CHECKING:
    from gigsim.studies.estimate import Estimate
    from gigsim.studies.need import HoursPoint, HoursSearch, Need

APPLICANT_MONTHS = ("applicant-months: every applicant × the {months} month(s) followed,"
                    " onboarded or not; after failing onboarding or leaving a month earns $0")
ONBOARDED_MONTHS = "the onboarded workers' months on the platform (available_h > 0)"
APPLICANT = "an applicant's months"
ONBOARDED = "an onboarded worker's months"
REACHES = "a month reaches the need when its income is at least the need"
LONGEST = ("each onboarded worker's longest run of consecutive months on the platform below the"
           " need, in months")
FIRST = ("the month since applying (1 = the month of applying) of each onboarded worker's first"
         " month on the platform that reaches the need; one with none within the months followed"
         " (left or still there) counts as waiting past the end (Kaplan-Meier, censored there)")


def _share(value: tuple[float, float, float]) -> str:
    """A share with its interval; alone where every replication had the same (0% or 100%)."""
    mean, low, high = value
    return pct(mean) if low == high == mean else with_ci(value, "{:.0f}%", 100)


def _point(point: HoursPoint, who: str) -> str:
    return f"{pct(getattr(point, f'{who}_share')[0])} at {point.hours_per_week:g} h"


def hours_phrase(search: HoursSearch, who: str, whose: str) -> str:
    """Where ``who``'s share first reaches half, between which hours tried; or that none do."""
    found = search.first_half(who)
    if found is None:
        best = max(search.points, key=lambda p: getattr(p, f"{who}_share")[0])
        return (f"no weekly hours up to {search.max_hours:g} reach it in half of {whose}"
                f" (at most {_point(best, who)})")
    below = search.before(found)
    if below is None:
        return (f"half of {whose} reach it from the fewest hours tried,"
                f" {found.hours_per_week:g} h a week ({_point(found, who)})")
    return (f"half of {whose} reach it between {below.hours_per_week:g} and"
            f" {found.hours_per_week:g} h a week ({_point(below, who)}, {_point(found, who)})")


def need_sentence(est: Estimate, for_page: bool = False) -> str:
    """The verdict's line: how often a month reaches the need, applicant then onboarded."""
    need = est.need
    assert need is not None
    what = "what you need" if for_page else "--monthly-need"
    text = (f"As a main income: {money(need.monthly_need_usd)} a month ({what}) is reached in"
            f" {_share(need.applicant_share)} of an applicant's months (the"
            f" {need.applicant_months} applicant-months followed, failing onboarding included)")
    if need.onboarded:
        text += (f" and in {_share(need.onboarded_share)} of an onboarded worker's"
                 f" {need.onboarded_months} months on the platform")
    text += f", at {est.hours_per_week:g} h a week (means over replications)."
    if need.hours is not None:
        text += (f" With the same market and random numbers at other hours:"
                 f" {hours_phrase(need.hours, 'applicant', APPLICANT)};"
                 f" {hours_phrase(need.hours, 'onboarded', ONBOARDED)}.")
    return text


def need_details(est: Estimate) -> str:
    """The longest run below the need and the wait for the first month that reaches it."""
    need = est.need
    assert need is not None
    if not need.onboarded:
        return "Months below the need: no applicant was onboarded, so there are none to count."
    p50, p90 = need.longest_below
    counts, first = need.never_counts, need.first_reach
    median = (f"later than month {est.months}: fewer than half reached it within the months"
              " followed" if math.isnan(first.median) else f"month {first.median:.0f}")
    never = counts["left_without"] + counts["waiting"]
    return (f"Months below {money(need.monthly_need_usd)}: the longest run of consecutive"
            f" months on the platform below it is {p50:.0f} month(s) at the median, {p90:.0f}"
            f" at P90 (of the {need.onboarded} onboarded, pooled over replications). First"
            f" month reaching it: {median} (Kaplan–Meier over the {need.onboarded} onboarded);"
            f" {never} ({pct(need.never_share)}) had none within the {est.months} month(s),"
            f" counted as waiting: {counts['left_without']} left the platform first,"
            f" {counts['waiting']} were still there at the end.")


def _interval(value: tuple[float, float, float], of: str) -> dict[str, Any]:
    mean, low, high = value
    return {"mean": json_number(mean), "ci_low": json_number(low),
            "ci_high": json_number(high), "of": of, "averaged_over": "replications"}


def _search(search: HoursSearch) -> dict[str, Any]:
    return {
        "same_seeds": True, "max_hours_per_week": search.max_hours,
        "points": [{"hours_per_week": p.hours_per_week,
                    "applicant_share": json_number(p.applicant_share[0]),
                    "onboarded_share": json_number(p.onboarded_share[0])}
                   for p in search.points],
        "half_of_applicant_months_at": _half(search, "applicant"),
        "half_of_onboarded_months_at": _half(search, "onboarded"),
        "half_means": "the fewest hours tried at which the share is at least 50%;"
                      " null when none up to the maximum is",
    }


def _half(search: HoursSearch, who: str) -> float | None:
    found = search.first_half(who)
    return None if found is None else found.hours_per_week


def need_dict(est: Estimate) -> dict[str, Any] | None:
    """The need's numbers as JSON-ready data, each with what it divides by; None without one."""
    need: Need | None = est.need
    if need is None:
        return None
    curve = need.exceedance
    return {
        "usd": need.monthly_need_usd,
        "reaches": REACHES,
        "text": need_sentence(est),
        "applicant_share": {**_interval(need.applicant_share,
                                        APPLICANT_MONTHS.format(months=est.months)),
                            "months": need.applicant_months},
        "onboarded_share": {**_interval(need.onboarded_share, ONBOARDED_MONTHS),
                            "months": need.onboarded_months},
        "longest_run_below_months": {"median": json_number(need.longest_below[0]),
                                     "p90": json_number(need.longest_below[1]),
                                     "definition": LONGEST,
                                     "pooled_over": f"the {need.onboarded} onboarded of every"
                                                    " replication"},
        "first_month_reaching": {"median_month": json_number(need.first_reach.median),
                                 "definition": FIRST, "onboarded": need.onboarded,
                                 **need.never_counts,
                                 "none_within_share": json_number(need.never_share),
                                 "text": need_details(est)},
        "exceedance_curve": {
            "usd": curve["usd"].tolist(),
            **{column: [json_number(v) for v in curve[column]]
               for column in curve.columns if column != "usd"},
            "definition": "the share of months with income of at least usd, a mean over"
                          " replications with its 95% interval: onboarded_* of "
                          + ONBOARDED_MONTHS + ", applicant_* of applicant-months",
        },
        "hours_search": None if need.hours is None else _search(need.hours),
    }
