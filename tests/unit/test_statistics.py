"""Summary statistics: t intervals, per-replication metrics, and the Summary of a small run."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pytest
from _records import Recorder
from scipy import stats

from gigsim import Scenario, simulate
from gigsim.analysis import statistics
from gigsim.analysis.metrics import worker_months_table
from gigsim.analysis.statistics import (
    INCOME_THRESHOLD_USD,
    METRICS,
    MIN_REPLICATIONS,
    Summary,
    gini,
    metric_interval,
    metric_kind,
    nonnegative_interval,
    replication_metrics,
    replications_warning,
    share_interval,
    t_interval,
    worker_monthly_income,
)
from gigsim.engine.records import Records, SpellKind
from gigsim.scenario.units import HOURS_PER_MONTH as MONTH

IDLE, WORK = int(SpellKind.IDLE), int(SpellKind.WORK)


@pytest.mark.parametrize("level", [0.9, 0.95, 0.99])
def test_t_interval_matches_scipy(level: float) -> None:
    values = [1.0, 2.0, 3.0, 4.0, 10.0]
    mean, low, high = t_interval(values, level)
    x = np.array(values)
    expected = stats.t.interval(level, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    assert mean == pytest.approx(4.0)
    assert (low, high) == pytest.approx(expected)
    # by hand for the default level
    if level == 0.95:
        half = stats.t.ppf(0.975, 4) * x.std(ddof=1) / math.sqrt(5)
        assert (low, high) == pytest.approx((4.0 - half, 4.0 + half))


def test_t_interval_ignores_nans() -> None:
    assert t_interval([1.0, math.nan, 3.0]) == pytest.approx(t_interval([1.0, 3.0]))


def test_t_interval_of_one_value_has_no_width() -> None:
    mean, low, high = t_interval([5.0])
    assert mean == 5.0
    assert math.isnan(low) and math.isnan(high)


def test_t_interval_of_nothing() -> None:
    assert all(math.isnan(v) for v in t_interval([]))
    assert all(math.isnan(v) for v in t_interval([math.nan, math.nan]))


def test_t_interval_of_equal_values_is_a_point() -> None:
    assert t_interval([2.0, 2.0, 2.0]) == (2.0, 2.0, 2.0)


def _hand_built() -> Records:
    """Two workers over two months, with known incomes, idle time and latencies."""
    recorder = Recorder()

    def row(worker: int, kind: int, start: float, end: float, available: float,
            worked: float = 0.0, idle: float = 0.0, checking: float = 0.0,
            income: float = 0.0) -> tuple[float, ...]:
        return (worker, kind, start, end, -1, False, available, worked, available - worked - idle,
                idle, 0.0, 0.0, 0.0, 0.0, checking, income)

    recorder.spells.extend([
        row(0, WORK, 0.0, 100.0, 100.0, worked=100.0, income=1600.0),
        row(0, IDLE, 100.0, 150.0, 50.0, idle=50.0, checking=5.0),
        row(0, IDLE, MONTH, MONTH + 200.0, 200.0, idle=200.0, checking=10.0),
        row(1, WORK, 0.0, 50.0, 50.0, worked=50.0, income=800.0),
        row(1, WORK, MONTH, MONTH + 50.0, 50.0, worked=50.0, income=800.0),
    ])
    recorder.latencies.extend([
        (0, 0.0, 10.0, False, 0),
        (1, 5.0, 30.0, False, 0),
        (0, 1000.0, 461.0, True, 1),
    ])
    workers = [(0, 0, 0.0, 0.0, math.nan, 0, 20.0, 0.5), (1, 0, 0.0, 0.0, math.nan, 0, 10.0, 0.5)]
    return recorder.freeze(replication=0, warmup_h=0.0, horizon_h=2 * MONTH,
                           group_names=("g",), generator_names=("p",), workers=workers,
                           projects=[])


def test_replication_metrics_by_hand() -> None:
    m = replication_metrics(_hand_built())
    assert set(m) == set(METRICS)
    # worker-month incomes: 1600, 0, 800, 800
    assert m["income_mean_usd"] == pytest.approx(800.0)
    assert m["income_p10_usd"] == pytest.approx(240.0)
    assert m["income_p50_usd"] == pytest.approx(800.0)
    assert m["income_p90_usd"] == pytest.approx(1360.0)
    assert m["zero_income_share"] == pytest.approx(0.25)
    assert m["months_with_income_share"] == pytest.approx(0.75)
    assert m["income_volatility_usd"] == pytest.approx(800.0)  # |0 - 1600| and |800 - 800|
    assert m["idle_share"] == pytest.approx(250.0 / 450.0)
    assert m["short_of_work_share"] == pytest.approx(0.5)
    assert m["latency_mean_h"] == pytest.approx(20.0)
    assert m["latency_p90_h"] == pytest.approx(28.0)
    assert m["latency_censored_share"] == pytest.approx(1 / 3)
    assert m["unpaid_share"] == pytest.approx(15.0 / 215.0)
    assert m["paid_wage_usd"] == pytest.approx(16.0)
    assert m["effective_wage_usd"] == pytest.approx(3200.0 / 215.0)
    assert m["effective_to_paid_wage"] == pytest.approx(200.0 / 215.0)
    assert math.isnan(m["exit_within_12mo_share"])  # nobody onboarded a year before the end


def test_replication_metrics_without_observations_are_nan() -> None:
    records = Recorder().freeze(replication=0, warmup_h=0.0, horizon_h=MONTH,
                                group_names=("g",), generator_names=("p",), workers=[],
                                projects=[])
    m = replication_metrics(records)
    assert all(math.isnan(v) for v in m.values())


@pytest.fixture(scope="module")
def small_results() -> Any:
    data = {
        "name": "small",
        "simulation": {"horizon": "10w", "warmup": "2w", "replications": 4, "seed": 3},
        "workers": [{"name": "g", "count": 30, "skills": ["generalist"],
                     "hours_per_week": {"dist": "uniform", "low": 10, "high": 30},
                     "checking_hours_per_day": 0.5}],
        "projects": [{"name": "p", "requires": "generalist", "arrivals_per_week": 1.5,
                      "seats": {"dist": "poisson", "mean": 6},
                      "lifetime": {"dist": "exponential", "mean": "3w"},
                      "pay_per_hour": 16, "hours_per_week_per_seat": 20,
                      "training": {"hours": 2, "paid_probability": 0.5}}],
        "dispatch": {"delay": {"dist": "exponential", "mean": "2d"}},
    }
    return simulate(Scenario.from_dict(data))


def test_summary_of_a_small_simulation(small_results: Any) -> None:
    summary = small_results.summary()
    assert isinstance(summary, Summary)
    per = summary.per_replication
    assert per.index.tolist() == [0, 1, 2, 3]
    assert list(per.columns) == list(METRICS)
    for index, records in enumerate(small_results.records):
        expected = replication_metrics(records)
        for name in METRICS:
            np.testing.assert_allclose(per.loc[index, name], expected[name], equal_nan=True)
    table = summary.table
    assert table.index.tolist() == list(METRICS)
    for name in METRICS:
        mean, low, high = metric_interval(name, per[name].tolist())
        np.testing.assert_allclose(table.loc[name, ["mean", "ci_low", "ci_high"]].to_numpy(
            dtype=float), [mean, low, high], equal_nan=True)
        assert table.loc[name, "description"] == METRICS[name]
        np.testing.assert_allclose(summary[name], per[name].mean(), equal_nan=True)
        if not math.isnan(low):
            assert low <= mean <= high


def test_summary_intervals_stay_within_what_is_possible(small_results: Any) -> None:
    table = small_results.summary().table
    for name, row in table.iterrows():
        if math.isnan(row["ci_low"]):
            continue
        assert row["ci_low"] <= row["mean"] <= row["ci_high"]
        if metric_kind(str(name)) == "share":
            assert row["ci_low"] >= 0 and row["ci_high"] <= 1, name
        if metric_kind(str(name)) == "nonnegative":
            assert row["ci_low"] >= 0, name


def test_latency_median_is_kaplan_meier(small_results: Any) -> None:
    from gigsim.analysis.survival import kaplan_meier

    per = small_results.summary().per_replication
    for replication, group in small_results.latencies.groupby("replication"):
        curve = kaplan_meier(group["latency_h"], group["censored"])
        np.testing.assert_allclose(per.loc[replication, "latency_median_h"], curve.median,
                                   equal_nan=True)


def test_summary_agrees_with_the_tables(small_results: Any) -> None:
    per = small_results.summary().per_replication
    months = small_results.worker_months
    for replication, group in months.groupby("replication"):
        assert per.loc[replication, "income_mean_usd"] == pytest.approx(
            group["income_usd"].mean())
        assert per.loc[replication, "idle_share"] == pytest.approx(
            group["idle_h"].sum() / group["available_h"].sum())
        assert per.loc[replication, "zero_income_share"] == pytest.approx(
            (group["income_usd"] <= 0).mean())
    latencies = small_results.latencies
    for replication, group in latencies.groupby("replication"):
        assert per.loc[replication, "latency_censored_share"] == pytest.approx(
            group["censored"].mean())
        done = group.loc[~group["censored"], "latency_h"]
        assert per.loc[replication, "latency_mean_h"] == pytest.approx(done.mean())


def test_summary_values_are_plausible(small_results: Any) -> None:
    summary = small_results.summary()
    for name in ("zero_income_share", "idle_share", "unpaid_share", "latency_censored_share",
                 "effective_to_paid_wage", "short_of_work_share"):
        assert 0.0 <= summary[name] <= 1.0, name
    assert summary["zero_income_share"] + summary["months_with_income_share"] == pytest.approx(1)
    assert summary["income_p10_usd"] <= summary["income_p50_usd"] <= summary["income_p90_usd"]
    assert summary["paid_wage_usd"] == pytest.approx(16.0)  # one pay rate; paid training too
    assert summary["effective_wage_usd"] < summary["paid_wage_usd"]  # checking time is unpaid


def test_summary_to_dict_is_json_ready(small_results: Any) -> None:
    summary = small_results.summary()
    data = summary.to_dict()
    text = json.dumps(data, allow_nan=False)
    assert json.loads(text)["replications"] == 4
    assert data["confidence_level"] == 0.95
    assert set(data["metrics"]) == set(METRICS)
    exit_share = data["metrics"]["exit_within_12mo_share"]
    assert exit_share["mean"] is None  # NaN becomes null
    assert len(data["metrics"]["idle_share"]["per_replication"]) == 4
    assert data["metrics"]["idle_share"]["mean"] == pytest.approx(summary["idle_share"])


def test_summary_str_lists_every_metric(small_results: Any) -> None:
    text = str(small_results.summary())
    behind, warning, *lines = text.splitlines()  # 4 replications: below MIN_REPLICATIONS
    assert behind == "means over 4 replication(s), with 95% intervals across them"
    assert warning == replications_warning(4)
    assert len(lines) == len(METRICS)
    for line, name in zip(lines, METRICS, strict=True):
        assert line.startswith(name)


# --- income inequality and seat filling -------------------------------------------------------


def _brute_force_gini(values: list[float]) -> float:
    x = np.asarray(values, dtype=float)
    return float(np.abs(x[:, None] - x[None, :]).sum() / (2 * len(x) ** 2 * x.mean()))


@pytest.mark.parametrize("values", [[1.0, 2.0, 3.0, 4.0], [0.0, 0.0, 5.0], [7.0],
                                    list(np.random.default_rng(1).lognormal(6, 1, 50))])
def test_gini_matches_the_pairwise_definition(values: list[float]) -> None:
    assert gini(values) == pytest.approx(_brute_force_gini(values))
    assert gini(values[::-1]) == pytest.approx(gini(values))  # order does not matter


def test_gini_extremes() -> None:
    assert gini([3.0, 3.0, 3.0]) == pytest.approx(0.0)
    assert gini([0.0, 0.0, 0.0, 8.0]) == pytest.approx(3 / 4)  # (n - 1) / n
    assert math.isnan(gini([]))
    assert math.isnan(gini([0.0, 0.0]))


ASSESSMENT = int(SpellKind.ASSESSMENT)


def _inequality_records() -> Records:
    """Five workers over two months with known incomes per onboarded month, three projects."""
    recorder = Recorder()

    def row(worker: int, kind: int, start: float, end: float,
            income: float = 0.0) -> tuple[float, ...]:
        hours = 0.0 if kind == ASSESSMENT else (end - start) / 8
        worked = hours if kind == WORK else 0.0
        idle = hours if kind == IDLE else 0.0
        return (worker, kind, start, end, -1, False, hours, worked, 0.0, idle, 0.0, 0.0,
                0.0, 0.0, 0.0, income)

    recorder.spells.extend([
        row(0, WORK, 0.0, MONTH, income=1000.0),          # 1000 over two months: 500/month
        row(0, IDLE, MONTH, 2 * MONTH),
        row(1, WORK, 0.0, 2 * MONTH, income=3000.0),      # 1500/month
        row(2, IDLE, 0.0, 2 * MONTH),                     # 0/month
        row(3, WORK, 1.5 * MONTH, 2 * MONTH, income=400.0),  # half a month: left out
        row(4, ASSESSMENT, 0.0, 0.5 * MONTH),             # 600 over 1.5 onboarded months
        row(4, WORK, 0.5 * MONTH, 2 * MONTH, income=600.0),
    ])
    workers = [(w, 0, 0.0, 0.0, math.nan, 0, 21.0, 0.5) for w in range(5)]
    nan = math.nan
    projects = [  # ..., seats_filled, fill_latency_sum_h, unfilled_seat_h
        (0, 0, 0.0, 100.0, 5, 0, nan, 16.0, 20.0, 0.0, 0, math.inf, 4, 40.0, 50.0),
        (1, 0, 10.0, 200.0, 5, 0, nan, 16.0, 20.0, 0.0, 0, math.inf, 1, 30.0, 70.0),
        (2, 0, 20.0, 300.0, 5, 0, nan, 16.0, 20.0, 0.0, 0, math.inf, 0, 0.0, 100.0),
    ]
    return recorder.freeze(replication=0, warmup_h=0.0, horizon_h=2 * MONTH,
                           group_names=("g",), generator_names=("p",), workers=workers,
                           projects=projects)


def test_income_inequality_by_hand() -> None:
    records = _inequality_records()
    monthly = [500.0, 1500.0, 0.0, 400.0]  # workers 0, 1, 2 and 4
    m = replication_metrics(records)
    assert m["income_gini"] == pytest.approx(_brute_force_gini(monthly))
    assert m["below_threshold_share"] == pytest.approx(2 / 4)  # 0 and 400; 500 is not below
    assert INCOME_THRESHOLD_USD == 500.0


def test_worker_monthly_income_by_hand() -> None:
    records = _inequality_records()
    months = worker_months_table(records)
    rates = worker_monthly_income(records, months[months["available_h"] > 0])
    assert rates.index.tolist() == [0, 1, 2, 4]
    np.testing.assert_allclose(rates.to_numpy(), [500.0, 1500.0, 0.0, 400.0])


def test_seat_filling_by_hand() -> None:
    m = replication_metrics(_inequality_records())
    assert m["fill_latency_mean_h"] == pytest.approx((40.0 + 30.0) / 5)  # per filled seat
    assert m["unfilled_seat_h"] == pytest.approx(220.0)


def test_new_metrics_agree_with_the_tables(small_results: Any) -> None:
    per = small_results.summary().per_replication
    fills = small_results.project_fills
    for replication, group in fills.groupby("replication"):
        weights = group["seats_filled"]
        assert per.loc[replication, "fill_latency_mean_h"] == pytest.approx(
            (group["fill_latency_mean_h"].fillna(0) * weights).sum() / weights.sum())
        assert per.loc[replication, "unfilled_seat_h"] == pytest.approx(
            group["unfilled_seat_h"].sum())
    for name in ("income_gini", "below_threshold_share"):
        assert ((per[name] >= 0) & (per[name] <= 1)).all(), name


# --- bounded intervals -----------------------------------------------------------------------


def test_share_interval_at_two_replications_stays_in_zero_one() -> None:
    # the plain t interval of these two shares is 0.97 ± 12.7 × 0.02 = (0.72, 1.22)
    assert t_interval([0.95, 0.99])[2] > 1
    mean, low, high = share_interval([0.95, 0.99])
    assert mean == pytest.approx(0.97)
    assert 0 < low < mean < high < 1
    # by hand: expit(logit(p) ± t se / (p (1 − p)))
    se = np.std([0.95, 0.99], ddof=1) / math.sqrt(2)
    width = stats.t.ppf(0.975, 1) * se / (0.97 * 0.03)
    centre = math.log(0.97 / 0.03)
    assert (low, high) == pytest.approx((1 / (1 + math.exp(-(centre - width))),
                                         1 / (1 + math.exp(-(centre + width)))))


def test_share_interval_tends_to_the_t_interval_when_narrow() -> None:
    rng = np.random.default_rng(4)
    values = 0.4 + 0.001 * rng.standard_normal(50)
    _, low, high = share_interval(values)
    _, t_low, t_high = t_interval(values.tolist())
    assert (low, high) == pytest.approx((t_low, t_high), rel=1e-3)


def test_share_interval_of_all_zeros_or_ones_is_a_point() -> None:
    assert share_interval([0.0, 0.0, 0.0]) == (0.0, 0.0, 0.0)
    assert share_interval([1.0, 1.0]) == (1.0, 1.0, 1.0)
    assert math.isnan(share_interval([0.3])[1])


def test_nonnegative_interval_stays_above_zero() -> None:
    # money at 2 replications: the t interval goes far below 0
    values = [10.0, 400.0]
    assert t_interval(values)[1] < 0
    mean, low, high = nonnegative_interval(values)
    assert mean == 205.0
    assert 0 < low < mean < high
    # the log-scale interval: m · exp(± t se / m)
    se = np.std(values, ddof=1) / math.sqrt(2)
    factor = math.exp(stats.t.ppf(0.975, 1) * se / 205.0)
    assert (low, high) == pytest.approx((205.0 / factor, 205.0 * factor))
    assert nonnegative_interval([0.0, 0.0]) == (0.0, 0.0, 0.0)


def test_every_metric_has_a_bounded_kind() -> None:
    for name in METRICS:
        assert metric_kind(name) in ("share", "nonnegative"), name
    assert metric_interval("zero_income_share", [0.95, 0.99]) == share_interval([0.95, 0.99])
    assert metric_interval("income_mean_usd", [1.0, 3.0]) == nonnegative_interval([1.0, 3.0])


def test_replications_warning() -> None:
    assert replications_warning(MIN_REPLICATIONS) is None
    line = replications_warning(2)
    assert line is not None and "2 replication(s)" in line and "\n" not in line
    assert "(-r)" in line and replications_warning(2, option=False) == line.replace(" (-r)", "")


def test_summary_is_folded_from_the_columns_without_the_worker_months_table(
        small_results: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The summary reads the worker-month columns it needs; its values are the table's exactly.

    Fails before the summary was folded: replication_metrics built worker_months_table.
    """
    for records in small_results.records:
        table = worker_months_table(records)
        with monkeypatch.context() as patch:
            patch.setattr(statistics, "worker_months_table", _refuse)
            m = replication_metrics(records)
        on = table[table["available_h"] > 0]
        paid = float((table["worked_h"] + table["paid_training_h"] + table["paid_assessment_h"]
                      + table["paid_qualification_h"]).sum())
        unpaid = float(table["unpaid_h"].sum())
        assert unpaid > 0
        assert m["income_mean_usd"] == on["income_usd"].to_numpy().mean()
        assert m["idle_share"] == on["idle_h"].sum() / on["available_h"].sum()
        assert m["unpaid_share"] == unpaid / (paid + unpaid)
        assert m["paid_wage_usd"] == float(table["income_usd"].sum()) / paid
        assert m["income_gini"] == gini(worker_monthly_income(records, on).to_numpy())


def _refuse(records: Records) -> None:
    raise AssertionError("the summary built worker_months_table")
