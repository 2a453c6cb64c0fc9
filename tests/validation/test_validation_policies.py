"""Direction checks for the dispatch options and policies, and common random numbers across the
five built-in policies.

As in ``test_validation_directions``, each pair of configurations runs with the same seed, so
replication i of both shares its ``SeedSequence`` child and the projects it draws; the check is
on the per-replication paired differences, whose mean must exceed ``k`` standard errors of the
difference (``k`` the t quantile, R - 1 d.f., of a two-sided 4-sigma band; see
``_validation_support``). Run with ``pytest -s`` to see the measured values.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pandas as pd
import pytest
from _validation_support import assert_positive, per_replication_ratio, scenario

import gigsim

REPLICATIONS = 20
POLICIES = ("longest-idle", "random", "best-rated", "least-earned", "skill-aware")


def _run(run: gigsim.Scenario, seed: int) -> gigsim.Results:
    return gigsim.simulate(run, replications=REPLICATIONS, seed=seed, jobs=1)


def _mean_latency(results: gigsim.Results) -> np.ndarray:
    """Mean completed reassignment latency after a project end, per replication.

    Censored latencies are left out; they are the long ones, so this favours the slower
    configuration and the comparisons are conservative.
    """
    lat = results.latencies
    done = lat[~lat["censored"] & (lat["cause"] != "onboarded")]
    means = done.groupby("replication")["latency_h"].mean()
    return means.reindex(range(results.replications)).to_numpy()


def _ample(**changes: Any) -> gigsim.Scenario:
    """Seats always waiting: 20 projects a week with 20 seats each, for 50 workers."""
    settings: dict[str, Any] = {
        "workers": 50,
        "arrivals_per_week": 20.0,
        "seats": 20,
        "lifetime": {"dist": "exponential", "mean": "2w"},
        "delay": {"dist": "exponential", "mean": "3d"},
        "horizon": "1y",
        "warmup": "8w",
    }
    settings.update(changes)
    return scenario(**settings)


def _scarce(policy: str, hours_per_week: Any) -> gigsim.Scenario:
    """A loaded market: about 44 seats on average for 60 workers, random delays, notice."""
    return scenario(
        workers=60, hours_per_week=hours_per_week, arrivals_per_week=2.0,
        seats={"dist": "poisson", "mean": 8},
        lifetime={"dist": "lognormal", "median": "2w", "sigma": 0.8},
        hours_per_week_per_seat=25, delay={"dist": "exponential", "mean": "3d"},
        notice={"probability": 0.5, "duration": "1w"}, pre_assign=True,
        horizon="1y", warmup="12w", policy=policy,
    )


def _two_skill(policy: str) -> gigsim.Scenario:
    """Generalists (skill g) and specialists (skills s and g); specialist seats need s."""
    hours = {"dist": "uniform", "low": 10, "high": 30}
    quality = {"dist": "beta", "a": 5, "b": 2}
    lifetime = {"dist": "lognormal", "median": "2w", "sigma": 0.8}
    notice = {"probability": 0.5, "duration": "1w"}
    return gigsim.Scenario.from_dict({
        "name": "two-skill",
        "simulation": {"horizon": "1y", "warmup": "12w", "replications": 1, "seed": 0},
        "workers": [
            {"name": "gen", "count": 60, "skills": ["g"], "hours_per_week": hours,
             "quality": quality},
            {"name": "spec", "count": 15, "skills": ["s", "g"], "hours_per_week": hours,
             "quality": quality},
        ],
        "projects": [
            {"name": "gp", "requires": "g", "arrivals_per_week": 4.0,
             "seats": {"dist": "poisson", "mean": 8}, "lifetime": lifetime,
             "pay_per_hour": 15, "hours_per_week_per_seat": 25, "notice": notice},
            {"name": "sp", "requires": "s", "arrivals_per_week": 1.5,
             "seats": {"dist": "poisson", "mean": 3}, "lifetime": lifetime,
             "pay_per_hour": 30, "hours_per_week_per_seat": 15, "notice": notice},
        ],
        "dispatch": {"policy": policy, "delay": {"dist": "exponential", "mean": "3d"},
                     "pre_assign_on_notice": True},
    })


@functools.cache
def _two_skill_run(policy: str) -> gigsim.Results:
    return _run(_two_skill(policy), seed=604)


def gini(values: np.ndarray) -> float:
    """Population Gini coefficient: mean absolute difference over all pairs / (2 × mean)."""
    x = np.sort(np.asarray(values, dtype=float))
    n = len(x)
    return float(2.0 * np.sum(np.arange(1, n + 1) * x) / (n * x.sum()) - (n + 1) / n)


def _income_gini(results: gigsim.Results) -> np.ndarray:
    """Per replication, the Gini of income over the window across the workers on the platform
    for all of it (onboarded by the end of the warm-up, never left)."""
    workers = results.workers
    whole = workers[(workers["onboarded_h"] <= 0) & workers["left_h"].isna()]
    income = results.worker_months.groupby(["replication", "worker_id"])["income_usd"].sum()
    out = []
    for replication in range(results.replications):
        ids = whole.loc[whole["replication"] == replication, "worker_id"]
        per_worker = income.loc[replication].reindex(ids, fill_value=0.0).to_numpy()
        out.append(gini(per_worker))
    return np.asarray(out)


def test_gini_helper() -> None:
    assert gini(np.array([5.0, 5.0, 5.0])) == pytest.approx(0.0)
    assert gini(np.array([0.0, 0.0, 0.0, 1.0])) == pytest.approx(0.75)
    x = np.random.default_rng(0).exponential(size=200)
    pairs = np.abs(x[:, None] - x[None, :]).sum() / (2 * len(x) ** 2 * x.mean())
    assert gini(x) == pytest.approx(pairs)


# --- dispatcher options -------------------------------------------------------------------------


@pytest.mark.slow  # run by .ci/run after make test (make test-slow)
def test_pre_assignment_on_notice_shortens_latency_when_seats_wait() -> None:
    # Every project ends with a week's notice; seats are always waiting. With pre-assignment a
    # worker's delay D starts at the notice and the latency is max(0, D - notice); without, it
    # starts at the end and the latency is D.
    seed = 601
    notice = {"probability": 1.0, "duration": "1w"}
    with_pre = _run(_ample(notice=notice, pre_assign=True), seed)
    without_pre = _run(_ample(notice=notice, pre_assign=False), seed)
    print(f"mean latency: with pre-assignment {np.mean(_mean_latency(with_pre)):.2f} h,"
          f" without {np.mean(_mean_latency(without_pre)):.2f} h")
    assert_positive(_mean_latency(without_pre) - _mean_latency(with_pre),
                    "mean latency without minus with pre-assignment (ample seats)")


@pytest.mark.slow  # run by .ci/run after make test (make test-slow)
def test_longer_dispatch_delay_lengthens_latency() -> None:
    seed = 602
    short = _run(_ample(delay={"dist": "exponential", "mean": "1d"}), seed)
    long = _run(_ample(delay={"dist": "exponential", "mean": "3d"}), seed)
    print(f"mean latency: delay mean 1d {np.mean(_mean_latency(short)):.2f} h,"
          f" 3d {np.mean(_mean_latency(long)):.2f} h")
    assert_positive(_mean_latency(long) - _mean_latency(short),
                    "mean latency with a 3-day minus a 1-day mean delay (ample seats)")


# --- policies -----------------------------------------------------------------------------------


@pytest.mark.parametrize("hours_per_week", [
    pytest.param({"dist": "uniform", "low": 10, "high": 30}, id="hours-10-to-30"),
    pytest.param(20, id="hours-20"),
])
@pytest.mark.slow  # run by .ci/run after make test (make test-slow)
def test_least_earned_spreads_income_more_evenly_than_random(hours_per_week: Any) -> None:
    seed = 603
    random = _run(_scarce("random", hours_per_week), seed)
    least = _run(_scarce("least-earned", hours_per_week), seed)
    idle = per_replication_ratio(random.worker_months, "idle_h", "available_h")
    print(f"scarce seats: idle share {np.mean(idle):.3f} (random);"
          f" Gini of income: random {np.mean(_income_gini(random)):.4f},"
          f" least-earned {np.mean(_income_gini(least)):.4f}")
    assert_positive(_income_gini(random) - _income_gini(least),
                    "Gini of income over the window, random minus least-earned")


def _specialist_share(results: gigsim.Results) -> np.ndarray:
    """Per replication, the share of the specialist group's work hours on specialist projects."""
    work = results.spells[results.spells["kind"] == "work"]
    work = work.merge(results.workers[["replication", "worker_id", "group"]],
                      on=["replication", "worker_id"])
    work = work.merge(results.projects[["replication", "project_id", "generator"]],
                      on=["replication", "project_id"])
    work = work[work["group"] == "spec"]
    total = work.groupby("replication")["worked_h"].sum()
    special = work[work["generator"] == "sp"].groupby("replication")["worked_h"].sum()
    return (special / total).reindex(range(results.replications)).to_numpy()


@pytest.mark.slow  # run by .ci/run after make test (make test-slow)
def test_skill_aware_keeps_specialists_for_specialist_work() -> None:
    skill = _specialist_share(_two_skill_run("skill-aware"))
    fcfs = _specialist_share(_two_skill_run("longest-idle"))
    print(f"specialists' work hours on specialist projects: skill-aware {np.mean(skill):.3f},"
          f" longest-idle {np.mean(fcfs):.3f}")
    assert_positive(skill - fcfs, "specialist share of specialists' work,"
                                  " skill-aware minus longest-idle")


@pytest.mark.slow  # run by .ci/run after make test (make test-slow)
def test_changing_only_the_policy_keeps_the_projects() -> None:
    runs = {policy: _two_skill_run(policy) for policy in POLICIES}
    reference = runs["longest-idle"]
    for policy, results in runs.items():
        pd.testing.assert_frame_equal(results.projects, reference.projects, check_exact=True,
                                      obj=f"projects under {policy}")
    # while each policy does change who works when: the comparison is not vacuous
    for policy, results in runs.items():
        if policy != "longest-idle":
            assert not results.worker_months.equals(reference.worker_months), policy
