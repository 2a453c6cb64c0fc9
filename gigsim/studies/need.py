"""Side income or main income: how often a month of an estimate covers what the worker needs.

:func:`need_figures` reads a :class:`Need` off an :class:`~gigsim.studies.estimate.Estimate`
for a monthly need in dollars: the share of months that reach it, for an applicant and for an
onboarded worker, the longest run of months below it, the wait for the first month that reaches
it and the exceedance curve (the share of months with at least $x, against x).
:func:`hours_for_need` runs the same estimate at several weekly hours, with the same seeds
(common random numbers), to find the hours at which the need is reached in half of the months.
docs/model.md, "A worker's estimate", defines every number.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from gigsim.analysis.statistics import share_interval
from gigsim.analysis.survival import Survival, kaplan_meier, pooled_percentiles
from gigsim.errors import GigsimError
from gigsim.scenario.units import HOURS_PER_MONTH, HOURS_PER_WEEK

if TYPE_CHECKING:
    from gigsim.studies.estimate import Estimate, Interval

CURVE_STEPS = 120  # dollar values of the exceedance curve, from $0 to the largest month
# the weekly hours the hours search tries (those up to the maximum), beside the estimate's own
HOURS_GRID: tuple[float, ...] = (10, 20, 40, 60, 80, 120, 168)


def check_need(monthly_need_usd: float) -> None:
    """Refuse a monthly need that is not a finite number of dollars, 0 or more."""
    if not (isinstance(monthly_need_usd, int | float) and not isinstance(monthly_need_usd, bool)
            and math.isfinite(monthly_need_usd) and monthly_need_usd >= 0):
        raise GigsimError(f"--monthly-need: must be a number of dollars, 0 or more,"
                          f" got {monthly_need_usd!r}")


@dataclass(frozen=True)
class HoursPoint:
    """The need's shares at one weekly hours value of the hours search."""

    hours_per_week: float
    applicant_share: Interval
    onboarded_share: Interval


@dataclass(frozen=True)
class HoursSearch:
    """The weekly hours at which the need is reached in half of the months, if any do."""

    monthly_need_usd: float
    max_hours: float
    points: list[HoursPoint]  # in order of hours

    def first_half(self, who: str) -> HoursPoint | None:
        """The fewest hours tried at which ``who``'s share (applicant, onboarded) is ≥ 1/2."""
        for point in self.points:
            if getattr(point, f"{who}_share")[0] >= 0.5:
                return point
        return None

    def before(self, point: HoursPoint) -> HoursPoint | None:
        """The hours value tried just below ``point``, if any."""
        index = self.points.index(point)
        return self.points[index - 1] if index else None


@dataclass(frozen=True)
class Need:
    """How often the months of an estimate reach ``monthly_need_usd``.

    Shares are means over replications of each replication's share, with 95% intervals
    within [0, 1]. "Reaches" is ``income_usd >= monthly_need_usd``.
    """

    monthly_need_usd: float
    # of every applicant's months followed (applicants × months; after failing onboarding or
    # leaving a month earns $0): the share with income ≥ the need, per replication
    applicant_share: Interval
    applicant_months: int  # applicant-months, pooled over replications
    # of the onboarded workers' months on the platform (available_h > 0): the same
    onboarded_share: Interval
    onboarded_months: int  # worker-months on the platform, pooled
    # each onboarded worker's longest run of consecutive months on the platform below the
    # need: P50, P90 pooled over the onboarded of every replication, in months
    longest_below: tuple[float, float]
    onboarded: int
    # the month (1 = the month of applying) of each onboarded worker's first month on the
    # platform that reaches the need; one who never does within the months followed counts
    # as waiting past the end (censored at ``months``), whether they left or stayed
    first_reach: Survival
    never_counts: dict[str, int]  # of the onboarded: reached, left_without, waiting
    exceedance: pd.DataFrame  # usd; onboarded_share/_low/_high; applicant_share/_low/_high
    hours: HoursSearch | None = None  # the hours search (hours_for_need), when asked

    @property
    def never_share(self) -> float:
        """Share of the onboarded with no month reaching the need within the months followed."""
        whole = self.onboarded
        return (self.never_counts["left_without"] + self.never_counts["waiting"]) / whole \
            if whole else math.nan


def _dense(rows: pd.DataFrame, keys: pd.Index, months: int) -> np.ndarray:
    """Income of each (replication, worker) of ``keys`` × month, NaN where ``rows`` has none."""
    out = np.full((len(keys), months), np.nan)
    if len(rows):
        where = keys.get_indexer(pd.MultiIndex.from_frame(rows[["replication", "worker_id"]]))
        month = rows["month"].to_numpy(dtype=int)
        keep = (where >= 0) & (month < months)
        out[where[keep], month[keep]] = rows["income_usd"].to_numpy(dtype=float)[keep]
    return out


def _shares(values: np.ndarray, replication: np.ndarray, reps: int,
            levels: np.ndarray) -> np.ndarray:
    """Per replication (rows) and level (columns), the share of ``values`` ≥ the level."""
    out = np.full((reps, len(levels)), np.nan)
    for r in range(reps):
        mine = np.sort(values[replication == r])
        if len(mine):
            out[r] = 1 - np.searchsorted(mine, levels, side="left") / len(mine)
    return out


def _longest_run(below: np.ndarray) -> np.ndarray:
    """Each row's longest run of consecutive True."""
    run = np.zeros(len(below))
    longest = np.zeros(len(below))
    for column in below.T:
        run = np.where(column, run + 1, 0)
        longest = np.maximum(longest, run)
    return longest


@dataclass(frozen=True)
class NeedData:
    """What a :class:`Need` is read from, for any need: a few arrays, without the tables.

    ``applicant``: every applicant × month followed, $0 where there is no row (failing
    onboarding, leaving); ``platform``: every onboarded worker × month, NaN off the platform
    (``available_h`` 0 or no row). ``*_rep``: each row's replication; ``left``: whether each
    onboarded worker left within the months followed.
    """

    months: int
    replications: int
    applicant: np.ndarray
    applicant_rep: np.ndarray
    platform: np.ndarray
    platform_rep: np.ndarray
    left: np.ndarray


def need_data(est: Estimate) -> NeedData:
    """The :class:`NeedData` of ``est``, read off its tables (``est.results``)."""
    months = est.months
    workers = est.cohort_workers
    every = workers.set_index(["replication", "worker_id"]).index
    onboarded = workers[workers["onboarded_h"].notna()]
    keys = onboarded.set_index(["replication", "worker_id"]).index
    return NeedData(
        months=months, replications=est.replications,
        applicant=np.nan_to_num(_dense(est.results.worker_months, every, months)),
        applicant_rep=workers["replication"].to_numpy(dtype=int),
        platform=_dense(est.cohort_months, keys, months),
        platform_rep=onboarded["replication"].to_numpy(dtype=int),
        left=onboarded["left_h"].to_numpy(dtype=float) < months * HOURS_PER_MONTH)


def need_figures(est: Estimate, monthly_need_usd: float) -> Need:
    """The :class:`Need` of ``est`` for ``monthly_need_usd`` dollars a month."""
    return need_from(need_data(est), monthly_need_usd, est.reference_monthly_usd)


def need_from(data: NeedData, monthly_need_usd: float,
              reference_monthly_usd: float = math.nan) -> Need:
    """The :class:`Need` for ``monthly_need_usd`` from ``data``; the reference month marked."""
    check_need(monthly_need_usd)
    need = float(monthly_need_usd)
    months, reps = data.months, data.replications
    applicant, platform = data.applicant, data.platform
    on = ~np.isnan(platform)
    incomes = platform[on]
    month_rep = np.broadcast_to(data.platform_rep[:, None], platform.shape)[on]

    top = max(float(incomes.max(initial=0.0)), float(applicant.max(initial=0.0)))
    marks = [need] + ([reference_monthly_usd] if math.isfinite(reference_monthly_usd) else [])
    levels = np.unique(np.concatenate([np.linspace(0, max(top, need) * 1.02, CURVE_STEPS),
                                       marks]))
    columns: dict[str, Any] = {"usd": levels}
    for name, values, rep in (("onboarded", incomes, month_rep),
                              ("applicant", applicant.ravel(),
                               np.repeat(data.applicant_rep, months))):
        per_rep = _shares(values, rep, reps, levels)
        bands = [share_interval(per_rep[:, i]) for i in range(len(levels))]
        columns[f"{name}_share"], columns[f"{name}_low"], columns[f"{name}_high"] = (
            np.array(b) for b in zip(*bands, strict=True))
    curve = pd.DataFrame(columns)
    at_need = curve[curve["usd"] == need].iloc[0]

    reached = platform >= need  # False off the platform (NaN ≥ x is False)
    _, p50, p90 = pooled_percentiles(_longest_run(platform < need), (0, 50, 90))
    never = ~reached.any(axis=1)
    first = np.where(never, months, reached.argmax(axis=1) + 1).astype(float)
    return Need(
        monthly_need_usd=need,
        applicant_share=(float(at_need["applicant_share"]), float(at_need["applicant_low"]),
                         float(at_need["applicant_high"])),
        applicant_months=int(applicant.size),
        onboarded_share=(float(at_need["onboarded_share"]), float(at_need["onboarded_low"]),
                         float(at_need["onboarded_high"])),
        onboarded_months=len(incomes),
        longest_below=(p50, p90),
        onboarded=len(platform),
        first_reach=kaplan_meier(first, never),
        never_counts={"reached": int((~never).sum()),
                      "left_without": int((never & data.left).sum()),
                      "waiting": int((never & ~data.left).sum())},
        exceedance=curve,
    )


def hours_values(hours_per_week: float, max_hours: float = HOURS_PER_WEEK,
                 grid: Sequence[float] = HOURS_GRID) -> list[float]:
    """The weekly hours the search tries: ``grid`` up to ``max_hours``, and the estimate's."""
    return sorted({float(h) for h in grid if h <= max_hours} | {float(hours_per_week)})


def hours_for_need(scenario: Any, group: str, monthly_need_usd: float, est: Estimate,
                   max_hours: float = HOURS_PER_WEEK, grid: Sequence[float] = HOURS_GRID,
                   **options: Any) -> HoursSearch:
    """The need's shares at each of :func:`hours_values`, from estimates with ``est``'s seed.

    Every run has the same scenario, market, cohort size, projects at once, months,
    replications and seed as ``est`` (common random numbers): only the weekly hours change.
    ``est`` itself is the point at its own hours. ``options`` go to
    :func:`gigsim.studies.estimate.estimate` (``jobs``, ``progress``).
    """
    from gigsim.studies.estimate import estimate

    check_need(monthly_need_usd)
    points = []
    for hours in hours_values(est.hours_per_week, max_hours, grid):
        run = est if hours == est.hours_per_week else estimate(
            scenario, group, hours, est.months, replications=est.replications, seed=est.seed,
            cohort=est.cohort, market_scale=est.market_scale,
            reference_wage_usd=est.reference_wage_usd, stay=est.stay,
            max_projects=est.max_projects, **options)
        need = need_figures(run, monthly_need_usd)
        points.append(HoursPoint(hours, need.applicant_share, need.onboarded_share))
    return HoursSearch(float(monthly_need_usd), float(max_hours), points)
