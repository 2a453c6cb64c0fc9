"""What a worker who joins today can expect: a cohort followed from the day it applies.

:func:`estimate` adds a small *cohort* of applicants to a scenario: a worker group cloned from
the chosen group, everyone with the same weekly hours, all applying at the end of the warm-up
(``joins_at``), when the market has settled. The simulation then runs for the months asked,
and the cohort's tables answer the prospective worker's questions: the chance of passing
onboarding, the wait for the first paid hour, monthly income month by month, months with no
income, the longest drought and the hourly wage once unpaid hours count.

The cohort are people who mean to stay: the group's patience and leave hazard are not applied
to them, so they are followed for the whole period unless they fail the assessment. The market
around them (the scenario's own workers and projects) is simulated at ``market_scale`` of its
size, with worker counts, applicant rates and seats per project scaled alike, so that it runs
in seconds; the cohort is small beside it. See docs/model.md, "A worker's estimate".
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gigsim.errors import GigsimError
from gigsim.results import Results
from gigsim.runner import Progress, simulate
from gigsim.scenario import Scenario, load_scenario
from gigsim.statistics import t_interval
from gigsim.survival import (
    Survival,
    idle_spells,
    kaplan_meier,
    longest_idle_spells,
    pooled_percentiles,
)
from gigsim.units import HOURS_PER_DAY, HOURS_PER_MONTH, HOURS_PER_WEEK

# profile name -> (bundled scenario file, worker group)
PROFILES: dict[str, tuple[str, str]] = {
    "generalist": ("generalist.toml", "generalists"),
    "specialist": ("specialist.toml", "specialists"),
}
DEFAULT_REPLICATIONS = 16
# The market is scaled so that the chosen group has about this many applicants by the end of
# the warm-up (never scaled up), and the cohort is this share of them: small enough that the
# market barely notices it (docs/model.md, "A worker's estimate").
MARKET_APPLICANTS = 1000
COHORT_SHARE = 0.02
MAX_MONTHS = 120
COHORT = "cohort"  # the cohort's group name (a suffix is added if the scenario uses it)


def bundled_scenarios_dir() -> Path:
    """The folder of the bundled scenarios: the repository's ``scenarios/``.

    gigsim is installed from its source tree (``pip install -e .``), so the scenarios sit beside
    the package; ``GIGSIM_SCENARIOS`` names another folder. A plain ``pip install`` of a built
    wheel has no such folder: give ``--scenario FILE --group NAME`` then.
    """
    import os

    configured = os.environ.get("GIGSIM_SCENARIOS")
    folder = Path(configured) if configured else Path(__file__).resolve().parents[1] / "scenarios"
    if not folder.is_dir():
        raise GigsimError(
            f"the bundled scenarios are not at {folder}: install gigsim from its source tree"
            " (pip install -e .), set GIGSIM_SCENARIOS to a folder holding them, or give"
            " --scenario FILE --group NAME")
    return folder


def load_profile(profile: str, overrides: Mapping[str, Any] | None = None
                 ) -> tuple[Scenario, str]:
    """The bundled scenario and worker group of ``profile`` (``generalist`` or ``specialist``)."""
    if profile not in PROFILES:
        raise GigsimError(f"--profile {profile!r}: unknown profile"
                          f" (expected one of: {', '.join(PROFILES)})")
    file, group = PROFILES[profile]
    return load_scenario(bundled_scenarios_dir() / file, overrides=overrides), group


def _scale_count(value: Any, factor: float) -> Any:
    """A ``seats`` distribution (as written in the scenario) multiplied by ``factor``."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value * factor
    if not isinstance(value, Mapping):
        return value
    out = dict(value)
    scaled = {"constant": ("value",), "exponential": ("mean",), "uniform": ("low", "high"),
              "poisson": ("mean",), "weibull": ("scale",), "empirical": ("values",),
              "lognormal": ("median", "mean"), "gamma": ("scale", "mean")}
    for key in scaled.get(str(out.get("dist")), ()):
        if key in out:
            out[key] = ([v * factor for v in out[key]] if isinstance(out[key], list)
                        else out[key] * factor)
    return out


def group_applicants(scenario: Scenario, group: str) -> float:
    """The expected number of ``group``'s applicants by the end of the warm-up."""
    found = _group(scenario, group)
    return found.count + found.arrivals_per_week * scenario.simulation.warmup_h / HOURS_PER_WEEK


def default_sizes(scenario: Scenario, group: str) -> tuple[float, int]:
    """The default market scale and cohort size for ``group`` of ``scenario``.

    The market is scaled down (never up) so that the group has about
    :data:`MARKET_APPLICANTS` applicants by the end of the warm-up; the cohort is
    :data:`COHORT_SHARE` of the scaled number, at least 1.
    """
    applicants = max(group_applicants(scenario, group), 1.0)
    scale = min(1.0, MARKET_APPLICANTS / applicants)
    return scale, max(1, round(COHORT_SHARE * applicants * scale))


def _group(scenario: Scenario, group: str) -> Any:
    for found in scenario.workers:
        if found.name == group:
            return found
    names = ", ".join(g.name for g in scenario.workers)
    raise GigsimError(f"--group {group!r}: no worker group of that name in {scenario.source}"
                      f" (have: {names})")


def cohort_scenario(scenario: Scenario, group: str, hours_per_week: float, months: int,
                    cohort: int | None = None,
                    market_scale: float | None = None) -> tuple[Scenario, str]:
    """``scenario`` with a cohort cloned from ``group``, and the cohort group's name.

    The cohort: ``cohort`` applicants of ``group`` with ``hours_per_week`` each, applying at the
    end of the warm-up, without patience or leave hazard. The market: every worker group's
    ``count`` and ``arrivals_per_week`` and every generator's ``seats`` times ``market_scale``.
    The horizon becomes ``months`` months. ``None`` takes :func:`default_sizes`.
    """
    _group(scenario, group)
    names = [g.name for g in scenario.workers]
    check_inputs(hours_per_week, months)
    default_scale, default_cohort = default_sizes(scenario, group)
    market_scale = default_scale if market_scale is None else market_scale
    cohort = default_cohort if cohort is None else cohort
    if isinstance(cohort, bool) or not isinstance(cohort, int) or cohort < 1:
        raise GigsimError(f"--cohort: must be a whole number of at least 1, got {cohort!r}")
    if not (0 < market_scale <= 1):
        raise GigsimError(f"--market-scale: must be in (0, 1], got {market_scale!r}")
    data: dict[str, Any] = copy.deepcopy(dict(scenario.data))
    name = COHORT
    while name in names:
        name += "_"
    source = next(g for g in data["workers"] if g.get("name") == group)
    clone = copy.deepcopy(source)
    clone.update(name=name, count=cohort, arrivals_per_week=0, hours_per_week=hours_per_week,
                 joins_at=f"{scenario.simulation.warmup_h!r}h", leave_rate_per_year=0)
    clone.pop("patience", None)
    for workers in data["workers"]:
        count = int(workers.get("count", 0))
        workers["count"] = max(1, round(count * market_scale)) if count else 0
        workers["arrivals_per_week"] = workers.get("arrivals_per_week", 0) * market_scale
    for projects in data["projects"]:
        projects["seats"] = _scale_count(projects["seats"], market_scale)
    data["workers"].append(clone)
    data["simulation"] = dict(data["simulation"], horizon=f"{months * HOURS_PER_MONTH!r}h")
    return Scenario.from_dict(data, scenario.source), name


def check_inputs(hours_per_week: float, months: int) -> None:
    """Refuse weekly hours outside (0, 168] and months outside 1–120."""
    if not (isinstance(hours_per_week, int | float) and 0 < hours_per_week <= HOURS_PER_WEEK):
        raise GigsimError(f"--hours-per-week: must be more than 0 and at most"
                          f" {HOURS_PER_WEEK:g}, got {hours_per_week!r}")
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= MAX_MONTHS:
        raise GigsimError(f"--months: must be a whole number from 1 to {MAX_MONTHS},"
                          f" got {months!r}")


Interval = tuple[float, float, float]  # mean, 95% CI low, high (across replications)


@dataclass(frozen=True)
class Estimate:
    """What a cohort of applicants met in their first months, as numbers and tables.

    Intervals are ``(mean, ci_low, ci_high)``: the mean of the per-replication values with a
    95% t interval across replications. Per-month percentiles are pooled over the cohort's
    workers and all replications. Everything after ``pass_share`` is about the applicants who
    passed the assessment.
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
    applicants: int
    onboarded: int
    pass_share: Interval
    first_pay: Survival  # hours from applying to the first paid hour
    first_pay_mean_h: float  # mean of min(wait, follow-up): the area under first_pay
    monthly: pd.DataFrame  # month (1 = first), p10_usd, p50_usd, p90_usd, mean_usd, ...
    income_percentiles: tuple[float, float, float]  # P10/P50/P90 over every month
    any_zero_month: Interval  # share of workers with at least one month without income
    zero_months: Interval  # mean number of months without income per worker
    drought: Survival  # the length of every idle spell of the cohort's workers
    longest_drought_h: tuple[float, float]  # P50, P90 over workers of their longest, in window
    longest_drought_running: float  # share of workers whose longest was still running
    advertised_wage_usd: float
    paid_wage_usd: Interval
    effective_wage_usd: Interval
    results: Results = field(repr=False)
    elapsed_s: float = math.nan

    @property
    def cohort_workers(self) -> pd.DataFrame:
        """The ``workers`` rows of the cohort."""
        workers = self.results.workers
        return workers[workers["group"] == self.cohort_group]

    @property
    def cohort_months(self) -> pd.DataFrame:
        """The ``worker_months`` rows of the cohort's onboarded workers."""
        months = self.results.worker_months
        onboarded = self.cohort_workers
        onboarded = onboarded[onboarded["onboarded_h"].notna()]
        keys = pd.MultiIndex.from_frame(onboarded[["replication", "worker_id"]])
        index = pd.MultiIndex.from_frame(months[["replication", "worker_id"]])
        return months[index.isin(keys)]

    def to_dict(self) -> dict[str, Any]:
        """Everything :meth:`__str__` prints, as JSON-ready data (NaN as None)."""
        def interval(value: Interval) -> dict[str, float | None]:
            return {"mean": _json(value[0]), "ci_low": _json(value[1]),
                    "ci_high": _json(value[2])}

        return {
            "scenario": self.scenario.name,
            "scenario_file": self.scenario.source,
            "group": self.group,
            "hours_per_week": self.hours_per_week,
            "months": self.months,
            "replications": self.replications,
            "seed": self.seed,
            "cohort_per_replication": self.cohort,
            "market_scale": self.market_scale,
            "applicants": self.applicants,
            "onboarded": self.onboarded,
            "confidence_level": 0.95,
            "pass_onboarding_share": interval(self.pass_share),
            "first_paid_hour": {
                "mean_days": _json(self.first_pay_mean_h / HOURS_PER_DAY),
                "median_days": _json(self.first_pay.median / HOURS_PER_DAY),
                "none_within_months_share": _json(self.no_pay_share),
            },
            "monthly_income_usd": [
                {key: (int(value) if key in ("month", "workers") else _json(float(value)))
                 for key, value in row.items()}
                for row in self.monthly.to_dict(orient="records")
            ],
            "income_percentiles_usd": dict(zip(("p10", "p50", "p90"),
                                               map(_json, self.income_percentiles),
                                               strict=True)),
            "zero_income_months": {
                "at_least_one_share": interval(self.any_zero_month),
                "expected_count": interval(self.zero_months),
            },
            "drought": {
                "definition": "an idle spell: from onboarding or a project's end to the start"
                              " of the next project; Kaplan-Meier over every spell of the"
                              " cohort, spells still running at the end censored",
                "median_weeks": _json(self.drought.median / HOURS_PER_WEEK),
                "p90_weeks": _json(self.drought.quantile(0.9) / HOURS_PER_WEEK),
                "spells": self.drought.n,
                "censored_share": _json(self.drought.n_censored / self.drought.n
                                        if self.drought.n else math.nan),
            },
            "longest_drought": {
                "definition": "each worker's longest idle spell within the months followed,"
                              " a spell still running at the end counted up to the end",
                "median_weeks": _json(self.longest_drought_h[0] / HOURS_PER_WEEK),
                "p90_weeks": _json(self.longest_drought_h[1] / HOURS_PER_WEEK),
                "still_running_share": _json(self.longest_drought_running),
            },
            "hourly_wage_usd": {
                "advertised": _json(self.advertised_wage_usd),
                "paid_hours": interval(self.paid_wage_usd),
                "effective": interval(self.effective_wage_usd),
            },
            "elapsed_s": _json(self.elapsed_s),
        }

    @property
    def no_pay_share(self) -> float:
        """Share of onboarded workers with no paid hour in the months followed."""
        first = self.first_pay
        return float(first.at(self.months * HOURS_PER_MONTH - 1e-9)) if first.n else math.nan

    def __str__(self) -> str:
        return render(self)


def render(est: Estimate) -> str:
    """The plain-words summary and the month-by-month table that ``gigsim estimate`` prints."""
    def pct(value: float) -> str:
        return "n/a" if math.isnan(value) else f"{value:.0%}"

    def ci(value: Interval, fmt: str, scale: float = 1.0) -> str:
        mean, low, high = (v * scale for v in value)
        if math.isnan(mean):
            return "n/a"
        text = fmt.format(mean)
        if not math.isnan(low):
            text += f" (95% CI {fmt.format(low)}–{fmt.format(high)})"
        return text

    def days(hours: float) -> str:
        return "n/a" if math.isnan(hours) else f"{hours / HOURS_PER_DAY:.1f} days"

    def weeks(hours: float, tail: float) -> str:
        if math.isnan(hours):  # a Kaplan–Meier quantile beyond the longest duration seen
            return "n/a" if math.isnan(tail) else f"longer than {tail / HOURS_PER_WEEK:.1f} weeks"
        return f"{hours / HOURS_PER_WEEK:.1f} weeks"

    def money(value: float) -> str:
        return "n/a" if math.isnan(value) else f"${value:,.0f}"

    def usd(value: float, width: int = 0) -> str:
        return f"{'n/a':>{width}}" if math.isnan(value) else f"{value:>{width},.0f}"

    first = est.first_pay
    drought = est.drought
    longest_p50, longest_p90 = est.longest_drought_h
    p10, p50, p90 = est.income_percentiles
    lines = [
        f"An applicant to the {est.group} group with {est.hours_per_week:g} h a week, followed for"
        f" {est.months} month(s) from applying (scenario {est.scenario.name}).",
        "",
        f"Passing onboarding: {ci(est.pass_share, '{:.0f}%', 100)} of applicants pass the"
        " assessment. Everything below is for those who pass.",
        f"First paid hour: {days(est.first_pay_mean_h)} after applying on average"
        f" (median {days(first.median)}); {pct(est.no_pay_share)} had none within"
        f" {est.months} month(s).",
        f"Months with no income: {ci(est.any_zero_month, '{:.0f}%', 100)} of workers have at"
        f" least one; on average {ci(est.zero_months, '{:.1f}')} of {est.months}.",
        f"Droughts (idle between projects): median {weeks(drought.median, drought.longest_h)},"
        f" P90 {weeks(drought.quantile(0.9), drought.longest_h)} (Kaplan–Meier over"
        f" {drought.n} spells, {pct(drought.n_censored / drought.n if drought.n else math.nan)}"
        " still running at the end).",
        f"Longest drought within the {est.months} month(s): median"
        f" {weeks(longest_p50, math.nan)}, P90 {weeks(longest_p90, math.nan)} (still running"
        f" at the end for {pct(est.longest_drought_running)} of workers).",
        f"Hourly wage: ${est.advertised_wage_usd:.2f}/h advertised;"
        f" {ci(est.paid_wage_usd, '${:.2f}')} per paid hour;"
        f" {ci(est.effective_wage_usd, '${:.2f}')} counting unpaid hours (assessment, unpaid"
        " training, looking for work).",
        f"Monthly income over all months: P10 {money(p10)}, median {money(p50)},"
        f" P90 {money(p90)}.",
        "",
        "Monthly income by month since applying (USD, pooled over workers and replications):",
        f"  {'month':>5}  {'P10':>7}  {'P50':>7}  {'P90':>7}  {'mean':>7}  {'no income':>9}",
    ]
    for row in est.monthly.to_dict(orient="records"):
        lines.append(f"  {row['month']:>5}  {usd(row['p10_usd'], 7)}  {usd(row['p50_usd'], 7)}"
                     f"  {usd(row['p90_usd'], 7)}  {usd(row['mean_usd'], 7)}"
                     f"  {pct(row['zero_share']):>9}")
    lines += [
        "",
        f"{est.replications} replication(s) × {est.cohort} applicants (seed {est.seed}),"
        f" {est.applicants} applicants and {est.onboarded} onboarded in all; market simulated"
        f" at {est.market_scale:.0%} of its size; {est.elapsed_s:.1f} s.",
    ]
    return "\n".join(lines)


def estimate(scenario: Scenario, group: str, hours_per_week: float = 20.0, months: int = 12,
             replications: int = DEFAULT_REPLICATIONS, seed: int | None = None, jobs: int = 1,
             cohort: int | None = None, market_scale: float | None = None,
             progress: Progress | None = None) -> Estimate:
    """Follow a cohort of ``group`` applicants with ``hours_per_week`` for ``months`` months.

    ``seed`` defaults to the scenario's. ``replications`` independent runs of ``cohort``
    applicants each; ``market_scale`` shrinks the market around them (1 = as written). Both
    default to :func:`default_sizes`.
    """
    started = time.perf_counter()
    default_scale, default_cohort = default_sizes(scenario, _group(scenario, group).name)
    market_scale = default_scale if market_scale is None else market_scale
    cohort = default_cohort if cohort is None else cohort
    run, cohort_group = cohort_scenario(scenario, group, hours_per_week, months, cohort,
                                        market_scale)
    results = simulate(run, replications=replications, seed=seed, jobs=jobs, progress=progress)
    return summarise(results, group, cohort_group, hours_per_week, months, cohort,
                     market_scale, started)


def estimate_profile(profile: str, hours_per_week: float = 20.0, months: int = 12,
                     overrides: Mapping[str, Any] | None = None, **options: Any) -> Estimate:
    """:func:`estimate` on a bundled profile, ``generalist`` or ``specialist``."""
    scenario, group = load_profile(profile, overrides)
    return estimate(scenario, group, hours_per_week, months, **options)


def summarise(results: Results, group: str, cohort_group: str, hours_per_week: float,
              months: int, cohort: int, market_scale: float, started: float) -> Estimate:
    """Read an :class:`Estimate` off the results of a cohort scenario."""
    scenario = results.scenario
    follow_h = months * HOURS_PER_MONTH
    workers = results.workers
    applicants = workers[workers["group"] == cohort_group]
    joined = applicants.set_index(["replication", "worker_id"])["joined_h"]
    onboarded = applicants[applicants["onboarded_h"].notna()]
    keys = pd.MultiIndex.from_frame(onboarded[["replication", "worker_id"]])
    replication_ids = list(range(results.replications))

    def on_cohort(frame: pd.DataFrame) -> pd.DataFrame:
        index = pd.MultiIndex.from_frame(frame[["replication", "worker_id"]])
        return frame[index.isin(keys)]

    passed = applicants.groupby("replication")["onboarded_h"].apply(lambda s: s.notna().mean())
    months_table = on_cohort(results.worker_months)
    spells = on_cohort(results.spells)

    # first paid hour, from applying: the start of the first spell that paid anything
    paid = spells[spells["income_usd"] > 0].groupby(["replication", "worker_id"])["start_h"].min()
    first_at = paid.reindex(keys).to_numpy(dtype=float)
    start = joined.reindex(keys).to_numpy(dtype=float)
    never = np.isnan(first_at)
    wait = np.where(never, follow_h, first_at) - start
    first_pay = kaplan_meier(wait, never)

    # month by month since applying (the cohort applies at the start of month 0)
    by_month = months_table.groupby("month")["income_usd"]
    monthly = pd.DataFrame({
        "month": np.arange(1, months + 1),
    })
    rows = []
    for month in range(months):
        values = (by_month.get_group(month).to_numpy() if month in by_month.groups
                  else np.empty(0))
        p10, p50, p90 = pooled_percentiles(values)
        rows.append({"p10_usd": p10, "p50_usd": p50, "p90_usd": p90,
                     "mean_usd": float(values.mean()) if len(values) else math.nan,
                     "zero_share": float(np.mean(values <= 0)) if len(values) else math.nan,
                     "workers": len(values)})
    monthly = pd.concat([monthly, pd.DataFrame(rows)], axis=1)

    zero = (months_table.assign(zero=months_table["income_usd"] <= 0)
            .groupby(["replication", "worker_id"])["zero"].sum())
    zero_by_rep = zero.groupby(level="replication")
    any_zero = [float((zero_by_rep.get_group(r) > 0).mean()) if r in zero_by_rep.groups
                else math.nan for r in replication_ids]
    zero_count = [float(zero_by_rep.get_group(r).mean()) if r in zero_by_rep.groups
                  else math.nan for r in replication_ids]

    durations = idle_spells(spells, workers)
    longest = longest_idle_spells(durations).set_index(["replication", "worker_id"])
    longest_h = longest["duration_h"].reindex(keys, fill_value=0.0).to_numpy(dtype=float)
    running = longest["running"].reindex(keys, fill_value=False).to_numpy(dtype=bool)
    _, longest_p50, longest_p90 = pooled_percentiles(longest_h, (0, 50, 90))

    sums = months_table.groupby("replication")[
        ["income_usd", "worked_h", "paid_training_h", "paid_assessment_h", "unpaid_h"]].sum()
    paid_h = sums["worked_h"] + sums["paid_training_h"] + sums["paid_assessment_h"]
    paid_wage = (sums["income_usd"] / paid_h.where(paid_h > 0)).reindex(replication_ids)
    effective = (sums["income_usd"] / (paid_h + sums["unpaid_h"]).where(
        paid_h + sums["unpaid_h"] > 0)).reindex(replication_ids)

    return Estimate(
        group=group,
        scenario=scenario,
        cohort_group=cohort_group,
        hours_per_week=float(hours_per_week),
        months=months,
        replications=results.replications,
        seed=results.seed,
        cohort=cohort,
        market_scale=market_scale,
        applicants=len(applicants),
        onboarded=len(onboarded),
        pass_share=t_interval(passed.reindex(replication_ids).tolist()),
        first_pay=first_pay,
        first_pay_mean_h=first_pay.restricted_mean(follow_h) if len(wait) else math.nan,
        monthly=monthly,
        income_percentiles=tuple(pooled_percentiles(  # type: ignore[arg-type]
            months_table["income_usd"].to_numpy())),
        any_zero_month=t_interval(any_zero),
        zero_months=t_interval(zero_count),
        drought=kaplan_meier(durations["duration_h"].to_numpy(dtype=float),
                             durations["censored"].to_numpy(dtype=bool)),
        longest_drought_h=(longest_p50, longest_p90),
        longest_drought_running=float(running.mean()) if len(running) else math.nan,
        advertised_wage_usd=advertised_wage(scenario, cohort_group),
        paid_wage_usd=t_interval(paid_wage.tolist()),
        effective_wage_usd=t_interval(effective.tolist()),
        results=results,
        elapsed_s=time.perf_counter() - started,
    )


def advertised_wage(scenario: Scenario, group: str) -> float:
    """The mean ``pay_per_hour`` of the generators whose projects ``group`` can take.

    Weighted by each generator's launch rate times its mean seats, the share of seats it offers.
    """
    skills = next(g.skills for g in scenario.workers if g.name == group)
    gens = [g for g in scenario.projects if g.requires in skills]
    if not gens:
        return math.nan
    weights = np.array([g.arrivals_per_week * g.seats.mean for g in gens])
    pay = np.array([g.pay_per_hour.mean for g in gens])
    return float(np.sum(weights * pay) / np.sum(weights))


def _json(value: float) -> float | None:
    return None if value is None or math.isnan(value) else float(value)
