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


def edited(text: str, old: str | tuple[str, ...], new: str | tuple[str, ...]) -> str:
    """``text`` with ``old`` (each of several, in turn) replaced by ``new``; ``""``: appended."""
    if isinstance(old, str) and isinstance(new, str):
        old, new = (old,), (new,)
    for before, after in zip(old, new, strict=True):
        if before == "":
            text += after
        else:
            assert text.count(before) == 1, before
            text = text.replace(before, after)
    return text


# several platforms (issue 22 item 1): raters on A and B, the project on A
TWO_PLATFORMS = edited(
    MINIMAL_TOML,
    ('assessment = { hours = 1, paid = false, pass_probability = 0.5, wait = "3d" }\n',
     'requires = "generalist"\n', "[dispatch]\n", ""),
    ('platforms = ["A", "B"]\nassessments.A = { hours = 1, pass_probability = 0.5, wait = "3d" }\n',
     'requires = "generalist"\nplatform = "A"\n',
     '[[platforms]]\nname = "A"\n[platforms.dispatch]\n',
     '\n[[platforms]]\nname = "B"\npay = { every = "1w" }\n'))
# the project's client (issue 19), with a [[clients]] table
CLIENT = edited(MINIMAL_TOML, ("hours_per_week_per_seat = 20\n", ""),
                ('hours_per_week_per_seat = 20\nclient = "acme"\n',
                 '\n[[clients]]\nname = "acme"\nlifetime = "6mo"\n'))
BASES = {"mini": MINIMAL_TOML, "two platforms": TWO_PLATFORMS, "client": CLIENT}
SEAT_HOURS = "hours_per_week_per_seat = 20\n"
COUNT = "count = 30"

# One mistake in a scenario file, for `run` and `validate`: (case, the file it starts from,
# old text, new text (old "": appended), what the error line holds besides the file's name).
FILE_MISTAKES: list[tuple[str, str, str | tuple[str, ...], str | tuple[str, ...],
                          tuple[str, ...]]] = [
    ("typo", "mini", "arrivals_per_week = 1\n", "arivals_per_week = 1\n",
     ("projects.rating.arivals_per_week", "did you mean `arrivals_per_week`?")),
    ("huge-count", "mini", COUNT, "count = 1e308", ("workers.raters.count", "at most 1e+09")),
    ("huge-rate", "mini", "arrivals_per_week = 2", "arrivals_per_week = 9999999999",
     ("workers.raters.arrivals_per_week", "at most 1e+09")),
    ("huge-pay", "mini", 'pay_per_hour = { dist = "uniform", low = 15, high = 18 }',
     "pay_per_hour = 1e308", ("projects.rating.pay_per_hour", "too large to compute with")),
    ("too-big", "mini", COUNT, "count = 999999999",
     ("workers.raters.count", "too big to run here", "lower")),
    ("bad-toml", "mini", "", "\n[dispatch\n", ("invalid TOML",)),
    # the work model's keys (issue 19)
    ("both-supplies", "mini", SEAT_HOURS, SEAT_HOURS + "task_supply = 200\n",
     ("projects.rating.task_supply", "not both")),
    ("unknown-client", "client", 'name = "acme"', 'name = "acne"',
     ("projects.rating.client", "no client named 'acme'", "did you mean `acne`?")),
    ("no-clients", "mini", SEAT_HOURS, SEAT_HOURS + 'client = "acme"\n',
     ("projects.rating.client", "add a [[clients]] table")),
    ("client-lifetime", "client", 'lifetime = "6mo"', "lifetime = 6",
     ("clients.acme.lifetime", "units")),
    ("test-pass", "mini", SEAT_HOURS,
     SEAT_HOURS + "qualification = { hours = 2, pass_probability = 1.5 }\n",
     ("projects.rating.qualification.pass_probability", "[0, 1]")),
    ("test-hours", "mini", SEAT_HOURS, SEAT_HOURS + "qualification = { pass_probability = 0.5 }\n",
     ("projects.rating.qualification.hours", "missing required key")),
    ("test-paid", "mini", SEAT_HOURS,
     SEAT_HOURS + "qualification = { hours = 2, paid = true, pass_probability = 0.5 }\n",
     ("projects.rating.qualification.pay_per_hour", "positive")),
    ("max-projects-0", "mini", COUNT, COUNT + "\nmax_projects = 0",
     ("workers.raters.max_projects", "must be positive, got 0")),
    ("max-projects-1.5", "mini", COUNT, COUNT + "\nmax_projects = 1.5",
     ("workers.raters.max_projects", "whole number, got 1.5")),
    ("negative-floor", "mini", COUNT, COUNT + "\nminimum_pay_per_hour = -5",
     ("workers.raters.minimum_pay_per_hour", "negative")),
    # the pay schedule (issue 22 item 2)
    ("pay-every-0", "mini", "", "\n[pay]\nevery = 0\n",
     ("pay.every", "must be a positive duration, got 0")),
    ("pay-lag-negative", "mini", "", '\n[pay]\nevery = "1w"\nlag = "-3d"\n',
     ("pay.lag", "zero or a positive duration", "'-3d'")),
    ("pay-minimum-negative", "mini", "", '\n[pay]\nevery = "1w"\nminimum_usd = -10\n',
     ("pay.minimum_usd", "must be zero or positive, got -10")),
    ("pay-typo", "mini", "", '\n[pay]\nevery = "1w"\nminimum = 10\n',
     ("pay.minimum", "did you mean `minimum_usd`?")),
    # workers' choices (issue 22 item 3): a reservation wage reviewed, and return
    ("review-longer-than-horizon", "mini", COUNT,
     COUNT + '\nreservation_wage = 12\nreview_every = "8w"\nreview_window = "4w"',
     ("workers.raters.review_every", "never comes within the horizon")),
    ("review-window-0", "mini", COUNT,
     COUNT + '\nreservation_wage = 12\nreview_every = "1w"\nreview_window = 0',
     ("workers.raters.review_window", "must be a positive duration, got 0")),
    ("review-every-0", "mini", COUNT,
     COUNT + '\nreservation_wage = 12\nreview_every = "0d"\nreview_window = "4w"',
     ("workers.raters.review_every", "must be a positive duration")),
    ("reservation-partly", "mini", COUNT, COUNT + '\nreservation_wage = 12\nreview_window = "4w"',
     ("workers.raters.review_every", "together",
      "reservation_wage, review_window given without review_every")),
    ("return-probability", "mini", COUNT,
     COUNT + '\nreturn = { probability = 1.5, after = "2w" }',
     ("workers.raters.return.probability", "[0, 1]", "1.5")),
    # several platforms (issue 22 item 1)
    ("unknown-platform", "two platforms", 'platform = "A"', 'platform = "C"',
     ("projects.rating.platform", "no platform named 'C'", "A, B")),
    ("no-platform", "two platforms", 'platform = "A"\n', "",
     ("projects.rating.platform", "missing required key", "A, B")),
    ("joins-none", "two platforms", 'platforms = ["A", "B"]', "platforms = []",
     ("workers.raters.platforms", "non-empty list", "[]")),
    ("joins-unknown", "two platforms", 'platforms = ["A", "B"]', 'platforms = ["A", "Z"]',
     ("workers.raters.platforms", "no platform named 'Z'")),
    ("assessed-not-joined", "two platforms", ('platforms = ["A", "B"]', 'platform = "A"'),
     ('platforms = ["B"]', 'platform = "B"'),
     ("workers.raters.assessments.A", "does not join 'A'")),
    ("one-assessment-two-platforms", "two platforms", "assessments.A =", "assessment =",
     ("workers.raters.assessment", "assessments.<platform>")),
    ("top-level-pay", "two platforms", "", '\n[pay]\nevery = "1w"\n',
     ("pay", "each platform has its own")),
]
# A mistake on the command line of `run` and `validate`: (case, the file, its arguments after
# the file, what the error line holds).
OPTION_MISTAKES: list[tuple[str, str, tuple[str, ...], tuple[str, ...]]] = [
    ("set-value", "mini", ("--set", "projects.rating.arrivals_per_week=-1"),
     ("--set", "projects.rating.arrivals_per_week", "must be positive")),
    ("set-typo", "mini", ("--set", "dispatch.polcy=random"),
     ("--set", "dispatch.polcy", "did you mean `policy`?")),
    ("set-syntax", "mini", ("--set", "dispatch.policy"), ("--set", "expected KEY=VALUE")),
    ("set-pay-every", "mini", ("--set", "pay.every=12h"),
     ("--set", "pay.every", "at least 1d", "'12h'")),
    ("set-platform-delay", "two platforms", ("--set", "platforms.B.dispatch.delay=-1d"),
     ("--set", "platforms.B.dispatch.delay")),
    ("set-pay-lag", "mini", ("--set", "pay.every=2w", "--set", "pay.lag=-1"),
     ("--set", "pay.lag", "zero or a positive duration", "got -1")),
]
MISTAKEN = {name: edited(BASES[base], old, new) for name, base, old, new, _ in FILE_MISTAKES}

SCENARIO_COMMANDS = ("run", "validate")
OUT = ("--out", "{out}")

CASES: list[Case] = []
for command in SCENARIO_COMMANDS:
    out = OUT if command == "run" else ()
    CASES += [Case(f"{command}-{name}", command, ("{mini}", *out), ("{mini}", *fragments),
                   mini=MISTAKEN[name])
              for name, _, _, _, fragments in FILE_MISTAKES]
    CASES += [Case(f"{command}-{name}", command, ("{mini}", *args, *out), fragments,
                   mini=BASES[base])
              for name, base, args, fragments in OPTION_MISTAKES]
    CASES += [
        Case(f"{command}-sweep-file", command, ("{sweep}", *out),
             ("{sweep}", "this is a sweep file", "gigsim sweep {sweep}")),
        Case(f"{command}-no-file", command, ("{folder}/nope.toml", *out),
             ("nope.toml", "no such file")),
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
         ("{mini}", "workers.raters.count", "too big to run here"), mini=MISTAKEN["too-big"]),
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
         ("{mini}", "projects.rating.arivals_per_week", "did you mean"), mini=MISTAKEN["typo"]),
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
         ("{mini}", "simulation.warmup", "at least 10 weeks"),
         mini=edited(MINIMAL_TOML, 'warmup = "1w"', 'warmup = "auto"')),
    Case("compare-variant-warmup-auto", "compare",
         ("{mini}", "--variant", "a:", "--variant", "b:simulation.warmup=auto", *OUT),
         ("--set", "simulation.warmup", "at least 10 weeks")),
    Case("sweep-warmup-auto", "sweep", ("{sweep}", "--warmup", "auto", *OUT),
         ("at point 0", "simulation.warmup", "at least 10 weeks")),
    Case("estimate-warmup-auto", "estimate",
         ("--scenario", "{mini}", "--group", "raters", "--warmup", "auto"),
         ("--set", "simulation.warmup", "at least 10 weeks")),
    Case("run-set-client", "run", ("{mini}", "--set", "clients.acme.lifetime=0", *OUT),
         ("--set", "clients.acme.lifetime", "positive"), mini=CLIENT),
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
    mini.write_text(CLIENT, encoding="utf-8")  # the clients' cases start here
    assert_ok(invoke("validate", mini))
    (tmp_path / "base.toml").write_text(MINIMAL_TOML, encoding="utf-8")
    sweep = tmp_path / "sweep.toml"
    sweep.write_text(SWEEP_TOML.format(scenario=(tmp_path / "base.toml").as_posix()),
                     encoding="utf-8")
    assert_ok(invoke("sweep", sweep, "--jobs", "1", "--out", tmp_path / "o", "-q"))
