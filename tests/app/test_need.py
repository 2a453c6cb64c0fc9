"""What you need a month in the app (issue 24): the numbers of `gigsim estimate --monthly-need`."""

from __future__ import annotations

import json
import pickle

import pytest
from click.testing import CliRunner

from gigsim.app.answer import Answer, compute, verdict, with_reference
from gigsim.app.inputs import InputError, check_monthly_need
from gigsim.app.view import answer_view
from gigsim.cli import main
from gigsim.presentation.need import need_dict, need_sentence

from ._support import GENERALIST, SCENARIOS, question

ESTIMATE = ("estimate", "--profile", "generalist", "--hours-per-week", "10", "--months", "3",
            "-r", "3", "--json")


@pytest.fixture(scope="module")
def answer() -> Answer:
    role, params = question(GENERALIST, hours=10, months=3, replications=3)
    return compute(SCENARIOS, role, params)


def _numbers(need: dict[str, object]) -> dict[str, object]:
    out = {k: v for k, v in need.items() if k != "text"}
    out["first_month_reaching"] = {k: v for k, v in need["first_month_reaching"].items()
                                   if k != "text"}
    return out


@pytest.mark.parametrize("usd", [0, 150, 600])
def test_the_need_is_read_as_gigsim_estimate_reads_it(answer: Answer, usd: float) -> None:
    result = CliRunner().invoke(main, [*ESTIMATE, "--monthly-need", str(usd)])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)["monthly_need"]
    read = with_reference(answer, 15, usd)
    assert _numbers(need_dict(read)) == _numbers(printed)
    said = verdict(answer, 15, usd).need
    assert said == need_sentence(read, for_page=True)
    assert said is not None and "what you need" in said and "--" not in said


def test_without_a_need_nothing_is_said_and_the_answer_pickles(answer: Answer) -> None:
    assert verdict(answer, 15).need is None
    assert 'id="need-answer"' not in str(answer_view(answer, 15))
    shown = str(answer_view(answer, 15, monthly_need_usd=300))
    assert 'id="need-answer"' in shown and 'data-figure="exceedance"' in shown
    again = pickle.loads(pickle.dumps(answer))  # the pool sends it from a worker process
    assert need_dict(with_reference(again, 15, 300)) == need_dict(with_reference(answer, 15, 300))


@pytest.mark.parametrize("value, expected", [("", None), (None, None), (0, 0.0), ("1500", 1500.0)])
def test_need_input_accepts(value: object, expected: float | None) -> None:
    assert check_monthly_need(value) == expected


@pytest.mark.parametrize("value, fragment", [(-1, "from 0 to"), ("lots", "enter a number"),
                                             (2e6, "from 0 to"), ("inf", "finite")])
def test_need_input_refuses(value: object, fragment: str) -> None:
    with pytest.raises(InputError, match="What you need a month") as error:
        check_monthly_need(value)
    assert fragment in str(error.value)
