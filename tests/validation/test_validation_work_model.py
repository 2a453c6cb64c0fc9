"""The work model's closed-form cases (issue 19): shared queues, clients, qualification tests.

Tolerances as in ``_validation_support``: per-replication estimates within the t band of
their mean; sample-path identities exactly (up to floating-point rounding).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from _validation_support import assert_matches_theory

import gigsim

WEEK = 168.0


def _scenario(project: dict[str, Any], *, workers: int = 30, hours: float = 40.0,
              clients: list[dict[str, Any]] | None = None, horizon: str = "1y",
              warmup: str = "4w") -> gigsim.Scenario:
    data: dict[str, Any] = {
        "name": "work-model",
        "simulation": {"horizon": horizon, "warmup": warmup, "replications": 1, "seed": 0},
        "workers": [{"name": "w", "count": workers, "skills": ["g"], "hours_per_week": hours}],
        "projects": [{"name": "p", "requires": "g", "pay_per_hour": 15, **project}],
        "dispatch": {"delay": 0},
    }
    if clients:
        data["clients"] = clients
    return gigsim.Scenario.from_dict(data)


# --- a shared queue: n identical members each work min(h, S / n) ------------------------------
#
# Four seats, supply S = 100 h a week, members available h = 40 h a week: each works
# min(40, 100 / 4) = 25 h a week while the team is full, and the team works S. With plenty of
# idle workers and no delay, every project fills at launch and stays full for its life (no
# one leaves), so the work done on a project launched and ended in the window is exactly
# S × its life, and every work spell runs at 25 h a week.

def test_a_full_team_works_the_supply_shared_equally() -> None:
    supply = 100.0
    run = _scenario({"arrivals_per_week": 1.0, "seats": 4, "task_supply": supply,
                     "lifetime": {"dist": "exponential", "mean": "2w"}})
    results = gigsim.simulate(run, replications=3, seed=11)
    work = results.spells[results.spells["kind"].astype(str) == "work"]
    length = work["end_h"] - work["start_h"]
    team = work.groupby(["replication", "project_id"])["worker_id"].nunique()
    full = team[team == 4].index
    projects = results.projects.set_index(["replication", "project_id"])
    inside = projects[(projects["launch_h"] >= 0) & (projects["end_h"] <= 8766.0)].index
    checked = full.intersection(inside)
    assert len(checked) >= 100, len(checked)
    on = work.set_index(["replication", "project_id"]).loc[checked]
    rate = (on["worked_h"] / (on["end_h"] - on["start_h"])).to_numpy()
    assert np.allclose(rate, min(40.0, supply / 4) / WEEK, rtol=1e-9)
    total = on.groupby(level=[0, 1])["worked_h"].sum()
    life = (projects.loc[checked, "end_h"] - projects.loc[checked, "launch_h"])
    assert np.allclose(total.loc[checked].to_numpy(), supply / WEEK * life.to_numpy(),
                       rtol=1e-9)
    assert (length > 0).all()


def test_members_capped_by_their_hours_leave_the_rest_to_the_others() -> None:
    # one seat-holder alone with supply above their hours works only their hours
    run = _scenario({"arrivals_per_week": 1.0, "seats": 1, "task_supply": 60.0,
                     "lifetime": {"dist": "exponential", "mean": "1w"}}, hours=25.0)
    results = gigsim.simulate(run, replications=1, seed=3)
    work = results.spells[results.spells["kind"].astype(str) == "work"]
    rate = work["worked_h"] / (work["end_h"] - work["start_h"])
    assert len(work) > 20
    assert np.allclose(rate, 25.0 / WEEK, rtol=1e-9)
    assert np.allclose(work["underused_h"], 0.0, atol=1e-9)


# --- clients: a project's life is the minimum of its own and its client's ---------------------
#
# Client lifetimes Exp(rate mu), one client instance after another; project lifetimes
# Exp(rate lambda). At any launch the client's remaining life is Exp(mu) (memoryless), so a
# project is ended by its client with probability mu / (lambda + mu), whatever the client's
# age. Projects launched in the window are all in the table, however long they live.

def test_the_share_of_projects_ended_by_their_client() -> None:
    mean_client_w, mean_project_w = 4.0, 2.0
    mu, lam = 1 / mean_client_w, 1 / mean_project_w
    run = _scenario({"arrivals_per_week": 6.0, "seats": 1, "hours_per_week_per_seat": 40,
                     "lifetime": {"dist": "exponential", "mean": f"{mean_project_w}w"},
                     "client": "acme"},
                    workers=2, clients=[{"name": "acme", "lifetime": {
                        "dist": "exponential", "mean": f"{mean_client_w}w"}}])
    results = gigsim.simulate(run, replications=20, seed=5)
    projects = results.projects[results.projects["launch_h"] >= 0]
    by_client = (projects["end_cause"].astype(str) == "client_lost").groupby(
        projects["replication"]).mean()
    assert_matches_theory(by_client, mu / (lam + mu), "share of projects ended by client")


# --- qualification tests: 1 - p of completed tests fail; nobody fails twice on a generator ---
#
# Tests of 2 h at 40 h a week take 8.4 clock hours; projects live weeks, so nearly every test
# is completed. Each completed test fails with probability 1 - p, independently (one uniform
# draw by slot), so the share of completed tests that fail estimates 1 - p.

def test_a_share_one_minus_p_of_tests_fail_and_none_twice() -> None:
    p = 0.6
    test_h = 2.0
    run = _scenario({"arrivals_per_week": 6.0, "seats": 3, "hours_per_week_per_seat": 40,
                     "lifetime": {"dist": "exponential", "mean": "3w"},
                     "qualification": {"hours": test_h, "pass_probability": p}},
                    workers=150)
    results = gigsim.simulate(run, replications=10, seed=9)
    spells = results.spells
    tests = spells[spells["kind"].astype(str) == "qualification"]
    done = tests[np.isclose(tests["unpaid_qualification_h"], test_h)]
    failed = results.latencies[results.latencies["cause"].astype(str) == "failed_qualification"]
    completed = done.groupby("replication").size()
    failures = failed.groupby("replication").size().reindex(completed.index, fill_value=0)
    assert completed.min() >= 50
    assert_matches_theory(failures / completed, 1 - p, "share of completed tests failed")
    per_worker = failed.groupby(["replication", "worker_id"]).size()
    assert per_worker.max() == 1  # one generator: barred after the first failure
