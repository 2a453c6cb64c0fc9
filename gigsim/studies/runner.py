"""Running replications, serially or in worker processes, with the same results either way."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import shutil
import signal
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from queue import SimpleQueue
from typing import TYPE_CHECKING

from gigsim.engine import run_replication
from gigsim.engine.records import Records
from gigsim.errors import GigsimError
from gigsim.scenario import Scenario
from gigsim.studies.sizing import check_size

if TYPE_CHECKING:
    from gigsim.analysis.results import Results

Progress = Callable[[int], None]

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


def _check_count(name: str, value: int, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise GigsimError(f"{name} must be a whole number of at least {minimum}, got {value!r}")
    return value


def simulate(scenario: Scenario, replications: int | None = None, seed: int | None = None,
             jobs: int = 1, progress: Progress | None = None) -> Results:
    """Simulate ``scenario`` and return its :class:`~gigsim.analysis.results.Results`.

    ``replications`` and ``seed`` default to the scenario's ``[simulation]`` values. ``jobs``
    processes run the replications (0 means one per core); the results are the same, bit for
    bit, whatever the number. ``progress`` is called with the number of replications finished
    each time one finishes. The engine (:mod:`gigsim.engine`) runs each replication.
    """
    stop_if_reimported()
    replications = _check_count(
        "replications", scenario.simulation.replications if replications is None
        else replications, 1)
    seed = _check_count("seed", scenario.simulation.seed if seed is None else seed, 0)
    requested_jobs = _check_count("jobs", jobs, 0)
    check_size(scenario, replications)  # before anything is allocated
    jobs = requested_jobs or (os.cpu_count() or 1)
    jobs = min(jobs, replications)
    started = time.perf_counter()
    if jobs == 1:
        records = []
        for index in range(replications):
            records.append(run_replication(scenario, seed, index))
            if progress is not None:
                progress(1)
    else:
        with watch_for_reimport(f"simulate(jobs={requested_jobs})", "jobs=1"):
            records = _run_in_processes(scenario, seed, replications, jobs, progress)
    elapsed = time.perf_counter() - started
    results_type = _import_results()
    return results_type(scenario, seed, records, {"simulate_s": elapsed, "jobs": float(jobs)})


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


def _run_in_processes(scenario: Scenario, seed: int, replications: int, jobs: int,
                      progress: Progress | None) -> list[Records]:
    """Run the replications on ``jobs`` processes: this one and ``jobs - 1`` started ones.

    Each started process has one replication at a time, and is given the next as soon as it
    hands one back (from the pool's callback thread), so it never waits for this process;
    this process takes replications from the other end of the list meanwhile. Which process
    runs which replication changes nothing in the records. A started process leaves its
    records in a file of a temporary folder (see :func:`_run_to_file`), which this one reads
    between its own replications.
    """
    todo = deque(range(replications))
    finished: SimpleQueue[tuple[int, Future[str]]] = SimpleQueue()
    folder = tempfile.mkdtemp(prefix="gigsim-")
    lock = threading.RLock()  # a future already done runs its callback in the submitting thread
    # 'spawn': each worker is a fresh interpreter that imports only gigsim.studies.runner and the
    # engine (numpy; not pandas or scipy), whatever threads the caller has running.
    pool = ProcessPoolExecutor(max_workers=jobs - 1,
                               mp_context=multiprocessing.get_context("spawn"))

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

    records: dict[int, Records] = {}

    def collect(block: bool) -> None:
        while not finished.empty() or (block and len(records) < replications):
            index, future = finished.get()
            path = future.result()  # raises a worker's exception here
            with open(path, "rb") as handle:
                records[index] = pickle.load(handle)
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
            records[index] = run_replication(scenario, seed, index)
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
        # Not waiting for the workers to exit (about 0.3 s): every result is in by now, or a
        # replication failed and the ones not yet started are dropped.
        pool.shutdown(wait=False, cancel_futures=True)
        shutil.rmtree(folder, ignore_errors=True)
    return [records[index] for index in range(replications)]


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
    return path


def _import_results() -> type[Results]:
    # Imported here, not at the top, so that importing this module (``gigsim.simulate``) does
    # not load pandas and scipy, and so that with ``jobs`` > 1 the caller's process loads them
    # while the worker processes start up and run.
    from gigsim.analysis.results import Results

    return Results
