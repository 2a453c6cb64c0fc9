"""Tables from records: pure functions of :class:`~gigsim.engine.records.Records`, no live run.

Every table drops the warm-up: times are hours since its end, spells are clipped to the
observation window ``[0, horizon]`` (with their hours prorated), and month 0 is the first month
after the warm-up.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from gigsim.analysis.absences import away_at
from gigsim.analysis.periods import split_at_periods
from gigsim.engine.records import LeaveCause, Records, ReleaseCause, SpellKind
from gigsim.scenario.units import HOURS_PER_MONTH, HOURS_PER_YEAR

SPELL_KINDS = {int(k): k.name.lower() for k in SpellKind}
RELEASE_CAUSES = {int(c): c.name.lower() for c in ReleaseCause}
LEAVE_CAUSES = {int(c): c.name.lower() for c in LeaveCause}
END_CAUSES = ("lifetime", "client_lost")  # why a project ended: its own life, or its client's

HOUR_COLUMNS = (
    "available_h", "worked_h", "underused_h", "idle_h", "paid_training_h", "unpaid_training_h",
    "paid_assessment_h", "unpaid_assessment_h", "checking_h", "income_usd",
    "paid_qualification_h", "unpaid_qualification_h",
)
MONTH_COLUMNS = (
    "income_usd", "worked_h", "paid_training_h", "unpaid_h", "idle_h", "available_h",
    "underused_h", "paid_assessment_h", "unpaid_training_h", "unpaid_assessment_h", "checking_h",
    "paid_qualification_h", "unpaid_qualification_h",
)


def _categorical(codes: np.ndarray, names: list[str]) -> pd.Categorical[str]:
    return pd.Categorical.from_codes(codes, categories=pd.Index(names))


def several_platforms(records: Records) -> bool:
    """Whether the records are of several platforms: the tables then say which (§9)."""
    return len(records.platform_names) > 1


def platform_income_columns(records: Records) -> list[str]:
    """``worker_months``' income per platform, ``income_<platform>_usd`` (several only)."""
    return [f"income_{name}_usd" for name in records.platform_names] \
        if several_platforms(records) else []


def _with_platform(records: Records, frame: pd.DataFrame, table: Any, keep: Any
                   ) -> pd.DataFrame:
    """``frame`` with a ``platform`` column from ``table``'s rows ``keep``.

    Only with several platforms; code -1 (an idle spell's) is none.
    """
    if several_platforms(records):
        codes = np.asarray(table["platform"])[keep].astype(np.int64)
        frame["platform"] = _categorical(codes, list(records.platform_names))
    return frame


def _window(records: Records, hours: tuple[str, ...] = HOUR_COLUMNS,
            rows: slice = slice(None), spells: bool = True) -> dict[str, Any]:
    """Spell records ``rows`` in the observation window, clipped, shifted and prorated.

    Times are clipped to the window and shifted to its start; the ``hours`` columns are
    prorated to the part of each spell inside it. ``rows`` (a slice of the records), ``keep``
    (which of them are in the window) and ``share`` (the part of each kept spell inside it) come
    along, so that a caller can prorate other hour columns one at a time. Without ``spells``,
    only the worker, kind and times of the spells (not their project, ``censored`` and
    ``left_truncated``).
    """
    s = records.spells
    warmup, end = records.warmup_h, records.end_h
    start, stop = s["start"][rows], s["end"][rows]
    length = stop - start
    zero = length == 0
    keep = np.where(zero, (start >= warmup) & (start < end), (stop > warmup) & (start < end))
    clipped_start = np.maximum(start, warmup)[keep]
    clipped_stop = np.minimum(stop, end)[keep]
    length = length[keep]
    share = np.where(length > 0, (clipped_stop - clipped_start) / np.where(length > 0, length, 1),
                     1.0)
    clipped_start -= warmup
    clipped_stop -= warmup
    out = {
        "rows": rows,
        "keep": keep,
        "share": share,
        "worker": s["worker"][rows][keep].astype(np.int64),
        "kind": s["kind"][rows][keep].astype(np.int64),
        "start_h": clipped_start,
        "end_h": clipped_stop,
    }
    if spells:
        out["project"] = s["project"][rows][keep].astype(np.int64)
        out["censored"] = s["censored"][rows][keep].astype(bool)
        out["left_truncated"] = start[keep] < warmup
    for name in hours:
        out[name] = _prorated(records, out, name)
    return out


def _prorated(records: Records, window: dict[str, Any], name: str) -> np.ndarray:
    """Hour column ``name`` of the spells in ``window``, prorated to their part inside it."""
    values = records.spells[name][window["rows"]][window["keep"]]
    values *= window["share"]
    return values


def spells_table(records: Records) -> pd.DataFrame:
    """One row per spell (assessment, idle, training, work) inside the observation window."""
    w = _window(records)
    columns = {
        "replication": np.full(len(w["worker"]), records.replication),
        "worker_id": w["worker"],
        "kind": _categorical(w["kind"], list(SPELL_KINDS.values())),
        "start_h": w["start_h"],
        "end_h": w["end_h"],
        "censored": w["censored"],
        "left_truncated": w["left_truncated"],
        "project_id": w["project"],
    }
    for name in HOUR_COLUMNS:
        columns[name] = w[name]
    frame = pd.DataFrame(columns, copy=False)  # the arrays are new: no need to copy them
    return _with_platform(records, frame, records.spells, w["keep"])


def onboarded_hours(records: Records) -> pd.Series:
    """Clock hours of each worker's idle, training and work spells in the window, by worker id.

    The same as summing ``end_h - start_h`` of the non-assessment rows of
    :func:`spells_table` by worker, without building that table.
    """
    w = _window(records, hours=(), spells=False)
    onboarded = w["kind"] != int(SpellKind.ASSESSMENT)
    length = w["end_h"][onboarded] - w["start_h"][onboarded]
    return pd.Series(length).groupby(w["worker"][onboarded]).sum()


def months_on_platform(worker_months: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``worker_months`` with onboarded time (``available_h > 0``).

    These are the months every income figure is over (``M`` in docs/model.md, section 10): an
    applicant's months before onboarding, or after failing the assessment, have a row (their
    unpaid hours count) but no hours available for work, so they are not months with no income.
    """
    return worker_months[worker_months["available_h"] > 0]


# worker_months_table reads the spells this many at a time, which bounds its scratch memory
MONTHS_CHUNK = 1 << 19


def worker_months_table(records: Records) -> pd.DataFrame:
    """One row per worker and month in which the worker was on the platform for some of it."""
    worker_id, month, sums = worker_month_sums(records)
    group = records.workers["group"].astype(np.int64)[worker_id]
    frame = pd.DataFrame({
        "replication": records.replication,
        "worker_id": worker_id,
        "group": _categorical(group, list(records.group_names)),
        "month": month,
        "income_usd": sums["income_usd"],
        "worked_h": sums["worked_h"],
        "paid_training_h": sums["paid_training_h"],
        "unpaid_h": sums["unpaid_training_h"] + sums["unpaid_assessment_h"] + sums["checking_h"]
        + sums["unpaid_qualification_h"],
        "idle_h": sums["idle_h"],
        "available_h": sums["available_h"],
        "underused_h": sums["underused_h"],
        "paid_assessment_h": sums["paid_assessment_h"],
        "unpaid_training_h": sums["unpaid_training_h"],
        "unpaid_assessment_h": sums["unpaid_assessment_h"],
        "checking_h": sums["checking_h"],
        "paid_qualification_h": sums["paid_qualification_h"],
        "unpaid_qualification_h": sums["unpaid_qualification_h"],
        **{name: sums[name] for name in platform_income_columns(records)},
    }, copy=False)  # the arrays are new: no need to copy them
    return frame


def worker_month_sums(records: Records, hours: tuple[str, ...] = HOUR_COLUMNS
                      ) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Each worker-month's sums of the spell columns ``hours``: worker ids, months, sums.

    The rows and values of :func:`worker_months_table` (which reads every column of
    :data:`HOUR_COLUMNS`, and the income per platform with several), without a table: a
    caller that needs a few columns holds only those.
    """
    n_months = int(max(1, np.ceil(records.horizon_h / HOURS_PER_MONTH)))
    n_spells = len(records.spells["worker"])
    platforms = platform_income_columns(records) if hours == HOUR_COLUMNS else []
    parts = [_month_sums(records, lo, min(lo + MONTHS_CHUNK, n_spells), n_months, hours,
                         platforms)
             for lo in range(0, max(n_spells, 1), MONTHS_CHUNK)]
    if len(parts) == 1:
        keys, sums = parts[0]
    else:  # a worker-month may have spells in several chunks: add up its partial sums
        keys, inverse = np.unique(np.concatenate([k for k, _ in parts]), return_inverse=True)
        sums = {}
        for name in (*hours, *platforms):  # a column at a time
            weights = np.concatenate([part.pop(name) for _, part in parts])
            sums[name] = np.bincount(inverse, weights=weights, minlength=len(keys))
    return keys // n_months, keys % n_months, sums


def _month_sums(records: Records, lo: int, hi: int, n_months: int, hours: tuple[str, ...],
                platforms: list[str]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Hour sums per worker-month (key ``worker * n_months + month``) of spells ``lo:hi``."""
    w = _window(records, hours=(), rows=slice(lo, hi), spells=False)
    start, stop = w["start_h"], w["end_h"]
    # times are clipped to [0, horizon]; rounding in the shift by the warm-up must not push an
    # end into a month past the last one
    row, month, share = split_at_periods(start, stop, HOURS_PER_MONTH, n_months)
    keys, inverse = np.unique(w["worker"][row] * n_months + month, return_inverse=True)
    sums = {}
    for name in hours:
        spread = _prorated(records, w, name)[row]
        spread *= share
        sums[name] = np.bincount(inverse, weights=spread, minlength=len(keys))
    platform = records.spells["platform"][w["rows"]][w["keep"]][row] if platforms else None
    for k, name in enumerate(platforms):
        spread = _prorated(records, w, "income_usd")[row] * share * (platform == k)
        sums[name] = np.bincount(inverse, weights=spread, minlength=len(keys))
    return keys, sums


def latencies_table(records: Records) -> pd.DataFrame:
    """One row per release (project end or onboarding) inside the observation window.

    ``latency_h`` runs to the start of the next assignment; where the worker left or the run
    ended first, it runs to that moment and ``censored`` is true. A worker who may hold several
    projects has a row per slot and release (``slot``: 0 for the first, docs/model.md §4).
    """
    lat = records.latencies
    keep = (lat["released"] >= records.warmup_h) & (lat["released"] < records.end_h)
    cause = lat["cause"][keep].astype(np.int64)
    frame = pd.DataFrame({
        "replication": records.replication,
        "worker_id": lat["worker"][keep].astype(np.int64),
        "released_h": lat["released"][keep] - records.warmup_h,
        "latency_h": lat["latency_h"][keep],
        "censored": lat["censored"][keep].astype(bool),
        "cause": _categorical(cause, list(RELEASE_CAUSES.values())),
        "slot": lat["slot"][keep].astype(np.int64),
    })
    return _with_platform(records, frame, lat, keep)


def _projects_in_window(records: Records) -> np.ndarray:
    """Which projects were alive during the observation window: one row each in both tables."""
    p = records.projects
    return (p["end"] > records.warmup_h) & (p["launch"] < records.end_h)


def projects_table(records: Records) -> pd.DataFrame:
    """One row per project alive during the observation window: what the generator drew.

    Only exogenous attributes are here, so the table is the same whatever the dispatch policy;
    what dispatch did to the seats is in :func:`project_fills_table`.
    """
    p = records.projects
    keep = _projects_in_window(records)
    w = records.warmup_h
    generator = p["generator"][keep].astype(np.int64)
    notice = p["notice"][keep].astype(bool)
    frame = pd.DataFrame({
        "replication": records.replication,
        "project_id": p["project"][keep].astype(np.int64),
        "generator": _categorical(generator, list(records.generator_names)),
        "launch_h": p["launch"][keep] - w,
        "end_h": p["end"][keep] - w,
        "seats": p["seats"][keep].astype(np.int64),
        "notice": notice,
        "notice_h": np.where(notice, p["notice_at"][keep] - w, np.nan),
        "pay_per_hour_usd": p["pay_per_hour"][keep],
        "hours_per_week_per_seat": p["hours_per_week_per_seat"][keep],
        "training_h": p["training_h"][keep],
        "training_paid": p["training_paid"][keep].astype(bool),
        "sparse_h": p["sparse_at"][keep] - w,
        "task_supply_h_per_week": p["task_supply_h_per_week"][keep],
        "qualification_h": p["qualification_h"][keep],
        "client": _categorical(p["client"][keep].astype(np.int64), list(records.client_names)),
        "end_cause": _categorical(p["ended_by_client"][keep].astype(np.int64),
                                  list(END_CAUSES)),
    })
    return _with_platform(records, frame, p, keep)


def project_fills_table(records: Records) -> pd.DataFrame:
    """Per project: seats filled, their mean fill latency, and unfilled seat-hours."""
    p = records.projects
    keep = _projects_in_window(records)
    filled = p["seats_filled"][keep]
    return pd.DataFrame({
        "replication": records.replication,
        "project_id": p["project"][keep].astype(np.int64),
        "seats_filled": filled.astype(np.int64),
        "fill_latency_mean_h": np.where(filled > 0, p["fill_latency_sum_h"][keep]
                                        / np.maximum(filled, 1), np.nan),
        "unfilled_seat_h": p["unfilled_seat_h"][keep],
    })


def workers_table(records: Records) -> pd.DataFrame:
    """One row per worker on the platform at some time in the observation window."""
    wk = records.workers
    left = wk["left"]
    # like a zero-length spell, a worker who joins and leaves at once at the warm-up end counts
    keep = (wk["joined"] < records.end_h) & ~((left <= records.warmup_h)
                                             & (wk["joined"] < records.warmup_h))
    w = records.warmup_h
    cause = wk["leave_cause"][keep].astype(np.int64)
    group = wk["group"][keep].astype(np.int64)
    return pd.DataFrame({
        "replication": records.replication,
        "worker_id": wk["worker"][keep].astype(np.int64),
        "group": _categorical(group, list(records.group_names)),
        "joined_h": wk["joined"][keep] - w,
        "onboarded_h": wk["onboarded"][keep] - w,
        "left_h": left[keep] - w,
        "leave_cause": _categorical(cause, list(LEAVE_CAUSES.values())),
        "hours_per_week": wk["hours_per_week"][keep],
        "quality": wk["quality"][keep],
        "minimum_pay_per_hour": wk["minimum_pay_per_hour"][keep],
        "refusals": wk["refusals"][keep].astype(np.int64),
        "reservation_wage": wk["reservation_wage"][keep],
        "returns": wk["returns"][keep].astype(np.int64),
    })


def exit_within_year(records: Records) -> tuple[int, int]:
    """Count workers who left within a year of onboarding: ``(left, at_risk)``.

    At risk are those onboarded a year or more before the end of the run (warm-up included).
    Gone: not on the platform a year after onboarding, by the last departure before then or
    away then (an absence, ``return``).
    """
    wk = records.workers
    onboarded = wk["onboarded"]
    at_risk = ~np.isnan(onboarded) & (onboarded <= records.end_h - HOURS_PER_YEAR)
    left = at_risk & (wk["left"] - onboarded < HOURS_PER_YEAR)
    if len(records.absences.get("worker", ())):
        ids = np.flatnonzero(at_risk & ~left)
        left[ids] = away_at(records, ids, onboarded[ids] + HOURS_PER_YEAR)[0]
    return int(left.sum()), int(at_risk.sum())
