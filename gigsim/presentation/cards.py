"""The key figures of an estimate as cards for a page: plain words first, statistics after.

A card is one line of the verdict (:func:`gigsim.presentation.verdict.verdict_lines`, worded for
a page), in three parts: the figure (``value``), what it means in words a worker uses
(``plain``), and then, as a detail line, the verdict's own text after its label: how it was
computed, with the percentiles, the 95% interval, what was pooled and what averaged
(``detail``). So every number and every statistic is the one ``gigsim estimate`` prints, in
the verdict's order (what an applicant can expect first). The worker's page
(:func:`gigsim.presentation.report.build_worker_page`) and ``gigsim app`` show the same cards.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gigsim.presentation.verdict import BEHIND, money, pct, verdict_lines

if TYPE_CHECKING:
    from gigsim.studies.estimate import Estimate


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


def _applicant(est: Estimate) -> tuple[str, str]:
    month, hour = est.income_per_applicant_month[0], est.income_per_applicant_hour[0]
    return (f"{money(month)} a month",
            f"Counting everyone who applies, those who fail onboarding or leave included:"
            f" {money(hour, cents=True)} for each hour you set aside.")


def _reference(est: Estimate) -> tuple[str, str]:
    return (f"{money(est.reference_monthly_usd)} a month",
            f"A job at ${est.reference_wage_usd:.2f} an hour, for the same"
            f" {est.hours_set_aside_per_month:.1f} h a month.")


def _onboarding(est: Estimate) -> tuple[str, str]:
    test = est.assessment
    fail = est.fail_share[0]
    if test is None:
        return "none", "There is no assessment: every applicant is onboarded."
    if not est.failed_applicants:
        return pct(fail), "No applicant failed the assessment."
    who = in_ten(fail, "applicants").capitalize()
    if test.paid:
        return pct(fail), (f"{who} fail the assessment; they are paid for it"
                           f" ({money(est.failed_income_usd, cents=True)}) and nothing after.")
    return pct(fail), (f"{who} fail the assessment and earn nothing, after"
                       f" {_hours(est.failed_unpaid_h)} unpaid.")


def _typical(est: Estimate) -> tuple[str, str]:
    p10, p50, p90 = est.income_percentiles
    return money(p50), (f"Once onboarded, 8 in 10 months bring between {money(p10)} and"
                        f" {money(p90)}.")


def _per_hour(est: Estimate) -> tuple[str, str]:
    return (money(est.income_per_hour_set_aside[0], cents=True),
            f"Once onboarded, {money(est.income_per_month_followed[0])} a month on average,"
            " counted from the day you apply, weeks without work included.")


def _nothing(est: Estimate) -> tuple[str, str]:
    zero = est.zero_month_share[0]
    return (pct(zero), f"{in_ten(zero, 'months').capitalize()} on the platform bring nothing"
                       " at all.")


# the verdict's lines by their label: the figure and the plain words of each
PLAIN: dict[str, Callable[[Estimate], tuple[str, str]]] = {
    "What an applicant can expect": _applicant,
    "Reference job": _reference,
    "Chance of failing onboarding": _onboarding,
    "Typical month once onboarded": _typical,
    "Income per hour set aside once onboarded": _per_hour,
    "Chance of a month with nothing once onboarded": _nothing,
}


def key_cards(est: Estimate) -> tuple[Card, ...]:
    """The cards of ``est``: one per line of its verdict between the heading and the meaning.

    A line without plain words here (a new one) still gets a card: its text as the detail.
    """
    cards = []
    for line in verdict_lines(est, for_page=True)[1:-1]:
        label, _, text = line.strip().partition(": ")
        if label == BEHIND:  # not a figure: the page says it with what the answer rests on
            continue
        value, plain = PLAIN[label](est) if label in PLAIN else ("", "")
        cards.append(Card(label=label, value=value, plain=plain,
                          detail=text[:1].upper() + text[1:]))
    return tuple(cards)
