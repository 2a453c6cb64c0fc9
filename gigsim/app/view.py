"""An answer as HTML: the verdict, the key figures, the charts and what they rest on."""

from __future__ import annotations

from htmltools import Tag, tags

from gigsim.app.answer import FIGURES, Answer, Figure, need_figure, verdict
from gigsim.app.inputs import MAX_REPLICATIONS
from gigsim.presentation.cards import Card
from gigsim.presentation.report import PHONE_MEDIA, data_uri

BY_PERIOD = FIGURES[:2]  # the charts by month, which show quarters where months are noise


def question_text(answer: Answer) -> str:
    """The question an answer is for, in words: role, hours, months and any platform change."""
    params = answer.params
    at_once = answer.estimate.max_projects
    projects = f" on up to {at_once} projects at once" if at_once > 1 else ""
    text = (f"{answer.role_label}: {params.hours_per_week:g} h a week{projects}, followed for"
            f" {params.months} month(s) from applying")
    changes = []
    if params.launches_per_week is not None:
        changes.append(f"{params.launches_per_week:g} project launches a week")
    if params.notice_share is not None:
        changes.append(f"{params.notice_share:.0%} of project ends with notice")
    if changes:
        text += " (with " + " and ".join(changes) + ")"
    est = answer.estimate
    if len(est.scenario.platforms) > 1:  # the platforms the cohort joins
        joined = next(g.platforms for g in est.scenario.workers if g.name == est.cohort_group)
        text += ", joining " + " and ".join(joined or ())
    return text + "."


def platforms_view(answer: Answer) -> Tag | str:
    """What the platforms after the first changed: the estimate's lines; none with one joined."""
    if not answer.platforms_change:
        return ""
    heading, *lines = answer.platforms_change
    title, _, against = heading.rstrip(":").partition(", against ")
    return tags.section(
        {"class": "gigsim-platforms-change", "id": "platforms-change"},
        tags.h3({"class": "gigsim-heading"}, title),
        tags.p({"class": "gigsim-help"}, f"Against {against}.") if against else "",
        tags.ul(*(tags.li(line.strip()) for line in lines)),
    )


def _chart(answer: Answer, chart: Figure) -> Tag:
    """A chart as a ``<picture>``: drawn narrow for a phone, wide otherwise."""
    caption: Tag | str = ""
    table_how = answer.estimate.periods[1]
    if chart.name in BY_PERIOD and table_how != "month by month":
        caption = tags.figcaption({"class": "gigsim-help"}, f"{table_how.capitalize()}.")
    return tags.figure(
        tags.picture(
            tags.source(media=PHONE_MEDIA, srcset=data_uri(chart.narrow_png)),
            tags.img(src=data_uri(chart.png), alt=chart.alt, **{"data-figure": chart.name}),
        ),
        caption,
    )


def cards_view(cards: tuple[Card, ...]) -> Tag:
    """The key figures as cards: the figure, plain words, then the statistics, smaller."""
    return tags.dl(
        {"class": "gigsim-figures"},
        *(tags.div({"class": "gigsim-figure"}, tags.dt(card.label),
                   tags.dd({"class": "gigsim-value"}, card.value),
                   tags.dd({"class": "gigsim-plain"}, card.plain),
                   tags.dd({"class": "gigsim-card-detail"}, card.detail))
          for card in cards),
    )


def need_view(answer: Answer, reference_wage_usd: float, monthly_need_usd: float | None,
              sentence: str | None) -> Tag | str:
    """What you need a month: the verdict's sentence and the exceedance curve; none without."""
    if monthly_need_usd is None or sentence is None:
        return ""
    return tags.section(
        {"class": "gigsim-need", "id": "need-answer"},
        tags.h3({"class": "gigsim-heading"}, "What you need a month"),
        tags.p({"class": "gigsim-need-text"}, sentence),
        tags.div({"class": "gigsim-charts"},
                 _chart(answer, need_figure(answer, reference_wage_usd, monthly_need_usd))),
    )


def answer_view(answer: Answer, reference_wage_usd: float, stale: bool = False,
                monthly_need_usd: float | None = None) -> Tag:
    """The answer to show; ``stale`` dims it while the answer to newer inputs is computed.

    ``monthly_need_usd`` adds what you need a month (:func:`need_view`).
    """
    read = verdict(answer, reference_wage_usd, monthly_need_usd)
    charts = tags.div(
        {"class": "gigsim-charts"},
        *(_chart(answer, chart) for chart in answer.figures),
        "" if answer.figures else tags.p({"class": "gigsim-drawing"}, "Drawing the figures…"),
    )
    more = ("" if answer.params.replications < MAX_REPLICATIONS else
            f" This is the most the app runs ({MAX_REPLICATIONS}); `gigsim estimate -r N`"
            " runs more.")
    return tags.div(
        {"class": "gigsim-answer" + (" gigsim-stale" if stale else ""),
         "aria-busy": "true" if stale else "false",
         "data-replications": str(answer.params.replications)},
        tags.p({"class": "gigsim-question"}, question_text(answer)),
        tags.p({"class": "gigsim-verdict", "id": "verdict"}, read.meaning),
        tags.p({"class": "gigsim-warning"}, read.warning) if read.warning else "",
        tags.p({"class": "gigsim-jump"}, tags.a({"href": "#question-heading"},
                                                "Change the question ↓")),
        tags.h3({"class": "gigsim-heading"}, read.heading),
        cards_view(read.cards),
        platforms_view(answer),
        need_view(answer, reference_wage_usd, monthly_need_usd, read.need),
        charts,
        *(tags.p({"class": "gigsim-detail"}, detail) for detail in read.details),
        tags.p({"class": "gigsim-based-on"}, read.based_on + more),
    )


def pinned_view(answer: Answer | None, reference_wage_usd: float, doing: str,
                stale: bool) -> Tag | str:
    """The verdict in a bar kept in sight on a narrow screen while the inputs are changed.

    ``doing`` says what is being computed, if anything.
    """
    if answer is None:
        return ""
    said = verdict(answer, reference_wage_usd).meaning
    return tags.div(
        tags.p({"class": "gigsim-pinned-doing"}, doing) if doing else "",
        tags.p({"class": "gigsim-pinned-verdict" + (" gigsim-stale" if stale else "")}, said),
    )
