"""Right-censored durations: Kaplan–Meier curves, their quantiles, and where the data come from.

Idle spells and reassignment latencies may still be running when a worker leaves or the run
ends; such an observation says only that the duration was *at least* what was seen. Dropping
those would make waits look shorter than they are, and treating them as finished would too.
:func:`kaplan_meier` uses every observation, censored or not, through scipy's
``stats.ecdf(stats.CensoredData(...))``; the curve is what survives of the estimate:
``S(t)``, the share of durations longer than ``t``, with a pointwise confidence band.

:func:`idle_spells`, :func:`latency_durations` and :func:`longest_idle_spells` turn the tables
of a results folder into ``(duration_h, censored)`` frames for it. They read tables only.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

from gigsim.analysis.absences import ended_by_leaving
from gigsim.files import json_number

CONFIDENCE_LEVEL = 0.95


@dataclass(frozen=True)
class Survival:
    """A Kaplan–Meier estimate: ``S(t)`` after each distinct event time, and what it rests on.

    ``times`` are the distinct durations seen (ended or censored), ascending; ``survival[i]`` is
    the estimated share of durations longer than ``times[i]`` (``S`` is 1 before the first, and
    falls only at durations that ended).
    ``ci_low``/``ci_high`` bound it pointwise (Greenwood's variance on the log-log scale, as
    scipy computes it). ``censored_times`` are the durations seen only in part.
    """

    times: np.ndarray
    survival: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    censored_times: np.ndarray
    n: int

    @property
    def n_censored(self) -> int:
        """How many durations were seen only in part."""
        return len(self.censored_times)

    @property
    def n_events(self) -> int:
        """How many durations were seen to end."""
        return self.n - self.n_censored

    def at(self, t: ArrayLike) -> np.ndarray:
        """``S(t)``: the estimated share of durations longer than ``t``."""
        t = np.asarray(t, dtype=float)
        index = np.searchsorted(self.times, t, side="right")
        padded = np.r_[1.0, self.survival]
        return np.asarray(padded[index])

    def quantile(self, p: float) -> float:
        """The ``p`` quantile: the first event time at which ``S`` falls to ``1 − p`` or below.

        NaN when the curve never falls that far (too many durations still running): the
        quantile is then longer than the longest duration seen, and no estimate says by how
        much.
        """
        if not 0 < p < 1:
            raise ValueError(f"p must be in (0, 1), got {p}")
        # a small tolerance: S is a product of fractions that may miss 0.5 by rounding
        below = np.nonzero(self.survival <= 1 - p + 1e-12)[0]
        return float(self.times[below[0]]) if len(below) else math.nan

    @property
    def median(self) -> float:
        """The median duration (NaN when more than half are still running at the end)."""
        return self.quantile(0.5)

    def restricted_mean(self, until: float) -> float:
        """The mean of ``min(duration, until)``: the area under ``S`` from 0 to ``until``.

        With censoring the plain mean is not identified; this one is, for any ``until`` no
        later than the longest duration seen.
        """
        edges = np.r_[0.0, self.times[self.times < until], until]
        heights = np.r_[1.0, self.survival[self.times < until]]
        return float(np.sum(np.diff(edges) * heights))

    @property
    def longest_h(self) -> float:
        """The longest duration seen, ended or not."""
        seen = np.r_[self.times, self.censored_times]
        return float(seen.max()) if len(seen) else math.nan

    def to_dict(self) -> dict[str, float | int | None]:
        """The headline numbers, JSON-ready (NaN as None)."""
        return {
            "n": self.n,
            "censored": self.n_censored,
            "median_h": json_number(self.median),
            "p90_h": json_number(self.quantile(0.9)),
        }


def kaplan_meier(durations: ArrayLike, censored: ArrayLike,
                 level: float = CONFIDENCE_LEVEL) -> Survival:
    """The Kaplan–Meier estimate of the survival function of right-censored ``durations``.

    ``censored[i]`` is true when duration ``i`` was still running when observation stopped
    (so the duration is at least ``durations[i]``). NaN durations are an error: every
    observation counts. An empty sample gives an empty curve (``S = 1`` everywhere).
    """
    x = np.asarray(durations, dtype=float)
    flags = np.asarray(censored, dtype=bool)
    if x.shape != flags.shape:
        raise ValueError(f"durations and censored differ in length: {len(x)} and {len(flags)}")
    if np.isnan(x).any() or (x < 0).any():
        raise ValueError("durations must be non-negative numbers")
    empty = np.empty(0)
    if not (~flags).any():  # nothing ended: S = 1 as far as anything was seen
        return Survival(empty, empty, empty, empty, np.sort(x[flags]), len(x))
    data = stats.CensoredData(uncensored=x[~flags], right=x[flags])
    sf = stats.ecdf(data).sf
    times = np.asarray(sf.quantiles, dtype=float)
    survival = np.clip(np.asarray(sf.probabilities, dtype=float), 0.0, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
        # scipy warns where S is 0 or 1 and the log-log band is undefined; handled below
        warnings.simplefilter("ignore", RuntimeWarning)
        band = sf.confidence_interval(confidence_level=level, method="log-log")
        low = np.asarray(band.low.evaluate(times), dtype=float)
        high = np.asarray(band.high.evaluate(times), dtype=float)
    # where S is 0 or 1 the log-log band is undefined; the estimate itself is the best bound
    low = np.where(np.isnan(low), survival, low)
    high = np.where(np.isnan(high), survival, high)
    return Survival(times, survival, low, high, np.sort(x[flags]), len(x))


def idle_spells(spells: pd.DataFrame, workers: pd.DataFrame | None = None,
                absences: pd.DataFrame | None = None) -> pd.DataFrame:
    """Idle spells as right-censored durations: ``worker_id``, ``duration_h``, ``censored``.

    A spell is censored when the run ended during it (the table's ``censored``; also the
    column ``running``), and also, when ``workers`` is given, when it ended because the worker
    left the platform (the column ``left``): the spell ended without a next project, so the
    drought was not seen to end; so does a spell ending in an absence (``absences``: the
    worker left and came back later, :mod:`gigsim.analysis.absences`). ``censored`` is
    ``running | left``. Spells that began in the
    warm-up (``left_truncated``) are left out, since their start was not observed; every other
    spell is kept, censored or not.
    """
    idle = spells[(spells["kind"] == "idle") & ~spells["left_truncated"]]
    running = idle["censored"].to_numpy(dtype=bool)
    out = pd.DataFrame({
        "replication": idle["replication"].to_numpy(),
        "worker_id": idle["worker_id"].to_numpy(),
        "start_h": idle["start_h"].to_numpy(),
        "duration_h": (idle["end_h"] - idle["start_h"]).to_numpy(),
        "censored": running,
        "running": running,
        "left": np.zeros(len(idle), dtype=bool),
    })
    if workers is not None and len(out):
        left = workers.set_index(["replication", "worker_id"])["left_h"]
        end = (idle["end_h"]).to_numpy()
        keys = pd.MultiIndex.from_arrays([out["replication"], out["worker_id"]])
        left_at = left.reindex(keys).to_numpy(dtype=float)
        out["left"] = ~running & (np.isclose(end, left_at, rtol=0, atol=1e-9)
                                  | ended_by_leaving(idle, absences))
        out["censored"] = running | out["left"].to_numpy()
    return out


def latency_durations(latencies: pd.DataFrame) -> pd.DataFrame:
    """Reassignment latencies as right-censored durations: ``duration_h``, ``censored``."""
    return pd.DataFrame({
        "replication": latencies["replication"].to_numpy(),
        "worker_id": latencies["worker_id"].to_numpy(),
        "duration_h": latencies["latency_h"].to_numpy(dtype=float),
        "censored": latencies["censored"].to_numpy(dtype=bool),
    })


def longest_idle_spells(durations: pd.DataFrame) -> pd.DataFrame:
    """Each worker's longest idle stretch in the window: ``duration_h`` and ``running``.

    ``durations`` is what :func:`idle_spells` returns. ``duration_h`` is the length of the
    worker's longest idle spell as seen in the window, a spell still running at the end counted
    up to the end; ``running`` says whether that longest one was still running at the end of
    the run (its full length is longer), and ``left`` whether it ended with the worker leaving
    the platform (only when :func:`idle_spells` was given the workers): a worker who left is
    not waiting any more, so the two never hold together. Measured this way it is exact for
    the window, and needs no censoring: it is the longest time the worker spent waiting between
    projects *within* the period observed. One row per ``(replication, worker_id)`` with at
    least one idle spell.
    """
    if durations.empty:
        return pd.DataFrame({"replication": [], "worker_id": [], "duration_h": [],
                             "running": [], "left": []})
    running = durations["running"] if "running" in durations else durations["censored"]
    left = (durations["left"] if "left" in durations
            else pd.Series(False, index=durations.index))
    ordered = durations.assign(running=running, left=left).sort_values(
        ["replication", "worker_id", "duration_h", "running", "left"])
    longest = ordered.groupby(["replication", "worker_id"], sort=True).tail(1)
    return pd.DataFrame({
        "replication": longest["replication"].to_numpy(),
        "worker_id": longest["worker_id"].to_numpy(),
        "duration_h": longest["duration_h"].to_numpy(dtype=float),
        "running": longest["running"].to_numpy(dtype=bool),
        "left": longest["left"].to_numpy(dtype=bool),
    })


def pooled_percentiles(values: ArrayLike, percents: Sequence[float] = (10, 50, 90)
                       ) -> list[float]:
    """Percentiles of all ``values`` pooled (numpy's linear interpolation); NaN when empty."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if len(x) == 0:
        return [math.nan for _ in percents]
    return [float(v) for v in np.percentile(x, list(percents))]
