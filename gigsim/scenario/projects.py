"""The scenario's project generators: launches, seats, lifetimes, pay, and how projects end."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gigsim.randomness import poisson_times
from gigsim.scenario.dists import Distribution
from gigsim.scenario.schema import Section, closest, lowest_value
from gigsim.scenario.units import HOURS_PER_WEEK
from gigsim.scenario.workers import paid_test_terms


@dataclass(frozen=True)
class Training:
    """Training at the start of each assignment to a project."""

    hours: float
    paid_probability: float

    @classmethod
    def from_section(cls, s: Section) -> Training:
        """Read a ``training`` table."""
        out = cls(s.number("hours", non_negative=True), s.probability("paid_probability", 0.0))
        s.finish()
        return out


@dataclass(frozen=True)
class Notice:
    """How projects end: with probability ``probability``, announced ``duration_h`` ahead."""

    probability: float
    duration_h: float

    @classmethod
    def from_section(cls, s: Section) -> Notice:
        """Read a ``notice`` table."""
        out = cls(s.probability("probability"), s.duration("duration", positive=True))
        s.finish()
        return out


@dataclass(frozen=True)
class Sparse:
    """The last ``fraction_of_life`` of a project runs at ``supply_factor`` of its task supply."""

    fraction_of_life: float
    supply_factor: float

    @classmethod
    def from_section(cls, s: Section) -> Sparse:
        """Read a ``sparse`` table."""
        out = cls(s.probability("fraction_of_life"), s.probability("supply_factor"))
        s.finish()
        return out


@dataclass(frozen=True)
class Qualification:
    """The test a worker takes at the start of each assignment to a generator's projects."""

    hours: float
    paid: bool
    pay_per_hour: float
    pass_probability: float

    @classmethod
    def from_section(cls, s: Section) -> Qualification:
        """Read a ``qualification`` table."""
        out = cls(s.number("hours", positive=True), *paid_test_terms(s, "qualification"))
        s.finish()
        return out


@dataclass(frozen=True)
class Seasonality:
    """A cyclic, piecewise-constant multiplier of the arrival rate over ``period_h``."""

    period_h: float
    factors: tuple[float, ...]

    @classmethod
    def from_section(cls, s: Section) -> Seasonality:
        """Read a ``seasonality`` table."""
        period = s.duration("period", positive=True)
        raw = s._get("factors", None)
        if (not isinstance(raw, list) or not raw
                or not all(isinstance(f, int | float) and not isinstance(f, bool) and f >= 0
                           for f in raw) or max(raw) <= 0):
            raise s.error("factors",
                          "expected a list of non-negative numbers, one of them positive")
        s.finish()
        return cls(period, tuple(float(f) for f in raw))

    def factor_at(self, t: np.ndarray) -> np.ndarray:
        """The multiplier at times ``t``."""
        phase = np.mod(t, self.period_h) / self.period_h
        index = np.minimum((phase * len(self.factors)).astype(int), len(self.factors) - 1)
        return np.asarray(self.factors)[index]


@dataclass(frozen=True)
class ProjectGenerator:
    """A source of projects: Poisson arrivals and distributions of each project's attributes."""

    name: str
    requires: str
    arrivals_per_week: float
    seasonality: Seasonality | None
    seats: Distribution
    lifetime: Distribution
    pay_per_hour: Distribution
    # task hours a week per seat (each member's own queue), or None with ``task_supply``
    hours_per_week_per_seat: Distribution | None
    training: Training | None
    notice: Notice | None
    sparse: Sparse | None
    # The rate the platform posts, USD/h, for people to read beside the realised pay; the
    # simulation pays ``pay_per_hour`` and never reads it. None when not given.
    advertised_pay_per_hour: float | None = None
    # task hours a week for the whole project, one queue the team shares (docs/model.md §5);
    # None: each seat has its own supply (``hours_per_week_per_seat``)
    task_supply: Distribution | None = None
    qualification: Qualification | None = None
    client: str | None = None  # the name of a ``[[clients]]`` entry; None: no client
    platform: str | None = None  # the platform's name (the scenario fills in the only one)

    @property
    def shared_queue(self) -> bool:
        """Whether the team shares one task queue (``task_supply``)."""
        return self.task_supply is not None

    @classmethod
    def from_section(cls, s: Section) -> ProjectGenerator:
        """Read one ``[[projects]]`` table."""
        gen = cls(
            name=s.string("name"),
            requires=s.string("requires"),
            arrivals_per_week=s.number("arrivals_per_week", positive=True),
            seasonality=s.optional_section("seasonality", Seasonality.from_section),
            seats=s.dist("seats", "count"),
            lifetime=s.dist("lifetime", "duration"),
            pay_per_hour=s.dist("pay_per_hour", "number"),
            hours_per_week_per_seat=_supply(s),
            training=s.optional_section("training", Training.from_section),
            notice=s.optional_section("notice", Notice.from_section),
            sparse=s.optional_section("sparse", Sparse.from_section),
            advertised_pay_per_hour=(s.number("advertised_pay_per_hour", positive=True)
                                     if s.has("advertised_pay_per_hour") else None),
            task_supply=s.optional_dist("task_supply", "number"),
            qualification=s.optional_section("qualification", Qualification.from_section),
            client=s.string("client") if s.has("client") else None,
            platform=s.string("platform") if s.has("platform") else None,
        )
        if gen.seats.mean < 1:
            raise s.error("seats", "a project needs at least one seat on average")
        if lowest_value(gen.lifetime) <= 0 or gen.lifetime.mean <= 0:
            raise s.error("lifetime", "must be a positive duration")
        supply_key = "task_supply" if gen.task_supply is not None else "hours_per_week_per_seat"
        supply = gen.task_supply or gen.hours_per_week_per_seat
        if supply is not None and supply.mean <= 0:
            raise s.error(supply_key, "must be positive")
        s.finish()
        return gen

    @property
    def supply(self) -> Distribution:
        """Task hours a week: per seat, or for the whole project with a shared queue."""
        supply = self.task_supply or self.hours_per_week_per_seat
        assert supply is not None  # from_section requires one of the two
        return supply

    def arrival_times(self, rng: np.random.Generator, thinning_rng: np.random.Generator,
                      until_h: float) -> np.ndarray:
        """Launch times of the projects in [0, until_h).

        With seasonality, candidates arrive at the peak rate and each is kept with probability
        factor / peak (thinning), drawn from ``thinning_rng``.
        """
        rate_per_h = self.arrivals_per_week / HOURS_PER_WEEK
        if self.seasonality is None:
            return poisson_times(rng, rate_per_h, until_h)
        peak = max(self.seasonality.factors)
        times = poisson_times(rng, rate_per_h * peak, until_h)
        keep = thinning_rng.uniform(0.0, peak, len(times)) < self.seasonality.factor_at(times)
        return times[keep]


def _supply(s: Section) -> Distribution | None:
    """``hours_per_week_per_seat``, or None when ``task_supply`` replaces it (one of the two)."""
    if s.has("task_supply"):
        if s.has("hours_per_week_per_seat"):
            raise s.error("task_supply", "give task_supply (the whole project's hours a week,"
                                         " shared by the team) or hours_per_week_per_seat"
                                         " (each seat's own), not both")
        return None
    if not s.has("hours_per_week_per_seat"):
        typo = closest("hours_per_week_per_seat", s.data) or closest("task_supply", s.data)
        if typo is not None:  # a misspelt key is named, as for any other
            wanted = "task_supply" if closest("task_supply", [typo]) else \
                "hours_per_week_per_seat"
            raise s.error(typo, f"unknown key (did you mean `{wanted}`?)")
        raise s.error("hours_per_week_per_seat", "missing required key (or give task_supply,"
                                                 " the whole project's hours a week)")
    return s.dist("hours_per_week_per_seat", "number")
