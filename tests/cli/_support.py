"""Helpers for the CLI tests: invoking gigsim, a minimal scenario, and output checks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner, Result

from gigsim.cli import main

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
BUNDLED = ("generalist", "specialist", "platform")

TABLES = ("worker_months", "spells", "latencies", "projects", "project_fills", "workers")

# A small valid scenario that uses every optional table, so that each error test can break
# exactly one thing in it.
MINIMAL_TOML = """\
name = "mini"
description = "A minimal valid scenario for CLI tests"

[simulation]
horizon = "4w"
warmup = "1w"
replications = 1
seed = 1

[[workers]]
name = "raters"
count = 30
arrivals_per_week = 2
skills = ["generalist"]
hours_per_week = { dist = "uniform", low = 10, high = 30 }
checking_hours_per_day = 0.5
quality = { dist = "beta", a = 5, b = 2 }
patience = { dist = "lognormal", median = "8w", sigma = 0.5 }
assessment = { hours = 1, paid = false, pass_probability = 0.5, wait = "3d" }

[[projects]]
name = "rating"
requires = "generalist"
arrivals_per_week = 1
seats = { dist = "poisson", mean = 10 }
lifetime = { dist = "lognormal", median = "2w", sigma = 1.0 }
pay_per_hour = { dist = "uniform", low = 15, high = 18 }
hours_per_week_per_seat = 20
training = { hours = 2, paid_probability = 0.3 }
notice = { probability = 0.2, duration = "1w" }
sparse = { fraction_of_life = 0.25, supply_factor = 0.25 }

[dispatch]
policy = "longest-idle"
delay = { dist = "exponential", mean = "3d" }
pre_assign_on_notice = true
"""

# Shrinks scenarios/generalist.toml to a run of well under a second.
SMALL_GENERALIST = (
    "--set", "workers.generalists.count=200",
    "--set", "workers.generalists.arrivals_per_week=10",
    "--set", 'simulation.horizon="8w"',
    "--set", 'simulation.warmup="2w"',
    "-r", "2",
)

ALL_AS_CSV = ("--tables", "all", "--format", "csv")

Invoke = Callable[..., Result]


def invoke(*args: str | Path) -> Result:
    """Run ``gigsim ARGS`` in-process; stdout and stderr are kept apart (click 8.2+)."""
    return CliRunner().invoke(main, [str(a) for a in args])


def small_run_args(out: Path, *extra: str) -> list[str | Path]:
    """``gigsim run`` arguments for the shrunken generalist scenario, writing to ``out``.

    Every table, as CSV: most tests read the tables (``test_outputs.py`` checks the defaults).
    """
    return ["run", SCENARIOS / "generalist.toml", *SMALL_GENERALIST, "--out", out,
            *ALL_AS_CSV, *extra]


def hidden_entries(folder: Path) -> list[str]:
    """Names starting with '.' in ``folder``: staging or retired results folders."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def assert_ok(result: Result) -> None:
    """The command succeeded, without a traceback."""
    assert result.exit_code == 0, (result.exit_code, result.output, result.exception)
    assert "Traceback" not in result.output


def assert_one_line_error(result: Result, *fragments: str) -> str:
    """Exit status 2, exactly one line on stderr containing every fragment, nothing on stdout."""
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("gigsim: error: "), line
    for fragment in fragments:
        assert fragment in line, (fragment, line)
    assert result.stdout == ""
    return line
