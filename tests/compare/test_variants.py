"""Reading --variant NAME:KEY=VALUE[,KEY=VALUE…]: good input, bad input, commas inside values."""

from __future__ import annotations

from typing import Any

import pytest

import gigsim
from gigsim.errors import GigsimError
from gigsim.studies.variants import (
    check_variant_name,
    parse_variant,
    parse_variants,
    split_settings,
)


@pytest.mark.parametrize(("text", "name", "overrides"), [
    ("rand:dispatch.policy=random", "rand", {"dispatch.policy": "random"}),
    ("notice:projects.rating.notice.probability=1.0", "notice",
     {"projects.rating.notice.probability": 1.0}),
    ("x:a.b=1,c.d=true", "x", {"a.b": 1, "c.d": True}),
    ("base:", "base", {}),
    ("base:   ", "base", {}),
    (" rand : dispatch.policy = random ", "rand", {"dispatch.policy": "random"}),
    ("h:simulation.horizon=8w", "h", {"simulation.horizon": "8w"}),
    ('h:simulation.horizon="8w"', "h", {"simulation.horizon": "8w"}),
    ("v1.2_a-b+c:k=x=y", "v1.2_a-b+c", {"k": "x=y"}),  # only the first '=' separates
    ("mine:dispatch.policy=my_policies:Fair", "mine",  # only the first ':' separates
     {"dispatch.policy": "my_policies:Fair"}),
    # commas inside TOML inline tables, arrays and strings do not separate settings
    ('d:dispatch.delay={dist="exponential", mean="2d"}', "d",
     {"dispatch.delay": {"dist": "exponential", "mean": "2d"}}),
    ('d:dispatch.delay={dist="exponential", mean="2d"},dispatch.policy=random', "d",
     {"dispatch.delay": {"dist": "exponential", "mean": "2d"}, "dispatch.policy": "random"}),
    ('s:workers.g.skills=["a", "b"], workers.g.count=3', "s",
     {"workers.g.skills": ["a", "b"], "workers.g.count": 3}),
    ("n:k={a=[1, 2], b={c=3, d=4}},z=0", "n", {"k": {"a": [1, 2], "b": {"c": 3, "d": 4}}, "z": 0}),
    ('q:description="a, b {c"', "q", {"description": "a, b {c"}),
    ("q:description='a, b ]'", "q", {"description": "a, b ]"}),
    (r'q:description="say \"hi, there\"",k=1', "q", {"description": 'say "hi, there"', "k": 1}),
])
def test_parse_good_variants(text: str, name: str, overrides: dict[str, Any]) -> None:
    assert parse_variant(text) == (name, overrides)


def test_split_settings_keeps_bracketed_commas() -> None:
    assert split_settings('a={x=1, y=[2, 3]},b="4,5",c=6') == [
        "a={x=1, y=[2, 3]}", 'b="4,5"', "c=6"]


@pytest.mark.parametrize(("text", "fragments"), [
    ("rand", ["'rand'", "no ':' after the name", "NAME:KEY=VALUE"]),
    (":dispatch.policy=random", ["no name before the ':'"]),
    ("my variant:dispatch.policy=random", ["'my variant'", "letters, digits"]),
    ("-x:dispatch.policy=random", ["'-x'"]),
    ("rand:dispatch.policy", ["--variant rand", "cannot read 'dispatch.policy'", "KEY=VALUE"]),
    ("rand:dispatch.policy=random,delay", ["cannot read 'delay'"]),
    ("rand:=random", ["cannot read '=random'"]),
    ("rand:dispatch policy=random", ["cannot read 'dispatch policy=random'"]),
    ("rand:a=1,,b=2", ["empty setting", "stray ','"]),
    ("rand:a=1,", ["empty setting"]),
    ('d:dispatch.delay={dist="exponential", mean="2d"',
     ["--variant d", "cannot read 'dispatch.delay={dist=\"exponential\", mean=\"2d\"'",
      "'}' is missing"]),
    ("d:a=1,k=[1, 2", ["cannot read 'k=[1, 2'", "']' is missing"]),
    ("d:a=1,k=1}", ["cannot read 'k=1}'", "'}' closes no bracket"]),
    ("d:k={a=[1}]", ["'}' where ']' was expected"]),
    ('d:k="open, a=1', ["cannot read 'k=\"open, a=1'", "not closed"]),
    ("d:a=1,a=2", ["--variant d", "a is set twice"]),
])
def test_malformed_variant_names_the_part(text: str, fragments: list[str]) -> None:
    with pytest.raises(GigsimError) as caught:
        parse_variant(text)
    message = str(caught.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, (fragment, message)


def test_parse_variants_keeps_order() -> None:
    variants = parse_variants(["b:", "a:dispatch.policy=random", "c:x=1"])
    assert list(variants) == ["b", "a", "c"]


def test_duplicate_names_are_an_error() -> None:
    with pytest.raises(GigsimError, match="the name 'a' is used twice"):
        parse_variants(["a:", "b:x=1", "a:dispatch.policy=random"])


@pytest.mark.parametrize("name", ["", "a b", "a:b", "é", ".x", "x,y"])
def test_bad_variant_names(name: str) -> None:
    with pytest.raises(GigsimError, match="variant name"):
        check_variant_name(name)


def test_parsed_variant_applies_like_set(small_platform: gigsim.Scenario) -> None:
    _, overrides = parse_variant('d:dispatch.delay={dist="exponential", mean="2d"},'
                                 "dispatch.pre_assign_on_notice=false")
    scenario = small_platform.with_overrides(overrides)
    assert scenario.dispatch.delay.mean == pytest.approx(48.0)
    assert scenario.dispatch.pre_assign_on_notice is False
