"""The scenario: what a simulation is asked to simulate, read and checked, and nothing else.

A scenario file (TOML) becomes a :class:`Scenario` of frozen settings: the worker groups
(:mod:`~gigsim.scenario.workers`), the project generators (:mod:`~gigsim.scenario.projects`),
the dispatch settings and the policy it names (:mod:`~gigsim.scenario.dispatch`,
:mod:`~gigsim.scenario.policies`), the pay schedule (:mod:`~gigsim.scenario.pay`), with
durations (:mod:`~gigsim.scenario.units`) and distributions (:mod:`~gigsim.scenario.dists`)
read by :mod:`~gigsim.scenario.schema`. This layer imports no engine: everything above it
reads scenarios, nothing here runs them.
"""

from gigsim.scenario.pay import PaySchedule
from gigsim.scenario.scenario import (
    SCENARIO_TABLES,
    SWEEP_DESIGNS,
    Scenario,
    SimulationSettings,
    apply_overrides,
    load_scenario,
    parse_value,
    refuse_sweep_file,
)

__all__ = [
    "SCENARIO_TABLES",
    "SWEEP_DESIGNS",
    "PaySchedule",
    "Scenario",
    "SimulationSettings",
    "apply_overrides",
    "load_scenario",
    "parse_value",
    "refuse_sweep_file",
]
