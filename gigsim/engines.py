"""The engines that can run a replication, by name, while the second engine is being built.

Each engine is a module with ``run_replication(scenario, seed, replication) -> Records``;
:func:`gigsim.simulate` takes ``engine=NAME``. The default stays the engine every test and
figure in the documentation was made with until the new one matches it (docs/model.md).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from gigsim.engine.records import Records
from gigsim.errors import GigsimError
from gigsim.scenario import Scenario

ENGINES: dict[str, str] = {"v1": "gigsim.simulation", "v2": "gigsim.engine"}
DEFAULT_ENGINE = "v1"

ReplicationRunner = Callable[[Scenario, int, int], Records]


def replication_runner(name: str = DEFAULT_ENGINE) -> ReplicationRunner:
    """The ``run_replication`` function of the engine called ``name``."""
    if name not in ENGINES:
        raise GigsimError(f"engine: unknown engine {name!r}; expected one of "
                          f"{', '.join(sorted(ENGINES))}")
    runner: ReplicationRunner = importlib.import_module(ENGINES[name]).run_replication
    return runner
