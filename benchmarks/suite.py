"""The benchmark suite: ``python -m benchmarks`` (or ``make bench``).

Runs the benchmarks of the performance issue, prints a table and writes
``benchmarks/results.json``:

- ``reference``: ``reference.toml`` scaled to 10,000 workers on the platform, 1 year, every
  feature on, one replication; worker-years per second, median of 5 runs after a warm-up run;
- ``scaling``: 1,000 / 10,000 / 100,000 workers × 1 year and 10,000 workers × 1 / 2 / 5 years,
  each size in a fresh process; cost per worker-year, time ratios, peak memory;
- ``baselines``: the toy model of :mod:`benchmarks.baselines` in naive SimPy, per-task SimPy, a
  ``heapq`` loop and gigsim, with a utilisation check that they simulate the same thing;
- ``jobs``: 8 replications with ``jobs=1`` and ``jobs=2``;
- ``profile``: cProfile of one reference run (``benchmarks/reference.prof``), hot spots.

``--quick`` runs smaller sizes and fewer repeats (about a minute); ``--only NAME`` runs some;
``--compare OLD.json`` prints each figure beside the one in an earlier results file.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import gc
import itertools
import json
import os
import pstats
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from benchmarks.baselines import MODELS, ToyParams, ToyResult
from benchmarks.case import GcClock, measure, settle_gc
from benchmarks.machine import describe, machine_info
from benchmarks.scenarios import (
    SEED,
    assigned_hours,
    reference_scenario,
    toy_scenario,
    worker_years,
)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results.json"
PROFILE = HERE / "reference.prof"
HOURS_PER_YEAR = 8766.0
BENCHMARKS = ("reference", "scaling", "baselines", "jobs", "profile")
UTILISATION_TOLERANCE = 0.03  # relative: the toy models must agree within 3%
BUSY_SHARE = 0.1  # CPU share used by other processes above which timings are suspect

# the targets, reported beside the figures, never asserted
TARGET_REFERENCE_WY_PER_S = 20_000.0
TARGET_VS_NAIVE = 4.0
TARGET_VS_HEAPQ = 0.5  # "within 2× of the heapq loop"
TARGET_TEN_X_TIME = 11.0
TARGET_PEAK_MIB = 1024.0
TARGET_JOBS_SPEEDUP = 1.8
TARGET_YEARS_SLACK = 1.1  # implied by "linear": N× the years costs at most 1.1 × N× the time


@dataclass(frozen=True)
class Config:
    """Sizes and repeats of one suite run."""

    mode: str
    reference_workers: int
    reference_repeats: int
    scaling_workers: tuple[int, ...]
    scaling_years: tuple[float, ...]
    years_workers: int
    toy_workers: int
    task_workers: int
    toy_repeats: int
    jobs_workers: int
    jobs_replications: int
    jobs_repeats: int

    def scaling_repeats(self, workers: int, years: float) -> int:
        """Fewer repeats for bigger cases: their timings vary less and cost more."""
        nominal = workers * years
        if self.mode == "quick":
            return 3 if nominal <= 2_000 else 1
        return 5 if nominal <= 2_000 else 3 if nominal <= 12_000 else 1


FULL = Config("full", 10_000, 5, (1_000, 10_000, 100_000), (1.0, 2.0, 5.0), 10_000,
              10_000, 100, 5, 3_000, 8, 3)
QUICK = Config("quick", 2_000, 3, (1_000, 10_000), (1.0, 2.0), 2_000,
               2_000, 20, 1, 1_000, 8, 1)


def _cpu_seconds() -> tuple[float, float] | None:
    """(Seconds all cores were busy since boot, from /proc/stat; this process's CPU seconds and
    those of its finished children)."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    # user, nice, system, irq, softirq: not idle, iowait, steal, or guest (counted in user)
    busy = sum(fields[i] for i in (0, 1, 2, 5, 6) if i < len(fields))
    mine = sum(resource.getrusage(who).ru_utime + resource.getrusage(who).ru_stime
               for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return busy / os.sysconf("SC_CLK_TCK"), mine


class CpuMeter:
    """How much of the machine's CPU other processes used between start and stop (Linux)."""

    def __init__(self) -> None:
        self.cores = os.cpu_count() or 1
        self._start = _cpu_seconds()
        self._wall = time.perf_counter()

    def others_share(self) -> float | None:
        """CPU used by other processes since the start, as a share of all cores' time."""
        end = _cpu_seconds()
        if end is None or self._start is None:
            return None
        wall = time.perf_counter() - self._wall
        others = (end[0] - self._start[0]) - (end[1] - self._start[1])
        return max(0.0, others / (wall * self.cores))


def cpu_busy(seconds: float = 1.0) -> float | None:
    """The share of all cores' time that other processes use over the next ``seconds``."""
    meter = CpuMeter()
    time.sleep(seconds)
    return meter.others_share()


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- reference and scaling (gigsim cases, each in a fresh process) --------------------------


def in_subprocess(spec: dict[str, Any]) -> dict[str, Any]:
    """Run :mod:`benchmarks.case` with ``spec`` in a fresh Python process; its JSON result."""
    done = subprocess.run([sys.executable, "-m", "benchmarks.case", json.dumps(spec)],
                          cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        log(done.stderr)
        return {**spec, "error": done.stderr.strip().splitlines()[-1:] or ["failed"]}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run_case(workers: int, years: float, repeats: int, warmup: str) -> dict[str, Any]:
    """One case of :mod:`benchmarks.case` in a fresh Python process."""
    log(f"  {workers:,} workers × {years:g} y: warm-up ({warmup}) + {repeats} timed run(s) ...")
    started = time.perf_counter()
    result = in_subprocess({"workers": workers, "years": years, "repeats": repeats,
                            "warmup": warmup})
    if "error" not in result:
        log(f"    {result['worker_years_per_s']:,.0f} worker-years/s, simulation "
            f"{result['sim_s']:.2f} s (cyclic GC {result['gc_share']:.0%} of it), tables "
            f"{result['tables_s']:.2f} s (GC {result['tables_gc_s']:.2f} s), peak "
            f"{result['peak_rss_mib']:,.0f} MiB "
            f"({time.perf_counter() - started:.0f} s)")
    return result


def bench_reference(config: Config) -> dict[str, Any]:
    log(f"[reference] reference.toml scaled to {config.reference_workers:,} workers, 1 year")
    return run_case(config.reference_workers, 1.0, config.reference_repeats, "full")


def bench_scaling(config: Config, reference: dict[str, Any] | None) -> dict[str, Any]:
    log("[scaling] workers × years, each size in a fresh process")
    cases: dict[tuple[int, float], dict[str, Any]] = {}
    if reference is not None and "error" not in reference:
        cases[(config.reference_workers, 1.0)] = reference
    wanted = [(w, 1.0) for w in config.scaling_workers]
    wanted += [(config.years_workers, y) for y in config.scaling_years]
    for workers, years in wanted:
        if (workers, years) not in cases:
            # a full-size warm-up, like the reference: the first run of a size in a process
            # pays for growing the heap (about 30% more at 10,000 workers)
            cases[(workers, years)] = run_case(workers, years,
                                               config.scaling_repeats(workers, years), "full")
    ok = {key: case for key, case in cases.items() if "error" not in case}
    workers_steps = []
    sizes = sorted(config.scaling_workers)
    for small, big in itertools.pairwise(sizes):
        a, b = ok.get((small, 1.0)), ok.get((big, 1.0))
        if a is None or b is None:
            continue
        factor = big / small
        workers_steps.append({
            "from": small, "to": big, "factor": factor,
            "time_ratio": b["sim_s"] / a["sim_s"],
            "worker_years_ratio": b["worker_years"] / a["worker_years"],
            # the time for exactly factor × the worker-years, at the measured cost per one
            "time_ratio_normalised": factor * b["us_per_worker_year"] / a["us_per_worker_year"],
        })
    years_steps = []
    base = ok.get((config.years_workers, 1.0))
    for years in config.scaling_years:
        case = ok.get((config.years_workers, years))
        if base is None or case is None or years == 1.0:
            continue
        years_steps.append({
            "workers": config.years_workers, "years": years,
            "time_ratio": case["sim_s"] / base["sim_s"],
            "worker_years_ratio": case["worker_years"] / base["worker_years"],
            "cost_per_worker_year_ratio": case["us_per_worker_year"] / base["us_per_worker_year"],
        })
    largest = max(config.scaling_workers)
    return {
        "cases": [cases[key] for key in dict.fromkeys(wanted)],  # once each, in order
        "workers_steps": workers_steps,
        "years_steps": years_steps,
        "largest_workers": largest,
        "largest_peak_rss_mib": ok.get((largest, 1.0), {}).get("peak_rss_mib"),
        "largest_peak_rss_sim_mib": ok.get((largest, 1.0), {}).get("peak_rss_sim_mib"),
    }


# --- baselines on the toy model (all in this process) --------------------------------------


def _gigsim_toy(params: ToyParams) -> ToyResult:
    from gigsim.engine import run_replication

    records = run_replication(toy_scenario(params), params.seed, 0)
    spells = records.spells
    assignments = int((spells["kind"] == 3).sum())  # WORK spells: one per seat taken here
    busy = assigned_hours(records)
    years = worker_years(records)
    return ToyResult("gigsim", round(years * HOURS_PER_YEAR / params.horizon_h),
                     params.horizon_h, busy, assignments, records.events)


def _timed(run: Callable[[ToyParams], ToyResult], params: ToyParams) -> tuple[ToyResult, float]:
    gc.collect()
    started = time.perf_counter()
    result = run(params)
    settle_gc()
    return result, time.perf_counter() - started


def bench_baselines(config: Config) -> dict[str, Any]:
    big, small = ToyParams(config.toy_workers), ToyParams(config.task_workers)
    log(f"[baselines] toy model, 1 year: {big.workers:,} workers (per-task SimPy: "
        f"{small.workers:,}), {big.seats} seats a project, lifetime exp. mean "
        f"{big.lifetime_mean_h:g} h, load {big.load:g}")
    runs: list[tuple[str, Callable[[ToyParams], ToyResult], ToyParams]] = [
        ("naive-simpy", MODELS["naive-simpy"], big),
        ("heapq", MODELS["heapq"], big),
        ("gigsim", _gigsim_toy, big),
        ("per-task-simpy", MODELS["per-task-simpy"], small),
        ("naive-simpy@small", MODELS["naive-simpy"], small),
        ("heapq@small", MODELS["heapq"], small),
    ]
    for name, run, params in runs:  # warm-up at full size: imports, first calls, the heap
        if not name.endswith("@small"):
            run(params)
    times: dict[str, list[float]] = {name: [] for name, _, _ in runs}
    results: dict[str, ToyResult] = {}
    for repeat in range(config.toy_repeats):
        for name, run, params in runs:
            if name.endswith("@small") and repeat > 0:
                continue  # only for the utilisation check
            result, seconds = _timed(run, params)
            times[name].append(seconds)
            results[name] = result
    models: dict[str, Any] = {}
    for name, _, params in runs:
        result, seconds = results[name], statistics.median(times[name])
        models[name] = {
            "workers": params.workers,
            "worker_years": result.worker_years,
            "seconds": seconds,
            "seconds_all": times[name],
            "worker_years_per_s": result.worker_years / seconds,
            "utilisation": result.utilisation,
            "assignments_per_worker_year": result.assignments / result.worker_years,
            "events": result.events,
        }
        log(f"  {name:18} {params.workers:>7,} workers: {seconds:8.3f} s, "
            f"{models[name]['worker_years_per_s']:>10,.0f} worker-years/s, "
            f"utilisation {result.utilisation:.4f}")
    gigsim_rate = models["gigsim"]["worker_years_per_s"]
    ratios = {
        "gigsim_vs_naive_simpy": gigsim_rate / models["naive-simpy"]["worker_years_per_s"],
        "gigsim_vs_heapq": gigsim_rate / models["heapq"]["worker_years_per_s"],
        "gigsim_vs_per_task_simpy": gigsim_rate / models["per-task-simpy"]["worker_years_per_s"],
    }
    reference = models["heapq"]["utilisation"]
    checks = []
    for name, against in (("naive-simpy", "heapq"), ("gigsim", "heapq"),
                          ("per-task-simpy", "naive-simpy@small"),
                          ("heapq@small", "naive-simpy@small")):
        u, v = models[name]["utilisation"], models[against]["utilisation"]
        deviation = abs(u - v) / v
        checks.append({"model": name, "against": against, "utilisation": u,
                       "against_utilisation": v, "relative_deviation": deviation,
                       "ok": deviation <= UTILISATION_TOLERANCE})
    return {
        "params": asdict(big),
        "per_task_params": asdict(small),
        "arrivals_per_week": big.arrivals_per_h * 168.0,
        "models": models,
        "ratios": ratios,
        "utilisation_reference": reference,
        "utilisation_checks": checks,
        "utilisation_tolerance": UTILISATION_TOLERANCE,
        "agree": all(check["ok"] for check in checks),
    }


# --- jobs --------------------------------------------------------------------------------------


def bench_jobs(config: Config) -> dict[str, Any]:
    n = config.jobs_replications
    log(f"[jobs] {n} replications of reference.toml scaled to {config.jobs_workers:,} workers,"
        f" jobs=1 and jobs=2, each in a fresh process")
    times: dict[int, list[float]] = {1: [], 2: []}
    totals: dict[int, float] = {}
    ceilings: list[float] = []
    for _ in range(config.jobs_repeats):
        for jobs in (1, 2):
            result = in_subprocess({"kind": "jobs", "workers": config.jobs_workers,
                                    "replications": n, "jobs": jobs})
            if "error" in result:
                return result
            times[jobs].append(result["seconds"])
            totals[jobs] = result["worker_years"]
            log(f"  jobs={jobs}: {result['seconds']:.2f} s")
        ceilings.append(parallel_ceiling())
        log(f"  two CPU-bound processes at once: {ceilings[-1]:.2f}× the work of one")
    one, two = statistics.median(times[1]), statistics.median(times[2])
    return {
        "workers": config.jobs_workers,
        "replications": n,
        "jobs_1_s": one,
        "jobs_2_s": two,
        "jobs_1_s_all": times[1],
        "jobs_2_s_all": times[2],
        "speedup": one / two,
        "ceiling": statistics.median(ceilings),
        "ceiling_all": ceilings,
        "worker_years": totals[1],
        "same_results": totals[1] == totals[2],
    }


SPIN_LOOPS = 10_000_000  # about half a second of a pure-Python loop


def parallel_ceiling() -> float:
    """How much work two CPU-bound processes do at once, relative to one alone.

    2.0 on two free cores. On a shared machine the second core may give much less (measured
    here: 1.3–1.7×), and no ``jobs=2`` can beat that; the suite reports it beside the speed-up.
    """
    command = [sys.executable, "-m", "benchmarks.case",
               json.dumps({"kind": "spin", "loops": SPIN_LOOPS})]

    def seconds(done: str) -> float:
        return float(json.loads(done.strip().splitlines()[-1])["seconds"])

    alone = seconds(subprocess.run(command, cwd=ROOT, capture_output=True, text=True,
                                   check=True).stdout)
    pair = [subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
            for _ in range(2)]
    together = max(seconds(process.communicate()[0]) for process in pair)
    return 2 * alone / together


# --- profile -----------------------------------------------------------------------------------


def _where(key: tuple[str, int, str]) -> str:
    filename, line, function = key
    if filename == "~":
        return function  # a built-in
    path = Path(filename)
    for anchor in ("gigsim", "simpy", "numpy", "pandas", "benchmarks"):
        if anchor in path.parts:
            index = len(path.parts) - 1 - path.parts[::-1].index(anchor)
            return f"{'/'.join(path.parts[index:])}:{line}({function})"
    return f"{path.name}:{line}({function})"


def bench_profile(config: Config, top: int = 15) -> dict[str, Any]:
    from gigsim.engine import run_replication

    workers = config.reference_workers
    log(f"[profile] cProfile of one run of the reference scenario ({workers:,} workers, 1 y)")
    scenario = reference_scenario(workers, 1.0)
    profiler = cProfile.Profile()
    gc.collect()
    with GcClock() as clock:
        started = time.perf_counter()
        profiler.enable()
        run_replication(scenario, SEED, 0)
        settle_gc()
        profiler.disable()
        elapsed = time.perf_counter() - started
    profiler.dump_stats(PROFILE)
    stats = pstats.Stats(profiler)
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = sum(tt for _, _, tt, _, _ in raw.values())
    rows = [{"function": _where(key), "calls": nc, "self_s": tt, "cumulative_s": ct,
             "self_share": tt / total, "cumulative_share": ct / total}
            for key, (_, nc, tt, ct, _) in raw.items()]
    by_cumulative = sorted(rows, key=lambda r: -r["cumulative_s"])[:top]
    by_self = sorted(rows, key=lambda r: -r["self_s"])[:top]
    return {"workers": workers, "profiled_s": elapsed, "total_s": total,
            "gc_s": clock.seconds, "gc_collections": clock.collections,
            "file": str(PROFILE.relative_to(ROOT)),
            "by_cumulative": by_cumulative, "by_self": by_self}


# --- reporting -------------------------------------------------------------------------------


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]],
          right: Collection[str] = "") -> str:
    """A plain-text table; columns whose index (as a digit string) is in ``right`` align right."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for n, row in enumerate(cells):
        parts = [c.rjust(w) if str(i) in right else c.ljust(w)
                 for i, (c, w) in enumerate(zip(row, widths, strict=True))]
        lines.append("  ".join(parts).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _n(value: float | None, digits: int = 0) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def _status(met: bool | None) -> str:
    return "n/a" if met is None else "met" if met else "MISSED"


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target of the issue with the measured figure beside it."""
    out: list[dict[str, Any]] = []

    def add(name: str, value: float | None, shown: str, target: str,
            met: bool | None) -> None:
        out.append({"target": name, "value": value, "measured": shown, "wanted": target,
                    "met": met, "status": _status(met)})

    ref = results.get("reference")
    if ref and "error" not in ref:
        rate = ref["worker_years_per_s"]
        add(f"reference ({ref['workers']:,} workers × 1 y), worker-years/s, one core", rate,
            _n(rate), f"≥ {TARGET_REFERENCE_WY_PER_S:,.0f}", rate >= TARGET_REFERENCE_WY_PER_S)
    base = results.get("baselines")
    if base:
        r = base["ratios"]
        add("toy: gigsim / naive SimPy (worker-years/s)", r["gigsim_vs_naive_simpy"],
            f"{r['gigsim_vs_naive_simpy']:.2f}×", f"≥ {TARGET_VS_NAIVE:g}×",
            r["gigsim_vs_naive_simpy"] >= TARGET_VS_NAIVE)
        add("toy: gigsim / heapq loop (worker-years/s)", r["gigsim_vs_heapq"],
            f"{r['gigsim_vs_heapq']:.3f}× (heapq {1 / r['gigsim_vs_heapq']:.1f}× faster)",
            f"≥ {TARGET_VS_HEAPQ:g}× (within 2×)", r["gigsim_vs_heapq"] >= TARGET_VS_HEAPQ)
        add("toy: gigsim / per-task SimPy (worker-years/s)", r["gigsim_vs_per_task_simpy"],
            f"{r['gigsim_vs_per_task_simpy']:,.1f}×", "—", None)
        add("toy: the four models agree on utilisation", None,
            "yes" if base["agree"] else "NO",
            f"within {UTILISATION_TOLERANCE:.0%}", base["agree"])
    scaling = results.get("scaling")
    if scaling:
        for step in scaling["workers_steps"]:
            ratio = step["time_ratio_normalised"]
            add(f"{step['factor']:g}× workers ({step['from']:,} → {step['to']:,}), time ratio",
                ratio, f"{ratio:.2f}× (raw {step['time_ratio']:.2f}× for "
                f"{step['worker_years_ratio']:.2f}× the worker-years)",
                f"≤ {TARGET_TEN_X_TIME * step['factor'] / 10:g}×",
                ratio <= TARGET_TEN_X_TIME * step["factor"] / 10)
        for step in scaling["years_steps"]:
            ratio = step["cost_per_worker_year_ratio"] * step["years"]
            add(f"{step['years']:g}× years ({step['workers']:,} workers), time ratio (implied)",
                ratio, f"{ratio:.2f}× (raw {step['time_ratio']:.2f}× for "
                f"{step['worker_years_ratio']:.2f}× the worker-years)",
                f"≤ {TARGET_YEARS_SLACK * step['years']:g}×",
                ratio <= TARGET_YEARS_SLACK * step["years"])
        peak = scaling["largest_peak_rss_mib"]
        largest = scaling["largest_workers"]
        add(f"peak RSS, {largest:,} workers × 1 y (simulation + tables)", peak,
            f"{_n(peak)} MiB (simulation alone {_n(scaling['largest_peak_rss_sim_mib'])} MiB)",
            f"< {TARGET_PEAK_MIB:,.0f} MiB" + ("" if largest >= 100_000 else " at 100,000"),
            None if peak is None or largest < 100_000 else peak < TARGET_PEAK_MIB)
    jobs = results.get("jobs")
    if jobs and "error" not in jobs:
        add(f"jobs=2 vs jobs=1 on {jobs['replications']} replications, speed-up",
            jobs["speedup"], f"{jobs['speedup']:.2f}×", f"≥ {TARGET_JOBS_SPEEDUP:g}×",
            jobs["speedup"] >= TARGET_JOBS_SPEEDUP)
        if "ceiling" in jobs:
            add("jobs=2: the machine's ceiling (two CPU-bound processes vs one)",
                jobs["ceiling"], f"{jobs['ceiling']:.2f}× (speed-up is "
                f"{jobs['speedup'] / jobs['ceiling']:.0%} of it)", "—", None)
    return out


def figures(results: dict[str, Any]) -> dict[str, float]:
    """The headline numbers, flat, for ``--compare`` (missing ones are left out)."""
    found: dict[str, Any] = {}
    ref = results.get("reference")
    if ref and "error" not in ref:
        label = f"reference {ref['workers']:g}w"
        found[f"{label} worker-years/s"] = ref.get("worker_years_per_s")
        found[f"{label} GC share"] = ref.get("gc_share")
        found[f"{label} tables s"] = ref.get("tables_s")
    for case in results.get("scaling", {}).get("cases", []):
        if "error" not in case:
            label = f"scaling {case['workers']:g}w×{case['years']:g}y"
            found[f"{label} worker-years/s"] = case.get("worker_years_per_s")
            found[f"{label} peak MiB"] = case.get("peak_rss_mib")
    for name, model in results.get("baselines", {}).get("models", {}).items():
        if not name.endswith("@small"):
            found[f"toy {name} {model['workers']:g}w worker-years/s"] = model.get(
                "worker_years_per_s")
    jobs = results.get("jobs")
    if jobs and "error" not in jobs:
        label = f"jobs {jobs['workers']:g}w×{jobs['replications']}"
        found[f"{label} jobs=1 s"] = jobs.get("jobs_1_s")
        found[f"{label} speed-up"] = jobs.get("speedup")
    return {key: float(value) for key, value in found.items() if value is not None}


def report(results: dict[str, Any]) -> str:
    """The printed report."""
    parts = [f"gigsim benchmarks ({results['mode']}), {results['started']}",
             f"machine: {describe(results['machine'])}"]
    before, during = results.get("cpu_busy_before"), results.get("cpu_others_during")
    if before is not None and during is not None:
        sections = results.get("cpu_others", {})
        noisy = max([before, during, *(v for v in sections.values() if v is not None)])
        parts.append(
            f"CPU used by other processes, share of all cores: {before:.0%} in the second "
            f"before the run, {during:.0%} during it ("
            + ", ".join(f"{name} {share:.0%}" for name, share in sections.items()
                        if share is not None) + ")"
            + (" — WARNING: timings are inflated by other work" if noisy > BUSY_SHARE else ""))
    parts.append("")
    cases = []
    if results.get("reference") and "error" not in results["reference"]:
        cases.append(("reference", results["reference"]))
    ref = results.get("reference") or {}
    for case in results.get("scaling", {}).get("cases", []):
        if (case["workers"], case["years"]) != (ref.get("workers"), ref.get("years")):
            cases.append(("scaling", case))
    if cases:
        rows = []
        for kind, c in cases:
            if "error" in c:
                rows.append([kind, _n(c["workers"]), f"{c['years']:g}", "error: "
                             + " ".join(c["error"])] + [""] * 13)
                continue
            rows.append([kind, _n(c["workers"]), f"{c['years']:g}", f"{c['scale_factor']:.3f}",
                         _n(c["on_platform"]),
                         _n(c["worker_years"]), _n(c["events"]), f"{c['repeats']}",
                         f"{c['sim_s']:.2f}", f"{min(c['sim_s_all']):.2f}",
                         f"{c['gc_share']:.0%}", f"{c['tables_s']:.2f}",
                         _n(c.get("tables_gc_s"), 2),
                         _n(c["worker_years_per_s"]), _n(c["us_per_worker_year"]),
                         _n(c["events"] / c["worker_years"], 1), _n(c["peak_rss_mib"])])
        parts += ["gigsim on reference.toml scaled (k: scale factor; on platform: mean pool "
                  "over the span = 8 w warm-up + the years; sim s: median of the timed runs of "
                  "run_replication, best s: the fastest; GC: share of the median in the cyclic "
                  "garbage collector; tables s: "
                  "building every table and the summary, of it GC: seconds of that in the "
                  "collector):",
                  table(["case", "workers", "years", "k", "on platform", "worker-years",
                         "events", "runs", "sim s", "best s", "GC", "tables s", "of it GC",
                         "worker-yr/s", "µs/worker-yr", "events/worker-yr", "peak MiB"], rows,
                        {str(i) for i in range(1, 17)}), ""]
    base = results.get("baselines")
    if base:
        rows = []
        for name, m in base["models"].items():
            rows.append([name, _n(m["workers"]), f"{m['seconds']:.3f}",
                         _n(m["worker_years_per_s"]), f"{m['utilisation']:.4f}",
                         f"{m['assignments_per_worker_year']:.2f}"])
        p = base["params"]
        parts += [f"toy model, 1 year: {p['seats']} seats a project, lifetime exponential mean "
                  f"{p['lifetime_mean_h']:g} h, {base['arrivals_per_week']:,.1f} launches a "
                  f"week at {p['workers']:,} workers (load {p['load']:g}), first come first "
                  f"served, no delay:",
                  table(["model", "workers", "seconds", "worker-yr/s", "utilisation",
                         "seats taken/worker-yr"], rows, "12345")]
        checks = ", ".join(f"{c['model']} vs {c['against']} {c['relative_deviation']:.2%}"
                           for c in base["utilisation_checks"])
        parts += [f"utilisation check (≤ {base['utilisation_tolerance']:.0%}): "
                  f"{'agree' if base['agree'] else 'DISAGREE'} — {checks}", ""]
    jobs = results.get("jobs")
    if jobs and "error" in jobs:
        parts += [f"jobs: error: {' '.join(jobs['error'])}", ""]
    elif jobs:
        parts += [f"jobs: {jobs['replications']} replications at {jobs['workers']:,} workers: "
                  f"jobs=1 {jobs['jobs_1_s']:.2f} s, jobs=2 {jobs['jobs_2_s']:.2f} s, speed-up "
                  f"{jobs['speedup']:.2f}×, same results: {jobs['same_results']}; two "
                  f"CPU-bound processes at once did {jobs.get('ceiling', float('nan')):.2f}× "
                  f"the work of one (this machine's ceiling for jobs=2)", ""]
    prof = results.get("profile")
    if prof:
        rows = [[r["function"], _n(r["calls"]), f"{r['self_share']:.1%}",
                 f"{r['cumulative_share']:.1%}"] for r in prof["by_cumulative"]]
        parts += [f"profile of one reference run ({prof['workers']:,} workers; "
                  f"{prof['profiled_s']:.1f} s under cProfile; {prof['file']}); the cyclic "
                  f"garbage collector took {prof['gc_s']:.1f} s of it "
                  f"({prof['gc_s'] / prof['profiled_s']:.0%}), charged by cProfile to whichever "
                  "function was allocating. By cumulative time:",
                  table(["function", "calls", "self", "cumulative"], rows, "123")]
        rows = [[r["function"], _n(r["calls"]), f"{r['self_share']:.1%}",
                 f"{r['cumulative_share']:.1%}"] for r in prof["by_self"]]
        parts += ["by self time:", table(["function", "calls", "self", "cumulative"], rows,
                                         "123"), ""]
    rows = [[t["target"], t["measured"], t["wanted"], t["status"]] for t in results["targets"]]
    if rows:
        parts += ["targets (reported, not asserted):",
                  table(["figure", "measured", "target", "status"], rows), ""]
    parts.append(f"total {results['elapsed_s']:.0f} s; written to {results['written_to']}")
    return "\n".join(parts)


def compare(old: dict[str, Any], new: dict[str, Any]) -> str:
    """Each figure in both result files, old and new, with new / old."""
    before, after = figures(old), figures(new)
    rows = [[key, f"{before[key]:,.2f}", f"{after[key]:,.2f}",
             f"{after[key] / before[key]:.2f}×" if before[key] else "—"]
            for key in after if key in before]
    if not rows:
        return "compare: no figure in common with the earlier results"
    return (f"compared with {old.get('started', '?')} ({old.get('mode', '?')}, commit "
            f"{old.get('machine', {}).get('git_commit')}); higher is better for worker-years/s "
            "and speed-up, lower for seconds, MiB and GC share:\n"
            + table(["figure", "before", "after", "after / before"], rows, "123"))


# --- command line ------------------------------------------------------------------------------


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="gigsim's benchmark suite: prints a table, writes benchmarks/results.json.")
    parser.add_argument("--quick", action="store_true",
                        help="smaller sizes and fewer repeats (about a minute)")
    parser.add_argument("--only", action="append", default=[], metavar="NAME",
                        help=f"run only these (repeatable or comma-separated): "
                             f"{', '.join(BENCHMARKS)}")
    parser.add_argument("--out", type=Path, default=RESULTS,
                        help=f"where to write the results (default {RESULTS.relative_to(ROOT)})")
    parser.add_argument("--compare", type=Path, metavar="OLD_JSON",
                        help="print every figure beside the one in an earlier results file")
    parser.add_argument("--show", type=Path, metavar="JSON",
                        help="run nothing: print the report of a results file (with --compare, "
                             "compare it with OLD_JSON)")
    args = parser.parse_args(argv)
    only = [name.strip() for item in args.only for name in item.split(",") if name.strip()]
    unknown = [name for name in only if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)} (have: {', '.join(BENCHMARKS)})")
    args.only = only or list(BENCHMARKS)
    return args


def read_results(path: Path) -> dict[str, Any]:
    """An earlier results file; exits with a one-line message if it cannot be read."""
    try:
        data: dict[str, Any] = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as error:
        raise SystemExit(f"python -m benchmarks: cannot read {path}: {error}") from None
    return data


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    config = QUICK if args.quick else FULL
    old = read_results(args.compare) if args.compare else None
    if args.show:
        shown = read_results(args.show)
        print(report(shown))
        if old is not None:
            print()
            print(compare(old, shown))
        return 0
    started = time.perf_counter()
    results: dict[str, Any] = {
        "format": 1,
        "mode": config.mode,
        "only": args.only,
        "started": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine_info(),
        "config": asdict(config),
        "command": " ".join([os.path.basename(sys.executable), "-m", "benchmarks",
                             *(argv if argv is not None else sys.argv[1:])]),
    }
    busy = cpu_busy()
    results["cpu_busy_before"] = busy
    if busy is not None and busy > BUSY_SHARE:
        log(f"warning: {busy:.0%} of the CPU was in use before the run — is something else "
            "running? Timings may be inflated.")
    log(f"gigsim benchmarks ({config.mode}): {', '.join(args.only)}")
    meter = CpuMeter()
    log(f"machine: {describe(results['machine'])}")
    steps: dict[str, Callable[[], dict[str, Any]]] = {
        "reference": lambda: bench_reference(config),
        "scaling": lambda: bench_scaling(config, results.get("reference")),
        "baselines": lambda: bench_baselines(config),
        "jobs": lambda: bench_jobs(config),
        "profile": lambda: bench_profile(config),
    }
    results["cpu_others"] = {}
    for name, step in steps.items():
        if name in args.only:
            section = CpuMeter()
            results[name] = step()
            results["cpu_others"][name] = section.others_share()
    results["cpu_others_during"] = meter.others_share()
    if results["cpu_others_during"] is not None and results["cpu_others_during"] > BUSY_SHARE:
        log(f"warning: other processes used {results['cpu_others_during']:.0%} of the CPU during "
            "the run; timings are inflated.")
    results["targets"] = targets(results)
    results["figures"] = figures(results)
    results["elapsed_s"] = time.perf_counter() - started
    results["written_to"] = str(args.out)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(report(results))
    if old is not None:
        print()
        print(compare(old, results))
    return 0


__all__ = ["main", "measure"]
