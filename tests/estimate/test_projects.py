"""gigsim estimate --projects N: a cohort that holds several projects at once.

The scenario here has seats that supply fewer hours than a worker has (10 h a week a seat,
20 h a week a worker) and plenty of them, so a second project fills hours the first leaves
spare: with two projects at once the cohort earns more per hour set aside.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gigsim.errors import GigsimError
from gigsim.presentation.verdict import estimate_dict, render, verdict_lines
from gigsim.scenario import Scenario, load_scenario
from gigsim.studies.estimate import Estimate, cohort_scenario, estimate

from ._support import assert_one_line_error, invoke

# seats of 10 h a week for workers of 20 h; about 4 × 20 × 4 = 320 seats live for 200 workers
SPARE_HOURS_TOML = """\
name = "spare-hours"
description = "Seats supply half a worker's hours; seats are plentiful"

[simulation]
horizon = "12w"
warmup = "4w"
replications = 1
seed = 7

[[workers]]
name = "raters"
count = 200
skills = ["generalist"]
hours_per_week = 20

[[projects]]
name = "rating"
requires = "generalist"
arrivals_per_week = 4
seats = { dist = "poisson", mean = 20 }
lifetime = { dist = "exponential", mean = "4w" }
pay_per_hour = 16
hours_per_week_per_seat = 10

[dispatch]
policy = "longest-idle"
delay = { dist = "exponential", mean = "3d" }
"""

OPTIONS = {"months": 3, "replications": 6, "seed": 11, "cohort": 20}


@pytest.fixture(scope="module")
def spare_hours(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("projects") / "spare.toml"
    path.write_text(SPARE_HOURS_TOML, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def scenario(spare_hours: Path) -> Scenario:
    return load_scenario(spare_hours)


@pytest.fixture(scope="module")
def one(scenario: Scenario) -> Estimate:
    return estimate(scenario, "raters", 20, **OPTIONS)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def two(scenario: Scenario) -> Estimate:
    return estimate(scenario, "raters", 20, max_projects=2, **OPTIONS)  # type: ignore[arg-type]


def test_the_cohort_takes_the_projects_at_once_and_the_market_keeps_its_own(
        scenario: Scenario) -> None:
    run, name = cohort_scenario(scenario, "raters", 20, 3, cohort=5, max_projects=3)
    groups = {g.name: g for g in run.workers}
    assert groups[name].max_projects == 3 and groups["raters"].max_projects == 1
    # by default the cohort has the group's own, whatever it is
    several = scenario.with_overrides({"workers.raters.max_projects": 2})
    default, name = cohort_scenario(several, "raters", 20, 3, cohort=5)
    assert {g.name: g.max_projects for g in default.workers} == {"raters": 2, name: 2}


@pytest.mark.parametrize("bad", [0, -1, 1.5, "2", True, 65])
def test_bad_projects_at_once_are_refused_by_the_library(scenario: Scenario, bad: object) -> None:
    with pytest.raises(GigsimError, match="--projects: must be a whole number from 1 to 64"):
        cohort_scenario(scenario, "raters", 20, 3, max_projects=bad)  # type: ignore[arg-type]


def test_cohort_workers_hold_two_projects_at_once(two: Estimate, one: Estimate) -> None:
    assert (one.max_projects, two.max_projects) == (1, 2)
    cohort = two.cohort_workers[["replication", "worker_id"]]
    spells = two.results.spells.merge(cohort)
    work = spells[spells["kind"] == "work"].sort_values(["replication", "worker_id", "start_h"])
    # a work spell that starts before the worker's previous one (in start order) has ended:
    # two projects at the same instant
    ends = work.groupby(["replication", "worker_id"])["end_h"].cummax().shift()
    same = work[["replication", "worker_id"]].eq(
        work[["replication", "worker_id"]].shift()).all(axis=1)
    overlapping = same & (work["start_h"] < ends - 1e-9)
    assert overlapping.sum() > 0
    assert (spells["kind"] == "spare").any()  # hours to spare while on a project
    latencies = two.results.latencies.merge(cohort)
    assert set(latencies["slot"]) == {0, 1}
    # with one project at once nothing overlaps and nothing is spare
    single = one.results.spells.merge(one.cohort_workers[["replication", "worker_id"]])
    assert not (single["kind"] == "spare").any()


def test_two_projects_at_once_earn_more_per_hour_set_aside(two: Estimate, one: Estimate) -> None:
    """Direction check, same seed (common random numbers): a second seat fills spare hours."""
    mean_one, _, high_one = one.income_per_hour_set_aside
    mean_two, low_two, _ = two.income_per_hour_set_aside
    assert low_two > high_one, (one.income_per_hour_set_aside, two.income_per_hour_set_aside)
    # and never more than all the hours paid at the projects' rate
    assert mean_one < mean_two <= 16


def test_the_verdict_says_how_many_projects_at_once(two: Estimate, one: Estimate) -> None:
    first = verdict_lines(two)[0]
    assert first.startswith("Verdict for 20 h a week on up to 2 projects at once in the raters"
                            " group, the first 3 month(s)")
    assert verdict_lines(one)[0].startswith("Verdict for 20 h a week in the raters group")
    assert "20 h a week on up to 2 projects at once here" in verdict_lines(two)[-1]
    assert "Droughts (a drought is a time with no project at all; hours to spare while on a" \
           " project are not one)" in render(two)
    assert "Droughts (idle between projects)" in render(one)
    data = estimate_dict(two)
    assert data["max_projects"] == 2 and estimate_dict(one)["max_projects"] == 1
    assert "no project at all" in data["drought"]["definition"]


def test_droughts_are_times_with_no_project_at_all(two: Estimate) -> None:
    """The drought curve reads idle spells only: spare hours on a project are not droughts."""
    cohort = two.cohort_workers[["replication", "worker_id"]]
    spells = two.results.spells.merge(cohort)
    idle = spells[(spells["kind"] == "idle") & ~spells["left_truncated"]]
    assert two.drought.n == len(idle)
    work = spells[spells["kind"].isin(["work", "training"])]
    # no idle spell overlaps a project of the same worker
    pairs = idle.merge(work, on=["replication", "worker_id"], suffixes=("", "_w"))
    inside = (pairs["start_h_w"] < pairs["end_h"] - 1e-9) & (pairs["end_h_w"]
                                                             > pairs["start_h"] + 1e-9)
    assert not inside.any()


def test_projects_option_sets_the_cohort_and_shows_in_json(spare_hours: Path) -> None:
    common = ("--scenario", spare_hours, "--group", "raters", "--months", "2", "-r", "2",
              "--cohort", "5", "--json")
    data = json.loads(invoke("estimate", *common, "--projects", "2").stdout)
    assert data["max_projects"] == 2
    assert data["verdict"]["text"][0].startswith("Verdict for 20 h a week on up to 2 projects")
    # --set changes the group, and the cohort cloned from it; --projects overrides the cohort
    via_set = json.loads(invoke("estimate", *common, "--set",
                                "workers.raters.max_projects=2").stdout)
    assert via_set["max_projects"] == 2
    both = json.loads(invoke("estimate", *common, "--set", "workers.raters.max_projects=2",
                             "--projects", "1").stdout)
    assert both["max_projects"] == 1
    assert json.loads(invoke("estimate", *common).stdout)["max_projects"] == 1


@pytest.mark.parametrize("bad", ["0", "1.5", "-1", "two", "65", ""])
def test_bad_projects_option_gets_one_line_exit_2(bad: str) -> None:
    result = invoke("estimate", "--projects", bad, "--months", "1", "-r", "1")
    line = assert_one_line_error(result, "--projects", "must be a whole number from 1 to 64")
    assert repr(bad) in line or bad in line
