"""manifest.json records the git commit of the gigsim source, and only when it is a checkout."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from gigsim.cli import main
from gigsim.files import source_commit

ROOT = Path(__file__).resolve().parents[2]
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _git(folder: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True,
                          check=True).stdout.strip()


@needs_git
def test_a_run_from_this_checkout_records_its_commit(tmp_path: Path) -> None:
    if not (ROOT / ".git").exists():
        pytest.skip("the tests are not running from a git checkout")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(ROOT / "tests" / "calibrate" / "small.toml"),
                                       "-r", "1", "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["git_commit"] == _git(ROOT, "rev-parse", "HEAD")
    assert isinstance(manifest["git_dirty"], bool)


@needs_git
def test_no_commit_outside_a_checkout_nor_from_a_repository_around_it(tmp_path: Path) -> None:
    assert source_commit(tmp_path) == {"git_commit": None, "git_dirty": None}
    _git(tmp_path, "init", "-q")
    (tmp_path / "f").write_text("x", encoding="utf-8")
    _git(tmp_path, "add", "f")
    _git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x")
    # an installed copy inside some other repository (a venv in a project): not its commit
    inner = tmp_path / "venv" / "site-packages"
    inner.mkdir(parents=True)
    assert source_commit(inner) == {"git_commit": None, "git_dirty": None}
    assert source_commit(tmp_path) == {"git_commit": _git(tmp_path, "rev-parse", "HEAD"),
                                       "git_dirty": False}
