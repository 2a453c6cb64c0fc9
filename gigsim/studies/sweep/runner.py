"""Running a sweep into its folder: check, connect, run what is missing, then write the tables.

The order is what keeps finished work safe: the folder is checked and the backend connected
before anything in the folder changes, so bad input or an unreachable cluster leaves an
existing folder as it was; then each run is persisted as it finishes, so an interruption loses
only the runs in flight; the tables are written from the part files at the end, so a resumed
sweep ends with the same tables as one that was never interrupted.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import tomli_w

from gigsim.files import (
    FigureFormat,
    Format,
    environment,
    gigsim_version,
    write_atomically,
    write_json,
)
from gigsim.studies.folder import scenario_as_run
from gigsim.studies.precision import Decision
from gigsim.studies.runner import stop_if_reimported
from gigsim.studies.sweep.backends import Backend, SerialBackend
from gigsim.studies.sweep.rounds import decisions_dict, run_points_by_precision
from gigsim.studies.sweep.spec import SweepSpec
from gigsim.studies.sweep.store import SweepStore
from gigsim.studies.sweep.tables import (
    group_names,
    points_by_group_table,
    points_table,
    runs_by_group_table,
    runs_table,
)
from gigsim.studies.sweep.task import RunOutcome, RunTask
from gigsim.studies.sweep.warmups import choose_point_warmups, warmups_dict, with_point_warmups
from gigsim.studies.warmup import WarmupChoice

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# progress(done, total): runs finished in this call and runs this call has to do
Progress = Callable[[int, int], None]
# figures(spec, points, indices[, points_by_group]): the figures of a finished sweep by file
# stem, drawn by the caller (gigsim.presentation.figures.sweep.folder_figures), since a study
# draws nothing itself; points_by_group is passed only when the sweep is split by group
Figures = Callable[..., Mapping[str, "Figure"]]


@dataclass
class SweepResult:
    """A finished sweep: its tables, where they are, and what this call computed.

    ``runs`` has one row per (point, replication), ``points`` one per point with means and 95%
    intervals; ``indices`` holds the sensitivity indices of a ``[sensitivity]`` sweep;
    ``points_by_group`` the applicant metrics per point and worker group, when split by group.
    """

    spec: SweepSpec
    folder: Path
    runs: pd.DataFrame
    points: pd.DataFrame
    computed: int
    reused: int
    indices: pd.DataFrame | None = None
    files: list[str] = field(default_factory=list)
    manifest: dict[str, Any] = field(default_factory=dict)
    points_by_group: pd.DataFrame | None = None
    # With a precision: each point's decision (gigsim.studies.precision.Decision), by index
    decisions: dict[int, Decision] = field(default_factory=dict)
    # With warmup = "auto": each point's warm-up (gigsim.studies.warmup.WarmupChoice), by index
    warmups: dict[int, WarmupChoice] = field(default_factory=dict)


def run_sweep(spec: SweepSpec, out: str | Path, *, backend: Backend | None = None,
              resume: bool = False, force: bool = False, fmt: Format = "csv",
              keep_tables: bool = False, figures: Figures | None = None,
              progress: Progress | None = None,
              on_run: Callable[[RunOutcome], None] | None = None,
              manifest: Mapping[str, Any] | None = None,
              figure_format: FigureFormat = "png",
              by_group: bool | None = None) -> SweepResult:
    """Run every missing run of ``spec`` into the folder ``out`` and write its tables.

    ``backend`` defaults to this process. ``resume`` continues a folder of the same sweep,
    ``force`` replaces whatever is there; without either an existing folder is refused.
    ``keep_tables`` also saves each run's tables under ``out/tables/``. ``figures`` draws the
    figures saved beside the tables (:func:`gigsim.presentation.sweep_figures.sweep_figures`
    draws those of ``gigsim sweep``; none without it), as PNG or ``figure_format`` (``"svg"``,
    ``"pdf"``). ``by_group`` also writes ``runs_by_group`` and ``points_by_group`` (the
    applicant metrics per worker group; default: when the base scenario has several groups;
    every run keeps its groups either way). ``on_run`` is called
    with each outcome once it is persisted. Raises :class:`~gigsim.errors.GigsimError`, before
    anything in ``out`` changes, when the folder or the backend will not do.
    """
    stop_if_reimported()  # a started process re-running an unguarded script stops here
    started = time.perf_counter()
    store = SweepStore(out, spec, keep_tables)
    state = store.check(resume, force, fmt)
    backend = backend if backend is not None else SerialBackend()
    computed = 0
    decisions: dict[int, Decision] | None = None
    with backend:  # connecting may fail: still nothing changed
        finished = store.open(state, force)
        warmups = choose_point_warmups(spec, backend)  # warmup = "auto": each point's pilot
        running = with_point_warmups(spec, warmups) if warmups else spec
        tasks = [RunTask(point.index, replication, spec.run_seed(point.index), point.scenario,
                         keep_tables)
                 for point in running.points for replication in range(spec.replications)
                 if (point.index, replication) not in finished]
        if progress is not None:  # with a precision, the most there can be
            progress(0, len(tasks))

        def save(outcome: RunOutcome) -> None:
            nonlocal computed
            store.save(outcome, fmt)
            computed += 1
            if progress is not None:
                progress(computed, len(tasks))
            if on_run is not None:
                on_run(outcome)

        if spec.goal is None:
            for outcome in backend.run(tasks):
                save(outcome)
        else:
            saved = {(part["point"], part["replication"]): part["metrics"]
                     for part in store.load_runs()
                     if (part["point"], part["replication"]) in finished}  # with its tables
            decisions = run_points_by_precision(running, backend, saved, save, keep_tables)
        description = backend.describe()
    return write_outputs(store, fmt, figures, started, computed, len(finished), description,
                         manifest, figure_format, by_group, decisions, warmups)


def write_outputs(store: SweepStore, fmt: Format, figures: Figures | None, started: float,
                  computed: int,
                  reused: int, backend: Mapping[str, Any],
                  manifest: Mapping[str, Any] | None = None,
                  figure_format: FigureFormat = "png",
                  by_group: bool | None = None,
                  decisions: Mapping[int, Decision] | None = None,
                  warmups: Mapping[int, WarmupChoice] | None = None) -> SweepResult:
    """Build the tables from the part files and write them, the figures and the manifest.

    With ``decisions`` (a sweep by precision), each point's runs are those its rule chose;
    with ``warmups`` (``warmup = "auto"``), the points table has each point's ``warmup_weeks``.
    """
    spec = store.spec
    parts = store.load_runs()
    if decisions is not None:
        parts = [p for p in parts if p["replication"] < decisions[p["point"]].replications]
    runs = runs_table(spec, parts)
    points = points_table(spec, runs, decisions)
    if warmups:
        points.insert(list(points.columns).index("replications") + 1, "warmup_weeks",
                      [warmups[index].weeks for index in points["point"]])
    files = [store.write_frame(runs, "runs", fmt), store.write_frame(points, "points", fmt)]
    split = bool(group_names(spec)) if by_group is None else by_group and bool(group_names(spec))
    points_by_group = None
    if split:
        runs_by_group = runs_by_group_table(spec, parts)
        points_by_group = points_by_group_table(spec, runs_by_group)
        files += [store.write_frame(runs_by_group, "runs_by_group", fmt),
                  store.write_frame(points_by_group, "points_by_group", fmt)]
    indices = None
    if spec.kind == "sensitivity":
        indices = sensitivity_indices(spec, points)
        files.append(store.write_frame(indices, "indices", fmt))
    write_atomically(store.out / "scenario.toml",
                     tomli_w.dumps(scenario_as_run(spec.base, spec.seed, spec.replications)))
    files.append("scenario.toml")
    if figures is not None:
        drawn = (figures(spec, points, indices) if points_by_group is None
                 else figures(spec, points, indices, points_by_group))
        files += _write_figures(store, drawn, figure_format)
    record = {
        "gigsim_version": gigsim_version(),
        "sweep": spec.name,
        "sweep_file": spec.source,
        "digest": store.digest,
        "kind": spec.kind,
        "scenario": spec.base.name,
        "scenario_file": spec.base.source,
        "set": dict(spec.fixed),
        "keys": list(spec.keys),
        "by_group": list(group_names(spec)) if split else [],
        "points": len(spec.points),
        "replications": spec.replications if decisions is None else None,
        **({} if decisions is None
           else {"replications_chosen": decisions_dict(spec, decisions)}),
        **({"warmup_chosen": warmups_dict(warmups)} if warmups else {}),
        "runs": spec.runs if decisions is None else len(parts),
        "runs_finished": len(parts),
        "runs_computed_now": computed,
        "runs_reused": reused,
        "seed": spec.seed,
        "common_random_numbers": spec.common_random_numbers,
        "sample_method": spec.sample_method or None,
        "sensitivity": None if spec.sensitivity is None else vars(spec.sensitivity),
        "backend": dict(backend),
        "format": fmt,
        "files": files,
        "timings_s": {
            "wall_s": time.perf_counter() - started,
            "simulate_s_all_runs": float(sum(p["simulate_s"] for p in parts)),
        },
        "events": int(sum(p["events"] for p in parts)),
        **environment(),
        **(manifest or {}),
    }
    write_json(store.out / "manifest.json", record)
    return SweepResult(spec, store.out, runs, points, computed, reused, indices,
                       [*files, "manifest.json"], record, points_by_group,
                       dict(decisions or {}), dict(warmups or {}))


def sensitivity_indices(spec: SweepSpec, points: pd.DataFrame) -> pd.DataFrame:
    """SALib's indices of each of the spec's metrics, from the per-point means."""
    from gigsim.studies.sweep.sensitivity import SensitivityDesign, indices_table

    assert spec.sensitivity is not None and spec.design is not None
    design = SensitivityDesign.from_settings(spec.sensitivity, spec.parameters, spec.seed)
    outputs = {metric: points[metric].to_numpy(dtype=float) for metric in spec.metrics}
    return indices_table(design, spec.design, outputs)


def undefined_metrics(spec: SweepSpec, points: pd.DataFrame) -> list[str]:
    """The spec's metrics that are NaN at some point (their indices are NaN too)."""
    return [m for m in spec.metrics if bool(np.isnan(points[m].to_numpy(dtype=float)).any())]


def _write_figures(store: SweepStore, drawn: Mapping[str, Figure],
                   figure_format: FigureFormat = "png") -> list[str]:
    files = []
    for stem, figure in drawn.items():
        path = store.out / f"{stem}.{figure_format}"
        staging = store.out / f".{stem}.{figure_format}.tmp"
        figure.savefig(staging, dpi=120, format=figure_format)
        staging.replace(path)
        files.append(path.name)
    return files
