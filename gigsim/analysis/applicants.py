"""Outcomes per applicant: what became of the people who applied, followed from applying.

Metrics over worker-months on the platform reward a policy that pushes people out: the months
of those who leave are gone from the average. These follow a cohort of applicants instead,
everyone counted for the same number of months whatever became of them (docs/model.md,
"Outcomes per applicant").

**The cohort.** The follow-up is ``F`` = :func:`follow_up_months` whole months (12, or half the
horizon in whole months if that is less, at least 1). The applicants of a replication are the
workers who applied (joined) in the window, at ``joined_h`` hours after the warm-up's end with
``0 ≤ joined_h ≤ horizon − F``, so that each can be followed for ``F`` months; each is followed
over ``[joined_h, joined_h + F)``, month ``k`` being ``[joined_h + k·M, joined_h + (k+1)·M)``.
Workers present from the start are not applicants unless the warm-up is 0. Income accrues
evenly over each spell (as in every table), so a spell is prorated to the part inside a month.

Every function here is pure: it reads :class:`~gigsim.engine.records.Records`.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from gigsim.analysis.absences import away_at
from gigsim.analysis.metrics import LEAVE_CAUSES
from gigsim.analysis.payments import PAY_METRICS
from gigsim.analysis.statistics import METRICS, gini, metric_interval, replication_metrics
from gigsim.analysis.survival import kaplan_meier
from gigsim.engine.records import LeaveCause, Records
from gigsim.scenario.pay import Pay
from gigsim.scenario.units import HOURS_PER_MONTH

FOLLOW_UP_MONTHS_MAX = 12
BOTTOM_SHARE = 0.2  # the poorest fifth of applicants, for applicant_bottom20_income_usd
ALL = "all"  # the group name of the pooled rows

_PER_APPLICANT = ", per applicant of the cohort"
APPLICANT_METRICS: dict[str, str] = {
    "applicant_income_usd": "income per applicant per month followed: the cohort's income over"
                            " its months followed ÷ (applicants × months followed), leavers and"
                            " failed assessments counting $0 after they go (USD)",
    "applicant_stay_share": "share of applicants still on the platform at the end of their"
                            " follow-up",
    "applicant_zero_month_share": "share of applicant-months followed (from applying) with no"
                                  " income, months after leaving included",
    "applicant_latency_median_h": "median reassignment latency of the cohort's releases in their"
                                  " follow-up, Kaplan–Meier, waits still open (or ended by"
                                  " leaving) counted as censored (hours)",
    "applicant_exit_failed_assessment_share": "share of applicants who failed the assessment"
                                              " within their follow-up",
    "applicant_exit_impatience_share": "share of applicants who left out of impatience (an idle"
                                       " spell longer than their patience) within their"
                                       " follow-up",
    "applicant_exit_hazard_share": "share of applicants who left by the leave hazard within"
                                   " their follow-up",
    "applicant_never_paid_share": "share of applicants with no income at all in their months"
                                  " followed",
    "applicant_income_gini": "Gini coefficient of income over the months followed, across"
                             " applicants (those with $0 included)",
    "applicant_bottom20_income_usd": "income per month followed of the poorest fifth of"
                                     " applicants: the mean over the ⌈n/5⌉ lowest incomes ÷"
                                     " months followed (USD)",
    "applicant_count": "applicants in the cohort (per replication): what the shares and"
                       " per-applicant figures divide by",
}
# compare and sweep know these and the worker-month metrics; the per-applicant ones first
ALL_METRICS: dict[str, str] = {**APPLICANT_METRICS, **METRICS}
# Every metric a study may report: with a pay schedule, its own metrics too
KNOWN_METRICS: dict[str, str] = {**ALL_METRICS, **PAY_METRICS}


def study_metrics(pay: Pay | None) -> dict[str, str]:
    """The metrics a comparison or a sweep reports: :data:`ALL_METRICS`, with ``pay`` its own."""
    return {**ALL_METRICS, **(PAY_METRICS if pay is not None else {})}


# Which way is better, for the reading of a comparison: +1 higher is better, −1 lower is.
BETTER: dict[str, int] = {
    "applicant_income_usd": 1, "applicant_stay_share": 1, "applicant_zero_month_share": -1,
    "applicant_latency_median_h": -1, "applicant_exit_failed_assessment_share": -1,
    "applicant_exit_impatience_share": -1, "applicant_exit_hazard_share": -1,
    "applicant_never_paid_share": -1, "applicant_income_gini": -1,
    "applicant_bottom20_income_usd": 1,
    "income_mean_usd": 1, "income_p10_usd": 1, "income_p50_usd": 1, "income_p90_usd": 1,
    "zero_income_share": -1, "months_with_income_share": 1, "income_volatility_usd": -1,
    "idle_share": -1, "short_of_work_share": -1, "latency_median_h": -1, "latency_mean_h": -1,
    "latency_p90_h": -1, "unpaid_share": -1, "paid_wage_usd": 1, "effective_wage_usd": 1,
    "effective_to_paid_wage": 1, "exit_within_12mo_share": -1, "income_gini": -1,
    "below_threshold_share": -1, "fill_latency_mean_h": -1, "unfilled_seat_h": -1,
    "received_mean_usd": 1, "no_money_arriving_share": -1, "forfeited_share": -1,
}


def follow_up_months(horizon_h: float) -> int:
    """``F``: 12 months, or half the horizon in whole months when that is less; at least 1."""
    half = math.floor(horizon_h / HOURS_PER_MONTH / 2 + 1e-9)
    return max(1, min(FOLLOW_UP_MONTHS_MAX, half))


def applicants_table(records: Records, months: int | None = None) -> pd.DataFrame:
    """One row per applicant of the cohort, followed ``months`` months (default ``F``).

    Columns: ``replication``, ``worker_id``, ``group``, ``joined_h`` (hours after the warm-up),
    ``income_usd`` (over the months followed), ``zero_months`` (months followed with no income,
    those after leaving included), ``months`` (followed), ``stayed`` (still on the platform at
    the end of the follow-up) and ``exit_cause`` (``still_here`` for those who stayed).
    """
    months = follow_up_months(records.horizon_h) if months is None else months
    follow_h = months * HOURS_PER_MONTH
    wk = records.workers
    joined = np.asarray(wk["joined"], dtype=float)
    since = joined - records.warmup_h
    cohort = (since >= 0) & (since <= records.horizon_h - follow_h + 1e-9)
    ids = np.asarray(wk["worker"], dtype=np.int64)[cohort]
    slot = np.full(len(joined), -1, dtype=np.int64)
    slot[ids] = np.arange(len(ids))

    s = records.spells
    worker = np.asarray(s["worker"], dtype=np.int64)
    mine = slot[worker] >= 0
    row = slot[worker[mine]]
    t0 = joined[ids][row]
    start = np.asarray(s["start"], dtype=float)[mine] - t0
    stop = np.asarray(s["end"], dtype=float)[mine] - t0
    income = np.asarray(s["income_usd"], dtype=float)[mine]
    per_month = _spread(start, stop, income, row, months, follow_h, len(ids))

    left = np.asarray(wk["left"], dtype=float)[cohort]
    stayed = ~(left <= joined[cohort] + follow_h)  # NaN (still here) stays
    cause = np.where(stayed, int(LeaveCause.STILL_HERE),
                     np.asarray(wk["leave_cause"], dtype=np.int64)[cohort])
    # a worker away at the end of the follow-up (``return``) has not stayed: its cause is that
    # absence's departure
    away, why = away_at(records, ids, joined[cohort] + follow_h)
    stayed &= ~away
    cause = np.where(away, np.nan_to_num(why), cause)
    group = np.asarray(wk["group"], dtype=np.int64)[cohort]
    return pd.DataFrame({
        "replication": records.replication,
        "worker_id": ids,
        "group": pd.Categorical.from_codes(group, categories=pd.Index(records.group_names)),
        "joined_h": since[cohort],
        "income_usd": per_month.sum(axis=1),
        "zero_months": (per_month <= 0).sum(axis=1),
        "months": months,
        "stayed": stayed,
        "exit_cause": pd.Categorical.from_codes(cause.astype(np.int64),
                                                categories=pd.Index(LEAVE_CAUSES.values())),
    })


def _spread(start: np.ndarray, stop: np.ndarray, income: np.ndarray, row: np.ndarray,
            months: int, follow_h: float, n: int) -> np.ndarray:
    """Income of spells (times relative to each one's applicant) per applicant and month.

    A spell's income is prorated to the part of it inside ``[0, follow_h)`` and then to each
    month of it; a spell of no length counts whole in the month it falls in.
    """
    out = np.zeros((n, months))
    length = stop - start
    a = np.clip(start, 0.0, follow_h)
    b = np.clip(stop, 0.0, follow_h)
    point = length <= 0
    keep = np.where(point, (start >= 0) & (start < follow_h), b > a)
    a, b, length, income, row, point = (a[keep], b[keep], length[keep], income[keep], row[keep],
                                        point[keep])
    first = np.minimum(np.floor(a / HOURS_PER_MONTH).astype(np.int64), months - 1)
    last = np.where(point, first, np.ceil(b / HOURS_PER_MONTH).astype(np.int64) - 1)
    last = np.clip(last, first, months - 1)
    pieces = last - first + 1
    index = np.repeat(np.arange(len(a)), pieces)
    month = first[index] + np.arange(len(index)) - np.repeat(np.cumsum(pieces) - pieces, pieces)
    piece = (np.minimum(b[index], (month + 1) * HOURS_PER_MONTH)
             - np.maximum(a[index], month * HOURS_PER_MONTH))
    share = np.where(point[index], 1.0, piece / np.where(point[index], 1.0, length[index]))
    np.add.at(out, (row[index], month), income[index] * share)
    return out


def cohort_latencies(records: Records, applicants: pd.DataFrame) -> pd.DataFrame:
    """The applicants' releases in their follow-up: ``worker_id``, ``latency_h``, ``censored``.

    A latency runs to the next assignment, or to leaving or the end of the run, where it is
    censored (as in the ``latencies`` table).
    """
    lat = records.latencies
    months = int(applicants["months"].iloc[0]) if len(applicants) else 1
    follow_h = months * HOURS_PER_MONTH
    joined = pd.Series(applicants["joined_h"].to_numpy() + records.warmup_h,
                       index=applicants["worker_id"].to_numpy())
    worker = np.asarray(lat["worker"], dtype=np.int64)
    t0 = joined.reindex(worker).to_numpy(dtype=float)
    released = np.asarray(lat["released"], dtype=float)
    keep = ~np.isnan(t0) & (released >= t0) & (released < t0 + follow_h)
    return pd.DataFrame({"worker_id": worker[keep],
                         "latency_h": np.asarray(lat["latency_h"], dtype=float)[keep],
                         "censored": np.asarray(lat["censored"], dtype=bool)[keep]})


def applicant_metrics(applicants: pd.DataFrame, latencies: pd.DataFrame) -> dict[str, float]:
    """Every metric of :data:`APPLICANT_METRICS` for one replication's applicants (or a group).

    ``applicants`` are rows of :func:`applicants_table`, ``latencies`` the rows of
    :func:`cohort_latencies` for the same applicants. NaN where there is no applicant.
    """
    n = len(applicants)
    if n == 0:
        return {name: (0.0 if name == "applicant_count" else math.nan)
                for name in APPLICANT_METRICS}
    months = float(applicants["months"].iloc[0])
    income = applicants["income_usd"].to_numpy(dtype=float)
    cause = applicants["exit_cause"].astype(str).to_numpy()
    lowest = np.sort(income)[:math.ceil(BOTTOM_SHARE * n)]
    latency = (kaplan_meier(latencies["latency_h"], latencies["censored"]).median
               if len(latencies) else math.nan)
    return {
        "applicant_income_usd": float(income.sum()) / (n * months),
        "applicant_stay_share": float(applicants["stayed"].mean()),
        "applicant_zero_month_share": float(applicants["zero_months"].sum()) / (n * months),
        "applicant_latency_median_h": latency,
        "applicant_exit_failed_assessment_share": float(np.mean(cause == "failed_assessment")),
        "applicant_exit_impatience_share": float(np.mean(cause == "impatience")),
        "applicant_exit_hazard_share": float(np.mean(cause == "hazard")),
        "applicant_never_paid_share": float(np.mean(income <= 0)),
        "applicant_income_gini": gini(income),
        "applicant_bottom20_income_usd": float(lowest.mean()) / months,
        "applicant_count": float(n),
    }


def applicant_metrics_by_group(records: Records, months: int | None = None
                               ) -> dict[str, dict[str, float]]:
    """:func:`applicant_metrics` of all applicants (``"all"``) and of each worker group."""
    applicants = applicants_table(records, months)
    latencies = cohort_latencies(records, applicants)
    out = {ALL: applicant_metrics(applicants, latencies)}
    for group in records.group_names:
        mine = applicants[applicants["group"] == group]
        ids = set(mine["worker_id"].tolist())
        out[group] = applicant_metrics(mine, latencies[latencies["worker_id"].isin(ids)])
    return out


def applicant_summary(records: Sequence[Records], months: int | None = None,
                      worker_months: bool = False) -> pd.DataFrame:
    """Per replication and group: every applicant metric (index ``group``, ``replication``).

    The group ``"all"`` pools every applicant; then one block per worker group. With
    ``worker_months``, each worker group's block also has the worker-month metrics of its
    workers alone (:func:`worker_month_metrics_by_group`; NaN in the ``all`` block, whose
    worker-month metrics are the run's summary).
    """
    frames = []
    for rec in records:
        by_group = worker_month_metrics_by_group(rec) if worker_months else {}
        for group, values in applicant_metrics_by_group(rec, months).items():
            frames.append({"group": group, "replication": rec.replication, **values,
                           **by_group.get(group, {})})
    columns = [*APPLICANT_METRICS, *(METRICS if worker_months else ())]
    frame = pd.DataFrame(frames, columns=["group", "replication", *columns])
    return frame.set_index(["group", "replication"])


def applicant_intervals(records: Sequence[Records], level: float = 0.95) -> pd.DataFrame:
    """Every applicant metric of the pooled cohort: its mean over replications and interval.

    One row per metric of :data:`APPLICANT_METRICS` (columns ``mean``, ``ci_low``,
    ``ci_high``, ``description``), computed as ``gigsim compare`` does for group ``all``
    (:func:`~gigsim.analysis.statistics.metric_interval`: shares in [0, 1], money ≥ 0).
    """
    values = applicant_summary(records).xs(ALL, level="group")
    rows = {}
    for metric, description in APPLICANT_METRICS.items():
        mean, low, high = metric_interval(metric, values[metric].to_numpy(), level)
        rows[metric] = {"mean": mean, "ci_low": low, "ci_high": high,
                        "description": description}
    return pd.DataFrame.from_dict(rows, orient="index")


def sweep_metrics(records: Records) -> dict[str, float]:
    """What a sweep's run keeps: the pooled applicant metrics and every worker-month metric."""
    return sweep_metrics_by_group(records)[0]


def sweep_metrics_by_group(records: Records, pay: Pay | None = None
                           ) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """:func:`sweep_metrics`, and each worker group's applicant metrics when there are several.

    The groups come from the same cohort at no further cost; a sweep keeps the worker-month
    metrics pooled only (``gigsim compare`` has them by group). With ``pay``, the pay
    schedule's metrics too (:data:`~gigsim.analysis.payments.PAY_METRICS`).
    """
    by_group = applicant_metrics_by_group(records)
    pooled = {**by_group.pop(ALL), **replication_metrics(records, pay)}
    return pooled, (by_group if len(records.group_names) > 1 else {})


# Worker-month metrics that describe projects, not workers: the same for every group.
PROJECT_METRICS = ("fill_latency_mean_h", "unfilled_seat_h")


def records_of_group(records: Records, group: str) -> Records:
    """``records`` seen from one worker group: its workers' spells and latencies only.

    The worker rows stay (tables index them by worker id), but the onboarding of other
    groups' workers is blanked, so that exits within a year count this group's alone.
    """
    index = records.group_names.index(group)
    of_worker = np.asarray(records.workers["group"], dtype=np.int64)
    mine = of_worker == index

    def keep(columns: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        rows = mine[np.asarray(columns["worker"], dtype=np.int64)]
        return {name: np.asarray(values)[rows] for name, values in columns.items()}

    workers = dict(records.workers)
    workers["onboarded"] = np.where(mine, records.workers["onboarded"], np.nan)
    return dataclasses.replace(records, spells=keep(records.spells),
                               latencies=keep(records.latencies), workers=workers)


def worker_month_metrics_by_group(records: Records) -> dict[str, dict[str, float]]:
    """:func:`~gigsim.analysis.statistics.replication_metrics` of each worker group's records.

    The project metrics (:data:`PROJECT_METRICS`) are NaN: they are not a group's.
    """
    out = {}
    for group in records.group_names:
        values = replication_metrics(records_of_group(records, group))
        out[group] = {**values, **{name: math.nan for name in PROJECT_METRICS}}
    return out
