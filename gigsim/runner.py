"""Running replications, serially or in worker processes, with the same results either way."""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING

from gigsim.errors import GigsimError
from gigsim.records import Records
from gigsim.scenario import Scenario
from gigsim.simulation import run_replication

if TYPE_CHECKING:
    from gigsim.results import Results

Progress = Callable[[int], None]


def _check_count(name: str, value: int, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise GigsimError(f"{name} must be a whole number of at least {minimum}, got {value!r}")
    return value


def simulate(scenario: Scenario, replications: int | None = None, seed: int | None = None,
             jobs: int = 1, progress: Progress | None = None) -> Results:
    """Simulate ``scenario`` and return its :class:`~gigsim.results.Results`.

    ``replications`` and ``seed`` default to the scenario's ``[simulation]`` values. ``jobs``
    processes run the replications (0 means one per core); the results are the same, bit for
    bit, whatever the number. ``progress`` is called with the number of replications finished
    each time one finishes.
    """
    replications = _check_count(
        "replications", scenario.simulation.replications if replications is None
        else replications, 1)
    seed = _check_count("seed", scenario.simulation.seed if seed is None else seed, 0)
    jobs = _check_count("jobs", jobs, 0) or (os.cpu_count() or 1)
    jobs = min(jobs, replications)
    started = time.perf_counter()
    records: list[Records] = []
    if jobs == 1:
        for index in range(replications):
            records.append(run_replication(scenario, seed, index))
            if progress is not None:
                progress(1)
    else:
        # 'spawn': each worker is a fresh interpreter that imports only gigsim.simulation
        # (numpy; not pandas or scipy), whatever threads the caller has running.
        context = multiprocessing.get_context("spawn")
        pool = ProcessPoolExecutor(max_workers=jobs, mp_context=context)
        try:
            futures = [pool.submit(run_replication, scenario, seed, index)
                       for index in range(replications)]
            _import_results()  # while the workers start and run
            for future in futures:
                records.append(future.result())
                if progress is not None:
                    progress(1)
        finally:
            # Not waiting for the workers to exit (about 0.3 s): every result is in by now, or a
            # replication failed and the ones not yet started are dropped.
            pool.shutdown(wait=False, cancel_futures=True)
    elapsed = time.perf_counter() - started
    results_type = _import_results()
    return results_type(scenario, seed, records, {"simulate_s": elapsed, "jobs": float(jobs)})


def _import_results() -> type[Results]:
    # Imported here, not at the top, so that importing this module (``gigsim.simulate``) does
    # not load pandas and scipy, and so that with ``jobs`` > 1 the caller's process loads them
    # while the worker processes start up and run.
    from gigsim.results import Results

    return Results
