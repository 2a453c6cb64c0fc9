"""How a comparison reads in the terminal: values with their units, the table, the reading.

:func:`format_metric` gives each metric one precision wherever it is printed;
:func:`format_table` lays out :attr:`gigsim.studies.comparison.Comparison.table`;
:func:`reading` writes, per variant and group, one sentence naming what it improves and what it
worsens beyond its 95% interval, computed from the same table.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from gigsim.analysis.applicants import ALL, BETTER, KNOWN_METRICS
from gigsim.scenario.units import duration_for_person

# What a sentence calls a metric (the column names stay in the table above it).
LABELS: dict[str, str] = {
    "applicant_income_usd": "income per applicant per month followed",
    "applicant_stay_share": "applicants still on the platform at the end of follow-up",
    "applicant_zero_month_share": "applicant-months with no income",
    "applicant_latency_median_h": "median reassignment latency of applicants",
    "applicant_exit_failed_assessment_share": "applicants failing the assessment",
    "applicant_exit_impatience_share": "applicants leaving out of impatience",
    "applicant_exit_hazard_share": "applicants leaving by the leave hazard",
    "applicant_never_paid_share": "applicants never paid",
    "applicant_income_gini": "Gini of income across applicants",
    "applicant_bottom20_income_usd": "income per month of the poorest fifth of applicants",
    "income_mean_usd": "income per worker-month on the platform",
}


def format_metric(metric: str, value: float, difference: bool = False) -> str:
    """A metric's value for the terminal: dollars, percent (pp for differences), or a number.

    Each metric has one precision wherever it is printed: dollars to the cent, shares to a
    tenth of a percent, durations in days to a tenth (hours to a tenth under a day, as
    :func:`~gigsim.scenario.units.duration_for_person`), seat-hours and counts whole, ratios
    (the Gini coefficients among them) to three decimals. Seat-hours are bare numbers; the
    metric's description names the unit.
    """
    if math.isnan(value):
        return "n/a"
    size = abs(value)
    if metric.endswith("_usd"):
        text = f"${size:,.2f}"
    elif metric.endswith("_share"):
        text = f"{100 * size:.1f}{' pp' if difference else '%'}"
    elif metric.endswith(("_seat_h", "_count")):
        text = f"{size:,.0f}"
    elif metric.endswith("_h"):
        text = duration_for_person(size)
    else:
        text = f"{size:.3f}"
    if not any(c in "123456789" for c in text):  # rounds to zero: no sign
        return text
    return ("−" if value < 0 else "+" if difference else "") + text


def shown_description(metric: str) -> str:
    """A metric's description as printed beside values formatted by :func:`format_metric`.

    Durations are stored in hours (the ``_h`` columns) but printed in days, so the unit the
    description names is the printed one.
    """
    description = KNOWN_METRICS[metric]
    if metric.endswith("_h") and not metric.endswith("_seat_h"):
        description = description.replace("(hours)", "(days; hours under a day; the tables"
                                                     " keep hours)")
    return description


def with_interval(metric: str, mean: float, low: float, high: float,
                  difference: bool = False) -> str:
    """``mean [low, high]`` as :func:`format_metric` prints them (no interval when unknown).

    A bound of a difference that is not 0 but rounds to it keeps its sign (``−0.0 pp``), so
    that an interval that excludes 0 is seen to.
    """
    text = format_metric(metric, mean, difference)
    if math.isnan(low):
        return text
    return f"{text} [{_bound(metric, low, difference)}, {_bound(metric, high, difference)}]"


def _bound(metric: str, value: float, difference: bool) -> str:
    text = format_metric(metric, value, difference)
    if difference and value != 0 and text[0] not in "+−":
        return ("−" if value < 0 else "+") + text
    return text


Rows = Mapping[tuple[str, str, str], Mapping[str, Any]]  # (metric, group, variant) -> row


def format_table(rows: Rows, metrics: Sequence[str], groups: Sequence[str],
                 variants: Sequence[str], level: float) -> list[str]:
    """The lines of the table: per metric, a row per group and variant (mean, vs first, saved).

    Rows missing from ``rows`` (the project metrics have no per-group rows) are skipped.
    """
    reference = variants[0]
    lines: list[str] = []
    for metric in metrics:
        lines += ["", f"{metric}: {shown_description(metric)}"]
        head = ("variant", "group", f"mean [{level:.0%} CI]", f"vs {reference} [{level:.0%} CI]",
                "pairing saves")
        table: list[tuple[str, ...]] = [head]
        for group in groups:
            for name in variants:
                row = rows.get((metric, group, name))
                if row is None:
                    continue
                table.append((
                    name, group,
                    with_interval(metric, row["mean"], row["ci_low"], row["ci_high"]),
                    "" if name == reference else with_interval(
                        metric, row["diff_vs_first"], row["diff_ci_low"], row["diff_ci_high"],
                        difference=True),
                    "" if name == reference or math.isnan(row["variance_reduction"])
                    else f"{row['variance_reduction']:.1%}",
                ))
        if len(groups) == 1:  # one group: no group column
            table = [r[:1] + r[2:] for r in table]
        last = len(table[0]) - 1
        widths = [max(len(r[i]) for r in table) for i in range(len(table[0]))]
        for r in table:
            lines.append("  " + "  ".join(text.ljust(w) if i < last else text.rjust(w)
                                          for i, (text, w) in enumerate(zip(r, widths,
                                                                             strict=True))
                                          ).rstrip())
    return lines


def _beyond(row: Mapping[str, Any]) -> int:
    """+1 or −1 when the difference's interval lies wholly above or below 0, else 0."""
    low, high = row["diff_ci_low"], row["diff_ci_high"]
    if math.isnan(low) or math.isnan(high):
        return 0
    return 1 if low > 0 else -1 if high < 0 else 0


def _change(metric: str, row: Mapping[str, Any]) -> str:
    """``label ±difference``, as a reading names a change.

    A difference beyond its interval that rounds to 0 at the metric's precision gets two
    significant digits, so that the sentence never calls "0.000" a change.
    """
    value = row["diff_vs_first"]
    text = format_metric(metric, value, difference=True)
    if value != 0 and not any(c in "123456789" for c in text):
        digits = f"{abs(value) * (100 if metric.endswith('_share') else 1):.2g}"
        text = ("−" if value < 0 else "+") + re.sub(r"[\d.,]+", digits, text, count=1)
    return f"{LABELS.get(metric, metric)} {text}"


def sentence(rows: Rows, metrics: Sequence[str], group: str, variant: str,
             reference: str) -> str:
    """What ``variant`` improves and worsens against ``reference`` for ``group``'s applicants.

    A metric counts when its paired 95% interval lies wholly on one side of 0; better or
    worse by :data:`~gigsim.analysis.applicants.BETTER`. When income per
    worker-month on the platform rises beyond its interval while income per applicant does
    not, the sentence says so, and, when fewer applicants stay beyond its interval, that the
    months of those who left no longer count. A group with no applicant in the cohort says so
    and gives its income per worker-month alone.
    """
    per_month = rows.get(("income_mean_usd", group, variant))
    per_applicant = rows.get(("applicant_income_usd", group, variant))
    count = rows.get(("applicant_count", group, reference))
    if count is not None and count["mean"] == 0:
        return _without_applicants(group, variant, reference, per_month)
    survivors = (per_month is not None and per_applicant is not None
                 and _beyond(per_month) > 0 and _beyond(per_applicant) <= 0)
    better, worse = [], []
    for metric in metrics:
        row = rows.get((metric, group, variant))
        if row is None or metric not in BETTER or (survivors and metric == "income_mean_usd"):
            continue
        side = _beyond(row) * BETTER[metric]
        if side > 0:
            better.append(_change(metric, row))
        elif side < 0:
            worse.append(_change(metric, row))
    who = "all applicants" if group == ALL else f"{group}"
    text = f"{variant} vs {reference}, {who}: "
    if not better and not worse:
        text += "no metric shown differs beyond its 95% interval"
    else:
        parts = []
        if better:
            parts.append("better: " + ", ".join(better))
        if worse:
            parts.append("worse: " + ", ".join(worse))
        text += "; ".join(parts)
    if survivors and per_month is not None and per_applicant is not None:
        verb = "falls" if _beyond(per_applicant) < 0 else "does not rise beyond its interval"
        shown = format_metric("income_mean_usd", per_month["diff_vs_first"], True)
        own = format_metric("applicant_income_usd", per_applicant["diff_vs_first"], True)
        text += (f"; income per worker-month on the platform shows {shown}, but income per"
                 f" applicant {verb} ({own}): ")
        stay = rows.get(("applicant_stay_share", group, variant))
        if stay is not None and _beyond(stay) < 0:
            fewer = format_metric("applicant_stay_share", stay["diff_vs_first"], True)
            text += (f"fewer applicants stay ({fewer}), and the months of those who left no"
                     " longer count per worker-month")
        else:
            text += ("per worker-month figures average over whoever is on the platform, of"
                     " every tenure, not over the people who applied")
    return text + "."


def _without_applicants(group: str, variant: str, reference: str,
                        per_month: Mapping[str, Any] | None) -> str:
    """The sentence of a group none of whose workers applied in the window.

    Such a group (all there at the start, say) has no per-applicant figures, only its months
    on the platform.
    """
    text = (f"{variant} vs {reference}, {group}: no applicant of this group in the cohort (none"
            " joined in the window), so no per-applicant figure")
    if per_month is not None and not math.isnan(per_month["diff_vs_first"]):
        change = with_interval("income_mean_usd", per_month["diff_vs_first"],
                               per_month["diff_ci_low"], per_month["diff_ci_high"],
                               difference=True)
        verdict = "" if _beyond(per_month) else ", not beyond its interval"
        text += f"; its income per worker-month on the platform {change}{verdict}"
    return text + "."


def reading(rows: Rows, metrics: Sequence[str], groups: Sequence[str],
            variants: Sequence[str]) -> list[str]:
    """One sentence per variant (after the first) and group: the reading under the table."""
    reference = variants[0]
    lines = ["", f"reading (differences whose 95% interval excludes 0, against {reference}):"]
    for variant in variants[1:]:
        for group in groups:
            lines.append("  " + sentence(rows, metrics, group, variant, reference))
    return lines
