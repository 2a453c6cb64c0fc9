"""Estimates in the background: one worker process per core, a bounded queue and a cache.

Every page (browser tab) asks :class:`EstimatePool` for its question. An answer already
computed comes from the cache at once; a question already being computed for another page is
shared; otherwise it goes to the queue, which holds at most ``queue`` questions beyond the
ones running: past that, :meth:`EstimatePool.submit` raises :class:`Busy` and the page says so
and tries again, so that many tabs cannot exhaust the machine. A worker process runs one
estimate at a time, its replications one after another (``jobs=1``).

Progress and cancellation cross between processes through two small shared arrays, one entry
per *slot* (a place in the queue): the worker adds one to its slot's count after each
replication, and stops with :class:`Cancelled` at the next replication when its slot's
cancel flag is set. A question that no page wants any more is cancelled.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import logging
import multiprocessing
import os
import pickle
import shutil
import tempfile
import threading
import time
from collections import OrderedDict
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gigsim.app.inputs import Params, Role
from gigsim.errors import GigsimError
from gigsim.studies.runner import children_ignore_interrupts

log = logging.getLogger(__name__)

CACHE_SIZE = 128
PARENT_CHECK_S = 1.0


class Busy(GigsimError):
    """The queue is full: the page should try again in a moment."""


class Cancelled(Exception):
    """Raised inside a worker process to stop an estimate that no page wants any more."""


# In each worker process: the shared arrays, set by _start.
_DONE: Any = None
_CANCEL: Any = None


def _start(done: Any, cancel: Any, server_pid: int) -> None:
    """Worker process start: keep the shared arrays and import the estimate before any job.

    A worker also ends when the server's process is gone (killed, say, so that it could not
    stop its workers): else it would wait for work forever.
    """
    global _DONE, _CANCEL
    _DONE, _CANCEL = done, cancel

    def watch() -> None:  # the server's pid, not getppid(): the server may be gone already
        while os.getppid() == server_pid:
            time.sleep(PARENT_CHECK_S)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="gigsim-parent-watch").start()
    import gigsim.app.answer  # noqa: F401  (pandas, scipy and matplotlib load now, not later)


def _work(slot: int, folder: Path, role: Role, params: Params, numbers_path: str) -> Any:
    """Compute one answer in a worker process, counting replications into ``slot``.

    The answer without its figures is left at ``numbers_path`` as soon as it is known, so
    that the page can show the numbers while the figures are drawn.
    """
    from gigsim.app.answer import compute

    _DONE[slot] = 0

    def progress(count: int) -> None:
        _DONE[slot] += count
        if _CANCEL[slot]:
            raise Cancelled

    def numbers(answer: Any) -> None:
        partial = numbers_path + ".partial"
        with open(partial, "wb") as handle:
            pickle.dump(answer, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, numbers_path)  # whole or absent

    if _CANCEL[slot]:
        raise Cancelled
    return compute(folder, role, params, progress, numbers)


def _warm() -> None:
    """A job that does nothing, so that a worker process starts (and imports) at once."""


@dataclass
class Job:
    """A question being computed: its future, its slot and how many pages wait for it."""

    key: tuple[Any, ...]
    slot: int
    future: Future[Any]
    total: int  # replications
    numbers_path: str
    waiters: int = 1
    cancelled: bool = False
    numbers: Any = None  # the answer without its figures, once the worker has left it
    finished_at: int | None = None  # replications done when it ended (its slot is reused)


class EstimatePool:
    """Worker processes, a bounded queue of questions and a cache of answers.

    ``workers`` processes (default: one per core) and room for ``queue`` questions waiting
    beyond those running. ``folder`` is the scenarios folder the roles' files are read from.
    """

    def __init__(self, folder: Path, workers: int | None = None, queue: int | None = None,
                 cache_size: int = CACHE_SIZE) -> None:
        self.folder = folder
        self.workers = workers or os.cpu_count() or 1
        self.capacity = self.workers + (2 * self.workers if queue is None else queue)
        self.cache_size = cache_size
        context = multiprocessing.get_context("spawn")
        self._context = context
        self._done = context.RawArray("i", self.capacity)
        self._cancel = context.RawArray("b", self.capacity)
        self._lock = threading.RLock()  # a cancelled future calls back at once
        self._free = list(range(self.capacity))
        self._jobs: dict[tuple[Any, ...], Job] = {}
        self._cache: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._executor = self._new_executor()
        self._closed = False
        self._numbers_dir = tempfile.mkdtemp(prefix="gigsim-app-")
        self._count = itertools.count()

    def _new_executor(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=self._context,
                                   initializer=_start,
                                   initargs=(self._done, self._cancel, os.getpid()))

    def warm(self) -> None:
        """Start every worker process now rather than at the first question.

        They ignore Ctrl-C (the server stops them), so that it prints no traceback of theirs.
        """
        with children_ignore_interrupts():
            for _ in range(self.workers):
                self._executor.submit(_warm)

    @staticmethod
    def key(role: Role, params: Params) -> tuple[Any, ...]:
        """The cache key of a question: the role's file and group, and every parameter."""
        return (role.file, role.group, params)

    def cached(self, role: Role, params: Params) -> Any | None:
        """The answer to this question if it has been computed, else None."""
        key = self.key(role, params)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        return None

    def submit(self, role: Role, params: Params) -> Job | Any:
        """The cached answer, or a :class:`Job` computing it; :class:`Busy` if the queue is full.

        A question already running for another page is shared (its ``waiters`` counts the
        pages); each page gives it back with :meth:`release` when it no longer wants it.
        """
        key = self.key(role, params)
        with self._lock:
            if self._closed:
                raise Busy("the app is shutting down")
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
            job = self._jobs.get(key)
            if job is not None and not job.cancelled:
                job.waiters += 1
                return job
            if not self._free:
                raise Busy(f"the server is busy: {self.capacity} questions are being computed"
                           " or wait; trying again")
            slot = self._free.pop()
            self._done[slot] = 0
            self._cancel[slot] = 0
            path = os.path.join(self._numbers_dir, f"{next(self._count)}.pickle")
            task = functools.partial(_work, slot, self.folder, role, params, path)
            try:
                with children_ignore_interrupts():  # a submit may start a worker process
                    future = self._executor.submit(task)
            except BrokenProcessPool:  # a worker process died: start afresh
                log.warning("a worker process died; starting new ones")
                self._executor = self._new_executor()
                with children_ignore_interrupts():
                    future = self._executor.submit(task)
            job = Job(key, slot, future, params.replications * role.runs(params), path)
            self._jobs[key] = job
        future.add_done_callback(lambda done: self._finished(job, done))
        return job

    def _finished(self, job: Job, future: Future[Any]) -> None:
        with self._lock:
            if self._jobs.get(job.key) is job:
                del self._jobs[job.key]
            failed = future.cancelled() or future.exception() is not None
            job.finished_at = int(self._done[job.slot]) if failed else job.total
            self._free.append(job.slot)
            with contextlib.suppress(FileNotFoundError):
                os.remove(job.numbers_path)
            if failed:
                return
            self._cache[job.key] = future.result()
            self._cache.move_to_end(job.key)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)

    def progress(self, job: Job) -> tuple[int, int]:
        """Replications done and in all for ``job``."""
        if job.finished_at is not None:
            return job.finished_at, job.total
        return min(int(self._done[job.slot]), job.total), job.total

    def numbers(self, job: Job) -> Any | None:
        """The answer without its figures, once ``job``'s estimate is done (else None)."""
        if job.numbers is None and not job.future.done():
            with contextlib.suppress(FileNotFoundError), open(job.numbers_path, "rb") as handle:
                job.numbers = pickle.load(handle)
        return job.numbers

    def release(self, job: Job) -> None:
        """A page no longer wants ``job``; cancel it when no page does."""
        with self._lock:
            job.waiters -= 1
            if job.waiters > 0 or job.future.done():
                return
            job.cancelled = True
            if self._jobs.get(job.key) is job:
                del self._jobs[job.key]  # a new request for the same question starts afresh
            if not job.future.cancel():  # running: the worker stops at its next replication
                self._cancel[job.slot] = 1

    def running(self) -> int:
        """How many questions are being computed or wait."""
        with self._lock:
            return self.capacity - len(self._free)

    def close(self) -> None:
        """Stop every computation and the worker processes.

        A running estimate stops at its next replication; a worker still starting finishes
        its imports first (a second or two), then ends.
        """
        with self._lock:
            self._closed = True
            for job in self._jobs.values():
                job.cancelled = True
                self._cancel[job.slot] = 1
        self._executor.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(self._numbers_dir, ignore_errors=True)
