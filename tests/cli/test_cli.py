"""End-to-end tests of the ``gigsim`` command line: validate, run, and the results folder."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from click.testing import Result

import gigsim

from ._support import (
    ALL_AS_CSV,
    BUNDLED,
    MINIMAL_TOML,
    SCENARIOS,
    SMALL_GENERALIST,
    TABLES,
    assert_ok,
    assert_one_line_error,
    hidden_entries,
    invoke,
    small_run_args,
)

# Column names that PRODUCT.md makes part of the contract (more columns are allowed).
CONTRACT_COLUMNS = {
    "worker_months": ["replication", "worker_id", "group", "month", "income_usd", "worked_h",
                      "paid_training_h", "unpaid_h", "idle_h", "available_h", "underused_h"],
    "spells": ["replication", "worker_id", "kind", "start_h", "end_h", "censored", "project_id"],
    "latencies": ["replication", "worker_id", "released_h", "latency_h", "censored", "cause"],
    "projects": ["replication", "project_id", "generator", "launch_h", "end_h", "seats",
                 "notice"],
    "project_fills": ["replication", "project_id"],
    "workers": ["replication", "worker_id", "group"],
}

SMALL_SEED = tomllib.loads((SCENARIOS / "generalist.toml").read_text(encoding="utf-8")
                           )["simulation"]["seed"]


def csv_bytes(folder: Path) -> dict[str, bytes]:
    return {name: (folder / f"{name}.csv").read_bytes() for name in TABLES}


def expected_files(fmt: str) -> set[str]:
    return {f"{name}.{fmt}" for name in TABLES} | {"summary.json", "manifest.json",
                                                   "scenario.toml"}


# --- validate -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", BUNDLED)
def test_validate_bundled_scenario(name: str) -> None:
    path = SCENARIOS / f"{name}.toml"
    result = invoke("validate", path)
    assert_ok(result)
    assert str(path) in result.stdout
    assert f"scenario {name!r}" in result.stdout
    assert result.stderr == ""


def test_validate_applies_set(tmp_path: Path) -> None:
    path = tmp_path / "mini.toml"
    path.write_text(MINIMAL_TOML, encoding="utf-8")
    result = invoke("validate", path, "--set", "dispatch.policy=random",
                    "--set", "simulation.replications=3")
    assert_ok(result)
    assert "scenario 'mini'" in result.stdout
    assert "policy 'random'" in result.stdout
    assert "3 replication(s)" in result.stdout


def test_minimal_scenario_is_valid_and_runs(tmp_path: Path) -> None:
    """Every error test breaks one thing in this scenario, so it must itself be fine."""
    path = tmp_path / "mini.toml"
    path.write_text(MINIMAL_TOML, encoding="utf-8")
    assert_ok(invoke("validate", path))
    out = tmp_path / "out"
    assert_ok(invoke("run", path, "--out", out, "-q", *ALL_AS_CSV))
    assert {p.name for p in out.iterdir()} == expected_files("csv")


# --- run: the results folder ----------------------------------------------------------------


def test_run_writes_every_file(small_run: tuple[Path, Result]) -> None:
    out, _ = small_run
    assert {p.name for p in out.iterdir()} == expected_files("csv")
    assert hidden_entries(out.parent) == []


@pytest.mark.parametrize("table", TABLES)
def test_run_tables_have_contract_columns(small_run: tuple[Path, Result], table: str) -> None:
    out, _ = small_run
    frame = pd.read_csv(out / f"{table}.csv")
    missing = [c for c in CONTRACT_COLUMNS[table] if c not in frame.columns]
    assert missing == [], f"{table}.csv lacks {missing}; has {list(frame.columns)}"
    assert len(frame) > 0, f"{table}.csv is empty"
    assert set(frame["replication"]) <= {0, 1}
    if table in ("worker_months", "spells", "workers"):  # thousands of rows in each replication
        assert set(frame["replication"]) == {0, 1}


def test_run_manifest(small_run: tuple[Path, Result]) -> None:
    out, _ = small_run
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["seed"] == SMALL_SEED
    assert manifest["replications"] == 2
    assert manifest["gigsim_version"] == gigsim.__version__
    assert manifest["scenario"] == "generalist"
    assert manifest["format"] == "csv"
    assert manifest["overrides"]["workers.generalists.count"] == "200"


def test_run_summary_json(small_run: tuple[Path, Result]) -> None:
    out, _ = small_run
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["scenario"] == "generalist"
    assert len(summary) > 1


def test_run_writes_resolved_scenario(small_run: tuple[Path, Result]) -> None:
    out, _ = small_run
    data = tomllib.loads((out / "scenario.toml").read_text(encoding="utf-8"))
    assert data["name"] == "generalist"
    assert data["simulation"]["seed"] == SMALL_SEED
    assert data["simulation"]["replications"] == 2
    assert data["simulation"]["horizon"] == "8w"
    assert data["simulation"]["warmup"] == "2w"
    (group,) = data["workers"]
    assert group["count"] == 200
    assert group["arrivals_per_week"] == 10


def test_resolved_scenario_validates_and_reruns_to_same_tables(
        small_run: tuple[Path, Result], tmp_path: Path) -> None:
    out, _ = small_run
    resolved = out / "scenario.toml"
    result = invoke("validate", resolved)
    assert_ok(result)
    assert "scenario 'generalist'" in result.stdout
    assert "2 replication(s)" in result.stdout
    again = tmp_path / "again"
    assert_ok(invoke("run", resolved, "--out", again, "-q", *ALL_AS_CSV))  # no --set, -r, --seed
    assert csv_bytes(again) == csv_bytes(out)
    assert (again / "summary.json").read_bytes() == (out / "summary.json").read_bytes()


def test_run_prints_summary_and_results_path(small_run: tuple[Path, Result]) -> None:
    out, result = small_run
    assert (f"generalist: 2 replication(s) (as given; no precision asked), seed {SMALL_SEED}"
            in result.stdout)
    assert "monthly income" in result.stdout
    assert f"results in {out}" in result.stdout
    assert "Traceback" not in result.output


def test_run_quiet_prints_only_the_path(tmp_path: Path) -> None:
    out = tmp_path / "quiet"
    result = invoke(*small_run_args(out, "--quiet"))
    assert_ok(result)
    assert result.stdout.strip() == str(out)
    assert result.stderr == ""


def test_run_default_out_is_results_slash_name(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("run", SCENARIOS / "generalist.toml", *SMALL_GENERALIST, "-q")
    assert_ok(result)
    assert (tmp_path / "results" / "generalist" / "manifest.json").is_file()
    assert hidden_entries(tmp_path / "results") == []


def test_run_seed_option_is_recorded(tmp_path: Path, small_run: tuple[Path, Result]) -> None:
    out = tmp_path / "seeded"
    assert_ok(invoke(*small_run_args(out, "--seed", "7", "-q")))
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["seed"] == 7
    resolved = tomllib.loads((out / "scenario.toml").read_text(encoding="utf-8"))
    assert resolved["simulation"]["seed"] == 7
    assert csv_bytes(out)["worker_months"] != csv_bytes(small_run[0])["worker_months"]


@pytest.mark.parametrize("name", ["specialist", "platform"])
def test_run_other_bundled_scenarios_small(tmp_path: Path, name: str) -> None:
    path = SCENARIOS / f"{name}.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    sets: list[str] = ["--set", 'simulation.horizon="6w"', "--set", 'simulation.warmup="1w"']
    for group in data["workers"]:
        sets += ["--set", f"workers.{group['name']}.count=100",
                 "--set", f"workers.{group['name']}.arrivals_per_week=5"]
    out = tmp_path / name
    result = invoke("run", path, *sets, "-r", "1", "--out", out, *ALL_AS_CSV)
    assert_ok(result)
    assert f"results in {out}" in result.stdout
    assert {p.name for p in out.iterdir()} == expected_files("csv")
    resolved = tomllib.loads((out / "scenario.toml").read_text(encoding="utf-8"))
    assert resolved["simulation"]["replications"] == 1


def test_run_parquet(tmp_path: Path, small_run: tuple[Path, Result]) -> None:
    pytest.importorskip("pyarrow")
    out = tmp_path / "pq"
    result = invoke(*small_run_args(out, "--format", "parquet"))
    assert_ok(result)
    assert {p.name for p in out.iterdir()} == expected_files("parquet")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["format"] == "parquet"
    for table in TABLES:
        frame = pd.read_parquet(out / f"{table}.parquet")
        from_csv = pd.read_csv(small_run[0] / f"{table}.csv")
        assert list(frame.columns) == list(from_csv.columns), table
        assert len(frame) == len(from_csv), table
        assert all(c in frame.columns for c in CONTRACT_COLUMNS[table]), table


def test_run_jobs_two_is_byte_identical_to_jobs_one(tmp_path: Path,
                                                    small_run: tuple[Path, Result]) -> None:
    out = tmp_path / "parallel"
    assert_ok(invoke(*small_run_args(out, "--jobs", "2", "-q")))
    serial, parallel = csv_bytes(small_run[0]), csv_bytes(out)
    for table in TABLES:
        assert parallel[table] == serial[table], table
    assert (out / "summary.json").read_bytes() == (small_run[0] / "summary.json").read_bytes()


# --- an existing results folder -------------------------------------------------------------


@pytest.mark.usefixtures("no_simulation")
def test_existing_out_is_refused_without_force(tmp_path: Path) -> None:
    out = tmp_path / "existing"
    out.mkdir()
    (out / "notes.txt").write_text("my notes\n", encoding="utf-8")
    result = invoke(*small_run_args(out))
    assert_one_line_error(result, str(out), "already exists", "--force")
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    assert (out / "notes.txt").read_text(encoding="utf-8") == "my notes\n"
    assert hidden_entries(tmp_path) == []


@pytest.mark.usefixtures("no_simulation")
def test_existing_empty_out_is_refused_without_force(tmp_path: Path) -> None:
    out = tmp_path / "empty"
    out.mkdir()
    assert_one_line_error(invoke(*small_run_args(out)), str(out), "--force")
    assert list(out.iterdir()) == []


def test_force_replaces_existing_out(tmp_path: Path) -> None:
    out = tmp_path / "existing"
    out.mkdir()
    (out / "notes.txt").write_text("my notes\n", encoding="utf-8")
    (out / "sub").mkdir()
    result = invoke(*small_run_args(out, "--force"))
    assert_ok(result)
    assert {p.name for p in out.iterdir()} == expected_files("csv")
    assert hidden_entries(tmp_path) == []
    # and again, over a results folder
    assert_ok(invoke(*small_run_args(out, "--force", "-q")))
    assert {p.name for p in out.iterdir()} == expected_files("csv")
    assert hidden_entries(tmp_path) == []


def test_failed_write_leaves_existing_out_untouched(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure while writing, even with --force, keeps the old folder and cleans up."""
    import gigsim.presentation.output

    def fail(path: Path, data: object) -> None:
        raise gigsim.GigsimError(f"{path}: cannot write (simulated failure)")

    monkeypatch.setattr(gigsim.presentation.output, "write_json", fail)
    out = tmp_path / "existing"
    out.mkdir()
    (out / "notes.txt").write_text("my notes\n", encoding="utf-8")
    result = invoke(*small_run_args(out, "--force", "-q"))
    assert_one_line_error(result, "simulated failure")
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    assert hidden_entries(tmp_path) == []
    fresh = tmp_path / "fresh"
    assert_one_line_error(invoke(*small_run_args(fresh, "-q")), "simulated failure")
    assert not fresh.exists()
    assert hidden_entries(tmp_path) == []
