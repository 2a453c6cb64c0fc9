"""When the money arrives, in an estimate's words: days to the first money, months with none.

With a pay schedule (``[pay]``), the verdict of ``gigsim estimate`` adds two lines after the
chance of a month with nothing (:func:`money_lines`), and its JSON a ``money_arriving`` entry
(:func:`money_dict`), from :class:`gigsim.studies.estimate_pay.MoneyArriving`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from gigsim.files import json_number
from gigsim.presentation.verdict import interval_dict
from gigsim.presentation.wording import days, with_ci
from gigsim.scenario import Scenario
from gigsim.scenario.pay import PaySchedule
from gigsim.scenario.units import HOURS_PER_DAY, format_duration

if TYPE_CHECKING:
    from gigsim.studies.estimate import Estimate


def pay_schedule(scenario: Scenario) -> str:
    """The scenario's pay schedules in words, e.g. ``paid every 2w, 1w after the period``.

    With several platforms, each one's, named: ``A paid every 1w; B paid as earned``.
    """
    several = len(scenario.platforms) > 1
    return "; ".join((f"{p.name} " if several else "") + _schedule(p.pay)
                     for p in scenario.platforms)


def _schedule(pay: PaySchedule | None) -> str:
    if pay is None:
        return "paid as earned"
    return (f"paid every {format_duration(pay.every_h)}"
            + (f", {format_duration(pay.lag_h)} after the period" if pay.lag_h else "")
            + (f", at least ${pay.minimum_usd:,.2f}" if pay.minimum_usd else ""))


def money_lines(est: Estimate) -> list[str]:
    """With a pay schedule: days to the first money and months with none arriving (else none)."""
    money = est.money
    if money is None or not money.onboarded:
        return []
    first = money.first_money
    median = (f"more than the {est.months} month(s) (fewer than half were paid within them)"
              if math.isnan(first.median) else days(first.median))
    return [
        f"  When the money arrives ({pay_schedule(est.scenario)}): the first money after {median}"
        f" from applying (median, Kaplan–Meier over the {money.onboarded} onboarded;"
        f" {with_ci(money.received_within_share, '{:.0f}%', 100)} of them received some within"
        f" the {est.months} month(s), a mean over replications).",
        "  Months with no money arriving once onboarded:"
        f" {with_ci(money.no_money_share, '{:.0f}%', 100)} of months on the platform (what"
        " arrived in the month, not what was earned; a mean over replications).",
    ]


def money_dict(est: Estimate) -> dict[str, Any] | None:
    """:func:`money_lines` as JSON-ready data (None without a pay schedule)."""
    money = est.money
    if money is None:
        return None
    first = money.first_money
    return {"schedule": pay_schedule(est.scenario), "text": money_lines(est),
            "first_money_median_days": json_number(first.median / HOURS_PER_DAY),
            "first_money_over": f"the {money.onboarded} onboarded, pooled over replications"
                                " (Kaplan–Meier; no money within the months: censored there)",
            "onboarded": money.onboarded, "received_within": money.received,
            "received_within_share": {**interval_dict(money.received_within_share),
                                      "of": "the onboarded, a mean over replications"},
            "no_money_arriving_month_share": {**interval_dict(money.no_money_share),
                                              "of": "months on the platform, a mean over"
                                                    " replications"}}
