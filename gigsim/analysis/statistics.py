"""Summary statistics: one value per metric and replication, then means with 95% intervals.

Every metric is computed per replication (percentiles and shares *pooled* over that
replication's worker-months), then *averaged* over replications. The interval around the mean
depends on the kind of metric (:func:`metric_interval`): shares stay in [0, 1] (a t interval on
the logit scale), money and durations stay ≥ 0 (a t interval on the log scale).
:func:`paired_difference` compares two sets of replications run on the same seeds; differences
may be negative and keep the plain t interval.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from gigsim.analysis.metrics import (
    exit_within_year,
    latencies_table,
    months_on_platform,
    onboarded_hours,
    project_fills_table,
    worker_month_sums,
    worker_months_table,
)
from gigsim.analysis.payments import PAY_METRICS, pay_metrics
from gigsim.analysis.survival import kaplan_meier, latency_durations
from gigsim.engine.records import Records
from gigsim.files import json_number
from gigsim.scenario.pay import Pay
from gigsim.scenario.units import HOURS_PER_MONTH

# A worker whose income per onboarded month is below this counts in below_threshold_share.
INCOME_THRESHOLD_USD = 500.0

METRICS: dict[str, str] = {
    "income_mean_usd": "mean monthly income per worker-month (USD)",
    "income_p10_usd": "10th percentile of monthly income over worker-months (USD)",
    "income_p50_usd": "median monthly income over worker-months (USD)",
    "income_p90_usd": "90th percentile of monthly income over worker-months (USD)",
    "zero_income_share": "share of worker-months with no income",
    "months_with_income_share": "share of worker-months with some income",
    "income_volatility_usd": "mean absolute change in income between a worker's consecutive"
                             " months, pooled over workers (USD)",
    "idle_share": "share of available hours spent unassigned",
    "short_of_work_share": "share of workers paid for under 90% of their available hours",
    "latency_median_h": "median reassignment latency, Kaplan–Meier, waits still open counted"
                        " as censored (hours)",
    "latency_mean_h": "mean reassignment latency of completed waits only (hours); waits still"
                      " open are left out, so it understates the typical wait",
    "latency_p90_h": "90th percentile of reassignment latency, completed waits only (hours)",
    "latency_censored_share": "share of reassignment latencies still open at leaving or the end",
    "unpaid_share": "unpaid hours as a share of all working hours",
    "paid_wage_usd": "income per paid hour (USD/h)",
    "effective_wage_usd": "wage per hour worked: income per hour worked, paid or unpaid"
                          " (USD/h)",
    "effective_to_paid_wage": "wage per hour worked / income per paid hour",
    "exit_within_12mo_share": "share of onboarded workers gone within 12 months",
    "income_gini": "Gini coefficient across workers of annualised income (12 × income per"
                   " onboarded month), workers onboarded for a month or more of the window",
    "below_threshold_share": f"share of those workers earning under ${INCOME_THRESHOLD_USD:,.0f}"
                             " per onboarded month",
    "fill_latency_mean_h": "mean time from a seat opening to its filling, per filled seat"
                           " (hours)",
    "unfilled_seat_h": "seat-hours that open seats stayed unfilled, over all projects"
                       " (seat-hours)",
}


def paid_hours(months: pd.DataFrame | Mapping[str, pd.Series]) -> pd.Series:
    """Paid hours of each row of worker-month columns: worked, paid training, assessment, tests.

    ``months`` may be the worker-months or any sums of their columns (per worker, per
    replication); the unpaid hours are the column ``unpaid_h``. Paid qualification hours
    count where the sums carry them.
    """
    paid = months["worked_h"] + months["paid_training_h"] + months["paid_assessment_h"]
    if "paid_qualification_h" in months:
        paid = paid + months["paid_qualification_h"]
    return paid


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator > 0 else math.nan


def gini(values: Sequence[float] | np.ndarray) -> float:
    """The Gini coefficient of non-negative ``values``: mean absolute difference / (2 × mean).

    This is the population form, Σᵢ Σⱼ |xᵢ − xⱼ| / (2 n² x̄), computed from the sorted values
    as Σᵢ (2i − n − 1) x₍ᵢ₎ / (n Σ x) (numpy and scipy have no Gini). 0 when everyone has the
    same, (n − 1) / n when one has everything; NaN when there are no values or they sum to 0.
    """
    x = np.sort(np.asarray(values, dtype=float))
    n = len(x)
    total = float(x.sum())
    if n == 0 or total <= 0:
        return math.nan
    rank = np.arange(1, n + 1)
    return float(np.sum((2 * rank - n - 1) * x) / (n * total))


def worker_monthly_income(records: Records, months: pd.DataFrame) -> pd.Series:
    """Income per onboarded month (USD) of each worker onboarded for a month or more.

    ``months`` are the replication's worker-months with onboarded time (``M``). A worker's
    onboarded time is the clock time of their idle, training and work spells in the window;
    workers with less than one month of it (or less than the whole window, if that is shorter)
    are left out, since a few days say little about a rate of income.
    """
    onboarded_h = onboarded_hours(records)
    minimum_h = min(HOURS_PER_MONTH, records.horizon_h) * (1 - 1e-9)  # whole window, to rounding
    onboarded_h = onboarded_h[onboarded_h >= minimum_h]
    income = months.groupby("worker_id")["income_usd"].sum()
    income = income.reindex(onboarded_h.index, fill_value=0.0)
    return income / (onboarded_h / HOURS_PER_MONTH)


# The worker-month columns of the summary without a pay schedule (the unpaid ones add up to
# worker_months' unpaid_h), and the columns it reads of the months on the platform
SUMMARY_HOURS = ("income_usd", "worked_h", "paid_training_h", "paid_assessment_h",
                 "paid_qualification_h", "unpaid_training_h", "unpaid_assessment_h",
                 "checking_h", "unpaid_qualification_h", "idle_h", "available_h")
ON_PLATFORM = ("income_usd", "worked_h", "paid_training_h", "idle_h", "available_h")


def _folded_months(records: Records) -> tuple[tuple[float, float, float], pd.DataFrame]:
    """Paid hours, unpaid hours and income over all worker-months, and the months on the platform.

    The months on the platform have ``worker_id``, ``month`` and :data:`ON_PLATFORM`. The
    values are those of :func:`worker_months_table`'s columns, summed in the same order, and of
    :func:`months_on_platform` of it, without either table (every column of every
    worker-month, and a copy of most of its rows).
    """
    worker_id, month, sums = worker_month_sums(records, SUMMARY_HOURS)
    column = {name: pd.Series(values, copy=False) for name, values in sums.items()}
    paid = paid_hours(column)
    unpaid = (column.pop("unpaid_training_h") + column.pop("unpaid_assessment_h")
              + column.pop("checking_h") + column.pop("unpaid_qualification_h"))
    totals = float(paid.sum()), float(unpaid.sum()), float(column["income_usd"].sum())
    del paid, unpaid
    on = sums["available_h"] > 0
    months = pd.DataFrame({"worker_id": worker_id[on], "month": month[on],
                           **{name: sums.pop(name)[on] for name in ON_PLATFORM}})
    return totals, months


def metric_names(pay: Pay | None = None) -> list[str]:
    """The summary metrics, in order: :data:`METRICS`, and with a pay schedule its own."""
    return list(METRICS) + (list(PAY_METRICS) if pay is not None else [])


def replication_metrics(records: Records, pay: Pay | None = None) -> dict[str, float]:
    """Every summary metric for one replication (and, with ``pay``, the pay schedule's)."""
    # hours and wages count every month, so that unpaid assessments of applicants who fail
    # count as unpaid work; the income distribution is over months with onboarded time
    if pay is None:
        (paid_h, unpaid_h, total_income), months = _folded_months(records)
        paid = {}
    else:  # the pay schedule's metrics read every column
        all_months = worker_months_table(records)
        paid_h = float(paid_hours(all_months).sum())
        unpaid_h = float(all_months["unpaid_h"].sum())
        total_income = float(all_months["income_usd"].sum())
        paid = pay_metrics(records, pay, all_months)
        months = months_on_platform(all_months)
        del all_months
    income = months["income_usd"].to_numpy()
    latencies = latencies_table(records)
    done = latencies.loc[~latencies["censored"], "latency_h"].to_numpy()
    by_worker = months.groupby("worker_id", sort=True)
    per_worker = by_worker[["worked_h", "paid_training_h", "available_h"]].sum()
    # consecutive calendar months only: months on either side of an absence are not compared
    changes = by_worker["income_usd"].diff().abs()[by_worker["month"].diff() == 1]
    left, at_risk = exit_within_year(records)
    has_months = len(income) > 0
    monthly = worker_monthly_income(records, months).to_numpy()
    fills = project_fills_table(records)
    filled = fills["seats_filled"].to_numpy()
    fill_latency_sum_h = float(np.nansum(fills["fill_latency_mean_h"].to_numpy() * filled))
    return {
        "income_mean_usd": float(income.mean()) if has_months else math.nan,
        "income_p10_usd": float(np.percentile(income, 10)) if has_months else math.nan,
        "income_p50_usd": float(np.percentile(income, 50)) if has_months else math.nan,
        "income_p90_usd": float(np.percentile(income, 90)) if has_months else math.nan,
        "zero_income_share": float(np.mean(income <= 0)) if has_months else math.nan,
        "months_with_income_share": float(np.mean(income > 0)) if has_months else math.nan,
        "income_volatility_usd": float(changes.mean()) if len(changes) else math.nan,
        "idle_share": _ratio(float(months["idle_h"].sum()), float(months["available_h"].sum())),
        "short_of_work_share": float(np.mean(
            per_worker["worked_h"] + per_worker["paid_training_h"]
            < 0.9 * per_worker["available_h"])) if len(per_worker) else math.nan,
        "latency_median_h": _km_median(latencies),
        "latency_mean_h": float(done.mean()) if len(done) else math.nan,
        "latency_p90_h": float(np.percentile(done, 90)) if len(done) else math.nan,
        "latency_censored_share": float(latencies["censored"].mean()) if len(latencies)
        else math.nan,
        "unpaid_share": _ratio(unpaid_h, paid_h + unpaid_h),
        "paid_wage_usd": _ratio(total_income, paid_h),
        "effective_wage_usd": _ratio(total_income, paid_h + unpaid_h),
        "effective_to_paid_wage": _ratio(paid_h, paid_h + unpaid_h),
        "exit_within_12mo_share": _ratio(left, at_risk),
        "income_gini": gini(monthly),
        "below_threshold_share": float(np.mean(monthly < INCOME_THRESHOLD_USD)) if len(monthly)
        else math.nan,
        "fill_latency_mean_h": _ratio(fill_latency_sum_h, float(filled.sum())),
        "unfilled_seat_h": float(fills["unfilled_seat_h"].sum()) if len(fills) else math.nan,
        **paid,
    }


def t_interval(values: Sequence[float] | np.ndarray,
               level: float = 0.95) -> tuple[float, float, float]:
    """Mean and two-sided t confidence interval of independent values (NaNs ignored).

    With fewer than two values the interval is ``(nan, nan)``.
    """
    mean, half = _mean_and_half(values, level)
    return mean, mean - half, mean + half


# Below this many replications an interval rests on too few values to be stable: the t
# quantile alone is 12.7 at 2 replications and 2.8 at 5, against 2.0 at 30.
MIN_REPLICATIONS = 5

# One interval method per kind of metric (docs/model.md §10, "Intervals").
SHARE, NONNEGATIVE, REAL = "share", "nonnegative", "real"


def metric_kind(metric: str) -> str:
    """The kind of a summary metric: ``"share"`` (in [0, 1]), ``"nonnegative"`` or ``"real"``.

    Shares are the metrics named ``*_share``, the Gini coefficients (``*_gini``) and the wage
    ratio; money (``*_usd``), durations (``*_h``) and counts (``*_count``) are non-negative;
    anything else is real.
    """
    if metric.endswith(("_share", "_gini")) or metric == "effective_to_paid_wage":
        return SHARE
    if metric.endswith(("_usd", "_h", "_count")):
        return NONNEGATIVE
    return REAL


def _mean_and_half(values: Sequence[float] | np.ndarray, level: float) -> tuple[float, float]:
    """The mean of ``values`` (NaNs ignored) and half the width of its t interval.

    The mean is NaN when there are no values; the half-width is NaN with fewer than two.
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if len(x) == 0:
        return math.nan, math.nan
    mean = float(x.mean())
    if len(x) < 2:
        return mean, math.nan
    return mean, float(stats.t.ppf(0.5 + level / 2, len(x) - 1) * x.std(ddof=1)
                       / math.sqrt(len(x)))


def share_interval(values: Sequence[float] | np.ndarray,
                   level: float = 0.95) -> tuple[float, float, float]:
    """Mean of per-replication shares and a 95% interval that stays within [0, 1].

    The t interval is taken on the logit scale, with the standard error carried over by the
    delta method: ``expit(logit(p) ± t · se / (p (1 − p)))``, where ``p`` is the mean and
    ``se = s / √n``. It is never wider than [0, 1], is asymmetric near the ends, and tends to
    the plain t interval as ``se`` shrinks. All values equal give a point; fewer than two
    values give NaN bounds.
    """
    p, half = _mean_and_half(values, level)
    if math.isnan(half):
        return p, math.nan, math.nan
    if half == 0 or p <= 0 or p >= 1:
        return p, p, p  # every value the same (a mean of 0 or 1 means all are 0 or 1)
    centre = math.log(p / (1 - p))
    width = half / (p * (1 - p))
    return p, 1 / (1 + math.exp(-(centre - width))), 1 / (1 + math.exp(-(centre + width)))


def nonnegative_interval(values: Sequence[float] | np.ndarray,
                         level: float = 0.95) -> tuple[float, float, float]:
    """Mean of non-negative per-replication values (money, durations) and a 95% interval ≥ 0.

    The t interval is taken on the log scale, with the delta method:
    ``m · exp(± t · se / m)`` with ``m`` the mean and ``se = s / √n``: above 0 whatever the
    spread, asymmetric when the spread is large against the mean, and close to the plain t
    interval when it is small. A mean of 0 (every value 0) gives a point.
    """
    m, half = _mean_and_half(values, level)
    if math.isnan(half):
        return m, math.nan, math.nan
    if half == 0 or m <= 0:
        return m, m, m
    factor = math.exp(half / m)
    return m, m / factor, m * factor


def interval(values: Sequence[float] | np.ndarray, kind: str,
             level: float = 0.95) -> tuple[float, float, float]:
    """Mean and 95% interval of per-replication ``values`` of a metric of ``kind``.

    ``"share"``: :func:`share_interval`; ``"nonnegative"``: :func:`nonnegative_interval`;
    ``"real"``: :func:`t_interval`.
    """
    if kind == SHARE:
        return share_interval(values, level)
    if kind == NONNEGATIVE:
        return nonnegative_interval(values, level)
    if kind == REAL:
        return t_interval(values, level)
    raise ValueError(f"unknown kind of metric {kind!r} (expected share, nonnegative or real)")


def metric_interval(metric: str, values: Sequence[float] | np.ndarray,
                    level: float = 0.95) -> tuple[float, float, float]:
    """Mean and interval of a summary metric's per-replication values, by its kind."""
    return interval(values, metric_kind(metric), level)


def replications_warning(replications: int, option: bool = True) -> str | None:
    """A one-line warning when ``replications`` are too few for a stable interval, else None.

    ``option`` names the command-line option that gives more (``-r``); a page has none.
    """
    if replications >= MIN_REPLICATIONS:
        return None
    how = " (-r)" if option else ""
    return (f"warning: {replications} replication(s) are too few for a stable 95% interval;"
            f" give {MIN_REPLICATIONS} or more{how} before reading the intervals")


def _km_median(latencies: pd.DataFrame) -> float:
    """The Kaplan–Meier median of reassignment latency, censored waits included (hours)."""
    durations = latency_durations(latencies)
    if len(durations) == 0:
        return math.nan
    return kaplan_meier(durations["duration_h"], durations["censored"]).median


@dataclass(frozen=True)
class PairedDifference:
    """How a metric differs between two variants run on the same seeds, replication by replication.

    ``mean``, ``ci_low`` and ``ci_high`` are the mean of the per-replication differences
    (other − reference) and its t interval. ``paired_var`` is the sample variance of those
    differences; ``unpaired_var`` is var(reference) + var(other), the variance the difference of
    one replication of each would have if the two had been run on independent seeds. Both are
    over the ``n`` replications where both values are known.
    """

    mean: float
    ci_low: float
    ci_high: float
    paired_var: float
    unpaired_var: float
    n: int

    @property
    def variance_reduction(self) -> float:
        """1 − paired_var / unpaired_var: the share of the variance that pairing removes.

        0.9 means the paired difference has a tenth of the variance, so its interval is about
        √10 ≈ 3.2 times narrower than with independent seeds; below 0, pairing made it worse.
        NaN when unpaired_var is 0 or unknown.
        """
        if math.isnan(self.unpaired_var) or self.unpaired_var <= 0:
            return math.nan
        return 1.0 - self.paired_var / self.unpaired_var


def paired_difference(reference: Sequence[float] | np.ndarray,
                      other: Sequence[float] | np.ndarray, level: float = 0.95) -> PairedDifference:
    """Compare ``other`` with ``reference``, value ``i`` of each coming from replication ``i``.

    Replications where either value is NaN are left out of everything.
    """
    a = np.asarray(reference, dtype=float)
    b = np.asarray(other, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"paired values differ in length: {len(a)} and {len(b)}")
    both = ~(np.isnan(a) | np.isnan(b))
    a, b = a[both], b[both]
    mean, low, high = t_interval(b - a, level)
    if len(a) < 2:
        return PairedDifference(mean, low, high, math.nan, math.nan, len(a))
    paired = float(np.var(b - a, ddof=1))
    unpaired = float(np.var(a, ddof=1) + np.var(b, ddof=1))
    return PairedDifference(mean, low, high, paired, unpaired, len(a))


@dataclass(frozen=True)
class Summary:
    """Each metric's mean across replications with its 95% confidence interval."""

    per_replication: pd.DataFrame  # one row per replication, one column per metric

    @classmethod
    def from_records(cls, records: Sequence[Records], pay: Pay | None = None
                     ) -> Summary:
        """Compute the metrics of every replication (with ``pay``, the schedule's too)."""
        rows = [replication_metrics(r, pay) for r in records]
        frame = pd.DataFrame(rows, columns=metric_names(pay))
        frame.index = pd.Index([r.replication for r in records], name="replication")
        return cls(frame)

    @property
    def table(self) -> pd.DataFrame:
        """One row per metric: mean, ci_low, ci_high, and what it means.

        The interval's method depends on the kind of metric (:func:`metric_interval`).
        """
        rows = []
        for name, description in self.metrics.items():
            mean, low, high = metric_interval(name, self.per_replication[name].tolist())
            rows.append({"metric": name, "mean": mean, "ci_low": low, "ci_high": high,
                         "description": description})
        return pd.DataFrame(rows).set_index("metric")

    @property
    def metrics(self) -> dict[str, str]:
        """The metrics it holds and what each means: :data:`METRICS`, then any of the pay's."""
        return {**METRICS, **{name: description for name, description in PAY_METRICS.items()
                              if name in self.per_replication.columns}}

    def __getitem__(self, metric: str) -> float:
        """The mean of ``metric`` across replications."""
        return float(self.per_replication[metric].mean())

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready form: per metric its mean, interval and per-replication values."""
        table = self.table
        return {
            "replications": len(self.per_replication),
            "confidence_level": 0.95,
            "metrics": {
                name: {
                    "mean": json_number(table.loc[name, "mean"]),
                    "ci_low": json_number(table.loc[name, "ci_low"]),
                    "ci_high": json_number(table.loc[name, "ci_high"]),
                    "description": description,
                    "per_replication": [json_number(v) for v in self.per_replication[name]],
                }
                for name, description in self.metrics.items()
            },
        }

    def __str__(self) -> str:
        """Every metric's mean, interval and meaning, one line each, after the replications."""
        count = len(self.per_replication)
        lines = [f"means over {count} replication(s), with 95% intervals across them",
                 *[w for w in [replications_warning(count)] if w]]
        for name, row in self.table.iterrows():
            ci = ("" if math.isnan(row["ci_low"])
                  else f"  [{row['ci_low']:.4g}, {row['ci_high']:.4g}]")
            lines.append(f"{name:<26} {row['mean']:>11.4g}{ci:<26}  {row['description']}")
        return "\n".join(lines)
