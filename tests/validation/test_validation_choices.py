"""Workers' choices (issue 22): closed-form cases.

Tolerances as in ``_validation_support``: per-replication estimates within the t band of
their mean; sample-path facts exactly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from _validation_support import assert_matches_theory

import gigsim

# --- a floor on pay: seats paying less are refused ---------------------------------------------
#
# Project pay is Uniform($10, $20) an hour, drawn apart from everything else; every worker
# refuses seats paying less than $15. Four-seat projects arrive at 40 a week and live a week,
# for 30 workers with a day's delay: seats paying $15 or more are ample (20 such projects
# alive, 80 seats), so a worker takes the first open one it does not refuse, and its pay is
# that of a project paying at least $15: Uniform($15, $20), mean $17.50. No assignment pays
# less than the floor, and refusals happen (half the projects pay less).

FLOOR = 15.0


def test_a_floor_on_pay_keeps_workers_to_the_seats_above_it() -> None:
    run = gigsim.Scenario.from_dict({
        "name": "floor",
        "simulation": {"horizon": "1y", "warmup": "4w", "replications": 1, "seed": 0},
        "workers": [{"name": "w", "count": 30, "skills": ["g"], "hours_per_week": 40,
                     "minimum_pay_per_hour": FLOOR}],
        "projects": [{"name": "p", "requires": "g", "seats": 4, "arrivals_per_week": 40,
                      "lifetime": {"dist": "exponential", "mean": "1w"},
                      "pay_per_hour": {"dist": "uniform", "low": 10, "high": 20},
                      "hours_per_week_per_seat": 40}],
        "dispatch": {"delay": {"dist": "exponential", "mean": "1d"}},
    })
    results = gigsim.simulate(run, replications=12, seed=23)
    work = results.spells[results.spells["kind"].astype(str) == "work"]
    pay = results.projects.set_index(["replication", "project_id"])["pay_per_hour_usd"]
    taken = work.drop_duplicates(["replication", "worker_id", "project_id"])
    taken_pay = pay.loc[list(zip(taken["replication"], taken["project_id"], strict=True))]
    assert (taken_pay >= FLOOR).all()
    means = taken_pay.groupby(level=0).mean().to_numpy()
    assert_matches_theory(means, (FLOOR + 20.0) / 2, "pay of the seats taken, U(15, 20)")
    workers = results.workers
    assert (workers["minimum_pay_per_hour"] == FLOOR).all()
    assert workers["refusals"].sum() > 0
    # without the floor the same seeds take seats of every pay: the mean falls to ~$15
    free = gigsim.simulate(run.with_overrides({"workers.w.minimum_pay_per_hour": 0}),
                           replications=4, seed=23)
    free_work = free.spells[free.spells["kind"].astype(str) == "work"]
    assert (free_work["income_usd"] / free_work["worked_h"]).min() < FLOOR
    assert (free.workers["refusals"] == 0).all()
    assert np.isfinite(means).all()


# --- a reservation wage: reviews every `review_every` of a stay --------------------------------
#
# Four-seat projects paying Uniform($10, $20) an hour arrive at 40 a week, each supplying 40 h a
# week per seat. Each case's workers want 40 h a week and join once projects have been arriving
# for a week, so that seats are ample (about 160 open for 30 workers).

WEEK_H = 168.0


def _reviewed(workers: list[dict[str, object]], lifetime: object,
              delay: object = "1h", horizon: str = "12w") -> gigsim.Scenario:
    return gigsim.Scenario.from_dict({
        "name": "reviews",
        "simulation": {"horizon": horizon, "warmup": "0h", "replications": 1, "seed": 0},
        "workers": workers,
        "projects": [{"name": "p", "requires": "g", "seats": 4, "arrivals_per_week": 40,
                      "lifetime": lifetime,
                      "pay_per_hour": {"dist": "uniform", "low": 10, "high": 20},
                      "hours_per_week_per_seat": 40}],
        "dispatch": {"delay": delay},
    })


def _group(name: str, **keys: object) -> dict[str, object]:
    return {"name": name, "count": 30, "joins_at": "1w", "skills": ["g"], "hours_per_week": 40,
            **keys}


def test_a_reservation_wage_above_every_pay_empties_the_platform_at_the_first_review() -> None:
    # $25 an hour is above every project's pay, so no income per hour set aside reaches it:
    # every worker leaves at its first review, onboarding + 2 weeks, whatever it was doing
    # (on one project or, in the second group, on several). Fails before reviews exist (the
    # keys are unknown), and would fail if a worker on a seat were not reviewed.
    keys = {"reservation_wage": 25, "review_every": "2w", "review_window": "4w"}
    run = _reviewed([_group("one", **keys), _group("several", max_projects=2, **keys)],
                    {"dist": "exponential", "mean": "1w"})
    results = gigsim.simulate(run, replications=3, seed=5)
    workers = results.workers
    assert workers["onboarded_h"].notna().all()
    np.testing.assert_array_equal(workers["left_h"], workers["onboarded_h"] + 2 * WEEK_H)
    assert (workers["leave_cause"] == "low_earnings").all()
    assert (workers["reservation_wage"] == 25).all()
    # the platform is empty after the review: no spell of any worker runs past it
    spells = results.spells
    assert spells["end_h"].max() <= 3 * WEEK_H + 1e-9
    assert (spells.loc[spells["kind"] == "work", "end_h"] <= 3 * WEEK_H + 1e-9).all()
    assert not spells["censored"].any()


def test_a_worker_on_one_project_leaves_exactly_when_its_pay_falls_below_the_wage() -> None:
    # Projects outlive the run, so each worker holds the first seat it takes (after a delay of
    # 1 h from onboarding) to the end. Its income per hour set aside at the first review, a
    # week after onboarding (the 4-week window cut by onboarding), is pay x 167/168: it leaves
    # then exactly when that is below its reservation wage, Uniform($12, $18), and otherwise
    # stays to the end (each later window holds only work at that pay).
    run = _reviewed([_group("w", reservation_wage={"dist": "uniform", "low": 12, "high": 18},
                            review_every="1w", review_window="4w")], "200w")
    results = gigsim.simulate(run, replications=2, seed=9)
    workers = results.workers.set_index(["replication", "worker_id"])
    work = results.spells[results.spells["kind"] == "work"]
    assert not work.duplicated(["replication", "worker_id"]).any()  # one seat each
    pay = results.projects.set_index(["replication", "project_id"])["pay_per_hour_usd"]
    work = work.set_index(["replication", "worker_id"])
    taken = pay.loc[list(zip(work.index.get_level_values(0), work["project_id"],
                             strict=True))].to_numpy()
    wage = workers.loc[work.index, "reservation_wage"].to_numpy()
    leaves = taken * 167 / 168 < wage
    assert 0 < leaves.sum() < len(leaves)  # both happen
    left = workers.loc[work.index, "left_h"].to_numpy()
    onboarded = workers.loc[work.index, "onboarded_h"].to_numpy()
    np.testing.assert_allclose(left[leaves], onboarded[leaves] + WEEK_H, rtol=0, atol=1e-9)
    assert np.isnan(left[~leaves]).all()


def test_a_reservation_wage_below_every_pay_changes_no_record() -> None:
    # $1 an hour is below every project's pay; with a delay of an hour between projects, income
    # per hour set aside is at least $10 x (1 - a few hours a week) > $1: no one leaves for it,
    # and every table is the same as without the reservation wage, column by column (its own
    # column apart). The reviews did happen: the run handled more events.
    lifetime = {"dist": "exponential", "mean": "1w"}
    keys = {"reservation_wage": 1, "review_every": "1w", "review_window": "4w"}
    plain = gigsim.simulate(_reviewed([_group("w")], lifetime), replications=2, seed=4)
    reviewed = gigsim.simulate(_reviewed([_group("w", **keys)], lifetime), replications=2,
                               seed=4)
    for name in plain.table_names:
        a, b = plain.table(name), reviewed.table(name)
        if name == "workers":
            assert a["reservation_wage"].isna().all() and (b["reservation_wage"] == 1).all()
            a, b = a.drop(columns="reservation_wage"), b.drop(columns="reservation_wage")
        assert list(a.columns) == list(b.columns), name
        for column in a.columns:
            pd.testing.assert_series_equal(a[column], b[column], check_exact=True,
                                           obj=f"{name}.{column}")
    assert len(plain.spells) > 0 and plain.workers["left_h"].isna().all()
    assert sum(r.events for r in reviewed.records) > sum(r.events for r in plain.records)


# --- return: leavers come back ----------------------------------------------------------------
#
# Scarce work (a two-seat project a week) and a constant patience of a week: workers leave from
# impatience often. With `return = { probability = 1, after = "2w" }` and no hazard, every
# impatience departure before the last two weeks of the run is followed by a return two weeks
# later. An impatience departure is an idle spell of exactly the patience, ended, not censored
# (an assignment starting at that very instant has probability 0), so the returns per worker
# can be counted from the spells alone.


def test_returns_per_worker_match_the_departures_eligible_for_one() -> None:
    after_h = 2 * WEEK_H
    run = gigsim.Scenario.from_dict({
        "name": "returns",
        "simulation": {"horizon": "30w", "warmup": "0h", "replications": 1, "seed": 0},
        "workers": [{"name": "w", "count": 20, "arrivals_per_week": 1, "skills": ["g"],
                     "hours_per_week": 30, "patience": "1w",
                     "return": {"probability": 1, "after": "2w"}}],
        "projects": [{"name": "p", "requires": "g", "seats": 2, "arrivals_per_week": 1,
                      "lifetime": {"dist": "exponential", "mean": "2w"}, "pay_per_hour": 15,
                      "hours_per_week_per_seat": 30}],
        "dispatch": {"delay": {"dist": "exponential", "mean": "1d"}},
    })
    results = gigsim.simulate(run, replications=3, seed=11)
    end_h = 30 * WEEK_H
    spells = results.spells
    idle = spells[(spells["kind"] == "idle") & ~spells["censored"]]
    impatient = idle[np.isclose(idle["end_h"] - idle["start_h"], WEEK_H, rtol=0, atol=1e-6)]
    eligible = impatient[impatient["end_h"] + after_h < end_h]
    expected = eligible.groupby(["replication", "worker_id"]).size()
    workers = results.workers.set_index(["replication", "worker_id"])
    returns = workers["returns"]
    assert expected.sum() > 50  # returns happen, many of them
    pd.testing.assert_series_equal(
        returns[returns > 0].sort_index(), expected.sort_index().rename("returns"),
        check_names=False, check_dtype=False)
    # each absence lasts exactly `after`, and opens a latency observation of cause `returned`
    absences = results.absences
    assert len(absences) == expected.sum()
    np.testing.assert_allclose(absences["away_h"], after_h, rtol=0, atol=1e-9)
    assert (absences["cause"] == "impatience").all()
    back = results.latencies[results.latencies["cause"] == "returned"]
    assert len(back) == len(absences)
    # the time away is no spell: nothing of any worker overlaps an absence
    for a in absences.itertuples():
        mine = spells[(spells["replication"] == a.replication)
                      & (spells["worker_id"] == a.worker_id)]
        assert not ((mine["start_h"] < a.back_h - 1e-9) & (mine["end_h"] > a.left_h + 1e-9)).any()
    # a worker who came back and left again: left_h is the last departure
    assert (workers.loc[returns > 0, "left_h"].fillna(np.inf)
            > absences.groupby(["replication", "worker_id"])["back_h"].max()
            .reindex(workers.index[returns > 0])).all()
