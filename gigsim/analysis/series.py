"""Weekly series of a whole run, warm-up included: what a warm-up is chosen from.

Each series is a time average over each week of the run, from its start (time 0, not the end
of the warm-up): workers on the platform, seats filled, and income earned per week by all
workers together. Only whole weeks are kept.
"""

from __future__ import annotations

import numpy as np

from gigsim.analysis.absences import away_within
from gigsim.engine.records import Records, SpellKind
from gigsim.scenario.units import HOURS_PER_WEEK

SERIES = {
    "workers": "workers on the platform (joined and not yet gone), mean over the week",
    "seats_filled": "seats held (training, qualification test or work), mean over the week",
    "income_usd": "income earned in the week by all workers together (USD)",
}
_SEAT_KINDS = (SpellKind.TRAINING, SpellKind.WORK, SpellKind.QUALIFICATION)


def covered(starts: np.ndarray, ends: np.ndarray, edges: np.ndarray,
            weights: np.ndarray | None = None) -> np.ndarray:
    """Weighted time that intervals ``[starts, ends)`` cover within each ``[edges[k], edges[k+1])``.

    The integral up to ``t`` of the count of intervals open at ``t`` is Σ (t − start)⁺ −
    Σ (t − end)⁺; both sums come from sorted cumulative sums, so the cost is that of a sort,
    whatever the number of weeks. ``weights`` (one per interval) scale each interval's count.
    """
    w = np.ones(len(starts)) if weights is None else np.asarray(weights, dtype=float)
    ends = np.where(np.isnan(ends), np.inf, ends)

    def below(points: np.ndarray) -> np.ndarray:  # Σ w (t − x)⁺ at each edge t
        order = np.argsort(points, kind="stable")
        x, wx = points[order], w[order]
        finite = np.isfinite(x)
        x, wx = x[finite], wx[finite]
        weight_sum = np.concatenate([[0.0], np.cumsum(wx)])
        moment_sum = np.concatenate([[0.0], np.cumsum(wx * x)])
        k = np.searchsorted(x, edges, side="right")
        return edges * weight_sum[k] - moment_sum[k]

    integral = below(np.asarray(starts, dtype=float)) - below(ends)
    return np.diff(integral)


def weekly_series(records: Records) -> dict[str, np.ndarray]:
    """Each of :data:`SERIES` over the run's whole weeks, from time 0."""
    weeks = int(records.end_h // HOURS_PER_WEEK)
    edges = np.arange(weeks + 1) * HOURS_PER_WEEK
    wk = records.workers
    s = records.spells
    seat = np.isin(s["kind"], [int(kind) for kind in _SEAT_KINDS])
    length = s["end"] - s["start"]
    rate = np.where(length > 0, s["income_usd"] / np.where(length > 0, length, 1.0), 0.0)
    away_from, away_to = away_within(records)  # absences: not on the platform
    return {
        "workers": (covered(wk["joined"], wk["left"], edges)
                    - covered(away_from, away_to, edges)) / HOURS_PER_WEEK,
        "seats_filled": covered(s["start"][seat], s["end"][seat], edges) / HOURS_PER_WEEK,
        "income_usd": covered(s["start"], s["end"], edges, rate),
    }
