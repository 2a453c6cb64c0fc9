"""The notebooks under notebooks/: committed with their figures, and still running today.

Each notebook is saved executed, so that its figures show on a repository page; the test suite
checks those saved outputs (pictures, not ``<Figure …>`` text; no errors; a modest size), then
runs each notebook again from top to bottom at a small size and checks what it printed. The
notebooks themselves hold no test ``assert``: they print their claims, and the tests read them.

Notebooks 02 and 03 print every conclusion from the numbers it concludes from. The tests read
both back and check that they agree: each difference's word ("higher", "lower", "no detectable
difference", "identical") against its printed interval, each summary line against the lines
it sums up, each "reading" sentence against the differences it names. The saved notebooks must
also be the full run (not the test suite's small one), with Sobol' indices that pass their
checks (S1 ≤ ST within the intervals, no warning).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

# 04_calibration has its own test (test_notebook_calibration)
NOTEBOOKS = sorted(p for p in (Path(__file__).parents[2] / "notebooks").glob("*.ipynb")
                   if p.name != "04_calibration.ipynb")
MAX_BYTES = 600_000  # the images are kept modest (dpi 60)

# what each notebook must print when it runs (its claims, checked here instead of asserted)
PRINTED: dict[str, tuple[str, ...]] = {
    "01_worker_estimate.ipynb": (
        "Verdict for 10 h a week in the generalists group",
        "Verdict for 10 h a week in the specialists group",
        "Income per hour set aside", "Reference job: $15.00/h", "As a side income",
        "advertised up to $45.00/h", "income per hour set aside $"),
    "02_policy_tuning.ipynb": (
        "projects identical across all 5 policies: True", "made fewer matches than",
        "random vs longest-idle:", "skill-aware vs longest-idle:", "notice vs no-notice:",
        "Reading it:", "- A week's notice with pre-assignment", "this notebook took"),
    "03_scenario_sweep.ipynb": (
        "launches a week, averaged over the 4 notice shares:", "Reading it:",
        "- Going from 0.125 to 1 launches a week", "- Notice ",
        "S1 ≤ ST within their 95% intervals for every key and metric:",
        "ST of mean monthly income is exactly 0: changing it changed no run, the model"
        " ignores ratings here", "runs computed in"),
}
# what the saved outputs print, and the small run does not: they are the full run
FULL_RUN: dict[str, tuple[str, ...]] = {
    "01_worker_estimate.ipynb": (),
    "02_policy_tuning.ipynb": ("size: full; 20 replications",),
    "03_scenario_sweep.ipynb": (
        "size: full", "= n × (keys + 2) = 256 × 6",
        "S1 ≤ ST within their 95% intervals for every key and metric: True",
        "no index of any metric is above its total index or above 1"),
}

# "Mean monthly income: +$12 (95% CI −$3 to +$27, 20 replications) — no detectable difference"
SIGNED = r"[+−-]\$?[\d,]+(?:\.\d+)?(?: pp| days|/h|%)?"
DIFFERENCE = re.compile(rf"^\s+(?P<what>.+?): (?P<mean>{SIGNED}) \(95% CI (?P<low>{SIGNED}) to"
                        rf" (?P<high>{SIGNED}), \d+ replications\) — (?P<word>[a-z ]+)$")
IDENTICAL = re.compile(r"^\s+(?P<what>.+?): identical in every replication \(\d+\)$")
UNDEFINED = re.compile(r"^\s+(?P<what>.+?): not defined \(.+\)$")


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
    if path.name in CHECK_TEXT:
        CHECK_TEXT[path.name](text)


def _number(signed: str) -> float:
    value = float(re.sub(r"[^\d.]", "", signed))
    return -value if signed[0] in "−-" else value


def _differences(text: str) -> list[tuple[str, str, str]]:
    """``(heading, what, word)`` for every printed difference, each checked against its interval.

    The heading is the last line above it that ends with a colon and is not indented.
    """
    found, heading = [], ""
    for line in text.splitlines():
        if line and not line[0].isspace() and line.endswith(":"):
            heading = line[:-1]
        if match := DIFFERENCE.match(line):
            low, high = _number(match["low"]), _number(match["high"])
            word = match["word"]
            assert low <= _number(match["mean"]) <= high, line
            expected = ("higher" if low > 0 else "lower" if high < 0
                        else "no detectable difference")
            # a bound printed as 0 was not 0: it lies on the side the word says
            allowed = {expected} | ({"higher"} if low == 0 and high > 0 else set()) | (
                {"lower"} if high == 0 and low < 0 else set())
            assert word in allowed, f"the word contradicts the interval: {line}"
            found.append((heading, match["what"], word))
        elif match := IDENTICAL.match(line):
            found.append((heading, match["what"], "identical"))
        elif match := UNDEFINED.match(line):
            found.append((heading, match["what"], "not defined"))
    return found


def _check_policy_text(text: str) -> None:
    """02: each summary and reading sentence says what the differences above it say."""
    differences = _differences(text)
    assert len(differences) == 4 * 11 + 4 * 2 + 3 * 6  # every one of them read
    blocks: dict[str, dict[str, str]] = {}
    for heading, what, word in differences:
        blocks.setdefault(heading, {})[what] = word
    summaries, heading = {}, ""
    for line in text.splitlines():  # the "→" line under each block sums it up
        if line and not line[0].isspace() and line.endswith(":"):
            heading = line[:-1]
        elif line.startswith("  → "):
            summaries[heading] = line
    assert {h for h in blocks if not h.endswith("per applicant")} <= set(summaries)
    for heading, words in blocks.items():
        if heading not in summaries:
            continue
        moved = sum(w in ("higher", "lower") for w in words.values())
        defined = sum(w != "not defined" for w in words.values())
        if all(w in ("identical", "not defined") for w in words.values()):
            expected = f"  → identical to {heading.split(' vs ')[1]} on every measure"
        else:
            expected = f"  → differs on {moved} of {defined} measures"
        assert summaries[heading].startswith(expected), (heading, summaries[heading])
    policies = {h.split(" vs ")[0]: w for h, w in blocks.items() if h.endswith("vs longest-idle")}
    assert set(policies) == {"random", "best-rated", "least-earned", "skill-aware"}
    reading = text[text.index("Reading it:"):].splitlines()
    for label in ("Mean monthly income", "Inequality of income (Gini)",
                  "Workers under $500 a month", "Wait for the next project, median",
                  "Gone within 12 months"):
        line = next(x for x in reading if x.startswith(f"- {label}:"))
        up = sorted(p for p, w in policies.items() if w[label] == "higher")
        down = sorted(p for p, w in policies.items() if w[label] == "lower")
        if all(w[label] == "not defined" for w in policies.values()):
            assert "not defined in this run" in line, line
        elif not up and not down:
            assert "no policy" in line, line
        else:
            for policy in up + down:
                assert policy in line, (policy, line)
            assert ("higher under" in line) == bool(up) or label == "Mean monthly income", line
    compared = {"higher": "higher than under", "lower": "lower than under",
                "no detectable difference": "not detectably different from",
                "identical": "the same as under"}
    per_applicant = {h.split(" vs ")[0]: w for h, w in blocks.items()
                     if h.endswith("per applicant")}
    assert set(per_applicant) == set(policies)
    for policy, words in per_applicant.items():
        line = next(x for x in reading if x.startswith(f"- {policy}: all income paid is"))
        assert (f"all income paid is {compared[words['All income paid over the run']]}"
                in line), line
        assert (f"worker-months on the platform are"
                f" {compared[words['Worker-months on the platform']]}" in line), line
    verbs = {"lower": "shortens", "higher": "lengthens",
             "no detectable difference": "does not detectably change",
             "identical": "does not change"}
    mean_wait = "Wait for the next project, mean of completed waits"
    assert (f"- A week's notice with pre-assignment"
            f" {verbs[blocks['notice vs no-notice'][mean_wait]]}") in text
    assert (f"- The same notice without pre-assignment"
            f" {verbs[blocks['notice-no-preassign vs no-notice'][mean_wait]]}") in text
    assert (f"- Pre-assignment itself, notice held fixed:"
            f" {verbs[blocks['notice vs notice-no-preassign'][mean_wait]]}") in text


def _check_sweep_text(text: str) -> None:
    """03: each reading sentence says what the differences and indices above it say."""
    differences = _differences(text)
    assert len(differences) == 3 + 2 * 4  # every one of them read
    launches = {what: word for heading, what, word in differences
                if heading.endswith("averaged over the 4 notice shares")}
    assert len(launches) == 3
    verbs = {"higher": "raises", "lower": "lowers",
             "no detectable difference": "does not detectably change"}
    assert (f"launches a week {verbs[launches['Mean monthly income']]} mean monthly income"
            in text)
    assert f"- It {verbs[launches['Months with no income']]} the share of months" in text
    by_notice: dict[str, dict[str, list[str]]] = {}
    metric = ""
    for line in text.splitlines():
        if line in ("Mean monthly income", "Wait for the next project, mean of completed waits"):
            metric = line
        elif metric and (match := DIFFERENCE.match(line)):
            rate = re.match(r"at (\S+) launch(?:es)? a week", match["what"])
            if rate:
                by_notice.setdefault(metric, {}).setdefault(match["word"], []).append(rate[1])
    assert set(by_notice) == {"Mean monthly income",
                              "Wait for the next project, mean of completed waits"}
    reading = [x for x in text.splitlines() if x.startswith("- Notice ")]
    assert len(reading) == 2
    for line, words in zip(reading, by_notice.values(), strict=True):
        for word, rates in words.items():
            assert f"{verbs[word]} " in line and f"at {', '.join(rates)} launch" in line, line
    # the indices: a ranking is called only where the intervals allow it, and doubted where
    # the estimates are impossible or the leading key's interval is wider than its index
    possible = ("S1 ≤ ST within their 95% intervals for every key and metric: True" in text
                and "no index of any metric is above its total index or above 1" in text)
    ranked = re.findall(r"has the largest total index, ST = ([\d.]+) \(95% CI ([\d.]+) to"
                        r" ([\d.]+)\); (its interval lies above every other key's \(next: \S+,"
                        r" [\d.]+ \[[\d.]+, ([\d.]+)\]\)|its interval overlaps)(.*)$", text, re.M)
    assert len(ranked) == 3
    for value, low, high, claim, other_high, doubts in ranked:
        if claim.startswith("its interval lies above"):
            assert float(other_high) < float(low)
        assert ("estimates are impossible" in doubts) == (not possible) or not possible, doubts
        if float(high) - float(low) > float(value):
            assert "is wider than its index" in doubts, doubts
    if possible:
        assert "estimates are impossible" not in text


CHECK_TEXT = {"02_policy_tuning.ipynb": _check_policy_text,
              "03_scenario_sweep.ipynb": _check_sweep_text}


def test_every_notebook_is_listed() -> None:
    assert {p.name for p in NOTEBOOKS} == set(PRINTED) == set(FULL_RUN)


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
    text = _text(notebook)
    for claim in FULL_RUN[path.name]:
        assert claim in text, (path.name, "saved from the full run", claim)


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
