"""``--warmup auto`` in compare, sweep and estimate: what each chooses and records.

The scenario is the one of tests/validation/test_warmup_auto.py made small: busy short projects,
and workers who are there from the start or who join at week 8 (every series is 0 until then),
so the late platform's MSER-5 cut is at least its 8 empty weeks and the other's is noise only.
A pilot (10 replications over two horizons of 16 weeks) takes about a second.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from ._support import assert_ok, assert_one_line_error, invoke

WARMUP_TOML = """\
name = "warm-up"
description = "Busy short projects; 20 workers there from the start (or joining later)"

[simulation]
horizon = "16w"
warmup = "auto"
replications = 2
seed = 2

[[workers]]
name = "g"
skills = ["generalist"]
hours_per_week = 20
count = 20
joins_at = "0h"

[[projects]]
name = "p"
requires = "generalist"
pay_per_hour = 16
hours_per_week_per_seat = 20
arrivals_per_week = 7
seats = 2
lifetime = { dist = "exponential", mean = "1w" }

[dispatch]
delay = 0
"""
LATE = "workers.g.joins_at=\"8w\""  # the platform starts empty and fills at week 8


def _json(path: Path) -> dict:  # type: ignore[type-arg]
    return json.loads(path.read_text(encoding="utf-8"))


def test_compare_runs_every_variant_with_the_largest_warmup_and_records_each(
        write_toml: Callable[[str], Path], tmp_path: Path) -> None:
    # Before: compare refused warmup = "auto" ("chosen by gigsim run only").
    path = write_toml(WARMUP_TOML)
    runs = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"jobs{jobs}"
        result = invoke("compare", path, "--variant", "early:", "--variant", f"late:{LATE}",
                        "-r", "2", "-j", jobs, "--out", out)
        assert_ok(result)
        runs[jobs] = result, out
    result, out = runs["1"]
    chosen = _json(out / "summary.json")["warmup_chosen"]
    own = {name: entry["warmup_weeks"] for name, entry in chosen["variants"].items()}
    assert own["late"] >= 8 > own["early"]  # the empty start gets the longer warm-up
    assert chosen["warmup_weeks"] == own["late"] == max(own.values())
    assert _json(out / "manifest.json")["warmup_chosen"] == chosen
    weeks = chosen["warmup_weeks"]
    assert f'warmup = "{weeks}w"' in (out / "scenario.toml").read_text(encoding="utf-8")
    assert (out / "variants.toml").read_text(encoding="utf-8").count(
        f'warmup = "{weeks}w"') == 2  # both variants ran with it
    assert f"after {weeks}w warm-up (chosen by MSER-5)" in result.stdout
    assert (f"warm-up {weeks} week(s) for every variant: the largest of each variant's"
            " MSER-5 choice" in result.stdout)
    assert (out / "warmup.png").stat().st_size > 0
    assert "warmup.png" in _json(out / "manifest.json")["figures"]
    # the same choice and the same numbers with two processes
    other = runs["2"][1]
    assert _json(other / "summary.json")["warmup_chosen"] == chosen
    assert (pd.read_csv(other / "comparison.csv").equals(pd.read_csv(out / "comparison.csv")))


SWEEP = """\
name = "warm"
scenario = "{scenario}"
replications = 2
seed = 3
metrics = ["income_mean_usd"]

[grid]
"workers.g.joins_at" = ["0h", "8w"]
"""


def test_sweep_chooses_each_points_warmup_and_records_it_in_the_points_table(
        write_toml: Callable[[str], Path], tmp_path: Path) -> None:
    # Before: sweep refused warmup = "auto".
    scenario = write_toml(WARMUP_TOML.replace('warmup = "auto"', 'warmup = "1w"'))
    sweep = tmp_path / "sweep.toml"
    sweep.write_text(SWEEP.format(scenario=scenario.as_posix()), encoding="utf-8")
    tables = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"jobs{jobs}"
        result = invoke("sweep", sweep, "--warmup", "auto", "-j", jobs, "--format", "csv",
                        "--out", out)
        assert_ok(result)
        tables[jobs] = pd.read_csv(out / "points.csv")
    points = tables["1"]
    early, late = points["warmup_weeks"].tolist()
    assert late >= 8 > early
    pd.testing.assert_frame_equal(tables["2"], points)
    chosen = _json(tmp_path / "jobs1" / "manifest.json")["warmup_chosen"]
    assert [p["warmup_weeks"] for p in chosen["points"]] == [early, late]
    assert all(p["warmup_weeks"] == max(p["truncation_weeks"].values())
               for p in chosen["points"])
    assert "warm-up chosen per point by MSER-5 on its own pilot" in result.stdout


def test_sweep_refuses_a_point_too_short_for_its_pilot_in_one_line(
        write_toml: Callable[[str], Path], tmp_path: Path) -> None:
    scenario = write_toml(WARMUP_TOML)
    sweep = tmp_path / "sweep.toml"
    sweep.write_text(SWEEP.format(scenario=scenario.as_posix()).replace(
        '"workers.g.joins_at" = ["0h", "8w"]', '"simulation.horizon" = ["16w", "4w"]'),
        encoding="utf-8")
    result = invoke("sweep", sweep, "--out", tmp_path / "out")
    assert_one_line_error(result, "at point 1", "simulation.warmup", "at least 10 weeks")


def _estimate(path: Path, *extra: str) -> dict:  # type: ignore[type-arg]
    result = invoke("estimate", "--scenario", path, "--group", "g", "-r", "2", "--months", "2",
                    "--json", *extra)
    assert_ok(result)
    return json.loads(result.stdout)


def test_estimate_chooses_the_warmup_on_its_market_and_says_which(
        write_toml: Callable[[str], Path]) -> None:
    # Before: an estimate refused warmup = "auto" ("not taken by an estimate yet").
    path = write_toml(WARMUP_TOML)
    early = _estimate(path)
    late = _estimate(path, "--set", LATE)
    assert late["warmup_chosen"]["warmup_weeks"] >= 8 > early["warmup_chosen"]["warmup_weeks"]
    weeks = late["warmup_chosen"]["warmup_weeks"]
    assert late["warmup_weeks"] == weeks  # the cohort applied then
    assert _estimate(path, "--set", LATE, "-j", "2")["warmup_chosen"] == late["warmup_chosen"]
    # the same estimate as with that warm-up given as a duration
    given = _estimate(path, "--set", LATE, "--warmup", f"{weeks}w")
    assert given["warmup_chosen"] is None
    assert given["verdict"]["per_applicant"] == late["verdict"]["per_applicant"]
    text = invoke("estimate", "--scenario", path, "--group", "g", "-r", "2", "--months", "2",
                  "--set", LATE).stdout
    assert f"applying after a warm-up of {weeks} week(s) chosen by MSER-5" in text


@pytest.mark.parametrize("command", ["compare", "estimate"])
def test_a_horizon_too_short_for_the_pilot_is_one_line(
        write_toml: Callable[[str], Path], tmp_path: Path, command: str) -> None:
    path = write_toml(WARMUP_TOML.replace('horizon = "16w"', 'horizon = "4w"'))
    args = (("compare", path, "--variant", "a:", "--out", tmp_path / "out")
            if command == "compare" else ("estimate", "--scenario", path, "--group", "g"))
    assert_one_line_error(invoke(*args), "simulation.warmup", "at least 10 weeks")
