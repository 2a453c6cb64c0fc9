"""What a worker process of ``simulate(jobs=N)`` imports, and the lazy public names of gigsim.

The workers import ``gigsim.studies.runner`` (to unpickle ``_run_to_file``), the engine and, with
them, the ``gigsim`` package; none may load pandas, scipy or matplotlib, which take over a second to
import in every worker. Each check runs in a fresh interpreter, since this one has them loaded.
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

import gigsim

HEAVY = ("pandas", "scipy", "matplotlib")
SOURCE_ROOT = Path(gigsim.__file__).resolve().parents[1]

# One small replication, as a worker runs it: the scenario arrives pickled (built, and so
# validated, in the caller's process; Weibull's mean, which needs scipy, is only for validation).
SCENARIO = {
    "name": "lazy",
    "simulation": {"horizon": "4w", "warmup": "1w", "replications": 1, "seed": 3},
    "workers": [{"name": "g", "count": 10, "skills": ["generalist"],
                 "hours_per_week": {"dist": "weibull", "shape": 2, "scale": 20},
                 "arrivals_per_week": 1, "leave_rate_per_year": 2}],
    "projects": [{"name": "p", "requires": "generalist", "arrivals_per_week": 1,
                  "seats": {"dist": "poisson", "mean": 5},
                  "lifetime": {"dist": "exponential", "mean": "2w"},
                  "pay_per_hour": {"dist": "uniform", "low": 15, "high": 18},
                  "hours_per_week_per_seat": 20}],
}
RUN_A_REPLICATION = """
import pickle, sys
import gigsim.engine
records = gigsim.engine.run_replication(pickle.load(sys.stdin.buffer), 3, 0)
pickle.dumps(records)
"""


def _heavy_modules_after(code: str, stdin: bytes = b"") -> list[str]:
    """The modules of HEAVY that a fresh interpreter has loaded after running ``code``."""
    report = f"import json, sys; print(json.dumps(sorted(set({HEAVY!r}) & set(sys.modules))))"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(SOURCE_ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
    done = subprocess.run([sys.executable, "-c", f"{code}\n{report}"], cwd=SOURCE_ROOT, env=env,
                          input=stdin, capture_output=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr.decode()
    loaded: list[str] = json.loads(done.stdout.decode().strip().splitlines()[-1])
    return loaded


@pytest.mark.parametrize("code", ["import gigsim.studies.runner", "import gigsim.engine",
                                  "import gigsim", "from gigsim import simulate"])
def test_importing_what_a_worker_needs_loads_no_pandas_scipy_or_matplotlib(code: str) -> None:
    assert _heavy_modules_after(code) == []


def test_running_a_replication_loads_no_pandas_scipy_or_matplotlib() -> None:
    scenario = gigsim.Scenario.from_dict(SCENARIO)
    assert _heavy_modules_after(RUN_A_REPLICATION, pickle.dumps(scenario)) == []


def test_the_check_sees_a_heavy_import() -> None:
    # the same check on code that does load pandas must say so, or the tests above prove nothing
    assert "pandas" in _heavy_modules_after("import pandas")


def test_every_public_name_is_there() -> None:
    from gigsim.analysis.results import Results
    from gigsim.errors import GigsimError, ScenarioError
    from gigsim.scenario import Scenario, load_scenario
    from gigsim.studies.comparison import Comparison, compare
    from gigsim.studies.runner import simulate

    expected = {"Comparison": Comparison, "compare": compare, "GigsimError": GigsimError,
                "ScenarioError": ScenarioError, "Results": Results, "simulate": simulate,
                "Scenario": Scenario, "load_scenario": load_scenario}
    assert sorted(gigsim.__all__) == sorted([*expected, "__version__"])
    for name, value in expected.items():
        assert getattr(gigsim, name) is value
    assert isinstance(gigsim.__version__, str) and gigsim.__version__
    assert set(gigsim.__all__) <= set(dir(gigsim))
    namespace: dict[str, object] = {}
    exec("from gigsim import *", namespace)
    assert set(gigsim.__all__) <= set(namespace)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = gigsim.no_such_name  # type: ignore[attr-defined]
    assert not hasattr(gigsim, "no_such_name")
