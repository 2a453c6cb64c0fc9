"""``gigsim sweep`` and ``gigsim sensitivity``: many scenarios, locally or on a Dask cluster."""

from __future__ import annotations

import dataclasses
import math
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import pandas as pd

from gigsim.analysis.applicants import APPLICANT_METRICS
from gigsim.analysis.payments import PAY_METRICS
from gigsim.analysis.statistics import replications_warning
from gigsim.cli.common import (
    at_least,
    figure_format_option,
    format_option,
    interrupted,
    on_terminal,
    parse_metrics,
    parse_sets,
    positive,
    precision_options,
    quiet_option,
    set_option,
    user_errors,
    warmup_option,
    with_warmup,
)
from gigsim.errors import GigsimError, ScenarioError
from gigsim.scenario import parse_value
from gigsim.scenario.schema import read_toml
from gigsim.scenario.units import duration_for_person
from gigsim.studies.comparison import format_metric
from gigsim.studies.precision import APPLICANT_DEFAULT_METRICS, parse_precision
from gigsim.studies.sweep.backends import DEFAULT_CONNECT_TIMEOUT_S, make_backend
from gigsim.studies.sweep.rounds import precision_phrase
from gigsim.studies.sweep.runner import SweepResult, run_sweep, undefined_metrics
from gigsim.studies.sweep.sensitivity import index_warnings
from gigsim.studies.sweep.spec import DEFAULT_METRICS, SWEEP_KEYS, SweepSpec, load_sweep
from gigsim.studies.sweep.store import SweepStore
from gigsim.studies.sweep.warmups import warmups_phrase

if TYPE_CHECKING:
    from matplotlib.figure import Figure

sweep_file_argument = click.argument("sweep_file", type=click.Path(dir_okay=False))


def _sweep_options(command: Any) -> Any:
    options = [
        click.option("--jobs", "-j", type=int, default=0, show_default=True,
                     help="Local worker processes; 0 means one per core, 1 runs in this"
                          " process. With --scheduler local: the LocalCluster's workers."
                          " Results do not depend on it."),
        click.option("--scheduler", metavar="ADDRESS",
                     help="Run on a Dask cluster: a scheduler address such as"
                          " tcp://10.0.0.5:8786, or 'local' for a Dask LocalCluster on this"
                          " machine (needs pip install 'gigsim[dask]')."),
        click.option("--scheduler-timeout", type=float, default=DEFAULT_CONNECT_TIMEOUT_S,
                     show_default=True, metavar="SECONDS",
                     help="Give up connecting to --scheduler after this long."),
        click.option("--out", "-o", type=click.Path(file_okay=False),
                     help="Results folder (default: results/<sweep name>-sweep, or"
                          " -sensitivity)."),
        click.option("--resume", is_flag=True,
                     help="Finish an interrupted sweep in --out: only missing runs are"
                          " computed. Refused if the folder holds a different sweep."),
        click.option("--force", is_flag=True,
                     help="Replace an existing folder, discarding its runs."),
        format_option,
        figure_format_option,
        click.option("--keep-tables", is_flag=True,
                     help="Also keep every run's full tables (worker_months, spells, ...) under"
                          " OUT/tables/; by default runs keep only their summary metrics."),
        click.option("--replications", "-r", type=int,
                     help="Replications at every point (default: the sweep file's)."),
        click.option("--seed", type=int, help="Seed (default: the sweep file's)."),
        click.option("--metrics", "metrics", metavar="NAME,…",
                     help="Metrics to print and draw (and, for sensitivity, to analyse),"
                          " comma-separated, or all (default: the sweep file's metrics, else "
                          + ",".join(DEFAULT_METRICS) + "); runs and points tables keep every"
                          " metric."),
        set_option,
        quiet_option,
        click.option("--by", "by", type=click.Choice(["group", "none"]), default=None,
                     help="Also give the per-applicant metrics per worker group (group:"
                          " runs_by_group and points_by_group, and a table per group here), or"
                          " pooled only (none); default: group when the scenario has several."),
        warmup_option(", per point: each point's own pilot chooses its warm-up (column"
                      " warmup_weeks of points)"),
    ]
    for option in reversed(options):
        command = option(command)
    return precision_options(
        APPLICANT_DEFAULT_METRICS, "every target metric's 95% interval at each point has a"
        " half-width within SHARE of that point's mean (e.g. 5% or 0.05), each point on its"
        " own")(command)


@click.command(name="sweep")
@sweep_file_argument
@_sweep_options
def sweep_command(sweep_file: str, **options: Any) -> None:
    """Run the scenario sweep in SWEEP_FILE: a grid or a sample of scenario keys.

    Every point's scenario is checked before anything runs. Each finished run is saved at
    once under OUT/runs/, so an interrupted sweep keeps its finished runs and --resume
    computes only the rest. At the end OUT holds runs.csv (one row per point and
    replication), points.csv (per point: each metric's mean and 95% interval), figures
    (a heatmap per metric for a 2-key grid, lines with confidence bands for one key) and
    manifest.json. The same seed gives the same tables whatever the backend and --jobs.
    With --precision (or replications = "auto" in the sweep file), each point runs rounds of
    replications until its own intervals are narrow enough; points.csv says how many each
    point needed (replications) and whether it got there (precision_met).

    \b
    Examples:
      gigsim sweep scenarios/sweeps/arrival_notice.toml
      gigsim sweep scenarios/sweeps/arrival_notice.toml --scheduler local --jobs 4
      gigsim sweep scenarios/sweeps/arrival_notice.toml --scheduler tcp://10.0.0.5:8786
      gigsim sweep scenarios/sweeps/arrival_notice.toml --resume
    """  # noqa: D301  (\b is click's mark for a paragraph it must not rewrap)
    user_errors(_sweep)(sweep_file, sensitivity=False, n=None, **options)


@click.command(name="sensitivity")
@sweep_file_argument
@_sweep_options
@click.option("--n", "n", type=int,
              help="SALib's base sample size N (default: the file's sensitivity.n); for"
                   " sobol a power of two, giving N × (keys + 2) points.")
def sensitivity_command(sweep_file: str, **options: Any) -> None:
    """Sensitivity analysis of the sweep file's [sensitivity] table, with SALib.

    SALib draws the points (a Saltelli sample for method = "sobol", Morris trajectories for
    "morris") within the bounds given, gigsim runs them as a sweep (same options, saving and
    --resume as gigsim sweep), and SALib computes the indices of each metric from the
    per-point means: first-order and total Sobol' indices, or Morris mu* and sigma, with 95%
    intervals. OUT gets indices.csv and a bar chart per metric besides the sweep's tables.
    Needs pip install 'gigsim[sweep]'.

    \b
    Example:
      gigsim sensitivity scenarios/sweeps/sensitivity_generalist.toml --jobs 0
    """  # noqa: D301
    user_errors(_sweep)(sweep_file, sensitivity=True, **options)


class _Bar:
    """A progress bar of runs done, runs left and an ETA, started once the count is known."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.bar: Any = None
        self.done = 0

    def __call__(self, done: int, total: int) -> None:
        if self.quiet or total == 0 or not on_terminal():
            return
        if self.bar is None:
            self.bar = click.progressbar(
                length=total, label="runs", file=sys.stderr, show_eta=True, show_pos=True,
                item_show_func=lambda left: None if left is None else f"{left} left")
            self.bar.__enter__()
        self.bar.update(done - self.done, total - done)
        self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


# What a user may reach for with --set that is a key of the sweep file, not of the scenario.
_SWEEP_KEY_OPTIONS = {"replications": "--replications", "seed": "--seed",
                      "sensitivity.n": "--n", "metrics": "--metrics",
                      "precision": "--precision", "precision_metrics": "--precision-metrics",
                      "max_replications": "--max-replications"}


def _check_sets(fixed: dict[str, Any], sensitivity: bool) -> None:
    """Refuse --set keys that belong to the sweep file, naming the option that sets them."""
    for key in fixed:
        first = key.split(".")[0]
        if first not in SWEEP_KEYS or first in ("name", "description"):  # scenario keys too
            continue
        option = _SWEEP_KEY_OPTIONS.get(key)
        if option == "--n" and not sensitivity:
            option = None
        hint = (f"use {option}" if option is not None
                else "edit the sweep file (its keys are not scenario keys)")
        raise GigsimError(f"--set {key}: --set changes keys of the scenario, and {first} is a"
                          f" key of the sweep file; {hint}")


def _load(path: str, sensitivity: bool, fixed: dict[str, Any], replications: int | None,
          seed: int | None, n: int | None, precision: tuple[Any, Any, Any] = (None, None, None)
          ) -> SweepSpec:
    """The sweep file with the command line's changes; their errors name the option."""
    changes: dict[str, Any] = {}
    given: dict[str, str] = {}
    if replications is not None:
        changes["replications"], given["replications"] = replications, "--replications"
    share, metrics, maximum = precision
    if share is not None:
        if replications is not None:
            raise GigsimError("--precision and --replications: give one of them, not both")
        changes["precision"], given["precision"] = parse_precision(share), "--precision"
        changes["replications"] = "auto"  # as a sweep file asks for it
    if metrics is not None:
        changes["precision_metrics"] = [m.strip() for m in metrics.split(",") if m.strip()]
        given["precision_metrics"] = "--precision-metrics"
    if maximum is not None:
        changes["max_replications"], given["max_replications"] = maximum, "--max-replications"
    if seed is not None:
        changes["seed"], given["seed"] = seed, "--seed"
    if n is not None:
        data, _ = read_toml(Path(path))
        if not isinstance(data.get("sensitivity"), dict):
            raise GigsimError(f"{path}: has no [sensitivity] table for --n to change")
        changes["sensitivity"], given["sensitivity.n"] = {"n": n}, "--n"
    try:
        return load_sweep(path, changes or None, cli_set=fixed or None)
    except ScenarioError as error:
        if error.key in given:
            raise GigsimError(f"{given[error.key]}: {error.message}") from None
        raise


def _sweep(path: str, sensitivity: bool, jobs: int, scheduler: str | None,
           scheduler_timeout: float, out: str | None, resume: bool, force: bool, fmt: str,
           keep_tables: bool, sets: tuple[str, ...], quiet: bool, replications: int | None,
           seed: int | None, metrics: str | None, n: int | None,
            figure_format: str = "png", by: str | None = None, precision: str | None = None,
            precision_metrics: str | None = None, max_replications: int | None = None,
            warmup: str | None = None) -> None:
    started = time.perf_counter()
    at_least("--jobs", jobs, 0)
    positive("--scheduler-timeout", scheduler_timeout)
    at_least("--replications", replications, 1)
    at_least("--seed", seed, 0)
    at_least("--n", n, 1)
    sets = with_warmup(sets, warmup)
    fixed = {key: parse_value(value) for key, value in parse_sets(sets).items()}
    _check_sets(fixed, sensitivity)
    spec = _load(path, sensitivity, fixed, replications, seed, n,
                 (precision, precision_metrics, max_replications))
    if metrics is not None:
        spec = dataclasses.replace(spec, metrics=parse_metrics(metrics, spec.metrics,
                                                               spec.all_metrics))
    if sensitivity and spec.kind != "sensitivity":
        raise GigsimError(f"{path}: has no [sensitivity] table; gigsim sweep runs its"
                          f" [{spec.kind}]")
    suffix = "sensitivity" if spec.kind == "sensitivity" else "sweep"
    target = Path(out) if out is not None else Path("results") / f"{spec.name}-{suffix}"
    backend = make_backend(jobs, scheduler, scheduler_timeout)
    bar = _Bar(quiet)
    try:
        result = run_sweep(spec, target, backend=backend, resume=resume, force=force,
                           fmt=fmt, keep_tables=keep_tables,  # type: ignore[arg-type]
                           progress=bar, figures=_figures,
                           figure_format=figure_format,  # type: ignore[arg-type]
                           manifest={"command": sys.argv[1:], "cli_set": fixed},
                           by_group=None if by is None else by == "group")
    except KeyboardInterrupt:
        bar.close()
        saved = len(SweepStore(target, spec).state().finished & SweepStore(
            target, spec).expected())
        interrupted(f"{saved} of {spec.runs} runs are saved in {target}/; run the same"
                    " command with --resume to compute the rest")
    finally:
        bar.close()
    if quiet:
        click.echo(str(result.folder))
        return
    click.echo(_report(spec, result))
    where = result.manifest["backend"]
    on = (f"{where['workers']} Dask worker(s)" if where["kind"].startswith("dask")
          else "this process" if where["kind"] == "serial"
          else f"{where['workers']} processes")
    reused = f", {result.reused} reused from before" if result.reused else ""
    click.echo(f"\n{result.manifest['runs']} runs ({result.computed} computed on {on}{reused}) in"
               f" {time.perf_counter() - started:.1f} s; results in {result.folder}/")


def _report(spec: SweepSpec, result: SweepResult) -> str:
    """What the terminal shows: the metrics per point, or the sensitivity indices.

    Either ends with the warning about too few replications per point, if any, as ``run``'s.
    """
    warning = [w for w in [replications_warning(spec.replications)] if w]
    if result.decisions:
        chosen = precision_phrase(spec, result.decisions)
    else:
        chosen = (f"{spec.replications} replication(s) at every point (as given; no precision"
                  " asked)")
    if result.warmups:
        chosen += "\n" + warmups_phrase(result.warmups)
    if result.indices is not None:
        lines = []
        for metric in spec.metrics:
            table = result.indices[result.indices["metric"] == metric]
            lines.append(f"{metric}:")
            for _, row in table.iterrows():
                ci = "" if math.isnan(row["conf"]) else \
                    f"  [{row['ci_low']:.3g}, {row['ci_high']:.3g}]"
                lines.append(f"  {row['index']:<8} {row['parameter']:<44} {row['value']:>9.3g}"
                             f"{ci}")
        missing = undefined_metrics(spec, result.points)
        if missing:
            lines.append(f"(undefined at some points, so their indices are NaN:"
                         f" {', '.join(missing)})")
        assert spec.sensitivity is not None
        lines += ["", *index_warnings(result.indices, spec.sensitivity.method,
                                      spec.sensitivity.n), chosen, *warning]
        return "\n".join(line for line in lines).rstrip()
    counts = (["replications"] + (["warmup_weeks"] if result.warmups else [])
              + (["precision_met"] if result.decisions else []))
    # with a pay schedule, its metrics too, as gigsim run prints them
    metrics = [*spec.metrics, *(m for m in spec.all_metrics
                                if m in PAY_METRICS and m not in spec.metrics)]
    shown = result.points[["point", *spec.keys, *metrics, *counts]].head(30).copy()
    for metric in metrics:  # one precision per metric, as compare prints it
        shown[metric] = [format_metric(metric, float(v)) for v in shown[metric]]
    if result.decisions:
        shown["precision_met"] = ["met" if met else "SHORT" for met in shown["precision_met"]]
    for parameter in spec.parameters:  # a sampled duration is hours in the tables, days here
        if parameter.unit == "duration" and parameter.key in shown:
            shown[parameter.key] = [duration_for_person(float(v)) for v in shown[parameter.key]]
    with pd.option_context("display.width", 160, "display.max_columns", 20,
                           "display.float_format", "{:.6g}".format):
        text = shown.to_string(index=False)
    if len(result.points) > 30:
        text += (f"\n… {len(result.points) - 30} more points in"
                 f" points.{result.files[1].split('.')[-1]}")
    return "\n".join(["means per point over its replications (95% intervals in the points"
                      " table):", text, chosen,
                      *_by_group(spec, result), *warning])


def _by_group(spec: SweepSpec, result: SweepResult) -> list[str]:
    """The per-applicant metrics shown, per point and worker group (empty when not split)."""
    table = result.points_by_group
    shown = [m for m in spec.metrics if m in APPLICANT_METRICS]
    if table is None or not shown:
        return []
    frame = table[["point", *spec.keys, "group", *shown]].head(30 * 4).copy()
    for metric in shown:
        frame[metric] = [format_metric(metric, float(v)) for v in frame[metric]]
    for parameter in spec.parameters:
        if parameter.unit == "duration" and parameter.key in frame:
            frame[parameter.key] = [duration_for_person(float(v)) for v in frame[parameter.key]]
    with pd.option_context("display.width", 160, "display.max_columns", 20):
        text = frame.to_string(index=False)
    if len(table) > len(frame):
        text += f"\n… {len(table) - len(frame)} more rows in points_by_group"
    return ["", "per applicant, by worker group (each group's applicants alone; 95% intervals"
                " in points_by_group):", text]


COMMANDS = (sweep_command, sensitivity_command)


def _figures(spec: SweepSpec, points: pd.DataFrame, indices: pd.DataFrame | None,
             points_by_group: pd.DataFrame | None = None) -> dict[str, Figure]:
    from gigsim.presentation.figures.sweep import folder_figures  # matplotlib on demand

    return folder_figures(spec, points, indices, points_by_group)
