"""Warm-up chosen from the output: MSER-5 on the weekly series of a pilot run.

``warmup = "auto"`` (docs/model.md, "Warm-up chosen from the output"): a pilot of
:data:`PILOT_REPLICATIONS` replications runs the scenario for :data:`PILOT_HORIZONS` horizons
from time 0, with no warm-up, on seed streams of their own (:data:`PILOT_STREAM` onwards, so no
replication of the study repeats them). Each weekly series (:mod:`gigsim.analysis.series`),
averaged over the pilot's replications, is truncated by MSER-5 (White 1997); the warm-up is the
largest of the series' truncation points, in whole weeks. MSER-5 searches the first half of a
series, so the warm-up is at most one horizon; one at that limit is reported with a warning (a
series may not have settled), not refused: on a stationary but slowly wandering series MSER-5
lands there by chance too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from gigsim.analysis.series import SERIES, weekly_series
from gigsim.engine.records import Records
from gigsim.errors import GigsimError
from gigsim.scenario import Scenario
from gigsim.scenario.units import HOURS_PER_WEEK

PILOT_REPLICATIONS = 10
PILOT_HORIZONS = 2  # the pilot runs this many horizons: the warm-up searched is up to one
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
    at_limit: bool = False  # the cut is the last MSER-5 considers: the series may not settle

    @property
    def warmup(self) -> str:
        """The warm-up as a scenario duration, e.g. ``"10w"``."""
        return f"{self.weeks}w"

    def describe(self) -> str:
        """One line for a terminal."""
        cuts = ", ".join(f"{name} {weeks}w" for name, weeks in self.truncation_weeks.items())
        text = (f"warm-up {self.weeks} week(s), chosen by MSER-5 on a pilot of"
                f" {self.pilot_replications} replication(s) × {self.pilot_weeks} weeks, not"
                f" counted among the replications (cut per series: {cuts})")
        if self.at_limit:
            text += ("\nwarning: the warm-up is the longest MSER-5 considers (half the pilot,"
                     " one horizon): a series may still be changing; check the weekly series"
                     " in the manifest, or lengthen simulation.horizon")
        return text

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready form, for the summary and the manifest."""
        return {"rule": RULE, "warmup_weeks": self.weeks, "batch_weeks": BATCH,
                "pilot_replications": self.pilot_replications, "pilot_weeks": self.pilot_weeks,
                "pilot_seed_streams": f"{PILOT_STREAM} onwards",
                "truncation_weeks": self.truncation_weeks, "at_search_limit": self.at_limit,
                "series": {name: {"description": SERIES[name], "weekly": values}
                           for name, values in self.series.items()}}


RunPilot = Callable[[Scenario, Sequence[int]], list[Records]]
PILOT_INDICES = range(PILOT_STREAM, PILOT_STREAM + PILOT_REPLICATIONS)


def check_pilot(scenario: Scenario) -> None:
    """Refuse ``warmup = "auto"`` on a horizon too short for its pilot to be batched."""
    if not scenario.simulation.warmup_auto:
        return
    horizon_weeks = scenario.simulation.horizon_h / HOURS_PER_WEEK
    shortest = 2 * BATCH * 2 / PILOT_HORIZONS  # two batches in the half MSER-5 searches
    if horizon_weeks < shortest:
        raise GigsimError(
            f"{scenario.blame('simulation.warmup')}: simulation.warmup = \"auto\" needs a"
            f" horizon of at least {shortest:g} weeks (its pilot runs {PILOT_HORIZONS} horizons"
            f" and MSER-5 searches the first half in batches of {BATCH} weeks), got"
            f" {horizon_weeks:.3g}; lengthen simulation.horizon or give the warm-up as a duration")


def pilot_scenario(scenario: Scenario) -> Scenario:
    """What the pilot of ``scenario`` runs: :data:`PILOT_HORIZONS` horizons from time 0."""
    check_pilot(scenario)
    horizon_weeks = scenario.simulation.horizon_h / HOURS_PER_WEEK
    return scenario.with_overrides({"simulation.warmup": 0,
                                    "simulation.horizon": f"{PILOT_HORIZONS * horizon_weeks!r}w"})


def choice_from_series(per_run: Sequence[Mapping[str, Sequence[float] | np.ndarray]]
                       ) -> WarmupChoice:
    """The warm-up chosen from the weekly series of each pilot replication (in index order)."""
    weeks = min(len(s["workers"]) for s in per_run)
    series = {name: np.mean([np.asarray(s[name][:weeks], dtype=float) for s in per_run], axis=0)
              for name in SERIES}
    cuts = {name: mser(values)[0] for name, values in series.items()}
    chosen = max(cuts.values())  # whole weeks already: the series are weekly
    limit = (weeks // BATCH) // 2 * BATCH  # the last cut MSER-5 considers
    return WarmupChoice(chosen, cuts,
                        {name: [float(v) for v in values] for name, values in series.items()},
                        len(per_run), weeks, at_limit=chosen >= limit)


def choose_warmup(scenario: Scenario, seed: int, run: RunPilot) -> WarmupChoice:
    """Run the pilot of ``scenario`` with ``run(scenario, indices)`` and choose its warm-up."""
    records = run(pilot_scenario(scenario), PILOT_INDICES)
    return choice_from_series([weekly_series(r) for r in records])


def with_warmup(scenario: Scenario, weeks: int) -> Scenario:
    """``scenario`` with the warm-up chosen, where it asked for ``"auto"`` (else as it is)."""
    if not scenario.simulation.warmup_auto:
        return scenario
    return scenario.with_overrides({"simulation.warmup": f"{weeks}w"})


COMMON_RULE = ("one warm-up for every variant, so that they stay paired over the same window:"
               " the largest of the warm-ups MSER-5 chooses on each variant's own pilot")


@dataclass(frozen=True)
class CommonWarmup:
    """One warm-up for several scenarios (the variants of a comparison): the largest choice.

    ``choices`` holds each variant's own :class:`WarmupChoice`, by name, for the variants that
    asked for ``warmup = "auto"``.
    """

    choices: Mapping[str, WarmupChoice]

    @property
    def weeks(self) -> int:
        """The warm-up every variant runs with, in weeks."""
        return max(choice.weeks for choice in self.choices.values())

    @property
    def warmup(self) -> str:
        """The warm-up as a scenario duration, e.g. ``"10w"``."""
        return f"{self.weeks}w"

    def apply(self, scenario: Scenario) -> Scenario:
        """``scenario`` with this warm-up, where it asked for ``"auto"``."""
        return with_warmup(scenario, self.weeks)

    def describe(self) -> str:
        """One line for a terminal, and a warning per variant whose cut is at the limit."""
        first = next(iter(self.choices.values()))
        own = ", ".join(f"{name} {choice.weeks}w" for name, choice in self.choices.items())
        text = (f"warm-up {self.weeks} week(s) for every variant: the largest of each variant's"
                f" MSER-5 choice on its own pilot of {first.pilot_replications} replication(s)"
                f" × {first.pilot_weeks} weeks, not counted among the replications ({own})")
        limited = [name for name, choice in self.choices.items() if choice.at_limit]
        if limited:
            text += (f"\nwarning: for {', '.join(limited)} the warm-up is the longest MSER-5"
                     " considers (half the pilot, one horizon): a series may still be changing;"
                     " check the weekly series in the manifest, or lengthen simulation.horizon")
        return text

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready form, for the summary and the manifest: the rule, then each variant's."""
        return {"rule": COMMON_RULE, "warmup_weeks": self.weeks,
                "variants": {name: choice.to_dict() for name, choice in self.choices.items()}}
