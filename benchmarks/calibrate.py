"""Find the scale factor that puts about N workers on the platform in the reference scenario.

``python -m benchmarks.calibrate [N ...]`` prints, for each target N, the factor ``k`` by which
:func:`benchmarks.scenarios.reference_data` must scale ``benchmarks/reference.toml`` so that the
mean number of workers on the platform over the simulated span is about N in the run the
benchmark times (replication 0 of the scenario's seed; ``--replications R`` averages
replications 0 to R - 1 instead). Small platforms lose more workers to droughts (a project of
1,000 seats is a large share of a small pool), so ``k`` is not proportional to N. Each round
rescales ``k`` by target / reached. The results are pasted into ``benchmarks/scenarios.py``
(``CALIBRATION``); this is not part of a benchmark run."""

from __future__ import annotations

import argparse
import statistics

import gigsim
from benchmarks import scenarios

HOURS_PER_YEAR = 8766.0


def mean_pool(k: float, replications: int, jobs: int) -> tuple[float, list[float]]:
    """The pool over the span at scale ``k``, averaged over replications, and each one."""
    data = scenarios.reference_data(0, 1.0, k=k)
    results = gigsim.simulate(gigsim.Scenario.from_dict(data), replications=replications,
                              seed=scenarios.SEED, jobs=jobs)
    pools = [scenarios.worker_years(r) * HOURS_PER_YEAR / r.end_h for r in results.records]
    return statistics.fmean(pools), pools


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="*", type=float, default=[1000, 10000, 100000])
    parser.add_argument("--replications", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()
    for target in args.targets:
        k = scenarios.scale_factor(target)
        for _ in range(args.rounds):
            pool, pools = mean_pool(k, args.replications, args.jobs)
            print(f"N={target:g} k={k:.4f} mean pool {pool:.0f} "
                  f"(replications: {', '.join(f'{p:.0f}' for p in pools)})", flush=True)
            k *= target / pool
        print(f"    ({target:g}, {k:.4f}),", flush=True)


if __name__ == "__main__":
    main()
