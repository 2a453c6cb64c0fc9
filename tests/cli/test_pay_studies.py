"""A pay schedule in compare and sweep: the figures of ``gigsim run``, per variant and point."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from ._support import MINIMAL_TOML, assert_ok, assert_one_line_error, invoke

PAY_TABLE = '[pay]\nevery = "2w"\nlag = "1w"\nminimum_usd = 100\n\n[dispatch]'
PAY_TOML = MINIMAL_TOML.replace("[dispatch]", PAY_TABLE)
PAY_METRICS = ("received_mean_usd", "no_money_arriving_share", "forfeited_share")
SHORT = ("--set", 'simulation.horizon="12w"', "-r", "4", "--format", "csv")


def test_compare_reports_the_pay_figures_per_variant_with_paired_differences(
        write_toml: Callable[[str], Path], tmp_path: Path) -> None:
    # Before: comparison.csv had no pay metric (only gigsim run reported them).
    path = write_toml(PAY_TOML)
    out = tmp_path / "compare"
    result = invoke("compare", path, "--variant", "monthly:pay.every=4w", *SHORT, "--out", out)
    assert_ok(result)
    table = pd.read_csv(out / "comparison.csv").set_index(["metric", "group", "variant"])
    per = pd.read_csv(out / "per_replication.csv")
    for metric in PAY_METRICS:
        assert metric in result.stdout  # shown by default, with its description
        row = table.loc[(metric, "all", "monthly")]
        values = per[(per["metric"] == metric) & (per["variant"] == "monthly")]
        assert row["diff_vs_first"] == pytest.approx(values["diff_vs_first"].mean(), nan_ok=True)
    # paid every four weeks instead of two: more months with no money arriving
    assert table.loc[("no_money_arriving_share", "all", "monthly"), "diff_ci_low"] > 0
    # the same numbers as gigsim run on the same seed and replications
    ran = tmp_path / "run"
    assert_ok(invoke("run", path, *SHORT, "--out", ran, "--tables", "worker_months"))
    metrics = json.loads((ran / "summary.json").read_text())["metrics"]
    for metric in PAY_METRICS:
        assert table.loc[(metric, "all", "base"), "mean"] == pytest.approx(
            metrics[metric]["mean"], nan_ok=True)
    summary = json.loads((out / "summary.json").read_text())["metrics"]
    assert "÷ worker-months" in summary["received_mean_usd"]["description"]


def test_compare_without_pay_has_no_pay_figures_and_refuses_them_in_one_line(
        write_toml: Callable[[str], Path], tmp_path: Path) -> None:
    path = write_toml(MINIMAL_TOML)
    out = tmp_path / "compare"
    result = invoke("compare", path, "--variant", "r:dispatch.policy=random", *SHORT,
                    "--out", out)
    assert_ok(result)
    assert not set(PAY_METRICS) & set(pd.read_csv(out / "comparison.csv")["metric"])
    assert "no_money_arriving_share" not in result.stdout
    refused = invoke("compare", path, "--variant", "r:dispatch.policy=random",
                     "--metrics", "no_money_arriving_share", "--out", tmp_path / "x")
    assert_one_line_error(refused, "--metrics", "no_money_arriving_share", "[pay]")


SWEEP = """\
name = "paid"
scenario = "{scenario}"
replications = 3
seed = 5
metrics = ["income_mean_usd"]

[set]
"simulation.horizon" = "12w"

[grid]
"pay.every" = ["1w", "4w"]
"""


def test_sweep_reports_the_pay_figures_per_point(
        write_toml: Callable[[str], Path], tmp_path: Path) -> None:
    # Before: runs and points had no pay metric.
    sweep = tmp_path / "sweep.toml"
    sweep.write_text(SWEEP.format(scenario=write_toml(PAY_TOML).as_posix()), encoding="utf-8")
    out = tmp_path / "out"
    result = invoke("sweep", sweep, "-j", "1", "--format", "csv", "--out", out)
    assert_ok(result)
    points = pd.read_csv(out / "points.csv")
    runs = pd.read_csv(out / "runs.csv")
    for metric in PAY_METRICS:
        assert {metric, f"{metric}_ci_low", f"{metric}_ci_high"} <= set(points.columns)
        assert metric in runs.columns and metric in result.stdout
    weekly, monthly = points["no_money_arriving_share"].tolist()
    assert weekly < monthly  # paid every week, fewer months with nothing arriving
    # the same money earned either way, less of it arrived by the end with the longer period
    assert points["income_mean_usd"].iloc[0] == pytest.approx(points["income_mean_usd"].iloc[1])
    assert points["received_mean_usd"].iloc[0] > points["received_mean_usd"].iloc[1]
    by_point = runs.groupby("point")["received_mean_usd"].mean()
    assert points["received_mean_usd"].tolist() == pytest.approx(by_point.tolist())
