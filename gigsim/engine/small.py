"""Events of a few workers handled as Python scalars (docs/engine.md, "Small events as scalars").

An event that touches at most :data:`~gigsim.engine.blocks.SMALL_EVENT` workers writes its
latency rows and starts its delays here, one worker at a time, with the same operations in the
same order as the array code of :class:`~gigsim.engine.replication.Replication`, so that the
records are the same bit for bit (tests/engine/test_scalar_path.py).
"""

from __future__ import annotations

import numpy as np

from gigsim.engine.blocks import BlockRows
from gigsim.engine.slots import SlotDraws
from gigsim.engine.timeline import Timeline
from gigsim.engine.workforce import WorkerIdx, Workforce


class SmallEvents:
    """The scalar steps of small events, on the state a replication keeps."""

    wf: Workforce
    latencies: BlockRows
    delays: list[SlotDraws]
    ready_line: Timeline

    def _latency_tuples(self, who: np.ndarray, at: np.ndarray | float, censored: bool) -> None:
        """:meth:`_latency_rows` for a few workers, as scalars."""
        wf = self.wf
        times = at.tolist() if isinstance(at, np.ndarray) else [at] * len(who)
        rows = []
        released, cause, slot, platform = wf.t_released, wf.release_cause, wf.slot, wf.platform
        workers = who.tolist()
        for w, t, since in zip(workers, times, [released.item(w) for w in workers],
                               strict=True):
            if since == since:  # not NaN: an observation is open
                rows.append((w, since, t - since, float(censored), cause.item(w),
                             slot.item(w), platform.item(w)))
        for w in workers:
            released[w] = np.nan
        self.latencies.add_rows(rows)

    def _start_delays_small(self, who: WorkerIdx, now: np.ndarray | float,
                            until: float | np.ndarray) -> None:
        """:meth:`_start_delays` for a few workers, as scalars (the same draws and times)."""
        wf, n = self.wf, len(who)
        n_delays, released = wf.n_delays, wf.t_released
        ready = []
        for w, t, last in zip(who.tolist(),
                              now.tolist() if isinstance(now, np.ndarray) else [now] * n,
                              until.tolist() if isinstance(until, np.ndarray) else [until] * n,
                              strict=True):
            j = n_delays.item(w)
            at = t + self.delays[wf.platform.item(w)].one(w, j)
            n_delays[w] = j + 1
            wf.n_offers[w] += 1
            wf.t_ready[w] = at
            wf.seeking[w] = True
            since = released.item(w)
            wf.t_idle_since[w] = min(at, last) if since != since else since  # NaN: not released
            ready.append(at)
        self.ready_line.push(np.array(ready), who)
