"""The notebooks under notebooks/: committed with their figures, and still running today.

Each notebook is saved executed, so that its figures show on a repository page; the test suite
checks those saved outputs (pictures, not ``<Figure …>`` text; no errors; a modest size), then
runs each notebook again from top to bottom at a small size and checks what it printed. The
notebooks themselves hold no test ``assert``: they print their claims ("… : True"), and the
tests read them.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = sorted((Path(__file__).parents[2] / "notebooks").glob("*.ipynb"))
MAX_BYTES = 600_000  # the images are kept modest (dpi 60)

# what each notebook must print when it runs (its claims, checked here instead of asserted)
PRINTED: dict[str, tuple[str, ...]] = {
    "01_worker_estimate.ipynb": (
        "Verdict for 10 h a week in the generalists group",
        "Verdict for 10 h a week in the specialists group",
        "Income per hour set aside", "Reference job: $15.00/h", "As a side income",
        "advertised up to $45.00/h", "income per hour set aside $"),
    "02_policy_tuning.ipynb": (
        "projects identical across all 5 policies: True",
        "pre-assignment during notice keeps latency no longer: True"),
    "03_scenario_sweep.ipynb": (
        "more launches, more income: True",
        "the model ignores ratings here (ST of quality.a is 0): True",
        "launches drive income (ST of arrivals_per_week above 0.1): True"),
}


def _outputs(notebook: Any) -> list[Any]:
    return [output for cell in notebook.cells if cell.cell_type == "code"
            for output in cell.get("outputs", [])]


def _text(notebook: Any) -> str:
    parts = []
    for output in _outputs(notebook):
        if output.get("output_type") == "stream":
            parts.append(output.get("text", ""))
        parts.append(output.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)


def _pictures(notebook: Any) -> int:
    return sum("image/png" in output.get("data", {}) for output in _outputs(notebook))


def _check_outputs(path: Path, notebook: Any) -> None:
    assert not [o for o in _outputs(notebook) if o.get("output_type") == "error"], path.name
    assert _pictures(notebook) >= 2, f"{path.name}: figures should show as pictures"
    as_text = [o for o in _outputs(notebook)
               if o.get("data", {}).get("text/plain", "").startswith("<Figure")
               and "image/png" not in o.get("data", {})]
    assert not as_text, f"{path.name}: a figure shown as text, not as a picture"
    text = _text(notebook)
    for claim in PRINTED[path.name]:
        assert claim in text, (path.name, claim)


def test_every_notebook_is_listed() -> None:
    assert {p.name for p in NOTEBOOKS} == set(PRINTED)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_with_its_figures(path: Path) -> None:
    assert path.stat().st_size < MAX_BYTES, f"{path.name}: images too large"
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        python = "\n".join(line for line in cell.source.splitlines()
                           if not line.startswith(("%", "!")))
        tree = ast.parse(python)
        assert not [node for node in ast.walk(tree) if isinstance(node, ast.Assert)], (
            f"{path.name}: the tests check a notebook's outputs; it holds no assert")
        assert cell.get("execution_count"), f"{path.name}: saved without running every cell"
    _check_outputs(path, notebook)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GIGSIM_NOTEBOOK_SMALL", "1")
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # what a notebook writes to a temporary folder
    # goes to pytest's, which it cleans up, not to the system's
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    _check_outputs(path, notebook)
