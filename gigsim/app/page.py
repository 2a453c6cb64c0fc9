"""The page: its layout, style and the one small script it needs, all served by the app itself.

Two columns from 960 px (the question beside the answer, whose charts are then shown at the
560 px they are drawn); one column below, the answer first, with its verdict kept in a bar at
the bottom of the screen while the reader is down at the inputs, so that a change is seen as
it lands. Below 600 px the charts are the ones drawn for a phone's width. Every control is a
native form control with a visible label, so the page works with the keyboard alone and with
a screen reader; the hours are a native range input (a Shiny input binding below), which the
arrow keys move. Colours are black, greys and one blue that stays distinct from grey in
grey-scale print; nothing is said by colour alone.
"""

from __future__ import annotations

from typing import cast

from htmltools import Tag, TagList, tags
from shiny import ui

from gigsim.app.inputs import (
    DEFAULT_HOURS_PER_WEEK,
    DEFAULT_MONTHS,
    DEFAULT_REFERENCE_WAGE_USD,
    FIRST_REPLICATIONS,
    MAX_MONTHLY_NEED_USD,
    MAX_MONTHS,
    MAX_REFERENCE_WAGE_USD,
    Role,
)

HOURS_SLIDER_MAX = 80

STYLE = """
:root { --ink: #111; --muted: #444; --line: #999; --accent: #0b4f8a; --paper: #fff; }
* { box-sizing: border-box; }
/* clip, not hidden: hidden makes the body a scroll container, and the verdict's bar below
   would no longer stick to the screen */
html, body { max-width: 100%; overflow-x: clip; margin: 0; }
body { color: var(--ink); background: var(--paper); line-height: 1.4;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans",
  sans-serif; }
label { display: block; margin-bottom: .25rem; }
input[type="number"], select { width: 100%; font: inherit; padding: .35rem .5rem;
  border: 1px solid var(--muted); border-radius: .3rem; background: var(--paper);
  color: var(--ink); }
button.action-button { font: inherit; padding: .45rem 1rem; border: 2px solid var(--ink);
  border-radius: .3rem; background: var(--paper); color: var(--ink); cursor: pointer; }
button.action-button:hover { background: #eee; }
button.action-button:disabled { border-style: dashed; color: var(--muted); cursor: default; }
code { font-size: .95em; }
.gigsim-app { max-width: 72rem; margin: 0 auto; padding: 1rem; }
.gigsim-app h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
.gigsim-app h2 { font-size: 1.2rem; margin: 0 0 .5rem; }
.gigsim-grid { display: grid; grid-template-columns: minmax(0, 1fr); gap: 1.5rem;
  align-items: start; }
/* one column, the answer first, below the width at which the answer's column holds a chart
   at the 560 px it is drawn */
.gigsim-results { order: -1; }
.gigsim-jump { margin: 0 0 .75rem; }
@media (min-width: 60rem) {
  .gigsim-grid { grid-template-columns: 21rem minmax(0, 1fr); }
  .gigsim-results { order: 0; }
  .gigsim-jump { display: none; }
}
/* the verdict in sight at the bottom of a narrow screen while the verdict itself is not */
.gigsim-pinned { display: none; }
@media (max-width: 59.99rem) {
  .gigsim-verdict-hidden .gigsim-pinned { display: block; position: sticky; bottom: 0;
    background: var(--paper); border-top: 3px solid var(--accent); padding: .5rem 1rem;
    margin: 0 -1rem; font-size: .95rem; box-shadow: 0 -2px 6px rgba(0, 0, 0, .15); }
  .gigsim-pinned p { margin: .15rem 0; }
  .gigsim-pinned-doing { color: var(--muted); }
}
.gigsim-inputs { border: 1px solid var(--line); border-radius: .4rem; padding: 1rem; }
.gigsim-inputs .form-group, .gigsim-inputs .shiny-input-container { width: 100% !important;
  margin-bottom: .9rem; }
.gigsim-inputs label { font-weight: 600; }
.gigsim-help { font-size: .85rem; color: var(--muted); margin: .15rem 0 0; }
.gigsim-range { width: 100%; accent-color: var(--accent); }
.gigsim-range-value { font-weight: 600; }
details.gigsim-platform { border-top: 1px solid var(--line); padding-top: .6rem; }
details.gigsim-platform summary { font-weight: 600; cursor: pointer; margin-bottom: .6rem; }
.gigsim-message { border: 2px solid var(--ink); border-left-width: .5rem; padding: .5rem .75rem;
  margin: .5rem 0; font-weight: 600; }
.gigsim-verdict { font-size: 1.15rem; line-height: 1.45; border-left: .4rem solid var(--accent);
  padding: .25rem 0 .25rem .9rem; margin: .5rem 0 1rem; }
.gigsim-question { color: var(--muted); margin: 0; }
.gigsim-figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(13rem, 1fr));
  gap: .75rem; margin: 0 0 1rem; padding: 0; }
.gigsim-figure { border: 1px solid var(--line); border-radius: .4rem; padding: .6rem .75rem;
  margin: 0; }
.gigsim-figure dt { font-weight: 600; font-size: .9rem; }
.gigsim-figure dd { margin: 0; font-size: .95rem; }
.gigsim-figure dd.gigsim-value { font-size: 1.45rem; font-weight: 700; }
.gigsim-figure dd.gigsim-card-detail { font-size: .8rem; color: var(--muted); margin-top: .35rem; }
.gigsim-heading { font-size: 1rem; margin: 0 0 .5rem; }
.gigsim-warning { border: 2px dashed var(--ink); padding: .4rem .6rem; }
.gigsim-detail { font-size: .9rem; }
.gigsim-need { margin: 0 0 1rem; }
.gigsim-need-text { border-left: .4rem solid var(--line); padding-left: .9rem; }
/* one chart a row, no wider than drawn (560 px); below 600 px the chart drawn for a phone */
.gigsim-charts { display: grid; grid-template-columns: minmax(0, 1fr); gap: 1rem; }
.gigsim-charts figure { margin: 0; }
.gigsim-charts img { width: 100%; max-width: 35rem; height: auto; display: block;
  border: 1px solid #ddd; }
.gigsim-stale { opacity: .55; }
.gigsim-status { min-height: 1.6rem; margin-bottom: .5rem; }
.gigsim-status progress { width: 12rem; max-width: 60%; vertical-align: middle; }
.gigsim-more { margin: 1rem 0; display: flex; flex-wrap: wrap; gap: .75rem;
  align-items: center; }
.gigsim-based-on { font-size: .85rem; color: var(--muted); }
:focus-visible { outline: 3px solid var(--ink) !important; outline-offset: 2px; }
"""

# A Shiny input binding for a native <input type="range">: its value goes to the server while
# it moves (debounced) and when it is let go; the number beside it follows.
SCRIPT = """
(function () {
  document.documentElement.lang = "en";  // Shiny writes <html> without a language
  function show(el) {
    var out = document.getElementById(el.id + "-value");
    if (out) { out.textContent = el.value; }
  }
  var binding = new Shiny.InputBinding();
  $.extend(binding, {
    find: function (scope) { return $(scope).find("input.gigsim-range"); },
    getValue: function (el) { return Number(el.value); },
    subscribe: function (el, callback) {
      $(el).on("input.gigsim", function () { show(el); callback(true); });
      $(el).on("change.gigsim", function () { show(el); callback(false); });
    },
    unsubscribe: function (el) { $(el).off(".gigsim"); },
    getRatePolicy: function () { return { policy: "debounce", delay: 200 }; }
  });
  Shiny.inputBindings.register(binding, "gigsim.range");
  // the bar with the verdict shows (narrow screens, CSS) while the verdict is out of sight
  function verdictInSight() {
    var verdict = document.getElementById("verdict");
    var hidden = false;
    if (verdict) {
      var box = verdict.getBoundingClientRect();
      hidden = box.bottom < 0 || box.top > window.innerHeight;
    }
    document.body.classList.toggle("gigsim-verdict-hidden", hidden);
  }
  window.addEventListener("scroll", verdictInSight, { passive: true });
  window.addEventListener("resize", verdictInSight);
  $(document).on("shiny:value", function () { window.setTimeout(verdictInSight, 0); });
  verdictInSight();
})();
"""


def hours_input() -> Tag:
    """The hours a week: a native range input, 1 to 80, with its value shown beside it."""
    return tags.div(
        tags.label({"for": "hours"}, "Hours a week you can give: ",
                   tags.output({"id": "hours-value", "for": "hours",
                                "class": "gigsim-range-value"},
                               f"{DEFAULT_HOURS_PER_WEEK:g}")),
        tags.input(id="hours", type="range", min="1", max=str(HOURS_SLIDER_MAX), step="1",
                   value=f"{DEFAULT_HOURS_PER_WEEK:g}", **{"class": "gigsim-range",
                                                         "aria-describedby": "hours-help"}),
        tags.p({"id": "hours-help", "class": "gigsim-help"},
               "The time you keep free for this work, whether or not there is work to do."),
        {"class": "form-group shiny-input-container"},
    )


def _help(id_: str, text: str) -> Tag:
    return tags.p({"id": id_, "class": "gigsim-help"}, text)


def _described(control: Tag, help_id: str) -> Tag:
    """``control`` with its input pointing at the help text below it."""
    for child in control.children:
        if isinstance(child, Tag) and child.name in ("input", "select"):
            child.attrs["aria-describedby"] = help_id
    return control


def platforms_control(role: Role) -> Tag | str:
    """Which platforms to join, ticked as the role's group joins them; none with one platform."""
    if not role.platforms:
        return ""
    return tags.div(
        _described(ui.input_checkbox_group("platforms", "Platforms to join",
                                           {name: name for name in role.platforms},
                                           selected=list(role.joins)), "platforms-help"),
        _help("platforms-help", "The platforms you would join (the role's own are ticked)."
                                " With two or more, the answer also says what those after"
                                " the first changed, against joining the first alone."),
    )


def question_panel(roles: dict[str, Role], default: Role) -> Tag:
    """The inputs: role, hours, projects at once, months, reference wage, the platform folded."""
    return tags.section(
        {"class": "gigsim-inputs", "aria-labelledby": "question-heading"},
        tags.h2({"id": "question-heading"}, "Your question"),
        _described(ui.input_select("role", "Role", {key: r.label for key, r in roles.items()},
                                   selected=default.key), "role-help"),
        _help("role-help", "The kind of work: the bundled generalist and specialist profiles,"
                           " or a worker group of another scenario file."),
        hours_input(),
        _described(ui.input_numeric("projects", "Projects at once", default.max_projects,
                                    min=1, max=default.most_projects, step=1),
                   "projects-help"),
        _help("projects-help", "How many projects you would hold at the same time. Your hours"
                               " go to the first project you join, and what it leaves spare"
                               " to the next (the role's own figure is filled in)."),
        ui.output_ui("platforms_control"),  # with several platforms: which to join
        _described(ui.input_numeric("months", f"Months to follow (1 to {MAX_MONTHS})",
                                    DEFAULT_MONTHS, min=1, max=MAX_MONTHS, step=1),
                   "months-help"),
        _help("months-help", "From the day you apply."),
        _described(ui.input_numeric("reference", "Reference job's wage (USD an hour)",
                                    DEFAULT_REFERENCE_WAGE_USD, min=0,
                                    max=MAX_REFERENCE_WAGE_USD, step=0.5),
                   "reference-help"),
        _help("reference-help", "A job you know, paying this for the same hours every week;"
                                " 0 leaves it out."),
        # empty at first: no value attribute (None), so the answer has no need until one is given
        _described(ui.input_numeric("need", "What you need a month (USD)",
                                    cast(float, None), min=0,
                                    max=MAX_MONTHLY_NEED_USD, step=50), "need-help"),
        _help("need-help", "What a month must bring in to live on: the answer then says how"
                           " often a month reaches it. Leave it empty to skip."),
        tags.details(
            {"class": "gigsim-platform"},
            tags.summary("About the platform"),
            _described(ui.input_numeric("launches", "Project launches a week",
                                        round(default.launches_per_week, 4), min=0,
                                        step=0.05), "launches-help"),
            _help("launches-help", "How many new projects open a week for this role (the"
                                   " scenario's figure is filled in). Fewer launches mean"
                                   " longer waits between projects."),
            _described(ui.input_numeric("notice", "Project ends with notice (%)",
                                        round(default.notice_share * 100, 2), min=0, max=100,
                                        step=5), "notice-help"),
            _help("notice-help", "The share of projects whose end is announced a while"
                                 " ahead (a week, as the scenario has it), so that the"
                                 " platform can line up your next project; the others end"
                                 " on the day."),
        ),
        tags.div({"role": "alert", "aria-live": "assertive"}, ui.output_ui("message")),
    )


def answer_panel() -> Tag:
    """The answer: progress, the verdict, key figures, charts and the replications button."""
    return tags.section(
        {"class": "gigsim-results", "aria-labelledby": "answer-heading"},
        tags.h2({"id": "answer-heading"}, "What you would earn"),
        tags.div({"class": "gigsim-status", "role": "status", "aria-live": "polite"},
                 ui.output_ui("status")),
        ui.output_ui("answer"),
        tags.div(
            {"class": "gigsim-more"},
            ui.input_action_button("more", f"More replications ({2 * FIRST_REPLICATIONS})"),
            tags.span({"id": "more-help", "class": "gigsim-help"},
                      "More replications narrow the intervals and take longer."),
        ),
    )


def page(roles: dict[str, Role], default: Role) -> TagList:
    """The whole page."""
    # A bare tag list, not ui.page_fluid(): no Bootstrap to load (this page styles its few
    # native controls itself), and Shiny 1.8 nests a page_*() inside a second <html>.
    return TagList(
        ui.head_content(
            tags.title("What would I earn? · gigsim"),
            tags.meta(name="viewport", content="width=device-width, initial-scale=1"),
            tags.meta(name="description", content="What would I earn? gigsim's estimate for a"
                                                  " prospective gig worker"),
            tags.link(rel="icon", href="data:,"),  # no request for /favicon.ico
            tags.style(STYLE),
        ),
        tags.main(
            {"class": "gigsim-app"},
            tags.header(
                tags.h1("What would I earn?"),
                tags.p("Pick the work, the hours you can give and how long; see what a month"
                       " brings, how often there is nothing, and how that compares with a job"
                       " you know. The numbers come from gigsim's simulation of the platform"
                       " (the same as ", tags.code("gigsim estimate"), ")."),
            ),
            tags.div({"class": "gigsim-grid"}, question_panel(roles, default), answer_panel()),
            tags.div({"class": "gigsim-pinned", "aria-hidden": "true"}, ui.output_ui("pinned")),
        ),
        tags.script(SCRIPT),
    )
