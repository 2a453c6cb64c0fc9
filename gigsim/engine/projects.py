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

from gigsim.engine.clients import client_losses, end_with_clients
from gigsim.engine.work import TermRow, Terms
from gigsim.randomness import Streams
from gigsim.scenario import Scenario
from gigsim.scenario.units import HOURS_PER_WEEK


def _unset() -> np.ndarray:
    return np.zeros(0)


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
    supply_h_per_h: np.ndarray  # task supply per seat (or per project: shared) per clock hour
    sparse_supply_h_per_h: np.ndarray
    training_h: np.ndarray
    training_paid: np.ndarray  # bool
    # the work model's, left out where a table is built by hand (an empty array: a queue per
    # seat, no client, no qualification test, for every project)
    shared: np.ndarray = field(default_factory=_unset)  # bool: the team shares one queue
    client: np.ndarray = field(default_factory=_unset)  # int: the client's index, -1: none
    ended_by_client: np.ndarray = field(default_factory=_unset)  # bool: its client's loss
    qualification_h: np.ndarray = field(default_factory=_unset)  # hours of the test (0: none)
    qualification_pay: np.ndarray = field(default_factory=_unset)  # USD per hour (0: unpaid)
    qualification_pass: np.ndarray = field(default_factory=_unset)  # probability of passing
    platform: np.ndarray = field(default_factory=_unset)  # int: the platform's index
    has_tests: bool = field(init=False, default=False)  # some project has a qualification test
    several_platforms: bool = field(init=False, default=False)  # some project is on another
    # what dispatch did (whole run, warm-up included)
    accepting: np.ndarray = field(init=False)  # launched and neither under notice nor ended
    open_seats: np.ndarray = field(init=False)
    filled: np.ndarray = field(init=False)
    fill_latency_sum_h: np.ndarray = field(init=False)
    unfilled_seat_h: np.ndarray = field(init=False)
    runs: dict[int, deque[list[float]]] = field(init=False, default_factory=dict)
    _term_rows: list[TermRow] | None = field(init=False, default=None, repr=False)

    def __post_init__(self) -> None:
        n = len(self.launch)
        for name, value, dtype in _WORK_MODEL_DEFAULTS:
            if n and len(getattr(self, name)) == 0:
                setattr(self, name, np.full(n, value, dtype=dtype))
        self.has_tests = bool((self.qualification_h > 0).any())
        self.several_platforms = bool((self.platform > 0).any())
        self.accepting = np.zeros(n, dtype=bool)
        self.open_seats = np.zeros(n, dtype=np.int64)
        self.filled = np.zeros(n, dtype=np.int64)
        self.fill_latency_sum_h = np.zeros(n)
        self.unfilled_seat_h = np.zeros(n)

    def __len__(self) -> int:
        return len(self.launch)

    def terms(self, project: np.ndarray) -> Terms:
        """The terms for assignments on ``project`` (one project id each)."""
        tests = self.has_tests
        return Terms(project, self.pay_per_hour[project], self.supply_h_per_h[project],
                     self.sparse_supply_h_per_h[project], self.sparse_at[project],
                     self.training_h[project], self.training_paid[project],
                     qualification_h=self.qualification_h[project] if tests else None,
                     qualification_pay=self.qualification_pay[project] if tests else None,
                     platform=self.platform[project] if self.several_platforms else None)

    def term_row(self, p: int) -> TermRow:
        """Project ``p``'s terms as Python scalars (the scalar path; read once per run)."""
        if self._term_rows is None:
            self._term_rows = [TermRow(*row) for row in zip(
                range(len(self)), self.pay_per_hour.tolist(), self.supply_h_per_h.tolist(),
                self.sparse_supply_h_per_h.tolist(), self.sparse_at.tolist(),
                self.training_h.tolist(), self.training_paid.tolist(),
                self.qualification_h.tolist(), self.qualification_pay.tolist(),
                self.platform.tolist(), self.shared.tolist(), strict=True)]
        return self._term_rows[p]

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
            np.where(self.shared, np.nan, self.supply_h_per_h * HOURS_PER_WEEK).tolist(),
            self.training_h.tolist(),
            self.training_paid.tolist(), self.sparse_at.tolist(), self.filled.tolist(),
            self.fill_latency_sum_h.tolist(), self.unfilled_seat_h.tolist(),
            self.client.tolist(), self.ended_by_client.tolist(),
            np.where(self.shared, self.supply_h_per_h * HOURS_PER_WEEK, np.nan).tolist(),
            self.qualification_h.tolist(), self.platform.tolist(), strict=True))


_WORK_MODEL_DEFAULTS = (("shared", False, bool), ("client", -1, np.int64),
                        ("ended_by_client", False, bool), ("qualification_h", 0.0, float),
                        ("qualification_pay", 0.0, float), ("qualification_pass", 1.0, float),
                        ("platform", 0, np.int64))
_COLUMNS = ("generator", "requires", "launch", "end", "notice_at", "sparse_at", "seats",
            "pay_per_hour", "supply_h_per_h", "sparse_supply_h_per_h", "training_h",
            "training_paid", "shared", "client", "ended_by_client", "qualification_h",
            "qualification_pay", "qualification_pass", "platform")
_INTS = ("generator", "requires", "seats", "client", "platform")


def plan_projects(scenario: Scenario, streams: Streams, end_h: float,
                  pairs: dict[tuple[str, str], int]) -> ProjectTable:
    """Draw every project of the run from the generators' named streams (docs/model.md §8).

    ``pairs`` gives each (platform, skill) its bit (:func:`~gigsim.engine.workforce.pair_index`):
    a project requires its generator's pair.

    The draws are those of the first engine (one stream per attribute, one vector per
    generator in order of launch), so the projects of a replication are the same whatever
    the engine, the policy or the workers.
    """
    parts: dict[str, list[np.ndarray]] = {}
    platforms = [p.name for p in scenario.platforms]
    clients = {c.name: (i, client_losses(c, streams, end_h))
               for i, c in enumerate(scenario.clients)}
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
        supply_key = "task_supply" if gen.shared_queue else "hours_per_week_per_seat"
        supply = np.asarray(gen.supply.sample(rng(supply_key), n)) / HOURS_PER_WEEK
        seats = np.maximum(1, np.rint(gen.seats.sample(rng("seats"), n))).astype(np.int64)
        pay = np.asarray(gen.pay_per_hour.sample(rng("pay_per_hour"), n), dtype=float)
        if gen.sparse is None or gen.sparse.fraction_of_life == 0:
            sparse_at, factor = np.full(n, math.inf), 1.0
        else:
            sparse_at, factor = end - gen.sparse.fraction_of_life * lifetime, \
                gen.sparse.supply_factor
        notice_h = gen.notice.duration_h if gen.notice is not None else 0.0
        notice_at = np.where(notice, np.maximum(launch, end - notice_h), np.nan)
        client, by_client = -1, np.zeros(n, dtype=bool)
        if gen.client is not None:
            client, losses = clients[gen.client]
            end, notice_at, by_client = end_with_clients(launch, end, notice_at, losses)
        test = gen.qualification
        for key, values in (
            ("launch", launch), ("generator", np.full(n, index)),
            ("requires", np.full(n, pairs[(str(gen.platform), gen.requires)])), ("end", end),
            ("platform", np.full(n, platforms.index(str(gen.platform)))),
            ("notice_at", notice_at),
            ("sparse_at", sparse_at), ("seats", seats), ("pay_per_hour", pay),
            ("supply_h_per_h", supply), ("sparse_supply_h_per_h", supply * factor),
            ("training_h", np.full(n, gen.training.hours if gen.training is not None else 0.0)),
            ("training_paid", training_paid), ("shared", np.full(n, gen.shared_queue)),
            ("client", np.full(n, client)), ("ended_by_client", by_client),
            ("qualification_h", np.full(n, test.hours if test is not None else 0.0)),
            ("qualification_pay", np.full(n, test.pay_per_hour if test and test.paid else 0.0)),
            ("qualification_pass", np.full(n, test.pass_probability if test else 1.0)),
        ):
            parts.setdefault(key, []).append(np.asarray(values))
    if not parts:
        return ProjectTable(**{key: np.zeros(0, dtype=int if key in _INTS else float)
                               for key in _COLUMNS})
    launch_all = np.concatenate(parts["launch"])
    order = np.argsort(launch_all, kind="stable")  # generators in file order at ties
    columns = {key: np.concatenate(values)[order] for key, values in parts.items()}
    return ProjectTable(**columns)
