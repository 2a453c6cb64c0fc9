"""The timeline of worker times and the ranked pool, against plain scans."""

from __future__ import annotations

import numpy as np

from gigsim.engine.pool import RankedPool
from gigsim.engine.timeline import Timeline


def test_timeline_hands_out_what_is_due_once_and_skips_infinite_times() -> None:
    rng = np.random.default_rng(2)
    line = Timeline()
    entries: list[tuple[float, int]] = []
    for batch in range(40):  # enough batches to be merged along the way
        times = rng.uniform(0, 100, 5)
        times[0] = np.inf
        workers = np.arange(5) + 5 * batch
        line.push(times, workers)
        entries += [(t, w) for t, w in zip(times.tolist(), workers.tolist(), strict=True)
                    if np.isfinite(t)]
    assert len(line) == len(entries)
    got: list[tuple[float, int]] = []
    for now in (10.0, 10.0, 55.5, 99.0, 100.0):
        times, workers = line.pop_due(now)
        assert (times <= now).all()
        got += list(zip(times.tolist(), workers.tolist(), strict=True))
    assert sorted(got) == sorted(entries)
    assert len(line) == 0


def test_first_valid_is_the_earliest_accepted_time() -> None:
    line = Timeline()
    line.push(np.array([5.0, 1.0, 3.0]), np.array([0, 1, 2]))
    line.push(np.array([2.0, 4.0]), np.array([3, 4]))
    assert line.first_valid(lambda t, w: np.ones(len(t), dtype=bool)) == 1.0
    assert line.first_valid(lambda t, w: w % 2 == 0) == 3.0
    assert line.first_valid(lambda t, w: w > 10) == np.inf


def test_ranked_pool_takes_the_lowest_keys_of_the_valid_like_a_full_sort() -> None:
    rng = np.random.default_rng(4)
    n = 300
    key = rng.integers(0, 50, n).astype(float)  # ties: then ready time, then id
    ready = rng.integers(0, 5, n).astype(float)
    offers = np.zeros(n, dtype=np.int64)
    waiting = np.zeros(n, dtype=bool)
    pool = RankedPool()

    def valid(workers: np.ndarray, entry: np.ndarray) -> np.ndarray:
        return waiting[workers] & (offers[workers] == entry)

    for step in range(60):
        joining = rng.choice(n, 12, replace=False)
        joining = joining[~waiting[joining]]
        offers[joining] += 1  # a new pool entry
        waiting[joining] = True
        pool.add(joining, offers[joining])
        count = int(rng.integers(1, 6))
        taken = pool.take(count, valid, lambda w: ready[w], lambda w: key[w][:, None])
        members = np.flatnonzero(waiting)
        expected = members[np.lexsort((members, ready[members], key[members]))][:count]
        assert taken.tolist() == expected.tolist(), step
        waiting[taken] = False
