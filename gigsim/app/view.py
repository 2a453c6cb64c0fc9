"""An answer as HTML: the verdict, the key figures, the charts and what they rest on."""

from __future__ import annotations

import base64

from htmltools import Tag, tags

from gigsim.app.answer import Answer, verdict
from gigsim.app.inputs import MAX_REPLICATIONS


def question_text(answer: Answer) -> str:
    """The question an answer is for, in words: role, hours, months and any platform change."""
    params = answer.params
    text = (f"{answer.role_label}: {params.hours_per_week:g} h a week, followed for"
            f" {params.months} month(s) from applying")
    changes = []
    if params.launches_per_week is not None:
        changes.append(f"{params.launches_per_week:g} project launches a week")
    if params.notice_share is not None:
        changes.append(f"{params.notice_share:.0%} of project ends with notice")
    if changes:
        text += " (with " + " and ".join(changes) + ")"
    return text + "."


def answer_view(answer: Answer, reference_wage_usd: float, stale: bool = False) -> Tag:
    """The answer to show; ``stale`` dims it while the answer to newer inputs is computed."""
    read = verdict(answer, reference_wage_usd)
    figures = tags.dl(
        {"class": "gigsim-figures"},
        *(tags.div({"class": "gigsim-figure"}, tags.dt(figure.label),
                   tags.dd(figure.text))
          for figure in read.figures),
    )
    charts = tags.div(
        {"class": "gigsim-charts"},
        *(tags.figure(
            tags.img(src="data:image/png;base64," + base64.b64encode(chart.png).decode("ascii"),
                     alt=chart.alt, **{"data-figure": chart.name}))
          for chart in answer.figures),
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
        tags.h3({"class": "gigsim-heading"}, read.heading),
        figures,
        charts,
        *(tags.p({"class": "gigsim-detail"}, detail) for detail in read.details),
        tags.p({"class": "gigsim-based-on"}, read.based_on + more),
    )
