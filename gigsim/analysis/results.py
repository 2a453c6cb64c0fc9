"""The results of simulating a scenario: its records, tables as DataFrames, and a summary."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pandas as pd

from gigsim.analysis import metrics, payments
from gigsim.analysis.absences import ABSENCES, absences_table
from gigsim.analysis.statistics import Summary
from gigsim.engine.records import Records
from gigsim.scenario import Scenario
from gigsim.scenario.pay import Pay

TABLES: dict[str, Callable[[Records], pd.DataFrame]] = {
    "worker_months": metrics.worker_months_table,
    "spells": metrics.spells_table,
    "latencies": metrics.latencies_table,
    "projects": metrics.projects_table,
    "project_fills": metrics.project_fills_table,
    "workers": metrics.workers_table,
}




def tables_for(pay: Pay | None, returns: bool = False
               ) -> dict[str, Callable[[Records], pd.DataFrame]]:
    """The tables of a run under the pay schedule ``pay``, by name, each built from records.

    Without one (money received as it is earned), :data:`TABLES` as they are. With one,
    ``worker_months`` gains ``received_usd``, ``workers`` gains ``forfeited_usd`` and
    ``unpaid_at_end_usd``, and ``payments`` is added (:mod:`gigsim.analysis.payments`).
    With ``returns`` (a worker group has ``return``), ``absences`` is added.
    """
    if returns:
        return {**tables_for(pay), ABSENCES: absences_table}
    if pay is None:
        return TABLES
    return {
        **TABLES,
        "worker_months": lambda r: payments.with_received(metrics.worker_months_table(r), r,
                                                          pay),
        "workers": lambda r: payments.with_accounts(metrics.workers_table(r), r, pay),
        "payments": lambda r: payments.payments_table(r, pay),
    }


def _concat(records: list[Records], build: Callable[[Records], pd.DataFrame]) -> pd.DataFrame:
    frames = [build(r) for r in records]
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    for column in frame.columns:  # categories are the same in every replication
        if isinstance(frames[0][column].dtype, pd.CategoricalDtype):
            frame[column] = pd.Categorical(frame[column],
                                           categories=frames[0][column].cat.categories)
    return frame


def has_returns(scenario: Scenario) -> bool:
    """Whether a worker group of ``scenario`` gives ``return`` (workers may come back)."""
    return any(group.comeback is not None for group in scenario.workers)


@dataclass
class Results:
    """What :func:`gigsim.simulate` returns: per-replication records and the tables built on them.

    Tables are pandas DataFrames built on first use: ``worker_months``, ``spells``,
    ``latencies``, ``projects``, ``project_fills`` and ``workers``, and ``payments`` when the
    scenario has a pay schedule (:func:`tables_for`).
    """

    scenario: Scenario
    seed: int
    records: list[Records]
    timings: dict[str, float] = field(default_factory=dict)
    # What the study chose for itself, by name ("replications", "warmup"): objects with
    # ``to_dict()`` and ``describe()`` (see gigsim.studies.precision and gigsim.studies.warmup)
    choices: Mapping[str, Any] = field(default_factory=dict, compare=False)
    # The summary metrics of each replication, when the study computed them already
    per_replication: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    @property
    def replications(self) -> int:
        """How many replications were run."""
        return len(self.records)

    @property
    def table_names(self) -> tuple[str, ...]:
        """The tables this run has: :data:`TABLES`, and ``payments`` with a pay schedule."""
        return tuple(tables_for(self.scenario.pay_schedules, has_returns(self.scenario)))

    def table(self, name: str) -> pd.DataFrame:
        """The table called ``name`` (one of :attr:`table_names`)."""
        tables = tables_for(self.scenario.pay_schedules, has_returns(self.scenario))
        return _concat(self.records, tables[name])

    @cached_property
    def worker_months(self) -> pd.DataFrame:
        """One row per worker and month on the platform."""
        return self.table("worker_months")

    @cached_property
    def spells(self) -> pd.DataFrame:
        """One row per assessment, idle, training or work spell."""
        return self.table("spells")

    @cached_property
    def latencies(self) -> pd.DataFrame:
        """One row per reassignment-latency observation."""
        return self.table("latencies")

    @cached_property
    def projects(self) -> pd.DataFrame:
        """One row per project, its drawn attributes only."""
        return self.table("projects")

    @cached_property
    def project_fills(self) -> pd.DataFrame:
        """One row per project: how its seats were filled."""
        return self.table("project_fills")

    @cached_property
    def workers(self) -> pd.DataFrame:
        """One row per worker."""
        return self.table("workers")

    @cached_property
    def absences(self) -> pd.DataFrame:
        """One row per absence (left, then back) overlapping the window; empty without one."""
        return _concat(self.records, absences_table)

    @cached_property
    def payments(self) -> pd.DataFrame:
        """One row per payment in the window; only with a pay schedule (else a KeyError)."""
        return self.table("payments")

    def summary(self) -> Summary:
        """The summary metrics with 95% confidence intervals across replications."""
        return self._summary

    @cached_property
    def _summary(self) -> Summary:
        if self.per_replication is not None:
            return Summary(self.per_replication)
        return Summary.from_records(self.records, self.scenario.pay_schedules)

    def choices_dict(self) -> dict[str, Any]:
        """How the replications and the warm-up were chosen, JSON-ready (empty if given)."""
        return {name: choice.to_dict() for name, choice in self.choices.items()}
