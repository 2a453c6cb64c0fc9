"""Records: columns from recorded rows, read-only, and picklable for worker processes."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest
from _records import Recorder

from gigsim.engine.records import (
    LATENCY_COLUMNS,
    PROJECT_COLUMNS,
    SPELL_COLUMNS,
    WORKER_COLUMNS,
    Records,
    SpellKind,
)


def _records() -> Records:
    recorder = Recorder()
    recorder.spells.append((0, SpellKind.IDLE, 0.0, 5.0, -1, True, *([1.0] * 10)))
    recorder.latencies.append((0, 0.0, 5.0, True, 0))
    return recorder.freeze(
        replication=2, warmup_h=1.0, horizon_h=10.0, group_names=("g",),
        generator_names=("p",), workers=[(0, 0, 0.0, 0.0, math.nan, 0, 20.0, 0.5)],
        projects=[], events=7,
    )


def test_freeze_builds_named_columns() -> None:
    records = _records()
    assert tuple(records.spells) == SPELL_COLUMNS
    assert tuple(records.latencies) == LATENCY_COLUMNS
    assert tuple(records.workers) == WORKER_COLUMNS
    assert tuple(records.projects) == PROJECT_COLUMNS
    assert records.spells["end"].tolist() == [5.0]
    assert records.spells["censored"].tolist() == [1.0]
    assert len(records.projects["project"]) == 0
    assert (records.replication, records.events, records.end_h) == (2, 7, 11.0)


def test_records_are_read_only() -> None:
    records = _records()
    with pytest.raises(TypeError):
        records.spells["end"] = np.zeros(1)  # type: ignore[index]
    with pytest.raises(AttributeError):
        records.warmup_h = 3.0  # type: ignore[misc]


def test_records_pickle_round_trip() -> None:
    records = _records()
    copy = pickle.loads(pickle.dumps(records))
    assert copy.replication == records.replication
    for name in SPELL_COLUMNS:
        np.testing.assert_array_equal(copy.spells[name], records.spells[name])
    with pytest.raises(TypeError):
        copy.spells["end"] = np.zeros(1)  # type: ignore[index]
