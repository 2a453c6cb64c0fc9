"""A results folder as one self-contained HTML page: summary with intervals, figures, scenario.

:func:`write_report` reads what ``gigsim run`` wrote (``summary.json``, ``manifest.json``,
``scenario.toml`` and the tables, as CSV or Parquet) and writes ``report.html`` beside them. The
figures are PNG images embedded as base64 ``data:`` URIs and the style sheet is inline, so the
page needs nothing but itself: it opens from a file, offline, and can be mailed around.
"""

from __future__ import annotations

import base64
import html
import io
import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from gigsim.analysis.statistics import replications_warning
from gigsim.errors import GigsimError
from gigsim.files import write_atomically
from gigsim.presentation.glossary import entry as glossary_entry
from gigsim.presentation.glossary import format_value
from gigsim.studies.precision import replications_phrase

REPORT_NAME = "report.html"
REPORT_DPI = 100
WORKER_DPI = 80  # the worker's page is mailed around: modest images
NARROW_DPI_FACTOR = 1.5  # a figure for a phone is drawn denser (its screen is)
# A page shows the figures drawn narrow below this width (a phone held upright); the run
# report's, the worker's page's and gigsim app's charts switch at the same width as their text.
PHONE_MEDIA = "(max-width: 599px)"
FILES = ("summary.json", "manifest.json", "scenario.toml")
WARMUP_CAPTION = ("The warm-up was chosen from the output (warmup = \"auto\"): a pilot of {pilot}"
                  " replications from an empty platform, not counted among the replications,"
                  " gave three weekly series (each week's average, averaged over the pilot);"
                  " MSER-5 cut each where its transient sinks into its noise, and the largest"
                  " cut, {weeks} week(s), is the warm-up (shaded): every figure above is"
                  " measured after it.")
TABLES = ("worker_months", "spells", "latencies", "workers")
# columns read back from CSV as booleans
BOOLEAN_COLUMNS = ("censored", "left_truncated", "notice", "training_paid")

FIGURE_CAPTIONS: dict[str, str] = {
    "income_histogram": "Monthly income per worker-month, months with time on the platform, all"
                        " replications. The red bar at 0 counts the months with no income; the"
                        " share in the title is the table's \"Months with no income\" (each"
                        " replication's share, averaged).",
    "income_ecdf": "The same months as a cumulative distribution: the share of worker-months"
                   " earning at most x, all replications pooled.",
    "income_fan": "Monthly income by month since joining, for workers who applied during the"
                  " window, over their months on the platform (as the histogram: a month"
                  " spent waiting for the assessment, or after failing it, is left out),"
                  " pooled over workers and replications: the band runs from the 10th to the"
                  " 90th percentile, the line is the median, the dashed line the mean. Month 1"
                  " is the month of the run in which the worker applied.",
    "idle_share": "How the share of available hours spent idle (between projects) varies"
                  " across workers, one value per worker. The median worker's share differs"
                  " from the table's idle share, which takes all hours together (so workers"
                  " with more hours weigh more); both are marked.",
    "latency_survival": "Reassignment latency, from a project's end (or onboarding) to the next"
                        " project: the share still waiting after x days (Kaplan–Meier, all"
                        " replications pooled). Waits cut short by the end of the run or by the"
                        " worker leaving are censored (+) and still count up to where they were"
                        " seen. The table's median is each replication's median, averaged; the"
                        " table's mean counts completed waits only.",
    "drought_survival": "Droughts: the share of idle spells (from a project's end or onboarding"
                        " to the next project; for a worker who holds several projects, times"
                        " with none) lasting longer than x days (Kaplan–Meier, all"
                        " replications pooled). Spells still running at the end, or ended by"
                        " the worker leaving, are censored (+); spells begun in the warm-up are"
                        " left out.",
}
# Drawn only with a pay schedule ([pay]): right after the income fan chart.
PAY_FIGURE_CAPTIONS: dict[str, str] = {
    "cash_flow_fan": "Money received by month since joining, under the scenario's pay"
                     " schedule: the same workers and months as the chart above, drawn on the"
                     " same scale, with the money arriving in each month in place of the money"
                     " earned (band: 10th to 90th percentile, line: median, dashed: mean)."
                     " Pay lags earnings, so the first months carry less; money paid after"
                     " a worker left is in the tables but not in these months.",
}

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto;
       max-width: 980px; padding: 0 1rem; color: #1b1b1b; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.25rem; margin-top: 2.2rem; border-bottom: 1px solid #ddd; }
.meta { color: #555; margin-top: 0; }
table { border-collapse: collapse; width: 100%; font-size: 0.92rem; }
th, td { text-align: left; padding: 0.3rem 0.5rem; border-bottom: 1px solid #eee;
         vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
figure { margin: 1.5rem 0; }
figure img { display: block; width: 100%; height: auto; border: 1px solid #eee; }
.worker figure img { max-width: 35rem; }  /* the worker's page: drawn 560 px wide, no wider */
figcaption { color: #444; font-size: 0.9rem; }
pre { background: #f6f8fa; padding: 0.8rem; overflow-x: auto; font-size: 0.82rem;
      white-space: pre-wrap; overflow-wrap: anywhere; }
.verdict { background: #f3f7fb; border-left: 4px solid #2b6cb0; padding: 0.6rem 1rem;
           font-size: 1.1rem; }
.verdict p { margin: 0.3rem 0; }
.warning { color: #9c4221; font-weight: 600; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr));
         gap: 0.75rem; margin: 1rem 0; padding: 0; }
.card { border: 1px solid #ccc; border-radius: 0.4rem; padding: 0.6rem 0.8rem; margin: 0; }
.card dt { font-weight: 600; font-size: 0.9rem; }
.card dd { margin: 0; }
.card .value { font-size: 1.45rem; font-weight: 700; }
.card .detail { font-size: 0.8rem; color: #555; margin-top: 0.35rem; }
/* on a phone a table's rows stack, each cell on a line of its own, named */
@media (max-width: 599px) {
  body { margin: 1rem auto; }
  h1 { font-size: 1.3rem; }
  table.stack thead { display: none; }
  table.stack tr { display: block; border-bottom: 1px solid #ddd; padding: 0.4rem 0; }
  table.stack td { display: block; border: 0; padding: 0.1rem 0; text-align: left;
                   white-space: normal; }
  table.stack td:first-child { font-weight: 600; }
  table.stack td[data-label]::before { content: attr(data-label) ": "; color: #555; }
  table.stack code { overflow-wrap: anywhere; }
}
"""


def check_results_folder(folder: str | Path) -> Path:
    """``folder`` as a path if it is a results folder of ``gigsim run``, else a one-line error."""
    path = Path(folder)
    if not path.is_dir():
        raise GigsimError(f"{path}: not a results folder (no such folder)")
    if any((path / f"comparison.{ext}").exists() for ext in ("csv", "parquet")):
        raise GigsimError(f"{path}: not a results folder of gigsim run (it is a gigsim compare"
                          " folder, which has its own figures)")
    missing = [name for name in FILES if not (path / name).is_file()]
    missing += [f"{name}.csv" for name in TABLES if _table_path(path, name) is None]
    if missing:
        raise GigsimError(f"{path}: not a gigsim results folder (missing {', '.join(missing)});"
                          " give a folder that gigsim run wrote")
    return path


def _table_path(folder: Path, name: str) -> Path | None:
    for ext in ("parquet", "csv"):
        candidate = folder / f"{name}.{ext}"
        if candidate.is_file():
            return candidate
    return None


def read_table(folder: str | Path, name: str) -> pd.DataFrame:
    """Table ``name`` of a results folder, from its Parquet or CSV file."""
    path = _table_path(Path(folder), name)
    if path is None:
        raise GigsimError(f"{folder}: no table {name} (.csv or .parquet)")
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    frame = pd.read_csv(path)
    for column in BOOLEAN_COLUMNS:
        if column in frame and frame[column].dtype != bool:
            frame[column] = frame[column].astype(str).str.lower().eq("true")
    return frame


def _summary_rows(summary: Mapping[str, Any]) -> str:
    level = summary.get("confidence_level", 0.95)
    rows = []
    for metric, entry in summary.get("metrics", {}).items():
        if metric == "applicant_count":  # said in the paragraph above the table
            continue
        low, high = entry.get("ci_low"), entry.get("ci_high")
        interval = ("n/a" if low is None or high is None
                    else f"{format_value(metric, low)} – {format_value(metric, high)}")
        plain = glossary_entry(metric)
        rows.append(
            f"<tr><td>{html.escape(plain.label)}</td>"
            f"<td class=\"num\" data-label=\"mean\">{format_value(metric, entry.get('mean'))}"
            f"</td><td class=\"num\" data-label=\"{level:.0%} interval\">{interval}</td>"
            f"<td>{html.escape(plain.meaning)}</td></tr>")
    return "\n".join(rows)


def _applicant_section(summary: Mapping[str, Any], level: float) -> str:
    """The outcomes per applicant, before the per-worker-month figures (empty if not saved)."""
    applicants = summary.get("applicants")
    if not applicants:
        return ""
    months = applicants.get("follow_up_months", "?")
    count = applicants.get("metrics", {}).get("applicant_count", {}).get("mean") or 0
    if not count > 0:
        return ("<h3>Per applicant</h3>\n<p>Nobody applied in the window, so there is no"
                " per-applicant figure.</p>")
    return f"""<h3>Per applicant</h3>
<p>The {count:,.0f} people a replication (mean) who applied in the window, each followed
{months} month{"" if months == 1 else "s"} from applying, whatever became of them: leavers and
failed assessments count $0 after they go. Each figure divides by these applicants (or by
applicants × months followed).</p>
<table class="stack">
<thead><tr><th>figure</th><th>mean</th><th>{level:.0%} interval</th><th>what it is</th></tr>
</thead>
<tbody>
{_summary_rows(applicants)}
</tbody>
</table>"""


def _glossary_rows(summary: Mapping[str, Any]) -> str:
    return "\n".join(
        f"<tr><td>{html.escape(glossary_entry(metric).label)}</td>"
        f"<td data-label=\"column\"><code>{html.escape(metric)}</code></td>"
        f"<td>{html.escape(str(entry.get('description', '')))}</td></tr>"
        for metric, entry in summary.get("metrics", {}).items())


def figure_png(figure: Any, dpi: float = 100) -> bytes:
    """A matplotlib figure as PNG bytes."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def data_uri(png: bytes) -> str:
    """PNG bytes as a ``data:`` URI."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def for_both_widths(draw: Callable[[], Mapping[str, Any]], names: Sequence[str] | None = None,
                    dpi: float = REPORT_DPI) -> dict[str, tuple[Any, bytes, bytes]]:
    """The figures ``names`` of ``draw()`` (default: all), drawn for a wide screen and a phone.

    Each name gets the wide figure, its PNG at ``dpi`` and the PNG of the same figure drawn
    narrow (:func:`gigsim.presentation.figures.base.narrow`) at :data:`NARROW_DPI_FACTOR` ×
    ``dpi``, so that it stays sharp on a phone's denser screen. A page shows the narrow one
    below :data:`PHONE_MEDIA` (:func:`picture_html`): a figure drawn 7 inches wide and shown
    360 pixels wide has text of about 7 pixels.
    """
    from gigsim.presentation.figures.base import narrow

    wide = draw()
    with narrow():
        slim = draw()
    return {name: (wide[name], figure_png(wide[name], dpi),
                   figure_png(slim[name], dpi * NARROW_DPI_FACTOR))
            for name in (wide if names is None else names)}


def picture_html(wide_png: bytes, narrow_png: bytes, alt: str, attributes: str = "") -> str:
    """A ``<picture>``: the narrow PNG on a phone (:data:`PHONE_MEDIA`), else the wide one."""
    return (f"<picture><source media=\"{PHONE_MEDIA}\" srcset=\"{data_uri(narrow_png)}\">"
            f"<img src=\"{data_uri(wide_png)}\" alt=\"{html.escape(alt)}\"{attributes}>"
            "</picture>")


def _figure_block(stem: str, figure: Any, wide_png: bytes, narrow_png: bytes,
                  caption: str | None = None) -> str:
    """A figure as an HTML ``<figure>``: its PNGs as ``data:`` URIs, its title as alt text.

    ``caption`` (default: the title) goes beneath.
    """
    title = figure.axes[0].get_title().replace("\n", " ") if figure.axes else stem
    return (f"<figure id=\"{stem}\">{picture_html(wide_png, narrow_png, title)}"
            f"<figcaption>{html.escape(title if caption is None else caption)}</figcaption>"
            "</figure>")


def build_report(folder: str | Path, tables: Mapping[str, pd.DataFrame] | None = None) -> str:
    """The HTML of the report on results ``folder``.

    ``tables`` may give the tables already in memory (as ``gigsim run --report`` does); those
    missing are read from the folder.
    """
    # matplotlib is loaded only when figures are drawn
    from gigsim.presentation.figures.run import results_figures

    path = check_results_folder(folder)
    summary = json.loads((path / "summary.json").read_text(encoding="utf-8"))
    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    scenario_text = (path / "scenario.toml").read_text(encoding="utf-8")
    given = dict(tables or {})
    frames = {name: given[name] if name in given else read_table(path, name)
              for name in TABLES}
    if "absences" in given or _table_path(path, "absences") is not None:  # workers came back
        frames["absences"] = (given["absences"] if "absences" in given
                              else read_table(path, "absences"))
    figures = for_both_widths(lambda: results_figures(frames), dpi=REPORT_DPI)
    name = str(summary.get("scenario", manifest.get("scenario", path.name)))
    captions = {**FIGURE_CAPTIONS, **PAY_FIGURE_CAPTIONS}
    blocks = [_figure_block(stem, *drawn, caption=captions.get(stem))
              for stem, drawn in figures.items()]
    if summary.get("warmup_chosen"):
        from gigsim.presentation.figures.warmup import warmup_figure

        chosen = summary["warmup_chosen"]
        drawn = for_both_widths(lambda: {"warmup": warmup_figure(chosen)}, dpi=REPORT_DPI)
        blocks.append(_figure_block("warmup", *drawn["warmup"], caption=WARMUP_CAPTION.format(
            weeks=chosen["warmup_weeks"], pilot=chosen.get("pilot_replications", "?"))))
    level = summary.get("confidence_level", 0.95)
    warning = replications_warning(int(summary.get("replications", 0) or 0)) or ""
    behind = replications_phrase(int(summary.get("replications", 0) or 0),
                                 summary.get("replications_chosen"))
    meta = (f"{behind}, seed {manifest.get('seed', '?')},"
            f" gigsim {manifest.get('gigsim_version', '?')},"
            f" created {manifest.get('created_utc', '?')}")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>gigsim report: {html.escape(name)}</title>
<style>{STYLE}</style>
</head>
<body>
<h1>gigsim report: {html.escape(name)}</h1>
<p class="meta">{html.escape(meta)}</p>
<h2>Summary</h2>
<p>Each figure is computed for each replication and then averaged over replications, with its
{level:.0%} interval across replications (shares stay within 0–100%, money and durations at 0
or more). Durations are in days. Behind every interval: {html.escape(behind)}.</p>
{f'<p class="warning">{html.escape(warning)}</p>' if warning else ''}
{_applicant_section(summary, level)}
<h3>Per worker-month on the platform</h3>
<p>Each divides by the worker-months (or hours) of those on the platform, so the months of those
who left no longer count.</p>
<table class="stack">
<thead><tr><th>figure</th><th>mean</th><th>{level:.0%} interval</th><th>what it is</th></tr>
</thead>
<tbody>
{_summary_rows(summary)}
</tbody>
</table>
<h2>Figures</h2>
{chr(10).join(blocks)}
<h2>Glossary</h2>
<p>The same figures under their column names in <code>summary.json</code> and the tables
(hours there, days here). Definitions: docs/model.md, section 10.</p>
<table class="stack">
<thead><tr><th>figure</th><th>column</th><th>definition</th></tr></thead>
<tbody>
{_glossary_rows(summary)}
</tbody>
</table>
<h2>Scenario as run</h2>
<pre>{html.escape(scenario_text)}</pre>
<h2>Manifest</h2>
<pre>{html.escape(json.dumps(manifest, indent=2))}</pre>
</body>
</html>
"""


def write_report(folder: str | Path, tables: Mapping[str, pd.DataFrame] | None = None,
                 out: str | Path | None = None) -> Path:
    """Write the report on results ``folder`` to ``out`` (default ``folder/report.html``).

    The file is written beside its target and renamed into place, so it is complete or absent.
    """
    page = build_report(folder, tables)
    return write_atomically(Path(out) if out is not None else Path(folder) / REPORT_NAME, page)


WORKER_FIGURES = ("income_fan", "zero_income", "drought_survival")
# where a single month's interval is wider than its mean, the charts (as the table) show quarters
BY_PERIOD = (" Months are pooled to quarters where a single month's interval is wider than its"
             " mean, as in the table below; the title says which.")
WORKER_CAPTIONS: dict[str, str] = {
    "income_fan": "Monthly income since applying, over the months on the platform of those who"
                  " passed onboarding, pooled over workers and replications: the band runs"
                  " from the 10th to the 90th percentile, the line is the median, the dashed"
                  " line the mean." + BY_PERIOD,
    "zero_income": "The chance of a month with no income since applying: each replication's"
                   " share of worker-months with nothing, averaged, with its 95% interval."
                   + BY_PERIOD,
    "drought_survival": "Droughts: the share of idle spells (from onboarding or a project's end"
                        " to the next project; on several projects, times with none) lasting"
                        " longer than x days (Kaplan–Meier, all replications pooled); spells"
                        " still running at the end, or ended by"
                        " leaving, are censored (+).",
}


def cards_html(estimate: Any) -> str:
    """The estimate's key figures as cards (:func:`gigsim.presentation.cards.key_cards`)."""
    from gigsim.presentation.cards import key_cards

    return "\n".join(
        f"<div class=\"card\"><dt>{html.escape(card.label)}</dt>"
        f"<dd class=\"value\">{html.escape(card.value)}</dd>"
        f"<dd class=\"plain\">{html.escape(card.plain)}</dd>"
        f"<dd class=\"detail\">{html.escape(card.detail)}</dd></div>"
        for card in key_cards(estimate))


def build_worker_page(estimate: Any) -> str:
    """The worker's page of an :class:`~gigsim.studies.estimate.Estimate`: one HTML file.

    The verdict's heading and what it means, the key figures as cards (plain words first, the
    statistics in a detail line), who was followed, then the fan chart, the chance of no
    income and the drought curve (PNGs embedded as ``data:`` URIs, drawn for a wide screen
    and for a phone), and everything ``gigsim estimate`` prints, worded for a page.
    """
    from gigsim.presentation.figures.estimate import estimate_figures
    from gigsim.presentation.verdict import (
        market_sentence,
        meaning,
        render,
        verdict_lines,
        warning,
        who_is_followed,
    )

    title = verdict_lines(estimate, for_page=True)[0]
    figures = for_both_widths(lambda: estimate_figures(estimate, WORKER_FIGURES), dpi=WORKER_DPI)
    blocks = [_figure_block(stem, *figures[stem], caption=WORKER_CAPTIONS[stem])
              for stem in WORKER_FIGURES]
    need = need_section(estimate)
    warned = warning(estimate, for_page=True)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>gigsim: {html.escape(title)}</title>
<style>{STYLE}</style>
</head>
<body class="worker">
<h1>{html.escape(title)}</h1>
{f'<p class="warning">{html.escape(warned)}</p>' if warned else ''}
<section class="verdict" id="verdict">
<p>{html.escape(meaning(estimate))}</p>
</section>
<dl class="cards" id="cards">
{cards_html(estimate)}
</dl>
<p>{html.escape(who_is_followed(estimate, for_page=True))}</p>
<p>{html.escape(market_sentence(estimate, for_page=True))}</p>
{need}<h2>Month by month</h2>
{chr(10).join(blocks)}
<h2>Every number</h2>
<pre>{html.escape(render(estimate, for_page=True))}</pre>
<p class="meta">gigsim estimate, scenario {html.escape(estimate.scenario.name)}. Definitions:
docs/model.md, "A worker's estimate".</p>
</body>
</html>
"""


NEED_CAPTION = ("The share of months with an income of at least $x, for each x: the blue line"
                " over the months on the platform of those onboarded, the orange one over every"
                " applicant's months followed ($0 after failing onboarding or leaving); each a"
                " mean over replications of each replication's share, the band its 95%"
                " interval. The solid line marks what you need, the dotted one what the"
                " reference job pays for the same hours in a month.")


def need_section(estimate: Any) -> str:
    """The worker's page's "What you need a month" section; empty without a monthly need."""
    if estimate.need is None:
        return ""
    from gigsim.presentation.figures.estimate import estimate_figures
    from gigsim.presentation.need import need_details, need_sentence

    drawn = for_both_widths(lambda: estimate_figures(estimate, ("exceedance",)),
                            dpi=WORKER_DPI)
    return (f"<section id=\"need\"><h2>What you need a month</h2>\n"
            f"<p>{html.escape(need_sentence(estimate, for_page=True))}</p>\n"
            f"<p>{html.escape(need_details(estimate))}</p>\n"
            f"{_figure_block('exceedance', *drawn['exceedance'], caption=NEED_CAPTION)}"
            "</section>\n")


def write_worker_page(estimate: Any, out: str | Path) -> Path:
    """Write :func:`build_worker_page` to ``out``, atomically (complete or absent)."""
    return write_atomically(Path(out), build_worker_page(estimate))
