"""Validation against queueing theory: results the model must reproduce exactly or in law.

Tolerances: see ``_validation_support`` — a per-replication estimate's mean must lie within
``k`` standard errors of the theoretical value, ``k`` the t quantile (R - 1 d.f.) of a two-sided
4-sigma band. Sample-path identities are checked exactly (up to floating-point rounding).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from _validation_support import (
    TAIL,
    assert_matches_theory,
    per_replication_ratio,
    scenario,
)
from scipy import stats

import gigsim

WEEK = 168.0
DAY = 24.0
YEAR = 8766.0

# --- 1. single-seat projects: busy workers = min(N, projects alive) ---------------------------
#
# Single-seat projects arrive as a Poisson process (rate lambda) and live Exp(mean 1/mu),
# whether or not their seat is filled, so the number alive X(t) is an M/M/inf occupancy:
# Poisson(lambda/mu) in steady state. With no dispatch delay, a free worker takes an open seat at
# once and an open seat takes a free worker at once, so busy(t) = min(N, X(t)) on every sample
# path, and utilisation = E[min(N, X)] / N. Workers' availability (40 h/week) equals the task
# supply per seat, so an assigned worker works all their available hours (no underuse).

N_WORKERS = 20
LOAD = 15.0  # lambda / mu: 15 projects a week, mean lifetime 1 week


def _single_seat(horizon: str) -> gigsim.Scenario:
    return scenario(workers=N_WORKERS, arrivals_per_week=LOAD, seats=1,
                    lifetime={"dist": "exponential", "mean": "1w"}, delay=0, horizon=horizon,
                    # X(t) from an empty start has mean LOAD * (1 - exp(-t mu)): after 10
                    # mean lifetimes the initial bias is exp(-10) ~ 5e-5 of the mean.
                    warmup="10w")


def _step_counts(intervals: list[tuple[np.ndarray, np.ndarray]], horizon_h: float
                 ) -> tuple[np.ndarray, list[np.ndarray]]:
    """Piecewise-constant counts of several interval sets, on their common breakpoints."""
    times = np.unique(np.concatenate(
        [np.array([0.0, horizon_h])] + [np.concatenate([s, e]) for s, e in intervals]))
    times = times[(times >= 0) & (times <= horizon_h)]
    counts = []
    for starts, ends in intervals:
        up = np.searchsorted(np.sort(starts), times, side="right")
        down = np.searchsorted(np.sort(ends), times, side="right")
        counts.append(up - down)  # intervals [s, e) containing each breakpoint's right side
    return times, counts


def test_single_seat_busy_workers_equal_min_of_workers_and_projects_alive() -> None:
    """Sample-path identity busy(t) == min(N, alive(t)) at every moment of the window."""
    horizon_h = YEAR
    results = gigsim.simulate(_single_seat("1y"), replications=2, seed=101, jobs=1)
    for rep in range(2):
        projects = results.projects[results.projects["replication"] == rep]
        spells = results.spells[results.spells["replication"] == rep]
        work = spells[spells["kind"] == "work"]
        assert len(work) > 500  # plenty of assignments: the identity is not vacuous
        alive = (np.maximum(projects["launch_h"].to_numpy(), 0.0),
                 np.minimum(projects["end_h"].to_numpy(), horizon_h))
        busy = (work["start_h"].to_numpy(), work["end_h"].to_numpy())
        times, (n_alive, n_busy) = _step_counts([alive, busy], horizon_h)
        widths = np.diff(times)
        mismatch = (n_busy != np.minimum(N_WORKERS, n_alive))[:-1]
        # Simulated event times are sums of floats, so a spell may end a few ulps away from its
        # project's end; allow the mismatched time to be that rounding and nothing more.
        assert widths[mismatch].sum() <= 1e-6, (
            f"replication {rep}: busy != min(N, alive) for {widths[mismatch].sum():.3g} h")
        # the regime is interesting: all workers busy, and some idle, for much of the time
        assert widths[(n_alive >= N_WORKERS)[:-1]].sum() > 0.02 * horizon_h
        assert widths[(n_alive < N_WORKERS)[:-1]].sum() > 0.5 * horizon_h
        # Seat accounting of the same path, project by project (launched and ended inside the
        # window): a seat is open from launch until its worker starts, or until the end.
        fills = results.project_fills[results.project_fills["replication"] == rep].merge(
            projects, on=["replication", "project_id"])
        inside = fills[(fills["launch_h"] >= 0) & (fills["end_h"] < horizon_h)]
        first_start = work.groupby("project_id")["start_h"].min()
        started = inside["project_id"].map(first_start)
        filled = started.notna()
        assert filled.sum() > 300 and (~filled).sum() > 0  # some never filled
        assert (inside["seats_filled"] == filled.astype(int)).all()
        np.testing.assert_allclose(inside.loc[filled, "fill_latency_mean_h"],
                                   (started - inside["launch_h"])[filled], rtol=0, atol=1e-6)
        np.testing.assert_allclose(
            inside["unfilled_seat_h"],
            np.where(filled, started - inside["launch_h"], inside["end_h"] - inside["launch_h"]),
            rtol=0, atol=1e-6)


@pytest.fixture(scope="module")
def single_seat_results() -> gigsim.Results:
    return gigsim.simulate(_single_seat("3y"), replications=40, seed=102, jobs=1)


def _poisson_min_mean(n: int, mean: float) -> float:
    """E[min(n, X)] for X ~ Poisson(mean), exactly: n - sum_{k < n} (n - k) P(X = k)."""
    k = np.arange(n)
    return n - float(np.sum((n - k) * stats.poisson.pmf(k, mean)))


@pytest.mark.slow  # run by .ci/run after make test (make test-slow)
def test_single_seat_utilisation_is_expected_min_of_workers_and_poisson(
        single_seat_results: gigsim.Results) -> None:
    """worked_h / available_h == E[min(N, X)] / N, X ~ Poisson(lambda / mu)."""
    results = single_seat_results
    theory = _poisson_min_mean(N_WORKERS, LOAD) / N_WORKERS  # 0.73938...
    months = results.worker_months
    # accounting: every worker is available 40 h a week for the whole horizon, all of it
    # either worked or idle
    available = months.groupby("replication")["available_h"].sum().to_numpy()
    np.testing.assert_allclose(available, N_WORKERS * 40.0 / WEEK * 3 * YEAR, rtol=1e-9)
    assert float(months["underused_h"].abs().max()) < 1e-9
    np.testing.assert_allclose(months["worked_h"] + months["idle_h"], months["available_h"],
                               rtol=1e-9, atol=1e-6)
    utilisation = per_replication_ratio(months, "worked_h", "available_h")
    assert len(utilisation) == 40
    # the summary's idle share is the complement, replication by replication
    np.testing.assert_allclose(results.summary().per_replication["idle_share"].to_numpy(),
                               1.0 - utilisation, rtol=1e-9)
    assert_matches_theory(utilisation, theory, "utilisation E[min(N,X)]/N")


@pytest.mark.slow  # run by .ci/run after make test (make test-slow)
def test_single_seat_open_seats_obey_littles_law(single_seat_results: gigsim.Results) -> None:
    """Unfilled seat-hours per project × launch rate == E[(X - N)^+], the mean open seats.

    Open seats at a time are the projects alive beyond the N workers' reach, max(0, X - N), with
    mean LOAD - E[min(N, X)] ~ 0.212. By Little's law that equals the launch rate times the mean
    time a seat stays open (until filled or the project ends), which is what
    ``project_fills.unfilled_seat_h`` records. Projects launched in the window's first
    3 years - 10 weeks are used: their open time is cut by the horizon only if it exceeds 10
    weeks, which needs a lifetime over 10 weeks (probability e^-10). The per-replication values
    are right-skewed (open seats come from rare excursions of X above N), so small samples
    tend to fall short of the mean more often than over it; 40 replications of 3 years keep the
    t band honest.
    """
    horizon_h = 3 * YEAR
    cutoff_h = horizon_h - 10 * WEEK
    results = single_seat_results
    fills = results.project_fills.merge(
        results.projects[["replication", "project_id", "launch_h", "seats"]],
        on=["replication", "project_id"])
    assert (fills["seats_filled"] <= fills["seats"]).all()
    launched = fills[(fills["launch_h"] >= 0) & (fills["launch_h"] < cutoff_h)]
    open_seats = launched.groupby("replication")["unfilled_seat_h"].sum() / cutoff_h
    assert len(open_seats) == 40
    theory = LOAD - _poisson_min_mean(N_WORKERS, LOAD)
    assert_matches_theory(open_seats.to_numpy(), theory, "mean open seats E[(X-N)^+]")


# --- 2. ample seats: workers alternate an assignment and a dispatch delay ----------------------
#
# Four-seat projects arrive at 50 a week and live Exp(mean 1 week), so X ~ Poisson(50) are alive
# with 4X seats. A seat stays taken only while its worker is on it, so at most 50 are taken and
# an open seat waits unless X <= 12 (probability 1.3e-10). A freed worker is idle for its dispatch
# delay D ~ Exp(mean 3 days), then takes the longest-open seat, whose project's remaining life
# is Exp(mean 1 week) by memorylessness (whether a seat is still open depends only on the
# past). Each worker is an alternating renewal process, so the idle share of available time is
# E[D] / (E[L] + E[D]) = 72 / 240 = 0.3, and every reassignment latency is exactly that
# worker's delay: i.i.d. Exp(mean 72 h).

AMPLE_L_H = WEEK
AMPLE_D_H = 3 * DAY


def _ample() -> gigsim.Scenario:
    return scenario(workers=50, arrivals_per_week=50.0, seats=4,
                    lifetime={"dist": "exponential", "mean": "1w"},
                    delay={"dist": "exponential", "mean": "3d"},
                    # 8 weeks: the alive count's start-up shortfall is exp(-8) of 50, and seats
                    # are ample after the first week; workers' cycles last 10 days.
                    warmup="8w")


@pytest.fixture(scope="module")
def ample_results() -> gigsim.Results:
    return gigsim.simulate(_ample(), replications=20, seed=201, jobs=1)


@pytest.mark.slow  # run by .ci/run after make test (make test-slow)
def test_ample_seats_idle_share_is_delay_over_cycle(ample_results: gigsim.Results) -> None:
    """idle_h / available_h == E[D] / (E[L] + E[D]) = 0.3."""
    idle_share = ample_results.summary().per_replication["idle_share"].to_numpy()
    np.testing.assert_allclose(
        idle_share, per_replication_ratio(ample_results.worker_months, "idle_h", "available_h"),
        rtol=1e-9)
    assert_matches_theory(idle_share, AMPLE_D_H / (AMPLE_L_H + AMPLE_D_H),
                          "idle share E[D]/(E[L]+E[D])")


@pytest.mark.slow  # run by .ci/run after make test (make test-slow)
def test_ample_seats_latency_is_the_dispatch_delay(ample_results: gigsim.Results) -> None:
    """Reassignment latencies are i.i.d. Exp(E[D]): mean per replication and KS on all."""
    latencies = ample_results.latencies
    assert set(latencies["cause"].unique()) == {"end_without_notice"}
    # A latency released more than 6 weeks before the horizon is censored only if its delay
    # exceeds 6 weeks: probability exp(-1008/72) ~ 8e-7 each. Selecting by release time does
    # not bias the delays, which are drawn at release.
    early = latencies[latencies["released_h"] < YEAR - 6 * WEEK]
    assert not early["censored"].any()
    per_rep = early.groupby("replication")["latency_h"].mean()
    assert len(per_rep) == 20 and early.groupby("replication").size().min() > 1000
    assert_matches_theory(per_rep.to_numpy(), AMPLE_D_H, "mean latency E[D]")
    # Distribution: one-sample KS against Exp(72 h), at the tail probability of the bands.
    ks = stats.kstest(early["latency_h"].to_numpy(), "expon", args=(0.0, AMPLE_D_H))
    assert ks.pvalue > TAIL, f"latencies are not Exp(72 h): KS D={ks.statistic:.4g}"


# --- 3. Little's law for projects (M/G/inf with log-normal lifetimes) --------------------------
#
# Projects alive at a time in steady state: mean = arrival rate × mean lifetime, whatever the
# lifetime distribution. Log-normal lifetimes with median 1 week and sigma 1 have mean
# 168 e^0.5 = 277.0 h; at 30 projects a week, 49.46 projects are alive on average. The count of
# launches in the window is Poisson with mean 30 per week of horizon.


def test_projects_alive_obey_littles_law() -> None:
    horizon_h = 2 * YEAR
    mean_lifetime_h = WEEK * math.exp(0.5)
    rate_per_h = 30.0 / WEEK
    run = scenario(workers=1, arrivals_per_week=30.0, seats=3,
                   lifetime={"dist": "lognormal", "median": "1w", "sigma": 1.0},
                   horizon="2y",
                   # start-up bias = rate * E[(L - warmup)^+] for a 1-year warm-up: about
                   # 3e-6 projects (P(L > 1 year) = P(Z > ln 52) ~ 4e-5), negligible.
                   warmup="1y")
    results = gigsim.simulate(run, replications=20, seed=301, jobs=1)
    projects = results.projects
    overlap = (np.minimum(projects["end_h"], horizon_h) - np.maximum(projects["launch_h"], 0.0))
    assert (overlap > 0).all()  # the table holds exactly the projects alive in the window
    alive = overlap.groupby(projects["replication"]).sum() / horizon_h
    assert_matches_theory(alive.to_numpy(), rate_per_h * mean_lifetime_h,
                          "mean projects alive = rate x mean lifetime")
    launched = projects[projects["launch_h"] >= 0].groupby("replication").size()
    assert_matches_theory(launched.to_numpy() / (horizon_h / WEEK), 30.0,
                          "launches per week")


# --- 4. pre-assignment on notice: latency = max(0, delay - notice), exactly --------------------
#
# With constant notice n = 1 week, a constant dispatch delay D and ample seats, PRODUCT.md fixes
# every latency: a project ending without notice frees its workers, each idle for exactly D. With
# pre-assignment on, a worker on a project put under notice starts its delay at the announcement
# (or at its own start, if it started on a project already under notice), so its latency at the
# project's end is max(0, delay start + D - end), i.e. max(0, D - n) for one there before the
# notice. With pre-assignment off, every latency is D.


@pytest.mark.parametrize(("delay_h", "pre_assign"), [
    (10 * DAY, True),   # D > n: latency D - n = 3 days after a notice
    (3 * DAY, True),    # D < n: seamless, latency 0 after a notice
    (3 * DAY, False),   # no pre-assignment: latency D whatever the notice
])
def test_latency_after_notice_is_delay_minus_notice(delay_h: float, pre_assign: bool) -> None:
    notice_h = WEEK
    # about 100 four-seat projects alive, most of them taking workers, for 50 workers
    run = scenario(workers=50, arrivals_per_week=50.0, seats=4,
                   lifetime={"dist": "exponential", "mean": "2w"},
                   delay=f"{delay_h:g}h", notice={"probability": 0.5, "duration": "1w"},
                   pre_assign=pre_assign, horizon="1y", warmup="4w")
    results = gigsim.simulate(run, replications=2, seed=401, jobs=1)
    latencies = results.latencies
    latencies = latencies[~latencies["censored"]]
    spells = results.spells
    work = spells[(spells["kind"] == "work") & ~spells["left_truncated"]]
    projects = results.projects[["replication", "project_id", "notice_h", "end_h"]]
    # the assignment each latency follows: the worker's work spell ending at the release
    ended = work.merge(projects, on=["replication", "project_id"], how="left",
                       suffixes=("", "_project"))
    ended = ended[ended["end_h"] == ended["end_h_project"]]
    rows = latencies.merge(
        ended[["replication", "worker_id", "end_h", "start_h", "notice_h"]],
        left_on=["replication", "worker_id", "released_h"],
        right_on=["replication", "worker_id", "end_h"], how="inner")
    # only releases ending an assignment that began in the warm-up find no spell: one at most
    # per worker
    unmatched = len(latencies) - len(rows)
    assert 0 <= unmatched <= latencies.groupby(["replication", "worker_id"]).ngroups
    without = rows[rows["cause"] == "end_without_notice"]
    with_notice = rows[rows["cause"] == "end_with_notice"]
    assert len(without) > 500 and len(with_notice) > 500
    assert with_notice["notice_h"].notna().all() and without["notice_h"].isna().all()
    np.testing.assert_allclose(without["latency_h"], delay_h, rtol=0, atol=1e-6)
    if pre_assign:
        delay_start = np.maximum(with_notice["notice_h"], with_notice["start_h"])
        expected = np.maximum(0.0, delay_start + delay_h - with_notice["released_h"])
        before_notice = with_notice["start_h"] < with_notice["notice_h"]
        assert before_notice.sum() > 500
        np.testing.assert_allclose(expected[before_notice], max(0.0, delay_h - notice_h),
                                   rtol=0, atol=1e-6)
    else:
        expected = pd.Series(delay_h, index=with_notice.index)
    np.testing.assert_allclose(with_notice["latency_h"], expected, rtol=0, atol=1e-6)
