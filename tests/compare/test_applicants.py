"""Outcomes per applicant: hand-worked records, hand computations from the tables, and a policy
that pushes people out seen as such."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _records import Recorder

import gigsim
from gigsim.analysis.applicants import (
    APPLICANT_METRICS,
    PROJECT_METRICS,
    applicant_metrics_by_group,
    applicants_table,
    follow_up_months,
)
from gigsim.analysis.statistics import SHARE, metric_kind
from gigsim.engine.records import LeaveCause, SpellKind
from gigsim.scenario.units import HOURS_PER_MONTH as M
from gigsim.studies.comparison import (
    TERMINAL_METRICS,
    Comparison,
    compare,
    format_metric,
)

WORK, IDLE, ASSESSMENT = int(SpellKind.WORK), int(SpellKind.IDLE), int(SpellKind.ASSESSMENT)
W = 100.0  # warm-up (h)


def spell(worker: int, kind: int, start: float, end: float, income: float = 0.0
          ) -> tuple[float, ...]:
    return (worker, kind, start, end, -1, False, 0, 0, 0, 0, 0, 0, 0, 0, 0, income)


def worker(worker_id: int, group: int, joined: float, onboarded: float = math.nan,
           left: float = math.nan, cause: LeaveCause = LeaveCause.STILL_HERE
           ) -> tuple[float, ...]:
    return (worker_id, group, joined, onboarded, left, int(cause), 20.0, 0.5)


def hand_records() -> gigsim.engine.records.Records:  # type: ignore[name-defined]
    """A 4-month window after a 100 h warm-up, so 2 months followed, applicants 0 ≤ t ≤ 2 M.

    w0 (group a) applies at 0, earns $1000 over month 0 and idles after: stays.
    w1 (group b) applies at 0.5 M, earns $1500 evenly until leaving (impatience) at 2 M.
    w2 (group a) applies at 1.5 M and fails the assessment 50 h later: $0.
    w3 applies at 2.5 M (too late to follow) and w4 was there from the start: not applicants.
    """
    recorder = Recorder()
    recorder.spells.extend([
        spell(0, WORK, W, W + M, income=1000.0),
        spell(0, IDLE, W + M, W + 4 * M),
        spell(1, WORK, W + 0.5 * M, W + 2 * M, income=1500.0),
        spell(2, ASSESSMENT, W + 1.5 * M, W + 1.5 * M + 50),
        spell(3, WORK, W + 2.5 * M, W + 4 * M, income=900.0),
        spell(4, WORK, 0.0, W + 4 * M, income=5000.0),
    ])
    return recorder.freeze(
        replication=0, warmup_h=W, horizon_h=4 * M, group_names=("a", "b"),
        generator_names=("g",), projects=[],
        workers=[worker(0, 0, W, W), worker(1, 1, W + 0.5 * M, W + 0.5 * M, W + 2 * M,
                                             LeaveCause.IMPATIENCE),
                 worker(2, 0, W + 1.5 * M, math.nan, W + 1.5 * M + 50,
                        LeaveCause.FAILED_ASSESSMENT),
                 worker(3, 1, W + 2.5 * M, W + 2.5 * M), worker(4, 0, 0.0, 0.0)])


def test_follow_up_is_twelve_months_or_half_the_horizon() -> None:
    assert [follow_up_months(h * M) for h in (0.5, 2, 4, 12, 24, 60)] == [1, 1, 2, 6, 12, 12]


def test_hand_worked_records() -> None:
    """Worked by hand from the docstring of :func:`hand_records`."""
    records = hand_records()
    table = applicants_table(records)
    assert table["worker_id"].tolist() == [0, 1, 2]
    assert table["income_usd"].tolist() == pytest.approx([1000.0, 1500.0, 0.0])
    assert table["zero_months"].tolist() == [1, 0, 2]  # w1's months: $1000, $500
    assert table["stayed"].tolist() == [True, False, False]
    got = applicant_metrics_by_group(records)
    pooled = got["all"]
    assert pooled["applicant_count"] == 3
    assert pooled["applicant_income_usd"] == pytest.approx(2500 / (3 * 2))
    assert pooled["applicant_stay_share"] == pytest.approx(1 / 3)
    assert pooled["applicant_zero_month_share"] == pytest.approx(3 / 6)
    assert pooled["applicant_exit_impatience_share"] == pytest.approx(1 / 3)
    assert pooled["applicant_exit_failed_assessment_share"] == pytest.approx(1 / 3)
    assert pooled["applicant_exit_hazard_share"] == 0
    assert pooled["applicant_never_paid_share"] == pytest.approx(1 / 3)
    # Gini of (0, 1000, 1500): Σ|xi − xj| = 2 (1000 + 1500 + 500) over 2 n² x̄ = 2 · 9 · 2500/3
    assert pooled["applicant_income_gini"] == pytest.approx(6000 / (2 * 9 * 2500 / 3))
    assert pooled["applicant_bottom20_income_usd"] == 0  # ⌈3/5⌉ = 1 lowest: w2's $0
    assert got["a"]["applicant_count"] == 2 and got["b"]["applicant_count"] == 1
    assert got["a"]["applicant_income_usd"] == pytest.approx(1000 / (2 * 2))
    assert got["b"]["applicant_income_usd"] == pytest.approx(1500 / 2)
    assert got["b"]["applicant_stay_share"] == 0


def by_hand(results: gigsim.Results, months: int) -> pd.DataFrame:
    """Per replication: applicants and their income in the months followed, from the tables."""
    follow = months * M
    horizon = results.scenario.simulation.horizon_h
    workers = results.workers
    applicants = workers[(workers["joined_h"] >= 0) & (workers["joined_h"] <= horizon - follow)]
    spells = results.spells.merge(applicants[["replication", "worker_id", "joined_h"]],
                                  on=["replication", "worker_id"])
    length = spells["end_h"] - spells["start_h"]
    inside = (np.minimum(spells["end_h"], spells["joined_h"] + follow)
              - np.maximum(spells["start_h"], spells["joined_h"])).clip(lower=0)
    share = np.where(length > 0, inside / length.where(length > 0, 1.0),
                     (spells["start_h"] < spells["joined_h"] + follow).astype(float))
    income = (spells["income_usd"] * share).groupby(
        [spells["replication"], spells["worker_id"]]).sum()
    income = income.reindex(pd.MultiIndex.from_frame(applicants[["replication", "worker_id"]]),
                            fill_value=0.0)
    return pd.DataFrame({"count": applicants.groupby("replication").size(),
                         "income": income.groupby(level="replication").sum(),
                         "gini": income.groupby(level="replication").apply(_gini_direct)})


def _gini_direct(x: pd.Series) -> float:
    v = x.to_numpy()
    return float(np.abs(v[:, None] - v[None, :]).sum() / (2 * len(v) ** 2 * v.mean()))


def test_per_applicant_income_against_the_tables(policy_comparison: Comparison) -> None:
    """Total income of the window's applicants ÷ (their number × months followed), by hand.

    A denominator of applicants on the platform, of onboarded workers or of worker-months
    would differ: 60% of this scenario's applicants fail the assessment.
    """
    months = follow_up_months(policy_comparison.scenario.simulation.horizon_h)
    table = policy_comparison.table.set_index(["metric", "group", "variant"])
    for name in policy_comparison.variants:
        results = policy_comparison.results[name]
        assert isinstance(results, gigsim.Results)
        hand = by_hand(results, months)
        values = policy_comparison.values(name)
        np.testing.assert_allclose(values["applicant_count"], hand["count"])
        np.testing.assert_allclose(values["applicant_income_usd"],
                                   hand["income"] / (hand["count"] * months), rtol=1e-9)
        np.testing.assert_allclose(values["applicant_income_gini"], hand["gini"], rtol=1e-9)
        row = table.loc[("applicant_income_usd", "all", name)]
        assert row["mean"] == pytest.approx((hand["income"] / (hand["count"] * months)).mean())
        onboarded = results.workers[results.workers["onboarded_h"].notna()]
        assert values["applicant_count"].sum() > len(onboarded[onboarded["joined_h"] >= 0]) * 1.5


def test_groups_partition_the_applicants(policy_comparison: Comparison) -> None:
    """Each group's rows are paired on the same replications as the pooled ones."""
    assert policy_comparison.groups == ("all", "generalists", "specialists")
    pooled = policy_comparison.values("random")
    parts = [policy_comparison.values("random", g) for g in ("generalists", "specialists")]
    np.testing.assert_allclose(pooled["applicant_count"],
                               parts[0]["applicant_count"] + parts[1]["applicant_count"])
    income = sum(p["applicant_income_usd"] * p["applicant_count"] for p in parts)
    np.testing.assert_allclose(pooled["applicant_income_usd"] * pooled["applicant_count"],
                               income, rtol=1e-9)
    long = policy_comparison.per_replication
    rows = long[(long["group"] == "specialists") & (long["metric"] == "applicant_income_usd")]
    diff = rows.pivot(index="replication", columns="variant", values="value")
    table = policy_comparison.table.set_index(["metric", "group", "variant"])
    row = table.loc[("applicant_income_usd", "specialists", "random")]
    assert row["diff_vs_first"] == pytest.approx((diff["random"] - diff["longest-idle"]).mean())


def test_a_groups_worker_month_metrics_are_its_workers_alone(
        policy_comparison: Comparison) -> None:
    """income_mean_usd of a group: the mean income over its worker-months with onboarded
    time, from the worker_months table by hand; project metrics are not a group's."""
    months = policy_comparison.results["random"].worker_months  # type: ignore[union-attr]
    months = months[months["available_h"] > 0]
    for group in ("generalists", "specialists"):
        mine = months[months["group"] == group]
        by_hand = mine.groupby("replication")["income_usd"].mean()
        values = policy_comparison.values("random", group)
        np.testing.assert_allclose(values["income_mean_usd"], by_hand, rtol=1e-9)
        assert values[list(PROJECT_METRICS)].isna().all().all()
    table = policy_comparison.table
    assert not table[(table["group"] != "all") & table["metric"].isin(PROJECT_METRICS)].size


def test_intervals_stay_within_what_is_possible(policy_comparison: Comparison) -> None:
    table = policy_comparison.table
    for row in table[table["metric"].isin(APPLICANT_METRICS)].itertuples():
        if math.isnan(row.ci_low):
            continue
        assert 0 <= row.ci_low <= row.mean <= row.ci_high, row
        if metric_kind(str(row.metric)) == SHARE:
            assert row.ci_high <= 1, row


CONCENTRATED = """
name = "concentrated"
description = "Scarce work; incumbents rated above every newcomer; newcomers with short patience"

[simulation]
horizon = "8mo"
warmup = "8w"
replications = 8
seed = 5

[[workers]]                # there from the start, rated above any newcomer, never leave
name = "incumbents"
count = 120
skills = ["generalist"]
hours_per_week = 20
quality = { dist = "uniform", low = 0.8, high = 1 }

[[workers]]                # the applicants: rated lower, leave after about four idle weeks
name = "newcomers"
count = 200
arrivals_per_week = 15
skills = ["generalist"]
hours_per_week = 20
quality = { dist = "uniform", low = 0, high = 0.8 }
patience = { dist = "lognormal", median = "4w", sigma = 0.3 }

[[projects]]               # about 140 seats open at a time for 320 workers and more
name = "work"
requires = "generalist"
arrivals_per_week = 4
seats = 10
lifetime = { dist = "lognormal", median = "3w", sigma = 0.5 }
pay_per_hour = 20
hours_per_week_per_seat = 20

[dispatch]
policy = "longest-idle"
delay = { dist = "exponential", mean = "1d" }
"""


def _table_row(text: str, metric: str, variant: str, group: str) -> str:
    """The line of ``metric``'s block in the formatted table for ``variant`` and ``group``."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{metric}: "))
    block = lines[start + 2:next(i for i in range(start + 1, len(lines)) if not lines[i])]
    return next(line for line in block if line.split()[:2] == [variant, group])


def _sentence(text: str, variant: str, who: str) -> str:
    return next(line.strip() for line in text.splitlines()
                if line.strip().startswith(f"{variant} vs longest-idle, {who}:"))


def test_a_policy_that_pushes_people_out_does_not_look_better(tmp_path: Path) -> None:
    """best-rated always serves the incumbents first (rated above every newcomer); with scarce
    work and short patience the newcomers wait past their patience and leave.

    Per worker-month on the platform, income rises (the leavers' months are gone); per
    applicant it falls beyond its interval, exits rise, and the default table and the reading
    say so. Measured on seed 5, 8 replications: +$210 per worker-month [+$197, +$223],
    −$89 per applicant [−$113, −$66], +22.4 pp impatient exits [+19.1, +25.6].
    """
    path = tmp_path / "concentrated.toml"
    path.write_text(CONCENTRATED, encoding="utf-8")
    scenario = gigsim.load_scenario(path)
    comparison = compare(scenario, {"longest-idle": {}, "best": {"dispatch.policy": "best-rated"}},
                         keep_tables=False)
    table = comparison.table.set_index(["metric", "group", "variant"])

    def row(metric: str, group: str = "all") -> pd.Series:
        return table.loc[(metric, group, "best")]

    # the policy concentrates work: the incumbents are idle less, their months earn more
    assert row("idle_share", "incumbents")["diff_ci_high"] < 0
    assert row("income_mean_usd", "incumbents")["diff_ci_low"] > 0
    # and pushes the newcomers out: more leave, fewer stay, more are never paid
    assert row("applicant_exit_impatience_share")["diff_ci_low"] > 0
    assert row("applicant_stay_share")["diff_ci_high"] < 0
    assert row("applicant_never_paid_share")["diff_ci_low"] > 0
    # per worker-month it looks better; per applicant it is worse, beyond both intervals
    assert row("income_mean_usd")["diff_ci_low"] > 0
    assert row("applicant_income_usd")["diff_ci_high"] < 0

    text = comparison.format(TERMINAL_METRICS)  # what gigsim compare prints by default
    income = _table_row(text, "applicant_income_usd", "best", "all")
    fall = format_metric("applicant_income_usd", row("applicant_income_usd")["diff_vs_first"],
                         difference=True)
    assert re.search(rf"{re.escape(fall)} \[−\$[\d,.]+, −\$[\d,.]+\]", income), income
    exits = _table_row(text, "applicant_exit_impatience_share", "best", "all")
    assert re.search(r" \+[\d.]+ pp \[\+[\d.]+ pp, \+[\d.]+ pp\]", exits), exits
    sentence = _sentence(text, "best", "all applicants")
    assert f"worse: income per applicant per month followed {fall}" in sentence
    assert "applicants still on the platform at the end of follow-up −" in sentence
    assert "applicants leaving out of impatience +" in sentence
    shown = format_metric("income_mean_usd", row("income_mean_usd")["diff_vs_first"], True)
    assert (f"income per worker-month on the platform shows {shown}, but income per applicant"
            f" falls ({fall})") in sentence
    assert "fewer applicants stay (−" in sentence
    assert "the months of those who left no longer count per worker-month" in sentence
    assert "better:" not in sentence  # nothing per applicant improves
    # the incumbents applied before the window: no per-applicant claim about them
    incumbents = _sentence(text, "best", "incumbents")
    assert "no applicant of this group in the cohort" in incumbents
    assert "income per applicant" not in incumbents
    gain = format_metric("income_mean_usd", row("income_mean_usd", "incumbents")["diff_vs_first"],
                         difference=True)
    assert f"its income per worker-month on the platform {gain} [" in incumbents


def test_a_change_that_rounds_to_zero_is_never_read_as_zero() -> None:
    """A difference beyond its interval but under the metric's precision (a Gini moving by
    −0.0003, read "0.000" before) gets two significant digits in the reading."""
    from gigsim.studies.comparison_text import sentence

    row = {"diff_vs_first": -0.00031, "diff_ci_low": -0.0005, "diff_ci_high": -0.0001}
    rows = {("applicant_income_gini", "all", "b"): row}
    text = sentence(rows, ["applicant_income_gini"], "all", "b", "a")
    assert text == "b vs a, all applicants: better: Gini of income across applicants −0.00031."
