"""Toy-model baselines that gigsim's speed is compared with.

The toy model: ``workers`` workers on the platform from time 0 to the end, never leaving;
projects launched by a Poisson process, each with ``seats`` seats and an exponential lifetime;
a first-come dispatcher (the longest-idle worker takes the oldest open seat; a worker freed by
a project's end takes an open seat at once if there is one, else waits); no dispatch delay, no
notice, no assessment, no training, no attrition; one simulated year.

Every baseline is its own module and none imports gigsim:

- :mod:`.naive_simpy`: SimPy, one process per worker, events per spell;
- :mod:`.per_task_simpy`: SimPy, one process per worker, one event per task of one hour;
- :mod:`.heapq_loop`: a hand-written event loop on :mod:`heapq`.

All three take a :class:`~.common.ToyParams` and draw the same projects from it
(:func:`~.common.draw_projects`), so given the same parameters they simulate the same world and
agree on utilisation up to the order in which simultaneous events are handled.
"""

from benchmarks.baselines import heapq_loop, naive_simpy, per_task_simpy
from benchmarks.baselines.common import ToyParams, ToyResult, draw_projects

MODELS = {
    "naive-simpy": naive_simpy.run,
    "per-task-simpy": per_task_simpy.run,
    "heapq": heapq_loop.run,
}

__all__ = ["MODELS", "ToyParams", "ToyResult", "draw_projects"]
