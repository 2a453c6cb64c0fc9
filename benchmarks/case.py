"""One gigsim benchmark case, run in a fresh process so that its memory peak is its own.

``python -m benchmarks.case '{"workers": 10000, "years": 1, "repeats": 5, "warmup": "full"}'``
runs the reference scenario scaled to ``workers`` for ``years``: a warm-up run (``"full"``: the
same simulation, and the tables of a small one; ``"small"``: 1,000 workers for 8 weeks;
``"none"``), then ``repeats`` timed runs,
each timing :func:`gigsim.engine.run_replication` apart from building every table and the
summary, and the time Python's cyclic garbage collector took inside the simulation (which
cProfile does not show). It prints one line of JSON; :func:`measure` does the same in the
calling process.

``python -m benchmarks.case '{"kind": "jobs", "workers": 3000, "replications": 8, "jobs": 2}'``
times ``gigsim.simulate`` instead (:func:`measure_jobs`).
"""

from __future__ import annotations

import gc
import json
import resource
import statistics
import sys
import time
from typing import Any

from benchmarks.scenarios import SEED, reference_scenario, scale_factor, worker_years

HOURS_PER_YEAR = 8766.0


def max_rss_mib() -> float:
    """This process's peak resident set size so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


class GcClock:
    """Time spent in the cyclic garbage collector while installed (``with GcClock() as c``)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.collections = [0, 0, 0]  # per generation
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._started
            self.collections[info["generation"]] += 1

    def __enter__(self) -> GcClock:
        gc.callbacks.append(self)
        return self

    def __exit__(self, *_: object) -> None:
        gc.callbacks.remove(self)


def settle_gc() -> None:
    """Run the young-generation collection a run may have left pending, inside the timing.

    A simulator that pauses the cyclic collector during a run leaves every object it allocated
    in the youngest generation; the first allocation after the run then collects them all (a
    second or so at 10,000 workers). That is part of the cost of a run, so the benchmark pays
    it at once instead of letting it land in whatever comes next. With the collector running
    all along, this is a collection of at most a few hundred objects.
    """
    gc.collect(0)


def _tables(scenario: Any, records: Any) -> None:
    from gigsim.analysis.results import TABLES, Results

    results = Results(scenario, SEED, [records])
    for name in TABLES:
        results.table(name)
    results.summary()


def measure(workers: float, years: float, repeats: int = 1, warmup: str = "small",
            tables: bool = True) -> dict[str, Any]:
    """Time ``repeats`` runs of the scaled reference scenario; see the module docstring."""
    from gigsim.engine import run_replication

    scenario = reference_scenario(workers, years)
    rss_start = max_rss_mib()
    if warmup == "full":  # the same simulation, then tables of a small one (no peak from them)
        records = run_replication(scenario, SEED, 0)
        del records
        gc.collect()
        if tables:
            small = reference_scenario(1000, 8 * 168 / HOURS_PER_YEAR)
            _tables(small, run_replication(small, SEED, 0))
    elif warmup == "small":
        small = reference_scenario(1000, 8 * 168 / HOURS_PER_YEAR)
        records = run_replication(small, SEED, 0)
        if tables:
            _tables(small, records)
        del records
    sim_s: list[float] = []
    gc_s: list[float] = []
    gc_collections: list[list[int]] = []
    tables_s: list[float] = []
    tables_gc_s: list[float] = []
    peak_sim = None
    facts: dict[str, Any] = {}
    for _ in range(repeats):
        gc.collect()
        with GcClock() as clock:
            started = time.perf_counter()
            records = run_replication(scenario, SEED, 0)
            settle_gc()
            sim_s.append(time.perf_counter() - started)
        gc_s.append(clock.seconds)
        gc_collections.append(clock.collections)
        if peak_sim is None:
            peak_sim = max_rss_mib()
            facts = {
                "worker_years": worker_years(records),
                "on_platform": worker_years(records) * HOURS_PER_YEAR / records.end_h,
                "workers_seen": len(records.workers["worker"]),
                "events": records.events,
                "spells": len(records.spells["start"]),
                "span_years": records.end_h / HOURS_PER_YEAR,
            }
        if tables:
            with GcClock() as clock:
                started = time.perf_counter()
                _tables(scenario, records)
                tables_s.append(time.perf_counter() - started)
            tables_gc_s.append(clock.seconds)
        del records
    sim = statistics.median(sim_s)
    return {
        "workers": workers,
        "years": years,
        "scale_factor": scale_factor(workers),
        "repeats": repeats,
        "warmup": warmup,
        **facts,
        "sim_s": sim,
        "sim_s_all": sim_s,
        "gc_s": statistics.median(gc_s),
        "gc_s_all": gc_s,
        "gc_share": statistics.median(g / t for g, t in zip(gc_s, sim_s, strict=True)),
        "gc_collections": gc_collections[0],
        "tables_s": statistics.median(tables_s) if tables_s else None,
        "tables_s_all": tables_s,
        "tables_gc_s": statistics.median(tables_gc_s) if tables_gc_s else None,
        "worker_years_per_s": facts["worker_years"] / sim,
        "us_per_worker_year": sim / facts["worker_years"] * 1e6,
        "rss_start_mib": rss_start,
        "peak_rss_sim_mib": peak_sim,
        "peak_rss_mib": max_rss_mib(),
    }


def measure_jobs(workers: float, replications: int, jobs: int) -> dict[str, Any]:
    """Wall-clock time of ``gigsim.simulate`` of the scaled scenario with ``jobs`` processes."""
    import gigsim
    import gigsim.analysis.results  # pandas, which simulate() would load lazily: not timed

    scenario = reference_scenario(workers, 1.0)
    gc.collect()
    started = time.perf_counter()
    results = gigsim.simulate(scenario, replications=replications, seed=SEED, jobs=jobs)
    seconds = time.perf_counter() - started
    return {"workers": workers, "replications": replications, "jobs": jobs, "seconds": seconds,
            "worker_years": sum(worker_years(r) for r in results.records)}


def spin(loops: int) -> dict[str, Any]:
    """Seconds of a pure-Python loop: run alone and two at once, it tells what a second
    process can add on this machine at this moment (its ceiling for ``jobs=2``)."""
    started = time.perf_counter()
    total = 0
    for i in range(loops):
        total += i
    return {"seconds": time.perf_counter() - started, "loops": loops}


def main() -> None:
    spec = json.loads(sys.argv[1])
    kind = spec.pop("kind", "case")
    measures = {"jobs": measure_jobs, "spin": spin, "case": measure}
    print(json.dumps(measures[kind](**spec)))


if __name__ == "__main__":
    main()
