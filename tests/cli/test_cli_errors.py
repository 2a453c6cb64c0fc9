"""Bad input to ``gigsim validate`` and ``gigsim run``: one line on stderr, exit 2, no output.

Each bad scenario is the minimal valid scenario with exactly one thing broken.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import Result

from gigsim.scenario.policies import policy_names

from ._support import (
    MINIMAL_TOML,
    SCENARIOS,
    SMALL_GENERALIST,
    assert_one_line_error,
    hidden_entries,
    invoke,
)

COMMANDS = ("validate", "run")


@dataclass(frozen=True)
class Bad:
    """Replace ``old`` (which occurs once in the minimal scenario) by ``new``."""

    id: str
    old: str
    new: str
    key: str  # the dotted key the message must name
    fragments: tuple[str, ...] = ()


def broken(old: str, new: str) -> str:
    assert MINIMAL_TOML.count(old) == 1, f"{old!r} must occur exactly once"
    return MINIMAL_TOML.replace(old, new)


def check_command(command: str, path: Path, tmp_path: Path, *extra: str) -> tuple[Result, Path]:
    """Run ``command`` on ``path``; for ``run``, with an --out folder that must stay absent."""
    out = tmp_path / "out"
    args: list[str | Path] = [command, path, *extra]
    if command == "run":
        args += ["--out", out]
    return invoke(*args), out


def assert_nothing_written(out: Path) -> None:
    assert not out.exists(), sorted(p.name for p in out.iterdir())
    assert hidden_entries(out.parent) == []


LIFETIME = 'lifetime = { dist = "lognormal", median = "2w", sigma = 1.0 }'
SEATS = 'seats = { dist = "poisson", mean = 10 }'
PAY = 'pay_per_hour = { dist = "uniform", low = 15, high = 18 }'
NOTICE = 'notice = { probability = 0.2, duration = "1w" }'
TRAINING = "training = { hours = 2, paid_probability = 0.3 }"
SPARSE = "sparse = { fraction_of_life = 0.25, supply_factor = 0.25 }"
ASSESSMENT = 'assessment = { hours = 1, paid = false, pass_probability = 0.5, wait = "3d" }'
QUALITY = 'quality = { dist = "beta", a = 5, b = 2 }'
HOURS = 'hours_per_week = { dist = "uniform", low = 10, high = 30 }'
DELAY = 'delay = { dist = "exponential", mean = "3d" }'
SIMULATION = '[simulation]\nhorizon = "4w"\nwarmup = "1w"\nreplications = 1\nseed = 1\n'

UNKNOWN_KEYS = [
    Bad("top-level", 'name = "mini"\n', 'name = "mini"\ncolour = "red"\n', "colour",
        ("unknown key",)),
    Bad("simulation", "seed = 1\n", "seed = 1\nspeed = 2\n", "simulation.speed",
        ("unknown key", "horizon")),
    Bad("worker-group", "count = 30\n", "count = 30\nhourly = 3\n", "workers.raters.hourly",
        ("unknown key",)),
    Bad("project-generator", "hours_per_week_per_seat = 20\n",
        "hours_per_week_per_seat = 20\nbonus = 5\n", "projects.rating.bonus", ("unknown key",)),
    Bad("sub-table", NOTICE, 'notice = { probability = 0.2, duration = "1w", days = 3 }',
        "projects.rating.notice.days", ("unknown key",)),
    Bad("distribution-parameter", SEATS, 'seats = { dist = "poisson", mean = 10, sd = 2 }',
        "projects.rating.seats.sd", ("unknown parameter",)),
    Bad("dispatch", "pre_assign_on_notice = true\n",
        'pre_assign_on_notice = true\nprefer = "old"\n', "dispatch.prefer", ("unknown key",)),
]

MISSING_KEYS = [
    Bad("name", 'name = "mini"\n', "", "name", ("missing",)),
    Bad("horizon", 'horizon = "4w"\n', "", "simulation.horizon", ("missing",)),
    Bad("simulation", SIMULATION, "", "simulation", ("missing",)),
    Bad("skills", 'skills = ["generalist"]\n', "", "workers.raters.skills", ("missing",)),
    Bad("hours-per-week", HOURS + "\n", "", "workers.raters.hours_per_week", ("missing",)),
    Bad("requires", 'requires = "generalist"\n', "", "projects.rating.requires", ("missing",)),
    Bad("lifetime", LIFETIME + "\n", "", "projects.rating.lifetime", ("missing",)),
    Bad("notice-duration", NOTICE, "notice = { probability = 0.2 }",
        "projects.rating.notice.duration", ("missing",)),
    Bad("assessment-pass-probability", ASSESSMENT,
        'assessment = { hours = 1, paid = false, wait = "3d" }',
        "workers.raters.assessment.pass_probability", ("missing",)),
]

WRONG_TYPES = [
    Bad("count-string", "count = 30", 'count = "many"', "workers.raters.count",
        ("expected a number", "many")),
    Bad("rate-string", "arrivals_per_week = 1\n", 'arrivals_per_week = "1"\n',
        "projects.rating.arrivals_per_week", ("expected a number",)),
    Bad("seed-fraction", "seed = 1\n", "seed = 1.5\n", "simulation.seed", ("whole number",)),
    Bad("skills-string", 'skills = ["generalist"]', 'skills = "generalist"',
        "workers.raters.skills", ("list",)),
    Bad("boolean-string", "pre_assign_on_notice = true", 'pre_assign_on_notice = "yes"',
        "dispatch.pre_assign_on_notice", ("true or false",)),
    Bad("policy-number", 'policy = "longest-idle"', "policy = 3", "dispatch.policy",
        ("expected a string",)),
    Bad("distribution-string", HOURS, 'hours_per_week = "twenty"',
        "workers.raters.hours_per_week", ("twenty",)),
    Bad("distribution-boolean", SEATS, "seats = true", "projects.rating.seats", ("True",)),
    Bad("parameter-string", SEATS, 'seats = { dist = "poisson", mean = "ten" }',
        "projects.rating.seats.mean", ("expected a number",)),
    Bad("table-scalar", SIMULATION, 'simulation = "4w"\n', "simulation",
        ("expected a table",)),
    Bad("sub-table-scalar", TRAINING, "training = 2", "projects.rating.training",
        ("expected a table",)),
    Bad("array-of-tables-as-table", "[[workers]]", "[workers]", "workers", ("[[workers]]",)),
]

NOT_POSITIVE = [
    Bad("project-rate-zero", "arrivals_per_week = 1\n", "arrivals_per_week = 0\n",
        "projects.rating.arrivals_per_week", ("positive",)),
    Bad("project-rate-negative", "arrivals_per_week = 1\n", "arrivals_per_week = -1.5\n",
        "projects.rating.arrivals_per_week", ("positive",)),
    Bad("worker-rate-negative", "arrivals_per_week = 2\n", "arrivals_per_week = -2\n",
        "workers.raters.arrivals_per_week", ("positive",)),
    Bad("leave-rate-negative", "checking_hours_per_day = 0.5\n",
        "checking_hours_per_day = 0.5\nleave_rate_per_year = -0.4\n",
        "workers.raters.leave_rate_per_year", ("positive",)),
    Bad("count-negative", "count = 30", "count = -3", "workers.raters.count", ("positive",)),
    Bad("replications-zero", "replications = 1", "replications = 0",
        "simulation.replications", ("positive",)),
    Bad("seats-zero", SEATS, "seats = 0", "projects.rating.seats", ("seat",)),
    Bad("seats-mean-negative", SEATS, 'seats = { dist = "poisson", mean = -10 }',
        "projects.rating.seats.mean", ("positive",)),
    Bad("hours-per-week-zero", HOURS, "hours_per_week = 0", "workers.raters.hours_per_week",
        ("positive",)),
    Bad("supply-zero", "hours_per_week_per_seat = 20", "hours_per_week_per_seat = 0",
        "projects.rating.hours_per_week_per_seat", ("positive",)),
    Bad("pay-negative", PAY, "pay_per_hour = -16", "projects.rating.pay_per_hour",
        ("negative",)),
    Bad("checking-negative", "checking_hours_per_day = 0.5", "checking_hours_per_day = -0.5",
        "workers.raters.checking_hours_per_day", ("positive",)),
    Bad("training-hours-negative", TRAINING, "training = { hours = -2, paid_probability = 0.3 }",
        "projects.rating.training.hours", ("positive",)),
    Bad("horizon-zero", 'horizon = "4w"', 'horizon = "0w"', "simulation.horizon",
        ("positive",)),
    Bad("horizon-number-zero", 'horizon = "4w"', "horizon = 0", "simulation.horizon",
        ("positive",)),
    Bad("lifetime-zero", LIFETIME, 'lifetime = "0d"', "projects.rating.lifetime",
        ("positive",)),
    Bad("lifetime-median-zero", LIFETIME, 'lifetime = { dist = "lognormal", median = "0w",'
        " sigma = 1.0 }", "projects.rating.lifetime.median", ("positive",)),
    Bad("notice-duration-zero", NOTICE, 'notice = { probability = 0.2, duration = "0d" }',
        "projects.rating.notice.duration", ("positive",)),
    Bad("patience-zero", 'patience = { dist = "lognormal", median = "8w", sigma = 0.5 }',
        'patience = "0d"', "workers.raters.patience", ("positive",)),
    Bad("delay-mean-zero", DELAY, 'delay = { dist = "exponential", mean = "0h" }',
        "dispatch.delay.mean", ("positive",)),
    Bad("horizon-infinite", 'horizon = "4w"', 'horizon = "1e400h"', "simulation.horizon",
        ("finite",)),
]

PROBABILITIES = [
    Bad("notice-above-one", NOTICE, 'notice = { probability = 1.5, duration = "1w" }',
        "projects.rating.notice.probability", ("[0, 1]", "1.5")),
    Bad("notice-negative", NOTICE, 'notice = { probability = -0.1, duration = "1w" }',
        "projects.rating.notice.probability", ("[0, 1]",)),
    Bad("training-paid", TRAINING, "training = { hours = 2, paid_probability = 2 }",
        "projects.rating.training.paid_probability", ("[0, 1]",)),
    Bad("assessment-pass", ASSESSMENT,
        'assessment = { hours = 1, paid = false, pass_probability = 1.01, wait = "3d" }',
        "workers.raters.assessment.pass_probability", ("[0, 1]",)),
    Bad("sparse-fraction", SPARSE, "sparse = { fraction_of_life = -0.25, supply_factor = 0.25 }",
        "projects.rating.sparse.fraction_of_life", ("[0, 1]",)),
    Bad("sparse-factor", SPARSE, "sparse = { fraction_of_life = 0.25, supply_factor = 1.5 }",
        "projects.rating.sparse.supply_factor", ("[0, 1]",)),
    Bad("quality-constant", QUALITY, "quality = 1.5", "workers.raters.quality", ("[0, 1]",)),
    Bad("quality-uniform", QUALITY, 'quality = { dist = "uniform", low = 0.5, high = 2 }',
        "workers.raters.quality", ("[0, 1]",)),
]



def suggests(number: int) -> tuple[str, ...]:
    """What the message for a bare number where a duration belongs must offer."""
    return ("units", f'"{number}h"', f'"{number}d"', f'"{number}w"')


BARE_DURATIONS = [
    Bad("horizon", 'horizon = "4w"', "horizon = 4", "simulation.horizon", suggests(4)),
    Bad("lifetime", LIFETIME, "lifetime = 14", "projects.rating.lifetime", suggests(14)),
    Bad("lifetime-median", LIFETIME, 'lifetime = { dist = "lognormal", median = 14, sigma = 1 }',
        "projects.rating.lifetime.median", suggests(14)),
    Bad("notice-duration", NOTICE, "notice = { probability = 0.2, duration = 7 }",
        "projects.rating.notice.duration", suggests(7)),
    Bad("assessment-wait", ASSESSMENT,
        "assessment = { hours = 1, paid = false, pass_probability = 0.5, wait = 3 }",
        "workers.raters.assessment.wait", suggests(3)),
    Bad("delay-mean", DELAY, 'delay = { dist = "exponential", mean = 72 }',
        "dispatch.delay.mean", suggests(72)),
    Bad("delay", DELAY, "delay = 3", "dispatch.delay", suggests(3)),
]

UNKNOWN_UNITS = [
    Bad("horizon", 'horizon = "4w"', 'horizon = "4 weeks"', "simulation.horizon", ("weeks",)),
    Bad("warmup", 'warmup = "1w"', 'warmup = "1wk"', "simulation.warmup", ("wk",)),
    Bad("lifetime-median", LIFETIME,
        'lifetime = { dist = "lognormal", median = "2fortnights", sigma = 1.0 }',
        "projects.rating.lifetime.median", ("fortnights",)),
    Bad("assessment-wait", ASSESSMENT,
        'assessment = { hours = 1, paid = false, pass_probability = 0.5, wait = "3days" }',
        "workers.raters.assessment.wait", ("days",)),
    Bad("delay-mean", DELAY, 'delay = { dist = "exponential", mean = "3s" }',
        "dispatch.delay.mean", ("'s'",)),
]

DISTRIBUTIONS = [
    Bad("unknown-name", SEATS, 'seats = { dist = "zipf", a = 2 }', "projects.rating.seats.dist",
        ("unknown distribution", "zipf", "poisson", "lognormal", "empirical")),
    Bad("unknown-name-duration", DELAY, 'delay = { dist = "normal", mean = "3d" }',
        "dispatch.delay.dist", ("normal", "exponential")),
    Bad("no-dist", SEATS, "seats = { mean = 10 }", "projects.rating.seats.dist",
        ("missing",)),
    Bad("missing-mean", SEATS, 'seats = { dist = "poisson" }', "projects.rating.seats.mean",
        ("missing",)),
    Bad("missing-high", PAY, 'pay_per_hour = { dist = "uniform", low = 15 }',
        "projects.rating.pay_per_hour.high", ("missing",)),
    Bad("lognormal-missing-sigma", LIFETIME, 'lifetime = { dist = "lognormal", median = "2w" }',
        "projects.rating.lifetime", ("sigma",)),
    Bad("beta-missing-b", QUALITY, 'quality = { dist = "beta", a = 5 }',
        "workers.raters.quality.b", ("missing",)),
    Bad("negative-sigma", LIFETIME,
        'lifetime = { dist = "lognormal", median = "2w", sigma = -1.0 }',
        "projects.rating.lifetime.sigma", ("-1",)),
    Bad("high-below-low", PAY, 'pay_per_hour = { dist = "uniform", low = 18, high = 15 }',
        "projects.rating.pay_per_hour.high", ("low",)),
    Bad("beta-a-zero", QUALITY, 'quality = { dist = "beta", a = 0, b = 2 }',
        "workers.raters.quality.a", ("positive",)),
    Bad("empirical-empty", SEATS, 'seats = { dist = "empirical", values = [] }',
        "projects.rating.seats.values", ("at least one",)),
    Bad("empirical-weights", SEATS,
        'seats = { dist = "empirical", values = [5, 10], weights = [1] }',
        "projects.rating.seats.weights", ("one weight per value",)),
    Bad("wrong-kind", DELAY, 'delay = { dist = "poisson", mean = 3 }', "dispatch.delay.dist",
        ("poisson",)),
]

OTHER = [
    Bad("unknown-skill", 'requires = "generalist"', 'requires = "medical"',
        "projects.rating.requires", ("medical", "generalist")),
    Bad("duplicate-project-name", "[dispatch]",
        '[[projects]]\nname = "rating"\nrequires = "generalist"\narrivals_per_week = 1\n'
        'seats = 5\nlifetime = "1w"\npay_per_hour = 16\nhours_per_week_per_seat = 10\n\n'
        "[dispatch]", "projects.rating", ("duplicate",)),
]

CASES = [
    pytest.param(case, id=f"{group}-{case.id}")
    for group, cases in [
        ("unknown-key", UNKNOWN_KEYS), ("missing-key", MISSING_KEYS), ("type", WRONG_TYPES),
        ("not-positive", NOT_POSITIVE), ("probability", PROBABILITIES),
        ("bare-duration", BARE_DURATIONS), ("unknown-unit", UNKNOWN_UNITS),
        ("distribution", DISTRIBUTIONS), ("other", OTHER),
    ]
    for case in cases
]


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("case", CASES)
def test_bad_scenario(case: Bad, command: str, tmp_path: Path,
                      write_toml: Callable[[str], Path]) -> None:
    path = write_toml(broken(case.old, case.new))
    result, out = check_command(command, path, tmp_path)
    assert_one_line_error(result, f"{path}: {case.key}: ", *case.fragments)
    assert_nothing_written(out)


def test_unknown_unit_lists_known_units(write_toml: Callable[[str], Path]) -> None:
    path = write_toml(broken('horizon = "4w"', 'horizon = "4 fortnights"'))
    line = assert_one_line_error(invoke("validate", path), "unknown unit")
    for unit in ("m", "h", "d", "w", "mo", "y"):
        assert f"{unit}," in line or f"{unit})" in line


@pytest.mark.parametrize("command", COMMANDS)
def test_unknown_policy_lists_known_ones(command: str, tmp_path: Path,
                                         write_toml: Callable[[str], Path]) -> None:
    path = write_toml(broken('policy = "longest-idle"', 'policy = "fastest-first"'))
    result, out = check_command(command, path, tmp_path)
    line = assert_one_line_error(result, f"{path}: dispatch.policy: ", "fastest-first")
    known = policy_names()
    assert "longest-idle" in known and "random" in known
    for name in known:
        assert name in line
    assert_nothing_written(out)


@pytest.mark.parametrize(("old", "new", "bad_line"), [
    pytest.param("seed = 1\n", "seed = = 1\n", "seed = = 1", id="syntax"),
    pytest.param('name = "raters"', 'name = "raters', 'name = "raters', id="unterminated-string"),
    pytest.param("seed = 1\n", "seed = 1\nseed = 2\n", "seed = 2", id="duplicate-key"),
    pytest.param("[dispatch]", "[dispatch", "[dispatch", id="table-header"),
])
@pytest.mark.parametrize("command", COMMANDS)
def test_invalid_toml_names_the_line(command: str, old: str, new: str, bad_line: str,
                                     tmp_path: Path, write_toml: Callable[[str], Path]) -> None:
    text = broken(old, new)
    line_number = text.splitlines().index(bad_line) + 1
    path = write_toml(text)
    result, out = check_command(command, path, tmp_path)
    assert_one_line_error(result, str(path), "invalid TOML", f"line {line_number}")
    assert_nothing_written(out)


@pytest.mark.parametrize("command", COMMANDS)
def test_missing_file(command: str, tmp_path: Path) -> None:
    path = tmp_path / "no_such_scenario.toml"
    result, out = check_command(command, path, tmp_path)
    assert_one_line_error(result, str(path), "no such file")
    assert_nothing_written(out)


# --- --set ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("override", "key", "fragments"), [
    pytest.param("workers.nobody.count=3", "workers.nobody.count", ("'nobody'", "raters"),
                 id="unknown-worker-group"),
    pytest.param("projects.nothing.seats=3", "projects.nothing.seats", ("'nothing'", "rating"),
                 id="unknown-project-generator"),
    pytest.param('simulation.horizn="8w"', "simulation.horizn", ("unknown key", "horizon"),
                 id="unknown-key"),
    pytest.param("workers.raters.hourly=3", "workers.raters.hourly", ("unknown key",),
                 id="unknown-key-in-group"),
    pytest.param("nokey=3", "nokey", ("unknown key",), id="unknown-top-level-key"),
    pytest.param("nokey.sub=3", "nokey", ("unknown key",), id="unknown-top-level-table"),
    pytest.param("dispatch.policy.name=random", "dispatch.policy.name", ("not a table",),
                 id="key-inside-a-value"),
    pytest.param("workers.raters=3", "workers.raters", (), id="group-without-key"),
    pytest.param("workers.raters.count=-1", "workers.raters.count", ("positive",),
                 id="bad-value"),
    pytest.param("simulation.horizon=4", "simulation.horizon", ('"4d"',), id="bare-duration"),
    pytest.param("projects.rating.notice.probability=2", "projects.rating.notice.probability",
                 ("[0, 1]",), id="bad-probability"),
    pytest.param("dispatch.policy=fastest", "dispatch.policy", ("longest-idle", "random"),
                 id="unknown-policy"),
    pytest.param("a..b=1", "a..b", (), id="empty-key-part"),
])
@pytest.mark.parametrize("command", COMMANDS)
def test_bad_set(command: str, override: str, key: str, fragments: tuple[str, ...],
                 tmp_path: Path, write_toml: Callable[[str], Path]) -> None:
    path = write_toml(MINIMAL_TOML)
    result, out = check_command(command, path, tmp_path, "--set", override)
    assert_one_line_error(result, f"--set: {key}: ", *fragments)
    assert_nothing_written(out)


@pytest.mark.parametrize("override", ["noequals", "=3", " =3", "dispatch.policy"])
@pytest.mark.parametrize("command", COMMANDS)
def test_malformed_set(command: str, override: str, tmp_path: Path,
                       write_toml: Callable[[str], Path]) -> None:
    path = write_toml(MINIMAL_TOML)
    result, out = check_command(command, path, tmp_path, "--set", override)
    assert_one_line_error(result, "--set", repr(override), "KEY=VALUE")
    assert_nothing_written(out)


def test_bad_set_on_bundled_scenario_fails_before_simulating(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke("run", SCENARIOS / "generalist.toml", *SMALL_GENERALIST,
                    "--set", "workers.specialists.count=3", "--out", out)
    assert_one_line_error(result, "--set: workers.specialists.count: ", "generalists")
    assert_nothing_written(out)


# --- run options ----------------------------------------------------------------------------


@pytest.mark.parametrize(("options", "message"), [
    pytest.param(["-r", "0"], "--replications: must be at least 1", id="replications-zero"),
    pytest.param(["-r", "-2"], "--replications: must be at least 1", id="replications-negative"),
    pytest.param(["-r", "2", "--seed", "-1"], "--seed: must be at least 0", id="seed-negative"),
    pytest.param(["-r", "2", "--jobs", "-1"], "--jobs: must be at least 0", id="jobs-negative"),
])
def test_bad_run_option(options: list[str], message: str, tmp_path: Path,
                        write_toml: Callable[[str], Path]) -> None:
    path = write_toml(MINIMAL_TOML)
    result, out = check_command("run", path, tmp_path, *options)
    assert_one_line_error(result, message)
    assert_nothing_written(out)


@pytest.mark.usefixtures("no_simulation")
@pytest.mark.parametrize("below", ["", "deeper"])
def test_out_inside_a_file_is_refused_before_simulating(below: str, tmp_path: Path,
                                                        write_toml: Callable[[str], Path]
                                                        ) -> None:
    path = write_toml(MINIMAL_TOML)
    blocker = tmp_path / "notes.txt"
    blocker.write_text("my notes\n", encoding="utf-8")
    out = blocker / below / "out"
    result = invoke("run", path, "--out", out)
    assert_one_line_error(result, str(out), f"{blocker} is a file")
    assert blocker.read_text(encoding="utf-8") == "my notes\n"
    assert hidden_entries(tmp_path) == []


@pytest.mark.usefixtures("no_simulation")
def test_parquet_without_pyarrow_fails_before_simulating(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         write_toml: Callable[[str], Path]
                                                         ) -> None:
    import gigsim.files

    monkeypatch.setattr(gigsim.files, "parquet_available", lambda: False)
    path = write_toml(MINIMAL_TOML)
    result, out = check_command("run", path, tmp_path, "--format", "parquet", "-r", "2")
    assert_one_line_error(result, "--format parquet", "pyarrow")
    assert_nothing_written(out)
