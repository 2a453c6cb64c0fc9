"""Workers: the scenario's worker groups, and the state of one worker during a run."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING

from gigsim.dists import Constant, Distribution
from gigsim.schema import Section, lowest_value
from gigsim.units import HOURS_PER_WEEK, HOURS_PER_YEAR

if TYPE_CHECKING:
    from gigsim.project import Project

MIN_HOURS_PER_WEEK = 0.1  # draws of weekly availability are kept in [0.1, 168]
INCOME_LOG_LENGTH = 32


@dataclass(frozen=True)
class Assessment:
    """The test an applicant takes before their first project."""

    hours: float
    paid: bool
    pay_per_hour: float
    pass_probability: float
    wait_h: float

    @classmethod
    def from_section(cls, s: Section) -> Assessment:
        """Read an ``assessment`` table."""
        paid = s.boolean("paid", False)
        out = cls(
            hours=s.number("hours", non_negative=True),
            paid=paid,
            pay_per_hour=s.number("pay_per_hour", 0.0, non_negative=True),
            pass_probability=s.probability("pass_probability"),
            wait_h=s.duration("wait", 0),
        )
        if paid and out.pay_per_hour <= 0:
            raise s.error("pay_per_hour", "a paid assessment needs a positive pay_per_hour")
        s.finish()
        return out


@dataclass(frozen=True)
class WorkerGroup:
    """A group of workers sharing skills and distributions of their traits."""

    name: str
    count: int
    arrivals_per_week: float
    skills: tuple[str, ...]
    hours_per_week: Distribution
    checking_hours_per_day: float
    quality: Distribution
    patience: Distribution | None
    leave_rate_per_year: float
    assessment: Assessment | None
    joins_at_h: float = 0.0  # when the ``count`` applicants join (a cohort joining later)

    @classmethod
    def from_section(cls, s: Section) -> WorkerGroup:
        """Read one ``[[workers]]`` table."""
        group = cls(
            name=s.string("name"),
            count=s.count("count", 0),
            arrivals_per_week=s.number("arrivals_per_week", 0.0, non_negative=True),
            skills=s.strings("skills"),
            hours_per_week=s.dist("hours_per_week", "number"),
            checking_hours_per_day=s.number("checking_hours_per_day", 0.0, non_negative=True),
            quality=s.dist("quality", "probability", Constant(0.5)),
            patience=s.optional_dist("patience", "duration"),
            leave_rate_per_year=s.number("leave_rate_per_year", 0.0, non_negative=True),
            assessment=_optional(s, "assessment", Assessment.from_section),
            joins_at_h=s.duration("joins_at", 0),
        )
        if group.count == 0 and group.arrivals_per_week == 0:
            raise s.error("count", "a group needs a positive count or arrivals_per_week")
        if lowest_value(group.hours_per_week) <= 0:
            raise s.error("hours_per_week", "must be positive")
        if group.hours_per_week.mean > HOURS_PER_WEEK:
            raise s.error("hours_per_week", f"must be at most {HOURS_PER_WEEK:g} hours a week")
        if group.checking_hours_per_day > 24:
            raise s.error("checking_hours_per_day", "must be at most 24")
        if group.patience is not None and lowest_value(group.patience) <= 0:
            raise s.error("patience", "must be a positive duration")
        s.finish()
        return group

    @property
    def leave_rate_per_h(self) -> float:
        """The attrition hazard per hour."""
        return self.leave_rate_per_year / HOURS_PER_YEAR


def _optional(s: Section, name: str, reader):  # type: ignore[no-untyped-def]
    sub = s.section(name)
    return None if sub is None else reader(sub)


class Phase(IntEnum):
    """Where a worker is in their life on the platform."""

    ASSESSING = 0
    IDLE = 1
    WORKING = 2
    LEFT = 3


class LeaveCause(IntEnum):
    """Why a worker left the platform (``STILL_HERE`` for those still on it at the end)."""

    STILL_HERE = 0
    FAILED_ASSESSMENT = 1
    IMPATIENCE = 2
    HAZARD = 3


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
