"""The one place where the app reads :mod:`gigsim.estimate`: a question in, an answer out.

:func:`compute` runs :func:`gigsim.estimate.estimate` for a checked question and keeps what
the page shows: the estimate's own numbers (:meth:`~gigsim.estimate.Estimate.to_dict`, the
same that ``gigsim estimate --json`` prints) and its figures (from :mod:`gigsim.plots`) as PNG
bytes, small enough to cache and to send back from a worker process. :func:`verdict` reads
them, with the reference wage, into the sentences and the key figures of the page. Nothing
else in the app touches the estimate, so when the estimate changes what it reports, this
module is the only one to change.
"""

from __future__ import annotations

import io
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gigsim.app.inputs import Params, Role
from gigsim.estimate import estimate
from gigsim.plots import fan_chart_figure, survival_figure
from gigsim.scenario import load_scenario
from gigsim.statistics import t_interval
from gigsim.units import HOURS_PER_MONTH, HOURS_PER_WEEK

FIGURE_DPI = 90
WEEKS_PER_MONTH = HOURS_PER_MONTH / HOURS_PER_WEEK


@dataclass(frozen=True)
class Figure:
    """A figure of the answer: PNG bytes and the text that stands for it (``alt``)."""

    title: str
    png: bytes
    alt: str


@dataclass(frozen=True)
class Answer:
    """What the page shows for one question: the estimate's numbers and figures."""

    params: Params
    role_label: str
    numbers: dict[str, Any]  # Estimate.to_dict()
    set_aside_usd: tuple[float, float, float]  # income per hour set aside, mean and 95% CI
    figures: tuple[Figure, ...]
    elapsed_s: float


def compute(folder: Path, role: Role, params: Params,
            progress: Callable[[int], None] | None = None) -> Answer:
    """Run the estimate for ``params`` on ``role``'s scenario file in ``folder``.

    ``progress`` is called with 1 after each replication (it may raise to stop the run).
    """
    started = time.perf_counter()
    scenario = load_scenario(folder / role.file)
    scenario = scenario.with_overrides(params.overrides(role, scenario))
    est = estimate(scenario, role.group, params.hours_per_week, params.months,
                   replications=params.replications, progress=progress)
    numbers = est.to_dict()
    # Income per hour set aside (PRODUCT.md): mean monthly income ÷ the hours made available in
    # a month. The estimate does not report it yet; until it does, it is read here from the
    # estimate's own worker-months, a mean per replication with a t interval across them.
    per_rep = est.cohort_months.groupby("replication")["income_usd"].mean()
    hours = params.hours_per_week * WEEKS_PER_MONTH
    mean, low, high = t_interval((per_rep.reindex(range(est.replications)) / hours).tolist())
    set_aside = (mean, max(low, 0.0), high)  # money is never below 0
    figures = (_fan(est.monthly, params), _drought(est.drought))
    return Answer(params=params, role_label=role.label, numbers=numbers,
                  set_aside_usd=set_aside, figures=figures,
                  elapsed_s=time.perf_counter() - started)


def _png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=FIGURE_DPI)
    return buffer.getvalue()


def _fan(monthly: Any, params: Params) -> Figure:
    figure = fan_chart_figure(monthly)
    rows = monthly.to_dict(orient="records")
    medians = [row["p50_usd"] for row in rows if not math.isnan(row["p50_usd"])]
    alt = (f"Fan chart of monthly income by month since applying, months 1 to {params.months}:"
           f" the median runs from {_usd(min(medians))} to {_usd(max(medians))}"
           if medians else "Fan chart of monthly income by month since applying: no data")
    return Figure("Monthly income by month since applying", _png(figure), alt + ".")


def _drought(curve: Any) -> Figure:
    figure = survival_figure({"idle spells": curve},
                             title="Droughts after joining: idle spells (Kaplan–Meier)",
                             unit="weeks", what="drought")
    median = curve.median / HOURS_PER_WEEK
    alt = ("Drought curve: the share of idle spells between projects lasting longer than each"
           f" number of weeks, over {curve.n} spells; median "
           + ("beyond the data" if math.isnan(median) else f"{median:.1f} weeks") + ".")
    return Figure("Droughts: how long idle spells last", _png(figure), alt)


@dataclass(frozen=True)
class KeyFigure:
    """One figure of the verdict: a label, the value as read, and what it is over."""

    label: str
    value: str
    note: str


@dataclass(frozen=True)
class Verdict:
    """The sentence that answers the question, the key figures, and what they rest on."""

    sentence: str
    figures: tuple[KeyFigure, ...]
    based_on: str


def verdict(answer: Answer, reference_wage_usd: float) -> Verdict:
    """The verdict on ``answer`` against a job paying ``reference_wage_usd`` (0: none)."""
    n = answer.numbers
    hours = answer.params.hours_per_week
    months = answer.params.months
    p10, p50, p90 = (n["income_percentiles_usd"][k] for k in ("p10", "p50", "p90"))
    passing = n["pass_onboarding_share"]
    zero = _bounded(n["zero_income_months"]["expected_count"], months)
    any_zero = _bounded(n["zero_income_months"]["at_least_one_share"], 1.0)
    passing = _bounded(passing, 1.0)
    set_aside, set_low, set_high = answer.set_aside_usd

    compare = ""
    if reference_wage_usd > 0 and not math.isnan(set_aside):
        if not math.isnan(set_high) and set_high < reference_wage_usd:
            compare = f"less than the ${reference_wage_usd:,.2f}/h job pays for the same hours"
        elif not math.isnan(set_low) and set_low > reference_wage_usd:
            compare = f"more than the ${reference_wage_usd:,.2f}/h job pays for the same hours"
        else:
            compare = (f"about what the ${reference_wage_usd:,.2f}/h job pays for the same"
                       " hours (the interval covers it)")
    sentence = (f"At {hours:g} h a week, a typical month (median) brings {_usd(p50)}"
                f" (P10–P90 {_usd(p10)}–{_usd(p90)}): {_usd(set_aside, 2)} per hour set aside")
    sentence += f", {compare}." if compare else "."
    if passing["mean"] is not None:
        sentence += (f" Only {_pct(passing['mean'])} of applicants pass onboarding; the others"
                     " earn nothing.")
    if zero["mean"] is not None:
        sentence += f" Those who pass go {zero['mean']:.1f} of {months} months with no income."

    figures = [
        KeyFigure("Typical month", _usd(p50),
                  f"median monthly income; P10–P90 {_usd(p10)}–{_usd(p90)}, pooled over"
                  " the worker-months of those who pass onboarding"),
        KeyFigure("Income per hour set aside", _usd_h(set_aside),
                  f"95% CI {_usd_h(set_low)}–{_usd_h(set_high)}; monthly income ÷ the"
                  f" {hours * WEEKS_PER_MONTH:.0f} h a month you make available; mean of"
                  " replications"),
    ]
    if reference_wage_usd > 0:
        figures.append(KeyFigure(
            "Reference job", _usd_h(reference_wage_usd),
            f"{_usd(reference_wage_usd * hours * WEEKS_PER_MONTH)} a month for the same"
            f" {hours:g} h a week, every month"))
    figures += [
        KeyFigure("Months with no income", _interval(zero, "{:.1f}") + f" of {months}",
                  f"per worker who passes onboarding; {_interval(any_zero, '{:.0%}')} have"
                  " at least one; mean of replications"),
        KeyFigure("Failing onboarding", _interval(_complement(passing), "{:.0%}"),
                  "of applicants, who then earn nothing; mean of replications"),
    ]
    wage = n["hourly_wage_usd"]
    figures.append(KeyFigure(
        "Wage per hour worked", _interval(wage["effective"], "${:.2f}"),
        f"income ÷ hours worked, paid or unpaid; ${wage['advertised']:.2f}/h is the mean"
        " rate projects pay" if wage["advertised"] is not None else
        "income ÷ hours worked, paid or unpaid"))
    based_on = (f"Based on {n['replications']} replication(s) × {n['cohort_per_replication']}"
                f" applicants ({n['applicants']} in all, {n['onboarded']} passed onboarding),"
                f" seed {n['seed']}, scenario {n['scenario']}; intervals are 95%.")
    return Verdict(sentence, tuple(figures), based_on)


def _bounded(value: dict[str, float | None], top: float) -> dict[str, float | None]:
    """An interval clipped to [0, ``top``], the possible values.

    A t interval across few replications can reach past them (until the estimate bounds its
    intervals itself).
    """
    return {key: None if x is None else min(max(x, 0.0), top) for key, x in value.items()}


def _complement(value: dict[str, float | None]) -> dict[str, float | None]:
    def one_minus(x: float | None) -> float | None:
        return None if x is None else 1.0 - x

    return {"mean": one_minus(value["mean"]), "ci_low": one_minus(value["ci_high"]),
            "ci_high": one_minus(value["ci_low"])}


def _interval(value: dict[str, float | None], fmt: str) -> str:
    mean, low, high = value["mean"], value["ci_low"], value["ci_high"]
    if mean is None:
        return "n/a"
    text = fmt.format(mean)
    if low is not None and high is not None:
        text += f" (95% CI {fmt.format(low)}–{fmt.format(high)})"
    return text


def _pct(value: float) -> str:
    return f"{value:.0%}"


def _usd(value: float | None, decimals: int = 0) -> str:
    return "n/a" if value is None or math.isnan(value) else f"${value:,.{decimals}f}"


def _usd_h(value: float | None) -> str:
    return "n/a" if value is None or math.isnan(value) else f"${value:,.2f}/h"
