"""gigsim run reports the people who applied, beside the worker-months on the platform.

The per-applicant figures it prints (and saves in summary.json and report.html) are checked
against the tables it writes, by hand: who applied in the window, who was never paid in their
months followed, who failed the assessment, who is still there.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from gigsim.scenario.units import HOURS_PER_MONTH as M

from ._support import SCENARIOS, assert_ok, invoke

# 16 weeks after the warm-up: a cohort of the first 2.7 months, each followed 1 month
RUN = ("--set", "workers.generalists.count=300", "--set",
       "workers.generalists.arrivals_per_week=30", "--set", 'simulation.horizon="16w"',
       "--set", 'simulation.warmup="4w"', "-r", "3", "-j", "1", "--tables", "all",
       "--format", "csv")
FOLLOWED = 1  # months: half of 16 weeks, in whole months


def by_hand(out: Path) -> pd.DataFrame:
    """Per replication: applicants, and the shares never paid, failed and still there."""
    workers = pd.read_csv(out / "workers.csv")
    spells = pd.read_csv(out / "spells.csv")
    horizon = 16 * 168.0
    follow = FOLLOWED * M
    applicants = workers[(workers["joined_h"] >= 0) & (workers["joined_h"] <= horizon - follow)]
    paid = spells[spells["income_usd"] > 0].merge(
        applicants[["replication", "worker_id", "joined_h"]], on=["replication", "worker_id"])
    overlap = (paid["start_h"] < paid["joined_h"] + follow) & (paid["end_h"] > paid["joined_h"])
    ever_paid = paid[overlap].groupby("replication")["worker_id"].nunique()
    gone = applicants["left_h"] <= applicants["joined_h"] + follow  # NaN (still here): False
    failed = gone & (applicants["leave_cause"] == "failed_assessment")
    count = applicants.groupby("replication").size()
    return pd.DataFrame({
        "count": count,
        "never_paid": 1 - ever_paid.reindex(count.index, fill_value=0) / count,
        "failed": failed.groupby(applicants["replication"]).mean(),
        "stayed": (~gone).groupby(applicants["replication"]).mean(),
    })


def test_run_reports_the_applicants_with_what_each_divides_by(tmp_path: Path) -> None:
    out = tmp_path / "r"
    result = invoke("run", SCENARIOS / "generalist.toml", *RUN, "--out", out, "--report")
    assert_ok(result)
    hand = by_hand(out).mean()
    saved = json.loads((out / "summary.json").read_text(encoding="utf-8"))["applicants"]
    assert saved["follow_up_months"] == FOLLOWED
    values = {name: entry["mean"] for name, entry in saved["metrics"].items()}
    np.testing.assert_allclose(values["applicant_count"], hand["count"])
    np.testing.assert_allclose(values["applicant_never_paid_share"], hand["never_paid"])
    np.testing.assert_allclose(values["applicant_exit_failed_assessment_share"], hand["failed"])
    np.testing.assert_allclose(values["applicant_stay_share"], hand["stayed"])
    assert 0 < hand["never_paid"] < 1 and 0 < hand["failed"] < 1  # not trivially 0 or 1

    text = result.stdout
    assert (f"per applicant: the {hand['count']:,.0f} people a replication (mean) who applied"
            in text)
    assert "each followed 1 month from applying; leavers and failed assessments count $0" in text
    lines = {line.split("  ")[1].strip(): line for line in text.splitlines()
             if line.startswith("  ") and "  " in line[2:]}
    assert lines["never paid"].split()[2] == f"{100 * hand['never_paid']:.1f}%"
    assert lines["never paid"].endswith("÷ applicants")
    assert lines["failed the assessment"].split()[3] == f"{100 * hand['failed']:.1f}%"
    assert lines["still on the platform"].split()[4] == f"{100 * hand['stayed']:.1f}%"
    assert "÷ (applicants × 1 month)" in lines["income per applicant, month"]
    assert "÷ (applicants × 1 month), counted from applying" in lines["applicant-months, no income"]
    assert "$0 included" in lines["income Gini, applicants"]
    assert "⌈n/5⌉ lowest incomes ÷ 1 month" in lines["poorest fifth, income/month"]
    # per applicant first, then the worker-month figures, which say what they divide by
    assert text.index("per applicant: the") < text.index("per worker-month on the platform: ÷")
    report = (out / "report.html").read_text(encoding="utf-8")
    assert report.index("<h3>Per applicant</h3>") < report.index(
        "<h3>Per worker-month on the platform</h3>")
    assert f"{100 * hand['never_paid']:.1f}%" in report


def test_a_run_without_applicants_says_so(tmp_path: Path) -> None:
    result = invoke("run", SCENARIOS / "generalist.toml", *RUN, "--set",
                    "workers.generalists.arrivals_per_week=0", "--out", tmp_path / "r")
    assert_ok(result)
    assert "per applicant: nobody applied in the window" in result.stdout
