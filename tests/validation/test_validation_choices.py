"""Workers' choices (issue 22): closed-form cases.

Tolerances as in ``_validation_support``: per-replication estimates within the t band of
their mean; sample-path facts exactly.
"""

from __future__ import annotations

import numpy as np
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
