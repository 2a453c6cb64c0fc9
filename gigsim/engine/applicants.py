"""Applicants: every worker of a replication drawn at the start, and their assessment.

Every applicant's traits and draws are known when the run starts, so the assessment spells, and
the whole stay of each applicant who never gets past it (failing it, leaving during it, or
still waiting at the end), are worked out at once as arrays.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from gigsim.engine.records import LeaveCause, SpellKind, spell_rows
from gigsim.randomness import Streams, poisson_times
from gigsim.scenario import Scenario
from gigsim.scenario.units import HOURS_PER_WEEK
from gigsim.scenario.workers import MIN_HOURS_PER_WEEK

_NAN = math.nan
_ASSESSMENT = float(SpellKind.ASSESSMENT)


@dataclass(frozen=True)
class Applicants:
    """Every applicant of a replication, in order of joining (the index is the worker id).

    ``onboarded``, ``left`` and ``cause`` start as the assessment leaves them (NaN, NaN and
    still-here for an applicant onboarded later or still assessing at the end); the run fills
    in ``left`` and ``cause`` for those onboarded who leave.
    """

    joined: np.ndarray
    group: np.ndarray
    hours_per_week: np.ndarray
    quality: np.ndarray
    patience_h: np.ndarray
    hazard_h: np.ndarray  # time from joining to the hazard departure (inf: none)
    onboarded: np.ndarray  # when onboarded (NaN: never)
    left: np.ndarray
    cause: np.ndarray
    assessment_usd: np.ndarray  # paid for the assessment (credited at onboarding)
    minimum_pay: np.ndarray  # the least pay per hour the worker takes a seat for (0: any)


def plan_applicants(scenario: Scenario, streams: Streams, end_h: float
                    ) -> tuple[Applicants, np.ndarray]:
    """Draw every applicant and work out the assessment; returns them and its spell rows.

    An applicant's hazard departure (scheduled from joining) comes first if it falls within
    the assessment's wait; otherwise the result comes at the end of the wait, and failing ends
    the stay. Results at or after ``end_h`` never come: the spell is censored there.
    """
    columns: dict[str, list[np.ndarray]] = {key: [] for key in (
        "joined", "group", "hours", "quality", "patience", "hazard", "passes", "wait",
        "assessed", "assessment_h", "paid", "pay", "floor")}
    for index, group in enumerate(scenario.workers):
        # one stream per attribute: a longer horizon or a new key leaves other draws alone
        def rng(attribute: str, name: str = group.name) -> np.random.Generator:
            return streams.get(f"workers.{name}.{attribute}")

        arrivals = poisson_times(rng("arrivals"), group.arrivals_per_week / HOURS_PER_WEEK,
                                 end_h)
        joined = np.concatenate([np.full(group.count, group.joins_at_h), arrivals])
        n = len(joined)
        assessment = group.assessment
        for key, values in (
            ("joined", joined),
            ("group", np.full(n, index)),
            ("hours", np.clip(group.hours_per_week.sample(rng("hours_per_week"), n),
                              MIN_HOURS_PER_WEEK, HOURS_PER_WEEK)),
            ("quality", np.clip(group.quality.sample(rng("quality"), n), 0.0, 1.0)),
            ("patience", group.patience.sample(rng("patience"), n)
             if group.patience is not None else np.full(n, math.inf)),
            ("hazard", rng("leave").exponential(1.0 / group.leave_rate_per_h, n)
             if group.leave_rate_per_h > 0 else np.full(n, math.inf)),
            ("passes", rng("assessment").random(n) < assessment.pass_probability
             if assessment is not None else np.ones(n, dtype=bool)),
            ("assessed", np.full(n, assessment is not None)),
            ("wait", np.full(n, assessment.wait_h if assessment is not None else 0.0)),
            ("assessment_h", np.full(n, assessment.hours if assessment is not None else 0.0)),
            ("paid", np.full(n, assessment is not None and assessment.paid)),
            ("pay", np.full(n, assessment.pay_per_hour if assessment is not None else 0.0)),
            ("floor", group.minimum_pay_per_hour.sample(rng("minimum_pay_per_hour"), n)
             if group.minimum_pay_per_hour is not None else np.zeros(n)),
        ):
            columns[key].append(np.asarray(values))
    joined_all = np.concatenate(columns["joined"]) if columns["joined"] else np.empty(0)
    order = np.argsort(joined_all, kind="stable")  # groups in file order at equal times
    c = {key: (np.concatenate(parts)[order] if parts else np.empty(0))
         for key, parts in columns.items()}
    joined, wait, hazard = c["joined"], c["wait"], c["hazard"]
    assessed = c["assessed"].astype(bool)
    n = len(joined)
    hazard_first = assessed & (wait > 0) & (hazard <= wait) & (joined + hazard < end_h)
    result_at = joined + wait
    unfinished = assessed & ~hazard_first & (result_at >= end_h)
    finished = assessed & ~hazard_first & ~unfinished
    passes = c["passes"].astype(bool)
    onboard = ~assessed | (finished & passes)
    failed = finished & ~passes

    spell_end = np.where(hazard_first, joined + hazard, np.where(unfinished, end_h, result_at))
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(wait > 0, np.minimum(1.0, (spell_end - joined) / wait), 1.0)
    hours = c["assessment_h"] * share
    paid = np.where(c["paid"].astype(bool), hours, 0.0)
    income = paid * c["pay"]
    rows = spell_rows(
        int(assessed.sum()), worker=np.flatnonzero(assessed), kind=_ASSESSMENT,
        start=joined[assessed], end=spell_end[assessed], project=-1,
        censored=unfinished[assessed], paid_assessment_h=paid[assessed],
        unpaid_assessment_h=(hours - paid)[assessed], income_usd=income[assessed])

    left = np.full(n, _NAN)
    cause = np.full(n, float(LeaveCause.STILL_HERE))
    left[hazard_first] = (joined + hazard)[hazard_first]
    cause[hazard_first] = float(LeaveCause.HAZARD)
    left[failed] = result_at[failed]
    cause[failed] = float(LeaveCause.FAILED_ASSESSMENT)
    applicants = Applicants(
        joined=joined, group=c["group"].astype(float), hours_per_week=c["hours"],
        quality=c["quality"], patience_h=c["patience"], hazard_h=hazard,
        onboarded=np.where(onboard, np.where(assessed, result_at, joined), _NAN),
        left=left, cause=cause, assessment_usd=np.where(onboard & assessed, income, 0.0),
        minimum_pay=np.maximum(c["floor"], 0.0),
    )
    return applicants, rows
