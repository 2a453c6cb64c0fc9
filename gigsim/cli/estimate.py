"""``gigsim estimate``: what a worker who applies today can expect, month by month."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import click

from gigsim.cli.common import (
    at_least,
    check_run_options,
    jobs_option,
    parse_sets,
    progress,
    seed_option,
    set_option,
    user_errors,
    warmup_option,
    with_warmup,
)
from gigsim.errors import GigsimError
from gigsim.presentation.platforms import platforms_dict, platforms_lines
from gigsim.presentation.verdict import estimate_dict, render
from gigsim.scenario import load_scenario
from gigsim.studies.cohort import check_market_scale, check_projects
from gigsim.studies.estimate import (
    DEFAULT_MAX_REPLICATIONS,
    DEFAULT_PRECISION,
    DEFAULT_REFERENCE_WAGE_USD,
    DEFAULT_TIME_BUDGET_S,
    MAX_MONTHS,
    MAX_PROJECTS,
    PROFILES,
    check_inputs,
    check_reference_wage,
    cohort_scenario,
    load_profile,
)
from gigsim.studies.estimate_platforms import estimate_platforms, parse_platforms
from gigsim.studies.estimate_rounds import parse_time_budget
from gigsim.studies.need import HOURS_GRID, check_need, hours_for_need, hours_values
from gigsim.studies.precision import MIN_ROUNDS, ROUND_SIZE, parse_precision
from gigsim.studies.warmup import check_pilot
from gigsim.studies.warmup import with_warmup as warmup_weeks


@click.command(name="estimate")
@click.option("--profile", metavar="|".join(PROFILES),
              help="A bundled calibrated scenario and its worker group (default: generalist).")
@click.option("--scenario", "scenario_path", type=click.Path(dir_okay=False),
              help="A scenario file instead of a profile; needs --group.")
@click.option("--group", help="The worker group of --scenario the applicant joins.")
@click.option("--hours-per-week", type=float, default=20.0, show_default=True,
              help="The applicant's weekly availability, in hours.")
@click.option("--months", type=int, default=12, show_default=True,
              help=f"Months to follow the applicant for, 1 to {MAX_MONTHS}.")
@click.option("--projects", metavar="N",
              help="Projects the applicant holds at once, 1 to"
                   f" {MAX_PROJECTS} (default: the group's max_projects): the hours go to the"
                   " first project joined, what it leaves spare to the next.")
@click.option("--replications", "-r", type=int,
              help="Independent runs of the market and the cohort, exactly this many (no"
                   " precision). Default: chosen by --precision.")
@click.option("--precision", metavar="SHARE",
              help=f"Without -r, run replications in rounds of {ROUND_SIZE} (at least"
                   f" {MIN_ROUNDS}) until the verdict's two headline figures, what an applicant"
                   " can expect a month and the income per hour set aside once onboarded,"
                   " each have a 95% interval whose half-width is within this share of its"
                   f" mean (default {100 * DEFAULT_PRECISION:g}%), or --max-replications or"
                   " --time-budget runs out; the verdict says which.")
@click.option("--time-budget", "time_budget", metavar="SECONDS",
              help=f"Wall time for the rounds of --precision (default"
                   f" {DEFAULT_TIME_BUDGET_S:g}s; e.g. 30, 2m; none for no budget). Checked"
                   " between rounds, after the first 2: no round starts that, at the pace of"
                   " the last, would end past it. A stop on time"
                   " depends on the machine and --jobs; the verdict then gives the -r N that"
                   " repeats its numbers.")
@click.option("--max-replications", "max_replications", type=int, metavar="N",
              help=f"The most replications --precision runs (default"
                   f" {DEFAULT_MAX_REPLICATIONS}).")
@seed_option
@jobs_option
@set_option
@click.option("--cohort", type=int,
              help="Applicants in the cohort per replication (default: 2% of the group's"
                   " applicants by the end of the warm-up, after scaling).")
@click.option("--market-scale", type=float,
              help="Size of the simulated market, 0 to 1 (default: the group scaled to about"
                   " 1,000 applicants by the end of the warm-up; 1 = the scenario as written).")
@click.option("--reference-wage", type=float, default=DEFAULT_REFERENCE_WAGE_USD,
              show_default=True, metavar="USD",
              help="The hourly wage of a job to compare with, paid for the same hours;"
                   " 0 hides the comparison.")
@click.option("--monthly-need", type=float, metavar="USD",
              help="What you need a month: adds how often a month reaches it (for an applicant"
                   " and once onboarded), the longest run of months below it and the wait for"
                   " the first month that reaches it.")
@click.option("--need-hours", is_flag=True,
              help="With --monthly-need, also find the weekly hours at which half of the"
                   f" months reach it: runs the estimate again at each of"
                   f" {', '.join(f'{h:g}' for h in HOURS_GRID)} h a week (same seeds), so it"
                   f" takes up to {len(HOURS_GRID)} times as long.")
@click.option("--platforms", metavar="A,B",
              help="With a scenario of several platforms: the platforms the applicant joins"
                   " (default: the group's). With two or more, the verdict adds what those"
                   " after the first changed, against the same cohort joining the first only"
                   " (same seeds; the estimate runs twice).")
@click.option("--stay", is_flag=True,
              help="Follow applicants who never quit, instead of ones who behave like the"
                   " group (its patience and leave hazard).")
@click.option("--report", "report_path", type=click.Path(dir_okay=False),
              help="Also write the worker's page, a self-contained HTML file, to this path.")
@click.option("--force", is_flag=True, help="Replace the --report file if it exists.")
@click.option("--json", "as_json", is_flag=True, help="Print the same as JSON data.")
@warmup_option(" of the market the cohort joins, over the scenario's horizon; the cohort"
               " applies at its end")
def estimate_command(profile: str | None, scenario_path: str | None, group: str | None,
                     hours_per_week: float, months: int, projects: str | None,
                     replications: int | None, precision: str | None, time_budget: str | None,
                     max_replications: int | None, seed: int | None, jobs: int,
                     sets: tuple[str, ...], cohort: int | None,
                     market_scale: float | None, reference_wage: float,
                     monthly_need: float | None, need_hours: bool, platforms: str | None,
                     stay: bool, report_path: str | None, force: bool, as_json: bool,
                     warmup: str | None) -> None:
    """What an applicant who joins today can expect over their first months.

    A small cohort of applicants with the given weekly hours applies at the end of the
    warm-up, and is followed for --months months in a market simulated around them (see
    docs/model.md, "A worker's estimate"). First the verdict: a typical month, the income per
    hour set aside beside a reference job paying --reference-wage for the same hours, the
    chance of a month with nothing and of failing onboarding. Then who was followed and how
    many left, pay advertised and realised, the wage per hour worked, the wait for the first
    paid hour, droughts, and monthly income since applying with 95% intervals.

    \b
    Examples:
      gigsim estimate --profile generalist --hours-per-week 10
      gigsim estimate --profile specialist --hours-per-week 10 --report specialist.html
      gigsim estimate --profile specialist --months 24 --stay --json
      gigsim estimate --profile generalist --precision 5% --time-budget 2m
      gigsim estimate --profile generalist -r 16          # a fixed count
      gigsim estimate --profile generalist --monthly-need 1500 --need-hours
      gigsim estimate --scenario scenarios/platform.toml --group specialists
      gigsim estimate --scenario scenarios/two_platforms.toml --group raters \\
          --platforms rating,annotation
    """  # noqa: D301  (\b is click's mark for a paragraph it must not rewrap)
    user_errors(_estimate)(profile, scenario_path, group, hours_per_week, months, projects,
                           Replications(replications, precision, time_budget, max_replications),
                           seed, jobs, with_warmup(sets, warmup), cohort, market_scale,
                           reference_wage, monthly_need, need_hours, platforms, stay,
                           report_path, force, as_json)


@dataclasses.dataclass(frozen=True)
class Replications:
    """How many replications ``gigsim estimate`` was asked for, as typed."""

    count: int | None
    precision: str | None
    time_budget: str | None
    max_replications: int | None

    def options(self) -> dict[str, Any]:
        """``estimate()``'s keywords for them: a count, or the precision rule's settings."""
        if self.count is not None:
            given = [name for name, value in (("--precision", self.precision),
                                              ("--time-budget", self.time_budget),
                                              ("--max-replications", self.max_replications))
                     if value is not None]
            if given:
                raise GigsimError(f"{given[0]}: applies only when the replications are chosen"
                                  " by precision, not with -r/--replications")
            return {"replications": self.count}
        at_least("--max-replications", self.max_replications, ROUND_SIZE * MIN_ROUNDS)
        return {"precision": (DEFAULT_PRECISION if self.precision is None
                              else parse_precision(self.precision)),
                "time_budget_s": (DEFAULT_TIME_BUDGET_S if self.time_budget is None
                                  else parse_time_budget(self.time_budget)),
                "max_replications": self.max_replications or DEFAULT_MAX_REPLICATIONS}


def _estimate(profile: str | None, scenario_path: str | None, group: str | None,
              hours_per_week: float, months: int, projects: str | None, asked: Replications,
              seed: int | None, jobs: int, sets: tuple[str, ...], cohort: int | None,
              market_scale: float | None, reference_wage: float,
              monthly_need: float | None, need_hours: bool, platforms: str | None,
              stay: bool, report_path: str | None, force: bool, as_json: bool) -> None:
    check_inputs(hours_per_week, months)
    max_projects = None if projects is None else parse_projects(projects)
    check_reference_wage(reference_wage)
    if monthly_need is not None:
        check_need(monthly_need)
    elif need_hours:
        raise GigsimError("--need-hours: goes with --monthly-need USD, the need to reach")
    if report_path is not None:
        target = Path(report_path)
        if target.exists() and not force:
            raise GigsimError(f"--report: {target} exists; give --force to replace it")
        if not target.parent.is_dir():
            raise GigsimError(f"--report: no folder {target.parent} to write {target.name} in")
    check_run_options(asked.count, seed, jobs)  # before the progress bar prints
    how_many = asked.options()
    at_least("--cohort", cohort, 1)
    if market_scale is not None:
        check_market_scale(market_scale)
    overrides = parse_sets(sets)
    if scenario_path is not None:
        if profile is not None:
            raise GigsimError("give either --profile or --scenario, not both")
        if group is None:
            raise GigsimError("--scenario needs --group NAME, the worker group to join")
        scenario = load_scenario(scenario_path, overrides=overrides)
    else:
        if group is not None:
            raise GigsimError("--group goes with --scenario; a --profile names its own group")
        scenario, group = load_profile(profile or "generalist", overrides)
    check_pilot(scenario)  # warmup = "auto": a horizon long enough for its pilot
    joins = None if platforms is None else parse_platforms(platforms)
    cohort_scenario(warmup_weeks(scenario, 0), group, hours_per_week, months, cohort,
                    market_scale, stay=stay, max_projects=max_projects,
                    platforms=joins)  # fail early
    runs = 1 if joins is None or len(joins) < 2 else 2
    with progress(runs * (asked.count or how_many["max_replications"]), as_json) as bar:
        result, effect = estimate_platforms(
            scenario, group, joins, hours_per_week, months, seed=seed, jobs=jobs,
            cohort=cohort, market_scale=market_scale, progress=bar.update,
            reference_wage_usd=reference_wage, stay=stay, monthly_need_usd=monthly_need,
            max_projects=max_projects, **how_many)
    if result.warmup_choice is not None:  # the search below runs with the warm-up chosen
        scenario = warmup_weeks(scenario, result.warmup_choice.weeks)
    if need_hours and result.need is not None:
        others = len(hours_values(hours_per_week)) - 1
        with progress(result.replications * others, as_json) as bar:
            search = hours_for_need(scenario, group, result.need.monthly_need_usd, result,
                                    jobs=jobs, progress=bar.update, platforms=joins)
        result = dataclasses.replace(result, need=dataclasses.replace(result.need, hours=search))
    if report_path is not None:
        from gigsim.presentation.report import write_worker_page

        write_worker_page(result, report_path)
    if as_json:
        data = estimate_dict(result)
        if effect is not None:
            data["platforms_change"] = platforms_dict(effect)
        click.echo(json.dumps(data, indent=2, allow_nan=False))
    elif effect is None:
        click.echo(render(result))
    else:  # what the other platforms changed, after the verdict's first paragraph
        verdict, _, details = render(result).partition("\n\n")
        click.echo("\n".join([verdict, "", *platforms_lines(effect), "", details]))


def parse_projects(text: str) -> int:
    """``--projects N`` as a whole number, or one line saying what was expected."""
    try:
        value: int | str = int(text.strip())
    except ValueError:
        value = text  # refused below, as given
    return check_projects(value)


COMMANDS = (estimate_command,)
