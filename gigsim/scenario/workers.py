"""The scenario's worker groups: how many, when they join, their skills and traits."""

from __future__ import annotations

from dataclasses import dataclass

from gigsim.scenario.choices import Comeback, Reservation
from gigsim.scenario.dists import Constant, Distribution
from gigsim.scenario.schema import Section, lowest_value
from gigsim.scenario.units import HOURS_PER_WEEK, HOURS_PER_YEAR

MIN_HOURS_PER_WEEK = 0.1  # draws of weekly availability are kept in [0.1, 168]


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
        hours = s.number("hours", non_negative=True)
        paid, pay_per_hour, pass_probability = paid_test_terms(s, "assessment")
        out = cls(hours, paid, pay_per_hour, pass_probability, wait_h=s.duration("wait", 0))
        s.finish()
        return out


def paid_test_terms(s: Section, what: str) -> tuple[bool, float, float]:
    """A test's ``paid``, ``pay_per_hour`` and ``pass_probability``; a paid one needs a pay.

    Read alike for an assessment and a project's qualification (``what`` names it).
    """
    paid = s.boolean("paid", False)
    pay_per_hour = s.number("pay_per_hour", 0.0, non_negative=True)
    pass_probability = s.probability("pass_probability")
    if paid and pay_per_hour <= 0:
        raise s.error("pay_per_hour", f"a paid {what} needs a positive pay_per_hour")
    return paid, pay_per_hour, pass_probability


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
    max_projects: int = 1  # the most projects a worker holds at once
    # the least pay per hour a worker takes a seat for (one draw per worker; None: any)
    minimum_pay_per_hour: Distribution | None = None
    reservation: Reservation | None = None  # a reservation wage, reviewed (None: never)
    comeback: Comeback | None = None  # ``return``: leavers may come back (None: never)
    # the platforms joined (None: every one) and each one's assessment (docs/model.md §5)
    platforms: tuple[str, ...] | None = None
    assessments: tuple[tuple[str, Assessment], ...] = ()

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
            assessment=s.optional_section("assessment", Assessment.from_section),
            joins_at_h=s.duration("joins_at", 0),
            max_projects=s.count("max_projects", 1, positive=True, maximum=64),
            minimum_pay_per_hour=s.optional_dist("minimum_pay_per_hour", "number"),
            reservation=Reservation.from_group(s),
            comeback=s.optional_section("return", Comeback.from_section),
            platforms=s.strings("platforms") if s.has("platforms") else None,
            assessments=_assessments(s),
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

    def assessment_on(self, platform: str) -> Assessment | None:
        """The assessment of ``platform`` (the scenario resolves ``assessment`` into these)."""
        return dict(self.assessments).get(platform)

    @property
    def leave_rate_per_h(self) -> float:
        """The attrition hazard per hour."""
        return self.leave_rate_per_year / HOURS_PER_YEAR


def _assessments(s: Section) -> tuple[tuple[str, Assessment], ...]:
    """``assessments.<platform>``: one assessment table per platform named."""
    section = s.section("assessments")
    if section is None:
        return ()
    out = tuple((name, Assessment.from_section(sub)) for name in section.data
                if (sub := section.section(name)) is not None)
    section.finish()
    return out
