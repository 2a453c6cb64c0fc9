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
