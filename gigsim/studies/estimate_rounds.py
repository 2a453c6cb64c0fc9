"""An estimate's replications chosen by precision: rounds until the verdict's figures are narrow.

``gigsim estimate`` (and :func:`gigsim.studies.estimate.estimate` without ``replications``)
runs ``gigsim run --precision``'s rule (:mod:`gigsim.studies.precision`) on the two figures its
verdict leads with, :data:`HEADLINES`: rounds of 5 replications, at least 2, replication ``k`` on
seed stream ``k``, until each figure's 95% interval, as the verdict prints it, has a half-width
within the precision of its mean (default 10%, :data:`DEFAULT_PRECISION`), or the maximum
count has run, or the **time budget** is spent (default 60 s of wall time,
:data:`DEFAULT_TIME_BUDGET_S`).

The budget is the one part that depends on the machine: it is checked only between rounds,
after the minimum of rounds, and stops before a round that would, at the pace of the last one,
end past it. A precision met or the maximum reached gives the same count, and every number,
whatever ``--jobs``; a stop on time says so, and ``-r N`` with the count it printed repeats
the same numbers anywhere (replication ``k`` is the same run whichever way ``k`` was reached).
docs/model.md, "A worker's estimate", gives the rule.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from gigsim.analysis.results import Results
from gigsim.errors import GigsimError
from gigsim.scenario import Scenario
from gigsim.scenario.units import HOURS_PER_MONTH, HOURS_PER_WEEK
from gigsim.studies.cohort import default_sizes, find_group, market_scenario
from gigsim.studies.precision import (
    STOPPED_MAX,
    STOPPED_MET,
    Decision,
    MetricCheck,
    PrecisionGoal,
    check_metric,
    needed,
    next_round,
    stops,
)
from gigsim.studies.runner import (
    Progress,
    pilot_warmups,
    process_pool,
    run_indices,
    stop_if_reimported,
)
from gigsim.studies.sizing import check_size
from gigsim.studies.warmup import WarmupChoice, with_warmup

# The verdict's leading figures, as the precision targets: what an applicant can expect a month
# (its hourly form is the same figure over a constant, so the same relative precision), and the
# income per hour set aside once onboarded, the figure to hold against a job's wage.
HEADLINES = {
    "income_per_applicant_month_usd": "what an applicant can expect a month",
    "income_per_hour_set_aside_usd": "income per hour set aside once onboarded",
}
# ±10% of the mean: $79 ± $8 a month on the bundled generalist profile at 10 h a week. Narrower
# says nothing more to someone weighing the work against a job (the scenario's calibration is
# less certain than that); wider, and the verdict's comparison with a job can turn on noise.
DEFAULT_PRECISION = 0.10
DEFAULT_TIME_BUDGET_S = 60.0
STOPPED_TIME = "time budget reached"


@dataclass(frozen=True)
class EstimateGoal(PrecisionGoal):
    """The precision rule of an estimate: its headline figures, and a time budget (None: none)."""

    metrics: tuple[str, ...] = tuple(HEADLINES)
    time_budget_s: float | None = DEFAULT_TIME_BUDGET_S
    known_metrics: ClassVar[Mapping[str, str]] = HEADLINES

    def __post_init__(self) -> None:
        super().__post_init__()
        check_time_budget(self.time_budget_s)

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready form."""
        return {**super().to_dict(), "time_budget_s": self.time_budget_s}


def check_time_budget(seconds: float | None, option: str = "time budget") -> float | None:
    """Refuse a budget that is not a positive number of seconds (None: no budget)."""
    if seconds is None:
        return None
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not (
            math.isfinite(seconds) and seconds > 0):
        raise GigsimError(f"{option}: expected a number of seconds above 0 (e.g. 60), or none,"
                          f" got {seconds!r}")
    return float(seconds)


def parse_time_budget(text: str, option: str = "--time-budget") -> float | None:
    """``60``, ``60s``, ``2m`` as seconds; ``none`` for no budget; anything else is refused."""
    raw = text.strip().lower()
    if raw == "none":
        return None
    scale = 60.0 if raw.endswith("m") else 1.0
    try:
        value = float(raw.removesuffix("m").removesuffix("s")) * scale
    except ValueError:
        raise GigsimError(f"{option}: expected seconds such as 60, 60s or 2m, or none,"
                          f" got {text!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise GigsimError(f"{option}: expected a time above 0 (e.g. 60s), or none, got {text}")
    return value


@dataclass(frozen=True)
class EstimateDecision(Decision):
    """How many replications an estimate ran and why it stopped there (met, maximum, time)."""

    timed_out: bool = False  # stopped by the time budget, neither met nor at the maximum

    @property
    def stopped(self) -> str:
        """:data:`STOPPED_MET`, :data:`STOPPED_TIME` or :data:`STOPPED_MAX`."""
        if self.met:
            return STOPPED_MET
        return STOPPED_TIME if self.timed_out else STOPPED_MAX

    @property
    def estimate_goal(self) -> EstimateGoal:
        """The goal, with its time budget."""
        assert isinstance(self.goal, EstimateGoal)
        return self.goal

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready form: the goal, the count, why it stopped and each target."""
        return {**super().to_dict(),
                "rule": "rounds of a fixed size, at least min_rounds, until both headline"
                        " figures' 95% half-widths are within precision of their means, or"
                        " max_replications, or the time budget between rounds"
                        " (docs/model.md, A worker's estimate)",
                "repeat_with": f"-r {self.replications}"}


def headline_rates(results: Results, cohort_group: str, hours_per_week: float, months: int,
                   replications: Sequence[int]) -> tuple[list[float], list[float]]:
    """Per replication of ``replications`` (NaN where it has none): the two hourly rates.

    Every applicant's income over the months followed ÷ (applicants × weekly hours × weeks
    followed), and the onboarded's income ÷ (weekly hours × their weeks from applying to
    leaving or the end): docs/model.md, "A worker's estimate", defines both.
    """
    follow_h = months * HOURS_PER_MONTH
    workers = results.workers
    applicants = workers[workers["group"] == cohort_group]
    onboarded = applicants[applicants["onboarded_h"].notna()]
    months_table = results.worker_months
    keys = pd.MultiIndex.from_frame(months_table[["replication", "worker_id"]])
    of_applicants = months_table[keys.isin(
        pd.MultiIndex.from_frame(applicants[["replication", "worker_id"]]))]
    applicant_income = of_applicants.groupby("replication")["income_usd"].sum()
    applicant_count = applicants.groupby("replication").size()
    per_applicant_hour = [
        float(applicant_income.get(r, 0.0))
        / (applicant_count[r] * hours_per_week * follow_h / HOURS_PER_WEEK)
        if applicant_count.get(r, 0) else math.nan for r in replications]

    by_worker = onboarded.set_index(["replication", "worker_id"])
    start = by_worker["joined_h"].to_numpy(dtype=float)
    end_at = np.minimum(by_worker["left_h"].fillna(follow_h).to_numpy(dtype=float), follow_h)
    time_on = pd.Series(end_at - start, index=by_worker.index).groupby(level="replication").sum()
    income = months_table[keys.isin(by_worker.index)].groupby("replication")["income_usd"].sum()
    per_hour = [(float(income.get(r, 0.0)) / (time_on[r] / HOURS_PER_WEEK * hours_per_week))
                if time_on.get(r, 0) > 0 else math.nan for r in replications]
    return per_applicant_hour, per_hour


def headline_values(results: Results, cohort_group: str, hours_per_week: float, months: int,
                    replications: Sequence[int]) -> dict[str, list[float]]:
    """Each of :data:`HEADLINES` per replication: :func:`headline_rates`, the first a month.

    What an applicant can expect a month is the hourly rate × the hours set aside a month.
    """
    per_applicant_hour, per_hour = headline_rates(results, cohort_group, hours_per_week,
                                                  months, replications)
    per_month = hours_per_week * HOURS_PER_MONTH / HOURS_PER_WEEK
    return {"income_per_applicant_month_usd": [v * per_month for v in per_applicant_hour],
            "income_per_hour_set_aside_usd": per_hour}


def simulate_by_precision(run: Scenario, cohort_group: str, hours_per_week: float, months: int,
                          goal: EstimateGoal, seed: int | None, jobs: int,
                          progress: Progress | None) -> tuple[Results, EstimateDecision]:
    """Run the cohort scenario ``run`` in rounds until ``goal`` stops it; results and decision.

    ``seed`` defaults to the scenario's; ``jobs`` processes (0: one per core) serve every
    round from one pool, and the records are the same whatever their number.
    """
    stop_if_reimported()
    seed = run.simulation.seed if seed is None else seed
    for name, value in (("seed", seed), ("jobs", jobs)):  # as simulate() refuses them
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise GigsimError(f"{name} must be a whole number of at least 0, got {value!r}")
    requested_jobs = jobs
    jobs = jobs or (os.cpu_count() or 1)
    check_size(run, goal.round_size * goal.min_rounds)
    records: list[Any] = []
    values: dict[str, list[float]] = {name: [] for name in goal.metrics}
    started = time.perf_counter()
    done = rounds = 0
    timed_out = False
    with process_pool(jobs) as pool:
        while True:
            indices = next_round(goal, done)
            round_started = time.perf_counter()
            check_size(run, indices.stop)
            new = run_indices(run, seed, indices, jobs, requested_jobs, progress, pool)
            records.extend(new)
            found = headline_values(Results(run, seed, new, {}), cohort_group, hours_per_week,
                                    months, [r.replication for r in new])
            for name in goal.metrics:
                values[name].extend(found[name])
            done, rounds = indices.stop, rounds + 1
            checks = tuple(check_metric(name, values[name], goal.precision)
                           for name in goal.metrics)
            if stops(goal, rounds, done, checks):
                break
            now = time.perf_counter()
            if (goal.time_budget_s is not None and rounds >= goal.min_rounds
                    and (now - started) + (now - round_started) > goal.time_budget_s):
                timed_out = True
                break
    elapsed = time.perf_counter() - started
    results = Results(run, seed, records, {"simulate_s": elapsed, "jobs": float(jobs)})
    return results, EstimateDecision(goal, done, rounds, checks, timed_out)


def _plus_minus(check: MetricCheck, asked: float | None = None) -> str:
    """``±9.9% of its mean``; a figure short of ``asked`` never reads as the target itself."""
    if math.isnan(check.half_width):
        return "no interval"
    digits = 1
    while (asked is not None and not check.met and digits < 4
           and round(100 * check.achieved, digits) <= round(100 * asked, digits)):
        digits += 1
    return f"±{100 * check.achieved:.{digits}f}% of its mean"


def headline_widths(checks: Sequence[MetricCheck]) -> str:
    """Each headline figure's half-width: ``what an applicant can expect a month ±9.9% of …``."""
    return "; ".join(f"{HEADLINES[c.metric]} {_plus_minus(c)}" for c in checks)


def precision_phrase(count: int, decision: EstimateDecision | None,
                     checks: Sequence[MetricCheck], for_page: bool = False) -> str:
    """What stands behind the verdict's intervals, in the words of ``gigsim run``'s summary.

    ``decision`` is None when the count was fixed (``-r``; the app); ``checks`` are then the
    headline figures' intervals on that count, said as they came out. ``for_page`` says in
    words what the terminal names by option (``--time-budget``, ``-r N``).
    """
    head = f"{count} replication(s)"
    figures = headline_widths(checks)
    if decision is None:
        return f"{head} (a fixed count; no precision asked): {figures}"
    goal = decision.estimate_goal
    asked = f"chosen by precision {100 * goal.precision:g}%"
    if decision.met:
        return f"{head}, {asked}: met for both headline figures ({figures})"
    short = [c for c in decision.checks if not c.met]
    gaps = "; ".join(
        f"{HEADLINES[c.metric]} {_plus_minus(c, goal.precision)}, about"
        f" {needed(c, goal.precision)}"
        " replications would do" for c in short)
    if decision.stopped == STOPPED_TIME:
        budget, again = ((f"{goal.time_budget_s:g} s", f"the same {count} replications repeat")
                         if for_page else
                         (f"{goal.time_budget_s:g} s (--time-budget)", f"-r {count} repeats"))
        why = (f"stopped at the time budget, {budget}, so another machine or number of"
               f" processes may stop elsewhere; {again} these numbers")
    else:
        option = "" if for_page else " (--max-replications)"
        why = f"stopped at the maximum, {goal.max_replications}{option}"
    return f"{head}, {asked}: not met for {gaps}; {why}"


def market_warmup(scenario: Scenario, group: str, market_scale: float | None,
                  seed: int | None = None, jobs: int = 1
                  ) -> tuple[Scenario, WarmupChoice | None]:
    """Choose an estimate's ``warmup = "auto"``: the pilot on the market the cohort joins.

    The pilot runs :func:`market_scenario` over the scenario's own horizon (as ``gigsim run``
    would), at ``market_scale`` or, when None, at the scale :func:`default_sizes` gives for a
    warm-up of one horizon, the longest the pilot can choose (the default scale depends on the
    warm-up). Returns ``scenario`` with the warm-up chosen, and the choice: the estimate then
    sizes its market as for a warm-up given as that duration. Without ``"auto"``: ``scenario``
    and None. ``seed`` defaults to the scenario's.
    """
    if not scenario.simulation.warmup_auto:
        return scenario, None
    find_group(scenario, group)
    horizon = f"{scenario.simulation.horizon_h!r}h"
    if market_scale is None:
        market_scale = default_sizes(
            scenario.with_overrides({"simulation.warmup": horizon}), group)[0]
    market = market_scenario(scenario, 1, market_scale).with_overrides(
        {"simulation.horizon": horizon})
    choice = pilot_warmups({"market": market}, scenario.simulation.seed if seed is None
                           else seed, jobs)["market"]
    return with_warmup(scenario, choice.weeks), choice
