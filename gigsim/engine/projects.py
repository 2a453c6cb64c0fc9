"""Projects as columns: every project of a replication, drawn when the run starts.

A :class:`ProjectTable` holds what the generators drew (one array per attribute, indexed by
project id, ids in order of launch) and what dispatch did to each project (seats filled, fill
latency, unfilled seat-hours). Open seats are kept per project as runs ``[opened_at, count]``,
oldest first, only while a project has open seats.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from gigsim.engine.work import Terms
from gigsim.randomness import Streams
from gigsim.scenario import Scenario
from gigsim.scenario.units import HOURS_PER_WEEK


@dataclass
class ProjectTable:
    """Every project of a replication: its draws, then what dispatch did to it."""

    generator: np.ndarray  # int
    requires: np.ndarray  # int: bit index of the required skill
    launch: np.ndarray
    end: np.ndarray
    notice_at: np.ndarray  # NaN: ends without notice
    sparse_at: np.ndarray  # inf: no sparse phase
    seats: np.ndarray  # int
    pay_per_hour: np.ndarray
    supply_h_per_h: np.ndarray  # task supply per seat per clock hour, full queue
    sparse_supply_h_per_h: np.ndarray
    training_h: np.ndarray
    training_paid: np.ndarray  # bool
    # what dispatch did (whole run, warm-up included)
    accepting: np.ndarray = field(init=False)  # launched and neither under notice nor ended
    open_seats: np.ndarray = field(init=False)
    filled: np.ndarray = field(init=False)
    fill_latency_sum_h: np.ndarray = field(init=False)
    unfilled_seat_h: np.ndarray = field(init=False)
    runs: dict[int, deque[list[float]]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.launch)
        self.accepting = np.zeros(n, dtype=bool)
        self.open_seats = np.zeros(n, dtype=np.int64)
        self.filled = np.zeros(n, dtype=np.int64)
        self.fill_latency_sum_h = np.zeros(n)
        self.unfilled_seat_h = np.zeros(n)

    def __len__(self) -> int:
        return len(self.launch)

    def terms(self, project: np.ndarray) -> Terms:
        """The terms for assignments on ``project`` (one project id each)."""
        return Terms(project, self.pay_per_hour[project], self.supply_h_per_h[project],
                     self.sparse_supply_h_per_h[project], self.sparse_at[project],
                     self.training_h[project], self.training_paid[project])

    def oldest_open(self, p: int) -> float:
        """When project ``p``'s longest-open seat opened (inf: none open)."""
        runs = self.runs.get(p)
        return runs[0][0] if runs else math.inf

    def open(self, p: int, count: int, now: float) -> None:
        """Open ``count`` seats on ``p`` at ``now``."""
        self.open_seats[p] += count
        self.runs.setdefault(p, deque()).append([now, float(count)])

    def fill(self, p: int, count: int, now: float | np.ndarray) -> None:
        """Fill ``p``'s ``count`` longest-open seats at ``now``.

        ``now`` is one time, or one per seat in increasing order (the longest-open seat first).
        """
        runs = self.runs[p]
        waited_h = 0.0
        done = 0
        while done < count:
            run = runs[0]
            take = min(count - done, int(run[1]))
            at = now[done: done + take].sum() if isinstance(now, np.ndarray) else now * take
            waited_h += float(at) - run[0] * take
            run[1] -= take
            done += take
            if run[1] <= 0:
                runs.popleft()
        self.fill_latency_sum_h[p] += waited_h
        self.unfilled_seat_h[p] += waited_h
        self.filled[p] += count
        self.open_seats[p] -= count
        if not runs:
            del self.runs[p]

    def close(self, p: int, now: float) -> None:
        """``p`` stops taking workers (notice or end): open seats stop counting as unfilled."""
        self.accepting[p] = False
        for opened_at, count in self.runs.pop(p, ()):
            self.unfilled_seat_h[p] += (now - opened_at) * count
        self.open_seats[p] = 0

    def rows(self) -> list[tuple[float, ...]]:
        """The project records (:data:`gigsim.engine.records.PROJECT_COLUMNS`), one per project."""
        return list(zip(
            np.arange(len(self)).tolist(), self.generator.tolist(), self.launch.tolist(),
            self.end.tolist(), self.seats.tolist(), (~np.isnan(self.notice_at)).tolist(),
            self.notice_at.tolist(), self.pay_per_hour.tolist(),
            (self.supply_h_per_h * HOURS_PER_WEEK).tolist(), self.training_h.tolist(),
            self.training_paid.tolist(), self.sparse_at.tolist(), self.filled.tolist(),
            self.fill_latency_sum_h.tolist(), self.unfilled_seat_h.tolist(), strict=True))


_COLUMNS = ("generator", "requires", "launch", "end", "notice_at", "sparse_at", "seats",
            "pay_per_hour", "supply_h_per_h", "sparse_supply_h_per_h", "training_h",
            "training_paid")
_INTS = ("generator", "requires", "seats")


def plan_projects(scenario: Scenario, streams: Streams, end_h: float,
                  skills: dict[str, int]) -> ProjectTable:
    """Draw every project of the run from the generators' named streams (docs/model.md §8).

    The draws are those of the first engine (one stream per attribute, one vector per
    generator in order of launch), so the projects of a replication are the same whatever
    the engine, the policy or the workers.
    """
    parts: dict[str, list[np.ndarray]] = {}
    for index, gen in enumerate(scenario.projects):
        def rng(attribute: str, name: str = gen.name) -> np.random.Generator:
            return streams.get(f"projects.{name}.{attribute}")

        launch = gen.arrival_times(rng("arrivals"), rng("seasonality"), end_h)
        n = len(launch)
        lifetime = np.maximum(np.asarray(gen.lifetime.sample(rng("lifetime"), n)), 1e-9)
        end = launch + lifetime
        training_paid = (rng("training").random(n) < gen.training.paid_probability
                         if gen.training is not None else np.zeros(n, dtype=bool))
        notice = (rng("notice").random(n) < gen.notice.probability
                  if gen.notice is not None else np.zeros(n, dtype=bool))
        supply = np.asarray(gen.hours_per_week_per_seat.sample(rng("hours_per_week_per_seat"),
                                                               n)) / HOURS_PER_WEEK
        seats = np.maximum(1, np.rint(gen.seats.sample(rng("seats"), n))).astype(np.int64)
        pay = np.asarray(gen.pay_per_hour.sample(rng("pay_per_hour"), n), dtype=float)
        if gen.sparse is None or gen.sparse.fraction_of_life == 0:
            sparse_at, factor = np.full(n, math.inf), 1.0
        else:
            sparse_at, factor = end - gen.sparse.fraction_of_life * lifetime, \
                gen.sparse.supply_factor
        notice_h = gen.notice.duration_h if gen.notice is not None else 0.0
        for key, values in (
            ("launch", launch), ("generator", np.full(n, index)),
            ("requires", np.full(n, skills[gen.requires])), ("end", end),
            ("notice_at", np.where(notice, np.maximum(launch, end - notice_h), np.nan)),
            ("sparse_at", sparse_at), ("seats", seats), ("pay_per_hour", pay),
            ("supply_h_per_h", supply), ("sparse_supply_h_per_h", supply * factor),
            ("training_h", np.full(n, gen.training.hours if gen.training is not None else 0.0)),
            ("training_paid", training_paid),
        ):
            parts.setdefault(key, []).append(np.asarray(values))
    if not parts:
        return ProjectTable(**{key: np.zeros(0, dtype=int if key in _INTS else float)
                               for key in _COLUMNS})
    launch_all = np.concatenate(parts["launch"])
    order = np.argsort(launch_all, kind="stable")  # generators in file order at ties
    columns = {key: np.concatenate(values)[order] for key, values in parts.items()}
    return ProjectTable(**columns)
