"""gigsim.compare: common random numbers, paired differences, the tidy tables and bad input."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import gigsim
from gigsim.analysis.applicants import ALL_METRICS, PROJECT_METRICS
from gigsim.analysis.statistics import METRICS, metric_interval, paired_difference
from gigsim.errors import GigsimError
from gigsim.scenario.policies import policy_names
from gigsim.studies.comparison import (
    DIFFERENCE_COLUMNS,
    TABLE_COLUMNS,
    Comparison,
    compare,
    resolve_variants,
)

# --- common random numbers -----------------------------------------------------------------


def test_projects_are_identical_across_policies(policy_comparison: Comparison) -> None:
    first = policy_comparison.results["longest-idle"]
    other = policy_comparison.results["random"]
    pd.testing.assert_frame_equal(first.projects, other.projects)
    assert len(first.projects) > 0
    for mine, theirs in zip(first.records, other.records, strict=True):  # the same applicants
        for column in ("worker", "group", "joined", "hours_per_week", "quality"):
            np.testing.assert_array_equal(mine.workers[column], theirs.workers[column])
    # ...while dispatch did differ
    assert not first.latencies["latency_h"].equals(other.latencies["latency_h"])


def test_projects_are_identical_across_every_policy(small_platform: gigsim.Scenario) -> None:
    variants = {name.replace(":", "."): {"dispatch.policy": name} for name in policy_names()}
    comparison = compare(small_platform, variants, replications=2, seed=5)
    first = comparison.results[comparison.reference].projects
    for name in comparison.variants[1:]:
        pd.testing.assert_frame_equal(comparison.results[name].projects, first)


@pytest.mark.parametrize("metric", ["income_mean_usd", "idle_share", "latency_mean_h"])
def test_pairing_reduces_the_variance_of_differences(policy_comparison: Comparison,
                                                     metric: str) -> None:
    """Measured on seed 11, 8 replications: variance reduction 0.9999 for income_mean_usd,
    0.9997 for idle_share and 0.89 for latency_mean_h (longest-idle against random)."""
    row = pooled(policy_comparison.table).set_index(["metric", "variant"]).loc[(metric, "random")]
    assert row["paired_var"] < row["unpaired_var"]
    assert row["variance_reduction"] > 0.5


def test_variants_run_as_simulate_would(policy_comparison: Comparison,
                                        small_platform: gigsim.Scenario) -> None:
    alone = gigsim.simulate(small_platform.with_overrides({"dispatch.policy": "random"}),
                            replications=8, seed=11)
    pd.testing.assert_frame_equal(policy_comparison.values("random")[list(METRICS)],
                                  alone.summary().per_replication)
    assert policy_comparison.seed == 11
    assert policy_comparison.replications == 8
    assert policy_comparison.variants == ("longest-idle", "random")
    assert policy_comparison.reference == "longest-idle"


# --- the tidy table, checked against scipy ---------------------------------------------------


def pooled(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of every applicant pooled (group ``all``)."""
    return table[table["group"] == "all"]


def test_table_shape(policy_comparison: Comparison) -> None:
    table = policy_comparison.table
    assert list(table.columns) == list(TABLE_COLUMNS)
    # all: every metric; each of the two worker groups: every one but the project metrics
    assert policy_comparison.groups == ("all", "generalists", "specialists")
    assert len(table) == 2 * (len(ALL_METRICS) + 2 * (len(ALL_METRICS) - len(PROJECT_METRICS)))
    assert pooled(table)["metric"].drop_duplicates().tolist() == list(ALL_METRICS)
    reference = table[table["variant"] == "longest-idle"]
    assert reference[list(DIFFERENCE_COLUMNS)].isna().all().all()
    # replications given, not chosen: every row says how many, none a precision met
    assert (table["replications"] == 8).all() and (table["precision"] == "").all()


@pytest.mark.parametrize("metric", ["income_mean_usd", "idle_share", "latency_p90_h",
                                    "income_gini", "fill_latency_mean_h", "unfilled_seat_h"])
def test_table_intervals_match_scipy(policy_comparison: Comparison, metric: str) -> None:
    a = policy_comparison.values("longest-idle")[metric].to_numpy()
    b = policy_comparison.values("random")[metric].to_numpy()
    assert not (np.isnan(a).any() or np.isnan(b).any())
    table = pooled(policy_comparison.table).set_index(["metric", "variant"])
    for name, x in (("longest-idle", a), ("random", b)):
        row = table.loc[(metric, name)]
        # bounded by the metric's kind (shares in [0, 1], money and durations ≥ 0)
        _, low, high = metric_interval(metric, x)
        assert row["mean"] == pytest.approx(x.mean())
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high))
    row = table.loc[(metric, "random")]
    d = b - a
    paired = stats.ttest_rel(b, a).confidence_interval(0.95)
    assert row["diff_vs_first"] == pytest.approx(d.mean())
    assert (row["diff_ci_low"], row["diff_ci_high"]) == pytest.approx((paired.low, paired.high))
    assert row["paired_var"] == pytest.approx(np.var(d, ddof=1))
    assert row["unpaired_var"] == pytest.approx(np.var(a, ddof=1) + np.var(b, ddof=1))
    assert row["variance_reduction"] == pytest.approx(
        1 - np.var(d, ddof=1) / (np.var(a, ddof=1) + np.var(b, ddof=1)))
    # what the unpaired variance stands for: Welch's interval, as if the seeds were independent
    welch = stats.ttest_ind(b, a, equal_var=False).confidence_interval(0.95)
    assert (welch.high - welch.low) > (paired.high - paired.low)


def test_per_replication_table(policy_comparison: Comparison) -> None:
    long = policy_comparison.per_replication
    assert list(long.columns) == ["variant", "group", "replication", "metric", "value",
                                  "diff_vs_first"]
    assert len(long) == 2 * 8 * (len(ALL_METRICS) + 2 * (len(ALL_METRICS) - len(PROJECT_METRICS)))
    wide = pooled(long).pivot_table(index=["variant", "replication"], columns="metric",
                                    values="value", dropna=False)
    for name in policy_comparison.variants:
        values = policy_comparison.values(name)
        np.testing.assert_allclose(wide.loc[name][list(values.columns)].to_numpy(),
                                   values.to_numpy(), equal_nan=True)
    income = long[(long["group"] == "all") & (long["metric"] == "income_mean_usd")].set_index(
        ["variant", "replication"])
    np.testing.assert_allclose(
        income.loc["random", "diff_vs_first"],
        income.loc["random", "value"] - income.loc["longest-idle", "value"])
    assert (income.loc["longest-idle", "diff_vs_first"] == 0).all()


def test_to_dict_is_json_ready(policy_comparison: Comparison) -> None:
    data = json.loads(json.dumps(policy_comparison.to_dict(), allow_nan=False))
    assert data["reference"] == "longest-idle"
    assert data["variants"] == {"longest-idle": {}, "random": {"dispatch.policy": "random"}}
    assert list(data["metrics"]) == list(ALL_METRICS)
    income = data["metrics"]["income_mean_usd"]
    assert income["description"] == METRICS["income_mean_usd"]
    assert len(income["variants"]["random"]["per_replication"]) == 8
    assert income["variants"]["longest-idle"]["diff_vs_first"] is None
    row = pooled(policy_comparison.table).set_index(["metric", "variant"]).loc[
        ("income_mean_usd", "random")]
    assert income["variants"]["random"]["diff_ci_low"] == pytest.approx(row["diff_ci_low"])


def test_str_is_a_readable_table(policy_comparison: Comparison) -> None:
    text = str(policy_comparison)
    for metric in METRICS:
        assert f"\n{metric}: " in text
    assert "vs longest-idle [95% CI]" in text
    assert "pairing saves" in text
    assert "$" in text and "%" in text and " pp" in text


# --- variants: the implicit base, scenarios built already, bad input ---------------------------


def test_a_single_variant_is_compared_with_the_scenario_as_is(
        small_platform: gigsim.Scenario) -> None:
    comparison = gigsim.compare(small_platform, {"rand": {"dispatch.policy": "random"}},
                                replications=2, seed=1)
    assert comparison.variants == ("base", "rand")
    assert comparison.results["base"].scenario == small_platform


def test_scenarios_built_already_are_accepted(small_platform: gigsim.Scenario) -> None:
    rand = small_platform.with_overrides({"dispatch.policy": "random"})
    comparison = compare(small_platform, {"a": small_platform, "b": rand}, replications=2,
                         seed=1)
    assert comparison.results["b"].scenario is rand
    assert comparison.overrides == {"a": None, "b": None}
    assert comparison.to_dict()["variants"] == {"a": None, "b": None}


def test_progress_counts_every_replication(small_platform: gigsim.Scenario) -> None:
    ticks: list[int] = []
    compare(small_platform, {"a": {}, "b": {"dispatch.policy": "random"}}, replications=2,
            seed=1, progress=ticks.append)
    assert sum(ticks) == 4


@pytest.mark.parametrize(("variants", "fragments"), [
    ({}, ["at least one variant"]),
    ({"base": {"dispatch.policy": "random"}}, ["single variant", "'base'"]),
    ({"a": {}, "b": {"dispatch.policy": "nope"}},
     ["variant 'b'", "dispatch.policy", "'nope'", *policy_names()]),
    ({"a": {}, "b": {"simulation.seed": 3}}, ["variant 'b'", "simulation.seed", "same seed"]),
    ({"a": {}, "b": {"simulation.replications": 3}}, ["simulation.replications"]),
    ({"a": {}, "b b": {}}, ["variant name 'b b'"]),
    ({"a": {}, "b": {"projects.nope.seats": 3}}, ["variant 'b'", "no projects entry named"]),
])
def test_bad_variants_fail_before_simulating(small_platform: gigsim.Scenario,
                                             monkeypatch: pytest.MonkeyPatch,
                                             variants: dict[str, dict[str, object]],
                                             fragments: list[str]) -> None:
    import sys

    def must_not_simulate(*args: object, **kwargs: object) -> None:
        raise AssertionError("simulated although a variant was bad")

    monkeypatch.setattr(sys.modules["gigsim.studies.comparison"], "simulate", must_not_simulate)
    with pytest.raises(GigsimError) as caught:
        compare(small_platform, variants, replications=2, seed=1)
    message = str(caught.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, (fragment, message)


def test_resolve_variants_builds_each_scenario(small_platform: gigsim.Scenario) -> None:
    scenarios = resolve_variants(small_platform, {"x": {"dispatch.policy": "random"}})
    assert list(scenarios) == ["base", "x"]
    assert scenarios["base"] is small_platform
    assert scenarios["x"].dispatch.policy == "random"


def test_variants_must_share_seed_and_replications(policy_comparison: Comparison,
                                                   small_platform: gigsim.Scenario) -> None:
    other = gigsim.simulate(small_platform, replications=2, seed=11)
    with pytest.raises(GigsimError, match="share their seed and replications"):
        Comparison(small_platform, {"a": policy_comparison.results["random"], "b": other})


# --- paired_difference on its own ------------------------------------------------------------


def test_paired_difference_by_hand() -> None:
    a = [10.0, 20.0, 30.0, 40.0]
    b = [11.0, 22.0, 29.0, 43.0]
    d = paired_difference(a, b)
    diffs = np.array([1.0, 2.0, -1.0, 3.0])
    assert d.mean == pytest.approx(1.25)
    half = stats.t.ppf(0.975, 3) * diffs.std(ddof=1) / 2
    assert (d.ci_low, d.ci_high) == pytest.approx((1.25 - half, 1.25 + half))
    assert d.paired_var == pytest.approx(diffs.var(ddof=1))
    assert d.unpaired_var == pytest.approx(np.var(a, ddof=1) + np.var(b, ddof=1))
    assert d.variance_reduction == pytest.approx(1 - d.paired_var / d.unpaired_var)
    assert d.n == 4


def test_paired_difference_drops_incomplete_pairs() -> None:
    d = paired_difference([1.0, math.nan, 3.0, 5.0], [2.0, 7.0, math.nan, 8.0])
    assert d.n == 2
    assert d.mean == pytest.approx(2.0)


def test_paired_difference_can_be_worse_than_unpaired() -> None:
    d = paired_difference([1.0, 2.0, 3.0], [3.0, 2.0, 1.0])  # negatively correlated
    assert d.variance_reduction < 0


def test_paired_difference_degenerate_cases() -> None:
    one = paired_difference([1.0], [2.0])
    assert one.mean == 1.0 and math.isnan(one.ci_low) and math.isnan(one.paired_var)
    assert math.isnan(one.variance_reduction)
    same = paired_difference([1.0, 1.0], [1.0, 1.0])
    assert same.unpaired_var == 0 and math.isnan(same.variance_reduction)
    with pytest.raises(ValueError, match="differ in length"):
        paired_difference([1.0, 2.0], [1.0])
