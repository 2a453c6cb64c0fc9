"""The array shortcuts of the simulation give what the one-at-a-time code gives, bit for bit."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from gigsim.project import Project
from gigsim.scenario.projects import Sparse

positive = st.floats(0.01, 500.0)


@settings(max_examples=200, deadline=None)
@given(
    lifetime_h=positive,
    training_h=st.sampled_from([0.0, 0.5, 2.0, 40.0]),
    training_paid=st.booleans(),
    sparse=st.one_of(st.none(), st.builds(Sparse, st.floats(0.0, 1.0), st.floats(0.0, 1.0))),
    supply=st.floats(0.5, 80.0),
    team=st.lists(st.tuples(st.floats(0.1, 168.0), st.floats(0.0, 1.0)), min_size=1,
                  max_size=40),
    end_share=st.floats(0.0, 1.0),
)
def test_team_pieces_are_pieces_of_each_member(lifetime_h: float, training_h: float,
                                               training_paid: bool, sparse: Sparse | None,
                                               supply: float,
                                               team: list[tuple[float, float]],
                                               end_share: float) -> None:
    project = Project(3, 0, "g", 100.0, lifetime_h, 10, 16.5, supply, training_h, training_paid,
                      None, sparse)
    end = 100.0 + end_share * lifetime_h
    available = np.array([hours / 168.0 for hours, _ in team])
    start = np.array([min(end, 100.0 + share * lifetime_h) for _, share in team])
    expected: list[list[tuple[bool, float, float, float, float]]] = [
        project.pieces(float(a), float(s), end) for a, s in zip(available, start, strict=True)]
    got: list[list[tuple[bool, float, float, float, float]]] = [[] for _ in team]
    for training, which, begin, finish, rate, income in project.team_pieces(available, start,
                                                                            end):
        for k, b, f, r, usd in zip(np.flatnonzero(which), begin, finish, rate, income,
                                   strict=True):
            got[k].append((training, float(b), float(f), float(r), float(usd)))
    assert got == expected  # exact: same operations on the same doubles
