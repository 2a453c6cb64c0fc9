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
        "Per applicant: the ", "random vs longest-idle, per applicant:",
        "random vs longest-idle, per worker-month on the platform:",
        "skill-aware vs longest-idle, per applicant:", "notice vs no-notice:",
        "Reading it, per applicant:", "The reading gigsim compare prints under its default table:",
        "Reading it, per worker-month beside per applicant:",
        "- A week's notice with pre-assignment", "this notebook took"),
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
    """The notebook's printed text. A kernel may send one printed line in several stream
    messages (it flushes on a timer, so a busy machine splits lines where an idle one does
    not): stream texts are joined as printed, other outputs on lines of their own."""
    parts = []
    for output in _outputs(notebook):
        if output.get("output_type") == "stream":
            parts.append(output.get("text", ""))
        else:
            parts.append("\n" + output.get("data", {}).get("text/plain", "") + "\n")
    return "".join(parts)


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


def _reference_value(text: str, label: str) -> str:
    """The longest-idle column (the first) of ``label``'s row in the first table that has it."""
    shown = label if len(label) <= 50 else label[:47] + "..."  # pandas' longest index text
    line = next(x for x in text.splitlines() if x.startswith(shown + " "))
    return re.split(r"\s{2,}", line[len(shown):].strip())[0]


def _named(line: str, phrase: str) -> set[str]:
    """The policies a reading line names after ``phrase`` (up to the next ';', ' than' or '.')."""
    match = re.search(rf"{phrase} under (.+?)(?:;| than |\.$)", line)
    return set(match[1].split(", ")) if match else set()


def _check_reading(reading: list[str], label: str, words: dict[str, str], text: str) -> None:
    """A ``- label: …`` line names every policy under the word its interval gave it, and the
    reference's value as the table above prints it (a stale figure fails here)."""
    line = next(x for x in reading if x.startswith(f"- {label}:"))
    by_word: dict[str, set[str]] = {}
    for policy, word in words.items():
        by_word.setdefault(word, set()).add(policy)
    if set(by_word) == {"not defined"}:
        assert "not defined in this run" in line, line
        return
    assert f"({_reference_value(text, label)})" in line, (line, _reference_value(text, label))
    if not by_word.keys() & {"higher", "lower"}:
        assert "no policy differs detectably" in line, line
        return
    for word, phrase in (("higher", "higher"), ("lower", "lower"),
                         ("no detectable difference", "not detectably different"),
                         ("identical", "identical"), ("not defined", "not defined")):
        assert _named(line, phrase) == by_word.get(word, set()), (word, line)


def _check_policy_text(text: str) -> None:
    """02: each summary and reading sentence says what the differences above it say."""
    differences = _differences(text)
    assert len(differences) == 4 * (8 + 11) + 4 * 2 + 3 * 8  # every one of them read
    blocks: dict[str, dict[str, str]] = {}
    for heading, what, word in differences:
        blocks.setdefault(heading, {})[what] = word
    summaries, heading = {}, ""
    for line in text.splitlines():  # the "→" line under each block sums it up
        if line and not line[0].isspace() and line.endswith(":"):
            heading = line[:-1]
        elif line.startswith("  → "):
            summaries[heading] = line
    assert {h for h in blocks if not h.endswith("totals over the run")} <= set(summaries)
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

    def of(kind: str) -> dict[str, dict[str, str]]:
        return {h.split(" vs ")[0]: w for h, w in blocks.items()
                if h.endswith(f"vs longest-idle, {kind}")}

    policies, applicants = of("per worker-month on the platform"), of("per applicant")
    totals = of("totals over the run")
    assert set(policies) == set(applicants) == set(totals) == {
        "random", "best-rated", "least-earned", "skill-aware"}
    reading = text[text.index("Reading it, per applicant:"):].splitlines()
    for label in ("Income per applicant, a month", "Applicants still on the platform",
                  "Applicants never paid", "Inequality of income across applicants (Gini)",
                  "Income a month of the poorest fifth of applicants"):
        _check_reading(reading, label, {p: w[label] for p, w in applicants.items()}, text)
    for label in ("Mean monthly income", "Inequality of income (Gini)",
                  "Workers under $500 a month", "Wait for the next project, median",
                  "Gone within 12 months"):
        _check_reading(reading, label, {p: w[label] for p, w in policies.items()}, text)
    _check_compare_reading(text, applicants)
    _check_side_by_side(text, policies, applicants, totals)
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


def _check_compare_reading(text: str, applicants: dict[str, dict[str, str]]) -> None:
    """gigsim compare's sentence for all applicants names, as better or worse, exactly the
    per-applicant metrics whose printed interval excludes 0 (among those the notebook prints)."""
    from gigsim.analysis.applicants import BETTER
    from gigsim.presentation.glossary import entry
    from gigsim.studies.comparison_text import LABELS

    printed = {entry(m).label: m for m in LABELS if m.startswith("applicant_")}
    for policy, words in applicants.items():
        line = next(x for x in text.splitlines()
                    if x.startswith(f"- {policy} vs longest-idle, all applicants: "))
        better = line.split("better: ")[1].split("; worse:")[0] if "better: " in line else ""
        worse = line.split("worse: ")[1] if "worse: " in line else ""
        for label, word in words.items():
            metric = printed[label]
            side = {"higher": 1, "lower": -1}.get(word, 0) * BETTER[metric]
            named = LABELS[metric] + " "
            assert (named in better) == (side > 0), (policy, label, word, line)
            assert (named in worse.split("; income per worker-month")[0]) == (side < 0), (
                policy, label, word, line)


def _check_side_by_side(text: str, policies: dict[str, dict[str, str]],
                        applicants: dict[str, dict[str, str]],
                        totals: dict[str, dict[str, str]]) -> None:
    """Income per worker-month beside income per applicant: the words and the differences as
    printed above, and the conclusion only where they support it."""
    compared = {"higher": "higher than under", "lower": "lower than under",
                "no detectable difference": "not detectably different from",
                "identical": "the same as under"}
    moved = {"higher": "rises", "lower": "falls",
             "no detectable difference": "does not change detectably",
             "identical": "does not change"}
    printed: dict[tuple[str, str], str] = {}  # (heading, what) -> "mean, 95% CI low to high"
    heading = ""
    for line in text.splitlines():
        if line and not line[0].isspace() and line.endswith(":"):
            heading = line[:-1]
        if match := DIFFERENCE.match(line):
            printed[heading, match["what"]] = (f"{match['mean']}, 95% CI {match['low']} to"
                                               f" {match['high']}")
    for policy in policies:
        line = next(x for x in text.splitlines() if x.startswith(f"- {policy}: all income paid"))
        words = totals[policy]
        assert (f"all income paid is {compared[words['All income paid over the run']]}"
                in line), line
        assert (f"worker-months on the platform are"
                f" {compared[words['Worker-months on the platform']]}" in line), line
        per_month = policies[policy]["Mean monthly income"]
        per_applicant = applicants[policy]["Income per applicant, a month"]
        month_diff = printed.get((f"{policy} vs longest-idle, per worker-month on the platform",
                                  "Mean monthly income"))
        applicant_diff = printed.get((f"{policy} vs longest-idle, per applicant",
                                      "Income per applicant, a month"))
        if month_diff:
            assert f"Income per worker-month {moved[per_month]} ({month_diff})" in line, line
        if applicant_diff:
            assert f"income per applicant {moved[per_applicant]} ({applicant_diff})" in line, line
        concluded = "the rise per worker-month is not more income for the people who applied"
        assert (concluded in line) == (per_month == "higher" and per_applicant != "higher"), line
        fewer = applicants[policy]["Applicants still on the platform"] == "lower"
        assert ("fewer of them stay" in line) == (concluded in line and fewer), line


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
    if path.name in SAME_SKELETON:  # the saved text was printed by the code as it is now
        saved = _text(nbformat.read(path, as_version=4))
        fresh = _text(notebook)
        assert _skeleton(saved) == _skeleton(fresh), (
            f"{path.name}: the saved outputs were not printed by the notebook's code as it is;"
            " execute it again (notebooks/README.md)")


# notebooks whose small run prints the same differences, headings and readings as the full one
SAME_SKELETON = {"02_policy_tuning.ipynb"}


def _skeleton(text: str) -> list[str]:
    """What a notebook printed, without its numbers and words: each difference's heading and
    label, and the first words of each reading line."""
    out = [f"{heading} / {what}" for heading, what, _ in _differences(text)]
    out += [" ".join(line.split()[:4]) for line in text.splitlines()
            if line.startswith("- ") and "on every measure" not in line]
    return out


def test_printed_lines_split_across_stream_messages_read_whole() -> None:
    # a busy kernel sent one print in three messages, around a table shown between prints
    cell = nbformat.v4.new_code_cell(outputs=[
        nbformat.v4.new_output("stream", name="stdout", text="-"),
        nbformat.v4.new_output("stream", name="stdout", text=" random vs longest-idle, all"),
        nbformat.v4.new_output("stream", name="stdout", text=" applicants: none.\n"),
        nbformat.v4.new_output("execute_result", data={"text/plain": "a table"}),
        nbformat.v4.new_output("stream", name="stdout", text="next\n")])
    lines = _text(nbformat.v4.new_notebook(cells=[cell])).splitlines()
    assert "- random vs longest-idle, all applicants: none." in lines
    assert "a table" in lines and "next" in lines
