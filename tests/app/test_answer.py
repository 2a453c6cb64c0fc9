"""The adapter: the app's numbers are `gigsim estimate`'s, and the verdict reads them."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import pytest
from click.testing import CliRunner

from gigsim.app.answer import WEEKS_PER_MONTH, Answer, compute, verdict
from gigsim.app.view import answer_view, question_text
from gigsim.cli import main

from ._support import GENERALIST, SCENARIOS, question


@pytest.fixture(scope="module")
def answer() -> Answer:
    role, params = question(GENERALIST, hours=10, months=3, replications=3)
    return compute(SCENARIOS, role, params)


def _without_timing(numbers: dict[str, object]) -> dict[str, object]:
    return {key: value for key, value in numbers.items() if key != "elapsed_s"}


def test_the_numbers_are_those_of_gigsim_estimate(answer: Answer) -> None:
    result = CliRunner().invoke(main, ["estimate", "--profile", "generalist",
                                       "--hours-per-week", "10", "--months", "3", "-r", "3",
                                       "--json"])
    assert result.exit_code == 0, result.output
    assert _without_timing(json.loads(result.stdout)) == _without_timing(answer.numbers)


def test_platform_inputs_are_the_scenarios_keys_as_set_from_the_command_line() -> None:
    role, params = question(GENERALIST, hours=10, months=2, replications=2, launches=0.5,
                            notice=100)
    got = compute(SCENARIOS, role, params)
    result = CliRunner().invoke(main, [
        "estimate", "--profile", "generalist", "--hours-per-week", "10", "--months", "2",
        "-r", "2", "--json", "--set", "projects.rating.arrivals_per_week=0.5",
        "--set", "projects.rating.notice.probability=1.0"])
    assert result.exit_code == 0, result.output
    assert _without_timing(json.loads(result.stdout)) == _without_timing(got.numbers)


def test_income_per_hour_set_aside_is_monthly_income_over_hours_made_available(
        answer: Answer) -> None:
    mean, low, high = answer.set_aside_usd
    assert 0 <= low <= mean <= high
    # the pooled mean of monthly income, over the hours of a month, lies near the mean of the
    # per-replication figures (they differ only in how worker-months are weighted)
    monthly = answer.numbers["monthly_income_usd"]
    pooled = (sum(row["mean_usd"] * row["workers"] for row in monthly)
              / sum(row["workers"] for row in monthly))
    assert low - 1e-9 <= pooled / (10 * WEEKS_PER_MONTH) <= high + 1e-9


def test_the_verdict_compares_with_the_reference_wage_through_the_interval(
        answer: Answer) -> None:
    answer = replace(answer, set_aside_usd=(10.0, 8.0, 12.0))
    assert "$10.00 per hour set aside" in verdict(answer, 15).sentence
    assert "less than the $12.50/h job pays" in verdict(answer, 12.5).sentence
    assert "more than the $7.50/h job pays" in verdict(answer, 7.5).sentence
    inside = verdict(answer, 11).sentence
    assert "about what the $" in inside and "interval covers it" in inside
    none = verdict(answer, 0)
    assert "job" not in none.sentence
    assert "Reference job" not in [figure.label for figure in none.figures]


def test_the_verdict_says_who_fails_onboarding_and_months_with_nothing(answer: Answer) -> None:
    read = verdict(answer, 15)
    passing = answer.numbers["pass_onboarding_share"]["mean"]
    zero = answer.numbers["zero_income_months"]["expected_count"]["mean"]
    assert f"Only {passing:.0%} of applicants pass onboarding" in read.sentence
    assert f"{zero:.1f} of 3 months with no income" in read.sentence
    labels = {figure.label: figure for figure in read.figures}
    assert labels["Failing onboarding"].value.startswith(f"{1 - passing:.0%}")
    assert labels["Reference job"].value == "$15.00/h"
    # what a $15/h job pays for the same hours in a month
    assert f"${15 * 10 * WEEKS_PER_MONTH:,.0f} a month" in labels["Reference job"].note
    assert "3 replication(s)" in read.based_on


def test_figures_are_pngs_with_words_for_those_who_cannot_see_them(answer: Answer) -> None:
    assert len(answer.figures) == 2
    for figure in answer.figures:
        assert figure.png.startswith(b"\x89PNG\r\n\x1a\n")
        assert figure.alt and figure.title
    assert "months 1 to 3" in answer.figures[0].alt
    assert "weeks" in answer.figures[1].alt


def test_the_view_shows_the_question_the_verdict_and_every_figure(answer: Answer) -> None:
    html = str(answer_view(answer, 15))
    assert question_text(answer) in html
    assert "Generalist (bundled profile): 10 h a week, followed for 3 month(s)" in html
    assert html.count("<img") == 2 and html.count("data:image/png;base64,") == 2
    for figure in answer.figures:
        assert f'alt="{figure.alt}"' in html
    assert "gigsim-stale" not in html
    assert 'aria-busy="true"' in str(answer_view(answer, 15, stale=True))


def test_the_question_names_platform_changes(answer: Answer) -> None:
    changed = replace(answer, params=replace(answer.params, launches_per_week=0.5,
                                             notice_share=0.75))
    assert "(with 0.5 project launches a week and 75% of project ends with notice)" in \
        question_text(changed)


def test_no_figure_reads_nan(answer: Answer) -> None:
    for figure in verdict(answer, 15).figures:
        assert "nan" not in figure.value.lower() and not math.isnan(len(figure.note))
