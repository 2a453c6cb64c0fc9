"""The key figures of an estimate as cards for a page: plain words first, statistics after.

A card gives a figure (``value``), what it means in words a worker uses (``plain``), and then,
in a detail line, how it was computed: the percentiles, the 95% interval, what was pooled and
what averaged (``detail``). Every number is the estimate's, formatted as ``gigsim estimate``
prints it (:mod:`gigsim.presentation.verdict`), so that the page and the terminal can be read
side by side. The worker's page (:func:`gigsim.presentation.report.build_worker_page`) and
``gigsim app`` show the same cards.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gigsim.presentation.verdict import (
    INCOME_PER_HOUR_SET_ASIDE,
    MONTHS_FOLLOWED,
    POOLED,
    money,
    pct,
    with_ci,
)
from gigsim.studies.estimate import DEFAULT_REFERENCE_WAGE_USD, WEEKS_PER_MONTH

if TYPE_CHECKING:
    from gigsim.studies.estimate import Estimate

AVERAGED = "each replication's share, averaged"  # how a share on a card was taken


@dataclass(frozen=True)
class Card:
    """One key figure: ``label``, the figure (``value``), words (``plain``), how (``detail``)."""

    label: str
    value: str
    plain: str
    detail: str


def in_ten(share: float, of: str) -> str:
    """A share in words, as a count out of ten: "about 4 in 10 months" (``of`` = "months")."""
    if math.isnan(share):
        return f"an unknown share of {of}"
    tenths = round(share * 10)
    if share <= 0:
        return f"no {of}"
    if share >= 1:
        return f"all {of}"
    if tenths == 0:
        return f"fewer than 1 in 10 {of}"
    if tenths == 10:
        return f"almost all {of}"
    return f"about {tenths} in 10 {of}"


def _hours(value: float) -> str:
    return f"{value:.1f} h"


def key_cards(est: Estimate) -> tuple[Card, ...]:
    """The cards of ``est``, in the verdict's order.

    A typical month, each hour set aside, the reference job (unless hidden), months with no
    income and failing onboarding.
    """
    p10, p50, p90 = est.income_percentiles
    set_aside = est.hours_set_aside_per_month
    hours = (f"the {set_aside:.1f} h a month you set aside ({est.hours_per_week:g} h ×"
             f" {WEEKS_PER_MONTH:.2f} weeks)")
    cards = [Card(
        label="A typical month",
        value=money(p50),
        plain=(f"8 months in 10 bring between {money(p10)} and {money(p90)}."
               if not math.isnan(p50)
               else "No month on the platform to go by."),
        detail=f"Median; P10 {money(p10)}, P90 {money(p90)}; {POOLED}; for {hours}.",
    )]
    per_hour = est.income_per_hour_set_aside
    per_month = est.income_per_month_followed
    cards.append(Card(
        label="Each hour you set aside",
        value=money(per_hour[0], cents=True) if not math.isnan(per_hour[0]) else "n/a",
        plain=(f"{money(per_month[0])} a month on average, counted from the day you apply,"
               " weeks without work and the wait to be onboarded included."),
        detail=(f"{INCOME_PER_HOUR_SET_ASIDE}: {with_ci(per_hour, '${:.2f}')}: the income per"
                f" month followed, {with_ci(per_month, '${:,.0f}')}, ÷ {set_aside:.1f} h;"
                f" {MONTHS_FOLLOWED}."),
    ))
    if est.reference_wage_usd > 0:
        cards.append(Card(
            label="A job you know",
            value=money(est.reference_monthly_usd),
            plain=(f"A month at ${est.reference_wage_usd:.2f} an hour, for the same"
                   f" {set_aside:.1f} h."),
            detail=(f"Reference job: ${est.reference_wage_usd:.2f}/h (the reference wage you"
                    f" chose; ${DEFAULT_REFERENCE_WAGE_USD:g} unless changed) ×"
                    f" {set_aside:.1f} h a month."),
        ))
    zero = est.zero_month_share
    cards.append(Card(
        label="Months with no income",
        value=pct(zero[0]),
        plain=f"{in_ten(zero[0], 'months').capitalize()} on the platform bring nothing at all.",
        detail=(f"Chance of a month with nothing: {with_ci(zero, '{:.0f}%', 100)} of months on"
                f" the platform ({AVERAGED})."),
    ))
    fail = est.fail_share
    cost = est.failed_unpaid_h
    after = f", after {_hours(cost)} unpaid" if cost > 0 else ""
    cards.append(Card(
        label="Failing onboarding",
        value=pct(fail[0]),
        plain=(f"{in_ten(fail[0], 'applicants').capitalize()} fail the assessment and earn"
               f" nothing{after}." if fail[0] > 0 else "No applicant failed the assessment."),
        detail=(f"Chance of failing onboarding: {with_ci(fail, '{:.0f}%', 100)} of applicants"
                f" ({AVERAGED})" + (f"; {_hours(cost)} unpaid each (the assessment)."
                                    if cost > 0 else ".")),
    ))
    return tuple(cards)
