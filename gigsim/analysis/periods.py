"""Spells split at the edges of periods of one length (pay periods, months).

Income and hours accrue evenly within a spell (docs/model.md §5), so a spell's share of a
period is the part of its length inside the period.
"""

from __future__ import annotations

import numpy as np


def split_at_periods(start: np.ndarray, stop: np.ndarray, every_h: float,
                     n_periods: int | None = None
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each spell's pieces in periods ``[k·every_h, (k+1)·every_h)``: ``(row, period, share)``.

    ``row`` indexes ``start``/``stop`` (a spell's pieces in order of period), ``share`` is the
    piece's part of the spell's length; a spell of length 0 is one piece of share 1 in the
    period it starts in. With ``n_periods``, no piece is past the last period: for times up to
    its end that rounding may put just past it.
    """
    first = np.floor(start / every_h).astype(np.int64)
    if n_periods is not None:
        first = np.minimum(first, n_periods - 1)
    last = np.where(stop > start, np.ceil(stop / every_h).astype(np.int64) - 1, first)
    last = np.maximum(last, first) if n_periods is None else np.clip(last, first, n_periods - 1)
    pieces = last - first + 1
    row = np.repeat(np.arange(len(start)), pieces)
    period = first[row] + np.arange(len(row)) - np.repeat(np.cumsum(pieces) - pieces, pieces)
    piece_start = np.maximum(start[row], period * every_h)
    piece_stop = np.minimum(stop[row], (period + 1) * every_h)
    length = (stop - start)[row]
    share = np.where(length > 0, (piece_stop - piece_start) / np.where(length > 0, length, 1.0),
                     1.0)
    return row, period, share
