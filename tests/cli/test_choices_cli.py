"""``gigsim run`` with workers' choices: the keys by --set, the absences table written."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ._support import MINIMAL_TOML, assert_ok, invoke

CHOICES = ("--set", "workers.raters.reservation_wage=40", "--set",
           "workers.raters.review_every=1w", "--set", "workers.raters.review_window=2w",
           "--set", "workers.raters.return={ probability = 1, after = \"1d\" }")


def test_run_writes_the_absences_and_the_choices_columns(tmp_path: Path) -> None:
    scenario = tmp_path / "mini.toml"
    scenario.write_text(MINIMAL_TOML, encoding="utf-8")
    out = tmp_path / "out"
    result = invoke("run", scenario, "-r", "2", "--format", "csv", "--out", out,
                    "--tables", "absences,workers", *CHOICES)
    assert_ok(result)
    assert "absences" in result.output
    absences = pd.read_csv(out / "absences.csv")
    workers = pd.read_csv(out / "workers.csv")
    # $40 an hour is above the scenario's pay: every review after a week of a stay fails, and
    # every leaver comes back a day later
    assert (workers.loc[workers["onboarded_h"].notna(), "reservation_wage"] == 40).all()
    assert len(absences) > 0 and set(absences["cause"]) == {"low_earnings"}
    assert (absences["away_h"].round(9) == 24).all()
    assert workers["returns"].sum() >= len(absences)
    # by default too, beside the default tables
    assert_ok(invoke("run", scenario, "-r", "1", "--format", "csv", "--out", tmp_path / "d",
                     *CHOICES))
    assert (tmp_path / "d" / "absences.csv").exists()


def test_without_return_there_is_no_absences_table(tmp_path: Path) -> None:
    scenario = tmp_path / "mini.toml"
    scenario.write_text(MINIMAL_TOML, encoding="utf-8")
    out = tmp_path / "out"
    assert_ok(invoke("run", scenario, "-r", "1", "--format", "csv", "--out", out))
    assert not (out / "absences.csv").exists()
