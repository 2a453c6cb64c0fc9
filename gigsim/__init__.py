"""gigsim: a discrete-event simulator of gig-worker income under project churn.

Load a scenario, simulate it, and read the tables and summary::

    import gigsim
    scenario = gigsim.load_scenario("scenarios/generalist.toml",
                                    overrides={"dispatch.policy": "random"})
    results = gigsim.simulate(scenario, replications=4, seed=1)
    results.worker_months.head()
    print(results.summary())

Compare variants on the same random numbers::

    comparison = gigsim.compare(scenario, {"base": {}, "rand": {"dispatch.policy": "random"}})
    print(comparison)          # per metric: means, paired differences, variance reduction
    comparison.table           # the same as a tidy DataFrame
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gigsim.analysis.results import Results
    from gigsim.errors import GigsimError, ScenarioError
    from gigsim.scenario import Scenario, load_scenario
    from gigsim.studies.comparison import Comparison, compare
    from gigsim.studies.runner import simulate

    __version__: str

# The public names are imported on first use (PEP 562), not here: ``Results`` and ``Comparison``
# pull in pandas and scipy (over a second), which the worker processes of ``simulate(jobs=N)``
# do not need. They import ``gigsim.studies.runner`` and the engine, and with them this package.
_LAZY = {
    "Comparison": "gigsim.studies.comparison",
    "compare": "gigsim.studies.comparison",
    "GigsimError": "gigsim.errors",
    "ScenarioError": "gigsim.errors",
    "Results": "gigsim.analysis.results",
    "simulate": "gigsim.studies.runner",
    "Scenario": "gigsim.scenario",
    "load_scenario": "gigsim.scenario",
}


if not TYPE_CHECKING:  # hidden from type checkers, which would take any name as valid

    def __getattr__(name: str) -> Any:
        if name == "__version__":
            from gigsim.files import gigsim_version

            value: Any = gigsim_version()
        elif name in _LAZY:
            value = getattr(importlib.import_module(_LAZY[name]), name)
        else:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        globals()[name] = value  # the next look-up finds it without calling this
        return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "Comparison",
    "GigsimError",
    "Results",
    "Scenario",
    "ScenarioError",
    "__version__",
    "compare",
    "load_scenario",
    "simulate",
]
