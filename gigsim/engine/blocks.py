"""Rows the engine records, kept as the blocks it writes and moved into columns now and then.

The engine writes its spell and latency rows as numpy blocks (one per release, block of
departures or match). :class:`BlockRows` keeps the blocks as they come and every ~260,000 rows
moves them into one growing array per column, whose capacity doubles when it runs out (one
column at a time, so that only one column is ever held twice; capacity not yet written takes
no memory). The columns are handed over as they are at the end, without a copy: a buffer of
rows grown by appending copies everything it holds each time it outgrows its memory and holds
up to twice its size while it does, and joining blocks at the end holds them twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType

import numpy as np

CHUNK_ROWS = 1 << 18  # blocks are moved into the columns every this many rows
ROWS_AS_TUPLES = 1 << 12  # rows added one by one are made a block every this many

# An event that touches at most this many workers is handled as Python scalars and lists (its
# rows as tuples, :meth:`BlockRows.add_rows`); more, as numpy arrays. Both paths write the same
# rows bit for bit (tests/engine/test_scalar_path.py runs scenarios with 0 and with infinity).
SMALL_EVENT = 8


class BlockRows:
    """Rows of a fixed width, added as 2-D blocks, returned as named columns."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = names
        self._blocks: list[np.ndarray] = []
        self._pending = 0  # rows in _blocks
        self._tuples: list[tuple[float, ...]] = []  # rows added one by one, after _blocks
        self._columns = [np.empty(0) for _ in names]
        self._filled = 0  # rows in _columns

    def __len__(self) -> int:
        return self._filled + self._pending + len(self._tuples)

    def add_rows(self, rows: Sequence[tuple[float, ...]]) -> None:
        """Append rows given as tuples, one value per name (the scalar path of small events)."""
        self._tuples.extend(rows)
        if len(self._tuples) >= ROWS_AS_TUPLES:
            self._block_tuples()

    def _block_tuples(self) -> None:
        """The rows added as tuples become one block, after the blocks before them."""
        if self._tuples:
            block = np.array(self._tuples, dtype=float)
            self._tuples = []
            self.add_block(block)

    def add_block(self, block: np.ndarray) -> None:
        """Append the rows of a 2-D array with one column per name."""
        if block.ndim != 2 or block.shape[1] != len(self.names):
            raise ValueError(f"expected rows of {len(self.names)} columns, got {block.shape}")
        if len(block):
            if self._tuples:  # rows added before this block come first
                self._block_tuples()
            self._blocks.append(block)
            self._pending += len(block)
            if self._pending >= CHUNK_ROWS:
                self._move()

    def _move(self) -> None:
        """Move the pending blocks into the columns."""
        if not self._blocks:
            return
        rows = np.concatenate(self._blocks, dtype=float)
        self._blocks, self._pending = [], 0
        start, stop = self._filled, self._filled + len(rows)
        for i in range(len(self.names)):
            column = self._columns[i]
            if stop > len(column):
                grown = np.empty(max(stop, 2 * len(column), CHUNK_ROWS))
                grown[:start] = column[:start]
                self._columns[i] = column = grown
            column[start:stop] = rows[:, i]
        self._filled = stop

    def columns(self) -> Mapping[str, np.ndarray]:
        """The rows in the order added, as read-only named columns (views, no copy)."""
        self._block_tuples()
        self._move()
        views = {}
        for name, column in zip(self.names, self._columns, strict=True):
            view = column[: self._filled]
            view.setflags(write=False)
            views[name] = view
        return MappingProxyType(views)


def named_columns(table: np.ndarray, names: tuple[str, ...]) -> Mapping[str, np.ndarray]:
    """Read-only column views of a 2-D table, by name (as :class:`~.records.Records`)."""
    table.setflags(write=False)
    return MappingProxyType({name: table[:, i] for i, name in enumerate(names)})
