"""The work model's closed-form cases (issue 19): shared queues, clients, qualification tests.

Tolerances as in ``_validation_support``: per-replication estimates within the t band of
their mean; sample-path identities exactly (up to floating-point rounding).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
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


# --- several projects at once: each slot an independent on/off chain ---------------------------
#
# Workers of 40 h a week with max_projects = 2; seats supply 20 h a week each, so the first
# project takes 20 h and leaves 20 to spare, and each slot always has hours to seek with.
# Four-seat projects arrive at 50 a week and live Exp(mean L = 4 weeks): about 200 are alive
# with 800 seats for at most 400 slots, so a slot whose delay ends always finds an open seat
# (on a project its other slot does not hold), whose remaining life is Exp(L) by
# memorylessness. A slot's delay is Exp(mean D = 4 weeks). Each slot is then an alternating
# renewal process, on for Exp(L), off for Exp(D), independent of the other slot:
# - the worked share of hours available is 2 × 20 × L/(L+D) / 40 = L/(L+D) = 1/2;
# - a month of T = 730.5 h has no work when both slots are off throughout it; one slot, in
#   its stationary state, is off throughout with probability D/(L+D) × exp(-T/D), so the
#   share of worker-months with no work is that squared: (0.5 × e^{-730.5/672})² = 0.02853.
# The warm-up (20 weeks) is 10 of the chain's time constants LD/(L+D) = 2 weeks.

SLOT_L_H = SLOT_D_H = 4 * WEEK
MONTH_H = 730.5


@pytest.mark.slow  # run by .ci/run after make test (make test-slow)
def test_two_slots_are_independent_on_off_chains() -> None:
    run = gigsim.Scenario.from_dict({
        "name": "two-slots",
        "simulation": {"horizon": "1y", "warmup": "20w", "replications": 1, "seed": 0},
        "workers": [{"name": "w", "count": 200, "skills": ["g"], "hours_per_week": 40,
                     "max_projects": 2}],
        "projects": [{"name": "p", "requires": "g", "pay_per_hour": 15, "seats": 4,
                      "arrivals_per_week": 50, "hours_per_week_per_seat": 20,
                      "lifetime": {"dist": "exponential", "mean": "4w"}}],
        "dispatch": {"delay": {"dist": "exponential", "mean": "4w"}},
    })
    results = gigsim.simulate(run, replications=16, seed=19)
    months = results.worker_months
    assert len(months) == 16 * 200 * 12
    sums = months.groupby("replication")[["worked_h", "available_h"]].sum()
    on = SLOT_L_H / (SLOT_L_H + SLOT_D_H)
    assert_matches_theory((sums["worked_h"] / sums["available_h"]).to_numpy(), on,
                          "worked share L/(L+D)")
    nothing = (months["worked_h"] == 0).groupby(months["replication"]).mean()
    one_slot = (1 - on) * np.exp(-MONTH_H / SLOT_D_H)
    assert_matches_theory(nothing.to_numpy(), one_slot ** 2, "months with no work, squared")
    # the spells of one worker overlap; every hour is counted once, in the slot holding it
    spells = results.spells
    assert np.allclose(spells.groupby("replication")["available_h"].sum(),
                       200 * 40 / WEEK * 8766.0, rtol=1e-9)
    # each slot's latency is its own delay, Exp(D), whichever slot: the exponential mean's
    # maximum-likelihood estimate with the waits the run's end cut short (time waited over
    # waits seen to end)
    latencies = results.latencies
    released = latencies[latencies["cause"].astype(str) == "end_without_notice"]
    assert set(released["slot"]) == {0, 1}
    for slot in (0, 1):
        mine = released[released["slot"] == slot].groupby("replication")
        estimate = mine["latency_h"].sum() / mine["censored"].apply(lambda c: (~c).sum())
        assert_matches_theory(estimate.to_numpy(), SLOT_D_H, f"slot {slot}'s latency E[D]")
