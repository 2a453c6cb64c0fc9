"""The state of one project during a run of the first engine."""

from __future__ import annotations

import math
from collections import deque
from typing import TYPE_CHECKING

import numpy as np

from gigsim.scenario.projects import Sparse
from gigsim.scenario.units import HOURS_PER_WEEK

if TYPE_CHECKING:
    from gigsim.worker import Worker


class Project:
    """One project during a replication; mutable, private to the simulation."""

    __slots__ = (
        "accepting",
        "end",
        "fill_latency_sum_h",
        "filled",
        "generator",
        "id",
        "launch",
        "notice_at",
        "open_runs",
        "open_seats",
        "pay_per_hour",
        "requires",
        "reserved",
        "seats",
        "sparse_at",
        "sparse_supply_h_per_h",
        "supply_h_per_h",
        "training_h",
        "training_paid",
        "unfilled_seat_h",
        "workers",
    )

    def __init__(self, project_id: int, generator: int, requires: str, launch: float,
                 lifetime_h: float, seats: int, pay_per_hour: float, supply_h_per_week: float,
                 training_h: float, training_paid: bool, notice_h: float | None,
                 sparse: Sparse | None) -> None:
        self.id = project_id
        self.generator = generator
        self.requires = requires
        self.launch = launch
        self.end = launch + lifetime_h
        self.notice_at = math.nan if notice_h is None else max(launch, self.end - notice_h)
        self.seats = seats
        self.pay_per_hour = pay_per_hour
        self.supply_h_per_h = supply_h_per_week / HOURS_PER_WEEK
        self.training_h = training_h
        self.training_paid = training_paid
        if sparse is None or sparse.fraction_of_life == 0:
            self.sparse_at = math.inf
            self.sparse_supply_h_per_h = self.supply_h_per_h
        else:
            self.sparse_at = self.end - sparse.fraction_of_life * lifetime_h
            self.sparse_supply_h_per_h = self.supply_h_per_h * sparse.supply_factor
        self.accepting = True
        self.open_seats = 0
        self.open_runs: deque[list[float]] = deque()  # [opened_at, count], oldest first
        self.workers: set[Worker] = set()  # on the project now
        self.reserved: set[Worker] = set()  # to start when their project under notice ends
        self.filled = 0
        self.fill_latency_sum_h = 0.0
        self.unfilled_seat_h = 0.0

    @property
    def oldest_open(self) -> float:
        """When the longest-open seat opened (inf when no seat is open)."""
        return self.open_runs[0][0] if self.open_runs else float("inf")

    def pieces(self, available_h_per_h: float, start: float, end: float
               ) -> list[tuple[bool, float, float, float, float]]:
        """How an assignment from ``start`` to ``end`` splits into spells of constant rates.

        Returns ``(training, begin, finish, hours_per_h, income_usd)`` for the training, then the
        work at full supply, then the work in the sparse phase, leaving out empty ones. Training
        runs at the worker's availability; work at min(availability, task supply).
        """
        out = []
        work_from = start
        if self.training_h > 0:
            work_from = min(end, start + self.training_h / available_h_per_h)
            if work_from > start:
                hours = available_h_per_h * (work_from - start)
                out.append((True, start, work_from, available_h_per_h,
                            hours * self.pay_per_hour if self.training_paid else 0.0))
        for begin, finish, supply in (
            (work_from, min(end, self.sparse_at), self.supply_h_per_h),
            (max(work_from, self.sparse_at), end, self.sparse_supply_h_per_h),
        ):
            if finish > begin:
                rate = min(available_h_per_h, supply)
                out.append((False, begin, finish, rate,
                            rate * (finish - begin) * self.pay_per_hour))
        return out

    def team_pieces(self, available_h_per_h: np.ndarray, start: np.ndarray, end: float
                    ) -> list[tuple[bool, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                                    np.ndarray]]:
        """:meth:`pieces` for many assignments ending at ``end`` at once, as arrays.

        Returns ``(training, which, begin, finish, hours_per_h, income_usd)`` for the
        training, the work at full supply and the work in the sparse phase, where ``which``
        selects the assignments that have that piece; the values are those :meth:`pieces`
        gives, bit for bit.
        """
        out = []
        work_from = start
        if self.training_h > 0:
            work_from = np.minimum(end, start + self.training_h / available_h_per_h)
            which = work_from > start
            hours = available_h_per_h[which] * (work_from[which] - start[which])
            out.append((True, which, start[which], work_from[which], available_h_per_h[which],
                        hours * self.pay_per_hour if self.training_paid
                        else np.zeros(len(hours))))
        for begin, finish, supply in (
            (work_from, np.full(len(start), min(end, self.sparse_at)), self.supply_h_per_h),
            (np.maximum(work_from, self.sparse_at), np.full(len(start), end),
             self.sparse_supply_h_per_h),
        ):
            which = finish > begin
            begin, finish = begin[which], finish[which]
            rate = np.minimum(available_h_per_h[which], supply)
            out.append((False, which, begin, finish, rate,
                        rate * (finish - begin) * self.pay_per_hour))
        return out

    def open(self, count: int, now: float) -> None:
        """Open ``count`` seats at ``now``."""
        self.open_seats += count
        self.open_runs.append([now, float(count)])

    def fill(self, now: float) -> None:
        """Fill the longest-open seat at ``now``."""
        run = self.open_runs[0]
        waited = now - run[0]
        self.fill_latency_sum_h += waited
        self.unfilled_seat_h += waited
        self.filled += 1
        self.open_seats -= 1
        run[1] -= 1
        if run[1] <= 0:
            self.open_runs.popleft()

    def close(self, now: float) -> None:
        """Stop taking workers (notice or end): open seats stop counting as unfilled time."""
        self.accepting = False
        for opened_at, count in self.open_runs:
            self.unfilled_seat_h += (now - opened_at) * count
        self.open_runs.clear()
        self.open_seats = 0
