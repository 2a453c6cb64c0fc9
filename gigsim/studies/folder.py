"""What a study's results folder holds: tables, a summary, the scenarios as run, a manifest.

A study says what it found as a :class:`Folder`; :func:`gigsim.presentation.output.write_folder`
writes any folder atomically, with the figures presentation draws for it, the format, the
environment and the time writing took. The writer knows no study's internals, and no study
imports the writer.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from gigsim.analysis.applicants import applicant_intervals, follow_up_months
from gigsim.analysis.statistics import json_number
from gigsim.scenario import Scenario

if TYPE_CHECKING:
    from gigsim.analysis.results import Results


@dataclass(frozen=True)
class Folder:
    """A study's results, ready to be written.

    ``tables`` maps a file stem to a function building the table (built one at a time while
    writing); ``summary`` is ``summary.json``; ``scenarios`` maps a file stem to TOML data
    (``scenario.toml``: the scenario as run); ``manifest`` holds the study's own entries of
    ``manifest.json`` (what was run, with which seed); ``timings`` its timings in seconds.
    """

    tables: Mapping[str, Callable[[], pd.DataFrame]]
    summary: Mapping[str, Any]
    scenarios: Mapping[str, Mapping[str, Any]]
    manifest: Mapping[str, Any]
    timings: Mapping[str, float] = field(default_factory=dict)
    events: int = 0


def scenario_as_run(scenario: Scenario, seed: int, replications: int) -> dict[str, Any]:
    """``scenario``'s data (the file with its overrides) with the seed and replications used.

    A count chosen by precision is written as that count, so that running the file again
    repeats the run; a warm-up chosen from a pilot is already in the data, as weeks.
    """
    data = json.loads(json.dumps(dict(scenario.data)))  # a deep, plain copy
    simulation = data.setdefault("simulation", {})
    simulation["seed"] = seed
    simulation["replications"] = replications
    simulation.pop("precision", None)  # the count chosen by precision is the count as run
    return data


def applicants_dict(results: Results) -> dict[str, Any]:
    """The outcomes per applicant of ``summary.json``: the cohort and each metric's interval."""
    table = applicant_intervals(results.records)
    return {
        "follow_up_months": follow_up_months(results.scenario.simulation.horizon_h),
        "metrics": {metric: {"mean": json_number(row["mean"]),
                             "ci_low": json_number(row["ci_low"]),
                             "ci_high": json_number(row["ci_high"]),
                             "description": row["description"]}
                    for metric, row in table.iterrows()},
    }


def results_folder(results: Results, tables: Sequence[str]) -> Folder:
    """The folder of one scenario's run (``gigsim run``): the named tables and its summary."""

    def table(name: str) -> Callable[[], pd.DataFrame]:
        return lambda: getattr(results, name)

    scenario = results.scenario
    # how the replications and the warm-up were chosen, when the study chose them
    chosen = {f"{name}_chosen": value for name, value in results.choices_dict().items()}
    return Folder(
        tables={name: table(name) for name in tables},
        summary={"scenario": scenario.name, **results.summary().to_dict(),
                 "applicants": applicants_dict(results), **chosen},
        scenarios={"scenario": scenario_as_run(scenario, results.seed, results.replications)},
        manifest={"scenario": scenario.name, "scenario_file": scenario.source,
                  "seed": results.seed, "replications": results.replications, **chosen},
        timings=dict(results.timings),
        events=int(sum(r.events for r in results.records)),
    )
