"""The scenario variants and metrics of the engine fixtures (see README.md beside this file).

Each variant is a small self-contained scenario: the base world below with a few keys changed.
They are defined here, not read from ``scenarios/``, so that recalibrating the bundled scenarios
never invalidates the fixtures. ``measure`` turns a :class:`gigsim.Results` into one value per
replication and metric, the same way for the recording and for the comparison.

The variants avoid the three cases that the second engine deliberately changes (issue 10,
item 5 a–c):

- no variant has dispatch rounds together with a notice that can be as long as a lifetime
  (with rounds, the lifetimes are uniform with a lower bound above the notice duration), so no
  project is under notice from its launch while rounds run;
- lifetimes, delays and applicant arrivals are continuous, so two projects ending at the same
  instant, or a delay ending exactly at a round's instant, have probability zero; with rounds
  there is no assessment (a constant wait would put onboardings on round multiples) and the
  ``count`` applicants join at time 0, which is not a round.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

import gigsim
from gigsim.analysis.survival import kaplan_meier

Data = dict[str, Any]

BASE: Data = {
    "name": "fixture",
    "simulation": {"horizon": "26w", "warmup": "4w", "replications": 1, "seed": 0},
    "workers": [{
        "name": "g",
        "count": 200,
        "skills": ["generalist"],
        "hours_per_week": {"dist": "uniform", "low": 10, "high": 30},
        "checking_hours_per_day": 0.5,
        "quality": {"dist": "beta", "a": 5, "b": 2},
    }],
    "projects": [{
        "name": "rating",
        "requires": "generalist",
        "arrivals_per_week": 5.0,
        "seats": {"dist": "poisson", "mean": 12},
        "lifetime": {"dist": "lognormal", "median": "2w", "sigma": 0.8},
        "pay_per_hour": {"dist": "uniform", "low": 15, "high": 18},
        "hours_per_week_per_seat": 20,
    }],
    "dispatch": {
        "policy": "longest-idle",
        "delay": {"dist": "exponential", "mean": "2d"},
        "pre_assign_on_notice": False,
    },
}

# Lifetimes bounded away from the notice (and the rounds) so that no project is under notice
# from its launch: uniform on [10 d, 40 d] against a notice of 5 d.
LONG_LIVED = {"dist": "uniform", "low": "10d", "high": "40d"}
NOTICE = {"probability": 0.5, "duration": "5d"}
ROUNDS = "1d"

SPECIALISTS: Data = {
    "name": "s",
    "count": 60,
    "skills": ["stem", "generalist"],
    "hours_per_week": {"dist": "uniform", "low": 5, "high": 25},
    "checking_hours_per_day": 0.5,
    "quality": {"dist": "beta", "a": 6, "b": 2},
}
STEM: Data = {
    "name": "stem",
    "requires": "stem",
    "arrivals_per_week": 1.5,
    "seats": {"dist": "poisson", "mean": 8},
    "lifetime": {"dist": "lognormal", "median": "10d", "sigma": 0.6},
    "pay_per_hour": {"dist": "uniform", "low": 25, "high": 40},
    "hours_per_week_per_seat": 10,
}


def _set(data: Data, path: str, value: Any) -> None:
    """Set ``data[a][b]...`` for ``path = "a.b..."``; ``workers.0`` indexes a list."""
    *parents, last = path.split(".")
    node: Any = data
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node.setdefault(key, {})
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


def _variant(**changes: Any) -> Data:
    """The base data with ``changes`` (dotted paths, ``__`` for ``.``) applied."""
    data = copy.deepcopy(BASE)
    for key, value in changes.items():
        _set(data, key.replace("__", "."), copy.deepcopy(value))
    return data


def _two_skills(policy: str, **changes: Any) -> Data:
    data = _variant(dispatch__policy=policy, **changes)
    data["workers"].append(copy.deepcopy(SPECIALISTS))
    data["projects"].append(copy.deepcopy(STEM))
    return data


def _kitchen_sink() -> Data:
    """Most options at once, on two groups and two generators, with least-earned dispatch."""
    data = _two_skills(
        "least-earned",
        dispatch__pre_assign_on_notice=True,
        workers__0__patience={"dist": "lognormal", "median": "5w", "sigma": 0.5},
        workers__0__leave_rate_per_year=0.8,
        workers__0__arrivals_per_week=6,
        workers__0__assessment={"hours": 1, "paid": False, "pass_probability": 0.6,
                                "wait": "2d"},
        projects__0__notice=NOTICE,
        projects__0__sparse={"fraction_of_life": 0.25, "supply_factor": 0.3},
        projects__0__training={"hours": 2, "paid_probability": 0.5},
    )
    data["projects"][1]["notice"] = {"probability": 0.3, "duration": "3d"}
    data["projects"][1]["training"] = {"hours": 4, "paid_probability": 0.3}
    data["workers"][1]["assessment"] = {"hours": 2, "paid": True, "pay_per_hour": 20,
                                        "pass_probability": 0.5, "wait": "5d"}
    return data


def _joins_later() -> Data:
    data = _variant()
    data["workers"].append({"name": "cohort", "count": 60, "joins_at": "9w",
                            "skills": ["generalist"], "hours_per_week": 20,
                            "checking_hours_per_day": 0.5})
    return data


VARIANTS: dict[str, Data] = {
    # every policy, on one skill
    "longest-idle": _variant(),
    "random": _variant(dispatch__policy="random"),
    "best-rated": _variant(dispatch__policy="best-rated"),
    "least-earned": _variant(dispatch__policy="least-earned"),
    "least-earned-window": _variant(dispatch__policy="least-earned",
                                    dispatch__policy_options={"window": "2w"}),
    # two-skill workers, two generators
    "two-skills": _two_skills("longest-idle"),
    "skill-aware": _two_skills("skill-aware"),
    "skill-aware-threshold": _two_skills("skill-aware",
                                         dispatch__policy_options={"threshold": "3d"}),
    # dispatch delay and rounds
    "no-delay": _variant(dispatch__delay=0),
    "ample-seats": _variant(projects__0__arrivals_per_week=12.0),
    "rounds": _variant(dispatch__rounds_every=ROUNDS, projects__0__lifetime=LONG_LIVED),
    "rounds-random": _variant(dispatch__rounds_every=ROUNDS, dispatch__policy="random",
                              projects__0__lifetime=LONG_LIVED),
    "rounds-notice-preassign": _variant(dispatch__rounds_every=ROUNDS,
                                        dispatch__pre_assign_on_notice=True,
                                        projects__0__lifetime=LONG_LIVED,
                                        projects__0__notice=NOTICE),
    # notice, with and without pre-assignment, with and without a delay
    "notice": _variant(projects__0__notice={"probability": 1.0, "duration": "2w"}),
    "notice-preassign": _variant(projects__0__notice=NOTICE,
                                 dispatch__pre_assign_on_notice=True),
    "notice-preassign-no-delay": _variant(projects__0__notice=NOTICE,
                                          dispatch__pre_assign_on_notice=True,
                                          dispatch__delay=0),
    "notice-always-preassign": _variant(projects__0__notice={"probability": 1.0,
                                                             "duration": "1w"},
                                        dispatch__pre_assign_on_notice=True,
                                        dispatch__delay={"dist": "exponential",
                                                         "mean": "4d"}),
    # the life of a project and the pay of an assignment
    "sparse": _variant(projects__0__sparse={"fraction_of_life": 0.3, "supply_factor": 0.2}),
    "training-paid": _variant(projects__0__training={"hours": 4, "paid_probability": 1.0}),
    "training-unpaid": _variant(projects__0__training={"hours": 4, "paid_probability": 0.0}),
    "seasonality": _variant(projects__0__seasonality={"period": "8w",
                                                      "factors": [0.2, 0.5, 1.3, 0.5]}),
    # leaving the platform, and joining it
    "patience": _variant(workers__0__patience={"dist": "lognormal", "median": "3w",
                                               "sigma": 0.5},
                         workers__0__arrivals_per_week=8),
    "hazard": _variant(workers__0__leave_rate_per_year=1.5, workers__0__arrivals_per_week=6),
    "assessment-unpaid": _variant(workers__0__assessment={"hours": 2, "paid": False,
                                                          "pass_probability": 0.5,
                                                          "wait": "3d"},
                                  workers__0__arrivals_per_week=10),
    "assessment-paid": _variant(workers__0__assessment={"hours": 3, "paid": True,
                                                        "pay_per_hour": 12,
                                                        "pass_probability": 0.7, "wait": 0},
                                workers__0__arrivals_per_week=5,
                                workers__0__leave_rate_per_year=0.5),
    "joins-at": _joins_later(),
    "kitchen-sink": _kitchen_sink(),
}

# What each variant varies is in its name; everything it does not name is as in BASE.

SUMMARY_METRICS = (
    "income_mean_usd", "income_p10_usd", "income_p50_usd", "income_p90_usd",
    "zero_income_share", "idle_share", "latency_mean_h", "latency_censored_share",
    "fill_latency_mean_h", "unfilled_seat_h", "unpaid_share",
)
METRICS: dict[str, str] = {
    "income_mean_usd": "mean monthly income per worker-month (USD)",
    "income_p10_usd": "10th percentile of monthly income over worker-months (USD)",
    "income_p50_usd": "median monthly income over worker-months (USD)",
    "income_p90_usd": "90th percentile of monthly income over worker-months (USD)",
    "zero_income_share": "share of worker-months with no income",
    "idle_share": "idle hours / available hours, over worker-months",
    "training_share": "training hours, paid and unpaid / available hours, over worker-months",
    "underused_share": "assigned hours without tasks / available hours, over worker-months",
    "latency_mean_h": "mean reassignment latency of completed observations (h)",
    "latency_km_median_h": "Kaplan-Meier median reassignment latency, censoring counted (h)",
    "latency_censored_share": "share of reassignment latencies still open at leaving or the end",
    "fill_latency_mean_h": "mean time from a seat opening to its filling, per fill (h)",
    "unfilled_seat_h": "seat-hours that open seats stayed unfilled (seat-hours)",
    "exits": "workers who left the platform in the window (any cause), per replication",
    "unpaid_share": "unpaid hours (assessment, training, checking) / all working hours",
}


def scenario(name: str) -> gigsim.Scenario:
    """The scenario of variant ``name``."""
    data = copy.deepcopy(VARIANTS[name])
    data["name"] = f"fixture-{name}"
    return gigsim.Scenario.from_dict(data, source=f"engine fixture {name!r}")


def digest(name: str) -> str:
    """A short hash of variant ``name``'s definition, to tell a stale fixture."""
    text = json.dumps(VARIANTS[name], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _per_replication(frame: pd.DataFrame, replications: pd.Index,
                     value: Callable[[pd.DataFrame], float]) -> pd.Series:
    groups = dict(tuple(frame.groupby("replication", observed=True, sort=True)))
    return pd.Series([value(groups[r]) if r in groups else value(frame.iloc[:0])
                      for r in replications], index=replications, dtype=float)


def _km_median(latencies: pd.DataFrame) -> float:
    if len(latencies) == 0:
        return math.nan
    curve = kaplan_meier(latencies["latency_h"].to_numpy(dtype=float),
                         latencies["censored"].to_numpy(dtype=bool))
    return float(curve.median)


def _share(months: pd.DataFrame, columns: list[str]) -> float:
    available = float(months["available_h"].sum())
    return float(months[columns].to_numpy().sum()) / available if available > 0 else math.nan


def measure(results: gigsim.Results) -> pd.DataFrame:
    """One row per replication, one column per metric of :data:`METRICS`."""
    summary = results.summary().per_replication
    frame = summary[list(SUMMARY_METRICS)].copy()
    replications = frame.index
    frame["latency_km_median_h"] = _per_replication(results.latencies, replications,
                                                     _km_median)
    frame["exits"] = _per_replication(results.workers, replications,
                                      lambda w: float(w["left_h"].notna().sum()))
    months = results.worker_months
    for name, columns in (("training_share", ["paid_training_h", "unpaid_training_h"]),
                          ("underused_share", ["underused_h"])):
        frame[name] = _per_replication(months, replications, partial(_share, columns=columns))
    return frame[list(METRICS)]


def mean_and_se(values: pd.Series | np.ndarray) -> dict[str, float]:
    """Mean, standard error of the mean and count of the finite per-replication values."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = len(x)
    mean = float(x.mean()) if n else math.nan
    se = float(x.std(ddof=1) / math.sqrt(n)) if n >= 2 else math.nan
    return {"mean": mean, "se": se, "n": n}
