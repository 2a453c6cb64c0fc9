"""The cohort's tables read per replication: its rows, its periods, its group's market.

:func:`gigsim.studies.estimate.summarise` reads an estimate's figures with these; the worker-month
rows are those of :attr:`gigsim.analysis.results.Results.worker_months`, ``month`` 0 the first
month since applying.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pandas as pd

from gigsim.analysis.results import Results
from gigsim.analysis.statistics import nonnegative_interval, share_interval
from gigsim.analysis.survival import pooled_percentiles


def worker_keys(frame: pd.DataFrame) -> pd.MultiIndex:
    """The (replication, worker_id) of each row of ``frame``."""
    return pd.MultiIndex.from_frame(frame[["replication", "worker_id"]])


def onboarded_keys(workers: pd.DataFrame) -> pd.MultiIndex:
    """The keys of the ``workers`` rows who passed onboarding."""
    return worker_keys(workers[workers["onboarded_h"].notna()])


def rows_of(frame: pd.DataFrame, keys: pd.MultiIndex) -> pd.DataFrame:
    """The rows of ``frame`` of the workers ``keys``."""
    return frame[worker_keys(frame).isin(keys)]


def per_replication(frame: pd.DataFrame, replications: int,
                    value: Callable[[pd.DataFrame], float]) -> list[float]:
    """``value`` of each replication's rows of ``frame``, NaN where it has none."""
    groups = dict(tuple(frame.groupby("replication")))
    return [value(groups[r]) if r in groups else math.nan for r in range(replications)]


def zero_share(rows: pd.DataFrame) -> float:
    """Share of worker-month ``rows`` with no income."""
    return float((rows["income_usd"] <= 0).mean())


def mean_income(rows: pd.DataFrame) -> float:
    """Mean income over worker-month ``rows``."""
    return float(rows["income_usd"].mean())


def period_table(rows: pd.DataFrame, replications: int, periods: list[range],
                 onboarded: int) -> pd.DataFrame:
    """Income by period since applying, for worker-month ``rows`` (``month`` 0 = the first).

    One row per period (a range of months, 0-based): ``month`` (first month, 1-based),
    ``months`` (how many), pooled ``p10_usd``/``p50_usd``/``p90_usd``; ``mean_usd`` and
    ``zero_share``, means over replications of each replication's value, with their 95%
    intervals; ``workers`` (worker-months in it) and ``on_platform_share`` (the share of the
    ``onboarded`` workers still on the platform, per month of the period).
    """
    out = []
    for period in periods:
        in_period = rows[rows["month"].isin(list(period))]
        p10, p50, p90 = pooled_percentiles(in_period["income_usd"].to_numpy())
        mean, mean_low, mean_high = nonnegative_interval(
            per_replication(in_period, replications, mean_income))
        zero, zero_low, zero_high = share_interval(
            per_replication(in_period, replications, zero_share))
        out.append({
            "month": period.start + 1, "months": len(period),
            "p10_usd": p10, "p50_usd": p50, "p90_usd": p90,
            "mean_usd": mean, "mean_ci_low_usd": mean_low, "mean_ci_high_usd": mean_high,
            "zero_share": zero, "zero_ci_low": zero_low, "zero_ci_high": zero_high,
            "workers": len(in_period),
            "on_platform_share": (len(in_period) / (onboarded * len(period)) if onboarded
                                  else math.nan),
        })
    return pd.DataFrame(out)


def market_figures(results: Results, group: str) -> dict[str, Any]:
    """``group``'s months in the same simulation as the cohort: every tenure, own hours.

    Over the group's worker-months with onboarded time (the rows the summary metrics take):
    the median monthly income pooled over them all, and the share of months with no income,
    a mean over replications with its interval.
    """
    months = results.worker_months
    rows = months[(months["group"] == group) & (months["available_h"] > 0)]
    return {
        "median_usd": pooled_percentiles(rows["income_usd"].to_numpy(), (50,))[0],
        "zero_share": share_interval(per_replication(rows, results.replications,
                                                      zero_share)),
        "worker_months": len(rows),
    }
