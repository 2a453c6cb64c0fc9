"""Helpers for the sweep tests: tiny sweep files on the generalist scenario, folder snapshots."""

from __future__ import annotations

import hashlib
from pathlib import Path

from click.testing import CliRunner, Result

from gigsim.cli import main

ROOT = Path(__file__).resolve().parents[2]
GENERALIST = ROOT / "scenarios" / "generalist.toml"
SWEEPS = ROOT / "scenarios" / "sweeps"

# scenarios/generalist.toml shrunk to about 30 ms a run: 300 applicants, 12 weeks.
TINY_SET = """\
[set]
"workers.generalists.count" = 300
"workers.generalists.arrivals_per_week" = 20
"projects.rating.seats.median" = 60
"simulation.horizon" = "12w"
"simulation.warmup" = "2w"
"""

# A 3 × 2 grid, 2 replications: 12 runs.
GRID = """\
name = "tiny"
scenario = "{scenario}"
replications = 2
seed = 5
common_random_numbers = {crn}
metrics = ["income_mean_usd", "latency_mean_h"]

{tiny}
[grid]
"projects.rating.arrivals_per_week" = [0.25, 0.5, 1.0]
"projects.rating.notice.probability" = [0.0, 1.0]
"""


def grid_text(crn: bool = True, scenario: Path = GENERALIST) -> str:
    """The tiny grid sweep's TOML."""
    return GRID.format(scenario=scenario.as_posix(), crn=str(crn).lower(), tiny=TINY_SET)


def sweep_text(design: str, *, replications: int = 2, seed: int = 5,
               extra: str = "", tiny: str = TINY_SET) -> str:
    """A sweep file on the tiny generalist scenario with the given design table(s)."""
    return (f'name = "custom"\nscenario = "{GENERALIST.as_posix()}"\n'
            f"replications = {replications}\nseed = {seed}\n{extra}\n{tiny}\n{design}\n")


def write(folder: Path, text: str, name: str = "sweep.toml") -> Path:
    """Write a sweep file and return its path."""
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def invoke(*args: str | Path) -> Result:
    """Run ``gigsim ARGS`` in-process."""
    return CliRunner().invoke(main, [str(a) for a in args])


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (hidden ones included) with a hash of its bytes."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_one_line_error(result: Result, *fragments: str) -> str:
    """Exit status 2, one line on stderr with every fragment, no traceback, nothing on stdout."""
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("gigsim: error: "), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    assert result.stdout == ""
    return lines[0]
