"""``gigsim calibrate``: scenario keys from published moments, by simulated moments."""

from __future__ import annotations

import math
import sys
import time
from pathlib import Path
from typing import Any

import click
import pandas as pd

from gigsim.cli.common import (
    at_least,
    figure_format_option,
    interrupted,
    positive,
    user_errors,
)
from gigsim.presentation.calibration import write_calibration
from gigsim.scenario.units import duration_for_person
from gigsim.studies.fitting.calibrate import (
    EVALUATIONS,
    Calibration,
    calibrate,
    check,
    parameter_text,
)
from gigsim.studies.fitting.spec import CalibrationSpec, load_calibration
from gigsim.studies.sweep.backends import DEFAULT_CONNECT_TIMEOUT_S, make_backend


@click.command(name="calibrate")
@click.argument("calibration_file", type=click.Path(dir_okay=False))
@click.option("--check", "check_only", is_flag=True,
              help="Do not optimise: simulate the scenario as it is and say whether every"
                   " target is within its tolerance (exit status 0 if so, 1 if not).")
@click.option("--replications", "-r", type=int, help="Replications per evaluation (default:"
                                                       " the file's).")
@click.option("--seed", type=int, help="The seed of every evaluation (default: the file's);"
                                       " with --check, another seed tests out of sample.")
@click.option("--max-evaluations", type=int, help="The optimiser's budget (default: the"
                                                  " file's).")
@click.option("--jobs", "-j", type=int, default=0, show_default=True,
              help="Local worker processes for each evaluation's replications; 0 means one"
                   " per core, 1 runs in this process. Results do not depend on it.")
@click.option("--scheduler", metavar="ADDRESS",
              help="Run the replications on a Dask cluster (an address, or 'local').")
@click.option("--scheduler-timeout", type=float, default=DEFAULT_CONNECT_TIMEOUT_S,
              show_default=True, metavar="SECONDS", help="Give up connecting after this long.")
@click.option("--out", "-o", type=click.Path(file_okay=False),
              help="Results folder (default: results/<name>-calibration).")
@click.option("--resume", is_flag=True,
              help="Continue a calibration in --out, reusing its saved evaluations.")
@click.option("--force", is_flag=True, help="Replace an existing --out folder.")
@click.option("--quiet", "-q", is_flag=True, help="Print only where the results are.")
@figure_format_option
def calibrate_command(calibration_file: str, check_only: bool, **options: Any) -> None:
    """Tune the scenario keys in CALIBRATION_FILE until its target metrics are met.

    The method of simulated moments: every evaluation runs the scenario with the keys set,
    on the same seed and replications (common random numbers), and the optimiser (scipy's
    Nelder–Mead within the bounds) minimises the sum of squared misses, each in units of its
    tolerance. OUT gets the calibrated scenario (scenario.toml, a copy of the base file with
    the keys changed and commented), targets.csv (each target before and after, with 95%
    intervals), parameters.csv (with 95% intervals from the MSM sandwich), trace.csv,
    objective.png and targets.png. Each evaluation is saved as it finishes; --resume reuses
    them.

    \b
    Examples:
      gigsim calibrate scenarios/calibration/generalist.toml --jobs 2
      gigsim calibrate scenarios/calibration/generalist.toml --check
    """  # noqa: D301  (\b is click's mark for a paragraph it must not rewrap)
    status = user_errors(_calibrate)(calibration_file, check_only, **options)
    sys.exit(status)


def _calibrate(path: str, check_only: bool, replications: int | None, seed: int | None,
               max_evaluations: int | None, jobs: int, scheduler: str | None,
               scheduler_timeout: float, out: str | None, resume: bool, force: bool,
               quiet: bool, figure_format: str = "png") -> int:
    started = time.perf_counter()
    at_least("--replications", replications, 2)
    at_least("--max-evaluations", max_evaluations, 1)
    at_least("--seed", seed, 0)
    at_least("--jobs", jobs, 0)
    positive("--scheduler-timeout", scheduler_timeout)
    changes: dict[str, Any] = {}
    if replications is not None:
        changes["replications"] = replications
    if seed is not None:
        changes["seed"] = seed
    if max_evaluations is not None:
        changes["max_evaluations"] = max_evaluations
    spec = load_calibration(path, changes)
    backend = make_backend(jobs, scheduler, scheduler_timeout)
    if check_only:
        table = check(spec, backend)
        click.echo(targets_text(spec, table))
        ok = bool(table["within_tolerance"].all())
        click.echo(f"\n{spec.scenario_file}: {'every target is' if ok else 'NOT every target'}"
                   f" within its tolerance ({spec.replications} replications, seed"
                   f" {spec.seed}; {time.perf_counter() - started:.1f} s)")
        return 0 if ok else 1
    folder = Path(out) if out is not None else Path("results") / f"{spec.name}-calibration"

    def progress(evaluation: int, objective: float) -> None:
        if not quiet:
            click.echo(f"  evaluation {evaluation:>3}: objective {objective:.4g}", err=True)

    try:
        result = calibrate(spec, folder, backend=backend, resume=resume, force=force,
                           progress=progress)
    except KeyboardInterrupt:
        saved = len(list((folder / EVALUATIONS).glob("*.json")))
        interrupted(f"{saved} evaluations are saved in {folder}/; run the same command with"
                    " --resume to continue")
    write_calibration(result, folder, {"command": sys.argv[1:]},
                      figure_format=figure_format)  # type: ignore[arg-type]
    if quiet:
        click.echo(str(folder))
        return 0
    click.echo(report_text(result))
    extra = result.computed + result.reused - len(result.trace)
    click.echo(f"\n{len(result.trace)} evaluations by the optimiser and {extra} for the"
               f" scenario as it was and the derivatives ({result.computed} computed,"
               f" {result.reused} reused), {spec.replications} replications each, seed"
               f" {spec.seed}; {time.perf_counter() - started:.1f} s. Results in {folder}/"
               " (the calibrated scenario is scenario.toml)")
    return 0


def _value(metric: str, value: float) -> str:
    """A target metric's value: durations in days (hours under a day), others to 3 figures."""
    if metric.endswith("_h") and not metric.endswith("_seat_h"):
        return duration_for_person(value)
    return f"{value:.3g}"


def _interval(metric: str, mean: float, low: float, high: float) -> str:
    if math.isnan(mean):
        return "undefined"
    if math.isnan(low):
        return _value(metric, mean)
    return f"{_value(metric, mean)} [{_value(metric, low)}, {_value(metric, high)}]"


def targets_text(spec: CalibrationSpec, table: pd.DataFrame) -> str:
    """Each target against the achieved mean over replications, with its 95% interval."""
    has_before = "before_mean" in table
    lines = ["Targets (means over replications, 95% intervals by the kind of metric):",
             f"  {'metric':<26} {'target':<16} {'before':<24} " if has_before else
             f"  {'metric':<26} {'target':<16} "]
    lines[1] += f"{'achieved':<24} on target"
    for _, row in table.iterrows():
        before = ""
        if has_before:
            shown = _interval(row["metric"], row["before_mean"], row["before_ci_low"],
                              row["before_ci_high"])
            before = f"{shown:<24} "
        achieved = _interval(row["metric"], row["achieved_mean"], row["achieved_ci_low"],
                             row["achieved_ci_high"])
        target = (f"{_value(row['metric'], row['value'])} ±"
                  f" {_value(row['metric'], row['tolerance'])}")
        lines.append(f"  {row['metric']:<26} {target:<16}"
                     f" {before}{achieved:<24} {'yes' if row['within_tolerance'] else 'NO'}")
    return "\n".join(lines)


def report_text(result: Calibration) -> str:
    """The targets before and after, and the calibrated parameters with their intervals."""
    lines = [targets_text(result.spec, result.targets), "",
             "Parameters (95% intervals from the MSM sandwich: simulation and target noise):"]
    for parameter in result.spec.parameters:
        row = _rows(result)[parameter.key]
        interval = ("no interval" if math.isnan(row["ci_low"]) else
                    f"[{parameter_text(parameter, row['ci_low'])},"
                    f" {parameter_text(parameter, row['ci_high'])}]")
        bound = "  (at a bound: widen it?)" if row["at_bound"] else ""
        lines.append(f"  {parameter.key:<46} {parameter_text(parameter, parameter.start):>10}"
                     f" -> {parameter_text(parameter, row['calibrated']):<10} {interval}{bound}")
    return "\n".join(lines)


def _rows(result: Calibration) -> dict[str, Any]:
    return {str(r["key"]): r for r in result.parameters.to_dict("records")}


COMMANDS = (calibrate_command,)
