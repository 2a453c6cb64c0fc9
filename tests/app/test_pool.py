"""The worker pool: a bounded queue, shared questions, a cache, and cancellation."""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import signal
import time
from collections.abc import Callable, Iterator
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from gigsim.app.answer import Answer, compute
from gigsim.app.inputs import MAX_MONTHS, MAX_REPLICATIONS
from gigsim.app.pool import Busy, Cancelled, EstimatePool, Job
from gigsim.presentation.verdict import estimate_dict

from ._support import GENERALIST, SCENARIOS, SPECIALIST, question

WAIT_S = 60.0  # a bound on every wait; the events waited for take about a second


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {WAIT_S:g} s waiting for {what}")
        time.sleep(0.02)


@pytest.fixture(scope="module")
def pool() -> Iterator[EstimatePool]:
    """One worker process and room for one question waiting: two in all."""
    started = EstimatePool(SCENARIOS, workers=1, queue=1)
    yield started
    started.close()


@pytest.fixture
def idle(pool: EstimatePool) -> Iterator[EstimatePool]:
    """The pool, checked to be idle after the test (every job given back and finished)."""
    yield pool
    wait_for(lambda: pool.running() == 0, "the pool to be idle")


def long_question(role: str = GENERALIST) -> tuple:  # type: ignore[type-arg]
    return question(role, hours=20, months=MAX_MONTHS, replications=MAX_REPLICATIONS)


def test_an_answer_from_the_pool_is_the_one_computed_here(idle: EstimatePool) -> None:
    role, params = question(SPECIALIST, hours=15, months=2, replications=2)
    job = idle.submit(role, params)
    assert isinstance(job, Job)
    job.future.result(timeout=WAIT_S)
    idle.release(job)
    got = idle.cached(role, params)
    assert isinstance(got, Answer)
    here = estimate_dict(compute(SCENARIOS, role, params).estimate)
    assert {k: v for k, v in estimate_dict(got.estimate).items() if k != "elapsed_s"} == \
        {k: v for k, v in here.items() if k != "elapsed_s"}
    assert idle.progress(job) == (2, 2)
    # asked again, it comes from the cache: the same object, no job
    assert idle.submit(role, params) is got


def test_the_same_question_from_two_pages_is_computed_once(idle: EstimatePool) -> None:
    role, params = question(GENERALIST, hours=11, months=2, replications=2)
    first = idle.submit(role, params)
    second = idle.submit(role, params)
    assert isinstance(first, Job) and second is first and first.waiters == 2
    idle.release(first)  # one page moves on; the other still waits for the answer
    answer = first.future.result(timeout=WAIT_S)
    idle.release(first)
    assert isinstance(answer, Answer) and idle.cached(role, params) is answer


def test_the_queue_is_bounded(idle: EstimatePool) -> None:
    running = idle.submit(*long_question(GENERALIST))
    waiting = idle.submit(*long_question(SPECIALIST))
    assert isinstance(running, Job) and isinstance(waiting, Job)
    assert idle.running() == idle.capacity == 2
    with pytest.raises(Busy, match="the server is busy"):
        idle.submit(*question(GENERALIST, hours=12))
    # questions that no page wants stop: a waiting one before it starts (the executor may
    # have handed it to a worker's queue already, where the cancel flag stops it)
    idle.release(waiting)
    idle.release(running)
    for job in (running, waiting):
        wait_for(job.future.done, "a cancelled question to stop")
        assert job.future.cancelled() or isinstance(job.future.exception(), Cancelled)
        assert idle.progress(job)[0] < job.total
    wait_for(lambda: idle.running() == 0, "the slots to be given back")
    room = idle.submit(*question(GENERALIST, hours=13, months=1, replications=1))
    assert isinstance(room, Job)
    idle.release(room)


def test_a_running_question_no_page_wants_stops_at_its_next_replication(
        idle: EstimatePool) -> None:
    role, params = long_question()
    job = idle.submit(role, params)
    assert isinstance(job, Job)
    wait_for(lambda: idle.progress(job)[0] >= 1, "the first replication")
    idle.release(job)
    with pytest.raises(Cancelled):
        job.future.result(timeout=WAIT_S)
    done, total = idle.progress(job)
    assert total == MAX_REPLICATIONS
    assert idle.cached(role, params) is None  # a cancelled answer is never cached
    wait_for(lambda: idle.running() == 0, "the slot to be given back")
    # the same question asked afresh starts a new computation
    again = idle.submit(role, params)
    assert isinstance(again, Job) and again is not job
    idle.release(again)
    assert done < total


def test_closing_refuses_new_questions() -> None:
    small = EstimatePool(SCENARIOS, workers=1, queue=0)
    small.close()
    with pytest.raises(Busy, match="shutting down"):
        small.submit(*question())


def test_the_numbers_are_read_from_the_file_the_worker_leaves(tmp_path: Path) -> None:
    from concurrent.futures import Future

    path = tmp_path / "numbers.pickle"
    job = Job(("key",), 0, Future(), 2, str(path))
    small = EstimatePool.__new__(EstimatePool)  # only numbers() is used: no processes
    assert small.numbers(job) is None  # not there yet
    path.write_bytes(pickle.dumps({"numbers": 1}))
    assert small.numbers(job) == {"numbers": 1}
    path.unlink()
    assert small.numbers(job) == {"numbers": 1}  # read once, kept


def test_a_worker_process_that_dies_fails_its_question_and_the_pool_starts_afresh(
        caplog: pytest.LogCaptureFixture) -> None:
    """A worker killed mid-estimate: its question fails (uncached, slot given back), and the
    next question starts new worker processes and is answered."""
    before = {child.pid for child in multiprocessing.active_children()}
    crashing = EstimatePool(SCENARIOS, workers=1, queue=0)
    try:
        role, params = long_question()
        job = crashing.submit(role, params)
        assert isinstance(job, Job)
        wait_for(lambda: crashing.progress(job)[0] >= 1, "the first replication")
        workers = [child for child in multiprocessing.active_children()
                   if child.pid not in before]
        assert len(workers) == 1  # the pool's one worker process
        os.kill(workers[0].pid, signal.SIGKILL)  # type: ignore[arg-type]
        with pytest.raises(BrokenProcessPool):
            job.future.result(timeout=WAIT_S)
        wait_for(lambda: crashing.running() == 0, "the slot to be given back")
        assert crashing.cached(role, params) is None  # a failed answer is never cached
        assert crashing.progress(job)[0] < job.total
        crashing.release(job)  # the page gives it back: nothing to cancel
        # the next question restarts the workers and gets its answer
        small_role, small_params = question(GENERALIST, hours=14, months=1, replications=1)
        with caplog.at_level(logging.WARNING, logger="gigsim.app.pool"):
            again = crashing.submit(small_role, small_params)
        assert "a worker process died; starting new ones" in caplog.text
        assert isinstance(again, Job)
        assert isinstance(again.future.result(timeout=WAIT_S), Answer)
        crashing.release(again)
        assert isinstance(crashing.cached(small_role, small_params), Answer)
        assert crashing.running() == 0
    finally:
        crashing.close()
