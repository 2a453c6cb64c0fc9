"""The HTML report in a real browser: headless Chromium renders it, with every figure.

Chromium is driven from the command line: ``--screenshot`` for a picture of the page, and
``--dump-dom`` on a copy of the page with a small probe script that records, once the page has
loaded, how many images it has, how many decoded (``naturalWidth > 0``) and any error events.
With ``--enable-logging=stderr`` Chromium writes every console message to stderr as a
``CONSOLE`` line; the report has no scripts, so any such line is an error. A control page with
a broken image checks that the probe does see failures.

Without a browser the tests are skipped, saying how to install one; under CI (``CI`` set) they
fail instead, since ``.ci/run`` installs Chromium.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import _chromium
import numpy as np
import pytest
from matplotlib import image

from gigsim.presentation.report import NARROW_DPI_FACTOR, REPORT_DPI

FLAGS = (*_chromium.FLAGS, "--hide-scrollbars")

PROBE = """<script>
window.__errors = [];
window.addEventListener("error", function (e) {
  window.__errors.push(String(e.message || (e.target && e.target.src) || "error"));
}, true);
window.addEventListener("load", function () {
  var images = Array.prototype.slice.call(document.images);
  var probe = document.createElement("pre");
  probe.id = "gigsim-probe";
  // blocks of text wider than their box, which a reader would have to scroll sideways
  var blocks = Array.prototype.slice.call(document.querySelectorAll("pre"));
  probe.textContent = JSON.stringify({
    images: images.length,
    decoded: images.filter(function (i) { return i.complete && i.naturalWidth > 0; }).length,
    errors: window.__errors,
    window_width: window.innerWidth,
    page_width: document.documentElement.scrollWidth,
    wider_than_their_box: blocks.filter(function (b) { return b.scrollWidth > b.clientWidth + 1; })
      .map(function (b) { return b.textContent.slice(0, 40); })
  });
  document.body.appendChild(probe);
});
</script>"""


@pytest.fixture(scope="module")
def chromium() -> str:
    return _chromium.chromium_or_skip()


def _run(chromium: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [chromium, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True, text=True, timeout=120, check=False, stdin=subprocess.DEVNULL)


def _probe(chromium: str, page: str, tmp_path: Path,
           width: int = 1280) -> tuple[dict[str, object], list[str]]:
    """Load ``page`` with the probe in a window ``width`` pixels wide.

    Returns what the probe saw and the console lines.
    """
    probed = tmp_path / f"probed-{width}.html"
    probed.write_text(page.replace("<head>", "<head>\n" + PROBE, 1), encoding="utf-8")
    result = _run(chromium, tmp_path / f"profile-probe-{width}", "--enable-logging=stderr",
                  "--v=0", f"--window-size={width},2000", "--virtual-time-budget=10000",
                  "--dump-dom", probed.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    found = re.search(r'<pre id="gigsim-probe">([^<]*)</pre>', result.stdout)
    assert found, f"the probe did not run: {result.stdout[:500]!r}"
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
    return json.loads(found.group(1).replace("&quot;", '"')), console


def test_report_renders_its_figures_in_chromium(chromium: str, csv_folder: Path,
                                                tmp_path: Path) -> None:
    report = csv_folder / "report.html"
    page = report.read_text(encoding="utf-8")
    figures = page.count("<img ")
    assert figures >= 6

    seen, console = _probe(chromium, page, tmp_path)
    assert seen["images"] == figures, seen
    assert seen["decoded"] == figures, f"images that did not load: {seen}"
    assert seen["errors"] == [], seen
    assert console == [], console

    shot = tmp_path / "report.png"
    result = _run(chromium, tmp_path / "profile-shot", "--window-size=1200,4200",
                  f"--screenshot={shot}", report.as_uri())
    assert result.returncode == 0 and shot.is_file(), result.stderr[-2000:]
    pixels = image.imread(shot)[..., :3]
    assert pixels.shape[0] >= 2000 and pixels.shape[1] >= 1000
    assert float(pixels.std()) > 0.05, "the screenshot is blank"
    # below the summary table the figures fill the page: much of it is not background white
    lower = pixels[pixels.shape[0] // 2:]
    assert float(np.mean(lower.min(axis=-1) < 0.9)) > 0.05, "no figures in the screenshot"
    keep = os.environ.get("GIGSIM_KEEP_SCREENSHOT")
    if keep:
        shutil.copy(shot, keep)


# How a page looks in a window of a phone's width: the command line's Chromium will not open a
# window narrower than 500 px, so these checks go through Playwright, which sets the viewport.
LAYOUT = """() => ({
  window_width: window.innerWidth,
  page_width: document.documentElement.scrollWidth,
  // the widest right edge of any table cell: a table wider than the window hides columns
  cells_right: Math.max(0, ...Array.from(document.querySelectorAll("td, th"),
                                         c => c.getBoundingClientRect().right)),
  // each figure as shown: its width (CSS px), the width of the PNG chosen, and which it is
  figures: Array.from(document.images, i => ({
    shown: i.clientWidth, drawn: i.naturalWidth, decoded: i.complete && i.naturalWidth > 0,
    narrow: i.currentSrc !== i.src })),
})"""


def layout(chromium: str, path: Path, width: int, shot: Path | None = None) -> dict[str, Any]:
    """What :data:`LAYOUT` sees of the page at ``path`` in a window ``width`` pixels wide."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the dev extra installs it
        _chromium.unavailable("playwright is not installed: pip install -e '.[dev]'")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium,
                                             args=list(_chromium.FLAGS))
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.goto(path.as_uri())
        page.wait_for_load_state("load")
        seen: dict[str, Any] = page.evaluate(LAYOUT)
        if shot is not None:
            page.screenshot(path=str(shot), full_page=True)
        browser.close()
    return seen


def text_px(figure: dict[str, Any], dpi: float) -> float:
    """CSS pixels that 10 pt of a figure's text takes as shown (its text is 10 pt or more)."""
    drawn_in = figure["drawn"] / dpi
    return 10 / 72 * figure["shown"] / drawn_in


def assert_fits(seen: dict[str, Any], width: int, figures: int, dpi: float) -> None:
    """Nothing to scroll sideways, every figure decoded, its text 10 px or more as shown."""
    assert seen["window_width"] == width, seen
    assert seen["page_width"] <= width, seen
    assert seen["cells_right"] <= width, seen
    assert len(seen["figures"]) == figures, seen
    for figure in seen["figures"]:
        assert figure["decoded"] and figure["narrow"] == (width < 600), (width, figure)
        shown_dpi = dpi * (NARROW_DPI_FACTOR if figure["narrow"] else 1)
        assert text_px(figure, shown_dpi) >= 10, (width, figure)


@pytest.mark.parametrize("width", [390, 1000, 1280])
def test_report_fits_a_phone_and_its_figures_text_is_readable(
        chromium: str, csv_folder: Path, tmp_path: Path, width: int) -> None:
    seen = layout(chromium, csv_folder / "report.html", width, tmp_path / f"report-{width}.png")
    assert_fits(seen, width, figures=6, dpi=REPORT_DPI)


def test_the_probe_sees_a_broken_image(chromium: str, tmp_path: Path) -> None:
    page = ('<!DOCTYPE html><html><head><title>control</title></head><body>'
            '<img src="data:image/png;base64,AAAA" alt="broken"></body></html>')
    seen, _ = _probe(chromium, page, tmp_path)
    assert seen["images"] == 1 and seen["decoded"] == 0 and seen["errors"]
