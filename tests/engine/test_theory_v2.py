"""The queueing-theory validation (tests/validation/test_validation_theory.py) run on engine v2.

The tests and their module-scoped fixtures are imported as they are; an autouse fixture makes
``gigsim.simulate`` run the second engine for them.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import gigsim.studies.runner
from gigsim.engines import replication_runner

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "validation"))

from test_validation_theory import *  # noqa: F403


@pytest.fixture(scope="module", autouse=True)
def _engine_v2() -> Iterator[None]:
    # module scope, so that the module-scoped fixtures imported above run v2 too
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(gigsim.studies.runner, "replication_runner",
                      lambda name="v2": replication_runner("v2"))
        yield


def test_simulate_runs_engine_v2_here() -> None:
    import gigsim.engine

    assert gigsim.studies.runner.replication_runner("v1") is gigsim.engine.run_replication
