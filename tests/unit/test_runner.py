"""simulate(): defaults, argument checks, progress, and the same results whatever ``jobs``."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from gigsim import GigsimError, Results, Scenario, simulate
from gigsim.analysis.results import TABLES
from gigsim.engine import run_replication


def _small_data() -> dict[str, Any]:
    return {
        "name": "runner",
        "simulation": {"horizon": "6w", "warmup": "1w", "replications": 2, "seed": 21},
        "workers": [{"name": "g", "count": 15, "skills": ["generalist"],
                     "hours_per_week": {"dist": "uniform", "low": 10, "high": 30},
                     "arrivals_per_week": 1, "leave_rate_per_year": 2}],
        "projects": [{"name": "p", "requires": "generalist", "arrivals_per_week": 1,
                      "seats": {"dist": "poisson", "mean": 5},
                      "lifetime": {"dist": "exponential", "mean": "2w"},
                      "pay_per_hour": {"dist": "uniform", "low": 15, "high": 18},
                      "hours_per_week_per_seat": 20}],
        "dispatch": {"delay": {"dist": "exponential", "mean": "1d"}},
    }


@pytest.fixture(scope="module")
def small() -> Scenario:
    return Scenario.from_dict(_small_data())


def _same(a: Results, b: Results) -> None:
    for name in TABLES:
        pd.testing.assert_frame_equal(a.table(name), b.table(name))


def test_defaults_come_from_the_scenario(small: Scenario) -> None:
    results = simulate(small)
    assert results.replications == 2
    assert results.seed == 21
    assert [r.replication for r in results.records] == [0, 1]
    assert results.scenario is small
    assert "simulate_s" in results.timings


def test_explicit_arguments_override_the_scenario(small: Scenario) -> None:
    results = simulate(small, replications=3, seed=5)
    assert (results.replications, results.seed) == (3, 5)
    assert set(results.worker_months["replication"]) == {0, 1, 2}


def test_same_seed_same_results(small: Scenario) -> None:
    _same(simulate(small, seed=8), simulate(small, seed=8))


def test_seed_zero_is_a_seed(small: Scenario) -> None:
    zero, one = simulate(small, seed=0, replications=1), simulate(small, seed=1, replications=1)
    assert zero.seed == 0
    assert not zero.projects["launch_h"].equals(one.projects["launch_h"])
    _same(zero, simulate(small, seed=0, replications=1))


def test_replications_are_a_prefix(small: Scenario) -> None:
    """Replication i is the same whether 2 or 3 replications are run."""
    two, three = simulate(small, replications=2), simulate(small, replications=3)
    wm3 = three.worker_months
    pd.testing.assert_frame_equal(two.worker_months,
                                  wm3[wm3["replication"] < 2].reset_index(drop=True))


def test_processes_give_the_same_results_bit_for_bit(small: Scenario) -> None:
    _same(simulate(small, jobs=1), simulate(small, jobs=2))


def test_progress_is_called_per_replication(small: Scenario) -> None:
    calls: list[int] = []
    simulate(small, replications=3, progress=calls.append)
    assert calls == [1, 1, 1]


@pytest.mark.parametrize(("options", "name"), [
    ({"replications": 0}, "replications"),
    ({"replications": 1.5}, "replications"),
    ({"replications": True}, "replications"),
    ({"seed": -1}, "seed"),
    ({"seed": "1"}, "seed"),
    ({"jobs": -1}, "jobs"),
])
def test_bad_arguments_are_user_errors(small: Scenario, options: dict[str, Any],
                                       name: str) -> None:
    with pytest.raises(GigsimError, match=name):
        simulate(small, **options)


def test_results_tables(small: Scenario) -> None:
    results = simulate(small)
    assert set(TABLES) == {"worker_months", "spells", "latencies", "projects", "project_fills",
                           "workers"}
    for name in TABLES:
        table = getattr(results, name)
        assert isinstance(table, pd.DataFrame)
        assert getattr(results, name) is table  # built once
        assert sorted(set(table["replication"])) == [0, 1]
        assert table.index.equals(pd.RangeIndex(len(table)))
    spells = results.spells
    assert list(spells["kind"].cat.categories) == ["assessment", "idle", "training", "work",
                                                    "qualification", "spare"]
    assert list(results.worker_months["group"].cat.categories) == ["g"]
    assert results.summary() is results.summary()


def test_more_replications_than_processes(small: Scenario) -> None:
    """The calling process and two started ones share nine replications: same records."""
    calls: list[int] = []
    shared = simulate(small, replications=9, jobs=3, progress=calls.append)
    assert calls == [1] * 9
    assert [r.replication for r in shared.records] == list(range(9))
    _same(simulate(small, replications=9, jobs=1), shared)


def test_a_failure_in_a_started_process_reaches_the_caller() -> None:
    """Seed 46 makes replication 0 fail, and only it: a started process runs it (the calling
    process takes replications from the end of the list)."""
    module = f"{__name__.rpartition('.')[0]}.user_policy_flaky".lstrip(".")
    data = _small_data()
    data["dispatch"]["policy"] = f"{module}:FailsInSomeReplications"
    scenario = Scenario.from_dict(data)
    with pytest.raises(RuntimeError, match="fails on purpose"):
        run_replication(scenario, 46, 0)
    for index in range(1, 6):
        run_replication(scenario, 46, index)  # the others run through
    with pytest.raises(RuntimeError, match="fails on purpose"):
        simulate(scenario, replications=6, seed=46, jobs=3)
