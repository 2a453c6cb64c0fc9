"""Section: reading one table of a scenario file, with errors naming the file and key."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from gigsim.errors import GigsimError, ScenarioError
from gigsim.scenario.dists import Constant, Empirical, Exponential, LogNormal, Poisson, Uniform
from gigsim.scenario.schema import Section, lowest_value

SOURCE = "scenario.toml"


def section(data: object, path: str = "table", overridden: frozenset[str] = frozenset()
            ) -> Section:
    return Section(data, SOURCE, path, overridden)


@contextmanager
def raises_at(key: str, fragment: str = "", source: str = SOURCE) -> Iterator[None]:
    """Expect a ScenarioError naming ``source`` and the dotted ``key``."""
    with pytest.raises(ScenarioError) as info:
        yield
    error = info.value
    assert (error.source, error.key) == (source, key)
    assert fragment in error.message
    assert str(error).startswith(f"{source}: {key}: ")


def test_scenario_error_is_a_gigsim_error() -> None:
    error = ScenarioError("a.toml", "x.y", "bad")
    assert isinstance(error, GigsimError)
    assert str(error) == "a.toml: x.y: bad"
    assert str(ScenarioError("a.toml", "", "no such file")) == "a.toml: no such file"


def test_not_a_table() -> None:
    with raises_at("table", "expected a table"):
        section([1, 2])


def test_key_paths() -> None:
    assert section({}, "").key("name") == "name"
    assert section({}, "projects.rating").key("seats") == "projects.rating.seats"


def test_number_and_defaults() -> None:
    s = section({"a": 3, "b": 2.5})
    assert s.number("a") == 3.0
    assert s.number("b", positive=True) == 2.5
    assert s.number("c", 7.0) == 7.0
    s.finish()


@pytest.mark.parametrize(
    ("value", "options", "fragment"),
    [
        ("3", {}, "expected a number"),
        (True, {}, "expected a number"),
        (math.inf, {}, "finite"),
        (math.nan, {}, "finite"),
        (0, {"positive": True}, "must be positive"),
        (-1, {"positive": True}, "must be positive"),
        (-0.5, {"non_negative": True}, "zero or positive"),
        (1.5, {"integer": True}, "whole number"),
    ],
)
def test_number_errors(value: object, options: dict[str, bool], fragment: str) -> None:
    with raises_at("table.x", fragment):
        section({"x": value}).number("x", **options)


def test_missing_required_key() -> None:
    with raises_at("table.x", "missing required key"):
        section({}).number("x")


def test_count() -> None:
    assert section({"n": 4}).count("n") == 4
    assert section({"n": 4.0}).count("n") == 4
    assert section({}).count("n", 0) == 0
    with raises_at("table.n", "zero or positive"):
        section({"n": -1}).count("n")
    with raises_at("table.n", "positive"):
        section({"n": 0}).count("n", positive=True)
    with raises_at("table.n", "whole"):
        section({"n": 2.5}).count("n")


@pytest.mark.parametrize("value", [0, 1, 0.3, 0.0, 1.0])
def test_probability_accepts_unit_interval(value: float) -> None:
    assert section({"p": value}).probability("p") == value


@pytest.mark.parametrize("value", [-0.01, 1.01, 2])
def test_probability_outside_unit_interval(value: float) -> None:
    with raises_at("table.p", "probability in [0, 1]"):
        section({"p": value}).probability("p")


def test_duration() -> None:
    assert section({"d": "3d"}).duration("d") == 72.0
    assert section({"d": 0}).duration("d") == 0.0
    assert section({}).duration("d", 0) == 0.0
    with raises_at("table.d", "bare number"):
        section({"d": 5}).duration("d")
    with raises_at("table.d", "unknown unit"):
        section({"d": "5q"}).duration("d")
    with raises_at("table.d", "positive duration"):
        section({"d": "0w"}).duration("d", positive=True)


def test_string_and_choices() -> None:
    assert section({"s": "a"}).string("s", choices=["a", "b"]) == "a"
    with raises_at("table.s", "expected a string"):
        section({"s": 3}).string("s")
    with raises_at("table.s", "unknown value 'c' (expected one of: a, b)"):
        section({"s": "c"}).string("s", choices=["a", "b"])


def test_boolean() -> None:
    assert section({"b": False}).boolean("b") is False
    assert section({}).boolean("b", True) is True
    with raises_at("table.b", "true or false"):
        section({"b": 1}).boolean("b")


def test_strings() -> None:
    assert section({"s": ["a", "b"]}).strings("s") == ("a", "b")
    for bad in ([], "a", ["a", 1]):
        with raises_at("table.s", "non-empty list of strings"):
            section({"s": bad}).strings("s")


def test_dist_reads_every_form() -> None:
    s = section({"a": 3, "b": "2d", "c": {"dist": "exponential", "mean": "1d"}})
    assert s.dist("a") == Constant(3.0)
    assert s.dist("b", "duration") == Constant(48.0)
    assert s.dist("c", "duration") == Exponential(24.0)
    assert s.dist("d", "number", Constant(1.0)) == Constant(1.0)


def test_dist_errors_name_the_parameter_key() -> None:
    with raises_at("table.c.mean", "missing parameter"):
        section({"c": {"dist": "exponential"}}).dist("c", "duration")
    with raises_at("table.c.dist", "unknown distribution"):
        section({"c": {"dist": "cauchy"}}).dist("c")
    with raises_at("table.c", "bare number"):
        section({"c": 4}).dist("c", "duration")


def test_dist_refuses_negative_values() -> None:
    with raises_at("table.c", "negative"):
        section({"c": -1}).dist("c")
    with raises_at("table.c", "negative"):
        section({"c": {"dist": "uniform", "low": -1, "high": 1}}).dist("c")
    assert section({"c": -1}).dist("c", non_negative=False) == Constant(-1.0)


def test_sub_sections() -> None:
    root = section({"sub": {"x": 1}}, "")
    sub = root.section("sub")
    assert sub is not None and sub.path == "sub"
    assert sub.number("x") == 1
    assert root.section("other") is None
    with raises_at("other", "missing required key"):
        root.section("other", required=True)
    with raises_at("sub", "expected a table"):
        section({"sub": 3}, "").section("sub")


def test_sections_address_entries_by_name() -> None:
    root = section({"workers": [{"name": "a"}, {"name": "b"}]}, "")
    entries = root.sections("workers")
    assert [e.path for e in entries] == ["workers.a", "workers.b"]
    assert entries[1].key("count") == "workers.b.count"


@pytest.mark.parametrize(
    ("value", "key", "fragment"),
    [
        ([], "workers", "one or more [[workers]]"),
        ({"name": "a"}, "workers", "one or more [[workers]]"),
        ([3], "workers", "entry 0 is not a table"),
        ([{"count": 1}], "workers[0].name", "missing required key"),
        ([{"name": ""}], "workers[0].name", "missing required key"),
        ([{"name": "a"}, {"name": "a"}], "workers.a", "duplicate name"),
    ],
)
def test_sections_errors(value: object, key: str, fragment: str) -> None:
    with raises_at(key, fragment):
        section({"workers": value}, "").sections("workers")


def test_finish_refuses_unknown_keys_and_lists_known_ones() -> None:
    s = section({"a": 1, "typo": 2})
    s.number("a")
    with raises_at("table.typo", "unknown key (expected one of: a)"):
        s.finish()


def test_finish_counts_keys_read_with_defaults_as_known() -> None:
    s = section({"b": 1})
    s.number("a", 0.0)
    with raises_at("table.b", "expected one of: a"):
        s.finish()


def test_errors_on_overridden_keys_are_blamed_on_set() -> None:
    s = section({"x": "bad"}, "dispatch", frozenset({"dispatch.x"}))
    with raises_at("dispatch.x", "expected a number", source="--set"):
        s.number("x")
    s2 = section({"y": "bad"}, "dispatch", frozenset({"dispatch.x"}))
    with raises_at("dispatch.y", "expected a number"):
        s2.number("y")


def test_errors_inside_an_overridden_table_are_blamed_on_set() -> None:
    # `--set 'dispatch.delay={dist="exponential"}'` wrote the whole table
    s = section({"delay": {"dist": "exponential"}}, "dispatch",
                frozenset({"dispatch.delay"}))
    with raises_at("dispatch.delay.mean", "missing parameter", source="--set"):
        s.dist("delay", "duration")


def test_sub_sections_inherit_overrides() -> None:
    root = section({"sub": {"x": "a"}}, "", frozenset({"sub.x"}))
    sub = root.section("sub")
    assert sub is not None
    with raises_at("sub.x", "expected a number", source="--set"):
        sub.number("x")


@pytest.mark.parametrize(
    ("dist", "lowest"),
    [
        (Constant(3.0), 3.0),
        (Uniform(-1.0, 2.0), -1.0),
        (Empirical((4.0, 2.0, 9.0)), 2.0),
        (Poisson(3.0), 0.0),
    ],
)
def test_lowest_value(dist, lowest: float) -> None:  # type: ignore[no-untyped-def]
    assert lowest_value(dist) == lowest


def test_lowest_value_of_positive_continuous_distributions_is_positive() -> None:
    assert lowest_value(Exponential(1.0)) > 0
    assert lowest_value(LogNormal(1.0, 1.0)) > 0


# --- misspelt keys, and magnitudes the model can compute with --------------------------------


def test_a_misspelt_required_key_is_named_before_the_missing_one() -> None:
    """The typo is the mistake; the missing key it causes is only its symptom."""
    s = section({"arivals_per_week": 0.25}, "projects.rating")
    with raises_at("projects.rating.arivals_per_week", "unknown key (did you mean"
                   " `arrivals_per_week`?)"):
        s.number("arrivals_per_week")


def test_a_missing_key_with_no_lookalike_is_reported_missing() -> None:
    s = section({"colour": "blue"})
    with raises_at("table.arrivals_per_week", "missing required key"):
        s.number("arrivals_per_week")


def test_an_unknown_optional_key_suggests_the_closest_known_one() -> None:
    s = section({"count": 3, "pateince": "2w"})
    s.count("count")
    s.optional_dist("patience", "duration")
    with raises_at("table.pateince", "unknown key (did you mean `patience`?)"):
        s.finish()


def test_an_unknown_key_like_no_known_one_lists_them_all() -> None:
    s = section({"count": 3, "zzz": 1})
    s.count("count")
    with pytest.raises(ScenarioError) as info:
        s.finish()
    assert info.value.key == "table.zzz"
    assert info.value.message == "unknown key (expected one of: count)"


@pytest.mark.parametrize("value", [1e308, 9999999999, -1e10, 1.0000001e9])
def test_numbers_beyond_the_bound_are_refused(value: float) -> None:
    with raises_at("table.x", "at most 1e+09"):
        section({"x": value}).number("x")


def test_numbers_at_the_bound_pass_and_seeds_may_be_larger() -> None:
    assert section({"x": 1e9}).number("x") == 1e9
    assert section({"seed": 2**62}).count("seed", maximum=2**63 - 1) == 2**62


@pytest.mark.parametrize("dist", [
    {"dist": "uniform", "low": 15, "high": 1e308},
    1e308,
    {"dist": "lognormal", "median": 20, "sigma": 40},     # mean overflows
    {"dist": "exponential", "mean": 1e12},
    {"dist": "empirical", "values": [1, 2, 1e300]},
])
def test_distributions_whose_values_overflow_money_are_refused(dist: object) -> None:
    with raises_at("table.pay_per_hour", "too large to compute with"):
        section({"pay_per_hour": dist}).dist("pay_per_hour")


@pytest.mark.parametrize("text", ["101y", "1e6w", "1e300h"])
def test_durations_beyond_a_century_are_refused(text: str) -> None:
    with raises_at("table.horizon", "at most 100 years"):
        section({"horizon": text}).duration("horizon")


def test_duration_distributions_beyond_a_century_are_refused() -> None:
    with raises_at("table.lifetime", "at most 100 years"):
        section({"lifetime": {"dist": "exponential", "mean": "200y"}}).dist("lifetime",
                                                                           "duration")
