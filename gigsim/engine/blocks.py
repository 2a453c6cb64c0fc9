"""Rows the engine records, kept as the blocks it writes and joined once at the end.

The engine writes its spell and latency rows as numpy blocks (one per release, departure or
match). :class:`BlockRows` keeps the blocks as they come and joins them into one table when the
run ends: each row is copied once, where a buffer grown by appending copies the rows it holds
every time it outgrows its memory.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np


class BlockRows:
    """Rows of a fixed width, added as 2-D blocks, returned as one table's columns."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = names
        self._blocks: list[np.ndarray] = []
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def add_block(self, block: np.ndarray) -> None:
        """Append the rows of a 2-D array with one column per name (no copy until the end)."""
        if block.ndim != 2 or block.shape[1] != len(self.names):
            raise ValueError(f"expected rows of {len(self.names)} columns, got {block.shape}")
        if len(block):
            self._blocks.append(block)
            self._count += len(block)

    def columns(self) -> Mapping[str, np.ndarray]:
        """The rows in the order added, as read-only named columns of one table."""
        table = (np.concatenate(self._blocks, dtype=float) if self._blocks
                 else np.zeros((0, len(self.names))))
        self._blocks = [table]
        return named_columns(table, self.names)


def named_columns(table: np.ndarray, names: tuple[str, ...]) -> Mapping[str, np.ndarray]:
    """Read-only column views of a 2-D table, by name (as :class:`~gigsim.records.Records`)."""
    table.setflags(write=False)
    return MappingProxyType({name: table[:, i] for i, name in enumerate(names)})
