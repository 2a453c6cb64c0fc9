"""Random-number streams: named, independent, reproducible; buffered draws."""

from __future__ import annotations

import numpy as np

from gigsim.randomness import Buffered, Streams, poisson_times, replication_seed


def test_a_stream_depends_on_seed_replication_and_name() -> None:
    def draws(seed: int, replication: int, name: str) -> np.ndarray:
        return Streams(replication_seed(seed, replication)).get(name).random(5)

    base = draws(1, 0, "projects.rating")
    np.testing.assert_array_equal(base, draws(1, 0, "projects.rating"))
    assert not np.array_equal(base, draws(2, 0, "projects.rating"))
    assert not np.array_equal(base, draws(1, 1, "projects.rating"))
    assert not np.array_equal(base, draws(1, 0, "projects.coding"))


def test_getting_other_streams_does_not_disturb_a_stream() -> None:
    a = Streams(replication_seed(3, 0))
    b = Streams(replication_seed(3, 0))
    b.get("dispatch.delay").random(100)
    b.get("workers.g").random(100)
    np.testing.assert_array_equal(a.get("projects.p").random(10), b.get("projects.p").random(10))


def test_buffered_hands_out_blocks_in_order() -> None:
    calls: list[int] = []

    def block(n: int) -> np.ndarray:
        calls.append(n)
        return np.arange(len(calls) * 10, len(calls) * 10 + n, dtype=float)

    take = Buffered(block, block=3)
    assert [take() for _ in range(7)] == [10, 11, 12, 20, 21, 22, 30]
    assert calls == [3, 3, 3]


def test_buffered_matches_block_draws_from_the_same_stream() -> None:
    rng = np.random.default_rng(5)
    take = Buffered(lambda n: rng.exponential(2.0, n), block=4)
    values = [take() for _ in range(10)]
    reference = np.random.default_rng(5)
    expected = np.concatenate([reference.exponential(2.0, 4) for _ in range(3)])[:10]
    np.testing.assert_array_equal(values, expected)


def test_poisson_times() -> None:
    times = poisson_times(np.random.default_rng(4), 0.5, 10_000.0)
    assert np.all(np.diff(times) > 0)
    assert times.min() >= 0 and times.max() < 10_000.0
    assert abs(len(times) - 5000) < 5 * np.sqrt(5000)
    assert len(poisson_times(np.random.default_rng(4), 0.0, 100.0)) == 0


def test_poisson_times_extend_with_the_horizon() -> None:
    short = poisson_times(np.random.default_rng(8), 0.2, 500.0)
    long = poisson_times(np.random.default_rng(8), 0.2, 5000.0)
    np.testing.assert_allclose(long[: len(short)], short, rtol=1e-12)
    assert len(long) > len(short)
