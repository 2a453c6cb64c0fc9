"""Spells split at period edges (gigsim.analysis.periods), worked by hand."""

from __future__ import annotations

import numpy as np

from gigsim.analysis.periods import split_at_periods


def test_a_spell_is_split_at_each_edge_in_proportion_to_its_length() -> None:
    # periods of 10 h: [5, 25) is 5 h in period 0, 10 h in 1 and 5 h in 2 (of 20 h);
    # [30, 40) is period 3 whole; [10, 10) (length 0) is period 1, share 1
    row, period, share = split_at_periods(np.array([5.0, 30.0, 10.0]),
                                          np.array([25.0, 40.0, 10.0]), 10.0)
    assert row.tolist() == [0, 0, 0, 1, 2]
    assert period.tolist() == [0, 1, 2, 3, 1]
    assert share.tolist() == [0.25, 0.5, 0.25, 1.0, 1.0]


def test_with_a_count_of_periods_no_piece_is_past_the_last() -> None:
    # two periods of 10 h: an end a hair past 20 (rounding) stays in period 1
    row, period, share = split_at_periods(np.array([15.0]), np.array([20.0 + 1e-12]), 10.0, 2)
    assert row.tolist() == [0] and period.tolist() == [1]
    assert share[0] < 1.0 and share[0] > 1.0 - 1e-9
    row, period, _ = split_at_periods(np.array([15.0]), np.array([20.0 + 1e-12]), 10.0)
    assert period.tolist() == [1, 2]  # without the count, the hair is a piece of its own
