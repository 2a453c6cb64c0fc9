"""Small scenarios and hand-made projects for the second engine's tests."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from gigsim import Scenario
from gigsim.engine import Replication
from gigsim.engine.projects import ProjectTable
from gigsim.engine.records import Records

POLICIES = ("longest-idle", "random", "best-rated", "least-earned", "skill-aware")


def data(workers: int = 3, horizon: str = "400h", delay: Any = 0, pre_assign: bool = True,
         policy: str = "longest-idle", rounds_every: Any = 0, **group: Any) -> dict[str, Any]:
    """A scenario of one group of ``workers`` 40 h/week workers and one generator."""
    return {
        "name": "hand",
        "simulation": {"horizon": horizon, "warmup": 0, "replications": 1, "seed": 3},
        "workers": [{"name": "w", "count": workers, "skills": ["g"], "hours_per_week": 40,
                     **group}],
        "projects": [{"name": "p", "requires": "g", "arrivals_per_week": 0.01, "seats": 1,
                      "lifetime": "1w", "pay_per_hour": 10, "hours_per_week_per_seat": 40}],
        "dispatch": {"policy": policy, "delay": delay, "pre_assign_on_notice": pre_assign,
                     "rounds_every": rounds_every},
    }


def projects(*rows: dict[str, float]) -> ProjectTable:
    """Hand-made projects of skill 0: each row gives launch, end, seats and optionally
    notice_at, pay (10), supply_h_per_week (40), training_h (0), sparse_at (inf)."""
    def column(key: str, default: float) -> np.ndarray:
        return np.array([row.get(key, default) for row in rows], dtype=float)

    supply = column("supply_h_per_week", 40.0) / 168.0
    return ProjectTable(
        generator=np.zeros(len(rows), dtype=int), requires=np.zeros(len(rows), dtype=int),
        launch=column("launch", 0.0), end=column("end", 0.0),
        notice_at=column("notice_at", np.nan), sparse_at=column("sparse_at", np.inf),
        seats=column("seats", 1).astype(np.int64), pay_per_hour=column("pay", 10.0),
        supply_h_per_h=supply, sparse_supply_h_per_h=supply * column("sparse_factor", 1.0),
        training_h=column("training_h", 0.0),
        training_paid=column("training_paid", 0.0).astype(bool))


def run_with(scenario_data: dict[str, Any], table: ProjectTable, **columns: Any) -> Records:
    """Run the scenario's replication 0 on hand-made projects (and worker columns).

    Given ``patience_h`` or ``t_hazard``, the first idle spell's patience deadline and the
    timeline of idle departures are set again from them (the replication drew both already).
    """
    rep = Replication(Scenario.from_dict(copy.deepcopy(scenario_data)), 3, 0)
    rep.projects = table
    wf = rep.wf
    for name, values in columns.items():
        getattr(wf, name)[:] = values
    if {"patience_h", "t_hazard"} & set(columns):
        onboarded = np.flatnonzero(wf.seeking)
        wf.t_patience[onboarded] = wf.t_onboarded[onboarded] + wf.patience_h[onboarded]
        rep.leave_line.push(wf.t_gone()[onboarded], onboarded)
    return rep.run()


def rows(records: Records, table: str, *names: str) -> list[tuple[float, ...]]:
    """Rows of a record table as tuples of the named columns, sorted."""
    cols = getattr(records, table)
    return sorted(zip(*(np.round(cols[name], 9).tolist() for name in names), strict=True))
