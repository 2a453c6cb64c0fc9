"""The workforce: every worker of a replication as columns of numpy arrays.

One :class:`Workforce` holds the whole per-worker state; each field is an array of length
``n_workers`` indexed by worker id. Times are absolute hours; ``t_*`` fields are event times
(``inf`` = none, ``NaN`` = never happened). A worker who waits for a seat is not an event: the
pool at time ``t`` is worked out in bulk (:meth:`Workforce.pool`) as the workers who are seeking
a seat, ready by ``t`` (their dispatch delay over) and not gone by ``t``. When delays end and
when idle workers' patience or hazard comes, the replication keeps on timelines
(:class:`~gigsim.engine.timeline.Timeline`).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import NewType

import numpy as np

from gigsim.engine.applicants import Applicants
from gigsim.engine.records import LeaveCause, Phase, ReleaseCause
from gigsim.scenario import Scenario
from gigsim.scenario.units import HOURS_PER_WEEK

WorkerIdx = NewType("WorkerIdx", np.ndarray)
"""Row indices into a :class:`Workforce` (= worker ids), kept apart from values."""

NO_PROJECT = -1


def skill_index(scenario: Scenario) -> dict[str, int]:
    """Each skill named by a worker group, with its bit in the skill masks (file order)."""
    names: dict[str, int] = {}
    for group in scenario.workers:
        for skill in group.skills:
            names.setdefault(skill, len(names))
    if len(names) > 62:
        raise ValueError(f"at most 62 distinct skills are supported, got {len(names)}")
    return names


@dataclass
class Workforce:
    """Per-worker state, one array per field, every field of length ``n_workers``.

    Traits are fixed when the run starts; the rest changes at seat-level events. A worker who
    will be onboarded starts as ``IDLE`` from its onboarding time, with its first delay drawn,
    so that onboardings need no event either: such a worker is simply not ready before then.
    """

    # traits (ids and counters as int32 where no policy reads them: a million workers)
    group: np.ndarray  # int32: index of the worker group
    skills: np.ndarray  # int64 bit mask over skill_index
    n_skills: np.ndarray  # int: number of skills (policies read it)
    available_h_per_h: np.ndarray  # availability per clock hour
    checking_h_per_h: np.ndarray  # unpaid checking time per idle clock hour
    quality: np.ndarray
    minimum_pay: np.ndarray  # the least pay per hour it takes a seat for (0: any)
    patience_h: np.ndarray  # inf: never leaves for impatience
    t_joined: np.ndarray
    t_onboarded: np.ndarray  # NaN: never
    t_hazard: np.ndarray  # absolute time of the hazard departure (inf: none)
    # state
    phase: np.ndarray  # int8 Phase
    t_spell: np.ndarray  # start of the current idle spell or assignment
    t_patience: np.ndarray  # end of the current idle spell's patience (inf: not idle)
    seeking: np.ndarray  # bool: wants a seat (a delay is running or over), no reservation
    t_ready: np.ndarray  # end of the dispatch delay (inf: none running)
    t_idle_since: np.ndarray  # the pool's idle-since time, fixed when the delay starts
    t_released: np.ndarray  # start of the open latency observation (NaN: none)
    release_cause: np.ndarray  # int8 ReleaseCause of that observation
    assignment: np.ndarray  # int32 row of the current assignment (-1: none)
    project: np.ndarray  # int32: the project of that assignment (-1: none)
    reserved: np.ndarray  # int32: project reserved during a notice (-1: none)
    t_left: np.ndarray  # NaN: still here
    leave_cause: np.ndarray  # float LeaveCause, as the records store it
    earned_usd: np.ndarray  # income from closed spells
    n_delays: np.ndarray  # int32: delays drawn so far (the slot of the next one)
    n_offers: np.ndarray  # int32: entries into the pool so far (a delay, or a void
    # reservation)
    # a worker who may hold several projects is one row per slot (docs/engine.md): rows
    # 0..n_people-1 are the workers themselves (their first slot), the other slots follow
    owner: np.ndarray  # int64: the worker a row is a slot of (its own id for the first)
    slot: np.ndarray  # int8: which of its worker's slots (0: the first)
    # int8: the platform a row seeks and holds projects on (docs/engine.md, Several
    # platforms): a worker's slots on its j-th platform are rows j·max_projects + s
    platform: np.ndarray

    @property
    def n_workers(self) -> int:
        """How many rows: every applicant's first slot, then the other slots."""
        return len(self.group)

    @property
    def n_people(self) -> int:
        """How many workers (every applicant of the replication)."""
        return int(np.count_nonzero(self.slot == 0))

    def pool(self, skill_bit: int, now: float) -> WorkerIdx:
        """The pool of one skill at ``now``: seeking, ready by ``now``, not gone (ids, sorted).

        Settle those due to leave first: this does not check patience or hazard.
        """
        return WorkerIdx(np.flatnonzero(self.seeking & (self.t_ready <= now)
                                        & ((self.skills & skill_bit) != 0)))

    def t_gone(self) -> np.ndarray:
        """When each idle worker leaves if nothing happens first (patience or hazard)."""
        return np.minimum(self.t_patience, self.t_hazard)

    def holders(self, skill_bit: int, now: float, several: bool = False) -> int:
        """Onboarded workers on the platform at ``now`` with the skill (a pair's bit).

        ``several``: rows are on several platforms (count each worker once, not its first
        row).
        """
        on = (self.t_onboarded <= now) & np.isnan(self.t_left) & ((self.skills & skill_bit) != 0)
        if several:
            return len(np.unique(self.owner[on]))
        return int(np.count_nonzero(on & (self.slot == 0)))

    def check(self) -> None:
        """Every field has one entry per worker (the schema is closed)."""
        n = self.n_workers
        for f in fields(self):
            if len(getattr(self, f.name)) != n:
                raise ValueError(f"Workforce.{f.name} has {len(getattr(self, f.name))} rows,"
                                 f" expected {n}")


def pair_index(scenario: Scenario) -> dict[tuple[str, str], int]:
    """Each (platform, skill) a worker group joins with, with its bit in the skill masks.

    In file order: groups, then the platforms each joins, then its skills. With one platform
    the bits are those of :func:`skill_index`: pools, open lists and ranked pools are per
    pair, so each platform matches its own workers (docs/engine.md, Several platforms).
    """
    names: dict[tuple[str, str], int] = {}
    every = tuple(p.name for p in scenario.platforms)
    for group in scenario.workers:
        for platform in group.platforms or every:
            for skill in group.skills:
                names.setdefault((platform, skill), len(names))
    if len(names) > 62:
        raise ValueError(f"at most 62 distinct (platform, skill) pairs are supported, got"
                         f" {len(names)}")
    return names


def workforce_from_applicants(scenario: Scenario, applicants: Applicants,
                              pairs: dict[tuple[str, str], int]) -> Workforce:
    """The workforce of a run from :func:`gigsim.engine.applicants.plan_applicants`'s applicants.

    Applicants who are onboarded start ``IDLE`` from onboarding, with an open latency
    observation (cause ``onboarded``); the first dispatch delay is drawn by the caller. The
    others keep the stay the assessment gave them (failed, left during it, or still waiting).
    """
    a = applicants
    group = np.asarray(a.group, dtype=int)
    n = len(group)
    every = tuple(p.name for p in scenario.platforms)
    masks = np.array([sum(1 << pairs[((g.platforms or every)[0], s)] for s in g.skills)
                      for g in scenario.workers], dtype=np.int64)
    counts = np.array([len(g.skills) for g in scenario.workers], dtype=int)
    checking = np.array([g.checking_hours_per_day / 24.0 for g in scenario.workers])
    onboarded = np.asarray(a.onboarded, dtype=float)
    will_onboard = ~np.isnan(onboarded)
    patience = np.asarray(a.patience_h, dtype=float)
    phase = np.where(will_onboard, Phase.IDLE,
                     np.where(np.isnan(a.left), Phase.ASSESSING, Phase.LEFT))
    wf = Workforce(
        group=group.astype(np.int32),
        skills=masks[group] if n else np.zeros(0, dtype=np.int64),
        n_skills=counts[group] if n else np.zeros(0, dtype=int),
        available_h_per_h=np.asarray(a.hours_per_week) / HOURS_PER_WEEK,
        checking_h_per_h=checking[group] if n else np.zeros(0),
        quality=np.asarray(a.quality, dtype=float),
        minimum_pay=np.asarray(a.minimum_pay, dtype=float),
        patience_h=patience,
        t_joined=np.asarray(a.joined, dtype=float),
        t_onboarded=onboarded,
        t_hazard=np.asarray(a.joined) + np.asarray(a.hazard_h),
        phase=phase.astype(np.int8),
        t_spell=np.where(will_onboard, onboarded, np.asarray(a.joined)),
        t_patience=np.where(will_onboard, onboarded + patience, np.inf),
        seeking=will_onboard.copy(),
        t_ready=np.full(n, np.inf),
        t_idle_since=np.where(will_onboard, onboarded, np.nan),
        t_released=np.where(will_onboard, onboarded, np.nan),
        release_cause=np.full(n, int(ReleaseCause.ONBOARDED), dtype=np.int8),
        assignment=np.full(n, -1, dtype=np.int32),
        project=np.full(n, NO_PROJECT, dtype=np.int32),
        reserved=np.full(n, NO_PROJECT, dtype=np.int32),
        t_left=np.array(a.left, dtype=float),
        leave_cause=np.array(a.cause, dtype=float),
        earned_usd=np.array(a.assessment_usd, dtype=float),
        n_delays=np.zeros(n, dtype=np.int32),
        n_offers=np.zeros(n, dtype=np.int32),
        owner=np.arange(n, dtype=np.int64),
        slot=np.zeros(n, dtype=np.int8),
        platform=np.zeros(n, dtype=np.int8),
    )
    most = np.array([g.max_projects * len(g.platforms or every) for g in scenario.workers],
                    dtype=np.int64)
    if n and (most > 1).any():
        wf = with_slots(wf, most[group] - 1)
    wf.check()
    return wf


def with_slots(wf: Workforce, extra: np.ndarray) -> Workforce:
    """``wf`` with ``extra[i]`` more rows for worker ``i``: its other slots, appended.

    An other slot starts as the first does (free, seeking from onboarding, with its own
    latency observation), holding none of the worker's hours, with the worker's traits,
    patience and stay (docs/engine.md, Several projects at once).
    """
    owner = np.repeat(np.arange(len(extra)), extra)
    slot = np.concatenate([np.arange(1, k + 1) for k in extra.tolist()]).astype(np.int8)
    given: dict[str, np.ndarray] = {
        "owner": owner, "slot": slot, "available_h_per_h": np.zeros(len(owner)),
        "earned_usd": np.zeros(len(owner))}
    columns = {}
    for f in fields(wf):
        old = getattr(wf, f.name)
        new = given.get(f.name, old[owner])
        columns[f.name] = np.concatenate([old, new.astype(old.dtype)])
    return Workforce(**columns)


__all__ = [
    "NO_PROJECT",
    "LeaveCause",
    "WorkerIdx",
    "Workforce",
    "pair_index",
    "skill_index",
    "workforce_from_applicants",
]
