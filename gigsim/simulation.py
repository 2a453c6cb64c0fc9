"""One replication of a scenario: workers, projects and the dispatcher, event by spell.

Events happen per spell, never per task, on the replication's :class:`~gigsim.calendar.Calendar`:
an applicant's onboarding, the end of a dispatch delay, patience running out and hazard
departures; a project's launch, notice and end. Training, the sparse phase and month
boundaries need no events: they are worked out when a spell closes. The assessment needs none
either: every applicant's traits and draws are known when the run starts, so the assessment
spells, and the whole stay of each applicant who never gets past it (failing it, leaving
during it, or still waiting at the end), are worked out at once as arrays; only applicants who
are onboarded become :class:`~gigsim.worker.Worker` objects with events of their own.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from gigsim.calendar import Calendar
from gigsim.dispatch import Dispatcher, build_policy
from gigsim.engine.applicants import plan_applicants
from gigsim.engine.records import (
    LeaveCause,
    Phase,
    Recorder,
    Records,
    ReleaseCause,
    SpellKind,
    spell_rows,
)
from gigsim.project import Project
from gigsim.randomness import Buffered, Streams, replication_seed
from gigsim.scenario import Scenario
from gigsim.scenario.units import HOURS_PER_WEEK
from gigsim.worker import Worker

_NAN = math.nan
# spell kinds as the floats the rows store
_ASSESSMENT = float(SpellKind.ASSESSMENT)
_IDLE = float(SpellKind.IDLE)
_TRAINING = float(SpellKind.TRAINING)
_WORK = float(SpellKind.WORK)
_ONBOARDED = int(ReleaseCause.ONBOARDED)
# a project's end closes the assignments of a team this large or larger as arrays
TEAM_AS_ARRAYS = 32
PATIENCE_BUCKET_H = 24.0  # patience checks wait in buckets of this many hours


class Replication:
    """Runs one replication and returns its :class:`~gigsim.engine.records.Records`."""

    def __init__(self, scenario: Scenario, seed: int, replication: int) -> None:
        self.scenario = scenario
        self.replication = replication
        sim = scenario.simulation
        self.end_h = sim.warmup_h + sim.horizon_h
        self.calendar = Calendar(self.end_h)
        self.at = self.calendar.at
        self.streams = Streams(replication_seed(seed, replication))
        self.recorder = Recorder()
        # rows are written as write(pack(*values)), see records.Rows
        self.pack_spell = self.recorder.spells.pack
        self.write_spell = self.recorder.spells.write
        self.pack_latency = self.recorder.latencies.pack
        self.write_latency = self.recorder.latencies.write
        dispatch = scenario.dispatch
        self.pre_assign = dispatch.pre_assign_on_notice
        policy = build_policy(dispatch.policy, self.streams.get("dispatch.policy"),
                              dict(dispatch.policy_options))
        # workers' income (earned_usd, recent_income_usd) is kept up to date for policies
        # that read it: all but those that say they do not
        self.track_income = bool(getattr(policy, "reads_income", True))
        self.dispatcher = Dispatcher(policy, self._on_match, rounds=dispatch.rounds_every_h > 0)
        delay_dist, delay_rng = dispatch.delay, self.streams.get("dispatch.delay")
        self.next_delay: Callable[[], float] = Buffered(
            lambda n: delay_dist.sample(delay_rng, n)
        ).next
        self.workers: list[Worker] = []  # onboarded, in order of onboarding
        self._patience_buckets: dict[int, list[Worker]] = {}
        self.projects: list[Project] = []

    def run(self) -> Records:
        """Simulate to the end of the horizon and return the records."""
        # A run allocates many small objects that live until it ends (workers, projects,
        # events); the cyclic garbage collector would rescan them again and again, which
        # cost more than half the run time. Nothing here depends on collecting cycles early.
        collecting = gc.isenabled()
        gc.disable()
        try:
            self._start_applicants()
            self._start_projects()
            every_h = self.scenario.dispatch.rounds_every_h
            if every_h > 0:
                self.at(every_h, self._dispatch_round, every_h)
            self.calendar.run()
            self._close(self.end_h)
            return self._records()
        finally:
            if collecting:
                gc.enable()

    def _dispatch_round(self, every_h: float) -> None:
        now = self.calendar.now
        self.dispatcher.run_round(now)
        self.at(now + every_h, self._dispatch_round, every_h)

    # --- applicants -------------------------------------------------------------------------

    def _start_applicants(self) -> None:
        applicants, assessment_rows = plan_applicants(self.scenario, self.streams, self.end_h)
        self.applicants = applicants
        self.recorder.spells.add_block(assessment_rows)
        ids = np.flatnonzero(~np.isnan(applicants.onboarded))
        ids = ids[np.argsort(applicants.onboarded[ids], kind="stable")]  # ties: by id
        a = applicants
        onboardings = list(zip(
            a.onboarded[ids].tolist(), ids.tolist(), a.group[ids].astype(int).tolist(),
            a.hours_per_week[ids].tolist(), a.quality[ids].tolist(), a.patience_h[ids].tolist(),
            (a.joined[ids] + a.hazard_h[ids]).tolist(), a.assessment_usd[ids].tolist(),
            a.joined[ids].tolist(), strict=True))
        # onboardings are known now, so they come before other events at the same instant,
        # as if all had been scheduled when the run started, in order of worker id
        self.calendar.walk(onboardings, self._onboard, first=True)

    def _onboard(self, worker_id: int, group_index: int, hours_per_week: float, quality: float,
                 patience_h: float, hazard_at: float, assessment_usd: float,
                 joined: float) -> None:
        now = self.calendar.now
        group = self.scenario.workers[group_index]
        worker = Worker(worker_id, group_index, group.skills, hours_per_week, quality,
                        group.checking_hours_per_day, patience_h, joined)
        self.workers.append(worker)
        if assessment_usd > 0 and self.track_income:
            worker.add_income(joined, now, assessment_usd)
        self.at(hazard_at, self._hazard, worker)
        self.dispatcher.register_worker(worker)
        worker.released_at = now
        worker.release_cause = _ONBOARDED
        self._start_idle(worker, now)
        self._start_delay(worker, now)

    # --- workers ----------------------------------------------------------------------------

    def _start_idle(self, worker: Worker, now: float) -> None:
        worker.phase = Phase.IDLE
        worker.spell_start = now
        if worker.patience_h < math.inf and not worker.patience_check_pending:
            self._check_patience_at(worker, now + worker.patience_h, now)

    def _close_idle(self, worker: Worker, now: float, censored: bool) -> None:
        duration = now - worker.spell_start
        if duration > 0:
            available = worker.available_h_per_h * duration
            self.write_spell(self.pack_spell(
                worker.id, _IDLE, worker.spell_start, now, -1, censored, available, 0.0, 0.0,
                available, 0.0, 0.0, 0.0, 0.0, worker.checking_h_per_h * duration, 0.0))

    # Patience. One check is pending per worker at a time, not one per idle spell: most idle
    # spells end well before the patience does, and a check that finds a later spell than the
    # one it was set for moves on to that spell's deadline. A check due in a later day waits
    # in that day's bucket; at the start of the day the bucket drops the workers who are no
    # longer idle and gives the others an event at their deadline. So a check costs an event
    # only for the workers still idle on the day their patience runs out.

    def _check_patience_at(self, worker: Worker, deadline: float, now: float) -> None:
        worker.patience_check_pending = True
        day = int(deadline // PATIENCE_BUCKET_H)
        if day * PATIENCE_BUCKET_H <= now:
            self.at(deadline, self._patience_over, worker)
            return
        bucket = self._patience_buckets.get(day)
        if bucket is None:
            bucket = self._patience_buckets[day] = []
            self.at(day * PATIENCE_BUCKET_H, self._patience_bucket, day)
        bucket.append(worker)

    def _patience_bucket(self, day: int) -> None:
        now = self.calendar.now
        for worker in self._patience_buckets.pop(day):
            worker.patience_check_pending = False
            if worker.phase is Phase.IDLE:
                self._check_patience_at(worker, worker.spell_start + worker.patience_h, now)

    def _patience_over(self, worker: Worker) -> None:
        """Check whether the worker's idle spell has outlasted its patience."""
        worker.patience_check_pending = False
        if worker.phase is not Phase.IDLE:
            return  # the next idle spell sets a new check
        deadline = worker.spell_start + worker.patience_h
        now = self.calendar.now
        if now >= deadline - 1e-9:
            self._leave(worker, LeaveCause.IMPATIENCE)
        else:
            self._check_patience_at(worker, deadline, now)

    def _start_delay(self, worker: Worker, now: float) -> None:
        delay = self.next_delay()
        worker.delay_pending = True
        if delay > 0:
            self.at(now + delay, self._delay_over, worker)
        else:
            self._delay_over(worker)

    def _delay_over(self, worker: Worker) -> None:
        if worker.phase is Phase.LEFT:
            return
        worker.delay_pending = False
        self.dispatcher.offer_worker(worker, self.calendar.now)

    def _hazard(self, worker: Worker) -> None:
        self._leave(worker, LeaveCause.HAZARD)

    def _leave(self, worker: Worker, cause: LeaveCause) -> None:
        if worker.phase is Phase.LEFT:
            return
        now = self.calendar.now
        if worker.phase is Phase.IDLE:
            self._close_idle(worker, now, censored=False)
        elif worker.phase is Phase.WORKING:
            project = worker.project
            assert isinstance(project, Project)
            self._end_assignment(worker, now, censored=False)
            if project.accepting:
                self.dispatcher.open_seats(project, 1, now)
        reserved = worker.reserved
        if isinstance(reserved, Project):
            worker.reserved = None
            reserved.reserved.discard(worker)
            if reserved.accepting:
                self.dispatcher.open_seats(reserved, 1, now)
        self._censor_latency(worker, now)
        self.dispatcher.unregister_worker(worker)
        worker.phase = Phase.LEFT
        worker.left_at = now
        self.applicants.left[worker.id] = now
        self.applicants.cause[worker.id] = float(cause)

    def _censor_latency(self, worker: Worker, now: float) -> None:
        if not math.isnan(worker.released_at):
            self.write_latency(self.pack_latency(
                worker.id, worker.released_at, now - worker.released_at, True,
                worker.release_cause))
            worker.released_at = _NAN

    # --- assignments ------------------------------------------------------------------------

    def _on_match(self, worker: Worker, project: Project, now: float) -> None:
        if worker.phase is Phase.IDLE:
            self._start_assignment(worker, project, now)
        else:  # working on a project under notice: reserve the seat until that project ends
            worker.reserved = project
            project.reserved.add(worker)

    def _start_assignment(self, worker: Worker, project: Project, now: float) -> None:
        self._close_idle(worker, now, False)
        released = worker.released_at
        if released == released:  # not NaN: a latency observation is open
            self.write_latency(self.pack_latency(worker.id, released, now - released, False,
                                                 worker.release_cause))
            worker.released_at = _NAN
        worker.phase = Phase.WORKING
        worker.project = project
        worker.spell_start = now
        project.workers.add(worker)
        if self.pre_assign and not project.accepting:
            self._start_delay(worker, now)  # already under notice: the next delay starts now

    def _end_assignment(self, worker: Worker, now: float, censored: bool) -> None:
        """Close the worker's training and work spells on its project at ``now``."""
        project = worker.project
        assert isinstance(project, Project)
        project.workers.discard(worker)
        worker.project = None
        available = worker.available_h_per_h
        write, pack = self.write_spell, self.pack_spell
        for training, begin, end, rate, income in project.pieces(available, worker.spell_start,
                                                                 now):
            duration = end - begin
            hours = rate * duration
            if training:
                paid = hours if project.training_paid else 0.0
                write(pack(worker.id, _TRAINING, begin, end, project.id,
                           censored and end == now, hours, 0.0, 0.0, 0.0, paid, hours - paid,
                           0.0, 0.0, 0.0, income))
            else:
                write(pack(worker.id, _WORK, begin, end, project.id,
                           censored and end == now, available * duration, hours,
                           (available - rate) * duration, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
                           income))
            if income > 0 and self.track_income:
                worker.add_income(begin, end, income)

    def _end_team(self, project: Project, team: list[Worker], now: float) -> None:
        """Close the assignments of all of ``team`` on ``project`` at ``now`` (it ended).

        The same rows and income as :meth:`_end_assignment` for each, computed as arrays when
        the team is large.
        """
        n = len(team)
        if n < TEAM_AS_ARRAYS:
            for worker in team:
                self._end_assignment(worker, now, censored=False)
            return
        ids = np.fromiter((w.id for w in team), float, n)
        available = np.fromiter((w.available_h_per_h for w in team), float, n)
        start = np.fromiter((w.spell_start for w in team), float, n)
        for training, which, begin, finish, rate, income in project.team_pieces(available, start,
                                                                                now):
            duration = finish - begin
            hours = rate * duration
            where = {"worker": ids[which], "start": begin, "end": finish,
                     "project": project.id, "income_usd": income}
            if training:
                paid = hours if project.training_paid else np.zeros(len(hours))
                rows = spell_rows(len(begin), **where, kind=_TRAINING, available_h=hours,
                                  paid_training_h=paid, unpaid_training_h=hours - paid)
            else:
                a = available[which]
                rows = spell_rows(len(begin), **where, kind=_WORK, available_h=a * duration,
                                  worked_h=hours, underused_h=(a - rate) * duration)
            self.recorder.spells.add_block(rows)
            if self.track_income:
                earners = np.flatnonzero(which)[income > 0].tolist()
                for k, b, f, usd in zip(earners, begin[income > 0].tolist(),
                                        finish[income > 0].tolist(),
                                        income[income > 0].tolist(), strict=True):
                    team[k].add_income(b, f, usd)
        project.workers.clear()
        for worker in team:
            worker.project = None

    # --- projects ---------------------------------------------------------------------------

    def _start_projects(self) -> None:
        plans: list[tuple[Any, ...]] = []
        for index, gen in enumerate(self.scenario.projects):
            # one stream per attribute: a longer horizon or a new key leaves other draws alone
            def rng(attribute: str, name: str = gen.name) -> np.random.Generator:
                return self.streams.get(f"projects.{name}.{attribute}")

            launches = gen.arrival_times(rng("arrivals"), rng("seasonality"), self.end_h)
            n = len(launches)
            plans.append((
                launches, np.full(n, index),
                np.maximum(1, np.rint(gen.seats.sample(rng("seats"), n))).astype(int),
                gen.lifetime.sample(rng("lifetime"), n),
                gen.pay_per_hour.sample(rng("pay_per_hour"), n),
                gen.hours_per_week_per_seat.sample(rng("hours_per_week_per_seat"), n),
                (rng("training").random(n) < gen.training.paid_probability
                 if gen.training is not None else np.zeros(n, dtype=bool)),
                (rng("notice").random(n) < gen.notice.probability
                 if gen.notice is not None else np.zeros(n, dtype=bool)),
            ))
        if not plans:
            return
        columns = [np.concatenate(parts) for parts in zip(*plans, strict=True)]
        order = np.argsort(columns[0], kind="stable")  # generators in file order at ties
        self.calendar.walk(list(zip(*(column[order].tolist() for column in columns),
                                    strict=True)), self._launch)

    def _launch(self, generator: int, seats: int, lifetime_h: float, pay: float,
                supply_h_per_week: float, training_paid: bool, notice: bool) -> None:
        now = self.calendar.now
        gen = self.scenario.projects[generator]
        project = Project(
            len(self.projects), generator, gen.requires, now, max(lifetime_h, 1e-9), seats,
            pay, supply_h_per_week, gen.training.hours if gen.training is not None else 0.0,
            training_paid, gen.notice.duration_h if notice and gen.notice is not None else None,
            gen.sparse,
        )
        self.projects.append(project)
        self.at(project.end, self._project_end, project)
        self.dispatcher.open_seats(project, seats, now)
        if notice and project.notice_at <= now:
            # notice as long as the life: seats fill from the pool at launch, then close
            self._project_notice(project)
        elif notice:
            self.at(project.notice_at, self._project_notice, project)

    def _project_notice(self, project: Project) -> None:
        now = self.calendar.now
        self.dispatcher.close_project(project, now)
        if self.pre_assign:
            for worker in sorted(project.workers, key=_by_id):
                if not worker.delay_pending and not worker.matchable and worker.reserved is None:
                    self._start_delay(worker, now)

    def _project_end(self, project: Project) -> None:
        now = self.calendar.now
        self.dispatcher.close_project(project, now)
        cause = (ReleaseCause.END_WITH_NOTICE if not math.isnan(project.notice_at)
                 else ReleaseCause.END_WITHOUT_NOTICE)
        for worker in sorted(project.reserved, key=_by_id):  # reservations on it are void
            worker.reserved = None
            self.dispatcher.offer_worker(worker, now)
        project.reserved.clear()
        team = sorted(project.workers, key=_by_id)
        self._end_team(project, team, now)
        idle, next_delay, at, delay_over = Phase.IDLE, self.next_delay, self.at, self._delay_over
        for worker in team:
            worker.released_at = now
            worker.release_cause = cause
            reserved = worker.reserved
            if isinstance(reserved, Project):
                worker.reserved = None
                reserved.reserved.discard(worker)
                worker.phase = Phase.IDLE
                worker.spell_start = now
                self._start_assignment(worker, reserved, now)
                continue
            # _start_idle and _start_delay, written out on purpose: this loop runs once per
            # release, and the two calls cost 4% of the toy benchmark's instructions (valgrind)
            worker.phase = idle
            worker.spell_start = now
            if worker.patience_h < math.inf and not worker.patience_check_pending:
                self._check_patience_at(worker, now + worker.patience_h, now)
            if not worker.delay_pending and not worker.matchable:
                delay = next_delay()
                worker.delay_pending = True
                if delay > 0:
                    at(now + delay, delay_over, worker)
                else:
                    delay_over(worker)

    # --- the end ----------------------------------------------------------------------------

    def _close(self, now: float) -> None:
        """Censor whatever is still open at the end of the run."""
        for worker in self.workers:
            if worker.phase is Phase.IDLE:
                self._close_idle(worker, now, censored=True)
            elif worker.phase is Phase.WORKING:
                self._end_assignment(worker, now, censored=True)
            if worker.phase is not Phase.LEFT:
                self._censor_latency(worker, now)
        for project in self.projects:
            if project.accepting:
                project.close(now)

    def _records(self) -> Records:
        sim = self.scenario.simulation
        a = self.applicants
        workers = np.column_stack([
            np.arange(len(a.joined), dtype=float), a.group, a.joined, a.onboarded, a.left,
            # weekly hours as Worker.hours_per_week gives them (via hours per clock hour)
            a.cause, a.hours_per_week / HOURS_PER_WEEK * HOURS_PER_WEEK, a.quality,
        ])
        projects = [
            (p.id, p.generator, p.launch, p.end, p.seats, not math.isnan(p.notice_at),
             p.notice_at, p.pay_per_hour, p.supply_h_per_h * 168.0, p.training_h,
             p.training_paid, p.sparse_at, p.filled, p.fill_latency_sum_h, p.unfilled_seat_h)
            for p in self.projects
        ]
        return self.recorder.freeze(
            replication=self.replication, warmup_h=sim.warmup_h, horizon_h=sim.horizon_h,
            group_names=tuple(g.name for g in self.scenario.workers),
            generator_names=tuple(g.name for g in self.scenario.projects),
            workers=workers, projects=projects, events=self.calendar.events,
        )


def _by_id(worker: Worker) -> int:
    return worker.id


def run_replication(scenario: Scenario, seed: int, replication: int) -> Records:
    """Simulate replication ``replication`` of ``scenario`` with the scenario seed ``seed``."""
    return Replication(scenario, seed, replication).run()
