"""Each built-in dispatch policy on a small hand-built situation where its choice is known;
policy options; dispatch rounds, on the dispatcher and end to end.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import gigsim
from gigsim import Scenario, ScenarioError, load_scenario
from gigsim.dispatch import Dispatcher, DispatchPolicy, build_policy
from gigsim.dispatch.policies import BestRated, LeastEarned, LongestIdle, RandomOrder, SkillAware
from gigsim.project import Project
from gigsim.scenario.units import HOURS_PER_WEEK
from gigsim.worker import Worker

GEN = ("g",)
SPEC = ("g", "s")  # a specialist who can also do generalist work
TWO_WEEKS = 2 * HOURS_PER_WEEK
Writer = Callable[[dict[str, Any] | str], Path]


def make_worker(worker_id: int, released_at: float = 0.0, skills: tuple[str, ...] = GEN,
                quality: float = 0.5, hours_per_week: float = 20.0) -> Worker:
    worker = Worker(worker_id, 0, skills, hours_per_week, quality, 0.0, math.inf, 0.0)
    worker.released_at = released_at
    return worker


def make_project(project_id: int, requires: str = "g", launch: float = 0.0,
                 pay_per_hour: float = 15.0, supply_h_per_week: float = 20.0,
                 training_h: float = 0.0, training_paid: bool = False) -> Project:
    return Project(project_id, 0, requires, launch, 10_000.0, 5, pay_per_hour, supply_h_per_week,
                   training_h, training_paid, None, None)


class Harness:
    """A dispatcher whose on_match records (worker id, project id, time)."""

    def __init__(self, policy: DispatchPolicy, rounds: bool = False) -> None:
        self.matches: list[tuple[int, int, float]] = []
        self.dispatcher = Dispatcher(policy, self._on_match, rounds=rounds)

    def _on_match(self, worker: Worker, project: Project, now: float) -> None:
        self.matches.append((worker.id, project.id, now))

    @property
    def matched_ids(self) -> list[int]:
        return [worker_id for worker_id, _, _ in self.matches]

    def offer(self, workers: list[Worker], now: float) -> None:
        for worker in workers:
            self.dispatcher.offer_worker(worker, now)


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


# --- longest-idle ------------------------------------------------------------------------------


def test_longest_idle_is_first_come_first_served() -> None:
    h = Harness(LongestIdle(rng()))
    # offered in another order than they were freed; the one under notice counts from its offer
    under_notice = make_worker(4, released_at=math.nan)
    h.offer([make_worker(0, 30.0), make_worker(1, 10.0), make_worker(2, 20.0)], 40.0)
    h.dispatcher.offer_worker(under_notice, 25.0)
    h.dispatcher.open_seats(make_project(0), 4, 50.0)
    assert h.matched_ids == [1, 2, 4, 0]


# --- best-rated --------------------------------------------------------------------------------


def test_best_rated_picks_the_highest_quality() -> None:
    h = Harness(BestRated(rng()))
    h.offer([make_worker(0, 0.0, quality=0.3), make_worker(1, 5.0, quality=0.9),
             make_worker(2, 1.0, quality=0.6)], 10.0)
    h.dispatcher.open_seats(make_project(0), 1, 11.0)
    assert h.matched_ids == [1]
    h.dispatcher.open_seats(make_project(1), 2, 12.0)
    assert h.matched_ids == [1, 2, 0]


def test_best_rated_ties_go_to_the_longest_idle() -> None:
    h = Harness(BestRated(rng()))
    h.offer([make_worker(0, 9.0, quality=0.8), make_worker(1, 2.0, quality=0.8),
             make_worker(2, 5.0, quality=0.8), make_worker(3, 0.0, quality=0.7)], 10.0)
    h.dispatcher.open_seats(make_project(0), 4, 11.0)
    assert h.matched_ids == [1, 2, 0, 3]


# --- least-earned ------------------------------------------------------------------------------

NOW = 1000.0
WINDOW = 4 * HOURS_PER_WEEK  # the default: 672 h, so the window is [328, 1000]


def test_recent_income_counts_only_the_window_and_prorates_a_straddling_spell() -> None:
    worker = make_worker(0)
    worker.add_income(0.0, 300.0, 1000.0)  # wholly before the window
    worker.add_income(200.0, 400.0, 300.0)  # straddles its start: 72 of 200 h inside
    worker.add_income(400.0, 500.0, 200.0)  # wholly inside
    assert worker.earned_usd == pytest.approx(1500.0)
    assert worker.recent_income_usd(WINDOW, NOW) == pytest.approx(300.0 * 72 / 200 + 200.0)
    assert worker.recent_income_usd(HOURS_PER_WEEK, NOW) == 0.0  # window [832, 1000]
    assert worker.recent_income_usd(2000.0, NOW) == pytest.approx(1500.0)


def test_recent_income_counts_income_earned_at_an_instant_inside_the_window() -> None:
    # a paid assessment with no wait adds its income in a spell of zero length
    worker = make_worker(0)
    worker.add_income(900.0, 900.0, 15.0)
    assert worker.recent_income_usd(WINDOW, NOW) == pytest.approx(15.0)
    assert worker.recent_income_usd(50.0, NOW) == 0.0  # window [950, 1000]: before it


def test_recent_income_counts_the_current_assignment() -> None:
    worker = make_worker(0, released_at=math.nan, hours_per_week=20.0)
    worker.add_income(0.0, 100.0, 500.0)  # outside the window
    project = make_project(0, pay_per_hour=15.0, supply_h_per_week=10.0, training_h=2.0,
                           training_paid=True)
    worker.project = project
    worker.spell_start = 800.0
    project.workers.add(worker)
    available = 20.0 / HOURS_PER_WEEK
    training_end = 800.0 + 2.0 / available  # training at the worker's availability
    work = (NOW - training_end) * 10.0 / HOURS_PER_WEEK * 15.0  # then at the task supply
    assert worker.recent_income_usd(WINDOW, NOW) == pytest.approx(2.0 * 15.0 + work)
    # a window starting inside the work spell prorates it
    window = 100.0
    assert worker.recent_income_usd(window, NOW) == pytest.approx(
        work * window / (NOW - training_end))


def test_least_earned_picks_the_lowest_income_over_the_window() -> None:
    rich_long_ago = make_worker(0, released_at=900.0)
    rich_long_ago.add_income(0.0, 300.0, 5000.0)  # outside the window: counts for nothing
    straddling = make_worker(1, released_at=500.0)
    straddling.add_income(200.0, 400.0, 300.0)  # 108 inside
    recent = make_worker(2, released_at=100.0)
    recent.add_income(400.0, 500.0, 200.0)  # 200 inside
    h = Harness(LeastEarned(rng()))
    h.offer([recent, straddling, rich_long_ago], NOW)
    h.dispatcher.open_seats(make_project(0), 1, NOW)
    assert h.matched_ids == [0]  # highest total income, but none in the window
    h.dispatcher.open_seats(make_project(1), 2, NOW)
    assert h.matched_ids == [0, 1, 2]


def test_least_earned_ties_go_to_the_longest_idle() -> None:
    h = Harness(LeastEarned(rng()))
    h.offer([make_worker(0, 700.0), make_worker(1, 300.0), make_worker(2, 500.0)], NOW)
    h.dispatcher.open_seats(make_project(0), 3, NOW)
    assert h.matched_ids == [1, 2, 0]


def test_least_earned_counts_the_project_of_a_worker_under_notice() -> None:
    # pooled while still on a project under notice: its earnings there so far count
    on_notice = make_worker(0, released_at=math.nan)
    project = make_project(0, pay_per_hour=15.0)
    on_notice.project = project
    on_notice.spell_start = 900.0  # 100 h of work at 20 h/week: about $178
    idle = make_worker(1, released_at=950.0)
    idle.add_income(800.0, 900.0, 100.0)
    h = Harness(LeastEarned(rng()))
    h.offer([on_notice, idle], NOW)
    h.dispatcher.open_seats(make_project(1), 1, NOW)
    assert h.matched_ids == [1]


def test_least_earned_window_option_changes_the_choice() -> None:
    earned_weeks_ago = make_worker(0, released_at=600.0)
    earned_weeks_ago.add_income(400.0, 500.0, 500.0)  # inside 4 weeks, outside 1 week
    earned_this_week = make_worker(1, released_at=950.0)
    earned_this_week.add_income(900.0, 950.0, 100.0)
    choices = {}
    for window in ("4w", "1w"):
        h = Harness(LeastEarned(rng(), window=window))
        h.offer([earned_weeks_ago, earned_this_week], NOW)
        h.dispatcher.open_seats(make_project(0), 1, NOW)
        choices[window] = h.matched_ids
    assert choices == {"4w": [1], "1w": [0]}


# --- skill-aware -------------------------------------------------------------------------------


def test_skill_aware_gives_a_generalist_seat_to_the_one_skill_worker() -> None:
    h = Harness(SkillAware(rng()))
    specialist = make_worker(0, released_at=50.0, skills=SPEC)  # idle longer
    generalist = make_worker(1, released_at=100.0, skills=GEN)
    h.offer([specialist, generalist], 100.0)
    h.dispatcher.open_seats(make_project(0, requires="g"), 1, 200.0)
    assert h.matched_ids == [1]
    assert specialist.matchable  # left free, still waiting for specialist work
    assert h.dispatcher.pool_size("s") == 1
    h.dispatcher.open_seats(make_project(1, requires="s"), 1, 210.0)
    assert h.matches[-1] == (0, 1, 210.0)


def test_longest_idle_would_have_given_that_seat_to_the_specialist() -> None:
    h = Harness(LongestIdle(rng()))
    h.offer([make_worker(0, 50.0, skills=SPEC), make_worker(1, 100.0, skills=GEN)], 100.0)
    h.dispatcher.open_seats(make_project(0, requires="g"), 1, 200.0)
    assert h.matched_ids == [0]


def test_skill_aware_specialist_idle_longer_than_the_threshold_overtakes() -> None:
    specialist = make_worker(0, released_at=50.0, skills=SPEC)
    generalist = make_worker(1, released_at=100.0, skills=GEN)
    at_threshold = 50.0 + TWO_WEEKS
    h = Harness(SkillAware(rng()))
    h.offer([specialist, generalist], 100.0)
    h.dispatcher.open_seats(make_project(0), 1, at_threshold)  # idle exactly 2 weeks: not longer
    assert h.matched_ids == [1]
    h = Harness(SkillAware(rng()))
    h.offer([specialist, generalist], 100.0)
    h.dispatcher.open_seats(make_project(0), 1, at_threshold + 1.0)
    assert h.matched_ids == [0]


def test_skill_aware_longest_idle_of_the_overtaking_specialists_goes_first() -> None:
    h = Harness(SkillAware(rng()))
    h.offer([
        make_worker(0, released_at=300.0, skills=GEN),
        make_worker(1, released_at=20.0, skills=SPEC),  # idle 380 h at 400: overtakes
        make_worker(2, released_at=10.0, skills=SPEC),  # idle 390 h: overtakes, and first
        make_worker(3, released_at=200.0, skills=SPEC),  # idle 200 h: kept back
        make_worker(4, released_at=350.0, skills=GEN),
    ], 350.0)
    h.dispatcher.open_seats(make_project(0), 5, 400.0)
    assert h.matched_ids == [2, 1, 0, 4, 3]


def test_skill_aware_overtaking_specialist_competes_by_idle_time() -> None:
    # Past the threshold a specialist is no longer held back, but it does not jump a
    # generalist who has been idle even longer: among the lowest class's longest-idle worker
    # and the overtaking specialists, the longest idle goes first.
    h = Harness(SkillAware(rng()))
    h.offer([make_worker(0, released_at=0.0, skills=GEN),
             make_worker(1, released_at=10.0, skills=SPEC),
             make_worker(2, released_at=300.0, skills=GEN)], 300.0)
    h.dispatcher.open_seats(make_project(0), 3, 400.0)
    assert h.matched_ids == [0, 1, 2]


def test_skill_aware_orders_by_number_of_skills() -> None:
    h = Harness(SkillAware(rng()))
    h.offer([make_worker(0, 0.0, skills=("g", "s", "t")), make_worker(1, 5.0, skills=SPEC),
             make_worker(2, 9.0, skills=GEN), make_worker(3, 8.0, skills=GEN)], 10.0)
    h.dispatcher.open_seats(make_project(0), 4, 20.0)
    assert h.matched_ids == [3, 2, 1, 0]


def test_skill_aware_threshold_option() -> None:
    specialist = make_worker(0, released_at=50.0, skills=SPEC)
    generalist = make_worker(1, released_at=100.0, skills=GEN)
    h = Harness(SkillAware(rng(), threshold="1d"))
    h.offer([specialist, generalist], 100.0)
    h.dispatcher.open_seats(make_project(0), 1, 200.0)  # specialist idle 150 h > 24 h
    assert h.matched_ids == [0]
    assert SkillAware(rng()).threshold_h == TWO_WEEKS


def _market(policy: DispatchPolicy, generalists: int, specialists: int) -> Harness:
    h = Harness(policy)
    for i in range(generalists):
        h.dispatcher.register_worker(make_worker(100 + i, skills=GEN))
    for i in range(specialists):
        h.dispatcher.register_worker(make_worker(200 + i, skills=SPEC))
    return h


def test_skill_aware_sends_a_two_skill_worker_to_the_rarer_skill() -> None:
    h = _market(SkillAware(rng()), generalists=5, specialists=2)
    assert (h.dispatcher.holders("g"), h.dispatcher.holders("s")) == (7, 2)
    h.dispatcher.open_seats(make_project(0, requires="g", launch=0.0), 1, 0.0)  # older seat
    h.dispatcher.open_seats(make_project(1, requires="s", launch=5.0), 1, 5.0)
    h.dispatcher.offer_worker(make_worker(0, 10.0, skills=SPEC), 10.0)
    assert h.matches == [(0, 1, 10.0)]
    # the default choice is the project whose oldest seat opened first
    h = _market(LongestIdle(rng()), generalists=5, specialists=2)
    h.dispatcher.open_seats(make_project(0, requires="g", launch=0.0), 1, 0.0)
    h.dispatcher.open_seats(make_project(1, requires="s", launch=5.0), 1, 5.0)
    h.dispatcher.offer_worker(make_worker(0, 10.0, skills=SPEC), 10.0)
    assert h.matches == [(0, 0, 10.0)]


def test_skill_aware_project_choice_follows_the_holder_counts() -> None:
    # more workers hold "s" than "g" here (3 + 5 vs 5): the two-skill worker takes "g"
    h = _market(SkillAware(rng()), generalists=0, specialists=5)
    for i in range(3):
        h.dispatcher.register_worker(make_worker(300 + i, skills=("s",)))
    leaver = make_worker(400, skills=("s",))
    h.dispatcher.register_worker(leaver)
    h.dispatcher.unregister_worker(leaver)
    assert (h.dispatcher.holders("g"), h.dispatcher.holders("s")) == (5, 8)
    h.dispatcher.open_seats(make_project(0, requires="s", launch=0.0), 1, 0.0)
    h.dispatcher.open_seats(make_project(1, requires="g", launch=5.0), 1, 5.0)
    h.dispatcher.offer_worker(make_worker(0, 10.0, skills=SPEC), 10.0)
    assert h.matches == [(0, 1, 10.0)]


def test_skill_aware_equal_holders_take_the_longest_open_project() -> None:
    h = _market(SkillAware(rng()), generalists=0, specialists=3)
    h.dispatcher.open_seats(make_project(0, requires="s", launch=5.0), 1, 5.0)
    h.dispatcher.open_seats(make_project(1, requires="g", launch=2.0), 1, 2.0)
    h.dispatcher.offer_worker(make_worker(0, 10.0, skills=SPEC), 10.0)
    assert h.matches == [(0, 1, 10.0)]


# --- random ------------------------------------------------------------------------------------


def _random_order(seed: int) -> list[int]:
    h = Harness(RandomOrder(rng(seed)))
    h.offer([make_worker(i, released_at=float(i)) for i in range(8)], 10.0)
    h.dispatcher.open_seats(make_project(0), 8, 20.0)
    return h.matched_ids


def test_random_is_reproducible_for_a_seed_and_differs_for_another() -> None:
    first = _random_order(5)
    assert sorted(first) == list(range(8))
    assert _random_order(5) == first
    assert _random_order(6) != first
    assert first != list(range(8))  # not first come, first served


# --- policy options, through scenario validation ----------------------------------------------


def _with_dispatch(data: dict[str, Any], policy: str, **options: Any) -> dict[str, Any]:
    data["dispatch"]["policy"] = policy
    if options:
        data["dispatch"]["policy_options"] = options
    return data


def test_policy_option_defaults(scenario_data: dict[str, Any]) -> None:
    least = Scenario.from_dict(_with_dispatch(scenario_data, "least-earned"))
    assert least.dispatch.policy_options == ()
    assert built(least, rng()).window_h == WINDOW  # type: ignore[attr-defined]
    skill = Scenario.from_dict(_with_dispatch(scenario_data, "skill-aware"))
    assert built(skill, rng()).threshold_h == TWO_WEEKS  # type: ignore[attr-defined]


def test_policy_options_reach_the_policy(write_scenario: Writer,
                                         scenario_data: dict[str, Any]) -> None:
    path = write_scenario(_with_dispatch(scenario_data, "least-earned", window="1w"))
    scenario = load_scenario(path)
    assert scenario.dispatch.policy_options == (("window", "1w"),)
    assert built(scenario, rng()).window_h == HOURS_PER_WEEK  # type: ignore[attr-defined]
    scenario = load_scenario(path, overrides={"dispatch.policy": "skill-aware",
                                              "dispatch.policy_options": {"threshold": "3d"}})
    assert built(scenario, rng()).threshold_h == 72.0  # type: ignore[attr-defined]
    # in a TOML file, as a [dispatch.policy_options] table
    text = path.read_text(encoding="utf-8")
    assert "[dispatch.policy_options]" in text


@pytest.mark.parametrize(("policy", "options", "fragments"), [
    ("least-earned", {"windw": "1w"}, ("least-earned", "no option 'windw'", "window")),
    ("skill-aware", {"window": "1w"}, ("skill-aware", "no option 'window'", "threshold")),
    ("random", {"window": "1w"}, ("random", "no option 'window'", "none")),
    ("least-earned", {"window": "4 fortnights"}, ("least-earned", "unknown unit")),
    ("least-earned", {"window": 4}, ("least-earned", "bare number 4")),
    ("least-earned", {"window": 0}, ("least-earned", "positive")),
    ("least-earned", {"window": "0w"}, ("least-earned", "positive")),
    ("skill-aware", {"threshold": "-1d"}, ("skill-aware", "duration")),
    ("skill-aware", {"threshold": True}, ("skill-aware", "duration")),
])
def test_bad_policy_options_name_the_key(policy: str, options: dict[str, Any],
                                         fragments: tuple[str, ...],
                                         scenario_data: dict[str, Any],
                                         write_scenario: Writer) -> None:
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_dict(_with_dispatch(scenario_data, policy, **options), source="s.toml")
    message = str(caught.value)
    assert message.startswith("s.toml: dispatch.policy_options: "), message
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    path = write_scenario(scenario_data)
    with pytest.raises(ScenarioError, match=rf"^{path}: dispatch\.policy_options: "):
        load_scenario(path)


def test_policy_options_set_by_override_are_blamed_on_set(write_scenario: Writer,
                                                          scenario_data: dict[str, Any]) -> None:
    path = write_scenario(_with_dispatch(scenario_data, "least-earned"))
    with pytest.raises(ScenarioError, match=r"^--set: dispatch\.policy_options: .*'windw'"):
        load_scenario(path, overrides={"dispatch.policy_options.windw": '"1w"'})


def test_policy_options_must_be_a_table(scenario_data: dict[str, Any]) -> None:
    scenario_data["dispatch"]["policy_options"] = "window=1w"
    with pytest.raises(ScenarioError, match=r"dispatch\.policy_options: expected a table"):
        Scenario.from_dict(scenario_data)


# --- dispatch rounds ---------------------------------------------------------------------------


def test_with_rounds_an_offered_worker_is_not_matched_at_once() -> None:
    h = Harness(LongestIdle(rng()), rounds=True)
    project = make_project(0)
    h.dispatcher.open_seats(project, 2, 0.0)
    h.dispatcher.offer_worker(make_worker(0, 1.0), 1.0)
    assert h.matches == []
    assert project.open_seats == 2
    assert h.dispatcher.pool_size("g") == 1
    h.dispatcher.run_round(24.0)
    assert h.matches == [(0, 0, 24.0)]
    assert project.open_seats == 1
    assert project.fill_latency_sum_h == pytest.approx(24.0)
    assert h.dispatcher.pool_size("g") == 0


def test_with_rounds_open_seats_are_not_filled_at_once() -> None:
    h = Harness(LongestIdle(rng()), rounds=True)
    h.offer([make_worker(0, 3.0), make_worker(1, 1.0), make_worker(2, 2.0)], 5.0)
    old, young = make_project(0, launch=6.0), make_project(1, launch=7.0)
    h.dispatcher.open_seats(old, 1, 6.0)
    h.dispatcher.open_seats(young, 5, 7.0)
    assert h.matches == []
    h.dispatcher.run_round(24.0)
    # the longest-open project first, each seat to the longest-idle worker
    assert h.matches == [(1, 0, 24.0), (2, 1, 24.0), (0, 1, 24.0)]
    assert (old.open_seats, young.open_seats) == (0, 3)
    h.dispatcher.run_round(48.0)  # nobody left to match
    assert len(h.matches) == 3
    h.dispatcher.offer_worker(make_worker(3, 50.0), 50.0)
    assert len(h.matches) == 3
    h.dispatcher.run_round(72.0)
    assert h.matches[-1] == (3, 1, 72.0)


def test_a_round_skips_closed_projects_and_other_skills() -> None:
    h = Harness(LongestIdle(rng()), rounds=True)
    closed = make_project(0, launch=0.0)
    medical = make_project(1, requires="s", launch=1.0)
    open_one = make_project(2, launch=2.0)
    for project in (closed, medical, open_one):
        h.dispatcher.open_seats(project, 1, project.launch)
    h.dispatcher.close_project(closed, 3.0)
    h.offer([make_worker(0, 4.0), make_worker(1, 5.0)], 5.0)
    h.dispatcher.run_round(24.0)
    assert h.matches == [(0, 2, 24.0)]
    assert medical.open_seats == 1


def test_a_round_fills_the_longest_open_project_first_across_skills() -> None:
    h = Harness(LongestIdle(rng()), rounds=True)
    h.dispatcher.open_seats(make_project(0, requires="g", launch=0.0), 1, 0.0)
    h.dispatcher.offer_worker(make_worker(0, 1.0, skills=GEN), 1.0)
    h.dispatcher.run_round(24.0)  # the "g" list now comes first among the skills
    h.dispatcher.open_seats(make_project(1, requires="g", launch=30.0), 1, 30.0)
    h.dispatcher.open_seats(make_project(2, requires="s", launch=25.0), 1, 25.0)
    h.dispatcher.offer_worker(make_worker(1, 31.0, skills=SPEC), 31.0)
    h.dispatcher.run_round(48.0)
    assert h.matches[-1] == (1, 2, 48.0)  # the "s" seat has been open longer


def _rounds_scenario(rounds_every: str | None) -> Scenario:
    dispatch: dict[str, Any] = {"policy": "least-earned",
                                "delay": {"dist": "exponential", "mean": "2d"},
                                "pre_assign_on_notice": False}
    if rounds_every is not None:
        dispatch["rounds_every"] = rounds_every
    return Scenario.from_dict({
        "name": "rounds",
        "simulation": {"horizon": "12w", "warmup": "2w", "replications": 2, "seed": 11},
        "workers": [
            {"name": "gen", "count": 30, "skills": ["g"],
             "hours_per_week": {"dist": "uniform", "low": 10, "high": 30}},
            {"name": "spec", "count": 10, "skills": ["s", "g"], "hours_per_week": 20},
        ],
        "projects": [
            {"name": "gp", "requires": "g", "arrivals_per_week": 3,
             "seats": {"dist": "poisson", "mean": 4},
             "lifetime": {"dist": "lognormal", "median": "2w", "sigma": 0.8},
             "pay_per_hour": 15, "hours_per_week_per_seat": 20,
             "training": {"hours": 2, "paid_probability": 0.5},
             "notice": {"probability": 0.5, "duration": "1w"},
             "sparse": {"fraction_of_life": 0.25, "supply_factor": 0.25}},
            {"name": "sp", "requires": "s", "arrivals_per_week": 1, "seats": 3,
             "lifetime": {"dist": "exponential", "mean": "3w"},
             "pay_per_hour": 30, "hours_per_week_per_seat": 10},
        ],
        "dispatch": dispatch,
    })


def _assignment_starts(results: gigsim.Results) -> np.ndarray:
    """Absolute start times of the assignments that start inside the window.

    An assignment is a worker's time on one project (a worker never returns to a project it
    left), so its start is the earliest start of its training and work spells.
    """
    spells = results.spells
    assigned = spells[spells["kind"].isin(["training", "work"])]
    by_assignment = assigned.groupby(["replication", "worker_id", "project_id"], observed=True)
    starts = by_assignment.agg(start_h=("start_h", "min"), truncated=("left_truncated", "any"))
    starts = starts[~starts["truncated"]]
    return starts["start_h"].to_numpy() + results.scenario.simulation.warmup_h


def test_with_daily_rounds_every_assignment_starts_at_a_multiple_of_a_day() -> None:
    scenario = _rounds_scenario("1d")
    assert scenario.dispatch.rounds_every_h == 24.0
    starts = _assignment_starts(gigsim.simulate(scenario, jobs=1))
    assert len(starts) > 100
    assert np.all(starts % 24.0 == 0.0), np.unique(starts[starts % 24.0 != 0.0])[:10]
    # without rounds they do not: the check above is not vacuous
    at_once = _assignment_starts(gigsim.simulate(_rounds_scenario(None), jobs=1))
    assert np.mean(at_once % 24.0 == 0.0) < 0.5


def test_rounds_every_zero_means_at_once(scenario_data: dict[str, Any]) -> None:
    scenario_data["dispatch"]["rounds_every"] = 0
    assert Scenario.from_dict(scenario_data).dispatch.rounds_every_h == 0.0
    scenario_data["dispatch"]["rounds_every"] = 24
    with pytest.raises(ScenarioError, match=r"dispatch\.rounds_every: .*bare number"):
        Scenario.from_dict(scenario_data)


def built(scenario: Scenario, rng: np.random.Generator) -> Any:
    """The first engine's policy for ``scenario``, as a replication builds it."""
    return build_policy(scenario.dispatch.policy, rng, dict(scenario.dispatch.policy_options))
