"""What a results folder holds by default, and on request; no stray lines off a terminal."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from gigsim.analysis.results import TABLES
from gigsim.files import parquet_available
from gigsim.presentation.output import DEFAULT_TABLES, REPORT_TABLES, choose_tables

from ._support import (
    SCENARIOS,
    SMALL_GENERALIST,
    assert_ok,
    assert_one_line_error,
    hidden_entries,
    invoke,
)

META = {"summary.json", "manifest.json", "scenario.toml"}
AUTO = "parquet" if parquet_available() else "csv"


def run(out: Path, *extra: str):  # type: ignore[no-untyped-def]
    return invoke("run", SCENARIOS / "generalist.toml", *SMALL_GENERALIST, "--out", out, *extra)


def files(out: Path) -> set[str]:
    return {p.name for p in out.iterdir()}


def test_by_default_the_four_tables_a_person_opens(tmp_path: Path) -> None:
    out = tmp_path / "r"
    result = run(out)
    assert_ok(result)
    assert result.stdout.splitlines()[-1] == (
        f"tables ({AUTO}): worker_months, latencies, projects, project_fills;"
        " --tables all adds spells and workers")
    assert files(out) == {f"{name}.{AUTO}" for name in DEFAULT_TABLES} | META
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["tables"] == list(DEFAULT_TABLES)
    assert manifest["format"] == AUTO


def test_tables_all_adds_spells_and_workers_and_they_agree(tmp_path: Path) -> None:
    some, every = tmp_path / "some", tmp_path / "every"
    assert_ok(run(some, "-q", "--format", "csv"))
    assert_ok(run(every, "-q", "--format", "csv", "--tables", "all"))
    assert files(every) == {f"{name}.csv" for name in TABLES} | META
    for name in DEFAULT_TABLES:  # the same run: the tables both have are the same bytes
        assert (some / f"{name}.csv").read_bytes() == (every / f"{name}.csv").read_bytes()


def test_tables_by_name(tmp_path: Path) -> None:
    out = tmp_path / "r"
    assert_ok(run(out, "-q", "--format", "csv", "--tables", "spells,projects"))
    assert files(out) == {"spells.csv", "projects.csv"} | META
    assert len(pd.read_csv(out / "spells.csv")) > 0


@pytest.mark.skipif(not parquet_available(), reason="pyarrow is not installed")
def test_auto_and_parquet_give_the_same_tables(tmp_path: Path) -> None:
    auto, csv = tmp_path / "auto", tmp_path / "csv"
    assert_ok(run(auto, "-q"))
    assert_ok(run(csv, "-q", "--format", "csv"))
    for name in DEFAULT_TABLES:
        parquet = pd.read_parquet(auto / f"{name}.parquet")
        text = pd.read_csv(csv / f"{name}.csv")
        for column in parquet.columns:  # categories come back from CSV as plain strings
            if isinstance(parquet[column].dtype, pd.CategoricalDtype):
                parquet[column] = parquet[column].astype(object)
        pd.testing.assert_frame_equal(parquet, text, check_dtype=False, check_exact=True)


def test_report_brings_the_tables_it_is_drawn_from(tmp_path: Path) -> None:
    out = tmp_path / "r"
    assert_ok(run(out, "-q", "--format", "csv", "--report"))
    assert {f"{name}.csv" for name in REPORT_TABLES} <= files(out)
    assert "report.html" in files(out)
    assert_ok(invoke("report", out, "--out", tmp_path / "again.html"))  # can be drawn again


def test_report_on_a_default_folder_names_the_missing_tables(tmp_path: Path) -> None:
    out = tmp_path / "r"
    assert_ok(run(out, "-q"))
    result = invoke("report", out)
    assert_one_line_error(result, str(out), "spells and workers", "--report", "--tables all")
    assert not (out / "report.html").exists() and hidden_entries(out) == []


@pytest.mark.parametrize(("given", "fragment"), [
    ("spels", "unknown table `spels` (did you mean `spells`?)"),
    ("", "expected default, all, or table names"),
    ("worker_months,nothing", "unknown table `nothing`"),
])
def test_a_bad_tables_option_is_one_line_before_running(tmp_path: Path, given: str,
                                                        fragment: str) -> None:
    out = tmp_path / "r"
    assert_one_line_error(run(out, "--tables", given), "--tables", fragment)
    assert not out.exists() and hidden_entries(tmp_path) == []


def test_choose_tables_keeps_the_table_order() -> None:
    assert choose_tables("workers,worker_months") == ("worker_months", "workers")
    assert choose_tables(None) == DEFAULT_TABLES
    assert choose_tables("default", report=True) == tuple(
        name for name in TABLES if name in set(DEFAULT_TABLES) | set(REPORT_TABLES))


def test_no_progress_lines_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    """CliRunner's stderr is not a terminal: a run of two replications prints no bar there."""
    result = run(tmp_path / "r")
    assert_ok(result)
    assert result.stderr == ""
    assert "simulating" not in result.stdout


def test_auto_is_csv_without_pyarrow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("gigsim.files.parquet_available", lambda: False)
    out = tmp_path / "r"
    assert_ok(run(out, "-q"))
    assert files(out) == {f"{name}.csv" for name in DEFAULT_TABLES} | META
