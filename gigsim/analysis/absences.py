"""Absences: a worker who left and came back (``return``, docs/model.md §3 and §9).

A worker's stays on the platform are cut by its absences: from leaving (impatience or low
earnings) to coming back. The time away is no spell (neither idle nor working, nothing
available), so the tables built from spells leave it out by themselves; what reads a worker's
stay from ``joined`` to ``left`` takes the absences out with :func:`away_within`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from gigsim.engine.records import ABSENCE_COLUMNS, LeaveCause, Records

ABSENCES = "absences"  # the table's name, among a run's tables when a group has ``return``
_CAUSES = [cause.name.lower() for cause in LeaveCause]  # as the workers table's leave_cause

if TYPE_CHECKING:  # pandas is imported where a table is built: a worker process needs none
    import pandas as pd


def absences_table(records: Records) -> pd.DataFrame:
    """One row per absence overlapping the window: left and back, in hours since the warm-up.

    An absence is kept if the worker was back after the warm-up and left before the end of the
    run (an absence ends in a return before the end, by construction).
    """
    import pandas as pd

    a = records.absences
    if not len(a.get("worker", ())):
        a = {name: np.empty(0) for name in ABSENCE_COLUMNS}
    keep = (a["back"] > records.warmup_h) & (a["left"] < records.end_h)
    w = records.warmup_h
    return pd.DataFrame({
        "replication": records.replication,
        "worker_id": a["worker"][keep].astype(np.int64),
        "left_h": a["left"][keep] - w,
        "cause": pd.Categorical.from_codes(a["cause"][keep].astype(np.int64),
                                           categories=pd.Index(_CAUSES)),
        "back_h": a["back"][keep] - w,
        "away_h": (a["back"] - a["left"])[keep],
    })


def away_within(records: Records) -> tuple[np.ndarray, np.ndarray]:
    """The absences' ``(left, back)`` in absolute hours (empty without ``return``)."""
    a = records.absences
    if not len(a.get("worker", ())):
        return np.empty(0), np.empty(0)
    return np.asarray(a["left"]), np.asarray(a["back"])


def away_at(records: Records, workers: np.ndarray, at: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray]:
    """Whether each of ``workers`` was away at ``at`` (absolute, one each), and why it left.

    Away: an absence with ``left <= at < back``. The cause is that departure's (NaN if not away).
    """
    away = np.zeros(len(workers), dtype=bool)
    cause = np.full(len(workers), np.nan)
    a = records.absences
    if not len(a.get("worker", ())) or not len(workers):
        return away, cause
    positions: dict[int, list[int]] = {}
    for k, w in enumerate(workers.tolist()):
        positions.setdefault(int(w), []).append(k)
    for w, left, back, why in zip(a["worker"].tolist(), a["left"].tolist(),
                                  a["back"].tolist(), a["cause"].tolist(), strict=True):
        for k in positions.get(int(w), ()):
            if left <= at[k] < back:
                away[k], cause[k] = True, why
    return away, cause


def ended_by_leaving(idle: pd.DataFrame, absences: pd.DataFrame | None) -> np.ndarray:
    """Which idle spells (``replication``, ``worker_id``, ``end_h``) ended in an absence."""
    if absences is None or absences.empty or idle.empty:
        return np.zeros(len(idle), dtype=bool)
    import pandas as pd

    keys = pd.MultiIndex.from_arrays([absences["replication"], absences["worker_id"],
                                      absences["left_h"].round(6)])
    mine = pd.MultiIndex.from_arrays([idle["replication"], idle["worker_id"],
                                      idle["end_h"].round(6)])
    return np.asarray(mine.isin(keys))


__all__ = ["ABSENCES", "absences_table", "away_at", "away_within", "ended_by_leaving"]
