"""The pay a worker group is offered: the rates its projects post and the rates they pay.

An estimate's "Pay" line reads both (:mod:`gigsim.studies.estimate`); neither is a realised
wage, which comes from the records.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from gigsim.scenario import Scenario


def _generators(scenario: Scenario, group: str) -> list[Any]:
    skills = next(g.skills for g in scenario.workers if g.name == group)
    return [g for g in scenario.projects if g.requires in skills]


def _seat_weighted(gens: list[Any], value: Callable[[Any], float]) -> float:
    if not gens:
        return math.nan
    weights = np.array([g.arrivals_per_week * g.seats.mean for g in gens])
    return float(np.sum(weights * np.array([value(g) for g in gens])) / np.sum(weights))


def projects_pay(scenario: Scenario, group: str) -> float:
    """The mean ``pay_per_hour`` of the generators whose projects ``group`` can take.

    Weighted by each generator's launch rate times its mean seats, the share of seats it
    offers. This is the pay the simulation draws, not an advertised rate.
    """
    return _seat_weighted(_generators(scenario, group), lambda g: g.pay_per_hour.mean)


def advertised_pay(scenario: Scenario, group: str) -> float:
    """The advertised rate (``advertised_pay_per_hour``) of the generators ``group`` can take.

    Seat-weighted over the generators that give one; NaN when none does.
    """
    gens = [g for g in _generators(scenario, group) if g.advertised_pay_per_hour is not None]
    return _seat_weighted(gens, lambda g: g.advertised_pay_per_hour)
