"""Shared fixtures for unit tests: a small valid scenario, as data and as a TOML file."""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import tomli_w

SCENARIO_TOML = """\
name = "tiny"
description = "A small scenario for unit tests"

[simulation]
horizon = "12w"
warmup = "2w"
replications = 3
seed = 7

[[workers]]
name = "generalists"
count = 20
arrivals_per_week = 1
skills = ["generalist"]
hours_per_week = { dist = "uniform", low = 10, high = 30 }
checking_hours_per_day = 0.5
quality = { dist = "beta", a = 5, b = 2 }
patience = { dist = "lognormal", median = "8w", sigma = 0.5 }
assessment = { hours = 1, paid = false, pass_probability = 0.8, wait = "3d" }

[[workers]]
name = "doctors"
count = 5
skills = ["medical", "generalist"]
hours_per_week = 15

[[projects]]
name = "rating"
requires = "generalist"
arrivals_per_week = 1.0
seats = { dist = "poisson", mean = 8 }
lifetime = { dist = "lognormal", median = "3w", sigma = 1.0 }
pay_per_hour = { dist = "uniform", low = 15, high = 18 }
hours_per_week_per_seat = 20
training = { hours = 2, paid_probability = 0.3 }
notice = { probability = 0.2, duration = "1w" }
sparse = { fraction_of_life = 0.25, supply_factor = 0.25 }

[[projects]]
name = "clinical"
requires = "medical"
arrivals_per_week = 0.5
seats = 3
lifetime = "4w"
pay_per_hour = 40
hours_per_week_per_seat = 10

[dispatch]
policy = "longest-idle"
delay = { dist = "exponential", mean = "3d" }
pre_assign_on_notice = true
"""


def _data() -> dict[str, Any]:
    return tomllib.loads(SCENARIO_TOML)


@pytest.fixture
def scenario_toml() -> str:
    """The small scenario as TOML text."""
    return SCENARIO_TOML


@pytest.fixture
def scenario_data() -> dict[str, Any]:
    """A fresh copy of the small scenario as nested dictionaries."""
    return copy.deepcopy(_data())


@pytest.fixture
def write_scenario(tmp_path: Path) -> Callable[[dict[str, Any] | str], Path]:
    """Write scenario data (a dict, or TOML text) to a file and return its path."""
    counter = iter(range(1_000_000))

    def write(data: dict[str, Any] | str) -> Path:
        path = tmp_path / f"scenario_{next(counter)}.toml"
        text = data if isinstance(data, str) else tomli_w.dumps(data)
        path.write_text(text, encoding="utf-8")
        return path

    return write
