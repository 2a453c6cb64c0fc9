"""Scenarios: loading TOML files, ``--set`` overrides, and validation errors naming file and key."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gigsim import Scenario, ScenarioError, load_scenario
from gigsim.scenario import apply_overrides, parse_value
from gigsim.scenario.dispatch import DispatchSettings
from gigsim.scenario.dists import Beta, Constant, Exponential, LogNormal, Poisson, Uniform
from gigsim.scenario.policies import policy_names
from gigsim.scenario.projects import Notice, Sparse, Training
from gigsim.scenario.workers import Assessment

_DELETE = object()
Writer = Callable[[dict[str, Any] | str], Path]


def _node(data: dict[str, Any], parts: list[str]) -> dict[str, Any]:
    """Walk ``parts`` through nested tables, addressing workers and projects by name."""
    node: Any = data
    index = 0
    while index < len(parts):
        part = parts[index]
        if part in ("workers", "projects") and isinstance(node.get(part), list):
            node = next(t for t in node[part] if t["name"] == parts[index + 1])
            index += 2
        else:
            node = node.setdefault(part, {})
            index += 1
    return node


def edit(data: dict[str, Any], dotted: str, value: Any) -> dict[str, Any]:
    """Set (or with ``_DELETE`` remove) a dotted key in scenario data, in place."""
    *parents, last = dotted.split(".")
    node = _node(data, parents)
    if value is _DELETE:
        del node[last]
    else:
        node[last] = value
    return data


# --- loading -----------------------------------------------------------------------------------


def test_load_reads_every_section(write_scenario: Writer, scenario_toml: str) -> None:
    path = write_scenario(scenario_toml)
    scenario = load_scenario(path)
    assert scenario.name == "tiny"
    assert scenario.description == "A small scenario for unit tests"
    assert scenario.source == str(path)
    sim = scenario.simulation
    assert (sim.horizon_h, sim.warmup_h, sim.replications, sim.seed) == (12 * 168, 336, 3, 7)

    generalists, doctors = scenario.workers
    assert generalists.name == "generalists"
    assert generalists.count == 20
    assert generalists.arrivals_per_week == 1.0
    assert generalists.skills == ("generalist",)
    assert generalists.hours_per_week == Uniform(10.0, 30.0)
    assert generalists.checking_hours_per_day == 0.5
    assert generalists.quality == Beta(5.0, 2.0)
    assert generalists.patience == LogNormal(8 * 168.0, 0.5)
    assert generalists.assessment == Assessment(1.0, False, 0.0, 0.8, 72.0)

    assert doctors.skills == ("medical", "generalist")
    assert doctors.hours_per_week == Constant(15.0)
    # documented defaults of optional keys
    assert doctors.arrivals_per_week == 0.0
    assert doctors.checking_hours_per_day == 0.0
    assert doctors.quality == Constant(0.5)
    assert doctors.patience is None
    assert doctors.leave_rate_per_year == 0.0
    assert doctors.assessment is None

    rating, clinical = scenario.projects
    assert rating.requires == "generalist"
    assert rating.arrivals_per_week == 1.0
    assert rating.seats == Poisson(8.0)
    assert rating.lifetime == LogNormal(504.0, 1.0)
    assert rating.pay_per_hour == Uniform(15.0, 18.0)
    assert rating.hours_per_week_per_seat == Constant(20.0)
    assert rating.training == Training(2.0, 0.3)
    assert rating.notice == Notice(0.2, 168.0)
    assert rating.sparse == Sparse(0.25, 0.25)
    assert clinical.seats == Constant(3.0)
    assert clinical.lifetime == Constant(672.0)
    assert (clinical.training, clinical.notice, clinical.sparse, clinical.seasonality) == (
        None, None, None, None)

    assert scenario.dispatch == DispatchSettings("longest-idle", Exponential(72.0), True)


def test_load_accepts_a_string_path(write_scenario: Writer, scenario_data: dict[str, Any]
                                    ) -> None:
    path = write_scenario(scenario_data)
    assert load_scenario(str(path)) == load_scenario(path)


def test_file_and_dict_give_the_same_scenario(write_scenario: Writer,
                                              scenario_data: dict[str, Any]) -> None:
    from_file = load_scenario(write_scenario(scenario_data))
    from_dict = Scenario.from_dict(scenario_data, source=from_file.source)
    assert from_file == from_dict
    assert from_dict.data == scenario_data


def test_optional_sections_have_defaults(scenario_data: dict[str, Any]) -> None:
    for key in ("dispatch", "simulation.warmup", "simulation.replications", "simulation.seed",
                "description"):
        edit(scenario_data, key, _DELETE)
    scenario = Scenario.from_dict(scenario_data)
    assert scenario.dispatch == DispatchSettings()
    assert scenario.dispatch.policy == "longest-idle"
    assert scenario.dispatch.delay == Constant(0.0)
    assert scenario.dispatch.pre_assign_on_notice is True
    assert scenario.simulation.warmup_h == 0.0
    assert scenario.simulation.replications == 1
    assert scenario.simulation.seed == 0
    assert scenario.description == ""


def test_zero_delay_is_allowed(scenario_data: dict[str, Any]) -> None:
    edit(scenario_data, "dispatch.delay", 0)
    assert Scenario.from_dict(scenario_data).dispatch.delay == Constant(0.0)


def test_seasonality_is_read(scenario_data: dict[str, Any]) -> None:
    edit(scenario_data, "projects.rating.seasonality", {"period": "1y", "factors": [1, 0.5]})
    season = Scenario.from_dict(scenario_data).projects[0].seasonality
    assert season is not None
    assert season.period_h == 8766.0
    assert season.factors == (1.0, 0.5)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.source == str(path)
    assert "no such file" in str(info.value)


def test_invalid_toml_names_the_file(write_scenario: Writer) -> None:
    path = write_scenario('name = "x"\n[simulation\n')
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.source == str(path)
    assert "invalid TOML" in info.value.message


# --- overrides ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1.5", 1.5),
        ("3", 3),
        ("true", True),
        ('"3d"', "3d"),
        ("3d", "3d"),
        ("random", "random"),
        ('["a", "b"]', ["a", "b"]),
        ('{ dist = "constant", value = 2 }', {"dist": "constant", "value": 2}),
    ],
)
def test_parse_value(text: str, value: object) -> None:
    assert parse_value(text) == value


def test_apply_overrides_copies_and_reports_touched_keys(scenario_data: dict[str, Any]) -> None:
    before = repr(scenario_data)
    data, touched = apply_overrides(scenario_data, {
        "projects.rating.arrivals_per_week": "1.5",
        "workers.doctors.count": 9,
        "dispatch.policy": "random",
        "simulation.horizon": "20w",
    })
    assert repr(scenario_data) == before  # the original is left alone
    assert data["projects"][0]["arrivals_per_week"] == 1.5
    assert data["workers"][1]["count"] == 9
    assert data["workers"][0]["count"] == 20
    assert data["dispatch"]["policy"] == "random"
    assert data["simulation"]["horizon"] == "20w"
    assert touched == {"projects.rating.arrivals_per_week", "workers.doctors.count",
                       "dispatch.policy", "simulation.horizon"}


def test_apply_overrides_creates_optional_tables(scenario_data: dict[str, Any]) -> None:
    data, touched = apply_overrides(scenario_data, {
        "projects.clinical.notice.probability": "0.5",
        "projects.clinical.notice.duration": "1w",
    })
    assert data["projects"][1]["notice"] == {"probability": 0.5, "duration": "1w"}
    assert "projects.clinical.notice" in touched
    notice = Scenario.from_dict(data).projects[1].notice
    assert notice == Notice(0.5, 168.0)


def test_load_scenario_with_overrides(write_scenario: Writer, scenario_data: dict[str, Any]
                                      ) -> None:
    path = write_scenario(scenario_data)
    scenario = load_scenario(path, overrides={
        "projects.rating.arrivals_per_week": "1.5",
        "workers.generalists.hours_per_week": '{ dist = "uniform", low = 5, high = 10 }',
        "dispatch.delay": "12h",
        "dispatch.pre_assign_on_notice": "false",
        "simulation.seed": 99,
    })
    assert scenario.projects[0].arrivals_per_week == 1.5
    assert scenario.workers[0].hours_per_week == Uniform(5.0, 10.0)
    assert scenario.dispatch.delay == Constant(12.0)
    assert scenario.dispatch.pre_assign_on_notice is False
    assert scenario.simulation.seed == 99
    assert scenario.source == str(path)
    assert load_scenario(path, overrides={}) == load_scenario(path)


def test_with_overrides(scenario_data: dict[str, Any]) -> None:
    scenario = Scenario.from_dict(scenario_data, source="x.toml")
    changed = scenario.with_overrides({"dispatch.policy": "random"})
    assert changed.dispatch.policy == "random"
    assert scenario.dispatch.policy == "longest-idle"
    assert changed.source == "x.toml"
    assert changed.projects == scenario.projects


@pytest.mark.parametrize(
    ("overrides", "key", "fragment"),
    [
        ({"dispatch.polcy": "random"}, "dispatch.polcy", "unknown key"),
        ({"projects.rating.nonsense": "1"}, "projects.rating.nonsense", "unknown key"),
        ({"simulation.horizn": "2w"}, "simulation.horizn", "unknown key"),
        ({"colour.red": "1"}, "colour", "unknown key"),
        ({"workers.nobody.count": "3"}, "workers.nobody.count",
         "no workers entry named 'nobody' (have: generalists, doctors)"),
        ({"projects.missing.seats": "3"}, "projects.missing.seats",
         "no projects entry named 'missing' (have: rating, clinical)"),
        ({"workers.count": "3"}, "workers.count", "name a key inside one of the workers"),
        ({"dispatch..policy": "random"}, "dispatch..policy", "dotted key"),
        ({"name.x": "1"}, "name.x", "not a table"),
        ({"dispatch.policy": "fastest"}, "dispatch.policy", "unknown policy 'fastest'"),
        ({"simulation.horizon": "10"}, "simulation.horizon", "bare number"),
        ({"projects.rating.arrivals_per_week": "0"}, "projects.rating.arrivals_per_week",
         "must be positive"),
        ({"projects.rating.notice.probability": "1.5"}, "projects.rating.notice.probability",
         "probability in [0, 1]"),
        ({"dispatch.delay.mean": "5"}, "dispatch.delay.mean", "bare number"),
    ],
    ids=str,
)
def test_override_errors_are_blamed_on_set(write_scenario: Writer, scenario_data: dict[str, Any],
                                           overrides: dict[str, str], key: str,
                                           fragment: str) -> None:
    path = write_scenario(scenario_data)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides=overrides)
    assert (info.value.source, info.value.key) == ("--set", key)
    assert fragment in info.value.message
    assert str(info.value).startswith(f"--set: {key}: ")


def test_errors_inside_a_table_created_by_set_are_blamed_on_set(scenario_data: dict[str, Any]
                                                                ) -> None:
    with pytest.raises(ScenarioError) as info:
        Scenario.from_dict(scenario_data, "file.toml").with_overrides(
            {"projects.clinical.sparse.supply_factor": "0.5"})
    assert (info.value.source, info.value.key) == (
        "--set", "projects.clinical.sparse.fraction_of_life")


def test_errors_inside_a_table_written_by_set_are_blamed_on_set(scenario_data: dict[str, Any]
                                                                ) -> None:
    with pytest.raises(ScenarioError) as info:
        Scenario.from_dict(scenario_data, "file.toml").with_overrides(
            {"dispatch.delay": '{ dist = "exponential", mean = 3 }'})
    assert (info.value.source, info.value.key) == ("--set", "dispatch.delay.mean")
    assert "bare number" in info.value.message


def test_missing_skill_from_an_override_is_blamed_on_set(scenario_data: dict[str, Any]) -> None:
    with pytest.raises(ScenarioError) as info:
        Scenario.from_dict(scenario_data, "file.toml").with_overrides(
            {"projects.clinical.requires": "coding"})
    assert (info.value.source, info.value.key) == ("--set", "projects.clinical.requires")


def test_errors_in_untouched_keys_still_name_the_file(write_scenario: Writer,
                                                      scenario_data: dict[str, Any]) -> None:
    edit(scenario_data, "projects.rating.seats", 0)
    path = write_scenario(scenario_data)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides={"dispatch.policy": "random"})
    assert (info.value.source, info.value.key) == (str(path), "projects.rating.seats")


# --- validation errors from a file ---------------------------------------------------------------

INVALID: list[tuple[str, Any, str, str]] = [
    # unknown keys
    ("colour", "red", "colour", "unknown key"),
    ("simulation.horizn", "2w", "simulation.horizn", "unknown key"),
    ("workers.generalists.skill", ["x"], "workers.generalists.skill", "unknown key"),
    ("workers.generalists.assessment.pass_prob", 0.5,
     "workers.generalists.assessment.pass_prob", "unknown key"),
    ("projects.rating.notice.duraton", "1w", "projects.rating.notice.duraton", "unknown key"),
    ("projects.rating.sparse.factor", 0.5, "projects.rating.sparse.factor", "unknown key"),
    ("projects.rating.training.paid", True, "projects.rating.training.paid", "unknown key"),
    ("dispatch.polcy", "random", "dispatch.polcy", "unknown key"),
    # missing required keys
    ("name", _DELETE, "name", "missing required key"),
    ("simulation", _DELETE, "simulation", "missing required key"),
    ("simulation.horizon", _DELETE, "simulation.horizon", "missing required key"),
    ("workers", _DELETE, "workers", "missing required key"),
    ("workers", [], "workers", "one or more [[workers]]"),
    ("projects", _DELETE, "projects", "missing required key"),
    ("projects", {"name": "x"}, "projects", "one or more [[projects]]"),
    ("workers.generalists.skills", _DELETE, "workers.generalists.skills", "missing required"),
    ("workers.generalists.hours_per_week", _DELETE, "workers.generalists.hours_per_week",
     "missing required"),
    ("workers.generalists.assessment.pass_probability", _DELETE,
     "workers.generalists.assessment.pass_probability", "missing required"),
    ("workers.generalists.assessment.hours", _DELETE,
     "workers.generalists.assessment.hours", "missing required"),
    ("projects.rating.requires", _DELETE, "projects.rating.requires", "missing required"),
    ("projects.rating.arrivals_per_week", _DELETE, "projects.rating.arrivals_per_week",
     "missing required"),
    ("projects.rating.seats", _DELETE, "projects.rating.seats", "missing required"),
    ("projects.rating.lifetime", _DELETE, "projects.rating.lifetime", "missing required"),
    ("projects.rating.pay_per_hour", _DELETE, "projects.rating.pay_per_hour", "missing required"),
    ("projects.rating.hours_per_week_per_seat", _DELETE,
     "projects.rating.hours_per_week_per_seat", "missing required"),
    ("projects.rating.notice.duration", _DELETE, "projects.rating.notice.duration",
     "missing required"),
    ("projects.rating.training.hours", _DELETE, "projects.rating.training.hours",
     "missing required"),
    ("projects.rating.sparse.fraction_of_life", _DELETE,
     "projects.rating.sparse.fraction_of_life", "missing required"),
    # wrong types
    ("name", 3, "name", "expected a string"),
    ("simulation", 3, "simulation", "expected a table"),
    ("simulation.replications", "3", "simulation.replications", "expected a number"),
    ("simulation.seed", 1.5, "simulation.seed", "whole number"),
    ("workers.generalists.count", 2.5, "workers.generalists.count", "whole number"),
    ("workers.generalists.skills", "generalist", "workers.generalists.skills", "list of strings"),
    ("workers.generalists.assessment", "yes", "workers.generalists.assessment", "a table"),
    ("workers.generalists.assessment.paid", "no", "workers.generalists.assessment.paid",
     "true or false"),
    ("projects.rating.arrivals_per_week", "1", "projects.rating.arrivals_per_week",
     "expected a number"),
    ("projects.rating.requires", ["generalist"], "projects.rating.requires", "expected a string"),
    ("projects.rating.pay_per_hour", "lots", "projects.rating.pay_per_hour", "expected a number"),
    ("dispatch.pre_assign_on_notice", "yes", "dispatch.pre_assign_on_notice", "true or false"),
    ("dispatch.policy", 3, "dispatch.policy", "expected a string"),
    ("dispatch", "fast", "dispatch", "expected a table"),
    # zero or negative where it must be positive
    ("projects.rating.arrivals_per_week", 0, "projects.rating.arrivals_per_week",
     "must be positive"),
    ("projects.rating.arrivals_per_week", -1, "projects.rating.arrivals_per_week",
     "must be positive"),
    ("workers.generalists.count", -1, "workers.generalists.count", "zero or positive"),
    ("workers.generalists.arrivals_per_week", -1, "workers.generalists.arrivals_per_week",
     "zero or positive"),
    ("workers.doctors.count", 0, "workers.doctors.count", "positive count or arrivals_per_week"),
    ("workers.generalists.leave_rate_per_year", -0.5,
     "workers.generalists.leave_rate_per_year", "zero or positive"),
    ("workers.generalists.checking_hours_per_day", -1,
     "workers.generalists.checking_hours_per_day", "zero or positive"),
    ("workers.generalists.checking_hours_per_day", 25,
     "workers.generalists.checking_hours_per_day", "at most 24"),
    ("workers.doctors.hours_per_week", 0, "workers.doctors.hours_per_week", "must be positive"),
    ("workers.doctors.hours_per_week", -5, "workers.doctors.hours_per_week", "negative"),
    ("workers.doctors.hours_per_week", 200, "workers.doctors.hours_per_week", "at most 168"),
    ("workers.generalists.patience", "0d", "workers.generalists.patience", "positive duration"),
    ("workers.generalists.assessment.hours", -1, "workers.generalists.assessment.hours",
     "zero or positive"),
    ("simulation.replications", 0, "simulation.replications", "positive"),
    ("simulation.horizon", "0w", "simulation.horizon", "positive duration"),
    ("simulation.seed", -1, "simulation.seed", "zero or positive"),
    ("projects.rating.notice.duration", "0d", "projects.rating.notice.duration",
     "positive duration"),
    ("projects.rating.lifetime", "0d", "projects.rating.lifetime", "positive duration"),
    ("projects.rating.lifetime", 0, "projects.rating.lifetime", "positive duration"),
    ("projects.rating.seats", 0, "projects.rating.seats", "at least one seat"),
    ("projects.rating.hours_per_week_per_seat", 0, "projects.rating.hours_per_week_per_seat",
     "must be positive"),
    ("projects.rating.pay_per_hour", -15, "projects.rating.pay_per_hour", "negative"),
    ("projects.rating.training.hours", -2, "projects.rating.training.hours", "zero or positive"),
    ("projects.rating.seasonality", {"period": "0d", "factors": [1]},
     "projects.rating.seasonality.period", "positive duration"),
    ("projects.rating.seasonality", {"period": "1y", "factors": [0, 0]},
     "projects.rating.seasonality.factors", "one of them positive"),
    # probabilities outside [0, 1]
    ("projects.rating.notice.probability", 1.5, "projects.rating.notice.probability",
     "probability in [0, 1]"),
    ("projects.rating.training.paid_probability", -0.1,
     "projects.rating.training.paid_probability", "probability in [0, 1]"),
    ("projects.rating.sparse.supply_factor", 1.2, "projects.rating.sparse.supply_factor",
     "probability in [0, 1]"),
    ("projects.rating.sparse.fraction_of_life", -0.2, "projects.rating.sparse.fraction_of_life",
     "probability in [0, 1]"),
    ("workers.generalists.assessment.pass_probability", 2,
     "workers.generalists.assessment.pass_probability", "probability in [0, 1]"),
    ("workers.generalists.quality", 1.5, "workers.generalists.quality", "[0, 1]"),
    ("workers.generalists.quality", {"dist": "uniform", "low": 0.5, "high": 1.5},
     "workers.generalists.quality", "[0, 1]"),
    ("workers.generalists.quality", -0.5, "workers.generalists.quality", "negative"),
    # a bare number where a duration is expected
    ("simulation.horizon", 10, "simulation.horizon", "bare number"),
    ("simulation.warmup", 2, "simulation.warmup", "bare number"),
    ("projects.rating.lifetime", 3, "projects.rating.lifetime", "bare number"),
    ("projects.rating.notice.duration", 7, "projects.rating.notice.duration", "bare number"),
    ("workers.generalists.assessment.wait", 3, "workers.generalists.assessment.wait",
     "bare number"),
    ("workers.generalists.patience", 5, "workers.generalists.patience", "bare number"),
    ("dispatch.delay", 2, "dispatch.delay", "bare number"),
    ("dispatch.delay", {"dist": "exponential", "mean": 3}, "dispatch.delay.mean", "bare number"),
    ("projects.rating.lifetime", {"dist": "lognormal", "median": 3, "sigma": 1},
     "projects.rating.lifetime.median", "bare number"),
    # unknown units
    ("simulation.horizon", "10weeks", "simulation.horizon", "unknown unit"),
    ("projects.rating.lifetime", "3q", "projects.rating.lifetime", "unknown unit"),
    ("dispatch.delay", {"dist": "exponential", "mean": "3x"}, "dispatch.delay.mean",
     "unknown unit"),
    # unknown distributions
    ("projects.rating.seats", {"dist": "binomial", "n": 3}, "projects.rating.seats.dist",
     "unknown distribution 'binomial'"),
    ("dispatch.delay", {"mean": "3d"}, "dispatch.delay.dist", "missing"),
    ("projects.rating.seats", {"dist": "beta", "a": 1, "b": 1}, "projects.rating.seats.dist",
     "does not make sense"),
    ("workers.generalists.quality", {"dist": "exponential", "mean": 0.5},
     "workers.generalists.quality.dist", "does not make sense"),
    # distributions with missing or invalid parameters
    ("projects.rating.lifetime", {"dist": "lognormal", "median": "3w"},
     "projects.rating.lifetime", "median and sigma"),
    ("projects.rating.pay_per_hour", {"dist": "uniform", "low": 15},
     "projects.rating.pay_per_hour.high", "missing parameter"),
    ("projects.rating.lifetime", {"dist": "lognormal", "median": "3w", "sigma": -1},
     "projects.rating.lifetime.sigma", "zero or positive"),
    ("workers.generalists.hours_per_week", {"dist": "uniform", "low": 30, "high": 10},
     "workers.generalists.hours_per_week.high", "at least low"),
    ("dispatch.delay", {"dist": "exponential", "mean": "3d", "sd": "1d"},
     "dispatch.delay.sd", "unknown parameter"),
    ("projects.rating.seats", {"dist": "poisson", "mean": -4}, "projects.rating.seats.mean",
     "zero or positive"),
    ("projects.rating.seats", {"dist": "empirical", "values": []},
     "projects.rating.seats.values", "at least one value"),
    # unknown policy
    ("dispatch.policy", "fastest", "dispatch.policy", "unknown policy 'fastest'"),
    # a project that requires a skill no group has
    ("projects.clinical.requires", "coding", "projects.clinical.requires",
     "no worker group has the skill 'coding'"),
    # other cross-checks
    ("workers.generalists.assessment.paid", True, "workers.generalists.assessment.pay_per_hour",
     "positive pay_per_hour"),
]


@pytest.mark.parametrize(("dotted", "value", "key", "fragment"), INVALID,
                         ids=[f"{k}=" + ("<deleted>" if v is _DELETE else repr(v))
                              for k, v, _, _ in INVALID])
def test_validation_error_names_file_and_key(write_scenario: Writer,
                                             scenario_data: dict[str, Any], dotted: str,
                                             value: Any, key: str, fragment: str) -> None:
    path = write_scenario(edit(scenario_data, dotted, value))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    error = info.value
    assert (error.source, error.key) == (str(path), key)
    assert fragment in error.message
    assert str(error).startswith(f"{path}: {key}: ")


def test_unknown_policy_lists_the_known_ones(scenario_data: dict[str, Any]) -> None:
    with pytest.raises(ScenarioError) as info:
        Scenario.from_dict(edit(scenario_data, "dispatch.policy", "fastest"))
    for name in policy_names():
        assert name in info.value.message


def test_missing_skill_lists_the_skills(scenario_data: dict[str, Any]) -> None:
    with pytest.raises(ScenarioError) as info:
        Scenario.from_dict(edit(scenario_data, "projects.clinical.requires", "coding"))
    assert "generalist, medical" in info.value.message


def test_duplicate_group_names(scenario_data: dict[str, Any]) -> None:
    scenario_data["workers"][1]["name"] = "generalists"
    with pytest.raises(ScenarioError) as info:
        Scenario.from_dict(scenario_data, "s.toml")
    assert (info.value.key, info.value.message) == ("workers.generalists", "duplicate name")


def test_bare_number_error_suggests_units(scenario_data: dict[str, Any]) -> None:
    with pytest.raises(ScenarioError) as info:
        Scenario.from_dict(edit(scenario_data, "projects.rating.lifetime", 3))
    assert '"3h"' in info.value.message and '"3w"' in info.value.message


def test_arrivals_only_group_is_valid(scenario_data: dict[str, Any]) -> None:
    edit(scenario_data, "workers.doctors.count", 0)
    edit(scenario_data, "workers.doctors.arrivals_per_week", 0.5)
    group = Scenario.from_dict(scenario_data).workers[1]
    assert (group.count, group.arrivals_per_week) == (0, 0.5)
    assert group.leave_rate_per_h == 0.0


def test_leave_rate_per_hour(scenario_data: dict[str, Any]) -> None:
    edit(scenario_data, "workers.doctors.leave_rate_per_year", 2.0)
    group = Scenario.from_dict(scenario_data).workers[1]
    assert math.isclose(group.leave_rate_per_h, 2.0 / 8766.0)


# --- mistakes named as what they are ----------------------------------------------------------


def test_a_misspelt_project_key_is_named_with_the_right_one(write_scenario: Writer,
                                                            scenario_toml: str) -> None:
    """The issue's example: `arivals_per_week` once gave `arrivals_per_week: missing`."""
    text = scenario_toml.replace("arrivals_per_week = 1.0", "arivals_per_week = 0.25")
    path = write_scenario(text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.source == str(path)
    assert info.value.key == "projects.rating.arivals_per_week"
    assert info.value.message == "unknown key (did you mean `arrivals_per_week`?)"


def test_a_misspelt_table_is_named_before_the_table_it_misses(write_scenario: Writer,
                                                              scenario_toml: str) -> None:
    path = write_scenario(scenario_toml.replace("[simulation]", "[simulaton]"))
    with pytest.raises(ScenarioError, match=r"simulaton: unknown key \(did you mean"
                                            r" `simulation`\?\)"):
        load_scenario(path)


def test_a_misspelt_optional_key_suggests_the_known_one(scenario_data: dict[str, Any]) -> None:
    edit(scenario_data, "workers.generalists.patience", _DELETE)
    edit(scenario_data, "workers.generalists.patiense", "8w")
    with pytest.raises(ScenarioError) as info:
        Scenario.from_dict(scenario_data, "s.toml")
    assert info.value.key == "workers.generalists.patiense"
    assert "did you mean `patience`?" in info.value.message


def test_an_override_naming_a_misspelt_group_suggests_the_group(scenario_data: dict[str, Any]
                                                                ) -> None:
    with pytest.raises(ScenarioError) as info:
        apply_overrides(scenario_data, {"workers.generalist.count": 3})
    assert info.value.source == "--set"
    assert "did you mean `generalists`?" in info.value.message


@pytest.mark.parametrize(("design", "command"), [("grid", "gigsim sweep"),
                                                 ("sample", "gigsim sweep"),
                                                 ("sensitivity", "gigsim sensitivity")])
def test_a_sweep_file_is_recognised_where_a_scenario_is_expected(
        write_scenario: Writer, design: str, command: str) -> None:
    path = write_scenario({"scenario": "base.toml", "replications": 2, design: {"x": [1]}})
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.key == ""
    assert info.value.message == (f"this is a sweep file, not a scenario; run it with"
                                  f" `{command} {path}`")


def test_overridden_keys_are_remembered_for_later_blame(scenario_data: dict[str, Any]) -> None:
    scenario = Scenario.from_dict(scenario_data, "s.toml").with_overrides(
        {"workers.generalists.count": 5})
    assert scenario.blame("workers.generalists.count") == "--set"
    assert scenario.blame("workers.doctors.count") == "s.toml"


def test_a_seed_may_be_any_toml_integer(scenario_data: dict[str, Any]) -> None:
    scenario_data["simulation"]["seed"] = 2**63 - 1
    assert Scenario.from_dict(scenario_data).simulation.seed == 2**63 - 1
