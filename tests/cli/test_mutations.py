"""Random mutations of a valid scenario: the CLI either runs it or says why in one line.

hypothesis changes one or two things in the minimal scenario (a value replaced by a value of
another size or type, a key deleted, misspelt or added) and runs ``gigsim run`` on it. The
run must end with exit status 0, or with exit status 2 and exactly one line on stderr; never
a traceback (exit status 1). Before the bounds and the size check, 7 of 350 such mutations
ended in a traceback (numpy allocating 74.5 GiB, OverflowError, income overflowing to inf).
"""

from __future__ import annotations

import copy
import math
import tomllib
from pathlib import Path
from typing import Any

import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ._support import MINIMAL_TOML, invoke

BASE: dict[str, Any] = tomllib.loads(MINIMAL_TOML)

# Values of the sizes and types that broke runs, and their neighbours.
NASTY: list[Any] = [
    -1, 0, 1, 0.5, 1e-300, 1e9, 999_999_999, 9_999_999_999, 1e308, -1e308, 2**63 - 1,
    math.nan, math.inf, -math.inf, True, "x", "", "1e400h", "-3d", "99y", "1e-9h", "7mo",
    [], [1, 2], {}, {"dist": "nope"}, {"dist": "uniform", "low": 5, "high": 1e308},
    {"dist": "lognormal", "median": 1, "sigma": 60}, {"dist": "poisson", "mean": 1e9},
]

Path_ = tuple[str | int, ...]


def leaves(node: Any, path: Path_ = ()) -> list[Path_]:
    """The path of every value in ``node`` (tables and lists included, the root excluded)."""
    found: list[Path_] = [path] if path else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += leaves(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += leaves(value, (*path, index))
    return found


PATHS = leaves(BASE)


def parent(data: Any, path: Path_) -> Any:
    for part in path[:-1]:
        data = data[part]
    return data


@st.composite
def mutation(draw: st.DrawFn) -> tuple[str, Path_, Any]:
    kind = draw(st.sampled_from(["replace", "replace", "replace", "delete", "misspell", "add"]))
    path = draw(st.sampled_from(PATHS))
    value = draw(st.sampled_from(NASTY)) if kind in ("replace", "add") else None
    return kind, path, value


def mutate(data: dict[str, Any], kind: str, path: Path_, value: Any) -> None:
    holder = parent(data, path)
    last = path[-1]
    if kind == "replace":
        holder[last] = copy.deepcopy(value)
    elif kind == "delete":
        del holder[last]
    elif kind == "misspell" and isinstance(last, str) and len(last) > 2:
        holder[last[:1] + last[2:]] = holder.pop(last)
    elif kind == "add":
        target = holder if isinstance(holder, dict) else data
        target["surplus_key"] = copy.deepcopy(value)


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(mutation(), min_size=1, max_size=2))
def test_a_mutated_scenario_runs_or_gets_one_line(tmp_path: Path,
                                                  changes: list[tuple[str, Path_, Any]]
                                                  ) -> None:
    data = copy.deepcopy(BASE)
    for kind, path, value in changes:
        try:
            mutate(data, kind, path, value)
        except (KeyError, IndexError, TypeError, AttributeError):  # an earlier change removed it
            continue
    scenario = tmp_path / "mutated.toml"
    scenario.write_text(tomli_w.dumps(data), encoding="utf-8")
    out = tmp_path / "out"
    result = invoke("run", scenario, "--out", out, "--force", "-q", "--format", "csv")
    assert "Traceback" not in result.output, result.output
    if result.exit_code == 0:
        assert result.stderr == ""
        assert (out / "summary.json").is_file()
        return
    assert result.exit_code == 2, (changes, result.exit_code, result.output,
                                   repr(result.exception))
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("gigsim: error: "), (changes, lines)
