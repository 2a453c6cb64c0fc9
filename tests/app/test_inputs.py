"""The page's inputs: the roles on offer and the server-side bounds of every value."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from gigsim.app.inputs import (
    MAX_MONTHS,
    MAX_PROJECTS_AT_ONCE,
    MAX_REPLICATIONS,
    InputError,
    check_params,
    check_reference_wage,
    list_roles,
)
from gigsim.errors import GigsimError
from gigsim.scenario import load_scenario

from ._support import GENERALIST, PLATFORM_SPECIALISTS, SCENARIOS, SPECIALIST, roles

# the bundled generalist scenario's launch rate: the page's default for that role
GENERALIST_LAUNCHES = load_scenario(SCENARIOS / "generalist.toml").projects[0].arrivals_per_week


def test_roles_are_the_groups_of_the_folder_with_profiles_first() -> None:
    found = roles()
    keys = list(found)
    assert keys[:2] == [GENERALIST, SPECIALIST]
    assert set(keys) == {GENERALIST, SPECIALIST, "platform.toml/generalists",
                         PLATFORM_SPECIALISTS, "realistic.toml/generalists",
                         "realistic.toml/specialists", "two_platforms.toml/raters",
                         "two_platforms.toml/multihomers"}
    assert found[GENERALIST].label == "Generalist (bundled profile)"
    # a key names a file inside the folder, never a path
    assert all("/" not in role.file and role.file.endswith(".toml") for role in found.values())


def test_role_defaults_are_the_scenarios_launch_rate_and_notice_share() -> None:
    found = roles()
    generalist = found[GENERALIST]
    assert generalist.generators == ("rating",)
    assert generalist.launches_per_week == GENERALIST_LAUNCHES and generalist.notice_share == 0.2
    # specialists on the platform can take both kinds of project: the rates add up, and the
    # notice share is weighted by launches
    scenario = load_scenario(SCENARIOS / "platform.toml")
    rates = {g.name: g.arrivals_per_week for g in scenario.projects}
    both = found[PLATFORM_SPECIALISTS]
    assert set(both.generators) == {"rating", "stem"}
    assert both.launches_per_week == pytest.approx(rates["rating"] + rates["stem"])
    assert both.notice_share == pytest.approx(0.2)


def test_files_that_are_not_scenarios_are_left_out(tmp_path: Path) -> None:
    (tmp_path / "generalist.toml").write_text((SCENARIOS / "generalist.toml").read_text())
    (tmp_path / "broken.toml").write_text("name = ")
    (tmp_path / "sweep.toml").write_text((SCENARIOS / "sweeps" / "arrival_notice.toml")
                                         .read_text())
    assert list(list_roles(tmp_path)) == [GENERALIST]


def test_a_folder_without_scenarios_is_refused(tmp_path: Path) -> None:
    with pytest.raises(GigsimError, match="no scenario file"):
        list_roles(tmp_path)


def test_a_good_question_is_checked_into_params() -> None:
    params = check_params(roles(), GENERALIST, "12.5", 6, 8)
    assert (params.hours_per_week, params.months, params.replications) == (12.5, 6, 8)
    assert params.launches_per_week is None and params.notice_share is None


def test_platform_values_equal_to_the_defaults_share_the_defaults_key() -> None:
    found = roles()
    asked = check_params(found, GENERALIST, 10, 12, 8, GENERALIST_LAUNCHES, 20)
    assert asked == check_params(found, GENERALIST, 10, 12, 8)
    doubled = 2 * GENERALIST_LAUNCHES
    changed = check_params(found, GENERALIST, 10, 12, 8, doubled, 50)
    assert changed.launches_per_week == doubled and changed.notice_share == 0.5


@pytest.mark.parametrize(("field", "value", "fragment"), [
    ("role", "../../etc/passwd", "Role: choose one of the roles listed"),
    ("role", "generalist.toml", "Role: choose one"),
    ("role", None, "Role: choose one"),
    ("hours", 0, "Hours a week: must be more than 0 and at most 168"),
    ("hours", -3, "Hours a week: must be more than 0"),
    ("hours", 168.5, "at most 168"),
    ("hours", 500, "got 500"),
    ("hours", "ten", "Hours a week: enter a number"),
    ("hours", math.nan, "Hours a week: enter a finite number"),
    ("hours", math.inf, "Hours a week: enter a finite number"),
    ("hours", None, "Hours a week: enter a number"),
    ("months", 0, f"Months: must be a whole number from 1 to {MAX_MONTHS}"),
    ("months", MAX_MONTHS + 1, f"got {MAX_MONTHS + 1}"),
    ("months", 2.5, "Months: must be a whole number"),
    ("replications", 0, f"Replications: must be a whole number from 1 to {MAX_REPLICATIONS}"),
    ("replications", MAX_REPLICATIONS * 2, "Replications"),
    ("launches", 0, "Project launches a week: must be from"),
    ("launches", 21 * GENERALIST_LAUNCHES, "twenty times the scenario's"),
    ("launches", "", "Project launches a week: enter a number"),
    ("notice", 101, "Project ends with notice: must be from 0% to 100%"),
    ("notice", -1, "Project ends with notice"),
    ("projects", 0, f"Projects at once: must be a whole number from 1 to {MAX_PROJECTS_AT_ONCE}"),
    ("projects", 1.5, "Projects at once: must be a whole number"),
    ("projects", -2, "got -2"),
    ("projects", MAX_PROJECTS_AT_ONCE + 1, f"got {MAX_PROJECTS_AT_ONCE + 1}"),
    ("projects", "", "Projects at once: enter a number"),
    ("projects", "two", "Projects at once: enter a number"),
])
def test_a_bad_value_gets_a_message_naming_the_input(field: str, value: object,
                                                     fragment: str) -> None:
    values: dict[str, object] = {"role": GENERALIST, "hours": 10, "months": 12,
                                 "replications": 8, "launches": None, "notice": None,
                                 "projects": None}
    values[field] = value
    with pytest.raises(InputError) as error:
        check_params(roles(), values["role"], values["hours"], values["months"],
                     values["replications"], values["launches"], values["notice"],
                     values["projects"])
    assert fragment in str(error.value)
    assert "\n" not in str(error.value)


def test_projects_at_once_default_to_the_roles_own(tmp_path: Path) -> None:
    found = roles()
    assert found[GENERALIST].max_projects == 1
    assert check_params(found, GENERALIST, 10, 12, 8, projects=1) == \
        check_params(found, GENERALIST, 10, 12, 8)  # the role's own: the default's cache key
    assert check_params(found, GENERALIST, 10, 12, 8, projects="3").max_projects == 3
    # a group that allows two: 2 is its default, 1 a change of it
    text = (SCENARIOS / "generalist.toml").read_text(encoding="utf-8")
    assert text.count('name = "generalists"\n') == 1
    (tmp_path / "two.toml").write_text(
        text.replace('name = "generalists"\n', 'name = "generalists"\nmax_projects = 2\n'),
        encoding="utf-8")
    two = list_roles(tmp_path)
    key = "two.toml/generalists"
    assert two[key].max_projects == 2
    assert check_params(two, key, 10, 12, 8, projects=2).max_projects is None
    assert check_params(two, key, 10, 12, 8, projects=1).max_projects == 1


def test_the_week_itself_is_the_most_hours() -> None:
    assert check_params(roles(), GENERALIST, 168, 1, 1).hours_per_week == 168


@pytest.mark.parametrize(("value", "expected"), [(15, 15.0), ("0", 0.0), (1000, 1000.0)])
def test_reference_wage_within_bounds(value: object, expected: float) -> None:
    assert check_reference_wage(value) == expected


@pytest.mark.parametrize("value", [-1, 1000.5, "abc", None, math.nan])
def test_reference_wage_out_of_bounds(value: object) -> None:
    with pytest.raises(InputError, match="Reference wage"):
        check_reference_wage(value)


def test_overrides_scale_every_generator_the_role_can_take() -> None:
    found = roles()
    role = found[PLATFORM_SPECIALISTS]
    scenario = load_scenario(SCENARIOS / "platform.toml")
    params = check_params(found, role.key, 10, 12, 8, 2 * role.launches_per_week, 50)
    overrides = params.overrides(role, scenario)
    changed = scenario.with_overrides(overrides)
    for before, after in zip(scenario.projects, changed.projects, strict=True):
        assert after.arrivals_per_week == pytest.approx(2 * before.arrivals_per_week)
        assert after.notice is not None and after.notice.probability == 0.5
        assert before.notice is not None and after.notice.duration_h == before.notice.duration_h
    # the defaults change nothing
    assert check_params(found, role.key, 10, 12, 8).overrides(role, scenario) == {}


def test_platforms_to_join_are_checked_and_the_groups_own_is_the_default() -> None:
    found = roles()
    raters = found["two_platforms.toml/raters"]
    assert raters.platforms == ("rating", "annotation") and raters.joins == ("rating",)
    assert found[GENERALIST].platforms == ()  # one platform: no choice offered

    def ask(platforms: object) -> object:
        return check_params(found, raters.key, 10, 12, 16, platforms=platforms).platforms

    assert ask(None) is None and ask(["rating"]) is None  # the group's own: one cache entry
    assert ask(["annotation", "rating"]) == ("rating", "annotation")  # the scenario's order
    assert raters.runs(check_params(found, raters.key, 10, 12, 16,
                                    platforms=["rating", "annotation"])) == 2
    with pytest.raises(InputError, match="Platforms to join: choose from rating, annotation"):
        ask(["rating", "nope"])
    with pytest.raises(InputError, match="choose at least one"):
        ask([])


def test_a_default_the_page_rounded_is_still_the_default() -> None:
    raters = roles()["two_platforms.toml/raters"]
    shown = round(raters.notice_share * 100, 2)  # as the page fills the field in
    assert shown != raters.notice_share * 100
    got = check_params(roles(), raters.key, 10, 12, 16, notice_percent=shown)
    assert got.notice_share is None  # before: counted as a change of notice
