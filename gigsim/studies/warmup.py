"""Warm-up chosen from the output: MSER-5 on the weekly series of a pilot run.

``warmup = "auto"`` (docs/model.md, "Warm-up chosen from the output"): a pilot of
:data:`PILOT_REPLICATIONS` replications runs the scenario for one horizon from time 0, with no
warm-up, on seed streams of their own (:data:`PILOT_STREAM` onwards, so no replication of the
study repeats them). Each weekly series (:mod:`gigsim.analysis.series`), averaged over the
pilot's replications, is truncated by MSER-5 (White 1997); the warm-up is the largest of the
series' truncation points, in whole weeks. A series whose truncation point lands at the end of
the range searched (half the pilot) has not settled within it: that is an error with the
numbers, not a silent run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from gigsim.analysis.series import SERIES, weekly_series
from gigsim.engine.records import Records
from gigsim.errors import GigsimError
from gigsim.scenario import Scenario

PILOT_REPLICATIONS = 3
PILOT_STREAM = 2 ** 32  # pilot replication k has seed stream PILOT_STREAM + k
BATCH = 5  # MSER-5: batch means of 5 observations (weeks)
RULE = ("MSER-5 (White 1997) on each weekly series, averaged over the pilot's replications;"
        " warm-up = the largest truncation point, in whole weeks")


def mser(series: Sequence[float] | np.ndarray, batch: int = BATCH) -> tuple[int, np.ndarray]:
    """MSER-``batch``: where to truncate ``series``, in observations, and the statistic.

    The series is cut into batch means Z₁ … Z_b of ``batch`` observations (a remainder at the
    end is dropped); for each d from 0 to ⌊b/2⌋, MSER(d) = Σ_{j>d} (Z_j − Z̄_d)² / (b − d)², the
    squared standard error of the mean of the batches kept, up to a constant. The truncation is
    ``batch`` × the d that minimises it (the first such d). Series shorter than two batches
    are not truncated.
    """
    x = np.asarray(series, dtype=float)
    b = len(x) // batch
    if b < 2:
        return 0, np.zeros(1)
    z = x[: b * batch].reshape(b, batch).mean(axis=1)
    statistic = np.array([np.sum((z[d:] - z[d:].mean()) ** 2) / (b - d) ** 2
                          for d in range(b // 2 + 1)])
    # ties (a flat series) go to the smallest truncation; rounding noise must not decide
    best = int(np.flatnonzero(statistic <= statistic.min() * (1 + 1e-12) + 1e-300)[0])
    return best * batch, statistic


@dataclass(frozen=True)
class WarmupChoice:
    """The warm-up chosen, and what it was chosen from."""

    weeks: int
    truncation_weeks: dict[str, int]  # per series
    series: dict[str, list[float]]  # each series, averaged over the pilot's replications
    pilot_replications: int
    pilot_weeks: int

    @property
    def warmup(self) -> str:
        """The warm-up as a scenario duration, e.g. ``"10w"``."""
        return f"{self.weeks}w"

    def describe(self) -> str:
        """One line for a terminal."""
        cuts = ", ".join(f"{name} {weeks}w" for name, weeks in self.truncation_weeks.items())
        return (f"warm-up {self.weeks} week(s), chosen by MSER-5 on a pilot of"
                f" {self.pilot_replications} replication(s) × {self.pilot_weeks} weeks, not"
                f" counted among the replications (cut per series: {cuts})")

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready form, for the summary and the manifest."""
        return {"rule": RULE, "warmup_weeks": self.weeks, "batch_weeks": BATCH,
                "pilot_replications": self.pilot_replications, "pilot_weeks": self.pilot_weeks,
                "pilot_seed_streams": f"{PILOT_STREAM} onwards",
                "truncation_weeks": self.truncation_weeks,
                "series": {name: {"description": SERIES[name], "weekly": values}
                           for name, values in self.series.items()}}


RunPilot = Callable[[Scenario, Sequence[int]], list[Records]]


def choose_warmup(scenario: Scenario, seed: int, run: RunPilot) -> WarmupChoice:
    """Run the pilot of ``scenario`` with ``run(scenario, indices)`` and choose its warm-up."""
    pilot = scenario.with_overrides({"simulation.warmup": 0})
    records = run(pilot, [PILOT_STREAM + k for k in range(PILOT_REPLICATIONS)])
    per_run = [weekly_series(r) for r in records]
    weeks = min(len(s["workers"]) for s in per_run)
    if weeks < 2 * BATCH * 2:
        raise GigsimError(
            f"{scenario.source}: simulation.warmup = \"auto\" needs a horizon of at least"
            f" {2 * BATCH * 2} weeks for its pilot (MSER-5 searches the first half in batches of"
            f" {BATCH} weeks), got {weeks}; lengthen simulation.horizon or give the warm-up as a"
            " duration")
    series = {name: np.mean([s[name][:weeks] for s in per_run], axis=0) for name in SERIES}
    cuts: dict[str, int] = {}
    limit = (weeks // BATCH) // 2 * BATCH
    for name, values in series.items():
        cut, _ = mser(values)
        if cut >= limit and limit > 0:
            raise GigsimError(
                f"{scenario.source}: simulation.warmup = \"auto\": the {name} series is still"
                f" changing at week {cut} of a {weeks}-week pilot (MSER-5 searches only the first"
                f" half), so too little of the horizon would be left; lengthen"
                f" simulation.horizon or give the warm-up as a duration")
        cuts[name] = cut
    chosen = max(cuts.values())  # whole weeks already: the series are weekly
    return WarmupChoice(chosen, cuts,
                        {name: [float(v) for v in values] for name, values in series.items()},
                        len(records), weeks)
