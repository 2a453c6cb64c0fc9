"""What joining more platforms changed, in an estimate's words (``--platforms A,B``).

:func:`platforms_lines` are the lines ``gigsim estimate --platforms`` prints after the
verdict, :func:`platforms_dict` the same as JSON-ready data, both from
:class:`gigsim.studies.estimate_platforms.PlatformsEffect`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from gigsim.files import json_number
from gigsim.presentation.wording import days, money, pct
from gigsim.scenario.units import HOURS_PER_DAY

if TYPE_CHECKING:
    from gigsim.analysis.statistics import PairedDifference
    from gigsim.studies.estimate import Estimate
    from gigsim.studies.estimate_platforms import PlatformsEffect

CHANGES_ARE = ("joined − alone, replication by replication, a mean over replications with"
               " its 95% interval")


def _signed(value: float, fmt: str) -> str:
    """``value`` with its sign, a true minus for negatives: ``+3``, ``−$1.15``."""
    return ("−" if value < 0 else "+") + fmt.format(abs(value))


def _change(diff: PairedDifference, fmt: str, scale: float = 1.0, unit: str = "") -> str:
    """A paired change with its 95% interval: ``−9 points, 95% CI −21 to +2``."""
    if math.isnan(diff.mean):
        return "n/a"
    text = _signed(scale * diff.mean, fmt) + unit
    if not math.isnan(diff.ci_low):
        text += (f", 95% CI {_signed(scale * diff.ci_low, fmt)} to"
                 f" {_signed(scale * diff.ci_high, fmt)}")
    return text


def _points(diff: PairedDifference) -> str:
    """A change of share in percentage points, with its interval."""
    return _change(diff, "{:.0f}", 100, " points")


def _dollars(diff: PairedDifference) -> str:
    return _change(diff, "${:,.2f}")


def _zero(est: Estimate) -> float:
    return est.zero_month_share[0]


def _first_money(value: float, est: Estimate) -> str:
    if math.isnan(value):
        return f"more than the {est.months} month(s)"
    return days(value * HOURS_PER_DAY)


def platforms_lines(effect: PlatformsEffect) -> list[str]:
    """The comparison: months with nothing, income per hour set aside, days to first money."""
    alone, joined = effect.alone, effect.joined
    added = ", ".join(effect.added)
    lines = [
        f"What joining {added} as well changed, against the same cohort joining"
        f" {effect.first} only (same seeds, {joined.replications} replications paired;"
        f" changes are {CHANGES_ARE}):",
        f"  Months with no income once onboarded: {pct(_zero(alone))} alone →"
        f" {pct(_zero(joined))} joined ({_points(effect.zero_month)}) of their months on the"
        " platforms, a mean over replications.",
    ]
    if effect.no_money is not None and alone.money is not None and joined.money is not None:
        lines.append(
            f"  Months with no money arriving: {pct(alone.money.no_money_share[0])} →"
            f" {pct(joined.money.no_money_share[0])} ({_points(effect.no_money)}) of the same"
            " months (what arrived in the month, not what was earned).")
    before, after = effect.first_money_days
    lines += [
        f"  Income per hour set aside once onboarded:"
        f" {money(alone.income_per_hour_set_aside[0], cents=True)} →"
        f" {money(joined.income_per_hour_set_aside[0], cents=True)}"
        f" ({_dollars(effect.per_hour)}): income ÷ (weekly hours × weeks from applying to"
        " leaving or the end).",
        f"  Days from applying to the first {effect.first_money_what}:"
        f" median {_first_money(before, alone)} → {_first_money(after, joined)} (Kaplan–Meier"
        f" over the {alone.onboarded} and {joined.onboarded} onboarded, pooled over"
        " replications).",
        f"  Onboarded: {pct(alone.pass_share[0])} → {pct(joined.pass_share[0])} of applicants"
        f" (joined: on at least one platform), so the figures once onboarded are over"
        " different workers.",
    ]
    return lines


def _difference(diff: PairedDifference, of: str) -> dict[str, Any]:
    return {"mean": json_number(diff.mean), "ci_low": json_number(diff.ci_low),
            "ci_high": json_number(diff.ci_high), "replications": diff.n, "of": of}


def platforms_dict(effect: PlatformsEffect) -> dict[str, Any]:
    """:func:`platforms_lines` as JSON-ready data."""
    alone, joined = effect.alone, effect.joined
    before, after = effect.first_money_days
    months_of = "months on the platforms of the onboarded, a mean over replications"
    out: dict[str, Any] = {
        "platforms": list(effect.platforms), "alone": effect.first,
        "changes_are": CHANGES_ARE, "text": platforms_lines(effect),
        "zero_month_share": {"alone": json_number(_zero(alone)),
                             "joined": json_number(_zero(joined)),
                             "change": _difference(effect.zero_month, months_of)},
        "income_per_hour_set_aside_usd": {
            "alone": json_number(alone.income_per_hour_set_aside[0]),
            "joined": json_number(joined.income_per_hour_set_aside[0]),
            "change": _difference(effect.per_hour, "income ÷ (weekly hours × weeks from"
                                                   " applying to leaving or the end), once"
                                                   " onboarded")},
        "first_money_median_days": {
            "alone": json_number(before), "joined": json_number(after),
            "first": effect.first_money_what,
            "of": "the onboarded of each run, pooled over replications (Kaplan–Meier)"},
        "onboarded_share": {"alone": json_number(alone.pass_share[0]),
                            "joined": json_number(joined.pass_share[0]),
                            "of": "applicants; joined: onboarded on at least one platform"},
    }
    if effect.no_money is not None and alone.money is not None and joined.money is not None:
        out["no_money_arriving_month_share"] = {
            "alone": json_number(alone.money.no_money_share[0]),
            "joined": json_number(joined.money.no_money_share[0]),
            "change": _difference(effect.no_money, months_of)}
    return out
