"""The worker's page (`gigsim estimate --report FILE`): verdict and figures, in a browser too."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gigsim.presentation.report import WORKER_FIGURES, build_worker_page
from gigsim.presentation.verdict import estimate_dict, verdict_lines
from gigsim.studies.estimate import Estimate, estimate_profile

from .test_report import PNG, _assert_self_contained, _images, _invoke
from .test_report_browser import _probe, _run
from .test_report_browser import chromium as chromium  # a fixture, used by name


@pytest.fixture(scope="module")
def generalist() -> Estimate:
    return estimate_profile("generalist", hours_per_week=10, months=6, replications=5, seed=4)


def test_the_page_leads_with_the_verdict_and_shows_three_figures(generalist: Estimate) -> None:
    page = build_worker_page(generalist)
    _assert_self_contained(page)
    title, *lines = verdict_lines(generalist, for_page=True)
    assert f"<h1>{title}</h1>" in page
    verdict = page.split('<section class="verdict" id="verdict">')[1].split("</section>")[0]
    shown = re.findall(r"<p>(.*?)</p>", verdict.replace("&#x27;", "'"))
    assert shown == [line.strip() for line in lines]  # the verdict's page words, in order
    assert "Income per hour set aside" in verdict and "Reference job: $15.00/h" in verdict
    assert "--" not in page.split("</style>")[1]  # a page names no command-line option
    number = re.compile(r"\d[\d,.]*")
    terminal = [line.strip() for line in verdict_lines(generalist)[1:]]
    assert len(shown) == len(terminal)
    for said, printed in zip(shown, terminal, strict=True):  # the numbers gigsim estimate prints
        assert number.findall(said) == number.findall(printed), (said, printed)
    for said, printed in zip(shown, estimate_dict(generalist)["verdict"]["text"][1:], strict=True):
        assert number.findall(said) == number.findall(printed)  # and --json
    images = _images(page)
    assert len(images) == len(WORKER_FIGURES) == 3
    assert all(image.startswith(PNG) and len(image) > 3000 for image in images)
    for stem in WORKER_FIGURES:
        assert f'<figure id="{stem}">' in page
    assert "Chance of a month with no income" in page and "Droughts" in page
    assert len(page) < 400_000  # modest images: the page is mailed around


def test_cli_writes_the_page_and_never_overwrites_unasked(tmp_path: Path) -> None:
    out = tmp_path / "worker.html"
    args = ("estimate", "--profile", "specialist", "--hours-per-week", "10", "--months", "2",
            "-r", "3", "--report", out)
    result = _invoke(*args)
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "Verdict for 10 h a week in the specialists group" in page
    assert "advertised up to $45.00/h" in page
    body = page.split("</style>")[1]  # three replications: warned, in a page's words
    assert "3 replication(s) are too few" in body and "(-r)" not in body and "--" not in body
    out.write_text("mine", encoding="utf-8")
    refused = _invoke(*args)
    assert refused.exit_code == 2 and "--force" in refused.stderr
    assert out.read_text(encoding="utf-8") == "mine"
    assert _invoke(*args, "--force").exit_code == 0
    assert out.read_text(encoding="utf-8") != "mine"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_the_page_renders_in_chromium(chromium: str, generalist: Estimate,
                                      tmp_path: Path) -> None:
    page = build_worker_page(generalist)
    seen, console = _probe(chromium, page, tmp_path)
    assert seen["images"] == seen["decoded"] == 3, seen
    assert seen["errors"] == [] and console == []
    # "Every number" wraps: nothing to scroll sideways, on a desktop or a narrow window
    for width in (1280, 1000, 600):
        seen, _ = _probe(chromium, page, tmp_path, width)
        assert seen["window_width"] == width, seen  # the window is as wide as asked
        assert seen["wider_than_their_box"] == [], (width, seen)
        assert seen["page_width"] <= width, (width, seen)  # type: ignore[operator]
    path = tmp_path / "worker.html"
    path.write_text(page, encoding="utf-8")
    shot = tmp_path / "worker.png"
    result = _run(chromium, tmp_path / "profile-shot", "--window-size=1000,2400",
                  f"--screenshot={shot}", path.as_uri())
    assert result.returncode == 0 and shot.is_file(), result.stderr[-2000:]
    from matplotlib import image

    pixels = image.imread(shot)[..., :3]
    assert float(pixels.std()) > 0.05, "the screenshot is blank"
