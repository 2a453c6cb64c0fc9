"""Events handled as Python scalars (a few workers) or as numpy arrays write the same records.

``blocks.SMALL_EVENT`` is the most workers an event handles as scalars; with 0 every event goes
through the arrays, with infinity every event through the scalars, and the records must be the
same bit for bit (docs/engine.md, "Small events as scalars").
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import gigsim
from gigsim.engine import blocks, run_replication
from gigsim.engine.records import SPELL_COLUMNS, Records, spell_row, spell_rows

_SHORT = {"simulation.horizon": "8w", "simulation.warmup": "2w"}

CASES = [
    ("scenarios/platform.toml", {}),
    ("scenarios/platform.toml", {"dispatch.policy": "least-earned"}),  # income log read
    ("scenarios/platform.toml", {"dispatch.policy": "skill-aware"}),
    ("scenarios/generalist.toml", {"dispatch.rounds_every": "1d"}),
    ("scenarios/generalist.toml", {"dispatch.pre_assign_on_notice": False,
                                   "dispatch.delay": "2d"}),
    ("scenarios/specialist.toml", {}),
    ("scenarios/realistic.toml", {}),  # shared queues, qualification tests, reviews, returns
    ("scenarios/two_platforms.toml", {}),
]


def _run(path: str, overrides: dict[str, object], small: float,
         monkeypatch: pytest.MonkeyPatch) -> Records:
    scenario = gigsim.load_scenario(path, overrides={**_SHORT, **overrides})
    monkeypatch.setattr(blocks, "SMALL_EVENT", small)
    return run_replication(scenario, 3, 0)


@pytest.mark.parametrize(("path", "overrides"), CASES)
def test_scalars_and_arrays_write_the_same_records(
        path: str, overrides: dict[str, object], monkeypatch: pytest.MonkeyPatch) -> None:
    arrays = _run(path, overrides, 0, monkeypatch)
    scalars = _run(path, overrides, math.inf, monkeypatch)
    assert len(arrays.spells["worker"]) > 100
    for table in ("spells", "latencies", "workers", "projects", "absences"):
        x, y = getattr(arrays, table), getattr(scalars, table)
        assert x.keys() == y.keys()
        for name in x:
            assert x[name].tobytes() == y[name].tobytes(), f"{path} {overrides} {table}.{name}"
    assert arrays.events == scalars.events


def test_a_spell_row_is_the_row_of_spell_rows() -> None:
    values = {name: float(k + 1) for k, name in enumerate(SPELL_COLUMNS)
              if "assessment" not in name}
    np.testing.assert_array_equal(np.array(spell_row(**values)), spell_rows(1, **values)[0])
