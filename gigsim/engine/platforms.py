"""Several platforms: a worker's slots on each platform it joined (docs/engine.md).

A worker of a group that joins platforms ``P₀ … Pₖ₋₁`` with ``max_projects = m`` is ``k·m``
rows of the workforce (:func:`~gigsim.engine.workforce.with_slots`): its slots on ``Pⱼ`` are
rows ``j·m … j·m + m − 1`` of its own (``Workforce.slot``), each with the (platform, skill)
bits of ``Pⱼ`` only, so that it is in the pools and open lists of ``Pⱼ`` alone, and draws its
delays from ``Pⱼ``'s dispatch. What ties a worker's rows together (hours, who seeks,
patience, leaving together) is :mod:`~gigsim.engine.holding`'s, whatever their platforms.

A worker is onboarded on each platform whose assessment it passed, at that result (or when it
joined, for a platform without one). The platforms with the earliest onboarding are there
from the start, as one platform's slots are; the worker's hours and its record are on the
first row of those (its *lead*). A platform onboarding it later is an event then
(:meth:`Platforms._onboard_later`), unless the worker has left by then. A row on a platform
that never onboards it (failed, or no result before the run ends or the worker leaves) never
seeks: it stays ``ASSESSING``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from functools import partial
from typing import Any

import numpy as np
import simpy

from gigsim.engine.applicants import Applicants
from gigsim.engine.policies import build_array_policy
from gigsim.engine.projects import ProjectTable
from gigsim.engine.records import SPELL_COLUMNS, Phase, ReleaseCause
from gigsim.engine.slots import SlotDraws
from gigsim.engine.timeline import Timeline
from gigsim.engine.workforce import Workforce
from gigsim.randomness import Streams
from gigsim.scenario import Scenario
from gigsim.scenario.dists import Constant
from gigsim.scenario.pay import DEFAULT_PLATFORM
from gigsim.scenario.platforms import Platform

_SPELL = {name: i for i, name in enumerate(SPELL_COLUMNS)}
_ASSESSING, _IDLE, _LEFT = int(Phase.ASSESSING), int(Phase.IDLE), int(Phase.LEFT)


def spread_over_platforms(wf: Workforce, scenario: Scenario, applicants: Applicants,
                          pairs: dict[tuple[str, str], int]) -> np.ndarray:
    """Give each row of ``wf`` its platform and its onboarding there; returns the leads.

    ``wf`` has every worker's ``k·m`` rows, all as the worker's (as drawn for its first
    platform). Rows of a platform the worker is onboarded on later than its first are
    ``ASSESSING`` until then (:meth:`Platforms._onboard_later`); rows of a platform it is
    never onboarded on stay so.
    """
    names = [p.name for p in scenario.platforms]
    n = wf.n_people
    owner = wf.owner
    group = wf.group.astype(np.int64)
    joins = [[names.index(p) for p in (g.platforms or names)] for g in scenario.workers]
    most = np.array([g.max_projects for g in scenario.workers], dtype=np.int64)
    width = max(len(j) for j in joins)
    table = np.array([j + [0] * (width - len(j)) for j in joins], dtype=np.int64)
    platform = table[group, wf.slot.astype(np.int64) // most[group]]
    masks = np.zeros((len(scenario.workers), len(names)), dtype=np.int64)
    for g, gr in enumerate(scenario.workers):
        for k in joins[g]:
            masks[g, k] = sum(1 << pairs[(names[k], s)] for s in gr.skills)
    wf.platform = platform.astype(np.int8)
    wf.skills = masks[group, platform]
    on = applicants.platform_onboarded[owner, platform]
    first = applicants.onboarded[owner]
    onboarded = ~np.isnan(first)
    wf.t_onboarded = np.where(onboarded, on, wf.t_onboarded)
    # the lead: the first row of the platforms onboarding the worker first
    at_first = onboarded & (on == first)
    lead = np.arange(n, dtype=np.int64)
    rows = np.flatnonzero(at_first)
    lead_of = np.full(n, len(owner), dtype=np.int64)
    np.minimum.at(lead_of, owner[rows], rows)
    has = lead_of < len(owner)
    lead[has] = lead_of[has]
    hours = wf.available_h_per_h[:n].copy()
    wf.available_h_per_h[:] = 0.0
    wf.available_h_per_h[lead] = hours
    wf.earned_usd = np.where(wf.slot.astype(np.int64) % most[group] == 0,
                             applicants.platform_assessment_usd[owner, platform], 0.0)
    later = onboarded & ~at_first  # onboarded later, or never, on that platform
    wf.phase[later] = _ASSESSING
    wf.seeking[later] = False
    wf.t_patience[later] = math.inf
    wf.t_idle_since[later] = np.nan
    wf.t_released[later] = np.nan
    return lead


def cut_assessments(rows: np.ndarray, left: np.ndarray) -> np.ndarray:
    """Assessment spell ``rows`` ending by the time their worker left (``left``, NaN: not).

    A worker onboarded on one platform may leave (impatience) before another platform's
    result: that assessment's spell ends when it left, its hours and pay in proportion.
    """
    worker = rows[:, _SPELL["worker"]].astype(np.int64)
    start, end = rows[:, _SPELL["start"]], rows[:, _SPELL["end"]]
    cut = left[worker] < end  # False for NaN
    if not cut.any():
        return rows
    rows = rows.copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(end > start, (left[worker] - start) / (end - start), 1.0)
    for name in ("paid_assessment_h", "unpaid_assessment_h", "income_usd"):
        rows[cut, _SPELL[name]] *= share[cut]
    rows[cut, _SPELL["end"]] = left[worker][cut]
    rows[cut, _SPELL["censored"]] = 0.0
    return rows


def dispatch_stream(platform: str, what: str) -> str:
    """The stream of a platform's dispatch draws (the default one's: those of ``[dispatch]``)."""
    return f"dispatch.{what}" if platform == DEFAULT_PLATFORM else \
        f"platforms.{platform}.dispatch.{what}"


def delay_draws(streams: Streams, platform: Platform, n_rows: int) -> SlotDraws:
    """The platform's dispatch delays, drawn by slot."""
    delay = platform.dispatch.delay

    def sample(rng: np.random.Generator, size: int) -> np.ndarray:
        return np.asarray(delay.sample(rng, size))

    return SlotDraws(streams, dispatch_stream(platform.name, "delay"), sample, n_rows,
                     delay.value if isinstance(delay, Constant) else None)


class Platforms:
    """Onboardings on a worker's later platforms, on the state a replication keeps."""

    wf: Workforce
    end_h: float
    leave_line: Timeline
    lead: np.ndarray  # each worker's lead row (its hours and record at the start)

    env: simpy.Environment
    streams: Streams
    pairs: dict[tuple[str, str], int]
    projects: ProjectTable
    pair_platform: np.ndarray
    pre_assign_of: np.ndarray
    all_rounds: bool
    some_rounds: bool
    round_pairs: int
    policies: list[Any]
    policy_names: list[str]
    policy: Any
    policy_name: str
    open_lists: dict[int, dict[int, None]]
    rounds_of: np.ndarray  # each platform's rounds_every (0: none)
    comebacks: bool  # some worker may come back (Choices)
    parked: np.ndarray  # rows holding spare hours while waiting for a result (Holding)
    n_away: np.ndarray  # per worker, departures that may end in a return (Choices)

    # the methods of Replication these call
    _at: Callable[[float, Callable[[], None]], None]
    _event: Callable[[], float]
    _fill: Callable[[int, float], None]
    _settle: Callable[[float, bool], None]
    _offer_due: Callable[[float], None]
    _rebalance: Callable[[np.ndarray, float], None]
    _close_parked: Callable[[np.ndarray, float | np.ndarray, bool], None]
    _schedule_wake: Callable[[float], None]
    _slots_of: Callable[[int], np.ndarray]

    def _plan_dispatch(self, scenario: Scenario) -> None:
        """Each platform's policy, pre-assignment and rounds, and each pair's platform."""
        platforms = scenario.platforms
        names = [p.name for p in platforms]
        self.pair_platform = np.array([names.index(p) for p, _ in self.pairs], dtype=np.int64)
        self.pre_assign_of = np.array([p.dispatch.pre_assign_on_notice for p in platforms])
        self.rounds_of = np.array([p.dispatch.rounds_every_h for p in platforms])
        self.all_rounds = bool((self.rounds_of > 0).all())
        self.some_rounds = bool((self.rounds_of > 0).any())
        self.round_pairs = sum(1 << k for k, q in enumerate(self.pair_platform.tolist())
                               if self.rounds_of[q] > 0)  # pairs matched in rounds only
        self.policy_names = [p.dispatch.policy for p in platforms]
        self.policies = [build_array_policy(p.dispatch, self.streams.get(
            dispatch_stream(p.name, "policy"))) for p in platforms]
        self.policy, self.policy_name = self.policies[0], self.policy_names[0]

    def _plan_onboardings(self) -> None:
        """An event for each platform onboarding a worker after its first, before the end."""
        wf = self.wf
        later = np.flatnonzero((wf.phase == _ASSESSING) & (wf.t_onboarded < self.end_h)
                               & (wf.t_onboarded < wf.t_hazard))
        firsts: dict[tuple[int, int], int] = {}
        for row in later.tolist():  # one event per worker and platform
            firsts.setdefault((int(wf.owner[row]), int(wf.platform[row])), row)
        for row in sorted(firsts.values(), key=lambda r: (wf.t_onboarded[r], r)):
            self._at(float(wf.t_onboarded[row]), partial(self._onboard_later, row))

    def _onboard_later(self, row: int) -> None:
        """The platform of ``row`` onboards its worker now: its slots there start seeking.

        Unless the worker has left: then it is never on that platform. The slots start free
        (a latency observation with cause ``onboarded``), with the patience the worker's free
        slots have (none while it holds a project); :meth:`Holding._rebalance` gives them
        the spare hours and their delays, as for any free slot.
        """
        now = float(self.wf.t_onboarded[row])
        self._settle(now, True)
        self._offer_due(now)
        wf = self.wf
        mine = self._slots_of(row)
        if (wf.phase[mine] == _LEFT).any() or wf.t_hazard[row] <= now:
            return
        if self.comebacks and self.n_away[wf.owner[row]] > 0:
            return  # it left before this result and came back: the result was lost
        new = mine[(wf.platform[mine] == wf.platform[row]) & (wf.phase[mine] == _ASSESSING)]
        free = mine[wf.phase[mine] == _IDLE]
        parked = new[self.parked[new]]  # spare hours held while waiting for this result
        if len(parked):
            self._close_parked(parked, now, False)  # they stay, now seeking
            self.parked[parked] = False
        wf.phase[new] = _IDLE
        wf.t_spell[new] = now
        wf.t_released[new] = now
        wf.release_cause[new] = ReleaseCause.ONBOARDED
        wf.t_patience[new] = wf.t_patience[free].min() if len(free) else math.inf
        self.leave_line.push(wf.t_gone()[new], new)
        self._rebalance(np.array([wf.owner[row]]), now)
        self._schedule_wake(now)

    def _rounds(self, platform: int) -> Generator[simpy.Event, Any, None]:
        while True:
            yield self.env.timeout(float(self.rounds_of[platform]))
            self._round(platform)

    def _round(self, platform: int) -> None:
        """Fill the platform's open projects longest-open first, across skills, from the pools."""
        now = self._event()
        projects = self.projects
        waiting = [p for plist in self.open_lists.values() for p in plist
                   if projects.end[p] > now and projects.platform[p] == platform]
        waiting.sort(key=projects.oldest_open)  # stable: open-list order on ties
        exhausted: set[int] = set()
        for p in waiting:
            skill = int(projects.requires[p])
            if skill not in exhausted:
                self._fill(p, now)
                if projects.open_seats[p] > 0:
                    exhausted.add(skill)


__all__ = ["Platforms", "spread_over_platforms"]
