"""notebooks/04_calibration.ipynb: committed with its outputs, and it still runs and says so.

The notebook makes no assertions itself; this test reads what it printed. It is run at a small
size (``GIGSIM_NOTEBOOK_SMALL=1``: a calibration of a few evaluations).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

PATH = Path(__file__).parents[2] / "notebooks" / "04_calibration.ipynb"
DAY_RE = r"median (\d+\.?\d*)d \[(\d+\.?\d*)d, (\d+\.?\d*)d\]"


def _texts(notebook: object) -> str:
    out = []
    for cell in notebook.cells:  # type: ignore[attr-defined]
        for output in cell.get("outputs", []):
            if "text" in output:
                out.append(output["text"])
            elif "text/plain" in output.get("data", {}):
                out.append(output["data"]["text/plain"])
    return "\n".join(out)


def _images(notebook: object) -> int:
    return sum("image/png" in output.get("data", {})
               for cell in notebook.cells  # type: ignore[attr-defined]
               for output in cell.get("outputs", []))


def _check(notebook: object) -> None:
    errors = [o for c in notebook.cells for o in c.get("outputs", [])  # type: ignore[attr-defined]
              if o.get("output_type") == "error"]
    assert not errors
    text = _texts(notebook)
    assert "data/synthetic_platform_log.csv" in text
    # the recommended lifetime is a lognormal whose interval covers the synthetic truth, 19 days
    line = next(x for x in text.splitlines() if x.startswith("lifetime = "))
    lifetime = tomllib.loads(line)["lifetime"]
    assert lifetime["dist"] == "lognormal"
    row = next(x for x in text.splitlines() if x.strip().startswith("lognormal "))
    median, low, high = map(float, re.search(DAY_RE, row).groups())  # type: ignore[union-attr]
    assert low <= 19 <= high and low < median < high
    # dropping the running projects shortens the fitted median
    fair = float(re.search(r"censoring counted\s+median\s+(\d+\.\d)", text).group(1))  # type: ignore[union-attr]
    naive = float(re.search(r"dropped\s+median\s+(\d+\.\d)", text).group(1))  # type: ignore[union-attr]
    assert naive < fair
    assert 'seats = { dist = "lognormal"' in text
    assert re.search(r"\d+ evaluations of \d+ replications each", text)
    assert _images(notebook) == 4


def test_committed_notebook_has_its_outputs_and_no_asserts() -> None:
    notebook = nbformat.read(PATH, as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert all(c.get("execution_count") for c in code), "commit the notebook executed"
    assert not any(re.search(r"^\s*assert\b", c.source, re.M) for c in code)
    _check(notebook)
    assert PATH.stat().st_size < 400_000  # small, inline figures


def test_notebook_runs_and_shows_the_same(monkeypatch: pytest.MonkeyPatch,
                                          tmp_path: Path) -> None:
    monkeypatch.setenv("GIGSIM_NOTEBOOK_SMALL", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    notebook = nbformat.read(PATH, as_version=4)
    for cell in notebook.cells:
        cell["outputs"] = []
    client = nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(PATH.parent)}})
    client.execute()
    _check(notebook)
