"""The import contracts of pyproject.toml ([tool.importlinter]) catch an import that runs upward.

``make lint`` runs ``lint-imports`` on the package as it is. These tests run it on a copy of the
package with one import planted against the layers, and check that it fails naming that import:
without them, a contract that names a module wrongly (and so checks nothing) would pass too.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("importlinter")

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

# (module that gets the import, the import, what lint-imports must report)
PLANTED = {
    "analysis imports presentation": (
        "analysis/metrics.py", "from gigsim.presentation import output",
        "gigsim.analysis.metrics -> gigsim.presentation.output"),
    "a study imports its words": (
        "studies/estimate.py", "from gigsim.presentation import verdict",
        "gigsim.studies.estimate -> gigsim.presentation.verdict"),
    "the scenario imports the engine": (
        "scenario/scenario.py", "from gigsim.engine import records",
        "gigsim.scenario.scenario -> gigsim.engine.records"),
    "the app imports the CLI": (
        "app/answer.py", "from gigsim.cli import common",
        "gigsim.app.answer -> gigsim.cli.common"),
    "sweeps import fitting": (
        "studies/sweep/tables.py", "from gigsim.studies.fitting import fit",
        "gigsim.studies.sweep.tables -> gigsim.studies.fitting.fit"),
    "metrics import the summary statistics": (
        "analysis/metrics.py", "from gigsim.analysis import statistics",
        "gigsim.analysis.metrics -> gigsim.analysis.statistics"),
    "figures import the folder writer": (
        "presentation/figures/base.py", "from gigsim.presentation import output",
        "gigsim.presentation.figures.base -> gigsim.presentation.output"),
}


def _lint_copy(tmp_path: Path, plants: list[tuple[str, str]]
               ) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` on a copy of the package (and its contracts) with ``plants`` added.

    Each plant is a module's path under gigsim/ and a line appended to it.
    """
    shutil.copytree(ROOT / "gigsim", tmp_path / "gigsim",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    for module, line in plants:
        with (tmp_path / "gigsim" / module).open("a", encoding="utf-8") as file:
            file.write(f"\n{line}  # planted by the test\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}  # the copy, not the installed package
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def test_the_package_as_it_is_keeps_every_contract(tmp_path: Path) -> None:
    done = _lint_copy(tmp_path, [])
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_each_import_against_the_layers_fails_naming_it(tmp_path: Path) -> None:
    # one run for every case: lint-imports reports every import that breaks a contract
    done = _lint_copy(tmp_path, [(module, line) for module, line, _ in PLANTED.values()])
    assert done.returncode == 1, done.stdout + done.stderr
    missed = [case for case, (_, _, reported) in PLANTED.items() if reported not in done.stdout]
    assert not missed, done.stdout
