"""``gigsim fit``: a scenario distribution from a column of the user's data, with censoring."""

from __future__ import annotations

import math
import re
from pathlib import Path

import click
import pandas as pd

from gigsim.cli.common import figure_format_option, user_errors
from gigsim.errors import GigsimError
from gigsim.files import check_target, staged_folder
from gigsim.scenario import load_scenario
from gigsim.studies.fitting.data import KINDS, read_sample
from gigsim.studies.fitting.fit import FAMILIES, Fit, FitReport, duration_text, fit_sample
from gigsim.studies.fitting.toml_edit import scenario_copy, write_text


@click.command(name="fit")
@click.argument("data", type=click.Path(dir_okay=False))
@click.option("--column", required=True, help="The column of DATA to fit.")
@click.option("--censored", "censored_column", metavar="COLUMN",
              help="A column saying which values were still running when the data were taken"
                   " (1/0, true/false, yes/no): they count as 'at least this long'.")
@click.option("--kind", type=click.Choice(KINDS), default="duration", show_default=True,
              help="What the values are: durations (positive, in the unit of --unit or of the"
                   " column's name), counts (whole"
                   " numbers; Poisson is fitted too) or rates (positive numbers).")
@click.option("--unit", default=None,
              help="The unit of a duration column: m, h, d, w, mo or y. Default: the unit its"
                   " name ends in (lifetime_d, wait_hours, spell_weeks, …); a duration column"
                   " whose name gives none needs --unit.")
@click.option("--family", "families", multiple=True, metavar="NAME",
              help="Fit only these families (repeatable): exponential, lognormal, gamma,"
                   " weibull, and poisson for counts. Default: all of them.")
@click.option("--out", "-o", type=click.Path(file_okay=False),
              help="Folder for fits.csv, survival.png and qq.png (default:"
                   " results/fit-<DATA name>-<column>).")
@click.option("--into", "into", type=click.Path(dir_okay=False), metavar="SCENARIO",
              help="Write a copy of this scenario with --key set to the recommended fit.")
@click.option("--key", help="The scenario key to set, e.g. projects.rating.lifetime.")
@click.option("--scenario-out", type=click.Path(dir_okay=False), metavar="FILE",
              help="Where --into's copy goes (default: <SCENARIO name>-fitted.toml beside it).")
@click.option("--use", "use", metavar="FAMILY",
              help="Write this family's fit instead of the recommended one.")
@click.option("--force", is_flag=True,
              help="Replace an existing --out folder or --scenario-out file.")
@figure_format_option
def fit_command(data: str, column: str, censored_column: str | None, kind: str,
                unit: str | None,
                families: tuple[str, ...], out: str | None, into: str | None, key: str | None,
                scenario_out: str | None, use: str | None, force: bool,
                figure_format: str) -> None:
    """Fit the scenario's distributions to COLUMN of the CSV file DATA.

    Each family is fitted by maximum likelihood with right-censoring (values still running
    count as "at least this long"), ranked by AIC, with 95% intervals for its parameters and
    its largest gap from the data's Kaplan–Meier curve. The recommended fit is printed as a
    line to paste into a scenario, or, with --into and --key, written into a copy of a
    scenario (the scenario itself is never changed). OUT gets fits.csv, survival.png (the
    Kaplan–Meier curve against each fit) and qq.png.

    \b
    Examples:
      gigsim fit projects.csv --column lifetime_d --censored running   # _d: days
      gigsim fit projects.csv --column lifetime --unit w --censored running
      gigsim fit projects.csv --column seats --kind count
      gigsim fit projects.csv --column lifetime_d --censored running \\
          --into scenarios/generalist.toml --key projects.rating.lifetime
    """  # noqa: D301  (\b is click's mark for a paragraph it must not rewrap)
    user_errors(_fit)(data, column, censored_column, kind, unit, families, out, into, key,
                      scenario_out, use, force, figure_format)


def _fit(data: str, column: str, censored_column: str | None, kind: str, unit: str | None,
         families: tuple[str, ...], out: str | None, into: str | None, key: str | None,
         scenario_out: str | None, use: str | None, force: bool,
         figure_format: str = "png") -> None:
    if (into is None) != (key is None):
        raise GigsimError("--into and --key go together: name the scenario and the key to set")
    if scenario_out is not None and into is None:
        raise GigsimError("--scenario-out: needs --into and --key")
    sample = read_sample(data, column, censored_column, kind, unit)  # type: ignore[arg-type]
    report = fit_sample(sample, families or None)
    chosen = _chosen(report, use)
    folder = Path(out) if out is not None else \
        Path("results") / f"fit-{_slug(Path(data).stem)}-{_slug(column)}"
    check_target(folder, force)
    leaf = key.split(".")[-1] if key else _slug(column)
    copy = None
    if into is not None and key is not None:
        target = Path(scenario_out) if scenario_out is not None else \
            Path(into).with_name(f"{Path(into).stem}-fitted.toml")
        comment = (f"{key}: fitted by gigsim fit to {sample.source}: {chosen.family},"
                   f" {sample.n} values, {sample.n_censored} censored")
        text, _ = scenario_copy(into, target, {key: chosen.toml_data()}, {key: comment}, force)
        copy = (target, text)
    click.echo(describe(report, chosen))
    click.echo(f"\n{leaf} = {chosen.toml()}")
    _write_folder(report, folder, leaf, chosen, figure_format)
    click.echo(f"\nfits.csv, fit.toml, survival.{figure_format} and qq.{figure_format} in"
               f" {folder}/")
    if copy is not None:
        target, text = copy
        write_text(target, text)
        load_scenario(target)  # read back: the copy is a valid scenario as written
        click.echo(f"{target}: a copy of {into} with {key} set, checked by loading it back")


def _chosen(report: FitReport, use: str | None) -> Fit:
    if use is None:
        return report.recommended
    for fit in report.fits:
        if fit.family == use:
            return fit
    raise GigsimError(f"--use: {use!r} was not fitted (fitted: "
                      f"{', '.join(f.family for f in report.fits)})")


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", text).strip("_") or "value"


def _shown(fit: Fit, name: str, value: float) -> str:
    if math.isnan(value):
        return "?"
    if fit.kind == "duration" and name in FAMILIES[fit.family].unit_params:
        return duration_text(value)
    return f"{value:.3g}"


def describe(report: FitReport, chosen: Fit | None = None) -> str:
    """The terminal's account of a fit: the sample, each family ranked by AIC, the choice."""
    sample = report.sample
    threshold = report.km_threshold
    read_in = f", read {sample.unit_note}" if sample.unit_note else ""
    lines = [
        f"{sample.source}: {sample.n} values{read_in}, {sample.n_censored} censored (still"
        f" running), {sample.n_events} seen to end.",
        "Families ranked by AIC (lower is better). Intervals: 95%, from the observed"
        " information on the log scale.",
        "KM gap: the largest vertical distance between the data's Kaplan–Meier curve and the"
        f" fit's survival curve; * marks a gap above 1.36/√{sample.n_events} = {threshold:.3f}.",
        "",
        f"  {'family':<12} {'AIC':>10} {'ΔAIC':>8} {'KM gap':>8}  parameters [95% interval]",
    ]
    best = report.best
    for fit in report.fits:
        flag = "*" if fit.km_distance > threshold else " "
        if fit.parametric:
            params = ", ".join(
                f"{name} {_shown(fit, name, value)} [{_shown(fit, name, fit.ci_low[name])},"
                f" {_shown(fit, name, fit.ci_high[name])}]" for name, value in fit.params.items())
            aic = f"{fit.aic:>10.1f} {fit.aic - best.aic:>8.1f}"
        else:
            params = (f"{len(fit.values)} equally likely values at Kaplan–Meier quantiles"
                      " (no likelihood)")
            aic = f"{'—':>10} {'—':>8}"
        note = f"  ({fit.note})" if fit.note else ""
        lines.append(f"  {fit.family:<12} {aic} {fit.km_distance:>7.3f}{flag}  {params}{note}")
    chosen = chosen or report.recommended
    if chosen is report.recommended and chosen.parametric:
        why = f"lowest AIC, and its KM gap is within {threshold:.3f}"
    elif chosen is report.recommended:
        why = (f"the best family ({best.family}) is {best.km_distance:.3f} from the"
               f" Kaplan–Meier curve, above {threshold:.3f}")
    else:
        why = "chosen with --use"
    lines += ["", f"Written below: {chosen.family} ({why})."]
    return "\n".join(lines)


def _write_folder(report: FitReport, folder: Path, leaf: str, chosen: Fit,
                  figure_format: str = "png") -> None:
    from gigsim.presentation.figures.fitting import fit_qq_figure, fit_survival_figure

    with staged_folder(folder) as staging:
        pd.DataFrame(report.table()).to_csv(staging / "fits.csv", index=False)
        for stem, figure in (("survival", fit_survival_figure(report)),
                             ("qq", fit_qq_figure(report))):
            figure.savefig(staging / f"{stem}.{figure_format}", dpi=110, format=figure_format)
        (staging / "fit.toml").write_text(
            f"# {report.sample.source}: {chosen.family}\n{leaf} = {chosen.toml()}\n",
            encoding="utf-8")


COMMANDS = (fit_command,)
