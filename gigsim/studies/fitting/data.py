"""Reading a column of a user's CSV file as a right-censored sample, with one-line errors.

A *sample* is what ``gigsim fit`` fits: non-negative values (durations in hours, counts, or
rates) and, for each, whether it is right-censored: still running when the data were taken
(a project not yet ended, a spell still open), so that the true value is at least the one seen.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

import numpy as np

from gigsim.errors import GigsimError
from gigsim.scenario.units import UNITS_H

Kind = Literal["duration", "count", "rate"]
KINDS: tuple[Kind, ...] = ("duration", "count", "rate")

MIN_ROWS = 10  # fewer than this cannot tell four families apart
MIN_EVENTS = 5  # values seen to end: below this a fit says nothing about the shape

# The unit a column's name ends in (``lifetime_d``, ``wait_hours``, ``spell (weeks)``): the
# last word of the name, case ignored. A bare ``m`` could be minutes or months, so it names none.
NAME_UNITS: dict[str, str] = {
    **dict.fromkeys(("min", "mins", "minute", "minutes"), "m"),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), "h"),
    **dict.fromkeys(("d", "day", "days"), "d"),
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks"), "w"),
    **dict.fromkeys(("mo", "mon", "month", "months"), "mo"),
    **dict.fromkeys(("y", "yr", "yrs", "year", "years"), "y"),
}
UNIT_WORDS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks", "mo": "months",
              "y": "years"}

_TRUE = {"1", "true", "yes", "y", "t"}
_FALSE = {"0", "false", "no", "n", "f"}


@dataclass(frozen=True)
class Sample:
    """Values (hours for durations) and their censoring flags, with where they came from."""

    values: np.ndarray
    censored: np.ndarray
    kind: Kind
    source: str  # "FILE: column NAME", for messages and figure titles
    unit_note: str = ""  # for durations read from a file: the unit, and where it came from

    @property
    def n(self) -> int:
        """How many values."""
        return len(self.values)

    @property
    def n_censored(self) -> int:
        """How many values were still running when the data were taken."""
        return int(self.censored.sum())

    @property
    def n_events(self) -> int:
        """How many values were seen to end."""
        return self.n - self.n_censored


def make_sample(values: np.ndarray | list[float], censored: np.ndarray | list[bool] | None = None,
                kind: Kind = "duration", source: str = "<data>", *,
                first_line: int = 0) -> Sample:
    """Check values and flags given in memory and return them as a :class:`Sample`.

    Raises :class:`~gigsim.errors.GigsimError` for what cannot be fitted: negative or
    non-finite values, zero durations, non-whole counts, fewer than ``MIN_ROWS`` values or
    fewer than ``MIN_EVENTS`` that ended (everything censored, in particular). Messages name
    value ``i`` as ``row i + 1``, or as ``line i + first_line`` when ``first_line`` is given
    (the line of a file the values were read from).
    """
    if kind not in KINDS:
        raise GigsimError(f"--kind: expected one of {', '.join(KINDS)}, got {kind!r}")
    x = np.asarray(values, dtype=float)
    flags = np.zeros(len(x), dtype=bool) if censored is None else np.asarray(censored, bool)
    if x.ndim != 1 or flags.shape != x.shape:
        raise GigsimError(f"{source}: values and censoring flags differ in length")
    for index, value in enumerate(x):
        row = f"line {index + first_line}" if first_line else f"row {index + 1}"
        if not math.isfinite(value):
            raise GigsimError(f"{source}: {row}: expected a number, got {value!r}")
        if value < 0:
            raise GigsimError(f"{source}: {row}: expected a value of 0 or more,"
                              f" got {value:g}")
        if kind != "count" and value == 0:
            raise GigsimError(f"{source}: {row}: a {kind} of 0 cannot be fitted by"
                              " the positive families; leave such rows out")
        if kind == "count" and value != round(value):
            raise GigsimError(f"{source}: {row}: expected a whole count, got {value:g}"
                              " (use --kind rate for other numbers)")
    if len(x) < MIN_ROWS:
        raise GigsimError(f"{source}: too few rows: {len(x)} (at least {MIN_ROWS} are needed)")
    events = int((~flags).sum())
    if events == 0:
        raise GigsimError(f"{source}: every value is censored (still running), so nothing was"
                          " seen to end and no distribution can be fitted")
    if events < MIN_EVENTS:
        raise GigsimError(f"{source}: only {events} value(s) were seen to end; at least"
                          f" {MIN_EVENTS} are needed")
    return Sample(x, flags, kind, source)


def unit_in_name(column: str) -> str | None:
    """The unit a column's name ends in (``"d"`` for ``lifetime_d`` or ``wait (days)``), if any."""
    words = [w for w in re.split(r"[^A-Za-z]+", column) if w]
    return NAME_UNITS.get(words[-1].lower()) if words else None


def duration_unit(column: str, unit: str | None, path: str | Path = "") -> tuple[str, str]:
    """The unit of a duration column and where it came from, never assumed.

    ``unit`` (``--unit``) wins only where the column's name names no unit or the same one;
    a name that names none and no ``unit`` is an error, as is a name and a ``unit`` that
    disagree; messages start with ``path`` when it is given.
    """
    at = f"{path}: " if str(path) else ""
    if unit is not None and unit not in UNITS_H:
        raise GigsimError(f"--unit: unknown unit {unit!r} (known: {', '.join(UNITS_H)})")
    named = unit_in_name(column)
    if unit is None and named is None:
        words = [w for w in re.split(r"[^A-Za-z]+", column) if w]
        which = (" (a last word of m could be minutes or months)"
                 if words and words[-1].lower() == "m" else "")
        raise GigsimError(
            f"{at}--column {column!r}: its name gives no unit{which}, and durations are never"
            " assumed to be in hours: give --unit (m, h, d, w, mo or y), or name the column"
            " with its unit (e.g. lifetime_d, wait_hours, spell_weeks)")
    if unit is not None and named is not None and unit != named:
        raise GigsimError(
            f"{at}--unit {unit}: the column's name {column!r} says {UNIT_WORDS[named]}, not"
            f" {UNIT_WORDS[unit]}; leave out --unit or give --unit {named}")
    if unit is not None:
        return unit, f"in {UNIT_WORDS[unit]} (--unit {unit})"
    assert named is not None
    return named, f"in {UNIT_WORDS[named]} (from the column's name)"


def read_sample(path: str | Path, column: str, censored: str | None = None,
                kind: Kind = "duration", unit: str | None = None) -> Sample:
    """Read ``column`` of the CSV file at ``path`` (and the ``censored`` flag column).

    Durations are in ``unit`` (``"m"``, ``"h"``, ``"d"``, ``"w"``, ``"mo"`` or ``"y"``), or in
    the unit the column's name ends in (``lifetime_d``, ``wait_hours``): never assumed, so a
    duration column with neither is refused (:func:`duration_unit`). They are returned in
    hours. Flags read ``1/0``, ``true/false`` or ``yes/no``. Every problem raises
    :class:`~gigsim.errors.GigsimError` naming the file, the column and the row.
    """
    path = Path(path)
    if kind != "duration" and unit is not None:
        raise GigsimError(f"--unit: only durations have units, not a {kind}")
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            rows = list(reader)
            header = list(reader.fieldnames or [])
    except FileNotFoundError:
        raise GigsimError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise GigsimError(f"{path}: cannot read it as CSV ({error})") from None
    for name, option in ((column, "--column"), (censored, "--censored")):
        if name is not None and name not in header:
            known = ", ".join(header) or "none"
            raise GigsimError(f"{path}: {option} {name!r}: no such column (columns: {known})")
    where = f"{path}: column {column!r}"
    note = ""
    if kind == "duration":
        unit, note = duration_unit(column, unit, path)
    values = []
    flags = []
    for line, row in enumerate(rows, start=2):  # line 1 is the header
        text = (row.get(column) or "").strip()
        try:
            values.append(float(text))
        except ValueError:
            shown = repr(text) if text else "an empty cell"
            raise GigsimError(f"{where}: line {line}: expected a number, got {shown}") from None
        if censored is not None:
            flag = (row.get(censored) or "").strip().lower()
            if flag not in _TRUE | _FALSE:
                raise GigsimError(f"{path}: column {censored!r}: line {line}: expected 1/0,"
                                  f" true/false or yes/no, got {flag!r}")
            flags.append(flag in _TRUE)
    for index, value in enumerate(values):  # checked here too, to show the value as written
        if not (math.isfinite(value) and value >= 0):
            raise GigsimError(f"{where}: line {index + 2}: expected a value of 0 or more,"
                              f" got {value:g}")
    scale = UNITS_H[unit] if unit is not None else 1.0
    sample = make_sample(np.asarray(values, dtype=float) * scale,
                         flags if censored is not None else None, kind, where, first_line=2)
    return replace(sample, unit_note=note)
