"""One replication of a scenario on SimPy: workers, projects and the dispatcher, event by spell.

Events happen per spell, never per task: a worker's join, assessment result, end of dispatch
delay, patience running out and hazard departure; a project's launch, notice and end. Training,
the sparse phase and month boundaries need no events: they are worked out when a spell closes.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import simpy

from gigsim.dispatch import Dispatcher
from gigsim.project import Project
from gigsim.randomness import Buffered, Streams, poisson_times, replication_seed
from gigsim.records import Recorder, Records, ReleaseCause, SpellKind
from gigsim.scenario import Scenario
from gigsim.worker import MIN_HOURS_PER_WEEK, LeaveCause, Phase, Worker

_NAN = math.nan


class Replication:
    """Runs one replication and returns its :class:`~gigsim.records.Records`."""

    def __init__(self, scenario: Scenario, seed: int, replication: int) -> None:
        self.scenario = scenario
        self.replication = replication
        sim = scenario.simulation
        self.end_h = sim.warmup_h + sim.horizon_h
        self.env = simpy.Environment()
        self.streams = Streams(replication_seed(seed, replication))
        self.recorder = Recorder()
        self.spells = self.recorder.spells
        dispatch = scenario.dispatch
        self.pre_assign = dispatch.pre_assign_on_notice
        policy = dispatch.build_policy(self.streams.get("dispatch.policy"))
        self.dispatcher = Dispatcher(policy, self._on_match, rounds=dispatch.rounds_every_h > 0)
        delay_dist, delay_rng = dispatch.delay, self.streams.get("dispatch.delay")
        self.next_delay: Callable[[], float] = Buffered(
            lambda n: delay_dist.sample(delay_rng, n)
        )
        self.workers: list[Worker] = []
        self.onboarded_at: list[float] = []
        self.leave_cause: list[int] = []
        self.projects: list[Project] = []
        self.events = 0

    # --- scheduling -------------------------------------------------------------------------

    def _at(self, time: float, action: Callable[..., None], *args: Any) -> None:
        """Call ``action(*args)`` at ``time``, if that is before the end of the run."""
        if time >= self.end_h:
            return
        self.events += 1
        event = self.env.timeout(time - self.env.now)
        event.callbacks.append(lambda _event: action(*args))

    def run(self) -> Records:
        """Simulate to the end of the horizon and return the records."""
        # A run allocates millions of small objects that live until it ends (workers, spell
        # rows, events); the cyclic garbage collector would rescan them again and again, which
        # cost more than half the run time. Nothing here depends on collecting cycles early.
        collecting = gc.isenabled()
        gc.disable()
        try:
            self.env.process(self._arrive_workers())
            self.env.process(self._launch_projects())
            if self.scenario.dispatch.rounds_every_h > 0:
                self.env.process(self._dispatch_rounds(self.scenario.dispatch.rounds_every_h))
            self.env.run(until=self.end_h)
            self._close(self.end_h)
            return self._records()
        finally:
            if collecting:
                gc.enable()

    def _dispatch_rounds(self, every_h: float):  # type: ignore[no-untyped-def]
        while True:
            yield self.env.timeout(every_h)
            self.dispatcher.run_round(self.env.now)

    # --- workers ----------------------------------------------------------------------------

    def _arrive_workers(self):  # type: ignore[no-untyped-def]
        plans = []
        for index, group in enumerate(self.scenario.workers):
            # one stream per attribute: a longer horizon or a new key leaves other draws alone
            def rng(attribute: str, name: str = group.name) -> np.random.Generator:
                return self.streams.get(f"workers.{name}.{attribute}")

            arrivals = poisson_times(rng("arrivals"), group.arrivals_per_week / 168.0, self.end_h)
            joins = np.concatenate([np.full(group.count, group.joins_at_h), arrivals])
            n = len(joins)
            hours = np.clip(group.hours_per_week.sample(rng("hours_per_week"), n),
                            MIN_HOURS_PER_WEEK, 168.0)
            quality = np.clip(group.quality.sample(rng("quality"), n), 0.0, 1.0)
            patience = (group.patience.sample(rng("patience"), n) if group.patience is not None
                        else np.full(n, math.inf))
            hazard = (rng("leave").exponential(1.0 / group.leave_rate_per_h, n)
                      if group.leave_rate_per_h > 0 else np.full(n, math.inf))
            passes = (rng("assessment").random(n) < group.assessment.pass_probability
                      if group.assessment is not None else np.ones(n, dtype=bool))
            for i in range(n):
                plans.append((float(joins[i]), index, float(hours[i]), float(quality[i]),
                              float(patience[i]), float(hazard[i]), bool(passes[i])))
        plans.sort(key=lambda plan: plan[0])  # stable: groups in file order at equal times
        for join, group_index, hours, quality, patience, hazard, passes in plans:
            if join > self.env.now:
                yield self.env.timeout(join - self.env.now)
            self._join(group_index, hours, quality, patience, hazard, passes)

    def _join(self, group_index: int, hours: float, quality: float, patience: float,
              hazard: float, passes: bool) -> None:
        now = self.env.now
        group = self.scenario.workers[group_index]
        worker = Worker(len(self.workers), group_index, group.skills, hours, quality,
                        group.checking_hours_per_day, patience, now)
        self.workers.append(worker)
        self.onboarded_at.append(_NAN)
        self.leave_cause.append(int(LeaveCause.STILL_HERE))
        self._at(now + hazard, self._leave, worker, LeaveCause.HAZARD)
        assessment = group.assessment
        if assessment is None:
            self._onboard(worker)
        elif assessment.wait_h > 0:
            self._at(now + assessment.wait_h, self._assessment_result, worker, passes)
        else:
            self._assessment_result(worker, passes)

    def _close_assessment(self, worker: Worker, now: float, censored: bool) -> None:
        assessment = self.scenario.workers[worker.group].assessment
        assert assessment is not None
        share = 1.0 if assessment.wait_h <= 0 else min(1.0, (now - worker.spell_start)
                                                     / assessment.wait_h)
        hours = assessment.hours * share
        paid = hours if assessment.paid else 0.0
        income = paid * assessment.pay_per_hour
        if income > 0:
            worker.add_income(worker.spell_start, now, income)
        self.spells.append((worker.id, SpellKind.ASSESSMENT, worker.spell_start, now, -1,
                            censored, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, paid, hours - paid, 0.0,
                            income))

    def _assessment_result(self, worker: Worker, passed: bool) -> None:
        if worker.phase is Phase.LEFT:
            return
        now = self.env.now
        self._close_assessment(worker, now, censored=False)
        worker.spell_start = now
        if passed:
            self._onboard(worker)
        else:
            self._leave(worker, LeaveCause.FAILED_ASSESSMENT)

    def _onboard(self, worker: Worker) -> None:
        now = self.env.now
        self.onboarded_at[worker.id] = now
        self.dispatcher.register_worker(worker)
        worker.released_at = now
        worker.release_cause = ReleaseCause.ONBOARDED
        self._start_idle(worker, now)
        self._start_delay(worker, now)

    def _start_idle(self, worker: Worker, now: float) -> None:
        worker.phase = Phase.IDLE
        worker.spell_start = now
        if worker.patience_h < math.inf and not worker.patience_check_pending:
            worker.patience_check_pending = True
            self._at(now + worker.patience_h, self._patience_over, worker)

    def _close_idle(self, worker: Worker, now: float, censored: bool) -> None:
        duration = now - worker.spell_start
        if duration > 0:
            available = worker.available_h_per_h * duration
            self.spells.append((worker.id, SpellKind.IDLE, worker.spell_start, now, -1, censored,
                                available, 0.0, 0.0, available, 0.0, 0.0, 0.0, 0.0,
                                worker.checking_h_per_h * duration, 0.0))

    def _patience_over(self, worker: Worker) -> None:
        """Check whether the worker's idle spell has outlasted its patience.

        One check is pending per worker at a time, not one per idle spell: most spells end
        well before the patience does, and a check that finds a later spell than the one it
        was set for moves on to that spell's deadline.
        """
        worker.patience_check_pending = False
        if worker.phase is not Phase.IDLE:
            return  # the next idle spell sets a new check
        deadline = worker.spell_start + worker.patience_h
        if self.env.now >= deadline - 1e-9:
            self._leave(worker, LeaveCause.IMPATIENCE)
        else:
            worker.patience_check_pending = True
            self._at(deadline, self._patience_over, worker)

    def _start_delay(self, worker: Worker, now: float) -> None:
        delay = self.next_delay()
        worker.delay_pending = True
        if delay > 0:
            self._at(now + delay, self._delay_over, worker)
        else:
            self._delay_over(worker)

    def _delay_over(self, worker: Worker) -> None:
        if worker.phase is Phase.LEFT:
            return
        worker.delay_pending = False
        self.dispatcher.offer_worker(worker, self.env.now)

    def _leave(self, worker: Worker, cause: LeaveCause) -> None:
        if worker.phase is Phase.LEFT:
            return
        now = self.env.now
        if worker.phase is Phase.ASSESSING and cause is not LeaveCause.FAILED_ASSESSMENT:
            self._close_assessment(worker, now, censored=False)
        elif worker.phase is Phase.IDLE:
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
        if math.isnan(self.onboarded_at[worker.id]):
            self.dispatcher.withdraw_worker(worker)
        else:
            self.dispatcher.unregister_worker(worker)
        worker.phase = Phase.LEFT
        worker.left_at = now
        self.leave_cause[worker.id] = int(cause)

    def _censor_latency(self, worker: Worker, now: float) -> None:
        if not math.isnan(worker.released_at):
            self.recorder.latencies.append(
                (worker.id, worker.released_at, now - worker.released_at, True,
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
        self._close_idle(worker, now, censored=False)
        if not math.isnan(worker.released_at):
            self.recorder.latencies.append(
                (worker.id, worker.released_at, now - worker.released_at, False,
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
        for training, begin, end, rate, income in project.pieces(available, worker.spell_start,
                                                                 now):
            duration = end - begin
            hours = rate * duration
            if training:
                paid = hours if project.training_paid else 0.0
                row = (worker.id, SpellKind.TRAINING, begin, end, project.id,
                       censored and end == now, hours, 0.0, 0.0, 0.0, paid, hours - paid,
                       0.0, 0.0, 0.0, income)
            else:
                row = (worker.id, SpellKind.WORK, begin, end, project.id,
                       censored and end == now, available * duration, hours,
                       (available - rate) * duration, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, income)
            self.spells.append(row)
            if income > 0:
                worker.add_income(begin, end, income)

    # --- projects ---------------------------------------------------------------------------

    def _launch_projects(self):  # type: ignore[no-untyped-def]
        plans = []
        for index, gen in enumerate(self.scenario.projects):
            # one stream per attribute: a longer horizon or a new key leaves other draws alone
            def rng(attribute: str, name: str = gen.name) -> np.random.Generator:
                return self.streams.get(f"projects.{name}.{attribute}")

            launches = gen.arrival_times(rng("arrivals"), rng("seasonality"), self.end_h)
            n = len(launches)
            seats = np.maximum(1, np.rint(gen.seats.sample(rng("seats"), n))).astype(int)
            lifetimes = gen.lifetime.sample(rng("lifetime"), n)
            pay = gen.pay_per_hour.sample(rng("pay_per_hour"), n)
            supply = gen.hours_per_week_per_seat.sample(rng("hours_per_week_per_seat"), n)
            training_paid = (rng("training").random(n) < gen.training.paid_probability
                             if gen.training is not None else np.zeros(n, dtype=bool))
            notice = (rng("notice").random(n) < gen.notice.probability
                      if gen.notice is not None else np.zeros(n, dtype=bool))
            for i in range(n):
                plans.append((float(launches[i]), index, int(seats[i]), float(lifetimes[i]),
                              float(pay[i]), float(supply[i]), bool(training_paid[i]),
                              bool(notice[i])))
        plans.sort(key=lambda plan: plan[0])
        for plan in plans:
            if plan[0] > self.env.now:
                yield self.env.timeout(plan[0] - self.env.now)
            self._launch(*plan[1:])

    def _launch(self, generator: int, seats: int, lifetime_h: float, pay: float,
                supply_h_per_week: float, training_paid: bool, notice: bool) -> None:
        now = self.env.now
        gen = self.scenario.projects[generator]
        project = Project(
            len(self.projects), generator, gen.requires, now, max(lifetime_h, 1e-9), seats,
            pay, supply_h_per_week, gen.training.hours if gen.training is not None else 0.0,
            training_paid, gen.notice.duration_h if notice and gen.notice is not None else None,
            gen.sparse,
        )
        self.projects.append(project)
        self._at(project.end, self._project_end, project)
        self.dispatcher.open_seats(project, seats, now)
        if notice and project.notice_at <= now:
            # notice as long as the life: seats fill from the pool at launch, then close
            self._project_notice(project)
        elif notice:
            self._at(project.notice_at, self._project_notice, project)

    def _project_notice(self, project: Project) -> None:
        now = self.env.now
        self.dispatcher.close_project(project, now)
        if self.pre_assign:
            for worker in sorted(project.workers, key=_by_id):
                if not worker.delay_pending and not worker.matchable and worker.reserved is None:
                    self._start_delay(worker, now)

    def _project_end(self, project: Project) -> None:
        now = self.env.now
        self.dispatcher.close_project(project, now)
        cause = (ReleaseCause.END_WITH_NOTICE if not math.isnan(project.notice_at)
                 else ReleaseCause.END_WITHOUT_NOTICE)
        for worker in sorted(project.reserved, key=_by_id):  # reservations on it are void
            worker.reserved = None
            self.dispatcher.offer_worker(worker, now)
        project.reserved.clear()
        for worker in sorted(project.workers, key=_by_id):
            self._end_assignment(worker, now, censored=False)
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
            self._start_idle(worker, now)
            if not worker.delay_pending and not worker.matchable:
                self._start_delay(worker, now)

    # --- the end ----------------------------------------------------------------------------

    def _close(self, now: float) -> None:
        """Censor whatever is still open at the end of the run."""
        for worker in self.workers:
            if worker.phase is Phase.ASSESSING:
                self._close_assessment(worker, now, censored=True)
            elif worker.phase is Phase.IDLE:
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
        workers = [
            (w.id, w.group, w.joined_at, self.onboarded_at[w.id], w.left_at,
             self.leave_cause[w.id], w.hours_per_week, w.quality)
            for w in self.workers
        ]
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
            workers=workers, projects=projects, events=self.events,
        )


def _by_id(worker: Worker) -> int:
    return worker.id


def run_replication(scenario: Scenario, seed: int, replication: int) -> Records:
    """Simulate replication ``replication`` of ``scenario`` with the scenario seed ``seed``."""
    return Replication(scenario, seed, replication).run()
