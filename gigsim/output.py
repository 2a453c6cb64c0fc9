"""Writing results folders atomically: tables, summary, manifest, the scenario as run, figures.

``write_results`` writes what ``gigsim run`` produces and ``write_comparison`` what
``gigsim compare`` produces; both stage the folder beside its target and rename it into place.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import platform
import shutil
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
import tomli_w

from gigsim.errors import GigsimError
from gigsim.results import TABLES, Results
from gigsim.scenario import Scenario
from gigsim.scenario.schema import did_you_mean

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from gigsim.comparison import Comparison

Format = Literal["csv", "parquet"]

# What a results folder holds by default: the tables a person opens, small enough to write in
# less time than the simulation takes. The per-spell and per-worker tables (spells.csv alone is
# about 130 MB for scenarios/generalist.toml, and writing every table as CSV takes several times
# the simulation's own time) come with tables="all"; see results/README.md for the figures.
DEFAULT_TABLES = ("worker_months", "latencies", "projects", "project_fills")
# What report.html is drawn from: a folder with a report carries them, so that
# `gigsim report FOLDER` can draw it again.
REPORT_TABLES = ("worker_months", "spells", "latencies", "workers")


def choose_tables(choice: str | Sequence[str] | None, report: bool = False) -> tuple[str, ...]:
    """The tables to write, in :data:`~gigsim.results.TABLES` order.

    ``choice`` is ``"default"`` (or None: :data:`DEFAULT_TABLES`), ``"all"``, or names (a
    sequence, or a comma-separated string) of tables. With ``report``, the tables the report
    is drawn from are added.
    """
    if choice is None or choice == "default":
        names: set[str] = set(DEFAULT_TABLES)
    elif choice == "all":
        names = set(TABLES)
    else:
        given = choice.split(",") if isinstance(choice, str) else list(choice)
        names = {name.strip() for name in given if name.strip()}
        if not names:
            raise GigsimError("--tables: expected default, all, or table names such as"
                              " worker_months,latencies")
        for name in sorted(names):
            if name not in TABLES:
                raise GigsimError(f"--tables: unknown table `{name}`{did_you_mean(name, TABLES)};"
                                  f" known: {', '.join(TABLES)}, or default, or all")
    if report:
        names |= set(REPORT_TABLES)
    return tuple(name for name in TABLES if name in names)


def default_format() -> Format:
    """Parquet where pyarrow is installed (a tenth of the time, a quarter of the size), else CSV."""
    return "parquet" if parquet_available() else "csv"


def parquet_available() -> bool:
    """Whether pyarrow is installed, so tables can be written as Parquet."""
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


def check_target(out: Path, force: bool, fmt: Format = "csv") -> None:
    """Refuse to replace an existing folder unless ``force``, and what cannot be written."""
    if fmt == "parquet" and not parquet_available():
        raise GigsimError("--format parquet needs pyarrow: pip install 'gigsim[parquet]'")
    if out.exists() and not force:
        raise GigsimError(f"{out}: already exists; use --force to replace it, or --out elsewhere")
    nearest = next((p for p in out.parents if p.exists()), None)
    if nearest is not None and not nearest.is_dir():
        raise GigsimError(f"{out}: cannot create the folder, {nearest} is a file")


def resolved_scenario(results: Results) -> dict[str, Any]:
    """The scenario data as run: the file with its overrides, and the seed and replications used."""
    return scenario_as_run(results.scenario, results.seed, results.replications)


def scenario_as_run(scenario: Scenario, seed: int, replications: int) -> dict[str, Any]:
    """``scenario``'s data (the file with its overrides) with the seed and replications used."""
    data = json.loads(json.dumps(dict(scenario.data)))  # a deep, plain copy
    simulation = data.setdefault("simulation", {})
    simulation["seed"] = seed
    simulation["replications"] = replications
    return data


@contextmanager
def staged_folder(out: Path) -> Iterator[Path]:
    """A fresh temporary folder beside ``out``, renamed to ``out`` if the block succeeds.

    An existing ``out`` is replaced only once the new folder is complete; if the block fails,
    the temporary folder is removed and ``out`` is left as it was.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.partial-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir()
    try:
        yield staging
        _replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def write_table(frame: pd.DataFrame, folder: Path, name: str, fmt: Format) -> None:
    """Write ``frame`` as ``folder/name.csv`` or ``folder/name.parquet``, without its index."""
    if fmt == "parquet":
        # Dictionary-encoding float columns costs half the write time and saves nothing:
        # their values hardly repeat. Names, kinds and ids keep it.
        keyed = [str(c) for c in frame.columns if not pd.api.types.is_float_dtype(frame[c])]
        frame.to_parquet(folder / f"{name}.parquet", index=False, use_dictionary=keyed)
    else:
        frame.to_csv(folder / f"{name}.csv", index=False)


def environment() -> dict[str, Any]:
    """What a manifest records about the run's software and time."""
    return {
        "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
    }


def write_results(results: Results, out: str | Path, fmt: Format = "csv", force: bool = False,
                  manifest: Mapping[str, Any] | None = None, report: bool = False,
                  tables: str | Sequence[str] | None = "all") -> Path:
    """Write tables, ``summary.json``, ``manifest.json`` and ``scenario.toml`` to ``out``.

    ``tables`` chooses the tables (:func:`choose_tables`: ``"all"``, the default here,
    ``"default"``, or names); ``gigsim run`` writes ``"default"`` unless told otherwise.
    With ``report``, also ``report.html`` (:mod:`gigsim.report`) and the tables it is drawn
    from. Files are written to a temporary folder beside ``out`` and renamed into place, so a
    reader never sees a half-written folder. An existing ``out`` is replaced only with
    ``force``.
    """
    out = Path(out)
    check_target(out, force, fmt)
    names = choose_tables(tables, report)
    started = time.perf_counter()
    with staged_folder(out) as staging:
        for name in names:
            write_table(getattr(results, name), staging, name, fmt)
        summary = {"scenario": results.scenario.name, **results.summary().to_dict()}
        _write_json(staging / "summary.json", summary)
        (staging / "scenario.toml").write_text(tomli_w.dumps(resolved_scenario(results)),
                                               encoding="utf-8")
        timings = dict(results.timings)
        timings["write_s"] = time.perf_counter() - started
        _write_json(staging / "manifest.json", {
            "gigsim_version": _version(),
            "scenario": results.scenario.name,
            "scenario_file": results.scenario.source,
            "seed": results.seed,
            "replications": results.replications,
            "format": fmt,
            "tables": list(names),
            "timings_s": timings,
            "events": int(sum(r.events for r in results.records)),
            **({"report": "report.html"} if report else {}),
            **environment(),
            **(manifest or {}),
        })
        if report:
            from gigsim.report import write_report  # draws figures: matplotlib on demand

            write_report(staging, tables={name: getattr(results, name)
                                          for name in ("worker_months", "spells", "latencies",
                                                       "workers")})
    return out


def write_comparison(comparison: Comparison, out: str | Path, fmt: Format = "csv",
                     force: bool = False, manifest: Mapping[str, Any] | None = None) -> Path:
    """Write a comparison's folder: its tables, summary, figures, manifest and scenarios.

    ``comparison`` (the tidy table) and ``per_replication`` as CSV or Parquet;
    ``summary.json`` (:meth:`~gigsim.comparison.Comparison.to_dict`); ``income_ecdf.png`` and
    ``latency_ecdf.png``; ``scenario.toml`` (the scenario as run), ``variants.toml`` (every
    variant's scenario as run, one table per variant) and ``manifest.json``. Written
    atomically like :func:`write_results`.
    """
    from gigsim import plots  # matplotlib is loaded only when figures are drawn
    from gigsim.comparison import variant_events

    out = Path(out)
    check_target(out, force, fmt)
    started = time.perf_counter()
    results = comparison.results
    figures = plots.comparison_figures(
        {name: r.worker_months for name, r in results.items()},
        {name: r.latencies for name, r in results.items()})
    for figure in figures.values():
        keep_lines_apart(figure)
    seed, replications = comparison.seed, comparison.replications
    with staged_folder(out) as staging:
        write_table(comparison.table, staging, "comparison", fmt)
        write_table(comparison.per_replication, staging, "per_replication", fmt)
        _write_json(staging / "summary.json", comparison.to_dict())
        for stem, figure in figures.items():
            figure.savefig(staging / f"{stem}.png", dpi=120)
        (staging / "scenario.toml").write_text(
            tomli_w.dumps(scenario_as_run(comparison.scenario, seed, replications)),
            encoding="utf-8")
        (staging / "variants.toml").write_text(tomli_w.dumps({
            name: scenario_as_run(r.scenario, seed, replications) for name, r in results.items()
        }), encoding="utf-8")
        timings = {f"simulate_s.{name}": r.timings.get("simulate_s", math.nan)
                   for name, r in results.items()}
        timings["write_s"] = time.perf_counter() - started
        _write_json(staging / "manifest.json", {
            "gigsim_version": _version(),
            "scenario": comparison.scenario.name,
            "scenario_file": comparison.scenario.source,
            "seed": seed,
            "replications": replications,
            "variants": list(comparison.variants),
            "reference": comparison.reference,
            "variant_overrides": comparison.variant_overrides(),
            "format": fmt,
            "tables": ["comparison", "per_replication"],
            "figures": [f"{stem}.png" for stem in figures],
            "timings_s": timings,
            "events": sum(variant_events(r) for r in results.values()),
            **environment(),
            **(manifest or {}),
        })
    return out


LINE_STYLES = ("-", "--", ":", "-.")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")


def keep_lines_apart(figure: Figure) -> None:
    """Make every line of a comparison figure visible, even where variants coincide.

    Each line gets its own dash pattern and a few markers at staggered places, and lines
    that are identical to an earlier one are named in a note on the figure ("same as ...").
    """
    for axes in figure.axes:
        lines = [line for line in axes.get_lines() if np.size(line.get_xdata()) > 0]
        for index, line in enumerate(lines):
            count = int(np.size(line.get_xdata()))
            line.set_linestyle(LINE_STYLES[index % len(LINE_STYLES)])  # type: ignore[arg-type]
            line.set_marker(MARKERS[index % len(MARKERS)])
            line.set_markersize(4)
            step = max(1, count // 6)
            line.set_markevery((min(count - 1, index * step // max(1, len(lines))), step))
        same = []
        for index, line in enumerate(lines):
            for earlier in lines[:index]:
                if np.array_equal(line.get_xdata(), earlier.get_xdata()) and \
                        np.array_equal(line.get_ydata(), earlier.get_ydata()):
                    same.append(f"{_label(line)} = {_label(earlier)}")
                    break
        if same:
            axes.text(0.99, 0.02, "identical: " + "; ".join(same), transform=axes.transAxes,
                      ha="right", va="bottom", fontsize=8, color="#444")
        legend = axes.get_legend()
        if legend is not None:  # redrawn so that it shows the new styles
            axes.legend(title=legend.get_title().get_text() or None)


def _label(line: Any) -> str:
    return str(line.get_label()).split(" (")[0]


def _replace(staging: Path, out: Path) -> None:
    if not out.exists():
        staging.rename(out)
        return
    retired = out.parent / f".{out.name}.replaced-{os.getpid()}"
    out.rename(retired)
    try:
        staging.rename(out)
    except BaseException:
        retired.rename(out)
        raise
    shutil.rmtree(retired, ignore_errors=True)


def _write_json(path: Path, data: Mapping[str, Any]) -> None:
    path.write_text(json.dumps(data, indent=2, allow_nan=False) + "\n", encoding="utf-8")


def _version() -> str:
    from gigsim import __version__

    return __version__
