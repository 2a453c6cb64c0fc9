"""Helpers for the estimate tests: invoking gigsim and checking one-line errors."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from gigsim.cli import main

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"

# a short follow-up keeps each estimate well under a second
FAST = ("--months", "2", "-r", "4")


def invoke(*args: str | Path) -> Result:
    """Run ``gigsim ARGS`` in-process, stdout and stderr apart."""
    return CliRunner().invoke(main, [str(a) for a in args])


def assert_one_line_error(result: Result, *fragments: str) -> str:
    """Exit status 2, one line on stderr holding every fragment, nothing on stdout."""
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    assert result.stdout == ""
    return lines[0]
