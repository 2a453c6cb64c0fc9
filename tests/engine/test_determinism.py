"""Same seed, same records bit for bit, whatever ``jobs``; common random numbers across
policies; the ranked pool changes nothing."""

from __future__ import annotations

import numpy as np
import pytest

import gigsim
from gigsim.engine import run_replication
from gigsim.engine.records import Records


@pytest.fixture(scope="module")
def platform() -> gigsim.Scenario:
    return gigsim.load_scenario("scenarios/platform.toml",
                                overrides={"simulation.horizon": "10w", "simulation.warmup": "2w"})


def same(a: Records, b: Records) -> None:
    for table in ("spells", "latencies", "workers", "projects"):
        x, y = getattr(a, table), getattr(b, table)
        assert x.keys() == y.keys()
        for name in x:
            np.testing.assert_array_equal(x[name], y[name], err_msg=f"{table}.{name}")


def test_same_seed_same_bits_with_one_or_two_jobs(platform: gigsim.Scenario) -> None:
    one = gigsim.simulate(platform, replications=2, seed=11, jobs=1)
    two = gigsim.simulate(platform, replications=2, seed=11, jobs=2)
    for a, b in zip(one.records, two.records, strict=True):
        same(a, b)
    other = gigsim.simulate(platform, replications=1, seed=12, jobs=1)
    assert not np.array_equal(other.records[0].latencies["latency_h"][:50],
                              one.records[0].latencies["latency_h"][:50])


@pytest.mark.parametrize("policy", ["random", "least-earned", "skill-aware"])
def test_projects_unchanged_when_only_the_policy_changes(platform: gigsim.Scenario,
                                                         policy: str) -> None:
    base = run_replication(platform, 5, 0)
    changed = run_replication(
        platform.with_overrides({"dispatch.policy": policy}), 5, 0)
    for name in ("launch", "end", "seats", "notice_at", "pay_per_hour", "sparse_at"):
        np.testing.assert_array_equal(base.projects[name], changed.projects[name])
    for name in ("joined", "onboarded", "hours_per_week", "quality"):
        np.testing.assert_array_equal(base.workers[name], changed.workers[name])


@pytest.mark.parametrize("policy", ["longest-idle", "random", "best-rated", "least-earned"])
@pytest.mark.parametrize("rounds", [0, "1d"])
def test_the_ranked_pool_gives_the_same_records_as_ranking_every_fill(
        platform: gigsim.Scenario, policy: str, rounds: object) -> None:
    # keys fixed while waiting: keeping the pool ranked between fills changes nothing
    from gigsim.engine import Replication

    scenario = platform.with_overrides({"dispatch.policy": policy,
                                        "dispatch.rounds_every": rounds,
                                        "dispatch.delay": {"dist": "exponential",
                                                           "mean": "1d"}})
    kept = Replication(scenario, 4, 0)
    assert kept.key_fixed
    every = Replication(scenario, 4, 0)
    every.key_fixed = False
    same(kept.run(), every.run())


def sorted_rows(records: Records, table: str, keys: tuple[str, ...]) -> np.ndarray:
    columns = getattr(records, table)
    rows = np.column_stack([columns[name] for name in sorted(columns)])
    return rows[np.lexsort([columns[key] for key in reversed(keys)])]


@pytest.mark.parametrize("overrides", [
    {},  # hazard and patience, notice with pre-assignment, two groups
    {"dispatch.policy": "best-rated", "dispatch.pre_assign_on_notice": False,
     "workers.generalists.leave_rate_per_year": 3.0},
    {"dispatch.policy": "random", "dispatch.delay": 0,
     "workers.specialists.leave_rate_per_year": 3.0},
])
def test_departures_in_blocks_are_the_departures_one_by_one(
        platform: gigsim.Scenario, overrides: dict[str, object]) -> None:
    # a block decides each departure at its own time, as one event each would: the same
    # spells, latencies and stays; only the order of the rows differs, and a time SimPy
    # reaches as now + (t - now) may differ from t by a rounding step
    from gigsim.engine import Replication
    from gigsim.engine.workforce import LeaveCause

    scenario = platform.with_overrides(overrides)
    blocked = Replication(scenario, 4, 0)
    one_by_one = Replication(scenario, 4, 0)
    one_by_one.blocks = False
    a, b = blocked.run(), one_by_one.run()
    assert a.events == b.events
    assert (a.workers["leave_cause"] == float(LeaveCause.HAZARD)).sum() > 20
    for table, keys in (("spells", ("worker", "start", "kind", "end")),
                        ("latencies", ("worker", "released", "latency_h"))):
        np.testing.assert_allclose(sorted_rows(a, table, keys), sorted_rows(b, table, keys),
                                   rtol=1e-12, atol=1e-9, err_msg=table)
    for table in ("workers", "projects"):
        for name in getattr(a, table):
            np.testing.assert_allclose(getattr(a, table)[name], getattr(b, table)[name],
                                       rtol=1e-12, atol=1e-9, err_msg=f"{table}.{name}")
