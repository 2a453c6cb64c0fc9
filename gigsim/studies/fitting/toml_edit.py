"""Setting keys in a scenario file's text, keeping its comments, and writing the copy safely.

Scenario files are commented key by key, so a fitted or calibrated copy is made by editing the
lines of the keys that change, not by dumping the data again. Each changed key's line is
replaced, with comment lines above it saying what set it and what it was. The edited text is
parsed again and must equal the intended data; if it does not (a layout this editor does not
know, such as dotted keys), the copy is written from the data instead, without comments.
"""

from __future__ import annotations

import json
import re
import textwrap
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import tomli_w

from gigsim.errors import GigsimError, ScenarioError
from gigsim.files import write_atomically
from gigsim.scenario import Scenario, apply_overrides

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_ARRAYS = ("workers", "projects")


def inline(value: Any) -> str:
    """A value as one line of TOML: numbers, strings, booleans, lists and inline tables."""
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{_bare(k)} = {inline(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(inline(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(str(value), ensure_ascii=False)


def _bare(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key)


def _blocks(lines: list[str]) -> list[tuple[int, int, str, bool]]:
    """(first body line, end, header name, is an array entry) for each table, preamble first."""
    starts = [(0, "", False)]
    for index, line in enumerate(lines):
        match = _HEADER.match(line)
        if match:
            starts.append((index + 1, match.group(2).strip(), match.group(1) == "[["))
    out = []
    for k, (start, name, array) in enumerate(starts):
        end = starts[k + 1][0] - 1 if k + 1 < len(starts) else len(lines)
        out.append((start, end, name, array))
    return out


def _locate(key: str, lines: list[str]) -> tuple[int, int, str, str]:
    """The block (start, end), the line key to change, and the dotted path to it."""
    parts = key.split(".")
    blocks = _blocks(lines)
    if parts[0] in _ARRAYS and len(parts) >= 3:
        for start, end, name, array in blocks:
            if not (array and name == parts[0]):
                continue
            try:
                body = tomllib.loads("\n".join(lines[start:end]))
            except tomllib.TOMLDecodeError:
                continue
            if body.get("name") == parts[1]:
                return start, end, parts[2], ".".join(parts[:3])
    tables = [(start, end, name) for start, end, name, array in blocks
              if name and not array and key.startswith(name + ".")]
    if tables:
        start, end, name = max(tables, key=lambda t: len(t[2]))
        leaf = key[len(name) + 1:].split(".")[0]
        return start, end, leaf, f"{name}.{leaf}"
    start, end = blocks[0][0], blocks[0][1]
    return start, end, parts[0], parts[0]


def value_at(data: Mapping[str, Any], path: str) -> Any:
    """The value at dotted ``path`` of scenario data, workers and projects addressed by name."""
    node: Any = data
    parts = path.split(".")
    index = 0
    while index < len(parts):
        part = parts[index]
        if part in _ARRAYS and isinstance(node.get(part), list) and index == 0:
            node = next(t for t in node[part] if t.get("name") == parts[index + 1])
            index += 2
            continue
        node = node[part]
        index += 1
    return node


def set_keys(text: str, overrides: Mapping[str, Any], comments: Mapping[str, str]
             ) -> tuple[str, dict[str, Any]]:
    """``text`` with the dotted-key ``overrides`` applied line by line, and the data it holds.

    ``comments[key]`` (one or more lines, without ``#``) goes above each changed line, followed
    by ``was: <the old line>``. Falls back to writing the data without comments when the edited
    text does not parse to the intended data.
    """
    data = tomllib.loads(text)
    wanted, _ = apply_overrides(data, overrides)
    lines = text.splitlines()
    for key in overrides:
        start, end, leaf, path = _locate(key, lines)
        new_line = f"{leaf} = {inline(value_at(wanted, path))}"
        pattern = re.compile(rf"^\s*(?:{re.escape(leaf)}|\"{re.escape(leaf)}\")\s*=")
        found = next((i for i in range(start, end) if pattern.match(lines[i])), None)
        note = [f"# {part}" for line in comments.get(key, "").splitlines()
                for part in textwrap.wrap(line, 95) or [""]]
        if found is None:
            insert = end
            while insert > start and not lines[insert - 1].strip():
                insert -= 1
            lines[insert:insert] = [*note, new_line]
            continue
        stop = found
        while stop < end:
            try:
                tomllib.loads("\n".join(lines[found:stop + 1]))
                break
            except tomllib.TOMLDecodeError:
                stop += 1
        old = [f"# was: {line.strip()}" for line in lines[found:stop + 1]]
        lines[found:stop + 1] = [*note, *old, new_line]
    edited = "\n".join(lines) + "\n"
    try:
        if tomllib.loads(edited) == wanted:
            return edited, wanted
    except tomllib.TOMLDecodeError:
        pass
    header = "# Written by gigsim from the data: the original file's comments are not kept.\n"
    return header + tomli_w.dumps(wanted), wanted


def scenario_copy(source: str | Path, out: str | Path, overrides: Mapping[str, Any],
                  comments: Mapping[str, str], force: bool = False, blame: str = "--key"
                  ) -> tuple[str, Scenario]:
    """The text of a copy of scenario ``source`` with ``overrides`` set, and its scenario.

    Nothing is written: this checks that the copy is a valid scenario and that ``out`` may be
    written. ``out`` may replace an existing file only with ``force``, and the file ``source``
    itself only with ``force`` too. Raises :class:`GigsimError` otherwise; a value that does not
    fit its key is blamed on ``blame`` (the option or file that gave it).
    """
    source, out = Path(source), Path(out)
    if out.exists() and not force:
        same = out.resolve() == source.resolve()
        what = "is the scenario itself" if same else "already exists"
        raise GigsimError(f"{out}: {what}; use --force to replace it, or choose another file")
    if not out.parent.is_dir():
        raise GigsimError(f"{out}: there is no folder {out.parent} to write it in")
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as error:
        raise GigsimError(f"{source}: cannot read it ({error.strerror})") from None
    try:
        edited, data = set_keys(text, overrides, comments)
        scenario = Scenario.from_dict(data, str(source), frozenset(overrides))
    except tomllib.TOMLDecodeError as error:
        raise GigsimError(f"{source}: invalid TOML: {error}") from None
    except ScenarioError as error:
        if error.source != "--set":
            raise
        raise GigsimError(f"{blame}: {error.key}: {error.message}") from None
    return edited, scenario



def write_text(path: str | Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path`` and rename it into place."""
    write_atomically(Path(path), text)
