"""``gigsim run`` and ``gigsim validate``: simulate a scenario, or only check it."""

from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from gigsim.analysis.applicants import applicant_intervals, follow_up_months
from gigsim.analysis.results import TABLES, Results, has_returns, tables_for
from gigsim.analysis.statistics import replications_warning
from gigsim.cli.common import (
    at_least,
    check_run_options,
    force_option,
    jobs_option,
    load,
    parse_sets,
    progress,
    quiet_option,
    replications_option,
    scenario_argument,
    seed_option,
    set_option,
    user_errors,
)
from gigsim.errors import GigsimError
from gigsim.files import check_target, default_format
from gigsim.presentation.arrivals import pay_schedule
from gigsim.presentation.output import (
    ABSENCES,
    DEFAULT_TABLES,
    PAYMENTS,
    choose_tables,
    write_results,
)
from gigsim.scenario.units import HOURS_PER_MONTH, format_duration
from gigsim.studies.precision import (
    DEFAULT_MAX_REPLICATIONS,
    DEFAULT_METRICS,
    MIN_ROUNDS,
    ROUND_SIZE,
    check_metrics,
    parse_precision,
    replications_phrase,
)
from gigsim.studies.runner import simulate
from gigsim.studies.sizing import check_size
from gigsim.studies.warmup import check_pilot


@click.command()
@scenario_argument
@set_option
def validate(scenario: str, sets: tuple[str, ...]) -> None:
    """Check a scenario file without running it."""
    user_errors(_validate)(scenario, sets)


def _validate(path: str, sets: tuple[str, ...]) -> None:
    scenario = load(path, sets)
    check_size(scenario)  # validates, but would it fit in memory?
    check_pilot(scenario)
    sim = scenario.simulation
    click.echo(
        f"{path}: ok — scenario {scenario.name!r}, {len(scenario.workers)} worker group(s),"
        f" {len(scenario.projects)} project generator(s), horizon"
        f" {format_duration(sim.horizon_h)} after"
        + (" an automatic warm-up" if sim.warmup_auto else f" {format_duration(sim.warmup_h)}"
           " warm-up")
        + (" (chosen by MSER-5 from a pilot)" if sim.warmup_auto else "") + ", "
        + (f"replications by precision {100 * sim.precision:g}%" if sim.precision is not None
           else f"{sim.replications} replication(s)")
        + ", " + "; ".join(
            (f"{p.name}: " if len(scenario.platforms) > 1 else "")
            + f"policy {p.dispatch.policy!r}"
            + ("" if p.pay is None else f", paid every {format_duration(p.pay.every_h)}")
            for p in scenario.platforms)
    )


@click.command()
@scenario_argument
@replications_option
@seed_option
@jobs_option
@set_option
@click.option("--out", "-o", type=click.Path(file_okay=False),
              help="Results folder (default: results/<scenario name>).")
@click.option("--tables", "tables", default="default", show_default=True, metavar="WHICH",
              help="Tables to write: default (" + ", ".join(DEFAULT_TABLES) + "), all (adds"
                   " spells and workers, one row per spell and per worker), or names"
                   " separated by commas.")
@click.option("--format", "fmt", type=click.Choice(["auto", "csv", "parquet"]),
              default="auto", show_default=True,
              help="Table file format; auto is Parquet where pyarrow is installed, else CSV.")
@click.option("--precision", "precision", metavar="SHARE",
              help="Run replications in rounds of 5 (at least 2) until every target metric's"
                   " 95% interval has a half-width within SHARE of its mean (e.g. 5% or 0.05);"
                   " for a metric that is a share, within that many percentage points. Instead"
                   " of -r; the scenario's replications = \"auto\" does the same.")
@click.option("--precision-metrics", "precision_metrics", metavar="NAME,…",
              help="Target metrics of --precision (default: "
                   + ",".join(DEFAULT_METRICS) + ").")
@click.option("--max-replications", "max_replications", type=int, metavar="N",
              help=f"Stop --precision here, saying which target fell short and by how much"
                   f" (default: {DEFAULT_MAX_REPLICATIONS}).")
@click.option("--warmup", "warmup", metavar="DURATION|auto",
              help="Warm-up (default: the scenario's); auto chooses it by MSER-5 on the weekly"
                   " series of a pilot run (docs/model.md).")
@force_option
@quiet_option
@click.option("--report", is_flag=True,
              help="Also write report.html, a self-contained page with the summary and figures"
                   " (and the tables it is drawn from).")
def run(scenario: str, replications: int | None, seed: int | None, jobs: int,
        sets: tuple[str, ...], out: str | None, tables: str, fmt: str, force: bool,
        quiet: bool, report: bool, precision: str | None, precision_metrics: str | None,
        max_replications: int | None, warmup: str | None) -> None:
    """Simulate SCENARIO and write a results folder."""
    user_errors(_run)(scenario, replications, seed, jobs, sets, out, fmt, force, quiet, report,
                      tables, Design(precision, precision_metrics, max_replications, warmup))


@dataclass(frozen=True)
class Design:
    """How many replications and which warm-up ``gigsim run`` was asked for, as typed."""

    precision: str | None = None
    precision_metrics: str | None = None
    max_replications: int | None = None
    warmup: str | None = None


def _run(path: str, replications: int | None, seed: int | None, jobs: int,
         sets: tuple[str, ...], out: str | None, fmt: str, force: bool, quiet: bool,
         report: bool = False, tables: str = "default", design: Design = Design()) -> None:
    started = time.perf_counter()
    check_run_options(replications, seed, jobs)  # before the progress bar prints
    precision = None if design.precision is None else parse_precision(design.precision)
    if precision is not None and replications is not None:
        raise GigsimError("--precision and --replications: give one of them, not both")
    metrics = None if design.precision_metrics is None else check_metrics(
        [n.strip() for n in design.precision_metrics.split(",") if n.strip()],
        "--precision-metrics")
    at_least("--max-replications", design.max_replications, ROUND_SIZE * MIN_ROUNDS)
    # a bad --tables is refused before anything runs; payments once the scenario is read
    choose_tables(tables, report, (*TABLES, PAYMENTS, ABSENCES))
    fmt = default_format() if fmt == "auto" else fmt
    if design.warmup is not None:
        sets = (*sets, f"simulation.warmup={design.warmup}")
    scenario = load(path, sets)
    available = tuple(tables_for(scenario.pay_schedules, has_returns(scenario)))
    names = choose_tables(tables, report, available)  # payments need a pay schedule
    if replications is None and precision is None:
        precision = scenario.simulation.precision
    if precision is None and (metrics is not None or design.max_replications is not None):
        raise GigsimError("--precision-metrics and --max-replications apply only with"
                          ' --precision (or replications = "auto" in the scenario)')
    check_pilot(scenario)
    target = Path(out) if out is not None else Path("results") / scenario.name
    check_target(target, force, fmt)  # type: ignore[arg-type]  # fail before simulating
    if precision is not None:
        count = design.max_replications or DEFAULT_MAX_REPLICATIONS
    else:
        count = scenario.simulation.replications if replications is None else replications
    with progress(count, quiet) as bar:
        results = simulate(scenario, replications=replications, seed=seed, jobs=jobs,
                           progress=bar.update, precision=precision, precision_metrics=metrics,
                           max_replications=design.max_replications if precision else None)
    written = write_results(results, target, fmt=fmt, force=force,  # type: ignore[arg-type]
                            manifest={"overrides": parse_sets(sets), "command": sys.argv[1:]},
                            report=report, tables=tables)
    if not quiet:
        click.echo(brief_summary(results))
        click.echo(f"\n{results.replications} replication(s) in"
                   f" {time.perf_counter() - started:.1f} s; results in {written}/")
        left = [name for name in available if name not in names]
        click.echo(f"tables ({fmt}): {', '.join(names)}"
                   + (f"; --tables all adds {' and '.join(left)}" if left else ""))
    else:
        click.echo(str(written))


def _fmt(summary_table: Any, metric: str, pattern: str, scale: float = 1.0) -> str:
    row = summary_table.loc[metric]
    mean = row["mean"] * scale
    if math.isnan(mean):
        return "n/a"
    text = pattern.format(mean)
    if not math.isnan(row["ci_low"]):
        text += " (95% CI " + pattern.format(row["ci_low"] * scale) + "–" \
            + pattern.format(row["ci_high"] * scale) + ")"
    return text


def applicant_lines(results: Results) -> list[str]:
    """The outcomes per applicant, each with what it divides by (the cohort of compare)."""
    a = applicant_intervals(results.records)
    sim = results.scenario.simulation
    months = follow_up_months(sim.horizon_h)
    span = f"{months} month{'s' if months != 1 else ''}"
    window = max(sim.horizon_h / HOURS_PER_MONTH - months, 0.0)
    count = float(a["mean"].astype(float)["applicant_count"])
    if not count > 0:
        return ["  per applicant: nobody applied in the window (the first"
                f" {window:.1f} months after the warm-up), so there is no per-applicant figure"]
    per_month = f"÷ (applicants × {span})"

    def row(label: str, metric: str, pattern: str, divides: str, scale: float = 1.0) -> str:
        return f"  {label:<29}{_fmt(a, metric, pattern, scale)}  {divides}"

    return [
        f"  per applicant: the {count:,.0f} people a replication (mean) who applied in the first"
        f" {window:.1f} months after the warm-up,",
        f"  each followed {span} from applying; leavers and failed assessments count $0 after"
        " they go",
        row("income per applicant, month", "applicant_income_usd", "${:,.0f}",
            f"their income {per_month}"),
        row("still on the platform", "applicant_stay_share", "{:.1f}%",
            f"÷ applicants, at the end of their {span}", 100),
        row("applicant-months, no income", "applicant_zero_month_share", "{:.1f}%",
            f"{per_month}, counted from applying", 100),
        row("never paid", "applicant_never_paid_share", "{:.1f}%", "÷ applicants", 100),
        row("failed the assessment", "applicant_exit_failed_assessment_share", "{:.1f}%",
            "÷ applicants", 100),
        row("income Gini, applicants", "applicant_income_gini", "{:.3f}",
            "0 = all earn the same, 1 = one earns all; $0 included"),
        row("poorest fifth, income/month", "applicant_bottom20_income_usd", "${:,.0f}",
            f"mean of the ⌈n/5⌉ lowest incomes ÷ {span}"),
    ]


def brief_summary(results: Results) -> str:
    """A short, readable summary: outcomes per applicant, then per worker-month."""
    t = results.summary().table
    sc = results.scenario
    decision = results.choices.get("replications")
    chosen = None if decision is None else decision.to_dict()
    lines = [
        f"{sc.name}: {replications_phrase(results.replications, chosen)}, seed {results.seed},"
        f" {format_duration(sc.simulation.horizon_h)} after"
        f" {format_duration(sc.simulation.warmup_h)} warm-up"
        + (" (chosen by MSER-5)" if "warmup" in results.choices else ""),
        "",
        *applicant_lines(results),
        "",
        "  per worker-month on the platform: ÷ the worker-months (or hours) of those on the"
        " platform,",
        "  so the months of those who left no longer count",
        f"  monthly income, mean         {_fmt(t, 'income_mean_usd', '${:,.0f}')}",
        f"  monthly income, P10/P50/P90  {_fmt(t, 'income_p10_usd', '${:,.0f}')} / "
        f"{_fmt(t, 'income_p50_usd', '${:,.0f}')} / {_fmt(t, 'income_p90_usd', '${:,.0f}')}",
        f"  months with no income        {_fmt(t, 'zero_income_share', '{:.1f}%', 100)}",
        *pay_lines(results),
        f"  idle share of available time {_fmt(t, 'idle_share', '{:.1f}%', 100)}",
        f"  reassignment latency, median {_fmt(t, 'latency_median_h', '{:.1f} d', 1 / 24)}"
        " (Kaplan–Meier)",
        f"    completed waits only: mean {_fmt(t, 'latency_mean_h', '{:.1f} d', 1 / 24)},"
        f" P90 {_fmt(t, 'latency_p90_h', '{:.1f} d', 1 / 24)}",
        f"  unpaid share of working time {_fmt(t, 'unpaid_share', '{:.1f}%', 100)}",
        f"  income per paid hour         {_fmt(t, 'paid_wage_usd', '${:.2f}/h')}",
        f"  wage per hour worked         {_fmt(t, 'effective_wage_usd', '${:.2f}/h')}"
        " (paid or unpaid)",
        f"  gone within 12 months        {_fmt(t, 'exit_within_12mo_share', '{:.1f}%', 100)}",
        "  (each a mean over replications of per-replication values; shares pooled over"
        " worker-months)",
    ]
    lines += [w for w in [replications_warning(results.replications)] if w]
    return "\n".join(lines + choices_lines(results))


def pay_lines(results: Results) -> list[str]:
    """With a pay schedule: the months no money arrived, what leavers forfeited, money received."""
    if results.scenario.pay_schedules is None:
        return []
    t = results.summary().table
    schedule = pay_schedule(results.scenario)
    forfeited = _fmt(t, "forfeited_share", "{:.1f}%", 100)
    return [
        f"  {'months no money arrived':<29}"
        f"{_fmt(t, 'no_money_arriving_share', '{:.1f}%', 100)} ({schedule})",
        f"  {'leavers: earnings forfeited':<29}{forfeited}"
        + (" (no leaver with earnings settled in the window)" if forfeited == "n/a" else
           " ÷ what they earned (below the minimum when they left)"),
        f"  {'money received, month':<29}{_fmt(t, 'received_mean_usd', '${:,.0f}')}"
        " ÷ worker-months on the platform, as the monthly income above",
    ]


def choices_lines(results: Results) -> list[str]:
    """What the run chose for itself: the warm-up, and the replications by precision."""
    lines: list[str] = []
    for name in ("warmup", "replications"):
        if name in results.choices:
            described = results.choices[name].describe()
            lines += [""] + ([described] if isinstance(described, str) else list(described))
    return lines


COMMANDS = (run, validate)
