"""The adapter: the app's numbers and words are `gigsim estimate`'s, for any reference wage."""

from __future__ import annotations

import json
import pickle
import re
from dataclasses import replace

import pytest
from click.testing import CliRunner
from htmltools import tags

from gigsim.app.answer import FIGURES, Answer, compute, verdict, with_reference
from gigsim.app.inputs import (
    DEFAULT_HOURS_PER_WEEK,
    DEFAULT_MONTHS,
    DEFAULT_REFERENCE_WAGE_USD,
    FIRST_REPLICATIONS,
    check_params,
    list_roles,
)
from gigsim.app.server import default_role
from gigsim.app.view import answer_view, question_text
from gigsim.cli import main
from gigsim.presentation.cards import key_cards
from gigsim.presentation.report import PHONE_MEDIA
from gigsim.presentation.verdict import (
    based_on,
    estimate_dict,
    market_sentence,
    render,
    verdict_lines,
    who_is_followed,
)
from gigsim.studies.estimate_rounds import headline_widths

from ._support import GENERALIST, SCENARIOS, question

ESTIMATE = ("estimate", "--profile", "generalist", "--hours-per-week", "10", "--months", "3",
            "-r", "3", "--json")


@pytest.fixture(scope="module")
def answer() -> Answer:
    role, params = question(GENERALIST, hours=10, months=3, replications=3)
    return compute(SCENARIOS, role, params)


def estimate_json(*args: str) -> dict[str, object]:
    result = CliRunner().invoke(main, [*ESTIMATE, *args])
    assert result.exit_code == 0, result.output
    return without_timing(json.loads(result.stdout))


def without_timing(numbers: dict[str, object]) -> dict[str, object]:
    return {key: value for key, value in numbers.items() if key != "elapsed_s"}


def test_the_numbers_are_those_of_gigsim_estimate(answer: Answer) -> None:
    assert without_timing(estimate_dict(answer.estimate)) == estimate_json()


def test_another_reference_wage_reads_the_same_run_as_gigsim_estimate_does(
        answer: Answer) -> None:
    cli = estimate_json("--reference-wage", "22.5")
    assert without_timing(estimate_dict(with_reference(answer, 22.5))) == cli
    read = verdict(answer, 22.5)
    assert read.meaning == cli["verdict"]["meaning"]  # type: ignore[index]
    est = with_reference(answer, 22.5)
    # the estimate's own heading and meaning, and the cards of the worker's page...
    assert read.heading == verdict_lines(est, for_page=True)[0].strip()
    assert read.cards == key_cards(est)
    assert list(read.details) == [who_is_followed(est, True), market_sentence(est, True)]
    shown = [read.heading, read.meaning, *(c.value + " " + c.plain + " " + c.detail
                                           for c in read.cards), *read.details]
    assert not any("--" in line for line in shown)
    # ...quoting the numbers that `gigsim estimate` prints and --json holds
    printed = CliRunner().invoke(main, [*ESTIMATE[:-1], "--reference-wage", "22.5"])
    assert printed.exit_code == 0, printed.output
    texts = cli["verdict"]["text"]  # type: ignore[index]
    terminal = printed.stdout.splitlines()[1:len(texts) + 1]  # after the warning line
    assert [line.strip() for line in terminal] == [line.strip() for line in texts]
    assert terminal[-1].strip() == read.meaning
    number = re.compile(r"\d[\d,.]*\d|\d")
    said = set(number.findall(" ".join(terminal)))
    for card in read.cards:
        assert set(number.findall(card.value + " " + card.detail)) <= said, card
    assert "$22.50/h" in " ".join(card.detail for card in read.cards)


def test_the_app_and_gigsim_estimate_give_the_same_answer_to_the_same_question() -> None:
    # the page's first answer, with the page's own defaults...
    roles = list_roles(SCENARIOS)
    role = default_role(roles)
    params = check_params(roles, role.key, DEFAULT_HOURS_PER_WEEK, DEFAULT_MONTHS,
                          FIRST_REPLICATIONS)
    page = compute(SCENARIOS, role, params)
    # ...and the command's, asked the same question and the page's fixed count (its own
    # default chooses the count by precision, up to a minute; the page keeps its answer fast)
    result = CliRunner().invoke(main, [
        "estimate", "--profile", "generalist", "--hours-per-week", f"{DEFAULT_HOURS_PER_WEEK:g}",
        "--months", str(DEFAULT_MONTHS), "-r", str(FIRST_REPLICATIONS), "--json"])
    assert result.exit_code == 0, result.output
    command = json.loads(result.stdout)
    assert command["replications"] == page.estimate.replications == FIRST_REPLICATIONS
    assert without_timing(estimate_dict(page.estimate)) == without_timing(command)
    assert verdict(page, DEFAULT_REFERENCE_WAGE_USD).meaning == command["verdict"]["meaning"]
    # the page says what its intervals rest on: the fixed count and how wide the headline two are
    said = verdict(page, DEFAULT_REFERENCE_WAGE_USD).based_on
    assert said.startswith(f"{FIRST_REPLICATIONS} replication(s) × ")
    assert ("on this fixed count (no precision asked): what an applicant can expect a month ±"
            in said)
    widths = command["verdict"]["replications"]["text"].split("no precision asked): ")[1]
    assert widths in said
    assert command["verdict"]["replications"]["chosen_by_precision"] is False


def test_platform_inputs_are_the_scenarios_keys_as_set_from_the_command_line() -> None:
    role, params = question(GENERALIST, hours=10, months=3, replications=3, launches=0.5,
                            notice=100)
    got = compute(SCENARIOS, role, params)
    assert without_timing(estimate_dict(got.estimate)) == estimate_json(
        "--set", "projects.rating.arrivals_per_week=0.5",
        "--set", "projects.rating.notice.probability=1.0")


def test_projects_at_once_are_the_estimates_projects_option() -> None:
    role, params = question(GENERALIST, hours=10, months=3, replications=3, projects=2)
    assert params.max_projects == 2
    got = compute(SCENARIOS, role, params)
    assert got.estimate.max_projects == 2
    assert without_timing(estimate_dict(got.estimate)) == estimate_json("--projects", "2")
    assert verdict(got, 15).heading.startswith(
        "Verdict for 10 h a week on up to 2 projects at once in the generalists group")
    assert "Generalist (bundled profile): 10 h a week on up to 2 projects at once, followed" \
        " for 3 month(s)" in question_text(got)


def test_the_verdict_in_parts(answer: Answer) -> None:
    read = verdict(answer, 15)
    assert read.heading.startswith("Verdict for 10 h a week in the generalists group")
    assert [card.label for card in read.cards] == [
        "What an applicant can expect", "Reference job", "Chance of failing onboarding",
        "Typical month once onboarded", "Income per hour set aside once onboarded",
        "Chance of a month with nothing once onboarded"]
    assert read.meaning.startswith("As a side income, 10 h a week here earns")
    assert "$15/h job" in read.meaning
    # the estimate's own warning about too few replications, shown on the page too
    assert read.warning is not None and "3 replication(s) are too few" in read.warning
    assert read.warning in str(answer_view(answer, 15))
    assert "3 replication(s) × 20 applicants" in read.based_on
    # the same words as the last line gigsim estimate prints, from the same function
    est = answer.estimate
    printed = render(est).splitlines()[-1]
    assert printed == f"{based_on(est)}; {est.elapsed_s:.1f} s."
    assert read.based_on == (f"{based_on(est)}; scenario {est.scenario.name}. Intervals are 95%;"
                             " on this fixed count (no precision asked):"
                             f" {headline_widths(est.headline_checks)}.")
    assert len(read.details) == 2 and read.details[0].startswith("Followed:")
    hidden = verdict(answer, 0)
    assert "Reference job" not in [card.label for card in hidden.cards]
    assert "job" not in hidden.meaning


def test_the_answer_is_small_enough_to_cache(answer: Answer) -> None:
    assert answer.estimate.results is None
    assert len(pickle.dumps(answer)) < 500_000


def test_figures_are_pngs_with_words_for_those_who_cannot_see_them(answer: Answer) -> None:
    assert [figure.name for figure in answer.figures] == list(FIGURES)
    for figure in answer.figures:
        assert figure.png.startswith(b"\x89PNG\r\n\x1a\n")
        assert figure.narrow_png.startswith(b"\x89PNG\r\n\x1a\n")  # drawn for a phone too
        assert figure.narrow_png != figure.png
    fan, zero, drought = (figure.alt for figure in answer.figures)
    by = "month" if answer.estimate.periods[1] == "month by month" else "quarter"
    assert f"by {by} since applying" in fan and "months 1 to 3" in fan
    assert "median runs from $" in fan
    assert "chance of a month with no income" in zero and f"by {by}" in zero
    assert f"over {answer.estimate.drought.n} spells" in drought
    median = drought.rsplit("; median ", 1)[1].removesuffix(".")  # as gigsim estimate says it
    assert f"Droughts (idle between projects): median {median}," in render(answer.estimate)


def test_the_view_shows_the_question_the_verdict_and_every_figure(answer: Answer) -> None:
    html = str(answer_view(answer, 15))
    assert question_text(answer) in html
    assert "Generalist (bundled profile): 10 h a week, followed for 3 month(s)" in html
    assert verdict(answer, 15).meaning in html
    assert html.count("<img") == len(FIGURES)
    assert html.count(f'<source media="{PHONE_MEDIA}"') == len(FIGURES)
    for figure in answer.figures:
        assert str(tags.img(alt=figure.alt))[len("<img "):-len("/>")] in html  # alt="…"
    for card in verdict(answer, 15).cards:
        assert str(tags.dd(card.plain))[4:-5] in html and str(tags.dd(card.detail))[4:-5] in html
    assert "gigsim-stale" not in html
    assert 'aria-busy="true"' in str(answer_view(answer, 15, stale=True))


def test_the_question_names_platform_changes(answer: Answer) -> None:
    changed = replace(answer, params=replace(answer.params, launches_per_week=0.5,
                                             notice_share=0.75))
    assert "(with 0.5 project launches a week and 75% of project ends with notice)" in \
        question_text(changed)


def test_the_numbers_are_handed_over_before_the_figures_are_drawn() -> None:
    role, params = question(GENERALIST, hours=10, months=2, replications=2)
    early: list[Answer] = []
    done = compute(SCENARIOS, role, params, numbers=early.append)
    assert len(early) == 1 and early[0].figures == ()
    assert estimate_dict(early[0].estimate) == estimate_dict(done.estimate)
    assert len(done.figures) == len(FIGURES)
    assert "Drawing the figures…" in str(answer_view(early[0], 15))
    assert "Drawing the figures…" not in str(answer_view(done, 15))
