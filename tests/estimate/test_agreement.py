"""The estimate and `gigsim run` describe the same people.

Workers of the group who apply during a run, with the cohort's weekly hours, are the people an
estimate follows: at the same tenure (months since applying) their income must agree with the
cohort's, within the sampling error of both. The run is the market alone
(:func:`gigsim.studies.cohort.market_scenario`) at the estimate's scale, on other seeds, so the two
are independent.
"""

from __future__ import annotations

import math

import pandas as pd

from gigsim import simulate
from gigsim.scenario.units import HOURS_PER_MONTH
from gigsim.studies.cohort import load_profile, market_scenario
from gigsim.studies.estimate import estimate

HOURS = 10
MONTHS = 6
TENURE = (1, 5)  # whole months 2 to 5 since applying (0-based 1..4): past onboarding


def _by_tenure(months: pd.DataFrame, joined: pd.DataFrame) -> pd.DataFrame:
    """Worker-months whose whole span lies between TENURE months after applying."""
    rows = months[months["available_h"] > 0].merge(joined, on=["replication", "worker_id"])
    start = rows["month"] * HOURS_PER_MONTH - rows["joined_h"]
    inside = (start >= TENURE[0] * HOURS_PER_MONTH - 1e-6) & (
        start + HOURS_PER_MONTH <= TENURE[1] * HOURS_PER_MONTH + 1e-6)
    return rows[inside]


def _per_replication(rows: pd.DataFrame) -> pd.DataFrame:
    grouped = rows.assign(zero=rows["income_usd"] <= 0).groupby("replication")
    return pd.DataFrame({"income": grouped["income_usd"].mean(), "zero": grouped["zero"].mean()})


def _mean_se(values: pd.Series) -> tuple[float, float]:
    return float(values.mean()), float(values.std(ddof=1) / math.sqrt(len(values)))


def test_estimate_and_run_agree_for_workers_of_equal_tenure_and_hours() -> None:
    scenario, group = load_profile(
        "generalist", {"workers.generalists.hours_per_week": str(HOURS)})
    est = estimate(scenario, group, HOURS, MONTHS, replications=12, seed=11, cohort=40)
    cohort = est.cohort_workers
    cohort_rows = _by_tenure(est.results.worker_months,
                             cohort.loc[cohort["onboarded_h"].notna(),
                                        ["replication", "worker_id", "joined_h"]])

    run = simulate(market_scenario(scenario, 2 * MONTHS, est.market_scale), replications=6,
                   seed=12)
    workers = run.workers
    applied = workers[(workers["group"] == group) & (workers["joined_h"] >= 0)
                      & workers["onboarded_h"].notna()]
    run_rows = _by_tenure(run.worker_months, applied[["replication", "worker_id", "joined_h"]])
    assert len(cohort_rows) > 100 and len(run_rows) > 1000

    a, b = _per_replication(cohort_rows), _per_replication(run_rows)
    for column in ("income", "zero"):
        (mean_a, se_a), (mean_b, se_b) = _mean_se(a[column]), _mean_se(b[column])
        # two independent means: their difference within 3 standard errors of it
        assert abs(mean_a - mean_b) < 3 * math.hypot(se_a, se_b), (column, mean_a, mean_b)
    # and they are not trivially equal: real income, real dry months (a replication's few
    # cohort members may all have a dry spell, so the check is on the means)
    assert a["income"].mean() > 0 and b["income"].mean() > 0 and 0 < b["zero"].mean() < 1
