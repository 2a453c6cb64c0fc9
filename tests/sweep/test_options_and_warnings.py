"""sweep and sensitivity options (-r, --seed, --n, --metrics, --set) and the index warnings."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from gigsim.analysis.applicants import ALL_METRICS as METRICS
from gigsim.analysis.statistics import MIN_REPLICATIONS, replications_warning
from gigsim.studies.sweep.sensitivity import index_warnings

from ._support import GENERALIST, assert_one_line_error, grid_text, invoke, sweep_text, write

SOBOL = """
[sensitivity]
method = "sobol"
n = 8
[sensitivity.bounds]
"projects.rating.arrivals_per_week" = [0.25, 1.0]
"workers.generalists.quality.a" = [2.0, 8.0]
"""


def indices(*rows: tuple[str, str, float, float]) -> pd.DataFrame:
    """An indices table of one metric: (parameter, index, value, conf) rows."""
    return pd.DataFrame([{"metric": "m", "parameter": p, "index": i, "value": v, "conf": c,
                          "ci_low": v - c, "ci_high": v + c} for p, i, v, c in rows])


def test_the_issues_indices_get_every_warning_and_a_larger_n() -> None:
    """S1 1.06 [0.52, 1.59] against ST 0.959: above ST, above 1, interval wider than S1."""
    lines = index_warnings(indices(("a", "S1", 1.06, 0.535), ("a", "ST", 0.959, 0.1)),
                           "sobol", 16)
    assert len(lines) == 4
    assert lines[0].startswith("warning: a first-order index above its total index (1: m/a:"
                               " S1 1.06 > ST 0.959)")
    assert lines[1].startswith("warning: a first-order index above 1 (1: m/a: S1 1.06)")
    assert lines[2].startswith("warning: a 95% interval wider than the index (1: m/a: S1 1.06")
    assert all("try --n 64 (now 16)" in line for line in lines[:3])
    assert "n must be a power of two (now 16)" in lines[3]


def test_sound_indices_get_only_the_advice() -> None:
    lines = index_warnings(indices(("a", "S1", 0.6, 0.05), ("a", "ST", 0.62, 0.05),
                                   ("b", "S1", 0.001, 0.01), ("b", "ST", 0.002, 0.01),
                                   ("c", "S1", 0.305, 0.02), ("c", "ST", 0.3, 0.02)),
                           "sobol", 256)
    assert len(lines) == 1 and lines[0].startswith("SALib: Sobol'")


def test_morris_intervals_wider_than_mu_star_are_flagged() -> None:
    table = indices(("a", "mu_star", 2.0, 3.0), ("a", "mu", 1.0, float("nan")))
    lines = index_warnings(table, "morris", 4)
    assert lines[0].startswith("warning: a 95% interval wider than the index (1: m/a: mu_star")
    assert "try --n 16 (now 4)" in lines[0]
    assert lines[-1].startswith("SALib: Morris")


def test_n_replications_seed_and_metrics_on_the_command_line(tmp_path: Path) -> None:
    path = write(tmp_path, sweep_text(SOBOL))
    out = tmp_path / "out"
    result = invoke("sensitivity", path, "--n", "2", "-r", "1", "--seed", "9", "--jobs", "1",
                    "--metrics", "income_mean_usd", "--out", out)
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["sensitivity"]["n"] == 2
    assert manifest["replications"] == 1 and manifest["seed"] == 9
    assert manifest["points"] == 2 * (2 + 2)  # Saltelli: n × (keys + 2)
    assert "SALib: Sobol'" in result.stdout
    assert set(pd.read_csv(out / "indices.csv")["metric"]) == {"income_mean_usd"}
    assert set(METRICS) <= set(pd.read_csv(out / "runs.csv").columns)  # the files keep all
    assert result.stderr == ""  # no progress lines off a terminal


@pytest.mark.parametrize(("args", "fragments"), [
    (("--set", "sensitivity.n=2"), ("--set sensitivity.n", "key of the sweep file", "use --n")),
    (("--set", "replications=2"), ("--set replications", "use --replications")),
    (("--set", "grid.x=1"), ("--set grid.x", "edit the sweep file")),
    (("--n", "3"), ("--n: a Sobol' sample needs a power of two, got 3", "try 2 or 4")),
    (("--n", "0"), ("--n: must be at least 1",)),
    (("-r", "0"), ("--replications: must be at least 1",)),
    (("--metrics", "income_mean"), ("--metrics: unknown metric `income_mean`",
                                    "did you mean `income_mean_usd`?")),
    (("--set", "workers.generalists.count=-1"), ("--set: workers.generalists.count",
                                                 "must be zero or positive")),
    (("--set", "workers.generalist.count=1"), ("--set: workers.generalist.count",
                                               "did you mean `generalists`?")),
])
def test_command_line_mistakes_blame_the_option(tmp_path: Path, args: tuple[str, ...],
                                                fragments: tuple[str, ...]) -> None:
    path = write(tmp_path, sweep_text(SOBOL))
    out = tmp_path / "out"
    assert_one_line_error(invoke("sensitivity", path, *args, "--out", out), *fragments)
    assert not out.exists()


def test_n_on_a_file_without_sensitivity_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, grid_text())
    assert_one_line_error(invoke("sensitivity", path, "--n", "4", "--out", tmp_path / "o"),
                          "has no [sensitivity] table for --n")


def test_a_scenario_given_to_sweep_is_recognised(tmp_path: Path) -> None:
    for command in ("sweep", "sensitivity"):
        assert_one_line_error(invoke(command, GENERALIST, "--out", tmp_path / "o"),
                              str(GENERALIST), "this is a scenario file, not a sweep file",
                              f"gigsim run {GENERALIST}")


def test_the_sweep_table_prints_each_metric_with_one_precision(tmp_path: Path) -> None:
    path = write(tmp_path, grid_text())
    out = tmp_path / "out"
    result = invoke("sweep", path, "-r", "1", "--jobs", "1", "--metrics",
                    "zero_income_share,income_mean_usd", "--out", out)
    assert result.exit_code == 0, result.output
    rows = [line.split() for line in result.stdout.splitlines()[2:8]]
    assert len(rows) == 6, result.stdout  # the grid's six points: all() of none would pass
    # the metrics, then the replications behind each point's means
    assert all(row[-3].endswith("%") and row[-2].startswith("$") for row in rows), rows
    assert all(len(row[-3].split(".")[1]) == 2 for row in rows)  # "12.3%": one decimal
    assert all(row[-1] == "1" for row in rows)
    assert {p.name for p in out.glob("heatmap_*.png")} == {
        "heatmap_zero_income_share.png", "heatmap_income_mean_usd.png"}


def test_few_replications_per_point_get_the_warning_run_and_estimate_give(
        tmp_path: Path) -> None:
    path = write(tmp_path, grid_text())
    warning = replications_warning(1)
    assert warning is not None and "(-r)" in warning
    result = invoke("sweep", path, "-r", "1", "--jobs", "1", "--out", tmp_path / "few")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[8] == "1 replication(s) at every point (as given; no precision asked)"
    assert lines[9] == warning  # under the table's six points and what stands behind them
    result = invoke("sensitivity", write(tmp_path, sweep_text(SOBOL, replications=1), "s.toml"),
                    "--n", "2", "--jobs", "1", "--out", tmp_path / "indices")
    assert result.exit_code == 0, result.output
    assert warning in result.stdout.splitlines()
    enough = invoke("sweep", path, "-r", str(MIN_REPLICATIONS), "--jobs", "1", "--out",
                    tmp_path / "enough")
    assert enough.exit_code == 0, enough.output
    assert "warning" not in enough.stdout


def test_seeds_beyond_the_number_bound_are_fine(tmp_path: Path) -> None:
    """Plain numbers are bounded at 1e9 (money cannot overflow); a seed is not money."""
    from gigsim.studies.sweep import load_sweep

    grid = '[grid]\n"projects.rating.notice.probability" = [0.0]\n'
    spec = load_sweep(write(tmp_path, sweep_text(grid, seed=2_026_112_701_123)))
    assert spec.seed == 2_026_112_701_123


def test_a_point_too_big_for_memory_is_named_before_anything_runs(tmp_path: Path) -> None:
    grid = '[grid]\n"workers.generalists.count" = [100, 900000000]\n'
    path = write(tmp_path, sweep_text(grid))
    out = tmp_path / "out"
    assert_one_line_error(invoke("sweep", path, "--out", out), str(path),
                          "workers.generalists.count", "at point 1", "too big to run here")
    assert not out.exists()
