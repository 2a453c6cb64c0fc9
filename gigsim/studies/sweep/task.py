"""One run of a sweep, as a pure function that any backend can execute anywhere.

:func:`run_task` calls the same public entry point a user calls
(:func:`gigsim.engine.run_replication`, which :func:`gigsim.simulate` runs once per
replication) and returns the run's summary metrics, not its records, so a sweep's memory does
not grow with the size of the platform. Its result depends only on the task, so a backend may
run it twice (a Dask worker lost mid-run) and get the same answer.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from gigsim.analysis.applicants import sweep_metrics_by_group
from gigsim.analysis.results import TABLES
from gigsim.analysis.series import weekly_series
from gigsim.engine import run_replication
from gigsim.scenario import Scenario


@dataclass(frozen=True)
class RunTask:
    """Replication ``replication`` of point ``point``, run on scenario seed ``seed``."""

    point: int
    replication: int
    seed: int
    scenario: Scenario = field(repr=False)
    keep_tables: bool = False
    pilot: bool = False  # a pilot replication of warmup = "auto": gives its weekly series

    @property
    def key(self) -> tuple[int, int]:
        """(point, replication): what identifies a run within its sweep."""
        return self.point, self.replication


@dataclass(frozen=True)
class RunOutcome:
    """What a run gives back: its metrics, how long it took, and its tables if asked for."""

    point: int
    replication: int
    seed: int
    metrics: Mapping[str, float]
    simulate_s: float
    events: int
    tables: Mapping[str, pd.DataFrame] | None = field(default=None, repr=False)
    # each worker group's applicant metrics, when the scenario has several groups
    groups: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    # a pilot's weekly series (gigsim.analysis.series), instead of metrics
    series: Mapping[str, list[float]] | None = field(default=None, repr=False)

    @property
    def key(self) -> tuple[int, int]:
        """(point, replication)."""
        return self.point, self.replication


def run_task(task: RunTask) -> RunOutcome:
    """Simulate one run and summarise it."""
    started = time.perf_counter()
    records = run_replication(task.scenario, task.seed, task.replication)
    if task.pilot:
        series = {name: [float(v) for v in values]
                  for name, values in weekly_series(records).items()}
        return RunOutcome(task.point, task.replication, task.seed, {},
                          time.perf_counter() - started, records.events, series=series)
    metrics, groups = sweep_metrics_by_group(records, task.scenario.pay_schedules)
    tables = ({name: build(records) for name, build in TABLES.items()} if task.keep_tables
              else None)
    return RunOutcome(task.point, task.replication, task.seed, metrics,
                      time.perf_counter() - started, records.events, tables, groups)
