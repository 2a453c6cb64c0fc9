"""``gigsim run --precision`` and ``--warmup auto``: what they print, record and refuse."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from ._support import MINIMAL_TOML, assert_ok, assert_one_line_error, invoke

# The minimal scenario over 8 weeks: each replication takes a few hundredths of a second.
SHORT = ("--set", 'simulation.horizon="8w"', "--tables", "worker_months", "--format", "csv")


def test_same_seed_gives_the_same_replications_with_one_and_two_jobs(
        write_toml: Callable[[str], Path], tmp_path: Path) -> None:
    path = write_toml(MINIMAL_TOML)
    summaries = []
    for jobs in ("1", "2"):
        out = tmp_path / f"jobs{jobs}"
        result = invoke("run", path, *SHORT, "--precision", "10%", "-j", jobs, "--out", out)
        assert_ok(result)
        summary = json.loads((out / "summary.json").read_text())
        manifest = json.loads((out / "manifest.json").read_text())
        assert manifest["replications"] == summary["replications"]
        assert manifest["replications_chosen"] == summary["replications_chosen"]
        summaries.append(summary)
        assert "replications chosen by precision 10%:" in result.stdout
        # the summary's first line says what stands behind its intervals
        assert (f"{summary['replications']} replication(s), chosen by precision 10%: met for"
                " every target (income_mean_usd, zero_income_share), seed" in result.stdout)
    assert summaries[0] == summaries[1]
    chosen = summaries[0]["replications_chosen"]
    assert chosen["replications"] >= 15  # more than the minimum: several rounds decided it
    assert chosen["replications"] % 5 == 0 and chosen["rounds"] == chosen["replications"] // 5
    assert chosen["stopped"] == "precision met"
    assert all(target["met"] for target in chosen["targets"])
    # the scenario as run repeats the run with the count chosen
    scenario = (tmp_path / "jobs1" / "scenario.toml").read_text()
    assert f"replications = {chosen['replications']}" in scenario


def test_a_scenario_asks_for_precision_and_the_maximum_stops_it(
        write_toml: Callable[[str], Path], tmp_path: Path) -> None:
    text = MINIMAL_TOML.replace("replications = 1", 'replications = "auto"\nprecision = 0.01')
    out = tmp_path / "out"
    result = invoke("run", write_toml(text), *SHORT, "--max-replications", "12",
                    "--precision-metrics", "income_mean_usd", "--out", out)
    assert_ok(result)
    chosen = json.loads((out / "summary.json").read_text())["replications_chosen"]
    assert chosen["replications"] == 12 and chosen["stopped"] == "max replications reached"
    assert chosen["metrics"] == ["income_mean_usd"]
    assert "SHORT  income_mean_usd" in result.stdout and "short by" in result.stdout
    assert ("12 replication(s), chosen by precision 1%: not met for income_mean_usd (stopped"
            " at the maximum, 12), seed" in result.stdout)


@pytest.mark.parametrize("args, fragments", [
    (("--precision", "0"), ("--precision", "between 0 and 100%")),
    (("--precision", "150%"), ("--precision", "150%")),
    (("--precision", "five"), ("--precision", "'five'")),
    (("--precision", "5%", "--precision-metrics", "income_mean"),
     ("--precision-metrics", "unknown metric `income_mean`", "income_mean_usd")),
    (("--precision", "5%", "--max-replications", "3"), ("--max-replications", "at least 10")),
    (("--precision", "5%", "-r", "4"), ("--precision", "--replications", "not both")),
    (("--precision-metrics", "income_mean_usd"), ("--precision-metrics", "only with")),
    (("--set", 'simulation.replications="auto"', "--set", "simulation.precision=0"),
     ("simulation.precision", "between 0 and 1")),
    (("--set", 'simulation.replications="auto"', "--set", "simulation.precision=1.5"),
     ("simulation.precision", "got 1.5")),
    (("--set", "simulation.precision=0.05"), ("simulation.precision", 'replications = "auto"')),
    (("--set", 'simulation.replications="many"'), ("simulation.replications", '"auto"')),
    (("--warmup", "soon"), ("simulation.warmup", '"auto"')),
    (("--warmup", "auto", "--set", 'simulation.horizon="4w"'),
     ("simulation.warmup", "at least 10 weeks")),
])
def test_bad_precision_input_is_one_line_and_exit_2(
        write_toml: Callable[[str], Path], tmp_path: Path, no_simulation: None,
        args: tuple[str, ...], fragments: tuple[str, ...]) -> None:
    result = invoke("run", write_toml(MINIMAL_TOML), *args, "--out", tmp_path / "out")
    assert_one_line_error(result, *fragments)


def test_warmup_auto_says_the_warmup_chosen_and_records_the_series(
        write_toml: Callable[[str], Path], tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke("run", write_toml(MINIMAL_TOML), "--warmup", "auto", "--set",
                    'simulation.horizon="12w"', "--tables", "worker_months", "--format", "csv",
                    "--out", out)
    assert_ok(result)
    chosen = json.loads((out / "manifest.json").read_text())["warmup_chosen"]
    weeks = chosen["warmup_weeks"]
    assert weeks == max(chosen["truncation_weeks"].values())
    assert set(chosen["series"]) == {"workers", "seats_filled", "income_usd"}
    assert all(len(s["weekly"]) == 24 for s in chosen["series"].values())  # two horizons
    assert f"warm-up {weeks} week(s), chosen by MSER-5" in result.stdout
    assert f'warmup = "{weeks}w"' in (out / "scenario.toml").read_text()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["warmup_chosen"]["warmup_weeks"] == weeks


def test_the_report_says_what_stands_behind_its_intervals_and_draws_the_warmup(
        write_toml: Callable[[str], Path], tmp_path: Path) -> None:
    out = tmp_path / "auto"
    result = invoke("run", write_toml(MINIMAL_TOML), "--warmup", "auto", "--precision", "10%",
                    "--set", 'simulation.horizon="12w"', "--format", "csv", "--report",
                    "--out", out)
    assert_ok(result)
    summary = json.loads((out / "summary.json").read_text())
    page = (out / "report.html").read_text()
    assert (f"Behind every interval: {summary['replications']} replication(s), chosen by"
            " precision 10%: met for every target" in page)
    assert '<figure id="warmup">' in page
    weeks = summary["warmup_chosen"]["warmup_weeks"]
    assert f"the largest cut, {weeks} week(s), is the warm-up (shaded)" in page
    plain = tmp_path / "plain"
    assert_ok(invoke("run", write_toml(MINIMAL_TOML), *SHORT, "--report", "--out", plain))
    page = (plain / "report.html").read_text()
    assert "Behind every interval: 1 replication(s) (as given; no precision asked)." in page
    assert 'id="warmup"' not in page
