"""How big a run will be, worked out from the scenario before anything is allocated.

A scenario can validate and still ask for more than a machine holds: 10 billion workers, or a
million projects a week. :func:`estimate_size` counts what a run creates (applicants, projects,
seats and table rows) from the scenario's rates and durations, and :func:`check_size` refuses a
run whose rows would not fit in the memory available, with one line naming the key that
contributes most and what to lower.

The rows are counted generously (every applicant on the platform for the whole run), and the
bytes per counted row are measured against that count: ``scenarios/generalist.toml`` (10
replications, 4.4 million rows counted, 1.6 million in its tables, before its recalibration)
peaked at 600 MB resident with every table built and written, 135 bytes per counted row;
:data:`BYTES_PER_ROW` rounds that up (recalibrated: 4.6 million rows, 580 MB, docs/model.md).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

from gigsim.errors import ScenarioError
from gigsim.scenario import Scenario
from gigsim.scenario.units import HOURS_PER_MONTH, HOURS_PER_WEEK

BYTES_PER_ROW = 150


@dataclass(frozen=True)
class RunSize:
    """What one replication of a scenario creates, counted generously."""

    applicants: float
    projects: float
    seats: float
    rows: float  # worker-months, spells, latencies, projects and workers

    @property
    def bytes(self) -> float:
        """The memory one replication's records and tables take, about."""
        return self.rows * BYTES_PER_ROW


def estimate_size(scenario: Scenario) -> tuple[RunSize, str]:
    """One replication's size, and the dotted key that contributes most to its rows."""
    sim = scenario.simulation
    span_h = sim.warmup_h + sim.horizon_h
    weeks = span_h / HOURS_PER_WEEK
    months = sim.horizon_h / HOURS_PER_MONTH + 1
    # Rows: per applicant its worker-months, an assessment, an idle spell, a latency and a
    # worker row; per project a row; per seat filled (no more than the applicants can fill, a
    # seat a week each) a training, a work and an idle spell and a latency.
    per_applicant = months + 4
    applicants = 0.0
    contributions: dict[str, float] = {}
    for group in scenario.workers:
        joined = float(group.count)
        arriving = group.arrivals_per_week * weeks
        applicants += joined + arriving
        contributions[f"workers.{group.name}.count"] = joined * per_applicant
        contributions[f"workers.{group.name}.arrivals_per_week"] = arriving * per_applicant
    projects = 0.0
    seats = 0.0
    for gen in scenario.projects:
        launched = gen.arrivals_per_week * weeks
        projects += launched
        gen_seats = launched * float(gen.seats.mean)  # finite: the schema bounds it
        seats += gen_seats
        contributions[f"projects.{gen.name}.arrivals_per_week"] = launched
        contributions[f"projects.{gen.name}.seats"] = 4 * min(gen_seats,
                                                              applicants * max(1.0, weeks))
    rows = applicants * per_applicant + 4 * min(seats, applicants * max(1.0, weeks)) + projects
    key = max(contributions, key=lambda k: contributions[k]) if contributions else ""
    return RunSize(applicants, projects, seats, rows), key


def available_memory() -> float:
    """Bytes of memory this machine can give a run now (MemAvailable, or physical memory)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return float(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):
        return math.inf


def check_size(scenario: Scenario, replications: int | None = None,
               memory: float | None = None) -> RunSize:
    """Refuse a run whose tables would not fit in ``memory`` (default: what is available).

    Raises :class:`~gigsim.errors.ScenarioError` naming the scenario file and the key that
    contributes most, with the estimated sizes and what to lower; returns the size otherwise.
    """
    size, key = estimate_size(scenario)
    count = scenario.simulation.replications if replications is None else replications
    limit = available_memory() if memory is None else memory
    needed = size.bytes * count
    if needed <= limit and math.isfinite(needed):
        return size
    raise ScenarioError(
        scenario.blame(key), key,
        f"too big to run here: about {_count(size.applicants)} applicants,"
        f" {_count(size.projects)} projects and {_count(size.rows)} table rows per replication"
        f" ({count} replication(s)) need about {_bytes(needed)} of memory and"
        f" {_bytes(limit)} is available; lower {key}, simulation.horizon or the replications")


def _count(value: float) -> str:
    if not math.isfinite(value):
        return "infinitely many"
    return f"{value:,.0f}" if value < 1e6 else f"{value:.2g}"


def _bytes(value: float) -> str:
    if not math.isfinite(value):
        return "unbounded"
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if value < 1000:
            return f"{value:.0f} {unit}"
        value /= 1000
    return f"{value:,.0f} PB"
