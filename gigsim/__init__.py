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

from importlib.metadata import PackageNotFoundError, version

from gigsim.comparison import Comparison, compare
from gigsim.errors import GigsimError, ScenarioError
from gigsim.results import Results
from gigsim.runner import simulate
from gigsim.scenario import Scenario, load_scenario

try:
    __version__ = version("gigsim")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

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
