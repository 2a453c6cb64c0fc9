"""compare without every table (what the CLI runs), and figure lines that stay apart."""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pandas as pd
import pytest

import gigsim
from gigsim.analysis.statistics import METRICS
from gigsim.engine import run_replication
from gigsim.engine.records import Records
from gigsim.presentation.figures import comparison
from gigsim.presentation.figures.comparison import keep_lines_apart
from gigsim.studies import runner
from gigsim.studies.comparison import (
    Comparison,
    VariantSummary,
    compare,
    format_metric,
    shown_description,
)


def test_summaries_give_the_same_comparison_as_full_results(
        small_platform: gigsim.Scenario, policy_comparison: Comparison) -> None:
    slim = compare(small_platform, {"longest-idle": {}, "random": {"dispatch.policy": "random"}},
                   replications=8, seed=11, keep_tables=False)
    assert all(isinstance(r, VariantSummary) for r in slim.results.values())
    pd.testing.assert_frame_equal(slim.table, policy_comparison.table)
    pd.testing.assert_frame_equal(slim.per_replication, policy_comparison.per_replication)
    assert slim.format() == policy_comparison.format()


def test_summaries_keep_what_the_figures_draw(policy_comparison: Comparison) -> None:
    full = policy_comparison.results["random"]
    kept = VariantSummary.of(full)  # type: ignore[arg-type]
    months = full.worker_months
    expected = months.loc[months["available_h"] > 0, ["available_h", "income_usd"]]
    # the rows and columns of worker_months the income figure reads, values as they are
    pd.testing.assert_frame_equal(kept.worker_months, expected.reset_index(drop=True))
    assert (kept.worker_months["available_h"] > 0).all()
    assert kept.worker_months["available_h"].nunique() > 1  # the hours, not a column of ones
    pd.testing.assert_frame_equal(kept.latencies,
                                  full.latencies[["latency_h", "censored"]])
    assert kept.events == sum(r.events for r in full.records)  # type: ignore[union-attr]


def test_identical_variants_stay_visible_and_are_named(policy_comparison: Comparison) -> None:
    """Two variants with the same numbers: distinct dash patterns and markers, and a note."""
    months = policy_comparison.results["longest-idle"].worker_months
    other = policy_comparison.results["random"].worker_months
    figure = comparison.income_ecdf_figure({"a": months, "b": months, "c": other})
    keep_lines_apart(figure)
    axes = figure.axes[0]
    lines = [line for line in axes.get_lines() if np.size(line.get_xdata()) > 0]
    assert len({line.get_linestyle() for line in lines}) == 3
    assert len({line.get_marker() for line in lines}) == 3
    notes = [text.get_text() for text in axes.texts]
    assert notes == ["identical: b = a"]


def test_different_variants_get_no_note(policy_comparison: Comparison) -> None:
    figure = comparison.latency_ecdf_figure({name: r.latencies for name, r
                                        in policy_comparison.results.items()})
    keep_lines_apart(figure)
    assert len(figure.axes[0].texts) == 0


def test_each_metric_has_one_precision() -> None:
    """The sweep table mixed 0.647, 0.6487 and 1083; one metric now prints one way."""
    assert [format_metric("zero_income_share", v) for v in (0.647, 0.6487)] == ["64.7%",
                                                                                  "64.9%"]
    assert [format_metric("income_mean_usd", v) for v in (1083, 0.5)] == ["$1,083.00", "$0.50"]
    # durations in days, hours only under a day (they printed as bare hours, "1,083.0")
    assert [format_metric("latency_mean_h", v) for v in (12.345, 1083, 23.96)] == [
        "12.3 h", "45.1 days", "1.0 days"]
    assert format_metric("latency_mean_h", -2440.8, difference=True) == "−101.7 days"
    assert format_metric("latency_mean_h", 0.01, difference=True) == "0.0 h"
    assert format_metric("unfilled_seat_h", 1083) == "1,083"
    assert format_metric("income_gini", 0.41234) == "0.412"


def test_a_duration_metric_is_described_in_the_unit_it_is_printed_in() -> None:
    assert "(hours)" not in shown_description("latency_mean_h")
    assert "(days; hours under a day; the tables keep hours)" in shown_description(
        "latency_median_h")
    assert shown_description("income_mean_usd") == METRICS["income_mean_usd"]


def test_summaries_hold_one_replications_records_at_a_time(
        small_platform: gigsim.Scenario, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without every table, a replication's records are gone before the next one runs.

    Fails on the code before run_summary: compare then held every replication of a variant
    (its Results) until the variant was summarised, so 3 were alive when the fourth ran.
    """
    alive: list[weakref.ref[Records]] = []
    most = []

    def spy(scenario: gigsim.Scenario, seed: int, index: int) -> Records:
        gc.collect()
        most.append(sum(ref() is not None for ref in alive))
        records = run_replication(scenario, seed, index)
        alive.append(weakref.ref(records))
        return records

    monkeypatch.setattr(runner, "run_replication", spy)
    slim = compare(small_platform, {"a": {}, "b": {"dispatch.policy": "random"}},
                   replications=4, seed=11, keep_tables=False)
    assert len(most) == 8 and slim.replications == 4
    assert max(most) == 0
