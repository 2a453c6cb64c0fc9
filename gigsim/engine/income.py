"""Workers' recent income, for policies that read it (``least-earned``): a ring of spells.

Each worker keeps its last ``length`` income spells ``(begin, finish, usd)`` in a row of three
``(n_workers, length)`` arrays; the income over a trailing window is read for many workers at
once. Made only when the policy reads income (``reads_income``, docs/model.md §7).
"""

from __future__ import annotations

import numpy as np

INCOME_LOG_LENGTH = 32


class IncomeLog:
    """The last ``length`` income spells of every worker."""

    def __init__(self, n_workers: int, length: int = INCOME_LOG_LENGTH) -> None:
        self.begin = np.zeros((n_workers, length))
        self.finish = np.full((n_workers, length), -np.inf)  # empty slots lie before any window
        self.usd = np.zeros((n_workers, length))
        self.next_slot = np.zeros(n_workers, dtype=np.int64)
        self.length = length
        self.keep_h = 0.0  # a spell is kept while it may end within this of a later one's end

    def _grow(self) -> None:
        """Twice as many slots per worker (the new ones empty)."""
        extra = ((0, 0), (0, self.length))
        self.begin = np.pad(self.begin, extra)
        self.finish = np.pad(self.finish, extra, constant_values=-np.inf)
        self.usd = np.pad(self.usd, extra)
        self.length *= 2

    def add(self, workers: np.ndarray, begin: np.ndarray, finish: np.ndarray,
            usd: np.ndarray) -> None:
        """Record income ``usd`` earned evenly over ``[begin, finish]`` (one spell per worker)."""
        earned = usd > 0
        if self.keep_h > 0 and len(np.unique(workers[earned])) < int(earned.sum()):
            # a worker twice in one call (an assignment written in parts): a slot for each
            first = np.zeros(len(workers), dtype=bool)
            first[np.unique(workers, return_index=True)[1]] = True
            self.add(workers[first], begin[first], finish[first], usd[first])
            self.add(workers[~first], begin[~first], finish[~first], usd[~first])
            return
        workers = workers[earned]
        slot = self.next_slot[workers] % self.length
        # with ``keep_h`` (reviews read a window of income, docs/model.md §3), a spell that may
        # still fall in a window is never overwritten: the ring grows instead
        while self.keep_h > 0 and len(workers) and (
                self.finish[workers, slot] > finish[earned] - self.keep_h).any():
            self._grow()
            slot = self.next_slot[workers] % self.length
        self.begin[workers, slot] = begin[earned]
        self.finish[workers, slot] = finish[earned]
        self.usd[workers, slot] = usd[earned]
        self.next_slot[workers] += 1

    def recent(self, workers: np.ndarray, since: np.ndarray | float,
               until: np.ndarray | float = np.inf) -> np.ndarray:
        """Income of each of ``workers`` over ``(since, until]`` (per worker or for all).

        A spell straddling a bound counts in proportion, a spell of zero length counts whole
        if it is inside.
        """
        begin, finish, usd = self.begin[workers], self.finish[workers], self.usd[workers]
        since = np.reshape(since, (-1, 1)) if np.ndim(since) else since
        until = np.reshape(until, (-1, 1)) if np.ndim(until) else until
        length = finish - begin
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(length > 0, np.clip(
                (np.minimum(finish, until) - np.maximum(begin, since)) / length, 0.0, 1.0), 1.0)
        inside = (finish > since) & (begin <= until)
        return np.where(inside, usd * share, 0.0).sum(axis=1)
