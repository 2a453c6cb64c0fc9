"""``gigsim compare``: variants of a scenario on common random numbers."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from gigsim.analysis.applicants import ALL_METRICS, KNOWN_METRICS, study_metrics
from gigsim.analysis.payments import PAY_METRICS
from gigsim.cli.common import (
    check_run_options,
    figure_format_option,
    force_option,
    format_option,
    jobs_option,
    load,
    metrics_option,
    parse_metrics,
    parse_sets,
    precision_options,
    precision_or_scenario,
    progress,
    quiet_option,
    read_precision,
    replications_option,
    scenario_argument,
    seed_option,
    set_option,
    user_errors,
    warmup_option,
    with_warmup,
)
from gigsim.errors import GigsimError
from gigsim.files import check_target
from gigsim.presentation.output import write_comparison
from gigsim.scenario.pay import Pay
from gigsim.studies.comparison import TERMINAL_METRICS, resolve_variants
from gigsim.studies.comparison import compare as compare_variants
from gigsim.studies.paired_precision import COMPARE_METRICS
from gigsim.studies.precision import DEFAULT_MAX_REPLICATIONS
from gigsim.studies.variants import SYNTAX, parse_variants
from gigsim.studies.warmup import check_pilot


@click.command(name="compare")
@scenario_argument
@click.option("--variant", "variants", multiple=True, metavar=SYNTAX,
              help="A variant: a name and the keys it changes, e.g. rand:dispatch.policy=random"
                   " or d:dispatch.delay={dist=\"exponential\", mean=\"2d\"}; NAME: alone is"
                   " the scenario as it is (repeatable).")
@replications_option
@seed_option
@jobs_option
@set_option
@click.option("--out", "-o", type=click.Path(file_okay=False),
              help="Results folder (default: results/<scenario name>-compare).")
@format_option
@figure_format_option
@force_option
@quiet_option
@metrics_option(TERMINAL_METRICS, "comparison.csv")
@click.option("--by", "by", type=click.Choice(["group", "none"]), default=None,
              help="Split the per-applicant metrics by worker group (group), or pool every"
                   " applicant only (none); default: group when the scenario has several.")
@precision_options(COMPARE_METRICS, "every variant's paired difference from the first has a"
                   " 95% interval with a half-width within SHARE of the first variant's mean"
                   " (e.g. 5% or 0.05), or an interval clear of 0 by that margin (pooled over"
                   " groups)")
@warmup_option(", one for every variant: the largest of the variants' own choices, so that"
               " they stay paired over the same window")
def compare_command(scenario: str, variants: tuple[str, ...], replications: int | None,
                    seed: int | None, jobs: int, sets: tuple[str, ...], out: str | None,
                    fmt: str, figure_format: str, force: bool, quiet: bool,
                    metrics: str | None, by: str | None, precision: str | None,
                    precision_metrics: str | None, max_replications: int | None,
                    warmup: str | None) -> None:
    """Compare variants of SCENARIO on the same random numbers.

    Every variant is SCENARIO (with any --set) changed by its own keys, and runs with the same
    seed and replications, so replication r of every variant sees the same projects and
    workers (common random numbers). Variants are reported in the order given and the first
    is the reference: each metric gets every variant's mean with a 95% confidence interval,
    the paired difference from the first with its 95% interval, and the share of the variance
    of that difference that pairing removed. The default metrics follow the applicants of a
    window from applying, whatever became of them (per applicant, by worker group, with exits);
    under the table, one sentence per variant says what it improves and what it worsens.

    With a single --variant, the scenario as it is is added first, named base; with two or
    more, they are compared as given (add --variant base: to include the scenario as it is).

    With --precision, every variant runs the same rounds of replications until each
    variant's difference from the first is narrow enough or clearly not 0; the output says
    which, per variant and target, and how many replications it took (docs/model.md).

    With --warmup auto (or warmup = "auto" in the scenario), each variant's pilot proposes a
    warm-up and every variant runs with the largest; the output and summary.json say which.

    \b
    Example:
      gigsim compare scenarios/platform.toml -r 20 --variant base:
          --variant rand:dispatch.policy=random
          --variant notice:projects.rating.notice.probability=1.0
    """  # noqa: D301  (\b is click's mark for a paragraph it must not rewrap)
    user_errors(_compare)(scenario, variants, replications, seed, jobs,
                          with_warmup(sets, warmup), out, fmt, force,
                          quiet, metrics, figure_format, by,
                          (precision, precision_metrics, max_replications))


def _compare(path: str, texts: tuple[str, ...], replications: int | None, seed: int | None,
             jobs: int, sets: tuple[str, ...], out: str | None, fmt: str, force: bool,
             quiet: bool, metrics: str | None = None, figure_format: str = "png",
             by: str | None = None,
             precision_given: tuple[str | None, str | None, int | None] = (None, None, None)
             ) -> None:
    started = time.perf_counter()
    check_run_options(replications, seed, jobs)  # before the progress bar prints
    asked = read_precision(*precision_given, replications, ALL_METRICS, COMPARE_METRICS)
    shown = parse_metrics(metrics, TERMINAL_METRICS, KNOWN_METRICS)
    if not texts:
        raise GigsimError(f"give at least one --variant {SYNTAX},"
                          " e.g. --variant rand:dispatch.policy=random")
    variants = parse_variants(texts)
    scenario = load(path, sets)
    shown = with_pay_metrics(shown, metrics, scenario.pay_schedules)
    scenarios = resolve_variants(scenario, variants)  # every variant is valid before running
    for variant in scenarios.values():
        check_pilot(variant)  # a horizon too short for warmup = "auto" fails here
    target = Path(out) if out is not None else Path("results") / f"{scenario.name}-compare"
    check_target(target, force, fmt)  # type: ignore[arg-type]  # fail before simulating
    precision = precision_or_scenario(asked, replications, scenario.simulation.precision)
    count = (asked.max_replications or DEFAULT_MAX_REPLICATIONS if precision is not None
             else scenario.simulation.replications if replications is None else replications)
    with progress(count * len(scenarios), quiet) as bar:
        comparison = compare_variants(scenario, variants, replications=replications, seed=seed,
                                      jobs=jobs, progress=bar.update, keep_tables=False,
                                      by_group=None if by is None else by == "group",
                                      precision=precision, precision_metrics=asked.metrics,
                                      max_replications=asked.max_replications)
    written = write_comparison(comparison, target, fmt=fmt, force=force,  # type: ignore[arg-type]
                               manifest={"overrides": parse_sets(sets),
                                         "command": sys.argv[1:]},
                               figure_format=figure_format)  # type: ignore[arg-type]
    if not quiet:
        click.echo(comparison.format(shown))
        known = len(comparison.metric_descriptions)
        if len(shown) < known:
            click.echo(f"\n{len(shown)} of {known} metrics shown; comparison.{fmt}"
                       " has them all, the per-worker-month ones of `gigsim run` among them"
                       " (--metrics all, or --metrics NAME,… to choose)")
        click.echo(f"\n{len(scenarios)} variants × {comparison.replications} replication(s) in"
                   f" {time.perf_counter() - started:.1f} s; results in {written}/")
    else:
        click.echo(str(written))


def with_pay_metrics(shown: tuple[str, ...], asked: str | None,
                     pay: Pay | None) -> tuple[str, ...]:
    """The metrics to print: with a pay schedule the default adds the schedule's own.

    ``asked`` is ``--metrics`` as typed (None: the default); ``all`` is every metric the
    comparison has. Refuses a pay metric named when the scenario has no ``[pay]``.
    """
    if asked is not None and asked.strip() == "all":
        return tuple(study_metrics(pay))
    if pay is not None:
        return (*shown, *(m for m in PAY_METRICS if m not in shown)) if asked is None else shown
    for metric in shown:
        if metric in PAY_METRICS:
            raise GigsimError(f"--metrics: {metric} needs a pay schedule ([pay] in the"
                              " scenario); without one, money is received as it is earned")
    return shown


COMMANDS = (compare_command,)
