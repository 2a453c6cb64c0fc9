"""Running replications, serially or in worker processes, with the same results either way."""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

from gigsim.errors import GigsimError
from gigsim.records import Records
from gigsim.results import Results
from gigsim.scenario import Scenario
from gigsim.simulation import run_replication

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
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            futures = [pool.submit(run_replication, scenario, seed, index)
                       for index in range(replications)]
            for future in futures:
                records.append(future.result())
                if progress is not None:
                    progress(1)
    elapsed = time.perf_counter() - started
    return Results(scenario, seed, records,
                   {"simulate_s": elapsed, "jobs": float(jobs)})
