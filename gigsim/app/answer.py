"""The one place where the app reads :mod:`gigsim.studies.estimate`: a question in, an answer out.

:func:`compute` runs :func:`gigsim.studies.estimate.estimate` for a checked question and keeps the
:class:`~gigsim.studies.estimate.Estimate` without its tables (``results``: tens of megabytes),
small enough to cache and to send back from a worker process, with its figures
(:mod:`gigsim.presentation.figures.estimate`) as PNG bytes. :func:`verdict` reads the estimate's own
verdict, for the page's reference wage, into the parts the page lays out; every number and every
word of it is the estimate's, worded for a page (``gigsim estimate`` prints the same lines, naming
its options where the page says what they set), so the app defines no figure of its own.
When the estimate changes what it reports, this is the module to change.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import cast

from gigsim.analysis.results import Results
from gigsim.app.inputs import Params, Role
from gigsim.presentation.cards import Card, key_cards
from gigsim.presentation.figures.estimate import estimate_figures
from gigsim.presentation.need import need_sentence
from gigsim.presentation.platforms import platforms_lines
from gigsim.presentation.report import for_both_widths
from gigsim.presentation.verdict import (
    based_on,
    days,
    market_sentence,
    meaning,
    money,
    pct,
    verdict_lines,
    warning,
    who_is_followed,
)
from gigsim.scenario import load_scenario
from gigsim.studies.estimate import Estimate
from gigsim.studies.estimate_platforms import estimate_platforms
from gigsim.studies.estimate_rounds import headline_widths
from gigsim.studies.need import NeedData, need_data, need_from

FIGURE_DPI = 80  # the wide figures are shown at the size they are drawn: 7 in, 560 px
# the estimate's figures the page shows, with the words that stand for each one (alt text)
FIGURES = ("income_fan", "zero_income", "drought_survival")


@dataclass(frozen=True)
class Figure:
    """A figure of the answer: PNGs for a wide screen and a phone, and words (``alt``).

    ``narrow_png`` is the same figure drawn narrow, for a phone's width.
    """

    name: str
    png: bytes
    narrow_png: bytes
    alt: str


@dataclass(frozen=True)
class Answer:
    """What the page shows for one question: the estimate (without its tables) and figures."""

    params: Params
    role_label: str
    estimate: Estimate
    figures: tuple[Figure, ...]
    elapsed_s: float
    need_data: NeedData | None = None  # what any monthly need is read from (studies.need)
    # with several platforms joined: what those after the first changed (presentation.platforms)
    platforms_change: tuple[str, ...] = ()


def compute(folder: Path, role: Role, params: Params,
            progress: Callable[[int], None] | None = None,
            numbers: Callable[[Answer], None] | None = None) -> Answer:
    """Run the estimate for ``params`` on ``role``'s scenario file in ``folder``.

    ``progress`` is called with 1 after each replication (it may raise to stop the run).
    ``numbers`` is called with the answer without its figures as soon as the estimate is
    done, before the figures are drawn (they take about as long again).
    """
    started = time.perf_counter()
    scenario = load_scenario(folder / role.file)
    scenario = scenario.with_overrides(params.overrides(role, scenario))
    joined = role.joined(params)
    est, effect = estimate_platforms(scenario, role.group, joined or None, params.hours_per_week,
                                     params.months, replications=params.replications,
                                     progress=progress, max_projects=params.max_projects)
    change = () if effect is None else tuple(platforms_lines(effect))
    # The tables stay behind: the verdict, the monthly rows and the curves are all the page
    # reads, and they are fields of the estimate.
    slim = replace(est, results=cast(Results, None))
    need = need_data(est)
    if numbers is not None:
        numbers(Answer(params=params, role_label=role.label, estimate=slim, figures=(),
                       elapsed_s=time.perf_counter() - started, need_data=need,
                       platforms_change=change))
    drawn = for_both_widths(lambda: estimate_figures(est, FIGURES), dpi=FIGURE_DPI)
    figures = tuple(Figure(name, drawn[name][1], drawn[name][2], _alt(name, est))
                    for name in FIGURES)
    return Answer(params=params, role_label=role.label, estimate=slim, figures=figures,
                  elapsed_s=time.perf_counter() - started, need_data=need,
                  platforms_change=change)


def _alt(name: str, est: Estimate) -> str:
    """What a figure shows, in words, for those who cannot see it.

    The charts by month show the rows the text shows (``Estimate.periods``): months, or
    quarters where a single month's interval is wider than its mean.
    """
    table, how = est.periods
    by = "month" if how == "month by month" else "quarter"
    pooled = "" if by == "month" else " (a single month's interval was wider than its mean)"
    if name == "income_fan":
        medians = [v for v in table["p50_usd"] if not math.isnan(v)]
        span = (f"the median runs from {money(min(medians))} to {money(max(medians))}"
                if medians else "no income data")
        return (f"Fan chart of monthly income by {by} since applying{pooled}, months 1 to"
                f" {est.months}, with the P10–P90 band: {span}.")
    if name == "zero_income":
        shares = [v for v in table["zero_share"] if not math.isnan(v)]
        span = f"from {pct(min(shares))} to {pct(max(shares))}" if shares else "no data"
        return (f"Bar chart of the chance of a month with no income, by {by} since"
                f" applying{pooled}, with 95% intervals: {span}.")
    drought = est.drought
    return ("Drought curve: the share of idle spells between projects lasting longer than"
            f" each number of days, over {drought.n} spells; median"
            f" {days(drought.median, drought.longest_h)}.")  # as gigsim estimate says it


@dataclass(frozen=True)
class Verdict:
    """The estimate's verdict for a reference wage, in the parts the page lays out.

    ``heading`` and ``meaning`` are the verdict's first and last lines, ``cards`` its key
    figures in plain words with the statistics in a detail line
    (:func:`gigsim.presentation.cards.key_cards`, as on the worker's page); ``details`` who is
    followed and how the cohort differs from the market; ``warning`` the estimate's warning
    about too few replications, if any.
    """

    heading: str
    meaning: str
    cards: tuple[Card, ...]
    details: tuple[str, ...]
    based_on: str
    warning: str | None
    need: str | None = None  # how often a month reaches the need; None without one


def with_reference(answer: Answer, reference_wage_usd: float,
                   monthly_need_usd: float | None = None) -> Estimate:
    """The answer's estimate, read against a job paying ``reference_wage_usd`` (0: none).

    The reference wage and the monthly need change only how the estimate is read, not what
    was simulated: the need is read off :attr:`Answer.need_data` (None: no need).
    """
    est = replace(answer.estimate, reference_wage_usd=float(reference_wage_usd))
    if monthly_need_usd is None or answer.need_data is None:
        return est
    return replace(est, need=need_from(answer.need_data, monthly_need_usd,
                                       est.reference_monthly_usd))


NEED_FIGURES: dict[tuple[int, float, float], tuple[Answer, Figure]] = {}
NEED_FIGURES_KEPT = 32


def need_figure(answer: Answer, reference_wage_usd: float, monthly_need_usd: float) -> Figure:
    """The exceedance curve for a need, drawn for both widths; the last few are kept."""
    key = (id(answer), float(reference_wage_usd), float(monthly_need_usd))
    if key in NEED_FIGURES:
        return NEED_FIGURES[key][1]
    est = with_reference(answer, reference_wage_usd, monthly_need_usd)
    need = est.need
    assert need is not None
    drawn = for_both_widths(lambda: estimate_figures(est, ("exceedance",)), dpi=FIGURE_DPI)
    p50 = need.exceedance["onboarded_share"]
    alt = (f"Curve of the share of months with at least each income, once onboarded and for"
           f" an applicant, with 95% bands, from {pct(float(p50.iloc[0]))} at $0; the need,"
           f" {money(need.monthly_need_usd)}, is reached in"
           f" {pct(need.onboarded_share[0])} of an onboarded worker's months and"
           f" {pct(need.applicant_share[0])} of an applicant's.")
    figure = Figure("exceedance", drawn["exceedance"][1], drawn["exceedance"][2], alt)
    while len(NEED_FIGURES) >= NEED_FIGURES_KEPT:
        NEED_FIGURES.pop(next(iter(NEED_FIGURES)))
    NEED_FIGURES[key] = (answer, figure)  # the answer kept with it: its id stays its own
    return figure


def verdict(answer: Answer, reference_wage_usd: float,
            monthly_need_usd: float | None = None) -> Verdict:
    """The verdict of ``answer`` against a job paying ``reference_wage_usd`` (0: none).

    With ``monthly_need_usd``, ``need`` says how often a month reaches it.
    """
    est = with_reference(answer, reference_wage_usd, monthly_need_usd)
    heading = verdict_lines(est, for_page=True)[0].strip()
    return Verdict(heading=heading, meaning=meaning(est), cards=key_cards(est),
                   details=(who_is_followed(est, for_page=True),
                            market_sentence(est, for_page=True)),
                   based_on=(f"{based_on(est)}; scenario {est.scenario.name}. Intervals are 95%;"
                             f" on this fixed count (no precision asked):"
                             f" {headline_widths(est.headline_checks)}."),
                   warning=warning(est, for_page=True),
                   need=None if est.need is None else need_sentence(est, for_page=True))
