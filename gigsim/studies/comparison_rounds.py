"""Running a comparison in rounds until its paired differences are precise enough.

Each round runs the same replications (seed streams ``k``) of every variant, so the variants
stay paired; after each round :mod:`gigsim.studies.paired_precision` checks every variant's
difference from the first. One pool of processes serves every round and variant, and the
count and every result are the same whatever the number of processes.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from typing import Any

from gigsim.analysis.applicants import ALL, ALL_METRICS
from gigsim.analysis.results import Results
from gigsim.errors import GigsimError
from gigsim.scenario import Scenario
from gigsim.studies.comparison import Comparison, VariantResults
from gigsim.studies.paired_precision import (
    COMPARE_METRICS,
    DifferenceCheck,
    PairedDecision,
    check_differences,
)
from gigsim.studies.precision import (
    DEFAULT_MAX_REPLICATIONS,
    PrecisionGoal,
    check_metrics,
    run_rounds,
)
from gigsim.studies.runner import Progress, process_pool, run_indices, stop_if_reimported
from gigsim.studies.sizing import check_size
from gigsim.studies.variant_summary import VariantSummary, run_summary


def compare_by_precision(scenario: Scenario, scenarios: Mapping[str, Scenario], seed: int,
                         goal: PrecisionGoal, jobs: int, requested_jobs: int,
                         progress: Progress | None, keep_tables: bool, split: bool,
                         overrides: Mapping[str, Mapping[str, Any] | None],
                         by_group: bool | None) -> Comparison:
    """Run every variant of ``scenarios`` in rounds until ``goal`` is met (or its maximum).

    ``scenario`` is the comparison's base scenario; ``overrides`` and ``by_group`` are as for
    :class:`~gigsim.studies.comparison.Comparison`. With ``keep_tables`` each variant keeps its
    records, else a :class:`~gigsim.studies.variant_summary.VariantSummary` per round (made
    replication by replication), merged.
    """
    stop_if_reimported()  # a started process re-running an unguarded script stops here
    for variant in scenarios.values():
        check_size(variant, goal.round_size * goal.min_rounds)
    records: dict[str, list[Any]] = {name: [] for name in scenarios}
    summaries: dict[str, list[VariantSummary]] = {name: [] for name in scenarios}
    simulate_s: dict[str, float] = dict.fromkeys(scenarios, 0.0)
    reference = next(iter(scenarios))

    def current() -> Comparison:
        results: dict[str, VariantResults] = {}
        for name, variant in scenarios.items():
            if keep_tables:
                results[name] = Results(variant, seed, records[name],
                                        {"simulate_s": simulate_s[name], "jobs": float(jobs)})
            else:
                results[name] = VariantSummary.merge(summaries[name])
        return Comparison(scenario, results, overrides, by_group)

    with process_pool(jobs) as pool:

        def run_round(indices: range) -> None:
            for name, variant in scenarios.items():
                if not keep_tables:  # one replication's records per process at a time
                    check_size(variant, 1)
                    summaries[name].append(run_summary(variant, seed, indices, jobs,
                                                       requested_jobs, progress, pool, split))
                    continue
                check_size(variant, indices.stop)
                started = time.perf_counter()
                records[name].extend(run_indices(variant, seed, indices, jobs, requested_jobs,
                                                 progress, pool))
                simulate_s[name] += time.perf_counter() - started

        def assess() -> Sequence[DifferenceCheck]:
            comparison = current()
            values = {name: {m: comparison.values(name, ALL)[m].to_numpy() for m in goal.metrics}
                      for name in comparison.variants}
            return check_differences(values, goal)

        replications, rounds, checks = run_rounds(goal, run_round, assess)
    comparison = current()
    comparison.choices = {"replications": PairedDecision(goal, replications, rounds, checks,
                                                         reference)}
    return comparison


def compare_to_precision(scenario: Scenario, scenarios: Mapping[str, Scenario], seed: int,
                         jobs: int, progress: Progress | None, keep_tables: bool, split: bool,
                         overrides: Mapping[str, Mapping[str, Any] | None],
                         by_group: bool | None, precision: float,
                         precision_metrics: Sequence[str] | None,
                         max_replications: int | None) -> Comparison:
    """:func:`compare_by_precision` with the goal read from ``precision`` and its options."""
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 0:
        raise GigsimError(f"jobs must be a whole number of at least 0, got {jobs!r}")
    goal = PrecisionGoal(
        precision,
        metrics=COMPARE_METRICS if precision_metrics is None else check_metrics(
            tuple(precision_metrics), known=ALL_METRICS, example=COMPARE_METRICS),
        max_replications=DEFAULT_MAX_REPLICATIONS if max_replications is None
        else max_replications)
    return compare_by_precision(scenario, scenarios, seed, goal, jobs or (os.cpu_count() or 1),
                                jobs, progress, keep_tables, split, overrides, by_group)
