"""Fixtures for the CLI tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from ._support import assert_ok, invoke, small_run_args


@pytest.fixture
def write_toml(tmp_path: Path) -> Callable[[str], Path]:
    """Write TOML text to a fresh file in ``tmp_path`` and return its path."""
    counter = iter(range(1_000_000))

    def write(text: str) -> Path:
        path = tmp_path / f"scenario_{next(counter)}.toml"
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="module")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    """One run of the shrunken generalist scenario, shared by the tests that read it."""
    out = tmp_path_factory.mktemp("small") / "results"
    result = invoke(*small_run_args(out))
    assert_ok(result)
    return out, result


@pytest.fixture
def no_simulation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``gigsim run`` fail the test if it gets as far as simulating."""
    import gigsim.cli.compare
    import gigsim.cli.run

    def must_not_simulate(*args: object, **kwargs: object) -> None:
        raise AssertionError("simulated although the results could not be written")

    monkeypatch.setattr(gigsim.cli.run, "simulate", must_not_simulate)
