"""Each notebook under notebooks/ runs from top to bottom at a small size.

The notebooks assert what they show (e.g. that projects are identical across policies), so a
notebook that runs is one whose claims held on this run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

# 04_calibration is committed with its outputs and has its own test (test_notebook_calibration)
NOTEBOOKS = sorted(p for p in (Path(__file__).parents[2] / "notebooks").glob("*.ipynb")
                   if p.name != "04_calibration.ipynb")


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS, "notebooks/ should hold the user walk-throughs"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GIGSIM_NOTEBOOK_SMALL", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # what a notebook writes to a temporary folder
    # goes to pytest's, which it cleans up, not to the system's
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:  # shipped clean: outputs belong to a run, not to git
        assert not cell.get("outputs"), f"{path.name} has saved outputs; clear them"
    client = nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    errors = [output for cell in notebook.cells for output in cell.get("outputs", [])
              if output.get("output_type") == "error"]
    assert not errors
