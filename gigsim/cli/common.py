"""What every ``gigsim`` command shares: options, error handling, progress bars."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn, TypeVar

import click

from gigsim.analysis.statistics import METRICS
from gigsim.errors import GigsimError
from gigsim.files import FIGURE_FORMATS
from gigsim.scenario import Scenario, load_scenario
from gigsim.scenario.schema import did_you_mean
from gigsim.studies.precision import (
    DEFAULT_MAX_REPLICATIONS,
    MIN_ROUNDS,
    ROUND_SIZE,
    check_metrics,
    parse_precision,
)

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


INTERRUPTED_STATUS = 130  # 128 + SIGINT, as a shell reports a command stopped by Ctrl-C


def interrupted(what: str = "stopped before finishing") -> NoReturn:
    """Ctrl-C in any command: one line on stderr saying what is left, exit status 130."""
    click.echo(f"gigsim: interrupted (Ctrl-C): {what}", err=True)
    sys.exit(INTERRUPTED_STATUS)


def on_terminal() -> bool:
    """Whether stderr is a terminal: progress bars are drawn there and nowhere else."""
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced or closed
        return False


def parse_metrics(text: str | None, default: tuple[str, ...],
                  known: Mapping[str, str] = METRICS) -> tuple[str, ...]:
    """Read ``--metrics NAME,…`` (or ``all``) into metric names; ``default`` when not given.

    ``known`` are the metrics the command has (``run``'s summary metrics unless it says).
    """
    if text is None:
        return default
    if text.strip() == "all":
        return tuple(known)
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    if not names:
        raise GigsimError("--metrics: expected NAME[,NAME…] or all, e.g."
                          " --metrics income_mean_usd,latency_mean_h")
    for name in names:
        if name not in known:
            raise GigsimError(f"--metrics: unknown metric `{name}`{did_you_mean(name, known)};"
                              f" known: {', '.join(known)}, or all")
    return names


def metrics_option(default: tuple[str, ...], where: str) -> Callable[[F], F]:
    """``--metrics NAME,…``: which metrics the terminal shows (``where`` keeps them all)."""
    return click.option(
        "--metrics", "metrics", metavar="NAME,…",
        help=f"Metrics to print, comma-separated, or all (default: {','.join(default)}); "
             f"{where} keeps every metric.")


def parse_sets(values: tuple[str, ...]) -> dict[str, str]:
    """Read ``--set KEY=VALUE`` options into a mapping."""
    out: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise GigsimError(f"--set {item!r}: expected KEY=VALUE, e.g. dispatch.policy=random")
        out[key.strip()] = value.strip()
    return out


def load(path: str, sets: tuple[str, ...]) -> Scenario:
    """Load a scenario file with ``--set`` overrides."""
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
    help="Processes that run replications (this one included); 0 means one per core."
         " Results do not depend on it.")
format_option = click.option("--format", "fmt", type=click.Choice(["csv", "parquet"]),
                             default="csv", show_default=True, help="Table file format.")
figure_format_option = click.option(
    "--figure-format", "figure_format", type=click.Choice(FIGURE_FORMATS), default="png",
    show_default=True, help="File format of the figures saved in the results folder.")
force_option = click.option("--force", is_flag=True, help="Replace an existing results folder.")


def warmup_option(how: str = "") -> Callable[[F], F]:
    """``--warmup DURATION|auto``: the warm-up, or ``auto`` for MSER-5 on a pilot's series.

    ``how`` says, after the rule, how the command applies it (e.g. one warm-up for every
    variant).
    """
    return click.option(
        "--warmup", "warmup", metavar="DURATION|auto",
        help="Warm-up (default: the scenario's); auto chooses it by MSER-5 on the weekly series"
             f" of a pilot run{how} (docs/model.md).")


def with_warmup(sets: tuple[str, ...], warmup: str | None) -> tuple[str, ...]:
    """``--set`` overrides with ``--warmup`` added as ``simulation.warmup`` (last, so it wins)."""
    return sets if warmup is None else (*sets, f"simulation.warmup={warmup}")
quiet_option = click.option("--quiet", "-q", is_flag=True,
                            help="Print only where the results are.")


def progress(count: int, quiet: bool) -> Any:
    """A progress bar on stderr over ``count`` replications.

    Nothing when quiet, for a single replication, or when stderr is not a terminal (a log
    file or a pipe gets no bar lines).
    """
    if quiet or count <= 1 or not on_terminal():
        return NoBar()
    return click.progressbar(length=count, label="simulating", file=sys.stderr, show_eta=True,
                             show_pos=True)


def check_run_options(replications: int | None, seed: int | None, jobs: int) -> None:
    """Refuse bad --replications, --seed and --jobs before anything prints or runs."""
    at_least("--replications", replications, 1)
    at_least("--seed", seed, 0)
    at_least("--jobs", jobs, 0)


def at_least(option: str, value: int | None, minimum: int) -> None:
    """Refuse an integer option below ``minimum`` (None means not given)."""
    if value is not None and value < minimum:
        raise GigsimError(f"{option}: must be at least {minimum}, got {value}")


def positive(option: str, value: float) -> None:
    """Refuse a number option that is not more than 0 (NaN too)."""
    if not value > 0:
        raise GigsimError(f"{option}: must be positive, got {value:g}")


class NoBar:
    """A stand-in for a progress bar when none is shown."""

    def __enter__(self) -> NoBar:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, n: int) -> None:
        """Do nothing."""


def precision_options(default_metrics: Sequence[str], of: str) -> Callable[[F], F]:
    """``--precision``, ``--precision-metrics`` and ``--max-replications``, as ``run`` has them.

    ``of`` says what each target's interval is of, e.g. "every variant's paired difference
    from the first" and what its half-width is a share of.
    """
    options = [
        click.option("--precision", "precision", metavar="SHARE",
                     help=f"Run replications in rounds of {ROUND_SIZE} (at least {MIN_ROUNDS})"
                          f" until {of}; for a metric that is a share, within that many"
                          " percentage points. Instead of -r; the scenario's replications ="
                          ' "auto" does the same.'),
        click.option("--precision-metrics", "precision_metrics", metavar="NAME,…",
                     help="Target metrics of --precision (default: "
                          + ",".join(default_metrics) + ")."),
        click.option("--max-replications", "max_replications", type=int, metavar="N",
                     help="Stop --precision here, saying which target fell short and by how"
                          f" much (default: {DEFAULT_MAX_REPLICATIONS})."),
    ]

    def decorate(command: F) -> F:
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


@dataclass(frozen=True)
class PrecisionAsked:
    """What ``--precision``, ``--precision-metrics`` and ``--max-replications`` asked, read."""

    precision: float | None = None
    metrics: tuple[str, ...] | None = None
    max_replications: int | None = None


def read_precision(precision: str | None, metrics: str | None, max_replications: int | None,
                   replications: int | None, known: Mapping[str, str],
                   example: Sequence[str]) -> PrecisionAsked:
    """Read and check the precision options before anything runs; refuse -r with them.

    Whether ``--precision-metrics`` and ``--max-replications`` come with a precision is
    checked once the scenario is read (its ``replications = "auto"`` asks for one too).
    """
    share = None if precision is None else parse_precision(precision)
    if share is not None and replications is not None:
        raise GigsimError("--precision and --replications: give one of them, not both")
    names = None if metrics is None else check_metrics(
        [n.strip() for n in metrics.split(",") if n.strip()], "--precision-metrics", known,
        example)
    at_least("--max-replications", max_replications, ROUND_SIZE * MIN_ROUNDS)
    return PrecisionAsked(share, names, max_replications)


def precision_or_scenario(asked: PrecisionAsked, replications: int | None,
                          scenario_precision: float | None) -> float | None:
    """The precision to run by: the option's, else the scenario's ``replications = "auto"``.

    Refuses ``--precision-metrics`` or ``--max-replications`` without either.
    """
    precision = asked.precision
    if precision is None and replications is None:
        precision = scenario_precision
    if precision is None and (asked.metrics is not None or asked.max_replications is not None):
        raise GigsimError("--precision-metrics and --max-replications apply only with"
                          ' --precision (or replications = "auto" in the scenario)')
    return precision
