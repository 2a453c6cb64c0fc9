"""Workers' choices of a worker group: a reservation wage reviewed, and coming back.

- ``reservation_wage`` (a distribution, USD per hour, one draw per worker), ``review_every`` and
  ``review_window`` (durations), given together: every ``review_every`` of a stay, a worker
  whose income per hour set aside over the last ``review_window`` fell below their reservation
  wage leaves (docs/model.md §3, "A reservation wage");
- ``return = { probability, after }``: a worker who left from impatience or low earnings comes
  back with that probability after a random time ``after`` (docs/model.md §3, "Coming back").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gigsim.scenario.dists import Distribution
from gigsim.scenario.schema import Section
from gigsim.scenario.units import format_duration

if TYPE_CHECKING:
    from gigsim.scenario.workers import WorkerGroup

RESERVATION_KEYS = ("reservation_wage", "review_every", "review_window")


@dataclass(frozen=True)
class Reservation:
    """A reservation wage (USD per hour set aside), reviewed every ``every_h`` over ``window_h``."""

    wage: Distribution
    every_h: float
    window_h: float

    @classmethod
    def from_group(cls, s: Section) -> Reservation | None:
        """The three keys of a ``[[workers]]`` table, or None when none is given."""
        given = [key for key in RESERVATION_KEYS if s.has(key)]
        if not given:
            return None
        if len(given) < len(RESERVATION_KEYS):
            missing = [key for key in RESERVATION_KEYS if key not in given]
            raise s.error(missing[0], f"a reservation wage needs {', '.join(RESERVATION_KEYS)}"
                                      f" together; {', '.join(given)} given without"
                                      f" {', '.join(missing)}")
        return cls(wage=s.dist("reservation_wage", "number"),
                   every_h=s.duration("review_every", positive=True),
                   window_h=s.duration("review_window", positive=True))


@dataclass(frozen=True)
class Comeback:
    """``return``: with ``probability``, a leaver (impatience, low earnings) is back ``after``."""

    probability: float
    after: Distribution

    @classmethod
    def from_section(cls, s: Section) -> Comeback:
        """Read a ``return`` table: ``probability`` and ``after`` (both required)."""
        out = cls(probability=s.probability("probability"), after=s.dist("after", "duration"))
        s.finish()
        return out


def check_reviews(groups: Sequence[WorkerGroup], horizon_h: float, root: Section) -> None:
    """A review must come within the horizon: ``review_every`` at most the horizon."""
    for group in groups:
        reservation = group.reservation
        if reservation is not None and reservation.every_h > horizon_h:
            raise root.error(f"workers.{group.name}.review_every",
                             f"a review every {format_duration(reservation.every_h)} never"
                             f" comes within the horizon of {format_duration(horizon_h)};"
                             " expected at most the horizon")


__all__ = ["RESERVATION_KEYS", "Comeback", "Reservation", "check_reviews"]
