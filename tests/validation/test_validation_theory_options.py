"""Closed forms for the options the other theory tests leave out.

Dispatch rounds, patience, the attrition hazard, seasonality, training, the assessment, notice
without pre-assignment and checking for work each have a result that theory gives exactly;
every test uses the standard-error bands of ``_validation_support`` (a correct model fails a
check with probability about 6e-5 for a given seed).

The "ample seats" world of ``test_validation_theory`` is the base: projects arrive at 50 a week,
live Exp(mean 1 week) and have many seats, so an open seat is always waiting and an assignment's
length is the remaining life of its project, Exp(mean 1 week) by memorylessness.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from _validation_support import assert_matches_theory

import gigsim

DAY, WEEK, YEAR = 24.0, 168.0, 8766.0


def _ample(*, workers: dict[str, Any], dispatch: dict[str, Any], seats: int = 8,
           horizon: str = "26w", warmup: str = "8w", projects: dict[str, Any] | None = None
           ) -> gigsim.Scenario:
    group = {"name": "w", "skills": ["g"], "hours_per_week": 20, **workers}
    project = {"name": "p", "requires": "g", "arrivals_per_week": 50.0, "seats": seats,
               "lifetime": {"dist": "exponential", "mean": "1w"}, "pay_per_hour": 15,
               "hours_per_week_per_seat": 20, **(projects or {})}
    return gigsim.Scenario.from_dict({
        "name": "theory",
        "simulation": {"horizon": horizon, "warmup": warmup},
        "workers": [group],
        "projects": [project],
        "dispatch": dispatch,
    })


# --- dispatch rounds ------------------------------------------------------------------------
#
# With rounds every R and no delay, a worker starts at a round (an open seat is always waiting),
# stays for the remaining life L ~ Exp(mean mu) of its project, and is matched at the first round
# after it ends: latency = ceil(L / R) R - L. With theta = R / mu, L mod R has density
# e^(-x/mu) / (mu (1 - e^(-theta))) on [0, R), so E[latency] = R / (1 - e^(-theta)) - mu
# (12.29 h for R = 1 day, mu = 1 week; R / 2 = 12 h only as mu grows).

ROUND_H = DAY


def test_rounds_latency_is_the_wait_for_the_next_round() -> None:
    run = _ample(workers={"count": 50}, dispatch={"delay": 0, "rounds_every": "1d"})
    results = gigsim.simulate(run, replications=20, seed=301)
    latencies = results.latencies
    ended = latencies[latencies["cause"] != "onboarded"]
    done = ended[~ended["censored"]]
    # every assignment starts at a round: the release plus its latency is a multiple of R
    starts = (done["released_h"] + done["latency_h"] + run.simulation.warmup_h) / ROUND_H
    np.testing.assert_allclose(starts, np.round(starts), rtol=0, atol=1e-6)
    assert (done["latency_h"] > 0).all() and (done["latency_h"] <= ROUND_H + 1e-9).all()
    theta = ROUND_H / WEEK
    theory = ROUND_H / (1 - math.exp(-theta)) - WEEK
    per_rep = done.groupby("replication")["latency_h"].mean()
    assert len(per_rep) == 20 and done.groupby("replication").size().min() > 500
    assert_matches_theory(per_rep.to_numpy(), theory, "mean wait for the next round")


# --- patience -------------------------------------------------------------------------------
#
# With ample seats, a released worker is idle for exactly its delay D ~ Exp(mean m), unless D
# exceeds its patience P (a constant here), when it leaves at P. So each release ends in leaving
# with probability e^(-P/m), and a completed latency is D given D < P, with mean
# m - P e^(-P/m) / (1 - e^(-P/m)). Applicants keep arriving so that workers remain.

PATIENCE_H = 4 * DAY
DELAY_MEAN_H = 3 * DAY


@pytest.mark.slow  # run by .ci/run after make test (make test-slow)
def test_patience_ends_the_idle_spells_longer_than_it() -> None:
    run = _ample(workers={"count": 50, "arrivals_per_week": 20, "patience": "4d"},
                 dispatch={"delay": {"dist": "exponential", "mean": "3d"}})
    results = gigsim.simulate(run, replications=20, seed=302)
    horizon = run.simulation.horizon_h
    latencies = results.latencies
    left = results.workers.set_index("worker_id")
    # releases whose outcome is known by the end of the run
    settled = latencies[latencies["released_h"] + PATIENCE_H < horizon]
    ended_at = settled["released_h"] + settled["latency_h"]
    key = list(zip(settled["replication"], settled["worker_id"], strict=True))
    left_at = results.workers.set_index(["replication", "worker_id"]).loc[key, "left_h"]
    gone = settled["censored"].to_numpy()
    np.testing.assert_allclose(settled.loc[gone, "latency_h"], PATIENCE_H, rtol=1e-9)
    np.testing.assert_allclose(ended_at[gone], left_at.to_numpy()[gone], rtol=1e-9)
    assert (settled.loc[~gone, "latency_h"] < PATIENCE_H).all()
    assert set(left.loc[left["left_h"].notna(), "leave_cause"]) == {"impatience"}
    share = settled.groupby("replication")["censored"].mean()
    assert_matches_theory(share.to_numpy(), math.exp(-PATIENCE_H / DELAY_MEAN_H),
                          "share of releases ending in leaving, e^(-P/m)")
    q = math.exp(-PATIENCE_H / DELAY_MEAN_H)
    truncated_mean = DELAY_MEAN_H - PATIENCE_H * q / (1 - q)
    done = settled[~settled["censored"]].groupby("replication")["latency_h"].mean()
    assert_matches_theory(done.to_numpy(), truncated_mean,
                          "mean completed latency E[D | D < P]")


# --- the attrition hazard -------------------------------------------------------------------
#
# With the hazard alone (no patience, no assessment), a worker leaves at join + Exp(rate r per
# year), whatever it is doing, so the share of workers onboarded at time 0 who are gone within a
# year, exit_within_12mo_share, is 1 - e^(-r).

LEAVE_RATE = 0.7


@pytest.mark.slow  # run by .ci/run after make test (make test-slow)
def test_hazard_exit_within_a_year_is_one_minus_e_to_the_minus_rate() -> None:
    run = _ample(workers={"count": 200, "leave_rate_per_year": LEAVE_RATE},
                 dispatch={"delay": {"dist": "exponential", "mean": "3d"}},
                 horizon="1y", warmup="0h", seats=4, projects={"arrivals_per_week": 20.0})
    results = gigsim.simulate(run, replications=20, seed=303)
    workers = results.workers
    assert set(workers.loc[workers["left_h"].notna(), "leave_cause"]) == {"hazard"}
    share = results.summary().per_replication["exit_within_12mo_share"].to_numpy()
    assert_matches_theory(share, 1 - math.exp(-LEAVE_RATE),
                          "exit within a year, 1 - e^(-r)")


# --- seasonality ----------------------------------------------------------------------------
#
# Launches are a Poisson process whose rate is rate x factor(t), piecewise constant over equal
# parts of the period, its phase measured from the start of the run. Over 13 periods of 4 weeks,
# the launches in each part are Poisson with mean rate x factor x (4/3 weeks) x 13, and none at
# all where the factor is 0.

FACTORS = (0.0, 1.0, 3.0)
PERIOD_H = 4 * WEEK


def test_seasonal_launches_follow_the_factors() -> None:
    run = _ample(workers={"count": 20}, dispatch={"delay": 0}, horizon="52w", warmup="0h",
                 seats=2, projects={"arrivals_per_week": 10.0,
                                    "seasonality": {"period": "4w", "factors": list(FACTORS)}})
    results = gigsim.simulate(run, replications=20, seed=304)
    projects = results.projects
    launched = projects[projects["launch_h"] >= 0]
    part = np.floor(len(FACTORS) * (launched["launch_h"] % PERIOD_H) / PERIOD_H).astype(int)
    counts = (launched.assign(part=part).groupby(["replication", "part"]).size()
              .unstack(fill_value=0).reindex(columns=range(len(FACTORS)), fill_value=0))
    assert (counts[0] == 0).all(), "launches where the factor is 0"
    weeks_per_part = 52.0 / len(FACTORS)
    for index, factor in enumerate(FACTORS[1:], start=1):
        assert_matches_theory(counts[index].to_numpy(dtype=float),
                              10.0 * factor * weeks_per_part,
                              f"launches in part {index} (factor {factor})")


# --- training (renewal-reward) --------------------------------------------------------------
#
# A worker alternates an idle spell D ~ Exp(mean m) and an assignment of length L ~ Exp(mean mu)
# that begins with training of h hours at availability a, which takes tau = h / a clock hours or
# the whole assignment if shorter. By renewal-reward, the share of available time in training is
# E[min(tau, L)] / (mu + m) = mu (1 - e^(-tau/mu)) / (mu + m): with a = 20/168 h per hour and
# h = 10 h, tau = 84 h and the share is 168 (1 - e^(-1/2)) / 240 = 0.2754.

TRAINING_H = 10.0


@pytest.mark.slow  # run by .ci/run after make test (make test-slow)
def test_training_share_of_available_time_is_renewal_reward() -> None:
    run = _ample(workers={"count": 50}, dispatch={"delay": {"dist": "exponential", "mean": "3d"}},
                 projects={"training": {"hours": TRAINING_H, "paid_probability": 0.5}})
    results = gigsim.simulate(run, replications=20, seed=305)
    sums = results.worker_months.groupby("replication")[
        ["paid_training_h", "unpaid_training_h", "available_h"]].sum()
    assert (sums["paid_training_h"] > 0).all() and (sums["unpaid_training_h"] > 0).all()
    share = (sums["paid_training_h"] + sums["unpaid_training_h"]) / sums["available_h"]
    tau = TRAINING_H / (20.0 / WEEK)
    theory = WEEK * (1 - math.exp(-tau / WEEK)) / (WEEK + DELAY_MEAN_H)
    assert_matches_theory(share.to_numpy(), theory,
                          "training share of available time, renewal-reward")


# --- assessment -----------------------------------------------------------------------------
#
# Each applicant passes with probability p, independently, and learns the result a constant
# wait after joining: the share onboarded is p, onboarding comes exactly `wait` after joining,
# and those who fail leave then.

PASS_PROBABILITY = 0.35


@pytest.mark.slow  # run by .ci/run after make test (make test-slow)
def test_assessment_passes_its_share_after_its_wait() -> None:
    run = _ample(workers={"count": 100, "arrivals_per_week": 30,
                          "assessment": {"hours": 2, "pass_probability": PASS_PROBABILITY,
                                         "wait": "3d"}},
                 dispatch={"delay": 0}, warmup="0h")
    results = gigsim.simulate(run, replications=20, seed=306)
    workers = results.workers
    decided = workers[workers["joined_h"] + 3 * DAY < run.simulation.horizon_h]
    passed = decided["onboarded_h"].notna()
    failed = decided["leave_cause"] == "failed_assessment"
    assert (passed ^ failed).all()
    np.testing.assert_allclose(decided.loc[passed, "onboarded_h"] - decided.loc[passed, "joined_h"],
                               3 * DAY, rtol=0, atol=1e-6)
    np.testing.assert_allclose(decided.loc[failed, "left_h"] - decided.loc[failed, "joined_h"],
                               3 * DAY, rtol=0, atol=1e-6)
    share = passed.groupby(decided["replication"]).mean()
    assert_matches_theory(share.to_numpy(dtype=float), PASS_PROBABILITY,
                          "share passing the assessment")


# --- notice without pre-assignment ----------------------------------------------------------
#
# A project drawn to end with notice (probability p) takes no one in the last nu hours of its
# life. With ample seats and Exp(mean mu) lifetimes, the project a released worker joins has a
# remaining life R independent of its age and of which seats are open, so it is a notice
# project with probability q = p e^(-nu/mu) / (p e^(-nu/mu) + 1 - p) (one whose R exceeds nu),
# and then R = nu + Exp(mu). Assignments last mu + q nu on average, so by renewal-reward the
# idle share is E[D] / (E[D] + mu + q nu), and a share q of releases are ends with notice.

NOTICE_P, NOTICE_H = 0.5, 3 * DAY


@pytest.mark.slow  # run by .ci/run after make test (make test-slow)
def test_notice_lengthens_assignments_by_the_notice_of_those_that_take_workers() -> None:
    run = _ample(workers={"count": 50},
                 dispatch={"delay": {"dist": "exponential", "mean": "3d"},
                           "pre_assign_on_notice": False},
                 projects={"notice": {"probability": NOTICE_P, "duration": "3d"}})
    results = gigsim.simulate(run, replications=20, seed=307)
    survive = NOTICE_P * math.exp(-NOTICE_H / WEEK)
    q = survive / (survive + 1 - NOTICE_P)
    idle = results.summary().per_replication["idle_share"].to_numpy()
    assert_matches_theory(idle, DELAY_MEAN_H / (DELAY_MEAN_H + WEEK + q * NOTICE_H),
                          "idle share E[D] / (E[D] + mu + q nu)")
    ends = results.latencies[results.latencies["cause"] != "onboarded"]
    share = (ends["cause"] == "end_with_notice").groupby(ends["replication"]).mean()
    assert_matches_theory(share.to_numpy(dtype=float), q,
                          "share of releases that are ends with notice")


# --- checking for work (renewal-reward) -----------------------------------------------------
#
# Idle workers spend c / 24 unpaid hours per clock hour looking for work; with ample seats a
# cycle is an idle spell D and an assignment L worked at the full availability a (supply 20 h a
# week = a), so unpaid_share = (c / 24) E[D] / ((c / 24) E[D] + a E[L]) = 1.5 / 21.5 for
# c = 0.5 h a day, E[D] = 3 days, a E[L] = 20 h.

CHECKING_PER_DAY = 0.5


@pytest.mark.slow  # run by .ci/run after make test (make test-slow)
def test_unpaid_share_is_checking_time_over_working_time() -> None:
    run = _ample(workers={"count": 50, "checking_hours_per_day": CHECKING_PER_DAY},
                 dispatch={"delay": {"dist": "exponential", "mean": "3d"}})
    results = gigsim.simulate(run, replications=20, seed=308)
    checking = CHECKING_PER_DAY / DAY * DELAY_MEAN_H
    worked = 20.0 / WEEK * WEEK
    share = results.summary().per_replication["unpaid_share"].to_numpy()
    assert_matches_theory(share, checking / (checking + worked),
                          "unpaid share, checking over working time")
