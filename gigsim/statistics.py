"""Summary statistics: one value per metric and replication, then means with t intervals.

Percentiles are taken per replication over its worker-months, then averaged across
replications, so that every interval is a t interval over independent replication values.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from gigsim.metrics import exit_within_year, latencies_table, worker_months_table
from gigsim.records import Records

METRICS: dict[str, str] = {
    "income_mean_usd": "mean monthly income per worker-month (USD)",
    "income_p10_usd": "10th percentile of monthly income (USD)",
    "income_p50_usd": "median monthly income (USD)",
    "income_p90_usd": "90th percentile of monthly income (USD)",
    "zero_income_share": "share of worker-months with no income",
    "months_with_income_share": "share of worker-months with some income",
    "income_volatility_usd": "mean absolute change in a worker's income between months (USD)",
    "idle_share": "share of available hours spent unassigned",
    "short_of_work_share": "share of workers paid for under 90% of their available hours",
    "latency_mean_h": "mean reassignment latency, completed ones (hours)",
    "latency_p90_h": "90th percentile of reassignment latency, completed ones (hours)",
    "latency_censored_share": "share of reassignment latencies still open at leaving or the end",
    "unpaid_share": "unpaid hours as a share of all working hours",
    "paid_wage_usd": "income per paid hour (USD/h)",
    "effective_wage_usd": "income per working hour, unpaid hours included (USD/h)",
    "effective_to_paid_wage": "effective wage / paid-time wage",
    "exit_within_12mo_share": "share of onboarded workers gone within 12 months",
}


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator > 0 else math.nan


def replication_metrics(records: Records) -> dict[str, float]:
    """Every summary metric for one replication."""
    # income is measured over months with onboarded time (not months spent in the assessment)
    months = worker_months_table(records)
    months = months[months["available_h"] > 0]
    income = months["income_usd"].to_numpy()
    paid_h = float((months["worked_h"] + months["paid_training_h"]
                    + months["paid_assessment_h"]).sum())
    unpaid_h = float(months["unpaid_h"].sum())
    total_income = float(income.sum())
    latencies = latencies_table(records)
    done = latencies.loc[~latencies["censored"], "latency_h"].to_numpy()
    by_worker = months.groupby("worker_id", sort=True)
    per_worker = by_worker[["worked_h", "paid_training_h", "available_h"]].sum()
    changes = by_worker["income_usd"].diff().abs().dropna()
    left, at_risk = exit_within_year(records)
    has_months = len(income) > 0
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
        "latency_mean_h": float(done.mean()) if len(done) else math.nan,
        "latency_p90_h": float(np.percentile(done, 90)) if len(done) else math.nan,
        "latency_censored_share": float(latencies["censored"].mean()) if len(latencies)
        else math.nan,
        "unpaid_share": _ratio(unpaid_h, paid_h + unpaid_h),
        "paid_wage_usd": _ratio(total_income, paid_h),
        "effective_wage_usd": _ratio(total_income, paid_h + unpaid_h),
        "effective_to_paid_wage": _ratio(paid_h, paid_h + unpaid_h),
        "exit_within_12mo_share": _ratio(left, at_risk),
    }


def t_interval(values: Sequence[float], level: float = 0.95) -> tuple[float, float, float]:
    """Mean and two-sided t confidence interval of independent values (NaNs ignored).

    With fewer than two values the interval is ``(nan, nan)``.
    """
    x = np.asarray([v for v in values if not math.isnan(v)], dtype=float)
    if len(x) == 0:
        return math.nan, math.nan, math.nan
    mean = float(x.mean())
    if len(x) < 2:
        return mean, math.nan, math.nan
    half = float(stats.t.ppf(0.5 + level / 2, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x)))
    return mean, mean - half, mean + half


@dataclass(frozen=True)
class Summary:
    """Each metric's mean across replications with its 95% confidence interval."""

    per_replication: pd.DataFrame  # one row per replication, one column per metric

    @classmethod
    def from_records(cls, records: Sequence[Records]) -> Summary:
        """Compute the metrics of every replication."""
        rows = [replication_metrics(r) for r in records]
        frame = pd.DataFrame(rows, columns=list(METRICS))
        frame.index = pd.Index([r.replication for r in records], name="replication")
        return cls(frame)

    @property
    def table(self) -> pd.DataFrame:
        """One row per metric: mean, ci_low, ci_high, and what it means."""
        rows = []
        for name, description in METRICS.items():
            mean, low, high = t_interval(self.per_replication[name].tolist())
            rows.append({"metric": name, "mean": mean, "ci_low": low, "ci_high": high,
                         "description": description})
        return pd.DataFrame(rows).set_index("metric")

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
                    "mean": _json_float(table.loc[name, "mean"]),
                    "ci_low": _json_float(table.loc[name, "ci_low"]),
                    "ci_high": _json_float(table.loc[name, "ci_high"]),
                    "description": METRICS[name],
                    "per_replication": [_json_float(v) for v in self.per_replication[name]],
                }
                for name in METRICS
            },
        }

    def __str__(self) -> str:
        lines = []
        for name, row in self.table.iterrows():
            ci = ("" if math.isnan(row["ci_low"])
                  else f"  [{row['ci_low']:.4g}, {row['ci_high']:.4g}]")
            lines.append(f"{name:<26} {row['mean']:>11.4g}{ci:<26}  {row['description']}")
        return "\n".join(lines)


def _json_float(value: object) -> float | None:
    number = float(value)  # type: ignore[arg-type]
    return None if math.isnan(number) else number
