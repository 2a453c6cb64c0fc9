"""``gigsim estimate --platforms A,B``: the cohort joins those platforms, and what B changed.

Every test here fails on the code before ``--platforms`` (no such option, no such module).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from gigsim import load_scenario
from gigsim.presentation.platforms import platforms_dict, platforms_lines
from gigsim.presentation.verdict import onboarding_line
from gigsim.studies.cohort import cohort_scenario
from gigsim.studies.estimate import estimate
from gigsim.studies.estimate_platforms import PlatformsEffect, estimate_platforms

from ._support import FAST, SCENARIOS, assert_one_line_error, invoke

TWO = SCENARIOS / "two_platforms.toml"
BOTH = ("rating", "annotation")


@pytest.fixture(scope="module")
def effect() -> PlatformsEffect:
    scenario = load_scenario(TWO, overrides={"simulation.horizon": "12w"})
    _, found = estimate_platforms(scenario, "raters", BOTH, 20, months=3, replications=4,
                                  seed=5)
    assert found is not None
    return found


def test_the_bundled_scenario_has_two_platforms_and_groups_on_one_or_both() -> None:
    scenario = load_scenario(TWO)
    assert [p.name for p in scenario.platforms] == list(BOTH)
    assert all(p.pay is not None for p in scenario.platforms)
    joined = {g.name: g.platforms for g in scenario.workers}
    assert joined == {"raters": ("rating",), "multihomers": BOTH}
    assert {g.platform for g in scenario.projects} == set(BOTH)


def test_the_cohort_joins_the_platforms_named_with_each_platforms_assessment() -> None:
    scenario = load_scenario(TWO)
    run, name = cohort_scenario(scenario, "raters", 20, 3, platforms=BOTH)
    cohort = next(g for g in run.workers if g.name == name)
    assert cohort.platforms == BOTH
    multi = dict(next(g for g in scenario.workers if g.name == "multihomers").assessments)
    raters = next(g for g in scenario.workers if g.name == "raters").assessment
    # the raters' own for rating; annotation's from the group that joins it
    assert dict(cohort.assessments) == {"rating": raters, "annotation": multi["annotation"]}


def test_the_comparison_is_the_same_cohort_on_the_first_platform_alone(
        effect: PlatformsEffect) -> None:
    joined, alone = effect.joined, effect.alone
    assert next(g for g in joined.scenario.workers if g.name == joined.cohort_group
                ).platforms == BOTH
    assert next(g for g in alone.scenario.workers if g.name == alone.cohort_group
                ).platforms == ("rating",)
    for field in ("replications", "seed", "cohort", "market_scale", "applicants"):
        assert getattr(alone, field) == getattr(joined, field), field
    # the alone run is the estimate with --platforms rating on the same seeds, bit for bit
    again = estimate(load_scenario(TWO, overrides={"simulation.horizon": "12w"}), "raters", 20,
                     months=3, replications=4, seed=5, cohort=joined.cohort,
                     market_scale=joined.market_scale, platforms=["rating"])
    assert alone.income_per_hour_set_aside == again.income_per_hour_set_aside
    assert alone.zero_month_share == again.zero_month_share


def test_the_changes_are_paired_differences_of_the_figures_shown(
        effect: PlatformsEffect) -> None:
    joined, alone = effect.joined, effect.alone
    # no replication is empty here, so the mean change is the change of the means
    assert effect.zero_month.n == joined.replications
    assert effect.zero_month.mean == pytest.approx(
        joined.zero_month_share[0] - alone.zero_month_share[0])
    assert effect.per_hour.mean == pytest.approx(
        joined.income_per_hour_set_aside[0] - alone.income_per_hour_set_aside[0])
    assert effect.no_money is not None and joined.money is not None and alone.money is not None
    assert effect.no_money.mean == pytest.approx(
        joined.money.no_money_share[0] - alone.money.no_money_share[0])
    for diff in (effect.zero_month, effect.per_hour, effect.no_money):
        assert diff.ci_low <= diff.mean <= diff.ci_high
    before, after = effect.first_money_days
    assert effect.first_money_what == "payment"
    for days, est in ((before, alone), (after, joined)):
        assert est.money is not None
        median = est.money.first_money.median
        assert days == pytest.approx(median / 24) or (math.isnan(days) and np.isnan(median))


def test_the_lines_and_json_say_what_each_change_is_over(effect: PlatformsEffect) -> None:
    lines = platforms_lines(effect)
    assert lines[0].startswith("What joining annotation as well changed, against the same"
                               " cohort joining rating only (same seeds, 4 replications paired")
    assert any("÷ (weekly hours × weeks" in line for line in lines)
    assert any(line.startswith("  Days from applying to the first payment") for line in lines)
    data = json.loads(json.dumps(platforms_dict(effect), allow_nan=False))
    assert data["platforms"] == list(BOTH) and data["alone"] == "rating"
    assert data["zero_month_share"]["change"]["replications"] == 4
    assert "of" in data["income_per_hour_set_aside_usd"]["change"]


def test_a_cohort_with_one_assessment_per_platform_can_fail_onboarding(
        effect: PlatformsEffect) -> None:
    # before: "none: this group has no assessment" although 2 of 4 applicants could fail
    assert effect.joined.assessment is not None
    assert "no assessment" not in onboarding_line(effect.joined)


def test_the_cli_prints_the_change_after_the_verdict_and_in_json() -> None:
    result = invoke("estimate", "--scenario", TWO, "--group", "raters", "--platforms",
                    "rating,annotation", "--set", "simulation.horizon=12w", *FAST)
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "What joining annotation as well changed" in text
    assert text.index("What joining annotation") < text.index("Followed:")
    data = json.loads(invoke("estimate", "--scenario", TWO, "--group", "raters",
                             "--platforms", "rating,annotation", "--set",
                             "simulation.horizon=12w", "--json", *FAST).stdout)
    assert data["platforms_change"]["alone"] == "rating"


@pytest.mark.parametrize(("args", "fragments"), [
    (("--scenario", TWO, "--group", "raters", "--platforms", "rating,nope"),
     ("--platforms", "'nope'", "platforms: rating, annotation")),
    (("--scenario", TWO, "--group", "raters", "--platforms", "rating,rating"),
     ("--platforms", "twice")),
    (("--scenario", TWO, "--group", "raters", "--platforms", "rating,"),
     ("--platforms", "separated by commas")),
    (("--profile", "generalist", "--platforms", "default"),
     ("--platforms", "has one platform (default)", "two_platforms.toml")),
])
def test_bad_platforms_are_one_line_and_exit_2(args: tuple[object, ...],
                                               fragments: tuple[str, ...]) -> None:
    assert_one_line_error(invoke("estimate", *args, *FAST), *fragments)
