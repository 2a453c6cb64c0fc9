"""The engine (v2) against the targets of issue 10: ratios from one run, never in unit tests.

Engine v1 was removed after commit 4ff84e0; run this file there to time both side by side.

``python -m benchmarks.engines`` (``--quick`` for small sizes, ``--only a,b`` for some of
reference, toy, bundled, million, profile, memory, coldstart) prints:

- **reference**: ``benchmarks/reference.toml`` scaled to 10,000 workers × 1 year, simulation only
  (``run_replication``), worker-years per second, interleaved runs, medians;
  events per worker-year (``Records.events``) and SimPy events
  (every ``Environment.step``) per worker-year;
- **toy**: the baselines' toy world (``benchmarks/baselines``) at 10,000 workers with 5-seat and
  100-seat projects, against the hand-written per-worker heapq loop;
- **bundled**: ``scenarios/generalist.toml`` as bundled, one replication, ``gigsim.simulate``
  with every table and the summary built: worker-years per second of all of it;
- **million**: 1,000,000 workers × 1 year of the reference (``--million N``: N workers), v2,
  ``gigsim.simulate`` then ``summary()`` only, in a fresh process: seconds and peak resident
  memory (by the end of ``simulate``, and in all), and a digest of the summary's values;
- **profile**: cProfile of one v2 reference run: the share of time inside SimPy's own code, and
  the top functions by own and by cumulative time, with shares of the profiled run;
- with **reference** and **toy**, where the time goes (issue 23 item 3): µs per event overall
  (the untimed simulation seconds ÷ ``Records.events``), then one more run with the handlers
  timed by kind (:mod:`benchmarks.event_kinds`) and the wrapper's own overhead;
- **memory**: the peak resident memory (``ru_maxrss``) of one replication of the reference and of
  each toy, each in a fresh process (the million case reports its own);
- **coldstart**: ``gigsim run scenarios/generalist.toml`` with no bytecode cache, with only
  gigsim's missing, and warm; ``python -X importtime -c "import gigsim.engine"`` totals
  (:mod:`benchmarks.costs`).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from benchmarks import costs, event_kinds
from benchmarks.baselines import heapq_loop, simpy_floor
from benchmarks.baselines.common import ToyParams
from benchmarks.scenarios import (
    SEED,
    assigned_hours,
    reference_scenario,
    toy_scenario,
    worker_years,
)

ENGINES = ("v2",)  # the engine in gigsim/engine/; v1 was removed after 4ff84e0


def replication_runner(engine: str) -> Callable[..., Any]:
    """The engine's ``run_replication`` (``engine`` names it in the figures)."""
    from gigsim.engine import run_replication

    return run_replication


@contextmanager
def counting_simpy_steps() -> Iterator[list[int]]:
    """Count every event SimPy processes (``Environment.step``) while inside."""
    import simpy.core

    count = [0]
    step = simpy.core.Environment.step

    def counted(self: Any) -> None:
        count[0] += 1
        step(self)

    simpy.core.Environment.step = counted  # type: ignore[method-assign]
    try:
        yield count
    finally:
        simpy.core.Environment.step = step  # type: ignore[method-assign]


def interleaved(runs: dict[str, Callable[[], Any]], repeats: int
                ) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Each callable once untimed, then ``repeats`` times in turn; wall and CPU seconds per run.

    The CPU time of the process moves less than the wall time when other sessions share the
    machine's cores (it still moves: they share its caches too).
    """
    for run in runs.values():
        run()
    times: dict[str, list[float]] = {name: [] for name in runs}
    cpu: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            started, started_cpu = time.perf_counter(), time.process_time()
            run()
            times[name].append(time.perf_counter() - started)
            cpu[name].append(time.process_time() - started_cpu)
    return times, cpu


def reference(workers: float, repeats: int) -> dict[str, Any]:
    scenario = reference_scenario(workers, 1)
    runners = {e: (lambda e=e: replication_runner(e)(scenario, SEED, 0)) for e in ENGINES}
    times, cpu = interleaved(runners, repeats)
    out: dict[str, Any] = {"workers": workers}
    for e in ENGINES:
        seconds = statistics.median(times[e])
        records, split = kind_split(runners[e], (seconds, statistics.median(cpu[e])))
        wy = worker_years(records)
        out[e] = {"seconds": seconds, "runs": times[e], "worker_years": wy,
                  "cpu_seconds": statistics.median(cpu[e]),
                  "worker_years_per_s": wy / seconds, "events_per_worker_year": records.events / wy,
                  "split": split}
    with counting_simpy_steps() as steps:
        records = runners["v2"]()
    out["v2"]["simpy_steps_per_worker_year"] = steps[0] / worker_years(records)
    return out


def kind_split(run: Callable[[], Any], untimed: tuple[float, float]
               ) -> tuple[Any, dict[str, Any]]:
    """One more run of ``run`` with its handlers timed by kind, against ``untimed`` (wall, CPU).

    Its records are the bare run's (tests/unit/test_benchmark_event_kinds.py): the figures
    that read records read these.
    """
    records, times, timed_s, timed_cpu = event_kinds.split(run)
    return records, event_kinds.report(times, (timed_s, timed_cpu), untimed, records.events,
                                       OVERHEAD[0])


OVERHEAD = [0.0]  # the wrapper's seconds per call, measured once per run in main()


def toy(workers: int, seats: int, repeats: int) -> dict[str, Any]:
    params = ToyParams(workers=workers, seats=seats)
    scenario = toy_scenario(params)
    runners: dict[str, Callable[[], Any]] = {"heapq": lambda: heapq_loop.run(params),
                                             "floor": lambda: simpy_floor.run(params)}
    for e in ENGINES:
        runners[e] = lambda e=e: replication_runner(e)(scenario, params.seed, 0)
    times, cpu = interleaved(runners, repeats)
    heapq_s = statistics.median(times["heapq"])
    heapq_cpu = statistics.median(cpu["heapq"])
    out: dict[str, Any] = {"workers": workers, "seats": seats, "heapq_seconds": heapq_s,
                           "heapq_cpu_seconds": heapq_cpu,
                           "heapq_utilisation": heapq_loop.run(params).utilisation,
                           # the same projects as SimPy processes doing nothing at their events
                           "simpy_floor_seconds": statistics.median(times["floor"]),
                           "simpy_floor_over_heapq_cpu": statistics.median(cpu["floor"])
                           / heapq_cpu,
                           "simpy_floor_events": simpy_floor.run(params)}
    for e in ENGINES:
        seconds = statistics.median(times[e])
        records, split = kind_split(runners[e], (seconds, statistics.median(cpu[e])))
        out[e] = {"seconds": seconds, "over_heapq": seconds / heapq_s,
                  "over_heapq_cpu": statistics.median(cpu[e]) / heapq_cpu,
                  "utilisation": assigned_hours(records) / (params.workers * params.horizon_h),
                  "events": records.events,
                  "split": split}
    return out


MILLION = """
import hashlib, resource, time, json, sys
sys.path.insert(0, ".")
from benchmarks.scenarios import reference_scenario, worker_years, SEED
import gigsim
def hwm_mib():  # this process's own peak; ru_maxrss starts at the parent's (see costs.py)
    with open("/proc/self/status") as status:
        return int(next(r for r in status if r.startswith("VmHWM:")).split()[1]) / 1024
scenario = reference_scenario({workers}, 1)
started, cpu = time.perf_counter(), time.process_time()
results = gigsim.simulate(scenario, replications=1, seed=SEED)
simulated, simulated_cpu = time.perf_counter() - started, time.process_time() - cpu
simulated_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
simulated_hwm = hwm_mib()
summary = results.summary()
total, total_cpu = time.perf_counter() - started, time.process_time() - cpu
print(json.dumps({{"simulate_s": simulated, "total_s": total, "simulate_cpu_s": simulated_cpu,
                  "total_cpu_s": total_cpu,
                  "worker_years": worker_years(results.records[0]),
                  "events": results.records[0].events,
                  "peak_rss_simulate_mib": simulated_rss,
                  "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "peak_hwm_simulate_mib": simulated_hwm, "peak_hwm_mib": hwm_mib(),
                  "summary_sha256": hashlib.sha256(
                      summary.per_replication.to_numpy().tobytes()).hexdigest()[:16]}}))
"""


def bundled(repeats: int) -> dict[str, Any]:
    """``scenarios/generalist.toml`` as bundled, one replication, with every table and the summary.

    Worker-years per second of everything ``gigsim run`` computes in one process (the writing
    of files aside): ``gigsim.simulate`` and then each of ``Results.table_names`` and
    ``summary()``; medians of ``repeats`` runs after one untimed.
    """
    import gigsim

    scenario = gigsim.load_scenario("scenarios/generalist.toml")

    def everything() -> tuple[Any, float]:
        started = time.perf_counter()
        results = gigsim.simulate(scenario, replications=1, seed=SEED)
        simulated = time.perf_counter() - started
        for name in results.table_names:
            results.table(name)
        results.summary()
        return results, simulated

    everything()
    runs, simulated = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        results, sim_s = everything()
        runs.append(time.perf_counter() - started)
        simulated.append(sim_s)
    wy = worker_years(results.records[0])
    seconds = statistics.median(runs)
    return {"seconds": seconds, "simulate_seconds": statistics.median(simulated),
            "worker_years": wy, "worker_years_per_s": wy / seconds,
            "tables": list(results.table_names)}


def million(workers: float) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-c", MILLION.format(workers=workers)],
                          capture_output=True, text=True, check=True)
    out: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    out["workers"] = workers
    return out


def profile(workers: float) -> dict[str, Any]:
    scenario = reference_scenario(workers, 1)
    profiler = cProfile.Profile()
    profiler.runcall(replication_runner("v2"), scenario, SEED, 0)
    stats = pstats.Stats(profiler)
    total = stats.total_tt  # type: ignore[attr-defined]
    simpy_s = sum(row[2] for key, row in stats.stats.items()  # type: ignore[attr-defined]
                  if "/simpy/" in key[0])
    rows = stats.stats.items()  # type: ignore[attr-defined]
    # shares of the run: the outermost call's cumulative time can pass the sum of own times
    # by cProfile's rounding, so the larger of the two
    total = max(total, max(row[3] for row in stats.stats.values()))  # type: ignore[attr-defined]

    def name(key: tuple[str, int, str]) -> str:
        return f"{key[0].rsplit('/', 2)[-1]}:{key[1]}:{key[2]}"

    # (name, calls, own s, cumulative s); row: (primitive calls, calls, own, cumulative, ...)
    top = [(name(key), row[1], row[2], row[3])
           for key, row in sorted(rows, key=lambda kv: -kv[1][2])[:12]]
    top_cumulative = [(name(key), row[1], row[2], row[3])
                      for key, row in sorted(rows, key=lambda kv: -kv[1][3])[:12]]
    return {"workers": workers, "total_s": total, "simpy_share": simpy_s / total, "top": top,
            "top_cumulative": top_cumulative}


def replicate(engine: str, workers: float) -> None:
    """Import the engine, build the scaled reference, run one replication of ``engine``.

    ``toy5`` and ``toy100`` run the toy of 5- or 100-seat projects at ``workers`` instead
    (``toy5-none``, ``toy100-none``: build it, run nothing).
    """
    if engine.startswith("toy"):
        seats = int(engine[3:].removesuffix("-none"))
        params = ToyParams(workers=int(workers), seats=seats)
        scenario = toy_scenario(params)
        if not engine.endswith("-none"):
            replication_runner("v2")(scenario, params.seed, 0)
        return
    scenario = reference_scenario(workers, 1)
    if engine != "none":
        replication_runner(engine)(scenario, SEED, 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only",
                        default="reference,toy,bundled,million,profile,memory,coldstart")
    parser.add_argument("--out", default=None, help="write the figures as JSON here")
    parser.add_argument("--million", type=float, default=1_000_000,
                        help="workers in the summary-only case")
    parser.add_argument("--replicate", default=None,
                        choices=("v2", "none", "toy5", "toy5-none", "toy100", "toy100-none"),
                        help="only import the engine and run one reference replication "
                             "(none: no replication; toy5, toy100: the toy's), for "
                             "instruction counts under callgrind")
    parser.add_argument("--workers", type=float, default=2000, help="with --replicate")
    args = parser.parse_args()
    if args.replicate is not None:
        replicate(args.replicate, args.workers)
        return
    only = set(args.only.split(","))
    size, repeats = (2000, 1) if args.quick else (10000, 3)
    toy_size = 500 if args.quick else size  # the 5-seat toy takes 40× the reference's time
    report: dict[str, Any] = {"load_average_before": os.getloadavg()}
    if only & {"reference", "toy"}:
        OVERHEAD[0] = report["wrapper_seconds_per_call"] = event_kinds.wrapper_overhead()
    if "reference" in only:
        r = report["reference"] = reference(size, repeats)
        print(f"reference {size:,} workers × 1 y, simulation only (median of {repeats}):")
        for e in ENGINES:
            print(f"  {e}: {r[e]['seconds']:.2f} s ({r[e]['cpu_seconds']:.2f} s CPU), "
                  f"{r[e]['worker_years_per_s']:,.0f} worker-years/s, "
                  f"{r[e]['events_per_worker_year']:.2f} events/worker-year")
        print(f"  v2: {r['v2']['simpy_steps_per_worker_year']:.2f} SimPy events/worker-year")
        print("\n".join(event_kinds.lines("  where the time goes", r["v2"]["split"])))
    if "toy" in only:
        for seats in (5, 100):
            t = report[f"toy{seats}"] = toy(toy_size, seats, repeats)
            print(f"toy {toy_size:,} workers, {seats}-seat projects: heapq"
                  f" {t['heapq_seconds']:.3f} s"
                  f" ({t['heapq_cpu_seconds']:.3f} s CPU; utilisation"
                  f" {t['heapq_utilisation']:.4f})")
            print(f"  SimPy processes doing nothing at the same {t['simpy_floor_events']:,}"
                  f" launches and ends: {t['simpy_floor_seconds']:.3f} s ="
                  f" {t['simpy_floor_over_heapq_cpu']:.1f}× heapq in CPU time (the floor under"
                  f" an engine with a SimPy process per project)")
            for e in ENGINES:
                print(f"  {e}: {t[e]['seconds']:.3f} s = {t[e]['over_heapq']:.1f}× heapq"
                      f" ({t[e]['over_heapq_cpu']:.1f}× in CPU time; utilisation"
                      f" {t[e]['utilisation']:.4f}, {t[e]['events']:,} events)")
            print("\n".join(event_kinds.lines("  where the time goes", t["v2"]["split"])))
    if "bundled" in only:
        b = report["bundled"] = bundled(repeats)
        print(f"bundled generalist scenario, 1 replication, simulate + every table"
              f" ({len(b['tables'])}) + summary (median of {repeats}): {b['seconds']:.2f} s"
              f" (simulate {b['simulate_seconds']:.2f} s), {b['worker_years']:,.0f}"
              f" worker-years: {b['worker_years_per_s']:,.0f} worker-years/s")
    if "million" in only:
        m = report["million"] = million(20000 if args.quick else args.million)
        print(f"million: {m['workers']:,.0f} workers × 1 y, v2, simulate + summary: "
              f"{m['simulate_s']:.1f} s + {m['total_s'] - m['simulate_s']:.1f} s wall "
              f"({m['simulate_cpu_s']:.1f} s + "
              f"{m['total_cpu_s'] - m['simulate_cpu_s']:.1f} s CPU), "
              f"peak RSS {m['peak_rss_mib']:,.0f} MiB ({m['peak_rss_simulate_mib']:,.0f} MiB by"
              f" the end of simulate), {m['worker_years']:,.0f} worker-years; sha-256 of the"
              f" summary's values {m['summary_sha256']}")
    if "profile" in only:
        p = report["profile"] = profile(size)
        print(f"profile of v2 at {size:,} workers: {p['total_s']:.2f} s under cProfile, "
              f"SimPy's own code {100 * p['simpy_share']:.1f}%")
        for title, rows in (("own", p["top"]), ("cumulative", p["top_cumulative"])):
            print(f"  top by {title} time (share of the profiled run's {p['total_s']:.2f} s):")
            print(f"    {'own s':>7} {'share':>6} {'cum. s':>7} {'share':>6} {'calls':>9}"
                  "  function")
            for name, calls, own, cumulative in rows:
                print(f"    {own:7.3f} {100 * own / p['total_s']:5.1f}% {cumulative:7.3f}"
                      f" {100 * cumulative / p['total_s']:5.1f}% {calls:>9,}  {name}")
    if "memory" in only:
        cases = {"reference": ("reference", size, None), "toy5": ("toy", toy_size, 5),
                 "toy100": ("toy", toy_size, 100)}
        memory = report["memory"] = {k: costs.peak_memory(*v) for k, v in cases.items()}
        print(f"peak memory, one replication in a fresh process (MiB; {size:,} workers, the"
              f" toys {toy_size:,}): before the run, after imports and scenario, resident"
              " (VmRSS) and peak (VmHWM) → peak after it (+ the peak above the resident set"
              " before)")
        for k, m in memory.items():
            print(f"  {k:<10} resident {m['rss_before_run_mib']:5,.0f} (peak"
                  f" {m['peak_before_run_mib']:,.0f}) → peak {m['peak_rss_mib']:7,.0f}"
                  f" (+{m['run_mib']:,.0f}) in {m['seconds']:.2f} s")
        if "million" in report:
            m = report["million"]
            print(f"  million    peak {m['peak_hwm_simulate_mib']:,.0f} by the end of simulate,"
                  f" {m['peak_hwm_mib']:,.0f} with summary() ({m['workers']:,.0f} workers;"
                  f" ru_maxrss {m['peak_rss_simulate_mib']:,.0f} and {m['peak_rss_mib']:,.0f})")
    if "coldstart" in only:
        args_ = ["run", "scenarios/generalist.toml"] + (
            ["-r", "1", "--set", "simulation.horizon=8w"] if args.quick else [])
        c = report["coldstart"] = costs.cold_start(args_, again=not args.quick)
        print(f"cold start: {' '.join(c['command'])}, each in a fresh process:")
        print(f"  wall (CPU) seconds: no bytecode cache ({c['compiled_files']:,} modules"
              f" compiled) {c['cold_s']:.2f} ({c['cold_cpu_s']:.2f}); only gigsim's"
              f" {c['gigsim_files']} missing {c['gigsim_cold_s']:.2f}"
              f" ({c['gigsim_cold_cpu_s']:.2f}); warm {c['warm_s']:.2f} ({c['warm_cpu_s']:.2f})"
              f" and again {c['warm_again_s']:.2f} ({c['warm_again_cpu_s']:.2f})")
        print(f"  cold − the faster warm run: {c['cold_minus_warm_s']:+.2f} s"
              f" ({c['cold_minus_warm_cpu_s']:+.2f} s CPU); gigsim's bytecode alone:"
              f" {c['gigsim_cold_minus_warm_s']:+.2f} s ({c['gigsim_cold_minus_warm_cpu_s']:+.2f}"
              f" s CPU); compile cache: {c['compile_cache'] or 'none in the tree'}")
        imports = report["import_time"] = {"warm": costs.import_time(),
                                           "cold": costs.import_time(cold=True)}
        for k, i in imports.items():
            largest = ", ".join(f"{n} {s:.3f}" for n, s in i["largest"][:5])
            print(f"  python -X importtime -c 'import gigsim.engine', {k}: {i['total_s']:.3f} s"
                  f" of imports, gigsim's own modules {i['gigsim_own_s']:.3f} s (process"
                  f" {i['wall_s']:.2f} s); largest packages (s): {largest}; of gigsim's own: "
                  + ", ".join(f"{n} {s:.3f}" for n, s in i["gigsim_largest"][:3]))
    report["load_average_after"] = os.getloadavg()
    print("load average (1, 5, 15 min) before: {:.2f} {:.2f} {:.2f}; after: {:.2f} {:.2f} {:.2f}"
          .format(*report["load_average_before"], *report["load_average_after"]))
    if args.out:
        with open(args.out, "w") as handle:
            json.dump(report, handle, indent=1)


if __name__ == "__main__":
    main()
