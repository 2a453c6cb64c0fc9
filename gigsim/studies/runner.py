"""Running replications, serially or in worker processes, with the same results either way."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
import pickle
import shutil
import signal
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, nullcontext
from queue import SimpleQueue
from typing import TYPE_CHECKING, TypeVar

from gigsim.engine import run_replication
from gigsim.engine.records import Records
from gigsim.errors import GigsimError
from gigsim.scenario import Scenario
from gigsim.studies.sizing import check_size
from gigsim.studies.warmup import CommonWarmup, WarmupChoice, check_pilot, choose_warmup

if TYPE_CHECKING:
    import pandas as pd

    from gigsim.analysis.results import Results
    from gigsim.studies.precision import Decision, MetricCheck, PrecisionGoal

Progress = Callable[[int], None]
Kept = TypeVar("Kept")

# Set while worker processes start: where a started process that finds itself re-running an
# unguarded script leaves a mark, so that this process can say what went wrong.
_REIMPORT_MARK = "GIGSIM_REIMPORT_MARK"
UNGUARDED_SCRIPT = (
    "{call} starts worker processes, which re-run this script's top level: put the code that"
    " calls it under `if __name__ == \"__main__\":` (or use {serial})")


class UnguardedScriptError(GigsimError, SystemExit):
    """``simulate(jobs>1)`` (or a sweep on local processes) called from a script's top level.

    Also a SystemExit, so that a script that does not catch it stops with its one line (the
    message, on stderr, exit status 1) instead of a traceback; ``except GigsimError`` still
    catches it, as the CLI does.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.code = message  # what the interpreter prints, and exit status 1


def stop_if_reimported() -> None:
    """Stop a started process that is re-running an unguarded script's call to gigsim.

    A worker process is started with 'spawn', which imports the caller's main script again;
    a script that simulates at its top level, outside ``if __name__ == "__main__":``, would
    start processes of its own from there. Such a process leaves a mark for the process that
    started it (which then raises one clear error, :func:`watch_for_reimport`) and exits
    quietly, without a traceback.
    """
    if getattr(multiprocessing.current_process(), "_inheriting", False):
        mark = os.environ.get(_REIMPORT_MARK)
        if mark:
            with open(mark, "w", encoding="utf-8"):
                pass
        raise SystemExit(3)


@contextmanager
def watch_for_reimport(call: str, serial: str) -> Iterator[None]:
    """Turn a pool broken by an unguarded script into :class:`UnguardedScriptError`.

    Processes started inside the block inherit a mark's path; one that re-runs the caller's
    script and reaches gigsim leaves the mark (:func:`stop_if_reimported`), and the pool's
    BrokenProcessPool becomes one line naming ``call`` and the ``serial`` alternative.
    """
    mark = os.path.join(tempfile.gettempdir(), f"gigsim-reimport-{os.getpid()}-{id(call)}")
    previous = os.environ.get(_REIMPORT_MARK)
    os.environ[_REIMPORT_MARK] = mark
    try:
        yield
    except BrokenProcessPool:
        if os.path.exists(mark):
            raise UnguardedScriptError(UNGUARDED_SCRIPT.format(call=call, serial=serial)
                                       ) from None
        raise
    finally:
        if previous is None:
            os.environ.pop(_REIMPORT_MARK, None)
        else:
            os.environ[_REIMPORT_MARK] = previous
        if os.path.exists(mark):
            os.remove(mark)


def check_count(name: str, value: int, minimum: int) -> int:
    """``value`` if it is a whole number of at least ``minimum``, else a GigsimError naming it."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise GigsimError(f"{name} must be a whole number of at least {minimum}, got {value!r}")
    return value


def simulate(scenario: Scenario, replications: int | None = None, seed: int | None = None,
             jobs: int = 1, progress: Progress | None = None, *,
             precision: float | None = None, precision_metrics: Sequence[str] | None = None,
             max_replications: int | None = None) -> Results:
    """Simulate ``scenario`` and return its :class:`~gigsim.analysis.results.Results`.

    ``replications`` and ``seed`` default to the scenario's ``[simulation]`` values. ``jobs``
    processes run the replications (0 means one per core); the results are the same, bit for
    bit, whatever the number. ``progress`` is called with the number of replications finished
    each time one finishes. The engine (:mod:`gigsim.engine`) runs each replication.

    With ``precision`` (or the scenario's ``replications = "auto"``, when ``replications`` is
    not given), replications run in rounds until each of ``precision_metrics`` (default
    :data:`~gigsim.studies.precision.DEFAULT_METRICS`) has a 95% interval whose half-width is
    within ``precision`` of its mean (in absolute terms for a share), or ``max_replications``
    (default 200) have run (:mod:`gigsim.studies.precision`). With the scenario's
    ``warmup = "auto"``, a pilot run chooses the warm-up first (:mod:`gigsim.studies.warmup`).
    How both were chosen is in ``Results.choices``.
    """
    stop_if_reimported()
    sim = scenario.simulation
    if replications is not None and precision is not None:
        raise GigsimError("give either replications or precision, not both")
    if precision is None and replications is None and sim.precision is not None:
        precision = sim.precision
    if precision is None and (precision_metrics is not None or max_replications is not None):
        raise GigsimError("precision metrics and max replications apply only with a precision"
                          ' (or replications = "auto" in the scenario)')
    seed = check_count("seed", sim.seed if seed is None else seed, 0)
    requested_jobs = check_count("jobs", jobs, 0)
    goal = None
    if precision is None:
        replications = check_count(
            "replications", sim.replications if replications is None else replications, 1)
        check_size(scenario, replications)  # before anything is allocated
    else:
        from gigsim.studies.precision import (
            DEFAULT_MAX_REPLICATIONS,
            DEFAULT_METRICS,
            PrecisionGoal,
            check_metrics,
        )

        goal = PrecisionGoal(
            precision,
            metrics=(DEFAULT_METRICS if precision_metrics is None
                     else check_metrics(tuple(precision_metrics))),
            max_replications=check_count(
                "max replications", DEFAULT_MAX_REPLICATIONS if max_replications is None
                else max_replications, 1))
        check_size(scenario, goal.round_size * goal.min_rounds)
    jobs = requested_jobs or (os.cpu_count() or 1)
    started = time.perf_counter()
    choices: dict[str, object] = {}

    per_replication = None
    with process_pool(jobs) as pool:  # one pool for the pilot and every round

        def run(chosen: Scenario, indices: Sequence[int], report: bool = True
                ) -> list[Records]:
            return run_indices(chosen, seed, indices, jobs, requested_jobs,
                               progress if report else None, pool)

        if sim.warmup_auto:
            choice = choose_warmup(scenario, seed, lambda pilot, indices: run(
                pilot, indices, report=False))
            scenario = scenario.with_overrides({"simulation.warmup": choice.warmup})
            choices["warmup"] = choice
        if goal is None:
            assert replications is not None
            records = run(scenario, range(replications))
        else:
            records, per_replication, decision = _run_by_precision(scenario, goal, run)
            choices["replications"] = decision
    elapsed = time.perf_counter() - started
    results_type = _import_results()
    return results_type(scenario, seed, records, {"simulate_s": elapsed, "jobs": float(jobs)},
                        choices=choices, per_replication=per_replication)


def _run_by_precision(scenario: Scenario, goal: PrecisionGoal,
                      run: Callable[[Scenario, Sequence[int]], list[Records]]
                      ) -> tuple[list[Records], pd.DataFrame, Decision]:
    """Run rounds of replications until ``goal`` is met (:func:`run_by_precision`)."""
    import pandas as pd

    from gigsim.analysis.statistics import metric_names, replication_metrics
    from gigsim.studies.precision import check_metric, run_by_precision

    records: list[Records] = []
    rows: list[dict[str, float]] = []

    def run_round(indices: range) -> None:
        check_size(scenario, indices.stop)
        new = run(scenario, indices)
        records.extend(new)
        rows.extend(replication_metrics(r, scenario.pay_schedules) for r in new)

    def assess() -> list[MetricCheck]:
        return [check_metric(name, [row[name] for row in rows], goal.precision)
                for name in goal.metrics]

    decision = run_by_precision(goal, run_round, assess)
    frame = pd.DataFrame(rows, columns=metric_names(scenario.pay_schedules))
    frame.index = pd.Index([r.replication for r in records], name="replication")
    return records, frame, decision


def pilot_warmups(scenarios: Mapping[str, Scenario], seed: int, jobs: int = 1
                  ) -> dict[str, WarmupChoice]:
    """The warm-up each of ``scenarios`` that asks for ``warmup = "auto"`` chooses, by name.

    Every horizon is checked before any pilot runs. One pool of ``jobs`` processes (0: one per
    core) serves every pilot; the choices are the same whatever their number.
    """
    asking = {name: s for name, s in scenarios.items() if s.simulation.warmup_auto}
    if not asking:
        return {}
    for variant in asking.values():
        check_pilot(variant)
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 0:
        raise GigsimError(f"jobs must be a whole number of at least 0, got {jobs!r}")
    processes = jobs or (os.cpu_count() or 1)
    with process_pool(processes) as pool:
        return {name: choose_warmup(variant, seed, lambda pilot, indices: run_indices(
            pilot, seed, indices, processes, jobs, None, pool))
            for name, variant in asking.items()}


def choose_common_warmup(scenarios: Mapping[str, Scenario], seed: int, jobs: int = 1
                         ) -> CommonWarmup | None:
    """One warm-up for ``scenarios``, from the pilots of those that ask for ``"auto"``.

    None when none does. As :func:`pilot_warmups` for ``jobs``.
    """
    choices = pilot_warmups(scenarios, seed, jobs)
    return CommonWarmup(choices) if choices else None


@contextmanager
def process_pool(jobs: int) -> Iterator[ProcessPoolExecutor | None]:
    """A pool of ``jobs − 1`` worker processes for several runs in turn (None for one job).

    Its processes start at the first replication handed out and serve every later run, so a
    study that runs in rounds pays for their start once.
    """
    if jobs <= 1:
        yield None
        return
    # 'spawn': each worker is a fresh interpreter that imports only gigsim.studies.runner and
    # the engine (numpy; not pandas or scipy), whatever threads the caller has running.
    pool = ProcessPoolExecutor(max_workers=jobs - 1,
                               mp_context=multiprocessing.get_context("spawn"))
    try:
        yield pool
    finally:
        # Not waiting for the workers to exit (about 0.3 s): every result is in by now, or a
        # replication failed and the ones not yet started are dropped.
        pool.shutdown(wait=False, cancel_futures=True)


def run_indices(scenario: Scenario, seed: int, indices: Sequence[int], jobs: int,
                requested_jobs: int, progress: Progress | None,
                pool: ProcessPoolExecutor | None = None) -> list[Records]:
    """Replications ``indices`` of ``scenario`` (seed stream k for replication k), in order.

    On ``jobs`` processes (no more than there are replications), using ``pool`` when given;
    the records are the same whatever the number.
    """
    return run_and_keep(scenario, seed, indices, jobs, requested_jobs, progress, pool,
                        _as_is)


def _as_is(records: Records) -> Records:
    return records


def release_freed_memory() -> None:
    """Hand memory freed by a replication's records back to the system before the next one.

    glibc's allocator keeps the freed pages of the many mid-sized arrays of a replication for
    reuse, and reuses them poorly: a process that runs or summarises replications one after
    another grows by about 45 MB per replication of scenarios/platform.toml without this
    (comparing 5 variants held 1.5 GB at the end when it was called once per variant, not
    at all). Elsewhere than glibc it does nothing.
    """
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def run_and_keep(scenario: Scenario, seed: int, indices: Sequence[int], jobs: int,
                 requested_jobs: int, progress: Progress | None,
                 pool: ProcessPoolExecutor | None, keep: Callable[[Records], Kept]
                 ) -> list[Kept]:
    """:func:`run_indices`, each replication's records replaced by ``keep(records)`` at once.

    ``keep`` runs in this process as each replication comes in, so that only the replications
    at hand are in memory as records (one per process), not all of ``indices``; a ``keep``
    that frees them may call :func:`release_freed_memory` first.
    """
    jobs = min(jobs, len(indices))
    if jobs <= 1:
        kept = []
        for index in indices:
            kept.append(keep(run_replication(scenario, seed, index)))
            if progress is not None:
                progress(1)
        return kept
    with watch_for_reimport(f"simulate(jobs={requested_jobs})", "jobs=1"):
        folder = tempfile.mkdtemp(prefix="gigsim-")
        with process_pool(jobs) if pool is None else nullcontext(pool) as started:
            assert started is not None
            return _hand_out(scenario, seed, indices, jobs, progress, started, folder, keep)


@contextmanager
def children_ignore_interrupts() -> Iterator[None]:
    """Worker processes started in this block ignore Ctrl-C; this process still sees it.

    Ctrl-C interrupts the whole process group. A spawned worker caught by it prints its own
    traceback, often while still importing; one that ignores SIGINT from the start (the
    disposition it inherits) prints nothing, and the parent, which says what happened in one
    line, stops it. Outside the main thread signals cannot be set, and nothing changes.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def stop_workers(pool: ProcessPoolExecutor) -> None:
    """End a pool's worker processes now (on Ctrl-C), without waiting for their tasks.

    Workers that ignore Ctrl-C (:func:`children_ignore_interrupts`) would otherwise finish
    the replication at hand before the command could exit.
    """
    pool.shutdown(wait=False, cancel_futures=True)
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.terminate()


def _hand_out(scenario: Scenario, seed: int, indices: Sequence[int], jobs: int,
              progress: Progress | None, pool: ProcessPoolExecutor, folder: str,
              keep: Callable[[Records], Kept]) -> list[Kept]:
    """Run the replications on ``jobs`` processes: this one and the ``jobs - 1`` of ``pool``.

    Each started process has one replication at a time, and is given the next as soon as it
    hands one back (from the pool's callback thread), so it never waits for this process;
    this process takes replications from the other end of the list meanwhile. Which process
    runs which replication changes nothing in the records. A started process leaves its
    records in a file of the temporary ``folder`` (see :func:`_run_to_file`, removed at the
    end), which this one reads, and passes to ``keep``, between its own replications.
    """
    todo = deque(indices)
    finished: SimpleQueue[tuple[int, Future[str]]] = SimpleQueue()
    lock = threading.RLock()  # a future already done runs its callback in the submitting thread

    stopping = threading.Event()  # no more submits: the pool is being shut down

    def hand_out() -> None:
        with lock:
            if todo and not stopping.is_set():
                index = todo.popleft()
                future = pool.submit(_run_to_file, scenario, seed, index, folder)
                future.add_done_callback(lambda done: handed_back(index, done))

    def handed_back(index: int, future: Future[str]) -> None:
        finished.put((index, future))
        if not future.cancelled() and future.exception() is None:
            hand_out()

    records: dict[int, Kept] = {}

    def collect(block: bool) -> None:
        while not finished.empty() or (block and len(records) < len(indices)):
            index, future = finished.get()
            path = future.result()  # raises a worker's exception here
            with open(path, "rb") as handle:
                records[index] = keep(pickle.load(handle))
            os.remove(path)
            if progress is not None:
                progress(1)

    try:
        with children_ignore_interrupts():  # each submit starts a process, until jobs - 1
            for _ in range(jobs - 1):
                hand_out()
        _import_results()  # pandas loads here while the workers start
        while True:
            with lock:
                index = todo.pop() if todo else None
            if index is None:
                break
            records[index] = keep(run_replication(scenario, seed, index))
            if progress is not None:
                progress(1)
            collect(block=False)
        collect(block=True)
    except KeyboardInterrupt:
        with lock:
            stopping.set()
        stop_workers(pool)
        raise
    finally:
        with lock:
            stopping.set()
        shutil.rmtree(folder, ignore_errors=True)
    return [records[index] for index in indices]


def _run_to_file(scenario: Scenario, seed: int, index: int, folder: str) -> str:
    """Run one replication in a started process; write its records to a file in ``folder``.

    The records (megabytes) do not go back through the pool's pipe: the calling process,
    busy with replications of its own, would take them in thousands of small reads, each
    waiting for its turn at the interpreter lock, while this process waited to finish
    writing (measured: a started process idle for 0.76 s after a replication of 0.5 s).
    """
    path = os.path.join(folder, f"replication-{index}.pickle")
    with open(path, "wb") as handle:
        pickle.dump(run_replication(scenario, seed, index), handle,
                    protocol=pickle.HIGHEST_PROTOCOL)
    release_freed_memory()  # this process runs the next replication: without the last one's
    return path


def _import_results() -> type[Results]:
    # Imported here, not at the top, so that importing this module (``gigsim.simulate``) does
    # not load pandas and scipy, and so that with ``jobs`` > 1 the caller's process loads them
    # while the worker processes start up and run.
    from gigsim.analysis.results import Results

    return Results
