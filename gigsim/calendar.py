"""The event calendar: actions to call at future times, in time order, on one binary heap.

A replication has one calendar. An event is an entry ``(time, sequence, action, argument)``;
running the calendar pops entries in time order (ties in the order they were scheduled) and
calls ``action(argument)`` with :attr:`Calendar.now` set to the entry's time. Events at or
after the end of the run are never scheduled.

This is the whole engine. A general-purpose one (SimPy, which gigsim first ran on) gives each
event an object, a callback list and a generator to resume; the benchmark suite measured that
machinery at about half the cost of a replication, and gigsim needs none of it: its events are
spells' ends, each handled by one method of the replication.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from heapq import heappop, heappush
from typing import Any

_FIRST = 1 << 62  # sequence numbers of first_at events start this far below at()'s


class Calendar:
    """Future events of one replication, and the simulated clock."""

    __slots__ = ("_first", "_heap", "_sequence", "end", "events", "now")

    def __init__(self, end: float) -> None:
        self.end = end  # events at or after this time are dropped
        self.now = 0.0
        self.events = 0  # events scheduled so far
        self._heap: list[tuple[float, int, Callable[[Any], None], Any]] = []
        self._sequence = 0
        self._first = 0

    def at(self, time: float, action: Callable[[Any], None], argument: Any = None) -> None:
        """Call ``action(argument)`` at ``time`` (≥ now), if that is before the end."""
        if time < self.end:
            self._sequence += 1
            heappush(self._heap, (time, self._sequence, action, argument))

    def first_at(self, time: float, order: int, action: Callable[[Any], None],
                 argument: Any = None) -> None:
        """Like :meth:`at`, but ahead of every event :meth:`at` schedules for the same time.

        Among themselves such events go by ``order`` (a non-negative number below 2**62), as if
        they had all been scheduled in that order when the run started.
        """
        if time < self.end:
            self._first += 1
            heappush(self._heap, (time, order - _FIRST, action, argument))

    def walk(self, plans: Sequence[tuple[Any, ...]], action: Callable[..., None],
             first: bool = False) -> None:
        """Call ``action(*plan[1:])`` at time ``plan[0]`` for each plan, in list order.

        ``plans`` are sorted by time and known in advance (arrivals, launches); one calendar
        entry stands for all of them at a time, so the heap does not carry them. With
        ``first`` they come ahead of :meth:`at` events at the same time, as with
        :meth:`first_at` in list order.
        """
        position = 0

        def due(_: None) -> None:
            nonlocal position
            k = position
            while k < len(plans) and plans[k][0] <= self.now:
                action(*plans[k][1:])
                k += 1
            position = k
            schedule()

        def schedule() -> None:
            if position < len(plans):
                if first:
                    self.first_at(plans[position][0], position, due)
                else:
                    self.at(plans[position][0], due)

        schedule()

    def run(self) -> None:
        """Handle every event in time order until none is left before the end."""
        heap = self._heap
        while heap:
            time, _, action, argument = heappop(heap)
            self.now = time
            action(argument)
        self.now = self.end
        self.events = self._sequence + self._first

    def __len__(self) -> int:
        return len(self._heap)
