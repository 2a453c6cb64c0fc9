"""The event calendar: time order, ties in order of scheduling, first_at, the end."""

from __future__ import annotations

from gigsim.calendar import Calendar


def test_events_come_in_time_order_and_ties_in_the_order_scheduled() -> None:
    calendar = Calendar(end=100.0)
    seen: list[tuple[float, str]] = []

    def note(label: str) -> None:
        seen.append((calendar.now, label))
        if label == "b":  # scheduled during the run, for the same time as c: after c
            calendar.at(calendar.now + 1.0, note, "e")

    for time, label in ((5.0, "a"), (2.0, "b"), (3.0, "c"), (3.0, "d")):
        calendar.at(time, note, label)
    calendar.run()
    assert seen == [(2.0, "b"), (3.0, "c"), (3.0, "d"), (3.0, "e"), (5.0, "a")]
    assert calendar.events == 5
    assert calendar.now == 100.0


def test_events_at_or_after_the_end_are_dropped() -> None:
    calendar = Calendar(end=10.0)
    seen: list[float] = []
    calendar.at(9.999, seen.append, 1.0)
    calendar.at(10.0, seen.append, 2.0)
    calendar.at(11.0, seen.append, 3.0)
    calendar.first_at(10.0, 0, seen.append, 4.0)
    assert len(calendar) == 1
    calendar.run()
    assert seen == [1.0]


def test_first_at_goes_ahead_of_at_at_the_same_time_and_by_order_among_itself() -> None:
    calendar = Calendar(end=10.0)
    seen: list[str] = []
    calendar.at(1.0, seen.append, "at 1")
    calendar.first_at(1.0, 7, seen.append, "first 7")
    calendar.first_at(1.0, 2, seen.append, "first 2")
    calendar.first_at(0.5, 9, seen.append, "first 9 earlier")
    calendar.run()
    assert seen == ["first 9 earlier", "first 2", "first 7", "at 1"]


def test_walk_calls_planned_actions_in_time_order_with_one_entry_at_a_time() -> None:
    calendar = Calendar(end=10.0)
    seen: list[tuple[float, str]] = []

    def note(label: str) -> None:
        seen.append((calendar.now, label))

    plans = [(1.0, "p1"), (1.0, "p2"), (4.0, "p3"), (12.0, "after the end")]
    calendar.walk(plans, note)
    calendar.at(1.0, note, "at 1, scheduled after the walk's first entry")
    calendar.at(4.0, note, "at 4, scheduled before the walk reached 4")
    assert len(calendar) == 3  # the walk holds one entry
    calendar.run()
    assert seen == [(1.0, "p1"), (1.0, "p2"), (1.0, "at 1, scheduled after the walk's first entry"),
                    (4.0, "at 4, scheduled before the walk reached 4"), (4.0, "p3")]


def test_walk_first_goes_ahead_of_at_at_the_same_time() -> None:
    calendar = Calendar(end=10.0)
    seen: list[str] = []
    calendar.at(2.0, seen.append, "at 2")
    calendar.walk([(2.0, "first 2"), (3.0, "first 3")], seen.append, first=True)
    calendar.at(3.0, seen.append, "at 3")
    calendar.run()
    assert seen == ["first 2", "at 2", "first 3", "at 3"]
