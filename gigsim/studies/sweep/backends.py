"""Where a sweep's runs execute: this process, local worker processes, or a Dask cluster.

Every backend takes the same :class:`~gigsim.studies.sweep.task.RunTask` objects, runs the same pure
:func:`~gigsim.studies.sweep.task.run_task`, and yields outcomes as they finish, in whatever order.
Results do not depend on the backend: a run's seed is in its task, never in the worker.

Dask (``pip install 'gigsim[dask]'``) is imported only by :class:`DaskBackend`. A Dask cluster
re-runs the tasks of a worker it loses; tasks are pure, so the rerun gives the same outcome.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from types import TracebackType
from typing import Any, Protocol

from gigsim.errors import GigsimError
from gigsim.studies.runner import children_ignore_interrupts, stop_workers, watch_for_reimport
from gigsim.studies.sweep.task import RunOutcome, RunTask, run_task

LOCAL = "local"  # --scheduler local: a Dask LocalCluster on this machine
DEFAULT_CONNECT_TIMEOUT_S = 10.0


class Backend(Protocol):
    """Runs tasks and yields their outcomes as each finishes."""

    name: str
    workers: int

    def __enter__(self) -> Backend: ...

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None: ...

    def run(self, tasks: Iterable[RunTask]) -> Iterator[RunOutcome]:
        """Run every task; yield each outcome when it is ready."""
        ...

    def describe(self) -> dict[str, Any]:
        """What the manifest records about the backend."""
        ...


class SerialBackend:
    """Runs the tasks one after another in this process."""

    name = "serial"
    workers = 1

    def __enter__(self) -> SerialBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def run(self, tasks: Iterable[RunTask]) -> Iterator[RunOutcome]:
        """Run each task here, in order."""
        for task in tasks:
            yield run_task(task)

    def describe(self) -> dict[str, Any]:
        """Kind and worker count."""
        return {"kind": self.name, "workers": 1}


def _ignore_interrupts() -> None:
    # Ctrl-C goes to the whole process group; the parent decides what to do, the workers wait
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class ProcessBackend:
    """Runs the tasks in ``jobs`` local worker processes (spawned, as :func:`gigsim.simulate`).

    At most ``2 × jobs`` tasks are handed out at a time, so a large sweep's tasks are not all
    pickled up front and an interrupted sweep stops soon.
    """

    name = "processes"

    def __init__(self, jobs: int) -> None:
        if jobs < 1:
            raise GigsimError(f"--jobs: must be at least 1, got {jobs}")
        self.workers = jobs
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> ProcessBackend:
        self._pool = ProcessPoolExecutor(max_workers=self.workers,
                                         mp_context=multiprocessing.get_context("spawn"),
                                         initializer=_ignore_interrupts)
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        if self._pool is not None:
            # on an error or Ctrl-C, drop what has not started rather than finish the sweep
            if kind is KeyboardInterrupt:
                stop_workers(self._pool)
            else:
                self._pool.shutdown(wait=kind is None, cancel_futures=True)
            self._pool = None

    def run(self, tasks: Iterable[RunTask]) -> Iterator[RunOutcome]:
        """Run the tasks in the pool, yielding outcomes in the order they finish."""
        assert self._pool is not None, "use the backend in a with block"
        pending: set[Future[RunOutcome]] = set()
        queue = iter(tasks)
        exhausted = False
        with watch_for_reimport("a sweep on local processes", "jobs=1"):
            while True:
                while not exhausted and len(pending) < 2 * self.workers:
                    task = next(queue, None)
                    if task is None:
                        exhausted = True
                    else:
                        # a submit may start a worker, which then ignores Ctrl-C from its
                        # first instruction (the initializer runs only after its imports)
                        with children_ignore_interrupts():
                            pending.add(self._pool.submit(run_task, task))
                if not pending:
                    return
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield future.result()

    def describe(self) -> dict[str, Any]:
        """Kind and worker count."""
        return {"kind": self.name, "workers": self.workers}


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise GigsimError("--scheduler needs Dask: pip install 'gigsim[dask]'"
                          " (or pip install 'dask[distributed]')") from None
    return distributed


class DaskBackend:
    """Runs the tasks on a Dask distributed cluster: at ``address``, or a new LocalCluster.

    ``address`` ``"local"`` starts a :class:`distributed.LocalCluster` of ``jobs`` worker
    processes with one thread each, and closes it at the end. Connecting fails within
    ``timeout_s`` seconds, naming the address, if the scheduler cannot be reached or has no
    worker. The cluster reschedules the tasks of a worker that dies; tasks are pure, so a
    rerun gives the same outcome.
    """

    name = "dask"

    def __init__(self, address: str, jobs: int | None = None,
                 timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S) -> None:
        self.address = address
        self.jobs = jobs
        self.timeout_s = timeout_s
        self.workers = 0
        self._client: Any = None
        self._cluster: Any = None

    def __enter__(self) -> DaskBackend:
        distributed = _import_distributed()
        if self.address == LOCAL:
            import dask

            jobs = self.jobs or os.cpu_count() or 1
            # Dask's statistical profiler samples the running task's stack every 10 ms, which
            # costs pure-Python simulations 10-15% of their time; our own workers go without
            with dask.config.set({"distributed.worker.profile.enabled": False}):
                self._cluster = distributed.LocalCluster(
                    n_workers=jobs, threads_per_worker=1, processes=True,
                    dashboard_address=":0", silence_logs=logging.ERROR)
            self._client = distributed.Client(self._cluster, set_as_default=False)
        else:
            try:
                self._client = distributed.Client(self.address, timeout=self.timeout_s,
                                                  set_as_default=False)
            except (OSError, TimeoutError, ValueError) as error:
                reason = str(error).splitlines()[0] if str(error) else type(error).__name__
                raise GigsimError(f"--scheduler {self.address}: cannot reach the Dask scheduler"
                                  f" within {self.timeout_s:g} s ({reason})") from None
            try:
                self._client.wait_for_workers(1, timeout=self.timeout_s)
            except (OSError, TimeoutError) as error:
                self._close()
                raise GigsimError(f"--scheduler {self.address}: the scheduler has no worker"
                                  f" after {self.timeout_s:g} s") from error
        self.workers = len(self._client.scheduler_info()["workers"])
        return self

    def __exit__(self, *exc: object) -> None:
        self._close()

    def _close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def run(self, tasks: Iterable[RunTask]) -> Iterator[RunOutcome]:
        """Submit every task, then yield outcomes as the cluster finishes them."""
        distributed = _import_distributed()
        assert self._client is not None, "use the backend in a with block"
        futures = [self._client.submit(run_task, task, pure=False, retries=0,
                                       key=f"gigsim-run-{os.getpid()}-{id(self)}"
                                           f"-p{task.point}-r{task.replication}")
                   for task in tasks]
        try:
            for future in distributed.as_completed(futures, loop=self._client.loop):
                outcome = future.result()
                future.release()
                yield outcome
        finally:
            self._client.cancel([f for f in futures if not f.done()])

    def describe(self) -> dict[str, Any]:
        """Kind, scheduler address and worker count."""
        address = (self._cluster.scheduler_address if self._cluster is not None
                   else self.address)
        return {"kind": "dask-local" if self.address == LOCAL else "dask",
                "scheduler": address, "workers": self.workers}


def make_backend(jobs: int = 0, scheduler: str | None = None,
                 timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S) -> Backend:
    """The backend the options name: Dask with ``scheduler``, else ``jobs`` local processes.

    ``jobs`` 0 means one per core; 1 runs in this process. With ``scheduler="local"``,
    ``jobs`` is the LocalCluster's number of workers.
    """
    if jobs < 0:
        raise GigsimError(f"--jobs: must be at least 0, got {jobs}")
    if scheduler is not None:
        _import_distributed()  # fail at once, before anything else is done
        return DaskBackend(scheduler, jobs or None, timeout_s)
    jobs = jobs or os.cpu_count() or 1
    return SerialBackend() if jobs == 1 else ProcessBackend(jobs)
