"""What a comparison keeps of each variant's run: metrics per replication, what figures draw.

A variant's full tables run to hundreds of megabytes on a big scenario; a
:class:`VariantSummary` to a few, so ``gigsim compare`` summarises each replication as it comes
in (:func:`run_summary`) and holds the records of the replications at hand only, one per
process.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import pandas as pd

from gigsim.analysis import metrics
from gigsim.analysis.applicants import applicant_summary
from gigsim.analysis.results import Results
from gigsim.analysis.statistics import Summary
from gigsim.engine.records import Records
from gigsim.scenario import Scenario
from gigsim.studies.runner import Progress, release_freed_memory, run_and_keep


@dataclass
class VariantSummary:
    """What a comparison keeps of a variant's run when it does not keep every table.

    The per-replication summary metrics and applicant metrics by group, and what its figures
    draw: the onboarded worker-months
    (``available_h > 0``) with their ``available_h`` and ``income_usd``, the rows and columns
    of ``worker_months`` the income figure reads, and reassignment latencies with their
    censoring flags. A
    variant's full tables run to hundreds of megabytes on a big scenario; these to a few.
    """

    scenario: Scenario
    seed: int
    replications: int
    summary_of_run: Summary = field(repr=False)
    worker_months: pd.DataFrame = field(repr=False)  # available_h > 0: available_h, income_usd
    latencies: pd.DataFrame = field(repr=False)  # latency_h, censored
    applicants: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)
    timings: dict[str, float] = field(default_factory=dict)
    events: int = 0

    @classmethod
    def of(cls, results: Results, by_group: bool = False) -> VariantSummary:
        """Keep what a comparison needs of ``results`` (its records can then be freed).

        ``by_group``: keep each worker group's worker-month metrics too.
        """
        kept, latencies = [], []
        for records in results.records:  # one replication's table at a time: a tenth the peak
            months = metrics.worker_months_table(records)
            kept.append(months.loc[months["available_h"] > 0, ["available_h", "income_usd"]])
            del months
            latencies.append(metrics.latencies_table(records)[["latency_h", "censored"]])
        return cls(results.scenario, results.seed, results.replications, results.summary(),
                   pd.concat(kept, ignore_index=True),
                   pd.concat(latencies, ignore_index=True),
                   applicant_summary(results.records, worker_months=by_group),
                   dict(results.timings), variant_events(results))

    def summary(self) -> Summary:
        """The summary metrics with 95% confidence intervals across replications."""
        return self.summary_of_run

    @classmethod
    def merge(cls, parts: Sequence[VariantSummary]) -> VariantSummary:
        """Summaries of consecutive runs of one variant's replications, as one run of them all.

        The same as :meth:`of` on every replication at once: each metric is per replication.
        """
        first = parts[0]
        if len(parts) == 1:
            return first
        timings = dict(first.timings)
        timings["simulate_s"] = sum(p.timings.get("simulate_s", 0.0) for p in parts)
        return cls(first.scenario, first.seed, sum(p.replications for p in parts),
                   Summary(pd.concat([p.summary_of_run.per_replication for p in parts])),
                   pd.concat([p.worker_months for p in parts], ignore_index=True),
                   pd.concat([p.latencies for p in parts], ignore_index=True),
                   pd.concat([p.applicants for p in parts]), timings,
                   sum(p.events for p in parts))


VariantResults = Results | VariantSummary


def run_summary(scenario: Scenario, seed: int, indices: Sequence[int], jobs: int,
                requested_jobs: int, progress: Progress | None,
                pool: ProcessPoolExecutor | None, by_group: bool = False) -> VariantSummary:
    """Run replications ``indices`` of ``scenario`` and keep their :class:`VariantSummary`.

    The same as :meth:`VariantSummary.of` on the results of them all, but each replication is
    summarised as it comes in and its records freed, so memory holds the records of one
    replication per process rather than of every replication
    (:func:`~gigsim.studies.runner.run_and_keep`). ``timings`` has ``simulate_s`` (running and
    summarising) and ``jobs``; ``by_group`` is as for :meth:`VariantSummary.of`.
    """
    started = time.perf_counter()

    def keep(records: Records) -> VariantSummary:
        release_freed_memory()  # the last replication's records and scratch are freed by now
        return VariantSummary.of(Results(scenario, seed, [records]), by_group=by_group)

    parts = run_and_keep(scenario, seed, indices, jobs, requested_jobs, progress, pool, keep)
    release_freed_memory()
    summary = VariantSummary.merge(parts)
    summary.timings = {"simulate_s": time.perf_counter() - started, "jobs": float(jobs)}
    return summary


def variant_applicants(results: VariantResults, by_group: bool = False) -> pd.DataFrame:
    """A variant's applicant metrics by group and replication (index: group, replication).

    ``by_group``: with each worker group's worker-month metrics (computed for full results;
    a :class:`VariantSummary` has them if it was made so).
    """
    if isinstance(results, VariantSummary):
        return results.applicants
    return applicant_summary(results.records, worker_months=by_group)


def variant_events(results: VariantResults) -> int:
    """How many events a variant's run processed."""
    if isinstance(results, VariantSummary):
        return results.events
    return int(sum(r.events for r in results.records))
