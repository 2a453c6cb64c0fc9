"""The ``gigsim`` command line: run, compare and validate scenarios."""

from __future__ import annotations

import functools
import math
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from gigsim.comparison import compare as compare_variants
from gigsim.comparison import resolve_variants
from gigsim.errors import GigsimError
from gigsim.output import check_target, write_comparison, write_results
from gigsim.results import Results
from gigsim.runner import simulate
from gigsim.scenario import Scenario, load_scenario
from gigsim.units import format_duration
from gigsim.variants import SYNTAX, parse_variants

F = TypeVar("F", bound=Callable[..., Any])


def user_errors(command: F) -> F:
    """Turn gigsim's user errors into one line on stderr and exit status 2."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except GigsimError as error:
            click.echo(f"gigsim: error: {error}", err=True)
            sys.exit(2)

    return wrapper  # type: ignore[return-value]


def parse_sets(values: tuple[str, ...]) -> dict[str, str]:
    """Read ``--set KEY=VALUE`` options into a mapping."""
    out: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise GigsimError(f"--set {item!r}: expected KEY=VALUE, e.g. dispatch.policy=random")
        out[key.strip()] = value.strip()
    return out


def _load(path: str, sets: tuple[str, ...]) -> Scenario:
    return load_scenario(path, overrides=parse_sets(sets))


set_option = click.option(
    "--set", "sets", multiple=True, metavar="KEY=VALUE",
    help="Override a scenario key, e.g. --set projects.rating.arrivals_per_week=1.5 (repeatable).",
)
scenario_argument = click.argument("scenario", type=click.Path(dir_okay=False))
replications_option = click.option("--replications", "-r", type=int,
                                   help="Replications (default: the scenario's).")
seed_option = click.option("--seed", type=int, help="Seed (default: the scenario's).")
jobs_option = click.option(
    "--jobs", "-j", type=int, default=1, show_default=True,
    help="Worker processes; 0 means one per core. Results do not depend on it.")
format_option = click.option("--format", "fmt", type=click.Choice(["csv", "parquet"]),
                             default="csv", show_default=True, help="Table file format.")
force_option = click.option("--force", is_flag=True, help="Replace an existing results folder.")
quiet_option = click.option("--quiet", "-q", is_flag=True,
                            help="Print only where the results are.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="gigsim")
def main() -> None:
    """Simulate gig-worker income under project churn."""
    # a policy named module:Class may live beside the scenario, as with `python -m`
    if "" not in sys.path and os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())


@main.command()
@scenario_argument
@set_option
def validate(scenario: str, sets: tuple[str, ...]) -> None:
    """Check a scenario file without running it."""
    user_errors(_validate)(scenario, sets)


def _validate(path: str, sets: tuple[str, ...]) -> None:
    scenario = _load(path, sets)
    sim = scenario.simulation
    click.echo(
        f"{path}: ok — scenario {scenario.name!r}, {len(scenario.workers)} worker group(s),"
        f" {len(scenario.projects)} project generator(s), horizon"
        f" {format_duration(sim.horizon_h)} after {format_duration(sim.warmup_h)} warm-up,"
        f" {sim.replications} replication(s), policy {scenario.dispatch.policy!r}"
    )


@main.command()
@scenario_argument
@replications_option
@seed_option
@jobs_option
@set_option
@click.option("--out", "-o", type=click.Path(file_okay=False),
              help="Results folder (default: results/<scenario name>).")
@format_option
@force_option
@quiet_option
def run(scenario: str, replications: int | None, seed: int | None, jobs: int,
        sets: tuple[str, ...], out: str | None, fmt: str, force: bool, quiet: bool) -> None:
    """Simulate SCENARIO and write a results folder."""
    user_errors(_run)(scenario, replications, seed, jobs, sets, out, fmt, force, quiet)


def _run(path: str, replications: int | None, seed: int | None, jobs: int,
         sets: tuple[str, ...], out: str | None, fmt: str, force: bool, quiet: bool) -> None:
    started = time.perf_counter()
    _at_least("--replications", replications, 1)  # before the progress bar prints its label
    _at_least("--seed", seed, 0)
    _at_least("--jobs", jobs, 0)
    scenario = _load(path, sets)
    target = Path(out) if out is not None else Path("results") / scenario.name
    check_target(target, force, fmt)  # type: ignore[arg-type]  # fail before simulating
    count = scenario.simulation.replications if replications is None else replications
    with _progress(count, quiet) as bar:
        results = simulate(scenario, replications=replications, seed=seed, jobs=jobs,
                           progress=bar.update)
    written = write_results(results, target, fmt=fmt, force=force,  # type: ignore[arg-type]
                            manifest={"overrides": parse_sets(sets), "command": sys.argv[1:]})
    if not quiet:
        click.echo(brief_summary(results))
        click.echo(f"\n{results.replications} replication(s) in"
                   f" {time.perf_counter() - started:.1f} s; results in {written}/")
    else:
        click.echo(str(written))


@main.command(name="compare")
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
@force_option
@quiet_option
def compare_command(scenario: str, variants: tuple[str, ...], replications: int | None,
                    seed: int | None, jobs: int, sets: tuple[str, ...], out: str | None,
                    fmt: str, force: bool, quiet: bool) -> None:
    """Compare variants of SCENARIO on the same random numbers.

    Every variant is SCENARIO (with any --set) changed by its own keys, and runs with the same
    seed and replications, so replication r of every variant sees the same projects and
    workers (common random numbers). Variants are reported in the order given and the first
    is the reference: each metric gets every variant's mean with a 95% confidence interval,
    the paired difference from the first with its 95% interval, and the share of the variance
    of that difference that pairing removed.

    With a single --variant, the scenario as it is is added first, named base; with two or
    more, they are compared as given (add --variant base: to include the scenario as it is).

    \b
    Example:
      gigsim compare scenarios/platform.toml -r 20 --variant base:
          --variant rand:dispatch.policy=random
          --variant notice:projects.rating.notice.probability=1.0
    """  # noqa: D301  (\b is click's mark for a paragraph it must not rewrap)
    user_errors(_compare)(scenario, variants, replications, seed, jobs, sets, out, fmt, force,
                          quiet)


def _compare(path: str, texts: tuple[str, ...], replications: int | None, seed: int | None,
             jobs: int, sets: tuple[str, ...], out: str | None, fmt: str, force: bool,
             quiet: bool) -> None:
    started = time.perf_counter()
    _at_least("--replications", replications, 1)
    _at_least("--seed", seed, 0)
    _at_least("--jobs", jobs, 0)
    if not texts:
        raise GigsimError(f"give at least one --variant {SYNTAX},"
                          " e.g. --variant rand:dispatch.policy=random")
    variants = parse_variants(texts)
    scenario = _load(path, sets)
    scenarios = resolve_variants(scenario, variants)  # every variant is valid before running
    target = Path(out) if out is not None else Path("results") / f"{scenario.name}-compare"
    check_target(target, force, fmt)  # type: ignore[arg-type]  # fail before simulating
    count = scenario.simulation.replications if replications is None else replications
    with _progress(count * len(scenarios), quiet) as bar:
        comparison = compare_variants(scenario, variants, replications=replications, seed=seed,
                                      jobs=jobs, progress=bar.update)
    written = write_comparison(comparison, target, fmt=fmt, force=force,  # type: ignore[arg-type]
                               manifest={"overrides": parse_sets(sets),
                                         "command": sys.argv[1:]})
    if not quiet:
        click.echo(str(comparison))
        click.echo(f"\n{len(scenarios)} variants × {comparison.replications} replication(s) in"
                   f" {time.perf_counter() - started:.1f} s; results in {written}/")
    else:
        click.echo(str(written))


def _progress(count: int, quiet: bool) -> Any:
    """A progress bar on stderr over ``count`` replications, or nothing when quiet or one."""
    if quiet or count <= 1:
        return _NoBar()
    return click.progressbar(length=count, label="simulating", file=sys.stderr, show_eta=True,
                             show_pos=True)


def _at_least(option: str, value: int | None, minimum: int) -> None:
    if value is not None and value < minimum:
        raise GigsimError(f"{option}: must be at least {minimum}, got {value}")


class _NoBar:
    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, n: int) -> None:
        """Do nothing."""


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


def brief_summary(results: Results) -> str:
    """A short, readable summary of the headline metrics."""
    t = results.summary().table
    sc = results.scenario
    lines = [
        f"{sc.name}: {results.replications} replication(s), seed {results.seed},"
        f" {format_duration(sc.simulation.horizon_h)} after"
        f" {format_duration(sc.simulation.warmup_h)} warm-up",
        "",
        f"  monthly income, mean         {_fmt(t, 'income_mean_usd', '${:,.0f}')}",
        f"  monthly income, P10/P50/P90  {_fmt(t, 'income_p10_usd', '${:,.0f}')} / "
        f"{_fmt(t, 'income_p50_usd', '${:,.0f}')} / {_fmt(t, 'income_p90_usd', '${:,.0f}')}",
        f"  months with no income        {_fmt(t, 'zero_income_share', '{:.1f}%', 100)}",
        f"  idle share of available time {_fmt(t, 'idle_share', '{:.1f}%', 100)}",
        f"  reassignment latency, mean   {_fmt(t, 'latency_mean_h', '{:.1f} d', 1 / 24)}",
        f"  reassignment latency, P90    {_fmt(t, 'latency_p90_h', '{:.1f} d', 1 / 24)}",
        f"  unpaid share of working time {_fmt(t, 'unpaid_share', '{:.1f}%', 100)}",
        f"  paid-time wage               {_fmt(t, 'paid_wage_usd', '${:.2f}/h')}",
        f"  effective wage (with unpaid) {_fmt(t, 'effective_wage_usd', '${:.2f}/h')}",
        f"  gone within 12 months        {_fmt(t, 'exit_within_12mo_share', '{:.1f}%', 100)}",
    ]
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    main()
