"""The workforce's arrays and the bulk pool: who is in the pool at a time, when an idle worker
leaves; and draws by slot."""

from __future__ import annotations

import numpy as np

from gigsim import Scenario
from gigsim.engine import Replication
from gigsim.engine.records import Phase
from gigsim.engine.slots import SlotDraws
from gigsim.engine.workforce import Workforce, skill_index
from gigsim.randomness import Streams, replication_seed
from gigsim.scenario.dists import Exponential

from ._support import data


def workforce() -> Workforce:
    scenario_data = data(workers=4)
    scenario_data["workers"].append({"name": "v", "count": 2, "skills": ["g", "m"],
                                     "hours_per_week": 20})
    rep = Replication(Scenario.from_dict(scenario_data), 1, 0)
    return rep.wf


def test_columns_have_one_row_per_worker_and_skills_are_bits() -> None:
    wf = workforce()
    wf.check()
    assert wf.n_workers == 6
    assert wf.skills.tolist() == [1, 1, 1, 1, 3, 3]
    assert wf.n_skills.tolist() == [1, 1, 1, 1, 2, 2]
    assert np.allclose(wf.available_h_per_h, [40 / 168] * 4 + [20 / 168] * 2)
    assert (wf.phase == Phase.IDLE).all() and wf.seeking.all()
    assert (wf.t_ready == 0).all()  # onboarded at 0 with no delay
    assert np.isnan(wf.t_left).all()


def test_pool_is_ready_by_now_and_seeking_with_the_skill() -> None:
    wf = workforce()
    wf.t_ready[:] = [1.0, 5.0, 2.0, np.inf, 3.0, 9.0]
    wf.seeking[2] = False  # matched
    assert wf.pool(1, 0.5).tolist() == []
    assert wf.pool(1, 3.0).tolist() == [0, 4]
    assert wf.pool(2, 3.0).tolist() == [4]  # only the two-skill workers have skill "m"
    assert wf.pool(1, 9.0).tolist() == [0, 1, 4, 5]


def test_an_idle_worker_leaves_at_the_first_of_patience_and_hazard() -> None:
    wf = workforce()
    wf.t_patience[:] = [10.0, 20.0, np.inf, 5.0, np.inf, np.inf]
    wf.t_hazard[:] = [np.inf, 8.0, 7.0, np.inf, np.inf, 1.0]
    assert np.allclose(wf.t_gone()[:4], [10.0, 8.0, 7.0, 5.0])


def test_the_pool_leaves_out_no_one_a_scan_would_find() -> None:
    # the bulk pool equals a per-worker scan on random columns
    rng = np.random.default_rng(5)
    wf = workforce()
    for _ in range(50):
        wf.t_ready[:] = rng.uniform(0, 10, 6)
        wf.seeking[:] = rng.random(6) < 0.7
        now = float(rng.uniform(0, 10))
        for bit in (1, 2):
            scan = [i for i in range(6) if wf.seeking[i] and wf.t_ready[i] <= now
                    and wf.skills[i] & bit]
            assert wf.pool(bit, now).tolist() == scan


def test_skill_index_in_file_order() -> None:
    scenario_data = data()
    scenario_data["workers"].append({"name": "v", "count": 1, "skills": ["m", "g", "c"],
                                     "hours_per_week": 20})
    assert skill_index(Scenario.from_dict(scenario_data)) == {"g": 0, "m": 1, "c": 2}


def test_slot_draws_do_not_depend_on_who_else_drew() -> None:
    streams = Streams(replication_seed(9, 0))
    dist = Exponential(5.0)

    def draws() -> SlotDraws:
        return SlotDraws(streams, "dispatch.delay", lambda rng, n: dist.sample(rng, n), 100)

    alone, crowd = draws(), draws()
    mine = alone.take(np.array([7]), np.array([2]))
    crowd.take(np.arange(100), np.zeros(100, dtype=int))
    together = crowd.take(np.array([3, 7, 50]), np.array([2, 2, 1]))
    assert together[1] == mine[0]
    assert len(set(crowd.block(0).tolist())) == 100  # distinct draws per worker
