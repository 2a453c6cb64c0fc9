"""Rows the engine records, kept as the blocks it writes and joined column by column at the end.

The engine writes its spell and latency rows as numpy blocks (one per release, departure or
match). :class:`BlockRows` keeps the blocks as they come, turns them into column chunks now and
then, and joins each column once when the run ends. Each value is copied twice in all, and
the memory held at the end is the rows plus one column of them: a buffer of rows grown by
appending copies the rows it holds every time it outgrows its memory, and holds up to twice
its size while it does.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np

CHUNK_ROWS = 1 << 18  # blocks are joined into column chunks of about this many rows


class BlockRows:
    """Rows of a fixed width, added as 2-D blocks, returned as named columns."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = names
        self._blocks: list[np.ndarray] = []
        self._pending = 0  # rows in _blocks
        self._chunks: list[list[np.ndarray]] = []  # per chunk, one array per column
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def add_block(self, block: np.ndarray) -> None:
        """Append the rows of a 2-D array with one column per name."""
        if block.ndim != 2 or block.shape[1] != len(self.names):
            raise ValueError(f"expected rows of {len(self.names)} columns, got {block.shape}")
        if len(block):
            self._blocks.append(block)
            self._pending += len(block)
            self._count += len(block)
            if self._pending >= CHUNK_ROWS:
                self._chunk()

    def _chunk(self) -> None:
        if self._blocks:
            rows = np.concatenate(self._blocks, dtype=float)
            self._chunks.append([np.ascontiguousarray(rows[:, i])
                                 for i in range(len(self.names))])
            self._blocks, self._pending = [], 0

    def columns(self) -> Mapping[str, np.ndarray]:
        """The rows in the order added, as read-only named columns.

        The rows are handed over: call once.
        """
        self._chunk()
        columns = {}
        for i, name in enumerate(self.names):
            parts = [chunk[i] for chunk in self._chunks]
            column = np.concatenate(parts) if parts else np.zeros(0)
            for chunk in self._chunks:
                chunk[i] = column[:0]  # each column's chunks are freed once it is joined
            column.setflags(write=False)
            columns[name] = column
        self._chunks = []
        return MappingProxyType(columns)


def named_columns(table: np.ndarray, names: tuple[str, ...]) -> Mapping[str, np.ndarray]:
    """Read-only column views of a 2-D table, by name (as :class:`~gigsim.records.Records`)."""
    table.setflags(write=False)
    return MappingProxyType({name: table[:, i] for i, name in enumerate(names)})
