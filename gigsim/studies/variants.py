"""Reading variants written as ``NAME:KEY=VALUE[,KEY=VALUE…]``, as ``gigsim compare`` takes them.

A variant is a name and the dotted-key overrides that turn the scenario into it, for example
``rand:dispatch.policy=random`` or ``d:dispatch.delay={dist="exponential", mean="2d"}``. Values
are read like ``--set`` values (:func:`gigsim.scenario.parse_value`), so a value may be a TOML
inline table or array; the settings are split only at commas outside brackets and quotes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from gigsim.errors import GigsimError
from gigsim.scenario import parse_value

SYNTAX = "NAME:KEY=VALUE[,KEY=VALUE…]"
EXAMPLE = "rand:dispatch.policy=random"
_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.+-]*")
_KEY = re.compile(r"[^\s=]+")
_OPENING = {"[": "]", "{": "}"}


def check_variant_name(name: str) -> str:
    """``name`` if it can name a variant (it also names rows and columns), else GigsimError."""
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise GigsimError(f"variant name {name!r}: use letters, digits and _ . + -"
                          " (starting with a letter, digit or _), e.g. rand")
    return name


def split_settings(text: str, variant: str = "") -> list[str]:
    """Split ``KEY=VALUE,KEY=VALUE`` at the commas outside brackets and quoted strings.

    ``variant`` names the variant in error messages.
    """
    where = f"--variant {variant}: " if variant else ""
    parts: list[str] = []
    closing: list[str] = []  # the brackets still open, innermost last
    quote = ""
    start = 0
    index = 0
    while index < len(text):
        char = text[index]
        if quote:
            if char == "\\" and quote == '"':  # a TOML basic string escapes; a literal does not
                index += 1
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char in _OPENING:
            closing.append(_OPENING[char])
        elif char in "]}":
            if not closing:
                raise GigsimError(f"{where}cannot read {text[start:].strip()!r}:"
                                  f" {char!r} closes no bracket")
            expected = closing.pop()
            if char != expected:
                raise GigsimError(f"{where}cannot read {text[start:].strip()!r}:"
                                  f" {char!r} where {expected!r} was expected")
        elif char == "," and not closing:
            parts.append(text[start:index])
            start = index + 1
        index += 1
    if quote:
        raise GigsimError(f"{where}cannot read {text[start:].strip()!r}: a string opened with"
                          f" {quote} is not closed")
    if closing:
        raise GigsimError(f"{where}cannot read {text[start:].strip()!r}:"
                          f" {closing[-1]!r} is missing")
    parts.append(text[start:])
    return parts


def parse_variant(text: str) -> tuple[str, dict[str, Any]]:
    """Read one ``NAME:KEY=VALUE[,KEY=VALUE…]`` into its name and overrides.

    ``NAME:`` with nothing after the colon is the scenario as it is. Raises
    :class:`~gigsim.errors.GigsimError` naming the part that could not be read.
    """
    name, colon, rest = text.partition(":")
    name = name.strip()
    if not colon:
        raise GigsimError(f"--variant {text!r}: expected {SYNTAX}, e.g. {EXAMPLE}"
                          " (no ':' after the name)")
    if not name:
        raise GigsimError(f"--variant {text!r}: no name before the ':', e.g. {EXAMPLE}")
    try:
        check_variant_name(name)
    except GigsimError as error:
        raise GigsimError(f"--variant {text!r}: {error}") from None
    overrides: dict[str, Any] = {}
    if not rest.strip():
        return name, overrides
    for part in split_settings(rest, name):
        key, equals, value = part.partition("=")
        key = key.strip()
        if not part.strip():
            raise GigsimError(f"--variant {name}: an empty setting in {rest.strip()!r}"
                              " (a stray ',')")
        if not equals or not _KEY.fullmatch(key):
            raise GigsimError(f"--variant {name}: cannot read {part.strip()!r}: expected"
                              " KEY=VALUE, e.g. dispatch.policy=random")
        if key in overrides:
            raise GigsimError(f"--variant {name}: {key} is set twice")
        overrides[key] = parse_value(value.strip())
    return name, overrides


def parse_variants(texts: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Read every ``--variant`` into ``{name: overrides}``, in the order given.

    A name used twice is an error.
    """
    variants: dict[str, dict[str, Any]] = {}
    for text in texts:
        name, overrides = parse_variant(text)
        if name in variants:
            raise GigsimError(f"--variant {text!r}: the name {name!r} is used twice")
        variants[name] = overrides
    return variants
