"""Writing a study's results folder: its tables, summary, scenarios, figures and manifest.

A study says what its folder holds (:class:`~gigsim.studies.folder.Folder`); :func:`write_folder`
writes any such folder atomically (staged beside its target and renamed into place, with
:mod:`gigsim.files`). ``write_results`` writes what ``gigsim run`` produces and
``write_comparison`` what ``gigsim compare`` produces, adding the figures drawn for them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import tomli_w

from gigsim.analysis.results import TABLES, Results
from gigsim.errors import GigsimError
from gigsim.files import (
    FigureFormat,
    Format,
    check_target,
    environment,
    gigsim_version,
    staged_folder,
    write_json,
    write_table,
)
from gigsim.scenario.schema import did_you_mean
from gigsim.studies.folder import Folder, results_folder

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from gigsim.studies.comparison import Comparison

# What a results folder holds by default: the tables a person opens, small enough to write in
# less time than the simulation takes. The per-spell and per-worker tables (spells.csv alone is
# about 130 MB for scenarios/generalist.toml, and writing every table as CSV takes several times
# the simulation's own time) come with tables="all"; see results/README.md for the figures.
DEFAULT_TABLES = ("worker_months", "latencies", "projects", "project_fills")
# What report.html is drawn from: a folder with a report carries them, so that
# `gigsim report FOLDER` can draw it again.
REPORT_TABLES = ("worker_months", "spells", "latencies", "workers")
# With a pay schedule ([pay]): one row per payment, written by default beside worker_months.
PAYMENTS = "payments"
# With ``return`` in a worker group: one row per absence, written by default (the report's
# drought curve reads it: an idle spell ending in an absence is censored).
ABSENCES = "absences"


def choose_tables(choice: str | Sequence[str] | None, report: bool = False,
                  available: Sequence[str] = tuple(TABLES)) -> tuple[str, ...]:
    """The tables to write, in the order of ``available`` (the run's tables).

    ``choice`` is ``"default"`` (or None: :data:`DEFAULT_TABLES`, and ``payments`` where the
    run has a pay schedule), ``"all"``, or names (a sequence, or a comma-separated string) of
    tables. With ``report``, the tables the report is drawn from are added.
    """
    if choice is None or choice == "default":
        names: set[str] = set(DEFAULT_TABLES) | ({PAYMENTS, ABSENCES} & set(available))
    elif choice == "all":
        names = set(available)
    else:
        given = choice.split(",") if isinstance(choice, str) else list(choice)
        names = {name.strip() for name in given if name.strip()}
        if not names:
            raise GigsimError("--tables: expected default, all, or table names such as"
                              " worker_months,latencies")
        for name in sorted(names):
            if name == PAYMENTS and name not in available:
                raise GigsimError("--tables: payments needs a pay schedule ([pay] in the"
                                  " scenario); without one, money is received as it is earned")
            if name not in available:
                raise GigsimError(f"--tables: unknown table `{name}`"
                                  f"{did_you_mean(name, available)};"
                                  f" known: {', '.join(available)}, or default, or all")
    if report:
        names |= set(REPORT_TABLES) | ({ABSENCES} & set(available))
    return tuple(name for name in available if name in names)


def write_folder(folder: Folder, out: str | Path, fmt: Format = "csv", force: bool = False,
                 manifest: Mapping[str, Any] | None = None,
                 figures: Callable[[], Mapping[str, Figure]] | None = None,
                 then: Callable[[Path], None] | None = None,
                 figure_format: FigureFormat = "png") -> Path:
    """Write a study's ``folder`` to ``out``, with the ``figures`` drawn for it.

    Its tables as CSV or Parquet, ``summary.json``, its scenarios as TOML, the figures as PNG
    (or ``figure_format``: SVG, PDF) and ``manifest.json``. The manifest holds the gigsim
    version, the study's own entries, the format, the tables and figures, the timings (with
    ``write_s``, the time writing took), the events and the environment, then ``manifest``.
    ``then`` is called with the folder being written, after the manifest, to add files drawn
    from it. Everything is written to a temporary folder beside ``out`` and renamed into
    place, so a reader never sees a half-written folder; an existing ``out`` is replaced only
    with ``force``, and checked before any figure is drawn.
    """
    out = Path(out)
    check_target(out, force, fmt)
    started = time.perf_counter()
    drawn = dict(figures()) if figures is not None else {}
    with staged_folder(out) as staging:
        for name, build in folder.tables.items():
            write_table(build(), staging, name, fmt)
        write_json(staging / "summary.json", folder.summary)
        for stem, data in folder.scenarios.items():
            (staging / f"{stem}.toml").write_text(tomli_w.dumps(data), encoding="utf-8")
        for stem, figure in drawn.items():
            figure.savefig(staging / f"{stem}.{figure_format}", dpi=120, format=figure_format)
        write_json(staging / "manifest.json", {
            "gigsim_version": gigsim_version(),
            **folder.manifest,
            "format": fmt,
            "tables": list(folder.tables),
            **({"figures": [f"{stem}.{figure_format}" for stem in drawn]} if drawn else {}),
            "timings_s": {**folder.timings, "write_s": time.perf_counter() - started},
            "events": folder.events,
            **environment(),
            **(manifest or {}),
        })
        if then is not None:
            then(staging)
    return out


def write_results(results: Results, out: str | Path, fmt: Format = "csv", force: bool = False,
                  manifest: Mapping[str, Any] | None = None, report: bool = False,
                  tables: str | Sequence[str] | None = "all") -> Path:
    """Write tables, ``summary.json``, ``manifest.json`` and ``scenario.toml`` to ``out``.

    ``tables`` chooses the tables (:func:`choose_tables`: ``"all"``, the default here,
    ``"default"``, or names); ``gigsim run`` writes ``"default"`` unless told otherwise.
    With ``report``, also ``report.html`` (:mod:`gigsim.presentation.report`) and the tables
    it is drawn from. Written atomically by :func:`write_folder`.
    """
    names = choose_tables(tables, report, results.table_names)

    def add_report(staging: Path) -> None:
        from gigsim.presentation.report import write_report  # matplotlib on demand

        write_report(staging, tables={name: getattr(results, name) for name in REPORT_TABLES})

    return write_folder(results_folder(results, names), out, fmt, force,
                        {**({"report": "report.html"} if report else {}), **(manifest or {})},
                        then=add_report if report else None)


def write_comparison(comparison: Comparison, out: str | Path, fmt: Format = "csv",
                     force: bool = False, manifest: Mapping[str, Any] | None = None,
                     figure_format: FigureFormat = "png") -> Path:
    """Write a comparison's folder (:meth:`~gigsim.studies.comparison.Comparison.folder`).

    With its figures, ``income_ecdf.png``, ``latency_ecdf.png`` and ``differences.png`` (or
    ``.svg``, ``.pdf``: ``figure_format``), and ``warmup.png`` where the warm-up was chosen
    from the output; written atomically by :func:`write_folder`.
    """

    def figures() -> dict[str, Figure]:
        # matplotlib is loaded only when figures are drawn
        from gigsim.presentation.figures.comparison import comparison_figures, keep_lines_apart

        results = comparison.results
        drawn = comparison_figures(
            {name: r.worker_months for name, r in results.items()},
            {name: r.latencies for name, r in results.items()},
            comparison.table, comparison.reference)
        for stem in ("income_ecdf", "latency_ecdf"):
            keep_lines_apart(drawn[stem])
        if "warmup" in comparison.choices:  # chosen from the output: the series, the cut
            from gigsim.presentation.figures.warmup import common_warmup_figure

            drawn["warmup"] = common_warmup_figure(comparison.choices["warmup"].to_dict())
        return drawn

    return write_folder(comparison.folder(), out, fmt, force, manifest, figures=figures,
                        figure_format=figure_format)
