"""The bundled scenarios meet the targets of their committed calibration files.

This is ``gigsim calibrate scenarios/calibration/NAME.toml --check``: the scenario as it is,
on the file's seed and replications, every target's mean within its tolerance.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from gigsim.cli import main

FILES = sorted((Path(__file__).parents[2] / "scenarios" / "calibration").glob("*.toml"))


def test_every_bundled_scenario_has_a_calibration_file() -> None:
    assert {p.stem for p in FILES} >= {"generalist", "specialist"}


@pytest.mark.slow
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_bundled_scenario_meets_its_targets(path: Path) -> None:
    result = CliRunner().invoke(main, ["calibrate", str(path), "--check", "--jobs", "1"])
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "every target is within its tolerance" in result.stdout
