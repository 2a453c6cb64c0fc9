"""Several platforms' closed-form case (issue 22 item 1): two independent on/off chains.

Tolerances as in ``_validation_support``: per-replication estimates within the t band of
their mean.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from _validation_support import assert_matches_theory

import gigsim

WEEK = 168.0
MONTH_H = 730.5

# --- two platforms: each an independent on/off chain ------------------------------------------
#
# Workers of 40 h a week join platforms A and B (max_projects = 1: one project on each at
# most); each platform's seats supply 20 h a week, so a project on one platform leaves 20 h to
# spare and the worker's slot on the other platform always has hours to seek with. On each
# platform four-seat projects arrive at 50 a week and live Exp(mean L); about 50·L/week are
# alive, with far more seats than the 200 workers, so a slot whose delay ends always finds an
# open seat whose remaining life is Exp(L) (memorylessness). A slot's delay is its platform's,
# Exp(mean D). Each platform's slot is then an alternating renewal process, on for Exp(L), off
# for Exp(D), independent of the other platform's:
# - the worked share of hours available is (20·L_A/(L_A+D_A) + 20·L_B/(L_B+D_B)) / 40;
# - a month of T = 730.5 h has no work when both slots are off throughout it; a slot, in its
#   stationary state, is off throughout with probability q = D/(L+D) × exp(-T/D), so the share
#   of worker-months with no work is q_A × q_B: with identical platforms, one platform's share
#   squared.
# The warm-up (20 weeks) is at least 10 of each chain's time constants LD/(L+D).


def _two_platforms(a: tuple[float, float], b: tuple[float, float]) -> gigsim.Scenario:
    """Platforms A and B with (L, D) in weeks each."""
    def platform(name: str, delay_weeks: float) -> dict[str, Any]:
        return {"name": name,
                "dispatch": {"delay": {"dist": "exponential", "mean": f"{delay_weeks}w"}}}

    def projects(name: str, life_weeks: float) -> dict[str, Any]:
        return {"name": f"p{name}", "platform": name, "requires": "g", "pay_per_hour": 15,
                "seats": 4, "arrivals_per_week": 50, "hours_per_week_per_seat": 20,
                "lifetime": {"dist": "exponential", "mean": f"{life_weeks}w"}}

    return gigsim.Scenario.from_dict({
        "name": "two-platforms",
        "simulation": {"horizon": "1y", "warmup": "20w", "replications": 1, "seed": 0},
        "platforms": [platform("A", a[1]), platform("B", b[1])],
        "workers": [{"name": "w", "count": 200, "skills": ["g"], "hours_per_week": 40,
                     "platforms": ["A", "B"]}],
        "projects": [projects("A", a[0]), projects("B", b[0])],
    })


def _off_all_month(life_h: float, delay_h: float) -> float:
    return delay_h / (life_h + delay_h) * np.exp(-MONTH_H / delay_h)


@pytest.mark.slow  # run by .ci/run after make test (make test-slow)
@pytest.mark.parametrize(("a", "b"), [((4, 4), (4, 4)), ((4, 4), (6, 2))],
                         ids=["identical", "different"])
def test_two_platforms_are_independent_on_off_chains(a: tuple[float, float],
                                                    b: tuple[float, float]) -> None:
    results = gigsim.simulate(_two_platforms(a, b), replications=16, seed=23)
    months = results.worker_months
    assert len(months) == 16 * 200 * 12
    (la, da), (lb, db) = ((life * WEEK, delay * WEEK) for life, delay in (a, b))
    sums = months.groupby("replication")[["worked_h", "available_h"]].sum()
    worked = (la / (la + da) + lb / (lb + db)) / 2
    assert_matches_theory((sums["worked_h"] / sums["available_h"]).to_numpy(), worked,
                          "worked share, the mean of the platforms' L/(L+D)")
    nothing = (months["worked_h"] == 0).groupby(months["replication"]).mean()
    expected = _off_all_month(la, da) * _off_all_month(lb, db)
    assert_matches_theory(nothing.to_numpy(), expected,
                          "months with no work, the product of the platforms' shares")
    # income per platform adds up to the income, and each platform's work is its own
    assert np.allclose(months["income_A_usd"] + months["income_B_usd"], months["income_usd"])
    # each platform's latency is its own delay, Exp(D): the exponential mean's
    # maximum-likelihood estimate with the waits the run's end cut short
    latencies = results.latencies
    released = latencies[latencies["cause"].astype(str) == "end_without_notice"]
    for name, delay in (("A", da), ("B", db)):
        mine = released[released["platform"] == name].groupby("replication")
        estimate = mine["latency_h"].sum() / mine["censored"].apply(lambda c: (~c).sum())
        assert_matches_theory(estimate.to_numpy(), delay, f"platform {name}'s latency E[D]")
