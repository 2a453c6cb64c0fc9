"""Direction checks: changing one input moves an output the way the model says it must.

Each pair of configurations runs with the same seed, so replication i of both shares its
``SeedSequence`` child (common random numbers; the project stream depends only on the seed, the
replication and the generator's name). The check is on per-replication paired differences: their
mean must exceed ``k`` standard errors of the difference, ``k`` the t quantile (R - 1 d.f.) of a
two-sided 4-sigma band (see ``_validation_support``), i.e. the direction is significant at about
the 3e-5 level, not merely observed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from _validation_support import assert_positive, per_replication_ratio, scenario

import gigsim

REPLICATIONS = 20


def _mixed(**changes: Any) -> gigsim.Scenario:
    """A loaded market: fewer seats than workers, random delays, log-normal lives, notice."""
    settings: dict[str, Any] = {
        "workers": 60,
        "hours_per_week": {"dist": "uniform", "low": 10, "high": 30},
        "arrivals_per_week": 2.0,
        "seats": {"dist": "poisson", "mean": 8},
        "lifetime": {"dist": "lognormal", "median": "2w", "sigma": 0.8},
        "hours_per_week_per_seat": 25,
        "delay": {"dist": "exponential", "mean": "3d"},
        "notice": {"probability": 0.5, "duration": "1w"},
        "pre_assign": True,
        "horizon": "1y",
        "warmup": "12w",
    }
    settings.update(changes)
    return scenario(**settings)


def _ample(**changes: Any) -> gigsim.Scenario:
    """Seats always waiting: 20 projects a week with 20 seats each, for 50 workers."""
    settings: dict[str, Any] = {
        "workers": 50,
        "arrivals_per_week": 20.0,
        "seats": 20,
        "lifetime": {"dist": "exponential", "mean": "1w"},
        "delay": {"dist": "exponential", "mean": "3d"},
        "horizon": "1y",
        "warmup": "8w",
    }
    settings.update(changes)
    return scenario(**settings)


def _run(run: gigsim.Scenario, seed: int) -> gigsim.Results:
    return gigsim.simulate(run, replications=REPLICATIONS, seed=seed, jobs=1)


def _idle_share(results: gigsim.Results) -> np.ndarray:
    return per_replication_ratio(results.worker_months, "idle_h", "available_h")


def _mean_latency(results: gigsim.Results) -> np.ndarray:
    """Mean completed reassignment latency after a project end, per replication.

    Censored latencies (open at the horizon) are left out; they are the long ones, so leaving
    them out favours whichever configuration has more of them, i.e. the slower one: the
    comparisons below are conservative.
    """
    lat = results.latencies
    done = lat[~lat["censored"] & (lat["cause"] != "onboarded")]
    means = done.groupby("replication")["latency_h"].mean()
    return means.reindex(range(results.replications)).to_numpy()


def test_more_projects_per_week_means_less_idle_time() -> None:
    seed = 501
    few = _run(_mixed(arrivals_per_week=2.0), seed)
    many = _run(_mixed(arrivals_per_week=3.0), seed)
    assert_positive(_idle_share(few) - _idle_share(many),
                    "idle share at 2 projects/week minus at 3 projects/week")


@pytest.mark.slow  # run by .ci/run after make test (make test-slow)
def test_longer_lifetimes_mean_fewer_reassignments() -> None:
    # Reassignments counted as releases from a project end in the window, per worker.
    seed = 502

    def per_worker(results: gigsim.Results) -> np.ndarray:
        lat = results.latencies
        released = lat[lat["cause"] != "onboarded"].groupby("replication").size()
        workers = results.workers.groupby("replication").size()
        return (released / workers).reindex(range(results.replications)).to_numpy()

    short = _run(_ample(lifetime={"dist": "exponential", "mean": "1w"}), seed)
    long = _run(_ample(lifetime={"dist": "exponential", "mean": "2w"}), seed)
    assert_positive(per_worker(short) - per_worker(long),
                    "reassignments per worker, 1-week minus 2-week mean lifetimes")

    # the same holds counting work spells (assignments) per worker
    def spells(results: gigsim.Results) -> np.ndarray:
        work = results.spells[results.spells["kind"] == "work"]
        return work.groupby("replication").size().to_numpy() / 50.0

    assert_positive(spells(short) - spells(long),
                    "work spells per worker, 1-week minus 2-week mean lifetimes")


def test_pre_assignment_on_notice_shortens_latency() -> None:
    # Same projects (dispatch settings draw nothing from the project streams); only whether a
    # worker under notice may be matched before its project ends differs.
    seed = 503
    with_pre = _run(_mixed(pre_assign=True), seed)
    without_pre = _run(_mixed(pre_assign=False), seed)
    assert_positive(_mean_latency(without_pre) - _mean_latency(with_pre),
                    "mean latency without minus with pre-assignment (loaded market)")


@pytest.mark.slow  # run by .ci/run after make test (make test-slow)
def test_notice_with_pre_assignment_shortens_latency_when_seats_wait() -> None:
    # With seats waiting, a week's notice and pre-assignment turn a latency D into
    # max(0, D - 1 week); without notice it stays D. The comparison is made where seats wait on
    # purpose: in a loaded market a project under notice takes no new workers (and one living
    # less than the notice never takes any), so notice removes seat-time and the mean latency
    # can go either way. In ``_mixed`` it rises: fewer, longer waits for the same idle share.
    seed = 504
    with_notice = _run(_ample(lifetime={"dist": "exponential", "mean": "2w"},
                              notice={"probability": 1.0, "duration": "1w"},
                              pre_assign=True), seed)
    no_notice = _run(_ample(lifetime={"dist": "exponential", "mean": "2w"},
                            pre_assign=True), seed)
    assert_positive(_mean_latency(no_notice) - _mean_latency(with_notice),
                    "mean latency without minus with notice (pre-assignment on, ample seats)")
