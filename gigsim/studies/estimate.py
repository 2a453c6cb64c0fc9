"""What a worker who applies today can expect: a cohort followed from the day it applies.

:func:`estimate` (or :func:`estimate_profile` for a bundled profile) adds a small cohort of
applicants to a scenario (:mod:`gigsim.studies.cohort`), everyone with the same weekly hours, all
applying at the end of the warm-up into a market that has settled, follows them for the months
asked, and returns an :class:`Estimate`: the monthly table with 95% intervals, the drought curve and
the numbers the verdict is made of. Its words, and everything as JSON-ready data, are
presentation's (:mod:`gigsim.presentation.verdict`)::

    from gigsim.presentation.verdict import estimate_dict, verdict_text
    from gigsim.studies.estimate import estimate_profile
    est = estimate_profile("specialist", hours_per_week=10, months=12,
                           reference_wage_usd=15, replications=16, seed=1)
    print(verdict_text(est))                # the lines at the top of `gigsim estimate`
    est.income_per_applicant_month         # (mean, ci_low, ci_high): what an applicant can
                                            #   expect a month, failing onboarding included
    est.income_per_hour_set_aside          # the same per hour set aside, once onboarded
    est.monthly                             # one row per month, with intervals
    est.drought.median                      # hours; estimate_dict(est)["drought_curve"] to plot

Without ``replications``, the count is chosen by precision on the verdict's two leading figures,
within a time budget (:mod:`gigsim.studies.estimate_rounds`; :attr:`Estimate.choice`).
By default the cohort behaves like the group it is cloned from (patience and leave hazard), so
that it describes the same people as ``gigsim run``; ``stay=True`` follows applicants who never
quit. See docs/model.md, "A worker's estimate", for every definition.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from gigsim.analysis.results import Results
from gigsim.analysis.statistics import (
    nonnegative_interval,
    paid_hours,
    replications_warning,
    share_interval,
)
from gigsim.analysis.survival import (
    Survival,
    idle_spells,
    kaplan_meier,
    longest_idle_spells,
    pooled_percentiles,
)
from gigsim.errors import GigsimError
from gigsim.scenario import Scenario
from gigsim.scenario.units import HOURS_PER_MONTH, HOURS_PER_WEEK
from gigsim.studies.cohort import (  # re-exported: the estimate's public names
    MAX_MONTHS,
    MAX_PROJECTS,
    PROFILES,
    bundled_scenarios_dir,
    check_inputs,
    check_projects,
    check_reference_wage,
    cohort_scenario,
    default_sizes,
    load_profile,
    market_scenario,
)
from gigsim.studies.estimate_pay import MoneyArriving, money_arriving
from gigsim.studies.estimate_rounds import (
    DEFAULT_PRECISION,
    DEFAULT_TIME_BUDGET_S,
    HEADLINES,
    EstimateDecision,
    EstimateGoal,
    headline_rates,
    market_warmup,
    simulate_by_precision,
)
from gigsim.studies.estimate_tables import (
    market_figures,
    onboarded_keys,
    per_replication,
    period_table,
    rows_of,
    worker_keys,
    zero_share,
)
from gigsim.studies.need import Need, check_need, need_figures
from gigsim.studies.offered_pay import advertised_pay, projects_pay
from gigsim.studies.precision import DEFAULT_MAX_REPLICATIONS, MetricCheck
from gigsim.studies.runner import Progress, simulate
from gigsim.studies.warmup import WarmupChoice

__all__ = ["DEFAULT_MAX_REPLICATIONS", "DEFAULT_PRECISION", "DEFAULT_TIME_BUDGET_S",
           "MAX_MONTHS", "MAX_PROJECTS", "PROFILES", "Estimate", "advertised_pay",
           "bundled_scenarios_dir",
           "check_inputs", "check_projects", "check_reference_wage", "cohort_scenario",
           "default_sizes", "estimate", "estimate_profile", "load_profile", "market_scenario"]

DEFAULT_REFERENCE_WAGE_USD = 15.0
WEEKS_PER_MONTH = HOURS_PER_MONTH / HOURS_PER_WEEK  # 4.348: a month is 730.5 h

Interval = tuple[float, float, float]  # mean over replications, 95% low, high


@dataclass(frozen=True)
class Estimate:
    """What a cohort of applicants met in their first months, as numbers and tables.

    Intervals are ``(mean, ci_low, ci_high)``: the mean over replications of a per-replication
    value, with a 95% interval bounded by what is possible (shares in [0, 1], money ≥ 0; see
    :mod:`gigsim.analysis.statistics`). Percentiles (``income_percentiles`` and the ``p*_usd``
    columns) are **pooled** over every worker-month of every replication. The onboarding
    fields and ``income_per_applicant_hour`` are about every applicant, onboarded or not;
    everything from ``leavers`` on is about the applicants who passed onboarding (``W``), over
    the months they were on the platform.
    """

    group: str
    scenario: Scenario  # as run: with the cohort, the market scaling and the horizon
    cohort_group: str
    hours_per_week: float
    months: int
    replications: int
    seed: int
    cohort: int
    market_scale: float
    stay: bool  # the cohort never quits (``--stay``); else it behaves like the group
    reference_wage_usd: float  # 0 hides the comparison
    applicants: int
    onboarded: int
    pass_share: Interval  # applicants onboarded within the months followed
    fail_share: Interval  # applicants who failed the assessment
    failed_applicants: int  # how many failed it, in all replications
    failed_unpaid_h: float  # unpaid hours per applicant who failed onboarding (pooled mean)
    failed_income_usd: float  # income per applicant who failed (a paid assessment; pooled mean)
    # every applicant's income over the months followed ÷ (applicants × weekly hours × weeks
    # followed): failing onboarding and leaving count as $0 from then on; per replication
    income_per_applicant_hour: Interval
    leavers: dict[str, int]  # of the onboarded: still_here, impatience, hazard (within months)
    # hours from applying to the first paid hour; who left without one counts as never paid
    first_pay: Survival
    first_pay_restricted_mean_h: float  # mean of min(wait, months): the area under first_pay
    paid_within_share: Interval  # share of W paid within the months followed, per replication
    # of W, pooled: paid within the months, left without a paid hour, still waiting at the end
    first_pay_counts: dict[str, int]
    monthly: pd.DataFrame  # month (1 = first), p10/p50/p90/mean with intervals, zero share
    quarterly: pd.DataFrame  # the same, pooled three months at a time
    income_percentiles: tuple[float, float, float]  # P10/P50/P90 over every month, pooled
    # income ÷ the months from applying to leaving or the end, per replication
    income_per_month_followed: Interval
    income_per_hour_set_aside: Interval  # income / (weekly hours × weeks on the platform)
    zero_month_share: Interval  # share of worker-months with no income, per replication
    any_zero_month: Interval  # share of workers with at least one month without income
    drought: Survival  # the length of every idle spell of the cohort's workers
    longest_drought_h: tuple[float, float]  # P50, P90 over workers of their longest, in window
    longest_drought_running: float  # share of W whose longest was still running at the end
    longest_drought_left: float  # share of W whose longest ended with their leaving
    advertised_pay_usd: float  # the posted rate (advertised_pay_per_hour); NaN when none
    projects_pay_usd: float  # the mean pay_per_hour of the projects the group can take
    paid_wage_usd: Interval  # realised: income per paid hour
    effective_wage_usd: Interval  # wage per hour worked, paid or unpaid
    market: dict[str, Any]  # the group's months in the same simulation: every tenure, own hours
    results: Results = field(repr=False)
    elapsed_s: float = math.nan
    need: Need | None = None  # how often a month reaches ``--monthly-need`` (studies.need)
    # how the replications were chosen by precision (studies.estimate_rounds); None: given
    choice: EstimateDecision | None = None
    warmup_choice: WarmupChoice | None = None  # with warmup = "auto": how it was chosen
    money: MoneyArriving | None = None  # with [pay]: when the money arrives (estimate_pay)

    @property
    def hours_set_aside_per_month(self) -> float:
        """The hours a month the worker makes available: weekly hours × 4.348 weeks."""
        return self.hours_per_week * WEEKS_PER_MONTH

    @property
    def income_per_applicant_month(self) -> Interval:
        """What an applicant can expect a month: :attr:`income_per_applicant_hour` × hours a month.

        Every applicant's income over the months followed ÷ (applicants × months followed).
        """
        scale = self.hours_set_aside_per_month
        mean, low, high = self.income_per_applicant_hour
        return mean * scale, low * scale, high * scale

    @property
    def headline_checks(self) -> tuple[MetricCheck, ...]:
        """The verdict's headline figures' intervals, each with its half-width.

        The precision rule's own checks when it chose the count; else the intervals of the
        count given, held to :data:`DEFAULT_PRECISION` only as a gauge.
        """
        if self.choice is not None:
            return self.choice.checks
        precision = DEFAULT_PRECISION
        figures = zip(HEADLINES, (self.income_per_applicant_month, self.income_per_hour_set_aside),
                      strict=True)
        return tuple(MetricCheck(name, self.replications, mean, low, high,
                                 precision * abs(mean), True)
                     for name, (mean, low, high) in figures)

    @property
    def max_projects(self) -> int:
        """The most projects each of the cohort holds at once (``--projects``; 1 by default)."""
        return int(next(g.max_projects for g in self.scenario.workers
                        if g.name == self.cohort_group))

    @property
    def assessment(self) -> Any:
        """The cohort's assessment (:class:`gigsim.scenario.workers.Assessment`), or None.

        With several platforms, the first platform's that has one (failing means failing all).
        """
        found = next(g for g in self.scenario.workers if g.name == self.cohort_group)
        return found.assessment or next((test for _, test in found.assessments), None)

    @property
    def reference_monthly_usd(self) -> float:
        """What the reference job pays for the same hours in a month (NaN when hidden)."""
        if self.reference_wage_usd <= 0:
            return math.nan
        return self.reference_wage_usd * self.hours_set_aside_per_month

    @property
    def periods(self) -> tuple[pd.DataFrame, str]:
        """The rows to show and what they are: months, or quarters where months are noise.

        Months are pooled to quarters when the interval of any month's mean income is wider
        than the mean itself; a note says which and why.
        """
        width = self.monthly["mean_ci_high_usd"] - self.monthly["mean_ci_low_usd"]
        noisy = bool((width > self.monthly["mean_usd"]).any()) and self.months >= 3
        if noisy:
            return self.quarterly, ("pooled to quarters: a single month's interval was wider"
                                    " than its mean")
        return self.monthly, "month by month"

    @property
    def no_pay_share(self) -> float:
        """Share of onboarded workers with no paid hour in the months followed: ``S`` then.

        Those who left without one and those still waiting at the end, pooled over
        replications (``first_pay_counts`` has the two apart).
        """
        first = self.first_pay
        return float(first.at(self.months * HOURS_PER_MONTH - 1e-9)) if first.n else math.nan

    @property
    def warning(self) -> str | None:
        """A one-line warning when the replications are too few for stable intervals."""
        return replications_warning(self.replications)

    @property
    def cohort_workers(self) -> pd.DataFrame:
        """The ``workers`` rows of the cohort."""
        workers = self.results.workers
        return workers[workers["group"] == self.cohort_group]

    @property
    def cohort_months(self) -> pd.DataFrame:
        """The ``worker_months`` rows of the cohort's onboarded workers, on the platform.

        Rows with ``available_h > 0``, as the summary metrics of ``gigsim run`` take them.
        """
        months = rows_of(self.results.worker_months, onboarded_keys(self.cohort_workers))
        return months[months["available_h"] > 0]


def estimate(scenario: Scenario, group: str, hours_per_week: float = 20.0, months: int = 12,
             replications: int | None = None, seed: int | None = None, jobs: int = 1,
             cohort: int | None = None, market_scale: float | None = None,
             progress: Progress | None = None,
             reference_wage_usd: float = DEFAULT_REFERENCE_WAGE_USD,
             stay: bool = False, monthly_need_usd: float | None = None,
             max_projects: int | None = None, *, precision: float | None = None,
             platforms: Sequence[str] | None = None,
             time_budget_s: float | None = DEFAULT_TIME_BUDGET_S,
             max_replications: int | None = None) -> Estimate:
    """Follow a cohort of ``group`` applicants with ``hours_per_week`` for ``months`` months.

    ``seed`` defaults to the scenario's. Independent runs of ``cohort`` applicants each:
    ``replications`` of them, or, without it, as many as the precision rule chooses
    (:mod:`gigsim.studies.estimate_rounds`): rounds of 5 until the verdict's two headline
    figures have 95% half-widths within ``precision`` (default 10%) of their means, or
    ``max_replications`` (default 200) have run, or ``time_budget_s`` seconds (default 60;
    None: no budget) are spent; :attr:`Estimate.choice` says which. ``market_scale`` shrinks
    the market around them (1 = as written); it and ``cohort`` default to
    :func:`gigsim.studies.cohort.default_sizes`. ``reference_wage_usd`` is the hourly
    wage of the job the verdict compares with (0 hides it). ``stay`` follows applicants who never
    quit instead of ones who behave like the group. ``progress`` is called with 1 after each
    replication. ``monthly_need_usd`` adds :attr:`Estimate.need`, how often a month reaches
    it (:func:`gigsim.studies.need.need_figures`). ``max_projects`` is how many projects each
    applicant holds at once (default: the group's own ``max_projects``); ``platforms`` the
    platforms they join (default: the group's; :func:`gigsim.studies.cohort.cohort_scenario`).
    """
    started = time.perf_counter()
    check_reference_wage(reference_wage_usd)
    if monthly_need_usd is not None:
        check_need(monthly_need_usd)
    goal = None
    if replications is not None:
        if precision is not None or max_replications is not None:
            raise GigsimError("give either replications or precision (and max replications),"
                              " not both")
    else:
        goal = EstimateGoal(DEFAULT_PRECISION if precision is None else precision,
                            max_replications=(DEFAULT_MAX_REPLICATIONS if max_replications
                                              is None else max_replications),
                            time_budget_s=time_budget_s)
    # warmup = "auto" is chosen on the market first: the cohort applies at its end
    scenario, warmup = market_warmup(scenario, group, market_scale, seed, jobs)
    default_scale, default_cohort = default_sizes(scenario, group)
    market_scale = default_scale if market_scale is None else market_scale
    cohort = default_cohort if cohort is None else cohort
    run, cohort_group = cohort_scenario(scenario, group, hours_per_week, months, cohort,
                                        market_scale, stay=stay, max_projects=max_projects,
                                        platforms=platforms)
    choice = None
    if goal is None:
        results = simulate(run, replications=replications, seed=seed, jobs=jobs,
                           progress=progress)
    else:
        results, choice = simulate_by_precision(run, cohort_group, hours_per_week, months, goal,
                                                seed, jobs, progress)
    found = summarise(results, group, cohort_group, hours_per_week, months, cohort,
                      market_scale, started, reference_wage_usd=float(reference_wage_usd),
                      stay=stay)
    found = dataclasses.replace(found, choice=choice, warmup_choice=warmup)
    if monthly_need_usd is None:
        return found
    return dataclasses.replace(found, need=need_figures(found, monthly_need_usd))


def estimate_profile(profile: str, hours_per_week: float = 20.0, months: int = 12,
                     overrides: Mapping[str, Any] | None = None, **options: Any) -> Estimate:
    """:func:`estimate` on a bundled profile, ``generalist`` or ``specialist``."""
    scenario, group = load_profile(profile, overrides)
    return estimate(scenario, group, hours_per_week, months, **options)


def summarise(results: Results, group: str, cohort_group: str, hours_per_week: float,
              months: int, cohort: int, market_scale: float, started: float,
              reference_wage_usd: float = DEFAULT_REFERENCE_WAGE_USD,
              stay: bool = False) -> Estimate:
    """Read an :class:`Estimate` off the results of a cohort scenario."""
    scenario = results.scenario
    follow_h = months * HOURS_PER_MONTH
    reps = results.replications
    workers = results.workers
    applicants = workers[workers["group"] == cohort_group]
    onboarded = applicants[applicants["onboarded_h"].notna()]
    keys = worker_keys(onboarded)
    all_rows = rows_of(results.worker_months, keys)  # for totals of income and hours
    months_table = all_rows[all_rows["available_h"] > 0]  # months on the platform, as `run`
    spells = rows_of(results.spells, keys)

    passed = per_replication(applicants, reps,
                             lambda a: float(a["onboarded_h"].notna().mean()))
    failed = applicants[applicants["leave_cause"] == "failed_assessment"]
    failed_rows = rows_of(results.worker_months, worker_keys(failed))
    gone = onboarded[onboarded["left_h"].notna() & (onboarded["left_h"] < follow_h)]
    leavers = {"onboarded": len(onboarded), "stayed": len(onboarded) - len(gone),
               "impatience": int((gone["leave_cause"] == "impatience").sum()),
               "hazard": int((gone["leave_cause"] == "hazard").sum())}

    # first paid hour, from applying: the start of the first spell that paid anything. Every
    # worker is followed from applying to the end, so the wait is seen for all who got paid;
    # one who left without pay was never paid (leaving is no censoring: they left because no
    # paid work came), and counts as waiting past the end, as one still waiting does.
    joined = onboarded.set_index(["replication", "worker_id"])["joined_h"]
    paid = spells[spells["income_usd"] > 0].groupby(["replication", "worker_id"])["start_h"].min()
    first_at = paid.reindex(keys).to_numpy(dtype=float)
    start = joined.reindex(keys).to_numpy(dtype=float)
    never = np.isnan(first_at)
    end_at = np.minimum(onboarded.set_index(["replication", "worker_id"])["left_h"]
                        .reindex(keys).fillna(follow_h).to_numpy(dtype=float), follow_h)
    first_pay = kaplan_meier(np.where(never, follow_h, first_at) - start, never)
    left_unpaid = never & (end_at < follow_h)
    first_pay_counts = {"onboarded": len(never), "paid": int((~never).sum()),
                        "left_unpaid": int(left_unpaid.sum()),
                        "waiting": int((never & ~left_unpaid).sum())}
    paid_by_replication = pd.Series(~never, index=keys).groupby(level="replication").mean()

    # the verdict's headline rates, as the rounds of a precision run read them
    per_applicant_hour, per_hour = headline_rates(results, cohort_group, hours_per_week, months,
                                                  range(reps))

    periods = [range(m, min(m + 3, months)) for m in range(0, months, 3)]
    durations = idle_spells(spells, workers, results.absences)
    longest = longest_idle_spells(durations).set_index(["replication", "worker_id"])
    longest_h = longest["duration_h"].reindex(keys, fill_value=0.0).to_numpy(dtype=float)
    running = longest["running"].reindex(keys, fill_value=False).to_numpy(dtype=bool)
    ended_by_leaving = longest["left"].reindex(keys, fill_value=False).to_numpy(dtype=bool)
    _, longest_p50, longest_p90 = pooled_percentiles(longest_h, (0, 50, 90))
    zero_count = months_table.assign(zero=months_table["income_usd"] <= 0).groupby(
        ["replication", "worker_id"])["zero"].sum()

    sums = all_rows.groupby("replication")[
        ["income_usd", "worked_h", "paid_training_h", "paid_assessment_h", "unpaid_h"]].sum()
    paid_h = paid_hours(sums)
    all_h = paid_h + sums["unpaid_h"]
    paid_wage = (sums["income_usd"] / paid_h.where(paid_h > 0)).reindex(range(reps))
    effective = (sums["income_usd"] / all_h.where(all_h > 0)).reindex(range(reps))
    ipm = [v * hours_per_week * WEEKS_PER_MONTH for v in per_hour]

    return Estimate(
        group=group, scenario=scenario, cohort_group=cohort_group,
        hours_per_week=float(hours_per_week), months=months, replications=reps,
        seed=results.seed, cohort=cohort, market_scale=market_scale, stay=stay,
        reference_wage_usd=reference_wage_usd,
        applicants=len(applicants), onboarded=len(onboarded),
        pass_share=share_interval(passed),
        fail_share=share_interval(per_replication(
            applicants, reps, lambda a: float((a["leave_cause"] == "failed_assessment").mean()))),
        failed_applicants=len(failed),
        failed_unpaid_h=(float(failed_rows["unpaid_h"].sum()) / len(failed) if len(failed)
                         else math.nan),
        failed_income_usd=(float(failed_rows["income_usd"].sum()) / len(failed) if len(failed)
                           else math.nan),
        income_per_applicant_hour=nonnegative_interval(per_applicant_hour),
        leavers=leavers,
        first_pay=first_pay,
        first_pay_restricted_mean_h=(first_pay.restricted_mean(follow_h) if first_pay.n
                                     else math.nan),
        paid_within_share=share_interval(
            paid_by_replication.reindex(range(reps)).astype(float).tolist()),
        first_pay_counts=first_pay_counts,
        monthly=period_table(months_table, reps, [range(m, m + 1) for m in range(months)],
                             len(onboarded)),
        quarterly=period_table(months_table, reps, periods, len(onboarded)),
        income_percentiles=tuple(pooled_percentiles(  # type: ignore[arg-type]
            months_table["income_usd"].to_numpy())),
        income_per_month_followed=nonnegative_interval(ipm),
        income_per_hour_set_aside=nonnegative_interval(per_hour),
        zero_month_share=share_interval(per_replication(months_table, reps, zero_share)),
        any_zero_month=share_interval(per_replication(
            zero_count.reset_index(), reps, lambda z: float((z["zero"] > 0).mean()))),
        drought=kaplan_meier(durations["duration_h"].to_numpy(dtype=float),
                             durations["censored"].to_numpy(dtype=bool)),
        longest_drought_h=(longest_p50, longest_p90),
        longest_drought_running=float(running.mean()) if len(running) else math.nan,
        longest_drought_left=(float(ended_by_leaving.mean()) if len(ended_by_leaving)
                              else math.nan),
        advertised_pay_usd=advertised_pay(scenario, cohort_group),
        projects_pay_usd=projects_pay(scenario, cohort_group),
        paid_wage_usd=nonnegative_interval(paid_wage.tolist()),
        effective_wage_usd=nonnegative_interval(effective.tolist()),
        market=market_figures(results, group),
        money=money_arriving(results, onboarded, months_table, follow_h),
        results=results,
        elapsed_s=time.perf_counter() - started,
    )
