"""gigsim estimate's replications chosen by precision: the rule, -r N, determinism, bad input.

Short follow-ups (2 months) and a wide target (40%) keep each estimate about a second; the rule
is the same at the default 10%, which the last tests check is the default.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from gigsim.errors import GigsimError
from gigsim.presentation.verdict import estimate_dict, render
from gigsim.studies.estimate import Estimate, estimate_profile
from gigsim.studies.estimate_rounds import HEADLINES, STOPPED_TIME, parse_time_budget
from gigsim.studies.precision import MIN_ROUNDS, ROUND_SIZE, STOPPED_MAX, STOPPED_MET

from ._support import assert_one_line_error, invoke

QUICK: dict[str, Any] = {"hours_per_week": 10, "months": 2, "seed": 7}
WIDE = 0.40


@pytest.fixture(scope="module")
def by_precision() -> Estimate:
    return estimate_profile("generalist", precision=WIDE, **QUICK)


def _printed(est: Estimate) -> dict[str, tuple[float, float, float]]:
    """The headline intervals as the verdict prints them, by target name."""
    return {"income_per_applicant_month_usd": est.income_per_applicant_month,
            "income_per_hour_set_aside_usd": est.income_per_hour_set_aside}


def test_the_rule_stops_at_the_first_round_whose_printed_half_widths_meet_the_target(
        by_precision: Estimate) -> None:
    est = by_precision
    choice = est.choice
    assert choice is not None and choice.met and choice.stopped == STOPPED_MET
    n = est.replications
    assert n % ROUND_SIZE == 0 and n >= ROUND_SIZE * MIN_ROUNDS
    assert choice.rounds == n // ROUND_SIZE
    printed = _printed(est)
    assert [c.metric for c in choice.checks] == list(HEADLINES)
    for check in choice.checks:
        mean, low, high = printed[check.metric]
        # the half-width checked is the verdict's own interval's, and it is within the target
        assert check.mean == pytest.approx(mean, rel=1e-12)
        assert check.half_width == pytest.approx((high - low) / 2, rel=1e-12)
        assert (high - low) / 2 <= WIDE * mean
    # one round fewer (the same replications 0 … n − 6, as -r gives them) was not enough
    fewer = estimate_profile("generalist", replications=n - ROUND_SIZE, **QUICK)
    assert n - ROUND_SIZE < ROUND_SIZE * MIN_ROUNDS or any(
        (high - low) / 2 > WIDE * mean for mean, low, high in _printed(fewer).values())
    # the verdict says it, with the count
    text = render(est)
    assert (f"Behind the intervals: {n} replication(s), chosen by precision 40%: met for both"
            " headline figures (what an applicant can expect a month ±") in text
    data = estimate_dict(est)
    assert data["replications"] == n
    assert data["replications_chosen"]["stopped"] == STOPPED_MET
    assert data["verdict"]["replications"]["met"] is True
    assert all(t["half_width"] <= t["allowed_half_width"]
               for t in data["verdict"]["replications"]["targets"])


def test_replication_k_is_the_same_run_whether_chosen_by_precision_or_given(
        by_precision: Estimate) -> None:
    given = estimate_profile("generalist", replications=by_precision.replications, **QUICK)
    assert given.choice is None and given.replications == by_precision.replications
    keep = {"elapsed_s", "replications_chosen"}
    a, b = estimate_dict(by_precision), estimate_dict(given)
    assert {k: v for k, v in a.items() if k not in keep and k != "verdict"} == {
        k: v for k, v in b.items() if k not in keep and k != "verdict"}
    assert a["verdict"]["per_applicant"] == b["verdict"]["per_applicant"]


def test_r_n_keeps_n_replications_and_says_no_precision_was_asked() -> None:
    result = invoke("estimate", "--profile", "generalist", "--hours-per-week", "10",
                    "--months", "2", "-r", "7", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["replications"] == 7 and data["replications_chosen"] is None
    said = data["verdict"]["replications"]
    assert said["chosen_by_precision"] is False
    assert said["text"].startswith("7 replication(s) (a fixed count; no precision asked):")
    assert [t["replications"] for t in said["targets"]] == [7, 7]


def test_the_same_seed_gives_the_same_replications_and_verdict_whatever_the_jobs() -> None:
    args = ("estimate", "--profile", "generalist", "--hours-per-week", "10", "--months", "2",
            "--seed", "7", "--precision", "40%", "--json")
    outputs = []
    for jobs in ("1", "2"):
        result = invoke(*args, "--jobs", jobs)
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        data.pop("elapsed_s")
        outputs.append(data)
    assert outputs[0] == outputs[1]
    assert outputs[0]["replications_chosen"]["stopped"] == STOPPED_MET


def test_a_stop_on_time_says_so_and_gives_the_count_that_repeats_it() -> None:
    # a budget spent by the first round: the rule still runs its minimum, then stops on time
    est = estimate_profile("generalist", precision=0.01, time_budget_s=1e-6, **QUICK)
    assert est.choice is not None and est.choice.stopped == STOPPED_TIME
    assert est.replications == ROUND_SIZE * MIN_ROUNDS
    text = render(est)
    assert "stopped at the time budget, 1e-06 s (--time-budget)" in text
    assert f"-r {est.replications} repeats these numbers" in text
    assert "not met for what an applicant can expect a month ±" in text
    page = render(est, for_page=True)
    assert f"the same {est.replications} replications repeat these numbers" in page
    again = estimate_profile("generalist", replications=est.replications, **QUICK)
    assert again.income_per_applicant_month == est.income_per_applicant_month
    assert again.income_per_hour_set_aside == est.income_per_hour_set_aside


def test_a_stop_at_the_maximum_says_which_figure_fell_short_and_by_how_much() -> None:
    est = estimate_profile("generalist", precision=0.01, max_replications=10,
                           time_budget_s=None, **QUICK)
    assert est.choice is not None and est.choice.stopped == STOPPED_MAX
    assert est.replications == 10
    line = next(x for x in render(est).splitlines() if "Behind the intervals" in x)
    assert "chosen by precision 1%: not met for" in line
    assert "replications would do" in line
    assert "stopped at the maximum, 10 (--max-replications)" in line


def test_the_defaults_are_10_percent_within_60_seconds_and_200_replications() -> None:
    result = invoke("estimate", "--profile", "generalist", "--hours-per-week", "10",
                    "--months", "2", "--max-replications", "10", "--json")
    assert result.exit_code == 0, result.output
    chosen = json.loads(result.stdout)["replications_chosen"]
    assert chosen["precision"] == 0.10 and chosen["time_budget_s"] == 60.0
    assert chosen["metrics"] == list(HEADLINES)
    help_text = invoke("estimate", "--help").stdout
    for said in ("default 10%", "default 60s", "default 200", "what an applicant can expect",
                 "income per hour set aside"):
        assert said in " ".join(help_text.split()), said


@pytest.mark.parametrize(("args", "fragments"), [
    (("--precision", "0"), ("--precision", "0")),
    (("--precision", "150%"), ("--precision", "150%")),
    (("--precision", "tight"), ("--precision", "tight")),
    (("--time-budget", "0"), ("--time-budget", "0")),
    (("--time-budget", "-5"), ("--time-budget", "-5")),
    (("--time-budget", "soon"), ("--time-budget", "soon")),
    (("--time-budget", "inf"), ("--time-budget",)),
    (("--max-replications", "3"), ("--max-replications", "at least 10")),
    (("-r", "8", "--precision", "5%"), ("--precision", "-r/--replications")),
    (("-r", "8", "--time-budget", "30"), ("--time-budget", "-r/--replications")),
])
def test_bad_precision_options_are_one_line_and_exit_2(args: tuple[str, ...],
                                                       fragments: tuple[str, ...]) -> None:
    assert_one_line_error(invoke("estimate", "--months", "2", *args), *fragments)


def test_the_python_api_refuses_what_the_command_refuses() -> None:
    with pytest.raises(GigsimError, match="either replications or precision"):
        estimate_profile("generalist", replications=8, precision=0.1, **QUICK)
    with pytest.raises(GigsimError, match="time budget"):
        estimate_profile("generalist", time_budget_s=0, **QUICK)
    with pytest.raises(GigsimError, match="precision"):
        estimate_profile("generalist", precision=1.5, **QUICK)
    with pytest.raises(GigsimError, match="jobs"):
        estimate_profile("generalist", jobs=-1, **QUICK)
    assert parse_time_budget("2m") == 120 and parse_time_budget("none") is None
