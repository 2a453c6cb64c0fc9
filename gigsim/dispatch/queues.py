"""Queues of waiting workers, one per skill: the order in which the pool gives workers out.

A worker with several skills waits in several queues at once. When it is matched through one
queue, or leaves, its entries elsewhere go stale: a queue recognises them by the worker's
``pool_stamp`` and skips them, so nothing has to be searched for and removed.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Iterator
from typing import Protocol

from gigsim.worker import Worker

Priority = Callable[[Worker, float], float | tuple[float, ...]]


class WorkerQueue(Protocol):
    """What the dispatcher needs of a queue of waiting workers."""

    def push(self, worker: Worker, now: float) -> None:
        """Add a worker that has just become matchable."""
        ...

    def pop(self, now: float) -> Worker | None:
        """Remove and return the worker to match next, or None if none is waiting."""
        ...

    def waiting(self) -> Iterator[Worker]:
        """The workers waiting in the queue, in no particular order."""
        ...


def is_current(worker: Worker, stamp: int) -> bool:
    """Whether a queue entry made with ``stamp`` still stands for a waiting worker."""
    return stamp == worker.pool_stamp and worker.matchable


def idle_since(worker: Worker, now: float) -> float:
    """When the worker was freed, or ``now`` for a worker still on a project under notice."""
    released = worker.released_at
    return now if math.isnan(released) else released


class PriorityQueue:
    """Workers in order of a priority fixed when they join; ties by order of joining."""

    def __init__(self, priority: Priority) -> None:
        self.priority = priority
        self._heap: list[tuple[float | tuple[float, ...], int, int, Worker]] = []
        self._sequence = 0

    def push(self, worker: Worker, now: float) -> None:
        """Add a worker with its priority at ``now``."""
        self._sequence += 1
        heapq.heappush(self._heap, (self.priority(worker, now), self._sequence,
                                    worker.pool_stamp, worker))

    def pop(self, now: float) -> Worker | None:
        """The waiting worker with the lowest priority value."""
        heap = self._heap
        while heap:
            _, _, stamp, worker = heapq.heappop(heap)
            if is_current(worker, stamp):
                return worker
        return None

    def waiting(self) -> Iterator[Worker]:
        """The workers waiting in the queue."""
        return (w for _, _, stamp, w in self._heap if is_current(w, stamp))


class ClassedQueue:
    """Workers in classes (lowest first), longest idle first within a class.

    A worker of a higher class stops being held back once it has been idle for longer than
    ``overtake_after_h``: the next worker is the longest idle among the lowest waiting class's
    longest-idle worker and the higher classes' workers idle that long (ties: order of joining).
    """

    def __init__(self, worker_class: Callable[[Worker], int], overtake_after_h: float) -> None:
        self.worker_class = worker_class
        self.overtake_after_h = overtake_after_h
        self._heaps: dict[int, list[tuple[float, int, int, Worker]]] = {}
        self._sequence = 0

    def push(self, worker: Worker, now: float) -> None:
        """Add a worker to its class, ordered by how long it has been idle."""
        self._sequence += 1
        heap = self._heaps.setdefault(self.worker_class(worker), [])
        heapq.heappush(heap, (idle_since(worker, now), self._sequence, worker.pool_stamp, worker))

    def _head(self, heap: list[tuple[float, int, int, Worker]]
              ) -> tuple[float, int, int, Worker] | None:
        while heap and not is_current(heap[0][3], heap[0][2]):
            heapq.heappop(heap)
        return heap[0] if heap else None

    def pop(self, now: float) -> Worker | None:
        """The lowest class's longest-idle worker, unless a higher class's has waited too long."""
        best: tuple[float, int, int, Worker] | None = None
        best_heap: list[tuple[float, int, int, Worker]] | None = None
        for klass in sorted(self._heaps):
            heap = self._heaps[klass]
            head = self._head(heap)
            if head is None:
                continue
            if best is None or (now - head[0] > self.overtake_after_h and head[:2] < best[:2]):
                best, best_heap = head, heap
        if best is None or best_heap is None:
            return None
        heapq.heappop(best_heap)
        return best[3]

    def waiting(self) -> Iterator[Worker]:
        """The workers waiting in the queue."""
        return (w for heap in self._heaps.values() for _, _, stamp, w in heap
                if is_current(w, stamp))
