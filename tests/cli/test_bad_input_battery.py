"""Bad input against every command: one line naming where and what, exit 2, nothing written.

Each case is a command line with one mistake in it, the fragments its error line must hold
(the file or option, the key, what was expected), and the folder that must not appear.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from ._support import MINIMAL_TOML, assert_ok, assert_one_line_error, invoke

SWEEP_TOML = """\
name = "bad"
scenario = "{scenario}"
replications = 1
seed = 1
[grid]
"dispatch.delay" = ["1d", "2d"]
"""


@dataclass(frozen=True)
class Case:
    """``args`` after the command, with {mini}, {sweep}, {out} and {folder} filled in."""

    id: str
    command: str
    args: tuple[str, ...]
    fragments: tuple[str, ...]
    mini: str = MINIMAL_TOML  # the scenario file's text for this case
    sweep: str = SWEEP_TOML


def broken(old: str, new: str) -> str:
    assert MINIMAL_TOML.count(old) == 1, old
    return MINIMAL_TOML.replace(old, new)


TYPO = broken("arrivals_per_week = 1\n", "arivals_per_week = 1\n")
HUGE_COUNT = broken("count = 30", "count = 1e308")
BIG_COUNT = broken("count = 30", "count = 999999999")
HUGE_PAY = broken('pay_per_hour = { dist = "uniform", low = 15, high = 18 }',
                  "pay_per_hour = 1e308")
HUGE_RATE = broken("arrivals_per_week = 2", "arrivals_per_week = 9999999999")
BAD_TOML = MINIMAL_TOML + "\n[dispatch\n"
WARMUP_AUTO = broken('warmup = "1w"', 'warmup = "auto"')
# the work model's keys (issue 19)
BOTH_SUPPLIES = broken("hours_per_week_per_seat = 20\n",
                       "hours_per_week_per_seat = 20\ntask_supply = 200\n")
UNKNOWN_CLIENT = broken("hours_per_week_per_seat = 20\n",
                        'hours_per_week_per_seat = 20\nclient = "acme"\n') + """
[[clients]]
name = "acne"
lifetime = "6mo"
"""
NO_CLIENTS = broken("hours_per_week_per_seat = 20\n",
                    'hours_per_week_per_seat = 20\nclient = "acme"\n')
TEST_PASS = broken("hours_per_week_per_seat = 20\n",
                   "hours_per_week_per_seat = 20\n"
                   "qualification = { hours = 2, pass_probability = 1.5 }\n")
TEST_NO_HOURS = broken("hours_per_week_per_seat = 20\n",
                       "hours_per_week_per_seat = 20\n"
                       "qualification = { pass_probability = 0.5 }\n")
TEST_PAID_FREE = broken("hours_per_week_per_seat = 20\n",
                        "hours_per_week_per_seat = 20\n"
                        "qualification = { hours = 2, paid = true, pass_probability = 0.5 }\n")
NO_PROJECTS_AT_ONCE = broken("count = 30", "count = 30\nmax_projects = 0")
HALF_A_PROJECT = broken("count = 30", "count = 30\nmax_projects = 1.5")
NEGATIVE_FLOOR = broken("count = 30", "count = 30\nminimum_pay_per_hour = -5")
CLIENT_LIFETIME = UNKNOWN_CLIENT.replace('name = "acne"\nlifetime = "6mo"',
                                         'name = "acme"\nlifetime = 6')
# the pay schedule (issue 22 item 2)
PAY_EVERY_0 = MINIMAL_TOML + '\n[pay]\nevery = 0\n'
PAY_LAG_NEGATIVE = MINIMAL_TOML + '\n[pay]\nevery = "1w"\nlag = "-3d"\n'
PAY_MINIMUM_NEGATIVE = MINIMAL_TOML + '\n[pay]\nevery = "1w"\nminimum_usd = -10\n'
PAY_TYPO = MINIMAL_TOML + '\n[pay]\nevery = "1w"\nminimum = 10\n'
# workers' choices (issue 22 item 3): a reservation wage reviewed, and return
REVIEW_LONG = broken("count = 30", 'count = 30\nreservation_wage = 12\nreview_every = "8w"\n'
                     'review_window = "4w"')
REVIEW_WINDOW_0 = broken("count = 30", 'count = 30\nreservation_wage = 12\n'
                         'review_every = "1w"\nreview_window = 0')
REVIEW_EVERY_0 = broken("count = 30", 'count = 30\nreservation_wage = 12\n'
                        'review_every = "0d"\nreview_window = "4w"')
RESERVATION_PARTLY = broken("count = 30", 'count = 30\nreservation_wage = 12\n'
                            'review_window = "4w"')
RETURN_PROBABILITY = broken("count = 30", 'count = 30\n'
                            'return = { probability = 1.5, after = "2w" }')
# several platforms (issue 22 item 1)
TWO_PLATFORMS = broken(
    'assessment = { hours = 1, paid = false, pass_probability = 0.5, wait = "3d" }\n',
    'platforms = ["A", "B"]\nassessments.A = { hours = 1, pass_probability = 0.5, wait = "3d" }\n'
).replace('requires = "generalist"\n', 'requires = "generalist"\nplatform = "A"\n').replace(
    "[dispatch]\n", '[[platforms]]\nname = "A"\n[platforms.dispatch]\n') + """
[[platforms]]
name = "B"
pay = { every = "1w" }
"""


def two_platforms(old: str, new: str) -> str:
    assert TWO_PLATFORMS.count(old) == 1, old
    return TWO_PLATFORMS.replace(old, new)


UNKNOWN_PLATFORM = two_platforms('platform = "A"', 'platform = "C"')
NO_PLATFORM = two_platforms('platform = "A"\n', "")
JOINS_NONE = two_platforms('platforms = ["A", "B"]', "platforms = []")
JOINS_UNKNOWN = two_platforms('platforms = ["A", "B"]', 'platforms = ["A", "Z"]')
ASSESSED_NOT_JOINED = two_platforms('platforms = ["A", "B"]', 'platforms = ["B"]').replace(
    'platform = "A"', 'platform = "B"')
ONE_ASSESSMENT_TWO_PLATFORMS = two_platforms("assessments.A =", "assessment =")
TOP_LEVEL_PAY = TWO_PLATFORMS + '\n[pay]\nevery = "1w"\n'

SCENARIO_COMMANDS = ("run", "validate")
OUT = ("--out", "{out}")

CASES: list[Case] = []
for command in SCENARIO_COMMANDS:
    out = OUT if command == "run" else ()
    CASES += [
        Case(f"{command}-typo", command, ("{mini}", *out),
             ("{mini}", "projects.rating.arivals_per_week", "did you mean `arrivals_per_week`?"),
             mini=TYPO),
        Case(f"{command}-sweep-file", command, ("{sweep}", *out),
             ("{sweep}", "this is a sweep file", "gigsim sweep {sweep}")),
        Case(f"{command}-set-value", command,
             ("{mini}", "--set", "projects.rating.arrivals_per_week=-1", *out),
             ("--set", "projects.rating.arrivals_per_week", "must be positive")),
        Case(f"{command}-set-typo", command, ("{mini}", "--set", "dispatch.polcy=random", *out),
             ("--set", "dispatch.polcy", "did you mean `policy`?")),
        Case(f"{command}-set-syntax", command, ("{mini}", "--set", "dispatch.policy", *out),
             ("--set", "expected KEY=VALUE")),
        Case(f"{command}-huge-count", command, ("{mini}", *out),
             ("{mini}", "workers.raters.count", "at most 1e+09"), mini=HUGE_COUNT),
        Case(f"{command}-huge-rate", command, ("{mini}", *out),
             ("{mini}", "workers.raters.arrivals_per_week", "at most 1e+09"), mini=HUGE_RATE),
        Case(f"{command}-huge-pay", command, ("{mini}", *out),
             ("{mini}", "projects.rating.pay_per_hour", "too large to compute with"),
             mini=HUGE_PAY),
        Case(f"{command}-too-big", command, ("{mini}", *out),
             ("{mini}", "workers.raters.count", "too big to run here", "lower"),
             mini=BIG_COUNT),
        Case(f"{command}-no-file", command, ("{folder}/nope.toml", *out),
             ("nope.toml", "no such file")),
        Case(f"{command}-bad-toml", command, ("{mini}", *out), ("{mini}", "invalid TOML"),
             mini=BAD_TOML),
        Case(f"{command}-both-supplies", command, ("{mini}", *out),
             ("{mini}", "projects.rating.task_supply", "not both"), mini=BOTH_SUPPLIES),
        Case(f"{command}-unknown-client", command, ("{mini}", *out),
             ("{mini}", "projects.rating.client", "no client named 'acme'",
              "did you mean `acne`?"), mini=UNKNOWN_CLIENT),
        Case(f"{command}-no-clients", command, ("{mini}", *out),
             ("{mini}", "projects.rating.client", "add a [[clients]] table"), mini=NO_CLIENTS),
        Case(f"{command}-client-lifetime", command, ("{mini}", *out),
             ("{mini}", "clients.acme.lifetime", "units"), mini=CLIENT_LIFETIME),
        Case(f"{command}-test-pass", command, ("{mini}", *out),
             ("{mini}", "projects.rating.qualification.pass_probability", "[0, 1]"),
             mini=TEST_PASS),
        Case(f"{command}-test-hours", command, ("{mini}", *out),
             ("{mini}", "projects.rating.qualification.hours", "missing required key"),
             mini=TEST_NO_HOURS),
        Case(f"{command}-test-paid", command, ("{mini}", *out),
             ("{mini}", "projects.rating.qualification.pay_per_hour", "positive"),
             mini=TEST_PAID_FREE),
        Case(f"{command}-max-projects-0", command, ("{mini}", *out),
             ("{mini}", "workers.raters.max_projects", "must be positive, got 0"),
             mini=NO_PROJECTS_AT_ONCE),
        Case(f"{command}-max-projects-1.5", command, ("{mini}", *out),
             ("{mini}", "workers.raters.max_projects", "whole number, got 1.5"),
             mini=HALF_A_PROJECT),
        Case(f"{command}-negative-floor", command, ("{mini}", *out),
             ("{mini}", "workers.raters.minimum_pay_per_hour", "negative"),
             mini=NEGATIVE_FLOOR),
        Case(f"{command}-pay-every-0", command, ("{mini}", *out),
             ("{mini}", "pay.every", "must be a positive duration, got 0"), mini=PAY_EVERY_0),
        Case(f"{command}-pay-lag-negative", command, ("{mini}", *out),
             ("{mini}", "pay.lag", "zero or a positive duration", "'-3d'"),
             mini=PAY_LAG_NEGATIVE),
        Case(f"{command}-pay-minimum-negative", command, ("{mini}", *out),
             ("{mini}", "pay.minimum_usd", "must be zero or positive, got -10"),
             mini=PAY_MINIMUM_NEGATIVE),
        Case(f"{command}-pay-typo", command, ("{mini}", *out),
             ("{mini}", "pay.minimum", "did you mean `minimum_usd`?"), mini=PAY_TYPO),
        Case(f"{command}-review-longer-than-horizon", command, ("{mini}", *out),
             ("{mini}", "workers.raters.review_every", "never comes within the horizon"),
             mini=REVIEW_LONG),
        Case(f"{command}-review-window-0", command, ("{mini}", *out),
             ("{mini}", "workers.raters.review_window", "must be a positive duration, got 0"),
             mini=REVIEW_WINDOW_0),
        Case(f"{command}-review-every-0", command, ("{mini}", *out),
             ("{mini}", "workers.raters.review_every", "must be a positive duration"),
             mini=REVIEW_EVERY_0),
        Case(f"{command}-reservation-partly", command, ("{mini}", *out),
             ("{mini}", "workers.raters.review_every", "together",
              "reservation_wage, review_window given without review_every"),
             mini=RESERVATION_PARTLY),
        Case(f"{command}-return-probability", command, ("{mini}", *out),
             ("{mini}", "workers.raters.return.probability", "[0, 1]", "1.5"),
             mini=RETURN_PROBABILITY),
        Case(f"{command}-set-pay-every", command, ("{mini}", "--set", "pay.every=12h", *out),
             ("--set", "pay.every", "at least 1d", "'12h'")),
        Case(f"{command}-unknown-platform", command, ("{mini}", *out),
             ("{mini}", "projects.rating.platform", "no platform named 'C'", "A, B"),
             mini=UNKNOWN_PLATFORM),
        Case(f"{command}-no-platform", command, ("{mini}", *out),
             ("{mini}", "projects.rating.platform", "missing required key", "A, B"),
             mini=NO_PLATFORM),
        Case(f"{command}-joins-none", command, ("{mini}", *out),
             ("{mini}", "workers.raters.platforms", "non-empty list", "[]"), mini=JOINS_NONE),
        Case(f"{command}-joins-unknown", command, ("{mini}", *out),
             ("{mini}", "workers.raters.platforms", "no platform named 'Z'"),
             mini=JOINS_UNKNOWN),
        Case(f"{command}-assessed-not-joined", command, ("{mini}", *out),
             ("{mini}", "workers.raters.assessments.A", "does not join 'A'"),
             mini=ASSESSED_NOT_JOINED),
        Case(f"{command}-one-assessment-two-platforms", command, ("{mini}", *out),
             ("{mini}", "workers.raters.assessment", "assessments.<platform>"),
             mini=ONE_ASSESSMENT_TWO_PLATFORMS),
        Case(f"{command}-top-level-pay", command, ("{mini}", *out),
             ("{mini}", "pay", "each platform has its own"), mini=TOP_LEVEL_PAY),
        Case(f"{command}-set-platform-delay", command,
             ("{mini}", "--set", "platforms.B.dispatch.delay=-1d", *out),
             ("--set", "platforms.B.dispatch.delay"), mini=TWO_PLATFORMS),
        Case(f"{command}-set-pay-lag", command,
             ("{mini}", "--set", "pay.every=2w", "--set", "pay.lag=-1", *out),
             ("--set", "pay.lag", "zero or a positive duration", "got -1")),
    ]
CASES += [
    Case("run-replications", "run", ("{mini}", "-r", "0", *OUT), ("--replications",
                                                                   "at least 1")),
    Case("run-tables", "run", ("{mini}", "--tables", "spels", *OUT),
         ("--tables", "did you mean `spells`?")),
    Case("run-tables-payments", "run", ("{mini}", "--tables", "payments", *OUT),
         ("--tables", "payments needs a pay schedule ([pay]", "received as it is earned")),
    Case("compare-no-variant", "compare", ("{mini}", *OUT), ("give at least one --variant",)),
    Case("compare-variant-typo", "compare", ("{mini}", "--variant", "x:dispatch.polcy=random",
                                             *OUT),
         ("variant 'x'", "dispatch.polcy", "did you mean `policy`?")),
    Case("compare-variant-syntax", "compare", ("{mini}", "--variant", "x", *OUT),
         ("--variant", "NAME:KEY=VALUE")),
    Case("compare-set", "compare", ("{mini}", "--variant", "a:", "--set",
                                    "workers.raters.count=-3", *OUT),
         ("--set", "workers.raters.count", "zero or positive")),
    Case("compare-metrics", "compare", ("{mini}", "--variant", "a:", "--metrics", "gini",
                                        *OUT),
         ("--metrics", "unknown metric `gini`")),
    Case("compare-sweep-file", "compare", ("{sweep}", "--variant", "a:", *OUT),
         ("{sweep}", "this is a sweep file")),
    Case("compare-too-big", "compare", ("{mini}", "--variant", "a:", *OUT),
         ("{mini}", "workers.raters.count", "too big to run here"), mini=BIG_COUNT),
    Case("sweep-scenario", "sweep", ("{mini}", *OUT),
         ("{mini}", "this is a scenario file", "gigsim run {mini}")),
    Case("sweep-set-sweep-key", "sweep", ("{sweep}", "--set", "replications=3", *OUT),
         ("--set replications", "use --replications")),
    Case("sweep-set-scenario-key", "sweep", ("{sweep}", "--set", "dispatch.polcy=x", *OUT),
         ("--set", "dispatch.polcy", "did you mean `policy`?")),
    Case("sweep-grid-value", "sweep", ("{sweep}", *OUT), ("{sweep}", "grid.dispatch.delay"),
         sweep=SWEEP_TOML.replace('["1d", "2d"]', '["1d", 2]')),
    Case("sweep-replications", "sweep", ("{sweep}", "-r", "0", *OUT), ("--replications",
                                                                        "at least 1")),
    Case("sweep-scheduler-timeout", "sweep", ("{sweep}", "--scheduler-timeout", "0", *OUT),
         ("--scheduler-timeout", "must be positive, got 0")),
    Case("calibrate-scheduler-timeout", "calibrate", ("{mini}", "--scheduler-timeout", "-1",
                                                      *OUT),
         ("--scheduler-timeout", "must be positive, got -1")),
    Case("calibrate-scheduler-timeout-nan", "calibrate", ("{mini}", "--scheduler-timeout",
                                                          "nan", *OUT),
         ("--scheduler-timeout", "must be positive, got nan")),
    Case("sensitivity-grid-file", "sensitivity", ("{sweep}", *OUT),
         ("{sweep}", "has no [sensitivity] table")),
    Case("sensitivity-set-n", "sensitivity", ("{sweep}", "--set", "sensitivity.n=8", *OUT),
         ("--set sensitivity.n", "use --n")),
    Case("sensitivity-scenario", "sensitivity", ("{mini}", *OUT),
         ("{mini}", "this is a scenario file")),
    Case("report-missing", "report", ("{folder}/nothing",), ("nothing", "not a results folder")),
    Case("report-file", "report", ("{mini}",), ("{mini}", "not a results folder")),
    Case("estimate-hours", "estimate", ("--hours-per-week", "0"),
         ("--hours-per-week", "must be more than 0")),
    Case("estimate-months", "estimate", ("--months", "0"), ("--months", "from 1 to 120")),
    Case("estimate-group", "estimate", ("--scenario", "{mini}", "--group", "nobody"),
         ("--group 'nobody'", "no worker group of that name")),
    Case("estimate-scenario-typo", "estimate", ("--scenario", "{mini}", "--group", "raters"),
         ("{mini}", "projects.rating.arivals_per_week", "did you mean"), mini=TYPO),
    Case("estimate-sweep-file", "estimate", ("--scenario", "{sweep}", "--group", "raters"),
         ("{sweep}", "this is a sweep file")),
    Case("estimate-set", "estimate", ("--set", "projects.rating.arrivals_per_week=-1"),
         ("--set", "projects.rating.arrivals_per_week", "must be positive")),
    Case("estimate-precision", "estimate", ("--precision", "0"), ("--precision", "0")),
    Case("estimate-time-budget", "estimate", ("--time-budget", "-1"),
         ("--time-budget", "above 0")),
    Case("estimate-budget-with-r", "estimate", ("-r", "4", "--time-budget", "30"),
         ("--time-budget", "not with -r/--replications")),
    # warmup = "auto" on the minimal scenario's 4 weeks: too short for its pilot
    Case("compare-warmup-auto", "compare", ("{mini}", "--variant", "a:", *OUT),
         ("{mini}", "simulation.warmup", "at least 10 weeks"), mini=WARMUP_AUTO),
    Case("compare-variant-warmup-auto", "compare",
         ("{mini}", "--variant", "a:", "--variant", "b:simulation.warmup=auto", *OUT),
         ("--set", "simulation.warmup", "at least 10 weeks")),
    Case("sweep-warmup-auto", "sweep", ("{sweep}", "--warmup", "auto", *OUT),
         ("at point 0", "simulation.warmup", "at least 10 weeks")),
    Case("estimate-warmup-auto", "estimate",
         ("--scenario", "{mini}", "--group", "raters", "--warmup", "auto"),
         ("--set", "simulation.warmup", "at least 10 weeks")),
    Case("run-set-client", "run", ("{mini}", "--set", "clients.acme.lifetime=0", *OUT),
         ("--set", "clients.acme.lifetime", "positive"), mini=CLIENT_LIFETIME.replace(
             "lifetime = 6", 'lifetime = "6mo"')),
]


def entries(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_gets_one_line_exit_2_and_writes_nothing(case: Case, tmp_path: Path) -> None:
    mini = tmp_path / "mini.toml"
    mini.write_text(case.mini, encoding="utf-8")
    sweep = tmp_path / "sweep.toml"
    sweep.write_text(case.sweep.format(scenario=(tmp_path / "base.toml").as_posix()),
                     encoding="utf-8")
    (tmp_path / "base.toml").write_text(MINIMAL_TOML, encoding="utf-8")
    out = tmp_path / "out"

    def fill(text: str) -> str:
        return text.format(mini=mini, sweep=sweep, out=out, folder=tmp_path)

    before = entries(tmp_path)
    result = invoke(case.command, *(fill(a) for a in case.args))
    assert_one_line_error(result, *(fill(f) for f in case.fragments))
    assert entries(tmp_path) == before  # no results folder, staging folder or report


COMMANDS = ("run", "validate", "compare", "sweep", "sensitivity", "report", "estimate",
            "calibrate")


def test_every_command_is_in_the_battery() -> None:
    assert {c.command for c in CASES} == set(COMMANDS)


def test_the_battery_inputs_are_bad_only_where_meant(tmp_path: Path) -> None:
    """The files the cases start from are valid: each case's one change is what fails."""
    mini = tmp_path / "mini.toml"
    mini.write_text(MINIMAL_TOML, encoding="utf-8")
    assert_ok(invoke("validate", mini))
    mini.write_text(TWO_PLATFORMS, encoding="utf-8")  # the several platforms' cases start here
    assert_ok(invoke("validate", mini))
    assert_ok(invoke("run", mini, "--out", tmp_path / "two", "-q"))
    (tmp_path / "base.toml").write_text(MINIMAL_TOML, encoding="utf-8")
    sweep = tmp_path / "sweep.toml"
    sweep.write_text(SWEEP_TOML.format(scenario=(tmp_path / "base.toml").as_posix()),
                     encoding="utf-8")
    assert_ok(invoke("sweep", sweep, "--jobs", "1", "--out", tmp_path / "o", "-q"))
