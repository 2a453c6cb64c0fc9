"""Reading a CSV column as a censored sample: what is refused, and how it is said."""

from __future__ import annotations

from pathlib import Path

import pytest

from gigsim.errors import GigsimError
from gigsim.studies.fitting.data import read_sample, unit_in_name


def _csv(tmp_path: Path, rows: list[str], header: str = "lifetime,running") -> Path:
    path = tmp_path / "log.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


GOOD = [f"{v},{c}" for v, c in zip(range(1, 13), [0, 1] * 6, strict=True)]


def test_reads_values_in_hours_and_flags(tmp_path: Path) -> None:
    sample = read_sample(_csv(tmp_path, GOOD), "lifetime", "running", unit="d")
    assert sample.values[0] == 24.0 and sample.n == 12 and sample.n_censored == 6


@pytest.mark.parametrize(("rows", "column", "censored", "expected"), [
    (GOOD, "life", "running", "--column 'life': no such column (columns: lifetime, running)"),
    (GOOD, "lifetime", "done", "--censored 'done': no such column"),
    (["3,0", "x,0", *GOOD], "lifetime", "running", "line 3: expected a number, got 'x'"),
    (["3,0", ",0", *GOOD], "lifetime", "running", "line 3: expected a number, got an empty"),
    (["-2,0", *GOOD], "lifetime", "running", "line 2: expected a value of 0 or more, got -2"),
    (["3,maybe", *GOOD], "lifetime", "running", "line 2: expected 1/0, true/false or yes/no"),
    (GOOD[:5], "lifetime", "running", "too few rows: 5 (at least 10 are needed)"),
    ([f"{v},1" for v in range(1, 20)], "lifetime", "running", "every value is censored"),
    (["0,0", *GOOD], "lifetime", "running", "line 2: a duration of 0 cannot be fitted"),
])
def test_bad_data_gets_one_line(tmp_path: Path, rows: list[str], column: str, censored: str,
                                expected: str) -> None:
    with pytest.raises(GigsimError) as error:
        read_sample(_csv(tmp_path, rows), column, censored, unit="h")
    message = str(error.value)
    assert expected in message and "\n" not in message
    assert message.startswith(str(tmp_path / "log.csv"))


def test_counts_must_be_whole(tmp_path: Path) -> None:
    with pytest.raises(GigsimError, match=r"line 2: expected a whole count, got 2.5"):
        read_sample(_csv(tmp_path, ["2.5,0", *GOOD]), "lifetime", "running", kind="count")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(GigsimError, match="no such file"):
        read_sample(tmp_path / "none.csv", "x")


@pytest.mark.parametrize(("column", "unit"), [
    ("lifetime_d", "d"), ("lifetime_days", "d"), ("wait_h", "h"), ("wait_hours", "h"),
    ("spell_w", "w"), ("spell_weeks", "w"), ("tenure_mo", "mo"), ("tenure_months", "mo"),
    ("career_y", "y"), ("check_min", "m"), ("Wait (Days)", "d"), ("life-wk", "w"),
    ("lifetime", None), ("lifetime_m", None), ("seats", None), ("dash", None),
])
def test_the_unit_a_column_name_ends_in(column: str, unit: str | None) -> None:
    assert unit_in_name(column) == unit


def test_read_sample_takes_the_unit_from_the_name_and_never_assumes_hours(
        tmp_path: Path) -> None:
    rows = [v.split(",")[0] for v in GOOD]
    path = _csv(tmp_path, rows, header="lifetime_w")
    assert read_sample(path, "lifetime_w").values[0] == 168.0
    path = _csv(tmp_path, rows, header="lifetime")
    with pytest.raises(GigsimError, match="its name gives no unit"):
        read_sample(path, "lifetime")
    assert read_sample(path, "lifetime", unit="h").values[0] == 1.0
    assert read_sample(path, "lifetime", kind="count").values[0] == 1.0
