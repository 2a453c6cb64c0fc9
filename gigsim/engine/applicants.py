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
from gigsim.scenario.pay import DEFAULT_PLATFORM
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
    # (applicant, platform): when onboarded on each of the scenario's platforms (NaN: never),
    # and what its assessment paid (credited at that onboarding)
    platform_onboarded: np.ndarray
    platform_assessment_usd: np.ndarray


def plan_applicants(scenario: Scenario, streams: Streams, end_h: float
                    ) -> tuple[Applicants, np.ndarray]:
    """Draw every applicant and work out the assessment; returns them and its spell rows.

    An applicant's hazard departure (scheduled from joining) comes first if it falls within
    the assessment's wait; otherwise the result comes at the end of the wait, and failing ends
    the stay. Results at or after ``end_h`` never come: the spell is censored there.
    """
    platforms = [p.name for p in scenario.platforms]
    n_platforms = len(platforms)
    columns: dict[str, list[np.ndarray]] = {key: [] for key in (
        "joined", "group", "hours", "quality", "patience", "hazard", "passes", "wait",
        "assessed", "assessment_h", "paid", "pay", "floor", "joins")}
    for index, group in enumerate(scenario.workers):
        # one stream per attribute: a longer horizon or a new key leaves other draws alone
        def rng(attribute: str, name: str = group.name) -> np.random.Generator:
            return streams.get(f"workers.{name}.{attribute}")

        arrivals = poisson_times(rng("arrivals"), group.arrivals_per_week / HOURS_PER_WEEK,
                                 end_h)
        joined = np.concatenate([np.full(group.count, group.joins_at_h), arrivals])
        n = len(joined)
        # per platform (columns in the scenario's order): joined, and its assessment's terms
        per: dict[str, np.ndarray] = {
            "joins": np.zeros((n, n_platforms), dtype=bool),
            "passes": np.ones((n, n_platforms), dtype=bool),
            "assessed": np.zeros((n, n_platforms), dtype=bool),
            **{key: np.zeros((n, n_platforms)) for key in ("wait", "assessment_h", "pay")},
            "paid": np.zeros((n, n_platforms), dtype=bool)}
        for name in group.platforms or platforms:
            k = platforms.index(name)
            assessment = group.assessment_on(name)
            per["joins"][:, k] = True
            if assessment is None:
                continue
            # the default platform's draws are those of a scenario without [[platforms]]
            stream = "assessment" if name == DEFAULT_PLATFORM else f"assessment.{name}"
            per["passes"][:, k] = rng(stream).random(n) < assessment.pass_probability
            per["assessed"][:, k] = True
            per["wait"][:, k] = assessment.wait_h
            per["assessment_h"][:, k] = assessment.hours
            per["paid"][:, k] = assessment.paid
            per["pay"][:, k] = assessment.pay_per_hour
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
            *per.items(),
            ("floor", group.minimum_pay_per_hour.sample(rng("minimum_pay_per_hour"), n)
             if group.minimum_pay_per_hour is not None else np.zeros(n)),
        ):
            columns[key].append(np.asarray(values))
    joined_all = np.concatenate(columns["joined"]) if columns["joined"] else np.empty(0)
    order = np.argsort(joined_all, kind="stable")  # groups in file order at equal times
    c = {key: (np.concatenate(parts)[order] if parts else np.empty((0, n_platforms)))
         for key, parts in columns.items()}
    joined, hazard = c["joined"].reshape(-1), c["hazard"].reshape(-1)
    wait = c["wait"]
    assessed, joins = c["assessed"].astype(bool), c["joins"].astype(bool)
    n = len(joined)
    at = joined[:, None]
    hazard_first = assessed & (wait > 0) & (hazard[:, None] <= wait) \
        & (joined + hazard < end_h)[:, None]
    result_at = at + wait
    unfinished = assessed & ~hazard_first & (result_at >= end_h)
    finished = assessed & ~hazard_first & ~unfinished
    passes = c["passes"].astype(bool)
    onboard = joins & (~assessed | (finished & passes))
    failed = finished & ~passes

    spell_end = np.where(hazard_first, at + hazard[:, None],
                         np.where(unfinished, end_h, result_at))
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(wait > 0, np.minimum(1.0, (spell_end - at) / wait), 1.0)
    hours = c["assessment_h"] * share
    paid = np.where(c["paid"].astype(bool), hours, 0.0)
    income = paid * c["pay"]
    blocks = [spell_rows(
        int(mine.sum()), worker=np.flatnonzero(mine), kind=_ASSESSMENT,
        start=joined[mine], end=spell_end[mine, k], project=-1,
        censored=unfinished[mine, k], paid_assessment_h=paid[mine, k],
        unpaid_assessment_h=(hours - paid)[mine, k], income_usd=income[mine, k], platform=k)
        for k in range(n_platforms) if (mine := assessed[:, k]).any() or k == 0]
    rows = blocks[0] if len(blocks) == 1 else np.concatenate(blocks)

    on_platform = np.where(onboard, np.where(assessed, result_at, at), _NAN)
    any_on = onboard.any(axis=1)
    all_failed = ~any_on & (failed == joins).all(axis=1)
    left_by_hazard = ~any_on & ~all_failed & hazard_first.any(axis=1)
    left = np.full(n, _NAN)
    cause = np.full(n, float(LeaveCause.STILL_HERE))
    left[left_by_hazard] = (joined + hazard)[left_by_hazard]
    cause[left_by_hazard] = float(LeaveCause.HAZARD)
    left[all_failed] = np.where(failed, result_at, -np.inf).max(axis=1)[all_failed]
    cause[all_failed] = float(LeaveCause.FAILED_ASSESSMENT)
    first = np.full(n, _NAN)
    first[any_on] = np.nanmin(on_platform[any_on], axis=1)
    platform_usd = np.where(onboard & assessed, income, 0.0)
    applicants = Applicants(
        joined=joined, group=c["group"].astype(float), hours_per_week=c["hours"],
        quality=c["quality"], patience_h=c["patience"], hazard_h=hazard,
        onboarded=first, left=left, cause=cause, assessment_usd=platform_usd.sum(axis=1),
        minimum_pay=np.maximum(c["floor"], 0.0), platform_onboarded=on_platform,
        platform_assessment_usd=platform_usd,
    )
    return applicants, rows
