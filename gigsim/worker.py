"""The state of one worker during a run of the first engine."""

from __future__ import annotations

import math
from collections import deque
from typing import TYPE_CHECKING

from gigsim.engine.records import Phase
from gigsim.scenario.units import HOURS_PER_WEEK

if TYPE_CHECKING:
    from gigsim.project import Project

INCOME_LOG_LENGTH = 32


class Worker:
    """One worker's state during a replication; mutable, private to the simulation."""

    __slots__ = (
        "available_h_per_h",
        "checking_h_per_h",
        "delay_pending",
        "earned_usd",
        "group",
        "id",
        "income_log",
        "joined_at",
        "left_at",
        "matchable",
        "patience_check_pending",
        "patience_h",
        "phase",
        "pool_key",
        "pool_stamp",
        "project",
        "quality",
        "release_cause",
        "released_at",
        "reserved",
        "skills",
        "spell_start",
    )

    def __init__(self, worker_id: int, group: int, skills: tuple[str, ...],
                 hours_per_week: float, quality: float, checking_hours_per_day: float,
                 patience_h: float, joined_at: float) -> None:
        self.id = worker_id
        self.group = group
        self.skills = skills
        self.available_h_per_h = hours_per_week / HOURS_PER_WEEK
        self.quality = quality
        self.checking_h_per_h = checking_hours_per_day / 24.0
        self.patience_h = patience_h  # leaves after an idle spell this long (inf: never)
        self.patience_check_pending = False
        self.joined_at = joined_at
        self.left_at = math.nan
        self.phase = Phase.ASSESSING
        self.spell_start = joined_at
        self.project: Project | None = None  # the project being worked on
        self.reserved: Project | None = None  # the project reserved during a notice
        self.released_at = math.nan  # open reassignment-latency observation, if any
        self.release_cause = 0
        self.matchable = False  # delay elapsed: may be given a seat
        self.delay_pending = False  # a dispatch delay is running
        self.pool_stamp = 0  # bumped whenever the worker's pool entries become stale
        self.pool_key = 0.0
        self.earned_usd = 0.0
        # income of recent spells as (start, end, usd), for policies that look back in time;
        # made at the first income (many workers never earn)
        self.income_log: deque[tuple[float, float, float]] | None = None

    def add_income(self, start: float, end: float, income_usd: float) -> None:
        """Record income earned evenly over [start, end]."""
        self.earned_usd += income_usd
        log = self.income_log
        if log is None:
            log = self.income_log = deque(maxlen=INCOME_LOG_LENGTH)
        log.append((start, end, income_usd))

    def recent_income_usd(self, window_h: float, now: float) -> float:
        """Income over the ``window_h`` hours before ``now``, the current assignment included.

        Only the last few dozen spells are remembered, which covers any window a policy
        needs in practice (spells last days to weeks).
        """
        since = now - window_h
        spells: list[tuple[float, float, float]] = list(self.income_log or ())
        project = self.project
        if project is not None:
            spells += [(begin, end, income) for _, begin, end, _, income in
                       project.pieces(self.available_h_per_h, self.spell_start, now)]
        total = 0.0
        for begin, end, income in spells:
            if end <= since:
                continue
            # a spell of zero length (income at an instant: a paid assessment without a wait)
            # counts whole; a longer one for its share inside the window
            total += income if end <= begin else income * (end - max(begin, since)) / (end - begin)
        return total

    @property
    def hours_per_week(self) -> float:
        """Weekly availability in hours."""
        return self.available_h_per_h * HOURS_PER_WEEK
