"""Where a replication's time goes, by kind of seat-level event (issue 23 item 3).

:func:`timing_event_kinds` wraps, from outside the engine, the handler methods of
:class:`gigsim.engine.replication.Replication` that SimPy's callbacks and the project processes
call. Each outermost call is timed (``time.perf_counter`` and, since other sessions share the
machine's cores, the process's CPU time, ``time.process_time``) and credited to its kind with the
events it counted (the rise of ``Replication.events`` during it); a handler called inside
another (a notice at its project's launch, a seat holder's departure inside a departure
block) is part of the outer one. The set-up (``__init__``: plans, draws, the workforce) and
the close (``_finish`` and ``_records``) are timed too; the rest of the run is SimPy's loop,
the project processes' generators and what the wrapper itself costs (:func:`wrapper_overhead`).

Kinds that count no event (the engine works them out in bulk, docs/engine.md) are timed all
the same: later onboardings, watched idle departures. A kind's events add up to
``Records.events``, as ``tests/unit/test_benchmark_event_kinds.py`` checks.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

# handler method -> kind, in the order the report lists them
KINDS: dict[str, str] = {
    "_launch": "launch",
    "_notice": "notice",
    "_end": "end",
    "_departures": "seat holders' departure block",
    "_hazard": "seat holder's departure (alone)",
    "_wake": "wake",
    "_round": "dispatch round",
    "_reviews": "earnings review",
    "_come_back": "return",
    "_failed_test": "failed test",
    "_onboard_later": "later onboarding (no event)",
    "_watched": "watched idle departure (no event)",
}
# not events: timed so that the split adds up to the run
STAGES: dict[str, str] = {"__init__": "set-up (__init__)", "_finish": "close (_finish)",
                          "_records": "close (_records)"}


@dataclass
class KindTimes:
    """Calls, events counted and seconds of each kind, from outermost handler calls."""

    calls: dict[str, int] = field(default_factory=dict)
    events: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)
    depth: int = 0

    def add(self, kind: str, events: int, seconds: float, cpu: float) -> None:
        self.calls[kind] = self.calls.get(kind, 0) + 1
        self.events[kind] = self.events.get(kind, 0) + events
        self.seconds[kind] = self.seconds.get(kind, 0.0) + seconds
        self.cpu[kind] = self.cpu.get(kind, 0.0) + cpu

    def wrapped_calls(self) -> int:
        return sum(self.calls.values())


def _timed(method: Callable[..., Any], kind: str, times: KindTimes) -> Callable[..., Any]:
    clock, cpu_clock = time.perf_counter, time.process_time

    def timed(self: Any, *args: Any, **kwargs: Any) -> Any:
        if times.depth:
            return method(self, *args, **kwargs)
        times.depth = 1
        before = getattr(self, "events", 0)
        started, started_cpu = clock(), cpu_clock()
        try:
            return method(self, *args, **kwargs)
        finally:
            elapsed, cpu = clock() - started, cpu_clock() - started_cpu
            times.depth = 0
            times.add(kind, getattr(self, "events", 0) - before, elapsed, cpu)

    return timed


@contextmanager
def timing_event_kinds(cls: type | None = None) -> Iterator[KindTimes]:
    """While inside, every replication's handlers are timed by kind into the yielded record.

    ``cls`` is the class to wrap (the engine's ``Replication`` unless given). Methods it does
    not have are skipped; each wrapped one is put back on leaving.
    """
    if cls is None:
        from gigsim.engine.replication import Replication
        cls = Replication
    times = KindTimes()
    saved: dict[str, Any] = {}
    for name, kind in {**KINDS, **STAGES}.items():
        method = getattr(cls, name, None)
        if method is None:
            continue
        saved[name] = cls.__dict__.get(name)
        setattr(cls, name, _timed(method, kind, times))
    try:
        yield times
    finally:
        for name, own in saved.items():
            if own is None:
                delattr(cls, name)
            else:
                setattr(cls, name, own)


def split(run: Callable[[], Any]) -> tuple[Any, KindTimes, float, float]:
    """One run of ``run`` (a replication) with its handlers timed.

    Returns its records, the times by kind, and the run's wall and CPU seconds.
    """
    with timing_event_kinds() as times:
        started, started_cpu = time.perf_counter(), time.process_time()
        records = run()
        seconds, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    return records, times, seconds, cpu


class _Probe:
    events = 0

    def handler(self) -> None:
        return None


def wrapper_overhead(calls: int = 200_000, repeats: int = 5) -> float:
    """Seconds the wrapper adds to one handler call: a wrapped no-op against the bare one.

    Best of ``repeats`` for each, so that another process's burst does not count.
    """
    probe = _Probe()
    bare = probe.handler
    times = KindTimes()
    wrapped = _timed(_Probe.handler, "probe", times).__get__(probe)

    def loop(fn: Callable[[], None]) -> float:
        started = time.perf_counter()
        for _ in range(calls):
            fn()
        return time.perf_counter() - started

    best_bare = min(loop(bare) for _ in range(repeats))
    best_wrapped = min(loop(wrapped) for _ in range(repeats))
    return max(0.0, best_wrapped - best_bare) / calls


def report(times: KindTimes, timed: tuple[float, float], untimed: tuple[float, float],
           events: int, overhead_per_call_s: float) -> dict[str, Any]:
    """The split as figures: per kind calls, events, seconds, µs per event and per call, share.

    ``untimed`` is the same replication's (wall, CPU) simulation seconds without the wrapper
    (the headline: µs per event overall = seconds ÷ ``events``); ``timed`` the timed run's.
    Shares are of the timed run's CPU time; "the rest" is that run less every timed kind and
    stage.
    """
    (timed_s, timed_cpu), (untimed_s, untimed_cpu) = timed, untimed
    kinds = [k for k in (*KINDS.values(), *STAGES.values()) if k in times.calls]
    rows = []
    for kind in kinds:
        seconds, cpu = times.seconds[kind], times.cpu[kind]
        n_events, calls = times.events[kind], times.calls[kind]
        rows.append({"kind": kind, "calls": calls, "events": n_events, "seconds": seconds,
                     "cpu_seconds": cpu,
                     "us_per_event": 1e6 * seconds / n_events if n_events else None,
                     "us_per_event_cpu": 1e6 * cpu / n_events if n_events else None,
                     "us_per_call": 1e6 * seconds / calls, "us_per_call_cpu": 1e6 * cpu / calls,
                     "share_cpu": cpu / timed_cpu})
    rest, rest_cpu = timed_s - sum(times.seconds.values()), timed_cpu - sum(times.cpu.values())
    return {
        "events": events, "events_by_kind": sum(times.events.values()),
        "untimed_seconds": untimed_s, "untimed_cpu_seconds": untimed_cpu,
        "timed_seconds": timed_s, "timed_cpu_seconds": timed_cpu,
        "us_per_event_overall": 1e6 * untimed_s / events if events else None,
        "us_per_event_overall_cpu": 1e6 * untimed_cpu / events if events else None,
        "kinds": rows,
        "rest_seconds": rest, "rest_cpu_seconds": rest_cpu, "rest_share_cpu": rest_cpu / timed_cpu,
        "wrapped_calls": times.wrapped_calls(),
        "wrapper_us_per_call": 1e6 * overhead_per_call_s,
        "wrapper_seconds": overhead_per_call_s * times.wrapped_calls(),
        "timed_over_untimed": timed_s / untimed_s,
        "timed_over_untimed_cpu": timed_cpu / untimed_cpu,
    }


def _us(value: float | None, width: int) -> str:
    return f"{value:{width}.1f}" if value is not None else f"{'—':>{width}}"


def lines(name: str, split_report: dict[str, Any]) -> list[str]:
    """The split as printed lines."""
    r = split_report
    out = [f"{name}: {r['events']:,} events (Records.events) in {r['untimed_seconds']:.3f} s"
           f" ({r['untimed_cpu_seconds']:.3f} s CPU) untimed = {r['us_per_event_overall']:.1f}"
           f" µs per event overall ({r['us_per_event_overall_cpu']:.1f} µs CPU); the timed run"
           f" {r['timed_seconds']:.3f} s ({r['timed_cpu_seconds']:.3f} s CPU,"
           f" {r['timed_over_untimed_cpu']:.2f}× untimed), by kind (the events by kind add up"
           f" to {r['events_by_kind']:,}; shares of the timed run's CPU time):",
           f"    {'kind':<38} {'calls':>7} {'events':>7} {'wall s':>7} {'µs/event':>9}"
           f" {'CPU s':>7} {'µs/event':>9} {'share':>6}"]
    for row in r["kinds"]:
        out.append(f"    {row['kind']:<38} {row['calls']:>7,} {row['events']:>7,}"
                   f" {row['seconds']:>7.3f} {_us(row['us_per_event'], 9)}"
                   f" {row['cpu_seconds']:>7.3f} {_us(row['us_per_event_cpu'], 9)}"
                   f" {100 * row['share_cpu']:>5.1f}%")
    out.append(f"    {'the rest (SimPy loop, project processes)':<38} {'':>7} {'':>7}"
               f" {r['rest_seconds']:>7.3f} {'':>9} {r['rest_cpu_seconds']:>7.3f} {'':>9}"
               f" {100 * r['rest_share_cpu']:>5.1f}%")
    out.append(f"    wrapper: {r['wrapper_us_per_call']:.2f} µs per call measured on a no-op"
               f" (best of 5 × 200,000), × {r['wrapped_calls']:,} calls ="
               f" {r['wrapper_seconds']:.3f} s")
    return out
