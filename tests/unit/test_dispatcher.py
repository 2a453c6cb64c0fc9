"""The dispatcher and its policies, on small hand-built situations with a stub callback."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gigsim.dispatch import (
    Dispatcher,
    DispatchPolicy,
    get_policy,
    register_policy,
)
from gigsim.dispatch.policies import LongestIdle, RandomOrder
from gigsim.dispatch.policy import _REGISTRY
from gigsim.project import Project
from gigsim.scenario.policies import PolicyError, policy_names
from gigsim.worker import Worker

Match = tuple[int, int, float]


def make_worker(worker_id: int, released_at: float = 0.0,
                skills: tuple[str, ...] = ("generalist",)) -> Worker:
    worker = Worker(worker_id, 0, skills, 20.0, 0.5, 0.0, math.inf, 0.0)
    worker.released_at = released_at
    return worker


def make_project(project_id: int, launch: float = 0.0, requires: str = "generalist",
                 lifetime_h: float = 1000.0) -> Project:
    return Project(project_id, 0, requires, launch, lifetime_h, 5, 15.0, 20.0, 0.0, False,
                   None, None)


class Harness:
    """A dispatcher whose on_match records (worker id, project id, time)."""

    def __init__(self, policy: DispatchPolicy | None = None) -> None:
        self.matches: list[Match] = []
        policy = policy or LongestIdle(np.random.default_rng(0))
        self.dispatcher = Dispatcher(policy, self._on_match)

    def _on_match(self, worker: Worker, project: Project, now: float) -> None:
        self.matches.append((worker.id, project.id, now))


@pytest.fixture
def harness() -> Harness:
    return Harness()


def test_builtin_policies_are_registered() -> None:
    assert {"longest-idle", "random"} <= set(policy_names())
    assert get_policy("longest-idle") is LongestIdle
    assert get_policy("random") is RandomOrder
    assert LongestIdle.name == "longest-idle"


def test_unknown_policy_names_the_known_ones() -> None:
    with pytest.raises(PolicyError, match=r"unknown policy 'fastest'.*longest-idle"):
        get_policy("fastest")


def test_register_policy_makes_a_policy_available() -> None:
    @register_policy("test-highest-id")
    class HighestId:
        def __init__(self, rng: np.random.Generator) -> None:
            self.rng = rng

        def priority(self, worker, now: float) -> float:  # type: ignore[no-untyped-def]
            return -float(worker.id)

    try:
        h = Harness(get_policy("test-highest-id")(np.random.default_rng(0)))
        for i in range(3):
            h.dispatcher.offer_worker(make_worker(i), 0.0)
        h.dispatcher.open_seats(make_project(0), 1, 1.0)
        assert h.matches == [(2, 0, 1.0)]
    finally:
        del _REGISTRY["test-highest-id"]


def test_longest_idle_priority_is_the_release_time() -> None:
    policy = LongestIdle(np.random.default_rng(0))
    assert policy.priority(make_worker(0, released_at=3.5), 10.0) == 3.5
    assert policy.priority(make_worker(1, released_at=math.nan), 10.0) == 10.0  # under notice


def test_longest_idle_picks_the_earliest_released_worker(harness: Harness) -> None:
    d = harness.dispatcher
    for worker_id, released in [(0, 5.0), (1, 1.0), (2, 3.0), (3, 8.0)]:
        d.offer_worker(make_worker(worker_id, released), released + 1.0)
    assert harness.matches == []
    assert d.pool_size("generalist") == 4
    project = make_project(0, launch=10.0)
    d.open_seats(project, 2, 10.0)
    assert harness.matches == [(1, 0, 10.0), (2, 0, 10.0)]
    assert d.pool_size("generalist") == 2
    d.open_seats(make_project(1, launch=11.0), 1, 11.0)
    assert harness.matches[-1] == (0, 1, 11.0)
    assert d.pool_size("generalist") == 1


def test_ties_go_to_whoever_entered_the_pool_first(harness: Harness) -> None:
    d = harness.dispatcher
    for worker_id in (4, 2, 7):
        d.offer_worker(make_worker(worker_id, released_at=1.0), 2.0)
    d.open_seats(make_project(0), 3, 3.0)
    assert [m[0] for m in harness.matches] == [4, 2, 7]


def test_worker_offered_when_a_seat_is_open_takes_it_at_once(harness: Harness) -> None:
    d = harness.dispatcher
    project = make_project(0, launch=0.0)
    d.open_seats(project, 2, 0.0)
    assert harness.matches == []
    assert project.open_seats == 2
    worker = make_worker(0, released_at=1.0)
    d.offer_worker(worker, 4.0)
    assert harness.matches == [(0, 0, 4.0)]
    assert d.pool_size("generalist") == 0
    assert not worker.matchable
    assert project.open_seats == 1
    assert project.filled == 1
    assert project.fill_latency_sum_h == pytest.approx(4.0)
    d.offer_worker(make_worker(1), 6.0)
    assert harness.matches[-1] == (1, 0, 6.0)
    assert project.open_seats == 0
    assert project.fill_latency_sum_h == pytest.approx(10.0)
    d.offer_worker(make_worker(2), 7.0)  # project full: the worker waits
    assert len(harness.matches) == 2
    assert d.pool_size("generalist") == 1


def test_offered_worker_takes_the_longest_open_project(harness: Harness) -> None:
    d = harness.dispatcher
    d.open_seats(make_project(0, launch=0.0), 1, 0.0)
    d.open_seats(make_project(1, launch=1.0), 1, 1.0)
    d.offer_worker(make_worker(0), 2.0)
    d.offer_worker(make_worker(1), 3.0)
    assert harness.matches == [(0, 0, 2.0), (1, 1, 3.0)]


def test_worker_without_the_skill_is_not_matched(harness: Harness) -> None:
    d = harness.dispatcher
    d.open_seats(make_project(0, requires="medical"), 1, 0.0)
    d.offer_worker(make_worker(0, skills=("generalist",)), 1.0)
    assert harness.matches == []
    d.open_seats(make_project(1, requires="coding"), 1, 2.0)
    assert harness.matches == []
    assert d.pool_size("generalist") == 1
    assert d.pool_size("medical") == 0


def test_stale_pool_entries_are_skipped_after_withdraw(harness: Harness) -> None:
    d = harness.dispatcher
    gone = make_worker(0, released_at=0.0)
    stays = make_worker(1, released_at=5.0)
    d.offer_worker(gone, 0.0)
    d.offer_worker(stays, 5.0)
    d.withdraw_worker(gone)
    assert d.pool_size("generalist") == 1
    assert not gone.matchable
    project = make_project(0)
    d.open_seats(project, 2, 6.0)
    assert harness.matches == [(1, 0, 6.0)]
    assert project.open_seats == 1  # the withdrawn worker did not take the second seat
    assert d.pool_size("generalist") == 0


def test_a_reoffered_worker_is_matched_once(harness: Harness) -> None:
    d = harness.dispatcher
    worker = make_worker(0)
    d.offer_worker(worker, 0.0)
    d.offer_worker(worker, 1.0)  # its first entry is now stale
    assert d.pool_size("generalist") == 1
    d.open_seats(make_project(0), 3, 2.0)
    assert harness.matches == [(0, 0, 2.0)]


def test_closed_project_takes_no_workers(harness: Harness) -> None:
    d = harness.dispatcher
    project = make_project(0)
    d.open_seats(project, 2, 0.0)
    d.close_project(project, 3.0)
    assert not project.accepting
    assert project.open_seats == 0
    assert project.unfilled_seat_h == pytest.approx(6.0)
    d.offer_worker(make_worker(0), 4.0)
    assert harness.matches == []
    assert d.pool_size("generalist") == 1
    d.close_project(project, 10.0)  # closing twice changes nothing
    assert project.unfilled_seat_h == pytest.approx(6.0)


def test_multi_skill_worker_is_matched_from_either_pool_once(harness: Harness) -> None:
    d = harness.dispatcher
    doctor = make_worker(0, released_at=0.0, skills=("generalist", "medical"))
    d.offer_worker(doctor, 0.0)
    assert d.pool_size("generalist") == 1
    assert d.pool_size("medical") == 1
    d.open_seats(make_project(0, requires="medical"), 1, 1.0)
    assert harness.matches == [(0, 0, 1.0)]
    assert d.pool_size("generalist") == 0  # its generalist entry is stale now
    generalist_project = make_project(1, requires="generalist")
    d.open_seats(generalist_project, 1, 2.0)
    assert harness.matches == [(0, 0, 1.0)]
    assert generalist_project.open_seats == 1


def test_multi_skill_worker_takes_a_seat_in_any_of_its_skills(harness: Harness) -> None:
    d = harness.dispatcher
    d.open_seats(make_project(0, requires="medical"), 1, 0.0)
    d.offer_worker(make_worker(0, skills=("generalist", "medical")), 1.0)
    assert harness.matches == [(0, 0, 1.0)]


def test_multi_skill_worker_takes_the_longest_open_seat_across_skills(harness: Harness) -> None:
    d = harness.dispatcher
    d.open_seats(make_project(0, launch=5.0, requires="generalist"), 1, 5.0)
    d.open_seats(make_project(1, launch=2.0, requires="medical"), 1, 2.0)
    d.offer_worker(make_worker(0, skills=("generalist", "medical")), 6.0)
    assert harness.matches == [(0, 1, 6.0)]


def test_reopened_seat_counts_from_when_it_opened(harness: Harness) -> None:
    """A seat reopened late on an old project is younger than a seat open since earlier."""
    d = harness.dispatcher
    old = make_project(0, launch=0.0, requires="medical")
    d.open_seats(old, 1, 0.0)
    d.offer_worker(make_worker(0, skills=("medical",)), 1.0)  # fills the old project
    young = make_project(1, launch=3.0, requires="generalist")
    d.open_seats(young, 1, 3.0)
    d.open_seats(old, 1, 8.0)  # its worker left: the seat reopens at 8
    d.offer_worker(make_worker(1, skills=("medical", "generalist")), 9.0)
    assert harness.matches[-1] == (1, 1, 9.0)


def test_specialist_pool_fills_specialist_project(harness: Harness) -> None:
    d = harness.dispatcher
    d.offer_worker(make_worker(0, released_at=0.0, skills=("generalist",)), 0.0)
    d.offer_worker(make_worker(1, released_at=1.0, skills=("medical",)), 1.0)
    d.open_seats(make_project(0, requires="medical"), 1, 2.0)
    assert harness.matches == [(1, 0, 2.0)]


def test_random_policy_draws_from_its_generator() -> None:
    a = RandomOrder(np.random.default_rng(3))
    b = RandomOrder(np.random.default_rng(3))
    worker = make_worker(0)
    keys = [a.priority(worker, 0.0) for _ in range(5)]
    assert keys == [b.priority(worker, 0.0) for _ in range(5)]
    assert len(set(keys)) == 5
    assert all(0.0 <= k < 1.0 for k in keys)


def test_random_policy_order_follows_its_draws() -> None:
    rng = np.random.default_rng(11)
    draws = np.random.default_rng(11).random(6)
    h = Harness(RandomOrder(rng))
    for i in range(6):
        h.dispatcher.offer_worker(make_worker(i, released_at=float(i)), float(i))
    h.dispatcher.open_seats(make_project(0), 6, 10.0)
    assert [m[0] for m in h.matches] == list(np.argsort(draws, kind="stable"))


def test_project_whose_seats_all_filled_rejoins_the_queue_at_the_back(harness: Harness
                                                                      ) -> None:
    d = harness.dispatcher
    old = make_project(0, launch=0.0)
    d.open_seats(old, 1, 0.0)
    d.offer_worker(make_worker(0), 1.0)  # fills the old project
    young = make_project(1, launch=3.0)
    d.open_seats(young, 1, 3.0)
    d.open_seats(old, 1, 8.0)  # its worker left: the seat reopens at 8
    d.offer_worker(make_worker(1), 9.0)
    d.offer_worker(make_worker(2), 10.0)
    assert harness.matches == [(0, 0, 1.0), (1, 1, 9.0), (2, 0, 10.0)]


def test_projects_queue_in_the_order_they_came_to_have_open_seats(harness: Harness) -> None:
    """The documented order: a project keeps its place while it has any open seat."""
    d = harness.dispatcher
    old = make_project(0, launch=0.0)
    d.open_seats(old, 1, 0.0)
    young = make_project(1, launch=1.0)
    d.open_seats(young, 1, 1.0)
    d.open_seats(old, 1, 5.0)  # a second seat on the old project, which is still queued
    d.offer_worker(make_worker(0), 6.0)
    d.offer_worker(make_worker(1), 7.0)
    d.offer_worker(make_worker(2), 8.0)
    assert harness.matches == [(0, 0, 6.0), (1, 0, 7.0), (2, 1, 8.0)]
