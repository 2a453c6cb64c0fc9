"""The sequential rule of replications by precision, on synthetic values with known answers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from gigsim import GigsimError
from gigsim.studies.precision import (
    MetricCheck,
    PrecisionGoal,
    check_metric,
    parse_precision,
    run_by_precision,
)


def _run(goal: PrecisionGoal, value_of: dict[str, object]) -> tuple[list[int], object]:
    """Run the rule on values ``value_of[metric](index)``; return the rounds' sizes too."""
    values: dict[str, list[float]] = {name: [] for name in goal.metrics}
    rounds: list[int] = []

    def run_round(indices: range) -> None:
        rounds.append(len(indices))
        for name in goal.metrics:
            values[name].extend(value_of[name](k) for k in indices)  # type: ignore[operator]

    def assess() -> list[MetricCheck]:
        return [check_metric(name, values[name], goal.precision) for name in goal.metrics]

    return rounds, run_by_precision(goal, run_round, assess)


def test_constant_values_stop_after_the_minimum_rounds_not_before() -> None:
    # met at the first round already (a point interval), but the rule checks only after 2
    goal = PrecisionGoal(0.05, metrics=("income_mean_usd",))
    rounds, decision = _run(goal, {"income_mean_usd": lambda k: 500.0})
    assert rounds == [5, 5]
    assert decision.replications == 10 and decision.met  # type: ignore[attr-defined]


def _stop_by_hand(values: np.ndarray, precision: float, step: int = 5, start: int = 10) -> int:
    """The first n = 10, 15, … at which the log-scale interval's half-width is within reach.

    The interval of a money metric is m·exp(±h/m), h the t half-width, so its half-width is
    m·sinh(h/m).
    """
    for n in range(start, len(values) + 1, step):
        x = values[:n]
        m = x.mean()
        h = stats.t.ppf(0.975, n - 1) * x.std(ddof=1) / math.sqrt(n)
        if m * math.sinh(h / m) <= precision * m:
            return n
    raise AssertionError("never met")


def test_the_rule_stops_at_the_first_round_whose_interval_is_narrow_enough() -> None:
    rng = np.random.default_rng(5)
    values = rng.normal(1000.0, 150.0, 400)  # sd 15% of the mean: about 36 replications at 5%
    expected = _stop_by_hand(values, 0.05)
    assert 20 <= expected <= 80  # the example exercises several rounds
    goal = PrecisionGoal(0.05, metrics=("income_mean_usd",), max_replications=400)
    rounds, decision = _run(goal, {"income_mean_usd": lambda k: float(values[k])})
    assert decision.replications == expected  # type: ignore[attr-defined]
    assert rounds == [5] * (expected // 5)
    # a finer precision needs more: about (0.05 / 0.03)² ≈ 2.8 times as many
    _, finer = _run(PrecisionGoal(0.03, metrics=("income_mean_usd",), max_replications=400),
                    {"income_mean_usd": lambda k: float(values[k])})
    assert finer.replications == _stop_by_hand(values, 0.03)  # type: ignore[attr-defined]
    assert finer.replications > 2 * expected  # type: ignore[attr-defined]


def test_a_share_is_held_to_percentage_points_not_a_share_of_its_mean() -> None:
    # a share of about 2% with sd 1 point: its half-width (~0.6 points at n=10) is far below
    # 5 points, though it is about 30% of its mean
    rng = np.random.default_rng(3)
    shares = np.clip(rng.normal(0.02, 0.01, 10), 0.001, None)
    check = check_metric("zero_income_share", shares, 0.05)
    assert not check.relative and check.met
    assert check.half_width / check.mean > 0.05
    money = check_metric("income_mean_usd", shares * 1000, 0.05)
    assert money.relative and not money.met


def test_stopping_at_the_maximum_says_which_metric_fell_short_and_by_how_much() -> None:
    # income is constant (met); the latency varies wildly (never met within 23)
    goal = PrecisionGoal(0.05, metrics=("income_mean_usd", "latency_mean_h"),
                         max_replications=23)
    rounds, decision = _run(goal, {"income_mean_usd": lambda k: 800.0,
                                   "latency_mean_h": lambda k: 10.0 + 90.0 * (k % 2)})
    assert rounds == [5, 5, 5, 5, 3]  # the last round is cut to the maximum
    assert decision.replications == 23 and not decision.met  # type: ignore[attr-defined]
    assert decision.stopped == "max replications reached"  # type: ignore[attr-defined]
    lines = decision.describe()  # type: ignore[attr-defined]
    short = [line for line in lines if "SHORT" in line]
    assert len(short) == 1 and "latency_mean_h" in short[0] and "short by" in short[0]
    targets = decision.to_dict()["targets"]  # type: ignore[attr-defined]
    assert [t["met"] for t in targets] == [True, False]


@pytest.mark.parametrize("text, expected", [("5%", 0.05), ("0.05", 0.05), (" 12.5% ", 0.125)])
def test_precision_is_read_as_a_share_or_a_percentage(text: str, expected: float) -> None:
    assert parse_precision(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["0", "0%", "150%", "1", "-5%", "abc", "nan"])
def test_a_precision_outside_zero_to_one_is_refused_in_one_line(text: str) -> None:
    with pytest.raises(GigsimError, match="--precision") as error:
        parse_precision(text)
    assert "\n" not in str(error.value)


def test_a_goal_refuses_unknown_metrics_and_a_maximum_below_the_minimum() -> None:
    with pytest.raises(GigsimError, match=r"unknown metric `income_mean`.*income_mean_usd"):
        PrecisionGoal(0.05, metrics=("income_mean",))
    with pytest.raises(GigsimError, match="at least 10"):
        PrecisionGoal(0.05, max_replications=9)
