"""``compare --precision``: paired differences checked round by round, and what the output says."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import gigsim
from gigsim import GigsimError
from gigsim.studies.comparison import Comparison, compare
from gigsim.studies.paired_precision import CLEAR, NARROW, SHORT, check_difference
from gigsim.studies.precision import STOPPED_MAX, STOPPED_MET

from .test_compare_cli import (  # noqa: F401  (no_simulation: a fixture)
    assert_ok,
    assert_one_line_error,
    compare_args,
    invoke,
    no_simulation,
)

# A variant that changes little: the dispatch delay's mean from 3 days to 3.5 (both variants
# run on the same random numbers, so their difference is small and its interval narrow).
NEAR = {"dispatch.delay": {"dist": "exponential", "mean": "3.5d"}}


# --- the conditions, on values with known answers ---------------------------------------------


def _half_width(differences: np.ndarray) -> float:
    n = len(differences)
    return float(stats.t.ppf(0.975, n - 1) * differences.std(ddof=1) / math.sqrt(n))


def test_a_difference_is_narrow_clear_or_short_by_hand() -> None:
    rng = np.random.default_rng(3)
    reference = 100 + rng.normal(0, 10, 10)
    noise = rng.normal(0, 1, 10)
    # a money metric: allowed half-width = 5% of the reference mean, about 5 dollars
    small = check_difference("v", "income_mean_usd", reference, reference + 1 + noise, 0.05)
    h = _half_width(1 + noise)
    assert small.half_width == pytest.approx(h)
    assert small.allowed == pytest.approx(0.05 * reference.mean())
    assert h < small.allowed and small.condition == NARROW and small.met
    # the same noise ×20: too wide to be narrow, but the whole interval is above +5% of the mean
    wide = check_difference("v", "income_mean_usd", reference, reference + 40 + 20 * noise, 0.05)
    assert wide.half_width > wide.allowed and wide.ci_low > wide.allowed
    assert wide.condition == CLEAR and wide.met
    # wide and near 0: neither
    short = check_difference("v", "income_mean_usd", reference, reference + 20 * noise, 0.05)
    assert short.condition == SHORT and not short.met
    # a share: percentage points, not a share of its mean (0.5 × 5% would be 2.5 points)
    share = check_difference("v", "zero_income_share", np.full(10, 0.5),
                             0.5 + 0.02 * noise, 0.05)
    assert share.allowed == 0.05 and share.condition == NARROW


# --- the study ------------------------------------------------------------------------------


def _variants() -> dict[str, dict[str, object]]:
    return {"base": {}, "near": NEAR}


@pytest.mark.slow  # up to 40 replications a variant, several times: `make test-slow`
def test_same_seed_gives_the_same_count_and_results_with_one_and_two_jobs(
        small_platform: gigsim.Scenario) -> None:
    runs = [compare(small_platform, _variants(), seed=5, precision=0.01, jobs=jobs,
                    keep_tables=False, max_replications=40) for jobs in (1, 2)]
    first, second = (run.choices["replications"] for run in runs)
    assert first.replications == second.replications
    assert first.replications > 10  # the minimum did not decide it: several rounds did
    assert first.replications % 5 == 0 and first.rounds == first.replications // 5
    pd.testing.assert_frame_equal(runs[0].table, runs[1].table)
    # and the same as asking for that count outright: rounds change nothing in the results
    fixed = compare(small_platform, _variants(), seed=5, replications=first.replications,
                    keep_tables=False)
    columns = ["mean", "ci_low", "ci_high", "diff_vs_first", "diff_ci_high"]
    pd.testing.assert_frame_equal(runs[0].table[columns], fixed.table[columns])
    # it stopped at the first round where every target met a condition, not before
    assert first.met and first.stopped == STOPPED_MET
    stopped_one_round_early = compare(small_platform, _variants(), seed=5,
                                      replications=first.replications - 5, keep_tables=False)
    assert not _all_met(stopped_one_round_early, 0.01)


def _all_met(comparison: Comparison, precision: float) -> bool:
    values = {name: {m: comparison.values(name)[m].to_numpy()
                     for m in ("applicant_income_usd", "applicant_zero_month_share")}
              for name in comparison.variants}
    return all(check_difference("near", m, values["base"][m], values["near"][m], precision).met
               for m in values["base"])


def test_the_maximum_stops_it_and_says_which_variant_fell_short(
        small_platform: gigsim.Scenario) -> None:
    # a tenth of a percentage point on a difference of about that size: never settled
    comparison = compare(small_platform, _variants(), seed=5, precision=0.001,
                         max_replications=12, keep_tables=False,
                         precision_metrics=["applicant_zero_month_share"])
    decision = comparison.choices["replications"]
    assert comparison.replications == 12 and decision.rounds == 3  # 5, 5, then cut to 2
    assert decision.stopped == STOPPED_MAX and decision.variant_status("near") == "SHORT"
    text = comparison.format(["applicant_zero_month_share"])
    assert "12 replication(s) per variant, chosen by precision 0.1%: not met for near" in text
    assert "SHORT  near  applicant_zero_month_share" in text
    assert "replications would narrow it" in text
    table = comparison.table
    rows = table[(table["group"] == "all") & (table["metric"] == "applicant_zero_month_share")]
    assert rows["precision"].tolist() == ["", SHORT]
    assert (table["replications"] == 12).all()


def test_replications_and_precision_together_are_refused(
        small_platform: gigsim.Scenario) -> None:
    with pytest.raises(GigsimError, match="not both"):
        compare(small_platform, _variants(), replications=10, precision=0.05)
    with pytest.raises(GigsimError, match="only with a precision"):
        compare(small_platform, _variants(), replications=10, max_replications=20)


# --- the command ----------------------------------------------------------------------------


@pytest.mark.slow  # rounds of replications until 5% is met: `make test-slow`
def test_compare_precision_writes_what_it_chose(tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    args = [a for a in compare_args(out, "rand:dispatch.policy=random") if a not in ("-r", "3")]
    result = invoke(*args, "--precision", "5%", "--metrics", "applicant_income_usd")
    assert_ok(result)
    summary = json.loads((out / "summary.json").read_text())
    chosen = summary["replications_chosen"]
    assert chosen["replications"] == summary["replications"]
    assert chosen["metrics"] == ["applicant_income_usd", "applicant_zero_month_share"]
    assert {t["variant"] for t in chosen["targets"]} == {"rand"}
    assert json.loads((out / "manifest.json").read_text())["replications_chosen"] == chosen
    assert f"× {chosen['replications']} replication(s) per variant, chosen by precision 5%" \
        in result.stdout
    assert "replications chosen by precision 5% on the paired differences from 'base'" \
        in result.stdout
    assert f"replications = {chosen['replications']}" in (out / "scenario.toml").read_text()


@pytest.mark.parametrize("args, fragments", [
    (("--precision", "5%", "-r", "4"), ("--precision", "--replications", "not both")),
    (("--precision", "5%", "--precision-metrics", "applicant_income"),
     ("--precision-metrics", "unknown metric `applicant_income`", "applicant_income_usd")),
    (("--precision", "5%", "--max-replications", "3"), ("--max-replications", "at least 10")),
    (("--max-replications", "20",), ("--max-replications", "only with")),
    (("--precision", "0"), ("--precision", "between 0 and 100%")),
])
@pytest.mark.usefixtures("no_simulation")
def test_bad_precision_input_is_one_line_and_exit_2(
        tmp_path: Path, args: tuple[str, ...], fragments: tuple[str, ...]) -> None:
    base = [a for a in compare_args(tmp_path / "out", "rand:dispatch.policy=random")
            if a not in ("-r", "3")]
    assert_one_line_error(invoke(*base, *args), *fragments)


def test_a_scenario_asking_for_replications_auto_is_compared_by_precision(
        tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    args = [a for a in compare_args(out, "rand:dispatch.policy=random") if a not in ("-r", "3")]
    result = invoke(*args, "--set", 'simulation.replications="auto"', "--set",
                    "simulation.precision=0.5", "--max-replications", "15")
    assert_ok(result)
    chosen = json.loads((out / "summary.json").read_text())["replications_chosen"]
    assert chosen["precision"] == 0.5 and chosen["max_replications"] == 15
    assert "chosen by precision 50%" in result.stdout
