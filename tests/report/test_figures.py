"""The figures of a results folder and of an estimate: they build, with labelled axes."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

import gigsim
from gigsim.analysis.metrics import months_on_platform
from gigsim.analysis.statistics import METRICS
from gigsim.analysis.survival import kaplan_meier
from gigsim.presentation.figures import base, run, sweep
from gigsim.presentation.figures.estimate import estimate_figures
from gigsim.presentation.output import REPORT_TABLES
from gigsim.presentation.verdict import render
from gigsim.studies.estimate import Estimate, estimate_profile


def _assert_labelled(figure: Figure) -> None:
    assert isinstance(figure, Figure)
    for axes in figure.axes:
        assert axes.get_xlabel() and axes.get_ylabel() and axes.get_title(), axes
        assert "(" in axes.get_xlabel(), f"x axis without a unit: {axes.get_xlabel()!r}"
    figure.canvas.draw()  # renders without error
    _assert_within(figure)


def _legend_texts(figure: Figure) -> list[str]:
    """The entries of every legend of ``figure``, its own (below the axes) or an axes'."""
    legends = [*figure.legends, *(a.get_legend() for a in figure.axes if a.get_legend())]
    return [text.get_text() for legend in legends for text in legend.get_texts()]


def _assert_within(figure: Figure) -> None:
    """Every title, axis label, tick label and legend entry lies inside the figure, as drawn."""
    figure.canvas.draw()
    edge = figure.bbox
    for axes in figure.axes:
        legends = [*figure.legends, *([axes.get_legend()] if axes.get_legend() else [])]
        low, high = sorted(axes.get_xlim())
        ticks = [label for at, label in zip(axes.get_xticks(), axes.get_xticklabels(),
                                            strict=True) if low <= at <= high]
        for text in [axes.title, axes.xaxis.label, axes.yaxis.label, *ticks,
                     *(t for lg in legends for t in lg.get_texts())]:
            if not text.get_text() or not text.get_visible():
                continue
            box = text.get_window_extent()
            assert edge.x0 - 1 <= box.x0 and box.x1 <= edge.x1 + 1 and edge.y0 - 1 <= box.y0 \
                and box.y1 <= edge.y1 + 1, (text.get_text(), box.bounds, edge.bounds)


def _assert_legends_clear_of_the_data(figure: Figure) -> None:
    """No legend lies over the axes, where it would hide bars, bands or lines."""
    figure.canvas.draw()
    for axes in figure.axes:
        inside = axes.get_window_extent()
        for legend in [*figure.legends, *([axes.get_legend()] if axes.get_legend() else [])]:
            box = legend.get_window_extent()
            assert box.y1 <= inside.y0 or box.y0 >= inside.y1 or box.x1 <= inside.x0 \
                or box.x0 >= inside.x1, (box.bounds, inside.bounds)


def test_long_titles_wrap_inside_their_figure() -> None:
    label = max(METRICS.values(), key=len)  # the longest metric name: a sweep's title
    assert len(label) > 120
    metric = next(key for key, value in METRICS.items() if value == label)
    points = pd.DataFrame({"x": [1, 2, 1, 2], "y": [0.1, 0.1, 0.2, 0.2],
                           metric: [0.1, 0.2, 0.3, 0.4]})
    points[f"{metric}_ci_low"] = points[metric] - 0.05
    points[f"{metric}_ci_high"] = points[metric] + 0.05
    for figure in (sweep.sweep_heatmap_figure(points, "x", "y", metric),
                   sweep.sweep_lines_figure(points, "x", metric)):
        title = figure.axes[0].get_title()
        assert "\n" in title and title.replace("\n", " ").startswith(label)  # wrapped, whole
        _assert_within(figure)
    short = base.new_figure()
    base.set_title(short.add_subplot(), "Short")
    assert short.axes[0].get_title() == "Short"  # a title that fits is left alone


def test_results_figures_build_with_labelled_axes(small_results: gigsim.Results) -> None:
    tables = {name: getattr(small_results, name)
              for name in ("worker_months", "spells", "latencies", "workers")}
    figures = run.results_figures(tables)
    assert set(figures) == {"income_histogram", "income_ecdf", "income_fan", "idle_share",
                            "latency_survival", "drought_survival"}
    for figure in figures.values():
        _assert_labelled(figure)
    for name in ("income_fan", "idle_share", "latency_survival", "drought_survival"):
        _assert_legends_clear_of_the_data(figures[name])
    with base.narrow():
        for figure in run.results_figures(tables).values():
            assert figure.get_figwidth() == base.NARROW_WIDTH_IN
            _assert_labelled(figure)


def test_estimate_figures_build_with_labelled_axes() -> None:
    est = estimate_profile("specialist", months=3, replications=2, seed=1)
    figures = estimate_figures(est)
    assert set(figures) == {"income_fan", "income_histogram", "drought_survival",
                            "first_pay_survival", "zero_income"}
    for figure in figures.values():
        _assert_labelled(figure)
    # the chance of no income by month: the shares of the rows the text shows, with intervals
    bars = figures["zero_income"].axes[0].patches
    np.testing.assert_allclose([b.get_height() for b in bars],
                               est.periods[0]["zero_share"] * 100)
    assert "days" in figures["drought_survival"].axes[0].get_xlabel()
    for name in ("income_fan", "zero_income", "drought_survival"):
        _assert_legends_clear_of_the_data(figures[name])


@pytest.fixture(scope="module")
def noisy() -> Estimate:
    """Six months of generalist work on 4 replications: single months are too noisy to show."""
    return estimate_profile("generalist", hours_per_week=10, months=6, replications=4, seed=3)


def test_the_charts_by_month_follow_the_rule_of_the_text(noisy: Estimate) -> None:
    table, how = noisy.periods
    assert how != "month by month"  # the rule pooled this estimate's months (a precondition)
    assert list(table["months"]) == [3, 3]
    figures = estimate_figures(noisy)
    fan, zero = figures["income_fan"].axes[0], figures["zero_income"].axes[0]
    median = next(line for line in fan.get_lines() if line.get_label() == "median (P50)")
    np.testing.assert_allclose(median.get_ydata(), table["p50_usd"])
    np.testing.assert_allclose([b.get_height() for b in zero.patches], table["zero_share"] * 100)
    for axes in (fan, zero):
        assert [t.get_text() for t in axes.get_xticklabels()] == ["1–3", "4–6"]
        assert "quarter" in axes.get_title()
    assert "quarter" in render(noisy)  # the table gigsim estimate prints: quarters too
    # where the months are clear enough, the charts show months, as the text does
    clear = replace(noisy, monthly=noisy.monthly.assign(mean_ci_low_usd=noisy.monthly["mean_usd"],
                                                        mean_ci_high_usd=noisy.monthly["mean_usd"]))
    assert clear.periods[1] == "month by month"
    bars = estimate_figures(clear)["zero_income"].axes[0].patches
    np.testing.assert_allclose([b.get_height() for b in bars], noisy.monthly["zero_share"] * 100)


def test_figures_drawn_narrow_fit_a_phone(noisy: Estimate) -> None:
    with base.narrow():
        figures = estimate_figures(noisy)
    for name in ("income_fan", "zero_income", "drought_survival"):
        figure = figures[name]
        assert figure.get_figwidth() == base.NARROW_WIDTH_IN
        _assert_within(figure)  # titles and labels wrap, legends fold onto more rows
        _assert_legends_clear_of_the_data(figure)
    assert base.new_figure().get_figwidth() == 7.0  # outside, as before


def test_figures_agree_with_the_summary_table(small_results: gigsim.Results) -> None:
    table = small_results.summary().table
    histogram = run.income_histogram_figure(small_results.worker_months)
    zero = table.loc["zero_income_share", "mean"]
    assert f"{zero:.1%} with none (mean over replications)" in histogram.axes[0].get_title()
    idle = run.idle_share_figure(small_results.worker_months)
    labels = _legend_texts(idle)
    assert any(f"{table.loc['idle_share', 'mean'] * 100:.1f}% (the table's idle share)" in label
               for label in labels), labels


def test_survival_figure_marks_censoring_and_draws_the_curve() -> None:
    curve = kaplan_meier([1, 2, 2, 3, 4, 5], [False, True, False, False, True, False])
    figure = run.survival_figure({"spells": curve}, title="t", unit="hours", what="wait")
    (axes,) = figure.axes
    lines = axes.get_lines()
    step, marks = lines[0], lines[1]
    np.testing.assert_allclose(step.get_ydata(), [1, 5 / 6, 2 / 3, 4 / 9, 4 / 9, 0])
    np.testing.assert_allclose(marks.get_xdata(), [2, 4])  # the censored durations
    np.testing.assert_allclose(marks.get_ydata(), [2 / 3, 4 / 9])
    assert marks.get_marker() == "+"
    assert "33% censored" in _legend_texts(figure)[0]
    _assert_labelled(figure)


def test_fan_chart_draws_the_band_and_the_median() -> None:
    monthly = pd.DataFrame({"month": [1, 2, 3], "p10_usd": [0, 10, 20],
                            "p50_usd": [5, 50, 60], "p90_usd": [50, 90, 100],
                            "mean_usd": [10, 50, 60]})
    figure = run.fan_chart_figure(monthly)
    (axes,) = figure.axes
    median = next(line for line in axes.get_lines() if line.get_label() == "median (P50)")
    np.testing.assert_allclose(median.get_ydata(), [5, 50, 60])
    assert axes.collections  # the P10–P90 band
    _assert_labelled(figure)


def test_months_since_joining_aligns_on_the_month_of_applying() -> None:
    months = pd.DataFrame({"replication": 0, "worker_id": [1, 1, 2],
                           "month": [2, 3, 0], "income_usd": [0.0, 100.0, 50.0],
                           "available_h": 40.0})
    workers = pd.DataFrame({"replication": 0, "worker_id": [1, 2, 3],
                            "joined_h": [2 * 730.5 + 5, 10.0, -50.0]})
    table = run.months_since_joining(months, workers)
    assert list(table["month"]) == [1, 2]
    assert list(table["p50_usd"]) == [25.0, 100.0]


def test_the_fan_chart_leaves_out_months_before_onboarding_as_the_histogram_does() -> None:
    # worker 1 waits out the assessment in month 1 and is onboarded in month 2; worker 2 fails
    # it in month 1; worker 3 is onboarded in month 1. Months without onboarded time have a row
    # (their unpaid hours count) but are not months with no income.
    months = pd.DataFrame({"replication": 0, "worker_id": [1, 1, 2, 3],
                           "month": [0, 1, 0, 0], "income_usd": [0.0, 100.0, 0.0, 50.0],
                           "available_h": [0.0, 40.0, 0.0, 30.0]})
    workers = pd.DataFrame({"replication": 0, "worker_id": [1, 2, 3],
                            "joined_h": [10.0, 20.0, 5.0]})
    table = run.months_since_joining(months, workers)
    assert list(table["month"]) == [1, 2]
    assert list(table["workers"]) == [1, 1]
    assert list(table["mean_usd"]) == [50.0, 100.0]
    assert list(table["p90_usd"]) == [50.0, 100.0]


def test_the_fan_chart_counts_the_months_the_histogram_counts(
        small_results: gigsim.Results) -> None:
    months, workers = small_results.worker_months, small_results.workers
    table = run.months_since_joining(months, workers)
    joined = workers.loc[workers["joined_h"] >= 0, ["replication", "worker_id"]]
    on_platform = months_on_platform(months).merge(joined, on=["replication", "worker_id"])
    assert table["workers"].sum() == len(on_platform)
    assert (months.merge(joined)["available_h"] == 0).any()  # there were months to leave out


@pytest.mark.parametrize("empty", ["worker_months", "latencies"])
def test_figures_survive_empty_tables(small_results: gigsim.Results, empty: str) -> None:
    tables = {name: getattr(small_results, name)
              for name in ("worker_months", "spells", "latencies", "workers")}
    tables[empty] = tables[empty].iloc[0:0]
    for figure in run.results_figures(tables).values():
        figure.canvas.draw()


def test_a_pay_schedule_draws_the_cash_flow_fan_on_the_income_fan_scale(
        small_results: gigsim.Results) -> None:
    paid = gigsim.Results(small_results.scenario.with_overrides(
        {"pay.every": "2w", "pay.lag": "1w", "pay.minimum_usd": 50}), small_results.seed,
        small_results.records)
    figures = run.results_figures({name: getattr(paid, name) for name in REPORT_TABLES})
    names = list(figures)
    assert names.index("cash_flow_fan") == names.index("income_fan") + 1
    income, cash = figures["income_fan"].axes[0], figures["cash_flow_fan"].axes[0]
    assert income.get_ylim() == cash.get_ylim()
    assert "received" in cash.get_ylabel() and "received" in cash.get_title()
    # the median line is the money arriving by month since joining, not the money earned
    months = run.months_since_joining(paid.worker_months, paid.workers, "received_usd")
    assert np.allclose(cash.lines[0].get_ydata(), months["p50_usd"])
    assert "cash_flow_fan" not in run.results_figures(
        {name: getattr(small_results, name) for name in REPORT_TABLES})
