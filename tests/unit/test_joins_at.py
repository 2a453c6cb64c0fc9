"""Worker groups whose ``count`` applicants join later than time 0 (``joins_at``)."""

from __future__ import annotations

import numpy as np
import pytest

import gigsim
from gigsim.errors import ScenarioError


def _scenario(**group: object) -> gigsim.Scenario:
    return gigsim.Scenario.from_dict({
        "name": "late",
        "simulation": {"horizon": "4w", "warmup": "2w", "seed": 1},
        "workers": [
            {"name": "early", "count": 5, "skills": ["g"], "hours_per_week": 20},
            {"name": "late", "count": 7, "skills": ["g"], "hours_per_week": 10, **group},
        ],
        "projects": [{"name": "p", "requires": "g", "arrivals_per_week": 2, "seats": 3,
                      "lifetime": "1w", "pay_per_hour": 15, "hours_per_week_per_seat": 20}],
    })


def test_count_applicants_join_at_joins_at() -> None:
    scenario = _scenario(joins_at="3w")
    assert scenario.workers[1].joins_at_h == 3 * 168 and scenario.workers[0].joins_at_h == 0
    workers = gigsim.simulate(scenario, replications=1).workers
    late = workers[workers["group"] == "late"]
    early = workers[workers["group"] == "early"]
    assert len(late) == 7 and len(early) == 5
    np.testing.assert_allclose(late["joined_h"], 168.0)  # 3 weeks, less the 2-week warm-up
    assert (late["worker_id"] > early["worker_id"].max()).all()  # ids in order of joining


def test_a_later_group_leaves_the_other_groups_draws_alone() -> None:
    base = gigsim.simulate(_scenario(), replications=1).workers
    moved = gigsim.simulate(_scenario(joins_at="1w"), replications=1).workers
    assert list(base.loc[base["group"] == "early", "hours_per_week"]) == \
        list(moved.loc[moved["group"] == "early", "hours_per_week"])


def test_joins_at_is_a_duration() -> None:
    with pytest.raises(ScenarioError, match=r"workers\.late\.joins_at"):
        _scenario(joins_at=3)
